/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "gorm-error.h"
#include "gorm-key-reader-private.h"
#include "gorm-value-private.h"

/* The server-side cursor of a PostgreSQL read: libpq holds a whole
 * result in the client's memory, which for two integer columns of a
 * million rows was 110 MB of peak RSS (69 MB for the key alone); a
 * batch of PG_BATCH_ROWS rows is a few megabytes, at one round trip
 * per batch. GORM_KEY_READ_BATCH_ROWS sets another size, for tests. */
#define PG_CURSOR "gorm_keys"
#define PG_BATCH_ROWS 65536
/* The most bytes of text a reader's own sort (GormKeySort) holds, all
 * its text terms together: beyond, it reads the engine's sorted select,
 * whose sorter spills to temporary files, instead. A million titles of
 * up to 26 bytes are 24.6 MiB, beside 9 bytes a row for each number and
 * the key, 5 for each text and 8 for the sort's order: the
 * sort of "rating" DESC, "title" grew the peak RSS by 60 MB, and issue 18
 * allows a model 64 MB. GORM_KEY_SORT_TEXT_BYTES sets another size, for
 * tests. */
#define SORT_TEXT_BYTES (28 << 20)

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
  /* The rows of a PostgreSQL cursor's batch. */
  guint    batch_rows;
  /* The most bytes of text an SQLite reader's own sort holds. */
  gsize    sort_text_bytes;
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

/* The reader's transaction on PostgreSQL: a snapshot of its own, and a
 * planner told that every row of a cursor is read. A cursor is planned
 * for its first cursor_tuple_fraction of rows (0.1 by default), so an
 * order that an index on its first column gives in part ("views" DESC,
 * "id" DESC with an index on views) became an index scan and an
 * incremental sort: a random heap read per row. A million keys, server
 * CPU of the backend: 3.41-3.50 s so, 0.64-0.71 s as a sequential scan
 * and one sort. Orders no index serves keep their plan (0.73-0.77 s by
 * rating). Nor is a key select worth compiling (JIT): its cost passes
 * jit_above_cost, and the DECLARE of a new connection took 20-38 ms
 * with it, 0.8-1.0 ms without. SET LOCAL ends with the transaction, on
 * this connection only. A larger work_mem (an in-memory quicksort
 * instead of an external merge) cost more CPU there: 0.85-0.88 s at
 * 128-256 MB. */
#define PG_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; " \
                 "SET LOCAL cursor_tuple_fraction = 1; SET LOCAL jit = off"

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
  guint64 batch, text_bytes;

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
      text_bytes = g_ascii_strtoull (g_getenv ("GORM_KEY_SORT_TEXT_BYTES") ?: "0", NULL, 10);
      self->sort_text_bytes = text_bytes > 0 ? (gsize) MIN (text_bytes, G_MAXUINT32)
                                             : SORT_TEXT_BYTES;
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
  batch = g_ascii_strtoull (g_getenv ("GORM_KEY_READ_BATCH_ROWS") ?: "0", NULL, 10);
  self->batch_rows = batch > 0 ? (guint) MIN (batch, G_MAXINT) : PG_BATCH_ROWS;
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
      /* REPEATABLE READ: the snapshot of the first statement after BEGIN
       * that needs one (SET takes none), the select here. */
      ok = pg_exec (self, PG_BEGIN, error) &&
           pg_exec (self, sql->str, error);
      if (!ok)
        pg_exec (self, "ROLLBACK", NULL);
    }
  self->pinned = ok;
  return ok;
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

/* The rows of one select of integer columns, read in order: an SQLite
 * statement stepped, or a PostgreSQL cursor fetched in binary, a batch
 * of rows at a time. */
typedef struct
{
  GormKeyReader *reader;
  const char    *sql;
  sqlite3_stmt  *statement;
  /* The batch being read, and whether the cursor (PG_CURSOR) is open
   * on the server and may hold rows after it. */
  PGresult      *result;
  gint           row;
  gboolean       declared;
} Cursor;

static void
cursor_close (Cursor *cursor)
{
  g_clear_pointer (&cursor->statement, sqlite3_finalize);
  g_clear_pointer (&cursor->result, PQclear);
  /* Never left open: the read's next select declares it again. After a
   * failure the transaction is aborted and this fails too, harmlessly:
   * the transaction's end closes the cursor. */
  if (cursor->declared)
    PQclear (PQexec (cursor->reader->pg, "CLOSE " PG_CURSOR));
  cursor->declared = FALSE;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cursor, cursor_close)

/* Sets @error from a failed read of the keys on PostgreSQL. */
static void
pg_read_failed (PGresult  *result,
                GError   **error)
{
  const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);

  if (g_strcmp0 (state, "57014") == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The read of the keys was cancelled");
  else
    g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "Cannot read the keys: %s",
                 PQresultErrorMessage (result));
}

/* Runs @sql with @params bound in order (a SQL NULL is a literal in the
 * SQL and skipped). */
