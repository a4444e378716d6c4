/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-connection-private.h"
#include "gorm-migration.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/*
 * The migrator: the differences between the schemas of resource types
 * and the tables a database has, turned into changes (GormMigrationChange,
 * each with the statements it runs) and run in one transaction.
 *
 * Planning reads only: the catalog and the data the changes would
 * convert. A difference that cannot be applied with the data kept is
 * refused with GORM_ERROR_MIGRATION naming the table, the column, what
 * the database has and what the model wants, and nothing changes.
 *
 * Called with the connection's lock held (gorm-connection-private.h).
 */

typedef struct {
  const GType *types;
  guint        n_types;
  /* "table.column" (g_str_hash), the columns holding data that may be
   * dropped; or NULL. */
  GHashTable  *allowed_drops;
  /* Whether the plan leaves out the scans of the values stored in the
   * columns it does not convert (check_stored_values_locked()): a type's
   * first use plans so, and plans again with them when it changes
   * anything. */
  gboolean     skip_value_scans;
} GormMigratorRequest;

/* Reads only (catalog + data checks): the changes bringing the database
 * to the types, in run order (GPtrArray of GormMigrationChange, owning);
 * an empty array when nothing differs; NULL + GORM_ERROR_MIGRATION for a
 * difference refused (nothing changed). */
GPtrArray *gorm_migrator_plan_locked    (GormConnection             *connection,
                                         const GormMigratorRequest  *request,
                                         GError                    **error);
/* Before BEGIN / after COMMIT or ROLLBACK: SQLite's PRAGMA foreign_keys
 * OFF and back ON when @changes rebuild a table (a no-op otherwise and on
 * PostgreSQL; a rebuild is SQLite's REBUILD_TABLE change). Fails with
 * MIGRATION when a transaction is open and a rebuild is needed. */
gboolean   gorm_migrator_prepare_locked (GormConnection             *connection,
                                         GPtrArray                  *changes,
                                         GError                    **error);
void       gorm_migrator_restore_locked (GormConnection             *connection,
                                         GPtrArray                  *changes);

typedef void (*GormMigratorProgressFunc) (GormMigrationChange *change,
                                          gdouble              fraction,
                                          gpointer             user_data);

/* Runs @changes inside the open transaction (copies in chunks, calling
 * @progress after each chunk; cancellable between chunks), then SQLite's
 * foreign_key_check; fails naming table/column/row. @progress gets the
 * fraction of the whole of @changes done: each change is an equal share,
 * reported when it starts and when it ends, and a rebuild's copy after
 * each chunk within its share (a PostgreSQL ALTER … TYPE, one statement,
 * before and after only). */
gboolean   gorm_migrator_apply_locked   (GormConnection             *connection,
                                         GPtrArray                  *changes,
                                         GormMigratorProgressFunc    progress,
                                         gpointer                    user_data,
                                         GCancellable               *cancellable,
                                         GError                    **error);

/* The run of a migration, inside the transaction it began after
 * gorm_migrator_prepare_locked (@prepared), which a first use and
 * GormMigration share: waits first until no other connection migrates
 * (the dialect's migration_lock_sql, held to the transaction's end), then
 * reads the changes of @request again, since another
 * connection (or a step) may have changed the tables since @prepared was
 * read, and applies them as gorm_migrator_apply_locked() does. A rebuild
 * that @prepared has not prepared fails with GORM_ERROR_MIGRATION and
 * runs nothing: SQLite cannot turn its foreign keys off inside the
 * transaction. Returns the changes applied (owning; empty when nothing
 * differs any more), or NULL with @error set; the caller commits or rolls
 * back. */
GPtrArray *gorm_migrator_replan_and_apply_locked (GormConnection             *connection,
                                                  const GormMigratorRequest  *request,
                                                  GPtrArray                  *prepared,
                                                  GormMigratorProgressFunc    progress,
                                                  gpointer                    user_data,
                                                  GCancellable               *cancellable,
                                                  GError                    **error);

/* The private constructor of GormMigrationChange (gorm-migration-change.c),
 * for every kind: the differ's changes, and the STEP and SET_VERSION
 * items of GormMigration. */
GormMigrationChange *gorm_migration_change_new (GormMigrationChangeKind  kind,
                                                const char              *table,
                                                const char              *column,
                                                const char              *database_has,
                                                const char              *model_wants,
                                                const char              *reason,
                                                guint                    version);
/* Appends @sql to the statements of @self. */
void       gorm_migration_change_add_statement (GormMigrationChange *self,
                                                const char          *sql);

/* Appends @sql, a copy of rows that gorm_migrator_apply_locked() runs as
 * @chunk_sql (the same with ##p0 <= rowid < ##p1) over the rowids that
 * @range_sql (their min and max) gives. */
void       gorm_migration_change_add_copy (GormMigrationChange *self,
                                           const char          *sql,
                                           const char          *range_sql,
                                           const char          *chunk_sql);
/* The index of the copy among the statements, -1 when there is none. */
int        gorm_migration_change_get_copy (GormMigrationChange  *self,
                                           const char          **range_sql,
                                           const char          **chunk_sql);

G_END_DECLS
