/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-identity-map-private.h"

typedef struct
{
  GType   type;
  gint64  number;
  /* NULL for an integer key. */
  char   *text;
} Key;

typedef struct
{
  GormIdentityMap *map;
  Key              key;
  /* Compared, never dereferenced: which object the entry is for. */
  GormResource    *resource;
  /* How a lookup takes a reference: see gorm_identity_map_lookup(). */
  GWeakRef         ref;
} Entry;

struct _GormIdentityMap
{
  GMutex      lock;
  /* Key → Entry; the entry owns its key. */
  GHashTable *entries;
  /* GType → the number of its entries (a guint it owns), for the types
   * that had some. */
  GHashTable *counts;
  /* The type counted last and its count: a run of objects of one type
   * (a page of a query, a transaction's inserts) finds it without a
   * lookup. */
  GType       last_type;
  guint      *last_count;
};

static guint *
type_count (GormIdentityMap *self,
            GType            type)
{
  gpointer key = GSIZE_TO_POINTER (type);
  guint *count;

  if (type == self->last_type && self->last_count != NULL)
    return self->last_count;
  count = g_hash_table_lookup (self->counts, key);
  /* A count of 0 stays: a type that had objects will have more. */
  if (count == NULL)
    {
      count = g_new0 (guint, 1);
      g_hash_table_insert (self->counts, key, count);
    }
  self->last_type = type;
  self->last_count = count;
  return count;
}

static void
count_entry (GormIdentityMap *self,
             GType            type,
             gint             change)
{
  *type_count (self, type) += change;
}

static guint
key_hash (gconstpointer data)
{
  const Key *key = data;
  guint hash = key->text ? g_str_hash (key->text)
                         : (guint) (key->number ^ (key->number >> 32));

  return hash * 31 + (guint) key->type;
}

static gboolean
key_equal (gconstpointer a,
           gconstpointer b)
{
  const Key *ka = a, *kb = b;

  return ka->type == kb->type && ka->number == kb->number && g_strcmp0 (ka->text, kb->text) == 0;
}

/* A borrowed key for a lookup: it points into @value. */
static Key
key_from_value (GType         type,
                const GValue *value)
{
  Key key = { type, 0, NULL };

  if (G_VALUE_HOLDS_STRING (value))
    key.text = (char *) g_value_get_string (value);
  else
    key.number = g_value_get_int64 (value);
  return key;
}

static void
entry_free (Entry *entry)
{
  count_entry (entry->map, entry->key.type, -1);
  g_weak_ref_clear (&entry->ref);
  g_free (entry->key.text);
  g_free (entry);
}

GormIdentityMap *
gorm_identity_map_new (void)
{
  GormIdentityMap *self = g_new0 (GormIdentityMap, 1);

  g_mutex_init (&self->lock);
  self->entries = g_hash_table_new_full (key_hash, key_equal, NULL, (GDestroyNotify) entry_free);
  self->counts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return self;
}

void
gorm_identity_map_free (GormIdentityMap *self)
{
  /* Objects hold their database, so the map is normally empty here. */
  g_hash_table_unref (self->entries);
  g_hash_table_unref (self->counts);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint
gorm_identity_map_size (GormIdentityMap *self)
{
  guint size;

  g_mutex_lock (&self->lock);
  size = g_hash_table_size (self->entries);
  g_mutex_unlock (&self->lock);
  return size;
}

gboolean
gorm_identity_map_holds_type (GormIdentityMap *self,
                              GType            type)
{
  const guint *count;
  gboolean holds;

  g_mutex_lock (&self->lock);
  count = g_hash_table_lookup (self->counts, GSIZE_TO_POINTER (type));
  holds = count != NULL && *count > 0;
  g_mutex_unlock (&self->lock);
  return holds;
}

GormResource *
gorm_identity_map_lookup (GormIdentityMap *self,
                          GType            type,
                          const GValue    *value)
{
  Key key = key_from_value (type, value);
  GormResource *resource = NULL;
  Entry *entry;

  /* Through a weak reference, not g_object_ref() on the pointer: an
   * object whose last reference another thread is dropping (the main
   * context freeing a queued notification, say) is still in the map until
   * its dispose removes it, and a plain ref would bring it back to life
   * in the middle of that dispose. g_object_unref() keeps the object's
   * notifications frozen while dispose runs, so the changes this thread
   * then makes to the revived object (a transaction's g_object_set())
   * wait in that queue: they do not mark it dirty before this thread
   * saves it, the save writes nothing and the change is lost, and the
   * dispose then takes the object out of the map although it lives on.
   * A weak reference is cleared, under GObject's lock, before dispose
   * begins: a dying object is not found, and the caller builds a new
   * one for the row, which takes the entry over (see
   * gorm_identity_map_add()). */
  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->entries, &key);
  if (entry != NULL)
    resource = g_weak_ref_get (&entry->ref);
  g_mutex_unlock (&self->lock);

  return resource;
}

void
gorm_identity_map_add (GormIdentityMap *self,
                       GormResource    *resource,
                       const GValue    *value)
{
  Key key = key_from_value (G_OBJECT_TYPE (resource), value);
  Entry *entry;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->entries, &key);
  if (entry == NULL || entry->resource != resource)
    {
      if (entry != NULL)
        {
          /* Another object had the key (it was deleted and a new row took
           * it): it leaves the map. */
          g_hash_table_steal (self->entries, &entry->key);
          entry_free (entry);
        }
      entry = g_new0 (Entry, 1);
      entry->map = self;
      entry->key = key;
      entry->key.text = g_strdup (key.text);
      entry->resource = resource;
      g_weak_ref_init (&entry->ref, resource);
      g_hash_table_insert (self->entries, &entry->key, entry);
      count_entry (self, key.type, 1);
    }
  g_mutex_unlock (&self->lock);
}

void
gorm_identity_map_remove (GormIdentityMap *self,
                          GormResource    *resource,
                          const GValue    *value)
{
  Key key = key_from_value (G_OBJECT_TYPE (resource), value);
  Entry *entry;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->entries, &key);
  if (entry != NULL && entry->resource == resource)
    g_hash_table_remove (self->entries, &entry->key);
  g_mutex_unlock (&self->lock);
}
