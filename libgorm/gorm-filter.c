/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>


#include "gorm-error.h"
#include "gorm-expression-private.h"
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
 * A filter made from arguments it cannot use (a %NULL property name, a
 * %NULL pattern, a %NULL operand of gorm_filter_and(), gorm_filter_or() or
 * gorm_filter_not()) prints no warning: it carries the mistake, and every
 * runner of a query given it, or given a filter made from it, fails with
 * that error before any SQL. A query never runs with less condition than
 * it was given, so a bulk delete never deletes rows it was not meant to.
 *
 * ## Across relations
 *
 * A property name may be a path of relation names separated by dots,
 * ending in a property: `question.question_text` from a choice (a
 * forward relation, [method@Gorm.ResourceClass.set_foreign_key]),
 * `choice.votes` from a question (a reverse one, by its related name or,
 * for the default `choice_set`, `choice`), `tags.name` from a post (a
 * many-to-many one, [method@Gorm.ResourceClass.add_many_to_many]). A bare
 * relation name compares the key: `question` is `question_id`, `choice`
 * the key of the question's choices. A reverse or many-to-many path
 * matches an object when one of its related rows matches; conditions on
 * the same such relation inside one filter's AND hold for the same
 * related row, while those of separate [method@Gorm.Query.filter] calls
 * may hold for different rows, as in Django. Where there is no related
 * row (a NULL key, no related rows) the path reads as NULL, as a LEFT
 * JOIN would. An unknown name anywhere in the path is
 * %GORM_ERROR_UNKNOWN_PROPERTY naming the type and the whole path. The
 * "Queries" guide has the details and examples.
 *
 * Values compare as they are stored, except enums: eq, ne and in compare
 * them by nick, lt, le, gt, ge, between and [func@Gorm.Filter.compare] by the
 * values their type declares (as an `IN` list of the nicks that satisfy
 * the comparison, so an index on the property still serves it);
 * booleans as 0 and 1, flags as numbers, date-times as instants
 * (whatever time zone they were given in),
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

struct _GormFilter
{
  gatomicrefcount   ref_count;
  GormConditionOp   op;
  /* A leaf names a property. */
  char             *property;
  /* The values a leaf compares with, as given. An IN keeps its non-NULL
   * values and whether NULL was one. */
  GValue           *values;
  guint             n_values;
  gboolean          has_null;
  /* AND and OR have two children, NOT has one. */
  GormFilter       *children[2];
  /* COMPARE: the expressions compared, and how (EQ … GE). */
  GormExpression   *operands[2];
  GormConditionOp   comparison;
  /* Set when the filter was built from arguments it cannot use (a NULL
   * property name or operand): such a "poisoned" filter, and any filter
   * made from it, fails to compile with this error, so that the query
   * given it reports the mistake from every runner instead of running
   * without the condition. */
  GError           *error;
};

