/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-error.h"
#include "gorm-migrator-private.h"
#include "gorm-relation-private.h"

/* Appends a new change to @changes and returns it (owned by @changes). */
static GormMigrationChange *
add_change (GPtrArray               *changes,
            GormMigrationChangeKind  kind,
            const char              *table,
            const char              *column,
            const char              *database_has,
            const char              *model_wants,
            const char              *reason)
{
  GormMigrationChange *change = gorm_migration_change_new (kind, table, column, database_has,
                                                           model_wants, reason, 0);

  g_ptr_array_add (changes, change);
  return change;
}

/* The declared type of each existing column of @schema's table, by
 * column name; NULL with no error when the table does not exist. */
static GHashTable *
read_table_columns_locked (GormConnection    *connection,
                           const GormDialect *dialect,
                           const char        *table_name,
                           GError           **error)
{
  static const GType types[] = { G_TYPE_STRING, G_TYPE_STRING, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  g_autoptr(GHashTable) columns = NULL;
  GormStatement *statement;
  GValue table = G_VALUE_INIT;
  guint n_rows;

  statement = gorm_connection_lookup_locked (connection, dialect->table_columns_sql, error);
  if (statement == NULL)
    return NULL;
  g_value_init (&table, G_TYPE_STRING);
  g_value_set_string (&table, table_name);
  gorm_statement_take_param (statement, 0, &table);
  rows = gorm_connection_select_locked (connection, statement, types, error);
  if (rows == NULL)
    return NULL;

  n_rows = gorm_rows_get_n_rows (rows);
  if (n_rows == 0)
    return NULL;
  columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint row = 0; row < n_rows; row++)
    {
      const GValue *name = gorm_rows_get_value (rows, 0, row, error);
      const GValue *type = name ? gorm_rows_get_value (rows, 1, row, error) : NULL;

      if (type == NULL)
        return NULL;
      g_hash_table_insert (columns, g_value_dup_string (name),
                           G_VALUE_HOLDS_STRING (type) ? g_value_dup_string (type) : g_strdup (""));
    }

  return g_steal_pointer (&columns);
}

static GHashTable *
read_columns_locked (GormConnection    *connection,
                     const GormDialect *dialect,
                     const GormSchema  *schema,
                     GError           **error)
{
  return read_table_columns_locked (connection, dialect, schema->table, error);
}

/* The names of the indexes of @schema's table. */
static GHashTable *
read_indexes_locked (GormConnection    *connection,
                     const GormDialect *dialect,
                     const GormSchema  *schema,
                     GError           **error)
{
  static const GType types[] = { G_TYPE_STRING, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  g_autoptr(GHashTable) names = NULL;
  GormStatement *statement;
  GValue table = G_VALUE_INIT;

  statement = gorm_connection_lookup_locked (connection, dialect->table_indexes_sql, error);
  if (statement == NULL)
    return NULL;
  g_value_init (&table, G_TYPE_STRING);
  g_value_set_string (&table, schema->table);
  gorm_statement_take_param (statement, 0, &table);
  rows = gorm_connection_select_locked (connection, statement, types, error);
  if (rows == NULL)
    return NULL;

  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint row = 0; row < gorm_rows_get_n_rows (rows); row++)
    {
      const GValue *name = gorm_rows_get_value (rows, 0, row, error);

      if (name == NULL)
        return NULL;
      if (G_VALUE_HOLDS_STRING (name))
        g_hash_table_add (names, g_value_dup_string (name));
    }
  return g_steal_pointer (&names);
}

/* Fails when an existing @column holds a value of another storage class
 * than its values need: a table another tool created, without libgorm's
 * CHECK, can hold 'abc' in an INTEGER column, which libgda would read
 * as 0. Every such column is scanned, even one carrying libgorm's CHECK:
 * the CHECK can be dropped or bypassed (PRAGMA ignore_check_constraints)
 * by other tools, and the scan, one read stopping at the first bad row,
 * costs a pass over the table at migration only. */
