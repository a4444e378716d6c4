/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-test-utils.h"

/* Helpers */

static GormResource *
new_post (GormDatabase *db,
          const char   *title,
          int           views,
          double        rating)
{
  GormResource *post = g_object_new (TEST_TYPE_POST, "database", db, "title", title,
                                     "views", views, "rating", rating, NULL);

  test_save_ok (post);
  return post;
}

static GormDatabase *
open_with_posts (void)
{
  GormDatabase *db = test_open_memory ();

  test_migrate (db, TEST_TYPE_POST);
  g_object_unref (new_post (db, "first", 10, 1.5));
  g_object_unref (new_post (db, "second", 20, 2.5));
  g_object_unref (new_post (db, "third", 30, 3.5));
  return db;
}

static GListModel *
select_ok (GormDatabase *db,
           const char   *sql,
           const GValue *params,
           guint         n_params)
{
  g_autoptr(GError) error = NULL;
  GListModel *rows = gorm_database_select (db, sql, params, n_params, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  g_assert_true (g_list_model_get_item_type (rows) == GORM_TYPE_ROW);
  return rows;
}

static GormRow *
row_at (GListModel *rows,
        guint       position)
{
  GormRow *row = g_list_model_get_item (rows, position);

  g_assert_nonnull (row);
  /* The model keeps its own reference. */
  g_object_unref (row);
  return row;
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

/* Tests */

/* Each engine's types: 64-bit integers beyond 2^31, reals, text, blobs and
 * NULL, as gint64, gdouble, strings, GBytes and NULL. */
static void
test_types (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GError) error = NULL;
  const GValue *value;
  GBytes *bytes;
  GormRow *row;

  g_assert_cmpint (gorm_database_execute (db, "CREATE TABLE raw_types (big BIGINT, small INTEGER, "
                                              "real_value DOUBLE PRECISION, text_value TEXT, blob_value "
                                              "BYTEA)", NULL, 0, NULL, &error), >=, 0);
  g_assert_no_error (error);
  if (!test_engine_is_postgresql ())
    g_assert_cmpint (gorm_database_execute (db, "INSERT INTO raw_types VALUES (5000000000, 7, 2.25, "
                                                "'héllo', x'00ff10')", NULL, 0, NULL, &error), ==, 1);
  else
    g_assert_cmpint (gorm_database_execute (db, "INSERT INTO raw_types VALUES (5000000000, 7, 2.25, "
                                                "'héllo', '\\x00ff10')", NULL, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (db, "INSERT INTO raw_types VALUES (NULL, NULL, NULL, NULL, "
                                              "NULL)", NULL, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);

  rows = select_ok (db, "SELECT big, small, real_value, text_value, blob_value, big * 2 AS doubled "
                        "FROM raw_types ORDER BY big IS NULL", NULL, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  row = row_at (rows, 0);
  g_assert_cmpuint (gorm_row_get_n_columns (row), ==, 6);
  g_assert_cmpstr (gorm_row_get_column_name (row, 0), ==, "big");
  g_assert_cmpstr (gorm_row_get_column_name (row, 5), ==, "doubled");
  g_assert_cmpint (gorm_row_find_column (row, "real_value"), ==, 2);
  g_assert_cmpint (gorm_row_find_column (row, "nothing"), ==, -1);

  value = gorm_row_get_value (row, 0);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, G_GINT64_CONSTANT (5000000000));
  value = gorm_row_get_value (row, 1);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, 7);
  value = gorm_row_get_value (row, 2);
  g_assert_true (G_VALUE_HOLDS_DOUBLE (value));
  g_assert_cmpfloat (g_value_get_double (value), ==, 2.25);
  g_assert_cmpstr (gorm_row_get_string (row, "text_value"), ==, "héllo");
  value = gorm_row_get_value (row, 4);
  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_BYTES));
  bytes = g_value_get_boxed (value);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "\x00\xff\x10", 3);
  g_assert_cmpint (gorm_row_get_int64 (row, "doubled"), ==, G_GINT64_CONSTANT (10000000000));
  g_assert_cmpfloat (gorm_row_get_double (row, "small"), ==, 7.0);

  /* NULL is NULL, by number and by name. */
  row = row_at (rows, 1);
  for (guint i = 0; i < 6; i++)
    g_assert_null (gorm_row_get_value (row, i));
  g_assert_null (gorm_row_dup_value (row, "big"));
  g_assert_true (gorm_row_is_null (row, "big"));
  g_assert_cmpint (gorm_row_get_int64 (row, "big"), ==, 0);
  g_assert_null (gorm_row_get_string (row, "text_value"));

  g_assert_finalize_object (g_steal_pointer (&rows));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* PostgreSQL's own types: timestamps as GDateTime, booleans, numerics
 * (an integer when they have no fractional part), other types as text. */
