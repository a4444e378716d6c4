/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

#include "gorm-dialect-private.h"

G_BEGIN_DECLS

/*
 * The execution layer: the only code in libgorm that calls libgda. It
 * holds a database's GdaConnection, its statement cache, its one lock and
 * its transaction depth, and hands the rows of a select up as an owned
 * GormRows, whose API has no libgda type.
 *
 * Statements are SQL text parsed once per connection, in
 * GDA_SQL_PARSER_MODE_DELIMIT, into a GdaStatement and its parameter
 * holders, kept in a cache keyed by the text. libgda never interprets
 * them, so BEGIN, COMMIT and SAVEPOINT stay invisible to its transaction
 * tracking, whose per-statement bookkeeping grows without bound.
 *
 * Values cross this layer as libgorm's SQL values (gorm-value-private.h):
 * SQL NULL is a GValue of GORM_TYPE_SQL_NULL, a BLOB a GBytes. The
 * GdaBinary libgda binds and returns exists only in gorm-connection.c.
 *
 * Every GError it returns is in the GORM_ERROR domain, its code chosen by
 * the dialect, libgda's message kept.
 *
 * Lock discipline
 * ---------------
 * A connection has one lock: a plain GMutex, never taken twice by one
 * thread. gorm_connection_lock() takes it, gorm_connection_unlock()
 * releases it; a function whose name ends in _locked is called with it
 * held, by the thread that took it, and never takes or releases it. The
 * GormStatement and GormRows functions below, although not named so, also
 * need it held: a statement's holders and a result belong to the thread
 * holding the lock.
 *
 * An open transaction belongs to the thread that began it: between its
 * BEGIN and its last COMMIT or ROLLBACK that thread does not hold the
 * mutex (it takes it around each statement, like any caller), but any
 * other thread's gorm_connection_lock() waits, on a condition, until the
 * transaction ends. So nothing of another thread ever runs inside a
 * transaction, and the owner itself never waits for its own transaction.
 *
 * When COMMIT, RELEASE SAVEPOINT or ROLLBACK fails, the whole transaction
 * is rolled back (SQLite may already have done it: its "no transaction is
 * active" counts as done), the depth is 0 and the transaction no longer
 * belongs to any thread, so the next call works.
 */

typedef struct _GormConnection GormConnection;
typedef struct _GormStatement GormStatement;
typedef struct _GormRows GormRows;

/* Called with the SQL text of every statement run, for logging and tests. */
typedef void (*GormTraceFunc) (const char *sql,
                               gpointer    user_data);

/* Life cycle; none of these needs the lock. */
GormConnection     *gorm_connection_new             (void);
void                gorm_connection_free            (GormConnection      *self);
/* The GType of GdaConnection, for the database's property. */
GType               gorm_connection_gda_type        (void);

/* Called with the lock held. Opening runs the dialect's open statements;
 * @error is GORM_ERROR_CONNECTION, with libgda's message. */
gboolean            gorm_connection_open_locked     (GormConnection      *self,
                                                     const char          *provider,
                                                     const char          *cnc_string,
                                                     const char          *auth_string,
                                                     gboolean             read_only,
                                                     GError             **error);
/* Wraps a GdaConnection (a GObject) the application opened; it is never
 * closed by libgorm. */
void                gorm_connection_adopt_locked    (GormConnection      *self,
                                                     GObject             *gda_connection);
/* Rolls back an open transaction (reported in @error, which is then
 * GORM_ERROR_FAILED naming it), drops the statements and closes a
 * connection libgorm opened. Every later statement fails with
 * GORM_ERROR_CONNECTION. */
gboolean            gorm_connection_close_locked    (GormConnection      *self,
                                                     const char          *name,
                                                     GError             **error);

/* Read without the lock: set once, before the database is shared. */
GObject            *gorm_connection_get_gda         (GormConnection      *self);
const char         *gorm_connection_get_provider    (GormConnection      *self);
/* "PROVIDER:CONNECTION-STRING", for a connection the application gave. */
char               *gorm_connection_describe        (GormConnection      *self);
/* NULL when libgorm has no dialect for the provider. */
const GormDialect  *gorm_connection_get_dialect     (GormConnection      *self);
gboolean            gorm_connection_is_closed       (GormConnection      *self);

/* The lock. */
void                gorm_connection_lock            (GormConnection      *self);
void                gorm_connection_unlock          (GormConnection      *self);
/* Takes the lock only when that needs no wait: FALSE, without waiting,
 * when another thread holds it or has a transaction open. For a thread
 * that must never block on the database (the change listener). */
gboolean            gorm_connection_try_lock        (GormConnection      *self);
/* Whether the calling thread holds the lock: code that would call out to
 * the application (a notification, a signal) holds that back until the
 * lock is released, since the application may call libgorm again. */
gboolean            gorm_connection_held_by_self    (GormConnection      *self);
/* Whether the calling thread owns the open transaction. Needs no lock:
 * only the owner can make it TRUE or FALSE for itself. */
gboolean            gorm_connection_in_own_transaction (GormConnection   *self);

