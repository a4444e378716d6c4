/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-change-feed-private.h"
#include "gorm-database-private.h"
#include "gorm-enums.h"
#include "gorm-error.h"
#include "gorm-identity-map-private.h"
#include "gorm-migration.h"
#include "gorm-migrator-private.h"
#include "gorm-resource-private.h"
#include "gorm-row-private.h"
#include "gorm-uri-private.h"
#include "gorm-value-private.h"
#include "gorm-listener-private.h"
#include "gorm-worker-private.h"

/**
 * GormDatabase:
 *
 * A database that stores #GormResource objects.
 *
 * Open one with gorm_database_open():
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(GormDatabase) db = gorm_database_open ("sqlite:blog.db", NULL, &error);
 * GType types[] = { BLOG_TYPE_POST };
 *
 * if (db == NULL || !gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error))
 *   g_error ("%s", error->message);
 * ```
 *
 * Every SQLite file is opened in WAL mode with `synchronous=NORMAL`,
 * foreign keys enforced and a busy timeout of 5 seconds: a writer waits
 * that long for another connection's lock before failing with
 * %GORM_ERROR_BUSY.
 *
 * A database runs one statement at a time. Its signals are emitted in the
 * thread-default main context of the thread that opened it.
 *
 * Set `GORM_DEBUG=sql` in the environment to print every statement run.
 */

struct _GormDatabase
{
  GObject             parent_instance;

  char               *uri;
  /* The execution layer: the libgda connection, the statements, the one
   * lock and the transaction depth. */
  GormConnection     *connection;
  /* A GdaConnection given at construction, adopted once constructed. */
  GObject            *given_connection;
  const GormDialect  *dialect;
  /* GType → GormMapper */
  GHashTable         *mappers;
  GormIdentityMap    *identity;
  /* What writers publish and live query models subscribe to. */
  GormChangeFeed     *feed;
  /* Tells the feed of other connections' commits while live models
   * follow them. */
  GormListener       *listener;
  /* What the mappers and the objects of its rows are given of the
   * database: the identity map, the change feed, the connection, the
   * worker and the main context. */
  GormMapperHost      host;
  GMainContext       *context;
  GThread            *thread;
  GormWorker         *worker;
  /* The shared in-memory database the connection uses, released once it
   * is closed. */
  GormSharedMemory   *shared_memory;
  /* The SQLite file the connection has open, held so that opening the
   * same file again opens nothing else (see gorm-uri-private.h). */
  GormHeldFile       *held_file;
  /* Whether a migration was made inside the open transaction (under the
   * lock): only then does a rollback forget what was migrated. */
  gboolean            migrated_in_transaction;
};

/* The database a GormMigration runs on in this thread, whose steps use
 * the tables as they are (see gorm_database_begin_migrating()). */
static GPrivate migrating_database;

G_DEFINE_FINAL_TYPE (GormDatabase, gorm_database, G_TYPE_OBJECT)

static void forget_migrated (GormDatabase *self);
static gboolean migrate_first_use_locked (GormDatabase  *self,
                                          GormMapper    *mapper,
                                          GError       **error);
static gboolean table_exists_locked (GormDatabase  *self,
                                     GType          type,
                                     const char    *table_name,
                                     gboolean      *exists,
                                     GError       **error);
static void free_params     (GValue       *values,
                             guint         n_values);

enum {
  PROP_0,
  PROP_URI,
  PROP_CONNECTION,
  N_PROPS,
};

enum {
  SIGNAL_RESOURCE_SAVED,
  SIGNAL_RESOURCE_DELETED,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GMutex default_lock;
static GormDatabase *default_database;

void
gorm_database_lock (GormDatabase *self)
{
  gorm_connection_lock (self->connection);
}

void
gorm_database_defer (GormDatabase   *self,
                     GFunc           func,
                     gpointer        data,
                     GDestroyNotify  destroy)
{
  gorm_mapper_host_defer (&self->host, func, data, destroy);
}

GormMapperHost *
gorm_database_get_mapper_host (GormDatabase *self)
{
  return &self->host;
}

GTask *
gorm_database_new_task (GormDatabase        *self,
                        gpointer             source_object,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data,
                        gpointer             source_tag)
{
  /* The task does not get the cancellable: a cancelled GTask completes
   * one main loop iteration later than others, which would break the
   * order calls complete in. The worker checks it instead. */
  GTask *task = g_task_new (source_object, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_object_set_data_full (G_OBJECT (task), "gorm-database", g_object_ref (self), g_object_unref);
  gorm_worker_set_cancellable (task, cancellable);
  return task;
}

void
gorm_database_run_task (GormDatabase    *self,
                        GTask           *task,
                        GTaskThreadFunc  func)
{
  /* The worker would wait for the end of a transaction this thread has
   * open, while this thread (say, awaiting the call in its main loop)
   * waits for the worker: the call runs here, inside the transaction, in
   * the order of the thread's calls. */
  if (gorm_connection_in_own_transaction (self->connection))
    gorm_worker_run_here (self->worker, task, func);
  else
    gorm_worker_run (self->worker, task, func);
}

static GormWorker *
task_worker (GTask *task)
{
  return GORM_DATABASE (g_object_get_data (G_OBJECT (task), "gorm-database"))->worker;
}

void
gorm_task_return_boolean (GTask    *task,
                          gboolean  ok,
                          GError   *error)
{
  if (ok)
    gorm_worker_return_boolean (task_worker (task), task, TRUE);
  else
    gorm_worker_return_error (task_worker (task), task, error);
}

void
gorm_task_return_int (GTask  *task,
                      gint64  value,
                      GError *error)
{
  if (error == NULL)
    gorm_worker_return_int (task_worker (task), task, value);
  else
    gorm_worker_return_error (task_worker (task), task, error);
}

void
gorm_task_return_pointer (GTask          *task,
                          gpointer        value,
                          GDestroyNotify  destroy,
                          GError         *error)
{
  if (error == NULL)
    gorm_worker_return_pointer (task_worker (task), task, value, destroy);
  else
    gorm_worker_return_error (task_worker (task), task, error);
}

void
gorm_database_unlock (GormDatabase *self)
{
  gorm_connection_unlock (self->connection);
  /* Only the main context's thread touches the held-back queue. */
  if (gorm_mapper_host_in_main_context (&self->host))
    gorm_mapper_host_run_held_back (&self->host);
}

GormResource *
gorm_database_lookup_live_locked (GormDatabase *self,
                                  GType         type,
                                  const GValue *key)
{
  return gorm_identity_map_lookup (self->identity, type, key);
}

gboolean
gorm_database_has_live_locked (GormDatabase *self,
                               GType         type)
{
  return gorm_identity_map_holds_type (self->identity, type);
}

void
gorm_database_remove_live (GormDatabase *self,
                           GormResource *resource,
                           const GValue *key)
{
  gorm_identity_map_remove (self->identity, resource, key);
}

guint
gorm_database_get_n_live (GormDatabase *self)
{
  return gorm_identity_map_size (self->identity);
}

GormChangeFeed *
gorm_database_get_change_feed (GormDatabase *self)
{
  return self->feed;
}

gboolean
gorm_database_has_watchers_locked (GormDatabase *self,
                                   GType         type)
{
  return gorm_change_feed_has_subscribers (self->feed, type);
}

void
gorm_database_begin_change_locked (GormDatabase *self,
                                   GType         type,
                                   const GValue *keys,
                                   guint         n_keys)
{
  /* Another connection's commit the listener has not seen yet is
   * published first, and one that comes between the two announcements
   * after: a model is told of it in the delivery of this write at the
   * latest, and reads again rather than place the write on rows it was
   * not told of. */
  gorm_listener_check_locked (self->listener);
  gorm_change_feed_before_locked (self->feed, type, keys, n_keys);
}

void
gorm_database_end_change_locked (GormDatabase *self,
                                 GType         type,
                                 const GValue *keys,
                                 guint         n_keys,
                                 gboolean      deleted)
{
  gorm_listener_check_locked (self->listener);
  gorm_change_feed_after_locked (self->feed, type, keys, n_keys, deleted);
}

gboolean
gorm_database_follow_others_locked (GormDatabase *self,
                                    const char   *table)
{
  g_autoptr(GError) error = NULL;

  if (gorm_listener_add_user_locked (self->listener, table, &error))
    return TRUE;
  g_debug ("A live model of “%s” does not follow other programs' commits: %s",
           table, error->message);
  return FALSE;
}

void
gorm_database_unfollow_others (GormDatabase *self)
{
  gorm_listener_remove_user (self->listener);
}

const GormDialect *
gorm_database_get_dialect (GormDatabase *self)
{
  return self->dialect;
}

const char *
gorm_database_get_provider (GormDatabase *self)
{
  return gorm_connection_get_provider (self->connection);
}

GormConnection *
gorm_database_get_connection_locked (GormDatabase  *self,
                                     GError       **error)
{
  if (!gorm_connection_check_locked (self->connection, self->uri, error))
    return NULL;
  return self->connection;
}

GormConnection *
gorm_database_get_execution (GormDatabase *self)
{
  return self->connection;
}

GormMapper *
gorm_database_get_mapper_locked (GormDatabase  *self,
                                 GType          type,
                                 GError       **error)
{
  GormConnection *connection = gorm_database_get_connection_locked (self, error);
  const GormSchema *schema;
  GormMapper *mapper;

  if (connection == NULL)
    return NULL;
  mapper = g_hash_table_lookup (self->mappers, GSIZE_TO_POINTER (type));
  if (G_LIKELY (mapper != NULL && gorm_mapper_get_migrated (mapper)))
    return mapper;

  if (mapper == NULL)
    {
      schema = gorm_schema_lookup (type, error);
      if (schema == NULL)
        return NULL;
      mapper = gorm_mapper_new (schema, &self->host, self->dialect, connection);
      g_hash_table_insert (self->mappers, GSIZE_TO_POINTER (type), mapper);
    }
  if (!migrate_first_use_locked (self, mapper, error))
    return NULL;

  return mapper;
}

gboolean
gorm_database_use_types (GormDatabase  *self,
                         const GType   *types,
                         guint          n_types,
                         GError       **error)
{
  gboolean ok = TRUE;

  gorm_database_lock (self);
  for (guint i = 0; ok && i < n_types; i++)
    ok = gorm_database_get_mapper_locked (self, types[i], error) != NULL;
  gorm_database_unlock (self);
  return ok;
}

gpointer
gorm_database_begin_migrating (GormDatabase *self)
{
  gpointer previous = g_private_get (&migrating_database);

  g_private_set (&migrating_database, self);
  return previous;
}

void
gorm_database_end_migrating (gpointer previous)
{
  g_private_set (&migrating_database, previous);
}

void
gorm_database_set_trace_func (GormDatabase  *self,
                              GormTraceFunc  func,
                              gpointer       user_data)
{
  gorm_connection_lock (self->connection);
  gorm_connection_set_trace_locked (self->connection, func, user_data);
  gorm_connection_unlock (self->connection);
}

typedef struct
{
  GormDatabase *database;
  GormResource *resource;
  guint         signal;
  gboolean      created;
} Emission;

static void
emit_cb (gpointer data,
         gpointer unused)
{
  Emission *emission = data;

  if (emission->signal == SIGNAL_RESOURCE_SAVED)
    g_signal_emit (emission->database, signals[SIGNAL_RESOURCE_SAVED], 0,
                   emission->resource, emission->created);
  else
    g_signal_emit (emission->database, signals[emission->signal], 0, emission->resource);
}

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  g_object_unref (emission->database);
  g_object_unref (emission->resource);
  g_free (emission);
}

/* Emits in the database's main context: at once when the caller runs in
 * it, else in order with the other changes queued there. */
static void
emit_in_context (GormDatabase *self,
                 guint         signal,
                 GormResource *resource,
                 gboolean      created)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->database = g_object_ref (self);
  emission->resource = g_object_ref (resource);
  emission->signal = signal;
  emission->created = created;
  gorm_database_defer (self, emit_cb, emission, emission_free);
}

static void
emit_committed_cb (gpointer data,
                   gpointer unused)
{
  Emission *emission = data;

  emit_in_context (emission->database, emission->signal, emission->resource, emission->created);
}

/* Emits once the write is committed: never for a rolled-back one. */
static void
emit_committed_locked (GormDatabase *self,
                       guint         signal,
                       GormResource *resource,
                       gboolean      created)
{
  Emission *emission;

  /* Nothing is held until the COMMIT for no one: a transaction writing
   * many objects keeps none of them alive. */
  if (!g_signal_has_handler_pending (self, signals[signal], 0, TRUE))
    return;

  emission = g_new0 (Emission, 1);
  emission->database = g_object_ref (self);
  emission->resource = g_object_ref (resource);
  emission->signal = signal;
  emission->created = created;
  gorm_change_feed_on_commit_locked (self->feed, emit_committed_cb, emission, emission_free);
}

void
gorm_database_emit_saved (GormDatabase *self,
                          GormResource *resource,
                          gboolean      created)
{
  emit_committed_locked (self, SIGNAL_RESOURCE_SAVED, resource, created);
}

void
gorm_database_emit_deleted (GormDatabase *self,
                            GormResource *resource)
{
  emit_committed_locked (self, SIGNAL_RESOURCE_DELETED, resource, FALSE);
}

