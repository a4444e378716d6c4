/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "polls-models.h"

/* The polls:
 *
 *   authors  ann, bob, cy (no questions)
 *   q1 (ann, rank 1, 2024-01-01)  choices 10, 20
 *   q2 (ann, rank 2, 2024-06-01)  choice 5
 *   q3 (bob, rank 3, 2025-01-01)  choices 1, 2, 3
 *   q4 (no author, rank 1)        no choice
 */
/* A type with an enum, whose minimum and maximum go by the enum's values
 * (dark-blue -3 < red 0 < green 5), not by its nicks' text. */
TEST_DEFINE_RESOURCE (TestPaint, test_paint)
#define TEST_TYPE_PAINT (test_paint_get_type ())

static void
test_paint_class_init (TestPaintClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_enum ("color", NULL, NULL, TEST_TYPE_COLOR, TEST_COLOR_RED, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

typedef struct
{
  GormDatabase *db;
  GormResource *authors[3];
  GormResource *questions[4];
} Polls;

static GormResource *
save (gpointer resource)
{
  test_save_ok (resource);
  return resource;
}

static GormResource *
new_question (GormDatabase *db,
              const char   *text,
              GormResource *author,
              int           rank,
              int           year,
              int           month)
{
  g_autoptr(GDateTime) pub_date = year ? g_date_time_new_utc (year, month, 1, 0, 0, 0) : NULL;
  GormResource *question = g_object_new (POLLS_TYPE_QUESTION, "database", db, "question-text", text,
                                         "rank", rank, "pub-date", pub_date, NULL);

  if (author != NULL)
    {
      gint64 id;

      g_object_get (author, "id", &id, NULL);
      g_object_set (question, "author-id", id, NULL);
    }
  else
    g_assert_true (gorm_resource_set_null (question, "author-id", NULL));
  return save (question);
}

static void
new_choice (GormDatabase *db,
            GormResource *question,
            int           votes)
{
  g_autofree char *text = g_strdup_printf ("%d votes", votes);
  gint64 id;

  g_object_get (question, "id", &id, NULL);
  g_object_unref (save (g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", id,
                                      "choice-text", text, "votes", votes, NULL)));
}

static void
polls_setup (Polls         *polls,
             gconstpointer  data)
{
  GType types[] = { POLLS_TYPE_AUTHOR, POLLS_TYPE_QUESTION, POLLS_TYPE_CHOICE };
  g_autoptr(GError) error = NULL;
  const char *names[] = { "ann", "bob", "cy" };

  polls->db = test_open_memory ();
  g_assert_true (gorm_database_migrate (polls->db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    polls->authors[i] = save (g_object_new (POLLS_TYPE_AUTHOR, "database", polls->db,
                                            "name", names[i], NULL));
  polls->questions[0] = new_question (polls->db, "q1", polls->authors[0], 1, 2024, 1);
  polls->questions[1] = new_question (polls->db, "q2", polls->authors[0], 2, 2024, 6);
  polls->questions[2] = new_question (polls->db, "q3", polls->authors[1], 3, 2025, 1);
  polls->questions[3] = new_question (polls->db, "q4", NULL, 1, 0, 0);
  new_choice (polls->db, polls->questions[0], 10);
  new_choice (polls->db, polls->questions[0], 20);
  new_choice (polls->db, polls->questions[1], 5);
  new_choice (polls->db, polls->questions[2], 1);
  new_choice (polls->db, polls->questions[2], 2);
  new_choice (polls->db, polls->questions[2], 3);
}

static void
polls_teardown (Polls         *polls,
                gconstpointer  data)
{
  for (guint i = 0; i < 3; i++)
    g_clear_object (&polls->authors[i]);
  for (guint i = 0; i < 4; i++)
    g_clear_object (&polls->questions[i]);
  g_assert_finalize_object (polls->db);
}

static GormExpression *
prop (const char *name)
{
  return gorm_expression_property (name);
}

static GValue *
int_value (GValue *value,
           gint64  number)
{
  g_value_init (value, G_TYPE_INT64);
  g_value_set_int64 (value, number);
  return value;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static GListModel *
fetch_rows_ok (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  GListModel *rows = gorm_query_fetch_rows (query, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  g_assert_true (g_list_model_get_item_type (rows) == GORM_TYPE_ROW);
  return rows;
}

static GormRow *
aggregate_ok (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  GormRow *row = gorm_query_aggregate (query, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (row);
  return row;
}

static GormRow *
row_at (GListModel *rows,
        guint       position)
{
  GormRow *row = g_list_model_get_item (rows, position);

  g_assert_nonnull (row);
  g_object_unref (row);
  return row;
}

/* "name=value name=value …" of every row, NULL as "NULL", in order,
 * rows separated by "; ". */
static char *
describe_rows (GListModel *rows)
{
  GString *text = g_string_new (NULL);

  for (guint r = 0; r < g_list_model_get_n_items (rows); r++)
    {
      GormRow *row = row_at (rows, r);

      if (r > 0)
        g_string_append (text, "; ");
      for (guint c = 0; c < gorm_row_get_n_columns (row); c++)
        {
          const GValue *value = gorm_row_get_value (row, c);
          g_autofree char *shown = NULL;

          if (value == NULL)
            shown = g_strdup ("NULL");
          else if (G_VALUE_HOLDS_STRING (value))
            shown = g_value_dup_string (value);
          else if (G_VALUE_HOLDS_DOUBLE (value))
            shown = g_strdup_printf ("%.3f", g_value_get_double (value));
          else
            {
              GValue text_value = G_VALUE_INIT;

              g_value_init (&text_value, G_TYPE_STRING);
              g_assert_true (g_value_transform (value, &text_value));
              shown = g_value_dup_string (&text_value);
              g_value_unset (&text_value);
            }
          g_string_append_printf (text, "%s%s=%s", c > 0 ? " " : "",
                                  gorm_row_get_column_name (row, c), shown);
        }
    }
  return g_string_free (text, FALSE);
}

static void
assert_rows (GormQuery  *query,
             const char *expected)
{
  g_autoptr(GListModel) rows = fetch_rows_ok (query);
  g_autofree char *text = describe_rows (rows);

  g_assert_cmpstr (text, ==, expected);
}

/* The question text, sum of votes and number of choices per question
 * (a query of Choice). */
static void
select_per_question (GormQuery *query)
{
  gorm_query_select (query, "question", prop ("question.question-text"));
  gorm_query_select (query, "total", gorm_expression_sum (prop ("votes")));
  gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
}

/* Tests */

/* Every aggregate over a type, with the types api16 gives them. */
static void
test_aggregates (Polls         *polls,
                 gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GormRow) row = NULL;
  const GValue *value;

  gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
  gorm_query_select (query, "questions", gorm_expression_count (prop ("question-id"), TRUE));
  gorm_query_select (query, "total", gorm_expression_sum (prop ("votes")));
  gorm_query_select (query, "mean", gorm_expression_avg (prop ("votes")));
  gorm_query_select (query, "least", gorm_expression_min (prop ("votes")));
  gorm_query_select (query, "most", gorm_expression_max (prop ("votes")));
  /* Ignored by aggregate(). */
  gorm_query_order_by (gorm_query_limit (query, 1), "votes", TRUE);
  row = aggregate_ok (query);

  g_assert_cmpuint (gorm_row_get_n_columns (row), ==, 6);
  value = gorm_row_get_value (row, 0);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, 6);
  g_assert_cmpint (gorm_row_get_int64 (row, "questions"), ==, 3);
  value = gorm_row_get_value (row, 2);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, 41);
  value = gorm_row_get_value (row, 3);
  g_assert_true (G_VALUE_HOLDS_DOUBLE (value));
  g_assert_cmpfloat_with_epsilon (g_value_get_double (value), 41.0 / 6, 1e-9);
  g_assert_cmpint (gorm_row_get_int64 (row, "least"), ==, 1);
  g_assert_cmpint (gorm_row_get_int64 (row, "most"), ==, 20);
  g_assert_null (gorm_row_get_resource (row));
  g_assert_finalize_object (g_steal_pointer (&row));

  /* fetch_rows gives the same one row. */
  {
    g_autoptr(GormQuery) plain = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);

    gorm_query_select (plain, "total", gorm_expression_sum (prop ("votes")));
    assert_rows (plain, "total=41");
  }
}

/* Filters apply; over no rows a count is 0 and the others NULL. */
static void
test_filtered_and_empty (Polls         *polls,
                         gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) none = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GormRow) row = NULL;
  GValue value = G_VALUE_INIT;

  gorm_query_filter (query, gorm_filter_ge ("votes", int_value (&value, 5)));
  gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
  gorm_query_select (query, "total", gorm_expression_sum (prop ("votes")));
  row = aggregate_ok (query);
  g_assert_cmpint (gorm_row_get_int64 (row, "n"), ==, 3);
  g_assert_cmpint (gorm_row_get_int64 (row, "total"), ==, 35);
  g_clear_object (&row);
  g_value_unset (&value);

  gorm_query_filter (none, gorm_filter_gt ("votes", int_value (&value, 100)));
  gorm_query_select (none, "n", gorm_expression_count (NULL, FALSE));
  gorm_query_select (none, "distinct", gorm_expression_count (prop ("votes"), TRUE));
  gorm_query_select (none, "total", gorm_expression_sum (prop ("votes")));
  gorm_query_select (none, "mean", gorm_expression_avg (prop ("votes")));
  gorm_query_select (none, "most", gorm_expression_max (prop ("votes")));
  row = aggregate_ok (none);
  g_assert_true (G_VALUE_HOLDS_INT64 (gorm_row_get_value (row, 0)));
  g_assert_cmpint (gorm_row_get_int64 (row, "n"), ==, 0);
  g_assert_cmpint (gorm_row_get_int64 (row, "distinct"), ==, 0);
  g_assert_null (gorm_row_get_value (row, 2));
  g_assert_null (gorm_row_get_value (row, 3));
  g_assert_null (gorm_row_get_value (row, 4));
  g_value_unset (&value);
}