static const char * const op_names[] = {
  [GORM_CONDITION_EQ] = "eq",
  [GORM_CONDITION_NE] = "ne",
  [GORM_CONDITION_LT] = "lt",
  [GORM_CONDITION_LE] = "le",
  [GORM_CONDITION_GT] = "gt",
  [GORM_CONDITION_GE] = "ge",
  [GORM_CONDITION_LIKE] = "like",
  [GORM_CONDITION_ILIKE] = "ilike",
  [GORM_CONDITION_IN] = "in",
  [GORM_CONDITION_BETWEEN] = "between",
  [GORM_CONDITION_IS_NULL] = "is_null",
  [GORM_CONDITION_IS_NOT_NULL] = "is_not_null",
  [GORM_CONDITION_AND] = "and",
  [GORM_CONDITION_OR] = "or",
  [GORM_CONDITION_NOT] = "not",
  [GORM_CONDITION_RELATED] = "related",
  [GORM_CONDITION_COMPARE] = "compare",
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
  g_clear_pointer (&self->operands[0], gorm_expression_unref);
  g_clear_pointer (&self->operands[1], gorm_expression_unref);
  clear_values (self->values, self->n_values);
  g_clear_error (&self->error);
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
filter_new (GormConditionOp  op,
            const char      *property)
{
  GormFilter *self = g_new0 (GormFilter, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->op = op;
  self->property = g_strdup (property);
  return self;
}

/* A filter that fails to compile with the error of @format. */
static GormFilter * G_GNUC_PRINTF (3, 4)
poisoned_new (GormConditionOp  op,
              GormError        code,
              const char      *format,
              ...)
{
  GormFilter *self = filter_new (op, NULL);
  va_list args;

  va_start (args, format);
  self->error = g_error_new_valist (GORM_ERROR, code, format, args);
  va_end (args);
  return self;
}

static GormFilter *
no_property_new (GormConditionOp op)
{
  return poisoned_new (op, GORM_ERROR_UNKNOWN_PROPERTY,
                       "gorm_filter_%s() was given no property name (NULL)", op_names[op]);
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
leaf_new (GormConditionOp  op,
          const char   *property,
          const GValue *value1,
          const GValue *value2,
          guint         n_values)
{
  GormFilter *self;

  if (property == NULL)
    return no_property_new (op);

  self = filter_new (op, property);
  self->values = g_new0 (GValue, n_values);
  self->n_values = n_values;
  copy_user_value (&self->values[0], value1);
  if (n_values > 1)
    copy_user_value (&self->values[1], value2);
  return self;
}

/* eq and ne with a NULL value are IS NULL and IS NOT NULL. */
static GormFilter *
equality_new (GormConditionOp  op,
              GormConditionOp  null_op,
              const char      *property,
              const GValue    *value)
{
  if (property == NULL)
    return no_property_new (op);
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
  return equality_new (GORM_CONDITION_EQ, GORM_CONDITION_IS_NULL, property, value);
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
  return equality_new (GORM_CONDITION_NE, GORM_CONDITION_IS_NOT_NULL, property, value);
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
  return leaf_new (GORM_CONDITION_LT, property, value, NULL, 1);
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
  return leaf_new (GORM_CONDITION_LE, property, value, NULL, 1);
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
  return leaf_new (GORM_CONDITION_GT, property, value, NULL, 1);
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
  return leaf_new (GORM_CONDITION_GE, property, value, NULL, 1);
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

  if (pattern == NULL)
    return leaf_new (GORM_CONDITION_LIKE, property, NULL, NULL, 1);

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, pattern);
  return leaf_new (GORM_CONDITION_LIKE, property, &value, NULL, 1);
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

  if (pattern == NULL)
    return leaf_new (GORM_CONDITION_ILIKE, property, NULL, NULL, 1);

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, pattern);
  return leaf_new (GORM_CONDITION_ILIKE, property, &value, NULL, 1);
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
 * The list may be long: beyond a few dozen values it is bound as one
 * parameter (on SQLite, a JSON array read by `json_each()`), so the time
 * a query takes grows linearly with the number of values (100,000 values
 * take a fraction of a second) and no engine limit on the number of
 * parameters applies. An index on @property still serves the comparison,
 * except for byte arrays, which a long list compares through their
 * hexadecimal text.
 *
 * Returns: (transfer full): a new filter
 */
GormFilter *
gorm_filter_in (const char   *property,
                const GValue *values,
                guint         n_values)
{
  GormFilter *self;

  if (property == NULL)
    return no_property_new (GORM_CONDITION_IN);
  if (values == NULL && n_values > 0)
    return poisoned_new (GORM_CONDITION_IN, GORM_ERROR_TYPE_MISMATCH,
                         "gorm_filter_in() for “%s” was given no values (NULL) but a "
                         "count of %u", property, n_values);

  self = filter_new (GORM_CONDITION_IN, property);
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
  return leaf_new (GORM_CONDITION_BETWEEN, property, low, high, 2);
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
  if (property == NULL)
    return no_property_new (GORM_CONDITION_IS_NULL);

  return filter_new (GORM_CONDITION_IS_NULL, property);
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
  if (property == NULL)
    return no_property_new (GORM_CONDITION_IS_NOT_NULL);

  return filter_new (GORM_CONDITION_IS_NOT_NULL, property);
}

static GormFilter *
combination_new (GormConditionOp  op,
                 GormFilter      *a,
                 GormFilter      *b)
{
  GormFilter *self;

  /* A missing operand poisons the combination: dropping the condition
   * would make the query match more rows than asked, which a bulk delete
   * must never do. */
  if (a == NULL || (b == NULL && op != GORM_CONDITION_NOT))
    {
      const char *which = op == GORM_CONDITION_NOT ? "its operand" : a == NULL ? "its first operand" : "its second operand";

      g_clear_pointer (&a, gorm_filter_unref);
      g_clear_pointer (&b, gorm_filter_unref);
      return poisoned_new (op, GORM_ERROR_FAILED,
                           "gorm_filter_%s() was given no filter (NULL) as %s",
                           op_names[op], which);
    }

  self = filter_new (op, NULL);
  self->children[0] = a;
  self->children[1] = b;
  return self;
}

/**
 * gorm_filter_and:
 * @a: (transfer full) (nullable): a filter
 * @b: (transfer full) (nullable): another filter
 *
 * Matches the rows that both @a and @b match. Takes @a and @b.
 *
 * A %NULL operand gives a filter that makes the query it is given fail
 * with %GORM_ERROR_FAILED: a missing condition never widens a query.
 *
 * Returns: (transfer full): a new filter
 *
 * Since: 1.0
 */
GormFilter *
gorm_filter_and (GormFilter *a,
                 GormFilter *b)
{
  return combination_new (GORM_CONDITION_AND, a, b);
}

/**
 * gorm_filter_or:
 * @a: (transfer full) (nullable): a filter
 * @b: (transfer full) (nullable): another filter
 *
 * Matches the rows that @a or @b (or both) match. Takes @a and @b.
 *
 * A %NULL operand gives a filter that makes the query it is given fail
 * with %GORM_ERROR_FAILED.
 *
 * Returns: (transfer full): a new filter
 *
 * Since: 1.0
 */
GormFilter *
gorm_filter_or (GormFilter *a,
                GormFilter *b)
{
  return combination_new (GORM_CONDITION_OR, a, b);
}

/**
 * gorm_filter_not:
 * @filter: (transfer full) (nullable): a filter
 *
 * Matches exactly the rows that @filter does not match, including those
 * where a property @filter compares is NULL. Takes @filter.
 *
 * A %NULL @filter gives a filter that makes the query it is given fail
 * with %GORM_ERROR_FAILED.
 *
 * Returns: (transfer full): a new filter
 *
 * Since: 1.0
 */
GormFilter *
gorm_filter_not (GormFilter *filter)
{
  return combination_new (GORM_CONDITION_NOT, filter, NULL);
}

/**
 * gorm_filter_compare:
 * @left: (transfer full): an expression
 * @op: how to compare
 * @right: (transfer full): another expression
 *
 * Matches the rows where @left @op @right holds: `votes > downvotes`,
 * `price * quantity >= 100`, `date_part (pub_date, YEAR) = 2024`. Takes
 * @left and @right. A constant on one side is converted to the type of
 * the other side without loss, as the other filters convert their
 * values (a constant compared with a %GORM_DATE_PART_DATE is its UTC
 * day); two sides of types that do not compare (a string and a number)
 * are %GORM_ERROR_TYPE_MISMATCH, naming the properties and their types.
 * Enums compare by the values their type declares.
 *
 * A row where either side is NULL never matches, with
 * %GORM_COMPARISON_NE too (unlike [func@Gorm.Filter.ne], which compares with
 * a constant and matches NULL); [method@Gorm.Filter.not] of the comparison
 * matches exactly the other rows, those rows included.
 *
 * A year or a day (%GORM_DATE_PART_YEAR, %GORM_DATE_PART_DATE) of a
 * date-time property compared with a constant is rendered as a range
 * on the property itself, as Django does, so an index on it serves the
 * query; the other parts use the engine's date functions.
 *
 * Properties reached through a reverse or many-to-many relation
 * (`choice.votes`) match when one related row matches, as the other
 * filters do: `choice.votes > choice.downvotes` compares the votes and
 * downvotes of one choice, and `choice.votes > rank` a choice's votes
 * with its question's rank (Django's `choice__votes__gt=F("rank")`).
 * Paths through two different reverse or many-to-many relations in one
 * comparison are %GORM_ERROR_VALIDATION. Aggregates are
 * %GORM_ERROR_VALIDATION in the filters of a query that does not group.
 *
 * Returns: (transfer full): a new filter
 *
 * Since: 1.0
 */
GormFilter *
gorm_filter_compare (GormExpression *left,
                     GormComparison  op,
                     GormExpression *right)
{
  static const GormConditionOp comparisons[] = {
    [GORM_COMPARISON_EQ] = GORM_CONDITION_EQ,
    [GORM_COMPARISON_NE] = GORM_CONDITION_NE,
    [GORM_COMPARISON_LT] = GORM_CONDITION_LT,
    [GORM_COMPARISON_LE] = GORM_CONDITION_LE,
    [GORM_COMPARISON_GT] = GORM_CONDITION_GT,
    [GORM_COMPARISON_GE] = GORM_CONDITION_GE,
  };
  GormFilter *self;

  if (left == NULL || right == NULL || (guint) op >= G_N_ELEMENTS (comparisons))
    {
      gboolean no_expression = left == NULL || right == NULL;
      const char *which = left == NULL ? "its left operand" : "its right operand";

      g_clear_pointer (&left, gorm_expression_unref);
      g_clear_pointer (&right, gorm_expression_unref);
      if (no_expression)
        return poisoned_new (GORM_CONDITION_COMPARE, GORM_ERROR_FAILED,
                             "gorm_filter_compare() was given no expression (NULL) as %s", which);
      return poisoned_new (GORM_CONDITION_COMPARE, GORM_ERROR_VALIDATION,
                           "gorm_filter_compare() was given no comparison (%d)", (int) op);
    }

  self = filter_new (GORM_CONDITION_COMPARE, NULL);
  self->operands[0] = left;
  self->operands[1] = right;
  self->comparison = comparisons[op];
  return self;
}

/* Compiling */

static gboolean
set_null_comparison_error (GError           **error,
                           const GormSchema  *schema,
                           const GormFilter  *leaf,
                           const GormColumn  *column)
{
  if (leaf->op == GORM_CONDITION_LIKE || leaf->op == GORM_CONDITION_ILIKE)
    g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                 "Cannot match %s:%s with a NULL pattern using %s",
                 schema->type_name, column->pspec->name, op_names[leaf->op]);
  else
    g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                 "Cannot compare %s:%s with NULL using %s: only eq, ne and in "
                 "match NULL (as IS NULL and IS NOT NULL)",
                 schema->type_name, column->pspec->name, op_names[leaf->op]);
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
               const GormColumn  *column,
               const GValue      *value,
               GValue            *sql_value,
               GError           **error)
{
  g_auto(GValue) property_value = G_VALUE_INIT;

  if (gorm_value_is_sql_null (value))
    return set_null_comparison_error (error, schema, leaf, column);
  if (leaf->op == GORM_CONDITION_LIKE || leaf->op == GORM_CONDITION_ILIKE)
    return compile_pattern (schema, column, value, sql_value, error);

  return gorm_value_coerce_for_comparison (column->kind, column->pspec, value, &property_value, error) &&
         gorm_value_to_sql (column->kind, column->pspec, &property_value, sql_value, error);
}

