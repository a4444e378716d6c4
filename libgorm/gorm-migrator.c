/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-catalog-private.h"
#include "gorm-error.h"
#include "gorm-migrator-private.h"
#include "gorm-relation-private.h"

/*
 * The differ compares each type's schema with the table the catalog
 * reads (gorm-catalog-private.h) and makes one change of each
 * difference, in the order they run for a table: renames, then what is
 * removed, then what changes, then what is added. Every check of the
 * data a change needs (values that convert, no NULL, no duplicate, no
 * foreign key without its row, no data in a dropped column) runs while
 * planning, so a refused migration has changed nothing.
 *
 * What SQLite's ALTER TABLE cannot do (a type, a nullability, a default,
 * a foreign key, dropping a column or a UNIQUE of the table's
 * definition) is done by rebuilding the table: one REBUILD_TABLE change
 * holds the statements, and the changes it covers have none.
 *
 * Tables that no model names, and indexes that libgorm did not name
 * ("ix_TABLE_…", "ux_TABLE_…"), are left alone.
 */

/* Rows a rebuild copies per statement, between two progress reports. */
#define COPY_CHUNK_ROWS 20000

typedef struct
{
  GormConnection            *connection;
  const GormDialect         *dialect;
  const GormMigratorRequest *request;
  GPtrArray                 *changes;
  /* The database's name of a renamed table → the model's. */
  GHashTable                *renamed;
  /* The tables planned so far, by the model's name; those created. */
  GHashTable                *done;
  GHashTable                *created;
  /* Foreign keys of created tables added once both tables exist. */
  GPtrArray                 *deferred;
} Plan;

/* What a model column has in the database. */
typedef struct
{
  const GormColumn        *column;
  const GormCatalogColumn *source;   /* NULL: added */
  GormStoredClass          from;
  gboolean                 convert;
  char                    *expression;
} ColumnPlan;

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

/* Appends @sql (taken) to @change's statements when @run; a change a
 * rebuild applies has none. */
static void
take_statement (GormMigrationChange *change,
                gboolean             run,
                char                *sql)
{
  if (run)
    gorm_migration_change_add_statement (change, sql);
  g_free (sql);
}

/* Runs @sql, a select of two text columns, and gives the first row's
 * values (NULL for SQL NULL) in @first and @second; FALSE with @error
 * set when it fails, TRUE with @found FALSE when no row. */
static gboolean
read_pair_locked (GormConnection  *connection,
                  const char      *sql,
                  gboolean        *found,
                  char           **first,
                  char           **second,
                  GError         **error)
{
  static const GType types[] = { G_TYPE_STRING, G_TYPE_STRING, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  GormStatement *statement = gorm_connection_lookup_locked (connection, sql, error);
  const GValue *a;
  const GValue *b;

  *found = FALSE;
  if (statement == NULL)
    return FALSE;
  rows = gorm_connection_select_locked (connection, statement, types, error);
  if (rows == NULL)
    return FALSE;
  if (gorm_rows_get_n_rows (rows) == 0)
    return TRUE;
  a = gorm_rows_get_value (rows, 0, 0, error);
  b = a ? gorm_rows_get_value (rows, 1, 0, error) : NULL;
  if (b == NULL)
    return FALSE;
  *found = TRUE;
  *first = G_VALUE_HOLDS_STRING (a) ? g_value_dup_string (a) : NULL;
  *second = G_VALUE_HOLDS_STRING (b) ? g_value_dup_string (b) : NULL;
  return TRUE;
}

/* Fails when an existing @column holds a value of another storage class
 * than its values need: a table another tool created, without libgorm's
 * CHECK, can hold 'abc' in an INTEGER column, which libgda would read
 * as 0. Every such column is scanned, even one carrying libgorm's CHECK:
 * the CHECK can be dropped or bypassed (PRAGMA ignore_check_constraints)
 * by other tools, and the scan, one read stopping at the first bad row,
 * costs a pass over the table at migration only. Not at the first use of
 * a type that changes nothing (skip_value_scans): that runs in every
 * program, and the passes over the number columns of a million-row table
 * took 0.7 s before the first query of each. */
static gboolean
check_stored_values_locked (Plan              *plan,
                            const GormSchema  *schema,
                            const char        *table,
                            const GormColumn  *column,
                            GError           **error)
{
  GormSchema renamed = *schema;
  g_autofree char *sql = NULL;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  gboolean found;

  renamed.table = (char *) table;
  sql = gorm_dialect_render_find_misstored (plan->dialect, &renamed, column);
  if (sql == NULL)
    return TRUE;
  if (!read_pair_locked (plan->connection, sql, &found, &key, &value, error))
    return FALSE;
  if (!found)
    return TRUE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
               "Cannot migrate %s: the column “%s” of the table “%s” holds %s in the row "
               "whose “%s” is “%s”, which the %s property “%s” cannot be read from "
               "(expected a value of storage class “%s”)",
               schema->type_name, column->name, table, value ? value : "",
               schema->key->name, key ? key : "NULL",
               g_type_name (G_PARAM_SPEC_VALUE_TYPE (column->pspec)),
               column->pspec->name, plan->dialect->storage_class (column));
  return FALSE;
}

static const char *
wanted_type (const GormDialect *dialect,
             const GormColumn  *column)
{
  return (column->flags & GORM_COLUMN_AUTO_ID) ? dialect->auto_id_column_type
                                              : dialect->column_type (column);
}

/* A default's text as both engines compare: without PostgreSQL's casts
 * ('0'::bigint), parentheses and quotes, in lower case. */
static char *
normalize_default (const char *text)
{
  g_autofree char *copy = NULL;
  char *start;
  char *cast;
  gsize length;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));
  start = copy;
  for (;;)
    {
      length = strlen (start);
      if (length >= 2 && start[0] == '(' && start[length - 1] == ')')
        {
          start[length - 1] = '\0';
          start++;
          continue;
        }
      /* A cast after a quoted literal or a number. */
      cast = strstr (start, "::");
      if (cast != NULL && !strchr (cast, '\''))
        {
          *cast = '\0';
          continue;
        }
      break;
    }
  length = strlen (start);
  if (length >= 2 && start[0] == '\'' && start[length - 1] == '\'')
    {
      start[length - 1] = '\0';
      start++;
    }
  return g_ascii_strdown (start, -1);
}

static gboolean
same_default (const char *a,
              const char *b)
{
  g_autofree char *x = normalize_default (a);
  g_autofree char *y = normalize_default (b);

  return g_strcmp0 (x, y) == 0;
}

/* Whether the database's default of @source differs from the model's
 * @wanted (NULL: none). A NOT NULL column added to a table with rows has
 * its property's default, @fallback, as its own (the rows were filled
 * with it): that one is no difference. */
static gboolean
default_differs (const GormColumn        *column,
                 const char              *wanted,
                 const char              *fallback,
                 const GormCatalogColumn *source)
{
  if (wanted != NULL)
    return !same_default (wanted, source->default_sql);
  if (source->default_sql == NULL)
    return FALSE;
  return !(column->flags & GORM_COLUMN_NOT_NULL) || !same_default (fallback, source->default_sql);
}

static char *
describe_foreign_key (const GormCatalogForeignKey *key)
{
  return g_strdup_printf ("REFERENCES \"%s\" (\"%s\") ON DELETE %s", key->target_table,
                          key->target_column, key->on_delete);
}

static char *
describe_column (const GormCatalogColumn *column)
{
  return g_strdup_printf ("%s%s", column->type, column->not_null ? " NOT NULL" : "");
}

