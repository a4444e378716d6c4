/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "gorm-error.h"
#include "gorm-key-reader-private.h"
#include "gorm-value-private.h"

struct _GormKeySource
{
  /* An SQLite file, or PostgreSQL's libpq parameters. */
  char  *file;
  char **keywords;
  char **values;
};

struct _GormKeyReader
{
  sqlite3 *sqlite;
  PGconn  *pg;
  /* Whether a transaction is open. */
  gboolean pinned;
  /* What cancels a read, from any thread, under cancel_lock. */
  GMutex    cancel_lock;
  PGcancel *pgcancel;
  gboolean  cancelled;
};

GormKeySource *
gorm_key_source_new_locked (GormConnection *connection)
{
  GormKeySource *source = g_new0 (GormKeySource, 1);

  source->file = gorm_connection_dup_file_locked (connection);
  if (source->file != NULL && source->file[0] != '\0')
    return source;
  g_clear_pointer (&source->file, g_free);
  if (gorm_connection_dup_conninfo_locked (connection, &source->keywords, &source->values))
    return source;
  g_free (source);
  return NULL;
}

gboolean
gorm_key_source_is_file (const GormKeySource *source)
{
  return source->file != NULL;
}

void
gorm_key_source_free (GormKeySource *source)
{
  g_free (source->file);
  g_strfreev (source->keywords);
  g_strfreev (source->values);
  g_free (source);
}

static gboolean
sqlite_failed (GormKeyReader  *self,
               int             code,
               const char     *what,
               GError        **error)
{
  if (code == SQLITE_INTERRUPT)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The read of the keys was cancelled");
  else
    g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "Cannot %s: %s", what,
                 self->sqlite ? sqlite3_errmsg (self->sqlite) : sqlite3_errstr (code));
  return FALSE;
}

static gboolean
sqlite_exec (GormKeyReader  *self,
             const char     *sql,
             GError        **error)
{
  int code = sqlite3_exec (self->sqlite, sql, NULL, NULL, NULL);

  return code == SQLITE_OK || sqlite_failed (self, code, sql, error);
}

static gboolean
pg_exec (GormKeyReader  *self,
         const char     *sql,
         GError        **error)
{
  PGresult *result = PQexec (self->pg, sql);
  gboolean ok = PQresultStatus (result) == PGRES_COMMAND_OK ||
                PQresultStatus (result) == PGRES_TUPLES_OK;

  if (!ok)
    g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "Cannot run “%s”: %s", sql,
                 PQresultErrorMessage (result));
  PQclear (result);
  return ok;
}

/* SQLite's sorter may sort in helper threads (PRAGMA threads, 0 by
 * default): the key select of an order no index gives is one scan and
 * one sort of every row's order values, and the sort runs on the other
 * processors. A million keys by "rating" DESC, "title" on 2 processors,
 * sqlite3 shell, quiet machine: 0.87-0.95 s of wall time without,
 * 0.64-0.81 s with (1.0-1.1 s of CPU instead of 0.86-0.95). A failure
 * only leaves the sort in one thread. */
static void
set_sorter_threads (GormKeyReader *self)
{
  guint processors = g_get_num_processors ();
  g_autofree char *sql = g_strdup_printf ("PRAGMA threads=%u",
                                          processors > 1 ? MIN (processors, 4) : 0);

  sqlite3_exec (self->sqlite, sql, NULL, NULL, NULL);
}

GormKeyReader *
gorm_key_reader_open (const GormKeySource  *source,
                      GError              **error)
{
  GormKeyReader *self = g_new0 (GormKeyReader, 1);

  g_mutex_init (&self->cancel_lock);
  if (source->file != NULL)
    {
      sqlite3_stmt *statement = NULL;
      gboolean wal = FALSE;
      int code = sqlite3_open_v2 (source->file, &self->sqlite,
                                  SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

      if (code != SQLITE_OK)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open a read connection to “%s”: %s", source->file,
                       self->sqlite ? sqlite3_errmsg (self->sqlite) : sqlite3_errstr (code));
          gorm_key_reader_free (self);
          return NULL;
        }
      sqlite3_busy_timeout (self->sqlite, 5000);
      /* A reader of a file in another journal mode would hold off the
       * writers for as long as it reads. */
      if (sqlite3_prepare_v2 (self->sqlite, "PRAGMA journal_mode", -1, &statement, NULL) == SQLITE_OK &&
          sqlite3_step (statement) == SQLITE_ROW)
        wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (statement, 0), "wal") == 0;
      sqlite3_finalize (statement);
      if (!wal)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "“%s” is not in WAL mode: a reader would block its writers", source->file);
          gorm_key_reader_free (self);
          return NULL;
        }
      set_sorter_threads (self);
      return self;
    }

  self->pg = PQconnectdbParams ((const char * const *) source->keywords,
                                (const char * const *) source->values, FALSE);
  if (PQstatus (self->pg) != CONNECTION_OK)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open a read connection: %s", PQerrorMessage (self->pg));
      gorm_key_reader_free (self);
      return NULL;
    }
  self->pgcancel = PQgetCancel (self->pg);
  return self;
}

