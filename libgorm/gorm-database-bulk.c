/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-change-feed-private.h"
#include "gorm-database-private.h"
#include "gorm-error.h"
#include "gorm-resource-private.h"

/* Many objects at once: gorm_database_bulk_insert() and
 * gorm_database_bulk_update(). Each reads and checks every object on the
 * caller's thread first (an object of a JavaScript class can only be
 * read there), then writes, under the database lock, possibly on the
 * worker, in one transaction (a savepoint inside an open one), through
 * the mapper's multi-row statements. The objects change only once that
 * transaction committed: a failure leaves them as they were. */

/* Up to this many rows, a bulk write is announced to live models as a
 * save is, each row placed where it goes: a model then reads the position
 * of each row, a query whose cost grows with the rows before it (4,000
 * rows took seconds). Beyond it, live models read again what they show,
 * as after another program's commit: a page, and one items-changed for
 * the difference. */
#define EXACT_LIVE_ROWS 1000

typedef struct
{
  GormDatabase     *database;
  const GormSchema *schema;
  /* Referenced. */
  GormResource    **resources;
  guint             n_resources;
  /* An insert: what each object writes. */
  GormSave        **saves;
  /* An update: the columns written, the keys of the rows and the SQL
   * values (n_columns a row). */
  guint            *columns;
  guint             n_columns;
  GValue           *keys;
  GValue           *values;
} Bulk;

static void
unset_values (GValue *values,
              gsize   n_values)
{
  for (gsize i = 0; i < n_values; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
}

static void
bulk_free (Bulk *bulk)
{
  for (guint i = 0; i < bulk->n_resources; i++)
    {
      if (bulk->saves != NULL && bulk->saves[i] != NULL)
        gorm_save_free (bulk->saves[i]);
      g_object_unref (bulk->resources[i]);
    }
  g_free (bulk->saves);
  g_free (bulk->resources);
  g_free (bulk->columns);
  if (bulk->keys != NULL)
    unset_values (bulk->keys, bulk->n_resources);
  g_free (bulk->keys);
  if (bulk->values != NULL)
    unset_values (bulk->values, (gsize) bulk->n_resources * bulk->n_columns);
  g_free (bulk->values);
  g_object_unref (bulk->database);
  g_free (bulk);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bulk, bulk_free)

/* Checks that @resources are @n_resources distinct objects of one
 * resource type, of @self or of no database yet, saved or not as
 * @saved says, and returns a Bulk holding them. */
static Bulk *
bulk_new (GormDatabase        *self,
          GormResource * const *resources,
          guint                 n_resources,
          gboolean              saved,
          const char           *action,
          GError              **error)
{
  g_autoptr(Bulk) bulk = g_new0 (Bulk, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GType type = G_TYPE_INVALID;

  bulk->database = g_object_ref (self);
  bulk->resources = g_new0 (GormResource *, MAX (n_resources, 1));

  for (guint i = 0; i < n_resources; i++)
    {
      GormResource *resource = resources[i];
      GormRowState *state;

      if (!GORM_IS_RESOURCE (resource))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot %s in bulk: object %u of %u is %s, not a resource",
                       action, i, n_resources,
                       resource == NULL ? "NULL" : G_OBJECT_TYPE_NAME (resource));
          return NULL;
        }
      if (i == 0)
        {
          type = G_OBJECT_TYPE (resource);
          bulk->schema = gorm_resource_get_schema (resource, error);
          if (bulk->schema == NULL)
            return NULL;
        }
      else if (G_OBJECT_TYPE (resource) != type)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "Cannot %s in bulk objects of two types: object %u is a %s, "
                       "object 0 a %s",
                       action, i, G_OBJECT_TYPE_NAME (resource), g_type_name (type));
          return NULL;
        }
      if (!g_hash_table_add (seen, resource))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot %s %s in bulk: object %u is given twice",
                       action, g_type_name (type), i);
          return NULL;
        }

      state = gorm_row_state_of (resource);
      if (state->database != NULL && state->database != self)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot %s %s in bulk: object %u belongs to the database “%s”, "
                       "not to “%s”",
                       action, g_type_name (type), i,
                       gorm_database_get_uri (state->database), gorm_database_get_uri (self));
          return NULL;
        }
      if (state->saved != saved)
        {
          if (saved)
            g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                         "Cannot %s %s in bulk: object %u is not saved",
                         action, g_type_name (type), i);
          else
            g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                         "Cannot %s %s in bulk: object %u is saved already (id %" G_GINT64_FORMAT ")",
                         action, g_type_name (type), i, state->id);
          return NULL;
        }
      bulk->resources[i] = g_object_ref (resource);
      bulk->n_resources = i + 1;
    }

  return g_steal_pointer (&bulk);
}

