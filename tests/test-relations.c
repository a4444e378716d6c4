/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-relation-private.h"
#include "gorm-test-utils.h"

/*
 * The polls of Django's tutorial and a blog: a Question has Choices
 * (a foreign key, CASCADE), a Profile is one-to-one with an Author, a
 * Post has Tags (many-to-many, reverse named "posts") and an Author
 * (PROTECT), a Person has friends (many-to-many with itself), a Note
 * refers to a Question with RESTRICT and a Vote to a Choice with CASCADE
 * (so deleting a question cascades twice).
 */

TEST_DEFINE_RESOURCE (TestQuestion, test_question)
#define TEST_TYPE_QUESTION (test_question_get_type ())
TEST_DEFINE_RESOURCE (TestChoice, test_choice)
#define TEST_TYPE_CHOICE (test_choice_get_type ())
TEST_DEFINE_RESOURCE (TestVote, test_vote)
#define TEST_TYPE_VOTE (test_vote_get_type ())
TEST_DEFINE_RESOURCE (TestNote, test_note)
#define TEST_TYPE_NOTE (test_note_get_type ())
TEST_DEFINE_RESOURCE (TestAuthor, test_author)
#define TEST_TYPE_AUTHOR (test_author_get_type ())
TEST_DEFINE_RESOURCE (TestProfile, test_profile)
#define TEST_TYPE_PROFILE (test_profile_get_type ())
TEST_DEFINE_RESOURCE (TestArticle, test_article)
#define TEST_TYPE_ARTICLE (test_article_get_type ())
TEST_DEFINE_RESOURCE (TestTag, test_tag)
#define TEST_TYPE_TAG (test_tag_get_type ())
TEST_DEFINE_RESOURCE (TestPerson, test_person)
#define TEST_TYPE_PERSON (test_person_get_type ())

