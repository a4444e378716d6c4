/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sql-parser/gda-sql-parser.h>

#include "gorm-test-utils.h"

#define MAX_PROPERTIES 32

typedef struct
{
  GValue values[MAX_PROPERTIES];
} TestObjectPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (TestObject, test_object, GORM_TYPE_RESOURCE)

static void
test_object_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TestObjectPrivate *priv = test_object_get_instance_private (TEST_OBJECT (object));

  g_assert_cmpuint (prop_id, <, MAX_PROPERTIES);
  if (G_IS_VALUE (&priv->values[prop_id]))
    g_value_copy (&priv->values[prop_id], value);
  else
    g_param_value_set_default (pspec, value);
}

static void
test_object_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TestObjectPrivate *priv = test_object_get_instance_private (TEST_OBJECT (object));

  g_assert_cmpuint (prop_id, <, MAX_PROPERTIES);
  if (G_IS_VALUE (&priv->values[prop_id]))
    g_value_unset (&priv->values[prop_id]);
  g_value_init (&priv->values[prop_id], G_VALUE_TYPE (value));
  g_value_copy (value, &priv->values[prop_id]);
}

static void
test_object_finalize (GObject *object)
{
  TestObjectPrivate *priv = test_object_get_instance_private (TEST_OBJECT (object));

  for (guint i = 0; i < MAX_PROPERTIES; i++)
    if (G_IS_VALUE (&priv->values[i]))
      g_value_unset (&priv->values[i]);

  G_OBJECT_CLASS (test_object_parent_class)->finalize (object);
}

static void
test_object_class_init (TestObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_object_finalize;
}

static void
test_object_init (TestObject *self)
{
}

void
test_object_class_install (GObjectClass *klass,
                           GParamSpec  **pspecs,
                           guint         n_pspecs)
{
  g_assert_cmpuint (n_pspecs, <, MAX_PROPERTIES);
  klass->get_property = test_object_get_property;
  klass->set_property = test_object_set_property;
  for (guint i = 0; i < n_pspecs; i++)
    g_object_class_install_property (klass, i + 1, pspecs[i]);
}

GType
test_color_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { TEST_COLOR_RED, "TEST_COLOR_RED", "red" },
    { TEST_COLOR_GREEN, "TEST_COLOR_GREEN", "green" },
    { TEST_COLOR_DARK_BLUE, "TEST_COLOR_DARK_BLUE", "dark-blue" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("TestColor", values));
  return type;
}

