/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gorm-dialect-private.h"
#include "gorm-error.h"

/* SQLite: what libgorm sets on every connection, how it declares columns
 * and how it reads SQLite's errors. */

static const char * const sqlite_open_statements[] = {
  /* WAL lets readers run beside one writer; NORMAL is durable in WAL mode
   * except for the last transactions before a power loss. */
  "PRAGMA journal_mode=WAL",
  "PRAGMA synchronous=NORMAL",
  "PRAGMA foreign_keys=ON",
  "PRAGMA busy_timeout=5000",
  /* LIKE is case-sensitive, as in PostgreSQL, and can use indexes. */
  "PRAGMA case_sensitive_like=ON",
  /* A transaction's changed pages may fill 2,000 pages (8 MB of 4 KiB)
   * before SQLite writes them into the file ahead of its commit, each such
   * spill syncing the journal first in DELETE mode: deleting 10,000 of
   * 20,000 rows spilled nine times, half the time of the DELETE. The
   * cache of read pages keeps SQLite's 2 MiB: a larger one made reads
   * slower (the pages of a fetch allocated anew instead of reused). Not
   * 2048: SQLite also reads the number as a boolean, through its low
   * byte, and 2048 turns spilling off altogether. What it costs: once a
   * transaction has changed more pages than the cache holds (500), each
   * page it only reads is dropped as soon as it is released, and read
   * again from the file the next time (a foreign key's parent table, the
   * upper pages of a B-tree): the workload's update reads 29,980 pages
   * (1,669 without the setting) and its bulk_create 20,598 (2,905),
   * costing a quarter of the update's CPU time and a tenth to a fifth of
   * bulk_create's (measured under load). An 8 MiB cache would spare
   * both without spills, but makes fetches slower (see above). */
  "PRAGMA cache_spill=2000",
  NULL
};

/* mode=ro: the journal mode stays as the file has it (changing it is a
 * write), and query_only makes SQLite refuse every write with
 * SQLITE_READONLY, "attempt to write a readonly database". */
static const char * const sqlite_read_only_open_statements[] = {
  "PRAGMA query_only=ON",
  "PRAGMA foreign_keys=ON",
  "PRAGMA busy_timeout=5000",
  "PRAGMA case_sensitive_like=ON",
  NULL
};

static const char *
sqlite_column_type (const GormColumn *column)
{
  switch (column->kind)
    {
    case GORM_VALUE_KIND_BOOLEAN:
      return "BOOLEAN";
    case GORM_VALUE_KIND_INT:
    case GORM_VALUE_KIND_UINT:
    case GORM_VALUE_KIND_FLAGS:
      return "INTEGER";
    case GORM_VALUE_KIND_DOUBLE:
      return "REAL";
    case GORM_VALUE_KIND_DATE_TIME:
      return "DATETIME";
    case GORM_VALUE_KIND_BYTES:
      return "BLOB";
    case GORM_VALUE_KIND_ENUM:
    case GORM_VALUE_KIND_STRV:
      return "TEXT";
    case GORM_VALUE_KIND_STRING:
      if (column->max_length == 0)
        return "TEXT";
      break;
    default:
      g_assert_not_reached ();
    }

  /* VARCHAR(n) has TEXT affinity in SQLite; it documents the limit for
   * other tools. */
  return gorm_dialect_sized_type ("VARCHAR", column->max_length);
}

static const char *
sqlite_storage_class (const GormColumn *column)
{
  switch (column->kind)
    {
    case GORM_VALUE_KIND_BOOLEAN:
    case GORM_VALUE_KIND_INT:
    case GORM_VALUE_KIND_UINT:
    case GORM_VALUE_KIND_FLAGS:
      return "integer";
    case GORM_VALUE_KIND_DOUBLE:
      /* REAL affinity turns integers into reals as they are stored. */
      return "real";
    case GORM_VALUE_KIND_STRING:
    case GORM_VALUE_KIND_ENUM:
    case GORM_VALUE_KIND_DATE_TIME:
    case GORM_VALUE_KIND_STRV:
      return "text";
    case GORM_VALUE_KIND_BYTES:
      return "blob";
    default:
      g_assert_not_reached ();
    }
}

