/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-test-utils.h"
#include "gorm-connection-private.h"
#include "gorm-database-private.h"
#include "gorm-key-reader-private.h"
#include "gorm-query-private.h"
#include "polls-models.h"

/* A row of the model tests: a nullable name, so that NULLs sort too. */
TEST_DEFINE_RESOURCE (TestItem, test_item)

static void
test_item_class_init (TestItemClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("score", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_boolean ("flag", NULL, NULL, FALSE, G_PARAM_READWRITE),
    g_param_spec_double ("weight", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_indexed (GORM_RESOURCE_CLASS (klass), "score");
}

#define TEST_TYPE_ITEM (test_item_get_type ())

static GormResource *
save_item (GormDatabase *db,
           const char   *name,
           int           score,
           gboolean      flag)
{
  g_autoptr(GError) error = NULL;
  GormResource *item = g_object_new (TEST_TYPE_ITEM, "database", db, "name", name,
                                     "score", score, "flag", flag, NULL);

  g_assert_true (gorm_resource_save (item, NULL, &error));
  g_assert_no_error (error);
  return item;
}

static void
fill (GormDatabase *db,
      guint         n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("item %04u", i);

      g_object_unref (save_item (db, name, (int) (i * 7919 % 1000), i % 3 == 0));
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));
}

static GListModel *
fetch (GormQuery *query,
       gboolean   live)
{
  g_autoptr(GError) error = NULL;
  GListModel *model = live ? gorm_query_watch (query, NULL, &error)
                           : gorm_query_fetch (query, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static gint64
item_id (GListModel *model,
         guint       position)
{
  g_autoptr(GormResource) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  return gorm_resource_get_id (item);
}

/* A query of the items of @db, migrated and filled with @n_pages pages
 * of rows, whatever a page is on this engine (100 rows on SQLite, 1,000
 * on PostgreSQL, where each read is a round trip), in @page. */
static GormQuery *
fill_pages (GormDatabase *db,
            guint         n_pages,
            guint        *page)
{
  GormQuery *query;
  GListModel *model;

  test_migrate (db, TEST_TYPE_ITEM);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  model = fetch (query, FALSE);
  *page = gorm_query_model_get_page_rows (GORM_QUERY_MODEL (model));
  g_object_unref (model);
  fill (db, n_pages * *page);
  return query;
}

static void
test_fetch_pages (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(TestLog) log = NULL;
  gint64 previous = 0;
  guint page, n;

  query = fill_pages (db, 3, &page);
  n = 3 * page;
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);

  log = test_log_attach (db);
  model = fetch (query, FALSE);
  g_assert_true (GORM_IS_QUERY_MODEL (model));
  g_assert_false (gorm_query_model_is_live (GORM_QUERY_MODEL (model)));
  g_assert_true (g_list_model_get_item_type (model) == TEST_TYPE_ITEM);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  /* Opening the model counts and loads nothing. */
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);

  /* One item loads its page, and only its page. */
  g_assert_cmpint (item_id (model, 0), ==, 1);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, page);
  g_assert_cmpint (item_id (model, n - 1), ==, n);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 2 * page);
  g_assert_null (g_list_model_get_item (model, n));

  /* Reading everything keeps only the last pages alive. */
  for (guint i = 0; i < n; i++)
    {
      gint64 id = item_id (model, i);

      g_assert_cmpint (id, >, previous);
      previous = id;
    }
  g_assert_cmpuint (gorm_database_get_n_live (db), <=, 32 * page);

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A snapshot of at most the models' whole-read rows is one statement
 * without a count(*): its objects are built at once and kept, whatever
 * its size in pages; its limit and offset are the statement's. */
static void
test_fetch_whole (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) held = NULL;
  guint page, n;

  query = fill_pages (db, 3, &page);
  n = 3 * page;
  gorm_query_model_set_whole_max_rows (n);
  held = gorm_database_get (db, TEST_TYPE_ITEM, 2 * page, NULL, &error);
  g_assert_no_error (error);

  log = test_log_attach (db);
  model = fetch (query, FALSE);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpuint (test_log_count (log, "SELECT count(*)"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (item_id (model, i), ==, i + 1);
  g_assert_null (g_list_model_get_item (model, n));
  g_assert_true (gorm_query_model_check_item (GORM_QUERY_MODEL (model), n - 1, NULL));
  g_assert_false (gorm_query_model_check_item (GORM_QUERY_MODEL (model), n, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    /* The identity map gives the live object of a row. */
    g_autoptr(GormResource) item = g_list_model_get_item (model, 2 * page - 1);

    g_assert_true (item == held);
  }
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 1);

  /* A window: offset and limit in the one statement. */
  test_log_clear (log);
  gorm_query_offset (gorm_query_limit (query, 2 * page), page / 2);
  model = fetch (query, FALSE);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2 * page);
  g_assert_cmpint (item_id (model, 0), ==, page / 2 + 1);
  g_assert_cmpint (item_id (model, 2 * page - 1), ==, page / 2 + 2 * page);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_clear_object (&model);

  /* A limit past the rows: the rows there are. */
  test_log_clear (log);
  gorm_query_offset (gorm_query_limit (query, n), 2 * page);
  model = fetch (query, FALSE);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, page);
  g_assert_cmpint (item_id (model, page - 1), ==, n);
  g_clear_object (&model);

  /* An empty window. */
  gorm_query_offset (gorm_query_limit (query, 0), 0);
  test_log_clear (log);
  model = fetch (query, FALSE);
  g_assert_cmpuint (log->statements->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_null (g_list_model_get_item (model, 0));
  g_clear_object (&model);

  gorm_query_model_set_whole_max_rows (0);
  gorm_database_set_trace_func (db, NULL, NULL);
  g_clear_object (&held);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A snapshot larger than the whole-read rows reads them and one more,
 * keeps the first page of them, then counts and pages as any model; a
 * failure of either statement fails the fetch and keeps nothing. */
static void
test_fetch_larger_than_whole (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 previous = 0;
  guint page, n;

  query = fill_pages (db, 3, &page);
  n = 3 * page;
  gorm_query_model_set_whole_max_rows (2 * page);

  log = test_log_attach (db);
  model = fetch (query, FALSE);
  g_assert_cmpuint (log->statements->len, ==, 2);
  g_assert_cmpuint (test_log_count (log, "SELECT count(*)"), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, page);
  g_assert_cmpint (item_id (model, page - 1), ==, page);
  g_assert_cmpuint (log->statements->len, ==, 2);
  g_assert_cmpint (item_id (model, n - 1), ==, n);
  g_assert_cmpuint (log->statements->len, ==, 3);
  for (guint i = 0; i < n; i++)
    {
      gint64 id = item_id (model, i);

      g_assert_cmpint (id, >, previous);
      previous = id;
    }
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);

  /* Either statement failing fails the fetch. */
  gorm_connection_inject_fault (gorm_database_get_execution (db), "SELECT", GORM_ERROR_FAILED);
  g_assert_null (gorm_query_fetch (query, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);
  gorm_connection_inject_fault (gorm_database_get_execution (db), "SELECT count(*)",
                                GORM_ERROR_FAILED);
  g_assert_null (gorm_query_fetch (query, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);

  /* A whole snapshot too. */
  gorm_query_model_set_whole_max_rows (-1);
  gorm_connection_inject_fault (gorm_database_get_execution (db), "SELECT", GORM_ERROR_FAILED);
  g_assert_null (gorm_query_fetch (query, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  model = fetch (query, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  g_clear_object (&model);

  gorm_query_model_set_whole_max_rows (0);
  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Random access gives the same items as reading in order, in every kind of
 * order (the model loads far pages from anchors it saw). */
static void
test_random_access (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const struct { const char *first; gboolean first_desc; const char *second; gboolean second_desc; } orders[] = {
    { "score", FALSE, NULL, FALSE },
    { "score", TRUE, "name", TRUE },
    { "flag", FALSE, "score", TRUE },
    { "name", FALSE, NULL, FALSE },
  };

  test_migrate (db, TEST_TYPE_ITEM);
  fill (db, 2000);
  /* NULL names sort first. */
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_item SET name = NULL WHERE score < 100",
                                          NULL, 0, NULL, NULL), >, 0);

  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    {
      g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
      g_autoptr(GListModel) sequential = NULL;
      g_autoptr(GListModel) random = NULL;
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

      gorm_query_order_by (query, orders[o].first, orders[o].first_desc);
      if (orders[o].second != NULL)
        gorm_query_order_by (query, orders[o].second, orders[o].second_desc);
      gorm_query_offset (query, 7);
      sequential = fetch (query, FALSE);
      random = fetch (query, FALSE);
      g_assert_cmpuint (g_list_model_get_n_items (sequential), ==, 1993);
      for (guint i = 0; i < 1993; i++)
        {
          gint64 id = item_id (sequential, i);

          g_array_append_val (ids, id);
        }
      for (guint n = 0; n < 500; n++)
        {
          guint i = g_rand_int_range (rand, 0, 1993);

          g_assert_cmpint (item_id (random, i), ==, g_array_index (ids, gint64, i));
        }
    }

  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_identity (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) saved = NULL;
  g_autoptr(GormResource) got = NULL;
  g_autoptr(GormResource) again = NULL;
  g_autoptr(GormResource) first = NULL;
  g_autoptr(GormResource) listed = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  test_migrate (db, TEST_TYPE_ITEM);
  saved = save_item (db, "one", 1, FALSE);
  id = gorm_resource_get_id (saved);

  /* While an object is alive, every load of its row gives it back. */
  got = gorm_database_get (db, TEST_TYPE_ITEM, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (got == saved);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  first = gorm_query_first (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (first == saved);
  model = fetch (query, FALSE);
  listed = g_list_model_get_item (model, 0);
  g_assert_true (listed == saved);
  g_clear_object (&got);
  g_clear_object (&first);
  g_clear_object (&listed);
  g_clear_object (&model);

  /* The map holds objects weakly: a dropped one is finalized and gone. */
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&saved));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  got = gorm_database_get (db, TEST_TYPE_ITEM, id, NULL, &error);
  g_assert_no_error (error);
  again = gorm_database_get (db, TEST_TYPE_ITEM, id, NULL, &error);
  g_assert_true (got == again);
  g_clear_object (&again);

  /* A deleted object leaves the map; a new row is a new object. */
  g_assert_true (gorm_resource_delete (got, NULL, &error));
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  g_assert_null (gorm_database_get (db, TEST_TYPE_ITEM, id, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);

  g_assert_finalize_object (g_steal_pointer (&got));
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_identity_keeps_unsaved_changes (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) item = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  GValue params[2] = { G_VALUE_INIT, G_VALUE_INIT };
  int score;

  test_migrate (db, TEST_TYPE_ITEM);
  item = save_item (db, "stored", 1, FALSE);

  /* The application changes the name; someone else changes the row. */
  g_object_set (item, "name", "unsaved", NULL);
  g_value_init (&params[0], G_TYPE_STRING);
  g_value_set_string (&params[0], "theirs");
  g_value_init (&params[1], G_TYPE_INT64);
  g_value_set_int64 (&params[1], gorm_resource_get_id (item));
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_item SET name = ?, score = 99 WHERE id = ?",
                                          params, 2, NULL, &error), ==, 1);

  /* Loading the row again keeps the unsaved name and takes the rest. */
  loaded = gorm_database_get (db, TEST_TYPE_ITEM, gorm_resource_get_id (item), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == item);
  g_object_get (item, "name", &name, "score", &score, NULL);
  g_assert_cmpstr (name, ==, "unsaved");
  g_assert_cmpint (score, ==, 99);
  g_assert_true (gorm_resource_is_dirty (item));

  g_value_unset (&params[0]);
  g_value_unset (&params[1]);
  g_clear_object (&loaded);
  g_assert_finalize_object (g_steal_pointer (&item));
  g_assert_finalize_object (g_steal_pointer (&db));
}

#define ROLLED_BACK "rolled back"

/* A plain list that replays a model's items-changed, of ids. */
typedef struct
{
  GListModel *model;
  GArray     *ids;
  guint       emissions;
  GThread    *main_thread;
} Shadow;

static void
shadow_items_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Shadow     *shadow)
{
  g_assert_true (g_thread_self () == shadow->main_thread);
  g_assert_cmpuint (position + removed, <=, shadow->ids->len);
  g_array_remove_range (shadow->ids, position, removed);
  for (guint i = 0; i < added; i++)
    {
      gint64 id = item_id (model, position + i);

      g_array_insert_val (shadow->ids, position + i, id);
    }
  g_assert_cmpuint (shadow->ids->len, ==, g_list_model_get_n_items (model));
  shadow->emissions++;
}

static Shadow *
shadow_new (GListModel *model)
{
  Shadow *shadow = g_new0 (Shadow, 1);

  shadow->model = g_object_ref (model);
  shadow->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  shadow->main_thread = g_thread_self ();
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      gint64 id = item_id (model, i);

      g_array_append_val (shadow->ids, id);
    }
  g_signal_connect (model, "items-changed", G_CALLBACK (shadow_items_changed_cb), shadow);
  return shadow;
}

static GArray *fetch_ids (GormQuery *query);

/* A shadow of @model whose items are @ids (taken), not read from it. */
static Shadow *
shadow_new_with_ids (GListModel *model,
                     GArray     *ids)
{
  Shadow *shadow = g_new0 (Shadow, 1);

  g_assert_cmpuint (ids->len, ==, g_list_model_get_n_items (model));
  shadow->model = g_object_ref (model);
  shadow->ids = ids;
  shadow->main_thread = g_thread_self ();
  g_signal_connect (model, "items-changed", G_CALLBACK (shadow_items_changed_cb), shadow);
  return shadow;
}

static void
shadow_free (Shadow *shadow)
{
  g_signal_handlers_disconnect_by_data (shadow->model, shadow);
  g_object_unref (shadow->model);
  g_array_unref (shadow->ids);
  g_free (shadow);
}

/* Runs what the main context has to run: the change feed delivers from
 * an idle source. */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Before the changes reach it, a live model still shows what its signals
 * said, whatever the database holds now: every item is there, of the
 * model's type, the rows still stored are the same objects, and a deleted
 * row's object is no longer saved. */
static void
assert_shows_delivered (Shadow *shadow,
                        guint   step)
{
  guint n = g_list_model_get_n_items (shadow->model);

  g_assert_cmpuint (shadow->ids->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GormResource) live = g_list_model_get_item (shadow->model, i);

      if (live == NULL)
        g_error ("step %u: item %u of %u is missing before the delivery", step, i, n);
      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (live, TEST_TYPE_ITEM));
      if (gorm_resource_is_saved (live) && gorm_resource_get_id (live) != g_array_index (shadow->ids, gint64, i))
        g_error ("step %u, item %u: %" G_GINT64_FORMAT " shown where %" G_GINT64_FORMAT " was",
                 step, i, gorm_resource_get_id (live), g_array_index (shadow->ids, gint64, i));
    }
}

