/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>


#include "gorm-error.h"
#include "gorm-filter-private.h"
#include "gorm-value-private.h"

/**
 * GormFilter:
 *
 * A condition on the stored properties of a resource type, for
 * gorm_query_filter().
 *
 * A filter is immutable and reference counted. The functions that combine
 * filters, gorm_filter_and(), gorm_filter_or() and gorm_filter_not(), take
 * the filters they are given, so C code builds a whole condition in one
 * expression without leaking:
 *
 * ```c
 * g_auto(GValue) views = G_VALUE_INIT;
 * g_auto(GValue) published = G_VALUE_INIT;
 *
 * g_value_init (&views, G_TYPE_INT);
 * g_value_set_int (&views, 10);
 * g_value_init (&published, G_TYPE_BOOLEAN);
 * g_value_set_boolean (&published, TRUE);
 * gorm_query_filter (query, gorm_filter_and (gorm_filter_gt ("views", &views),
 *                                            gorm_filter_eq ("published", &published)));
 * ```
 *
 * Property names and values are checked when the filter is given to a
 * query, against the query's resource type: a name that is not a stored
 * property is %GORM_ERROR_UNKNOWN_PROPERTY, a value that does not convert
 * without loss to the property's type is %GORM_ERROR_TYPE_MISMATCH, and
 * the query reports either from its runners before any SQL runs. Values
 * are always bound as parameters, never written into the SQL.
 *
 * Values compare as they are stored: enums by their nick, booleans as 0
 * and 1, date-times as instants (whatever time zone they were given in),
 * byte arrays by their bytes, strings by their bytes (case-sensitively,
 * with no collation), string arrays as their JSON text, and a `guint64`
 * above %G_MAXINT64 as the negative number it is stored as. A value is
 * converted to the property's C type first, so it must fit that type (300
 * does not fit a `gchar`), but not the property's own minimum and maximum:
 * `gt ("views", -1)` is fine for a property whose minimum is 0.
 *
 * ## NULL
 *
 * gorm_filter_eq() with a %NULL value matches the rows where the property
 * is NULL, and gorm_filter_ne() with a %NULL value those where it is not,
 * as Django's `field=None` does. gorm_filter_ne() is the exact complement
 * of gorm_filter_eq(), and gorm_filter_not() the exact complement of the
 * filter it is given: where a property can be NULL, `ne ("title", "A")`
 * and `not (lt ("title", "B"))` also match the rows whose title is NULL,
 * which plain SQL `<>` and `NOT` would silently leave out. The ordering
 * comparisons (lt, le, gt, ge, between) and like never match NULL, and
 * refuse a %NULL value with %GORM_ERROR_TYPE_MISMATCH.
 */

typedef enum
{
  FILTER_EQ,
  FILTER_NE,
  FILTER_LT,
  FILTER_LE,
  FILTER_GT,
  FILTER_GE,
  FILTER_LIKE,
  FILTER_ILIKE,
  FILTER_IN,
  FILTER_BETWEEN,
  FILTER_IS_NULL,
  FILTER_IS_NOT_NULL,
  FILTER_AND,
  FILTER_OR,
  FILTER_NOT,
} FilterOp;

struct _GormFilter
{
  gatomicrefcount   ref_count;
  FilterOp          op;
  /* A leaf names a property; once compiled it also has its column. */
  char             *property;
  const GormColumn *column;
  /* The values a leaf compares with: as given, or SQL values once
   * compiled. An IN keeps its non-NULL values and whether NULL was one. */
  GValue           *values;
  guint             n_values;
  gboolean          has_null;
  /* AND and OR have two children, NOT has one. */
  GormFilter       *children[2];
  gboolean          compiled;
};

/* The SQL operator of a comparison, and the one of its complement. */
static const struct
{
  const char *positive;
  const char *negative;
} comparisons[] = {
  [FILTER_EQ] = { "=", "<>" },
  [FILTER_NE] = { "<>", "=" },
  [FILTER_LT] = { "<", ">=" },
  [FILTER_LE] = { "<=", ">" },
  [FILTER_GT] = { ">", "<=" },
  [FILTER_GE] = { ">=", "<" },
};

