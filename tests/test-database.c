/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gstdio.h>

#include "gorm-test-utils.h"

static char *
pragma (GormDatabase *db,
        const char   *name)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA %s", name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdaDataModel) model = NULL;
  const GValue *value;

  model = test_select (db, sql);
  g_assert_no_error (error);
  value = gda_data_model_get_value_at (model, 0, 0, &error);
  g_assert_no_error (error);
  return gda_value_stringify (value);
}

static void
assert_file_settings (GormDatabase *db)
{
  g_autofree char *journal = pragma (db, "journal_mode");
  g_autofree char *synchronous = pragma (db, "synchronous");
  g_autofree char *foreign_keys = pragma (db, "foreign_keys");
  g_autofree char *busy = pragma (db, "busy_timeout");
  g_autofree char *spill = pragma (db, "cache_spill");

  g_assert_cmpstr (journal, ==, "wal");
  g_assert_cmpstr (synchronous, ==, "1"); /* NORMAL */
  g_assert_cmpstr (foreign_keys, ==, "1");
  g_assert_cmpint (atoi (busy), >=, 5000);
  /* 2,000 pages: see gorm-dialect-sqlite.c. */
  g_assert_cmpstr (spill, ==, "2000");
}

static void
test_open_absolute_path (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  assert_file_settings (db);
  g_assert_true (g_str_has_prefix (gorm_database_get_uri (db), "sqlite:/"));
  g_assert_true (GDA_IS_CONNECTION (gorm_database_get_connection (db)));

  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

static gint64
count_in_other_process (const char *path)
{
  g_autofree char *count = test_sqlite3_shell (path, "SELECT count(*) FROM t;");

  return g_ascii_strtoll (count, NULL, 10);
}

/* A second database on the same file, in the same process, leaves the
 * first one's locks alone: the other processes see every commit of
 * both, never take the WAL for their own, and the first sees theirs. */
static void
test_open_file_twice (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) first = test_open_file (&path);
  g_autoptr(GormDatabase) second = NULL;
  g_autoptr(GormDatabase) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = test_uri_of_file (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *read_only_uri = g_strconcat (uri, "?mode=ro", NULL);
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GormRow) row = NULL;

  gorm_database_execute (first, "CREATE TABLE t (x INTEGER)", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  second = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  third = gorm_database_open (read_only_uri, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (gorm_database_begin (first, NULL, &error));
  gorm_database_execute (first, "INSERT INTO t VALUES (1)", NULL, 0, NULL, &error);
  g_assert_true (gorm_database_commit (first, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_in_other_process (path), ==, 1);
  /* The other process did not think itself the last one: the WAL is
   * still there, and what is written next reaches it too. */
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  gorm_database_execute (second, "INSERT INTO t VALUES (2)", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_in_other_process (path), ==, 2);

  g_free (test_sqlite3_shell (path, "INSERT INTO t VALUES (3);"));
  rows = gorm_database_select (first, "SELECT count(*) AS n FROM t", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  row = g_list_model_get_item (rows, 0);
  g_assert_cmpint (gorm_row_get_int64 (row, "n"), ==, 3);
  g_clear_object (&row);
  g_clear_object (&rows);

  /* Closing one keeps the others' hold. */
  g_assert_true (gorm_database_close (third, NULL, &error));
  g_assert_true (gorm_database_close (second, NULL, &error));
  g_assert_no_error (error);
  gorm_database_execute (first, "INSERT INTO t VALUES (4)", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_in_other_process (path), ==, 4);

  g_assert_finalize_object (g_steal_pointer (&third));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&first));
  test_remove_file (path);
}

static void
test_open_relative_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gorm-test-XXXXXX", &error);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *path = g_build_filename (dir, "sub", "relative.db", NULL);
  g_autofree char *subdir = g_build_filename (dir, "sub", NULL);
  g_autoptr(GormDatabase) db = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);
  g_assert_cmpint (g_chdir (dir), ==, 0);
  db = gorm_database_open ("sqlite:sub/relative.db", NULL, &error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_no_error (error);

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  assert_file_settings (db);

  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
  g_rmdir (dir);
}

static void
test_open_uri_form (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gorm-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "uri form.db", NULL);
  g_autofree char *uri = g_strconcat ("sqlite://", path, NULL);
  g_autoptr(GormDatabase) db = NULL;

  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (path));
  db = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  assert_file_settings (db);

  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