static gboolean
check_stored_values_locked (GormConnection    *connection,
                            const GormDialect *dialect,
                            const GormSchema  *schema,
                            const GormColumn  *column,
                            GError           **error)
{
  static const GType types[] = { G_TYPE_STRING, G_TYPE_STRING, G_TYPE_NONE };
  g_autofree char *sql = gorm_dialect_render_find_misstored (dialect, schema, column);
  g_autoptr(GormRows) rows = NULL;
  GormStatement *statement;
  const GValue *key;
  const GValue *value;

  if (sql == NULL)
    return TRUE;
  statement = gorm_connection_lookup_locked (connection, sql, error);
  if (statement == NULL)
    return FALSE;
  rows = gorm_connection_select_locked (connection, statement, types, error);
  if (rows == NULL)
    return FALSE;
  if (gorm_rows_get_n_rows (rows) == 0)
    return TRUE;

  key = gorm_rows_get_value (rows, 0, 0, error);
  value = key ? gorm_rows_get_value (rows, 1, 0, error) : NULL;
  if (value == NULL)
    return FALSE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
               "Cannot migrate %s: the column “%s” of the table “%s” holds %s in the row "
               "whose “%s” is “%s”, which the %s property “%s” cannot be read from "
               "(expected a value of storage class “%s”)",
               schema->type_name, column->name, schema->table,
               G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : "",
               schema->key->name,
               G_VALUE_HOLDS_STRING (key) && g_value_get_string (key) ? g_value_get_string (key) : "NULL",
               g_type_name (G_PARAM_SPEC_VALUE_TYPE (column->pspec)),
               column->pspec->name, dialect->storage_class (column));
  return FALSE;
}

/* Appends to @changes what evolves the table of @schema; fails when
 * an existing column contradicts it. */
static gboolean
plan_type_locked (GormConnection    *connection,
                  const GormDialect *dialect,
                  const GormSchema  *schema,
                  GPtrArray         *changes,
                  GError           **error)
{
  g_autoptr(GHashTable) columns = NULL;
  g_autoptr(GHashTable) indexes = NULL;
  g_autoptr(GError) local_error = NULL;

  columns = read_columns_locked (connection, dialect, schema, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (columns == NULL)
    {
      g_autoptr(GPtrArray) created = gorm_dialect_render_create_indexes (dialect, schema);
      g_autofree char *create = gorm_dialect_render_create_table (dialect, schema);
      g_autofree char *reason = g_strdup_printf ("%s is stored in the table “%s”, which the "
                                                 "database does not have",
                                                 schema->type_name, schema->table);
      GormMigrationChange *change = add_change (changes, GORM_MIGRATION_CHANGE_CREATE_TABLE,
                                                schema->table, NULL, NULL, NULL, reason);

      gorm_migration_change_add_statement (change, create);
      for (guint i = 0; i < created->len; i++)
        gorm_migration_change_add_statement (change, g_ptr_array_index (created, i));
      return TRUE;
    }

  /* Every contradiction is found before anything is planned. */
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];
      const char *stored = g_hash_table_lookup (columns, column->name);

      if (stored != NULL && !dialect->column_type_fits (column, stored))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                       "Cannot migrate %s: the column “%s” of the table “%s” is stored as "
                       "“%s”, which cannot hold the %s property “%s” (expected “%s”)",
                       schema->type_name, column->name, schema->table, stored,
                       g_type_name (G_PARAM_SPEC_VALUE_TYPE (column->pspec)),
                       column->pspec->name,
                       (column->flags & GORM_COLUMN_AUTO_ID) ? dialect->auto_id_column_type
                                                            : dialect->column_type (column));
          return FALSE;
        }
      if (stored != NULL &&
          !check_stored_values_locked (connection, dialect, schema, column, error))
        return FALSE;
    }

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];
      g_autoptr(GPtrArray) added = NULL;
      g_autofree char *reason = NULL;
      GormMigrationChange *change;

      if (g_hash_table_contains (columns, column->name))
        continue;
      added = gorm_dialect_render_add_column (dialect, schema, column, error);
      if (added == NULL)
        return FALSE;
      reason = g_strdup_printf ("%s:%s is stored in the column “%s”, which the table “%s” "
                                "does not have", schema->type_name, column->pspec->name,
                                column->name, schema->table);
      change = add_change (changes, GORM_MIGRATION_CHANGE_ADD_COLUMN, schema->table,
                           column->name, NULL, dialect->column_type (column), reason);
      for (guint j = 0; j < added->len; j++)
        gorm_migration_change_add_statement (change, g_ptr_array_index (added, j));
    }

  indexes = read_indexes_locked (connection, dialect, schema, error);
  if (indexes == NULL)
    return FALSE;
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];
      g_autofree char *index = NULL;

      if (!gorm_dialect_column_needs_index (column))
        continue;
      index = gorm_dialect_index_name (schema, column, FALSE);
      if (!g_hash_table_contains (indexes, index))
        {
          g_autofree char *sql = gorm_dialect_render_index (dialect, schema, column, FALSE);
          g_autofree char *reason = g_strdup_printf ("%s:%s is indexed", schema->type_name,
                                                     column->pspec->name);

          gorm_migration_change_add_statement (add_change (changes,
                                                           GORM_MIGRATION_CHANGE_ADD_INDEX,
                                                           schema->table, index, NULL,
                                                           "INDEX", reason),
                                               sql);
        }
    }
  for (guint i = 0; i < schema->n_indexes; i++)
    if (!g_hash_table_contains (indexes, schema->indexes[i].name))
      {
        const GormIndex *index = &schema->indexes[i];
        g_autofree char *sql = gorm_dialect_render_composite_index (dialect, schema, index);
        g_autofree char *properties = gorm_dialect_index_properties (index);
        g_autofree char *reason =
          index->unique
          ? g_strdup_printf ("%s makes %s unique together "
                             "(gorm_resource_class_add_unique_together())",
                             schema->type_name, properties)
          : g_strdup_printf ("%s has an index on %s (gorm_resource_class_add_index())",
                             schema->type_name, properties);

        gorm_migration_change_add_statement (add_change (changes,
                                                         GORM_MIGRATION_CHANGE_ADD_INDEX,
                                                         schema->table, index->name, NULL,
                                                         index->unique ? "UNIQUE" : "INDEX",
                                                         reason),
                                             sql);
      }

  return TRUE;
}

