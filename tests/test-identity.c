/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-test-utils.h"

/* The identity map keeps its entry in each object (gorm-identity-map.c):
 * these tests walk the edges of that, the last reference of an object
 * racing a lookup of its row in another thread, and an object whose row
 * another object took. */

/* A post whose dispose takes its time: the window in which a lookup in
 * another thread meets an object on its way out is wide open. */
TEST_DEFINE_RESOURCE (SlowPost, slow_post)

static void
slow_post_dispose (GObject *object)
{
  g_usleep (50);
  G_OBJECT_CLASS (slow_post_parent_class)->dispose (object);
}

static void
slow_post_class_init (SlowPostClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  G_OBJECT_CLASS (klass)->dispose = slow_post_dispose;
}

static gint64
save_post (GormDatabase *db,
           GType         type,
           const char   *title)
{
  g_autoptr(GormResource) post = g_object_new (type, "database", db, "title", title, NULL);

  test_save_ok (post);
  return gorm_resource_get_id (post);
}

/* Asserts that loading the row whose id is @id gives @expected, the
 * row's live object. */
static void
assert_loads (GormDatabase *db,
              gint64        id,
              GormResource *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) found = gorm_database_get (db, G_OBJECT_TYPE (expected), id, NULL,
                                                     &error);

  g_assert_no_error (error);
  g_assert_true (found == expected);
}

typedef struct
{
  GormDatabase *db;
  gint64        id;
  guint         rounds;
} Race;

/* Loads the row twice and drops both references, @race->rounds times:
 * while one object of the row is held, both loads give that object. */
static void
load_and_drop (Race     *race,
               gboolean  in_main_context)
{
  for (guint i = 0; i < race->rounds; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GormResource) first = gorm_database_get (race->db, slow_post_get_type (), race->id,
                                                         NULL, &error);
      g_autoptr(GormResource) second = NULL;

      g_assert_no_error (error);
      second = gorm_database_get (race->db, slow_post_get_type (), race->id, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (first == second);
      g_assert_cmpint (gorm_resource_get_id (first), ==, race->id);
      g_clear_object (&second);
      g_clear_object (&first);
      /* What the other thread's loads sent to the main context (it holds
       * their objects) is let go of here, so that last references drop
       * in this thread too. */
      if (in_main_context)
        while (g_main_context_iteration (NULL, FALSE))
          ;
    }
}

static gpointer
load_and_drop_thread (gpointer data)
{
  load_and_drop (data, FALSE);
  return NULL;
}

static void
test_lookup_races_last_unref (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  Race race = { db, 0, 2000 };
  GThread *thread;
  gint64 deadline;

  test_migrate (db, slow_post_get_type ());
  race.id = save_post (db, slow_post_get_type (), "Raced");
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);

  /* Each thread drops the last reference of the row's object while the
   * other may be looking the row up: a lookup finds the live object or
   * builds a new one, never an object on its way out (which its dispose
   * would then take out of the map, and the second load would build
   * another object), and an object's end never takes the next object of
   * its row out of the map. */
  thread = g_thread_new ("race", load_and_drop_thread, &race);
  load_and_drop (&race, TRUE);
  g_thread_join (thread);
  /* The other thread's last loads may still wait for the main context:
   * libgorm delivers what a thread defers to it at most once a
   * millisecond (see gorm_worker_defer()), so a loop that only takes what
   * is ready can end before they come, with their objects still held.
   * Once they are delivered, no object of the row is left. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gorm_database_get_n_live (db) > 0 && g_get_monotonic_time () < deadline)
    {
      g_usleep (G_USEC_PER_SEC / 1000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_row_taken_by_another_object (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) old = NULL;
  g_autoptr(GormResource) taker = NULL;
  g_auto(GValue) key = G_VALUE_INIT;
  gint64 id;

  test_migrate (db, TEST_TYPE_POST);
  id = save_post (db, TEST_TYPE_POST, "Old");
  old = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 1);

  /* The row goes behind libgorm's back, and a new object is saved with
   * its key: the new object is the row's now. */
  g_value_init (&key, G_TYPE_INT64);
  g_value_set_int64 (&key, id);
  g_assert_cmpint (gorm_database_execute (db, "DELETE FROM test_post WHERE id = ?", &key, 1, NULL,
                                          &error), ==, 1);
  g_assert_no_error (error);
  taker = g_object_new (TEST_TYPE_POST, "database", db, "title", "Taker", "id", id, NULL);
  test_save_ok (taker);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 1);
  assert_loads (db, id, taker);

  /* The old object's end leaves the row's new object in the map. */
  g_assert_finalize_object (g_steal_pointer (&old));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 1);
  assert_loads (db, id, taker);

  g_assert_finalize_object (g_steal_pointer (&taker));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_saved_again_keeps_entry (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db, "title", "Once",
                                               NULL);

  test_migrate (db, TEST_TYPE_POST);
  test_save_ok (post);
  g_object_set (post, "title", "Twice", NULL);
  test_save_ok (post);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 1);
  assert_loads (db, gorm_resource_get_id (post), post);

  /* Deleted, it leaves the map; saved again, it is back. */
  g_assert_true (gorm_resource_delete (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  test_save_ok (post);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 1);
  assert_loads (db, gorm_resource_get_id (post), post);

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Identity/lookup-races-last-unref", test_lookup_races_last_unref);
  g_test_add_func ("/Gorm/Identity/row-taken-by-another-object", test_row_taken_by_another_object);
  g_test_add_func ("/Gorm/Identity/saved-again-keeps-entry", test_saved_again_keeps_entry);

  return g_test_run ();
}
