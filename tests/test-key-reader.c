/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-test-utils.h"
#include "gorm-connection-private.h"
#include "gorm-database-private.h"
#include "gorm-key-reader-private.h"

/*
 * The key reader's own sort (GormKeySort): on SQLite it reads an order's
 * columns unsorted and sorts them itself, and its keys must come in
 * exactly the order of the engine's ORDER BY, ties broken by the key; on
 * PostgreSQL the server sorts. Tables of random rows are read both ways
 * and compared.
 */

/* "k" is the key but not the rowid, so that the rows are read in
 * another order than the key's. "a" has no type, so that it holds
 * integers and reals as they were written (NUMERIC in PostgreSQL, where
 * a double would round the integers beyond 2^53); "nc" compares without
 * case. */
#define SQLITE_TABLE "CREATE TABLE \"sorted\" (\"r\" INTEGER PRIMARY KEY, " \
  "\"k\" INTEGER NOT NULL UNIQUE, \"a\", \"b\" INTEGER, \"c\" REAL, \"t\" TEXT, " \
  "\"u\" TEXT, \"nc\" TEXT COLLATE NOCASE, \"x\")"
#define POSTGRESQL_TABLE "CREATE TABLE \"sorted\" (\"r\" bigserial PRIMARY KEY, " \
  "\"k\" bigint NOT NULL UNIQUE, \"a\" numeric, \"b\" bigint, \"c\" double precision, " \
  "\"t\" text, \"u\" text, \"nc\" text, \"x\" text)"

/* The columns an order may name, each with the values it draws from;
 * NULL is the literal NULL. "a" mixes reals and integers: those beyond
 * 2^53 only in the tables whose "a" takes them (see fill_table()). */
static const char *const small_numbers[] = {
  "NULL", "0", "1", "-1", "2", "-3", "0.5", "-0.5", "2.0", "-0.0", "1.25", "3",
};
static const char *const wide_integers[] = {
  "9007199254740993", "9007199254740992", "-9007199254740993", "9223372036854775807",
  "-9223372036854775808", "4611686018427387904",
};
static const char *const integers[] = {
  "NULL", "0", "1", "-1", "7", "-7", "255", "256", "65536", "-65536", "9007199254740993",
  "9223372036854775807", "-9223372036854775808", "4294967296", "-4294967297",
};
static const char *const reals[] = {
  "NULL", "0.0", "-0.0", "1.5", "-1.5", "1e300", "-1e300", "2.2250738585072014e-308",
  "-2.2250738585072014e-308", "3.0", "1e-5", "123456789.125",
};
static const char *const texts[] = {
  "NULL", "''", "'a'", "'A'", "'ab'", "'a b'", "'b'", "'Z'", "'é'", "'e'", "'日本'",
  "'ü'", "'it''s'", "'a\xc3\xa9'", "'aa'", "'~'",
};

typedef struct
{
  const char *column;
  gboolean    text;
} Column;

static const Column columns[] = {
  { "a", FALSE }, { "b", FALSE }, { "c", FALSE }, { "t", TRUE }, { "u", TRUE },
};

static const char *
pick (const char *const *values,
      guint              n)
{
  return values[g_test_rand_int_range (0, (gint32) n)];
}

static void
execute_ok (GormDatabase *db,
            const char   *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gorm_database_execute (db, sql, NULL, 0, NULL, &error), !=, -1);
  g_assert_no_error (error);
}

/* Fills "sorted" with @n_rows random rows; "a" holds integers beyond
 * 2^53 with @wide, and reals beside them with @mixed. */
