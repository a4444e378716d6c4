/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The C side of tests/cross-language.sh's polls: a Question with Choices
 * (a foreign key, CASCADE) and Tags (many-to-many), written in one
 * language and read back, every column, in the others.
 *
 *   cross-polls URI write TEXT PUB-DATE TAG VOTES
 *   cross-polls URI read
 *
 * tests/cross-language/polls.{py,js,vala} do exactly the same, with the
 * same type names (Question, Choice, Tag: the tables and link columns
 * derive from them) and the same output.
 */

#include "config.h"

#include <stdlib.h>

#include "gorm-test-utils.h"

TEST_DEFINE_RESOURCE (Question, question)
#define TYPE_QUESTION (question_get_type ())
TEST_DEFINE_RESOURCE (Choice, choice)
#define TYPE_CHOICE (choice_get_type ())
TEST_DEFINE_RESOURCE (Tag, tag)
#define TYPE_TAG (tag_get_type ())

static void
question_class_init (QuestionClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("question-text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_boxed ("pub-date", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_int64 ("rating", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_max_length (resource_class, "question-text", 200);
  gorm_resource_class_set_nullable (resource_class, "rating");
  gorm_resource_class_add_many_to_many (resource_class, "tags", TYPE_TAG);
}

static void
choice_class_init (ChoiceClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("question-id", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_string ("choice-text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("votes", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_int64 ("rank", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (resource_class, "question-id", TYPE_QUESTION,
                                       GORM_ON_DELETE_CASCADE);
  gorm_resource_class_set_max_length (resource_class, "choice-text", 200);
  gorm_resource_class_set_nullable (resource_class, "rank");
}

static void
tag_class_init (TagClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_unique (GORM_RESOURCE_CLASS (klass), "name");
}

/* The tag NAME, saved first if there is none. */
static GormResource *
tag_get_or_create (GormDatabase  *db,
                   const char    *name,
                   GError       **error)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TYPE_TAG);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GormResource) tag = NULL;
  g_autoptr(GError) local_error = NULL;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, name);
  gorm_query_filter (query, gorm_filter_eq ("name", &value));
  tag = gorm_query_first (query, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (tag != NULL)
    return g_steal_pointer (&tag);
  tag = g_object_new (TYPE_TAG, "database", db, "name", name, NULL);
  if (!gorm_resource_save (tag, NULL, error))
    return NULL;
  return g_steal_pointer (&tag);
}

static gboolean
write_question (GormDatabase  *db,
                const char    *text,
                const char    *pub_date,
                const char    *tag_name,
                gint64         votes,
                GError       **error)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (pub_date, NULL);
  g_autoptr(GormResource) question = NULL;
  /* The rank of the second choice is NULL. */
  struct {
    const char *suffix;
    gint64      votes;
    gint64      rank;
  } choices[] = { { "yes", votes, 1 }, { "no", votes + 1, -1 } };
  const char *tags[] = { "shared", tag_name };

  if (when == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not a date: %s", pub_date);
      return FALSE;
    }
  question = g_object_new (TYPE_QUESTION, "database", db, "question-text", text,
                           "pub-date", when, NULL);
  /* The question's rating is NULL. */
  if (!gorm_resource_set_null (question, "rating", error) ||
      !gorm_resource_save (question, NULL, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      g_autofree char *choice_text = g_strdup_printf ("%s %s", tag_name, choices[i].suffix);
      g_autoptr(GormResource) choice = g_object_new (TYPE_CHOICE, "database", db,
                                                     "choice-text", choice_text,
                                                     "votes", choices[i].votes, NULL);

      if (choices[i].rank >= 0)
        g_object_set (choice, "rank", choices[i].rank, NULL);
      else if (!gorm_resource_set_null (choice, "rank", error))
        return FALSE;
      if (!gorm_resource_set_related (choice, "question", question, error) ||
          !gorm_resource_save (choice, NULL, error))
        return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      g_autoptr(GormResource) tag = tag_get_or_create (db, tags[i], error);

      if (tag == NULL || !gorm_resource_link (question, "tags", tag, NULL, error))
        return FALSE;
    }
  g_print ("Wrote question %" G_GINT64_FORMAT "\n", gorm_resource_get_id (question));
  return TRUE;
}