static void
gorm_database_finalize (GObject *object)
{
  GormDatabase *self = GORM_DATABASE (object);

  /* First: its thread publishes to the feed and reads the connection. */
  g_clear_pointer (&self->listener, gorm_listener_free);
  g_clear_pointer (&self->mappers, g_hash_table_unref);
  gorm_mapper_host_run_held_back (&self->host);
  g_clear_pointer (&self->worker, gorm_worker_free);
  g_clear_pointer (&self->identity, gorm_identity_map_free);
  g_clear_pointer (&self->feed, gorm_change_feed_free);
  /* Closes a connection libgorm opened, as its owner. */
  g_clear_pointer (&self->connection, gorm_connection_free);
  /* After the connection: the shared in-memory database outlives it. */
  g_clear_pointer (&self->shared_memory, gorm_shared_memory_unref);
  g_clear_pointer (&self->held_file, gorm_uri_release_file);
  g_clear_object (&self->given_connection);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->uri);

  G_OBJECT_CLASS (gorm_database_parent_class)->finalize (object);
}

static void
gorm_database_constructed (GObject *object)
{
  GormDatabase *self = GORM_DATABASE (object);

  G_OBJECT_CLASS (gorm_database_parent_class)->constructed (object);

  /* gorm_database_open() connects after construction. */
  if (self->given_connection == NULL)
    return;
  gorm_connection_lock (self->connection);
  gorm_connection_adopt_locked (self->connection, self->given_connection);
  gorm_connection_unlock (self->connection);
  self->dialect = gorm_connection_get_dialect (self->connection);
  if (self->uri == NULL)
    self->uri = gorm_connection_describe (self->connection);
}

static void
gorm_database_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GormDatabase *self = GORM_DATABASE (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;

    case PROP_CONNECTION:
      g_value_set_object (value, gorm_connection_get_gda (self->connection));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_database_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GormDatabase *self = GORM_DATABASE (object);

  switch (prop_id)
    {
    case PROP_URI:
      if (g_value_get_string (value) != NULL)
        self->uri = gorm_uri_redact (g_value_get_string (value));
      break;

    case PROP_CONNECTION:
      self->given_connection = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_database_class_init (GormDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gorm_database_constructed;
  object_class->finalize = gorm_database_finalize;
  object_class->get_property = gorm_database_get_property;
  object_class->set_property = gorm_database_set_property;

  /**
   * GormDatabase:uri:
   *
   * The URI the database was opened with, without any password.
   */
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GormDatabase:connection:
   *
   * The libgda connection the database runs its statements on.
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         gorm_connection_gda_type (),
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GormDatabase::resource-saved:
   * @self: the database
   * @resource: the resource that was saved
   * @created: %TRUE if its row was inserted, %FALSE if it was updated
   *
   * Emitted after a resource was saved in the database, in the main
   * context the database was opened in, once the save is committed: at
   * once outside a transaction, at the outermost commit for a save made
   * inside one (savepoints included), never for a save that was rolled
   * back.
   */
  signals[SIGNAL_RESOURCE_SAVED] =
    g_signal_new ("resource-saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, GORM_TYPE_RESOURCE, G_TYPE_BOOLEAN);

  /**
   * GormDatabase::resource-deleted:
   * @self: the database
   * @resource: the resource whose row was deleted
   *
   * Emitted after the row of a resource was deleted, in the main context
   * the database was opened in, once the deletion is committed, as
   * #GormDatabase::resource-saved is. The resource of a synchronous
   * deletion outside a transaction still has its id during the emission;
   * at a commit, the deleted resource is no longer saved.
   */
  signals[SIGNAL_RESOURCE_DELETED] =
    g_signal_new ("resource-deleted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GORM_TYPE_RESOURCE);
}

/* In the listener's thread: another connection committed. */
static void
listener_cb (const char *table,
             gpointer    data)
{
  GormDatabase *self = data;

  gorm_change_feed_publish_foreign (self->feed, table);
}

static void
gorm_database_init (GormDatabase *self)
{
  self->connection = gorm_connection_new ();
  self->mappers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) gorm_mapper_free);
  self->context = g_main_context_ref_thread_default ();
  self->thread = g_thread_self ();
  self->identity = gorm_identity_map_new ();
  self->feed = gorm_change_feed_new (self->context);
  self->worker = gorm_worker_new (self->context);
  self->listener = gorm_listener_new (self->connection, listener_cb, self);
  /* A call's completion never runs before the delivery of the changes
   * it committed: live models show them in its callback. */
  gorm_worker_set_yield_func (self->worker, (GormWorkerYieldFunc) gorm_change_feed_delivery_pending,
                              self->feed);
  self->host = (GormMapperHost) {
    .database = self,
    .identity = self->identity,
    .feed = self->feed,
    .connection = self->connection,
    .worker = self->worker,
    .context = self->context,
    .thread = self->thread,
  };
}

/* Opens the connection of a database made for a URI. */
static gboolean
connect_to_uri (GormDatabase  *self,
                const char    *uri,
                GError       **error)
{
  g_auto(GormUri) parsed = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autofree char *redacted = gorm_uri_redact (uri);
  gboolean ok;

  if (!gorm_uri_parse (uri, &parsed, error))
    return FALSE;

  gorm_connection_lock (self->connection);
  ok = gorm_connection_open_locked (self->connection, parsed.provider, parsed.cnc_string,
                                    parsed.auth_string, parsed.read_only, &local_error);
  gorm_connection_unlock (self->connection);
  self->dialect = gorm_connection_get_dialect (self->connection);
  self->shared_memory = g_steal_pointer (&parsed.shared);
  if (ok)
    self->held_file = gorm_uri_hold_file (parsed.path);
  if (!ok)
    {
      /* A damaged file says so; anything else is a connection error. */
      if (parsed.host != NULL)
        g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                     "Cannot open “%s”: cannot connect to the database “%s” on %s port %u%s%s%s: %s",
                     redacted, parsed.database, parsed.host, parsed.port,
                     parsed.user ? " as “" : "", parsed.user ? parsed.user : "",
                     parsed.user ? "”" : "", local_error->message);
      else
        g_set_error (error, GORM_ERROR,
                     local_error->code == GORM_ERROR_CORRUPT ? GORM_ERROR_CORRUPT : GORM_ERROR_CONNECTION,
                     "Cannot open “%s”: %s", redacted, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * gorm_database_open:
 * @uri: the URI of the database
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Opens the database at @uri:
 *
 * - `sqlite:PATH`, with PATH relative to the current directory or
 *   absolute: an SQLite file, created if missing;
 * - `sqlite:///ABSOLUTE/PATH`: the same, as a URI with an absolute path;
 * - `sqlite::memory:`: a new, empty database in memory, gone when closed;
 * - `sqlite:PATH?mode=ro`: an existing file, read-only: reading works and
 *   every write fails with %GORM_ERROR_READ_ONLY;
 * - `sqlite:PATH?mode=rw`: an existing file, not created if missing;
 *   `mode=rwc` is the default, which creates it;
 * - `sqlite::memory:?cache=shared`: one in-memory database shared by every
 *   open of this URI in the process, gone when the last one is closed;
 *   `sqlite:NAME?mode=memory&cache=shared` is the same, one per NAME.
 *
 * Any other query parameter, or a value not listed, is refused with
 * %GORM_ERROR_CONNECTION naming it; a parameter never becomes part of a
 * file name. A shared in-memory database lives in a file of a private
 * directory in `/dev/shm` (memory), as libgda gives SQLite a file name and
 * not an SQLite URI.
 *
 * An SQLite file is opened in WAL mode with `synchronous=NORMAL`, foreign
 * keys enforced and a 5 second busy timeout; a read-only one keeps its
 * journal mode and runs with `PRAGMA query_only`.
 *
 * A PostgreSQL database is opened through libgda's PostgreSQL provider:
 *
 * - `postgresql://USER:PASSWORD@HOST:PORT/DATABASE`, every part
 *   percent-encoded, the port 5432 when left out (`postgres://` is the
 *   same), with the query parameters `sslmode=prefer|require`,
 *   `connect_timeout=SECONDS` and `application_name=NAME`; any other is
 *   refused with %GORM_ERROR_CONNECTION;
 * - `postgresql:DB_NAME=…;HOST=…;PORT=…;USERNAME=…;PASSWORD=…`: libgda's
 *   connection string, its values RFC 1738 encoded, which also takes
 *   `CONNECT_TIMEOUT`, `REQUIRESSL` and `OPTIONS`.
 *
 * A wrong password, a server that cannot be reached or a missing database
 * is %GORM_ERROR_CONNECTION naming the host, port and database; the
 * password never appears in an error or in the database's #GormDatabase:uri.
 * See the "PostgreSQL" page of this documentation for what differs
 * between the engines.
 *
 * Returns: (transfer full): the database, or %NULL with @error set:
 *   %GORM_ERROR_CONNECTION when @uri is malformed or has a parameter
 *   libgorm does not honour, or when its file cannot be opened, with the
 *   reason (a missing directory or file, a path too long, permission
 *   denied); %GORM_ERROR_CORRUPT when the file is not a database or is
 *   damaged
 */
GormDatabase *
gorm_database_open (const char    *uri,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GormDatabase) self = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  self = g_object_new (GORM_TYPE_DATABASE, "uri", uri, NULL);
  if (!connect_to_uri (self, uri, error))
    return NULL;
  return g_steal_pointer (&self);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GormDatabase *self = task_data;
  GError *error = NULL;

  if (connect_to_uri (self, g_object_get_data (G_OBJECT (task), "gorm-uri"), &error))
    gorm_worker_return_pointer (self->worker, task, g_object_ref (self), g_object_unref);
  else
    gorm_worker_return_error (self->worker, task, error);
}

/**
 * gorm_database_open_async:
 * @uri: the URI of the database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the database is open
 * @user_data: data for @callback
 *
 * Opens the database at @uri, as gorm_database_open() does, on a worker
 * thread. The database's main context is the thread-default main context
 * of the caller, where @callback is called.
 */
void
gorm_database_open_async (const char          *uri,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GormDatabase) self = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  /* Made here, so that its main context is the caller's. */
  self = g_object_new (GORM_TYPE_DATABASE, "uri", uri, NULL);
  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, gorm_database_open_async);
  gorm_worker_set_cancellable (task, cancellable);
  g_task_set_task_data (task, g_object_ref (self), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "gorm-uri", g_strdup (uri), g_free);
  gorm_worker_run (self->worker, task, open_thread);
}

/**
 * gorm_database_open_finish:
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_open_async().
 *
 * Returns: (transfer full): the database, or %NULL with @error set
 */
GormDatabase *
gorm_database_open_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_database_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * gorm_database_new_for_connection:
 * @connection: an open libgda connection
 *
 * Wraps a connection the application opened itself. libgorm does not
 * change the connection's settings. If libgorm has no SQL dialect for
 * the connection's provider, every operation fails with
 * %GORM_ERROR_CONNECTION.
 *
 * Returns: (transfer full): a new database
 */
GormDatabase *
gorm_database_new_for_connection (GdaConnection *connection)
{
  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (connection, gorm_connection_gda_type ()), NULL);

  return g_object_new (GORM_TYPE_DATABASE, "connection", connection, NULL);
}

/**
 * gorm_database_get_connection:
 * @self: a database
 *
 * Gets the libgda connection of @self, for what libgorm does not do.
 * Running statements on it while @self is in use from another thread is
 * not safe.
 *
 * Returns: (transfer none): the connection
 */
GdaConnection *
gorm_database_get_connection (GormDatabase *self)
{
  g_return_val_if_fail (GORM_IS_DATABASE (self), NULL);

  return (GdaConnection *) gorm_connection_get_gda (self->connection);
}

/**
 * gorm_database_get_uri:
 * @self: a database
 *
 * Gets the URI @self was opened with, without any password.
 *
 * Returns: the URI
 */
const char *
gorm_database_get_uri (GormDatabase *self)
{
  g_return_val_if_fail (GORM_IS_DATABASE (self), NULL);

  return self->uri;
}

/**
 * gorm_database_get_default:
 *
 * Gets the default database: the one a resource uses when it was given
 * none.
 *
 * Returns: (transfer none) (nullable): the default database, or %NULL if
 *   none is set
 */
GormDatabase *
gorm_database_get_default (void)
{
  GormDatabase *database;

  g_mutex_lock (&default_lock);
  database = default_database;
  g_mutex_unlock (&default_lock);

  return database;
}

/**
 * gorm_database_set_default:
 * @database: (nullable): a database, or %NULL to unset the default
 *
 * Sets the default database, holding a reference to it until another one
 * is set, %NULL is set, or it is closed. Bindings, which see this
 * function as a method, unset the default with
 * gorm_database_clear_default().
 */
void
gorm_database_set_default (GormDatabase *database)
{
  g_autoptr(GormDatabase) old = NULL;

  g_return_if_fail (database == NULL || GORM_IS_DATABASE (database));

  g_mutex_lock (&default_lock);
  old = g_steal_pointer (&default_database);
  default_database = database ? g_object_ref (database) : NULL;
  g_mutex_unlock (&default_lock);
}

/**
 * gorm_database_clear_default:
 *
 * Unsets the default database, as gorm_database_set_default() with %NULL
 * does.
 */
void
gorm_database_clear_default (void)
{
  gorm_database_set_default (NULL);
}

