/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-test-utils.h"

static void
save_post (GormDatabase *db,
           const char   *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db, "title", title, NULL);

  g_assert_true (gorm_resource_save (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&post));
}

static void
test_commit_and_rollback (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormDatabase) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = test_uri_of_file (path);

  test_migrate (db, TEST_TYPE_POST);
  reader = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 1);
  save_post (db, "committed");
  /* Another connection does not see the row before the commit. */
  g_assert_cmpint (test_count_posts (reader), ==, 0);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  g_assert_cmpint (test_count_posts (reader), ==, 1);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  save_post (db, "rolled back");
  g_assert_cmpint (test_count_posts (db), ==, 2);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (db), ==, 1);
  g_assert_cmpint (test_count_posts (reader), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&reader));
  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

static void
test_savepoints (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_POST);
  log = test_log_attach (db);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  save_post (db, "outer");
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 2);
  save_post (db, "inner, undone");
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_cmpint (test_count_posts (db), ==, 1);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  save_post (db, "inner, kept");
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 3);
  save_post (db, "innermost, kept");
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (db), ==, 3);

  g_assert_cmpuint (test_log_count (log, test_engine_is_postgresql () ? "BEGIN" : "BEGIN IMMEDIATE"), ==, 1);
  g_assert_cmpuint (test_log_count (log, "SAVEPOINT \"gorm_savepoint_1\""), ==, 2);
  g_assert_cmpuint (test_log_count (log, "SAVEPOINT \"gorm_savepoint_2\""), ==, 1);
  g_assert_cmpuint (test_log_count (log, "ROLLBACK TO SAVEPOINT \"gorm_savepoint_1\""), ==, 1);
  g_assert_cmpuint (test_log_count (log, "RELEASE SAVEPOINT"), ==, 3);
  g_assert_cmpuint (test_log_count (log, "COMMIT"), ==, 1);

  /* An outer rollback undoes what committed savepoints kept. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (gorm_database_begin (db, NULL, &error));
  save_post (db, "gone with the outer rollback");
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_cmpint (test_count_posts (db), ==, 3);

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_unbalanced (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;

  g_assert_false (gorm_database_commit (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no transaction"));
  g_clear_error (&error);
  g_assert_false (gorm_database_rollback (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  /* Closing with a transaction open rolls it back, closes all the same,
   * and says so. */
  test_migrate (db, TEST_TYPE_POST);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  save_post (db, "abandoned");
  g_assert_false (gorm_database_close (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "left open"));
  g_assert_nonnull (strstr (error->message, "rolled back"));
  g_clear_error (&error);
  g_assert_true (gorm_database_is_closed (db));
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_not_tracked_by_libgda (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; i < 50; i++)
    save_post (db, "row");
  /* libgda keeps a growing event list for transactions it knows about
   * (it walks the list on every call, so the cost per statement grows);
   * it must not know about ours. */
  g_assert_null (gda_connection_get_transaction_status (gorm_database_get_connection (db)));
  g_assert_true (gorm_database_commit (db, NULL, &error));

  g_assert_finalize_object (g_steal_pointer (&db));
}

typedef struct
{
  guint    n_posts;
  gboolean fail;
  gboolean set_error;
  gboolean nest;
} Body;

static gboolean
body_cb (GormDatabase  *db,
         gpointer       user_data,
         GError       **error)
{
  Body *body = user_data;

  for (guint i = 0; i < body->n_posts; i++)
    save_post (db, "in a transaction");

  if (body->nest)
    {
      Body inner = { 1, TRUE, TRUE, FALSE };
      g_autoptr(GError) inner_error = NULL;

      /* A nested run is a savepoint: its failure undoes only itself. */
      g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 1);
      g_assert_false (gorm_database_run_in_transaction (db, body_cb, &inner, NULL, &inner_error));
      g_assert_error (inner_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 1);
    }

  if (!body->fail)
    return TRUE;
  if (body->set_error)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the body failed");
  return FALSE;
}

