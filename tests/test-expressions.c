/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-connection-private.h"
#include "gorm-expression-private.h"
#include "gorm-filter-private.h"
#include "gorm-query-private.h"
#include "polls-models.h"

/* Expressions: compiled against a schema and rendered by the dialect,
 * then run as a plain SELECT of the expression, on both engines. */

TEST_DEFINE_RESOURCE (TestItem, test_item)

static void
test_item_class_init (TestItemClass *klass)
{
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("votes", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_int ("downvotes", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_double ("price", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, G_PARAM_READWRITE),
    g_param_spec_int ("quantity", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_enum ("color", NULL, NULL, TEST_TYPE_COLOR, TEST_COLOR_RED, G_PARAM_READWRITE),
    g_param_spec_boolean ("flag", NULL, NULL, FALSE, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_nullable (resource_class, "when");
  gorm_resource_class_set_indexed (resource_class, "when");
}

#define TEST_TYPE_ITEM (test_item_get_type ())

static GormDatabase *
open_items (void)
{
  GormDatabase *db = test_open_memory ();

  test_migrate (db, TEST_TYPE_ITEM);
  return db;
}

static gpointer
add_item (GormDatabase *db,
          const char   *name,
          gint          votes,
          gint          downvotes,
          double        price,
          gint          quantity,
          GDateTime    *when)
{
  gpointer item = g_object_new (TEST_TYPE_ITEM, "database", db, "name", name, "votes", votes,
                                "downvotes", downvotes, "price", price, "quantity", quantity,
                                "when", when, NULL);

  test_save_ok (item);
  return item;
}

/* Expression constructors over plain C values. */
static GormExpression *
prop (const char *name)
{
  return gorm_expression_property (name);
}

static GormExpression *
int_value (gint number)
{
  g_auto(GValue) value = G_VALUE_INIT;

  return gorm_expression_value (test_int_value (&value, number));
}

static GormExpression *
double_value (double number)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, number);
  return gorm_expression_value (&value);
}

static GormExpression *
string_value (const char *text)
{
  g_auto(GValue) value = G_VALUE_INIT;

  return gorm_expression_value (test_string_value (&value, text));
}

static const char *
path_alias (const GormPath *path,
            gpointer        user_data)
{
  return user_data;
}

static void
free_value (gpointer data)
{
  GValue *value = data;

  if (G_IS_VALUE (value))
    g_value_unset (value);
  g_free (value);
}

/* The values of @expression (taken) over the rows of @type's table, in
 * key order (one value for an aggregate), as the user reads them: an
 * unset GValue for NULL. With @join, the rows of the reverse relation
 * @join are LEFT JOINed as "j", grouped by the key. Sets @node to the
 * compiled expression when given. */
static GPtrArray *
evaluate_full (GormDatabase               *db,
               GType                       type,
               GormExpression             *expression,
               GormExpressionCompileFlags  flags,
               const char                 *join,
               GormExprNode              **compiled,
               GError                    **error)
{
  g_autoptr(GormExpression) owned = expression;
  const GormSchema *schema = gorm_schema_lookup (type, NULL);
  g_autoptr(GormExprNode) node = NULL;
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  g_autoptr(GArray) params = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GormRows) rows = NULL;
  GormExprScope scope = { NULL, 0, 0, NULL, NULL };
  GormConnection *connection;
  GormStatement *statement;
  GType types[2];

  node = gorm_expression_compile (owned, schema, flags, error);
  if (node == NULL)
    return NULL;
  if (join != NULL)
    {
      scope.qualifier = "t";
      scope.path_qualifier = path_alias;
      scope.user_data = "j";
    }
  gorm_dialect_append_expression (gorm_database_get_dialect (db), sql, params, node, &scope);
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, schema->table);
  if (join != NULL)
    {
      const GormPath *path = NULL;
      const GormRelation *relation;

      g_assert_nonnull (gorm_filter_resolve_path (schema, join, &path, NULL));
      relation = path->steps[0].relation;
      g_string_append (sql, " AS \"t\" LEFT JOIN ");
      gorm_dialect_append_identifier (sql, path->steps[0].target->table);
      g_string_append (sql, " AS \"j\" ON \"j\".");
      gorm_dialect_append_identifier (sql, relation->column->name);
      g_string_append (sql, " = \"t\".\"id\" GROUP BY \"t\".\"id\" ORDER BY \"t\".\"id\"");
    }
  else if (!node->has_aggregate)
    g_string_append (sql, " ORDER BY \"id\"");

  types[0] = node->sql_type;
  types[1] = G_TYPE_NONE;
  values = g_ptr_array_new_with_free_func (free_value);
  gorm_database_lock (db);
  connection = gorm_database_get_connection_locked (db, error);
  statement = connection ? gorm_connection_lookup_locked (connection, sql->str, error) : NULL;
  if (statement != NULL)
    {
      gorm_statement_take_params (statement, (GValue *) (gpointer) params->data, params->len);
      rows = gorm_connection_select_locked (connection, statement, types, error);
    }
  for (guint i = 0; rows != NULL && i < gorm_rows_get_n_rows (rows); i++)
    {
      const GValue *sql_value = gorm_rows_get_value (rows, 0, i, NULL);
      GValue *value = g_new0 (GValue, 1);

      g_assert_nonnull (sql_value);
      g_assert_true (gorm_expr_node_value_from_sql (node, sql_value, value, NULL));
      g_ptr_array_add (values, value);
    }
  gorm_database_unlock (db);
  if (rows == NULL)
    return NULL;

  if (compiled != NULL)
    *compiled = g_steal_pointer (&node);
  return g_steal_pointer (&values);
}

static GPtrArray *
evaluate (GormDatabase   *db,
          GType           type,
          GormExpression *expression,
          GormExprNode  **compiled)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *values = evaluate_full (db, type, expression, GORM_EXPRESSION_COMPILE_AGGREGATES,
                                     NULL, compiled, &error);

  g_assert_no_error (error);
  g_assert_nonnull (values);
  return values;
}

static gint64
int64_at (GPtrArray *values,
          guint      index)
{
  const GValue *value = g_ptr_array_index (values, index);

  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  return g_value_get_int64 (value);
}

static double
double_at (GPtrArray *values,
           guint      index)
{
  const GValue *value = g_ptr_array_index (values, index);

  g_assert_true (G_VALUE_HOLDS_DOUBLE (value));
  return g_value_get_double (value);
}

static gboolean
null_at (GPtrArray *values,
         guint      index)
{
  return !G_IS_VALUE ((GValue *) g_ptr_array_index (values, index));
}

static void
test_arithmetic (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);
  g_autoptr(GObject) b = add_item (db, "b", -7, 10, 0.1, 3, NULL);
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GormExprNode) node = NULL;

  /* votes + 1, an integer. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_add (prop ("votes"), int_value (1)), &node);
  g_assert_cmpuint (values->len, ==, 2);
  g_assert_cmpint (int64_at (values, 0), ==, 8);
  g_assert_cmpint (int64_at (values, 1), ==, -6);
  g_assert_true (node->value_type == G_TYPE_INT64);
  g_clear_pointer (&values, g_ptr_array_unref);
  g_clear_pointer (&node, gorm_expr_node_unref);

  /* 1 + votes: the constant may come first. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_add (int_value (1), prop ("votes")), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 8);
  g_clear_pointer (&values, g_ptr_array_unref);

  /* votes - downvotes */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_subtract (prop ("votes"), prop ("downvotes")), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 5);
  g_assert_cmpint (int64_at (values, 1), ==, -17);
  g_clear_pointer (&values, g_ptr_array_unref);

  /* price * quantity, a double. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_multiply (prop ("price"), prop ("quantity")), &node);
  g_assert_true (node->value_type == G_TYPE_DOUBLE);
  g_assert_cmpfloat_with_epsilon (double_at (values, 0), 10.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (double_at (values, 1), 0.3, 1e-9);
  g_clear_pointer (&values, g_ptr_array_unref);
  g_clear_pointer (&node, gorm_expr_node_unref);

  /* Integers divide truncating toward zero on both engines. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_divide (prop ("votes"), int_value (2)), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 3);
  g_assert_cmpint (int64_at (values, 1), ==, -3);
  g_clear_pointer (&values, g_ptr_array_unref);

  /* With a double operand the quotient is a double. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_divide (prop ("votes"), prop ("price")), NULL);
  g_assert_cmpfloat_with_epsilon (double_at (values, 0), 2.8, 1e-9);
  g_clear_pointer (&values, g_ptr_array_unref);

  /* A constant for a double property converts to a double. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_add (prop ("price"), int_value (1)), &node);
  g_assert_cmpfloat_with_epsilon (double_at (values, 0), 3.5, 1e-9);
  g_assert_true (node->children[1]->sql_type == G_TYPE_DOUBLE);
  g_clear_pointer (&values, g_ptr_array_unref);
  g_clear_pointer (&node, gorm_expr_node_unref);

  /* Two constants keep their types: (2 + 0.5) * 2 */
  values = evaluate (db, TEST_TYPE_ITEM,
                     gorm_expression_multiply (gorm_expression_add (int_value (2), double_value (0.5)),
                                               int_value (2)), NULL);
  g_assert_cmpfloat_with_epsilon (double_at (values, 0), 5.0, 1e-9);
  g_clear_pointer (&values, g_ptr_array_unref);

  /* A NULL constant makes NULL. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_add (prop ("votes"), gorm_expression_value (NULL)), NULL);
  g_assert_true (null_at (values, 0));
  g_clear_pointer (&values, g_ptr_array_unref);

  /* A property on its own is read as its own type. */
  values = evaluate (db, TEST_TYPE_ITEM, prop ("color"), &node);
  g_assert_true (G_VALUE_HOLDS (g_ptr_array_index (values, 0), TEST_TYPE_COLOR));
  g_clear_pointer (&values, g_ptr_array_unref);
}

