/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-error.h"
#include "gorm-mapper-private.h"

/* The host: what a database gives its mappers. */

gboolean
gorm_mapper_host_in_main_context (GormMapperHost *host)
{
  return g_thread_self () == host->thread || g_main_context_is_owner (host->context);
}

typedef struct
{
  GFunc          func;
  gpointer       data;
  GDestroyNotify destroy;
} HeldBack;

void
gorm_mapper_host_defer (GormMapperHost *host,
                        GFunc           func,
                        gpointer        data,
                        GDestroyNotify  destroy)
{
  if (!gorm_mapper_host_in_main_context (host))
    {
      gorm_worker_defer (host->worker, func, data, destroy);
      return;
    }
  /* The application's handlers may call libgorm again, which would take
   * the lock this thread holds: they wait until it is let go. */
  if (gorm_connection_held_by_self (host->connection))
    {
      HeldBack *action = g_new0 (HeldBack, 1);

      action->func = func;
      action->data = data;
      action->destroy = destroy;
      g_queue_push_tail (&host->held_back, action);
      return;
    }
  func (data, NULL);
  if (destroy != NULL)
    destroy (data);
}

void
gorm_mapper_host_run_held_back (GormMapperHost *host)
{
  HeldBack *action;

  while ((action = g_queue_pop_head (&host->held_back)) != NULL)
    {
      action->func (action->data, NULL);
      if (action->destroy != NULL)
        action->destroy (action->data);
      g_free (action);
    }
}

/* The row state of every resource. */

/* Stored values reach an object in the order they were read: see
 * gorm_mapper_take_read_stamp(). */
G_LOCK_DEFINE_STATIC (stamps_lock);
static guint64 last_stamp;

static guint64
next_stamp (void)
{
  guint64 stamp;

  G_LOCK (stamps_lock);
  stamp = ++last_stamp;
  G_UNLOCK (stamps_lock);
  return stamp;
}

/* The stamp an object built for a row read earlier, elsewhere, gives its
 * values: see gorm_mapper_push_read_stamp(). */
static GPrivate read_stamp;

guint64
gorm_mapper_take_read_stamp (void)
{
  return next_stamp ();
}

void
gorm_mapper_push_read_stamp (guint64 stamp)
{
  g_private_set (&read_stamp, GSIZE_TO_POINTER ((gsize) stamp));
}

void
gorm_mapper_pop_read_stamp (void)
{
  g_private_set (&read_stamp, NULL);
}

gboolean
gorm_mapper_push_new_read_stamp (void)
{
  if (g_private_get (&read_stamp) != NULL)
    return FALSE;
  gorm_mapper_push_read_stamp (next_stamp ());
  return TRUE;
}

/* Whether column @column may take a value stamped @stamp, which it then
 * records. */
static gboolean
take_stamp (GormRowState *self,
            guint         n_columns,
            guint         column,
            guint64       stamp)
{
  gboolean newer;

  G_LOCK (stamps_lock);
  if (self->stamps == NULL)
    self->stamps = g_new0 (guint64, n_columns);
  newer = self->stamps[column] <= stamp;
  if (newer)
    self->stamps[column] = stamp;
  G_UNLOCK (stamps_lock);
  return newer;
}

/* Every column of a saved object holds what its row holds now. */
static void
stamp_all (GormRowState     *self,
           const GormSchema *schema)
{
  G_LOCK (stamps_lock);
  if (self->stamps == NULL)
    self->stamps = g_new0 (guint64, schema->n_columns);
  ++last_stamp;
  for (guint i = 0; i < schema->n_columns; i++)
    self->stamps[i] = last_stamp;
  G_UNLOCK (stamps_lock);
}

/* Where the state is in a resource (GormResource's private offset), and
 * the pspecs of GormResource's own properties that the state notifies:
 * set once, by GormResource's class_init. */
static gint row_state_offset;
static GParamSpec *id_pspec;
static GParamSpec *database_pspec;

void
gorm_mapper_set_row_state_offset (GObjectClass *klass,
                                  gint          offset)
{
  row_state_offset = offset;
  id_pspec = g_object_class_find_property (klass, "id");
  database_pspec = g_object_class_find_property (klass, "database");
  g_assert (id_pspec != NULL && database_pspec != NULL);
}

GormRowState *
gorm_row_state_of (gpointer resource)
{
  return G_STRUCT_MEMBER_P (resource, row_state_offset);
}

const GormSchema *
gorm_row_state_get_schema (GormRowState *self,
                           GType         type,
                           GError      **error)
{
  if (self->schema == NULL)
    self->schema = gorm_schema_lookup (type, error);
  return self->schema;
}

typedef struct
{
  GormResource *resource;
  GParamSpec   *pspec;
} Notification;

/* Notifies @pspec of @object, which another thread (a transaction's
 * function on the worker) may be changing, straight to its handlers,
 * never through the object's notification queue.
 *
 * That queue and its freeze count are shared by every thread:
 * g_object_notify_by_pspec() adds to the queue and thaws it whenever the
 * queue is frozen, whoever froze it. A transaction's g_object_set()
 * freezes it around its own change; a notification here that lands
 * meanwhile takes a freeze of its own, and if the worker thaws first,
 * the thaw here is the last one and dispatches the worker's change in
 * this thread: late (the worker may have saved already, seeing no
 * change) and under notifying_stored (read as libgorm's own, not a change
 * at all). Either way the save writes nothing and the change is lost.
 * Dispatched directly, these notifications leave the queue to the
 * thread that froze it. They are thus also emitted while the application
 * has frozen the object's notifications. */
static void
notify_now (GObject    *object,
            GParamSpec *pspec)
{
  GParamSpec *target = g_param_spec_get_redirect_target (pspec);

  if (target != NULL)
    pspec = target;
  if ((pspec->flags & G_PARAM_READABLE) == 0)
    return;
  g_object_ref (object);
  G_OBJECT_GET_CLASS (object)->dispatch_properties_changed (object, 1, &pspec);
  g_object_unref (object);
}

static void
notify_cb (gpointer data,
           gpointer unused)
{
  Notification *notification = data;

  notify_now (G_OBJECT (notification->resource), notification->pspec);
}

static void
notification_free (gpointer data)
{
  Notification *notification = data;

  g_object_unref (notification->resource);
  g_free (notification);
}

/* Notifies a change of one of GormResource's own properties in the main
 * context of the object's database. */
static void
notify_in_context (GormRowState *self,
                   GormResource *resource,
                   GParamSpec   *pspec)
{
  Notification *notification;

  if (self->host == NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (resource), pspec);
      return;
    }
  /* At once in the main context, unless its thread holds the lock. */
  notification = g_new0 (Notification, 1);
  notification->resource = g_object_ref (resource);
  notification->pspec = pspec;
  gorm_mapper_host_defer (self->host, notify_cb, notification, notification_free);
}

/* The id changes at once, so that work on another thread sees it; its
 * notification comes in the main context. */
static void
set_id (GormRowState *self,
        GormResource *resource,
        gint64        id)
{
  if (self->id == id)
    return;
  self->id = id;
  notify_in_context (self, resource, id_pspec);
}

gboolean
gorm_row_state_request_id (GormRowState *self,
                           GormResource *resource,
                           gint64        id)
{
  const GormSchema *schema;

  if (self->saved)
    return id == self->id;
  schema = gorm_row_state_get_schema (self, G_OBJECT_TYPE (resource), NULL);
  if (schema == NULL || !gorm_schema_has_auto_id (schema))
    return id == 0;
  set_id (self, resource, id);
  return TRUE;
}

static void
clear_dirty (GormRowState *self)
{
  g_clear_pointer (&self->dirty, g_free);
}

/* Makes the object saved and unchanged, with the key @key. */
static void
set_key (GormRowState *self,
         const GValue *key)
{
  /* Without G_IS_VALUE() and g_value_copy(), which ask GType each time:
   * a key is a gint64 or a string. */
  if (G_VALUE_TYPE (&self->key) != G_TYPE_INVALID)
    g_value_unset (&self->key);
  g_value_init (&self->key, G_VALUE_TYPE (key));
  if (G_VALUE_TYPE (key) == G_TYPE_INT64)
    g_value_set_int64 (&self->key, g_value_get_int64 (key));
  else
    g_value_copy (key, &self->key);
  self->saved = TRUE;
  clear_dirty (self);
}

/* Makes the object saved, unchanged, and the live object of the row whose
 * key is @key in the identity map of its database. */
static void
take_key (GormRowState *self,
          GormResource *resource,
          const GValue *key)
{
  /* A natural key's update may have changed the object's key: its entry
   * then moves. */
  gorm_identity_map_add (self->host->identity, &self->identity, resource, key);
  set_key (self, key);
}

void
gorm_row_state_set_database (GormRowState   *self,
                             GormResource   *resource,
                             GormDatabase   *database,
                             GormMapperHost *host)
{
  if (self->database == database)
    return;
  /* The object is no longer the live object of its row there. */
  if (self->saved && self->host != NULL)
    gorm_identity_map_forget (self->host->identity, &self->identity);
  g_set_object (&self->database, database);
  self->host = host;
}

/* gorm_row_state_set_database() for a write or a load through @host,
 * with its notification. */
static void
set_host (GormRowState   *self,
          GormResource   *resource,
          GormMapperHost *host)
{
  if (self->database == host->database)
    {
      self->host = host;
      return;
    }
  gorm_row_state_set_database (self, resource, host->database, host);
  notify_in_context (self, resource, database_pspec);
}

/* Rolled-back writes
 *
 * A write inside a transaction changes its object at once (a new id, a
 * clean state); when the transaction, or the savepoint the write was
 * made in, rolls back, the object is given back the state its row has
 * again: an inserted object is not saved (id 0) and leaves the identity
 * map, so that the row that takes its key next is not mistaken for it;
 * an updated one is dirty, keeping the values it was given, so that a
 * later save writes them; a deleted one is saved again. The change feed
 * runs the undo (gorm_change_feed_on_rollback_locked()), last write
 * first, in the thread that ends the transaction with the database lock
 * held; notifications reach the main context as the write's did. The
 * object is held weakly: one that is gone needs nothing.
 */
typedef enum
{
  UNDO_INSERT,
  UNDO_UPDATE,
  UNDO_DELETE,
} UndoKind;

typedef struct
{
  UndoKind  kind;
  GWeakRef  resource;
  /* The key the write left (insert, update) or found (delete). */
  GValue    key;
  /* Update: the key before, when a natural key changed. */
  GValue    old_key;
  /* Delete: the id and the dirty columns before. Insert: the id the
   * application gave the new object (0: none), which it has again.
   * Update: the columns it wrote, which differ from the row again once
   * it rolls back. */
  gint64    id;
  guint8   *dirty;
} Undo;

static void
undo_free (gpointer data)
{
  Undo *undo = data;

  g_weak_ref_clear (&undo->resource);
  if (G_IS_VALUE (&undo->key))
    g_value_unset (&undo->key);
  if (G_IS_VALUE (&undo->old_key))
    g_value_unset (&undo->old_key);
  g_free (undo->dirty);
  g_free (undo);
}

