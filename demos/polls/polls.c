/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The polls of Django's tutorial, in C: a Question and its Choices (a
 * foreign key to the question, CASCADE), and the tutorial's short script
 * of queries ("Playing with the API"). demos/polls/polls.py is the same
 * script in Python; both print the lines of demos/polls/polls.out, which
 * the tests compare their output with.
 *
 *   polls [PATH | URI]
 *
 * PATH is an SQLite database file (":memory:" is a database in memory); a
 * URI is opened as it is: sqlite:PATH, or
 * postgresql://USER:PASSWORD@HOST:PORT/DBNAME. The database should be
 * empty: the script expects the ids 1, 2, ... and deletes what it made.
 */

#include <locale.h>

#include <gorm.h>

/* Question: question_text and pub_date. */

#define POLLS_TYPE_QUESTION (polls_question_get_type ())
G_DECLARE_FINAL_TYPE (PollsQuestion, polls_question, POLLS, QUESTION, GormResource)

struct _PollsQuestion
{
  GormResource  parent_instance;

  char         *question_text;
  GDateTime    *pub_date;
};

G_DEFINE_FINAL_TYPE (PollsQuestion, polls_question, GORM_TYPE_RESOURCE)

enum {
  QUESTION_PROP_0,
  QUESTION_PROP_QUESTION_TEXT,
  QUESTION_PROP_PUB_DATE,
  QUESTION_N_PROPS,
};

static GParamSpec *question_properties[QUESTION_N_PROPS];

static void
polls_question_finalize (GObject *object)
{
  PollsQuestion *self = POLLS_QUESTION (object);

  g_clear_pointer (&self->question_text, g_free);
  g_clear_pointer (&self->pub_date, g_date_time_unref);

  G_OBJECT_CLASS (polls_question_parent_class)->finalize (object);
}

