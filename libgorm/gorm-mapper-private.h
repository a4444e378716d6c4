/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-resource.h"
#include "gorm-schema-private.h"
#include "gorm-change-feed-private.h"
#include "gorm-connection-private.h"
#include "gorm-identity-map-private.h"
#include "gorm-worker-private.h"

G_BEGIN_DECLS

/*
 * The mapper: rows <-> objects. It sits below the public objects and
 * never calls up into them: what it needs of a database, the database
 * hands it (a GormMapperHost), and it reaches the state libgorm keeps in
 * every resource (a GormRowState) by the offset GormResource registered
 * (gorm_mapper_set_row_state_offset()), without calling GormResource.
 */

/* What a database gives its mappers and the objects of its rows: owned
 * by the database, alive as long as it is, filled at its construction. */
typedef struct
{
  /* Not referenced: it owns the host. */
  GormDatabase    *database;
  GormIdentityMap *identity;
  /* Whose open transaction loads are set in its own thread at once. */
  GormChangeFeed  *feed;
  GormConnection  *connection;
  GormWorker      *worker;
  /* The main context and the thread that opened the database. */
  GMainContext    *context;
  GThread         *thread;
  /* Main-context actions deferred while the main context's own thread
   * held the lock: they run as it lets go, in order. Only the main
   * context's thread touches it. */
  GQueue           held_back;
} GormMapperHost;

/* Whether the calling thread is the main context of @host's database:
 * there object changes and signals happen at once; elsewhere they are
 * queued, by gorm_mapper_host_defer(). */
gboolean          gorm_mapper_host_in_main_context (GormMapperHost       *host);
/* Runs @func in the main context: at once when called there, unless
 * the calling thread holds the lock (the application's handlers may call
 * libgorm again, which would take it), in which case it waits for
 * gorm_mapper_host_run_held_back(); from another thread later, in order
 * with everything else deferred. */
void              gorm_mapper_host_defer           (GormMapperHost       *host,
                                                    GFunc                 func,
                                                    gpointer              data,
                                                    GDestroyNotify        destroy);
/* Runs what was held back: the database calls it each time it lets go
 * of the lock in the main context, and at its end. */
void              gorm_mapper_host_run_held_back   (GormMapperHost       *host);

/*
 * The state libgorm keeps in every resource about its row. GormResource's
 * instance private data begins with it; the functions below change it,
 * and notify `id` and `database` (in the main context of the object's
 * database) when they change.
 *
 * Locks: the state is changed by GormResource in the thread that calls
 * it (its property setter, its dispatch of notifications, a delete), and
 * by the mapper functions below under the database lock; the stamps
 * have their own lock and the identity map its own, the rest of the
 * state none.
 */
typedef struct
{
  /* Referenced; NULL for the default database until the first save. */
  GormDatabase         *database;
  /* The host of @database, NULL with it. */
  GormMapperHost       *host;
  gint64                id;
  gboolean              saved;
  /* The stored value of the primary key, valid while saved. */
  GValue                key;
  /* The object's entry in the identity map of its database, linked while
   * it is the live object of its row there. */
  GormIdentityEntry     identity;
  /* Looked up at the first need. */
  const GormSchema     *schema;
  /* One byte a column, allocated at the first change. */
  guint8               *dirty;
  /* One byte a column, allocated at the first NULL: set where a column
   * whose property cannot hold NULL (gorm_column_marks_null()) is NULL;
   * the property then holds its default value. */
  guint8               *nulls;
  /* For each column, the stamp of the stored value it took last (see
   * gorm_mapper_take_read_stamp()), allocated at the first; under the
   * mapper's stamps lock. */
  guint64              *stamps;
} GormRowState;

/* Called once, by GormResource's class_init, with its instance private
 * offset: the row state of an object is at that offset. @klass is
 * GormResource's class, whose `id` and `database` properties the state
 * notifies. */
void              gorm_mapper_set_row_state_offset (GObjectClass         *klass,
                                                    gint                  offset);
GormRowState     *gorm_row_state_of                (gpointer              resource);

const GormSchema *gorm_row_state_get_schema        (GormRowState         *self,
                                                    GType                 type,
                                                    GError              **error);
