/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-resource.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/* The state libgorm keeps in every resource about its row. */

const GormSchema *gorm_resource_get_schema       (GormResource      *self,
                                                  GError           **error);
GormDatabase     *gorm_resource_resolve_database (GormResource      *self,
                                                  GError           **error);
gboolean          gorm_resource_column_is_dirty  (GormResource      *self,
                                                  guint              column);
const GValue     *gorm_resource_get_key_value    (GormResource      *self);

void              gorm_resource_begin_load       (GormResource      *self);
void              gorm_resource_end_load         (GormResource      *self);
void              gorm_resource_mark_saved       (GormResource      *self,
                                                  GormDatabase      *database,
                                                  const GValue      *key);
void              gorm_resource_mark_deleted     (GormResource      *self);
/* Sets a stored property to a value its row now has (after a bulk update),
 * without marking it changed. */
void              gorm_resource_set_stored       (GormResource      *self,
                                                  const GormColumn  *column,
                                                  const GValue      *value);

G_END_DECLS
