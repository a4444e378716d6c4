/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-error.h"
#include "gorm-relation-private.h"

/*
 * The relation registry. The class functions record declarations (a
 * foreign key, a related name, a many-to-many relation) in one list, in
 * call order; the relations of a type, seen from its side, are derived
 * from that list when first asked for, and derived again when a class
 * declared something since (a type's reverse relations come from the
 * classes that point to it, which may be initialized later).
 *
 * Declarations, derived relations and their strings are never freed:
 * every pointer handed out lives as long as the process, which is what
 * lets the schema, the mapper and the filter keep them without
 * reference counts. A type declares a handful of relations, once.
 */

typedef enum {
  DECL_FOREIGN_KEY,
  DECL_MANY_TO_MANY,
  DECL_RELATED_NAME,
} DeclKind;

typedef struct
{
  DeclKind      kind;
  GType         type;
  /* FOREIGN_KEY: the key property, with "_" for "-". MANY_TO_MANY: the
   * relation. RELATED_NAME: the property or relation it names, with "_"
   * for "-". */
  char         *name;
  GType         related_type;
  GormOnDelete  on_delete;
  char         *related_name;
} Decl;

typedef struct
{
  guint          generation;
  GPtrArray     *relations;   /* of GormRelation, NULL-terminated */
  gboolean       has_dependents;
} TypeRelations;

static GMutex relation_lock;
static GPtrArray *decls;              /* of Decl */
static guint generation = 1;
static GHashTable *relations_by_type; /* GType → TypeRelations */
/* Every relation array ever derived, so that a pointer handed out stays
 * valid (and reachable) after its type's relations are derived again. */
static GPtrArray *derived;

/* "question-id" and "question_id" both become "question_id". */
static char *
underscored (const char *name)
{
  char *copy = g_strdup (name);

  g_strdelimit (copy, "-", '_');
  return copy;
}

static void
record (Decl *decl)
{
  g_mutex_lock (&relation_lock);
  if (decls == NULL)
    decls = g_ptr_array_new ();
  g_ptr_array_add (decls, decl);
  generation++;
  g_mutex_unlock (&relation_lock);
}

void
gorm_relation_record_foreign_key (GType         type,
                                  const char   *property,
                                  GType         related_type,
                                  GormOnDelete  on_delete)
{
  Decl *decl = g_new0 (Decl, 1);

  decl->kind = DECL_FOREIGN_KEY;
  decl->type = type;
  decl->name = underscored (property);
  decl->related_type = related_type;
  decl->on_delete = on_delete;
  record (decl);
}

void
gorm_relation_record_related_name (GType       type,
                                   const char *property_or_relation,
                                   const char *related_name)
{
  Decl *decl = g_new0 (Decl, 1);

  decl->kind = DECL_RELATED_NAME;
  decl->type = type;
  decl->name = underscored (property_or_relation);
  decl->related_name = g_strdup (related_name);
  record (decl);
}

void
gorm_relation_record_many_to_many (GType       type,
                                   const char *relation,
                                   GType       related_type)
{
  Decl *decl = g_new0 (Decl, 1);

  decl->kind = DECL_MANY_TO_MANY;
  decl->type = type;
  decl->name = underscored (relation);
  decl->related_type = related_type;
  decl->on_delete = GORM_ON_DELETE_CASCADE;
  record (decl);
}

/* The declarations so far, and the generation they make: a copy of the
 * list, since deriving relations looks schemas up, which may initialize
 * classes, which record declarations. */
static GPtrArray *
snapshot_decls (guint *snapshot_generation)
{
  GPtrArray *copy = g_ptr_array_new ();

  g_mutex_lock (&relation_lock);
  for (guint i = 0; decls != NULL && i < decls->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (decls, i));
  *snapshot_generation = generation;
  g_mutex_unlock (&relation_lock);

  return copy;
}

/* The relation name of a foreign key property: without a trailing "_id",
 * "question_id" → "question"; the property name otherwise. */
static char *
forward_name (const char *property)
{
  char *name = underscored (property);
  gsize len = strlen (name);

  if (len > 3 && g_str_has_suffix (name, "_id"))
    name[len - 3] = '\0';
  return name;
}

