/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _GormDatabase GormDatabase;
typedef struct _GormResource GormResource;
typedef struct _GormResourceClass GormResourceClass;
typedef struct _GormFilter GormFilter;
typedef struct _GormQuery GormQuery;
typedef struct _GormQueryModel GormQueryModel;

/**
 * GormOnDelete:
 * @GORM_ON_DELETE_CASCADE: deleting the referenced row deletes the rows
 *   that refer to it (and, in turn, the rows that refer to those)
 * @GORM_ON_DELETE_PROTECT: deleting a referenced row fails with
 *   %GORM_ERROR_CONSTRAINT, checked by libgorm before the statement runs
 * @GORM_ON_DELETE_RESTRICT: deleting a referenced row fails with
 *   %GORM_ERROR_CONSTRAINT; the database refuses it too (`ON DELETE
 *   RESTRICT`)
 * @GORM_ON_DELETE_SET_NULL: the key of the rows that refer to a deleted row
 *   becomes `NULL`; the key property must be nullable (see
 *   [method@Gorm.ResourceClass.set_nullable])
 * @GORM_ON_DELETE_SET_DEFAULT: the key of the rows that refer to a deleted
 *   row becomes the default value of the key property
 * @GORM_ON_DELETE_DO_NOTHING: libgorm does nothing; the database decides
 *   (with foreign keys enforced, the delete of a referenced row fails)
 *
 * What happens to the rows that refer to a row through a foreign key when
 * that row is deleted: see [method@Gorm.ResourceClass.set_foreign_key].
 *
 * Since: 1.0
 */
typedef enum {
  GORM_ON_DELETE_CASCADE,
  GORM_ON_DELETE_PROTECT,
  GORM_ON_DELETE_RESTRICT,
  GORM_ON_DELETE_SET_NULL,
  GORM_ON_DELETE_SET_DEFAULT,
  GORM_ON_DELETE_DO_NOTHING,
} GormOnDelete;

G_END_DECLS
