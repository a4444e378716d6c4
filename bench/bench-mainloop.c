/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Whether the main loop keeps its frames while libgorm works: a 1 ms
 * timeout records the gap between its consecutive calls while
 *
 *   A. 100,000 new objects are saved in one transaction, with
 *      gorm_database_run_in_transaction_async() (the transaction function
 *      calls gorm_resource_save() on the worker), then the same with
 *      gorm_database_run_in_transaction() on the main thread, in a fresh
 *      database;
 *   B. a query over 1,000,000 rows is opened with
 *      gorm_query_fetch_async() and gorm_query_watch_async(), then with
 *      their sync forms; the first 50 items are read in the callback.
 *
 * The goal is that no gap exceeds 16 ms, one frame at 60 Hz. A sync call
 * blocks the main loop for its whole length, so its maximum gap is the
 * call's time: those rows are there for the throughput and the contrast.
 *
 * The gap that spans a callback (with the work done there) is counted;
 * the run stops at the first tick after it. The latency column is, for
 * the async save, the time from the end of the transaction function on
 * the worker to the callback (the COMMIT, and whatever queued changes the
 * main context had still to apply); for a query, from the call to the
 * model. Details go to stderr: the longest gaps, when they came and how
 * many notify::id the main context received during each, and where the
 * time of the async save went.
 *
 *   bench-mainloop [ROWS] [FETCH-ROWS] [DIRECTORY]
 *
 * ROWS (default 100000) objects are saved, FETCH-ROWS (default 1000000)
 * rows are fetched; the database files go to DIRECTORY (default the
 * temporary directory) and are removed afterwards.
 */

#include <glib/gstdio.h>

#include "bench-model.h"

/* One frame at 60 Hz. */
#define FRAME_USEC 16000
#define FIRST_ITEMS 50

typedef struct
{
  GMainLoop   *loop;
  GArray      *gaps;         /* of gint64, µs */
  gint64       last;
  /* A count the work advances in the main context (notify::id received),
   * read at each tick to tell a gap spent running queued actions from one
   * spent blocked or descheduled; NULL when there is none. */
  const guint *progress;
  GArray      *progress_at;  /* of guint, one a gap */
  /* Set when the measured work is over: the next tick records its gap
   * and stops the loop. */
  gboolean     done;
} Ticker;

typedef struct
{
  char     *name;
  char     *form;
  guint     rows;
  /* Negative when it does not apply. */
  double    seconds;
  double    latency_ms;
  guint     n_gaps;
  double    p50_ms;
  double    p99_ms;
  double    max_ms;
  guint     n_over_frame;
} Row;

static GArray *rows_table;  /* of Row */

static GormDatabase *
open_fresh (const char *directory,
            const char *tag,
            char      **path_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autofree char *path = g_strdup_printf ("%s/gorm-bench-mainloop-%d-%s.db",
                                           directory, getpid (), tag);
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  GType types[] = { BENCH_TYPE_POST };

  bench_remove_database (path);
  db = gorm_database_open (uri, NULL, &error);
  if (db == NULL || !gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error))
    g_error ("Cannot open %s: %s", path, error->message);

  *path_out = g_steal_pointer (&path);
  return g_steal_pointer (&db);
}

static void
close_and_remove (GormDatabase **db,
                  char         **path)
{
  g_autoptr(GError) error = NULL;

  if (!gorm_database_close (*db, NULL, &error))
    g_error ("%s", error->message);
  g_clear_object (db);
  bench_remove_database (*path);
  g_clear_pointer (path, g_free);
}

static gboolean
tick_cb (gpointer data)
{
  Ticker *ticker = data;
  gint64 now = g_get_monotonic_time ();
  gint64 gap = now - ticker->last;

  guint progress = ticker->progress ? *ticker->progress : 0;

  g_array_append_val (ticker->gaps, gap);
  g_array_append_val (ticker->progress_at, progress);
  ticker->last = now;
  if (!ticker->done)
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (ticker->loop);
  return G_SOURCE_REMOVE;
}