gboolean
gorm_key_reader_pin (GormKeyReader  *self,
                     const char     *table,
                     GError        **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT 1 FROM ");
  gboolean ok;

  g_return_val_if_fail (!self->pinned, FALSE);

  /* The quoting of both engines. */
  g_string_append_c (sql, '"');
  for (const char *c = table; *c != '\0'; c++)
    {
      if (*c == '"')
        g_string_append_c (sql, '"');
      g_string_append_c (sql, *c);
    }
  g_string_append (sql, "\" LIMIT 1");

  if (self->sqlite != NULL)
    {
      /* WAL: a read transaction takes its snapshot at its first read. */
      ok = sqlite_exec (self, "BEGIN", error) && sqlite_exec (self, sql->str, error);
      if (!ok)
        sqlite3_exec (self->sqlite, "ROLLBACK", NULL, NULL, NULL);
    }
  else
    {
      /* REPEATABLE READ: the snapshot of the first statement after BEGIN. */
      ok = pg_exec (self, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", error) &&
           pg_exec (self, sql->str, error);
      if (!ok)
        pg_exec (self, "ROLLBACK", NULL);
    }
  self->pinned = ok;
  return ok;
}

/* @sql with the dialect's ##pN::type[::null] as ?N+1 (SQLite) or $N+1. */
static char *
engine_sql (const char *sql,
            char        mark)
{
  GString *out = g_string_new (NULL);

  while (*sql != '\0')
    {
      const char *at = strstr (sql, "##p");
      guint64 number;
      char *end;

      if (at == NULL || !g_ascii_isdigit (at[3]))
        {
          g_string_append (out, sql);
          break;
        }
      g_string_append_len (out, sql, at - sql);
      number = g_ascii_strtoull (at + 3, &end, 10);
      g_string_append_printf (out, "%c%" G_GUINT64_FORMAT, mark, number + 1);
      /* ::type and ::null */
      while (end[0] == ':' && end[1] == ':')
        {
          end += 2;
          while (g_ascii_isalnum (*end) || *end == '_')
            end++;
        }
      sql = end;
    }
  return g_string_free (out, FALSE);
}

static gboolean
sqlite_bind (GormKeyReader  *self,
             sqlite3_stmt   *statement,
             int             number,
             const GValue   *value,
             GError        **error)
{
  int code;

  if (G_VALUE_HOLDS_INT64 (value))
    code = sqlite3_bind_int64 (statement, number, g_value_get_int64 (value));
  else if (G_VALUE_HOLDS_DOUBLE (value))
    code = sqlite3_bind_double (statement, number, g_value_get_double (value));
  else if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    code = sqlite3_bind_text (statement, number, g_value_get_string (value), -1, SQLITE_TRANSIENT);
  else if (G_VALUE_HOLDS_BOOLEAN (value))
    code = sqlite3_bind_int64 (statement, number, g_value_get_boolean (value));
  else if (G_VALUE_HOLDS (value, G_TYPE_BYTES) && g_value_get_boxed (value) != NULL)
    {
      gsize size;
      gconstpointer data = g_bytes_get_data (g_value_get_boxed (value), &size);

      code = sqlite3_bind_blob64 (statement, number, data ? data : "", size, SQLITE_TRANSIENT);
    }
  else
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "A key reader binds integers, reals, text and blobs only");
      return FALSE;
    }
  return code == SQLITE_OK || sqlite_failed (self, code, "bind a parameter", error);
}

static gboolean
sqlite_read (GormKeyReader  *self,
             const char     *sql,
             const GValue   *params,
             guint           n_params,
             GArray         *keys,
             GError        **error)
{
  g_autofree char *text = engine_sql (sql, '?');
  sqlite3_stmt *statement = NULL;
  int code = sqlite3_prepare_v2 (self->sqlite, text, -1, &statement, NULL);
  int number = 1;

  if (code != SQLITE_OK)
    return sqlite_failed (self, code, "prepare the keys' select", error);
  for (guint i = 0; i < n_params; i++)
    {
      if (gorm_value_is_sql_null (&params[i]))
        continue;
      if (!sqlite_bind (self, statement, number++, &params[i], error))
        {
          sqlite3_finalize (statement);
          return FALSE;
        }
    }
  while ((code = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 key;

      if (sqlite3_column_type (statement, 0) != SQLITE_INTEGER)
        {
          sqlite3_finalize (statement);
          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "A key read by “%s” is not an integer", sql);
          return FALSE;
        }
      key = sqlite3_column_int64 (statement, 0);
      g_array_append_val (keys, key);
    }
  sqlite3_finalize (statement);
  return code == SQLITE_DONE || sqlite_failed (self, code, "read the keys", error);
}

