/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-database-private.h"
#include "gorm-error.h"
#include "gorm-mapper-private.h"
#include "gorm-relation-private.h"
#include "gorm-resource-private.h"
#include "gorm-value-private.h"

/**
 * GormResource:
 *
 * The base class of every object libgorm stores.
 *
 * A subclass declares its data as GObject properties; each readable and
 * writable property is a column of the subclass's table, and the `id`
 * property is the automatic primary key. The class describes anything
 * else in its `class_init`, after installing its properties:
 *
 * ```c
 * static void
 * blog_post_class_init (BlogPostClass *klass)
 * {
 *   GObjectClass *object_class = G_OBJECT_CLASS (klass);
 *   GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);
 *
 *   object_class->get_property = blog_post_get_property;
 *   object_class->set_property = blog_post_set_property;
 *   g_object_class_install_properties (object_class, N_PROPS, properties);
 *
 *   gorm_resource_class_set_max_length (resource_class, "title", 200);
 *   gorm_resource_class_set_auto_now_add (resource_class, "pub-date");
 * }
 * ```
 *
 * ## Storage
 *
 * | property type | SQLite column | stored as |
 * |---|---|---|
 * | `gboolean` | `BOOLEAN` | 0 or 1 |
 * | `gchar`, `gint`, `glong`, `gint64` and their unsigned twins | `INTEGER` | the number; a `guint64` above `G_MAXINT64` is stored as the signed 64-bit integer with the same bits (`G_MAXUINT64` is -1) |
 * | `gfloat`, `gdouble` | `REAL` | the number, bit for bit (a `gfloat` widened to double), except that SQLite stores -0.0 as 0.0 |
 * | `gchararray` | `TEXT`, or `VARCHAR(n)` with a maximum length | the text; `NULL` is SQL `NULL`, distinct from the empty string |
 * | an enum | `TEXT` | the value's nick |
 * | flags | `INTEGER` | the bits |
 * | `GDateTime` | `DATETIME` | ISO-8601 text of the instant in UTC with microseconds, `2024-03-05T13:03:02.123456Z` |
 * | `GBytes` | `BLOB` | the bytes; an empty `GBytes` is an empty blob, distinct from `NULL` |
 * | `GStrv` | `TEXT` | a JSON array of strings, `["a","b"]`; an empty array is `[]`, distinct from `NULL` |
 *
 * A date-time keeps its instant exactly, to the microsecond; it is stored
 * in UTC, as PostgreSQL's `timestamptz` does, so that text order is time
 * order and indexes and `ORDER BY` work, and it is loaded back in UTC
 * (compare date-times with g_date_time_equal()). An instant that is not
 * between the years 1 and 9999 in UTC cannot be stored. Date-times
 * written by other tools are read in the forms `2024-03-05`,
 * `2024-03-05 10:00[:00[.fraction]]` (UTC) and with a `T` separator and
 * a `Z` or `±HH:MM` zone.
 *
 * Each column has a `CHECK` constraint on its SQLite storage class, so
 * another tool cannot store text in an integer column, which SQLite would
 * otherwise keep and later read as 0. A stored value that does not fit
 * its property (an unknown enum nick, 300 in a `gchar`, broken JSON) makes
 * the load fail with %GORM_ERROR_TYPE_MISMATCH naming the property and
 * the value.
 *
 * ## NULL
 *
 * A string, date-time, bytes or string array column holds NULL when its
 * property holds %NULL, unless gorm_resource_class_set_not_null() forbids
 * it. A number, boolean, enum or flags column is `NOT NULL` unless
 * gorm_resource_class_set_nullable() allows NULL; its property, which
 * cannot hold NULL, then holds its default value with a NULL mark:
 * gorm_resource_set_null() sets it, gorm_resource_is_null() reads it,
 * gorm_resource_dup_value() gives %NULL for it, and setting the property
 * clears it.
 *
 * ```c
 * gorm_resource_class_set_nullable (resource_class, "rating");
 * …
 * gorm_resource_set_null (GORM_RESOURCE (post), "rating", &error);
 * g_assert_true (gorm_resource_is_null (GORM_RESOURCE (post), "rating"));
 * ```
 *
 * A `NULL` found in a `NOT NULL` number column (a row written by another
 * tool) reads as the property's default value.
 *
 * Properties of other types fail registration with
 * %GORM_ERROR_UNSUPPORTED_TYPE unless the class marks them with
 * gorm_resource_class_set_transient(). Construct-only properties are not
 * stored.
 *
 * ## Saving
 *
 * gorm_resource_save() inserts an object that is not saved yet and
 * updates one that is; an update writes only the columns whose properties
 * changed (were notified) since the object was loaded or saved. A save,
 * delete or reload that fails leaves both the row and the object as they
 * were.
 */

/* The state of the object's row comes first: the mapper reaches it at
 * the private offset (gorm_mapper_set_row_state_offset()). */
typedef struct
{
  GormRowState      row;
  /* The values of the properties libgorm keeps for the class (see
   * gorm_resource_class_store_property()), allocated at the first set. */
  GValue           *kept;
  guint             n_kept;
  /* What gorm-resource-relations.c caches of the object's relations,
   * from the first need: a field, not object data, since a joined query
   * caches a related object in each object it builds. */
  gpointer          relation_cache;
} GormResourcePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GormResource, gorm_resource, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_DATABASE,
  N_PROPS,
};

static GParamSpec *resource_props[N_PROPS];

/* Of kept properties: see gorm_resource_class_store_property(). */
static GQuark kept_class_quark;
static GQuark kept_slot_quark;

gpointer *
gorm_resource_get_relation_cache_slot (GormResource *self)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  return &priv->relation_cache;
}

const GormSchema *
gorm_resource_get_schema (GormResource  *self,
                          GError       **error)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  return gorm_row_state_get_schema (&priv->row, G_OBJECT_TYPE (self), error);
}

void
gorm_resource_set_stored (GormResource     *self,
                          const GormColumn *column,
                          const GValue     *value)
{
  gorm_row_state_set_stored (self, column, value);
}

void
gorm_resource_mark_deleted (GormResource *self)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  gorm_row_state_mark_deleted (&priv->row, self);
}

GormDatabase *
gorm_resource_resolve_database (GormResource  *self,
                                GError       **error)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  GormDatabase *database = priv->row.database ? priv->row.database : gorm_database_get_default ();

  if (database == NULL)
    g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                 "%s has no database: give it one with the “database” property, "
                 "or set a default with gorm_database_set_default()",
                 G_OBJECT_TYPE_NAME (self));

  return database;
}

/* Changes are tracked where notifications are dispatched rather than in
 * the notify vfunc: a class that overrides notify makes GObject run the
 * whole signal emission for every notification, listened to or not. */
static void
gorm_resource_dispatch_properties_changed (GObject     *object,
                                           guint        n_pspecs,
                                           GParamSpec **pspecs)
{
  GormResource *self = GORM_RESOURCE (object);
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  gorm_row_state_note_changes (&priv->row, self, n_pspecs, pspecs);

  G_OBJECT_CLASS (gorm_resource_parent_class)->dispatch_properties_changed (object, n_pspecs, pspecs);
}

static void
gorm_resource_dispose (GObject *object)
{
  GormResource *self = GORM_RESOURCE (object);
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  /* The row's live object leaves the identity map as it goes. */
  gorm_row_state_forget (&priv->row, self);

  G_OBJECT_CLASS (gorm_resource_parent_class)->dispose (object);
}

static void
gorm_resource_finalize (GObject *object)
{
  GormResource *self = GORM_RESOURCE (object);
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  gorm_row_state_clear (&priv->row);
  g_clear_pointer (&priv->relation_cache, gorm_resource_free_relation_cache);
  for (guint i = 0; i < priv->n_kept; i++)
    if (G_VALUE_TYPE (&priv->kept[i]) != G_TYPE_INVALID)
      g_value_unset (&priv->kept[i]);
  g_clear_pointer (&priv->kept, g_free);

  G_OBJECT_CLASS (gorm_resource_parent_class)->finalize (object);
}

