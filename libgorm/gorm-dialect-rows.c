/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-dialect-rows-private.h"

/* The LEFT JOINs that give the rows at the end of paths, from the rows
 * @base names: one join per distinct chain of relations, so that
 * "choice.votes" and "choice.label" read one choice row. */
typedef struct
{
  const char *base;
  GString    *sql;
  /* "relation-pointer/…" of a chain → its alias */
  GHashTable *aliases;
  guint      *counter;
} JoinSet;

typedef struct
{
  const GormDialect  *dialect;
  const GormRowQuery *query;
  GArray             *params;
  guint               counter;
  gboolean            grouped;
} RenderContext;

static void
join_set_init (JoinSet    *joins,
               const char *base,
               guint      *counter)
{
  joins->base = base;
  joins->sql = g_string_new (NULL);
  joins->aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  joins->counter = counter;
}

static void
join_set_clear (JoinSet *joins)
{
  g_string_free (joins->sql, TRUE);
  g_hash_table_unref (joins->aliases);
}

static void
append_column_of (GString          *sql,
                  const char       *alias,
                  const char       *column)
{
  gorm_dialect_append_identifier (sql, alias);
  g_string_append_c (sql, '.');
  gorm_dialect_append_identifier (sql, column);
}

/* " LEFT JOIN table AS alias ON alias.column = other.other_column" */
static void
append_join (GString    *sql,
             const char *table,
             const char *alias,
             const char *column,
             const char *other,
             const char *other_column)
{
  g_string_append (sql, " LEFT JOIN ");
  gorm_dialect_append_identifier (sql, table);
  g_string_append (sql, " AS ");
  gorm_dialect_append_identifier (sql, alias);
  g_string_append (sql, " ON ");
  append_column_of (sql, alias, column);
  g_string_append (sql, " = ");
  append_column_of (sql, other, other_column);
}

/* Joins the rows at the end of @path, and gives their alias. */
static const char *
join_path (JoinSet        *joins,
           const GormPath *path)
{
  g_autoptr(GString) key = g_string_new (NULL);
  const char *previous = joins->base;

  for (guint i = 0; i < path->n_steps; i++)
    {
      const GormStep *step = &path->steps[i];
      const GormRelation *relation = step->relation;
      char *alias;

      g_string_append_printf (key, "%p/", (gconstpointer) relation);
      alias = g_hash_table_lookup (joins->aliases, key->str);
      if (alias != NULL)
        {
          previous = alias;
          continue;
        }

      alias = g_strdup_printf ("gorm_j%u", ++*joins->counter);
      switch (relation->kind)
        {
        case GORM_RELATION_FORWARD:
          append_join (joins->sql, step->target->table, alias, step->target->key->name,
                       previous, relation->column->name);
          break;
        case GORM_RELATION_REVERSE:
          append_join (joins->sql, step->target->table, alias, relation->column->name,
                       previous, step->source->key->name);
          break;
        case GORM_RELATION_MANY_TO_MANY:
          {
            g_autofree char *link = g_strdup_printf ("%s_link", alias);

            append_join (joins->sql, relation->link_table, link, relation->link_source_column,
                         previous, step->source->key->name);
            append_join (joins->sql, step->target->table, alias, step->target->key->name,
                         link, relation->link_target_column);
          }
          break;
        default:
          g_assert_not_reached ();
        }
      g_hash_table_insert (joins->aliases, g_strdup (key->str), alias);
      previous = alias;
    }
  return previous;
}

static const char *
path_qualifier_cb (const GormPath *path,
                   gpointer        user_data)
{
  return join_path (user_data, path);
}

static void
append_node (RenderContext      *ctx,
             GString            *sql,
             const GormExprNode *node,
             JoinSet            *joins)
{
  GormExprScope scope = {
    .qualifier = joins->base,
    .skip_steps = 0,
    /* Every subquery of the statement numbers its aliases apart. */
    .depth = 100 * ++ctx->counter,
    .path_qualifier = path_qualifier_cb,
    .user_data = joins,
  };

  gorm_dialect_append_expression (ctx->dialect, sql, ctx->params, node, &scope);
}

/* The rows of the queried type the condition matches, named @alias. */
static void
append_base (RenderContext *ctx,
             GString       *sql,
             const char    *alias)
{
  const GormRowQuery *query = ctx->query;

  if (query->condition != NULL)
    {
      /* A subquery: the condition names its columns unqualified, which
       * the joins' tables would make ambiguous. */
      g_string_append (sql, "(SELECT * FROM ");
      gorm_dialect_append_identifier (sql, query->schema->table);
      gorm_dialect_append_where (ctx->dialect, sql, query->condition, ctx->params);
      g_string_append (sql, ")");
    }
  else
    gorm_dialect_append_identifier (sql, query->schema->table);
  g_string_append (sql, " AS ");
  gorm_dialect_append_identifier (sql, alias);
}