/* The related name a class gave the relation of @fk_or_m2m (by property
 * or relation name), NULL when none: the last call wins. */
static const char *
find_related_name (GPtrArray  *all,
                   const Decl *declared)
{
  const char *found = NULL;
  g_autofree char *relation = declared->kind == DECL_FOREIGN_KEY
    ? forward_name (declared->name) : g_strdup (declared->name);

  for (guint i = 0; i < all->len; i++)
    {
      const Decl *decl = g_ptr_array_index (all, i);

      if (decl->kind != DECL_RELATED_NAME || !g_type_is_a (declared->type, decl->type))
        continue;
      if (g_str_equal (decl->name, declared->name) || g_str_equal (decl->name, relation))
        found = decl->related_name;
    }

  return found;
}

static const GormSchema *
lookup_quietly (GType type)
{
  if (!g_type_is_a (type, GORM_TYPE_RESOURCE) || G_TYPE_IS_ABSTRACT (type))
    return NULL;
  return gorm_schema_lookup (type, NULL);
}

static gboolean
column_is_unique (const GormColumn *column)
{
  return (column->flags & (GORM_COLUMN_UNIQUE | GORM_COLUMN_PRIMARY_KEY)) != 0;
}

/* The link table columns of a many-to-many relation from @source to
 * @target: "<source>_id" and "<target>_id", or "from_<source>_id" and
 * "to_<source>_id" when both are the same type. */
static void
link_columns (GType   source,
              GType   target,
              char  **source_column,
              char  **target_column)
{
  g_autofree char *source_snake = gorm_schema_type_snake_name (source);
  g_autofree char *target_snake = gorm_schema_type_snake_name (target);

  if (source == target)
    {
      *source_column = g_strdup_printf ("from_%s_id", source_snake);
      *target_column = g_strdup_printf ("to_%s_id", target_snake);
    }
  else
    {
      *source_column = g_strdup_printf ("%s_id", source_snake);
      *target_column = g_strdup_printf ("%s_id", target_snake);
    }
}