static void
ticker_start (Ticker      *ticker,
              const guint *progress)
{
  g_clear_pointer (&ticker->gaps, g_array_unref);
  g_clear_pointer (&ticker->progress_at, g_array_unref);
  ticker->gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  ticker->progress_at = g_array_new (FALSE, FALSE, sizeof (guint));
  ticker->progress = progress;
  ticker->done = FALSE;
  ticker->last = g_get_monotonic_time ();
  g_timeout_add (1, tick_cb, ticker);
}

/* Runs the loop until the work set ticker->done and the tick after it
 * came. */
static void
ticker_run (Ticker *ticker)
{
  g_main_loop_run (ticker->loop);
}

static gint
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* The nearest-rank percentile of sorted gaps. */
static double
percentile_ms (GArray *sorted,
               double  fraction)
{
  guint rank = (guint) MAX (1.0, (double) sorted->len * fraction + 0.999999);

  return g_array_index (sorted, gint64, MIN (rank, sorted->len) - 1) / 1000.0;
}

static Row *
add_row (const char *name,
         const char *form,
         guint       rows,
         double      seconds,
         double      latency_ms,
         Ticker     *ticker)
{
  g_autoptr(GArray) sorted = g_array_copy (ticker->gaps);
  Row row = { g_strdup (name), g_strdup (form), rows, seconds, latency_ms, sorted->len, 0, 0, 0, 0 };

  g_array_sort (sorted, compare_gaps);
  if (sorted->len > 0)
    {
      row.p50_ms = percentile_ms (sorted, 0.50);
      row.p99_ms = percentile_ms (sorted, 0.99);
      row.max_ms = g_array_index (sorted, gint64, sorted->len - 1) / 1000.0;
    }
  for (guint i = 0; i < sorted->len; i++)
    if (g_array_index (sorted, gint64, i) > FRAME_USEC)
      row.n_over_frame++;
  g_array_append_val (rows_table, row);

  g_printerr ("%s, %s: %u gaps, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %u > 16 ms\n",
              name, form, row.n_gaps, row.p50_ms, row.p99_ms, row.max_ms, row.n_over_frame);
  return &g_array_index (rows_table, Row, rows_table->len - 1);
}

/* The longest gaps, when they ended (from the start of the run) and
 * how far the work advanced in the main context during each: enough to
 * tell which part of the work held the loop. */
static void
print_longest_gaps (Ticker *ticker,
                    guint   n)
{
  g_autoptr(GArray) sorted = g_array_copy (ticker->gaps);
  gint64 at = 0, threshold;
  guint shown = 0;

  if (sorted->len == 0)
    return;
  g_array_sort (sorted, compare_gaps);
  threshold = g_array_index (sorted, gint64, sorted->len - MIN (n, sorted->len));
  g_printerr ("  longest gaps (ended at ms: length ms%s):", ticker->progress ? ", notify::id in it" : "");
  for (guint i = 0; i < ticker->gaps->len && shown < n; i++)
    {
      gint64 gap = g_array_index (ticker->gaps, gint64, i);

      at += gap;
      if (gap < threshold)
        continue;
      shown++;
      g_printerr (" %.0f: %.2f", at / 1000.0, gap / 1000.0);
      if (ticker->progress != NULL)
        g_printerr (" (%u)", g_array_index (ticker->progress_at, guint, i) -
                             (i > 0 ? g_array_index (ticker->progress_at, guint, i - 1) : 0));
    }
  g_printerr ("\n");
}

/* Phase A: saving. */

typedef struct
{
  Ticker    *ticker;
  GPtrArray *posts;
  /* notify::id in the main context. */
  guint      n_notified;
  gint64     last_notified;
  /* The transaction function, on whichever thread runs it. */
  gint64     func_start;
  gint64     func_end;
  gint64     started;
  gint64     called;
} SaveRun;

static void
id_notified_cb (GObject    *object,
                GParamSpec *pspec,
                gpointer    user_data)
{
  SaveRun *run = user_data;

  run->n_notified++;
  run->last_notified = g_get_monotonic_time ();
}