/* Sets the database (the `database` property's setter): @host is its
 * host. A saved object leaves the identity map of its former database. */
void              gorm_row_state_set_database      (GormRowState         *self,
                                                    GormResource         *resource,
                                                    GormDatabase         *database,
                                                    GormMapperHost       *host);
/* Sets the `id` of an object (the property's setter): a new object of a
 * type with an automatic key is inserted with the id it is given (0: the
 * database numbers it). FALSE, nothing changed, when @id differs from the
 * id of a saved object (its row's) or the type has a natural key. */
gboolean          gorm_row_state_request_id        (GormRowState         *self,
                                                    GormResource         *resource,
                                                    gint64                id);
/* Marks the column of @pspec changed, when it has one. */
void              gorm_row_state_mark_dirty        (GormRowState         *self,
                                                    GormResource         *resource,
                                                    GParamSpec           *pspec);
gboolean          gorm_row_state_column_is_dirty   (GormRowState         *self,
                                                    guint                 column);
/* Whether the column numbered @column is marked NULL. */
gboolean          gorm_row_state_is_null           (GormRowState         *self,
                                                    guint                 column);
/* Makes the property of @column, a gorm_column_marks_null() column, NULL:
 * it takes its default value and the NULL mark, and is notified (which
 * makes a saved object dirty). Setting the property (any notification
 * of it but libgorm's own) clears the mark. */
void              gorm_row_state_set_null          (GormResource         *resource,
                                                    const GormColumn     *column);
/* Clears the NULL mark of @column; TRUE if it was set. */
gboolean          gorm_row_state_clear_null        (GormRowState         *self,
                                                    guint                 column);
/* Whether a save would write something. */
gboolean          gorm_row_state_is_dirty          (GormRowState         *self);
/* Notes the notified changes of @pspecs (GormResource's
 * dispatch_properties_changed): the application's changes of stored
 * properties of a saved object make it dirty; the values libgorm sets
 * from its row, notified by the mapper in this thread, do not. */
void              gorm_row_state_note_changes      (GormRowState         *self,
                                                    GormResource         *resource,
                                                    guint                 n_pspecs,
                                                    GParamSpec          **pspecs);
/* Makes the object unsaved: it leaves the identity map and its id is 0
 * again. */
void              gorm_row_state_mark_deleted      (GormRowState         *self,
                                                    GormResource         *resource);
/* The object is being disposed: it leaves the identity map. */
void              gorm_row_state_forget            (GormRowState         *self,
                                                    GormResource         *resource);
/* Frees what the state holds (finalization). */
void              gorm_row_state_clear             (GormRowState         *self);

/* Values reach an object in the order their rows were read: a row read in
 * one place (the worker) and made into its object in another (the main
 * context) takes a stamp when it is read, and the object is built
 * between push and pop of that stamp. Each load or save takes a stamp
 * from one counter when it happens, and a column takes a stored value
 * only if no value with a later stamp reached it already: a load queued
 * to the main context from another thread never overwrites what a later
 * transaction loaded or saved. */
guint64           gorm_mapper_take_read_stamp      (void);
void              gorm_mapper_push_read_stamp      (guint64               stamp);
void              gorm_mapper_pop_read_stamp       (void);
/* Pushes the stamp of a read starting now unless a read's stamp is
 * pushed already (its values are older): TRUE when it pushed one, which
 * the caller then pops. The rows of one read share its stamp, so that
 * a row read twice (a joined object) is converted once (see
 * object_of_row()). */
gboolean          gorm_mapper_push_new_read_stamp  (void);

/* Reads the stored property @pspec of @object into @value, which holds
 * the property's type, as g_object_get_property() does, without looking
 * the property up by its name. */
void              gorm_mapper_get_property         (GObject              *object,
                                                    GParamSpec           *pspec,
                                                    GValue               *value);

/* Sets stored properties to values their row has (a load, automatic
 * timestamps), without marking them changed, in the main context of
 * @host: at once when called there, else later, in order, unless a later
 * load or save reached the object first. In the thread of an open
 * transaction, whose function reads what it loads, they are set at once
 * and only their notifications wait for the main context. Takes
 * @values, an array of @n_values; @pspecs are borrowed. With
 * @keep_unsaved, properties changed since the last save keep their
 * values. @host NULL (an object without a database) applies them at
 * once. */
