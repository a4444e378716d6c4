/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-database-private.h"
#include "gorm-dialect-rows-private.h"
#include "gorm-expression-private.h"
#include "gorm-row-private.h"
#include "gorm-error.h"
#include "gorm-expression-private.h"
#include "gorm-filter-private.h"
#include "gorm-query-model.h"
#include "gorm-query-private.h"
#include "gorm-relation-private.h"
#include "gorm-resource-private.h"
#include "gorm-mapper-private.h"
#include "gorm-value-private.h"

/**
 * gorm_database_query:
 * @self: a database
 * @type: a #GormResource type
 *
 * Starts a query for the objects of @type stored in @self. Narrow it
 * with gorm_query_filter(), order and slice it with gorm_query_order_by(),
 * gorm_query_limit() and gorm_query_offset(), then run it:
 *
 * ```c
 * g_autoptr(GormQuery) query = gorm_database_query (db, BLOG_TYPE_POST);
 * g_autoptr(GListModel) posts = NULL;
 *
 * gorm_query_order_by (gorm_query_filter (query, gorm_filter_eq ("published", &yes)),
 *                      "pub-date", TRUE);
 * posts = gorm_query_fetch (gorm_query_limit (query, 10), NULL, &error);
 * ```
 *
 * Returns: (transfer full): a new query
 */
GormQuery *
gorm_database_query (GormDatabase *self,
                     GType         type)
{
  g_return_val_if_fail (GORM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (g_type_is_a (type, GORM_TYPE_RESOURCE), NULL);

  return g_object_new (GORM_TYPE_QUERY,
                       "database", self,
                       "item-type", type,
                       NULL);
}

/**
 * GormQuery:
 *
 * A query for the stored objects of one #GormResource type, made by
 * gorm_database_query().
 *
 * The builder methods, gorm_query_filter(), gorm_query_order_by(),
 * gorm_query_limit() and gorm_query_offset(), change the query and
 * return it, so that calls chain. They cannot fail: the first mistake
 * they see (a property the type does not store, a value that does not fit
 * its property, a %NULL filter) is kept and reported by every runner with
 * its #GError, before any SQL runs. A statement the database refuses as
 * it runs (SQLite refuses a LIKE pattern over 50,000 bytes) is an error of
 * the runner too, never an empty answer.
 *
 * The runners read the query: gorm_query_fetch() and gorm_query_watch()
 * give the matching objects as a #GListModel, gorm_query_first() the
 * first one, gorm_query_count() and gorm_query_exists() count them;
 * gorm_query_delete() and gorm_query_update() change the matching rows in
 * bulk, in one transaction. A query can be run any number of times.
 *
 * Objects come in the order of the gorm_query_order_by() calls, then by
 * primary key, so that the order is always the same.
 *
 * A bulk delete or update also changes the live objects of the rows it
 * changed (see gorm_database_get()): a deleted one is no longer saved and
 * its id is 0, an updated one holds the new value, and
 * #GormDatabase::resource-deleted or #GormDatabase::resource-saved is
 * emitted for each of them.
 */

struct _GormQuery
{
  GObject            parent_instance;

  GormDatabase      *database;
  GType              item_type;
  const GormSchema  *schema;
  /* The AND of the compiled filters given to gorm_query_filter(). */
  GormCondition     *condition;
  GArray            *orders;   /* of GormOrder */
  gint64             limit;
  gint64             offset;
  /* The first mistake a builder call saw. */
  GError            *error;
  /* select_related and prefetch_related paths, NULL when none. */
  GPtrArray         *select_related;
  GPtrArray         *prefetch_related;

  /* Row queries (gorm_query_select(), _annotate()): the columns (of
   * RowColumn), NULL when none; DISTINCT; the filters on their names,
   * with the schemas of names they were compiled against; every
   * order_by() in order (of RowOrderBy), and whether one named a column. */
  GPtrArray         *row_columns;
  gboolean           distinct;
  GormCondition     *having;
  GPtrArray         *name_schemas;
  GArray            *row_orders;
  gboolean           orders_by_name;
};

G_DEFINE_FINAL_TYPE (GormQuery, gorm_query, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_ITEM_TYPE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static gboolean filter_rows_by_names (GormQuery  *self,
                                      GormFilter *filter);
static gboolean order_rows_by        (GormQuery  *self,
                                      const char *name,
                                      gboolean    descending);
static gboolean check_object_query   (GormQuery  *self,
                                      GError    **error);
static void     order_rows_by_expression (GormQuery    *self,
                                          GormExprNode *node,
                                          gboolean      descending);

static void
gorm_query_finalize (GObject *object)
{
  GormQuery *self = GORM_QUERY (object);

  g_clear_object (&self->database);
  g_clear_pointer (&self->condition, gorm_condition_unref);
  g_clear_pointer (&self->orders, g_array_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->select_related, g_ptr_array_unref);
  g_clear_pointer (&self->prefetch_related, g_ptr_array_unref);
  g_clear_pointer (&self->row_columns, g_ptr_array_unref);
  g_clear_pointer (&self->having, gorm_condition_unref);
  g_clear_pointer (&self->name_schemas, g_ptr_array_unref);
  g_clear_pointer (&self->row_orders, g_array_unref);

  G_OBJECT_CLASS (gorm_query_parent_class)->finalize (object);
}

/* Keeps the first mistake of a builder call. */
static void
record_error (GormQuery *self,
              GError    *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
}

void
gorm_query_restrict (GormQuery     *self,
                     GormCondition *condition)
{
  if (self->condition == NULL)
    self->condition = condition;
  else
    self->condition = gorm_condition_new_combination (GORM_CONDITION_AND, self->condition, condition);
}

void
gorm_query_poison (GormQuery *self,
                   GError    *error)
{
  record_error (self, error);
}

static void
gorm_query_constructed (GObject *object)
{
  GormQuery *self = GORM_QUERY (object);
  GError *error = NULL;

  G_OBJECT_CLASS (gorm_query_parent_class)->constructed (object);

  self->schema = gorm_schema_lookup (self->item_type, &error);
  if (self->schema == NULL)
    record_error (self, error);
}

static void
gorm_query_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GormQuery *self = GORM_QUERY (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;

    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, self->item_type);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_query_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GormQuery *self = GORM_QUERY (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;

    case PROP_ITEM_TYPE:
      self->item_type = g_value_get_gtype (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_query_class_init (GormQueryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gorm_query_finalize;
  object_class->constructed = gorm_query_constructed;
  object_class->get_property = gorm_query_get_property;
  object_class->set_property = gorm_query_set_property;

  /**
   * GormQuery:database:
   *
   * The database the query runs on.
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL,
                         GORM_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GormQuery:item-type:
   *
   * The #GormResource type of the objects the query finds.
   */
  properties[PROP_ITEM_TYPE] =
    g_param_spec_gtype ("item-type", NULL, NULL,
                        GORM_TYPE_RESOURCE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* Orders: an array of GormOrder owns the expressions of its orders. */
static void
clear_order (gpointer data)
{
  GormOrder *order = data;

  g_clear_pointer (&order->expression, gorm_expr_node_unref);
}

static GArray *
orders_new (guint reserved)
{
  GArray *orders = g_array_sized_new (FALSE, FALSE, sizeof (GormOrder), reserved);

  g_array_set_clear_func (orders, clear_order);
  return orders;
}

static void
append_order (GArray          *orders,
              const GormOrder *order)
{
  GormOrder copy = *order;

  if (copy.expression != NULL)
    gorm_expr_node_ref (copy.expression);
  g_array_append_val (orders, copy);
}

static void
gorm_query_init (GormQuery *self)
{
  self->item_type = GORM_TYPE_RESOURCE;
  self->orders = orders_new (0);
  self->limit = -1;
}

/**
 * gorm_query_get_database:
 * @self: a query
 *
 * Gets the database @self runs on.
 *
 * Returns: (transfer none): the database
 */
GormDatabase *
gorm_query_get_database (GormQuery *self)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  return self->database;
}

/**
 * gorm_query_get_item_type:
 * @self: a query
 *
 * Gets the type of the objects @self finds.
 *
 * Returns: a #GormResource type
 */
GType
gorm_query_get_item_type (GormQuery *self)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), G_TYPE_INVALID);

  return self->item_type;
}

static GError *
unknown_property_error (const GormSchema *schema,
                        const char       *property)
{
  return g_error_new (GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                      "%s has no stored property “%s”", schema->type_name, property);
}

/**
 * gorm_query_filter:
 * @self: a query
 * @filter: (transfer full) (nullable): a filter on the properties of the
 *   query's type; %NULL is a mistake that makes every runner fail
 *
 * Narrows @self to the objects @filter matches, and those any earlier
 * filters match: filters given one after the other all apply. Takes
 * @filter.
 *
 * A property @filter names that the type does not store, or a value that
 * does not fit its property, makes every runner of @self fail with
 * %GORM_ERROR_UNKNOWN_PROPERTY or %GORM_ERROR_TYPE_MISMATCH; a %NULL
 * @filter, or one built from %NULL arguments, with %GORM_ERROR_FAILED
 * (or the code its mistake has), so that a query never runs with less
 * condition than it was given.
 *
 * Returns: (transfer none): @self
 *
 * Since: 1.0
 */
GormQuery *
gorm_query_filter (GormQuery  *self,
                   GormFilter *filter)
{
  g_autoptr(GormFilter) owned = filter;
  GError *error = NULL;
  GormCondition *condition;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  /* A query that cannot run needs no more checking. */
  if (self->error != NULL)
    return self;

  if (filter == NULL)
    {
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_FAILED,
                                       "Cannot filter %s: gorm_query_filter() was given no "
                                       "filter (NULL)", self->schema->type_name));
      return self;
    }

  /* On the names of the rows' columns: the rows' condition. */
  if (filter_rows_by_names (self, filter))
    return self;

  condition = gorm_filter_compile (filter, self->schema, &error);
  if (condition == NULL)
    {
      record_error (self, error);
      return self;
    }

  if (self->condition == NULL)
    self->condition = condition;
  else
    self->condition = gorm_condition_new_combination (GORM_CONDITION_AND, self->condition, condition);

  return self;
}

/**
 * gorm_query_order_by:
 * @self: a query
 * @property: the name of a stored property
 * @descending: %TRUE for the largest values first
 *
 * Orders the objects of @self by @property, after the orders given
 * before: each call adds a key used where the earlier ones are equal.
 * Strings order by their bytes, date-times by time, enums by the values
 * their type declares (while they are stored by nick), flags as numbers,
 * booleans %FALSE first; NULL comes before every value in ascending order
 * and after them in descending order. Objects that are equal in every
 * order given come by primary key, in the direction of the last order.
 *
 * @property may be a path of forward relations ending in a property
 * (`question.pub_date`, `question.author.name`): the objects then sort by
 * the related row's value, NULL where a key on the way is NULL. Such an
 * order is a correlated subquery per row, and a model of it loads its
 * pages by offset. A live model follows the changes of its own type's
 * rows only: a change to a related row does not move the objects it
 * orders.
 *
 * @property may also be the name of a column of the rows
 * ([method@Gorm.Query.select], [method@Gorm.Query.annotate]): then only
 * [method@Gorm.Query.fetch_rows] can run the query.
 *
 * A property the type does not store, or a path naming what is not
 * there, makes every runner of @self fail with
 * %GORM_ERROR_UNKNOWN_PROPERTY; a path through a reverse or many-to-many
 * relation (any number of values per object) with %GORM_ERROR_FAILED.
 *
 * Returns: (transfer none): @self
 */
GormQuery *
gorm_query_order_by (GormQuery  *self,
                     const char *property,
                     gboolean    descending)
{
  GormOrder order;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  if (self->error != NULL)
    return self;

  if (property == NULL)
    {
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                                       "Cannot order %s: gorm_query_order_by() was given no "
                                       "property name (NULL)", self->schema->type_name));
      return self;
    }

  /* A column of the rows (gorm_query_select()), or a property. */
  if (order_rows_by (self, property, descending))
    return self;

  order.column = gorm_schema_find_column (self->schema, property);
  order.descending = !!descending;
  order.path = NULL;
  order.expression = NULL;
  if (order.column == NULL)
    {
      GError *error = NULL;

      /* A path of forward relations: one value per object. */
      order.column = gorm_filter_resolve_path (self->schema, property, &order.path, &error);
      if (order.column == NULL)
        {
          record_error (self, error);
          return self;
        }
      if (order.path != NULL && order.path->multi_valued)
        {
          record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_FAILED,
                                           "Cannot order %s by “%s”: it follows a reverse or "
                                           "many-to-many relation, which gives each %s any "
                                           "number of values; gorm_query_order_by() follows "
                                           "forward relations only",
                                           self->schema->type_name, property,
                                           self->schema->type_name));
          return self;
        }
    }
  g_array_append_val (self->orders, order);

  return self;
}

/**
 * gorm_query_order_by_expression:
 * @self: a query
 * @expression: (transfer full): what to order by
 * @descending: %TRUE for the largest values first
 *
 * Orders the objects of @self by the value of @expression, computed for
 * each row (`votes - downvotes`, `price * quantity`, the year of a
 * date), after the orders given before, as [method@Gorm.Query.order_by]
 * does. Takes @expression. NULL values come first in ascending order and
 * last in descending order, on both engines.
 *
 * A live model of such an order loads its pages by offset and places
 * the objects a write changes by the values the database computes, so it
 * follows them exactly.
 *
 * An unknown property makes every runner of @self fail with
 * %GORM_ERROR_UNKNOWN_PROPERTY, a type error with
 * %GORM_ERROR_TYPE_MISMATCH; an aggregate, a path through a reverse or
 * many-to-many relation, or a constant other than a number or a
 * date-time with %GORM_ERROR_VALIDATION.
 *
 * Returns: (transfer none): @self
 *
 * Since: 1.0
 */
