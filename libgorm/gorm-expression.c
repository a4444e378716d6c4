/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-error.h"
#include "gorm-expression-private.h"
#include "gorm-filter-private.h"
#include "gorm-value-private.h"

struct _GormExpression
{
  gatomicrefcount  ref_count;
  GormExprOp       op;
  /* COLUMN: the property name or path, as given. */
  char            *property;
  /* VALUE: the value as given, GORM_TYPE_SQL_NULL for NULL. */
  GValue           value;
  GormDatePart     part;
  gboolean         distinct;
  GormExpression  *children[2];
  /* Set when the expression was built from arguments it cannot use (a
   * NULL property name or operand): it fails to compile with this
   * error, as a poisoned GormFilter does. */
  GError          *error;
};

G_DEFINE_BOXED_TYPE (GormExpression, gorm_expression, gorm_expression_ref, gorm_expression_unref)

static const char * const op_names[] = {
  [GORM_EXPR_COLUMN] = "property",
  [GORM_EXPR_VALUE] = "value",
  [GORM_EXPR_ADD] = "add",
  [GORM_EXPR_SUBTRACT] = "subtract",
  [GORM_EXPR_MULTIPLY] = "multiply",
  [GORM_EXPR_DIVIDE] = "divide",
  [GORM_EXPR_DATE_PART] = "date_part",
  [GORM_EXPR_COUNT] = "count",
  [GORM_EXPR_SUM] = "sum",
  [GORM_EXPR_AVG] = "avg",
  [GORM_EXPR_MIN] = "min",
  [GORM_EXPR_MAX] = "max",
};

static void
gorm_expression_free (GormExpression *self)
{
  g_clear_pointer (&self->children[0], gorm_expression_unref);
  g_clear_pointer (&self->children[1], gorm_expression_unref);
  if (G_IS_VALUE (&self->value))
    g_value_unset (&self->value);
  g_clear_error (&self->error);
  g_free (self->property);
  g_free (self);
}

/**
 * gorm_expression_ref:
 * @self: an expression
 *
 * Acquires a reference on @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_ref (GormExpression *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * gorm_expression_unref:
 * @self: (transfer full): an expression
 *
 * Releases a reference on @self, freeing it with the last one.
 *
 * Since: 1.0
 */
void
gorm_expression_unref (GormExpression *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    gorm_expression_free (self);
}

static GormExpression *
expression_new (GormExprOp op)
{
  GormExpression *self = g_new0 (GormExpression, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->op = op;
  return self;
}

/* An expression that fails to compile with the error of @format. */
static GormExpression * G_GNUC_PRINTF (3, 4)
poisoned_new (GormExprOp   op,
              GormError    code,
              const char  *format,
              ...)
{
  GormExpression *self = expression_new (op);
  va_list args;

  va_start (args, format);
  self->error = g_error_new_valist (GORM_ERROR, code, format, args);
  va_end (args);
  return self;
}

/**
 * gorm_expression_property:
 * @property: the name of a stored property, or a path of relations
 *   ending in one, as filters take them
 *
 * The value of @property in each row: a stored property of the queried
 * type (`"votes"`), or a property reached through relations
 * (`"question.pub_date"` from a choice, `"choice.votes"` from a
 * question, `"tags.name"` from a post). A bare relation name stands for
 * the key of the related rows: `"choice"` from a question is what
 * [ctor@Gorm.Expression.count] counts.
 *
 * The name is checked when a query uses the expression: an unknown one
 * is %GORM_ERROR_UNKNOWN_PROPERTY. A path through a reverse or
 * many-to-many relation has many values per row: it is accepted in
 * aggregates and in filters (where one of the related rows must match),
 * and is %GORM_ERROR_VALIDATION in orders and updates.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_property (const char *property)
{
  GormExpression *self;

  if (property == NULL)
    return poisoned_new (GORM_EXPR_COLUMN, GORM_ERROR_UNKNOWN_PROPERTY,
                         "gorm_expression_property() was given no property name (NULL)");

  self = expression_new (GORM_EXPR_COLUMN);
  self->property = g_strdup (property);
  return self;
}

/**
 * gorm_expression_value:
 * @value: (nullable): a value
 *
 * A constant. Where it meets a property (in arithmetic, in a comparison,
 * as the new value of a property) it is converted to the property's type
 * without loss, as filters convert their values: a `gint` 1 for a
 * `gint64` or `gdouble` property is fine, 1.5 for an integer property is
 * %GORM_ERROR_TYPE_MISMATCH. Elsewhere it keeps its own type. A %NULL
 * @value, or one holding %NULL, is SQL NULL.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_value (const GValue *value)
{
  GormExpression *self = expression_new (GORM_EXPR_VALUE);

  if (gorm_value_is_null (value))
    g_value_init (&self->value, GORM_TYPE_SQL_NULL);
  else
    {
      g_value_init (&self->value, G_VALUE_TYPE (value));
      g_value_copy (value, &self->value);
    }
  return self;
}

static GormExpression *
operation_new (GormExprOp      op,
               GormExpression *a,
               GormExpression *b,
               guint           n_operands)
{
  GormExpression *self;

  /* A missing operand poisons the expression, as it does a filter. */
  if (a == NULL || (n_operands == 2 && b == NULL))
    {
      const char *which = n_operands == 1 ? "its operand" : a == NULL ? "its first operand" : "its second operand";

      g_clear_pointer (&a, gorm_expression_unref);
      g_clear_pointer (&b, gorm_expression_unref);
      return poisoned_new (op, GORM_ERROR_FAILED,
                           "gorm_expression_%s() was given no expression (NULL) as %s",
                           op_names[op], which);
    }

  self = expression_new (op);
  self->children[0] = a;
  self->children[1] = b;
  return self;
}