/* Relation paths. A path resolved once is interned, keyed by its schema
 * and its text, and lives as long as the process, as the schemas and
 * relations it points to do. */
static GMutex paths_lock;
static GHashTable *paths; /* "SCHEMA-ADDRESS PATH" → GormPath */

static gboolean
set_unknown_path_error (GError          **error,
                        const GormSchema *schema,
                        const char       *path,
                        const GormSchema *reached,
                        const char       *part)
{
  if (reached == schema && strchr (path, '.') == NULL)
    g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                 "%s has no stored property “%s”", schema->type_name, path);
  else
    g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                 "%s has no stored property or relation “%s”: %s has no stored property "
                 "or relation “%s”", schema->type_name, path, reached->type_name, part);
  return FALSE;
}

/* Follows @text from @schema: the steps of the relations it names and
 * the column at its end. */
static gboolean
walk_path (const GormSchema  *schema,
           const char        *text,
           GArray            *steps,
           const GormColumn **column,
           GError           **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", -1);
  guint n_parts = g_strv_length (parts);
  const GormSchema *current = schema;

  if (n_parts == 0)
    return set_unknown_path_error (error, schema, text, current, text);
  for (guint i = 0; i < n_parts; i++)
    {
      gboolean last = i + 1 == n_parts;
      const GormRelation *relation;
      GormStep step;

      if (parts[i][0] == '\0')
        return set_unknown_path_error (error, schema, text, current, parts[i]);
      /* A property first: "question_id" is the column even where it also
       * names a relation. */
      if (last)
        {
          *column = gorm_schema_find_column (current, parts[i]);
          if (*column != NULL)
            return TRUE;
        }
      relation = gorm_schema_find_relation (current, parts[i], NULL);
      if (relation == NULL && gorm_schema_find_column (current, parts[i]) != NULL)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                       "%s has no stored property or relation “%s”: “%s” is a property of %s, "
                       "not a relation to follow", schema->type_name, text, parts[i],
                       current->type_name);
          return FALSE;
        }
      if (relation == NULL)
        return set_unknown_path_error (error, schema, text, current, parts[i]);
      /* A bare forward relation compares its key, a column here. */
      if (last && relation->kind == GORM_RELATION_FORWARD)
        {
          *column = relation->column;
          return TRUE;
        }

      step.relation = relation;
      step.source = current;
      step.target = gorm_schema_lookup (relation->target_type, error);
      if (step.target == NULL)
        return FALSE;
      g_array_append_val (steps, step);
      current = step.target;
      /* A bare reverse or many-to-many relation compares the related
       * rows' key. */
      if (last)
        {
          *column = current->key;
          return TRUE;
        }
    }
  g_assert_not_reached ();
}