static void
gorm_resource_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GormResource *self = GORM_RESOURCE (object);
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, priv->row.id);
      break;

    case PROP_DATABASE:
      g_value_set_object (value, priv->row.database);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_resource_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GormResource *self = GORM_RESOURCE (object);
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ID:
      if (!gorm_row_state_request_id (&priv->row, self, g_value_get_int64 (value)))
        g_warning ("Cannot set %s:id to %" G_GINT64_FORMAT ": %s", G_OBJECT_TYPE_NAME (self),
                   g_value_get_int64 (value),
                   priv->row.saved ? "the id of a saved object is its row's; give it to a new "
                                     "object instead"
                                   : "the type has a natural primary key");
      break;

    case PROP_DATABASE:
      {
        GormDatabase *database = g_value_get_object (value);

        gorm_row_state_set_database (&priv->row, self, database,
                                     database ? gorm_database_get_mapper_host (database) : NULL);
      }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_resource_class_init (GormResourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gorm_resource_dispose;
  object_class->finalize = gorm_resource_finalize;
  kept_class_quark = g_quark_from_static_string ("gorm-kept-class");
  kept_slot_quark = g_quark_from_static_string ("gorm-kept-slot");
  object_class->get_property = gorm_resource_get_property;
  object_class->set_property = gorm_resource_set_property;
  object_class->dispatch_properties_changed = gorm_resource_dispatch_properties_changed;

  /**
   * GormResource:id:
   *
   * The automatic primary key of the object's row: 0 until the object is
   * saved, and again after it is deleted. A type with a natural primary key
   * (see gorm_resource_class_set_primary_key()) keeps 0 here.
   *
   * Set on a new object (never saved, or deleted), it is the key its row
   * is inserted with, as when a deleted row is restored; a key another
   * row holds makes the save fail with %GORM_ERROR_CONSTRAINT, and on
   * PostgreSQL the automatic keys continue past it. The id of a saved
   * object is its row's and does not change.
   */
  resource_props[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GormResource:database:
   *
   * The database the object is stored in. %NULL means the default
   * database (see gorm_database_set_default()) at the time of the first
   * save, which then becomes the object's database.
   */
  resource_props[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL,
                         GORM_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, resource_props);
  gorm_mapper_set_row_state_offset (object_class, GormResource_private_offset);
}

/* The initializer gorm_resource_new_with_init() gives the object it
 * builds on this thread, until GormResource's instance initializer takes
 * it. */
typedef struct
{
  GormResourceInitFunc func;
  gpointer             user_data;
} PendingInit;

static GPrivate pending_init;

static void
gorm_resource_init (GormResource *self)
{
  PendingInit *pending = g_private_get (&pending_init);

  if (G_UNLIKELY (pending != NULL))
    {
      /* Taken by the first object built, the one asked for: none that
       * the function itself builds. */
      g_private_set (&pending_init, NULL);
      pending->func (self, pending->user_data);
    }
}

/**
 * gorm_resource_get_id:
 * @self: a resource
 *
 * Gets the automatic primary key of @self.
 *
 * Returns: the id of the row, or of a new object the id it was given
 *   (see #GormResource:id), 0 when none
 */
gint64
gorm_resource_get_id (GormResource *self)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  g_return_val_if_fail (GORM_IS_RESOURCE (self), 0);

  return priv->row.id;
}

/**
 * gorm_resource_get_database:
 * @self: a resource
 *
 * Gets the database @self is stored in.
 *
 * Returns: (transfer none) (nullable): the database, or %NULL when @self
 *   uses the default database and was never saved
 */
GormDatabase *
gorm_resource_get_database (GormResource *self)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  g_return_val_if_fail (GORM_IS_RESOURCE (self), NULL);

  return priv->row.database;
}

/**
 * gorm_resource_is_saved:
 * @self: a resource
 *
 * Whether @self has a row: it was loaded from the database or saved, and
 * not deleted since.
 *
 * Returns: %TRUE if @self is saved
 */
gboolean
gorm_resource_is_saved (GormResource *self)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);

  return priv->row.saved;
}

/**
 * gorm_resource_is_dirty:
 * @self: a resource
 *
 * Whether @self has changes that gorm_resource_save() would write: it is
 * not saved, or a stored property changed since it was loaded or saved.
 *
 * Returns: %TRUE if @self has unsaved changes
 */
gboolean
gorm_resource_is_dirty (GormResource *self)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);

  return gorm_row_state_is_dirty (&priv->row);
}

/* Runs the part of an operation that needs the database lock and the
 * mapper of the resource's type. */
typedef gboolean (*MapperOperation) (GormResource  *self,
                                     GormDatabase  *database,
                                     GormMapper    *mapper,
                                     gpointer       data,
                                     GError       **error);

static gboolean
with_mapper (GormResource    *self,
             GCancellable    *cancellable,
             MapperOperation  operation,
             gpointer         data,
             GormDatabase   **database_out,
             GError         **error)
{
  GormDatabase *database;
  GormMapper *mapper;
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  database = gorm_resource_resolve_database (self, error);
  if (database == NULL || gorm_resource_get_schema (self, error) == NULL)
    return FALSE;

  gorm_database_lock (database);
  mapper = gorm_database_get_mapper_locked (database, G_OBJECT_TYPE (self), error);
  ok = mapper != NULL && operation (self, database, mapper, data, error);
  gorm_database_unlock (database);

  *database_out = database;
  return ok;
}

static gboolean check_saved (GormResource  *self,
                             const char    *action,
                             GError       **error);

static gboolean
save_locked (GormResource  *self,
             GormDatabase  *database,
             GormMapper    *mapper,
             gpointer       data,
             GError       **error)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  GormSave *save = data;
  GType type = G_OBJECT_TYPE (self);
  gboolean watched = gorm_database_has_watchers_locked (database, type);
  gboolean created = !priv->row.saved;
  gboolean ok;

  /* An async save prepared before an earlier call deleted the object. */
  if (!gorm_save_is_insert (save) && !priv->row.saved)
    return check_saved (self, "update", error);

  if (watched)
    gorm_database_begin_change_locked (database, type, &priv->row.key, priv->row.saved ? 1 : 0);
  /* An insert prepared before an earlier call saved the object writes its
   * values as an update of every column. */
  if (priv->row.saved)
    ok = gorm_mapper_update (mapper, self, save, error);
  else
    ok = gorm_mapper_insert (mapper, self, save, error);
  if (!ok)
    return FALSE;
  /* The object is now saved, with its row's key. */
  if (watched)
    gorm_database_end_change_locked (database, type, &priv->row.key, 1, FALSE);
  gorm_database_emit_saved (database, self, created);
  return TRUE;
}

/* Reads what a save writes, on the caller's thread. */
static GormSave *
prepare_save (GormResource  *self,
              GError       **error)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  const GormSchema *schema = gorm_resource_get_schema (self, error);

  return schema ? gorm_mapper_prepare_save (schema, self, !priv->row.saved, error) : NULL;
}

/* Writes a prepared save, possibly on the worker. */
static gboolean
run_save (GormResource  *self,
          GormSave      *save,
          GCancellable  *cancellable,
          GError       **error)
{
  GormDatabase *database = NULL;

  return with_mapper (self, cancellable, save_locked, save, &database, error);
}