static const char * const op_names[] = {
  [FILTER_EQ] = "eq",
  [FILTER_NE] = "ne",
  [FILTER_LT] = "lt",
  [FILTER_LE] = "le",
  [FILTER_GT] = "gt",
  [FILTER_GE] = "ge",
  [FILTER_LIKE] = "like",
  [FILTER_ILIKE] = "ilike",
  [FILTER_IN] = "in",
  [FILTER_BETWEEN] = "between",
  [FILTER_IS_NULL] = "is_null",
  [FILTER_IS_NOT_NULL] = "is_not_null",
  [FILTER_AND] = "and",
  [FILTER_OR] = "or",
  [FILTER_NOT] = "not",
};

G_DEFINE_BOXED_TYPE (GormFilter, gorm_filter, gorm_filter_ref, gorm_filter_unref)

static void
clear_values (GValue *values,
              guint   n_values)
{
  for (guint i = 0; i < n_values; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
  g_free (values);
}

static void
gorm_filter_free (GormFilter *self)
{
  g_clear_pointer (&self->children[0], gorm_filter_unref);
  g_clear_pointer (&self->children[1], gorm_filter_unref);
  clear_values (self->values, self->n_values);
  g_free (self->property);
  g_free (self);
}

/**
 * gorm_filter_ref:
 * @filter: a filter
 *
 * Acquires a reference on @filter.
 *
 * Returns: (transfer full): @filter
 */
GormFilter *
gorm_filter_ref (GormFilter *filter)
{
  g_return_val_if_fail (filter != NULL, NULL);

  g_atomic_ref_count_inc (&filter->ref_count);
  return filter;
}

/**
 * gorm_filter_unref:
 * @filter: (transfer full): a filter
 *
 * Releases a reference on @filter, freeing it with the last one.
 */
void
gorm_filter_unref (GormFilter *filter)
{
  g_return_if_fail (filter != NULL);

  if (g_atomic_ref_count_dec (&filter->ref_count))
    gorm_filter_free (filter);
}

static GormFilter *
filter_new (FilterOp    op,
            const char *property)
{
  GormFilter *self = g_new0 (GormFilter, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->op = op;
  self->property = g_strdup (property);
  return self;
}

/* Whether @value stands for SQL NULL: no value at all, an unset one, or
 * one holding a NULL string, boxed value, object or pointer. */
static gboolean
value_is_null (const GValue *value)
{
  if (value == NULL || G_VALUE_TYPE (value) == G_TYPE_INVALID)
    return TRUE;
  if (gorm_value_is_sql_null (value))
    return TRUE;
  return (G_VALUE_HOLDS_STRING (value) || G_VALUE_HOLDS_BOXED (value) ||
          G_VALUE_HOLDS_OBJECT (value) || G_VALUE_HOLDS_POINTER (value))
         && g_value_peek_pointer (value) == NULL;
}

/* Copies a value given by the caller, NULL ones as GORM_TYPE_SQL_NULL. */
static void
copy_user_value (GValue       *copy,
                 const GValue *value)
{
  if (value_is_null (value))
    {
      g_value_init (copy, GORM_TYPE_SQL_NULL);
      return;
    }
  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);
}

static GormFilter *
leaf_new (FilterOp      op,
          const char   *property,
          const GValue *value1,
          const GValue *value2,
          guint         n_values)
{
  GormFilter *self = filter_new (op, property);

  self->values = g_new0 (GValue, n_values);
  self->n_values = n_values;
  copy_user_value (&self->values[0], value1);
  if (n_values > 1)
    copy_user_value (&self->values[1], value2);
  return self;
}

/* eq and ne with a NULL value are IS NULL and IS NOT NULL. */
static GormFilter *
equality_new (FilterOp      op,
              FilterOp      null_op,
              const char   *property,
              const GValue *value)
{
  if (value_is_null (value))
    return filter_new (null_op, property);
  return leaf_new (op, property, value, NULL, 1);
}

/**
 * gorm_filter_eq:
 * @property: the name of a stored property
 * @value: (nullable): the value to compare with
 *
 * Matches the rows whose @property equals @value. A %NULL @value, or one
 * holding %NULL, matches the rows where @property is NULL, as
 * gorm_filter_is_null() does.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_eq (const char   *property,
                const GValue *value)
{
  g_return_val_if_fail (property != NULL, NULL);

  return equality_new (FILTER_EQ, FILTER_IS_NULL, property, value);
}

/**
 * gorm_filter_ne:
 * @property: the name of a stored property
 * @value: (nullable): the value to compare with
 *
 * Matches the rows that gorm_filter_eq() with the same arguments does
 * not match: those whose @property differs from @value, including those
 * where it is NULL. A %NULL @value, or one holding %NULL, matches the
 * rows where @property is not NULL, as gorm_filter_is_not_null() does.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_ne (const char   *property,
                const GValue *value)
{
  g_return_val_if_fail (property != NULL, NULL);

  return equality_new (FILTER_NE, FILTER_IS_NOT_NULL, property, value);
}

/**
 * gorm_filter_lt:
 * @property: the name of a stored property
 * @value: the value to compare with; not NULL
 *
 * Matches the rows whose @property is less than @value: a smaller
 * number, an earlier date-time, a string that sorts before @value byte by
 * byte. Rows where @property is NULL never match.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_lt (const char   *property,
                const GValue *value)
{
  g_return_val_if_fail (property != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  return leaf_new (FILTER_LT, property, value, NULL, 1);
}

/**
 * gorm_filter_le:
 * @property: the name of a stored property
 * @value: the value to compare with; not NULL
 *
 * Matches the rows whose @property is less than or equal to @value. Rows
 * where @property is NULL never match.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_le (const char   *property,
                const GValue *value)
{
  g_return_val_if_fail (property != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  return leaf_new (FILTER_LE, property, value, NULL, 1);
}

/**
 * gorm_filter_gt:
 * @property: the name of a stored property
 * @value: the value to compare with; not NULL
 *
 * Matches the rows whose @property is greater than @value. Rows where
 * @property is NULL never match.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_gt (const char   *property,
                const GValue *value)
{
  g_return_val_if_fail (property != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  return leaf_new (FILTER_GT, property, value, NULL, 1);
}

/**
 * gorm_filter_ge:
 * @property: the name of a stored property
 * @value: the value to compare with; not NULL
 *
 * Matches the rows whose @property is greater than or equal to @value.
 * Rows where @property is NULL never match.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_ge (const char   *property,
                const GValue *value)
{
  g_return_val_if_fail (property != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  return leaf_new (FILTER_GE, property, value, NULL, 1);
}

/**
 * gorm_filter_like:
 * @property: the name of a stored property stored as text: a string, an
 *   enum (its nick), a date-time (its UTC ISO-8601 text) or a string array
 *   (its JSON text)
 * @pattern: an SQL LIKE pattern
 *
 * Matches the rows whose @property matches @pattern, which is passed to
 * the database as given: `%` matches any sequence of characters, `_` any
 * one character, and everything else itself, case-sensitively (on SQLite
 * as on PostgreSQL).
 *
 * To match a literal `%` or `_`, or a backslash, put a backslash before
 * it: the backslash is the escape character of the comparison (SQL
 * `LIKE pattern ESCAPE '\'`). In C source the backslash itself is written
 * twice: `"100\\%"` matches the text `100%` only, and `"a\\_b%"` the texts
 * that start with `a_b`.
 *
 * Rows where @property is NULL never match. A property of another type
 * is refused with %GORM_ERROR_TYPE_MISMATCH.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_like (const char *property,
                  const char *pattern)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (property != NULL, NULL);
  g_return_val_if_fail (pattern != NULL, NULL);

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, pattern);
  return leaf_new (FILTER_LIKE, property, &value, NULL, 1);
}

/**
 * gorm_filter_ilike:
 * @property: the name of a stored property stored as text, as for
 *   gorm_filter_like()
 * @pattern: an SQL LIKE pattern
 *
 * Matches the rows whose @property matches @pattern as gorm_filter_like()
 * does, ignoring case: both are compared in lower case. On SQLite only the
 * ASCII letters have a case to ignore, as in SQLite's `lower()`.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_ilike (const char *property,
                   const char *pattern)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (property != NULL, NULL);
  g_return_val_if_fail (pattern != NULL, NULL);

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, pattern);
  return leaf_new (FILTER_ILIKE, property, &value, NULL, 1);
}

/**
 * gorm_filter_in:
 * @property: the name of a stored property
 * @values: (array length=n_values) (nullable): the values to compare with
 * @n_values: the number of @values
 *
 * Matches the rows whose @property equals one of @values. A value that
 * is NULL matches the rows where @property is NULL, as in
 * gorm_filter_eq(). An empty list matches no row.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_in (const char   *property,
                const GValue *values,
                guint         n_values)
{
  GormFilter *self;

  g_return_val_if_fail (property != NULL, NULL);
  g_return_val_if_fail (values != NULL || n_values == 0, NULL);

  self = filter_new (FILTER_IN, property);
  self->values = g_new0 (GValue, n_values);
  for (guint i = 0; i < n_values; i++)
    {
      if (value_is_null (&values[i]))
        self->has_null = TRUE;
      else
        copy_user_value (&self->values[self->n_values++], &values[i]);
    }

  return self;
}

/**
 * gorm_filter_between:
 * @property: the name of a stored property
 * @low: the lowest value to match; not NULL
 * @high: the highest value to match; not NULL
 *
 * Matches the rows whose @property lies between @low and @high, both
 * included. Rows where @property is NULL never match.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_between (const char   *property,
                     const GValue *low,
                     const GValue *high)
{
  g_return_val_if_fail (property != NULL, NULL);
  g_return_val_if_fail (low != NULL, NULL);
  g_return_val_if_fail (high != NULL, NULL);

  return leaf_new (FILTER_BETWEEN, property, low, high, 2);
}

/**
 * gorm_filter_is_null:
 * @property: the name of a stored property
 *
 * Matches the rows where @property is NULL.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_is_null (const char *property)
{
  g_return_val_if_fail (property != NULL, NULL);

  return filter_new (FILTER_IS_NULL, property);
}

/**
 * gorm_filter_is_not_null:
 * @property: the name of a stored property
 *
 * Matches the rows where @property is not NULL.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_is_not_null (const char *property)
{
  g_return_val_if_fail (property != NULL, NULL);

  return filter_new (FILTER_IS_NOT_NULL, property);
}

static GormFilter *
combination_new (FilterOp    op,
                 GormFilter *a,
                 GormFilter *b)
{
  GormFilter *self = filter_new (op, NULL);

  self->children[0] = a;
  self->children[1] = b;
  return self;
}

/**
 * gorm_filter_and:
 * @a: (transfer full): a filter
 * @b: (transfer full): another filter
 *
 * Matches the rows that both @a and @b match. Takes @a and @b.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_and (GormFilter *a,
                 GormFilter *b)
{
  if (a == NULL || b == NULL)
    {
      g_clear_pointer (&a, gorm_filter_unref);
      g_clear_pointer (&b, gorm_filter_unref);
      g_return_val_if_reached (NULL);
    }

  return combination_new (FILTER_AND, a, b);
}

/**
 * gorm_filter_or:
 * @a: (transfer full): a filter
 * @b: (transfer full): another filter
 *
 * Matches the rows that @a or @b (or both) match. Takes @a and @b.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_or (GormFilter *a,
                GormFilter *b)
{
  if (a == NULL || b == NULL)
    {
      g_clear_pointer (&a, gorm_filter_unref);
      g_clear_pointer (&b, gorm_filter_unref);
      g_return_val_if_reached (NULL);
    }

  return combination_new (FILTER_OR, a, b);
}

/**
 * gorm_filter_not:
 * @filter: (transfer full): a filter
 *
 * Matches exactly the rows that @filter does not match, including those
 * where a property @filter compares is NULL. Takes @filter.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_not (GormFilter *filter)
{
  g_return_val_if_fail (filter != NULL, NULL);

  return combination_new (FILTER_NOT, filter, NULL);
}

/* Compiling */

static gboolean
set_null_comparison_error (GError           **error,
                           const GormSchema  *schema,
                           const GormFilter  *leaf)
{
  g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
               "Cannot compare %s:%s with NULL using %s: only eq, ne and in "
               "match NULL (as IS NULL and IS NOT NULL)",
               schema->type_name, leaf->column->pspec->name, op_names[leaf->op]);
  return FALSE;
}