const GormColumn *
gorm_filter_resolve_path (const GormSchema  *schema,
                          const char        *text,
                          const GormPath   **resolved,
                          GError           **error)
{
  const GormColumn *column = gorm_schema_find_column (schema, text);
  g_autofree char *key = NULL;
  g_autoptr(GArray) steps = NULL;
  GormPath *path;

  *resolved = NULL;
  if (column != NULL)
    return column;

  key = g_strdup_printf ("%p %s", (gpointer) schema, text);
  g_mutex_lock (&paths_lock);
  path = paths ? g_hash_table_lookup (paths, key) : NULL;
  g_mutex_unlock (&paths_lock);
  if (path != NULL)
    {
      *resolved = path;
      return path->column;
    }

  /* Resolved outside the lock: it may look schemas up, which may
   * initialize classes. */
  steps = g_array_new (FALSE, FALSE, sizeof (GormStep));
  if (!walk_path (schema, text, steps, &column, error))
    return NULL;
  if (steps->len == 0)
    return column;

  path = g_new0 (GormPath, 1);
  path->text = g_strdup (text);
  path->n_steps = steps->len;
  path->column = column;
  for (guint i = 0; i < steps->len; i++)
    if (g_array_index (steps, GormStep, i).relation->kind != GORM_RELATION_FORWARD)
      path->multi_valued = TRUE;
  path->steps = (const GormStep *) (gpointer) g_array_free (g_steal_pointer (&steps), FALSE);

  g_mutex_lock (&paths_lock);
  if (paths == NULL)
    paths = g_hash_table_new (g_str_hash, g_str_equal);
  if (g_hash_table_lookup (paths, key) == NULL)
    g_hash_table_insert (paths, g_steal_pointer (&key), path);
  else
    {
      /* Another thread interned it meanwhile: the same steps. Paths are
       * never freed, so this one stays as a leak of a few bytes rather
       * than a pointer someone may hold. */
      GormPath *first = g_hash_table_lookup (paths, key);

      path = first;
    }
  g_mutex_unlock (&paths_lock);

  *resolved = path;
  return column;
}

