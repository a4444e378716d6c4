/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * libgorm-c: the workload written as a C user of libgorm writes it, with
 * the models of ../bench-model.c (BenchAuthor, BenchPost and their
 * accessors; built with BENCH_MODEL_FOREIGN_KEY, so a post's author-id is
 * a foreign key, relation "author"), the schema created by
 * gorm_database_migrate(), objects saved and deleted one by one, queries
 * built with GormQuery and the relation read through
 * gorm_query_select_related() and gorm_resource_query_related(); the
 * grouped rows of aggregate from gorm_query_select() and
 * gorm_query_fetch_rows(), the posts of bulk_create inserted by
 * gorm_database_bulk_insert().
 */

#include <gorm.h>

#include "../bench-model.h"
#include "workload.h"

static WorkloadRun run;

/* The operations are not inlined, so that a profile can single them out
 * (valgrind --tool=callgrind --toggle-collect=op_fetch_all). */

static void
check (gboolean      ok,
       const GError *error,
       const char   *what)
{
  if (!ok)
    workload_fail (&run, what, error ? error->message : NULL);
}

static GValue *
int64_value (GValue *value,
             gint64  number)
{
  g_value_init (value, G_TYPE_INT64);
  g_value_set_int64 (value, number);
  return value;
}

static GValue *
boolean_value (GValue   *value,
               gboolean  boolean)
{
  g_value_init (value, G_TYPE_BOOLEAN);
  g_value_set_boolean (value, boolean);
  return value;
}

/* Every object of @query, held in an array. */
static GPtrArray *
load_all (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = gorm_query_fetch (query, NULL, &error);
  GPtrArray *posts;
  guint n;

  check (model != NULL, error, "fetch");
  n = g_list_model_get_n_items (model);
  posts = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (posts, g_list_model_get_item (model, i));
  return posts;
}

/* The pub_date of every post, as GDateTimes, made before any timing. */
static GPtrArray *
make_dates (void)
{
  GPtrArray *dates = g_ptr_array_new_full (WORKLOAD_N_POSTS, (GDestroyNotify) g_date_time_unref);

  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      const WorkloadDate *d = &run.data->posts[i].pub_date;

      g_ptr_array_add (dates, g_date_time_new_utc (d->year, d->month, d->day, d->hour,
                                                   d->minute, d->second));
    }
  return dates;
}

G_GNUC_NO_INLINE static void
op_insert (GormDatabase *db)
{
  const WorkloadData *data = run.data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) authors = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);
  /* Data are made before any timing, GDateTimes included. */
  g_autoptr(GPtrArray) dates = make_dates ();

  workload_begin (&run, WORKLOAD_INSERT);
  check (gorm_database_begin (db, NULL, &error), error, "begin");
  for (int i = 0; i < WORKLOAD_N_AUTHORS; i++)
    {
      BenchAuthor *author = g_object_new (BENCH_TYPE_AUTHOR, "database", db,
                                          "name", data->authors[i], NULL);

      check (gorm_resource_save (GORM_RESOURCE (author), NULL, &error), error, "save author");
      g_ptr_array_add (authors, author);
    }
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      const WorkloadPost *in = &data->posts[i];
      GormResource *author = g_ptr_array_index (authors, in->author);
      BenchPost *post = g_object_new (BENCH_TYPE_POST, "database", db,
                                      "title", in->title,
                                      "content", in->content,
                                      "pub-date", g_ptr_array_index (dates, i),
                                      "views", in->views,
                                      "rating", in->rating,
                                      "published", in->published,
                                      "author-id", gorm_resource_get_id (author),
                                      NULL);

      check (gorm_resource_save (GORM_RESOURCE (post), NULL, &error), error, "save post");
      g_ptr_array_add (posts, post);
    }
  check (gorm_database_commit (db, NULL, &error), error, "commit");
  for (guint i = 0; i < posts->len; i++)
    run.checks.insert_sum_id += gorm_resource_get_id (g_ptr_array_index (posts, i));
  workload_end (&run, WORKLOAD_INSERT);
}

/* The fetches give their model back: main() drops it, and with it the
 * objects, after the timed region, as every other peer frees its rows
 * (raw_sqlite and raw_gda after workload_end(), the Python peers after
 * their timer). */
