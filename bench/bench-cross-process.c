/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * How long a live model takes to follow another process's commit.
 *
 * Process A watches the authors of bench/WORKLOAD.md ordered by name;
 * process B (this program again, with --writer) saves one new author per
 * command A sends it, outside any transaction, and answers with the
 * monotonic time (CLOCK_MONOTONIC, shared by the processes of a machine)
 * at which its save returned, that is, once the row was committed. A
 * measures the time from there to its model's items-changed, over
 * --commits commits (100 by default) spaced by a random 0-20 ms, and
 * prints median, p90 and max per engine.
 *
 * It also measures what following costs while nobody writes: the CPU
 * time (user + system, every thread of A) over --idle seconds (10 by
 * default) with the live model and its listener, against the same time
 * with no live model.
 *
 * Engines: SQLite (a file in a temporary directory) always, and
 * PostgreSQL when GORM_TEST_POSTGRESQL names a server where a database
 * may be created (tools/pg-server prints such a URI).
 *
 *   bench-cross-process [--commits N] [--idle SECONDS]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-model.h"

static int n_commits = 100;
static int idle_seconds = 10;
static char *writer_uri = NULL;

static GOptionEntry entries[] = {
  { "commits", 0, 0, G_OPTION_ARG_INT, &n_commits, "Commits to time (100)", "N" },
  { "idle", 0, 0, G_OPTION_ARG_INT, &idle_seconds, "Seconds of idle CPU measurement (10)", "S" },
  { "writer", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &writer_uri, NULL, NULL },
  { NULL },
};

/* Process B: one author saved per line of stdin. */
static int
run_writer (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = gorm_database_open (uri, NULL, &error);
  char line[256];

  if (db == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_autoptr(GormResource) author = NULL;

      g_strstrip (line);
      if (g_str_equal (line, "quit"))
        break;
      author = g_object_new (BENCH_TYPE_AUTHOR, "database", db, "name", line, NULL);
      if (!gorm_resource_save (author, NULL, &error))
        {
          printf ("error %s\n", error->message);
          g_clear_error (&error);
        }
      else
        printf ("ok %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
      fflush (stdout);
    }
  return gorm_database_close (db, NULL, NULL) ? 0 : 1;
}

static gint64
cpu_usec (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec +
         (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}

static gboolean
stop_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop, idle, for @seconds: the CPU time it took. */
static gint64
idle_cpu (int seconds)
{
  gboolean done = FALSE;
  gint64 start = cpu_usec ();

  g_timeout_add_seconds (seconds, stop_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return cpu_usec () - start;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gint64     *when)
{
  *when = g_get_monotonic_time ();
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  const char *engine;
  gint64      median, p90, max;
  gint64      idle_watching, idle_plain;
  guint       n;
} Figures;

static gboolean
measure (const char  *engine,
         const char  *uri,
         const char  *self_path,
         Figures     *figures,
         GError     **error)
{
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GDataInputStream) answers = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  GOutputStream *commands;
  GType types[] = { BENCH_TYPE_AUTHOR };
  gint64 changed_at = 0;
  gulong handler;

  figures->engine = engine;
  db = gorm_database_open (uri, NULL, error);
  if (db == NULL || !gorm_database_migrate (db, types, 1, NULL, error))
    return FALSE;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, error,
                             self_path, "--writer", uri, NULL);
  if (writer == NULL)
    return FALSE;
  commands = g_subprocess_get_stdin_pipe (writer);
  answers = g_data_input_stream_new (g_subprocess_get_stdout_pipe (writer));

  figures->idle_plain = idle_cpu (idle_seconds);

  query = gorm_database_query (db, BENCH_TYPE_AUTHOR);
  gorm_query_order_by (query, "name", FALSE);
  model = gorm_query_watch (query, NULL, error);
  if (model == NULL)
    return FALSE;
  handler = g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), &changed_at);

  figures->idle_watching = idle_cpu (idle_seconds);

  for (int i = 0; i < n_commits; i++)
    {
      g_autofree char *command = g_strdup_printf ("author-%05d-%08x\n", i, g_random_int ());
      g_autofree char *answer = NULL;
      gint64 deadline, committed, latency;
      gint64 pause_until = g_get_monotonic_time () + g_random_int_range (0, 20000);

      /* A random phase against the listener's polling. */
      while (g_get_monotonic_time () < pause_until)
        g_main_context_iteration (NULL, FALSE);

      changed_at = 0;
      if (!g_output_stream_write_all (commands, command, strlen (command), NULL, NULL, error) ||
          !g_output_stream_flush (commands, NULL, error))
        return FALSE;
      answer = g_data_input_stream_read_line_utf8 (answers, NULL, NULL, error);
      if (answer == NULL || !g_str_has_prefix (answer, "ok "))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The writer answered “%s”",
                         answer ? answer : "nothing");
          return FALSE;
        }
      committed = g_ascii_strtoll (answer + 3, NULL, 10);
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (changed_at == 0)
        {
          if (g_get_monotonic_time () > deadline)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "Commit %d did not reach the model within 10 s", i);
              return FALSE;
            }
          g_main_context_iteration (NULL, FALSE);
          g_usleep (100);
        }
      latency = MAX (changed_at - committed, 0);
      g_array_append_val (latencies, latency);
    }
  g_signal_handler_disconnect (model, handler);

  g_array_sort (latencies, compare_int64);
  figures->n = latencies->len;
  figures->median = g_array_index (latencies, gint64, latencies->len / 2);
  figures->p90 = g_array_index (latencies, gint64, (latencies->len * 9) / 10);
  figures->max = g_array_index (latencies, gint64, latencies->len - 1);

  g_output_stream_write_all (commands, "quit\n", 5, NULL, NULL, NULL);
  g_subprocess_wait (writer, NULL, NULL);
  g_clear_object (&model);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return gorm_database_close (db, NULL, error);
}

