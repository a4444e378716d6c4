/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gorm-test-utils.h"
#include "gorm-uri-private.h"

/*
 * Database URIs and their query parameters: each is honoured or refused
 * with GORM_ERROR_CONNECTION, and never becomes part of a file name; a
 * path that cannot be opened says why.
 */

TEST_DEFINE_RESOURCE (TestNote, test_note)
#define TEST_TYPE_NOTE (test_note_get_type ())

static void
test_note_class_init (TestNoteClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static GormDatabase *
open_ok (const char *uri)
{
  g_autoptr(GError) error = NULL;
  GormDatabase *db = gorm_database_open (uri, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

static void
assert_open_fails (const char *uri,
                   GormError   code,
                   const char *said)
{
  g_autoptr(GError) error = NULL;
  GormDatabase *db = gorm_database_open (uri, NULL, &error);

  g_assert_null (db);
  g_assert_error (error, GORM_ERROR, (gint) code);
  g_test_message ("%s", error->message);
  if (strstr (error->message, said) == NULL)
    g_test_message ("expected “%s” in the message", said);
  g_assert_nonnull (strstr (error->message, said));
}

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("gorm-uri-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (listing);
  while (g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

static GormResource *
new_post (GormDatabase *db,
          const char   *title)
{
  return g_object_new (TEST_TYPE_POST, "database", db, "title", title, NULL);
}

static void
assert_read_only (const GError *error)
{
  g_assert_error (error, GORM_ERROR, GORM_ERROR_READ_ONLY);
  g_test_message ("%s", error->message);
}

/* mode=ro: reading works, every write fails with READ_ONLY and leaves
 * the file as it was. */
static void
test_read_only (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) writer = test_open_file (&path);
  g_autoptr(GormResource) post = new_post (writer, "kept");
  g_autofree char *uri = g_strconcat ("sqlite:", path, "?mode=ro", NULL);
  g_autofree char *absolute_uri = g_strconcat ("sqlite://", path, "?mode=ro", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GormDatabase) reader = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GormResource) fresh = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) views = G_VALUE_INIT;
  guint entries;
  GType type = TEST_TYPE_NOTE;

  test_migrate (writer, TEST_TYPE_POST);
  test_save_ok (post);
  entries = count_entries (dir);

  reader = open_ok (uri);
  g_assert_cmpstr (gorm_database_get_uri (reader), ==, uri);

  /* Reading. */
  loaded = gorm_database_get (reader, TEST_TYPE_POST, gorm_resource_get_id (post), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  query = gorm_database_query (reader, TEST_TYPE_POST);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
  g_assert_no_error (error);
  model = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  /* Nothing to change: a migration only reads. */
  {
    GType post_type = TEST_TYPE_POST;

    g_assert_true (gorm_database_migrate (reader, &post_type, 1, NULL, &error));
    g_assert_no_error (error);
  }
  /* A new table is a write. */
  g_assert_false (gorm_database_migrate (reader, &type, 1, NULL, &error));
  assert_read_only (error);
  g_clear_error (&error);

  /* Writing: insert, update, delete, bulk update and delete, raw SQL. */
  fresh = new_post (reader, "refused");
  g_assert_false (gorm_resource_save (fresh, NULL, &error));
  assert_read_only (error);
  g_clear_error (&error);
  g_assert_false (gorm_resource_is_saved (fresh));

  g_object_set (loaded, "title", "changed", NULL);
  g_assert_false (gorm_resource_save (loaded, NULL, &error));
  assert_read_only (error);
  g_clear_error (&error);
  g_assert_true (gorm_resource_is_dirty (loaded));

  g_assert_false (gorm_resource_delete (loaded, NULL, &error));
  assert_read_only (error);
  g_clear_error (&error);

  g_assert_cmpint (gorm_query_update (query, "views", test_int_value (&views, 3), NULL, &error), ==, -1);
  assert_read_only (error);
  g_clear_error (&error);
  g_assert_cmpint (gorm_query_delete (query, NULL, &error), ==, -1);
  assert_read_only (error);
  g_clear_error (&error);

  g_assert_cmpint (gorm_database_execute (reader, "DELETE FROM test_post", NULL, 0, NULL, &error), ==, -1);
  assert_read_only (error);
  g_clear_error (&error);

  /* The writer still works, and sees its row as it was. */
  g_assert_cmpint (test_count_posts (writer), ==, 1);
  {
    g_autofree char *title = test_query_text (writer, "SELECT title FROM test_post");

    g_assert_cmpstr (title, ==, "kept");
  }
  g_assert_finalize_object (g_steal_pointer (&model));
  g_clear_object (&query);
  g_assert_finalize_object (g_steal_pointer (&fresh));
  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&reader));

  /* The absolute form takes it too; no file was made on the way. */
  reader = open_ok (absolute_uri);
  g_assert_cmpint (gorm_database_execute (reader, "DELETE FROM test_post", NULL, 0, NULL, &error), ==, -1);
  assert_read_only (error);
  g_clear_error (&error);
  g_assert_finalize_object (g_steal_pointer (&reader));
  g_assert_cmpuint (count_entries (dir), ==, entries);

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&writer));
  test_remove_file (path);
}

