/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-dialect-private.h"
#include "gorm-dialect-expression-private.h"
#include "gorm-error.h"
#include "gorm-relation-private.h"

/* The SQL libgorm generates, the same for every dialect: the parts that
 * differ are looked up in the GormDialect table. */

const GormDialect *
gorm_dialect_for_provider (const char *provider)
{
  if (g_ascii_strcasecmp (provider, "SQLite") == 0)
    return gorm_dialect_sqlite ();
  if (g_ascii_strcasecmp (provider, "PostgreSQL") == 0)
    return gorm_dialect_postgresql ();
  return NULL;
}

const char *
gorm_dialect_sized_type (const char *name,
                         guint       size)
{
  g_autofree char *type = g_strdup_printf ("%s(%u)", name, size);

  return g_intern_string (type);
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
  char digits[16];
  guint n_digits = 0;

  /* "##pN::TYPE::null", written without printf: a filter's statements
   * write one per value each time a query model renders them. */
  do
    digits[n_digits++] = (char) ('0' + number % 10);
  while ((number /= 10) > 0);
  g_string_append (sql, "##p");
  while (n_digits > 0)
    g_string_append_c (sql, digits[--n_digits]);
  g_string_append (sql, "::");
  /* A BLOB is a GBytes in libgorm; libgda's parser knows its own type,
   * which the connection binds it as. */
  g_string_append (sql, sql_type == G_TYPE_BYTES ? "GdaBinary" : g_type_name (sql_type));
  g_string_append (sql, "::null");
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

static gboolean append_default_literal (const GormDialect *dialect,
                                        GString           *sql,
                                        const GormSchema  *schema,
                                        const GormColumn  *column,
                                        GError           **error);

/* A column's type, constraints and storage check, after its name. */
static void
append_column_type (GString           *sql,
                    const GormDialect *dialect,
                    const GormSchema  *schema,
                    const GormColumn  *column)
{
  g_string_append (sql, dialect->column_type (column));
  if (column->flags & GORM_COLUMN_PRIMARY_KEY)
    g_string_append (sql, " PRIMARY KEY");
  if (column->flags & (GORM_COLUMN_NOT_NULL | GORM_COLUMN_PRIMARY_KEY))
    g_string_append (sql, " NOT NULL");
  /* A NOT NULL number, boolean, enum or flags column has its property's
   * default as its own, so that a row another tool inserts without it
   * holds what libgorm would have written; every such default has a
   * literal. */
  if ((column->flags & GORM_COLUMN_NOT_NULL) && !(column->flags & GORM_COLUMN_PRIMARY_KEY) &&
      !gorm_value_kind_is_nullable (column->kind))
    {
      g_string_append (sql, " DEFAULT ");
      if (!append_default_literal (dialect, sql, schema, column, NULL))
        g_string_truncate (sql, sql->len - strlen (" DEFAULT "));
    }
  if ((column->flags & GORM_COLUMN_UNIQUE) && !(column->flags & GORM_COLUMN_PRIMARY_KEY))
    g_string_append (sql, " UNIQUE");
  append_storage_check (sql, dialect, column);
}


/* The foreign key constraint of @column, when it is the key of a
 * relation: " REFERENCES "question" ("id") ON DELETE CASCADE". A
 * SET_DEFAULT key also gets its property's default as the column's
 * DEFAULT, which the database sets. */
static gboolean
append_references (GString           *sql,
                   const GormDialect *dialect,
                   const GormSchema  *schema,
                   const GormColumn  *column,
                   gboolean           has_default,
                   GError           **error)
{
  const GormRelation *relation;
  const GormSchema *target;

  if (!(column->flags & GORM_COLUMN_INDEXED) ||
      (relation = gorm_schema_relation_for_column (schema, column)) == NULL)
    return TRUE;
  target = gorm_schema_lookup (relation->target_type, error);
  if (target == NULL)
    return FALSE;
  if (relation->on_delete == GORM_ON_DELETE_SET_DEFAULT && !has_default)
    {
      g_string_append (sql, " DEFAULT ");
      if (!append_default_literal (dialect, sql, schema, column, error))
        return FALSE;
    }
  g_string_append (sql, " REFERENCES ");
  gorm_dialect_append_identifier (sql, target->table);
  g_string_append (sql, " (");
  gorm_dialect_append_identifier (sql, target->key->name);
  g_string_append_printf (sql, ") ON DELETE %s", gorm_relation_on_delete_sql (relation->on_delete));
  return TRUE;
}

static void
append_column_definition (GString           *sql,
                          const GormDialect *dialect,
                          const GormSchema  *schema,
                          const GormColumn  *column)
{
  gorm_dialect_append_identifier (sql, column->name);
  g_string_append_c (sql, ' ');
  if (column->flags & GORM_COLUMN_AUTO_ID)
    g_string_append (sql, dialect->auto_id_column_type);
  else
    {
      append_column_type (sql, dialect, schema, column);
      /* The schema is valid and its relations checked before any DDL is
       * rendered: a failure here is a bug. */
      if (!append_references (sql, dialect, schema, column,
                              (column->flags & GORM_COLUMN_NOT_NULL) &&
                              !gorm_value_kind_is_nullable (column->kind), NULL))
        g_critical ("%s:%s: the foreign key cannot be rendered", schema->type_name,
                    column->pspec->name);
    }
}

char *
gorm_dialect_render_create_table (const GormDialect *dialect,
                                  const GormSchema  *schema)
{
  return gorm_dialect_render_create_table_as (dialect, schema, schema->table, NULL);
}

char *
gorm_dialect_render_create_table_as (const GormDialect *dialect,
                                     const GormSchema  *schema,
                                     const char        *table,
                                     GHashTable        *deferred)
{
  GString *sql = g_string_new ("CREATE TABLE ");

  gorm_dialect_append_identifier (sql, table);
  g_string_append (sql, " (");
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];

      if (i > 0)
        g_string_append (sql, ", ");
      if (deferred != NULL && g_hash_table_contains (deferred, column))
        {
          /* Its foreign key is added once its target exists. */
          gorm_dialect_append_identifier (sql, column->name);
          g_string_append_c (sql, ' ');
          append_column_type (sql, dialect, schema, column);
        }
      else
        append_column_definition (sql, dialect, schema, column);
    }
  g_string_append_c (sql, ')');

  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_column_default (const GormDialect *dialect,
                             const GormSchema  *schema,
                             const GormColumn  *column,
                             gboolean           any)
{
  const GormRelation *relation;
  g_autoptr(GString) sql = g_string_new (NULL);

  if (column->flags & (GORM_COLUMN_PRIMARY_KEY | GORM_COLUMN_AUTO_ID))
    return NULL;
  /* As append_column_type() and append_references() write it. */
  if (!any && !((column->flags & GORM_COLUMN_NOT_NULL) &&
                !gorm_value_kind_is_nullable (column->kind)) &&
      !((column->flags & GORM_COLUMN_INDEXED) &&
        (relation = gorm_schema_relation_for_column (schema, column)) != NULL &&
        relation->on_delete == GORM_ON_DELETE_SET_DEFAULT))
    return NULL;
  if (!append_default_literal (dialect, sql, schema, column, NULL))
    return NULL;
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

char *
gorm_dialect_render_references (const GormDialect *dialect,
                                const GormSchema  *schema,
                                const GormColumn  *column)
{
  const GormRelation *relation;
  const GormSchema *target;
  GString *sql;

  if (!(column->flags & GORM_COLUMN_INDEXED) ||
      (relation = gorm_schema_relation_for_column (schema, column)) == NULL ||
      (target = gorm_schema_lookup (relation->target_type, NULL)) == NULL)
    return NULL;
  sql = g_string_new ("REFERENCES ");
  gorm_dialect_append_identifier (sql, target->table);
  g_string_append (sql, " (");
  gorm_dialect_append_identifier (sql, target->key->name);
  g_string_append_printf (sql, ") ON DELETE %s", gorm_relation_on_delete_sql (relation->on_delete));
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_index_name (const GormSchema *schema,
                         const GormColumn *column,
                         gboolean          unique)
{
  return g_strdup_printf ("%s_%s_%s", unique ? "ux" : "ix", schema->table, column->name);
}

static gboolean column_is_nullable (const GormColumn *column);

char *
gorm_dialect_render_index (const GormDialect *dialect,
                           const GormSchema  *schema,
                           const GormColumn  *column,
                           gboolean           unique)
{
  GString *sql = g_string_new (unique ? "CREATE UNIQUE INDEX IF NOT EXISTS "
                                      : "CREATE INDEX IF NOT EXISTS ");
  g_autofree char *name = gorm_dialect_index_name (schema, column, unique);

  gorm_dialect_append_identifier (sql, name);
  g_string_append (sql, " ON ");
  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " (");
  gorm_dialect_append_identifier (sql, column->name);
  /* In the order gorm_dialect_append_order() writes for the column, so
   * that a query sorted on it, either way, reads the index forward or
   * backward instead of sorting the table. */
  if (dialect->orders_nulls && column_is_nullable (column))
    g_string_append (sql, " NULLS FIRST");
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

char *
gorm_dialect_render_composite_index (const GormDialect *dialect,
                                     const GormSchema  *schema,
                                     const GormIndex   *index)
{
  GString *sql = g_string_new (index->unique ? "CREATE UNIQUE INDEX IF NOT EXISTS "
                                             : "CREATE INDEX IF NOT EXISTS ");

  gorm_dialect_append_identifier (sql, index->name);
  g_string_append (sql, " ON ");
  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " (");
  for (guint i = 0; i < index->n_columns; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, index->columns[i]->name);
      /* As for the index of one column: in the order of ORDER BY. */
      if (dialect->orders_nulls && column_is_nullable (index->columns[i]))
        g_string_append (sql, " NULLS FIRST");
    }
  g_string_append_c (sql, ')');

  return g_string_free (sql, FALSE);
}

