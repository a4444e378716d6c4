/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>
#include <string.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gorm-test-utils.h"

/*
 * PostgreSQL itself, on the server of GORM_TEST_POSTGRESQL: connection
 * errors that never show the password, errors classified by SQLSTATE,
 * hostile values and names, every type's round trip, a cancelled
 * statement, and (with GORM_TEST_POSTGRESQL_DIR, a server the harness
 * started) a server restart during a run. Registered only when
 * GORM_TEST_ENGINE=postgresql.
 */

/* Everything that may show a password: GLib's log and g_printerr(),
 * where GORM_DEBUG=sql writes the statements. */
static GString *captured;
static GMutex captured_lock;

static GLogWriterOutput
capture_log_cb (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&captured_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      g_string_append_printf (captured, "%s\n", (const char *) fields[i].value);
  g_mutex_unlock (&captured_lock);
  /* Warnings are fatal in the tests: those are only recorded here. */
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return g_log_writer_default (log_level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
capture_print_cb (const char *text)
{
  g_mutex_lock (&captured_lock);
  g_string_append (captured, text);
  g_mutex_unlock (&captured_lock);
}

/* The server's URI with another user, password or database. */
static char *
server_uri_with (const char *user,
                 const char *password,
                 const char *database)
{
  g_autoptr(GUri) server = g_uri_parse (g_getenv ("GORM_TEST_POSTGRESQL"), G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *path = g_strconcat ("/", database, NULL);

  g_assert_nonnull (server);
  uri = g_uri_build_with_user (G_URI_FLAGS_HAS_PASSWORD, "postgresql",
                               user ? user : g_uri_get_user (server),
                               password ? password : g_uri_get_password (server), NULL,
                               g_uri_get_host (server), g_uri_get_port (server), path, NULL, NULL);
  return g_uri_to_string (uri);
}

static guint
server_port (void)
{
  g_autoptr(GUri) server = g_uri_parse (g_getenv ("GORM_TEST_POSTGRESQL"), G_URI_FLAGS_HAS_PASSWORD, NULL);

  return (guint) g_uri_get_port (server);
}

/* A port nothing listens on. */
static guint
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
assert_connection_refused (const char *uri,
                           const char *password,
                           const char *host,
                           guint       port,
                           const char *database)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = gorm_database_open (uri, NULL, &error);
  g_autofree char *port_text = g_strdup_printf ("port %u", port);
  g_autofree char *database_text = g_strdup_printf ("“%s”", database);

  g_assert_null (db);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, host));
  g_assert_nonnull (strstr (error->message, port_text));
  g_assert_nonnull (strstr (error->message, database_text));
  g_assert_null (strstr (error->message, password));
}

/* A wrong password, a closed port, a missing database, a role that does
 * not exist, in both URI forms and opened async too: CONNECTION naming
 * host, port and database, and the password nowhere: not in the error,
 * not in any log line, not in GORM_DEBUG=sql's output. */