static gboolean
cursor_open (Cursor         *cursor,
             GormKeyReader  *self,
             const char     *sql,
             const GValue   *params,
             guint           n_params,
             GError        **error)
{
  g_autofree char *text = gorm_dialect_number_parameters (sql, self->sqlite != NULL ? '?' : '$',
                                                          NULL);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *declaration = NULL;
  PGresult *result;
  int code;
  int number = 1;

  *cursor = (Cursor) { self, sql, NULL, NULL, -1, FALSE };
  if (self->sqlite != NULL)
    {
      code = sqlite3_prepare_v2 (self->sqlite, text, -1, &cursor->statement, NULL);
      if (code != SQLITE_OK)
        return sqlite_failed (self, code, "prepare the keys' select", error);
      for (guint i = 0; i < n_params; i++)
        if (!gorm_value_is_sql_null (&params[i]) &&
            !sqlite_bind (self, cursor->statement, number++, &params[i], error))
          return FALSE;
      return TRUE;
    }

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
  /* A cursor lives in a transaction: a pinned read has one. */
  if (!self->pinned && !pg_exec (self, PG_BEGIN, error))
    return FALSE;
  self->pinned = TRUE;
  declaration = g_strconcat ("DECLARE " PG_CURSOR " NO SCROLL CURSOR FOR ", text, NULL);
  result = PQexecParams (self->pg, declaration, (int) texts->len, NULL,
                         (const char * const *) texts->pdata, NULL, NULL, 1);
  cursor->declared = PQresultStatus (result) == PGRES_COMMAND_OK;
  if (!cursor->declared)
    pg_read_failed (result, error);
  PQclear (result);
  return cursor->declared;
}

/* Fetches the cursor's next batch: FALSE with @error set on failure. */
static gboolean
cursor_fetch (Cursor  *cursor,
              GError **error)
{
  g_autofree char *fetch = g_strdup_printf ("FETCH %u FROM " PG_CURSOR,
                                            cursor->reader->batch_rows);

  g_clear_pointer (&cursor->result, PQclear);
  cursor->row = -1;
  /* In binary: eight bytes a key, no text to parse. */
  cursor->result = PQexecParams (cursor->reader->pg, fetch, 0, NULL, NULL, NULL, NULL, 1);
  if (PQresultStatus (cursor->result) == PGRES_TUPLES_OK)
    return TRUE;
  pg_read_failed (cursor->result, error);
  return FALSE;
}

/* Moves to the next row: FALSE at the end, or with @error set. */
static gboolean
cursor_next (Cursor  *cursor,
             GError **error)
{
  int code;

  if (cursor->statement == NULL)
    {
      if (cursor->result != NULL && ++cursor->row < PQntuples (cursor->result))
        return TRUE;
      /* A short batch was the last. */
      if (cursor->result != NULL &&
          PQntuples (cursor->result) < (int) cursor->reader->batch_rows)
        return FALSE;
      return cursor_fetch (cursor, error) && ++cursor->row < PQntuples (cursor->result);
    }
  code = sqlite3_step (cursor->statement);
  if (code != SQLITE_ROW && code != SQLITE_DONE)
    sqlite_failed (cursor->reader, code, "read the keys", error);
  return code == SQLITE_ROW;
}

/* The integer in @column of the row: FALSE for a NULL or a value of
 * another type. */
static gboolean
cursor_get (Cursor *cursor,
            int     column,
            gint64 *value)
{
  const guchar *bytes;
  guint64 bits = 0;
  int length;

  if (cursor->statement != NULL)
    {
      if (sqlite3_column_type (cursor->statement, column) != SQLITE_INTEGER)
        return FALSE;
      *value = sqlite3_column_int64 (cursor->statement, column);
      return TRUE;
    }
  bytes = (const guchar *) PQgetvalue (cursor->result, cursor->row, column);
  length = PQgetlength (cursor->result, cursor->row, column);
  if (PQgetisnull (cursor->result, cursor->row, column) || (length != 8 && length != 4))
    return FALSE;
  for (int i = 0; i < length; i++)
    bits = bits << 8 | bytes[i];
  *value = length == 8 ? (gint64) bits : (gint64) (gint32) (guint32) bits;
  return TRUE;
}

/* The key in @column of the row, which must be an integer. */
static gboolean
cursor_get_key (Cursor  *cursor,
                int      column,
                gint64  *key,
                GError **error)
{
  if (cursor_get (cursor, column, key))
    return TRUE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
               "A key read by “%s” is not an integer", cursor->sql);
  return FALSE;
}

