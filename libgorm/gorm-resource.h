/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gorm-types.h"
#include "gorm-version.h"

G_BEGIN_DECLS

#define GORM_TYPE_RESOURCE (gorm_resource_get_type ())

GORM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (GormResource, gorm_resource, GORM, RESOURCE, GObject)

/**
 * GormResourceClass:
 * @parent_class: the parent class
 *
 * The class of #GormResource. Subclasses describe how they are stored by
 * calling the `gorm_resource_class_set_*()` functions from their
 * `class_init`, after they have installed their properties.
 */
struct _GormResourceClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[12];
};

/**
 * GormResourceNewFunc:
 * @database: the database the object belongs to
 * @user_data: the data given to gorm_resource_class_set_new_func()
 *
 * Builds an empty object of the class it was given to, for a row that
 * libgorm loads, in the way the class's language builds its objects: see
 * gorm_resource_class_set_new_func().
 *
 * Returns: (transfer full): a new object of the class whose
 *   #GormResource:database is @database
 *
 * Since: 1.0
 */
typedef GormResource *(*GormResourceNewFunc) (GormDatabase *database,
                                              gpointer      user_data);

/**
 * GormResourceInitFunc:
 * @resource: the object being built
 * @user_data: the data given to gorm_resource_new_with_init()
 *
 * Called on an object that gorm_resource_new_with_init() builds,
 * from the instance initializer of [class@Gorm.Resource]: see there.
 *
 * Since: 1.0
 */
typedef void (*GormResourceInitFunc) (GormResource *resource,
                                      gpointer      user_data);

GORM_AVAILABLE_IN_ALL
gint64        gorm_resource_get_id                  (GormResource       *self);
GORM_AVAILABLE_IN_ALL
GormDatabase *gorm_resource_get_database            (GormResource       *self);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_is_saved                (GormResource       *self);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_is_dirty                (GormResource       *self);

GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_save                    (GormResource       *self,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_delete                  (GormResource       *self,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_reload                  (GormResource       *self,
                                                     GCancellable       *cancellable,
                                                     GError            **error);

GORM_AVAILABLE_IN_ALL
void          gorm_resource_save_async          (GormResource       *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_save_finish         (GormResource       *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_delete_async        (GormResource       *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_delete_finish       (GormResource       *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_reload_async        (GormResource       *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_reload_finish       (GormResource       *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_table         (GormResourceClass  *klass,
                                                     const char         *table);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_primary_key   (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_unique        (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_not_null      (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_max_length    (GormResourceClass  *klass,
                                                     const char         *property,
                                                     guint               max_length);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_indexed       (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_auto_now_add  (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_auto_now      (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_column_name   (GormResourceClass  *klass,
                                                     const char         *property,
                                                     const char         *column);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_transient     (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_renamed_from  (GormResourceClass  *klass,
                                                     const char         *property,
                                                     const char         *old_column);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_table_renamed_from (GormResourceClass *klass,
                                                          const char        *old_table);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_add_unique_together (GormResourceClass  *klass,
                                                       const char * const *properties);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_add_index         (GormResourceClass  *klass,
                                                     const char * const *properties);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_foreign_key   (GormResourceClass  *klass,
                                                     const char         *property,
                                                     GType               related_type,
                                                     GormOnDelete        on_delete);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_related_name  (GormResourceClass  *klass,
                                                     const char         *property_or_relation,
                                                     const char         *related_name);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_add_many_to_many  (GormResourceClass  *klass,
                                                     const char         *relation,
                                                     GType               related_type);
GORM_AVAILABLE_IN_ALL
gpointer      gorm_resource_get_related             (GormResource       *self,
                                                     const char         *relation,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_get_related_async       (GormResource       *self,
                                                     const char         *relation,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GORM_AVAILABLE_IN_ALL
gpointer      gorm_resource_get_related_finish      (GormResource       *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gpointer      gorm_resource_peek_related            (GormResource       *self,
                                                     const char         *relation);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_set_related             (GormResource       *self,
                                                     const char         *relation,
                                                     GormResource       *related,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
GormQuery    *gorm_resource_query_related           (GormResource       *self,
                                                     const char         *relation);
GORM_AVAILABLE_IN_ALL
GListModel   *gorm_resource_peek_prefetched         (GormResource       *self,
                                                     const char         *relation);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_link                    (GormResource       *self,
                                                     const char         *relation,
                                                     GormResource       *other,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_link_async              (GormResource       *self,
                                                     const char         *relation,
                                                     GormResource       *other,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_link_finish             (GormResource       *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_unlink                  (GormResource       *self,
                                                     const char         *relation,
                                                     GormResource       *other,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_unlink_async            (GormResource       *self,
                                                     const char         *relation,
                                                     GormResource       *other,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_unlink_finish           (GormResource       *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_clear_links             (GormResource       *self,
                                                     const char         *relation,
                                                     GCancellable       *cancellable,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_clear_links_async       (GormResource       *self,
                                                     const char         *relation,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_clear_links_finish      (GormResource       *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
guint         gorm_resource_class_get_value_slot    (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
const GValue *gorm_resource_peek_value              (GormResource       *self,
                                                     guint               slot);
GORM_AVAILABLE_IN_ALL
gint64        gorm_resource_get_int64_value         (GormResource       *self,
                                                     guint               slot);
GORM_AVAILABLE_IN_ALL
gdouble       gorm_resource_get_double_value        (GormResource       *self,
                                                     guint               slot);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_get_boolean_value       (GormResource       *self,
                                                     guint               slot);
GORM_AVAILABLE_IN_ALL
const char   *gorm_resource_get_string_value        (GormResource       *self,
                                                     guint               slot);
GORM_AVAILABLE_IN_ALL
char         *gorm_resource_format_date_time        (GormResource       *self,
                                                     guint               slot);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_set_int64_value         (GormResource       *self,
                                                     guint               slot,
                                                     gint64              value,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_set_double_value        (GormResource       *self,
                                                     guint               slot,
                                                     gdouble             value,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_set_boolean_value       (GormResource       *self,
                                                     guint               slot,
                                                     gboolean            value,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_set_string_value        (GormResource       *self,
                                                     guint               slot,
                                                     const char         *value,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_set_date_time_value     (GormResource       *self,
                                                     guint               slot,
                                                     GDateTime          *value,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_get_value               (GormResource       *self,
                                                     const char         *property,
                                                     GValue             *value);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_set_value               (GormResource       *self,
                                                     const char         *property,
                                                     const GValue       *value,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_nullable      (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_is_null                 (GormResource       *self,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_resource_set_null                (GormResource       *self,
                                                     const char         *property,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
GValue       *gorm_resource_dup_value               (GormResource       *self,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_store_property    (GormResourceClass  *klass,
                                                     const char         *property);
GORM_AVAILABLE_IN_ALL
void          gorm_resource_class_set_new_func      (GormResourceClass  *klass,
                                                     GormResourceNewFunc func,
                                                     gpointer            user_data,
                                                     GDestroyNotify      destroy);

GORM_AVAILABLE_IN_ALL
GormResource *gorm_resource_new_with_init           (GType               type,
                                                     GormDatabase       *database,
                                                     GormResourceInitFunc init,
                                                     gpointer            user_data);

GORM_AVAILABLE_IN_ALL
const char   *gorm_resource_class_get_table_name   (GormResourceClass  *klass,
                                                     GError            **error);
GORM_AVAILABLE_IN_ALL
char        **gorm_resource_class_dup_stored_properties (GormResourceClass  *klass,
                                                          GError            **error);

G_END_DECLS
