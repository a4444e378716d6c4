/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-database-private.h"
#include "gorm-error.h"
#include "gorm-mapper-private.h"
#include "gorm-query-private.h"
#include "gorm-relation-private.h"
#include "gorm-resource-private.h"
#include "gorm-value-private.h"

/*
 * The relations of an object (see gorm-relation.c for the declarations):
 * loading the object a foreign key refers to, the queries of reverse and
 * many-to-many relations, and the links of many-to-many relations.
 *
 * What an object caches of its relations lives in one RelationCache, set
 * in the object at the first need, so that an object of a type without
 * relations carries a NULL pointer and checks nothing more. A cached related object is
 * kept with the key it was loaded for: when the key property changes, the
 * key no longer matches and the entry is ignored, with no work at the
 * change itself.
 *
 * The cache holds weak references only: related objects refer to each
 * other both ways (a choice to its question, the question to its
 * prefetched choices), and strong references would make cycles that C
 * never frees. What keeps them alive is whoever asked for them: the caller
 * of get_related(), the model page that joined or prefetched them
 * (gorm-query-model.c), the object first() returned.
 *
 * The object of a foreign key is most often the one the identity map
 * gives for the key: then nothing is cached, and a lookup asks the map.
 * A GWeakRef per referring object would cost more than the map's lookup:
 * GLib keeps an object's weak references in a list under one global
 * lock, and a select_related of 20,000 posts by 200 authors spent a
 * quarter of its time setting and clearing them. The cache keeps only
 * what the map cannot give: a related object of another database, or
 * one set while @self has no database.
 */

typedef struct _CachedRelated CachedRelated;

struct _CachedRelated
{
  CachedRelated *next;
  const char    *relation; /* the relation's name (interned) */
  GValue         key;      /* the SQL value of the key the object has */
  GWeakRef       object;
};

/* An object has few relations: its cached objects are a list, which a
 * query that joins a related object to each of its rows fills without a
 * table per row. */
typedef struct
{
  CachedRelated *related;
  GHashTable    *prefetched;  /* relation name (interned) → GWeakRef of a GListStore, or NULL */
} RelationCache;

/* One lock for every object's cache: entries are set and read in short
 * steps, from the main context mostly. */
static GMutex cache_lock;

static void
cached_related_free (CachedRelated *cached)
{
  g_value_unset (&cached->key);
  g_weak_ref_clear (&cached->object);
  g_free (cached);
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

void
gorm_resource_free_relation_cache (gpointer data)
{
  RelationCache *cache = data;

  while (cache->related != NULL)
    {
      CachedRelated *next = cache->related->next;

      cached_related_free (cache->related);
      cache->related = next;
    }
  g_clear_pointer (&cache->prefetched, g_hash_table_unref);
  g_free (cache);
}

/* With cache_lock held. */
static RelationCache *
cache_of_locked (GormResource *self,
                 gboolean      create)
{
  RelationCache **cache = (RelationCache **) gorm_resource_get_relation_cache_slot (self);

  if (*cache == NULL && create)
    *cache = g_new0 (RelationCache, 1);
  return *cache;
}

/* The entry of @relation in @cache, or where a new one goes. With
 * cache_lock held. */
static CachedRelated **
find_cached_locked (RelationCache *cache,
                    const char    *relation)
{
  CachedRelated **link = &cache->related;

  while (*link != NULL && (*link)->relation != relation)
    link = &(*link)->next;
  return link;
}

/* The object cached for @relation and @key, a new reference, or NULL. */
static gpointer
cache_lookup (GormResource       *self,
              const GormRelation *relation,
              const GValue       *key)
{
  RelationCache *cache;
  CachedRelated *cached;
  gpointer object = NULL;

  g_mutex_lock (&cache_lock);
  cache = cache_of_locked (self, FALSE);
  cached = cache ? *find_cached_locked (cache, relation->name) : NULL;
  if (cached != NULL && gorm_value_key_equal (&cached->key, key))
    object = g_weak_ref_get (&cached->object);
  g_mutex_unlock (&cache_lock);

  if (object != NULL && !gorm_resource_is_saved (object))
    g_clear_object (&object);
  return object;
}

static gpointer lookup_live (GormResource       *self,
                             const GormRelation *relation,
                             const GValue       *key);

/* Drops the entry of @relation, if any. */
static void
cache_forget (GormResource       *self,
              const GormRelation *relation)
{
  RelationCache *cache;
  CachedRelated **link;

  g_mutex_lock (&cache_lock);
  cache = cache_of_locked (self, FALSE);
  link = cache ? find_cached_locked (cache, relation->name) : NULL;
  if (link != NULL && *link != NULL)
    {
      CachedRelated *found = *link;

      *link = found->next;
      cached_related_free (found);
    }
  g_mutex_unlock (&cache_lock);
}

static void
cache_store (GormResource       *self,
             const GormRelation *relation,
             const GValue       *key,
             gpointer            object)
{
  CachedRelated *cached;
  CachedRelated **link;

  /* What the identity map gives for the key needs no entry (see the top
   * of this file); an older entry would hide it. */
  if (relation->kind == GORM_RELATION_FORWARD)
    {
      g_autoptr(GObject) live = lookup_live (self, relation, key);

      if (live == object)
        {
          cache_forget (self, relation);
          return;
        }
    }

  cached = g_new0 (CachedRelated, 1);
  cached->relation = relation->name;
  g_value_init (&cached->key, G_VALUE_TYPE (key));
  g_value_copy (key, &cached->key);
  g_weak_ref_init (&cached->object, object);

  g_mutex_lock (&cache_lock);
  link = find_cached_locked (cache_of_locked (self, TRUE), relation->name);
  if (*link != NULL)
    {
      cached->next = (*link)->next;
      cached_related_free (*link);
    }
  *link = cached;
  g_mutex_unlock (&cache_lock);
}

void
gorm_resource_cache_related (GormResource       *self,
                             const GormRelation *relation,
                             const GValue       *key,
                             GormResource       *related)
{
  cache_store (self, relation, key, related);
}

void
gorm_resource_set_prefetched (GormResource       *self,
                              const GormRelation *relation,
                              GListModel         *objects)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);
  RelationCache *cache;

  g_weak_ref_init (ref, objects);
  g_mutex_lock (&cache_lock);
  cache = cache_of_locked (self, TRUE);
  if (cache->prefetched == NULL)
    cache->prefetched = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) weak_ref_free);
  g_hash_table_replace (cache->prefetched, (gpointer) relation->name, ref);
  g_mutex_unlock (&cache_lock);
}

