/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-dialect-private.h"
#include "gorm-expression-private.h"
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

/* The same, with the expressions of its comparisons (gorm_filter_compare())
 * compiled with @flags: GORM_EXPRESSION_COMPILE_AGGREGATES for a HAVING
 * (whose aggregates the rendering then finds in COMPARE conditions'
 * operands, has_aggregate). */
GormCondition *gorm_filter_compile_full (GormFilter                  *filter,
                                         const GormSchema            *schema,
                                         GormExpressionCompileFlags   flags,
                                         GError                     **error);

/* The column @name names from @schema: a stored property of @schema
 * (*@path set to NULL), or a path of relations ending in a property
 * ("question.pub_date", "choice.votes", "tags.name"; a bare relation
 * name compares the key: the key column of a forward relation, the key
 * of the related rows otherwise), *@path then set to the interned path,
 * whose column it returns. GORM_ERROR_UNKNOWN_PROPERTY naming the type
 * and the whole path otherwise. */
const GormColumn *gorm_filter_resolve_path (const GormSchema  *schema,
                                            const char        *name,
                                            const GormPath   **path,
                                            GError           **error);

/* Whether every property @filter names is one of @names (a set of
 * strings), the names a row query gives its columns (gorm_query_select(),
 * gorm_query_annotate()), and it names at least one. */
gboolean          gorm_filter_names_only   (GormFilter        *filter,
                                            GHashTable        *names);

G_END_DECLS
