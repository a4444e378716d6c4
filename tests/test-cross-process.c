/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Live models that follow what another process commits: this process
 * (A) watches queries while a second, real process (B, the
 * cross-process-writer program) inserts, updates, deletes, bulk-updates
 * and rolls back, step by step. After each step every model of A equals
 * a fresh query (read through a second connection, so that A's own
 * objects do not answer for the database), and the list its
 * items-changed built, replayed on a copy of the previous list, equals it
 * too. Writes by a program that does not use libgorm (the sqlite3 shell,
 * psql) are followed the same way. The tests run on the engine the
 * suite's setup names (GORM_TEST_ENGINE: SQLite files, or new databases
 * on the GORM_TEST_POSTGRESQL server).
 */

#include "config.h"

#include "cross-process-item.h"
#include "gorm-query-private.h"

/* How long a change may take to reach A before the test fails: far above
 * the latency bench/bench-cross-process measures (tens of ms), for a
 * loaded machine or valgrind. */
#define DELIVERY_TIMEOUT_USEC (20 * G_TIME_SPAN_SECOND)
/* How long A waits to see that a rolled-back step changes nothing. */
#define QUIET_USEC (300 * G_TIME_SPAN_MILLISECOND)

#define N_MODELS 4

typedef struct
{
  char             *uri;
  char             *path;          /* the SQLite file */
  GormDatabase     *db;            /* A: the watching database */
  GormDatabase     *check;         /* A's second connection, for fresh reads */
  GSubprocess      *writer;        /* B */
  GDataInputStream *answers;
  GOutputStream    *commands;
  GListModel       *models[N_MODELS];
  GArray           *shadows[N_MODELS];   /* of gint64 ids, replayed */
  guint             emissions[N_MODELS];
  /* The last items-changed of each model. */
  guint             last[N_MODELS][3];
  GPtrArray        *ids;           /* the ids B may change, as strings */
} Fixture;

static gint64
item_id (GListModel *model,
         guint       position)
{
  g_autoptr(GormResource) item = g_list_model_get_item (model, position);

  if (item == NULL)
    g_error ("item %u of %u is missing", position, g_list_model_get_n_items (model));
  return gorm_resource_get_id (item);
}

typedef struct
{
  Fixture *fixture;
  guint    index;
} ShadowRef;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  ShadowRef  *ref)
{
  GArray *shadow = ref->fixture->shadows[ref->index];

  g_assert_cmpuint (position + removed, <=, shadow->len);
  g_array_remove_range (shadow, position, removed);
  for (guint i = 0; i < added; i++)
    {
      gint64 id = item_id (model, position + i);

      g_array_insert_val (shadow, position + i, id);
    }
  g_assert_cmpuint (shadow->len, ==, g_list_model_get_n_items (model));
  ref->fixture->emissions[ref->index]++;
  ref->fixture->last[ref->index][0] = position;
  ref->fixture->last[ref->index][1] = removed;
  ref->fixture->last[ref->index][2] = added;
}

/* The queries A watches: every row; a filter; a window of a descending
 * order; a window of another order. */
static GormQuery *
make_query (GormDatabase *db,
            guint         which)
{
  GormQuery *query = gorm_database_query (db, XP_TYPE_ITEM);
  GValue value = G_VALUE_INIT;

  switch (which)
    {
    case 0:
      gorm_query_order_by (query, "score", FALSE);
      gorm_query_order_by (query, "name", FALSE);
      break;
    case 1:
      g_value_init (&value, G_TYPE_INT);
      g_value_set_int (&value, 50);
      gorm_query_filter (query, gorm_filter_ge ("score", &value));
      g_value_unset (&value);
      gorm_query_order_by (query, "name", FALSE);
      break;
    case 2:
      gorm_query_order_by (query, "score", TRUE);
      gorm_query_offset (query, 3);
      gorm_query_limit (query, 10);
      break;
    default:
      gorm_query_order_by (query, "name", TRUE);
      gorm_query_limit (query, 7);
      break;
    }
  return query;
}