/* The refusal of a row that a change cannot keep. */
static void
refuse_row (GError           **error,
            const GormSchema  *schema,
            const char        *table,
            const GormColumn  *column,
            const char        *column_name,
            const char        *key,
            const char        *value,
            const char        *has,
            const char        *wants,
            const char        *why)
{
  g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
               "Cannot migrate %s:%s: the column “%s” of the table “%s” holds %s%s%s in the "
               "row whose “%s” is “%s”, %s (the database has “%s”, the model wants “%s”)",
               schema->type_name, column->pspec->name, column_name, table,
               value ? "“" : "", value ? value : "NULL", value ? "”" : "",
               schema->key->name, key ? key : "NULL", why, has, wants);
}

/* The database's name of @schema's key column. */
static const char *
source_name (const ColumnPlan *columns,
             const GormColumn *column)
{
  const GormCatalogColumn *source = columns[column->index].source;

  return source != NULL ? source->name : NULL;
}

/* Whether the database's @existing index is the composite @index of the
 * model: unique or not alike, over its columns in its order (their
 * database names, before any rename). */
static gboolean
index_matches (const GormCatalogIndex *existing,
               const GormIndex        *index,
               const ColumnPlan       *columns)
{
  if (!existing->unique != !index->unique || existing->columns == NULL ||
      g_strv_length (existing->columns) != index->n_columns)
    return FALSE;
  for (guint i = 0; i < index->n_columns; i++)
    if (g_strcmp0 (existing->columns[i], source_name (columns, index->columns[i])) != 0)
      return FALSE;
  return TRUE;
}

static const char *
rebuild_reason_suffix (gboolean rebuild)
{
  return rebuild ? ", by rebuilding the table" : "";
}

/* The reason of a change, with " by rebuilding the table “x”" when a
 * rebuild applies it. */
static char *
reason (gboolean    rebuild,
        const char *table,
        const char *format,
        ...) G_GNUC_PRINTF (3, 4);

static char *
reason (gboolean    rebuild,
        const char *table,
        const char *format,
        ...)
{
  GString *text = g_string_new (NULL);
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (text, format, args);
  va_end (args);
  if (rebuild)
    g_string_append_printf (text, "%s “%s”", rebuild_reason_suffix (TRUE), table);
  return g_string_free (text, FALSE);
}

/* Whether an index of the database is one libgorm names for the table
 * @table (or its old name @old). */
static gboolean
is_own_index (const GormCatalogIndex *index,
              const char             *table,
              const char             *old)
{
  const char *names[] = { table, old };

  if (index->primary || index->implicit)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *ix = g_strdup_printf ("ix_%s_", names[i]);
      g_autofree char *ux = g_strdup_printf ("ux_%s_", names[i]);

      if (g_str_has_prefix (index->name, ix) || g_str_has_prefix (index->name, ux))
        return TRUE;
    }
  return FALSE;
}

/* The model's table @target of a foreign key, as the database names it:
 * the target's old name when the plan renames it. */
static const char *
database_table_of (Plan       *plan,
                   const char *model_table)
{
  GHashTableIter iter;
  gpointer old;
  gpointer new;

  g_hash_table_iter_init (&iter, plan->renamed);
  while (g_hash_table_iter_next (&iter, &old, &new))
    if (g_str_equal (new, model_table))
      return old;
  return model_table;
}

static gboolean
check_foreign_key_rows (Plan              *plan,
                        const GormSchema  *schema,
                        const char        *table,
                        const GormColumn  *column,
                        const char        *column_name,
                        const char        *has,
                        const char        *wants,
                        GError           **error)
{
  const GormRelation *relation = gorm_schema_relation_for_column (schema, column);
  const GormSchema *target = gorm_schema_lookup (relation->target_type, error);
  g_autofree char *sql = NULL;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  gboolean found;

  if (target == NULL)
    return FALSE;
  if (g_hash_table_contains (plan->created, target->table))
    sql = gorm_dialect_render_find_unconverted (table, schema->key->name, column_name, "1 = 0");
  else
    sql = gorm_dialect_render_find_orphan (table, schema->key->name, column_name,
                                           database_table_of (plan, target->table),
                                           target->key->name);
  if (!read_pair_locked (plan->connection, sql, &found, &key, &value, error))
    return FALSE;
  if (!found)
    return TRUE;
  {
    g_autofree char *why = g_strdup_printf ("which refers to no row of the table “%s”",
                                            target->table);

    refuse_row (error, schema, table, column, column_name, key, value, has, wants, why);
  }
  return FALSE;
}

static gboolean
check_duplicates (Plan              *plan,
                  const GormSchema  *schema,
                  const char        *table,
                  const char * const *columns,
                  const char        *properties,
                  GError           **error)
{
  g_autofree char *sql = gorm_dialect_render_find_duplicate (table, columns);
  g_autofree char *value = NULL;
  g_autofree char *count = NULL;
  g_autofree char *names = g_strjoinv (", ", (char **) columns);
  gboolean found;

  if (!read_pair_locked (plan->connection, sql, &found, &value, &count, error))
    return FALSE;
  if (!found)
    return TRUE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
               "Cannot migrate %s: %s rows of the table “%s” hold “%s” in (%s), which the "
               "model makes unique (%s): the database has no such unique index, the model "
               "wants one", schema->type_name, count, table, value ? value : "", names,
               properties);
  return FALSE;
}

/* The drop of the database column @column that no property is stored
 * in: allowed when it holds no value or the request allows it. */
static gboolean
plan_drop (Plan                    *plan,
           const GormSchema        *schema,
           const char              *table,
           const GormCatalogColumn *column,
           const GormColumn        *missing,
           gboolean                 rebuild,
           GPtrArray               *changes,
           GError                 **error)
{
  g_autofree char *sql = gorm_dialect_render_count_values (table, column->name);
  g_autofree char *count = NULL;
  g_autofree char *unused = NULL;
  g_autofree char *allowed = g_strdup_printf ("%s.%s", table, column->name);
  g_autofree char *allowed_new = g_strdup_printf ("%s.%s", schema->table, column->name);
  g_autofree char *why = NULL;
  g_autofree char *has = describe_column (column);
  GormMigrationChange *change;
  gboolean found;

  if (!read_pair_locked (plan->connection, sql, &found, &count, &unused, error))
    return FALSE;
  if (count != NULL && !g_str_equal (count, "0") &&
      (plan->request->allowed_drops == NULL ||
       (!g_hash_table_contains (plan->request->allowed_drops, allowed) &&
        !g_hash_table_contains (plan->request->allowed_drops, allowed_new))))
    {
      if (missing != NULL)
        g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                     "Cannot migrate %s: the table “%s” has the column “%s” (%s), holding data "
                     "in %s row%s, that no property is stored in, and not the column “%s” of "
                     "%s:%s; if the property was renamed, declare it with "
                     "gorm_resource_class_set_renamed_from (klass, \"%s\", \"%s\"); to drop "
                     "the column and its data, allow it with gorm_migration_allow_drop()",
                     schema->type_name, table, column->name, column->type, count,
                     g_str_equal (count, "1") ? "" : "s", missing->name, schema->type_name, missing->pspec->name,
                     missing->pspec->name, column->name);
      else
        g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                     "Cannot migrate %s: the table “%s” has the column “%s” (%s), holding data "
                     "in %s row%s, that no property is stored in (the model wants no such "
                     "column); to drop the column and its data, allow it with "
                     "gorm_migration_allow_drop()",
                     schema->type_name, table, column->name, column->type, count,
                     g_str_equal (count, "1") ? "" : "s");
      return FALSE;
    }
  why = reason (rebuild, schema->table,
                "no property of %s is stored in the column “%s”, which holds %s", schema->type_name,
                column->name, count && !g_str_equal (count, "0") ? "data it is allowed to drop"
                                                                : "no value");
  change = add_change (changes, GORM_MIGRATION_CHANGE_DROP_COLUMN, schema->table,
                       column->name, has, NULL, why);
  take_statement (change, !rebuild,
                  gorm_dialect_render_drop_column (schema->table, column->name));
  return TRUE;
}