G_GNUC_NO_INLINE static GListModel *
op_fetch_all (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);
  g_autoptr(GListModel) model = gorm_query_fetch (query, NULL, &error);
  guint n;

  check (model != NULL, error, "fetch");
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BenchPost) post = g_list_model_get_item (model, i);
      GDateTime *pub_date = bench_post_get_pub_date (post);
      WorkloadDate date;

      g_date_time_get_ymd (pub_date, &date.year, &date.month, &date.day);
      date.hour = g_date_time_get_hour (pub_date);
      date.minute = g_date_time_get_minute (pub_date);
      date.second = g_date_time_get_second (pub_date);
      workload_read_post (&run.checks, gorm_resource_get_id (GORM_RESOURCE (post)),
                          bench_post_get_title (post), bench_post_get_content (post), &date,
                          bench_post_get_views (post), bench_post_get_rating (post),
                          bench_post_get_published (post), bench_post_get_author_id (post));
    }
  workload_fetch_done (&run.checks);
  return g_steal_pointer (&model);
}

G_GNUC_NO_INLINE static GListModel *
op_fetch_related (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);
  g_autoptr(GListModel) model = NULL;
  guint n;

  gorm_query_select_related (query, "author");
  model = gorm_query_fetch (query, NULL, &error);
  check (model != NULL, error, "fetch related");
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GormResource) post = g_list_model_get_item (model, i);
      /* Loaded with the post: never the database. */
      BenchAuthor *author = gorm_resource_peek_related (post, "author");

      if (author == NULL)
        workload_fail (&run, "fetch related", "the author did not come with its post");
      workload_read_related (&run.checks, gorm_resource_get_id (post),
                             bench_author_get_name (author));
    }
  return g_steal_pointer (&model);
}

G_GNUC_NO_INLINE static void
op_filter (GormDatabase *db)
{
  for (int q = 0; q < WORKLOAD_N_FILTERS; q++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GValue) views = G_VALUE_INIT;
      g_auto(GValue) published = G_VALUE_INIT;
      g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);
      g_autoptr(GListModel) model = NULL;
      guint n;

      gorm_query_filter (query, gorm_filter_and (
                           gorm_filter_gt ("views", int64_value (&views, run.data->filter_views[q])),
                           gorm_filter_eq ("published", boolean_value (&published, TRUE))));
      gorm_query_order_by (query, "pub-date", TRUE);
      gorm_query_limit (query, WORKLOAD_FILTER_LIMIT);
      model = gorm_query_fetch (query, NULL, &error);
      check (model != NULL, error, "filter");
      n = g_list_model_get_n_items (model);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GormResource) post = g_list_model_get_item (model, i);

          run.checks.filter_sum_id += gorm_resource_get_id (post);
        }
    }
}

G_GNUC_NO_INLINE static void
op_get_by_pk (GormDatabase *db)
{
  for (int q = 0; q < WORKLOAD_N_GETS; q++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BenchPost) post = gorm_database_get (db, BENCH_TYPE_POST, run.data->get_ids[q],
                                                     NULL, &error);

      check (post != NULL, error, "get");
      run.checks.get_sum_views += bench_post_get_views (post);
    }
}

G_GNUC_NO_INLINE static void
op_count (GormDatabase *db)
{
  for (int q = 0; q < WORKLOAD_N_COUNTS; q++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GValue) author = G_VALUE_INIT;
      g_auto(GValue) published = G_VALUE_INIT;
      g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);
      gint64 n;

      gorm_query_filter (query, gorm_filter_and (
                           gorm_filter_eq ("author-id", int64_value (&author, run.data->count_authors[q])),
                           gorm_filter_eq ("published", boolean_value (&published, TRUE))));
      n = gorm_query_count (query, NULL, &error);
      check (n >= 0, error, "count");
      run.checks.count_sum += n;
    }
}

G_GNUC_NO_INLINE static void
op_count_related (GPtrArray *authors)
{
  for (guint i = 0; i < authors->len; i++)
    {
      g_autoptr(GError) error = NULL;
      GormResource *author = g_ptr_array_index (authors, i);
      g_autoptr(GormQuery) query = gorm_resource_query_related (author, "bench_post_set");
      gint64 n = gorm_query_count (query, NULL, &error);

      check (n >= 0, error, "count related");
      workload_count_related (&run.checks, gorm_resource_get_id (author), n);
    }
}