static void
test_date_parts (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  /* A Tuesday, at 13:03:59.999999 UTC. */
  g_autoptr(GDateTime) tuesday = g_date_time_new_utc (2024, 3, 5, 13, 3, 59.999999);
  /* 23:30 on Saturday 2 March at UTC-5: Sunday 3 March 04:30 UTC. */
  g_autoptr(GTimeZone) minus5 = g_time_zone_new_identifier ("-05:00");
  g_autoptr(GDateTime) saturday = g_date_time_new (minus5, 2024, 3, 2, 23, 30, 0);
  g_autoptr(GObject) a = add_item (db, "a", 0, 0, 0, 0, tuesday);
  g_autoptr(GObject) b = add_item (db, "b", 0, 0, 0, 0, saturday);
  g_autoptr(GObject) c = add_item (db, "c", 0, 0, 0, 0, NULL);
  static const struct
  {
    GormDatePart part;
    gint64       first;
    gint64       second;
  } parts[] = {
    { GORM_DATE_PART_YEAR, 2024, 2024 },
    { GORM_DATE_PART_MONTH, 3, 3 },
    { GORM_DATE_PART_DAY, 5, 3 },
    /* Django's numbering: 1 Sunday … 7 Saturday. */
    { GORM_DATE_PART_WEEK_DAY, 3, 1 },
    { GORM_DATE_PART_HOUR, 13, 4 },
    { GORM_DATE_PART_MINUTE, 3, 30 },
    { GORM_DATE_PART_SECOND, 59, 0 },
  };
  g_autoptr(GPtrArray) values = NULL;
  GDateTime *day;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_date_part (prop ("when"), parts[i].part), NULL);
      g_assert_cmpuint (values->len, ==, 3);
      g_assert_cmpint (int64_at (values, 0), ==, parts[i].first);
      g_assert_cmpint (int64_at (values, 1), ==, parts[i].second);
      /* A NULL date-time has no parts. */
      g_assert_true (null_at (values, 2));
      g_clear_pointer (&values, g_ptr_array_unref);
    }

  /* The day: 00:00 UTC of the UTC day. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_date_part (prop ("when"), GORM_DATE_PART_DATE), NULL);
  day = g_value_get_boxed (g_ptr_array_index (values, 0));
  g_assert_cmpint (g_date_time_get_day_of_month (day), ==, 5);
  g_assert_cmpint (g_date_time_get_hour (day), ==, 0);
  g_assert_cmpint (g_date_time_get_microsecond (day), ==, 0);
  g_assert_cmpint (g_date_time_get_utc_offset (day), ==, 0);
  day = g_value_get_boxed (g_ptr_array_index (values, 1));
  g_assert_cmpint (g_date_time_get_day_of_month (day), ==, 3);
  g_assert_true (null_at (values, 2));
  g_clear_pointer (&values, g_ptr_array_unref);

  /* A constant date-time has parts too. */
  {
    g_auto(GValue) when = G_VALUE_INIT;

    g_value_init (&when, G_TYPE_DATE_TIME);
    g_value_set_boxed (&when, saturday);
    values = evaluate (db, TEST_TYPE_ITEM,
                       gorm_expression_date_part (gorm_expression_value (&when), GORM_DATE_PART_WEEK_DAY),
                       NULL);
    g_assert_cmpint (int64_at (values, 0), ==, 1);
    g_clear_pointer (&values, g_ptr_array_unref);
  }
}

static void
test_aggregates (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GormExprNode) node = NULL;
  g_autoptr(GObject) a = NULL;
  g_autoptr(GObject) b = NULL;
  g_autoptr(GObject) c = NULL;

  /* Over no rows: count 0, the others NULL. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_count (NULL, FALSE), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 0);
  g_clear_pointer (&values, g_ptr_array_unref);
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_sum (prop ("votes")), NULL);
  g_assert_true (null_at (values, 0));
  g_clear_pointer (&values, g_ptr_array_unref);
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_max (prop ("when")), NULL);
  g_assert_true (null_at (values, 0));
  g_clear_pointer (&values, g_ptr_array_unref);

  a = add_item (db, "a", 1, 0, 1.5, 1, NULL);
  b = add_item (db, "b", 2, 0, 2.0, 1, NULL);
  c = add_item (db, "b", 2, 0, 3.0, 1, NULL);

  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_count (NULL, FALSE), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 3);
  g_clear_pointer (&values, g_ptr_array_unref);
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_count (prop ("name"), TRUE), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 2);
  g_clear_pointer (&values, g_ptr_array_unref);
  /* Counting a nullable property counts its non-NULL values. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_count (prop ("when"), FALSE), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 0);
  g_clear_pointer (&values, g_ptr_array_unref);

  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_sum (prop ("votes")), &node);
  g_assert_true (node->value_type == G_TYPE_INT64);
  g_assert_cmpint (int64_at (values, 0), ==, 5);
  g_clear_pointer (&values, g_ptr_array_unref);
  g_clear_pointer (&node, gorm_expr_node_unref);
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_sum (prop ("price")), NULL);
  g_assert_cmpfloat_with_epsilon (double_at (values, 0), 6.5, 1e-9);
  g_clear_pointer (&values, g_ptr_array_unref);
  /* The mean of integers is a double. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_avg (prop ("votes")), NULL);
  g_assert_cmpfloat_with_epsilon (double_at (values, 0), 5.0 / 3, 1e-9);
  g_clear_pointer (&values, g_ptr_array_unref);
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_min (prop ("price")), NULL);
  g_assert_cmpfloat_with_epsilon (double_at (values, 0), 1.5, 1e-9);
  g_clear_pointer (&values, g_ptr_array_unref);
  /* max keeps its operand's type: a gint. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_max (prop ("votes")), &node);
  g_assert_true (node->value_type == G_TYPE_INT);
  g_assert_cmpint (g_value_get_int (g_ptr_array_index (values, 0)), ==, 2);
  g_clear_pointer (&values, g_ptr_array_unref);
  g_clear_pointer (&node, gorm_expr_node_unref);
  /* Arithmetic on aggregates: sum (votes) / count (*) stays an integer
   * (a bigint on PostgreSQL, not a numeric). */
  values = evaluate (db, TEST_TYPE_ITEM,
                     gorm_expression_divide (gorm_expression_sum (prop ("votes")),
                                             gorm_expression_count (NULL, FALSE)), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 1);
  g_clear_pointer (&values, g_ptr_array_unref);
}

static void
test_paths (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GDateTime) when = g_date_time_new_utc (2023, 6, 1, 12, 0, 0);
  g_autoptr(GObject) q1 = NULL;
  g_autoptr(GObject) q2 = NULL;
  g_autoptr(GObject) c1 = NULL;
  g_autoptr(GObject) c2 = NULL;
  g_autoptr(GObject) c3 = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id1, id2;

  test_migrate (db, POLLS_TYPE_AUTHOR);
  test_migrate (db, POLLS_TYPE_QUESTION);
  test_migrate (db, POLLS_TYPE_CHOICE);
  q1 = g_object_new (POLLS_TYPE_QUESTION, "database", db, "question-text", "one", "pub-date", when,
                     "rank", 4, NULL);
  q2 = g_object_new (POLLS_TYPE_QUESTION, "database", db, "question-text", "two", "rank", 9, NULL);
  g_assert_true (gorm_resource_set_null (GORM_RESOURCE (q1), "author-id", NULL));
  g_assert_true (gorm_resource_set_null (GORM_RESOURCE (q2), "author-id", NULL));
  test_save_ok (q1);
  test_save_ok (q2);
  g_object_get (q1, "id", &id1, NULL);
  g_object_get (q2, "id", &id2, NULL);
  c1 = g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", id1, "votes", 3, NULL);
  c2 = g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", id1, "votes", 5, NULL);
  c3 = g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", id2, "votes", 1, NULL);
  test_save_ok (c1);
  test_save_ok (c2);
  test_save_ok (c3);

  /* A forward path: a correlated subquery, one value per row. */
  values = evaluate (db, POLLS_TYPE_CHOICE,
                     gorm_expression_add (prop ("votes"), prop ("question.rank")), NULL);
  g_assert_cmpuint (values->len, ==, 3);
  g_assert_cmpint (int64_at (values, 0), ==, 7);
  g_assert_cmpint (int64_at (values, 1), ==, 9);
  g_assert_cmpint (int64_at (values, 2), ==, 10);
  g_clear_pointer (&values, g_ptr_array_unref);
  values = evaluate (db, POLLS_TYPE_CHOICE,
                     gorm_expression_date_part (prop ("question.pub_date"), GORM_DATE_PART_YEAR), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 2023);
  g_assert_true (null_at (values, 2));
  g_clear_pointer (&values, g_ptr_array_unref);

  /* A reverse path has many values per question: refused unless the
   * caller joins it. */
  values = evaluate_full (db, POLLS_TYPE_QUESTION, gorm_expression_sum (prop ("choice.votes")),
                          GORM_EXPRESSION_COMPILE_AGGREGATES, NULL, NULL, &error);
  g_assert_null (values);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "choice.votes"));
  g_assert_nonnull (strstr (error->message, "Question"));
  g_clear_error (&error);

  /* Joined: count ("choice") and sum ("choice.votes") per question. */
  values = evaluate_full (db, POLLS_TYPE_QUESTION, gorm_expression_count (prop ("choice"), FALSE),
                          GORM_EXPRESSION_COMPILE_AGGREGATES | GORM_EXPRESSION_COMPILE_MULTI_VALUED,
                          "choice", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 2);
  g_assert_cmpint (int64_at (values, 0), ==, 2);
  g_assert_cmpint (int64_at (values, 1), ==, 1);
  g_clear_pointer (&values, g_ptr_array_unref);
  values = evaluate_full (db, POLLS_TYPE_QUESTION, gorm_expression_sum (prop ("choice.votes")),
                          GORM_EXPRESSION_COMPILE_AGGREGATES | GORM_EXPRESSION_COMPILE_MULTI_VALUED,
                          "choice", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (int64_at (values, 0), ==, 8);
  g_assert_cmpint (int64_at (values, 1), ==, 1);
  g_clear_pointer (&values, g_ptr_array_unref);
}

/* Compiles @expression (taken) against TestItem, expecting @code, and
 * the message to name each of the NULL-terminated words. */
