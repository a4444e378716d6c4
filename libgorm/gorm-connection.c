/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <poll.h>
#include <string.h>

#include <libgda/libgda.h>
#include <libgda/gda-connection-private.h>
#include <libgda/providers-support/gda-data-select-priv.h>
#include <libpq-fe.h>
#include <sql-parser/gda-sql-parser.h>
#include <sqlite3.h>

#include "gorm-connection-private.h"
#include "gorm-error.h"
#include "gorm-value-private.h"

struct _GormStatement
{
  char          *sql;
  /* libgda's statement, its parameters and their holders (of ##p0, ##p1,
   * … in order), or, for a statement looked up by
   * gorm_connection_lookup_direct_locked() and not yet run by libgda,
   * NULL: see parse_statement(). n_holders counts the parameters all the
   * same. */
  GdaStatement  *statement;
  GdaSet        *params;
  GdaHolder    **holders;
  guint          n_holders;
  /* The GdaConnection (its serial, see GormConnection) the statement was
   * prepared on by start_cancellable(), 0 for none. */
  guint          prepared_serial;
  /* The statement as SQLite runs it, prepared on the connection's sqlite3
   * handle (see select_direct()) or NULL, with, for each of its `?` in
   * order, the number of the holder bound there. */
  sqlite3_stmt  *direct;
  guint         *direct_params;
  guint          n_direct_params;
  /* The GdaConnection (its serial) the statement was last prepared on
   * directly, or found not to be runnable directly on: a failed prepare
   * is tried again on the next run (the table may exist by then), a
   * statement whose parameters cannot be mapped is not. */
  guint          direct_serial;
  gboolean       direct_refused;
  /* What the statement is to SQLite's handle: see direct_kind(). */
  guint          kind;
  /* On SQLite, for a statement its handle may run, the values bound and
   * not yet given to the holders, one per holder (unset: the holder's
   * value holds): see gorm_statement_take_param(). NULL otherwise. */
  GValue        *values;
};

/* Reads the values of a libgda model: through the rows libgda stored
 * when the model is a GdaDataSelect (what libgda's providers return),
 * keeping the last row read. */
typedef struct
{
  GdaDataModel  *model;
  GdaDataSelect *select;
  GdaRow        *row;
  guint          row_number;
} RowReader;

/* Rows a block holds: a block of a few columns stays well under
 * malloc's mmap threshold (128 KiB), so that a large result reuses the
 * heap a previous one freed instead of mapping, faulting in and copying
 * one array as it doubles. */
#define ROWS_BLOCK 128

struct _GormRows
{
  GdaDataModel  *model;
  /* Or, from an engine whose results must not outlive the lock
   * (PostgreSQL: see gorm_connection_select_locked()), every value
   * copied: row after row, libgorm SQL values. */
  GValue        *values;
  /* Or, read from the sqlite3 handle (select_direct()): the values in
   * blocks of ROWS_BLOCK rows. */
  GValue       **blocks;
  guint          n_rows;
  guint          n_columns;
  /* How the values of the model are read: see read_value(). */
  RowReader      reader;
  /* Values libgda gives in a type of its own (GdaBinary, GdaBlob),
   * converted once and kept until the rows are freed: index → GValue. */
  GHashTable    *converted;
  /* The column names, of a raw select's rows only. */
  char         **names;
};

/* The first value of @row of rows read from the sqlite3 handle, in
 * their blocks (see select_direct()). */
static GValue *
block_row (const GormRows *rows,
           guint           row)
{
  return &rows->blocks[row / ROWS_BLOCK][(gsize) (row % ROWS_BLOCK) * rows->n_columns];
}

struct _GormConnection
{
  GMutex             lock;
  /* Signalled when a transaction ends. */
  GCond              transaction_ended;
  /* The thread whose open transaction excludes every other thread. */
  GThread           *transaction_thread;
  /* The thread holding the mutex, for gorm_connection_held_by_self(). */
  GThread           *lock_owner;
  guint              depth;

  GdaConnection     *connection;
  gboolean           owns_connection;
  /* What opened it, to open it again when the server has gone away (the
   * auth string holds the password: it stays in memory and in libgda). */
  char              *provider_name;
  char              *cnc_string;
  char              *auth_string;
  /* The server closed the connection, or it broke: the next statement
   * outside a transaction opens a new one. */
  gboolean           broken;
  /* The PostgreSQL backend process of the connection, for cancelling
   * its statement from another connection; 0 when unknown. Written with
   * the lock held, read by any thread. */
  gint               backend_pid;
  /* The libpq connection under a PostgreSQL GdaConnection, once checked
   * (see find_pgconn()), or NULL; and what cancels its statement, from
   * any thread, under cancel_lock. */
  PGconn            *pgconn;
  GMutex             cancel_lock;
  PGcancel          *pgcancel;
  /* The sqlite3 handle under an SQLite GdaConnection, once checked (see
   * find_sqlite()), or NULL: what reads the key of a new row and runs
   * selects and writes (see select_direct(), execute_direct()). */
  sqlite3           *sqlite;
  /* Whether statements run on the sqlite3 handle when there is one (TRUE
   * unless GORM_DEBUG holds "gda-statements" or "gda-select", or a test
   * turned it off), and how many selects and writes did. */
  gboolean           direct;
  guint              n_direct_selects;
  guint              n_direct_writes;
  /* What cancels the statements run now (see
   * gorm_connection_swap_cancellable_locked()); not owned. */
  GCancellable      *cancellable;
  /* Counts the GdaConnections opened, from 1: what a statement was
   * prepared on. */
  guint              serial;
  /* Opened read-only (mode=ro): its transactions take no write lock. */
  gboolean           read_only;
  gboolean           closed;
  const GormDialect *dialect;
  GdaSqlParser      *parser;
  GHashTable        *statements;
  GormTraceFunc      trace_func;
  gpointer           trace_data;

  char              *fault_prefix;
  GormError          fault_code;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdaDataModel, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdaStatement, g_object_unref)

/* Finalizes the statement's sqlite3 twin: before its handle closes, which
 * fails while statements prepared on it remain. */
static void
forget_direct (GormStatement *self)
{
  g_clear_pointer (&self->direct, sqlite3_finalize);
  g_clear_pointer (&self->direct_params, g_free);
  self->n_direct_params = 0;
  self->direct_serial = 0;
  self->direct_refused = FALSE;
}

static void
gorm_statement_free (GormStatement *self)
{
  forget_direct (self);
  for (guint i = 0; self->values != NULL && i < self->n_holders; i++)
    if (G_IS_VALUE (&self->values[i]))
      g_value_unset (&self->values[i]);
  g_free (self->values);
  g_clear_object (&self->statement);
  g_clear_object (&self->params);
  g_free (self->holders);
  g_free (self->sql);
  g_free (self);
}

GormConnection *
gorm_connection_new (void)
{
  GormConnection *self = g_new0 (GormConnection, 1);

  g_mutex_init (&self->lock);
  g_mutex_init (&self->cancel_lock);
  self->direct = TRUE;
  g_cond_init (&self->transaction_ended);
  return self;
}

/* libpq */

/* libgda 5.2's PostgreSQL provider keeps, as the provider data of a
 * connection, a structure its headers do not install, which starts with
 * these three pointers. libgda itself reports no SQLSTATE (every error
 * event says HY000) and cannot cancel a statement, so libgorm reads its
 * PGconn: only after checking that the structure points back at the
 * GdaConnection and that the PGconn's server process is the one the
 * connection's own pg_backend_pid() names. Without it, errors are
 * classified by their messages and a cancellation is not sent. */
typedef struct
{
  gpointer       reuseable;
  GdaConnection *cnc;
  PGconn        *pconn;
} ProviderData;

static void
forget_pgconn (GormConnection *self)
{
  self->pgconn = NULL;
  g_mutex_lock (&self->cancel_lock);
  g_clear_pointer (&self->pgcancel, PQfreeCancel);
  g_mutex_unlock (&self->cancel_lock);
}

static void
find_pgconn (GormConnection *self,
             gint            pid)
{
  ProviderData *data;
  PGcancel *cancel;

  forget_pgconn (self);
  data = gda_connection_internal_get_provider_data_error (self->connection, NULL);
  if (data == NULL || data->cnc != self->connection || data->pconn == NULL ||
      PQstatus (data->pconn) != CONNECTION_OK || PQbackendPID (data->pconn) != pid)
    return;
  self->pgconn = data->pconn;
  /* Error messages start with their SQLSTATE: "ERROR:  23505: …". */
  PQsetErrorVerbosity (self->pgconn, PQERRORS_VERBOSE);
  cancel = PQgetCancel (self->pgconn);
  g_mutex_lock (&self->cancel_lock);
  self->pgcancel = cancel;
  g_mutex_unlock (&self->cancel_lock);
}

/* Whether the server is still there, as far as an idle connection can
 * tell without a round trip: a server that shut down has sent its last
 * message and closed the socket, which libpq reads here. libgda's
 * provider crashes when it runs a statement on such a connection. */
static gboolean
pgconn_alive (GormConnection *self)
{
  struct pollfd fd;

  if (self->pgconn == NULL)
    return TRUE;
  if (PQstatus (self->pgconn) != CONNECTION_OK)
    return FALSE;
  /* What is waiting may be a notification, or the server's last error
   * followed by the end of the stream, which a second read sees. */
  for (guint i = 0; i < 8; i++)
    {
      fd.fd = PQsocket (self->pgconn);
      fd.events = POLLIN;
      fd.revents = 0;
      if (fd.fd < 0)
        return FALSE;
      if (poll (&fd, 1, 0) <= 0)
        return TRUE;
      if (!PQconsumeInput (self->pgconn) || PQstatus (self->pgconn) != CONNECTION_OK)
        return FALSE;
    }
  return TRUE;
}

gboolean
gorm_connection_cancel (GormConnection  *self,
                        GError         **error)
{
  char message[256] = "";
  gboolean ok = FALSE;

  g_mutex_lock (&self->cancel_lock);
  if (self->pgcancel != NULL)
    ok = PQcancel (self->pgcancel, message, sizeof message);
  else
    g_strlcpy (message, "the connection cannot cancel its statements", sizeof message);
  g_mutex_unlock (&self->cancel_lock);
  if (!ok)
    g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                 "Cannot cancel the statement running on the server: %s", message);
  return ok;
}

GCancellable *
gorm_connection_swap_cancellable_locked (GormConnection *self,
                                         GCancellable   *cancellable)
{
  GCancellable *previous = self->cancellable;

  self->cancellable = cancellable;
  return previous;
}

/* SQLite */

/* libgda 5.2's SQLite provider keeps, as the provider data of a
 * connection, a structure its headers do not install, which starts with
 * the GdaConnection and its sqlite3 handle. SQLite's provider returns no
 * rows from INSERT … RETURNING, so the key of a new row is read after the
 * INSERT: from the handle, sqlite3_last_insert_rowid(), instead of a
 * `SELECT last_insert_rowid()` that costs a statement per row. libgorm
 * takes the handle only after checking, once per GdaConnection, that the
 * structure points back at the connection, that the handle belongs to the
 * SQLite library libgorm calls (the provider loads libsqlite3 at run time
 * by itself: the VFS the handle uses must be one this library has
 * registered) and that the handle answers what the SELECT answers. */
typedef struct
{
  GdaConnection *cnc;
  sqlite3       *handle;
} SqliteProviderData;