/* A LIKE pattern stays the string it is: it is no value of the property,
 * and only makes sense for a column stored as text. */
static gboolean
compile_pattern (const GormSchema  *schema,
                 const GormColumn  *column,
                 const GValue      *pattern,
                 GValue            *sql_value,
                 GError           **error)
{
  if (gorm_value_kind_get_sql_type (column->kind) != G_TYPE_STRING)
    {
      g_autofree char *shown = gorm_value_describe (pattern);

      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot match %s:%s, a %s property, with the LIKE pattern %s: "
                   "like applies to properties stored as text",
                   schema->type_name, column->pspec->name,
                   g_type_name (G_PARAM_SPEC_VALUE_TYPE (column->pspec)), shown);
      return FALSE;
    }

  g_value_init (sql_value, G_TYPE_STRING);
  g_value_copy (pattern, sql_value);
  return TRUE;
}

static gboolean
compile_value (const GormSchema  *schema,
               const GormFilter  *leaf,
               const GValue      *value,
               GValue            *sql_value,
               GError           **error)
{
  g_auto(GValue) property_value = G_VALUE_INIT;
  const GormColumn *column = leaf->column;

  if (gorm_value_is_sql_null (value))
    return set_null_comparison_error (error, schema, leaf);

  return gorm_value_coerce_for_comparison (column->kind, column->pspec, value, &property_value, error) &&
         gorm_value_to_sql (column->kind, column->pspec, &property_value, sql_value, error);
}