/* The live model equals a fresh fetch of its query, item by item, and so
 * does the list its signals built. */
static void
assert_matches_model (GListModel *fresh,
                      const char *what,
                      Shadow     *shadow,
                      guint       step)
{
  guint n = g_list_model_get_n_items (fresh);

  if (g_list_model_get_n_items (shadow->model) != n)
    g_error ("step %u: the live model has %u items, %s %u", step,
             g_list_model_get_n_items (shadow->model), what, n);
  g_assert_cmpuint (shadow->ids->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GormResource) expected = g_list_model_get_item (fresh, i);
      g_autoptr(GormResource) live = g_list_model_get_item (shadow->model, i);

      if (live != expected || g_array_index (shadow->ids, gint64, i) != gorm_resource_get_id (expected))
        g_error ("step %u, item %u: live %" G_GINT64_FORMAT ", replayed %" G_GINT64_FORMAT
                 ", %s %" G_GINT64_FORMAT, step, i, gorm_resource_get_id (live),
                 g_array_index (shadow->ids, gint64, i), what, gorm_resource_get_id (expected));
    }
}

static void
assert_matches_fetch (GormQuery *query,
                      Shadow    *shadow,
                      guint      step)
{
  g_autoptr(GListModel) fresh = fetch (query, FALSE);

  assert_matches_model (fresh, "a fetch", shadow, step);
}

static GormQuery *
watched_query (GormDatabase *db,
               guint         which)
{
  GormQuery *query = gorm_database_query (db, TEST_TYPE_ITEM);
  GValue value = G_VALUE_INIT;

  switch (which)
    {
    case 0:
      break;
    case 1:
      gorm_query_filter (query, gorm_filter_gt ("score", test_int_value (&value, 500)));
      gorm_query_order_by (query, "score", TRUE);
      break;
    case 2:
      g_value_init (&value, G_TYPE_BOOLEAN);
      g_value_set_boolean (&value, TRUE);
      gorm_query_filter (query, gorm_filter_eq ("flag", &value));
      gorm_query_order_by (query, "name", FALSE);
      gorm_query_order_by (query, "score", TRUE);
      gorm_query_limit (query, 20);
      gorm_query_offset (query, 5);
      break;
    case 3:
      gorm_query_order_by (query, "name", TRUE);
      gorm_query_limit (query, 10);
      break;
    default:
      g_assert_not_reached ();
    }
  if (G_IS_VALUE (&value))
    g_value_unset (&value);
  return query;
}

#define N_WATCHED 4

typedef enum {
  STEP_INSERT,
  STEP_UPDATE,
  STEP_UPDATE_UNWATCHED,
  STEP_DELETE,
  STEP_BULK_UPDATE,
  STEP_BULK_DELETE,
  STEP_ROLLBACK,
  N_STEPS,
} StepKind;

static char *
random_name (GRand *rand)
{
  /* Some NULL names, and repeated ones, to sort ties by the key. */
  if (g_rand_int_range (rand, 0, 8) == 0)
    return NULL;
  return g_strdup_printf ("name %02d", g_rand_int_range (rand, 0, 60));
}

static gint64
random_id (GormDatabase *db,
           GRand        *rand)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
  gint64 n = gorm_query_count (query, NULL, NULL);
  g_autoptr(GListModel) all = NULL;

  if (n <= 0)
    return 0;
  all = fetch (query, FALSE);
  return item_id (all, g_rand_int_range (rand, 0, (gint32) n));
}

/* Runs a step of @kind, or an insert when the table is empty; returns
 * the kind it ran. */
static StepKind
run_step (GormDatabase *db,
          GRand        *rand,
          StepKind      kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) item = NULL;
  g_autofree char *name = random_name (rand);
  gint64 id = kind == STEP_INSERT ? 0 : random_id (db, rand);
  GValue value = G_VALUE_INIT;

  if (kind != STEP_INSERT && id == 0)
    kind = STEP_INSERT;
  if (id != 0)
    {
      item = gorm_database_get (db, TEST_TYPE_ITEM, id, NULL, &error);
      g_assert_no_error (error);
    }

  switch (kind)
    {
    case STEP_INSERT:
      g_object_unref (save_item (db, name, g_rand_int_range (rand, 0, 1000), g_rand_boolean (rand)));
      break;
    case STEP_UPDATE:
      if (g_rand_boolean (rand))
        g_object_set (item, "score", g_rand_int_range (rand, 0, 1000), NULL);
      if (g_rand_boolean (rand))
        g_object_set (item, "name", name, NULL);
      if (g_rand_boolean (rand))
        g_object_set (item, "flag", g_rand_boolean (rand), NULL);
      g_assert_true (gorm_resource_save (item, NULL, &error));
      break;
    case STEP_UPDATE_UNWATCHED:
      g_object_set (item, "weight", g_rand_double (rand), NULL);
      g_assert_true (gorm_resource_save (item, NULL, &error));
      break;
    case STEP_DELETE:
      g_assert_true (gorm_resource_delete (item, NULL, &error));
      break;
    case STEP_BULK_UPDATE:
      {
        g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
        int low = g_rand_int_range (rand, 0, 1000);
        g_auto(GValue) high = G_VALUE_INIT;

        gorm_query_filter (query, gorm_filter_between ("score", test_int_value (&value, low),
                                                       test_int_value (&high, low + 40)));
        g_value_unset (&value);
        g_assert_cmpint (gorm_query_update (query, "score", test_int_value (&value, g_rand_int_range (rand, 0, 1000)),
                                            NULL, &error), >=, 0);
      }
      break;
    case STEP_BULK_DELETE:
      {
        g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);

        gorm_query_filter (query, gorm_filter_lt ("score", test_int_value (&value, g_rand_int_range (rand, 0, 1000))));
        gorm_query_order_by (query, "name", FALSE);
        gorm_query_limit (query, 3);
        g_assert_cmpint (gorm_query_delete (query, NULL, &error), >=, 0);
      }
      break;
    case STEP_ROLLBACK:
      g_assert_true (gorm_database_begin (db, NULL, &error));
      g_object_unref (save_item (db, name, g_rand_int_range (rand, 0, 1000), TRUE));
      g_object_set (item, "score", g_rand_int_range (rand, 0, 1000), NULL);
      g_assert_true (gorm_resource_save (item, NULL, &error));
      g_assert_true (gorm_database_rollback (db, NULL, &error));
      /* The object keeps the value the rolled back save gave it. */
      g_assert_true (gorm_resource_reload (item, NULL, &error));
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  if (G_IS_VALUE (&value))
    g_value_unset (&value);
  return kind;
}

static void
test_live_randomized (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  GormQuery *queries[N_WATCHED];
  GListModel *models[N_WATCHED];
  Shadow *shadows[N_WATCHED];
  guint n_steps = g_test_slow () ? 5000 : 1200 / TEST_SANITIZED_DIVISOR;

  test_migrate (db, TEST_TYPE_ITEM);
  for (guint i = 0; i < 300; i++)
    run_step (db, rand, STEP_INSERT);

  for (guint w = 0; w < N_WATCHED; w++)
    {
      queries[w] = watched_query (db, w);
      models[w] = fetch (queries[w], TRUE);
      g_assert_true (gorm_query_model_is_live (GORM_QUERY_MODEL (models[w])));
      shadows[w] = shadow_new (models[w]);
    }

  for (guint step = 0; step < n_steps; step++)
    {
      /* Inserts twice as often as the rest, so the table does not empty. */
      gint drawn = g_rand_int_range (rand, -1, N_STEPS);
      StepKind kind = MAX (drawn, 0);
      guint emissions[N_WATCHED];

      for (guint w = 0; w < N_WATCHED; w++)
        emissions[w] = shadows[w]->emissions;
      kind = run_step (db, rand, kind);
      /* Nothing is emitted from inside the write: the feed delivers
       * later, from the main loop. */
      for (guint w = 0; w < N_WATCHED; w++)
        {
          g_assert_cmpuint (shadows[w]->emissions, ==, emissions[w]);
          assert_shows_delivered (shadows[w], step);
        }
      drain ();
      for (guint w = 0; w < N_WATCHED; w++)
        {
          assert_matches_fetch (queries[w], shadows[w], step);
          /* A change no model shows emits nothing. */
          if (kind == STEP_UPDATE_UNWATCHED && shadows[w]->emissions != emissions[w])
            g_error ("step %u: model %u emitted for a change it does not show", step, w);
        }
    }

  for (guint w = 0; w < N_WATCHED; w++)
    {
      shadow_free (shadows[w]);
      g_assert_finalize_object (models[w]);
      g_assert_finalize_object (queries[w]);
    }
  g_assert_finalize_object (g_steal_pointer (&db));
}

typedef struct
{
  GormDatabase *db;
} SaveJob;

static gpointer
save_in_thread (gpointer data)
{
  SaveJob *job = data;

  g_object_unref (save_item (job->db, "from a thread", 5, TRUE));
  return NULL;
}

