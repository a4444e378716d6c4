/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "polls-models.h"

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
    g_param_spec_int ("rank", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
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