static gboolean
read_keys (GormKeyReader  *self,
           const char     *sql,
           const GValue   *params,
           guint           n_params,
           GArray         *keys,
           GError        **error)
{
  g_auto(Cursor) cursor = { NULL, NULL, NULL, NULL, -1, FALSE };
  GError *failure = NULL;
  gint64 key;

  if (!cursor_open (&cursor, self, sql, params, n_params, error))
    return FALSE;
  while (cursor_next (&cursor, &failure))
    {
      if (!cursor_get_key (&cursor, 0, &key, error))
        return FALSE;
      g_array_append_val (keys, key);
    }
  if (failure != NULL)
    g_propagate_error (error, failure);
  return failure == NULL;
}

struct _GormKeyRanks
{
  char     *ranks_sql;
  char     *rows_sql;
  gboolean  key_descending;
};

GormKeyRanks *
gorm_key_ranks_new (char     *ranks_sql,
                    char     *rows_sql,
                    gboolean  key_descending)
{
  GormKeyRanks *ranks = g_atomic_rc_box_new0 (GormKeyRanks);

  ranks->ranks_sql = ranks_sql;
  ranks->rows_sql = rows_sql;
  ranks->key_descending = key_descending;
  return ranks;
}

GormKeyRanks *
gorm_key_ranks_ref (GormKeyRanks *ranks)
{
  return g_atomic_rc_box_acquire (ranks);
}

static void
key_ranks_clear (GormKeyRanks *ranks)
{
  g_free (ranks->ranks_sql);
  g_free (ranks->rows_sql);
}

void
gorm_key_ranks_unref (GormKeyRanks *ranks)
{
  g_atomic_rc_box_release_full (ranks, (GDestroyNotify) key_ranks_clear);
}

/* The widest range of target keys, per selected row (and a few more for
 * small tables), whose ranks are read: the ranks statement then sorts at
 * most twice as many rows as the plain order would, and the rank of each
 * target key is found in an array of that many ranks, 4 bytes each.
 * Wider, the keys of the targets are sparse (or the selected rows few
 * among many targets): the plain order is read instead. */
#define RANKS_PER_ROW 2
#define RANKS_MIN 1024

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static int
compare_keys_descending (gconstpointer a,
                         gconstpointer b)
{
  return compare_keys (b, a);
}

/* Puts @ids in the order of @row_ranks (1 … @max_rank), then of their
 * own values, into @keys: a counting sort, which keeps the order the
 * rows came in within a rank, then a sort of each rank's keys where they
 * came out of order (where the rows came by foreign key, as an index of
 * it gives them, only ranks shared by several targets). */
static void
sort_by_ranks (const GArray  *ids,
               const guint32 *row_ranks,
               guint32        max_rank,
               gboolean       descending,
               GArray        *keys)
{
  g_autofree gsize *starts = g_new0 (gsize, (gsize) max_rank + 2);
  guint base = keys->len;
  gint64 *out;

  for (guint i = 0; i < ids->len; i++)
    starts[row_ranks[i] + 1]++;
  for (guint32 r = 1; r <= max_rank; r++)
    starts[r + 1] += starts[r];
  g_array_set_size (keys, base + ids->len);
  out = &g_array_index (keys, gint64, base);
  for (guint i = 0; i < ids->len; i++)
    out[starts[row_ranks[i]]++] = g_array_index (ids, gint64, i);

  /* starts[r] is now the end of rank r, the start of rank r + 1. */
  for (guint32 r = 1; r <= max_rank; r++)
    {
      gsize from = starts[r - 1];
      gsize to = starts[r];

      for (gsize i = from + 1; i < to; i++)
        if (descending ? out[i - 1] < out[i] : out[i - 1] > out[i])
          {
            qsort (out + from, to - from, sizeof (gint64),
                   descending ? compare_keys_descending : compare_keys);
            break;
          }
    }
}

static gboolean
is_cancelled (GormKeyReader  *self,
              GError        **error)
{
  gboolean cancelled;

  g_mutex_lock (&self->cancel_lock);
  cancelled = self->cancelled;
  g_mutex_unlock (&self->cancel_lock);
  if (cancelled)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The read of the keys was cancelled");
  return cancelled;
}

/* The keys of an order by a path then the key, through @ranks. FALSE
 * with @error unset when the targets' keys span too wide a range: the
 * caller reads the plain order. */
