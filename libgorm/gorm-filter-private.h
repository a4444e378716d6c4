/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-dialect-private.h"
#include "gorm-filter.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/* Checks every property the filter names against @schema and every value
 * against its property's type: GORM_ERROR_UNKNOWN_PROPERTY or
 * GORM_ERROR_TYPE_MISMATCH naming the type, property and value, or the
 * error a poisoned filter carries. Returns the condition the dialect
 * renders, holding the values converted to SQL values. */
GormCondition *gorm_filter_compile (GormFilter        *filter,
                                    const GormSchema  *schema,
                                    GError           **error);

G_END_DECLS
