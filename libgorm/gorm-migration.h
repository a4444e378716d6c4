/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gorm-types.h"
#include "gorm-version.h"

G_BEGIN_DECLS

/* GormMigrationChange: one item of a migration's plan. */

/**
 * GormMigrationChangeKind:
 * @GORM_MIGRATION_CHANGE_CREATE_TABLE: a new table, with its indexes
 * @GORM_MIGRATION_CHANGE_RENAME_TABLE: a table renamed, as
 *   [method@Gorm.ResourceClass.set_table_renamed_from] declares
 * @GORM_MIGRATION_CHANGE_CREATE_LINK_TABLE: the table of the links of a
 *   many-to-many relation
 * @GORM_MIGRATION_CHANGE_ADD_COLUMN: a new column
 * @GORM_MIGRATION_CHANGE_DROP_COLUMN: a column no property is stored in any
 *   more: it holds no value, or dropping it was allowed
 * @GORM_MIGRATION_CHANGE_RENAME_COLUMN: a column renamed, as
 *   [method@Gorm.ResourceClass.set_renamed_from] declares
 * @GORM_MIGRATION_CHANGE_ALTER_TYPE: a column's type or maximum length
 *   changed, its values converted
 * @GORM_MIGRATION_CHANGE_ALTER_NULL: a column that accepted `NULL` no
 *   longer does, or the other way round
 * @GORM_MIGRATION_CHANGE_ALTER_DEFAULT: a column's default changed
 * @GORM_MIGRATION_CHANGE_ADD_INDEX: a new index: of an indexed or unique
 *   property, of [method@Gorm.ResourceClass.add_index] or of
 *   [method@Gorm.ResourceClass.add_unique_together]
 * @GORM_MIGRATION_CHANGE_DROP_INDEX: an index the models no longer have
 * @GORM_MIGRATION_CHANGE_ADD_FOREIGN_KEY: a new foreign key on a column
 * @GORM_MIGRATION_CHANGE_DROP_FOREIGN_KEY: a foreign key the models no
 *   longer have
 * @GORM_MIGRATION_CHANGE_ALTER_FOREIGN_KEY: a foreign key that refers to
 *   another table, or whose `ON DELETE` changed
 * @GORM_MIGRATION_CHANGE_REBUILD_TABLE: a table made anew, its rows copied
 *   into it: how SQLite applies what its `ALTER TABLE` cannot do
 * @GORM_MIGRATION_CHANGE_STEP: a step of the application, run for a
 *   version
 * @GORM_MIGRATION_CHANGE_SET_VERSION: the schema version the database
 *   records from then on
 *
 * What an item of a migration's plan does: see #GormMigrationChange.
 *
 * Since: 1.0
 */
typedef enum {
  GORM_MIGRATION_CHANGE_CREATE_TABLE,
  GORM_MIGRATION_CHANGE_RENAME_TABLE,
  GORM_MIGRATION_CHANGE_CREATE_LINK_TABLE,
  GORM_MIGRATION_CHANGE_ADD_COLUMN,
  GORM_MIGRATION_CHANGE_DROP_COLUMN,
  GORM_MIGRATION_CHANGE_RENAME_COLUMN,
  GORM_MIGRATION_CHANGE_ALTER_TYPE,
  GORM_MIGRATION_CHANGE_ALTER_NULL,
  GORM_MIGRATION_CHANGE_ALTER_DEFAULT,
  GORM_MIGRATION_CHANGE_ADD_INDEX,
  GORM_MIGRATION_CHANGE_DROP_INDEX,
  GORM_MIGRATION_CHANGE_ADD_FOREIGN_KEY,
  GORM_MIGRATION_CHANGE_DROP_FOREIGN_KEY,
  GORM_MIGRATION_CHANGE_ALTER_FOREIGN_KEY,
  GORM_MIGRATION_CHANGE_REBUILD_TABLE,
  GORM_MIGRATION_CHANGE_STEP,
  GORM_MIGRATION_CHANGE_SET_VERSION,
} GormMigrationChangeKind;

#define GORM_TYPE_MIGRATION_CHANGE (gorm_migration_change_get_type ())

GORM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GormMigrationChange, gorm_migration_change, GORM, MIGRATION_CHANGE, GObject)

