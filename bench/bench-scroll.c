/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Frame times of Gorm Library's window (demos/library) while its column
 * view scrolls through 1,000,000 books, on an X server (run it under
 * tests/gtk/run-under-xvfb.sh, as bench/README.md shows).
 *
 * For each query kind the window can show,
 *
 *   default  the default order, by title (indexed);
 *   pages    sorted by the Pages column (no index), descending;
 *   search   the search text "river" (title or author name, any case),
 *
 * the view is scrolled in page steps (PAGE-STEPS steps of one page each,
 * from the top, then as many from the middle, then up to the end), then
 * by RANDOM-JUMPS jumps to random positions. Each step sets the view's
 * vertical adjustment and waits for the frame that shows it. Three
 * times per step:
 *
 *   frame  the frame's time from its frame clock: "before-paint" to the
 *          end of "after-paint" (the layout, where the view binds rows
 *          and the model loads pages, and the drawing);
 *   stall  the frame plus gtk_adjustment_set_value() (the view moves and
 *          rebinds rows in its value-changed handler, before the frame):
 *          how long the main loop was busy with the step;
 *   shown  from setting the adjustment to the end of the frame that shows
 *          it (includes waiting for the frame clock's next tick, and any
 *          other frame in between);
 *   cpu    the main thread's CPU time over "shown": the step's cost
 *          without the waits for a CPU that a loaded machine adds.
 *
 *   bench-scroll [--rows N] [--database PATH] [--page-steps N] [--jumps N]
 *                [--prepare MS] [--query KIND,...]
 *
 * After the steps of a kind, "jump items" is what the model alone costs
 * a jump: the 200 items from a random position that GTK 4.8's view binds
 * after one, read with no view (its pages are loaded by the model as the
 * view's are). KIND is default, pages or search (all three by default).
 *
 * Before the steps of each kind the model has MS milliseconds (default
 * 2000) to prepare in the background. GORM_KEY_INDEX_MIN_ROWS=0 in the
 * environment turns libgorm's key index off, for the figures without it.
 *
 * The database is generated once by the application's own generator
 * (bulk inserts) and kept: PATH defaults to
 * $TMPDIR/gorm-bench-scroll/books.db,
 * regenerated when it does not hold N books (default 1,000,000).
 */

#include <errno.h>

#include <glib/gstdio.h>

#include "library-generate.h"
#include "library-window.h"

typedef struct
{
  GMainLoop     *loop;
  gint64         paint_start;
  /* Set when a step waits for its frame: the time it began. */
  gint64         step_start;
  gboolean       waiting;
  /* How long gtk_adjustment_set_value() took: the view moves its rows
   * in the value-changed handler, before the frame. */
  double         set_ms;
  GArray        *frames;     /* of double, ms: before-paint to after-paint */
  GArray        *stalls;     /* of double, ms: set_ms + the frame */
  GArray        *latencies;  /* of double, ms: adjustment set to after-paint */
  /* The main thread's CPU time when the step began, and for each step
   * to the end of its frame: what the step cost without the waits for a
   * CPU that a loaded machine adds to the other three. */
  double         cpu_start;
  GArray        *cpus;       /* of double, ms */
} Recorder;

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
before_paint_cb (GdkFrameClock *clock,
                 Recorder      *recorder)
{
  recorder->paint_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Recorder      *recorder)
{
  gint64 now = g_get_monotonic_time ();
  double frame, latency, stall, cpu;

  if (!recorder->waiting || recorder->paint_start == 0)
    return;
  frame = (now - recorder->paint_start) / 1000.0;
  latency = (now - recorder->step_start) / 1000.0;
  stall = recorder->set_ms + frame;
  cpu = thread_cpu_ms () - recorder->cpu_start;
  g_array_append_val (recorder->cpus, cpu);
  g_array_append_val (recorder->frames, frame);
  g_array_append_val (recorder->stalls, stall);
  g_array_append_val (recorder->latencies, latency);
  recorder->waiting = FALSE;
  g_main_loop_quit (recorder->loop);
}

static gboolean
step_timeout_cb (gpointer user_data)
{
  Recorder *recorder = user_data;

  /* Nothing to draw (the same rows): no frame to count. */
  recorder->waiting = FALSE;
  g_main_loop_quit (recorder->loop);
  return G_SOURCE_REMOVE;
}

static void
scroll_to (Recorder      *recorder,
           GtkAdjustment *adjustment,
           double         value)
{
  guint timeout;

  recorder->step_start = g_get_monotonic_time ();
  recorder->cpu_start = thread_cpu_ms ();
  recorder->paint_start = 0;
  recorder->waiting = TRUE;
  gtk_adjustment_set_value (adjustment, value);
  recorder->set_ms = (g_get_monotonic_time () - recorder->step_start) / 1000.0;
  timeout = g_timeout_add (1000, step_timeout_cb, recorder);
  g_main_loop_run (recorder->loop);
  if (recorder->waiting || g_main_context_find_source_by_id (NULL, timeout) != NULL)
    g_source_remove (timeout);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0.0;
  i = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, double, i);
}