static void
fill_table (GormDatabase *db,
            guint         n_rows,
            gboolean      wide,
            gboolean      mixed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);

  execute_ok (db, "DROP TABLE IF EXISTS \"sorted\"");
  execute_ok (db, test_engine_is_postgresql () ? POSTGRESQL_TABLE : SQLITE_TABLE);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n_rows; i++)
    {
      /* Distinct keys, in another order than the rows', negative too. */
      gint64 key = (gint64) ((i * 7919u) % 10007u) - 5000;
      const char *a;

      if (wide && g_test_rand_bit ())
        a = pick (wide_integers, G_N_ELEMENTS (wide_integers));
      else
        {
          a = pick (small_numbers, G_N_ELEMENTS (small_numbers));
          /* Only integers beside the wide ones, unless mixed. */
          if (wide && !mixed && strchr (a, '.') != NULL)
            a = "4";
        }
      if (i == n_rows - 1 && n_rows > 3)
        key = g_test_rand_bit () ? G_MAXINT64 : G_MININT64;
      /* 100 rows a statement, in the order of the keys drawn. */
      if (sql->len == 0)
        g_string_append (sql, "INSERT INTO \"sorted\" (\"k\", \"a\", \"b\", \"c\", \"t\", \"u\") "
                              "VALUES ");
      else
        g_string_append (sql, ", ");
      g_string_append_printf (sql, "(%" G_GINT64_FORMAT ", %s, %s, %s, %s, %s)", key, a,
                              pick (integers, G_N_ELEMENTS (integers)),
                              pick (reals, G_N_ELEMENTS (reals)),
                              pick (texts, G_N_ELEMENTS (texts)),
                              pick (texts, G_N_ELEMENTS (texts)));
      if (i % 100 == 99 || i == n_rows - 1)
        {
          execute_ok (db, sql->str);
          g_string_truncate (sql, 0);
        }
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
}

static GormKeyReader *
open_reader (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  GormKeySource *source;
  GormKeyReader *reader;

  gorm_database_lock (db);
  source = gorm_key_source_new_locked (gorm_database_get_execution (db));
  gorm_database_unlock (db);
  g_assert_nonnull (source);
  reader = gorm_key_reader_open (source, &error);
  g_assert_no_error (error);
  gorm_key_source_free (source);
  return reader;
}

/* An order: @n terms of @names with their directions, then the key. */
typedef struct
{
  guint       n;
  const char *names[4];
  gboolean    text[4];
  gboolean    descending[4];
} Order;

/* Reads the keys of "sorted" in @order with @filter (SQL from WHERE on,
 * or ""; @params bound) both ways with @reader: the engine's ORDER BY
 * and the reader's sort. Asserts they are the same keys, and returns how the
 * reader's sort read them. */
