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

/*
 * What the map keeps of one object, in the object itself (its row state):
 * the map links the entries of the objects it holds, so that adding an
 * object allocates nothing. Zero-filled until the object's first
 * gorm_identity_map_add(); gorm_identity_entry_clear() as the object is
 * finalized. Every field is the map's, read and written under its lock.
 */
typedef struct
{
  GType         type;
  gint64        number;
  /* The key when it is a string (owned), else NULL. */
  char         *text;
  /* Compared, never dereferenced: which object the entry is for. */
  GormResource *resource;
  /* How a lookup takes a reference: see gorm_identity_map_lookup(). It
   * points to the object itself, which GLib clears as the object's last
   * reference goes. */
  GWeakRef      ref;
  /* Whether the entry is in a map. */
  gboolean      linked;
} GormIdentityEntry;

GormIdentityMap *gorm_identity_map_new     (void);
void             gorm_identity_map_free    (GormIdentityMap  *self);
guint            gorm_identity_map_size    (GormIdentityMap  *self);
/* Whether the map holds an object of exactly @type. */
gboolean         gorm_identity_map_holds_type (GormIdentityMap *self,
                                               GType            type);

GormResource    *gorm_identity_map_lookup  (GormIdentityMap  *self,
                                            GType             type,
                                            const GValue     *key);
/* Makes @resource, whose entry is @entry, the live object of the row
 * whose key is @key; another object that had the key leaves the map. */
void             gorm_identity_map_add     (GormIdentityMap  *self,
                                            GormIdentityEntry *entry,
                                            GormResource     *resource,
                                            const GValue     *key);
/* gorm_identity_map_add() for @resource, just built for the row whose
 * key is @key and in no map yet, unless another object of the row is
 * alive: then that object, a new reference, and @resource stays out. */
GormResource    *gorm_identity_map_add_loaded (GormIdentityMap   *self,
                                               GormIdentityEntry *entry,
                                               GormResource      *resource,
                                               const GValue      *key);
/* Takes @resource out of the map if it is the live object of the row
 * whose key is @key. */
void             gorm_identity_map_remove  (GormIdentityMap  *self,
                                            GormResource     *resource,
                                            const GValue     *key);
/* Takes the object whose entry is @entry out of the map, if it is there. */
void             gorm_identity_map_forget  (GormIdentityMap  *self,
                                            GormIdentityEntry *entry);

/* Frees what @entry holds; the entry is in no map. */
void             gorm_identity_entry_clear (GormIdentityEntry *entry);

G_END_DECLS