/* The dialect's statement reading the key of the last row inserted. */
static gboolean
select_last_insert_id (GormConnection  *self,
                       gint64          *id,
                       GError         **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  GormStatement *statement;
  const GValue *value;

  statement = gorm_connection_lookup_locked (self, self->dialect->last_insert_id_sql, error);
  rows = statement ? gorm_connection_select_locked (self, statement, types, error) : NULL;
  value = rows ? gorm_rows_get_value (rows, 0, 0, error) : NULL;
  if (value == NULL)
    return FALSE;
  *id = g_value_get_int64 (value);
  return TRUE;
}

static void
find_sqlite (GormConnection *self)
{
  SqliteProviderData *data;
  sqlite3_vfs *vfs = NULL;
  sqlite3_int64 before;
  sqlite3_int64 probe;
  gint64 read = 0;
  gboolean agrees;

  self->sqlite = NULL;
  if (self->dialect == NULL || self->dialect->last_insert_id_sql == NULL ||
      g_strcmp0 (gda_connection_get_provider_name (self->connection), "SQLite") != 0)
    return;
  data = gda_connection_internal_get_provider_data_error (self->connection, NULL);
  if (data == NULL || data->cnc != self->connection || data->handle == NULL ||
      sqlite3_file_control (data->handle, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) != SQLITE_OK ||
      vfs == NULL || sqlite3_vfs_find (vfs->zName) != vfs)
    return;

  /* A value no insert gave on this connection, then the one it had. */
  before = sqlite3_last_insert_rowid (data->handle);
  probe = before == G_GINT64_CONSTANT (0x676f726d726f7769) ? before - 1
                                                           : G_GINT64_CONSTANT (0x676f726d726f7769);
  sqlite3_set_last_insert_rowid (data->handle, probe);
  agrees = select_last_insert_id (self, &read, NULL) && read == probe;
  sqlite3_set_last_insert_rowid (data->handle, before);
  if (agrees)
    self->sqlite = data->handle;
}

gboolean
gorm_connection_last_insert_id_locked (GormConnection  *self,
                                       gint64          *id,
                                       GError         **error)
{
  g_return_val_if_fail (self->dialect != NULL && self->dialect->last_insert_id_sql != NULL, FALSE);

  if (self->sqlite != NULL)
    {
      *id = sqlite3_last_insert_rowid (self->sqlite);
      return TRUE;
    }
  return select_last_insert_id (self, id, error);
}

gboolean
gorm_connection_reads_insert_id_locked (GormConnection *self)
{
  return self->sqlite != NULL;
}

/* Forgets the sqlite3 handle, with every statement prepared on it. */
static void
forget_sqlite (GormConnection *self)
{
  GHashTableIter iter;
  gpointer statement;

  self->sqlite = NULL;
  if (self->statements == NULL)
    return;
  g_hash_table_iter_init (&iter, self->statements);
  while (g_hash_table_iter_next (&iter, NULL, &statement))
    forget_direct (statement);
}

void
gorm_connection_set_direct_locked (GormConnection *self,
                                   gboolean        enabled)
{
  self->direct = enabled;
}

gboolean
gorm_connection_runs_directly_locked (GormConnection *self)
{
  return self->direct && self->sqlite != NULL;
}

guint
gorm_connection_get_n_direct_selects_locked (GormConnection *self)
{
  return self->n_direct_selects;
}

guint
gorm_connection_get_n_direct_writes_locked (GormConnection *self)
{
  return self->n_direct_writes;
}


static void
drop_statements (GormConnection *self)
{
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_object (&self->parser);
}

void
gorm_connection_free (GormConnection *self)
{
  if (self == NULL)
    return;
  drop_statements (self);
  if (self->connection != NULL && self->owns_connection && !self->closed)
    gda_connection_close (self->connection);
  g_clear_object (&self->connection);
  g_free (self->provider_name);
  g_free (self->cnc_string);
  g_free (self->auth_string);
  g_free (self->fault_prefix);
  forget_pgconn (self);
  g_mutex_clear (&self->cancel_lock);
  g_cond_clear (&self->transaction_ended);
  g_mutex_clear (&self->lock);
  g_free (self);
}

GType
gorm_connection_gda_type (void)
{
  return GDA_TYPE_CONNECTION;
}

static void
ensure_gda (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      gda_init ();
      g_once_init_leave (&initialized, 1);
    }
}

static void
print_statement_cb (const char *sql,
                    gpointer    user_data)
{
  g_printerr ("gorm: %s\n", sql);
}

/* Makes the statement cache of a connection just opened or adopted. */
static void
setup (GormConnection *self)
{
  const char *debug = g_getenv ("GORM_DEBUG");

  self->dialect = gorm_dialect_for_provider (gda_connection_get_provider_name (self->connection));
  if (self->dialect == NULL)
    return;
  self->parser = g_object_new (GDA_TYPE_SQL_PARSER,
                               "mode", GDA_SQL_PARSER_MODE_DELIMIT,
                               NULL);
  /* The key is the statement's own copy of its SQL text. */
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) gorm_statement_free);
  if (debug != NULL && strstr (debug, "sql") != NULL)
    gorm_connection_set_trace_locked (self, print_statement_cb, NULL);
  /* "gda-select" is the switch's first name, from when only selects ran
   * on the handle. */
  if (debug != NULL &&
      (strstr (debug, "gda-statements") != NULL || strstr (debug, "gda-select") != NULL))
    self->direct = FALSE;
}

void
gorm_connection_adopt_locked (GormConnection *self,
                              GObject        *gda_connection)
{
  g_return_if_fail (GDA_IS_CONNECTION (gda_connection));
  g_return_if_fail (self->connection == NULL);

  self->connection = g_object_ref (GDA_CONNECTION (gda_connection));
  self->serial++;
  self->owns_connection = FALSE;
  setup (self);
  find_sqlite (self);
}

/* Runs the dialect's settings on a connection just opened, and reads
 * what cancelling needs. */
static gboolean
prepare_locked (GormConnection  *self,
                GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  const char * const *settings;

  /* The dialect's settings may return rows (PRAGMA): they run as
   * selects whose rows are dropped, or as statements when they return
   * none (SET). */
  settings = self->read_only ? self->dialect->read_only_open_statements
                             : self->dialect->open_statements;
  for (guint i = 0; settings[i] != NULL; i++)
    {
      GormStatement *statement;
      gboolean ok = FALSE;

      statement = gorm_connection_lookup_locked (self, settings[i], &local_error);
      if (statement != NULL && gorm_dialect_returns_rows (settings[i]))
        {
          g_autoptr(GormRows) rows = gorm_connection_select_locked (self, statement, NULL,
                                                                    &local_error);
          ok = rows != NULL;
        }
      else if (statement != NULL)
        ok = gorm_connection_execute_locked (self, statement, &local_error) >= 0;
      if (!ok)
        {
          g_set_error (error, GORM_ERROR,
                       local_error->code == GORM_ERROR_CORRUPT ? GORM_ERROR_CORRUPT
                                                               : GORM_ERROR_CONNECTION,
                       "%s", local_error->message);
          return FALSE;
        }
    }

  if (self->dialect->backend_id_sql != NULL)
    {
      static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
      GormStatement *statement = gorm_connection_lookup_locked (self, self->dialect->backend_id_sql,
                                                                 error);
      g_autoptr(GormRows) rows = NULL;
      const GValue *pid;

      rows = statement ? gorm_connection_select_locked (self, statement, types, error) : NULL;
      pid = rows ? gorm_rows_get_value (rows, 0, 0, error) : NULL;
      if (pid == NULL)
        return FALSE;
      g_atomic_int_set (&self->backend_pid, G_VALUE_HOLDS_INT64 (pid) ? (gint) g_value_get_int64 (pid) : 0);
      find_pgconn (self, g_atomic_int_get (&self->backend_pid));
    }
  find_sqlite (self);
  return TRUE;
}

/* Opens self->connection from what the first open was given. */
static GdaConnection *
open_gda (GormConnection  *self,
          GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  GdaConnection *connection;

  connection = gda_connection_open_from_string (self->provider_name, self->cnc_string,
                                                self->auth_string,
                                                GDA_CONNECTION_OPTIONS_NONE, &local_error);
  if (connection == NULL)
    {
      GormError code = GORM_ERROR_CONNECTION;

      /* A damaged file says so; anything else is a connection error. */
      if (local_error != NULL && self->dialect != NULL &&
          self->dialect->classify_error (local_error, NULL) == GORM_ERROR_CORRUPT)
        code = GORM_ERROR_CORRUPT;
      g_set_error (error, GORM_ERROR, code, "%s",
                   local_error ? local_error->message : "unknown error");
    }
  return connection;
}

gboolean
gorm_connection_open_locked (GormConnection  *self,
                             const char      *provider,
                             const char      *cnc_string,
                             const char      *auth_string,
                             gboolean         read_only,
                             GError         **error)
{
  g_return_val_if_fail (self->connection == NULL, FALSE);

  ensure_gda ();
  self->provider_name = g_strdup (provider);
  self->cnc_string = g_strdup (cnc_string);
  self->auth_string = g_strdup (auth_string);
  self->dialect = gorm_dialect_for_provider (provider);
  self->connection = open_gda (self, error);
  self->serial++;
  if (self->connection == NULL)
    return FALSE;
  self->owns_connection = TRUE;
  self->read_only = read_only;
  setup (self);
  if (self->dialect == NULL)
    return TRUE;
  return prepare_locked (self, error);
}

/* Opens a new connection in place of a broken one, with the same
 * statement cache: libgda's statements belong to no connection, and each
 * connection prepares them again when they first run on it. */
static gboolean
reconnect_locked (GormConnection  *self,
                  GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  GdaConnection *connection;

  connection = open_gda (self, &local_error);
  if (connection == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "The connection to the database was lost and cannot be opened again: %s",
                   local_error->message);
      return FALSE;
    }
  forget_pgconn (self);
  forget_sqlite (self);
  if (self->connection != NULL)
    gda_connection_close_no_warning (self->connection);
  g_clear_object (&self->connection);
  self->connection = connection;
  self->serial++;
  self->broken = FALSE;
  g_atomic_int_set (&self->backend_pid, 0);
  if (!prepare_locked (self, &local_error))
    {
      self->broken = TRUE;
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "The connection to the database was lost and cannot be set up again: %s",
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Whether a statement can run: a connection that broke is opened again
 * here, outside a transaction. Inside one, the transaction was lost with
 * the connection: every statement fails until it is rolled back. */
static gboolean
ready_locked (GormConnection  *self,
              GError         **error)
{
  if (!self->broken && self->owns_connection &&
      (!gda_connection_is_opened (self->connection) || !pgconn_alive (self)))
    self->broken = TRUE;
  if (!self->broken)
    return TRUE;
  if (!self->owns_connection)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "The connection to the database was lost");
      return FALSE;
    }
  if (self->depth > 0)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "The connection to the database was lost inside a transaction, which the "
                   "server rolled back");
      return FALSE;
    }
  return reconnect_locked (self, error);
}

GObject *
gorm_connection_get_gda (GormConnection *self)
{
  return (GObject *) self->connection;
}

const char *
gorm_connection_get_provider (GormConnection *self)
{
  return self->connection ? gda_connection_get_provider_name (self->connection) : NULL;
}

char *
gorm_connection_describe (GormConnection *self)
{
  return g_strdup_printf ("%s:%s", gda_connection_get_provider_name (self->connection),
                          gda_connection_get_cnc_string (self->connection));
}

const GormDialect *
gorm_connection_get_dialect (GormConnection *self)
{
  return self->dialect;
}

gboolean
gorm_connection_is_closed (GormConnection *self)
{
  return self->closed;
}

/* The lock */