/* The REBUILD_TABLE change of @schema's table (SQLite's 12 steps, in
 * the caller's transaction, foreign keys off): the new table under a
 * temporary name, the rows copied, converted, the old table dropped, the
 * new one renamed, its indexes and triggers created, its foreign keys
 * checked. */
static gboolean
plan_rebuild (Plan              *plan,
              const GormSchema  *schema,
              ColumnPlan        *columns,
              GError           **error)
{
  static const GType types[] = { G_TYPE_STRING, G_TYPE_NONE };
  g_autofree char *temporary = g_strdup_printf ("gorm_rebuild_%s", schema->table);
  g_autofree char *create = gorm_dialect_render_create_table_as (plan->dialect, schema,
                                                                 temporary, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autoptr(GPtrArray) expressions = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  g_autoptr(GPtrArray) indexes = gorm_dialect_render_create_indexes (plan->dialect, schema);
  g_autofree char *copy = NULL;
  g_autofree char *chunk = NULL;
  g_autofree char *range = NULL;
  g_autofree char *drop = NULL;
  g_autofree char *rename = NULL;
  g_autofree char *check = NULL;
  g_autofree char *why = NULL;
  g_autoptr(GormRows) triggers = NULL;
  GormMigrationChange *change;
  GormStatement *statement;
  GValue table = G_VALUE_INIT;

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const ColumnPlan *column = &columns[i];

      if (column->source != NULL)
        {
          GString *operand = g_string_new (NULL);

          gorm_dialect_append_identifier (operand, column->column->name);
          g_ptr_array_add (names, column->column->name);
          g_ptr_array_add (expressions, column->expression ? g_strdup (column->expression)
                                                           : g_string_free (operand, FALSE));
          if (column->expression)
            g_string_free (operand, TRUE);
        }
      else if (column->column->flags & GORM_COLUMN_NOT_NULL)
        {
          char *literal = gorm_dialect_column_default (plan->dialect, schema, column->column,
                                                       TRUE);

          if (literal != NULL)
            {
              g_ptr_array_add (names, column->column->name);
              g_ptr_array_add (expressions, literal);
            }
        }
    }

  statement = gorm_connection_lookup_locked (plan->connection, plan->dialect->triggers_sql,
                                             error);
  if (statement == NULL)
    return FALSE;
  g_value_init (&table, G_TYPE_STRING);
  g_value_set_string (&table, schema->table);
  gorm_statement_take_param (statement, 0, &table);
  triggers = gorm_connection_select_locked (plan->connection, statement, types, error);
  if (triggers == NULL)
    return FALSE;

  copy = gorm_dialect_render_copy (temporary, schema->table,
                                   (const char * const *) names->pdata,
                                   (const char * const *) expressions->pdata, FALSE);
  chunk = gorm_dialect_render_copy (temporary, schema->table,
                                    (const char * const *) names->pdata,
                                    (const char * const *) expressions->pdata, TRUE);
  range = gorm_dialect_render_rowid_range (schema->table);
  drop = gorm_dialect_render_drop_table (schema->table);
  rename = gorm_dialect_render_rename_table (temporary, schema->table);
  check = gorm_dialect_render_foreign_key_check (schema->table);
  why = g_strdup_printf ("SQLite's ALTER TABLE cannot make the changes of %s below: the table "
                         "“%s” is made anew and its rows copied", schema->type_name,
                         schema->table);
  change = add_change (plan->changes, GORM_MIGRATION_CHANGE_REBUILD_TABLE, schema->table, NULL,
                       NULL, NULL, why);
  gorm_migration_change_add_statement (change, create);
  gorm_migration_change_add_copy (change, copy, range, chunk);
  if (gorm_schema_has_auto_id (schema))
    {
      g_auto(GStrv) sequence = gorm_dialect_render_move_sequence (temporary, schema->table);

      for (guint i = 0; sequence[i] != NULL; i++)
        gorm_migration_change_add_statement (change, sequence[i]);
    }
  gorm_migration_change_add_statement (change, drop);
  gorm_migration_change_add_statement (change, rename);
  for (guint i = 0; i < indexes->len; i++)
    gorm_migration_change_add_statement (change, g_ptr_array_index (indexes, i));
  for (guint i = 0; i < gorm_rows_get_n_rows (triggers); i++)
    {
      const GValue *sql = gorm_rows_get_value (triggers, 0, i, error);

      if (sql == NULL)
        return FALSE;
      if (G_VALUE_HOLDS_STRING (sql))
        gorm_migration_change_add_statement (change, g_value_get_string (sql));
    }
  gorm_migration_change_add_statement (change, check);
  return TRUE;
}

/* Whether @column's values need converting from @source's, held as
 * *@from: another class of values, or another maximum length. */
static gboolean
type_changes (const GormDialect       *dialect,
              const GormColumn        *column,
              const GormCatalogColumn *source,
              GormStoredClass         *from)
{
  GormStoredClass to = gorm_dialect_column_stored_class (column);
  guint length = 0;

  *from = dialect->stored_class (source->type, &length);
  if (*from == GORM_STORED_NUMERIC)
    return to == GORM_STORED_TEXT || to == GORM_STORED_BYTES;
  return *from != to || (to == GORM_STORED_TEXT && length != column->max_length);
}

/* @key as the model would write it, its target named as the model names
 * it once the plan's renames ran. */
static char *
describe_renamed_foreign_key (Plan                        *plan,
                              const GormCatalogForeignKey *key)
{
  GormCatalogForeignKey mapped = *key;

  mapped.target_table = (char *) g_hash_table_lookup (plan->renamed, key->target_table);
  if (mapped.target_table == NULL)
    mapped.target_table = key->target_table;
  return describe_foreign_key (&mapped);
}

static void
column_plans_free (ColumnPlan *columns,
                   guint       n_columns)
{
  for (guint i = 0; i < n_columns; i++)
    g_free (columns[i].expression);
  g_free (columns);
}

/* Compares an existing table with @schema. @table is the name the
 * database has it under before the plan runs (the old name of a renamed
 * table); the statements use the model's names, which the renames
 * planned first give. */