/**
 * gorm_expression_add:
 * @a: (transfer full): a number expression
 * @b: (transfer full): another one
 *
 * @a + @b. Takes @a and @b. The operands must be numbers (integer or
 * floating-point properties, number constants): anything else is
 * %GORM_ERROR_TYPE_MISMATCH naming the property and its type. The sum is
 * a `gint64` when both are integers, a `gdouble` otherwise; NULL when
 * either is NULL.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_add (GormExpression *a,
                     GormExpression *b)
{
  return operation_new (GORM_EXPR_ADD, a, b, 2);
}

/**
 * gorm_expression_subtract:
 * @a: (transfer full): a number expression
 * @b: (transfer full): another one
 *
 * @a - @b, as [method@Gorm.Expression.add] does. Takes @a and @b.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_subtract (GormExpression *a,
                          GormExpression *b)
{
  return operation_new (GORM_EXPR_SUBTRACT, a, b, 2);
}

/**
 * gorm_expression_multiply:
 * @a: (transfer full): a number expression
 * @b: (transfer full): another one
 *
 * @a × @b, as [method@Gorm.Expression.add] does. Takes @a and @b.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_multiply (GormExpression *a,
                          GormExpression *b)
{
  return operation_new (GORM_EXPR_MULTIPLY, a, b, 2);
}

/**
 * gorm_expression_divide:
 * @a: (transfer full): a number expression
 * @b: (transfer full): another one
 *
 * @a ÷ @b, as [method@Gorm.Expression.add] does. Takes @a and @b. Two
 * integers divide as integers, the quotient truncated toward zero (7 / 2
 * is 3, -7 / 2 is -3), as both engines do; with a floating-point operand
 * the quotient is a `gdouble`.
 *
 * A division by zero is NULL on SQLite and fails the statement on
 * PostgreSQL (%GORM_ERROR_FAILED, nothing written).
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_divide (GormExpression *a,
                        GormExpression *b)
{
  return operation_new (GORM_EXPR_DIVIDE, a, b, 2);
}

/**
 * gorm_expression_date_part:
 * @datetime: (transfer full): a `GDateTime` expression
 * @part: the part to read
 *
 * A part of @datetime, read in UTC: Django reads them in the current
 * time zone, libgorm in UTC always, so that a query means the same on
 * every machine. Takes @datetime. Each part but
 * %GORM_DATE_PART_DATE is a `gint64`; %GORM_DATE_PART_WEEK_DAY counts
 * as Django does, from 1 (Sunday) to 7 (Saturday).
 * %GORM_DATE_PART_DATE is the `GDateTime` of 00:00 UTC that day: a
 * comparison with a `GDateTime` compares the UTC day of that date-time.
 *
 * A year or a day compared with a constant is a range on the date-time
 * itself (as Django does), which an index on the property serves; the
 * other parts use the engine's date functions.
 *
 * An operand that is not a date-time is %GORM_ERROR_TYPE_MISMATCH.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_date_part (GormExpression *datetime,
                           GormDatePart    part)
{
  GormExpression *self;

  if (datetime != NULL && (guint) part > GORM_DATE_PART_DATE)
    {
      g_clear_pointer (&datetime, gorm_expression_unref);
      return poisoned_new (GORM_EXPR_DATE_PART, GORM_ERROR_VALIDATION,
                           "gorm_expression_date_part() was given no date part (%d)", (int) part);
    }
  self = operation_new (GORM_EXPR_DATE_PART, datetime, NULL, 1);
  self->part = part;
  return self;
}

/**
 * gorm_expression_count: (constructor)
 * @expression: (transfer full) (nullable): what to count, or %NULL to
 *   count rows
 * @distinct: whether to count the distinct values of @expression
 *
 * How many rows there are (`COUNT(*)`) with a %NULL @expression; else
 * how many rows have a non-NULL @expression, or with @distinct how many
 * distinct non-NULL values it has. A `gint64`, 0 over no rows. Takes
 * @expression.
 *
 * `gorm_expression_count (gorm_expression_property ("choice"), FALSE)`
 * counts the choices of each question. (Bindings see it as a
 * constructor, `Gorm.Expression.count (None, False)`, so that it can
 * count rows.)
 *
 * Aggregates belong in selects, annotations, aggregate() and in the
 * filters and orders of grouped queries: elsewhere (a filter or order of
 * a query without them, an update) they are %GORM_ERROR_VALIDATION.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_count (GormExpression *expression,
                       gboolean        distinct)
{
  GormExpression *self = expression_new (GORM_EXPR_COUNT);

  self->children[0] = expression;
  self->distinct = distinct && expression != NULL;
  return self;
}

/**
 * gorm_expression_sum:
 * @expression: (transfer full): a number expression
 *
 * The sum of the non-NULL values of @expression: a `gint64` for
 * integers, a `gdouble` otherwise, NULL over no rows (as SQL and Django
 * give). Takes @expression. See [ctor@Gorm.Expression.count] for where
 * aggregates belong; a non-number is %GORM_ERROR_TYPE_MISMATCH.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_sum (GormExpression *expression)
{
  return operation_new (GORM_EXPR_SUM, expression, NULL, 1);
}

/**
 * gorm_expression_avg:
 * @expression: (transfer full): a number expression
 *
 * The mean of the non-NULL values of @expression, a `gdouble`, NULL over
 * no rows. Takes @expression. See [method@Gorm.Expression.sum].
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_avg (GormExpression *expression)
{
  return operation_new (GORM_EXPR_AVG, expression, NULL, 1);
}

/**
 * gorm_expression_min:
 * @expression: (transfer full): an expression
 *
 * The least non-NULL value of @expression, of its type, NULL over no
 * rows. Takes @expression. Numbers, strings (by their bytes), date-times,
 * flags and enums (by the values their type declares) have a least
 * value; booleans, byte arrays and string arrays are
 * %GORM_ERROR_TYPE_MISMATCH. See
 * [ctor@Gorm.Expression.count] for where aggregates belong.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_min (GormExpression *expression)
{
  return operation_new (GORM_EXPR_MIN, expression, NULL, 1);
}

/**
 * gorm_expression_max:
 * @expression: (transfer full): an expression
 *
 * The greatest non-NULL value of @expression, as
 * [method@Gorm.Expression.min] does. Takes @expression.
 *
 * Returns: (transfer full): a new expression
 *
 * Since: 1.0
 */
