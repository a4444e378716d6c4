/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-connection-private.h"
#include "gorm-query-private.h"
#include "polls-models.h"

/*
 * Relation paths in filters and orders: "question.question_text" from a
 * Choice (forward), "question.author.name" (two steps), "choice.votes"
 * from a Question (reverse, by its query name), "tags.name" from a Post
 * (many-to-many) and "post.title" back, "parent.name" and
 * "children.name" on one type. Every filter is checked against its
 * complement (gorm_filter_not() matches exactly the other rows), and
 * count and exists against the rows fetched.
 *
 * The polls models are those of polls-models.h (named as in Django's
 * tutorial, so that the default reverse names are "choice_set" and
 * "choice").
 */

TEST_DEFINE_RESOURCE (Person, person)
#define TYPE_PERSON (person_get_type ())

static void
person_class_init (PersonClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_nullable (resource_class, "parent-id");
  gorm_resource_class_set_foreign_key (resource_class, "parent-id", TYPE_PERSON,
                                       GORM_ON_DELETE_SET_NULL);
  gorm_resource_class_set_related_name (resource_class, "parent-id", "children");
}

/* Saves @resource (taken) and gives it back. */
static gpointer
saved (gpointer resource)
{
  test_save_ok (resource);
  return resource;
}

static GValue *
int64_value (GValue *value,
             gint64  number)
{
  g_value_init (value, G_TYPE_INT64);
  g_value_set_int64 (value, number);
  return value;
}

/* The polls and the blog:
 *
 *   Ada, Bob, and Nobody (no name)
 *   q1 "What's new?"   rank 1, 2024-01-01, by Ada:    c1 "Not much" 0, c2 "The sky" 5
 *   q2 "What's up?"    rank 2, no date,    by Bob:    c3 "Nothing" 2
 *   q3 "How are you?"  rank 3, 2024-02-01, no author: c4 "Fine" 0
 *   q4 "Why?"          rank 4, 2024-03-01, by Nobody: no choices
 *   p1 "GNOME 50" tagged gnome, gtk; p2 "PyGObject" tagged python, gnome;
 *   p3 "Empty" untagged; the tag "unused" on nothing
 *   Eve, her children Cain and Abel, Abel's child Enos; Adam alone
 */
typedef struct
{
  GormDatabase *db;
  GPtrArray    *objects;
  gint64        q1, q2, q3, q4, c1, c2, c3, c4, gnome, gtk, python;
} Fixture;

static gpointer
keep (Fixture  *fixture,
      gpointer  resource)
{
  g_ptr_array_add (fixture->objects, resource);
  return resource;
}

static gint64
add_question (Fixture    *fixture,
              const char *text,
              gint        rank,
              GDateTime  *pub_date,
              gint64      author)
{
  GormResource *question = g_object_new (POLLS_TYPE_QUESTION, "database", fixture->db,
                                         "question-text", text, "rank", rank,
                                         "pub-date", pub_date, "author-id", author, NULL);
  g_autoptr(GError) error = NULL;

  if (author == 0)
    {
      g_assert_true (gorm_resource_set_null (question, "author-id", &error));
      g_assert_no_error (error);
    }
  return gorm_resource_get_id (keep (fixture, saved (question)));
}

static gint64
add_choice (Fixture    *fixture,
            gint64      question,
            const char *text,
            gint        votes)
{
  return gorm_resource_get_id (keep (fixture, saved (g_object_new (POLLS_TYPE_CHOICE, "database", fixture->db,
                                                                   "question-id", question,
                                                                   "choice-text", text,
                                                                   "votes", votes, NULL))));
}

static GormResource *
add_named (Fixture    *fixture,
           GType       type,
           const char *property,
           const char *name)
{
  return keep (fixture, saved (g_object_new (type, "database", fixture->db, property, name, NULL)));
}

static void
link_tag (GormResource *post,
      GormResource *tag)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_resource_link (post, "tags", tag, NULL, &error));
  g_assert_no_error (error);
}

static GormResource *
add_person (Fixture      *fixture,
            const char   *name,
            GormResource *parent)
{
  GormResource *person = g_object_new (TYPE_PERSON, "database", fixture->db, "name", name, NULL);
  g_autoptr(GError) error = NULL;

  if (parent != NULL)
    g_object_set (person, "parent-id", gorm_resource_get_id (parent), NULL);
  else
    g_assert_true (gorm_resource_set_null (person, "parent-id", &error));
  g_assert_no_error (error);
  return keep (fixture, saved (person));
}