static void
test_question_class_init (TestQuestionClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("question-text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("rank", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
test_choice_class_init (TestChoiceClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("question-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_string ("choice-text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("votes", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "question-id",
                                       TEST_TYPE_QUESTION, GORM_ON_DELETE_CASCADE);
}

static void
test_vote_class_init (TestVoteClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("choice-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_string ("voter", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "choice_id",
                                       TEST_TYPE_CHOICE, GORM_ON_DELETE_CASCADE);
}

static void
test_note_class_init (TestNoteClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("subject", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  /* A key property without "_id": the relation has the property's name. */
  gorm_resource_class_set_foreign_key (resource_class, "subject", TEST_TYPE_QUESTION,
                                       GORM_ON_DELETE_RESTRICT);
  gorm_resource_class_set_related_name (resource_class, "subject", "notes");
}

static void
test_author_class_init (TestAuthorClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
test_profile_class_init (TestProfileClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("author-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_string ("bio", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (resource_class, "author-id", TEST_TYPE_AUTHOR,
                                       GORM_ON_DELETE_CASCADE);
  gorm_resource_class_set_unique (resource_class, "author-id");
}

static void
test_article_class_init (TestArticleClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("author-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (resource_class, "author-id", TEST_TYPE_AUTHOR,
                                       GORM_ON_DELETE_PROTECT);
  gorm_resource_class_add_many_to_many (resource_class, "tags", TEST_TYPE_TAG);
  gorm_resource_class_set_related_name (resource_class, "tags", "articles");
}

static void
test_tag_class_init (TestTagClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
test_person_class_init (TestPersonClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_add_many_to_many (GORM_RESOURCE_CLASS (klass), "friends",
                                        TEST_TYPE_PERSON);
}

/* Every type of the tests, classes initialized, as migrate() does. */
static void
init_types (void)
{
  GType types[] = {
    TEST_TYPE_QUESTION, TEST_TYPE_CHOICE, TEST_TYPE_VOTE, TEST_TYPE_NOTE,
    TEST_TYPE_AUTHOR, TEST_TYPE_PROFILE, TEST_TYPE_ARTICLE, TEST_TYPE_TAG,
    TEST_TYPE_PERSON,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_type_class_ref (types[i]);
}

static const GormSchema *
schema_of (GType type)
{
  g_autoptr(GError) error = NULL;
  const GormSchema *schema = gorm_schema_lookup (type, &error);

  g_assert_no_error (error);
  g_assert_nonnull (schema);
  return schema;
}

static const GormRelation *
find_relation (GType       type,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  const GormRelation *relation = gorm_schema_find_relation (schema_of (type), name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (relation);
  return relation;
}

/* The registry */

static void
test_registry_forward (void)
{
  const GormRelation *relation;

  init_types ();
  relation = find_relation (TEST_TYPE_CHOICE, "question");
  g_assert_cmpstr (relation->name, ==, "question");
  g_assert_cmpstr (relation->query_name, ==, "question");
  g_assert_cmpint (relation->kind, ==, GORM_RELATION_FORWARD);
  g_assert_true (relation->source_type == TEST_TYPE_CHOICE);
  g_assert_true (relation->target_type == TEST_TYPE_QUESTION);
  g_assert_true (relation->column == gorm_schema_find_column (schema_of (TEST_TYPE_CHOICE),
                                                              "question-id"));
  g_assert_cmpstr (relation->column->name, ==, "question_id");
  g_assert_null (relation->link_table);
  g_assert_cmpint (relation->on_delete, ==, GORM_ON_DELETE_CASCADE);
  g_assert_false (relation->single);
  /* The same relation for any spelling, for as long as the process. */
  g_assert_true (find_relation (TEST_TYPE_CHOICE, "question") == relation);

  /* A key property named without "_id" names its relation itself. */
  relation = find_relation (TEST_TYPE_NOTE, "subject");
  g_assert_cmpint (relation->kind, ==, GORM_RELATION_FORWARD);
  g_assert_cmpint (relation->on_delete, ==, GORM_ON_DELETE_RESTRICT);
  g_assert_cmpstr (relation->column->name, ==, "subject");

  relation = find_relation (TEST_TYPE_VOTE, "choice");
  g_assert_true (relation->target_type == TEST_TYPE_CHOICE);
}

static void
test_registry_reverse (void)
{
  const GormRelation *relation;
  const GormRelation *by_query_name;
  const GormRelation * const *all;
  guint n;

  init_types ();
  relation = find_relation (TEST_TYPE_QUESTION, "test_choice_set");
  g_assert_cmpstr (relation->name, ==, "test_choice_set");
  g_assert_cmpstr (relation->query_name, ==, "test_choice");
  g_assert_cmpint (relation->kind, ==, GORM_RELATION_REVERSE);
  g_assert_true (relation->source_type == TEST_TYPE_QUESTION);
  g_assert_true (relation->target_type == TEST_TYPE_CHOICE);
  /* The referencing column, in the other type's schema. */
  g_assert_true (relation->column == gorm_schema_find_column (schema_of (TEST_TYPE_CHOICE),
                                                              "question_id"));
  g_assert_cmpint (relation->on_delete, ==, GORM_ON_DELETE_CASCADE);
  g_assert_false (relation->single);
  by_query_name = find_relation (TEST_TYPE_QUESTION, "test_choice");
  g_assert_true (by_query_name == relation);

  /* A related name is both the name and the query name. */
  relation = find_relation (TEST_TYPE_QUESTION, "notes");
  g_assert_cmpstr (relation->query_name, ==, "notes");
  g_assert_true (relation->target_type == TEST_TYPE_NOTE);
  g_assert_cmpint (relation->on_delete, ==, GORM_ON_DELETE_RESTRICT);

  all = gorm_schema_get_relations (schema_of (TEST_TYPE_QUESTION), &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_null (all[n]);
  g_assert_true (gorm_schema_has_dependents (schema_of (TEST_TYPE_QUESTION)));
  g_assert_true (gorm_schema_has_dependents (schema_of (TEST_TYPE_CHOICE)));
  g_assert_false (gorm_schema_has_dependents (schema_of (TEST_TYPE_VOTE)));
}

static void
test_registry_one_to_one (void)
{
  const GormRelation *relation;

  init_types ();
  relation = find_relation (TEST_TYPE_AUTHOR, "test_profile");
  g_assert_cmpstr (relation->name, ==, "test_profile");
  g_assert_cmpstr (relation->query_name, ==, "test_profile");
  g_assert_cmpint (relation->kind, ==, GORM_RELATION_REVERSE);
  g_assert_true (relation->single);
  g_assert_true (relation->target_type == TEST_TYPE_PROFILE);

  relation = find_relation (TEST_TYPE_PROFILE, "author");
  g_assert_cmpint (relation->kind, ==, GORM_RELATION_FORWARD);
  g_assert_false (relation->single);

  /* The non-unique key to the same type is a set. */
  relation = find_relation (TEST_TYPE_AUTHOR, "test_article_set");
  g_assert_false (relation->single);
  g_assert_cmpint (relation->on_delete, ==, GORM_ON_DELETE_PROTECT);
}

static void
test_registry_many_to_many (void)
{
  const GormRelation *tags;
  const GormRelation *articles;
  const GormRelation *friends;
  const GormRelation *befriended;

  init_types ();
  tags = find_relation (TEST_TYPE_ARTICLE, "tags");
  g_assert_cmpint (tags->kind, ==, GORM_RELATION_MANY_TO_MANY);
  g_assert_cmpstr (tags->query_name, ==, "tags");
  g_assert_true (tags->source_type == TEST_TYPE_ARTICLE);
  g_assert_true (tags->target_type == TEST_TYPE_TAG);
  g_assert_null (tags->column);
  g_assert_cmpstr (tags->link_table, ==, "test_article_tags");
  g_assert_cmpstr (tags->link_source_column, ==, "test_article_id");
  g_assert_cmpstr (tags->link_target_column, ==, "test_tag_id");

  articles = find_relation (TEST_TYPE_TAG, "articles");
  g_assert_cmpint (articles->kind, ==, GORM_RELATION_MANY_TO_MANY);
  g_assert_cmpstr (articles->query_name, ==, "articles");
  g_assert_true (articles->source_type == TEST_TYPE_TAG);
  g_assert_true (articles->target_type == TEST_TYPE_ARTICLE);
  g_assert_cmpstr (articles->link_table, ==, "test_article_tags");
  g_assert_cmpstr (articles->link_source_column, ==, "test_tag_id");
  g_assert_cmpstr (articles->link_target_column, ==, "test_article_id");
  g_assert_true (gorm_schema_has_dependents (schema_of (TEST_TYPE_TAG)));

  /* With itself: from_ and to_ columns; the reverse by default name. */
  friends = find_relation (TEST_TYPE_PERSON, "friends");
  g_assert_cmpstr (friends->link_table, ==, "test_person_friends");
  g_assert_cmpstr (friends->link_source_column, ==, "from_test_person_id");
  g_assert_cmpstr (friends->link_target_column, ==, "to_test_person_id");
  befriended = find_relation (TEST_TYPE_PERSON, "test_person_set");
  g_assert_cmpstr (befriended->query_name, ==, "test_person");
  g_assert_true (befriended->target_type == TEST_TYPE_PERSON);
  g_assert_cmpstr (befriended->link_source_column, ==, "to_test_person_id");
  g_assert_cmpstr (befriended->link_target_column, ==, "from_test_person_id");
  g_assert_true (find_relation (TEST_TYPE_PERSON, "test_person") == befriended);
}

static void
test_registry_unknown (void)
{
  g_autoptr(GError) error = NULL;
  const char *names[] = { "questions", "question_id", "question-text", "", "choice.question" };

  init_types ();
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_null (gorm_schema_find_relation (schema_of (TEST_TYPE_QUESTION), names[i], &error));
      g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
      g_assert_nonnull (strstr (error->message, "TestQuestion"));
      g_assert_nonnull (strstr (error->message, names[i]));
      g_clear_error (&error);
    }
  /* A forward relation is not on the other side, nor a reverse one here. */
  g_assert_null (gorm_schema_find_relation (schema_of (TEST_TYPE_QUESTION), "question", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_null (gorm_schema_find_relation (schema_of (TEST_TYPE_CHOICE), "test_choice_set", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_assert_nonnull (strstr (error->message, "TestChoice"));
}

/* A type declared after the registry answered for its target: the
 * target's reverse relations follow. */
TEST_DEFINE_RESOURCE (TestLateRef, test_late_ref)
#define TEST_TYPE_LATE_REF (test_late_ref_get_type ())

static void
test_late_ref_class_init (TestLateRefClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("tag-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "tag-id", TEST_TYPE_TAG,
                                       GORM_ON_DELETE_DO_NOTHING);
}

static void
test_registry_late_type (void)
{
  g_autoptr(GError) error = NULL;
  const GormRelation *articles;
  guint n_before;
  guint n_after;

  init_types ();
  articles = find_relation (TEST_TYPE_TAG, "articles");
  gorm_schema_get_relations (schema_of (TEST_TYPE_TAG), &n_before);
  g_assert_null (gorm_schema_find_relation (schema_of (TEST_TYPE_TAG), "test_late_ref_set", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);

  g_type_class_ref (TEST_TYPE_LATE_REF);
  find_relation (TEST_TYPE_TAG, "test_late_ref_set");
  gorm_schema_get_relations (schema_of (TEST_TYPE_TAG), &n_after);
  g_assert_cmpuint (n_after, ==, n_before + 1);
  /* What was handed out before is still valid. */
  g_assert_cmpstr (articles->name, ==, "articles");
}

static void
test_on_delete_type (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (GORM_TYPE_ON_DELETE);

  g_assert_cmpstr (g_enum_get_value (klass, GORM_ON_DELETE_CASCADE)->value_nick, ==, "cascade");
  g_assert_cmpstr (g_enum_get_value (klass, GORM_ON_DELETE_SET_NULL)->value_nick, ==, "set-null");
  g_assert_cmpstr (g_enum_get_value (klass, GORM_ON_DELETE_DO_NOTHING)->value_nick, ==, "do-nothing");
  g_assert_cmpuint (klass->n_values, ==, 6);
}

/* Checked by migrate: broken declarations. */
TEST_DEFINE_RESOURCE (TestBadKeyType, test_bad_key_type)
#define TEST_TYPE_BAD_KEY_TYPE (test_bad_key_type_get_type ())

static void
test_bad_key_type_class_init (TestBadKeyTypeClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("question-id", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "question-id",
                                       TEST_TYPE_QUESTION, GORM_ON_DELETE_CASCADE);
}

TEST_DEFINE_RESOURCE (TestBadKeyName, test_bad_key_name)
#define TEST_TYPE_BAD_KEY_NAME (test_bad_key_name_get_type ())

static void
test_bad_key_name_class_init (TestBadKeyNameClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("question-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "questoin-id",
                                       TEST_TYPE_QUESTION, GORM_ON_DELETE_CASCADE);
}

/* A key to an abstract type, which has no table. */
TEST_DEFINE_RESOURCE (TestBadTarget, test_bad_target)
#define TEST_TYPE_BAD_TARGET (test_bad_target_get_type ())

static void
test_bad_target_class_init (TestBadTargetClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("thing-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "thing-id",
                                       TEST_TYPE_OBJECT, GORM_ON_DELETE_CASCADE);
}

TEST_DEFINE_RESOURCE (TestBadSetNull, test_bad_set_null)
#define TEST_TYPE_BAD_SET_NULL (test_bad_set_null_get_type ())

static void
test_bad_set_null_class_init (TestBadSetNullClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("question-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "question-id",
                                       TEST_TYPE_QUESTION, GORM_ON_DELETE_SET_NULL);
}

TEST_DEFINE_RESOURCE (TestLonely, test_lonely)
#define TEST_TYPE_LONELY (test_lonely_get_type ())

static void
test_lonely_class_init (TestLonelyClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

TEST_DEFINE_RESOURCE (TestClash, test_clash)
#define TEST_TYPE_CLASH (test_clash_get_type ())

static void
test_clash_class_init (TestClashClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("first-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_int64 ("second-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  /* Two keys to the same type, both with the default reverse name. */
  gorm_resource_class_set_foreign_key (resource_class, "first-id", TEST_TYPE_LONELY,
                                       GORM_ON_DELETE_CASCADE);
  gorm_resource_class_set_foreign_key (resource_class, "second-id", TEST_TYPE_LONELY,
                                       GORM_ON_DELETE_CASCADE);
}

static void
check_bad (GType       type,
           GType       schema_type,
           gint        code,
           const char *const *words)
{
  g_autoptr(GError) error = NULL;

  g_type_class_ref (type);
  g_assert_false (gorm_schema_check_relations (schema_of (schema_type), &error));
  g_assert_error (error, GORM_ERROR, code);
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (error->message, words[i]) == NULL)
      g_error ("“%s” does not name “%s”", error->message, words[i]);
}

static void
test_registry_check (void)
{
  g_autoptr(GError) error = NULL;

  init_types ();
  check_bad (TEST_TYPE_BAD_KEY_TYPE, TEST_TYPE_BAD_KEY_TYPE, GORM_ERROR_UNSUPPORTED_TYPE,
             (const char *[]) { "TestBadKeyType", "question-id", "gchararray", "gint64", NULL });
  check_bad (TEST_TYPE_BAD_KEY_NAME, TEST_TYPE_BAD_KEY_NAME, GORM_ERROR_UNKNOWN_PROPERTY,
             (const char *[]) { "TestBadKeyName", "questoin", "set_foreign_key", NULL });
  check_bad (TEST_TYPE_BAD_SET_NULL, TEST_TYPE_BAD_SET_NULL, GORM_ERROR_MIGRATION,
             (const char *[]) { "TestBadSetNull", "question-id", "SET_NULL", NULL });
  check_bad (TEST_TYPE_CLASH, TEST_TYPE_LONELY, GORM_ERROR_MIGRATION,
             (const char *[]) { "TestLonely", "test_clash_set", "set_related_name", NULL });

  /* The valid ones pass. */
  g_assert_true (gorm_schema_check_relations (schema_of (TEST_TYPE_CHOICE), &error));
  g_assert_true (gorm_schema_check_relations (schema_of (TEST_TYPE_ARTICLE), &error));
  g_assert_true (gorm_schema_check_relations (schema_of (TEST_TYPE_QUESTION), &error));
  g_assert_no_error (error);
}


/* Databases */

static GormDatabase *
open_polls (void)
{
  GormDatabase *db = test_open_memory ();
  GType types[] = { TEST_TYPE_VOTE, TEST_TYPE_NOTE, TEST_TYPE_PROFILE, TEST_TYPE_ARTICLE,
                    TEST_TYPE_PERSON };
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  return db;
}

static gint64
count_rows (GormDatabase *db,
            const char   *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", table);
  g_autofree char *text = test_query_text (db, sql);

  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
has_index (GormDatabase *db,
           const char   *name)
{
  g_autofree char *sql = test_engine_is_postgresql ()
    ? g_strdup_printf ("SELECT count(*) FROM pg_indexes WHERE indexname = '%s'", name)
    : g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '%s'", name);
  g_autofree char *text = test_query_text (db, sql);

  return g_str_equal (text, "1");
}

static gpointer
new_question (GormDatabase *db,
              const char   *text)
{
  GormResource *question = g_object_new (TEST_TYPE_QUESTION, "database", db,
                                         "question-text", text, NULL);

  test_save_ok (question);
  return question;
}

static gpointer
new_choice (GormDatabase *db,
            gpointer      question,
            const char   *text,
            int           votes)
{
  GormResource *choice = g_object_new (TEST_TYPE_CHOICE, "database", db,
                                       "question-id", gorm_resource_get_id (question),
                                       "choice-text", text, "votes", votes, NULL);

  test_save_ok (choice);
  return choice;
}

static gpointer
new_named (GormDatabase *db,
           GType         type,
           const char   *name)
{
  GormResource *object = g_object_new (type, "database", db, "name", name, NULL);

  test_save_ok (object);
  return object;
}

/* Raw SQL through libgorm, as another program would write. */
static gint64
execute (GormDatabase *db,
         const char   *sql,
         GError      **error)
{
  return gorm_database_execute (db, sql, NULL, 0, NULL, error);
}

/* Migrate and DDL */

static void
test_migrate_creates_targets (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType vote = TEST_TYPE_VOTE;
  GType tag = TEST_TYPE_TAG;

  /* A vote refers to a choice, which refers to a question: all three
   * tables are created, targets first. */
  init_types ();
  g_assert_true (gorm_database_migrate (db, &vote, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, "test_question"), ==, 0);
  g_assert_cmpint (count_rows (db, "test_choice"), ==, 0);
  g_assert_cmpint (count_rows (db, "test_vote"), ==, 0);
  g_assert_true (has_index (db, "ix_test_choice_question_id"));
  g_assert_true (has_index (db, "ix_test_vote_choice_id"));

  /* Either side of a many-to-many relation creates the link table, and
   * the other side. */
  g_assert_true (gorm_database_migrate (db, &tag, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, "test_article"), ==, 0);
  g_assert_cmpint (count_rows (db, "test_author"), ==, 0);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 0);
  g_assert_true (has_index (db, "ix_test_article_tags_test_tag_id"));
  g_assert_true (has_index (db, "ix_test_article_author_id"));

  /* Idempotent. */
  g_assert_true (gorm_database_migrate (db, &vote, 1, NULL, &error));
  g_assert_true (gorm_database_migrate (db, &tag, 1, NULL, &error));
  g_assert_no_error (error);
}

static void
test_migrate_foreign_keys_enforced (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's new?");
  g_autoptr(GormResource) choice = new_choice (db, question, "Not much", 0);
  g_autoptr(GormResource) article = NULL;
  g_autofree char *sql = NULL;

  if (!test_engine_is_postgresql ())
    {
      g_autofree char *on = test_query_text (db, "PRAGMA foreign_keys");

      g_assert_cmpstr (on, ==, "1");
    }

  /* A row pointing at no row is refused by the database. */
  g_assert_cmpint (execute (db, "INSERT INTO test_choice (question_id, choice_text, votes) "
                                "VALUES (4242, 'x', 0)", &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* A link is stored once. */
  article = g_object_new (TEST_TYPE_ARTICLE, "database", db, "title", "t", NULL);
  {
    g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
    g_autoptr(GormResource) tag = new_named (db, TEST_TYPE_TAG, "gnome");

    g_object_set (article, "author-id", gorm_resource_get_id (author), NULL);
    test_save_ok (article);
    sql = g_strdup_printf ("INSERT INTO test_article_tags (test_article_id, test_tag_id) "
                           "VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                           gorm_resource_get_id (article), gorm_resource_get_id (tag));
    g_assert_cmpint (execute (db, sql, &error), ==, 1);
    g_assert_no_error (error);
    g_assert_cmpint (execute (db, sql, &error), ==, -1);
    g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
    g_clear_error (&error);
    /* Deleting a side deletes its links (ON DELETE CASCADE). */
    g_assert_cmpint (execute (db, "DELETE FROM test_tag", &error), ==, 1);
    g_assert_no_error (error);
    g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 0);
  }

  /* ON DELETE CASCADE in the database itself. */
  g_assert_cmpint (execute (db, "DELETE FROM test_question", &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, "test_choice"), ==, 0);
}

static void
check_migrate_fails (GType       type,
                     gint        code,
                     const char *const *words)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;

  g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, code);
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (error->message, words[i]) == NULL)
      g_error ("“%s” does not name “%s”", error->message, words[i]);
  /* Nothing was created, not even the target. */
  g_clear_error (&error);
  g_assert_cmpint (execute (db, "SELECT count(*) FROM test_question", &error), ==, -1);
  g_assert_nonnull (error);
}

static void
test_migrate_refuses (void)
{
  init_types ();
  check_migrate_fails (TEST_TYPE_BAD_KEY_TYPE, GORM_ERROR_UNSUPPORTED_TYPE,
                       (const char *[]) { "TestBadKeyType", "question-id", NULL });
  check_migrate_fails (TEST_TYPE_BAD_KEY_NAME, GORM_ERROR_UNKNOWN_PROPERTY,
                       (const char *[]) { "TestBadKeyName", "questoin", NULL });
  check_migrate_fails (TEST_TYPE_BAD_SET_NULL, GORM_ERROR_MIGRATION,
                       (const char *[]) { "TestBadSetNull", "question-id", "SET_NULL", NULL });
  check_migrate_fails (TEST_TYPE_BAD_TARGET, GORM_ERROR_UNSUPPORTED_TYPE,
                       (const char *[]) { "TestBadTarget", "thing-id", "TestObject", NULL });
}

/* SET_DEFAULT: a key whose default, 1, is the first question. */
TEST_DEFINE_RESOURCE (TestFallback, test_fallback)
#define TEST_TYPE_FALLBACK (test_fallback_get_type ())

static void
test_fallback_class_init (TestFallbackClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("question-id", NULL, NULL, 0, G_MAXINT64, 1, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "question-id",
                                       TEST_TYPE_QUESTION, GORM_ON_DELETE_SET_DEFAULT);
}

/* SET_NULL: a nullable number key. */
TEST_DEFINE_RESOURCE (TestComment, test_comment)
#define TEST_TYPE_COMMENT (test_comment_get_type ())

static void
test_comment_class_init (TestCommentClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("question-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (resource_class, "question-id", TEST_TYPE_QUESTION,
                                       GORM_ON_DELETE_SET_NULL);
  gorm_resource_class_set_nullable (resource_class, "question-id");
}

/* SET_NULL: a string natural key, whose column holds NULL. */
TEST_DEFINE_RESOURCE (TestCategory, test_category)
#define TEST_TYPE_CATEGORY (test_category_get_type ())

static void
test_category_class_init (TestCategoryClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("slug", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_primary_key (GORM_RESOURCE_CLASS (klass), "slug");
}

TEST_DEFINE_RESOURCE (TestItem, test_item)
#define TEST_TYPE_ITEM (test_item_get_type ())

static void
test_item_class_init (TestItemClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("category", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "category",
                                       TEST_TYPE_CATEGORY, GORM_ON_DELETE_SET_NULL);
}

/* on_delete */

static void drain (void);

static void
count_deleted_cb (GormDatabase *db,
                  GormResource *resource,
                  gpointer      user_data)
{
  guint *count = user_data;

  (*count)++;
}

static GListModel *
watch_all (GormDatabase *db,
           GType         type)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  g_autoptr(GError) error = NULL;
  GListModel *model = gorm_query_watch (query, NULL, &error);

  g_assert_no_error (error);
  return model;
}

static void
check_cascade (gboolean bulk,
               gboolean rolled_back)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's up?");
  g_autoptr(GormResource) other = new_question (db, "Why?");
  g_autoptr(GormResource) sky = new_choice (db, question, "Sky", 1);
  g_autoptr(GormResource) sea = new_choice (db, question, "Sea", 1);
  g_autoptr(GormResource) kept = new_choice (db, other, "Because", 1);
  g_autoptr(GormResource) vote = g_object_new (TEST_TYPE_VOTE, "database", db, "voter", "ann",
                                               "choice-id", gorm_resource_get_id (sky), NULL);
  g_autoptr(GListModel) choices = NULL;
  g_autoptr(GListModel) votes = NULL;
  guint deleted = 0;

  test_save_ok (vote);
  choices = watch_all (db, TEST_TYPE_CHOICE);
  votes = watch_all (db, TEST_TYPE_VOTE);
  g_signal_connect (db, "resource-deleted", G_CALLBACK (count_deleted_cb), &deleted);
  g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 3);

  if (rolled_back)
    g_assert_true (gorm_database_begin (db, NULL, &error));
  if (bulk)
    {
      g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_QUESTION);
      g_auto(GValue) text = G_VALUE_INIT;

      gorm_query_filter (query, gorm_filter_eq ("question-text",
                                                test_string_value (&text, "What's up?")));
      g_assert_cmpint (gorm_query_delete (query, NULL, &error), ==, 1);
    }
  else
    {
      gorm_resource_delete (question, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_no_error (error);
  if (rolled_back)
    {
      g_assert_true (gorm_database_rollback (db, NULL, &error));
      g_assert_no_error (error);
    }
  drain ();

  if (rolled_back)
    {
      /* Memory as before (the question itself aside, which a resource
       * delete marks at once, as without relations). */
      g_assert_true (gorm_resource_is_saved (sky));
      g_assert_true (gorm_resource_is_saved (sea));
      g_assert_true (gorm_resource_is_saved (vote));
      g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 3);
      g_assert_cmpuint (g_list_model_get_n_items (votes), ==, 1);
      g_assert_cmpint (count_rows (db, "test_choice"), ==, 3);
      return;
    }

  /* The choices and, through them, the vote: deleted, out of every live
   * model, with the signal; the other question's choice stays. */
  g_assert_false (gorm_resource_is_saved (sky));
  g_assert_false (gorm_resource_is_saved (sea));
  g_assert_cmpint (gorm_resource_get_id (sea), ==, 0);
  g_assert_false (gorm_resource_is_saved (vote));
  g_assert_true (gorm_resource_is_saved (kept));
  g_assert_false (gorm_resource_is_dirty (kept));
  g_assert_cmpuint (deleted, ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (votes), ==, 0);
  g_assert_cmpint (count_rows (db, "test_choice"), ==, 1);
  g_assert_cmpint (count_rows (db, "test_vote"), ==, 0);
}

static void
test_on_delete_cascade (void)
{
  check_cascade (FALSE, FALSE);
}

static void
test_on_delete_cascade_bulk (void)
{
  check_cascade (TRUE, FALSE);
}

static void
test_on_delete_cascade_rolled_back (void)
{
  check_cascade (FALSE, TRUE);
  check_cascade (TRUE, TRUE);
}

static void
test_on_delete_protect (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
  g_autoptr(GormResource) profile = g_object_new (TEST_TYPE_PROFILE, "database", db,
                                                  "author-id", gorm_resource_get_id (author), NULL);
  g_autoptr(GormQuery) authors = gorm_database_query (db, TEST_TYPE_AUTHOR);
  g_autofree char *expected = NULL;
  guint deleted = 0;

  test_save_ok (profile);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GormResource) article = g_object_new (TEST_TYPE_ARTICLE, "database", db,
                                                      "title", "t", "author-id",
                                                      gorm_resource_get_id (author), NULL);

      test_save_ok (article);
    }
  g_signal_connect (db, "resource-deleted", G_CALLBACK (count_deleted_cb), &deleted);

  expected = g_strdup_printf ("Cannot delete TestAuthor %" G_GINT64_FORMAT ": 2 TestArticle rows "
                              "refer to it through author (PROTECT)",
                              gorm_resource_get_id (author));
  g_assert_false (gorm_resource_delete (author, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);
  g_assert_cmpint (gorm_query_delete (authors, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);

  /* Nothing deleted: not the author, not the profile it would cascade to. */
  drain ();
  g_assert_cmpuint (deleted, ==, 0);
  g_assert_true (gorm_resource_is_saved (author));
  g_assert_true (gorm_resource_is_saved (profile));
  g_assert_cmpint (count_rows (db, "test_author"), ==, 1);
  g_assert_cmpint (count_rows (db, "test_profile"), ==, 1);

  /* Without the articles, the next call works and cascades. */
  {
    g_autoptr(GormQuery) articles = gorm_database_query (db, TEST_TYPE_ARTICLE);

    g_assert_cmpint (gorm_query_delete (articles, NULL, &error), ==, 2);
  }
  g_assert_true (gorm_resource_delete (author, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_false (gorm_resource_is_saved (profile));
  g_assert_cmpint (count_rows (db, "test_profile"), ==, 0);
}

static void
test_on_delete_restrict (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's up?");
  g_autoptr(GormResource) choice = new_choice (db, question, "Sky", 1);
  g_autoptr(GormResource) note = g_object_new (TEST_TYPE_NOTE, "database", db, "text", "n",
                                               "subject", gorm_resource_get_id (question), NULL);
  g_autoptr(GormQuery) questions = gorm_database_query (db, TEST_TYPE_QUESTION);
  g_autofree char *expected = NULL;

  test_save_ok (note);
  expected = g_strdup_printf ("Cannot delete TestQuestion %" G_GINT64_FORMAT ": 1 TestNote row "
                              "refers to it through subject (RESTRICT)",
                              gorm_resource_get_id (question));
  g_assert_false (gorm_resource_delete (question, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);
  g_assert_cmpint (gorm_query_delete (questions, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (gorm_resource_is_saved (question));
  g_assert_true (gorm_resource_is_saved (choice));
  g_assert_cmpint (count_rows (db, "test_choice"), ==, 1);

  /* The database refuses too, for writers other than libgorm. */
  g_assert_cmpint (execute (db, "DELETE FROM test_question", &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);

  g_assert_true (gorm_resource_delete (note, NULL, &error));
  g_assert_true (gorm_resource_delete (question, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_false (gorm_resource_is_saved (choice));
}

static void
test_on_delete_set_default (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_FALLBACK;
  g_autoptr(GormResource) first = NULL;
  g_autoptr(GormResource) second = NULL;
  g_autoptr(GormResource) fallback = NULL;
  g_autofree char *stored = NULL;
  gint64 key = 0;

  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_no_error (error);
  first = new_question (db, "default");
  g_assert_cmpint (gorm_resource_get_id (first), ==, 1);
  second = new_question (db, "second");
  fallback = g_object_new (TEST_TYPE_FALLBACK, "database", db,
                           "question-id", gorm_resource_get_id (second), NULL);
  test_save_ok (fallback);

  g_assert_true (gorm_resource_delete (second, NULL, &error));
  g_assert_no_error (error);
  g_object_get (fallback, "question-id", &key, NULL);
  g_assert_cmpint (key, ==, 1);
  g_assert_false (gorm_resource_is_dirty (fallback));
  g_assert_true (gorm_resource_is_saved (fallback));
  stored = test_query_text (db, "SELECT question_id FROM test_fallback");
  g_assert_cmpstr (stored, ==, "1");
}

static void
test_on_delete_set_null (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_ITEM;
  g_autoptr(GormResource) books = NULL;
  g_autoptr(GormResource) item = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GListModel) items = NULL;
  g_autofree char *category = NULL;

  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_no_error (error);
  books = g_object_new (TEST_TYPE_CATEGORY, "database", db, "slug", "books", NULL);
  test_save_ok (books);
  item = g_object_new (TEST_TYPE_ITEM, "database", db, "name", "sicp", NULL);
  g_assert_true (gorm_resource_set_related (item, "category", books, &error));
  test_save_ok (item);
  loaded = gorm_resource_get_related (item, "category", NULL, &error);
  g_assert_true (loaded == books);
  g_clear_object (&loaded);

  items = watch_all (db, TEST_TYPE_ITEM);
  g_assert_true (gorm_resource_delete (books, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_object_get (item, "category", &category, NULL);
  g_assert_null (category);
  g_assert_false (gorm_resource_is_dirty (item));
  g_assert_null (gorm_resource_peek_related (item, "category"));
  loaded = gorm_resource_get_related (item, "category", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (loaded);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 1);
  g_assert_cmpint (count_rows (db, "test_item"), ==, 1);

  /* set_related (NULL) on a nullable key. */
  g_assert_true (gorm_resource_set_related (item, "category", NULL, &error));
  g_assert_no_error (error);
}

static void
test_on_delete_set_null_number (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_COMMENT;
  g_autoptr(GormResource) question = NULL;
  g_autoptr(GormResource) comment = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autofree char *stored = NULL;

  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_no_error (error);
  question = new_question (db, "What's up?");
  comment = g_object_new (TEST_TYPE_COMMENT, "database", db, "text", "hm", NULL);
  /* No key yet: NULL, not 0. */
  g_assert_true (gorm_resource_set_related (comment, "question", NULL, &error));
  g_assert_true (gorm_resource_is_null (comment, "question-id"));
  test_save_ok (comment);
  loaded = gorm_resource_get_related (comment, "question", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (loaded);
  g_assert_true (gorm_resource_set_related (comment, "question", question, &error));
  g_assert_false (gorm_resource_is_null (comment, "question-id"));
  test_save_ok (comment);

  g_assert_true (gorm_resource_delete (question, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_true (gorm_resource_is_null (comment, "question-id"));
  g_assert_false (gorm_resource_is_dirty (comment));
  g_assert_true (gorm_resource_is_saved (comment));
  g_assert_null (gorm_resource_peek_related (comment, "question"));
  stored = test_query_text (db, "SELECT count(*) FROM test_comment WHERE question_id IS NULL");
  g_assert_cmpstr (stored, ==, "1");
}

static void
test_on_delete_do_nothing (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_LATE_REF;
  g_autoptr(GormResource) tag = NULL;
  g_autoptr(GormResource) ref = NULL;

  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_no_error (error);
  tag = new_named (db, TEST_TYPE_TAG, "gnome");
  ref = g_object_new (TEST_TYPE_LATE_REF, "database", db, "tag-id", gorm_resource_get_id (tag), NULL);
  test_save_ok (ref);

  /* libgorm leaves it to the database, which refuses. */
  g_assert_false (gorm_resource_delete (tag, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (gorm_resource_is_saved (tag));
  g_assert_true (gorm_resource_is_saved (ref));
}

/* Objects */

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gpointer
wait_async (GAsyncResult **stored)
{
  while (*stored == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *stored;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **stored = user_data;

  *stored = g_object_ref (result);
}

static void
assert_error_names (const GError *error,
                    gint          code,
                    const char *const *words)
{
  g_assert_error (error, GORM_ERROR, code);
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (error->message, words[i]) == NULL)
      g_error ("“%s” does not name “%s”", error->message, words[i]);
}

/* The key-ordered texts of a model's items, space-separated. */
static char *
names_of (GListModel *model,
          const char *property)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *name = NULL;

      g_object_get (item, property, &name, NULL);
      g_string_append_printf (names, "%s%s", i ? " " : "", name);
    }
  return g_strdup (names->str);
}

static char *
fetch_names (GormQuery  *query,
             const char *property)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = gorm_query_fetch (query, NULL, &error);

  g_assert_no_error (error);
  return names_of (model, property);
}

static void
test_get_related (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's up?");
  g_autoptr(GormResource) other = new_question (db, "Why?");
  g_autoptr(GormResource) choice = new_choice (db, question, "Sky", 1);
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GormResource) again = NULL;
  gint64 choice_id = gorm_resource_get_id (choice);
  gint64 other_id = gorm_resource_get_id (other);

  /* The live object of the row, and no statement for it. */
  log = test_log_attach (db);
  loaded = gorm_resource_get_related (choice, "question", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == question);
  g_assert_true (gorm_resource_peek_related (choice, "question") == question);
  g_assert_cmpuint (log->statements->len, ==, 0);
  g_clear_object (&loaded);

  /* A question no longer alive is read once, then cached. */
  g_clear_object (&other);
  g_clear_object (&choice);
  choice = gorm_database_get (db, TEST_TYPE_CHOICE, choice_id, NULL, &error);
  g_assert_no_error (error);
  g_object_set (choice, "question-id", other_id, NULL);
  g_assert_null (gorm_resource_peek_related (choice, "question"));
  test_log_clear (log);
  loaded = gorm_resource_get_related (choice, "question", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpint (gorm_resource_get_id (loaded), ==, other_id);
  again = gorm_resource_get_related (choice, "question", NULL, &error);
  g_assert_true (again == loaded);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_true (gorm_resource_peek_related (choice, "question") == loaded);

  /* The key changed: the cached question is not the answer any more. */
  g_object_set (choice, "question-id", gorm_resource_get_id (question), NULL);
  g_assert_true (gorm_resource_peek_related (choice, "question") == question);
  g_clear_object (&again);
  again = gorm_resource_get_related (choice, "question", NULL, &error);
  g_assert_true (again == question);

  /* No key: no object, no error. An unsaved choice reads its key too. */
  g_object_set (choice, "question-id", (gint64) 0, NULL);
  g_clear_object (&again);
  again = gorm_resource_get_related (choice, "question", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (again);
  g_assert_null (gorm_resource_peek_related (choice, "question"));
  {
    g_autoptr(GormResource) unsaved = g_object_new (TEST_TYPE_CHOICE, "database", db,
                                                    "question-id", other_id, NULL);

    again = gorm_resource_get_related (unsaved, "question", NULL, &error);
    g_assert_no_error (error);
    g_assert_true (again == loaded);
  }
}

static void
test_get_related_fails (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's up?");
  g_autoptr(GormResource) choice = new_choice (db, question, "Sky", 1);
  g_autoptr(GormResource) author = g_object_new (TEST_TYPE_AUTHOR, "database", db, NULL);

  g_assert_null (gorm_resource_get_related (choice, "questoin", NULL, &error));
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY,
                      (const char *[]) { "TestChoice", "questoin", NULL });
  g_clear_error (&error);
  g_assert_null (gorm_resource_peek_related (choice, "questoin"));

  /* A set is a query. */
  g_assert_null (gorm_resource_get_related (question, "test_choice_set", NULL, &error));
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY,
                      (const char *[]) { "TestQuestion", "test_choice_set",
                                         "gorm_resource_query_related", NULL });
  g_clear_error (&error);

  /* A key that refers to no row. */
  g_object_set (choice, "question-id", (gint64) 4242, NULL);
  g_assert_null (gorm_resource_get_related (choice, "question", NULL, &error));
  assert_error_names (error, GORM_ERROR_NOT_FOUND, (const char *[]) { "TestQuestion", "4242", NULL });
  g_clear_error (&error);

  /* The reverse of a one-to-one key needs a saved object. */
  g_assert_null (gorm_resource_get_related (author, "test_profile", NULL, &error));
  assert_error_names (error, GORM_ERROR_VALIDATION,
                      (const char *[]) { "TestAuthor", "test_profile", "not saved", NULL });
  g_clear_error (&error);
}

static void
test_one_to_one (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) ann = new_named (db, TEST_TYPE_AUTHOR, "ann");
  g_autoptr(GormResource) bob = new_named (db, TEST_TYPE_AUTHOR, "bob");
  g_autoptr(GormResource) profile = g_object_new (TEST_TYPE_PROFILE, "database", db,
                                                  "bio", "writes", NULL);
  g_autoptr(GormResource) found = NULL;

  g_assert_true (gorm_resource_set_related (profile, "author", ann, &error));
  g_assert_no_error (error);
  test_save_ok (profile);
  found = gorm_resource_get_related (ann, "test_profile", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (found == profile);
  g_assert_true (gorm_resource_peek_related (ann, "test_profile") == profile);
  g_clear_object (&found);
  found = gorm_resource_get_related (bob, "test_profile", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);
}

/* The related object of a choice that has no database of its own (and
 * no default database) is not in any identity map the choice can ask:
 * the choice's cache keeps it, weakly, and lets it go with its last
 * reference. */
static void
test_set_related_without_database (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  GormResource *question = new_question (db, "Where?");
  g_autoptr(GormResource) choice = g_object_new (TEST_TYPE_CHOICE, "choice-text", "Here", NULL);

  g_assert_null (gorm_database_get_default ());
  g_assert_true (gorm_resource_set_related (choice, "question", question, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_peek_related (choice, "question") == question);
  g_assert_true (gorm_resource_peek_related (choice, "question") == question);

  g_object_unref (question);
  g_assert_null (gorm_resource_peek_related (choice, "question"));
}

static void
test_set_related (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's up?");
  g_autoptr(GormResource) unsaved = g_object_new (TEST_TYPE_QUESTION, "database", db, NULL);
  g_autoptr(GormResource) tag = new_named (db, TEST_TYPE_TAG, "gnome");
  g_autoptr(GormResource) choice = g_object_new (TEST_TYPE_CHOICE, "database", db,
                                                 "choice-text", "Sky", NULL);
  g_autoptr(GormResource) reloaded = NULL;
  gint64 key = -1;

  g_assert_true (gorm_resource_set_related (choice, "question", question, &error));
  g_assert_no_error (error);
  g_object_get (choice, "question-id", &key, NULL);
  g_assert_cmpint (key, ==, gorm_resource_get_id (question));
  g_assert_true (gorm_resource_peek_related (choice, "question") == question);
  test_save_ok (choice);
  reloaded = gorm_resource_get_related (choice, "question", NULL, &error);
  g_assert_true (reloaded == question);

  /* Refused, and the choice unchanged. */
  g_assert_false (gorm_resource_set_related (choice, "question", unsaved, &error));
  assert_error_names (error, GORM_ERROR_VALIDATION,
                      (const char *[]) { "TestChoice", "question-id", "not saved", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_set_related (choice, "question", tag, &error));
  assert_error_names (error, GORM_ERROR_TYPE_MISMATCH,
                      (const char *[]) { "TestChoice", "question-id", "TestTag", "TestQuestion", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_set_related (choice, "question", NULL, &error));
  assert_error_names (error, GORM_ERROR_VALIDATION,
                      (const char *[]) { "TestChoice", "question-id", "NULL", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_set_related (choice, "nothing", question, &error));
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY, (const char *[]) { "TestChoice", "nothing", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_set_related (question, "test_choice_set", choice, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_object_get (choice, "question-id", &key, NULL);
  g_assert_cmpint (key, ==, gorm_resource_get_id (question));
  g_assert_false (gorm_resource_is_dirty (choice));
}

static void
test_save_dangling_key (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's up?");
  g_autoptr(GormResource) choice = g_object_new (TEST_TYPE_CHOICE, "database", db,
                                                 "question-id", (gint64) 4242,
                                                 "choice-text", "Sky", NULL);
  g_autoptr(GormResource) saved = new_choice (db, question, "Sea", 2);
  gint64 key = 0;

  g_assert_false (gorm_resource_save (choice, NULL, &error));
  assert_error_names (error, GORM_ERROR_CONSTRAINT,
                      (const char *[]) { "TestChoice", "question-id", "4242", "TestQuestion", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_is_saved (choice));
  g_assert_cmpint (gorm_resource_get_id (choice), ==, 0);
  g_object_get (choice, "question-id", &key, NULL);
  g_assert_cmpint (key, ==, 4242);

  /* An update too; the object keeps its change, the row its key. */
  g_object_set (saved, "question-id", (gint64) 777, NULL);
  g_assert_false (gorm_resource_save (saved, NULL, &error));
  assert_error_names (error, GORM_ERROR_CONSTRAINT,
                      (const char *[]) { "TestChoice", "question-id", "777", NULL });
  g_clear_error (&error);
  g_assert_true (gorm_resource_is_dirty (saved));
  g_assert_cmpint (gorm_query_count (gorm_resource_query_related (question, "test_choice_set"),
                                     NULL, &error), ==, 1);

  /* And the next save works. */
  g_object_set (choice, "question-id", gorm_resource_get_id (question), NULL);
  test_save_ok (choice);
}

static void
test_query_related_reverse (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's up?");
  g_autoptr(GormResource) other = new_question (db, "Why?");
  g_autoptr(GormResource) unsaved = g_object_new (TEST_TYPE_QUESTION, "database", db, NULL);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_auto(GValue) two = G_VALUE_INIT;
  g_autofree char *names = NULL;

  g_object_unref (new_choice (db, question, "b", 3));
  g_object_unref (new_choice (db, other, "x", 1));
  g_object_unref (new_choice (db, question, "a", 1));
  g_object_unref (new_choice (db, question, "c", 2));

  query = gorm_resource_query_related (question, "test_choice_set");
  names = fetch_names (query, "choice-text");
  g_assert_cmpstr (names, ==, "b a c");
  g_clear_pointer (&names, g_free);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 3);
  /* Chained like any query; also by query name. */
  g_clear_object (&query);
  query = gorm_resource_query_related (question, "test_choice");
  gorm_query_order_by (gorm_query_filter (query, gorm_filter_ge ("votes", test_int_value (&two, 2))),
                       "votes", TRUE);
  names = fetch_names (query, "choice-text");
  g_assert_cmpstr (names, ==, "b c");
  g_clear_pointer (&names, g_free);

  /* A live model of the set follows saves. */
  g_clear_object (&query);
  query = gorm_resource_query_related (question, "test_choice_set");
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_object_unref (new_choice (db, question, "d", 0));
  g_object_unref (new_choice (db, other, "y", 0));
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);

  /* An unsaved object has no set yet; an unknown relation none at all. */
  g_clear_object (&query);
  query = gorm_resource_query_related (unsaved, "test_choice_set");
  g_assert_null (gorm_query_fetch (query, NULL, &error));
  assert_error_names (error, GORM_ERROR_VALIDATION,
                      (const char *[]) { "TestQuestion", "test_choice_set", "not saved", NULL });
  g_clear_error (&error);
  g_clear_object (&query);
  query = gorm_resource_query_related (question, "choices");
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, -1);
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY,
                      (const char *[]) { "TestQuestion", "choices", NULL });
}

static void
test_many_to_many (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
  g_autoptr(GormResource) first = g_object_new (TEST_TYPE_ARTICLE, "database", db, "title", "first",
                                                "author-id", gorm_resource_get_id (author), NULL);
  g_autoptr(GormResource) second = g_object_new (TEST_TYPE_ARTICLE, "database", db, "title", "second",
                                                 "author-id", gorm_resource_get_id (author), NULL);
  g_autoptr(GormResource) gnome = new_named (db, TEST_TYPE_TAG, "gnome");
  g_autoptr(GormResource) gtk = new_named (db, TEST_TYPE_TAG, "gtk");
  g_autoptr(GormResource) c = new_named (db, TEST_TYPE_TAG, "c");
  g_autoptr(GormQuery) tags = NULL;
  g_autoptr(GormQuery) articles = NULL;
  g_autofree char *names = NULL;

  test_save_ok (first);
  test_save_ok (second);
  g_assert_true (gorm_resource_link (first, "tags", gnome, NULL, &error));
  g_assert_true (gorm_resource_link (first, "tags", c, NULL, &error));
  /* Twice is not an error and stores one link. */
  g_assert_true (gorm_resource_link (first, "tags", gnome, NULL, &error));
  /* From the other side. */
  g_assert_true (gorm_resource_link (gtk, "articles", second, NULL, &error));
  g_assert_true (gorm_resource_link (gnome, "articles", second, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 4);

  tags = gorm_resource_query_related (first, "tags");
  names = fetch_names (tags, "name");
  g_assert_cmpstr (names, ==, "gnome c");
  g_clear_pointer (&names, g_free);
  articles = gorm_resource_query_related (gnome, "articles");
  names = fetch_names (articles, "title");
  g_assert_cmpstr (names, ==, "first second");
  g_clear_pointer (&names, g_free);
  /* Negated, the complement. */
  {
    g_autoptr(GormQuery) all = gorm_database_query (db, TEST_TYPE_TAG);
    g_auto(GValue) name = G_VALUE_INIT;

    gorm_query_filter (all, gorm_filter_not (gorm_filter_eq ("name", test_string_value (&name, "c"))));
    g_assert_cmpint (gorm_query_count (all, NULL, &error), ==, 2);
  }

  g_assert_true (gorm_resource_unlink (first, "tags", gnome, NULL, &error));
  /* Missing is not an error. */
  g_assert_true (gorm_resource_unlink (first, "tags", gnome, NULL, &error));
  g_assert_true (gorm_resource_unlink (first, "tags", gtk, NULL, &error));
  g_assert_no_error (error);
  names = fetch_names (tags, "name");
  g_assert_cmpstr (names, ==, "c");
  g_clear_pointer (&names, g_free);

  g_assert_true (gorm_resource_clear_links (second, "tags", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gorm_query_count (articles, NULL, &error), ==, 0);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 1);
}

static void
test_many_to_many_self (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) ann = new_named (db, TEST_TYPE_PERSON, "ann");
  g_autoptr(GormResource) bob = new_named (db, TEST_TYPE_PERSON, "bob");
  g_autoptr(GormResource) cid = new_named (db, TEST_TYPE_PERSON, "cid");
  g_autoptr(GormQuery) query = NULL;
  g_autofree char *names = NULL;

  g_assert_true (gorm_resource_link (ann, "friends", bob, NULL, &error));
  g_assert_true (gorm_resource_link (ann, "friends", cid, NULL, &error));
  g_assert_true (gorm_resource_link (cid, "friends", bob, NULL, &error));
  g_assert_no_error (error);
  query = gorm_resource_query_related (ann, "friends");
  names = fetch_names (query, "name");
  g_assert_cmpstr (names, ==, "bob cid");
  g_clear_pointer (&names, g_free);
  g_clear_object (&query);
  /* Who calls bob a friend: the reverse. */
  query = gorm_resource_query_related (bob, "test_person_set");
  names = fetch_names (query, "name");
  g_assert_cmpstr (names, ==, "ann cid");
}

static void
test_link_fails (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
  g_autoptr(GormResource) article = g_object_new (TEST_TYPE_ARTICLE, "database", db, "title", "a",
                                                  "author-id", gorm_resource_get_id (author), NULL);
  g_autoptr(GormResource) unsaved_article = g_object_new (TEST_TYPE_ARTICLE, "database", db, NULL);
  g_autoptr(GormResource) tag = new_named (db, TEST_TYPE_TAG, "gnome");
  g_autoptr(GormResource) unsaved_tag = g_object_new (TEST_TYPE_TAG, "database", db, NULL);
  g_autoptr(GormResource) gone = new_named (db, TEST_TYPE_TAG, "gone");

  test_save_ok (article);
  g_assert_false (gorm_resource_link (article, "tags", unsaved_tag, NULL, &error));
  assert_error_names (error, GORM_ERROR_VALIDATION,
                      (const char *[]) { "TestTag", "not saved", "tags", "TestArticle", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_link (unsaved_article, "tags", tag, NULL, &error));
  assert_error_names (error, GORM_ERROR_VALIDATION,
                      (const char *[]) { "TestArticle", "not saved", "tags", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_link (article, "tags", author, NULL, &error));
  assert_error_names (error, GORM_ERROR_TYPE_MISMATCH,
                      (const char *[]) { "TestAuthor", "tags", "TestArticle", "TestTag", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_link (article, "author", author, NULL, &error));
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY,
                      (const char *[]) { "author", "TestArticle", "many-to-many", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_unlink (article, "tagz", tag, NULL, &error));
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY, (const char *[]) { "TestArticle", "tagz", NULL });
  g_clear_error (&error);
  g_assert_false (gorm_resource_clear_links (unsaved_article, "tags", NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);

  /* A row deleted behind the object's back: the database refuses. */
  g_assert_cmpint (execute (db, "DELETE FROM test_tag WHERE name = 'gone'", &error), ==, 1);
  g_assert_false (gorm_resource_link (article, "tags", gone, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 0);

  /* Nothing was linked, and the next call works. */
  g_assert_true (gorm_resource_link (article, "tags", tag, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 1);
}

static void
test_live_links (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
  g_autoptr(GormResource) article = g_object_new (TEST_TYPE_ARTICLE, "database", db, "title", "a",
                                                  "author-id", gorm_resource_get_id (author), NULL);
  g_autoptr(GormResource) gnome = new_named (db, TEST_TYPE_TAG, "gnome");
  g_autoptr(GormResource) c = new_named (db, TEST_TYPE_TAG, "c");
  g_autoptr(GormQuery) tags = NULL;
  g_autoptr(GormQuery) articles = NULL;
  g_autoptr(GListModel) tag_model = NULL;
  g_autoptr(GListModel) article_model = NULL;
  g_autofree char *names = NULL;

  test_save_ok (article);
  tags = gorm_resource_query_related (article, "tags");
  tag_model = gorm_query_watch (tags, NULL, &error);
  articles = gorm_resource_query_related (gnome, "articles");
  article_model = gorm_query_watch (articles, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (tag_model), ==, 0);

  g_assert_true (gorm_resource_link (article, "tags", c, NULL, &error));
  g_assert_true (gorm_resource_link (article, "tags", gnome, NULL, &error));
  drain ();
  names = names_of (tag_model, "name");
  g_assert_cmpstr (names, ==, "gnome c");
  g_clear_pointer (&names, g_free);
  g_assert_cmpuint (g_list_model_get_n_items (article_model), ==, 1);

  g_assert_true (gorm_resource_unlink (gnome, "articles", article, NULL, &error));
  drain ();
  names = names_of (tag_model, "name");
  g_assert_cmpstr (names, ==, "c");
  g_clear_pointer (&names, g_free);
  g_assert_cmpuint (g_list_model_get_n_items (article_model), ==, 0);

  /* A rolled-back link never shows. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (gorm_resource_link (article, "tags", gnome, NULL, &error));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (tag_model), ==, 1);

  g_assert_true (gorm_resource_link (article, "tags", gnome, NULL, &error));
  g_assert_true (gorm_resource_clear_links (article, "tags", NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (tag_model), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (article_model), ==, 0);
}

static GListModel *
watch_filtered (GormDatabase *db,
                GType         type,
                const char   *path,
                const char   *text)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  GListModel *model;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, text);
  gorm_query_filter (query, gorm_filter_eq (path, &value));
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  return model;
}

/* Deleting a row removes its links (the link table's ON DELETE CASCADE):
 * live models that filter through them follow, from either side. */
static void
test_live_links_deleted (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
  g_autoptr(GormResource) article = g_object_new (TEST_TYPE_ARTICLE, "database", db, "title", "a",
                                                  "author-id", gorm_resource_get_id (author), NULL);
  g_autoptr(GormResource) other = g_object_new (TEST_TYPE_ARTICLE, "database", db, "title", "b",
                                                "author-id", gorm_resource_get_id (author), NULL);
  g_autoptr(GormResource) gnome = new_named (db, TEST_TYPE_TAG, "gnome");
  g_autoptr(GormResource) c = new_named (db, TEST_TYPE_TAG, "c");
  g_autoptr(GListModel) tags_of_a = NULL;
  g_autoptr(GListModel) articles_of_gnome = NULL;
  g_autoptr(GListModel) linked_tags = NULL;
  g_autoptr(GormQuery) related = NULL;
  g_autoptr(GormQuery) all_articles = NULL;

  test_save_ok (article);
  test_save_ok (other);
  g_assert_true (gorm_resource_link (article, "tags", gnome, NULL, &error));
  g_assert_true (gorm_resource_link (article, "tags", c, NULL, &error));
  g_assert_true (gorm_resource_link (other, "tags", gnome, NULL, &error));
  g_assert_no_error (error);

  tags_of_a = watch_filtered (db, TEST_TYPE_TAG, "articles.title", "a");
  articles_of_gnome = watch_filtered (db, TEST_TYPE_ARTICLE, "tags.name", "gnome");
  related = gorm_resource_query_related (other, "tags");
  linked_tags = gorm_query_watch (related, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (tags_of_a), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (articles_of_gnome), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (linked_tags), ==, 1);

  /* A rolled-back delete changes nothing. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (gorm_resource_delete (article, NULL, &error));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (tags_of_a), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (articles_of_gnome), ==, 2);

  /* The source side: the tags of article "a" are no one's now. */
  g_assert_true (gorm_resource_delete (article, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (tags_of_a), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (articles_of_gnome), ==, 1);

  /* The target side: "b" loses its tag. */
  g_assert_true (gorm_resource_delete (gnome, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (articles_of_gnome), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (linked_tags), ==, 0);

  /* A bulk delete of the source side too. */
  g_assert_true (gorm_resource_link (other, "tags", c, NULL, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (linked_tags), ==, 1);
  all_articles = gorm_database_query (db, TEST_TYPE_ARTICLE);
  g_assert_cmpint (gorm_query_delete (all_articles, NULL, &error), ==, 1);
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (linked_tags), ==, 0);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 0);
}

static void
test_async (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) question = new_question (db, "What's up?");
  g_autoptr(GormResource) choice = NULL;
  g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
  g_autoptr(GormResource) article = g_object_new (TEST_TYPE_ARTICLE, "database", db, "title", "a",
                                                  "author-id", gorm_resource_get_id (author), NULL);
  g_autoptr(GormResource) tag = new_named (db, TEST_TYPE_TAG, "gnome");
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gint64 question_id = gorm_resource_get_id (question);
  gint64 choice_id;

  {
    g_autoptr(GormResource) saved = new_choice (db, question, "Sky", 1);

    choice_id = gorm_resource_get_id (saved);
  }
  g_clear_object (&question);
  choice = gorm_database_get (db, TEST_TYPE_CHOICE, choice_id, NULL, &error);
  g_assert_no_error (error);

  /* Read on the worker, made in the main context. */
  gorm_resource_get_related_async (choice, "question", NULL, store_result_cb, &result);
  g_assert_null (result);
  loaded = gorm_resource_get_related_finish (choice, wait_async (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_resource_get_id (loaded), ==, question_id);
  g_assert_true (gorm_resource_peek_related (choice, "question") == loaded);
  g_clear_object (&result);
  g_clear_object (&loaded);

  /* Cached: completes at the next iteration, not in the call. */
  gorm_resource_get_related_async (choice, "question", NULL, store_result_cb, &result);
  g_assert_null (result);
  loaded = gorm_resource_get_related_finish (choice, wait_async (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_resource_get_id (loaded), ==, question_id);
  g_clear_object (&result);
  g_clear_object (&loaded);

  /* Errors arrive through the callback. */
  gorm_resource_get_related_async (choice, "nothing", NULL, store_result_cb, &result);
  g_assert_null (gorm_resource_get_related_finish (choice, wait_async (&result), &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_clear_object (&result);
  g_object_set (choice, "question-id", (gint64) 4242, NULL);
  gorm_resource_get_related_async (choice, "question", NULL, store_result_cb, &result);
  g_assert_null (gorm_resource_get_related_finish (choice, wait_async (&result), &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  test_save_ok (article);
  gorm_resource_link_async (article, "tags", tag, NULL, store_result_cb, &result);
  g_assert_true (gorm_resource_link_finish (article, wait_async (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 1);
  gorm_resource_unlink_async (article, "tags", tag, NULL, store_result_cb, &result);
  g_assert_true (gorm_resource_unlink_finish (article, wait_async (&result), &error));
  g_clear_object (&result);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 0);
  g_assert_true (gorm_resource_link (article, "tags", tag, NULL, &error));
  gorm_resource_clear_links_async (article, "tags", NULL, store_result_cb, &result);
  g_assert_true (gorm_resource_clear_links_finish (article, wait_async (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (count_rows (db, "test_article_tags"), ==, 0);
  gorm_resource_link_async (article, "tags", author, NULL, store_result_cb, &result);
  g_assert_false (gorm_resource_link_finish (article, wait_async (&result), &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
}

/* Eager loading */

/* Five questions ("q0" … "q4"), each with ten choices. */
static void
fill_polls (GormDatabase *db,
            guint         n_questions,
            guint         n_choices)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint q = 0; q < n_questions; q++)
    {
      g_autofree char *text = g_strdup_printf ("q%u", q);
      g_autoptr(GormResource) question = new_question (db, text);

      for (guint c = 0; c < n_choices; c++)
        {
          g_autofree char *choice_text = g_strdup_printf ("q%u-c%u", q, c);

          g_object_unref (new_choice (db, question, choice_text, (int) c));
        }
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
}

static void
dump_log (TestLog *log)
{
  for (guint i = 0; i < log->statements->len; i++)
    g_test_message ("statement %u: %s", i, (const char *) g_ptr_array_index (log->statements, i));
}

/* A live object joined again to another related row: the cache entry of
 * the relation is replaced, and the object's other holders see the new
 * related object; a relation never prefetched peeks nothing. */
static void
test_select_related_again (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) first_run = NULL;
  g_autoptr(GListModel) second_run = NULL;
  g_autoptr(GormResource) choice = NULL;
  g_autoptr(GormResource) again = NULL;
  g_autoptr(GormResource) other = NULL;
  GormResource *question;
  gint64 old_key = 0;

  fill_polls (db, 2, 1);
  query = gorm_database_query (db, TEST_TYPE_CHOICE);
  gorm_query_select_related (gorm_query_order_by (query, "id", FALSE), "question");
  first_run = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (first_run), ==, 2);
  choice = g_list_model_get_item (first_run, 0);
  other = g_list_model_get_item (first_run, 1);
  g_object_get (choice, "question-id", &old_key, NULL);
  question = gorm_resource_peek_related (choice, "question");
  g_assert_nonnull (question);
  g_assert_cmpint (gorm_resource_get_id (question), ==, old_key);
  g_assert_null (gorm_resource_peek_prefetched (choice, "question"));

  /* The choice moves to the other question, which another query joins. */
  g_object_set (choice, "question-id",
                gorm_resource_get_id (gorm_resource_peek_related (other, "question")), NULL);
  test_save_ok (choice);
  second_run = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  again = g_list_model_get_item (second_run, 0);
  g_assert_true (again == choice);
  question = gorm_resource_peek_related (choice, "question");
  g_assert_nonnull (question);
  g_assert_true (question == gorm_resource_peek_related (other, "question"));
  g_assert_cmpint (gorm_resource_get_id (question), !=, old_key);
  g_assert_false (gorm_resource_is_dirty (choice));

  g_clear_object (&again);
  g_clear_object (&first_run);
  g_clear_object (&second_run);
  g_assert_finalize_object (g_steal_pointer (&choice));
  g_assert_finalize_object (g_steal_pointer (&other));
  g_clear_object (&query);
  g_assert_finalize_object (g_steal_pointer (&db));
}


/* How many times TestQuestion's get_property ran while it counted: see
 * test_select_related_row_once(). */
static guint question_reads;
static void (*question_get_property) (GObject *, guint, GValue *, GParamSpec *);

static void
counting_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  question_reads++;
  question_get_property (object, prop_id, value, pspec);
}

/* A question joined to each of its ten choices takes its row's values
 * at its first rows, and is then given back for the other rows of the
 * same read without being compared again (its values read once per
 * column); a question whose row changed since it was loaded takes the
 * new values, and an unsaved change of the application stays. */
static void
test_select_related_row_once (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) choices = NULL;
  g_autoptr(GormResource) first = NULL;
  g_autoptr(GormResource) kept = NULL;
  GObjectClass *klass = g_type_class_ref (TEST_TYPE_QUESTION);
  g_autofree char *text = NULL;
  int rank = -1;

  fill_polls (db, 2, 10);
  query = gorm_database_query (db, TEST_TYPE_CHOICE);
  gorm_query_select_related (gorm_query_order_by (query, "id", FALSE), "question");

  /* Every column of the questions compared at the second row of each
   * (the first builds it): question-text and rank, twice; not at the
   * eight others. */
  question_get_property = klass->get_property;
  klass->get_property = counting_get_property;
  question_reads = 0;
  choices = gorm_query_fetch (query, NULL, &error);
  klass->get_property = question_get_property;
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 20);
  g_assert_cmpuint (question_reads, ==, 2 * 2);
  first = g_list_model_get_item (choices, 0);
  kept = g_object_ref (gorm_resource_peek_related (first, "question"));
  g_clear_object (&choices);

  /* The row changes behind the live question, which has an unsaved
   * change of its own: a new read gives it the row's rank, keeps its
   * text, and every choice of it still joins the same object. */
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_question SET rank = 7, "
                                          "question_text = 'elsewhere'", NULL, 0, NULL, &error),
                   ==, 2);
  g_assert_no_error (error);
  g_object_set (kept, "question-text", "mine", NULL);
  choices = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GormResource) choice = g_list_model_get_item (choices, i);

      g_assert_true (gorm_resource_peek_related (choice, "question") == (gpointer) kept);
    }
  g_object_get (kept, "question-text", &text, "rank", &rank, NULL);
  g_assert_cmpstr (text, ==, "mine");
  g_assert_cmpint (rank, ==, 7);
  g_assert_true (gorm_resource_is_dirty (kept));

  g_clear_object (&choices);
  g_clear_object (&first);
  g_assert_finalize_object (g_steal_pointer (&kept));
  g_clear_object (&query);
  g_type_class_unref (klass);
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_select_related (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) choices = NULL;
  g_auto(GValue) five = G_VALUE_INIT;

  fill_polls (db, 5, 10);
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
  log = test_log_attach (db);
  query = gorm_database_query (db, TEST_TYPE_CHOICE);
  gorm_query_select_related (gorm_query_order_by (query, "votes", TRUE), "question");
  choices = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 50);
  /* A snapshot of 50 rows is one statement, without a count: the 50
   * choices with their questions. */
  dump_log (log);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpuint (test_log_count (log, "SELECT count(*)"), ==, 0);
  g_assert_nonnull (strstr (test_log_last (log), "LEFT JOIN"));
  g_object_unref (g_list_model_get_item (choices, 0));
  g_assert_cmpuint (log->statements->len, ==, 1);

  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GormResource) choice = g_list_model_get_item (choices, i);
      g_autoptr(GormResource) question = NULL;
      g_autofree char *choice_text = NULL;
      g_autofree char *question_text = NULL;
      gint64 key = 0;
      int votes = -1;

      g_object_get (choice, "choice-text", &choice_text, "question-id", &key, "votes", &votes, NULL);
      /* The order of the query holds through the join. */
      g_assert_cmpint (votes, ==, 9 - (int) i / 5);
      question = g_object_ref (gorm_resource_peek_related (choice, "question"));
      g_assert_nonnull (question);
      g_assert_cmpint (gorm_resource_get_id (question), ==, key);
      g_object_get (question, "question-text", &question_text, NULL);
      g_assert_true (g_str_has_prefix (choice_text, question_text));
      g_assert_false (gorm_resource_is_dirty (question));
    }
  /* One object per row, through the identity map: five questions. */
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 55);
  {
    g_autoptr(GormResource) first = g_list_model_get_item (choices, 0);
    g_autoptr(GormResource) again = gorm_resource_get_related (first, "question", NULL, &error);

    g_assert_true (again == gorm_resource_peek_related (first, "question"));
  }
  g_assert_cmpuint (log->statements->len, ==, 1);

  /* first() and a filtered watch() too. */
  test_log_clear (log);
  g_clear_object (&choices);
  {
    g_autoptr(GormResource) first = gorm_query_first (query, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (gorm_resource_peek_related (first, "question"));
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GormResource) first = NULL;

    gorm_query_first_async (query, NULL, store_result_cb, &result);
    first = gorm_query_first_finish (query, wait_async (&result), &error);
    g_assert_no_error (error);
    g_assert_nonnull (first);
    g_assert_nonnull (gorm_resource_peek_related (first, "question"));
  }
  g_clear_object (&query);
  query = gorm_database_query (db, TEST_TYPE_CHOICE);
  gorm_query_filter (query, gorm_filter_ge ("votes", test_int_value (&five, 5)));
  gorm_query_select_related (query, "question");
  choices = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 25);
  for (guint i = 0; i < 25; i++)
    {
      g_autoptr(GormResource) choice = g_list_model_get_item (choices, i);

      g_assert_nonnull (gorm_resource_peek_related (choice, "question"));
    }
}

static void
test_select_related_nested (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) votes = NULL;
  gint64 choice_id;

  {
    g_autoptr(GormResource) question = new_question (db, "q");
    g_autoptr(GormResource) choice = new_choice (db, question, "c", 0);
    g_autoptr(GormResource) vote = g_object_new (TEST_TYPE_VOTE, "database", db, "voter", "ann",
                                                 "choice-id", gorm_resource_get_id (choice), NULL);

    choice_id = gorm_resource_get_id (choice);
    test_save_ok (vote);
  }
  log = test_log_attach (db);
  query = gorm_database_query (db, TEST_TYPE_VOTE);
  /* The prefix is joined once. */
  gorm_query_select_related (gorm_query_select_related (query, "choice"), "choice.question");
  votes = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GormResource) vote = g_list_model_get_item (votes, 0);
    GormResource *choice = gorm_resource_peek_related (vote, "choice");
    GormResource *question;
    g_autofree char *text = NULL;

    /* The joined rows, in one statement. */
    g_assert_cmpuint (log->statements->len, ==, 1);
    g_assert_nonnull (choice);
    g_assert_cmpint (gorm_resource_get_id (choice), ==, choice_id);
    question = gorm_resource_peek_related (choice, "question");
    g_assert_nonnull (question);
    g_object_get (question, "question-text", &text, NULL);
    g_assert_cmpstr (text, ==, "q");
  }
}

static void
test_select_related_null (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_COMMENT;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) comments = NULL;

  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  {
    g_autoptr(GormResource) comment = g_object_new (TEST_TYPE_COMMENT, "database", db, NULL);

    g_assert_true (gorm_resource_set_null (comment, "question-id", &error));
    test_save_ok (comment);
  }
  query = gorm_database_query (db, TEST_TYPE_COMMENT);
  gorm_query_prefetch_related (gorm_query_select_related (query, "question"), "question");
  comments = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GormResource) comment = g_list_model_get_item (comments, 0);

    g_assert_nonnull (comment);
    g_assert_null (gorm_resource_peek_related (comment, "question"));
  }
}

static void
test_prefetch_reverse (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) questions = NULL;

  fill_polls (db, 10, 3);
  g_object_unref (new_question (db, "empty"));
  log = test_log_attach (db);
  query = gorm_database_query (db, TEST_TYPE_QUESTION);
  gorm_query_prefetch_related (query, "test_choice_set");
  questions = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (questions), ==, 11);
  g_object_unref (g_list_model_get_item (questions, 0));
  dump_log (log);
  /* The questions, and one statement for every choice of them. */
  g_assert_cmpuint (log->statements->len, ==, 2);
  g_assert_cmpuint (test_log_count (log, "SELECT count(*)"), ==, 0);

  for (guint i = 0; i < 11; i++)
    {
      g_autoptr(GormResource) question = g_list_model_get_item (questions, i);
      GListModel *choices = gorm_resource_peek_prefetched (question, "test_choice_set");
      g_autofree char *text = NULL;
      g_autofree char *names = NULL;
      g_autofree char *expected = NULL;

      g_assert_nonnull (choices);
      g_assert_true (choices == gorm_resource_peek_prefetched (question, "test_choice"));
      g_object_get (question, "question-text", &text, NULL);
      names = names_of (choices, "choice-text");
      expected = g_str_equal (text, "empty") ? g_strdup ("")
        : g_strdup_printf ("%s-c0 %s-c1 %s-c2", text, text, text);
      g_assert_cmpstr (names, ==, expected);
    }
  g_assert_cmpuint (log->statements->len, ==, 2);
  {
    g_autoptr(GormResource) question = g_list_model_get_item (questions, 0);

    /* Not prefetched. */
    g_assert_null (gorm_resource_peek_prefetched (question, "notes"));
    g_assert_null (gorm_resource_peek_prefetched (question, "nothing"));
  }
}

static void
test_prefetch_many_to_many (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
  g_autoptr(GormResource) gnome = new_named (db, TEST_TYPE_TAG, "gnome");
  g_autoptr(GormResource) gtk = new_named (db, TEST_TYPE_TAG, "gtk");
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) articles = NULL;
  const char *expected[] = { "gnome gtk", "gtk", "" };

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *title = g_strdup_printf ("a%u", i);
      g_autoptr(GormResource) article = g_object_new (TEST_TYPE_ARTICLE, "database", db,
                                                      "title", title, "author-id",
                                                      gorm_resource_get_id (author), NULL);

      test_save_ok (article);
      if (i == 0)
        g_assert_true (gorm_resource_link (article, "tags", gnome, NULL, &error));
      if (i < 2)
        g_assert_true (gorm_resource_link (article, "tags", gtk, NULL, &error));
    }
  g_clear_object (&author);

  log = test_log_attach (db);
  query = gorm_database_query (db, TEST_TYPE_ARTICLE);
  gorm_query_prefetch_related (gorm_query_prefetch_related (query, "tags"), "author");
  articles = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (g_list_model_get_item (articles, 0));
  dump_log (log);
  /* The articles, the tags, the authors. */
  g_assert_cmpuint (log->statements->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GormResource) article = g_list_model_get_item (articles, i);
      g_autofree char *names = names_of (gorm_resource_peek_prefetched (article, "tags"), "name");
      GormResource *writer = gorm_resource_peek_related (article, "author");
      g_autofree char *name = NULL;

      g_assert_cmpstr (names, ==, expected[i]);
      g_assert_nonnull (writer);
      g_object_get (writer, "name", &name, NULL);
      g_assert_cmpstr (name, ==, "ann");
    }
  g_assert_cmpuint (log->statements->len, ==, 3);

  /* From the other side. */
  g_clear_object (&query);
  g_clear_object (&articles);
  query = gorm_database_query (db, TEST_TYPE_TAG);
  gorm_query_prefetch_related (query, "articles");
  articles = gorm_query_fetch (query, NULL, &error);
  {
    g_autoptr(GormResource) tag = g_list_model_get_item (articles, 1);
    g_autofree char *names = names_of (gorm_resource_peek_prefetched (tag, "articles"), "title");

    g_assert_cmpstr (names, ==, "a0 a1");
  }
}

/* Related objects refer to each other weakly: whatever was loaded, and
 * however, nothing is alive once the application lets go. */
static void
test_no_cycles (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;

  fill_polls (db, 3, 2);
  {
    g_autoptr(GormQuery) choices = gorm_database_query (db, TEST_TYPE_CHOICE);
    g_autoptr(GormQuery) questions = gorm_database_query (db, TEST_TYPE_QUESTION);
    g_autoptr(GListModel) with_questions = NULL;
    g_autoptr(GListModel) with_choices = NULL;
    g_autoptr(GormResource) choice = NULL;
    g_autoptr(GormResource) question = NULL;
    g_autoptr(GormResource) first = NULL;
    g_autoptr(GormResource) author = new_named (db, TEST_TYPE_AUTHOR, "ann");
    g_autoptr(GormResource) profile = g_object_new (TEST_TYPE_PROFILE, "database", db, NULL);
    g_autoptr(GormResource) again = NULL;

    /* Both ways at once: choices with their question, questions with
     * their choices. */
    gorm_query_select_related (choices, "question");
    with_questions = gorm_query_fetch (choices, NULL, &error);
    choice = g_list_model_get_item (with_questions, 0);
    gorm_query_prefetch_related (questions, "test_choice_set");
    with_choices = gorm_query_fetch (questions, NULL, &error);
    question = g_list_model_get_item (with_choices, 0);
    g_assert_true (gorm_resource_peek_related (choice, "question") == question);
    g_assert_cmpuint (g_list_model_get_n_items (gorm_resource_peek_prefetched (question,
                                                                               "test_choice_set")), ==, 2);
    first = gorm_query_first (questions, NULL, &error);
    g_assert_nonnull (gorm_resource_peek_prefetched (first, "test_choice_set"));

    /* A one-to-one relation from both sides. */
    g_assert_true (gorm_resource_set_related (profile, "author", author, &error));
    test_save_ok (profile);
    again = gorm_resource_get_related (author, "test_profile", NULL, &error);
    g_assert_true (again == profile);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (gorm_database_get_n_live (db), ==, 0);
}

static void
test_eager_fails (void)
{
  g_autoptr(GormDatabase) db = open_polls ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_QUESTION);
  g_autoptr(GormQuery) other = gorm_database_query (db, TEST_TYPE_CHOICE);
  g_autoptr(GormQuery) third = gorm_database_query (db, TEST_TYPE_CHOICE);

  gorm_query_select_related (query, "test_choice_set");
  g_assert_null (gorm_query_fetch (query, NULL, &error));
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY,
                      (const char *[]) { "test_choice_set", "TestQuestion", "prefetch_related", NULL });
  g_clear_error (&error);
  g_assert_null (gorm_query_first (query, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);

  gorm_query_select_related (other, "question.nothing");
  g_assert_null (gorm_query_watch (other, NULL, &error));
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY,
                      (const char *[]) { "question.nothing", "TestQuestion", NULL });
  g_clear_error (&error);

  gorm_query_prefetch_related (third, "votes");
  g_assert_null (gorm_query_fetch (third, NULL, &error));
  assert_error_names (error, GORM_ERROR_UNKNOWN_PROPERTY, (const char *[]) { "votes", "TestChoice", NULL });
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Relations/registry/forward", test_registry_forward);
  g_test_add_func ("/Gorm/Relations/registry/reverse", test_registry_reverse);
  g_test_add_func ("/Gorm/Relations/registry/one-to-one", test_registry_one_to_one);
  g_test_add_func ("/Gorm/Relations/registry/many-to-many", test_registry_many_to_many);
  g_test_add_func ("/Gorm/Relations/registry/unknown", test_registry_unknown);
  g_test_add_func ("/Gorm/Relations/registry/late-type", test_registry_late_type);
  g_test_add_func ("/Gorm/Relations/registry/on-delete-type", test_on_delete_type);
  g_test_add_func ("/Gorm/Relations/registry/check", test_registry_check);
  g_test_add_func ("/Gorm/Relations/migrate/creates-targets", test_migrate_creates_targets);
  g_test_add_func ("/Gorm/Relations/migrate/foreign-keys-enforced", test_migrate_foreign_keys_enforced);
  g_test_add_func ("/Gorm/Relations/migrate/refuses", test_migrate_refuses);
  g_test_add_func ("/Gorm/Relations/objects/get-related", test_get_related);
  g_test_add_func ("/Gorm/Relations/objects/get-related-fails", test_get_related_fails);
  g_test_add_func ("/Gorm/Relations/objects/one-to-one", test_one_to_one);
  g_test_add_func ("/Gorm/Relations/objects/set-related", test_set_related);
  g_test_add_func ("/Gorm/Relations/objects/set-related-without-database",
                   test_set_related_without_database);
  g_test_add_func ("/Gorm/Relations/objects/save-dangling-key", test_save_dangling_key);
  g_test_add_func ("/Gorm/Relations/objects/query-related-reverse", test_query_related_reverse);
  g_test_add_func ("/Gorm/Relations/objects/many-to-many", test_many_to_many);
  g_test_add_func ("/Gorm/Relations/objects/many-to-many-self", test_many_to_many_self);
  g_test_add_func ("/Gorm/Relations/objects/link-fails", test_link_fails);
  g_test_add_func ("/Gorm/Relations/objects/live-links", test_live_links);
  g_test_add_func ("/Gorm/Relations/objects/live-links-deleted", test_live_links_deleted);
  g_test_add_func ("/Gorm/Relations/objects/async", test_async);
  g_test_add_func ("/Gorm/Relations/on-delete/cascade", test_on_delete_cascade);
  g_test_add_func ("/Gorm/Relations/on-delete/cascade-bulk", test_on_delete_cascade_bulk);
  g_test_add_func ("/Gorm/Relations/on-delete/cascade-rolled-back", test_on_delete_cascade_rolled_back);
  g_test_add_func ("/Gorm/Relations/on-delete/protect", test_on_delete_protect);
  g_test_add_func ("/Gorm/Relations/on-delete/restrict", test_on_delete_restrict);
  g_test_add_func ("/Gorm/Relations/on-delete/set-default", test_on_delete_set_default);
  g_test_add_func ("/Gorm/Relations/on-delete/set-null", test_on_delete_set_null);
  g_test_add_func ("/Gorm/Relations/on-delete/set-null-number", test_on_delete_set_null_number);
  g_test_add_func ("/Gorm/Relations/on-delete/do-nothing", test_on_delete_do_nothing);
  g_test_add_func ("/Gorm/Relations/eager/select-related", test_select_related);
  g_test_add_func ("/Gorm/Relations/eager/select-related-again", test_select_related_again);
  g_test_add_func ("/Gorm/Relations/eager/select-related-row-once", test_select_related_row_once);
  g_test_add_func ("/Gorm/Relations/eager/select-related-nested", test_select_related_nested);
  g_test_add_func ("/Gorm/Relations/eager/select-related-null", test_select_related_null);
  g_test_add_func ("/Gorm/Relations/eager/prefetch-reverse", test_prefetch_reverse);
  g_test_add_func ("/Gorm/Relations/eager/prefetch-many-to-many", test_prefetch_many_to_many);
  g_test_add_func ("/Gorm/Relations/eager/no-cycles", test_no_cycles);
  g_test_add_func ("/Gorm/Relations/eager/fails", test_eager_fails);

  return g_test_run ();
}