static void
assert_refused (GormExpression             *expression,
                GormExpressionCompileFlags  flags,
                gint                        code,
                ...)
{
  g_autoptr(GormExpression) owned = expression;
  const GormSchema *schema = gorm_schema_lookup (TEST_TYPE_ITEM, NULL);
  g_autoptr(GormExprNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *word;
  va_list args;

  node = gorm_expression_compile (owned, schema, flags, &error);
  g_assert_null (node);
  g_assert_error (error, GORM_ERROR, code);
  va_start (args, code);
  while ((word = va_arg (args, const char *)) != NULL)
    {
      if (strstr (error->message, word) == NULL)
        g_error ("“%s” does not name “%s”", error->message, word);
    }
  va_end (args);
}

static void
test_errors (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);
  g_autoptr(GPtrArray) values = NULL;
  const GormExpressionCompileFlags all = GORM_EXPRESSION_COMPILE_AGGREGATES;

  assert_refused (prop ("nope"), all, GORM_ERROR_UNKNOWN_PROPERTY, "TestItem", "nope", NULL);
  assert_refused (gorm_expression_add (prop ("votes"), prop ("question.nope")), all,
                  GORM_ERROR_UNKNOWN_PROPERTY, "question.nope", NULL);
  /* Text + int: the property and its type are named. */
  assert_refused (gorm_expression_add (prop ("name"), int_value (1)), all,
                  GORM_ERROR_TYPE_MISMATCH, "TestItem:name", "gchararray", "add", NULL);
  assert_refused (gorm_expression_multiply (int_value (2), prop ("color")), all,
                  GORM_ERROR_TYPE_MISMATCH, "TestItem:color", "TestColor", NULL);
  assert_refused (gorm_expression_add (prop ("flag"), int_value (1)), all,
                  GORM_ERROR_TYPE_MISMATCH, "TestItem:flag", NULL);
  /* A constant that does not convert to the property's type. */
  assert_refused (gorm_expression_add (prop ("votes"), double_value (1.5)), all,
                  GORM_ERROR_TYPE_MISMATCH, "1.5", NULL);
  assert_refused (gorm_expression_add (prop ("votes"), string_value ("x")), all,
                  GORM_ERROR_TYPE_MISMATCH, NULL);
  assert_refused (gorm_expression_date_part (prop ("votes"), GORM_DATE_PART_YEAR), all,
                  GORM_ERROR_TYPE_MISMATCH, "TestItem:votes", "date_part", NULL);
  /* Aggregates only where the caller allows them, never nested. */
  assert_refused (gorm_expression_sum (prop ("votes")), GORM_EXPRESSION_COMPILE_NONE,
                  GORM_ERROR_VALIDATION, "sum", "TestItem", NULL);
  assert_refused (gorm_expression_sum (gorm_expression_count (NULL, FALSE)), all,
                  GORM_ERROR_VALIDATION, "inside", NULL);
  assert_refused (gorm_expression_sum (prop ("name")), all,
                  GORM_ERROR_TYPE_MISMATCH, "TestItem:name", NULL);
  /* An enum's max goes by its values (tests/test-aggregates.c); a
   * boolean has none. */
  assert_refused (gorm_expression_max (prop ("flag")), all,
                  GORM_ERROR_TYPE_MISMATCH, "TestItem:flag", NULL);
  /* NULL arguments poison the expression instead of crashing. */
  assert_refused (gorm_expression_property (NULL), all, GORM_ERROR_UNKNOWN_PROPERTY, "NULL", NULL);
  assert_refused (gorm_expression_add (prop ("votes"), NULL), all, GORM_ERROR_FAILED,
                  "second operand", NULL);
  assert_refused (gorm_expression_date_part (NULL, GORM_DATE_PART_DAY), all, GORM_ERROR_FAILED,
                  "date_part", NULL);
  assert_refused (gorm_expression_date_part (prop ("when"), 42), all, GORM_ERROR_VALIDATION,
                  "42", NULL);

  /* The next expression works. */
  values = evaluate (db, TEST_TYPE_ITEM, gorm_expression_add (prop ("votes"), int_value (1)), NULL);
  g_assert_cmpint (int64_at (values, 0), ==, 8);
}


/* A list replaying a model's items-changed, of objects. */
typedef struct
{
  GListModel *model;
  GPtrArray  *items;
} Shadow;

static void
shadow_items_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Shadow     *shadow)
{
  g_assert_cmpuint (position + removed, <=, shadow->items->len);
  g_ptr_array_remove_range (shadow->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (shadow->items, position + i, g_list_model_get_item (model, position + i));
}

static Shadow *
shadow_new (GListModel *model)
{
  Shadow *shadow = g_new0 (Shadow, 1);

  shadow->model = g_object_ref (model);
  shadow->items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (shadow->items, g_list_model_get_item (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (shadow_items_changed_cb), shadow);
  return shadow;
}

static void
shadow_free (Shadow *shadow)
{
  g_signal_handlers_disconnect_by_data (shadow->model, shadow);
  g_object_unref (shadow->model);
  g_ptr_array_unref (shadow->items);
  g_free (shadow);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Shadow, shadow_free)

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* What the signals built is what a fetch of @query gives now. */
static void
assert_shadow_matches (GormQuery *query,
                       Shadow    *shadow,
                       guint      step)
{
  g_autoptr(GListModel) fresh = NULL;
  g_autoptr(GError) error = NULL;

  fresh = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  if (shadow->items->len != g_list_model_get_n_items (fresh))
    g_error ("step %u: %u items replayed, %u fetched", step, shadow->items->len,
             g_list_model_get_n_items (fresh));
  for (guint i = 0; i < shadow->items->len; i++)
    {
      g_autoptr(GObject) expected = g_list_model_get_item (fresh, i);
      g_autoptr(GObject) live = g_list_model_get_item (shadow->model, i);

      if (expected != g_ptr_array_index (shadow->items, i) || live != expected)
        g_error ("step %u: item %u differs", step, i);
    }
}

/* Filters: gorm_filter_compare() */

static gint64
count_matching (GormDatabase *db,
                GType         type,
                GormFilter   *filter)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  g_autoptr(GError) error = NULL;
  gint64 n;

  gorm_query_filter (query, filter);
  n = gorm_query_count (query, NULL, &error);
  g_assert_no_error (error);
  return n;
}

/* The names of the items @filter matches, in key order, joined by
 * spaces. */
static char *
names_matching (GormDatabase *db,
                GormFilter   *filter)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
  g_autoptr(GListModel) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  gorm_query_filter (query, filter);
  gorm_query_order_by (query, "id", FALSE);
  items = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (items, i);
      g_autofree char *name = NULL;

      g_object_get (item, "name", &name, NULL);
      g_string_append_printf (names, "%s%s", i ? " " : "", name);
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
assert_names (GormDatabase *db,
              GormFilter   *filter,
              const char   *expected)
{
  g_autofree char *names = names_matching (db, filter);

  g_assert_cmpstr (names, ==, expected);
}

static void
assert_filter_refused (GormDatabase *db,
                       GType         type,
                       GormFilter   *filter,
                       gint          code,
                       const char   *word1,
                       const char   *word2)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  g_autoptr(GError) error = NULL;

  gorm_query_filter (query, filter);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, code);
  g_test_message ("%s", error->message);
  if (word1 != NULL && strstr (error->message, word1) == NULL)
    g_error ("“%s” does not name “%s”", error->message, word1);
  if (word2 != NULL && strstr (error->message, word2) == NULL)
    g_error ("“%s” does not name “%s”", error->message, word2);
}

static GormFilter *
compare (GormExpression *left,
         GormComparison  op,
         GormExpression *right)
{
  return gorm_filter_compare (left, op, right);
}

static void
test_compare_columns (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);
  g_autoptr(GObject) b = add_item (db, "b", 1, 10, 0.5, 3, NULL);
  g_autoptr(GObject) c = add_item (db, "c", 5, 5, 10.0, 1, NULL);

  /* votes > downvotes */
  assert_names (db, compare (prop ("votes"), GORM_COMPARISON_GT, prop ("downvotes")), "a");
  assert_names (db, compare (prop ("votes"), GORM_COMPARISON_LE, prop ("downvotes")), "b c");
  assert_names (db, compare (prop ("votes"), GORM_COMPARISON_EQ, prop ("downvotes")), "c");
  assert_names (db, compare (prop ("votes"), GORM_COMPARISON_NE, prop ("downvotes")), "a b");
  /* NOT is the exact complement. */
  assert_names (db, gorm_filter_not (compare (prop ("votes"), GORM_COMPARISON_GT,
                                                        prop ("downvotes"))), "b c");

  /* price * quantity >= 10 */
  assert_names (db, compare (gorm_expression_multiply (prop ("price"), prop ("quantity")),
                                       GORM_COMPARISON_GE, int_value (10)), "a c");

  /* votes + 1 < downvotes, and the constant on the left: 3 < votes. */
  assert_names (db, compare (gorm_expression_add (prop ("votes"), int_value (1)),
                                       GORM_COMPARISON_LT, prop ("downvotes")), "b");
  assert_names (db, compare (int_value (3), GORM_COMPARISON_LT, prop ("votes")), "a c");

  /* Combined with the other filters. */
  {
    g_auto(GValue) three = G_VALUE_INIT;

    assert_names (db, gorm_filter_and (compare (prop ("votes"), GORM_COMPARISON_GE, prop ("downvotes")),
                                       gorm_filter_lt ("price", test_int_value (&three, 3))),
                  "a");
  }
}

static GDateTime *
utc (gint year, gint month, gint day, gint hour, gint minute, double seconds)
{
  return g_date_time_new_utc (year, month, day, hour, minute, seconds);
}

static void
add_dated (GormDatabase *db,
           GPtrArray    *keep,
           const char   *name,
           GDateTime    *when)
{
  g_autoptr(GDateTime) owned = when;

  g_ptr_array_add (keep, add_item (db, name, 0, 0, 0, 0, owned));
}

static GormFilter *
part_is (GormDatePart    part,
         GormComparison  op,
         GormExpression *value)
{
  return compare (gorm_expression_date_part (prop ("when"), part), op, value);
}

static GormExpression *
date_time_value (GDateTime *date_time)
{
  g_autoptr(GDateTime) owned = date_time;
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_DATE_TIME);
  g_value_set_boxed (&value, owned);
  return gorm_expression_value (&value);
}