static void
test_postgresql_types (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GDateTime) expected = g_date_time_new_utc (2024, 3, 5, 13, 3, 2.05);
  const GValue *value;
  GormRow *row;

  rows = select_ok (db, "SELECT CAST('2024-03-05 14:03:02.05+01' AS TIMESTAMPTZ) AS t, "
                        "CAST('2024-03-05 13:03:02.05' AS TIMESTAMP) AS plain, TRUE AS b, "
                        "CAST(1.5 AS NUMERIC) AS n, CAST(12 AS NUMERIC) AS whole, "
                        "CAST('2024-03-05' AS DATE) AS d, CAST(3 AS SMALLINT) AS s, "
                        "CAST(0.5 AS REAL) AS r", NULL, 0);
  row = row_at (rows, 0);
  value = gorm_row_get_value (row, 0);
  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME));
  g_assert_true (g_date_time_equal (g_value_get_boxed (value), expected));
  value = gorm_row_get_value (row, 1);
  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME));
  g_assert_true (g_date_time_equal (g_value_get_boxed (value), expected));
  value = gorm_row_get_value (row, 2);
  g_assert_true (G_VALUE_HOLDS_BOOLEAN (value) && g_value_get_boolean (value));
  value = gorm_row_get_value (row, 3);
  g_assert_true (G_VALUE_HOLDS_DOUBLE (value));
  g_assert_cmpfloat (g_value_get_double (value), ==, 1.5);
  value = gorm_row_get_value (row, 4);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, 12);
  g_assert_cmpstr (gorm_row_get_string (row, "d"), ==, "2024-03-05");
  value = gorm_row_get_value (row, 6);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, 3);
  value = gorm_row_get_value (row, 7);
  g_assert_true (G_VALUE_HOLDS_DOUBLE (value));
  g_assert_cmpfloat (g_value_get_double (value), ==, 0.5);

  g_assert_finalize_object (g_steal_pointer (&rows));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A column libgda first reads as 32-bit (a small value, then a large one)
 * still gives the large one, and the statement keeps working. */
static void
test_large_integer_later (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gorm_database_execute (db, "CREATE TABLE numbers (n INTEGER)", NULL, 0, NULL,
                                          &error), >=, 0);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (db, "INSERT INTO numbers VALUES (1)", NULL, 0, NULL,
                                          &error), ==, 1);
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GListModel) rows = select_ok (db, "SELECT n, n * 3000000000 AS big FROM numbers "
                                                  "ORDER BY n", NULL, 0);
      guint n = g_list_model_get_n_items (rows);

      g_assert_cmpuint (n, ==, round + 1);
      g_assert_cmpint (gorm_row_get_int64 (row_at (rows, n - 1), "big"), ==,
                       G_GINT64_CONSTANT (3000000000) * (gint64) n);
      g_assert_cmpint (gorm_database_execute (db, "INSERT INTO numbers VALUES (2)", NULL, 0, NULL,
                                              &error), ==, 1);
    }
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Values are bound as gorm_database_execute() binds them: any type a
 * property can have, NULL, a `?` in a string left alone. */
