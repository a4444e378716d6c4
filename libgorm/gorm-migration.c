/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-database-private.h"
#include "gorm-enums.h"
#include "gorm-error.h"
#include "gorm-migration.h"
#include "gorm-migrator-private.h"

/**
 * GormMigration:
 *
 * Brings a database's tables to what a set of [class@Gorm.Resource]
 * types declare, and its schema version to the application's, in one
 * transaction: on any failure nothing changed.
 *
 * A migration is made for one database and the types the application
 * stores ([ctor@Gorm.Migration.new]). [method@Gorm.Migration.plan] lists
 * what it would do without doing it; [method@Gorm.Migration.run] does it.
 *
 * ## Versions
 *
 * The application may declare its schema version with
 * [method@Gorm.Migration.set_version]. The database records the version
 * of the last versioned migration that ran on it in a table
 * `gorm_schema`, read with [method@Gorm.Database.get_schema_version]. A
 * database whose version is newer than the application's is refused with
 * %GORM_ERROR_MIGRATION and left untouched: an older application must not
 * write data in a shape it does not know. A migration of version 0 (the
 * default) neither reads nor writes `gorm_schema`.
 *
 * ## Steps
 *
 * The application's own data changes are steps
 * ([method@Gorm.Migration.add_step]): each belongs to a version and runs
 * when the database's version is below it and the migration's version is
 * at least it. So a database at version 1 migrated by an application at
 * version 3 runs the steps of versions 2 and 3; a new database (version
 * 0) runs them all, which a step may tell by finding its tables empty or
 * missing. Steps run in version order (in the order they were added for
 * one version): every step of stage %GORM_MIGRATION_STAGE_BEFORE_CHANGES
 * before the automatic changes of the tables, every step of stage
 * %GORM_MIGRATION_STAGE_AFTER_CHANGES after them, all inside the
 * migration's transaction. A step uses the ordinary API on the database
 * (queries, saves, raw SQL); returning %FALSE rolls everything back.
 *
 * ## Progress
 *
 * A migration that rebuilds or converts a large table copies it in
 * chunks and reports its progress: the [property@Gorm.Migration:fraction]
 * property, which a `GtkProgressBar`'s fraction can be bound to, and the
 * [signal@Gorm.Migration::progress] signal. Both are emitted in the main
 * context that was the thread-default one when the migration was made, at
 * most about 60 times a second, and a last time at 1.0 when a run
 * succeeds. [method@Gorm.Migration.run_async] runs on the database's
 * worker thread, so the main loop stays responsive during a rebuild.
 *
 * Since: 1.0
 */

/* At most one emission of the progress per frame of a 60 Hz display. */
#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 60)

typedef struct
{
  guint                  version;
  GormMigrationStage     stage;
  guint                  order;
  GormMigrationStepFunc  func;
  gpointer               user_data;
  GDestroyNotify         destroy;
} Step;

struct _GormMigration
{
  GObject       parent_instance;

  GormDatabase *database;
  GArray       *types;
  guint         version;
  GPtrArray    *steps;
  GHashTable   *allowed_drops;
  GMainContext *context;
  GThread      *thread;

  /* What the progress shows, read and written under progress_lock: the
   * emissions happen in @context, the reports come from the thread that
   * runs the migration. */
  GMutex        progress_lock;
  gdouble       fraction;
  GormMigrationChange *pending_change;
  gdouble       pending_fraction;
  gboolean      has_pending;
  GSource      *source;
  gint64        last_emission;
};

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_VERSION,
  PROP_FRACTION,
  N_PROPS,
};

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (GormMigration, gorm_migration, G_TYPE_OBJECT)

static void
step_free (Step *step)
{
  if (step->destroy != NULL)
    step->destroy (step->user_data);
  g_free (step);
}

static void
gorm_migration_finalize (GObject *object)
{
  GormMigration *self = GORM_MIGRATION (object);

  g_clear_object (&self->database);
  g_clear_pointer (&self->types, g_array_unref);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->allowed_drops, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->pending_change);
  /* A queued emission holds a reference: none is left here. */
  g_mutex_clear (&self->progress_lock);

  G_OBJECT_CLASS (gorm_migration_parent_class)->finalize (object);
}

