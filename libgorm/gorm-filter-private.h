/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-dialect-private.h"
#include "gorm-filter.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/* Checks every property the filter names against @schema and every value
 * against its property's type: GORM_ERROR_UNKNOWN_PROPERTY or
 * GORM_ERROR_TYPE_MISMATCH naming the type, property and value. Returns
 * a new filter holding the values converted to SQL values, ready to
 * render. */
GormFilter *gorm_filter_compile   (GormFilter         *filter,
                                   const GormSchema   *schema,
                                   GError            **error);

/* Appends the condition of a compiled filter, numbering parameters from
 * params->len and appending their SQL values to @params. */
void        gorm_filter_render    (GormFilter         *compiled,
                                   const GormDialect  *dialect,
                                   GString            *sql,
                                   GArray             *params);

G_END_DECLS
