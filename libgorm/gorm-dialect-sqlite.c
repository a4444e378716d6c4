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
  .table_columns_sql = "SELECT \"name\" FROM pragma_table_info(##p0::gchararray)",
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