GormExpression *
gorm_expression_max (GormExpression *expression)
{
  return operation_new (GORM_EXPR_MAX, expression, NULL, 1);
}

const GValue *
gorm_expression_peek_value (GormExpression *expression)
{
  if (expression->op != GORM_EXPR_VALUE || expression->error != NULL)
    return NULL;
  return &expression->value;
}

/* Compiling */

/* The pspecs of computed values, which turn their SQL values into the
 * user's ones (gorm_value_from_sql()) and convert constants to them. */
static GParamSpec *
result_pspec (GType type)
{
  static GParamSpec *int64_pspec, *double_pspec, *date_time_pspec, *string_pspec, *bytes_pspec;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      int64_pspec = g_param_spec_ref_sink (g_param_spec_int64 ("gint64", NULL, NULL, G_MININT64,
                                                               G_MAXINT64, 0, G_PARAM_READWRITE));
      double_pspec = g_param_spec_ref_sink (g_param_spec_double ("gdouble", NULL, NULL, -G_MAXDOUBLE,
                                                                 G_MAXDOUBLE, 0, G_PARAM_READWRITE));
      date_time_pspec = g_param_spec_ref_sink (g_param_spec_boxed ("GDateTime", NULL, NULL,
                                                                   G_TYPE_DATE_TIME, G_PARAM_READWRITE));
      string_pspec = g_param_spec_ref_sink (g_param_spec_string ("gchararray", NULL, NULL, NULL,
                                                                 G_PARAM_READWRITE));
      bytes_pspec = g_param_spec_ref_sink (g_param_spec_boxed ("GBytes", NULL, NULL, G_TYPE_BYTES,
                                                               G_PARAM_READWRITE));
      g_once_init_leave (&initialized, 1);
    }

  if (type == G_TYPE_INT64)
    return int64_pspec;
  if (type == G_TYPE_DOUBLE)
    return double_pspec;
  if (type == G_TYPE_DATE_TIME)
    return date_time_pspec;
  if (type == G_TYPE_BYTES)
    return bytes_pspec;
  g_assert (type == G_TYPE_STRING);
  return string_pspec;
}

