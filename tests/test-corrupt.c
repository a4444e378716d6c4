/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "gorm-test-utils.h"

/*
 * Damaged files: every call says GORM_ERROR_CORRUPT, never a wrong
 * answer.
 */

#define N_POSTS 2000

/* The posts' table as a later version of the program sees it: one more
 * column, indexed, which a migration must add and index, reading every
 * row to build the index. */
TEST_DEFINE_RESOURCE (TestPostV2, test_post_v2)
#define TEST_TYPE_POST_V2 (test_post_v2_get_type ())

static void
test_post_v2_class_init (TestPostV2Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("views", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_int ("score", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (resource_class, "test_post");
  gorm_resource_class_set_indexed (resource_class, "views");
}

/* A database file of N_POSTS posts, whose pages from the third quarter on
 * are overwritten with garbage, as a bad disk or a stray write would. */
static char *
make_damaged_file (gint64 *some_id)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; i < N_POSTS; i++)
    {
      g_autofree char *title = g_strdup_printf ("post %u with a title long enough to fill pages", i);
      g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db, "title", title,
                                                   "views", (gint) i, NULL);

      test_save_ok (post);
      if (i == N_POSTS - 10)
        *some_id = gorm_resource_get_id (post);
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));
  /* Everything in the main file, nothing left in the WAL. */
  g_assert_cmpint (gorm_database_execute (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0, NULL, &error), >=, -1);
  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, >, 16 * 4096);
  for (gsize at = length / 4; at < length; at++)
    contents[at] = (char) (at * 7919 % 251);
  g_assert_true (g_file_set_contents (path, contents, length, &error));
  return g_steal_pointer (&path);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
assert_corrupt (const GError *error,
                const char   *what)
{
  g_test_message ("%s: %s", what, error ? error->message : "no error");
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CORRUPT);
}

static void
test_damaged_pages (void)
{
  gint64 id = 0;
  g_autofree char *path = make_damaged_file (&id);
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = gorm_database_open (uri, NULL, &error);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GormResource) post = NULL;
  g_autoptr(GListModel) model = NULL;
  GType type = TEST_TYPE_POST;
  g_auto(GValue) views = G_VALUE_INIT;
  g_auto(GValue) title = G_VALUE_INIT;
  gpointer object;

  if (db == NULL)
    {
      assert_corrupt (error, "open");
      test_remove_file (path);
      return;
    }
  g_assert_no_error (error);

  /* The schema pages are whole: a migration that changes nothing reads
   * only them, and its answer is right. */
  if (!gorm_database_migrate (db, &type, 1, NULL, &error))
    {
      assert_corrupt (error, "migrate");
      g_clear_error (&error);
    }
  /* One that must index the rows reads them all. */
  {
    GType later = TEST_TYPE_POST_V2;

    g_assert_false (gorm_database_migrate (db, &later, 1, NULL, &error));
    assert_corrupt (error, "migrate adding an index");
    g_clear_error (&error);
  }

  object = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_null (object);
  assert_corrupt (error, "get");
  g_clear_error (&error);

  /* The rows asked for are in the damaged pages, and views has no index:
   * every query reads them. (A query answered from whole pages alone,
   * such as whether the table has a row, gets its right answer.) */
  query = gorm_database_query (db, TEST_TYPE_POST);
  gorm_query_filter (query, gorm_filter_ge ("views", test_int_value (&views, N_POSTS - 20)));
  gorm_query_order_by (query, "views", TRUE);
  object = gorm_query_first (query, NULL, &error);
  g_assert_null (object);
  assert_corrupt (error, "first");
  g_clear_error (&error);

  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, -1);
  assert_corrupt (error, "count");
  g_clear_error (&error);

  /* The same on the worker. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    gorm_query_count_async (query, NULL, store_result_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (gorm_query_count_finish (query, result, &error), ==, -1);
    assert_corrupt (error, "count_async");
    g_clear_error (&error);
  }

  g_assert_false (gorm_query_exists (query, NULL, &error));
  assert_corrupt (error, "exists");
  g_clear_error (&error);

  model = gorm_query_fetch (query, NULL, &error);
  g_assert_null (model);
  assert_corrupt (error, "fetch");
  g_clear_error (&error);

  post = g_object_new (TEST_TYPE_POST, "database", db, "title", "new", NULL);
  g_assert_false (gorm_resource_save (post, NULL, &error));
  assert_corrupt (error, "save");
  g_clear_error (&error);

  g_assert_cmpint (gorm_query_delete (query, NULL, &error), ==, -1);
  assert_corrupt (error, "delete");
  g_clear_error (&error);

  g_assert_cmpint (gorm_query_update (query, "title", test_string_value (&title, "x"), NULL, &error), ==, -1);
  assert_corrupt (error, "bulk update");
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&post));
  g_clear_object (&query);
  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

/* A file with SQLite's header and garbage after it, and one that is not
 * a database at all: the open says so. */
