/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <gtk/gtk.h>

#include "gorm-test-utils.h"

/* The C examples of doc/migrations.md, as written (tests/meson.build
 * extracts them): version 2 of the notes. */
#include "doc-migrations-examples.h"

/* Version 1 of the notes, as the page describes it: the title in "text",
 * a color, no priority. */
TEST_DEFINE_RESOURCE (NotesNoteV1, notes_note_v1)

static void
notes_note_v1_class_init (NotesNoteV1Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_boolean ("done", NULL, NULL, FALSE, G_PARAM_READWRITE),
    g_param_spec_string ("color", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "note");
}

/* A database version 1 of the application left. */
static GormDatabase *
open_version_1 (void)
{
  GormDatabase *db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType v1 = notes_note_v1_get_type ();
  const char *notes[][3] = { { "Buy milk", "0", "red" }, { "Call Bob", "1", "blue" } };

  g_assert_true (gorm_database_migrate (db, &v1, 1, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
    {
      g_autoptr(GormResource) note = g_object_new (v1, "database", db, "text", notes[i][0],
                                                   "done", notes[i][1][0] == '1',
                                                   "color", notes[i][2], NULL);

      test_save_ok (note);
    }
  return db;
}

static GString *printed;

static void
print_cb (const char *text)
{
  g_string_append (printed, text);
}

/* The text block after @intro in doc/migrations.md. */
static char *
page_block (const char *intro)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "doc", "migrations.md", NULL);
  g_autofree char *page = NULL;
  g_autoptr(GError) error = NULL;
  const char *start;
  const char *end;

  g_assert_true (g_file_get_contents (path, &page, NULL, &error));
  g_assert_no_error (error);
  start = strstr (page, intro);
  g_assert_nonnull (start);
  start = strstr (start, "```text\n");
  g_assert_nonnull (start);
  start += strlen ("```text\n");
  end = strstr (start, "```\n");
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

/* The plan the page shows for its engine is what print_plan() prints, and
 * printing it changes nothing. */
static void
test_plan (void)
{
  g_autoptr(GormDatabase) db = open_version_1 ();
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = page_block (test_engine_is_postgresql ()
                                       ? "On PostgreSQL:" : "On SQLite, a database of version 1 prints");
  GPrintFunc previous;

  printed = g_string_new (NULL);
  previous = g_set_print_handler (print_cb);
  print_plan (db);
  g_set_print_handler (previous);
  g_test_message ("%s", printed->str);
  g_assert_cmpstr (printed->str, ==, shown);
  g_string_free (g_steal_pointer (&printed), TRUE);

  g_assert_cmpuint (gorm_database_get_schema_version (db, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
notify_fraction_cb (GObject    *bar,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  double *last = user_data;
  double fraction = gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar));

  g_assert_cmpfloat (fraction, >=, *last);
  *last = fraction;
}

/* The bar follows the migration to 1.0, then the callback hides it; the
 * notes are at version 2, their titles and states kept. */
static void
test_progress (void)
{
  g_autoptr(GormDatabase) db = open_version_1 ();
  g_autoptr(GError) error = NULL;
  GtkWidget *bar = g_object_ref_sink (gtk_progress_bar_new ());
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) notes = NULL;
  double last = 0;

  g_signal_connect (bar, "notify::fraction", G_CALLBACK (notify_fraction_cb), &last);
  upgrade_with_progress (db, GTK_PROGRESS_BAR (bar));
  while (gtk_widget_get_visible (bar))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)), ==, 1.0);
  g_assert_cmpfloat (last, ==, 1.0);

  g_assert_cmpuint (gorm_database_get_schema_version (db, NULL, &error), ==, 2);
  g_assert_no_error (error);
  query = gorm_query_order_by (gorm_database_query (db, NOTES_TYPE_NOTE), "id", FALSE);
  notes = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (notes), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(NotesNote) note = g_list_model_get_item (notes, i);

      g_assert_cmpstr (note->title, ==, i == 0 ? "Buy milk" : "Call Bob");
      g_assert_cmpint (note->done, ==, i == 1);
      /* The step gave the open note its priority. */
      g_assert_cmpint (note->priority, ==, i == 0 ? 1 : 0);
    }
  {
    g_autofree char *colors = test_query_text (db, test_engine_is_postgresql ()
      ? "SELECT count(*) FROM information_schema.columns WHERE table_name = 'note' "
        "AND column_name = 'color' AND table_schema = current_schema()"
      : "SELECT count(*) FROM pragma_table_info('note') WHERE name = 'color'");

    g_assert_cmpstr (colors, ==, "0");
  }

  /* The callback let its reference go. */
  g_assert_finalize_object (bar);
  g_clear_object (&notes);
  g_clear_object (&query);
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add_func ("/Gorm/Doc/migrations/plan", test_plan);
  g_test_add_func ("/Gorm/Doc/migrations/progress", test_progress);

  return g_test_run ();
}