/* Runs @bulk, or reports @error when it could not be prepared, on the
 * worker of @self. */
static void
run_async (GormDatabase        *self,
           Bulk                *bulk,
           GError              *error,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data,
           gpointer             source_tag,
           GTaskThreadFunc      thread)
{
  g_autoptr(GTask) task = NULL;

  if (bulk == NULL)
    {
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }
  task = gorm_database_new_task (self, self, cancellable, callback, user_data, source_tag);
  g_task_set_task_data (task, bulk, (GDestroyNotify) bulk_free);
  gorm_database_run_task (self, task, thread);
}

/* Inserting */

/* Reads and checks what each object writes. */
static Bulk *
prepare_insert (GormDatabase        *self,
                GormResource * const *resources,
                guint                 n_resources,
                GError              **error)
{
  g_autoptr(Bulk) bulk = bulk_new (self, resources, n_resources, FALSE, "insert", error);

  if (bulk == NULL)
    return NULL;
  bulk->saves = g_new0 (GormSave *, MAX (n_resources, 1));
  for (guint i = 0; i < n_resources; i++)
    {
      bulk->saves[i] = gorm_mapper_prepare_save (bulk->schema, bulk->resources[i], TRUE, error);
      if (bulk->saves[i] != NULL && gorm_save_get_given_id (bulk->saves[i]) != 0)
        {
          /* Its rows are numbered by the database, together. */
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot insert %s in bulk: %s:id is set to %" G_GINT64_FORMAT ", which "
                       "only gorm_resource_save() writes",
                       bulk->schema->type_name, bulk->schema->type_name,
                       gorm_save_get_given_id (bulk->saves[i]));
          g_prefix_error (error, "Object %u of %u: ", i, n_resources);
          return NULL;
        }
      if (bulk->saves[i] == NULL ||
          !gorm_save_check_not_null (bulk->schema, bulk->saves[i], error))
        {
          g_prefix_error (error, "Object %u of %u: ", i, n_resources);
          return NULL;
        }
    }
  return g_steal_pointer (&bulk);
}

/* Begins the transaction of a bulk write, under the lock; the mapper of
 * its type, or NULL with the lock let go. */
static GormMapper *
begin_bulk (Bulk    *bulk,
            GError **error)
{
  GormDatabase *database = bulk->database;
  GormMapper *mapper;

  gorm_database_lock (database);
  mapper = gorm_database_get_mapper_locked (database, bulk->schema->type, error);
  if (mapper == NULL || !gorm_database_begin_locked (database, error))
    {
      gorm_database_unlock (database);
      return NULL;
    }
  return mapper;
}

/* Ends the transaction of a bulk write, which @ok says succeeded: a
 * commit, else a rollback. The lock stays held. */
static gboolean
end_bulk (Bulk     *bulk,
          gboolean  ok,
          GError  **error)
{
  if (!ok)
    {
      gorm_database_rollback_locked (bulk->database, NULL);
      return FALSE;
    }
  /* A failed COMMIT (or RELEASE) rolled everything back already. */
  return gorm_database_commit_locked (bulk->database, error);
}

/* After a committed bulk write whose objects took their new state:
 * emits resource-saved for each object (at once, or at the commit of an
 * enclosing transaction), lets go of the lock, and tells live models to
 * read again when they were not told of each row. */
static void
finish_bulk (Bulk     *bulk,
             gboolean  created)
{
  for (guint i = 0; i < bulk->n_resources; i++)
    gorm_database_emit_saved (bulk->database, bulk->resources[i], created);
  gorm_database_unlock (bulk->database);
  if (bulk->n_resources > EXACT_LIVE_ROWS)
    gorm_change_feed_publish_foreign (gorm_database_get_change_feed (bulk->database),
                                      bulk->schema->table);
}

