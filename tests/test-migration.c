/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GormMigration: schema versions, the application's steps, the plan,
 * progress, the async forms, and that every failure (a step, a statement,
 * a cancellation, the commit) leaves the database as it was.
 */

#include "config.h"

#include "gorm-catalog-private.h"
#include "gorm-database-private.h"
#include "gorm-test-utils.h"
#include "migration-steps.h"

/* Two versions of one model: version 2 adds "words". */
TEST_DEFINE_RESOURCE (TestNoteV1, test_note_v1)

static void
test_note_v1_class_init (TestNoteV1Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "note");
}

TEST_DEFINE_RESOURCE (TestNoteV2, test_note_v2)

static void
test_note_v2_class_init (TestNoteV2Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("words", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "note");
}

#define V1 (test_note_v1_get_type ())
#define V2 (test_note_v2_get_type ())

static gboolean
has_table (GormDatabase *db,
           const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormCatalogTable) table = NULL;

  gorm_database_lock (db);
  table = gorm_catalog_read_table_locked (gorm_database_get_connection_locked (db, NULL),
                                          gorm_database_get_dialect (db), name, &error);
  gorm_database_unlock (db);
  g_assert_no_error (error);
  return table != NULL;
}

static gboolean
has_column (GormDatabase *db,
            const char   *table_name,
            const char   *column)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormCatalogTable) table = NULL;

  gorm_database_lock (db);
  table = gorm_catalog_read_table_locked (gorm_database_get_connection_locked (db, NULL),
                                          gorm_database_get_dialect (db), table_name, &error);
  gorm_database_unlock (db);
  g_assert_no_error (error);
  g_assert_nonnull (table);
  return gorm_catalog_table_find_column (table, column) != NULL;
}

static guint
schema_version (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  guint version = gorm_database_get_schema_version (db, NULL, &error);

  g_assert_no_error (error);
  return version;
}

static GormMigration *
new_migration (GormDatabase *db,
               GType         type,
               guint         version)
{
  GormMigration *migration = gorm_migration_new (db, &type, 1);

  gorm_migration_set_version (migration, version);
  return migration;
}

static void
run_ok (GormMigration *migration)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_migration_run (migration, NULL, &error));
  g_assert_no_error (error);
}

/* A database at version 1 with notes "alpha", "beta gamma". */
static GormDatabase *
open_at_version_1 (char **path)
{
  GormDatabase *db = test_open_file (path);
  g_autoptr(GormMigration) migration = new_migration (db, V1, 1);
  const char *titles[] = { "alpha", "beta gamma" };

  run_ok (migration);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autoptr(GormResource) note = g_object_new (V1, "database", db, "title", titles[i], NULL);

      test_save_ok (note);
    }
  g_assert_cmpuint (schema_version (db), ==, 1);
  return db;
}