/* mode=ro and mode=rw open an existing file only; mode=rwc (the default)
 * creates it. */
static void
test_modes_and_missing_files (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "later.db", NULL);
  g_autofree char *ro = g_strconcat ("sqlite:", path, "?mode=ro", NULL);
  g_autofree char *rw = g_strconcat ("sqlite:", path, "?mode=rw", NULL);
  g_autofree char *rwc = g_strconcat ("sqlite:", path, "?mode=rwc", NULL);
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GormResource) post = NULL;

  assert_open_fails (ro, GORM_ERROR_CONNECTION, "does not exist");
  assert_open_fails (rw, GORM_ERROR_CONNECTION, "does not exist");
  g_assert_cmpuint (count_entries (dir), ==, 0);

  db = open_ok (rwc);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_entries (dir), >=, 1);
  test_migrate (db, TEST_TYPE_POST);
  g_assert_finalize_object (g_steal_pointer (&db));

  /* mode=rw writes. */
  db = open_ok (rw);
  post = new_post (db, "written");
  test_save_ok (post);
  g_assert_cmpint (test_count_posts (db), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));

  test_remove_file (path);
}

/* Two opens of sqlite::memory:?cache=shared share one database, which is
 * gone once both are closed; sqlite::memory: alone is private. */
static void
test_shared_memory (void)
{
  g_autoptr(GormDatabase) first = open_ok ("sqlite::memory:?cache=shared");
  g_autoptr(GormDatabase) second = open_ok ("sqlite::memory:?cache=shared");
  g_autoptr(GormDatabase) private_one = open_ok ("sqlite::memory:");
  g_autoptr(GormDatabase) named = open_ok ("sqlite:notes?mode=memory&cache=shared");
  g_autoptr(GormDatabase) named_again = NULL;
  g_autoptr(GormResource) post = NULL;
  g_autoptr(GormResource) seen = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GError) error = NULL;

  test_migrate (first, TEST_TYPE_POST);
  post = new_post (first, "shared");
  test_save_ok (post);

  seen = gorm_database_get (second, TEST_TYPE_POST, gorm_resource_get_id (post), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (seen);
  /* Two databases, two identity maps: another object for the same row. */
  g_assert_true (seen != post);
  g_assert_cmpint (test_count_posts (second), ==, 1);

  /* A write of the second is seen by the first. */
  g_object_set (seen, "title", "from the second", NULL);
  test_save_ok (seen);
  g_assert_true (gorm_resource_reload (post, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *title = NULL;

    g_object_get (post, "title", &title, NULL);
    g_assert_cmpstr (title, ==, "from the second");
  }

  /* A private in-memory database and another name share nothing: its
   * first use makes a table of its own, empty. */
  query = gorm_database_query (private_one, TEST_TYPE_POST);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (second), ==, 1);
  g_clear_object (&query);
  test_migrate (named, TEST_TYPE_POST);
  g_assert_cmpint (test_count_posts (named), ==, 0);
  named_again = open_ok ("sqlite:notes?mode=memory&cache=shared");
  g_assert_cmpint (test_count_posts (named_again), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&seen));

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&private_one));
  g_assert_finalize_object (g_steal_pointer (&named));
  g_assert_finalize_object (g_steal_pointer (&named_again));

  /* Once every connection closed, the shared database is gone. */
  first = open_ok ("sqlite::memory:?cache=shared");
  query = gorm_database_query (first, TEST_TYPE_POST);
  g_assert_false (gorm_database_is_migrated (first, TEST_TYPE_POST));
  /* Its first use makes the table again, without the post. */
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_clear_object (&query);
  g_assert_true (gorm_database_close (first, NULL, NULL));
  g_assert_finalize_object (g_steal_pointer (&first));
}