/* Turns the failure of @sql, when it created a unique composite index
 * over rows that already break it, into GORM_ERROR_MIGRATION naming the
 * type and the properties. */
/* Turns the failure of a statement of @change, when it broke a
 * constraint (rows that break a new unique index), into
 * GORM_ERROR_MIGRATION naming the table and the change's reason. */
static void
explain_failure (GormMigrationChange  *change,
                 GError              **error)
{
  if (error == NULL || !g_error_matches (*error, GORM_ERROR, GORM_ERROR_CONSTRAINT))
    return;
  (*error)->code = GORM_ERROR_MIGRATION;
  g_prefix_error (error, "Cannot migrate the table “%s”: its rows break “%s” (%s): ",
                  gorm_migration_change_get_table (change),
                  gorm_migration_change_get_column (change),
                  gorm_migration_change_get_reason (change));
}

/* Appends @type to @order after the types its foreign keys and
 * many-to-many relations point to, which must exist first: a type given
 * to migrate() brings the tables it refers to. A cycle of foreign keys
 * between types is cut where it closes. */
static gboolean
order_type (GType        type,
            GArray      *order,
            GHashTable  *seen,
            GError     **error)
{
  const GormSchema *schema;
  const GormRelation * const *relations;

  if (g_hash_table_contains (seen, GSIZE_TO_POINTER (type)))
    return TRUE;
  g_hash_table_add (seen, GSIZE_TO_POINTER (type));

  schema = gorm_schema_lookup (type, error);
  if (schema == NULL)
    return FALSE;
  if (!gorm_schema_check_relations (schema, error))
    {
      g_prefix_error (error, "Cannot migrate %s: ", schema->type_name);
      return FALSE;
    }
  relations = gorm_schema_get_relations (schema, NULL);
  for (guint i = 0; relations[i] != NULL; i++)
    if (relations[i]->kind != GORM_RELATION_REVERSE &&
        !order_type (relations[i]->target_type, order, seen, error))
      return FALSE;

  g_array_append_val (order, type);
  return TRUE;
}

/* Appends to @changes the link tables of @schema's many-to-many
 * relations that do not exist yet, each once. */