static Fixture *
fixture_new (void)
{
  Fixture *fixture = g_new0 (Fixture, 1);
  g_autoptr(GDateTime) january = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  g_autoptr(GDateTime) february = g_date_time_new_utc (2024, 2, 1, 0, 0, 0);
  g_autoptr(GDateTime) march = g_date_time_new_utc (2024, 3, 1, 0, 0, 0);
  g_autoptr(GError) error = NULL;
  GType all[] = { POLLS_TYPE_AUTHOR, POLLS_TYPE_QUESTION, POLLS_TYPE_CHOICE, POLLS_TYPE_TAG, POLLS_TYPE_POST, TYPE_PERSON };
  GormResource *ada, *bob, *nobody, *p1, *p2, *gnome, *gtk, *python, *eve, *abel;

  fixture->db = test_open_memory ();
  fixture->objects = g_ptr_array_new_with_free_func (g_object_unref);
  g_assert_true (gorm_database_migrate (fixture->db, all, G_N_ELEMENTS (all), NULL, &error));
  g_assert_no_error (error);

  ada = add_named (fixture, POLLS_TYPE_AUTHOR, "name", "Ada");
  bob = add_named (fixture, POLLS_TYPE_AUTHOR, "name", "Bob");
  nobody = add_named (fixture, POLLS_TYPE_AUTHOR, "name", NULL);
  fixture->q1 = add_question (fixture, "What's new?", 1, january, gorm_resource_get_id (ada));
  fixture->q2 = add_question (fixture, "What's up?", 2, NULL, gorm_resource_get_id (bob));
  fixture->q3 = add_question (fixture, "How are you?", 3, february, 0);
  fixture->q4 = add_question (fixture, "Why?", 4, march, gorm_resource_get_id (nobody));
  fixture->c1 = add_choice (fixture, fixture->q1, "Not much", 0);
  fixture->c2 = add_choice (fixture, fixture->q1, "The sky", 5);
  fixture->c3 = add_choice (fixture, fixture->q2, "Nothing", 2);
  fixture->c4 = add_choice (fixture, fixture->q3, "Fine", 0);

  gnome = add_named (fixture, POLLS_TYPE_TAG, "name", "gnome");
  gtk = add_named (fixture, POLLS_TYPE_TAG, "name", "gtk");
  python = add_named (fixture, POLLS_TYPE_TAG, "name", "python");
  add_named (fixture, POLLS_TYPE_TAG, "name", "unused");
  fixture->gnome = gorm_resource_get_id (gnome);
  fixture->gtk = gorm_resource_get_id (gtk);
  fixture->python = gorm_resource_get_id (python);
  p1 = add_named (fixture, POLLS_TYPE_POST, "title", "GNOME 50");
  p2 = add_named (fixture, POLLS_TYPE_POST, "title", "PyGObject");
  add_named (fixture, POLLS_TYPE_POST, "title", "Empty");
  link_tag (p1, gnome);
  link_tag (p1, gtk);
  link_tag (p2, python);
  link_tag (p2, gnome);

  eve = add_person (fixture, "Eve", NULL);
  add_person (fixture, "Cain", eve);
  abel = add_person (fixture, "Abel", eve);
  add_person (fixture, "Enos", abel);
  add_person (fixture, "Adam", NULL);

  return fixture;
}

static void
fixture_free (Fixture *fixture)
{
  g_ptr_array_unref (fixture->objects);
  g_assert_finalize_object (fixture->db);
  g_free (fixture);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

/* The values of the string @property of the items of @model, joined by
 * ",", NULL as "-". */
static char *
texts (GListModel *model,
       const char *property)
{
  GString *joined = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *text = NULL;

      g_object_get (item, property, &text, NULL);
      if (i > 0)
        g_string_append_c (joined, ',');
      g_string_append (joined, text ? text : "-");
    }
  return g_string_free (joined, FALSE);
}

static GListModel *
fetch (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  GListModel *model = gorm_query_fetch (query, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static gint64
count (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  gint64 n = gorm_query_count (query, NULL, &error);

  g_assert_no_error (error);
  return n;
}

/* The @property of the objects of @type that @filter (taken) matches, by
 * key. Checks that count and exists agree, and that gorm_filter_not()
 * of @filter matches exactly the other objects. */
static char *
matching (GormDatabase *db,
          GType         type,
          GormFilter   *filter,
          const char   *property)
{
  g_autoptr(GormFilter) owned = filter;
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  g_autoptr(GormQuery) others = gorm_database_query (db, type);
  g_autoptr(GormQuery) all = gorm_database_query (db, type);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GListModel) other_model = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  guint n;

  gorm_query_filter (query, gorm_filter_ref (filter));
  gorm_query_filter (others, gorm_filter_not (gorm_filter_ref (filter)));
  model = fetch (query);
  other_model = fetch (others);
  n = g_list_model_get_n_items (model);
  g_assert_cmpint (count (query), ==, n);
  g_assert_true (gorm_query_exists (query, NULL, &error) == (n > 0));
  g_assert_no_error (error);

  /* No object twice, none in both, and every object in one. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GormResource) item = g_list_model_get_item (model, i);
      gint64 *id = g_new (gint64, 1);

      *id = gorm_resource_get_id (item);
      g_assert_false (g_hash_table_contains (ids, id));
      g_hash_table_add (ids, id);
    }
  for (guint i = 0; i < g_list_model_get_n_items (other_model); i++)
    {
      g_autoptr(GormResource) item = g_list_model_get_item (other_model, i);
      gint64 id = gorm_resource_get_id (item);

      g_assert_false (g_hash_table_contains (ids, &id));
    }
  g_assert_cmpint (n + g_list_model_get_n_items (other_model), ==, count (all));

  return texts (model, property);
}

static void
assert_matching (GormDatabase *db,
                 GType         type,
                 GormFilter   *filter,
                 const char   *property,
                 const char   *expected)
{
  g_autofree char *found = matching (db, type, filter, property);

  g_assert_cmpstr (found, ==, expected);
}

/* The text of @sql with its parameters replaced by the literals
 * @literals, in order, for EXPLAIN. */
static char *
with_literals (const char         *sql,
               const char * const *literals)
{
  GString *text = g_string_new (NULL);
  guint n = 0;

  for (const char *p = sql; *p; )
    {
      if (g_str_has_prefix (p, "##p"))
        {
          g_assert_nonnull (literals[n]);
          g_string_append (text, literals[n++]);
          p = strstr (p, "::null") + strlen ("::null");
          continue;
        }
      g_string_append_c (text, *p++);
    }
  g_assert_null (literals[n]);
  return g_string_free (text, FALSE);
}

/* The engine's plan of @sql, every cell of every row. */
static char *
plan_of (GormDatabase *db,
         const char   *sql)
{
  g_autofree char *explain = g_strconcat (test_engine_is_postgresql () ? "EXPLAIN "
                                                                       : "EXPLAIN QUERY PLAN ",
                                          sql, NULL);
  g_autoptr(GdaDataModel) model = test_select (db, explain);
  GString *plan = g_string_new (NULL);

  for (gint row = 0; row < gda_data_model_get_n_rows (model); row++)
    for (gint column = 0; column < gda_data_model_get_n_columns (model); column++)
      {
        g_autoptr(GError) error = NULL;
        const GValue *value = gda_data_model_get_value_at (model, column, row, &error);
        g_autofree char *cell = NULL;

        g_assert_no_error (error);
        cell = gda_value_stringify (value);
        g_string_append_printf (plan, "%s\n", cell);
      }
  return g_string_free (plan, FALSE);
}

/* The count a fetch of @query runs: its condition is the one of every
 * statement of the query, and its only parameters are the filter's. */
static char *
select_of (GormDatabase *db,
           GormQuery    *query)
{
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GListModel) model = NULL;
  char *sql = NULL;

  /* Counted, not read in one statement. */
  gorm_query_model_set_whole_max_rows (0);
  model = fetch (query);
  gorm_query_model_set_whole_max_rows (-1);

  for (guint i = 0; i < log->statements->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (log->statements, i), "SELECT count(*)"))
      {
        g_free (sql);
        sql = g_strdup (g_ptr_array_index (log->statements, i));
      }
  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_nonnull (sql);
  return sql;
}