static GPtrArray *
derive_relations (const GormSchema *schema,
                  GPtrArray        *all,
                  gboolean         *has_dependents)
{
  GPtrArray *relations = g_ptr_array_new ();
  GType type = schema->type;

  *has_dependents = FALSE;

  /* Forward foreign keys: declared on the type or an ancestor, whose
   * table has the column too. */
  for (guint i = 0; i < all->len; i++)
    {
      const Decl *decl = g_ptr_array_index (all, i);
      const GormColumn *column;
      g_autofree char *name = NULL;
      GormRelation *relation;

      if (decl->kind != DECL_FOREIGN_KEY || !g_type_is_a (type, decl->type))
        continue;
      column = gorm_schema_find_column (schema, decl->name);
      if (column == NULL)
        continue;
      name = forward_name (decl->name);
      relation = g_new0 (GormRelation, 1);
      relation->name = g_intern_string (name);
      relation->query_name = relation->name;
      relation->kind = GORM_RELATION_FORWARD;
      relation->source_type = type;
      relation->target_type = decl->related_type;
      relation->column = column;
      relation->on_delete = decl->on_delete;
      g_ptr_array_add (relations, relation);
    }

  /* Reverse foreign keys: declared by another type (or this one) that
   * points here. */
  for (guint i = 0; i < all->len; i++)
    {
      const Decl *decl = g_ptr_array_index (all, i);
      const GormSchema *referencing;
      const GormColumn *column;
      const char *related_name;
      g_autofree char *snake = NULL;
      GormRelation *relation;

      if (decl->kind != DECL_FOREIGN_KEY || decl->related_type != type)
        continue;
      referencing = lookup_quietly (decl->type);
      column = referencing ? gorm_schema_find_column (referencing, decl->name) : NULL;
      if (column == NULL)
        continue;
      relation = g_new0 (GormRelation, 1);
      relation->kind = GORM_RELATION_REVERSE;
      relation->single = column_is_unique (column);
      snake = gorm_schema_type_snake_name (decl->type);
      related_name = find_related_name (all, decl);
      if (related_name != NULL)
        {
          relation->name = g_intern_string (related_name);
          relation->query_name = relation->name;
        }
      else
        {
          g_autofree char *set = g_strdup_printf ("%s_set", snake);

          relation->name = g_intern_string (relation->single ? snake : set);
          relation->query_name = g_intern_string (snake);
        }
      relation->source_type = type;
      relation->target_type = decl->type;
      relation->column = column;
      relation->on_delete = decl->on_delete;
      g_ptr_array_add (relations, relation);
      *has_dependents = TRUE;
    }

  /* Many-to-many, from the declaring side, then from the other. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < all->len; i++)
      {
        const Decl *decl = g_ptr_array_index (all, i);
        gboolean forward = pass == 0;
        const GormSchema *declaring;
        g_autofree char *link_table = NULL;
        g_autofree char *declaring_column = NULL;
        g_autofree char *related_column = NULL;
        GormRelation *relation;

        if (decl->kind != DECL_MANY_TO_MANY)
          continue;
        if (forward ? !g_type_is_a (type, decl->type) : decl->related_type != type)
          continue;
        declaring = forward ? schema : lookup_quietly (decl->type);
        if (declaring == NULL)
          continue;

        relation = g_new0 (GormRelation, 1);
        relation->kind = GORM_RELATION_MANY_TO_MANY;
        relation->source_type = type;
        relation->target_type = forward ? decl->related_type : decl->type;
        link_table = g_strdup_printf ("%s_%s", declaring->table, decl->name);
        relation->link_table = g_intern_string (link_table);
        link_columns (forward ? type : decl->type, decl->related_type,
                      &declaring_column, &related_column);
        relation->link_source_column = g_intern_string (forward ? declaring_column : related_column);
        relation->link_target_column = g_intern_string (forward ? related_column : declaring_column);
        relation->on_delete = GORM_ON_DELETE_CASCADE;
        if (forward)
          {
            relation->name = g_intern_string (decl->name);
            relation->query_name = relation->name;
          }
        else
          {
            const char *related_name = find_related_name (all, decl);
            g_autofree char *snake = gorm_schema_type_snake_name (decl->type);
            g_autofree char *set = g_strdup_printf ("%s_set", snake);

            relation->name = g_intern_string (related_name ? related_name : set);
            relation->query_name = g_intern_string (related_name ? related_name : snake);
          }
        g_ptr_array_add (relations, relation);
        *has_dependents = TRUE;
      }

  g_ptr_array_add (relations, NULL);
  return relations;
}

/* The relations of @schema's type, derived again when a class declared
 * something since. */
static TypeRelations *
type_relations (const GormSchema *schema)
{
  TypeRelations *found;
  g_autoptr(GPtrArray) all = NULL;
  GPtrArray *relations;
  gboolean has_dependents;
  guint snapshot_generation;

  g_mutex_lock (&relation_lock);
  found = relations_by_type
    ? g_hash_table_lookup (relations_by_type, GSIZE_TO_POINTER (schema->type))
    : NULL;
  if (found != NULL && found->generation == generation)
    {
      g_mutex_unlock (&relation_lock);
      return found;
    }
  g_mutex_unlock (&relation_lock);

  /* Derived without the lock: looking the other types' schemas up may
   * initialize their classes, which record declarations. */
  all = snapshot_decls (&snapshot_generation);
  relations = derive_relations (schema, all, &has_dependents);

  g_mutex_lock (&relation_lock);
  if (relations_by_type == NULL)
    relations_by_type = g_hash_table_new (NULL, NULL);
  if (derived == NULL)
    derived = g_ptr_array_new ();
  g_ptr_array_add (derived, relations);
  found = g_hash_table_lookup (relations_by_type, GSIZE_TO_POINTER (schema->type));
  if (found == NULL)
    {
      found = g_new0 (TypeRelations, 1);
      g_hash_table_insert (relations_by_type, GSIZE_TO_POINTER (schema->type), found);
    }
  /* A thread that derived from a later generation meanwhile wins. */
  if (found->relations == NULL || found->generation < snapshot_generation)
    {
      found->relations = relations;
      found->has_dependents = has_dependents;
      found->generation = snapshot_generation;
    }
  g_mutex_unlock (&relation_lock);

  return found;
}

const GormRelation * const *
gorm_schema_get_relations (const GormSchema *schema,
                           guint            *n_relations)
{
  TypeRelations *relations = type_relations (schema);
  GPtrArray *array;

  g_mutex_lock (&relation_lock);
  array = relations->relations;
  g_mutex_unlock (&relation_lock);

  if (n_relations != NULL)
    *n_relations = array->len - 1;
  return (const GormRelation * const *) array->pdata;
}

gboolean
gorm_schema_has_dependents (const GormSchema *schema)
{
  TypeRelations *relations = type_relations (schema);
  gboolean has_dependents;

  g_mutex_lock (&relation_lock);
  has_dependents = relations->has_dependents;
  g_mutex_unlock (&relation_lock);

  return has_dependents;
}

const GormRelation *
gorm_schema_find_relation (const GormSchema *schema,
                           const char       *name,
                           GError          **error)
{
  const GormRelation * const *relations;
  g_autofree char *copy = NULL;
  const char *wanted;

  g_return_val_if_fail (schema != NULL, NULL);

  if (name == NULL)
    name = "";
  /* A name without a dash is its own underscored form: no copy for the
   * names the bindings give on each call (peek_related() per object). */
  wanted = strchr (name, '-') != NULL ? (copy = underscored (name)) : name;
  relations = gorm_schema_get_relations (schema, NULL);
  /* Names first, then query names: a relation named "choice" wins over the
   * query name of a default "choice_set". */
  for (guint i = 0; relations[i] != NULL; i++)
    if (g_str_equal (relations[i]->name, wanted))
      return relations[i];
  for (guint i = 0; relations[i] != NULL; i++)
    if (g_str_equal (relations[i]->query_name, wanted))
      return relations[i];

  g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
               "%s has no relation “%s”", schema->type_name, name);
  return NULL;
}

