/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "doc-example-polls.h"

static GormResource *
save (GormResource *resource)
{
  test_save_ok (resource);
  return resource;
}

static gint64
question (GormDatabase *db,
          const char   *text,
          GDateTime    *pub_date,
          GormResource *author)
{
  g_autoptr(GormResource) question = g_object_new (POLLS_TYPE_QUESTION, "database", db,
                                                   "question-text", text, "pub-date", pub_date,
                                                   NULL);
  g_autoptr(GError) error = NULL;

  if (author != NULL)
    g_object_set (question, "author-id", gorm_resource_get_id (author), NULL);
  else
    g_assert_true (gorm_resource_set_null (question, "author-id", &error));
  g_assert_no_error (error);
  return gorm_resource_get_id (save (question));
}

static void
choice (GormDatabase *db,
        gint64        question_id,
        const char   *text,
        gint          votes)
{
  g_autoptr(GormResource) choice = g_object_new (POLLS_TYPE_CHOICE, "database", db,
                                                 "question-id", question_id,
                                                 "choice-text", text, "votes", votes, NULL);

  save (choice);
}

static void
tag (GormResource *post,
     GormResource *tag)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_resource_link (post, "tags", tag, NULL, &error));
  g_assert_no_error (error);
}

GormDatabase *
doc_example_open (void)
{
  GormDatabase *db = test_open_memory ();
  GType types[] = { POLLS_TYPE_CHOICE, POLLS_TYPE_POST };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) january = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  g_autoptr(GDateTime) february = g_date_time_new_utc (2024, 2, 1, 0, 0, 0);
  g_autoptr(GormResource) ada = NULL;
  g_autoptr(GormResource) bob = NULL;
  g_autoptr(GormResource) gnome = NULL;
  g_autoptr(GormResource) gtk = NULL;
  g_autoptr(GormResource) gnome50 = NULL;
  g_autoptr(GormResource) pygobject = NULL;
  g_autoptr(GormResource) empty = NULL;
  gint64 q1, q2;

  /* The types they refer to come along. */
  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);

  ada = save (g_object_new (POLLS_TYPE_AUTHOR, "database", db, "name", "Ada", NULL));
  bob = save (g_object_new (POLLS_TYPE_AUTHOR, "database", db, "name", "Bob", NULL));
  q1 = question (db, "What's new?", january, ada);
  q2 = question (db, "What's up?", february, bob);
  question (db, "Why?", NULL, NULL);
  choice (db, q1, "Not much", 0);
  choice (db, q1, "The sky", 3);
  choice (db, q2, "Nothing", 1);

  gnome = save (g_object_new (POLLS_TYPE_TAG, "database", db, "name", "gnome", NULL));
  gtk = save (g_object_new (POLLS_TYPE_TAG, "database", db, "name", "gtk", NULL));
  gnome50 = save (g_object_new (POLLS_TYPE_POST, "database", db, "title", "GNOME 50", NULL));
  pygobject = save (g_object_new (POLLS_TYPE_POST, "database", db, "title", "PyGObject", NULL));
  empty = save (g_object_new (POLLS_TYPE_POST, "database", db, "title", "Empty", NULL));
  tag (gnome50, gnome);
  tag (gnome50, gtk);
  tag (pygobject, gnome);

  return db;
}
