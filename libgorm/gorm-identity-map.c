/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-identity-map-private.h"

struct _GormIdentityMap
{
  GMutex      lock;
  /* The linked entries, hashed by their keys. */
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
entry_hash (gconstpointer data)
{
  const GormIdentityEntry *entry = data;
  guint hash = entry->text ? g_str_hash (entry->text)
                           : (guint) (entry->number ^ (entry->number >> 32));

  return hash * 31 + (guint) entry->type;
}

static gboolean
entry_equal (gconstpointer a,
             gconstpointer b)
{
  const GormIdentityEntry *ea = a, *eb = b;

  return ea->type == eb->type && ea->number == eb->number && g_strcmp0 (ea->text, eb->text) == 0;
}

/* A probe for a lookup: its text points into @value. */
static GormIdentityEntry
probe_for_value (GType         type,
                 const GValue *value)
{
  GormIdentityEntry probe = { 0, };

  probe.type = type;
  /* The key's type is exact: G_VALUE_HOLDS_STRING() would ask GType
   * about every integer key. */
  if (G_VALUE_TYPE (value) == G_TYPE_STRING)
    probe.text = (char *) g_value_get_string (value);
  else
    probe.number = g_value_get_int64 (value);
  return probe;
}

/* Takes @entry out of the map: with the lock held. */
static void
unlink_entry (GormIdentityMap   *self,
              GormIdentityEntry *entry)
{
  g_hash_table_remove (self->entries, entry);
  entry->linked = FALSE;
  count_entry (self, entry->type, -1);
}

GormIdentityMap *
gorm_identity_map_new (void)
{
  GormIdentityMap *self = g_new0 (GormIdentityMap, 1);

  g_mutex_init (&self->lock);
  self->entries = g_hash_table_new (entry_hash, entry_equal);
  self->counts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return self;
}

void
gorm_identity_map_free (GormIdentityMap *self)
{
  GHashTableIter iter;
  gpointer entry;

  /* Objects hold their database, so the map is normally empty here; an
   * entry left (an object that outlives its database's end) is unlinked,
   * so that the object does not reach for the map as it goes. */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &entry, NULL))
    ((GormIdentityEntry *) entry)->linked = FALSE;
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
  GormIdentityEntry probe = probe_for_value (type, value);
  GormResource *resource = NULL;
  GormIdentityEntry *entry;

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
  entry = g_hash_table_lookup (self->entries, &probe);
  if (entry != NULL)
    resource = g_weak_ref_get (&entry->ref);
  g_mutex_unlock (&self->lock);

  return resource;
}

/* Links @entry, the entry of @resource, with the key of @probe: with the
 * lock held, the key free in the map. */
static void
link_entry_locked (GormIdentityMap         *self,
                   GormIdentityEntry       *entry,
                   GormResource            *resource,
                   const GormIdentityEntry *probe)
{
  entry->type = probe->type;
  entry->number = probe->number;
  g_free (entry->text);
  entry->text = g_strdup (probe->text);
  /* The entry is the object's own: its weak reference, set once, points
   * to the object until GLib clears it as the object's last reference
   * goes. */
  if (entry->resource == NULL)
    {
      entry->resource = resource;
      g_weak_ref_set (&entry->ref, resource);
    }
  entry->linked = TRUE;
  g_hash_table_add (self->entries, entry);
  count_entry (self, entry->type, 1);
}

void
gorm_identity_map_add (GormIdentityMap   *self,
                       GormIdentityEntry *entry,
                       GormResource      *resource,
                       const GValue      *key)
{
  GormIdentityEntry probe = probe_for_value (G_OBJECT_TYPE (resource), key);
  GormIdentityEntry *other;

  g_mutex_lock (&self->lock);
  if (entry->linked)
    {
      /* Saved again under the same key: nothing changes. */
      if (entry_equal (entry, &probe))
        {
          g_mutex_unlock (&self->lock);
          return;
        }
      /* A natural key that changed: the entry moves. */
      unlink_entry (self, entry);
    }
  other = g_hash_table_lookup (self->entries, &probe);
  /* Another object had the key (it was deleted and a new row took it, or
   * it is being disposed in another thread, where its weak reference no
   * longer finds it): it leaves the map, and its dispose leaves this
   * object's entry alone. */
  if (other != NULL)
    unlink_entry (self, other);
  link_entry_locked (self, entry, resource, &probe);
  g_mutex_unlock (&self->lock);
}

GormResource *
gorm_identity_map_add_loaded (GormIdentityMap   *self,
                              GormIdentityEntry *entry,
                              GormResource      *resource,
                              const GValue      *key)
{
  GormIdentityEntry probe = probe_for_value (G_OBJECT_TYPE (resource), key);
  GormIdentityEntry *other;
  GormResource *live = NULL;

  g_return_val_if_fail (!entry->linked, NULL);

  g_mutex_lock (&self->lock);
  other = g_hash_table_lookup (self->entries, &probe);
  /* Another thread loaded the row meanwhile (the lookup and the add are
   * two steps): its object stays the row's. */
  if (other != NULL)
    live = g_weak_ref_get (&other->ref);
  if (live == NULL)
    {
      /* An object being disposed leaves the map as gorm_identity_map_add()
       * says. */
      if (other != NULL)
        unlink_entry (self, other);
      link_entry_locked (self, entry, resource, &probe);
    }
  g_mutex_unlock (&self->lock);

  return live;
}

void
gorm_identity_map_remove (GormIdentityMap *self,
                          GormResource    *resource,
                          const GValue    *key)
{
  GormIdentityEntry probe = probe_for_value (G_OBJECT_TYPE (resource), key);
  GormIdentityEntry *entry;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->entries, &probe);
  if (entry != NULL && entry->resource == resource)
    unlink_entry (self, entry);
  g_mutex_unlock (&self->lock);
}

void
gorm_identity_map_forget (GormIdentityMap   *self,
                          GormIdentityEntry *entry)
{
  g_mutex_lock (&self->lock);
  if (entry->linked)
    unlink_entry (self, entry);
  g_mutex_unlock (&self->lock);
}

void
gorm_identity_entry_clear (GormIdentityEntry *entry)
{
  g_return_if_fail (!entry->linked);

  g_clear_pointer (&entry->text, g_free);
  /* GLib cleared the weak reference before the object's dispose; clearing
   * it again only lets GLib forget the location. */
  if (entry->resource != NULL)
    g_weak_ref_clear (&entry->ref);
  entry->resource = NULL;
}