/**
 * gorm_database_migrate:
 * @self: a database
 * @types: (array length=n_types): the #GormResource types to store
 * @n_types: the number of @types
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Creates the tables, constraints and indexes of @types, or evolves
 * existing tables towards them, keeping their data; running it again
 * changes nothing. All of it happens in one transaction: on failure,
 * nothing changed.
 *
 * It is a [class@Gorm.Migration] of version 0 made and run at once: no
 * steps, no column holding data dropped, and the schema version the
 * database records neither read nor written. What it changes, and what
 * it refuses with %GORM_ERROR_MIGRATION (naming the table, the column,
 * what the database has and what the type wants), is what
 * [method@Gorm.Migration.run] changes and refuses; use a migration to
 * declare versions and steps, read the plan first, or follow the
 * progress of a long table rebuild.
 *
 * What to change is read first: when nothing is to change, nothing is
 * written and no write lock is taken.
 *
 * A program need not call it: the first use of a type on @self (a save,
 * a get, a query, a live model, a bulk call, a link) migrates it as
 * gorm_database_ensure_migrated() does, and fails with what this
 * function would fail with, but for one check: this function also reads
 * every integer and real column of the tables it migrates, and refuses
 * one holding a value of another storage class (text another tool wrote
 * past libgorm's CHECK constraint), which the first use of a type whose
 * table it does not change leaves out, so that a program's first query
 * of a large table does not wait for a pass over it. Call it at start to
 * learn of a refused difference before anything else runs, or to
 * migrate every type at once; a [class@Gorm.Migration] declares
 * versions, steps, renames and drops.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_database_migrate (GormDatabase  *self,
                       const GType   *types,
                       guint          n_types,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GormMigration) migration = NULL;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (types != NULL || n_types == 0, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* An unversioned migration, with no steps and no drop allowed. */
  migration = gorm_migration_new (self, types, n_types);
  return gorm_migration_run (migration, cancellable, error);
}

typedef struct
{
  GType *types;
  guint  n_types;
} MigrateCall;

static void
migrate_call_free (MigrateCall *call)
{
  g_free (call->types);
  g_free (call);
}

static void
migrate_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  MigrateCall *call = task_data;
  GError *error = NULL;
  gboolean ok = gorm_database_migrate (source_object, call->types, call->n_types, cancellable, &error);

  gorm_task_return_boolean (task, ok, error);
}

/**
 * gorm_database_migrate_async:
 * @self: a database
 * @types: (array length=n_types): the #GormResource types to store
 * @n_types: the number of @types
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the migration is done
 * @user_data: data for @callback
 *
 * Runs gorm_database_migrate() on the database's worker thread.
 */
void
gorm_database_migrate_async (GormDatabase        *self,
                             const GType         *types,
                             guint                n_types,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MigrateCall *call;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (types != NULL || n_types == 0);

  call = g_new0 (MigrateCall, 1);
  call->types = g_memdup2 (types, sizeof (GType) * MAX (n_types, 1));
  call->n_types = n_types;
  task = gorm_database_new_task (self, self, cancellable, callback, user_data, gorm_database_migrate_async);
  g_task_set_task_data (task, call, (GDestroyNotify) migrate_call_free);
  gorm_database_run_task (self, task, migrate_thread);
}

/**
 * gorm_database_migrate_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_migrate_async().
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_database_migrate_finish (GormDatabase  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_database_migrate_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The version table: one row ('version', 'N') in `gorm_schema`, written
 * by a versioned migration in its transaction. */

gboolean
gorm_database_read_schema_version_locked (GormDatabase  *self,
                                          guint         *version,
                                          GError       **error)
{
  static const GType value_types[] = { G_TYPE_STRING, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  GormConnection *connection;
  GormStatement *statement;
  const GValue *value;
  const char *text;
  gboolean exists = FALSE;
  guint64 number = 0;

  *version = 0;
  connection = gorm_database_get_connection_locked (self, error);
  if (connection == NULL)
    return FALSE;

  /* Asked of the catalog first: a select of a missing table would abort
   * an open PostgreSQL transaction. */
  if (!table_exists_locked (self, G_TYPE_INVALID, GORM_SCHEMA_VERSION_TABLE, &exists, error))
    return FALSE;
  if (!exists)
    return TRUE;

  statement = gorm_connection_lookup_locked (connection, GORM_SCHEMA_VERSION_SELECT_SQL, error);
  if (statement == NULL)
    return FALSE;
  rows = gorm_connection_select_locked (connection, statement, value_types, error);
  if (rows == NULL)
    return FALSE;
  if (gorm_rows_get_n_rows (rows) == 0)
    return TRUE;
  value = gorm_rows_get_value (rows, 0, 0, error);
  if (value == NULL)
    return FALSE;
  text = G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : NULL;
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &number, NULL))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "The table “" GORM_SCHEMA_VERSION_TABLE "” of %s records the schema version “%s”, "
                   "which is not a version number", self->uri, text ? text : "NULL");
      return FALSE;
    }
  *version = (guint) number;
  return TRUE;
}

gboolean
gorm_database_write_schema_version_locked (GormDatabase  *self,
                                           guint          version,
                                           GError       **error)
{
  GormConnection *connection = gorm_database_get_connection_locked (self, error);
  GormStatement *statement;
  GValue value = G_VALUE_INIT;

  if (connection == NULL ||
      !gorm_connection_run_locked (connection, GORM_SCHEMA_VERSION_CREATE_SQL, error) ||
      !gorm_connection_run_locked (connection, GORM_SCHEMA_VERSION_DELETE_SQL, error))
    return FALSE;
  statement = gorm_connection_lookup_locked (connection, GORM_SCHEMA_VERSION_INSERT_SQL, error);
  if (statement == NULL)
    return FALSE;
  g_value_init (&value, G_TYPE_STRING);
  g_value_take_string (&value, g_strdup_printf ("%u", version));
  gorm_statement_take_param (statement, 0, &value);
  return gorm_connection_execute_locked (connection, statement, error) >= 0;
}

/**
 * gorm_database_get_schema_version:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Reads the schema version @self records: the version of the last
 * [class@Gorm.Migration] with a version that ran on it, kept in the table
 * `gorm_schema`. Reading it changes nothing.
 *
 * A database that records none (new, or only ever migrated with
 * [method@Gorm.Database.migrate] or an unversioned migration) is at
 * version 0. A `gorm_schema` table whose version is not a number fails
 * with %GORM_ERROR_MIGRATION.
 *
 * Returns: the version, or 0 with @error set on failure (0 without
 *   @error when none is recorded)
 *
 * Since: 1.0
 */
guint
gorm_database_get_schema_version (GormDatabase  *self,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  guint version = 0;

  g_return_val_if_fail (GORM_IS_DATABASE (self), 0);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return 0;

  gorm_database_lock (self);
  gorm_database_read_schema_version_locked (self, &version, error);
  gorm_database_unlock (self);

  return version;
}

static void
get_schema_version_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  GError *error = NULL;
  guint version = gorm_database_get_schema_version (source_object, cancellable, &error);

  gorm_task_return_int (task, version, error);
}

/**
 * gorm_database_get_schema_version_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the version is read
 * @user_data: data for @callback
 *
 * Runs gorm_database_get_schema_version() on the database's worker
 * thread.
 *
 * Since: 1.0
 */
void
gorm_database_get_schema_version_async (GormDatabase        *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = gorm_database_new_task (self, self, cancellable, callback, user_data,
                                 gorm_database_get_schema_version_async);
  gorm_database_run_task (self, task, get_schema_version_thread);
}

/**
 * gorm_database_get_schema_version_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_get_schema_version_async().
 *
 * Returns: the version, or 0 with @error set on failure (0 without
 *   @error when none is recorded)
 *
 * Since: 1.0
 */
guint
gorm_database_get_schema_version_finish (GormDatabase  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  gssize version;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gorm_database_get_schema_version_async, 0);

  version = g_task_propagate_int (G_TASK (result), error);

  return version < 0 ? 0 : (guint) version;
}

/* The copied SQL values of the row of @type whose key is @key. */
static GValue *
select_row_locked (GormDatabase  *self,
                   GType          type,
                   const GValue  *key,
                   GError       **error)
{
  g_autoptr(GormRows) model = NULL;
  const GormSchema *schema;
  GormMapper *mapper;

  mapper = gorm_database_get_mapper_locked (self, type, error);
  if (mapper == NULL)
    return NULL;
  model = gorm_mapper_select_by_key (mapper, key, error);
  if (model == NULL)
    return NULL;
  if (gorm_rows_get_n_rows (model) > 0)
    return gorm_mapper_copy_row (mapper, model, 0, error);

  schema = gorm_mapper_get_schema (mapper);
  {
    g_autofree char *shown = gorm_value_describe (key);

    g_set_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND,
                 "No %s has the %s %s", schema->type_name, schema->key->pspec->name, shown);
  }
  return NULL;
}

gpointer
gorm_database_resource_from_row (GormDatabase  *self,
                                 GType          type,
                                 GValue        *row,
                                 GError       **error)
{
  /* No lock: the main context must not wait here for a transaction
   * running on the worker. */
  const GormSchema *schema = gorm_schema_lookup (type, error);

  if (schema == NULL)
    {
      gorm_mapper_free_row (row);
      return NULL;
    }
  return gorm_mapper_resource_from_row (schema, &self->host, row, error);
}

static gpointer
get_by_sql_key (GormDatabase  *self,
                GType          type,
                const GValue  *key,
                GCancellable  *cancellable,
                GError       **error)
{
  GValue *row;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  gorm_database_lock (self);
  row = select_row_locked (self, type, key, error);
  gorm_database_unlock (self);

  return row ? gorm_database_resource_from_row (self, type, row, error) : NULL;
}

/* The SQL value of @key for the primary key of @type. */
static gboolean
key_to_sql (GType          type,
            const GValue  *key,
            GValue        *sql_value,
            GError       **error)
{
  const GormSchema *schema = gorm_schema_lookup (type, error);
  g_auto(GValue) property_value = G_VALUE_INIT;

  return schema != NULL &&
         gorm_value_coerce (schema->key->kind, schema->key->pspec, key, &property_value, error) &&
         gorm_value_to_sql (schema->key->kind, schema->key->pspec, &property_value, sql_value, error);
}

/**
 * gorm_database_get_by_key:
 * @self: a database
 * @type: a #GormResource type
 * @key: the value of the primary key: an id, or the natural key set with
 *   gorm_resource_class_set_primary_key()
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Loads the object of @type whose primary key is @key. @key may hold any
 * type that converts without loss to the key's property type.
 *
 * Returns: (transfer full) (type Gorm.Resource): the object, or %NULL
 *   with @error set: %GORM_ERROR_NOT_FOUND when no row has that key,
 *   %GORM_ERROR_TYPE_MISMATCH when @key does not fit the key
 */
gpointer
gorm_database_get_by_key (GormDatabase  *self,
                          GType          type,
                          const GValue  *key,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;

  g_return_val_if_fail (GORM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (G_IS_VALUE (key), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!key_to_sql (type, key, &sql_value, error))
    return NULL;
  return get_by_sql_key (self, type, &sql_value, cancellable, error);
}

/**
 * gorm_database_get:
 * @self: a database
 * @type: a #GormResource type
 * @id: the id of the object
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Loads the object of @type whose #GormResource:id is @id (or whose
 * integer natural key is @id).
 *
 * Returns: (transfer full) (type Gorm.Resource): the object, or %NULL
 *   with @error set: %GORM_ERROR_NOT_FOUND when no row has that id
 */
gpointer
gorm_database_get (GormDatabase  *self,
                   GType          type,
                   gint64         id,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_auto(GValue) key = G_VALUE_INIT;

  g_return_val_if_fail (GORM_IS_DATABASE (self), NULL);

  g_value_init (&key, G_TYPE_INT64);
  g_value_set_int64 (&key, id);
  return gorm_database_get_by_key (self, type, &key, cancellable, error);
}

typedef struct
{
  GType  type;
  GValue key;
} GetCall;

static void
get_call_free (GetCall *call)
{
  g_value_unset (&call->key);
  g_free (call);
}

/* A row read on the worker, made into its object in the main context. */
typedef struct
{
  GType   type;
  GValue *values;
  /* When it was read: an object alive in the main context takes its
   * values unless a later load or save reached it first. */
  guint64 stamp;
} Row;

static void
row_free (Row *row)
{
  if (row->values != NULL)
    gorm_mapper_free_row (row->values);
  g_free (row);
}

static void
get_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GormDatabase *self = source_object;
  GetCall *call = task_data;
  g_auto(GValue) sql_key = G_VALUE_INIT;
  GError *error = NULL;
  Row *row = g_new0 (Row, 1);

  row->type = call->type;
  if (key_to_sql (call->type, &call->key, &sql_key, &error))
    {
      gorm_database_lock (self);
      row->values = select_row_locked (self, call->type, &sql_key, &error);
      row->stamp = gorm_mapper_take_read_stamp ();
      gorm_database_unlock (self);
    }
  if (error != NULL)
    g_clear_pointer (&row, row_free);
  gorm_task_return_pointer (task, row, (GDestroyNotify) row_free, error);
}