static char *
titles_of (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  rows = gorm_database_select (db, "SELECT title FROM note ORDER BY id", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GormRow) row = g_list_model_get_item (rows, i);
      g_string_append_printf (text, "%s%s", i ? "," : "", gorm_row_get_string (row, "title"));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Steps record "<version><b|a>" in a GString. */
static gboolean
record_step (GormMigration  *migration,
             GormDatabase   *database,
             guint           version,
             gpointer        user_data,
             GError        **error)
{
  GString *log = g_object_get_data (G_OBJECT (migration), "log");

  g_assert_true (GORM_IS_MIGRATION (migration));
  g_assert_true (GORM_IS_DATABASE (database));
  /* Inside the migration's transaction. */
  g_assert_cmpuint (gorm_database_get_transaction_depth (database), >=, 1);
  g_string_append_printf (log, "%u%s ", version, (const char *) user_data);
  return TRUE;
}

static void
add_recorded_step (GormMigration      *migration,
                   guint               version,
                   GormMigrationStage  stage)
{
  gorm_migration_add_step (migration, version, stage, record_step,
                           stage == GORM_MIGRATION_STAGE_BEFORE_CHANGES ? "b" : "a", NULL);
}

static void
log_free (gpointer log)
{
  g_string_free (log, TRUE);
}

static GString *
attach_log (GormMigration *migration)
{
  GString *log = g_string_new (NULL);

  g_object_set_data_full (G_OBJECT (migration), "log", log, log_free);
  return log;
}

static void
test_fresh_database (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 3);
  GString *log = attach_log (migration);

  g_assert_cmpuint (gorm_migration_get_version (migration), ==, 3);
  g_assert_cmpuint (schema_version (db), ==, 0);
  add_recorded_step (migration, 3, GORM_MIGRATION_STAGE_AFTER_CHANGES);
  add_recorded_step (migration, 1, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  add_recorded_step (migration, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES);
  run_ok (migration);

  /* A new database runs the steps of every version. */
  g_assert_cmpstr (log->str, ==, "1b 2a 3a ");
  g_assert_cmpuint (schema_version (db), ==, 3);
  g_assert_true (has_column (db, "note", "words"));
  g_assert_true (gorm_database_is_migrated (db, V2));

  /* Again: nothing runs. */
  g_string_truncate (log, 0);
  run_ok (migration);
  g_assert_cmpstr (log->str, ==, "");
  g_assert_cmpuint (schema_version (db), ==, 3);

  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

/* Version 2's step before the changes upper-cases titles through the
 * objects of version 1; its step after them counts words into the new
 * column through the objects of version 2. */
static gboolean
upper_titles_step (GormMigration  *migration,
                   GormDatabase   *database,
                   guint           version,
                   gpointer        user_data,
                   GError        **error)
{
  return test_edit_each (database, V1, test_upper_title, error) &&
         record_step (migration, database, version, user_data, error);
}

static gboolean
count_words (GObject  *note,
             GError  **error)
{
  g_autofree char *title = NULL;
  g_auto(GStrv) words = NULL;

  g_object_get (note, "title", &title, NULL);
  words = g_strsplit (title, " ", -1);
  g_object_set (note, "words", (int) g_strv_length (words), NULL);
  return TRUE;
}

static gboolean
count_words_step (GormMigration  *migration,
                  GormDatabase   *database,
                  guint           version,
                  gpointer        user_data,
                  GError        **error)
{
  return test_edit_each (database, V2, count_words, error) &&
         record_step (migration, database, version, user_data, error);
}

static void
test_upgrade_runs_steps_in_order (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 3);
  GString *log = attach_log (migration);
  g_autofree char *titles = NULL;
  g_autofree char *words = NULL;

  /* Added out of order; version 1's and 4's do not run. */
  add_recorded_step (migration, 3, GORM_MIGRATION_STAGE_AFTER_CHANGES);
  add_recorded_step (migration, 3, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES, count_words_step,
                           "a", NULL);
  gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES, upper_titles_step,
                           "b", NULL);
  add_recorded_step (migration, 1, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  add_recorded_step (migration, 4, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  add_recorded_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  run_ok (migration);

  /* Every step before the changes, then every step after them, each
   * group in version order and, within a version, in the order added. */
  g_assert_cmpstr (log->str, ==, "2b 2b 3b 2a 3a ");
  g_assert_cmpuint (schema_version (db), ==, 3);
  titles = titles_of (db);
  g_assert_cmpstr (titles, ==, "ALPHA,BETA GAMMA");
  words = test_query_text (db, "SELECT SUM(words) FROM note");
  g_assert_cmpstr (words, ==, "3");

  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

static void
test_newer_database_refused (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) newer = new_migration (db, V1, 5);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 3);
  g_autoptr(GListModel) plan = NULL;
  g_autoptr(GError) error = NULL;
  GString *log = attach_log (migration);
  g_autoptr(TestLog) statements = NULL;

  run_ok (newer);
  g_assert_cmpuint (schema_version (db), ==, 5);
  add_recorded_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES);

  statements = test_log_attach (db);
  g_assert_false (gorm_migration_run (migration, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "version 5, newer than this application's 3"));
  g_clear_error (&error);
  plan = gorm_migration_plan (migration, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_null (plan);

  /* Untouched: no transaction, no step, no column. */
  g_assert_cmpuint (test_log_count (statements, "BEGIN"), ==, 0);
  g_assert_cmpstr (log->str, ==, "");
  g_assert_false (has_column (db, "note", "words"));
  g_assert_cmpuint (schema_version (db), ==, 5);

  g_clear_object (&migration);
  g_clear_object (&newer);
  g_clear_object (&db);
  test_remove_file (path);
}

static void
test_unversioned (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V1, 0);
  g_autoptr(GormMigration) versioned = NULL;
  g_autoptr(GormMigration) upgrade = NULL;
  g_autoptr(TestLog) statements = test_log_attach (db);
  g_autoptr(GError) error = NULL;
  GString *log = attach_log (migration);

  add_recorded_step (migration, 1, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  run_ok (migration);
  g_assert_cmpstr (log->str, ==, "");
  g_assert_false (has_table (db, "gorm_schema"));
  g_assert_true (has_table (db, "note"));
  for (guint i = 0; i < statements->statements->len; i++)
    g_assert_null (strstr (g_ptr_array_index (statements->statements, i), "gorm_schema"));

  /* gorm_database_migrate() is unversioned too. */
  g_assert_true (gorm_database_migrate (db, (GType[]) { V2 }, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (has_column (db, "note", "words"));
  g_assert_false (has_table (db, "gorm_schema"));

  /* A versioned database migrated without a version keeps its version,
   * even when the application's would be older. */
  versioned = new_migration (db, V2, 7);
  run_ok (versioned);
  g_assert_cmpuint (schema_version (db), ==, 7);
  test_log_clear (statements);
  g_assert_true (gorm_database_migrate (db, (GType[]) { V2 }, 1, NULL, &error));
  g_assert_no_error (error);
  upgrade = new_migration (db, V2, 0);
  run_ok (upgrade);
  for (guint i = 0; i < statements->statements->len; i++)
    g_assert_null (strstr (g_ptr_array_index (statements->statements, i), "gorm_schema"));
  g_assert_cmpuint (schema_version (db), ==, 7);

  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

/* Nothing to do (no difference, the same version): nothing written, no
 * transaction. */
static void
test_nothing_to_do (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V1, 1);
  g_autoptr(TestLog) statements = test_log_attach (db);
  g_autoptr(GListModel) plan = NULL;
  g_autoptr(GError) error = NULL;
  GString *log = attach_log (migration);

  add_recorded_step (migration, 1, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  plan = gorm_migration_plan (migration, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (plan), ==, 0);
  run_ok (migration);
  g_assert_cmpstr (log->str, ==, "");
  for (guint i = 0; i < statements->statements->len; i++)
    {
      const char *sql = g_ptr_array_index (statements->statements, i);

      g_assert_true (g_ascii_strncasecmp (sql, "SELECT", 6) == 0 ||
                     g_ascii_strncasecmp (sql, "PRAGMA", 6) == 0 ||
                     g_ascii_strncasecmp (sql, "WITH", 4) == 0);
    }
  g_assert_cmpfloat (gorm_migration_get_fraction (migration), ==, 1.0);

  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

static gboolean
failing_step (GormMigration  *migration,
              GormDatabase   *database,
              guint           version,
              gpointer        user_data,
              GError        **error)
{
  /* It writes first: the write is rolled back with the rest. */
  if (gorm_database_execute (database, "UPDATE note SET title = 'changed'", NULL, 0, NULL,
                             error) < 0)
    return FALSE;
  if (user_data != NULL)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The step cannot convert “%s”",
               "alpha");
  return FALSE;
}

/* The database is wholly at version 1: old shape, old data. */
static void
assert_at_version_1 (GormDatabase *db)
{
  g_autofree char *titles = titles_of (db);

  g_assert_cmpuint (schema_version (db), ==, 1);
  g_assert_false (has_column (db, "note", "words"));
  g_assert_cmpstr (titles, ==, "alpha,beta gamma");
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
}

static void
version_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  guint *version = user_data;
  g_autoptr(GError) error = NULL;

  *version = gorm_database_get_schema_version_finish (GORM_DATABASE (source), result, &error);
  g_assert_no_error (error);
}

typedef enum {
  FAIL_BEFORE_STEP,
  FAIL_AFTER_STEP,
  FAIL_SILENT_STEP,
  FAIL_APPLY,
  FAIL_VERSION,
  FAIL_COMMIT,
} Failure;

static void
test_failure (gconstpointer data)
{
  Failure failure = GPOINTER_TO_INT (data);
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 2);
  g_autoptr(GError) error = NULL;
  GString *log = attach_log (migration);

  add_recorded_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  add_recorded_step (migration, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES);
  switch (failure)
    {
    case FAIL_BEFORE_STEP:
      gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES, failing_step,
                               NULL, NULL);
      break;
    case FAIL_AFTER_STEP:
      gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES, failing_step,
                               NULL, NULL);
      break;
    case FAIL_SILENT_STEP:
      gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES, failing_step,
                               "silent", NULL);
      break;
    case FAIL_APPLY:
      gorm_connection_inject_fault (gorm_database_get_execution (db), "ALTER TABLE",
                                    GORM_ERROR_FULL);
      break;
    case FAIL_VERSION:
      gorm_connection_inject_fault (gorm_database_get_execution (db), "INSERT INTO gorm_schema",
                                    GORM_ERROR_FULL);
      break;
    case FAIL_COMMIT:
      gorm_connection_inject_fault (gorm_database_get_execution (db), "COMMIT", GORM_ERROR_BUSY);
      break;
    }

  g_assert_false (gorm_migration_run (migration, NULL, &error));
  switch (failure)
    {
    case FAIL_BEFORE_STEP:
    case FAIL_AFTER_STEP:
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "the step of schema version 2 failed"));
      g_assert_nonnull (strstr (error->message, "cannot convert “alpha”"));
      break;
    case FAIL_SILENT_STEP:
      g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
      g_assert_nonnull (strstr (error->message, "step of schema version 2 failed without saying why"));
      break;
    case FAIL_APPLY:
    case FAIL_VERSION:
      g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
      break;
    case FAIL_COMMIT:
      g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
      break;
    }
  g_assert_cmpstr (log->str, ==,
                   failure == FAIL_BEFORE_STEP || failure == FAIL_APPLY ? "2b " : "2b 2a ");
  gorm_connection_inject_fault (gorm_database_get_execution (db), NULL, 0);
  assert_at_version_1 (db);
  g_assert_false (gorm_database_is_migrated (db, V2));
  /* No transaction left open: the worker, another thread, gets in. */
  {
    guint version = G_MAXUINT;

    gorm_database_get_schema_version_async (db, NULL, version_done_cb, &version);
    while (version == G_MAXUINT)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (version, ==, 1);
  }

  /* The lock is free and the migration runs again, to the end. */
  g_string_truncate (log, 0);
  g_clear_object (&migration);
  migration = new_migration (db, V2, 2);
  attach_log (migration);
  run_ok (migration);
  g_assert_cmpuint (schema_version (db), ==, 2);
  g_assert_true (has_column (db, "note", "words"));

  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