void
gorm_connection_lock (GormConnection *self)
{
  GThread *me = g_thread_self ();

  g_mutex_lock (&self->lock);
  while (self->transaction_thread != NULL && self->transaction_thread != me)
    g_cond_wait (&self->transaction_ended, &self->lock);
  g_atomic_pointer_set (&self->lock_owner, me);
}

void
gorm_connection_unlock (GormConnection *self)
{
  g_atomic_pointer_set (&self->lock_owner, NULL);
  g_mutex_unlock (&self->lock);
}

gboolean
gorm_connection_try_lock (GormConnection *self)
{
  GThread *me = g_thread_self ();

  if (!g_mutex_trylock (&self->lock))
    return FALSE;
  if (self->transaction_thread != NULL && self->transaction_thread != me)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  g_atomic_pointer_set (&self->lock_owner, me);
  return TRUE;
}

gboolean
gorm_connection_held_by_self (GormConnection *self)
{
  return g_atomic_pointer_get (&self->lock_owner) == (gpointer) g_thread_self ();
}

gboolean
gorm_connection_in_own_transaction (GormConnection *self)
{
  return g_atomic_pointer_get (&self->transaction_thread) == (gpointer) g_thread_self ();
}

guint
gorm_connection_get_depth (GormConnection *self)
{
  return g_atomic_int_get (&self->depth);
}

void
gorm_connection_set_trace_locked (GormConnection *self,
                                  GormTraceFunc   func,
                                  gpointer        user_data)
{
  self->trace_func = func;
  self->trace_data = user_data;
}

guint
gorm_connection_get_n_statements_locked (GormConnection *self)
{
  return self->statements ? g_hash_table_size (self->statements) : 0;
}

gboolean
gorm_connection_check_locked (GormConnection  *self,
                              const char      *name,
                              GError         **error)
{
  if (self->closed || self->connection == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "The database “%s” is %s", name, self->closed ? "closed" : "not open");
      return FALSE;
    }
  if (self->dialect == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "libgorm cannot use the database “%s”: it has no SQL dialect for "
                   "the libgda provider “%s”",
                   name, gda_connection_get_provider_name (self->connection));
      return FALSE;
    }
  return TRUE;
}

/* Errors */

/* A message of libpq in its verbose form, "23505: text\nDETAIL: …
 * \nSCHEMA NAME: …\nLOCATION: …", split into its SQLSTATE (written to
 * @sqlstate, else left empty) and the text with its DETAIL and HINT. */
static char *
split_sqlstate (const char *message,
                char        sqlstate[6])
{
  g_auto(GStrv) lines = NULL;
  GString *text;

  sqlstate[0] = '\0';
  if (strlen (message) > 7 && message[5] == ':' && message[6] == ' ')
    {
      gboolean code = TRUE;

      for (guint i = 0; i < 5; i++)
        code &= g_ascii_isdigit (message[i]) || g_ascii_isupper (message[i]);
      if (code)
        {
          memcpy (sqlstate, message, 5);
          sqlstate[5] = '\0';
          message += 7;
        }
    }
  if (sqlstate[0] == '\0')
    return g_strdup (message);

  text = g_string_new (NULL);
  lines = g_strsplit (message, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "LOCATION:") || strstr (lines[i], " NAME:  ") != NULL ||
          (lines[i][0] == '\0' && lines[i + 1] == NULL))
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, lines[i]);
    }
  return g_string_free (text, FALSE);
}

/* How much of a statement's SQL a message shows: a multi-row INSERT of
 * a thousand rows would fill screens with `?`. */
#define SHOWN_SQL_BYTES 1000

/* @sql as its reader wrote it: libgda's parameter syntax (##p0::gint64,
 * ##p1::gchararray::null) shown as `?`, which is what raw SQL and the
 * bindings write, and no GType name in a message; past SHOWN_SQL_BYTES,
 * cut at a character and ended with "…". */
static char *
readable_sql (const char *sql)
{
  static gsize made;
  static GRegex *holder;
  g_autofree char *readable = NULL;
  const char *cut;

  if (strstr (sql, "##") == NULL)
    readable = g_strdup (sql);
  else
    {
      if (g_once_init_enter (&made))
        {
          holder = g_regex_new ("##[A-Za-z0-9_]+(::[A-Za-z0-9_]+)*", G_REGEX_OPTIMIZE, 0, NULL);
          g_once_init_leave (&made, 1);
        }
      readable = g_regex_replace_literal (holder, sql, -1, 0, "?", 0, NULL);
    }
  if (strlen (readable) <= SHOWN_SQL_BYTES)
    return g_steal_pointer (&readable);
  /* The start of the character holding the first byte left out. */
  cut = g_utf8_find_prev_char (readable, readable + SHOWN_SQL_BYTES + 1);
  return g_strdup_printf ("%.*s…", (int) (cut - readable), readable);
}

/* Turns a libgda error into a GormError whose code the dialect chose. */
static void
translate_error (GormConnection  *self,
                 GError         **error,
                 GError          *gda_error,
                 const char      *sql)
{
  g_autofree char *message = NULL;
  g_autofree char *shown = NULL;
  GormError code = GORM_ERROR_FAILED;
  char sqlstate[6] = "";

  if (gda_error != NULL)
    {
      message = split_sqlstate (gda_error->message, sqlstate);
      /* A fault injected, or an error read from the events, is
       * classified already. */
      if (gda_error->domain == GORM_ERROR && gda_error->code != GORM_ERROR_FAILED)
        code = gda_error->code;
      else
        {
          GError *clean = g_error_new_literal (gda_error->domain, gda_error->code, message);

          code = self->dialect->classify_error (clean, sqlstate[0] ? sqlstate : NULL);
          g_error_free (clean);
        }
    }
  /* A right refused to a read (42501 on a SELECT) is no read-only
   * database: only a refused write is. */
  if (code == GORM_ERROR_READ_ONLY && g_str_equal (sqlstate, "42501") &&
      g_ascii_strncasecmp (sql, "SELECT", strlen ("SELECT")) == 0)
    code = GORM_ERROR_FAILED;
  /* A connection the server closed is opened again by the next
   * statement. */
  if (code == GORM_ERROR_CONNECTION && self->owns_connection)
    self->broken = TRUE;
  shown = readable_sql (sql);
  g_set_error (error, GORM_ERROR, code, "%s (in “%s”)", message ? message : "unknown error", shown);
  g_clear_error (&gda_error);
}

/* libgda sometimes fails a statement without setting its GError and only
 * records the error as the connection's last event. */
static GError *
error_from_events (GormConnection *self)
{
  const GList *events = gda_connection_get_events (self->connection);
  const GList *last = events ? g_list_last ((GList *) events) : NULL;
  g_autofree char *message = NULL;
  char sqlstate[6];
  GError *error;

  if (last == NULL ||
      gda_connection_event_get_event_type (last->data) != GDA_CONNECTION_EVENT_ERROR)
    return NULL;
  message = split_sqlstate (gda_connection_event_get_description (last->data), sqlstate);
  error = g_error_new_literal (GORM_ERROR, GORM_ERROR_FAILED, message);
  error->code = self->dialect->classify_error (error, sqlstate[0] ? sqlstate : NULL);
  /* Kept in the message for translate_error(), which strips it again. */
  if (sqlstate[0] != '\0')
    {
      g_free (error->message);
      error->message = g_strdup_printf ("%s: %s", sqlstate, message);
    }
  return error;
}

/* The injected fault for @sql, consumed, or NULL. */
static GError *
take_fault (GormConnection *self,
            const char     *sql)
{
  GError *fault;

  if (self->fault_prefix == NULL || !g_str_has_prefix (sql, self->fault_prefix))
    return NULL;
  fault = g_error_new (GORM_ERROR, self->fault_code, "injected fault");
  g_clear_pointer (&self->fault_prefix, g_free);
  return fault;
}

void
gorm_connection_inject_fault (GormConnection *self,
                              const char     *prefix,
                              GormError       code)
{
  g_mutex_lock (&self->lock);
  g_free (self->fault_prefix);
  self->fault_prefix = g_strdup (prefix);
  self->fault_code = code;
  g_mutex_unlock (&self->lock);
}

/* Statements */

static gboolean
collect_holders (GormStatement *statement,
                 GError       **error)
{
  guint n;

  if (!gda_statement_get_parameters (statement->statement, &statement->params, error))
    return FALSE;
  if (statement->params == NULL)
    return TRUE;

  n = g_slist_length (statement->params->holders);
  statement->holders = g_new0 (GdaHolder *, n);
  statement->n_holders = n;
  for (guint i = 0; i < n; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "p%u", i);
      statement->holders[i] = gda_set_get_holder (statement->params, id);
      if (statement->holders[i] == NULL)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                       "The parameters of “%s” are not numbered p0 to p%u",
                       statement->sql, n - 1);
          return FALSE;
        }
      /* The set listens to its holders to validate and relay their
       * changes, for user interfaces bound to it; nothing listens to this
       * set, and the relaying costs a third of an INSERT. */
      g_signal_handlers_disconnect_matched (statement->holders[i], G_SIGNAL_MATCH_DATA,
                                            0, 0, NULL, NULL, statement->params);
    }

  return TRUE;
}

/* What a statement may be on SQLite's handle, by its first word: a
 * select, which SQLite's provider returns rows for only when it starts
 * with SELECT (or PRAGMA, EXPLAIN, which libgorm runs without column
 * types); a write or a transaction's statement, which returns no rows;
 * or neither (DDL, PRAGMA, WITH, …), left to libgda. */
enum
{
  DIRECT_NONE,
  DIRECT_SELECT,
  DIRECT_WRITE,
};

static guint
direct_kind (const char *sql)
{
  static const char * const writes[] = {
    "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE",
  };
  gsize length = strspn (sql, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

  if (length == strlen ("SELECT") && g_ascii_strncasecmp (sql, "SELECT", length) == 0)
    return DIRECT_SELECT;
  for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
    if (length == strlen (writes[i]) && g_ascii_strncasecmp (sql, writes[i], length) == 0)
      return DIRECT_WRITE;
  return DIRECT_NONE;
}

/* Parses the SQL of @statement into libgda's statement and holders, as
 * every statement is when it is looked up, and a statement of
 * gorm_connection_lookup_direct_locked() the first time libgda is to run
 * it. On failure @statement is as it was. */
static gboolean
parse_statement (GormConnection  *self,
                 GormStatement   *statement,
                 GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdaStatement) parsed = NULL;
  GormStatement holders = { 0 };
  const char *sql = statement->sql;
  const char *rest = NULL;

  if (statement->statement != NULL)
    return TRUE;
  if (self->dialect->values_as_text && strstr (sql, "::gdouble::null") != NULL)
    {
      /* libgda's PostgreSQL provider writes a gdouble parameter in a
       * lossy form (1e300 reaches the server as 1.0000000000000000525e37):
       * doubles are sent as text, which the server reads exactly. */
      g_auto(GStrv) parts = g_strsplit (sql, "::gdouble::null", -1);
      g_autofree char *text = g_strjoinv ("::gchararray::null", parts);

      parsed = gda_sql_parser_parse_string (self->parser, text, &rest, &local_error);
    }
  else
    parsed = gda_sql_parser_parse_string (self->parser, sql, &rest, &local_error);
  if (parsed != NULL && rest != NULL && *rest != '\0')
    g_set_error (&local_error, GORM_ERROR, GORM_ERROR_FAILED,
                 "Only one statement can be run at a time");
  holders.sql = statement->sql;
  holders.statement = parsed;
  if (local_error == NULL && collect_holders (&holders, &local_error) &&
      statement->values != NULL && holders.n_holders != statement->n_holders)
    g_set_error (&local_error, GORM_ERROR, GORM_ERROR_FAILED,
                 "libgda found %u parameters, not %u", holders.n_holders,
                 statement->n_holders);
  if (local_error != NULL)
    {
      g_clear_object (&holders.params);
      g_free (holders.holders);
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "Cannot parse the SQL “%s”: %s", sql, local_error->message);
      return FALSE;
    }
  statement->statement = g_steal_pointer (&parsed);
  statement->params = holders.params;
  statement->holders = holders.holders;
  statement->n_holders = holders.n_holders;
  return TRUE;
}

