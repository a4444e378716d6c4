/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-catalog-private.h"

/* Runs one of the dialect's catalog statements, with @table bound as its
 * parameter when not NULL. */
static GormRows *
select_locked (GormConnection  *connection,
               const char      *sql,
               const char      *table,
               const GType     *types,
               GError         **error)
{
  GormStatement *statement = gorm_connection_lookup_locked (connection, sql, error);

  if (statement == NULL)
    return NULL;
  if (table != NULL)
    {
      GValue name = G_VALUE_INIT;

      g_value_init (&name, G_TYPE_STRING);
      g_value_set_string (&name, table);
      gorm_statement_take_param (statement, 0, &name);
    }
  return gorm_connection_select_locked (connection, statement, types, error);
}

/* The text of a value, NULL for SQL NULL. */
static char *
dup_text (const GValue *value)
{
  return G_VALUE_HOLDS_STRING (value) ? g_value_dup_string (value) : NULL;
}

static gboolean
read_flag (const GValue *value)
{
  return G_VALUE_HOLDS_INT64 (value) && g_value_get_int64 (value) != 0;
}

/* Reads @n_columns values of @row into @values; FALSE with @error set. */
static gboolean
read_row (GormRows      *rows,
          guint          row,
          const GValue **values,
          guint          n_columns,
          GError       **error)
{
  for (guint i = 0; i < n_columns; i++)
    {
      values[i] = gorm_rows_get_value (rows, i, row, error);
      if (values[i] == NULL)
        return FALSE;
    }
  return TRUE;
}

GStrv
gorm_catalog_read_table_names_locked (GormConnection     *connection,
                                      const GormDialect  *dialect,
                                      GError            **error)
{
  static const GType types[] = { G_TYPE_STRING, G_TYPE_NONE };
  g_autoptr(GormRows) rows = select_locked (connection, dialect->catalog_tables_sql, NULL,
                                            types, error);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  if (rows == NULL)
    return NULL;
  for (guint row = 0; row < gorm_rows_get_n_rows (rows); row++)
    {
      const GValue *name;

      if (!read_row (rows, row, &name, 1, error))
        return NULL;
      if (G_VALUE_HOLDS_STRING (name))
        g_strv_builder_add (names, g_value_get_string (name));
    }
  return g_strv_builder_end (names);
}

static void
column_free (GormCatalogColumn *column)
{
  g_free (column->name);
  g_free (column->type);
  g_free (column->default_sql);
  g_free (column);
}

static void
index_free (GormCatalogIndex *index)
{
  g_free (index->name);
  g_strfreev (index->columns);
  g_free (index);
}

static void
foreign_key_free (GormCatalogForeignKey *key)
{
  g_free (key->column);
  g_free (key->target_table);
  g_free (key->target_column);
  g_free (key->name);
  g_free (key);
}

void
gorm_catalog_table_free (GormCatalogTable *table)
{
  if (table == NULL)
    return;
  g_free (table->name);
  g_ptr_array_unref (table->columns);
  g_ptr_array_unref (table->indexes);
  g_ptr_array_unref (table->foreign_keys);
  g_free (table);
}

const GormCatalogColumn *
gorm_catalog_table_find_column (const GormCatalogTable *table,
                                const char             *name)
{
  for (guint i = 0; i < table->columns->len; i++)
    {
      const GormCatalogColumn *column = g_ptr_array_index (table->columns, i);

      if (g_strcmp0 (column->name, name) == 0)
        return column;
    }
  return NULL;
}

const GormCatalogIndex *
gorm_catalog_table_find_index (const GormCatalogTable *table,
                               const char             *name)
{
  for (guint i = 0; i < table->indexes->len; i++)
    {
      const GormCatalogIndex *index = g_ptr_array_index (table->indexes, i);

      if (g_strcmp0 (index->name, name) == 0)
        return index;
    }
  return NULL;
}

const GormCatalogIndex *
gorm_catalog_table_find_unique_on (const GormCatalogTable *table,
                                   const char             *column)
{
  for (guint i = 0; i < table->indexes->len; i++)
    {
      const GormCatalogIndex *index = g_ptr_array_index (table->indexes, i);

      if (index->unique && !index->primary && index->columns != NULL &&
          g_strv_length (index->columns) == 1 && g_str_equal (index->columns[0], column))
        return index;
    }
  return NULL;
}

const GormCatalogForeignKey *
gorm_catalog_table_find_foreign_key (const GormCatalogTable *table,
                                     const char             *column)
{
  for (guint i = 0; i < table->foreign_keys->len; i++)
    {
      const GormCatalogForeignKey *key = g_ptr_array_index (table->foreign_keys, i);

      if (g_strcmp0 (key->column, column) == 0)
        return key;
    }
  return NULL;
}

/* Columns: name, declared type, not null (0/1), default (text or NULL),
 * part of the primary key (0/1). */