/* Gives @node the type of a computed value of @type. */
static void
set_result_type (GormExprNode *node,
                 GType         type)
{
  GParamSpec *pspec = result_pspec (type);

  g_clear_pointer (&node->pspec, g_param_spec_unref);
  node->pspec = g_param_spec_ref (pspec);
  node->value_type = type;
  gorm_value_kind_for_type (type, &node->kind);
  node->sql_type = gorm_value_kind_get_sql_type (node->kind);
}

/* Gives @node the type of @other's values. */
static void
set_type_of (GormExprNode       *node,
             const GormExprNode *other)
{
  g_clear_pointer (&node->pspec, g_param_spec_unref);
  node->pspec = g_param_spec_ref (other->pspec);
  node->value_type = other->value_type;
  node->kind = other->kind;
  node->sql_type = other->sql_type;
}

typedef struct
{
  const GormSchema           *schema;
  GormExpressionCompileFlags  flags;
} Compiler;

static gboolean
kind_is_number (GormValueKind kind)
{
  return kind == GORM_VALUE_KIND_INT || kind == GORM_VALUE_KIND_UINT || kind == GORM_VALUE_KIND_DOUBLE;
}

/* "Post:title, a gchararray property" or "the constant “abc”, a
 * gchararray" or "the result of add, a gdouble", for messages. */
static char *
describe_operand (const Compiler       *compiler,
                  const GormExpression *expression,
                  const GormExprNode   *node)
{
  g_autofree char *shown = NULL;

  switch (expression->op)
    {
    case GORM_EXPR_COLUMN:
      return g_strdup_printf ("%s:%s, a %s property", compiler->schema->type_name,
                              expression->property, g_type_name (node->value_type));
    case GORM_EXPR_VALUE:
      shown = gorm_value_describe (&expression->value);
      return g_strdup_printf ("the value %s", shown);
    default:
      return g_strdup_printf ("the result of %s, a %s", op_names[expression->op],
                              g_type_name (node->value_type));
    }
}

static GormExprNode *compile_node (const Compiler      *compiler,
                                   GormExpression      *expression,
                                   const GormExprNode  *hint,
                                   gboolean             in_aggregate,
                                   GError             **error);