static const GormRelation *
find_relation (GormResource  *self,
               const char    *name,
               GError       **error)
{
  const GormSchema *schema = gorm_resource_get_schema (self, error);

  return schema ? gorm_schema_find_relation (schema, name, error) : NULL;
}

static gboolean
refuse_kind (GormResource       *self,
             const GormRelation *relation,
             const char         *wanted,
             GError            **error)
{
  static const char * const kinds[] = {
    [GORM_RELATION_FORWARD] = "a foreign key",
    [GORM_RELATION_REVERSE] = "the reverse of a foreign key",
    [GORM_RELATION_MANY_TO_MANY] = "a many-to-many relation",
  };

  g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
               "The relation “%s” of %s (to %s) is %s%s; %s",
               relation->name, G_OBJECT_TYPE_NAME (self), g_type_name (relation->target_type),
               kinds[relation->kind],
               relation->kind == GORM_RELATION_REVERSE && !relation->single ? " to many objects" : "",
               wanted);
  return FALSE;
}

/* The SQL value of the key @self's foreign key @relation holds; FALSE
 * without error when it holds none (NULL, or 0 for an automatic id). */
static gboolean
forward_key (GormResource        *self,
             const GormRelation  *relation,
             GValue              *key,
             GError             **error)
{
  const GormColumn *column = relation->column;
  GParamSpec *pspec = column->pspec;
  g_auto(GValue) value = G_VALUE_INIT;
  guint slot;

  /* A number key marked NULL holds its default value: it refers to none. */
  if (gorm_column_marks_null (column) &&
      gorm_row_state_is_null (gorm_row_state_of (self), column->index))
    return FALSE;
  /* The usual key, a gint64 property: its SQL value is the same gint64,
   * as gorm_value_to_sql() makes it, without its checks of any value
   * (peek_related() per object). A binding's model keeps it in a slot of
   * the object (its own class's property, as gorm_mapper_get_property()
   * reads it directly): read there, without a copy through get_property.
   * An object of a class written in C holds no kept values: its
   * property's slot is not looked up. */
  if (column->kind == GORM_VALUE_KIND_INT && pspec->value_type == G_TYPE_INT64 &&
      pspec->owner_type == G_OBJECT_TYPE (self) && gorm_resource_has_kept (self) &&
      (slot = gorm_resource_kept_slot (pspec)) != 0)
    {
      const GValue *kept = gorm_resource_peek_kept (self, slot);

      g_value_init (key, G_TYPE_INT64);
      g_value_set_int64 (key, g_value_get_int64 (kept != NULL ? kept
                                                 : g_param_spec_get_default_value (pspec)));
    }
  else
    {
      g_value_init (&value, pspec->value_type);
      gorm_mapper_get_property (G_OBJECT (self), pspec, &value);
      if (column->kind == GORM_VALUE_KIND_INT && G_VALUE_TYPE (&value) == G_TYPE_INT64)
        {
          g_value_init (key, G_TYPE_INT64);
          g_value_set_int64 (key, g_value_get_int64 (&value));
        }
      else if (!gorm_value_to_sql (column->kind, pspec, &value, key, error))
        return FALSE;
    }
  if (gorm_value_is_sql_null (key))
    {
      g_value_unset (key);
      return FALSE;
    }
  /* Only a 0 needs the target's schema (an automatic id is never 0): it
   * is looked up then, not for every key (peek_related() per object). */
  if (G_VALUE_HOLDS_INT64 (key) && g_value_get_int64 (key) == 0)
    {
      const GormSchema *target = gorm_schema_lookup (relation->target_type, error);

      if (target == NULL || gorm_schema_has_auto_id (target))
        {
          g_value_unset (key);
          return FALSE;
        }
    }
  return TRUE;
}

/* The SQL value of @self's own key, which must be saved. */
static gboolean
own_key (GormResource        *self,
         const GormRelation  *relation,
         const char          *action,
         GValue              *key,
         GError             **error)
{
  const GormSchema *schema = gorm_resource_get_schema (self, error);
  g_auto(GValue) value = G_VALUE_INIT;

  if (schema == NULL)
    return FALSE;
  if (!gorm_resource_is_saved (self))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot %s the relation “%s” of a %s that is not saved: save it first",
                   action, relation->name, G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  g_value_init (&value, schema->key->pspec->value_type);
  g_object_get_property (G_OBJECT (self), schema->key->pspec->name, &value);
  return gorm_value_to_sql (schema->key->kind, schema->key->pspec, &value, key, error);
}

/* The live object of @key of @relation's target, a new reference, or NULL. */
static gpointer
lookup_live (GormResource       *self,
             const GormRelation *relation,
             const GValue       *key)
{
  GormDatabase *database = gorm_resource_resolve_database (self, NULL);

  if (database == NULL)
    return NULL;
  return gorm_identity_map_lookup (gorm_database_get_mapper_host (database)->identity,
                                   relation->target_type, key);
}

/* A query of the single object on the other side of a one-to-one
 * relation's reverse. */
static GormQuery *new_related_query (GormResource       *self,
                                     GormDatabase       *database,
                                     const GormRelation *relation,
                                     GError            **error);

typedef enum {
  PLAN_ERROR,
  PLAN_DONE,     /* the answer is known: plan->object (maybe NULL) */
  PLAN_BY_KEY,   /* load the target by plan->key */
  PLAN_QUERY,    /* run plan->query's first() */
} PlanKind;

