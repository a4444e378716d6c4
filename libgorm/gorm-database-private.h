/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-change-feed-private.h"
#include "gorm-database.h"
#include "gorm-dialect-private.h"
#include "gorm-connection-private.h"
#include "gorm-mapper-private.h"
#include "gorm-worker-private.h"

G_BEGIN_DECLS

/*
 * A database runs one statement at a time. Its lock is its connection's
 * one plain GMutex (see the lock discipline in gorm-connection-private.h):
 * gorm_database_lock() takes it, gorm_database_unlock() lets it go, and a
 * function named *_locked here, in gorm-mapper-private.h and in the query
 * and query-model files is called with it held by the calling thread and
 * never takes it again. What would call out to the application while the
 * main context's thread holds it (notifications, signals, via
 * gorm_database_defer()) is held back and runs as it is let go.
 */
void                gorm_database_lock               (GormDatabase     *self);
void                gorm_database_unlock             (GormDatabase     *self);
/* gorm_database_begin(), _commit() and _rollback() with the lock held. */
gboolean            gorm_database_begin_locked       (GormDatabase     *self,
                                                      GError          **error);
gboolean            gorm_database_commit_locked      (GormDatabase     *self,
                                                      GError          **error);
gboolean            gorm_database_rollback_locked    (GormDatabase     *self,
                                                      GError          **error);
/* The schema version the table `gorm_schema` records, 0 when none;
 * writing it creates the table, inside a migration's transaction (its
 * SQL: gorm-dialect-private.h). */

gboolean            gorm_database_read_schema_version_locked  (GormDatabase  *self,
                                                               guint         *version,
                                                               GError       **error);
gboolean            gorm_database_write_schema_version_locked (GormDatabase  *self,
                                                               guint          version,
                                                               GError       **error);
/* Records that @types were migrated (gorm_database_is_migrated()). */
void                gorm_database_note_migrated      (GormDatabase     *self,
                                                      const GType      *types,
                                                      guint             n_types);
const GormDialect  *gorm_database_get_dialect        (GormDatabase     *self);
/* The provider name, for messages; NULL before the database is open. */
const char         *gorm_database_get_provider       (GormDatabase     *self);
/* The connection, or GORM_ERROR_CONNECTION when it is closed or unusable. */
GormConnection     *gorm_database_get_connection_locked (GormDatabase  *self,
                                                      GError          **error);
/* The execution layer of the database, for tests (fault injection). */
GormConnection     *gorm_database_get_execution      (GormDatabase     *self);
/* The mapper of @type; the first use of @type on the database (since it
 * was opened, or since the last rollback) migrates it, as
 * gorm_database_ensure_migrated() does, except inside a GormMigration run
 * (see gorm_database_begin_migrating()). */
GormMapper         *gorm_database_get_mapper_locked  (GormDatabase     *self,
                                                      GType             type,
                                                      GError          **error);
/* Takes the lock and gets the mappers of @types (migrating those used for
 * the first time): for what runs no mapper statement, a query's runners. */
gboolean            gorm_database_use_types          (GormDatabase     *self,
                                                      const GType      *types,
                                                      guint             n_types,
                                                      GError          **error);
/* Around a GormMigration run on @self in the calling thread, whose steps
 * use the tables as they are: no first-use migration of @self in this
 * thread meanwhile. Returns what gorm_database_end_migrating() restores. */
gpointer            gorm_database_begin_migrating    (GormDatabase     *self);
void                gorm_database_end_migrating      (gpointer          previous);

/*
 * The main context: object changes and signals made outside it (on the
 * worker or another thread) are queued and happen there, in order.
 */
/* What the database gives its mappers and the objects of its rows. */
GormMapperHost     *gorm_database_get_mapper_host    (GormDatabase     *self);
void                gorm_database_defer              (GormDatabase     *self,
                                                      GFunc             func,
                                                      gpointer          data,
                                                      GDestroyNotify    destroy);

/*
 * Asynchronous calls: a task runs on the database's worker thread, where
 * its thread function calls the synchronous API and completes it with
 * gorm_task_return_*(), which take @error (transfer full) when it is set.
 * The result reaches the caller's callback in the main context, after
 * every change the call made to objects there.
 */
GTask              *gorm_database_new_task           (GormDatabase        *self,
                                                      gpointer             source_object,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data,
                                                      gpointer             source_tag);
void                gorm_database_run_task           (GormDatabase        *self,
                                                      GTask               *task,
                                                      GTaskThreadFunc      func);
void                gorm_task_return_boolean         (GTask               *task,
                                                      gboolean             ok,
                                                      GError              *error);
void                gorm_task_return_int             (GTask               *task,
                                                      gint64               value,
                                                      GError              *error);
void                gorm_task_return_pointer         (GTask               *task,
                                                      gpointer             value,
                                                      GDestroyNotify       destroy,
                                                      GError              *error);