static void
copy_value (GValue       *dest,
            const GValue *src)
{
  g_value_init (dest, G_VALUE_TYPE (src));
  g_value_copy (src, dest);
}

/* Every stored column of @self dirty: what the object holds is not what
 * its row holds. */
static void
mark_all_dirty (GormRowState     *self,
                const GormSchema *schema)
{
  if (self->dirty == NULL)
    self->dirty = g_new0 (guint8, schema->n_columns);
  for (guint i = 0; i < schema->n_columns; i++)
    if (!(schema->columns[i].flags & GORM_COLUMN_AUTO_ID))
      self->dirty[i] = TRUE;
}

static void
undo_cb (gpointer data,
         gpointer unused)
{
  Undo *undo = data;
  g_autoptr(GormResource) resource = g_weak_ref_get (&undo->resource);
  GormRowState *self;
  const GormSchema *schema;

  if (resource == NULL)
    return;
  self = gorm_row_state_of (resource);
  schema = gorm_row_state_get_schema (self, G_OBJECT_TYPE (resource), NULL);
  if (schema == NULL || self->host == NULL)
    return;

  switch (undo->kind)
    {
    case UNDO_INSERT:
      /* Unless a later write made it the object of another row. */
      if (!self->saved || !gorm_value_key_equal (&self->key, &undo->key))
        return;
      gorm_row_state_mark_deleted (self, resource);
      mark_all_dirty (self, schema);
      if (gorm_schema_has_auto_id (schema))
        set_id (self, resource, undo->id);
      break;

    case UNDO_UPDATE:
      if (!self->saved)
        return;
      /* A natural key changed: the row has its old one again. */
      if (G_IS_VALUE (&undo->old_key))
        take_key (self, resource, &undo->old_key);
      if (undo->dirty == NULL)
        {
          mark_all_dirty (self, schema);
          break;
        }
      if (self->dirty == NULL)
        self->dirty = g_new0 (guint8, schema->n_columns);
      for (guint i = 0; i < schema->n_columns; i++)
        self->dirty[i] |= undo->dirty[i];
      break;

    case UNDO_DELETE:
      if (self->saved)
        return;
      take_key (self, resource, &undo->key);
      self->dirty = g_steal_pointer (&undo->dirty);
      if (gorm_schema_has_auto_id (schema))
        set_id (self, resource, undo->id);
      break;
    }
}

/* Queues the undo of a write of @resource made with the database lock
 * held, when a transaction is open; an update says which @columns it
 * wrote (the first @n_written, then the @n_stamped others). */
static void
note_write (GormMapperHost *host,
            GormResource   *resource,
            UndoKind        kind,
            const GValue   *key,
            const GValue   *old_key,
            const guint    *written,
            guint           n_written,
            const guint    *stamped,
            guint           n_stamped)
{
  GormRowState *state = gorm_row_state_of (resource);
  Undo *undo;

  if (gorm_connection_get_depth (host->connection) == 0)
    return;

  undo = g_new0 (Undo, 1);
  undo->kind = kind;
  g_weak_ref_init (&undo->resource, resource);
  copy_value (&undo->key, key);
  if (old_key != NULL && !gorm_value_key_equal (old_key, key))
    copy_value (&undo->old_key, old_key);
  if (kind == UNDO_INSERT)
    undo->id = state->id;
  else if (kind == UNDO_DELETE)
    {
      undo->id = state->id;
      if (state->dirty != NULL && state->schema != NULL)
        undo->dirty = g_memdup2 (state->dirty, state->schema->n_columns);
    }
  else if (kind == UNDO_UPDATE && state->schema != NULL)
    {
      undo->dirty = g_new0 (guint8, state->schema->n_columns);
      for (guint i = 0; i < n_written; i++)
        undo->dirty[written[i]] = TRUE;
      for (guint i = 0; i < n_stamped; i++)
        undo->dirty[stamped[i]] = TRUE;
    }
  gorm_change_feed_on_rollback_locked (host->feed, undo_cb, undo, undo_free);
}

/* Makes the object the saved object of the row whose key is @key in the
 * database of @host. */
static void
mark_saved (GormRowState   *self,
            GormResource   *resource,
            GormMapperHost *host,
            const GValue   *key)
{
  const GormSchema *schema = gorm_row_state_get_schema (self, G_OBJECT_TYPE (resource), NULL);
  gboolean inserted = !self->saved;

  set_host (self, resource, host);
  take_key (self, resource, key);
  /* Before the id is the row's: the undo keeps the one asked for. */
  if (inserted)
    note_write (host, resource, UNDO_INSERT, key, NULL, NULL, 0, NULL, 0);
  if (gorm_schema_has_auto_id (schema))
    set_id (self, resource, g_value_get_int64 (key));
}

/* mark_saved() for an object the mapper just built for its row, with its
 * database given at construction: no one can be watching it yet, so it
 * notifies nothing. Returns the row's live object (a new reference) when
 * another thread loaded the row meanwhile: @resource then stays out of
 * the identity map. */
static GormResource *
mark_loaded (GormRowState     *self,
             GormResource     *resource,
             GormMapperHost   *host,
             const GormSchema *schema,
             const GValue     *key)
{
  g_return_val_if_fail (self->database == host->database, NULL);

  self->host = host;
  self->schema = schema;
  /* The state is whole before the object enters the identity map, where
   * lookups in other threads find it and read its id. */
  if (gorm_schema_has_auto_id (schema))
    self->id = g_value_get_int64 (key);
  set_key (self, key);
  return gorm_identity_map_add_loaded (host->identity, &self->identity, resource, key);
}

void
gorm_row_state_mark_deleted (GormRowState *self,
                             GormResource *resource)
{
  if (!self->saved)
    return;
  gorm_identity_map_forget (self->host->identity, &self->identity);
  self->saved = FALSE;
  if (G_IS_VALUE (&self->key))
    g_value_unset (&self->key);
  clear_dirty (self);
  set_id (self, resource, 0);
}

void
gorm_row_state_forget (GormRowState *self,
                       GormResource *resource)
{
  if (self->saved && self->host != NULL)
    gorm_identity_map_forget (self->host->identity, &self->identity);
}

void
gorm_row_state_clear (GormRowState *self)
{
  g_clear_object (&self->database);
  self->host = NULL;
  if (G_IS_VALUE (&self->key))
    g_value_unset (&self->key);
  clear_dirty (self);
  g_clear_pointer (&self->nulls, g_free);
  g_clear_pointer (&self->stamps, g_free);
  gorm_identity_entry_clear (&self->identity);
}

void
gorm_row_state_mark_dirty (GormRowState *self,
                           GormResource *resource,
                           GParamSpec   *pspec)
{
  const GormSchema *schema;
  const GormColumn *column;

  /* A type whose schema cannot be built cannot be saved either: its
   * error is reported by the save. */
  schema = gorm_row_state_get_schema (self, G_OBJECT_TYPE (resource), NULL);
  if (schema == NULL)
    return;
  column = gorm_schema_column_for_pspec (schema, pspec);
  if (column == NULL)
    return;
  if (self->dirty == NULL)
    self->dirty = g_new0 (guint8, schema->n_columns);
  self->dirty[column->index] = TRUE;
}

gboolean
gorm_row_state_column_is_dirty (GormRowState *self,
                                guint         column)
{
  return self->dirty != NULL && self->dirty[column];
}

gboolean
gorm_row_state_is_dirty (GormRowState *self)
{
  if (!self->saved)
    return TRUE;
  if (self->dirty == NULL)
    return FALSE;
  for (guint i = 0; i < self->schema->n_columns; i++)
    if (self->dirty[i])
      return TRUE;
  return FALSE;
}

/* Set while this thread notifies stored values libgorm set: those
 * notifications are not changes of the application's. Per thread, since
 * a transaction function on the worker may change the same object while
 * the main context notifies what was loaded into it. */
static GPrivate notifying_stored;

/* Set while this thread notifies the NULL gorm_row_state_set_null() gave
 * a property: that notification is a change, but keeps the NULL mark
 * that any other change of the property clears. */
static GPrivate setting_null;

gboolean
gorm_row_state_is_null (GormRowState *self,
                        guint         column)
{
  return self->nulls != NULL && self->nulls[column];
}

gboolean
gorm_row_state_clear_null (GormRowState *self,
                           guint         column)
{
  if (!gorm_row_state_is_null (self, column))
    return FALSE;
  self->nulls[column] = FALSE;
  return TRUE;
}

static void
mark_null (GormRowState     *self,
           const GormSchema *schema,
           guint             column)
{
  if (self->nulls == NULL)
    self->nulls = g_new0 (guint8, schema->n_columns);
  self->nulls[column] = TRUE;
}

/* The application set the properties @pspecs: they are no longer NULL. */
static void
clear_null_marks (GormRowState  *self,
                  GormResource  *resource,
                  guint          n_pspecs,
                  GParamSpec   **pspecs)
{
  const GormSchema *schema = gorm_row_state_get_schema (self, G_OBJECT_TYPE (resource), NULL);

  if (schema == NULL)
    return;
  for (guint i = 0; i < n_pspecs; i++)
    {
      const GormColumn *column = gorm_schema_column_for_pspec (schema, pspecs[i]);

      if (column != NULL)
        gorm_row_state_clear_null (self, column->index);
    }
}

void
gorm_row_state_note_changes (GormRowState  *self,
                             GormResource  *resource,
                             guint          n_pspecs,
                             GParamSpec   **pspecs)
{
  /* Values libgorm sets are not changes. Checked first: the worker may
   * be saving the object meanwhile, and its saved flag is read only for
   * the application's own changes, which it does not make while a call
   * on the object runs. */
  if (g_private_get (&notifying_stored) != NULL)
    return;
  /* A property the application sets holds its value, not NULL. */
  if (self->nulls != NULL && g_private_get (&setting_null) == NULL)
    clear_null_marks (self, resource, n_pspecs, pspecs);
  /* An unsaved object writes every column when it is saved: only a saved
   * one tracks what changed. */
  if (!self->saved)
    return;
  for (guint i = 0; i < n_pspecs; i++)
    if (pspecs[i] != id_pspec && pspecs[i] != database_pspec)
      gorm_row_state_mark_dirty (self, resource, pspecs[i]);
}

/* Stored values set by libgorm itself: the row's values on a load, the
 * automatic timestamps on a save. */
typedef struct
{
  GormResource  *resource;
  GParamSpec   **pspecs;
  GValue        *values;
  guint          n_values;
  gboolean       keep_unsaved;
  guint64        stamp;
} StoredValues;

static void
stored_values_free (gpointer data)
{
  StoredValues *stored = data;

  for (guint i = 0; i < stored->n_values; i++)
    if (G_IS_VALUE (&stored->values[i]))
      g_value_unset (&stored->values[i]);
  g_free (stored->values);
  g_free (stored->pspecs);
  g_object_unref (stored->resource);
  g_free (stored);
}