static void
test_compare_year_range (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  static const struct
  {
    GormComparison  op;
    gboolean        negated;
    const char     *names;
  } cases[] = {
    { GORM_COMPARISON_EQ, FALSE, "first last" },
    { GORM_COMPARISON_NE, FALSE, "before after" },
    { GORM_COMPARISON_LT, FALSE, "before" },
    { GORM_COMPARISON_LE, FALSE, "before first last" },
    { GORM_COMPARISON_GT, FALSE, "after" },
    { GORM_COMPARISON_GE, FALSE, "first last after" },
    /* The complements match the NULL date too. */
    { GORM_COMPARISON_EQ, TRUE, "before after none" },
    { GORM_COMPARISON_NE, TRUE, "first last none" },
    { GORM_COMPARISON_LT, TRUE, "first last after none" },
    { GORM_COMPARISON_GE, TRUE, "before none" },
  };

  /* The last microsecond of 2023, the first and last of 2024, the
   * first of 2025 and no date. */
  add_dated (db, keep, "before", utc (2023, 12, 31, 23, 59, 59.999999));
  add_dated (db, keep, "first", utc (2024, 1, 1, 0, 0, 0));
  add_dated (db, keep, "last", utc (2024, 12, 31, 23, 59, 59.999999));
  add_dated (db, keep, "after", utc (2025, 1, 1, 0, 0, 0));
  g_ptr_array_add (keep, add_item (db, "none", 0, 0, 0, 0, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GormFilter *filter = part_is (GORM_DATE_PART_YEAR, cases[i].op, int_value (2024));
      g_autofree char *names = names_matching (db, cases[i].negated ? gorm_filter_not (filter) : filter);

      g_test_message ("case %u", i);
      g_assert_cmpstr (names, ==, cases[i].names);
    }
}

static void
test_compare_date_range (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTimeZone) plus5 = g_time_zone_new_identifier ("+05:00");
  g_autofree char *names = NULL;

  add_dated (db, keep, "before", utc (2023, 12, 31, 23, 59, 59.999999));
  add_dated (db, keep, "first", utc (2024, 1, 1, 0, 0, 0));
  add_dated (db, keep, "last", utc (2024, 1, 1, 23, 59, 59.999999));
  add_dated (db, keep, "after", utc (2024, 1, 2, 0, 0, 0));
  g_ptr_array_add (keep, add_item (db, "none", 0, 0, 0, 0, NULL));

  /* 15:00 at UTC+5 is 10:00 UTC, on 1 January: its UTC day. */
  assert_names (db, part_is (GORM_DATE_PART_DATE, GORM_COMPARISON_EQ,
                                       date_time_value (g_date_time_new (plus5, 2024, 1, 1, 15, 0, 0))), "first last");
  g_clear_pointer (&names, g_free);
  /* 02:00 at UTC+5 is 21:00 UTC the day before. */
  assert_names (db, part_is (GORM_DATE_PART_DATE, GORM_COMPARISON_EQ,
                                       date_time_value (g_date_time_new (plus5, 2024, 1, 1, 2, 0, 0))), "before");
  g_clear_pointer (&names, g_free);
  assert_names (db, part_is (GORM_DATE_PART_DATE, GORM_COMPARISON_GT,
                                       date_time_value (utc (2024, 1, 1, 12, 0, 0))), "after");
  g_clear_pointer (&names, g_free);
  assert_names (db, part_is (GORM_DATE_PART_DATE, GORM_COMPARISON_LE,
                                       date_time_value (utc (2024, 1, 1, 12, 0, 0))), "before first last");
  g_clear_pointer (&names, g_free);
  assert_names (db, gorm_filter_not (part_is (GORM_DATE_PART_DATE, GORM_COMPARISON_EQ,
                                                        date_time_value (utc (2024, 1, 1, 0, 0, 0)))), "before after none");
  g_clear_pointer (&names, g_free);
  /* The day of one date-time against the day of another. */
  assert_names (db, compare (gorm_expression_date_part (prop ("when"), GORM_DATE_PART_DATE),
                                       GORM_COMPARISON_EQ,
                                       gorm_expression_date_part (date_time_value (utc (2024, 1, 1, 5, 0, 0)),
                                                                  GORM_DATE_PART_DATE)), "first last");
}

static void
test_compare_parts (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTimeZone) minus5 = g_time_zone_new_identifier ("-05:00");
  g_autofree char *names = NULL;

  /* Tuesday 5 March 2024 13:03:59 UTC; Saturday 2 March 23:30 at UTC-5,
   * Sunday 3 March 04:30 UTC. */
  add_dated (db, keep, "tuesday", utc (2024, 3, 5, 13, 3, 59.5));
  add_dated (db, keep, "sunday", g_date_time_new (minus5, 2024, 3, 2, 23, 30, 0));
  g_ptr_array_add (keep, add_item (db, "none", 0, 0, 0, 0, NULL));

  assert_names (db, part_is (GORM_DATE_PART_WEEK_DAY, GORM_COMPARISON_EQ, int_value (1)), "sunday");
  g_clear_pointer (&names, g_free);
  assert_names (db, part_is (GORM_DATE_PART_WEEK_DAY, GORM_COMPARISON_EQ, int_value (3)), "tuesday");
  g_clear_pointer (&names, g_free);
  assert_names (db, part_is (GORM_DATE_PART_DAY, GORM_COMPARISON_EQ, int_value (3)), "sunday");
  g_clear_pointer (&names, g_free);
  assert_names (db, part_is (GORM_DATE_PART_MONTH, GORM_COMPARISON_EQ, int_value (3)), "tuesday sunday");
  g_clear_pointer (&names, g_free);
  assert_names (db, part_is (GORM_DATE_PART_HOUR, GORM_COMPARISON_LT, int_value (12)), "sunday");
  g_clear_pointer (&names, g_free);
  assert_names (db, part_is (GORM_DATE_PART_MINUTE, GORM_COMPARISON_EQ, int_value (3)), "tuesday");
  g_clear_pointer (&names, g_free);
  assert_names (db, part_is (GORM_DATE_PART_SECOND, GORM_COMPARISON_GE, int_value (59)), "tuesday");
  g_clear_pointer (&names, g_free);
  /* A NULL date never matches, for ne either; its complement does. */
  assert_names (db, part_is (GORM_DATE_PART_HOUR, GORM_COMPARISON_NE, int_value (99)), "tuesday sunday");
  g_clear_pointer (&names, g_free);
  assert_names (db, gorm_filter_not (part_is (GORM_DATE_PART_HOUR, GORM_COMPARISON_NE,
                                                        int_value (4))), "sunday none");
  g_clear_pointer (&names, g_free);
}