const GormRelation *
gorm_schema_relation_for_column (const GormSchema *schema,
                                 const GormColumn *column)
{
  const GormRelation * const *relations = gorm_schema_get_relations (schema, NULL);

  for (guint i = 0; relations[i] != NULL; i++)
    if (relations[i]->kind == GORM_RELATION_FORWARD && relations[i]->column == column)
      return relations[i];
  return NULL;
}

const char *
gorm_relation_on_delete_sql (GormOnDelete on_delete)
{
  /* PROTECT is libgorm's check, before the statement; the database is
   * left with its default, which refuses too. */
  static const char * const words[] = {
    [GORM_ON_DELETE_CASCADE] = "CASCADE",
    [GORM_ON_DELETE_PROTECT] = "NO ACTION",
    [GORM_ON_DELETE_RESTRICT] = "RESTRICT",
    [GORM_ON_DELETE_SET_NULL] = "SET NULL",
    [GORM_ON_DELETE_SET_DEFAULT] = "SET DEFAULT",
    [GORM_ON_DELETE_DO_NOTHING] = "NO ACTION",
  };

  return (guint) on_delete < G_N_ELEMENTS (words) ? words[on_delete] : "NO ACTION";
}

gboolean
gorm_relation_declares_key (GType       type,
                            const char *property)
{
  g_autofree char *name = underscored (property);
  gboolean declared = FALSE;

  g_mutex_lock (&relation_lock);
  for (guint i = 0; decls != NULL && i < decls->len && !declared; i++)
    {
      const Decl *decl = g_ptr_array_index (decls, i);

      declared = decl->kind == DECL_FOREIGN_KEY && g_type_is_a (type, decl->type) &&
                 g_str_equal (decl->name, name);
    }
  g_mutex_unlock (&relation_lock);

  return declared;
}

const char *
gorm_relation_on_delete_name (GormOnDelete on_delete)
{
  static const char * const names[] = {
    [GORM_ON_DELETE_CASCADE] = "CASCADE",
    [GORM_ON_DELETE_PROTECT] = "PROTECT",
    [GORM_ON_DELETE_RESTRICT] = "RESTRICT",
    [GORM_ON_DELETE_SET_NULL] = "SET_NULL",
    [GORM_ON_DELETE_SET_DEFAULT] = "SET_DEFAULT",
    [GORM_ON_DELETE_DO_NOTHING] = "DO_NOTHING",
  };

  return (guint) on_delete < G_N_ELEMENTS (names) ? names[on_delete] : "?";
}