/* A value holding a saved object of the right type stands for its key
 * where @column holds keys of that type: a forward key column
 * ("question", "question_id") or the key of the related rows of a bare
 * reverse or many-to-many relation ("choice", "tags"). */
static gboolean
compile_key_or_value (const GormSchema  *schema,
                      const GormFilter  *leaf,
                      const GormColumn  *column,
                      const GValue      *value,
                      GValue            *sql_value,
                      GError           **error)
{
  const GormRelation *relation;
  const GormSchema *target;
  GormResource *object;
  GType expected = 0;
  g_auto(GValue) key = G_VALUE_INIT;

  if (!G_VALUE_HOLDS (value, GORM_TYPE_RESOURCE) || g_value_get_object (value) == NULL)
    return compile_value (schema, leaf, column, value, sql_value, error);

  object = g_value_get_object (value);
  relation = gorm_schema_relation_for_column (schema, column);
  if (column == schema->key)
    expected = schema->type;
  else if (relation != NULL)
    expected = relation->target_type;
  if (expected == 0 || !g_type_is_a (G_OBJECT_TYPE (object), expected))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot compare %s:%s with a %s: %s",
                   schema->type_name, column->pspec->name, G_OBJECT_TYPE_NAME (object),
                   expected == 0 ? "the property holds no key of a related object"
                                 : "it holds the key of another type");
      return FALSE;
    }
  if (!gorm_resource_is_saved (object))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot compare %s:%s with an unsaved %s: it has no key yet",
                   schema->type_name, column->pspec->name, G_OBJECT_TYPE_NAME (object));
      return FALSE;
    }

  target = gorm_schema_lookup (expected, error);
  if (target == NULL)
    return FALSE;
  g_value_init (&key, G_PARAM_SPEC_VALUE_TYPE (target->key->pspec));
  g_object_get_property (G_OBJECT (object), target->key->pspec->name, &key);
  return compile_value (schema, leaf, column, &key, sql_value, error);
}

/* Whether @value satisfies @op against @bounds (one, two for BETWEEN). */
static gboolean
satisfies (GormConditionOp  op,
           gint             value,
           const gint      *bounds)
{
  switch (op)
    {
    case GORM_CONDITION_EQ:
      return value == bounds[0];
    case GORM_CONDITION_NE:
      return value != bounds[0];
    case GORM_CONDITION_LT:
      return value < bounds[0];
    case GORM_CONDITION_LE:
      return value <= bounds[0];
    case GORM_CONDITION_GT:
      return value > bounds[0];
    case GORM_CONDITION_GE:
      return value >= bounds[0];
    case GORM_CONDITION_BETWEEN:
      return value >= bounds[0] && value <= bounds[1];
    default:
      g_assert_not_reached ();
    }
}

/* An enum @column compared by value with the nicks @nicks (SQL values,
 * one, two for BETWEEN), as the IN list of the nicks whose values satisfy
 * the comparison: enums are stored by nick, and an index on the column
 * serves an IN. */
