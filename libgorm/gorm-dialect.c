/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-dialect-private.h"
#include "gorm-error.h"

/* The SQL libgorm generates, the same for every dialect: the parts that
 * differ are looked up in the GormDialect table. */

const GormDialect *
gorm_dialect_for_provider (const char *provider)
{
  if (g_ascii_strcasecmp (provider, "SQLite") == 0)
    return gorm_dialect_sqlite ();
  return NULL;
}

void
gorm_dialect_append_identifier (GString    *sql,
                                const char *identifier)
{
  g_string_append_c (sql, '"');
  for (const char *p = identifier; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (sql, '"');
      g_string_append_c (sql, *p);
    }
  g_string_append_c (sql, '"');
}

void
gorm_dialect_append_parameter (GString *sql,
                               guint    number,
                               GType    sql_type)
{
  /* A BLOB is a GBytes in libgorm; libgda's parser knows its own type,
   * which the connection binds it as. */
  g_string_append_printf (sql, "##p%u::%s::null", number,
                          sql_type == G_TYPE_BYTES ? "GdaBinary" : g_type_name (sql_type));
}

static void
append_column_list (GString          *sql,
                    const GormSchema *schema,
                    gboolean          skip_auto_id)
{
  gboolean first = TRUE;

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];

      if (skip_auto_id && (column->flags & GORM_COLUMN_AUTO_ID))
        continue;
      if (!first)
        g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, column->name);
      first = FALSE;
    }
}

static void
append_key_condition (GString          *sql,
                      const GormSchema *schema,
                      guint             number)
{
  g_string_append (sql, " WHERE ");
  gorm_dialect_append_identifier (sql, schema->key->name);
  g_string_append (sql, " = ");
  gorm_dialect_append_parameter (sql, number,
                                 gorm_value_kind_get_sql_type (schema->key->kind));
}

/* Refuses values of another storage class than the column's, which a
 * dialect with dynamic typing (SQLite) would store and later convert
 * silently on reading: text in an integer column reads as 0. */
static void
append_storage_check (GString           *sql,
                      const GormDialect *dialect,
                      const GormColumn  *column)
{
  const char *storage_class = dialect->storage_class ? dialect->storage_class (column) : NULL;

  if (storage_class == NULL)
    return;
  g_string_append (sql, " CHECK (typeof(");
  gorm_dialect_append_identifier (sql, column->name);
  g_string_append_printf (sql, ") IN ('%s', 'null'))", storage_class);
}

/* A column's type, constraints and storage check, after its name. */
static void
append_column_type (GString           *sql,
                    const GormDialect *dialect,
                    const GormColumn  *column)
{
  g_string_append (sql, dialect->column_type (column));
  if (column->flags & GORM_COLUMN_PRIMARY_KEY)
    g_string_append (sql, " PRIMARY KEY");
  if (column->flags & (GORM_COLUMN_NOT_NULL | GORM_COLUMN_PRIMARY_KEY))
    g_string_append (sql, " NOT NULL");
  if ((column->flags & GORM_COLUMN_UNIQUE) && !(column->flags & GORM_COLUMN_PRIMARY_KEY))
    g_string_append (sql, " UNIQUE");
  append_storage_check (sql, dialect, column);
}

static void
append_column_definition (GString           *sql,
                          const GormDialect *dialect,
                          const GormColumn  *column)
{
  gorm_dialect_append_identifier (sql, column->name);
  g_string_append_c (sql, ' ');
  if (column->flags & GORM_COLUMN_AUTO_ID)
    g_string_append (sql, dialect->auto_id_column_type);
  else
    append_column_type (sql, dialect, column);
}