/* Whether @message names the unique index or constraint @name of the
 * @n_columns columns @columns as the engine does in a violation: by its
 * quoted name (PostgreSQL: 'violates unique constraint "ux_…"', 'could
 * not create unique index "ux_…"'), or by its columns (SQLite: "UNIQUE
 * constraint failed: table.a, table.b"). */
static gboolean
message_names_unique (const char             *message,
                      const GormSchema       *schema,
                      const char             *name,
                      const GormColumn * const *columns,
                      guint                   n_columns)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", name);
  g_autoptr(GString) listed = g_string_new ("UNIQUE constraint failed: ");
  const char *found;

  if (strstr (message, quoted) != NULL)
    return TRUE;

  for (guint i = 0; i < n_columns; i++)
    g_string_append_printf (listed, "%s%s.%s", i > 0 ? ", " : "",
                            schema->table, columns[i]->name);
  found = strstr (message, listed->str);
  if (found == NULL)
    return FALSE;
  /* Not the start of a longer list, or of a longer column name. */
  found += listed->len;
  return !(g_ascii_isalnum (*found) || *found == '_' || *found == ',' || *found == '.');
}

const GormIndex *
gorm_dialect_find_violated_index (const GormSchema *schema,
                                  const GError     *error)
{
  if (error == NULL || !g_error_matches (error, GORM_ERROR, GORM_ERROR_CONSTRAINT))
    return NULL;
  for (guint i = 0; i < schema->n_indexes; i++)
    if (schema->indexes[i].unique &&
        message_names_unique (error->message, schema, schema->indexes[i].name,
                              (const GormColumn * const *) schema->indexes[i].columns,
                              schema->indexes[i].n_columns))
      return &schema->indexes[i];
  return NULL;
}

gboolean
gorm_dialect_violates_key (const GormSchema *schema,
                           const GError     *error)
{
  /* PostgreSQL names a table's primary key constraint "<table>_pkey". */
  g_autofree char *name = g_strdup_printf ("%s_pkey", schema->table);
  const GormColumn *key[] = { schema->key };

  return error != NULL && g_error_matches (error, GORM_ERROR, GORM_ERROR_CONSTRAINT) &&
         message_names_unique (error->message, schema, name, key, 1);
}

char *
gorm_dialect_index_properties (const GormIndex *index)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < index->n_columns; i++)
    g_string_append_printf (text, "%s“%s”", i > 0 ? ", " : "",
                            index->columns[i]->pspec->name);
  return g_string_free (text, FALSE);
}

void
gorm_dialect_explain_unique_error (const GormSchema  *schema,
                                   GError           **error)
{
  const GormIndex *index = error ? gorm_dialect_find_violated_index (schema, *error) : NULL;
  g_autofree char *properties = NULL;

  if (index == NULL)
    return;
  properties = gorm_dialect_index_properties (index);
  g_prefix_error (error, "another %s has the same %s, which are unique together: ",
                  schema->type_name, properties);
}

GPtrArray *
gorm_dialect_render_create_indexes (const GormDialect *dialect,
                                    const GormSchema  *schema)
{
  GPtrArray *statements = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < schema->n_columns; i++)
    if (gorm_dialect_column_needs_index (&schema->columns[i]))
      g_ptr_array_add (statements, gorm_dialect_render_index (dialect, schema, &schema->columns[i], FALSE));
  for (guint i = 0; i < schema->n_indexes; i++)
    g_ptr_array_add (statements, gorm_dialect_render_composite_index (dialect, schema, &schema->indexes[i]));

  return statements;
}

/* A link table of a many-to-many relation: its two key columns, each
 * referring to its side with ON DELETE CASCADE, a pair stored once, and
 * an index on the target column (the unique pair's index serves lookups
 * by the source). */
GPtrArray *
gorm_dialect_render_create_link_table (const GormDialect  *dialect,
                                       const GormRelation *relation,
                                       GError            **error)
{
  g_autoptr(GPtrArray) statements = g_ptr_array_new_with_free_func (g_free);
  const GormSchema *sides[2];
  const char *columns[2] = { relation->link_source_column, relation->link_target_column };
  g_autofree char *index = NULL;
  GString *sql;

  sides[0] = gorm_schema_lookup (relation->source_type, error);
  sides[1] = sides[0] ? gorm_schema_lookup (relation->target_type, error) : NULL;
  if (sides[1] == NULL)
    return NULL;

  sql = g_string_new ("CREATE TABLE IF NOT EXISTS ");
  gorm_dialect_append_identifier (sql, relation->link_table);
  g_string_append (sql, " (");
  for (guint i = 0; i < 2; i++)
    {
      gorm_dialect_append_identifier (sql, columns[i]);
      g_string_append_printf (sql, " %s NOT NULL REFERENCES ",
                              dialect->column_type (sides[i]->key));
      gorm_dialect_append_identifier (sql, sides[i]->table);
      g_string_append (sql, " (");
      gorm_dialect_append_identifier (sql, sides[i]->key->name);
      g_string_append (sql, ") ON DELETE CASCADE, ");
    }
  g_string_append (sql, "UNIQUE (");
  gorm_dialect_append_identifier (sql, columns[0]);
  g_string_append (sql, ", ");
  gorm_dialect_append_identifier (sql, columns[1]);
  g_string_append (sql, "))");
  g_ptr_array_add (statements, g_string_free (sql, FALSE));

  index = g_strdup_printf ("ix_%s_%s", relation->link_table, columns[1]);
  sql = g_string_new ("CREATE INDEX IF NOT EXISTS ");
  gorm_dialect_append_identifier (sql, index);
  g_string_append (sql, " ON ");
  gorm_dialect_append_identifier (sql, relation->link_table);
  g_string_append (sql, " (");
  gorm_dialect_append_identifier (sql, columns[1]);
  g_string_append_c (sql, ')');
  g_ptr_array_add (statements, g_string_free (sql, FALSE));

  return g_steal_pointer (&statements);
}

/* "SELECT @selected, @column FROM @table WHERE @column IN (p0, …)
 * ORDER BY @selected" with @n_keys parameters of SQL type @key_type. */
static char *
render_select_in (const char *table,
                  const char *selected,
                  const char *column,
                  guint       n_keys,
                  GType       key_type)
{
  GString *sql = g_string_new ("SELECT ");

  gorm_dialect_append_identifier (sql, selected);
  g_string_append (sql, ", ");
  gorm_dialect_append_identifier (sql, column);
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, table);
  g_string_append (sql, " WHERE ");
  gorm_dialect_append_identifier (sql, column);
  g_string_append (sql, " IN (");
  for (guint i = 0; i < n_keys; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_parameter (sql, i, key_type);
    }
  g_string_append (sql, ") ORDER BY ");
  gorm_dialect_append_identifier (sql, selected);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_linked (const GormDialect  *dialect,
                            const GormRelation *relation,
                            guint               n_keys,
                            GType               key_type)
{
  return render_select_in (relation->link_table, relation->link_target_column,
                           relation->link_source_column, n_keys, key_type);
}

char *
gorm_dialect_render_referencing (const GormDialect *dialect,
                                 const GormSchema  *schema,
                                 const GormColumn  *column,
                                 guint              n_keys,
                                 GType              key_type)
{
  return render_select_in (schema->table, schema->key->name, column->name, n_keys, key_type);
}

char *
gorm_dialect_render_link_statement (const GormDialect  *dialect,
                                    const GormRelation *relation,
                                    GormLinkStatement   kind,
                                    GType               key_type)
{
  GString *sql = g_string_new (NULL);

  switch (kind)
    {
    case GORM_LINK_INSERT:
      g_string_append (sql, "INSERT INTO ");
      gorm_dialect_append_identifier (sql, relation->link_table);
      g_string_append (sql, " (");
      gorm_dialect_append_identifier (sql, relation->link_source_column);
      g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, relation->link_target_column);
      g_string_append (sql, ") VALUES (");
      gorm_dialect_append_parameter (sql, 0, key_type);
      g_string_append (sql, ", ");
      gorm_dialect_append_parameter (sql, 1, key_type);
      /* Both engines: a pair linked already stays one row. */
      g_string_append (sql, ") ON CONFLICT DO NOTHING");
      break;

    case GORM_LINK_DELETE:
    case GORM_LINK_CLEAR:
    case GORM_LINK_SELECT_TARGETS:
      if (kind == GORM_LINK_SELECT_TARGETS)
        {
          g_string_append (sql, "SELECT ");
          gorm_dialect_append_identifier (sql, relation->link_target_column);
          g_string_append (sql, " FROM ");
        }
      else
        g_string_append (sql, "DELETE FROM ");
      gorm_dialect_append_identifier (sql, relation->link_table);
      g_string_append (sql, " WHERE ");
      gorm_dialect_append_identifier (sql, relation->link_source_column);
      g_string_append (sql, " = ");
      gorm_dialect_append_parameter (sql, 0, key_type);
      if (kind == GORM_LINK_DELETE)
        {
          g_string_append (sql, " AND ");
          gorm_dialect_append_identifier (sql, relation->link_target_column);
          g_string_append (sql, " = ");
          gorm_dialect_append_parameter (sql, 1, key_type);
        }
      break;
    }

  return g_string_free (sql, FALSE);
}

/* The literal DEFAULT of a NOT NULL column added to a table that may have
 * rows: the property's own default value. */