/* The plan the engine makes for the filter's SELECT of keys. */
static char *
explain_filter (GormDatabase *db,
                GType         type,
                GormFilter   *filter)
{
  g_autoptr(GormFilter) owned = filter;
  const GormSchema *schema = gorm_schema_lookup (type, NULL);
  const GormDialect *dialect = gorm_database_get_dialect (db);
  g_autoptr(GormCondition) condition = NULL;
  g_autoptr(GString) sql = g_string_new (test_engine_is_postgresql () ? "EXPLAIN SELECT \"id\" FROM "
                                                                      : "EXPLAIN QUERY PLAN SELECT \"id\" FROM ");
  g_autoptr(GArray) params = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_autoptr(GString) plan = g_string_new (NULL);
  g_autoptr(GormRows) rows = NULL;
  g_autoptr(GError) error = NULL;
  GormConnection *connection;
  GormStatement *statement;

  condition = gorm_filter_compile (owned, schema, &error);
  g_assert_no_error (error);
  gorm_dialect_append_identifier (sql, schema->table);
  gorm_dialect_append_where (dialect, sql, condition, params);

  gorm_database_lock (db);
  connection = gorm_database_get_connection_locked (db, &error);
  g_assert_no_error (error);
  /* A few rows: only a plan without sequential scans shows the index. */
  if (test_engine_is_postgresql ())
    g_assert_true (gorm_connection_run_locked (connection, "SET enable_seqscan = off", NULL));
  statement = gorm_connection_lookup_locked (connection, sql->str, &error);
  g_assert_no_error (error);
  gorm_statement_take_params (statement, (GValue *) (gpointer) params->data, params->len);
  rows = gorm_connection_select_locked (connection, statement, NULL, &error);
  g_assert_no_error (error);
  for (guint row = 0; row < gorm_rows_get_n_rows (rows); row++)
    for (guint column = 0; ; column++)
      {
        const GValue *value = gorm_rows_get_value (rows, column, row, NULL);

        if (value == NULL)
          break;
        if (G_VALUE_HOLDS_STRING (value))
          g_string_append_printf (plan, "%s\n", g_value_get_string (value));
      }
  if (test_engine_is_postgresql ())
    g_assert_true (gorm_connection_run_locked (connection, "SET enable_seqscan = on", NULL));
  gorm_database_unlock (db);
  g_test_message ("%s", plan->str);
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

static void
assert_uses_index (const char *plan,
                   const char *column)
{
  if (test_engine_is_postgresql ())
    g_assert_nonnull (strstr (plan, "Index"));
  else
    g_assert_nonnull (strstr (plan, "USING"));
  g_assert_nonnull (strstr (plan, column));
}

static void
test_compare_index (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autofree char *plan = NULL;

  plan = explain_filter (db, TEST_TYPE_ITEM, part_is (GORM_DATE_PART_YEAR, GORM_COMPARISON_EQ, int_value (2024)));
  assert_uses_index (plan, "when");
  g_clear_pointer (&plan, g_free);
  plan = explain_filter (db, TEST_TYPE_ITEM, part_is (GORM_DATE_PART_YEAR, GORM_COMPARISON_GE, int_value (2024)));
  assert_uses_index (plan, "when");
  g_clear_pointer (&plan, g_free);
  plan = explain_filter (db, TEST_TYPE_ITEM, part_is (GORM_DATE_PART_DATE, GORM_COMPARISON_EQ,
                                      date_time_value (utc (2024, 1, 1, 0, 0, 0))));
  assert_uses_index (plan, "when");
  g_clear_pointer (&plan, g_free);
}

static void
test_compare_paths (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GObject) q1 = NULL;
  g_autoptr(GObject) q2 = NULL;
  g_autoptr(GObject) c1 = NULL;
  g_autoptr(GObject) c2 = NULL;
  g_autoptr(GObject) c3 = NULL;
  gint64 id1, id2;

  test_migrate (db, POLLS_TYPE_AUTHOR);
  test_migrate (db, POLLS_TYPE_QUESTION);
  test_migrate (db, POLLS_TYPE_CHOICE);
  q1 = g_object_new (POLLS_TYPE_QUESTION, "database", db, "question-text", "one", "rank", 4, NULL);
  q2 = g_object_new (POLLS_TYPE_QUESTION, "database", db, "question-text", "two", "rank", 9, NULL);
  g_assert_true (gorm_resource_set_null (GORM_RESOURCE (q1), "author-id", NULL));
  g_assert_true (gorm_resource_set_null (GORM_RESOURCE (q2), "author-id", NULL));
  test_save_ok (q1);
  test_save_ok (q2);
  g_object_get (q1, "id", &id1, NULL);
  g_object_get (q2, "id", &id2, NULL);
  c1 = g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", id1, "votes", 3, NULL);
  c2 = g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", id1, "votes", 5, NULL);
  c3 = g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", id2, "votes", 10, NULL);
  test_save_ok (c1);
  test_save_ok (c2);
  test_save_ok (c3);

  /* A forward path: choices with more votes than their question's rank. */
  g_assert_cmpint (count_matching (db, POLLS_TYPE_CHOICE,
                                   compare (prop ("votes"), GORM_COMPARISON_GT, prop ("question.rank"))),
                   ==, 2);
  g_assert_cmpint (count_matching (db, POLLS_TYPE_CHOICE,
                                   gorm_filter_not (compare (prop ("votes"), GORM_COMPARISON_GT,
                                                             prop ("question.rank")))), ==, 1);
  /* A reverse path: questions with a choice of more than 4 votes, and
   * with a choice whose votes + 1 is 4. */
  g_assert_cmpint (count_matching (db, POLLS_TYPE_QUESTION,
                                   compare (prop ("choice.votes"), GORM_COMPARISON_GT, int_value (4))),
                   ==, 2);
  g_assert_cmpint (count_matching (db, POLLS_TYPE_QUESTION,
                                   compare (gorm_expression_add (prop ("choice.votes"), int_value (1)),
                                            GORM_COMPARISON_EQ, int_value (4))), ==, 1);
  /* The same related row for the conditions of one AND. */
  g_assert_cmpint (count_matching (db, POLLS_TYPE_QUESTION,
                                   gorm_filter_and (compare (prop ("choice.votes"), GORM_COMPARISON_GT,
                                                             int_value (4)),
                                                    compare (prop ("choice.votes"), GORM_COMPARISON_LT,
                                                             int_value (6)))), ==, 1);
  /* A choice's votes against its question's own rank: "one" (rank 4)
   * has choices of 3 and 5 votes, "two" (rank 9) one of 10. */
  g_assert_cmpint (count_matching (db, POLLS_TYPE_QUESTION,
                                   compare (prop ("choice.votes"), GORM_COMPARISON_LT, prop ("rank"))),
                   ==, 1);
  g_assert_cmpint (count_matching (db, POLLS_TYPE_QUESTION,
                                   compare (gorm_expression_add (prop ("rank"), int_value (1)),
                                            GORM_COMPARISON_LE, prop ("choice.votes"))), ==, 2);
  g_assert_cmpint (count_matching (db, POLLS_TYPE_QUESTION,
                                   compare (gorm_expression_add (prop ("rank"), int_value (1)),
                                            GORM_COMPARISON_LT, prop ("choice.votes"))), ==, 0);
  /* Its complement: "two", whose one choice beats its rank. */
  g_assert_cmpint (count_matching (db, POLLS_TYPE_QUESTION,
                                   gorm_filter_not (compare (prop ("choice.votes"), GORM_COMPARISON_LT,
                                                             prop ("rank")))), ==, 1);
  /* A live model follows: "two" enters when its rank rises above 10. */
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_QUESTION);
    g_autoptr(GListModel) model = NULL;
    g_autoptr(Shadow) shadow = NULL;
    g_autoptr(GError) error = NULL;

    gorm_query_filter (query, compare (prop ("choice.votes"), GORM_COMPARISON_LT, prop ("rank")));
    gorm_query_order_by (query, "rank", TRUE);
    model = gorm_query_watch (query, NULL, &error);
    g_assert_no_error (error);
    shadow = shadow_new (model);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
    g_object_set (q2, "rank", 11, NULL);
    test_save_ok (q2);
    drain ();
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
    assert_shadow_matches (query, shadow, 1);
    g_object_set (q2, "rank", 9, NULL);
    test_save_ok (q2);
    drain ();
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
    assert_shadow_matches (query, shadow, 2);
  }

  /* From a choice: the other choices of its question with more votes,
   * through question (forward) then choice (reverse), against the
   * choice's own votes. */
  g_assert_cmpint (count_matching (db, POLLS_TYPE_CHOICE,
                                   compare (prop ("question.choice.votes"), GORM_COMPARISON_GT,
                                            prop ("votes"))), ==, 1);
  /* Two different reverse paths in one comparison: refused. */
  assert_filter_refused (db, POLLS_TYPE_CHOICE,
                         compare (prop ("question.choice.votes"), GORM_COMPARISON_GT,
                                  prop ("question.author.question.rank")),
                         GORM_ERROR_VALIDATION, "one such path", NULL);
  g_assert_cmpint (count_matching (db, POLLS_TYPE_QUESTION,
                                   compare (prop ("choice.votes"), GORM_COMPARISON_GE, int_value (10))),
                   ==, 1);
}

static void
test_compare_errors (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);

  assert_filter_refused (db, TEST_TYPE_ITEM, compare (prop ("nope"), GORM_COMPARISON_GT, prop ("votes")),
                         GORM_ERROR_UNKNOWN_PROPERTY, "TestItem", "nope");
  g_assert_cmpint (count_matching (db, TEST_TYPE_ITEM,
                                   compare (prop ("votes"), GORM_COMPARISON_GT, prop ("downvotes"))), ==, 1);
  /* Text and numbers. */
  assert_filter_refused (db, TEST_TYPE_ITEM, compare (prop ("name"), GORM_COMPARISON_GT, prop ("votes")),
                         GORM_ERROR_TYPE_MISMATCH, "TestItem:name, a gchararray", "TestItem:votes, a gint");
  assert_filter_refused (db, TEST_TYPE_ITEM,
                         compare (gorm_expression_add (prop ("name"), int_value (1)), GORM_COMPARISON_GT,
                                  prop ("votes")),
                         GORM_ERROR_TYPE_MISMATCH, "TestItem:name", "gchararray");
  assert_filter_refused (db, TEST_TYPE_ITEM, compare (prop ("votes"), GORM_COMPARISON_EQ, string_value ("x")),
                         GORM_ERROR_TYPE_MISMATCH, "votes", NULL);
  g_assert_cmpint (count_matching (db, TEST_TYPE_ITEM,
                                   compare (prop ("votes"), GORM_COMPARISON_GT, prop ("downvotes"))), ==, 1);
  /* An aggregate in the filter of a query that does not group. */
  assert_filter_refused (db, TEST_TYPE_ITEM,
                         compare (gorm_expression_sum (prop ("votes")), GORM_COMPARISON_GT, int_value (1)),
                         GORM_ERROR_VALIDATION, "sum", "TestItem");
  g_assert_cmpint (count_matching (db, TEST_TYPE_ITEM,
                                   compare (prop ("votes"), GORM_COMPARISON_GT, prop ("downvotes"))), ==, 1);
  /* NULL operands and a comparison out of range. */
  assert_filter_refused (db, TEST_TYPE_ITEM, compare (NULL, GORM_COMPARISON_GT, prop ("votes")),
                         GORM_ERROR_FAILED, "left operand", NULL);
  assert_filter_refused (db, TEST_TYPE_ITEM, compare (prop ("votes"), 17, prop ("votes")),
                         GORM_ERROR_VALIDATION, "17", NULL);
  g_assert_cmpint (count_matching (db, TEST_TYPE_ITEM,
                                   compare (prop ("votes"), GORM_COMPARISON_GT, prop ("downvotes"))), ==, 1);
}

/* Orders: gorm_query_order_by_expression() */

static char *
names_of (GListModel *items)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (items, i);
      g_autofree char *name = NULL;

      g_object_get (item, "name", &name, NULL);
      g_string_append_printf (names, "%s%s", i ? " " : "", name);
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* The names of every item in the order of @expression (taken). */
static char *
names_ordered (GormDatabase   *db,
               GormExpression *expression,
               gboolean        descending,
               gboolean        live)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
  g_autoptr(GListModel) items = NULL;
  g_autoptr(GError) error = NULL;

  gorm_query_order_by_expression (query, expression, descending);
  items = live ? gorm_query_watch (query, NULL, &error) : gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  return names_of (items);
}

static void
assert_ordered (GormDatabase   *db,
                GormExpression *expression,
                gboolean        descending,
                gboolean        live,
                const char     *expected)
{
  g_autofree char *names = names_ordered (db, expression, descending, live);

  g_assert_cmpstr (names, ==, expected);
}

static void
test_order (void)
{
  g_autoptr(GDateTime) ten = utc (2024, 1, 1, 10, 0, 0);
  g_autoptr(GDateTime) eight = utc (2024, 1, 1, 8, 0, 0);
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *names = NULL;

  g_ptr_array_add (keep, add_item (db, "a", 7, 2, 2.5, 4, NULL));
  g_ptr_array_add (keep, add_item (db, "b", 1, 10, 0.5, 3, ten));
  g_ptr_array_add (keep, add_item (db, "c", 5, 5, 10.0, 3, eight));

  for (guint live = 0; live < 2; live++)
    {
      /* votes - downvotes: 5, -9, 0 */
      assert_ordered (db, gorm_expression_subtract (prop ("votes"), prop ("downvotes")), FALSE, live, "b c a");
      assert_ordered (db, gorm_expression_subtract (prop ("votes"), prop ("downvotes")), TRUE, live, "a c b");
      /* price * quantity: 10, 1.5, 30 */
      assert_ordered (db, gorm_expression_multiply (prop ("price"), prop ("quantity")), TRUE, live, "c a b");
      /* votes * -1 + 100, a constant in the order. */
      assert_ordered (db, gorm_expression_add (gorm_expression_multiply (prop ("votes"), int_value (-1)),
                                                      int_value (100)), FALSE, live, "a c b");
      /* The hour: NULL first ascending, last descending, on both engines. */
      assert_ordered (db, gorm_expression_date_part (prop ("when"), GORM_DATE_PART_HOUR), FALSE, live, "a c b");
      assert_ordered (db, gorm_expression_date_part (prop ("when"), GORM_DATE_PART_HOUR), TRUE, live, "b c a");
      /* A plain property is a plain order; ties by key, descending too. */
      assert_ordered (db, prop ("quantity"), TRUE, live, "a c b");
    }

  /* After another order, as its tie-breaker. */
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
    g_autoptr(GListModel) items = NULL;
    g_autoptr(GError) error = NULL;

    gorm_query_order_by (query, "quantity", FALSE);
    gorm_query_order_by_expression (query, gorm_expression_subtract (prop ("downvotes"), prop ("votes")), TRUE);
    items = gorm_query_fetch (query, NULL, &error);
    g_assert_no_error (error);
    names = names_of (items);
    g_assert_cmpstr (names, ==, "b c a");
  }
}