static void
test_forward (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_auto(GValue) value = G_VALUE_INIT;

  assert_matching (db, POLLS_TYPE_CHOICE,
                   gorm_filter_eq ("question.question_text", test_string_value (&value, "What's up?")),
                   "choice-text", "Nothing");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_like ("question.question_text", "What%"),
                   "choice-text", "Not much,The sky,Nothing");
  g_value_unset (&value);
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_gt ("question.rank", test_int_value (&value, 1)),
                   "choice-text", "Nothing,Fine");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_le ("question.rank", &value),
                   "choice-text", "Not much,The sky");

  /* A bare forward relation compares its key, as its key property does. */
  g_value_unset (&value);
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question", int64_value (&value, fixture->q1)),
                   "choice-text", "Not much,The sky");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question_id", &value),
                   "choice-text", "Not much,The sky");
  /* The related row's key through the relation. */
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question.id", &value),
                   "choice-text", "Not much,The sky");
}

static void
test_forward_two_steps (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_auto(GValue) value = G_VALUE_INIT;

  test_string_value (&value, "Ada");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question.author.name", &value),
                   "choice-text", "Not much,The sky");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_ne ("question.author.name", &value),
                   "choice-text", "Nothing,Fine");
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_eq ("author.name", &value),
                   "question-text", "What's new?");

  /* Self-referential: a person's parent and grandparent. */
  g_value_unset (&value);
  test_string_value (&value, "Eve");
  assert_matching (db, TYPE_PERSON, gorm_filter_eq ("parent.name", &value), "name", "Cain,Abel");
  assert_matching (db, TYPE_PERSON, gorm_filter_eq ("parent.parent.name", &value), "name", "Enos");
}

static void
test_reverse (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_auto(GValue) zero = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  test_int_value (&zero, 0);
  /* q1 has two choices with votes > 0: once. */
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_ge ("choice.votes", &zero),
                   "question-text", "What's new?,What's up?,How are you?");
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_gt ("choice.votes", &zero),
                   "question-text", "What's new?,What's up?");
  /* The relation's own name works as well as its query name. */
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_gt ("choice_set.votes", &zero),
                   "question-text", "What's new?,What's up?");
  /* A bare reverse relation compares the related rows' key. */
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_eq ("choice", int64_value (&value, fixture->c3)),
                   "question-text", "What's up?");

  /* Reverse, then forward: questions by an author with a voted choice,
   * and forward, then reverse. */
  g_value_unset (&value);
  test_string_value (&value, "The sky");
  assert_matching (db, POLLS_TYPE_AUTHOR, gorm_filter_eq ("question.choice.choice_text", &value),
                   "name", "Ada");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question.choice.choice_text", &value),
                   "choice-text", "Not much,The sky");

  /* Self-referential, with a related name. */
  g_value_unset (&value);
  test_string_value (&value, "Enos");
  assert_matching (db, TYPE_PERSON, gorm_filter_eq ("children.name", &value), "name", "Abel");
  assert_matching (db, TYPE_PERSON, gorm_filter_eq ("children.children.name", &value), "name", "Eve");
}

static void
test_many_to_many (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_auto(GValue) value = G_VALUE_INIT;

  test_string_value (&value, "gnome");
  assert_matching (db, POLLS_TYPE_POST, gorm_filter_eq ("tags.name", &value), "title", "GNOME 50,PyGObject");
  g_value_unset (&value);
  test_string_value (&value, "gtk");
  assert_matching (db, POLLS_TYPE_POST, gorm_filter_eq ("tags.name", &value), "title", "GNOME 50");
  /* By key. */
  g_value_unset (&value);
  assert_matching (db, POLLS_TYPE_POST, gorm_filter_eq ("tags", int64_value (&value, fixture->python)),
                   "title", "PyGObject");
  assert_matching (db, POLLS_TYPE_POST, gorm_filter_eq ("tags.id", &value), "title", "PyGObject");

  /* The reverse, by its query name and by its name. */
  g_value_unset (&value);
  test_string_value (&value, "PyGObject");
  assert_matching (db, POLLS_TYPE_TAG, gorm_filter_eq ("post.title", &value), "name", "gnome,python");
  assert_matching (db, POLLS_TYPE_TAG, gorm_filter_eq ("post_set.title", &value), "name", "gnome,python");
  /* Tags that share a post with gtk. */
  g_value_unset (&value);
  test_string_value (&value, "gtk");
  assert_matching (db, POLLS_TYPE_TAG, gorm_filter_eq ("post.tags.name", &value), "name", "gnome,gtk");
}