static gboolean
stored_values_equal (const GormColumn *column,
                     const GValue     *a,
                     const GValue     *b)
{
  gconstpointer x, y;

  switch (column->kind)
    {
    case GORM_VALUE_KIND_DATE_TIME:
    case GORM_VALUE_KIND_BYTES:
    case GORM_VALUE_KIND_STRV:
      /* GParamSpecBoxed compares pointers. */
      x = g_value_get_boxed (a);
      y = g_value_get_boxed (b);
      if (x == NULL || y == NULL)
        return x == y;
      if (column->kind == GORM_VALUE_KIND_DATE_TIME)
        return g_date_time_equal (x, y);
      if (column->kind == GORM_VALUE_KIND_BYTES)
        return g_bytes_equal (x, y);
      return g_strv_equal (x, y);
    case GORM_VALUE_KIND_DOUBLE:
      /* GParamSpecDouble and GParamSpecFloat compare within an epsilon. */
      if (G_VALUE_HOLDS_FLOAT (a))
        {
          gfloat fx = g_value_get_float (a), fy = g_value_get_float (b);

          return memcmp (&fx, &fy, sizeof fx) == 0;
        }
      else
        {
          gdouble dx = g_value_get_double (a), dy = g_value_get_double (b);

          return memcmp (&dx, &dy, sizeof dx) == 0;
        }
    default:
      return g_param_values_cmp (column->pspec, a, b) == 0;
    }
}

void
gorm_mapper_get_property (GObject    *object,
                          GParamSpec *pspec,
                          GValue     *value)
{
  /* A schema's pspecs are the ones g_object_class_list_properties()
   * gives, which for an inherited property that a subclass overrides is
   * the overridden one: g_object_get_property() looks the name up to
   * reach the override. A property of the object's own class is the one
   * the lookup would find. */
  if (pspec->owner_type != G_OBJECT_TYPE (object))
    {
      g_object_get_property (object, pspec->name, value);
      return;
    }
  G_OBJECT_GET_CLASS (object)->get_property (object, pspec->param_id, value, pspec);
}

/* Whether @value differs from the property's: only changes are set, so
 * that only changes are notified. */
static gboolean
differs (GormResource     *resource,
         const GormColumn *column,
         const GValue     *value)
{
  g_auto(GValue) current = G_VALUE_INIT;

  g_value_init (&current, G_PARAM_SPEC_VALUE_TYPE (column->pspec));
  gorm_mapper_get_property (G_OBJECT (resource), column->pspec, &current);
  return !stored_values_equal (column, &current, value);
}

/* Sets a stored property as g_object_set_property() does, but without
 * its notification: the caller notifies when and where it should, or no
 * one can be listening yet (an object being built). @value has the
 * property's type and was validated by gorm_value_from_sql().
 *
 * A schema's pspec of an inherited property is the ancestor's, even where
 * a class below overrides it (g_object_class_override_property(): see
 * gorm_mapper_get_property()), and GObject gives no public way to the
 * override's id. So a property the object's class did not install goes
 * through g_object_set_property(), which reaches the override, whenever
 * the object's class has a set_property of its own: that class may
 * override the property. GObject then notifies it at once (as a
 * property that notifies itself does), under the caller's
 * notifying_stored: not a change of the application's. Where the
 * set_property is the owner's, no class in between can hold the
 * property, and the owner's set_property is called directly; so is it
 * for GormResource's own "id", which libgorm reads from the base class
 * whatever a subclass does (gorm_resource_get_id()). */
static void
set_quietly (GObject      *object,
             GParamSpec   *pspec,
             const GValue *value)
{
  GParamSpec *target = g_param_spec_get_redirect_target (pspec);
  GObjectClass *owner;

  if (target != NULL)
    pspec = target;
  owner = g_type_class_peek (pspec->owner_type);
  if (pspec->owner_type != G_OBJECT_TYPE (object) && pspec->owner_type != GORM_TYPE_RESOURCE &&
      G_OBJECT_GET_CLASS (object)->set_property != owner->set_property)
    {
      g_object_set_property (object, pspec->name, value);
      return;
    }
  owner->set_property (object, pspec->param_id, value, pspec);
}

/* Notifications of values set in another thread, emitted in the main
 * context. They are not changes of the application's: they do not make
 * the object dirty. */
typedef struct
{
  GormResource *resource;
  GPtrArray    *pspecs;
} Notifications;

static void
notifications_free (gpointer data)
{
  Notifications *notifications = data;

  g_ptr_array_unref (notifications->pspecs);
  g_object_unref (notifications->resource);
  g_free (notifications);
}

static void
notify_loaded_cb (gpointer data,
                  gpointer unused)
{
  Notifications *notifications = data;
  GObject *object = G_OBJECT (notifications->resource);
  gpointer outer = g_private_get (&notifying_stored);

  /* One by one, never frozen: a notification queue that this thread
   * freezes would also collect the changes another thread (a transaction's
   * function) makes meanwhile, and dispatch them here, where they would
   * read as libgorm's and not make the object dirty: that change would
   * then not be saved. Nor may a notification join the queue another
   * thread froze (see notify_now()). */
  g_private_set (&notifying_stored, GINT_TO_POINTER (TRUE));
  for (guint i = 0; i < notifications->pspecs->len; i++)
    notify_now (object, g_ptr_array_index (notifications->pspecs, i));
  g_private_set (&notifying_stored, outer);
}

/* Gives the property of @column the stored @value (or, for an SQL NULL,
 * its default value and the NULL mark) quietly. Returns whether the
 * property was unchanged: same value, same NULL mark. */
static gboolean
stored_value_applies (GormResource     *resource,
                      const GormSchema *schema,
                      const GormColumn *column,
                      const GValue     *value)
{
  GormRowState *state = gorm_row_state_of (resource);
  g_auto(GValue) fallback = G_VALUE_INIT;
  gboolean was_null = gorm_row_state_is_null (state, column->index);
  gboolean is_null = gorm_value_is_sql_null (value);

  if (is_null)
    {
      g_value_init (&fallback, G_PARAM_SPEC_VALUE_TYPE (column->pspec));
      g_param_value_set_default (column->pspec, &fallback);
      value = &fallback;
      mark_null (state, schema, column->index);
    }
  else
    gorm_row_state_clear_null (state, column->index);

  if (!differs (resource, column, value))
    return was_null == is_null;
  set_quietly (G_OBJECT (resource), column->pspec, value);
  return FALSE;
}

/* Applies the stored values @values[i] (none where NULL) of the columns
 * @columns[i] (none where NULL) of @schema, the schema of @resource, now.
 * In the main context the properties are set and notified; in the thread
 * of an open transaction (whose function reads what it loads) they are
 * set without notifications, which are queued to the main context of
 * @host. The values are borrowed. */
static void
apply_values_now (GormResource       *resource,
                  const GormSchema   *schema,
                  GormMapperHost     *host,
                  gboolean            in_main_context,
                  const GormColumn  **columns,
                  const GValue      **values,
                  guint               n_values,
                  gboolean            keep_unsaved,
                  guint64             stamp)
{
  GormRowState *state = gorm_row_state_of (resource);
  GParamSpec **changed = g_newa (GParamSpec *, MAX (n_values, 1));
  guint n_changed = 0;
  gpointer outer = g_private_get (&notifying_stored);

  /* The values are set quietly, then notified as notify_loaded_cb() does,
   * one by one past the object's notification queue (see there). A set may
   * notify by itself (an explicitly notified property): such a
   * notification does not make the object dirty either. */
  g_private_set (&notifying_stored, GINT_TO_POINTER (TRUE));
  for (guint i = 0; i < n_values; i++)
    {
      const GormColumn *column = columns[i];

      if (values[i] == NULL || column == NULL)
        continue;
      if (keep_unsaved && gorm_row_state_column_is_dirty (state, column->index))
        continue;
      if (!take_stamp (state, schema->n_columns, column->index, stamp))
        continue;
      if (!stored_value_applies (resource, schema, column, values[i]))
        changed[n_changed++] = column->pspec;
    }
  if (in_main_context)
    for (guint i = 0; i < n_changed; i++)
      notify_now (G_OBJECT (resource), changed[i]);
  g_private_set (&notifying_stored, outer);

  if (!in_main_context && n_changed > 0)
    {
      Notifications *notifications = g_new0 (Notifications, 1);

      notifications->resource = g_object_ref (resource);
      notifications->pspecs = g_ptr_array_new_full (n_changed, NULL);
      for (guint i = 0; i < n_changed; i++)
        g_ptr_array_add (notifications->pspecs, changed[i]);
      gorm_mapper_host_defer (host, notify_loaded_cb, notifications, notifications_free);
    }
}

/* apply_values_now() for @stored. */
static void
apply_stored_now (StoredValues   *stored,
                  GormMapperHost *host,
                  gboolean        in_main_context)
{
  GormResource *resource = stored->resource;
  const GormSchema *schema = gorm_row_state_get_schema (gorm_row_state_of (resource),
                                                        G_OBJECT_TYPE (resource), NULL);
  const GormColumn **columns = g_newa (const GormColumn *, MAX (stored->n_values, 1));
  const GValue **values = g_newa (const GValue *, MAX (stored->n_values, 1));

  for (guint i = 0; i < stored->n_values; i++)
    {
      columns[i] = gorm_schema_column_for_pspec (schema, stored->pspecs[i]);
      values[i] = G_IS_VALUE (&stored->values[i]) ? &stored->values[i] : NULL;
    }
  apply_values_now (resource, schema, host, in_main_context, columns, values, stored->n_values,
                    stored->keep_unsaved, stored->stamp);
}

static void
apply_stored_cb (gpointer data,
                 gpointer unused)
{
  apply_stored_now (data, NULL, TRUE);
}

/* When the values loaded in this thread reach their object. */
typedef enum
{
  /* Now, notified now. */
  APPLY_NOW,
  /* Now, notified in the main context later. */
  APPLY_NOW_NOTIFY_LATER,
  /* Later, in the main context. */
  APPLY_LATER,
} ApplyMode;

static ApplyMode
apply_mode (GormMapperHost *host)
{
  if (host == NULL)
    return APPLY_NOW;
  if (gorm_mapper_host_in_main_context (host))
    /* When the main thread holds the lock (a sync load), the values are
     * set at once, and the notifications wait until the lock is let go
     * (see gorm_mapper_host_defer()), since a handler may call libgorm
     * again. */
    return gorm_connection_held_by_self (host->connection) ? APPLY_NOW_NOTIFY_LATER : APPLY_NOW;
  /* The transaction's function reads what it loads: its values are set at
   * once, and no older value queued for the main context overwrites them
   * later. */
  if (gorm_change_feed_is_transaction_thread (host->feed))
    return APPLY_NOW_NOTIFY_LATER;
  return APPLY_LATER;
}

/* The stamp of values read now: see gorm_mapper_push_read_stamp(). */
static guint64
read_stamp_now (void)
{
  guint64 stamp = GPOINTER_TO_SIZE (g_private_get (&read_stamp));

  return stamp != 0 ? stamp : next_stamp ();
}