static gboolean
plan_table (Plan                   *plan,
            const GormSchema       *schema,
            const GormCatalogTable *catalog,
            const char             *table,
            GError                **error)
{
  const GormDialect *dialect = plan->dialect;
  g_autoptr(GPtrArray) renames = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) claimed = g_hash_table_new (NULL, NULL);
  ColumnPlan *columns = g_new0 (ColumnPlan, schema->n_columns);
  const GormColumn *missing = NULL;
  gboolean rebuild = FALSE;
  gboolean ok = FALSE;

  /* The key first: a table keyed otherwise is not migrated. */
  {
    const GormCatalogColumn *key = gorm_catalog_table_find_column (catalog, schema->key->name);

    if (key != NULL && !dialect->column_type_fits (schema->key, key->type))
      {
        g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                     "Cannot migrate %s: the column “%s” of the table “%s” is stored as "
                     "“%s”, which cannot hold the %s property “%s” (expected “%s”)",
                     schema->type_name, schema->key->name, table, key->type,
                     g_type_name (G_PARAM_SPEC_VALUE_TYPE (schema->key->pspec)),
                     schema->key->pspec->name, wanted_type (dialect, schema->key));
        goto out;
      }
    if (key == NULL)
      {
        g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                     "Cannot migrate %s: the table “%s” has no column “%s”, its key (the "
                     "model wants “%s”)", schema->type_name, table, schema->key->name,
                     wanted_type (dialect, schema->key));
        goto out;
      }
  }

  /* Which database column each property has: its own, or the one it
   * was renamed from. */
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];
      ColumnPlan *plan_column = &columns[i];

      plan_column->column = column;
      plan_column->source = gorm_catalog_table_find_column (catalog, column->name);
      if (plan_column->source == NULL && column->renamed_from != NULL &&
          (plan_column->source = gorm_catalog_table_find_column (catalog,
                                                                 column->renamed_from)) != NULL)
        {
          g_autofree char *why = g_strdup_printf ("%s:%s, stored in “%s” before, is stored in "
                                                  "“%s” (gorm_resource_class_set_renamed_from())",
                                                  schema->type_name, column->pspec->name,
                                                  column->renamed_from, column->name);
          g_autofree char *sql = gorm_dialect_render_rename_column (schema->table,
                                                                    column->renamed_from,
                                                                    column->name);
          GormMigrationChange *change = add_change (renames, GORM_MIGRATION_CHANGE_RENAME_COLUMN,
                                                    schema->table, column->name,
                                                    column->renamed_from, column->name, why);

          gorm_migration_change_add_statement (change, sql);
        }
      if (plan_column->source != NULL)
        g_hash_table_add (claimed, (gpointer) plan_column->source);
      else if (missing == NULL)
        missing = column;
    }

  /* What needs SQLite's rebuild, decided before any change is made. */
  for (guint i = 0; dialect->rebuilds_tables && i < schema->n_columns && !rebuild; i++)
    {
      const ColumnPlan *column = &columns[i];
      const GormColumn *c = column->column;
      const GormCatalogColumn *source = column->source;
      g_autofree char *references = gorm_dialect_render_references (dialect, schema, c);
      g_autofree char *fallback = NULL;
      g_autofree char *wanted_default = NULL;
      const GormCatalogForeignKey *key;
      GormStoredClass from;

      if (c->flags & GORM_COLUMN_PRIMARY_KEY)
        continue;
      if (source == NULL)
        {
          /* SQLite adds no REFERENCES column with a default. */
          wanted_default = gorm_dialect_column_default (dialect, schema, c, FALSE);
          rebuild = references != NULL && (c->flags & GORM_COLUMN_NOT_NULL);
          continue;
        }
      key = gorm_catalog_table_find_foreign_key (catalog, source->name);
      wanted_default = gorm_dialect_column_default (dialect, schema, c, FALSE);
      fallback = gorm_dialect_column_default (dialect, schema, c, TRUE);
      rebuild = type_changes (dialect, c, source, &from);
      rebuild = rebuild || (source->not_null != ((c->flags & GORM_COLUMN_NOT_NULL) != 0));
      rebuild = rebuild || default_differs (c, wanted_default, fallback, source);
      rebuild = rebuild || ((references != NULL) != (key != NULL));
      if (!rebuild && key != NULL)
        {
          g_autofree char *has = describe_renamed_foreign_key (plan, key);

          rebuild = !g_str_equal (has, references);
        }
      if (!rebuild && !(c->flags & GORM_COLUMN_UNIQUE))
        {
          const GormCatalogIndex *unique = gorm_catalog_table_find_unique_on (catalog, source->name);

          rebuild = unique != NULL && unique->implicit;
        }
    }
  for (guint i = 0; dialect->rebuilds_tables && i < catalog->columns->len && !rebuild; i++)
    rebuild = !g_hash_table_contains (claimed, g_ptr_array_index (catalog->columns, i));

  /* Database columns no property is stored in. */
  for (guint i = 0; i < catalog->columns->len; i++)
    {
      const GormCatalogColumn *column = g_ptr_array_index (catalog->columns, i);

      if (!g_hash_table_contains (claimed, column) &&
          !plan_drop (plan, schema, table, column, missing, rebuild, changes, error))
        goto out;
    }

  /* Foreign keys removed or changed. */
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const ColumnPlan *column = &columns[i];
      const GormColumn *c = column->column;
      g_autofree char *references = NULL;
      g_autofree char *has = NULL;
      const GormCatalogForeignKey *key;

      if (column->source == NULL)
        continue;
      references = gorm_dialect_render_references (dialect, schema, c);
      key = gorm_catalog_table_find_foreign_key (catalog, column->source->name);
      if (key == NULL)
        {
          g_autofree char *why = NULL;
          GormMigrationChange *change;

          if (references == NULL)
            continue;
          if (!check_foreign_key_rows (plan, schema, table, c, column->source->name, "no "
                                       "foreign key", references, error))
            goto out;
          why = reason (rebuild, schema->table, "%s:%s refers to another table's rows",
                        schema->type_name, c->pspec->name);
          change = add_change (changes, GORM_MIGRATION_CHANGE_ADD_FOREIGN_KEY, schema->table,
                               c->name, NULL, references, why);
          take_statement (change, !rebuild,
                          gorm_dialect_render_add_foreign_key (schema->table, c->name, references));
          continue;
        }
      has = describe_renamed_foreign_key (plan, key);
      if (references != NULL && g_str_equal (has, references))
        continue;
      {
        g_autofree char *why = NULL;
        g_autofree char *shown = describe_foreign_key (key);
        GormMigrationChange *change;

        if (references != NULL &&
            !check_foreign_key_rows (plan, schema, table, c, column->source->name, shown,
                                     references, error))
          goto out;
        why = references != NULL
          ? reason (rebuild, schema->table, "%s:%s refers to its table's rows otherwise",
                    schema->type_name, c->pspec->name)
          : reason (rebuild, schema->table, "%s:%s is no foreign key any more",
                    schema->type_name, c->pspec->name);
        change = add_change (changes, references != NULL ? GORM_MIGRATION_CHANGE_ALTER_FOREIGN_KEY
                                                         : GORM_MIGRATION_CHANGE_DROP_FOREIGN_KEY,
                             schema->table, c->name, shown, references, why);
        if (!rebuild)
          {
            g_autofree char *drop = gorm_dialect_render_drop_constraint (schema->table,
                                                                         key->name);

            gorm_migration_change_add_statement (change, drop);
            if (references != NULL)
              {
                g_autofree char *add = gorm_dialect_render_add_foreign_key (schema->table,
                                                                            c->name, references);

                gorm_migration_change_add_statement (change, add);
              }
          }
      }
    }

  /* Indexes removed: unique columns no longer unique, libgorm's indexes
   * no longer wanted. */
  for (guint i = 0; i < catalog->indexes->len; i++)
    {
      const GormCatalogIndex *index = g_ptr_array_index (catalog->indexes, i);
      gboolean wanted = FALSE;
      g_autofree char *why = NULL;
      g_autofree char *has = NULL;
      GormMigrationChange *change;

      if (index->primary)
        continue;
      if (index->implicit || !is_own_index (index, schema->table, table))
        {
          /* A UNIQUE of the table's definition on one column. */
          if (!index->implicit || index->columns == NULL || g_strv_length (index->columns) != 1)
            continue;
        }
      for (guint j = 0; j < schema->n_columns && !wanted; j++)
        {
          const GormColumn *c = &schema->columns[j];
          g_autofree char *name = NULL;

          if (columns[j].source == NULL)
            continue;
          if ((c->flags & GORM_COLUMN_UNIQUE) && !(c->flags & GORM_COLUMN_PRIMARY_KEY) &&
              index->unique && index->columns != NULL && g_strv_length (index->columns) == 1 &&
              g_str_equal (index->columns[0], columns[j].source->name))
            wanted = TRUE;
          name = gorm_dialect_index_name (schema, c, FALSE);
          if (gorm_dialect_column_needs_index (c) && g_str_equal (name, index->name))
            wanted = TRUE;
        }
      for (guint j = 0; j < schema->n_indexes && !wanted; j++)
        wanted = g_str_equal (schema->indexes[j].name, index->name);
      if (wanted)
        continue;
      has = index->columns ? g_strjoinv (", ", index->columns) : g_strdup ("");
      {
        g_autofree char *shown = g_strdup_printf ("%s (%s)", index->unique ? "UNIQUE" : "INDEX",
                                                  has);

        why = reason (rebuild, schema->table, "%s has no %s index on (%s) any more",
                      schema->type_name, index->unique ? "unique" : "such", has);
        /* The column of a one-column index; none for a composite one. */
        change = add_change (changes, GORM_MIGRATION_CHANGE_DROP_INDEX, schema->table,
                             index->columns != NULL && g_strv_length (index->columns) == 1
                             ? index->columns[0] : NULL,
                             shown, NULL, why);
      }
      take_statement (change, !rebuild,
                      index->implicit
                      ? gorm_dialect_render_drop_constraint (schema->table, index->name)
                      : gorm_dialect_render_drop_index (index->name));
    }

  /* Columns that change: type, default, nullability. */
  for (guint i = 0; i < schema->n_columns; i++)
    {
      ColumnPlan *column = &columns[i];
      const GormColumn *c = column->column;
      const GormCatalogColumn *source = column->source;
      const char *wants = wanted_type (dialect, c);
      g_autofree char *check = NULL;
      g_autofree char *operand = NULL;
      g_autofree char *wanted_default = NULL;
      g_autofree char *fallback = NULL;
      gboolean not_null = (c->flags & GORM_COLUMN_NOT_NULL) != 0;

      if (source == NULL || (c->flags & GORM_COLUMN_PRIMARY_KEY))
        continue;
      column->convert = type_changes (dialect, c, source, &column->from);
      {
        GString *quoted = g_string_new (NULL);

        gorm_dialect_append_identifier (quoted, source->name);
        operand = g_string_free (quoted, FALSE);
      }
      if (column->convert || c->kind == GORM_VALUE_KIND_ENUM)
        {
          g_autofree char *expression = NULL;

          if (!gorm_dialect_conversion (dialect, column->from, c, operand, &check, &expression))
            {
              g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                           "Cannot migrate %s:%s: the column “%s” of the table “%s” is stored "
                           "as “%s”, which libgorm cannot convert to the %s property's “%s” "
                           "(the database has “%s”, the model wants “%s”)",
                           schema->type_name, c->pspec->name, source->name, table,
                           source->type, g_type_name (G_PARAM_SPEC_VALUE_TYPE (c->pspec)),
                           wants, source->type, wants);
              goto out;
            }
          if (check != NULL)
            {
              g_autofree char *sql = gorm_dialect_render_find_unconverted (table,
                                                                           schema->key->name,
                                                                           source->name, check);
              g_autofree char *key = NULL;
              g_autofree char *value = NULL;
              gboolean found;

              if (!read_pair_locked (plan->connection, sql, &found, &key, &value, error))
                goto out;
              if (found)
                {
                  g_autofree char *why = g_strdup_printf ("which the %s property does not hold "
                                                          "exactly",
                                                          g_type_name (G_PARAM_SPEC_VALUE_TYPE (c->pspec)));

                  refuse_row (error, schema, table, c, source->name, key, value, source->type,
                              wants, why);
                  goto out;
                }
            }
          /* The expression reads the column under its new name. */
          if (column->convert)
            {
              GString *renamed = g_string_new (NULL);
              g_autofree char *unused = NULL;

              gorm_dialect_append_identifier (renamed, c->name);
              g_clear_pointer (&check, g_free);
              gorm_dialect_conversion (dialect, column->from, c, renamed->str, &unused,
                                       &column->expression);
              g_string_free (renamed, TRUE);
            }
        }
      if (!column->convert && !plan->request->skip_value_scans)
        {
          /* Read where the table has it: under its old name when renamed. */
          GormColumn stored = *c;

          stored.name = (char *) source->name;
          if (!check_stored_values_locked (plan, schema, table, &stored, error))
            goto out;
        }
      if (column->convert)
        {
          g_autofree char *why = reason (rebuild, schema->table,
                                         "%s:%s is a %s stored as “%s”", schema->type_name,
                                         c->pspec->name,
                                         g_type_name (G_PARAM_SPEC_VALUE_TYPE (c->pspec)), wants);
          GormMigrationChange *change = add_change (changes, GORM_MIGRATION_CHANGE_ALTER_TYPE,
                                                    schema->table, c->name, source->type, wants,
                                                    why);

          wanted_default = gorm_dialect_column_default (dialect, schema, c, FALSE);
          if (!rebuild)
            {
              g_autofree char *sql = gorm_dialect_render_alter_type (schema->table, c->name, wants,
                                                                     column->expression);

              /* The old default may not convert: it goes first, the new
               * one comes after. */
              if (source->default_sql != NULL)
                {
                  g_autofree char *drop = gorm_dialect_render_alter_default (schema->table,
                                                                             c->name, NULL);

                  gorm_migration_change_add_statement (change, drop);
                }
              gorm_migration_change_add_statement (change, sql);
              if (source->default_sql != NULL && wanted_default != NULL)
                {
                  g_autofree char *set = gorm_dialect_render_alter_default (schema->table,
                                                                            c->name,
                                                                            wanted_default);

                  gorm_migration_change_add_statement (change, set);
                }
            }
          g_clear_pointer (&wanted_default, g_free);
        }

      wanted_default = gorm_dialect_column_default (dialect, schema, c, FALSE);
      fallback = gorm_dialect_column_default (dialect, schema, c, TRUE);
      if (default_differs (c, wanted_default, fallback, source))
        {
          g_autofree char *has = source->default_sql
            ? g_strdup_printf ("DEFAULT %s", source->default_sql) : NULL;
          g_autofree char *shown = wanted_default
            ? g_strdup_printf ("DEFAULT %s", wanted_default) : NULL;
          g_autofree char *why = reason (rebuild, schema->table,
                                         "%s:%s has %s", schema->type_name, c->pspec->name,
                                         wanted_default ? "its default as the column's"
                                                        : "no default in the database");
          GormMigrationChange *change = add_change (changes, GORM_MIGRATION_CHANGE_ALTER_DEFAULT,
                                                    schema->table, c->name, has, shown, why);

          take_statement (change, !rebuild,
                          gorm_dialect_render_alter_default (schema->table, c->name, wanted_default));
        }

      if (not_null != source->not_null)
        {
          g_autofree char *why = NULL;
          GormMigrationChange *change;

          if (not_null)
            {
              g_autofree char *sql = gorm_dialect_render_find_null (table, schema->key->name,
                                                                    source->name);
              g_autofree char *key = NULL;
              g_autofree char *value = NULL;
              gboolean found;

              if (!read_pair_locked (plan->connection, sql, &found, &key, &value, error))
                goto out;
              if (found)
                {
                  refuse_row (error, schema, table, c, source->name, key, NULL, "NULL",
                              "NOT NULL", "which the property cannot hold: give the rows a "
                              "value in a migration step (gorm_migration_add_step()) first");
                  goto out;
                }
            }
          why = reason (rebuild, schema->table, "%s:%s %s NULL", schema->type_name,
                        c->pspec->name, not_null ? "cannot be" : "can be");
          change = add_change (changes, GORM_MIGRATION_CHANGE_ALTER_NULL, schema->table,
                               c->name, source->not_null ? "NOT NULL" : "NULL",
                               not_null ? "NOT NULL" : "NULL", why);
          take_statement (change, !rebuild,
                          gorm_dialect_render_alter_null (schema->table, c->name, not_null));
        }
    }

  /* Columns added. */
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *c = &schema->columns[i];
      g_autoptr(GPtrArray) added = NULL;
      g_autofree char *why = NULL;
      GormMigrationChange *change;

      if (columns[i].source != NULL)
        continue;
      added = gorm_dialect_render_add_column (dialect, schema, c, error);
      if (added == NULL)
        goto out;
      why = reason (rebuild, schema->table, "%s:%s is stored in the column “%s”, which the "
                    "table “%s” does not have", schema->type_name, c->pspec->name, c->name,
                    table);
      change = add_change (changes, GORM_MIGRATION_CHANGE_ADD_COLUMN, schema->table, c->name,
                           NULL, wanted_type (dialect, c), why);
      for (guint j = 0; !rebuild && j < added->len; j++)
        gorm_migration_change_add_statement (change, g_ptr_array_index (added, j));
    }

  /* Indexes added: unique columns, indexed columns, composite indexes. */
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *c = &schema->columns[i];
      const char *name = source_name (columns, c);
      g_autofree char *index = NULL;
      g_autofree char *sql = NULL;
      g_autofree char *why = NULL;
      g_autofree char *wants = NULL;
      GormMigrationChange *change;

      if ((c->flags & GORM_COLUMN_UNIQUE) && !(c->flags & GORM_COLUMN_PRIMARY_KEY))
        {
          const char *one[] = { name, NULL };
          g_autofree char *property = g_strdup_printf ("“%s”", c->pspec->name);

          /* An added column has its unique index with it. */
          if (name == NULL || gorm_catalog_table_find_unique_on (catalog, name) != NULL)
            continue;
          if (!check_duplicates (plan, schema, table, one, property, error))
            goto out;
          sql = gorm_dialect_render_index (dialect, schema, c, TRUE);
          why = reason (rebuild, schema->table, "%s:%s is unique", schema->type_name,
                        c->pspec->name);
          wants = g_strdup_printf ("UNIQUE (%s)", c->name);
          change = add_change (changes, GORM_MIGRATION_CHANGE_ADD_INDEX, schema->table, c->name,
                               NULL, wants, why);
        }
      else if (gorm_dialect_column_needs_index (c))
        {
          index = gorm_dialect_index_name (schema, c, FALSE);
          if (gorm_catalog_table_find_index (catalog, index) != NULL)
            continue;
          sql = gorm_dialect_render_index (dialect, schema, c, FALSE);
          why = reason (rebuild, schema->table, "%s:%s is indexed", schema->type_name,
                        c->pspec->name);
          wants = g_strdup_printf ("INDEX (%s)", c->name);
          change = add_change (changes, GORM_MIGRATION_CHANGE_ADD_INDEX, schema->table, c->name,
                               NULL, wants, why);
        }
      else
        continue;
      if (!rebuild)
        gorm_migration_change_add_statement (change, sql);
    }
  for (guint i = 0; i < schema->n_indexes; i++)
    {
      const GormIndex *index = &schema->indexes[i];
      g_autofree char *sql = NULL;
      g_autofree char *properties = NULL;
      g_autofree char *why = NULL;
      g_autoptr(GString) wants = g_string_new (index->unique ? "UNIQUE (" : "INDEX (");
      g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (0, NULL, TRUE);
      const GormCatalogIndex *existing;
      gboolean all_exist = TRUE;
      GormMigrationChange *change;

      existing = gorm_catalog_table_find_index (catalog, index->name);
      if (existing != NULL && index_matches (existing, index, columns))
        continue;
      if (existing != NULL)
        {
          /* The same name over other columns, or unique no more or now:
           * made anew. */
          g_autofree char *has = existing->columns ? g_strjoinv (", ", existing->columns)
                                                   : g_strdup ("");
          g_autofree char *shown = g_strdup_printf ("%s (%s)", existing->unique ? "UNIQUE" : "INDEX",
                                                    has);
          g_autofree char *dropped = reason (rebuild, schema->table,
                                             "the index “%s” of %s is over other columns now",
                                             index->name, schema->type_name);

          change = add_change (changes, GORM_MIGRATION_CHANGE_DROP_INDEX, schema->table,
                               NULL, shown, NULL, dropped);
          take_statement (change, !rebuild,
                          existing->implicit
                          ? gorm_dialect_render_drop_constraint (schema->table, existing->name)
                          : gorm_dialect_render_drop_index (existing->name));
        }
      for (guint j = 0; j < index->n_columns; j++)
        {
          const char *name = source_name (columns, index->columns[j]);

          g_string_append_printf (wants, "%s%s", j > 0 ? ", " : "", index->columns[j]->name);
          if (name == NULL)
            all_exist = FALSE;
          g_ptr_array_add (names, (gpointer) name);
        }
      g_string_append_c (wants, ')');
      properties = gorm_dialect_index_properties (index);
      if (index->unique && all_exist &&
          !check_duplicates (plan, schema, table, (const char * const *) names->pdata,
                             properties, error))
        goto out;
      sql = gorm_dialect_render_composite_index (dialect, schema, index);
      why = index->unique
        ? reason (rebuild, schema->table, "%s makes %s unique together "
                  "(gorm_resource_class_add_unique_together())", schema->type_name, properties)
        : reason (rebuild, schema->table, "%s has an index on %s "
                  "(gorm_resource_class_add_index())", schema->type_name, properties);
      change = add_change (changes, GORM_MIGRATION_CHANGE_ADD_INDEX, schema->table,
                           index->n_columns == 1 ? index->columns[0]->name : NULL,
                           NULL, wants->str, why);
      if (!rebuild)
        gorm_migration_change_add_statement (change, sql);
    }

  /* Renames first, then the rebuild, then what it covers (or what runs
   * on its own). */
  for (guint i = 0; i < renames->len; i++)
    g_ptr_array_add (plan->changes, g_object_ref (g_ptr_array_index (renames, i)));
  if (rebuild && changes->len > 0 && !plan_rebuild (plan, schema, columns, error))
    goto out;
  for (guint i = 0; i < changes->len; i++)
    g_ptr_array_add (plan->changes, g_object_ref (g_ptr_array_index (changes, i)));
  ok = TRUE;