/* The statement of @sql cached, or NULL with @error set when the
 * connection has no statements (closed, not open). */
static gboolean
find_statement (GormConnection  *self,
                const char      *sql,
                GormStatement  **statement,
                GError         **error)
{
  if (self->statements == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot run “%s”: the database is %s", sql,
                   self->closed ? "closed" : "not open");
      *statement = NULL;
      return FALSE;
    }
  *statement = g_hash_table_lookup (self->statements, sql);
  return TRUE;
}

GormStatement *
gorm_connection_lookup_locked (GormConnection  *self,
                               const char      *sql,
                               GError         **error)
{
  GormStatement *statement;

  if (!find_statement (self, sql, &statement, error))
    return NULL;
  if (statement != NULL)
    return parse_statement (self, statement, error) ? statement : NULL;

  statement = g_new0 (GormStatement, 1);
  statement->sql = g_strdup (sql);
  if (!parse_statement (self, statement, error))
    {
      gorm_statement_free (statement);
      return NULL;
    }

  statement->kind = direct_kind (sql);
  if (statement->kind != DIRECT_NONE && self->sqlite != NULL && statement->n_holders > 0)
    statement->values = g_new0 (GValue, statement->n_holders);
  g_hash_table_insert (self->statements, statement->sql, statement);
  return statement;
}

GormStatement *
gorm_connection_lookup_direct_locked (GormConnection  *self,
                                      const char      *sql,
                                      GError         **error)
{
  g_autofree char *numbered = NULL;
  GormStatement *statement;
  guint n_params = 0;
  guint kind;

  if (!find_statement (self, sql, &statement, error))
    return NULL;
  if (statement != NULL)
    return statement;
  kind = direct_kind (sql);
  if (!gorm_connection_runs_directly_locked (self) || kind == DIRECT_NONE)
    return gorm_connection_lookup_locked (self, sql, error);

  /* Counted as libgda would: ##p0 to ##pN-1, each once. */
  numbered = gorm_dialect_number_parameters (sql, '?', &n_params);
  statement = g_new0 (GormStatement, 1);
  statement->sql = g_strdup (sql);
  statement->kind = kind;
  statement->n_holders = n_params;
  statement->values = g_new0 (GValue, MAX (n_params, 1));
  g_hash_table_insert (self->statements, statement->sql, statement);
  return statement;
}

gboolean
gorm_statement_is_parsed (GormStatement *self)
{
  return self->statement != NULL;
}

guint
gorm_statement_get_n_params (GormStatement *self)
{
  return self->n_holders;
}

const char *
gorm_statement_get_sql (GormStatement *self)
{
  return self->sql;
}

/* A GdaBinary with the bytes of @bytes, built by hand: libgda binds a NULL
 * data pointer as SQL NULL, so an empty blob needs an allocated pointer
 * too, which gda_binary_copy() does not promise. */
static GdaBinary *
binary_from_bytes (GBytes *bytes)
{
  GdaBinary *binary = g_new0 (GdaBinary, 1);
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  binary->data = g_malloc (MAX (size, 1));
  if (size > 0)
    memcpy (binary->data, data, size);
  binary->binary_length = (glong) size;
  return binary;
}

/* Gives @value (taken, left unset) to the holder of parameter @number. */
static void
hold_value (GormStatement *self,
            guint          number,
            GValue        *value)
{
  GValue *owned;

  /* The holder takes the value without copying it: a copy costs a malloc
   * per parameter and drops the data pointer of an empty GdaBinary, which
   * libgda would then bind as NULL instead of an empty blob. */
  owned = g_new0 (GValue, 1);
  /* Exact type comparisons: double is a fundamental type, GBytes a boxed
   * one, and nothing derives from either. */
  if (G_VALUE_TYPE (value) == G_TYPE_DOUBLE &&
      gda_holder_get_g_type (self->holders[number]) == G_TYPE_STRING)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_value_init (owned, G_TYPE_STRING);
      g_value_set_string (owned, gorm_value_format_double (g_value_get_double (value), buffer));
      g_value_unset (value);
    }
  else if (G_VALUE_TYPE (value) == G_TYPE_BYTES)
    {
      g_value_init (owned, GDA_TYPE_BINARY);
      g_value_take_boxed (owned, binary_from_bytes (g_value_get_boxed (value)));
      g_value_unset (value);
    }
  else
    {
      *owned = *value;
      *value = (GValue) G_VALUE_INIT;
    }
  gda_holder_take_value (self->holders[number], owned, NULL);
}

/* Gives the values bound since the last run to the holders, for libgda
 * to run the statement. */
static void
load_holders (GormStatement *self)
{
  for (guint i = 0; self->values != NULL && i < self->n_holders; i++)
    if (G_IS_VALUE (&self->values[i]))
      hold_value (self, i, &self->values[i]);
}

void
gorm_statement_take_param (GormStatement *self,
                           guint          number,
                           GValue        *value)
{
  g_return_if_fail (number < self->n_holders);

  /* A statement SQLite's handle may run keeps the value until it runs:
   * bound there (bind_direct()), it never crosses a holder, whose change
   * signals and checks cost more than the binding; given to the holder
   * only if libgda runs the statement (load_holders()). It stays, as a
   * holder's value does, for a statement run again without new values. */
  if (self->values != NULL)
    {
      if (G_IS_VALUE (&self->values[number]))
        g_value_unset (&self->values[number]);
      self->values[number] = *value;
      *value = (GValue) G_VALUE_INIT;
      return;
    }
  hold_value (self, number, value);
}

void
gorm_statement_take_params (GormStatement *self,
                            GValue        *values,
                            guint          n_values)
{
  guint number = 0;

  for (guint i = 0; i < n_values; i++)
    if (!gorm_value_is_sql_null (&values[i]))
      gorm_statement_take_param (self, number++, &values[i]);
}

static void
trace (GormConnection *self,
       const char     *sql)
{
  if (self->trace_func != NULL)
    self->trace_func (sql, self->trace_data);
}

static void
cancel_statement_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  /* Nothing to report: the statement fails or ends by itself. */
  gorm_connection_cancel (user_data, NULL);
}

/* After the statement: a failure a cancellation caused becomes
 * G_IO_ERROR_CANCELLED, the server's message kept. */
static void
end_cancellable (GormConnection  *self,
                 gulong           handler,
                 gboolean         failed,
                 GError         **error)
{
  if (handler != 0)
    g_cancellable_disconnect (self->cancellable, handler);
  if (failed && handler != 0 && g_cancellable_is_cancelled (self->cancellable) &&
      error != NULL && *error != NULL)
    {
      GError *cancelled = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       "Operation was cancelled: %s", (*error)->message);

      g_clear_error (error);
      g_propagate_error (error, cancelled);
    }
}

/* Before a statement runs: FALSE with @error when its cancellable is
 * cancelled already; else, where the engine can stop a running
 * statement (PostgreSQL), a cancellation from now on asks the server to
 * stop it, until end_cancellable(). */
static gboolean
start_cancellable (GormConnection  *self,
                   GormStatement   *statement,
                   gulong          *handler,
                   GError         **error)
{
  GError *gda_error = NULL;

  *handler = 0;
  if (self->cancellable == NULL)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  if (self->pgcancel == NULL)
    return TRUE;
  *handler = g_cancellable_connect (self->cancellable, G_CALLBACK (cancel_statement_cb),
                                    self, NULL);
  /* libgda prepares a statement the first time it runs it, and runs it
   * unprepared when that fails: a cancelled PREPARE (one that waited
   * for a lock, say) would be followed by the same statement, run again
   * without the cancellation. Prepared here, a failure is the call's. */
  if (statement->prepared_serial != self->serial)
    {
      if (!gda_connection_statement_prepare (self->connection, statement->statement, &gda_error))
        {
          if (gda_error == NULL)
            gda_error = error_from_events (self);
          translate_error (self, error, gda_error, statement->sql);
          end_cancellable (self, *handler, TRUE, error);
          return FALSE;
        }
      statement->prepared_serial = self->serial;
    }
  return TRUE;
}


/* The column types libgda is asked for: libgorm's, with GBytes as
 * GdaBinary, and every other one as text when @as_text. NULL when they
 * need no change. */
static GType *
gda_column_types (const GType *column_types,
                  gboolean     as_text)
{
  GType *types;
  guint n = 0;
  gboolean bytes = FALSE;

  if (column_types == NULL)
    return NULL;
  for (; column_types[n] != G_TYPE_NONE; n++)
    bytes |= column_types[n] == G_TYPE_BYTES;
  if (!bytes && !as_text)
    return NULL;

  types = g_memdup2 (column_types, sizeof (GType) * (n + 1));
  for (guint i = 0; i < n; i++)
    if (types[i] == G_TYPE_BYTES)
      types[i] = GDA_TYPE_BINARY;
    else if (as_text)
      types[i] = G_TYPE_STRING;
  return types;
}

static void
row_reader_init (RowReader    *reader,
                 GdaDataModel *model)
{
  reader->model = model;
  reader->select = GDA_IS_DATA_SELECT (model) ? GDA_DATA_SELECT (model) : NULL;
  reader->row = NULL;
  reader->row_number = 0;
}

/* The value at @column of @row, or NULL with @error set.
 *
 * gda_data_model_get_value_at() costs some 700 instructions a value
 * (interface dispatch, type checks, the row looked up in a hash table
 * for every column): reading a whole row through it cost more than
 * building the object for it. The row is looked up once where libgda
 * stored it and its values read by index; a row libgda has not stored
 * yet (PostgreSQL's provider makes them as they are first read) is
 * fetched through the model once, and read where it is stored from then
 * on. The model's row numbers are libgda's stored ones, since nothing
 * ever deletes, inserts or changes a row of a select's model: libgda
 * maps them only for models whose rows were edited through it. */
static const GValue *
read_value (RowReader  *reader,
            guint       column,
            guint       row,
            GError    **error)
{
  g_autoptr(GError) gda_error = NULL;
  const GValue *value;

  if (reader->select != NULL)
    {
      if (reader->row == NULL || reader->row_number != row)
        {
          reader->row = gda_data_select_get_stored_row (reader->select, (gint) row);
          reader->row_number = row;
        }
      if (reader->row != NULL && (gint) column < gda_row_get_length (reader->row))
        {
          GValue *stored = gda_row_get_value (reader->row, (gint) column);

          if (gda_row_value_is_valid (reader->row, stored))
            return stored;
        }
    }

  value = gda_data_model_get_value_at (reader->model, column, row, &gda_error);
  /* The row is stored now, if it can be: look it up again next time. */
  if (reader->row == NULL)
    reader->row_number = G_MAXUINT;
  if (value == NULL)
    g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                 "Cannot read column %u of row %u: %s", column, row,
                 gda_error ? gda_error->message : "unknown error");
  return value;
}

/* Copies libgda's @value into @copy as a libgorm SQL value, read from
 * text as @sql_type (G_TYPE_NONE: kept as libgda gave it). */
