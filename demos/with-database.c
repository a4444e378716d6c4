/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Runs a demo as a test on the engine of the test run.
 *
 *   with-database [--file] PROGRAM [ARGUMENT...]
 *
 * Every ARGUMENT that is "@DATABASE@" is replaced by a fresh database for
 * PROGRAM, chosen by GORM_TEST_ENGINE as the test suites choose theirs:
 *
 *  - "sqlite" (the default): ":memory:", or with --file (for programs
 *    that share the database) a file in a new temporary directory,
 *    removed at the end;
 *  - "postgresql": a new database gorm_test_<pid>_1 created on the server
 *    GORM_TEST_POSTGRESQL names (the URI of a role that may create
 *    databases), given as its postgresql:// URI and dropped at the end.
 *
 * Exits with PROGRAM's status, or 1 when the database could not be made
 * or removed.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gorm.h>

#define PLACEHOLDER "@DATABASE@"

/* The URI of the database NAME on the server of SERVER_URI: SERVER_URI
 * with its path replaced. */
static char *
server_database_uri (const char  *server_uri,
                     const char  *name,
                     GError     **error)
{
  const char *authority = strstr (server_uri, "://");
  const char *path;
  const char *rest;

  if (authority == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "GORM_TEST_POSTGRESQL is not a postgresql:// URI");
      return NULL;
    }
  path = authority + 3 + strcspn (authority + 3, "/?#");
  rest = path + strcspn (path, "?#");
  return g_strdup_printf ("%.*s/%s%s", (int) (path - server_uri), server_uri, name, rest);
}

/* Removes DIR and the files in it (an SQLite database and its journal). */
static gboolean
remove_directory (const char  *dir,
                  GError     **error)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, error);
  const char *entry;

  if (entries == NULL)
    return FALSE;
  while ((entry = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);

      if (g_unlink (path) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot remove %s: %s", path, g_strerror (saved_errno));
          return FALSE;
        }
    }
  if (g_rmdir (dir) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot remove %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) admin = NULL;
  g_autoptr(GPtrArray) child_argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *database = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  const char *engine = g_getenv ("GORM_TEST_ENGINE");
  gboolean file = FALSE;
  int first = 1;
  int wait_status = 0;
  int status = 0;

  if (argc > 1 && g_str_equal (argv[1], "--file"))
    {
      file = TRUE;
      first++;
    }
  if (first >= argc)
    {
      g_printerr ("Usage: %s [--file] PROGRAM [ARGUMENT...]\n", argv[0]);
      return 2;
    }
  if (engine == NULL || *engine == '\0')
    engine = "sqlite";

  if (g_str_equal (engine, "sqlite"))
    {
      if (!file)
        database = g_strdup (":memory:");
      else if ((dir = g_dir_make_tmp ("gorm-demo-XXXXXX", &error)) != NULL)
        database = g_build_filename (dir, "blog.db", NULL);
    }
  else if (g_str_equal (engine, "postgresql"))
    {
      const char *server = g_getenv ("GORM_TEST_POSTGRESQL");
      g_autofree char *sql = NULL;

      if (server == NULL || *server == '\0')
        {
          g_printerr ("%s: GORM_TEST_ENGINE is postgresql but GORM_TEST_POSTGRESQL, "
                      "the URI of the server to test on, is not set\n", argv[0]);
          return 1;
        }
      name = g_strdup_printf ("gorm_test_%d_1", (int) getpid ());
      sql = g_strdup_printf ("CREATE DATABASE \"%s\"", name);
      database = server_database_uri (server, name, &error);
      if (database != NULL)
        admin = gorm_database_open (server, NULL, &error);
      if (admin == NULL || gorm_database_execute (admin, sql, NULL, 0, NULL, &error) < 0)
        {
          g_clear_pointer (&database, g_free);
          g_clear_pointer (&name, g_free);
        }
    }
  else
    {
      g_printerr ("%s: GORM_TEST_ENGINE is “%s”: sqlite or postgresql\n", argv[0], engine);
      return 1;
    }
  if (database == NULL)
    {
      g_printerr ("%s: cannot make the test database: %s\n", argv[0], error->message);
      status = 1;
      goto out;
    }

  for (int i = first; i < argc; i++)
    g_ptr_array_add (child_argv, g_strdup (g_str_equal (argv[i], PLACEHOLDER) ? database : argv[i]));
  g_ptr_array_add (child_argv, NULL);

  if (!g_spawn_sync (NULL, (char **) child_argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                     NULL, NULL, NULL, NULL, &wait_status, &error))
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      status = 1;
    }
  else if (WIFEXITED (wait_status))
    status = WEXITSTATUS (wait_status);
  else
    {
      g_printerr ("%s: %s was killed by signal %d\n", argv[0], argv[first],
                  WIFSIGNALED (wait_status) ? WTERMSIG (wait_status) : 0);
      status = 1;
    }
  g_clear_error (&error);

out:
  if (name != NULL)
    {
      g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);

      if (gorm_database_execute (admin, sql, NULL, 0, NULL, &error) < 0)
        {
          g_printerr ("%s: cannot drop the database %s: %s\n", argv[0], name, error->message);
          status = 1;
        }
    }
  if (admin != NULL && !gorm_database_close (admin, NULL, &error))
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      status = 1;
    }
  if (dir != NULL && !remove_directory (dir, &error))
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      status = 1;
    }
  return status;
}