static gboolean
run_insert (Bulk          *bulk,
            GCancellable  *cancellable,
            GError       **error)
{
  GormDatabase *database = bulk->database;
  GType type;
  GormMapper *mapper;
  GCancellable *previous;
  gboolean watched;
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (bulk->n_resources == 0)
    return TRUE;

  type = bulk->schema->type;
  mapper = begin_bulk (bulk, error);
  if (mapper == NULL)
    return FALSE;

  bulk->keys = g_new0 (GValue, bulk->n_resources);
  watched = gorm_database_has_watchers_locked (database, type) &&
            bulk->n_resources <= EXACT_LIVE_ROWS;
  /* One write of every row for live models: the keys of an insert are
   * known after it only. */
  if (watched)
    gorm_database_begin_change_locked (database, type, NULL, 0);
  /* Cancelling stops the statement running on the server (PostgreSQL). */
  previous = gorm_connection_swap_cancellable_locked (gorm_database_get_execution (database),
                                                      cancellable);
  ok = gorm_mapper_insert_rows (mapper, bulk->saves, bulk->n_resources, bulk->keys,
                                cancellable, error);
  gorm_connection_swap_cancellable_locked (gorm_database_get_execution (database), previous);
  if (ok && watched)
    gorm_database_end_change_locked (database, type, bulk->keys, bulk->n_resources, FALSE);
  if (!end_bulk (bulk, ok, error))
    {
      gorm_database_unlock (database);
      return FALSE;
    }

  for (guint i = 0; i < bulk->n_resources; i++)
    gorm_mapper_mark_inserted (mapper, bulk->resources[i], bulk->saves[i], &bulk->keys[i]);
  finish_bulk (bulk, TRUE);
  return TRUE;
}

/**
 * gorm_database_bulk_insert:
 * @self: a database
 * @resources: (array length=n_resources): the objects to insert
 * @n_resources: the number of @resources
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Inserts @resources, objects of one resource type none of which is
 * saved, in few statements: multi-row `INSERT`s of at most 8,192 values
 * each on SQLite, which prepares them itself, and of 256 through libgda
 * (PostgreSQL, or SQLite with `GORM_DEBUG=gda-statements`), which
 * prepares a statement in a time that grows with the square of its
 * parameters; all in one transaction (a savepoint when one is open).
 * The statements are cached: a full one, and one per power of two for
 * the rows left over.
 *
 * Every object is read and checked before any SQL runs, as
 * [method@Gorm.Resource.save] checks one (maximum lengths, values its
 * column can hold), and a %NULL where the column takes none
 * ([method@Gorm.ResourceClass.set_not_null]) is refused too: an error
 * in any object inserts nothing. Objects of two types are
 * %GORM_ERROR_TYPE_MISMATCH; an object given twice, already saved or of
 * another database is %GORM_ERROR_VALIDATION.
 *
 * Afterwards each object is saved, with its [property@Gorm.Resource:id], its
 * automatic timestamps, no unsaved change, and is the object of its row
 * (a fetch of the row gives it); live models of the type show the new
 * rows (beyond 1,000 objects by reading again what they show, as after
 * another program's commit, rather than placing each row), and [signal@Gorm.Database::resource-saved] is emitted for each, with
 * `created` %TRUE.
 *
 * The ids increase in the order the rows are written: the order of
 * @resources, except that objects whose values are %NULL in different
 * columns are written in different statements (one per such pattern, in
 * the order each pattern first appears), since libgorm writes a %NULL
 * into the SQL rather than binding it.
 *
 * On any error (a unique constraint violated by one row, a full disk, a
 * cancellation) nothing is inserted and every object is as it was: not
 * saved, with an id of 0. Inside a transaction the objects are as after
 * single saves: a rollback of the enclosing transaction makes them
 * unsaved again, and the signals wait for its commit.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_database_bulk_insert (GormDatabase         *self,
                           GormResource * const *resources,
                           guint                 n_resources,
                           GCancellable         *cancellable,
                           GError              **error)
{
  g_autoptr(Bulk) bulk = NULL;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (resources != NULL || n_resources == 0, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bulk = prepare_insert (self, resources, n_resources, error);
  return bulk != NULL && run_insert (bulk, cancellable, error);
}

static void
insert_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean ok = run_insert (task_data, cancellable, &error);

  gorm_task_return_boolean (task, ok, error);
}

/**
 * gorm_database_bulk_insert_async:
 * @self: a database
 * @resources: (array length=n_resources): the objects to insert
 * @n_resources: the number of @resources
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the objects are inserted
 * @user_data: data for @callback
 *
 * Inserts @resources as [method@Gorm.Database.bulk_insert] does: the
 * objects are read and checked at once, on the caller's thread, and
 * written on the worker thread of @self. Their ids, notifications and
 * [signal@Gorm.Database::resource-saved] reach the main context before @callback
 * is called.
 *
 * Since: 1.0
 */
