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

G_END_DECLS