static void
test_open_memory_uri (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormDatabase) other = test_open_memory ();
  g_autofree char *foreign_keys = pragma (db, "foreign_keys");
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (foreign_keys, ==, "1");
  g_assert_cmpstr (gorm_database_get_uri (db), ==, "sqlite::memory:");

  /* Two memory databases are two databases. */
  test_migrate (db, TEST_TYPE_POST);
  g_assert_cmpint (gorm_database_execute (db, "INSERT INTO test_post (title) VALUES ('x')",
                                          NULL, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (other, "INSERT INTO test_post (title) VALUES ('x')",
                                          NULL, 0, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);

  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
assert_connection_error (const char *uri,
                         const char *named)
{
  g_autoptr(GError) error = NULL;
  GormDatabase *db = gorm_database_open (uri, NULL, &error);

  g_assert_null (db);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, named));
}

static void
test_open_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gorm-test-XXXXXX", &error);
  g_autofree char *text_file = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *text_uri = g_strconcat ("sqlite:", text_file, NULL);

  g_assert_no_error (error);
  assert_connection_error ("mysql://localhost/db", "mysql://localhost/db");
  assert_connection_error ("", "“”");
  assert_connection_error ("sqlite:", "sqlite:");
  assert_connection_error ("sqlite:/no/such/directory/x.db", "sqlite:/no/such/directory/x.db");
  assert_connection_error ("sqlite://host/x.db", "sqlite://host/x.db");
  assert_connection_error ("sqlite:/tmp/", "sqlite:/tmp/");

  /* A directory, and a file that is not a database. */
  {
    g_autofree char *dir_uri = g_strconcat ("sqlite:", dir, NULL);

    assert_connection_error (dir_uri, dir_uri);
  }
  g_assert_true (g_file_set_contents (text_file, "Dear diary, this is no database.\n"
                                      "It is long enough to be read as a header, though.\n"
                                      "Really quite long, to be sure of it.", -1, NULL));
  {
    GormDatabase *db = gorm_database_open (text_uri, NULL, &error);

    /* A file that is not a database is a damaged one. */
    g_assert_null (db);
    g_assert_error (error, GORM_ERROR, GORM_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, text_uri));
    g_clear_error (&error);
  }

  /* A password is never shown. */
  {
    GormDatabase *db = gorm_database_open ("postgresql://me:s3cret@127.0.0.1:1/db", NULL, &error);

    g_assert_null (db);
    g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
    g_assert_null (strstr (error->message, "s3cret"));
    g_assert_nonnull (strstr (error->message, "postgresql://me:***@127.0.0.1:1/db"));
  }

  g_remove (text_file);
  g_rmdir (dir);
}