GormQuery *
gorm_query_order_by_expression (GormQuery      *self,
                                GormExpression *expression,
                                gboolean        descending)
{
  g_autoptr(GormExpression) owned = expression;
  GormOrder order = { NULL, !!descending, NULL, NULL };
  GError *error = NULL;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  if (self->error != NULL)
    return self;
  if (expression == NULL)
    {
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_FAILED,
                                       "Cannot order %s: gorm_query_order_by_expression() was "
                                       "given no expression (NULL)", self->schema->type_name));
      return self;
    }

  order.expression = gorm_expression_compile (expression, self->schema,
                                              GORM_EXPRESSION_COMPILE_NONE, &error);
  if (order.expression == NULL)
    {
      g_prefix_error (&error, "Cannot order %s: ", self->schema->type_name);
      record_error (self, error);
      return self;
    }
  if (!gorm_expr_node_has_literals_only (order.expression))
    {
      gorm_expr_node_unref (order.expression);
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_VALIDATION,
                                       "Cannot order %s by an expression with a constant other "
                                       "than a finite number or a date-time",
                                       self->schema->type_name));
      return self;
    }
  /* The rows of a row query order by it too. */
  order_rows_by_expression (self, order.expression, descending);
  /* A property of the type itself is a plain order, which live models
   * page by row values. */
  if (order.expression->op == GORM_EXPR_COLUMN && order.expression->path == NULL)
    {
      order.column = order.expression->column;
      g_clear_pointer (&order.expression, gorm_expr_node_unref);
    }
  g_array_append_val (self->orders, order);
  return self;
}

/**
 * gorm_query_limit:
 * @self: a query
 * @limit: the largest number of objects to find
 *
 * Makes @self find at most @limit objects, the first ones in its order.
 *
 * Returns: (transfer none): @self
 */
GormQuery *
gorm_query_limit (GormQuery *self,
                  guint      limit)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  self->limit = limit;
  return self;
}

/**
 * gorm_query_offset:
 * @self: a query
 * @offset: the number of objects to skip
 *
 * Makes @self skip the first @offset objects in its order. With
 * gorm_query_limit(), pages through the objects.
 *
 * Returns: (transfer none): @self
 */
GormQuery *
gorm_query_offset (GormQuery *self,
                   guint      offset)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  self->offset = offset;
  return self;
}

/* Compiling */

static GArray   *params_new    (void);
static GormRows *select_locked (GormDatabase  *database,
                                const char    *sql,
                                GArray        *params,
                                const GType   *column_types,
                                GCancellable  *cancellable,
                                GError       **error);

/* select_related: each path is a chain of foreign keys from the query's
 * type, "question" or "question.author"; a prefix named twice is joined
 * once. */
static gboolean
compile_joins (GormQuery          *self,
               GormCompiledQuery  *compiled,
               GError            **error)
{
  guint n_columns = self->schema->n_columns;
  g_autoptr(GArray) joins = g_array_new (FALSE, FALSE, sizeof (GormJoin));
  g_autoptr(GPtrArray) prefixes = g_ptr_array_new_with_free_func (g_free);

  for (guint p = 0; p < self->select_related->len; p++)
    {
      const char *path = g_ptr_array_index (self->select_related, p);
      g_auto(GStrv) names = g_strsplit (path, ".", -1);
      const GormSchema *schema = self->schema;
      g_autoptr(GString) prefix = g_string_new (NULL);
      gint parent = -1;

      for (guint n = 0; names[n] != NULL; n++)
        {
          const GormRelation *relation = gorm_schema_find_relation (schema, names[n], error);
          GormJoin join;
          gint found = -1;

          if (relation == NULL)
            {
              g_prefix_error (error, "In select_related (“%s”): ", path);
              return FALSE;
            }
          if (relation->kind != GORM_RELATION_FORWARD)
            {
              g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                           "In select_related (“%s”): the relation “%s” of %s is not a foreign "
                           "key; load reverse and many-to-many relations with "
                           "gorm_query_prefetch_related()",
                           path, relation->name, schema->type_name);
              return FALSE;
            }
          g_string_append_printf (prefix, "%s%s", n ? "." : "", relation->name);
          for (guint i = 0; i < prefixes->len && found < 0; i++)
            if (g_str_equal (g_ptr_array_index (prefixes, i), prefix->str))
              found = i;
          if (found >= 0)
            {
              parent = found;
              schema = g_array_index (joins, GormJoin, found).target;
              continue;
            }

          join.relation = relation;
          join.target = gorm_schema_lookup (relation->target_type, error);
          if (join.target == NULL)
            return FALSE;
          join.parent = parent;
          join.first_column = n_columns;
          n_columns += join.target->n_columns;
          g_array_append_val (joins, join);
          g_ptr_array_add (prefixes, g_strdup (prefix->str));
          parent = joins->len - 1;
          schema = join.target;
        }
    }

  compiled->joined_types = g_new0 (GType, n_columns + 1);
  memcpy (compiled->joined_types, self->schema->sql_types, self->schema->n_columns * sizeof (GType));
  for (guint j = 0; j < joins->len; j++)
    {
      const GormJoin *join = &g_array_index (joins, GormJoin, j);

      memcpy (compiled->joined_types + join->first_column, join->target->sql_types,
              join->target->n_columns * sizeof (GType));
    }
  compiled->joined_types[n_columns] = G_TYPE_NONE;
  compiled->joins = g_steal_pointer (&joins);
  return TRUE;
}

static gboolean
compile_related (GormQuery          *self,
                 GormCompiledQuery  *compiled,
                 GError            **error)
{
  if (self->select_related != NULL && !compile_joins (self, compiled, error))
    return FALSE;
  if (self->prefetch_related == NULL)
    return TRUE;

  compiled->prefetches = g_ptr_array_new ();
  for (guint p = 0; p < self->prefetch_related->len; p++)
    {
      const char *name = g_ptr_array_index (self->prefetch_related, p);
      const GormRelation *relation = gorm_schema_find_relation (self->schema, name, error);

      if (relation == NULL)
        {
          g_prefix_error (error, "In prefetch_related (“%s”): ", name);
          return FALSE;
        }
      if (!g_ptr_array_find (compiled->prefetches, relation, NULL))
        g_ptr_array_add (compiled->prefetches, (gpointer) relation);
    }
  return TRUE;
}

/**
 * gorm_query_select_related:
 * @self: a query
 * @relation: a foreign key relation of the query's type (`question`), or
 *   a path of them separated by `.` (`question.author`)
 *
 * Loads the objects @relation refers to with the query's own, in the same
 * statement (a `LEFT JOIN`), for every page of a fetched or watched model
 * and for [method@Gorm.Query.first]: [method@Gorm.Resource.peek_related]
 * then returns them, and [method@Gorm.Resource.get_related] does not read
 * the database. They come through the identity map like any object, and
 * live as long as the model keeps the page that loaded them (or as the
 * object first() returned).
 *
 * A name that is not a foreign key of the type makes every runner fail
 * with %GORM_ERROR_UNKNOWN_PROPERTY.
 *
 * Returns: (transfer none): @self
 *
 * Since: 1.0
 */
GormQuery *
gorm_query_select_related (GormQuery  *self,
                           const char *relation)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);
  g_return_val_if_fail (relation != NULL, self);

  if (self->select_related == NULL)
    self->select_related = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->select_related, g_strdup (relation));
  return self;
}

/**
 * gorm_query_prefetch_related:
 * @self: a query
 * @relation: a relation of the query's type: a foreign key, a reverse
 *   relation (`choice_set`) or a many-to-many relation (`tags`)
 *
 * Loads the objects of @relation for the objects the query finds, with
 * one more statement per relation for each page of a fetched or watched
 * model (`WHERE key IN (…)`), instead of one per object: afterwards
 * [method@Gorm.Resource.peek_prefetched] lists them for a reverse or
 * many-to-many relation, and [method@Gorm.Resource.peek_related] returns
 * the object of a foreign key.
 *
 * A name that is not a relation of the type makes every runner fail with
 * %GORM_ERROR_UNKNOWN_PROPERTY.
 *
 * Returns: (transfer none): @self
 *
 * Since: 1.0
 */
GormQuery *
gorm_query_prefetch_related (GormQuery  *self,
                             const char *relation)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);
  g_return_val_if_fail (relation != NULL, self);

  if (self->prefetch_related == NULL)
    self->prefetch_related = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->prefetch_related, g_strdup (relation));
  return self;
}

gboolean
gorm_compiled_query_attach_joined_locked (const GormCompiledQuery  *compiled,
                                          GormDatabase             *database,
                                          GormRows                 *rows,
                                          gint                      row,
                                          gpointer                  item,
                                          GPtrArray                *keep,
                                          GError                  **error)
{
  GormMapperHost *host = gorm_database_get_mapper_host (database);
  guint n_joins = compiled->joins->len;
  GormResource **objects = g_newa (GormResource *, n_joins);
  gboolean ok = TRUE;

  for (guint j = 0; j < n_joins; j++)
    {
      const GormJoin *join = &g_array_index (compiled->joins, GormJoin, j);
      GormResource *parent = join->parent < 0 ? item : objects[join->parent];
      const GValue *key;

      objects[j] = NULL;
      if (!ok || parent == NULL)
        continue;
      objects[j] = gorm_mapper_new_joined_resource (join->target, host, rows, row,
                                                    join->first_column, error);
      if (objects[j] == NULL)
        {
          ok = error == NULL || *error == NULL;
          continue;
        }
      key = gorm_rows_get_value (rows, join->first_column, row, error);
      if (key == NULL)
        ok = FALSE;
      else
        {
          gorm_resource_cache_related (parent, join->relation, key, objects[j]);
          g_ptr_array_add (keep, g_object_ref (objects[j]));
        }
    }
  for (guint j = 0; j < n_joins; j++)
    g_clear_object (&objects[j]);
  return ok;
}

/* The SQL value of the key of @item (its own, or its foreign key) the
 * prefetch of @relation looks up; FALSE when it has none. */
static gboolean
prefetch_key (const GormRelation *relation,
              const GormSchema   *schema,
              GormResource       *item,
              GValue             *key)
{
  const GormColumn *column = relation->kind == GORM_RELATION_FORWARD ? relation->column : schema->key;
  g_auto(GValue) value = G_VALUE_INIT;

  if (gorm_column_marks_null (column) && gorm_resource_is_null (item, column->pspec->name))
    return FALSE;
  g_value_init (&value, column->pspec->value_type);
  g_object_get_property (G_OBJECT (item), column->pspec->name, &value);
  if (!gorm_value_to_sql (column->kind, column->pspec, &value, key, NULL))
    return FALSE;
  if (gorm_value_is_sql_null (key))
    {
      g_value_unset (key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prefetch_relation_locked (const GormCompiledQuery  *compiled,
                          GormDatabase             *database,
                          const GormRelation       *relation,
                          GPtrArray                *items,
                          GPtrArray                *keep,
                          GError                  **error)
{
  const GormSchema *schema = compiled->schema;
  const GormSchema *target = gorm_schema_lookup (relation->target_type, error);
  GormMapperHost *host = gorm_database_get_mapper_host (database);
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GArray) params = NULL;
  g_autoptr(GormRows) rows = NULL;
  g_autofree char *sql = NULL;
  g_autofree GType *types = NULL;
  gboolean linked = relation->kind == GORM_RELATION_MANY_TO_MANY;
  guint width = 1;
  GType key_type;
  guint n_rows;

  if (target == NULL)
    return FALSE;

  /* The keys, each once, in the items' order. */
  keys = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (keys, (GDestroyNotify) g_value_unset);
  for (guint i = 0; i < items->len; i++)
    {
      GValue key = G_VALUE_INIT;
      gboolean seen = FALSE;

      if (!prefetch_key (relation, schema, g_ptr_array_index (items, i), &key))
        continue;
      for (guint k = 0; k < keys->len && !seen; k++)
        seen = gorm_value_key_equal (&g_array_index (keys, GValue, k), &key);
      if (seen)
        g_value_unset (&key);
      else
        g_array_append_val (keys, key);
    }

  /* The sets of the items start empty, so that an item without related
   * objects shows that it was prefetched. */
  if (relation->kind != GORM_RELATION_FORWARD)
    for (guint i = 0; i < items->len; i++)
      {
        GListStore *store = g_list_store_new (relation->target_type);

        gorm_resource_set_prefetched (g_ptr_array_index (items, i), relation, G_LIST_MODEL (store));
        g_ptr_array_add (keep, store);
      }
  if (keys->len == 0)
    return TRUE;

  /* As many parameters as a power of two, the last key repeated: few
   * statement texts to cache. */
  while (width < keys->len)
    width *= 2;
  key_type = G_VALUE_TYPE (&g_array_index (keys, GValue, 0));
  sql = gorm_dialect_render_prefetch (compiled->dialect, relation, target, width, key_type);
  params = params_new ();
  for (guint i = 0; i < width; i++)
    {
      const GValue *key = &g_array_index (keys, GValue, MIN (i, keys->len - 1));
      GValue copy = G_VALUE_INIT;

      g_value_init (&copy, G_VALUE_TYPE (key));
      g_value_copy (key, &copy);
      g_array_append_val (params, copy);
    }
  types = g_new0 (GType, target->n_columns + 2);
  memcpy (types, target->sql_types, target->n_columns * sizeof (GType));
  types[target->n_columns] = linked ? key_type : G_TYPE_NONE;
  types[target->n_columns + 1] = G_TYPE_NONE;
  rows = select_locked (database, sql, params, types, NULL, error);
  if (rows == NULL)
    return FALSE;

  n_rows = gorm_rows_get_n_rows (rows);
  for (guint row = 0; row < n_rows; row++)
    {
      g_autoptr(GormResource) object = gorm_mapper_new_joined_resource (target, host, rows, (gint) row,
                                                                        0, error);
      const GValue *owner;

      if (object == NULL)
        return FALSE;
      /* Whose it is: the source key the link row holds, the referencing
       * column, or the target's own key. */
      owner = gorm_rows_get_value (rows,
                                   linked ? target->n_columns
                                   : relation->kind == GORM_RELATION_REVERSE
                                   ? relation->column->index : target->key->index,
                                   (gint) row, error);
      if (owner == NULL)
        return FALSE;
      for (guint i = 0; i < items->len; i++)
        {
          GormResource *item = g_ptr_array_index (items, i);
          g_auto(GValue) key = G_VALUE_INIT;

          if (!prefetch_key (relation, schema, item, &key) || !gorm_value_key_equal (&key, owner))
            continue;
          if (relation->kind == GORM_RELATION_FORWARD)
            {
              gorm_resource_cache_related (item, relation, owner, object);
              g_ptr_array_add (keep, g_object_ref (object));
            }
          else
            g_list_store_append (G_LIST_STORE (gorm_resource_peek_prefetched (item, relation->name)),
                                 object);
        }
    }
  return TRUE;
}

gboolean
gorm_compiled_query_prefetch_locked (const GormCompiledQuery  *compiled,
                                     GormDatabase             *database,
                                     GPtrArray                *items,
                                     GPtrArray                *keep,
                                     GError                  **error)
{
  for (guint p = 0; compiled->prefetches != NULL && p < compiled->prefetches->len; p++)
    if (!prefetch_relation_locked (compiled, database, g_ptr_array_index (compiled->prefetches, p),
                                   items, keep, error))
      return FALSE;
  return TRUE;
}

/* Every runner compiles or plans its query first: the first use of the
 * query's type on its database migrates it there (see
 * gorm_database_get_mapper_locked()). */
static gboolean
use_type (GormQuery  *self,
          GError    **error)
{
  return gorm_database_use_types (self->database, &self->schema->type, 1, error);
}

GormCompiledQuery *
gorm_query_compile (GormQuery  *self,
                    GError    **error)
{
  g_autoptr(GormCompiledQuery) compiled = NULL;
  const GormDialect *dialect;
  gboolean has_key = FALSE;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    }
  if (!check_object_query (self, error))
    return NULL;

  dialect = gorm_database_get_dialect (self->database);
  if (dialect == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "libgorm cannot query the database “%s”: it has no SQL dialect for "
                   "the libgda provider “%s”",
                   gorm_database_get_uri (self->database),
                   gorm_database_get_provider (self->database));
      return NULL;
    }

  if (!use_type (self, error))
    return NULL;

  compiled = g_new0 (GormCompiledQuery, 1);
  compiled->schema = self->schema;
  compiled->dialect = dialect;
  compiled->limit = self->limit;
  compiled->offset = self->offset;
  compiled->orders = orders_new (self->orders->len + 1);
  /* The key makes the order total, so that pages never overlap; it is
   * unique, so orders after it change nothing and are left out. */
  for (guint i = 0; i < self->orders->len && !has_key; i++)
    {
      const GormOrder *order = &g_array_index (self->orders, GormOrder, i);

      has_key = order->path == NULL && order->column == self->schema->key;
      append_order (compiled->orders, order);
    }
  /* The key follows the direction of the last order, so that an index
   * on the ordered column serves the whole order, and the model can start
   * pages from rows it has seen (row values compare in one direction). */
  if (!has_key)
    {
      GormOrder order = { self->schema->key, FALSE, NULL, NULL };

      if (compiled->orders->len > 0)
        order.descending = g_array_index (compiled->orders, GormOrder, compiled->orders->len - 1).descending;
      g_array_append_val (compiled->orders, order);
    }

  if (self->condition != NULL)
    compiled->filter = gorm_condition_ref (self->condition);

  if (!compile_related (self, compiled, error))
    return NULL;

  return g_steal_pointer (&compiled);
}

