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
/* gorm_resource_mark_saved() for an object libgorm just built for its
 * row, with its database given at construction: no one can be watching
 * it yet, so it notifies nothing. */
void              gorm_resource_mark_loaded      (GormResource      *self,
                                                  const GormSchema  *schema,
                                                  const GValue      *key);
void              gorm_resource_mark_deleted     (GormResource      *self);
/* Sets stored properties to values their row has (a load, automatic
 * timestamps), without marking them changed, in the main context of
 * @database: at once when called there, else later, in order, unless a
 * later load or save reached the object first. In the thread of an open
 * transaction, whose function reads what it loads, they are set at once
 * and only their notifications wait for the main context. Takes
 * @values, an array of @n_values; @pspecs are borrowed. With
 * @keep_unsaved, properties changed since the last save keep their
 * values. */
void              gorm_resource_apply_stored     (GormResource      *self,
                                                  GormDatabase      *database,
                                                  GParamSpec       **pspecs,
                                                  GValue            *values,
                                                  guint              n_values,
                                                  gboolean           keep_unsaved);
/* Values reach an object in the order their rows were read: a row read in
 * one place (the worker) and made into its object in another (the main
 * context) takes a stamp when it is read, and the object is built
 * between push and pop of that stamp. */
guint64           gorm_resource_take_read_stamp  (void);
void              gorm_resource_push_read_stamp  (guint64            stamp);
void              gorm_resource_pop_read_stamp   (void);
/* Sets a stored property to a value its row now has (after a bulk update),
 * without marking it changed. */
void              gorm_resource_set_stored       (GormResource      *self,
                                                  const GormColumn  *column,
                                                  const GValue      *value);

G_END_DECLS