/* Grouped by a property, and by a related property (NULL a group of its
 * own, first going up). */
static void
test_group_by (Polls         *polls,
               gconstpointer  data)
{
  g_autoptr(GormQuery) by_question = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) by_author = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  g_autoptr(GormQuery) by_year = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);

  gorm_query_select (by_question, "question", prop ("question-text"));
  gorm_query_select (by_question, "total", gorm_expression_sum (prop ("votes")));
  gorm_query_select (by_question, "n", gorm_expression_count (NULL, FALSE));
  gorm_query_order_by (by_question, "question", FALSE);
  /* "question-text" is no property of Choice: a path is needed. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GListModel) rows = gorm_query_fetch_rows (by_question, NULL, &error);

    g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
    g_assert_nonnull (strstr (error->message, "question-text"));
    g_assert_null (rows);
  }
  g_clear_object (&by_question);
  by_question = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  select_per_question (by_question);
  gorm_query_order_by (by_question, "question", FALSE);
  assert_rows (by_question, "question=q1 total=30 n=2; question=q2 total=5 n=1; question=q3 total=6 n=3");

  gorm_query_select (by_author, "author", prop ("author.name"));
  gorm_query_select (by_author, "n", gorm_expression_count (NULL, FALSE));
  gorm_query_select (by_author, "best", gorm_expression_min (prop ("rank")));
  gorm_query_order_by (by_author, "author", FALSE);
  assert_rows (by_author, "author=NULL n=1 best=1; author=ann n=2 best=1; author=bob n=1 best=3");

  /* By a property of the related row, two levels away. */
  gorm_query_select (by_year, "author", prop ("question.author.name"));
  gorm_query_select (by_year, "total", gorm_expression_sum (prop ("votes")));
  gorm_query_order_by (by_year, "total", TRUE);
  assert_rows (by_year, "author=ann total=35; author=bob total=6");
}