static gboolean
read_ranked (GormKeyReader       *self,
             const GormKeyRanks  *ranks,
             const GValue        *params,
             guint                n_params,
             GArray              *keys,
             GError             **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) targets = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GByteArray) refers = g_byte_array_new ();
  g_autofree guint32 *rank_of = NULL;
  g_autofree guint32 *row_ranks = NULL;
  GValue bounds[2] = { G_VALUE_INIT, G_VALUE_INIT };
  GError *failure = NULL;
  gint64 low = G_MAXINT64, high = G_MININT64;
  guint64 span = 0;
  guint32 null_rank = 0, max_rank = 0;
  gboolean ok = TRUE;

  /* Each selected row's key, and its target's when it has an integer
   * one (a NULL or another value refers to no target). */
  {
    g_auto(Cursor) cursor = { NULL, NULL, NULL, NULL, -1, FALSE };

    if (!cursor_open (&cursor, self, ranks->rows_sql, params, n_params, error))
      return FALSE;
    while (cursor_next (&cursor, &failure))
      {
        gint64 key, target = 0;
        guint8 refers_one;

        if (!cursor_get_key (&cursor, 0, &key, error))
          return FALSE;
        refers_one = cursor_get (&cursor, 1, &target);
        if (refers_one)
          {
            low = MIN (low, target);
            high = MAX (high, target);
          }
        g_array_append_val (ids, key);
        g_array_append_val (targets, target);
        g_byte_array_append (refers, &refers_one, 1);
      }
    if (failure != NULL)
      {
        g_propagate_error (error, failure);
        return FALSE;
      }
  }

  if (low <= high)
    {
      span = (guint64) high - (guint64) low + 1;
      /* 0: every integer, which no array holds. */
      if (span == 0 || span > MAX ((guint64) ids->len * RANKS_PER_ROW, RANKS_MIN))
        return FALSE;
    }
  rank_of = g_new0 (guint32, span);

  /* The ranks of the targets between the bounds, and the missing
   * target's (key NULL). */
  g_value_init (&bounds[0], G_TYPE_INT64);
  g_value_init (&bounds[1], G_TYPE_INT64);
  g_value_set_int64 (&bounds[0], span > 0 ? low : 1);
  g_value_set_int64 (&bounds[1], span > 0 ? high : 0);
  {
    g_auto(Cursor) cursor = { NULL, NULL, NULL, NULL, -1, FALSE };

    /* SQLite interrupts a statement begun after sqlite3_interrupt()
     * only while another one runs. */
    ok = !is_cancelled (self, error) &&
         cursor_open (&cursor, self, ranks->ranks_sql, bounds, 2, error);
    while (ok && cursor_next (&cursor, &failure))
      {
        gint64 target, rank;

        if (!cursor_get (&cursor, 1, &rank) || rank < 1 || rank >= G_MAXUINT32)
          {
            g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                         "A rank read by “%s” is not a positive integer", ranks->ranks_sql);
            ok = FALSE;
            break;
          }
        if (!cursor_get (&cursor, 0, &target))
          null_rank = (guint32) rank;
        else if (target >= low && target <= high)
          rank_of[target - low] = (guint32) rank;
        max_rank = MAX (max_rank, (guint32) rank);
      }
    if (failure != NULL)
      g_propagate_error (error, failure);
    ok = ok && failure == NULL;
  }
  g_value_unset (&bounds[0]);
  g_value_unset (&bounds[1]);
  if (!ok)
    return FALSE;
  if (null_rank == 0)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "“%s” gave no rank to a missing row", ranks->ranks_sql);
      return FALSE;
    }

  /* A row whose target is missing (or does not match the target's key
   * as the engine compares) sorts as the order's NULL. */
  row_ranks = g_new (guint32, MAX (ids->len, 1));
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 target = g_array_index (targets, gint64, i);
      guint32 rank = refers->data[i] ? rank_of[target - low] : 0;

      row_ranks[i] = rank != 0 ? rank : null_rank;
    }
  g_clear_pointer (&targets, g_array_unref);
  sort_by_ranks (ids, row_ranks, max_rank, ranks->key_descending, keys);
  return TRUE;
}

typedef struct
{
  char     *column;
  gboolean  text;
  gboolean  descending;
} SortTerm;

struct _GormKeySort
{
  char   *table;
  char   *rows_sql;
  GArray *terms;    /* of SortTerm */
};

static void
sort_term_clear (SortTerm *term)
{
  g_free (term->column);
}

GormKeySort *
gorm_key_sort_new (const char *table,
                   char       *rows_sql)
{
  GormKeySort *sort = g_atomic_rc_box_new0 (GormKeySort);

  sort->table = g_strdup (table);
  sort->rows_sql = rows_sql;
  sort->terms = g_array_new (FALSE, TRUE, sizeof (SortTerm));
  g_array_set_clear_func (sort->terms, (GDestroyNotify) sort_term_clear);
  return sort;
}

void
gorm_key_sort_add_term (GormKeySort *sort,
                        const char  *column,
                        gboolean     text,
                        gboolean     descending)
{
  SortTerm term = { g_strdup (column), text, descending };

  g_array_append_val (sort->terms, term);
}

GormKeySort *
gorm_key_sort_ref (GormKeySort *sort)
{
  return g_atomic_rc_box_acquire (sort);
}

static void
key_sort_clear (GormKeySort *sort)
{
  g_free (sort->table);
  g_free (sort->rows_sql);
  g_array_unref (sort->terms);
}

void
gorm_key_sort_unref (GormKeySort *sort)
{
  g_atomic_rc_box_release_full (sort, (GDestroyNotify) key_sort_clear);
}