/* Parameters libgorm does not honour are refused, naming them, and no
 * file is made for them. */
static void
test_refused_parameters (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "p.db", NULL);
  const struct
  {
    const char *query;
    const char *said;
  } cases[] = {
    { "?foo=1", "unknown parameter “foo”" },
    { "?mode=ro&vfs=unix", "unknown parameter “vfs”" },
    { "?immutable=1", "unknown parameter “immutable”" },
    { "?mode=bogus", "mode=bogus" },
    { "?mode", "“mode” has no value" },
    { "?mode=ro&mode=rw", "“mode” is given twice" },
    { "?cache=everything", "cache=everything" },
    { "?cache=shared", "cache=shared is for in-memory databases" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = g_strconcat ("sqlite:", path, cases[i].query, NULL);

      assert_open_fails (uri, GORM_ERROR_CONNECTION, cases[i].said);
    }
  assert_open_fails ("sqlite::memory:?mode=ro", GORM_ERROR_CONNECTION, "no file for mode=ro");
  assert_open_fails ("sqlite::memory:?cache=shared&foo=bar", GORM_ERROR_CONNECTION,
                     "unknown parameter “foo”");
  g_assert_cmpuint (count_entries (dir), ==, 0);
  g_rmdir (dir);
}

/* Paths SQLite cannot open: the message says why. */
static void
test_path_errors (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *long_name = g_strnfill (300, 'n');
  g_autofree char *long_file = g_build_filename (dir, long_name, NULL);
  g_autoptr(GString) long_path = g_string_new (dir);
  g_autofree char *plain_file = g_build_filename (dir, "plain", NULL);
  g_autofree char *under_file = g_build_filename (plain_file, "x.db", NULL);
  g_autofree char *uri = NULL;

  uri = g_strconcat ("sqlite:", long_file, NULL);
  assert_open_fails (uri, GORM_ERROR_CONNECTION, "path is too long");
  g_clear_pointer (&uri, g_free);

  while (long_path->len < 5000)
    g_string_append (long_path, "/dir");
  g_string_append (long_path, "/x.db");
  uri = g_strconcat ("sqlite:", long_path->str, NULL);
  assert_open_fails (uri, GORM_ERROR_CONNECTION, "path is too long");
  g_clear_pointer (&uri, g_free);

  assert_open_fails ("sqlite:/no/such/directory/x.db", GORM_ERROR_CONNECTION,
                     "the directory “/no/such/directory” does not exist");

  g_assert_true (g_file_set_contents (plain_file, "", 0, NULL));
  uri = g_strconcat ("sqlite:", under_file, NULL);
  assert_open_fails (uri, GORM_ERROR_CONNECTION, "is not a directory");
  g_clear_pointer (&uri, g_free);

  g_remove (plain_file);
  g_assert_cmpuint (count_entries (dir), ==, 0);
  g_rmdir (dir);
}