static char *
send (Fixture    *fixture,
      const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  char *answer;

  g_output_stream_write_all (fixture->commands, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (fixture->commands, NULL, &error);
  g_assert_no_error (error);
  answer = g_data_input_stream_read_line_utf8 (fixture->answers, NULL, NULL, &error);
  g_assert_no_error (error);
  if (answer == NULL)
    g_error ("the writer ended on “%s”", command);
  if (!g_str_has_prefix (answer, "ok"))
    g_error ("the writer answered “%s” to “%s”", answer, command);
  return answer;
}

static void
send_ok (Fixture    *fixture,
         const char *command)
{
  g_free (send (fixture, command));
}

static guint
refreshes (Fixture *fixture,
           guint    i)
{
  return gorm_query_model_get_n_refreshes (GORM_QUERY_MODEL (fixture->models[i]));
}

/* Runs A's main loop until every model has read the database again
 * since @before, failing after DELIVERY_TIMEOUT_USEC. */
static void
wait_for_delivery (Fixture     *fixture,
                   const guint *before,
                   const char  *step)
{
  gint64 deadline = g_get_monotonic_time () + DELIVERY_TIMEOUT_USEC;

  for (guint i = 0; i < N_MODELS; i++)
    while (refreshes (fixture, i) == before[i])
      {
        if (g_get_monotonic_time () > deadline)
          g_error ("step “%s”: model %u did not follow the other process's commit", step, i);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Runs A's main loop for QUIET_USEC: no model changes, and after a
 * rollback (@rolled_back) none even reads the database again. A commit
 * that changed no row may still be told of: PostgreSQL's statement
 * trigger fires for an UPDATE that matched nothing. */
static void
assert_quiet (Fixture     *fixture,
              const guint *before,
              gboolean     rolled_back,
              const char  *step)
{
  gint64 end = g_get_monotonic_time () + QUIET_USEC;
  guint emissions[N_MODELS];

  memcpy (emissions, fixture->emissions, sizeof emissions);
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  for (guint i = 0; i < N_MODELS; i++)
    if ((rolled_back && refreshes (fixture, i) != before[i]) || fixture->emissions[i] != emissions[i])
      g_error ("step “%s”: model %u changed although nothing was committed", step, i);
}

/* Every model equals a fresh query read through the second connection,
 * item by item (id, name, score), and so does its replayed list. */
static void
assert_models_match (Fixture    *fixture,
                     const char *step)
{
  for (guint m = 0; m < N_MODELS; m++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GormQuery) query = make_query (fixture->check, m);
      g_autoptr(GListModel) fresh = gorm_query_fetch (query, NULL, &error);
      GListModel *live = fixture->models[m];
      GArray *shadow = fixture->shadows[m];
      guint n;

      g_assert_no_error (error);
      n = g_list_model_get_n_items (fresh);
      if (g_list_model_get_n_items (live) != n || shadow->len != n)
        g_error ("step “%s”, model %u: %u items live, %u replayed, %u fetched", step, m,
                 g_list_model_get_n_items (live), shadow->len, n);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GormResource) expected = g_list_model_get_item (fresh, i);
          g_autoptr(GormResource) item = g_list_model_get_item (live, i);
          g_autofree char *expected_name = NULL;
          g_autofree char *name = NULL;
          int expected_score, score;

          g_assert_nonnull (item);
          g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (item, XP_TYPE_ITEM));
          g_object_get (expected, "name", &expected_name, "score", &expected_score, NULL);
          g_object_get (item, "name", &name, "score", &score, NULL);
          if (gorm_resource_get_id (item) != gorm_resource_get_id (expected) ||
              g_array_index (shadow, gint64, i) != gorm_resource_get_id (expected) ||
              g_strcmp0 (name, expected_name) != 0 || score != expected_score)
            g_error ("step “%s”, model %u, item %u: live %" G_GINT64_FORMAT " %s %d, replayed %"
                     G_GINT64_FORMAT ", fetched %" G_GINT64_FORMAT " %s %d", step, m, i,
                     gorm_resource_get_id (item), name, score, g_array_index (shadow, gint64, i),
                     gorm_resource_get_id (expected), expected_name, expected_score);
        }
    }
}

/* A fresh database of the engine the suite runs on (GORM_TEST_ENGINE):
 * an SQLite file, or a new database on the GORM_TEST_POSTGRESQL server. */