static void
gorm_migration_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GormMigration *self = GORM_MIGRATION (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_VERSION:
      g_value_set_uint (value, self->version);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, gorm_migration_get_fraction (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_migration_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GormMigration *self = GORM_MIGRATION (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;
    case PROP_VERSION:
      gorm_migration_set_version (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_migration_class_init (GormMigrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gorm_migration_finalize;
  object_class->get_property = gorm_migration_get_property;
  object_class->set_property = gorm_migration_set_property;

  /**
   * GormMigration:database:
   *
   * The database the migration changes.
   *
   * Since: 1.0
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, GORM_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigration:version:
   *
   * The application's schema version; 0, the default, for an unversioned
   * migration, which neither reads nor writes the version the database
   * records.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION] =
    g_param_spec_uint ("version", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GormMigration:fraction:
   *
   * How much of the running migration is done, from 0 to 1: what a
   * `GtkProgressBar`'s fraction can be bound to. Notified in the main
   * context the migration was made in, at most about 60 times a second,
   * and a last time at 1.0 when a run succeeds.
   *
   * Since: 1.0
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GormMigration::progress:
   * @self: the migration
   * @change: (nullable): the item of the plan being applied (the table
   *   being copied, the step that ran); %NULL only when the migration had
   *   nothing to do
   * @fraction: how much of the migration is done, from 0 to 1
   *
   * Emitted as a run progresses, in the main context the migration was
   * made in: after each chunk of a table copy, after each step, at most
   * about 60 times a second, and a last time with @fraction 1.0 when the
   * run succeeds. [property@Gorm.Migration:fraction] is set before.
   *
   * Since: 1.0
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2,
                  GORM_TYPE_MIGRATION_CHANGE, G_TYPE_DOUBLE);
}

static void
gorm_migration_init (GormMigration *self)
{
  self->types = g_array_new (FALSE, FALSE, sizeof (GType));
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  self->context = g_main_context_ref_thread_default ();
  self->thread = g_thread_self ();
  g_mutex_init (&self->progress_lock);
}

/**
 * gorm_migration_new:
 * @database: the database to migrate
 * @types: (array length=n_types): the [class@Gorm.Resource] types the
 *   application stores
 * @n_types: the number of @types
 *
 * Makes a migration that brings the tables of @database to what @types
 * declare (and the tables they refer to). It changes nothing until
 * [method@Gorm.Migration.run].
 *
 * Its progress is emitted in the calling thread's thread-default main
 * context.
 *
 * Returns: (transfer full): a new migration
 *
 * Since: 1.0
 */
GormMigration *
gorm_migration_new (GormDatabase *database,
                    const GType  *types,
                    guint         n_types)
{
  GormMigration *self;

  g_return_val_if_fail (GORM_IS_DATABASE (database), NULL);
  g_return_val_if_fail (types != NULL || n_types == 0, NULL);

  self = g_object_new (GORM_TYPE_MIGRATION, "database", database, NULL);
  g_array_append_vals (self->types, types, n_types);
  return self;
}

/**
 * gorm_migration_set_version:
 * @self: a migration
 * @version: the application's schema version, or 0 for none
 *
 * Sets the schema version of the application: a run records it in the
 * database, after running the steps of the versions the database had not
 * reached. A database at a newer version is refused.
 *
 * Since: 1.0
 */
void
gorm_migration_set_version (GormMigration *self,
                            guint          version)
{
  g_return_if_fail (GORM_IS_MIGRATION (self));

  if (self->version == version)
    return;
  self->version = version;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
}

/**
 * gorm_migration_get_version:
 * @self: a migration
 *
 * Gets the schema version of the application (0 for none).
 *
 * Returns: the version
 *
 * Since: 1.0
 */
guint
gorm_migration_get_version (GormMigration *self)
{
  g_return_val_if_fail (GORM_IS_MIGRATION (self), 0);

  return self->version;
}

/**
 * gorm_migration_add_step:
 * @self: a migration
 * @version: the schema version the step belongs to, at least 1
 * @stage: whether it runs before or after the automatic changes
 * @func: (scope notified) (closure user_data) (destroy destroy): the step
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the migration is finalized
 *
 * Adds a step of the application: @func runs during a run when the
 * database's schema version is below @version and the migration's
 * version is at least @version, in version order, inside the migration's
 * transaction. It may use the ordinary API on the database; returning
 * %FALSE with an error rolls the whole migration back.
 *
 * A step runs in the thread running the migration: the caller's for
 * [method@Gorm.Migration.run], the database's worker thread for
 * [method@Gorm.Migration.run_async]. A binding whose callbacks must run
 * in the main thread (gjs) uses the synchronous form.
 *
 * Since: 1.0
 */
void
gorm_migration_add_step (GormMigration         *self,
                         guint                  version,
                         GormMigrationStage     stage,
                         GormMigrationStepFunc  func,
                         gpointer               user_data,
                         GDestroyNotify         destroy)
{
  Step *step;

  g_return_if_fail (GORM_IS_MIGRATION (self));
  g_return_if_fail (version > 0);
  g_return_if_fail (stage == GORM_MIGRATION_STAGE_BEFORE_CHANGES ||
                    stage == GORM_MIGRATION_STAGE_AFTER_CHANGES);
  g_return_if_fail (func != NULL);

  step = g_new0 (Step, 1);
  step->version = version;
  step->stage = stage;
  step->order = self->steps->len;
  step->func = func;
  step->user_data = user_data;
  step->destroy = destroy;
  g_ptr_array_add (self->steps, step);
}

/**
 * gorm_migration_allow_drop:
 * @self: a migration
 * @table: the table, as the database names it
 * @column: the column, as the database names it
 *
 * Allows the migration to drop the column @column of @table even when it
 * holds data. Without it, a column no property stores any more is
 * dropped only when it holds nothing but NULLs; otherwise the migration
 * fails with %GORM_ERROR_MIGRATION, changing nothing.
 *
 * Since: 1.0
 */
void
gorm_migration_allow_drop (GormMigration *self,
                           const char    *table,
                           const char    *column)
{
  g_return_if_fail (GORM_IS_MIGRATION (self));
  g_return_if_fail (table != NULL && column != NULL);

  if (self->allowed_drops == NULL)
    self->allowed_drops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (self->allowed_drops, g_strconcat (table, ".", column, NULL));
}

/**
 * gorm_migration_get_fraction:
 * @self: a migration
 *
 * Gets how much of the running migration is done, as last emitted in the
 * migration's main context (see [property@Gorm.Migration:fraction]).
 *
 * Returns: a fraction from 0 to 1
 *
 * Since: 1.0
 */
gdouble
gorm_migration_get_fraction (GormMigration *self)
{
  gdouble fraction;

  g_return_val_if_fail (GORM_IS_MIGRATION (self), 0.0);

  g_mutex_lock (&self->progress_lock);
  fraction = self->fraction;
  g_mutex_unlock (&self->progress_lock);
  return fraction;
}

/* Progress
 * --------
 * Reports come from the thread running the migration, often with the
 * database's lock held (a table copy reports after each chunk), where no
 * application code may run: the application could call libgorm again.
 * So a report only records what to show and, at most once per
 * PROGRESS_INTERVAL_US, queues an emission in the migration's context.
 * The last one, at 1.0, is made directly when the caller may dispatch in
 * that context; what was still queued is dropped then, so that nothing
 * older follows it. */

static gboolean
is_listened (GormMigration *self)
{
  static guint notify_id;

  if (notify_id == 0)
    notify_id = g_signal_lookup ("notify", G_TYPE_OBJECT);
  return g_signal_has_handler_pending (self, signals[SIGNAL_PROGRESS], 0, TRUE) ||
         g_signal_has_handler_pending (self, notify_id,
                                       g_quark_from_static_string ("fraction"), TRUE);
}

/* In the migration's context. */
static void
emit_progress (GormMigration       *self,
               GormMigrationChange *change,
               gdouble              fraction)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, change, fraction);
}

static gboolean
progress_cb (gpointer data)
{
  GormMigration *self = data;
  g_autoptr(GormMigrationChange) change = NULL;
  gdouble fraction;
  gboolean emit;

  g_mutex_lock (&self->progress_lock);
  g_clear_pointer (&self->source, g_source_unref);
  emit = self->has_pending;
  self->has_pending = FALSE;
  change = g_steal_pointer (&self->pending_change);
  fraction = self->fraction = self->pending_fraction;
  self->last_emission = g_get_monotonic_time ();
  g_mutex_unlock (&self->progress_lock);

  if (emit)
    emit_progress (self, change, fraction);
  return G_SOURCE_REMOVE;
}

/* Any thread, any lock held. */
static void
report_progress (GormMigration       *self,
                 GormMigrationChange *change,
                 gdouble              fraction)
{
  gboolean listened = is_listened (self);
  gint64 delay;

  fraction = CLAMP (fraction, 0.0, 1.0);
  g_mutex_lock (&self->progress_lock);
  if (!listened)
    {
      self->fraction = fraction;
      g_mutex_unlock (&self->progress_lock);
      return;
    }
  g_set_object (&self->pending_change, change);
  self->pending_fraction = fraction;
  self->has_pending = TRUE;
  if (self->source == NULL)
    {
      delay = self->last_emission + PROGRESS_INTERVAL_US - g_get_monotonic_time ();
      self->source = g_timeout_source_new (delay > 0 ? (guint) (delay / 1000) : 0);
      g_source_set_priority (self->source, G_PRIORITY_DEFAULT);
      g_source_set_static_name (self->source, "[gorm] migration progress");
      g_source_set_callback (self->source, progress_cb, g_object_ref (self), g_object_unref);
      g_source_attach (self->source, self->context);
    }
  g_mutex_unlock (&self->progress_lock);
}

/* The last emission of a successful run, at 1.0. With no database lock
 * held. */
static void
finish_progress (GormMigration       *self,
                 GormMigrationChange *last)
{
  gboolean acquired = FALSE;

  /* Dispatching in the context (the callback of run_async()), or the
   * thread that made the migration, whose context nobody iterates (a
   * synchronous run): never another thread that happens to be free to
   * take the context. */
  if (!g_main_context_is_owner (self->context) &&
      (g_thread_self () != self->thread || !(acquired = g_main_context_acquire (self->context))))
    {
      report_progress (self, last, 1.0);
      return;
    }

  g_mutex_lock (&self->progress_lock);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  self->has_pending = FALSE;
  g_clear_object (&self->pending_change);
  self->fraction = 1.0;
  self->last_emission = g_get_monotonic_time ();
  g_mutex_unlock (&self->progress_lock);
  emit_progress (self, last, 1.0);
  if (acquired)
    g_main_context_release (self->context);
}

/* The plan
 * -------- */

typedef struct
{
  guint      db_version;
  /* The automatic changes (GormMigrationChange), from the migrator. */
  GPtrArray *changes;
  /* The steps to run (Step, not owned), in order, and their items. */
  GPtrArray *before;
  GPtrArray *before_items;
  GPtrArray *after;
  GPtrArray *after_items;
  /* NULL when the version stays. */
  GormMigrationChange *set_version;
} Plan;

static void
plan_free (Plan *plan)
{
  g_clear_pointer (&plan->changes, g_ptr_array_unref);
  g_clear_pointer (&plan->before, g_ptr_array_unref);
  g_clear_pointer (&plan->before_items, g_ptr_array_unref);
  g_clear_pointer (&plan->after, g_ptr_array_unref);
  g_clear_pointer (&plan->after_items, g_ptr_array_unref);
  g_clear_object (&plan->set_version);
  g_free (plan);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Plan, plan_free)

static gboolean
plan_is_empty (const Plan *plan)
{
  return plan->changes->len == 0 && plan->before->len == 0 && plan->after->len == 0 &&
         plan->set_version == NULL;
}

static guint
plan_n_items (const Plan *plan)
{
  return plan->before->len + plan->changes->len + plan->after->len +
         (plan->set_version != NULL ? 1 : 0);
}

/* The last item of the plan, NULL when it is empty. */
static GormMigrationChange *
plan_last_item (const Plan *plan)
{
  if (plan->set_version != NULL)
    return plan->set_version;
  if (plan->after_items->len > 0)
    return g_ptr_array_index (plan->after_items, plan->after_items->len - 1);
  if (plan->changes->len > 0)
    return g_ptr_array_index (plan->changes, plan->changes->len - 1);
  if (plan->before_items->len > 0)
    return g_ptr_array_index (plan->before_items, plan->before_items->len - 1);
  return NULL;
}

static gint
compare_steps (gconstpointer a,
               gconstpointer b)
{
  const Step *step_a = *(const Step * const *) a;
  const Step *step_b = *(const Step * const *) b;

  if (step_a->version != step_b->version)
    return step_a->version < step_b->version ? -1 : 1;
  return step_a->order < step_b->order ? -1 : step_a->order > step_b->order;
}

static GormMigrationChange *
new_step_item (const Step *step)
{
  g_autofree char *reason =
    g_strdup_printf ("The application's step of schema version %u, %s the changes of the tables",
                     step->version,
                     step->stage == GORM_MIGRATION_STAGE_BEFORE_CHANGES ? "before" : "after");

  return gorm_migration_change_new (GORM_MIGRATION_CHANGE_STEP, NULL, NULL, NULL, NULL,
                                    reason, step->version);
}

static GormMigrationChange *
new_set_version_item (guint db_version,
                      guint version)
{
  g_autofree char *has = db_version > 0 ? g_strdup_printf ("%u", db_version) : NULL;
  g_autofree char *wants = g_strdup_printf ("%u", version);
  g_autofree char *reason = NULL;
  g_autofree char *insert = NULL;
  GormMigrationChange *item;

  if (db_version > 0)
    reason = g_strdup_printf ("The database records schema version %u, this application's "
                              "is %u", db_version, version);
  else
    reason = g_strdup_printf ("The database records no schema version, this application's "
                              "is %u", version);
  item = gorm_migration_change_new (GORM_MIGRATION_CHANGE_SET_VERSION, NULL, NULL, has, wants,
                                    reason, version);
  insert = g_strdup_printf (GORM_SCHEMA_VERSION_INSERT_SQL_SHOWN, version);
  gorm_migration_change_add_statement (item, GORM_SCHEMA_VERSION_CREATE_SQL);
  gorm_migration_change_add_statement (item, GORM_SCHEMA_VERSION_DELETE_SQL);
  gorm_migration_change_add_statement (item, insert);
  return item;
}

/* Reads the database's version and fails when it is newer than the
 * application's; 0 for an unversioned migration, which reads nothing. */
static gboolean
check_version_locked (GormMigration  *self,
                      guint          *db_version,
                      GError        **error)
{
  *db_version = 0;
  if (self->version == 0)
    return TRUE;
  if (!gorm_database_read_schema_version_locked (self->database, db_version, error))
    return FALSE;
  if (*db_version > self->version)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                   "Cannot migrate %s: the database is at schema version %u, newer than "
                   "this application's %u; it was left untouched",
                   gorm_database_get_uri (self->database), *db_version, self->version);
      return FALSE;
    }
  return TRUE;
}

/* What the migrator is asked for: the migration's types and drops. */
static void
init_request (GormMigration       *self,
              GormMigratorRequest *request)
{
  request->types = (const GType *) self->types->data;
  request->n_types = self->types->len;
  request->allowed_drops = self->allowed_drops;
  request->skip_value_scans = FALSE;
}

/* Reads only: the whole plan, with the database's version and the
 * changes as they are now. */
static Plan *
plan_locked (GormMigration   *self,
             GError         **error)
{
  g_autoptr(Plan) plan = g_new0 (Plan, 1);
  GormConnection *connection = gorm_database_get_connection_locked (self->database, error);
  GormMigratorRequest request;

  if (connection == NULL || !check_version_locked (self, &plan->db_version, error))
    return NULL;
  init_request (self, &request);
  plan->changes = gorm_migrator_plan_locked (connection, &request, error);
  if (plan->changes == NULL)
    return NULL;

  plan->before = g_ptr_array_new ();
  plan->after = g_ptr_array_new ();
  plan->before_items = g_ptr_array_new_with_free_func (g_object_unref);
  plan->after_items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; self->version > 0 && i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);

      if (step->version <= plan->db_version || step->version > self->version)
        continue;
      g_ptr_array_add (step->stage == GORM_MIGRATION_STAGE_BEFORE_CHANGES ? plan->before
                                                                           : plan->after,
                       step);
    }
  g_ptr_array_sort (plan->before, compare_steps);
  g_ptr_array_sort (plan->after, compare_steps);
  for (guint i = 0; i < plan->before->len; i++)
    g_ptr_array_add (plan->before_items, new_step_item (g_ptr_array_index (plan->before, i)));
  for (guint i = 0; i < plan->after->len; i++)
    g_ptr_array_add (plan->after_items, new_step_item (g_ptr_array_index (plan->after, i)));

  if (self->version > 0 && plan->db_version != self->version)
    plan->set_version = new_set_version_item (plan->db_version, self->version);

  return g_steal_pointer (&plan);
}