static void
test_run_in_transaction (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  Body commit = { 3, FALSE, FALSE, FALSE };
  Body fail = { 2, TRUE, TRUE, FALSE };
  Body fail_silently = { 2, TRUE, FALSE, FALSE };
  Body nested = { 1, FALSE, FALSE, TRUE };

  test_migrate (db, TEST_TYPE_POST);

  g_assert_true (gorm_database_run_in_transaction (db, body_cb, &commit, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (db), ==, 3);

  /* The body's own error comes back unchanged. */
  g_assert_false (gorm_database_run_in_transaction (db, body_cb, &fail, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "the body failed");
  g_clear_error (&error);
  g_assert_cmpint (test_count_posts (db), ==, 3);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  g_assert_false (gorm_database_run_in_transaction (db, body_cb, &fail_silently, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (test_count_posts (db), ==, 3);

  g_assert_true (gorm_database_run_in_transaction (db, body_cb, &nested, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (db), ==, 4);

  g_assert_finalize_object (g_steal_pointer (&db));
}

static gboolean
violate_cb (GormDatabase  *db,
            gpointer       user_data,
            GError       **error)
{
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db, NULL);

  save_post (db, "before the failure");
  /* The title is NOT NULL. */
  return gorm_resource_save (post, NULL, error);
}

static void
test_failed_save_rolls_back (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_false (gorm_database_run_in_transaction (db, violate_cb, NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_cmpint (test_count_posts (db), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
async_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  if (gorm_resource_save_finish (GORM_RESOURCE (source), result, error))
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "saved");
}

static void
counted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gint64 *count = user_data;
  g_autoptr(GError) error = NULL;

  *count = gorm_query_count_finish (GORM_QUERY (source), result, &error);
  g_assert_no_error (error);
}

/* begin() on the main thread, then an async call awaited in the main
 * loop: the call runs inside the transaction instead of waiting on the
 * worker for its end, which would never come. */
static void
test_async_inside_sync_transaction (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GormQuery) query = NULL;
  GError *async_error = NULL;
  gint64 count = -1;

  test_migrate (db, TEST_TYPE_POST);
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db,
                                                   "title", round == 0 ? "kept" : "undone", NULL);

      g_assert_true (gorm_database_begin (db, NULL, &error));
      gorm_resource_save_async (post, NULL, async_saved_cb, &async_error);
      g_timer_start (timer);
      while (async_error == NULL && g_timer_elapsed (timer, NULL) < 10)
        g_main_context_iteration (NULL, g_timer_elapsed (timer, NULL) > 0.01);
      g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_EXISTS);
      g_clear_error (&async_error);
      g_assert_true (gorm_resource_is_saved (post));
      g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 1);

      /* A read sees the transaction's own write. */
      query = gorm_database_query (db, TEST_TYPE_POST);
      gorm_query_count_async (query, NULL, counted_cb, &count);
      while (count < 0 && g_timer_elapsed (timer, NULL) < 10)
        g_main_context_iteration (NULL, g_timer_elapsed (timer, NULL) > 0.01);
      g_assert_cmpint (count, ==, round + 1);
      count = -1;
      g_clear_object (&query);

      if (round == 0)
        g_assert_true (gorm_database_commit (db, NULL, &error));
      else
        g_assert_true (gorm_database_rollback (db, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
    }
  g_assert_cmpint (test_count_posts (db), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Transaction/commit-and-rollback", test_commit_and_rollback);
  g_test_add_func ("/Gorm/Transaction/savepoints", test_savepoints);
  g_test_add_func ("/Gorm/Transaction/unbalanced", test_unbalanced);
  g_test_add_func ("/Gorm/Transaction/not-tracked-by-libgda", test_not_tracked_by_libgda);
  g_test_add_func ("/Gorm/Transaction/async-inside-sync-transaction", test_async_inside_sync_transaction);
  g_test_add_func ("/Gorm/Transaction/run-in-transaction", test_run_in_transaction);
  g_test_add_func ("/Gorm/Transaction/failed-save-rolls-back", test_failed_save_rolls_back);

  return g_test_run ();
}