/* @node, an aggregate, as a correlated subquery over the rows of its
 * group, with joins of its own: the object's row (@query->objects), the
 * rows sharing the group's values, or every row the condition matches. */
static void
append_isolated (RenderContext      *ctx,
                 GString            *sql,
                 const GormExprNode *node,
                 const JoinSet      *outer)
{
  const GormRowQuery *query = ctx->query;
  g_autofree char *alias = g_strdup_printf ("gorm_s%u", ++ctx->counter);
  g_autoptr(GString) value = g_string_new (NULL);
  JoinSet joins;
  gboolean first = TRUE;

  join_set_init (&joins, alias, &ctx->counter);
  append_node (ctx, value, node, &joins);

  g_string_append (sql, "(SELECT ");
  g_string_append_len (sql, value->str, value->len);
  g_string_append (sql, " FROM ");
  if (query->objects)
    {
      gorm_dialect_append_identifier (sql, query->schema->table);
      g_string_append (sql, " AS ");
      gorm_dialect_append_identifier (sql, alias);
    }
  else
    append_base (ctx, sql, alias);

  if (query->objects)
    {
      g_autoptr(GString) match = g_string_new (NULL);

      append_column_of (match, alias, query->schema->key->name);
      g_string_append (match, " = ");
      append_column_of (match, outer->base, query->schema->key->name);
      g_string_append_len (joins.sql, " WHERE ", 7);
      g_string_append_len (joins.sql, match->str, match->len);
    }
  else if (ctx->grouped)
    {
      g_autoptr(GString) match = g_string_new (NULL);

      for (guint i = 0; i < query->n_columns; i++)
        {
          const GormExprNode *group = query->columns[i].node;

          if (group->has_aggregate)
            continue;
          g_string_append (match, first ? " WHERE (" : " AND (");
          first = FALSE;
          append_node (ctx, match, group, &joins);
          /* The group's value, a column of the grouped rows: PostgreSQL
           * refuses a subquery reading a column the group is computed
           * from ("subquery uses ungrouped column"). */
          g_string_append (match, ") IS NOT DISTINCT FROM ");
          append_column_of (match, "gorm_grouped", query->columns[i].name);
        }
      g_string_append_len (joins.sql, match->str, match->len);
    }
  g_string_append_len (sql, joins.sql->str, joins.sql->len);
  g_string_append (sql, ")");
  join_set_clear (&joins);
}