static void
report (const char *kind,
        const char *what,
        GArray     *values)
{
  g_array_sort (values, compare_doubles);
  g_print ("| %-8s | %-10s | %6u | %7.2f | %7.2f | %7.2f |\n", kind, what, values->len,
           percentile (values, 0.5), percentile (values, 0.99),
           values->len > 0 ? g_array_index (values, double, values->len - 1) : 0.0);
}

/* Running the main loop until a condition holds. */

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
run_for (guint ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (ms, quit_cb, loop);
  g_main_loop_run (loop);
}

/* Until the window has no database call pending and shows a model. */
static void
settle (LibraryWindow *window)
{
  for (guint round = 0; round < 3; round++)
    {
      while (library_window_get_busy (window) > 0 || library_window_get_books (window) == NULL)
        g_main_context_iteration (NULL, TRUE);
      run_for (100);
    }
}

static void
generated_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      loop)
{
  g_autoptr(GError) error = NULL;

  library_generator_run_finish (LIBRARY_GENERATOR (source), result, &error);
  if (error != NULL)
    g_error ("generating: %s", error->message);
  g_main_loop_quit (loop);
}

static void
progress_cb (LibraryGenerator *generator,
             guint             done,
             guint             total,
             gpointer          user_data)
{
  if (done % 100000 == 0)
    g_printerr ("generated %u of %u books\n", done, total);
}

/* Opens the database, filled with @rows books. */
static GormDatabase *
open_database (const char *path,
               guint       rows)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autoptr(GormDatabase) db = gorm_database_open (uri, NULL, &error);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(LibraryGenerator) generator = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  const GType *types;
  guint n_types;
  gint64 n;

  if (db == NULL)
    g_error ("%s: %s", path, error->message);
  types = library_model_types (&n_types);
  if (!gorm_database_migrate (db, types, n_types, NULL, &error))
    g_error ("migrating: %s", error->message);
  query = gorm_database_query (db, LIBRARY_TYPE_BOOK);
  n = gorm_query_count (query, NULL, &error);
  if (n == rows)
    return g_steal_pointer (&db);

  g_printerr ("generating %u books in %s\n", rows, path);
  g_clear_object (&query);
  query = gorm_database_query (db, LIBRARY_TYPE_AUTHOR);
  if (gorm_query_delete (query, NULL, &error) < 0)
    g_error ("emptying: %s", error->message);
  loop = g_main_loop_new (NULL, FALSE);
  generator = library_generator_new (db, rows);
  g_signal_connect (generator, "progress", G_CALLBACK (progress_cb), NULL);
  library_generator_run_async (generator, generated_cb, loop);
  g_main_loop_run (loop);
  return g_steal_pointer (&db);
}

/* How long the model may prepare in the background (its key index)
 * before the steps. */
static int prepare_ms = 2000;

/* What the model alone costs a jump: the items of about the rows GTK 4.8
 * binds after one (GTK_LIST_VIEW_MAX_LIST_ITEMS, 200), from a random
 * position, read as the view reads them; with another seed than the
 * jumps', so that their pages are not the ones loaded. */