static GormFilter *
compile_leaf (GormFilter        *filter,
              const GormSchema  *schema,
              GError           **error)
{
  const GormColumn *column = gorm_schema_find_column (schema, filter->property);
  GormFilter *compiled;

  if (column == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                   "%s has no stored property “%s”", schema->type_name, filter->property);
      return NULL;
    }

  compiled = filter_new (filter->op, column->pspec->name);
  compiled->column = column;
  compiled->compiled = TRUE;
  compiled->has_null = filter->has_null;
  compiled->values = g_new0 (GValue, filter->n_values);
  for (guint i = 0; i < filter->n_values; i++)
    {
      gboolean ok;

      if (filter->op == FILTER_LIKE || filter->op == FILTER_ILIKE)
        ok = compile_pattern (schema, column, &filter->values[i], &compiled->values[i], error);
      else
        ok = compile_value (schema, compiled, &filter->values[i], &compiled->values[i], error);
      compiled->n_values = i + 1;
      if (!ok)
        {
          gorm_filter_unref (compiled);
          return NULL;
        }
    }

  return compiled;
}

GormFilter *
gorm_filter_compile (GormFilter        *filter,
                     const GormSchema  *schema,
                     GError           **error)
{
  GormFilter *children[2] = { NULL, NULL };
  GormFilter *compiled;

  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filter->compiled)
    return gorm_filter_ref (filter);

  if (filter->op != FILTER_AND && filter->op != FILTER_OR && filter->op != FILTER_NOT)
    return compile_leaf (filter, schema, error);

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      if (filter->children[i] == NULL)
        continue;
      children[i] = gorm_filter_compile (filter->children[i], schema, error);
      if (children[i] == NULL)
        {
          g_clear_pointer (&children[0], gorm_filter_unref);
          return NULL;
        }
    }

  compiled = combination_new (filter->op, children[0], children[1]);
  compiled->compiled = TRUE;
  return compiled;
}