void
gorm_compiled_query_free (GormCompiledQuery *compiled)
{
  g_clear_pointer (&compiled->filter, gorm_condition_unref);
  g_clear_pointer (&compiled->orders, g_array_unref);
  g_clear_pointer (&compiled->joins, g_array_unref);
  g_clear_pointer (&compiled->joined_types, g_free);
  g_clear_pointer (&compiled->prefetches, g_ptr_array_unref);
  g_free (compiled);
}

GormSelection
gorm_compiled_query_get_selection (const GormCompiledQuery *compiled)
{
  GormSelection selection = {
    .schema = compiled->schema,
    .condition = compiled->filter,
    .orders = (const GormOrder *) (gpointer) compiled->orders->data,
    .n_orders = compiled->orders->len,
    .limit = compiled->limit,
    .offset = compiled->offset,
  };

  return selection;
}

/* Statements */

static void
clear_param (gpointer data)
{
  GValue *value = data;

  if (G_IS_VALUE (value))
    g_value_unset (value);
}

static GArray *
params_new (void)
{
  GArray *params = g_array_new (FALSE, TRUE, sizeof (GValue));

  g_array_set_clear_func (params, clear_param);
  return params;
}

/* Looks up the statement of @sql in the database's cache and binds
 * @params to it, which it takes. */
static GormStatement *
prepare_locked (GormDatabase        *database,
                const char          *sql,
                GArray              *params,
                GormConnection **statements,
                GError             **error)
{
  GormStatement *statement;

  *statements = gorm_database_get_connection_locked (database, error);
  if (*statements == NULL)
    return NULL;
  statement = gorm_connection_lookup_locked (*statements, sql, error);
  if (statement == NULL)
    return NULL;

  g_assert (gorm_statement_get_n_params (statement) == params->len);
  gorm_statement_take_params (statement, (GValue *) (gpointer) params->data, params->len);
  return statement;
}

/* Runs a runner's statement: @cancellable stops it, on the server too
 * where the engine allows (see gorm_connection_swap_cancellable_locked()). */
static GormRows *
select_locked (GormDatabase  *database,
               const char    *sql,
               GArray        *params,
               const GType   *column_types,
               GCancellable  *cancellable,
               GError       **error)
{
  GormConnection *statements;
  GormStatement *statement = prepare_locked (database, sql, params, &statements, error);
  GCancellable *previous;
  GormRows *rows;

  if (statement == NULL)
    return NULL;
  previous = gorm_connection_swap_cancellable_locked (statements, cancellable);
  rows = gorm_connection_select_locked (statements, statement, column_types, error);
  gorm_connection_swap_cancellable_locked (statements, previous);
  return rows;
}

static gint64
execute_locked (GormDatabase  *database,
                const char    *sql,
                GArray        *params,
                GCancellable  *cancellable,
                GError       **error)
{
  GormConnection *statements;
  GormStatement *statement = prepare_locked (database, sql, params, &statements, error);
  GCancellable *previous;
  gint64 rows;

  if (statement == NULL)
    return -1;
  previous = gorm_connection_swap_cancellable_locked (statements, cancellable);
  rows = gorm_connection_execute_locked (statements, statement, error);
  gorm_connection_swap_cancellable_locked (statements, previous);
  return rows;
}

/* Runners */

/* gorm_query_fetch(), whose objects are built later by
 * gorm_query_model_take_objects() with @defer_objects (on the worker). */
static GListModel *
fetch_model (GormQuery     *self,
             gboolean       live,
             gboolean       defer_objects,
             GCancellable  *cancellable,
             GError       **error)
{
  GormCompiledQuery *compiled = gorm_query_compile (self, error);

  if (compiled == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_clear_pointer (&compiled, gorm_compiled_query_free);
      return NULL;
    }
  return gorm_query_model_new (self->database, compiled, live, defer_objects, cancellable, error);
}

/**
 * gorm_query_fetch:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs @self and gives the objects it finds, in its order. Up to 25,000
 * rows (or a limit up to that) are read in one statement and their
 * objects kept by the model; a larger result is counted and loaded page
 * by page as its items are asked for (see #GormQueryModel). The model
 * does not follow later changes (see gorm_query_watch() for that).
 *
 * Returns: (transfer full): a #GListModel of the query's item type, or
 *   %NULL with @error set
 */
GListModel *
gorm_query_fetch (GormQuery     *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fetch_model (self, FALSE, FALSE, cancellable, error);
}

/**
 * gorm_query_watch:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs @self as gorm_query_fetch() does, and keeps the model up to date:
 * it follows the saves, deletes and bulk changes made through the query's
 * database, emitting #GListModel::items-changed for the objects that
 * enter, leave or move within the query.
 *
 * Returns: (transfer full): a live #GListModel of the query's item type,
 *   or %NULL with @error set
 */
GListModel *
gorm_query_watch (GormQuery     *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fetch_model (self, TRUE, FALSE, cancellable, error);
}

/* The copied SQL values of the first row, or NULL: with @error set on
 * failure, without when no row matches. */
static GValue *
select_first_row (GormQuery     *self,
                  guint64       *stamp,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GormCompiledQuery) compiled = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GArray) params = NULL;
  g_autoptr(GormRows) model = NULL;
  const GormSchema *schema;
  GormSelection selection;
  GValue *row = NULL;

  compiled = gorm_query_compile (self, error);
  if (compiled == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  schema = compiled->schema;
  selection = gorm_compiled_query_get_selection (compiled);
  params = params_new ();
  sql = gorm_dialect_render_select_rows (compiled->dialect, &selection, 1, params);

  gorm_database_lock (self->database);
  model = select_locked (self->database, sql, params, schema->sql_types, cancellable, error);
  if (model != NULL && gorm_rows_get_n_rows (model) > 0)
    {
      GormMapper *mapper = gorm_database_get_mapper_locked (self->database, schema->type, error);

      if (mapper != NULL)
        row = gorm_mapper_copy_row (mapper, model, 0, error);
    }
  /* When the row was read (see gorm_mapper_push_read_stamp()). */
  *stamp = gorm_mapper_take_read_stamp ();
  gorm_database_unlock (self->database);

  return row;
}

/* The first item of @model, a model of one row that loaded related
 * objects: the item keeps them (the model's page held them), since
 * related objects only refer to each other weakly. */
static gpointer
first_item_keeping_related (GListModel *model)
{
  GObject *item = g_list_model_get_item (model, 0);
  GPtrArray *kept;

  if (item == NULL)
    return NULL;
  kept = gorm_query_model_dup_related (GORM_QUERY_MODEL (model), 0);
  if (kept != NULL)
    g_object_set_data_full (item, "gorm-first-related", kept, (GDestroyNotify) g_ptr_array_unref);
  return item;
}

static GPtrArray *
copy_names (GPtrArray *names)
{
  GPtrArray *copy;

  if (names == NULL)
    return NULL;
  copy = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (names, i)));
  return copy;
}

/* A query of the first object @self finds (an async run compiles the
 * query later, in the worker). */
static GormQuery *
copy_for_first (GormQuery *self)
{
  GormQuery *one = gorm_database_query (self->database, self->item_type);

  if (self->condition != NULL)
    one->condition = gorm_condition_ref (self->condition);
  for (guint i = 0; i < self->orders->len; i++)
    append_order (one->orders, &g_array_index (self->orders, GormOrder, i));
  one->offset = self->offset;
  one->limit = self->limit >= 0 ? MIN (self->limit, 1) : 1;
  if (self->error != NULL)
    record_error (one, g_error_copy (self->error));
  one->select_related = copy_names (self->select_related);
  one->prefetch_related = copy_names (self->prefetch_related);
  return one;
}

/**
 * gorm_query_first:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs @self for its first object in its order (after the offset, if
 * any).
 *
 * Returns: (transfer full) (nullable) (type Gorm.Resource): the first
 *   object, or %NULL: with @error set on failure, without an error when
 *   nothing matches
 */
gpointer
gorm_query_first (GormQuery     *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  GValue *row;
  guint64 stamp;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* With related objects to load, the first page of a model of one row
   * does it. */
  if (self->select_related != NULL || self->prefetch_related != NULL)
    {
      g_autoptr(GormQuery) one = copy_for_first (self);
      g_autoptr(GListModel) model = gorm_query_fetch (one, cancellable, error);

      return model ? first_item_keeping_related (model) : NULL;
    }

  row = select_first_row (self, &stamp, cancellable, error);
  if (row == NULL)
    return NULL;
  return gorm_database_resource_from_row (self->database, self->item_type, row, error);
}

/* Row queries count and test their rows (gorm_query_select() and the
 * rest, below). */
static gboolean is_row_query (GormQuery *self);
static gint64   count_rows   (GormQuery     *self,
                              gboolean       exists,
                              GCancellable  *cancellable,
                              GError       **error);

/**
 * gorm_query_count:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Counts the objects @self finds, within its limit and offset, without
 * loading them. A query of rows ([method@Gorm.Query.select],
 * [method@Gorm.Query.annotate]) counts the rows
 * [method@Gorm.Query.fetch_rows] would give: one per group, per distinct
 * row, per row its filters on names keep.
 *
 * Returns: the number of objects or rows, or -1 with @error set
 */
gint64
gorm_query_count (GormQuery     *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  static const GType column_types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormCompiledQuery) compiled = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GArray) params = NULL;
  g_autoptr(GormRows) model = NULL;
  GormSelection selection;
  gint64 count = -1;

  g_return_val_if_fail (GORM_IS_QUERY (self), -1);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (is_row_query (self))
    return count_rows (self, FALSE, cancellable, error);

  compiled = gorm_query_compile (self, error);
  if (compiled == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  selection = gorm_compiled_query_get_selection (compiled);
  params = params_new ();
  sql = gorm_dialect_render_count (compiled->dialect, &selection, params);

  gorm_database_lock (self->database);
  model = select_locked (self->database, sql, params, column_types, cancellable, error);
  if (model != NULL)
    {
      const GValue *value = gorm_rows_get_value (model, 0, 0, error);

      if (value != NULL)
        count = g_value_get_int64 (value);
    }
  gorm_database_unlock (self->database);

  return count;
}

/**
 * gorm_query_exists:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Whether @self finds any object, within its limit and offset. Faster
 * than counting them.
 *
 * Returns: %TRUE if an object matches; %FALSE if none does, or with
 *   @error set on failure
 */
