/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-resource.h"
#include "gorm-relation-private.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/* The state libgorm keeps in every resource about its row is a
 * GormRowState (gorm-mapper-private.h), which the mapper changes; these
 * are for the other public objects. */

const GormSchema *gorm_resource_get_schema       (GormResource      *self,
                                                  GError           **error);
GormDatabase     *gorm_resource_resolve_database (GormResource      *self,
                                                  GError           **error);
void              gorm_resource_mark_deleted     (GormResource      *self);
/* Sets a stored property to a value its row now has (after a bulk update),
 * without marking it changed. */
void              gorm_resource_set_stored       (GormResource      *self,
                                                  const GormColumn  *column,
                                                  const GValue      *value);

/* Kept properties (gorm_resource_class_store_property()), for
 * gorm-resource-values.c and gorm-resource-relations.c. */
guint             gorm_resource_kept_slot        (GParamSpec        *pspec);
const GValue     *gorm_resource_peek_kept        (GormResource      *self,
                                                  guint              slot);
/* Whether @self holds kept values: a binding's object once one of its
 * kept properties was set; never an object of a class written in C. */
gboolean          gorm_resource_has_kept         (GormResource      *self);
/* The kept property of the class of @self in @slot; NULL for none. */
GParamSpec       *gorm_resource_kept_pspec       (GormResource      *self,
                                                  guint              slot);
/* Sets @pspec, the kept property of @self in @slot, to @value (copied)
 * when it is a value of the property's own type within its limits and
 * the property is writable, as gorm_resource_set_value() sets it: the
 * NULL mark cleared, the property notified. FALSE, nothing changed, for
 * any other value or property (the caller sets it by the general way). */
gboolean          gorm_resource_write_kept       (GormResource      *self,
                                                  GParamSpec        *pspec,
                                                  guint              slot,
                                                  const GValue      *value);
/* g_object_get_property() and g_object_set_property() of @pspec, a
 * property of @self as its class lists it, without the lookup by name:
 * the id and the kept properties directly. @value is of the property's
 * type. */
void              gorm_resource_get_pspec_value  (GormResource      *self,
                                                  GParamSpec        *pspec,
                                                  GValue            *value);
void              gorm_resource_set_pspec_value  (GormResource      *self,
                                                  GParamSpec        *pspec,
                                                  const GValue      *value);

/* Relations (gorm-resource-relations.c). */
/* Where the relation cache of @self is kept: NULL until it is needed;
 * the object frees it with gorm_resource_free_relation_cache(). */
gpointer         *gorm_resource_get_relation_cache_slot (GormResource *self);
void              gorm_resource_free_relation_cache     (gpointer      cache);
/* Keeps @related as what @self refers to through @relation while its key
 * is @key (an SQL value): select_related. */
void              gorm_resource_cache_related    (GormResource       *self,
                                                  const GormRelation *relation,
                                                  const GValue       *key,
                                                  GormResource       *related);
/* Keeps @objects as the prefetched objects of @relation of @self. */
void              gorm_resource_set_prefetched   (GormResource       *self,
                                                  const GormRelation *relation,
                                                  GListModel         *objects);
/* Adds to a foreign key violation of a save of @self which key refers to
 * no row. */
void              gorm_resource_explain_key_error (GormResource      *self,
                                                   GError            *error);

G_END_DECLS
