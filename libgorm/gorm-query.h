/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gorm-filter.h"
#include "gorm-row.h"
#include "gorm-types.h"
#include "gorm-version.h"

G_BEGIN_DECLS

#define GORM_TYPE_QUERY (gorm_query_get_type ())

GORM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GormQuery, gorm_query, GORM, QUERY, GObject)

GORM_AVAILABLE_IN_ALL
GormDatabase *gorm_query_get_database   (GormQuery     *self);
GORM_AVAILABLE_IN_ALL
GType         gorm_query_get_item_type  (GormQuery     *self);

GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_filter         (GormQuery     *self,
                                         GormFilter    *filter);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_order_by       (GormQuery     *self,
                                         const char    *property,
                                         gboolean       descending);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_order_by_expression (GormQuery      *self,
                                              GormExpression *expression,
                                              gboolean        descending);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_limit          (GormQuery     *self,
                                         guint          limit);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_select_related (GormQuery     *self,
                                         const char    *relation);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_prefetch_related (GormQuery   *self,
                                           const char  *relation);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_offset         (GormQuery     *self,
                                         guint          offset);

GORM_AVAILABLE_IN_ALL
GListModel   *gorm_query_fetch          (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GListModel   *gorm_query_watch          (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
gpointer      gorm_query_first          (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
gint64        gorm_query_count          (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_query_exists         (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
gint64        gorm_query_delete         (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
gint64        gorm_query_update         (GormQuery     *self,
                                         const char    *property,
                                         const GValue  *value,
                                         GCancellable  *cancellable,
                                         GError       **error);

GORM_AVAILABLE_IN_ALL
void          gorm_query_fetch_async      (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
GORM_AVAILABLE_IN_ALL
GListModel   *gorm_query_fetch_finish     (GormQuery     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
void          gorm_query_watch_async      (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
GORM_AVAILABLE_IN_ALL
GListModel   *gorm_query_watch_finish     (GormQuery     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
void          gorm_query_first_async      (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
GORM_AVAILABLE_IN_ALL
gpointer      gorm_query_first_finish     (GormQuery     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
void          gorm_query_count_async      (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
GORM_AVAILABLE_IN_ALL
gint64        gorm_query_count_finish     (GormQuery     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
void          gorm_query_exists_async     (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_query_exists_finish    (GormQuery     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
void          gorm_query_delete_async     (GormQuery     *self,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
GORM_AVAILABLE_IN_ALL
gint64        gorm_query_delete_finish    (GormQuery     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
GORM_AVAILABLE_IN_ALL
void          gorm_query_update_async     (GormQuery     *self,
                                         const char    *property,
                                         const GValue  *value,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
GORM_AVAILABLE_IN_ALL
gint64        gorm_query_update_finish    (GormQuery     *self,
                                         GAsyncResult  *result,
                                         GError       **error);

GORM_AVAILABLE_IN_ALL
gint64        gorm_query_update_values        (GormQuery           *self,
                                               guint                n_values,
                                               const char * const  *property_names,
                                               const GValue        *values,
                                               GCancellable        *cancellable,
                                               GError             **error);
GORM_AVAILABLE_IN_ALL
void          gorm_query_update_values_async  (GormQuery           *self,
                                               guint                n_values,
                                               const char * const  *property_names,
                                               const GValue        *values,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GORM_AVAILABLE_IN_ALL
gint64        gorm_query_update_values_finish (GormQuery           *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Row queries */
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_select               (GormQuery           *self,
                                               const char          *name,
                                               GormExpression      *expression);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_select_properties    (GormQuery           *self,
                                               const char * const  *property_names);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_annotate             (GormQuery           *self,
                                               const char          *name,
                                               GormExpression      *expression);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_query_distinct             (GormQuery           *self);
GORM_AVAILABLE_IN_ALL
GListModel   *gorm_query_fetch_rows           (GormQuery           *self,
                                               GCancellable        *cancellable,
                                               GError             **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
void          gorm_query_fetch_rows_async     (GormQuery           *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GORM_AVAILABLE_IN_ALL
GListModel   *gorm_query_fetch_rows_finish    (GormQuery           *self,
                                               GAsyncResult        *result,
                                               GError             **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormRow      *gorm_query_aggregate            (GormQuery           *self,
                                               GCancellable        *cancellable,
                                               GError             **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
void          gorm_query_aggregate_async      (GormQuery           *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GORM_AVAILABLE_IN_ALL
GormRow      *gorm_query_aggregate_finish     (GormQuery           *self,
                                               GAsyncResult        *result,
                                               GError             **error) G_GNUC_WARN_UNUSED_RESULT;

GORM_AVAILABLE_IN_ALL
gint64        gorm_query_update_expressions        (GormQuery               *self,
                                                    guint                    n_properties,
                                                    const char * const      *property_names,
                                                    GormExpression * const  *expressions,
                                                    GCancellable            *cancellable,
                                                    GError                 **error);
GORM_AVAILABLE_IN_ALL
void          gorm_query_update_expressions_async  (GormQuery               *self,
                                                    guint                    n_properties,
                                                    const char * const      *property_names,
                                                    GormExpression * const  *expressions,
                                                    GCancellable            *cancellable,
                                                    GAsyncReadyCallback      callback,
                                                    gpointer                 user_data);
GORM_AVAILABLE_IN_ALL
gint64        gorm_query_update_expressions_finish (GormQuery               *self,
                                                    GAsyncResult            *result,
                                                    GError                 **error);

GORM_AVAILABLE_IN_ALL
GPtrArray    *gorm_query_dup_items                 (GListModel              *model,
                                                    guint                    position,
                                                    guint                    n_items) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