static void
test_order_paths (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) choices = NULL;
  g_autoptr(GError) error = NULL;
  GObject *q1, *q2;
  gint64 id1, id2;
  static const gint votes[] = { 3, 5, 1, 2 };

  test_migrate (db, POLLS_TYPE_AUTHOR);
  test_migrate (db, POLLS_TYPE_QUESTION);
  test_migrate (db, POLLS_TYPE_CHOICE);
  q1 = g_object_new (POLLS_TYPE_QUESTION, "database", db, "question-text", "one", "rank", 4, NULL);
  q2 = g_object_new (POLLS_TYPE_QUESTION, "database", db, "question-text", "two", "rank", 1, NULL);
  g_ptr_array_add (keep, q1);
  g_ptr_array_add (keep, q2);
  g_assert_true (gorm_resource_set_null (GORM_RESOURCE (q1), "author-id", NULL));
  g_assert_true (gorm_resource_set_null (GORM_RESOURCE (q2), "author-id", NULL));
  test_save_ok (q1);
  test_save_ok (q2);
  g_object_get (q1, "id", &id1, NULL);
  g_object_get (q2, "id", &id2, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (votes); i++)
    {
      GObject *choice = g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", i < 2 ? id1 : id2,
                                      "votes", votes[i], NULL);

      test_save_ok (choice);
      g_ptr_array_add (keep, choice);
    }

  /* votes * question.rank: 12, 20, 1, 2 */
  query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  gorm_query_order_by_expression (query, gorm_expression_multiply (prop ("votes"), prop ("question.rank")), TRUE);
  choices = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GObject) choice = g_list_model_get_item (choices, i);
      gint n;
      static const gint expected[] = { 5, 3, 2, 1 };

      g_object_get (choice, "votes", &n, NULL);
      g_assert_cmpint (n, ==, expected[i]);
    }
}

/* Saves more items than a page holds on either engine (so that a model
 * loads its pages by offset), of random votes, downvotes, prices and
 * quantities (1 to 4), into @items; returns how many. */
static guint
fill_items (GormDatabase *db,
            GRand        *rand,
            GPtrArray    *items)
{
  g_autoptr(GError) error = NULL;
  guint n = test_engine_is_postgresql () ? 1100 : 250;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, add_item (db, "x", g_rand_int_range (rand, 0, 20), g_rand_int_range (rand, 0, 20),
                                      g_rand_int_range (rand, 0, 4) / 2.0, g_rand_int_range (rand, 1, 5), NULL));
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  return n;
}

static GormQuery *
live_order_query (GormDatabase *db)
{
  GormQuery *query = gorm_database_query (db, TEST_TYPE_ITEM);

  /* votes > downvotes, by votes - downvotes descending, then by price
   * * quantity. */
  gorm_query_filter (query, compare (prop ("votes"), GORM_COMPARISON_GT, prop ("downvotes")));
  gorm_query_order_by_expression (query, gorm_expression_subtract (prop ("votes"), prop ("downvotes")), TRUE);
  gorm_query_order_by_expression (query, gorm_expression_multiply (prop ("price"), prop ("quantity")), FALSE);
  return query;
}

static void
test_order_live (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(Shadow) shadow = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autoptr(GError) error = NULL;
  guint n = fill_items (db, rand, items);

  query = live_order_query (db);
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  shadow = shadow_new (model);
  assert_shadow_matches (query, shadow, 0);

  for (guint step = 1; step <= 40; step++)
    {
      GObject *item = g_ptr_array_index (items, g_rand_int_range (rand, 0, n));

      g_object_set (item, "votes", g_rand_int_range (rand, 0, 20), "price",
                    g_rand_int_range (rand, 0, 4) / 2.0, NULL);
      test_save_ok (item);
      drain ();
      assert_shadow_matches (query, shadow, step);
    }
}

static void
assert_order_refused (GormDatabase   *db,
                      GType           type,
                      GormExpression *expression,
                      gint            code,
                      const char     *word)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) items = NULL;

  gorm_query_order_by_expression (query, expression, FALSE);
  items = gorm_query_fetch (query, NULL, &error);
  g_assert_null (items);
  g_assert_error (error, GORM_ERROR, code);
  g_test_message ("%s", error->message);
  if (word != NULL && strstr (error->message, word) == NULL)
    g_error ("“%s” does not name “%s”", error->message, word);
}

static void
test_order_errors (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);
  g_autofree char *names = NULL;

  test_migrate (db, POLLS_TYPE_AUTHOR);
  test_migrate (db, POLLS_TYPE_QUESTION);
  test_migrate (db, POLLS_TYPE_CHOICE);
  assert_order_refused (db, TEST_TYPE_ITEM, gorm_expression_add (prop ("nope"), int_value (1)),
                        GORM_ERROR_UNKNOWN_PROPERTY, "nope");
  assert_order_refused (db, TEST_TYPE_ITEM, gorm_expression_add (prop ("name"), int_value (1)),
                        GORM_ERROR_TYPE_MISMATCH, "TestItem:name");
  assert_order_refused (db, TEST_TYPE_ITEM, gorm_expression_sum (prop ("votes")),
                        GORM_ERROR_VALIDATION, "sum");
  assert_order_refused (db, TEST_TYPE_ITEM, string_value ("x"), GORM_ERROR_VALIDATION, "constant");
  assert_order_refused (db, POLLS_TYPE_QUESTION, prop ("choice.votes"), GORM_ERROR_VALIDATION,
                        "choice.votes");
  assert_order_refused (db, TEST_TYPE_ITEM, NULL, GORM_ERROR_FAILED, "NULL");
  names = names_ordered (db, gorm_expression_add (prop ("votes"), int_value (1)), FALSE, FALSE);
  g_assert_cmpstr (names, ==, "a");
}

/* Bulk updates: gorm_query_update_expressions() */

static gint
votes_of (gpointer item)
{
  gint votes;

  g_object_get (item, "votes", &votes, NULL);
  return votes;
}

static gint
downvotes_of (gpointer item)
{
  gint downvotes;

  g_object_get (item, "downvotes", &downvotes, NULL);
  return downvotes;
}

static void
count_saved_cb (GormDatabase *db,
                GormResource *resource,
                gboolean      created,
                guint        *count)
{
  g_assert_false (created);
  (*count)++;
}

/* Updates the items @filter (taken, NULL: all) matches, setting
 * @property to @expression (taken) and @property2 to @expression2 when
 * not NULL. */
static gint64
update2 (GormDatabase    *db,
         GormFilter      *filter,
         const char      *property,
         GormExpression  *expression,
         const char      *property2,
         GormExpression  *expression2,
         GError         **error)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
  const char *properties[] = { property, property2 };
  GormExpression *expressions[] = { expression, expression2 };
  gint64 rows;

  if (filter != NULL)
    gorm_query_filter (query, filter);
  rows = gorm_query_update_expressions (query, property2 ? 2 : 1, properties, expressions, NULL, error);
  g_clear_pointer (&expressions[0], gorm_expression_unref);
  g_clear_pointer (&expressions[1], gorm_expression_unref);
  return rows;
}

static void
test_update (void)
{
  g_autoptr(GDateTime) july = utc (2024, 7, 14, 9, 0, 0);
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);
  g_autoptr(GObject) b = add_item (db, "b", 1, 10, 0.5, 3, NULL);
  g_autoptr(GObject) c = add_item (db, "c", 5, 5, 10.0, 1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) check = NULL;
  g_autoptr(GListModel) fresh = NULL;
  guint saved = 0;

  g_signal_connect (db, "resource-saved", G_CALLBACK (count_saved_cb), &saved);

  /* votes = votes + 1 where votes >= downvotes: the tutorial's vote. */
  g_assert_cmpint (update2 (db, compare (prop ("votes"), GORM_COMPARISON_GE, prop ("downvotes")),
                            "votes", gorm_expression_add (prop ("votes"), int_value (1)), NULL, NULL,
                            &error), ==, 2);
  g_assert_no_error (error);
  drain ();
  g_assert_cmpint (votes_of (a), ==, 8);
  g_assert_cmpint (votes_of (b), ==, 1);
  g_assert_cmpint (votes_of (c), ==, 6);
  g_assert_false (gorm_resource_is_dirty (GORM_RESOURCE (a)));
  g_assert_cmpuint (saved, ==, 2);

  /* Every expression sees the row as it was: a swap. */
  g_assert_cmpint (update2 (db, NULL, "votes", prop ("downvotes"), "downvotes", prop ("votes"), &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (votes_of (a), ==, 2);
  g_assert_cmpint (downvotes_of (a), ==, 8);
  g_assert_cmpint (votes_of (b), ==, 10);
  g_assert_cmpint (downvotes_of (b), ==, 1);

  /* A double from a double and an integer; a constant; a date part. */
  g_assert_cmpint (update2 (db, NULL, "price", gorm_expression_multiply (prop ("price"), prop ("quantity")),
                            "name", string_value ("z"), &error), ==, 3);
  g_assert_no_error (error);
  {
    double price;
    g_autofree char *name = NULL;

    g_object_get (a, "price", &price, "name", &name, NULL);
    g_assert_cmpfloat_with_epsilon (price, 10.0, 1e-9);
    g_assert_cmpstr (name, ==, "z");
  }
  g_object_set (c, "when", july, NULL);
  test_save_ok (c);
  g_assert_cmpint (update2 (db, compare (prop ("quantity"), GORM_COMPARISON_EQ, int_value (1)), "votes",
                            gorm_expression_date_part (prop ("when"), GORM_DATE_PART_MONTH), NULL, NULL,
                            &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (votes_of (c), ==, 7);

  /* What the objects hold is what the rows hold. */
  check = gorm_database_query (db, TEST_TYPE_ITEM);
  gorm_query_filter (check, compare (prop ("votes"), GORM_COMPARISON_EQ, int_value (7)));
  g_assert_cmpint (gorm_query_count (check, NULL, &error), ==, 1);
  g_assert_no_error (error);
}

static void
test_update_live (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(Shadow) shadow = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  guint n = fill_items (db, rand, items);

  query = live_order_query (db);
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  shadow = shadow_new (model);

  for (guint step = 1; step <= 6; step++)
    {
      /* Rows enter (votes grow past downvotes), leave and move. */
      g_assert_cmpint (update2 (db, compare (prop ("quantity"), GORM_COMPARISON_EQ, int_value (step % 4 + 1)),
                                "votes", gorm_expression_add (prop ("votes"), int_value (step % 2 ? 5 : -7)),
                                NULL, NULL, &error), >, 0);
      g_assert_no_error (error);
      drain ();
      assert_shadow_matches (query, shadow, step);
    }
  /* The objects hold what the rows hold. */
  for (guint i = 0; i < n; i += 37)
    {
      GObject *item = g_ptr_array_index (items, i);
      gint64 id;
      g_autoptr(GormQuery) one = gorm_database_query (db, TEST_TYPE_ITEM);
      g_auto(GValue) key = G_VALUE_INIT;

      g_object_get (item, "id", &id, NULL);
      g_value_init (&key, G_TYPE_INT64);
      g_value_set_int64 (&key, id);
      gorm_query_filter (one, gorm_filter_and (gorm_filter_eq ("id", &key),
                                               compare (prop ("votes"), GORM_COMPARISON_EQ,
                                                        int_value (votes_of (item)))));
      g_assert_cmpint (gorm_query_count (one, NULL, &error), ==, 1);
    }
}

/* Nothing changed: the rows and the objects hold what they held. */
static void
assert_unchanged (GormDatabase *db,
                  GObject      *a,
                  GObject      *b)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (votes_of (a), ==, 7);
  g_assert_cmpint (votes_of (b), ==, 1);
  g_assert_cmpint (downvotes_of (a), ==, 2);
  gorm_query_filter (query, gorm_filter_or (gorm_filter_and (compare (prop ("votes"), GORM_COMPARISON_EQ, int_value (7)),
                                                             compare (prop ("downvotes"), GORM_COMPARISON_EQ, int_value (2))),
                                            compare (prop ("votes"), GORM_COMPARISON_EQ, int_value (1))));
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 2);
  g_assert_no_error (error);
}

static void
assert_update_refused (GormDatabase   *db,
                       const char     *property,
                       GormExpression *expression,
                       gint            code,
                       const char     *word)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (update2 (db, NULL, property, expression, "downvotes", prop ("votes"), &error), ==, -1);
  g_assert_error (error, GORM_ERROR, code);
  g_test_message ("%s", error->message);
  if (word != NULL && strstr (error->message, word) == NULL)
    g_error ("“%s” does not name “%s”", error->message, word);
}

