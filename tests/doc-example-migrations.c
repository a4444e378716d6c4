/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "doc-example-migrations.h"

TEST_DEFINE_RESOURCE (NotesNote, notes_note)
TEST_DEFINE_RESOURCE (NotesNoteV1, notes_note_v1)

static void
notes_note_class_init (NotesNoteClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_boolean ("done", NULL, NULL, FALSE, G_PARAM_READWRITE),
    g_param_spec_int ("priority", NULL, NULL, 0, 9, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_max_length (GORM_RESOURCE_CLASS (klass), "text", 500);
}

static void
notes_note_v1_class_init (NotesNoteV1Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_boolean ("done", NULL, NULL, FALSE, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "notes_note");
  gorm_resource_class_set_max_length (GORM_RESOURCE_CLASS (klass), "text", 500);
}

GormDatabase *
doc_example_open (void)
{
  GormDatabase *db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) milk = NULL;
  g_autoptr(GormResource) bob = NULL;
  GType v1 = notes_note_v1_get_type ();

  g_assert_true (gorm_database_migrate (db, &v1, 1, NULL, &error));
  g_assert_no_error (error);
  milk = g_object_new (v1, "database", db, "text", "Buy milk", "done", TRUE, NULL);
  bob = g_object_new (v1, "database", db, "text", "Call Bob", NULL);
  test_save_ok (milk);
  test_save_ok (bob);
  return db;
}
