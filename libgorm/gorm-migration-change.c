/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-enums.h"
#include "gorm-migration.h"
#include "gorm-migrator-private.h"

/**
 * GormMigrationChange:
 *
 * One item of a migration's plan: a difference between the models and the
 * database that the migration applies, a step of the application, or the
 * schema version the database records afterwards.
 *
 * A change says what it is ([property@Gorm.MigrationChange:kind]), where
 * ([property@Gorm.MigrationChange:table],
 * [property@Gorm.MigrationChange:column]), what the database has and what
 * the models want, as SQL-like text (`INTEGER NOT NULL`, `varchar(40)`,
 * `REFERENCES author (id) ON DELETE CASCADE`), why, in one English
 * sentence naming the type and the property, and the SQL statements it
 * runs, in order.
 *
 * A change SQLite applies by rebuilding its table has no statements of
 * its own: its reason says "by rebuilding the table “x”", and the table's
 * one %GORM_MIGRATION_CHANGE_REBUILD_TABLE item holds the statements. A
 * copy run in chunks of rows is shown as the one `INSERT … SELECT` it is
 * run in chunks of.
 *
 * Changes are made by libgorm only; every property is read-only.
 *
 * ## What a migration compares
 *
 * Each table a model names is compared with the table the database has:
 * every column (its type and maximum length, `NULL` or `NOT NULL`, its
 * default), every index (indexed and unique properties,
 * [method@Gorm.ResourceClass.add_index],
 * [method@Gorm.ResourceClass.add_unique_together]), every foreign key
 * (the table it refers to and its `ON DELETE`), the table's name and the
 * tables of many-to-many relations. Every difference is a change, or the
 * whole migration is refused with `GORM_ERROR_MIGRATION`, naming the
 * table, the column, what the database has and what the model wants, and
 * nothing changes:
 *
 * - a type changes when every stored value converts exactly: an integer
 *   to a double (up to 2^53), a double to an integer when it has no
 *   fraction and fits, anything to text, text to a number when the text
 *   is that number as it is written (`"12"`, not `"012"` or `"1e3"` for
 *   an integer), a boolean to an integer and an integer 0 or 1 to a
 *   boolean, text to an enum when it is one of the enum's nicks, text to
 *   a shorter maximum length when no value is longer; otherwise the first
 *   row that does not convert is named by its key and its value;
 * - a column becomes `NOT NULL` when it holds no `NULL`: the migration
 *   does not invent values (give them in a step of the migration, run
 *   before the changes);
 * - a property becomes unique, or properties unique together, when no two
 *   rows hold the same values (the value is named);
 * - a foreign key is added or retargeted when every non-`NULL` key has
 *   its row in the table it refers to;
 * - a column no property is stored in is dropped when it holds no value,
 *   or when the migration allows it; a rename is never guessed: it is
 *   declared with [method@Gorm.ResourceClass.set_renamed_from] or
 *   [method@Gorm.ResourceClass.set_table_renamed_from].
 *
 * Tables no model names, and indexes libgorm did not create (whose names
 * do not start with `ix_TABLE_` or `ux_TABLE_`), are left alone.
 *
 * SQLite's `ALTER TABLE` cannot change a column's type, nullability or
 * default, nor a foreign key: SQLite's table is rebuilt, in the
 * migration's transaction, by the procedure SQLite documents (a new table,
 * the rows copied in chunks with their conversions, the old table dropped,
 * the new one renamed, its indexes and triggers made again, its foreign
 * keys checked). Such a migration cannot run inside a transaction the
 * application opened, since SQLite's foreign keys are turned off around
 * it. PostgreSQL alters its tables in place: a type change is one
 * `ALTER TABLE … ALTER COLUMN … TYPE … USING`, whose progress is reported
 * before and after it only.
 *
 * Since: 1.0
 */

struct _GormMigrationChange
{
  GObject                  parent_instance;

  GormMigrationChangeKind  kind;
  char                    *table;
  char                    *column;
  char                    *database_has;
  char                    *model_wants;
  char                    *reason;
  /* NULL-terminated. */
  GPtrArray               *statements;
  guint                    version;
  /* A rebuild's copy: its statement's index, run in chunks of rowids. */
  int                      copy_index;
  char                    *range_sql;
  char                    *chunk_sql;
};

