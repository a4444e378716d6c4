/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What objects hold after a transaction rolls back: the state their rows
 * have again. An object inserted inside it is not saved (id 0) and is not
 * the object of the row that takes its key next; one updated inside it is
 * dirty and keeps its values; one deleted inside it is saved again; and
 * resource-saved / resource-deleted are emitted for committed writes only.
 */

#include "config.h"

#include "gorm-connection-private.h"
#include "gorm-database-private.h"
#include "gorm-test-utils.h"

/* A natural primary key. */
TEST_DEFINE_RESOURCE (TestLabel, test_label)

static void
test_label_class_init (TestLabelClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("colour", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_primary_key (GORM_RESOURCE_CLASS (klass), "name");
}

static GormResource *
new_post (GormDatabase *db,
          const char   *title)
{
  return g_object_new (TEST_TYPE_POST, "database", db, "title", title, NULL);
}


static char *
title_of (gpointer resource)
{
  char *title = NULL;

  g_object_get (resource, "title", &title, NULL);
  return title;
}

static GormDatabase *
open_migrated (char **path)
{
  GormDatabase *db = test_open_file (path);
  g_autoptr(GError) error = NULL;
  const GType types[] = { TEST_TYPE_POST, test_label_get_type () };

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  return db;
}

/* Closes @db and removes its file at @path, which it takes. */
static void
close_db (GormDatabase *db,
          char         *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *owned = path;

  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (db);
  test_remove_file (path);
}

static void
test_inserted_is_unsaved (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) kept = new_post (db, "kept");
  g_autoptr(GormResource) lost = new_post (db, "lost");
  g_autoptr(GormResource) next = new_post (db, "next");
  g_autoptr(GormResource) loaded = NULL;
  g_autofree char *title = NULL;
  gint64 lost_id;

  test_save_ok (kept);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (lost);
  lost_id = gorm_resource_get_id (lost);
  g_assert_cmpint (lost_id, >, gorm_resource_get_id (kept));
  g_assert_true (gorm_resource_is_saved (lost));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);

  /* The object is as if it had never been saved, with its values. */
  g_assert_false (gorm_resource_is_saved (lost));
  g_assert_cmpint (gorm_resource_get_id (lost), ==, 0);
  title = title_of (lost);
  g_assert_cmpstr (title, ==, "lost");
  g_assert_true (gorm_resource_is_saved (kept));

  /* Its id was never committed: the row there now is another object's. */
  test_save_ok (next);
  loaded = gorm_database_get (db, TEST_TYPE_POST, gorm_resource_get_id (next), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == next);
  if (gorm_resource_get_id (next) == lost_id)
    g_assert_true (loaded != lost);

  /* Saving it again inserts it. */
  test_save_ok (lost);
  g_assert_cmpint (gorm_resource_get_id (lost), >, gorm_resource_get_id (next));
  g_assert_cmpint (test_count_posts (db), ==, 3);

  g_clear_object (&loaded);
  close_db (db, g_steal_pointer (&path));
}

static void
test_updated_is_dirty (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = new_post (db, "before");
  g_autofree char *title = NULL;
  g_autofree char *stored = NULL;

  test_save_ok (post);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_set (post, "title", "during", NULL);
  test_save_ok (post);
  g_assert_false (gorm_resource_is_dirty (post));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);

  /* The object keeps what it was given, and knows its row does not. */
  g_assert_true (gorm_resource_is_saved (post));
  g_assert_true (gorm_resource_is_dirty (post));
  title = title_of (post);
  g_assert_cmpstr (title, ==, "during");
  stored = test_query_text (db, "SELECT title FROM test_post");
  g_assert_cmpstr (stored, ==, "before");

  /* So saving it again writes it. */
  test_save_ok (post);
  g_assert_false (gorm_resource_is_dirty (post));
  g_clear_pointer (&stored, g_free);
  stored = test_query_text (db, "SELECT title FROM test_post");
  g_assert_cmpstr (stored, ==, "during");

  close_db (db, g_steal_pointer (&path));
}

/* A rolled-back update makes dirty what it wrote, not the rest: the next
 * save leaves a column another writer changed meanwhile alone. Same for a
 * bulk update and the properties it named. */