/* The values of one term of a GormKeySort, one per row read. A number
 * becomes a 64-bit word whose unsigned order is the term's order of the
 * values (its bits inverted when descending); a text is a run of bytes
 * in @arena, from @offsets[row] to @offsets[row + 1]. @nulls says which
 * rows hold NULL: 0 for a NULL ascending, 1 for a value (the other way
 * round descending), compared before the word or the text. */
typedef struct
{
  const SortTerm *term;
  guint8         *nulls;
  gboolean        has_null;
  /* Numbers: what the column held, as read (an integer's or a real's
   * bits, see @reals), until term_values_finish() makes them
   * words. */
  guint64        *words;
  guint8         *reals;
  gboolean        has_integer;
  gboolean        has_real;
  gboolean        has_wide_integer;
  /* Texts. */
  GByteArray     *arena;
  guint32        *offsets;
} TermValues;

#define SIGN_BIT G_GUINT64_CONSTANT (0x8000000000000000)
/* The integers a double holds exactly: 2^53 and below in magnitude. */
#define EXACT_DOUBLE_MAX G_GINT64_CONSTANT (9007199254740992)

static void
term_values_clear (TermValues *values)
{
  g_free (values->nulls);
  g_free (values->words);
  g_free (values->reals);
  g_clear_pointer (&values->arena, g_byte_array_unref);
  g_free (values->offsets);
}

/* The unsigned word of a double whose order is the double's: the sign
 * flipped for a positive, every bit for a negative. -0.0 is 0.0, as
 * SQLite compares them. */
static guint64
double_word (double value)
{
  guint64 bits;

  if (value == 0.0)
    value = 0.0;
  memcpy (&bits, &value, sizeof bits);
  return (bits & SIGN_BIT) ? ~bits : bits | SIGN_BIT;
}

/* Turns the numbers read into words, in the term's direction: FALSE when
 * reals and integers beyond 2^53 are mixed, which no word orders as
 * SQLite compares them (exactly). */
static gboolean
term_values_finish (TermValues *values,
                    guint       n_rows)
{
  gboolean descending = values->term->descending;

  if (!values->term->text)
    {
      gboolean as_doubles = values->has_real;

      if (as_doubles && values->has_integer && values->has_wide_integer)
        return FALSE;
      for (guint i = 0; i < n_rows; i++)
        {
          guint64 word = values->words[i];

          if (!values->nulls[i])
            word = 0;
          else if (values->reals[i])
            {
              double value;

              memcpy (&value, &word, sizeof value);
              word = double_word (value);
            }
          else if (as_doubles)
            word = double_word ((double) (gint64) word);
          else
            word ^= SIGN_BIT;
          values->words[i] = descending ? ~word : word;
        }
      g_clear_pointer (&values->reals, g_free);
    }
  if (descending)
    for (guint i = 0; i < n_rows; i++)
      values->nulls[i] = !values->nulls[i];
  return TRUE;
}

/* One stable pass of a radix sort of @perm into @tmp by the byte of
 * @words at @shift (or by @nulls when @words is NULL), whose @counts are
 * known; swaps the two. Skipped when every row has the same byte. */
static void
radix_pass (guint32       **perm,
            guint32       **tmp,
            guint           n_rows,
            gsize          *counts,
            const guint64  *words,
            const guint8   *nulls,
            guint           shift)
{
  guint32 *from = *perm, *to = *tmp;
  gsize sum = 0;

  for (guint d = 0; d < 256; d++)
    {
      gsize count = counts[d];

      if (count == n_rows)
        return;
      counts[d] = sum;
      sum += count;
    }
  if (words != NULL)
    for (guint i = 0; i < n_rows; i++)
      {
        guint32 row = from[i];

        to[counts[(words[row] >> shift) & 0xff]++] = row;
      }
  else
    for (guint i = 0; i < n_rows; i++)
      {
        guint32 row = from[i];

        to[counts[nulls[row]]++] = row;
      }
  *perm = to;
  *tmp = from;
}

/* Sorts @perm stably by the numbers of @values: the word's bytes from
 * the least significant, then the NULLs. The counts of every byte are
 * taken in one read of the words (they do not depend on the rows'
 * order). Nothing to do when @perm is in order already (the key, read in
 * its own order). */
static void
radix_sort (guint32          **perm,
            guint32          **tmp,
            guint              n_rows,
            const TermValues  *values)
{
  g_autofree gsize *counts = NULL;
  gboolean sorted = TRUE;

  for (guint i = 1; sorted && i < n_rows; i++)
    {
      guint32 a = (*perm)[i - 1], b = (*perm)[i];

      sorted = values->nulls[a] < values->nulls[b] ||
               (values->nulls[a] == values->nulls[b] && values->words[a] <= values->words[b]);
    }
  if (sorted)
    return;
  counts = g_new0 (gsize, 9 * 256);
  for (guint i = 0; i < n_rows; i++)
    {
      guint64 word = values->words[i];

      for (guint b = 0; b < 8; b++)
        counts[b * 256 + ((word >> (8 * b)) & 0xff)]++;
      counts[8 * 256 + values->nulls[i]]++;
    }
  for (guint b = 0; b < 8; b++)
    radix_pass (perm, tmp, n_rows, counts + b * 256, values->words, NULL, 8 * b);
  radix_pass (perm, tmp, n_rows, counts + 8 * 256, NULL, values->nulls, 0);
}

