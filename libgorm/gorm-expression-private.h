/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-dialect-expression-private.h"
#include "gorm-expression.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/*
 * Compiling a GormExpression against the schema of a queried type: its
 * property names resolved to columns and paths (as filters resolve
 * them, gorm_filter_resolve_path()), its types checked, the type of
 * every node computed and its constants converted to SQL values. The
 * result, a GormExprNode (gorm-dialect-expression-private.h), is what
 * gorm_dialect_append_expression() renders.
 *
 * A query (rows, aggregates) uses them this way:
 *
 *   node = gorm_expression_compile (expression, schema,
 *                                   GORM_EXPRESSION_COMPILE_AGGREGATES |
 *                                   GORM_EXPRESSION_COMPILE_MULTI_VALUED, error);
 *   gorm_expr_node_collect_paths (node, paths);  // LEFT JOIN each path's rows
 *   scope.path_qualifier = alias_of_joined_path;  // their aliases
 *   gorm_dialect_append_expression (dialect, sql, params, node, &scope);
 *
 * and reads each value back as node->sql_type, turned into the user's
 * type with gorm_expr_node_value_from_sql().
 */

typedef enum
{
  GORM_EXPRESSION_COMPILE_NONE         = 0,
  /* Aggregates are allowed (a select list, HAVING, the order of a
   * grouped query); without it an aggregate is GORM_ERROR_VALIDATION. */
  GORM_EXPRESSION_COMPILE_AGGREGATES   = 1 << 0,
  /* Paths through reverse and many-to-many relations are allowed: the
   * caller joins their rows or renders the expression inside a
   * subquery of them. Without it such a path is GORM_ERROR_VALIDATION. */
  GORM_EXPRESSION_COMPILE_MULTI_VALUED = 1 << 1,
} GormExpressionCompileFlags;

/* @expression checked against @schema: GORM_ERROR_UNKNOWN_PROPERTY,
 * GORM_ERROR_TYPE_MISMATCH or GORM_ERROR_VALIDATION naming the type, the
 * property and the value at fault, or the error of a constructor given
 * NULL. A constant on its own keeps its own type. */
GormExprNode *gorm_expression_compile          (GormExpression              *expression,
                                                const GormSchema            *schema,
                                                GormExpressionCompileFlags   flags,
                                                GError                     **error);
/* Two expressions compared with each other (gorm_filter_compare()): a
 * constant on one side is converted to the type of the other side.
 * Both compiled, or neither. */
gboolean      gorm_expression_compile_pair     (GormExpression              *a,
                                                GormExpression              *b,
                                                const GormSchema            *schema,
                                                GormExpressionCompileFlags   flags,
                                                GormExprNode               **compiled_a,
                                                GormExprNode               **compiled_b,
                                                GError                     **error);
/* The value of a constant (gorm_expression_value()) as it was given,
 * NULL for any other expression. */
const GValue *gorm_expression_peek_value       (GormExpression              *expression);

/* @expression as a new value of @column of @schema (an UPDATE's SET):
 * a constant converted to the column's type, a computed value checked to
 * fit it without loss (an integer in an integer or double column, a
 * double in a double column, a date-time in a date-time column, a
 * property of the same kind and type otherwise). */
GormExprNode *gorm_expression_compile_for_column (GormExpression            *expression,
                                                  const GormSchema          *schema,
                                                  const GormColumn          *column,
                                                  GError                   **error);

G_END_DECLS
