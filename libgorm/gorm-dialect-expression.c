/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gorm-dialect-expression-private.h"
#include "gorm-value-private.h"

/* Compiled expressions and their SQL: see gorm-dialect-expression-private.h. */

GormExprNode *
gorm_expr_node_new (GormExprOp op)
{
  GormExprNode *self = g_new0 (GormExprNode, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->op = op;
  return self;
}

GormExprNode *
gorm_expr_node_ref (GormExprNode *node)
{
  g_atomic_ref_count_inc (&node->ref_count);
  return node;
}

void
gorm_expr_node_unref (GormExprNode *node)
{
  if (!g_atomic_ref_count_dec (&node->ref_count))
    return;

  g_clear_pointer (&node->children[0], gorm_expr_node_unref);
  g_clear_pointer (&node->children[1], gorm_expr_node_unref);
  if (G_IS_VALUE (&node->value))
    g_value_unset (&node->value);
  g_clear_pointer (&node->pspec, g_param_spec_unref);
  g_free (node);
}

gboolean
gorm_expr_node_value_from_sql (const GormExprNode *node,
                               const GValue       *sql_value,
                               GValue             *value,
                               GError            **error)
{
  if (sql_value == NULL || gorm_value_is_sql_null (sql_value))
    return TRUE;
  return gorm_value_from_sql (node->kind, node->pspec, sql_value, value, error);
}

void
gorm_expr_node_collect_paths (const GormExprNode *node,
                              GPtrArray          *paths)
{
  if (node->op == GORM_EXPR_COLUMN)
    {
      if (node->path != NULL && !g_ptr_array_find (paths, node->path, NULL))
        g_ptr_array_add (paths, (gpointer) node->path);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (node->children); i++)
    if (node->children[i] != NULL)
      gorm_expr_node_collect_paths (node->children[i], paths);
}

static void
append_qualified (GString    *sql,
                  const char *qualifier,
                  const char *column)
{
  if (qualifier != NULL)
    {
      gorm_dialect_append_identifier (sql, qualifier);
      g_string_append_c (sql, '.');
    }
  gorm_dialect_append_identifier (sql, column);
}

static void
append_column (GString             *sql,
               const GormExprNode  *node,
               const GormExprScope *scope)
{
  const GormPath *path = node->path;
  const char *joined;

  /* Inside the subquery of related rows, the queried rows' own. */
  if (scope->skip_steps > 0 && (path == NULL || !path->multi_valued))
    {
      if (path == NULL)
        append_qualified (sql, scope->root, node->column->name);
      else
        gorm_dialect_append_path_value (sql, path->steps, path->n_steps, node->column,
                                        scope->root, scope->depth);
      return;
    }
  if (path == NULL)
    {
      append_qualified (sql, scope->qualifier, node->column->name);
      return;
    }

  joined = scope->path_qualifier ? scope->path_qualifier (path, scope->user_data) : NULL;
  if (joined != NULL)
    {
      append_qualified (sql, joined, node->column->name);
      return;
    }

  g_assert (scope->skip_steps <= path->n_steps);
  if (scope->skip_steps == path->n_steps)
    append_qualified (sql, scope->qualifier, node->column->name);
  else
    gorm_dialect_append_path_value (sql, path->steps + scope->skip_steps,
                                    path->n_steps - scope->skip_steps, node->column,
                                    scope->qualifier, scope->depth);
}

gboolean
gorm_expr_node_has_literals_only (const GormExprNode *node)
{
  if (node->op == GORM_EXPR_VALUE)
    {
      const GValue *value = &node->value;

      return gorm_value_is_sql_null (value) || G_VALUE_HOLDS_INT64 (value) ||
             (G_VALUE_HOLDS_DOUBLE (value) && isfinite (g_value_get_double (value))) ||
             (node->kind == GORM_VALUE_KIND_DATE_TIME && G_VALUE_HOLDS_STRING (value));
    }
  for (guint i = 0; i < G_N_ELEMENTS (node->children); i++)
    if (node->children[i] != NULL && !gorm_expr_node_has_literals_only (node->children[i]))
      return FALSE;
  return TRUE;
}

/* The literal of a constant gorm_expr_node_has_literals_only() accepts:
 * a number, or a date-time's text, which libgorm wrote (digits and
 * "-:.TZ" only). */
static void
append_literal (GString      *sql,
                const GValue *value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (G_VALUE_HOLDS_INT64 (value))
    g_string_append_printf (sql, "%" G_GINT64_FORMAT, g_value_get_int64 (value));
  else if (G_VALUE_HOLDS_DOUBLE (value))
    {
      /* A literal with a point or an exponent is a real on both engines. */
      const char *text = gorm_value_format_double (g_value_get_double (value), buffer);

      g_string_append (sql, text);
      if (strpbrk (text, ".eE") == NULL)
        g_string_append (sql, ".0");
    }
  else
    g_string_append_printf (sql, "'%s'", g_value_get_string (value));
}

static void
append_value (const GormDialect  *dialect,
              GString            *sql,
              GArray             *params,
              const GormExprNode *node)
{
  g_autoptr(GString) parameter = NULL;
  GValue copy = G_VALUE_INIT;
  const char *format;

  if (gorm_value_is_sql_null (&node->value))
    {
      g_string_append (sql, "NULL");
      return;
    }

  parameter = g_string_new (NULL);
  if (params == NULL)
    append_literal (parameter, &node->value);
  else
    {
      gorm_dialect_append_parameter (parameter, params->len, G_VALUE_TYPE (&node->value));
      g_value_init (&copy, G_VALUE_TYPE (&node->value));
      g_value_copy (&node->value, &copy);
      g_array_append_val (params, copy);
    }

  format = dialect->parameter_cast ? dialect->parameter_cast (node->kind) : NULL;
  if (format != NULL)
    g_string_append_printf (sql, format, parameter->str);
  else
    g_string_append (sql, parameter->str);
}

static const char * const arithmetic_operators[] = {
  [GORM_EXPR_ADD] = " + ",
  [GORM_EXPR_SUBTRACT] = " - ",
  [GORM_EXPR_MULTIPLY] = " * ",
  [GORM_EXPR_DIVIDE] = " / ",
};

static const char * const aggregate_functions[] = {
  [GORM_EXPR_COUNT] = "COUNT(",
  [GORM_EXPR_SUM] = "SUM(",
  [GORM_EXPR_AVG] = "AVG(",
  [GORM_EXPR_MIN] = "MIN(",
  [GORM_EXPR_MAX] = "MAX(",
};

static void
append_text_literal (GString    *sql,
                     const char *text)
{
  g_string_append_c (sql, '\'');
  for (const char *p = text; *p; p++)
    {
      if (*p == '\'')
        g_string_append_c (sql, '\'');
      g_string_append_c (sql, *p);
    }
  g_string_append_c (sql, '\'');
}

/* MIN or MAX of an enum stored by nick, by the enum's values: the nicks
 * mapped to their values, the extreme value mapped back to its nick.
 * (Added by branch rows, for row queries' min/max of an enum.) */
static void
append_enum_extreme (GString            *sql,
                     const GormExprNode *node,
                     const char         *operand)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (node->value_type);

  g_string_append (sql, "CASE ");
  g_string_append (sql, node->op == GORM_EXPR_MIN ? "MIN(" : "MAX(");
  gorm_dialect_append_enum_rank (sql, node->value_type, operand);
  g_string_append (sql, ")");
  for (guint i = 0; i < klass->n_values; i++)
    {
      g_string_append_printf (sql, " WHEN %d THEN ", klass->values[i].value);
      append_text_literal (sql, klass->values[i].value_nick);
    }
  g_string_append (sql, " END");
}

