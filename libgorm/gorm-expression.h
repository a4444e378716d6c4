/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <glib-object.h>

#include "gorm-version.h"

G_BEGIN_DECLS

/**
 * GormDatePart:
 * @GORM_DATE_PART_YEAR: the year, a `gint64`
 * @GORM_DATE_PART_MONTH: the month, 1 to 12, a `gint64`
 * @GORM_DATE_PART_DAY: the day of the month, 1 to 31, a `gint64`
 * @GORM_DATE_PART_WEEK_DAY: the day of the week as Django numbers it, a
 *   `gint64`: 1 is Sunday, 2 Monday … 7 Saturday
 * @GORM_DATE_PART_HOUR: the hour, 0 to 23, a `gint64`
 * @GORM_DATE_PART_MINUTE: the minute, 0 to 59, a `gint64`
 * @GORM_DATE_PART_SECOND: the whole seconds, 0 to 59, a `gint64`
 * @GORM_DATE_PART_DATE: the day, a `GDateTime` at 00:00 UTC of that day
 *
 * A part of a date-time, for [method@Gorm.Expression.date_part]. Every part
 * is read in UTC, whatever time zone the date-time was saved in.
 *
 * Since: 1.0
 */
typedef enum {
  GORM_DATE_PART_YEAR,
  GORM_DATE_PART_MONTH,
  GORM_DATE_PART_DAY,
  GORM_DATE_PART_WEEK_DAY,
  GORM_DATE_PART_HOUR,
  GORM_DATE_PART_MINUTE,
  GORM_DATE_PART_SECOND,
  GORM_DATE_PART_DATE,
} GormDatePart;

/**
 * GormExpression:
 *
 * A value computed by the database for each row: a property, a constant,
 * arithmetic on them, a part of a date-time, or an aggregate over rows.
 *
 * Expressions are immutable and reference counted. The functions that
 * combine expressions take the expressions they are given, so C builds
 * a whole expression in one call:
 *
 * ```c
 * // votes + 1
 * g_auto(GValue) one = G_VALUE_INIT;
 *
 * g_value_init (&one, G_TYPE_INT);
 * g_value_set_int (&one, 1);
 * g_autoptr(GormExpression) next = gorm_expression_add (gorm_expression_property ("votes"),
 *                                                       gorm_expression_value (&one));
 * ```
 *
 * Property names and types are checked when the expression is used by a
 * query, against the query's resource type: an unknown name is
 * %GORM_ERROR_UNKNOWN_PROPERTY, arithmetic on a property that is not a
 * number %GORM_ERROR_TYPE_MISMATCH, and the query reports either from its
 * runners before any SQL runs.
 *
 * Since: 1.0
 */
typedef struct _GormExpression GormExpression;

#define GORM_TYPE_EXPRESSION (gorm_expression_get_type ())

GORM_AVAILABLE_IN_ALL
GType           gorm_expression_get_type  (void) G_GNUC_CONST;

GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_ref       (GormExpression *self);
GORM_AVAILABLE_IN_ALL
void            gorm_expression_unref     (GormExpression *self);

GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_property  (const char     *property) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_value     (const GValue   *value) G_GNUC_WARN_UNUSED_RESULT;

GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_add       (GormExpression *a,
                                           GormExpression *b) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_subtract  (GormExpression *a,
                                           GormExpression *b) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_multiply  (GormExpression *a,
                                           GormExpression *b) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_divide    (GormExpression *a,
                                           GormExpression *b) G_GNUC_WARN_UNUSED_RESULT;

GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_date_part (GormExpression *datetime,
                                           GormDatePart    part) G_GNUC_WARN_UNUSED_RESULT;

GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_count     (GormExpression *expression,
                                           gboolean        distinct) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_sum       (GormExpression *expression) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_avg       (GormExpression *expression) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_min       (GormExpression *expression) G_GNUC_WARN_UNUSED_RESULT;
GORM_AVAILABLE_IN_ALL
GormExpression *gorm_expression_max       (GormExpression *expression) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormExpression, gorm_expression_unref)

G_END_DECLS