typedef struct
{
  PlanKind            kind;
  const GormRelation *relation;
  GormDatabase       *database;
  GValue              key;
  gpointer            object;
  GormQuery          *query;
} Plan;

static void
plan_clear (Plan *plan)
{
  if (G_IS_VALUE (&plan->key))
    g_value_unset (&plan->key);
  g_clear_object (&plan->object);
  g_clear_object (&plan->query);
}

/* What loading @name of @self takes: the answer at once (from the cache,
 * the identity map or a key that refers to nothing), a load by key or a
 * query. */
static PlanKind
plan_get_related (GormResource  *self,
                  const char    *name,
                  Plan          *plan,
                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  plan->relation = find_relation (self, name, error);
  if (plan->relation == NULL)
    return plan->kind = PLAN_ERROR;
  plan->database = gorm_resource_resolve_database (self, error);
  if (plan->database == NULL)
    return plan->kind = PLAN_ERROR;

  if (plan->relation->kind == GORM_RELATION_FORWARD)
    {
      if (!forward_key (self, plan->relation, &plan->key, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return plan->kind = PLAN_ERROR;
            }
          return plan->kind = PLAN_DONE;
        }
      plan->object = cache_lookup (self, plan->relation, &plan->key);
      if (plan->object == NULL)
        plan->object = lookup_live (self, plan->relation, &plan->key);
      return plan->kind = plan->object != NULL ? PLAN_DONE : PLAN_BY_KEY;
    }

  if (plan->relation->kind == GORM_RELATION_REVERSE && plan->relation->single)
    {
      if (!own_key (self, plan->relation, "load", &plan->key, error))
        return plan->kind = PLAN_ERROR;
      plan->object = cache_lookup (self, plan->relation, &plan->key);
      if (plan->object != NULL)
        return plan->kind = PLAN_DONE;
      plan->query = new_related_query (self, plan->database, plan->relation, error);
      return plan->kind = plan->query ? PLAN_QUERY : PLAN_ERROR;
    }

  refuse_kind (self, plan->relation, "list its objects with gorm_resource_query_related()", error);
  return plan->kind = PLAN_ERROR;
}

/**
 * gorm_resource_get_related:
 * @self: a resource
 * @relation: the name of a foreign key relation of @self (`question` for
 *   the property `question-id`), or of the reverse of a one-to-one key
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Loads the object @self refers to through @relation: the object whose
 * key the foreign key property holds. It comes through the identity map,
 * so it is the live object of its row when there is one, and @self
 * remembers it: while it is alive (@self holds a weak reference, so that
 * objects that refer to each other are still freed), the next call and
 * [method@Gorm.Resource.peek_related] return it without reading the
 * database, until the key property changes.
 *
 * For the reverse of a one-to-one relation (see
 * [method@Gorm.ResourceClass.set_foreign_key]), the one object that refers
 * to @self, which must be saved.
 *
 * This call BLOCKS on the database when the object is not loaded yet: in
 * a program with a main loop, use [method@Gorm.Resource.get_related_async].
 *
 * Returns: (transfer full) (nullable) (type Gorm.Resource): the related
 *   object, or %NULL without error when the key holds none (%NULL, or 0
 *   for an automatic id) or no object refers to @self one-to-one; %NULL
 *   with @error set otherwise: %GORM_ERROR_UNKNOWN_PROPERTY when @relation
 *   is not a relation of @self to one object, %GORM_ERROR_NOT_FOUND when
 *   the key refers to no row, %GORM_ERROR_VALIDATION for the reverse of a
 *   one-to-one relation of an object that is not saved
 *
 * Since: 1.0
 */
gpointer
gorm_resource_get_related (GormResource  *self,
                           const char    *relation,
                           GCancellable  *cancellable,
                           GError       **error)
{
  Plan plan = { 0, };
  gpointer object = NULL;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), NULL);
  g_return_val_if_fail (relation != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (plan_get_related (self, relation, &plan, error))
    {
    case PLAN_ERROR:
      break;
    case PLAN_DONE:
      object = g_steal_pointer (&plan.object);
      break;
    case PLAN_BY_KEY:
      object = gorm_database_get_by_key (plan.database, plan.relation->target_type, &plan.key,
                                         cancellable, error);
      if (object != NULL)
        cache_store (self, plan.relation, &plan.key, object);
      break;
    case PLAN_QUERY:
      {
        g_autoptr(GError) local_error = NULL;

        object = gorm_query_first (plan.query, cancellable, &local_error);
        if (object != NULL)
          cache_store (self, plan.relation, &plan.key, object);
        else if (local_error != NULL)
          g_propagate_error (error, g_steal_pointer (&local_error));
      }
      break;
    }

  plan_clear (&plan);
  return object;
}

/* The by-key load or the first() of a get_related_async() completes the
 * task with its result, which gorm_resource_get_related_finish() then
 * finishes: the object is made in the caller's finish, as the by-key
 * load's and first()'s own finish make theirs, so that a binding that
 * keeps the objects made while its finish runs (the Python override's
 * collect()) keeps this one too. */
typedef gpointer (*InnerFinish) (gpointer       source,
                                 GAsyncResult  *result,
                                 GError       **error);

typedef struct
{
  Plan          plan;
  GObject      *inner_source;
  GAsyncResult *inner_result;
  InnerFinish   inner_finish;
} GetRelatedData;

static void
get_related_data_free (GetRelatedData *data)
{
  plan_clear (&data->plan);
  g_clear_object (&data->inner_source);
  g_clear_object (&data->inner_result);
  g_free (data);
}

static void
got_inner (GTask        *task,
           GObject      *source,
           GAsyncResult *result,
           InnerFinish   finish)
{
  GetRelatedData *data = g_task_get_task_data (task);

  data->inner_source = g_object_ref (source);
  data->inner_result = g_object_ref (result);
  data->inner_finish = finish;
  g_task_return_boolean (task, TRUE);
}