static void
test_live_main_context (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  Shadow *shadow;
  SaveJob job = { db };

  test_migrate (db, TEST_TYPE_ITEM);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  model = fetch (query, TRUE);
  shadow = shadow_new (model);

  /* A change made in another thread is emitted in the main context (the
   * handler asserts the thread). */
  g_thread_join (g_thread_new ("saver", save_in_thread, &job));
  g_assert_cmpuint (shadow->emissions, ==, 0);
  while (shadow->emissions == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_cmpuint (shadow->ids->len, ==, 1);

  shadow_free (shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  /* The rest of what the thread queued for the main context, which holds
   * the object saved until it ran. */
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_live_window (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  Shadow *shadow;

  test_migrate (db, TEST_TYPE_ITEM);
  for (int i = 0; i < 10; i++)
    g_object_unref (save_item (db, "x", i * 10, FALSE));
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  gorm_query_order_by (query, "score", FALSE);
  gorm_query_offset (query, 2);
  gorm_query_limit (query, 3);
  model = fetch (query, TRUE);
  shadow = shadow_new (model);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  /* Before the window: everything shifts by one. */
  g_object_unref (save_item (db, "x", -1, FALSE));
  g_assert_cmpuint (shadow->emissions, ==, 0);
  drain ();
  g_assert_cmpuint (shadow->emissions, ==, 1);
  assert_matches_fetch (query, shadow, 0);
  /* After the window: nothing. */
  g_object_unref (save_item (db, "x", 1000, FALSE));
  drain ();
  g_assert_cmpuint (shadow->emissions, ==, 1);
  assert_matches_fetch (query, shadow, 1);

  shadow_free (shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static gboolean
save_two_and_fail_cb (GormDatabase  *db,
                      gpointer       data,
                      GError       **error)
{
  g_object_unref (save_item (db, ROLLED_BACK, 1, TRUE));
  g_object_unref (save_item (db, ROLLED_BACK, 2, TRUE));
  g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION, "rolled back on purpose");
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

typedef struct
{
  guint depth;
  guint emissions;
  GormDatabase *db;
} Reentry;

/* A handler that writes: what it writes is delivered later, never from
 * inside this emission. */
static void
reentry_items_changed_cb (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          Reentry    *reentry)
{
  g_assert_cmpuint (reentry->depth, ==, 0);
  reentry->depth++;
  reentry->emissions++;
  if (reentry->emissions == 1)
    g_object_unref (save_item (reentry->db, "from a handler", 3, TRUE));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_object_unref (g_list_model_get_item (model, i));
  reentry->depth--;
}

/* Live models are given committed changes only: a rolled-back transaction
 * (sync or async) and a rolled-back savepoint give nothing. */
static void
test_live_transactions (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) async_error = NULL;
  g_autoptr(GormResource) kept = NULL;
  Shadow *shadow;
  Reentry reentry = { 0, 0, db };

  test_migrate (db, TEST_TYPE_ITEM);
  fill (db, 5);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  gorm_query_order_by (query, "score", FALSE);
  model = fetch (query, TRUE);
  shadow = shadow_new (model);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 5);

  /* An async transaction whose function fails. */
  gorm_database_run_in_transaction_async (db, save_two_and_fail_cb, NULL, NULL, NULL,
                                          transaction_done_cb, &async_error);
  while (async_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (async_error, GORM_ERROR, GORM_ERROR_VALIDATION);
  drain ();
  g_assert_cmpuint (shadow->emissions, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 5);
  assert_matches_fetch (query, shadow, 0);

  /* A sync transaction rolled back, read from inside it: the model shows
   * what it showed, never the transaction's rows. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_unref (save_item (db, ROLLED_BACK, -1, TRUE));
  assert_shows_delivered (shadow, 1);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  drain ();
  g_assert_cmpuint (shadow->emissions, ==, 0);
  assert_matches_fetch (query, shadow, 1);

  /* A savepoint rolled back inside a committed transaction: only what
   * the savepoint did goes. Nothing is emitted before the COMMIT. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  kept = save_item (db, "kept", -2, TRUE);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_unref (save_item (db, ROLLED_BACK, -3, TRUE));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  drain ();
  g_assert_cmpuint (shadow->emissions, ==, 0);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_cmpuint (shadow->emissions, ==, 0);
  drain ();
  g_assert_cmpuint (shadow->emissions, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);
  g_assert_cmpint (item_id (model, 0), ==, gorm_resource_get_id (kept));
  assert_matches_fetch (query, shadow, 2);

  /* A handler that writes is not re-entered. */
  g_signal_connect (model, "items-changed", G_CALLBACK (reentry_items_changed_cb), &reentry);
  g_object_unref (save_item (db, "first", 100, TRUE));
  drain ();
  g_assert_cmpuint (reentry.emissions, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 8);
  assert_matches_fetch (query, shadow, 3);
  g_signal_handlers_disconnect_by_data (model, &reentry);

  shadow_free (shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_clear_object (&kept);
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A COMMIT that fails (the disk is full) ends the transaction: a live
 * model is given nothing of it, and follows the next write. */
static void
test_live_failed_commit (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  Shadow *shadow;

  test_migrate (db, TEST_TYPE_ITEM);
  fill (db, 3);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  model = fetch (query, TRUE);
  shadow = shadow_new (model);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_unref (save_item (db, ROLLED_BACK, 1, TRUE));
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_unref (save_item (db, ROLLED_BACK, 2, TRUE));
  g_assert_true (gorm_database_commit (db, NULL, &error));
  gorm_connection_inject_fault (gorm_database_get_execution (db), "COMMIT", GORM_ERROR_FULL);
  g_assert_false (gorm_database_commit (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  drain ();
  g_assert_cmpuint (shadow->emissions, ==, 0);
  assert_matches_fetch (query, shadow, 0);

  g_object_unref (save_item (db, "after", 3, TRUE));
  drain ();
  g_assert_cmpuint (shadow->emissions, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  assert_matches_fetch (query, shadow, 1);

  shadow_free (shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
store_async_result_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GAsyncResult **stored = user_data;

  *stored = g_object_ref (result);
}

static GAsyncResult *
wait_async (GAsyncResult **stored)
{
  while (*stored == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *stored;
}

/* A transaction begun with begin_async() belongs to the main thread: a
 * live model is given its changes at commit_async(), and nothing of one
 * rolled back with rollback_async(). */
static void
test_live_async_begin (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  Shadow *shadow;

  test_migrate (db, TEST_TYPE_ITEM);
  fill (db, 3);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  model = fetch (query, TRUE);
  shadow = shadow_new (model);

  for (guint round = 0; round < 2; round++)
    {
      gboolean commit = round == 1;

      gorm_database_begin_async (db, NULL, store_async_result_cb, &result);
      g_assert_true (gorm_database_begin_finish (db, wait_async (&result), &error));
      g_assert_no_error (error);
      g_clear_object (&result);
      g_object_unref (save_item (db, commit ? "committed" : ROLLED_BACK, 1, TRUE));
      drain ();
      g_assert_cmpuint (shadow->emissions, ==, 0);
      assert_shows_delivered (shadow, round);
      if (commit)
        {
          gorm_database_commit_async (db, NULL, store_async_result_cb, &result);
          g_assert_true (gorm_database_commit_finish (db, wait_async (&result), &error));
        }
      else
        {
          gorm_database_rollback_async (db, NULL, store_async_result_cb, &result);
          g_assert_true (gorm_database_rollback_finish (db, wait_async (&result), &error));
        }
      g_assert_no_error (error);
      g_clear_object (&result);
      drain ();
      g_assert_cmpuint (shadow->emissions, ==, commit ? 1 : 0);
      assert_matches_fetch (query, shadow, round);
    }
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);

  shadow_free (shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The stress test: a watched model read by the main loop while a stream
 * of asynchronous writes, some in transactions that roll back, runs on
 * the worker. */
#define STRESS_WRITES (2000 / TEST_SANITIZED_DIVISOR)
#define STRESS_IN_FLIGHT 16

typedef struct
{
  GormDatabase *db;
  GRand        *rand;
  GListModel   *model;
  Shadow       *shadow;
  GPtrArray    *items;      /* the objects the test may update or delete */
  guint         started;
  guint         finished;
  guint         in_flight;
  gboolean      reading;
  guint         scans;
  guint         rolled_back;
} Stress;

/* Reads every item: each is there, of the model's type, and none is a row
 * of a transaction that rolled back. Nothing may be emitted meanwhile. */
static void
stress_scan (Stress *stress)
{
  guint n = g_list_model_get_n_items (stress->model);

  g_assert_false (stress->reading);
  stress->reading = TRUE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (stress->model, i);
      g_autofree char *name = NULL;

      if (item == NULL)
        g_error ("scan %u: item %u of %u is NULL", stress->scans, i, n);
      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (item, TEST_TYPE_ITEM));
      g_object_get (item, "name", &name, NULL);
      if (g_strcmp0 (name, ROLLED_BACK) == 0)
        g_error ("scan %u: item %u is a row that was rolled back", stress->scans, i);
    }
  g_assert_cmpuint (g_list_model_get_n_items (stress->model), ==, n);
  stress->reading = FALSE;
  stress->scans++;
}

static void
stress_items_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Stress     *stress)
{
  /* Never from inside a read of the model. */
  g_assert_false (stress->reading);
  stress_scan (stress);
}

static gboolean
stress_scan_cb (gpointer data)
{
  stress_scan (data);
  return G_SOURCE_CONTINUE;
}

static void stress_next (Stress *stress);

static void
stress_done (Stress *stress)
{
  stress->finished++;
  stress->in_flight--;
  stress_next (stress);
}

static void
stress_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_resource_save_finish (GORM_RESOURCE (source), result, &error));
  g_assert_no_error (error);
  stress_done (user_data);
}

static void
stress_deleted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_resource_delete_finish (GORM_RESOURCE (source), result, &error));
  g_assert_no_error (error);
  stress_done (user_data);
}

static void
stress_updated_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gorm_query_update_finish (GORM_QUERY (source), result, &error), >=, 0);
  g_assert_no_error (error);
  stress_done (user_data);
}

typedef struct
{
  Stress  *stress;
  gboolean fail;
  int      score;
} StressTransaction;

/* In the worker: saves three rows, and fails after them when asked to. */
static gboolean
stress_transaction_cb (GormDatabase  *db,
                       gpointer       data,
                       GError       **error)
{
  StressTransaction *transaction = data;

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GormResource) item = g_object_new (TEST_TYPE_ITEM, "database", db,
                                                   "name", transaction->fail ? ROLLED_BACK : "committed",
                                                   "score", transaction->score + i, NULL);

      if (!gorm_resource_save (item, NULL, error))
        return FALSE;
    }
  if (transaction->fail)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "rolled back on purpose");
      return FALSE;
    }
  return TRUE;
}

static void
stress_transaction_done_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  StressTransaction *transaction = user_data;
  gboolean ok = gorm_database_run_in_transaction_finish (GORM_DATABASE (source), result, &error);

  if (transaction->fail)
    {
      g_assert_false (ok);
      g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
      transaction->stress->rolled_back++;
    }
  else
    g_assert_no_error (error);
  stress_done (transaction->stress);
}

static void
stress_start_one (Stress *stress)
{
  guint kind = g_rand_int_range (stress->rand, 0, 100);
  GormResource *item = stress->items->len > 0
    ? g_ptr_array_index (stress->items, g_rand_int_range (stress->rand, 0, stress->items->len)) : NULL;

  stress->started++;
  stress->in_flight++;
  if (kind < 35 || item == NULL)
    {
      g_autofree char *name = g_strdup_printf ("item %u", stress->started);
      GormResource *added = g_object_new (TEST_TYPE_ITEM, "database", stress->db, "name", name,
                                          "score", g_rand_int_range (stress->rand, 0, 1000), NULL);

      g_ptr_array_add (stress->items, added);
      gorm_resource_save_async (added, NULL, stress_saved_cb, stress);
    }
  else if (kind < 55)
    {
      /* Only saved objects: an update of one whose insert is still
       * queued would be written as an insert. */
      if (!gorm_resource_is_saved (item))
        {
          stress->started--;
          stress->in_flight--;
          return;
        }
      g_object_set (item, "score", g_rand_int_range (stress->rand, 0, 1000), NULL);
      gorm_resource_save_async (item, NULL, stress_saved_cb, stress);
    }
  else if (kind < 65)
    {
      if (!gorm_resource_is_saved (item))
        {
          stress->started--;
          stress->in_flight--;
          return;
        }
      g_object_ref (item);
      g_ptr_array_remove_fast (stress->items, item);
      gorm_resource_delete_async (item, NULL, stress_deleted_cb, stress);
      g_object_unref (item);
    }
  else if (kind < 75)
    {
      g_autoptr(GormQuery) query = gorm_database_query (stress->db, TEST_TYPE_ITEM);
      int low = g_rand_int_range (stress->rand, 0, 1000);
      g_auto(GValue) from = G_VALUE_INIT;
      g_auto(GValue) to = G_VALUE_INIT;
      g_auto(GValue) score = G_VALUE_INIT;

      gorm_query_filter (query, gorm_filter_between ("score", test_int_value (&from, low),
                                                     test_int_value (&to, low + 30)));
      gorm_query_update_async (query, "score", test_int_value (&score, g_rand_int_range (stress->rand, 0, 1000)),
                               NULL, stress_updated_cb, stress);
    }
  else
    {
      StressTransaction *transaction = g_new0 (StressTransaction, 1);

      transaction->stress = stress;
      transaction->fail = kind >= 88;
      transaction->score = g_rand_int_range (stress->rand, 0, 1000);
      gorm_database_run_in_transaction_async (stress->db, stress_transaction_cb, transaction, NULL,
                                              NULL, stress_transaction_done_cb, transaction);
      /* Freed by the test: the callback reads it after the function. */
      g_autofree char *key = g_strdup_printf ("t%u", stress->started);

      g_object_set_data_full (G_OBJECT (stress->model), key, transaction, g_free);
    }
}

static void
stress_next (Stress *stress)
{
  while (stress->started < STRESS_WRITES && stress->in_flight < STRESS_IN_FLIGHT)
    stress_start_one (stress);
}

static void
test_live_stress (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_auto(GValue) limit = G_VALUE_INIT;
  Stress stress = { 0 };
  guint source;

  test_migrate (db, TEST_TYPE_ITEM);
  fill (db, 200);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  gorm_query_filter (query, gorm_filter_lt ("score", test_int_value (&limit, 700)));
  gorm_query_order_by (query, "score", TRUE);
  gorm_query_order_by (query, "name", FALSE);

  stress.db = db;
  stress.rand = rand;
  stress.items = g_ptr_array_new_with_free_func (g_object_unref);
  stress.model = fetch (query, TRUE);
  stress.shadow = shadow_new (stress.model);
  g_signal_connect (stress.model, "items-changed", G_CALLBACK (stress_items_changed_cb), &stress);
  source = g_timeout_add_full (G_PRIORITY_LOW, 2, stress_scan_cb, &stress, NULL);

  stress_next (&stress);
  while (stress.finished < stress.started || stress.started < STRESS_WRITES)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source);
  drain ();

  g_test_message ("%u writes, %u transactions rolled back, %u scans, %u items-changed",
                  stress.finished, stress.rolled_back, stress.scans, stress.shadow->emissions);
  g_assert_cmpuint (stress.rolled_back, >, 0);
  g_assert_cmpuint (stress.shadow->emissions, >, 0);
  stress_scan (&stress);
  assert_matches_fetch (query, stress.shadow, STRESS_WRITES);

  g_signal_handlers_disconnect_by_data (stress.model, &stress);
  shadow_free (stress.shadow);
  g_ptr_array_unref (stress.items);
  g_assert_finalize_object (stress.model);
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The key index (gorm-query-model.c): a model that prepared it loads its
 * pages by key. The threshold is forced down to a few thousand rows, on
 * a file (an in-memory database has no second connection). */

#define KEYED_ROWS 3000

static gboolean
touch_cb (gpointer data)
{
  g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (data), 0);

  g_object_set_data (G_OBJECT (data), "touched", GINT_TO_POINTER (1));
  return G_SOURCE_REMOVE;
}

/* Asks for an item from a running main loop, as a list view does: a
 * large model starts preparing its key index. */
static void
touch_in_loop (GListModel *model)
{
  g_object_set_data (G_OBJECT (model), "touched", NULL);
  g_idle_add (touch_cb, model);
  while (g_object_get_data (G_OBJECT (model), "touched") == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* The same, the first page loaded before outside a main loop: the
 * preparation then runs in the background, where an unloaded first page
 * of an order an SQLite reader sorts itself waits for the keys (see
 * key-index-first-page-waits). */
static void
touch_loaded_in_loop (GListModel *model)
{
  g_autoptr(GObject) item = g_list_model_get_item (model, 0);

  g_assert_nonnull (item);
  g_assert_false (gorm_query_model_is_preparing (GORM_QUERY_MODEL (model)));
  touch_in_loop (model);
}

static void
wait_for_key_index (GListModel *model)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_assert_true (gorm_query_model_is_preparing (GORM_QUERY_MODEL (model)));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* A model made as one of KEYED_ROWS rows would be made of a million:
 * large enough for its key index. */
static GListModel *
fetch_large (GormQuery *query,
             gboolean   live)
{
  GListModel *model;

  gorm_query_model_set_key_index_min_rows (100);
  model = fetch (query, live);
  gorm_query_model_set_key_index_min_rows (-1);
  return model;
}

static GListModel *
fetch_keyed (GormQuery *query,
             gboolean   live)
{
  GListModel *model = fetch_large (query, live);

  g_assert_false (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
  touch_in_loop (model);
  wait_for_key_index (model);
  return model;
}

static GListModel *
fetch_plain (GormQuery *query)
{
  GListModel *model;

  gorm_query_model_set_key_index_min_rows (0);
  model = fetch (query, FALSE);
  gorm_query_model_set_key_index_min_rows (-1);
  touch_in_loop (model);
  g_assert_false (gorm_query_model_is_preparing (GORM_QUERY_MODEL (model)));
  return model;
}

static void
assert_same_items (GListModel *expected,
                   GListModel *model,
                   const char *what)
{
  guint n = g_list_model_get_n_items (expected);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  /* Backwards and forwards, so that pages load far from each other. */
  for (guint i = n; i-- > 0;)
    {
      g_autoptr(GormResource) a = g_list_model_get_item (expected, i);
      g_autoptr(GormResource) b = g_list_model_get_item (model, i);

      if (a != b)
        g_error ("%s: item %u is %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " without the key index",
                 what, i, gorm_resource_get_id (b), gorm_resource_get_id (a));
    }
}

/* The keys of @query's rows in its order, read without a query model.
 * The key becomes @query's last order, as a model's order ends (rows
 * that tie on the other orders come in any order otherwise). */
static GArray *
fetch_ids (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (g_object_get_data (G_OBJECT (query), "by-id") == NULL)
    {
      gorm_query_order_by (query, "id", FALSE);
      g_object_set_data (G_OBJECT (query), "by-id", GINT_TO_POINTER (1));
    }
  rows = gorm_query_fetch_rows (query, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GormRow) row = g_list_model_get_item (rows, i);
      gint64 id = gorm_row_get_int64 (row, "id");

      g_array_append_val (ids, id);
    }
  return ids;
}

static void
fill_keyed (GormDatabase *db)
{
  fill (db, KEYED_ROWS);
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_item SET name = NULL WHERE score < 100",
                                          NULL, 0, NULL, NULL), >, 0);
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_item SET weight = (id * 37) % 101",
                                          NULL, 0, NULL, NULL), >, 0);
}

