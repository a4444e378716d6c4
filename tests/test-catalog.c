/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The catalog (what a database has, read from the engine) and the
 * gorm-inspect tool that prints it, on tables libgorm migrated and on
 * tables another tool made.
 */

#include "config.h"

#include "gorm-catalog-private.h"
#include "gorm-database-private.h"
#include "gorm-test-utils.h"

TEST_DEFINE_RESOURCE (TestShelf, test_shelf)

static void
test_shelf_class_init (TestShelfClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("capacity", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (resource_class, "shelf");
  gorm_resource_class_set_max_length (resource_class, "label", 40);
  gorm_resource_class_set_unique (resource_class, "label");
  gorm_resource_class_set_nullable (resource_class, "capacity");
}

TEST_DEFINE_RESOURCE (TestBook, test_book)

static void
test_book_class_init (TestBookClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("shelf-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_int ("pages", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (resource_class, "book");
  gorm_resource_class_set_not_null (resource_class, "title");
  gorm_resource_class_set_nullable (resource_class, "shelf-id");
  gorm_resource_class_set_foreign_key (resource_class, "shelf-id", test_shelf_get_type (),
                                       GORM_ON_DELETE_SET_NULL);
  gorm_resource_class_add_index (resource_class, (const char *[]) { "title", "pages", NULL });
}

static GormDatabase *
open_library (char **path)
{
  GormDatabase *db = test_open_file (path);
  g_autoptr(GError) error = NULL;
  const GType types[] = { test_shelf_get_type (), test_book_get_type () };

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  return db;
}

static GormCatalogTable *
read_table (GormDatabase *db,
            const char   *name)
{
  g_autoptr(GError) error = NULL;
  GormCatalogTable *table;

  gorm_database_lock (db);
  table = gorm_catalog_read_table_locked (gorm_database_get_connection_locked (db, NULL),
                                          gorm_database_get_dialect (db), name, &error);
  gorm_database_unlock (db);
  g_assert_no_error (error);
  return table;
}

/* The index of @table on @columns; fails the test when there is none. */
static const GormCatalogIndex *
find_index (const GormCatalogTable *table,
            const char * const     *columns)
{
  for (guint i = 0; i < table->indexes->len; i++)
    {
      const GormCatalogIndex *index = g_ptr_array_index (table->indexes, i);

      if (g_strv_equal ((const char * const *) index->columns, columns))
        return index;
    }
  g_error ("%s has no index on %s", table->name, columns[0]);
}

static void
test_migrated_tables (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_library (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormCatalogTable) shelf = NULL;
  g_autoptr(GormCatalogTable) book = NULL;
  g_auto(GStrv) names = NULL;
  const GormCatalogColumn *column;
  const GormCatalogIndex *index;
  const GormCatalogForeignKey *key;

  gorm_database_lock (db);
  names = gorm_catalog_read_table_names_locked (gorm_database_get_connection_locked (db, NULL),
                                                gorm_database_get_dialect (db), &error);
  gorm_database_unlock (db);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) names, "shelf"));
  g_assert_true (g_strv_contains ((const char * const *) names, "book"));
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_false (g_str_has_prefix (names[i], "sqlite_"));

  shelf = read_table (db, "shelf");
  g_assert_nonnull (shelf);
  g_assert_cmpuint (shelf->columns->len, ==, 3);
  column = g_ptr_array_index (shelf->columns, 0);
  g_assert_cmpstr (column->name, ==, "id");
  g_assert_true (column->primary_key);
  column = gorm_catalog_table_find_column (shelf, "label");
  g_assert_nonnull (column);
  g_assert_false (column->primary_key);
  g_assert_nonnull (strstr (column->type, "40"));
  column = gorm_catalog_table_find_column (shelf, "capacity");
  g_assert_false (column->not_null);
  g_assert_null (gorm_catalog_table_find_column (shelf, "nothing"));
  index = find_index (shelf, (const char *[]) { "label", NULL });
  g_assert_nonnull (index);
  g_assert_true (index->unique);
  g_assert_false (index->primary);
  g_assert_cmpuint (shelf->foreign_keys->len, ==, 0);

  book = read_table (db, "book");
  column = gorm_catalog_table_find_column (book, "title");
  g_assert_true (column->not_null);
  g_assert_null (column->default_sql);
  /* A number that may not be NULL has its default. */
  column = gorm_catalog_table_find_column (book, "pages");
  g_assert_true (column->not_null);
  g_assert_cmpstr (column->default_sql, ==, "0");
  index = find_index (book, (const char *[]) { "title", "pages", NULL });
  g_assert_nonnull (index);
  g_assert_false (index->unique);
  g_assert_false (index->implicit);
  g_assert_nonnull (find_index (book, (const char *[]) { "shelf_id", NULL }));
  g_assert_cmpuint (book->foreign_keys->len, ==, 1);
  key = g_ptr_array_index (book->foreign_keys, 0);
  g_assert_cmpstr (key->column, ==, "shelf_id");
  g_assert_cmpstr (key->target_table, ==, "shelf");
  g_assert_cmpstr (key->target_column, ==, "id");
  g_assert_cmpstr (key->on_delete, ==, "SET NULL");

  /* No such table: NULL, no error. */
  g_assert_null (read_table (db, "missing"));

  g_clear_object (&db);
  test_remove_file (path);
}