gboolean
gorm_query_exists (GormQuery     *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  static const GType column_types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormCompiledQuery) compiled = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GArray) params = NULL;
  g_autoptr(GormRows) model = NULL;
  GormSelection selection;
  gboolean exists;

  g_return_val_if_fail (GORM_IS_QUERY (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_row_query (self))
    return count_rows (self, TRUE, cancellable, error) > 0;

  compiled = gorm_query_compile (self, error);
  if (compiled == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  selection = gorm_compiled_query_get_selection (compiled);
  params = params_new ();
  sql = gorm_dialect_render_exists (compiled->dialect, &selection, params);

  gorm_database_lock (self->database);
  model = select_locked (self->database, sql, params, column_types, cancellable, error);
  exists = model != NULL && gorm_rows_get_n_rows (model) > 0;
  gorm_database_unlock (self->database);

  return exists;
}

/* Bulk changes */

/* What a bulk update writes. */
typedef struct
{
  const GormColumn *column;
  /* The value as the property holds it, for the live objects. */
  GValue            property_value;
  /* The value as it is stored, bound (and taken) by the UPDATE. */
  GValue            sql_value;
  /* Or the expression the UPDATE computes it with, property_value and
   * sql_value then unset (gorm_query_update_expressions()). */
  GormExprNode     *expression;
} Assignment;

static void
assignment_clear (Assignment *assignment)
{
  g_clear_pointer (&assignment->expression, gorm_expr_node_unref);
  if (G_IS_VALUE (&assignment->property_value))
    g_value_unset (&assignment->property_value);
  if (G_IS_VALUE (&assignment->sql_value))
    g_value_unset (&assignment->sql_value);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Assignment, assignment_clear)

static void
free_keys (GValue *keys,
           guint   n_keys)
{
  for (guint i = 0; i < n_keys; i++)
    if (G_IS_VALUE (&keys[i]))
      g_value_unset (&keys[i]);
  g_free (keys);
}

/* The keys of the rows a bulk change will change, as stored. */
static GValue *
select_keys_locked (GormDatabase             *database,
                    const GormCompiledQuery  *compiled,
                    guint                    *n_keys,
                    GCancellable             *cancellable,
                    GError                  **error)
{
  const GormSchema *schema = compiled->schema;
  GType column_types[] = { gorm_value_kind_get_sql_type (schema->key->kind), G_TYPE_NONE };
  GormSelection selection = gorm_compiled_query_get_selection (compiled);
  g_autoptr(GArray) params = params_new ();
  g_autofree char *sql = gorm_dialect_render_select_keys (compiled->dialect, &selection, params);
  g_autoptr(GormRows) model = NULL;
  GValue *keys;
  gint n_rows;

  model = select_locked (database, sql, params, column_types, cancellable, error);
  if (model == NULL)
    return NULL;

  n_rows = gorm_rows_get_n_rows (model);
  keys = g_new0 (GValue, MAX (n_rows, 1));
  for (gint row = 0; row < n_rows; row++)
    {
      const GValue *key = gorm_rows_get_value (model, 0, row, error);

      if (key == NULL)
        {
          free_keys (keys, n_rows);
          return NULL;
        }
      g_value_init (&keys[row], G_VALUE_TYPE (key));
      g_value_copy (key, &keys[row]);
    }

  *n_keys = n_rows;
  return keys;
}

/* Runs the DELETE (no assignments), or the one UPDATE of every
 * assignment. */
static gint64
write_locked (GormDatabase             *database,
              const GormCompiledQuery  *compiled,
              Assignment               *assignments,
              guint                     n_assignments,
              GCancellable             *cancellable,
              GError                  **error)
{
  GormSelection selection = gorm_compiled_query_get_selection (compiled);
  g_autoptr(GArray) params = params_new ();
  g_autofree char *sql = NULL;
  gint64 rows;

  if (n_assignments == 0)
    sql = gorm_dialect_render_bulk_delete (compiled->dialect, &selection, params);
  else
    {
      const GormColumn **columns = g_newa (const GormColumn *, n_assignments);
      GValue **values = g_newa (GValue *, n_assignments);
      GormExprNode **expressions = g_newa (GormExprNode *, n_assignments);

      for (guint i = 0; i < n_assignments; i++)
        {
          columns[i] = assignments[i].column;
          values[i] = &assignments[i].sql_value;
          expressions[i] = assignments[i].expression;
        }
      sql = gorm_dialect_render_bulk_update (compiled->dialect, &selection, n_assignments,
                                             columns, values, expressions, params);
    }

  rows = execute_locked (database, sql, params, cancellable, error);
  if (rows < 0 && n_assignments > 0)
    gorm_dialect_explain_unique_error (compiled->schema, error);
  return rows;
}

/* Gives the live objects of the changed rows their new state: deleted
 * ones leave the identity map (they are marked deleted once the signal
 * is emitted, as gorm_resource_delete() does), updated ones take the new
 * value. Returns the objects touched. */
static GPtrArray *
update_live_objects_locked (GormDatabase     *database,
                            const GormSchema *schema,
                            const GValue     *keys,
                            guint             n_keys,
                            Assignment       *assignments,
                            guint             n_assignments)
{
  GPtrArray *touched = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_keys; i++)
    {
      GormResource *resource = gorm_database_lookup_live_locked (database, schema->type, &keys[i]);

      if (resource == NULL)
        continue;
      if (n_assignments == 0)
        gorm_database_remove_live (database, resource, &keys[i]);
      for (guint j = 0; j < n_assignments; j++)
        if (assignments[j].expression == NULL)
          gorm_resource_set_stored (resource, assignments[j].column, &assignments[j].property_value);
      g_ptr_array_add (touched, resource);
    }

  return touched;
}

/* What a committed bulk change does to the live objects of its rows. */
typedef struct
{
  GormDatabase     *database;
  const GormSchema *schema;
  GValue           *keys;
  guint             n_keys;
  Assignment       *assignments;
  guint             n_assignments;
  /* The values computed by the expressions of the assignments, read back
   * for the live objects of the rows (NULL when none). */
  GPtrArray        *computed;   /* of Computed */
} BulkDone;

/* The values the database computed for a live object's row: one per
 * assignment, unset for those of constants. */
typedef struct
{
  GormResource *resource;
  GValue       *values;
  guint         n_values;
} Computed;

static void
computed_free (gpointer data)
{
  Computed *computed = data;

  g_object_unref (computed->resource);
  free_keys (computed->values, computed->n_values);
  g_free (computed);
}

static void
bulk_done_free (gpointer data)
{
  BulkDone *done = data;

  free_keys (done->keys, done->n_keys);
  for (guint i = 0; i < done->n_assignments; i++)
    assignment_clear (&done->assignments[i]);
  g_free (done->assignments);
  g_clear_pointer (&done->computed, g_ptr_array_unref);
  g_free (done);
}

/* After the UPDATE of expression assignments, in its transaction: the
 * values the database computed for the rows whose objects are live,
 * read back in one statement, into @computed. */
static gboolean
read_computed_locked (GormDatabase             *database,
                      const GormCompiledQuery  *compiled,
                      const Assignment         *assignments,
                      guint                     n_assignments,
                      const GValue             *keys,
                      guint                     n_keys,
                      GPtrArray                *computed,
                      GCancellable             *cancellable,
                      GError                  **error)
{
  const GormSchema *schema = compiled->schema;
  g_autoptr(GPtrArray) live = g_ptr_array_new ();   /* of const GValue, keys */
  g_autoptr(GormCondition) condition = NULL;
  g_autoptr(GArray) params = params_new ();
  g_autoptr(GormRows) rows = NULL;
  g_autofree char *sql = NULL;
  GormOrder by_key = { schema->key, FALSE, NULL, NULL };
  GormSelection selection = { schema, NULL, &by_key, 1, -1, 0 };
  guint n_rows;

  for (guint i = 0; i < n_keys; i++)
    {
      g_autoptr(GormResource) resource = gorm_database_lookup_live_locked (database, schema->type, &keys[i]);

      if (resource != NULL)
        g_ptr_array_add (live, (gpointer) &keys[i]);
    }
  if (live->len == 0)
    return TRUE;

  /* The rows of the live objects, by key. */
  condition = gorm_condition_new_leaf (GORM_CONDITION_IN, schema->key, live->len);
  for (guint i = 0; i < live->len; i++)
    {
      const GValue *key = g_ptr_array_index (live, i);

      g_value_init (&condition->values[i], G_VALUE_TYPE (key));
      g_value_copy (key, &condition->values[i]);
    }
  selection.condition = condition;
  sql = gorm_dialect_render_select_rows (compiled->dialect, &selection, -1, params);
  rows = select_locked (database, sql, params, schema->sql_types, cancellable, error);
  if (rows == NULL)
    return FALSE;

  n_rows = gorm_rows_get_n_rows (rows);
  for (guint row = 0; row < n_rows; row++)
    {
      const GValue *key = gorm_rows_get_value (rows, schema->key->index, row, error);
      Computed *values;

      if (key == NULL)
        return FALSE;
      values = g_new0 (Computed, 1);
      values->resource = gorm_database_lookup_live_locked (database, schema->type, key);
      values->values = g_new0 (GValue, n_assignments);
      values->n_values = n_assignments;
      if (values->resource == NULL)
        {
          computed_free (values);
          continue;
        }
      g_ptr_array_add (computed, values);
      for (guint j = 0; j < n_assignments; j++)
        {
          const GormColumn *column = assignments[j].column;
          const GValue *value;

          if (assignments[j].expression == NULL)
            continue;
          value = gorm_rows_get_value (rows, column->index, row, error);
          if (value == NULL)
            return FALSE;
          /* The NULL of a number is a mark beside the property. */
          if (gorm_value_is_sql_null (value) && gorm_column_marks_null (column))
            g_value_init (&values->values[j], GORM_TYPE_SQL_NULL);
          else if (!gorm_value_from_sql (column->kind, column->pspec, value, &values->values[j], error))
            return FALSE;
        }
    }
  return TRUE;
}

static void
mark_deleted_cb (gpointer data,
                 gpointer unused)
{
  gorm_resource_mark_deleted (data);
}

/* Runs once the bulk change is committed, outermost transaction
 * included (see gorm_change_feed_on_commit_locked()): a rolled-back one
 * leaves the live objects as they were. */
static void
bulk_done_cb (gpointer data,
              gpointer unused)
{
  BulkDone *done = data;
  g_autoptr(GPtrArray) touched = NULL;

  touched = update_live_objects_locked (done->database, done->schema, done->keys, done->n_keys,
                                        done->assignments, done->n_assignments);
  for (guint i = 0; done->computed != NULL && i < done->computed->len; i++)
    {
      Computed *computed = g_ptr_array_index (done->computed, i);

      for (guint j = 0; j < computed->n_values; j++)
        if (G_IS_VALUE (&computed->values[j]))
          gorm_resource_set_stored (computed->resource, done->assignments[j].column,
                                    &computed->values[j]);
    }
  for (guint i = 0; i < touched->len; i++)
    {
      GormResource *resource = g_ptr_array_index (touched, i);

      /* The signal sees the object as it was, with its id: both wait
       * for the lock to be let go when this runs under it in the main
       * context. */
      if (done->n_assignments == 0)
        {
          gorm_database_emit_deleted (done->database, resource);
          gorm_database_defer (done->database, mark_deleted_cb, g_object_ref (resource), g_object_unref);
        }
      else
        gorm_database_emit_saved (done->database, resource, FALSE);
    }
}

/* The procedure of a bulk delete (no assignments) or update, in one
 * transaction under the database lock: the keys of the rows to change are
 * read first, to announce the change to live models and to find the live
 * objects, which change only once the transaction committed. When the
 * type has neither, the keys are not read. */
static gint64
run_bulk (GormQuery                *self,
          const GormCompiledQuery  *compiled,
          Assignment               *assignments,
          guint                     n_assignments,
          GCancellable             *cancellable,
          GError                  **error)
{
  GormDatabase *database = self->database;
  const GormSchema *schema = compiled->schema;
  GValue *keys = NULL;
  guint n_keys = 0;
  gint64 rows = -1;
  gboolean watched;
  gboolean referenced;
  GormOnDeletePlan *on_delete = NULL;
  g_autoptr(GPtrArray) computed = NULL;
  gboolean computes = FALSE;

  for (guint i = 0; i < n_assignments; i++)
    computes |= assignments[i].expression != NULL;

  gorm_database_lock (database);
  if (!gorm_database_begin_locked (database, error))
    {
      gorm_database_unlock (database);
      return -1;
    }

  watched = gorm_database_has_watchers_locked (database, schema->type);
  /* A delete of rows other types refer to reads the keys too, for the
   * ON DELETE actions (gorm_database_plan_on_delete_locked()). */
  referenced = n_assignments == 0 && gorm_schema_has_dependents (schema);
  if (watched || referenced || gorm_database_has_live_locked (database, schema->type))
    {
      keys = select_keys_locked (database, compiled, &n_keys, cancellable, error);
      if (keys == NULL)
        goto failed;
    }

  /* The transaction holds the write lock since it began: no other
   * connection can have changed the rows since they were read. Without
   * keys read, nothing is known to match and the statement runs. */
  if (keys == NULL || n_keys > 0)
    {
      if (referenced)
        {
          g_autoptr(GError) local_error = NULL;

          on_delete = gorm_database_plan_on_delete_locked (database, schema, keys, n_keys,
                                                           &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              goto failed;
            }
        }
      if (watched)
        gorm_database_begin_change_locked (database, schema->type, keys, n_keys);
      rows = write_locked (database, compiled, assignments, n_assignments, cancellable, error);
      /* The live objects of the rows get what the database computed. */
      if (rows >= 0 && computes && keys != NULL)
        {
          computed = g_ptr_array_new_with_free_func (computed_free);
          if (!read_computed_locked (database, compiled, assignments, n_assignments, keys, n_keys,
                                     computed, cancellable, error))
            rows = -1;
        }
      if (watched)
        gorm_database_end_change_locked (database, schema->type, keys, n_keys,
                                         rows >= 0 && n_assignments == 0);
      gorm_database_finish_on_delete_locked (database, g_steal_pointer (&on_delete), rows >= 0);
      if (rows < 0)
        goto failed;
    }
  else
    rows = 0;

  if (!gorm_database_commit_locked (database, error))
    goto failed;

  if (keys != NULL)
    {
      BulkDone *done = g_new0 (BulkDone, 1);

      /* The hook may run after this call returns, when a transaction
       * encloses this one: it keeps copies of the new values. */
      done->database = database;
      done->schema = schema;
      done->keys = g_steal_pointer (&keys);
      done->n_keys = n_keys;
      done->assignments = g_new0 (Assignment, MAX (n_assignments, 1));
      done->n_assignments = n_assignments;
      for (guint i = 0; i < n_assignments; i++)
        {
          done->assignments[i].column = assignments[i].column;
          if (assignments[i].expression != NULL)
            {
              /* A mark only: the values are in computed. */
              done->assignments[i].expression = gorm_expr_node_ref (assignments[i].expression);
              continue;
            }
          g_value_init (&done->assignments[i].property_value,
                        G_VALUE_TYPE (&assignments[i].property_value));
          g_value_copy (&assignments[i].property_value, &done->assignments[i].property_value);
        }
      done->computed = g_steal_pointer (&computed);
      gorm_change_feed_on_commit_locked (gorm_database_get_change_feed (database),
                                         bulk_done_cb, done, bulk_done_free);
    }
  gorm_database_unlock (database);

  return rows;

failed:
  gorm_database_rollback_locked (database, NULL);
  gorm_database_unlock (database);
  if (keys != NULL)
    free_keys (keys, n_keys);
  return -1;
}

/**
 * gorm_query_delete:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Deletes the rows of the objects @self finds (within its limit and
 * offset, in its order), in one transaction. Their live objects are
 * afterwards not saved, with an id of 0, and
 * #GormDatabase::resource-deleted is emitted for each of them.
 *
 * Returns: the number of rows deleted, or -1 with @error set; on failure
 *   nothing is deleted
 */
gint64
gorm_query_delete (GormQuery     *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GormCompiledQuery) compiled = NULL;

  g_return_val_if_fail (GORM_IS_QUERY (self), -1);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  compiled = gorm_query_compile (self, error);
  if (compiled == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  return run_bulk (self, compiled, NULL, 0, cancellable, error);
}