/* A step that cancels the run: the next check stops it. */
static gboolean
cancelling_step (GormMigration  *migration,
                 GormDatabase   *database,
                 guint           version,
                 gpointer        user_data,
                 GError        **error)
{
  g_cancellable_cancel (user_data);
  return gorm_database_execute (database, "UPDATE note SET title = 'changed'", NULL, 0, NULL,
                                error) >= 0;
}

/* A step that adds a column the model does not have: the changes are
 * read again after the steps, and SQLite would drop the column by
 * rebuilding the table, which needs its foreign keys off, which the
 * migration's transaction cannot do. So the run fails and nothing changed.
 * PostgreSQL drops the column inside the transaction. */
static gboolean
add_extra_column_step (GormMigration  *migration,
                       GormDatabase   *database,
                       guint           version,
                       gpointer        user_data,
                       GError        **error)
{
  return gorm_database_execute (database, "ALTER TABLE note ADD COLUMN extra TEXT", NULL, 0,
                                NULL, error) != -1;
}

static void
test_step_needs_rebuild (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 2);
  g_autoptr(GError) error = NULL;
  g_autofree char *titles = NULL;

  gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES,
                           add_extra_column_step, NULL, NULL);
  if (test_engine_is_postgresql ())
    {
      run_ok (migration);
      g_assert_true (has_column (db, "note", "words"));
      g_assert_false (has_column (db, "note", "extra"));
      g_assert_cmpuint (schema_version (db), ==, 2);
    }
  else
    {
      g_assert_false (gorm_migration_run (migration, NULL, &error));
      g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
      g_assert_nonnull (strstr (error->message, "“note” needs a rebuild"));
      g_assert_false (has_column (db, "note", "words"));
      g_assert_false (has_column (db, "note", "extra"));
      g_assert_cmpuint (schema_version (db), ==, 1);
    }
  titles = titles_of (db);
  g_assert_cmpstr (titles, ==, "alpha,beta gamma");

  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