/* A file database of KEYED_ROWS items. */
static GormDatabase *
open_keyed (char **path)
{
  GormDatabase *db = test_open_file (path);

  test_migrate (db, TEST_TYPE_ITEM);
  fill_keyed (db);
  return db;
}

/* Checks that everything of @db is freed (the objects the models loaded
 * are dropped from the main context) and removes its file. */
static void
close_keyed (GormDatabase *db,
             GormQuery    *query,
             char         *path)
{
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  if (query != NULL)
    g_assert_finalize_object (query);
  g_assert_finalize_object (db);
  test_remove_file (path);
  g_free (path);
}

static GormQuery *
keyed_query (GormDatabase *db,
             guint         kind)
{
  GormQuery *query = gorm_database_query (db, TEST_TYPE_ITEM);
  g_auto(GValue) value = G_VALUE_INIT;

  switch (kind)
    {
    case 0:   /* the order of an index */
      gorm_query_order_by (query, "score", FALSE);
      break;
    case 1:   /* filter(flag=False).order_by("-weight", "name"): no index */
      g_value_init (&value, G_TYPE_BOOLEAN);
      g_value_set_boolean (&value, FALSE);
      gorm_query_filter (query, gorm_filter_eq ("flag", &value));
      gorm_query_order_by (query, "weight", TRUE);
      gorm_query_order_by (query, "name", FALSE);
      break;
    case 2:   /* LIKE '%1%', NULLs and a descending text order */
      gorm_query_filter (query, gorm_filter_like ("name", "%1%"));
      gorm_query_order_by (query, "name", TRUE);
      break;
    case 3:   /* a window: offset and limit */
      gorm_query_order_by (query, "weight", FALSE);
      gorm_query_offset (query, 7);
      gorm_query_limit (query, KEYED_ROWS - 500);
      break;
    default:
      g_assert_not_reached ();
    }
  return query;
}

static void
test_key_index_same_items (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);

  for (guint kind = 0; kind < 4; kind++)
    for (guint live = 0; live < 2; live++)
      {
        g_autoptr(GormQuery) query = keyed_query (db, kind);
        g_autoptr(GListModel) plain = fetch_plain (query);
        g_autoptr(GListModel) keyed = fetch_keyed (query, live);
        g_autofree char *what = g_strdup_printf ("query %u, %s", kind, live ? "watch" : "fetch");

        g_assert_cmpuint (g_list_model_get_n_items (plain), >, 100);
        assert_same_items (plain, keyed, what);
        g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (keyed)));
        /* Orders by columns of the table that no index gives: an SQLite
         * reader sorts them itself (see GormKeySort), a PostgreSQL
         * server sorts; the engine walks the index on score. */
        g_assert_cmpuint (gorm_query_model_get_n_sorted_key_reads (GORM_QUERY_MODEL (keyed)), ==,
                          test_engine_is_postgresql () || kind == 0 ? 0 : 1);
      }
  close_keyed (db, NULL, path);
}

/* The first page of an order by columns of the table, asked for from a
 * main loop before anything is loaded: on SQLite it waits for the keys,
 * which the reader sorts itself in less than the engine's sort of that
 * page (see sorts_keys_itself()), and loads by key; the same items as
 * without the index. Elsewhere the preparation runs beside the page. */
static void
test_key_index_first_page_waits (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);

  for (guint kind = 1; kind < 3; kind++)
    {
      g_autoptr(GormQuery) query = keyed_query (db, kind);
      g_autoptr(GListModel) plain = fetch_plain (query);
      g_autoptr(GListModel) model = fetch_large (query, TRUE);

      touch_in_loop (model);
      if (!test_engine_is_postgresql ())
        {
          g_assert_false (gorm_query_model_is_preparing (GORM_QUERY_MODEL (model)));
          g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
          g_assert_cmpuint (gorm_query_model_get_n_sorted_key_reads (GORM_QUERY_MODEL (model)), ==, 1);
        }
      wait_for_key_index (model);
      assert_same_items (plain, model, kind == 1 ? "-weight, name" : "-name");
    }
  close_keyed (db, NULL, path);
}

/* An order by a related path, with select_related: the joined pages load
 * by key too. */
static void
test_key_index_related_order (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) plain = NULL;
  g_autoptr(GListModel) keyed = NULL;
  g_autoptr(GormResource) author = NULL;
  GType types[] = { POLLS_TYPE_AUTHOR, POLLS_TYPE_QUESTION, POLLS_TYPE_CHOICE };

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  author = g_object_new (POLLS_TYPE_AUTHOR, "database", db, "name", "ann", NULL);
  test_save_ok (author);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint q = 0; q < 50; q++)
    {
      g_autofree char *text = g_strdup_printf ("question %u", q);
      g_autoptr(GDateTime) pub_date = g_date_time_new_utc (2024, 1 + q % 12, 1, 0, 0, 0);
      g_autoptr(GormResource) question = g_object_new (POLLS_TYPE_QUESTION, "database", db,
                                                       "question-text", text, "pub-date", pub_date,
                                                       "author-id", gorm_resource_get_id (author),
                                                       "rank", (int) (q * 7 % 11), NULL);

      test_save_ok (question);
      for (guint c = 0; c < 40; c++)
        {
          g_autofree char *choice_text = g_strdup_printf ("choice %u.%u", q, c);
          g_autoptr(GormResource) choice = g_object_new (POLLS_TYPE_CHOICE, "database", db,
                                                         "question-id", gorm_resource_get_id (question),
                                                         "choice-text", choice_text,
                                                         "votes", (int) (c * 13 % 17), NULL);

          test_save_ok (choice);
        }
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));

  query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  gorm_query_order_by (query, "question.rank", TRUE);
  gorm_query_order_by (query, "votes", FALSE);
  gorm_query_select_related (query, "question");
  plain = fetch_plain (query);
  keyed = fetch_keyed (query, TRUE);
  assert_same_items (plain, keyed, "question.rank");
  /* Without the index, pages past the first sorted their keys. */
  g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (plain)), >, 0);
  {
    g_autoptr(GArray) ids = fetch_ids (query);

    g_assert_cmpuint (ids->len, ==, g_list_model_get_n_items (plain));
    for (guint i = 0; i < ids->len; i++)
      g_assert_cmpint (item_id (plain, i), ==, g_array_index (ids, gint64, i));
  }

  /* With select_related, an order an index gives anchors: the joined
   * statement sorts the rows of its page again, which the engine's plan
   * of it shows, but the model asks for the plan of its page's rows. */
  g_assert_cmpint (gorm_database_execute (db, "CREATE INDEX \"ix_test_votes\" ON \"choice\" "
                                          "(\"votes\", \"id\")", NULL, 0, NULL, &error), !=, -1);
  g_assert_no_error (error);
  {
    g_autoptr(GormQuery) by_votes = gorm_database_query (db, POLLS_TYPE_CHOICE);
    g_autoptr(GListModel) anchored = NULL;

    gorm_query_order_by (by_votes, "votes", FALSE);
    gorm_query_select_related (by_votes, "question");
    anchored = fetch_large (by_votes, FALSE);
    g_assert_true (gorm_query_model_places_anchors (GORM_QUERY_MODEL (anchored)));
  }

  g_clear_object (&plain);
  g_clear_object (&keyed);
  g_clear_object (&query);
  g_clear_object (&author);
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

/* An order by one related path then the key: the key reader reads the
 * keys with the targets' ranks and sorts them itself
 * (gorm_dialect_render_key_ranks()). Its keys must come in the exact
 * order of the plain ORDER BY: equal names of different authors (their
 * questions interleaved by key), NULL names and questions without an
 * author (the one NULL of the order), descending, a filter, a filter
 * through the path, a path of two steps; and the plain order again when
 * the authors' keys are too sparse for the ranks. */
static GListModel *
assert_ranked_order (GormQuery  *query,
                     gboolean    ranked,
                     const char *what)
{
  g_autoptr(GListModel) plain = fetch_plain (query);
  GListModel *keyed = fetch_keyed (query, TRUE);

  g_assert_cmpuint (g_list_model_get_n_items (plain), >, 100);
  assert_same_items (plain, keyed, what);
  g_assert_cmpuint (gorm_query_model_get_n_ranked_key_reads (GORM_QUERY_MODEL (keyed)), ==,
                    ranked ? 1 : 0);
  return keyed;
}

static GormResource *
save_question (GormDatabase *db,
               guint         i,
               GormResource *author)
{
  g_autofree char *text = g_strdup_printf ("question %u", i);
  GormResource *question = g_object_new (POLLS_TYPE_QUESTION, "database", db,
                                         "question-text", text, "rank", (int) (i * 5 % 13),
                                         NULL);

  if (author != NULL)
    g_object_set (question, "author-id", gorm_resource_get_id (author), NULL);
  else
    g_assert_true (gorm_resource_set_null (question, "author-id", NULL));
  test_save_ok (question);
  return question;
}

static void
test_key_index_ranked_order (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) authors = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) questions = g_ptr_array_new_with_free_func (g_object_unref);
  const char *names[] = { "bob", "Alice", NULL, "bob", "carol", "\xc3\x89mile", "alice", "dave", "zoe" };
  GType types[] = { POLLS_TYPE_AUTHOR, POLLS_TYPE_QUESTION, POLLS_TYPE_CHOICE };
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint a = 0; a < G_N_ELEMENTS (names); a++)
    {
      GormResource *author = g_object_new (POLLS_TYPE_AUTHOR, "database", db, "name", names[a], NULL);

      test_save_ok (author);
      g_ptr_array_add (authors, author);
    }
  /* Each author but "zoe", and none (8), in turn; choices of every
   * other question. */
  for (guint q = 0; q < 400; q++)
    {
      guint a = q * 7 % 9;

      g_ptr_array_add (questions, save_question (db, q, a < 8 ? authors->pdata[a] : NULL));
      for (guint c = 0; c < (q % 2) * 2; c++)
        {
          g_autoptr(GormResource) choice = g_object_new (POLLS_TYPE_CHOICE, "database", db,
                                                         "question-id",
                                                         gorm_resource_get_id (questions->pdata[q]),
                                                         "votes", (int) (c + q % 5), NULL);

          test_save_ok (choice);
        }
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);

  for (guint kind = 0; kind < 6; kind++)
    {
      g_autoptr(GormQuery) query = gorm_database_query (db, kind < 4 ? POLLS_TYPE_QUESTION
                                                                      : POLLS_TYPE_CHOICE);
      g_autoptr(GListModel) keyed = NULL;
      g_autofree char *what = g_strdup_printf ("ranked order %u", kind);

      switch (kind)
        {
        case 0:
          gorm_query_order_by (query, "author.name", FALSE);
          break;
        case 1:
          gorm_query_order_by (query, "author.name", TRUE);
          break;
        case 2:   /* a filter on the questions */
          g_value_init (&value, G_TYPE_INT);
          g_value_set_int (&value, 3);
          gorm_query_filter (query, gorm_filter_gt ("rank", &value));
          gorm_query_order_by (query, "author.name", FALSE);
          g_value_unset (&value);
          break;
        case 3:   /* a filter through the path, NULLs included */
          g_value_init (&value, G_TYPE_INT);
          g_value_set_int (&value, 4);
          gorm_query_filter (query, gorm_filter_or (gorm_filter_is_null ("author.name"),
                                                    gorm_filter_lt ("rank", &value)));
          gorm_query_order_by (query, "author.name", TRUE);
          g_value_unset (&value);
          break;
        case 4:   /* two steps */
          gorm_query_order_by (query, "question.author.name", TRUE);
          break;
        case 5:   /* an integer, and an explicit key of the other direction */
          gorm_query_order_by (query, "question.rank", FALSE);
          gorm_query_order_by (query, "id", TRUE);
          break;
        default:
          g_assert_not_reached ();
        }
      keyed = assert_ranked_order (query, TRUE, what);

      /* Writes under the live model place rows where the ranks put
       * them: a question moves to the other "bob", one to no author, a
       * new one without an author. */
      if (kind == 0)
        {
          g_autoptr(GormResource) added = NULL;

          g_object_set (questions->pdata[1], "author-id", gorm_resource_get_id (authors->pdata[0]),
                        NULL);
          test_save_ok (questions->pdata[1]);
          g_assert_true (gorm_resource_set_null (questions->pdata[2], "author-id", NULL));
          test_save_ok (questions->pdata[2]);
          added = save_question (db, 400, NULL);
          drain ();
          g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (keyed)));
          {
            g_autoptr(GListModel) plain = fetch_plain (query);

            assert_same_items (plain, keyed, "ranked order after writes");
          }
        }
    }

  /* The first item asked for from a main loop reads the ranked keys at
   * once, before its page: on PostgreSQL the preparation, still opening
   * its connection, makes way for that read (the page's own select
   * would sort every row by a subquery's value). */
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_QUESTION);
    g_autoptr(GListModel) model = NULL;

    gorm_query_order_by (query, "author.name", FALSE);
    model = fetch_large (query, TRUE);
    touch_in_loop (model);
    g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
    g_assert_cmpuint (gorm_query_model_get_n_ranked_key_reads (GORM_QUERY_MODEL (model)), ==, 1);
  }

  /* An author whose key is far from the others': the ranks would need
   * an array of every key between, the reader reads the plain order. */
  g_assert_cmpint (gorm_database_execute (db, "INSERT INTO \"author\" (\"id\", \"name\") "
                                              "VALUES (1000000000000, 'bob')",
                                          NULL, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (db, "UPDATE \"question\" SET \"author_id\" = 1000000000000 "
                                              "WHERE \"id\" % 10 = 0",
                                          NULL, 0, NULL, &error), >, 0);
  g_assert_no_error (error);
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_QUESTION);
    g_autoptr(GListModel) keyed = NULL;

    gorm_query_order_by (query, "author.name", FALSE);
    keyed = assert_ranked_order (query, FALSE, "sparse keys");
  }

  g_clear_pointer (&authors, g_ptr_array_unref);
  g_clear_pointer (&questions, g_ptr_array_unref);
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

/* Before its key index is ready, a model of an order it cannot anchor
 * loads a far page by a sort of the keys only, then its rows by key:
 * the same items as the query's own rows, in every part of the order,
 * through a window, with NULLs, with select_related. */
