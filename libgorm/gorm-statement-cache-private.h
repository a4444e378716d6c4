/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>
#include <libgda/libgda.h>

#include "gorm-dialect-private.h"

G_BEGIN_DECLS

/*
 * The statement layer: SQL text parsed once per database into a
 * GdaStatement and its parameter holders, kept in a cache keyed by the
 * text. Only this module runs statements on a GdaConnection. Statements are
 * parsed in GDA_SQL_PARSER_MODE_DELIMIT, so libgda never interprets them:
 * BEGIN, COMMIT and SAVEPOINT stay invisible to its transaction tracking,
 * whose per-statement bookkeeping grows without bound (LIBGDA.md).
 *
 * The caller holds the database lock around binding, running and reading
 * a statement.
 */

typedef struct _GormStatement GormStatement;
typedef struct _GormStatementCache GormStatementCache;

/* Called with the SQL text of every statement run, for logging and tests. */
typedef void (*GormTraceFunc) (const char *sql,
                               gpointer    user_data);

GormStatementCache *gorm_statement_cache_new        (GdaConnection       *connection,
                                                     const GormDialect   *dialect);
void                gorm_statement_cache_free       (GormStatementCache  *cache);
void                gorm_statement_cache_set_trace  (GormStatementCache  *cache,
                                                     GormTraceFunc        func,
                                                     gpointer             user_data);
guint               gorm_statement_cache_get_size   (GormStatementCache  *cache);

GormStatement      *gorm_statement_cache_lookup     (GormStatementCache  *cache,
                                                     const char          *sql,
                                                     GError             **error);

guint               gorm_statement_get_n_params     (GormStatement       *statement);
const char         *gorm_statement_get_sql          (GormStatement       *statement);
void                gorm_statement_take_param       (GormStatement       *statement,
                                                     guint                number,
                                                     GValue              *value);

void                gorm_statement_take_params      (GormStatement       *statement,
                                                     GValue              *values,
                                                     guint                n_values);
gint64              gorm_statement_execute          (GormStatementCache  *cache,
                                                     GormStatement       *statement,
                                                     GError             **error);
GdaDataModel       *gorm_statement_execute_select   (GormStatementCache  *cache,
                                                     GormStatement       *statement,
                                                     const GType         *column_types,
                                                     GError             **error);
gboolean            gorm_statement_cache_run        (GormStatementCache  *cache,
                                                     const char          *sql,
                                                     GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormStatementCache, gorm_statement_cache_free)

/* libgda 5 declares no g_autoptr() cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdaConnection, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdaDataModel, g_object_unref)

G_END_DECLS