static gboolean
copy_value (const GValue  *value,
            GType          sql_type,
            GValue        *copy,
            GError       **error)
{
  GType type = G_VALUE_TYPE (value);

  if (type == GDA_TYPE_NULL || type == G_TYPE_INVALID)
    {
      g_value_init (copy, GORM_TYPE_SQL_NULL);
      return TRUE;
    }
  if (type == GDA_TYPE_BINARY || type == GDA_TYPE_BLOB)
    return gorm_connection_import_value (value, copy);
  if (type == G_TYPE_STRING && sql_type != G_TYPE_NONE)
    return gorm_value_from_engine_text (sql_type, g_value_get_string (value), copy, error);
  g_value_init (copy, type);
  g_value_copy (value, copy);
  return TRUE;
}

/* Reads every value of @model into @rows->values: a libgda model of
 * PostgreSQL must not outlive the lock (libpq is not to be used by two
 * threads at once), and its values come as text. */
static gboolean
copy_model (GormRows      *rows,
            GdaDataModel  *model,
            const GType   *column_types,
            GError       **error)
{
  guint n_types = 0;
  RowReader reader;

  while (column_types != NULL && column_types[n_types] != G_TYPE_NONE)
    n_types++;
  row_reader_init (&reader, model);
  rows->values = g_new0 (GValue, MAX ((gsize) rows->n_rows * rows->n_columns, 1));
  for (guint row = 0; row < rows->n_rows; row++)
    for (guint column = 0; column < rows->n_columns; column++)
      {
        const GValue *value = read_value (&reader, column, row, error);
        GType sql_type = column < n_types ? column_types[column] : G_TYPE_NONE;

        if (value == NULL)
          return FALSE;
        if (!copy_value (value, sql_type, &rows->values[(gsize) row * rows->n_columns + column],
                         error))
          return FALSE;
      }
  return TRUE;
}

/* Runs @gda_statement (@statement's, or a copy of it) as a select whose
 * columns libgda reads as @types (NULL: as it chooses), and counts its
 * rows and columns. */
static GdaDataModel *
run_select (GormConnection  *self,
            GormStatement   *statement,
            GdaStatement    *gda_statement,
            const GType     *types,
            gint            *n_rows,
            gint            *n_columns,
            GError         **error)
{
  GError *gda_error = NULL;
  GdaDataModel *model = NULL;
  gulong handler;

  if (!ready_locked (self, error) || !start_cancellable (self, statement, &handler, error))
    return NULL;
  trace (self, statement->sql);
  load_holders (statement);
  gda_error = take_fault (self, statement->sql);
  if (gda_error == NULL)
    model = gda_connection_statement_execute_select_full (self->connection,
                                                          gda_statement,
                                                          statement->params,
                                                          GDA_STATEMENT_MODEL_RANDOM_ACCESS,
                                                          (GType *) types,
                                                          &gda_error);
  if (model == NULL && gda_error == NULL)
    gda_error = error_from_events (self);
  if (model == NULL)
    {
      translate_error (self, error, gda_error, statement->sql);
      end_cancellable (self, handler, TRUE, error);
      return NULL;
    }
  /* The rows are all read (random access) once the call returns. */
  end_cancellable (self, handler, FALSE, error);
  g_clear_error (&gda_error);

  /* A row SQLite fails to step to (a damaged page, an I/O error, or a
   * refusal it makes only as the statement runs, such as a LIKE pattern
   * over its length limit) ends a random-access model early and is kept
   * as an exception of the model, not returned: counting the rows steps
   * the statement to its end, so that such an error fails the select
   * instead of reading as fewer rows, or none. */
  *n_rows = gda_data_model_get_n_rows (model);
  {
    GError **exceptions = gda_data_model_get_exceptions (model);

    if (exceptions != NULL && exceptions[0] != NULL)
      {
        translate_error (self, error, g_error_copy (exceptions[0]), statement->sql);
        g_object_unref (model);
        return NULL;
      }
  }
  *n_columns = gda_data_model_get_n_columns (model);
  if (*n_rows < 0 || *n_columns < 0)
    {
      int code = self->sqlite != NULL ? sqlite3_errcode (self->sqlite) : SQLITE_OK;

      /* libgda gives no rows and no exception when the step failed (the
       * file locked, say); the handle knows why. */
      if (code != SQLITE_OK && code != SQLITE_ROW && code != SQLITE_DONE)
        translate_error (self, error,
                         g_error_new_literal (GORM_ERROR, GORM_ERROR_FAILED,
                                              sqlite3_errmsg (self->sqlite)),
                         statement->sql);
      else
        g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                     "The rows of “%s” cannot be counted", statement->sql);
      g_object_unref (model);
      return NULL;
    }
  return model;
}

/* Selects on SQLite's own handle.
 *
 * Through libgda, a select's rows cost more than everything libgorm does
 * with them: a GdaDataSelect and a GdaRow per row, each value converted
 * to text to test it for NULL, then read again in its type. When the
 * connection's sqlite3 handle was found and checked (find_sqlite()), a
 * select whose column types libgorm names runs on that handle instead:
 * its SQL rendered once with `?` for the parameters, as libgda's provider
 * renders it, prepared once beside the GdaStatement, bound from the same
 * holders, stepped to its end and copied into the rows' values. It is the
 * same connection: it sees the writes of the open transaction, runs
 * under the same busy timeout, and its failures are classified by the
 * same messages (sqlite3_errmsg(), which libgda reports too). Anything
 * else runs through libgda, as it does when there is no handle.
 *
 * Writes run there too (execute_direct()): an INSERT, UPDATE or DELETE
 * through libgda costs some 15 µs where SQLite's own work is 4 µs (the
 * provider's statement handling, its events, the result set of the rows
 * changed). BEGIN, COMMIT and the savepoints, which libgorm sends as
 * untracked statements libgda never interprets, run there as well. */

/* Whether a column asked for as @type is read here: the SQL value types
 * of gorm-value-private.h, and booleans. Others (libgda's own types, a
 * gint that libgda refuses beyond 32 bits) are left to libgda. */
static gboolean
is_direct_type (GType type)
{
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE || type == G_TYPE_STRING ||
         type == G_TYPE_BYTES || type == G_TYPE_BOOLEAN;
}

/* The number of the holder @holder of @statement, from its id ("pN"),
 * or n_holders when it is none of them. */
static guint
holder_number (GormStatement *statement,
               GdaHolder     *holder)
{
  const char *id = gda_holder_get_id (holder);
  guint64 number;
  char *end;

  if (id == NULL || id[0] != 'p' || !g_ascii_isdigit (id[1]))
    return statement->n_holders;
  number = g_ascii_strtoull (id + 1, &end, 10);
  if (*end != '\0' || number >= statement->n_holders ||
      statement->holders[number] != holder)
    return statement->n_holders;
  return (guint) number;
}

/* Prepares @statement on the sqlite3 handle: TRUE when it can run there.
 * Its SQL is what libgda's provider would prepare: rendered with `?`,
 * listing the holders in the order of their `?`; or, for a statement
 * libgda has not parsed (gorm_connection_lookup_direct_locked()), its
 * parameters written as SQLite numbers them (gorm_dialect_number_parameters()),
 * each bound from the value of its number.
 * FALSE otherwise: with @error set when SQLite refused to prepare a
 * statement libgda has not parsed (its message: libgda's provider would
 * report the same), else for libgda to run it, and report a failure. */
static gboolean
prepare_direct (GormConnection  *self,
                GormStatement   *statement,
                GError         **error)
{
  g_autofree char *sql = NULL;
  GSList *used = NULL;
  sqlite3_stmt *direct = NULL;
  const char *tail = NULL;
  guint n_used, i;

  if (statement->direct_serial == self->serial &&
      (statement->direct != NULL || statement->direct_refused))
    return statement->direct != NULL;
  forget_direct (statement);
  statement->direct_serial = self->serial;

  if (statement->statement == NULL)
    {
      sql = gorm_dialect_number_parameters (statement->sql, '?', &n_used);
      statement->direct_refused = n_used != statement->n_holders;
    }
  else
    {
      sql = gda_statement_to_sql_extended (statement->statement, self->connection,
                                           statement->params, GDA_STATEMENT_SQL_PARAMS_AS_QMARK,
                                           &used, NULL);
      n_used = g_slist_length (used);
      statement->direct_refused = sql == NULL;
    }
  if (statement->direct_refused)
    {
      g_slist_free (used);
      return FALSE;
    }
  if (sqlite3_prepare_v3 (self->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT, &direct,
                          &tail) != SQLITE_OK || direct == NULL)
    {
      if (statement->statement == NULL)
        g_set_error_literal (error, GORM_ERROR, GORM_ERROR_FAILED,
                             direct == NULL && sqlite3_errcode (self->sqlite) == SQLITE_OK
                               ? "not an SQL statement" : sqlite3_errmsg (self->sqlite));
      g_slist_free (used);
      sqlite3_finalize (direct);
      statement->direct_serial = 0;
      return FALSE;
    }
  statement->direct_params = g_new0 (guint, MAX (n_used, 1));
  statement->n_direct_params = n_used;
  i = 0;
  if (statement->statement == NULL)
    for (; i < n_used; i++)
      statement->direct_params[i] = i;
  for (GSList *l = used; l != NULL; l = l->next, i++)
    {
      statement->direct_params[i] = holder_number (statement, l->data);
      statement->direct_refused |= statement->direct_params[i] == statement->n_holders;
    }
  g_slist_free (used);
  statement->direct_refused |= (tail != NULL && tail[strspn (tail, " \t\r\n;")] != '\0') ||
                               (guint) sqlite3_bind_parameter_count (direct) != n_used;
  if (statement->direct_refused)
    {
      sqlite3_finalize (direct);
      g_clear_pointer (&statement->direct_params, g_free);
      statement->n_direct_params = 0;
      return FALSE;
    }
  statement->direct = direct;
  return TRUE;
}

/* Binds @value (NULL: none) as parameter @column of @direct, as libgda's
 * provider binds it: SQLITE_MISUSE for a value it binds in a way of its
 * own (NULL, which it rewrites into the SQL) or a type libgorm does not
 * bind. */
static int
bind_value (sqlite3_stmt            *direct,
            int                      column,
            const GValue            *value,
            sqlite3_destructor_type  destructor)
{
  GType type = value ? G_VALUE_TYPE (value) : G_TYPE_INVALID;

  if (type == G_TYPE_STRING && g_value_get_string (value) != NULL)
    return sqlite3_bind_text (direct, column, g_value_get_string (value), -1, destructor);
  if (type == G_TYPE_INT64)
    return sqlite3_bind_int64 (direct, column, g_value_get_int64 (value));
  if (type == G_TYPE_INT)
    return sqlite3_bind_int (direct, column, g_value_get_int (value));
  if (type == G_TYPE_DOUBLE)
    return sqlite3_bind_double (direct, column, g_value_get_double (value));
  if (type == G_TYPE_BOOLEAN)
    return sqlite3_bind_int (direct, column, g_value_get_boolean (value) ? 1 : 0);
  if (type == GDA_TYPE_BINARY && g_value_get_boxed (value) != NULL)
    {
      const GdaBinary *binary = g_value_get_boxed (value);

      return sqlite3_bind_blob (direct, column, binary->data, (int) binary->binary_length,
                                destructor);
    }
  if (type == G_TYPE_BYTES)
    {
      gsize size = 0;
      gconstpointer data = g_bytes_get_data (g_value_get_boxed (value), &size);

      /* A NULL pointer binds NULL: an empty blob needs one, as
       * binary_from_bytes() gives libgda. */
      if (size > G_MAXINT)
        return SQLITE_TOOBIG;
      return sqlite3_bind_blob (direct, column, data ? data : "", (int) size, destructor);
    }
  return SQLITE_MISUSE;
}