/**
 * gorm_database_get_async:
 * @self: a database
 * @type: a #GormResource type
 * @id: the id of the object
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the object
 * @user_data: data for @callback
 *
 * Runs gorm_database_get() on the database's worker thread. The row is
 * read there; its object is made (or found, when it is alive) in the main
 * context by gorm_database_get_finish(), from the row as it was when the
 * call ran.
 */
void
gorm_database_get_async (GormDatabase        *self,
                         GType                type,
                         gint64               id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GetCall *call;

  g_return_if_fail (GORM_IS_DATABASE (self));

  call = g_new0 (GetCall, 1);
  call->type = type;
  g_value_init (&call->key, G_TYPE_INT64);
  g_value_set_int64 (&call->key, id);
  task = gorm_database_new_task (self, self, cancellable, callback, user_data, gorm_database_get_async);
  g_task_set_task_data (task, call, (GDestroyNotify) get_call_free);
  gorm_database_run_task (self, task, get_thread);
}

/**
 * gorm_database_get_by_key_async:
 * @self: a database
 * @type: a #GormResource type
 * @key: the value of the primary key, copied
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the object
 * @user_data: data for @callback
 *
 * Runs gorm_database_get_by_key() on the database's worker thread; the
 * object is made in the main context, as gorm_database_get_async() does.
 */
void
gorm_database_get_by_key_async (GormDatabase        *self,
                                GType                type,
                                const GValue        *key,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GetCall *call;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (G_IS_VALUE (key));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  call = g_new0 (GetCall, 1);
  call->type = type;
  g_value_init (&call->key, G_VALUE_TYPE (key));
  g_value_copy (key, &call->key);
  task = gorm_database_new_task (self, self, cancellable, callback, user_data,
                                 gorm_database_get_by_key_async);
  g_task_set_task_data (task, call, (GDestroyNotify) get_call_free);
  gorm_database_run_task (self, task, get_thread);
}

static gpointer
finish_get (GormDatabase  *self,
            GAsyncResult  *result,
            GError       **error)
{
  Row *row;
  gpointer resource;

  /* The object is made here, in the main context. */
  row = g_task_propagate_pointer (G_TASK (result), error);
  if (row == NULL)
    return NULL;
  gorm_mapper_push_read_stamp (row->stamp);
  resource = gorm_database_resource_from_row (self, row->type, g_steal_pointer (&row->values), error);
  gorm_mapper_pop_read_stamp ();
  row_free (row);
  return resource;
}

/**
 * gorm_database_get_by_key_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_get_by_key_async().
 *
 * Returns: (transfer full) (type Gorm.Resource): the object, or %NULL with
 *   @error set
 */
gpointer
gorm_database_get_by_key_finish (GormDatabase  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_database_get_by_key_async, NULL);

  return finish_get (self, result, error);
}

/**
 * gorm_database_get_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_get_async().
 *
 * Returns: (transfer full) (type Gorm.Resource): the object, or %NULL with
 *   @error set
 */
gpointer
gorm_database_get_finish (GormDatabase  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_database_get_async, NULL);

  return finish_get (self, result, error);
}

/**
 * gorm_database_begin:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Starts a transaction, or a savepoint inside the current one. Each call
 * is matched by gorm_database_commit() or gorm_database_rollback(); an
 * inner rollback undoes only what happened since its begin.
 *
 * The transaction belongs to the calling thread until it ends: calls made
 * on @self from other threads (and the worker running async calls) wait
 * for its end.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_database_begin (GormDatabase  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  gorm_database_lock (self);
  ok = gorm_database_begin_locked (self, error);
  gorm_database_unlock (self);

  return ok;
}

gboolean
gorm_database_begin_locked (GormDatabase  *self,
                            GError       **error)
{
  gboolean ok = gorm_connection_begin_locked (self->connection, self->uri, error);

  if (ok)
    gorm_change_feed_begin (self->feed);
  return ok;
}

/* The change feed follows the depth the engine answered: the records of a
 * committed level go to the enclosing one (to live models at the
 * outermost COMMIT), those of a rolled-back level are dropped, and when a
 * failed COMMIT, RELEASE or ROLLBACK ended the whole transaction, all of
 * them are. */
static void
transaction_ended_locked (GormDatabase *self,
                          guint         depth_before,
                          gboolean      ok,
                          gboolean      committing)
{
  guint depth = gorm_connection_get_depth (self->connection);

  if (depth_before == 0)
    return;
  /* A migration inside a rolled-back level, or inside a transaction a
   * failure ended, may be undone with it. */
  if ((!committing || !ok) && self->migrated_in_transaction)
    forget_migrated (self);
  if (depth == 0)
    self->migrated_in_transaction = FALSE;
  if (!ok || depth + 1 != depth_before)
    {
      if (depth == 0)
        gorm_change_feed_abandon (self->feed);
      return;
    }
  if (committing)
    gorm_change_feed_commit (self->feed);
  else
    gorm_change_feed_rollback (self->feed);
}

gboolean
gorm_database_commit_locked (GormDatabase  *self,
                             GError       **error)
{
  guint depth = gorm_connection_get_depth (self->connection);
  gboolean ok = gorm_connection_commit_locked (self->connection, self->uri, error);

  transaction_ended_locked (self, depth, ok, TRUE);
  return ok;
}

gboolean
gorm_database_rollback_locked (GormDatabase  *self,
                               GError       **error)
{
  guint depth = gorm_connection_get_depth (self->connection);
  gboolean ok = gorm_connection_rollback_locked (self->connection, self->uri, error);

  transaction_ended_locked (self, depth, ok, FALSE);
  return ok;
}

/**
 * gorm_database_commit:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable; cancelled before the commit,
 *   the transaction is rolled back
 * @error: return location for an error
 *
 * Commits the innermost transaction begun with gorm_database_begin(): the
 * transaction itself, or a savepoint, whose changes then belong to the
 * enclosing transaction.
 *
 * When the commit fails (the database is busy or full, a constraint
 * checked at commit fails), the whole transaction is rolled back,
 * savepoints and enclosing transaction included, and no transaction is
 * open any more: [method@Gorm.Database.get_transaction_depth] is 0.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_database_commit (GormDatabase  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A commit that is not made is a transaction left open: cancelled, it
   * rolls back instead, and says so. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      gorm_database_rollback (self, NULL, NULL);
      return FALSE;
    }

  gorm_database_lock (self);
  ok = gorm_database_commit_locked (self, error);
  gorm_database_unlock (self);

  return ok;
}

/**
 * gorm_database_rollback:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable, which cannot stop a rollback
 * @error: return location for an error
 *
 * Undoes the innermost transaction begun with gorm_database_begin(), and
 * gives the objects written inside it the state their rows have again:
 * an object inserted inside it is not saved any more (its id is 0 again,
 * and saving it inserts it), an object updated inside it keeps its values
 * and is dirty (saving it writes them), an object deleted inside it is
 * saved again, with its id. The same happens when a failed commit rolls
 * the transaction back.
 *
 * When the rollback of a savepoint fails, the whole transaction is
 * rolled back and none stays open.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_database_rollback (GormDatabase  *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A rollback runs even when cancelled: stopping it would leave the
   * transaction open. */

  gorm_database_lock (self);
  ok = gorm_database_rollback_locked (self, error);
  gorm_database_unlock (self);

  return ok;
}

/**
 * gorm_database_get_transaction_depth:
 * @self: a database
 *
 * Gets how many transactions and savepoints are open.
 *
 * Returns: 0 outside a transaction, 1 in a transaction, more in savepoints
 */
guint
gorm_database_get_transaction_depth (GormDatabase *self)
{
  g_return_val_if_fail (GORM_IS_DATABASE (self), 0);

  return gorm_connection_get_depth (self->connection);
}

/**
 * gorm_database_run_in_transaction:
 * @self: a database
 * @func: (scope call): the body of the transaction
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable: cancelled by the time @func
 *   returns, the transaction rolls back
 * @error: return location for an error
 *
 * Runs @func in a transaction (a savepoint when one is open already):
 * commits it when @func returns %TRUE and rolls it back when it returns
 * %FALSE, or when the commit fails.
 *
 * Returns: %TRUE if @func succeeded and the transaction committed, else
 *   %FALSE with @error set (to the error of @func, when it failed)
 */