static void
test_cancelled (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GormMigration) migration = new_migration (db, V2, 2);
  g_autoptr(GError) error = NULL;
  GString *log = attach_log (migration);

  gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES, cancelling_step,
                           g_object_ref (cancellable), g_object_unref);
  add_recorded_step (migration, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES);
  g_assert_false (gorm_migration_run (migration, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (log->str, ==, "");
  assert_at_version_1 (db);

  /* Cancelled before it starts: nothing at all. */
  g_clear_error (&error);
  g_assert_false (gorm_migration_run (migration, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_at_version_1 (db);

  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

static void
test_plan (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 3);
  g_autoptr(GListModel) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GormMigrationChange) first = NULL;
  g_autoptr(GormMigrationChange) last = NULL;
  GString *log = attach_log (migration);
  gboolean added = FALSE;
  guint n;

  add_recorded_step (migration, 3, GORM_MIGRATION_STAGE_AFTER_CHANGES);
  add_recorded_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES);
  plan = gorm_migration_plan (migration, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_LIST_MODEL (plan));
  g_assert_true (g_list_model_get_item_type (plan) == GORM_TYPE_MIGRATION_CHANGE);
  n = g_list_model_get_n_items (plan);
  g_assert_cmpuint (n, >=, 4);

  first = g_list_model_get_item (plan, 0);
  g_assert_cmpint (gorm_migration_change_get_kind (first), ==, GORM_MIGRATION_CHANGE_STEP);
  g_assert_cmpuint (gorm_migration_change_get_version (first), ==, 2);
  g_assert_null (gorm_migration_change_get_table (first));
  g_assert_nonnull (strstr (gorm_migration_change_get_reason (first), "before"));
  for (guint i = 1; i + 2 < n; i++)
    {
      g_autoptr(GormMigrationChange) change = g_list_model_get_item (plan, i);

      if (gorm_migration_change_get_kind (change) == GORM_MIGRATION_CHANGE_ADD_COLUMN)
        {
          added = TRUE;
          g_assert_cmpstr (gorm_migration_change_get_table (change), ==, "note");
          g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "words");
        }
    }
  g_assert_true (added);
  {
    g_autoptr(GormMigrationChange) step = g_list_model_get_item (plan, n - 2);

    g_assert_cmpint (gorm_migration_change_get_kind (step), ==, GORM_MIGRATION_CHANGE_STEP);
    g_assert_cmpuint (gorm_migration_change_get_version (step), ==, 3);
    g_assert_nonnull (strstr (gorm_migration_change_get_reason (step), "after"));
  }
  last = g_list_model_get_item (plan, n - 1);
  g_assert_cmpint (gorm_migration_change_get_kind (last), ==, GORM_MIGRATION_CHANGE_SET_VERSION);
  g_assert_cmpuint (gorm_migration_change_get_version (last), ==, 3);
  g_assert_cmpstr (gorm_migration_change_get_database_has (last), ==, "1");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (last), ==, "3");
  g_assert_nonnull (strstr (gorm_migration_change_get_statements (last)[2], "'3'"));

  /* Nothing ran. */
  g_assert_cmpstr (log->str, ==, "");
  g_assert_cmpuint (schema_version (db), ==, 1);
  g_assert_false (has_column (db, "note", "words"));

  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

