/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Crash safety: a child process (tests/migration-kill-helper.c) migrates
 * a table of a few thousand rows from version 1 to version 2 (a step per
 * row, a change of a column's type, which SQLite applies by rebuilding
 * the table, a new column, a step after); the test kills it with SIGKILL
 * at a random moment, at least 50 times, and checks each time that the
 * database is wholly at version 1 (old shape, old data) or wholly at
 * version 2 (new shape, converted data), then runs the migration to the
 * end. GORM_KILL_SEED replays a run; GORM_KILL_ROUNDS sets the number of
 * kills.
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "gorm-catalog-private.h"
#include "gorm-test-utils.h"

#define ROWS 2000

static const char *
helper_path (void)
{
  const char *helper = g_getenv ("GORM_MIGRATION_KILL_HELPER");

  g_assert_nonnull (helper);
  return helper;
}

static void
run_helper (const char *uri,
            const char *command,
            const char *argument)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, helper_path (), uri,
                            command, argument, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (child) || g_subprocess_get_exit_status (child) != 0)
    g_error ("migration-kill-helper %s %s failed", uri, command);
}

static GormCatalogTable *
read_item_table (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  GormCatalogTable *table;

  gorm_database_lock (db);
  table = gorm_catalog_read_table_locked (gorm_database_get_connection_locked (db, NULL),
                                          gorm_database_get_dialect (db), "item", &error);
  gorm_database_unlock (db);
  g_assert_no_error (error);
  g_assert_nonnull (table);
  return table;
}

static gint64
count_where (GormDatabase *db,
             const char   *condition)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GormRow) row = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) AS n FROM item WHERE %s", condition);

  rows = gorm_database_select (db, sql, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  row = g_list_model_get_item (rows, 0);
  return gorm_row_get_int64 (row, "n");
}

static gboolean
is_integer_type (const char *type)
{
  g_autofree char *lower = g_ascii_strdown (type, -1);

  return strstr (lower, "int") != NULL;
}

/* The version the database is wholly at: 1 or 2; anything else fails
 * the test, naming what is wrong. */
static guint
check_state (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = gorm_database_open (uri, NULL, &error);
  g_autoptr(GormCatalogTable) table = NULL;
  const GormCatalogColumn *amount;
  guint version;

  g_assert_no_error (error);
  version = gorm_database_get_schema_version (db, NULL, &error);
  g_assert_no_error (error);
  table = read_item_table (db);
  amount = gorm_catalog_table_find_column (table, "amount");
  g_assert_nonnull (amount);
  g_assert_cmpint (count_where (db, "1 = 1"), ==, ROWS);
  /* Every amount kept, whatever its type. */
  g_assert_cmpint (count_where (db, "amount >= 1 AND amount <= " G_STRINGIFY (ROWS)), ==, ROWS);

  if (version == 1)
    {
      g_assert_null (gorm_catalog_table_find_column (table, "words"));
      g_assert_true (is_integer_type (amount->type));
      g_assert_cmpint (count_where (db, "title LIKE 'item %'"), ==, ROWS);
    }
  else if (version == 2)
    {
      g_assert_nonnull (gorm_catalog_table_find_column (table, "words"));
      g_assert_false (is_integer_type (amount->type));
      g_assert_cmpint (count_where (db, "title LIKE 'ITEM %'"), ==, ROWS);
      g_assert_cmpint (count_where (db, "words = LENGTH(title)"), ==, ROWS);
    }
  else
    g_error ("The database is at schema version %u", version);

  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_no_error (error);
  return version;
}

static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

static gboolean
deadline_cb (gpointer user_data)
{
  gboolean *reached = user_data;

  *reached = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the migration, killed @delay_us after it started unless it ended
 * before; whether it was killed. @run_us: how long it ran. */
static gboolean
run_killed (const char *uri,
            gint64      delay_us,
            gint64     *run_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSource) deadline = NULL;
  g_autofree char *line = NULL;
  gboolean exited = FALSE;
  gboolean reached = FALSE;
  gboolean killed;
  gint64 start;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper_path (), uri,
                            "migrate", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "start");
  start = g_get_monotonic_time ();

  deadline = g_timeout_source_new (0);
  g_source_set_ready_time (deadline, g_get_monotonic_time () + delay_us);
  g_source_set_callback (deadline, deadline_cb, &reached, NULL);
  g_source_attach (deadline, NULL);
  g_subprocess_wait_async (child, NULL, exited_cb, &exited);
  while (!exited && !reached)
    g_main_context_iteration (NULL, TRUE);
  if (!exited)
    g_subprocess_send_signal (child, SIGKILL);
  g_source_destroy (deadline);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  *run_us = g_get_monotonic_time () - start;

  killed = g_subprocess_get_if_signaled (child);
  if (!killed)
    g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  return killed;
}

static void
test_kill (void)
{
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GRand) rand = NULL;
  const char *seed_text = g_getenv ("GORM_KILL_SEED");
  const char *rounds_text = g_getenv ("GORM_KILL_ROUNDS");
  guint32 seed = seed_text ? (guint32) g_ascii_strtoull (seed_text, NULL, 10)
                           : (guint32) g_get_real_time ();
  guint rounds = rounds_text ? (guint) atoi (rounds_text) : 50;
  guint at_old = 0;
  guint at_new = 0;
  guint not_killed = 0;
  gint64 duration;

  g_test_message ("random seed: %u (GORM_KILL_SEED=%u replays it)", seed, seed);
  g_print ("# random seed %u\n", seed);
  rand = g_rand_new_with_seed (seed);

  /* The database at version 1, with a copy of its rows to reset it to
   * from round to round; and how long a whole migration takes. */
  {
    g_autoptr(GormDatabase) db = test_open_file (&path);

    g_assert_true (gorm_database_close (db, NULL, NULL));
    uri = test_uri_of_file (path);
    run_helper (uri, "setup", G_STRINGIFY (ROWS));
  }
  g_assert_false (run_killed (uri, G_USEC_PER_SEC * 60, &duration));
  g_assert_cmpuint (check_state (uri), ==, 2);
  run_helper (uri, "reset", NULL);
  g_assert_cmpuint (check_state (uri), ==, 1);
  g_print ("# a whole migration takes %.0f ms\n", duration / 1000.0);

  while (at_old + at_new < rounds)
    {
      gint64 delay = g_rand_int_range (rand, 0, (gint32) MAX (duration * 11 / 10, 2));
      gint64 ran;

      if (!run_killed (uri, delay, &ran))
        {
          /* Done before the kill: it counts for nothing, and tells how
           * long a migration takes now (the machine's load varies). */
          g_assert_cmpuint (check_state (uri), ==, 2);
          not_killed++;
          g_assert_cmpuint (not_killed, <, 4 * rounds);
          duration = ran;
          run_helper (uri, "reset", NULL);
          continue;
        }
      if (check_state (uri) == 1)
        {
          at_old++;
          run_helper (uri, "migrate", NULL);
          g_assert_cmpuint (check_state (uri), ==, 2);
        }
      else
        at_new++;
      run_helper (uri, "reset", NULL);
    }

  g_print ("# %u kills: %u at the old version, %u at the new one (%u runs ended before the kill)\n",
           at_old + at_new, at_old, at_new, not_killed);
  g_assert_cmpuint (at_old + at_new, >=, rounds);
  /* Kills landed inside the migration, not only around it. */
  g_assert_cmpuint (at_old, >, 0);

  test_remove_file (path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/MigrationKill/old-or-new", test_kill);

  return g_test_run ();
}