/* Conditions on one multi-valued relation inside one AND concern the
 * same related row; separate gorm_query_filter() calls may be met by
 * different rows, as Django's filter(a, b) and filter(a).filter(b). */
static void
test_and_sharing (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_auto(GValue) votes = G_VALUE_INIT;
  g_auto(GValue) text = G_VALUE_INIT;
  g_auto(GValue) gnome = G_VALUE_INIT;
  g_auto(GValue) gtk = G_VALUE_INIT;
  g_autoptr(GormQuery) separate = NULL;
  g_autoptr(GormQuery) tagged = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autofree char *found = NULL;
  g_autofree char *sql = NULL;

  /* q1 has "Not much" (0 votes) and "The sky" (5): no one choice is
   * both voted and "Not much". */
  test_int_value (&votes, 0);
  test_string_value (&text, "Not much");
  assert_matching (db, POLLS_TYPE_QUESTION,
                   gorm_filter_and (gorm_filter_gt ("choice.votes", &votes),
                                    gorm_filter_eq ("choice.choice_text", &text)),
                   "question-text", "");
  /* Nested ANDs are one chain. */
  assert_matching (db, POLLS_TYPE_QUESTION,
                   gorm_filter_and (gorm_filter_gt ("rank", &votes),
                                    gorm_filter_and (gorm_filter_ge ("choice.votes", &votes),
                                                     gorm_filter_eq ("choice.choice_text", &text))),
                   "question-text", "What's new?");

  separate = gorm_database_query (db, POLLS_TYPE_QUESTION);
  gorm_query_filter (separate, gorm_filter_gt ("choice.votes", &votes));
  gorm_query_filter (separate, gorm_filter_eq ("choice.choice_text", &text));
  model = fetch (separate);
  found = texts (model, "question-text");
  g_assert_cmpstr (found, ==, "What's new?");
  /* Two subqueries, one per filter. */
  sql = select_of (db, separate);
  g_assert_nonnull (strstr (strstr (sql, "EXISTS") + 1, "EXISTS"));
  g_clear_pointer (&sql, g_free);

  /* An OR keeps its own subqueries: either choice may match. */
  assert_matching (db, POLLS_TYPE_QUESTION,
                   gorm_filter_or (gorm_filter_gt ("choice.votes", &votes),
                                   gorm_filter_eq ("choice.choice_text", &text)),
                   "question-text", "What's new?,What's up?");

  /* Many-to-many: no one tag is both gnome and gtk; p1 has both. */
  test_string_value (&gnome, "gnome");
  test_string_value (&gtk, "gtk");
  assert_matching (db, POLLS_TYPE_POST,
                   gorm_filter_and (gorm_filter_eq ("tags.name", &gnome),
                                    gorm_filter_eq ("tags.name", &gtk)),
                   "title", "");
  tagged = gorm_database_query (db, POLLS_TYPE_POST);
  gorm_query_filter (tagged, gorm_filter_eq ("tags.name", &gnome));
  gorm_query_filter (tagged, gorm_filter_eq ("tags.name", &gtk));
  g_clear_object (&model);
  g_clear_pointer (&found, g_free);
  model = fetch (tagged);
  found = texts (model, "title");
  g_assert_cmpstr (found, ==, "GNOME 50");

  /* Forward steps shared or not mean the same: one row. */
  g_value_unset (&text);
  test_string_value (&text, "Ada");
  assert_matching (db, POLLS_TYPE_CHOICE,
                   gorm_filter_and (gorm_filter_eq ("question.author.name", &text),
                                    gorm_filter_gt ("question.rank", &votes)),
                   "choice-text", "Not much,The sky");
}

/* NOT is the exact complement (matching() checks it on every filter), as
 * Django's exclude(): a question without choices is among the ones with
 * no choice "Nothing". */
static void
test_exclude (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_auto(GValue) text = G_VALUE_INIT;
  g_auto(GValue) votes = G_VALUE_INIT;
  g_auto(GValue) name = G_VALUE_INIT;

  test_string_value (&text, "Nothing");
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_not (gorm_filter_eq ("choice.choice_text", &text)),
                   "question-text", "What's new?,How are you?,Why?");
  /* Excluding questions with one choice both unvoted and "Not much". */
  g_value_unset (&text);
  test_string_value (&text, "Not much");
  test_int_value (&votes, 0);
  assert_matching (db, POLLS_TYPE_QUESTION,
                   gorm_filter_not (gorm_filter_and (gorm_filter_eq ("choice.votes", &votes),
                                                     gorm_filter_eq ("choice.choice_text", &text))),
                   "question-text", "What's up?,How are you?,Why?");
  /* Forward, with a NULL key on the way: a choice of a question without
   * an author is not by Ada. */
  test_string_value (&name, "Ada");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_not (gorm_filter_eq ("question.author.name", &name)),
                   "choice-text", "Nothing,Fine");
  /* Many-to-many: the post without tags is among the untagged gnome. */
  g_value_unset (&name);
  test_string_value (&name, "gnome");
  assert_matching (db, POLLS_TYPE_POST, gorm_filter_not (gorm_filter_eq ("tags.name", &name)),
                   "title", "Empty");
}

/* is_null across a relation: the related row's NULL, or no related row
 * at all (a NULL key, no reverse or linked rows), as a LEFT JOIN gives. */
