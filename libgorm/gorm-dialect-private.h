/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib-object.h>

#include "gorm-error.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/*
 * The dialect: everything that differs between SQL databases, and the SQL
 * text libgorm generates. Identifiers always come from a schema and are
 * always quoted; values are always parameters, written in libgda's
 * `##pN::type::null` form (a GBytes value as GdaBinary, the type the
 * connection binds it as) and numbered from 0 in the order they are bound.
 *
 * The one value written into the SQL is NULL: libgda rewrites (and leaks
 * a copy of) every statement executed with a NULL parameter, so the
 * statements that write values take them, and render a NULL value as the
 * literal NULL instead of a parameter. Each shape of NULLs is one cached
 * statement.
 */
typedef struct _GormDialect GormDialect;

struct _GormDialect
{
  const char *name;
  /* The libgda provider name. */
  const char *provider;

  /* Statements run once on every new connection, in order. */
  const char * const *open_statements;

  const char *begin_sql;
  /* How the key of a new row is read back: a statement run after the
   * INSERT, or NULL when the INSERT itself returns it (RETURNING). */
  const char *last_insert_id_sql;

  const char *(*column_type)         (const GormColumn *column);
  const char  *auto_id_column_type;
  /* The storage class (typeof()) a column's values must have, enforced
   * by a CHECK constraint, or NULL where the column type enforces it. */
  const char *(*storage_class)       (const GormColumn *column);

  /* A SELECT listing the column names and declared types of the table
   * bound as ##p0, and one listing the names of its indexes. */
  const char *table_columns_sql;
  const char *table_indexes_sql;
  /* Whether an existing column declared as @declared holds @column's
   * values without changing them. */
  gboolean    (*column_type_fits)    (const GormColumn *column,
                                      const char       *declared);

  /* The GormError code of an error a statement failed with. */
  GormError   (*classify_error)      (const GError     *error);
  /* Part of the message of a ROLLBACK that found no transaction open. */
  const char  *no_transaction_message;
};

const GormDialect *gorm_dialect_sqlite          (void);
const GormDialect *gorm_dialect_for_provider    (const char         *provider);

void     gorm_dialect_append_identifier         (GString            *sql,
                                                 const char         *identifier);
void     gorm_dialect_append_parameter          (GString            *sql,
                                                 guint               number,
                                                 GType               sql_type);

char    *gorm_dialect_render_create_table       (const GormDialect  *dialect,
                                                 const GormSchema   *schema);
GPtrArray *gorm_dialect_render_create_indexes   (const GormDialect  *dialect,
                                                 const GormSchema   *schema);
/* Whether @column gets an index of its own, its name and its statement. */
gboolean gorm_dialect_column_needs_index        (const GormColumn   *column);
char    *gorm_dialect_index_name                (const GormSchema   *schema,
                                                 const GormColumn   *column,
                                                 gboolean            unique);
char    *gorm_dialect_render_index              (const GormSchema   *schema,
                                                 const GormColumn   *column,
                                                 gboolean            unique);
GPtrArray *gorm_dialect_render_add_column       (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GormColumn   *column,
                                                 GError            **error);

char    *gorm_dialect_render_insert             (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GValue       *values);
char    *gorm_dialect_render_update             (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const guint        *columns,
                                                 const GValue       *values,
                                                 guint               n_columns);
char    *gorm_dialect_render_delete             (const GormDialect  *dialect,
                                                 const GormSchema   *schema);
char    *gorm_dialect_render_select_by_key      (const GormDialect  *dialect,
                                                 const GormSchema   *schema);
char    *gorm_dialect_render_savepoint          (const char         *verb,
                                                 guint               depth);

gboolean gorm_dialect_returns_rows              (const char         *sql);
char    *gorm_dialect_rewrite_placeholders      (const char         *sql,
                                                 const GValue       *params,
                                                 guint               n_params,
                                                 GError            **error);

/* Queries */

/* Appends the names of all the columns of @schema, in schema order (the
 * order gorm_dialect_render_select_by_key() selects them in). */
void     gorm_dialect_append_columns            (GString            *sql,
                                                 const GormSchema   *schema);
/* Appends a condition that is always true or always false. */
void     gorm_dialect_append_boolean            (const GormDialect  *dialect,
                                                 GString            *sql,
                                                 gboolean            value);
/* Appends " LIMIT … OFFSET …" for @limit (-1: none) and @offset (0:
 * none) as gint64 parameters, numbered from params->len and appended to
 * @params, so that every page of a query is one cached statement. */
void     gorm_dialect_append_limit              (const GormDialect  *dialect,
                                                 GString            *sql,
                                                 GArray             *params,
                                                 gint64              limit,
                                                 gint64              offset);

G_END_DECLS