static void
test_params (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  g_autoptr(GListModel) rows = NULL;
  GValue params[3] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };

  test_int_value (&params[0], 15);
  test_string_value (&params[1], "third");
  rows = select_ok (db, "SELECT title, '?' AS mark FROM test_post WHERE views > ? AND title <> ? "
                        "ORDER BY title", params, 2);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  g_assert_cmpstr (gorm_row_get_string (row_at (rows, 0), "title"), ==, "second");
  g_assert_cmpstr (gorm_row_get_string (row_at (rows, 0), "mark"), ==, "?");
  g_clear_object (&rows);

  /* A 64-bit parameter, beyond 32 bits (PostgreSQL types a parameter
   * from where it stands: `? + 1` would be an integer). */
  g_value_init (&params[2], G_TYPE_INT64);
  g_value_set_int64 (&params[2], G_GINT64_CONSTANT (6000000000));
  rows = select_ok (db, "SELECT CAST(? AS BIGINT) + 1 AS n", &params[2], 1);
  g_assert_cmpint (gorm_row_get_int64 (row_at (rows, 0), "n"), ==, G_GINT64_CONSTANT (6000000001));
  g_clear_object (&rows);

  /* Too few parameters for the placeholders. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GListModel) none = gorm_database_select (db, "SELECT ? , ?", params, 1, NULL, &error);

    g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
    g_assert_null (none);
  }

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    g_value_unset (&params[i]);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* WITH and VALUES give rows too; leading comments and a trailing
 * semicolon are fine. */