static void
test_null_across (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;

  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_is_null ("question.pub_date"), "choice-text", "Nothing");
  /* q3 has no author, q4's has no name. */
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_is_null ("author.name"),
                   "question-text", "How are you?,Why?");
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_is_not_null ("author.name"),
                   "question-text", "What's new?,What's up?");
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_eq ("author.name", NULL),
                   "question-text", "How are you?,Why?");
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_is_null ("author"), "question-text", "How are you?");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_is_null ("question.author.name"),
                   "choice-text", "Fine");
  /* Reverse and many-to-many: no related row. */
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_is_null ("choice"), "question-text", "Why?");
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_is_not_null ("choice"),
                   "question-text", "What's new?,What's up?,How are you?");
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_is_null ("choice.choice_text"), "question-text", "Why?");
  assert_matching (db, POLLS_TYPE_POST, gorm_filter_is_null ("tags"), "title", "Empty");
  assert_matching (db, POLLS_TYPE_TAG, gorm_filter_is_null ("post"), "name", "unused");
  assert_matching (db, TYPE_PERSON, gorm_filter_is_null ("children"), "name", "Cain,Enos,Adam");
  assert_matching (db, TYPE_PERSON, gorm_filter_is_null ("parent.name"), "name", "Eve,Adam");
}

/* The plans use the foreign key's index: the rows of a question, not a
 * scan of every choice. */
static void
test_plans (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_autoptr(GormQuery) forward = gorm_database_query (db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) reverse = gorm_database_query (db, POLLS_TYPE_QUESTION);
  g_auto(GValue) rank = G_VALUE_INIT;
  g_auto(GValue) votes = G_VALUE_INIT;
  static const char * const rank_literals[] = { "2", NULL };
  static const char * const votes_literals[] = { "3", NULL };
  g_autofree char *sql = NULL;
  g_autofree char *text = NULL;
  g_autofree char *plan = NULL;

  if (test_engine_is_postgresql ())
    {
      g_autoptr(GError) error = NULL;

      /* Tables this small are read whole whatever their indexes. */
      g_assert_true (gda_connection_execute_non_select_command (gorm_database_get_connection (db),
                                                                "SET enable_seqscan = off", &error) >= -2);
      g_assert_no_error (error);
    }

  gorm_query_filter (forward, gorm_filter_eq ("question.rank", test_int_value (&rank, 2)));
  sql = select_of (db, forward);
  text = with_literals (sql, rank_literals);
  plan = plan_of (db, text);
  g_test_message ("%s\n%s", text, plan);
  g_assert_nonnull (strstr (plan, "ix_choice_question_id"));

  g_clear_pointer (&sql, g_free);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&plan, g_free);
  gorm_query_filter (reverse, gorm_filter_gt ("choice.votes", test_int_value (&votes, 3)));
  sql = select_of (db, reverse);
  text = with_literals (sql, votes_literals);
  plan = plan_of (db, text);
  g_test_message ("%s\n%s", text, plan);
  g_assert_nonnull (strstr (plan, "ix_choice_question_id"));
}

/* The @property of every object of @type in the order of @path. */
static char *
ordered (GormDatabase *db,
         GType         type,
         const char   *path,
         gboolean      descending,
         const char   *property)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  g_autoptr(GListModel) model = NULL;

  gorm_query_order_by (query, path, descending);
  model = fetch (query);
  return texts (model, property);
}

static void
assert_ordered (GormDatabase *db,
                GType         type,
                const char   *path,
                gboolean      descending,
                const char   *property,
                const char   *expected)
{
  g_autofree char *found = ordered (db, type, path, descending, property);

  g_assert_cmpstr (found, ==, expected);
}

static void
test_order_forward (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autofree char *found = NULL;

  /* NULLs first ascending, last descending: q3 has no author, q4's
   * author no name; equal values by key, in the order's direction. */
  assert_ordered (db, POLLS_TYPE_QUESTION, "author.name", FALSE, "question-text",
                  "How are you?,Why?,What's new?,What's up?");
  assert_ordered (db, POLLS_TYPE_QUESTION, "author.name", TRUE, "question-text",
                  "What's up?,What's new?,Why?,How are you?");
  assert_ordered (db, POLLS_TYPE_CHOICE, "question.pub_date", FALSE, "choice-text",
                  "Nothing,Not much,The sky,Fine");
  assert_ordered (db, POLLS_TYPE_CHOICE, "question.pub_date", TRUE, "choice-text",
                  "Fine,The sky,Not much,Nothing");
  assert_ordered (db, POLLS_TYPE_CHOICE, "question.author.name", FALSE, "choice-text",
                  "Fine,Not much,The sky,Nothing");
  assert_ordered (db, POLLS_TYPE_CHOICE, "question.author.name", TRUE, "choice-text",
                  "Nothing,The sky,Not much,Fine");
  assert_ordered (db, TYPE_PERSON, "parent.name", FALSE, "name", "Eve,Adam,Enos,Cain,Abel");

  /* After other orders, with a window. */
  query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  gorm_query_order_by (query, "votes", FALSE);
  gorm_query_order_by (query, "question.rank", TRUE);
  gorm_query_offset (query, 1);
  gorm_query_limit (query, 2);
  model = fetch (query);
  found = texts (model, "choice-text");
  g_assert_cmpstr (found, ==, "Not much,Nothing");
  g_assert_cmpint (count (query), ==, 2);
}

static void
count_emission_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   guint      *emissions)
{
  (*emissions)++;
}

/* A live model with a path filter and a path order follows the saves of
 * its own type: rows enter, leave and move. A change to the related row
 * does not move it (documented): the model listens to its own table. */