static GListModel *
plan_to_model (const Plan *plan)
{
  GListStore *store = g_list_store_new (GORM_TYPE_MIGRATION_CHANGE);

  for (guint i = 0; i < plan->before_items->len; i++)
    g_list_store_append (store, g_ptr_array_index (plan->before_items, i));
  for (guint i = 0; i < plan->changes->len; i++)
    g_list_store_append (store, g_ptr_array_index (plan->changes, i));
  for (guint i = 0; i < plan->after_items->len; i++)
    g_list_store_append (store, g_ptr_array_index (plan->after_items, i));
  if (plan->set_version != NULL)
    g_list_store_append (store, plan->set_version);
  return G_LIST_MODEL (store);
}

/**
 * gorm_migration_plan:
 * @self: a migration
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Lists what [method@Gorm.Migration.run] would do now, in the order it
 * would do it, running nothing: the steps of stage
 * %GORM_MIGRATION_STAGE_BEFORE_CHANGES, the changes of the tables (each
 * with the SQL it runs and why), the steps of stage
 * %GORM_MIGRATION_STAGE_AFTER_CHANGES, and the new schema version
 * (%GORM_MIGRATION_CHANGE_SET_VERSION). An empty list means a run would
 * change nothing.
 *
 * It fails as a run would fail before changing anything: a difference
 * the migration refuses, a database newer than the application.
 *
 * Returns: (transfer full): a #GListModel of [class@Gorm.MigrationChange],
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GListModel *
gorm_migration_plan (GormMigration  *self,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(Plan) plan = NULL;

  g_return_val_if_fail (GORM_IS_MIGRATION (self), NULL);
  g_return_val_if_fail (GORM_IS_DATABASE (self->database), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  gorm_database_lock (self->database);
  plan = plan_locked (self, error);
  gorm_database_unlock (self->database);

  return plan != NULL ? plan_to_model (plan) : NULL;
}

static void
plan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *plan = gorm_migration_plan (source_object, cancellable, &error);

  gorm_task_return_pointer (task, plan, g_object_unref, error);
}

/**
 * gorm_migration_plan_async:
 * @self: a migration
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the plan is read
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Migration.plan] on the database's worker thread.
 *
 * Since: 1.0
 */