typedef struct
{
  const TermValues *terms;
  guint             n_terms;
} CompareRows;

/* The order of two rows by every term from the first of @data's. */
static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  const CompareRows *compare = data;
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  for (guint t = 0; t < compare->n_terms; t++)
    {
      const TermValues *values = &compare->terms[t];
      int order;

      if (values->nulls[x] != values->nulls[y])
        return values->nulls[x] < values->nulls[y] ? -1 : 1;
      if (!values->term->text)
        {
          if (values->words[x] != values->words[y])
            return values->words[x] < values->words[y] ? -1 : 1;
          continue;
        }
      if (values->nulls[x] == values->term->descending)
        continue;    /* both NULL */
      {
        const guint8 *bytes = values->arena->data;
        guint32 x_length = values->offsets[x + 1] - values->offsets[x];
        guint32 y_length = values->offsets[y + 1] - values->offsets[y];

        order = memcmp (bytes + values->offsets[x], bytes + values->offsets[y],
                        MIN (x_length, y_length));
        if (order == 0)
          order = (x_length > y_length) - (x_length < y_length);
        if (order != 0)
          return values->term->descending ? -order : order;
      }
    }
  return 0;
}

/* Whether two rows have the same values in the first @n_terms of
 * @terms, all numbers. */
static gboolean
same_words (const TermValues *terms,
            guint             n_terms,
            guint32           x,
            guint32           y)
{
  for (guint t = 0; t < n_terms; t++)
    if (terms[t].nulls[x] != terms[t].nulls[y] || terms[t].words[x] != terms[t].words[y])
      return FALSE;
  return TRUE;
}

/* Sorts the rows as the terms order them: a stable radix sort by the
 * numbers of the terms before the first text, from the last of them;
 * then, within each run of rows equal in those, a comparison sort by the
 * terms from the first text on. The key is the last term, so no two rows
 * compare equal. Returns the rows in order. */
static guint32 *
sort_rows (TermValues *terms,
           guint       n_terms,
           guint       n_rows)
{
  g_autofree guint32 *perm = g_new (guint32, MAX (n_rows, 1));
  g_autofree guint32 *tmp = NULL;
  guint first_text = 0;

  while (first_text < n_terms && !terms[first_text].term->text)
    first_text++;
  for (guint i = 0; i < n_rows; i++)
    perm[i] = i;
  if (first_text > 0)
    tmp = g_new (guint32, MAX (n_rows, 1));
  for (guint t = first_text; t > 0; t--)
    radix_sort (&perm, &tmp, n_rows, &terms[t - 1]);
  g_clear_pointer (&tmp, g_free);

  if (first_text < n_terms)
    {
      CompareRows compare = { terms + first_text, n_terms - first_text };
      guint from = 0;

      for (guint i = 1; i <= n_rows; i++)
        if (i == n_rows || !same_words (terms, first_text, perm[from], perm[i]))
          {
            if (i - from > 1)
              g_qsort_with_data (perm + from, (gint) (i - from), sizeof (guint32),
                                 compare_rows, &compare);
            from = i;
          }
    }
  return g_steal_pointer (&perm);
}

/* Whether @sort's text columns compare as the reader sorts them: the
 * BINARY collation (the column's, which an ORDER BY of it uses), on
 * UTF-8 text (whose bytes, compared, order as the engine's do). */
static gboolean
sort_fits_database (GormKeyReader     *self,
                    const GormKeySort *sort)
{
  sqlite3_stmt *statement = NULL;
  gboolean utf8 = FALSE;

  if (sqlite3_prepare_v2 (self->sqlite, "PRAGMA encoding", -1, &statement, NULL) == SQLITE_OK &&
      sqlite3_step (statement) == SQLITE_ROW)
    utf8 = g_ascii_strcasecmp ((const char *) sqlite3_column_text (statement, 0), "UTF-8") == 0;
  sqlite3_finalize (statement);
  if (!utf8)
    return FALSE;
  for (guint t = 0; t < sort->terms->len; t++)
    {
      const SortTerm *term = &g_array_index (sort->terms, SortTerm, t);
      const char *collation = NULL;

      if (term->text &&
          (sqlite3_table_column_metadata (self->sqlite, NULL, sort->table, term->column,
                                          NULL, &collation, NULL, NULL, NULL) != SQLITE_OK ||
           collation == NULL || g_ascii_strcasecmp (collation, "BINARY") != 0))
        return FALSE;
    }
  return TRUE;
}

/* Reads the value of @values' term in @column of the row: FALSE when
 * it does not fit the term, or a text would pass the @text_left bytes
 * left to the sort (at most 4 GiB: the offsets are 32-bit). */