GORM_AVAILABLE_IN_ALL
GormMigrationChangeKind  gorm_migration_change_get_kind         (GormMigrationChange *self);
GORM_AVAILABLE_IN_ALL
const char              *gorm_migration_change_get_table        (GormMigrationChange *self);
GORM_AVAILABLE_IN_ALL
const char              *gorm_migration_change_get_column       (GormMigrationChange *self);
GORM_AVAILABLE_IN_ALL
const char              *gorm_migration_change_get_database_has (GormMigrationChange *self);
GORM_AVAILABLE_IN_ALL
const char              *gorm_migration_change_get_model_wants  (GormMigrationChange *self);
GORM_AVAILABLE_IN_ALL
const char              *gorm_migration_change_get_reason       (GormMigrationChange *self);
GORM_AVAILABLE_IN_ALL
const char * const      *gorm_migration_change_get_statements   (GormMigrationChange *self);
GORM_AVAILABLE_IN_ALL
guint                    gorm_migration_change_get_version      (GormMigrationChange *self);

/* GormMigration. */

/**
 * GormMigrationStage:
 * @GORM_MIGRATION_STAGE_BEFORE_CHANGES: the step runs before the changes
 *   of the tables: it sees the tables as the database has them
 * @GORM_MIGRATION_STAGE_AFTER_CHANGES: the step runs after the changes of
 *   the tables: it sees them as the types declare them
 *
 * When a step of a [class@Gorm.Migration] runs.
 *
 * Since: 1.0
 */
typedef enum {
  GORM_MIGRATION_STAGE_BEFORE_CHANGES,
  GORM_MIGRATION_STAGE_AFTER_CHANGES,
} GormMigrationStage;

#define GORM_TYPE_MIGRATION (gorm_migration_get_type ())

GORM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GormMigration, gorm_migration, GORM, MIGRATION, GObject)

/**
 * GormMigrationStepFunc:
 * @migration: the migration running the step
 * @database: the database it migrates, to use with the ordinary API
 * @version: the schema version the step belongs to
 * @user_data: the data given to [method@Gorm.Migration.add_step]
 * @error: return location for an error
 *
 * A step of the application, run inside the migration's transaction in
 * the thread running the migration.
 *
 * Returns: %TRUE on success; %FALSE with @error set rolls the whole
 *   migration back
 *
 * Since: 1.0
 */
typedef gboolean (*GormMigrationStepFunc) (GormMigration  *migration,
                                           GormDatabase   *database,
                                           guint           version,
                                           gpointer        user_data,
                                           GError        **error);

GORM_AVAILABLE_IN_ALL
GormMigration *gorm_migration_new          (GormDatabase          *database,
                                            const GType           *types,
                                            guint                  n_types) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
void           gorm_migration_set_version  (GormMigration         *self,
                                            guint                  version);
GORM_AVAILABLE_IN_ALL
guint          gorm_migration_get_version  (GormMigration         *self);
GORM_AVAILABLE_IN_ALL
void           gorm_migration_add_step     (GormMigration         *self,
                                            guint                  version,
                                            GormMigrationStage     stage,
                                            GormMigrationStepFunc  func,
                                            gpointer               user_data,
                                            GDestroyNotify         destroy);
GORM_AVAILABLE_IN_ALL
void           gorm_migration_allow_drop   (GormMigration         *self,
                                            const char            *table,
                                            const char            *column);
GORM_AVAILABLE_IN_ALL
GListModel    *gorm_migration_plan         (GormMigration         *self,
                                            GCancellable          *cancellable,
                                            GError               **error);
GORM_AVAILABLE_IN_ALL
void           gorm_migration_plan_async   (GormMigration         *self,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
GORM_AVAILABLE_IN_ALL
GListModel    *gorm_migration_plan_finish  (GormMigration         *self,
                                            GAsyncResult          *result,
                                            GError               **error);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_migration_run          (GormMigration         *self,
                                            GCancellable          *cancellable,
                                            GError               **error);
GORM_AVAILABLE_IN_ALL
void           gorm_migration_run_async    (GormMigration         *self,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_migration_run_finish   (GormMigration         *self,
                                            GAsyncResult          *result,
                                            GError               **error);
GORM_AVAILABLE_IN_ALL
gdouble        gorm_migration_get_fraction (GormMigration         *self);

G_END_DECLS