gboolean
gorm_database_run_in_transaction (GormDatabase         *self,
                                  GormTransactionFunc   func,
                                  gpointer              user_data,
                                  GCancellable         *cancellable,
                                  GError              **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gorm_database_begin (self, cancellable, error))
    return FALSE;

  if (!func (self, user_data, &local_error) ||
      g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    {
      if (local_error == NULL)
        g_set_error (&local_error, GORM_ERROR, GORM_ERROR_FAILED,
                     "The transaction function failed without giving an error");
      gorm_database_rollback (self, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* A failed commit has rolled back already. */
  return gorm_database_commit (self, NULL, error);
}

typedef struct
{
  GormTransactionFunc func;
  gpointer            data;
  GDestroyNotify      destroy;
} TransactionCall;

static void
transaction_call_free (TransactionCall *call)
{
  if (call->destroy != NULL)
    call->destroy (call->data);
  g_free (call);
}

static void
transaction_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GormDatabase *self = source_object;
  TransactionCall *call = task_data;
  GError *error = NULL;
  gboolean ok;

  /* The transaction belongs to this thread until it ends: nothing of
   * another thread runs between its statements. A cancellation seen when
   * the function is done rolls everything back; a failed commit has
   * rolled back already. */
  ok = gorm_database_run_in_transaction (self, call->func, call->data, cancellable, &error);

  gorm_task_return_boolean (task, ok, error);
}

/**
 * gorm_database_run_in_transaction_async:
 * @self: a database
 * @func: (scope notified) (closure func_data) (destroy func_data_destroy): the body
 *   of the transaction
 * @func_data: data for @func
 * @func_data_destroy: (nullable): frees @func_data
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the transaction is committed or
 *   rolled back
 * @user_data: data for @callback
 *
 * Runs @func in a transaction on the database's worker thread, with the
 * database locked: no other statement runs until it is done. The
 * transaction commits when @func returns %TRUE and rolls back when it
 * fails, or when @cancellable is cancelled by the time it returns.
 *
 * @func may save, delete and load objects with the synchronous API. The
 * values it loads (with [method@Gorm.Database.get], [method@Gorm.Resource.reload]
 * or a query) are set on their objects at once, so that it reads back
 * what it loaded, even of an object the main thread holds: a
 * read-modify-write in @func is exact. Their notifications, and what
 * its saves change in objects (ids, timestamps), reach the main context
 * in order, before @callback is called; no value queued there earlier
 * overwrites them. Live query models are given the transaction's
 * changes once it committed, and nothing of one that rolled back.
 */
void
gorm_database_run_in_transaction_async (GormDatabase        *self,
                                        GormTransactionFunc  func,
                                        gpointer             func_data,
                                        GDestroyNotify       func_data_destroy,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TransactionCall *call;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (func != NULL);

  call = g_new0 (TransactionCall, 1);
  call->func = func;
  call->data = func_data;
  call->destroy = func_data_destroy;
  task = gorm_database_new_task (self, self, cancellable, callback, user_data,
                                 gorm_database_run_in_transaction_async);
  g_task_set_task_data (task, call, (GDestroyNotify) transaction_call_free);
  gorm_database_run_task (self, task, transaction_thread);
}

/**
 * gorm_database_run_in_transaction_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_run_in_transaction_async().
 *
 * Returns: %TRUE if the transaction committed, else %FALSE with @error
 *   set: the function's error, or %G_IO_ERROR_CANCELLED
 */
gboolean
gorm_database_run_in_transaction_finish (GormDatabase  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_database_run_in_transaction_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gorm_database_execute:
 * @self: a database
 * @sql: one SQL statement, with a `?` for each parameter
 * @params: (array length=n_params) (nullable): the parameters
 * @n_params: the number of @params
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs @sql, binding @params to its `?` placeholders in order (a `?`
 * inside a quoted string or a comment is not a placeholder). Parameters
 * are bound, never pasted into the SQL, and may hold any type a property
 * can have.
 *
 * @sql is meant to change the database: a statement that returns rows,
 * such as `PRAGMA journal_mode=delete` or a `SELECT`, runs and its rows
 * are dropped.
 *
 * Cancelling @cancellable while the statement runs on PostgreSQL cancels
 * it on the server too; the call then fails with %G_IO_ERROR_CANCELLED.
 *
 * Returns: the number of rows changed (0 for a statement that returns
 *   rows), or -1 with @error set
 */
/* How run_raw_locked() runs a statement. */
typedef enum
{
  RAW_EXECUTE,
  /* Rows whose column types are given (NULL: libgda's). */
  RAW_SELECT,
  /* Rows of the application's select (gorm_connection_select_raw_locked()). */
  RAW_SELECT_ROWS,
} RawRun;

/* Runs @rewritten (bound to @values, which it takes) with the lock held:
 * the rows of a select in @rows, the rows changed otherwise (-1 with
 * @error set on failure; a select gives 0). Cancelling asks the server to
 * stop the statement (PostgreSQL), which then fails with
 * G_IO_ERROR_CANCELLED. */
static gint64
run_raw_locked (GormDatabase  *self,
                const char    *rewritten,
                GValue        *values,
                guint          n_values,
                RawRun         run,
                const GType   *column_types,
                GCancellable  *cancellable,
                GormRows     **rows,
                GError       **error)
{
  GormConnection *connection = gorm_database_get_connection_locked (self, error);
  GormStatement *statement;
  GCancellable *previous;
  gint64 changed = 0;

  statement = connection ? gorm_connection_lookup_locked (connection, rewritten, error) : NULL;
  if (statement == NULL)
    return -1;
  gorm_statement_take_params (statement, values, n_values);
  previous = gorm_connection_swap_cancellable_locked (connection, cancellable);
  if (run == RAW_EXECUTE)
    changed = gorm_connection_execute_locked (connection, statement, error);
  else
    {
      *rows = run == RAW_SELECT_ROWS
                ? gorm_connection_select_raw_locked (connection, statement, error)
                : gorm_connection_select_locked (connection, statement, column_types, error);
      changed = *rows != NULL ? 0 : -1;
    }
  gorm_connection_swap_cancellable_locked (connection, previous);
  return changed;
}

/* @params as libgorm's SQL values (an array of @n_params, freed with
 * free_params()), and @sql with its `?` placeholders rewritten for them;
 * NULL with @error set when a value cannot be bound. */
static char *
bind_raw_params (const char    *sql,
                 const GValue  *params,
                 guint          n_params,
                 GValue       **values,
                 GError       **error)
{
  GValue *converted = g_new0 (GValue, MAX (n_params, 1));
  char *rewritten = NULL;

  for (guint i = 0; i < n_params; i++)
    {
      g_auto(GValue) imported = G_VALUE_INIT;
      const GValue *param = &params[i];

      /* The escape hatch takes libgda's binary types too. */
      if (gorm_connection_import_value (param, &imported))
        param = &imported;
      if (!gorm_value_from_user (param, &converted[i], error))
        goto out;
    }
  rewritten = gorm_dialect_rewrite_placeholders (sql, converted, n_params, error);

out:
  if (rewritten == NULL)
    {
      free_params (converted, n_params);
      converted = NULL;
    }
  *values = converted;
  return rewritten;
}

static void
free_params (GValue *values,
             guint   n_values)
{
  if (values == NULL)
    return;
  for (guint i = 0; i < n_values; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
  g_free (values);
}

gint64
gorm_database_execute (GormDatabase  *self,
                       const char    *sql,
                       const GValue  *params,
                       guint          n_params,
                       GCancellable  *cancellable,
                       GError       **error)
{
  GValue *values = NULL;
  g_autofree char *rewritten = NULL;
  gint64 rows = -1;

  g_return_val_if_fail (GORM_IS_DATABASE (self), -1);
  g_return_val_if_fail (sql != NULL, -1);
  g_return_val_if_fail (params != NULL || n_params == 0, -1);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  /* libgda tells a select from the first characters of the text. */
  while (g_ascii_isspace (*sql))
    sql++;

  rewritten = bind_raw_params (sql, params, n_params, &values, error);
  if (rewritten == NULL)
    return -1;

  gorm_database_lock (self);
  if (gorm_dialect_returns_rows (rewritten))
    {
      /* A PRAGMA that sets something also answers with a row, and
       * libgda runs only selects on statements that return rows. */
      g_autoptr(GormRows) result = NULL;

      run_raw_locked (self, rewritten, values, n_params, RAW_SELECT, NULL, cancellable, &result,
                      error);
      rows = result != NULL ? 0 : -1;
    }
  else
    rows = run_raw_locked (self, rewritten, values, n_params, RAW_EXECUTE, NULL, cancellable, NULL,
                           error);
  gorm_database_unlock (self);

  free_params (values, n_params);
  return rows;
}

/**
 * gorm_database_close:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable, which cannot stop a close
 * @error: return location for an error
 *
 * Closes @self, and its connection unless the application gave it with
 * gorm_database_new_for_connection(). A transaction left open is rolled
 * back, and reported as an error: the database is closed all the same.
 * Afterwards every operation fails with %GORM_ERROR_CONNECTION. If @self
 * is the default database, there is no default database any more.
 *
 * Returns: %TRUE on success, %FALSE with @error set when a transaction
 *   was left open
 */
gboolean
gorm_database_close (GormDatabase  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gorm_database_lock (self);
  ok = gorm_connection_close_locked (self->connection, self->uri, error);
  g_hash_table_remove_all (self->mappers);
  g_clear_pointer (&self->shared_memory, gorm_shared_memory_unref);
  g_clear_pointer (&self->held_file, gorm_uri_release_file);
  /* A transaction left open was rolled back. */
  gorm_change_feed_abandon (self->feed);
  gorm_database_unlock (self);
  /* Its connection to the server, for PostgreSQL, goes too. */
  gorm_listener_stop (self->listener);

  g_mutex_lock (&default_lock);
  if (default_database == self)
    g_clear_object (&default_database);
  g_mutex_unlock (&default_lock);

  return ok;
}

/* The async forms of begin, commit, rollback and close: one thread
 * function, told apart by the task's source tag. */
static void
control_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GormDatabase *self = source_object;
  gpointer tag = g_task_get_source_tag (task);
  GError *error = NULL;
  gboolean ok;

  if (tag == gorm_database_begin_async)
    {
      /* The transaction belongs to the thread that asked for it, whose
       * later calls run inside it. */
      gorm_database_lock (self);
      ok = gorm_connection_begin_for_locked (self->connection, self->uri, task_data, &error);
      if (ok)
        gorm_change_feed_begin_for (self->feed, task_data);
      gorm_database_unlock (self);
    }
  else if (tag == gorm_database_commit_async)
    ok = gorm_database_commit (self, cancellable, &error);
  else if (tag == gorm_database_rollback_async)
    ok = gorm_database_rollback (self, cancellable, &error);
  else
    ok = gorm_database_close (self, cancellable, &error);
  gorm_task_return_boolean (task, ok, error);
}

static void
run_control (GormDatabase        *self,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             tag)
{
  g_autoptr(GTask) task = NULL;

  task = gorm_database_new_task (self, self, cancellable, callback, user_data, tag);
  g_task_set_task_data (task, g_thread_self (), NULL);
  gorm_database_run_task (self, task, control_thread);
}

static gboolean
finish_control (GormDatabase  *self,
                GAsyncResult  *result,
                gpointer       tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gorm_database_begin_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the transaction is open
 * @user_data: data for @callback
 *
 * Starts a transaction, as gorm_database_begin() does, on the worker
 * thread, without blocking the caller while another connection holds the
 * database. The transaction belongs to the calling thread: its later
 * calls, sync or async, run inside it until it is committed or rolled
 * back.
 */
void
gorm_database_begin_async (GormDatabase        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  run_control (self, cancellable, callback, user_data, gorm_database_begin_async);
}

/**
 * gorm_database_begin_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_begin_async().
 *
 * Returns: %TRUE if the transaction is open, else %FALSE with @error set
 */
gboolean
gorm_database_begin_finish (GormDatabase  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_control (self, result, gorm_database_begin_async, error);
}

/**
 * gorm_database_commit_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the transaction is committed
 * @user_data: data for @callback
 *
 * Commits the innermost transaction, as gorm_database_commit() does.
 * Called from the thread that owns the transaction, it runs at once
 * inside it; its result comes through the main context.
 */
void
gorm_database_commit_async (GormDatabase        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  run_control (self, cancellable, callback, user_data, gorm_database_commit_async);
}

/**
 * gorm_database_commit_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_commit_async().
 *
 * Returns: %TRUE on success, else %FALSE with @error set, the whole
 *   transaction rolled back
 */
gboolean
gorm_database_commit_finish (GormDatabase  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish_control (self, result, gorm_database_commit_async, error);
}

/**
 * gorm_database_rollback_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable, which cannot stop a rollback
 * @callback: (scope async): called when the transaction is rolled back
 * @user_data: data for @callback
 *
 * Undoes the innermost transaction, as gorm_database_rollback() does.
 */
void
gorm_database_rollback_async (GormDatabase        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  /* Cancelling would leave the transaction open: the task never sees it. */
  run_control (self, NULL, callback, user_data, gorm_database_rollback_async);
}

/**
 * gorm_database_rollback_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_rollback_async().
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
gorm_database_rollback_finish (GormDatabase  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_control (self, result, gorm_database_rollback_async, error);
}

/**
 * gorm_database_close_async:
 * @self: a database
 * @cancellable: (nullable): a #GCancellable, which cannot stop a close
 * @callback: (scope async): called when the database is closed
 * @user_data: data for @callback
 *
 * Closes @self, as gorm_database_close() does, after the async calls
 * made before.
 */
void
gorm_database_close_async (GormDatabase        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  run_control (self, NULL, callback, user_data, gorm_database_close_async);
}

/**
 * gorm_database_close_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_close_async().
 *
 * Returns: %TRUE on success, %FALSE with @error set when a transaction
 *   was left open (the database is closed all the same)
 */
gboolean
gorm_database_close_finish (GormDatabase  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_control (self, result, gorm_database_close_async, error);
}

/* The SQL and parameters of an async raw call (execute, select,
 * select_resources; @type for the last), copied. */
typedef struct
{
  char   *sql;
  GType   type;
  GValue *params;
  guint   n_params;
} RawCall;

static void
raw_call_free (RawCall *call)
{
  free_params (call->params, call->n_params);
  g_free (call->sql);
  g_free (call);
}

static RawCall *
raw_call_new (const char   *sql,
                 GType         type,
                 const GValue *params,
                 guint         n_params)
{
  RawCall *call = g_new0 (RawCall, 1);

  call->sql = g_strdup (sql);
  call->type = type;
  call->params = g_new0 (GValue, MAX (n_params, 1));
  call->n_params = n_params;
  for (guint i = 0; i < n_params; i++)
    {
      g_value_init (&call->params[i], G_VALUE_TYPE (&params[i]));
      g_value_copy (&params[i], &call->params[i]);
    }
  return call;
}

static void
execute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RawCall *call = task_data;
  GError *error = NULL;
  gint64 rows = gorm_database_execute (source_object, call->sql, call->params, call->n_params,
                                       cancellable, &error);

  gorm_task_return_int (task, rows, error);
}

/**
 * gorm_database_execute_async:
 * @self: a database
 * @sql: one SQL statement, with a `?` for each parameter
 * @params: (array length=n_params) (nullable): the parameters, copied
 * @n_params: the number of @params
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the statement ran
 * @user_data: data for @callback
 *
 * Runs gorm_database_execute() on the database's worker thread.
 */
void
gorm_database_execute_async (GormDatabase        *self,
                             const char          *sql,
                             const GValue        *params,
                             guint                n_params,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (params != NULL || n_params == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = gorm_database_new_task (self, self, cancellable, callback, user_data,
                                 gorm_database_execute_async);
  g_task_set_task_data (task, raw_call_new (sql, G_TYPE_INVALID, params, n_params),
                        (GDestroyNotify) raw_call_free);
  gorm_database_run_task (self, task, execute_thread);
}

/**
 * gorm_database_execute_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_execute_async().
 *
 * Returns: the number of rows changed, or -1 with @error set
 */
gint64
gorm_database_execute_finish (GormDatabase  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_database_execute_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/* Raw selects */

/**
 * gorm_database_select:
 * @self: a database
 * @sql: one `SELECT` (or `WITH …`, `VALUES …`; on SQLite also `PRAGMA …`
 *   and `EXPLAIN …`, on PostgreSQL `SHOW …` and `EXPLAIN …`) statement, with
 *   a `?` for each parameter
 * @params: (array length=n_params) (nullable): the parameters
 * @n_params: the number of @params
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs @sql, binding @params to its `?` placeholders in order exactly as
 * [method@Gorm.Database.execute] does, and gives its rows. Identifiers in
 * @sql are the application's business; values are always bound.
 *
 * Each [class@Gorm.Row] has the columns of the result, named as the result
 * names them (`SELECT count(*) AS n` gives a column `n`), with values of
 * the engine's types: every integer a `gint64` (on SQLite too, beyond 32
 * bits), reals a `gdouble`, text a string, PostgreSQL's `numeric` a
 * `gint64` when it has no fractional digits and fits (a `sum()` of
 * `bigint`s) and a `gdouble` otherwise,
 * blobs #GBytes, PostgreSQL's booleans a `gboolean` and its timestamps a
 * #GDateTime, SQL `NULL` a %NULL value; PostgreSQL's other types (`date`,
 * `interval`, `uuid`, …) come as their text. SQLite stores date-times as
 * text: they come as text there.
 *
 * On SQLite, a column's type is its declared type, or that of its first
 * value that is not `NULL`: a column holding both integers and reals is
 * read as the first one's type. libgda reads the columns of SQLite
 * integers as 32-bit values: a result with a larger one runs again, asking
 * for 64-bit integers.
 *
 * ```c
 * GValue min_votes = G_VALUE_INIT;
 * g_autoptr(GListModel) rows = NULL;
 *
 * g_value_init (&min_votes, G_TYPE_INT64);
 * g_value_set_int64 (&min_votes, 10);
 * rows = gorm_database_select (db, "SELECT question_id, sum(votes) AS total FROM choice "
 *                                  "GROUP BY question_id HAVING sum(votes) >= ?",
 *                              &min_votes, 1, NULL, &error);
 * ```
 *
 * A statement that is not a `SELECT`, `WITH` or `VALUES` fails with
 * %GORM_ERROR_VALIDATION before it runs; use
 * [method@Gorm.Database.execute] for those. A statement the database
 * refuses fails with the error it gives (an unknown table is
 * %GORM_ERROR_FAILED with the engine's message).
 *
 * The model never changes once returned: rows written later are not in
 * it.
 *
 * Returns: (transfer full): a [iface@Gio.ListModel] of [class@Gorm.Row],
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GListModel *
gorm_database_select (GormDatabase  *self,
                      const char    *sql,
                      const GValue  *params,
                      guint          n_params,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *select = NULL;
  g_autofree char *rewritten = NULL;
  g_autoptr(GormRows) rows = NULL;
  g_autoptr(GormRowColumns) columns = NULL;
  g_autoptr(GPtrArray) items = NULL;
  GValue *values = NULL;
  guint n_rows, n_columns;
  const char **names;

  g_return_val_if_fail (GORM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  select = gorm_dialect_render_raw_select (self->dialect, sql, error);
  if (select == NULL)
    return NULL;
  rewritten = bind_raw_params (select, params, n_params, &values, error);
  if (rewritten == NULL)
    return NULL;

  gorm_database_lock (self);
  run_raw_locked (self, rewritten, values, n_params, RAW_SELECT_ROWS, NULL, cancellable, &rows, error);
  if (rows != NULL)
    {
      /* The values are copied out of libgda: the rows are read and the
       * objects made under the lock all the same, as rows are. */
      n_rows = gorm_rows_get_n_rows (rows);
      n_columns = gorm_rows_get_n_columns (rows);
      names = g_newa (const char *, n_columns + 1);
      for (guint c = 0; c < n_columns; c++)
        names[c] = gorm_rows_get_column_name (rows, c);
      columns = gorm_row_columns_new (n_columns, names);
      items = g_ptr_array_new_full (n_rows, g_object_unref);
      for (guint r = 0; r < n_rows && items != NULL; r++)
        {
          GValue *row_values = g_new0 (GValue, MAX (n_columns, 1));

          for (guint c = 0; c < n_columns; c++)
            {
              const GValue *value = gorm_rows_get_value (rows, c, r, error);

              if (value == NULL)
                {
                  g_clear_pointer (&items, g_ptr_array_unref);
                  break;
                }
              if (gorm_value_is_sql_null (value))
                continue;
              g_value_init (&row_values[c], G_VALUE_TYPE (value));
              g_value_copy (value, &row_values[c]);
            }
          /* The row takes the values, and frees them if it is dropped. */
          if (items != NULL)
            g_ptr_array_add (items, gorm_row_new_take (columns, row_values, NULL));
          else
            g_object_unref (gorm_row_new_take (columns, row_values, NULL));
        }
    }
  g_clear_pointer (&rows, gorm_rows_free);
  gorm_database_unlock (self);

  free_params (values, n_params);
  return items != NULL ? gorm_row_model_new (g_steal_pointer (&items)) : NULL;
}

static void
select_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RawCall *call = task_data;
  GError *error = NULL;
  GListModel *rows = gorm_database_select (source_object, call->sql, call->params,
                                           call->n_params, cancellable, &error);

  gorm_task_return_pointer (task, rows, g_object_unref, error);
}

/**
 * gorm_database_select_async:
 * @self: a database
 * @sql: one `SELECT` (or `WITH …`, `VALUES …`) statement, with a `?` for
 *   each parameter
 * @params: (array length=n_params) (nullable): the parameters, copied
 * @n_params: the number of @params
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the rows
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Database.select] on the database's worker thread.
 *
 * Since: 1.0
 */
void
gorm_database_select_async (GormDatabase        *self,
                            const char          *sql,
                            const GValue        *params,
                            guint                n_params,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (params != NULL || n_params == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = gorm_database_new_task (self, self, cancellable, callback, user_data,
                                 gorm_database_select_async);
  g_task_set_task_data (task, raw_call_new (sql, G_TYPE_INVALID, params, n_params),
                        (GDestroyNotify) raw_call_free);
  gorm_database_run_task (self, task, select_thread);
}

/**
 * gorm_database_select_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Database.select_async].
 *
 * Returns: (transfer full): a [iface@Gio.ListModel] of [class@Gorm.Row],
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GListModel *
gorm_database_select_finish (GormDatabase  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_database_select_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
free_row_if_set (GValue *row)
{
  if (row != NULL)
    gorm_mapper_free_row (row);
}

/* The rows read for select_resources: copied rows of the type's columns,
 * and when they were read. */
typedef struct
{
  GPtrArray *rows;
  guint64    stamp;
} ResourceRows;

static void
resource_rows_free (ResourceRows *read)
{
  g_clear_pointer (&read->rows, g_ptr_array_unref);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ResourceRows, resource_rows_free)

/* After a raw select of @schema's columns failed: GORM_ERROR_VALIDATION
 * naming the first column of @schema that @select does not give, found
 * from its columns; @error is left as it is when none is missing (or the
 * columns cannot be read). */
static void
explain_missing_column_locked (GormDatabase      *self,
                               const GormSchema  *schema,
                               const char        *sql,
                               const char        *select,
                               const GValue      *params,
                               guint              n_params,
                               GError           **error)
{
  g_autofree char *columns_sql = gorm_dialect_render_raw_columns (select);
  g_autofree char *rewritten = NULL;
  g_autoptr(GormRows) rows = NULL;
  GValue *values = NULL;

  rewritten = bind_raw_params (columns_sql, params, n_params, &values, NULL);
  if (rewritten != NULL)
    run_raw_locked (self, rewritten, values, n_params, RAW_SELECT_ROWS, NULL, NULL, &rows, NULL);
  free_params (values, n_params);
  if (rows == NULL)
    return;

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];
      gboolean found = FALSE;

      for (guint c = 0; c < gorm_rows_get_n_columns (rows) && !found; c++)
        found = g_ascii_strcasecmp (gorm_rows_get_column_name (rows, c), column->name) == 0;
      if (!found)
        {
          g_clear_error (error);
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "The rows of “%s” have no column “%s”, which %s's property “%s” is stored in",
                       sql, column->name, schema->type_name, column->pspec->name);
          return;
        }
    }
}