static void
test_connection_errors (void)
{
  static const char *password = "Pa55-w0rd_not-shown";
  g_autofree char *name = test_postgresql_create_database ();
  g_autofree char *wrong_password = server_uri_with (NULL, password, name);
  g_autofree char *missing = server_uri_with (NULL, NULL, "gorm_no_such_database");
  g_autofree char *no_role = server_uri_with ("gorm_no_such_role", password, name);
  g_autofree char *closed = g_strdup_printf ("postgresql://gorm:%s@127.0.0.1:%u/%s", password,
                                             closed_port (), name);
  g_autofree char *cnc_form = NULL;
  GPrintFunc old_printerr;

  captured = g_string_new (NULL);
  g_setenv ("GORM_DEBUG", "sql", TRUE);
  old_printerr = g_set_printerr_handler (capture_print_cb);
  g_log_set_writer_func (capture_log_cb, NULL, NULL);

  assert_connection_refused (wrong_password, password, "127.0.0.1", server_port (), name);
  assert_connection_refused (missing, password, "127.0.0.1", server_port (), "gorm_no_such_database");
  assert_connection_refused (no_role, password, "127.0.0.1", server_port (), name);
  {
    const char *colon = strrchr (closed, ':');
    guint port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);

    assert_connection_refused (closed, password, "127.0.0.1", port, name);
  }
  cnc_form = g_strdup_printf ("postgresql:DB_NAME=%s;HOST=127.0.0.1;PORT=%u;USERNAME=gorm;PASSWORD=%s",
                              name, server_port (), password);
  assert_connection_refused (cnc_form, password, "127.0.0.1", server_port (), name);

  /* Opened async, the error is the same. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GormDatabase) db = NULL;

    gorm_database_open_async (wrong_password, NULL, store_result_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    db = gorm_database_open_finish (result, &error);
    g_assert_null (db);
    g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
    g_assert_null (strstr (error->message, password));
  }

  /* A database that opens and runs statements logs them, without the
   * password either. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *good = test_postgresql_uri (name);
    g_autoptr(GUri) parsed = g_uri_parse (good, G_URI_FLAGS_HAS_PASSWORD, NULL);
    g_autoptr(GormDatabase) db = gorm_database_open (good, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (gorm_database_execute (db, "SELECT 1", NULL, 0, NULL, &error), ==, 0);
    g_assert_no_error (error);
    g_assert_nonnull (g_uri_get_password (parsed));
    g_assert_null (strstr (gorm_database_get_uri (db), g_uri_get_password (parsed)));
    g_assert_true (gorm_database_close (db, NULL, &error));
  }

  g_set_printerr_handler (old_printerr);
  g_unsetenv ("GORM_DEBUG");
  g_test_message ("captured: %s", captured->str);
  g_assert_nonnull (strstr (captured->str, "gorm: SELECT 1"));
  g_assert_null (strstr (captured->str, password));
  g_string_free (g_steal_pointer (&captured), TRUE);
  test_postgresql_drop_database (name);
}

/* The same database in libgda's connection string form. */
static void
test_connection_string_form (void)
{
  g_autoptr(GUri) server = g_uri_parse (g_getenv ("GORM_TEST_POSTGRESQL"), G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autofree char *name = test_postgresql_create_database ();
  g_autofree char *user = g_uri_escape_string (g_uri_get_user (server), NULL, FALSE);
  g_autofree char *password = g_uri_escape_string (g_uri_get_password (server), NULL, FALSE);
  g_autofree char *uri = g_strdup_printf ("postgresql:DB_NAME=%s;HOST=%s;PORT=%d;USERNAME=%s;PASSWORD=%s",
                                          name, g_uri_get_host (server), g_uri_get_port (server),
                                          user, password);
  g_autofree char *bare = test_postgresql_uri (name);
  g_autofree char *with_parameters = g_strdup_printf ("%s?application_name=gorm%%20test&connect_timeout=5",
                                                      bare);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = gorm_database_open (uri, NULL, &error);
  g_autoptr(GormDatabase) named = NULL;
  g_autofree char *application = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_assert_null (strstr (gorm_database_get_uri (db), g_uri_get_password (server)));
  test_migrate (db, TEST_TYPE_POST);
  g_assert_cmpint (test_count_posts (db), ==, 0);
  g_assert_true (gorm_database_close (db, NULL, &error));

  /* application_name reaches the server. */
  named = gorm_database_open (with_parameters, NULL, &error);
  g_assert_no_error (error);
  application = test_query_text (named, "SELECT current_setting('application_name')");
  g_assert_cmpstr (application, ==, "gorm test");
  g_assert_true (gorm_database_close (named, NULL, &error));
  test_postgresql_drop_database (name);
}

/* SQLSTATE classes */

TEST_DEFINE_RESOURCE (TestAccount, test_account)
#define TEST_TYPE_ACCOUNT (test_account_get_type ())

static void
test_account_class_init (TestAccountClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("email", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("balance", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_unique (resource_class, "email");
  gorm_resource_class_set_not_null (resource_class, "email");
}

static GormResource *
save_account (GormDatabase *db,
              const char   *email,
              gint64        balance,
              GError      **error)
{
  GormResource *account = g_object_new (TEST_TYPE_ACCOUNT, "database", db, "email", email,
                                        "balance", balance, NULL);

  if (!gorm_resource_save (account, NULL, error))
    g_clear_object (&account);
  return account;
}

static void
assert_execute_fails (GormDatabase *db,
                      const char   *sql,
                      gint          code,
                      const char   *needle)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gorm_database_execute (db, sql, NULL, 0, NULL, &error), ==, -1);
  g_test_message ("%s: %s", sql, error ? error->message : "no error");
  g_assert_error (error, GORM_ERROR, code);
  g_assert_nonnull (strstr (error->message, needle));
  /* The SQLSTATE is read, not shown. */
  g_assert_false (g_ascii_isdigit (error->message[0]) && error->message[5] == ':');
}

static void
test_sqlstates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) first = NULL;
  g_autoptr(GormResource) twin = NULL;

  test_migrate (db, TEST_TYPE_ACCOUNT);
  first = save_account (db, "a@example.org", 10, &error);
  g_assert_no_error (error);

  /* 23505 unique_violation, from a save. */
  twin = save_account (db, "a@example.org", 20, &error);
  g_assert_null (twin);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "duplicate key value"));
  g_clear_error (&error);

  /* 23502 not_null_violation, 23514 check_violation, 23503
   * foreign_key_violation, made with execute. */
  assert_execute_fails (db, "INSERT INTO test_account (email, balance) VALUES (NULL, 1)",
                        GORM_ERROR_CONSTRAINT, "null value");
  g_assert_cmpint (gorm_database_execute (db, "CREATE TABLE limits (n bigint CHECK (n > 0), "
                                              "account bigint REFERENCES test_account (id))",
                                          NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  assert_execute_fails (db, "INSERT INTO limits (n) VALUES (-1)", GORM_ERROR_CONSTRAINT, "check constraint");
  assert_execute_fails (db, "INSERT INTO limits (n, account) VALUES (1, 999)", GORM_ERROR_CONSTRAINT,
                        "foreign key");

  /* Raised by the server with the SQLSTATE of the case: 53100
   * disk_full, 40001 serialization_failure, 55P03 lock_not_available,
   * 25006 read_only_sql_transaction, 42501 insufficient_privilege. */
  assert_execute_fails (db, "DO 'BEGIN RAISE EXCEPTION ''no space left'' USING ERRCODE = ''disk_full''; END'",
                        GORM_ERROR_FULL, "no space left");
  assert_execute_fails (db, "DO 'BEGIN RAISE EXCEPTION ''retry'' USING ERRCODE = ''40001''; END'",
                        GORM_ERROR_BUSY, "retry");
  assert_execute_fails (db, "DO 'BEGIN RAISE EXCEPTION ''locked'' USING ERRCODE = ''55P03''; END'",
                        GORM_ERROR_BUSY, "locked");
  assert_execute_fails (db, "DO 'BEGIN RAISE EXCEPTION ''no rights'' USING ERRCODE = ''42501''; END'",
                        GORM_ERROR_READ_ONLY, "no rights");
  /* Anything else keeps FAILED, with the server's message. */
  assert_execute_fails (db, "SELECT * FROM no_such_table", GORM_ERROR_FAILED, "no_such_table");
  assert_execute_fails (db, "SELEC 1", GORM_ERROR_FAILED, "syntax error");

  /* A read-only transaction: 25006. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_cmpint (gorm_database_execute (db, "SET TRANSACTION READ ONLY", NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_object_set (first, "balance", (gint64) 11, NULL);
  g_assert_false (gorm_resource_save (first, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  /* The database works on. */
  g_assert_true (gorm_resource_reload (first, NULL, &error));
  g_assert_no_error (error);
  g_object_set (first, "balance", (gint64) 12, NULL);
  test_save_ok (first);

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A second connection holds a row lock past the lock timeout: BUSY. */
static void
test_lock_timeout (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormDatabase) other = NULL;
  g_autoptr(GormResource) account = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  test_migrate (db, TEST_TYPE_ACCOUNT);
  account = save_account (db, "lock@example.org", 1, &error);
  g_assert_no_error (error);
  other = gorm_database_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_database_begin (other, NULL, &error));
  g_assert_cmpint (gorm_database_execute (other, "UPDATE test_account SET balance = 2", NULL, 0, NULL, &error),
                   ==, 1);
  g_assert_no_error (error);

  g_assert_cmpint (gorm_database_execute (db, "SET lock_timeout = 300", NULL, 0, NULL, &error), ==, 0);
  started = g_get_monotonic_time ();
  g_object_set (account, "balance", (gint64) 3, NULL);
  g_assert_false (gorm_resource_save (account, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 250 * 1000);
  g_clear_error (&error);

  g_assert_true (gorm_database_rollback (other, NULL, &error));
  test_save_ok (account);
  g_assert_true (gorm_database_close (other, NULL, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&account));
  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_finalize_object (g_steal_pointer (&other));
  test_remove_file (path);
}

typedef struct
{
  GormDatabase *db;
  const char   *first;
  const char   *second;
  GError       *error;
} DeadlockSide;

/* One side: its own transaction, its first row, then the other's. */
static gpointer
deadlock_thread (gpointer data)
{
  DeadlockSide *side = data;

  if (!gorm_database_begin (side->db, NULL, &side->error))
    return NULL;
  if (gorm_database_execute (side->db, side->first, NULL, 0, NULL, &side->error) >= 0)
    {
      g_usleep (300 * 1000);
      gorm_database_execute (side->db, side->second, NULL, 0, NULL, &side->error);
    }
  if (side->error == NULL)
    gorm_database_commit (side->db, NULL, &side->error);
  else
    g_assert_true (gorm_database_rollback (side->db, NULL, NULL));
  return NULL;
}

/* Two transactions that each wait for the other: the server breaks the
 * deadlock by failing one with 40P01, BUSY; the other commits. */
static void
test_deadlock (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) a = test_open_file (&path);
  g_autoptr(GormDatabase) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sum = NULL;
  DeadlockSide sides[2] = {
    { NULL, "UPDATE pair SET n = 1 WHERE id = 1", "UPDATE pair SET n = 1 WHERE id = 2", NULL },
    { NULL, "UPDATE pair SET n = 2 WHERE id = 2", "UPDATE pair SET n = 2 WHERE id = 1", NULL },
  };
  GThread *threads[2];
  guint busy = 0;

  g_assert_cmpint (gorm_database_execute (a, "CREATE TABLE pair (id bigint PRIMARY KEY, n bigint)", NULL, 0,
                                          NULL, &error), ==, 0);
  g_assert_cmpint (gorm_database_execute (a, "INSERT INTO pair VALUES (1, 0), (2, 0)", NULL, 0, NULL, &error),
                   ==, 2);
  g_assert_no_error (error);
  b = gorm_database_open (path, NULL, &error);
  g_assert_no_error (error);
  sides[0].db = a;
  sides[1].db = b;
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("deadlock", deadlock_thread, &sides[i]);
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < 2; i++)
    {
      g_test_message ("side %u: %s", i, sides[i].error ? sides[i].error->message : "committed");
      if (sides[i].error != NULL)
        {
          g_assert_error (sides[i].error, GORM_ERROR, GORM_ERROR_BUSY);
          g_assert_nonnull (strstr (sides[i].error->message, "deadlock"));
          busy++;
        }
      g_clear_error (&sides[i].error);
    }
  g_assert_cmpuint (busy, ==, 1);
  g_assert_cmpuint (gorm_database_get_transaction_depth (a), ==, 0);
  g_assert_cmpuint (gorm_database_get_transaction_depth (b), ==, 0);
  /* The winner's two rows, all of them. */
  sum = test_query_text (a, "SELECT string_agg(CAST(n AS text), ',' ORDER BY id) FROM pair");
  g_assert_true (g_str_equal (sum, "1,1") || g_str_equal (sum, "2,2"));

  g_assert_true (gorm_database_close (b, NULL, &error));
  g_assert_finalize_object (g_steal_pointer (&a));
  g_assert_finalize_object (g_steal_pointer (&b));
  test_remove_file (path);
}