/* Grouped by a computed value (a year), with an aggregate over related
 * rows matched to each group; select and annotate together. */
static void
test_group_by_expression (Polls         *polls,
                          gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  g_autoptr(GormQuery) mixed = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);

  gorm_query_select (query, "year", gorm_expression_date_part (prop ("pub-date"), GORM_DATE_PART_YEAR));
  gorm_query_select (query, "questions", gorm_expression_count (NULL, FALSE));
  gorm_query_select (query, "choices", gorm_expression_count (prop ("choice"), FALSE));
  gorm_query_order_by (query, "year", TRUE);
  assert_rows (query, "year=2025 questions=1 choices=3; year=2024 questions=2 choices=3; "
                      "year=NULL questions=1 choices=0");

  /* Django's values("question").annotate(total=Sum("votes")). */
  gorm_query_select (mixed, "question", prop ("question.question-text"));
  gorm_query_annotate (mixed, "total", gorm_expression_sum (prop ("votes")));
  gorm_query_order_by (mixed, "total", FALSE);
  assert_rows (mixed, "question=q2 total=5; question=q3 total=6; question=q1 total=30");
}

/* Aggregates over related rows: each one exact, together too. */
static void
test_related_rows (Polls         *polls,
                   gconstpointer  data)
{
  g_autoptr(GormQuery) questions = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  g_autoptr(GormQuery) authors = gorm_database_query (polls->db, POLLS_TYPE_AUTHOR);
  g_autoptr(GormQuery) overall = gorm_database_query (polls->db, POLLS_TYPE_AUTHOR);
  g_autoptr(GormRow) row = NULL;

  gorm_query_select (questions, "text", prop ("question-text"));
  gorm_query_select (questions, "n", gorm_expression_count (prop ("choice"), FALSE));
  gorm_query_select (questions, "total", gorm_expression_sum (prop ("choice.votes")));
  gorm_query_order_by (questions, "text", FALSE);
  assert_rows (questions, "text=q1 n=2 total=30; text=q2 n=1 total=5; text=q3 n=3 total=6; "
                          "text=q4 n=0 total=NULL");

  /* Two relations of different lengths: Django counts 3 questions for ann
   * here (one per choice row of the join); each is its own subquery. */
  gorm_query_select (authors, "name", prop ("name"));
  gorm_query_select (authors, "questions", gorm_expression_count (prop ("question"), FALSE));
  gorm_query_select (authors, "votes", gorm_expression_sum (prop ("question.choice.votes")));
  gorm_query_select (authors, "choices", gorm_expression_count (prop ("question.choice"), FALSE));
  gorm_query_order_by (authors, "name", FALSE);
  assert_rows (authors, "name=ann questions=2 votes=35 choices=3; name=bob questions=1 votes=6 "
                        "choices=3; name=cy questions=0 votes=NULL choices=0");

  gorm_query_select (overall, "questions", gorm_expression_count (prop ("question"), FALSE));
  gorm_query_select (overall, "votes", gorm_expression_sum (prop ("question.choice.votes")));
  row = aggregate_ok (overall);
  g_assert_cmpint (gorm_row_get_int64 (row, "questions"), ==, 3);
  g_assert_cmpint (gorm_row_get_int64 (row, "votes"), ==, 41);
}