static void
test_with_values (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  g_autoptr(GListModel) rows = NULL;

  rows = select_ok (db, "  -- the busy ones\n WITH busy AS (SELECT title FROM test_post WHERE views >= 20) "
                        "SELECT count(*) AS n FROM busy;", NULL, 0);
  g_assert_cmpint (gorm_row_get_int64 (row_at (rows, 0), "n"), ==, 2);
  g_clear_object (&rows);

  rows = select_ok (db, "/* two rows */ VALUES (1, 'a'), (2, 'b')", NULL, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  g_assert_cmpstr (gorm_row_get_column_name (row_at (rows, 0), 0), ==, "column1");
  g_assert_cmpstr (gorm_row_get_string (row_at (rows, 1), "column2"), ==, "b");
  g_assert_cmpint (gorm_row_get_int64 (row_at (rows, 1), "column1"), ==, 2);
  g_assert_finalize_object (g_steal_pointer (&rows));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A statement that gives no rows is refused before it runs. */
static void
test_not_a_select (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  const char *statements[] = {
    "DELETE FROM test_post",
    "UPDATE test_post SET views = 0",
    "INSERT INTO test_post (title) VALUES ('x')",
    "DROP TABLE test_post",
    "  ",
    "selector",
  };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) rows = gorm_database_select (db, statements[i], NULL, 0, NULL, &error);

      g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
      g_assert_nonnull (strstr (error->message, statements[i]));
      g_assert_null (rows);
    }
  /* Nothing ran. */
  g_assert_cmpint (test_count_posts (db), ==, 3);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The engine's own statements that give rows: SQLite's PRAGMA, PostgreSQL's
 * SHOW, EXPLAIN on both; never for objects. */
static void
test_engine_statements (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GListModel) resources = NULL;
  g_autoptr(GormRow) row = NULL;
  const char *setting = test_engine_is_postgresql () ? "SHOW standard_conforming_strings"
                                                     : "PRAGMA foreign_keys";

  rows = gorm_database_select (db, setting, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  row = g_list_model_get_item (rows, 0);
  g_assert_cmpuint (gorm_row_get_n_columns (row), ==, 1);
  g_clear_object (&row);
  g_clear_object (&rows);

  rows = gorm_database_select (db, "EXPLAIN SELECT * FROM test_post", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rows), >, 0);
  g_clear_object (&rows);

  /* The other engine's statements are the engine's errors, or refused. */
  rows = gorm_database_select (db, test_engine_is_postgresql () ? "PRAGMA foreign_keys"
                                                                : "SHOW foreign_keys",
                               NULL, 0, NULL, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == GORM_ERROR);
  g_assert_null (rows);
  g_clear_error (&error);

  resources = gorm_database_select_resources (db, TEST_TYPE_POST, setting, NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_null (resources);
  g_clear_error (&error);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The engine's errors keep their codes and messages; the next call works. */
static void
test_sql_errors (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = NULL;

  rows = gorm_database_select (db, "SELECT * FROM no_such_table", NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no_such_table"));
  g_assert_null (rows);
  g_clear_error (&error);

  rows = gorm_database_select (db, "SELECT no_such_column FROM test_post", NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no_such_column"));
  g_assert_null (rows);
  g_clear_error (&error);

  rows = select_ok (db, "SELECT count(*) AS n FROM test_post", NULL, 0);
  g_assert_cmpint (gorm_row_get_int64 (row_at (rows, 0), "n"), ==, 3);
  g_assert_finalize_object (g_steal_pointer (&rows));

  /* A closed database. */
  g_assert_true (gorm_database_close (db, NULL, &error));
  rows = gorm_database_select (db, "SELECT 1", NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_assert_null (rows);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The model is a plain GListModel of GormRow that never changes, and
 * rows read by name through dup_value() as bindings do. */
static void
test_model (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  g_autoptr(GListModel) rows = select_ok (db, "SELECT title, views FROM test_post ORDER BY views", NULL, 0);
  g_autoptr(GormResource) extra = NULL;
  GValue *value;
  guint changes = 0;

  g_signal_connect (rows, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  g_assert_null (g_list_model_get_item (rows, 3));
  extra = new_post (db, "fourth", 40, 4.5);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  g_assert_cmpuint (changes, ==, 0);

  value = gorm_row_dup_value (row_at (rows, 2), "views");
  g_assert_nonnull (value);
  g_assert_cmpint (g_value_get_int64 (value), ==, 30);
  g_value_unset (value);
  g_free (value);
  g_assert_null (gorm_row_dup_value (row_at (rows, 2), "nothing"));
  g_assert_null (gorm_row_get_resource (row_at (rows, 2)));

  {
    guint n_columns = 0;
    GormResource *resource = NULL;

    g_object_get (row_at (rows, 0), "n-columns", &n_columns, "resource", &resource, NULL);
    g_assert_cmpuint (n_columns, ==, 2);
    g_assert_null (resource);
  }

  g_assert_finalize_object (g_steal_pointer (&rows));
  g_assert_finalize_object (g_steal_pointer (&extra));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Objects from a raw select: by column name, in any order, other columns
 * ignored, through the identity map. */
static void
test_resources (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_POST);
  g_autoptr(GListModel) fetched = NULL;
  g_autoptr(GListModel) posts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) second = NULL;
  g_autofree char *title = NULL;
  GValue min_views = G_VALUE_INIT;
  int views = 0;

  fetched = gorm_query_fetch (gorm_query_order_by (query, "views", FALSE), NULL, &error);
  g_assert_no_error (error);
  second = g_list_model_get_item (fetched, 1);
  /* An unsaved change stays; the others take the row's values. */
  g_object_set (second, "title", "changed", NULL);
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_post SET views = 21", NULL, 0, NULL, &error),
                   ==, 3);

  test_int_value (&min_views, 15);
  posts = gorm_database_select_resources (db, TEST_TYPE_POST,
                                          "SELECT 'x' AS other, updated, pub_date, published, rating, "
                                          "views, content, title, id FROM test_post "
                                          "WHERE rating > 2 ORDER BY rating DESC",
                                          &min_views, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_list_model_get_item_type (posts) == TEST_TYPE_POST);
  g_assert_cmpuint (g_list_model_get_n_items (posts), ==, 2);
  {
    g_autoptr(GormResource) third = g_list_model_get_item (posts, 0);
    g_autoptr(GormResource) again = g_list_model_get_item (posts, 1);

    g_object_get (third, "title", &title, NULL);
    g_assert_cmpstr (title, ==, "third");
    g_assert_true (again == second);
    g_clear_pointer (&title, g_free);
    g_object_get (second, "title", &title, "views", &views, NULL);
    g_assert_cmpstr (title, ==, "changed");
    g_assert_cmpint (views, ==, 21);
    g_assert_true (gorm_resource_is_saved (third));
  }
  g_clear_object (&posts);

  /* With parameters. */
  posts = gorm_database_select_resources (db, TEST_TYPE_POST, "SELECT * FROM test_post WHERE rating < ?",
                                          &(GValue) { 0 }, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_null (posts);
  g_clear_error (&error);
  posts = gorm_database_select_resources (db, TEST_TYPE_POST, "SELECT * FROM test_post WHERE views > ?",
                                          &min_views, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (posts), ==, 3);

  g_value_unset (&min_views);
  g_assert_finalize_object (g_steal_pointer (&posts));
  g_assert_finalize_object (g_steal_pointer (&fetched));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A missing column is VALIDATION naming it; a statement that is not a
 * select too; the next call works. */
static void
test_resources_errors (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  g_autoptr(GListModel) posts = NULL;
  g_autoptr(GError) error = NULL;

  posts = gorm_database_select_resources (db, TEST_TYPE_POST, "SELECT id, title FROM test_post",
                                          NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "“content”"));
  g_assert_nonnull (strstr (error->message, "TestPost"));
  g_assert_null (posts);
  g_clear_error (&error);

  posts = gorm_database_select_resources (db, TEST_TYPE_POST, "DELETE FROM test_post", NULL, 0,
                                          NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_null (posts);
  g_clear_error (&error);
  g_assert_cmpint (test_count_posts (db), ==, 3);

  posts = gorm_database_select_resources (db, TEST_TYPE_POST, "SELECT * FROM no_such_table",
                                          NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no_such_table"));
  g_assert_null (posts);
  g_clear_error (&error);

  posts = gorm_database_select_resources (db, TEST_TYPE_POST, "SELECT * FROM test_post", NULL, 0,
                                          NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (posts), ==, 3);
  g_assert_finalize_object (g_steal_pointer (&posts));
  g_assert_finalize_object (g_steal_pointer (&db));
}

typedef struct
{
  GMainLoop  *loop;
  GListModel *model;
  GError     *error;
} AsyncData;

static void
select_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncData *data = user_data;

  data->model = gorm_database_select_finish (GORM_DATABASE (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
select_resources_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  AsyncData *data = user_data;

  data->model = gorm_database_select_resources_finish (GORM_DATABASE (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
test_async (void)
{
  g_autoptr(GormDatabase) db = open_with_posts ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncData data = { loop, NULL, NULL };
  GValue views = G_VALUE_INIT;

  test_int_value (&views, 10);
  gorm_database_select_async (db, "SELECT sum(views) AS total FROM test_post WHERE views > ?",
                              &views, 1, NULL, select_done_cb, &data);
  g_main_loop_run (loop);
  g_assert_no_error (data.error);
  g_assert_cmpint (gorm_row_get_int64 (row_at (data.model, 0), "total"), ==, 50);
  g_clear_object (&data.model);

  gorm_database_select_async (db, "UPDATE test_post SET views = 0", NULL, 0, NULL, select_done_cb, &data);
  g_main_loop_run (loop);
  g_assert_error (data.error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_null (data.model);
  g_clear_error (&data.error);

  gorm_database_select_resources_async (db, TEST_TYPE_POST, "SELECT * FROM test_post WHERE views > ?",
                                        &views, 1, NULL, select_resources_done_cb, &data);
  g_main_loop_run (loop);
  g_assert_no_error (data.error);
  g_assert_cmpuint (g_list_model_get_n_items (data.model), ==, 2);
  g_assert_true (g_list_model_get_item_type (data.model) == TEST_TYPE_POST);
  g_assert_finalize_object (g_steal_pointer (&data.model));

  gorm_database_select_resources_async (db, TEST_TYPE_POST, "SELECT id FROM test_post",
                                        NULL, 0, NULL, select_resources_done_cb, &data);
  g_main_loop_run (loop);
  g_assert_error (data.error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_null (data.model);
  g_clear_error (&data.error);

  g_value_unset (&views);
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/RawSelect/types", test_types);
  g_test_add_func ("/Gorm/RawSelect/large-integer-later", test_large_integer_later);
  if (test_engine_is_postgresql ())
    g_test_add_func ("/Gorm/RawSelect/postgresql-types", test_postgresql_types);
  g_test_add_func ("/Gorm/RawSelect/params", test_params);
  g_test_add_func ("/Gorm/RawSelect/with-values", test_with_values);
  g_test_add_func ("/Gorm/RawSelect/not-a-select", test_not_a_select);
  g_test_add_func ("/Gorm/RawSelect/engine-statements", test_engine_statements);
  g_test_add_func ("/Gorm/RawSelect/sql-errors", test_sql_errors);
  g_test_add_func ("/Gorm/RawSelect/model", test_model);
  g_test_add_func ("/Gorm/RawSelect/resources", test_resources);
  g_test_add_func ("/Gorm/RawSelect/resources-errors", test_resources_errors);
  g_test_add_func ("/Gorm/RawSelect/async", test_async);

  return g_test_run ();
}