/* Rendering */

/* Copies an SQL value for binding. */
static void
copy_sql_value (GValue       *copy,
                const GValue *value)
{
  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);
}

static void
append_value (GString      *sql,
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
append_column (GString          *sql,
               const GormFilter *leaf)
{
  gorm_dialect_append_identifier (sql, leaf->column->name);
}

/* Whether the column of @leaf can hold NULL in a row libgorm wrote. */
static gboolean
leaf_is_nullable (const GormFilter *leaf)
{
  return gorm_value_kind_is_nullable (leaf->column->kind) &&
         !(leaf->column->flags & (GORM_COLUMN_NOT_NULL | GORM_COLUMN_PRIMARY_KEY));
}

/* Appends " IS NULL" or " IS NOT NULL" for @leaf's column. */
static void
append_null_test (GString          *sql,
                  const GormFilter *leaf,
                  gboolean          is_null)
{
  append_column (sql, leaf);
  g_string_append (sql, is_null ? " IS NULL" : " IS NOT NULL");
}

/* Opens the condition of a negated leaf whose rows with NULL must match:
 * SQL's comparisons are unknown for them, and NOT of unknown is unknown. */
static gboolean
open_null_match (GString          *sql,
                 const GormFilter *leaf,
                 gboolean          negated)
{
  if (!negated || !leaf_is_nullable (leaf))
    return FALSE;
  g_string_append_c (sql, '(');
  return TRUE;
}

static void
close_null_match (GString          *sql,
                  const GormFilter *leaf,
                  gboolean          opened)
{
  if (!opened)
    return;
  g_string_append (sql, " OR ");
  append_null_test (sql, leaf, TRUE);
  g_string_append_c (sql, ')');
}

static void
append_value_list (GString          *sql,
                   GArray           *params,
                   const GormFilter *leaf)
{
  g_string_append_c (sql, '(');
  for (guint i = 0; i < leaf->n_values; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_value (sql, params, &leaf->values[i]);
    }
  g_string_append_c (sql, ')');
}

static void
render_in (const GormFilter  *leaf,
           const GormDialect *dialect,
           GString           *sql,
           GArray            *params,
           gboolean           negated)
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
      append_column (sql, leaf);
      g_string_append (sql, " IN ");
      append_value_list (sql, params, leaf);
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
  append_column (sql, leaf);
  g_string_append (sql, " NOT IN ");
  append_value_list (sql, params, leaf);
  close_null_match (sql, leaf, opened);
}