/* Emit #GormDatabase::resource-saved or ::resource-deleted for a write
 * made with the database lock held (which the caller holds): in the main
 * context, once the write is committed (at once outside a transaction,
 * at the outermost COMMIT inside one; never when it rolls back). */
void                gorm_database_emit_saved         (GormDatabase     *self,
                                                      GormResource     *resource,
                                                      gboolean          created);
void                gorm_database_emit_deleted       (GormDatabase     *self,
                                                      GormResource     *resource);

/*
 * The identity map: at most one live object per row, without a reference
 * to it. Keys are the stored (SQL) values of the primary key.
 */
GormResource       *gorm_database_lookup_live_locked (GormDatabase     *self,
                                                      GType             type,
                                                      const GValue     *key);
/* Whether an object of exactly @type is live. */
gboolean            gorm_database_has_live_locked    (GormDatabase     *self,
                                                      GType             type);
/* Needs no database lock (the map has its own): a resource also leaves
 * the map as it is disposed, in any thread. */
void                gorm_database_remove_live        (GormDatabase     *self,
                                                      GormResource     *resource,
                                                      const GValue     *key);

/*
 * Changes to rows, published to the database's change feed (see
 * gorm-change-feed-private.h), which live query models subscribe to:
 * every write of rows of @type is announced before it runs, with the keys
 * it changes (none for an insert), and after it ran, with the keys it
 * changed, whether they were deleted. Between the two only that write
 * runs. Writers that find no watchers skip both.
 */
GormChangeFeed     *gorm_database_get_change_feed     (GormDatabase    *self);
gboolean            gorm_database_has_watchers_locked (GormDatabase    *self,
                                                       GType            type);
void                gorm_database_begin_change_locked (GormDatabase    *self,
                                                       GType            type,
                                                       const GValue    *keys,
                                                       guint            n_keys);
void                gorm_database_end_change_locked   (GormDatabase    *self,
                                                       GType            type,
                                                       const GValue    *keys,
                                                       guint            n_keys,
                                                       gboolean         deleted);

/* A live model follows the commits of other connections to the
 * database (other programs, other database objects): the change feed is
 * told of them (gorm_change_feed_publish_foreign()) while at least one
 * model follows. With the lock held, before the model reads what it
 * shows. FALSE when the engine cannot tell (nothing to undo then). */
gboolean            gorm_database_follow_others_locked (GormDatabase   *self,
                                                        const char     *table);
/* Ends one gorm_database_follow_others_locked() that returned TRUE. Any
 * thread, with or without the lock. */
void                gorm_database_unfollow_others     (GormDatabase    *self);
/* The object of a row copied with gorm_mapper_copy_row(), which it takes:
 * made in the caller's thread, the main context for async calls. */
gpointer            gorm_database_resource_from_row  (GormDatabase     *self,
                                                      GType             type,
                                                      GValue           *row,
                                                      GError          **error);
/* The objects of @rows, rows copied with gorm_mapper_copy_row() when
 * @stamp was taken (gorm_mapper_take_read_stamp()), which it takes (each
 * left NULL), in order: NULL with @error set at the first that fails,
 * the rows not taken left in @rows. Free rows with a function that skips
 * NULL. */
GPtrArray          *gorm_database_resources_from_rows (GormDatabase    *self,
                                                       GType            type,
                                                       GPtrArray       *rows,
                                                       guint64          stamp,
                                                       GError         **error);

/*
 * on_delete in memory (see gorm-database.c): before deleting the rows of
 * @schema whose keys are @keys, with the lock held. Refuses a PROTECT or
 * RESTRICT relation that rows still use (GORM_ERROR_CONSTRAINT naming the
 * referencing type, the relation and the number of rows), else reads the
 * rows a CASCADE, SET_NULL or SET_DEFAULT changes and announces them to
 * the change feed. NULL without error when nothing refers to the rows (or
 * @schema's type is referenced by no type): then nothing was read unless
 * the type is referenced. gorm_database_finish_on_delete_locked() after
 * the delete, with whether it deleted, takes the plan.
 */
typedef struct _GormOnDeletePlan GormOnDeletePlan;

GormOnDeletePlan   *gorm_database_plan_on_delete_locked   (GormDatabase      *self,
                                                           const GormSchema  *schema,
                                                           const GValue      *keys,
                                                           guint              n_keys,
                                                           GError           **error);
void                gorm_database_finish_on_delete_locked (GormDatabase      *self,
                                                           GormOnDeletePlan  *plan,
                                                           gboolean           deleted);
void                gorm_on_delete_plan_free              (GormOnDeletePlan  *plan);

/* How many objects the identity map holds, for tests. */
guint               gorm_database_get_n_live         (GormDatabase     *self);

void                gorm_database_set_trace_func     (GormDatabase     *self,
                                                      GormTraceFunc     func,
                                                      gpointer          user_data);

G_END_DECLS