/* Permission denied needs a user the permission bits apply to: as root,
 * the checks run in a child that became nobody. */
static void
test_permission_denied (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *locked_dir = NULL;
  g_autofree char *in_locked = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *no_nobody = NULL;

  if (g_test_subprocess ())
    {
      g_autofree char *create_uri = g_strconcat ("sqlite:", g_getenv ("GORM_TEST_IN_LOCKED"), NULL);
      g_autofree char *read_uri = g_strconcat ("sqlite:", g_getenv ("GORM_TEST_SECRET"), NULL);

      /* Root passes every permission check: become nobody, or tell the
       * parent, through a file, that this system cannot. */
      if (geteuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        {
          g_assert_true (g_file_set_contents (g_getenv ("GORM_TEST_NO_NOBODY"), "", 0, NULL));
          return;
        }
      assert_open_fails (create_uri, GORM_ERROR_CONNECTION, "permission denied to create");
      assert_open_fails (read_uri, GORM_ERROR_CONNECTION, "permission denied to read");
      return;
    }

  dir = make_dir ();
  locked_dir = g_build_filename (dir, "locked", NULL);
  in_locked = g_build_filename (locked_dir, "new.db", NULL);
  secret = g_build_filename (dir, "secret.db", NULL);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (locked_dir, 0555), ==, 0);
  g_assert_true (g_file_set_contents (secret, "", 0, NULL));
  g_assert_cmpint (g_chmod (secret, 0000), ==, 0);

  no_nobody = g_build_filename (dir, "no-nobody", NULL);
  g_setenv ("GORM_TEST_IN_LOCKED", in_locked, TRUE);
  g_setenv ("GORM_TEST_SECRET", secret, TRUE);
  g_setenv ("GORM_TEST_NO_NOBODY", no_nobody, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  if (g_file_test (no_nobody, G_FILE_TEST_EXISTS))
    {
      g_remove (no_nobody);
      g_test_skip ("running as root, and setuid() to nobody (65534) failed: "
                   "permission bits cannot be checked");
    }

  g_assert_false (g_file_test (in_locked, G_FILE_TEST_EXISTS));
  g_remove (secret);
  g_rmdir (locked_dir);
  g_rmdir (dir);
}

/* A path with the characters of libgda's connection strings (";", "="),
 * of URIs ("%", "&", "#", spaces) and beyond ASCII names that very file. */
static void
test_odd_file_names (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *sub = g_build_filename (dir, "a;b=c %41 d&e#", NULL);
  g_autofree char *path = g_build_filename (sub, "Grüße;x=1%2F.db", NULL);
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GormResource) post = NULL;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  db = open_ok (uri);
  test_migrate (db, TEST_TYPE_POST);
  post = new_post (db, "odd");
  test_save_ok (post);
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_entries (dir), ==, 1);

  test_remove_file (path);
  g_rmdir (dir);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GormDatabase *
open_async (const char  *uri,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gorm_database_open_async (uri, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return gorm_database_open_finish (result, error);
}

/* The async open takes and refuses the same parameters. */
static void
test_open_async (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) writer = test_open_file (&path);
  g_autofree char *ro = g_strconcat ("sqlite:", path, "?mode=ro", NULL);
  g_autofree char *unknown = g_strconcat ("sqlite:", path, "?journal=wal", NULL);
  g_autoptr(GormDatabase) reader = NULL;
  g_autoptr(GError) error = NULL;

  test_migrate (writer, TEST_TYPE_POST);
  reader = open_async (ro, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (reader), ==, 0);
  g_assert_cmpint (gorm_database_execute (reader, "DELETE FROM test_post", NULL, 0, NULL, &error), ==, -1);
  assert_read_only (error);
  g_clear_error (&error);

  g_assert_null (open_async (unknown, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "unknown parameter “journal”"));
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&reader));
  g_assert_finalize_object (g_steal_pointer (&writer));
  test_remove_file (path);
}