static void
got_by_key_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  got_inner (task, source, result, (InnerFinish) gorm_database_get_by_key_finish);
}

static void
got_first_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  got_inner (task, source, result, (InnerFinish) gorm_query_first_finish);
}

/**
 * gorm_resource_get_related_async:
 * @self: a resource
 * @relation: the name of a relation of @self to one object
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the related object
 * @user_data: data for @callback
 *
 * Loads the object @self refers to through @relation, as
 * [method@Gorm.Resource.get_related] does, on the worker thread of the
 * database when it must be read. The object is made, and kept as the
 * object @self refers to, by [method@Gorm.Resource.get_related_finish]
 * in @callback: a call never finished reads the row and makes no
 * object. An object already loaded completes the call at the next main
 * loop iteration, without reading the database.
 *
 * Since: 1.0
 */
void
gorm_resource_get_related_async (GormResource        *self,
                                 const char          *relation,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GetRelatedData *data;
  GError *error = NULL;

  g_return_if_fail (GORM_IS_RESOURCE (self));
  g_return_if_fail (relation != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gorm_resource_get_related_async);
  data = g_new0 (GetRelatedData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) get_related_data_free);

  switch (plan_get_related (self, relation, &data->plan, &error))
    {
    case PLAN_ERROR:
      g_task_return_error (task, error);
      break;
    case PLAN_DONE:
      g_task_return_pointer (task, g_steal_pointer (&data->plan.object), g_object_unref);
      break;
    case PLAN_BY_KEY:
      gorm_database_get_by_key_async (data->plan.database, data->plan.relation->target_type,
                                      &data->plan.key, cancellable, got_by_key_cb,
                                      g_steal_pointer (&task));
      break;
    case PLAN_QUERY:
      gorm_query_first_async (data->plan.query, cancellable, got_first_cb,
                              g_steal_pointer (&task));
      break;
    }
}

/**
 * gorm_resource_get_related_finish:
 * @self: a resource
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Resource.get_related_async].
 *
 * Returns: (transfer full) (nullable) (type Gorm.Resource): the related
 *   object, or %NULL (with @error set on failure), as
 *   [method@Gorm.Resource.get_related] returns
 *
 * Since: 1.0
 */
gpointer
gorm_resource_get_related_finish (GormResource  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  GetRelatedData *data;
  gpointer object;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, gorm_resource_get_related_async), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (data->inner_result == NULL)
    return g_task_propagate_pointer (G_TASK (result), error);
  /* Completed by the load (see got_inner()); cancelled since, it gives
   * the cancellation, as a task completed with the object would. */
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  object = data->inner_finish (data->inner_source, data->inner_result, error);
  if (object != NULL)
    cache_store (self, data->plan.relation, &data->plan.key, object);
  return object;
}

/**
 * gorm_resource_peek_related:
 * @self: a resource
 * @relation: the name of a relation of @self to one object
 *
 * The object @self refers to through @relation when it is at hand: alive
 * and loaded by [method@Gorm.Resource.get_related] or by a query's
 * [method@Gorm.Query.select_related] (whose model holds it with its page)
 * with the key unchanged since, or alive in the identity map. Never
 * touches the database.
 *
 * Returns: (transfer none) (nullable) (type Gorm.Resource): the related
 *   object, or %NULL when it is not at hand, the key holds none, or
 *   @relation is not a relation of @self to one object
 *
 * Since: 1.0
 */
gpointer
gorm_resource_peek_related (GormResource *self,
                            const char   *relation)
{
  const GormRelation *found;
  g_auto(GValue) key = G_VALUE_INIT;
  g_autoptr(GObject) object = NULL;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), NULL);
  g_return_val_if_fail (relation != NULL, NULL);

  found = find_relation (self, relation, NULL);
  if (found == NULL)
    return NULL;
  if (found->kind == GORM_RELATION_FORWARD)
    {
      if (!forward_key (self, found, &key, NULL))
        return NULL;
      object = cache_lookup (self, found, &key);
      if (object == NULL)
        object = lookup_live (self, found, &key);
    }
  else if (found->kind == GORM_RELATION_REVERSE && found->single &&
           own_key (self, found, "peek", &key, NULL))
    object = cache_lookup (self, found, &key);

  /* Transfer none: the object is alive through its other holders (the
   * cache's reference is weak), which outlive this call's. */
  return object;
}

/**
 * gorm_resource_set_related:
 * @self: a resource
 * @relation: the name of a foreign key relation of @self
 * @related: (nullable): the object @self refers to, or %NULL for none
 * @error: return location for an error
 *
 * Makes @self refer to @related through @relation: sets the foreign key
 * property to the key of @related (which notifies it and marks @self
 * changed), and keeps @related for [method@Gorm.Resource.peek_related].
 * Save @self to store it. %NULL sets the key to `NULL`, which needs a
 * nullable key property.
 *
 * Returns: %TRUE on success; %FALSE with @error set and @self unchanged:
 *   %GORM_ERROR_VALIDATION when @related is not saved or the key cannot be
 *   %NULL, %GORM_ERROR_TYPE_MISMATCH when @related is not of the related
 *   type, %GORM_ERROR_UNKNOWN_PROPERTY when @relation is not a foreign key
 *   of @self
 *
 * Since: 1.0
 */