static GormExprNode *
compile_column (const Compiler  *compiler,
                GormExpression  *expression,
                GError         **error)
{
  g_autoptr(GormExprNode) node = NULL;
  const GormPath *path = NULL;
  const GormColumn *column;

  column = gorm_filter_resolve_path (compiler->schema, expression->property, &path, error);
  if (column == NULL)
    return NULL;
  if (path != NULL && path->multi_valued &&
      !(compiler->flags & GORM_EXPRESSION_COMPILE_MULTI_VALUED))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot use %s:%s here: it goes through a reverse or many-to-many "
                   "relation, so a %s has many of them; only aggregates and filters take such "
                   "a path", compiler->schema->type_name, expression->property,
                   compiler->schema->type_name);
      return NULL;
    }

  node = gorm_expr_node_new (GORM_EXPR_COLUMN);
  node->column = column;
  node->path = path;
  node->kind = column->kind;
  node->pspec = g_param_spec_ref (column->pspec);
  node->value_type = G_PARAM_SPEC_VALUE_TYPE (column->pspec);
  node->sql_type = gorm_value_kind_get_sql_type (column->kind);
  node->nullable = gorm_column_is_nullable (column);
  if (path != NULL)
    {
      node->has_multi_valued = path->multi_valued;
      node->nullable |= path->multi_valued;
      for (guint i = 0; i < path->n_steps; i++)
        if (path->steps[i].relation->kind == GORM_RELATION_FORWARD &&
            gorm_column_is_nullable (path->steps[i].relation->column))
          node->nullable = TRUE;
    }
  return g_steal_pointer (&node);
}

/* A GDateTime moved to 00:00 UTC of its UTC day. */
static GDateTime *
utc_day (GDateTime *date_time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (date_time);
  gint year, month, day;

  g_date_time_get_ymd (utc, &year, &month, &day);
  return g_date_time_new_utc (year, month, day, 0, 0, 0);
}

static GormExprNode *
compile_value (const Compiler      *compiler,
               GormExpression      *expression,
               const GormExprNode  *hint,
               GError             **error)
{
  g_autoptr(GormExprNode) node = gorm_expr_node_new (GORM_EXPR_VALUE);
  g_auto(GValue) converted = G_VALUE_INIT;

  if (gorm_value_is_sql_null (&expression->value))
    {
      g_value_init (&node->value, GORM_TYPE_SQL_NULL);
      node->nullable = TRUE;
      if (hint != NULL)
        set_type_of (node, hint);
      else
        set_result_type (node, G_TYPE_STRING);
      return g_steal_pointer (&node);
    }

  if (hint == NULL)
    {
      GormValueKind kind;

      /* Kept as it is: its SQL value, typed as a computed value. */
      if (!gorm_value_from_user (&expression->value, &node->value, error))
        return NULL;
      if (G_VALUE_HOLDS (&expression->value, G_TYPE_DATE_TIME))
        set_result_type (node, G_TYPE_DATE_TIME);
      else if (gorm_value_kind_for_type (G_VALUE_TYPE (&expression->value), &kind) &&
               kind == GORM_VALUE_KIND_DOUBLE)
        set_result_type (node, G_TYPE_DOUBLE);
      else
        set_result_type (node, G_VALUE_TYPE (&node->value));
      return g_steal_pointer (&node);
    }

  /* Converted to the type of the other operand. */
  set_type_of (node, hint);
  if (!gorm_value_coerce_for_comparison (hint->kind, hint->pspec, &expression->value,
                                         &converted, hint->op == GORM_EXPR_COLUMN ? error : NULL))
    {
      g_autofree char *shown = NULL;

      if (hint->op == GORM_EXPR_COLUMN)
        return NULL;
      /* The pspec of a computed value names no property. */
      shown = gorm_value_describe (&expression->value);
      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot use the value %s with the result of %s on %s, a %s: it does not "
                   "convert without loss", shown, op_names[hint->op], compiler->schema->type_name,
                   g_type_name (hint->value_type));
      return NULL;
    }
  /* A date-time compared with a day is that date-time's UTC day. */
  if (hint->op == GORM_EXPR_DATE_PART && hint->part == GORM_DATE_PART_DATE)
    g_value_take_boxed (&converted, utc_day (g_value_get_boxed (&converted)));
  if (!gorm_value_to_sql (hint->kind, hint->pspec, &converted, &node->value, error))
    return NULL;
  return g_steal_pointer (&node);
}

