/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-dialect-private.h"

/* The SQL of migrations that both engines share: the reads that check
 * the data a change converts, and the ALTER TABLE statements. What
 * differs is in the dialect's members (gorm-dialect-private.h). */

GormStoredClass
gorm_dialect_column_stored_class (const GormColumn *column)
{
  switch (column->kind)
    {
    case GORM_VALUE_KIND_BOOLEAN:
      return GORM_STORED_BOOLEAN;
    case GORM_VALUE_KIND_INT:
    case GORM_VALUE_KIND_UINT:
    case GORM_VALUE_KIND_FLAGS:
      return GORM_STORED_INTEGER;
    case GORM_VALUE_KIND_DOUBLE:
      return GORM_STORED_DOUBLE;
    case GORM_VALUE_KIND_DATE_TIME:
      return GORM_STORED_DATE_TIME;
    case GORM_VALUE_KIND_BYTES:
      return GORM_STORED_BYTES;
    case GORM_VALUE_KIND_STRING:
    case GORM_VALUE_KIND_ENUM:
    case GORM_VALUE_KIND_STRV:
    default:
      return GORM_STORED_TEXT;
    }
}

static char *
quoted (const char *identifier)
{
  GString *sql = g_string_new (NULL);

  gorm_dialect_append_identifier (sql, identifier);
  return g_string_free (sql, FALSE);
}

/* @format applied to @operand, each %1$s of it. */
static char *
apply (const char *format,
       const char *operand)
{
  char *text;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  text = g_strdup_printf (format, operand);
#pragma GCC diagnostic pop
  return text;
}

gboolean
gorm_dialect_conversion (const GormDialect  *dialect,
                         GormStoredClass     from,
                         const GormColumn   *column,
                         const char         *operand,
                         char              **check,
                         char              **expression)
{
  GormStoredClass to = gorm_dialect_column_stored_class (column);
  g_autofree char *converted = NULL;
  g_autofree char *condition = NULL;

  if (from == to || (from == GORM_STORED_NUMERIC && to != GORM_STORED_TEXT &&
                     to != GORM_STORED_BYTES))
    converted = g_strdup (operand);
  else if (from == GORM_STORED_INTEGER && to == GORM_STORED_DOUBLE)
    {
      /* Beyond 2^53 a double skips integers. */
      condition = g_strdup_printf ("%s BETWEEN -9007199254740992 AND 9007199254740992", operand);
      converted = apply (dialect->to_double, operand);
    }
  else if (from == GORM_STORED_DOUBLE && to == GORM_STORED_INTEGER)
    {
      condition = apply (dialect->double_is_integer, operand);
      converted = apply (dialect->to_integer, operand);
    }
  else if (from == GORM_STORED_TEXT && to == GORM_STORED_INTEGER)
    {
      condition = apply (dialect->text_is_integer, operand);
      converted = apply (dialect->to_integer, operand);
    }
  else if (from == GORM_STORED_TEXT && to == GORM_STORED_DOUBLE)
    {
      condition = apply (dialect->text_is_double, operand);
      converted = apply (dialect->to_double, operand);
    }
  else if (from == GORM_STORED_BOOLEAN && to == GORM_STORED_INTEGER)
    converted = apply (dialect->boolean_to_integer, operand);
  else if (from == GORM_STORED_INTEGER && to == GORM_STORED_BOOLEAN)
    {
      condition = g_strdup_printf ("%s IN (0, 1)", operand);
      converted = apply (dialect->integer_to_boolean, operand);
    }
  else if (to == GORM_STORED_TEXT &&
           (from == GORM_STORED_INTEGER || from == GORM_STORED_DOUBLE ||
            from == GORM_STORED_NUMERIC))
    converted = g_strdup_printf ("CAST(%s AS TEXT)", operand);
  else if (to == GORM_STORED_TEXT && from == GORM_STORED_BOOLEAN)
    converted = g_strdup_printf ("CASE WHEN %1$s IS NULL THEN NULL WHEN %1$s THEN 'true' "
                                 "ELSE 'false' END", operand);
  else if (to == GORM_STORED_TEXT && from == GORM_STORED_DATE_TIME)
    converted = dialect->date_time_text ? apply (dialect->date_time_text, operand)
                                        : g_strdup (operand);
  else
    return FALSE;

  if (to == GORM_STORED_TEXT && column->max_length > 0)
    {
      g_autofree char *longest = g_strdup_printf ("length(%s) <= %u", converted,
                                                  column->max_length);

      if (condition == NULL)
        condition = g_steal_pointer (&longest);
      else
        {
          /* The length is read of values that converted only. */
          g_autofree char *both = g_strdup_printf ("(CASE WHEN %s THEN %s ELSE 1 = 0 END)",
                                                   condition, longest);

          g_free (condition);
          condition = g_steal_pointer (&both);
        }
    }
  if (column->kind == GORM_VALUE_KIND_ENUM)
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (G_PARAM_SPEC_VALUE_TYPE (column->pspec));
      GString *known = g_string_new (NULL);

      g_string_append_printf (known, "%s IN (", converted);
      for (guint i = 0; i < klass->n_values; i++)
        {
          g_string_append (known, i > 0 ? ", '" : "'");
          for (const char *p = klass->values[i].value_nick; *p; p++)
            {
              if (*p == '\'')
                g_string_append_c (known, '\'');
              g_string_append_c (known, *p);
            }
          g_string_append_c (known, '\'');
        }
      g_string_append_c (known, ')');
      if (condition == NULL)
        condition = g_string_free (known, FALSE);
      else
        {
          g_autofree char *text = g_string_free (known, FALSE);
          g_autofree char *both = g_strdup_printf ("(CASE WHEN %s THEN %s ELSE 1 = 0 END)",
                                                   condition, text);

          g_free (condition);
          condition = g_steal_pointer (&both);
        }
    }

  *check = g_steal_pointer (&condition);
  *expression = g_steal_pointer (&converted);
  return TRUE;
}