static GPtrArray *
new_posts (GormDatabase *db,
           guint         rows,
           SaveRun      *run)
{
  g_autoptr(GDateTime) epoch = g_date_time_new_utc (2020, 1, 1, 0, 0, 0);
  GPtrArray *posts = g_ptr_array_new_full (rows, g_object_unref);

  for (guint i = 0; i < rows; i++)
    {
      g_autoptr(GDateTime) pub_date = g_date_time_add_seconds (epoch, i % 31536000);
      g_autofree char *title = g_strdup_printf ("Post %u", i);
      GObject *post = g_object_new (BENCH_TYPE_POST,
                                    "database", db,
                                    "title", title,
                                    "content", "Lorem ipsum dolor sit amet",
                                    "pub-date", pub_date,
                                    "views", (gint64) (i % 10000),
                                    "rating", (i % 5001) / 1000.0,
                                    "published", i % 4 != 0,
                                    "author-id", (gint64) (i % 200 + 1),
                                    NULL);

      g_signal_connect (post, "notify::id", G_CALLBACK (id_notified_cb), run);
      g_ptr_array_add (posts, post);
    }
  return posts;
}

/* The transaction function: the sync API, on the worker for the async
 * form and on the main thread for the sync one. */
static gboolean
save_all (GormDatabase  *database,
          gpointer       user_data,
          GError       **error)
{
  SaveRun *run = user_data;

  run->func_start = g_get_monotonic_time ();
  for (guint i = 0; i < run->posts->len; i++)
    if (!gorm_resource_save (g_ptr_array_index (run->posts, i), NULL, error))
      return FALSE;
  run->func_end = g_get_monotonic_time ();
  return TRUE;
}

static guint
count_ids (GPtrArray *posts)
{
  guint n = 0;

  for (guint i = 0; i < posts->len; i++)
    if (gorm_resource_get_id (g_ptr_array_index (posts, i)) != 0)
      n++;
  return n;
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  SaveRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->called = g_get_monotonic_time ();
  if (!gorm_database_run_in_transaction_finish (GORM_DATABASE (source), result, &error))
    g_error ("The async transaction failed: %s", error->message);
  run->ticker->done = TRUE;
}

static gboolean
save_sync_cb (gpointer user_data)
{
  SaveRun *run = user_data;
  g_autoptr(GError) error = NULL;
  GormDatabase *db = gorm_resource_get_database (g_ptr_array_index (run->posts, 0));

  run->started = g_get_monotonic_time ();
  if (!gorm_database_run_in_transaction (db, save_all, run, NULL, &error))
    g_error ("The sync transaction failed: %s", error->message);
  run->called = g_get_monotonic_time ();
  run->ticker->done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
phase_save (Ticker     *ticker,
            const char *directory,
            guint       rows)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = NULL;
  SaveRun run = { ticker };
  double async_seconds, sync_seconds;
  guint n_ids;

  /* Async. */
  db = open_fresh (directory, "save-async", &path);
  run.posts = new_posts (db, rows, &run);
  ticker_start (ticker, &run.n_notified);
  run.started = g_get_monotonic_time ();
  gorm_database_run_in_transaction_async (db, save_all, &run, NULL, NULL, saved_cb, &run);
  ticker_run (ticker);

  /* The ids and their notifications reached the main context before the
   * callback. */
  n_ids = count_ids (run.posts);
  g_assert_cmpuint (n_ids, ==, rows);
  g_assert_cmpuint (run.n_notified, ==, rows);
  g_assert_cmpint (run.last_notified, <=, run.called);

  async_seconds = (run.called - run.started) / 1e6;
  add_row ("save 1 transaction", "async", rows, async_seconds,
           (run.called - run.func_end) / 1000.0, ticker);
  print_longest_gaps (ticker, 5);
  g_printerr ("  async: call -> function start %.1f ms; function %.3f s on the worker; "
              "function end -> last notify::id %.1f ms -> callback %.1f ms; "
              "ids at the callback %u/%u, notify::id %u/%u\n",
              (run.func_start - run.started) / 1000.0,
              (run.func_end - run.func_start) / 1e6,
              (run.last_notified - run.func_end) / 1000.0,
              (run.called - run.last_notified) / 1000.0,
              n_ids, rows, run.n_notified, rows);
  g_clear_pointer (&run.posts, g_ptr_array_unref);
  close_and_remove (&db, &path);

  /* Sync, on the main thread, in a fresh database. */
  run = (SaveRun) { ticker };
  db = open_fresh (directory, "save-sync", &path);
  run.posts = new_posts (db, rows, &run);
  ticker_start (ticker, &run.n_notified);
  g_idle_add (save_sync_cb, &run);
  ticker_run (ticker);

  g_assert_cmpuint (count_ids (run.posts), ==, rows);
  g_assert_cmpuint (run.n_notified, ==, rows);
  sync_seconds = (run.called - run.started) / 1e6;
  add_row ("save 1 transaction", "sync", rows, sync_seconds, -1, ticker);
  g_printerr ("  sync/async throughput: %.2f\n", async_seconds / sync_seconds);
  g_clear_pointer (&run.posts, g_ptr_array_unref);
  close_and_remove (&db, &path);
}