/* annotate() on objects: rows hold the objects fetch() gives, and the
 * annotations, which orders and filters (HAVING) can name. */
static void
test_annotate (Polls         *polls,
               gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GListModel) objects = NULL;
  g_autoptr(GError) error = NULL;
  GValue value = G_VALUE_INIT;
  GormRow *row;

  gorm_query_annotate (query, "n", gorm_expression_count (prop ("choice"), FALSE));
  gorm_query_annotate (query, "total", gorm_expression_sum (prop ("choice.votes")));
  gorm_query_annotate (query, "twice", gorm_expression_multiply (prop ("rank"),
                                                                 gorm_expression_value (int_value (&value, 2))));
  g_value_unset (&value);
  rows = fetch_rows_ok (query);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      row = row_at (rows, i);
      /* In key order, the objects of the rows, alive already. */
      g_assert_true (gorm_row_get_resource (row) == polls->questions[i]);
      g_assert_cmpuint (gorm_row_get_n_columns (row), ==, 3);
    }
  row = row_at (rows, 2);
  g_assert_cmpint (gorm_row_get_int64 (row, "n"), ==, 3);
  g_assert_cmpint (gorm_row_get_int64 (row, "total"), ==, 6);
  g_assert_cmpint (gorm_row_get_int64 (row, "twice"), ==, 6);
  {
    GormResource *resource = NULL;

    g_object_get (row, "resource", &resource, NULL);
    g_assert_true (resource == polls->questions[2]);
    g_object_unref (resource);
  }
  g_clear_object (&rows);

  /* Ordered and filtered by the annotations. */
  gorm_query_filter (query, gorm_filter_gt ("n", int_value (&value, 0)));
  g_value_unset (&value);
  gorm_query_order_by (query, "n", TRUE);
  gorm_query_order_by (query, "rank", FALSE);
  rows = fetch_rows_ok (query);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  g_assert_true (gorm_row_get_resource (row_at (rows, 0)) == polls->questions[2]);
  g_assert_true (gorm_row_get_resource (row_at (rows, 1)) == polls->questions[0]);
  g_assert_true (gorm_row_get_resource (row_at (rows, 2)) == polls->questions[1]);
  g_clear_object (&rows);

  /* A filter on the name and one on a property, with a limit. */
  gorm_query_filter (query, gorm_filter_lt ("rank", int_value (&value, 3)));
  g_value_unset (&value);
  rows = fetch_rows_ok (gorm_query_limit (query, 1));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  g_assert_true (gorm_row_get_resource (row_at (rows, 0)) == polls->questions[0]);

  /* Objects cannot honour a filter or an order on the names. */
  objects = gorm_query_fetch (query, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_null (objects);
}

