/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

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
  NULL
};

static const char *
sqlite_column_type (const GormColumn *column)
{
  static GHashTable *varchar_types;
  static GMutex lock;
  const char *type;

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
   * other tools. The strings live as long as the process, like the schema. */
  g_mutex_lock (&lock);
  if (varchar_types == NULL)
    varchar_types = g_hash_table_new (NULL, NULL);
  type = g_hash_table_lookup (varchar_types, GUINT_TO_POINTER (column->max_length));
  if (type == NULL)
    {
      type = g_strdup_printf ("VARCHAR(%u)", column->max_length);
      g_hash_table_insert (varchar_types, GUINT_TO_POINTER (column->max_length), (gpointer) type);
    }
  g_mutex_unlock (&lock);

  return type;
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

static GormError
sqlite_classify_error (const GError *error)
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

static const GormDialect sqlite_dialect = {
  .name = "sqlite",
  .provider = "SQLite",
  .open_statements = sqlite_open_statements,
  /* IMMEDIATE takes the write lock at once, so a transaction never fails
   * half-way when it upgrades from reading to writing. */
  .begin_sql = "BEGIN IMMEDIATE",
  .last_insert_id_sql = "SELECT last_insert_rowid()",
  .column_type = sqlite_column_type,
  .auto_id_column_type = "INTEGER PRIMARY KEY AUTOINCREMENT",
  .storage_class = sqlite_storage_class,
  .table_columns_sql = "SELECT \"name\", \"type\" FROM pragma_table_info(##p0::gchararray)",
  .table_indexes_sql = "SELECT \"name\" FROM pragma_index_list(##p0::gchararray)",
  .column_type_fits = sqlite_column_type_fits,
  .classify_error = sqlite_classify_error,
  /* What ROLLBACK answers when SQLite already rolled back by itself, as
   * it does when COMMIT fails with a full disk. */
  .no_transaction_message = "no transaction is active",
};

const GormDialect *
gorm_dialect_sqlite (void)
{
  return &sqlite_dialect;
}