/* Progress */

typedef struct
{
  GThread   *thread;
  GArray    *fractions;
  guint      n_notified;
  GormMigrationChange *last_change;
  gboolean   done;
  gboolean   ok;
  GError    *error;
  GListModel *plan;
} Progress;

static void
progress_cb (GormMigration       *migration,
             GormMigrationChange *change,
             gdouble              fraction,
             gpointer             user_data)
{
  Progress *progress = user_data;

  g_assert_true (g_thread_self () == progress->thread);
  g_assert_cmpfloat (gorm_migration_get_fraction (migration), ==, fraction);
  g_array_append_val (progress->fractions, fraction);
  g_set_object (&progress->last_change, change);
}

static void
fraction_notify_cb (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  Progress *progress = user_data;

  g_assert_true (g_thread_self () == progress->thread);
  progress->n_notified++;
}

static void
progress_init (Progress      *progress,
               GormMigration *migration)
{
  progress->thread = g_thread_self ();
  progress->fractions = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_signal_connect (migration, "progress", G_CALLBACK (progress_cb), progress);
  g_signal_connect (migration, "notify::fraction", G_CALLBACK (fraction_notify_cb), progress);
}

static void
progress_clear (Progress *progress)
{
  g_clear_pointer (&progress->fractions, g_array_unref);
  g_clear_object (&progress->last_change);
  g_clear_error (&progress->error);
  g_clear_object (&progress->plan);
}