/* Binds the statement's values as libgda's provider does; FALSE, for
 * libgda to run the statement, on a value bind_value() refuses. */
static gboolean
bind_direct (GormStatement *statement)
{
  sqlite3_stmt *direct = statement->direct;

  for (guint i = 0; i < statement->n_direct_params; i++)
    {
      guint number = statement->direct_params[i];
      GdaHolder *holder = statement->holders ? statement->holders[number] : NULL;
      int rc;

      /* A value not given to the holder lives, unchanged, until the
       * statement has run and its bindings are cleared: SQLite need not
       * copy it. */
      if (statement->values != NULL && G_IS_VALUE (&statement->values[number]))
        rc = bind_value (direct, (int) i + 1, &statement->values[number], SQLITE_STATIC);
      else
        rc = bind_value (direct, (int) i + 1,
                         holder && gda_holder_is_valid (holder) ? gda_holder_get_value (holder)
                                                                : NULL,
                         SQLITE_TRANSIENT);
      if (rc != SQLITE_OK)
        {
          sqlite3_clear_bindings (direct);
          return FALSE;
        }
    }
  return TRUE;
}

/* The value of @column of the row @direct stands on, as libgda's provider
 * reads it for a column asked for as @type, in libgorm's form: SQL NULL,
 * GBytes for a blob.
 *
 * Each sqlite3_column_*() call takes and releases the handle's mutex
 * (SQLite is built serialized): the cell is taken once with
 * sqlite3_column_value() and read with sqlite3_value_*(), which take
 * none. SQLite calls such a value unprotected, safe only while no other
 * thread uses the handle: the connection's lock, held here, ensures it,
 * for libgda's use of the handle too. */
static void
read_direct (sqlite3_stmt *direct,
             int           column,
             GType         type,
             GValue       *value)
{
  sqlite3_value *cell = sqlite3_column_value (direct, column);

  if (sqlite3_value_type (cell) == SQLITE_NULL)
    {
      g_value_init (value, GORM_TYPE_SQL_NULL);
      return;
    }
  g_value_init (value, type);
  if (type == G_TYPE_INT64)
    g_value_set_int64 (value, sqlite3_value_int64 (cell));
  else if (type == G_TYPE_DOUBLE)
    g_value_set_double (value, sqlite3_value_double (cell));
  else if (type == G_TYPE_STRING)
    {
      const char *text = (const char *) sqlite3_value_text (cell);

      /* NULL when SQLite ran out of memory converting the value, which
       * libgda's provider reads as NULL. */
      if (text == NULL)
        {
          g_value_unset (value);
          g_value_init (value, GORM_TYPE_SQL_NULL);
          return;
        }
      g_value_set_string (value, text);
    }
  else if (type == G_TYPE_BOOLEAN)
    g_value_set_boolean (value, sqlite3_value_int (cell) != 0);
  else
    {
      /* The blob first: its length is that of the value as it is, not
       * of a text a conversion made. */
      gconstpointer data = sqlite3_value_blob (cell);

      g_value_take_boxed (value, g_bytes_new (data, (gsize) sqlite3_value_bytes (cell)));
    }
}

/* Whether the sqlite3 handle may run statements now, once ready_locked()
 * said the connection is: opening a broken connection again may have
 * changed the handle, and the application may have closed a connection
 * it gave, and its handle with it (libgda then reports that). */
static gboolean
runs_directly_now_locked (GormConnection *self)
{
  return self->direct && self->sqlite != NULL &&
         (self->owns_connection || gda_connection_is_opened (self->connection));
}

/* Makes @statement ready to step on the sqlite3 handle: prepared, with
 * @n_columns columns, bound, started (cancellation, trace, an injected
 * fault). FALSE with *@handled FALSE, nothing run, when libgda is to run
 * it; FALSE with *@handled TRUE and @error set when it failed before it
 * ran. On SQLite no cancellation handler is connected: there is none to
 * end. */
static gboolean
start_direct (GormConnection  *self,
              GormStatement   *statement,
              guint            n_columns,
              gboolean        *handled,
              GError         **error)
{
  g_autoptr(GError) refused = NULL;
  GError *fault;
  gulong handler;

  *handled = FALSE;
  if (!prepare_direct (self, statement, &refused))
    {
      /* Refused by SQLite, a statement libgda has not parsed fails as
       * libgda would have run it: started, traced, then failing. */
      if (refused == NULL)
        return FALSE;
    }
  else if ((guint) sqlite3_column_count (statement->direct) != n_columns ||
           !bind_direct (statement))
    return FALSE;

  *handled = TRUE;
  fault = NULL;
  if (start_cancellable (self, statement, &handler, error))
    {
      trace (self, statement->sql);
      fault = take_fault (self, statement->sql);
      if (fault == NULL && refused == NULL)
        return TRUE;
      translate_error (self, error, fault ? fault : g_steal_pointer (&refused), statement->sql);
    }
  if (statement->direct != NULL)
    sqlite3_clear_bindings (statement->direct);
  return FALSE;
}

/* Sets @error from the handle's message of the step of @statement that
 * failed, as libgda's provider reports it, then resets the statement
 * (which may rewrite the message) and clears its bindings. */
static void
fail_direct (GormConnection  *self,
             GormStatement   *statement,
             GError         **error)
{
  translate_error (self, error,
                   g_error_new_literal (GORM_ERROR, GORM_ERROR_FAILED,
                                        sqlite3_errmsg (self->sqlite)),
                   statement->sql);
  sqlite3_reset (statement->direct);
  sqlite3_clear_bindings (statement->direct);
}

/* Runs @statement on the sqlite3 handle: the rows, or NULL with @error
 * set; or NULL with *@handled FALSE, nothing run, when libgda is to run
 * it. */
static GormRows *
select_direct (GormConnection  *self,
               GormStatement   *statement,
               const GType     *column_types,
               gboolean        *handled,
               GError         **error)
{
  g_autoptr(GormRows) rows = NULL;
  sqlite3_stmt *direct;
  gsize capacity = 0;
  guint n_columns = 0;
  int rc;

  *handled = FALSE;
  if (statement->kind != DIRECT_SELECT)
    return NULL;
  while (column_types[n_columns] != G_TYPE_NONE)
    if (!is_direct_type (column_types[n_columns++]))
      return NULL;
  if (!start_direct (self, statement, n_columns, handled, error))
    return NULL;
  direct = statement->direct;
  self->n_direct_selects++;

  rows = g_new0 (GormRows, 1);
  rows->n_columns = n_columns;
  while ((rc = sqlite3_step (direct)) == SQLITE_ROW)
    {
      GValue *row;

      if (rows->n_rows % ROWS_BLOCK == 0)
        {
          guint block = rows->n_rows / ROWS_BLOCK;

          if (block == capacity)
            {
              capacity = MAX (capacity * 2, 16);
              rows->blocks = g_renew (GValue *, rows->blocks, capacity);
            }
          rows->blocks[block] = g_new (GValue, (gsize) ROWS_BLOCK * MAX (n_columns, 1));
        }
      row = block_row (rows, rows->n_rows);
      memset (row, 0, sizeof (GValue) * n_columns);
      for (guint column = 0; column < n_columns; column++)
        read_direct (direct, (int) column, column_types[column], &row[column]);
      rows->n_rows++;
    }
  if (rc != SQLITE_DONE)
    {
      fail_direct (self, statement, error);
      return NULL;
    }
  sqlite3_reset (direct);
  sqlite3_clear_bindings (direct);
  if (rows->blocks == NULL)
    rows->values = g_new0 (GValue, 1);
  return g_steal_pointer (&rows);
}

GormRows *
gorm_connection_select_locked (GormConnection  *self,
                               GormStatement   *statement,
                               const GType     *column_types,
                               GError         **error)
{
  gboolean as_text = self->dialect->values_as_text;
  g_autofree GType *types = gda_column_types (column_types, as_text);
  GdaDataModel *model;
  GormRows *rows;
  gint n_rows, n_columns;

  if (column_types != NULL && self->sqlite != NULL && self->direct)
    {
      gboolean handled;

      if (!ready_locked (self, error))
        return NULL;
      if (runs_directly_now_locked (self))
        {
          rows = select_direct (self, statement, column_types, &handled, error);
          if (handled)
            return rows;
        }
    }

  if (!parse_statement (self, statement, error))
    return NULL;
  model = run_select (self, statement, statement->statement,
                      types ? types : column_types, &n_rows, &n_columns, error);
  if (model == NULL)
    return NULL;

  rows = g_new0 (GormRows, 1);
  rows->n_rows = n_rows;
  rows->n_columns = n_columns;
  if (as_text)
    {
      gboolean ok = copy_model (rows, model, column_types, error);

      g_object_unref (model);
      if (!ok)
        {
          g_prefix_error (error, "In the result of “%s”: ", statement->sql);
          gorm_rows_free (rows);
          return NULL;
        }
      return rows;
    }
  rows->model = model;
  row_reader_init (&rows->reader, model);
  return rows;
}

/* Runs the write @statement on the sqlite3 handle, as libgda's provider
 * runs it: the rows it changed, or -1 with @error set; or -1 with
 * *@handled FALSE, nothing run, when libgda is to run it. SQLite's
 * provider steps the statement once and reports sqlite3_changes() of an
 * INSERT, UPDATE or DELETE, and the message of sqlite3_errmsg() on
 * failure: so does this. */
static gint64
execute_direct (GormConnection  *self,
                GormStatement   *statement,
                gboolean        *handled,
                GError         **error)
{
  sqlite3_stmt *direct;
  gint64 changed;

  /* A write returning rows (RETURNING) is libgda's to refuse or run. */
  if (!start_direct (self, statement, 0, handled, error))
    return -1;
  direct = statement->direct;
  self->n_direct_writes++;

  if (sqlite3_step (direct) != SQLITE_DONE)
    {
      fail_direct (self, statement, error);
      return -1;
    }
  changed = sqlite3_changes64 (self->sqlite);
  sqlite3_reset (direct);
  sqlite3_clear_bindings (direct);
  return changed;
}

gint64
gorm_connection_execute_locked (GormConnection  *self,
                                GormStatement   *statement,
                                GError         **error)
{
  GError *gda_error = NULL;
  gint rows = -1;
  gulong handler;

  if (!ready_locked (self, error))
    return -1;
  if (statement->kind == DIRECT_WRITE && runs_directly_now_locked (self))
    {
      gboolean handled;
      gint64 changed = execute_direct (self, statement, &handled, error);

      if (handled)
        return changed;
    }

  if (!parse_statement (self, statement, error) ||
      !start_cancellable (self, statement, &handler, error))
    return -1;
  trace (self, statement->sql);
  load_holders (statement);
  gda_error = take_fault (self, statement->sql);
  if (gda_error == NULL)
    rows = gda_connection_statement_execute_non_select (self->connection,
                                                        statement->statement,
                                                        statement->params,
                                                        NULL, &gda_error);
  /* libgda reports -2 rows for statements, such as DDL, that change no
   * rows; -1 is an error, set or not. */
  if (rows == -1 && gda_error == NULL)
    gda_error = error_from_events (self);
  if (rows == -1 || gda_error != NULL)
    {
      translate_error (self, error, gda_error, statement->sql);
      end_cancellable (self, handler, TRUE, error);
      return -1;
    }
  end_cancellable (self, handler, FALSE, error);

  return MAX (rows, 0);
}

/* Raw selects: the application's SQL, whose column types libgorm does
 * not know before it runs. */