void              gorm_row_state_apply_stored      (GormResource         *resource,
                                                    GormMapperHost       *host,
                                                    GParamSpec          **pspecs,
                                                    GValue               *values,
                                                    guint                 n_values,
                                                    gboolean              keep_unsaved);
/* Sets a stored property to a value its row now has (after a bulk
 * update), without marking it changed. @value is of the property's type,
 * or GORM_TYPE_SQL_NULL for the NULL of a gorm_column_marks_null()
 * column. */
void              gorm_row_state_set_stored        (GormResource         *resource,
                                                    const GormColumn     *column,
                                                    const GValue         *value);

/*
 * How one resource type is stored in one database: its schema with the
 * statements that insert, update, delete and load its rows, rendered by
 * the database's dialect once and kept with the database. Every function
 * taking a mapper, although not named _locked, is called with the
 * database lock held (gorm_connection_lock() on the connection given to
 * gorm_mapper_new(), taken through gorm_database_lock()), as the
 * GormStatement and GormRows functions it calls are: the mapper itself
 * comes from gorm_database_get_mapper_locked(). The others need no lock.
 */
typedef struct _GormMapper GormMapper;

gboolean          gorm_mapper_validate_value       (const GormSchema     *schema,
                                                    const GormColumn     *column,
                                                    const GValue         *value,
                                                    GError              **error);
/* Converts a user's @value for @column without loss (else
 * GORM_ERROR_TYPE_MISMATCH) into @property_value, of the property's type,
 * or GORM_TYPE_SQL_NULL for the NULL of a gorm_column_marks_null()
 * column; and, unless @sql_value is NULL, checks the rules a save checks
 * before any SQL runs (else GORM_ERROR_VALIDATION) and converts it into
 * its SQL value @sql_value. A NULL @value (or one holding NULL) where the
 * column takes none is GORM_ERROR_VALIDATION. */
gboolean          gorm_mapper_convert_user_value   (const GormSchema     *schema,
                                                    const GormColumn     *column,
                                                    const GValue         *value,
                                                    GValue               *property_value,
                                                    GValue               *sql_value,
                                                    GError              **error);
GormMapper       *gorm_mapper_new                  (const GormSchema     *schema,
                                                    GormMapperHost       *host,
                                                    const GormDialect    *dialect,
                                                    GormConnection       *connection);
void              gorm_mapper_free                 (GormMapper           *self);
const GormSchema *gorm_mapper_get_schema           (GormMapper           *self);
/* Whether the type's table is known to be migrated on the database: the
 * database's first-use check, FALSE again after a rollback. */
gboolean          gorm_mapper_get_migrated         (GormMapper           *self);
void              gorm_mapper_set_migrated         (GormMapper           *self,
                                                    gboolean              migrated);

/* What a save writes, read from the object on the caller's thread (an
 * object of a JavaScript class can only be read on the main thread), and
 * written under the lock, possibly on the worker. */
typedef struct _GormSave GormSave;

GormSave         *gorm_mapper_prepare_save         (const GormSchema     *schema,
                                                    GormResource         *resource,
                                                    gboolean              inserting,
                                                    GError              **error);
gboolean          gorm_save_is_insert              (GormSave             *save);
/* The automatic key the application gave the new object the insert
 * @save writes (its `id`), or 0 when the database numbers it. */
gint64            gorm_save_get_given_id           (GormSave             *save);
void              gorm_save_free                   (GormSave             *save);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormSave, gorm_save_free)

/* Write @save: an insert, or an update of the object's row. On success
 * the object is saved, the live object of its row, with the row's key
 * and timestamps; on failure row and object are as they were. */
gboolean          gorm_mapper_insert               (GormMapper           *self,
                                                    GormResource         *resource,
                                                    GormSave             *save,
                                                    GError              **error);
gboolean          gorm_mapper_update               (GormMapper           *self,
                                                    GormResource         *resource,
                                                    GormSave             *save,
                                                    GError              **error);