/* Filters on aggregates of a grouped query (HAVING), with NULLs. */
static void
test_having (Polls         *polls,
             gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  GValue value = G_VALUE_INIT;

  gorm_query_select (query, "author", prop ("author-id"));
  gorm_query_select (query, "votes", gorm_expression_sum (prop ("choice.votes")));
  gorm_query_filter (query, gorm_filter_or (gorm_filter_is_null ("votes"),
                                            gorm_filter_gt ("votes", int_value (&value, 10))));
  gorm_query_order_by (query, "votes", FALSE);
  g_value_unset (&value);
  {
    g_autoptr(GListModel) rows = fetch_rows_ok (query);
    g_autofree char *text = describe_rows (rows);
    g_autofree char *expected = NULL;
    gint64 ann;

    g_object_get (polls->authors[0], "id", &ann, NULL);
    expected = g_strdup_printf ("author=NULL votes=NULL; author=%" G_GINT64_FORMAT " votes=35", ann);
    g_assert_cmpstr (text, ==, expected);
  }
  /* count() and exists() count the rows, not the objects. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 2);
    g_assert_no_error (error);
    g_assert_true (gorm_query_exists (query, NULL, &error));
    g_assert_no_error (error);
    gorm_query_filter (query, gorm_filter_gt ("votes", int_value (&value, 1000)));
    g_value_unset (&value);
    g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 0);
    g_assert_no_error (error);
    g_assert_false (gorm_query_exists (query, NULL, &error));
    g_assert_no_error (error);
  }
}

/* distinct on row queries; on object queries it changes nothing. */
static void
test_distinct (Polls         *polls,
               gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) objects = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  g_autoptr(GListModel) fetched = NULL;
  g_autoptr(GError) error = NULL;
  const char *properties[] = { "question.rank", NULL };

  gorm_query_select_properties (query, properties);
  gorm_query_order_by (query, "question.rank", FALSE);
  assert_rows (query, "question.rank=1; question.rank=1; question.rank=2; question.rank=3; "
                      "question.rank=3; question.rank=3");
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 6);
  g_assert_no_error (error);
  gorm_query_distinct (query);
  assert_rows (query, "question.rank=1; question.rank=2; question.rank=3");
  /* count() counts the distinct rows, within a limit and an offset too. */
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 3);
  g_assert_no_error (error);
  gorm_query_offset (gorm_query_limit (query, 5), 1);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 2);
  g_assert_no_error (error);

  /* Questions with a choice over 1 vote, each once. */
  {
    GValue value = G_VALUE_INIT;

    gorm_query_filter (objects, gorm_filter_gt ("choice.votes", int_value (&value, 1)));
    g_value_unset (&value);
  }
  fetched = gorm_query_fetch (gorm_query_distinct (objects), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (fetched), ==, 3);
  g_assert_cmpint (gorm_query_count (objects, NULL, &error), ==, 3);
  g_assert_no_error (error);
}

/* Without selects, rows of every stored property (Django's values());
 * properties and paths under their own names, values in the property's
 * type (a GDateTime). */