static gboolean
append_default_literal (const GormDialect *dialect,
                        GString          *sql,
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

  if (G_VALUE_HOLDS_INT64 (&sql_value) && column->kind == GORM_VALUE_KIND_BOOLEAN)
    gorm_dialect_append_boolean (dialect, sql, g_value_get_int64 (&sql_value) != 0);
  else if (G_VALUE_HOLDS_INT64 (&sql_value))
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
      if (!append_default_literal (dialect, sql, schema, column, error))
        {
          g_string_free (sql, TRUE);
          return NULL;
        }
    }
  append_storage_check (sql, dialect, column);
  if (!append_references (sql, dialect, schema, column,
                          (column->flags & GORM_COLUMN_NOT_NULL) != 0, error))
    {
      g_string_free (sql, TRUE);
      return NULL;
    }
  g_ptr_array_add (statements, g_string_free (sql, FALSE));

  /* An added column cannot carry an inline UNIQUE constraint in SQLite;
   * a unique index enforces the same rule in every dialect. */
  if (column->flags & GORM_COLUMN_UNIQUE)
    g_ptr_array_add (statements, gorm_dialect_render_index (dialect, schema, column, TRUE));

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

/* Appends @n_values values, separated by commas. */
static void
append_values (GString      *sql,
               const GValue *values,
               guint         n_values,
               guint        *number)
{
  for (guint i = 0; i < n_values; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_value (sql, &values[i], number);
    }
}