typedef enum {
  AFFINITY_INTEGER,
  AFFINITY_TEXT,
  AFFINITY_BLOB,
  AFFINITY_REAL,
  AFFINITY_NUMERIC,
} Affinity;

/* SQLite's rules for the affinity of a declared column type, in order
 * (https://www.sqlite.org/datatype3.html, 3.1). */
static Affinity
affinity_of (const char *declared)
{
  g_autofree char *upper = g_ascii_strup (declared, -1);

  if (strstr (upper, "INT") != NULL)
    return AFFINITY_INTEGER;
  if (strstr (upper, "CHAR") != NULL || strstr (upper, "CLOB") != NULL ||
      strstr (upper, "TEXT") != NULL)
    return AFFINITY_TEXT;
  if (strstr (upper, "BLOB") != NULL || *upper == '\0')
    return AFFINITY_BLOB;
  if (strstr (upper, "REAL") != NULL || strstr (upper, "FLOA") != NULL ||
      strstr (upper, "DOUB") != NULL)
    return AFFINITY_REAL;
  return AFFINITY_NUMERIC;
}

static gboolean
sqlite_column_type_fits (const GormColumn *column,
                         const char       *declared)
{
  Affinity affinity = affinity_of (declared);

  /* The automatic id is the rowid: only INTEGER PRIMARY KEY is that. */
  if (column->flags & GORM_COLUMN_AUTO_ID)
    return affinity == AFFINITY_INTEGER;

  switch (column->kind)
    {
    case GORM_VALUE_KIND_BOOLEAN:
    case GORM_VALUE_KIND_INT:
    case GORM_VALUE_KIND_UINT:
    case GORM_VALUE_KIND_FLAGS:
      return affinity == AFFINITY_INTEGER || affinity == AFFINITY_NUMERIC;
    case GORM_VALUE_KIND_DOUBLE:
      return affinity == AFFINITY_REAL || affinity == AFFINITY_NUMERIC ||
             affinity == AFFINITY_INTEGER;
    case GORM_VALUE_KIND_STRING:
    case GORM_VALUE_KIND_ENUM:
    case GORM_VALUE_KIND_STRV:
      /* Numeric affinities turn text such as '00123' into numbers. */
      return affinity == AFFINITY_TEXT || affinity == AFFINITY_BLOB;
    case GORM_VALUE_KIND_DATE_TIME:
      return affinity == AFFINITY_TEXT || affinity == AFFINITY_BLOB ||
             affinity == AFFINITY_NUMERIC;
    case GORM_VALUE_KIND_BYTES:
      return affinity == AFFINITY_BLOB || affinity == AFFINITY_TEXT;
    default:
      g_assert_not_reached ();
    }
}

/* BOOLEAN and DATETIME are libgorm's own declarations (NUMERIC affinity
 * both); any other type by its affinity, VARCHAR(n) with its length. */
static GormStoredClass
sqlite_stored_class (const char *declared,
                     guint      *max_length)
{
  const char *open = strchr (declared, '(');

  *max_length = 0;
  if (g_ascii_strcasecmp (declared, "BOOLEAN") == 0)
    return GORM_STORED_BOOLEAN;
  if (g_ascii_strcasecmp (declared, "DATETIME") == 0)
    return GORM_STORED_DATE_TIME;
  switch (affinity_of (declared))
    {
    case AFFINITY_INTEGER:
      return GORM_STORED_INTEGER;
    case AFFINITY_TEXT:
      if (open != NULL)
        *max_length = (guint) g_ascii_strtoull (open + 1, NULL, 10);
      return GORM_STORED_TEXT;
    case AFFINITY_BLOB:
      return GORM_STORED_BYTES;
    case AFFINITY_REAL:
      return GORM_STORED_DOUBLE;
    case AFFINITY_NUMERIC:
    default:
      return GORM_STORED_NUMERIC;
    }
}