/* An optional number: "NULL" or its digits. */
static char *
format_optional (GormResource *resource,
                 const char   *property)
{
  gint64 value;

  if (gorm_resource_is_null (resource, property))
    return g_strdup ("NULL");
  g_object_get (resource, property, &value, NULL);
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

/* A date-time in UTC, to the microsecond. */
static char *
format_date (GDateTime *when)
{
  g_autoptr(GDateTime) utc = NULL;

  if (when == NULL)
    return g_strdup ("NULL");
  utc = g_date_time_to_utc (when);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static GListModel *
fetch_ordered (GormQuery   *query,
               const char  *property,
               GError     **error)
{
  g_autoptr(GormQuery) owned = query;

  gorm_query_order_by (owned, property, FALSE);
  return gorm_query_fetch (owned, NULL, error);
}

/* "a, b": the names of tags. */
static char *
join_names (GListModel *tags)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (tags); i++)
    {
      g_autoptr(GObject) tag = g_list_model_get_item (tags, i);
      g_autofree char *name = NULL;

      g_object_get (tag, "name", &name, NULL);
      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", name);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
join_ids (GListModel *resources)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(GormResource) resource = g_list_model_get_item (resources, i);

      g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "",
                              gorm_resource_get_id (resource));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The aggregates: each question annotated with its number of choices and
 * total of votes, then the count, total, least, most and average of the
 * votes of every choice. */
static gboolean
read_totals (GormDatabase  *db,
             GError       **error)
{
  g_autoptr(GormQuery) annotated = gorm_database_query (db, TYPE_QUESTION);
  g_autoptr(GormQuery) all = gorm_database_query (db, TYPE_CHOICE);
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GormRow) totals = NULL;

  gorm_query_annotate (annotated, "n", gorm_expression_count (gorm_expression_property ("choice"), FALSE));
  gorm_query_annotate (annotated, "votes", gorm_expression_sum (gorm_expression_property ("choice.votes")));
  gorm_query_order_by (annotated, "id", FALSE);
  rows = gorm_query_fetch_rows (annotated, NULL, error);
  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GormRow) row = g_list_model_get_item (rows, i);

      g_print ("totals of question %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT " choices, %" G_GINT64_FORMAT " votes\n",
               gorm_resource_get_id (gorm_row_get_resource (row)),
               gorm_row_get_int64 (row, "n"), gorm_row_get_int64 (row, "votes"));
    }

  gorm_query_select (all, "n", gorm_expression_count (NULL, FALSE));
  gorm_query_select (all, "total", gorm_expression_sum (gorm_expression_property ("votes")));
  gorm_query_select (all, "least", gorm_expression_min (gorm_expression_property ("votes")));
  gorm_query_select (all, "most", gorm_expression_max (gorm_expression_property ("votes")));
  gorm_query_select (all, "average", gorm_expression_avg (gorm_expression_property ("votes")));
  totals = gorm_query_aggregate (all, NULL, error);
  if (totals == NULL)
    return FALSE;
  g_print ("votes: %" G_GINT64_FORMAT " choices, total %" G_GINT64_FORMAT ", least %" G_GINT64_FORMAT
           ", most %" G_GINT64_FORMAT ", average %.2f\n",
           gorm_row_get_int64 (totals, "n"), gorm_row_get_int64 (totals, "total"),
           gorm_row_get_int64 (totals, "least"), gorm_row_get_int64 (totals, "most"),
           gorm_row_get_double (totals, "average"));
  return TRUE;
}

static gboolean
read_all (GormDatabase  *db,
          GError       **error)
{
  g_autoptr(GListModel) questions = fetch_ordered (gorm_database_query (db, TYPE_QUESTION), "id", error);
  g_autoptr(GListModel) tags = NULL;

  if (questions == NULL)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(GormResource) question = g_list_model_get_item (questions, i);
      g_autoptr(GListModel) its_tags = fetch_ordered (gorm_resource_query_related (question, "tags"), "name", error);
      g_autoptr(GListModel) choices = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GDateTime) pub_date = NULL;
      g_autofree char *when = NULL;
      g_autofree char *tag_names = NULL;
      g_autofree char *rating = NULL;

      if (its_tags == NULL)
        return FALSE;
      g_object_get (question, "question-text", &text, "pub-date", &pub_date, NULL);
      when = format_date (pub_date);
      tag_names = join_names (its_tags);
      rating = format_optional (question, "rating");
      g_print ("question %" G_GINT64_FORMAT ": %s | %s | rating %s | tags %s\n",
               gorm_resource_get_id (question), text, when, rating, tag_names);

      choices = fetch_ordered (gorm_resource_query_related (question, "choice_set"), "id", error);
      if (choices == NULL)
        return FALSE;
      for (guint j = 0; j < g_list_model_get_n_items (choices); j++)
        {
          g_autoptr(GormResource) choice = g_list_model_get_item (choices, j);
          g_autoptr(GormResource) of = gorm_resource_get_related (choice, "question", NULL, error);
          g_autofree char *choice_text = NULL;
          g_autofree char *rank = NULL;
          gint64 votes;

          if (of == NULL)
            return FALSE;
          g_object_get (choice, "choice-text", &choice_text, "votes", &votes, NULL);
          rank = format_optional (choice, "rank");
          g_print ("  choice %" G_GINT64_FORMAT ": %s | %" G_GINT64_FORMAT " votes | rank %s | of question %" G_GINT64_FORMAT "%s\n",
                   gorm_resource_get_id (choice), choice_text, votes, rank,
                   gorm_resource_get_id (of), of == question ? "" : " (another object)");
        }
    }

  tags = fetch_ordered (gorm_database_query (db, TYPE_TAG), "name", error);
  if (tags == NULL)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (tags); i++)
    {
      g_autoptr(GormResource) tag = g_list_model_get_item (tags, i);
      g_autoptr(GListModel) its_questions = fetch_ordered (gorm_resource_query_related (tag, "question_set"), "id", error);
      g_autofree char *name = NULL;
      g_autofree char *ids = NULL;

      if (its_questions == NULL)
        return FALSE;
      g_object_get (tag, "name", &name, NULL);
      ids = join_ids (its_questions);
      g_print ("tag %" G_GINT64_FORMAT ": %s | questions %s\n", gorm_resource_get_id (tag), name, ids);
    }
  return read_totals (db, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  GType types[] = { TYPE_QUESTION, TYPE_CHOICE, TYPE_TAG };
  gboolean write = argc == 7 && g_str_equal (argv[2], "write");
  gboolean ok;

  if (!write && !(argc == 3 && g_str_equal (argv[2], "read")))
    {
      g_printerr ("Usage: %s URI write TEXT PUB-DATE TAG VOTES | URI read\n", argv[0]);
      return 2;
    }
  db = gorm_database_open (argv[1], NULL, &error);
  ok = db != NULL && gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error);
  if (ok && write)
    ok = write_question (db, argv[3], argv[4], argv[5], g_ascii_strtoll (argv[6], NULL, 10), &error);
  else if (ok)
    ok = read_all (db, &error);
  if (ok)
    ok = gorm_database_close (db, NULL, &error);
  if (!ok)
    {
      g_printerr ("cross-polls: %s\n", error->message);
      return 1;
    }
  return 0;
}