static void
test_open_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_null (gorm_database_open ("sqlite::memory:", cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_default (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormDatabase) other = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = NULL;

  g_assert_null (gorm_database_get_default ());
  gorm_database_set_default (db);
  g_assert_true (gorm_database_get_default () == db);
  gorm_database_set_default (other);
  g_assert_true (gorm_database_get_default () == other);

  /* A resource with no database uses the default, and keeps it. */
  test_migrate (other, TEST_TYPE_POST);
  post = g_object_new (TEST_TYPE_POST, "title", "Hello", NULL);
  g_assert_null (gorm_resource_get_database (post));
  g_assert_true (gorm_resource_save (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_get_database (post) == other);

  gorm_database_set_default (NULL);
  g_assert_null (gorm_database_get_default ());

  /* Without a default, saving fails cleanly. */
  {
    g_autoptr(GormResource) orphan = g_object_new (TEST_TYPE_POST, "title", "Alone", NULL);

    g_assert_false (gorm_resource_save (orphan, NULL, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
    g_assert_false (gorm_resource_is_saved (orphan));
    g_clear_error (&error);
    g_assert_finalize_object (g_steal_pointer (&orphan));
  }

  /* Closing the default database unsets it. */
  gorm_database_set_default (db);
  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_null (gorm_database_get_default ());

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
test_close (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db, "title", "x", NULL);
  GType type = TEST_TYPE_POST;

  test_migrate (db, type);
  g_assert_true (gorm_resource_save (post, NULL, &error));
  g_assert_false (gorm_database_is_closed (db));
  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_is_closed (db));
  g_assert_false (gda_connection_is_opened (gorm_database_get_connection (db)));

  /* Everything fails afterwards, without crashing; closing again is fine. */
  g_object_set (post, "title", "y", NULL);
  g_assert_false (gorm_resource_save (post, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_null (gorm_database_get (db, TEST_TYPE_POST, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_false (gorm_database_begin (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_cmpint (gorm_database_execute (db, "SELECT 1", NULL, 0, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_true (gorm_database_close (db, NULL, &error));

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_new_for_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdaConnection) connection = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GormResource) post = NULL;

  connection = gda_connection_open_from_string ("SQLite",
                                                "DB_DIR=;DB_NAME=:memory:;APPEND_DB_EXTENSION=FALSE",
                                                NULL, GDA_CONNECTION_OPTIONS_NONE, &error);
  g_assert_no_error (error);
  db = gorm_database_new_for_connection (connection);
  g_assert_true (gorm_database_get_connection (db) == connection);

  test_migrate (db, TEST_TYPE_POST);
  post = g_object_new (TEST_TYPE_POST, "database", db, "title", "Borrowed", NULL);
  g_assert_true (gorm_resource_save (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gorm_resource_get_id (post), ==, 1);

  /* The application's connection stays open when the database goes. */
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_true (gda_connection_is_opened (connection));
}

static gboolean
table_exists (GormDatabase *db,
              const char   *table)
{
  g_autofree char *sql = g_strdup_printf (test_engine_is_postgresql ()
                                          ? "SELECT CAST(count(*) AS integer) FROM information_schema.tables "
                                            "WHERE table_schema = current_schema() AND table_name = '%s'"
                                          : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                                          table);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdaDataModel) model = test_select (db, sql);

  g_assert_no_error (error);
  return g_value_get_int (gda_data_model_get_value_at (model, 0, 0, NULL)) == 1;
}

/* SQLite's CREATE statement of a table or index; on PostgreSQL, which
 * keeps none, an index's definition, or a table's columns as
 * "name type(length) NOT NULL IDENTITY, …". */
static char *
schema_sql (GormDatabase *db,
            const char   *name)
{
  g_autofree char *sql = NULL;

  if (test_engine_is_postgresql ())
    sql = g_strdup_printf ("SELECT indexdef FROM pg_indexes WHERE indexname = '%s' "
                           "UNION ALL SELECT string_agg(column_name || ' ' || data_type || "
                           "coalesce('(' || character_maximum_length || ')', '') || "
                           "CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END || "
                           "CASE WHEN is_identity = 'YES' THEN ' IDENTITY' ELSE '' END, ', ' "
                           "ORDER BY ordinal_position) FROM information_schema.columns "
                           "WHERE table_schema = current_schema() AND table_name = '%s' "
                           "HAVING count(*) > 0", name, name);
  else
    sql = g_strdup_printf ("SELECT sql FROM sqlite_master WHERE name = '%s'", name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdaDataModel) model = test_select (db, sql);

  g_assert_no_error (error);
  if (gda_data_model_get_n_rows (model) == 0)
    return NULL;
  return g_value_dup_string (gda_data_model_get_value_at (model, 0, 0, NULL));
}

static void
test_migrate_creates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autofree char *table = NULL;
  g_autofree char *index = NULL;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_true (table_exists (db, "test_post"));
  table = schema_sql (db, "test_post");
  index = schema_sql (db, "ix_test_post_pub_date");
  if (test_engine_is_postgresql ())
    {
      g_assert_cmpstr (table, ==,
                       "id bigint NOT NULL IDENTITY, title character varying(200) NOT NULL, "
                       "content text, views bigint NOT NULL, rating double precision NOT NULL, published boolean NOT NULL, "
                       "pub_date timestamp with time zone, updated timestamp with time zone");
      g_assert_cmpstr (index, ==,
                       "CREATE INDEX ix_test_post_pub_date ON public.test_post USING btree (pub_date NULLS FIRST)");
      g_assert_finalize_object (g_steal_pointer (&db));
      return;
    }
  g_clear_pointer (&index, g_free);
  g_assert_cmpstr (table, ==,
                   "CREATE TABLE \"test_post\" (\"id\" INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "\"title\" VARCHAR(200) NOT NULL CHECK (typeof(\"title\") IN ('text', 'null')), "
                   "\"content\" TEXT CHECK (typeof(\"content\") IN ('text', 'null')), "
                   "\"views\" INTEGER NOT NULL DEFAULT 0 CHECK (typeof(\"views\") IN ('integer', 'null')), "
                   "\"rating\" REAL NOT NULL DEFAULT 0 CHECK (typeof(\"rating\") IN ('real', 'null')), "
                   "\"published\" BOOLEAN NOT NULL DEFAULT 0 CHECK (typeof(\"published\") IN ('integer', 'null')), "
                   "\"pub_date\" DATETIME CHECK (typeof(\"pub_date\") IN ('text', 'null')), "
                   "\"updated\" DATETIME CHECK (typeof(\"updated\") IN ('text', 'null')))");
  index = schema_sql (db, "ix_test_post_pub_date");
  g_assert_cmpstr (index, ==,
                   "CREATE INDEX \"ix_test_post_pub_date\" ON \"test_post\" (\"pub_date\")");

  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_migrate_idempotent (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(TestLog) log = test_log_attach (db);

  test_migrate (db, TEST_TYPE_POST);
  g_assert_cmpuint (test_log_count (log, "CREATE TABLE"), ==, 1);
  g_assert_cmpuint (test_log_count (log, "CREATE INDEX"), ==, 1);
  test_log_clear (log);

  test_migrate (db, TEST_TYPE_POST);
  g_assert_cmpuint (test_log_count (log, "CREATE TABLE"), ==, 0);
  g_assert_cmpuint (test_log_count (log, "ALTER TABLE"), ==, 0);
  /* Only IF NOT EXISTS index statements, which change nothing. */
  for (guint i = 0; i < log->statements->len; i++)
    {
      const char *sql = g_ptr_array_index (log->statements, i);

      g_assert_true (g_str_has_prefix (sql, "SELECT") || g_str_has_prefix (sql, "BEGIN") ||
                     g_str_has_prefix (sql, "COMMIT") ||
                     g_str_has_prefix (sql, "CREATE INDEX IF NOT EXISTS"));
    }

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Version 1 and 2 of one table: version 2 adds properties. */
TEST_DEFINE_RESOURCE (TestNoteV1, test_note_v1)
TEST_DEFINE_RESOURCE (TestNoteV2, test_note_v2)
TEST_DEFINE_RESOURCE (TestNoteV3, test_note_v3)

static void
test_note_v1_class_init (TestNoteV1Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "note");
}

static void
test_note_v2_class_init (TestNoteV2Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("author", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("stars", NULL, NULL, 0, 5, 3, G_PARAM_READWRITE),
    g_param_spec_string ("slug", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (resource_class, "note");
  gorm_resource_class_set_indexed (resource_class, "author");
  gorm_resource_class_set_not_null (resource_class, "stars");
  gorm_resource_class_set_unique (resource_class, "slug");
}

static void
test_note_v3_class_init (TestNoteV3Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (resource_class, "note");
  gorm_resource_class_set_not_null (resource_class, "when");
}

static void
test_migrate_adds_columns (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) old = g_object_new (test_note_v1_get_type (), "database", db,
                                              "text", "written by v1", NULL);
  g_autoptr(GormResource) loaded = NULL;
  g_autofree char *author = NULL;
  g_autofree char *text = NULL;
  g_autofree char *index = NULL;
  int stars;

  test_migrate (db, test_note_v1_get_type ());
  g_assert_true (gorm_resource_save (old, NULL, &error));
  g_assert_no_error (error);

  test_migrate (db, test_note_v2_get_type ());
  index = schema_sql (db, "ix_note_author");
  g_assert_nonnull (index);

  /* The old row reads with the new columns' defaults. */
  loaded = gorm_database_get (db, test_note_v2_get_type (), gorm_resource_get_id (old), NULL, &error);
  g_assert_no_error (error);
  g_object_get (loaded, "text", &text, "author", &author, "stars", &stars, NULL);
  g_assert_cmpstr (text, ==, "written by v1");
  g_assert_null (author);
  g_assert_cmpint (stars, ==, 3);

  /* The added unique column is enforced. */
  {
    g_autoptr(GormResource) a = g_object_new (test_note_v2_get_type (), "database", db, "slug", "same", NULL);
    g_autoptr(GormResource) b = g_object_new (test_note_v2_get_type (), "database", db, "slug", "same", NULL);

    g_assert_true (gorm_resource_save (a, NULL, &error));
    g_assert_false (gorm_resource_save (b, NULL, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
    g_clear_error (&error);
    g_assert_finalize_object (g_steal_pointer (&a));
    g_assert_finalize_object (g_steal_pointer (&b));
  }

  /* A not-null column without a default cannot be added to existing rows:
   * the migration fails and changes nothing. */
  {
    GType v3 = test_note_v3_get_type ();
    g_autofree char *before = schema_sql (db, "note");
    g_autofree char *after = NULL;

    g_assert_false (gorm_database_migrate (db, &v3, 1, NULL, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
    g_assert_nonnull (strstr (error->message, "TestNoteV3:when"));
    after = schema_sql (db, "note");
    g_assert_cmpstr (before, ==, after);
    g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  }

  g_assert_finalize_object (g_steal_pointer (&old));
  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_migrate_errors_change_nothing (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType types[] = { TEST_TYPE_POST, G_TYPE_OBJECT };

  /* The second type is no resource: the first table is not created. */
  g_assert_false (gorm_database_migrate (db, types, 2, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE);
  g_assert_nonnull (strstr (error->message, "GObject"));
  g_assert_false (table_exists (db, "test_post"));

  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_get (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db,
                                               "title", "Findable", "views", 7, NULL);
  g_autoptr(GormResource) found = NULL;
  g_autofree char *title = NULL;
  gint64 id;
  int views;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_true (gorm_resource_save (post, NULL, &error));
  id = gorm_resource_get_id (post);
  /* Dropped, so that the row is read back into a new object. */
  g_assert_finalize_object (g_steal_pointer (&post));

  found = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (found, TEST_TYPE_POST));
  g_object_get (found, "title", &title, "views", &views, NULL);
  g_assert_cmpstr (title, ==, "Findable");
  g_assert_cmpint (views, ==, 7);
  g_assert_cmpint (gorm_resource_get_id (found), ==, id);
  g_assert_true (gorm_resource_get_database (found) == db);
  g_assert_true (gorm_resource_is_saved (found));
  g_assert_false (gorm_resource_is_dirty (found));

  g_assert_null (gorm_database_get (db, TEST_TYPE_POST, 4242, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "TestPost"));
  g_assert_nonnull (strstr (error->message, "4242"));
  g_clear_error (&error);

  /* The key as a GValue of another integer type, or of a wrong type. */
  {
    g_auto(GValue) key = G_VALUE_INIT;
    g_autoptr(GormResource) again = NULL;

    g_value_init (&key, G_TYPE_INT);
    g_value_set_int (&key, (int) id);
    again = gorm_database_get_by_key (db, TEST_TYPE_POST, &key, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (again == found);
    g_clear_object (&again);
    g_value_unset (&key);

    g_value_init (&key, G_TYPE_STRING);
    g_value_set_string (&key, "1");
    g_assert_null (gorm_database_get_by_key (db, TEST_TYPE_POST, &key, NULL, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
    g_clear_error (&error);
  }

  /* A type that is no resource. */
  g_assert_null (gorm_database_get (db, G_TYPE_OBJECT, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE);
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&found));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_execute (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_utc (2024, 3, 5, 13, 3, 2.5);
  g_autoptr(GormResource) post = NULL;
  GValue params[4] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  g_autofree char *title = NULL;
  g_autofree char *content = NULL;
  g_autoptr(GDateTime) pub_date = NULL;
  gint64 rows;
  int views;

  test_migrate (db, TEST_TYPE_POST);

  /* Values are bound: quotes, semicolons and question marks are data. */
  g_value_init (&params[0], G_TYPE_STRING);
  g_value_set_string (&params[0], "It's; DROP TABLE test_post; -- ?");
  g_value_init (&params[1], G_TYPE_INT);
  g_value_set_int (&params[1], 42);
  g_value_init (&params[2], G_TYPE_DATE_TIME);
  g_value_set_boxed (&params[2], when);
  g_value_init (&params[3], G_TYPE_STRING);
  g_value_set_string (&params[3], NULL);
  rows = gorm_database_execute (db,
                                "INSERT INTO test_post (title, views, pub_date, content) "
                                "VALUES (?, ?, ?, ?) -- a comment with a ?",
                                params, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rows, ==, 1);

  post = gorm_database_get (db, TEST_TYPE_POST, 1, NULL, &error);
  g_assert_no_error (error);
  g_object_get (post, "title", &title, "views", &views, "pub-date", &pub_date, "content", &content, NULL);
  g_assert_cmpstr (title, ==, "It's; DROP TABLE test_post; -- ?");
  g_assert_cmpint (views, ==, 42);
  g_assert_true (g_date_time_equal (pub_date, when));
  g_assert_null (content);

  /* Rows changed; a '?' in a string literal is no placeholder. */
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_post SET content = '?' WHERE views = ?",
                                          &params[1], 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_post SET content = 'x' WHERE views > 1000",
                                          NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);

  /* A statement that answers with rows runs; its rows are dropped. */
  g_assert_cmpint (gorm_database_execute (db, test_engine_is_postgresql ()
                                                ? "  select set_config('lock_timeout', '6s', false)"
                                                : "  pragma case_sensitive_like=OFF",
                                          NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (db, test_engine_is_postgresql () ? "EXPLAIN SELECT 1"
                                                                          : "PRAGMA journal_mode=delete",
                                          NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (db, "SELECT count(*) FROM test_post WHERE views = ?",
                                          &params[1], 1, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (db, "SELECT * FROM no_such_table", NULL, 0, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no_such_table"));
  g_clear_error (&error);

  /* Wrong counts, bad SQL and unsupported values fail cleanly. */
  g_assert_cmpint (gorm_database_execute (db, "DELETE FROM test_post WHERE id = ?", NULL, 0, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (gorm_database_execute (db, "DELETE FROM test_post", params, 1, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (gorm_database_execute (db, "DELETE FROM no_such_table", NULL, 0, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no_such_table"));
  g_clear_error (&error);
  {
    g_auto(GValue) object = G_VALUE_INIT;

    g_value_init (&object, G_TYPE_OBJECT);
    g_assert_cmpint (gorm_database_execute (db, "DELETE FROM test_post WHERE id = ?", &object, 1, NULL, &error), ==, -1);
    g_assert_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE);
    g_clear_error (&error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    g_value_unset (&params[i]);
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

typedef struct
{
  GPtrArray *saved;
  GPtrArray *created;
  GPtrArray *deleted;
  gint64     id_during_delete;
} Signals;

static void
saved_cb (GormDatabase *db,
          GormResource *resource,
          gboolean      created,
          Signals      *signals)
{
  g_ptr_array_add (signals->saved, resource);
  if (created)
    g_ptr_array_add (signals->created, resource);
}

static void
deleted_cb (GormDatabase *db,
            GormResource *resource,
            Signals      *signals)
{
  g_ptr_array_add (signals->deleted, resource);
  signals->id_during_delete = gorm_resource_get_id (resource);
}

static void
test_signals (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", db, "title", "A", NULL);
  Signals signals = { g_ptr_array_new (), g_ptr_array_new (), g_ptr_array_new (), 0 };
  gint64 id;

  test_migrate (db, TEST_TYPE_POST);
  g_signal_connect (db, "resource-saved", G_CALLBACK (saved_cb), &signals);
  g_signal_connect (db, "resource-deleted", G_CALLBACK (deleted_cb), &signals);

  g_assert_true (gorm_resource_save (post, NULL, &error));
  id = gorm_resource_get_id (post);
  g_object_set (post, "title", "B", NULL);
  g_assert_true (gorm_resource_save (post, NULL, &error));
  g_assert_cmpuint (signals.saved->len, ==, 2);
  g_assert_cmpuint (signals.created->len, ==, 1);
  g_assert_true (g_ptr_array_index (signals.saved, 0) == post);

  /* A failed save emits nothing. */
  g_object_set (post, "title", NULL, NULL);
  g_assert_false (gorm_resource_save (post, NULL, &error));
  g_clear_error (&error);
  g_assert_cmpuint (signals.saved->len, ==, 2);

  g_assert_true (gorm_resource_delete (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (signals.deleted->len, ==, 1);
  g_assert_cmpint (signals.id_during_delete, ==, id);

  g_signal_handlers_disconnect_by_data (db, &signals);
  g_ptr_array_unref (signals.saved);
  g_ptr_array_unref (signals.created);
  g_ptr_array_unref (signals.deleted);
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

typedef struct
{
  GormDatabase *db;
  GThread      *thread;
  Signals      *signals;
} ThreadSave;

static gpointer
save_in_thread (gpointer data)
{
  ThreadSave *job = data;
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "database", job->db, "title", "T", NULL);

  g_assert_true (gorm_resource_save (post, NULL, NULL));
  return NULL;
}

static void
saved_thread_cb (GormDatabase *db,
                 GormResource *resource,
                 gboolean      created,
                 ThreadSave   *job)
{
  g_assert_true (g_thread_self () != job->thread);
  g_ptr_array_add (job->signals->saved, resource);
}

static void
test_signals_main_context (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  Signals signals = { g_ptr_array_new_with_free_func (NULL), NULL, NULL, 0 };
  ThreadSave job = { db, NULL, &signals };

  test_migrate (db, TEST_TYPE_POST);
  g_signal_connect (db, "resource-saved", G_CALLBACK (saved_thread_cb), &job);

  /* A save in another thread is signalled in the database's context. */
  job.thread = g_thread_new ("saver", save_in_thread, &job);
  g_thread_join (job.thread);
  g_assert_cmpuint (signals.saved->len, ==, 0);
  while (signals.saved->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (signals.saved->len, ==, 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_signal_handlers_disconnect_by_data (db, &job);
  g_ptr_array_unref (signals.saved);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The escape hatch takes BLOBs as GBytes and as libgda's own types; what
 * is stored is the bytes themselves, an empty blob included. */
static void
test_execute_blobs (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  static const guchar data[] = { 0, 'a', 0xff };
  GdaBinary binary = { (guchar *) data, sizeof data };
  GdaBlob blob = { { (guchar *) data, 2 }, NULL };
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  GValue params[3] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  g_autofree char *stored = NULL;

  g_value_init (&params[0], GDA_TYPE_BINARY);
  g_value_set_boxed (&params[0], &binary);
  g_value_init (&params[1], GDA_TYPE_BLOB);
  g_value_set_boxed (&params[1], &blob);
  g_value_init (&params[2], G_TYPE_BYTES);
  g_value_set_boxed (&params[2], empty);

  g_assert_cmpint (gorm_database_execute (db, test_engine_is_postgresql () ? "CREATE TABLE b (n serial, v bytea)"
                                                                          : "CREATE TABLE b (v BLOB)",
                                          NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_database_execute (db, test_engine_is_postgresql () ? "INSERT INTO b (v) VALUES (?), (?), (?)"
                                                                          : "INSERT INTO b VALUES (?), (?), (?)",
                                          params, 3, NULL, &error), ==, 3);
  g_assert_no_error (error);
  if (test_engine_is_postgresql ())
    stored = test_query_text (db, "SELECT string_agg('blob:' || upper(encode(v, 'hex')), ',' ORDER BY n) FROM b");
  else
    stored = test_query_text (db, "SELECT group_concat(typeof(v) || ':' || hex(v), ',') FROM b");
  g_assert_cmpstr (stored, ==, "blob:0061FF,blob:0061,blob:");

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    g_value_unset (&params[i]);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Cancelled before they run, the calls fail with G_IO_ERROR_CANCELLED and
 * change nothing, except commit, which rolls back: a transaction is never
 * left open by a cancellation. */
static void
test_cancelled_calls (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_POST);
  g_cancellable_cancel (cancellable);

  g_assert_false (gorm_database_begin (db, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  g_assert_cmpint (gorm_database_execute (db, "DELETE FROM test_post", NULL, 0, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_cmpint (gorm_database_execute (db, "INSERT INTO test_post (title) VALUES ('x')",
                                          NULL, 0, NULL, &error), ==, 1);
  g_assert_false (gorm_database_commit (db, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  g_assert_cmpint (test_count_posts (db), ==, 0);

  /* A rollback and a close run whatever the cancellable says. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (gorm_database_rollback (db, cancellable, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_close (db, cancellable, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_is_closed (db));

  /* Closed, every call says so. */
  g_assert_false (gorm_database_begin (db, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_cmpint (gorm_database_execute (db, "SELECT 1", NULL, 0, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
count_in_handler_cb (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  gint64 *count = user_data;
  GormDatabase *db = gorm_resource_get_database (GORM_RESOURCE (object));
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_POST);
  g_autoptr(GError) error = NULL;

  *count = gorm_query_count (query, NULL, &error);
  g_assert_no_error (error);
}

/* A notification handler that calls libgorm again, during a save or a
 * reload made in the main context: the lock is one plain mutex, so the
 * notification waits until the call has let it go, and comes before the
 * call returns. */
static void
test_reentrant_handlers (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count = -1;

  test_migrate (db, TEST_TYPE_POST);
  post = g_object_new (TEST_TYPE_POST, "database", db, "title", "a", NULL);
  g_signal_connect (post, "notify::id", G_CALLBACK (count_in_handler_cb), &count);
  g_signal_connect (post, "notify::title", G_CALLBACK (count_in_handler_cb), &count);

  test_save_ok (post);
  g_assert_cmpint (count, ==, 1);

  count = -1;
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_post SET title = 'b'", NULL, 0, NULL, &error), ==, 1);
  g_assert_true (gorm_resource_reload (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 1);

  /* Inside a transaction too. */
  count = -1;
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_post SET title = 'c'", NULL, 0, NULL, &error), ==, 1);
  g_assert_true (gorm_resource_reload (post, NULL, &error));
  g_assert_cmpint (count, ==, 1);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);

  g_signal_handlers_disconnect_by_data (post, &count);
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* SQLite's files and URIs; test-postgresql.c has PostgreSQL's. */
  if (!test_engine_is_postgresql ())
    {
      g_test_add_func ("/Gorm/Database/open-absolute-path", test_open_absolute_path);
      g_test_add_func ("/Gorm/Database/open-relative-path", test_open_relative_path);
      g_test_add_func ("/Gorm/Database/open-file-twice", test_open_file_twice);
      g_test_add_func ("/Gorm/Database/open-uri-form", test_open_uri_form);
      g_test_add_func ("/Gorm/Database/open-memory", test_open_memory_uri);
      g_test_add_func ("/Gorm/Database/open-errors", test_open_errors);
    }
  g_test_add_func ("/Gorm/Database/open-cancelled", test_open_cancelled);
  g_test_add_func ("/Gorm/Database/default", test_default);
  g_test_add_func ("/Gorm/Database/close", test_close);
  g_test_add_func ("/Gorm/Database/new-for-connection", test_new_for_connection);
  g_test_add_func ("/Gorm/Database/migrate-creates", test_migrate_creates);
  g_test_add_func ("/Gorm/Database/migrate-idempotent", test_migrate_idempotent);
  g_test_add_func ("/Gorm/Database/migrate-adds-columns", test_migrate_adds_columns);
  g_test_add_func ("/Gorm/Database/migrate-errors-change-nothing", test_migrate_errors_change_nothing);
  g_test_add_func ("/Gorm/Database/get", test_get);
  g_test_add_func ("/Gorm/Database/execute", test_execute);
  g_test_add_func ("/Gorm/Database/execute-blobs", test_execute_blobs);
  g_test_add_func ("/Gorm/Database/cancelled-calls", test_cancelled_calls);
  g_test_add_func ("/Gorm/Database/reentrant-handlers", test_reentrant_handlers);
  g_test_add_func ("/Gorm/Database/signals", test_signals);
  g_test_add_func ("/Gorm/Database/signals-main-context", test_signals_main_context);

  return g_test_run ();
}