static GormError
sqlite_classify_error (const GError *error,
                       const char   *sqlstate)
{
  const char *message = error->message;

  if (strstr (message, "constraint failed") != NULL)
    return GORM_ERROR_CONSTRAINT;
  if (strstr (message, "database is locked") != NULL ||
      strstr (message, "database is busy") != NULL ||
      strstr (message, "database table is locked") != NULL)
    return GORM_ERROR_BUSY;
  if (strstr (message, "database or disk is full") != NULL)
    return GORM_ERROR_FULL;
  if (strstr (message, "readonly database") != NULL ||
      strstr (message, "read-only") != NULL)
    return GORM_ERROR_READ_ONLY;
  if (strstr (message, "malformed") != NULL ||
      strstr (message, "file is not a database") != NULL ||
      strstr (message, "file is encrypted") != NULL)
    return GORM_ERROR_CORRUPT;
  return GORM_ERROR_FAILED;
}

static void
append_json_string (GString    *json,
                    const char *text,
                    gsize       length)
{
  g_string_append_c (json, '"');
  for (gsize i = 0; i < length; i++)
    {
      guchar c = text[i];

      if (c == '"' || c == '\\')
        {
          g_string_append_c (json, '\\');
          g_string_append_c (json, c);
        }
      else if (c < 0x20)
        g_string_append_printf (json, "\\u%04x", c);
      else
        g_string_append_c (json, c);
    }
  g_string_append_c (json, '"');
}

static void
append_json_hex (GString      *json,
                 const guint8 *data,
                 gsize         size)
{
  static const char digits[] = "0123456789ABCDEF";

  g_string_append_c (json, '"');
  for (gsize i = 0; i < size; i++)
    {
      g_string_append_c (json, digits[data[i] >> 4]);
      g_string_append_c (json, digits[data[i] & 0xf]);
    }
  g_string_append_c (json, '"');
}

static void
append_json_value (GString      *json,
                   const GValue *value)
{
  if (G_VALUE_HOLDS_INT64 (value))
    g_string_append_printf (json, "%" G_GINT64_FORMAT, g_value_get_int64 (value));
  else if (G_VALUE_HOLDS_DOUBLE (value))
    {
      double number = g_value_get_double (value);
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      /* JSON has no infinities; SQLite reads a number beyond the range
       * of a double as one. */
      if (isinf (number))
        g_string_append (json, number > 0 ? "9e999" : "-9e999");
      else
        g_string_append (json, g_ascii_dtostr (buffer, sizeof buffer, number));
    }
  else if (G_VALUE_HOLDS_STRING (value))
    {
      const char *text = g_value_get_string (value);

      append_json_string (json, text, strlen (text));
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_BYTES))
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (g_value_get_boxed (value), &size);

      append_json_hex (json, data, size);
    }
  else
    g_assert_not_reached ();
}

/* A long IN list is one JSON array, bound as one text parameter and read
 * back by json_each(), whose values keep their SQLite types: integers
 * (64-bit exact), reals and text compare with the column as the values
 * themselves would, and the column's index still serves the IN. JSON has
 * no blobs, and json_each() ends a text at an escaped NUL byte, so blobs
 * travel as hexadecimal text, compared with hex() of the column where it
 * is not NULL (hex() of NULL is the empty text, an empty blob's). */
