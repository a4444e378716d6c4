/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-resource.h"
#include "gorm-schema-private.h"
#include "gorm-connection-private.h"

G_BEGIN_DECLS

/*
 * How one resource type is stored in one database: its schema with the
 * statements that insert, update, delete and load its rows, rendered by
 * the database's dialect once and kept with the database. All functions
 * expect the database lock held.
 */
typedef struct _GormTable GormTable;

gboolean          gorm_table_validate_value   (const GormSchema    *schema,
                                               const GormColumn    *column,
                                               const GValue        *value,
                                               GError             **error);
GormTable        *gorm_table_new              (const GormSchema    *schema,
                                               const GormDialect   *dialect,
                                               GormConnection  *statements);
void              gorm_table_free             (GormTable           *self);
const GormSchema *gorm_table_get_schema       (GormTable           *self);

/* What a save writes, read from the object on the caller's thread (an
 * object of a JavaScript class can only be read on the main thread), and
 * written under the lock, possibly on the worker. */
typedef struct _GormSave GormSave;

GormSave         *gorm_table_prepare_save     (const GormSchema    *schema,
                                               GormResource        *resource,
                                               gboolean             inserting,
                                               GError             **error);
gboolean          gorm_save_is_insert         (GormSave            *save);
void              gorm_save_free              (GormSave            *save);
gboolean          gorm_table_insert           (GormTable           *self,
                                               GormResource        *resource,
                                               GormSave            *save,
                                               GValue              *key,
                                               GError             **error);
gboolean          gorm_table_update           (GormTable           *self,
                                               GormResource        *resource,
                                               GormSave            *save,
                                               GValue              *key,
                                               GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormSave, gorm_save_free)
gboolean          gorm_table_delete           (GormTable           *self,
                                               GormResource        *resource,
                                               GError             **error);
GormRows     *gorm_table_select_by_key    (GormTable           *self,
                                               const GValue        *key,
                                               GError             **error);
/* The SQL values of a row, copied out of @model, so that a worker thread
 * can hand them to the main context. */
GValue           *gorm_table_copy_row         (GormTable           *self,
                                               GormRows            *model,
                                               gint                 row,
                                               GError             **error);
void              gorm_table_free_row         (GValue              *row);
/* gorm_table_new_resource() from a copied row, which it takes. It needs
 * the schema only, not the database lock. */
gpointer          gorm_table_resource_from_row (const GormSchema   *schema,
                                               GormDatabase        *database,
                                               GValue              *row,
                                               GError             **error);
/* The object of a row: its live object when it has one, whose properties
 * without unsaved changes take the row's values, else a new object, added
 * to the identity map. */
gpointer          gorm_table_new_resource     (GormTable           *self,
                                               GormDatabase        *database,
                                               GormRows            *model,
                                               gint                 row,
                                               GError             **error);
/* A stand-in for a row whose values cannot be read into its object (a
 * stored value its property cannot take): the row's live object when it
 * has one, else a new object with only its key set and its other
 * properties at their defaults, which records @read_error and which
 * gorm_table_prepare_save() refuses to update. Loading its row again
 * (gorm_table_load_resource()) makes it an ordinary object. */
gpointer          gorm_table_new_stand_in     (GormTable           *self,
                                               GormDatabase        *database,
                                               GormRows            *model,
                                               gint                 row,
                                               const GError        *read_error,
                                               GError             **error);
/* The error a stand-in records, or NULL for an ordinary object. */
const GError     *gorm_table_get_read_error   (GormResource        *resource);
gboolean          gorm_table_load_resource    (GormTable           *self,
                                               GormResource        *resource,
                                               GormRows            *model,
                                               gint                 row,
                                               GError             **error);

G_END_DECLS