out:
  column_plans_free (columns, schema->n_columns);
  return ok;
}

/* A new table: created with its indexes. On an engine that checks a
 * foreign key's table exists (PostgreSQL), a foreign key to a table
 * created later in the plan (a cycle) is added after both. */
static void
plan_create (Plan             *plan,
             const GormSchema *schema)
{
  g_autoptr(GHashTable) deferred = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) indexes = gorm_dialect_render_create_indexes (plan->dialect, schema);
  g_autofree char *create = NULL;
  g_autofree char *why = g_strdup_printf ("%s is stored in the table “%s”, which the "
                                          "database does not have",
                                          schema->type_name, schema->table);
  GormMigrationChange *change;

  for (guint i = 0; !plan->dialect->rebuilds_tables && i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];
      const GormRelation *relation = gorm_schema_relation_for_column (schema, column);
      const GormSchema *target = relation ? gorm_schema_lookup (relation->target_type, NULL)
                                          : NULL;
      g_autofree char *references = gorm_dialect_render_references (plan->dialect, schema,
                                                                    column);

      if (references == NULL || target == NULL || target == schema ||
          g_hash_table_contains (plan->done, target->table))
        continue;
      g_hash_table_add (deferred, (gpointer) column);
      {
        g_autofree char *sql = gorm_dialect_render_add_foreign_key (schema->table, column->name,
                                                                    references);
        g_autofree char *reason_text = g_strdup_printf ("%s:%s refers to the table “%s”, "
                                                        "created after “%s”",
                                                        schema->type_name, column->pspec->name,
                                                        target->table, schema->table);
        GormMigrationChange *key = add_change (plan->deferred,
                                               GORM_MIGRATION_CHANGE_ADD_FOREIGN_KEY,
                                               schema->table, column->name, NULL, references,
                                               reason_text);

        gorm_migration_change_add_statement (key, sql);
      }
    }

  create = gorm_dialect_render_create_table_as (plan->dialect, schema, schema->table, deferred);
  change = add_change (plan->changes, GORM_MIGRATION_CHANGE_CREATE_TABLE, schema->table, NULL,
                       NULL, NULL, why);
  gorm_migration_change_add_statement (change, create);
  for (guint i = 0; i < indexes->len; i++)
    gorm_migration_change_add_statement (change, g_ptr_array_index (indexes, i));
  g_hash_table_add (plan->created, (gpointer) schema->table);
}