static gboolean
plan_link_tables_locked (GormConnection    *connection,
                         const GormDialect *dialect,
                         const GormSchema  *schema,
                         GHashTable        *planned,
                         GPtrArray         *changes,
                         GError           **error)
{
  const GormRelation * const *relations = gorm_schema_get_relations (schema, NULL);

  for (guint i = 0; relations[i] != NULL; i++)
    {
      g_autoptr(GHashTable) columns = NULL;
      g_autoptr(GPtrArray) created = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *reason = NULL;
      GormMigrationChange *change;

      if (relations[i]->kind != GORM_RELATION_MANY_TO_MANY ||
          g_hash_table_contains (planned, relations[i]->link_table))
        continue;
      g_hash_table_add (planned, (gpointer) relations[i]->link_table);
      columns = read_table_columns_locked (connection, dialect, relations[i]->link_table,
                                           &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (columns != NULL)
        continue;
      created = gorm_dialect_render_create_link_table (dialect, relations[i], error);
      if (created == NULL)
        return FALSE;
      reason = g_strdup_printf ("%s:%s links %s to %s through the table “%s”, which the "
                                "database does not have", schema->type_name,
                                relations[i]->name, schema->type_name,
                                g_type_name (relations[i]->target_type),
                                relations[i]->link_table);
      change = add_change (changes, GORM_MIGRATION_CHANGE_CREATE_LINK_TABLE,
                           relations[i]->link_table, NULL, NULL, NULL, reason);
      for (guint j = 0; j < created->len; j++)
        gorm_migration_change_add_statement (change, g_ptr_array_index (created, j));
    }

  return TRUE;
}

GPtrArray *
gorm_migrator_plan_locked (GormConnection             *connection,
                           const GormMigratorRequest  *request,
                           GError                    **error)
{
  const GormDialect *dialect = gorm_connection_get_dialect (connection);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (GType));
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) planned = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < request->n_types; i++)
    if (!order_type (request->types[i], order, seen, error))
      return NULL;

  for (guint i = 0; i < order->len; i++)
    {
      const GormSchema *schema = gorm_schema_lookup (g_array_index (order, GType, i), error);

      if (schema == NULL || !plan_type_locked (connection, dialect, schema, changes, error))
        return NULL;
    }
  /* Link tables last: they refer to both sides. */
  for (guint i = 0; i < order->len; i++)
    {
      const GormSchema *schema = gorm_schema_lookup (g_array_index (order, GType, i), error);

      if (!plan_link_tables_locked (connection, dialect, schema, planned, changes, error))
        return NULL;
    }
  return g_steal_pointer (&changes);
}

gboolean
gorm_migrator_prepare_locked (GormConnection  *connection,
                              GPtrArray       *changes,
                              GError         **error)
{
  return TRUE;
}

void
gorm_migrator_restore_locked (GormConnection *connection,
                              GPtrArray      *changes)
{
}

gboolean
gorm_migrator_apply_locked (GormConnection            *connection,
                            GPtrArray                 *changes,
                            GormMigratorProgressFunc   progress,
                            gpointer                   user_data,
                            GCancellable              *cancellable,
                            GError                   **error)
{
  for (guint i = 0; i < changes->len; i++)
    {
      GormMigrationChange *change = g_ptr_array_index (changes, i);
      const char * const *statements = gorm_migration_change_get_statements (change);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (guint j = 0; statements[j] != NULL; j++)
        if (!gorm_connection_run_locked (connection, statements[j], error))
          {
            explain_failure (change, error);
            return FALSE;
          }
      if (progress != NULL)
        progress (change, (i + 1) / (gdouble) changes->len, user_data);
    }
  return TRUE;
}

gboolean
gorm_migrator_run_locked (GormConnection  *connection,
                          const char      *name,
                          const GType     *types,
                          guint            n_types,
                          GError         **error)
{
  GormMigratorRequest request = { types, n_types, NULL };
  g_autoptr(GPtrArray) changes = NULL;
  gboolean ok;

  if (!gorm_connection_check_locked (connection, name, error))
    return FALSE;

  /* Reads only: nothing to change is nothing written. */
  changes = gorm_migrator_plan_locked (connection, &request, error);
  if (changes == NULL)
    return FALSE;
  if (changes->len == 0)
    return TRUE;
  if (!gorm_migrator_prepare_locked (connection, changes, error))
    return FALSE;

  ok = gorm_connection_begin_locked (connection, name, error);
  if (ok)
    {
      g_autoptr(GPtrArray) again = gorm_migrator_plan_locked (connection, &request, error);

      ok = again != NULL &&
           gorm_migrator_apply_locked (connection, again, NULL, NULL, NULL, error);
      /* A failed commit has rolled back already. */
      if (ok)
        ok = gorm_connection_commit_locked (connection, name, error);
      else
        gorm_connection_rollback_locked (connection, name, NULL);
    }
  gorm_migrator_restore_locked (connection, changes);
  return ok;
}
