/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <glib-object.h>

#include "gorm-types.h"
#include "gorm-version.h"

G_BEGIN_DECLS

#define GORM_TYPE_ROW (gorm_row_get_type ())

GORM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GormRow, gorm_row, GORM, ROW, GObject)

GORM_AVAILABLE_IN_ALL
guint         gorm_row_get_n_columns    (GormRow    *self);
GORM_AVAILABLE_IN_ALL
const char   *gorm_row_get_column_name  (GormRow    *self,
                                         guint       column);
GORM_AVAILABLE_IN_ALL
int           gorm_row_find_column      (GormRow    *self,
                                         const char *name);
GORM_AVAILABLE_IN_ALL
const GValue *gorm_row_get_value        (GormRow    *self,
                                         guint       column);
GORM_AVAILABLE_IN_ALL
GValue       *gorm_row_dup_value        (GormRow    *self,
                                         const char *name) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
gboolean      gorm_row_is_null          (GormRow    *self,
                                         const char *name);
GORM_AVAILABLE_IN_ALL
gint64        gorm_row_get_int64        (GormRow    *self,
                                         const char *name);
GORM_AVAILABLE_IN_ALL
double        gorm_row_get_double       (GormRow    *self,
                                         const char *name);
GORM_AVAILABLE_IN_ALL
const char   *gorm_row_get_string       (GormRow    *self,
                                         const char *name);
GORM_AVAILABLE_IN_ALL
gpointer      gorm_row_get_resource     (GormRow    *self);

G_END_DECLS