static void
assert_sorted_key_pages (GormQuery  *query,
                         const char *what)
{
  g_autoptr(GListModel) model = fetch_plain (query);
  g_autoptr(GArray) ids = fetch_ids (query);
  guint n = g_list_model_get_n_items (model);
  guint page = gorm_query_model_get_page_rows (GORM_QUERY_MODEL (model));

  g_assert_cmpuint (n, ==, ids->len);
  g_assert_cmpuint (n, >, page);
  /* Backwards, so that the first page loaded is the last. */
  for (guint i = n; i-- > 0;)
    if (item_id (model, i) != g_array_index (ids, gint64, i))
      g_error ("%s: item %u is %" G_GINT64_FORMAT ", the query's row %" G_GINT64_FORMAT,
               what, i, item_id (model, i), g_array_index (ids, gint64, i));
  /* Every page but the first of the order was sorted by its keys. */
  g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (model)), >=,
                    (n - 1) / page);
  g_assert_false (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
}

static void
test_key_index_sorted_keys (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);

  for (guint kind = 1; kind < 3; kind++)
    {
      g_autoptr(GormQuery) query = keyed_query (db, kind);
      g_autoptr(GArray) all = fetch_ids (query);
      g_autofree char *what = g_strdup_printf ("query %u", kind);

      assert_sorted_key_pages (query, what);
      /* A window of the same order: its pages start past the offset. */
      gorm_query_offset (query, 5);
      gorm_query_limit (query, all->len - 10);
      assert_sorted_key_pages (query, "window");
    }
  close_keyed (db, NULL, path);
}

/* An order the model could anchor loads its pages by position, as
 * before: no sort of keys. */
static void
test_key_index_sorted_keys_anchored (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  g_autoptr(GormQuery) query = keyed_query (db, 3);
  g_autoptr(GListModel) model = fetch_plain (query);
  g_autoptr(GArray) ids = fetch_ids (query);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, ids->len);
  for (guint i = ids->len; i-- > 0;)
    g_assert_cmpint (item_id (model, i), ==, g_array_index (ids, gint64, i));
  g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (model)), ==, 0);
  g_clear_object (&model);

  /* Nor does an order it cannot anchor within its first 4,096 rows. */
  {
    g_autoptr(GormQuery) other = keyed_query (db, 1);
    g_autoptr(GListModel) small = fetch (other, FALSE);
    guint n = g_list_model_get_n_items (small);

    g_assert_cmpuint (n, <, 4096);
    g_assert_cmpint (item_id (small, n - 1), >, 0);
    g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (small)), ==, 0);
  }
  close_keyed (db, g_steal_pointer (&query), path);
}

static GormResource *
keyed_item (GListModel *model,
            guint       position)
{
  GormResource *item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  return item;
}

/* After a write that the model was not given yet: the item at @moved_at
 * (modulo the number of items) takes @weight and @name, the one at
 * @gone_at is deleted; once they are delivered, the model, still by its
 * key index, shows what a fetch shows. */
static void
move_and_delete (GormQuery  *query,
                 Shadow     *shadow,
                 guint       moved_at,
                 guint       gone_at,
                 double      weight,
                 const char *name,
                 guint       step)
{
  GListModel *model = shadow->model;
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GormResource) moved = keyed_item (model, moved_at % n);
  g_autoptr(GormResource) gone = keyed_item (model, gone_at % n);
  g_autoptr(GError) error = NULL;

  g_object_set (moved, "weight", weight, "name", name, NULL);
  test_save_ok (moved);
  if (gone != moved)
    g_assert_true (gorm_resource_delete (gone, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
  assert_matches_fetch (query, shadow, step);
}

/* Writes while the key index is prepared and after: the index follows
 * each one exactly (inserts, moves, deletes, bulk changes; nothing of a
 * rolled-back transaction), and so do the items-changed. */
static void
test_key_index_live (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  GormQuery *query = keyed_query (db, 1);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  Shadow *shadow;
  guint step = 0;


  gorm_query_model_set_key_index_min_rows (100);
  model = fetch (query, TRUE);
  gorm_query_model_set_key_index_min_rows (-1);
  /* The shadow's first items from the query's rows: asking the model for
   * its far items outside a main loop would read its index at once (see
   * key-index-read-at-once). */
  shadow = shadow_new_with_ids (model, fetch_ids (query));

  /* During the preparation: the writes land before or after its
   * snapshot, and either way the keys come out right. */
  touch_loaded_in_loop (model);
  g_assert_true (gorm_query_model_is_preparing (GORM_QUERY_MODEL (model)));
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GormResource) item = keyed_item (model, i * 97);

      g_object_set (item, "weight", 50.5 + i, NULL);
      test_save_ok (item);
      g_object_unref (save_item (db, "during", (int) i, FALSE));
      drain ();
    }
  wait_for_key_index (model);
  drain ();
  assert_matches_fetch (query, shadow, step++);

  /* After it: an insert, a move, a delete, each exact. */
  for (guint i = 0; i < 10; i++)
    {
      g_object_unref (save_item (db, "after", (int) (i * 31), FALSE));
      move_and_delete (query, shadow, i * 211, i * 389 + 5, (double) (i * 13 % 101),
                       i % 2 ? NULL : "moved", step++);
    }

  /* A rolled-back transaction shows nothing. */
  {
    guint emissions = shadow->emissions;

    g_assert_true (gorm_database_begin (db, NULL, &error));
    g_object_unref (save_item (db, "rolled back", 3, FALSE));
    g_assert_true (gorm_database_rollback (db, NULL, &error));
    drain ();
    g_assert_cmpuint (shadow->emissions, ==, emissions);
    g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
    assert_matches_fetch (query, shadow, step++);
  }

  /* A bulk update moves many rows at once. */
  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, 3.0);
  {
    g_autoptr(GormQuery) some = gorm_database_query (db, TEST_TYPE_ITEM);
    g_auto(GValue) limit = G_VALUE_INIT;

    gorm_query_filter (some, gorm_filter_lt ("score", test_int_value (&limit, 40)));
    g_assert_cmpint (gorm_query_update (some, "weight", &value, NULL, &error), >, 0);
    g_assert_no_error (error);
  }
  drain ();
  g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
  assert_matches_fetch (query, shadow, step++);

  shadow_free (shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  close_keyed (db, query, path);
}

/* The live model equals a new watch() of its query, item by item, and so
 * does the list its signals built. */
static void
assert_matches_watch (GormQuery *query,
                      Shadow    *shadow,
                      guint      step)
{
  g_autoptr(GListModel) fresh = fetch (query, TRUE);

  assert_matches_model (fresh, "a new watch()", shadow, step);
}

/* Delivers what the writes changed, then compares with a new model. */
static void
check_written (GormQuery *query,
               Shadow    *shadow,
               guint     *step)
{
  drain ();
  g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (shadow->model)));
  assert_matches_watch (query, shadow, (*step)++);
}

/* The model shares its key index with the writers when it gets it, if
 * the database lock is free at once; else at a later delivery: writes
 * until it does (a busy machine may make the first try fail). Each
 * write wakes the listener of other connections' commits, which reads
 * the database's change counter with the lock held: the delivery waits
 * a little, so that it does not meet that read every time (it did,
 * under ASan on a loaded machine). */
static void
wait_for_shared_index (GormDatabase *db,
                       GListModel   *model)
{
  g_autoptr(GError) error = NULL;

  drain ();
  for (guint i = 0; i < 100 && !gorm_query_model_shares_key_index (GORM_QUERY_MODEL (model)); i++)
    {
      g_autoptr(GormResource) item = save_item (db, "to share", 1, FALSE);

      g_usleep (5000 + 1000 * (i % 10));
      drain ();
      g_assert_true (gorm_resource_delete (item, NULL, &error));
      g_assert_no_error (error);
      g_usleep (5000 + 1000 * (i % 10));
      drain ();
    }
  g_assert_true (gorm_query_model_shares_key_index (GORM_QUERY_MODEL (model)));
}

/* The queries of the write tests: those of keyed_query() and two whose
 * first order is on a column with NULLs, descending and ascending. */
static GormQuery *
written_query (GormDatabase *db,
               guint         kind)
{
  GormQuery *query;

  if (kind < 4)
    return keyed_query (db, kind);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  gorm_query_order_by (query, "name", kind == 4);
  if (kind == 5)
    gorm_query_order_by (query, "score", TRUE);
  return query;
}

/* Writes of every kind a key index must place: inserts at the start, at
 * the end, in the middle, on order values other rows have and with a
 * NULL; moves from one end to the other, into and out of the filter, and
 * one that keeps its place; deletes at both ends and in the middle; bulk
 * updates and deletes; a rolled-back transaction of each. */
