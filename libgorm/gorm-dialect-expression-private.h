/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-dialect-private.h"
#include "gorm-expression.h"

G_BEGIN_DECLS

/*
 * Compiled expressions: a GormExpression checked against the schema of a
 * queried type (gorm_expression_compile(), in gorm-expression-private.h),
 * as the dialect renders it. Like a GormCondition it is immutable once
 * built and reference counted, and its columns and paths live as long as
 * the process, so that queries and the models they make share it.
 *
 * Every node knows what its values are, in two forms:
 *
 *  - sql_type, the SQL value type it is bound as and read back as (the
 *    `col_types` of a select: gint64, gdouble, gchararray or GBytes);
 *  - kind and pspec, which turn such an SQL value into the value the
 *    user sees with gorm_value_from_sql() (see
 *    gorm_expr_node_value_from_sql()): for a property its own column's
 *    kind and pspec (an enum, a GDateTime, a gint…), for a computed
 *    value a pspec of value_type that libgorm owns (gint64, gdouble, or
 *    GDateTime for GORM_DATE_PART_DATE).
 *
 * value_type is G_PARAM_SPEC_VALUE_TYPE (pspec): the GType of the
 * results (a row's column type).
 *
 * ## Paths
 *
 * A COLUMN node of a path ("question.pub_date", "choice.votes") holds
 * the interned GormPath (gorm_filter_resolve_path()); its column is
 * path->column, a column of the last step's target. How it is rendered
 * depends on the GormExprScope given to gorm_dialect_append_expression():
 *
 *  - with a path_qualifier callback returning non-NULL for the path, the
 *    column is that qualifier's column: the FROM built by the caller
 *    joined the path's last target under that name (LEFT JOINs for a
 *    GROUP BY over "choice", one per distinct path, see
 *    gorm_expr_node_collect_paths());
 *  - otherwise the first scope->skip_steps steps are the rows the
 *    scope's qualifier names (a condition inside the subquery of a
 *    reverse relation), and the remaining steps must all be forward:
 *    they are rendered as correlated scalar subqueries (one value per
 *    row, NULL where a key is NULL), as related orders are. With
 *    skip_steps, a column of the queried type itself, or at the end of
 *    forward steps only, starts from scope->root instead.
 *
 * A multi-valued path (a reverse or many-to-many step) is only accepted
 * by gorm_expression_compile() with GORM_EXPRESSION_COMPILE_MULTI_VALUED:
 * the caller then either joins it (rows, aggregates) or wraps the
 * condition into RELATED steps and sets skip_steps (filters).
 *
 * ## Aggregates
 *
 * COUNT, SUM, AVG, MIN and MAX nodes render as the SQL aggregate of
 * their child (COUNT(*) without a child, COUNT(DISTINCT x) with
 * distinct). has_aggregate is set on every node above one: such an
 * expression belongs in a select list, a HAVING or the ORDER BY of a
 * grouped query; the non-aggregate expressions of the same select list
 * are its GROUP BY (render them again there, or by position).
 */

typedef enum
{
  GORM_EXPR_COLUMN,
  GORM_EXPR_VALUE,
  GORM_EXPR_ADD,
  GORM_EXPR_SUBTRACT,
  GORM_EXPR_MULTIPLY,
  GORM_EXPR_DIVIDE,
  GORM_EXPR_DATE_PART,
  GORM_EXPR_COUNT,
  GORM_EXPR_SUM,
  GORM_EXPR_AVG,
  GORM_EXPR_MIN,
  GORM_EXPR_MAX,
} GormExprOp;

struct _GormExprNode
{
  gatomicrefcount   ref_count;
  GormExprOp        op;

  /* What its values are (see above). */
  GType             sql_type;
  GormValueKind     kind;
  GParamSpec       *pspec;
  GType             value_type;
  /* Whether it can be NULL: a nullable column, a path with a nullable
   * key or a multi-valued step, a NULL constant, an aggregate other than
   * COUNT (NULL over no rows), a division (by zero on SQLite), or a node
   * above one of those. */
  gboolean          nullable;
  /* Whether an aggregate is at or under this node. */
  gboolean          has_aggregate;
  /* Whether a COLUMN at or under this node has a multi-valued path. */
  gboolean          has_multi_valued;

  /* COLUMN: the column, and its path (NULL for a column of the queried
   * type itself). */
  const GormColumn *column;
  const GormPath   *path;