/* The column a bulk update sets @property in. */
static const GormColumn *
find_assigned_column (const GormSchema  *schema,
                      const char        *property,
                      GError           **error)
{
  const GormColumn *column;

  if (property == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                   "Cannot update %s in bulk: no property name (NULL) was given",
                   schema->type_name);
      return NULL;
    }

  column = gorm_schema_find_column (schema, property);
  if (column == NULL)
    {
      g_propagate_error (error, unknown_property_error (schema, property));
      return NULL;
    }
  if (column == schema->key)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "Cannot update %s:%s in bulk: it is the primary key",
                   schema->type_name, column->pspec->name);
      return NULL;
    }
  return column;
}

/* Checks and converts the value of a bulk update, as a save would. */
static gboolean
prepare_assignment (const GormSchema  *schema,
                    const char        *property,
                    const GValue      *value,
                    Assignment        *assignment,
                    GError           **error)
{
  assignment->column = find_assigned_column (schema, property, error);
  if (assignment->column == NULL)
    return FALSE;
  return gorm_mapper_convert_user_value (schema, assignment->column, value,
                                         &assignment->property_value, &assignment->sql_value, error);
}

/* The same for an expression: a constant is a value, checked as a save
 * would check it; another expression is compiled for the column. */
static gboolean
prepare_expression_assignment (const GormSchema  *schema,
                               const char        *property,
                               GormExpression    *expression,
                               Assignment        *assignment,
                               GError           **error)
{
  if (expression == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "Cannot update %s:%s in bulk: no expression (NULL) was given",
                   schema->type_name, property ? property : "(NULL)");
      return FALSE;
    }
  if (gorm_expression_peek_value (expression) != NULL)
    return prepare_assignment (schema, property, gorm_expression_peek_value (expression),
                               assignment, error);

  assignment->column = find_assigned_column (schema, property, error);
  if (assignment->column == NULL)
    return FALSE;
  assignment->expression = gorm_expression_compile_for_column (expression, schema,
                                                               assignment->column, error);
  if (assignment->expression == NULL)
    {
      g_prefix_error (error, "Cannot update %s:%s in bulk: ", schema->type_name,
                      assignment->column->pspec->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * gorm_query_update:
 * @self: a query
 * @property: the name of a stored property
 * @value: (nullable): its new value; %NULL, or a value holding %NULL, for
 *   NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Sets @property to @value in the rows of the objects @self finds (within
 * its limit and offset, in its order), in one transaction. @value is
 * checked as a save checks it: it must convert without loss to the
 * property's type (else %GORM_ERROR_TYPE_MISMATCH) and respect its
 * maximum length (else %GORM_ERROR_VALIDATION). NULL where the column
 * takes none (a number without gorm_resource_class_set_nullable()) is
 * %GORM_ERROR_VALIDATION too. The primary key cannot be updated in bulk.
 *
 * Unlike gorm_resource_save(), a bulk update writes only @property: the
 * automatic timestamps of gorm_resource_class_set_auto_now() are not
 * changed.
 *
 * The live objects of the rows take the new value without becoming
 * dirty, and #GormDatabase::resource-saved is emitted for each of them.
 *
 * Returns: the number of rows updated, or -1 with @error set; on failure
 *   nothing is updated
 */
gint64
gorm_query_update (GormQuery     *self,
                   const char    *property,
                   const GValue  *value,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GormCompiledQuery) compiled = NULL;
  g_auto(Assignment) assignment = { NULL, G_VALUE_INIT, G_VALUE_INIT };

  g_return_val_if_fail (GORM_IS_QUERY (self), -1);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  compiled = gorm_query_compile (self, error);
  if (compiled == NULL ||
      !prepare_assignment (compiled->schema, property, value, &assignment, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  return run_bulk (self, compiled, &assignment, 1, cancellable, error);
}

/* Asynchronous runners: the synchronous ones, on the worker thread of the
 * query's database. The query is not changed while a call runs. */

typedef enum {
  RUN_FETCH,
  RUN_WATCH,
  RUN_FIRST,
  RUN_COUNT,
  RUN_EXISTS,
  RUN_DELETE,
  RUN_UPDATE,
} Runner;

typedef struct
{
  Runner  runner;
  char   *property;
  GValue  value;
} RunCall;

static void
run_call_free (RunCall *call)
{
  g_free (call->property);
  if (G_IS_VALUE (&call->value))
    g_value_unset (&call->value);
  g_free (call);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GormQuery *self = source_object;
  RunCall *call = task_data;
  GError *error = NULL;
  gint64 number;

  switch (call->runner)
    {
    case RUN_FETCH:
    case RUN_WATCH:
      {
        /* A snapshot's objects are made in the main context, by
         * gorm_query_fetch_finish(). */
        GListModel *model = fetch_model (self, call->runner == RUN_WATCH, TRUE, cancellable,
                                         &error);

        gorm_task_return_pointer (task, model, g_object_unref, error);
      }
      return;
    case RUN_FIRST:
      /* The row travels; its object is made in the main context, by
       * gorm_query_first_finish(). */
      {
        guint64 stamp;
        GValue *row = select_first_row (self, &stamp, cancellable, &error);

        g_object_set_data (G_OBJECT (task), "gorm-read-stamp", GSIZE_TO_POINTER ((gsize) stamp));
        gorm_task_return_pointer (task, row, (GDestroyNotify) gorm_mapper_free_row, error);
      }
      return;
    case RUN_COUNT:
      number = gorm_query_count (self, cancellable, &error);
      break;
    case RUN_EXISTS:
      number = gorm_query_exists (self, cancellable, &error);
      break;
    case RUN_DELETE:
      number = gorm_query_delete (self, cancellable, &error);
      break;
    case RUN_UPDATE:
      number = gorm_query_update (self, call->property,
                                  G_IS_VALUE (&call->value) ? &call->value : NULL,
                                  cancellable, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  gorm_task_return_int (task, number, error);
}

static void
run_async (GormQuery           *self,
           RunCall             *call,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data,
           gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;

  task = gorm_database_new_task (self->database, self, cancellable, callback, user_data, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) run_call_free);
  gorm_database_run_task (self->database, task, run_thread);
}

static void
run_simple_async (GormQuery           *self,
                  Runner               runner,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag)
{
  RunCall *call = g_new0 (RunCall, 1);

  call->runner = runner;
  run_async (self, call, cancellable, callback, user_data, source_tag);
}

static GTask *
check_result (GormQuery    *self,
              GAsyncResult *result,
              gpointer      source_tag)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), NULL);

  return G_TASK (result);
}

/**
 * gorm_query_fetch_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the model
 * @user_data: data for @callback
 *
 * Runs gorm_query_fetch() on the worker thread of the query's database:
 * the model reads its rows (or counts them, for more than 25,000) there,
 * and reaches @callback in the main context; gorm_query_fetch_finish()
 * builds the objects of the rows read, in the thread that calls it.
 */
void
gorm_query_fetch_async (GormQuery           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (GORM_IS_QUERY (self));

  run_simple_async (self, RUN_FETCH, cancellable, callback, user_data, gorm_query_fetch_async);
}

/**
 * gorm_query_fetch_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_query_fetch_async().
 *
 * Returns: (transfer full): a #GormQueryModel, or %NULL with @error set
 */
GListModel *
gorm_query_fetch_finish (GormQuery     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_fetch_async);
  g_autoptr(GListModel) model = task ? g_task_propagate_pointer (task, error) : NULL;

  if (model == NULL || !gorm_query_model_take_objects (GORM_QUERY_MODEL (model), error))
    return NULL;
  return g_steal_pointer (&model);
}

/**
 * gorm_query_watch_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the live model
 * @user_data: data for @callback
 *
 * Runs gorm_query_watch() on the worker thread of the query's database.
 */
void
gorm_query_watch_async (GormQuery           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (GORM_IS_QUERY (self));

  run_simple_async (self, RUN_WATCH, cancellable, callback, user_data, gorm_query_watch_async);
}

/**
 * gorm_query_watch_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_query_watch_async().
 *
 * Returns: (transfer full): a live #GormQueryModel, or %NULL with @error
 *   set
 */
GListModel *
gorm_query_watch_finish (GormQuery     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_watch_async);

  return task ? g_task_propagate_pointer (task, error) : NULL;
}

static void
first_fetched_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GListModel) model = gorm_query_fetch_finish (GORM_QUERY (source), result, &error);

  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, first_item_keeping_related (model), g_object_unref);
}

/**
 * gorm_query_first_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the first object
 * @user_data: data for @callback
 *
 * Runs gorm_query_first() on the worker thread of the query's database.
 * The row is read there; its object is made (or found, when it is alive)
 * in the main context by gorm_query_first_finish(), from the row as it
 * was when the call ran.
 */
void
gorm_query_first_async (GormQuery           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (GORM_IS_QUERY (self));

  /* With related objects to load, through a model of one row, as
   * gorm_query_first() does. */
  if (self->select_related != NULL || self->prefetch_related != NULL)
    {
      GTask *task = g_task_new (self, cancellable, callback, user_data);
      g_autoptr(GormQuery) one = copy_for_first (self);

      g_task_set_source_tag (task, gorm_query_first_async);
      g_object_set_data (G_OBJECT (task), "gorm-first-object", GINT_TO_POINTER (TRUE));
      gorm_query_fetch_async (one, cancellable, first_fetched_cb, task);
      return;
    }

  run_simple_async (self, RUN_FIRST, cancellable, callback, user_data, gorm_query_first_async);
}

/**
 * gorm_query_first_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_query_first_async().
 *
 * Returns: (transfer full) (nullable) (type Gorm.Resource): the first
 *   object, or %NULL: with @error set on failure, without when nothing
 *   matches
 */
gpointer
gorm_query_first_finish (GormQuery     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_first_async);
  GValue *row;
  gpointer resource;

  if (task != NULL && g_object_get_data (G_OBJECT (task), "gorm-first-object") != NULL)
    return g_task_propagate_pointer (task, error);
  row = task ? g_task_propagate_pointer (task, error) : NULL;
  if (row == NULL)
    return NULL;
  /* A later load or save of the object keeps its values. */
  gorm_mapper_push_read_stamp (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "gorm-read-stamp")));
  resource = gorm_database_resource_from_row (self->database, self->item_type, row, error);
  gorm_mapper_pop_read_stamp ();
  return resource;
}

/**
 * gorm_query_count_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the count
 * @user_data: data for @callback
 *
 * Runs gorm_query_count() on the worker thread of the query's database.
 */
void
gorm_query_count_async (GormQuery           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (GORM_IS_QUERY (self));

  run_simple_async (self, RUN_COUNT, cancellable, callback, user_data, gorm_query_count_async);
}

/**
 * gorm_query_count_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_query_count_async().
 *
 * Returns: the number of matching objects, or -1 with @error set
 */
gint64
gorm_query_count_finish (GormQuery     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_count_async);

  return task ? g_task_propagate_int (task, error) : -1;
}

/**
 * gorm_query_exists_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: data for @callback
 *
 * Runs gorm_query_exists() on the worker thread of the query's database.
 */
void
gorm_query_exists_async (GormQuery           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (GORM_IS_QUERY (self));

  run_simple_async (self, RUN_EXISTS, cancellable, callback, user_data, gorm_query_exists_async);
}

/**
 * gorm_query_exists_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_query_exists_async().
 *
 * Returns: %TRUE if an object matches; %FALSE if none does, or with
 *   @error set
 */
gboolean
gorm_query_exists_finish (GormQuery     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_exists_async);

  return task ? g_task_propagate_int (task, error) > 0 : FALSE;
}

/**
 * gorm_query_delete_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the number of rows deleted
 * @user_data: data for @callback
 *
 * Runs gorm_query_delete() on the worker thread of the query's database.
 */
void
gorm_query_delete_async (GormQuery           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (GORM_IS_QUERY (self));

  run_simple_async (self, RUN_DELETE, cancellable, callback, user_data, gorm_query_delete_async);
}

/**
 * gorm_query_delete_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_query_delete_async().
 *
 * Returns: the number of rows deleted, or -1 with @error set
 */
gint64
gorm_query_delete_finish (GormQuery     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_delete_async);

  return task ? g_task_propagate_int (task, error) : -1;
}

/**
 * gorm_query_update_async:
 * @self: a query
 * @property: the property to set
 * @value: (nullable): its new value; %NULL, or a value holding %NULL, for
 *   NULL, as for gorm_query_update()
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the number of rows changed
 * @user_data: data for @callback
 *
 * Runs gorm_query_update() on the worker thread of the query's database.
 * @value is copied.
 */
void
gorm_query_update_async (GormQuery           *self,
                         const char          *property,
                         const GValue        *value,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  RunCall *call;

  g_return_if_fail (GORM_IS_QUERY (self));

  /* A NULL @property fails as gorm_query_update() fails, in the callback. */
  call = g_new0 (RunCall, 1);
  call->runner = RUN_UPDATE;
  call->property = g_strdup (property);
  if (value != NULL && G_IS_VALUE (value))
    {
      g_value_init (&call->value, G_VALUE_TYPE (value));
      g_value_copy (value, &call->value);
    }
  run_async (self, call, cancellable, callback, user_data, gorm_query_update_async);
}

/**
 * gorm_query_update_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_query_update_async().
 *
 * Returns: the number of rows changed, or -1 with @error set
 */
gint64
gorm_query_update_finish (GormQuery     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_update_async);

  return task ? g_task_propagate_int (task, error) : -1;
}

static void
assignments_free (Assignment *assignments,
                  guint       n_assignments)
{
  for (guint i = 0; i < n_assignments; i++)
    assignment_clear (&assignments[i]);
  g_free (assignments);
}

/* Whether the column of assignment @i is that of an earlier one. */
static gboolean
given_before (const Assignment *assignments,
              guint             i)
{
  for (guint j = 0; j < i; j++)
    if (assignments[j].column == assignments[i].column)
      return TRUE;
  return FALSE;
}

/* The update of gorm_query_update_values() (@values) and of
 * gorm_query_update_expressions() (@expressions): one UPDATE of every
 * property, all checked before any SQL. */
