/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Gorm Library: a library of books and authors on libgorm, in GTK 4 and
 * libadwaita.
 *
 *   gorm-library [--database PATH | URI]
 *
 * PATH defaults to $XDG_DATA_HOME/gorm-library/library.db; a URI may be
 * sqlite:PATH or postgresql://USER:PASSWORD@HOST:PORT/DBNAME. The
 * database is opened and migrated without blocking the window. */

#include <glib/gi18n.h>

#include "library-window.h"

static char *database_option;

static const GOptionEntry options[] = {
  { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database_option,
    N_("The database: a file, or a sqlite: or postgresql:// URI"), N_("PATH") },
  { NULL }
};

/* The URI of @database: a URI as it is, a file as an sqlite: URI. */
static char *
database_uri (const char *database)
{
  if (g_uri_peek_scheme (database) != NULL)
    return g_strdup (database);
  return g_strconcat ("sqlite:", database, NULL);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GtkApplication) app = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) database = gorm_database_open_finish (result, &error);

  if (database == NULL)
    {
      g_printerr ("gorm-library: %s\n", error->message);
      g_application_release (G_APPLICATION (app));
      return;
    }
  gtk_window_present (GTK_WINDOW (library_window_new (app, database)));
  g_application_release (G_APPLICATION (app));
}

static void
activate_cb (GtkApplication *app,
             gpointer        user_data)
{
  g_autofree char *default_path = NULL;
  g_autofree char *uri = NULL;
  GtkWindow *window = gtk_application_get_active_window (app);

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }
  if (database_option == NULL)
    {
      g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "gorm-library", NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_printerr ("gorm-library: cannot create %s: %s\n", dir, g_strerror (errno));
          return;
        }
      default_path = g_build_filename (dir, "library.db", NULL);
    }
  uri = database_uri (database_option != NULL ? database_option : default_path);
  /* The application stays while the database opens. */
  g_application_hold (G_APPLICATION (app));
  gorm_database_open_async (uri, NULL, opened_cb, g_object_ref (app));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("org.gnome.Gorm.Library",
                                                       G_APPLICATION_NON_UNIQUE);
  int status;

  g_application_add_main_option_entries (G_APPLICATION (app), options);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  g_free (database_option);
  return status;
}
