/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-resource.h"

G_BEGIN_DECLS

/*
 * The identity map of a database: at most one live object per row, found
 * by its type and the stored value of its primary key (a gint64 or a
 * string). The map holds no strong reference: a GormResource removes
 * itself as it is disposed (gorm_row_state_forget()). Lookups go through
 * a weak reference all the same, so that an object already being
 * disposed in one thread is never brought back by another (see
 * gorm_identity_map_lookup()). The map has its own lock, so objects may
 * die in any thread.
 */
typedef struct _GormIdentityMap GormIdentityMap;

GormIdentityMap *gorm_identity_map_new     (void);
void             gorm_identity_map_free    (GormIdentityMap  *self);
guint            gorm_identity_map_size    (GormIdentityMap  *self);
/* Whether the map holds an object of exactly @type. */
gboolean         gorm_identity_map_holds_type (GormIdentityMap *self,
                                               GType            type);

GormResource    *gorm_identity_map_lookup  (GormIdentityMap  *self,
                                            GType             type,
                                            const GValue     *key);
void             gorm_identity_map_add     (GormIdentityMap  *self,
                                            GormResource     *resource,
                                            const GValue     *key);
void             gorm_identity_map_remove  (GormIdentityMap  *self,
                                            GormResource     *resource,
                                            const GValue     *key);

G_END_DECLS