static gint64
run_update (GormQuery               *self,
            guint                    n_values,
            const char * const      *property_names,
            const GValue            *values,
            GormExpression * const  *expressions,
            GCancellable            *cancellable,
            GError                 **error)
{
  g_autoptr(GormCompiledQuery) compiled = NULL;
  Assignment *assignments;
  gint64 rows = -1;
  guint prepared = 0;

  compiled = gorm_query_compile (self, error);
  if (compiled == NULL)
    return -1;
  if (n_values == 0)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "Cannot update %s in bulk: no property to set was given",
                   compiled->schema->type_name);
      return -1;
    }

  assignments = g_new0 (Assignment, n_values);
  for (; prepared < n_values; prepared++)
    {
      const char *property = property_names[prepared];

      if (property == NULL)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                       "Cannot update %s in bulk: property %u of %u is NULL",
                       compiled->schema->type_name, prepared + 1, n_values);
          break;
        }
      if (expressions != NULL)
        {
          if (!prepare_expression_assignment (compiled->schema, property, expressions[prepared],
                                              &assignments[prepared], error))
            break;
        }
      /* An unset GValue is NULL, as prepare_assignment() takes it. */
      else if (!prepare_assignment (compiled->schema, property,
                                    G_IS_VALUE (&values[prepared]) ? &values[prepared] : NULL,
                                    &assignments[prepared], error))
        break;
      if (given_before (assignments, prepared))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                       "Cannot update %s:%s in bulk: the property is given twice",
                       compiled->schema->type_name, assignments[prepared].column->pspec->name);
          break;
        }
    }

  /* Every assignment is cleared, the one that failed half-filled included. */
  if (prepared == n_values && !g_cancellable_set_error_if_cancelled (cancellable, error))
    rows = run_bulk (self, compiled, assignments, n_values, cancellable, error);
  assignments_free (assignments, n_values);
  return rows;
}

/**
 * gorm_query_update_values:
 * @self: a query
 * @n_values: the number of @property_names and of @values
 * @property_names: (array length=n_values): the names of stored property_names, each
 *   at most once
 * @values: (array length=n_values): their new values, in the same order; a
 *   value holding %NULL (or an unset one) for NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Sets each of @property_names to its value of @values in the rows of the
 * objects @self finds (within its limit and offset, in its order), with one
 * UPDATE statement, in one transaction: the multi-property form of
 * gorm_query_update(), whose rules it follows. Every value is checked
 * before any SQL runs: an unknown property is
 * %GORM_ERROR_UNKNOWN_PROPERTY, a value that does not convert without loss
 * %GORM_ERROR_TYPE_MISMATCH, one beyond its maximum length
 * %GORM_ERROR_VALIDATION; the primary key, a property given twice or no
 * property at all is %GORM_ERROR_FAILED.
 *
 * Since the rows are chosen once, before they change, a property the
 * query filters or orders on can be updated with the others.
 *
 * The live objects of the rows take the new values without becoming
 * dirty, and #GormDatabase::resource-saved is emitted once for each.
 *
 * Returns: the number of rows updated, or -1 with @error set; on failure
 *   nothing is updated
 *
 * Since: 1.0
 */
gint64
gorm_query_update_values (GormQuery           *self,
                          guint                n_values,
                          const char * const  *property_names,
                          const GValue        *values,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), -1);
  g_return_val_if_fail (property_names != NULL || n_values == 0, -1);
  g_return_val_if_fail (values != NULL || n_values == 0, -1);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return run_update (self, n_values, property_names, values, NULL, cancellable, error);
}

/**
 * gorm_query_update_expressions:
 * @self: a query
 * @n_properties: the number of @property_names and of @expressions
 * @property_names: (array length=n_properties): the names of stored
 *   properties, each at most once
 * @expressions: (array length=n_properties): their new values, in the
 *   same order: each computed by the database from the row as it was
 *   before the update (a [func@Gorm.Expression.value] for a constant)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Sets each of @property_names to the value of its expression in the rows
 * of the objects @self finds (within its limit and offset, in its
 * order), with one `UPDATE … SET property = expression, …` statement, in
 * one transaction: Django's `update (votes = F ("votes") + 1)`.
 *
 * The rules of [method@Gorm.Query.update_values] apply: a constant is checked
 * as a save checks it. An expression must give values of the property's
 * type without loss (an integer for an integer property, a number for a
 * double one, a date-time for a date-time one, a property of the same
 * type otherwise), else %GORM_ERROR_TYPE_MISMATCH; an unknown property
 * is %GORM_ERROR_UNKNOWN_PROPERTY; an aggregate or a path through a
 * reverse or many-to-many relation %GORM_ERROR_VALIDATION. Each
 * expression sees the row as it was: `a = b, b = a` swaps them.
 *
 * The loaded objects of the updated rows get the values the database
 * computed (read back in the same transaction, in one statement) without
 * becoming dirty, #GormDatabase::resource-saved is emitted for each, and
 * live models follow the rows that enter, leave or move.
 *
 * A statement the database refuses (a constraint, a division by zero on
 * PostgreSQL, a NULL computed for a property that takes none) fails with
 * its error, leaving every row and every object as it was.
 *
 * Returns: the number of rows updated, or -1 with @error set; on failure
 *   nothing is updated
 *
 * Since: 1.0
 */
gint64
gorm_query_update_expressions (GormQuery               *self,
                               guint                    n_properties,
                               const char * const      *property_names,
                               GormExpression * const  *expressions,
                               GCancellable            *cancellable,
                               GError                 **error)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), -1);
  g_return_val_if_fail (property_names != NULL || n_properties == 0, -1);
  g_return_val_if_fail (expressions != NULL || n_properties == 0, -1);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return run_update (self, n_properties, property_names, NULL, expressions, cancellable, error);
}

typedef struct
{
  guint   n_values;
  char  **names;
  GValue *values;
} UpdateValuesCall;

static void
update_values_call_free (UpdateValuesCall *call)
{
  /* A NULL name may come before others: not a string vector. */
  for (guint i = 0; i < call->n_values; i++)
    {
      g_free (call->names[i]);
      if (G_IS_VALUE (&call->values[i]))
        g_value_unset (&call->values[i]);
    }
  g_free (call->names);
  g_free (call->values);
  g_free (call);
}

static void
update_values_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  UpdateValuesCall *call = task_data;
  GError *error = NULL;
  gint64 rows = gorm_query_update_values (source_object, call->n_values,
                                          (const char * const *) call->names,
                                          call->values, cancellable, &error);

  gorm_task_return_int (task, rows, error);
}

/**
 * gorm_query_update_values_async:
 * @self: a query
 * @n_values: the number of @property_names and of @values
 * @property_names: (array length=n_values): the names of stored property_names
 * @values: (array length=n_values): their new values, in the same order
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the number of rows changed
 * @user_data: data for @callback
 *
 * Runs gorm_query_update_values() on the worker thread of the query's
 * database. @property_names and @values are copied.
 *
 * Since: 1.0
 */
void
gorm_query_update_values_async (GormQuery           *self,
                                guint                n_values,
                                const char * const  *property_names,
                                const GValue        *values,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  UpdateValuesCall *call;

  g_return_if_fail (GORM_IS_QUERY (self));
  g_return_if_fail (property_names != NULL || n_values == 0);
  g_return_if_fail (values != NULL || n_values == 0);

  call = g_new0 (UpdateValuesCall, 1);
  call->n_values = n_values;
  call->names = g_new0 (char *, n_values + 1);
  call->values = g_new0 (GValue, MAX (n_values, 1));
  for (guint i = 0; i < n_values; i++)
    {
      /* A NULL name stays NULL, for the call to refuse it. */
      call->names[i] = g_strdup (property_names[i]);
      if (G_IS_VALUE (&values[i]))
        {
          g_value_init (&call->values[i], G_VALUE_TYPE (&values[i]));
          g_value_copy (&values[i], &call->values[i]);
        }
    }
  task = gorm_database_new_task (self->database, self, cancellable, callback, user_data,
                                 gorm_query_update_values_async);
  g_task_set_task_data (task, call, (GDestroyNotify) update_values_call_free);
  gorm_database_run_task (self->database, task, update_values_thread);
}

/**
 * gorm_query_update_values_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_query_update_values_async().
 *
 * Returns: the number of rows changed, or -1 with @error set
 *
 * Since: 1.0
 */
gint64
gorm_query_update_values_finish (GormQuery     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_update_values_async);

  return task ? g_task_propagate_int (task, error) : -1;
}

typedef struct
{
  guint             n_properties;
  char            **names;
  GormExpression  **expressions;
} UpdateExpressionsCall;

static void
update_expressions_call_free (UpdateExpressionsCall *call)
{
  /* A NULL name or expression may come before others. */
  for (guint i = 0; i < call->n_properties; i++)
    {
      g_free (call->names[i]);
      g_clear_pointer (&call->expressions[i], gorm_expression_unref);
    }
  g_free (call->names);
  g_free (call->expressions);
  g_free (call);
}

static void
update_expressions_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  UpdateExpressionsCall *call = task_data;
  GError *error = NULL;
  gint64 rows = gorm_query_update_expressions (source_object, call->n_properties,
                                               (const char * const *) call->names,
                                               call->expressions, cancellable, &error);

  gorm_task_return_int (task, rows, error);
}

/**
 * gorm_query_update_expressions_async:
 * @self: a query
 * @n_properties: the number of @property_names and of @expressions
 * @property_names: (array length=n_properties): the names of stored properties
 * @expressions: (array length=n_properties): their new values, in the
 *   same order
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the number of rows changed
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Query.update_expressions] on the worker thread of the
 * query's database. @property_names are copied and @expressions referenced.
 *
 * Since: 1.0
 */
void
gorm_query_update_expressions_async (GormQuery               *self,
                                     guint                    n_properties,
                                     const char * const      *property_names,
                                     GormExpression * const  *expressions,
                                     GCancellable            *cancellable,
                                     GAsyncReadyCallback      callback,
                                     gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  UpdateExpressionsCall *call;

  g_return_if_fail (GORM_IS_QUERY (self));
  g_return_if_fail (property_names != NULL || n_properties == 0);
  g_return_if_fail (expressions != NULL || n_properties == 0);

  call = g_new0 (UpdateExpressionsCall, 1);
  call->n_properties = n_properties;
  call->names = g_new0 (char *, n_properties + 1);
  call->expressions = g_new0 (GormExpression *, MAX (n_properties, 1));
  for (guint i = 0; i < n_properties; i++)
    {
      /* A NULL stays NULL, for the call to refuse it. */
      call->names[i] = g_strdup (property_names[i]);
      if (expressions[i] != NULL)
        call->expressions[i] = gorm_expression_ref (expressions[i]);
    }
  task = gorm_database_new_task (self->database, self, cancellable, callback, user_data,
                                 gorm_query_update_expressions_async);
  g_task_set_task_data (task, call, (GDestroyNotify) update_expressions_call_free);
  gorm_database_run_task (self->database, task, update_expressions_thread);
}

/**
 * gorm_query_update_expressions_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Query.update_expressions_async].
 *
 * Returns: the number of rows changed, or -1 with @error set
 *
 * Since: 1.0
 */
gint64
gorm_query_update_expressions_finish (GormQuery     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_update_expressions_async);

  return task ? g_task_propagate_int (task, error) : -1;
}

/* Row queries: gorm_query_select(), _select_properties(), _annotate(),
 * _distinct(), _fetch_rows(), _aggregate() */

typedef struct
{
  char         *name;
  GormExprNode *node;
  /* gorm_query_annotate(): a column computed per object. */
  gboolean      annotation;
} RowColumn;

typedef struct
{
  /* A name or a property, or an expression (order_by_expression()). */
  char         *name;
  GormExprNode *node;
  gboolean      descending;
} RowOrderBy;

static void
row_column_free (RowColumn *column)
{
  g_free (column->name);
  g_clear_pointer (&column->node, gorm_expr_node_unref);
  g_free (column);
}

static void
row_order_clear (gpointer data)
{
  RowOrderBy *order = data;

  g_free (order->name);
  g_clear_pointer (&order->node, gorm_expr_node_unref);
}

/* The names a query's filters and orders can use in place of properties:
 * a schema whose columns are the row columns, under their names, of the
 * types of their values. The conditions compiled against it live in
 * the query, which keeps it. */
static void
names_schema_free (GormSchema *schema)
{
  for (guint i = 0; i < schema->n_columns; i++)
    {
      g_free (schema->columns[i].name);
      g_param_spec_unref (schema->columns[i].pspec);
    }
  g_free (schema->columns);
  g_hash_table_unref (schema->by_name);
  g_free (schema);
}

static RowColumn *
find_row_column (GormQuery  *self,
                 const char *name)
{
  for (guint i = 0; self->row_columns != NULL && i < self->row_columns->len; i++)
    {
      RowColumn *column = g_ptr_array_index (self->row_columns, i);

      if (g_str_equal (column->name, name))
        return column;
    }
  return NULL;
}

/* Whether @column holds the very property (or forward path) its name
 * names, as gorm_query_select_properties() makes it: a filter or an order
 * on that name is one on the property, which object runners take too. */
static gboolean
names_its_property (GormQuery       *self,
                    const RowColumn *column)
{
  const GormPath *path = NULL;
  const GormColumn *resolved;

  if (column->node->op != GORM_EXPR_COLUMN ||
      (column->node->path != NULL && column->node->path->multi_valued))
    return FALSE;
  resolved = gorm_filter_resolve_path (self->schema, column->name, &path, NULL);
  return resolved == column->node->column && path == column->node->path;
}

static void
add_row_column (GormQuery      *self,
                const char     *name,
                GormExpression *expression,
                gboolean        annotation)
{
  const char *function = annotation ? "gorm_query_annotate()" : "gorm_query_select()";
  GError *error = NULL;
  GormExprNode *node;
  RowColumn *column;

  if (self->error != NULL)
    return;
  if (name == NULL || *name == '\0')
    {
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_VALIDATION,
                                       "Cannot query %s: %s was given no name",
                                       self->schema->type_name, function));
      return;
    }
  if (expression == NULL)
    {
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_FAILED,
                                       "Cannot query %s: %s was given no expression (NULL) "
                                       "for “%s”", self->schema->type_name, function, name));
      return;
    }
  if (find_row_column (self, name) != NULL)
    {
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_VALIDATION,
                                       "Cannot query %s: the name “%s” is given to two columns",
                                       self->schema->type_name, name));
      return;
    }
  if (annotation && gorm_schema_find_column (self->schema, name) != NULL)
    {
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_VALIDATION,
                                       "Cannot annotate %s with “%s”: %s has a property of "
                                       "that name", self->schema->type_name, name,
                                       self->schema->type_name));
      return;
    }

  node = gorm_expression_compile (expression, self->schema,
                                  GORM_EXPRESSION_COMPILE_AGGREGATES |
                                  GORM_EXPRESSION_COMPILE_MULTI_VALUED, &error);
  if (node == NULL)
    {
      record_error (self, error);
      return;
    }

  column = g_new0 (RowColumn, 1);
  column->name = g_strdup (name);
  column->node = node;
  column->annotation = annotation;
  if (self->row_columns == NULL)
    self->row_columns = g_ptr_array_new_with_free_func ((GDestroyNotify) row_column_free);
  g_ptr_array_add (self->row_columns, column);
}