char *
gorm_dialect_render_insert (const GormDialect *dialect,
                            const GormSchema  *schema,
                            const GValue      *values,
                            gboolean           with_key)
{
  GString *sql = g_string_new ("INSERT INTO ");
  guint number = 0;
  guint n_values = 0;

  gorm_dialect_append_identifier (sql, schema->table);
  for (guint i = 0; i < schema->n_columns; i++)
    if (with_key || !(schema->columns[i].flags & GORM_COLUMN_AUTO_ID))
      n_values++;

  if (n_values == 0)
    g_string_append (sql, " DEFAULT VALUES");
  else
    {
      g_string_append (sql, " (");
      append_column_list (sql, schema, !with_key);
      g_string_append (sql, ") VALUES (");
      append_values (sql, values, n_values, &number);
      g_string_append_c (sql, ')');
    }

  /* A dialect without a statement to read the new key returns it from the
   * INSERT itself. */
  if (!with_key && dialect->last_insert_id_sql == NULL && gorm_schema_has_auto_id (schema))
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

/* Many objects at once */

char *
gorm_dialect_render_insert_rows (const GormDialect *dialect,
                                 const GormSchema  *schema,
                                 const GValue      *shape,
                                 guint              n_values,
                                 gboolean           with_key,
                                 guint              n_rows)
{
  GString *sql = g_string_new ("INSERT INTO ");
  GType key_type = gorm_value_kind_get_sql_type (schema->key->kind);
  guint number = 0;

  g_return_val_if_fail (n_rows > 0, NULL);

  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " (");
  if (with_key)
    {
      gorm_dialect_append_identifier (sql, schema->key->name);
      if (n_values > 0)
        g_string_append (sql, ", ");
    }
  append_column_list (sql, schema, TRUE);
  g_string_append (sql, ") VALUES ");
  for (guint row = 0; row < n_rows; row++)
    {
      g_string_append (sql, row > 0 ? ", (" : "(");
      if (with_key)
        {
          gorm_dialect_append_parameter (sql, number++, key_type);
          if (n_values > 0)
            g_string_append (sql, ", ");
        }
      append_values (sql, shape, n_values, &number);
      g_string_append_c (sql, ')');
    }

  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_update_rows (const GormDialect *dialect,
                                 const GormSchema  *schema,
                                 const guint       *columns,
                                 guint              n_columns,
                                 const GValue      *shape,
                                 guint              n_rows)
{
  GString *sql = g_string_new ("UPDATE ");
  GType key_type = gorm_value_kind_get_sql_type (schema->key->kind);
  guint number = 0;

  g_return_val_if_fail (n_rows > 0 && n_columns > 0, NULL);

  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " SET ");
  for (guint i = 0; i < n_columns; i++)
    {
      const GormColumn *column = &schema->columns[columns[i]];

      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, column->name);
      g_string_append (sql, " = CASE ");
      gorm_dialect_append_identifier (sql, schema->key->name);
      for (guint row = 0; row < n_rows; row++)
        {
          const GValue *value = &shape[row * n_columns + i];

          g_string_append (sql, " WHEN ");
          gorm_dialect_append_parameter (sql, number++, key_type);
          g_string_append (sql, " THEN ");
          /* See casts_case_values; SQLite stores what it is given,
           * which the column's CHECK judges. */
          if (dialect->casts_case_values && !gorm_value_is_sql_null (value))
            {
              g_string_append (sql, "CAST(");
              append_value (sql, value, &number);
              g_string_append_printf (sql, " AS %s)", dialect->column_type (column));
            }
          else
            append_value (sql, value, &number);
        }
      /* Every row has its WHEN: the ELSE is never taken. */
      g_string_append (sql, " ELSE ");
      gorm_dialect_append_identifier (sql, column->name);
      g_string_append (sql, " END");
    }
  g_string_append (sql, " WHERE ");
  gorm_dialect_append_identifier (sql, schema->key->name);
  g_string_append (sql, " IN (");
  for (guint row = 0; row < n_rows; row++)
    {
      if (row > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_parameter (sql, number++, key_type);
    }
  g_string_append_c (sql, ')');

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

/* A SELECT of the key as text and the value as an SQL literal (a blob
 * as X'..', never invalid UTF-8) of one row whose
 * @column holds a value of another storage class than the column's
 * values need, or NULL when @column's values need none. Integers are
 * fine where reals are needed: they read back as the same double. */
char *
gorm_dialect_render_find_misstored (const GormDialect *dialect,
                                    const GormSchema  *schema,
                                    const GormColumn  *column)
{
  const char *storage_class = dialect->storage_class ? dialect->storage_class (column) : NULL;
  GString *sql;

  if (g_strcmp0 (storage_class, "integer") != 0 && g_strcmp0 (storage_class, "real") != 0)
    return NULL;

  sql = g_string_new ("SELECT CAST(");
  gorm_dialect_append_identifier (sql, schema->key->name);
  g_string_append (sql, " AS TEXT), quote(");
  gorm_dialect_append_identifier (sql, column->name);
  g_string_append (sql, ") FROM ");
  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " WHERE typeof(");
  gorm_dialect_append_identifier (sql, column->name);
  g_string_append_printf (sql, ") NOT IN ('%s', %s'null') LIMIT 1", storage_class,
                          g_str_equal (storage_class, "real") ? "'integer', " : "");

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

char *
gorm_dialect_number_parameters (const char *sql,
                                char        mark,
                                guint      *n_params)
{
  GString *out = g_string_sized_new (strlen (sql));
  const char *p = sql;
  guint n = 0;

  while (*p)
    {
      const char *after = skip_quoted (p);
      guint64 number;
      char *end;

      if (after != p)
        {
          g_string_append_len (out, p, after - p);
          p = after;
          continue;
        }
      if (p[0] != '#' || p[1] != '#' || p[2] != 'p' || !g_ascii_isdigit (p[3]))
        {
          g_string_append_c (out, *p++);
          continue;
        }
      /* A number past the engine's limit is the engine's to refuse. */
      number = g_ascii_strtoull (p + 3, &end, 10);
      /* SQLite numbers a bare `?` one past the highest number before it,
       * and looks each `?N` up in a list of the names it has seen, in a
       * time that grows with the square of the parameters. */
      if (mark == '?' && number == n)
        g_string_append_c (out, '?');
      else
        g_string_append_printf (out, "%c%" G_GUINT64_FORMAT, mark, number + 1);
      n = (guint) MIN (MAX (n, number + 1), G_MAXUINT);
      /* The ::type and ::null that follow, libgda's alone. */
      while (end[0] == ':' && end[1] == ':')
        {
          end += 2;
          while (g_ascii_isalnum (*end) || *end == '_')
            end++;
        }
      p = end;
    }

  if (n_params != NULL)
    *n_params = n;
  return g_string_free (out, FALSE);
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

static void
append_table_as (GString          *sql,
                 const GormSchema *schema,
                 const char       *alias)
{
  gorm_dialect_append_identifier (sql, schema->table);
  if (alias != NULL)
    {
      g_string_append (sql, " AS ");
      gorm_dialect_append_identifier (sql, alias);
    }
}

static void
append_qualified_column (GString          *sql,
                         const char       *alias,
                         const GormColumn *column)
{
  if (alias != NULL)
    {
      gorm_dialect_append_identifier (sql, alias);
      g_string_append_c (sql, '.');
    }
  gorm_dialect_append_identifier (sql, column->name);
}

/* Conditions */

GormCondition *
gorm_condition_new_leaf (GormConditionOp   op,
                         const GormColumn *column,
                         guint             n_values)
{
  GormCondition *self = g_new0 (GormCondition, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->op = op;
  self->column = column;
  self->values = g_new0 (GValue, MAX (n_values, 1));
  self->n_values = n_values;
  return self;
}

GormCondition *
gorm_condition_new_combination (GormConditionOp  op,
                                GormCondition   *a,
                                GormCondition   *b)
{
  GormCondition *self = g_new0 (GormCondition, 1);

  g_assert (op == GORM_CONDITION_AND || op == GORM_CONDITION_OR || op == GORM_CONDITION_NOT);
  g_assert (a != NULL && (b != NULL) == (op != GORM_CONDITION_NOT));

  g_atomic_ref_count_init (&self->ref_count);
  self->op = op;
  self->children[0] = a;
  self->children[1] = b;
  return self;
}

GormCondition *
gorm_condition_new_related (const GormStep *step,
                            GormCondition  *child)
{
  GormCondition *self = g_new0 (GormCondition, 1);

  g_assert (step != NULL && child != NULL);

  g_atomic_ref_count_init (&self->ref_count);
  self->op = GORM_CONDITION_RELATED;
  self->step = step;
  self->children[0] = child;
  return self;
}

GormCondition *
gorm_condition_new_compare (const GormSchema *root,
                            GormConditionOp   comparison,
                            GormExprNode     *left,
                            GormExprNode     *right,
                            guint             skip_steps)
{
  GormCondition *self = g_new0 (GormCondition, 1);

  g_assert (comparison >= GORM_CONDITION_EQ && comparison <= GORM_CONDITION_GE);
  g_assert (left != NULL && right != NULL);

  g_atomic_ref_count_init (&self->ref_count);
  self->op = GORM_CONDITION_COMPARE;
  self->root = root;
  self->comparison = comparison;
  self->operands[0] = left;
  self->operands[1] = right;
  self->skip_steps = skip_steps;
  return self;
}

GormCondition *
gorm_condition_ref (GormCondition *condition)
{
  g_atomic_ref_count_inc (&condition->ref_count);
  return condition;
}

void
gorm_condition_unref (GormCondition *condition)
{
  if (!g_atomic_ref_count_dec (&condition->ref_count))
    return;

  g_clear_pointer (&condition->children[0], gorm_condition_unref);
  g_clear_pointer (&condition->children[1], gorm_condition_unref);
  g_clear_pointer (&condition->operands[0], gorm_expr_node_unref);
  g_clear_pointer (&condition->operands[1], gorm_expr_node_unref);
  for (guint i = 0; i < condition->n_values; i++)
    if (G_IS_VALUE (&condition->values[i]))
      g_value_unset (&condition->values[i]);
  g_free (condition->values);
  g_free (condition);
}

/* The SQL operator of a comparison, and the one of its complement. */
static const struct
{
  const char *positive;
  const char *negative;
} comparisons[] = {
  [GORM_CONDITION_EQ] = { "=", "<>" },
  [GORM_CONDITION_NE] = { "<>", "=" },
  [GORM_CONDITION_LT] = { "<", ">=" },
  [GORM_CONDITION_LE] = { "<=", ">" },
  [GORM_CONDITION_GT] = { ">", "<=" },
  [GORM_CONDITION_GE] = { ">=", "<" },
};

/* Copies an SQL value for binding. */
static void
copy_sql_value (GValue       *copy,
                const GValue *value)
{
  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);
}

static void
append_bound_value (GString      *sql,
                    GArray       *params,
                    const GValue *value)
{
  GValue copy = G_VALUE_INIT;

  gorm_dialect_append_parameter (sql, params->len, G_VALUE_TYPE (value));
  copy_sql_value (&copy, value);
  g_array_append_val (params, copy);
}

/* The escape character of LIKE, a backslash, is a parameter too: libgda's
 * parser reads the literal '\' as an unterminated string. */
static void
append_like_escape (GString *sql,
                    GArray  *params)
{
  GValue escape = G_VALUE_INIT;

  g_string_append (sql, " ESCAPE ");
  gorm_dialect_append_parameter (sql, params->len, G_TYPE_STRING);
  g_value_init (&escape, G_TYPE_STRING);
  g_value_set_static_string (&escape, "\\");
  g_array_append_val (params, escape);
}

static void
append_leaf_column (GString             *sql,
                    const GormCondition *leaf)
{
  gorm_dialect_append_identifier (sql, leaf->column->name);
}

/* The column of @leaf as the text LIKE matches: its stored text, or for
 * a date-time where the engine stores no text, the text libgorm writes. */
static void
append_text_column (const GormDialect   *dialect,
                    GString             *sql,
                    const GormCondition *leaf)
{
  if (leaf->column->kind == GORM_VALUE_KIND_DATE_TIME && dialect->date_time_text != NULL)
    {
      g_autoptr(GString) column = g_string_new (NULL);

      gorm_dialect_append_identifier (column, leaf->column->name);
      g_string_append_printf (sql, dialect->date_time_text, column->str);
      return;
    }
  append_leaf_column (sql, leaf);
}

/* Whether the column of @leaf can hold NULL in a row libgorm wrote. */
static gboolean
leaf_is_nullable (const GormCondition *leaf)
{
  return gorm_column_is_nullable (leaf->column);
}

/* Appends " IS NULL" or " IS NOT NULL" for @leaf's column. */
static void
append_null_test (GString             *sql,
                  const GormCondition *leaf,
                  gboolean             is_null)
{
  append_leaf_column (sql, leaf);
  g_string_append (sql, is_null ? " IS NULL" : " IS NOT NULL");
}

/* Opens the condition of a negated leaf whose rows with NULL must match:
 * SQL's comparisons are unknown for them, and NOT of unknown is unknown. */
static gboolean
open_null_match (GString             *sql,
                 const GormCondition *leaf,
                 gboolean             negated)
{
  if (!negated || !leaf_is_nullable (leaf))
    return FALSE;
  g_string_append_c (sql, '(');
  return TRUE;
}

static void
close_null_match (GString             *sql,
                  const GormCondition *leaf,
                  gboolean             opened)
{
  if (!opened)
    return;
  g_string_append (sql, " OR ");
  append_null_test (sql, leaf, TRUE);
  g_string_append_c (sql, ')');
}

/* " IN (…)" or " NOT IN (…)": the values one parameter each while the
 * dialect binds them fast enough that way, else as one value set. */
static void
append_membership (const GormDialect   *dialect,
                   GString             *sql,
                   GArray              *params,
                   const GormCondition *leaf,
                   gboolean             negated)
{
  if (leaf->n_values > dialect->max_listed_values && dialect->append_value_set != NULL)
    {
      dialect->append_value_set (sql, params, leaf->column, leaf->values, leaf->n_values, negated);
      return;
    }

  append_leaf_column (sql, leaf);
  g_string_append (sql, negated ? " NOT IN (" : " IN (");
  for (guint i = 0; i < leaf->n_values; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_bound_value (sql, params, &leaf->values[i]);
    }
  g_string_append_c (sql, ')');
}

static void
render_in (const GormDialect   *dialect,
           GString             *sql,
           GArray              *params,
           const GormCondition *leaf,
           gboolean             negated)
{
  gboolean opened;

  if (leaf->n_values == 0)
    {
      if (leaf->has_null)
        append_null_test (sql, leaf, !negated);
      else
        gorm_dialect_append_boolean (dialect, sql, negated);
      return;
    }

  if (!negated)
    {
      if (leaf->has_null)
        g_string_append_c (sql, '(');
      append_membership (dialect, sql, params, leaf, FALSE);
      if (leaf->has_null)
        {
          g_string_append (sql, " OR ");
          append_null_test (sql, leaf, TRUE);
          g_string_append_c (sql, ')');
        }
      return;
    }

  /* NOT IN is unknown for NULL, which matches when NULL was not listed. */
  opened = !leaf->has_null && open_null_match (sql, leaf, negated);
  append_membership (dialect, sql, params, leaf, TRUE);
  close_null_match (sql, leaf, opened);
}

/* Where a condition is rendered: the name of the rows it is on, which a
 * subquery of a relation refers to, an alias or NULL for their table's
 * own name; and how deep in subqueries it is, which names the aliases of
 * the subqueries it opens. Leaves name their columns unqualified: every
 * subquery reads one table (a many-to-many one reads the link table, and
 * the target in a subquery of its own), whose columns the leaves inside
 * it name, and SQL finds unqualified names in the innermost FROM first. */
typedef struct
{
  const char *outer;
  guint       depth;
  /* The name of the queried rows, those of the whole statement, which a
   * comparison inside a subquery may name too: an alias, or NULL for
   * their table's own name. */
  const char *root;
} Scope;

static const Scope top_scope = { NULL, 0, NULL };

static void render_condition (const GormDialect   *dialect,
                              GString             *sql,
                              GArray              *params,
                              const GormCondition *condition,
                              gboolean             negated,
                              const Scope         *scope);

/* Whether @condition matches a row whose every column is NULL: what a
 * relation step matches where there is no related row (LEFT JOIN
 * semantics). Exact, as the rendering is: a comparison, LIKE or BETWEEN
 * does not match NULL, its complement does. */
static gboolean
matches_null_row (const GormCondition *condition)
{
  switch (condition->op)
    {
    case GORM_CONDITION_AND:
      return matches_null_row (condition->children[0]) && matches_null_row (condition->children[1]);
    case GORM_CONDITION_OR:
      return matches_null_row (condition->children[0]) || matches_null_row (condition->children[1]);
    case GORM_CONDITION_NOT:
      return !matches_null_row (condition->children[0]);
    case GORM_CONDITION_RELATED:
      /* A row of NULLs has no related rows either. */
      return matches_null_row (condition->children[0]);
    case GORM_CONDITION_IS_NULL:
      return TRUE;
    case GORM_CONDITION_IS_NOT_NULL:
      return FALSE;
    case GORM_CONDITION_NE:
      return TRUE;
    case GORM_CONDITION_IN:
      return condition->has_null;
    default:
      return FALSE;
    }
}

static void
append_alias (GString    *sql,
              char        kind,
              guint       depth)
{
  g_autofree char *alias = g_strdup_printf ("gorm_%c%u", kind, depth);

  gorm_dialect_append_identifier (sql, alias);
}

/* The rows @scope names, qualifying @column of them. */
static void
append_outer_column (GString          *sql,
                     const Scope      *scope,
                     const GormSchema *schema,
                     const GormColumn *column)
{
  gorm_dialect_append_identifier (sql, scope->outer ? scope->outer : schema->table);
  g_string_append_c (sql, '.');
  gorm_dialect_append_identifier (sql, column->name);
}

/* "(SELECT alias.key FROM target AS alias WHERE child)": the keys of the
 * rows of the step's target that @child matches, or all of them without
 * @child. */
static void
append_target_keys (const GormDialect   *dialect,
                    GString             *sql,
                    GArray              *params,
                    const GormStep      *step,
                    const GormCondition *child,
                    const Scope         *scope)
{
  Scope inner = { NULL, scope->depth + 1, scope->root };
  g_autofree char *alias = g_strdup_printf ("gorm_r%u", inner.depth);

  inner.outer = alias;
  g_string_append (sql, "(SELECT ");
  append_alias (sql, 'r', inner.depth);
  g_string_append_c (sql, '.');
  gorm_dialect_append_identifier (sql, step->target->key->name);
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, step->target->table);
  g_string_append (sql, " AS ");
  append_alias (sql, 'r', inner.depth);
  if (child != NULL)
    {
      g_string_append (sql, " WHERE ");
      render_condition (dialect, sql, params, child, FALSE, &inner);
    }
  g_string_append_c (sql, ')');
}

/* "EXISTS (…)" of the rows on the other side of a reverse or
 * many-to-many step that @child matches, or of any without @child. */
static void
append_exists (const GormDialect   *dialect,
               GString             *sql,
               GArray              *params,
               const GormStep      *step,
               const GormCondition *child,
               const Scope         *scope)
{
  const GormRelation *relation = step->relation;
  Scope inner = { NULL, scope->depth + 1, scope->root };
  g_autofree char *alias = NULL;

  if (relation->kind == GORM_RELATION_REVERSE)
    {
      /* EXISTS (SELECT 1 FROM choice AS r WHERE r.question_id = question.id AND child) */
      alias = g_strdup_printf ("gorm_r%u", inner.depth);
      inner.outer = alias;
      g_string_append (sql, "EXISTS (SELECT 1 FROM ");
      gorm_dialect_append_identifier (sql, step->target->table);
      g_string_append (sql, " AS ");
      gorm_dialect_append_identifier (sql, alias);
      g_string_append (sql, " WHERE ");
      gorm_dialect_append_identifier (sql, alias);
      g_string_append_c (sql, '.');
      gorm_dialect_append_identifier (sql, relation->column->name);
      g_string_append (sql, " = ");
      append_outer_column (sql, scope, step->source, step->source->key);
      if (child != NULL)
        {
          g_string_append (sql, " AND ");
          render_condition (dialect, sql, params, child, FALSE, &inner);
        }
      g_string_append_c (sql, ')');
      return;
    }

  /* EXISTS (SELECT 1 FROM post_tags AS l WHERE l.post_id = post.id
   *         AND l.tag_id IN (SELECT r.id FROM tag AS r WHERE child)) */
  g_assert (relation->kind == GORM_RELATION_MANY_TO_MANY);
  alias = g_strdup_printf ("gorm_l%u", inner.depth);
  g_string_append (sql, "EXISTS (SELECT 1 FROM ");
  gorm_dialect_append_identifier (sql, relation->link_table);
  g_string_append (sql, " AS ");
  gorm_dialect_append_identifier (sql, alias);
  g_string_append (sql, " WHERE ");
  gorm_dialect_append_identifier (sql, alias);
  g_string_append_c (sql, '.');
  gorm_dialect_append_identifier (sql, relation->link_source_column);
  g_string_append (sql, " = ");
  append_outer_column (sql, scope, step->source, step->source->key);
  if (child != NULL)
    {
      g_string_append (sql, " AND ");
      gorm_dialect_append_identifier (sql, alias);
      g_string_append_c (sql, '.');
      gorm_dialect_append_identifier (sql, relation->link_target_column);
      g_string_append (sql, " IN ");
      append_target_keys (dialect, sql, params, step, child, &inner);
    }
  g_string_append_c (sql, ')');
}

/* A RELATED condition, or its exact complement when @negated (see
 * GORM_CONDITION_RELATED). */
static void
render_related (const GormDialect   *dialect,
                GString             *sql,
                GArray              *params,
                const GormCondition *condition,
                gboolean             negated,
                const Scope         *scope)
{
  const GormStep *step = condition->step;
  const GormCondition *child = condition->children[0];
  gboolean null_match = matches_null_row (child);

  if (step->relation->kind == GORM_RELATION_FORWARD)
    {
      const GormColumn *key = step->relation->column;
      /* Where the key is NULL, the row matches when the child matches a
       * row of NULLs; it is IN the keys of the matching rows otherwise.
       * The subquery's keys are never NULL, so NOT IN of a key is exact. */
      gboolean null_key_matches = null_match != negated;
      /* "NULL NOT IN (empty)" is true: a NULL key is tested whenever NOT
       * IN is written or NULL keys must match. */
      gboolean test_null = gorm_schema_column_is_nullable (key) && (null_key_matches || negated);

      if (test_null)
        {
          g_string_append_c (sql, '(');
          gorm_dialect_append_identifier (sql, key->name);
          g_string_append (sql, null_key_matches ? " IS NULL OR " : " IS NOT NULL AND ");
        }
      /* The key's own name finds the current scope's column, the
       * innermost one. */
      gorm_dialect_append_identifier (sql, key->name);
      g_string_append (sql, negated ? " NOT IN " : " IN ");
      append_target_keys (dialect, sql, params, step, child, scope);
      if (test_null)
        g_string_append_c (sql, ')');
      return;
    }

  /* Reverse and many-to-many: some related row matches, or there is
   * none and the child matches a row of NULLs. */
  if (!null_match)
    {
      if (negated)
        g_string_append (sql, "NOT ");
      append_exists (dialect, sql, params, step, child, scope);
      return;
    }
  g_string_append_c (sql, '(');
  if (negated)
    g_string_append (sql, "NOT ");
  append_exists (dialect, sql, params, step, child, scope);
  g_string_append (sql, negated ? " AND " : " OR NOT ");
  append_exists (dialect, sql, params, step, NULL, scope);
  g_string_append_c (sql, ')');
}

/* Renders @condition, or its exact complement when @negated: NOT is
 * pushed down to the leaves, which know how to match NULL. */
static void
render_condition (const GormDialect   *dialect,
                  GString             *sql,
                  GArray              *params,
                  const GormCondition *condition,
                  gboolean             negated,
                  const Scope         *scope)
{
  gboolean opened;

  switch (condition->op)
    {
    case GORM_CONDITION_AND:
    case GORM_CONDITION_OR:
      g_string_append_c (sql, '(');
      render_condition (dialect, sql, params, condition->children[0], negated, scope);
      g_string_append (sql, ((condition->op == GORM_CONDITION_AND) != negated) ? " AND " : " OR ");
      render_condition (dialect, sql, params, condition->children[1], negated, scope);
      g_string_append_c (sql, ')');
      break;

    case GORM_CONDITION_NOT:
      render_condition (dialect, sql, params, condition->children[0], !negated, scope);
      break;

    case GORM_CONDITION_RELATED:
      render_related (dialect, sql, params, condition, negated, scope);
      break;

    case GORM_CONDITION_IS_NULL:
    case GORM_CONDITION_IS_NOT_NULL:
      append_null_test (sql, condition, (condition->op == GORM_CONDITION_IS_NULL) != negated);
      break;

    case GORM_CONDITION_EQ:
    case GORM_CONDITION_NE:
    case GORM_CONDITION_LT:
    case GORM_CONDITION_LE:
    case GORM_CONDITION_GT:
    case GORM_CONDITION_GE:
      {
        /* ne is the complement of eq: it matches NULL where eq does not. */
        gboolean complement = negated != (condition->op == GORM_CONDITION_NE);

        opened = open_null_match (sql, condition, complement);
        append_leaf_column (sql, condition);
        g_string_append_c (sql, ' ');
        g_string_append (sql, negated ? comparisons[condition->op].negative
                                      : comparisons[condition->op].positive);
        g_string_append_c (sql, ' ');
        append_bound_value (sql, params, &condition->values[0]);
        close_null_match (sql, condition, opened);
      }
      break;

    case GORM_CONDITION_LIKE:
    case GORM_CONDITION_ILIKE:
      {
        gboolean fold = condition->op == GORM_CONDITION_ILIKE;

        opened = open_null_match (sql, condition, negated);
        g_string_append (sql, fold ? "lower(" : "");
        append_text_column (dialect, sql, condition);
        g_string_append (sql, fold ? ")" : "");
        g_string_append (sql, negated ? " NOT LIKE " : " LIKE ");
        g_string_append (sql, fold ? "lower(" : "");
        append_bound_value (sql, params, &condition->values[0]);
        g_string_append (sql, fold ? ")" : "");
        append_like_escape (sql, params);
        close_null_match (sql, condition, opened);
      }
      break;

    case GORM_CONDITION_BETWEEN:
      opened = open_null_match (sql, condition, negated);
      append_leaf_column (sql, condition);
      g_string_append (sql, negated ? " NOT BETWEEN " : " BETWEEN ");
      append_bound_value (sql, params, &condition->values[0]);
      g_string_append (sql, " AND ");
      append_bound_value (sql, params, &condition->values[1]);
      close_null_match (sql, condition, opened);
      break;

    case GORM_CONDITION_IN:
      render_in (dialect, sql, params, condition, negated);
      break;

    case GORM_CONDITION_LINKED:
      /* Keys are never NULL: NOT IN is the exact complement. */
      append_leaf_column (sql, condition);
      g_string_append (sql, negated ? " NOT IN (SELECT " : " IN (SELECT ");
      gorm_dialect_append_identifier (sql, condition->relation->link_target_column);
      g_string_append (sql, " FROM ");
      gorm_dialect_append_identifier (sql, condition->relation->link_table);
      g_string_append (sql, " WHERE ");
      gorm_dialect_append_identifier (sql, condition->relation->link_source_column);
      g_string_append (sql, " = ");
      append_bound_value (sql, params, &condition->values[0]);
      g_string_append_c (sql, ')');
      break;

    case GORM_CONDITION_COMPARE:
      {
        GormExprScope expression_scope = { scope->outer, condition->skip_steps, scope->depth, NULL, NULL,
                                           scope->root ? scope->root : condition->root->table };

        gorm_dialect_append_comparison (dialect, sql, params, condition->comparison,
                                        condition->operands[0], condition->operands[1],
                                        negated, &expression_scope);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* " WHERE condition" on the rows @scope names. */
static void
append_where_in (const GormDialect   *dialect,
                 GString             *sql,
                 const GormCondition *condition,
                 GArray              *params,
                 const Scope         *scope)
{
  if (condition == NULL)
    return;
  g_string_append (sql, " WHERE ");
  render_condition (dialect, sql, params, condition, FALSE, scope);
}

void
gorm_dialect_append_where (const GormDialect   *dialect,
                           GString             *sql,
                           const GormCondition *condition,
                           GArray              *params)
{
  append_where_in (dialect, sql, condition, params, &top_scope);
}

/* Whether the column of @column can hold NULL in a row libgorm wrote. */
static gboolean
column_is_nullable (const GormColumn *column)
{
  return gorm_column_is_nullable (column);
}

/* Whether the values of @order can be NULL: its column's, or for a path
 * its last column's or where a key on the way is NULL. */
static gboolean
order_is_nullable (const GormOrder *order)
{
  if (order->expression != NULL)
    return order->expression->nullable;
  if (column_is_nullable (order->column))
    return TRUE;
  for (guint i = 0; order->path != NULL && i < order->path->n_steps; i++)
    if (column_is_nullable (order->path->steps[i].relation->column))
      return TRUE;
  return FALSE;
}

void
gorm_dialect_append_path_value (GString          *sql,
                                const GormStep   *steps,
                                guint             n_steps,
                                const GormColumn *column,
                                const char       *outer,
                                guint             depth)
{
  g_autofree char *alias = g_strdup_printf ("gorm_r%u", depth + 1);

  /* (SELECT r.pub_date FROM question AS r WHERE r.id = choice.question_id) */
  g_string_append (sql, "(SELECT ");
  if (n_steps > 1)
    gorm_dialect_append_path_value (sql, steps + 1, n_steps - 1, column, alias, depth + 1);
  else
    append_qualified_column (sql, alias, column);
  g_string_append (sql, " FROM ");
  append_table_as (sql, steps[0].target, alias);
  g_string_append (sql, " WHERE ");
  append_qualified_column (sql, alias, steps[0].target->key);
  g_string_append (sql, " = ");
  append_qualified_column (sql, outer ? outer : steps[0].source->table, steps[0].relation->column);
  g_string_append_c (sql, ')');
}

/* The value @order sorts on, in the rows @alias names (NULL: unqualified,
 * the innermost table's). */
static void
append_order_value (const GormDialect *dialect,
                    GString           *sql,
                    const GormOrder   *order,
                    const char        *alias)
{
  if (order->expression != NULL)
    {
      GormExprScope scope = { alias, 0, 0, NULL, NULL };

      gorm_dialect_append_expression (dialect, sql, NULL, order->expression, &scope);
    }
  else if (order->column->kind == GORM_VALUE_KIND_ENUM)
    {
      /* Enums sort by the values their type declares. */
      g_autoptr(GString) operand = g_string_new (NULL);

      if (order->path != NULL)
        gorm_dialect_append_path_value (operand, order->path->steps, order->path->n_steps,
                                        order->column, alias, 0);
      else
        append_qualified_column (operand, alias, order->column);
      gorm_dialect_append_enum_rank (sql, G_PARAM_SPEC_VALUE_TYPE (order->column->pspec), operand->str);
    }
  else if (order->path != NULL)
    gorm_dialect_append_path_value (sql, order->path->steps, order->path->n_steps, order->column, alias, 0);
  else
    append_qualified_column (sql, alias, order->column);
}

/* The direction of @order, and where its NULLs sort. */
static void
append_direction (const GormDialect *dialect,
                  GString           *sql,
                  const GormOrder   *order)
{
  if (order->descending)
    g_string_append (sql, " DESC");
  /* NULLs sort first, as SQLite sorts them, in every dialect. */
  if (dialect->orders_nulls && order_is_nullable (order))
    g_string_append (sql, order->descending ? " NULLS LAST" : " NULLS FIRST");
}

void
gorm_dialect_append_order (const GormDialect *dialect,
                           GString           *sql,
                           const GormOrder   *orders,
                           guint              n_orders)
{
  g_string_append (sql, " ORDER BY ");
  for (guint i = 0; i < n_orders; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_order_value (dialect, sql, &orders[i], NULL);
      append_direction (dialect, sql, &orders[i]);
    }
}

char *
gorm_dialect_render_joined (const GormDialect *dialect,
                            const char        *inner,
                            const GormSchema  *schema,
                            const GormJoin    *joins,
                            guint              n_joins,
                            const GormOrder   *orders,
                            guint              n_orders)
{
  GString *sql = g_string_new ("SELECT ");

  /* The inner select keeps the table's name, so that what its order names
   * resolves; each joined table's columns are renamed gorm_j<N>_<I>, so
   * that no name of the outer select is ambiguous. */
  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, ".*");
  for (guint j = 0; j < n_joins; j++)
    for (guint i = 0; i < joins[j].target->n_columns; i++)
      {
        g_autofree char *alias = g_strdup_printf ("gorm_j%u", j);
        g_autofree char *column = g_strdup_printf ("gorm_j%u_%u", j, i);

        g_string_append (sql, ", ");
        gorm_dialect_append_identifier (sql, alias);
        g_string_append_c (sql, '.');
        gorm_dialect_append_identifier (sql, column);
      }
  g_string_append_printf (sql, " FROM (%s) AS ", inner);
  gorm_dialect_append_identifier (sql, schema->table);
  for (guint j = 0; j < n_joins; j++)
    {
      const GormSchema *target = joins[j].target;
      g_autofree char *alias = g_strdup_printf ("gorm_j%u", j);
      g_autofree char *key = g_strdup_printf ("gorm_j%u_0", j);

      g_string_append (sql, " LEFT JOIN (SELECT ");
      for (guint i = 0; i < target->n_columns; i++)
        {
          g_autofree char *column = g_strdup_printf ("gorm_j%u_%u", j, i);

          if (i > 0)
            g_string_append (sql, ", ");
          gorm_dialect_append_identifier (sql, target->columns[i].name);
          g_string_append (sql, " AS ");
          gorm_dialect_append_identifier (sql, column);
        }
      g_string_append (sql, " FROM ");
      gorm_dialect_append_identifier (sql, target->table);
      g_string_append (sql, ") AS ");
      gorm_dialect_append_identifier (sql, alias);
      g_string_append (sql, " ON ");
      gorm_dialect_append_identifier (sql, alias);
      g_string_append_c (sql, '.');
      gorm_dialect_append_identifier (sql, key);
      g_string_append (sql, " = ");
      if (joins[j].parent < 0)
        {
          gorm_dialect_append_identifier (sql, schema->table);
          g_string_append_c (sql, '.');
          gorm_dialect_append_identifier (sql, joins[j].relation->column->name);
        }
      else
        {
          g_autofree char *parent = g_strdup_printf ("gorm_j%d", joins[j].parent);
          g_autofree char *column = g_strdup_printf ("gorm_j%d_%u", joins[j].parent,
                                                     joins[j].relation->column->index);

          gorm_dialect_append_identifier (sql, parent);
          g_string_append_c (sql, '.');
          gorm_dialect_append_identifier (sql, column);
        }
    }
  /* Where a join keeps no order of its own, the inner one is written
   * again. */
  if (n_orders > 0 && !dialect->joins_keep_order)
    gorm_dialect_append_order (dialect, sql, orders, n_orders);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_prefetch (const GormDialect  *dialect,
                              const GormRelation *relation,
                              const GormSchema   *target,
                              guint               n_keys,
                              GType               key_type)
{
  GString *sql = g_string_new ("SELECT ");
  gboolean linked = relation->kind == GORM_RELATION_MANY_TO_MANY;

  for (guint i = 0; i < target->n_columns; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, target->table);
      g_string_append_c (sql, '.');
      gorm_dialect_append_identifier (sql, target->columns[i].name);
    }
  if (linked)
    {
      g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, relation->link_table);
      g_string_append_c (sql, '.');
      gorm_dialect_append_identifier (sql, relation->link_source_column);
    }
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, target->table);
  if (linked)
    {
      g_string_append (sql, " JOIN ");
      gorm_dialect_append_identifier (sql, relation->link_table);
      g_string_append (sql, " ON ");
      gorm_dialect_append_identifier (sql, relation->link_table);
      g_string_append_c (sql, '.');
      gorm_dialect_append_identifier (sql, relation->link_target_column);
      g_string_append (sql, " = ");
      gorm_dialect_append_identifier (sql, target->table);
      g_string_append_c (sql, '.');
      gorm_dialect_append_identifier (sql, target->key->name);
    }
  g_string_append (sql, " WHERE ");
  gorm_dialect_append_identifier (sql, linked ? relation->link_table : target->table);
  g_string_append_c (sql, '.');
  gorm_dialect_append_identifier (sql, linked ? relation->link_source_column
                                       : relation->kind == GORM_RELATION_REVERSE
                                       ? relation->column->name : target->key->name);
  g_string_append (sql, " IN (");
  for (guint i = 0; i < n_keys; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_parameter (sql, i, key_type);
    }
  g_string_append (sql, ") ORDER BY ");
  gorm_dialect_append_identifier (sql, target->table);
  g_string_append_c (sql, '.');
  gorm_dialect_append_identifier (sql, target->key->name);
  return g_string_free (sql, FALSE);
}

/* Query runners */

static gboolean
has_window (const GormSelection *selection)
{
  return selection->limit >= 0 || selection->offset > 0;
}

/* Appends " FROM table WHERE …" and, when @ordered, the order. */
static void
append_from (const GormDialect   *dialect,
             GString             *sql,
             const GormSelection *selection,
             GArray              *params,
             gboolean             ordered)
{
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, selection->schema->table);
  gorm_dialect_append_where (dialect, sql, selection->condition, params);
  if (ordered)
    gorm_dialect_append_order (dialect, sql, selection->orders, selection->n_orders);
}

