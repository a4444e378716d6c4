/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <glib-object.h>

#include "gorm-expression.h"
#include "gorm-types.h"
#include "gorm-version.h"

G_BEGIN_DECLS

/**
 * GormComparison:
 * @GORM_COMPARISON_EQ: equal (`=`)
 * @GORM_COMPARISON_NE: not equal (`<>`)
 * @GORM_COMPARISON_LT: less than (`<`)
 * @GORM_COMPARISON_LE: less than or equal (`<=`)
 * @GORM_COMPARISON_GT: greater than (`>`)
 * @GORM_COMPARISON_GE: greater than or equal (`>=`)
 *
 * How [func@Gorm.Filter.compare] compares its two expressions.
 *
 * Since: 1.0
 */
typedef enum {
  GORM_COMPARISON_EQ,
  GORM_COMPARISON_NE,
  GORM_COMPARISON_LT,
  GORM_COMPARISON_LE,
  GORM_COMPARISON_GT,
  GORM_COMPARISON_GE,
} GormComparison;

#define GORM_TYPE_FILTER (gorm_filter_get_type ())

GORM_AVAILABLE_IN_ALL
GType       gorm_filter_get_type     (void) G_GNUC_CONST;

GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_ref          (GormFilter   *filter);
GORM_AVAILABLE_IN_ALL
void        gorm_filter_unref        (GormFilter   *filter);

GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_eq           (const char   *property,
                                      const GValue *value) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_ne           (const char   *property,
                                      const GValue *value) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_lt           (const char   *property,
                                      const GValue *value) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_le           (const char   *property,
                                      const GValue *value) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_gt           (const char   *property,
                                      const GValue *value) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_ge           (const char   *property,
                                      const GValue *value) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_like         (const char   *property,
                                      const char   *pattern) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_ilike        (const char   *property,
                                      const char   *pattern) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_in           (const char   *property,
                                      const GValue *values,
                                      guint         n_values) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_between      (const char   *property,
                                      const GValue *low,
                                      const GValue *high) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_is_null      (const char   *property) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_is_not_null  (const char   *property) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_compare      (GormExpression *left,
                                      GormComparison  op,
                                      GormExpression *right) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_and          (GormFilter   *a,
                                      GormFilter   *b) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_or           (GormFilter   *a,
                                      GormFilter   *b) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormFilter *gorm_filter_not          (GormFilter   *filter) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormFilter, gorm_filter_unref)

G_END_DECLS
