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

  /* select_related: the tables a page joins (NULL without), and the SQL
   * types of a joined row, ending with G_TYPE_NONE. */
  GArray            *joins;    /* of GormJoin */
  GType             *joined_types;
  /* prefetch_related: the relations loaded with each page (NULL without). */
  GPtrArray         *prefetches;   /* of const GormRelation */
};

/* ANDs @condition (taken) to the query's filters: the relation of a
 * gorm_resource_query_related() query. */
void               gorm_query_restrict               (GormQuery                *self,
                                                      GormCondition            *condition);
/* Makes every runner of the query fail with @error (taken), unless an
 * earlier mistake was recorded. */
void               gorm_query_poison                 (GormQuery                *self,
                                                      GError                   *error);

GormCompiledQuery *gorm_query_compile                (GormQuery                *self,
                                                      GError                  **error);
void               gorm_compiled_query_free          (GormCompiledQuery        *compiled);
/* What @compiled selects, borrowing from it, as the dialect takes it. */
GormSelection      gorm_compiled_query_get_selection (const GormCompiledQuery  *compiled);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormCompiledQuery, gorm_compiled_query_free)

/* select_related and prefetch_related, for the pages of a model, with
 * the database lock held: gives @item, the object of row @row of @rows
 * (a row of the joined select), the objects its joined columns hold; and
 * loads the prefetched relations of @items, one statement each. What they
 * load is added to @keep, which the page holds: objects refer to their
 * related objects weakly. */
gboolean           gorm_compiled_query_attach_joined_locked (const GormCompiledQuery *compiled,
                                                             GormDatabase            *database,
                                                             GormRows                *rows,
                                                             gint                     row,
                                                             gpointer                 item,
                                                             GPtrArray               *keep,
                                                             GError                 **error);
gboolean           gorm_compiled_query_prefetch_locked      (const GormCompiledQuery *compiled,
                                                             GormDatabase            *database,
                                                             GPtrArray               *items,
                                                             GPtrArray               *keep,
                                                             GError                 **error);

/* Implemented by gorm-query-model.c. The model takes @compiled. With
 * @defer_objects (a model made on the worker thread), a snapshot read
 * in one statement keeps its rows, whose objects
 * gorm_query_model_take_objects() then builds in the caller's thread. */
GListModel        *gorm_query_model_new              (GormDatabase             *database,
                                                      GormCompiledQuery        *compiled,
                                                      gboolean                  live,
                                                      gboolean                  defer_objects,
                                                      GCancellable             *cancellable,
                                                      GError                  **error);
/* Builds the objects of the rows a model made with @defer_objects kept,
 * if any. FALSE with @error set on failure. */
gboolean           gorm_query_model_take_objects     (GormQueryModel          *self,
                                                      GError                 **error);

/* The related objects and prefetched lists the page holding @position
 * loaded (select_related, prefetch_related), a new reference to the
 * page's array; NULL when none. */
GPtrArray         *gorm_query_model_dup_related      (GormQueryModel          *self,
                                                      guint                    position);

/* How many times a live model read what it shows again because another
 * connection committed (gorm_change_feed_publish_foreign()), for tests. */
guint              gorm_query_model_get_n_refreshes (GormQueryModel        *self);
/* Whether the model loads its pages by its key index, and whether it is
 * preparing it (see gorm-query-model.c), for tests and benchmarks. */
gboolean           gorm_query_model_has_key_index   (GormQueryModel        *self);
gboolean           gorm_query_model_is_preparing    (GormQueryModel        *self);
/* Whether the model loads a far page from the anchors it places: its
 * order compares as a row and, for a model large enough for its key
 * index, the engine's plan of a page does not sort (an index gives the
 * order), for tests. */
gboolean           gorm_query_model_places_anchors  (GormQueryModel        *self);
/* How many pages the model loaded by a sort of their keys (an order it
 * cannot anchor, before its key index is ready), for tests. */
guint              gorm_query_model_get_n_sorted_key_pages (GormQueryModel *self);
/* How many times the model read its key index sorted by the ranks of a
 * related path's targets (gorm_dialect_render_key_ranks()), for tests. */
guint              gorm_query_model_get_n_ranked_key_reads (GormQueryModel *self);
/* How many times the model read its key index unsorted and sorted it in
 * the reader (an order by columns of the table on SQLite, see
 * GormKeySort), for tests. */
guint              gorm_query_model_get_n_sorted_key_reads (GormQueryModel *self);
/* How many positions of written rows a live model found by counting
 * rows (the position query) rather than from its key index, for tests
 * and benchmarks. */
guint              gorm_query_model_get_n_counted_positions (GormQueryModel *self);
/* How many placement statements a live model's writers ran to find where
 * written rows go in its key index, and how many keys each compares a
 * row with, for tests and benchmarks. */
guint              gorm_query_model_get_n_placements (GormQueryModel *self);
guint              gorm_query_model_get_placement_probes (void);
/* Whether the model's writers have a copy of its key index (they then
 * count no position), for tests. */
gboolean           gorm_query_model_shares_key_index (GormQueryModel *self);
/* For tests: the models made from now on prepare their key index from
 * @rows rows (0: never; -1: the default again). Main thread only. */
void               gorm_query_model_set_key_index_min_rows (gint64 rows);
/* For tests: the snapshots made from now on read at most @rows rows in
 * one statement (0: only those whose limit fits in a page; -1: the
 * default again). Main thread only. */
void               gorm_query_model_set_whole_max_rows (gint64 rows);
/* The rows the model reads per query (its dialect's page_rows). */
guint              gorm_query_model_get_page_rows   (GormQueryModel        *self);

/* A live model subscribes to its database's change feed (see
 * gorm-change-feed-private.h) and is given the committed changes of rows
 * of its type in the main context. */
GType              gorm_query_model_get_resource_type (GormQueryModel          *self);

G_END_DECLS