static GormKeyReadWay
assert_same_order (GormKeyReader *reader,
                   const Order   *order,
                   const char    *filter,
                   const GValue  *params,
                   guint          n_params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) sorted_sql = g_string_new ("SELECT \"k\" FROM \"sorted\" ");
  g_autoptr(GString) rows_sql = g_string_new ("SELECT ");
  g_autoptr(GormKeySort) sort = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  GormKeyReadWay way = GORM_KEY_READ_RANKED;

  g_string_append (sorted_sql, filter);
  g_string_append (sorted_sql, " ORDER BY ");
  for (guint i = 0; i < order->n; i++)
    {
      g_string_append_printf (sorted_sql, "\"%s\"%s, ", order->names[i],
                              order->descending[i] ? " DESC" : "");
      /* PostgreSQL sorts NULLs last ascending; the dialect says where. */
      if (test_engine_is_postgresql ())
        g_string_insert (sorted_sql, sorted_sql->len - 2,
                         order->descending[i] ? " NULLS LAST" : " NULLS FIRST");
      g_string_append_printf (rows_sql, "\"%s\", ", order->names[i]);
    }
  g_string_append_printf (sorted_sql, "\"k\"%s", order->descending[order->n] ? " DESC" : "");
  g_string_append_printf (rows_sql, "\"k\" FROM \"sorted\" %s", filter);

  sort = gorm_key_sort_new ("sorted", g_string_free (g_steal_pointer (&rows_sql), FALSE));
  for (guint i = 0; i < order->n; i++)
    gorm_key_sort_add_term (sort, order->names[i], order->text[i], order->descending[i]);
  gorm_key_sort_add_term (sort, "k", FALSE, order->descending[order->n]);

  g_assert_true (gorm_key_reader_read (reader, sorted_sql->str, NULL, NULL, params, n_params,
                                       expected, &way, &error));
  g_assert_no_error (error);
  g_assert_cmpint (way, ==, GORM_KEY_READ_SORTED_SELECT);
  g_assert_true (gorm_key_reader_read (reader, sorted_sql->str, NULL, sort, params, n_params,
                                       keys, &way, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (keys->len, ==, expected->len);
  for (guint i = 0; i < keys->len; i++)
    if (g_array_index (keys, gint64, i) != g_array_index (expected, gint64, i))
      g_error ("%s: key %u is %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " expected",
               sorted_sql->str, i, g_array_index (keys, gint64, i),
               g_array_index (expected, gint64, i));
  /* The server sorts on PostgreSQL. */
  if (test_engine_is_postgresql ())
    g_assert_cmpint (way, ==, GORM_KEY_READ_SORTED_SELECT);
  return way;
}

/* The same with a reader opened for it (after the environment changed). */
static GormKeyReadWay
assert_new_reader_order (GormDatabase *db,
                         const Order  *order)
{
  GormKeyReader *reader = open_reader (db);
  GormKeyReadWay way = assert_same_order (reader, order, "", NULL, 0);

  gorm_key_reader_free (reader);
  return way;
}

static void
random_order (Order *order)
{
  order->n = (guint) g_test_rand_int_range (0, 4);
  for (guint i = 0; i < order->n; i++)
    {
      const Column *column = &columns[g_test_rand_int_range (0, G_N_ELEMENTS (columns))];

      order->names[i] = column->column;
      order->text[i] = column->text;
      order->descending[i] = g_test_rand_bit ();
    }
  order->descending[order->n] = g_test_rand_bit ();
}

/* Random tables, filters and orders: the reader's sort gives the
 * engine's order, and sorts itself whenever the values fit (SQLite). */
static void
test_key_reader_sort_random (void)
{
  static const char *const filters[] = {
    "", "WHERE \"b\" > 0", "WHERE \"t\" IS NOT NULL", "WHERE \"a\" <= 1 OR \"a\" IS NULL",
    "WHERE \"k\" % 3 = 0", "WHERE \"c\" < 2 AND \"u\" >= 'a'", "WHERE \"k\" >= ##p0::gint64",
    "WHERE \"k\" < -6000",
  };
  char *path = NULL;
  GormDatabase *db = test_open_file (&path);
  guint n_sorted_here = 0;
  guint n_reads = 0;

  /* Fewer on PostgreSQL, whose server sorts anyway. */
  guint n_tables = test_engine_is_postgresql () ? 4 : 40;

  for (guint table = 0; table < n_tables; table++)
    {
      guint n_rows = table % 10 == 0 ? (guint) g_test_rand_int_range (0, 3)
                                     : (guint) g_test_rand_int_range (3, 400);
      gboolean wide = table % 3 == 1;
      gboolean mixed = table % 6 == 1;

      GormKeyReader *reader;

      fill_table (db, n_rows, wide, mixed);
      reader = open_reader (db);
      for (guint round = 0; round < 12; round++)
        {
          guint f = (guint) g_test_rand_int_range (0, G_N_ELEMENTS (filters));
          g_auto(GValue) param = G_VALUE_INIT;
          Order order;
          GormKeyReadWay way;
          gboolean reads_a = FALSE;

          random_order (&order);
          g_value_init (&param, G_TYPE_INT64);
          g_value_set_int64 (&param, g_test_rand_int_range (-5000, 5000));
          way = assert_same_order (reader, &order, filters[f], &param,
                                   strstr (filters[f], "##p0") ? 1 : 0);
          n_reads++;
          n_sorted_here += way == GORM_KEY_READ_SORTED_HERE;
          for (guint i = 0; i < order.n; i++)
            reads_a |= g_str_equal (order.names[i], "a");
          /* Only reals beside integers beyond 2^53 are left to the
           * engine. */
          if (!test_engine_is_postgresql () && !(mixed && reads_a))
            g_assert_cmpint (way, ==, GORM_KEY_READ_SORTED_HERE);
        }
      gorm_key_reader_free (reader);
    }
  if (!test_engine_is_postgresql ())
    g_assert_cmpuint (n_sorted_here, >, n_reads / 2);
  else
    g_assert_cmpuint (n_sorted_here, ==, 0);
  g_assert_finalize_object (db);
  test_remove_file (path);
  g_free (path);
}

/* Values that do not fit their term, a column whose collation is not
 * BINARY, or more text than the reader holds: the reader reads the
 * engine's order instead, the same keys. */
static void
test_key_reader_sort_fallbacks (void)
{
  static const struct {
    const char *update;
    const char *column;
    gboolean    text;
    gboolean    sorted_here;
  } cases[] = {
    /* A fitting order, for contrast. */
    { NULL, "t", TRUE, TRUE },
    /* A text in a numeric column. */
    { "UPDATE \"sorted\" SET \"a\" = 'text' WHERE \"k\" % 5 = 0", "a", FALSE, FALSE },
    /* A number in a text column. */
    { "UPDATE \"sorted\" SET \"x\" = 'x'; UPDATE \"sorted\" SET \"x\" = 12 WHERE \"k\" % 5 = 0",
      "x", TRUE, FALSE },
    /* A blob in a text column. */
    { "UPDATE \"sorted\" SET \"x\" = 'x'; UPDATE \"sorted\" SET \"x\" = X'00' WHERE \"k\" % 5 = 0",
      "x", TRUE, FALSE },
    /* Another collation. */
    { "UPDATE \"sorted\" SET \"nc\" = \"t\"", "nc", TRUE, FALSE },
    /* Reals beside integers beyond 2^53. */
    { "UPDATE \"sorted\" SET \"a\" = 0.5 WHERE \"k\" % 5 = 0", "a", FALSE, FALSE },
    /* Integers beyond 2^53 only: they sort as integers. */
    { "UPDATE \"sorted\" SET \"a\" = 9007199254740993 - (\"k\" % 3)", "a", FALSE, TRUE },
  };
  char *path = NULL;
  GormDatabase *db = test_open_file (&path);

  /* PostgreSQL keeps its types: its server sorts anyway. */
  if (test_engine_is_postgresql ())
    {
      Order order = { 1, { "t" }, { TRUE }, { FALSE, FALSE } };

      fill_table (db, 200, FALSE, FALSE);
      assert_new_reader_order (db, &order);
    }
  else
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      for (guint descending = 0; descending < 2; descending++)
        {
          Order order = { 1, { cases[i].column }, { cases[i].text }, { descending, !descending } };
          GormKeyReadWay way;

          fill_table (db, 200, TRUE, FALSE);
          if (cases[i].update != NULL)
            {
              g_auto(GStrv) updates = g_strsplit (cases[i].update, "; ", -1);

              for (guint u = 0; updates[u] != NULL; u++)
                execute_ok (db, updates[u]);
            }
          way = assert_new_reader_order (db, &order);
          g_assert_cmpint (way, ==, cases[i].sorted_here ? GORM_KEY_READ_SORTED_HERE
                                                         : GORM_KEY_READ_SORTED_SELECT);
        }

  /* More text than the reader holds: 200 rows of two texts of 0 to 7
   * bytes each, against a budget of 100 bytes, then 4,000. */
  if (!test_engine_is_postgresql ())
    {
      Order order = { 2, { "t", "u" }, { TRUE, TRUE }, { FALSE, TRUE, FALSE } };

      fill_table (db, 200, FALSE, FALSE);
      g_setenv ("GORM_KEY_SORT_TEXT_BYTES", "100", TRUE);
      g_assert_cmpint (assert_new_reader_order (db, &order), ==,
                       GORM_KEY_READ_SORTED_SELECT);
      g_setenv ("GORM_KEY_SORT_TEXT_BYTES", "4000", TRUE);
      g_assert_cmpint (assert_new_reader_order (db, &order), ==,
                       GORM_KEY_READ_SORTED_HERE);
      g_unsetenv ("GORM_KEY_SORT_TEXT_BYTES");
    }
  g_assert_finalize_object (db);
  test_remove_file (path);
  g_free (path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Gorm/KeyReader/sort-random", test_key_reader_sort_random);
  g_test_add_func ("/Gorm/KeyReader/sort-fallbacks", test_key_reader_sort_fallbacks);
  return g_test_run ();
}