static gboolean check_number (const Compiler      *compiler,
                              GormExpression      *parent,
                              GormExpression      *operand,
                              const GormExprNode  *node,
                              GError             **error);

/* Compiles the operands @a and @b of @parent (NULL: of a comparison), a
 * constant one to the type of the other; the operands of arithmetic are
 * checked to be numbers before a constant is converted. */
static gboolean
compile_operands (const Compiler  *compiler,
                  GormExpression  *parent,
                  GormExpression  *a,
                  GormExpression  *b,
                  gboolean         in_aggregate,
                  GormExprNode   **compiled_a,
                  GormExprNode   **compiled_b,
                  GError         **error)
{
  g_autoptr(GormExprNode) first = NULL;
  g_autoptr(GormExprNode) second = NULL;

  if (a->op == GORM_EXPR_VALUE && b->op != GORM_EXPR_VALUE)
    {
      second = compile_node (compiler, b, NULL, in_aggregate, error);
      if (second == NULL)
        return FALSE;
      if (parent != NULL && !check_number (compiler, parent, b, second, error))
        return FALSE;
      first = compile_node (compiler, a, second, in_aggregate, error);
    }
  else
    {
      first = compile_node (compiler, a, NULL, in_aggregate, error);
      if (first == NULL)
        return FALSE;
      if (parent != NULL && !check_number (compiler, parent, a, first, error))
        return FALSE;
      /* Two constants keep their own types. */
      second = compile_node (compiler, b,
                             b->op == GORM_EXPR_VALUE && a->op != GORM_EXPR_VALUE ? first : NULL,
                             in_aggregate, error);
    }
  if (first == NULL || second == NULL)
    return FALSE;

  *compiled_a = g_steal_pointer (&first);
  *compiled_b = g_steal_pointer (&second);
  return TRUE;
}

static gboolean
check_number (const Compiler      *compiler,
              GormExpression      *parent,
              GormExpression      *operand,
              const GormExprNode  *node,
              GError             **error)
{
  g_autofree char *described = NULL;

  if (kind_is_number (node->kind) || gorm_value_is_sql_null (&node->value))
    return TRUE;

  described = describe_operand (compiler, operand, node);
  g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
               "Cannot %s %s: %s takes numbers only",
               op_names[parent->op], described, op_names[parent->op]);
  return FALSE;
}

static void
inherit_flags (GormExprNode       *node,
               const GormExprNode *child)
{
  if (child == NULL)
    return;
  node->nullable |= child->nullable;
  node->has_aggregate |= child->has_aggregate;
  node->has_multi_valued |= child->has_multi_valued;
}

static GormExprNode *
compile_arithmetic (const Compiler  *compiler,
                    GormExpression  *expression,
                    gboolean         in_aggregate,
                    GError         **error)
{
  g_autoptr(GormExprNode) node = gorm_expr_node_new (expression->op);
  gboolean integers;

  if (!compile_operands (compiler, expression, expression->children[0], expression->children[1], in_aggregate,
                         &node->children[0], &node->children[1], error))
    return NULL;
  for (guint i = 0; i < 2; i++)
    {
      if (!check_number (compiler, expression, expression->children[i], node->children[i], error))
        return NULL;
      inherit_flags (node, node->children[i]);
    }

  integers = node->children[0]->kind != GORM_VALUE_KIND_DOUBLE &&
             node->children[1]->kind != GORM_VALUE_KIND_DOUBLE;
  set_result_type (node, integers ? G_TYPE_INT64 : G_TYPE_DOUBLE);
  /* SQLite's division by zero is NULL. */
  if (expression->op == GORM_EXPR_DIVIDE)
    node->nullable = TRUE;
  return g_steal_pointer (&node);
}