static ResourceRows *
select_resource_rows (GormDatabase  *self,
                      GType          type,
                      const char    *sql,
                      const GValue  *params,
                      guint          n_params,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *select = NULL;
  g_autofree char *wrapped = NULL;
  g_autofree char *rewritten = NULL;
  g_autoptr(GormRows) rows = NULL;
  g_autoptr(ResourceRows) read = NULL;
  const GormSchema *schema;
  GormMapper *mapper;
  GValue *values = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  schema = gorm_schema_lookup (type, error);
  if (schema == NULL)
    return NULL;
  select = gorm_dialect_render_raw_select (NULL, sql, error);
  if (select == NULL)
    return NULL;
  /* The type's columns, by name, out of the application's rows: a
   * subquery gives them in the order and the types the mapper reads. */
  wrapped = gorm_dialect_render_raw_resources (schema, select);
  rewritten = bind_raw_params (wrapped, params, n_params, &values, error);
  if (rewritten == NULL)
    return NULL;

  read = g_new0 (ResourceRows, 1);
  read->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) free_row_if_set);
  gorm_database_lock (self);
  mapper = gorm_database_get_mapper_locked (self, type, error);
  if (mapper != NULL)
    run_raw_locked (self, rewritten, values, n_params, RAW_SELECT, schema->sql_types, cancellable,
                    &rows, error);
  if (mapper != NULL && rows == NULL && error != NULL && *error != NULL &&
      !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    explain_missing_column_locked (self, schema, sql, select, params, n_params, error);
  for (guint r = 0; rows != NULL && r < gorm_rows_get_n_rows (rows); r++)
    {
      GValue *row = gorm_mapper_copy_row (mapper, rows, (gint) r, error);

      if (row == NULL)
        {
          g_clear_pointer (&rows, gorm_rows_free);
          break;
        }
      g_ptr_array_add (read->rows, row);
    }
  /* When the rows were read (see gorm_mapper_push_read_stamp()). */
  read->stamp = gorm_mapper_take_read_stamp ();
  gorm_database_unlock (self);

  free_params (values, n_params);
  return rows != NULL ? g_steal_pointer (&read) : NULL;
}

GPtrArray *
gorm_database_resources_from_rows (GormDatabase  *self,
                                   GType          type,
                                   GPtrArray     *rows,
                                   guint64        stamp,
                                   GError       **error)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new_full (rows->len, g_object_unref);

  gorm_mapper_push_read_stamp (stamp);
  for (guint i = 0; i < rows->len; i++)
    {
      /* The row is taken. */
      gpointer object = gorm_database_resource_from_row (self, type, g_steal_pointer (&rows->pdata[i]),
                                                         error);

      if (object == NULL)
        break;
      g_ptr_array_add (objects, object);
    }
  gorm_mapper_pop_read_stamp ();
  return objects->len == rows->len ? g_steal_pointer (&objects) : NULL;
}

/* The objects of @read's rows, which it takes, in the caller's thread. */
static GListModel *
resources_of_rows (GormDatabase  *self,
                   GType          type,
                   ResourceRows  *read,
                   GError       **error)
{
  g_autoptr(ResourceRows) owned = read;
  g_autoptr(GPtrArray) objects = gorm_database_resources_from_rows (self, type, read->rows,
                                                                     read->stamp, error);
  GListStore *store;

  if (objects == NULL)
    return NULL;
  store = g_list_store_new (type);
  g_list_store_splice (store, 0, 0, objects->pdata, objects->len);
  return G_LIST_MODEL (store);
}

/**
 * gorm_database_select_resources:
 * @self: a database
 * @type: a #GormResource type
 * @sql: one `SELECT` (or `WITH …`, `VALUES …`) statement, with a `?` for
 *   each parameter
 * @params: (array length=n_params) (nullable): the parameters
 * @n_params: the number of @params
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs @sql as [method@Gorm.Database.select] does and gives the objects
 * of @type its rows hold: the rows must have every column of @type, by
 * column name, in any order; other columns are ignored. An object whose
 * row is already loaded is that same object (the identity map), and takes
 * the row's values except where it has unsaved changes, as
 * [method@Gorm.Query.fetch] does.
 *
 * ```c
 * g_autoptr(GListModel) popular = NULL;
 *
 * popular = gorm_database_select_resources (db, POLLS_TYPE_QUESTION,
 *                                           "SELECT q.* FROM question q WHERE q.id IN "
 *                                           "(SELECT question_id FROM choice WHERE votes > 100)",
 *                                           NULL, 0, NULL, &error);
 * ```
 *
 * A row without one of @type's columns fails with %GORM_ERROR_VALIDATION
 * naming it; a statement that is not a `SELECT`, `WITH` or `VALUES` too.
 * Each column must be named once: the statement runs as a subquery
 * (`SELECT` the columns of @type `FROM (` @sql `)`), where a name given
 * twice is ambiguous.
 *
 * Returns: (transfer full): a [iface@Gio.ListModel] of @type, in the order
 *   of the rows, or %NULL with @error set
 *
 * Since: 1.0
 */
GListModel *
gorm_database_select_resources (GormDatabase  *self,
                                GType          type,
                                const char    *sql,
                                const GValue  *params,
                                guint          n_params,
                                GCancellable  *cancellable,
                                GError       **error)
{
  ResourceRows *read;

  g_return_val_if_fail (GORM_IS_DATABASE (self), NULL);
  g_return_val_if_fail (g_type_is_a (type, GORM_TYPE_RESOURCE), NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  read = select_resource_rows (self, type, sql, params, n_params, cancellable, error);
  return read != NULL ? resources_of_rows (self, type, read, error) : NULL;
}

static void
select_resources_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  RawCall *call = task_data;
  GError *error = NULL;
  ResourceRows *read = select_resource_rows (source_object, call->type, call->sql, call->params,
                                             call->n_params, cancellable, &error);

  gorm_task_return_pointer (task, read, (GDestroyNotify) resource_rows_free, error);
}

/**
 * gorm_database_select_resources_async:
 * @self: a database
 * @type: a #GormResource type
 * @sql: one `SELECT` (or `WITH …`, `VALUES …`) statement, with a `?` for
 *   each parameter
 * @params: (array length=n_params) (nullable): the parameters, copied
 * @n_params: the number of @params
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the objects
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Database.select_resources] on the database's worker
 * thread. The rows are read there; their objects are made (or found,
 * when they are alive) in the main context by
 * [method@Gorm.Database.select_resources_finish], from the rows as they
 * were when the call ran.
 *
 * Since: 1.0
 */
void
gorm_database_select_resources_async (GormDatabase        *self,
                                      GType                type,
                                      const char          *sql,
                                      const GValue        *params,
                                      guint                n_params,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (g_type_is_a (type, GORM_TYPE_RESOURCE));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (params != NULL || n_params == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = gorm_database_new_task (self, self, cancellable, callback, user_data,
                                 gorm_database_select_resources_async);
  g_task_set_task_data (task, raw_call_new (sql, type, params, n_params),
                        (GDestroyNotify) raw_call_free);
  gorm_database_run_task (self, task, select_resources_thread);
}

/**
 * gorm_database_select_resources_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Database.select_resources_async].
 *
 * Returns: (transfer full): a [iface@Gio.ListModel] of the type asked
 *   for, or %NULL with @error set
 *
 * Since: 1.0
 */
GListModel *
gorm_database_select_resources_finish (GormDatabase  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  ResourceRows *read;
  RawCall *call;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_database_select_resources_async,
                        NULL);

  call = g_task_get_task_data (G_TASK (result));
  read = g_task_propagate_pointer (G_TASK (result), error);
  return read != NULL ? resources_of_rows (self, call->type, read, error) : NULL;
}