/**
 * gorm_resource_save:
 * @self: a resource
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Saves @self: inserts its row if it is not saved yet (and sets its
 * #GormResource:id), or writes the columns of the properties that changed
 * since it was loaded or saved. An update with nothing changed runs no
 * SQL. Automatic timestamps (gorm_resource_class_set_auto_now_add() and
 * gorm_resource_class_set_auto_now()) are set from the clock.
 *
 * Emits #GormDatabase::resource-saved on success. On failure the row and
 * @self are as they were: @self keeps its changes and its id.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_resource_save (GormResource  *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GormSave) save = NULL;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  save = prepare_save (self, error);
  if (save == NULL)
    return FALSE;
  if (!run_save (self, save, cancellable, error))
    {
      /* Read on the caller's thread: a key property of a gjs or Python
       * class cannot be read on the worker. */
      if (error != NULL)
        gorm_resource_explain_key_error (self, *error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
delete_locked (GormResource  *self,
               GormDatabase  *database,
               GormMapper    *mapper,
               gpointer       data,
               GError       **error)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  GType type = G_OBJECT_TYPE (self);
  gboolean watched = gorm_database_has_watchers_locked (database, type);
  GormOnDeletePlan *on_delete = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  /* The rows that refer to this one: nothing is read for a type no other
   * type refers to. */
  on_delete = gorm_database_plan_on_delete_locked (database, gorm_mapper_get_schema (mapper),
                                                   &priv->row.key, 1, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (watched)
    gorm_database_begin_change_locked (database, type, &priv->row.key, 1);
  ok = gorm_mapper_delete (mapper, self, error);
  if (watched && ok)
    gorm_database_end_change_locked (database, type, &priv->row.key, 1, TRUE);
  if (ok)
    gorm_database_emit_deleted (database, self);
  gorm_database_finish_on_delete_locked (database, on_delete, ok);
  return ok;
}

static gboolean
check_saved (GormResource  *self,
             const char    *action,
             GError       **error)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  if (priv->row.saved)
    return TRUE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND,
               "Cannot %s this %s: it is not saved", action, G_OBJECT_TYPE_NAME (self));
  return FALSE;
}

/**
 * gorm_resource_delete:
 * @self: a resource
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Deletes the row of @self. Afterwards @self is not saved and its id is
 * 0; saving it again inserts a new row.
 *
 * Emits #GormDatabase::resource-deleted on success. Fails with
 * %GORM_ERROR_NOT_FOUND when @self is not saved or its row is gone.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_resource_delete (GormResource  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  GormDatabase *database = NULL;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_saved (self, "delete", error) ||
      !with_mapper (self, cancellable, delete_locked, NULL, &database, error))
    return FALSE;

  gorm_resource_mark_deleted (self);
  return TRUE;
}

static gboolean
reload_locked (GormResource  *self,
               GormDatabase  *database,
               GormMapper    *mapper,
               gpointer       data,
               GError       **error)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  g_autoptr(GormRows) model = NULL;

  model = gorm_mapper_select_by_key (mapper, &priv->row.key, error);
  if (model == NULL)
    return FALSE;
  if (gorm_rows_get_n_rows (model) == 0)
    {
      g_autofree char *shown = gorm_value_describe (&priv->row.key);

      g_set_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND,
                   "Cannot reload %s %s: its row no longer exists in “%s”",
                   G_OBJECT_TYPE_NAME (self), shown, priv->row.schema->table);
      return FALSE;
    }
  return gorm_mapper_load_resource (mapper, self, model, 0, error);
}

/**
 * gorm_resource_reload:
 * @self: a resource
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Reads the row of @self again, replacing every stored property, and
 * discarding its unsaved changes.
 *
 * Returns: %TRUE on success, %FALSE with @error set (%GORM_ERROR_NOT_FOUND
 *   when @self is not saved or its row is gone)
 */
gboolean
gorm_resource_reload (GormResource  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  GormDatabase *database = NULL;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_saved (self, "reload", error) &&
         with_mapper (self, cancellable, reload_locked, NULL, &database, error);
}

static void
record (GormResourceClass *klass,
        GormMetaKind       kind,
        const char        *property,
        const char        *text,
        guint              number)
{
  gorm_schema_record_meta (G_TYPE_FROM_CLASS (klass), kind, property, text, number);
}

/**
 * gorm_resource_class_set_table:
 * @klass: a resource class
 * @table: the name of the table
 *
 * Stores the objects of @klass in @table instead of the default, the type
 * name in snake case (`BlogPost` is stored in `blog_post`).
 */
void
gorm_resource_class_set_table (GormResourceClass *klass,
                               const char        *table)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (table != NULL && *table != '\0');

  record (klass, GORM_META_TABLE, NULL, table, 0);
}

/**
 * gorm_resource_class_set_primary_key:
 * @klass: a resource class
 * @property: the name of an integer or string property
 *
 * Makes @property the natural primary key of @klass instead of the
 * automatic #GormResource:id, which then stays 0 and is not stored. Load
 * such objects with gorm_database_get_by_key().
 */
void
gorm_resource_class_set_primary_key (GormResourceClass *klass,
                                     const char        *property)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_PRIMARY_KEY, property, NULL, 0);
}

/**
 * gorm_resource_class_set_foreign_key:
 * @klass: a resource class
 * @property: the name of the property holding the key of a @related_type row
 * @related_type: the #GormResource subclass the key refers to
 * @on_delete: what deleting the referenced row does to the rows of @klass
 *   that refer to it
 *
 * Makes @property a foreign key to @related_type: it holds the primary key
 * of a @related_type row, so its type must be the type of that key
 * (`gint64` for the automatic #GormResource:id).
 *
 * The relation is named after the property without a trailing `_id` (or
 * `-id`): the property `question-id` makes the relation `question`, which
 * [method@Gorm.Resource.get_related] loads and filters name in paths
 * (`question.question_text`). On @related_type the reverse relation is
 * `<type>_set` (`choice_set`), the objects of @klass that refer to one
 * row, or a name given with [method@Gorm.ResourceClass.set_related_name].
 * A foreign key whose property is also unique (see
 * [method@Gorm.ResourceClass.set_unique]) is one-to-one: its reverse is
 * named `<type>` (`profile`) and refers to one object.
 *
 * [method@Gorm.Database.migrate] gives the column a `FOREIGN KEY …
 * REFERENCES … ON DELETE` constraint and an index. %GORM_ON_DELETE_SET_NULL
 * needs the property to be nullable, else migrating fails with
 * %GORM_ERROR_MIGRATION. See the "Relations" page for the whole picture.
 *
 * Since: 1.0
 */
void
gorm_resource_class_set_foreign_key (GormResourceClass *klass,
                                     const char        *property,
                                     GType              related_type,
                                     GormOnDelete       on_delete)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL && *property != '\0');
  g_return_if_fail (g_type_is_a (related_type, GORM_TYPE_RESOURCE));

  gorm_relation_record_foreign_key (G_TYPE_FROM_CLASS (klass), property, related_type, on_delete);
}

/**
 * gorm_resource_class_set_related_name:
 * @klass: a resource class
 * @property_or_relation: the foreign key property (or its relation name) or
 *   the many-to-many relation of @klass
 * @related_name: the name of the reverse relation on the related type
 *
 * Names the reverse of a relation of @klass, as seen from the related type,
 * instead of the default `<type>_set` (`<type>` for a one-to-one key):
 * `gorm_resource_class_set_related_name (klass, "tags", "posts")` makes
 * `posts` the relation of a tag to its posts. The related name is also the
 * relation's name in filter paths.
 *
 * Since: 1.0
 */
void
gorm_resource_class_set_related_name (GormResourceClass *klass,
                                      const char        *property_or_relation,
                                      const char        *related_name)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property_or_relation != NULL);
  g_return_if_fail (related_name != NULL && *related_name != '\0');

  gorm_relation_record_related_name (G_TYPE_FROM_CLASS (klass), property_or_relation,
                                     related_name);
}

/**
 * gorm_resource_class_add_many_to_many:
 * @klass: a resource class
 * @relation: the name of the relation (`tags`)
 * @related_type: the #GormResource subclass on the other side
 *
 * Declares a many-to-many relation named @relation between @klass and
 * @related_type. Links are rows of a link table, `<table>_<relation>`
 * (`post_tags`), whose columns `<type>_id` and `<related type>_id`
 * (`post_id`, `tag_id`; `from_<type>_id` and `to_<type>_id` when both are
 * the same type) refer to both sides with `ON DELETE CASCADE`; a pair is
 * linked at most once. [method@Gorm.Database.migrate] of either type
 * creates the table.
 *
 * The reverse relation on @related_type is `<type>_set` (`post_set`), or a
 * name given with [method@Gorm.ResourceClass.set_related_name]. Link objects
 * with [method@Gorm.Resource.link] and list them with
 * [method@Gorm.Resource.query_related].
 *
 * Since: 1.0
 */