static void
assert_progress (Progress *progress)
{
  GArray *fractions = progress->fractions;

  g_assert_cmpuint (fractions->len, >=, 1);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, gdouble, i - 1), <=,
                       g_array_index (fractions, gdouble, i));
  g_assert_cmpfloat (g_array_index (fractions, gdouble, fractions->len - 1), ==, 1.0);
  g_assert_cmpuint (progress->n_notified, ==, fractions->len);
}

static gboolean
slow_step (GormMigration  *migration,
           GormDatabase   *database,
           guint           version,
           gpointer        user_data,
           GError        **error)
{
  g_usleep (2000);
  return gorm_database_execute (database, "UPDATE note SET title = title", NULL, 0, NULL,
                                error) >= 0;
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Progress *progress = user_data;

  g_assert_true (g_thread_self () == progress->thread);
  progress->ok = gorm_migration_run_finish (GORM_MIGRATION (source), result, &progress->error);
  progress->done = TRUE;
}

static void
test_progress_async (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 2);
  Progress progress = { 0 };
  gint64 start;
  gdouble seconds;
  const guint n_steps = 200;

  for (guint i = 0; i < n_steps; i++)
    gorm_migration_add_step (migration, 2, i % 2 ? GORM_MIGRATION_STAGE_AFTER_CHANGES
                                                 : GORM_MIGRATION_STAGE_BEFORE_CHANGES,
                             slow_step, NULL, NULL);
  progress_init (&progress, migration);
  start = g_get_monotonic_time ();
  gorm_migration_run_async (migration, NULL, run_done_cb, &progress);
  while (!progress.done)
    g_main_context_iteration (NULL, TRUE);
  seconds = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
  g_assert_no_error (progress.error);
  g_assert_true (progress.ok);

  assert_progress (&progress);
  /* Emitted while the steps ran, at most about 60 times a second, not
   * once per step. */
  g_assert_cmpuint (progress.fractions->len, >=, 3);
  g_assert_cmpuint (progress.fractions->len, <, n_steps);
  g_assert_cmpfloat (progress.fractions->len, <=, 60 * seconds * 1.5 + 3);
  g_assert_nonnull (progress.last_change);
  g_assert_cmpint (gorm_migration_change_get_kind (progress.last_change), ==,
                   GORM_MIGRATION_CHANGE_SET_VERSION);
  g_assert_cmpfloat (gorm_migration_get_fraction (migration), ==, 1.0);
  g_assert_cmpuint (schema_version (db), ==, 2);

  /* Nothing is left queued after the last one. */
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpfloat (g_array_index (progress.fractions, gdouble, progress.fractions->len - 1), ==, 1.0);

  progress_clear (&progress);
  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