void
gorm_migration_plan_async (GormMigration       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GORM_IS_MIGRATION (self));
  g_return_if_fail (GORM_IS_DATABASE (self->database));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = gorm_database_new_task (self->database, self, cancellable, callback, user_data,
                                 gorm_migration_plan_async);
  gorm_database_run_task (self->database, task, plan_thread);
}

/**
 * gorm_migration_plan_finish:
 * @self: a migration
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Migration.plan_async].
 *
 * Returns: (transfer full): a #GListModel of [class@Gorm.MigrationChange],
 *   or %NULL with @error set
 *
 * Since: 1.0
 */
GListModel *
gorm_migration_plan_finish (GormMigration  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_migration_plan_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Running
 * ------- */

/* What the fraction counts: one unit per item of the plan. */
typedef struct
{
  GormMigration *self;
  guint          done;
  guint          apply_units;
  guint          total;
} RunProgress;

static void
apply_progress_cb (GormMigrationChange *change,
                   gdouble              fraction,
                   gpointer             user_data)
{
  RunProgress *progress = user_data;

  report_progress (progress->self, change,
                   (progress->done + CLAMP (fraction, 0.0, 1.0) * progress->apply_units) /
                   progress->total);
}

/* Runs @steps, without the database's lock: they call the public API.
 * The transaction belongs to this thread, which keeps others out. */
static gboolean
run_steps (GormMigration  *self,
           GPtrArray      *steps,
           GPtrArray      *items,
           RunProgress    *progress,
           GCancellable   *cancellable,
           GError        **error)
{
  for (guint i = 0; i < steps->len; i++)
    {
      const Step *step = g_ptr_array_index (steps, i);
      GError *step_error = NULL;
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      ok = step->func (self, self->database, step->version, step->user_data, &step_error);
      if (!ok || step_error != NULL)
        {
          if (step_error == NULL)
            g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
                         "Cannot migrate %s: the step of schema version %u failed without "
                         "saying why; nothing was changed",
                         gorm_database_get_uri (self->database), step->version);
          else
            {
              g_propagate_error (error, step_error);
              g_prefix_error (error, "Cannot migrate %s: the step of schema version %u failed, "
                              "nothing was changed: ",
                              gorm_database_get_uri (self->database), step->version);
            }
          return FALSE;
        }
      progress->done++;
      report_progress (self, g_ptr_array_index (items, i),
                       (gdouble) progress->done / progress->total);
    }
  return TRUE;
}