void
gorm_resource_class_add_many_to_many (GormResourceClass *klass,
                                      const char        *relation,
                                      GType              related_type)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (relation != NULL && *relation != '\0');
  g_return_if_fail (g_type_is_a (related_type, GORM_TYPE_RESOURCE));

  gorm_relation_record_many_to_many (G_TYPE_FROM_CLASS (klass), relation, related_type);
}

/**
 * gorm_resource_class_set_unique:
 * @klass: a resource class
 * @property: the name of a stored property
 *
 * Gives the column of @property a unique constraint: saving a second
 * object with the same value fails with %GORM_ERROR_CONSTRAINT.
 */
void
gorm_resource_class_set_unique (GormResourceClass *klass,
                                const char        *property)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_UNIQUE, property, NULL, 0);
}

/**
 * gorm_resource_class_set_not_null:
 * @klass: a resource class
 * @property: the name of a stored property
 *
 * Gives the column of @property a not-null constraint: saving an object
 * whose property is %NULL fails with %GORM_ERROR_CONSTRAINT.
 */
void
gorm_resource_class_set_not_null (GormResourceClass *klass,
                                  const char        *property)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_NOT_NULL, property, NULL, 0);
}

/**
 * gorm_resource_class_set_max_length:
 * @klass: a resource class
 * @property: the name of a string property
 * @max_length: the largest number of characters the property may hold
 *
 * Limits the string @property to @max_length characters (not bytes).
 * Saving a longer value fails with %GORM_ERROR_VALIDATION before any SQL
 * runs.
 */
void
gorm_resource_class_set_max_length (GormResourceClass *klass,
                                    const char        *property,
                                    guint              max_length)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_MAX_LENGTH, property, NULL, max_length);
}

/**
 * gorm_resource_class_set_indexed:
 * @klass: a resource class
 * @property: the name of a stored property
 *
 * Creates an index on the column of @property, named
 * `ix_TABLE_COLUMN`.
 */
void
gorm_resource_class_set_indexed (GormResourceClass *klass,
                                 const char        *property)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_INDEXED, property, NULL, 0);
}

/**
 * gorm_resource_class_set_auto_now_add:
 * @klass: a resource class
 * @property: the name of a #GDateTime property
 *
 * Sets @property to the current time when an object is first saved, if
 * it is %NULL then; a date-time set by the application is kept.
 */
void
gorm_resource_class_set_auto_now_add (GormResourceClass *klass,
                                      const char        *property)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_AUTO_NOW_ADD, property, NULL, 0);
}

/**
 * gorm_resource_class_set_auto_now:
 * @klass: a resource class
 * @property: the name of a #GDateTime property
 *
 * Sets @property to the current time at every save.
 */
void
gorm_resource_class_set_auto_now (GormResourceClass *klass,
                                  const char        *property)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_AUTO_NOW, property, NULL, 0);
}

/**
 * gorm_resource_class_set_column_name:
 * @klass: a resource class
 * @property: the name of a stored property
 * @column: the name of its column
 *
 * Stores @property in @column instead of the default, the property name in
 * snake case (`pub-date` is stored in `pub_date`).
 */
void
gorm_resource_class_set_column_name (GormResourceClass *klass,
                                     const char        *property,
                                     const char        *column)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);
  g_return_if_fail (column != NULL && *column != '\0');

  record (klass, GORM_META_COLUMN_NAME, property, column, 0);
}

/**
 * gorm_resource_class_set_transient:
 * @klass: a resource class
 * @property: the name of a property
 *
 * Keeps @property out of the database: it has no column, and changing it
 * does not make the object dirty.
 */
void
gorm_resource_class_set_transient (GormResourceClass *klass,
                                   const char        *property)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_TRANSIENT, property, NULL, 0);
}

/**
 * gorm_resource_class_set_renamed_from:
 * @klass: a resource class
 * @property: the name of a stored property
 * @old_column: the column @property was stored in before, as the database
 *   names it
 *
 * Declares that @property was stored in @old_column before: a migration
 * ([method@Gorm.Database.migrate], or a `GormMigration`) of a database
 * whose table has @old_column, and not the property's column, renames
 * @old_column to it, keeping its values. Once renamed, the declaration
 * changes nothing; keep it as long as databases that still have the old
 * column may be migrated.
 *
 * A rename is never guessed: a database column that no property is stored
 * in, beside a property whose column the table does not have, fails the
 * migration with `GORM_ERROR_MIGRATION` suggesting this declaration.
 *
 * Since: 1.0
 */
void
gorm_resource_class_set_renamed_from (GormResourceClass *klass,
                                      const char        *property,
                                      const char        *old_column)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);
  g_return_if_fail (old_column != NULL && *old_column != '\0');

  record (klass, GORM_META_RENAMED_FROM, property, old_column, 0);
}

/**
 * gorm_resource_class_set_table_renamed_from:
 * @klass: a resource class
 * @old_table: the table the objects of @klass were stored in before
 *
 * Declares that the objects of @klass were stored in @old_table before: a
 * migration of a database that has @old_table, and not the table of
 * @klass, renames @old_table to it, keeping its rows (and then migrates
 * its columns as for any table). Once renamed, the declaration changes
 * nothing.
 *
 * Since: 1.0
 */
void
gorm_resource_class_set_table_renamed_from (GormResourceClass *klass,
                                            const char        *old_table)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (old_table != NULL && *old_table != '\0');

  record (klass, GORM_META_TABLE_RENAMED_FROM, NULL, old_table, 0);
}

/* Records the composite index of @names, which must name at least
 * one property, as their names joined by commas. */
static void
record_properties (GormResourceClass  *klass,
                   GormMetaKind        kind,
                   const char * const *names)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append (text, names[i]);
    }
  record (klass, kind, NULL, text->str, 0);
}

/* Whether @names lists one property or more, none empty and none
 * holding the comma the list is recorded with (no property name does). */
static gboolean
check_properties (const char * const *names)
{
  if (names == NULL || names[0] == NULL)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (names[i][0] == '\0' || strchr (names[i], ',') != NULL)
      return FALSE;
  return TRUE;
}

/**
 * gorm_resource_class_add_unique_together:
 * @klass: a resource class
 * @properties: (array zero-terminated=1): the names of stored properties,
 *   one or more
 *
 * Makes @properties unique together: no two objects of @klass may hold
 * the same values in all of them (Django's `unique_together`). The
 * database enforces it with a unique index on their columns, in the order
 * given, named `ux_TABLE_COLUMN_COLUMN` (shortened with a hash when longer
 * than 63 bytes), which [method@Gorm.Database.migrate] creates, on an
 * existing table too.
 *
 * Saving an object that breaks the rule, or a bulk
 * [method@Gorm.Query.update] that would, fails with
 * `GORM_ERROR_CONSTRAINT` naming the type and the properties. As in SQL,
 * a row with `NULL` in any of the columns never conflicts. Migrating a
 * table whose rows already break the rule fails with
 * `GORM_ERROR_MIGRATION`, and a property that is not stored with
 * `GORM_ERROR_UNKNOWN_PROPERTY`.
 *
 * Call it once per rule; a subclass inherits its parent's rules.
 *
 * Since: 1.0
 */
void
gorm_resource_class_add_unique_together (GormResourceClass  *klass,
                                         const char * const *properties)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (check_properties (properties));

  record_properties (klass, GORM_META_UNIQUE_TOGETHER, properties);
}

/**
 * gorm_resource_class_add_index:
 * @klass: a resource class
 * @properties: (array zero-terminated=1): the names of stored properties,
 *   one or more
 *
 * Creates an index on the columns of @properties, in the order given,
 * named `ix_TABLE_COLUMN_COLUMN` (shortened with a hash when longer than
 * 63 bytes): queries that filter on its first columns, or order by them,
 * read the index instead of the whole table.
 * [method@Gorm.Database.migrate] creates it, on an existing table too; a
 * property that is not stored fails the migration with
 * `GORM_ERROR_UNKNOWN_PROPERTY`.
 *
 * Since: 1.0
 */
