/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "gorm-test-utils.h"
#include "gorm-value-private.h"

/* The execution layer's selects (and, further down, writes) on SQLite's own handle
 * (gorm_connection_set_direct_locked()): every select here runs
 * twice, on the handle and through libgda, and both must give the same
 * values of the same types, or the same error. On PostgreSQL, which has
 * no such handle, both runs go through libgda and the same assertions
 * hold. */

typedef struct
{
  GormDatabase   *db;
  GormConnection *connection;
  char           *path;
} Fixture;

static gboolean
is_sqlite (void)
{
  return !test_engine_is_postgresql ();
}

static void
fixture_open (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->db = test_open_file (&fixture->path);
  gorm_database_lock (fixture->db);
  fixture->connection = gorm_database_get_connection_locked (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->connection);
  /* The handle was found and checked on SQLite; there is none on
   * PostgreSQL. */
  g_assert_cmpint (gorm_connection_runs_directly_locked (fixture->connection), ==, is_sqlite ());
}

static void
fixture_close (Fixture *fixture)
{
  gorm_database_unlock (fixture->db);
  g_assert_finalize_object (fixture->db);
  test_remove_file (fixture->path);
  g_free (fixture->path);
}

static void
run_ok (Fixture    *fixture,
        const char *sql)
{
  g_autoptr(GError) error = NULL;

  gboolean ok = gorm_connection_run_locked (fixture->connection, sql, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* The values of @table: a table of every SQL value type with a row of
 * each edge, and a row of NULLs. */
static void
make_values_table (Fixture *fixture)
{
  static const char *sqlite_rows[] = {
    "INSERT INTO v VALUES (1, 1099511627776, 1.5, 'plain', X'00FF00', 1)",
    "INSERT INTO v VALUES (2, 9223372036854775807, 9e999, '', X'', 0)",
    "INSERT INTO v VALUES (3, -9223372036854775808, -9e999, 'héllo ✓ 日本', X'41', 2)",
    "INSERT INTO v VALUES (4, -4611686018427387904, -0.0, '2024-03-05T13:03:02.123456Z', "
      "X'0102030405', 4294967296)",
    "INSERT INTO v VALUES (5, 0, 1e300, 'dark-blue', X'FFFFFFFF', -1)",
    "INSERT INTO v VALUES (6, NULL, NULL, NULL, NULL, NULL)",
    NULL
  };
  static const char *postgresql_rows[] = {
    "INSERT INTO v VALUES (1, 1099511627776, 1.5, 'plain', '\\x00ff00'::bytea, 1)",
    "INSERT INTO v VALUES (2, 9223372036854775807, 'Infinity', '', ''::bytea, 0)",
    "INSERT INTO v VALUES (3, -9223372036854775808, '-Infinity', 'héllo ✓ 日本', '\\x41'::bytea, 2)",
    "INSERT INTO v VALUES (4, -4611686018427387904, '-0', '2024-03-05T13:03:02.123456Z', "
      "'\\x0102030405'::bytea, 4294967296)",
    "INSERT INTO v VALUES (5, 0, 1e300, 'dark-blue', '\\xffffffff'::bytea, -1)",
    "INSERT INTO v VALUES (6, NULL, NULL, NULL, NULL, NULL)",
    NULL
  };
  const char **rows = is_sqlite () ? sqlite_rows : postgresql_rows;

  if (is_sqlite ())
    run_ok (fixture, "CREATE TABLE v (k INTEGER PRIMARY KEY, i INTEGER, d REAL, t TEXT, b BLOB, "
                     "f INTEGER)");
  else
    run_ok (fixture, "CREATE TABLE v (k BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, t TEXT, "
                     "b BYTEA, f BIGINT)");
  for (guint i = 0; rows[i] != NULL; i++)
    run_ok (fixture, rows[i]);
}

static gboolean
values_equal (const GValue *a,
              const GValue *b)
{
  GType type = G_VALUE_TYPE (a);

  if (type != G_VALUE_TYPE (b))
    return FALSE;
  if (type == GORM_TYPE_SQL_NULL)
    return TRUE;
  if (type == G_TYPE_INT64)
    return g_value_get_int64 (a) == g_value_get_int64 (b);
  if (type == G_TYPE_DOUBLE)
    {
      double x = g_value_get_double (a);
      double y = g_value_get_double (b);

      /* Bit for bit: infinities and the sign of zero too. */
      return memcmp (&x, &y, sizeof x) == 0;
    }
  if (type == G_TYPE_STRING)
    return g_strcmp0 (g_value_get_string (a), g_value_get_string (b)) == 0;
  if (type == G_TYPE_BOOLEAN)
    return g_value_get_boolean (a) == g_value_get_boolean (b);
  if (type == G_TYPE_BYTES)
    return g_bytes_equal (g_value_get_boxed (a), g_value_get_boxed (b));
  g_error ("A value of an unexpected type %s", g_type_name (type));
  return FALSE;
}

typedef struct
{
  guint      n_rows;
  guint      n_columns;
  GPtrArray *values;
  GError    *error;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->values, g_ptr_array_unref);
  g_clear_error (&result->error);
}

static void
free_value (gpointer data)
{
  g_value_unset (data);
  g_free (data);
}

/* Whether statement_for() looks statements up as the bulk writes do,
 * with gorm_connection_lookup_direct_locked(): see test_write_unparsed(). */
static gboolean lookup_unparsed;

/* The statement of @sql, given @params (copied), to run directly or
 * not. */
static GormStatement *
statement_for (Fixture      *fixture,
               gboolean      direct,
               const char   *sql,
               const GValue *params,
               guint         n_params)
{
  g_autoptr(GError) error = NULL;
  GormStatement *statement;

  gorm_connection_set_direct_locked (fixture->connection, direct);
  if (lookup_unparsed)
    statement = gorm_connection_lookup_direct_locked (fixture->connection, sql, &error);
  else
    statement = gorm_connection_lookup_locked (fixture->connection, sql, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_params; i++)
    {
      GValue copy = G_VALUE_INIT;

      g_value_init (&copy, G_VALUE_TYPE (&params[i]));
      g_value_copy (&params[i], &copy);
      gorm_statement_take_param (statement, i, &copy);
    }
  return statement;
}

/* Runs @sql with @params (copied) and @types, directly or not, into
 * @result: its values copied, or its error. */
static void
run_select (Fixture      *fixture,
            gboolean      direct,
            const char   *sql,
            const GValue *params,
            guint         n_params,
            const GType  *types,
            Result       *result)
{
  g_autoptr(GormRows) rows = NULL;
  GormStatement *statement;
  guint before, ran, expected;

  memset (result, 0, sizeof *result);
  statement = statement_for (fixture, direct, sql, params, n_params);
  before = gorm_connection_get_n_direct_selects_locked (fixture->connection);
  rows = gorm_connection_select_locked (fixture->connection, statement, types, &result->error);
  /* Run directly exactly when asked to, on SQLite, unless SQLite could
   * not prepare it (libgda then reports why). */
  ran = gorm_connection_get_n_direct_selects_locked (fixture->connection) - before;
  expected = direct && is_sqlite () && types != NULL ? 1 : 0;
  if (rows != NULL)
    g_assert_cmpuint (ran, ==, expected);
  else
    g_assert_cmpuint (ran, <=, expected);
  gorm_connection_set_direct_locked (fixture->connection, TRUE);
  if (rows == NULL)
    {
      g_assert_nonnull (result->error);
      return;
    }
  g_assert_no_error (result->error);
  result->n_rows = gorm_rows_get_n_rows (rows);
  result->n_columns = gorm_rows_get_n_columns (rows);
  result->values = g_ptr_array_new_with_free_func (free_value);
  for (guint row = 0; row < result->n_rows; row++)
    for (guint column = 0; column < result->n_columns; column++)
      {
        g_autoptr(GError) error = NULL;
        const GValue *value = gorm_rows_get_value (rows, column, row, &error);
        GValue *copy = g_new0 (GValue, 1);

        g_assert_no_error (error);
        g_assert_nonnull (value);
        g_value_init (copy, G_VALUE_TYPE (value));
        g_value_copy (value, copy);
        g_ptr_array_add (result->values, copy);
      }
  /* Out of range is an error, not a crash. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (gorm_rows_get_value (rows, result->n_columns, 0, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  }
}

/* Runs @sql both ways and checks they agree; returns the direct run's
 * result in @result. */
static void
select_both (Fixture      *fixture,
             const char   *sql,
             const GValue *params,
             guint         n_params,
             const GType  *types,
             Result       *result)
{
  Result gda;

  run_select (fixture, TRUE, sql, params, n_params, types, result);
  run_select (fixture, FALSE, sql, params, n_params, types, &gda);
  if (result->error != NULL || gda.error != NULL)
    {
      g_assert_nonnull (result->error);
      g_assert_nonnull (gda.error);
      g_assert_cmpstr (g_quark_to_string (result->error->domain), ==,
                       g_quark_to_string (gda.error->domain));
      g_assert_cmpint (result->error->code, ==, gda.error->code);
      g_assert_cmpstr (result->error->message, ==, gda.error->message);
    }
  else
    {
      g_assert_cmpuint (result->n_rows, ==, gda.n_rows);
      g_assert_cmpuint (result->n_columns, ==, gda.n_columns);
      for (guint i = 0; i < result->values->len; i++)
        if (!values_equal (result->values->pdata[i], gda.values->pdata[i]))
          {
            g_autofree char *direct = g_strdup_value_contents (result->values->pdata[i]);
            g_autofree char *through_gda = g_strdup_value_contents (gda.values->pdata[i]);

            g_error ("%s: value %u differs: %s (%s) directly, %s (%s) through libgda", sql, i,
                     direct, G_VALUE_TYPE_NAME (result->values->pdata[i]),
                     through_gda, G_VALUE_TYPE_NAME (gda.values->pdata[i]));
          }
    }
  result_clear (&gda);
}

/* select_both(), which must succeed. */
static void
select_ok (Fixture      *fixture,
           const char   *sql,
           const GValue *params,
           guint         n_params,
           const GType  *types,
           Result       *result)
{
  select_both (fixture, sql, params, n_params, types, result);
  g_assert_no_error (result->error);
}

static const GValue *
value_at (Result *result,
          guint   column,
          guint   row)
{
  g_assert_cmpuint (row, <, result->n_rows);
  g_assert_cmpuint (column, <, result->n_columns);
  return result->values->pdata[row * result->n_columns + column];
}

/* Tests */

/* Every SQL value type, each edge, and NULL in each: the same values of
 * the same types both ways. */
static void
test_value_types (void)
{
  const GType types[] = {
    G_TYPE_INT64, G_TYPE_INT64, G_TYPE_DOUBLE, G_TYPE_STRING, G_TYPE_BYTES, G_TYPE_INT64,
    G_TYPE_NONE
  };
  Fixture fixture;
  Result result;

  fixture_open (&fixture);
  make_values_table (&fixture);
  select_ok (&fixture, "SELECT k, i, d, t, b, f FROM v ORDER BY k", NULL, 0, types, &result);
  g_assert_cmpuint (result.n_rows, ==, 6);
  g_assert_cmpint (g_value_get_int64 (value_at (&result, 1, 0)), ==, G_GINT64_CONSTANT (1099511627776));
  g_assert_cmpint (g_value_get_int64 (value_at (&result, 1, 1)), ==, G_MAXINT64);
  g_assert_cmpint (g_value_get_int64 (value_at (&result, 1, 2)), ==, G_MININT64);
  g_assert_cmpfloat (g_value_get_double (value_at (&result, 2, 1)), ==, INFINITY);
  g_assert_cmpfloat (g_value_get_double (value_at (&result, 2, 2)), ==, -INFINITY);
  g_assert_cmpfloat (g_value_get_double (value_at (&result, 2, 4)), ==, 1e300);
  g_assert_cmpstr (g_value_get_string (value_at (&result, 3, 1)), ==, "");
  g_assert_cmpstr (g_value_get_string (value_at (&result, 3, 2)), ==, "héllo ✓ 日本");
  g_assert_cmpuint (g_bytes_get_size (g_value_get_boxed (value_at (&result, 4, 0))), ==, 3);
  g_assert_cmpuint (g_bytes_get_size (g_value_get_boxed (value_at (&result, 4, 1))), ==, 0);
  for (guint column = 1; column < 6; column++)
    g_assert_true (G_VALUE_HOLDS (value_at (&result, column, 5), GORM_TYPE_SQL_NULL));
  result_clear (&result);

  fixture_close (&fixture);
}

/* A column read as a type other than its own converts as the engine
 * converts it, and booleans read as libgda reads them. */
static void
test_converted_types (void)
{
  const GType as_text[] = {
    G_TYPE_STRING, G_TYPE_STRING, G_TYPE_NONE
  };
  const GType as_numbers[] = {
    G_TYPE_DOUBLE, G_TYPE_INT64, G_TYPE_NONE
  };
  const GType as_booleans[] = {
    G_TYPE_INT64, G_TYPE_BOOLEAN, G_TYPE_NONE
  };
  Fixture fixture;
  Result result;

  fixture_open (&fixture);
  make_values_table (&fixture);
  if (is_sqlite ())
    {
      const GType as_bytes[] = { G_TYPE_BYTES, G_TYPE_BYTES, G_TYPE_NONE };

      select_ok (&fixture, "SELECT i, d FROM v ORDER BY k", NULL, 0, as_text, &result);
      g_assert_cmpstr (g_value_get_string (value_at (&result, 0, 0)), ==, "1099511627776");
      result_clear (&result);
      select_ok (&fixture, "SELECT t, k FROM v ORDER BY k", NULL, 0, as_bytes, &result);
      result_clear (&result);
      select_ok (&fixture, "SELECT '12abc', 'x' FROM v", NULL, 0, as_numbers, &result);
      result_clear (&result);
      /* Another statement: libgda keeps the column types a statement
       * first ran with. A real read as an integer is cut, as SQLite
       * casts (PostgreSQL refuses it). */
      select_ok (&fixture, "SELECT i, d FROM v ORDER BY k, i", NULL, 0, as_numbers, &result);
      result_clear (&result);
    }
  if (is_sqlite ())
    {
      /* Booleans as libgda reads them: zero or not, of the value cut to
       * 32 bits (4294967296 is FALSE). */
      select_ok (&fixture, "SELECT k, f FROM v ORDER BY k", NULL, 0, as_booleans, &result);
      g_assert_true (g_value_get_boolean (value_at (&result, 1, 0)));
      g_assert_false (g_value_get_boolean (value_at (&result, 1, 1)));
      g_assert_true (g_value_get_boolean (value_at (&result, 1, 2)));
      g_assert_false (g_value_get_boolean (value_at (&result, 1, 3)));
      result_clear (&result);
    }
  /* Numbers as text; no rows. */
  select_ok (&fixture, "SELECT t, k FROM v WHERE k = 1", NULL, 0, as_text, &result);
  g_assert_cmpstr (g_value_get_string (value_at (&result, 1, 0)), ==, "1");
  result_clear (&result);
  select_ok (&fixture, "SELECT t, k FROM v WHERE k > 100", NULL, 0, as_text, &result);
  g_assert_cmpuint (result.n_rows, ==, 0);
  result_clear (&result);

  fixture_close (&fixture);
}

/* Parameters of every type, bound in the order of their `?`, which need
 * not be their numbers' order; one used twice. */
static void
test_params (void)
{
  const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GBytes) bytes = g_bytes_new ("\x41", 1);
  GValue params[4] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  Fixture fixture;
  Result result;

  fixture_open (&fixture);
  make_values_table (&fixture);
  g_value_init (&params[0], G_TYPE_INT64);
  g_value_set_int64 (&params[0], G_MININT64);
  g_value_init (&params[1], G_TYPE_STRING);
  g_value_set_string (&params[1], "héllo ✓ 日本");
  g_value_init (&params[2], G_TYPE_DOUBLE);
  g_value_set_double (&params[2], -INFINITY);
  g_value_init (&params[3], G_TYPE_BYTES);
  g_value_set_boxed (&params[3], bytes);

  select_ok (&fixture,
             "SELECT k FROM v WHERE t = ##p1::gchararray AND i = ##p0::gint64 "
             "AND d = ##p2::gdouble AND b = ##p3::GdaBinary AND k > ##p0::gint64",
             params, 4, types, &result);
  g_assert_cmpuint (result.n_rows, ==, 1);
  g_assert_cmpint (g_value_get_int64 (value_at (&result, 0, 0)), ==, 3);
  result_clear (&result);

  /* The statement runs again with other values. */
  g_value_set_int64 (&params[0], G_MAXINT64);
  g_value_set_string (&params[1], "");
  g_value_set_double (&params[2], INFINITY);
  g_value_take_boxed (&params[3], g_bytes_new (NULL, 0));
  select_ok (&fixture,
             "SELECT k FROM v WHERE t = ##p1::gchararray AND i = ##p0::gint64 "
             "AND d = ##p2::gdouble AND b = ##p3::GdaBinary AND k > ##p0::gint64",
             params, 4, types, &result);
  /* k > G_MAXINT64 holds for no row. */
  g_assert_cmpuint (result.n_rows, ==, 0);
  result_clear (&result);

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    g_value_unset (&params[i]);
  fixture_close (&fixture);
}

/* Errors: the same code and message both ways, whether the statement
 * fails to prepare or as it runs. */
static void
test_errors (void)
{
  const GType one[] = { G_TYPE_INT64, G_TYPE_NONE };
  GValue pattern = G_VALUE_INIT;
  Fixture fixture;
  Result result;

  fixture_open (&fixture);
  make_values_table (&fixture);

  select_both (&fixture, "SELECT k FROM missing", NULL, 0, one, &result);
  g_assert_error (result.error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (result.error->message, "missing"));
  result_clear (&result);

  if (is_sqlite ())
    {
      g_autofree char *long_pattern = NULL;

      guint before = gorm_connection_get_n_direct_selects_locked (fixture.connection);

      /* Refused by SQLite only as the statement runs: directly. */
      select_both (&fixture, "SELECT abs(i) FROM v WHERE k = 3", NULL, 0, one, &result);
      g_assert_cmpuint (gorm_connection_get_n_direct_selects_locked (fixture.connection), ==,
                        before + 1);
      g_assert_error (result.error, GORM_ERROR, GORM_ERROR_FAILED);
      g_assert_nonnull (strstr (result.error->message, "integer overflow"));
      g_assert_nonnull (strstr (result.error->message, "SELECT abs(i)"));
      result_clear (&result);

      long_pattern = g_strnfill (60000, '%');
      g_value_init (&pattern, G_TYPE_STRING);
      g_value_set_string (&pattern, long_pattern);
      select_both (&fixture, "SELECT k FROM v WHERE t LIKE ##p0::gchararray", &pattern, 1, one,
                   &result);
      g_assert_error (result.error, GORM_ERROR, GORM_ERROR_FAILED);
      g_assert_nonnull (strstr (result.error->message, "LIKE or GLOB pattern too complex"));
      /* Shown as the application wrote it. */
      g_assert_nonnull (strstr (result.error->message, "LIKE ?"));
      result_clear (&result);
      g_value_unset (&pattern);
    }

  /* A fault injected, as the engine's error would be. */
  /* It takes the lock itself. */
  gorm_database_unlock (fixture.db);
  gorm_connection_inject_fault (fixture.connection, "SELECT k FROM v", GORM_ERROR_CORRUPT);
  gorm_database_lock (fixture.db);
  run_select (&fixture, TRUE, "SELECT k FROM v", NULL, 0, one, &result);
  g_assert_error (result.error, GORM_ERROR, GORM_ERROR_CORRUPT);
  result_clear (&result);

  fixture_close (&fixture);
}

/* Another connection holding the database locked: BUSY both ways. */
static void
test_busy (void)
{
  const GType one[] = { G_TYPE_INT64, G_TYPE_NONE };
  sqlite3 *other = NULL;
  Fixture fixture;
  Result result;
  Result rows;

  fixture_open (&fixture);
  make_values_table (&fixture);
  /* Waits a millisecond, not 5 s, before it says the database is
   * locked. */
  run_select (&fixture, FALSE, "PRAGMA busy_timeout=1", NULL, 0, NULL, &rows);
  g_assert_no_error (rows.error);
  result_clear (&rows);
  /* In a rollback journal, unlike in WAL, a writer's exclusive lock
   * keeps readers out. */
  run_select (&fixture, FALSE, "PRAGMA journal_mode=DELETE", NULL, 0, NULL, &rows);
  g_assert_no_error (rows.error);
  result_clear (&rows);

  select_ok (&fixture, "SELECT k FROM v", NULL, 0, one, &result);
  result_clear (&result);

  g_assert_cmpint (sqlite3_open (fixture.path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE; "
                                        "INSERT INTO v (k) VALUES (100)", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  /* SQLite's "database is locked" is BUSY, as for a write, both
   * directly and through libgda, whose model of a select refused so
   * reads as no count of rows and no exception: the handle gives the
   * reason. */
  run_select (&fixture, TRUE, "SELECT k FROM v", NULL, 0, one, &result);
  g_assert_error (result.error, GORM_ERROR, GORM_ERROR_BUSY);
  g_assert_nonnull (strstr (result.error->message, "database is locked"));
  result_clear (&result);
  run_select (&fixture, FALSE, "SELECT k FROM v", NULL, 0, one, &result);
  g_assert_error (result.error, GORM_ERROR, GORM_ERROR_BUSY);
  g_assert_nonnull (strstr (result.error->message, "database is locked"));
  g_assert_nonnull (strstr (result.error->message, "SELECT k FROM v"));
  result_clear (&result);
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);

  /* The lock gone, the statement runs again. */
  select_ok (&fixture, "SELECT k FROM v", NULL, 0, one, &result);
  g_assert_cmpuint (result.n_rows, ==, 6);
  result_clear (&result);

  fixture_close (&fixture);
}

static gint64
count_rows (Fixture *fixture)
{
  const GType one[] = { G_TYPE_INT64, G_TYPE_NONE };
  Result result;
  gint64 count;

  select_ok (fixture, "SELECT count(*) FROM v", NULL, 0, one, &result);
  count = g_value_get_int64 (value_at (&result, 0, 0));
  result_clear (&result);
  return count;
}

/* Inside a transaction and its savepoints, a select sees the
 * transaction's writes, and no longer those rolled back. */
static void
test_transaction (void)
{
  g_autoptr(GError) error = NULL;
  Fixture fixture;

  fixture_open (&fixture);
  make_values_table (&fixture);
  g_assert_cmpint (count_rows (&fixture), ==, 6);

  g_assert_true (gorm_connection_begin_locked (fixture.connection, "test", &error));
  g_assert_no_error (error);
  run_ok (&fixture, "INSERT INTO v (k) VALUES (10)");
  g_assert_cmpint (count_rows (&fixture), ==, 7);
  g_assert_true (gorm_connection_begin_locked (fixture.connection, "test", &error));
  run_ok (&fixture, "INSERT INTO v (k) VALUES (11)");
  g_assert_cmpint (count_rows (&fixture), ==, 8);
  g_assert_true (gorm_connection_rollback_locked (fixture.connection, "test", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (&fixture), ==, 7);
  g_assert_true (gorm_connection_rollback_locked (fixture.connection, "test", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (&fixture), ==, 6);

  /* A failed COMMIT (injected) rolls back; the next selects work. */
  g_assert_true (gorm_connection_begin_locked (fixture.connection, "test", &error));
  run_ok (&fixture, "INSERT INTO v (k) VALUES (12)");
  g_assert_cmpint (count_rows (&fixture), ==, 7);
  /* It takes the lock itself. */
  gorm_database_unlock (fixture.db);
  gorm_connection_inject_fault (fixture.connection, "COMMIT", GORM_ERROR_BUSY);
  gorm_database_lock (fixture.db);
  g_assert_false (gorm_connection_commit_locked (fixture.connection, "test", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_assert_cmpuint (gorm_connection_get_depth (fixture.connection), ==, 0);
  g_assert_cmpint (count_rows (&fixture), ==, 6);

  fixture_close (&fixture);
}

/* Writes on SQLite's own handle (gorm_connection_execute_locked()): every
 * write runs on two databases of the same rows, on one directly and on
 * the other through libgda, and both must change the same rows, give
 * the same new key and leave the same values, or fail with the same
 * code and message. On PostgreSQL both run through libgda. */

typedef struct
{
  Fixture direct;
  Fixture gda;
} Pair;

static void
pair_open (Pair *pair)
{
  fixture_open (&pair->direct);
  fixture_open (&pair->gda);
  make_values_table (&pair->direct);
  make_values_table (&pair->gda);
}

static void
pair_close (Pair *pair)
{
  fixture_close (&pair->direct);
  fixture_close (&pair->gda);
}

/* Runs the PRAGMA @sql, a select, on both databases. */
static void
pragma (Pair       *pair,
        const char *sql)
{
  Result rows;

  run_select (&pair->direct, FALSE, sql, NULL, 0, NULL, &rows);
  g_assert_no_error (rows.error);
  result_clear (&rows);
  run_select (&pair->gda, FALSE, sql, NULL, 0, NULL, &rows);
  g_assert_no_error (rows.error);
  result_clear (&rows);
}

typedef struct
{
  gint64  changed;
  gint64  last_id;
  GError *error;
} Written;

/* Runs @sql with @params (copied) on @fixture, directly or not, checking
 * that it ran directly exactly when asked to on SQLite, unless SQLite
 * could not prepare it (libgda then reports why). */
static void
run_write (Fixture      *fixture,
           gboolean      direct,
           const char   *sql,
           const GValue *params,
           guint         n_params,
           Written      *written)
{
  GormStatement *statement;
  guint before, ran, expected;

  memset (written, 0, sizeof *written);
  statement = statement_for (fixture, direct, sql, params, n_params);
  before = gorm_connection_get_n_direct_writes_locked (fixture->connection);
  written->changed = gorm_connection_execute_locked (fixture->connection, statement,
                                                     &written->error);
  ran = gorm_connection_get_n_direct_writes_locked (fixture->connection) - before;
  expected = direct && is_sqlite () ? 1 : 0;
  if (written->changed >= 0)
    g_assert_cmpuint (ran, ==, expected);
  else
    g_assert_cmpuint (ran, <=, expected);
  if (written->changed < 0)
    g_assert_nonnull (written->error);
  else
    g_assert_no_error (written->error);
  if (is_sqlite () && written->changed >= 0)
    g_assert_true (gorm_connection_last_insert_id_locked (fixture->connection,
                                                          &written->last_id, NULL));
  gorm_connection_set_direct_locked (fixture->connection, TRUE);
}

static void
assert_same_error (const GError *a,
                   const GError *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (g_quark_to_string (a->domain), ==, g_quark_to_string (b->domain));
  g_assert_cmpint (a->code, ==, b->code);
  g_assert_cmpstr (a->message, ==, b->message);
}

/* Every row of v on both databases, the same values of the same types. */
static void
assert_same_rows (Pair *pair)
{
  const GType types[] = {
    G_TYPE_INT64, G_TYPE_INT64, G_TYPE_DOUBLE, G_TYPE_STRING, G_TYPE_BYTES, G_TYPE_INT64,
    G_TYPE_NONE
  };
  const char *sql = "SELECT k, i, d, t, b, f FROM v ORDER BY k";
  Result a, b;

  run_select (&pair->direct, FALSE, sql, NULL, 0, types, &a);
  run_select (&pair->gda, FALSE, sql, NULL, 0, types, &b);
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_cmpuint (a.n_rows, ==, b.n_rows);
  for (guint i = 0; i < a.values->len; i++)
    if (!values_equal (a.values->pdata[i], b.values->pdata[i]))
      {
        g_autofree char *direct = g_strdup_value_contents (a.values->pdata[i]);
        g_autofree char *through_gda = g_strdup_value_contents (b.values->pdata[i]);

        g_error ("value %u of v differs: %s (%s) written directly, %s (%s) through libgda", i,
                 direct, G_VALUE_TYPE_NAME (a.values->pdata[i]),
                 through_gda, G_VALUE_TYPE_NAME (b.values->pdata[i]));
      }
  result_clear (&a);
  result_clear (&b);
}

/* Runs @sql on both databases and checks they agree; returns the direct
 * run's outcome in @written. */
static void
write_both (Pair         *pair,
            const char   *sql,
            const GValue *params,
            guint         n_params,
            Written      *written)
{
  Written gda;

  run_write (&pair->direct, TRUE, sql, params, n_params, written);
  run_write (&pair->gda, FALSE, sql, params, n_params, &gda);
  if (written->error != NULL || gda.error != NULL)
    assert_same_error (written->error, gda.error);
  else
    {
      g_assert_cmpint (written->changed, ==, gda.changed);
      g_assert_cmpint (written->last_id, ==, gda.last_id);
    }
  g_clear_error (&gda.error);
  assert_same_rows (pair);
}

static gint64
write_ok (Pair         *pair,
          const char   *sql,
          const GValue *params,
          guint         n_params)
{
  Written written;

  write_both (pair, sql, params, n_params, &written);
  g_assert_no_error (written.error);
  return written.changed;
}

static void
write_fails (Pair         *pair,
             const char   *sql,
             const GValue *params,
             guint         n_params,
             gint          code,
             const char   *part)
{
  Written written;

  write_both (pair, sql, params, n_params, &written);
  g_assert_error (written.error, GORM_ERROR, code);
  /* SQLite's words; PostgreSQL has its own. */
  if (is_sqlite ())
    g_assert_nonnull (strstr (written.error->message, part));
  g_clear_error (&written.error);
}

/* Parameters of every type and their edges, NULL literals, written by
 * INSERT, UPDATE and DELETE: the same rows changed, keys and values. */
static void
test_write_values (void)
{
  /* A boolean in SQLite's INTEGER column; PostgreSQL's bigint takes no
   * boolean. */
  const char *insert = is_sqlite ()
    ? "INSERT INTO v (k, i, d, t, b, f) VALUES (##p0::gint64, ##p1::gint64::null, "
      "##p2::gdouble::null, ##p3::gchararray::null, ##p4::GdaBinary::null, ##p5::gboolean::null)"
    : "INSERT INTO v (k, i, d, t, b, f) VALUES (##p0::gint64, ##p1::gint64::null, "
      "##p2::gdouble::null, ##p3::gchararray::null, ##p4::GdaBinary::null, ##p5::gint64::null)";
  static const char *insert_nulls =
    "INSERT INTO v (k, i, d, t, b, f) VALUES (##p0::gint64, NULL, NULL, NULL, NULL, NULL)";
  const gint64 integers[] = { G_MAXINT64, G_MININT64, 0, -1, G_GINT64_CONSTANT (1) << 40 };
  const double doubles[] = { INFINITY, -INFINITY, -0.0, 1e300, 5e-324 };
  const char *texts[] = { "", "héllo ✓ 日本", "a\nb'c\"", "2024-03-05T13:03:02.123456Z", "x" };
  const gsize sizes[] = { 0, 1, 3, 5, 100000 };
  GValue params[6] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT,
                       G_VALUE_INIT };
  g_autofree guint8 *blob = g_malloc0 (100000);
  Pair pair;

  pair_open (&pair);
  blob[1] = 0xFF;
  blob[99999] = 0x41;
  g_value_init (&params[0], G_TYPE_INT64);
  g_value_init (&params[1], G_TYPE_INT64);
  g_value_init (&params[2], G_TYPE_DOUBLE);
  g_value_init (&params[3], G_TYPE_STRING);
  g_value_init (&params[4], G_TYPE_BYTES);
  g_value_init (&params[5], is_sqlite () ? G_TYPE_BOOLEAN : G_TYPE_INT64);
  for (guint row = 0; row < G_N_ELEMENTS (integers); row++)
    {
      g_value_set_int64 (&params[0], 100 + row);
      g_value_set_int64 (&params[1], integers[row]);
      g_value_set_double (&params[2], doubles[row]);
      g_value_set_string (&params[3], texts[row]);
      g_value_take_boxed (&params[4], g_bytes_new (blob, sizes[row]));
      if (is_sqlite ())
        g_value_set_boolean (&params[5], row % 2 == 0);
      else
        g_value_set_int64 (&params[5], row % 2 == 0);
      g_assert_cmpint (write_ok (&pair, insert, params, 6), ==, 1);
    }
  /* NULL is written into the SQL as a literal, as the dialect writes it. */
  g_value_set_int64 (&params[0], 200);
  g_assert_cmpint (write_ok (&pair, insert_nulls, params, 1), ==, 1);
  /* A key SQLite chooses: the same new key both ways. */
  if (is_sqlite ())
    {
      Written written;

      write_both (&pair, "INSERT INTO v (t) VALUES ('chosen')", NULL, 0, &written);
      g_assert_no_error (written.error);
      g_assert_cmpint (written.last_id, ==, 201);
    }

  /* UPDATE of many rows, of one, of none. */
  g_value_set_double (&params[2], 2.5);
  g_assert_cmpint (write_ok (&pair, "UPDATE v SET d = ##p0::gdouble WHERE k >= 100",
                             &params[2], 1), ==, is_sqlite () ? 7 : 6);
  g_value_set_string (&params[3], "changed");
  g_value_set_int64 (&params[0], 3);
  {
    GValue update[2] = { G_VALUE_INIT, G_VALUE_INIT };

    g_value_init (&update[0], G_TYPE_STRING);
    g_value_set_string (&update[0], "changed");
    g_value_init (&update[1], G_TYPE_INT64);
    g_value_set_int64 (&update[1], 3);
    g_assert_cmpint (write_ok (&pair, "UPDATE v SET t = ##p0::gchararray WHERE k = ##p1::gint64",
                               update, 2), ==, 1);
    g_value_set_int64 (&update[1], 12345);
    g_assert_cmpint (write_ok (&pair, "UPDATE v SET t = ##p0::gchararray WHERE k = ##p1::gint64",
                               update, 2), ==, 0);
    g_value_unset (&update[0]);
    g_value_unset (&update[1]);
  }
  g_assert_cmpint (write_ok (&pair, "UPDATE v SET t = NULL, b = NULL WHERE k = 1", NULL, 0), ==, 1);

  /* DELETE of one row, of none, of every row (which SQLite may do by
   * truncating the table, counting the rows all the same). */
  g_value_set_int64 (&params[0], 101);
  g_assert_cmpint (write_ok (&pair, "DELETE FROM v WHERE k = ##p0::gint64", params, 1), ==, 1);
  g_assert_cmpint (write_ok (&pair, "DELETE FROM v WHERE k = ##p0::gint64", params, 1), ==, 0);
  g_assert_cmpint (write_ok (&pair, "DELETE FROM v", NULL, 0), ==, is_sqlite () ? 12 : 11);

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    g_value_unset (&params[i]);
  pair_close (&pair);
}

/* A statement run again without new values runs with the values it was
 * last given, directly or through libgda, whichever ran it before. */
static void
test_write_again (void)
{
  static const char *sql = "UPDATE v SET i = i + ##p0::gint64, t = ##p1::gchararray "
                           "WHERE k = ##p2::gint64";
  GValue params[3] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  const gboolean ways[] = { TRUE, TRUE, FALSE, TRUE, FALSE, FALSE, TRUE };
  Written written;
  Pair pair;

  pair_open (&pair);
  g_value_init (&params[0], G_TYPE_INT64);
  g_value_set_int64 (&params[0], 10);
  g_value_init (&params[1], G_TYPE_STRING);
  g_value_set_string (&params[1], "again");
  g_value_init (&params[2], G_TYPE_INT64);
  g_value_set_int64 (&params[2], 1);
  /* Given values once, on both databases. */
  g_assert_cmpint (write_ok (&pair, sql, params, 3), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (ways); i++)
    {
      /* The same way on both, so that they stay alike: each run adds 10
       * to row 1. */
      run_write (&pair.direct, ways[i], sql, NULL, 0, &written);
      g_assert_no_error (written.error);
      g_assert_cmpint (written.changed, ==, 1);
      run_write (&pair.gda, !ways[i], sql, NULL, 0, &written);
      g_assert_no_error (written.error);
      g_assert_cmpint (written.changed, ==, 1);
      assert_same_rows (&pair);
    }
  /* New values after runs both ways: row 4 changes, not row 1. */
  g_value_set_int64 (&params[2], 4);
  g_assert_cmpint (write_ok (&pair, sql, params, 3), ==, 1);
  {
    const GType types[] = { G_TYPE_INT64, G_TYPE_STRING, G_TYPE_NONE };
    Result result;

    select_ok (&pair.direct, "SELECT i, t FROM v WHERE k IN (1, 4) ORDER BY k", NULL, 0, types,
               &result);
    g_assert_cmpint (g_value_get_int64 (value_at (&result, 0, 0)), ==,
                     G_GINT64_CONSTANT (1099511627776) + 10 * (1 + G_N_ELEMENTS (ways)));
    g_assert_cmpint (g_value_get_int64 (value_at (&result, 0, 1)), ==,
                     G_GINT64_CONSTANT (-4611686018427387904) + 10);
    g_assert_cmpstr (g_value_get_string (value_at (&result, 1, 1)), ==, "again");
    result_clear (&result);
  }

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    g_value_unset (&params[i]);
  pair_close (&pair);
}

/* Each class of failure: the same code and message both ways, and the
 * next write works. */
static void
test_write_errors (void)
{
  GValue key = G_VALUE_INIT;
  Pair pair;

  pair_open (&pair);
  run_ok (&pair.direct, "CREATE TABLE c (k INTEGER PRIMARY KEY, n TEXT NOT NULL UNIQUE, "
                        "v INTEGER REFERENCES v (k), x INTEGER CHECK (x > 0))");
  run_ok (&pair.gda, "CREATE TABLE c (k INTEGER PRIMARY KEY, n TEXT NOT NULL UNIQUE, "
                     "v INTEGER REFERENCES v (k), x INTEGER CHECK (x > 0))");
  write_ok (&pair, "INSERT INTO c VALUES (1, 'a', 1, 1)", NULL, 0);

  g_value_init (&key, G_TYPE_INT64);
  g_value_set_int64 (&key, 1);
  write_fails (&pair, "INSERT INTO v (k) VALUES (##p0::gint64)", &key, 1,
               GORM_ERROR_CONSTRAINT, "v.k");
  write_fails (&pair, "INSERT INTO c VALUES (2, 'a', 1, 1)", NULL, 0,
               GORM_ERROR_CONSTRAINT, "c.n");
  write_fails (&pair, "INSERT INTO c VALUES (2, NULL, 1, 1)", NULL, 0,
               GORM_ERROR_CONSTRAINT, "c.n");
  write_fails (&pair, "INSERT INTO c VALUES (2, 'b', 999, 1)", NULL, 0,
               GORM_ERROR_CONSTRAINT, "FOREIGN KEY");
  write_fails (&pair, "UPDATE c SET x = -1 WHERE k = 1", NULL, 0,
               GORM_ERROR_CONSTRAINT, "CHECK");
  write_fails (&pair, "DELETE FROM v WHERE k = ##p0::gint64", &key, 1,
               GORM_ERROR_CONSTRAINT, "FOREIGN KEY");
  /* Refused as SQLite runs it, not as it prepares it. */
  if (is_sqlite ())
    write_fails (&pair, "UPDATE v SET i = abs(i) WHERE k = 3", NULL, 0,
                 GORM_ERROR_FAILED, "integer overflow");
  /* Refused as it prepares: libgda reports it. */
  write_fails (&pair, "INSERT INTO missing VALUES (1)", NULL, 0, GORM_ERROR_FAILED, "missing");
  /* The next write works, and nothing was half written. */
  g_assert_cmpint (write_ok (&pair, "INSERT INTO c VALUES (2, 'b', 1, 2)", NULL, 0), ==, 1);

  if (is_sqlite ())
    {
      /* A database that may not be written: READ_ONLY both ways. */
      pragma (&pair, "PRAGMA query_only = 1");
      write_fails (&pair, "INSERT INTO c VALUES (3, 'c', 1, 3)", NULL, 0,
                   GORM_ERROR_READ_ONLY, "readonly");
      pragma (&pair, "PRAGMA query_only = 0");
      g_assert_cmpint (write_ok (&pair, "INSERT INTO c VALUES (3, 'c', 1, 3)", NULL, 0), ==, 1);

      /* A database that may not grow (as on a full disk, which
       * test-failure.c fills for real): FULL both ways, nothing of the
       * row written. */
      pragma (&pair, "PRAGMA max_page_count = 1");
      write_fails (&pair, "INSERT INTO v (k, b) VALUES (50, zeroblob(200000))", NULL, 0,
                   GORM_ERROR_FULL, "full");
      pragma (&pair, "PRAGMA max_page_count = 1073741823");
      g_assert_cmpint (write_ok (&pair, "INSERT INTO v (k, b) VALUES (50, zeroblob(200000))",
                                 NULL, 0), ==, 1);
    }

  /* A fault injected, as the engine's error would be; it takes the lock
   * itself. */
  for (guint direct = 0; direct < 2; direct++)
    {
      Written written;

      gorm_database_unlock (pair.direct.db);
      gorm_connection_inject_fault (pair.direct.connection, "DELETE FROM c", GORM_ERROR_FULL);
      gorm_database_lock (pair.direct.db);
      run_write (&pair.direct, direct, "DELETE FROM c", NULL, 0, &written);
      g_assert_error (written.error, GORM_ERROR, GORM_ERROR_FULL);
      g_clear_error (&written.error);
    }
  g_assert_cmpint (write_ok (&pair, "DELETE FROM c", NULL, 0), ==, is_sqlite () ? 3 : 2);

  g_value_unset (&key);
  pair_close (&pair);
}

/* Another connection holding the database locked: BUSY both ways, with
 * the same message, and the write runs once the lock is gone. */
static void
test_write_busy (void)
{
  sqlite3 *others[2] = { NULL, NULL };
  Written written;
  Pair pair;

  pair_open (&pair);
  pragma (&pair, "PRAGMA busy_timeout=1");
  for (guint i = 0; i < 2; i++)
    {
      Fixture *fixture = i == 0 ? &pair.direct : &pair.gda;

      g_assert_cmpint (sqlite3_open (fixture->path, &others[i]), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (others[i], "BEGIN EXCLUSIVE; "
                                                "INSERT INTO v (k) VALUES (100)",
                                     NULL, NULL, NULL), ==, SQLITE_OK);
    }
  write_both (&pair, "UPDATE v SET t = 'x' WHERE k = 1", NULL, 0, &written);
  g_assert_error (written.error, GORM_ERROR, GORM_ERROR_BUSY);
  g_assert_nonnull (strstr (written.error->message, "database is locked"));
  g_clear_error (&written.error);
  for (guint i = 0; i < 2; i++)
    {
      sqlite3_exec (others[i], "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close (others[i]);
    }
  /* The locks gone, the write runs, on the rows as they were. */
  g_assert_cmpint (write_ok (&pair, "UPDATE v SET t = 'x' WHERE k = 1", NULL, 0), ==, 1);
  pair_close (&pair);
}

/* BEGIN, SAVEPOINT, RELEASE, ROLLBACK and COMMIT run directly, and the
 * transaction holds: rolled back writes are gone, committed ones kept. */
static void
test_write_transaction (void)
{
  g_autoptr(GError) error = NULL;
  Fixture fixture;
  guint before;

  fixture_open (&fixture);
  make_values_table (&fixture);
  before = gorm_connection_get_n_direct_writes_locked (fixture.connection);
  g_assert_true (gorm_connection_begin_locked (fixture.connection, "test", &error));
  g_assert_no_error (error);
  run_ok (&fixture, "INSERT INTO v (k) VALUES (10)");
  g_assert_true (gorm_connection_begin_locked (fixture.connection, "test", &error));
  run_ok (&fixture, "INSERT INTO v (k) VALUES (11)");
  g_assert_true (gorm_connection_rollback_locked (fixture.connection, "test", &error));
  g_assert_no_error (error);
  g_assert_true (gorm_connection_begin_locked (fixture.connection, "test", &error));
  run_ok (&fixture, "INSERT INTO v (k) VALUES (12)");
  g_assert_true (gorm_connection_commit_locked (fixture.connection, "test", &error));
  g_assert_true (gorm_connection_commit_locked (fixture.connection, "test", &error));
  g_assert_no_error (error);
  /* BEGIN, INSERT, SAVEPOINT, INSERT, ROLLBACK TO, RELEASE, SAVEPOINT,
   * INSERT, RELEASE, COMMIT. */
  if (is_sqlite ())
    g_assert_cmpuint (gorm_connection_get_n_direct_writes_locked (fixture.connection) - before,
                      ==, 10);
  g_assert_cmpint (count_rows (&fixture), ==, 8);

  /* A COMMIT SQLite refuses (no transaction): the same message both
   * ways, through the depth's check first. */
  g_assert_false (gorm_connection_commit_locked (fixture.connection, "test", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);
  /* PostgreSQL only warns. */
  if (is_sqlite ())
    {
      Written a, b;

      run_write (&fixture, TRUE, "COMMIT", NULL, 0, &a);
      run_write (&fixture, FALSE, "COMMIT", NULL, 0, &b);
      assert_same_error (a.error, b.error);
      g_assert_nonnull (strstr (a.error->message, "no transaction is active"));
      g_clear_error (&a.error);
      g_clear_error (&b.error);
    }
  fixture_close (&fixture);
}

/* A cancellable cancelled before a select or a write: G_IO_ERROR_CANCELLED
 * both ways, nothing run or traced; traced when it runs, directly or
 * not. */
static void
test_cancelled (void)
{
  const GType one[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TestLog) log = NULL;
  GCancellable *previous;
  Fixture fixture;
  Result result;
  Written written;

  fixture_open (&fixture);
  make_values_table (&fixture);
  gorm_database_unlock (fixture.db);
  log = test_log_attach (fixture.db);
  gorm_database_lock (fixture.db);
  g_cancellable_cancel (cancellable);
  previous = gorm_connection_swap_cancellable_locked (fixture.connection, cancellable);
  run_select (&fixture, TRUE, "SELECT k FROM v", NULL, 0, one, &result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&result);
  for (guint direct = 0; direct < 2; direct++)
    {
      run_write (&fixture, direct, "DELETE FROM v WHERE k = 1", NULL, 0, &written);
      g_assert_error (written.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&written.error);
    }
  gorm_connection_swap_cancellable_locked (fixture.connection, previous);
  g_assert_cmpuint (test_log_count (log, "SELECT k FROM v"), ==, 0);
  g_assert_cmpuint (test_log_count (log, "DELETE FROM v WHERE k = 1"), ==, 0);
  g_assert_cmpint (count_rows (&fixture), ==, 6);

  select_ok (&fixture, "SELECT k FROM v", NULL, 0, one, &result);
  result_clear (&result);
  g_assert_cmpuint (test_log_count (log, "SELECT k FROM v"), ==, 2);
  for (guint direct = 0; direct < 2; direct++)
    {
      run_write (&fixture, direct, "DELETE FROM v WHERE k = 1", NULL, 0, &written);
      g_assert_no_error (written.error);
      g_assert_cmpint (written.changed, ==, direct ? 0 : 1);
    }
  g_assert_cmpuint (test_log_count (log, "DELETE FROM v WHERE k = 1"), ==, 2);

  gorm_database_unlock (fixture.db);
  gorm_database_set_trace_func (fixture.db, NULL, NULL);
  g_clear_pointer (&log, test_log_free);
  gorm_database_lock (fixture.db);
  fixture_close (&fixture);
}

/* What is not run directly: a select without column types, or with a
 * type libgorm leaves to libgda, or fewer types than columns, runs
 * through libgda as before, and gives what it gave. */
static void
test_through_gda (void)
{
  const GType gint_type[] = { G_TYPE_INT, G_TYPE_NONE };
  const GType too_few[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  g_autoptr(GError) error = NULL;
  GormStatement *statement;
  guint before;
  Fixture fixture;

  fixture_open (&fixture);
  make_values_table (&fixture);
  before = gorm_connection_get_n_direct_selects_locked (fixture.connection);

  statement = gorm_connection_lookup_locked (fixture.connection, "SELECT k, t FROM v ORDER BY k",
                                             &error);
  g_assert_no_error (error);
  rows = gorm_connection_select_locked (fixture.connection, statement, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_rows_get_n_rows (rows), ==, 6);
  g_clear_pointer (&rows, gorm_rows_free);
  rows = gorm_connection_select_locked (fixture.connection, statement, too_few, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_rows_get_n_columns (rows), ==, 2);
  g_clear_pointer (&rows, gorm_rows_free);

  statement = gorm_connection_lookup_locked (fixture.connection, "SELECT k FROM v ORDER BY k",
                                             &error);
  /* A gint, which libgorm never asks for, is libgda's (SQLite's) to
   * read; PostgreSQL's values come as text, read as libgorm's types. */
  if (is_sqlite ())
    {
      rows = gorm_connection_select_locked (fixture.connection, statement, gint_type, &error);
      g_assert_no_error (error);
      g_assert_true (G_VALUE_HOLDS_INT (gorm_rows_get_value (rows, 0, 0, &error)));
      g_clear_pointer (&rows, gorm_rows_free);
    }

  g_assert_cmpuint (gorm_connection_get_n_direct_selects_locked (fixture.connection), ==, before);

  /* And the same select with its types named runs directly (SQLite). */
  rows = gorm_connection_select_locked (fixture.connection, statement, too_few, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_connection_get_n_direct_selects_locked (fixture.connection), ==,
                    before + (is_sqlite () ? 1 : 0));

  fixture_close (&fixture);
}

/* The writes above, each looked up as the bulk writes look theirs up
 * (gorm_connection_lookup_direct_locked()): on SQLite, where they run
 * directly, prepared on the handle from their text without libgda's
 * parser (and parsed only when run through libgda, by a test asking for
 * it); they write the same rows, and fail with the same codes and
 * messages (SQLite's refusal to prepare one too), as libgda's run of
 * the same statement. */
static void
test_write_unparsed (void)
{
  lookup_unparsed = TRUE;
  test_write_values ();
  test_write_again ();
  test_write_errors ();
  lookup_unparsed = FALSE;
}

static void
collect_sql_cb (const char *sql,
                gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (sql));
}

/* Takes @n gint64 values, @first, @first + 1, …, as the parameters of
 * @statement from @number on. */
static void
take_keys (GormStatement *statement,
           guint          number,
           gint64         first,
           guint          n)
{
  for (guint i = 0; i < n; i++)
    {
      GValue key = G_VALUE_INIT;

      g_value_init (&key, G_TYPE_INT64);
      g_value_set_int64 (&key, first + i);
      gorm_statement_take_param (statement, number + i, &key);
    }
}

/* "INSERT INTO v (k, i) VALUES (##p0::gint64, ##p1::gint64), …", @n_rows
 * rows. */
static char *
insert_rows_sql (guint n_rows)
{
  GString *sql = g_string_new ("INSERT INTO v (k, i) VALUES ");

  for (guint row = 0; row < n_rows; row++)
    g_string_append_printf (sql, "%s(##p%u::gint64, ##p%u::gint64)", row > 0 ? ", " : "",
                            2 * row, 2 * row + 1);
  return g_string_free (sql, FALSE);
}

/* A write looked up for SQLite's handle: not parsed by libgda, its
 * parameters counted from its text, run directly and traced; thousands
 * of parameters are prepared at once; its failures are reported with
 * the SQL cut short; an injected fault fails it; run through libgda, it
 * is parsed then. A select, or any statement on PostgreSQL, is parsed
 * as it is looked up. */
static void
test_unparsed_statement (void)
{
  static const char *pair_sql = "INSERT INTO v (k, t) VALUES (##p0::gint64, ##p1::gchararray::null), "
                                "(##p2::gint64, ##p3::gchararray::null)";
  /* Thousands of rows on SQLite; libgda parses PostgreSQL's, in a time
   * that grows with the square of the parameters. */
  guint n_rows = is_sqlite () ? 10000 : 200;
  g_autofree char *many_sql = insert_rows_sql (n_rows);
  g_autoptr(GPtrArray) traced = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GormStatement *statement;
  Fixture fixture;
  guint writes;

  fixture_open (&fixture);
  make_values_table (&fixture);
  gorm_connection_set_trace_locked (fixture.connection, collect_sql_cb, traced);

  /* Two rows, directly, traced. */
  statement = gorm_connection_lookup_direct_locked (fixture.connection, pair_sql, &error);
  g_assert_no_error (error);
  g_assert_nonnull (statement);
  g_assert_cmpint (gorm_statement_is_parsed (statement), ==, !is_sqlite ());
  g_assert_cmpuint (gorm_statement_get_n_params (statement), ==, 4);
  g_assert_true (gorm_connection_lookup_direct_locked (fixture.connection, pair_sql, NULL) ==
                 statement);
  for (guint i = 0; i < 2; i++)
    {
      GValue text = G_VALUE_INIT;

      take_keys (statement, 2 * i, 10 + i, 1);
      g_value_init (&text, G_TYPE_STRING);
      g_value_set_string (&text, i == 0 ? "ten" : "eleven");
      gorm_statement_take_param (statement, 2 * i + 1, &text);
    }
  writes = gorm_connection_get_n_direct_writes_locked (fixture.connection);
  g_assert_cmpint (gorm_connection_execute_locked (fixture.connection, statement, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_connection_get_n_direct_writes_locked (fixture.connection) - writes, ==,
                    is_sqlite () ? 1 : 0);
  g_assert_cmpuint (traced->len, ==, 1);
  g_assert_cmpstr (traced->pdata[0], ==, pair_sql);
  g_assert_cmpint (gorm_statement_is_parsed (statement), ==, !is_sqlite ());

  /* Thousands of parameters, at once. */
  statement = gorm_connection_lookup_direct_locked (fixture.connection, many_sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_statement_is_parsed (statement), ==, !is_sqlite ());
  g_assert_cmpuint (gorm_statement_get_n_params (statement), ==, 2 * n_rows);
  take_keys (statement, 0, 1000, 2 * n_rows);
  g_assert_cmpint (gorm_connection_execute_locked (fixture.connection, statement, &error), ==,
                   n_rows);
  g_assert_no_error (error);
  g_assert_cmpstr (traced->pdata[traced->len - 1], ==, many_sql);

  /* Run again, its keys are taken: a constraint fails it, and its
   * message shows the start of its SQL only. */
  g_assert_cmpint (gorm_connection_execute_locked (fixture.connection, statement, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_true (g_str_has_suffix (error->message, "…”)"));
  g_assert_nonnull (strstr (error->message, "(in “INSERT INTO v (k, i) VALUES (?, ?), (?, ?)"));
  g_assert_cmpuint (strlen (error->message), <, 1500);
  g_clear_error (&error);

  /* A fault injected into it. */
  gorm_database_unlock (fixture.db);
  gorm_connection_inject_fault (fixture.connection, "INSERT INTO v (k, i)", GORM_ERROR_FULL);
  gorm_database_lock (fixture.db);
  take_keys (statement, 0, 1000 + 2 * n_rows, 2 * n_rows);
  g_ptr_array_set_size (traced, 0);
  g_assert_cmpint (gorm_connection_execute_locked (fixture.connection, statement, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (traced->len, ==, 1);
  /* Consumed: the same values go in now. */
  g_assert_cmpint (gorm_connection_execute_locked (fixture.connection, statement, &error), ==,
                   n_rows);
  g_assert_no_error (error);

  /* Looked up for the handle, run through libgda: parsed then. */
  {
    g_autofree char *sql = insert_rows_sql (3);

    statement = gorm_connection_lookup_direct_locked (fixture.connection, sql, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gorm_statement_is_parsed (statement), ==, !is_sqlite ());
    take_keys (statement, 0, 100000, 6);
    gorm_connection_set_direct_locked (fixture.connection, FALSE);
    writes = gorm_connection_get_n_direct_writes_locked (fixture.connection);
    g_assert_cmpint (gorm_connection_execute_locked (fixture.connection, statement, &error), ==, 3);
    g_assert_no_error (error);
    g_assert_cmpuint (gorm_connection_get_n_direct_writes_locked (fixture.connection), ==, writes);
    g_assert_true (gorm_statement_is_parsed (statement));
    gorm_connection_set_direct_locked (fixture.connection, TRUE);
  }

  /* A SELECT as well: unparsed until libgda is to run it, the same rows
   * both ways (select_both() runs it directly, then through libgda). */
  {
    const char *select = "SELECT k FROM v WHERE k > ##p0::gint64 ORDER BY k";
    const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
    GValue low = G_VALUE_INIT;
    Result result;

    statement = gorm_connection_lookup_direct_locked (fixture.connection, select, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gorm_statement_is_parsed (statement), ==, !is_sqlite ());
    g_value_init (&low, G_TYPE_INT64);
    g_value_set_int64 (&low, 100001);
    lookup_unparsed = TRUE;
    select_ok (&fixture, select, &low, 1, types, &result);
    lookup_unparsed = FALSE;
    g_assert_cmpuint (result.n_rows, ==, 2);
    g_assert_cmpint (g_value_get_int64 (value_at (&result, 0, 0)), ==, 100002);
    g_assert_cmpint (g_value_get_int64 (value_at (&result, 0, 1)), ==, 100004);
    g_assert_true (gorm_statement_is_parsed (statement));
    result_clear (&result);
  }

  /* Neither a write nor a SELECT: parsed as it is looked up. */
  statement = gorm_connection_lookup_direct_locked (fixture.connection,
                                                    "CREATE TABLE w (a INTEGER)", &error);
  g_assert_no_error (error);
  g_assert_true (gorm_statement_is_parsed (statement));

  {
    const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
    Result result;

    select_ok (&fixture, "SELECT count(*) FROM v", NULL, 0, types, &result);
    g_assert_cmpint (g_value_get_int64 (value_at (&result, 0, 0)), ==, 6 + 2 + 2 * n_rows + 3);
    result_clear (&result);
  }

  gorm_connection_set_trace_locked (fixture.connection, NULL, NULL);
  fixture_close (&fixture);
}

/* GORM_DEBUG=gda-statements, or its first name gda-select: no select
 * and no write runs directly on a database opened with it, and the
 * resources written and read are the same. */
static void
check_debug_gda (const char *debug)
{
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GormResource) post = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autofree char *title = NULL;
  GormConnection *connection;
  gint64 id;

  {
    g_autoptr(GormDatabase) first = test_open_file (&path);

    post = g_object_new (TEST_TYPE_POST, "database", first, "title", "héllo", "views", 7, NULL);
    test_save_ok (post);
    g_object_get (post, "id", &id, NULL);
    g_clear_object (&post);
    gorm_database_close (first, NULL, NULL);
  }

  g_setenv ("GORM_DEBUG", debug, TRUE);
  uri = is_sqlite () ? test_uri_of_file (path) : g_strdup (path);
  db = gorm_database_open (uri, NULL, &error);
  g_setenv ("GORM_DEBUG", "", TRUE);
  g_assert_no_error (error);

  loaded = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  g_object_get (loaded, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "héllo");
  /* An update, an insert and a delete. */
  g_object_set (loaded, "title", "changed", NULL);
  test_save_ok (GORM_RESOURCE (loaded));
  post = g_object_new (TEST_TYPE_POST, "database", db, "title", "new", "views", 1, NULL);
  test_save_ok (post);
  g_assert_true (gorm_resource_delete (post, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&title, g_free);
  g_object_get (loaded, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "changed");

  gorm_database_lock (db);
  connection = gorm_database_get_connection_locked (db, &error);
  g_assert_no_error (error);
  g_assert_false (gorm_connection_runs_directly_locked (connection));
  g_assert_cmpuint (gorm_connection_get_n_direct_selects_locked (connection), ==, 0);
  g_assert_cmpuint (gorm_connection_get_n_direct_writes_locked (connection), ==, 0);
  gorm_database_unlock (db);

  g_clear_object (&loaded);
  g_clear_object (&post);
  gorm_database_close (db, NULL, NULL);
  g_clear_object (&db);
  test_remove_file (path);
}

static void
test_debug_gda_statements (void)
{
  check_debug_gda ("gda-statements");
  check_debug_gda ("sql,gda-select");
}

/* Without the switch, the same saves and reads run directly on SQLite. */
static void
test_resources_direct (void)
{
  g_autoptr(GormResource) post = NULL;
  g_autoptr(GError) error = NULL;
  GormConnection *connection;
  Fixture fixture;
  guint writes, selects;

  fixture_open (&fixture);
  connection = fixture.connection;
  writes = gorm_connection_get_n_direct_writes_locked (connection);
  selects = gorm_connection_get_n_direct_selects_locked (connection);
  gorm_database_unlock (fixture.db);
  post = g_object_new (TEST_TYPE_POST, "database", fixture.db, "title", "héllo", "views", 7, NULL);
  test_save_ok (post);
  g_object_set (post, "title", "changed", NULL);
  test_save_ok (post);
  g_assert_true (gorm_resource_delete (post, NULL, &error));
  g_assert_no_error (error);
  gorm_database_lock (fixture.db);
  /* The INSERT, the UPDATE, the DELETE; on PostgreSQL, none. */
  g_assert_cmpuint (gorm_connection_get_n_direct_writes_locked (connection) - writes, >=,
                    is_sqlite () ? 3 : 0);
  if (!is_sqlite ())
    g_assert_cmpuint (gorm_connection_get_n_direct_writes_locked (connection), ==, 0);
  g_assert_cmpuint (gorm_connection_get_n_direct_selects_locked (connection), >=, selects);
  g_clear_object (&post);
  fixture_close (&fixture);
}

/* Results of any number of rows, across the blocks a direct read keeps
 * its rows in (none, one, a block less one, a block, a block and one,
 * several), NULLs among them: the same values both ways, in order. */
static void
test_many_rows (void)
{
  const GType types[] = { G_TYPE_INT64, G_TYPE_STRING, G_TYPE_NONE };
  const gint64 counts[] = { 0, 1, 127, 128, 129, 300, 1000 };
  Fixture fixture;

  fixture_open (&fixture);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_auto(GValue) limit = G_VALUE_INIT;
      Result result;

      g_value_init (&limit, G_TYPE_INT64);
      g_value_set_int64 (&limit, counts[i]);
      select_ok (&fixture,
                 "SELECT n, CASE WHEN n % 7 = 0 THEN NULL ELSE 'row ' || n END FROM "
                 "(WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000) "
                 "SELECT n FROM c) AS c WHERE n <= ##p0::gint64 ORDER BY n",
                 &limit, 1, types, &result);
      g_assert_cmpuint (result.n_rows, ==, counts[i]);
      for (guint row = 0; row < result.n_rows; row++)
        {
          const GValue *text = value_at (&result, 1, row);

          g_assert_cmpint (g_value_get_int64 (value_at (&result, 0, row)), ==, row + 1);
          if ((row + 1) % 7 == 0)
            g_assert_true (gorm_value_is_sql_null (text));
          else
            {
              g_autofree char *expected = g_strdup_printf ("row %u", row + 1);

              g_assert_cmpstr (g_value_get_string (text), ==, expected);
            }
        }
      result_clear (&result);
    }
  fixture_close (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Connection/value-types", test_value_types);
  g_test_add_func ("/Gorm/Connection/converted-types", test_converted_types);
  g_test_add_func ("/Gorm/Connection/params", test_params);
  g_test_add_func ("/Gorm/Connection/many-rows", test_many_rows);
  g_test_add_func ("/Gorm/Connection/errors", test_errors);
  if (is_sqlite ())
    g_test_add_func ("/Gorm/Connection/busy", test_busy);
  g_test_add_func ("/Gorm/Connection/cancelled", test_cancelled);
  g_test_add_func ("/Gorm/Connection/transaction", test_transaction);
  g_test_add_func ("/Gorm/Connection/through-gda", test_through_gda);
  g_test_add_func ("/Gorm/Connection/write-values", test_write_values);
  g_test_add_func ("/Gorm/Connection/write-again", test_write_again);
  g_test_add_func ("/Gorm/Connection/write-errors", test_write_errors);
  if (is_sqlite ())
    g_test_add_func ("/Gorm/Connection/write-busy", test_write_busy);
  g_test_add_func ("/Gorm/Connection/write-transaction", test_write_transaction);
  g_test_add_func ("/Gorm/Connection/write-unparsed", test_write_unparsed);
  g_test_add_func ("/Gorm/Connection/unparsed-statement", test_unparsed_statement);
  g_test_add_func ("/Gorm/Connection/resources-direct", test_resources_direct);
  g_test_add_func ("/Gorm/Connection/debug-gda-statements", test_debug_gda_statements);

  return g_test_run ();
}