static void
test_live (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GormResource) added = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  guint emissions = 0;

  gorm_query_filter (query, gorm_filter_like ("question.question_text", "What%"));
  gorm_query_order_by (query, "question.rank", TRUE);
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (model, "items-changed", G_CALLBACK (count_emission_cb), &emissions);
  found = texts (model, "choice-text");
  g_assert_cmpstr (found, ==, "Nothing,The sky,Not much");

  /* A new choice of q2 comes before the other one of q2 (by key,
   * descending as the last order). */
  added = g_object_new (POLLS_TYPE_CHOICE, "database", db, "question-id", fixture->q2,
                        "choice-text", "Clouds", "votes", 1, NULL);
  test_save_ok (added);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&found, g_free);
  found = texts (model, "choice-text");
  g_assert_cmpstr (found, ==, "Clouds,Nothing,The sky,Not much");

  /* Moved to q1: it moves down, first among q1's choices. */
  g_object_set (added, "question-id", fixture->q1, NULL);
  test_save_ok (added);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&found, g_free);
  found = texts (model, "choice-text");
  g_assert_cmpstr (found, ==, "Nothing,Clouds,The sky,Not much");

  /* Moved to q3 ("How are you?"): it leaves. */
  g_object_set (added, "question-id", fixture->q3, NULL);
  test_save_ok (added);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&found, g_free);
  found = texts (model, "choice-text");
  g_assert_cmpstr (found, ==, "Nothing,The sky,Not much");
  g_assert_cmpuint (emissions, >=, 3);
}


/* A query given a bad path fails in every runner, before any SQL. */
static void
assert_query_fails (GormQuery   *query,
                    gint         code,
                    const char  *first_fragment,
                    ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = gorm_query_fetch (query, NULL, &error);
  va_list fragments;

  g_assert_null (model);
  g_assert_error (error, GORM_ERROR, code);
  g_test_message ("%s", error->message);
  va_start (fragments, first_fragment);
  for (const char *fragment = first_fragment; fragment != NULL; fragment = va_arg (fragments, const char *))
    g_assert_nonnull (strstr (error->message, fragment));
  va_end (fragments);
  g_clear_error (&error);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, code);
}

static GormQuery *
filtered (GormDatabase *db,
          GType         type,
          GormFilter   *filter)
{
  GormQuery *query = gorm_database_query (db, type);

  gorm_query_filter (query, filter);
  return query;
}

static void
test_bad_paths (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_autoptr(TestLog) log = test_log_attach (db);
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) text = G_VALUE_INIT;
  static const char * const broken[] = {
    "question..rank", "question.", ".rank", "question.rank.", "votes.question",
  };

  test_int_value (&value, 1);
  test_string_value (&text, "abc");

  /* Unknown names, anywhere in the path: the type and the whole path. */
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("nope.name", &value));

    assert_query_fails (query, GORM_ERROR_UNKNOWN_PROPERTY, "Choice", "“nope.name”", NULL);
  }
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question.nope", &value));

    assert_query_fails (query, GORM_ERROR_UNKNOWN_PROPERTY, "Choice", "“question.nope”",
                        "Question has no stored property or relation “nope”", NULL);
  }
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_CHOICE,
                                           gorm_filter_eq ("question.author.nope", &value));

    assert_query_fails (query, GORM_ERROR_UNKNOWN_PROPERTY, "Choice", "“question.author.nope”",
                        "Author", NULL);
  }
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_CHOICE, gorm_filter_eq (broken[i], &value));

      assert_query_fails (query, GORM_ERROR_UNKNOWN_PROPERTY, "Choice", broken[i], NULL);
    }

  /* A value of the wrong type for the property at the end. */
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question.rank", &text));

    assert_query_fails (query, GORM_ERROR_TYPE_MISMATCH, "Choice", "“question.rank”",
                        "Question:rank", "abc", NULL);
  }
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_QUESTION, gorm_filter_like ("choice.votes", "1%"));

    assert_query_fails (query, GORM_ERROR_TYPE_MISMATCH, "Question", "“choice.votes”", NULL);
  }
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_POST, gorm_filter_eq ("tags", &text));

    assert_query_fails (query, GORM_ERROR_TYPE_MISMATCH, "Post", "“tags”", NULL);
  }

  /* Orders: unknown names, and relations with many rows per object. */
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_CHOICE);

    gorm_query_order_by (query, "question.nope", FALSE);
    assert_query_fails (query, GORM_ERROR_UNKNOWN_PROPERTY, "Choice", "“question.nope”", NULL);
  }
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_QUESTION);

    gorm_query_order_by (query, "choice.votes", TRUE);
    assert_query_fails (query, GORM_ERROR_FAILED, "Question", "“choice.votes”", "forward", NULL);
  }
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_POST);

    gorm_query_order_by (query, "tags.name", FALSE);
    assert_query_fails (query, GORM_ERROR_FAILED, "Post", "“tags.name”", NULL);
  }

  /* None of them ran a statement. */
  g_assert_cmpuint (log->statements->len, ==, 0);
  gorm_database_set_trace_func (db, NULL, NULL);
}

/* Bulk delete and update select their rows through paths too. */
static void
test_bulk (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_autoptr(GormQuery) doomed = gorm_database_query (db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) voted = gorm_database_query (db, POLLS_TYPE_QUESTION);
  g_autoptr(GormResource) c1 = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) rank = G_VALUE_INIT;
  gint n;

  c1 = gorm_database_get (db, POLLS_TYPE_CHOICE, fixture->c1, NULL, &error);
  g_assert_no_error (error);
  gorm_query_filter (doomed, gorm_filter_eq ("question.author.name", test_string_value (&value, "Ada")));
  g_assert_cmpint (gorm_query_delete (doomed, NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_saved (c1));
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_is_not_null ("id"), "choice-text", "Nothing,Fine");

  g_value_unset (&value);
  gorm_query_filter (voted, gorm_filter_gt ("choice.votes", test_int_value (&value, 1)));
  g_assert_cmpint (gorm_query_update (voted, "rank", test_int_value (&rank, 10), NULL, &error), ==, 1);
  g_assert_no_error (error);
  {
    g_autoptr(GormResource) q2 = gorm_database_get (db, POLLS_TYPE_QUESTION, fixture->q2, NULL, &error);

    g_assert_no_error (error);
    g_object_get (q2, "rank", &n, NULL);
    g_assert_cmpint (n, ==, 10);
  }
}