static GormCondition *
enum_range_leaf (const GormColumn *column,
                 GormConditionOp   op,
                 const GValue     *nicks)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (G_PARAM_SPEC_VALUE_TYPE (column->pspec));
  g_autoptr(GPtrArray) matching = g_ptr_array_new ();
  GormCondition *leaf;
  gint bounds[2] = { 0, 0 };

  for (guint i = 0; i < (op == GORM_CONDITION_BETWEEN ? 2u : 1u); i++)
    {
      GEnumValue *bound = g_enum_get_value_by_nick (klass, g_value_get_string (&nicks[i]));

      /* The value was converted from one of the type's own. */
      g_assert (bound != NULL);
      bounds[i] = bound->value;
    }
  for (guint i = 0; i < klass->n_values; i++)
    if (satisfies (op, klass->values[i].value, bounds))
      g_ptr_array_add (matching, (gpointer) klass->values[i].value_nick);

  leaf = gorm_condition_new_leaf (GORM_CONDITION_IN, column, matching->len);
  for (guint i = 0; i < matching->len; i++)
    {
      g_value_init (&leaf->values[i], G_TYPE_STRING);
      g_value_set_string (&leaf->values[i], g_ptr_array_index (matching, i));
    }
  return leaf;
}

static GormCondition *
compile_leaf (GormFilter        *filter,
              const GormSchema  *schema,
              GError           **error)
{
  g_autoptr(GormCondition) condition = NULL;
  g_autoptr(GError) local_error = NULL;
  const GormSchema *owner = schema;
  const GormPath *path = NULL;
  const GormColumn *column;

  column = gorm_filter_resolve_path (schema, filter->property, &path, &local_error);
  if (column == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (path != NULL)
    owner = path->steps[path->n_steps - 1].target;

  condition = gorm_condition_new_leaf (filter->op, column, filter->n_values);
  condition->has_null = filter->has_null;
  for (guint i = 0; i < filter->n_values; i++)
    if (!compile_key_or_value (owner, filter, column, &filter->values[i], &condition->values[i], error))
      {
        if (path != NULL)
          g_prefix_error (error, "Cannot filter %s on “%s”: ", schema->type_name, path->text);
        return NULL;
      }

  if (column->kind == GORM_VALUE_KIND_ENUM && condition->op >= GORM_CONDITION_LT &&
      (condition->op <= GORM_CONDITION_GE || condition->op == GORM_CONDITION_BETWEEN))
    {
      GormCondition *by_value = enum_range_leaf (column, condition->op, condition->values);

      g_clear_pointer (&condition, gorm_condition_unref);
      condition = by_value;
    }

  /* The leaf is on the last step's rows; each step wraps it, the last
   * innermost. */
  for (guint i = path ? path->n_steps : 0; i > 0; i--)
    condition = gorm_condition_new_related (&path->steps[i - 1], g_steal_pointer (&condition));

  return g_steal_pointer (&condition);
}

/* How many steps of @path lead to its last reverse or many-to-many
 * step's rows: 0 when they are all forward. */
static guint
multi_valued_steps (const GormPath *path)
{
  guint n = 0;

  for (guint i = 0; path != NULL && i < path->n_steps; i++)
    if (path->steps[i].relation->kind != GORM_RELATION_FORWARD)
      n = i + 1;
  return n;
}

static gboolean
same_steps (const GormPath *a,
            const GormPath *b,
            guint           n_steps)
{
  /* Compared by what they are, not by address: a path interned before a
   * later declaration holds the relations derived then, and one resolved
   * since holds those derived anew (gorm_schema_get_relations()). */
  for (guint i = 0; i < n_steps; i++)
    {
      const GormRelation *x = a->steps[i].relation;
      const GormRelation *y = b->steps[i].relation;

      if (x != y && (x->source_type != y->source_type || x->name != y->name))
        return FALSE;
    }
  return TRUE;
}

/* Whether the values of @a and @b compare: two numbers, or two values
 * of one kind (and one enum or flags type). */
static gboolean
comparable (const GormExprNode *a,
            const GormExprNode *b)
{
  gboolean a_number = a->kind == GORM_VALUE_KIND_INT || a->kind == GORM_VALUE_KIND_UINT ||
                      a->kind == GORM_VALUE_KIND_DOUBLE;
  gboolean b_number = b->kind == GORM_VALUE_KIND_INT || b->kind == GORM_VALUE_KIND_UINT ||
                      b->kind == GORM_VALUE_KIND_DOUBLE;

  if (a_number && b_number)
    return TRUE;
  if (a->kind != b->kind)
    return FALSE;
  if (a->kind == GORM_VALUE_KIND_ENUM || a->kind == GORM_VALUE_KIND_FLAGS)
    return a->value_type == b->value_type;
  return TRUE;
}

static char *
describe_node (const GormSchema   *schema,
               const GormExprNode *node)
{
  if (node->op == GORM_EXPR_COLUMN)
    return g_strdup_printf ("%s:%s, a %s", schema->type_name,
                            node->path ? node->path->text : node->column->pspec->name,
                            g_type_name (node->value_type));
  return g_strdup_printf ("a %s", g_type_name (node->value_type));
}

static GormCondition *
compile_compare (GormFilter                  *filter,
                 const GormSchema            *schema,
                 GormExpressionCompileFlags   flags,
                 GError                     **error)
{
  g_autoptr(GormExprNode) left = NULL;
  g_autoptr(GormExprNode) right = NULL;
  g_autoptr(GPtrArray) compared = g_ptr_array_new ();
  g_autoptr(GormCondition) condition = NULL;
  const GormPath *related = NULL;
  guint n_related = 0;

  if (!gorm_expression_compile_pair (filter->operands[0], filter->operands[1], schema,
                                     flags | GORM_EXPRESSION_COMPILE_MULTI_VALUED,
                                     &left, &right, error))
    {
      g_prefix_error (error, "Cannot filter %s: ", schema->type_name);
      return NULL;
    }
  if (!comparable (left, right))
    {
      g_autofree char *a = describe_node (schema, left);
      g_autofree char *b = describe_node (schema, right);

      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot filter %s: cannot compare %s with %s", schema->type_name, a, b);
      return NULL;
    }

  /* A comparison on reverse or many-to-many rows is made inside their
   * subquery: the properties it compares are on those rows, or on the
   * queried rows (their own, or through forward relations). */
  gorm_expr_node_collect_paths (left, compared);
  gorm_expr_node_collect_paths (right, compared);
  for (guint i = 0; i < compared->len; i++)
    {
      const GormPath *path = g_ptr_array_index (compared, i);
      guint n = multi_valued_steps (path);

      if (n > n_related)
        {
          n_related = n;
          related = path;
        }
    }
  if (related != NULL)
    {
      gboolean same = TRUE;

      for (guint i = 0; i < compared->len && same; i++)
        {
          const GormPath *path = g_ptr_array_index (compared, i);
          guint n = multi_valued_steps (path);

          same = n == 0 || (n == n_related && same_steps (path, related, n_related));
        }
      if (!same)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot filter %s on “%s”: a comparison through reverse or many-to-many "
                       "relations compares the rows of one such path at a time",
                       schema->type_name, related->text);
          return NULL;
        }
    }

  /* An enum property of the type itself compared with a constant is an
   * IN list of nicks, which its index serves; other enum comparisons
   * compare the values the dialect maps the nicks to. */
  if (left->kind == GORM_VALUE_KIND_ENUM && (left->op == GORM_EXPR_VALUE) != (right->op == GORM_EXPR_VALUE))
    {
      const GormExprNode *column = left->op == GORM_EXPR_VALUE ? right : left;
      const GormExprNode *value = left->op == GORM_EXPR_VALUE ? left : right;
      GormConditionOp op = filter->comparison;

      if (left->op == GORM_EXPR_VALUE)
        op = gorm_condition_op_flip (op);
      if (column->op == GORM_EXPR_COLUMN && column->path == NULL && !gorm_value_is_sql_null (&value->value))
        {
          g_autoptr(GormCondition) by_value = enum_range_leaf (column->column, op, &value->value);

          /* Never NULL, as a comparison: NOT IN matches NULL as NOT
           * does. */
          return g_steal_pointer (&by_value);
        }
    }

  condition = gorm_condition_new_compare (schema, filter->comparison, g_steal_pointer (&left),
                                          g_steal_pointer (&right), n_related);
  for (guint i = n_related; i > 0; i--)
    condition = gorm_condition_new_related (&related->steps[i - 1], g_steal_pointer (&condition));
  return g_steal_pointer (&condition);
}