static gboolean
plan_type (Plan              *plan,
           const GormSchema  *schema,
           GError           **error)
{
  g_autoptr(GormCatalogTable) catalog = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *table = schema->table;

  catalog = gorm_catalog_read_table_locked (plan->connection, plan->dialect, schema->table,
                                            &local_error);
  if (catalog == NULL && local_error == NULL && schema->table_renamed_from != NULL)
    {
      catalog = gorm_catalog_read_table_locked (plan->connection, plan->dialect,
                                                schema->table_renamed_from, &local_error);
      if (catalog != NULL)
        {
          g_autofree char *sql = gorm_dialect_render_rename_table (schema->table_renamed_from,
                                                                   schema->table);
          g_autofree char *why = g_strdup_printf ("%s, stored in “%s” before, is stored in “%s” "
                                                  "(gorm_resource_class_set_table_renamed_from())",
                                                  schema->type_name, schema->table_renamed_from,
                                                  schema->table);
          GormMigrationChange *change = add_change (plan->changes,
                                                    GORM_MIGRATION_CHANGE_RENAME_TABLE,
                                                    schema->table, NULL,
                                                    schema->table_renamed_from, schema->table,
                                                    why);

          gorm_migration_change_add_statement (change, sql);
          table = schema->table_renamed_from;
          g_hash_table_insert (plan->renamed, (gpointer) table, (gpointer) schema->table);
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (catalog == NULL)
    plan_create (plan, schema);
  else if (!plan_table (plan, schema, catalog, table, error))
    return FALSE;
  g_hash_table_add (plan->done, (gpointer) schema->table);
  return TRUE;
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

/* Whether the existing link table @table of the many-to-many @relation
 * links what the relation links: its two key columns, each a foreign key
 * to its side's table. A table that does not is refused rather than used:
 * libgorm does not evolve link tables. */
static gboolean
check_link_table (const GormSchema       *schema,
                  const GormRelation     *relation,
                  const GormCatalogTable *table,
                  GError                **error)
{
  const char *columns[2] = { relation->link_source_column, relation->link_target_column };
  GType sides[2] = { relation->source_type, relation->target_type };

  for (guint i = 0; i < 2; i++)
    {
      const GormSchema *side = gorm_schema_lookup (sides[i], error);
      const GormCatalogForeignKey *key;
      g_autoptr(GString) has = g_string_new (NULL);

      if (side == NULL)
        return FALSE;
      key = gorm_catalog_table_find_foreign_key (table, columns[i]);
      if (key != NULL && g_strcmp0 (key->target_table, side->table) == 0)
        continue;

      for (guint j = 0; j < table->columns->len; j++)
        {
          const GormCatalogColumn *column = g_ptr_array_index (table->columns, j);
          const GormCatalogForeignKey *other = gorm_catalog_table_find_foreign_key (table, column->name);

          g_string_append_printf (has, "%s%s", j > 0 ? ", " : "", column->name);
          if (other != NULL)
            g_string_append_printf (has, " REFERENCES %s", other->target_table);
        }
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "Cannot migrate %s: the table “%s” of its many-to-many relation “%s” does "
                   "not link it as the relation does (the database has (%s), the model wants "
                   "the column “%s” REFERENCES %s); libgorm does not change link tables: "
                   "rename or drop the table in a migration step",
                   schema->type_name, relation->link_table, relation->name, has->str,
                   columns[i], side->table);
      return FALSE;
    }
  return TRUE;
}

/* The link tables of @schema's many-to-many relations that do not exist
 * yet, each once; the existing ones checked. */
static gboolean
plan_link_tables (Plan              *plan,
                  const GormSchema  *schema,
                  GHashTable        *planned,
                  GError           **error)
{
  const GormRelation * const *relations = gorm_schema_get_relations (schema, NULL);

  for (guint i = 0; relations[i] != NULL; i++)
    {
      g_autoptr(GormCatalogTable) table = NULL;
      g_autoptr(GPtrArray) created = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *why = NULL;
      GormMigrationChange *change;

      if (relations[i]->kind != GORM_RELATION_MANY_TO_MANY ||
          g_hash_table_contains (planned, relations[i]->link_table))
        continue;
      g_hash_table_add (planned, (gpointer) relations[i]->link_table);
      table = gorm_catalog_read_table_locked (plan->connection, plan->dialect,
                                              relations[i]->link_table, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (table != NULL)
        {
          if (!check_link_table (schema, relations[i], table, error))
            return FALSE;
          continue;
        }
      created = gorm_dialect_render_create_link_table (plan->dialect, relations[i], error);
      if (created == NULL)
        return FALSE;
      why = g_strdup_printf ("%s:%s links %s to %s through the table “%s”, which the "
                             "database does not have", schema->type_name, relations[i]->name,
                             schema->type_name, g_type_name (relations[i]->target_type),
                             relations[i]->link_table);
      change = add_change (plan->changes, GORM_MIGRATION_CHANGE_CREATE_LINK_TABLE,
                           relations[i]->link_table, NULL, NULL, NULL, why);
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
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) deferred = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (GType));
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) planned = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) renamed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) created = g_hash_table_new (g_str_hash, g_str_equal);
  Plan plan = {
    .connection = connection,
    .dialect = gorm_connection_get_dialect (connection),
    .request = request,
    .changes = changes,
    .renamed = renamed,
    .done = done,
    .created = created,
    .deferred = deferred,
  };

  for (guint i = 0; i < request->n_types; i++)
    if (!order_type (request->types[i], order, seen, error))
      return NULL;

  for (guint i = 0; i < order->len; i++)
    {
      const GormSchema *schema = gorm_schema_lookup (g_array_index (order, GType, i), error);

      if (schema == NULL || !plan_type (&plan, schema, error))
        return NULL;
    }
  for (guint i = 0; i < deferred->len; i++)
    g_ptr_array_add (changes, g_object_ref (g_ptr_array_index (deferred, i)));
  /* Link tables last: they refer to both sides. */
  for (guint i = 0; i < order->len; i++)
    {
      const GormSchema *schema = gorm_schema_lookup (g_array_index (order, GType, i), error);

      if (!plan_link_tables (&plan, schema, planned, error))
        return NULL;
    }
  return g_steal_pointer (&changes);
}

