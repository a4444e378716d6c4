/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

#include "gorm-connection-private.h"

G_BEGIN_DECLS

/*
 * A read connection of its own to a database, for one long select of
 * integer keys that must not hold the database's connection (and its
 * lock) while it runs: the ordered keys of a large query model (see
 * gorm-query-model.c). It talks to the engine directly (sqlite3, libpq):
 * libgda keeps every row of a result (about 500 bytes a row) or reads a
 * cursor at a tenth of the engine's speed, where a million keys must be
 * read in well under a second into 8 MB.
 *
 * Life of a reader:
 *   gorm_key_source_new_locked()  what to connect to, with the database's
 *                                 lock held (it asks the connection);
 *   gorm_key_reader_open()        connects, in any thread (a PostgreSQL
 *                                 connection takes milliseconds, an
 *                                 SQLite file well under one);
 *   gorm_key_reader_pin()         begins a read transaction and reads
 *                                 @table once, so that its snapshot is
 *                                 taken now: called with the database's
 *                                 lock held, by the thread that knows
 *                                 which writes that snapshot holds;
 *   gorm_key_reader_read()        runs the select in that snapshot, in
 *                                 any thread, without the database lock;
 *   gorm_key_reader_cancel()      from any thread, stops a read;
 *   gorm_key_reader_free().
 *
 * A reader is used by one thread at a time; cancel is the exception.
 *
 * SQLite: only a file in WAL mode (a reader then never blocks a writer);
 * an in-memory database or a file in another journal mode has no
 * reader. PostgreSQL: a REPEATABLE READ transaction on a connection
 * opened with the database connection's own parameters, whose cursors
 * are planned for reading all their rows. An application's
 * own GdaConnection has none either.
 */

typedef struct _GormKeySource GormKeySource;
typedef struct _GormKeyReader GormKeyReader;

/* NULL when the database has no second connection (see above). */
GormKeySource *gorm_key_source_new_locked (GormConnection       *connection);
void           gorm_key_source_free       (GormKeySource        *source);
/* Whether opening a reader of @source costs a file open only (SQLite),
 * not a connection to a server: the main thread may open it at once. */
gboolean       gorm_key_source_is_file    (const GormKeySource  *source);

/* Connects; NULL with @error set (GORM_ERROR_CONNECTION) when it cannot,
 * or when an SQLite file is not in WAL mode. */
GormKeyReader *gorm_key_reader_open       (const GormKeySource  *source,
                                           GError              **error);
/* Takes the snapshot the next read sees: BEGIN and one read of @table. */
gboolean       gorm_key_reader_pin        (GormKeyReader        *self,
                                           const char           *table,
                                           GError              **error);
/* The statements of an order by one forward path then the key, which a
 * reader sorts itself (see gorm_dialect_render_key_ranks()): the SQL
 * of the ranks and of the rows, and the key's direction. Reference
 * counted, immutable. */
typedef struct _GormKeyRanks GormKeyRanks;

GormKeyRanks  *gorm_key_ranks_new         (char                 *ranks_sql,
                                           char                 *rows_sql,
                                           gboolean              key_descending);
GormKeyRanks  *gorm_key_ranks_ref         (GormKeyRanks         *ranks);
void           gorm_key_ranks_unref       (GormKeyRanks         *ranks);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormKeyRanks, gorm_key_ranks_unref)

/* An order by columns of the table, the key last, which a reader of an
 * SQLite file sorts itself (see gorm_key_reader_read()): a select of the
 * key then of each term's column, in no order, with the same filter as
 * the sorted select; and for each term whether its column holds text
 * (sorted as the BINARY collation does) or numbers (integers and reals
 * compared by value), and its direction. NULLs sort first ascending,
 * last descending, as SQLite sorts them. Built by
 * gorm_key_sort_new() and gorm_key_sort_add_term(), then reference
 * counted and immutable. */
typedef struct _GormKeySort GormKeySort;