static GormCondition *
compile_node (GormFilter                  *filter,
              const GormSchema            *schema,
              GormExpressionCompileFlags   flags,
              GError                     **error)
{
  GormCondition *children[2] = { NULL, NULL };

  if (filter->error != NULL)
    {
      g_set_error (error, GORM_ERROR, filter->error->code,
                   "Cannot filter %s: %s", schema->type_name, filter->error->message);
      return NULL;
    }

  if (filter->op == GORM_CONDITION_COMPARE)
    return compile_compare (filter, schema, flags, error);
  if (filter->op != GORM_CONDITION_AND && filter->op != GORM_CONDITION_OR &&
      filter->op != GORM_CONDITION_NOT)
    return compile_leaf (filter, schema, error);

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      if (filter->children[i] == NULL)
        continue;
      children[i] = compile_node (filter->children[i], schema, flags, error);
      if (children[i] == NULL)
        {
          g_clear_pointer (&children[0], gorm_condition_unref);
          return NULL;
        }
    }

  return gorm_condition_new_combination (filter->op, children[0], children[1]);
}

/* Whether two steps follow the same relation. */
static gboolean
same_step (const GormStep *a,
           const GormStep *b)
{
  return a->relation == b->relation ||
         (a->relation->source_type == b->relation->source_type &&
          g_str_equal (a->relation->name, b->relation->name));
}