/* An integer a row holds (what count and sum of integers give). */
static gint64
row_int64 (GormRow *row,
           guint    column)
{
  const GValue *value = gorm_row_get_value (row, column);

  if (value == NULL || !G_VALUE_HOLDS_INT64 (value))
    workload_fail (&run, "aggregate", "not an integer");
  return g_value_get_int64 (value);
}

G_GNUC_NO_INLINE static void
op_aggregate (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);
  g_autoptr(GListModel) rows = NULL;
  guint n;

  /* Django's values("author").annotate(n=Count("id"), v=Sum("views")):
   * the selected property that is no aggregate is the GROUP BY. */
  gorm_query_select (query, "author", gorm_expression_property ("author-id"));
  gorm_query_select (query, "n", gorm_expression_count (gorm_expression_property ("id"), FALSE));
  gorm_query_select (query, "v", gorm_expression_sum (gorm_expression_property ("views")));
  rows = gorm_query_fetch_rows (query, NULL, &error);
  check (rows != NULL, error, "aggregate");
  n = g_list_model_get_n_items (rows);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GormRow) row = g_list_model_get_item (rows, i);

      workload_aggregate_row (&run.checks, row_int64 (row, 0), row_int64 (row, 1),
                              row_int64 (row, 2));
    }
}

G_GNUC_NO_INLINE static void
op_update (GormDatabase *db,
           GPtrArray    *posts)
{
  g_autoptr(GError) error = NULL;

  check (gorm_database_begin (db, NULL, &error), error, "begin");
  for (guint i = 0; i < posts->len; i++)
    {
      BenchPost *post = g_ptr_array_index (posts, i);

      bench_post_set_views (post, bench_post_get_views (post) + 1);
      check (gorm_resource_save (GORM_RESOURCE (post), NULL, &error), error, "save");
    }
  check (gorm_database_commit (db, NULL, &error), error, "commit");
}

G_GNUC_NO_INLINE static void
op_delete_bulk (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) views = G_VALUE_INIT;
  g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);

  gorm_query_filter (query, gorm_filter_lt ("views", int64_value (&views, 5000)));
  run.checks.delete_bulk_rows = gorm_query_delete (query, NULL, &error);
  check (run.checks.delete_bulk_rows >= 0, error, "delete");
}

G_GNUC_NO_INLINE static void
op_delete_each (GormDatabase *db,
                GPtrArray    *posts)
{
  g_autoptr(GError) error = NULL;

  check (gorm_database_begin (db, NULL, &error), error, "begin");
  for (guint i = 0; i < posts->len; i++)
    check (gorm_resource_delete (g_ptr_array_index (posts, i), NULL, &error), error, "delete");
  check (gorm_database_commit (db, NULL, &error), error, "commit");
}

/* The posts made as objects, then inserted by one call; @dates made
 * before the timing, as op_insert's. */
G_GNUC_NO_INLINE static void
op_bulk_create (GormDatabase *db,
                GPtrArray    *authors,
                GPtrArray    *dates)
{
  const WorkloadData *data = run.data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = g_ptr_array_new_full (WORKLOAD_N_POSTS, g_object_unref);

  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      const WorkloadPost *in = &data->posts[i];

      g_ptr_array_add (posts, g_object_new (BENCH_TYPE_POST, "database", db,
                                            "title", in->title,
                                            "content", in->content,
                                            "pub-date", g_ptr_array_index (dates, i),
                                            "views", in->views,
                                            "rating", in->rating,
                                            "published", in->published,
                                            "author-id", gorm_resource_get_id (
                                              g_ptr_array_index (authors, in->author)),
                                            NULL));
    }
  check (gorm_database_bulk_insert (db, (GormResource * const *) posts->pdata, posts->len,
                                    NULL, &error), error, "bulk insert");
  for (guint i = 0; i < posts->len; i++)
    workload_bulk_post (&run.checks, gorm_resource_get_id (g_ptr_array_index (posts, i)));
}

/* `SELECT sqlite_version()` on the connection libgorm opened: the SQLite
 * that libgda loaded. */