/* Tables another tool made: composite keys, expression indexes, a
 * foreign key naming no column, every ON DELETE action. */
static void
test_foreign_tables (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormCatalogTable) pair = NULL;
  g_autoptr(GormCatalogTable) child = NULL;
  const GormCatalogIndex *index;
  static const char *statements[] = {
    "CREATE TABLE pair (a INTEGER NOT NULL, b TEXT NOT NULL DEFAULT 'x', PRIMARY KEY (a, b))",
    "CREATE INDEX pair_lower ON pair (lower (b))",
    "CREATE TABLE child (id INTEGER PRIMARY KEY, pa INTEGER, pb TEXT, r INTEGER, "
    "FOREIGN KEY (pa, pb) REFERENCES pair (a, b) ON DELETE CASCADE, "
    "FOREIGN KEY (r) REFERENCES child (id) ON DELETE RESTRICT)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      gorm_database_execute (db, statements[i], NULL, 0, NULL, &error);
      g_assert_no_error (error);
    }

  pair = read_table (db, "pair");
  g_assert_true (gorm_catalog_table_find_column (pair, "a")->primary_key);
  g_assert_true (gorm_catalog_table_find_column (pair, "b")->primary_key);
  g_assert_nonnull (strstr (gorm_catalog_table_find_column (pair, "b")->default_sql, "x"));
  index = find_index (pair, (const char *[]) { "a", "b", NULL });
  g_assert_nonnull (index);
  g_assert_true (index->primary);
  g_assert_true (index->implicit);
  /* The index on an expression is there, without column names. */
  index = NULL;
  for (guint i = 0; i < pair->indexes->len; i++)
    if (g_strcmp0 (((GormCatalogIndex *) g_ptr_array_index (pair->indexes, i))->name, "pair_lower") == 0)
      index = g_ptr_array_index (pair->indexes, i);
  g_assert_nonnull (index);
  g_assert_null (index->columns[0]);

  child = read_table (db, "child");
  g_assert_cmpuint (child->foreign_keys->len, >=, 2);
  for (guint i = 0; i < child->foreign_keys->len; i++)
    {
      const GormCatalogForeignKey *key = g_ptr_array_index (child->foreign_keys, i);

      if (g_str_equal (key->column, "r"))
        {
          g_assert_cmpstr (key->target_table, ==, "child");
          g_assert_cmpstr (key->on_delete, ==, "RESTRICT");
        }
      else
        {
          g_assert_cmpstr (key->target_table, ==, "pair");
          g_assert_cmpstr (key->on_delete, ==, "CASCADE");
        }
    }

  g_clear_object (&db);
  test_remove_file (path);
}