/**
 * gorm_database_is_closed:
 * @self: a database
 *
 * Whether gorm_database_close() was called on @self.
 *
 * Returns: %TRUE if @self is closed
 */
gboolean
gorm_database_is_closed (GormDatabase *self)
{
  g_return_val_if_fail (GORM_IS_DATABASE (self), TRUE);

  return gorm_connection_is_closed (self->connection);
}

/* Migration tracking: the types gorm_database_migrate() migrated on a
 * database, as a set of GTypes in the object's data, under
 * migrated_lock (the worker migrates too). Any rollback forgets them all,
 * since a migration inside the transaction may be undone with it: the
 * next gorm_database_ensure_migrated() migrates again, which changes
 * nothing when the tables are there. */
static GMutex migrated_lock;

static GQuark migrated_quark (void);
G_DEFINE_QUARK (gorm-migrated, migrated)

void
gorm_database_note_migrated (GormDatabase *self,
                             const GType  *types,
                             guint         n_types)
{
  GHashTable *migrated;

  g_mutex_lock (&migrated_lock);
  migrated = g_object_get_qdata (G_OBJECT (self), migrated_quark ());
  if (migrated == NULL)
    {
      migrated = g_hash_table_new (NULL, NULL);
      g_object_set_qdata_full (G_OBJECT (self), migrated_quark (), migrated,
                               (GDestroyNotify) g_hash_table_unref);
    }
  for (guint i = 0; i < n_types; i++)
    g_hash_table_add (migrated, GSIZE_TO_POINTER (types[i]));
  g_mutex_unlock (&migrated_lock);
  if (gorm_connection_get_depth (self->connection) > 0)
    self->migrated_in_transaction = TRUE;
}

/* With the database's lock held (a transaction ended). */
static void
forget_migrated (GormDatabase *self)
{
  GHashTable *migrated;
  GHashTableIter iter;
  gpointer mapper;

  g_mutex_lock (&migrated_lock);
  migrated = g_object_get_qdata (G_OBJECT (self), migrated_quark ());
  if (migrated != NULL)
    g_hash_table_remove_all (migrated);
  g_mutex_unlock (&migrated_lock);

  g_hash_table_iter_init (&iter, self->mappers);
  while (g_hash_table_iter_next (&iter, NULL, &mapper))
    gorm_mapper_set_migrated (mapper, FALSE);
}

/* Migrates @type (with the types it refers to and its link tables) as
 * gorm_database_migrate() does, with the lock held: nothing is written
 * when nothing differs; otherwise in a transaction, or a savepoint of the
 * one open, which a rollback undoes (and forgets). What is stored in the
 * columns is scanned only when something is to change: every program
 * migrates at its first use, and would otherwise read every number
 * column of the table before its first query. */
static gboolean
migrate_type_locked (GormDatabase  *self,
                     GType          type,
                     GError       **error)
{
  GormMigratorRequest request = { &type, 1, NULL, TRUE };
  GormConnection *connection = gorm_database_get_connection_locked (self, error);
  g_autoptr(GPtrArray) changes = NULL;
  gboolean ok;

  changes = connection ? gorm_migrator_plan_locked (connection, &request, error) : NULL;
  if (changes == NULL)
    return FALSE;
  if (changes->len > 0)
    {
      if (!gorm_migrator_prepare_locked (connection, changes, error))
        return FALSE;
      ok = gorm_database_begin_locked (self, error);
      if (ok)
        {
          g_autoptr(GPtrArray) applied = NULL;

          /* Read again inside the transaction, with the scans of the
           * stored values: another program may have migrated meanwhile. */
          request.skip_value_scans = FALSE;
          applied = gorm_migrator_replan_and_apply_locked (connection, &request, changes,
                                                           NULL, NULL, NULL, error);

          ok = applied != NULL;
          /* A failed COMMIT has rolled everything back already. */
          if (ok)
            ok = gorm_database_commit_locked (self, error);
          else
            gorm_database_rollback_locked (self, NULL);
        }
      gorm_migrator_restore_locked (connection, changes);
      if (!ok)
        return FALSE;
    }
  gorm_database_note_migrated (self, &type, 1);
  return TRUE;
}

/* The first use of @mapper's type on @self since it was opened or since
 * the last rollback migrates it, unless gorm_database_migrate() (or
 * another first use) already did; the mapper remembers it, so that the
 * next uses cost a flag. Inside a GormMigration's steps, the tables are
 * used as they are. */
static gboolean
migrate_first_use_locked (GormDatabase  *self,
                          GormMapper    *mapper,
                          GError       **error)
{
  GType type = gorm_mapper_get_schema (mapper)->type;

  if (g_private_get (&migrating_database) == self)
    return TRUE;
  if (!gorm_database_is_migrated (self, type) && !migrate_type_locked (self, type, error))
    return FALSE;
  gorm_mapper_set_migrated (mapper, TRUE);
  return TRUE;
}

/**
 * gorm_database_is_migrated:
 * @self: a database
 * @type: a #GormResource type
 *
 * Tells whether gorm_database_migrate() (or
 * gorm_database_ensure_migrated()) migrated @type on @self since it was
 * opened and since the last rollback of a transaction inside which a
 * migration was made (which the rollback may undo): such a rollback
 * makes every type unmigrated again.
 *
 * Returns: %TRUE when @type was migrated on @self
 *
 * Since: 1.0
 */
gboolean
gorm_database_is_migrated (GormDatabase *self,
                           GType         type)
{
  GHashTable *migrated;
  gboolean found;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);

  g_mutex_lock (&migrated_lock);
  migrated = g_object_get_qdata (G_OBJECT (self), migrated_quark ());
  found = migrated != NULL && g_hash_table_contains (migrated, GSIZE_TO_POINTER (type));
  g_mutex_unlock (&migrated_lock);
  return found;
}

/* The types of @types that @self has not migrated, or NULL if none. */
static GArray *
unmigrated_types (GormDatabase *self,
                  const GType  *types,
                  guint         n_types)
{
  GArray *missing = NULL;

  for (guint i = 0; i < n_types; i++)
    if (!gorm_database_is_migrated (self, types[i]))
      {
        if (missing == NULL)
          missing = g_array_new (FALSE, FALSE, sizeof (GType));
        g_array_append_val (missing, types[i]);
      }
  return missing;
}

/**
 * gorm_database_ensure_migrated:
 * @self: a database
 * @types: (array length=n_types): #GormResource types
 * @n_types: the number of @types
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Migrates those of @types that @self has not migrated yet (see
 * gorm_database_is_migrated()), as gorm_database_migrate() does, and only
 * those: the first use of a type can call it every time, and it runs no
 * SQL once the types are migrated. Language bindings call it before a
 * model's first use, so that a program need not migrate explicitly.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_database_ensure_migrated (GormDatabase  *self,
                               const GType   *types,
                               guint          n_types,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GArray) missing = NULL;

  g_return_val_if_fail (GORM_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (types != NULL || n_types == 0, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  missing = unmigrated_types (self, types, n_types);
  if (missing == NULL)
    return TRUE;
  return gorm_database_migrate (self, (const GType *) missing->data, missing->len,
                                cancellable, error);
}

static void
ensure_migrated_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GArray *types = task_data;
  GError *error = NULL;
  gboolean ok = gorm_database_ensure_migrated (source_object, (const GType *) types->data,
                                               types->len, cancellable, &error);

  gorm_task_return_boolean (task, ok, error);
}

/**
 * gorm_database_ensure_migrated_async:
 * @self: a database
 * @types: (array length=n_types): #GormResource types
 * @n_types: the number of @types
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the types are migrated
 * @user_data: data for @callback
 *
 * Runs gorm_database_ensure_migrated() on the database's worker thread,
 * after the calls made before it.
 *
 * Since: 1.0
 */
void
gorm_database_ensure_migrated_async (GormDatabase        *self,
                                     const GType         *types,
                                     guint                n_types,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GArray *copy;

  g_return_if_fail (GORM_IS_DATABASE (self));
  g_return_if_fail (types != NULL || n_types == 0);

  copy = g_array_sized_new (FALSE, FALSE, sizeof (GType), n_types);
  g_array_append_vals (copy, types, n_types);
  task = gorm_database_new_task (self, self, cancellable, callback, user_data,
                                 gorm_database_ensure_migrated_async);
  g_task_set_task_data (task, copy, (GDestroyNotify) g_array_unref);
  gorm_database_run_task (self, task, ensure_migrated_thread);
}

/**
 * gorm_database_ensure_migrated_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes gorm_database_ensure_migrated_async().
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_database_ensure_migrated_finish (GormDatabase  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, gorm_database_ensure_migrated_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* on_delete in memory
 *
 * The database carries out the ON DELETE actions of its foreign keys;
 * what it does to rows is reflected on their live objects here. Before a
 * delete, the rows that refer to the rows deleted are read, relation by
 * relation (and again for the rows a CASCADE deletes in turn), only for a
 * type that other types refer to: PROTECT and RESTRICT refuse when one
 * exists, CASCADE and SET_NULL / SET_DEFAULT are announced to the live
 * models of the referencing type, and once the delete is committed the
 * live objects of cascaded rows are deleted (they leave their models and
 * #GormDatabase::resource-deleted is emitted for them) and the others take
 * their new key, without becoming dirty. A rollback drops it all.
 */

/* The keys of one type's rows an on_delete action changes. */
typedef struct
{
  const GormSchema *schema;
  /* SET_NULL and SET_DEFAULT: the key column and its new property value;
   * NULL for deleted rows. */
  const GormColumn *column;
  GValue            value;
  /* Rows linked to deleted ones through a many-to-many relation: their
   * links go with them. Nothing of them changes in memory, but a live
   * model that filters through the relation reads them again. */
  gboolean          touched;
  GArray           *keys;   /* of GValue, SQL values */
} OnDeleteEffect;

struct _GormOnDeletePlan
{
  GormDatabase *database;
  GPtrArray    *effects;   /* of OnDeleteEffect */
  gboolean      announced;
};

static void
on_delete_effect_free (OnDeleteEffect *effect)
{
  if (G_IS_VALUE (&effect->value))
    g_value_unset (&effect->value);
  g_array_unref (effect->keys);
  g_free (effect);
}

void
gorm_on_delete_plan_free (GormOnDeletePlan *plan)
{
  g_ptr_array_unref (plan->effects);
  g_free (plan);
}

static GArray *
new_key_array (void)
{
  GArray *keys = g_array_new (FALSE, TRUE, sizeof (GValue));

  g_array_set_clear_func (keys, (GDestroyNotify) g_value_unset);
  return keys;
}

static void
append_key (GArray       *keys,
            const GValue *key)
{
  GValue copy = G_VALUE_INIT;

  g_value_init (&copy, G_VALUE_TYPE (key));
  g_value_copy (key, &copy);
  g_array_append_val (keys, copy);
}

/* Parameters per statement: an IN list of this many keys, the last key
 * repeated to fill it, so that few statement texts are cached. */
#define REFERENCING_CHUNK 64

/* Appends to @referencing and @referenced the keys and key column values
 * of the rows of @schema whose @column holds one of @keys; with @link, a
 * many-to-many relation whose target is @schema's type, the keys of the
 * rows linked to one of @keys and the key each is linked to. */
static gboolean
read_referencing_locked (GormDatabase       *self,
                         const GormSchema   *schema,
                         const GormColumn   *column,
                         const GormRelation *link,
                         GArray             *keys,
                         GArray             *referencing,
                         GArray             *referenced,
                         GError            **error)
{
  GormConnection *connection = gorm_database_get_connection_locked (self, error);
  GType key_type;
  GType types[3];

  if (connection == NULL)
    return FALSE;
  key_type = G_VALUE_TYPE (&g_array_index (keys, GValue, 0));
  types[0] = gorm_value_kind_get_sql_type (schema->key->kind);
  types[1] = key_type;
  types[2] = G_TYPE_NONE;

  for (guint start = 0; start < keys->len; start += REFERENCING_CHUNK)
    {
      guint n = MIN (keys->len - start, REFERENCING_CHUNK);
      guint width = n == 1 ? 1 : n <= 8 ? 8 : REFERENCING_CHUNK;
      g_autofree char *sql = link != NULL
        ? gorm_dialect_render_linked (self->dialect, link, width, key_type)
        : gorm_dialect_render_referencing (self->dialect, schema, column, width, key_type);
      g_autoptr(GormRows) rows = NULL;
      GormStatement *statement = gorm_connection_lookup_locked (connection, sql, error);

      if (statement == NULL)
        return FALSE;
      for (guint i = 0; i < width; i++)
        {
          const GValue *key = &g_array_index (keys, GValue, start + MIN (i, n - 1));
          GValue param = G_VALUE_INIT;

          g_value_init (&param, G_VALUE_TYPE (key));
          g_value_copy (key, &param);
          gorm_statement_take_param (statement, i, &param);
        }
      rows = gorm_connection_select_locked (connection, statement, types, error);
      if (rows == NULL)
        return FALSE;
      for (guint row = 0; row < gorm_rows_get_n_rows (rows); row++)
        {
          const GValue *key = gorm_rows_get_value (rows, 0, row, error);
          const GValue *value = key ? gorm_rows_get_value (rows, 1, row, error) : NULL;

          if (value == NULL)
            return FALSE;
          append_key (referencing, key);
          append_key (referenced, value);
        }
    }

  return TRUE;
}