static void
fixture_set_up_database (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->db = test_open_file (&fixture->path);
  fixture->uri = test_uri_of_file (fixture->path);
  test_migrate (fixture->db, XP_TYPE_ITEM);
  fixture->check = gorm_database_open (fixture->uri, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "cross-process-writer", NULL);
  static ShadowRef refs[N_MODELS];

  fixture->ids = g_ptr_array_new_with_free_func (g_free);
  fixture->writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                      &error, program, fixture->uri, NULL);
  g_assert_no_error (error);
  fixture->commands = g_subprocess_get_stdin_pipe (fixture->writer);
  fixture->answers = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->writer));

  /* Rows before A watches, written by B. */
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *command = g_strdup_printf ("insert n%02u %u", (i * 7) % 30, (i * 37) % 100);
      g_autofree char *answer = send (fixture, command);

      g_ptr_array_add (fixture->ids, g_strdup (answer + 3));
    }

  for (guint m = 0; m < N_MODELS; m++)
    {
      g_autoptr(GormQuery) query = make_query (fixture->db, m);

      fixture->models[m] = gorm_query_watch (query, NULL, &error);
      g_assert_no_error (error);
      fixture->shadows[m] = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < g_list_model_get_n_items (fixture->models[m]); i++)
        {
          gint64 id = item_id (fixture->models[m], i);

          g_array_append_val (fixture->shadows[m], id);
        }
      refs[m] = (ShadowRef) { fixture, m };
      g_signal_connect (fixture->models[m], "items-changed", G_CALLBACK (items_changed_cb), &refs[m]);
    }
  assert_models_match (fixture, "watch");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (fixture->commands, "quit\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (fixture->writer, NULL, &error);
  g_assert_no_error (error);
  for (guint m = 0; m < N_MODELS; m++)
    {
      g_signal_handlers_disconnect_by_func (fixture->models[m], items_changed_cb, NULL);
      g_clear_object (&fixture->models[m]);
      g_array_unref (fixture->shadows[m]);
    }
  g_clear_object (&fixture->answers);
  g_clear_object (&fixture->writer);
  g_ptr_array_unref (fixture->ids);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (gorm_database_close (fixture->check, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_close (fixture->db, NULL, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&fixture->check));
  g_assert_finalize_object (g_steal_pointer (&fixture->db));
  if (fixture->path != NULL)
    test_remove_file (fixture->path);
  g_free (fixture->path);
  g_free (fixture->uri);
}

static const char *
random_id (Fixture *fixture)
{
  return g_ptr_array_index (fixture->ids, g_test_rand_int_range (0, fixture->ids->len));
}

/* One random write of B, inside or outside a transaction: whether it
 * changed a row. */
static gboolean
random_write (Fixture *fixture,
              GString *step)
{
  g_autofree char *command = NULL;
  g_autofree char *answer = NULL;
  guint kind = g_test_rand_int_range (0, fixture->ids->len < 5 ? 1 : 10);
  guint name = g_test_rand_int_range (0, 40);
  guint score = g_test_rand_int_range (0, 100);

  if (kind < 4)
    command = g_strdup_printf ("insert n%02u %u", name, score);
  else if (kind < 8)
    command = g_strdup_printf ("update %s n%02u %u", random_id (fixture), name, score);
  else if (kind < 9)
    command = g_strdup_printf ("set-score %u %u", 90 + score / 10, score);
  else
    {
      guint at = g_test_rand_int_range (0, fixture->ids->len);

      command = g_strdup_printf ("delete %s", (char *) g_ptr_array_index (fixture->ids, at));
      g_ptr_array_remove_index (fixture->ids, at);
    }
  answer = send (fixture, command);
  g_string_append_printf (step, "%s%s", step->len ? "; " : "", command);
  if (g_str_has_prefix (command, "insert"))
    {
      g_ptr_array_add (fixture->ids, g_strdup (answer + 3));
      return TRUE;
    }
  return g_str_has_prefix (command, "delete") || !g_str_equal (answer, "ok 0");
}

static void
snapshot_refreshes (Fixture *fixture,
                    guint   *before)
{
  for (guint i = 0; i < N_MODELS; i++)
    before[i] = refreshes (fixture, i);
}

static gpointer
copy_string (gconstpointer string,
             gpointer      unused)
{
  return g_strdup (string);
}

static void
run_random_steps (Fixture *fixture,
                  guint    n_steps)
{
  for (guint s = 0; s < n_steps; s++)
    {
      g_autoptr(GString) step = g_string_new (NULL);
      guint before[N_MODELS];
      guint kind = g_test_rand_int_range (0, 10);

      snapshot_refreshes (fixture, before);
      if (kind < 8)
        {
          guint n = kind < 6 ? 1 : g_test_rand_int_range (2, 5);
          gboolean changed = FALSE;

          if (n > 1)
            send_ok (fixture, "begin");
          for (guint i = 0; i < n; i++)
            changed |= random_write (fixture, step);
          if (n > 1)
            send_ok (fixture, "commit");
          /* A write that changed nothing commits nothing. */
          if (changed)
            wait_for_delivery (fixture, before, step->str);
          else
            assert_quiet (fixture, before, FALSE, step->str);
        }
      else if (kind < 9 && !test_engine_is_postgresql ())
        {
          /* The other process commits, and this one writes before its
           * main loop ran: the model is told of the other commit no
           * later than of its own write (SQLite's counter is read
           * around each write), and reads again. PostgreSQL's
           * notification may come after: not tested there (see
           * doc/cross-process.md). */
          g_autoptr(GormResource) own = g_object_new (XP_TYPE_ITEM, "database", fixture->db,
                                                      "name", "own",
                                                      "score", g_test_rand_int_range (0, 100),
                                                      NULL);
          g_autoptr(GError) error = NULL;

          send_ok (fixture, "insert mixed 50");
          g_string_append (step, "insert mixed 50; own insert");
          g_assert_true (gorm_resource_save (own, NULL, &error));
          g_assert_no_error (error);
          g_ptr_array_add (fixture->ids, g_strdup_printf ("%" G_GINT64_FORMAT, gorm_resource_get_id (own)));
          wait_for_delivery (fixture, before, step->str);
        }
      else if (kind == 9)
        {
          g_autoptr(GPtrArray) ids = g_ptr_array_copy (fixture->ids, copy_string, NULL);
          guint n = g_test_rand_int_range (1, 4);

          send_ok (fixture, "begin");
          for (guint i = 0; i < n; i++)
            random_write (fixture, step);
          send_ok (fixture, "rollback");
          /* What the rollback undid is not there. */
          g_ptr_array_set_size (fixture->ids, 0);
          for (guint i = 0; i < ids->len; i++)
            g_ptr_array_add (fixture->ids, g_strdup (g_ptr_array_index (ids, i)));
          g_string_append (step, "; rollback");
          assert_quiet (fixture, before, TRUE, step->str);
        }
      assert_models_match (fixture, step->str);
    }
}

static void
test_libgorm_writer (Fixture       *fixture,
                     gconstpointer  data)
{
  run_random_steps (fixture, 60);
}

/* Runs @sql with psql on the fixture's PostgreSQL database. */
static char *
psql (const char *uri,
      const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shell = g_find_program_in_path ("psql");
  char *output = NULL;
  int status;
  const char *argv[] = { NULL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql, NULL };

  /* The harness installs postgresql-15, which brings psql: a missing one
   * fails. */
  g_assert_nonnull (shell);
  argv[0] = shell;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &output, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return output;
}

/* A program that does not use libgorm: SQLite's data_version changes
 * for any other connection's commit, so the sqlite3 shell's writes are
 * followed too; on PostgreSQL, the notifying trigger a live model put on
 * its table fires for psql's writes as for any other. */
static void
test_foreign_writer (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const statements[] = {
    "INSERT INTO xp_item (name, score) VALUES ('shell-a', 55), ('shell-b', 5);",
    "UPDATE xp_item SET score = 99 WHERE name = 'shell-b';",
    "UPDATE xp_item SET name = 'zz-' || name WHERE score < 30;",
    "DELETE FROM xp_item WHERE score BETWEEN 40 AND 60;",
    "BEGIN; INSERT INTO xp_item (name, score) VALUES ('shell-c', 70); ROLLBACK;",
    "DELETE FROM xp_item;",
  };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autofree char *output = NULL;
      guint before[N_MODELS];

      snapshot_refreshes (fixture, before);
      if (test_engine_is_postgresql ())
        output = psql (fixture->uri, statements[i]);
      else
        output = test_sqlite3_shell (fixture->path, statements[i]);
      if (output == NULL)
        return;
      if (strstr (statements[i], "ROLLBACK") != NULL)
        assert_quiet (fixture, before, TRUE, statements[i]);
      else
        wait_for_delivery (fixture, before, statements[i]);
      assert_models_match (fixture, statements[i]);
    }
  /* And libgorm's writer again, on an empty table. */
  g_ptr_array_set_size (fixture->ids, 0);
  run_random_steps (fixture, 10);
}