char *
gorm_dialect_render_create_table (const GormDialect *dialect,
                                  const GormSchema  *schema)
{
  GString *sql = g_string_new ("CREATE TABLE ");

  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " (");
  for (guint i = 0; i < schema->n_columns; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_column_definition (sql, dialect, &schema->columns[i]);
    }
  g_string_append_c (sql, ')');

  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_index_name (const GormSchema *schema,
                         const GormColumn *column,
                         gboolean          unique)
{
  return g_strdup_printf ("%s_%s_%s", unique ? "ux" : "ix", schema->table, column->name);
}

char *
gorm_dialect_render_index (const GormSchema *schema,
                           const GormColumn *column,
                           gboolean          unique)
{
  GString *sql = g_string_new (unique ? "CREATE UNIQUE INDEX IF NOT EXISTS "
                                      : "CREATE INDEX IF NOT EXISTS ");
  g_autofree char *name = gorm_dialect_index_name (schema, column, unique);

  gorm_dialect_append_identifier (sql, name);
  g_string_append (sql, " ON ");
  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " (");
  gorm_dialect_append_identifier (sql, column->name);
  g_string_append_c (sql, ')');

  return g_string_free (sql, FALSE);
}

gboolean
gorm_dialect_column_needs_index (const GormColumn *column)
{
  /* A unique column is indexed by its constraint already. */
  return (column->flags & GORM_COLUMN_INDEXED) &&
         !(column->flags & (GORM_COLUMN_UNIQUE | GORM_COLUMN_PRIMARY_KEY));
}

GPtrArray *
gorm_dialect_render_create_indexes (const GormDialect *dialect,
                                    const GormSchema  *schema)
{
  GPtrArray *statements = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < schema->n_columns; i++)
    if (gorm_dialect_column_needs_index (&schema->columns[i]))
      g_ptr_array_add (statements, gorm_dialect_render_index (schema, &schema->columns[i], FALSE));

  return statements;
}

/* The literal DEFAULT of a NOT NULL column added to a table that may have
 * rows: the property's own default value. */
static gboolean
append_default_literal (GString          *sql,
                        const GormSchema *schema,
                        const GormColumn *column,
                        GError          **error)
{
  g_auto(GValue) property_value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  g_value_init (&property_value, G_PARAM_SPEC_VALUE_TYPE (column->pspec));
  g_param_value_set_default (column->pspec, &property_value);
  if (!gorm_value_to_sql (column->kind, column->pspec, &property_value, &sql_value, error))
    return FALSE;

  if (G_VALUE_HOLDS_INT64 (&sql_value))
    g_string_append_printf (sql, "%" G_GINT64_FORMAT, g_value_get_int64 (&sql_value));
  else if (G_VALUE_HOLDS_DOUBLE (&sql_value))
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (sql, g_ascii_dtostr (buffer, sizeof buffer,
                                            g_value_get_double (&sql_value)));
    }
  else if (G_VALUE_HOLDS_STRING (&sql_value))
    {
      g_string_append_c (sql, '\'');
      for (const char *p = g_value_get_string (&sql_value); *p; p++)
        {
          if (*p == '\'')
            g_string_append_c (sql, '\'');
          g_string_append_c (sql, *p);
        }
      g_string_append_c (sql, '\'');
    }
  else
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "Cannot add the NOT NULL column “%s” of %s:%s to the existing table “%s”: "
                   "the property has no default value to fill the existing rows with",
                   column->name, schema->type_name, column->pspec->name, schema->table);
      return FALSE;
    }

  return TRUE;
}