gboolean
gorm_resource_set_related (GormResource  *self,
                           const char    *relation,
                           GormResource  *related,
                           GError       **error)
{
  const GormRelation *found;
  const GormSchema *target;
  const GormColumn *column;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) key = G_VALUE_INIT;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (relation != NULL, FALSE);
  g_return_val_if_fail (related == NULL || GORM_IS_RESOURCE (related), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  found = find_relation (self, relation, error);
  if (found == NULL)
    return FALSE;
  if (found->kind != GORM_RELATION_FORWARD)
    return refuse_kind (self, found, "only a foreign key is set", error);
  column = found->column;
  target = gorm_schema_lookup (found->target_type, error);
  if (target == NULL)
    return FALSE;

  if (related == NULL)
    {
      if (!gorm_column_is_nullable (column))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "%s:%s cannot be NULL: the relation “%s” needs an object "
                       "(make the key nullable with gorm_resource_class_set_nullable())",
                       G_OBJECT_TYPE_NAME (self), column->pspec->name, found->name);
          return FALSE;
        }
      return gorm_resource_set_null (self, column->pspec->name, error);
    }

  if (!g_type_is_a (G_OBJECT_TYPE (related), found->target_type))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "%s:%s refers to a %s, not to a %s (relation “%s”)",
                   G_OBJECT_TYPE_NAME (self), column->pspec->name,
                   g_type_name (found->target_type), G_OBJECT_TYPE_NAME (related), found->name);
      return FALSE;
    }
  if (!gorm_resource_is_saved (related))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot make %s:%s refer to a %s that is not saved: save it first",
                   G_OBJECT_TYPE_NAME (self), column->pspec->name, G_OBJECT_TYPE_NAME (related));
      return FALSE;
    }

  g_value_init (&value, target->key->pspec->value_type);
  gorm_resource_get_pspec_value (related, target->key->pspec, &value);
  if (!gorm_value_to_sql (target->key->kind, target->key->pspec, &value, &key, error))
    return FALSE;
  if (G_VALUE_TYPE (&value) != column->pspec->value_type)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "%s:%s is a %s property; the key of %s is a %s",
                   G_OBJECT_TYPE_NAME (self), column->pspec->name,
                   g_type_name (column->pspec->value_type), G_OBJECT_TYPE_NAME (related),
                   G_VALUE_TYPE_NAME (&value));
      return FALSE;
    }
  cache_store (self, found, &key, related);
  gorm_resource_set_pspec_value (self, column->pspec, &value);
  return TRUE;
}

/* A leaf condition on @column comparing it with @value (copied). */
static GormCondition *
new_leaf (GormConditionOp   op,
          const GormColumn *column,
          const GValue     *value)
{
  GormCondition *condition = gorm_condition_new_leaf (op, column, 1);

  g_value_init (&condition->values[0], G_VALUE_TYPE (value));
  g_value_copy (value, &condition->values[0]);
  return condition;
}

static GormQuery *
new_related_query (GormResource       *self,
                   GormDatabase       *database,
                   const GormRelation *relation,
                   GError            **error)
{
  GormQuery *query = gorm_database_query (database, relation->target_type);
  const GormSchema *target = gorm_schema_lookup (relation->target_type, NULL);
  g_auto(GValue) key = G_VALUE_INIT;
  GError *local_error = NULL;

  if (target == NULL)
    return query;   /* the query reports its type's error */

  switch (relation->kind)
    {
    case GORM_RELATION_FORWARD:
      if (forward_key (self, relation, &key, &local_error))
        gorm_query_restrict (query, new_leaf (GORM_CONDITION_EQ, target->key, &key));
      else if (local_error == NULL)
        /* No key: no object. A key is never NULL. */
        gorm_query_restrict (query, gorm_condition_new_leaf (GORM_CONDITION_IS_NULL,
                                                             target->key, 0));
      break;

    case GORM_RELATION_REVERSE:
      if (own_key (self, relation, "query", &key, &local_error))
        gorm_query_restrict (query, new_leaf (GORM_CONDITION_EQ, relation->column, &key));
      break;

    case GORM_RELATION_MANY_TO_MANY:
      if (own_key (self, relation, "query", &key, &local_error))
        {
          GormCondition *linked = new_leaf (GORM_CONDITION_LINKED, target->key, &key);

          linked->relation = relation;
          gorm_query_restrict (query, linked);
        }
      break;
    }

  if (local_error != NULL)
    gorm_query_poison (query, local_error);
  (void) error;
  return query;
}

/**
 * gorm_resource_query_related:
 * @self: a resource
 * @relation: the name of a relation of @self: a reverse relation
 *   (`choice_set`), a many-to-many relation from either side (`tags`,
 *   `post_set`), or a foreign key (`question`)
 *
 * A query of the objects on the other side of @relation: the choices of a
 * question, the tags of a post, the posts of a tag. Narrow and order it
 * like any [class@Gorm.Query] and run it: [method@Gorm.Query.fetch], or
 * [method@Gorm.Query.watch] for a live model, which follows the objects
 * saved and deleted, and the links made and undone with
 * [method@Gorm.Resource.link] and [method@Gorm.Resource.unlink].
 *
 * The query does not read @self again: it selects by the key @self has
 * now. Its runners fail with %GORM_ERROR_VALIDATION when @self is not
 * saved (except for a foreign key), and with
 * %GORM_ERROR_UNKNOWN_PROPERTY when @relation is not a relation of @self.
 *
 * Returns: (transfer full) (nullable): a new query, or %NULL when @self
 *   has no database (neither its own nor a default one)
 *
 * Since: 1.0
 */
GormQuery *
gorm_resource_query_related (GormResource *self,
                             const char   *relation)
{
  GormDatabase *database;
  const GormRelation *found;
  GError *error = NULL;
  GormQuery *query;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), NULL);
  g_return_val_if_fail (relation != NULL, NULL);

  database = gorm_resource_resolve_database (self, NULL);
  if (database == NULL)
    return NULL;
  found = find_relation (self, relation, &error);
  if (found == NULL)
    {
      query = gorm_database_query (database, G_OBJECT_TYPE (self));
      gorm_query_poison (query, error);
      return query;
    }
  return new_related_query (self, database, found, NULL);
}

/* Links */

typedef enum {
  LINK_ADD,
  LINK_REMOVE,
  LINK_CLEAR,
} LinkOperation;

static const char * const link_verbs[] = {
  [LINK_ADD] = "link",
  [LINK_REMOVE] = "unlink",
  [LINK_CLEAR] = "clear the links of",
};

