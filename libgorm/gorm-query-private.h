/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-dialect-private.h"
#include "gorm-query.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/*
 * A query checked against its type's schema: what GormQueryModel and the
 * runners render their SQL from. Property names are resolved to columns
 * and filter values converted to SQL values at compile time, so every
 * error (unknown property, wrong value type) is reported before any SQL.
 */

typedef struct _GormCompiledQuery GormCompiledQuery;

struct _GormCompiledQuery
{
  const GormSchema  *schema;
  const GormDialect *dialect;
  /* The ORDER BY terms; the last is always the primary key, so the order
   * is total and pages never overlap. */
  GArray            *orders;   /* of GormOrder */
  /* -1 when the query has no limit. */
  gint64             limit;
  gint64             offset;

  /* The condition of the filters, already checked against the schema;
   * NULL when the query has none. */
  GormCondition     *filter;
};

GormCompiledQuery *gorm_query_compile                (GormQuery                *self,
                                                      GError                  **error);
void               gorm_compiled_query_free          (GormCompiledQuery        *compiled);
/* What @compiled selects, borrowing from it, as the dialect takes it. */
GormSelection      gorm_compiled_query_get_selection (const GormCompiledQuery  *compiled);

/* Appends " WHERE condition" (nothing when the query has no filter),
 * numbering its parameters from params->len and appending their SQL
 * values to @params (an array of GValue with a clear func). Columns are
 * written unqualified. */
void               gorm_compiled_query_append_where  (const GormCompiledQuery  *compiled,
                                                      GString                  *sql,
                                                      GArray                   *params);
/* Appends " ORDER BY …" of the compiled orders. */
void               gorm_compiled_query_append_order  (const GormCompiledQuery  *compiled,
                                                      GString                  *sql);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormCompiledQuery, gorm_compiled_query_free)

/* Implemented by gorm-query-model.c. The model takes @compiled. */
GListModel        *gorm_query_model_new              (GormDatabase             *database,
                                                      GormCompiledQuery        *compiled,
                                                      gboolean                  live,
                                                      GCancellable             *cancellable,
                                                      GError                  **error);

/* A live model follows the writes its database announces (see
 * gorm_database_begin_change_locked()): it works out where the changed
 * rows were and are in its order, and queues one items-changed, emitted
 * by gorm_query_model_flush() once the database is unlocked. */
GType              gorm_query_model_get_resource_type (GormQueryModel          *self);
void               gorm_query_model_begin_change_locked (GormQueryModel        *self,
                                                      const GValue             *keys,
                                                      guint                     n_keys);
void               gorm_query_model_end_change_locked (GormQueryModel          *self,
                                                      const GValue             *keys,
                                                      guint                     n_keys,
                                                      gboolean                  deleted);
void               gorm_query_model_reset_locked     (GormQueryModel           *self);
void               gorm_query_model_flush            (GormQueryModel           *self);

G_END_DECLS