static void
sqlite_append_value_set (GString          *sql,
                         GArray           *params,
                         const GormColumn *column,
                         const GValue     *values,
                         guint             n_values,
                         gboolean          negated)
{
  gboolean hex = column->kind == GORM_VALUE_KIND_BYTES;
  GString *json = g_string_sized_new (2 + (gsize) n_values * 8);
  GValue parameter = G_VALUE_INIT;

  g_string_append_c (json, '[');
  for (guint i = 0; i < n_values; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      append_json_value (json, &values[i]);
    }
  g_string_append_c (json, ']');

  if (hex)
    {
      g_string_append (sql, "(CASE WHEN ");
      gorm_dialect_append_identifier (sql, column->name);
      g_string_append (sql, " IS NULL THEN NULL ELSE hex(");
      gorm_dialect_append_identifier (sql, column->name);
      g_string_append (sql, ") END)");
    }
  else
    gorm_dialect_append_identifier (sql, column->name);
  g_string_append (sql, negated ? " NOT IN " : " IN ");
  g_string_append (sql, "(SELECT \"value\" FROM json_each(");
  gorm_dialect_append_parameter (sql, params->len, G_TYPE_STRING);
  g_string_append (sql, "))");

  g_value_init (&parameter, G_TYPE_STRING);
  g_value_take_string (&parameter, g_string_free (json, FALSE));
  g_array_append_val (params, parameter);
}

/* Date-times are stored as text, "2024-03-05T13:03:02.123456Z", which
 * strftime() reads (in UTC, as it is written). */
static void
sqlite_append_date_part (GString      *sql,
                         GormDatePart  part,
                         const char   *operand)
{
  static const char * const formats[] = {
    [GORM_DATE_PART_YEAR] = "%Y",
    [GORM_DATE_PART_MONTH] = "%m",
    [GORM_DATE_PART_DAY] = "%d",
    [GORM_DATE_PART_WEEK_DAY] = "%w",
    [GORM_DATE_PART_HOUR] = "%H",
    [GORM_DATE_PART_MINUTE] = "%M",
    [GORM_DATE_PART_SECOND] = "%S",
  };

  if (part == GORM_DATE_PART_DATE)
    {
      /* The text libgorm writes for 00:00 UTC of that day. */
      g_string_append_printf (sql, "strftime('%%Y-%%m-%%dT00:00:00.000000Z', %s)", operand);
      return;
    }
  g_assert (part < G_N_ELEMENTS (formats));
  g_string_append_printf (sql, "CAST(strftime('%s', %s) AS INTEGER)", formats[part], operand);
  /* strftime counts days of the week from 0, Sunday; Django from 1. */
  if (part == GORM_DATE_PART_WEEK_DAY)
    g_string_append (sql, " + 1");
}

/* EXPLAIN QUERY PLAN's rows: id, parent, notused, detail. */
static const GType sqlite_explain_types[] = {
  G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_NONE
};

/* "USE TEMP B-TREE FOR ORDER BY", or "… FOR RIGHT PART OF ORDER BY"
 * ("… FOR LAST n TERMS OF ORDER BY" in later versions) when the index
 * SQLite chose gives the first terms only; a temporary B-tree for a
 * GROUP BY or a DISTINCT is not the order's. */
static gboolean
sqlite_plan_step_sorts (const char *step)
{
  return g_str_has_prefix (step, "USE TEMP B-TREE FOR ") && g_str_has_suffix (step, "ORDER BY");
}