/* Runs a PRAGMA, which libgda runs as a select only; @rows, when not
 * NULL, receives its rows. */
static gboolean
run_pragma_locked (GormConnection  *connection,
                   const char      *sql,
                   GormRows       **rows,
                   GError         **error)
{
  GormStatement *statement = gorm_connection_lookup_locked (connection, sql, error);
  GormRows *result;

  if (statement == NULL)
    return FALSE;
  result = gorm_connection_select_locked (connection, statement, NULL, error);
  if (result == NULL)
    return FALSE;
  if (rows != NULL)
    *rows = result;
  else
    gorm_rows_free (result);
  return TRUE;
}

/* The first change of @changes that rebuilds a table, NULL if none. */
static GormMigrationChange *
first_rebuild (GPtrArray *changes)
{
  for (guint i = 0; i < changes->len; i++)
    if (gorm_migration_change_get_kind (g_ptr_array_index (changes, i)) ==
        GORM_MIGRATION_CHANGE_REBUILD_TABLE)
      return g_ptr_array_index (changes, i);
  return NULL;
}

gboolean
gorm_migrator_prepare_locked (GormConnection  *connection,
                              GPtrArray       *changes,
                              GError         **error)
{
  GormMigrationChange *rebuild = first_rebuild (changes);

  if (rebuild == NULL)
    return TRUE;
  if (gorm_connection_get_depth (connection) > 0)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "Cannot migrate: the migration rebuilds the table “%s”, which needs "
                   "SQLite's foreign keys off, which a transaction cannot do: run the "
                   "migration outside a transaction",
                   gorm_migration_change_get_table (rebuild));
      return FALSE;
    }
  return run_pragma_locked (connection, "PRAGMA foreign_keys=OFF", NULL, error);
}