G_DEFINE_FINAL_TYPE (GormMigrationChange, gorm_migration_change, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_TABLE,
  PROP_COLUMN,
  PROP_DATABASE_HAS,
  PROP_MODEL_WANTS,
  PROP_REASON,
  PROP_STATEMENTS,
  PROP_VERSION,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

GormMigrationChange *
gorm_migration_change_new (GormMigrationChangeKind  kind,
                           const char              *table,
                           const char              *column,
                           const char              *database_has,
                           const char              *model_wants,
                           const char              *reason,
                           guint                    version)
{
  GormMigrationChange *self = g_object_new (GORM_TYPE_MIGRATION_CHANGE, NULL);

  self->kind = kind;
  self->table = g_strdup (table);
  self->column = g_strdup (column);
  self->database_has = g_strdup (database_has);
  self->model_wants = g_strdup (model_wants);
  self->reason = g_strdup (reason);
  self->version = version;
  return self;
}

void
gorm_migration_change_add_statement (GormMigrationChange *self,
                                     const char          *sql)
{
  g_return_if_fail (GORM_IS_MIGRATION_CHANGE (self));
  g_return_if_fail (sql != NULL);

  g_ptr_array_add (self->statements, g_strdup (sql));
}

void
gorm_migration_change_add_copy (GormMigrationChange *self,
                                const char          *sql,
                                const char          *range_sql,
                                const char          *chunk_sql)
{
  self->copy_index = self->statements->len;
  gorm_migration_change_add_statement (self, sql);
  g_free (self->range_sql);
  self->range_sql = g_strdup (range_sql);
  g_free (self->chunk_sql);
  self->chunk_sql = g_strdup (chunk_sql);
}

int
gorm_migration_change_get_copy (GormMigrationChange  *self,
                                const char          **range_sql,
                                const char          **chunk_sql)
{
  *range_sql = self->range_sql;
  *chunk_sql = self->chunk_sql;
  return self->copy_index;
}

static void
gorm_migration_change_finalize (GObject *object)
{
  GormMigrationChange *self = GORM_MIGRATION_CHANGE (object);

  g_free (self->table);
  g_free (self->column);
  g_free (self->database_has);
  g_free (self->model_wants);
  g_free (self->reason);
  g_ptr_array_unref (self->statements);
  g_free (self->range_sql);
  g_free (self->chunk_sql);

  G_OBJECT_CLASS (gorm_migration_change_parent_class)->finalize (object);
}

static void
gorm_migration_change_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  GormMigrationChange *self = GORM_MIGRATION_CHANGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_TABLE:
      g_value_set_string (value, self->table);
      break;
    case PROP_COLUMN:
      g_value_set_string (value, self->column);
      break;
    case PROP_DATABASE_HAS:
      g_value_set_string (value, self->database_has);
      break;
    case PROP_MODEL_WANTS:
      g_value_set_string (value, self->model_wants);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_STATEMENTS:
      g_value_set_boxed (value, self->statements->pdata);
      break;
    case PROP_VERSION:
      g_value_set_uint (value, self->version);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_migration_change_class_init (GormMigrationChangeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gorm_migration_change_finalize;
  object_class->get_property = gorm_migration_change_get_property;

  /**
   * GormMigrationChange:kind:
   *
   * What the change does.
   *
   * Since: 1.0
   */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       GORM_TYPE_MIGRATION_CHANGE_KIND, GORM_MIGRATION_CHANGE_CREATE_TABLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigrationChange:table:
   *
   * The table the change applies to, as the models name it (the new name
   * of a renamed table); %NULL for a step and for the version.
   *
   * Since: 1.0
   */
  properties[PROP_TABLE] =
    g_param_spec_string ("table", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigrationChange:column:
   *
   * The column the change applies to, as the models name it (the new name
   * of a renamed column; the database's name of a dropped one), or the
   * index; %NULL for a change of a whole table.
   *
   * Since: 1.0
   */
  properties[PROP_COLUMN] =
    g_param_spec_string ("column", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigrationChange:database-has:
   *
   * What the database has, as SQL-like text (`INTEGER NOT NULL`,
   * `UNIQUE (title, author_id)`, the version as a number); %NULL when it
   * has nothing (a new table, column or index).
   *
   * Since: 1.0
   */
  properties[PROP_DATABASE_HAS] =
    g_param_spec_string ("database-has", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigrationChange:model-wants:
   *
   * What the models want, as SQL-like text; %NULL when they want nothing
   * (a dropped column, index or foreign key).
   *
   * Since: 1.0
   */
  properties[PROP_MODEL_WANTS] =
    g_param_spec_string ("model-wants", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigrationChange:reason:
   *
   * Why the change is made: one English sentence naming the type and the
   * property.
   *
   * Since: 1.0
   */
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigrationChange:statements:
   *
   * The SQL statements the change runs, in order; empty for a change its
   * table's rebuild applies, and for a step.
   *
   * Since: 1.0
   */
  properties[PROP_STATEMENTS] =
    g_param_spec_boxed ("statements", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigrationChange:version:
   *
   * The version of a step, or the version the database records for
   * %GORM_MIGRATION_CHANGE_SET_VERSION; 0 for any other change.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION] =
    g_param_spec_uint ("version", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gorm_migration_change_init (GormMigrationChange *self)
{
  self->statements = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  self->copy_index = -1;
}

/**
 * gorm_migration_change_get_kind:
 * @self: a change
 *
 * Gets what @self does.
 *
 * Returns: the kind of change
 *
 * Since: 1.0
 */
GormMigrationChangeKind
gorm_migration_change_get_kind (GormMigrationChange *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION_CHANGE (self), GORM_MIGRATION_CHANGE_CREATE_TABLE);

  return self->kind;
}

/**
 * gorm_migration_change_get_table:
 * @self: a change
 *
 * Gets the table @self applies to.
 *
 * Returns: (nullable): the table's name, %NULL for a step and for the
 *   version
 *
 * Since: 1.0
 */
const char *
gorm_migration_change_get_table (GormMigrationChange *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION_CHANGE (self), NULL);

  return self->table;
}

/**
 * gorm_migration_change_get_column:
 * @self: a change
 *
 * Gets the column (or the index) @self applies to.
 *
 * Returns: (nullable): the column's name, %NULL for a change of a whole
 *   table
 *
 * Since: 1.0
 */
const char *
gorm_migration_change_get_column (GormMigrationChange *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION_CHANGE (self), NULL);

  return self->column;
}

/**
 * gorm_migration_change_get_database_has:
 * @self: a change
 *
 * Gets what the database has, as SQL-like text such as `INTEGER NOT NULL`
 * or `REFERENCES author (id) ON DELETE CASCADE`.
 *
 * Returns: (nullable): what the database has, %NULL when nothing
 *
 * Since: 1.0
 */
const char *
gorm_migration_change_get_database_has (GormMigrationChange *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION_CHANGE (self), NULL);

  return self->database_has;
}

/**
 * gorm_migration_change_get_model_wants:
 * @self: a change
 *
 * Gets what the models want, as SQL-like text such as `varchar(40)` or
 * `UNIQUE (title, author_id)`.
 *
 * Returns: (nullable): what the models want, %NULL when nothing
 *
 * Since: 1.0
 */
const char *
gorm_migration_change_get_model_wants (GormMigrationChange *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION_CHANGE (self), NULL);

  return self->model_wants;
}

/**
 * gorm_migration_change_get_reason:
 * @self: a change
 *
 * Gets why @self is made: one English sentence naming the type and the
 * property, saying "by rebuilding the table “x”" for a change SQLite
 * applies by rebuilding its table.
 *
 * Returns: (nullable): the reason
 *
 * Since: 1.0
 */
const char *
gorm_migration_change_get_reason (GormMigrationChange *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION_CHANGE (self), NULL);

  return self->reason;
}

/**
 * gorm_migration_change_get_statements:
 * @self: a change
 *
 * Gets the SQL statements @self runs, in order. A change applied by its
 * table's rebuild, and a step, have none; a copy run in chunks of rows is
 * shown as the one `INSERT … SELECT` it is run in chunks of.
 *
 * Returns: (transfer none) (array zero-terminated=1): the statements
 *
 * Since: 1.0
 */
const char * const *
gorm_migration_change_get_statements (GormMigrationChange *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION_CHANGE (self), NULL);

  return (const char * const *) self->statements->pdata;
}

/**
 * gorm_migration_change_get_version:
 * @self: a change
 *
 * Gets the version of a step, or the version the database records for
 * %GORM_MIGRATION_CHANGE_SET_VERSION.
 *
 * Returns: the version, 0 for any other change
 *
 * Since: 1.0
 */
guint
gorm_migration_change_get_version (GormMigrationChange *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION_CHANGE (self), 0);

  return self->version;
}