static void
key_index_writes (GormDatabase *db,
                  GormQuery    *query,
                  guint         kind,
                  Shadow       *shadow,
                  guint        *step)
{
  static const char *names[] = { "", "zzz1", "item 1500", NULL };
  static const int scores[] = { -5, 5000, 500, 100 };
  static const double weights[] = { -1e9, 1e9, 50.0, 37.0 };
  GListModel *model = shadow->model;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean deleted;
  guint n;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GormResource *item = g_object_new (TEST_TYPE_ITEM, "database", db, "name", names[i],
                                         "score", scores[i], "weight", weights[i], NULL);

      test_save_ok (item);
      g_object_unref (item);
      check_written (query, shadow, step);
    }

  for (guint i = 0; i < 4; i++)
    {
      guint at[] = { 0, g_list_model_get_n_items (model) - 1, g_list_model_get_n_items (model) / 2, 1 };
      g_autoptr(GormResource) moved = keyed_item (model, at[i]);

      g_object_set (moved, "name", names[3 - i], "score", scores[3 - i],
                    "weight", weights[3 - i], NULL);
      test_save_ok (moved);
      check_written (query, shadow, step);
    }
  {
    g_autoptr(GormResource) moved = keyed_item (model, g_list_model_get_n_items (model) / 3);
    gint64 id = gorm_resource_get_id (moved);

    /* Out of the filter of flag=False and back in. */
    g_object_set (moved, "flag", TRUE, NULL);
    test_save_ok (moved);
    check_written (query, shadow, step);
    g_object_set (moved, "flag", FALSE, NULL);
    test_save_ok (moved);
    check_written (query, shadow, step);
    /* A change of the score, which most of the orders do not use: the
     * row keeps its place there. */
    g_object_set (moved, "score", 1 + (int) id % 900, NULL);
    test_save_ok (moved);
    check_written (query, shadow, step);
  }

  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < 3; i++)
    {
      guint at[] = { 0, n / 2, n - 3 };
      g_autoptr(GormResource) gone = keyed_item (model, at[i]);

      /* The error first: it says why, where the return value would not. */
      deleted = gorm_resource_delete (gone, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (deleted);
      check_written (query, shadow, step);
    }

  /* Bulk: a hundred rows move, then fifty go. */
  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, 42.0);
  {
    g_autoptr(GormQuery) some = gorm_database_query (db, TEST_TYPE_ITEM);
    g_auto(GValue) low = G_VALUE_INIT;
    g_auto(GValue) high = G_VALUE_INIT;

    gorm_query_filter (some, gorm_filter_between ("score", test_int_value (&low, 200 + 40 * (int) kind),
                                                  test_int_value (&high, 235 + 40 * (int) kind)));
    g_assert_cmpint (gorm_query_update (some, "weight", &value, NULL, &error), >, 50);
    g_assert_no_error (error);
    check_written (query, shadow, step);
  }
  {
    g_autoptr(GormQuery) some = gorm_database_query (db, TEST_TYPE_ITEM);
    g_auto(GValue) low = G_VALUE_INIT;
    g_auto(GValue) high = G_VALUE_INIT;

    /* Rows no earlier round deleted. */
    gorm_query_filter (some, gorm_filter_between ("score", test_int_value (&low, 600 + 20 * (int) kind),
                                                  test_int_value (&high, 617 + 20 * (int) kind)));
    g_assert_cmpint (gorm_query_delete (some, NULL, &error), >, 30);
    g_assert_no_error (error);
    check_written (query, shadow, step);
  }

  /* A rolled-back transaction of an insert, a move, a delete and a bulk
   * update leaves the writers' index as it was: the writes after it are
   * placed right. */
  {
    g_autoptr(GormResource) moved = keyed_item (model, 5);
    g_autoptr(GormResource) gone = keyed_item (model, 9);
    g_autoptr(GormQuery) some = gorm_database_query (db, TEST_TYPE_ITEM);
    g_auto(GValue) low = G_VALUE_INIT;
    guint emissions = shadow->emissions;

    g_assert_true (gorm_database_begin (db, NULL, &error));
    g_object_unref (save_item (db, "rolled back", 3, FALSE));
    g_object_set (moved, "weight", 1e9, "score", 7000, NULL);
    test_save_ok (moved);
    deleted = gorm_resource_delete (gone, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (deleted);
    gorm_query_filter (some, gorm_filter_lt ("score", test_int_value (&low, 30)));
    g_assert_cmpint (gorm_query_update (some, "weight", &value, NULL, &error), >, 0);
    g_assert_true (gorm_database_rollback (db, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gorm_resource_reload (moved, NULL, &error));
    g_assert_no_error (error);
    drain ();
    g_assert_cmpuint (shadow->emissions, ==, emissions);
    check_written (query, shadow, step);
  }
  {
    g_autoptr(GormResource) moved = keyed_item (model, 5);

    g_object_unref (save_item (db, "after the rollback", 450, FALSE));
    g_object_set (moved, "weight", 77.0, "score", 450, "name", "item 1450", NULL);
    test_save_ok (moved);
    check_written (query, shadow, step);
  }

  /* A committed transaction of more writes than a delivery applies to
   * the key index one by one (the model then copies the writers'). */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr(GormResource) moved = keyed_item (model, i * 37);

      g_object_unref (save_item (db, names[i % 3], scores[i % 4], FALSE));
      g_object_set (moved, "weight", weights[(i + 1) % 4], NULL);
      test_save_ok (moved);
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  check_written (query, shadow, step);
}

/* Drops @model, which must be freed then, and runs the main context
 * until the objects it loaded are. */
static void
finalize_model (GormDatabase *db,
                GListModel   *model)
{
  g_assert_finalize_object (model);
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* With its key index, a live model places the rows of a write from it,
 * without a count query, for every kind of query; after each write it
 * shows what a new watch() of its query shows. */
static void
test_key_index_writes (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  guint step = 0;

  for (guint kind = 0; kind < 6; kind++)
    {
      g_autoptr(GormQuery) query = written_query (db, kind);
      g_autoptr(GListModel) model = fetch_keyed (query, TRUE);
      Shadow *shadow;
      guint counted;

      wait_for_shared_index (db, model);
      shadow = shadow_new (model);
      counted = gorm_query_model_get_n_counted_positions (GORM_QUERY_MODEL (model));
      key_index_writes (db, query, kind, shadow, &step);
      g_assert_cmpuint (gorm_query_model_get_n_counted_positions (GORM_QUERY_MODEL (model)), ==,
                        counted);
      shadow_free (shadow);
      finalize_model (db, g_steal_pointer (&model));
    }
  close_keyed (db, NULL, path);
}

/* The most placement statements a row may cost in a key index of @n
 * keys: a (K + 1)-ary search, K the keys one statement compares a row
 * with, needs the fewest s with (K + 1)^s - 1 >= n, and one for an empty
 * index (the filter check). */
static guint
placement_bound (guint n)
{
  guint64 k = gorm_query_model_get_placement_probes ();
  guint64 reach = k + 1;
  guint bound = 1;

  while (reach - 1 < n)
    {
      reach *= k + 1;
      bound++;
    }
  return bound;
}

typedef GormQuery *(*QueryMaker) (GormDatabase *db,
                                  guint         kind);

/* Saves @item under @shadow's model, which keeps its key index of at
 * most @n keys: no position was counted, placing the row took at least
 * one statement and at most placement_bound (@n), and the model has as
 * many items as a count of its query (@make's of @kind, without a
 * window) says, the written row where the query selects it. With the
 * model right before the write, it is right after. */
static void
save_placed (QueryMaker    make,
             guint         kind,
             Shadow       *shadow,
             GormResource *item,
             guint         n,
             guint        *step)
{
  GormQueryModel *model = GORM_QUERY_MODEL (shadow->model);
  GormDatabase *db = gorm_resource_get_database (item);
  guint placements = gorm_query_model_get_n_placements (model);
  guint counted = gorm_query_model_get_n_counted_positions (model);
  g_autoptr(GormQuery) all = make (db, kind);
  g_autoptr(GError) error = NULL;
  gint64 id;
  gint64 n_rows;
  guint ran;
  guint at;

  test_save_ok (item);
  ran = gorm_query_model_get_n_placements (model) - placements;
  if (ran < 1 || ran > placement_bound (n))
    g_error ("step %u: %u placement statements among %u keys", *step, ran, n);
  /* Whatever the number of keys one statement compares (at least 32): a
   * million keys take at most 4 statements, 35,936 at most 3, 32 one. */
  g_assert_true (n > 35936 || ran <= 3);
  g_assert_true (n > 32 || ran == 1);
  g_assert_cmpuint (gorm_query_model_get_n_counted_positions (model), ==, counted);
  drain ();
  g_assert_true (gorm_query_model_has_key_index (model));
  g_assert_true (gorm_query_model_shares_key_index (model));

  n_rows = gorm_query_count (all, NULL, &error);
  g_assert_no_error (error);
  if (n_rows != shadow->ids->len)
    g_error ("step %u: the live model has %u items, a count %" G_GINT64_FORMAT, *step,
             shadow->ids->len, n_rows);
  id = gorm_resource_get_id (item);
  for (at = 0; at < shadow->ids->len && g_array_index (shadow->ids, gint64, at) != id; at++)
    ;
  if (at < shadow->ids->len)
    {
      g_autoptr(GormQuery) one = make (db, kind);
      g_autoptr(GormResource) there = NULL;

      gorm_query_offset (one, at);
      there = gorm_query_first (one, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (there);
      if (gorm_resource_get_id (there) != id)
        g_error ("step %u: %" G_GINT64_FORMAT " is item %u of the live model, a select has %"
                 G_GINT64_FORMAT, *step, id, at, gorm_resource_get_id (there));
    }
  (*step)++;
}

/* A new item with the stored values of the item at @position of @model:
 * it ties with that row in every order term but the key. */
static GormResource *
tied_item (GListModel *model,
           guint       position)
{
  g_autoptr(GormResource) item = g_list_model_get_item (model, position);
  g_autofree char *name = NULL;
  double weight;
  gboolean flag;
  int score;

  g_object_get (item, "name", &name, "score", &score, "flag", &flag, "weight", &weight, NULL);
  return g_object_new (TEST_TYPE_ITEM, "database", gorm_resource_get_database (item),
                       "name", name, "score", score, "flag", flag, "weight", weight, NULL);
}

/* Where the writers put a written row in the key index, each statement
 * comparing it with many keys: rows that tie with those at the start,
 * at the end, around the first statement's probes and in the middle (a
 * new row comes after or before its ties as its key does), rows before
 * and after all, with a NULL name, moves to both ends, a row the filter
 * leaves out and one that leaves it, for queries of the write tests;
 * after each write the row is where a plain fetch has it, and the
 * statements it took stay within the search's bound. */
static void
test_key_index_placement (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  guint k = gorm_query_model_get_placement_probes ();
  /* More keys than any of these indexes holds: the table's rows and
   * those the test adds. */
  guint n_keys = KEYED_ROWS + 100;
  guint step = 0;

  g_assert_cmpuint (k, >=, 32);
  /* A filter and a descending order with ties; NULLs last, descending;
   * NULLs first, then a descending term (key-index-writes runs the
   * others under placed writes too). */
  for (guint q = 0; q < 3; q++)
    {
      static const guint kinds[] = { 1, 4, 5 };
      guint kind = kinds[q];
      g_autoptr(GormQuery) query = written_query (db, kind);
      g_autoptr(GListModel) model = fetch_keyed (query, TRUE);
      guint n = g_list_model_get_n_items (model);
      guint at[] = { 0, 1, k - 1, k, k + 1, n / (k + 1), n / (k + 1) + 1, n / 2, n - 2, n - 1 };
      static const char *names[] = { NULL, "", "zzzz", "item 1500" };
      static const double weights[] = { 0.0, -1e9, 1e9, 50.0 };
      static const int scores[] = { 150, -5, 5000, 500 };
      g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func (g_object_unref);
      Shadow *shadow;

      wait_for_shared_index (db, model);
      shadow = shadow_new (model);
      for (guint i = 0; i < G_N_ELEMENTS (at); i++)
        {
          GormResource *item = tied_item (model, at[i]);

          save_placed (written_query, kind, shadow, item, n_keys, &step);
          g_ptr_array_add (written, item);
        }
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          GormResource *item = g_object_new (TEST_TYPE_ITEM, "database", db, "name", names[i],
                                             "score", scores[i], "weight", weights[i], NULL);

          save_placed (written_query, kind, shadow, item, n_keys, &step);
          g_ptr_array_add (written, item);
        }
      /* Moves: the row at the middle to where the first row sorts, and
       * to where the last does; out of the filters of flag = FALSE and
       * of LIKE '%1%', then back in. */
      {
        g_autoptr(GormResource) moved = keyed_item (model, g_list_model_get_n_items (model) / 2);
        g_autoptr(GormResource) first = keyed_item (model, 0);
        g_autoptr(GormResource) last = keyed_item (model, g_list_model_get_n_items (model) - 1);
        g_autofree char *name = NULL;
        double weight;
        int score;

        g_object_get (first, "name", &name, "score", &score, "weight", &weight, NULL);
        g_object_set (moved, "name", name, "score", score, "weight", weight, NULL);
        save_placed (written_query, kind, shadow, moved, n_keys, &step);
        g_clear_pointer (&name, g_free);
        g_object_get (last, "name", &name, "score", &score, "weight", &weight, NULL);
        g_object_set (moved, "name", name, "score", score, "weight", weight, NULL);
        save_placed (written_query, kind, shadow, moved, n_keys, &step);
        g_object_set (moved, "flag", TRUE, "name", "no digit", NULL);
        save_placed (written_query, kind, shadow, moved, n_keys, &step);
        g_object_set (moved, "flag", FALSE, "name", "item 1234", NULL);
        save_placed (written_query, kind, shadow, moved, n_keys, &step);
      }
      /* A new row that the filters of flag = FALSE and LIKE '%1%' leave out. */
      g_ptr_array_add (written, g_object_new (TEST_TYPE_ITEM, "database", db, "name", "none",
                                              "flag", TRUE, NULL));
      save_placed (written_query, kind, shadow, g_ptr_array_index (written, written->len - 1), n_keys, &step);
      assert_matches_fetch (query, shadow, step++);

      for (guint i = 0; i < written->len; i++)
        {
          g_autoptr(GError) error = NULL;

          g_assert_true (gorm_resource_delete (g_ptr_array_index (written, i), NULL, &error));
          g_assert_no_error (error);
        }
      drain ();
      shadow_free (shadow);
      g_clear_pointer (&written, g_ptr_array_unref);
      g_assert_finalize_object (g_steal_pointer (&model));
      while (gorm_database_get_n_live (db) > 0)
        g_main_context_iteration (NULL, TRUE);
    }
  close_keyed (db, NULL, path);
}

/* The query of test_key_index_placement_from_empty(). */
static GormQuery *
emptied_query (GormDatabase *db,
               guint         unused)
{
  GormQuery *query = gorm_database_query (db, TEST_TYPE_ITEM);
  g_auto(GValue) below = G_VALUE_INIT;

  gorm_query_filter (query, gorm_filter_lt ("score", test_int_value (&below, 40)));
  gorm_query_order_by (query, "weight", FALSE);
  gorm_query_order_by (query, "name", TRUE);
  return query;
}

/* A key index emptied by a bulk delete, then filled again one row at a
 * time past the keys one statement compares a row with: each row is
 * placed where a plain fetch has it, in one statement while the index
 * holds at most that many keys. */
static void
test_key_index_placement_from_empty (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  GormQuery *query = emptied_query (db, 0);
  g_autoptr(GormQuery) some = gorm_database_query (db, TEST_TYPE_ITEM);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) below = G_VALUE_INIT;
  guint k = gorm_query_model_get_placement_probes ();
  guint step = 0;
  Shadow *shadow;

  gorm_query_filter (some, gorm_filter_lt ("score", test_int_value (&below, 40)));
  model = fetch_keyed (query, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 100);
  wait_for_shared_index (db, model);
  shadow = shadow_new (model);
  g_assert_cmpint (gorm_query_delete (some, NULL, &error), >, 100);
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);

  for (guint i = 0; i < k + 8; i++)
    {
      g_autofree char *name = i % 5 == 0 ? NULL : g_strdup_printf ("row %u", i % 7);
      g_autoptr(GormResource) item = g_object_new (TEST_TYPE_ITEM, "database", db,
                                                   "name", name, "score", (int) (i % 40),
                                                   "weight", (double) (i * 13 % 9), NULL);

      save_placed (emptied_query, 0, shadow, item, g_list_model_get_n_items (model), &step);
      assert_matches_fetch (query, shadow, step++);
    }
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, k + 8);
  drain ();
  shadow_free (shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_clear_object (&some);
  close_keyed (db, query, path);
}

/* Another connection's commit may change the order behind the writers'
 * key index: the model reads again, the writes after it end right, and
 * once the model has its new index they are placed from it again. */
static void
test_key_index_writes_other_connection (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  GormQuery *query = keyed_query (db, 1);
  g_autoptr(GListModel) model = fetch_keyed (query, TRUE);
  g_autoptr(GormDatabase) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  Shadow *shadow;
  guint step = 0;
  guint counted;
  gint64 end;

  drain ();
  shadow = shadow_new (model);
  uri = test_engine_is_postgresql () ? g_strdup (path) : g_strconcat ("sqlite:", path, NULL);
  other = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (other, "UPDATE test_item SET weight = 100 - weight WHERE id % 5 = 0",
                                          NULL, 0, NULL, &error), >, 0);
  g_assert_no_error (error);
  /* Written at once, maybe before the model heard of that commit. */
  {
    g_autoptr(GormResource) moved = keyed_item (model, 10);

    g_object_set (moved, "weight", 99.5, NULL);
    test_save_ok (moved);
    g_object_unref (save_item (db, "between", 321, FALSE));
  }
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (gorm_query_model_get_n_refreshes (GORM_QUERY_MODEL (model)) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  drain ();
  assert_matches_watch (query, shadow, step++);

  /* The new index, shared with the writers again. */
  touch_in_loop (model);
  wait_for_key_index (model);
  wait_for_shared_index (db, model);
  counted = gorm_query_model_get_n_counted_positions (GORM_QUERY_MODEL (model));
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GormResource) moved = keyed_item (model, i * 500);

      g_object_set (moved, "weight", 10.0 * i, NULL);
      test_save_ok (moved);
      check_written (query, shadow, &step);
    }
  g_assert_cmpuint (gorm_query_model_get_n_counted_positions (GORM_QUERY_MODEL (model)), ==, counted);

  shadow_free (shadow);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&other));
  close_keyed (db, query, path);
}

/* A program that runs no main loop: the first far page of an order the
 * model cannot anchor reads the key index at once (one sort), and the
 * pages after it load by key; a live model then follows writes exactly.
 * A snapshot to whose rows another connection added since its count
 * keeps no index and sorts the keys of each page. */
static void
test_key_index_read_at_once (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  GormQuery *query = keyed_query (db, 1);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GListModel) snapshot = NULL;
  g_autoptr(GormDatabase) other = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  Shadow *shadow;
  guint n;

  gorm_query_model_set_key_index_min_rows (100);
  model = fetch (query, TRUE);
  snapshot = fetch (query, FALSE);
  gorm_query_model_set_key_index_min_rows (-1);
  shadow = shadow_new_with_ids (model, fetch_ids (query));
  n = g_list_model_get_n_items (model);
  g_assert_false (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
  g_assert_cmpint (item_id (model, 0), >, 0);
  g_assert_false (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
  g_assert_cmpint (item_id (model, n - 1), >, 0);
  g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
  g_assert_false (gorm_query_model_is_preparing (GORM_QUERY_MODEL (model)));
  g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (model)), ==, 0);
  ids = fetch_ids (query);
  g_assert_cmpuint (ids->len, ==, n);
  for (guint i = n; i-- > 0;)
    g_assert_cmpint (item_id (model, i), ==, g_array_index (ids, gint64, i));

  /* Writes after it, each exact. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GormResource) moved = keyed_item (model, (i * 211) % g_list_model_get_n_items (model));

      g_object_unref (save_item (db, "at once", (int) (i * 31), FALSE));
      g_object_set (moved, "weight", (double) (i * 13 % 101), NULL);
      test_save_ok (moved);
      drain ();
      g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
      assert_matches_fetch (query, shadow, i);
    }
  shadow_free (shadow);

  /* Another connection adds rows after the snapshot counted. */
  uri = test_engine_is_postgresql () ? g_strdup (path) : g_strconcat ("sqlite:", path, NULL);
  other = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    g_object_unref (save_item (other, "other", (int) i, FALSE));
  n = g_list_model_get_n_items (snapshot);
  g_assert_cmpint (item_id (snapshot, n / 2), >, 0);
  g_assert_false (gorm_query_model_has_key_index (GORM_QUERY_MODEL (snapshot)));
  g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (snapshot)), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&snapshot));
  g_assert_finalize_object (g_steal_pointer (&other));
  close_keyed (db, query, path);
}