/* The changes of the tables, read again after the steps that come before
 * them (they may have changed the data the changes depend on), and
 * applied, with the database's lock held. */
static gboolean
apply_changes_locked (GormMigration   *self,
                      GormConnection  *connection,
                      GPtrArray       *prepared,
                      RunProgress     *progress,
                      GCancellable    *cancellable,
                      GError         **error)
{
  GormMigratorRequest request;
  g_autoptr(GPtrArray) changes = NULL;

  init_request (self, &request);
  changes = gorm_migrator_replan_and_apply_locked (connection, &request, prepared,
                                                   apply_progress_cb, progress,
                                                   cancellable, error);
  if (changes == NULL)
    return FALSE;
  progress->done += progress->apply_units;
  if (changes->len > 0)
    report_progress (self, g_ptr_array_index (changes, changes->len - 1),
                     (gdouble) progress->done / progress->total);
  return TRUE;
}

/* A step that ended the migration's transaction (its own commit or
 * rollback) leaves nothing to roll back: the run fails. */
static gboolean
check_depth (GormMigration   *self,
             GormConnection  *connection,
             guint            depth,
             GError         **error)
{
  if (gorm_connection_in_own_transaction (connection) &&
      gorm_connection_get_depth (connection) == depth)
    return TRUE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_MIGRATION,
               "Cannot migrate %s: a step ended the migration's transaction (a step must "
               "leave every transaction it begins)",
               gorm_database_get_uri (self->database));
  return FALSE;
}