void
gorm_database_bulk_insert_async (GormDatabase         *self,
                                 GormResource * const *resources,
                                 guint                 n_resources,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  GError *error = NULL;
  Bulk *bulk;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (resources != NULL || n_resources == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  bulk = prepare_insert (self, resources, n_resources, &error);
  run_async (self, bulk, error, cancellable, callback, user_data,
             gorm_database_bulk_insert_async, insert_thread);
}

/**
 * gorm_database_bulk_insert_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Database.bulk_insert_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_database_bulk_insert_finish (GormDatabase  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, gorm_database_bulk_insert_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Updating */

/* The columns of @properties, checked. */
static gboolean
find_columns (Bulk               *bulk,
              const char * const *properties,
              GError            **error)
{
  const GormSchema *schema = bulk->schema;
  const char *type_name = schema ? schema->type_name : "objects";
  guint n = properties ? g_strv_length ((char **) properties) : 0;

  if (n == 0)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot update %s in bulk: no property to write was given", type_name);
      return FALSE;
    }
  /* No object: no schema to check the names against, nothing to do. */
  if (schema == NULL)
    return TRUE;

  bulk->columns = g_new0 (guint, n);
  for (guint i = 0; i < n; i++)
    {
      const GormColumn *column = gorm_schema_find_column (schema, properties[i]);

      if (column == NULL)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                       "Cannot update %s in bulk: it has no stored property “%s”",
                       type_name, properties[i]);
          return FALSE;
        }
      if (column == schema->key)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "Cannot update %s:%s in bulk: it is the primary key",
                       type_name, column->pspec->name);
          return FALSE;
        }
      for (guint j = 0; j < bulk->n_columns; j++)
        if (bulk->columns[j] == column->index)
          {
            g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                         "Cannot update %s:%s in bulk: the property is given twice",
                         type_name, column->pspec->name);
            return FALSE;
          }
      bulk->columns[bulk->n_columns++] = column->index;
    }
  return TRUE;
}

static Bulk *
prepare_update (GormDatabase        *self,
                GormResource * const *resources,
                guint                 n_resources,
                const char * const   *properties,
                GError              **error)
{
  g_autoptr(Bulk) bulk = bulk_new (self, resources, n_resources, TRUE, "update", error);

  if (bulk == NULL || !find_columns (bulk, properties, error))
    return NULL;

  bulk->keys = g_new0 (GValue, MAX (n_resources, 1));
  bulk->values = g_new0 (GValue, MAX ((gsize) n_resources * bulk->n_columns, 1));
  for (guint i = 0; i < n_resources; i++)
    {
      GormResource *resource = bulk->resources[i];
      const GValue *key = &gorm_row_state_of (resource)->key;
      const GError *read_error = gorm_mapper_get_read_error (resource);

      /* A stand-in holds default values, not its row's. */
      if (read_error != NULL)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "Cannot update %s in bulk: object %u stands in for a row that could "
                       "not be read (%s)",
                       bulk->schema->type_name, i, read_error->message);
          return NULL;
        }
      if (!gorm_mapper_read_columns (bulk->schema, resource, bulk->columns, bulk->n_columns,
                                     &bulk->values[(gsize) i * bulk->n_columns], error))
        {
          g_prefix_error (error, "Object %u of %u: ", i, n_resources);
          return NULL;
        }
      g_value_init (&bulk->keys[i], G_VALUE_TYPE (key));
      g_value_copy (key, &bulk->keys[i]);
    }
  return g_steal_pointer (&bulk);
}

static gint64
run_update (Bulk          *bulk,
            GCancellable  *cancellable,
            GError       **error)
{
  GormDatabase *database = bulk->database;
  GType type;
  GormMapper *mapper;
  GCancellable *previous;
  gboolean watched;
  gint64 rows;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (bulk->n_resources == 0)
    return 0;

  type = bulk->schema->type;
  mapper = begin_bulk (bulk, error);
  if (mapper == NULL)
    return -1;

  /* An object may have been deleted since it was read: the rows of the
   * others are written all the same. */
  watched = gorm_database_has_watchers_locked (database, type) &&
            bulk->n_resources <= EXACT_LIVE_ROWS;
  if (watched)
    gorm_database_begin_change_locked (database, type, bulk->keys, bulk->n_resources);
  previous = gorm_connection_swap_cancellable_locked (gorm_database_get_execution (database),
                                                      cancellable);
  rows = gorm_mapper_update_rows (mapper, bulk->keys, bulk->n_resources, bulk->columns,
                                  bulk->n_columns, bulk->values, cancellable, error);
  gorm_connection_swap_cancellable_locked (gorm_database_get_execution (database), previous);
  if (rows >= 0 && watched)
    gorm_database_end_change_locked (database, type, bulk->keys, bulk->n_resources, FALSE);
  if (!end_bulk (bulk, rows >= 0, error))
    {
      gorm_database_unlock (database);
      return -1;
    }

  for (guint i = 0; i < bulk->n_resources; i++)
    gorm_mapper_mark_written (mapper, bulk->resources[i], bulk->columns, bulk->n_columns);
  finish_bulk (bulk, FALSE);
  return rows;
}