void
gorm_row_state_apply_stored (GormResource   *resource,
                             GormMapperHost *host,
                             GParamSpec    **pspecs,
                             GValue         *values,
                             guint           n_values,
                             gboolean        keep_unsaved)
{
  StoredValues *stored = g_new0 (StoredValues, 1);
  ApplyMode mode = apply_mode (host);

  stored->resource = g_object_ref (resource);
  stored->pspecs = g_memdup2 (pspecs, sizeof (GParamSpec *) * MAX (n_values, 1));
  stored->values = values;
  stored->n_values = n_values;
  stored->keep_unsaved = keep_unsaved;
  stored->stamp = read_stamp_now ();

  if (mode == APPLY_LATER)
    {
      gorm_mapper_host_defer (host, apply_stored_cb, stored, stored_values_free);
      return;
    }
  apply_stored_now (stored, host, mode == APPLY_NOW);
  stored_values_free (stored);
}

void
gorm_row_state_set_stored (GormResource     *resource,
                           const GormColumn *column,
                           const GValue     *value)
{
  GormRowState *state = gorm_row_state_of (resource);
  GValue *copy = g_new0 (GValue, 1);

  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);
  if (state->dirty != NULL)
    state->dirty[column->index] = FALSE;
  gorm_row_state_apply_stored (resource, state->host, (GParamSpec **) &column->pspec, copy, 1, FALSE);
}

void
gorm_row_state_set_null (GormResource     *resource,
                         const GormColumn *column)
{
  GormRowState *state = gorm_row_state_of (resource);
  const GormSchema *schema = gorm_row_state_get_schema (state, G_OBJECT_TYPE (resource), NULL);
  g_auto(GValue) value = G_VALUE_INIT;
  gpointer outer;

  if (gorm_row_state_is_null (state, column->index))
    return;

  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (column->pspec));
  g_param_value_set_default (column->pspec, &value);
  /* The property is set and notified here, past the object's notification
   * queue (see notify_now()), under setting_null: a notification delayed
   * by a freeze would come later as a change that clears the mark. */
  outer = g_private_get (&setting_null);
  g_private_set (&setting_null, GINT_TO_POINTER (TRUE));
  if (differs (resource, column, &value))
    set_quietly (G_OBJECT (resource), column->pspec, &value);
  mark_null (state, schema, column->index);
  notify_now (G_OBJECT (resource), column->pspec);
  g_private_set (&setting_null, outer);
}

/* The mapper of a type in a database. */

struct _GormMapper
{
  const GormSchema     *schema;
  GormMapperHost       *host;
  const GormDialect    *dialect;
  GormConnection       *statements;

  GormStatement        *delete;
  GormStatement        *select_by_key;
  /* INSERT and UPDATE statements by their shape: the columns they write
   * and which of those are NULL (see gorm-dialect-private.h). */
  GHashTable           *writes;
  /* See gorm_mapper_get_migrated(). */
  gboolean              migrated;
};

GormMapper *
gorm_mapper_new (const GormSchema  *schema,
                 GormMapperHost    *host,
                 const GormDialect *dialect,
                 GormConnection    *connection)
{
  GormMapper *self = g_new0 (GormMapper, 1);

  self->schema = schema;
  self->host = host;
  self->dialect = dialect;
  self->statements = connection;
  self->writes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return self;
}

void
gorm_mapper_free (GormMapper *self)
{
  g_clear_pointer (&self->writes, g_hash_table_unref);
  g_free (self);
}

const GormSchema *
gorm_mapper_get_schema (GormMapper *self)
{
  return self->schema;
}

gboolean
gorm_mapper_get_migrated (GormMapper *self)
{
  return self->migrated;
}

void
gorm_mapper_set_migrated (GormMapper *self,
                          gboolean    migrated)
{
  self->migrated = migrated;
}

/* Looks up (parsing it the first time) the statement a renderer makes. */
static GormStatement *
ensure_statement (GormMapper      *self,
                  GormStatement **slot,
                  char         *(*render) (const GormDialect *, const GormSchema *),
                  GError        **error)
{
  if (*slot == NULL)
    {
      g_autofree char *sql = render (self->dialect, self->schema);

      *slot = gorm_connection_lookup_locked (self->statements, sql, error);
    }
  return *slot;
}

static void
unset_values (GValue *values,
              guint   n_values)
{
  /* Each value is set or G_VALUE_INIT: its type tells, without
   * G_IS_VALUE()'s call into GType for each column of each row. */
  for (guint i = 0; i < n_values; i++)
    if (G_VALUE_TYPE (&values[i]) != G_TYPE_INVALID)
      g_value_unset (&values[i]);
}

static void
free_values (GValue *values,
             guint   n_values)
{
  unset_values (values, n_values);
  g_free (values);
}

/* Checks the rules libgorm enforces before any SQL runs. */
gboolean
gorm_mapper_validate_value (const GormSchema *schema,
                            const GormColumn *column,
                            const GValue     *value,
                            GError          **error)
{
  if (column->max_length > 0 && G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    {
      const char *text = g_value_get_string (value);
      glong length;

      if (!g_utf8_validate (text, -1, NULL))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "%s:%s holds a string that is not valid UTF-8",
                       schema->type_name, column->pspec->name);
          return FALSE;
        }
      length = g_utf8_strlen (text, -1);
      if (length > column->max_length)
        {
          g_autofree char *shown = g_strndup (text, g_utf8_offset_to_pointer (text, MIN (length, 40)) - text);

          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "%s:%s is limited to %u characters, but “%s%s” has %ld",
                       schema->type_name, column->pspec->name, column->max_length,
                       shown, length > 40 ? "…" : "", length);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
gorm_mapper_convert_user_value (const GormSchema *schema,
                                const GormColumn *column,
                                const GValue     *value,
                                GValue           *property_value,
                                GValue           *sql_value,
                                GError          **error)
{
  if (gorm_value_is_null (value))
    {
      /* A string, date-time, bytes or string array given set_not_null()
       * is refused by the database, with GORM_ERROR_CONSTRAINT, as when
       * an object holding NULL there is saved. */
      if (!gorm_column_is_nullable (column) &&
          (!gorm_value_kind_is_nullable (column->kind) || (column->flags & GORM_COLUMN_PRIMARY_KEY)))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot store NULL in %s:%s, a %s property that is not nullable%s",
                       schema->type_name, column->pspec->name,
                       g_type_name (G_PARAM_SPEC_VALUE_TYPE (column->pspec)),
                       (column->flags & GORM_COLUMN_PRIMARY_KEY) ? " (it is the primary key)"
                       : " (see gorm_resource_class_set_nullable())");
          return FALSE;
        }
      /* A GValue of a string, date-time, bytes or string array holds
       * NULL; one of a number cannot, and stands for NULL as an SQL NULL. */
      g_value_init (property_value, gorm_column_marks_null (column)
                                    ? GORM_TYPE_SQL_NULL
                                    : G_PARAM_SPEC_VALUE_TYPE (column->pspec));
      if (sql_value != NULL)
        g_value_init (sql_value, GORM_TYPE_SQL_NULL);
      return TRUE;
    }

  if (!gorm_value_coerce (column->kind, column->pspec, value, property_value, error))
    return FALSE;
  /* The rules a save checks (a maximum length) wait for the save, unless
   * the value is written now. */
  if (sql_value == NULL ||
      (gorm_mapper_validate_value (schema, column, property_value, error) &&
       gorm_value_to_sql (column->kind, column->pspec, property_value, sql_value, error)))
    return TRUE;
  g_value_unset (property_value);
  return FALSE;
}

/* Reads, validates and converts the property of @column, applying the
 * automatic timestamps: nothing is bound until every value converts. */
static gboolean
column_sql_value (const GormSchema *schema,
                  GormResource     *resource,
                  const GormColumn *column,
                  gboolean          inserting,
                  GDateTime        *now,
                  GValue           *sql_value,
                  GError          **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  /* A nullable number marked NULL is written as NULL. */
  if (gorm_row_state_is_null (gorm_row_state_of (resource), column->index))
    {
      g_value_init (sql_value, GORM_TYPE_SQL_NULL);
      return TRUE;
    }

  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (column->pspec));
  gorm_mapper_get_property (G_OBJECT (resource), column->pspec, &value);

  /* Without @now (a bulk update) no timestamp is automatic. */
  if (now != NULL &&
      ((column->flags & GORM_COLUMN_AUTO_NOW) ||
       (inserting && (column->flags & GORM_COLUMN_AUTO_NOW_ADD) && g_value_get_boxed (&value) == NULL)))
    g_value_set_boxed (&value, now);

  return gorm_mapper_validate_value (schema, column, &value, error) &&
         gorm_value_to_sql (column->kind, column->pspec, &value, sql_value, error);
}

static gboolean
sets_timestamp (const GormColumn *column,
                GormResource     *resource,
                gboolean          inserting)
{
  if (column->flags & GORM_COLUMN_AUTO_NOW)
    return TRUE;
  if (inserting && (column->flags & GORM_COLUMN_AUTO_NOW_ADD))
    {
      g_autoptr(GDateTime) current = NULL;

      g_object_get (resource, column->pspec->name, &current, NULL);
      return current == NULL;
    }
  return FALSE;
}

/* Gives the resource the timestamps its row now has, without marking the
 * properties changed. */
static void
apply_timestamps (GormMapper   *self,
                  GormResource *resource,
                  const guint  *columns,
                  guint         n_columns,
                  GDateTime    *now)
{
  const GormSchema *schema = self->schema;
  g_autofree GParamSpec **pspecs = NULL;
  GValue *values;

  if (n_columns == 0)
    return;
  pspecs = g_new0 (GParamSpec *, n_columns);
  values = g_new0 (GValue, n_columns);
  for (guint i = 0; i < n_columns; i++)
    {
      pspecs[i] = schema->columns[columns[i]].pspec;
      g_value_init (&values[i], G_TYPE_DATE_TIME);
      g_value_set_boxed (&values[i], now);
    }
  gorm_row_state_apply_stored (resource, self->host, pspecs, values, n_columns, FALSE);
}

static void
prefix_error (GError          **error,
              const GormSchema *schema,
              const char       *action)
{
  gorm_dialect_explain_unique_error (schema, error);
  g_prefix_error (error, "Cannot %s %s: ", action, schema->type_name);
}

/* The key of the row just inserted (of a multi-row INSERT, its last row),
 * where the INSERT does not return it. */
static gboolean
read_last_insert_id (GormMapper *self,
                     GValue     *key,
                     GError    **error)
{
  gint64 id;

  if (!gorm_connection_last_insert_id_locked (self->statements, &id, error))
    return FALSE;
  g_value_init (key, G_TYPE_INT64);
  g_value_set_int64 (key, id);
  return TRUE;
}

/* Runs an INSERT … RETURNING key and reads the key. */
static gboolean
read_returned_id (GormMapper    *self,
                  GormStatement *statement,
                  GValue        *key,
                  GError       **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  const GValue *value;

  rows = gorm_connection_select_locked (self->statements, statement, types, error);
  if (rows == NULL)
    return FALSE;
  value = gorm_rows_get_value (rows, 0, 0, error);
  if (value == NULL)
    return FALSE;
  g_value_init (key, G_TYPE_INT64);
  g_value_set_int64 (key, g_value_get_int64 (value));
  return TRUE;
}