static GormCondition *share_steps (const GormCondition *condition);

static void
clear_condition (gpointer condition)
{
  if (condition != NULL)
    gorm_condition_unref (condition);
}

/* Appends the conjuncts of the AND chain @condition, shared. */
static void
collect_conjuncts (const GormCondition *condition,
                   GPtrArray           *conjuncts)
{
  if (condition->op == GORM_CONDITION_AND)
    {
      collect_conjuncts (condition->children[0], conjuncts);
      collect_conjuncts (condition->children[1], conjuncts);
      return;
    }
  g_ptr_array_add (conjuncts, share_steps (condition));
}

static GormCondition *
and_of (GormCondition *a,
        GormCondition *b)
{
  return a == NULL ? b : gorm_condition_new_combination (GORM_CONDITION_AND, a, b);
}

/* The same condition, where the conditions of one AND chain on the same
 * relation share one step: one subquery, so that on a reverse or
 * many-to-many relation they all hold for the same related row, as in
 * one Django filter() call. Conditions under OR or NOT, and those of
 * other filters of the query, keep steps of their own. */
static GormCondition *
share_steps (const GormCondition *condition)
{
  g_autoptr(GPtrArray) conjuncts = NULL;
  GormCondition *shared = NULL;

  switch (condition->op)
    {
    case GORM_CONDITION_OR:
      return gorm_condition_new_combination (GORM_CONDITION_OR,
                                             share_steps (condition->children[0]),
                                             share_steps (condition->children[1]));
    case GORM_CONDITION_NOT:
      return gorm_condition_new_combination (GORM_CONDITION_NOT,
                                             share_steps (condition->children[0]), NULL);
    case GORM_CONDITION_RELATED:
      return gorm_condition_new_related (condition->step, share_steps (condition->children[0]));
    case GORM_CONDITION_AND:
      break;
    default:
      return gorm_condition_ref ((GormCondition *) condition);
    }

  /* Joined conjuncts leave NULL behind. */
  conjuncts = g_ptr_array_new_with_free_func (clear_condition);
  collect_conjuncts (condition, conjuncts);
  for (guint i = 0; i < conjuncts->len; i++)
    {
      GormCondition *conjunct = g_ptr_array_index (conjuncts, i);
      g_autoptr(GormCondition) child = NULL;
      GormCondition *merged;
      gboolean grouped = FALSE;

      if (conjunct == NULL)
        continue;
      if (conjunct->op != GORM_CONDITION_RELATED)
        {
          shared = and_of (shared, gorm_condition_ref (conjunct));
          continue;
        }

      /* The later conjuncts on the same relation join this one's step. */
      child = gorm_condition_ref (conjunct->children[0]);
      for (guint j = i + 1; j < conjuncts->len; j++)
        {
          GormCondition *other = g_ptr_array_index (conjuncts, j);

          if (other == NULL || other->op != GORM_CONDITION_RELATED ||
              !same_step (other->step, conjunct->step))
            continue;
          child = and_of (g_steal_pointer (&child), gorm_condition_ref (other->children[0]));
          g_ptr_array_index (conjuncts, j) = NULL;
          gorm_condition_unref (other);
          grouped = TRUE;
        }
      if (grouped)
        {
          g_autoptr(GormCondition) joined = g_steal_pointer (&child);

          /* The joined conditions share their next steps in turn. */
          child = share_steps (joined);
        }
      merged = gorm_condition_new_related (conjunct->step, g_steal_pointer (&child));
      shared = and_of (shared, merged);
    }

  return shared;
}

GormCondition *
gorm_filter_compile (GormFilter        *filter,
                     const GormSchema  *schema,
                     GError           **error)
{
  return gorm_filter_compile_full (filter, schema, GORM_EXPRESSION_COMPILE_NONE, error);
}

GormCondition *
gorm_filter_compile_full (GormFilter                  *filter,
                          const GormSchema            *schema,
                          GormExpressionCompileFlags   flags,
                          GError                     **error)
{
  g_autoptr(GormCondition) condition = NULL;

  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  condition = compile_node (filter, schema, flags, error);
  if (condition == NULL)
    return NULL;
  return share_steps (condition);
}

/* Row queries (gorm_query_select()): whether a filter is on their names. */
gboolean
gorm_filter_names_only (GormFilter *filter,
                        GHashTable *names)
{
  if (filter == NULL || filter->error != NULL)
    return FALSE;
  if (filter->property != NULL)
    return g_hash_table_contains (names, filter->property);
  if (filter->children[0] == NULL)
    return FALSE;
  return gorm_filter_names_only (filter->children[0], names) &&
         (filter->children[1] == NULL || gorm_filter_names_only (filter->children[1], names));
}