char *
gorm_dialect_render_find_unconverted (const char *table,
                                      const char *key,
                                      const char *column,
                                      const char *check)
{
  g_autofree char *t = quoted (table);
  g_autofree char *k = quoted (key);
  g_autofree char *c = quoted (column);

  return g_strdup_printf ("SELECT CAST(%s AS TEXT), CAST(%s AS TEXT) FROM %s "
                          "WHERE %s IS NOT NULL AND (CASE WHEN %s THEN 0 ELSE 1 END) = 1 "
                          "ORDER BY %s LIMIT 1", k, c, t, c, check, k);
}

char *
gorm_dialect_render_find_null (const char *table,
                               const char *key,
                               const char *column)
{
  g_autofree char *t = quoted (table);
  g_autofree char *k = quoted (key);
  g_autofree char *c = quoted (column);

  return g_strdup_printf ("SELECT CAST(%s AS TEXT), NULL FROM %s WHERE %s IS NULL "
                          "ORDER BY %s LIMIT 1", k, t, c, k);
}

char *
gorm_dialect_render_count_values (const char *table,
                                  const char *column)
{
  g_autofree char *t = quoted (table);
  g_autofree char *c = quoted (column);

  return g_strdup_printf ("SELECT CAST(count(*) AS TEXT), NULL FROM %s WHERE %s IS NOT NULL",
                          t, c);
}