/**
 * gorm_query_select:
 * @self: a query
 * @name: the name of the column
 * @expression: (transfer full): what the column holds
 *
 * Adds a column @name holding @expression to the rows of @self, which
 * makes it a row query: [method@Gorm.Query.fetch_rows] gives its rows, as
 * [class@Gorm.Row]s with the columns in the order they were added. Takes
 * @expression.
 *
 * When some of the columns are aggregates ([ctor@Gorm.Expression.count],
 * [method@Gorm.Expression.sum], …) and others are not, the others are what
 * the rows are grouped by: one row per distinct combination of their
 * values, as Django's `values(…).annotate(…)`. With aggregates only, the
 * query gives one row, over every row the filters match.
 *
 * ```c
 * // The votes of each question: SELECT question_id, sum(votes) … GROUP BY question_id
 * gorm_query_select (query, "question", gorm_expression_property ("question"));
 * gorm_query_select (query, "total", gorm_expression_sum (gorm_expression_property ("votes")));
 * ```
 *
 * @name may then be used by [method@Gorm.Query.order_by] and by filters
 * ([func@Gorm.Filter.gt] (`"total"`, …)): a filter on names applies to
 * the rows (a `HAVING` for an aggregate); one filter names either the
 * type's properties or these names, not both. A name must be unique
 * among the query's columns.
 *
 * An unknown property, a wrong type (the sum of a text) or a misplaced
 * aggregate in @expression makes the runners fail with its error, as a
 * filter's mistakes do.
 *
 * The object runners ([method@Gorm.Query.fetch], [method@Gorm.Query.count],
 * …) leave the columns aside and give the objects the filters match; they
 * fail with %GORM_ERROR_VALIDATION when a filter or an order names a
 * column, which only the rows have.
 *
 * Returns: (transfer none): @self
 *
 * Since: 1.0
 */
GormQuery *
gorm_query_select (GormQuery      *self,
                   const char     *name,
                   GormExpression *expression)
{
  g_autoptr(GormExpression) owned = expression;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  add_row_column (self, name, expression, FALSE);
  return self;
}

/**
 * gorm_query_select_properties:
 * @self: a query
 * @property_names: (array zero-terminated=1): the properties to select,
 *   %NULL-terminated: names of stored properties or paths
 *   (`"question.pub_date"`)
 *
 * Selects each of @property_names under its own name, as
 * [method@Gorm.Query.select] with [func@Gorm.Expression.property]: Django's
 * `values ("a", "question__b")`. Values come in the property's type (an
 * enum value, a #GDateTime, …).
 *
 * Returns: (transfer none): @self
 *
 * Since: 1.0
 */
GormQuery *
gorm_query_select_properties (GormQuery          *self,
                              const char * const *property_names)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  if (property_names == NULL)
    {
      record_error (self, g_error_new (GORM_ERROR, GORM_ERROR_FAILED,
                                       "Cannot query %s: gorm_query_select_properties() was "
                                       "given no properties (NULL)", self->schema->type_name));
      return self;
    }
  for (guint i = 0; property_names[i] != NULL; i++)
    {
      g_autoptr(GormExpression) expression = gorm_expression_property (property_names[i]);

      add_row_column (self, property_names[i], expression, FALSE);
    }
  return self;
}

/**
 * gorm_query_annotate:
 * @self: a query
 * @name: the name of the value
 * @expression: (transfer full): what it holds, per object
 *
 * Adds @expression, computed for each object, as @name: then
 * [method@Gorm.Query.fetch_rows] gives rows holding each object
 * ([method@Gorm.Row.get_resource], the same object as
 * [method@Gorm.Query.fetch] gives) and its annotations. An aggregate
 * counts per object: `gorm_query_annotate (query, "n",
 * gorm_expression_count (gorm_expression_property ("choice"), FALSE))`
 * counts the choices of each question (Django's `annotate(n=Count
 * ("choice"))`). Takes @expression.
 *
 * Each aggregate is a correlated subquery over the object's related rows,
 * so that two aggregates over different relations do not multiply each
 * other.
 *
 * On a query with [method@Gorm.Query.select] columns, an annotation is one
 * more column of its rows. @name must differ from the type's properties
 * and the other columns' names; it may be used by
 * [method@Gorm.Query.order_by] and by filters, as a select's.
 *
 * Returns: (transfer none): @self
 *
 * Since: 1.0
 */
GormQuery *
gorm_query_annotate (GormQuery      *self,
                     const char     *name,
                     GormExpression *expression)
{
  g_autoptr(GormExpression) owned = expression;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  add_row_column (self, name, expression, TRUE);
  return self;
}

/**
 * gorm_query_distinct:
 * @self: a query
 *
 * Makes the rows of @self distinct (`SELECT DISTINCT`): a row query gives
 * each combination of values once. An order by a property that is not
 * selected takes part, as in Django: the rows are distinct over the
 * selected values and those ordered by. An object query never gives an
 * object twice already (its filters on relations test for existence,
 * they join nothing): for it this changes nothing.
 *
 * Returns: (transfer none): @self
 *
 * Since: 1.0
 */
GormQuery *
gorm_query_distinct (GormQuery *self)
{
  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);

  self->distinct = TRUE;
  return self;
}

/* A filter on the names of the row columns: compiled against them and
 * kept as the rows' condition. FALSE when @filter is on properties. */
static gboolean
filter_rows_by_names (GormQuery  *self,
                      GormFilter *filter)
{
  g_autoptr(GHashTable) names = NULL;
  GError *error = NULL;
  GormCondition *condition;
  GormSchema *schema;
  guint n;

  if (self->row_columns == NULL)
    return FALSE;
  names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->row_columns->len; i++)
    {
      RowColumn *column = g_ptr_array_index (self->row_columns, i);

      if (!names_its_property (self, column))
        g_hash_table_add (names, column->name);
    }
  if (!gorm_filter_names_only (filter, names))
    return FALSE;

  n = self->row_columns->len;
  schema = g_new0 (GormSchema, 1);
  schema->type = self->schema->type;
  schema->type_name = self->schema->type_name;
  schema->table = NULL;
  schema->columns = g_new0 (GormColumn, n);
  schema->n_columns = n;
  schema->by_name = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < n; i++)
    {
      RowColumn *row_column = g_ptr_array_index (self->row_columns, i);
      GormColumn *column = &schema->columns[i];
      g_autofree char *canonical = g_strdelimit (g_strdup (row_column->name), "_", '-');

      column->name = g_strdup (row_column->name);
      column->pspec = g_param_spec_ref (row_column->node->pspec);
      column->kind = row_column->node->kind;
      column->flags = GORM_COLUMN_NULLABLE;
      column->index = i;
      /* Looked up as property names are: interned, '_' as '-'. */
      g_hash_table_insert (schema->by_name, (gpointer) g_intern_string (canonical), column);
    }
  if (self->name_schemas == NULL)
    self->name_schemas = g_ptr_array_new_with_free_func ((GDestroyNotify) names_schema_free);
  g_ptr_array_add (self->name_schemas, schema);

  condition = gorm_filter_compile (filter, schema, &error);
  if (condition == NULL)
    record_error (self, error);
  else if (self->having == NULL)
    self->having = condition;
  else
    self->having = gorm_condition_new_combination (GORM_CONDITION_AND, self->having, condition);
  return TRUE;
}

/* Records an order_by() for the rows: TRUE when @name is a row column's
 * (object runners then refuse the query), FALSE for a property, which
 * gorm_query_order_by() goes on to check. */
static void
add_row_order (GormQuery  *self,
               RowOrderBy *order)
{
  if (self->row_orders == NULL)
    {
      self->row_orders = g_array_new (FALSE, FALSE, sizeof (RowOrderBy));
      g_array_set_clear_func (self->row_orders, row_order_clear);
    }
  g_array_append_val (self->row_orders, *order);
}

static void
order_rows_by_expression (GormQuery    *self,
                          GormExprNode *node,
                          gboolean      descending)
{
  RowOrderBy order = { NULL, gorm_expr_node_ref (node), !!descending };

  add_row_order (self, &order);
}

static gboolean
order_rows_by (GormQuery  *self,
               const char *name,
               gboolean    descending)
{
  RowOrderBy order = { g_strdup (name), NULL, !!descending };
  RowColumn *column;

  add_row_order (self, &order);
  column = find_row_column (self, name);
  if (column == NULL || names_its_property (self, column))
    return FALSE;
  self->orders_by_name = TRUE;
  return TRUE;
}

/* The error of an object runner of a query whose filters or orders name
 * row columns. */
static gboolean
check_object_query (GormQuery  *self,
                    GError    **error)
{
  if (self->having == NULL && !self->orders_by_name)
    return TRUE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
               "Cannot run the query of %s for objects: its filters or orders name columns of "
               "its rows (gorm_query_select(), gorm_query_annotate()); run "
               "gorm_query_fetch_rows()", self->schema->type_name);
  return FALSE;
}

/* A row query compiled: the statement's description, with what it
 * borrows kept alive. */
typedef struct
{
  GormRowQuery       spec;
  const GormDialect *dialect;
  GormCondition     *condition;
  GormCondition     *having;
  GArray            *columns;    /* of GormRowColumn */
  GPtrArray         *nodes;      /* the nodes, owned */
  GPtrArray         *names;      /* hidden columns' names, owned */
  GArray            *orders;     /* of GormRowOrder */
  GType             *types;      /* the SQL types of a row, G_TYPE_NONE-terminated */
  GormRowColumns    *row_names;  /* the visible columns' names */
} RowPlan;

static void
row_plan_free (RowPlan *plan)
{
  g_clear_pointer (&plan->condition, gorm_condition_unref);
  g_clear_pointer (&plan->having, gorm_condition_unref);
  g_clear_pointer (&plan->columns, g_array_unref);
  g_clear_pointer (&plan->nodes, g_ptr_array_unref);
  g_clear_pointer (&plan->names, g_ptr_array_unref);
  g_clear_pointer (&plan->orders, g_array_unref);
  g_clear_pointer (&plan->types, g_free);
  g_clear_pointer (&plan->row_names, gorm_row_columns_unref);
  g_free (plan);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RowPlan, row_plan_free)

static void
plan_add_column (RowPlan      *plan,
                 const char   *name,
                 GormExprNode *node)
{
  GormRowColumn column = { name, node };

  g_ptr_array_add (plan->nodes, gorm_expr_node_ref (node));
  g_array_append_val (plan->columns, column);
}

/* @self as a statement of rows; for gorm_query_aggregate() (@aggregate)
 * without orders, limit and offset, and with aggregates only. */
static RowPlan *
plan_rows (GormQuery  *self,
           gboolean    aggregate,
           GError    **error)
{
  g_autoptr(RowPlan) plan = NULL;
  const GormSchema *schema = self->schema;
  gboolean has_select = FALSE, has_aggregate = FALSE, plain_multi_valued = FALSE;
  guint n_types = 0;
  const char **names;

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    }

  plan = g_new0 (RowPlan, 1);
  plan->dialect = gorm_database_get_dialect (self->database);
  if (plan->dialect == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "libgorm cannot query the database “%s”: it has no SQL dialect for "
                   "the libgda provider “%s”",
                   gorm_database_get_uri (self->database),
                   gorm_database_get_provider (self->database));
      return NULL;
    }
  if (!use_type (self, error))
    return NULL;
  plan->columns = g_array_new (FALSE, FALSE, sizeof (GormRowColumn));
  plan->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) gorm_expr_node_unref);
  plan->names = g_ptr_array_new_with_free_func (g_free);
  plan->orders = g_array_new (FALSE, FALSE, sizeof (GormRowOrder));

  for (guint i = 0; self->row_columns != NULL && i < self->row_columns->len; i++)
    {
      RowColumn *column = g_ptr_array_index (self->row_columns, i);

      has_select |= !column->annotation;
      has_aggregate |= column->node->has_aggregate;
      plain_multi_valued |= !column->node->has_aggregate && column->node->has_multi_valued;
      plan_add_column (plan, column->name, column->node);
    }

  /* Rows of all the stored properties, as Django's values(). */
  if (!has_select && self->row_columns == NULL && !aggregate)
    {
      for (guint i = 0; i < schema->n_columns; i++)
        {
          g_autoptr(GormExpression) expression = gorm_expression_property (schema->columns[i].pspec->name);
          g_autoptr(GormExprNode) node = gorm_expression_compile (expression, schema,
                                                                   GORM_EXPRESSION_COMPILE_NONE, error);

          if (node == NULL)
            return NULL;
          plan_add_column (plan, schema->columns[i].pspec->name, node);
        }
      has_select = TRUE;
    }

  plan->spec.objects = !has_select;
  if (plain_multi_valued && (has_aggregate || plan->spec.objects))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot query %s: a column that is no aggregate follows a reverse or "
                   "many-to-many relation, which gives each %s any number of values; such a "
                   "column can only be selected without aggregates or annotations",
                   schema->type_name, schema->type_name);
      return NULL;
    }
  if (aggregate)
    {
      for (guint i = 0; i < plan->columns->len; i++)
        {
          const GormRowColumn *column = &g_array_index (plan->columns, GormRowColumn, i);

          if (plan->spec.objects || !column->node->has_aggregate)
            {
              g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                           "Cannot aggregate %s: “%s” is %s; gorm_query_aggregate() takes "
                           "aggregates only (use gorm_query_fetch_rows() for groups)",
                           schema->type_name, column->name,
                           plan->spec.objects ? "an annotation" : "no aggregate");
              return NULL;
            }
        }
      if (plan->columns->len == 0)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot aggregate %s: the query selects nothing (gorm_query_select())",
                       schema->type_name);
          return NULL;
        }
    }
  plan->spec.n_visible = plan->columns->len;

  /* The orders: a column's name, or a property (or forward path) of the
   * type, selected as a hidden column (and so grouped by, as Django
   * does). Objects end in key order, as object queries do. */
  for (guint i = 0; !aggregate && self->row_orders != NULL && i < self->row_orders->len; i++)
    {
      const RowOrderBy *order_by = &g_array_index (self->row_orders, RowOrderBy, i);
      GormRowOrder order = { NULL, order_by->descending };
      guint found;

      for (found = 0; order_by->name != NULL && found < plan->spec.n_visible; found++)
        if (g_str_equal (g_array_index (plan->columns, GormRowColumn, found).name, order_by->name))
          break;
      if (order_by->name != NULL && found < plan->spec.n_visible)
        order.name = g_array_index (plan->columns, GormRowColumn, found).name;
      else
        {
          g_autoptr(GormExpression) expression = NULL;
          g_autoptr(GormExprNode) node = NULL;
          char *name;

          if (order_by->node != NULL)
            node = gorm_expr_node_ref (order_by->node);
          else
            {
              expression = gorm_expression_property (order_by->name);
              node = gorm_expression_compile (expression, schema, GORM_EXPRESSION_COMPILE_NONE, error);
            }
          if (node == NULL)
            return NULL;
          name = g_strdup_printf ("gorm_o%u", i);
          g_ptr_array_add (plan->names, name);
          plan_add_column (plan, name, node);
          order.name = name;
        }
      g_array_append_val (plan->orders, order);
    }
  if (!aggregate && plan->spec.objects)
    {
      GormRowOrder order = { schema->key->name, FALSE };

      if (plan->orders->len > 0)
        order.descending = g_array_index (plan->orders, GormRowOrder, plan->orders->len - 1).descending;
      g_array_append_val (plan->orders, order);
    }

  plan->condition = self->condition ? gorm_condition_ref (self->condition) : NULL;
  plan->having = self->having ? gorm_condition_ref (self->having) : NULL;
  plan->spec.schema = schema;
  plan->spec.condition = plan->condition;
  plan->spec.columns = (const GormRowColumn *) (gpointer) plan->columns->data;
  plan->spec.n_columns = plan->columns->len;
  plan->spec.distinct = self->distinct;
  plan->spec.having = plan->having;
  plan->spec.orders = (const GormRowOrder *) (gpointer) plan->orders->data;
  plan->spec.n_orders = plan->orders->len;
  plan->spec.limit = aggregate ? -1 : self->limit;
  plan->spec.offset = aggregate ? 0 : self->offset;

  plan->types = g_new0 (GType, schema->n_columns + plan->spec.n_visible + 1);
  if (plan->spec.objects)
    for (guint i = 0; i < schema->n_columns; i++)
      plan->types[n_types++] = schema->sql_types[i];
  for (guint i = 0; i < plan->spec.n_visible; i++)
    plan->types[n_types++] = plan->spec.columns[i].node->sql_type;
  plan->types[n_types] = G_TYPE_NONE;

  names = g_newa (const char *, plan->spec.n_visible + 1);
  for (guint i = 0; i < plan->spec.n_visible; i++)
    names[i] = plan->spec.columns[i].name;
  plan->row_names = gorm_row_columns_new (plan->spec.n_visible, names);

  return g_steal_pointer (&plan);
}

