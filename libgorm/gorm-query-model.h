/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gorm-types.h"
#include "gorm-version.h"

G_BEGIN_DECLS

#define GORM_TYPE_QUERY_MODEL (gorm_query_model_get_type ())

GORM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GormQueryModel, gorm_query_model, GORM, QUERY_MODEL, GObject)

GORM_AVAILABLE_IN_ALL
gboolean      gorm_query_model_is_live    (GormQueryModel *self);
GORM_AVAILABLE_IN_ALL
gboolean      gorm_query_model_check_item (GormQueryModel *self,
                                           guint           position,
                                           GError        **error);

G_END_DECLS