void
gorm_resource_class_add_index (GormResourceClass  *klass,
                               const char * const *properties)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (check_properties (properties));

  record_properties (klass, GORM_META_INDEX, properties);
}

/* Kept properties. A class that keeps properties has a KeptClass as type
 * data: the get_property and set_property it had, which the others of its
 * properties still go to, and the number of slots its objects need, its
 * ancestors' included. Each kept property has its slot, plus one, as
 * qdata. */
typedef struct
{
  GObjectGetPropertyFunc get_property;
  GObjectSetPropertyFunc set_property;
  guint                  n_slots;
  /* The class, and its own kept properties by slot from first_slot (its
   * ancestors' come before): the typed setters find a slot's property. */
  GType                  type;
  guint                  first_slot;
  GPtrArray             *pspecs;
} KeptClass;


/* The KeptClass of @type or of its nearest ancestor that has one. */
static KeptClass *
find_kept_class (GType type)
{
  for (; type != GORM_TYPE_RESOURCE && type != 0; type = g_type_parent (type))
    {
      KeptClass *kept = g_type_get_qdata (type, kept_class_quark);

      if (kept != NULL)
        return kept;
    }
  return NULL;
}

static guint
kept_slot (GParamSpec *pspec)
{
  return GPOINTER_TO_UINT (g_param_spec_get_qdata (pspec, kept_slot_quark));
}

static void
kept_get_property (GObject    *object,
                   guint       prop_id,
                   GValue     *value,
                   GParamSpec *pspec)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (GORM_RESOURCE (object));
  guint slot = kept_slot (pspec);

  if (slot == 0)
    {
      KeptClass *kept = g_type_get_qdata (pspec->owner_type, kept_class_quark);

      if (kept->get_property != NULL)
        kept->get_property (object, prop_id, value, pspec);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  else if (slot <= priv->n_kept && G_VALUE_TYPE (&priv->kept[slot - 1]) != G_TYPE_INVALID)
    g_value_copy (&priv->kept[slot - 1], value);
  else
    g_param_value_set_default (pspec, value);
}

static const GormColumn *column_of (GormResource *self,
                                    GParamSpec   *pspec);

/* The GValue @object keeps @pspec, its property in @slot, in: allocated
 * at the first write, initialized to the property's type. */
static GValue *
kept_value_for_write (GObject    *object,
                      guint       slot,
                      GParamSpec *pspec)
{
  /* The caller checked the object: no cast check. */
  GormResourcePrivate *priv = gorm_resource_get_instance_private ((GormResource *) object);
  GValue *kept_value;

  if (priv->kept == NULL)
    {
      /* The object's own class knows how many slots its ancestors and
       * itself keep; it has a KeptClass, since its property has a slot. */
      KeptClass *own = find_kept_class (G_OBJECT_TYPE (object));

      priv->n_kept = own != NULL ? own->n_slots : slot;
      priv->kept = g_new0 (GValue, priv->n_kept);
    }
  /* The slots are the object's own, zeroed or holding the property's
   * type: no type check is needed to tell them apart. */
  kept_value = &priv->kept[slot - 1];
  if (G_VALUE_TYPE (kept_value) == G_TYPE_INVALID)
    g_value_init (kept_value, pspec->value_type);
  return kept_value;
}

static void
kept_set_property (GObject      *object,
                   guint         prop_id,
                   const GValue *value,
                   GParamSpec   *pspec)
{
  guint slot = kept_slot (pspec);

  if (slot == 0)
    {
      KeptClass *kept = g_type_get_qdata (pspec->owner_type, kept_class_quark);

      if (kept->set_property != NULL)
        kept->set_property (object, prop_id, value, pspec);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  g_value_copy (value, kept_value_for_write (object, slot, pspec));
}

/* For gorm-resource-values.c: the slot of a kept property (0 when it is
 * not kept), and the value @self keeps in @slot (NULL while it holds its
 * default value, or for a slot beyond its class's). */
guint
gorm_resource_kept_slot (GParamSpec *pspec)
{
  return kept_slot (pspec);
}

gboolean
gorm_resource_has_kept (GormResource *self)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  return priv->kept != NULL;
}

const GValue *
gorm_resource_peek_kept (GormResource *self,
                         guint         slot)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);

  if (slot == 0 || slot > priv->n_kept || G_VALUE_TYPE (&priv->kept[slot - 1]) == G_TYPE_INVALID)
    return NULL;
  return &priv->kept[slot - 1];
}

GParamSpec *
gorm_resource_kept_pspec (GormResource *self,
                          guint         slot)
{
  KeptClass *kept = find_kept_class (G_OBJECT_TYPE (self));

  if (slot == 0)
    return NULL;
  while (kept != NULL && slot < kept->first_slot)
    kept = find_kept_class (g_type_parent (kept->type));
  if (kept == NULL || slot - kept->first_slot >= kept->pspecs->len)
    return NULL;
  return g_ptr_array_index (kept->pspecs, slot - kept->first_slot);
}

gboolean
gorm_resource_write_kept (GormResource *self,
                          GParamSpec   *pspec,
                          guint         slot,
                          const GValue *value)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  const GormColumn *column;
  gboolean was_null = FALSE;

  if (G_VALUE_TYPE (value) != G_PARAM_SPEC_VALUE_TYPE (pspec) ||
      (pspec->flags & (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY)) != G_PARAM_WRITABLE ||
      !gorm_value_is_valid_for (pspec, value))
    return FALSE;

  /* As gorm_resource_set_value() does: the NULL mark goes (there are
   * marks only once a property was made NULL), the value is kept as
   * kept_set_property() keeps it, and the property is notified as
   * g_object_set_property() notifies it, or when it was NULL. */
  if (priv->row.nulls != NULL && (column = column_of (self, pspec)) != NULL)
    was_null = gorm_row_state_clear_null (&priv->row, column->index);
  g_value_copy (value, kept_value_for_write ((GObject *) self, slot, pspec));
  if (!(pspec->flags & G_PARAM_EXPLICIT_NOTIFY) || was_null)
    g_object_notify_by_pspec ((GObject *) self, pspec);
  return TRUE;
}

void
gorm_resource_get_pspec_value (GormResource *self,
                               GParamSpec   *pspec,
                               GValue       *value)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  guint slot = kept_slot (pspec);

  if (pspec == resource_props[PROP_ID])
    g_value_set_int64 (value, priv->row.id);
  else if (slot != 0)
    kept_get_property ((GObject *) self, pspec->param_id, value, pspec);
  else
    g_object_get_property ((GObject *) self, pspec->name, value);
}

void
gorm_resource_set_pspec_value (GormResource *self,
                               GParamSpec   *pspec,
                               const GValue *value)
{
  guint slot = kept_slot (pspec);

  if (slot == 0 || !gorm_resource_write_kept (self, pspec, slot, value))
    g_object_set_property ((GObject *) self, pspec->name, value);
}

/**
 * gorm_resource_class_store_property:
 * @klass: a resource class
 * @property: the name of a property that @klass installed
 *
 * Makes libgorm keep the value of @property in the object itself: the
 * class's `get_property` and `set_property` no longer see it, and an
 * object holds its default value until it is set. Reading and writing
 * such a property costs no call into the class's code, which makes
 * loading and saving the models of language bindings, whose properties
 * would otherwise be read and written in the binding's language, as fast
 * as those written in C. The Python `Gorm.Field` uses it for every field.
 *
 * Call it from the class's `class_init` (or right after a binding
 * registers the class), after installing @property, before the class has
 * objects or subclasses. GObject still needs the class to have its own
 * `get_property` and `set_property` to install a property; they keep
 * serving the properties that are not kept. The property's other options
 * are unchanged: @property stays a stored property, with a column.
 */