/* A new database on the server of @server_uri (its .../postgres URI),
 * returning the URI that opens it; dropped by drop_postgresql(). */
static char *
create_postgresql (const char  *server_uri,
                   char       **name,
                   GError     **error)
{
  g_autoptr(GormDatabase) server = gorm_database_open (server_uri, NULL, error);
  g_autofree char *sql = NULL;
  const char *slash;

  if (server == NULL)
    return NULL;
  *name = g_strdup_printf ("gorm_bench_xproc_%d", (int) getpid ());
  sql = g_strdup_printf ("CREATE DATABASE \"%s\"", *name);
  if (gorm_database_execute (server, sql, NULL, 0, NULL, error) < 0)
    return NULL;
  gorm_database_close (server, NULL, NULL);
  slash = strrchr (server_uri, '/');
  return g_strdup_printf ("%.*s/%s", (int) (slash - server_uri), server_uri, *name);
}

static void
drop_postgresql (const char *server_uri,
                 const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) server = gorm_database_open (server_uri, NULL, &error);
  g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);

  if (server == NULL || gorm_database_execute (server, sql, NULL, 0, NULL, &error) < 0)
    g_printerr ("Cannot drop %s: %s\n", name, error->message);
  if (server != NULL)
    gorm_database_close (server, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- live models across processes");
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sqlite_uri = NULL;
  g_autofree char *cpu = NULL;
  const char *server = g_getenv ("GORM_TEST_POSTGRESQL");
  Figures figures[2] = { 0 };
  guint n_figures = 0;
  int status = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (writer_uri != NULL)
    return run_writer (writer_uri);
  if (n_commits < 1 || idle_seconds < 1)
    {
      g_printerr ("--commits and --idle must be positive\n");
      return 2;
    }

  self_path = g_file_read_link ("/proc/self/exe", &error);
  dir = g_dir_make_tmp ("gorm-bench-xproc-XXXXXX", &error);
  if (self_path == NULL || dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  path = g_build_filename (dir, "bench.db", NULL);
  sqlite_uri = g_strconcat ("sqlite:", path, NULL);

  if (measure ("SQLite", sqlite_uri, self_path, &figures[n_figures], &error))
    n_figures++;
  else
    {
      g_printerr ("SQLite: %s\n", error->message);
      g_clear_error (&error);
      status = 1;
    }
  bench_remove_database (path);
  g_rmdir (dir);

  if (server != NULL && server[0] != '\0')
    {
      g_autofree char *name = NULL;
      g_autofree char *uri = create_postgresql (server, &name, &error);

      if (uri != NULL && measure ("PostgreSQL", uri, self_path, &figures[n_figures], &error))
        n_figures++;
      else
        {
          g_printerr ("PostgreSQL: %s\n", error->message);
          g_clear_error (&error);
          status = 1;
        }
      if (name != NULL)
        drop_postgresql (server, name);
    }
  else
    g_print ("PostgreSQL not measured: set GORM_TEST_POSTGRESQL to a server's URI\n");

  cpu = bench_cpu_model ();
  g_print ("\nLatency from B's commit returning to A's items-changed, %d commits; "
           "CPU time of A idle for %d s (%s)\n\n", n_commits, idle_seconds, cpu);
  g_print ("| engine | median | p90 | max | idle CPU, watching | idle CPU, no model |\n");
  g_print ("|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n_figures; i++)
    g_print ("| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n", figures[i].engine,
             figures[i].median / 1000.0, figures[i].p90 / 1000.0, figures[i].max / 1000.0,
             figures[i].idle_watching / 1000.0, figures[i].idle_plain / 1000.0);
  return status;
}