GType
test_flags_get_type (void)
{
  static gsize type;
  static const GFlagsValue values[] = {
    { TEST_FLAG_NONE, "TEST_FLAG_NONE", "none" },
    { TEST_FLAG_A, "TEST_FLAG_A", "a" },
    { TEST_FLAG_B, "TEST_FLAG_B", "b" },
    { TEST_FLAG_HIGH, "TEST_FLAG_HIGH", "high" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_flags_register_static ("TestFlags", values));
  return type;
}

TEST_DEFINE_RESOURCE (TestPost, test_post)

static void
test_post_class_init (TestPostClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("content", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("views", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_double ("rating", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, G_PARAM_READWRITE),
    g_param_spec_boolean ("published", NULL, NULL, FALSE, G_PARAM_READWRITE),
    g_param_spec_boxed ("pub-date", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_boxed ("updated", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_max_length (resource_class, "title", 200);
  gorm_resource_class_set_not_null (resource_class, "title");
  gorm_resource_class_set_indexed (resource_class, "pub-date");
  gorm_resource_class_set_auto_now_add (resource_class, "pub-date");
  gorm_resource_class_set_auto_now (resource_class, "updated");
}

/* The engine switch: GORM_TEST_ENGINE=postgresql makes every fresh
 * database a new PostgreSQL database gorm_test_<pid>_<n> on the server of
 * GORM_TEST_POSTGRESQL (a role that may create databases), dropped when
 * the database made for it is finalized, or at exit. */

gboolean
test_engine_is_postgresql (void)
{
  return g_strcmp0 (g_getenv ("GORM_TEST_ENGINE"), "postgresql") == 0;
}

static GMutex postgresql_lock;
static GormDatabase *postgresql_admin;
/* The names of the databases made and not yet dropped. */
static GPtrArray *postgresql_databases;

static const char *
postgresql_server (void)
{
  const char *uri = g_getenv ("GORM_TEST_POSTGRESQL");

  if (uri == NULL || *uri == '\0')
    g_error ("GORM_TEST_ENGINE=postgresql needs GORM_TEST_POSTGRESQL, the URI of a server "
             "where the tests may create databases");
  return uri;
}

char *
test_postgresql_uri (const char *database)
{
  const char *server = postgresql_server ();
  const char *authority = strstr (server, "://");
  const char *slash = authority ? strchr (authority + 3, '/') : NULL;
  const char *query = slash ? strchr (slash, '?') : NULL;

  g_assert_nonnull (slash);
  return g_strdup_printf ("%.*s/%s%s", (int) (slash - server), server, database,
                          query ? query : "");
}

static void
postgresql_admin_run (const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (postgresql_admin == NULL)
    {
      postgresql_admin = gorm_database_open (postgresql_server (), NULL, &error);
      g_assert_no_error (error);
    }
  gorm_database_execute (postgresql_admin, sql, NULL, 0, NULL, &error);
  g_assert_no_error (error);
}

void
test_postgresql_drop_database (const char *name)
{
  g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);

  g_mutex_lock (&postgresql_lock);
  if (postgresql_databases != NULL)
    for (guint i = 0; i < postgresql_databases->len; i++)
      if (g_str_equal (g_ptr_array_index (postgresql_databases, i), name))
        {
          postgresql_admin_run (sql);
          g_ptr_array_remove_index_fast (postgresql_databases, i);
          break;
        }
  g_mutex_unlock (&postgresql_lock);
}

static void
postgresql_drop_all (void)
{
  g_mutex_lock (&postgresql_lock);
  while (postgresql_databases != NULL && postgresql_databases->len > 0)
    {
      g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)",
                                              (char *) g_ptr_array_index (postgresql_databases, 0));

      postgresql_admin_run (sql);
      g_ptr_array_remove_index_fast (postgresql_databases, 0);
    }
  g_clear_pointer (&postgresql_databases, g_ptr_array_unref);
  if (postgresql_admin != NULL)
    gorm_database_close (postgresql_admin, NULL, NULL);
  g_clear_object (&postgresql_admin);
  g_mutex_unlock (&postgresql_lock);
}

char *
test_postgresql_create_database (void)
{
  static guint counter;
  char *name;
  g_autofree char *sql = NULL;

  g_mutex_lock (&postgresql_lock);
  if (postgresql_databases == NULL)
    {
      postgresql_databases = g_ptr_array_new_with_free_func (g_free);
      atexit (postgresql_drop_all);
    }
  name = g_strdup_printf ("gorm_test_%d_%u", (int) getpid (), ++counter);
  sql = g_strdup_printf ("CREATE DATABASE \"%s\"", name);
  postgresql_admin_run (sql);
  g_ptr_array_add (postgresql_databases, g_strdup (name));
  g_mutex_unlock (&postgresql_lock);
  return name;
}

static void
drop_when_finalized (gpointer  data,
                     GObject  *where_the_object_was)
{
  g_autofree char *name = data;

  test_postgresql_drop_database (name);
}

GormDatabase *
test_open_memory (void)
{
  g_autoptr(GError) error = NULL;
  GormDatabase *db;

  if (test_engine_is_postgresql ())
    {
      char *name = test_postgresql_create_database ();
      g_autofree char *uri = test_postgresql_uri (name);

      db = gorm_database_open (uri, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (db);
      g_object_weak_ref (G_OBJECT (db), drop_when_finalized, name);
      return db;
    }

  db = gorm_database_open ("sqlite::memory:", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

GormDatabase *
test_open_file (char **path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *uri = NULL;
  GormDatabase *db;

  if (test_engine_is_postgresql ())
    {
      g_autofree char *name = test_postgresql_create_database ();

      /* The "path" is the database's URI, which test_remove_file()
       * drops. */
      *path = test_postgresql_uri (name);
      db = gorm_database_open (*path, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (db);
      return db;
    }

  dir = g_dir_make_tmp ("gorm-test-XXXXXX", &error);
  g_assert_no_error (error);
  *path = g_build_filename (dir, "test.db", NULL);
  uri = g_strconcat ("sqlite:", *path, NULL);
  db = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

char *
test_uri_of_file (const char *path)
{
  if (g_str_has_prefix (path, "postgresql:"))
    return g_strdup (path);
  return g_strconcat ("sqlite:", path, NULL);
}

void
test_remove_file (const char *path)
{
  g_autofree char *dir = NULL;
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  if (g_str_has_prefix (path, "postgresql:"))
    {
      const char *name = strrchr (path, '/') + 1;
      g_autofree char *bare = g_strndup (name, strcspn (name, "?"));

      test_postgresql_drop_database (bare);
      return;
    }

  dir = g_path_get_dirname (path);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
  g_rmdir (dir);
}

void
test_migrate (GormDatabase *db,
              GType         type)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_no_error (error);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdaSqlParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdaStatement, g_object_unref)

/* Counts the rows of TEST_TYPE_POST's table with plain libgda. */
gint64
test_count_posts (GormDatabase *db)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GdaSqlParser) parser = gda_connection_create_parser (gorm_database_get_connection (db));
  g_autoptr(GdaStatement) statement = gda_sql_parser_parse_string (parser, "SELECT count(*) FROM test_post",
                                                                  NULL, &error);
  g_autoptr(GdaDataModel) model = NULL;
  const GValue *value;

  g_assert_no_error (error);
  model = gda_connection_statement_execute_select_full (gorm_database_get_connection (db), statement, NULL,
                                                        GDA_STATEMENT_MODEL_RANDOM_ACCESS,
                                                        (GType *) types, &error);
  g_assert_no_error (error);
  value = gda_data_model_get_value_at (model, 0, 0, &error);
  g_assert_no_error (error);
  return g_value_get_int64 (value);
}

void
test_save_ok (gpointer resource)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_resource_save (resource, NULL, &error));
  g_assert_no_error (error);
}

/* A gint, as a Python int or a C int literal arrives. */
GValue *
test_int_value (GValue *value,
                gint    number)
{
  g_value_init (value, G_TYPE_INT);
  g_value_set_int (value, number);
  return value;
}

GValue *
test_string_value (GValue     *value,
                   const char *text)
{
  g_value_init (value, G_TYPE_STRING);
  g_value_set_string (value, text);
  return value;
}

/* The first value of what @sql selects, as text, with plain libgda. */
char *
test_query_text (GormDatabase *db,
                 const char   *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdaDataModel) model = NULL;
  const GValue *value;

  model = gda_connection_execute_select_command (gorm_database_get_connection (db), sql, &error);
  g_assert_no_error (error);
  value = gda_data_model_get_value_at (model, 0, 0, &error);
  g_assert_no_error (error);
  return gda_value_stringify (value);
}

static void
log_statement_cb (const char *sql,
                  gpointer    user_data)
{
  TestLog *log = user_data;

  g_ptr_array_add (log->statements, g_strdup (sql));
}

TestLog *
test_log_attach (GormDatabase *db)
{
  TestLog *log = g_new0 (TestLog, 1);

  log->statements = g_ptr_array_new_with_free_func (g_free);
  gorm_database_set_trace_func (db, log_statement_cb, log);
  return log;
}

void
test_log_free (TestLog *log)
{
  g_ptr_array_unref (log->statements);
  g_free (log);
}

void
test_log_clear (TestLog *log)
{
  g_ptr_array_set_size (log->statements, 0);
}

guint
test_log_count (TestLog    *log,
                const char *prefix)
{
  guint count = 0;

  for (guint i = 0; i < log->statements->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (log->statements, i), prefix))
      count++;
  return count;
}

const char *
test_log_last (TestLog *log)
{
  g_assert_cmpuint (log->statements->len, >, 0);
  return g_ptr_array_index (log->statements, log->statements->len - 1);
}

char *
test_sqlite3_shell (const char *path,
                    const char *sql)
{
  g_autofree char *shell = g_find_program_in_path ("sqlite3");
  g_autoptr(GError) error = NULL;
  char *output = NULL;
  int status;
  const char *argv[] = { NULL, "-batch", "-bail", path, sql, NULL };

  if (shell == NULL)
    {
      g_test_skip ("the sqlite3 shell is not installed");
      return NULL;
    }
  argv[0] = shell;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &output, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return output;
}
