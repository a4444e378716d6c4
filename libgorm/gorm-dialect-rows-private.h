/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-dialect-expression-private.h"

G_BEGIN_DECLS

/*
 * Row queries (gorm_query_select(), _annotate(), _fetch_rows(),
 * _aggregate()) as the dialect renders them.
 *
 * The statement is two selects. The inner one computes the columns of
 * the rows of the queried type that the condition matches:
 *
 *   SELECT [DISTINCT] col AS "name", … FROM (SELECT * FROM "table" WHERE …)
 *          AS "gorm_t" LEFT JOIN … GROUP BY <the non-aggregate columns>
 *
 * and the outer one filters it by the names (what a HAVING would),
 * orders and slices it:
 *
 *   SELECT "name", … FROM (inner) AS "gorm_rows" WHERE … ORDER BY … LIMIT …
 *
 * A query with none of those, whose columns are all its rows', is the
 * inner select alone.
 *
 * Paths are LEFT JOINed, once per distinct chain of relations. An
 * aggregate over a multi-valued path (a reverse or many-to-many
 * relation), and every aggregate of an object's row or of a query of
 * aggregates only, is its own correlated subquery over the rows of its
 * group, with its own joins: two aggregates over different relations
 * never multiply each other's rows. In a grouped query those subqueries
 * are computed over the grouped rows, one more select around them
 * ("gorm_grouped"), matching the group's values (IS NOT DISTINCT FROM):
 * PostgreSQL refuses a subquery that reads a column a group is computed
 * from.
 */

typedef struct
{
  /* The output name, quoted when rendered. */
  const char         *name;
  const GormExprNode *node;
} GormRowColumn;

typedef struct
{
  /* An output column of the inner select. */
  const char *name;
  gboolean    descending;
} GormRowOrder;

typedef struct
{
  const GormSchema    *schema;
  /* The filter on the type's rows (NULL: all). */
  const GormCondition *condition;
  /* Every column of the inner select; the first n_visible are the
   * rows' (after the type's own columns, for @objects), the others only
   * ordered by. */
  const GormRowColumn *columns;
  guint                n_columns;
  guint                n_visible;
  /* The rows hold objects: the type's columns come first, and the
   * columns are computed per object (never grouped). */
  gboolean             objects;
  gboolean             distinct;
  /* A condition on the output names (NULL: none). */
  const GormCondition *having;
  const GormRowOrder  *orders;
  guint                n_orders;
  gint64               limit;
  gint64               offset;
} GormRowQuery;

char *gorm_dialect_render_row_query (const GormDialect  *dialect,
                                     const GormRowQuery *query,
                                     GArray             *params);
/* How many rows @query gives, and whether it gives any. */
char *gorm_dialect_render_row_count (const GormDialect  *dialect,
                                     const GormRowQuery *query,
                                     GArray             *params);
char *gorm_dialect_render_row_exists (const GormDialect  *dialect,
                                      const GormRowQuery *query,
                                      GArray             *params);

G_END_DECLS
