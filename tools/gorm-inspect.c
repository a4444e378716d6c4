/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * gorm-inspect: prints what a database has (tables, columns and their
 * types, indexes, foreign keys) and the schema version it records, read
 * from the engine's own catalog, for an SQLite file or a PostgreSQL URI.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "gorm-catalog-private.h"
#include "gorm-database-private.h"

/* A path or a URI as gorm_database_open() takes it. */
static char *
uri_of (const char *argument)
{
  if (g_str_has_prefix (argument, "sqlite:") || g_str_has_prefix (argument, "postgresql:") ||
      g_str_has_prefix (argument, "postgres:"))
    return g_strdup (argument);
  return g_strconcat ("sqlite:", argument, NULL);
}

static void
print_columns (GString                *out,
               const GormCatalogTable *table)
{
  int name_width = 0;
  int type_width = 0;

  for (guint i = 0; i < table->columns->len; i++)
    {
      const GormCatalogColumn *column = g_ptr_array_index (table->columns, i);

      name_width = MAX (name_width, (int) g_utf8_strlen (column->name, -1));
      type_width = MAX (type_width, (int) g_utf8_strlen (column->type, -1));
    }

  g_string_append (out, "  columns:\n");
  for (guint i = 0; i < table->columns->len; i++)
    {
      const GormCatalogColumn *column = g_ptr_array_index (table->columns, i);
      GString *line = g_string_new (NULL);

      g_string_append_printf (line, "    %-*s  %-*s", name_width, column->name,
                              type_width, column->type);
      if (column->primary_key)
        g_string_append (line, "  PRIMARY KEY");
      if (column->not_null)
        g_string_append (line, "  NOT NULL");
      if (column->default_sql != NULL)
        g_string_append_printf (line, "  DEFAULT %s", column->default_sql);
      while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);
      g_string_append_printf (out, "%s\n", line->str);
      g_string_free (line, TRUE);
    }
}

static void
print_indexes (GString                *out,
               const GormCatalogTable *table)
{
  if (table->indexes->len == 0)
    return;
  g_string_append (out, "  indexes:\n");
  for (guint i = 0; i < table->indexes->len; i++)
    {
      const GormCatalogIndex *index = g_ptr_array_index (table->indexes, i);
      g_autofree char *columns = g_strjoinv (", ", index->columns);

      g_string_append_printf (out, "    %s%s (%s)%s\n", index->name,
                              index->primary ? " PRIMARY KEY" : index->unique ? " UNIQUE" : "",
                              index->columns[0] != NULL ? columns : "expressions",
                              index->implicit ? ", from the table's definition" : "");
    }
}

static void
print_foreign_keys (GString                *out,
                    const GormCatalogTable *table)
{
  if (table->foreign_keys->len == 0)
    return;
  g_string_append (out, "  foreign keys:\n");
  for (guint i = 0; i < table->foreign_keys->len; i++)
    {
      const GormCatalogForeignKey *key = g_ptr_array_index (table->foreign_keys, i);

      g_string_append_printf (out, "    %s -> %s (%s) ON DELETE %s\n", key->column,
                              key->target_table,
                              key->target_column != NULL ? key->target_column : "its primary key",
                              key->on_delete);
    }
}

static gboolean
inspect (GormDatabase  *db,
         const char    *only_table,
         GString       *out,
         GError       **error)
{
  const GormDialect *dialect = gorm_database_get_dialect (db);
  g_auto(GStrv) names = NULL;
  GormConnection *connection;
  guint schema_version = 0;
  gboolean ok = FALSE;

  gorm_database_lock (db);
  connection = gorm_database_get_connection_locked (db, error);
  if (connection == NULL)
    goto out;
  if (only_table != NULL)
    names = g_strdupv ((char *[]) { (char *) only_table, NULL });
  else
    names = gorm_catalog_read_table_names_locked (connection, dialect, error);
  if (names == NULL)
    goto out;

  g_string_append_printf (out, "%s (%s): %u table%s\n", gorm_database_get_uri (db), dialect->name,
                          g_strv_length (names), g_strv_length (names) == 1 ? "" : "s");
  if (!gorm_database_read_schema_version_locked (db, &schema_version, error))
    goto out;
  if (schema_version == 0)
    g_string_append (out, "Schema version: none\n");
  else
    g_string_append_printf (out, "Schema version: %u\n", schema_version);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GormCatalogTable) table = gorm_catalog_read_table_locked (connection, dialect,
                                                                          names[i], &local_error);

      if (table == NULL)
        {
          if (local_error == NULL)
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "The database has no table “%s”", names[i]);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }
      g_string_append_printf (out, "\ntable %s\n", table->name);
      print_columns (out, table);
      print_indexes (out, table);
      print_foreign_keys (out, table);
    }
  ok = TRUE;

out:
  gorm_database_unlock (db);
  return ok;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *uri = NULL;
  g_autofree char *table = NULL;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "table", 't', 0, G_OPTION_ARG_STRING, &table, "Print only TABLE", "TABLE" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version of libgorm and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("DATABASE");
  g_option_context_set_summary (context,
                                "Prints the tables of a database: their columns and types, "
                                "indexes and foreign keys, and its schema version.\n\n"
                                "DATABASE is the path of an SQLite file, or a URI as libgorm "
                                "opens it:\n"
                                "  sqlite:PATH, sqlite:///ABSOLUTE/PATH,\n"
                                "  postgresql://USER:PASSWORD@HOST:PORT/DBNAME");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gorm-inspect: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("gorm-inspect %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc != 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("gorm-inspect: give one DATABASE\n\n%s", help);
      return 2;
    }

  /* A path that does not exist is not created. */
  uri = uri_of (argv[1]);
  if (!g_str_has_prefix (uri, "postgres") && !g_str_has_prefix (uri, "sqlite::memory:"))
    {
      const char *path = uri + strlen ("sqlite:");

      if (g_str_has_prefix (path, "//"))
        path += 2;
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_printerr ("gorm-inspect: %s: no such file\n", path);
          return 1;
        }
      /* Inspecting changes nothing, not even the journal mode. */
      if (strchr (uri, '?') == NULL)
        {
          char *read_only = g_strconcat (uri, "?mode=ro", NULL);

          g_free (uri);
          uri = read_only;
        }
    }

  db = gorm_database_open (uri, NULL, &error);
  if (db == NULL || !inspect (db, table, out, &error))
    {
      g_printerr ("gorm-inspect: %s\n", error->message);
      return 1;
    }
  fputs (out->str, stdout);
  return gorm_database_close (db, NULL, NULL) ? 0 : 1;
}