/* Whether the table @table_name of @type (G_TYPE_INVALID for a link
 * table) exists: a type declared with a foreign key here but never
 * migrated on this database has no rows to refer. */
static gboolean
table_exists_locked (GormDatabase      *self,
                     GType              type,
                     const char        *table_name,
                     gboolean          *exists,
                     GError           **error)
{
  static const GType types[] = {
    G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_NONE
  };
  GormConnection *connection;
  g_autoptr(GormRows) rows = NULL;
  GormStatement *statement;
  GValue table = G_VALUE_INIT;

  if (gorm_database_is_migrated (self, type))
    return *exists = TRUE;
  connection = gorm_database_get_connection_locked (self, error);
  statement = connection ? gorm_connection_lookup_locked (connection, self->dialect->catalog_columns_sql,
                                                         error) : NULL;
  if (statement == NULL)
    return FALSE;
  g_value_init (&table, G_TYPE_STRING);
  g_value_set_string (&table, table_name);
  gorm_statement_take_param (statement, 0, &table);
  rows = gorm_connection_select_locked (connection, statement, types, error);
  if (rows == NULL)
    return FALSE;
  *exists = gorm_rows_get_n_rows (rows) > 0;
  return TRUE;
}

static gboolean
key_in (GArray       *keys,
        const GValue *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (gorm_value_key_equal (&g_array_index (keys, GValue, i), key))
      return TRUE;
  return FALSE;
}

/* The effect deleting rows of @schema, or with @touched the one listing
 * the rows of @schema whose links a delete removes; NULL when none. */
static OnDeleteEffect *
find_deleted (GPtrArray        *effects,
              const GormSchema *schema,
              gboolean          touched)
{
  for (guint i = 0; i < effects->len; i++)
    {
      OnDeleteEffect *effect = g_ptr_array_index (effects, i);

      if (effect->schema == schema && effect->column == NULL && effect->touched == touched)
        return effect;
    }
  return NULL;
}

static void
refuse_delete (const GormSchema   *schema,
               const GormRelation *relation,
               const GormSchema   *referencing,
               GArray             *referenced,
               GError            **error)
{
  const GValue *first = &g_array_index (referenced, GValue, 0);
  const GormRelation *forward = gorm_schema_relation_for_column (referencing, relation->column);
  g_autofree char *shown = gorm_value_describe (first);
  guint count = 0;

  for (guint i = 0; i < referenced->len; i++)
    if (gorm_value_key_equal (&g_array_index (referenced, GValue, i), first))
      count++;
  g_set_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT,
               "Cannot delete %s %s: %u %s row%s refer%s to it through %s (%s)",
               schema->type_name, shown, count, referencing->type_name, count == 1 ? "" : "s",
               count == 1 ? "s" : "", forward ? forward->name : relation->column->name,
               gorm_relation_on_delete_name (relation->on_delete));
}

/* The rows of the other side of the many-to-many @relation linked to the
 * first @walked keys of @deleted, whose links the delete removes (the
 * link table's ON DELETE CASCADE): added to @effects as touched. */
static gboolean
plan_unlinked_locked (GormDatabase        *self,
                      OnDeleteEffect      *deleted,
                      guint                walked,
                      const GormRelation  *relation,
                      GPtrArray           *effects,
                      GError             **error)
{
  const GormSchema *target = gorm_schema_lookup (relation->target_type, error);
  g_autoptr(GArray) walking = NULL;
  g_autoptr(GArray) linked = NULL;
  g_autoptr(GArray) sources = NULL;
  OnDeleteEffect *effect;
  gboolean exists = FALSE;

  if (target == NULL)
    return FALSE;
  /* No one can watch rows of a type without a table, or links without a
   * link table. */
  if (!gorm_database_has_watchers_locked (self, target->type))
    return TRUE;
  if (gorm_database_is_migrated (self, relation->source_type) &&
      gorm_database_is_migrated (self, relation->target_type))
    exists = TRUE;
  else if (!table_exists_locked (self, G_TYPE_INVALID, relation->link_table, &exists, error))
    return FALSE;
  if (!exists)
    return TRUE;

  walking = new_key_array ();
  for (guint i = 0; i < walked; i++)
    append_key (walking, &g_array_index (deleted->keys, GValue, i));
  linked = new_key_array ();
  sources = new_key_array ();
  if (!read_referencing_locked (self, target, NULL, relation, walking, linked, sources, error))
    return FALSE;
  if (linked->len == 0)
    return TRUE;

  effect = find_deleted (effects, target, TRUE);
  if (effect == NULL)
    {
      effect = g_new0 (OnDeleteEffect, 1);
      effect->schema = target;
      effect->touched = TRUE;
      effect->keys = new_key_array ();
      g_ptr_array_add (effects, effect);
    }
  for (guint i = 0; i < linked->len; i++)
    if (!key_in (effect->keys, &g_array_index (linked, GValue, i)))
      append_key (effect->keys, &g_array_index (linked, GValue, i));
  return TRUE;
}

GormOnDeletePlan *
gorm_database_plan_on_delete_locked (GormDatabase      *self,
                                     const GormSchema  *schema,
                                     const GValue      *keys,
                                     guint              n_keys,
                                     GError           **error)
{
  g_autoptr(GPtrArray) effects = NULL;
  GormOnDeletePlan *plan;
  OnDeleteEffect *root;

  if (n_keys == 0 || !gorm_schema_has_dependents (schema))
    return NULL;

  effects = g_ptr_array_new_with_free_func ((GDestroyNotify) on_delete_effect_free);
  /* The rows deleted themselves come first: the walk follows them. */
  root = g_new0 (OnDeleteEffect, 1);
  root->schema = schema;
  root->keys = new_key_array ();
  for (guint i = 0; i < n_keys; i++)
    append_key (root->keys, &keys[i]);
  g_ptr_array_add (effects, root);

  for (guint e = 0; e < effects->len; e++)
    {
      OnDeleteEffect *deleted = g_ptr_array_index (effects, e);
      const GormRelation * const *relations;
      guint walked;

      if (deleted->column != NULL || deleted->touched || deleted->keys->len == 0 ||
          !gorm_schema_has_dependents (deleted->schema))
        continue;
      /* Only the keys not walked yet: a CASCADE may reach a type twice. */
      walked = deleted->keys->len;
      relations = gorm_schema_get_relations (deleted->schema, NULL);
      for (guint r = 0; relations[r] != NULL; r++)
        {
          const GormRelation *relation = relations[r];
          const GormSchema *referencing;
          g_autoptr(GArray) found = NULL;
          g_autoptr(GArray) referenced = NULL;
          OnDeleteEffect *effect;

          if (relation->kind == GORM_RELATION_MANY_TO_MANY)
            {
              if (!plan_unlinked_locked (self, deleted, walked, relation, effects, error))
                return NULL;
              continue;
            }
          if (relation->kind != GORM_RELATION_REVERSE ||
              relation->on_delete == GORM_ON_DELETE_DO_NOTHING)
            continue;
          gboolean exists = FALSE;

          referencing = gorm_schema_lookup (relation->target_type, error);
          if (referencing == NULL ||
              !table_exists_locked (self, referencing->type, referencing->table, &exists, error))
            return NULL;
          if (!exists)
            continue;
          found = new_key_array ();
          referenced = new_key_array ();
          {
            g_autoptr(GArray) walking = new_key_array ();

            for (guint i = 0; i < walked; i++)
              append_key (walking, &g_array_index (deleted->keys, GValue, i));
            if (!read_referencing_locked (self, referencing, relation->column, NULL, walking,
                                          found, referenced, error))
              return NULL;
          }
          if (found->len == 0)
            continue;

          switch (relation->on_delete)
            {
            case GORM_ON_DELETE_PROTECT:
            case GORM_ON_DELETE_RESTRICT:
              {
                /* A row deleted by this very delete does not protect. */
                OnDeleteEffect *also = find_deleted (effects, referencing, FALSE);
                gboolean all_deleted = also != NULL;

                for (guint i = 0; all_deleted && i < found->len; i++)
                  all_deleted = key_in (also->keys, &g_array_index (found, GValue, i));
                if (all_deleted && relation->on_delete == GORM_ON_DELETE_RESTRICT)
                  break;
                refuse_delete (deleted->schema, relation, referencing, referenced, error);
                return NULL;
              }

            case GORM_ON_DELETE_CASCADE:
              effect = find_deleted (effects, referencing, FALSE);
              if (effect == NULL)
                {
                  effect = g_new0 (OnDeleteEffect, 1);
                  effect->schema = referencing;
                  effect->keys = new_key_array ();
                  g_ptr_array_add (effects, effect);
                }
              for (guint i = 0; i < found->len; i++)
                if (!key_in (effect->keys, &g_array_index (found, GValue, i)))
                  append_key (effect->keys, &g_array_index (found, GValue, i));
              break;

            case GORM_ON_DELETE_SET_NULL:
            case GORM_ON_DELETE_SET_DEFAULT:
              effect = g_new0 (OnDeleteEffect, 1);
              effect->schema = referencing;
              effect->column = relation->column;
              /* The default of the property; or its NULL: the NULL mark of
               * a number key, an unset value of a pointer type. */
              if (relation->on_delete == GORM_ON_DELETE_SET_NULL &&
                  gorm_column_marks_null (relation->column))
                g_value_init (&effect->value, GORM_TYPE_SQL_NULL);
              else
                g_value_init (&effect->value, relation->column->pspec->value_type);
              if (relation->on_delete == GORM_ON_DELETE_SET_DEFAULT)
                g_param_value_set_default (relation->column->pspec, &effect->value);
              effect->keys = g_steal_pointer (&found);
              g_ptr_array_add (effects, effect);
              break;

            case GORM_ON_DELETE_DO_NOTHING:
            default:
              break;
            }
        }
      /* Keys a later relation added to this type are walked by a later
       * entry of the same type. */
      if (deleted->keys->len > walked)
        {
          OnDeleteEffect *rest = g_new0 (OnDeleteEffect, 1);

          rest->schema = deleted->schema;
          rest->keys = new_key_array ();
          for (guint i = walked; i < deleted->keys->len; i++)
            append_key (rest->keys, &g_array_index (deleted->keys, GValue, i));
          g_array_set_size (deleted->keys, walked);
          g_ptr_array_add (effects, rest);
        }
    }

  /* The first entry is the caller's own delete, which it announces. */
  g_ptr_array_remove_index (effects, 0);
  if (effects->len == 0)
    return NULL;

  plan = g_new0 (GormOnDeletePlan, 1);
  plan->database = self;
  plan->effects = g_steal_pointer (&effects);
  for (guint i = 0; i < plan->effects->len; i++)
    {
      OnDeleteEffect *effect = g_ptr_array_index (plan->effects, i);

      if (gorm_database_has_watchers_locked (self, effect->schema->type))
        gorm_database_begin_change_locked (self, effect->schema->type,
                                           (const GValue *) effect->keys->data, effect->keys->len);
    }
  plan->announced = TRUE;
  return plan;
}

static void
on_delete_mark_deleted_cb (gpointer data,
                           gpointer unused)
{
  gorm_resource_mark_deleted (data);
}

/* Once committed: the live objects take what the database did. */
static void
on_delete_done_cb (gpointer data,
                   gpointer unused)
{
  GormOnDeletePlan *plan = data;

  for (guint i = 0; i < plan->effects->len; i++)
    {
      OnDeleteEffect *effect = g_ptr_array_index (plan->effects, i);

      if (effect->touched)
        continue;
      for (guint k = 0; k < effect->keys->len; k++)
        {
          const GValue *key = &g_array_index (effect->keys, GValue, k);
          g_autoptr(GormResource) resource = gorm_database_lookup_live_locked (plan->database,
                                                                             effect->schema->type,
                                                                             key);

          if (resource == NULL)
            continue;
          if (effect->column != NULL)
            {
              gorm_resource_set_stored (resource, effect->column, &effect->value);
              continue;
            }
          gorm_database_remove_live (plan->database, resource, key);
          gorm_database_emit_deleted (plan->database, resource);
          gorm_database_defer (plan->database, on_delete_mark_deleted_cb,
                               g_object_ref (resource), g_object_unref);
        }
    }
}

void
gorm_database_finish_on_delete_locked (GormDatabase     *self,
                                       GormOnDeletePlan *plan,
                                       gboolean          deleted)
{
  if (plan == NULL)
    return;
  for (guint i = 0; i < plan->effects->len; i++)
    {
      OnDeleteEffect *effect = g_ptr_array_index (plan->effects, i);

      if (gorm_database_has_watchers_locked (self, effect->schema->type))
        gorm_database_end_change_locked (self, effect->schema->type,
                                         (const GValue *) effect->keys->data, effect->keys->len,
                                         deleted && effect->column == NULL && !effect->touched);
    }
  if (!deleted)
    {
      gorm_on_delete_plan_free (plan);
      return;
    }
  gorm_change_feed_on_commit_locked (self->feed, on_delete_done_cb, plan,
                                     (GDestroyNotify) gorm_on_delete_plan_free);
}