GPtrArray *
gorm_dialect_render_add_column (const GormDialect *dialect,
                                const GormSchema  *schema,
                                const GormColumn  *column,
                                GError           **error)
{
  g_autoptr(GPtrArray) statements = g_ptr_array_new_with_free_func (g_free);
  GString *sql;

  if (column->flags & (GORM_COLUMN_PRIMARY_KEY | GORM_COLUMN_AUTO_ID))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "Cannot add the primary key column “%s” of %s to the existing table “%s”",
                   column->name, schema->type_name, schema->table);
      return NULL;
    }

  sql = g_string_new ("ALTER TABLE ");
  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " ADD COLUMN ");
  gorm_dialect_append_identifier (sql, column->name);
  g_string_append_c (sql, ' ');
  g_string_append (sql, dialect->column_type (column));
  if (column->flags & GORM_COLUMN_NOT_NULL)
    {
      g_string_append (sql, " NOT NULL DEFAULT ");
      if (!append_default_literal (sql, schema, column, error))
        {
          g_string_free (sql, TRUE);
          return NULL;
        }
    }
  append_storage_check (sql, dialect, column);
  g_ptr_array_add (statements, g_string_free (sql, FALSE));

  /* An added column cannot carry an inline UNIQUE constraint in SQLite;
   * a unique index enforces the same rule in every dialect. */
  if (column->flags & GORM_COLUMN_UNIQUE)
    g_ptr_array_add (statements, gorm_dialect_render_index (schema, column, TRUE));

  return g_steal_pointer (&statements);
}

/* Appends @value as a parameter numbered *@number, or as NULL. */
static void
append_value (GString      *sql,
              const GValue *value,
              guint        *number)
{
  if (gorm_value_is_sql_null (value))
    g_string_append (sql, "NULL");
  else
    gorm_dialect_append_parameter (sql, (*number)++, G_VALUE_TYPE (value));
}

char *
gorm_dialect_render_insert (const GormDialect *dialect,
                            const GormSchema  *schema,
                            const GValue      *values)
{
  GString *sql = g_string_new ("INSERT INTO ");
  guint number = 0;
  guint n_values = 0;

  gorm_dialect_append_identifier (sql, schema->table);
  for (guint i = 0; i < schema->n_columns; i++)
    if (!(schema->columns[i].flags & GORM_COLUMN_AUTO_ID))
      n_values++;

  if (n_values == 0)
    g_string_append (sql, " DEFAULT VALUES");
  else
    {
      g_string_append (sql, " (");
      append_column_list (sql, schema, TRUE);
      g_string_append (sql, ") VALUES (");
      for (guint i = 0; i < n_values; i++)
        {
          if (i > 0)
            g_string_append (sql, ", ");
          append_value (sql, &values[i], &number);
        }
      g_string_append_c (sql, ')');
    }

  /* A dialect without a statement to read the new key returns it from the
   * INSERT itself. */
  if (dialect->last_insert_id_sql == NULL && gorm_schema_has_auto_id (schema))
    {
      g_string_append (sql, " RETURNING ");
      gorm_dialect_append_identifier (sql, schema->key->name);
    }

  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_update (const GormDialect *dialect,
                            const GormSchema  *schema,
                            const guint       *columns,
                            const GValue      *values,
                            guint              n_columns)
{
  GString *sql = g_string_new ("UPDATE ");
  guint number = 0;

  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " SET ");
  for (guint i = 0; i < n_columns; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, schema->columns[columns[i]].name);
      g_string_append (sql, " = ");
      append_value (sql, &values[i], &number);
    }
  append_key_condition (sql, schema, number);

  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_delete (const GormDialect *dialect,
                            const GormSchema  *schema)
{
  GString *sql = g_string_new ("DELETE FROM ");

  gorm_dialect_append_identifier (sql, schema->table);
  append_key_condition (sql, schema, 0);

  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_select_by_key (const GormDialect *dialect,
                                   const GormSchema  *schema)
{
  GString *sql = g_string_new ("SELECT ");

  append_column_list (sql, schema, FALSE);
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, schema->table);
  append_key_condition (sql, schema, 0);

  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_savepoint (const char *verb,
                               guint       depth)
{
  return g_strdup_printf ("%s \"gorm_savepoint_%u\"", verb, depth);
}

/* Skips a quoted string, identifier or comment starting at @p, returning
 * the first character after it, or @p when nothing is skipped. */
static const char *
skip_quoted (const char *p)
{
  if (*p == '\'' || *p == '"' || *p == '`')
    {
      char quote = *p++;

      while (*p)
        {
          if (*p == quote && p[1] == quote)
            p += 2;
          else if (*p == quote)
            return p + 1;
          else
            p++;
        }
      return p;
    }
  if (p[0] == '-' && p[1] == '-')
    {
      const char *end = strchr (p, '\n');
      return end ? end + 1 : p + strlen (p);
    }
  if (p[0] == '/' && p[1] == '*')
    {
      const char *end = strstr (p + 2, "*/");
      return end ? end + 2 : p + strlen (p);
    }
  return p;
}

/* Whether @sql starts with the keyword of a statement that returns rows:
 * libgda runs those only as selects (its SQLite provider returns rows for
 * SELECT, PRAGMA and EXPLAIN, and only when the text starts with one). */
gboolean
gorm_dialect_returns_rows (const char *sql)
{
  static const char *const keywords[] = { "SELECT", "PRAGMA", "EXPLAIN" };

  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      gsize len = strlen (keywords[i]);

      if (g_ascii_strncasecmp (sql, keywords[i], len) == 0 &&
          !g_ascii_isalnum (sql[len]) && sql[len] != '_')
        return TRUE;
    }
  return FALSE;
}