static gboolean
read_columns_locked (GormConnection     *connection,
                     const GormDialect  *dialect,
                     GormCatalogTable   *table,
                     GError            **error)
{
  static const GType types[] = {
    G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_NONE
  };
  g_autoptr(GormRows) rows = select_locked (connection, dialect->catalog_columns_sql,
                                            table->name, types, error);

  if (rows == NULL)
    return FALSE;
  for (guint row = 0; row < gorm_rows_get_n_rows (rows); row++)
    {
      const GValue *values[5];
      GormCatalogColumn *column;

      if (!read_row (rows, row, values, G_N_ELEMENTS (values), error))
        return FALSE;
      column = g_new0 (GormCatalogColumn, 1);
      column->name = dup_text (values[0]);
      column->type = dup_text (values[1]);
      if (column->type == NULL)
        column->type = g_strdup ("");
      column->not_null = read_flag (values[2]);
      column->default_sql = dup_text (values[3]);
      column->primary_key = read_flag (values[4]);
      g_ptr_array_add (table->columns, column);
    }
  return TRUE;
}

/* Indexes: one row per indexed column, in index then column order: name,
 * unique (0/1), primary (0/1), implicit (0/1), column (NULL for an
 * expression). */
static gboolean
read_indexes_locked (GormConnection     *connection,
                     const GormDialect  *dialect,
                     GormCatalogTable   *table,
                     GError            **error)
{
  static const GType types[] = {
    G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_NONE
  };
  g_autoptr(GormRows) rows = select_locked (connection, dialect->catalog_indexes_sql,
                                            table->name, types, error);
  g_autoptr(GStrvBuilder) columns = NULL;
  GormCatalogIndex *index = NULL;

  if (rows == NULL)
    return FALSE;
  for (guint row = 0; row < gorm_rows_get_n_rows (rows); row++)
    {
      const GValue *values[5];
      g_autofree char *name = NULL;
      g_autofree char *column = NULL;

      if (!read_row (rows, row, values, G_N_ELEMENTS (values), error))
        return FALSE;
      name = dup_text (values[0]);
      if (index == NULL || g_strcmp0 (index->name, name) != 0)
        {
          if (index != NULL)
            index->columns = g_strv_builder_end (columns);
          g_clear_pointer (&columns, g_strv_builder_unref);
          columns = g_strv_builder_new ();
          index = g_new0 (GormCatalogIndex, 1);
          index->name = g_steal_pointer (&name);
          index->unique = read_flag (values[1]);
          index->primary = read_flag (values[2]);
          index->implicit = read_flag (values[3]);
          g_ptr_array_add (table->indexes, index);
        }
      column = dup_text (values[4]);
      if (column != NULL)
        g_strv_builder_add (columns, column);
    }
  if (index != NULL)
    index->columns = g_strv_builder_end (columns);
  return TRUE;
}

/* The words of an ON DELETE action, from SQLite's words or PostgreSQL's
 * one-letter codes. */
static const char *
on_delete_words (const char *action)
{
  static const struct { const char *code; const char *words; } actions[] = {
    { "c", "CASCADE" }, { "CASCADE", "CASCADE" },
    { "r", "RESTRICT" }, { "RESTRICT", "RESTRICT" },
    { "n", "SET NULL" }, { "SET NULL", "SET NULL" },
    { "d", "SET DEFAULT" }, { "SET DEFAULT", "SET DEFAULT" },
  };

  for (guint i = 0; action != NULL && i < G_N_ELEMENTS (actions); i++)
    if (g_ascii_strcasecmp (action, actions[i].code) == 0)
      return actions[i].words;
  return "NO ACTION";
}

/* Foreign keys: column, target table, target column, ON DELETE action,
 * constraint name or NULL. */
static gboolean
read_foreign_keys_locked (GormConnection     *connection,
                          const GormDialect  *dialect,
                          GormCatalogTable   *table,
                          GError            **error)
{
  static const GType types[] = {
    G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_NONE
  };
  g_autoptr(GormRows) rows = select_locked (connection, dialect->catalog_foreign_keys_sql,
                                            table->name, types, error);

  if (rows == NULL)
    return FALSE;
  for (guint row = 0; row < gorm_rows_get_n_rows (rows); row++)
    {
      const GValue *values[5];
      GormCatalogForeignKey *key;
      g_autofree char *action = NULL;

      if (!read_row (rows, row, values, G_N_ELEMENTS (values), error))
        return FALSE;
      key = g_new0 (GormCatalogForeignKey, 1);
      key->column = dup_text (values[0]);
      key->target_table = dup_text (values[1]);
      key->target_column = dup_text (values[2]);
      action = dup_text (values[3]);
      key->on_delete = on_delete_words (action);
      key->name = dup_text (values[4]);
      g_ptr_array_add (table->foreign_keys, key);
    }
  return TRUE;
}

GormCatalogTable *
gorm_catalog_read_table_locked (GormConnection     *connection,
                                const GormDialect  *dialect,
                                const char         *name,
                                GError            **error)
{
  g_autoptr(GormCatalogTable) table = g_new0 (GormCatalogTable, 1);

  g_return_val_if_fail (name != NULL, NULL);

  table->name = g_strdup (name);
  table->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  table->indexes = g_ptr_array_new_with_free_func ((GDestroyNotify) index_free);
  table->foreign_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) foreign_key_free);

  if (!read_columns_locked (connection, dialect, table, error))
    return NULL;
  /* A table has at least one column: none, no table. */
  if (table->columns->len == 0)
    return NULL;
  if (!read_indexes_locked (connection, dialect, table, error) ||
      !read_foreign_keys_locked (connection, dialect, table, error))
    return NULL;
  return g_steal_pointer (&table);
}