static void
test_rolled_back_update_dirties_what_it_wrote (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = new_post (db, "before");
  GormResource *posts[1];
  const char *rating[] = { "rating", NULL };
  g_autofree char *stored = NULL;

  g_object_set (post, "views", 1, NULL);
  test_save_ok (post);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_set (post, "title", "during", NULL);
  test_save_ok (post);
  g_object_set (post, "rating", 4.5, NULL);
  posts[0] = post;
  g_assert_cmpint (gorm_database_bulk_update (db, posts, 1, rating, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_dirty (post));

  g_assert_true (gorm_database_execute (db, "UPDATE test_post SET views = 7, content = 'other'",
                                        NULL, 0, NULL, &error) >= 0);
  g_assert_no_error (error);
  test_save_ok (post);
  stored = test_query_text (db, "SELECT title || ' ' || views || ' ' || content || ' ' || rating "
                                "FROM test_post");
  g_assert_cmpstr (stored, ==, "during 7 other 4.5");

  close_db (db, g_steal_pointer (&path));
}

static void
test_deleted_is_saved_again (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = new_post (db, "kept");
  g_autoptr(GormResource) loaded = NULL;
  gint64 id;

  test_save_ok (post);
  id = gorm_resource_get_id (post);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (gorm_resource_delete (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_saved (post));
  g_assert_cmpint (gorm_resource_get_id (post), ==, 0);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (gorm_resource_is_saved (post));
  g_assert_false (gorm_resource_is_dirty (post));
  g_assert_cmpint (gorm_resource_get_id (post), ==, id);
  /* It is the object of its row again. */
  loaded = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == post);
  /* And it can be deleted for good. */
  g_assert_true (gorm_resource_delete (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (db), ==, 0);

  g_clear_object (&loaded);
  close_db (db, g_steal_pointer (&path));
}

static void
test_savepoints (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) outer = new_post (db, "outer");
  g_autoptr(GormResource) released = new_post (db, "released");
  g_autoptr(GormResource) undone = new_post (db, "undone");

  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (outer);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (released);
  g_assert_true (gorm_database_commit (db, NULL, &error));

  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (undone);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);

  /* Only the rolled-back savepoint's object is undone... */
  g_assert_false (gorm_resource_is_saved (undone));
  g_assert_true (gorm_resource_is_saved (released));
  g_assert_true (gorm_resource_is_saved (outer));

  /* ...and a released savepoint's writes belong to the transaction. */
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_saved (released));
  g_assert_false (gorm_resource_is_saved (outer));
  g_assert_cmpint (gorm_resource_get_id (released), ==, 0);
  g_assert_cmpint (test_count_posts (db), ==, 0);

  /* Committed, nothing is undone. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (outer);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (released);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_saved (outer));
  g_assert_true (gorm_resource_is_saved (released));
  g_assert_false (gorm_resource_is_dirty (outer));
  g_assert_cmpint (test_count_posts (db), ==, 2);

  close_db (db, g_steal_pointer (&path));
}

static void
test_insert_then_update_then_delete (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = new_post (db, "first");
  g_autoptr(GormResource) other = new_post (db, "other");

  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (post);
  g_object_set (post, "title", "second", NULL);
  test_save_ok (post);
  test_save_ok (other);
  g_assert_true (gorm_resource_delete (other, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);

  /* Undone last write first: both end as they began, not saved. */
  g_assert_false (gorm_resource_is_saved (post));
  g_assert_false (gorm_resource_is_saved (other));
  g_assert_cmpint (gorm_resource_get_id (post), ==, 0);
  g_assert_cmpint (gorm_resource_get_id (other), ==, 0);
  g_assert_cmpint (test_count_posts (db), ==, 0);
  test_save_ok (post);
  test_save_ok (other);
  g_assert_cmpint (test_count_posts (db), ==, 2);

  close_db (db, g_steal_pointer (&path));
}

static void
test_natural_key_update (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) label = g_object_new (test_label_get_type (), "database", db,
                                                "name", "red", "colour", "#f00", NULL);
  g_autoptr(GormResource) loaded = NULL;
  GValue key = G_VALUE_INIT;

  test_save_ok (label);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_set (label, "name", "crimson", NULL);
  test_save_ok (label);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);

  /* The row has its old key again, and the object is still its object. */
  g_value_init (&key, G_TYPE_STRING);
  g_value_set_string (&key, "red");
  loaded = gorm_database_get_by_key (db, test_label_get_type (), &key, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == label);
  g_assert_true (gorm_resource_is_dirty (label));
  /* Saved again, it renames the row. */
  test_save_ok (label);
  g_clear_object (&loaded);
  g_value_set_string (&key, "crimson");
  loaded = gorm_database_get_by_key (db, test_label_get_type (), &key, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == label);
  g_value_unset (&key);

  g_clear_object (&loaded);
  close_db (db, g_steal_pointer (&path));
}