char *
gorm_dialect_rewrite_placeholders (const char   *sql,
                                   const GValue *params,
                                   guint         n_params,
                                   GError      **error)
{
  g_autoptr(GString) out = g_string_sized_new (strlen (sql) + 16 * n_params);
  guint number = 0;
  guint bound = 0;
  const char *p = sql;

  while (*p)
    {
      const char *after = skip_quoted (p);

      if (after != p)
        {
          g_string_append_len (out, p, after - p);
          p = after;
          continue;
        }
      if (*p != '?')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      if (number >= n_params)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                       "The SQL “%s” has more “?” placeholders than the %u parameters given",
                       sql, n_params);
          return NULL;
        }
      if (gorm_value_is_sql_null (&params[number]))
        g_string_append (out, "NULL");
      else
        gorm_dialect_append_parameter (out, bound++, G_VALUE_TYPE (&params[number]));
      number++;
      p++;
    }

  if (number != n_params)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "The SQL “%s” has %u “?” placeholders but %u parameters were given",
                   sql, number, n_params);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Queries */

void
gorm_dialect_append_columns (GString          *sql,
                             const GormSchema *schema)
{
  append_column_list (sql, schema, FALSE);
}

void
gorm_dialect_append_boolean (const GormDialect *dialect,
                             GString           *sql,
                             gboolean           value)
{
  /* SQLite has no boolean literals before 3.23 and stores booleans as
   * integers; standard SQL conditions must be booleans, not integers. */
  if (g_str_equal (dialect->name, "sqlite"))
    g_string_append (sql, value ? "1" : "0");
  else
    g_string_append (sql, value ? "TRUE" : "FALSE");
}

static void
append_int64_parameter (GString *sql,
                        GArray  *params,
                        gint64   number)
{
  GValue value = G_VALUE_INIT;

  gorm_dialect_append_parameter (sql, params->len, G_TYPE_INT64);
  g_value_init (&value, G_TYPE_INT64);
  g_value_set_int64 (&value, number);
  g_array_append_val (params, value);
}

void
gorm_dialect_append_limit (const GormDialect *dialect,
                           GString           *sql,
                           GArray            *params,
                           gint64             limit,
                           gint64             offset)
{
  if (limit >= 0)
    {
      g_string_append (sql, " LIMIT ");
      append_int64_parameter (sql, params, limit);
    }
  else if (offset > 0 && g_str_equal (dialect->name, "sqlite"))
    {
      /* SQLite accepts OFFSET only after a LIMIT; a negative one is none. */
      g_string_append (sql, " LIMIT -1");
    }

  if (offset > 0)
    {
      g_string_append (sql, " OFFSET ");
      append_int64_parameter (sql, params, offset);
    }
}