/* Checks a link call and reads both keys (@other's only for ADD and
 * REMOVE). */
static const GormRelation *
prepare_link (GormResource   *self,
              const char     *name,
              LinkOperation   operation,
              GormResource   *other,
              GValue         *own,
              GValue         *other_key,
              GError        **error)
{
  const GormRelation *relation = find_relation (self, name, error);
  const GormSchema *target;
  g_auto(GValue) value = G_VALUE_INIT;

  if (relation == NULL)
    return NULL;
  if (relation->kind != GORM_RELATION_MANY_TO_MANY)
    {
      refuse_kind (self, relation, "only a many-to-many relation has links", error);
      return NULL;
    }
  if (!own_key (self, relation, link_verbs[operation], own, error))
    return NULL;
  if (operation == LINK_CLEAR)
    return relation;

  if (!g_type_is_a (G_OBJECT_TYPE (other), relation->target_type))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot %s a %s through the relation “%s” of %s, which links %s objects",
                   link_verbs[operation], G_OBJECT_TYPE_NAME (other), relation->name,
                   G_OBJECT_TYPE_NAME (self), g_type_name (relation->target_type));
      return NULL;
    }
  if (!gorm_resource_is_saved (other))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot %s a %s that is not saved through the relation “%s” of %s: "
                   "save it first",
                   link_verbs[operation], G_OBJECT_TYPE_NAME (other), relation->name,
                   G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  target = gorm_schema_lookup (relation->target_type, error);
  if (target == NULL)
    return NULL;
  g_value_init (&value, target->key->pspec->value_type);
  g_object_get_property (G_OBJECT (other), target->key->pspec->name, &value);
  if (!gorm_value_to_sql (target->key->kind, target->key->pspec, &value, other_key, error))
    return NULL;
  return relation;
}

/* The target keys linked to @own, for the live models of the target type
 * before a clear. */
