/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What happens when a transaction cannot end as asked: COMMIT, RELEASE or
 * ROLLBACK failing for real (another process holding a lock, a full disk)
 * or by fault injection where the engine cannot be made to fail. After
 * each failure: the error code, depth 0, a following save works and
 * survives close and reopen, and an async call completes. */

#include "config.h"

#include <errno.h>
#include <sys/mount.h>
#include <glib/gstdio.h>

#include "gorm-connection-private.h"
#include "gorm-test-utils.h"

TEST_DEFINE_RESOURCE (TestTag, test_tag)

static void
test_tag_class_init (TestTagClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

/* Another process: the sqlite3 shell, fed on its standard input, holding
 * a lock on the file until released. */
typedef struct
{
  GSubprocess      *process;
  GOutputStream    *input;
  GDataInputStream *output;
} Holder;

static void
holder_send (Holder     *holder,
             const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (holder->input, sql, strlen (sql), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (holder->input, NULL, &error);
  g_assert_no_error (error);
}

/* Starts the shell on @path and runs @sql, which takes the lock; returns
 * once it holds it. NULL (and the test skipped) without the shell. */
static Holder *
holder_start (const char *path,
              const char *sql)
{
  g_autofree char *shell = g_find_program_in_path ("sqlite3");
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *script = NULL;
  Holder *holder;

  if (shell == NULL)
    {
      g_test_skip ("the sqlite3 shell is not installed: no second process can hold a lock");
      return NULL;
    }

  holder = g_new0 (Holder, 1);
  holder->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                      &error, shell, "-batch", path, NULL);
  g_assert_no_error (error);
  holder->input = g_subprocess_get_stdin_pipe (holder->process);
  holder->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder->process));

  script = g_strdup_printf ("%s\nSELECT 'held';\n", sql);
  holder_send (holder, script);
  do
    {
      g_free (line);
      line = g_data_input_stream_read_line_utf8 (holder->output, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
    }
  while (!g_str_equal (line, "held"));

  return holder;
}

static void
holder_release (Holder *holder)
{
  g_autoptr(GError) error = NULL;

  holder_send (holder, "ROLLBACK;\n.quit\n");
  g_output_stream_close (holder->input, NULL, NULL);
  g_subprocess_wait_check (holder->process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (holder->output);
  g_object_unref (holder->process);
  g_free (holder);
}

static GormResource *
new_post (GormDatabase *db,
          const char   *title)
{
  return g_object_new (TEST_TYPE_POST, "database", db, "title", title, NULL);
}

static void
save_post (GormDatabase *db,
           const char   *title)
{
  g_autoptr(GormResource) post = new_post (db, title);

  test_save_ok (post);
}

static gint64
count_titled (GormDatabase *db,
              const char   *title)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM test_post WHERE title = '%s'", title);
  g_autofree char *text = test_query_text (db, sql);

  return g_ascii_strtoll (text, NULL, 10);
}