/* The ids of @model's items, in order. */
static GArray *
ids_of (GListModel *model,
        gboolean    backwards)
{
  guint n = g_list_model_get_n_items (model);
  GArray *ids = g_array_sized_new (FALSE, TRUE, sizeof (gint64), n);

  g_array_set_size (ids, n);
  for (guint k = 0; k < n; k++)
    {
      guint i = backwards ? n - 1 - k : k;
      g_autoptr(GormResource) item = g_list_model_get_item (model, i);

      g_array_index (ids, gint64, i) = gorm_resource_get_id (item);
    }
  return ids;
}

typedef struct
{
  gint64 id;
  gint64 author; /* 0: none */
} Row;

static gint
compare_by_author_name (gconstpointer a,
                        gconstpointer b)
{
  const Row *x = a;
  const Row *y = b;

  /* Author i is named "A%02d"; no author sorts first; then by id. */
  if (x->author != y->author)
    return x->author < y->author ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* 3,000 choices of 60 questions, ordered by their question's author's
 * name (NULL for a fifth of them): the paged model and the live one give
 * the order the engine gives, whether read forward or from the end, and
 * the live one follows saves that move rows. */
static void
test_paging (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (Row));
  g_autoptr(GPtrArray) authors = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) questions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  g_autoptr(GListModel) paged = NULL;
  g_autoptr(GListModel) live = NULL;
  g_autoptr(GArray) forward = NULL;
  g_autoptr(GArray) backward = NULL;
  g_autoptr(GArray) followed = NULL;
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GormResource) moved = NULL;
  g_autoptr(GError) error = NULL;
  GType types[] = { POLLS_TYPE_CHOICE };
  gint64 question_author[60];

  g_assert_true (gorm_database_migrate (db, types, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("A%02u", 9 - i);

      g_ptr_array_add (authors, saved (g_object_new (POLLS_TYPE_AUTHOR, "database", db, "name", name, NULL)));
    }
  for (guint i = 0; i < 60; i++)
    {
      GormResource *question = g_object_new (POLLS_TYPE_QUESTION, "database", db, "rank", (gint) i, NULL);

      /* Every fifth question has no author; author k is named A(9-k). */
      if (i % 5 == 0)
        {
          g_assert_true (gorm_resource_set_null (question, "author-id", &error));
          question_author[i] = 0;
        }
      else
        {
          GormResource *author = g_ptr_array_index (authors, (i * 7) % 10);

          g_object_set (question, "author-id", gorm_resource_get_id (author), NULL);
          question_author[i] = 1 + 9 - (i * 7) % 10;
        }
      g_ptr_array_add (questions, saved (question));
    }
  for (guint i = 0; i < 3000; i++)
    {
      guint q = (i * 13) % 60;
      g_autoptr(GormResource) choice = g_object_new (POLLS_TYPE_CHOICE, "database", db,
                                                     "question-id", gorm_resource_get_id (g_ptr_array_index (questions, q)),
                                                     "votes", (gint) i, NULL);
      Row row;

      test_save_ok (choice);
      row.id = gorm_resource_get_id (choice);
      row.author = question_author[q];
      g_array_append_val (rows, row);
    }
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);

  g_array_sort (rows, compare_by_author_name);
  expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < rows->len; i++)
    g_array_append_val (expected, g_array_index (rows, Row, i).id);

  gorm_query_order_by (query, "question.author.name", FALSE);
  paged = fetch (query);
  g_assert_cmpuint (g_list_model_get_n_items (paged), ==, 3000);
  backward = ids_of (paged, TRUE);
  g_clear_object (&paged);
  paged = fetch (query);
  forward = ids_of (paged, FALSE);
  g_assert_cmpmem (forward->data, forward->len * sizeof (gint64), expected->data, expected->len * sizeof (gint64));
  g_assert_cmpmem (backward->data, backward->len * sizeof (gint64), expected->data, expected->len * sizeof (gint64));

  live = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&backward, g_array_unref);
  backward = ids_of (live, TRUE);
  g_assert_cmpmem (backward->data, backward->len * sizeof (gint64), expected->data, expected->len * sizeof (gint64));

  /* The last choice moves to a question without an author. */
  moved = gorm_database_get (db, POLLS_TYPE_CHOICE, g_array_index (expected, gint64, 2999), NULL, &error);
  g_assert_no_error (error);
  g_object_set (moved, "question-id", gorm_resource_get_id (g_ptr_array_index (questions, 0)), NULL);
  test_save_ok (moved);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  followed = ids_of (live, FALSE);
  g_clear_object (&paged);
  g_clear_pointer (&forward, g_array_unref);
  paged = fetch (query);
  forward = ids_of (paged, FALSE);
  g_assert_cmpmem (followed->data, followed->len * sizeof (gint64), forward->data, forward->len * sizeof (gint64));
  /* It is among the 600 choices of questions without an author now. */
  for (guint i = 0; i < forward->len; i++)
    if (g_array_index (forward, gint64, i) == gorm_resource_get_id (moved))
      g_assert_cmpuint (i, <, 600);

  g_clear_object (&moved);
  g_clear_object (&live);
  g_clear_object (&paged);
  g_clear_pointer (&questions, g_ptr_array_unref);
  g_clear_pointer (&authors, g_ptr_array_unref);
  g_clear_object (&query);
  g_assert_finalize_object (g_steal_pointer (&db));
}