/* The most parameters a multi-row statement binds, below the engines'
 * limits (GormDialect's max_parameters): libgda prepares a statement in
 * a time that grows with the square of its parameters (each holder is
 * added to a list it walks): one of SQLite's 32766 took minutes, one of
 * 1000 a fifth of a second. Measured with bench/bench-bulk, 256 inserts
 * and updates as fast as 1000 once the statements are cached, on both
 * engines, and the first call of a process prepares them in a tenth of
 * the time. Measured again in instructions (callgrind, bench-bulk 3000
 * posts of 7 columns on SQLite, the bulk calls only) at 256, 400 and 512
 * parameters (36, 57 and 73 rows a statement): once cached, an insert
 * costs 217, 219 and 220 M instructions and an update 85, 87 and 89 M,
 * the same; the first call, which prepares the statements, costs 176,
 * 507 and 602 M more for the insert and 178, 478 and 732 M more for the
 * update. So more rows a statement gain nothing and cost preparing: 256
 * stays. */
#define GORM_MAPPER_BULK_PARAMETERS 256
/* The most parameters a multi-row INSERT binds on SQLite's own handle
 * (gorm_connection_runs_directly_locked()), where libgda does not parse
 * it (gorm_connection_lookup_direct_locked()) and SQLite prepares it in
 * a time that grows with its parameters: 1,170 rows of the workload's
 * posts (bench/WORKLOAD.md). Inside a transaction each INSERT that may
 * fail on a constraint keeps a statement journal of the pages it
 * changes, which are written again by each statement: the workload's
 * 20,000 posts in 557 statements wrote 60,598 times to the files, in 22
 * of 8,192 parameters 11,248 times (raw sqlite3, 20 statements of 1,000
 * rows: 10,544), in a fifth less CPU time. 32,766 (SQLite's limit)
 * writes 5,364 times, for 5 % less CPU time again, but its cached
 * statements (the full one and one per power of two below it) hold
 * 4.7 MB more (the process's peak). An UPDATE of
 * CASE expressions keeps GORM_MAPPER_BULK_PARAMETERS: SQLite tries each
 * WHEN of a CASE in turn, for every row, a time that grows with the
 * square of the rows. */
#define GORM_MAPPER_DIRECT_BULK_PARAMETERS 8192
/* How many parameters a multi-row INSERT of the mapper binds, at most:
 * GORM_MAPPER_DIRECT_BULK_PARAMETERS when it runs on SQLite's handle,
 * else GORM_MAPPER_BULK_PARAMETERS (within the dialect's max_parameters
 * all the same). Called with the lock held. */
guint             gorm_mapper_bulk_parameters      (GormMapper           *self);

/* Many objects at once (gorm-database-bulk.c): the writes, then, once
 * the transaction that ran them committed, the objects' new state. */

/* Inserts the rows of @n_saves insert saves of unsaved objects of the
 * mapper's type, in multi-row INSERTs within the dialect's parameter
 * limit, and sets @keys[i] (room for @n_saves unset GValues) to the key
 * of the row of @saves[i]. The saves' values are taken. On failure
 * @keys are left unset (some may be set: unset them with the array); the
 * caller rolls back. Checks @cancellable between statements. */
gboolean          gorm_mapper_insert_rows          (GormMapper           *self,
                                                    GormSave            **saves,
                                                    guint                 n_saves,
                                                    GValue               *keys,
                                                    GCancellable         *cancellable,
                                                    GError              **error);
/* GORM_ERROR_VALIDATION when @save writes NULL to a column that takes
 * none (set_not_null()), which a single save leaves to the database's
 * constraint: a bulk insert checks every object before any SQL. */
gboolean          gorm_save_check_not_null         (const GormSchema     *schema,
                                                    GormSave             *save,
                                                    GError              **error);
/* After gorm_mapper_insert_rows() committed: @resource is saved, the
 * live object of the row whose key is @key, with the timestamps @save
 * gave it. Inside a transaction still open, its rollback makes it
 * unsaved again, as for a save. */
void              gorm_mapper_mark_inserted        (GormMapper           *self,
                                                    GormResource         *resource,
                                                    GormSave             *save,
                                                    const GValue         *key);
/* Reads the SQL values of the @n_columns columns @columns of @resource
 * into @sql_values (unset GValues), validated as a save validates them,
 * without automatic timestamps. Needs no lock (the caller's thread). */