void
gorm_dialect_append_expression (const GormDialect   *dialect,
                                GString             *sql,
                                GArray              *params,
                                const GormExprNode  *node,
                                const GormExprScope *scope)
{
  switch (node->op)
    {
    case GORM_EXPR_COLUMN:
      append_column (sql, node, scope);
      break;

    case GORM_EXPR_VALUE:
      append_value (dialect, sql, params, node);
      break;

    case GORM_EXPR_ADD:
    case GORM_EXPR_SUBTRACT:
    case GORM_EXPR_MULTIPLY:
    case GORM_EXPR_DIVIDE:
      g_string_append_c (sql, '(');
      gorm_dialect_append_expression (dialect, sql, params, node->children[0], scope);
      g_string_append (sql, arithmetic_operators[node->op]);
      gorm_dialect_append_expression (dialect, sql, params, node->children[1], scope);
      g_string_append_c (sql, ')');
      break;

    case GORM_EXPR_DATE_PART:
      {
        g_autoptr(GString) operand = g_string_new (NULL);

        gorm_dialect_append_expression (dialect, operand, params, node->children[0], scope);
        dialect->append_date_part (sql, node->part, operand->str);
      }
      break;

    case GORM_EXPR_COUNT:
    case GORM_EXPR_SUM:
    case GORM_EXPR_AVG:
    case GORM_EXPR_MIN:
    case GORM_EXPR_MAX:
      if (node->kind == GORM_VALUE_KIND_ENUM)
        {
          g_autoptr(GString) operand = g_string_new (NULL);

          gorm_dialect_append_expression (dialect, operand, params, node->children[0], scope);
          append_enum_extreme (sql, node, operand->str);
          break;
        }
      {
        g_autoptr(GString) aggregate = g_string_new (aggregate_functions[node->op]);

        if (node->op == GORM_EXPR_COUNT && node->children[0] == NULL)
          g_string_append_c (aggregate, '*');
        else
          {
            if (node->distinct)
              g_string_append (aggregate, "DISTINCT ");
            gorm_dialect_append_expression (dialect, aggregate, params, node->children[0], scope);
          }
        g_string_append_c (aggregate, ')');

        /* The engine's type of an aggregate may not be the node's: AVG
         * of integers and SUM of bigints are numerics on PostgreSQL. */
        if (node->op == GORM_EXPR_AVG && dialect->double_cast != NULL)
          g_string_append_printf (sql, dialect->double_cast, aggregate->str);
        else if (node->op == GORM_EXPR_SUM && node->sql_type == G_TYPE_INT64 &&
                 dialect->integer_cast != NULL)
          g_string_append_printf (sql, dialect->integer_cast, aggregate->str);
        else
          g_string_append (sql, aggregate->str);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Enums */

void
gorm_dialect_append_enum_rank (GString    *sql,
                               GType       enum_type,
                               const char *operand)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);

  g_string_append_printf (sql, "(CASE %s", operand);
  for (guint i = 0; i < klass->n_values; i++)
    {
      /* A nick is the type's, not the user's: still, it is quoted. */
      g_string_append (sql, " WHEN ");
      append_text_literal (sql, klass->values[i].value_nick);
      g_string_append_printf (sql, " THEN %d", klass->values[i].value);
    }
  g_string_append (sql, " END)");
}

/* Appends @node, an enum, as its value (gorm_dialect_append_enum_rank()). */
static void
append_enum_rank (const GormDialect   *dialect,
                  GString             *sql,
                  GArray              *params,
                  const GormExprNode  *node,
                  const GormExprScope *scope)
{
  g_autoptr(GString) operand = g_string_new (NULL);

  gorm_dialect_append_expression (dialect, operand, params, node, scope);
  gorm_dialect_append_enum_rank (sql, node->value_type, operand->str);
}

/* Comparisons */

static const char * const comparison_operators[] = {
  [GORM_CONDITION_EQ] = " = ",
  [GORM_CONDITION_NE] = " <> ",
  [GORM_CONDITION_LT] = " < ",
  [GORM_CONDITION_LE] = " <= ",
  [GORM_CONDITION_GT] = " > ",
  [GORM_CONDITION_GE] = " >= ",
};

GormConditionOp
gorm_condition_op_flip (GormConditionOp op)
{
  switch (op)
    {
    case GORM_CONDITION_LT:
      return GORM_CONDITION_GT;
    case GORM_CONDITION_LE:
      return GORM_CONDITION_GE;
    case GORM_CONDITION_GT:
      return GORM_CONDITION_LT;
    case GORM_CONDITION_GE:
      return GORM_CONDITION_LE;
    default:
      return op;
    }
}

/* NOT (a op b) as a op' b, where neither is NULL. */
static GormConditionOp
complement (GormConditionOp op)
{
  switch (op)
    {
    case GORM_CONDITION_EQ:
      return GORM_CONDITION_NE;
    case GORM_CONDITION_NE:
      return GORM_CONDITION_EQ;
    case GORM_CONDITION_LT:
      return GORM_CONDITION_GE;
    case GORM_CONDITION_LE:
      return GORM_CONDITION_GT;
    case GORM_CONDITION_GT:
      return GORM_CONDITION_LE;
    case GORM_CONDITION_GE:
      return GORM_CONDITION_LT;
    default:
      g_assert_not_reached ();
    }
}

/* The first and the first after the instants whose @part (YEAR or DATE)
 * is the constant @value; FALSE where they are no GDateTime (the years
 * before 1 and after 9998, the last day of 9999). */
static gboolean
part_range (GormDatePart   part,
            const GValue  *value,
            GDateTime    **low,
            GDateTime    **high)
{
  if (part == GORM_DATE_PART_YEAR)
    {
      gint64 year = g_value_get_int64 (value);

      if (year < 1 || year > 9998)
        return FALSE;
      *low = g_date_time_new_utc ((gint) year, 1, 1, 0, 0, 0);
      *high = g_date_time_new_utc ((gint) year + 1, 1, 1, 0, 0, 0);
    }
  else
    {
      *low = gorm_value_parse_date_time (g_value_get_string (value));
      *high = *low ? g_date_time_add_days (*low, 1) : NULL;
    }
  if (*low != NULL && *high != NULL)
    return TRUE;
  g_clear_pointer (low, g_date_time_unref);
  g_clear_pointer (high, g_date_time_unref);
  return FALSE;
}

/* "column op bound", the bound a date-time constant. */
static void
append_bound (const GormDialect   *dialect,
              GString             *sql,
              GArray              *params,
              const GormExprNode  *column,
              const char          *op,
              GDateTime           *bound,
              const GormExprScope *scope)
{
  g_autoptr(GormExprNode) value = gorm_expr_node_new (GORM_EXPR_VALUE);

  value->kind = GORM_VALUE_KIND_DATE_TIME;
  g_value_init (&value->value, G_TYPE_STRING);
  g_value_take_string (&value->value, gorm_value_format_date_time (bound));
  gorm_dialect_append_expression (dialect, sql, params, column, scope);
  g_string_append (sql, op);
  append_value (dialect, sql, params, value);
}

/* A year or a day of a date-time column compared with a constant, as a
 * range on the column: what Django does, so that the column's index
 * serves it. Exact to the microsecond: both engines store date-times
 * to the microsecond (SQLite as fixed-width UTC text, whose order is
 * that of the instants), and the bounds are the first instant of the
 * range and the first after it. FALSE when it does not apply. */
static gboolean
append_range (const GormDialect   *dialect,
              GString             *sql,
              GArray              *params,
              GormConditionOp      op,
              const GormExprNode  *left,
              const GormExprNode  *right,
              gboolean             negated,
              const GormExprScope *scope)
{
  g_autoptr(GDateTime) low = NULL;
  g_autoptr(GDateTime) high = NULL;
  const GormExprNode *column;
  gboolean nullable;

  if (left->op != GORM_EXPR_DATE_PART || right->op != GORM_EXPR_VALUE ||
      (left->part != GORM_DATE_PART_YEAR && left->part != GORM_DATE_PART_DATE) ||
      left->children[0]->op != GORM_EXPR_COLUMN || gorm_value_is_sql_null (&right->value))
    return FALSE;
  if (!part_range (left->part, &right->value, &low, &high))
    return FALSE;

  column = left->children[0];
  nullable = column->nullable;
  /* The complement matches NULL, which none of the ranges does. */
  if (negated)
    op = complement (op);
  g_string_append_c (sql, '(');
  switch (op)
    {
    case GORM_CONDITION_EQ:
      append_bound (dialect, sql, params, column, " >= ", low, scope);
      g_string_append (sql, " AND ");
      append_bound (dialect, sql, params, column, " < ", high, scope);
      break;
    case GORM_CONDITION_NE:
      append_bound (dialect, sql, params, column, " < ", low, scope);
      g_string_append (sql, " OR ");
      append_bound (dialect, sql, params, column, " >= ", high, scope);
      break;
    case GORM_CONDITION_LT:
      append_bound (dialect, sql, params, column, " < ", low, scope);
      break;
    case GORM_CONDITION_LE:
      append_bound (dialect, sql, params, column, " < ", high, scope);
      break;
    case GORM_CONDITION_GT:
      append_bound (dialect, sql, params, column, " >= ", high, scope);
      break;
    case GORM_CONDITION_GE:
      append_bound (dialect, sql, params, column, " >= ", low, scope);
      break;
    default:
      g_assert_not_reached ();
    }
  if (negated && nullable)
    {
      g_string_append (sql, " OR ");
      gorm_dialect_append_expression (dialect, sql, params, column, scope);
      g_string_append (sql, " IS NULL");
    }
  g_string_append_c (sql, ')');
  return TRUE;
}

void
gorm_dialect_append_comparison (const GormDialect   *dialect,
                                GString             *sql,
                                GArray              *params,
                                GormConditionOp      comparison,
                                const GormExprNode  *left,
                                const GormExprNode  *right,
                                gboolean             negated,
                                const GormExprScope *scope)
{
  /* A constant goes right: 2024 < year is year > 2024. */
  if (left->op == GORM_EXPR_VALUE && right->op != GORM_EXPR_VALUE)
    {
      const GormExprNode *swap = left;

      left = right;
      right = swap;
      comparison = gorm_condition_op_flip (comparison);
    }

  if (append_range (dialect, sql, params, comparison, left, right, negated, scope))
    return;

  /* Where neither side can be NULL, the complement is a comparison. */
  if (negated && !left->nullable && !right->nullable)
    {
      comparison = complement (comparison);
      negated = FALSE;
    }
  if (negated)
    g_string_append (sql, "NOT COALESCE(");
  g_string_append_c (sql, '(');
  /* Enums order by the values of their type, not by their nicks. */
  if (left->kind == GORM_VALUE_KIND_ENUM && comparison != GORM_CONDITION_EQ &&
      comparison != GORM_CONDITION_NE)
    {
      append_enum_rank (dialect, sql, params, left, scope);
      g_string_append (sql, comparison_operators[comparison]);
      append_enum_rank (dialect, sql, params, right, scope);
    }
  else
    {
      gorm_dialect_append_expression (dialect, sql, params, left, scope);
      g_string_append (sql, comparison_operators[comparison]);
      gorm_dialect_append_expression (dialect, sql, params, right, scope);
    }
  g_string_append_c (sql, ')');
  if (negated)
    {
      g_string_append (sql, ", ");
      gorm_dialect_append_boolean (dialect, sql, FALSE);
      g_string_append_c (sql, ')');
    }
}