/* The statement writing @values to @columns (all columns but the
 * automatic key when @columns is NULL, an INSERT). */
static GormStatement *
lookup_write (GormMapper   *self,
              const guint  *columns,
              const GValue *values,
              guint         n_values,
              gboolean      with_key,
              GError      **error)
{
  /* The shape is written by hand: this runs once per save. A column
   * number takes at most 10 digits. */
  char *shape = g_newa (char, 2 + n_values * 12);
  GType null_type = GORM_TYPE_SQL_NULL;
  GormStatement *statement;
  g_autofree char *sql = NULL;
  char *end = shape;

  *end++ = columns ? 'u' : with_key ? 'k' : 'i';
  for (guint i = 0; i < n_values; i++)
    {
      if (columns != NULL)
        {
          char digits[10];
          guint n = 0;

          for (guint number = columns[i]; number > 0 || n == 0; number /= 10)
            digits[n++] = '0' + number % 10;
          while (n > 0)
            *end++ = digits[--n];
        }
      *end++ = G_VALUE_TYPE (&values[i]) == null_type ? 'n' : 'v';
    }
  *end = '\0';

  statement = g_hash_table_lookup (self->writes, shape);
  if (statement != NULL)
    return statement;

  if (columns == NULL)
    sql = gorm_dialect_render_insert (self->dialect, self->schema, values, with_key);
  else
    sql = gorm_dialect_render_update (self->dialect, self->schema, columns, values, n_values);
  statement = gorm_connection_lookup_locked (self->statements, sql, error);
  if (statement != NULL)
    g_hash_table_insert (self->writes, g_strdup (shape), statement);

  return statement;
}

/* Names the key an insert given its key found taken. */
static void
explain_taken_key (const GormSchema *schema,
                   const GValue     *key,
                   GError          **error)
{
  g_autofree char *shown = NULL;

  if (error == NULL || !gorm_dialect_violates_key (schema, *error))
    return;
  shown = gorm_value_describe (key);
  g_prefix_error (error, "%s:%s %s is taken by another row: ", schema->type_name,
                  schema->key->pspec->name, shown);
}

/* Runs @sql, a SELECT on the sequence of the automatic key, with the
 * table and the key column bound as ##p0 and ##p1, and @value as ##p2. */
static GormRows *
select_on_sequence (GormMapper   *self,
                    const char   *sql,
                    gint64        value,
                    const GType  *types,
                    GError      **error)
{
  GormStatement *statement = gorm_connection_lookup_locked (self->statements, sql, error);
  GString *table;
  GValue param = G_VALUE_INIT;

  if (statement == NULL)
    return NULL;
  table = g_string_new (NULL);
  gorm_dialect_append_identifier (table, self->schema->table);
  g_value_init (&param, G_TYPE_STRING);
  g_value_take_string (&param, g_string_free (table, FALSE));
  gorm_statement_take_param (statement, 0, &param);
  g_value_init (&param, G_TYPE_STRING);
  g_value_set_string (&param, self->schema->key->name);
  gorm_statement_take_param (statement, 1, &param);
  g_value_init (&param, G_TYPE_INT64);
  g_value_set_int64 (&param, value);
  gorm_statement_take_param (statement, 2, &param);
  return gorm_connection_select_locked (self->statements, statement, types, error);
}

/* Moves the sequence of the automatic key past @id, which an insert
 * wrote itself. */
static gboolean
advance_ids (GormMapper *self,
             gint64      id,
             GError    **error)
{
  g_autoptr(GormRows) rows = select_on_sequence (self, self->dialect->advance_ids_sql, id,
                                                 NULL, error);

  return rows != NULL;
}

struct _GormSave
{
  gboolean   inserting;
  /* An insert that writes the automatic key the application gave the
   * object, as its first value. */
  gboolean   with_key;
  /* The time of the save, read at the first column that gets an automatic
   * timestamp; NULL when none does. */
  GDateTime *now;
  /* The columns written and their SQL values, in order. */
  guint     *columns;
  GValue    *values;
  guint      n_columns;
  /* The columns that get the automatic timestamp. */
  guint     *stamped;
  guint      n_stamped;
};

gboolean
gorm_save_is_insert (GormSave *save)
{
  return save->inserting;
}

gint64
gorm_save_get_given_id (GormSave *save)
{
  return save->with_key ? g_value_get_int64 (&save->values[0]) : 0;
}

void
gorm_save_free (GormSave *save)
{
  free_values (save->values, save->n_columns);
  g_free (save->columns);
  g_free (save->stamped);
  g_clear_pointer (&save->now, g_date_time_unref);
  g_free (save);
}

GormSave *
gorm_mapper_prepare_save (const GormSchema *schema,
                          GormResource     *resource,
                          gboolean          inserting,
                          GError          **error)
{
  const GError *read_error = gorm_mapper_get_read_error (resource);
  GormSave *save;

  /* A stand-in holds default values, not its row's: writing them would
   * overwrite the row. */
  if (read_error != NULL && !inserting)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot update %s: the object stands in for a row that could not be read, "
                   "and would overwrite it with default values; reload it once the row is "
                   "fixed, or delete it (%s)",
                   schema->type_name, read_error->message);
      return NULL;
    }

  save = g_new0 (GormSave, 1);
  save->inserting = inserting;
  save->columns = g_new0 (guint, schema->n_columns);
  save->values = g_new0 (GValue, schema->n_columns);
  save->stamped = g_new0 (guint, schema->n_columns);

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];

      if (column->flags & GORM_COLUMN_AUTO_ID)
        {
          gint64 id = gorm_row_state_of (resource)->id;

          /* A new object given an id is inserted with it. */
          if (!inserting || id == 0)
            continue;
          save->with_key = TRUE;
          save->columns[save->n_columns] = i;
          g_value_init (&save->values[save->n_columns], G_TYPE_INT64);
          g_value_set_int64 (&save->values[save->n_columns], id);
          save->n_columns++;
          continue;
        }
      if (sets_timestamp (column, resource, inserting))
        {
          if (save->now == NULL)
            save->now = g_date_time_new_now_utc ();
          save->stamped[save->n_stamped++] = i;
        }
      else if (!inserting && !gorm_row_state_column_is_dirty (gorm_row_state_of (resource), i))
        continue;
      save->columns[save->n_columns] = i;
      if (!column_sql_value (schema, resource, column, inserting, save->now,
                             &save->values[save->n_columns], error))
        {
          g_prefix_error (error, "Cannot %s %s: ", inserting ? "insert" : "update", schema->type_name);
          save->n_columns++;
          gorm_save_free (save);
          return NULL;
        }
      save->n_columns++;
    }

  return save;
}

gboolean
gorm_mapper_insert (GormMapper   *self,
                    GormResource *resource,
                    GormSave     *save,
                    GError      **error)
{
  const GormSchema *schema = self->schema;
  g_auto(GValue) key = G_VALUE_INIT;
  GormStatement *statement;
  gboolean auto_id = gorm_schema_has_auto_id (schema);

  /* What the object writes is newer than any load queued for it before;
   * the timestamps this save gives it come after. */
  stamp_all (gorm_row_state_of (resource), schema);

  statement = lookup_write (self, NULL, save->values, save->n_columns, save->with_key, error);
  if (statement == NULL)
    goto failed;
  /* A natural key, or an automatic one the application gave, is the first
   * value. */
  if (!auto_id || save->with_key)
    {
      g_value_init (&key, G_VALUE_TYPE (&save->values[0]));
      g_value_copy (&save->values[0], &key);
    }
  /* The values move to the statement: a save is written once. */
  gorm_statement_take_params (statement, save->values, save->n_columns);

  if (save->with_key)
    {
      /* The sequence moves first: a failed insert then leaves nothing but
       * a gap in the automatic keys, never a row whose key the sequence
       * gives again. */
      if (self->dialect->advance_ids_sql != NULL &&
          !advance_ids (self, g_value_get_int64 (&key), error))
        goto failed;
      if (gorm_connection_execute_locked (self->statements, statement, error) < 0)
        {
          explain_taken_key (schema, &key, error);
          goto failed;
        }
    }
  else if (auto_id && self->dialect->last_insert_id_sql == NULL)
    {
      /* INSERT … RETURNING gives the new key as a row. */
      if (!read_returned_id (self, statement, &key, error))
        goto failed;
    }
  else if (gorm_connection_execute_locked (self->statements, statement, error) < 0 ||
           (auto_id && !read_last_insert_id (self, &key, error)))
    goto failed;

  apply_timestamps (self, resource, save->stamped, save->n_stamped, save->now);
  mark_saved (gorm_row_state_of (resource), resource, self->host, &key);
  return TRUE;

failed:
  prefix_error (error, schema, "insert");
  return FALSE;
}

static void
take_key_param (GormStatement *statement,
                guint          number,
                const GValue  *key)
{
  GValue copy = G_VALUE_INIT;

  g_value_init (&copy, G_VALUE_TYPE (key));
  g_value_copy (key, &copy);
  gorm_statement_take_param (statement, number, &copy);
}

static gboolean
check_row_exists (const GormSchema *schema,
                  gint64            rows,
                  const GValue     *key,
                  const char       *action,
                  GError          **error)
{
  g_autofree char *shown = NULL;

  if (rows > 0)
    return TRUE;

  shown = gorm_value_describe (key);
  g_set_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND,
               "Cannot %s %s %s: its row no longer exists in “%s”",
               action, schema->type_name, shown, schema->table);
  return FALSE;
}

gboolean
gorm_mapper_update (GormMapper   *self,
                    GormResource *resource,
                    GormSave     *save,
                    GError      **error)
{
  const GormSchema *schema = self->schema;
  GormRowState *state = gorm_row_state_of (resource);
  const GValue *key = &state->key;
  g_auto(GValue) new_key = G_VALUE_INIT;
  GormStatement *statement;
  guint n_bound;
  gint64 rows;

  /* What the object writes is newer than any load queued for it before;
   * the timestamps this save gives it come after. */
  stamp_all (state, schema);

  /* A natural key may change; the row keeps being found by the old one
   * until the UPDATE has run. */
  {
    const GValue *source = (save->n_columns > 0 && save->columns[0] == 0) ? &save->values[0] : key;

    g_value_init (&new_key, G_VALUE_TYPE (source));
    g_value_copy (source, &new_key);
  }

  /* Nothing changed: nothing to write. */
  if (save->n_columns == 0)
    {
      mark_saved (state, resource, self->host, &new_key);
      return TRUE;
    }

  statement = lookup_write (self, save->columns, save->values, save->n_columns, FALSE, error);
  if (statement == NULL)
    goto failed;
  n_bound = gorm_statement_get_n_params (statement) - 1;
  /* The values move to the statement: a save is written once. */
  gorm_statement_take_params (statement, save->values, save->n_columns);
  take_key_param (statement, n_bound, key);

  rows = gorm_connection_execute_locked (self->statements, statement, error);
  if (rows < 0 || !check_row_exists (schema, rows, key, "update", error))
    goto failed;

  note_write (self->host, resource, UNDO_UPDATE, &new_key, key,
              save->columns, save->n_columns, save->stamped, save->n_stamped);
  apply_timestamps (self, resource, save->stamped, save->n_stamped, save->now);
  mark_saved (state, resource, self->host, &new_key);
  return TRUE;

failed:
  prefix_error (error, schema, "update");
  return FALSE;
}