static const GormDialect sqlite_dialect = {
  .name = "sqlite",
  .provider = "SQLite",
  .open_statements = sqlite_open_statements,
  .read_only_open_statements = sqlite_read_only_open_statements,
  /* IMMEDIATE takes the write lock at once, so a transaction never fails
   * half-way when it upgrades from reading to writing. */
  .begin_sql = "BEGIN IMMEDIATE",
  .last_insert_id_sql = "SELECT last_insert_rowid()",
  /* SQLITE_MAX_VARIABLE_NUMBER of SQLite 3.32 and later. */
  .max_parameters = 32766,
  /* A multi-row INSERT numbers its rows consecutively under the write
   * lock: last_insert_id_sql reads the last. */
  .reserve_ids_sql = NULL,
  .column_type = sqlite_column_type,
  .auto_id_column_type = "INTEGER PRIMARY KEY AUTOINCREMENT",
  .storage_class = sqlite_storage_class,
  .row_statements = (const char * const[]) { "PRAGMA", "EXPLAIN", NULL },
  .catalog_tables_sql = "SELECT \"name\" FROM \"sqlite_master\" WHERE \"type\" = 'table' "
                        "AND substr(\"name\", 1, 7) <> 'sqlite_' ORDER BY \"name\"",
  .catalog_columns_sql = "SELECT \"name\", \"type\", \"notnull\", \"dflt_value\", \"pk\" > 0 "
                         "FROM pragma_table_info(##p0::gchararray) ORDER BY \"cid\"",
  .catalog_indexes_sql = "SELECT il.\"name\", il.\"unique\", il.\"origin\" = 'pk', il.\"origin\" <> 'c', "
                         "ii.\"name\" FROM pragma_index_list(##p0::gchararray) AS il, "
                         "pragma_index_info(il.\"name\") AS ii ORDER BY il.\"name\", ii.\"seqno\"",
  .catalog_foreign_keys_sql = "SELECT \"from\", \"table\", \"to\", \"on_delete\", NULL "
                              "FROM pragma_foreign_key_list(##p0::gchararray) ORDER BY \"from\"",
  .column_type_fits = sqlite_column_type_fits,
  .classify_error = sqlite_classify_error,
  /* Beyond a few dozen parameters, libgda's cost per parameter grows
   * with their number (16,000 took 105 s); SQLite allows 32,766. */
  .max_listed_values = 32,
  .append_value_set = sqlite_append_value_set,
  /* What ROLLBACK answers when SQLite already rolled back by itself, as
   * it does when COMMIT fails with a full disk. */
  .no_transaction_message = "no transaction is active",
  .same_as_operator = "IS",
  .orders_nulls = FALSE,
  .joins_keep_order = TRUE,
  .page_rows = 100,
  .explain_prefix = "EXPLAIN QUERY PLAN ",
  .explain_types = sqlite_explain_types,
  .explain_step_column = 3,
  .plan_step_sorts = sqlite_plan_step_sorts,
  /* Changes when another connection, in this process or another one,
   * commits; this connection's own commits leave it alone. */
  .change_counter_sql = "PRAGMA data_version",
  .database_file_sql = "SELECT \"file\" FROM pragma_database_list WHERE \"name\" = 'main'",
  .append_date_part = sqlite_append_date_part,
  .rebuilds_tables = TRUE,
  .stored_class = sqlite_stored_class,
  .triggers_sql = "SELECT \"sql\" FROM \"sqlite_master\" WHERE \"type\" = 'trigger' "
                  "AND \"tbl_name\" = ##p0::gchararray AND \"sql\" IS NOT NULL",
  /* The text an integer (a double) is written as converts back to it:
   * no sign, space, leading zero or exponent that the number would not
   * be written with. JSON's grammar of numbers is that of a double's
   * text without "+", ".5" or "1.". */
  .text_is_integer = "CAST(CAST(%1$s AS INTEGER) AS TEXT) = %1$s",
  .text_is_double = "(json_valid(%1$s) AND json_type(%1$s) IN ('integer', 'real') "
                    "AND trim(%1$s) = %1$s)",
  .double_is_integer = "(%1$s >= -9223372036854775808.0 AND %1$s < 9223372036854775808.0 "
                       "AND %1$s = CAST(%1$s AS INTEGER))",
  .to_integer = "CAST(%s AS INTEGER)",
  .to_double = "CAST(%s AS REAL)",
  .boolean_to_integer = "%s",
  .integer_to_boolean = "%s",
};

const GormDialect *
gorm_dialect_sqlite (void)
{
  return &sqlite_dialect;
}