void                gorm_connection_set_trace_locked (GormConnection     *self,
                                                     GormTraceFunc        func,
                                                     gpointer             user_data);
guint               gorm_connection_get_n_statements_locked (GormConnection *self);

/* The usable connection, or GORM_ERROR_CONNECTION naming @name when it is
 * closed, not open, or has no dialect. */
gboolean            gorm_connection_check_locked    (GormConnection      *self,
                                                     const char          *name,
                                                     GError             **error);

/* Statements. */
GormStatement      *gorm_connection_lookup_locked   (GormConnection      *self,
                                                     const char          *sql,
                                                     GError             **error);
/* Looks up a write (INSERT, UPDATE, DELETE) or a SELECT as
 * gorm_connection_lookup_locked() does, for a statement whose parameters
 * are numbered ##p0 to ##pN-1 in the dialect's form: while statements run
 * on the sqlite3 handle (gorm_connection_runs_directly_locked()), without
 * libgda's parser, whose time grows with the square of the parameters (a
 * few thousand take seconds) and which costs a SELECT of a new shape as
 * much as running it a few times. Such a statement is prepared on the
 * handle from its text, its parameters bound by their numbers, and
 * behaves as any other (trace, injected faults, errors); libgda parses it
 * only if it is ever to run it (a SELECT whose columns the handle does
 * not read, see gorm_connection_select_locked()). */
GormStatement      *gorm_connection_lookup_direct_locked (GormConnection *self,
                                                          const char     *sql,
                                                          GError        **error);
/* Whether libgda parsed @statement: FALSE for one of
 * gorm_connection_lookup_direct_locked() that libgda never ran. For
 * tests. */
gboolean            gorm_statement_is_parsed        (GormStatement       *statement);
guint               gorm_statement_get_n_params     (GormStatement       *statement);
const char         *gorm_statement_get_sql          (GormStatement       *statement);
/* Bind @value (a libgorm SQL value, not NULL) as parameter @number,
 * taking it: @value is left unset. */
void                gorm_statement_take_param       (GormStatement       *statement,
                                                     guint                number,
                                                     GValue              *value);
/* Binds @values in order, skipping SQL NULLs, which the dialect wrote
 * into the SQL as literals. */
void                gorm_statement_take_params      (GormStatement       *statement,
                                                     GValue              *values,
                                                     guint                n_values);
/* Rows changed, or -1 with @error set. */
gint64              gorm_connection_execute_locked  (GormConnection      *self,
                                                     GormStatement       *statement,
                                                     GError             **error);
/* @column_types: libgorm SQL value types, G_TYPE_NONE terminated, or NULL. */
GormRows           *gorm_connection_select_locked   (GormConnection      *self,
                                                     GormStatement       *statement,
                                                     const GType         *column_types,
                                                     GError             **error);
/* Runs a select the application wrote, whose column types libgorm does
 * not know: the values are gint64 for every integer (SQLite's beyond 32
 * bits too), gdouble for reals, a numeric as a gint64 when it has no
 * fractional part and fits, else a gdouble, text, GBytes, gboolean, a
 * GDateTime for a timestamp, SQL NULL, and other types as their text.
 * The rows have their column names (gorm_rows_get_column_name()). A
 * statement may run twice: libgda picks a column's type from its first
 * values, and a wrong pick is run again asking for the right one. */
GormRows           *gorm_connection_select_raw_locked (GormConnection  *self,
                                                       GormStatement   *statement,
                                                       GError         **error);
/* The key the engine gave the last row inserted on the connection (of a
 * multi-row INSERT, its last row), for a dialect with last_insert_id_sql:
 * read from SQLite itself when the connection's sqlite3 handle was found
 * and checked as it opened, else by running last_insert_id_sql. */
gboolean            gorm_connection_last_insert_id_locked (GormConnection *self,
                                                           gint64         *id,
                                                           GError        **error);
/* Whether gorm_connection_last_insert_id_locked() reads the key without a
 * statement. */
gboolean            gorm_connection_reads_insert_id_locked (GormConnection *self);
/* Statements on SQLite's own handle: gorm_connection_select_locked() runs
 * a SELECT whose column types it is given (gint64, gdouble, text, GBytes,
 * gboolean), and gorm_connection_execute_locked() an INSERT, UPDATE or
 * DELETE returning no rows, or a transaction's BEGIN, COMMIT, ROLLBACK,
 * SAVEPOINT or RELEASE, on the sqlite3 handle found and checked as the
 * connection opened, without libgda's data model and holders' handling,
 * giving the same values, NULLs, rows changed and errors; other
 * statements, and every statement when there is no such handle, run
 * through libgda. GORM_DEBUG=gda-statements (or its first name,
 * gda-select) turns it off for a connection opened from then on; tests
 * turn it off and on here, and count the selects and writes run so. */
void                gorm_connection_set_direct_locked (GormConnection *self,
                                                       gboolean        enabled);