static GArray *
linked_keys_locked (GormConnection     *connection,
                    const GormDialect  *dialect,
                    const GormRelation *relation,
                    const GValue       *own,
                    GError            **error)
{
  g_autofree char *sql = gorm_dialect_render_link_statement (dialect, relation,
                                                             GORM_LINK_SELECT_TARGETS,
                                                             G_VALUE_TYPE (own));
  const GormSchema *target = gorm_schema_lookup (relation->target_type, error);
  GType types[] = { G_TYPE_NONE, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  GormStatement *statement;
  GValue param = G_VALUE_INIT;
  GArray *keys;

  if (target == NULL)
    return NULL;
  types[0] = gorm_value_kind_get_sql_type (target->key->kind);
  statement = gorm_connection_lookup_locked (connection, sql, error);
  if (statement == NULL)
    return NULL;
  g_value_init (&param, G_VALUE_TYPE (own));
  g_value_copy (own, &param);
  gorm_statement_take_param (statement, 0, &param);
  rows = gorm_connection_select_locked (connection, statement, types, error);
  if (rows == NULL)
    return NULL;

  keys = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (keys, (GDestroyNotify) g_value_unset);
  for (guint i = 0; i < gorm_rows_get_n_rows (rows); i++)
    {
      const GValue *value = gorm_rows_get_value (rows, 0, i, error);
      GValue copy = G_VALUE_INIT;

      if (value == NULL)
        {
          g_array_unref (keys);
          return NULL;
        }
      g_value_init (&copy, G_VALUE_TYPE (value));
      g_value_copy (value, &copy);
      g_array_append_val (keys, copy);
    }
  return keys;
}

/* Writes a link that prepare_link() read on the caller's thread: the
 * worker reads no property (those of a gjs or Python class cannot be read
 * there). */
static gboolean
run_prepared_link (GormResource        *self,
                   const GormRelation  *relation,
                   LinkOperation        operation,
                   const GValue        *own,
                   const GValue        *other_key,
                   GCancellable        *cancellable,
                   GError             **error)
{
  g_autoptr(GArray) targets = NULL;
  g_autofree char *sql = NULL;
  const GormDialect *dialect;
  GormConnection *connection;
  GormStatement *statement;
  GormDatabase *database;
  GCancellable *previous;
  gboolean watched_source;
  gboolean watched_target;
  guint n_params = operation == LINK_CLEAR ? 1 : 2;
  gint64 rows;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  database = gorm_resource_resolve_database (self, error);
  if (database == NULL)
    return FALSE;

  gorm_database_lock (database);
  /* The first use of the source type migrates it, its link tables too. */
  connection = gorm_database_get_mapper_locked (database, relation->source_type, error)
               ? gorm_database_get_connection_locked (database, error) : NULL;
  if (connection == NULL)
    {
      gorm_database_unlock (database);
      return FALSE;
    }
  dialect = gorm_connection_get_dialect (connection);
  watched_source = gorm_database_has_watchers_locked (database, relation->source_type);
  watched_target = gorm_database_has_watchers_locked (database, relation->target_type);

  /* The live models of either side see the objects whose links change:
   * @self on its side, @other (or every object linked, for a clear) on
   * the other. */
  if (operation == LINK_CLEAR)
    {
      if (watched_target)
        {
          targets = linked_keys_locked (connection, dialect, relation, own, error);
          if (targets == NULL)
            {
              gorm_database_unlock (database);
              return FALSE;
            }
        }
    }
  else
    {
      targets = g_array_new (FALSE, TRUE, sizeof (GValue));
      g_array_set_clear_func (targets, (GDestroyNotify) g_value_unset);
      g_array_set_size (targets, 1);
      g_value_init (&g_array_index (targets, GValue, 0), G_VALUE_TYPE (other_key));
      g_value_copy (other_key, &g_array_index (targets, GValue, 0));
    }

  sql = gorm_dialect_render_link_statement (dialect, relation,
                                            operation == LINK_ADD ? GORM_LINK_INSERT
                                            : operation == LINK_REMOVE ? GORM_LINK_DELETE
                                            : GORM_LINK_CLEAR,
                                            G_VALUE_TYPE (own));
  statement = gorm_connection_lookup_locked (connection, sql, error);
  if (statement == NULL)
    {
      gorm_database_unlock (database);
      return FALSE;
    }
  for (guint i = 0; i < n_params; i++)
    {
      GValue param = G_VALUE_INIT;
      const GValue *from = i == 0 ? own : other_key;

      g_value_init (&param, G_VALUE_TYPE (from));
      g_value_copy (from, &param);
      gorm_statement_take_param (statement, i, &param);
    }

  if (watched_source)
    gorm_database_begin_change_locked (database, relation->source_type, own, 1);
  if (watched_target && targets->len > 0)
    gorm_database_begin_change_locked (database, relation->target_type,
                                       (const GValue *) targets->data, targets->len);
  previous = gorm_connection_swap_cancellable_locked (connection, cancellable);
  rows = gorm_connection_execute_locked (connection, statement, error);
  gorm_connection_swap_cancellable_locked (connection, previous);
  if (watched_target && targets->len > 0)
    gorm_database_end_change_locked (database, relation->target_type,
                                     (const GValue *) targets->data, targets->len, FALSE);
  if (watched_source)
    gorm_database_end_change_locked (database, relation->source_type, own, 1, FALSE);
  gorm_database_unlock (database);

  if (rows < 0)
    {
      g_prefix_error (error, "Cannot %s %s through “%s”: ", link_verbs[operation],
                      G_OBJECT_TYPE_NAME (self), relation->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_link (GormResource   *self,
          const char     *name,
          LinkOperation   operation,
          GormResource   *other,
          GCancellable   *cancellable,
          GError        **error)
{
  g_auto(GValue) own = G_VALUE_INIT;
  g_auto(GValue) other_key = G_VALUE_INIT;
  const GormRelation *relation;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  relation = prepare_link (self, name, operation, other, &own, &other_key, error);
  return relation != NULL &&
         run_prepared_link (self, relation, operation, &own, &other_key, cancellable, error);
}

/**
 * gorm_resource_link:
 * @self: a saved resource
 * @relation: the name of a many-to-many relation of @self, from either side
 * @other: a saved object of the relation's other type
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Links @self and @other through the many-to-many @relation (see
 * [method@Gorm.ResourceClass.add_many_to_many]): @other joins
 * `gorm_resource_query_related (self, relation)` and @self the reverse.
 * Linking objects already linked is not an error and stores nothing more.
 * Live models of either side follow.
 *
 * Returns: %TRUE on success, %FALSE with @error set:
 *   %GORM_ERROR_VALIDATION when @self or @other is not saved,
 *   %GORM_ERROR_TYPE_MISMATCH when @other is not of the related type,
 *   %GORM_ERROR_UNKNOWN_PROPERTY when @relation is not a many-to-many
 *   relation of @self, %GORM_ERROR_CONSTRAINT when a row is gone
 *
 * Since: 1.0
 */
gboolean
gorm_resource_link (GormResource  *self,
                    const char    *relation,
                    GormResource  *other,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (relation != NULL, FALSE);
  g_return_val_if_fail (GORM_IS_RESOURCE (other), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_link (self, relation, LINK_ADD, other, cancellable, error);
}

/**
 * gorm_resource_unlink:
 * @self: a saved resource
 * @relation: the name of a many-to-many relation of @self, from either side
 * @other: a saved object of the relation's other type
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Undoes the link between @self and @other through @relation. Unlinking
 * objects that are not linked is not an error.
 *
 * Returns: %TRUE on success, %FALSE with @error set, as for
 *   [method@Gorm.Resource.link]
 *
 * Since: 1.0
 */
gboolean
gorm_resource_unlink (GormResource  *self,
                      const char    *relation,
                      GormResource  *other,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (relation != NULL, FALSE);
  g_return_val_if_fail (GORM_IS_RESOURCE (other), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_link (self, relation, LINK_REMOVE, other, cancellable, error);
}

/**
 * gorm_resource_clear_links:
 * @self: a saved resource
 * @relation: the name of a many-to-many relation of @self, from either side
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Undoes every link of @self through @relation.
 *
 * Returns: %TRUE on success, %FALSE with @error set, as for
 *   [method@Gorm.Resource.link]
 *
 * Since: 1.0
 */
gboolean
gorm_resource_clear_links (GormResource  *self,
                           const char    *relation,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (relation != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_link (self, relation, LINK_CLEAR, NULL, cancellable, error);
}

typedef struct
{
  const GormRelation *relation;
  LinkOperation       operation;
  GValue              own;
  GValue              other_key;
} LinkData;

static void
link_data_free (LinkData *data)
{
  if (G_IS_VALUE (&data->own))
    g_value_unset (&data->own);
  if (G_IS_VALUE (&data->other_key))
    g_value_unset (&data->other_key);
  g_free (data);
}

static void
link_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LinkData *data = task_data;
  GError *error = NULL;
  gboolean ok = run_prepared_link (source_object, data->relation, data->operation,
                                   &data->own, &data->other_key, cancellable, &error);

  gorm_task_return_boolean (task, ok, error);
}

static void
link_async (GormResource        *self,
            const char          *relation,
            LinkOperation        operation,
            GormResource        *other,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GormDatabase *database = gorm_resource_resolve_database (self, &error);
  LinkData *data = g_new0 (LinkData, 1);

  /* The keys are read here, on the caller's thread; the worker only
   * writes them. */
  data->operation = operation;
  if (database != NULL)
    data->relation = prepare_link (self, relation, operation, other, &data->own,
                                   &data->other_key, &error);
  if (data->relation == NULL)
    {
      link_data_free (data);
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }
  task = gorm_database_new_task (database, self, cancellable, callback, user_data, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) link_data_free);
  gorm_database_run_task (database, task, link_thread);
}

static gboolean
link_finish (GormResource  *self,
             GAsyncResult  *result,
             gpointer       source_tag,
             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gorm_resource_link_async:
 * @self: a saved resource
 * @relation: the name of a many-to-many relation of @self
 * @other: a saved object of the relation's other type
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the objects are linked
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Resource.link] on the worker thread of the database.
 *
 * Since: 1.0
 */
void
gorm_resource_link_async (GormResource        *self,
                          const char          *relation,
                          GormResource        *other,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (GORM_IS_RESOURCE (self));
  g_return_if_fail (relation != NULL);
  g_return_if_fail (GORM_IS_RESOURCE (other));

  link_async (self, relation, LINK_ADD, other, cancellable, callback, user_data,
              gorm_resource_link_async);
}

/**
 * gorm_resource_link_finish:
 * @self: a resource
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Resource.link_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_link_finish (GormResource  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return link_finish (self, result, gorm_resource_link_async, error);
}

/**
 * gorm_resource_unlink_async:
 * @self: a saved resource
 * @relation: the name of a many-to-many relation of @self
 * @other: a saved object of the relation's other type
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the link is undone
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Resource.unlink] on the worker thread of the database.
 *
 * Since: 1.0
 */
void
gorm_resource_unlink_async (GormResource        *self,
                            const char          *relation,
                            GormResource        *other,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GORM_IS_RESOURCE (self));
  g_return_if_fail (relation != NULL);
  g_return_if_fail (GORM_IS_RESOURCE (other));

  link_async (self, relation, LINK_REMOVE, other, cancellable, callback, user_data,
              gorm_resource_unlink_async);
}

/**
 * gorm_resource_unlink_finish:
 * @self: a resource
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Resource.unlink_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_unlink_finish (GormResource  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return link_finish (self, result, gorm_resource_unlink_async, error);
}

/**
 * gorm_resource_clear_links_async:
 * @self: a saved resource
 * @relation: the name of a many-to-many relation of @self
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the links are undone
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Resource.clear_links] on the worker thread of the
 * database.
 *
 * Since: 1.0
 */
void
gorm_resource_clear_links_async (GormResource        *self,
                                 const char          *relation,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (GORM_IS_RESOURCE (self));
  g_return_if_fail (relation != NULL);

  link_async (self, relation, LINK_CLEAR, NULL, cancellable, callback, user_data,
              gorm_resource_clear_links_async);
}

/**
 * gorm_resource_clear_links_finish:
 * @self: a resource
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Resource.clear_links_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_clear_links_finish (GormResource  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return link_finish (self, result, gorm_resource_clear_links_async, error);
}

/**
 * gorm_resource_peek_prefetched:
 * @self: a resource
 * @relation: the name of a reverse or many-to-many relation of @self
 *
 * The objects of @relation that a query's
 * [method@Gorm.Query.prefetch_related] loaded with @self, in the order of
 * the related type's key, while the model that loaded them keeps the page
 * of @self (or, from [method@Gorm.Query.first], while @self lives). Never
 * touches the database.
 *
 * Returns: (transfer none) (nullable): the prefetched objects, or %NULL
 *   when @relation was not prefetched for @self
 *
 * Since: 1.0
 */
GListModel *
gorm_resource_peek_prefetched (GormResource *self,
                               const char   *relation)
{
  const GormRelation *found;
  RelationCache *cache;
  GListModel *objects = NULL;
  GWeakRef *ref;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), NULL);
  g_return_val_if_fail (relation != NULL, NULL);

  found = find_relation (self, relation, NULL);
  if (found == NULL)
    return NULL;
  g_mutex_lock (&cache_lock);
  cache = cache_of_locked (self, FALSE);
  ref = cache && cache->prefetched ? g_hash_table_lookup (cache->prefetched, found->name) : NULL;
  objects = ref ? g_weak_ref_get (ref) : NULL;
  g_mutex_unlock (&cache_lock);

  /* Transfer none: the page (or first()'s object) that prefetched it
   * holds it. */
  if (objects != NULL)
    g_object_unref (objects);
  return objects;
}

/* Foreign key errors name the key. */
void
gorm_resource_explain_key_error (GormResource *self,
                                 GError       *error)
{
  const GormSchema *schema;
  const GormRelation * const *relations;
  g_autoptr(GString) named = NULL;
  gboolean by_constraint = FALSE;

  if (error == NULL || error->domain != GORM_ERROR || error->code != GORM_ERROR_CONSTRAINT ||
      (strstr (error->message, "FOREIGN KEY") == NULL &&
       strstr (error->message, "foreign key") == NULL))
    return;
  schema = gorm_resource_get_schema (self, NULL);
  if (schema == NULL)
    return;
  relations = gorm_schema_get_relations (schema, NULL);

  /* PostgreSQL names the constraint, "<table>_<column>_fkey"; SQLite
   * names none, so every key that holds one is named. */
  for (guint pass = 0; pass < 2 && named == NULL; pass++)
    for (guint i = 0; relations[i] != NULL; i++)
      {
        g_autofree char *constraint = NULL;
        g_auto(GValue) key = G_VALUE_INIT;
        g_autofree char *shown = NULL;

        if (relations[i]->kind != GORM_RELATION_FORWARD)
          continue;
        constraint = g_strdup_printf ("%s_%s_fkey", schema->table, relations[i]->column->name);
        if (pass == 0 && strstr (error->message, constraint) == NULL)
          continue;
        if (!forward_key (self, relations[i], &key, NULL))
          continue;
        by_constraint = pass == 0;
        shown = gorm_value_describe (&key);
        if (named == NULL)
          named = g_string_new (NULL);
        else
          g_string_append (named, by_constraint ? "; " : ", or ");
        g_string_append_printf (named, "%s:%s is %s, which refers to no %s row",
                                schema->type_name, relations[i]->column->pspec->name, shown,
                                g_type_name (relations[i]->target_type));
      }
  if (named == NULL)
    return;

  {
    char *message = g_strdup_printf ("%s (%s)", error->message, named->str);

    g_free (error->message);
    error->message = message;
  }
}