static GormExprNode *
compile_date_part (const Compiler  *compiler,
                   GormExpression  *expression,
                   gboolean         in_aggregate,
                   GError         **error)
{
  g_autoptr(GormExprNode) node = gorm_expr_node_new (GORM_EXPR_DATE_PART);
  GormExprNode *operand;

  node->part = expression->part;
  node->children[0] = compile_node (compiler, expression->children[0], NULL, in_aggregate, error);
  operand = node->children[0];
  if (operand == NULL)
    return NULL;
  if (operand->kind != GORM_VALUE_KIND_DATE_TIME)
    {
      g_autofree char *described = describe_operand (compiler, expression->children[0], operand);

      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot read a date part of %s: date_part takes date-times only", described);
      return NULL;
    }
  inherit_flags (node, operand);
  set_result_type (node, expression->part == GORM_DATE_PART_DATE ? G_TYPE_DATE_TIME : G_TYPE_INT64);
  return g_steal_pointer (&node);
}

static GormExprNode *
compile_aggregate (const Compiler  *compiler,
                   GormExpression  *expression,
                   gboolean         in_aggregate,
                   GError         **error)
{
  g_autoptr(GormExprNode) node = gorm_expr_node_new (expression->op);
  GormExprNode *operand = NULL;

  if (!(compiler->flags & GORM_EXPRESSION_COMPILE_AGGREGATES))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot use the aggregate %s here, on %s: aggregates belong in selects, "
                   "annotations, aggregate() and the filters and orders of grouped queries",
                   op_names[expression->op], compiler->schema->type_name);
      return NULL;
    }
  if (in_aggregate)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot use the aggregate %s inside another aggregate, on %s",
                   op_names[expression->op], compiler->schema->type_name);
      return NULL;
    }

  node->distinct = expression->distinct;
  if (expression->children[0] != NULL)
    {
      node->children[0] = compile_node (compiler, expression->children[0], NULL, TRUE, error);
      operand = node->children[0];
      if (operand == NULL)
        return NULL;
      inherit_flags (node, operand);
    }
  node->has_aggregate = TRUE;

  switch (expression->op)
    {
    case GORM_EXPR_COUNT:
      set_result_type (node, G_TYPE_INT64);
      /* 0 over no rows, never NULL. */
      node->nullable = FALSE;
      return g_steal_pointer (&node);

    case GORM_EXPR_SUM:
    case GORM_EXPR_AVG:
      if (!check_number (compiler, expression, expression->children[0], operand, error))
        return NULL;
      set_result_type (node, expression->op == GORM_EXPR_SUM && operand->kind != GORM_VALUE_KIND_DOUBLE
                             ? G_TYPE_INT64 : G_TYPE_DOUBLE);
      break;

    case GORM_EXPR_MIN:
    case GORM_EXPR_MAX:
      /* An enum's extremes go by its values (the dialect maps its nicks,
       * see append_enum_extreme()). */
      if (operand->kind == GORM_VALUE_KIND_BOOLEAN ||
          operand->kind == GORM_VALUE_KIND_BYTES || operand->kind == GORM_VALUE_KIND_STRV)
        {
          g_autofree char *described = describe_operand (compiler, expression->children[0], operand);

          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "Cannot take the %s of %s: %s takes numbers, strings, date-times, enums and flags",
                       op_names[expression->op], described, op_names[expression->op]);
          return NULL;
        }
      set_type_of (node, operand);
      break;

    default:
      g_assert_not_reached ();
    }

  /* NULL over no rows. */
  node->nullable = TRUE;
  return g_steal_pointer (&node);
}

static GormExprNode *
compile_node (const Compiler      *compiler,
              GormExpression      *expression,
              const GormExprNode  *hint,
              gboolean             in_aggregate,
              GError             **error)
{
  if (expression->error != NULL)
    {
      g_set_error (error, GORM_ERROR, expression->error->code, "Cannot compute on %s: %s",
                   compiler->schema->type_name, expression->error->message);
      return NULL;
    }

  switch (expression->op)
    {
    case GORM_EXPR_COLUMN:
      return compile_column (compiler, expression, error);
    case GORM_EXPR_VALUE:
      return compile_value (compiler, expression, hint, error);
    case GORM_EXPR_ADD:
    case GORM_EXPR_SUBTRACT:
    case GORM_EXPR_MULTIPLY:
    case GORM_EXPR_DIVIDE:
      return compile_arithmetic (compiler, expression, in_aggregate, error);
    case GORM_EXPR_DATE_PART:
      return compile_date_part (compiler, expression, in_aggregate, error);
    case GORM_EXPR_COUNT:
    case GORM_EXPR_SUM:
    case GORM_EXPR_AVG:
    case GORM_EXPR_MIN:
    case GORM_EXPR_MAX:
      return compile_aggregate (compiler, expression, in_aggregate, error);
    default:
      g_assert_not_reached ();
    }
}