static void
test_update_errors (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);
  g_autoptr(GObject) b = add_item (db, "b", 1, 10, 0.5, 0, NULL);
  g_autoptr(GError) error = NULL;

  assert_update_refused (db, "nope", int_value (1), GORM_ERROR_UNKNOWN_PROPERTY, "nope");
  assert_update_refused (db, "votes", gorm_expression_add (prop ("nope"), int_value (1)),
                         GORM_ERROR_UNKNOWN_PROPERTY, "nope");
  assert_update_refused (db, "votes", gorm_expression_add (prop ("name"), int_value (1)),
                         GORM_ERROR_TYPE_MISMATCH, "TestItem:name");
  /* A double does not go into an integer without loss, nor text. */
  assert_update_refused (db, "votes", prop ("price"), GORM_ERROR_TYPE_MISMATCH, "TestItem:votes");
  assert_update_refused (db, "votes", prop ("name"), GORM_ERROR_TYPE_MISMATCH, "gchararray");
  assert_update_refused (db, "votes", gorm_expression_sum (prop ("votes")), GORM_ERROR_VALIDATION, "sum");
  assert_update_refused (db, "votes", NULL, GORM_ERROR_FAILED, "NULL");
  assert_update_refused (db, "downvotes", int_value (1), GORM_ERROR_FAILED, "twice");
  assert_update_refused (db, "id", int_value (1), GORM_ERROR_FAILED, "primary key");
  assert_unchanged (db, a, b);

  /* A division by zero: an error on PostgreSQL; NULL on SQLite, which
   * the NOT NULL column refuses. Neither changes anything. */
  g_assert_cmpint (update2 (db, NULL, "votes", gorm_expression_divide (prop ("votes"), prop ("quantity")),
                            "downvotes", int_value (0), &error), ==, -1);
  if (test_engine_is_postgresql ())
    {
      g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "division by zero"));
    }
  else
    g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  assert_unchanged (db, a, b);
  g_assert_false (gorm_resource_is_dirty (GORM_RESOURCE (a)));

  /* The next call works. */
  g_assert_cmpint (update2 (db, NULL, "votes", gorm_expression_subtract (prop ("votes"), int_value (1)),
                            NULL, NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (votes_of (a), ==, 6);
  g_assert_cmpint (votes_of (b), ==, 0);
}

/* Inside a transaction the objects change when it commits, never when it
 * rolls back. */
static void
test_update_transaction (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_cmpint (update2 (db, NULL, "votes", gorm_expression_add (prop ("votes"), prop ("downvotes")),
                            NULL, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  drain ();
  g_assert_cmpint (votes_of (a), ==, 7);
  g_assert_false (gorm_resource_is_dirty (GORM_RESOURCE (a)));

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_cmpint (update2 (db, NULL, "votes", gorm_expression_add (prop ("votes"), prop ("downvotes")),
                            NULL, NULL, &error), ==, 1);
  g_assert_no_error (error);
  /* A second update in the same transaction computes from the first. */
  g_assert_cmpint (update2 (db, NULL, "votes", gorm_expression_multiply (prop ("votes"), int_value (2)),
                            NULL, NULL, &error), ==, 1);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  drain ();
  g_assert_cmpint (votes_of (a), ==, 18);
  g_assert_false (gorm_resource_is_dirty (GORM_RESOURCE (a)));
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **stored = user_data;

  *stored = g_object_ref (result);
}

static void
test_update_async (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GObject) a = add_item (db, "a", 7, 2, 2.5, 4, NULL);
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_ITEM);
  g_autoptr(GormExpression) expression = gorm_expression_multiply (prop ("votes"), int_value (3));
  g_autoptr(GormExpression) bad = gorm_expression_add (prop ("name"), int_value (1));
  const char *properties[] = { "votes" };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  gorm_query_update_expressions_async (query, 1, properties, &expression, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gorm_query_update_expressions_finish (query, result, &error), ==, 1);
  g_assert_no_error (error);
  drain ();
  g_assert_cmpint (votes_of (a), ==, 21);
  g_clear_object (&result);

  gorm_query_update_expressions_async (query, 1, properties, &bad, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gorm_query_update_expressions_finish (query, result, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_cmpint (votes_of (a), ==, 21);
}

/* Enums by value */

typedef enum {
  TEST_PRIORITY_LOW,
  TEST_PRIORITY_NORMAL,
  TEST_PRIORITY_HIGH,
  TEST_PRIORITY_URGENT,
} TestPriority;

static GType
test_priority_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { TEST_PRIORITY_LOW, "TEST_PRIORITY_LOW", "low" },
    { TEST_PRIORITY_NORMAL, "TEST_PRIORITY_NORMAL", "normal" },
    { TEST_PRIORITY_HIGH, "TEST_PRIORITY_HIGH", "high" },
    { TEST_PRIORITY_URGENT, "TEST_PRIORITY_URGENT", "urgent" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("TestPriority", values));
  return type;
}

TEST_DEFINE_RESOURCE (TestTask, test_task)

static void
test_task_class_init (TestTaskClass *klass)
{
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_enum ("priority", NULL, NULL, test_priority_get_type (), TEST_PRIORITY_LOW,
                       G_PARAM_READWRITE),
    g_param_spec_enum ("wanted", NULL, NULL, test_priority_get_type (), TEST_PRIORITY_LOW,
                       G_PARAM_READWRITE),
    g_param_spec_flags ("flags", NULL, NULL, TEST_TYPE_FLAGS, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_indexed (resource_class, "priority");
  gorm_resource_class_set_nullable (resource_class, "wanted");
}

#define TEST_TYPE_TASK (test_task_get_type ())

/* A step of a task: its enum through a forward relation. */
TEST_DEFINE_RESOURCE (TestStep, test_step)

static void
test_step_class_init (TestStepClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("task-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "task-id", TEST_TYPE_TASK,
                                       GORM_ON_DELETE_CASCADE);
}

#define TEST_TYPE_STEP (test_step_get_type ())

static GormDatabase *
open_tasks (GPtrArray *keep)
{
  GormDatabase *db = test_open_memory ();
  static const struct
  {
    const char   *name;
    TestPriority  priority;
    TestPriority  wanted;
    guint         flags;
  } tasks[] = {
    { "normal", TEST_PRIORITY_NORMAL, TEST_PRIORITY_HIGH, TEST_FLAG_B },
    { "urgent", TEST_PRIORITY_URGENT, TEST_PRIORITY_LOW, TEST_FLAG_HIGH },
    { "low", TEST_PRIORITY_LOW, TEST_PRIORITY_LOW, TEST_FLAG_A },
    { "high", TEST_PRIORITY_HIGH, -1, TEST_FLAG_A | TEST_FLAG_B },
  };

  test_migrate (db, TEST_TYPE_TASK);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      GObject *task = g_object_new (TEST_TYPE_TASK, "database", db, "name", tasks[i].name,
                                    "priority", tasks[i].priority, "flags", tasks[i].flags, NULL);

      if ((gint) tasks[i].wanted < 0)
        g_assert_true (gorm_resource_set_null (GORM_RESOURCE (task), "wanted", NULL));
      else
        g_object_set (task, "wanted", tasks[i].wanted, NULL);
      test_save_ok (task);
      g_ptr_array_add (keep, task);
    }
  return db;
}

static GValue *
priority_value (GValue       *value,
                TestPriority  priority)
{
  g_value_init (value, test_priority_get_type ());
  g_value_set_enum (value, priority);
  return value;
}

/* The names of the tasks @filter (taken, NULL: all) matches, in the
 * order of @order_by (NULL: by key), watched live when @live. */
static char *
task_names (GormDatabase *db,
            GormFilter   *filter,
            const char   *order_by,
            gboolean      descending,
            gboolean      live)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_TASK);
  g_autoptr(GListModel) tasks = NULL;
  g_autoptr(GError) error = NULL;

  if (filter != NULL)
    gorm_query_filter (query, filter);
  gorm_query_order_by (query, order_by ? order_by : "id", descending);
  tasks = live ? gorm_query_watch (query, NULL, &error) : gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  return names_of (tasks);
}

