/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-test-utils.h"

static GThread *main_thread;

/* Every notification and items-changed reaches the main thread. */
static void
assert_main_thread_cb (void)
{
  g_assert_true (g_thread_self () == main_thread);
}

static void
watch_notifications (gpointer object)
{
  g_signal_connect (object, "notify", G_CALLBACK (assert_main_thread_cb), NULL);
}

/* The result of one call, kept until the test reads it. */
typedef struct
{
  GAsyncResult *result;
  guint         order;
} Call;

static guint completed;

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Call *call = user_data;

  assert_main_thread_cb ();
  g_assert_null (call->result);
  call->result = g_object_ref (result);
  call->order = ++completed;
}

static void
wait_for (Call *call)
{
  while (call->result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
call_clear (Call *call)
{
  g_clear_object (&call->result);
  call->order = 0;
}

static GormResource *
new_post (GormDatabase *db,
          const char   *title)
{
  GormResource *post = g_object_new (TEST_TYPE_POST, "database", db, "title", title, NULL);

  watch_notifications (post);
  return post;
}

static void
test_open_migrate (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) probe = test_open_file (&path);
  g_autofree char *uri = test_uri_of_file (path);
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_POST;
  Call call = { 0 };

  g_assert_finalize_object (g_steal_pointer (&probe));

  gorm_database_open_async (uri, NULL, store_result_cb, &call);
  wait_for (&call);
  db = gorm_database_open_finish (call.result, &error);
  g_assert_no_error (error);
  g_assert_true (GORM_IS_DATABASE (db));
  call_clear (&call);

  gorm_database_migrate_async (db, &type, 1, NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_true (gorm_database_migrate_finish (db, call.result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (db), ==, 0);
  call_clear (&call);

  /* Errors come back from _finish. */
  gorm_database_open_async ("sqlite:/no/such/directory/x.db", NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_null (gorm_database_open_finish (call.result, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  call_clear (&call);

  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

static void
test_save_get_reload_delete (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Async");
  g_autoptr(GormResource) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GDateTime) pub_date = NULL;
  Call call = { 0 };
  gint64 id;

  test_migrate (db, TEST_TYPE_POST);

  gorm_resource_save_async (post, NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_true (gorm_resource_save_finish (post, call.result, &error));
  g_assert_no_error (error);
  call_clear (&call);
  id = gorm_resource_get_id (post);
  g_assert_cmpint (id, ==, 1);
  g_assert_false (gorm_resource_is_dirty (post));
  /* The automatic timestamp is on the object, and did not make it dirty. */
  g_object_get (post, "pub-date", &pub_date, NULL);
  g_assert_nonnull (pub_date);

  gorm_database_get_async (db, TEST_TYPE_POST, id, NULL, store_result_cb, &call);
  wait_for (&call);
  got = gorm_database_get_finish (db, call.result, &error);
  g_assert_no_error (error);
  g_assert_true (got == post);
  call_clear (&call);

  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_post SET title = 'Changed'", NULL, 0, NULL, &error), ==, 1);
  gorm_resource_reload_async (post, NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_true (gorm_resource_reload_finish (post, call.result, &error));
  call_clear (&call);
  g_object_get (post, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "Changed");
  g_assert_false (gorm_resource_is_dirty (post));

  gorm_resource_delete_async (post, NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_true (gorm_resource_delete_finish (post, call.result, &error));
  call_clear (&call);
  g_assert_false (gorm_resource_is_saved (post));
  g_assert_cmpint (gorm_resource_get_id (post), ==, 0);

  /* A missing row, a constraint: the same errors as the sync forms. */
  gorm_database_get_async (db, TEST_TYPE_POST, id, NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_null (gorm_database_get_finish (db, call.result, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  call_clear (&call);

  g_object_set (post, "title", NULL, NULL);
  gorm_resource_save_async (post, NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_false (gorm_resource_save_finish (post, call.result, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  call_clear (&call);
  g_assert_false (gorm_resource_is_saved (post));

  g_clear_object (&got);
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_query_runners (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GormQuery) bad = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GListModel) live = NULL;
  g_autoptr(GormResource) first = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) views = G_VALUE_INIT;
  Call calls[8] = { { 0 } };

  test_migrate (db, TEST_TYPE_POST);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *title = g_strdup_printf ("post %u", i);
      g_autoptr(GormResource) post = new_post (db, title);

      g_object_set (post, "views", (int) i, NULL);
      g_assert_true (gorm_resource_save (post, NULL, NULL));
    }

  query = gorm_database_query (db, TEST_TYPE_POST);
  gorm_query_order_by (query, "views", TRUE);
  g_value_init (&views, G_TYPE_INT);
  g_value_set_int (&views, 100);

  gorm_query_fetch_async (query, NULL, store_result_cb, &calls[0]);
  gorm_query_watch_async (query, NULL, store_result_cb, &calls[1]);
  gorm_query_first_async (query, NULL, store_result_cb, &calls[2]);
  gorm_query_count_async (query, NULL, store_result_cb, &calls[3]);
  gorm_query_exists_async (query, NULL, store_result_cb, &calls[4]);
  gorm_query_update_async (query, "views", &views, NULL, store_result_cb, &calls[5]);
  gorm_query_delete_async (query, NULL, store_result_cb, &calls[6]);
  bad = gorm_database_query (db, TEST_TYPE_POST);
  gorm_query_order_by (bad, "no-such-property", FALSE);
  gorm_query_count_async (bad, NULL, store_result_cb, &calls[7]);
  wait_for (&calls[7]);

  /* They completed in the order they were made. */
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    g_assert_cmpuint (calls[i].order, ==, completed - G_N_ELEMENTS (calls) + 1 + i);

  model = gorm_query_fetch_finish (query, calls[0].result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 10);
  live = gorm_query_watch_finish (query, calls[1].result, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_query_model_is_live (GORM_QUERY_MODEL (live)));
  first = gorm_query_first_finish (query, calls[2].result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpint (gorm_query_count_finish (query, calls[3].result, &error), ==, 10);
  g_assert_true (gorm_query_exists_finish (query, calls[4].result, &error));
  g_assert_cmpint (gorm_query_update_finish (query, calls[5].result, &error), ==, 10);
  g_assert_cmpint (gorm_query_delete_finish (query, calls[6].result, &error), ==, 10);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_query_count_finish (bad, calls[7].result, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);

  /* The bulk operations reached the live model. The object of the first
   * row is made when gorm_query_first_finish() is called, from the row as
   * it was when the call ran. */
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    call_clear (&calls[i]);
  g_clear_object (&first);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&live));
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&bad));
  g_assert_finalize_object (g_steal_pointer (&db));
}

typedef struct
{
  GPtrArray *posts;
  gboolean   fail;
  GThread   *thread;
} Import;

static gboolean
import_cb (GormDatabase  *db,
           gpointer       user_data,
           GError       **error)
{
  Import *import = user_data;

  import->thread = g_thread_self ();
  for (guint i = 0; i < import->posts->len; i++)
    {
      GormResource *post = g_ptr_array_index (import->posts, i);

      if (!gorm_resource_save (post, NULL, error))
        return FALSE;
      /* The id is there at once, for the rest of the transaction. */
      g_assert_cmpint (gorm_resource_get_id (post), >, 0);
    }
  if (import->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "import failed");
      return FALSE;
    }
  return TRUE;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *changes)
{
  assert_main_thread_cb ();
  (*changes)++;
}

static void
test_transaction (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) live = NULL;
  g_autoptr(GError) error = NULL;
  Import import = { g_ptr_array_new_with_free_func (g_object_unref), FALSE, NULL };
  guint changes = 0;
  guint saved = 0;
  Call call = { 0 };

  test_migrate (db, TEST_TYPE_POST);
  query = gorm_database_query (db, TEST_TYPE_POST);
  live = gorm_query_watch (query, NULL, &error);
  g_signal_connect (live, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_signal_connect_swapped (db, "resource-saved", G_CALLBACK (assert_main_thread_cb), NULL);
  g_signal_connect_swapped (db, "resource-saved", G_CALLBACK (g_atomic_int_inc), &saved);
  for (guint i = 0; i < 200; i++)
    g_ptr_array_add (import.posts, new_post (db, "imported"));

  gorm_database_run_in_transaction_async (db, import_cb, &import, NULL, NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_true (gorm_database_run_in_transaction_finish (db, call.result, &error));
  g_assert_no_error (error);
  call_clear (&call);
  g_assert_true (import.thread != main_thread);
  g_assert_cmpint (test_count_posts (db), ==, 200);
  /* Every signal of the transaction reached the main context first. The
   * live model is given the committed rows from the main loop (the
   * change feed), so it is waited for, within a bound. */
  g_assert_cmpuint (saved, ==, 200);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (g_list_model_get_n_items (live) != 200 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 200);
  g_assert_cmpuint (changes, >, 0);
  for (guint i = 0; i < import.posts->len; i++)
    g_assert_false (gorm_resource_is_dirty (g_ptr_array_index (import.posts, i)));

  /* A failing function rolls everything back, its error unchanged. */
  g_ptr_array_set_size (import.posts, 0);
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (import.posts, new_post (db, "never"));
  import.fail = TRUE;
  gorm_database_run_in_transaction_async (db, import_cb, &import, NULL, NULL, store_result_cb, &call);
  wait_for (&call);
  g_assert_false (gorm_database_run_in_transaction_finish (db, call.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  call_clear (&call);
  g_assert_cmpint (test_count_posts (db), ==, 200);
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 200);

  g_signal_handlers_disconnect_by_data (live, &changes);
  g_ptr_array_unref (import.posts);
  g_assert_finalize_object (g_steal_pointer (&live));
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A transaction that holds the worker until the test opens the gate, so
 * that the calls queued behind it wait for their turn. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean open;
} Gate;

static gboolean
gate_cb (GormDatabase  *db,
         gpointer       user_data,
         GError       **error)
{
  Gate *gate = user_data;

  g_mutex_lock (&gate->lock);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
  return TRUE;
}

static void
gate_open (Gate *gate)
{
  g_mutex_lock (&gate->lock);
  gate->open = TRUE;
  g_cond_signal (&gate->cond);
  g_mutex_unlock (&gate->lock);
}

typedef struct
{
  Import *import;
  Gate   *gate;
} GatedImport;

/* Saves, then waits at the gate: the test cancels while it runs. */
static gboolean
gated_import_cb (GormDatabase  *db,
                 gpointer       user_data,
                 GError       **error)
{
  GatedImport *gated = user_data;

  return import_cb (db, gated->import, error) && gate_cb (db, gated->gate, error);
}

static void
test_cancellation (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GormResource) cancelled = new_post (db, "cancelled");
  g_autoptr(GormResource) kept = new_post (db, "kept");
  g_autoptr(GError) error = NULL;
  Import import = { g_ptr_array_new_with_free_func (g_object_unref), FALSE, NULL };
  Call calls[4] = { { 0 } };
  Gate gate = { 0 };

  test_migrate (db, TEST_TYPE_POST);

  /* Cancelled before its turn: nothing inserted, and the call after it
   * runs as usual. */
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  gorm_database_run_in_transaction_async (db, gate_cb, &gate, NULL, NULL, store_result_cb, &calls[3]);
  gorm_resource_save_async (cancelled, cancellable, store_result_cb, &calls[0]);
  g_cancellable_cancel (cancellable);
  gorm_resource_save_async (kept, NULL, store_result_cb, &calls[1]);
  gate_open (&gate);
  wait_for (&calls[1]);
  wait_for (&calls[0]);
  g_assert_cmpuint (calls[3].order, <, calls[0].order);
  g_assert_cmpuint (calls[0].order, <, calls[1].order);
  gate.open = FALSE;
  g_assert_false (gorm_resource_save_finish (cancelled, calls[0].result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (gorm_resource_save_finish (kept, calls[1].result, &error));
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_saved (cancelled));
  g_assert_cmpint (test_count_posts (db), ==, 1);

  /* A transaction cancelled while it runs rolls back. */
  g_cancellable_reset (cancellable);
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (import.posts, new_post (db, "rolled back"));
  {
    GatedImport gated = { &import, &gate };

    gorm_database_run_in_transaction_async (db, gated_import_cb, &gated, NULL, cancellable,
                                            store_result_cb, &calls[2]);
    g_cancellable_cancel (cancellable);
    gate_open (&gate);
    wait_for (&calls[2]);
  }
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
  g_assert_false (gorm_database_run_in_transaction_finish (db, calls[2].result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (test_count_posts (db), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    call_clear (&calls[i]);
  g_ptr_array_unref (import.posts);
  g_assert_finalize_object (g_steal_pointer (&cancelled));
  g_assert_finalize_object (g_steal_pointer (&kept));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
count_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *done = user_data;

  assert_main_thread_cb ();
  (*done)++;
}

static void
test_close_in_flight (void)
{
  GormDatabase *db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  GWeakRef weak;
  guint done = 0;

  test_migrate (db, TEST_TYPE_POST);
  query = gorm_database_query (db, TEST_TYPE_POST);
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GormResource) post = new_post (db, "in flight");

      gorm_resource_save_async (post, NULL, count_done_cb, &done);
      gorm_query_count_async (query, NULL, count_done_cb, &done);
    }
  /* Closing and dropping the last reference with calls queued: they all
   * complete (the later ones with an error), and nothing deadlocks. */
  g_assert_true (gorm_database_close (db, NULL, NULL));
  g_weak_ref_init (&weak, db);
  g_object_unref (db);
  g_clear_object (&query);
  while (done < 100)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
}

static void
stress_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  guint *done = user_data;
  g_autoptr(GError) error = NULL;

  assert_main_thread_cb ();
  if (GORM_IS_RESOURCE (source))
    gorm_resource_save_finish (GORM_RESOURCE (source), result, &error);
  else
    {
      g_autoptr(GListModel) model = gorm_query_fetch_finish (GORM_QUERY (source), result, &error);

      g_assert_true (model != NULL || error != NULL);
    }
  if (error != NULL)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  (*done)++;
}

static void
test_stress (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) cancellables = g_ptr_array_new_with_free_func (g_object_unref);
  guint started = 0, done = 0;

  test_migrate (db, TEST_TYPE_POST);
  query = gorm_database_query (db, TEST_TYPE_POST);
  for (guint i = 0; i < 400; i++)
    {
      guint what = g_rand_int_range (rand, 0, 4);
      GCancellable *cancellable = g_cancellable_new ();

      g_ptr_array_add (cancellables, cancellable);
      if (what == 0)
        {
          gorm_query_fetch_async (query, cancellable, stress_done_cb, &done);
          started++;
        }
      else if (what == 1)
        {
          /* A sync call among the async ones. */
          g_autoptr(GormResource) post = new_post (db, "sync");

          g_assert_true (gorm_resource_save (post, NULL, NULL));
        }
      else
        {
          GormResource *post = new_post (db, "async");

          g_ptr_array_add (posts, post);
          gorm_resource_save_async (post, cancellable, stress_done_cb, &done);
          started++;
        }
      if (g_rand_int_range (rand, 0, 5) == 0)
        g_cancellable_cancel (g_ptr_array_index (cancellables, g_rand_int_range (rand, 0, cancellables->len)));
      if (g_rand_boolean (rand))
        g_main_context_iteration (NULL, FALSE);
    }
  while (done < started)
    g_main_context_iteration (NULL, TRUE);

  /* Every object saved has its row, every other has none. */
  {
    gint64 saved = 0;

    for (guint i = 0; i < posts->len; i++)
      if (gorm_resource_is_saved (g_ptr_array_index (posts, i)))
        saved++;
    g_assert_cmpint (gorm_query_count (query, NULL, NULL), ==, test_count_posts (db));
    g_assert_cmpint (saved, <=, test_count_posts (db));
  }

  g_ptr_array_set_size (posts, 0);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

/* Read-modify-write inside a transaction function. */
static gboolean
increment_views_cb (GormDatabase  *db,
                    gpointer       data,
                    GError       **error)
{
  g_autoptr(GormResource) post = gorm_database_get (db, TEST_TYPE_POST, *(gint64 *) data, NULL, error);
  int views;

  if (post == NULL || !gorm_resource_reload (post, NULL, error))
    return FALSE;
  g_object_get (post, "views", &views, NULL);
  g_object_set (post, "views", views + 1, NULL);
  return gorm_resource_save (post, NULL, error);
}

static void
count_transaction_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint *done = user_data;

  assert_main_thread_cb ();
  g_assert_true (gorm_database_run_in_transaction_finish (GORM_DATABASE (source), result, &error));
  g_assert_no_error (error);
  (*done)++;
}

/* 200 queued transactions each add one to a counter through get, reload
 * and save: none loses another's increment, whether the main thread holds
 * the object or not, and the object the main thread holds ends with the
 * stored value, not an older one queued for it. */
static void
test_read_modify_write (gconstpointer data)
{
  gboolean hold = GPOINTER_TO_INT (data);
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  GValue value = G_VALUE_INIT;
  gint64 id;
  guint done = 0;
  int views;

  test_migrate (db, TEST_TYPE_POST);
  post = g_object_new (TEST_TYPE_POST, "database", db, "title", "counter", NULL);
  test_save_ok (post);
  id = gorm_resource_get_id (post);
  if (!hold)
    g_clear_object (&post);

  for (guint i = 0; i < 200; i++)
    gorm_database_run_in_transaction_async (db, increment_views_cb, g_memdup2 (&id, sizeof id), g_free,
                                            NULL, count_transaction_cb, &done);
  while (done < 200)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  query = gorm_database_query (db, TEST_TYPE_POST);
  gorm_query_filter (query, gorm_filter_eq ("views", test_int_value (&value, 200)));
  g_value_unset (&value);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
  g_assert_no_error (error);

  loaded = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  if (hold)
    g_assert_true (loaded == post);
  g_object_get (loaded, "views", &views, NULL);
  g_assert_cmpint (views, ==, 200);
  g_assert_false (gorm_resource_is_dirty (loaded));

  g_clear_object (&loaded);
  g_clear_object (&post);
  g_clear_object (&query);
  g_assert_finalize_object (g_steal_pointer (&db));
}

typedef struct
{
  gint64 id;
  int    seen;
} Reload;

/* In the worker: reloads the object and reads what it loaded. */
static gboolean
reload_and_read_cb (GormDatabase  *db,
                    gpointer       data,
                    GError       **error)
{
  Reload *reload = data;
  g_autoptr(GormResource) post = gorm_database_get (db, TEST_TYPE_POST, reload->id, NULL, error);

  if (post == NULL || !gorm_resource_reload (post, NULL, error))
    return FALSE;
  g_object_get (post, "views", &reload->seen, NULL);
  return TRUE;
}

static void
count_views_notify_cb (GObject    *object,
                       GParamSpec *pspec,
                       guint      *count)
{
  int views;

  assert_main_thread_cb ();
  g_object_get (object, "views", &views, NULL);
  /* The notification carries the value the row has now. */
  g_assert_cmpint (views, ==, 42);
  (*count)++;
}

/* Values a transaction loads on the worker into an object the main thread
 * holds are there for the transaction at once, and notified in the main
 * context only, without making the object dirty. */
static void
test_transaction_loads (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "loaded");
  g_autoptr(GError) error = NULL;
  GValue params[1] = { G_VALUE_INIT };
  Reload reload = { 0, -1 };
  guint notified = 0;
  guint done = 0;

  test_migrate (db, TEST_TYPE_POST);
  test_save_ok (post);
  reload.id = gorm_resource_get_id (post);
  g_signal_connect (post, "notify::views", G_CALLBACK (count_views_notify_cb), &notified);
  g_value_init (&params[0], G_TYPE_INT64);
  g_value_set_int64 (&params[0], reload.id);
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_post SET views = 42 WHERE id = ?",
                                          params, 1, NULL, &error), ==, 1);
  g_value_unset (&params[0]);

  gorm_database_run_in_transaction_async (db, reload_and_read_cb, &reload, NULL, NULL,
                                          count_transaction_cb, &done);
  while (done < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (reload.seen, ==, 42);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_false (gorm_resource_is_dirty (post));

  g_signal_handlers_disconnect_by_data (post, &notified);
  g_clear_object (&post);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&db));
}

static gboolean
set_views_cb (GormDatabase  *db,
              gpointer       data,
              GError       **error)
{
  g_autoptr(GormResource) post = gorm_database_get (db, TEST_TYPE_POST, *(gint64 *) data, NULL, error);

  if (post == NULL)
    return FALSE;
  g_object_set (post, "views", 5, NULL);
  return gorm_resource_save (post, NULL, error);
}

/* A row read by an async get or first before a transaction changed it
 * reaches the main context after the transaction's values: the object
 * the main thread holds keeps the newer ones. */
static void
test_older_reads_do_not_overwrite (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  /* Not watched for the main thread: the transaction function sets a
   * property on the worker itself. */
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db, "title", "read twice", NULL);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) got = NULL;
  g_autoptr(GormResource) first = NULL;
  Call get_call = { 0 };
  Call first_call = { 0 };
  gint64 id;
  guint done = 0;
  int views;

  test_migrate (db, TEST_TYPE_POST);
  test_save_ok (post);
  id = gorm_resource_get_id (post);
  query = gorm_database_query (db, TEST_TYPE_POST);

  /* Both reads run on the worker before the transaction; the main
   * context makes their objects after it. */
  gorm_database_get_async (db, TEST_TYPE_POST, id, NULL, store_result_cb, &get_call);
  gorm_query_first_async (query, NULL, store_result_cb, &first_call);
  gorm_database_run_in_transaction_async (db, set_views_cb, &id, NULL, NULL, count_transaction_cb, &done);
  g_usleep (G_USEC_PER_SEC / 5);
  while (done < 1 || get_call.result == NULL || first_call.result == NULL)
    g_main_context_iteration (NULL, TRUE);

  got = gorm_database_get_finish (db, get_call.result, &error);
  g_assert_no_error (error);
  first = gorm_query_first_finish (query, first_call.result, &error);
  g_assert_no_error (error);
  g_assert_true (got == post);
  g_assert_true (first == post);
  g_object_get (post, "views", &views, NULL);
  g_assert_cmpint (views, ==, 5);
  g_assert_false (gorm_resource_is_dirty (post));

  call_clear (&get_call);
  call_clear (&first_call);
  g_clear_object (&got);
  g_clear_object (&first);
  g_clear_object (&post);
  g_clear_object (&query);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/Gorm/Async/open-migrate", test_open_migrate);
  g_test_add_func ("/Gorm/Async/save-get-reload-delete", test_save_get_reload_delete);
  g_test_add_func ("/Gorm/Async/query-runners", test_query_runners);
  g_test_add_func ("/Gorm/Async/transaction", test_transaction);
  g_test_add_func ("/Gorm/Async/cancellation", test_cancellation);
  g_test_add_func ("/Gorm/Async/close-in-flight", test_close_in_flight);
  g_test_add_func ("/Gorm/Async/stress", test_stress);
  g_test_add_func ("/Gorm/Async/transaction-loads", test_transaction_loads);
  g_test_add_func ("/Gorm/Async/older-reads-do-not-overwrite", test_older_reads_do_not_overwrite);
  g_test_add_data_func ("/Gorm/Async/read-modify-write", GINT_TO_POINTER (FALSE), test_read_modify_write);
  g_test_add_data_func ("/Gorm/Async/read-modify-write-held", GINT_TO_POINTER (TRUE), test_read_modify_write);

  return g_test_run ();
}