GormKeySort   *gorm_key_sort_new          (const char           *table,
                                           char                 *rows_sql);
void           gorm_key_sort_add_term     (GormKeySort          *sort,
                                           const char           *column,
                                           gboolean              text,
                                           gboolean              descending);
GormKeySort   *gorm_key_sort_ref          (GormKeySort          *sort);
void           gorm_key_sort_unref        (GormKeySort          *sort);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormKeySort, gorm_key_sort_unref)

/* How gorm_key_reader_read() read the keys. */
typedef enum {
  GORM_KEY_READ_SORTED_SELECT,  /* the engine's sort of the select */
  GORM_KEY_READ_RANKED,         /* by the ranks of a related path */
  GORM_KEY_READ_SORTED_HERE,    /* by a GormKeySort */
} GormKeyReadWay;

/* Runs @sql, a select of one integer column written by the dialect (its
 * parameters ##pN::type), with @params bound in order (libgorm SQL
 * values; a SQL NULL is a literal in the SQL and skipped), and appends
 * its values to @keys (of gint64). With @ranks (nullable), the same
 * keys in the same order, read by the rows and ranks statements of
 * @ranks instead (@params are the rows'), which sort in the reader by
 * integers what @sql sorts by the path's values: @sql runs only when
 * the keys the rows refer to span too wide a range for the ranks to be
 * cheap. With @sort (nullable) on SQLite, the same keys in the same
 * order, read unsorted by @sort's select (@params are its filter's) and
 * sorted here: @sql runs instead when a column's collation is not
 * BINARY, the database's text is not UTF-8, or a value read does not
 * fit its term (a text in a numeric column, a number or blob in a text
 * one, a mix of reals and integers beyond 2^53), or when the texts read
 * pass 28 MiB (the engine's sorter spills to files). @way (nullable) tells
 * which way was taken. Ends the transaction. FALSE with @error set:
 * G_IO_ERROR_CANCELLED after gorm_key_reader_cancel(). */
gboolean       gorm_key_reader_read       (GormKeyReader        *self,
                                           const char           *sql,
                                           const GormKeyRanks   *ranks,
                                           const GormKeySort    *sort,
                                           const GValue         *params,
                                           guint                 n_params,
                                           GArray               *keys,
                                           GormKeyReadWay       *way,
                                           GError              **error);
void           gorm_key_reader_cancel     (GormKeyReader        *self);
void           gorm_key_reader_free       (GormKeyReader        *self);

/* A reader of a server opening in a thread of its own, started before
 * anyone asks for it (a connection to a server takes milliseconds and
 * round trips, which the main thread must not wait for), and taken once
 * by whoever needs it then. */
typedef struct _GormKeyOpener GormKeyOpener;

/* Starts opening a reader of @source (transfer full). */
GormKeyOpener *gorm_key_opener_start      (GormKeySource        *source);
/* The reader once its open ended, waiting at most @wait_us
 * microseconds for that (-1: as long as it takes), which then consumes
 * *@opener (set to NULL): the open reader, or NULL with @error set if it
 * could not open. NULL with *@opener kept while it is still opening
 * after that wait. */
GormKeyReader *gorm_key_opener_take       (GormKeyOpener       **opener,
                                           gint64                wait_us,
                                           GError              **error);
/* The reader *@opener (nullable) opened, waiting for its open to end,
 * which consumes it; or, when there is none or it could not open, a
 * reader of @source opened now: NULL with @error set if that fails. */
GormKeyReader *gorm_key_opener_take_or_open (GormKeyOpener      **opener,
                                             const GormKeySource *source,
                                             GError             **error);
/* Drops @self: its reader is closed now, or as its open ends. */
void           gorm_key_opener_drop       (GormKeyOpener        *self);
/* The openers whose thread has not ended yet (a dropped one's closes
 * its reader before it ends), for the tests. */
guint          gorm_key_opener_get_n_running (void);

G_END_DECLS