void
gorm_resource_class_store_property (GormResourceClass *klass,
                                    const char        *property)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);
  GParamSpec *pspec;
  KeptClass *kept;

  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  pspec = g_object_class_find_property (object_class, property);
  if (pspec == NULL || pspec->owner_type != type)
    {
      g_critical ("%s: %s has no property “%s” of its own", G_STRFUNC, g_type_name (type), property);
      return;
    }
  if (kept_slot (pspec) != 0)
    return;

  kept = g_type_get_qdata (type, kept_class_quark);
  if (kept == NULL)
    {
      KeptClass *ancestor = find_kept_class (g_type_parent (type));

      kept = g_new0 (KeptClass, 1);
      kept->get_property = object_class->get_property;
      kept->set_property = object_class->set_property;
      kept->n_slots = ancestor ? ancestor->n_slots : 0;
      kept->type = type;
      kept->first_slot = kept->n_slots + 1;
      kept->pspecs = g_ptr_array_new ();
      g_type_set_qdata (type, kept_class_quark, kept);
      object_class->get_property = kept_get_property;
      object_class->set_property = kept_set_property;
    }
  g_param_spec_set_qdata (pspec, kept_slot_quark, GUINT_TO_POINTER (++kept->n_slots));
  g_ptr_array_add (kept->pspecs, pspec);
}

/**
 * gorm_resource_get_value:
 * @self: a resource
 * @property: the name of a property of @self
 * @value: (out caller-allocates): where to put the value, initialized to
 *   the property's type if it is not yet
 *
 * Reads @property into @value, as g_object_get_property() does. PyGObject
 * answers the reads of a property of a class written in Python in Python,
 * without calling the class's `get_property`; the Python binding reads the
 * properties libgorm keeps (gorm_resource_class_store_property()) with
 * this function instead. A nullable number that is NULL reads as its
 * default value here: gorm_resource_dup_value() tells NULL apart.
 */
void
gorm_resource_get_value (GormResource *self,
                         const char   *property,
                         GValue       *value)
{
  g_return_if_fail (GORM_IS_RESOURCE (self));
  g_return_if_fail (property != NULL);
  g_return_if_fail (value != NULL);

  g_object_get_property (G_OBJECT (self), property, value);
}

/* The writable property @property of @self, or NULL with @error set. */
static GParamSpec *
find_writable (GormResource  *self,
               const char    *property,
               const char    *action,
               GError       **error)
{
  GParamSpec *pspec = property != NULL
    ? g_object_class_find_property (G_OBJECT_GET_CLASS (self), property)
    : NULL;

  if (pspec == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                   "Cannot %s: %s has no property “%s”",
                   action, G_OBJECT_TYPE_NAME (self), property ? property : "(NULL)");
      return NULL;
    }
  if (!(pspec->flags & G_PARAM_WRITABLE) || (pspec->flags & G_PARAM_CONSTRUCT_ONLY))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot %s: %s:%s is not writable after construction",
                   action, G_OBJECT_TYPE_NAME (self), pspec->name);
      return NULL;
    }
  return pspec;
}

/* The column of @pspec, or NULL for a property that is not stored (or a
 * class libgorm cannot store). */
static const GormColumn *
column_of (GormResource *self,
           GParamSpec   *pspec)
{
  const GormSchema *schema = gorm_resource_get_schema (self, NULL);

  return schema != NULL ? gorm_schema_column_for_pspec (schema, pspec) : NULL;
}

static gboolean
holds_pointer (GType type)
{
  return G_TYPE_IS_BOXED (type) || G_TYPE_IS_OBJECT (type) || G_TYPE_IS_INTERFACE (type) ||
         type == G_TYPE_STRING || type == G_TYPE_POINTER || type == G_TYPE_VARIANT ||
         G_TYPE_FUNDAMENTAL (type) == G_TYPE_PARAM;
}

/**
 * gorm_resource_set_value:
 * @self: a resource
 * @property: the name of a writable property of @self
 * @value: (nullable): the new value, of the property's type or of one
 *   that converts into it without loss; %NULL (or a value holding %NULL)
 *   for NULL, as gorm_resource_set_null() sets it
 * @error: return location for an error
 *
 * Sets @property to @value, notifying the change and marking the object
 * dirty: the writing twin of gorm_resource_get_value(), and the way
 * language bindings set a value whose type they do not choose (a
 * JavaScript number, a Python int).
 *
 * Unlike g_object_set_property(), which transforms values as it can, it
 * refuses a value that would lose information on its way into the
 * property with %GORM_ERROR_TYPE_MISMATCH: 3.5 into an integer, 2^40
 * into a `gint`, -1 into an unsigned integer, a number beyond the
 * property's minimum or maximum, 99 into an enum without that value, an
 * unknown nick, anything but a boolean or the integers 0 and 1 into a
 * boolean (no `"false"`, no 1.0), a string into a string array. Lossless
 * conversions are accepted: a `gint` into a `gint64` or a `gdouble`, an
 * enum's nick or name into the enum. A NULL where the property cannot
 * hold one is %GORM_ERROR_VALIDATION, as gorm_resource_set_null() says.
 * On error nothing changes. The message names the type, the property and
 * the value.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_set_value (GormResource  *self,
                         const char    *property,
                         const GValue  *value,
                         GError       **error)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  g_auto(GValue) converted = G_VALUE_INIT;
  const GormColumn *column;
  GParamSpec *pspec;
  GormValueKind kind;
  gboolean was_null = FALSE;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (value == NULL || G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pspec = find_writable (self, property, "set a value", error);
  if (pspec == NULL)
    return FALSE;
  if (gorm_value_is_null (value))
    return gorm_resource_set_null (self, pspec->name, error);

  column = column_of (self, pspec);
  if (column != NULL)
    {
      if (!gorm_mapper_convert_user_value (priv->row.schema, column, value, &converted, NULL, error))
        return FALSE;
    }
  else if (gorm_value_kind_for_type (G_PARAM_SPEC_VALUE_TYPE (pspec), &kind))
    {
      if (!gorm_value_coerce (kind, pspec, value, &converted, error))
        return FALSE;
    }
  else if (g_value_type_compatible (G_VALUE_TYPE (value), G_PARAM_SPEC_VALUE_TYPE (pspec)))
    {
      g_value_init (&converted, G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_value_copy (value, &converted);
      if (g_param_value_validate (pspec, &converted))
        {
          g_autofree char *shown = gorm_value_describe (value);

          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "Cannot set %s:%s, a %s property, to the %s %s: it is out of range",
                       G_OBJECT_TYPE_NAME (self), pspec->name,
                       g_type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)),
                       G_VALUE_TYPE_NAME (value), shown);
          return FALSE;
        }
    }
  else
    {
      g_autofree char *shown = gorm_value_describe (value);

      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot set %s:%s, a %s property, to the %s %s",
                   G_OBJECT_TYPE_NAME (self), pspec->name,
                   g_type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)),
                   G_VALUE_TYPE_NAME (value), shown);
      return FALSE;
    }

  /* The property holds a value now, not NULL; the mark is cleared before
   * the set, whose notification a class may leave out when the value
   * stays the same (the default a NULL holds). */
  if (column != NULL)
    was_null = gorm_row_state_clear_null (&priv->row, column->index);
  g_object_set_property (G_OBJECT (self), pspec->name, &converted);
  if (was_null && (pspec->flags & G_PARAM_EXPLICIT_NOTIFY))
    g_object_notify_by_pspec (G_OBJECT (self), pspec);
  return TRUE;
}

/**
 * gorm_resource_class_set_nullable:
 * @klass: a resource class
 * @property: the name of a stored property
 *
 * Lets the column of @property hold NULL, whatever the property's type:
 * a number, a boolean, an enum or flags as well as a string, a
 * #GDateTime, #GBytes or a string array. The column of a number, boolean,
 * enum or flags property without it is `NOT NULL`; the others accept NULL
 * unless gorm_resource_class_set_not_null() says otherwise, and this only
 * makes that explicit (giving both is an error when the class is first
 * used).
 *
 * A GObject property of a number cannot hold NULL: a NULL one (see
 * gorm_resource_set_null(), gorm_resource_is_null()) holds its default
 * value, with a NULL mark libgorm keeps beside it and writes as NULL.
 * Setting the property in any way (g_object_set(), a binding's
 * assignment, gorm_resource_set_value()) clears the mark: libgorm sees
 * the set as the property's notification. A property that notifies only
 * changes (%G_PARAM_EXPLICIT_NOTIFY, as Vala's do) and is set to the very
 * default value a NULL holds sends none: gorm_resource_set_value()
 * clears the mark in every case.
 *
 * A column made nullable after its table was created stays `NOT NULL` in
 * that table (libgorm adds missing columns but does not rebuild existing
 * ones): saving NULL there fails with %GORM_ERROR_CONSTRAINT. A new
 * nullable column is added as nullable.
 *
 * Since: 1.0
 */