char *
gorm_dialect_render_find_duplicate (const char         *table,
                                    const char * const *columns)
{
  g_autofree char *t = quoted (table);
  GString *sql = g_string_new ("SELECT ");
  g_autoptr(GString) list = g_string_new (NULL);
  g_autoptr(GString) present = g_string_new (NULL);

  for (guint i = 0; columns[i] != NULL; i++)
    {
      g_autofree char *c = quoted (columns[i]);

      g_string_append_printf (sql, "%sCAST(%s AS TEXT)", i > 0 ? " || ', ' || " : "", c);
      g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", c);
      g_string_append_printf (present, "%s%s IS NOT NULL", i > 0 ? " AND " : "", c);
    }
  g_string_append_printf (sql, ", CAST(count(*) AS TEXT) FROM %s WHERE %s GROUP BY %s "
                          "HAVING count(*) > 1 ORDER BY 2 DESC LIMIT 1",
                          t, present->str, list->str);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_find_orphan (const char *table,
                                 const char *key,
                                 const char *column,
                                 const char *target,
                                 const char *target_key)
{
  g_autofree char *t = quoted (table);
  g_autofree char *k = quoted (key);
  g_autofree char *c = quoted (column);
  g_autofree char *tt = quoted (target);
  g_autofree char *tk = quoted (target_key);

  return g_strdup_printf ("SELECT CAST(s.%s AS TEXT), CAST(s.%s AS TEXT) FROM %s AS s "
                          "WHERE s.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s AS r "
                          "WHERE r.%s = s.%s) ORDER BY s.%s LIMIT 1",
                          k, c, t, c, tt, tk, c, k);
}

/* "ALTER TABLE "t" " followed by @format's text. */
static char *
alter_table (const char *table,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static char *
alter_table (const char *table,
             const char *format,
             ...)
{
  GString *sql = g_string_new ("ALTER TABLE ");
  va_list args;

  gorm_dialect_append_identifier (sql, table);
  g_string_append_c (sql, ' ');
  va_start (args, format);
  g_string_append_vprintf (sql, format, args);
  va_end (args);
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_rename_table (const char *table,
                                  const char *new_name)
{
  g_autofree char *n = quoted (new_name);

  return alter_table (table, "RENAME TO %s", n);
}

char *
gorm_dialect_render_rename_column (const char *table,
                                   const char *column,
                                   const char *new_name)
{
  g_autofree char *c = quoted (column);
  g_autofree char *n = quoted (new_name);

  return alter_table (table, "RENAME COLUMN %s TO %s", c, n);
}

char *
gorm_dialect_render_drop_column (const char *table,
                                 const char *column)
{
  g_autofree char *c = quoted (column);

  return alter_table (table, "DROP COLUMN %s", c);
}

char *
gorm_dialect_render_alter_type (const char *table,
                                const char *column,
                                const char *type,
                                const char *expression)
{
  g_autofree char *c = quoted (column);

  return alter_table (table, "ALTER COLUMN %s TYPE %s USING %s", c, type, expression);
}

char *
gorm_dialect_render_alter_null (const char *table,
                                const char *column,
                                gboolean    not_null)
{
  g_autofree char *c = quoted (column);

  return alter_table (table, "ALTER COLUMN %s %s NOT NULL", c, not_null ? "SET" : "DROP");
}

char *
gorm_dialect_render_alter_default (const char *table,
                                   const char *column,
                                   const char *literal)
{
  g_autofree char *c = quoted (column);

  if (literal == NULL)
    return alter_table (table, "ALTER COLUMN %s DROP DEFAULT", c);
  return alter_table (table, "ALTER COLUMN %s SET DEFAULT %s", c, literal);
}

char *
gorm_dialect_render_add_foreign_key (const char *table,
                                     const char *column,
                                     const char *references)
{
  g_autofree char *c = quoted (column);
  g_autofree char *name = g_strdup_printf ("%s_%s_fkey", table, column);
  g_autofree char *n = quoted (name);

  return alter_table (table, "ADD CONSTRAINT %s FOREIGN KEY (%s) %s", n, c, references);
}

char *
gorm_dialect_render_drop_constraint (const char *table,
                                     const char *constraint)
{
  g_autofree char *n = quoted (constraint);

  return alter_table (table, "DROP CONSTRAINT %s", n);
}

char *
gorm_dialect_render_drop_index (const char *index)
{
  g_autofree char *n = quoted (index);

  return g_strdup_printf ("DROP INDEX %s", n);
}

char *
gorm_dialect_render_rowid_range (const char *table)
{
  g_autofree char *t = quoted (table);

  return g_strdup_printf ("SELECT min(rowid), max(rowid) FROM %s", t);
}

char *
gorm_dialect_render_copy (const char         *target,
                          const char         *source,
                          const char * const *columns,
                          const char * const *expressions,
                          gboolean            chunked)
{
  g_autofree char *t = quoted (target);
  g_autofree char *s = quoted (source);
  GString *sql = g_string_new (NULL);

  g_string_append_printf (sql, "INSERT INTO %s (", t);
  for (guint i = 0; columns[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, columns[i]);
    }
  g_string_append (sql, ") SELECT ");
  for (guint i = 0; expressions[i] != NULL; i++)
    g_string_append_printf (sql, "%s%s", i > 0 ? ", " : "", expressions[i]);
  g_string_append_printf (sql, " FROM %s", s);
  if (chunked)
    g_string_append (sql, " WHERE rowid >= ##p0::gint64 AND rowid < ##p1::gint64");
  return g_string_free (sql, FALSE);
}

char *
gorm_dialect_render_drop_table (const char *table)
{
  g_autofree char *t = quoted (table);

  return g_strdup_printf ("DROP TABLE %s", t);
}

/* @text as an SQL string literal. */
static char *
string_literal (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "'", -1);
  g_autofree char *escaped = g_strjoinv ("''", parts);

  return g_strdup_printf ("'%s'", escaped);
}

GStrv
gorm_dialect_render_move_sequence (const char *target,
                                   const char *source)
{
  g_autofree char *t = string_literal (target);
  g_autofree char *s = string_literal (source);
  GStrv statements = g_new0 (char *, 3);

  /* The copy gave @target a counter of its highest key; @source's is at
   * least as high (the keys it gave and deleted since count too), and
   * becomes @target's, renamed with it by the RENAME that follows. */
  statements[0] = g_strdup_printf ("DELETE FROM sqlite_sequence WHERE name = %s", t);
  statements[1] = g_strdup_printf ("UPDATE sqlite_sequence SET name = %s WHERE name = %s", t, s);
  return statements;
}

char *
gorm_dialect_render_foreign_key_check (const char *table)
{
  GString *sql = g_string_new ("PRAGMA foreign_key_check(");

  gorm_dialect_append_identifier (sql, table);
  g_string_append_c (sql, ')');
  return g_string_free (sql, FALSE);
}
