/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-schema-private.h"

G_BEGIN_DECLS

/*
 * The relations between resource types: foreign keys and many-to-many
 * links, as the classes declared them (gorm_resource_class_set_foreign_key(),
 * _set_related_name(), _add_many_to_many()), seen from each side. A
 * foundation beside the schema: nothing here knows SQL or a database.
 */

typedef enum {
  GORM_RELATION_FORWARD,        /* choice.question: a key column here */
  GORM_RELATION_REVERSE,        /* question.choice_set: a key column there */
  GORM_RELATION_MANY_TO_MANY,   /* post.tags / tag.post_set: a link table */
} GormRelationKind;

typedef struct {
  const char       *name;          /* "question", "choice_set", "tags", "post_set" */
  const char       *query_name;    /* name in paths: = name, or "choice" for a default reverse */
  GormRelationKind  kind;
  GType             source_type;   /* the type the relation is looked up on */
  GType             target_type;   /* the type on the other side */
  /* FORWARD: the key column in source's schema. REVERSE: the referencing
   * column in target's schema. MANY_TO_MANY: NULL. */
  const GormColumn *column;
  /* MANY_TO_MANY: the link table and its columns holding the source's and
   * the target's keys. NULL otherwise. */
  const char       *link_table;
  const char       *link_source_column;
  const char       *link_target_column;
  GormOnDelete      on_delete;     /* FORWARD/REVERSE */
  gboolean          single;        /* REVERSE of a one-to-one (unique key) */
} GormRelation;

/* By name or query name; GORM_ERROR_UNKNOWN_PROPERTY naming type and name
 * otherwise. Lives as long as the process. Needs both classes to have run
 * class_init (true for types given to migrate() or instantiated). */
const GormRelation *gorm_schema_find_relation (const GormSchema *schema,
                                               const char       *name,
                                               GError          **error);

/* Every relation of @schema's type, forward ones first, then reverse, then
 * many-to-many; NULL-terminated, @n_relations (optional) set to their
 * number. Lives as long as the process. */
const GormRelation * const *gorm_schema_get_relations (const GormSchema *schema,
                                                       guint            *n_relations);

/* Whether @schema's type is referenced by a foreign key of a known type
 * (has a REVERSE relation) or has a many-to-many relation: what a delete
 * must look at. Cheap: one lookup. */
gboolean gorm_schema_has_dependents (const GormSchema *schema);

/* The relation whose key column (FORWARD) is @column of @schema, or NULL. */
const GormRelation *gorm_schema_relation_for_column (const GormSchema *schema,
                                                     const GormColumn *column);

/* Checks the relations @schema's type declared: each names a stored
 * property of the right type (the related type's key type), a SET_NULL key
 * may hold NULL, and no two relations of a type share a name. What
 * migrate() runs before it writes anything. */
gboolean gorm_schema_check_relations (const GormSchema *schema,
                                      GError          **error);

/* Whether @type (or an ancestor) declared @property a foreign key: what
 * the schema indexes. Reads the declarations only (no schema lookup), so
 * the schema may call it while it builds. */
gboolean gorm_relation_declares_key (GType       type,
                                     const char *property);

/* The SQL words of @on_delete's action, "CASCADE", "SET NULL", …, and
 * its name as the API spells it, "SET_NULL". */
const char *gorm_relation_on_delete_sql  (GormOnDelete on_delete);
const char *gorm_relation_on_delete_name (GormOnDelete on_delete);

/* Recording, from the class functions. */
void gorm_relation_record_foreign_key (GType         type,
                                       const char   *property,
                                       GType         related_type,
                                       GormOnDelete  on_delete);
void gorm_relation_record_related_name (GType       type,
                                        const char *property_or_relation,
                                        const char *related_name);
void gorm_relation_record_many_to_many (GType       type,
                                        const char *relation,
                                        GType       related_type);

G_END_DECLS