void
gorm_resource_class_set_nullable (GormResourceClass *klass,
                                  const char        *property)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));
  g_return_if_fail (property != NULL);

  record (klass, GORM_META_NULLABLE, property, NULL, 0);
}

/**
 * gorm_resource_is_null:
 * @self: a resource
 * @property: the name of a property of @self
 *
 * Whether @property is NULL: a string, date-time, bytes, string array or
 * object property holding %NULL, or a nullable number, boolean, enum or
 * flags property made NULL by gorm_resource_set_null() or loaded from a
 * NULL column (its GObject value is then its default).
 *
 * Returns: %TRUE if @property is NULL; %FALSE otherwise, and for a
 *   property @self does not have
 *
 * Since: 1.0
 */
gboolean
gorm_resource_is_null (GormResource *self,
                       const char   *property)
{
  GormResourcePrivate *priv = gorm_resource_get_instance_private (self);
  g_auto(GValue) value = G_VALUE_INIT;
  const GormColumn *column;
  GParamSpec *pspec;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);

  pspec = property ? g_object_class_find_property (G_OBJECT_GET_CLASS (self), property) : NULL;
  if (pspec == NULL || !(pspec->flags & G_PARAM_READABLE))
    return FALSE;
  column = column_of (self, pspec);
  if (column != NULL && gorm_column_marks_null (column))
    return gorm_row_state_is_null (&priv->row, column->index);
  if (!holds_pointer (G_PARAM_SPEC_VALUE_TYPE (pspec)))
    return FALSE;
  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (G_OBJECT (self), pspec->name, &value);
  return g_value_peek_pointer (&value) == NULL;
}

/**
 * gorm_resource_set_null:
 * @self: a resource
 * @property: the name of a writable property of @self
 * @error: return location for an error
 *
 * Sets @property to NULL: a string, date-time, bytes, string array or
 * object property to %NULL; a number, boolean, enum or flags property
 * made nullable by gorm_resource_class_set_nullable() to its default
 * value with a NULL mark, which a save writes as NULL and which
 * gorm_resource_is_null() and gorm_resource_dup_value() report. Notifies
 * the property (when it was not NULL already) and marks the object dirty.
 *
 * A property that cannot hold NULL (a number without set_nullable(), a
 * property given gorm_resource_class_set_not_null(), the primary key) is
 * %GORM_ERROR_VALIDATION naming the type and the property, and nothing
 * changes.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_set_null (GormResource  *self,
                        const char    *property,
                        GError       **error)
{
  g_auto(GValue) null = G_VALUE_INIT;
  g_auto(GValue) converted = G_VALUE_INIT;
  const GormColumn *column;
  GParamSpec *pspec;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pspec = find_writable (self, property, "set NULL", error);
  if (pspec == NULL)
    return FALSE;

  column = column_of (self, pspec);
  if (column != NULL)
    {
      const GormSchema *schema = gorm_resource_get_schema (self, NULL);

      if (!gorm_column_is_nullable (column))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot store NULL in %s:%s, a %s property that is not nullable%s",
                       schema->type_name, column->pspec->name,
                       g_type_name (G_PARAM_SPEC_VALUE_TYPE (column->pspec)),
                       (column->flags & GORM_COLUMN_PRIMARY_KEY) ? " (it is the primary key)"
                       : gorm_value_kind_is_nullable (column->kind)
                       ? " (gorm_resource_class_set_not_null() forbids it)"
                       : " (see gorm_resource_class_set_nullable())");
          return FALSE;
        }
      if (!gorm_mapper_convert_user_value (schema, column, NULL, &converted, NULL, error))
        return FALSE;
      if (gorm_column_marks_null (column))
        {
          gorm_row_state_set_null (self, column);
          return TRUE;
        }
    }
  else if (!holds_pointer (G_PARAM_SPEC_VALUE_TYPE (pspec)))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot store NULL in %s:%s, a %s property, which is not stored and "
                   "cannot hold NULL",
                   G_OBJECT_TYPE_NAME (self), pspec->name,
                   g_type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)));
      return FALSE;
    }

  g_value_init (&null, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_set_property (G_OBJECT (self), pspec->name, &null);
  return TRUE;
}

/**
 * gorm_resource_dup_value:
 * @self: a resource
 * @property: the name of a readable property of @self
 *
 * Reads @property as gorm_resource_get_value() does, with NULL for
 * NULL: a string, date-time, bytes, string array or object property
 * holding %NULL, and a nullable number that gorm_resource_is_null() says
 * is NULL, give %NULL. In gjs this is `null`, in Python `None`, in Vala a
 * `GLib.Value?` that is `null`.
 *
 * Returns: (nullable) (transfer full): a new value of the property's
 *   type, or %NULL when the property is NULL (or @self has no readable
 *   property @property); free it with g_value_unset() and g_free()
 *
 * Since: 1.0
 */
GValue *
gorm_resource_dup_value (GormResource *self,
                         const char   *property)
{
  GParamSpec *pspec;
  GValue *value;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), NULL);

  pspec = property ? g_object_class_find_property (G_OBJECT_GET_CLASS (self), property) : NULL;
  if (pspec == NULL || !(pspec->flags & G_PARAM_READABLE) ||
      gorm_resource_is_null (self, pspec->name))
    return NULL;
  value = g_new0 (GValue, 1);
  g_value_init (value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (G_OBJECT (self), pspec->name, value);
  return value;
}

typedef gboolean (*ResourceCall) (GormResource  *self,
                                  GCancellable  *cancellable,
                                  GError       **error);

static void
resource_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ResourceCall call = (ResourceCall) task_data;
  GError *error = NULL;
  gboolean ok = call (source_object, cancellable, &error);

  gorm_task_return_boolean (task, ok, error);
}

/* Runs @call on the worker of the resource's database. */
static void
run_async (GormResource        *self,
           ResourceCall         call,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data,
           gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GormDatabase *database = gorm_resource_resolve_database (self, &error);

  if (database == NULL)
    {
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }
  task = gorm_database_new_task (database, self, cancellable, callback, user_data, source_tag);
  g_task_set_task_data (task, (gpointer) call, NULL);
  gorm_database_run_task (database, task, resource_thread);
}

static gboolean
finish (GormResource  *self,
        GAsyncResult  *result,
        gpointer       source_tag,
        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gorm_resource_save_async:
 * @self: a resource
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the object is saved
 * @user_data: data for @callback
 *
 * Saves @self as gorm_resource_save() does: its values are read at once,
 * on the caller's thread, and written on the worker thread of its
 * database. Calls on one database run one at a time, in the order they
 * were made; a change made to @self after this call belongs to the next
 * save. The object's new id, its timestamps, its notifications and
 * #GormDatabase::resource-saved reach the main context before @callback
 * is called. A call cancelled before its turn saves nothing and fails with
 * %G_IO_ERROR_CANCELLED.
 */
static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean ok = run_save (source_object, task_data, cancellable, &error);

  gorm_task_return_boolean (task, ok, error);
}

void
gorm_resource_save_async (GormResource        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GormDatabase *database;
  GormSave *save;

  g_return_if_fail (GORM_IS_RESOURCE (self));

  /* The object is read here, on the caller's thread: the worker only
   * writes what was read. */
  database = gorm_resource_resolve_database (self, &error);
  save = database ? prepare_save (self, &error) : NULL;
  if (save == NULL)
    {
      g_task_report_error (self, callback, user_data, gorm_resource_save_async, error);
      return;
    }
  task = gorm_database_new_task (database, self, cancellable, callback, user_data,
                                 gorm_resource_save_async);
  g_task_set_task_data (task, save, (GDestroyNotify) gorm_save_free);
  gorm_database_run_task (database, task, save_thread);
}