static void
test_values (Polls         *polls,
             gconstpointer  data)
{
  g_autoptr(GormQuery) all = gorm_database_query (polls->db, POLLS_TYPE_AUTHOR);
  g_autoptr(GormQuery) dates = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) latest = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GDateTime) june = g_date_time_new_utc (2024, 6, 1, 0, 0, 0);
  g_autoptr(GDateTime) next_year = g_date_time_new_utc (2025, 1, 1, 0, 0, 0);
  g_autoptr(GormRow) row = NULL;
  const char *properties[] = { "votes", "question.pub_date", NULL };
  const GValue *value;

  gorm_query_order_by (all, "name", TRUE);
  rows = fetch_rows_ok (all);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  g_assert_cmpuint (gorm_row_get_n_columns (row_at (rows, 0)), ==, 2);
  g_assert_cmpstr (gorm_row_get_column_name (row_at (rows, 0), 0), ==, "id");
  g_assert_cmpstr (gorm_row_get_string (row_at (rows, 0), "name"), ==, "cy");
  g_clear_object (&rows);

  gorm_query_select_properties (dates, properties);
  gorm_query_order_by (dates, "votes", FALSE);
  rows = fetch_rows_ok (dates);
  value = gorm_row_get_value (row_at (rows, 3), 1);
  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME));
  g_assert_true (g_date_time_equal (g_value_get_boxed (value), june));
  g_assert_true (G_VALUE_HOLDS_INT (gorm_row_get_value (row_at (rows, 3), 0)));

  gorm_query_select (latest, "latest", gorm_expression_max (prop ("pub-date")));
  gorm_query_select (latest, "first", gorm_expression_min (prop ("pub-date")));
  row = aggregate_ok (latest);
  value = gorm_row_get_value (row, 0);
  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME));
  g_assert_true (g_date_time_equal (g_value_get_boxed (value), next_year));
  g_clear_object (&row);

  /* Over a forward path: the latest question that has choices. */
  {
    g_autoptr(GormQuery) choices = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
    g_autoptr(GDateTime) january = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);

    gorm_query_select (choices, "latest", gorm_expression_max (prop ("question.pub_date")));
    gorm_query_select (choices, "earliest", gorm_expression_min (prop ("question.pub_date")));
    row = aggregate_ok (choices);
    g_assert_true (g_date_time_equal (g_value_get_boxed (gorm_row_get_value (row, 0)), next_year));
    g_assert_true (g_date_time_equal (g_value_get_boxed (gorm_row_get_value (row, 1)), january));
  }
}

/* A selected property's own name is the property: its filters and
 * orders work for the objects too. */
static void
test_property_names (Polls         *polls,
                     gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GListModel) objects = NULL;
  g_autoptr(GError) error = NULL;
  const char *properties[] = { "votes", "question.rank", NULL };
  GValue value = G_VALUE_INIT;

  gorm_query_select_properties (query, properties);
  gorm_query_filter (query, gorm_filter_gt ("votes", int_value (&value, 1)));
  g_value_unset (&value);
  gorm_query_filter (query, gorm_filter_lt ("question.rank", int_value (&value, 3)));
  g_value_unset (&value);
  gorm_query_order_by (query, "votes", TRUE);
  assert_rows (query, "votes=20 question.rank=1; votes=10 question.rank=1; votes=5 question.rank=2");
  objects = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (objects), ==, 3);
}

/* Orders by expressions apply to rows, in the order given. */
static void
test_order_by_expression (Polls         *polls,
                          gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  const char *properties[] = { "votes", NULL };
  GValue value = G_VALUE_INIT;

  gorm_query_select_properties (query, properties);
  gorm_query_order_by (query, "question.rank", TRUE);
  gorm_query_order_by_expression (query, gorm_expression_multiply (prop ("votes"),
                                                                   gorm_expression_value (int_value (&value, -1))),
                                  FALSE);
  g_value_unset (&value);
  assert_rows (query, "votes=3; votes=2; votes=1; votes=5; votes=20; votes=10");
}

static void
test_enum_min_max (Polls         *polls,
                   gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, TEST_TYPE_PAINT);
  g_autoptr(GormRow) row = NULL;
  TestColor colors[] = { TEST_COLOR_RED, TEST_COLOR_GREEN, TEST_COLOR_DARK_BLUE };
  const GValue *value;

  test_migrate (polls->db, TEST_TYPE_PAINT);
  for (guint i = 0; i < G_N_ELEMENTS (colors); i++)
    g_object_unref (save (g_object_new (TEST_TYPE_PAINT, "database", polls->db, "color", colors[i], NULL)));
  gorm_query_select (query, "least", gorm_expression_min (prop ("color")));
  gorm_query_select (query, "most", gorm_expression_max (prop ("color")));
  row = aggregate_ok (query);
  value = gorm_row_get_value (row, 0);
  g_assert_true (G_VALUE_HOLDS (value, TEST_TYPE_COLOR));
  g_assert_cmpint (g_value_get_enum (value), ==, TEST_COLOR_DARK_BLUE);
  value = gorm_row_get_value (row, 1);
  g_assert_true (G_VALUE_HOLDS (value, TEST_TYPE_COLOR));
  g_assert_cmpint (g_value_get_enum (value), ==, TEST_COLOR_GREEN);
  g_assert_cmpint (gorm_row_get_int64 (row, "most"), ==, TEST_COLOR_GREEN);
}