/* Phase B: opening a large query. */

typedef struct
{
  Ticker     *ticker;
  GormQuery  *query;
  gboolean    watch;
  guint       expected;
  gint64      started;
  gint64      called;
  double      read_ms;
} FetchRun;

/* Reads the first items, as a list view showing its first screen does,
 * and checks them. */
static double
read_first_items (GListModel *model,
                  guint       n)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GormResource) post = g_list_model_get_item (model, i);
      g_autofree char *title = NULL;
      g_autofree char *expected = g_strdup_printf ("Post %u", i + 1);

      g_assert_nonnull (post);
      g_assert_cmpint (gorm_resource_get_id (post), ==, i + 1);
      g_object_get (post, "title", &title, NULL);
      g_assert_cmpstr (title, ==, expected);
    }
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
opened (FetchRun   *run,
        GListModel *model)
{
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, run->expected);
  run->read_ms = read_first_items (model, FIRST_ITEMS);
  run->ticker->done = TRUE;
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  FetchRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = NULL;

  run->called = g_get_monotonic_time ();
  model = run->watch ? gorm_query_watch_finish (GORM_QUERY (source), result, &error)
                     : gorm_query_fetch_finish (GORM_QUERY (source), result, &error);
  if (model == NULL)
    g_error ("The async query failed: %s", error->message);
  opened (run, model);
}

static gboolean
fetch_sync_cb (gpointer user_data)
{
  FetchRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = NULL;

  run->started = g_get_monotonic_time ();
  model = run->watch ? gorm_query_watch (run->query, NULL, &error)
                     : gorm_query_fetch (run->query, NULL, &error);
  run->called = g_get_monotonic_time ();
  if (model == NULL)
    g_error ("The sync query failed: %s", error->message);
  opened (run, model);
  return G_SOURCE_REMOVE;
}

static void
measure_open (Ticker       *ticker,
              GormDatabase *db,
              guint         rows,
              gboolean      watch,
              gboolean      async)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);
  FetchRun run = { ticker, query, watch, rows };
  g_autofree char *name = g_strdup_printf ("%s %u rows", watch ? "watch" : "fetch", rows);

  ticker_start (ticker, NULL);
  if (async)
    {
      run.started = g_get_monotonic_time ();
      if (watch)
        gorm_query_watch_async (query, NULL, fetched_cb, &run);
      else
        gorm_query_fetch_async (query, NULL, fetched_cb, &run);
    }
  else
    g_idle_add (fetch_sync_cb, &run);
  ticker_run (ticker);

  add_row (name, async ? "async" : "sync", rows, -1, (run.called - run.started) / 1000.0, ticker);
  print_longest_gaps (ticker, 5);
  g_printerr ("  first %u items read in the callback in %.2f ms\n", FIRST_ITEMS, run.read_ms);
}

static void
phase_fetch (Ticker     *ticker,
             const char *directory,
             guint       rows)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GormQuery) count_query = NULL;
  gint64 inserted, start;

  db = open_fresh (directory, "fetch", &path);
  sql = g_strdup_printf ("INSERT INTO blogpost (title, content, pub_date, views, rating, published, author_id) "
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < %u) "
                         "SELECT 'Post ' || i, 'Lorem', '2020-01-01T00:00:00.000000Z', i %% 10000, "
                         "(i %% 5001) / 1000.0, i %% 4 != 0, i %% 200 + 1 FROM n",
                         rows);
  start = g_get_monotonic_time ();
  inserted = gorm_database_execute (db, sql, NULL, 0, NULL, &error);
  if (inserted < 0)
    g_error ("Cannot fill the table: %s", error->message);
  g_assert_cmpint (inserted, ==, rows);
  count_query = gorm_database_query (db, BENCH_TYPE_POST);
  g_assert_cmpint (gorm_query_count (count_query, NULL, &error), ==, rows);
  g_printerr ("%u rows inserted with one INSERT ... WITH RECURSIVE in %.2f s\n",
              rows, (g_get_monotonic_time () - start) / 1e6);

  measure_open (ticker, db, rows, FALSE, TRUE);
  measure_open (ticker, db, rows, TRUE, TRUE);
  measure_open (ticker, db, rows, FALSE, FALSE);
  measure_open (ticker, db, rows, TRUE, FALSE);

  close_and_remove (&db, &path);
}