/* PostgreSQL URIs, parsed without a server: what libgda is given, and
 * every parameter honoured or refused, the password never in an error. */
static void
assert_pg_parsed (const char *uri,
                  const char *cnc_string,
                  const char *auth_string,
                  const char *host,
                  guint       port,
                  const char *database)
{
  g_auto(GormUri) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_uri_parse (uri, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (parsed.provider, ==, "PostgreSQL");
  g_assert_cmpstr (parsed.cnc_string, ==, cnc_string);
  g_assert_cmpstr (parsed.auth_string, ==, auth_string);
  g_assert_cmpstr (parsed.host, ==, host);
  g_assert_cmpuint (parsed.port, ==, port);
  g_assert_cmpstr (parsed.database, ==, database);
  g_assert_null (parsed.path);
}

static void
assert_pg_refused (const char *uri,
                   const char *needle)
{
  g_auto(GormUri) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (gorm_uri_parse (uri, &parsed, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  g_assert_null (strstr (error->message, "s3cr3t"));
  g_assert_null (parsed.provider);
}

static void
test_postgresql_uris (void)
{
  assert_pg_parsed ("postgresql://gorm:s3cr3t@db.example:6543/shop",
                    "HOST=db.example;PORT=6543;DB_NAME=shop",
                    "USERNAME=gorm;PASSWORD=s3cr3t", "db.example", 6543, "shop");
  /* The default port; no user information. */
  assert_pg_parsed ("postgresql://localhost/shop", "HOST=localhost;PORT=5432;DB_NAME=shop",
                    NULL, "localhost", 5432, "shop");
  assert_pg_parsed ("postgres://u@h/d", "HOST=h;PORT=5432;DB_NAME=d", "USERNAME=u", "h", 5432, "d");
  /* Percent-decoding of every part; libgda's encoding of the values. */
  assert_pg_parsed ("postgresql://us%40er:p%3Aw%2F%40%20d@127.0.0.1:5433/my%20db",
                    "HOST=127.0.0.1;PORT=5433;DB_NAME=my%20db",
                    "USERNAME=us%40er;PASSWORD=p%3Aw/%40%20d", "127.0.0.1", 5433, "my db");
  assert_pg_parsed ("postgresql://[::1]:5432/d", "HOST=%3A%3A1;PORT=5432;DB_NAME=d", NULL, "::1", 5432, "d");
  /* The parameters libpq knows that libgda's provider can pass on. */
  assert_pg_parsed ("postgresql://h/d?sslmode=require&connect_timeout=7&application_name=my%20app",
                    "HOST=h;PORT=5432;DB_NAME=d;REQUIRESSL=TRUE;CONNECT_TIMEOUT=7;"
                    "OPTIONS=-c%20application_name%3Dmy%5C%5C%20app",
                    NULL, "h", 5432, "d");
  assert_pg_parsed ("postgresql://h/d?sslmode=prefer", "HOST=h;PORT=5432;DB_NAME=d", NULL, "h", 5432, "d");
  /* libgda's connection string form. */
  assert_pg_parsed ("postgresql:DB_NAME=shop;HOST=db.example;PORT=6543;USERNAME=gorm;PASSWORD=s3cr3t",
                    "DB_NAME=shop;HOST=db.example;PORT=6543", "USERNAME=gorm;PASSWORD=s3cr3t",
                    "db.example", 6543, "shop");
  assert_pg_parsed ("postgresql:DB_NAME=a%3Bb", "DB_NAME=a%3Bb;PORT=5432", NULL, "localhost", 5432, "a;b");
  /* Quotes and backslashes are escaped for libpq's conninfo, where
   * libgda quotes each value: they can never end it. */
  assert_pg_parsed ("postgresql://u:pa%27ss%5C%20x%27%20host%3Devil@h/d%27b",
                    "HOST=h;PORT=5432;DB_NAME=d%5C%27b",
                    "USERNAME=u;PASSWORD=pa%5C%27ss%5C%5C%20x%5C%27%20host%3Devil", "h", 5432, "d'b");

  assert_pg_refused ("postgresql://gorm:s3cr3t@h/d?sslmode=verify-full", "sslmode=verify-full");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h/d?sslmode=disable", "sslmode=disable");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h/d?connect_timeout=soon", "connect_timeout=soon");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h/d?target_session_attrs=any", "“target_session_attrs”");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h/d?sslmode=require&sslmode=require", "given twice");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h/d?sslmode", "has no value");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h/", "names no database");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h", "names no database");
  assert_pg_refused ("postgresql://gorm:s3cr3t@/d", "names no host");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h:99999/d", "not a valid URI");
  assert_pg_refused ("postgresql://gorm:s3cr3t@h/d#x", "fragment");
  assert_pg_refused ("postgresql:HOST=h;PASSWORD=s3cr3t", "names no database");
  assert_pg_refused ("postgresql:DB_NAME=d;PASSWORD=s3cr3t;PORT=x", "PORT=x");
  assert_pg_refused ("postgresql:DB_NAME=d;PASSWORD=s3cr3t;SSLMODE=x", "“SSLMODE”");
  assert_pg_refused ("postgresql:DB_NAME=d;PASSWORD=s3cr3t;SEARCHPATH=x", "“SEARCHPATH”");
  assert_pg_refused ("postgresql:DB_NAME=d;PASSWORD=s3cr3t;CONNECT_TIMEOUT=1%20sslmode%3Ddisable",
                     "CONNECT_TIMEOUT=1 sslmode=disable");
  assert_pg_refused ("postgresql:DB_NAME=d;PASSWORD=s3cr3t;REQUIRESSL=maybe", "REQUIRESSL=maybe");
  assert_pg_refused ("postgresql:DB_NAME=d;PASSWORD=s3cr3t;PASSWORD=s3cr3t", "given twice");
  assert_pg_refused ("mysql://gorm:s3cr3t@h/d", "postgresql://");

  /* What error messages show of a URI. */
  {
    g_autofree char *a = gorm_uri_redact ("postgresql://gorm:s3cr3t@h:1/d?sslmode=require");
    g_autofree char *b = gorm_uri_redact ("postgresql:DB_NAME=d;password=s3cr3t;HOST=h");
    g_autofree char *c = gorm_uri_redact ("postgresql://gorm:s3cr3t@h/d?x=a@b");

    g_assert_cmpstr (a, ==, "postgresql://gorm:***@h:1/d?sslmode=require");
    g_assert_cmpstr (b, ==, "postgresql:DB_NAME=d;PASSWORD=***;HOST=h");
    g_assert_cmpstr (c, ==, "postgresql://gorm:***@h/d?x=a@b");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Uri/postgresql", test_postgresql_uris);
  /* SQLite's files and its URIs' parameters. */
  if (!test_engine_is_postgresql ())
    {
      g_test_add_func ("/Gorm/Uri/read-only", test_read_only);
      g_test_add_func ("/Gorm/Uri/modes-and-missing-files", test_modes_and_missing_files);
      g_test_add_func ("/Gorm/Uri/shared-memory", test_shared_memory);
      g_test_add_func ("/Gorm/Uri/refused-parameters", test_refused_parameters);
      g_test_add_func ("/Gorm/Uri/path-errors", test_path_errors);
      g_test_add_func ("/Gorm/Uri/permission-denied", test_permission_denied);
      g_test_add_func ("/Gorm/Uri/odd-file-names", test_odd_file_names);
      g_test_add_func ("/Gorm/Uri/open-async", test_open_async);
    }

  return g_test_run ();
}