static char *
sqlite_version (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  GdaDataModel *model =
    gda_connection_execute_select_command (gorm_database_get_connection (db),
                                           "SELECT sqlite_version()", &error);
  const GValue *value;
  char *version;

  /* libgda 5 defines no autoptr cleanup for its model interface. */
  check (model != NULL, error, "sqlite_version()");
  value = gda_data_model_get_value_at (model, 0, 0, &error);
  check (value != NULL, error, "sqlite_version()");
  version = g_value_dup_string (value);
  g_object_unref (model);
  return version;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GListModel) fetched = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *version = NULL;
  g_autofree char *sqlite = NULL;
  GType types[] = { BENCH_TYPE_AUTHOR, BENCH_TYPE_POST };

  workload_init (&run, "libgorm-c", WORKLOAD_ENGINE_SQLITE | WORKLOAD_ENGINE_POSTGRESQL, argc, argv);
  /* PostgreSQL: the run's fresh database, as a postgresql:// URI. */
  if (run.engine == WORKLOAD_POSTGRESQL)
    uri = g_strdup (run.pg_uri);
  else
    uri = g_strconcat ("sqlite:", run.path, NULL);
  db = gorm_database_open (uri, NULL, &error);
  check (db != NULL, error, run.engine == WORKLOAD_POSTGRESQL ? run.pg_dbname : uri);
  for (const char * const *pragma = run.pragmas; pragma && *pragma; pragma++)
    check (gorm_database_execute (db, *pragma, NULL, 0, NULL, &error) >= 0, error, *pragma);
  check (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error), error, "migrate");

  op_insert (db);

  workload_begin (&run, WORKLOAD_FETCH_ALL);
  fetched = op_fetch_all (db);
  workload_end (&run, WORKLOAD_FETCH_ALL);
  g_clear_object (&fetched);

  workload_begin (&run, WORKLOAD_FETCH_RELATED);
  fetched = op_fetch_related (db);
  workload_end (&run, WORKLOAD_FETCH_RELATED);
  g_clear_object (&fetched);

  workload_begin (&run, WORKLOAD_FILTER);
  op_filter (db);
  workload_end (&run, WORKLOAD_FILTER);

  workload_begin (&run, WORKLOAD_GET_BY_PK);
  op_get_by_pk (db);
  workload_end (&run, WORKLOAD_GET_BY_PK);

  workload_begin (&run, WORKLOAD_COUNT);
  op_count (db);
  workload_end (&run, WORKLOAD_COUNT);

  {
    g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_AUTHOR);
    g_autoptr(GPtrArray) authors = NULL;

    gorm_query_order_by (query, "id", FALSE);
    authors = load_all (query);
    workload_begin (&run, WORKLOAD_COUNT_RELATED);
    op_count_related (authors);
    workload_end (&run, WORKLOAD_COUNT_RELATED);
  }

  workload_begin (&run, WORKLOAD_AGGREGATE);
  op_aggregate (db);
  workload_end (&run, WORKLOAD_AGGREGATE);

  {
    g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);

    posts = load_all (query);
  }
  workload_begin (&run, WORKLOAD_UPDATE);
  op_update (db, posts);
  workload_end (&run, WORKLOAD_UPDATE);
  g_clear_pointer (&posts, g_ptr_array_unref);

  workload_begin (&run, WORKLOAD_DELETE_BULK);
  op_delete_bulk (db);
  workload_end (&run, WORKLOAD_DELETE_BULK);

  {
    g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);

    gorm_query_order_by (query, "id", FALSE);
    gorm_query_limit (query, WORKLOAD_N_DELETE_EACH);
    posts = load_all (query);
  }
  workload_begin (&run, WORKLOAD_DELETE_EACH);
  op_delete_each (db, posts);
  workload_end (&run, WORKLOAD_DELETE_EACH);
  g_clear_pointer (&posts, g_ptr_array_unref);

  {
    g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_AUTHOR);
    g_autoptr(GPtrArray) authors = NULL;
    g_autoptr(GPtrArray) dates = make_dates ();

    gorm_query_order_by (query, "id", FALSE);
    authors = load_all (query);
    workload_begin (&run, WORKLOAD_BULK_CREATE);
    op_bulk_create (db, authors, dates);
    workload_end (&run, WORKLOAD_BULK_CREATE);
  }

  if (run.engine == WORKLOAD_SQLITE)
    sqlite = sqlite_version (db);
  version = g_strdup_printf ("libgorm %s (C)", GORM_VERSION_S);
  check (gorm_database_close (db, NULL, &error), error, "close");
  return workload_finish (&run, version, sqlite);
}