char *
gorm_dialect_render_row_query (const GormDialect  *dialect,
                               const GormRowQuery *query,
                               GArray             *params)
{
  RenderContext ctx = { dialect, query, params, 0, FALSE };
  g_autoptr(GString) inner = g_string_new ("SELECT ");
  g_autoptr(GString) list = g_string_new (NULL);
  GString *sql;
  gboolean any_aggregate = FALSE, any_plain = FALSE;
  gboolean aggregates_only;
  gboolean layered = FALSE;
  JoinSet outer;

  for (guint i = 0; i < query->n_columns; i++)
    {
      if (query->columns[i].node->has_aggregate)
        any_aggregate = TRUE;
      else
        any_plain = TRUE;
    }
  ctx.grouped = !query->objects && any_aggregate && any_plain;
  aggregates_only = !query->objects && any_aggregate && !any_plain;

  join_set_init (&outer, "gorm_t", &ctx.counter);
  if (query->objects)
    for (guint i = 0; i < query->schema->n_columns; i++)
      {
        if (i > 0)
          g_string_append (list, ", ");
        append_column_of (list, "gorm_t", query->schema->columns[i].name);
      }
  for (guint i = 0; i < query->n_columns; i++)
    {
      const GormExprNode *node = query->columns[i].node;

      /* An aggregate over related rows of a grouped query: computed over
       * the grouped rows, below. */
      if (ctx.grouped && node->has_aggregate && node->has_multi_valued)
        {
          layered = TRUE;
          continue;
        }
      if (list->len > 0)
        g_string_append (list, ", ");
      if (node->has_aggregate && (query->objects || aggregates_only || node->has_multi_valued))
        append_isolated (&ctx, list, node, &outer);
      else
        append_node (&ctx, list, node, &outer);
      g_string_append (list, " AS ");
      gorm_dialect_append_identifier (list, query->columns[i].name);
    }

  if (query->distinct && !layered)
    g_string_append (inner, "DISTINCT ");
  g_string_append_len (inner, list->str, list->len);
  if (!aggregates_only)
    {
      g_string_append (inner, " FROM ");
      append_base (&ctx, inner, "gorm_t");
      g_string_append_len (inner, outer.sql->str, outer.sql->len);
    }
  if (ctx.grouped)
    {
      gboolean first = TRUE;
      guint position = 0;

      /* By position: the expressions are the select list's. */
      for (guint i = 0; i < query->n_columns; i++)
        {
          const GormExprNode *node = query->columns[i].node;

          if (node->has_aggregate && node->has_multi_valued)
            continue;
          position++;
          if (node->has_aggregate)
            continue;
          g_string_append_printf (inner, "%s%u", first ? " GROUP BY " : ", ", position);
          first = FALSE;
        }
    }
  join_set_clear (&outer);

  if (layered)
    {
      /* SELECT "group", (SELECT count(…) … WHERE … IS NOT DISTINCT FROM
       * "gorm_grouped"."group") AS "n" FROM (grouped rows) AS "gorm_grouped" */
      g_autoptr(GString) grouped = g_steal_pointer (&inner);
      JoinSet none;

      join_set_init (&none, "gorm_grouped", &ctx.counter);
      inner = g_string_new ("SELECT ");
      if (query->distinct)
        g_string_append (inner, "DISTINCT ");
      for (guint i = 0; i < query->n_columns; i++)
        {
          const GormExprNode *node = query->columns[i].node;

          if (i > 0)
            g_string_append (inner, ", ");
          if (node->has_aggregate && node->has_multi_valued)
            {
              append_isolated (&ctx, inner, node, &none);
              g_string_append (inner, " AS ");
            }
          else
            g_string_append (inner, "\"gorm_grouped\".");
          gorm_dialect_append_identifier (inner, query->columns[i].name);
        }
      g_string_append (inner, " FROM (");
      g_string_append_len (inner, grouped->str, grouped->len);
      g_string_append (inner, ") AS \"gorm_grouped\"");
      join_set_clear (&none);
    }

  /* With nothing to filter, order or slice by the names, the outer
   * select would give the inner one's columns unchanged: the inner one
   * is the statement, shorter to parse and plan, and without SQLite's
   * co-routine passing each row on. */
  if (query->having == NULL && query->n_orders == 0 && query->limit < 0 && query->offset <= 0 &&
      query->n_visible == query->n_columns)
    return g_string_free (g_steal_pointer (&inner), FALSE);

  sql = g_string_new ("SELECT ");
  {
    gboolean first = TRUE;

    if (query->objects)
      for (guint i = 0; i < query->schema->n_columns; i++)
        {
          if (!first)
            g_string_append (sql, ", ");
          first = FALSE;
          gorm_dialect_append_identifier (sql, query->schema->columns[i].name);
        }
    for (guint i = 0; i < query->n_visible; i++)
      {
        if (!first)
          g_string_append (sql, ", ");
        first = FALSE;
        gorm_dialect_append_identifier (sql, query->columns[i].name);
      }
  }
  g_string_append (sql, " FROM (");
  g_string_append_len (sql, inner->str, inner->len);
  g_string_append (sql, ") AS \"gorm_rows\"");
  if (query->having != NULL)
    gorm_dialect_append_where (dialect, sql, query->having, params);
  for (guint i = 0; i < query->n_orders; i++)
    {
      g_string_append (sql, i == 0 ? " ORDER BY " : ", ");
      gorm_dialect_append_identifier (sql, query->orders[i].name);
      /* NULL first going up, last going down, on both engines. */
      g_string_append (sql, query->orders[i].descending ? " DESC NULLS LAST" : " ASC NULLS FIRST");
    }
  gorm_dialect_append_limit (dialect, sql, params, query->limit, query->offset);

  return g_string_free (sql, FALSE);
}

/* The rows of a grouped, distinct or HAVING-filtered query are not its
 * objects: they are counted as the query gives them. */
char *
gorm_dialect_render_row_count (const GormDialect  *dialect,
                               const GormRowQuery *query,
                               GArray             *params)
{
  g_autofree char *rows = gorm_dialect_render_row_query (dialect, query, params);

  return g_strdup_printf ("SELECT count(*) FROM (%s) AS \"gorm_rows\"", rows);
}

char *
gorm_dialect_render_row_exists (const GormDialect  *dialect,
                                const GormRowQuery *query,
                                GArray             *params)
{
  g_autofree char *rows = gorm_dialect_render_row_query (dialect, query, params);

  return g_strdup_printf ("SELECT 1 WHERE EXISTS (%s)", rows);
}