/* Many objects at once */

/* One char a value, 'n' for an SQL NULL and 'v' for any other value: the
 * NULLs are literals in the SQL, so rows of one shape share a
 * statement. */
static char *
null_shape (const GValue *values,
            guint         n_values)
{
  char *shape = g_new (char, n_values + 1);

  for (guint i = 0; i < n_values; i++)
    shape[i] = gorm_value_is_sql_null (&values[i]) ? 'n' : 'v';
  shape[n_values] = '\0';
  return shape;
}

/* Values of the types of @values, holding nothing: what a statement is
 * rendered from once the values themselves are bound. */
static GValue *
typed_shape (const GValue *values,
             guint         n_values)
{
  GValue *shape = g_new0 (GValue, MAX (n_values, 1));

  for (guint i = 0; i < n_values; i++)
    g_value_init (&shape[i], G_VALUE_TYPE (&values[i]));
  return shape;
}

/* The rows of one NULL shape, in the order they were given. */
typedef struct
{
  char   *shape;
  /* Of guint: the numbers of the rows. */
  GArray *rows;
} ShapeGroup;

static void
shape_group_free (gpointer data)
{
  ShapeGroup *group = data;

  g_free (group->shape);
  g_array_unref (group->rows);
  g_free (group);
}

/* Groups @n_rows rows of @n_values SQL values each (row i's values at
 * @values_of (i, @data)) by NULL shape, in the order each shape first
 * appears. */
static GPtrArray *
group_by_shape (guint           n_rows,
                guint           n_values,
                const GValue *(*values_of) (guint, gpointer),
                gpointer        data)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func (shape_group_free);
  g_autoptr(GHashTable) by_shape = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *shape = null_shape (values_of (i, data), n_values);
      ShapeGroup *group = g_hash_table_lookup (by_shape, shape);

      if (group == NULL)
        {
          group = g_new0 (ShapeGroup, 1);
          group->shape = g_steal_pointer (&shape);
          group->rows = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (by_shape, group->shape, group);
          g_ptr_array_add (groups, group);
        }
      g_array_append_val (group->rows, i);
    }
  return groups;
}

/* How many rows a statement of @per_row parameters a row takes: as
 * many as the dialect's parameter limit and @cap allow. */
static guint
rows_per_statement (GormMapper *self,
                    guint       per_row,
                    guint       cap)
{
  cap = MIN (self->dialect->max_parameters, cap);

  return MAX (cap / MAX (per_row, 1), 1);
}

/* How many of the @left rows still to write the next statement takes: a
 * full statement, else the largest power of two not above @left, so
 * that the statements cached for one shape are at most the full one and
 * one per power of two below it, whatever the numbers of objects. */
static guint
next_chunk (guint left,
            guint full)
{
  guint chunk = 1;

  if (left >= full)
    return full;
  while (chunk * 2 <= left)
    chunk *= 2;
  return chunk;
}

/* The cached statement of a multi-row write: @kind and @n_rows before
 * the shape in the key of the mapper's statements. */
static GormStatement *
lookup_rows_statement (GormMapper  *self,
                       const char  *kind,
                       guint        n_rows,
                       const char  *shape,
                       char      *(*render) (GormMapper *, guint, gpointer),
                       gpointer     data,
                       GError     **error)
{
  g_autofree char *key = g_strdup_printf ("%s%u:%s", kind, n_rows, shape);
  GormStatement *statement = g_hash_table_lookup (self->writes, key);
  g_autofree char *sql = NULL;

  if (statement != NULL)
    return statement;
  sql = render (self, n_rows, data);
  statement = gorm_connection_lookup_direct_locked (self->statements, sql, error);
  if (statement != NULL)
    g_hash_table_insert (self->writes, g_steal_pointer (&key), statement);
  return statement;
}

guint
gorm_mapper_bulk_parameters (GormMapper *self)
{
  return gorm_connection_runs_directly_locked (self->statements)
           ? GORM_MAPPER_DIRECT_BULK_PARAMETERS
           : GORM_MAPPER_BULK_PARAMETERS;
}

static const GValue *
save_values_of (guint    row,
                gpointer data)
{
  GormSave **saves = data;

  return saves[row]->values;
}

typedef struct
{
  const GValue *shape;
  guint         n_values;
  gboolean      with_key;
} InsertShape;

static char *
render_insert_rows (GormMapper *self,
                    guint       n_rows,
                    gpointer    data)
{
  InsertShape *shape = data;

  return gorm_dialect_render_insert_rows (self->dialect, self->schema, shape->shape,
                                          shape->n_values, shape->with_key, n_rows);
}

static gint
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* @n new values of the sequence of the automatic key (reserve_ids_sql),
 * ascending. */
static gint64 *
reserve_ids (GormMapper *self,
             guint       n,
             GError    **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  g_autofree gint64 *ids = NULL;

  rows = select_on_sequence (self, self->dialect->reserve_ids_sql, n, types, error);
  if (rows == NULL)
    return NULL;
  if (gorm_rows_get_n_rows (rows) != n)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "The sequence of %s gave %u keys for %u rows",
                   self->schema->type_name, gorm_rows_get_n_rows (rows), n);
      return NULL;
    }
  ids = g_new (gint64, n);
  for (guint i = 0; i < n; i++)
    {
      const GValue *value = gorm_rows_get_value (rows, 0, i, error);

      if (value == NULL)
        return NULL;
      ids[i] = g_value_get_int64 (value);
    }
  qsort (ids, n, sizeof (gint64), compare_int64);
  return g_steal_pointer (&ids);
}

static void
set_int64_key (GValue *key,
               gint64  id)
{
  g_value_init (key, G_TYPE_INT64);
  g_value_set_int64 (key, id);
}

gboolean
gorm_mapper_insert_rows (GormMapper    *self,
                         GormSave     **saves,
                         guint          n_saves,
                         GValue        *keys,
                         GCancellable  *cancellable,
                         GError       **error)
{
  const GormSchema *schema = self->schema;
  gboolean auto_id = gorm_schema_has_auto_id (schema);
  gboolean reserving = auto_id && self->dialect->reserve_ids_sql != NULL;
  g_autofree gint64 *reserved = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  guint n_values, full;
  guint next_reserved = 0;

  if (n_saves == 0)
    return TRUE;
  /* Every insert writes every column but the automatic key. */
  n_values = saves[0]->n_columns;
  /* Without a value to write, SQLite has only INSERT … DEFAULT VALUES,
   * one row each. */
  full = n_values == 0 && !reserving ? 1 : rows_per_statement (self, n_values + reserving,
                                                               gorm_mapper_bulk_parameters (self));

  /* The keys come from the sequence first, in the order of the rows
   * written, when the dialect reads them so. */
  if (reserving)
    {
      reserved = reserve_ids (self, n_saves, error);
      if (reserved == NULL)
        goto failed;
    }

  groups = group_by_shape (n_saves, n_values, save_values_of, saves);
  for (guint g = 0; g < groups->len; g++)
    {
      ShapeGroup *group = g_ptr_array_index (groups, g);
      const guint *rows = (const guint *) (gpointer) group->rows->data;
      guint n_rows = group->rows->len;
      /* Read before the first row's values are bound (taken). */
      GValue *types = typed_shape (saves[rows[0]]->values, n_values);
      InsertShape shape = { types, n_values, reserving };
      gboolean ok = TRUE;

      for (guint start = 0; ok && start < n_rows; start += next_chunk (n_rows - start, full))
        {
          guint chunk = next_chunk (n_rows - start, full);
          GormStatement *statement;
          guint number = 0;
          gint64 written;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              ok = FALSE;
              break;
            }
          if (n_values == 0 && !reserving)
            statement = lookup_write (self, NULL, NULL, 0, FALSE, error);
          else
            statement = lookup_rows_statement (self, "m", chunk, group->shape,
                                               render_insert_rows, &shape, error);
          if (statement == NULL)
            {
              ok = FALSE;
              break;
            }

          for (guint r = start; r < start + chunk; r++)
            {
              GormSave *save = saves[rows[r]];

              if (reserving)
                {
                  GValue id = G_VALUE_INIT;

                  set_int64_key (&keys[rows[r]], reserved[next_reserved++]);
                  set_int64_key (&id, g_value_get_int64 (&keys[rows[r]]));
                  gorm_statement_take_param (statement, number++, &id);
                }
              else if (!auto_id)
                {
                  /* A natural key is the first column: the row's key is
                   * what it writes there. */
                  g_value_init (&keys[rows[r]], G_VALUE_TYPE (&save->values[0]));
                  g_value_copy (&save->values[0], &keys[rows[r]]);
                }
              for (guint i = 0; i < n_values; i++)
                if (!gorm_value_is_sql_null (&save->values[i]))
                  gorm_statement_take_param (statement, number++, &save->values[i]);
            }

          written = gorm_connection_execute_locked (self->statements, statement, error);
          if (written >= 0 && written != chunk)
            g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                         "%" G_GINT64_FORMAT " rows were inserted instead of %u", written, chunk);
          if (written != chunk)
            {
              ok = FALSE;
              break;
            }
          /* The write lock, held since the transaction began, keeps every
           * other connection from inserting meanwhile, and the rows of one
           * INSERT of SQLite are numbered one after the other, in the
           * order of its VALUES (no row names its own key): the last
           * key read is that of the chunk's last row. */
          if (auto_id && !reserving)
            {
              g_auto(GValue) last = G_VALUE_INIT;

              if (!read_last_insert_id (self, &last, error))
                {
                  ok = FALSE;
                  break;
                }
              for (guint r = 0; r < chunk; r++)
                set_int64_key (&keys[rows[start + r]],
                               g_value_get_int64 (&last) - (chunk - 1) + r);
            }
        }
      free_values (types, n_values);
      if (!ok)
        goto failed;
    }
  return TRUE;

failed:
  prefix_error (error, schema, "insert");
  return FALSE;
}

gboolean
gorm_save_check_not_null (const GormSchema *schema,
                          GormSave         *save,
                          GError          **error)
{
  for (guint i = 0; i < save->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[save->columns[i]];

      if (gorm_value_is_sql_null (&save->values[i]) && !gorm_column_is_nullable (column))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "%s:%s is NULL, but the column takes no NULL (see "
                       "gorm_resource_class_set_not_null())",
                       schema->type_name, column->pspec->name);
          return FALSE;
        }
    }
  return TRUE;
}