/* Whether statements run on the sqlite3 handle now. */
gboolean            gorm_connection_runs_directly_locked (GormConnection *self);
guint               gorm_connection_get_n_direct_selects_locked (GormConnection *self);
guint               gorm_connection_get_n_direct_writes_locked (GormConnection *self);
/* Parses (cached) and runs @sql, without parameters. */
gboolean            gorm_connection_run_locked      (GormConnection      *self,
                                                     const char          *sql,
                                                     GError             **error);

/* Reads the dialect's change counter (its change_counter_sql), a number
 * that changes when another connection commits, into @counter. Not
 * traced: a listener polls it. FALSE when the dialect has none, the
 * connection is closed, or the read fails. */
gboolean            gorm_connection_read_change_counter_locked (GormConnection *self,
                                                               gint64         *counter);
/* Makes the engine notify listeners of every commit that writes to
 * @table (the dialect's notify trigger, created once). FALSE with @error
 * set when it cannot (no rights to create it, no notifications). */
gboolean            gorm_connection_ensure_notify_locked (GormConnection  *self,
                                                         const char      *table,
                                                         GError         **error);
/* The file of the database (the dialect's database_file_sql), or NULL
 * when it has none (in memory, a server). */
char               *gorm_connection_dup_file_locked (GormConnection      *self);
/* What a listener's connection of its own to the same server and
 * database is opened with: libpq's keywords and values (free both with
 * g_strfreev()). FALSE when the connection has no libpq connection. */
gboolean            gorm_connection_dup_conninfo_locked (GormConnection   *self,
                                                        char           ***keywords,
                                                        char           ***values);
/* The id of the server process of the connection (0 when none): a
 * listener ignores the notifications of its own connection's commits.
 * Needs no lock. */
gint                gorm_connection_get_backend_id  (GormConnection      *self);
/* A value an application gave in one of libgda's own types (GdaBinary,
 * GdaBlob) as libgorm's (GBytes) in @imported; FALSE, @imported left
 * unset, for any other value. Needs no lock. */
gboolean            gorm_connection_import_value    (const GValue        *value,
                                                     GValue              *imported);

/* Rows of a select, owned by the caller, read with the lock held. */
guint               gorm_rows_get_n_rows            (GormRows            *rows);
guint               gorm_rows_get_n_columns         (GormRows            *rows);
/* The name of @column, for the rows of gorm_connection_select_raw_locked()
 * only (NULL for others). */
const char         *gorm_rows_get_column_name       (GormRows            *rows,
                                                     guint                column);
/* The value of @column in @row (in that order, as libgda's model does),
 * valid until @rows is freed: a libgorm SQL value. NULL with @error set
 * (GORM_ERROR) when out of range or unreadable. */
const GValue       *gorm_rows_get_value             (GormRows            *rows,
                                                     guint                column,
                                                     guint                row,
                                                     GError             **error);
void                gorm_rows_free                  (GormRows            *rows);

/* Transactions: BEGIN or SAVEPOINT, COMMIT or RELEASE, ROLLBACK or
 * ROLLBACK TO, sent as untracked statements. @name names the database in
 * errors. */
gboolean            gorm_connection_begin_locked    (GormConnection      *self,
                                                     const char          *name,
                                                     GError             **error);
/* Begins a transaction that belongs to @owner: an async begin runs on
 * the worker for the thread that asked for it. */
gboolean            gorm_connection_begin_for_locked (GormConnection     *self,
                                                     const char          *name,
                                                     GThread             *owner,
                                                     GError             **error);
gboolean            gorm_connection_commit_locked   (GormConnection      *self,
                                                     const char          *name,
                                                     GError             **error);
gboolean            gorm_connection_rollback_locked (GormConnection      *self,
                                                     const char          *name,
                                                     GError             **error);
/* Needs no lock to be read as a hint; exact with the lock held. */
guint               gorm_connection_get_depth       (GormConnection      *self);

/* Asks the server to cancel the statement the connection runs, if any;
 * needs no lock, and may be called from any thread. FALSE with @error
 * (GORM_ERROR_CONNECTION) when the engine or libgorm cannot. */
gboolean            gorm_connection_cancel          (GormConnection      *self,
                                                     GError             **error);
/* Sets what cancels the statements the connection runs from now on
 * (NULL: nothing) and returns what did: a statement whose cancellable is
 * cancelled before it starts fails with G_IO_ERROR_CANCELLED, and on
 * PostgreSQL a cancellation while it runs stops it on the server, the
 * statement then failing with G_IO_ERROR_CANCELLED. Not owned: the
 * caller sets the previous one back before it lets go of @cancellable
 * and of the lock. */
GCancellable       *gorm_connection_swap_cancellable_locked (GormConnection *self,
                                                             GCancellable   *cancellable);

/* Fault injection, for tests: the next statement starting with @prefix
 * ("COMMIT", "RELEASE", "ROLLBACK") does not run and fails with @code,
 * as the engine's error would. %NULL clears it. */
void                gorm_connection_inject_fault    (GormConnection      *self,
                                                     const char          *prefix,
                                                     GormError            code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormRows, gorm_rows_free)

G_END_DECLS