/**
 * gorm_resource_save_finish:
 * @self: a resource
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_resource_save_async().
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_resource_save_finish (GormResource  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  if (!finish (self, result, gorm_resource_save_async, error))
    {
      /* As gorm_resource_save() does, here on the caller's thread. */
      if (error != NULL)
        gorm_resource_explain_key_error (self, *error);
      return FALSE;
    }
  return TRUE;
}

/**
 * gorm_resource_delete_async:
 * @self: a resource
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the row is deleted
 * @user_data: data for @callback
 *
 * Runs gorm_resource_delete() on the worker thread of the object's
 * database.
 */
void
gorm_resource_delete_async (GormResource        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GORM_IS_RESOURCE (self));

  run_async (self, gorm_resource_delete, cancellable, callback, user_data, gorm_resource_delete_async);
}

/**
 * gorm_resource_delete_finish:
 * @self: a resource
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_resource_delete_async().
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_resource_delete_finish (GormResource  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish (self, result, gorm_resource_delete_async, error);
}

/**
 * gorm_resource_reload_async:
 * @self: a resource
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the object is reloaded
 * @user_data: data for @callback
 *
 * Runs gorm_resource_reload() on the worker thread of the object's
 * database; the new property values are set in the main context.
 */
void
gorm_resource_reload_async (GormResource        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GORM_IS_RESOURCE (self));

  run_async (self, gorm_resource_reload, cancellable, callback, user_data, gorm_resource_reload_async);
}

/**
 * gorm_resource_reload_finish:
 * @self: a resource
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_resource_reload_async().
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_resource_reload_finish (GormResource  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish (self, result, gorm_resource_reload_async, error);
}

/**
 * gorm_resource_class_set_new_func:
 * @klass: a resource class
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy): the
 *   function that builds the objects of @klass (not those of its
 *   subclasses, which set their own), or %NULL to build them with
 *   g_object_new() again
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when @func is replaced
 *
 * Makes libgorm build the objects of @klass that it loads from rows (in
 * query results, live models, gorm_database_get()) with @func rather than
 * with g_object_new(). libgorm then sets the stored properties of the new
 * object itself, without notifications, as it does for objects it builds
 * with g_object_new().
 *
 * A language binding whose classes must be instantiated in its own
 * language calls it right after registering a class. The Python override
 * does it for every model: PyGObject 3.42 (and later versions, to date)
 * gives an object of a Python class that C creates with g_object_new()
 * the Python wrapper of any object that Python is constructing at that
 * moment on the same thread, and a live model builds objects while GTK
 * constructs a `Gtk.SingleSelection` or a `Gtk.ListView` around it. The
 * object would then be returned to Python as that other object, and as
 * a dangling pointer once the other object's wrapper is freed.
 *
 * @func must return a new object of exactly the type of @klass, whose
 * #GormResource:database is the database it is given; libgorm builds
 * the object with g_object_new() instead (and warns) when it does not,
 * and always when the class has a construct-only stored property, which
 * only g_object_new() can set.
 *
 * Since: 1.0
 */
void
gorm_resource_class_set_new_func (GormResourceClass   *klass,
                                  GormResourceNewFunc  func,
                                  gpointer             user_data,
                                  GDestroyNotify       destroy)
{
  g_return_if_fail (GORM_IS_RESOURCE_CLASS (klass));

  gorm_schema_set_new_func (G_TYPE_FROM_CLASS (klass), func, user_data, destroy);
}

/**
 * gorm_resource_new_with_init: (skip)
 * @type: a non-abstract [class@Gorm.Resource] type
 * @database: (nullable): the [property@Gorm.Resource:database] of the object
 * @init: the function to call on the object as it is initialized
 * @user_data: data for @init
 *
 * Builds an object of @type, as [ctor@GObject.Object.new] does with
 * @database as its database, and calls @init on it from the instance
 * initializer of [class@Gorm.Resource]: before the instance initializers
 * of the classes between it and @type run, and before any property is
 * set.
 *
 * For the new-object function of a language binding (see
 * [method@Gorm.ResourceClass.set_new_func]): @init attaches the binding's
 * wrapper to the object there, where the instance initializer the
 * binding gives the classes declared in its language finds it. The
 * Python override builds the objects it loads so: PyGObject's
 * initializer takes the wrapper it finds on the object, never the
 * wrapper of another object that Python may be constructing at that
 * moment, and no keyword arguments are converted to build the object.
 *
 * Returns: (transfer full): the new object
 *
 * Since: 1.0
 */
GormResource *
gorm_resource_new_with_init (GType                type,
                             GormDatabase        *database,
                             GormResourceInitFunc init,
                             gpointer             user_data)
{
  PendingInit pending = { init, user_data };
  GormResource *resource;

  g_return_val_if_fail (g_type_is_a (type, GORM_TYPE_RESOURCE), NULL);
  g_return_val_if_fail (!G_TYPE_IS_ABSTRACT (type), NULL);
  g_return_val_if_fail (database == NULL || GORM_IS_DATABASE (database), NULL);
  g_return_val_if_fail (init != NULL, NULL);

  g_private_set (&pending_init, &pending);
  resource = g_object_new (type, "database", database, NULL);
  /* Not left for a later object, whatever the construction did. */
  g_private_set (&pending_init, NULL);
  return resource;
}

/* The schema of a class, or an error saying why it has none. */
static const GormSchema *
class_schema (GormResourceClass  *klass,
              GError            **error)
{
  return gorm_schema_lookup (G_TYPE_FROM_CLASS (klass), error);
}

/**
 * gorm_resource_class_get_table_name:
 * @klass: a resource class
 * @error: return location for an error
 *
 * Gets the table the objects of @klass are stored in: the one given to
 * gorm_resource_class_set_table(), or by default the name of the type in
 * snake case (`BlogPost` → `blog_post`, `HTTPServer` → `http_server`).
 * For a class written in Python, whose type name PyGObject makes from its
 * module (`blog+BlogPost`), the default comes from the class's name
 * alone.
 *
 * The class is described once, at its first use: call this after its
 * `gorm_resource_class_set_*()` calls.
 *
 * Returns: (nullable): the table's name, owned by libgorm for as long as
 *   the program runs, or %NULL with @error set when libgorm cannot store
 *   the class (%GORM_ERROR_UNSUPPORTED_TYPE, %GORM_ERROR_UNKNOWN_PROPERTY)
 *
 * Since: 1.0
 */
const char *
gorm_resource_class_get_table_name (GormResourceClass  *klass,
                                    GError            **error)
{
  const GormSchema *schema;

  g_return_val_if_fail (GORM_IS_RESOURCE_CLASS (klass), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  schema = class_schema (klass, error);
  return schema != NULL ? schema->table : NULL;
}

/**
 * gorm_resource_class_dup_stored_properties:
 * @klass: a resource class
 * @error: return location for an error
 *
 * Lists the properties of @klass that have a column: its primary key
 * first (`id`, or the natural key of gorm_resource_class_set_primary_key()),
 * then every readable and writable property that is not construct-only
 * nor made transient by gorm_resource_class_set_transient(), in the order
 * of the table's columns.
 *
 * The class is described once, at its first use: call this after its
 * `gorm_resource_class_set_*()` calls.
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the
 *   names of the properties, or %NULL with @error set when libgorm cannot
 *   store the class
 *
 * Since: 1.0
 */
char **
gorm_resource_class_dup_stored_properties (GormResourceClass  *klass,
                                           GError            **error)
{
  const GormSchema *schema;
  char **names;

  g_return_val_if_fail (GORM_IS_RESOURCE_CLASS (klass), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  schema = class_schema (klass, error);
  if (schema == NULL)
    return NULL;
  names = g_new0 (char *, schema->n_columns + 1);
  for (guint i = 0; i < schema->n_columns; i++)
    names[i] = g_strdup (schema->columns[i].pspec->name);
  return names;
}