void
gorm_mapper_mark_inserted (GormMapper   *self,
                           GormResource *resource,
                           GormSave     *save,
                           const GValue *key)
{
  stamp_all (gorm_row_state_of (resource), self->schema);
  apply_timestamps (self, resource, save->stamped, save->n_stamped, save->now);
  mark_saved (gorm_row_state_of (resource), resource, self->host, key);
}

gboolean
gorm_mapper_read_columns (const GormSchema *schema,
                          GormResource     *resource,
                          const guint      *columns,
                          guint             n_columns,
                          GValue           *sql_values,
                          GError          **error)
{
  for (guint i = 0; i < n_columns; i++)
    if (!column_sql_value (schema, resource, &schema->columns[columns[i]], FALSE, NULL,
                           &sql_values[i], error))
      {
        g_prefix_error (error, "Cannot update %s: ", schema->type_name);
        unset_values (sql_values, i);
        return FALSE;
      }
  return TRUE;
}

typedef struct
{
  const GValue *values;
  guint         n_columns;
} UpdateRows;

static const GValue *
update_values_of (guint    row,
                  gpointer data)
{
  UpdateRows *update = data;

  return &update->values[row * update->n_columns];
}

typedef struct
{
  const guint  *columns;
  guint         n_columns;
  /* The values of the chunk's rows, row after row, for their NULLs. */
  GValue       *shape;
} UpdateShape;

static char *
render_update_rows (GormMapper *self,
                    guint       n_rows,
                    gpointer    data)
{
  UpdateShape *shape = data;

  return gorm_dialect_render_update_rows (self->dialect, self->schema, shape->columns,
                                          shape->n_columns, shape->shape, n_rows);
}

gint64
gorm_mapper_update_rows (GormMapper    *self,
                         const GValue  *keys,
                         guint          n_rows,
                         const guint   *columns,
                         guint          n_columns,
                         GValue        *values,
                         GCancellable  *cancellable,
                         GError       **error)
{
  UpdateRows update = { values, n_columns };
  g_autoptr(GPtrArray) groups = NULL;
  /* Each row binds its key and its value for every column, and its key
   * again in the IN list. */
  guint full = rows_per_statement (self, 2 * n_columns + 1, GORM_MAPPER_BULK_PARAMETERS);
  g_autofree char *columns_key = NULL;
  GString *text = g_string_new ("u");
  gint64 total = 0;

  for (guint i = 0; i < n_columns; i++)
    g_string_append_printf (text, "%u,", columns[i]);
  columns_key = g_string_free (text, FALSE);

  groups = group_by_shape (n_rows, n_columns, update_values_of, &update);
  for (guint g = 0; g < groups->len; g++)
    {
      ShapeGroup *group = g_ptr_array_index (groups, g);
      const guint *rows = (const guint *) (gpointer) group->rows->data;
      g_autofree char *shape_key = g_strconcat (columns_key, group->shape, NULL);
      GValue *types = typed_shape (&values[rows[0] * n_columns], n_columns);
      gboolean ok = TRUE;

      for (guint start = 0; ok && start < group->rows->len;)
        {
          guint chunk = next_chunk (group->rows->len - start, full);
          g_autofree GValue *shape_values = g_new0 (GValue, (gsize) chunk * n_columns);
          UpdateShape shape = { columns, n_columns, shape_values };
          GormStatement *statement;
          guint number = 0;
          gint64 written;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              ok = FALSE;
              break;
            }
          /* The group's shape, for each of the chunk's rows: borrowed,
           * never unset. */
          for (guint r = 0; r < chunk; r++)
            memcpy (&shape_values[r * n_columns], types, sizeof (GValue) * n_columns);
          statement = lookup_rows_statement (self, "c", chunk, shape_key, render_update_rows,
                                             &shape, error);
          if (statement == NULL)
            {
              ok = FALSE;
              break;
            }

          for (guint i = 0; i < n_columns; i++)
            for (guint r = start; r < start + chunk; r++)
              {
                GValue *value = &values[rows[r] * n_columns + i];

                take_key_param (statement, number++, &keys[rows[r]]);
                if (!gorm_value_is_sql_null (value))
                  gorm_statement_take_param (statement, number++, value);
              }
          for (guint r = start; r < start + chunk; r++)
            take_key_param (statement, number++, &keys[rows[r]]);

          written = gorm_connection_execute_locked (self->statements, statement, error);
          if (written < 0)
            {
              ok = FALSE;
              break;
            }
          total += written;
          start += chunk;
        }
      free_values (types, n_columns);
      if (!ok)
        goto failed;
    }
  return total;

failed:
  prefix_error (error, self->schema, "update");
  return -1;
}

void
gorm_mapper_mark_written (GormMapper   *self,
                          GormResource *resource,
                          const guint  *columns,
                          guint         n_columns)
{
  GormRowState *state = gorm_row_state_of (resource);
  guint64 stamp = next_stamp ();

  /* An enclosing transaction that rolls back makes it dirty again. */
  note_write (self->host, resource, UNDO_UPDATE, &state->key, NULL, columns, n_columns, NULL, 0);
  for (guint i = 0; i < n_columns; i++)
    {
      take_stamp (state, self->schema->n_columns, columns[i], stamp);
      if (state->dirty != NULL)
        state->dirty[columns[i]] = FALSE;
    }
}

gboolean
gorm_mapper_delete (GormMapper   *self,
                    GormResource *resource,
                    GError      **error)
{
  const GValue *key = &gorm_row_state_of (resource)->key;
  GormStatement *statement;
  gint64 rows;

  statement = ensure_statement (self, &self->delete, gorm_dialect_render_delete, error);
  if (statement == NULL)
    return FALSE;
  take_key_param (statement, 0, key);

  rows = gorm_connection_execute_locked (self->statements, statement, error);
  if (rows < 0)
    {
      prefix_error (error, self->schema, "delete");
      return FALSE;
    }
  if (!check_row_exists (self->schema, rows, key, "delete", error))
    return FALSE;
  note_write (self->host, resource, UNDO_DELETE, key, NULL, NULL, 0, NULL, 0);
  return TRUE;
}

GormRows *
gorm_mapper_select_by_key (GormMapper   *self,
                           const GValue *key,
                           GError      **error)
{
  GormStatement *statement;

  statement = ensure_statement (self, &self->select_by_key, gorm_dialect_render_select_by_key, error);
  if (statement == NULL)
    return NULL;
  take_key_param (statement, 0, key);

  return gorm_connection_select_locked (self->statements, statement, self->schema->sql_types, error);
}

/* The property values of a row, @row[i] the SQL value of column i:
 * @values[i] is @row[i] itself where the property takes it as it is
 * (gorm_value_sql_is_property_value()), else @converted[i], which then
 * holds the converted value; the automatic id has none. @converted has
 * room for one GValue per column. On failure nothing is left to unset. */
static gboolean
row_values (const GormSchema    *schema,
            const GValue *const *row,
            GValue              *converted,
            const GValue       **values,
            GError             **error)
{
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];

      values[i] = NULL;
      converted[i] = (GValue) G_VALUE_INIT;
      if (column->flags & GORM_COLUMN_AUTO_ID)
        continue;
      /* The NULL of a nullable number stays an SQL NULL: the object keeps
       * it as a mark (see stored_value_applies()). */
      if (gorm_value_is_sql_null (row[i]) && gorm_column_marks_null (column))
        {
          values[i] = row[i];
          continue;
        }
      if (gorm_value_sql_is_property_value (column->kind, column->pspec, row[i]))
        {
          values[i] = row[i];
          continue;
        }
      if (!gorm_value_from_sql (column->kind, column->pspec, row[i], &converted[i], error))
        {
          g_autofree char *key = gorm_value_describe (row[0]);

          g_prefix_error (error, "Cannot read the row of table “%s” whose %s is %s, column “%s”: ",
                          schema->table, schema->key->name, key, column->name);
          unset_values (converted, i);
          return FALSE;
        }
      values[i] = &converted[i];
    }

  return TRUE;
}

/* Copies of the property values of row_values(), for
 * gorm_row_state_apply_stored(), which takes them. */
static GValue *
copy_values (const GormSchema *schema,
             const GValue    **values)
{
  GValue *copies = g_new0 (GValue, schema->n_columns);

  for (guint i = 0; i < schema->n_columns; i++)
    if (values[i] != NULL)
      {
        g_value_init (&copies[i], G_VALUE_TYPE (values[i]));
        g_value_copy (values[i], &copies[i]);
      }
  return copies;
}

GValue *
gorm_mapper_copy_row (GormMapper *self,
                      GormRows   *model,
                      gint        row,
                      GError    **error)
{
  const GormSchema *schema = self->schema;
  GValue *values = g_new0 (GValue, schema->n_columns + 1);

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GValue *value = gorm_rows_get_value (model, i, row, error);

      if (value == NULL)
        {
          gorm_mapper_free_row (values);
          return NULL;
        }
      g_value_init (&values[i], G_VALUE_TYPE (value));
      g_value_copy (value, &values[i]);
    }
  return values;
}

void
gorm_mapper_free_row (GValue *row)
{
  /* Every value of a copied row is set, and an unset one ends it. */
  for (guint i = 0; G_IS_VALUE (&row[i]); i++)
    g_value_unset (&row[i]);
  g_free (row);
}

/* The stored properties of @values, for gorm_row_state_apply_stored(),
 * which takes the values. */
static GParamSpec **
column_pspecs (const GormSchema *schema)
{
  GParamSpec **pspecs = g_new0 (GParamSpec *, schema->n_columns);

  for (guint i = 0; i < schema->n_columns; i++)
    pspecs[i] = schema->columns[i].pspec;
  return pspecs;
}

static gboolean
is_construct_property (GParamSpec *pspec)
{
  return (pspec->flags & (G_PARAM_CONSTRUCT | G_PARAM_CONSTRUCT_ONLY)) != 0;
}

static void take_row (GormResource      *resource,
                      GormMapperHost    *host,
                      const GormSchema  *schema,
                      const GValue     **values);

/* A new object for a row whose key is @key, with the property values
 * @values of row_values(); @is_new (optional) says whether it is new:
 * the row's live object instead when another thread loaded the row
 * meanwhile. */
/* The database of an object a new-object function built
 * (gorm_schema_new_object()), as its row state keeps it. */
static GormDatabase *
row_state_database (GObject *object)
{
  return gorm_row_state_of (object)->database;
}