static gboolean
is_integer_type (GType type)
{
  return type == G_TYPE_INT || type == G_TYPE_UINT || type == G_TYPE_INT64 ||
         type == G_TYPE_UINT64 || type == G_TYPE_LONG || type == G_TYPE_ULONG ||
         type == G_TYPE_CHAR || type == G_TYPE_UCHAR || type == GDA_TYPE_SHORT ||
         type == GDA_TYPE_USHORT;
}

/* Whether a raw select's column libgda reads as @type is read as it is
 * (then converted by raw_value()); other types (PostgreSQL's dates and
 * times, numerics, intervals, …) are asked for as text. */
static gboolean
is_raw_type (GType type)
{
  return type == GDA_TYPE_NULL || type == G_TYPE_INVALID || is_integer_type (type) ||
         type == G_TYPE_BOOLEAN || type == G_TYPE_FLOAT || type == G_TYPE_DOUBLE ||
         type == G_TYPE_STRING || type == GDA_TYPE_BINARY || type == GDA_TYPE_BLOB;
}

/* Copies libgda's @value of a raw select into @copy: integers as gint64,
 * reals as gdouble, text, GBytes, booleans, SQL NULL. Text read from a
 * column of @column_type (asked for as text: see is_raw_type()) is a
 * GDateTime for a date-time, a gint64 or gdouble for a numeric (see
 * below), else the text. */
static void
raw_value (const GValue *value,
           GType         column_type,
           GValue       *copy)
{
  GType type = G_VALUE_TYPE (value);

  if (type == GDA_TYPE_NULL || type == G_TYPE_INVALID)
    g_value_init (copy, GORM_TYPE_SQL_NULL);
  else if (type == GDA_TYPE_BINARY || type == GDA_TYPE_BLOB)
    gorm_connection_import_value (value, copy);
  else if (type == G_TYPE_UINT64 && g_value_get_uint64 (value) > G_MAXINT64)
    {
      g_value_init (copy, G_TYPE_DOUBLE);
      g_value_set_double (copy, (double) g_value_get_uint64 (value));
    }
  else if (is_integer_type (type))
    {
      g_value_init (copy, G_TYPE_INT64);
      g_value_transform (value, copy);
    }
  else if (type == G_TYPE_FLOAT)
    {
      g_value_init (copy, G_TYPE_DOUBLE);
      g_value_set_double (copy, g_value_get_float (value));
    }
  else if (type == G_TYPE_STRING && column_type == GDA_TYPE_TIMESTAMP &&
           g_value_get_string (value) != NULL)
    {
      g_autoptr(GDateTime) date_time = gorm_value_parse_date_time (g_value_get_string (value));

      if (date_time == NULL)
        {
          /* A timestamp without time zone is in UTC. */
          g_autofree char *utc = g_strconcat (g_value_get_string (value), "Z", NULL);

          date_time = gorm_value_parse_date_time (utc);
        }
      if (date_time != NULL)
        {
          g_value_init (copy, G_TYPE_DATE_TIME);
          g_value_set_boxed (copy, date_time);
        }
      else
        {
          g_value_init (copy, G_TYPE_STRING);
          g_value_copy (value, copy);
        }
    }
  else if (type == G_TYPE_STRING && column_type == GDA_TYPE_NUMERIC &&
           g_value_get_string (value) != NULL)
    {
      /* A numeric without a fractional part (PostgreSQL's sum of
       * bigints) is an integer when it fits in one. */
      const char *text = g_value_get_string (value);
      gint64 integer;

      if (strpbrk (text, ".eEnNiI") == NULL &&
          g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &integer, NULL))
        {
          g_value_init (copy, G_TYPE_INT64);
          g_value_set_int64 (copy, integer);
        }
      else
        {
          g_value_init (copy, G_TYPE_DOUBLE);
          g_value_set_double (copy, g_ascii_strtod (text, NULL));
        }
    }
  else
    {
      g_value_init (copy, type);
      g_value_copy (value, copy);
    }
}

/* Reads every value of @model into @rows, as raw_value() converts them;
 * FALSE, @rows left incomplete, at the first value libgda could not read
 * (SQLite's "Integer value is too big" of a column read as gint). */
static gboolean
copy_raw_model (GormRows      *rows,
                GdaDataModel  *model,
                const GType   *column_types,
                GError       **error)
{
  RowReader reader;

  row_reader_init (&reader, model);
  rows->values = g_new0 (GValue, MAX ((gsize) rows->n_rows * rows->n_columns, 1));
  for (guint row = 0; row < rows->n_rows; row++)
    for (guint column = 0; column < rows->n_columns; column++)
      {
        const GValue *value = read_value (&reader, column, row, error);

        if (value == NULL)
          return FALSE;
        raw_value (value, column_types[column], &rows->values[(gsize) row * rows->n_columns + column]);
      }
  return TRUE;
}

static void
clear_values (GormRows *rows)
{
  if (rows->values == NULL)
    return;
  for (gsize i = 0; i < (gsize) rows->n_rows * rows->n_columns; i++)
    if (G_IS_VALUE (&rows->values[i]))
      g_value_unset (&rows->values[i]);
  g_clear_pointer (&rows->values, g_free);
}

GormRows *
gorm_connection_select_raw_locked (GormConnection  *self,
                                   GormStatement   *statement,
                                   GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdaDataModel) model = NULL;
  g_autoptr(GdaStatement) copy = NULL;
  g_autofree GType *column_types = NULL;
  g_autofree GType *asked = NULL;
  gboolean retry = FALSE;
  GormRows *rows;
  gint n_rows, n_columns;

  if (!parse_statement (self, statement, error))
    return NULL;
  model = run_select (self, statement, statement->statement, NULL, &n_rows, &n_columns, error);
  if (model == NULL)
    return NULL;

  rows = g_new0 (GormRows, 1);
  rows->n_rows = n_rows;
  rows->n_columns = n_columns;
  rows->names = g_new0 (char *, n_columns + 1);
  column_types = g_new0 (GType, n_columns + 1);
  for (gint i = 0; i < n_columns; i++)
    {
      GdaColumn *column = gda_data_model_describe_column (model, i);

      rows->names[i] = g_strdup (gda_data_model_get_column_name (model, i));
      column_types[i] = column ? gda_column_get_g_type (column) : GDA_TYPE_NULL;
      retry |= !is_raw_type (column_types[i]);
    }

  if (!retry && copy_raw_model (rows, model, column_types, &local_error))
    return rows;
  clear_values (rows);

  /* libgda chose the type of each column from its first values: SQLite
   * reads an INTEGER as a gint, and fails on values beyond 32 bits, and
   * PostgreSQL's dates and times come in libgda's types. The statement
   * runs again, as a copy (libgda keeps the column types it first read a
   * statement with), asking for gint64 and for text where needed. */
  asked = g_new0 (GType, n_columns + 1);
  for (gint i = 0; i < n_columns; i++)
    if (is_integer_type (column_types[i]))
      asked[i] = G_TYPE_INT64;
    else if (column_types[i] == GDA_TYPE_NULL || column_types[i] == G_TYPE_INVALID)
      asked[i] = 0; /* libgda chooses, from the values it reads */
    else if (!is_raw_type (column_types[i]))
      asked[i] = G_TYPE_STRING;
    else
      asked[i] = column_types[i];
  asked[n_columns] = G_TYPE_NONE;
  g_clear_object (&model);
  g_clear_error (&local_error);
  copy = gda_statement_copy (statement->statement);
  model = run_select (self, statement, copy, asked, &n_rows, &n_columns, error);
  if (model == NULL || (guint) n_columns != rows->n_columns)
    {
      if (model != NULL)
        g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                     "The columns of “%s” changed while it ran", statement->sql);
      gorm_rows_free (rows);
      return NULL;
    }
  rows->n_rows = n_rows;
  if (!copy_raw_model (rows, model, column_types, error))
    {
      g_prefix_error (error, "In the result of “%s”: ", statement->sql);
      gorm_rows_free (rows);
      return NULL;
    }
  return rows;
}

gboolean
gorm_connection_run_locked (GormConnection  *self,
                            const char      *sql,
                            GError         **error)
{
  GormStatement *statement = gorm_connection_lookup_locked (self, sql, error);

  return statement != NULL && gorm_connection_execute_locked (self, statement, error) >= 0;
}

gboolean
gorm_connection_read_change_counter_locked (GormConnection *self,
                                            gint64         *counter)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GdaDataModel) model = NULL;
  GormStatement *statement;
  const GValue *value;

  if (self->closed || self->connection == NULL || self->dialect == NULL ||
      self->dialect->change_counter_sql == NULL)
    return FALSE;
  statement = gorm_connection_lookup_locked (self, self->dialect->change_counter_sql, NULL);
  if (statement == NULL)
    return FALSE;
  model = gda_connection_statement_execute_select_full (self->connection, statement->statement,
                                                       statement->params,
                                                       GDA_STATEMENT_MODEL_RANDOM_ACCESS,
                                                       (GType *) types, NULL);
  value = model ? gda_data_model_get_value_at (model, 0, 0, NULL) : NULL;
  if (value == NULL || !G_VALUE_HOLDS_INT64 (value))
    return FALSE;
  *counter = g_value_get_int64 (value);
  return TRUE;
}

gboolean
gorm_connection_ensure_notify_locked (GormConnection  *self,
                                      const char      *table,
                                      GError         **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autofree char *trigger_sql = NULL;
  g_autoptr(GormRows) rows = NULL;
  GormStatement *statement;
  const GValue *count;
  GValue name = G_VALUE_INIT;

  if (!gorm_connection_check_locked (self, table, error))
    return FALSE;
  if (self->dialect->notify_channel == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "%s does not notify of changes", self->dialect->name);
      return FALSE;
    }
  statement = gorm_connection_lookup_locked (self, self->dialect->notify_trigger_count_sql, error);
  if (statement == NULL)
    return FALSE;
  g_value_init (&name, G_TYPE_STRING);
  g_value_set_string (&name, table);
  gorm_statement_take_param (statement, 0, &name);
  rows = gorm_connection_select_locked (self, statement, types, error);
  count = rows ? gorm_rows_get_value (rows, 0, 0, error) : NULL;
  if (count == NULL)
    return FALSE;
  if (g_value_get_int64 (count) > 0)
    return TRUE;

  trigger_sql = self->dialect->render_notify_trigger (table);
  return gorm_connection_run_locked (self, self->dialect->notify_function_sql, error) &&
         gorm_connection_run_locked (self, trigger_sql, error);
}

gboolean
gorm_connection_dup_conninfo_locked (GormConnection   *self,
                                     char           ***keywords,
                                     char           ***values)
{
  g_autoptr(GStrvBuilder) names = NULL;
  g_autoptr(GStrvBuilder) settings = NULL;
  PQconninfoOption *options;

  if (self->pgconn == NULL || (options = PQconninfo (self->pgconn)) == NULL)
    return FALSE;
  names = g_strv_builder_new ();
  settings = g_strv_builder_new ();
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    if (option->val != NULL && option->val[0] != '\0')
      {
        g_strv_builder_add (names, option->keyword);
        g_strv_builder_add (settings, option->val);
      }
  PQconninfoFree (options);
  *keywords = g_strv_builder_end (names);
  *values = g_strv_builder_end (settings);
  return TRUE;
}

