/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gorm-types.h"
#include "gorm-version.h"

G_BEGIN_DECLS

/* libgda's connection, declared as libgda does: libgorm's headers do not
 * include libgda's; an application that calls libgda includes
 * <libgda/libgda.h> itself. The introspection scanner reads libgda's
 * declaration, to bind the type to Gda-5.0's. */
#ifdef __GI_SCANNER__
# include <libgda/libgda.h>
#else
typedef struct _GdaConnection GdaConnection;
#endif

#define GORM_TYPE_DATABASE (gorm_database_get_type ())

GORM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GormDatabase, gorm_database, GORM, DATABASE, GObject)

/**
 * GormTransactionFunc:
 * @database: the database the transaction runs on
 * @user_data: the data given to gorm_database_run_in_transaction()
 * @error: return location for an error
 *
 * The body of a transaction run by gorm_database_run_in_transaction().
 *
 * Returns: %TRUE to commit the transaction, %FALSE with @error set to roll
 *   it back
 */
typedef gboolean (*GormTransactionFunc) (GormDatabase  *database,
                                         gpointer       user_data,
                                         GError       **error);

GORM_AVAILABLE_IN_ALL
GormDatabase  *gorm_database_open                (const char           *uri,
                                                  GCancellable         *cancellable,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
void           gorm_database_open_async          (const char           *uri,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
GormDatabase  *gorm_database_open_finish         (GAsyncResult         *result,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormDatabase  *gorm_database_new_for_connection  (GdaConnection        *connection) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GdaConnection *gorm_database_get_connection      (GormDatabase         *self);
GORM_AVAILABLE_IN_ALL
const char    *gorm_database_get_uri             (GormDatabase         *self);

GORM_AVAILABLE_IN_ALL
GormDatabase  *gorm_database_get_default         (void);
GORM_AVAILABLE_IN_ALL
void           gorm_database_set_default         (GormDatabase         *database);
GORM_AVAILABLE_IN_ALL
void           gorm_database_clear_default       (void);

GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_migrate             (GormDatabase         *self,
                                                  const GType          *types,
                                                  guint                 n_types,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_migrate_async       (GormDatabase         *self,
                                                  const GType          *types,
                                                  guint                 n_types,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_migrate_finish      (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
guint          gorm_database_get_schema_version  (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_get_schema_version_async (GormDatabase    *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
guint          gorm_database_get_schema_version_finish (GormDatabase   *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_get_async           (GormDatabase         *self,
                                                  GType                 type,
                                                  gint64                id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gpointer       gorm_database_get_finish          (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
gpointer       gorm_database_get                 (GormDatabase         *self,
                                                  GType                 type,
                                                  gint64                id,
                                                  GCancellable         *cancellable,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
gpointer       gorm_database_get_by_key          (GormDatabase         *self,
                                                  GType                 type,
                                                  const GValue         *key,
                                                  GCancellable         *cancellable,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
void           gorm_database_get_by_key_async    (GormDatabase         *self,
                                                  GType                 type,
                                                  const GValue         *key,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gpointer       gorm_database_get_by_key_finish   (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;

GORM_AVAILABLE_IN_ALL
GormQuery     *gorm_database_query               (GormDatabase         *self,
                                                  GType                 type) G_GNUC_WARN_UNUSED_RESULT;

GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_begin               (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_begin_async         (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_begin_finish        (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_commit              (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_commit_async        (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_commit_finish       (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_rollback            (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_rollback_async      (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_rollback_finish     (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
guint          gorm_database_get_transaction_depth (GormDatabase       *self);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_run_in_transaction  (GormDatabase         *self,
                                                  GormTransactionFunc   func,
                                                  gpointer              user_data,
                                                  GCancellable         *cancellable,
                                                  GError              **error);

GORM_AVAILABLE_IN_ALL
void           gorm_database_run_in_transaction_async  (GormDatabase         *self,
                                                        GormTransactionFunc   func,
                                                        gpointer              func_data,
                                                        GDestroyNotify        func_data_destroy,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_run_in_transaction_finish (GormDatabase         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_bulk_insert         (GormDatabase         *self,
                                                  GormResource * const *resources,
                                                  guint                 n_resources,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_bulk_insert_async   (GormDatabase         *self,
                                                  GormResource * const *resources,
                                                  guint                 n_resources,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_bulk_insert_finish  (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
gint64         gorm_database_bulk_update         (GormDatabase         *self,
                                                  GormResource * const *resources,
                                                  guint                 n_resources,
                                                  const char * const   *properties,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_bulk_update_async   (GormDatabase         *self,
                                                  GormResource * const *resources,
                                                  guint                 n_resources,
                                                  const char * const   *properties,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gint64         gorm_database_bulk_update_finish  (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

GORM_AVAILABLE_IN_ALL
gint64         gorm_database_execute             (GormDatabase         *self,
                                                  const char           *sql,
                                                  const GValue         *params,
                                                  guint                 n_params,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_execute_async       (GormDatabase         *self,
                                                  const char           *sql,
                                                  const GValue         *params,
                                                  guint                 n_params,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gint64         gorm_database_execute_finish      (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
GListModel    *gorm_database_select              (GormDatabase         *self,
                                                  const char           *sql,
                                                  const GValue         *params,
                                                  guint                 n_params,
                                                  GCancellable         *cancellable,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
void           gorm_database_select_async        (GormDatabase         *self,
                                                  const char           *sql,
                                                  const GValue         *params,
                                                  guint                 n_params,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
GListModel    *gorm_database_select_finish       (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GListModel    *gorm_database_select_resources    (GormDatabase         *self,
                                                  GType                 type,
                                                  const char           *sql,
                                                  const GValue         *params,
                                                  guint                 n_params,
                                                  GCancellable         *cancellable,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
void           gorm_database_select_resources_async  (GormDatabase         *self,
                                                      GType                 type,
                                                      const char           *sql,
                                                      const GValue         *params,
                                                      guint                 n_params,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GORM_AVAILABLE_IN_ALL
GListModel    *gorm_database_select_resources_finish (GormDatabase         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error) G_GNUC_WARN_UNUSED_RESULT;

GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_close               (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_close_async         (GormDatabase         *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_close_finish        (GormDatabase         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_is_closed           (GormDatabase         *self);

GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_is_migrated         (GormDatabase         *self,
                                                  GType                 type);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_ensure_migrated     (GormDatabase         *self,
                                                  const GType          *types,
                                                  guint                 n_types,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
GORM_AVAILABLE_IN_ALL
void           gorm_database_ensure_migrated_async  (GormDatabase         *self,
                                                     const GType          *types,
                                                     guint                 n_types,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GORM_AVAILABLE_IN_ALL
gboolean       gorm_database_ensure_migrated_finish (GormDatabase         *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