/* The model is a plain GListModel that never changes. */
static void
test_model (Polls         *polls,
            gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GListModel) rows = NULL;
  guint changes = 0;

  gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
  rows = fetch_rows_ok (query);
  g_signal_connect (rows, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  new_choice (polls->db, polls->questions[3], 7);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  g_assert_cmpint (gorm_row_get_int64 (row_at (rows, 0), "n"), ==, 6);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_null (g_list_model_get_item (rows, 1));
  g_assert_finalize_object (g_steal_pointer (&rows));
}

static void
assert_query_error (GormQuery  *query,
                    gboolean    aggregate,
                    gint        code,
                    const char *needle)
{
  g_autoptr(GError) error = NULL;

  if (aggregate)
    {
      g_autoptr(GormRow) row = gorm_query_aggregate (query, NULL, &error);

      g_assert_null (row);
    }
  else
    {
      g_autoptr(GListModel) rows = gorm_query_fetch_rows (query, NULL, &error);

      g_assert_null (rows);
    }
  g_assert_error (error, GORM_ERROR, code);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("“%s” is not in “%s”", needle, error->message);
}

static void
test_errors (Polls         *polls,
             gconstpointer  data)
{
  GType type = POLLS_TYPE_CHOICE;

  {
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    gorm_query_select (query, "total", gorm_expression_sum (prop ("choice-text")));
    assert_query_error (query, TRUE, GORM_ERROR_TYPE_MISMATCH, "choice-text");
  }
  {
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    gorm_query_select (query, "total", gorm_expression_sum (prop ("nothing")));
    assert_query_error (query, FALSE, GORM_ERROR_UNKNOWN_PROPERTY, "nothing");
  }
  {
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    gorm_query_select (query, "question", prop ("question-id"));
    gorm_query_select (query, "total", gorm_expression_sum (prop ("votes")));
    assert_query_error (query, TRUE, GORM_ERROR_VALIDATION, "question");
  }
  {
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    assert_query_error (query, TRUE, GORM_ERROR_VALIDATION, "selects nothing");
  }
  {
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
    gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
    assert_query_error (query, FALSE, GORM_ERROR_VALIDATION, "“n”");
  }
  {
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    gorm_query_annotate (query, "votes", gorm_expression_count (NULL, FALSE));
    assert_query_error (query, FALSE, GORM_ERROR_VALIDATION, "votes");
  }
  {
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    gorm_query_select (query, "n", NULL);
    assert_query_error (query, FALSE, GORM_ERROR_FAILED, "“n”");
  }
  {
    /* An aggregate of an aggregate. */
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    gorm_query_select (query, "n", gorm_expression_sum (gorm_expression_count (NULL, FALSE)));
    assert_query_error (query, FALSE, GORM_ERROR_VALIDATION, NULL);
  }
  {
    /* A multi-valued path grouped with aggregates. */
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);

    gorm_query_select (query, "votes", prop ("choice.votes"));
    gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
    assert_query_error (query, FALSE, GORM_ERROR_VALIDATION, "reverse or many-to-many");
  }
  {
    /* A filter on a name whose value does not fit. */
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);
    GValue text = G_VALUE_INIT;

    gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
    gorm_query_filter (query, gorm_filter_gt ("n", test_string_value (&text, "many")));
    g_value_unset (&text);
    assert_query_error (query, FALSE, GORM_ERROR_TYPE_MISMATCH, "many");
  }
  {
    /* The next query works. */
    g_autoptr(GormQuery) query = gorm_database_query (polls->db, type);

    gorm_query_select (query, "n", gorm_expression_count (NULL, FALSE));
    assert_rows (query, "n=6");
  }
}

/* A multi-valued path without aggregates gives a row per related row,
 * NULL where there is none (a LEFT JOIN). */
static void
test_multi_valued_values (Polls         *polls,
                          gconstpointer  data)
{
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  GValue value = G_VALUE_INIT;

  gorm_query_filter (query, gorm_filter_ge ("rank", int_value (&value, 2)));
  g_value_unset (&value);
  gorm_query_select (query, "text", prop ("question-text"));
  gorm_query_select (query, "votes", prop ("choice.votes"));
  gorm_query_order_by (query, "text", FALSE);
  gorm_query_order_by (query, "votes", TRUE);
  assert_rows (query, "text=q2 votes=5; text=q3 votes=3; text=q3 votes=2; text=q3 votes=1");
}