void
gorm_migrator_restore_locked (GormConnection *connection,
                              GPtrArray      *changes)
{
  if (first_rebuild (changes) != NULL)
    run_pragma_locked (connection, "PRAGMA foreign_keys=ON", NULL, NULL);
}

/* Turns the failure of a statement of @change, when it broke a
 * constraint, into GORM_ERROR_MIGRATION naming the table and the
 * change's reason. */
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

/* The copy of a rebuild, in chunks of rowids. */
static gboolean
copy_locked (GormConnection            *connection,
             GormMigrationChange       *change,
             const char                *range_sql,
             const char                *chunk_sql,
             GormMigratorProgressFunc   progress,
             gpointer                   user_data,
             gdouble                    start,
             gdouble                    span,
             GCancellable              *cancellable,
             GError                   **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_INT64, G_TYPE_NONE };
  GormStatement *statement = gorm_connection_lookup_locked (connection, range_sql, error);
  g_autoptr(GormRows) rows = NULL;
  const GValue *low;
  const GValue *high;
  gint64 first;
  gint64 last;

  if (statement == NULL)
    return FALSE;
  rows = gorm_connection_select_locked (connection, statement, types, error);
  if (rows == NULL)
    return FALSE;
  low = gorm_rows_get_value (rows, 0, 0, error);
  high = low ? gorm_rows_get_value (rows, 1, 0, error) : NULL;
  if (high == NULL)
    return FALSE;
  if (!G_VALUE_HOLDS_INT64 (low) || !G_VALUE_HOLDS_INT64 (high))
    return TRUE;
  first = g_value_get_int64 (low);
  last = g_value_get_int64 (high);

  for (gint64 from = first; from <= last; )
    {
      gint64 to = last - from < COPY_CHUNK_ROWS ? last + 1 : from + COPY_CHUNK_ROWS;
      GValue bounds[2] = { G_VALUE_INIT, G_VALUE_INIT };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      statement = gorm_connection_lookup_locked (connection, chunk_sql, error);
      if (statement == NULL)
        return FALSE;
      g_value_init (&bounds[0], G_TYPE_INT64);
      g_value_set_int64 (&bounds[0], from);
      g_value_init (&bounds[1], G_TYPE_INT64);
      g_value_set_int64 (&bounds[1], to);
      gorm_statement_take_params (statement, bounds, 2);
      if (gorm_connection_execute_locked (connection, statement, error) < 0)
        {
          explain_failure (change, error);
          return FALSE;
        }
      if (progress != NULL)
        progress (change, start + span * ((gdouble) (to - first) / (gdouble) (last - first + 1)),
                  user_data);
      if (to > last)
        break;
      from = to;
    }
  return TRUE;
}

/* SQLite's check of the foreign keys of a rebuilt table. */
static gboolean
check_foreign_keys_locked (GormConnection       *connection,
                           GormMigrationChange  *change,
                           const char           *sql,
                           GError              **error)
{
  g_autoptr(GormRows) rows = NULL;
  const GValue *values[3];

  if (!run_pragma_locked (connection, sql, &rows, error))
    return FALSE;
  if (gorm_rows_get_n_rows (rows) == 0)
    return TRUE;
  for (guint i = 0; i < 3; i++)
    if ((values[i] = gorm_rows_get_value (rows, i, 0, error)) == NULL)
      return FALSE;
  {
    g_auto(GValue) rowid = G_VALUE_INIT;

    g_value_init (&rowid, G_TYPE_STRING);
    if (!g_value_type_transformable (G_VALUE_TYPE (values[1]), G_TYPE_STRING) ||
        !g_value_transform (values[1], &rowid))
      g_value_set_string (&rowid, "?");
    g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                 "Cannot migrate the table “%s”: its row whose rowid is “%s” refers to no row "
                 "of the table “%s” (the database has no such row, the model wants a foreign "
                 "key)", gorm_migration_change_get_table (change),
                 g_value_get_string (&rowid),
                 G_VALUE_HOLDS_STRING (values[2]) ? g_value_get_string (values[2]) : "?");
  }
  return FALSE;
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
      const char *range_sql;
      const char *chunk_sql;
      int copy = gorm_migration_change_get_copy (change, &range_sql, &chunk_sql);
      gdouble start = i / (gdouble) changes->len;
      gdouble span = 1 / (gdouble) changes->len;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (progress != NULL && statements[0] != NULL)
        progress (change, start, user_data);
      for (guint j = 0; statements[j] != NULL; j++)
        {
          gboolean ok;

          if ((int) j == copy)
            ok = copy_locked (connection, change, range_sql, chunk_sql, progress, user_data,
                              start, span, cancellable, error);
          else if (g_str_has_prefix (statements[j], "PRAGMA foreign_key_check"))
            ok = check_foreign_keys_locked (connection, change, statements[j], error);
          else
            {
              ok = gorm_connection_run_locked (connection, statements[j], error);
              if (!ok)
                explain_failure (change, error);
            }
          if (!ok)
            return FALSE;
        }
      if (progress != NULL)
        progress (change, start + span, user_data);
    }
  return TRUE;
}

GPtrArray *
gorm_migrator_replan_and_apply_locked (GormConnection             *connection,
                                       const GormMigratorRequest  *request,
                                       GPtrArray                  *prepared,
                                       GormMigratorProgressFunc    progress,
                                       gpointer                    user_data,
                                       GCancellable               *cancellable,
                                       GError                    **error)
{
  const GormDialect *dialect = gorm_connection_get_dialect (connection);
  g_autoptr(GPtrArray) changes = NULL;
  GormMigrationChange *rebuild;

  /* Another program's migration of the same tables ends before this one
   * reads them again. */
  if (dialect->migration_lock_sql != NULL &&
      !run_pragma_locked (connection, dialect->migration_lock_sql, NULL, error))
    return NULL;
  changes = gorm_migrator_plan_locked (connection, request, error);
  if (changes == NULL)
    return NULL;
  /* SQLite turns its foreign keys off outside a transaction only: a
   * rebuild with them on would drop the old table with its foreign keys
   * acting (ON DELETE CASCADE emptying the tables that refer to it). */
  rebuild = first_rebuild (changes);
  if (rebuild != NULL && first_rebuild (prepared) == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "Cannot migrate: the table “%s” needs a rebuild that the migration's "
                   "first reading did not see (another connection, or a step of the "
                   "migration, changed the table since), and SQLite cannot turn its "
                   "foreign keys off for it inside the migration's transaction; nothing "
                   "was changed: run the migration again (a step must not change a table "
                   "so that it needs a rebuild)",
                   gorm_migration_change_get_table (rebuild));
      return NULL;
    }
  if (!gorm_migrator_apply_locked (connection, changes, progress, user_data, cancellable, error))
    return NULL;
  return g_steal_pointer (&changes);
}