/* Runs @sql on the fixture's second connection: another connection's
 * commit, made without libgorm's objects. */
static void
execute_elsewhere (Fixture    *fixture,
                   const char *sql)
{
  g_autoptr(GError) error = NULL;

  gorm_database_execute (fixture->check, sql, NULL, 0, NULL, &error);
  g_assert_no_error (error);
}

/* A model of more rows than it keeps keys of (5,000) emits a reset,
 * all its items removed and added, for another connection's commit; one
 * back under that size keeps keys again and emits exact changes. */
static void
test_large_model (Fixture       *fixture,
                  gconstpointer  data)
{
  guint before[N_MODELS];
  guint n_old;

  snapshot_refreshes (fixture, before);
  n_old = g_list_model_get_n_items (fixture->models[0]);
  if (test_engine_is_postgresql ())
    execute_elsewhere (fixture, "INSERT INTO xp_item (name, score) "
                                "SELECT 'bulk-' || x, x % 100 FROM generate_series (1, 5000) AS x");
  else
    execute_elsewhere (fixture, "INSERT INTO xp_item (name, score) "
                                "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 5000) "
                                "SELECT 'bulk-' || x, x % 100 FROM s");
  wait_for_delivery (fixture, before, "5,000 rows inserted");
  assert_models_match (fixture, "5,000 rows inserted");
  g_assert_cmpuint (fixture->last[0][0], ==, 0);
  g_assert_cmpuint (fixture->last[0][1], ==, n_old);
  g_assert_cmpuint (fixture->last[0][2], ==, n_old + 5000);

  /* One more row: still a reset. */
  snapshot_refreshes (fixture, before);
  send_ok (fixture, "insert zzz 1");
  wait_for_delivery (fixture, before, "one row in a large model");
  assert_models_match (fixture, "one row in a large model");
  g_assert_cmpuint (fixture->last[0][0], ==, 0);
  g_assert_cmpuint (fixture->last[0][1], ==, n_old + 5000);
  g_assert_cmpuint (fixture->last[0][2], ==, n_old + 5001);

  /* Back to a few rows, and exact changes again. */
  snapshot_refreshes (fixture, before);
  execute_elsewhere (fixture, "DELETE FROM xp_item WHERE name LIKE 'bulk-%'");
  wait_for_delivery (fixture, before, "5,000 rows deleted");
  assert_models_match (fixture, "5,000 rows deleted");
  snapshot_refreshes (fixture, before);
  send_ok (fixture, "insert zzz 2");
  wait_for_delivery (fixture, before, "one row in a small model");
  assert_models_match (fixture, "one row in a small model");
  g_assert_cmpuint (fixture->last[0][1], ==, 0);
  g_assert_cmpuint (fixture->last[0][2], ==, 1);
  {
    g_autoptr(GormResource) item = g_list_model_get_item (fixture->models[0], fixture->last[0][0]);
    g_autofree char *name = NULL;
    int score;

    g_object_get (item, "name", &name, "score", &score, NULL);
    g_assert_cmpstr (name, ==, "zzz");
    g_assert_cmpint (score, ==, 2);
  }
}