/* A synchronous run in the migration's own context: the last progress
 * (1.0) is emitted before run() returns, and nothing older after it. */
static void
test_progress_sync (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 2);
  Progress progress = { 0 };

  for (guint i = 0; i < 20; i++)
    gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES, slow_step,
                             NULL, NULL);
  progress_init (&progress, migration);
  run_ok (migration);
  assert_progress (&progress);
  g_assert_cmpuint (progress.fractions->len, ==, 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (progress.fractions->len, ==, 1);
  g_assert_cmpfloat (gorm_migration_get_fraction (migration), ==, 1.0);

  progress_clear (&progress);
  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

/* Steps on the worker use objects too (run_async). */
static void
test_async_steps (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 2);
  g_autofree char *titles = NULL;
  g_autofree char *words = NULL;
  Progress progress = { 0 };
  GString *log = attach_log (migration);

  gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES, upper_titles_step,
                           "b", NULL);
  gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES, count_words_step,
                           "a", NULL);
  progress.thread = g_thread_self ();
  gorm_migration_run_async (migration, NULL, run_done_cb, &progress);
  while (!progress.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (progress.error);
  g_assert_true (progress.ok);
  g_assert_cmpstr (log->str, ==, "2b 2a ");
  titles = titles_of (db);
  g_assert_cmpstr (titles, ==, "ALPHA,BETA GAMMA");
  words = test_query_text (db, "SELECT SUM(words) FROM note");
  g_assert_cmpstr (words, ==, "3");
  g_assert_cmpuint (schema_version (db), ==, 2);

  progress_clear (&progress);
  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

static void
plan_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Progress *progress = user_data;

  progress->plan = gorm_migration_plan_finish (GORM_MIGRATION (source), result, &progress->error);
  progress->done = TRUE;
}