static gboolean
check_foreign_key (const GormSchema  *schema,
                   const Decl        *decl,
                   GError           **error)
{
  const GormColumn *column = gorm_schema_find_column (schema, decl->name);
  const GormSchema *related;
  g_autoptr(GError) related_error = NULL;

  if (column == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                   "%s has no stored property “%s”, named by "
                   "gorm_resource_class_set_foreign_key()",
                   schema->type_name, decl->name);
      return FALSE;
    }
  if (!g_type_is_a (decl->related_type, GORM_TYPE_RESOURCE) ||
      G_TYPE_IS_ABSTRACT (decl->related_type))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE,
                   "%s:%s is a foreign key to %s, which is not a concrete subclass "
                   "of GormResource", schema->type_name, column->pspec->name,
                   g_type_name (decl->related_type));
      return FALSE;
    }
  related = gorm_schema_lookup (decl->related_type, &related_error);
  if (related == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "%s:%s is a foreign key to %s, whose schema is not valid: %s",
                   schema->type_name, column->pspec->name,
                   g_type_name (decl->related_type), related_error->message);
      return FALSE;
    }
  if (related->key->pspec->value_type != column->pspec->value_type)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE,
                   "%s:%s is a %s property; as a foreign key to %s it must have the "
                   "type of %s's key “%s”, %s",
                   schema->type_name, column->pspec->name,
                   g_type_name (column->pspec->value_type),
                   related->type_name, related->type_name, related->key->pspec->name,
                   g_type_name (related->key->pspec->value_type));
      return FALSE;
    }
  if (decl->on_delete == GORM_ON_DELETE_SET_NULL && !gorm_column_is_nullable (column))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "%s:%s is a foreign key to %s with on_delete %s, but its column "
                   "cannot hold NULL: mark it with gorm_resource_class_set_nullable()",
                   schema->type_name, column->pspec->name, related->type_name,
                   gorm_relation_on_delete_name (decl->on_delete));
      return FALSE;
    }
  if ((guint) decl->on_delete > GORM_ON_DELETE_DO_NOTHING)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "%s:%s is a foreign key with the unknown on_delete action %d",
                   schema->type_name, column->pspec->name, (int) decl->on_delete);
      return FALSE;
    }

  return TRUE;
}

gboolean
gorm_schema_check_relations (const GormSchema  *schema,
                             GError           **error)
{
  g_autoptr(GPtrArray) all = NULL;
  const GormRelation * const *relations;
  guint snapshot_generation;

  all = snapshot_decls (&snapshot_generation);
  for (guint i = 0; i < all->len; i++)
    {
      const Decl *decl = g_ptr_array_index (all, i);

      if (!g_type_is_a (schema->type, decl->type))
        continue;
      if (decl->kind == DECL_FOREIGN_KEY && !check_foreign_key (schema, decl, error))
        return FALSE;
      if (decl->kind == DECL_MANY_TO_MANY &&
          (!g_type_is_a (decl->related_type, GORM_TYPE_RESOURCE) ||
           G_TYPE_IS_ABSTRACT (decl->related_type) ||
           gorm_schema_lookup (decl->related_type, NULL) == NULL))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE,
                       "%s:%s is a many-to-many relation to %s, which is not a valid "
                       "concrete subclass of GormResource",
                       schema->type_name, decl->name, g_type_name (decl->related_type));
          return FALSE;
        }
    }

  relations = gorm_schema_get_relations (schema, NULL);
  for (guint i = 0; relations[i] != NULL; i++)
    {
      if (gorm_schema_find_column (schema, relations[i]->name) != NULL &&
          relations[i]->kind != GORM_RELATION_FORWARD)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                       "The relation “%s” of %s (from %s) has the name of a property "
                       "of %s: give it another with gorm_resource_class_set_related_name()",
                       relations[i]->name, schema->type_name,
                       g_type_name (relations[i]->target_type), schema->type_name);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (g_str_equal (relations[i]->name, relations[j]->name))
          {
            g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                         "%s has two relations named “%s” (to %s and to %s): give one "
                         "another name with gorm_resource_class_set_related_name()",
                         schema->type_name, relations[i]->name,
                         g_type_name (relations[j]->target_type),
                         g_type_name (relations[i]->target_type));
            return FALSE;
          }
    }

  return TRUE;
}