gboolean          gorm_mapper_read_columns         (const GormSchema     *schema,
                                                    GormResource         *resource,
                                                    const guint          *columns,
                                                    guint                 n_columns,
                                                    GValue               *sql_values,
                                                    GError              **error);
/* Writes @values (@n_columns a row, the rows of @keys in order, taken)
 * to the columns @columns of the rows whose keys are @keys, in UPDATEs
 * of CASE expressions within the dialect's parameter limit. Returns the
 * rows updated, or -1 with @error set (the caller rolls back). */
gint64            gorm_mapper_update_rows          (GormMapper           *self,
                                                    const GValue         *keys,
                                                    guint                 n_rows,
                                                    const guint          *columns,
                                                    guint                 n_columns,
                                                    GValue               *values,
                                                    GCancellable         *cancellable,
                                                    GError              **error);
/* After gorm_mapper_update_rows() committed: the columns @columns of
 * @resource hold what its row holds (not changed, newer than any load
 * queued before); its other changes stay. Inside a transaction still
 * open, its rollback makes them changed again, as for a save. */
void              gorm_mapper_mark_written         (GormMapper           *self,
                                                    GormResource         *resource,
                                                    const guint          *columns,
                                                    guint                 n_columns);

/* Deletes the object's row. The object stays saved (a signal may still
 * show it): gorm_row_state_mark_deleted() ends that. */
gboolean          gorm_mapper_delete               (GormMapper           *self,
                                                    GormResource         *resource,
                                                    GError              **error);
GormRows         *gorm_mapper_select_by_key        (GormMapper           *self,
                                                    const GValue         *key,
                                                    GError              **error);
/* The SQL values of a row, copied out of @model, so that a worker thread
 * can hand them to the main context. */
GValue           *gorm_mapper_copy_row             (GormMapper           *self,
                                                    GormRows             *model,
                                                    gint                  row,
                                                    GError              **error);
void              gorm_mapper_free_row             (GValue               *row);
/* gorm_mapper_new_resource() from a copied row, which it takes. It needs
 * the schema and the host only, not the database lock. */
gpointer          gorm_mapper_resource_from_row    (const GormSchema     *schema,
                                                    GormMapperHost       *host,
                                                    GValue               *row,
                                                    GError              **error);
/* The object of a row: its live object when it has one, whose properties
 * without unsaved changes take the row's values, else a new object, added
 * to the identity map. */
gpointer          gorm_mapper_new_resource         (GormMapper           *self,
                                                    GormRows             *model,
                                                    gint                  row,
                                                    GError              **error);
/* The object of a row of @schema's type whose columns begin at
 * @first_column of @row (the columns a join added after the query's own):
 * as gorm_mapper_new_resource() makes it. NULL without error when the key
 * column is NULL (a LEFT JOIN that found no row). Needs no lock but the
 * one that keeps @model readable. */
gpointer          gorm_mapper_new_joined_resource  (const GormSchema     *schema,
                                                    GormMapperHost       *host,
                                                    GormRows             *model,
                                                    gint                  row,
                                                    guint                 first_column,
                                                    GError              **error);
/* A stand-in for a row whose values cannot be read into its object (a
 * stored value its property cannot take): the row's live object when it
 * has one, else a new object with only its key set and its other
 * properties at their defaults, which records @read_error and which
 * gorm_mapper_prepare_save() refuses to update. Loading its row again
 * (gorm_mapper_load_resource()) makes it an ordinary object. */
gpointer          gorm_mapper_new_stand_in         (GormMapper           *self,
                                                    GormRows             *model,
                                                    gint                  row,
                                                    const GError         *read_error,
                                                    GError              **error);
/* The error a stand-in records, or NULL for an ordinary object. */
const GError     *gorm_mapper_get_read_error       (GormResource         *resource);
/* Gives @resource the values of @row of @model (a reload), discarding
 * its unsaved changes. */
gboolean          gorm_mapper_load_resource        (GormMapper           *self,
                                                    GormResource         *resource,
                                                    GormRows             *model,
                                                    gint                  row,
                                                    GError              **error);

G_END_DECLS
