/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "doc-example-polls.h"

/* Registered under Django's names (see the header): G_DEFINE_TYPE names
 * a type after its C type. */
#define DEFINE_POLLS_TYPE(TypeName, type_name)                          \
  typedef struct { TestObject parent_instance; } TypeName;             \
  typedef struct { TestObjectClass parent_class; } TypeName##Class;    \
  G_DEFINE_TYPE (TypeName, type_name, TEST_TYPE_OBJECT)                \
  static void type_name##_init (TypeName *self) { }

DEFINE_POLLS_TYPE (Author, polls_author)
DEFINE_POLLS_TYPE (Question, polls_question)
DEFINE_POLLS_TYPE (Choice, polls_choice)
DEFINE_POLLS_TYPE (Tag, polls_tag)
DEFINE_POLLS_TYPE (Post, polls_post)

static void
polls_author_class_init (AuthorClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
polls_question_class_init (QuestionClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("question-text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_boxed ("pub-date", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_int64 ("author-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_nullable (resource_class, "author-id");
  gorm_resource_class_set_foreign_key (resource_class, "author-id", POLLS_TYPE_AUTHOR,
                                       GORM_ON_DELETE_SET_NULL);
}

static void
polls_choice_class_init (ChoiceClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("question-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_string ("choice-text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("votes", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "question-id",
                                       POLLS_TYPE_QUESTION, GORM_ON_DELETE_CASCADE);
}

static void
polls_tag_class_init (TagClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
polls_post_class_init (PostClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_add_many_to_many (GORM_RESOURCE_CLASS (klass), "tags", POLLS_TYPE_TAG);
}

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