/* The limit of a statement that needs at most one row of the window. */
static gint64
limit_to_one (const GormSelection *selection)
{
  return selection->limit == 0 ? 0 : 1;
}

char *
gorm_dialect_render_select_rows (const GormDialect   *dialect,
                                 const GormSelection *selection,
                                 gint64               limit,
                                 GArray              *params)
{
  GString *sql = g_string_new ("SELECT ");

  if (limit < 0 || (selection->limit >= 0 && selection->limit < limit))
    limit = selection->limit;
  gorm_dialect_append_columns (sql, selection->schema);
  append_from (dialect, sql, selection, params, TRUE);
  gorm_dialect_append_limit (dialect, sql, params, limit, selection->offset);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_count (const GormDialect   *dialect,
                           const GormSelection *selection,
                           GArray              *params)
{
  GString *sql = g_string_new ("SELECT count(*)");

  if (has_window (selection))
    {
      /* How many rows a window holds does not depend on their order. */
      g_string_append (sql, " FROM (SELECT 1");
      append_from (dialect, sql, selection, params, FALSE);
      gorm_dialect_append_limit (dialect, sql, params, selection->limit, selection->offset);
      g_string_append (sql, ") AS \"gorm_window\"");
    }
  else
    append_from (dialect, sql, selection, params, FALSE);

  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_exists (const GormDialect   *dialect,
                            const GormSelection *selection,
                            GArray              *params)
{
  GString *sql = g_string_new ("SELECT 1");

  /* Whether a row lies past the offset does not depend on the order. */
  append_from (dialect, sql, selection, params, FALSE);
  gorm_dialect_append_limit (dialect, sql, params, limit_to_one (selection), selection->offset);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_select_keys (const GormDialect   *dialect,
                                 const GormSelection *selection,
                                 GArray              *params)
{
  GString *sql = g_string_new ("SELECT ");

  gorm_dialect_append_identifier (sql, selection->schema->key->name);
  append_from (dialect, sql, selection, params, has_window (selection));
  gorm_dialect_append_limit (dialect, sql, params, selection->limit, selection->offset);
  return g_string_free (sql, FALSE);
}

/* Appends the condition that selects the rows a bulk change changes:
 * the filter, or the keys of the rows in the window of the query. */
static void
append_target (const GormDialect   *dialect,
               GString             *sql,
               const GormSelection *selection,
               GArray              *params)
{
  const GormSchema *schema = selection->schema;

  if (!has_window (selection))
    {
      gorm_dialect_append_where (dialect, sql, selection->condition, params);
      return;
    }

  g_string_append (sql, " WHERE ");
  gorm_dialect_append_identifier (sql, schema->key->name);
  g_string_append (sql, " IN (SELECT ");
  gorm_dialect_append_identifier (sql, schema->key->name);
  append_from (dialect, sql, selection, params, TRUE);
  gorm_dialect_append_limit (dialect, sql, params, selection->limit, selection->offset);
  g_string_append_c (sql, ')');
}

char *
gorm_dialect_render_bulk_delete (const GormDialect   *dialect,
                                 const GormSelection *selection,
                                 GArray              *params)
{
  GString *sql = g_string_new ("DELETE FROM ");

  gorm_dialect_append_identifier (sql, selection->schema->table);
  append_target (dialect, sql, selection, params);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_bulk_update (const GormDialect    *dialect,
                                 const GormSelection  *selection,
                                 guint                 n_columns,
                                 const GormColumn    **columns,
                                 GValue              **values,
                                 GormExprNode * const *expressions,
                                 GArray               *params)
{
  GString *sql = g_string_new ("UPDATE ");

  gorm_dialect_append_identifier (sql, selection->schema->table);
  g_string_append (sql, " SET ");
  for (guint i = 0; i < n_columns; i++)
    {
      GValue *value = values[i];

      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, columns[i]->name);
      g_string_append (sql, " = ");
      if (expressions != NULL && expressions[i] != NULL)
        {
          /* Unqualified: the columns of the updated row, before any
           * assignment (SQL computes every SET from the old row). */
          GormExprScope scope = { NULL, 0, 0, NULL, NULL };

          gorm_dialect_append_expression (dialect, sql, params, expressions[i], &scope);
          continue;
        }
      /* NULL is written as a literal, as saves do (see the top of
       * gorm-dialect-private.h). */
      if (gorm_value_is_sql_null (value))
        {
          g_string_append (sql, "NULL");
          g_value_unset (value);
        }
      else
        {
          gorm_dialect_append_parameter (sql, params->len, G_VALUE_TYPE (value));
          g_array_append_val (params, *value);
          *value = (GValue) G_VALUE_INIT;
        }
    }
  append_target (dialect, sql, selection, params);
  return g_string_free (sql, FALSE);
}

/* Live models */

static void
append_slot (GString *sql,
             GArray  *params,
             GType    sql_type)
{
  GValue slot = G_VALUE_INIT;

  gorm_dialect_append_parameter (sql, params->len, sql_type);
  g_value_init (&slot, sql_type);
  g_array_append_val (params, slot);
}

/* Appends the condition as " AND (…)", nothing when it is NULL: @sql
 * has a WHERE already. */
static void
append_and_condition (const GormDialect   *dialect,
                      GString             *sql,
                      const GormCondition *condition,
                      GArray              *params,
                      const Scope         *scope)
{
  if (condition == NULL)
    return;
  g_string_append (sql, " AND (");
  render_condition (dialect, sql, params, condition, FALSE, scope);
  g_string_append_c (sql, ')');
}

/* " LIMIT … OFFSET …", both always there as gint64 slots, so that every
 * page is one cached statement. */
static void
append_page_limit (GString *sql,
                   GArray  *params)
{
  g_string_append (sql, " LIMIT ");
  append_slot (sql, params, G_TYPE_INT64);
  g_string_append (sql, " OFFSET ");
  append_slot (sql, params, G_TYPE_INT64);
}

static void
append_select_all (const GormDialect   *dialect,
                   GString             *sql,
                   const GormSelection *selection,
                   GArray              *params)
{
  g_string_append (sql, "SELECT ");
  gorm_dialect_append_columns (sql, selection->schema);
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, selection->schema->table);
  gorm_dialect_append_where (dialect, sql, selection->condition, params);
}

gboolean
gorm_dialect_orders_compare_as_row (const GormOrder *orders,
                                    guint            n_orders)
{
  /* NULLs sort first when ascending and last when descending, as SQLite
   * sorts them, but make a row value comparison NULL. */
  for (guint i = 0; i < n_orders; i++)
    {
      if (orders[i].descending != orders[0].descending || orders[i].path != NULL ||
          orders[i].expression != NULL)
        return FALSE;
      /* An enum sorts by value, its column by nick. */
      if (orders[i].column->kind == GORM_VALUE_KIND_ENUM)
        return FALSE;
      if (orders[i].descending && gorm_column_is_nullable (orders[i].column))
        return FALSE;
    }
  return TRUE;
}

char *
gorm_dialect_render_explain (const GormDialect *dialect,
                             const char        *select)
{
  return g_strconcat (dialect->explain_prefix, select, NULL);
}

gboolean
gorm_dialect_plan_step_sorts (const GormDialect *dialect,
                              const char        *step)
{
  return step != NULL && dialect->plan_step_sorts (step);
}

gboolean
gorm_dialect_plan_step_sorts_all (const GormDialect *dialect,
                                  const char        *step)
{
  if (dialect->plan_step_sorts_all == NULL)
    return gorm_dialect_plan_step_sorts (dialect, step);
  return step != NULL && dialect->plan_step_sorts_all (step);
}

char *
gorm_dialect_render_page (const GormDialect   *dialect,
                          const GormSelection *selection,
                          GArray              *params)
{
  GString *sql = g_string_new (NULL);

  append_select_all (dialect, sql, selection, params);
  gorm_dialect_append_order (dialect, sql, selection->orders, selection->n_orders);
  append_page_limit (sql, params);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_anchored_page (const GormDialect   *dialect,
                                   const GormSelection *selection,
                                   GArray              *params)
{
  const GormOrder *orders = selection->orders;
  GString *sql = g_string_new (NULL);

  g_return_val_if_fail (selection->n_orders > 0, NULL);
  g_return_val_if_fail (gorm_dialect_orders_compare_as_row (orders, selection->n_orders), NULL);

  append_select_all (dialect, sql, selection, params);
  g_string_append (sql, selection->condition != NULL ? " AND (" : " WHERE (");
  for (guint i = 0; i < selection->n_orders; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_qualified_column (sql, NULL, orders[i].column);
    }
  g_string_append_printf (sql, ") %s (", orders[0].descending ? "<=" : ">=");
  for (guint i = 0; i < selection->n_orders; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_slot (sql, params, gorm_value_kind_get_sql_type (orders[i].column->kind));
    }
  g_string_append_c (sql, ')');
  gorm_dialect_append_order (dialect, sql, orders, selection->n_orders);
  append_page_limit (sql, params);
  return g_string_free (sql, FALSE);
}

/* "o sorts before k" in @orders, NULLs first when ascending as SQLite
 * sorts them: a OR (e AND b) OR (e AND e' AND c) … */
static void
append_sorts_before (const GormDialect *dialect,
                     GString           *sql,
                     const GormOrder   *orders,
                     guint              n_orders)
{
  g_string_append_c (sql, '(');
  for (guint i = 0; i < n_orders; i++)
    {
      const GormOrder *order = &orders[i];
      const char *less = order->descending ? ">" : "<";
      const char *lower_null = order->descending ? "k" : "o";
      const char *upper_null = order->descending ? "o" : "k";

      if (i > 0)
        g_string_append (sql, " OR ");
      g_string_append_c (sql, '(');
      for (guint j = 0; j < i; j++)
        {
          append_order_value (dialect, sql, &orders[j], "o");
          g_string_append_printf (sql, " %s ", dialect->same_as_operator);
          append_order_value (dialect, sql, &orders[j], "k");
          g_string_append (sql, " AND ");
        }
      g_string_append_c (sql, '(');
      append_order_value (dialect, sql, order, "o");
      g_string_append_printf (sql, " %s ", less);
      append_order_value (dialect, sql, order, "k");
      g_string_append (sql, " OR (");
      append_order_value (dialect, sql, order, lower_null);
      g_string_append (sql, " IS NULL AND ");
      append_order_value (dialect, sql, order, upper_null);
      g_string_append (sql, " IS NOT NULL)))");
    }
  g_string_append_c (sql, ')');
}

/* "ALIAS.key = ?", the key's slot appended to @params. */
static void
append_key_is_slot (GString          *sql,
                    const char       *alias,
                    const GormSchema *schema,
                    GArray           *params)
{
  append_qualified_column (sql, alias, schema->key);
  g_string_append (sql, " = ");
  append_slot (sql, params, gorm_value_kind_get_sql_type (schema->key->kind));
}

char *
gorm_dialect_render_position (const GormDialect   *dialect,
                              const GormSelection *selection,
                              GArray              *params)
{
  const GormSchema *schema = selection->schema;
  GString *sql = g_string_new ("SELECT (SELECT count(*) FROM ");
  static const Scope o_scope = { "o", 0, "o" };
  static const Scope k_scope = { "k", 0, "k" };

  /* How many matching rows o sort before the row k; no row when k does
   * not match. Inside the subquery the condition's unqualified columns
   * are o's, outside k's. */
  append_table_as (sql, schema, "o");
  append_where_in (dialect, sql, selection->condition, params, &o_scope);
  g_string_append (sql, selection->condition != NULL ? " AND " : " WHERE ");
  append_sorts_before (dialect, sql, selection->orders, selection->n_orders);
  g_string_append (sql, ") FROM ");
  append_table_as (sql, schema, "k");
  g_string_append (sql, " WHERE ");
  append_key_is_slot (sql, "k", schema, params);
  append_and_condition (dialect, sql, selection->condition, params, &k_scope);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_placement (const GormDialect   *dialect,
                               const GormSelection *selection,
                               GArray              *params)
{
  const GormSchema *schema = selection->schema;
  GString *sql = g_string_new ("SELECT (SELECT count(*) FROM ");
  static const Scope k_scope = { "k", 0, "k" };
  GValue probe = G_VALUE_INIT;

  g_return_val_if_fail (dialect->append_value_set != NULL, NULL);

  /* How many of the probed rows o sort before the row k: the engine
   * compares, so that collations, NULLs and directions are exactly those
   * of the order's own SQL. The probes' keys are one value (libgda's
   * cost per parameter grows with the number of parameters), in which a
   * key counts once however often it is listed. The unqualified key
   * column there is o's, the innermost table's. No row when the
   * condition does not select k (its unqualified columns are k's). */
  append_table_as (sql, schema, "o");
  g_string_append (sql, " WHERE ");
  g_value_init (&probe, gorm_value_kind_get_sql_type (schema->key->kind));
  dialect->append_value_set (sql, params, schema->key, &probe, 1, FALSE);
  g_value_unset (&probe);
  g_string_append (sql, " AND ");
  append_sorts_before (dialect, sql, selection->orders, selection->n_orders);
  g_string_append (sql, ") FROM ");
  append_table_as (sql, schema, "k");
  g_string_append (sql, " WHERE ");
  append_key_is_slot (sql, "k", schema, params);
  append_and_condition (dialect, sql, selection->condition, params, &k_scope);
  return g_string_free (sql, FALSE);
}

gboolean
gorm_dialect_render_key_ranks (const GormDialect    *dialect,
                               const GormSelection  *selection,
                               char                **ranks,
                               char                **rows,
                               GArray               *params)
{
  const GormSchema *schema = selection->schema;
  const GormOrder *order = &selection->orders[0];
  const GormOrder *key = &selection->orders[1];
  const GormStep *first;
  GormPath rest;
  GormOrder value;
  GString *sql;

  if (selection->n_orders != 2 || order->path == NULL || order->expression != NULL ||
      key->path != NULL || key->expression != NULL || key->column != schema->key)
    return FALSE;
  first = &order->path->steps[0];
  if (first->source != schema ||
      gorm_value_kind_get_sql_type (schema->key->kind) != G_TYPE_INT64 ||
      gorm_value_kind_get_sql_type (first->target->key->kind) != G_TYPE_INT64 ||
      gorm_value_kind_get_sql_type (first->relation->column->kind) != G_TYPE_INT64)
    return FALSE;

  /* The rank of each row of the first step's target among the values
   * the rest of the path reaches from it, and of a missing row (a NULL
   * or dangling key): the engine sorts them with the order's own
   * expression, direction and NULLs, and dense_rank () gives the values
   * it finds equal one rank, so that rows sorted by (rank, key) come in
   * the order's exact sequence. Only the targets whose keys are between
   * two bounds, those the selected rows refer to. */
  rest = (GormPath) { order->path->text, first + 1, order->path->n_steps - 1,
                      order->column, FALSE };
  value = (GormOrder) { order->column, order->descending, rest.n_steps > 0 ? &rest : NULL, NULL };
  sql = g_string_new ("SELECT \"gorm_k\", dense_rank () OVER (ORDER BY \"gorm_v\"");
  append_direction (dialect, sql, order);
  g_string_append (sql, ") FROM (SELECT ");
  gorm_dialect_append_identifier (sql, first->target->key->name);
  g_string_append (sql, " AS \"gorm_k\", ");
  append_order_value (dialect, sql, &value, NULL);
  g_string_append (sql, " AS \"gorm_v\" FROM ");
  gorm_dialect_append_identifier (sql, first->target->table);
  g_string_append (sql, " WHERE ");
  gorm_dialect_append_identifier (sql, first->target->key->name);
  g_string_append (sql, " BETWEEN ");
  gorm_dialect_append_parameter (sql, 0, G_TYPE_INT64);
  g_string_append (sql, " AND ");
  gorm_dialect_append_parameter (sql, 1, G_TYPE_INT64);
  g_string_append (sql, " UNION ALL SELECT NULL, NULL) AS \"gorm_s\"");
  *ranks = g_string_free (sql, FALSE);

  /* The key and the first step's key of every selected row, in no
   * order: a scan, no sort. */
  sql = g_string_new ("SELECT ");
  gorm_dialect_append_identifier (sql, schema->key->name);
  g_string_append (sql, ", ");
  gorm_dialect_append_identifier (sql, first->relation->column->name);
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, schema->table);
  gorm_dialect_append_where (dialect, sql, selection->condition, params);
  *rows = g_string_free (sql, FALSE);
  return TRUE;
}

/* Raw selects (gorm_database_select(), _select_resources()) */

/* The keyword @p starts with, case-insensitively, as a whole word. */
static gboolean
starts_with_keyword (const char *p,
                     const char *keyword)
{
  gsize len = strlen (keyword);

  return g_ascii_strncasecmp (p, keyword, len) == 0 &&
         !g_ascii_isalnum (p[len]) && p[len] != '_';
}

char *
gorm_dialect_render_raw_select (const GormDialect  *dialect,
                                const char         *sql,
                                GError            **error)
{
  const char *p = sql;
  g_autofree char *others = NULL;
  gsize len;

  /* Spaces and comments before the statement. */
  for (;;)
    {
      const char *after;

      while (g_ascii_isspace (*p))
        p++;
      after = (*p == '-' || *p == '/') ? skip_quoted (p) : p;
      if (after == p)
        break;
      p = after;
    }
  len = strlen (p);
  while (len > 0 && (g_ascii_isspace (p[len - 1]) || p[len - 1] == ';'))
    len--;

  if (starts_with_keyword (p, "SELECT"))
    return g_strndup (p, len);
  /* SQLite's provider gives rows only for a text starting with SELECT:
   * a WITH or VALUES runs as a subquery, on both engines alike (their
   * VALUES columns are named column1, column2, …). */
  if (starts_with_keyword (p, "WITH") || starts_with_keyword (p, "VALUES"))
    return g_strdup_printf ("SELECT * FROM (%.*s) AS \"gorm_raw\"", (int) len, p);
  for (guint i = 0; dialect != NULL && dialect->row_statements[i] != NULL; i++)
    if (starts_with_keyword (p, dialect->row_statements[i]))
      return g_strndup (p, len);

  others = dialect != NULL ? g_strjoinv (", ", (char **) dialect->row_statements) : NULL;
  g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
               "Only a SELECT (or WITH, VALUES%s%s) statement gives rows: “%s” is not one",
               others != NULL ? ", " : "", others != NULL ? others : "", sql);
  return NULL;
}

char *
gorm_dialect_render_raw_resources (const GormSchema *schema,
                                   const char       *select)
{
  GString *sql = g_string_new ("SELECT ");

  /* Qualified: SQLite reads an unqualified "name" it cannot find as a
   * string, not as an error. */
  for (guint i = 0; i < schema->n_columns; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      g_string_append (sql, "\"gorm_raw\".");
      gorm_dialect_append_identifier (sql, schema->columns[i].name);
    }
  g_string_append_printf (sql, " FROM (%s) AS \"gorm_raw\"", select);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_raw_columns (const char *select)
{
  return g_strdup_printf ("SELECT * FROM (%s) AS \"gorm_raw\" LIMIT 0", select);
}