typedef struct
{
  GListModel *model;
  gint64      first;
  gint64      last;
  gboolean    done;
} FarGet;

/* The first item, then the last, in one run of the main loop. */
static gboolean
first_then_last_cb (gpointer data)
{
  FarGet *get = data;

  get->first = item_id (get->model, 0);
  get->last = item_id (get->model, g_list_model_get_n_items (get->model) - 1);
  get->done = TRUE;
  return G_SOURCE_REMOVE;
}

/* The first get of a large model from a running main loop starts the
 * read of its keys: on an SQLite file the reader opens and takes its
 * snapshot at once, so a far page of an order no index gives, asked for
 * before the main loop runs again, waits for those keys and loads by
 * them, with no sort of its own (on a server the connection opens in a
 * thread and such a page sorts its keys). Either way the items are the
 * query's. */
static void
test_key_index_read_from_first_get (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  GormQuery *query = keyed_query (db, 1);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(TestLog) log = NULL;
  FarGet get = { NULL, 0, 0, FALSE };

  gorm_query_model_set_key_index_min_rows (100);
  model = fetch (query, TRUE);
  gorm_query_model_set_key_index_min_rows (-1);
  ids = fetch_ids (query);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, ids->len);

  get.model = model;
  log = test_log_attach (db);
  g_idle_add (first_then_last_cb, &get);
  while (!get.done)
    g_main_context_iteration (NULL, TRUE);
  /* Pages of the model's rows (two, or on a loaded server a retried
   * one), and no statement of the key reader's on the model's connection
   * (it once asked for the file's name so, on the thread of the first
   * get, which is often the main thread). On a server whose reader has
   * not opened by the far get (a loaded machine), that page sorts its
   * keys first. */
  g_assert_cmpuint (log->statements->len, >=, 2);
  for (guint i = 0; i < log->statements->len; i++)
    {
      const char *sql = log->statements->pdata[i];

      g_test_message ("traced: %s", sql);
      g_assert_true (g_str_has_prefix (sql, "SELECT \"id\", \"name\", \"score\", \"flag\", \"weight\" "
                                            "FROM \"test_item\" ") ||
                     (test_engine_is_postgresql () &&
                      g_str_has_prefix (sql, "SELECT \"id\" FROM (SELECT \"id\", row_number () OVER (")));
    }
  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_cmpint (get.first, ==, g_array_index (ids, gint64, 0));
  g_assert_cmpint (get.last, ==, g_array_index (ids, gint64, ids->len - 1));
  if (!test_engine_is_postgresql ())
    {
      g_assert_true (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
      g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (model)), ==, 0);
    }
  else
    wait_for_key_index (model);
  for (guint i = ids->len; i-- > 0;)
    g_assert_cmpint (item_id (model, i), ==, g_array_index (ids, gint64, i));

  g_assert_finalize_object (g_steal_pointer (&model));
  close_keyed (db, query, path);
}

/* Another connection's commit: the model reads again, and prepares its
 * index again for the new order. */
static void
test_key_index_other_connection (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  GormQuery *query = keyed_query (db, 1);
  g_autoptr(GListModel) model = fetch_keyed (query, TRUE);
  g_autoptr(GormDatabase) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  gint64 end;

  uri = test_engine_is_postgresql () ? g_strdup (path) : g_strconcat ("sqlite:", path, NULL);
  other = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (other, "UPDATE test_item SET weight = 100 - weight WHERE id % 5 = 0",
                                          NULL, 0, NULL, &error), >, 0);
  g_assert_no_error (error);

  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (gorm_query_model_get_n_refreshes (GORM_QUERY_MODEL (model)) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  /* The index of the old order is gone; the next item asked for from the
   * main loop prepares the new one. */
  g_assert_false (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
  touch_in_loop (model);
  wait_for_key_index (model);
  {
    g_autoptr(GListModel) plain = fetch_plain (query);

    assert_same_items (plain, model, "after another connection's commit");
  }

  g_assert_finalize_object (g_steal_pointer (&model));
  g_assert_finalize_object (g_steal_pointer (&other));
  close_keyed (db, query, path);
}

/* A model dropped while it prepares: the read stops or ends on its own,
 * touching nothing of the model (run under ASan to see it). */
static void
test_key_index_dispose (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  GormQuery *query = keyed_query (db, 2);

  for (guint round = 0; round < 20; round++)
    {
      GListModel *model;

      gorm_query_model_set_key_index_min_rows (100);
      model = fetch (query, round % 2 == 0);
      gorm_query_model_set_key_index_min_rows (-1);
      touch_loaded_in_loop (model);
      g_assert_true (gorm_query_model_is_preparing (GORM_QUERY_MODEL (model)));
      /* Dropped at each step of the preparation in turn. */
      for (guint i = 0; i < round % 4; i++)
        g_main_context_iteration (NULL, FALSE);
      g_assert_finalize_object (model);
    }
  /* The threads end, and their callbacks find no model. */
  for (guint i = 0; i < 200; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  close_keyed (db, query, path);
}

/* An order the model could anchor (one direction, plain columns) but
 * that no index gives: every anchor and every far page would be a scan
 * and a sort of the table. A model large enough for its key index asks
 * the engine for its plan of a page, once, and goes the way of an order
 * it cannot anchor instead: sorted keys, then its key index. */

static GormQuery *
weight_query (GormDatabase *db,
              gboolean      descending)
{
  GormQuery *query = gorm_database_query (db, TEST_TYPE_ITEM);

  /* The key in the same direction, as a model's order ends (see
   * fetch_ids()). */
  gorm_query_order_by (query, "weight", descending);
  gorm_query_order_by (query, "id", descending);
  g_object_set_data (G_OBJECT (query), "by-id", GINT_TO_POINTER (1));
  return query;
}

/* The items of @model at random positions are those of @ids, the rows
 * of a plain SELECT … ORDER BY of its query. */
static void
assert_same_at_random (GListModel *model,
                       GArray     *ids,
                       const char *what)
{
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, ids->len);
  for (guint i = 0; i < 40; i++)
    {
      guint position = (guint) g_test_rand_int_range (0, (gint32) ids->len);
      gint64 id = item_id (model, position);

      if (id != g_array_index (ids, gint64, position))
        g_error ("%s: item %u is %" G_GINT64_FORMAT ", the query's row %" G_GINT64_FORMAT,
                 what, position, id, g_array_index (ids, gint64, position));
    }
}

/* A live model of @query prepares its key index in the background,
 * then loads its pages by key. Inserts, moves and deletes, in every part
 * of the order: it places them from its key index (no position
 * counted), exactly. */
static void
check_live_by_keys (GormDatabase *db,
                    GormQuery    *query,
                    const char   *what)
{
  static const double weights[] = { -1e9, 1e9, 50.0, 37.0 };
  g_autoptr(GListModel) model = fetch_large (query, TRUE);
  g_autoptr(GArray) ids = fetch_ids (query);
  Shadow *shadow = shadow_new_with_ids (model, g_array_ref (ids));
  guint counted;

  g_assert_false (gorm_query_model_places_anchors (GORM_QUERY_MODEL (model)));
  touch_in_loop (model);
  wait_for_key_index (model);
  assert_same_at_random (model, ids, what);
  wait_for_shared_index (db, model);
  counted = gorm_query_model_get_n_counted_positions (GORM_QUERY_MODEL (model));

  for (guint i = 0; i < G_N_ELEMENTS (weights); i++)
    {
      g_autoptr(GormResource) added = g_object_new (TEST_TYPE_ITEM, "database", db, "name", "added",
                                                    "weight", weights[i], NULL);

      test_save_ok (added);
      move_and_delete (query, shadow, i * 977, i * 389 + 5,
                       weights[(i + 1) % G_N_ELEMENTS (weights)], "moved", i);
    }
  g_assert_cmpuint (gorm_query_model_get_n_counted_positions (GORM_QUERY_MODEL (model)), ==,
                    counted);
  shadow_free (shadow);
  finalize_model (db, g_steal_pointer (&model));
}

static void
test_unindexed_order (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  g_autofree char *uri = test_engine_is_postgresql () ? g_strdup (path)
                                                      : g_strconcat ("sqlite:", path, NULL);
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GError) error = NULL;

  for (guint descending = 0; descending < 2; descending++)
    {
      g_autoptr(GormQuery) query = weight_query (db, descending);
      g_autoptr(GArray) ids = fetch_ids (query);
      g_autoptr(GListModel) snapshot = NULL;
      const char *what = descending ? "-weight" : "weight";

      /* One EXPLAIN as the model is made, none for a smaller one. */
      test_log_clear (log);
      snapshot = fetch_large (query, FALSE);
      g_assert_cmpuint (test_log_count (log, "EXPLAIN"), ==, 1);
      g_assert_false (gorm_query_model_places_anchors (GORM_QUERY_MODEL (snapshot)));
      {
        g_autoptr(GListModel) small = fetch (query, TRUE);

        g_assert_true (gorm_query_model_places_anchors (GORM_QUERY_MODEL (small)));
        g_assert_cmpuint (test_log_count (log, "EXPLAIN"), ==, 1);
      }

      /* Before its key index: another connection adds a row, which
       * sorts last, after the snapshot counted its rows, so that the
       * keys it reads are not those of its items (see
       * key-index-read-at-once). Its far pages sort their keys. */
      {
        g_autoptr(GormDatabase) other = gorm_database_open (uri, NULL, &error);
        g_autoptr(GormResource) last = NULL;

        g_assert_no_error (error);
        last = g_object_new (TEST_TYPE_ITEM, "database", other, "name", "last",
                             "weight", descending ? -1e12 : 1e12, NULL);
        test_save_ok (last);
      }
      assert_same_at_random (snapshot, ids, what);
      g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (snapshot)), >, 0);
      g_assert_false (gorm_query_model_has_key_index (GORM_QUERY_MODEL (snapshot)));
      g_assert_finalize_object (g_steal_pointer (&snapshot));

      check_live_by_keys (db, query, what);
    }
  close_keyed (db, NULL, path);
}

/* The steps of a plan that sort, as each engine writes them. */
static void
test_plan_steps (void)
{
  const GormDialect *sqlite = gorm_dialect_sqlite ();
  const GormDialect *postgresql = gorm_dialect_postgresql ();

  g_assert_true (gorm_dialect_plan_step_sorts (sqlite, "USE TEMP B-TREE FOR ORDER BY"));
  g_assert_true (gorm_dialect_plan_step_sorts (sqlite, "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY"));
  g_assert_true (gorm_dialect_plan_step_sorts (sqlite, "USE TEMP B-TREE FOR LAST 2 TERMS OF ORDER BY"));
  g_assert_false (gorm_dialect_plan_step_sorts (sqlite, "USE TEMP B-TREE FOR GROUP BY"));
  g_assert_false (gorm_dialect_plan_step_sorts (sqlite, "SCAN test_item USING INDEX ix_test_item_score"));
  g_assert_false (gorm_dialect_plan_step_sorts (sqlite, NULL));

  g_assert_true (gorm_dialect_plan_step_sorts (postgresql, "  ->  Sort"));
  g_assert_true (gorm_dialect_plan_step_sorts (postgresql, "Sort"));
  g_assert_true (gorm_dialect_plan_step_sorts (postgresql, "  ->  Incremental Sort"));
  g_assert_true (gorm_dialect_plan_step_sorts (postgresql, "  ->  Sort  (cost=1.73..12.86 rows=100 width=53)"));
  g_assert_false (gorm_dialect_plan_step_sorts (postgresql, "Limit"));
  g_assert_false (gorm_dialect_plan_step_sorts (postgresql, "        Sort Key: weight, id"));
  g_assert_false (gorm_dialect_plan_step_sorts (postgresql, "        Presorted Key: weight"));
  g_assert_false (gorm_dialect_plan_step_sorts (postgresql, "  ->  Index Scan using t_weight_idx on t"));
  g_assert_false (gorm_dialect_plan_step_sorts (postgresql, "  ->  Sorted Thing"));

  /* Which of those sort all their rows before the first comes out. */
  {
    static const struct
    {
      gboolean    postgresql;
      const char *step;
      gboolean    sorts_all;
    } steps[] = {
      { FALSE, "USE TEMP B-TREE FOR ORDER BY", TRUE },
      { FALSE, "USE TEMP B-TREE FOR GROUP BY", FALSE },
      { TRUE, "  ->  Sort", TRUE },
      { TRUE, "Sort  (cost=1.73..12.86 rows=100 width=53)", TRUE },
      { TRUE, "  ->  Incremental Sort", FALSE },
      { TRUE, "  ->  Index Scan using t_weight_idx on t", FALSE },
      { TRUE, NULL, FALSE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
      g_assert_cmpint (gorm_dialect_plan_step_sorts_all (steps[i].postgresql ? postgresql : sqlite,
                                                         steps[i].step), ==, steps[i].sorts_all);
  }
}

/* With an index that gives the order the same order anchors, in either
 * direction; a filter for which the engine takes another index, and
 * sorts, does not. An EXPLAIN that fails changes nothing. The index
 * holds the key too: PostgreSQL's index of the column alone gives the
 * order up to its ties, which the engine then sorts (an Incremental
 * Sort), and a model goes by its key index then. */
static void
test_indexed_order_anchors (void)
{
  char *path = NULL;
  GormDatabase *db = open_keyed (&path);
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_cmpint (gorm_database_execute (db, "CREATE INDEX \"ix_test_item_weight\" "
                                          "ON \"test_item\" (\"weight\", \"id\")", NULL, 0, NULL,
                                          &error),
                   !=, -1);
  g_assert_no_error (error);
  for (guint descending = 0; descending < 2; descending++)
    {
      g_autoptr(GormQuery) query = weight_query (db, descending);
      g_autoptr(GListModel) model = fetch_large (query, FALSE);
      g_autoptr(GArray) ids = fetch_ids (query);

      g_assert_true (gorm_query_model_places_anchors (GORM_QUERY_MODEL (model)));
      assert_same_at_random (model, ids, descending ? "indexed -weight" : "indexed weight");
      g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (model)), ==, 0);
    }

  /* score = 5: the engine reads the rows from the index on score, and
   * sorts them by weight. */
  {
    g_autoptr(GormQuery) query = weight_query (db, FALSE);
    g_autoptr(GListModel) model = NULL;
    g_autoptr(GArray) ids = NULL;

    gorm_query_filter (query, gorm_filter_eq ("score", test_int_value (&value, 5)));
    gorm_query_model_set_key_index_min_rows (2);
    model = fetch (query, TRUE);
    gorm_query_model_set_key_index_min_rows (-1);
    ids = fetch_ids (query);
    g_assert_cmpuint (ids->len, >=, 2);
    g_assert_false (gorm_query_model_places_anchors (GORM_QUERY_MODEL (model)));
    assert_same_at_random (model, ids, "score = 5, weight");
  }

  /* The plan cannot be read: the model anchors, as without asking. */
  {
    g_autoptr(GormQuery) query = weight_query (db, FALSE);
    g_autoptr(GListModel) model = NULL;
    g_auto(GValue) five = G_VALUE_INIT;

    gorm_query_filter (query, gorm_filter_eq ("score", test_int_value (&five, 5)));
    gorm_query_model_set_key_index_min_rows (2);
    gorm_connection_inject_fault (gorm_database_get_execution (db), "EXPLAIN", GORM_ERROR_FAILED);
    test_log_clear (log);
    model = fetch (query, TRUE);
    gorm_query_model_set_key_index_min_rows (-1);
    g_assert_cmpuint (test_log_count (log, "EXPLAIN"), ==, 1);
    g_assert_true (gorm_query_model_places_anchors (GORM_QUERY_MODEL (model)));
    g_assert_cmpint (item_id (model, 0), >, 0);
  }
  close_keyed (db, NULL, path);
}