static void
print_table (guint rows)
{
  g_autofree char *model = bench_cpu_model ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M %Z");
  double async_rate = 0, sync_rate = 0;

  g_print ("\n%s, %u CPUs (nproc), GLib %u.%u.%u, %s\n\n", model, g_get_num_processors (),
           glib_major_version, glib_minor_version, glib_micro_version, date);
  g_print ("| work | form | rows | time s | rows/s | latency ms | gaps | gap p50 ms | gap p99 ms | gap max ms | gaps > 16 ms |\n");
  g_print ("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (guint i = 0; i < rows_table->len; i++)
    {
      Row *row = &g_array_index (rows_table, Row, i);
      g_autofree char *seconds = row->seconds >= 0 ? g_strdup_printf ("%.3f", row->seconds) : g_strdup ("");
      g_autofree char *rate = row->seconds > 0 ? g_strdup_printf ("%.0f", row->rows / row->seconds) : g_strdup ("");
      g_autofree char *latency = row->latency_ms >= 0 ? g_strdup_printf ("%.1f", row->latency_ms) : g_strdup ("");

      if (row->seconds > 0 && g_str_has_prefix (row->name, "save"))
        {
          if (g_str_equal (row->form, "async"))
            async_rate = row->rows / row->seconds;
          else
            sync_rate = row->rows / row->seconds;
        }
      g_print ("| %s | %s | %u | %s | %s | %s | %u | %.2f | %.2f | %.2f | %u |\n",
               row->name, row->form, row->rows, seconds, rate, latency, row->n_gaps,
               row->p50_ms, row->p99_ms, row->max_ms, row->n_over_frame);
    }
  if (async_rate > 0 && sync_rate > 0)
    g_print ("\nSaving %u objects: async %.0f rows/s, sync %.0f rows/s (async/sync %.2f).\n",
             rows, async_rate, sync_rate, async_rate / sync_rate);
  g_print ("Latency: for the async save, from the end of the transaction function on the "
           "worker to the callback; for a query, from the call to the model.\n"
           "A sync call blocks the loop for its whole length: its maximum gap is the call.\n");
}

int
main (int   argc,
      char *argv[])
{
  guint rows = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint fetch_rows = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 1000000;
  const char *directory = argc > 3 ? argv[3] : g_get_tmp_dir ();
  Ticker ticker = { g_main_loop_new (NULL, FALSE) };
  gint64 start;

  if (rows == 0 || fetch_rows < FIRST_ITEMS)
    g_error ("usage: bench-mainloop [ROWS > 0] [FETCH-ROWS >= %u] [DIRECTORY]", FIRST_ITEMS);

  rows_table = g_array_new (FALSE, TRUE, sizeof (Row));

  /* The loop with nothing else to do: the floor of the gaps. */
  ticker_start (&ticker, NULL);
  start = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  ticker.done = TRUE;
  ticker_run (&ticker);
  add_row ("idle loop, 1 s", "", 0, -1, -1, &ticker);

  phase_save (&ticker, directory, rows);
  phase_fetch (&ticker, directory, fetch_rows);

  print_table (rows);

  for (guint i = 0; i < rows_table->len; i++)
    {
      g_free (g_array_index (rows_table, Row, i).name);
      g_free (g_array_index (rows_table, Row, i).form);
    }
  g_array_unref (rows_table);
  g_clear_pointer (&ticker.gaps, g_array_unref);
  g_clear_pointer (&ticker.progress_at, g_array_unref);
  g_main_loop_unref (ticker.loop);
  return 0;
}