char *
gorm_connection_dup_file_locked (GormConnection *self)
{
  static const GType types[] = { G_TYPE_STRING, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  GormStatement *statement;
  const GValue *file;

  if (self->closed || self->dialect == NULL || self->dialect->database_file_sql == NULL)
    return NULL;
  /* The handle names its file without a statement: a live model asks
   * from the thread that wants its first item, often the main one. */
  if (self->sqlite != NULL)
    {
      const char *name = sqlite3_db_filename (self->sqlite, "main");

      return name != NULL ? g_strdup (name) : NULL;
    }
  statement = gorm_connection_lookup_locked (self, self->dialect->database_file_sql, NULL);
  rows = statement ? gorm_connection_select_locked (self, statement, types, NULL) : NULL;
  file = rows && gorm_rows_get_n_rows (rows) > 0 ? gorm_rows_get_value (rows, 0, 0, NULL) : NULL;
  return file && G_VALUE_HOLDS_STRING (file) ? g_value_dup_string (file) : NULL;
}

gint
gorm_connection_get_backend_id (GormConnection *self)
{
  return g_atomic_int_get (&self->backend_pid);
}

gboolean
gorm_connection_import_value (const GValue *value,
                              GValue       *imported)
{
  const GdaBinary *binary;

  if (G_VALUE_HOLDS (value, GDA_TYPE_BLOB))
    binary = &((const GdaBlob *) g_value_get_boxed (value))->data;
  else if (G_VALUE_HOLDS (value, GDA_TYPE_BINARY))
    binary = g_value_get_boxed (value);
  else
    return FALSE;

  g_value_init (imported, G_TYPE_BYTES);
  g_value_take_boxed (imported, g_bytes_new (binary ? binary->data : NULL,
                                             binary && binary->binary_length > 0
                                               ? (gsize) binary->binary_length : 0));
  return TRUE;
}

/* Rows */

guint
gorm_rows_get_n_rows (GormRows *rows)
{
  return rows->n_rows;
}

guint
gorm_rows_get_n_columns (GormRows *rows)
{
  return rows->n_columns;
}

const char *
gorm_rows_get_column_name (GormRows *rows,
                           guint     column)
{
  return rows->names != NULL && column < rows->n_columns ? rows->names[column] : NULL;
}

static void
free_value (gpointer data)
{
  GValue *value = data;

  g_value_unset (value);
  g_free (value);
}


const GValue *
gorm_rows_get_value (GormRows  *rows,
                     guint      column,
                     guint      row,
                     GError   **error)
{
  static GValue null_value = G_VALUE_INIT;
  static gsize null_initialized;
  const GValue *value;
  const GdaBinary *binary;
  GValue *converted;
  gpointer key;
  GType type;

  if (row >= rows->n_rows || column >= rows->n_columns)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "No value at column %u of row %u: the result has %u rows of %u columns",
                   column, row, rows->n_rows, rows->n_columns);
      return NULL;
    }

  if (rows->blocks != NULL)
    return &block_row (rows, row)[column];
  if (rows->values != NULL)
    return &rows->values[(gsize) row * rows->n_columns + column];

  value = read_value (&rows->reader, column, row, error);
  if (value == NULL)
    return NULL;

  /* Exact type comparisons: these three types have no subtype, and
   * G_VALUE_HOLDS() walks the type hierarchy for each. */
  type = G_VALUE_TYPE (value);
  if (type == GDA_TYPE_NULL)
    {
      if (g_once_init_enter (&null_initialized))
        {
          g_value_init (&null_value, GORM_TYPE_SQL_NULL);
          g_once_init_leave (&null_initialized, 1);
        }
      return &null_value;
    }

  if (type == GDA_TYPE_BLOB)
    binary = &((const GdaBlob *) g_value_get_boxed (value))->data;
  else if (type == GDA_TYPE_BINARY)
    binary = g_value_get_boxed (value);
  else
    return value;

  key = GUINT_TO_POINTER ((row * rows->n_columns + column) + 1);
  if (rows->converted == NULL)
    rows->converted = g_hash_table_new_full (NULL, NULL, NULL, free_value);
  converted = g_hash_table_lookup (rows->converted, key);
  if (converted == NULL)
    {
      converted = g_new0 (GValue, 1);
      g_value_init (converted, G_TYPE_BYTES);
      g_value_take_boxed (converted, g_bytes_new (binary ? binary->data : NULL,
                                                  binary && binary->binary_length > 0
                                                    ? (gsize) binary->binary_length : 0));
      g_hash_table_insert (rows->converted, key, converted);
    }
  return converted;
}

void
gorm_rows_free (GormRows *rows)
{
  if (rows == NULL)
    return;
  g_clear_pointer (&rows->converted, g_hash_table_unref);
  g_clear_pointer (&rows->names, g_strfreev);
  g_clear_object (&rows->model);
  for (guint row = 0; rows->blocks != NULL && row < rows->n_rows; row++)
    {
      GValue *values = block_row (rows, row);

      for (guint column = 0; column < rows->n_columns; column++)
        if (G_IS_VALUE (&values[column]))
          g_value_unset (&values[column]);
      if (row % ROWS_BLOCK == ROWS_BLOCK - 1 || row == rows->n_rows - 1)
        g_free (rows->blocks[row / ROWS_BLOCK]);
    }
  g_clear_pointer (&rows->blocks, g_free);
  if (rows->values != NULL)
    {
      for (gsize i = 0; i < (gsize) rows->n_rows * rows->n_columns; i++)
        if (G_IS_VALUE (&rows->values[i]))
          g_value_unset (&rows->values[i]);
      g_free (rows->values);
    }
  g_free (rows);
}

/* Transactions */

static char *
savepoint_sql (const char *verb,
               guint       depth)
{
  return gorm_dialect_render_savepoint (verb, depth);
}

static gboolean
is_no_transaction (GormConnection *self,
                   const GError   *error)
{
  return error != NULL && self->dialect->no_transaction_message != NULL &&
         strstr (error->message, self->dialect->no_transaction_message) != NULL;
}

static void
end_transaction (GormConnection *self)
{
  g_atomic_int_set (&self->depth, 0);
  g_atomic_pointer_set (&self->transaction_thread, NULL);
  g_cond_broadcast (&self->transaction_ended);
}

/* Rolls the whole transaction back, whatever happened before: when the
 * engine says none is active (it rolled back itself), that is done too.
 * A ROLLBACK that fails otherwise is tried once more. The depth is 0
 * after it, and other threads may run. */
static gboolean
abandon_transaction (GormConnection  *self,
                     GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok = FALSE;

  /* The server ended the transaction with the connection. */
  if (self->broken)
    {
      end_transaction (self);
      return TRUE;
    }
  for (guint attempt = 0; !ok && attempt < 2; attempt++)
    {
      g_clear_error (&local_error);
      ok = gorm_connection_run_locked (self, "ROLLBACK", &local_error) ||
           is_no_transaction (self, local_error);
    }
  end_transaction (self);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

/* A read-only database begins without taking the write lock, which it
 * could never use (and which a read-only file refuses). */
static const char *
begin_sql (GormConnection *self)
{
  return self->read_only ? "BEGIN" : self->dialect->begin_sql;
}

gboolean
gorm_connection_begin_locked (GormConnection  *self,
                              const char      *name,
                              GError         **error)
{
  return gorm_connection_begin_for_locked (self, name, g_thread_self (), error);
}

gboolean
gorm_connection_begin_for_locked (GormConnection  *self,
                                  const char      *name,
                                  GThread         *owner,
                                  GError         **error)
{
  g_autofree char *savepoint = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!gorm_connection_check_locked (self, name, error))
    return FALSE;

  if (self->depth == 0)
    {
      if (!gorm_connection_run_locked (self, begin_sql (self), &local_error))
        {
          /* A transaction the engine still has open while the depth says
           * none (left by a failure libgorm could not undo) is rolled
           * back, and BEGIN tried once more. */
          if (!g_error_matches (local_error, GORM_ERROR, GORM_ERROR_FAILED) ||
              strstr (local_error->message, "within a transaction") == NULL ||
              !gorm_connection_run_locked (self, "ROLLBACK", NULL))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_clear_error (&local_error);
          if (!gorm_connection_run_locked (self, begin_sql (self), error))
            return FALSE;
        }
      g_atomic_pointer_set (&self->transaction_thread, owner);
    }
  else
    {
      savepoint = savepoint_sql ("SAVEPOINT", self->depth);
      if (!gorm_connection_run_locked (self, savepoint, error))
        return FALSE;
    }
  g_atomic_int_inc (&self->depth);
  return TRUE;
}

static gboolean
check_in_transaction (GormConnection  *self,
                      const char      *action,
                      const char      *name,
                      GError         **error)
{
  if (!gorm_connection_check_locked (self, name, error))
    return FALSE;
  if (self->depth > 0)
    return TRUE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
               "Cannot %s: no transaction is open on “%s”", action, name);
  return FALSE;
}

gboolean
gorm_connection_commit_locked (GormConnection  *self,
                               const char      *name,
                               GError         **error)
{
  g_autofree char *release = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!check_in_transaction (self, "commit", name, error))
    return FALSE;

  if (self->depth == 1)
    {
      if (gorm_connection_run_locked (self, "COMMIT", &local_error))
        {
          end_transaction (self);
          return TRUE;
        }
    }
  else
    {
      release = savepoint_sql ("RELEASE SAVEPOINT", self->depth - 1);
      if (gorm_connection_run_locked (self, release, &local_error))
        {
          g_atomic_int_add (&self->depth, -1);
          return TRUE;
        }
    }

  /* Whatever failed, the transaction ends here, rolled back: a COMMIT
   * refused (busy, a deferred constraint) leaves it open in the engine, a
   * disk full one has already rolled it back. */
  abandon_transaction (self, NULL);
  g_prefix_error (&local_error, "The transaction was rolled back: ");
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
gorm_connection_rollback_locked (GormConnection  *self,
                                 const char      *name,
                                 GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!check_in_transaction (self, "roll back", name, error))
    return FALSE;

  /* The server rolled the transaction back when the connection broke. */
  if (self->broken)
    {
      if (self->depth == 1)
        end_transaction (self);
      else
        g_atomic_int_add (&self->depth, -1);
      return TRUE;
    }

  if (self->depth == 1)
    {
      if (gorm_connection_run_locked (self, "ROLLBACK", &local_error) ||
          is_no_transaction (self, local_error))
        {
          end_transaction (self);
          return TRUE;
        }
    }
  else
    {
      g_autofree char *rollback = savepoint_sql ("ROLLBACK TO SAVEPOINT", self->depth - 1);
      g_autofree char *release = savepoint_sql ("RELEASE SAVEPOINT", self->depth - 1);

      if (gorm_connection_run_locked (self, rollback, &local_error) &&
          gorm_connection_run_locked (self, release, &local_error))
        {
          g_atomic_int_add (&self->depth, -1);
          return TRUE;
        }
    }

  abandon_transaction (self, NULL);
  g_prefix_error (&local_error, "The whole transaction was rolled back: ");
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
gorm_connection_close_locked (GormConnection  *self,
                              const char      *name,
                              GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok = TRUE;

  if (self->closed)
    return TRUE;

  if (self->depth > 0)
    {
      guint depth = self->depth;

      if (!abandon_transaction (self, &local_error))
        g_set_error (error, GORM_ERROR, local_error->code,
                     "Closing “%s”: the transaction left open (depth %u) could not be "
                     "rolled back: %s", name, depth, local_error->message);
      else
        g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                     "Closing “%s”: a transaction was left open (depth %u); it was rolled back",
                     name, depth);
      ok = FALSE;
    }

  self->closed = TRUE;
  forget_pgconn (self);
  self->sqlite = NULL;
  drop_statements (self);
  if (self->connection != NULL && self->owns_connection)
    gda_connection_close (self->connection);
  return ok;
}