/* A role that may read but not write: its writes fail with READ_ONLY
 * (42501 insufficient_privilege), its reads work, nothing crashes. */
static void
test_role_without_write_rights (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormDatabase) reader = NULL;
  g_autoptr(GormResource) account = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GormResource) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) parsed = g_uri_parse (path, G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autofree char *role = g_strdup_printf ("gorm_reader_%d", (int) getpid ());
  g_autofree char *sql = NULL;
  g_autofree char *reader_uri = NULL;
  GType type = TEST_TYPE_ACCOUNT;

  test_migrate (db, TEST_TYPE_ACCOUNT);
  account = save_account (db, "ro@example.org", 5, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf ("CREATE ROLE \"%s\" LOGIN PASSWORD 're''a\\der pw='", role);
  g_assert_cmpint (gorm_database_execute (db, sql, NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_free (sql);
  sql = g_strdup_printf ("GRANT SELECT ON test_account TO \"%s\"", role);
  g_assert_cmpint (gorm_database_execute (db, sql, NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);

  reader_uri = server_uri_with (role, "re'a\\der pw=", g_uri_get_path (parsed) + 1);
  reader = gorm_database_open (reader_uri, NULL, &error);
  g_assert_no_error (error);
  /* The table is there: migrate reads and writes nothing. */
  g_assert_true (gorm_database_migrate (reader, &type, 1, NULL, &error));
  g_assert_no_error (error);
  loaded = gorm_database_get (reader, TEST_TYPE_ACCOUNT, gorm_resource_get_id (account), NULL, &error);
  g_assert_no_error (error);
  g_object_set (loaded, "balance", (gint64) 6, NULL);
  g_assert_false (gorm_resource_save (loaded, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "permission denied"));
  g_clear_error (&error);
  fresh = save_account (reader, "new@example.org", 1, &error);
  g_assert_null (fresh);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (gorm_resource_delete (loaded, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_true (gorm_resource_reload (loaded, NULL, &error));
  g_assert_no_error (error);
  /* A read it has no right to is refused, and is no READ_ONLY. */
  g_assert_cmpint (gorm_database_execute (reader, "SELECT * FROM pg_authid", NULL, 0, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "permission denied"));
  g_clear_error (&error);
  g_assert_true (gorm_database_close (reader, NULL, &error));
  g_assert_no_error (error);

  g_free (sql);
  sql = g_strdup_printf ("REVOKE ALL ON test_account FROM \"%s\"", role);
  gorm_database_execute (db, sql, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&reader));
  g_assert_finalize_object (g_steal_pointer (&account));
  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
  g_free (sql);
  sql = g_strdup_printf ("DROP ROLE \"%s\"", role);
  {
    g_autoptr(GormDatabase) admin = gorm_database_open (g_getenv ("GORM_TEST_POSTGRESQL"), NULL, &error);

    g_assert_no_error (error);
    gorm_database_execute (admin, sql, NULL, 0, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (gorm_database_close (admin, NULL, &error));
  }
}

/* Hostile names and values */

#define HOSTILE_TABLE "it's \"odd\"; DROP TABLE test_post; -- Ünï"
#define HOSTILE_COLUMN "col'; DELETE FROM x; --\"é"

TEST_DEFINE_RESOURCE (TestHostile, test_hostile)
#define TEST_TYPE_HOSTILE (test_hostile_get_type ())

static void
test_hostile_class_init (TestHostileClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("n", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (resource_class, HOSTILE_TABLE);
  gorm_resource_class_set_column_name (resource_class, "text", HOSTILE_COLUMN);
  gorm_resource_class_set_indexed (resource_class, "text");
  gorm_resource_class_set_unique (resource_class, "n");
}

static void
test_hostile_names_and_values (void)
{
  static const char * const values[] = {
    "Robert'); DROP TABLE test_post; --",
    "\"; DELETE FROM \"" HOSTILE_TABLE "\"; --",
    "$1 ? ##p0::gint64 :name %s \\x00 \\",
    "日本語テキスト 🙂 Zoë",
    "",
    "'",
  };
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_HOSTILE;
  g_autofree char *tables = NULL;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_no_error (error);
  /* Migrating again finds the table and its index by their names. */
  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GormResource) object = g_object_new (TEST_TYPE_HOSTILE, "database", db, "text", values[i],
                                                     "n", (gint) i, NULL);
      g_autoptr(GormResource) loaded = NULL;
      g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_HOSTILE);
      g_autofree char *text = NULL;
      g_auto(GValue) value = G_VALUE_INIT;

      test_save_ok (object);
      loaded = gorm_database_get (db, TEST_TYPE_HOSTILE, gorm_resource_get_id (object), NULL, &error);
      g_assert_no_error (error);
      g_object_get (loaded, "text", &text, NULL);
      g_assert_cmpstr (text, ==, values[i]);
      /* As filter values, LIKE patterns included. */
      gorm_query_filter (query, gorm_filter_eq ("text", test_string_value (&value, values[i])));
      g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_finalize_object (g_steal_pointer (&query));
      query = gorm_database_query (db, TEST_TYPE_HOSTILE);
      gorm_query_filter (query, gorm_filter_like ("text", values[i]));
      g_assert_cmpint (gorm_query_count (query, NULL, &error), >=, 0);
      g_assert_no_error (error);
      /* The identity map gave the object itself. */
      g_assert_true (loaded == object);
      g_clear_object (&loaded);
      g_assert_finalize_object (g_steal_pointer (&object));
    }

  /* Bulk update and delete through the hostile names. */
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_HOSTILE);
    g_auto(GValue) value = G_VALUE_INIT;

    g_assert_cmpint (gorm_query_update (query, "text", test_string_value (&value, "-- ;'\""), NULL, &error),
                     ==, (gint64) G_N_ELEMENTS (values));
    g_assert_no_error (error);
    g_assert_cmpint (gorm_query_delete (query, NULL, &error), ==, (gint64) G_N_ELEMENTS (values));
    g_assert_no_error (error);
  }

  /* Nothing else was touched: both tables, and only them. */
  g_assert_cmpint (test_count_posts (db), ==, 0);
  tables = test_query_text (db, "SELECT string_agg(table_name, '|' ORDER BY table_name) FROM "
                                "information_schema.tables WHERE table_schema = current_schema()");
  g_assert_cmpstr (tables, ==, HOSTILE_TABLE "|test_post");
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Types */

typedef enum {
  TEST_MOOD_CALM,
  TEST_MOOD_ANGRY_RED = 7,
} TestMood;

static GType
test_mood_get_type (void)
{
  static GType type;
  static const GEnumValue values[] = {
    { TEST_MOOD_CALM, "TEST_MOOD_CALM", "calm" },
    { TEST_MOOD_ANGRY_RED, "TEST_MOOD_ANGRY_RED", "angry-red" },
    { 0, NULL, NULL },
  };

  if (type == 0)
    type = g_enum_register_static ("TestPgMood", values);
  return type;
}

TEST_DEFINE_RESOURCE (TestEverything, test_everything)
#define TEST_TYPE_EVERYTHING (test_everything_get_type ())

static void
test_everything_class_init (TestEverythingClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_boolean ("flag", NULL, NULL, FALSE, G_PARAM_READWRITE),
    g_param_spec_int ("int32", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_int64 ("int64", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_uint64 ("uint64", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READWRITE),
    g_param_spec_double ("double", NULL, NULL, -INFINITY, INFINITY, 0, G_PARAM_READWRITE),
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_enum ("mood", NULL, NULL, test_mood_get_type (), TEST_MOOD_CALM, G_PARAM_READWRITE),
    g_param_spec_flags ("bits", NULL, NULL, TEST_TYPE_FLAGS, 0, G_PARAM_READWRITE),
    g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_boxed ("data", NULL, NULL, G_TYPE_BYTES, G_PARAM_READWRITE),
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_max_length (GORM_RESOURCE_CLASS (klass), "text", 20);
}

/* Each value, saved and read back by another connection, is itself; the
 * columns have PostgreSQL's own types. */
static void
test_round_trip (void)
{
  static const guint8 nul_bytes[] = { 0, 'a', 0, 0xff, 0 };
  static const char * const tags[] = { "a,b", "\"q\"", "日本", "", NULL };
  static const double doubles[] = { INFINITY, -INFINITY, 1e300, -2.5e-300, 0.1, 5e-324 };
  static const guint64 uint64s[] = { G_MAXUINT64, (guint64) G_MAXINT64 + 1, 0, 42 };
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormDatabase) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *types = NULL;

  test_migrate (db, TEST_TYPE_EVERYTHING);
  reader = gorm_database_open (path, NULL, &error);
  g_assert_no_error (error);
  types = test_query_text (db, "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) "
                               "FROM information_schema.columns WHERE table_name = 'test_everything'");
  g_assert_cmpstr (types, ==, "id bigint, flag boolean, int32 bigint, int64 bigint, uint64 bigint, "
                              "double double precision, text character varying, mood text, bits bigint, "
                              "when timestamp with time zone, data bytea, tags text");

  for (guint i = 0; i < MAX (G_N_ELEMENTS (doubles), G_N_ELEMENTS (uint64s)); i++)
    {
      g_autoptr(GDateTime) second = g_date_time_new_utc (2024 + i, 2, 28, 23, 59, 59);
      g_autoptr(GDateTime) when = g_date_time_add (second, 123456 + i);
      g_autoptr(GBytes) data = g_bytes_new (nul_bytes, sizeof nul_bytes - (i % 2));
      g_autoptr(GormResource) object = NULL;
      g_autoptr(GormResource) loaded = NULL;
      g_autoptr(GDateTime) loaded_when = NULL;
      g_autoptr(GBytes) loaded_data = NULL;
      g_auto(GStrv) loaded_tags = NULL;
      g_autofree char *loaded_text = NULL;
      gboolean flag;
      gint int32;
      gint64 int64;
      guint64 uint64;
      double number;
      TestMood mood;
      guint bits;

      object = g_object_new (TEST_TYPE_EVERYTHING, "database", db, "flag", i % 2 == 0,
                             "int32", i % 2 ? G_MININT : G_MAXINT,
                             "int64", i % 2 ? G_MININT64 : G_MAXINT64,
                             "uint64", uint64s[i % G_N_ELEMENTS (uint64s)],
                             "double", doubles[i % G_N_ELEMENTS (doubles)],
                             "text", i % 2 ? "Zoë 日本語 'q'" : NULL,
                             "mood", i % 2 ? TEST_MOOD_ANGRY_RED : TEST_MOOD_CALM,
                             "bits", TEST_FLAG_A | TEST_FLAG_HIGH,
                             "when", when, "data", data, "tags", tags, NULL);
      test_save_ok (object);
      loaded = gorm_database_get (reader, TEST_TYPE_EVERYTHING, gorm_resource_get_id (object), NULL, &error);
      g_assert_no_error (error);
      g_assert_true (loaded != object);
      g_object_get (loaded, "flag", &flag, "int32", &int32, "int64", &int64, "uint64", &uint64,
                    "double", &number, "text", &loaded_text, "mood", &mood, "bits", &bits,
                    "when", &loaded_when, "data", &loaded_data, "tags", &loaded_tags, NULL);
      g_assert_cmpint (flag, ==, i % 2 == 0);
      g_assert_cmpint (int32, ==, i % 2 ? G_MININT : G_MAXINT);
      g_assert_cmpint (int64, ==, i % 2 ? G_MININT64 : G_MAXINT64);
      g_assert_cmpuint (uint64, ==, uint64s[i % G_N_ELEMENTS (uint64s)]);
      g_assert_true (number == doubles[i % G_N_ELEMENTS (doubles)]);
      g_assert_cmpstr (loaded_text, ==, i % 2 ? "Zoë 日本語 'q'" : NULL);
      g_assert_cmpint (mood, ==, i % 2 ? TEST_MOOD_ANGRY_RED : TEST_MOOD_CALM);
      g_assert_cmpuint (bits, ==, TEST_FLAG_A | TEST_FLAG_HIGH);
      g_assert_true (g_date_time_equal (loaded_when, when));
      g_assert_cmpint (g_date_time_get_microsecond (loaded_when), ==, g_date_time_get_microsecond (when));
      g_assert_true (g_bytes_equal (loaded_data, data));
      g_assert_cmpstrv (loaded_tags, tags);

      /* Filters find the row by each value. */
      {
        g_autoptr(GormQuery) query = gorm_database_query (reader, TEST_TYPE_EVERYTHING);
        g_auto(GValue) by_when = G_VALUE_INIT;
        g_auto(GValue) by_double = G_VALUE_INIT;
        g_auto(GValue) by_uint64 = G_VALUE_INIT;
        g_auto(GValue) by_data = G_VALUE_INIT;

        g_value_set_boxed (g_value_init (&by_when, G_TYPE_DATE_TIME), when);
        g_value_set_double (g_value_init (&by_double, G_TYPE_DOUBLE), doubles[i % G_N_ELEMENTS (doubles)]);
        g_value_set_uint64 (g_value_init (&by_uint64, G_TYPE_UINT64), uint64s[i % G_N_ELEMENTS (uint64s)]);
        g_value_set_boxed (g_value_init (&by_data, G_TYPE_BYTES), data);
        gorm_query_filter (query, gorm_filter_eq ("when", &by_when));
        gorm_query_filter (query, gorm_filter_eq ("double", &by_double));
        gorm_query_filter (query, gorm_filter_eq ("uint64", &by_uint64));
        gorm_query_filter (query, gorm_filter_eq ("data", &by_data));
        g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
        g_assert_no_error (error);
      }
      g_assert_finalize_object (g_steal_pointer (&loaded));
      g_assert_finalize_object (g_steal_pointer (&object));
    }

  /* The microseconds are the server's own: its text of the value. */
  {
    g_autofree char *text = test_query_text (db, "SELECT to_char(\"when\" AT TIME ZONE 'UTC', "
                                                 "'YYYY-MM-DD HH24:MI:SS.US') FROM test_everything "
                                                 "ORDER BY id LIMIT 1");

    g_assert_cmpstr (text, ==, "2024-02-28 23:59:59.123456");
  }

  g_assert_true (gorm_database_close (reader, NULL, &error));
  g_assert_finalize_object (g_steal_pointer (&reader));
  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

/* Cancellation */

static gpointer
cancel_later (gpointer data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

/* A cancelled statement is cancelled on the server: pg_sleep(30) ends at
 * once, the call fails with G_IO_ERROR_CANCELLED, the next call works. */
static void
test_cancel_on_server (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread = g_thread_new ("cancel", cancel_later, cancellable);
  gint64 started = g_get_monotonic_time ();

  g_assert_cmpint (gorm_database_execute (db, "SELECT pg_sleep(30)", NULL, 0, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "canceling statement"));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_thread_join (thread);
  g_clear_error (&error);

  /* The async form, cancelled from the main loop. */
  {
    g_autoptr(GCancellable) later = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;

    started = g_get_monotonic_time ();
    gorm_database_execute_async (db, "SELECT pg_sleep(30)", NULL, 0, later, store_result_cb, &result);
    g_timeout_add_once (200, (GSourceOnceFunc) g_cancellable_cancel, later);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (gorm_database_execute_finish (db, result, &error), ==, -1);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
    g_clear_error (&error);
  }

  /* The next call works. */
  g_assert_cmpint (gorm_database_execute (db, "SELECT 1", NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  test_migrate (db, TEST_TYPE_POST);
  g_assert_cmpint (test_count_posts (db), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The query runners too: each waits for a table another connection
 * holds locked (for longer than the test lasts, within the 5 s lock
 * timeout), is cancelled after 200 ms, fails with G_IO_ERROR_CANCELLED
 * long before the lock timeout, and leaves the database usable. */
static void
test_cancel_runners_on_server (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormDatabase) other = NULL;
  g_autoptr(GormResource) account = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) balance = G_VALUE_INIT;

  test_migrate (db, TEST_TYPE_ACCOUNT);
  account = save_account (db, "cancel@example.org", 1, &error);
  g_assert_no_error (error);
  other = gorm_database_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_database_begin (other, NULL, &error));
  g_assert_cmpint (gorm_database_execute (other, "LOCK TABLE test_account IN ACCESS EXCLUSIVE MODE",
                                          NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);

  for (guint runner = 0; runner < 5; runner++)
    {
      g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ACCOUNT);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      GThread *thread = g_thread_new ("cancel", cancel_later, cancellable);
      gint64 started = g_get_monotonic_time ();
      g_autoptr(GListModel) model = NULL;
      gboolean failed = FALSE;

      switch (runner)
        {
        case 0:
          failed = gorm_query_count (query, cancellable, &error) == -1;
          break;
        case 1:
          model = gorm_query_fetch (query, cancellable, &error);
          failed = model == NULL;
          break;
        case 2:
          failed = gorm_query_first (query, cancellable, &error) == NULL;
          break;
        case 3:
          g_value_init (&balance, G_TYPE_INT64);
          g_value_set_int64 (&balance, 5);
          failed = gorm_query_update (query, "balance", &balance, cancellable, &error) == -1;
          g_value_unset (&balance);
          break;
        case 4:
          failed = gorm_query_delete (query, cancellable, &error) == -1;
          break;
        default:
          g_assert_not_reached ();
        }
      g_thread_join (thread);
      g_test_message ("runner %u: %s", runner, error ? error->message : "no error");
      g_assert_true (failed);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (g_get_monotonic_time () - started, <, 3 * G_USEC_PER_SEC);
      g_clear_error (&error);
    }

  /* Nothing changed, and once the lock is gone every call works. */
  g_assert_true (gorm_database_rollback (other, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ACCOUNT);

    g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
    g_assert_no_error (error);
  }
  g_assert_true (gorm_resource_reload (account, NULL, &error));
  g_assert_no_error (error);
  {
    gint64 stored = 0;

    g_object_get (account, "balance", &stored, NULL);
    g_assert_cmpint (stored, ==, 1);
  }
  g_assert_true (gorm_database_close (other, NULL, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&account));
  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_finalize_object (g_steal_pointer (&other));
  test_remove_file (path);
}

/* A real full disk on the server: a tablespace on a small tmpfs (root
 * mounts it; the server the harness started runs on this machine as the
 * owner of its data directory). The write that does not fit fails with
 * GORM_ERROR_FULL, no transaction stays open, what was committed is
 * kept, and the next call works. */
static void
test_disk_full (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_build_filename (g_getenv ("GORM_TEST_POSTGRESQL_DIR"), "data", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *name = g_strdup_printf ("gorm_full_%d", (int) getpid ());
  g_autofree char *create = NULL;
  g_autofree char *drop = NULL;
  g_autofree char *use = NULL;
  struct stat owner;
  gboolean ok = TRUE;
  guint saved = 0;

  g_assert_cmpint (stat (data, &owner), ==, 0);
  dir = g_dir_make_tmp ("gorm-pg-full-XXXXXX", &error);
  g_assert_no_error (error);
  if (mount ("tmpfs", dir, "tmpfs", 0, "size=512k,mode=0700") != 0)
    g_error ("cannot mount a tmpfs on %s: %s", dir, g_strerror (errno));
  g_assert_cmpint (chown (dir, owner.st_uid, owner.st_gid), ==, 0);

  create = g_strdup_printf ("CREATE TABLESPACE %s LOCATION '%s'", name, dir);
  g_assert_cmpint (gorm_database_execute (db, create, NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  /* The accounts live on the small disk, the posts on the server's. */
  test_migrate (db, TEST_TYPE_POST);
  use = g_strdup_printf ("SET default_tablespace = %s", name);
  g_assert_cmpint (gorm_database_execute (db, use, NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  test_migrate (db, TEST_TYPE_ACCOUNT);
  g_object_unref (save_account (db, "before@example.org", 1, &error));
  g_assert_no_error (error);

  /* Rows of 2 kB (twice: row and unique index) that do not compress, in one transaction, until the
   * disk is full. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; ok && i < 1000; i++)
    {
      g_autofree char *noise = g_malloc (2001);
      g_autofree char *email = NULL;

      for (guint j = 0; j < 2000; j++)
        noise[j] = "abcdefghijklmnopqrstuvwxyz0123456789"[g_test_rand_int_range (0, 36)];
      noise[2000] = '\0';
      email = g_strdup_printf ("%u-%s@example.org", i, noise);
      g_autoptr(GormResource) account = save_account (db, email, i, &error);

      ok = account != NULL;
      saved += ok;
    }
  g_assert_false (ok);
  g_assert_cmpuint (saved, >, 0);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "No space left on device"));
  g_clear_error (&error);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  /* What was committed is there, nothing of the rolled-back rows is, and
   * the next calls work. */
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ACCOUNT);

    g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db,
                                                 "title", "after", NULL);

    test_save_ok (post);
  }
  g_assert_cmpint (test_count_posts (db), ==, 1);

  /* The tablespace goes before its disk. */
  g_assert_cmpint (gorm_database_execute (db, "DROP TABLE test_account", NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  drop = g_strdup_printf ("DROP TABLESPACE %s", name);
  g_assert_cmpint (gorm_database_execute (db, drop, NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_cmpint (umount (dir), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Server restart */

static gint64
test_count_posts_of_accounts (GormDatabase *db)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ACCOUNT);
  g_autoptr(GError) error = NULL;
  gint64 count = gorm_query_count (query, NULL, &error);

  g_assert_no_error (error);
  return count;
}

static void
restart_server (void)
{
  g_autofree char *tool = g_test_build_filename (G_TEST_DIST, "..", "tools", "pg-server", NULL);
  const char *argv[] = { tool, "restart", g_getenv ("GORM_TEST_POSTGRESQL_DIR"), NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

typedef struct
{
  GormDatabase *db;
  GError       *error;
  gint64        rows;
} InFlight;

static gpointer
sleep_in_flight (gpointer data)
{
  InFlight *call = data;

  call->rows = gorm_database_execute (call->db, "SELECT pg_sleep(20)", NULL, 0, NULL, &call->error);
  return NULL;
}

/* The server restarts during a run: the call in flight fails with
 * CONNECTION, an open transaction is gone as a whole (depth 0, nothing
 * of it applied), and the next call reconnects by itself, with the
 * statements cached before. */
static void
test_server_restart (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) kept = NULL;
  g_autoptr(GormResource) lost = NULL;
  g_autoptr(GormResource) after = NULL;
  g_autoptr(GError) error = NULL;
  InFlight call = { db, NULL, 0 };
  GThread *thread;

  test_migrate (db, TEST_TYPE_ACCOUNT);
  kept = save_account (db, "kept@example.org", 1, &error);
  g_assert_no_error (error);

  /* A statement in flight. */
  thread = g_thread_new ("in-flight", sleep_in_flight, &call);
  g_usleep (300 * 1000);
  restart_server ();
  g_thread_join (thread);
  g_assert_cmpint (call.rows, ==, -1);
  g_assert_error (call.error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&call.error);

  /* The next call works, on a new connection. */
  g_assert_cmpint (test_count_posts_of_accounts (db), ==, 1);

  /* A transaction open across the restart. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  lost = save_account (db, "lost@example.org", 2, &error);
  g_assert_no_error (error);
  restart_server ();
  g_object_set (kept, "balance", (gint64) 5, NULL);
  g_assert_false (gorm_resource_save (kept, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_false (gorm_database_commit (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  /* Nothing of it was applied; the database works on. */
  after = save_account (db, "after@example.org", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts_of_accounts (db), ==, 2);
  {
    g_autofree char *emails = test_query_text (db, "SELECT string_agg(email, ',' ORDER BY id) FROM test_account");

    g_assert_cmpstr (emails, ==, "kept@example.org,after@example.org");
  }
  g_assert_true (gorm_resource_reload (kept, NULL, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&after));
  g_clear_object (&lost);
  g_assert_finalize_object (g_steal_pointer (&kept));
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!test_engine_is_postgresql ())
    return g_test_run ();

  g_test_add_func ("/Gorm/PostgreSQL/connection-errors", test_connection_errors);
  g_test_add_func ("/Gorm/PostgreSQL/connection-string-form", test_connection_string_form);
  g_test_add_func ("/Gorm/PostgreSQL/sqlstates", test_sqlstates);
  g_test_add_func ("/Gorm/PostgreSQL/lock-timeout", test_lock_timeout);
  g_test_add_func ("/Gorm/PostgreSQL/deadlock", test_deadlock);
  g_test_add_func ("/Gorm/PostgreSQL/role-without-write-rights", test_role_without_write_rights);
  g_test_add_func ("/Gorm/PostgreSQL/hostile-names-and-values", test_hostile_names_and_values);
  g_test_add_func ("/Gorm/PostgreSQL/round-trip", test_round_trip);
  g_test_add_func ("/Gorm/PostgreSQL/cancel-on-server", test_cancel_on_server);
  g_test_add_func ("/Gorm/PostgreSQL/cancel-runners-on-server", test_cancel_runners_on_server);
  /* Only on a server the harness started, which the test may restart. */
  if (g_getenv ("GORM_TEST_POSTGRESQL_DIR") != NULL)
    g_test_add_func ("/Gorm/PostgreSQL/server-restart", test_server_restart);
  /* Only as root (who mounts the small disk), on a server the harness
   * started on this machine (which can write to it). */
  if (g_getenv ("GORM_TEST_POSTGRESQL_DIR") != NULL && geteuid () == 0)
    g_test_add_func ("/Gorm/PostgreSQL/disk-full", test_disk_full);

  return g_test_run ();
}