GormExprNode *
gorm_expression_compile (GormExpression              *expression,
                         const GormSchema            *schema,
                         GormExpressionCompileFlags   flags,
                         GError                     **error)
{
  Compiler compiler = { schema, flags };

  g_return_val_if_fail (expression != NULL, NULL);
  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return compile_node (&compiler, expression, NULL, FALSE, error);
}

gboolean
gorm_expression_compile_pair (GormExpression              *a,
                              GormExpression              *b,
                              const GormSchema            *schema,
                              GormExpressionCompileFlags   flags,
                              GormExprNode               **compiled_a,
                              GormExprNode               **compiled_b,
                              GError                     **error)
{
  Compiler compiler = { schema, flags };

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return compile_operands (&compiler, NULL, a, b, FALSE, compiled_a, compiled_b, error);
}

/* Whether a value of @node is a value of @column without loss. */
static gboolean
fits_column (const GormExprNode *node,
             const GormColumn   *column)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (column->pspec);

  if (node->op == GORM_EXPR_VALUE)
    return TRUE;
  if (node->op == GORM_EXPR_COLUMN || node->op == GORM_EXPR_MIN || node->op == GORM_EXPR_MAX)
    {
      /* A property of the same type, or an integer in a wider one. */
      if (node->value_type == type)
        return TRUE;
    }
  switch (column->kind)
    {
    case GORM_VALUE_KIND_INT:
    case GORM_VALUE_KIND_UINT:
      return node->kind == GORM_VALUE_KIND_INT || node->kind == GORM_VALUE_KIND_UINT;
    case GORM_VALUE_KIND_DOUBLE:
      return kind_is_number (node->kind);
    case GORM_VALUE_KIND_DATE_TIME:
      return node->kind == GORM_VALUE_KIND_DATE_TIME;
    case GORM_VALUE_KIND_STRING:
      return node->kind == GORM_VALUE_KIND_STRING && node->op != GORM_EXPR_VALUE;
    default:
      return FALSE;
    }
}

GormExprNode *
gorm_expression_compile_for_column (GormExpression    *expression,
                                    const GormSchema  *schema,
                                    const GormColumn  *column,
                                    GError           **error)
{
  Compiler compiler = { schema, GORM_EXPRESSION_COMPILE_NONE };
  g_autoptr(GormExprNode) target = NULL;
  g_autoptr(GormExprNode) node = NULL;

  g_return_val_if_fail (expression != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The column itself is the other operand of its new value. */
  target = gorm_expr_node_new (GORM_EXPR_COLUMN);
  target->column = column;
  target->kind = column->kind;
  target->pspec = g_param_spec_ref (column->pspec);
  target->value_type = G_PARAM_SPEC_VALUE_TYPE (column->pspec);
  target->sql_type = gorm_value_kind_get_sql_type (column->kind);

  node = compile_node (&compiler, expression, expression->op == GORM_EXPR_VALUE ? target : NULL,
                       FALSE, error);
  if (node == NULL)
    return NULL;
  if (!fits_column (node, column))
    {
      g_autofree char *described = describe_operand (&compiler, expression, node);

      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot set %s:%s, a %s property, to %s: it does not convert without loss",
                   schema->type_name, column->pspec->name,
                   g_type_name (G_PARAM_SPEC_VALUE_TYPE (column->pspec)), described);
      return NULL;
    }
  if (node->nullable && !gorm_column_is_nullable (column) && node->op == GORM_EXPR_VALUE)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot set %s:%s to NULL: the property is not nullable",
                   schema->type_name, column->pspec->name);
      return NULL;
    }
  return g_steal_pointer (&node);
}