static GObject *
new_row_object (const GormSchema *schema,
                GormMapperHost   *host,
                const GValue     *key,
                const GValue    **values,
                gboolean         *is_new)
{
  GormDatabase *database = host->database;
  const char **names = g_newa (const char *, schema->n_columns + 1);
  GValue *properties = g_newa (GValue, schema->n_columns + 1);
  GValue *defaults = g_newa (GValue, schema->n_columns);
  const GValue **given = values;
  const GValue **with_defaults = g_newa (const GValue *, schema->n_columns);
  gboolean has_null = FALSE;
  GormResource *live;
  GObject *object;
  guint n = 0;

  if (is_new != NULL)
    *is_new = FALSE;

  /* A NULL of a nullable number is the property's default value, with the
   * NULL mark; a class may start its objects with another value. */
  for (guint i = 0; i < schema->n_columns; i++)
    {
      defaults[i] = (GValue) G_VALUE_INIT;
      if (given[i] != NULL && gorm_value_is_sql_null (given[i]))
        {
          if (!has_null)
            {
              memcpy (with_defaults, given, sizeof (const GValue *) * schema->n_columns);
              values = with_defaults;
              has_null = TRUE;
            }
          g_value_init (&defaults[i], G_PARAM_SPEC_VALUE_TYPE (schema->columns[i].pspec));
          g_param_value_set_default (schema->columns[i].pspec, &defaults[i]);
          values[i] = &defaults[i];
        }
    }

  /* Construct properties go to g_object_new(), with the database; the
   * others are set once the object is built, without notifications.
   * g_object_new() copies what it keeps of the values it is given, which
   * are passed as they are. */
  names[n] = "database";
  properties[n] = (GValue) G_VALUE_INIT;
  g_value_init (&properties[n], G_PARAM_SPEC_VALUE_TYPE (database_pspec));
  g_value_set_object (&properties[n], database);
  n++;
  for (guint i = 0; i < schema->n_columns; i++)
    {
      GParamSpec *pspec = schema->columns[i].pspec;

      if (values[i] != NULL && is_construct_property (pspec))
        {
          names[n] = pspec->name;
          properties[n++] = *values[i];
        }
    }

  /* Not g_object_new() itself: a Python class builds its objects in
   * Python (see gorm_resource_class_set_new_func()). */
  object = gorm_schema_new_object (schema->type, database, row_state_database, n, names,
                                   properties);
  g_value_unset (&properties[0]);

  for (guint i = 0; i < schema->n_columns; i++)
    {
      GParamSpec *pspec = schema->columns[i].pspec;

      if (values[i] != NULL && !is_construct_property (pspec))
        set_quietly (object, pspec, values[i]);
    }
  /* The row says which columns are NULL, whatever the object's
   * construction (a binding's constructor) made NULL. */
  g_clear_pointer (&gorm_row_state_of (object)->nulls, g_free);
  for (guint i = 0; has_null && i < schema->n_columns; i++)
    if (G_IS_VALUE (&defaults[i]))
      {
        mark_null (gorm_row_state_of (object), schema, i);
        g_value_unset (&defaults[i]);
      }

  live = mark_loaded (gorm_row_state_of (object), GORM_RESOURCE (object), host, schema, key);
  if (live != NULL)
    {
      /* Another thread's load of the row came first: its object takes the
       * row's values, as row_object() gives them, and this one goes. */
      g_object_unref (object);
      take_row (live, host, schema, given);
      return G_OBJECT (live);
    }
  if (is_new != NULL)
    *is_new = TRUE;
  return object;
}

/* Marks a stand-in with the error met reading its row. G_DEFINE_QUARK
 * keeps the quark: every save asks, and g_quark_from_static_string()
 * takes GLib's global quark lock. */
static GQuark read_error_quark (void);
G_DEFINE_QUARK (gorm-mapper-read-error, read_error)

/* Gives @resource, an object of @schema's type, the property values
 * @values of row_values(), as gorm_row_state_apply_stored() does. Applied
 * in this thread, the values are read where they are; only values that
 * wait for the main context are copied. */
static void
apply_row (GormResource      *resource,
           GormMapperHost    *host,
           const GormSchema  *schema,
           const GValue     **values,
           gboolean           keep_unsaved)
{
  ApplyMode mode = apply_mode (host);
  const GormColumn **columns;

  if (mode == APPLY_LATER)
    {
      g_autofree GParamSpec **pspecs = column_pspecs (schema);

      gorm_row_state_apply_stored (resource, host, pspecs, copy_values (schema, values),
                                   schema->n_columns, keep_unsaved);
      return;
    }
  columns = g_newa (const GormColumn *, schema->n_columns);
  for (guint i = 0; i < schema->n_columns; i++)
    columns[i] = &schema->columns[i];
  apply_values_now (resource, schema, host, mode == APPLY_NOW, columns, values,
                    schema->n_columns, keep_unsaved, read_stamp_now ());
}

/* @resource, the live object of a row, takes the row's values @values of
 * row_values(), except where it has unsaved changes: those stay the
 * application's. */
static void
take_row (GormResource      *resource,
          GormMapperHost    *host,
          const GormSchema  *schema,
          const GValue     **values)
{
  apply_row (resource, host, schema, values, TRUE);
  /* A stand-in whose row reads now is an object of its row like any. */
  if (g_object_get_qdata (G_OBJECT (resource), read_error_quark ()) != NULL)
    g_object_set_qdata (G_OBJECT (resource), read_error_quark (), NULL);
}

/* Whether the live @resource took every column's value from the read
 * under way (gorm_mapper_push_read_stamp()) already: its row appears
 * again in the same result (the author of each post of a
 * select_related(), a few objects for many rows), with the same values.
 * A column with unsaved changes takes no stamp (apply_values_now()), nor
 * does one a later save or load stamped anew: either keeps the row from
 * being skipped. Without a pushed stamp every value read takes a new one,
 * so nothing is skipped. */
static gboolean
applied_by_this_read (GormResource     *resource,
                      const GormSchema *schema)
{
  guint64 stamp = GPOINTER_TO_SIZE (g_private_get (&read_stamp));
  GormRowState *state;
  gboolean same;

  if (stamp == 0)
    return FALSE;
  state = gorm_row_state_of (resource);
  G_LOCK (stamps_lock);
  same = state->stamps != NULL;
  /* The automatic id is the row's key, which found the object: it takes
   * no value, hence no stamp (row_values()). */
  for (guint i = 0; same && i < schema->n_columns; i++)
    same = (schema->columns[i].flags & GORM_COLUMN_AUTO_ID) || state->stamps[i] == stamp;
  G_UNLOCK (stamps_lock);
  return same;
}

/* The object of a row whose values are @row[i]: the key first. The
 * live object of a row this read gave it already is given back without
 * converting the row again (see applied_by_this_read()). */
static gpointer
object_of_row (const GormSchema    *schema,
               GormMapperHost      *host,
               const GValue *const *row,
               GError             **error)
{
  GValue *converted = g_newa (GValue, schema->n_columns);
  const GValue **values = g_newa (const GValue *, schema->n_columns);
  g_autoptr(GormResource) live = gorm_identity_map_lookup (host->identity, schema->type, row[0]);
  gpointer object;

  if (live != NULL && applied_by_this_read (live, schema))
    return g_steal_pointer (&live);
  if (!row_values (schema, row, converted, values, error))
    return NULL;
  if (live != NULL)
    {
      take_row (live, host, schema, values);
      object = g_steal_pointer (&live);
    }
  else
    object = new_row_object (schema, host, row[0], values, NULL);
  unset_values (converted, schema->n_columns);
  return object;
}

gpointer
gorm_mapper_resource_from_row (const GormSchema *schema,
                               GormMapperHost   *host,
                               GValue           *row,
                               GError          **error)
{
  const GValue **pointers = g_newa (const GValue *, schema->n_columns);
  gpointer object;

  for (guint i = 0; i < schema->n_columns; i++)
    pointers[i] = &row[i];
  object = object_of_row (schema, host, pointers, error);
  gorm_mapper_free_row (row);
  return object;
}

/* Points @sql_row[i] to the value of column i of @row in @model. */
static gboolean
model_row (const GormSchema *schema,
           GormRows         *model,
           gint              row,
           const GValue    **sql_row,
           GError          **error)
{
  for (guint i = 0; i < schema->n_columns; i++)
    {
      sql_row[i] = gorm_rows_get_value (model, i, row, error);
      if (sql_row[i] == NULL)
        return FALSE;
    }
  return TRUE;
}

gpointer
gorm_mapper_new_resource (GormMapper *self,
                          GormRows   *model,
                          gint        row,
                          GError    **error)
{
  const GormSchema *schema = self->schema;
  const GValue **sql_row = g_newa (const GValue *, schema->n_columns);

  /* The model's values are read where they are, without a copy. */
  if (!model_row (schema, model, row, sql_row, error))
    return NULL;
  return object_of_row (schema, self->host, sql_row, error);
}

gpointer
gorm_mapper_new_joined_resource (const GormSchema *schema,
                                 GormMapperHost   *host,
                                 GormRows         *model,
                                 gint              row,
                                 guint             first_column,
                                 GError          **error)
{
  const GValue **sql_row = g_newa (const GValue *, schema->n_columns);

  for (guint i = 0; i < schema->n_columns; i++)
    {
      sql_row[i] = gorm_rows_get_value (model, first_column + i, row, error);
      if (sql_row[i] == NULL)
        return NULL;
    }
  /* A LEFT JOIN that found no row: NULL where the key is. */
  if (gorm_value_is_sql_null (sql_row[0]))
    return NULL;
  return object_of_row (schema, host, sql_row, error);
}

const GError *
gorm_mapper_get_read_error (GormResource *resource)
{
  return g_object_get_qdata (G_OBJECT (resource), read_error_quark ());
}

gpointer
gorm_mapper_new_stand_in (GormMapper   *self,
                          GormRows     *model,
                          gint          row,
                          const GError *read_error,
                          GError      **error)
{
  const GormSchema *schema = self->schema;
  const GValue **values = g_newa (const GValue *, schema->n_columns);
  const GValue *key;
  GObject *object;
  gboolean is_new;

  /* The key comes first. */
  key = gorm_rows_get_value (model, 0, row, error);
  if (key == NULL)
    return NULL;

  /* A live object of the row keeps the values it had. */
  object = (GObject *) gorm_identity_map_lookup (self->host->identity, schema->type, key);
  if (object != NULL)
    return object;

  for (guint i = 0; i < schema->n_columns; i++)
    values[i] = NULL;
  object = new_row_object (schema, self->host, key, values, &is_new);
  /* Only the object built here stands in; a live object another thread
   * loaded meanwhile keeps the values it has. */
  if (is_new)
    g_object_set_qdata_full (object, read_error_quark (), g_error_copy (read_error),
                             (GDestroyNotify) g_error_free);
  return object;
}

gboolean
gorm_mapper_load_resource (GormMapper   *self,
                           GormResource *resource,
                           GormRows     *model,
                           gint          row,
                           GError      **error)
{
  const GormSchema *schema = self->schema;
  const GValue **sql_row = g_newa (const GValue *, schema->n_columns);
  GValue *converted = g_newa (GValue, schema->n_columns);
  const GValue **values = g_newa (const GValue *, schema->n_columns);

  if (!model_row (schema, model, row, sql_row, error) ||
      !row_values (schema, sql_row, converted, values, error))
    return FALSE;

  mark_saved (gorm_row_state_of (resource), resource, self->host, sql_row[0]);
  apply_row (resource, self->host, schema, values, FALSE);
  unset_values (converted, schema->n_columns);
  /* A stand-in whose row reads now is an object of its row like any. */
  if (gorm_mapper_get_read_error (resource) != NULL)
    g_object_set_qdata (G_OBJECT (resource), read_error_quark (), NULL);
  return TRUE;
}