static void
polls_question_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PollsQuestion *self = POLLS_QUESTION (object);

  switch (prop_id)
    {
    case QUESTION_PROP_QUESTION_TEXT:
      g_value_set_string (value, self->question_text);
      break;

    case QUESTION_PROP_PUB_DATE:
      g_value_set_boxed (value, self->pub_date);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
date_time_equal (GDateTime *a,
                 GDateTime *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_date_time_equal (a, b);
}

/* libgorm writes only the columns whose properties were notified, so the
 * properties notify when their value really changes, and only then. */
static void
polls_question_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PollsQuestion *self = POLLS_QUESTION (object);

  switch (prop_id)
    {
    case QUESTION_PROP_QUESTION_TEXT:
      if (set_string (&self->question_text, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;

    case QUESTION_PROP_PUB_DATE:
      if (!date_time_equal (self->pub_date, g_value_get_boxed (value)))
        {
          g_clear_pointer (&self->pub_date, g_date_time_unref);
          self->pub_date = g_value_dup_boxed (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
polls_question_class_init (PollsQuestionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  object_class->finalize = polls_question_finalize;
  object_class->get_property = polls_question_get_property;
  object_class->set_property = polls_question_set_property;

  question_properties[QUESTION_PROP_QUESTION_TEXT] =
    g_param_spec_string ("question-text", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  question_properties[QUESTION_PROP_PUB_DATE] =
    g_param_spec_boxed ("pub-date", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, QUESTION_N_PROPS, question_properties);

  /* The table polls_question: id, question_text, pub_date. */
  gorm_resource_class_set_table (resource_class, "polls_question");
  gorm_resource_class_set_max_length (resource_class, "question-text", 200);
}

static void
polls_question_init (PollsQuestion *self)
{
}

/* Question.was_published_recently() of the tutorial: within the last day,
 * and not in the future. */
static gboolean
polls_question_was_published_recently (PollsQuestion *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) day_ago = g_date_time_add_days (now, -1);

  return self->pub_date != NULL &&
         g_date_time_compare (self->pub_date, day_ago) >= 0 &&
         g_date_time_compare (self->pub_date, now) <= 0;
}

/* Choice: a foreign key to its question, choice_text and votes. */

#define POLLS_TYPE_CHOICE (polls_choice_get_type ())
G_DECLARE_FINAL_TYPE (PollsChoice, polls_choice, POLLS, CHOICE, GormResource)

struct _PollsChoice
{
  GormResource  parent_instance;

  gint64        question_id;
  char         *choice_text;
  int           votes;
};

G_DEFINE_FINAL_TYPE (PollsChoice, polls_choice, GORM_TYPE_RESOURCE)

enum {
  CHOICE_PROP_0,
  CHOICE_PROP_QUESTION_ID,
  CHOICE_PROP_CHOICE_TEXT,
  CHOICE_PROP_VOTES,
  CHOICE_N_PROPS,
};

static GParamSpec *choice_properties[CHOICE_N_PROPS];

static void
polls_choice_finalize (GObject *object)
{
  PollsChoice *self = POLLS_CHOICE (object);

  g_clear_pointer (&self->choice_text, g_free);

  G_OBJECT_CLASS (polls_choice_parent_class)->finalize (object);
}

static void
polls_choice_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PollsChoice *self = POLLS_CHOICE (object);

  switch (prop_id)
    {
    case CHOICE_PROP_QUESTION_ID:
      g_value_set_int64 (value, self->question_id);
      break;

    case CHOICE_PROP_CHOICE_TEXT:
      g_value_set_string (value, self->choice_text);
      break;

    case CHOICE_PROP_VOTES:
      g_value_set_int (value, self->votes);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
polls_choice_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PollsChoice *self = POLLS_CHOICE (object);

  switch (prop_id)
    {
    case CHOICE_PROP_QUESTION_ID:
      if (self->question_id != g_value_get_int64 (value))
        {
          self->question_id = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case CHOICE_PROP_CHOICE_TEXT:
      if (set_string (&self->choice_text, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;

    case CHOICE_PROP_VOTES:
      if (self->votes != g_value_get_int (value))
        {
          self->votes = g_value_get_int (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
polls_choice_class_init (PollsChoiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  object_class->finalize = polls_choice_finalize;
  object_class->get_property = polls_choice_get_property;
  object_class->set_property = polls_choice_set_property;

  choice_properties[CHOICE_PROP_QUESTION_ID] =
    g_param_spec_int64 ("question-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  choice_properties[CHOICE_PROP_CHOICE_TEXT] =
    g_param_spec_string ("choice-text", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  choice_properties[CHOICE_PROP_VOTES] =
    g_param_spec_int ("votes", NULL, NULL,
                      0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, CHOICE_N_PROPS, choice_properties);

  /* The table polls_choice: id, question_id (a FOREIGN KEY to
   * polls_question, ON DELETE CASCADE, indexed), choice_text, votes. The
   * relation is "question". Its reverse on Question would be named after
   * the type, "polls_choice_set": it is "choice_set", as in Django. */
  gorm_resource_class_set_table (resource_class, "polls_choice");
  gorm_resource_class_set_foreign_key (resource_class, "question-id",
                                       POLLS_TYPE_QUESTION, GORM_ON_DELETE_CASCADE);
  gorm_resource_class_set_related_name (resource_class, "question-id", "choice_set");
  gorm_resource_class_set_max_length (resource_class, "choice-text", 200);
}

static void
polls_choice_init (PollsChoice *self)
{
}

/* The script. */

/* The URI of DATABASE: a URI as it is, a file as an sqlite: URI. */
static char *
database_uri (const char *database)
{
  if (g_uri_peek_scheme (database) != NULL)
    return g_strdup (database);
  return g_strconcat ("sqlite:", database, NULL);
}

/* "What's up?, The sky": the texts of a list of questions or choices. */
static char *
join_texts (GListModel *model)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, POLLS_IS_QUESTION (item)
                             ? POLLS_QUESTION (item)->question_text
                             : POLLS_CHOICE (item)->choice_text);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Prints "LABEL: N (TEXT, TEXT...)" for the rows of @query. */
static gboolean
print_list (const char  *label,
            GormQuery   *query,
            GError     **error)
{
  g_autoptr(GListModel) rows = gorm_query_fetch (query, NULL, error);
  g_autofree char *texts = NULL;
  guint n;

  if (rows == NULL)
    return FALSE;
  n = g_list_model_get_n_items (rows);
  texts = join_texts (rows);
  if (n == 0)
    g_print ("%s: 0\n", label);
  else
    g_print ("%s: %u (%s)\n", label, n, texts);
  return TRUE;
}

/* A filter on pub_date (or a path ending in it) for the current year,
 * as Django's pub_date__year: the year part of the date compared with a
 * constant, which libgorm renders as a range on the column itself. */
static GormFilter *
in_this_year (const char *property)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_auto(GValue) year = G_VALUE_INIT;

  g_value_init (&year, G_TYPE_INT);
  g_value_set_int (&year, g_date_time_get_year (now));
  return gorm_filter_compare (gorm_expression_date_part (gorm_expression_property (property),
                                                         GORM_DATE_PART_YEAR),
                              GORM_COMPARISON_EQ,
                              gorm_expression_value (&year));
}

static PollsChoice *
create_choice (PollsQuestion  *question,
               const char     *text,
               GError        **error)
{
  g_autoptr(PollsChoice) choice = g_object_new (POLLS_TYPE_CHOICE,
                                                "database", gorm_resource_get_database (GORM_RESOURCE (question)),
                                                "choice-text", text,
                                                "votes", 0,
                                                NULL);

  /* question.choice_set.create() of the tutorial: the key comes from the
   * object. */
  if (!gorm_resource_set_related (GORM_RESOURCE (choice), "question", GORM_RESOURCE (question), error) ||
      !gorm_resource_save (GORM_RESOURCE (choice), NULL, error))
    return NULL;
  g_print ("Created choice %" G_GINT64_FORMAT ": %s (%d votes)\n",
           gorm_resource_get_id (GORM_RESOURCE (choice)), choice->choice_text, choice->votes);
  return g_steal_pointer (&choice);
}

/* The tutorial's vote() view: selected_choice.votes = F("votes") + 1, then
 * save(). One UPDATE in which the database adds the vote, so two votes at
 * once both count; the loaded choice gets the value the database
 * computed. */
static gboolean
vote (PollsChoice  *choice,
      GError      **error)
{
  GormDatabase *db = gorm_resource_get_database (GORM_RESOURCE (choice));
  g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  g_auto(GValue) id = G_VALUE_INIT;
  g_auto(GValue) one = G_VALUE_INIT;
  const char *properties[] = { "votes" };
  g_autoptr(GormExpression) votes_plus_one = NULL;
  gint64 n;

  g_value_init (&id, G_TYPE_INT64);
  g_value_set_int64 (&id, gorm_resource_get_id (GORM_RESOURCE (choice)));
  g_value_init (&one, G_TYPE_INT);
  g_value_set_int (&one, 1);
  gorm_query_filter (query, gorm_filter_eq ("id", &id));
  votes_plus_one = gorm_expression_add (gorm_expression_property ("votes"),
                                        gorm_expression_value (&one));
  n = gorm_query_update_expressions (query, G_N_ELEMENTS (properties), properties,
                                     &votes_plus_one, NULL, error);
  if (n < 0)
    return FALSE;
  g_print ("Voted for %s: %d vote%s\n", choice->choice_text, choice->votes,
           choice->votes == 1 ? "" : "s");
  return TRUE;
}

/* The tutorial's results page, for every question at once: each question
 * annotated with its number of choices and total of votes (Django's
 * Question.objects.annotate(n_choices=Count("choice"),
 * total_votes=Sum("choice__votes"))), then its choices with their votes. */
static gboolean
print_results (GormDatabase  *db,
               GError       **error)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_QUESTION);
  g_autoptr(GListModel) rows = NULL;
  guint n;

  /* The reverse relation is "choice_set" here (its related name). */
  gorm_query_annotate (query, "n_choices",
                       gorm_expression_count (gorm_expression_property ("choice_set"), FALSE));
  gorm_query_annotate (query, "total_votes",
                       gorm_expression_sum (gorm_expression_property ("choice_set.votes")));
  gorm_query_order_by (query, "id", FALSE);
  rows = gorm_query_fetch_rows (query, NULL, error);
  if (rows == NULL)
    return FALSE;
  n = g_list_model_get_n_items (rows);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GormRow) row = g_list_model_get_item (rows, i);
      PollsQuestion *question = gorm_row_get_resource (row);
      g_autoptr(GormQuery) choices = NULL;
      g_autoptr(GListModel) model = NULL;

      g_print ("Results of %s: %" G_GINT64_FORMAT " choices, %" G_GINT64_FORMAT " votes\n",
               question->question_text, gorm_row_get_int64 (row, "n_choices"),
               gorm_row_get_int64 (row, "total_votes"));
      choices = gorm_resource_query_related (GORM_RESOURCE (question), "choice_set");
      gorm_query_order_by (choices, "id", FALSE);
      model = gorm_query_fetch (choices, NULL, error);
      if (model == NULL)
        return FALSE;
      for (guint j = 0; j < g_list_model_get_n_items (model); j++)
        {
          g_autoptr(PollsChoice) choice = g_list_model_get_item (model, j);

          g_print ("  %s -- %d vote%s\n", choice->choice_text, choice->votes,
                   choice->votes == 1 ? "" : "s");
        }
    }
  return TRUE;
}

static gboolean
run (const char  *database,
     GError     **error)
{
  g_autofree char *uri = database_uri (database);
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(PollsQuestion) q = NULL;
  g_autoptr(PollsChoice) c = NULL;
  g_autoptr(GPtrArray) choices = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(PollsQuestion) got = NULL;
  g_autoptr(PollsQuestion) related = NULL;
  g_autoptr(GError) local_error = NULL;
  GType types[] = { POLLS_TYPE_QUESTION, POLLS_TYPE_CHOICE };
  gint64 n;

  db = gorm_database_open (uri, NULL, error);
  if (db == NULL || !gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, error))
    return FALSE;

  /* Question.objects.all(): no questions yet. */
  query = gorm_database_query (db, POLLS_TYPE_QUESTION);
  if (!print_list ("Questions", query, error))
    return FALSE;
  g_clear_object (&query);

  /* Create a new Question, save it, change it. */
  q = g_object_new (POLLS_TYPE_QUESTION,
                    "database", db,
                    "question-text", "What's new?",
                    "pub-date", now,
                    NULL);
  if (!gorm_resource_save (GORM_RESOURCE (q), NULL, error))
    return FALSE;
  g_print ("Saved question %" G_GINT64_FORMAT ": %s\n",
           gorm_resource_get_id (GORM_RESOURCE (q)), q->question_text);
  g_object_set (q, "question-text", "What's up?", NULL);
  if (!gorm_resource_save (GORM_RESOURCE (q), NULL, error))
    return FALSE;
  g_print ("Renamed question %" G_GINT64_FORMAT ": %s\n",
           gorm_resource_get_id (GORM_RESOURCE (q)), q->question_text);

  /* Question.objects.filter(question_text__startswith="What") */
  query = gorm_database_query (db, POLLS_TYPE_QUESTION);
  gorm_query_filter (query, gorm_filter_like ("question-text", "What%"));
  if (!print_list ("Questions starting with \"What\"", query, error))
    return FALSE;
  g_clear_object (&query);

  /* Question.objects.get(pub_date__year=current_year) */
  query = gorm_database_query (db, POLLS_TYPE_QUESTION);
  gorm_query_filter (query, in_this_year ("pub-date"));
  got = gorm_query_first (query, NULL, error);
  g_clear_object (&query);
  if (got == NULL)
    return FALSE;
  g_print ("Question published this year: %s\n", got->question_text);

  /* Question.objects.get(id=2): there is none. */
  if (gorm_database_get (db, POLLS_TYPE_QUESTION, 2, NULL, &local_error) != NULL ||
      !g_error_matches (local_error, GORM_ERROR, GORM_ERROR_NOT_FOUND))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "Question 2 should not exist");
      return FALSE;
    }
  g_clear_error (&local_error);
  g_print ("Question 2 does not exist\n");

  g_print ("Question 1 was published recently: %s\n",
           polls_question_was_published_recently (q) ? "yes" : "no");

  /* q.choice_set.all(), then q.choice_set.create(...) three times. */
  query = gorm_resource_query_related (GORM_RESOURCE (q), "choice_set");
  if (!print_list ("Choices of question 1", query, error))
    return FALSE;
  g_clear_object (&query);
  for (guint i = 0; i < 3; i++)
    {
      const char *texts[] = { "Not much", "The sky", "Just hacking again" };

      g_clear_object (&c);
      c = create_choice (q, texts[i], error);
      if (c == NULL)
        return FALSE;
      g_ptr_array_add (choices, g_object_ref (c));
    }

  /* c.question: the choice's question, the same object as q. */
  related = gorm_resource_get_related (GORM_RESOURCE (c), "question", NULL, error);
  if (related == NULL)
    return FALSE;
  g_print ("Choice %" G_GINT64_FORMAT " belongs to: %s%s\n",
           gorm_resource_get_id (GORM_RESOURCE (c)), related->question_text,
           related == q ? " (the same object)" : "");

  /* q.choice_set.all() and q.choice_set.count() */
  query = gorm_resource_query_related (GORM_RESOURCE (q), "choice_set");
  if (!print_list ("Choices of question 1", query, error))
    return FALSE;
  n = gorm_query_count (query, NULL, error);
  g_clear_object (&query);
  if (n < 0)
    return FALSE;
  g_print ("Choice count: %" G_GINT64_FORMAT "\n", n);

  /* Choice.objects.filter(question__pub_date__year=current_year): a
   * condition across the relation. */
  query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  gorm_query_filter (query, in_this_year ("question.pub_date"));
  if (!print_list ("Choices of questions published this year", query, error))
    return FALSE;
  g_clear_object (&query);

  /* Votes, then the results page. */
  if (!vote (g_ptr_array_index (choices, 1), error) ||
      !vote (g_ptr_array_index (choices, 1), error) ||
      !vote (g_ptr_array_index (choices, 0), error) ||
      !print_results (db, error))
    return FALSE;

  /* q.choice_set.filter(choice_text__startswith="Just hacking").delete() */
  query = gorm_resource_query_related (GORM_RESOURCE (q), "choice_set");
  gorm_query_filter (query, gorm_filter_like ("choice-text", "Just hacking%"));
  n = gorm_query_delete (query, NULL, error);
  g_clear_object (&query);
  if (n < 0)
    return FALSE;
  g_print ("Deleted choices starting with \"Just hacking\": %" G_GINT64_FORMAT "\n", n);

  /* Deleting the question deletes its choices (on_delete=CASCADE). */
  if (!gorm_resource_delete (GORM_RESOURCE (q), NULL, error))
    return FALSE;
  query = gorm_database_query (db, POLLS_TYPE_CHOICE);
  n = gorm_query_count (query, NULL, error);
  g_clear_object (&query);
  if (n < 0)
    return FALSE;
  g_print ("Deleted question 1; choices left: %" G_GINT64_FORMAT "\n", n);

  return gorm_database_close (db, NULL, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");

  if (argc != 2)
    {
      g_printerr ("Usage: %s DATABASE-FILE | URI\n", argv[0]);
      return 1;
    }

  if (!run (argv[1], &error))
    {
      g_printerr ("polls: %s\n", error->message);
      return 1;
    }
  return 0;
}