static void
test_failed_commit (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = new_post (db, "lost");
  g_autoptr(GormResource) kept = new_post (db, "kept");

  test_save_ok (kept);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (post);
  g_object_set (kept, "title", "changed", NULL);
  test_save_ok (kept);
  gorm_connection_inject_fault (gorm_database_get_execution (db), "COMMIT", GORM_ERROR_FULL);
  g_assert_false (gorm_database_commit (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&error);

  g_assert_false (gorm_resource_is_saved (post));
  g_assert_cmpint (gorm_resource_get_id (post), ==, 0);
  g_assert_true (gorm_resource_is_dirty (kept));
  /* The next writes work, and write what the objects hold. */
  test_save_ok (post);
  test_save_ok (kept);
  g_assert_cmpint (test_count_posts (db), ==, 2);

  close_db (db, g_steal_pointer (&path));
}

typedef struct
{
  guint saved;
  guint created;
  guint deleted;
  gint64 deleted_id;
} Signals;

static void
saved_cb (GormDatabase *db,
          GormResource *resource,
          gboolean      created,
          Signals      *signals)
{
  signals->saved++;
  if (created)
    signals->created++;
}

static void
deleted_cb (GormDatabase *db,
            GormResource *resource,
            Signals      *signals)
{
  signals->deleted++;
  signals->deleted_id = gorm_resource_get_id (resource);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_signals_committed_only (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = new_post (db, "post");
  g_autoptr(GormResource) other = new_post (db, "other");
  Signals signals = { 0, };
  gint64 id;

  g_signal_connect (db, "resource-saved", G_CALLBACK (saved_cb), &signals);
  g_signal_connect (db, "resource-deleted", G_CALLBACK (deleted_cb), &signals);

  /* Outside a transaction: at once, the deleted object with its id. */
  test_save_ok (post);
  drain ();
  g_assert_cmpuint (signals.saved, ==, 1);
  g_assert_cmpuint (signals.created, ==, 1);
  test_save_ok (other);
  id = gorm_resource_get_id (other);
  g_assert_true (gorm_resource_delete (other, NULL, &error));
  drain ();
  g_assert_cmpuint (signals.deleted, ==, 1);
  g_assert_cmpint (signals.deleted_id, ==, id);
  memset (&signals, 0, sizeof signals);

  /* Rolled back: never. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_set (post, "title", "rolled back", NULL);
  test_save_ok (post);
  test_save_ok (other);
  g_assert_true (gorm_resource_delete (post, NULL, &error));
  drain ();
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  drain ();
  g_assert_cmpuint (signals.saved, ==, 0);
  g_assert_cmpuint (signals.deleted, ==, 0);

  /* Committed: at the COMMIT, in order, a savepoint's too. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (other);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_set (post, "title", "committed", NULL);
  test_save_ok (post);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  drain ();
  g_assert_cmpuint (signals.saved, ==, 0);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (signals.saved, ==, 2);
  g_assert_cmpuint (signals.created, ==, 1);

  close_db (db, g_steal_pointer (&path));
}

static gboolean
save_then_fail_cb (GormDatabase  *db,
                   gpointer       user_data,
                   GError       **error)
{
  GormResource *post = user_data;

  if (!gorm_resource_save (post, NULL, error))
    return FALSE;
  g_set_error_literal (error, GORM_ERROR, GORM_ERROR_VALIDATION, "the function failed");
  return FALSE;
}

static void
transaction_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (gorm_database_run_in_transaction_finish (GORM_DATABASE (source), result, error));
}

static void
test_transaction_function (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = new_post (db, "sync");
  g_autoptr(GormResource) async_post = new_post (db, "async");

  g_assert_false (gorm_database_run_in_transaction (db, save_then_fail_cb, post, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);
  g_assert_false (gorm_resource_is_saved (post));
  g_assert_cmpint (gorm_resource_get_id (post), ==, 0);

  /* On the worker: the object is undone there, its id notified here. */
  gorm_database_run_in_transaction_async (db, save_then_fail_cb, async_post, NULL, NULL,
                                          transaction_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);
  drain ();
  g_assert_false (gorm_resource_is_saved (async_post));
  g_assert_cmpint (gorm_resource_get_id (async_post), ==, 0);
  g_assert_cmpint (test_count_posts (db), ==, 0);

  test_save_ok (post);
  test_save_ok (async_post);
  g_assert_cmpint (test_count_posts (db), ==, 2);

  close_db (db, g_steal_pointer (&path));
}

/* Objects written in a transaction are not kept alive by it. */
static void
test_nothing_held (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_migrated (&path);
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GormResource) post = new_post (db, "many");

      test_save_ok (post);
      g_assert_finalize_object (g_steal_pointer (&post));
    }
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (db), ==, 0);

  close_db (db, g_steal_pointer (&path));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Rollback/inserted-is-unsaved", test_inserted_is_unsaved);
  g_test_add_func ("/Gorm/Rollback/updated-is-dirty", test_updated_is_dirty);
  g_test_add_func ("/Gorm/Rollback/rolled-back-update-dirties-what-it-wrote",
                   test_rolled_back_update_dirties_what_it_wrote);
  g_test_add_func ("/Gorm/Rollback/deleted-is-saved-again", test_deleted_is_saved_again);
  g_test_add_func ("/Gorm/Rollback/savepoints", test_savepoints);
  g_test_add_func ("/Gorm/Rollback/insert-update-delete", test_insert_then_update_then_delete);
  g_test_add_func ("/Gorm/Rollback/natural-key-update", test_natural_key_update);
  g_test_add_func ("/Gorm/Rollback/failed-commit", test_failed_commit);
  g_test_add_func ("/Gorm/Rollback/signals-committed-only", test_signals_committed_only);
  g_test_add_func ("/Gorm/Rollback/transaction-function", test_transaction_function);
  g_test_add_func ("/Gorm/Rollback/nothing-held", test_nothing_held);

  return g_test_run ();
}