static char *
run_inspect (const char * const *arguments,
             int                *status,
             char              **errors)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *tool = g_getenv ("GORM_INSPECT");
  char *output = NULL;
  int wait_status = 0;

  g_assert_nonnull (tool);
  g_ptr_array_add (argv, (char *) tool);
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &output, errors, &wait_status, &error));
  g_assert_no_error (error);
  *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  return output;
}

static void
test_inspect_tool (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = open_library (&path);
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *uri = NULL;
  int status;

  /* A path for SQLite, the URI for PostgreSQL. */
  uri = g_strdup (path);
  output = run_inspect ((const char *[]) { uri, NULL }, &status, &errors);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (output, "\ntable book\n"));
  g_assert_nonnull (strstr (output, "\ntable shelf\n"));
  g_assert_nonnull (strstr (output, "shelf_id -> shelf (id) ON DELETE SET NULL"));
  g_assert_nonnull (strstr (output, "(title, pages)"));
  g_assert_nonnull (strstr (output, "UNIQUE (label)"));
  g_assert_nonnull (strstr (output, "\nSchema version: none\n"));
  /* The password of a server is never printed. */
  if (test_engine_is_postgresql ())
    {
      const char *start = strchr (path + strlen ("postgresql://"), ':') + 1;
      g_autofree char *password = g_strndup (start, strcspn (start, "@"));

      g_assert_cmpuint (strlen (password), >, 3);
      g_assert_null (strstr (output, password));
    }
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&errors, g_free);

  output = run_inspect ((const char *[]) { "--table", "shelf", uri, NULL }, &status, &errors);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (output, "table shelf"));
  g_assert_null (strstr (output, "table book"));
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&errors, g_free);

  /* The version a versioned migration records. */
  {
    const GType types[] = { test_shelf_get_type (), test_book_get_type () };
    g_autoptr(GormMigration) migration = gorm_migration_new (db, types, G_N_ELEMENTS (types));
    g_autoptr(GError) error = NULL;

    gorm_migration_set_version (migration, 7);
    g_assert_true (gorm_migration_run (migration, NULL, &error));
    g_assert_no_error (error);
  }
  output = run_inspect ((const char *[]) { uri, NULL }, &status, &errors);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (output, "\nSchema version: 7\n"));
  g_assert_null (strstr (output, "Schema version: none"));
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&errors, g_free);

  output = run_inspect ((const char *[]) { "--table", "nothing", uri, NULL }, &status, &errors);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (errors, "no table “nothing”"));
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&errors, g_free);

  output = run_inspect ((const char *[]) { "--help", NULL }, &status, &errors);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (output, "DATABASE"));
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&errors, g_free);

  output = run_inspect ((const char *[]) { NULL }, &status, &errors);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&errors, g_free);

  output = run_inspect ((const char *[]) { "/nonexistent/dir/file.db", NULL }, &status, &errors);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (errors, "no such file"));
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&errors, g_free);

  g_clear_object (&db);
  test_remove_file (path);
}

/* Inspecting an SQLite file changes nothing in it: not even the journal
 * mode, which opening it for writing would set. */
static void
test_inspect_changes_nothing (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *wal = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  dir = g_dir_make_tmp ("gorm-inspect-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (dir, "plain.db", NULL);
  g_free (test_sqlite3_shell (file, "CREATE TABLE t (a INTEGER); PRAGMA journal_mode=DELETE;"));

  output = run_inspect ((const char *[]) { file, NULL }, &status, &errors);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (output, "table t"));
  mode = test_sqlite3_shell (file, "PRAGMA journal_mode;");
  g_assert_nonnull (strstr (mode, "delete"));
  wal = g_strconcat (file, "-wal", NULL);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  test_remove_file (file);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Catalog/migrated-tables", test_migrated_tables);
  g_test_add_func ("/Gorm/Catalog/foreign-tables", test_foreign_tables);
  g_test_add_func ("/Gorm/Catalog/inspect-tool", test_inspect_tool);
  /* An SQLite file's journal mode. */
  if (!test_engine_is_postgresql ())
    g_test_add_func ("/Gorm/Catalog/inspect-changes-nothing", test_inspect_changes_nothing);

  return g_test_run ();
}