/* A libgorm SQL value as PostgreSQL's text input of a parameter whose
 * type the server infers. */
static char *
pg_text (const GValue  *value,
         GError       **error)
{
  if (G_VALUE_HOLDS_INT64 (value))
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_value_get_int64 (value));
  if (G_VALUE_HOLDS_DOUBLE (value))
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, g_value_get_double (value)));
    }
  if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    return g_value_dup_string (value);
  if (G_VALUE_HOLDS_BOOLEAN (value))
    return g_strdup (g_value_get_boolean (value) ? "true" : "false");
  /* A filter on a blob: the model keeps loading its pages by position. */
  g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
               "A PostgreSQL key reader binds integers, reals and text only");
  return NULL;
}

static gboolean
pg_read (GormKeyReader  *self,
         const char     *sql,
         const GValue   *params,
         guint           n_params,
         GArray         *keys,
         GError        **error)
{
  g_autofree char *text = engine_sql (sql, '$');
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  PGresult *result;
  gboolean ok = TRUE;
  gint n_rows;

  for (guint i = 0; i < n_params; i++)
    {
      char *param;

      if (gorm_value_is_sql_null (&params[i]))
        continue;
      param = pg_text (&params[i], error);
      if (param == NULL)
        return FALSE;
      g_ptr_array_add (texts, param);
    }
  /* In binary: eight bytes a key, no text to parse. */
  result = PQexecParams (self->pg, text, (int) texts->len, NULL,
                         (const char * const *) texts->pdata, NULL, NULL, 1);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);

      if (g_strcmp0 (state, "57014") == 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The read of the keys was cancelled");
      else
        g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "Cannot read the keys: %s",
                     PQresultErrorMessage (result));
      PQclear (result);
      return FALSE;
    }
  n_rows = PQntuples (result);
  for (gint row = 0; ok && row < n_rows; row++)
    {
      const guchar *bytes = (const guchar *) PQgetvalue (result, row, 0);
      int length = PQgetlength (result, row, 0);
      guint64 bits = 0;
      gint64 key;

      if (PQgetisnull (result, row, 0) || (length != 8 && length != 4))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "A key read by “%s” is not an integer", sql);
          ok = FALSE;
          break;
        }
      for (int i = 0; i < length; i++)
        bits = bits << 8 | bytes[i];
      key = length == 8 ? (gint64) bits : (gint64) (gint32) (guint32) bits;
      g_array_append_val (keys, key);
    }
  PQclear (result);
  return ok;
}

gboolean
gorm_key_reader_read (GormKeyReader  *self,
                      const char     *sql,
                      const GValue   *params,
                      guint           n_params,
                      GArray         *keys,
                      GError        **error)
{
  gboolean ok;

  g_mutex_lock (&self->cancel_lock);
  ok = !self->cancelled;
  g_mutex_unlock (&self->cancel_lock);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The read of the keys was cancelled");
  else if (self->sqlite != NULL)
    ok = sqlite_read (self, sql, params, n_params, keys, error);
  else
    ok = pg_read (self, sql, params, n_params, keys, error);

  if (self->pinned)
    {
      if (self->sqlite != NULL)
        sqlite3_exec (self->sqlite, "COMMIT", NULL, NULL, NULL);
      else
        pg_exec (self, "COMMIT", NULL);
      self->pinned = FALSE;
    }
  return ok;
}

void
gorm_key_reader_cancel (GormKeyReader *self)
{
  char message[256];

  g_mutex_lock (&self->cancel_lock);
  self->cancelled = TRUE;
  /* Both may be called while another thread reads. */
  if (self->sqlite != NULL)
    sqlite3_interrupt (self->sqlite);
  if (self->pgcancel != NULL)
    PQcancel (self->pgcancel, message, sizeof message);
  g_mutex_unlock (&self->cancel_lock);
}

void
gorm_key_reader_free (GormKeyReader *self)
{
  /* gorm_key_reader_cancel() may run in another thread meanwhile. */
  g_mutex_lock (&self->cancel_lock);
  g_clear_pointer (&self->pgcancel, PQfreeCancel);
  g_clear_pointer (&self->sqlite, sqlite3_close);
  g_mutex_unlock (&self->cancel_lock);
  g_clear_pointer (&self->pg, PQfinish);
  g_mutex_clear (&self->cancel_lock);
  g_free (self);
}