static GValue *
object_value (GValue   *value,
              gpointer  object)
{
  g_value_init (value, G_OBJECT_TYPE (object));
  g_value_set_object (value, object);
  return value;
}

/* A saved object stands for its key where a key of its type is
 * compared; another type's object, or an unsaved one, is refused. */
static void
test_objects_as_keys (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_autoptr(GormResource) q1 = NULL;
  g_autoptr(GormResource) c3 = NULL;
  g_autoptr(GormResource) gtk = NULL;
  g_autoptr(GormResource) unsaved = g_object_new (POLLS_TYPE_QUESTION, "database", db, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  q1 = gorm_database_get (db, POLLS_TYPE_QUESTION, fixture->q1, NULL, &error);
  g_assert_no_error (error);
  c3 = gorm_database_get (db, POLLS_TYPE_CHOICE, fixture->c3, NULL, &error);
  g_assert_no_error (error);
  gtk = gorm_database_get (db, POLLS_TYPE_TAG, fixture->gtk, NULL, &error);
  g_assert_no_error (error);

  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question", object_value (&value, q1)),
                   "choice-text", "Not much,The sky");
  assert_matching (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question_id", &value),
                   "choice-text", "Not much,The sky");
  g_value_unset (&value);
  assert_matching (db, POLLS_TYPE_QUESTION, gorm_filter_eq ("choice", object_value (&value, c3)),
                   "question-text", "What's up?");
  g_value_unset (&value);
  assert_matching (db, POLLS_TYPE_POST, gorm_filter_eq ("tags", object_value (&value, gtk)),
                   "title", "GNOME 50");

  /* A tag where a question is expected, a question for a property that
   * holds no key, and a question without a key. */
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question", &value));

    assert_query_fails (query, GORM_ERROR_TYPE_MISMATCH, "Choice:question-id", "Tag", NULL);
  }
  g_value_unset (&value);
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("votes", object_value (&value, q1)));

    assert_query_fails (query, GORM_ERROR_TYPE_MISMATCH, "Choice:votes", "Question", NULL);
  }
  g_value_unset (&value);
  {
    g_autoptr(GormQuery) query = filtered (db, POLLS_TYPE_CHOICE, gorm_filter_eq ("question", object_value (&value, unsaved)));

    assert_query_fails (query, GORM_ERROR_VALIDATION, "Choice:question-id", "unsaved Question", NULL);
  }
}

/* Paths in the filter and the order of a query that also loads related
 * objects (select_related's LEFT JOIN, prefetch_related's statements):
 * the same rows, in the same order, with their related objects. */
static void
test_eager_loading (void)
{
  g_autoptr(Fixture) fixture = fixture_new ();
  GormDatabase *db = fixture->db;
  g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  g_autoptr(GormQuery) questions = gorm_database_query (db, POLLS_TYPE_QUESTION);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GListModel) live = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) zero = G_VALUE_INIT;
  g_autofree char *found = NULL;

  gorm_query_filter (query, gorm_filter_ge ("question.choice.votes", test_int_value (&zero, 0)));
  gorm_query_select_related (query, "question.author");
  gorm_query_order_by (query, "question.author.name", TRUE);
  model = fetch (query);
  found = texts (model, "choice-text");
  g_assert_cmpstr (found, ==, "Nothing,The sky,Not much,Fine");
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GormResource) choice = g_list_model_get_item (model, i);

      g_assert_nonnull (gorm_resource_peek_related (choice, "question"));
    }
  live = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&found, g_free);
  found = texts (live, "choice-text");
  g_assert_cmpstr (found, ==, "Nothing,The sky,Not much,Fine");

  gorm_query_filter (questions, gorm_filter_gt ("choice.votes", &zero));
  gorm_query_prefetch_related (questions, "choice_set");
  gorm_query_order_by (questions, "author.name", FALSE);
  g_clear_object (&model);
  model = fetch (questions);
  g_clear_pointer (&found, g_free);
  found = texts (model, "question-text");
  g_assert_cmpstr (found, ==, "What's new?,What's up?");
  {
    g_autoptr(GormResource) q1 = g_list_model_get_item (model, 0);
    GListModel *choices = gorm_resource_peek_prefetched (q1, "choice_set");

    g_assert_nonnull (choices);
    g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 2);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/RelationPaths/forward", test_forward);
  g_test_add_func ("/Gorm/RelationPaths/forward-two-steps", test_forward_two_steps);
  g_test_add_func ("/Gorm/RelationPaths/reverse", test_reverse);
  g_test_add_func ("/Gorm/RelationPaths/many-to-many", test_many_to_many);
  g_test_add_func ("/Gorm/RelationPaths/and-sharing", test_and_sharing);
  g_test_add_func ("/Gorm/RelationPaths/exclude", test_exclude);
  g_test_add_func ("/Gorm/RelationPaths/null-across", test_null_across);
  g_test_add_func ("/Gorm/RelationPaths/plans", test_plans);
  g_test_add_func ("/Gorm/RelationPaths/order-forward", test_order_forward);
  g_test_add_func ("/Gorm/RelationPaths/live", test_live);
  g_test_add_func ("/Gorm/RelationPaths/paging", test_paging);
  g_test_add_func ("/Gorm/RelationPaths/bulk", test_bulk);
  g_test_add_func ("/Gorm/RelationPaths/bad-paths", test_bad_paths);
  g_test_add_func ("/Gorm/RelationPaths/objects-as-keys", test_objects_as_keys);
  g_test_add_func ("/Gorm/RelationPaths/eager-loading", test_eager_loading);

  return g_test_run ();
}