/* Renders @filter, or its exact complement when @negated: NOT is pushed
 * down to the leaves, which know how to match NULL. */
static void
render (const GormFilter  *filter,
        const GormDialect *dialect,
        GString           *sql,
        GArray            *params,
        gboolean           negated)
{
  gboolean opened;

  switch (filter->op)
    {
    case FILTER_AND:
    case FILTER_OR:
      g_string_append_c (sql, '(');
      render (filter->children[0], dialect, sql, params, negated);
      g_string_append (sql, ((filter->op == FILTER_AND) != negated) ? " AND " : " OR ");
      render (filter->children[1], dialect, sql, params, negated);
      g_string_append_c (sql, ')');
      break;

    case FILTER_NOT:
      render (filter->children[0], dialect, sql, params, !negated);
      break;

    case FILTER_IS_NULL:
    case FILTER_IS_NOT_NULL:
      append_null_test (sql, filter, (filter->op == FILTER_IS_NULL) != negated);
      break;

    case FILTER_EQ:
    case FILTER_NE:
    case FILTER_LT:
    case FILTER_LE:
    case FILTER_GT:
    case FILTER_GE:
      {
        /* ne is the complement of eq: it matches NULL where eq does not. */
        gboolean complement = negated != (filter->op == FILTER_NE);

        opened = open_null_match (sql, filter, complement);
        append_column (sql, filter);
        g_string_append_printf (sql, " %s ",
                                negated ? comparisons[filter->op].negative
                                        : comparisons[filter->op].positive);
        append_value (sql, params, &filter->values[0]);
        close_null_match (sql, filter, opened);
      }
      break;

    case FILTER_LIKE:
    case FILTER_ILIKE:
      {
        gboolean fold = filter->op == FILTER_ILIKE;

        opened = open_null_match (sql, filter, negated);
        g_string_append (sql, fold ? "lower(" : "");
        append_column (sql, filter);
        g_string_append (sql, fold ? ")" : "");
        g_string_append (sql, negated ? " NOT LIKE " : " LIKE ");
        g_string_append (sql, fold ? "lower(" : "");
        append_value (sql, params, &filter->values[0]);
        g_string_append (sql, fold ? ")" : "");
        append_like_escape (sql, params);
        close_null_match (sql, filter, opened);
      }
      break;

    case FILTER_BETWEEN:
      opened = open_null_match (sql, filter, negated);
      append_column (sql, filter);
      g_string_append (sql, negated ? " NOT BETWEEN " : " BETWEEN ");
      append_value (sql, params, &filter->values[0]);
      g_string_append (sql, " AND ");
      append_value (sql, params, &filter->values[1]);
      close_null_match (sql, filter, opened);
      break;

    case FILTER_IN:
      render_in (filter, dialect, sql, params, negated);
      break;

    default:
      g_assert_not_reached ();
    }
}

void
gorm_filter_render (GormFilter        *compiled,
                    const GormDialect *dialect,
                    GString           *sql,
                    GArray            *params)
{
  g_return_if_fail (compiled != NULL && compiled->compiled);
  g_return_if_fail (dialect != NULL);
  g_return_if_fail (sql != NULL);
  g_return_if_fail (params != NULL);

  render (compiled, dialect, sql, params, FALSE);
}