/**
 * gorm_database_bulk_update:
 * @self: a database
 * @resources: (array length=n_resources): the saved objects to write
 * @n_resources: the number of @resources
 * @properties: (array zero-terminated=1): the names of the properties to
 *   write, at least one
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Writes the values @properties have in each of @resources, saved
 * objects of one resource type, in few statements (`UPDATE … SET col =
 * CASE key WHEN … THEN … END … WHERE key IN (…)`, of at most 256
 * values each: the engine tries the `WHEN`s of a `CASE` one after the
 * other), in one transaction (a savepoint when one is open).
 *
 * Every value is read and checked before any SQL runs, as
 * [method@Gorm.Resource.save] checks it. An unknown property is
 * %GORM_ERROR_UNKNOWN_PROPERTY; the primary key, a property given twice,
 * no property at all, an object not saved, given twice or of another
 * database are %GORM_ERROR_VALIDATION; objects of two types
 * %GORM_ERROR_TYPE_MISMATCH. Automatic timestamps are not set: write
 * them yourself and list them, as Django's `bulk_update()` does.
 *
 * Afterwards @properties of each object have no unsaved change; its
 * other changed properties stay changed, to be written by the next save.
 * Live models of the type follow the new values (beyond 1,000 objects
 * by reading again what they show), and
 * [signal@Gorm.Database::resource-saved] is emitted for each object, with
 * `created` %FALSE.
 *
 * On any error (a constraint violated by one row, a cancellation)
 * nothing is written and every object keeps its changes. Inside a
 * transaction, its rollback makes @properties changed again.
 *
 * Returns: the number of rows updated (fewer than @n_resources when the
 *   rows of some objects were deleted meanwhile), or -1 with @error set
 *
 * Since: 1.0
 */
gint64
gorm_database_bulk_update (GormDatabase         *self,
                           GormResource * const *resources,
                           guint                 n_resources,
                           const char * const   *properties,
                           GCancellable         *cancellable,
                           GError              **error)
{
  g_autoptr(Bulk) bulk = NULL;

  g_return_val_if_fail (GORM_IS_DATABASE (self), -1);
  g_return_val_if_fail (resources != NULL || n_resources == 0, -1);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  bulk = prepare_update (self, resources, n_resources, properties, error);
  return bulk != NULL ? run_update (bulk, cancellable, error) : -1;
}

static void
update_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  gint64 rows = run_update (task_data, cancellable, &error);

  gorm_task_return_int (task, rows, error);
}

/**
 * gorm_database_bulk_update_async:
 * @self: a database
 * @resources: (array length=n_resources): the saved objects to write
 * @n_resources: the number of @resources
 * @properties: (array zero-terminated=1): the names of the properties to
 *   write, at least one
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the rows are written
 * @user_data: data for @callback
 *
 * Writes @resources as [method@Gorm.Database.bulk_update] does: the
 * values are read and checked at once, on the caller's thread, and
 * written on the worker thread of @self.
 *
 * Since: 1.0
 */
void
gorm_database_bulk_update_async (GormDatabase         *self,
                                 GormResource * const *resources,
                                 guint                 n_resources,
                                 const char * const   *properties,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  GError *error = NULL;
  Bulk *bulk;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (resources != NULL || n_resources == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  bulk = prepare_update (self, resources, n_resources, properties, &error);
  run_async (self, bulk, error, cancellable, callback, user_data,
             gorm_database_bulk_update_async, update_thread);
}

/**
 * gorm_database_bulk_update_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Database.bulk_update_async].
 *
 * Returns: the number of rows updated, or -1 with @error set
 *
 * Since: 1.0
 */
gint64
gorm_database_bulk_update_finish (GormDatabase  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_async_result_is_tagged (result, gorm_database_bulk_update_async), -1);

  return g_task_propagate_int (G_TASK (result), error);
}