/* What a row query read, copied under the lock: the values of each row,
 * the copied rows of their objects, and when they were read. */
typedef struct
{
  GormRowColumns *names;
  GPtrArray      *values;    /* of GValue[n] */
  GPtrArray      *objects;   /* of copied rows, NULL without objects */
  guint64         stamp;
} RowsRead;

static void
free_values (gpointer data,
             gpointer user_data)
{
  GValue *values = data;
  guint n = GPOINTER_TO_UINT (user_data);

  for (guint i = 0; values != NULL && i < n; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
  g_free (values);
}

static void
rows_read_free (RowsRead *read)
{
  if (read->values != NULL)
    {
      g_ptr_array_foreach (read->values, free_values,
                           GUINT_TO_POINTER (gorm_row_columns_get_n (read->names)));
      g_ptr_array_unref (read->values);
    }
  if (read->objects != NULL)
    {
      for (guint i = 0; i < read->objects->len; i++)
        if (g_ptr_array_index (read->objects, i) != NULL)
          gorm_mapper_free_row (g_ptr_array_index (read->objects, i));
      g_ptr_array_unref (read->objects);
    }
  g_clear_pointer (&read->names, gorm_row_columns_unref);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RowsRead, rows_read_free)

/* Whether @self's rows are not its objects: selected columns, or a
 * filter on their names. */
static gboolean
is_row_query (GormQuery *self)
{
  return self->row_columns != NULL || self->having != NULL;
}

/* The number of rows of a row query (with @exists, 1 when it has any),
 * or -1 with @error set. */
static gint64
count_rows (GormQuery     *self,
            gboolean       exists,
            GCancellable  *cancellable,
            GError       **error)
{
  static const GType column_types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(RowPlan) plan = NULL;
  g_autoptr(GArray) params = NULL;
  g_autoptr(GormRows) rows = NULL;
  g_autofree char *sql = NULL;
  gint64 count = -1;

  plan = plan_rows (self, FALSE, error);
  if (plan == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  params = params_new ();
  sql = exists ? gorm_dialect_render_row_exists (plan->dialect, &plan->spec, params)
               : gorm_dialect_render_row_count (plan->dialect, &plan->spec, params);

  gorm_database_lock (self->database);
  rows = select_locked (self->database, sql, params, column_types, cancellable, error);
  if (rows != NULL && exists)
    count = gorm_rows_get_n_rows (rows) > 0;
  else if (rows != NULL)
    {
      const GValue *value = gorm_rows_get_value (rows, 0, 0, error);

      if (value != NULL)
        count = g_value_get_int64 (value);
    }
  gorm_database_unlock (self->database);

  return count;
}

static RowsRead *
read_rows (GormQuery     *self,
           gboolean       aggregate,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(RowPlan) plan = NULL;
  g_autoptr(RowsRead) read = NULL;
  g_autoptr(GArray) params = NULL;
  g_autoptr(GormRows) rows = NULL;
  g_autofree char *sql = NULL;
  const GormSchema *schema = self->schema;
  GormMapper *mapper = NULL;
  guint first, n_visible;

  plan = plan_rows (self, aggregate, error);
  if (plan == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  params = params_new ();
  sql = gorm_dialect_render_row_query (plan->dialect, &plan->spec, params);
  first = plan->spec.objects ? schema->n_columns : 0;
  n_visible = plan->spec.n_visible;

  read = g_new0 (RowsRead, 1);
  read->names = gorm_row_columns_ref (plan->row_names);
  read->values = g_ptr_array_new ();
  if (plan->spec.objects)
    read->objects = g_ptr_array_new ();

  gorm_database_lock (self->database);
  if (plan->spec.objects)
    mapper = gorm_database_get_mapper_locked (self->database, schema->type, error);
  if (!plan->spec.objects || mapper != NULL)
    rows = select_locked (self->database, sql, params, plan->types, cancellable, error);
  for (guint r = 0; rows != NULL && r < gorm_rows_get_n_rows (rows); r++)
    {
      GValue *values = g_new0 (GValue, MAX (n_visible, 1));

      g_ptr_array_add (read->values, values);
      for (guint c = 0; c < n_visible; c++)
        {
          const GValue *value = gorm_rows_get_value (rows, first + c, r, error);

          if (value == NULL ||
              !gorm_expr_node_value_from_sql (plan->spec.columns[c].node, value, &values[c], error))
            {
              g_clear_pointer (&rows, gorm_rows_free);
              break;
            }
        }
      if (rows != NULL && plan->spec.objects)
        {
          GValue *row = gorm_mapper_copy_row (mapper, rows, (gint) r, error);

          if (row == NULL)
            g_clear_pointer (&rows, gorm_rows_free);
          else
            g_ptr_array_add (read->objects, row);
        }
    }
  read->stamp = gorm_mapper_take_read_stamp ();
  gorm_database_unlock (self->database);

  return rows != NULL ? g_steal_pointer (&read) : NULL;
}

/* The rows of @read, which it takes: their objects made (or found) in
 * the caller's thread. */
static GListModel *
model_of_rows (GormQuery  *self,
               RowsRead   *read,
               GError    **error)
{
  g_autoptr(RowsRead) owned = read;
  g_autoptr(GPtrArray) objects = NULL;
  GPtrArray *items;

  if (read->objects != NULL)
    {
      objects = gorm_database_resources_from_rows (self->database, self->item_type, read->objects,
                                                   read->stamp, error);
      if (objects == NULL)
        return NULL;
    }
  items = g_ptr_array_new_full (read->values->len, g_object_unref);
  for (guint i = 0; i < read->values->len; i++)
    g_ptr_array_add (items, gorm_row_new_take (read->names,
                                               g_steal_pointer (&read->values->pdata[i]),
                                               objects ? g_ptr_array_index (objects, i) : NULL));
  return gorm_row_model_new (items);
}

/* The one row of an aggregate() query's @rows. */
static GormRow *
only_row (GormQuery   *self,
          GListModel  *rows,
          GError     **error)
{
  if (rows == NULL)
    return NULL;
  if (g_list_model_get_n_items (rows) != 1)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "The aggregates of %s gave %u rows instead of one (a filter on them left "
                   "none)", self->schema->type_name, g_list_model_get_n_items (rows));
      return NULL;
    }
  return g_list_model_get_item (rows, 0);
}

/**
 * gorm_query_fetch_rows:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs @self for its rows: the columns of [method@Gorm.Query.select] (or,
 * without any, every stored property under its own name), or each object
 * with its [method@Gorm.Query.annotate] values. Filters, orders, limit,
 * offset and [method@Gorm.Query.distinct] apply; the rows of a query
 * without [method@Gorm.Query.order_by] come in the engine's order.
 *
 * Values are of the type the expression gives: a property's own type
 * (an enum value, a #GDateTime, …), `gint64` for a count and for the sum
 * of integers, `gdouble` for an average, the property's type for a
 * minimum or maximum, %NULL for SQL `NULL` (the sum of no rows).
 *
 * The model never changes once returned.
 *
 * Returns: (transfer full): a [iface@Gio.ListModel] of [class@Gorm.Row],
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GListModel *
gorm_query_fetch_rows (GormQuery     *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  RowsRead *read;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  read = read_rows (self, FALSE, cancellable, error);
  return read != NULL ? model_of_rows (self, read, error) : NULL;
}

/**
 * gorm_query_aggregate:
 * @self: a query whose selects are all aggregates
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Computes the aggregates @self selects over every row its filters
 * match, ignoring its orders, limit and offset (as Django's
 * `aggregate()`):
 *
 * ```c
 * g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_CHOICE);
 * g_autoptr(GormRow) row = NULL;
 *
 * gorm_query_select (query, "total", gorm_expression_sum (gorm_expression_property ("votes")));
 * row = gorm_query_aggregate (query, NULL, &error);
 * ```
 *
 * Over no rows a count is 0 and the other aggregates %NULL. A select that
 * is no aggregate, or a query with none, fails with
 * %GORM_ERROR_VALIDATION.
 *
 * Returns: (transfer full): the row of the aggregates, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
GormRow *
gorm_query_aggregate (GormQuery     *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GListModel) rows = NULL;

  g_return_val_if_fail (GORM_IS_QUERY (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    RowsRead *read = read_rows (self, TRUE, cancellable, error);

    rows = read != NULL ? model_of_rows (self, read, error) : NULL;
  }
  return only_row (self, rows, error);
}

static void
rows_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  RowsRead *read = read_rows (source_object, GPOINTER_TO_INT (task_data), cancellable, &error);

  gorm_task_return_pointer (task, read, (GDestroyNotify) rows_read_free, error);
}

static void
rows_async (GormQuery           *self,
            gboolean             aggregate,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;

  task = gorm_database_new_task (self->database, self, cancellable, callback, user_data, source_tag);
  g_task_set_task_data (task, GINT_TO_POINTER (aggregate), NULL);
  gorm_database_run_task (self->database, task, rows_thread);
}

/**
 * gorm_query_fetch_rows_async:
 * @self: a query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the rows
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Query.fetch_rows] on the worker thread of the query's
 * database. The rows are read there; the objects of an annotated query's
 * rows are made (or found, when they are alive) in the main context by
 * [method@Gorm.Query.fetch_rows_finish].
 *
 * Since: 1.0
 */
void
gorm_query_fetch_rows_async (GormQuery           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (GORM_IS_QUERY (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  rows_async (self, FALSE, cancellable, callback, user_data, gorm_query_fetch_rows_async);
}

/**
 * gorm_query_fetch_rows_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Query.fetch_rows_async].
 *
 * Returns: (transfer full): a [iface@Gio.ListModel] of [class@Gorm.Row],
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GListModel *
gorm_query_fetch_rows_finish (GormQuery     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_fetch_rows_async);
  RowsRead *read = task ? g_task_propagate_pointer (task, error) : NULL;

  return read != NULL ? model_of_rows (self, read, error) : NULL;
}

/**
 * gorm_query_aggregate_async:
 * @self: a query whose selects are all aggregates
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the row
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Query.aggregate] on the worker thread of the query's
 * database.
 *
 * Since: 1.0
 */
void
gorm_query_aggregate_async (GormQuery           *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GORM_IS_QUERY (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  rows_async (self, TRUE, cancellable, callback, user_data, gorm_query_aggregate_async);
}

/**
 * gorm_query_aggregate_finish:
 * @self: a query
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Query.aggregate_async].
 *
 * Returns: (transfer full): the row of the aggregates, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
GormRow *
gorm_query_aggregate_finish (GormQuery     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  GTask *task = check_result (self, result, gorm_query_aggregate_async);
  RowsRead *read = task ? g_task_propagate_pointer (task, error) : NULL;
  g_autoptr(GListModel) rows = read != NULL ? model_of_rows (self, read, error) : NULL;

  return only_row (self, rows, error);
}

/**
 * gorm_query_dup_items:
 * @model: a list model of objects: the result of [method@Gorm.Query.fetch],
 *   [method@Gorm.Query.watch], [method@Gorm.Query.fetch_rows] or any other
 * @position: the position of the first item
 * @n_items: how many items at most
 *
 * Gives the items of @model from @position on, at most @n_items of them
 * (fewer at the end of the model, none from a position past it), in one
 * call: a language binding takes a page of a result into its own objects
 * at once rather than asking [method@Gio.ListModel.get_item] for each
 * item. Each item is loaded as get_item() loads it: an item a
 * [class@Gorm.QueryModel] cannot load (see
 * [method@Gorm.QueryModel.check_item]) is %NULL in the array, as
 * get_item() gives it.
 *
 * The array owns a reference to each item but frees none of them itself,
 * as bindings expect of a transfer-full array: in C, call
 * `g_ptr_array_set_free_func (items, g_object_unref)` before
 * g_ptr_array_unref().
 *
 * Returns: (transfer full) (element-type GObject.Object): the items
 *
 * Since: 1.0
 */
GPtrArray *
gorm_query_dup_items (GListModel *model,
                      guint       position,
                      guint       n_items)
{
  GPtrArray *items;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  n = g_list_model_get_n_items (model);
  n = position < n ? MIN (n - position, n_items) : 0;
  items = g_ptr_array_new_full (n, NULL);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (model, position + i));
  return items;
}