/* The integers @sql selects, read by a key reader of @db in a snapshot
 * pinned as a model pins it, or in the transaction the read begins
 * itself. */
static GArray *
read_reader_keys (GormDatabase *db,
                  const char   *sql,
                  gboolean      pin)
{
  g_autoptr(GError) error = NULL;
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  GormKeySource *source;
  GormKeyReader *reader;
  GormKeyReadWay way = GORM_KEY_READ_RANKED;

  gorm_database_lock (db);
  source = gorm_key_source_new_locked (gorm_database_get_execution (db));
  g_assert_nonnull (source);
  reader = gorm_key_reader_open (source, &error);
  g_assert_no_error (error);
  if (pin)
    g_assert_true (gorm_key_reader_pin (reader, "test_item", &error));
  g_assert_no_error (error);
  gorm_database_unlock (db);
  g_assert_true (gorm_key_reader_read (reader, sql, NULL, NULL, NULL, 0, keys, &way, &error));
  g_assert_no_error (error);
  g_assert_cmpint (way, ==, GORM_KEY_READ_SORTED_SELECT);
  gorm_key_reader_free (reader);
  gorm_key_source_free (source);
  return keys;
}

/* Whether @sql, read as read_reader_keys() reads it, selects @expected
 * (@n of them). */
static void
assert_reader_keys (GormDatabase *db,
                    const char   *sql,
                    gboolean      pin,
                    const gint64 *expected,
                    guint         n)
{
  g_autoptr(GArray) keys = read_reader_keys (db, sql, pin);

  g_assert_cmpmem (keys->data, keys->len * sizeof (gint64), expected, n * sizeof (gint64));
}

/* The key reader's connection is set for one whole read: on PostgreSQL
 * its cursors are planned for all their rows (an index that gives an
 * order in part would otherwise be walked row by row through the heap)
 * and not compiled, on SQLite its sorter may use helper threads; none
 * of it reaches the application's connection. */
static void
test_key_reader_settings (void)
{
  char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  g_autofree char *application = NULL;

  test_migrate (db, TEST_TYPE_ITEM);
  if (test_engine_is_postgresql ())
    {
      const char *settings = "SELECT (current_setting ('cursor_tuple_fraction')::float8 * 100)::bigint "
                             "UNION ALL SELECT (current_setting ('jit') = 'off')::int::bigint";
      const gint64 expected[] = { 100, 1 };

      assert_reader_keys (db, settings, TRUE, expected, G_N_ELEMENTS (expected));
      assert_reader_keys (db, settings, FALSE, expected, G_N_ELEMENTS (expected));
      application = test_query_text (db, "SELECT current_setting ('cursor_tuple_fraction')");
      g_assert_cmpstr (application, ==, "0.1");
    }
  else
    {
      guint processors = g_get_num_processors ();
      const gint64 threads = processors > 1 ? MIN (processors, 4) : 0;

      assert_reader_keys (db, "SELECT * FROM pragma_threads", TRUE, &threads, 1);
      application = test_query_text (db, "SELECT * FROM pragma_threads");
      g_assert_cmpstr (application, ==, "0");
    }
  close_keyed (db, NULL, path);
}

static GormKeyOpener *
start_opener (GormDatabase *db)
{
  GormKeySource *source;

  gorm_database_lock (db);
  source = gorm_key_source_new_locked (gorm_database_get_execution (db));
  gorm_database_unlock (db);
  g_assert_nonnull (source);
  return gorm_key_opener_start (source);
}

/* A reader opened ahead in a thread of its own: taken once opened,
 * waiting or not, or dropped while it opens; one that cannot open gives
 * its error to whoever takes it. */
static void
test_key_reader_opener (void)
{
  char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  GormKeyOpener *opener;
  GormKeyReader *reader;
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));

  test_migrate (db, TEST_TYPE_ITEM);

  /* Dropped at once: the thread closes what it opens. */
  gorm_key_opener_drop (start_opener (db));

  /* Not waited for: kept until it is open. */
  opener = start_opener (db);
  while ((reader = gorm_key_opener_take (&opener, 0, &error)) == NULL)
    {
      g_assert_no_error (error);
      g_assert_nonnull (opener);
      g_usleep (1000);
    }
  g_assert_null (opener);
  g_assert_true (gorm_key_reader_read (reader, "SELECT 7", NULL, NULL, NULL, 0, keys, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpint (g_array_index (keys, gint64, 0), ==, 7);
  gorm_key_reader_free (reader);

  /* Waited for, however long it takes. */
  opener = start_opener (db);
  reader = gorm_key_opener_take (&opener, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reader);
  g_assert_null (opener);
  gorm_key_reader_free (reader);

  /* An SQLite file that left WAL mode has no reader: the error is the
   * taker's. */
  if (!test_engine_is_postgresql ())
    {
      /* Leaving WAL mode needs the file's only connection: with a
       * reader open it is refused as busy (libgda reports no reason for
       * such a step; the handle's is given). The dropped opener's thread
       * closes its reader first (on a slow run it may still be opening
       * it). */
      opener = start_opener (db);
      reader = gorm_key_opener_take (&opener, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gorm_database_execute (db, "PRAGMA journal_mode = DELETE", NULL, 0, NULL, &error),
                       <, 0);
      g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
      g_assert_nonnull (strstr (error->message, "locked"));
      g_assert_nonnull (strstr (error->message, "journal_mode"));
      g_clear_error (&error);
      gorm_key_reader_free (reader);
      while (gorm_key_opener_get_n_running () > 0)
        g_usleep (1000);
      g_assert_cmpint (gorm_database_execute (db, "PRAGMA journal_mode = DELETE", NULL, 0, NULL, &error),
                       >=, 0);
      g_assert_no_error (error);
      opener = start_opener (db);
      reader = gorm_key_opener_take (&opener, -1, &error);
      g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
      g_assert_null (reader);
      g_assert_null (opener);
    }
  close_keyed (db, NULL, path);
}

/* An in-memory database has no second connection: no key index, pages
 * load as without one. */
static void
test_key_index_memory (void)
{
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;

  db = test_open_memory ();
  test_migrate (db, TEST_TYPE_ITEM);
  fill_keyed (db);
  query = keyed_query (db, 1);
  gorm_query_model_set_key_index_min_rows (100);
  model = fetch (query, TRUE);
  gorm_query_model_set_key_index_min_rows (-1);
  touch_in_loop (model);
  g_assert_false (gorm_query_model_is_preparing (GORM_QUERY_MODEL (model)));
  g_assert_false (gorm_query_model_has_key_index (GORM_QUERY_MODEL (model)));
  g_assert_cmpint (item_id (model, g_list_model_get_n_items (model) - 1), >, 0);
  /* Its far pages sort their keys only. */
  g_assert_cmpuint (gorm_query_model_get_n_sorted_key_pages (GORM_QUERY_MODEL (model)), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&model));
  while (gorm_database_get_n_live (db) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* fetch_async() reads a whole snapshot on the worker and builds its
 * objects in the main context, in fetch_finish(): a binding's class (a
 * gjs one) cannot be built on another thread. */
static void
test_fetch_whole_async (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 150;

  test_migrate (db, TEST_TYPE_ITEM);
  fill (db, n);
  gorm_query_model_set_whole_max_rows (-1);
  query = gorm_database_query (db, TEST_TYPE_ITEM);
  log = test_log_attach (db);
  gorm_query_fetch_async (query, NULL, store_async_result_cb, &result);
  wait_async (&result);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  model = gorm_query_fetch_finish (query, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, n);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (item_id (model, i), ==, i + 1);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_finalize_object (g_steal_pointer (&model));
  g_clear_object (&result);

  /* A result never finished keeps nothing. */
  gorm_query_fetch_async (query, NULL, store_async_result_cb, &result);
  wait_async (&result);
  g_clear_object (&result);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);

  gorm_query_model_set_whole_max_rows (0);
  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Snapshots read page by page here, as live models do, unless a test
   * says otherwise (fetch-whole, fetch-larger-than-whole). */
  gorm_query_model_set_whole_max_rows (0);
  /* On PostgreSQL the key reader fetches its cursor in batches of 65,536
   * rows: batches of 700 make the key indexes of these tests (up to
   * 3,000 rows) take several, and one a short last one. */
  g_setenv ("GORM_KEY_READ_BATCH_ROWS", "700", FALSE);

  g_test_add_func ("/Gorm/QueryModel/fetch-pages", test_fetch_pages);
  g_test_add_func ("/Gorm/QueryModel/fetch-whole", test_fetch_whole);
  g_test_add_func ("/Gorm/QueryModel/fetch-larger-than-whole", test_fetch_larger_than_whole);
  g_test_add_func ("/Gorm/QueryModel/fetch-whole-async", test_fetch_whole_async);
  g_test_add_func ("/Gorm/QueryModel/random-access", test_random_access);
  g_test_add_func ("/Gorm/QueryModel/identity", test_identity);
  g_test_add_func ("/Gorm/QueryModel/identity-keeps-unsaved-changes", test_identity_keeps_unsaved_changes);
  g_test_add_func ("/Gorm/QueryModel/live-window", test_live_window);
  g_test_add_func ("/Gorm/QueryModel/live-main-context", test_live_main_context);
  g_test_add_func ("/Gorm/QueryModel/live-randomized", test_live_randomized);
  g_test_add_func ("/Gorm/QueryModel/live-transactions", test_live_transactions);
  g_test_add_func ("/Gorm/QueryModel/live-failed-commit", test_live_failed_commit);
  g_test_add_func ("/Gorm/QueryModel/live-async-begin", test_live_async_begin);
  g_test_add_func ("/Gorm/QueryModel/live-stress", test_live_stress);
  g_test_add_func ("/Gorm/QueryModel/key-index-same-items", test_key_index_same_items);
  g_test_add_func ("/Gorm/QueryModel/key-index-first-page-waits", test_key_index_first_page_waits);
  g_test_add_func ("/Gorm/QueryModel/key-index-related-order", test_key_index_related_order);
  g_test_add_func ("/Gorm/QueryModel/key-index-ranked-order", test_key_index_ranked_order);
  g_test_add_func ("/Gorm/QueryModel/key-index-sorted-keys", test_key_index_sorted_keys);
  g_test_add_func ("/Gorm/QueryModel/key-index-sorted-keys-anchored", test_key_index_sorted_keys_anchored);
  g_test_add_func ("/Gorm/QueryModel/key-index-live", test_key_index_live);
  g_test_add_func ("/Gorm/QueryModel/key-index-writes", test_key_index_writes);
  g_test_add_func ("/Gorm/QueryModel/key-index-placement", test_key_index_placement);
  g_test_add_func ("/Gorm/QueryModel/key-index-placement-from-empty",
                   test_key_index_placement_from_empty);
  g_test_add_func ("/Gorm/QueryModel/key-index-writes-other-connection",
                   test_key_index_writes_other_connection);
  g_test_add_func ("/Gorm/QueryModel/key-index-read-at-once", test_key_index_read_at_once);
  g_test_add_func ("/Gorm/QueryModel/key-index-read-from-first-get", test_key_index_read_from_first_get);
  g_test_add_func ("/Gorm/QueryModel/key-index-other-connection", test_key_index_other_connection);
  g_test_add_func ("/Gorm/QueryModel/key-index-dispose", test_key_index_dispose);
  g_test_add_func ("/Gorm/QueryModel/key-index-unindexed-order", test_unindexed_order);
  g_test_add_func ("/Gorm/QueryModel/indexed-order-anchors", test_indexed_order_anchors);
  g_test_add_func ("/Gorm/QueryModel/plan-steps", test_plan_steps);
  g_test_add_func ("/Gorm/QueryModel/key-reader-settings", test_key_reader_settings);
  g_test_add_func ("/Gorm/QueryModel/key-reader-opener", test_key_reader_opener);
  /* SQLite only: a PostgreSQL database always has a second connection. */
  if (!test_engine_is_postgresql ())
    g_test_add_func ("/Gorm/QueryModel/key-index-memory", test_key_index_memory);

  return g_test_run ();
}