/* A database closed while its live models exist follows nothing more:
 * another process's commits then change no model, and warn of nothing
 * (warnings are fatal here). */
static void
test_closed_database (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint before[N_MODELS];

  g_assert_true (gorm_database_close (fixture->db, NULL, &error));
  g_assert_no_error (error);
  snapshot_refreshes (fixture, before);
  send_ok (fixture, "insert after-close 50");
  send_ok (fixture, "set-score 0 7");
  assert_quiet (fixture, before, TRUE, "commits after close");
}

/* PostgreSQL restarted under a live model: the listener's connection
 * breaks, it connects again once the server is back, and every model
 * reads again (what was committed meanwhile sent no notification); then
 * the other process's commits are followed as before. */
static void
test_server_restart (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tool = g_test_build_filename (G_TEST_DIST, "..", "tools", "pg-server", NULL);
  const char *argv[] = { tool, "restart", g_getenv ("GORM_TEST_POSTGRESQL_DIR"), NULL };
  gint64 deadline = g_get_monotonic_time () + DELIVERY_TIMEOUT_USEC;
  guint before[N_MODELS];
  int status;

  snapshot_refreshes (fixture, before);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  wait_for_delivery (fixture, before, "server restart");
  /* The second connection's first call after the restart meets its
   * broken connection (CONNECTION), and the next one connects again. */
  {
    g_autoptr(GormQuery) query = gorm_database_query (fixture->check, XP_TYPE_ITEM);
    g_autoptr(GError) ignored = NULL;

    if (gorm_query_count (query, NULL, &ignored) < 0)
      g_assert_error (ignored, GORM_ERROR, GORM_ERROR_CONNECTION);
  }

  /* The writer's connection broke too: its first call may fail, and
   * the next one connects again. */
  for (guint attempt = 0;; attempt++)
    {
      g_autofree char *answer = NULL;
      g_autofree char *line = NULL;

      snapshot_refreshes (fixture, before);
      g_output_stream_write_all (fixture->commands, "insert after-restart 42\n", 24, NULL, NULL, &error);
      g_assert_no_error (error);
      answer = g_data_input_stream_read_line_utf8 (fixture->answers, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (answer);
      if (g_str_has_prefix (answer, "ok"))
        break;
      g_test_message ("the writer answered “%s”", answer);
      g_assert_cmpuint (attempt, <, 3);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  wait_for_delivery (fixture, before, "a commit after the restart");
  assert_models_match (fixture, "a commit after the restart");
}

static void
set_up (Fixture       *fixture,
        gconstpointer  data)
{
  fixture_set_up_database (fixture);
  fixture_start (fixture);
}

/* Two database objects of this process on one file are two connections:
 * a model of one follows the other's commits, with no second process
 * (what the helgrind suite runs). */
static void
test_second_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GormDatabase) a = test_open_file (&path);
  g_autoptr(GormDatabase) b = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GArray) shadow = g_array_new (FALSE, FALSE, sizeof (gint64));
  Fixture fixture = { 0 };
  ShadowRef ref = { &fixture, 0 };

  test_migrate (a, XP_TYPE_ITEM);
  uri = test_uri_of_file (path);
  b = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  query = make_query (a, 0);
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  fixture.models[0] = model;
  fixture.shadows[0] = shadow;
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), &ref);

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GormResource) item = g_object_new (XP_TYPE_ITEM, "database", b, "name", "b",
                                                   "score", (int) ((i * 37) % 100), NULL);
      guint before = gorm_query_model_get_n_refreshes (GORM_QUERY_MODEL (model));
      gint64 deadline = g_get_monotonic_time () + DELIVERY_TIMEOUT_USEC;

      g_assert_true (gorm_resource_save (item, NULL, &error));
      g_assert_no_error (error);
      if (i % 3 == 2)
        {
          g_assert_true (gorm_resource_delete (item, NULL, &error));
          g_assert_no_error (error);
        }
      while (gorm_query_model_get_n_refreshes (GORM_QUERY_MODEL (model)) == before)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, FALSE);
          g_usleep (1000);
        }
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (g_list_model_get_n_items (model), ==, shadow->len);
      for (guint j = 0; j < shadow->len; j++)
        g_assert_cmpint (item_id (model, j), ==, g_array_index (shadow, gint64, j));
    }
  g_assert_cmpuint (shadow->len, ==, 20 - 20 / 3);
  g_signal_handlers_disconnect_by_func (model, items_changed_cb, &ref);

  g_clear_object (&model);
  g_clear_object (&query);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (gorm_database_close (b, NULL, &error));
  g_assert_true (gorm_database_close (a, NULL, &error));
  g_assert_finalize_object (g_steal_pointer (&b));
  g_assert_finalize_object (g_steal_pointer (&a));
  test_remove_file (path);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* The same tests on either engine, as the suite's setup says. */
  g_test_add ("/Gorm/CrossProcess/libgorm-writer", Fixture, NULL,
              set_up, test_libgorm_writer, fixture_tear_down);
  g_test_add ("/Gorm/CrossProcess/foreign-writer", Fixture, NULL,
              set_up, test_foreign_writer, fixture_tear_down);
  g_test_add ("/Gorm/CrossProcess/large-model", Fixture, NULL,
              set_up, test_large_model, fixture_tear_down);
  g_test_add ("/Gorm/CrossProcess/closed-database", Fixture, NULL,
              set_up, test_closed_database, fixture_tear_down);
  g_test_add_func ("/Gorm/CrossProcess/second-connection", test_second_connection);
  /* Only where the harness started the server, which it may restart. */
  if (test_engine_is_postgresql () && g_getenv ("GORM_TEST_POSTGRESQL_DIR") != NULL)
    g_test_add ("/Gorm/CrossProcess/server-restart", Fixture, NULL,
                set_up, test_server_restart, fixture_tear_down);

  return g_test_run ();
}