  /* VALUE: the SQL value, GORM_TYPE_SQL_NULL for NULL. */
  GValue            value;

  /* DATE_PART */
  GormDatePart      part;
  /* COUNT */
  gboolean          distinct;

  /* Arithmetic has two, DATE_PART and the aggregates one (COUNT(*) none). */
  GormExprNode     *children[2];
};

GormExprNode *gorm_expr_node_new     (GormExprOp      op);
GormExprNode *gorm_expr_node_ref     (GormExprNode   *node);
void          gorm_expr_node_unref   (GormExprNode   *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormExprNode, gorm_expr_node_unref)

/* The value of the user's type (value_type) of @sql_value, a value of
 * @node read from the database (a GORM_TYPE_SQL_NULL or libgda NULL
 * gives an unset @value and TRUE: check gorm_value_is_sql_null() first
 * where NULL matters). */
gboolean      gorm_expr_node_value_from_sql (const GormExprNode *node,
                                             const GValue       *sql_value,
                                             GValue             *value,
                                             GError            **error);

/* Appends to @paths (of const GormPath *, each once) the paths of the
 * COLUMN nodes of @node, in the order they are rendered: what a FROM
 * must join when it gives a path_qualifier. */
void          gorm_expr_node_collect_paths  (const GormExprNode *node,
                                             GPtrArray          *paths);

/* Whether every constant of @node can be written as a literal: a finite
 * number, a date-time or NULL. */
gboolean      gorm_expr_node_has_literals_only (const GormExprNode *node);

/* Where an expression is rendered. */
typedef struct
{
  /* The name the rows of the queried type have where the expression is
   * rendered: a table alias, or NULL to name their columns unqualified
   * (the innermost FROM's) and correlated subqueries by the table's
   * own name. */
  const char  *qualifier;
  /* The first @skip_steps steps of every path lead to the rows
   * @qualifier names (every path of the expression starts with them). */
  guint        skip_steps;
  /* How deep in subqueries the expression is, which numbers the aliases
   * of the correlated subqueries it opens. */
  guint        depth;
  /* NULL, or the name under which the FROM joined the rows at the end
   * of @path (path->steps[path->n_steps - 1].target): a path it returns
   * NULL for is rendered as correlated subqueries. */
  const char *(*path_qualifier) (const GormPath *path,
                                 gpointer        user_data);
  gpointer     user_data;
  /* With @skip_steps: the name of the queried rows (an alias or their
   * table's name), which the columns of the queried type itself and
   * the paths without a reverse or many-to-many step start from (a
   * comparison of "choice.votes" with "rank" inside the subquery of a
   * question's choices). */
  const char  *root;
} GormExprScope;

/* Appends @node as an SQL expression whose value is of node->sql_type,
 * binding its constants as parameters appended to @params (numbered from
 * params->len, as the condition's values are), cast to their type where
 * the engine needs it (parameter_cast). With @params NULL the constants
 * are written as literals instead, which only numbers and date-times can
 * be (gorm_expr_node_has_literals_only()): an ORDER BY term is repeated
 * by statements whose parameters are bound elsewhere. */
void          gorm_dialect_append_expression (const GormDialect   *dialect,
                                              GString             *sql,
                                              GArray              *params,
                                              const GormExprNode  *node,
                                              const GormExprScope *scope);

/* Appends "CASE operand WHEN 'nick' THEN value … END": the value the
 * enum type @enum_type declares for the nick the SQL expression @operand
 * holds (NULL for a nick the type does not know), which orders and
 * compares enums by value while they are stored by nick. The nicks are
 * the type's own, written as literals. */
void          gorm_dialect_append_enum_rank  (GString             *sql,
                                              GType                enum_type,
                                              const char          *operand);

/* The comparison (EQ … GE) that compares b with a as @op compares a
 * with b: LT for GT, LE for GE, and the other way round. */
GormConditionOp gorm_condition_op_flip       (GormConditionOp      op);

/* Appends @left @comparison @right (GORM_CONDITION_EQ … GE), or its
 * exact complement when @negated (which matches where either is NULL).
 * A year or a day of a date-time column compared with a constant is a
 * range on the column, which its index serves. */
void          gorm_dialect_append_comparison (const GormDialect   *dialect,
                                              GString             *sql,
                                              GArray              *params,
                                              GormConditionOp      comparison,
                                              const GormExprNode  *left,
                                              const GormExprNode  *right,
                                              gboolean             negated,
                                              const GormExprScope *scope);

G_END_DECLS