static gboolean
term_values_read (TermValues   *values,
                  sqlite3_stmt *statement,
                  int           column,
                  guint         row,
                  gsize        *text_left)
{
  int type = sqlite3_column_type (statement, column);

  if ((row & (row - 1)) == 0)
    {
      /* Doubled at each power of two. */
      gsize size = MAX ((gsize) row * 2, 1);

      values->nulls = g_renew (guint8, values->nulls, size);
      if (values->term->text)
        values->offsets = g_renew (guint32, values->offsets, size + 1);
      else
        {
          values->words = g_renew (guint64, values->words, size);
          values->reals = g_renew (guint8, values->reals, size);
        }
    }
  if (row == 0 && values->term->text)
    values->offsets[0] = 0;
  values->nulls[row] = type != SQLITE_NULL;
  values->has_null |= type == SQLITE_NULL;
  if (values->term->text)
    {
      if (type == SQLITE_TEXT)
        {
          const guint8 *text = sqlite3_column_text (statement, column);
          int length = sqlite3_column_bytes (statement, column);

          if ((gsize) length > *text_left)
            return FALSE;
          *text_left -= (gsize) length;
          g_byte_array_append (values->arena, text, (guint) length);
        }
      values->offsets[row + 1] = values->arena->len;
      return type == SQLITE_TEXT || type == SQLITE_NULL;
    }
  values->reals[row] = type == SQLITE_FLOAT;
  if (type == SQLITE_INTEGER)
    {
      gint64 value = sqlite3_column_int64 (statement, column);

      values->words[row] = (guint64) value;
      values->has_integer = TRUE;
      values->has_wide_integer |= value > EXACT_DOUBLE_MAX || value < -EXACT_DOUBLE_MAX;
    }
  else if (type == SQLITE_FLOAT)
    {
      double value = sqlite3_column_double (statement, column);

      memcpy (&values->words[row], &value, sizeof value);
      values->has_real = TRUE;
    }
  return type == SQLITE_INTEGER || type == SQLITE_FLOAT || type == SQLITE_NULL;
}

/* The key of a row from its word: the last term's, an integer with no
 * NULL (see read_sorted()). */
static gint64
key_of_word (const TermValues *key,
             guint32           row)
{
  guint64 word = key->words[row];

  return (gint64) ((key->term->descending ? ~word : word) ^ SIGN_BIT);
}

/* The keys of @sort's order, sorted here. FALSE with @error unset when
 * the database or a value does not fit (see gorm_key_reader_read()): the
 * caller reads the sorted select instead. */
static gboolean
read_sorted (GormKeyReader      *self,
             const GormKeySort  *sort,
             const GValue       *params,
             guint               n_params,
             GArray             *keys,
             GError            **error)
{
  g_auto(Cursor) cursor = { NULL, NULL, NULL, NULL, -1, FALSE };
  guint n_terms = sort->terms->len;
  g_autofree TermValues *terms = g_new0 (TermValues, n_terms);
  g_autofree guint32 *order = NULL;
  const TermValues *key = &terms[n_terms - 1];
  GError *failure = NULL;
  gsize text_left = self->sort_text_bytes;
  gboolean fits;
  guint n_rows = 0;

  if (self->sqlite == NULL || !sort_fits_database (self, sort))
    return FALSE;
  for (guint t = 0; t < n_terms; t++)
    {
      terms[t].term = &g_array_index (sort->terms, SortTerm, t);
      if (terms[t].term->text)
        terms[t].arena = g_byte_array_new ();
    }

  if (!cursor_open (&cursor, self, sort->rows_sql, params, n_params, error))
    return FALSE;
  fits = TRUE;
  while (fits && cursor_next (&cursor, &failure))
    {
      fits = n_rows < G_MAXUINT32 - 1;
      for (guint t = 0; fits && t < n_terms; t++)
        fits = term_values_read (&terms[t], cursor.statement, (int) t, n_rows, &text_left);
      n_rows += fits;
    }
  /* The key is an integer, which sorts as one: what the sorted select
   * says of any other value. */
  fits = fits && failure == NULL && !key->term->text && !key->has_null && !key->has_real;
  for (guint t = 0; fits && t < n_terms; t++)
    fits = term_values_finish (&terms[t], n_rows);
  if (fits)
    {
      order = sort_rows (terms, n_terms, n_rows);
      for (guint t = 0; t + 1 < n_terms; t++)
        term_values_clear (&terms[t]);
      g_array_set_size (keys, keys->len + n_rows);
      for (guint i = 0; i < n_rows; i++)
        g_array_index (keys, gint64, keys->len - n_rows + i) = key_of_word (key, order[i]);
      term_values_clear (&terms[n_terms - 1]);
      return TRUE;
    }
  if (failure != NULL)
    g_propagate_error (error, failure);
  for (guint t = 0; t < n_terms; t++)
    term_values_clear (&terms[t]);
  return FALSE;
}

