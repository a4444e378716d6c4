/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-connection-private.h"
#include "gorm-dialect-private.h"

G_BEGIN_DECLS

/*
 * The catalog: what a database has, read from the engine's own catalog
 * (SQLite's pragmas, PostgreSQL's pg_catalog), in one form for both
 * engines. What a migration compares the schemas of resource types with,
 * and what gorm-inspect prints. It knows nothing of resource types.
 *
 * Called with the connection's lock held (gorm-connection-private.h).
 */

typedef struct
{
  char     *name;
  /* As the engine declares it: "INTEGER", "TEXT", "bigint",
   * "character varying(200)", "timestamp with time zone", … */
  char     *type;
  gboolean  not_null;
  /* The SQL text of the default, NULL when the column has none. */
  char     *default_sql;
  gboolean  primary_key;
} GormCatalogColumn;

typedef struct
{
  char     *name;
  gboolean  unique;
  /* The index of the primary key (PostgreSQL's, SQLite's of a key that
   * is not the rowid). */
  gboolean  primary;
  /* Made by a UNIQUE or PRIMARY KEY in the table's definition rather
   * than by CREATE INDEX. */
  gboolean  implicit;
  /* The indexed columns, in the index's order; NULL-terminated. An index
   * on expressions has NULL names (SQLite) or none (PostgreSQL): such an
   * index has no columns here. */
  GStrv     columns;
} GormCatalogIndex;

typedef struct
{
  char         *column;
  char         *target_table;
  char         *target_column;
  /* "CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT" or "NO ACTION". */
  const char   *on_delete;
  /* The constraint's name; NULL where constraints have none (SQLite). */
  char         *name;
} GormCatalogForeignKey;

typedef struct
{
  char      *name;
  GPtrArray *columns;        /* of GormCatalogColumn, in table order */
  GPtrArray *indexes;        /* of GormCatalogIndex, by name */
  GPtrArray *foreign_keys;   /* of GormCatalogForeignKey, by column */
} GormCatalogTable;

/* The names of the database's tables (its own: not SQLite's internal
 * tables, not PostgreSQL's system schemas), sorted. */
GStrv              gorm_catalog_read_table_names_locked (GormConnection     *connection,
                                                         const GormDialect  *dialect,
                                                         GError            **error);
/* The table @name, NULL with no error set when there is none. */
GormCatalogTable  *gorm_catalog_read_table_locked       (GormConnection     *connection,
                                                         const GormDialect  *dialect,
                                                         const char         *name,
                                                         GError            **error);
void               gorm_catalog_table_free              (GormCatalogTable   *table);
const GormCatalogColumn *gorm_catalog_table_find_column (const GormCatalogTable *table,
                                                         const char             *name);
/* The index called @name. */
const GormCatalogIndex *gorm_catalog_table_find_index   (const GormCatalogTable *table,
                                                         const char             *name);
/* The unique index, not the primary key's, on @column alone. */
const GormCatalogIndex *gorm_catalog_table_find_unique_on (const GormCatalogTable *table,
                                                           const char             *column);
/* The foreign key of @column. */
const GormCatalogForeignKey *gorm_catalog_table_find_foreign_key (const GormCatalogTable *table,
                                                                  const char             *column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormCatalogTable, gorm_catalog_table_free)

G_END_DECLS