static void
measure_model (GListModel *books,
               const char *kind,
               guint       jumps)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (double));
  guint n = g_list_model_get_n_items (books);

  for (guint i = 0; i < jumps; i++)
    {
      guint start = g_rand_int_range (rand, 0, MAX (n, 1));
      gint64 begin = g_get_monotonic_time ();
      double cpu = thread_cpu_ms (), ms;

      for (guint p = start; p < MIN (start + 200, n); p++)
        g_object_unref (g_list_model_get_item (books, p));
      ms = (g_get_monotonic_time () - begin) / 1000.0;
      g_array_append_val (times, ms);
      cpu = thread_cpu_ms () - cpu;
      g_array_append_val (cpus, cpu);
      /* The pages the next position needs are loaded from a main loop,
       * as the view's are. */
      g_main_context_iteration (NULL, FALSE);
    }
  report (kind, "jump items", times);
  report (kind, "items cpu", cpus);
}

static void
measure (LibraryWindow *window,
         Recorder      *recorder,
         const char    *kind,
         guint          page_steps,
         guint          jumps)
{
  GtkColumnView *view = library_window_get_column_view (window);
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  GArray *page_frames, *page_stalls, *page_latencies, *page_cpus;
  double page, end, starts[2];
  guint n = g_list_model_get_n_items (library_window_get_books (window));

  gtk_adjustment_set_value (adjustment, 0);
  settle (window);
  run_for (prepare_ms);
  page = gtk_adjustment_get_page_size (adjustment);
  end = gtk_adjustment_get_upper (adjustment) - page;
  starts[0] = 0;
  starts[1] = end / 2;
  g_printerr ("%s: %u books, %.0f px, page %.0f px\n", kind, n, end + page, page);

  g_array_set_size (recorder->frames, 0);
  g_array_set_size (recorder->stalls, 0);
  g_array_set_size (recorder->latencies, 0);
  g_array_set_size (recorder->cpus, 0);
  for (guint s = 0; s < G_N_ELEMENTS (starts); s++)
    {
      scroll_to (recorder, adjustment, starts[s]);
      for (guint i = 1; i <= page_steps; i++)
        scroll_to (recorder, adjustment, MIN (starts[s] + i * page, end));
    }
  /* Up to the end. */
  scroll_to (recorder, adjustment, MAX (end - page_steps * page, 0));
  for (guint i = 1; i <= page_steps; i++)
    scroll_to (recorder, adjustment, MIN (end - (page_steps - i) * page, end));
  page_frames = g_array_copy (recorder->frames);
  page_stalls = g_array_copy (recorder->stalls);
  page_latencies = g_array_copy (recorder->latencies);
  page_cpus = g_array_copy (recorder->cpus);

  g_array_set_size (recorder->frames, 0);
  g_array_set_size (recorder->stalls, 0);
  g_array_set_size (recorder->latencies, 0);
  g_array_set_size (recorder->cpus, 0);
  for (guint i = 0; i < jumps; i++)
    scroll_to (recorder, adjustment, g_rand_double_range (rand, 0, end));

  report (kind, "page frame", page_frames);
  report (kind, "page stall", page_stalls);
  report (kind, "page shown", page_latencies);
  report (kind, "page cpu", page_cpus);
  report (kind, "jump frame", recorder->frames);
  report (kind, "jump stall", recorder->stalls);
  report (kind, "jump shown", recorder->latencies);
  report (kind, "jump cpu", recorder->cpus);
  measure_model (library_window_get_books (window), kind, jumps);
  g_array_unref (page_frames);
  g_array_unref (page_stalls);
  g_array_unref (page_latencies);
  g_array_unref (page_cpus);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *kinds = NULL;
  g_auto(GStrv) kind_list = NULL;
  int rows = 1000000, page_steps = 300, jumps = 300;
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Books in the database", "N" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &path, "The SQLite file", "PATH" },
    { "page-steps", 0, 0, G_OPTION_ARG_INT, &page_steps, "Page steps from each start", "N" },
    { "jumps", 0, 0, G_OPTION_ARG_INT, &jumps, "Random jumps", "N" },
    { "prepare", 0, 0, G_OPTION_ARG_INT, &prepare_ms,
      "Milliseconds for the model to prepare before the steps (2000)", "MS" },
    { "query", 0, 0, G_OPTION_ARG_STRING, &kinds,
      "The query kinds to scroll, of default, pages and search (all)", "KIND,…" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- frame times of Gorm Library");
  g_autoptr(GormDatabase) db = NULL;
  LibraryWindow *window;
  GdkFrameClock *clock;
  Recorder recorder = { 0 };
  gint64 started;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || rows <= 0 || page_steps < 0 ||
      jumps < 0 || prepare_ms < 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bad counts");
      return 2;
    }
  kind_list = g_strsplit (kinds != NULL ? kinds : "default,pages,search", ",", -1);
  for (guint i = 0; kind_list[i] != NULL; i++)
    if (!g_strv_contains ((const char * const[]) { "default", "pages", "search", NULL },
                          kind_list[i]))
      {
        g_printerr ("unknown query kind “%s”: default, pages or search\n", kind_list[i]);
        return 2;
      }
  if (path == NULL)
    {
      /* A directory of its own: libgorm's listener watches the database's
       * directory, and every file written in a busy /tmp would wake it. */
      g_autofree char *dir = g_build_filename (g_get_tmp_dir (), "gorm-bench-scroll", NULL);

      if (g_mkdir_with_parents (dir, 0700) < 0)
        {
          g_printerr ("%s: %s\n", dir, g_strerror (errno));
          return 2;
        }
      path = g_build_filename (dir, "books.db", NULL);
    }

  gtk_init ();
  adw_init ();
  db = open_database (path, rows);

  started = g_get_monotonic_time ();
  window = library_window_new (NULL, db);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 640);
  gtk_window_present (GTK_WINDOW (window));
  settle (window);
  g_printerr ("window shown with its model in %.0f ms\n",
              (g_get_monotonic_time () - started) / 1000.0);

  recorder.loop = g_main_loop_new (NULL, FALSE);
  recorder.frames = g_array_new (FALSE, FALSE, sizeof (double));
  recorder.stalls = g_array_new (FALSE, FALSE, sizeof (double));
  recorder.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  recorder.cpus = g_array_new (FALSE, FALSE, sizeof (double));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &recorder);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (after_paint_cb), &recorder);

  g_print ("%d books; %d page steps from the top, the middle and to the end; %d random jumps\n\n",
           rows, page_steps, jumps);
  g_print ("| query    | step       |  count | p50 ms  | p99 ms  | max ms  |\n");
  g_print ("|---|---|---:|---:|---:|---:|\n");

  if (g_strv_contains ((const char * const *) kind_list, "default"))
    measure (window, &recorder, "default", page_steps, jumps);

  if (g_strv_contains ((const char * const *) kind_list, "pages"))
    {
      GListModel *columns = gtk_column_view_get_columns (library_window_get_column_view (window));
      g_autoptr(GtkColumnViewColumn) pages = g_list_model_get_item (columns, LIBRARY_COLUMN_PAGES);

      started = g_get_monotonic_time ();
      gtk_column_view_sort_by_column (library_window_get_column_view (window), pages,
                                      GTK_SORT_DESCENDING);
      settle (window);
      g_printerr ("sorted by pages in %.0f ms (with 300 ms of settling)\n",
                  (g_get_monotonic_time () - started) / 1000.0);
      measure (window, &recorder, "pages", page_steps, jumps);
      gtk_column_view_sort_by_column (library_window_get_column_view (window), NULL,
                                      GTK_SORT_ASCENDING);
    }

  if (g_strv_contains ((const char * const *) kind_list, "search"))
    {
      started = g_get_monotonic_time ();
      gtk_editable_set_text (GTK_EDITABLE (library_window_get_search_entry (window)), "river");
      run_for (300);
      settle (window);
      g_printerr ("searched in %.0f ms (with 600 ms of waiting)\n",
                  (g_get_monotonic_time () - started) / 1000.0);
      measure (window, &recorder, "search", page_steps, jumps);
    }

  g_signal_handlers_disconnect_by_data (clock, &recorder);
  gtk_window_destroy (GTK_WINDOW (window));
  g_main_loop_unref (recorder.loop);
  g_array_unref (recorder.frames);
  g_array_unref (recorder.stalls);
  g_array_unref (recorder.latencies);
  g_array_unref (recorder.cpus);
  return 0;
}