static void
test_async_plan_and_failure (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GormMigration) migration = new_migration (db, V2, 2);
  g_autoptr(GormMigration) failing = new_migration (db, V2, 2);
  g_autoptr(GormMigrationChange) last = NULL;
  Progress progress = { 0 };
  guint n;

  progress.thread = g_thread_self ();
  gorm_migration_plan_async (migration, NULL, plan_done_cb, &progress);
  while (!progress.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (progress.error);
  n = g_list_model_get_n_items (progress.plan);
  g_assert_cmpuint (n, >=, 2);
  last = g_list_model_get_item (progress.plan, n - 1);
  g_assert_cmpint (gorm_migration_change_get_kind (last), ==, GORM_MIGRATION_CHANGE_SET_VERSION);
  g_assert_false (has_column (db, "note", "words"));

  /* A failing step, on the worker. */
  progress.done = FALSE;
  gorm_migration_add_step (failing, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES, failing_step,
                           NULL, NULL);
  gorm_migration_run_async (failing, NULL, run_done_cb, &progress);
  while (!progress.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (progress.error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_false (progress.ok);
  assert_at_version_1 (db);

  /* A cancelled one. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_clear_error (&progress.error);
    progress.done = FALSE;
    g_cancellable_cancel (cancellable);
    gorm_migration_run_async (migration, cancellable, run_done_cb, &progress);
    while (!progress.done)
      g_main_context_iteration (NULL, TRUE);
    g_assert_error (progress.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    assert_at_version_1 (db);
  }

  progress_clear (&progress);
  g_clear_object (&failing);
  g_clear_object (&migration);
  g_clear_object (&db);
  test_remove_file (path);
}

static void
test_schema_version (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_at_version_1 (&path);
  g_autoptr(GError) error = NULL;
  guint version = G_MAXUINT;

  gorm_database_get_schema_version_async (db, NULL, version_done_cb, &version);
  while (version == G_MAXUINT)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (version, ==, 1);

  /* A version that is not a number. */
  g_assert_cmpint (gorm_database_execute (db, "UPDATE gorm_schema SET value = 'x1' WHERE name = 'version'",
                                          NULL, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_schema_version (db, NULL, &error), ==, 0);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "“x1”"));
  g_clear_error (&error);
  {
    g_autoptr(GormMigration) migration = new_migration (db, V1, 2);

    g_assert_false (gorm_migration_run (migration, NULL, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  }

  g_clear_object (&db);
  test_remove_file (path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Migration/fresh-database", test_fresh_database);
  g_test_add_func ("/Gorm/Migration/upgrade-runs-steps-in-order", test_upgrade_runs_steps_in_order);
  g_test_add_func ("/Gorm/Migration/newer-database-refused", test_newer_database_refused);
  g_test_add_func ("/Gorm/Migration/unversioned", test_unversioned);
  g_test_add_func ("/Gorm/Migration/nothing-to-do", test_nothing_to_do);
  g_test_add_data_func ("/Gorm/Migration/failure/before-step",
                        GINT_TO_POINTER (FAIL_BEFORE_STEP), test_failure);
  g_test_add_data_func ("/Gorm/Migration/failure/after-step",
                        GINT_TO_POINTER (FAIL_AFTER_STEP), test_failure);
  g_test_add_data_func ("/Gorm/Migration/failure/silent-step",
                        GINT_TO_POINTER (FAIL_SILENT_STEP), test_failure);
  g_test_add_data_func ("/Gorm/Migration/failure/apply",
                        GINT_TO_POINTER (FAIL_APPLY), test_failure);
  g_test_add_data_func ("/Gorm/Migration/failure/version",
                        GINT_TO_POINTER (FAIL_VERSION), test_failure);
  g_test_add_data_func ("/Gorm/Migration/failure/commit",
                        GINT_TO_POINTER (FAIL_COMMIT), test_failure);
  g_test_add_func ("/Gorm/Migration/cancelled", test_cancelled);
  g_test_add_func ("/Gorm/Migration/step-needs-rebuild", test_step_needs_rebuild);
  g_test_add_func ("/Gorm/Migration/plan", test_plan);
  g_test_add_func ("/Gorm/Migration/progress-async", test_progress_async);
  g_test_add_func ("/Gorm/Migration/progress-sync", test_progress_sync);
  g_test_add_func ("/Gorm/Migration/async-plan-and-failure", test_async_plan_and_failure);
  g_test_add_func ("/Gorm/Migration/async-steps", test_async_steps);
  g_test_add_func ("/Gorm/Migration/schema-version", test_schema_version);

  return g_test_run ();
}