static void
set_busy_timeout (GormDatabase *db,
                  guint         milliseconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA busy_timeout=%u", milliseconds);

  g_assert_cmpint (gorm_database_execute (db, sql, NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;

  gorm_resource_save_finish (GORM_RESOURCE (source), result, error);
  /* Marks the call done, whatever it returned. */
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

/* What must hold after any failed end of a transaction: nothing open,
 * the database usable at once, sync and async, and what it writes kept. */
static void
assert_recovered (GormDatabase *db,
                  const char   *title)
{
  g_autoptr(GormResource) post = new_post (db, "after, async");
  GError *async_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();

  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  save_post (db, title);

  gorm_resource_save_async (post, NULL, saved_cb, &async_error);
  while (async_error == NULL && g_timer_elapsed (timer, NULL) < 20)
    g_main_context_iteration (NULL, g_timer_elapsed (timer, NULL) > 0.01);
  g_assert_nonnull (async_error);
  g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&async_error);

  /* A new transaction is a transaction, not a savepoint. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 1);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
}

/* Reopens @path and checks the rows @kept are there, @lost are not. */
static void
assert_after_reopen (const char *path,
                     const char *kept,
                     const char *lost)
{
  g_autofree char *uri = test_uri_of_file (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = gorm_database_open (uri, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (count_titled (db, kept), ==, 1);
  g_assert_cmpint (count_titled (db, "after, async"), ==, 1);
  if (lost != NULL)
    g_assert_cmpint (count_titled (db, lost), ==, 0);
  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_no_error (error);
}

static void
close_ok (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (db);
}

/* A file database in rollback-journal mode, where a COMMIT needs every
 * reader of other processes gone: a reader holding its shared lock makes
 * the COMMIT fail with BUSY, for real. */
static GormDatabase *
open_journaled (char **path)
{
  GormDatabase *db = test_open_file (path);
  g_autoptr(GError) error = NULL;

  gorm_database_execute (db, "PRAGMA journal_mode=delete", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  set_busy_timeout (db, 50);
  test_migrate (db, TEST_TYPE_POST);
  save_post (db, "before");
  return db;
}

static const char *reader_sql = "BEGIN; SELECT count(*) FROM test_post;";

static void
test_commit_busy (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_journaled (&path);
  g_autoptr(GError) error = NULL;
  Holder *reader;

  reader = holder_start (path, reader_sql);
  if (reader == NULL)
    {
      close_ok (db);
      test_remove_file (path);
      return;
    }

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (gorm_database_begin (db, NULL, &error));
  save_post (db, "lost");
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 1);
  g_assert_false (gorm_database_commit (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  /* Nothing is left to roll back. */
  g_assert_false (gorm_database_rollback (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);

  holder_release (reader);
  assert_recovered (db, "after");
  g_assert_cmpint (count_titled (db, "lost"), ==, 0);
  close_ok (db);
  assert_after_reopen (path, "after", "lost");
  g_assert_nonnull (path);
  test_remove_file (path);
}

static gboolean
save_lost_cb (GormDatabase  *db,
              gpointer       user_data,
              GError       **error)
{
  g_autoptr(GormResource) post = new_post (db, "lost");

  return gorm_resource_save (post, NULL, error);
}

static void
test_run_in_transaction_busy (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_journaled (&path);
  g_autoptr(GError) error = NULL;
  Holder *reader = holder_start (path, reader_sql);

  if (reader == NULL)
    {
      close_ok (db);
      test_remove_file (path);
      return;
    }

  g_assert_false (gorm_database_run_in_transaction (db, save_lost_cb, NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  holder_release (reader);
  assert_recovered (db, "after");
  close_ok (db);
  assert_after_reopen (path, "after", "lost");
  test_remove_file (path);
}

static void
transaction_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GError **error = user_data;

  if (gorm_database_run_in_transaction_finish (GORM_DATABASE (source), result, error))
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "committed");
}

static void
test_run_in_transaction_async_busy (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_journaled (&path);
  GError *error = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  Holder *reader = holder_start (path, reader_sql);

  if (reader == NULL)
    {
      close_ok (db);
      test_remove_file (path);
      return;
    }

  gorm_database_run_in_transaction_async (db, save_lost_cb, NULL, NULL, NULL,
                                          transaction_done_cb, &error);
  while (error == NULL && g_timer_elapsed (timer, NULL) < 20)
    g_main_context_iteration (NULL, g_timer_elapsed (timer, NULL) > 0.01);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  holder_release (reader);
  assert_recovered (db, "after");
  close_ok (db);
  assert_after_reopen (path, "after", "lost");
  test_remove_file (path);
}

static void
test_migrate_commit_busy (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = open_journaled (&path);
  g_autoptr(GError) error = NULL;
  GType types[] = { TEST_TYPE_POST, test_tag_get_type () };
  Holder *reader = holder_start (path, reader_sql);

  if (reader == NULL)
    {
      close_ok (db);
      test_remove_file (path);
      return;
    }

  /* A new table: the COMMIT needs the lock the reader keeps it from. */
  g_assert_false (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  holder_release (reader);
  assert_recovered (db, "after");
  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  close_ok (db);
  assert_after_reopen (path, "after", NULL);
  test_remove_file (path);
}

/* A second process holding the write lock: BEGIN fails with BUSY (after
 * the busy timeout), nothing is open, and the database works once the
 * other process is done. */
static void
test_begin_busy (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  Holder *writer;

  set_busy_timeout (db, 50);
  test_migrate (db, TEST_TYPE_POST);
  writer = holder_start (path, "BEGIN EXCLUSIVE;");
  if (writer == NULL)
    {
      close_ok (db);
      test_remove_file (path);
      return;
    }

  g_assert_false (gorm_database_begin (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  g_assert_false (gorm_database_run_in_transaction (db, save_lost_cb, NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  holder_release (writer);
  assert_recovered (db, "after");
  close_ok (db);
  assert_after_reopen (path, "after", "lost");
  test_remove_file (path);
}

/* Fault injection: what the engine cannot be made to do on demand. */

typedef enum {
  END_COMMIT,
  END_COMMIT_INNER,
  END_ROLLBACK,
  END_ROLLBACK_INNER,
} End;

typedef struct
{
  const char *prefix;
  GormError   code;
  End         end;
} Fault;

static const Fault faults[] = {
  { "COMMIT", GORM_ERROR_FULL, END_COMMIT },
  { "COMMIT", GORM_ERROR_CONSTRAINT, END_COMMIT },
  { "COMMIT", GORM_ERROR_FAILED, END_COMMIT },
  { "RELEASE", GORM_ERROR_FULL, END_COMMIT_INNER },
  { "RELEASE", GORM_ERROR_FAILED, END_ROLLBACK_INNER },
  { "ROLLBACK TO", GORM_ERROR_FAILED, END_ROLLBACK_INNER },
  { "ROLLBACK", GORM_ERROR_FAILED, END_ROLLBACK },
};

static void
test_injected (gconstpointer data)
{
  const Fault *fault = data;
  g_autofree char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  test_migrate (db, TEST_TYPE_POST);
  save_post (db, "before");

  g_assert_true (gorm_database_begin (db, NULL, &error));
  save_post (db, "lost");
  if (fault->end == END_COMMIT_INNER || fault->end == END_ROLLBACK_INNER)
    {
      g_assert_true (gorm_database_begin (db, NULL, &error));
      save_post (db, "lost inner");
      g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 2);
    }

  gorm_connection_inject_fault (gorm_database_get_execution (db), fault->prefix, fault->code);
  if (fault->end == END_COMMIT || fault->end == END_COMMIT_INNER)
    ok = gorm_database_commit (db, NULL, &error);
  else
    ok = gorm_database_rollback (db, NULL, &error);
  g_assert_false (ok);
  g_assert_error (error, GORM_ERROR, (gint) fault->code);
  g_assert_nonnull (strstr (error->message, "rolled back"));
  g_clear_error (&error);

  /* The whole transaction is gone, the outer one included. */
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  g_assert_cmpint (count_titled (db, "lost"), ==, 0);
  g_assert_cmpint (count_titled (db, "lost inner"), ==, 0);
  g_assert_cmpint (count_titled (db, "before"), ==, 1);

  assert_recovered (db, "after");
  close_ok (db);
  assert_after_reopen (path, "after", "lost");
  test_remove_file (path);
}

static gboolean
save_and_fail_cb (GormDatabase  *db,
                  gpointer       user_data,
                  GError       **error)
{
  save_lost_cb (db, NULL, NULL);
  gorm_connection_inject_fault (gorm_database_get_execution (db), "ROLLBACK", GORM_ERROR_FAILED);
  g_set_error_literal (error, GORM_ERROR, GORM_ERROR_VALIDATION, "the function failed");
  return FALSE;
}

static gboolean
save_and_inject_commit_cb (GormDatabase  *db,
                           gpointer       user_data,
                           GError       **error)
{
  gorm_connection_inject_fault (gorm_database_get_execution (db), "COMMIT", GORM_ERROR_FULL);
  return save_lost_cb (db, NULL, error);
}

/* run_in_transaction(), sync and async, when its COMMIT fails, and when
 * its ROLLBACK fails after the function failed. */
static void
test_injected_run_in_transaction (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  GError *async_error = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();

  test_migrate (db, TEST_TYPE_POST);

  g_assert_false (gorm_database_run_in_transaction (db, save_and_inject_commit_cb, NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  g_assert_false (gorm_database_run_in_transaction (db, save_and_fail_cb, NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  gorm_database_run_in_transaction_async (db, save_and_inject_commit_cb, NULL, NULL, NULL,
                                          transaction_done_cb, &async_error);
  while (async_error == NULL && g_timer_elapsed (timer, NULL) < 20)
    g_main_context_iteration (NULL, g_timer_elapsed (timer, NULL) > 0.01);
  g_assert_error (async_error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&async_error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  gorm_database_run_in_transaction_async (db, save_and_fail_cb, NULL, NULL, NULL,
                                          transaction_done_cb, &async_error);
  while (async_error == NULL && g_timer_elapsed (timer, NULL) < 40)
    g_main_context_iteration (NULL, g_timer_elapsed (timer, NULL) > 0.01);
  g_assert_error (async_error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&async_error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  g_assert_cmpint (count_titled (db, "lost"), ==, 0);
  assert_recovered (db, "after");
  close_ok (db);
  assert_after_reopen (path, "after", "lost");
  test_remove_file (path);
}

static void
test_injected_migrate (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  GType types[] = { TEST_TYPE_POST, test_tag_get_type () };

  test_migrate (db, TEST_TYPE_POST);
  gorm_connection_inject_fault (gorm_database_get_execution (db), "COMMIT", GORM_ERROR_FULL);
  g_assert_false (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  /* The table of the failed migration was rolled back with it. */
  {
    g_autofree char *n_tables = test_query_text (db, test_engine_is_postgresql ()
                                                     ? "SELECT count(*) FROM information_schema.tables "
                                                       "WHERE table_name = 'test_tag'"
                                                     : "SELECT count(*) FROM sqlite_master "
                                                       "WHERE name = 'test_tag'");

    g_assert_cmpstr (n_tables, ==, "0");
  }

  assert_recovered (db, "after");
  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  close_ok (db);
  assert_after_reopen (path, "after", NULL);
  test_remove_file (path);
}

/* A real full disk: a small tmpfs, which only root can mount. */
static void
test_disk_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *big = NULL;
  GormDatabase *db;
  gboolean ok = TRUE;

  if (geteuid () != 0)
    {
      g_test_skip ("a full disk needs a small tmpfs, which only root can mount");
      return;
    }
  dir = g_dir_make_tmp ("gorm-full-XXXXXX", &error);
  g_assert_no_error (error);
  if (mount ("tmpfs", dir, "tmpfs", 0, "size=256k") != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot mount a tmpfs: %s", g_strerror (errno));

      g_rmdir (dir);
      g_test_skip (why);
      return;
    }

  path = g_build_filename (dir, "full.db", NULL);
  uri = test_uri_of_file (path);
  db = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  test_migrate (db, TEST_TYPE_POST);
  save_post (db, "before");

  /* 400 kB in one transaction: it stays in the page cache until the
   * COMMIT writes it to the WAL, which does not fit. */
  big = g_strnfill (4000, 'x');
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; ok && i < 100; i++)
    {
      g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db,
                                                   "title", "lost", "content", big, NULL);

      ok = gorm_resource_save (post, NULL, &error);
    }
  if (ok)
    ok = gorm_database_commit (db, NULL, &error);
  else
    gorm_database_rollback (db, NULL, NULL);
  g_assert_false (ok);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  assert_recovered (db, "after");
  g_assert_cmpint (count_titled (db, "lost"), ==, 0);
  close_ok (db);
  assert_after_reopen (path, "after", "lost");

  test_remove_file (path);
  g_assert_cmpint (umount (dir), ==, 0);
  g_rmdir (dir);
}

/* An up-to-date schema migrates while another process holds the write
 * lock: the differences are read first, and there are none to write. */
static void
test_migrate_up_to_date_while_locked (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  GType post = TEST_TYPE_POST;
  GType tag = test_tag_get_type ();
  Holder *writer;

  set_busy_timeout (db, 50);
  test_migrate (db, TEST_TYPE_POST);
  writer = holder_start (path, "BEGIN EXCLUSIVE;");
  if (writer == NULL)
    {
      close_ok (db);
      test_remove_file (path);
      return;
    }

  log = test_log_attach (db);
  g_assert_true (gorm_database_migrate (db, &post, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_log_count (log, "BEGIN"), ==, 0);
  g_assert_cmpuint (test_log_count (log, "CREATE"), ==, 0);
  g_assert_cmpuint (test_log_count (log, "ALTER"), ==, 0);

  /* A new table needs the lock, which is refused. */
  g_assert_false (gorm_database_migrate (db, &tag, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  holder_release (writer);
  g_assert_true (gorm_database_migrate (db, &tag, 1, NULL, &error));
  g_assert_no_error (error);
  gorm_database_set_trace_func (db, NULL, NULL);
  assert_recovered (db, "after");
  close_ok (db);
  assert_after_reopen (path, "after", NULL);
  test_remove_file (path);
}

/* An existing table whose column types contradict the model is refused,
 * naming the table, the column, the stored and the expected types, and
 * nothing changes. */
static void
assert_migration_refused_with (const char *create,
                               const char *row,
                               const char *column,
                               const char *stored,
                               const char *expected);

static void
assert_migration_refused (const char *create,
                          const char *column,
                          const char *stored,
                          const char *expected)
{
  assert_migration_refused_with (create, NULL, column, stored, expected);
}

/* The same, the table holding @row (NULL: none). */
static void
assert_migration_refused_with (const char *create,
                               const char *row,
                               const char *column,
                          const char *stored,
                          const char *expected)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GType post = TEST_TYPE_POST;
  const char *schema_sql = test_engine_is_postgresql ()
    ? "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ';' "
      "ORDER BY table_name, ordinal_position) FROM information_schema.columns "
      "WHERE table_schema = current_schema()"
    : "SELECT group_concat(sql, ';') FROM sqlite_master";

  g_assert_cmpint (gorm_database_execute (db, create, NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  if (row != NULL)
    {
      gorm_database_execute (db, row, NULL, 0, NULL, &error);
      g_assert_no_error (error);
    }
  before = test_query_text (db, schema_sql);

  g_assert_false (gorm_database_migrate (db, &post, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“test_post”"));
  g_assert_nonnull (strstr (error->message, column));
  g_assert_nonnull (strstr (error->message, stored));
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  after = test_query_text (db, schema_sql);
  g_assert_cmpstr (before, ==, after);
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_migrate_text_id (void)
{
  if (test_engine_is_postgresql ())
    assert_migration_refused ("CREATE TABLE test_post (id text PRIMARY KEY, title text)",
                              "“id”", "“text”", "bigint");
  else
    assert_migration_refused ("CREATE TABLE test_post (id TEXT PRIMARY KEY, title TEXT)",
                              "“id”", "“TEXT”", "INTEGER");
}

/* An integer property over a text column converts the values that are
 * integers written exactly; a row holding another text is refused,
 * named by its key and value. */
static void
test_migrate_text_integer (void)
{
  if (test_engine_is_postgresql ())
    assert_migration_refused_with ("CREATE TABLE test_post (id bigserial PRIMARY KEY, "
                                   "title text NOT NULL, views text)",
                                   "INSERT INTO test_post (id, title, views) VALUES (7, 'a', '0012')",
                                   "“views”", "“text”", "“bigint”");
  else
    assert_migration_refused_with ("CREATE TABLE test_post (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                                   "title TEXT NOT NULL, views TEXT)",
                                   "INSERT INTO test_post (id, title, views) VALUES (7, 'a', '0012')",
                                   "“views”", "“TEXT”", "“INTEGER”");
}

/* A text property over an integer column converts the integers to their
 * text, which reads back as the column held it. */
static void
test_migrate_integer_text (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  GType post = TEST_TYPE_POST;

  gorm_database_execute (db, test_engine_is_postgresql ()
                             ? "CREATE TABLE test_post (id bigserial PRIMARY KEY, title bigint NOT NULL)"
                             : "CREATE TABLE test_post (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                               "title INTEGER NOT NULL)", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (db, "INSERT INTO test_post (id, title) VALUES (1, 123)", NULL, 0, NULL,
                         &error);
  g_assert_no_error (error);
  g_assert_true (gorm_database_migrate (db, &post, 1, NULL, &error));
  g_assert_no_error (error);
  title = test_query_text (db, "SELECT title || '|' FROM test_post");
  g_assert_cmpstr (title, ==, "123|");
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A table another tool created, without libgorm's CHECK constraints,
 * holding a value in an INTEGER or REAL column that libgda would read
 * as 0: migrate refuses it, naming the table, the column, the key of
 * the row, the value and the storage class expected, and changes
 * nothing; once the row is fixed, migrate evolves the table. */
static void
assert_misstored_refused (const char *bad_row,
                          const char *fix,
                          const char *column,
                          const char *value,
                          const char *expected)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema_before = NULL;
  g_autofree char *rows_before = NULL;
  g_autofree char *schema_after = NULL;
  g_autofree char *rows_after = NULL;
  g_autofree char *added = NULL;
  GType post = TEST_TYPE_POST;
  const char *schema_sql = test_engine_is_postgresql ()
    ? "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ';' "
      "ORDER BY table_name, ordinal_position) FROM information_schema.columns "
      "WHERE table_schema = current_schema()"
    : "SELECT group_concat(sql, ';') FROM sqlite_master";
  static const char *rows_sql = "SELECT group_concat(quote(id) || quote(title) || quote(views) || "
                                "quote(rating), ';') FROM test_post";

  gorm_database_execute (db, "CREATE TABLE test_post (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "title TEXT, views INTEGER, rating REAL)", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (db, "INSERT INTO test_post VALUES (1, 'a', 5, 1.5)", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (db, bad_row, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  schema_before = test_query_text (db, schema_sql);
  rows_before = test_query_text (db, rows_sql);

  g_assert_false (gorm_database_migrate (db, &post, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“test_post”"));
  g_assert_nonnull (strstr (error->message, column));
  g_assert_nonnull (strstr (error->message, value));
  g_assert_nonnull (strstr (error->message, "“id” is “7”"));
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  g_clear_error (&error);

  schema_after = test_query_text (db, schema_sql);
  rows_after = test_query_text (db, rows_sql);
  g_assert_cmpstr (schema_before, ==, schema_after);
  g_assert_cmpstr (rows_before, ==, rows_after);

  gorm_database_execute (db, fix, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_migrate (db, &post, 1, NULL, &error);
  g_assert_no_error (error);
  added = test_query_text (db, "SELECT count(*) FROM pragma_table_info('test_post') "
                               "WHERE name = 'content'");
  g_assert_cmpstr (added, ==, "1");
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_migrate_misstored_integer (void)
{
  assert_misstored_refused ("INSERT INTO test_post VALUES (7, 'b', 'abc', 2.5)",
                            "UPDATE test_post SET views = 3 WHERE id = 7",
                            "“views”", "'abc'", "“integer”");
}

static void
test_migrate_misstored_real (void)
{
  assert_misstored_refused ("INSERT INTO test_post VALUES (7, 'b', 2, 'high')",
                            "UPDATE test_post SET rating = 2.5 WHERE id = 7",
                            "“rating”", "'high'", "“real”");
}

static void
test_migrate_misstored_blob (void)
{
  /* A blob is named as an SQL literal, never as raw bytes. */
  assert_misstored_refused ("INSERT INTO test_post VALUES (7, 'b', x'ff00', 2.5)",
                            "DELETE FROM test_post WHERE id = 7",
                            "“views”", "X'FF00'", "“integer”");
}

/* libgorm's own table, whose CHECK another tool bypassed: the values are
 * scanned even where the CHECK exists. */
static void
test_migrate_misstored_check_bypassed (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType post = TEST_TYPE_POST;

  g_assert_true (gorm_database_migrate (db, &post, 1, NULL, &error));
  g_assert_no_error (error);
  gorm_database_execute (db, "INSERT INTO test_post (id, title, views) VALUES (4, 't', 'abc')",
                         NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  gorm_database_execute (db, "PRAGMA ignore_check_constraints = 1", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (db, "INSERT INTO test_post (id, title, views) VALUES (4, 't', 'abc')",
                         NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (db, "PRAGMA ignore_check_constraints = 0", NULL, 0, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (gorm_database_migrate (db, &post, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "“views”"));
  g_assert_nonnull (strstr (error->message, "'abc'"));
  g_assert_nonnull (strstr (error->message, "“id” is “4”"));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Whether @log holds a scan of stored values (the migrator's
 * "WHERE typeof(column) NOT IN (…)"). */
static gboolean
log_scans_values (TestLog *log)
{
  for (guint i = 0; i < log->statements->len; i++)
    if (strstr (g_ptr_array_index (log->statements, i), "typeof(") != NULL)
      return TRUE;
  return FALSE;
}

/* The first use of a type whose table it does not change reads no
 * stored values (every program would pay a pass over each number column
 * of the table before its first query); gorm_database_migrate() still
 * scans them and refuses the value bypassing the CHECK, and so does a
 * first use that changes the table. */
static void
test_first_use_skips_value_scan (void)
{
  g_autofree char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  g_autofree char *uri = test_uri_of_file (path);
  g_autoptr(GormDatabase) again = NULL;
  g_autoptr(GormDatabase) foreign = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  GType post = TEST_TYPE_POST;

  test_migrate (db, TEST_TYPE_POST);
  gorm_database_execute (db, "PRAGMA ignore_check_constraints = 1", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (db, "INSERT INTO test_post (id, title, views) VALUES (4, 't', 'abc')",
                         NULL, 0, NULL, &error);
  g_assert_no_error (error);
  close_ok (db);

  again = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  log = test_log_attach (again);
  query = gorm_database_query (again, TEST_TYPE_POST);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (gorm_database_is_migrated (again, TEST_TYPE_POST));
  g_assert_cmpuint (log->statements->len, >, 0);
  g_assert_false (log_scans_values (log));

  g_assert_false (gorm_database_migrate (again, &post, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "'abc'"));
  g_assert_true (log_scans_values (log));
  g_clear_error (&error);
  gorm_database_set_trace_func (again, NULL, NULL);
  g_clear_object (&query);
  close_ok (g_steal_pointer (&again));
  test_remove_file (path);

  /* A table to change (no "content" column, no CHECK): the first use
   * scans before it changes anything, and refuses. */
  foreign = test_open_memory ();
  gorm_database_execute (foreign, "CREATE TABLE test_post (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "title TEXT, views INTEGER, rating REAL)", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (foreign, "INSERT INTO test_post VALUES (7, 'b', 'abc', 2.5)", NULL, 0,
                         NULL, &error);
  g_assert_no_error (error);
  query = gorm_database_query (foreign, TEST_TYPE_POST);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "'abc'"));
  g_assert_nonnull (strstr (error->message, "“id” is “7”"));
  g_assert_false (gorm_database_is_migrated (foreign, TEST_TYPE_POST));
  g_clear_object (&query);
  g_assert_finalize_object (g_steal_pointer (&foreign));
}

/* A foreign table without CHECK constraints whose values all fit
 * migrates, with integers where reals are expected: the table is
 * rebuilt (its columns become NOT NULL), the integers stored as reals. */
static void
test_migrate_foreign_clean (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *added = NULL;
  GType post = TEST_TYPE_POST;

  gorm_database_execute (db, "CREATE TABLE test_post (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "title TEXT, views INTEGER, rating NUMERIC)", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (db, "INSERT INTO test_post VALUES (1, 'a', 5, 2), (2, '12', 7, 2.5), "
                         "(3, 'c', 0, 0)", NULL, 0, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (gorm_database_migrate (db, &post, 1, NULL, &error));
  g_assert_no_error (error);
  added = test_query_text (db, "SELECT count(*) FROM pragma_table_info('test_post') "
                               "WHERE name = 'content'");
  g_assert_cmpstr (added, ==, "1");
  rows = test_query_text (db, "SELECT group_concat(quote(views) || quote(rating), ';') FROM test_post");
  g_assert_cmpstr (rows, ==, "52.0;72.5;00.0");
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GEnumClass) codes = NULL;

  g_test_init (&argc, &argv, NULL);
  codes = g_type_class_ref (GORM_TYPE_ERROR);

  /* SQLite's locks and its file on a full disk; test-postgresql.c has
   * PostgreSQL's lock timeout, deadlock and full disk. */
  if (!test_engine_is_postgresql ())
    {
      g_test_add_func ("/Gorm/Failure/commit-busy", test_commit_busy);
      g_test_add_func ("/Gorm/Failure/run-in-transaction-busy", test_run_in_transaction_busy);
      g_test_add_func ("/Gorm/Failure/run-in-transaction-async-busy", test_run_in_transaction_async_busy);
      g_test_add_func ("/Gorm/Failure/migrate-commit-busy", test_migrate_commit_busy);
      g_test_add_func ("/Gorm/Failure/begin-busy", test_begin_busy);
      g_test_add_func ("/Gorm/Failure/disk-full", test_disk_full);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *name = g_strdup_printf ("/Gorm/Failure/injected/%s-%s-%s",
                                               faults[i].end == END_COMMIT || faults[i].end == END_COMMIT_INNER
                                                 ? "commit" : "rollback",
                                               faults[i].prefix,
                                               g_enum_get_value (codes, faults[i].code)->value_nick);
      for (char *p = name; *p; p++)
        if (*p == ' ')
          *p = '-';
      g_test_add_data_func (name, &faults[i], test_injected);
    }
  g_test_add_func ("/Gorm/Failure/injected/run-in-transaction", test_injected_run_in_transaction);
  g_test_add_func ("/Gorm/Failure/injected/migrate", test_injected_migrate);
  g_test_add_func ("/Gorm/Failure/migrate-text-id", test_migrate_text_id);
  g_test_add_func ("/Gorm/Failure/migrate-text-integer", test_migrate_text_integer);
  g_test_add_func ("/Gorm/Failure/migrate-integer-text", test_migrate_integer_text);
  /* SQLite's dynamic typing: a PostgreSQL column holds its type only. */
  if (!test_engine_is_postgresql ())
    {
      g_test_add_func ("/Gorm/Failure/migrate-up-to-date-while-locked", test_migrate_up_to_date_while_locked);
      g_test_add_func ("/Gorm/Failure/migrate-misstored-integer", test_migrate_misstored_integer);
      g_test_add_func ("/Gorm/Failure/migrate-misstored-real", test_migrate_misstored_real);
      g_test_add_func ("/Gorm/Failure/migrate-misstored-blob", test_migrate_misstored_blob);
      g_test_add_func ("/Gorm/Failure/migrate-misstored-check-bypassed", test_migrate_misstored_check_bypassed);
      g_test_add_func ("/Gorm/Failure/first-use-skips-value-scan", test_first_use_skips_value_scan);
      g_test_add_func ("/Gorm/Failure/migrate-foreign-clean", test_migrate_foreign_clean);
    }

  return g_test_run ();
}