static void
assert_tasks (GormDatabase *db,
              GormFilter   *filter,
              const char   *order_by,
              gboolean      descending,
              gboolean      live,
              const char   *expected)
{
  g_autofree char *names = task_names (db, filter, order_by, descending, live);

  g_assert_cmpstr (names, ==, expected);
}

static void
test_enum_compare (void)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormDatabase) db = open_tasks (keep);
  g_auto(GValue) normal = G_VALUE_INIT;
  g_auto(GValue) high = G_VALUE_INIT;

  priority_value (&normal, TEST_PRIORITY_NORMAL);
  priority_value (&high, TEST_PRIORITY_HIGH);

  /* The example: gt NORMAL gives HIGH and URGENT. */
  assert_tasks (db, gorm_filter_gt ("priority", &normal), NULL, FALSE, FALSE, "urgent high");
  assert_tasks (db, gorm_filter_ge ("priority", &normal), NULL, FALSE, FALSE, "normal urgent high");
  assert_tasks (db, gorm_filter_lt ("priority", &high), NULL, FALSE, FALSE, "normal low");
  assert_tasks (db, gorm_filter_le ("priority", &normal), NULL, FALSE, FALSE, "normal low");
  assert_tasks (db, gorm_filter_between ("priority", &normal, &high), NULL, FALSE, FALSE, "normal high");
  /* NOT is the exact complement, NULL included. */
  assert_tasks (db, gorm_filter_not (gorm_filter_gt ("priority", &normal)), NULL, FALSE, FALSE, "normal low");
  assert_tasks (db, gorm_filter_gt ("wanted", &normal), NULL, FALSE, FALSE, "normal");
  assert_tasks (db, gorm_filter_not (gorm_filter_gt ("wanted", &normal)), NULL, FALSE, FALSE, "urgent low high");
  /* A value as a nick or an integer, as the other filters take them. */
  {
    g_auto(GValue) nick = G_VALUE_INIT;

    assert_tasks (db, gorm_filter_gt ("priority", test_string_value (&nick, "high")), NULL, FALSE, FALSE, "urgent");
  }

  /* gorm_filter_compare: with a constant, on either side. */
  assert_tasks (db, compare (prop ("priority"), GORM_COMPARISON_GT, gorm_expression_value (&normal)),
                NULL, FALSE, FALSE, "urgent high");
  assert_tasks (db, compare (gorm_expression_value (&normal), GORM_COMPARISON_GT, prop ("priority")),
                      NULL, FALSE, FALSE, "low");
  /* Two enum properties: by value, NULL never matching. */
  assert_tasks (db, compare (prop ("priority"), GORM_COMPARISON_GT, prop ("wanted")), NULL, FALSE, FALSE, "urgent");
  assert_tasks (db, compare (prop ("priority"), GORM_COMPARISON_LT, prop ("wanted")), NULL, FALSE, FALSE, "normal");
  assert_tasks (db, gorm_filter_not (compare (prop ("priority"), GORM_COMPARISON_LT, prop ("wanted"))),
                      NULL, FALSE, FALSE, "urgent low high");
  /* An enum of another type, or a number, does not compare. */
  assert_filter_refused (db, TEST_TYPE_TASK, compare (prop ("priority"), GORM_COMPARISON_GT, prop ("flags")),
                         GORM_ERROR_TYPE_MISMATCH, "TestTask:priority", "TestFlags");

  /* Still stored by nick. */
  {
    g_autofree char *stored = test_query_text (db, "SELECT \"priority\" FROM \"test_task\" WHERE \"name\" = 'high'");

    g_assert_cmpstr (stored, ==, "high");
  }

  /* The IN list keeps the index usable. */
  {
    g_autofree char *plan = explain_filter (db, TEST_TYPE_TASK, gorm_filter_gt ("priority", &normal));

    assert_uses_index (plan, "priority");
  }
}

static void
test_enum_order (void)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormDatabase) db = open_tasks (keep);

  for (guint live = 0; live < 2; live++)
    {
      assert_tasks (db, NULL, "priority", FALSE, live, "low normal high urgent");
      /* The example, descending: urgent, high, normal, low. */
      assert_tasks (db, NULL, "priority", TRUE, live, "urgent high normal low");
      /* NULL first ascending, last descending. */
      assert_tasks (db, NULL, "wanted", FALSE, live, "high urgent low normal");
      assert_tasks (db, NULL, "wanted", TRUE, live, "normal low urgent high");
      /* Flags are numbers: A 1, B 2, A|B 3, HIGH 1 << 30. */
      assert_tasks (db, NULL, "flags", FALSE, live, "low normal high urgent");
    }
  /* Flags compare by value too. */
  {
    g_auto(GValue) b = G_VALUE_INIT;

    g_value_init (&b, TEST_TYPE_FLAGS);
    g_value_set_flags (&b, TEST_FLAG_B);
    assert_tasks (db, gorm_filter_gt ("flags", &b), NULL, FALSE, FALSE, "urgent high");
  }
}

static void
test_enum_live (void)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormDatabase) db = open_tasks (keep);
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_TASK);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(Shadow) shadow = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) low = G_VALUE_INIT;

  /* More tasks than a page. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; i < (test_engine_is_postgresql () ? 1100u : 250u); i++)
    {
      GObject *task = g_object_new (TEST_TYPE_TASK, "database", db, "name", "t",
                                    "priority", g_rand_int_range (rand, 0, 4),
                                    "wanted", g_rand_int_range (rand, 0, 4), NULL);

      test_save_ok (task);
      g_ptr_array_add (keep, task);
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));

  gorm_query_filter (query, gorm_filter_gt ("priority", priority_value (&low, TEST_PRIORITY_LOW)));
  gorm_query_order_by (query, "priority", TRUE);
  gorm_query_order_by (query, "wanted", FALSE);
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  shadow = shadow_new (model);
  assert_shadow_matches (query, shadow, 0);
  for (guint step = 1; step <= 30; step++)
    {
      GObject *task = g_ptr_array_index (keep, g_rand_int_range (rand, 0, keep->len));

      g_object_set (task, "priority", g_rand_int_range (rand, 0, 4), "wanted", g_rand_int_range (rand, 0, 4), NULL);
      test_save_ok (task);
      drain ();
      assert_shadow_matches (query, shadow, step);
    }
}

/* Through a forward relation: the steps sort and compare by their
 * task's priority, by value. */
static void
test_enum_path (void)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormDatabase) db = open_tasks (keep);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) steps = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_auto(GValue) normal = G_VALUE_INIT;
  guint n_tasks = keep->len;

  test_migrate (db, TEST_TYPE_STEP);
  for (guint i = 0; i < n_tasks; i++)
    {
      GObject *task = g_ptr_array_index (keep, i);
      g_autofree char *name = NULL;
      GObject *step;

      g_object_get (task, "name", &name, NULL);
      step = g_object_new (TEST_TYPE_STEP, "database", db, "name", name, "task-id",
                           gorm_resource_get_id (GORM_RESOURCE (task)), NULL);
      test_save_ok (step);
      g_ptr_array_add (keep, step);
    }

  query = gorm_database_query (db, TEST_TYPE_STEP);
  gorm_query_filter (query, gorm_filter_ge ("task.priority", priority_value (&normal, TEST_PRIORITY_NORMAL)));
  gorm_query_order_by (query, "task.priority", TRUE);
  steps = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  names = names_of (steps);
  g_assert_cmpstr (names, ==, "urgent high normal");
}

static void
test_boxed (void)
{
  g_autoptr(GormExpression) expression = gorm_expression_add (prop ("votes"), int_value (1));
  GormExpression *copy;

  g_assert_true (G_TYPE_IS_BOXED (GORM_TYPE_EXPRESSION));
  copy = g_boxed_copy (GORM_TYPE_EXPRESSION, expression);
  g_assert_true (copy == expression);
  g_boxed_free (GORM_TYPE_EXPRESSION, copy);
  g_assert_true (G_TYPE_IS_ENUM (GORM_TYPE_DATE_PART));
  g_assert_true (G_TYPE_IS_ENUM (GORM_TYPE_COMPARISON));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Expressions/boxed", test_boxed);
  g_test_add_func ("/Gorm/Expressions/arithmetic", test_arithmetic);
  g_test_add_func ("/Gorm/Expressions/date-parts", test_date_parts);
  g_test_add_func ("/Gorm/Expressions/aggregates", test_aggregates);
  g_test_add_func ("/Gorm/Expressions/paths", test_paths);
  g_test_add_func ("/Gorm/Expressions/errors", test_errors);
  g_test_add_func ("/Gorm/Expressions/compare-columns", test_compare_columns);
  g_test_add_func ("/Gorm/Expressions/compare-year-range", test_compare_year_range);
  g_test_add_func ("/Gorm/Expressions/compare-date-range", test_compare_date_range);
  g_test_add_func ("/Gorm/Expressions/compare-parts", test_compare_parts);
  g_test_add_func ("/Gorm/Expressions/compare-index", test_compare_index);
  g_test_add_func ("/Gorm/Expressions/compare-paths", test_compare_paths);
  g_test_add_func ("/Gorm/Expressions/compare-errors", test_compare_errors);
  g_test_add_func ("/Gorm/Expressions/order", test_order);
  g_test_add_func ("/Gorm/Expressions/order-paths", test_order_paths);
  g_test_add_func ("/Gorm/Expressions/order-live", test_order_live);
  g_test_add_func ("/Gorm/Expressions/order-errors", test_order_errors);
  g_test_add_func ("/Gorm/Expressions/update", test_update);
  g_test_add_func ("/Gorm/Expressions/update-live", test_update_live);
  g_test_add_func ("/Gorm/Expressions/update-errors", test_update_errors);
  g_test_add_func ("/Gorm/Expressions/update-async", test_update_async);
  g_test_add_func ("/Gorm/Expressions/update-transaction", test_update_transaction);
  g_test_add_func ("/Gorm/Expressions/enum-compare", test_enum_compare);
  g_test_add_func ("/Gorm/Expressions/enum-order", test_enum_order);
  g_test_add_func ("/Gorm/Expressions/enum-live", test_enum_live);
  g_test_add_func ("/Gorm/Expressions/enum-path", test_enum_path);

  return g_test_run ();
}