static gboolean run_migration_locking (GormMigration        *self,
                                       GCancellable         *cancellable,
                                       GormMigrationChange **last,
                                       GError              **error);

/* Runs the migration in the calling thread; @last is the last item of
 * what it did, for the last progress. Its steps use the tables as they
 * are: no first-use migration meanwhile (gorm_database_get_mapper_locked()). */
static gboolean
run_migration (GormMigration        *self,
               GCancellable         *cancellable,
               GormMigrationChange **last,
               GError              **error)
{
  gpointer previous = gorm_database_begin_migrating (self->database);
  gboolean ok = run_migration_locking (self, cancellable, last, error);

  gorm_database_end_migrating (previous);
  return ok;
}

static gboolean
run_migration_locking (GormMigration        *self,
                       GCancellable         *cancellable,
                       GormMigrationChange **last,
                       GError              **error)
{
  GormDatabase *db = self->database;
  g_autoptr(Plan) plan = NULL;
  g_autoptr(GPtrArray) prepared = NULL;
  GormConnection *connection;
  RunProgress progress = { self, 0, 0, 1 };
  gboolean in_transaction = FALSE;
  gboolean ok = FALSE;
  guint depth;

  *last = NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Read first, outside any transaction: nothing to do is nothing
   * written, and no write lock taken. */
  gorm_database_lock (db);
  plan = plan_locked (self, error);
  if (plan == NULL)
    {
      gorm_database_unlock (db);
      return FALSE;
    }
  if (plan_is_empty (plan))
    {
      gorm_database_note_migrated (db, (const GType *) self->types->data, self->types->len);
      gorm_database_unlock (db);
      return TRUE;
    }

  connection = gorm_database_get_connection_locked (db, error);
  prepared = g_ptr_array_ref (plan->changes);
  if (!gorm_migrator_prepare_locked (connection, prepared, error))
    {
      gorm_database_unlock (db);
      return FALSE;
    }
  /* Through the database: the change feed follows the transaction. */
  if (!gorm_database_begin_locked (db, error))
    goto out_locked;
  in_transaction = TRUE;
  depth = gorm_connection_get_depth (connection);

  /* Read again inside the transaction: another program may have
   * migrated meanwhile. */
  g_clear_pointer (&plan, plan_free);
  plan = plan_locked (self, error);
  if (plan == NULL)
    goto out_locked;
  progress.total = MAX (plan_n_items (plan), 1);
  progress.apply_units = plan->changes->len;
  gorm_database_unlock (db);

  /* Steps call the public API: the lock is let go around them, and the
   * transaction, which belongs to this thread, keeps other threads out. */
  ok = run_steps (self, plan->before, plan->before_items, &progress, cancellable, error) &&
       check_depth (self, connection, depth, error);

  gorm_database_lock (db);
  ok = ok && apply_changes_locked (self, connection, prepared, &progress, cancellable, error);
  gorm_database_unlock (db);

  ok = ok &&
       run_steps (self, plan->after, plan->after_items, &progress, cancellable, error) &&
       check_depth (self, connection, depth, error);

  gorm_database_lock (db);
  if (ok && plan->set_version != NULL)
    ok = gorm_database_write_schema_version_locked (db, self->version, error);
  ok = ok && !g_cancellable_set_error_if_cancelled (cancellable, error);
  if (ok)
    {
      /* A failed COMMIT has rolled everything back already. */
      in_transaction = FALSE;
      ok = gorm_database_commit_locked (db, error);
    }

out_locked:
  if (in_transaction)
    gorm_database_rollback_locked (db, NULL);
  gorm_migrator_restore_locked (connection, prepared);
  if (ok)
    {
      gorm_database_note_migrated (db, (const GType *) self->types->data, self->types->len);
      *last = plan_last_item (plan);
      if (*last != NULL)
        g_object_ref (*last);
    }
  gorm_database_unlock (db);
  return ok;
}