typedef struct
{
  GMainLoop  *loop;
  GListModel *rows;
  GormRow    *row;
  GError     *error;
} AsyncData;

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncData *data = user_data;

  data->rows = gorm_query_fetch_rows_finish (GORM_QUERY (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
aggregated_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncData *data = user_data;

  data->row = gorm_query_aggregate_finish (GORM_QUERY (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
test_async (Polls         *polls,
            gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GormQuery) query = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  g_autoptr(GormQuery) bad = gorm_database_query (polls->db, POLLS_TYPE_QUESTION);
  AsyncData async = { loop, NULL, NULL, NULL };

  gorm_query_annotate (query, "n", gorm_expression_count (prop ("choice"), FALSE));
  gorm_query_fetch_rows_async (query, NULL, fetched_cb, &async);
  g_main_loop_run (loop);
  g_assert_no_error (async.error);
  g_assert_cmpuint (g_list_model_get_n_items (async.rows), ==, 4);
  g_assert_true (gorm_row_get_resource (row_at (async.rows, 0)) == polls->questions[0]);
  g_assert_cmpint (gorm_row_get_int64 (row_at (async.rows, 0), "n"), ==, 2);
  g_clear_object (&async.rows);

  gorm_query_aggregate_async (query, NULL, aggregated_cb, &async);
  g_main_loop_run (loop);
  g_assert_error (async.error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_null (async.row);
  g_clear_error (&async.error);

  gorm_query_select (bad, "n", gorm_expression_count (prop ("choice"), FALSE));
  gorm_query_aggregate_async (bad, NULL, aggregated_cb, &async);
  g_main_loop_run (loop);
  g_assert_no_error (async.error);
  g_assert_cmpint (gorm_row_get_int64 (async.row, "n"), ==, 6);
  g_clear_object (&async.row);
}

/* A row query with nothing to filter, order or slice by its names is
 * sent as its inner select alone; one with an order or a slice keeps
 * the outer select, which orders and slices by the names. */
static void
test_statement_shape (Polls         *polls,
                      gconstpointer  data)
{
  g_autoptr(GormQuery) plain = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) ordered = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) sliced = gorm_database_query (polls->db, POLLS_TYPE_CHOICE);
  g_autoptr(TestLog) log = test_log_attach (polls->db);
  g_autoptr(GListModel) rows = NULL;
  gint64 total = 0, n = 0;

  select_per_question (plain);
  rows = fetch_rows_ok (plain);
  g_assert_cmpuint (test_log_count (log, "SELECT"), ==, 1);
  g_assert_null (strstr (test_log_last (log), "gorm_rows"));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      GormRow *row = row_at (rows, i);

      g_assert_cmpstr (gorm_row_get_column_name (row, 0), ==, "question");
      total += gorm_row_get_int64 (row, "total");
      n += gorm_row_get_int64 (row, "n");
    }
  g_assert_cmpint (total, ==, 41);
  g_assert_cmpint (n, ==, 6);

  test_log_clear (log);
  select_per_question (ordered);
  gorm_query_order_by (ordered, "total", TRUE);
  assert_rows (ordered, "question=q1 total=30 n=2; question=q3 total=6 n=3; question=q2 total=5 n=1");
  g_assert_nonnull (strstr (test_log_last (log), "AS \"gorm_rows\" ORDER BY"));

  test_log_clear (log);
  gorm_query_select (sliced, "question", prop ("question.question-text"));
  gorm_query_select (sliced, "n", gorm_expression_count (NULL, FALSE));
  gorm_query_limit (sliced, 1);
  g_clear_object (&rows);
  rows = fetch_rows_ok (sliced);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  g_assert_nonnull (strstr (test_log_last (log), "AS \"gorm_rows\" LIMIT"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/Gorm/Aggregates/" path, Polls, NULL, polls_setup, func, polls_teardown)
  ADD ("aggregates", test_aggregates);
  ADD ("filtered-and-empty", test_filtered_and_empty);
  ADD ("group-by", test_group_by);
  ADD ("group-by-expression", test_group_by_expression);
  ADD ("related-rows", test_related_rows);
  ADD ("annotate", test_annotate);
  ADD ("having", test_having);
  ADD ("distinct", test_distinct);
  ADD ("values", test_values);
  ADD ("property-names", test_property_names);
  ADD ("order-by-expression", test_order_by_expression);
  ADD ("enum-min-max", test_enum_min_max);
  ADD ("model", test_model);
  ADD ("errors", test_errors);
  ADD ("multi-valued-values", test_multi_valued_values);
  ADD ("async", test_async);
  ADD ("statement-shape", test_statement_shape);
#undef ADD

  return g_test_run ();
}
