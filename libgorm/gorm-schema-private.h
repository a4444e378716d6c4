/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-resource.h"
#include "gorm-value-private.h"

G_BEGIN_DECLS

/*
 * The schema of a resource type: computed once per GType from its
 * properties and the metadata its class recorded, then immutable and shared
 * by every database. Dialect-specific SQL is rendered from it by the
 * dialect; nothing here knows SQL.
 */

typedef enum {
  GORM_COLUMN_PRIMARY_KEY  = 1 << 0,
  GORM_COLUMN_AUTO_ID      = 1 << 1,
  GORM_COLUMN_UNIQUE       = 1 << 2,
  GORM_COLUMN_NOT_NULL     = 1 << 3,
  GORM_COLUMN_INDEXED      = 1 << 4,
  GORM_COLUMN_AUTO_NOW_ADD = 1 << 5,
  GORM_COLUMN_AUTO_NOW     = 1 << 6,
  /* gorm_resource_class_set_nullable(): the column accepts NULL whatever
   * its kind. A number, boolean, enum or flags column without it is NOT
   * NULL (GORM_COLUMN_NOT_NULL is set for it). */
  GORM_COLUMN_NULLABLE     = 1 << 7,
} GormColumnFlags;

typedef struct
{
  GParamSpec      *pspec;
  char            *name;
  GormValueKind    kind;
  GormColumnFlags  flags;
  guint            max_length;
  guint            index;
  /* gorm_resource_class_set_renamed_from(): the column's old name, or
   * NULL. */
  char            *renamed_from;
} GormColumn;

/* A composite index of a schema (gorm_resource_class_add_unique_together(),
 * gorm_resource_class_add_index()): its name, deterministic and at most 63
 * bytes (PostgreSQL's limit), "ux_TABLE_COLUMN_COLUMN" for a unique one,
 * "ix_TABLE_COLUMN_COLUMN" otherwise, and its columns in the order given. */
typedef struct
{
  char              *name;
  gboolean           unique;
  const GormColumn **columns;
  guint              n_columns;
} GormIndex;

typedef struct
{
  GType        type;
  const char  *type_name;
  char        *table;
  GormColumn  *columns;
  guint        n_columns;
  /* The primary key column; for the automatic key it is the "id" column. */
  GormColumn  *key;
  /* The SQL type of each column, as selects ask for them, ending with
   * G_TYPE_NONE. */
  GType       *sql_types;
  GHashTable  *by_name;
  GHashTable  *by_pspec;
  /* The composite indexes, in declaration order, ancestors' first. */
  GormIndex   *indexes;
  guint        n_indexes;
  /* gorm_resource_class_set_table_renamed_from(): the table's old name,
   * or NULL. */
  char        *table_renamed_from;
} GormSchema;

const GormSchema *gorm_schema_lookup            (GType               type,
                                                 GError            **error);
const GormColumn *gorm_schema_find_column       (const GormSchema   *schema,
                                                 const char         *property);
const GormColumn *gorm_schema_column_for_pspec  (const GormSchema   *schema,
                                                 GParamSpec         *pspec);
gboolean          gorm_schema_has_auto_id       (const GormSchema   *schema);

/* Whether @column accepts NULL: neither the primary key nor NOT NULL
 * (set_not_null, or a number column without set_nullable). */
gboolean          gorm_column_is_nullable       (const GormColumn   *column);
/* Whether a NULL of @column is kept beside its property, as a mark in the
 * object's row state (see gorm_row_state_is_null()), rather than as a
 * NULL value of the property: a nullable number, boolean, enum or flags
 * column, whose GValue cannot hold NULL. */
gboolean          gorm_column_marks_null        (const GormColumn   *column);

char             *gorm_schema_snake_case        (const char         *name);
/* The name of @type in snake case, as its default table is named
 * ("BlogPost" → "blog_post", a Python class "module+Choice" → "choice"),
 * whatever table the class set. */
char             *gorm_schema_type_snake_name   (GType               type);
/* Whether the column of @column may hold NULL. */
gboolean          gorm_schema_column_is_nullable (const GormColumn  *column);

/* Metadata recorded by the gorm_resource_class_set_*() functions. */
typedef enum {
  GORM_META_TABLE,
  GORM_META_PRIMARY_KEY,
  GORM_META_UNIQUE,
  GORM_META_NOT_NULL,
  GORM_META_MAX_LENGTH,
  GORM_META_INDEXED,
  GORM_META_AUTO_NOW_ADD,
  GORM_META_AUTO_NOW,
  GORM_META_COLUMN_NAME,
  GORM_META_TRANSIENT,
  /* The properties of these two are the text, joined by commas. */
  GORM_META_UNIQUE_TOGETHER,
  GORM_META_INDEX,
  GORM_META_NULLABLE,
  GORM_META_RENAMED_FROM,
  GORM_META_TABLE_RENAMED_FROM,
} GormMetaKind;

void              gorm_schema_record_meta       (GType               type,
                                                 GormMetaKind        kind,
                                                 const char         *property,
                                                 const char         *text,
                                                 guint               number);

/* The function a class builds its objects with, for the rows libgorm
 * loads (gorm_resource_class_set_new_func()): class metadata, kept as
 * type data. */
void              gorm_schema_set_new_func      (GType               type,
                                                 GormResourceNewFunc func,
                                                 gpointer            user_data,
                                                 GDestroyNotify      destroy);
/* Gives the database of an object built by a new-object function: the
 * mapper reads it from the object's row state, without a property get. */
typedef GormDatabase *(*GormSchemaDatabaseOf) (GObject *object);

/* A new object of @type for a row of @database, with the construct
 * properties @names set to @values (the database among them): built by
 * the class's new-object function when it has one (and @database_of
 * says it is of @database), by g_object_new() otherwise. */
GObject          *gorm_schema_new_object        (GType                type,
                                                 GormDatabase        *database,
                                                 GormSchemaDatabaseOf database_of,
                                                 guint                n_properties,
                                                 const char         **names,
                                                 const GValue        *values);

G_END_DECLS