/**
 * gorm_migration_run:
 * @self: a migration
 * @cancellable: (nullable): a #GCancellable, checked between steps and
 *   between the chunks of a table copy
 * @error: return location for an error
 *
 * Brings the database to the migration's types and version, in one
 * transaction: the steps of stage %GORM_MIGRATION_STAGE_BEFORE_CHANGES of
 * the versions the database has not reached, the changes of the tables,
 * the steps of stage %GORM_MIGRATION_STAGE_AFTER_CHANGES, and the new
 * schema version. On any failure (a refused difference, a database newer
 * than the application, a failed step or statement, a cancellation, a
 * failed commit), everything is rolled back and the database is as it
 * was.
 *
 * What to do is read first: when there is nothing (no difference, the
 * same version), nothing is written and no write lock is taken.
 *
 * Steps run in the calling thread. The migration's progress is emitted in
 * its main context: when that is the calling thread's, only the last one
 * (at 1.0) is emitted during the run, since the main loop does not run;
 * use [method@Gorm.Migration.run_async] to show a progress bar.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_migration_run (GormMigration  *self,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_autoptr(GormMigrationChange) last = NULL;

  g_return_val_if_fail (GORM_IS_MIGRATION (self), FALSE);
  g_return_val_if_fail (GORM_IS_DATABASE (self->database), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!run_migration (self, cancellable, &last, error))
    return FALSE;
  finish_progress (self, last);
  return TRUE;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GormMigrationChange *last = NULL;
  GError *error = NULL;

  if (run_migration (source_object, cancellable, &last, &error))
    gorm_task_return_pointer (task, last, g_object_unref, NULL);
  else
    gorm_task_return_pointer (task, NULL, NULL, error);
}

/* In the caller's context: the last progress, then the caller's
 * callback. */