static void
test_not_a_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gorm-corrupt-XXXXXX", &error);
  g_autofree char *headed = g_build_filename (dir, "headed.db", NULL);
  g_autofree char *text = g_build_filename (dir, "text.db", NULL);
  g_autofree char *contents = g_malloc (8 * 4096);
  const char * const paths[] = { headed, text };

  g_assert_no_error (error);
  for (gsize i = 0; i < 8 * 4096; i++)
    contents[i] = (char) (i * 7919 % 251);
  memcpy (contents, "SQLite format 3", 16);
  g_assert_true (g_file_set_contents (headed, contents, 8 * 4096, NULL));
  g_assert_true (g_file_set_contents (text, "Dear diary, this is not a database at all, "
                                      "though it is long enough to have a header.", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *uri = g_strconcat ("sqlite:", paths[i], NULL);
      g_autofree char *ro_uri = g_strconcat ("sqlite:", paths[i], "?mode=ro", NULL);
      GormDatabase *db = gorm_database_open (uri, NULL, &error);

      g_assert_null (db);
      assert_corrupt (error, uri);
      g_assert_nonnull (strstr (error->message, paths[i]));
      g_clear_error (&error);
      db = gorm_database_open (ro_uri, NULL, &error);
      g_assert_null (db);
      assert_corrupt (error, ro_uri);
      g_clear_error (&error);
      g_remove (paths[i]);
    }
  g_rmdir (dir);
}

/* A real database whose first page, the schema, is damaged after its
 * header: the open, or the first call that reads the schema, says so. */
static void
test_damaged_schema (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autofree char *contents = NULL;
  GType type = TEST_TYPE_POST;
  gsize length;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_cmpint (gorm_database_execute (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0, NULL, &error), >=, -1);
  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_finalize_object (g_steal_pointer (&db));

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, >=, 4096);
  for (gsize at = 100; at < 4096; at++)
    contents[at] = (char) (at * 7919 % 251);
  g_assert_true (g_file_set_contents (path, contents, length, &error));

  db = gorm_database_open (uri, NULL, &error);
  if (db != NULL)
    {
      g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
      g_assert_finalize_object (g_steal_pointer (&db));
    }
  assert_corrupt (error, "open or migrate");
  test_remove_file (path);
}

/* PostgreSQL's damaged pages and indexes come as the SQLSTATEs XX001
 * (data_corrupted) and XX002 (index_corrupted), raised here by the server
 * itself: CORRUPT, the server's message kept, and the next call works. */
static void
test_postgresql_corrupted (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  static const char * const raises[] = {
    "DO 'BEGIN RAISE EXCEPTION ''invalid page in block 7'' USING ERRCODE = ''XX001''; END'",
    "DO 'BEGIN RAISE EXCEPTION ''index is damaged'' USING ERRCODE = ''index_corrupted''; END'",
  };

  for (guint i = 0; i < G_N_ELEMENTS (raises); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (gorm_database_execute (db, raises[i], NULL, 0, NULL, &error), ==, -1);
      assert_corrupt (error, "a statement");
      g_assert_nonnull (strstr (error->message, i == 0 ? "invalid page in block 7" : "index is damaged"));
      g_clear_error (&error);
      g_assert_cmpint (gorm_database_execute (db, "SELECT 1", NULL, 0, NULL, &error), ==, 0);
      g_assert_no_error (error);
    }
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (test_engine_is_postgresql ())
    {
      g_test_add_func ("/Gorm/Corrupt/postgresql-corrupted", test_postgresql_corrupted);
      return g_test_run ();
    }
  g_test_add_func ("/Gorm/Corrupt/damaged-pages", test_damaged_pages);
  g_test_add_func ("/Gorm/Corrupt/not-a-database", test_not_a_database);
  g_test_add_func ("/Gorm/Corrupt/damaged-schema", test_damaged_schema);

  return g_test_run ();
}