gboolean
gorm_key_reader_read (GormKeyReader       *self,
                      const char          *sql,
                      const GormKeyRanks  *ranks,
                      const GormKeySort   *sort,
                      const GValue        *params,
                      guint                n_params,
                      GArray              *keys,
                      GormKeyReadWay      *way,
                      GError             **error)
{
  GError *failure = NULL;
  gboolean ok = FALSE;
  GormKeyReadWay read_way = GORM_KEY_READ_SORTED_SELECT;

  if (!is_cancelled (self, error))
    {
      if (ranks != NULL && read_ranked (self, ranks, params, n_params, keys, &failure))
        read_way = GORM_KEY_READ_RANKED;
      else if (failure == NULL && sort != NULL &&
               read_sorted (self, sort, params, n_params, keys, &failure))
        read_way = GORM_KEY_READ_SORTED_HERE;
      ok = read_way != GORM_KEY_READ_SORTED_SELECT;
      if (failure != NULL)
        g_propagate_error (error, failure);
      /* See read_ranked() on SQLite's interrupt. */
      else if (!ok && !is_cancelled (self, error))
        ok = read_keys (self, sql, params, n_params, keys, error);
    }
  if (way != NULL)
    *way = read_way;

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

/* The openers' threads still running, for the tests. */
static gint n_opening;

struct _GormKeyOpener
{
  GMutex         lock;
  GCond          done_cond;
  GormKeySource *source;
  /* Set by the opening thread, under lock. */
  gboolean       done;
  GormKeyReader *reader;
  GError        *error;
  /* Whether the reader is no longer wanted: the thread then closes it. */
  gboolean       dropped;
};

static void
key_opener_clear (GormKeyOpener *self)
{
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->done_cond);
  gorm_key_source_free (self->source);
  g_clear_pointer (&self->reader, gorm_key_reader_free);
  g_clear_error (&self->error);
}

static void
key_opener_unref (GormKeyOpener *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) key_opener_clear);
}

/* Holds a reference of its own, dropped at its end. */
static gpointer
key_opener_thread (gpointer data)
{
  GormKeyOpener *self = data;
  GError *error = NULL;
  GormKeyReader *reader = gorm_key_reader_open (self->source, &error);

  g_mutex_lock (&self->lock);
  self->done = TRUE;
  if (!self->dropped)
    {
      self->reader = g_steal_pointer (&reader);
      self->error = g_steal_pointer (&error);
    }
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&reader, gorm_key_reader_free);
  g_clear_error (&error);
  key_opener_unref (self);
  g_atomic_int_dec_and_test (&n_opening);
  return NULL;
}

GormKeyOpener *
gorm_key_opener_start (GormKeySource *source)
{
  GormKeyOpener *self = g_atomic_rc_box_new0 (GormKeyOpener);

  g_mutex_init (&self->lock);
  g_cond_init (&self->done_cond);
  self->source = source;
  g_atomic_int_inc (&n_opening);
  g_thread_unref (g_thread_new ("gorm-key-open", key_opener_thread,
                                g_atomic_rc_box_acquire (self)));
  return self;
}

GormKeyReader *
gorm_key_opener_take (GormKeyOpener **opener,
                      gint64          wait_us,
                      GError        **error)
{
  GormKeyOpener *self = *opener;
  gint64 until = wait_us > 0 ? g_get_monotonic_time () + wait_us : 0;
  GormKeyReader *reader;

  g_mutex_lock (&self->lock);
  while (!self->done && wait_us != 0)
    {
      if (wait_us < 0)
        g_cond_wait (&self->done_cond, &self->lock);
      /* FALSE once @until passed. */
      else if (!g_cond_wait_until (&self->done_cond, &self->lock, until))
        break;
    }
  if (!self->done)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  reader = g_steal_pointer (&self->reader);
  if (reader == NULL)
    g_propagate_error (error, g_steal_pointer (&self->error));
  self->dropped = TRUE;
  g_mutex_unlock (&self->lock);
  *opener = NULL;
  key_opener_unref (self);
  return reader;
}

GormKeyReader *
gorm_key_opener_take_or_open (GormKeyOpener       **opener,
                              const GormKeySource  *source,
                              GError              **error)
{
  GormKeyReader *reader = NULL;

  if (*opener != NULL)
    reader = gorm_key_opener_take (opener, -1, NULL);
  return reader != NULL ? reader : gorm_key_reader_open (source, error);
}

void
gorm_key_opener_drop (GormKeyOpener *self)
{
  GormKeyReader *reader;

  g_mutex_lock (&self->lock);
  self->dropped = TRUE;
  reader = g_steal_pointer (&self->reader);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&reader, gorm_key_reader_free);
  key_opener_unref (self);
}

guint
gorm_key_opener_get_n_running (void)
{
  return (guint) g_atomic_int_get (&n_opening);
}