static void
run_done_cb (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GormMigration *self = GORM_MIGRATION (source_object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GormMigrationChange) last = NULL;
  GError *error = NULL;

  last = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  finish_progress (self, last);
  g_task_return_boolean (task, TRUE);
}

/**
 * gorm_migration_run_async:
 * @self: a migration
 * @cancellable: (nullable): a #GCancellable, checked between steps and
 *   between the chunks of a table copy
 * @callback: (scope async): called when the migration is done
 * @user_data: data for @callback
 *
 * Runs [method@Gorm.Migration.run] on the database's worker thread,
 * keeping the main loop free: the progress is emitted while the tables
 * are copied.
 *
 * The steps run on the worker thread too. A binding whose callbacks must
 * run in the main thread (gjs) uses [method@Gorm.Migration.run] instead.
 *
 * Since: 1.0
 */
void
gorm_migration_run_async (GormMigration       *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) inner = NULL;
  GTask *task;

  g_return_if_fail (GORM_IS_MIGRATION (self));
  g_return_if_fail (GORM_IS_DATABASE (self->database));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  /* The caller's task has no cancellable, as the database's tasks: a
   * cancelled GTask would complete one iteration late. */
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, gorm_migration_run_async);
  inner = gorm_database_new_task (self->database, self, cancellable, run_done_cb, task,
                                  gorm_migration_run_async);
  gorm_database_run_task (self->database, inner, run_thread);
}

/**
 * gorm_migration_run_finish:
 * @self: a migration
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Gorm.Migration.run_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_migration_run_finish (GormMigration  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gorm_migration_run_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
