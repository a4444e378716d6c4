/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The C examples of doc/aggregates.md, as written (tests/meson.build
 * extracts them), on the polls of tests/doc-example-polls.c, both
 * engines; the GTK one shows its rows in a real GtkListView under Xvfb
 * (tests/gtk/run-under-xvfb.sh). */

#include "config.h"

#include <gtk/gtk.h>

#include "doc-example-polls.h"

#include "doc-aggregates-examples.h"

static GString *printed;

static void
print_cb (const char *text)
{
  g_string_append (printed, text);
}

/* What @example prints. */
static char *
run (void        (*example) (GormDatabase *db),
     GormDatabase *db)
{
  GPrintFunc previous;

  printed = g_string_new (NULL);
  previous = g_set_print_handler (print_cb);
  example (db);
  g_set_print_handler (previous);
  return g_string_free (g_steal_pointer (&printed), FALSE);
}

#define ASSERT_PRINTS(example, db, expected) \
  G_STMT_START { \
    g_autofree char *text = run (example, db); \
    g_assert_cmpstr (text, ==, expected); \
  } G_STMT_END

static void
test_examples (void)
{
  g_autoptr(GormDatabase) db = doc_example_open ();

  ASSERT_PRINTS (print_totals, db, "3 choices, 4 votes, 1.33 on average\n");
  ASSERT_PRINTS (print_votes_per_author, db, "Ada: 3 votes\nBob: 1 votes\n");
  ASSERT_PRINTS (print_choice_counts, db, "What's new?: 2 choices\nWhat's up?: 1 choices\n");
  ASSERT_PRINTS (print_years, db, "2024\n");
  ASSERT_PRINTS (print_raw_votes, db, "What's new?: 3\n");
  ASSERT_PRINTS (print_questions_without_choices, db, "Why?\n");
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  return ++*frames < 2 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
collect_labels (GtkWidget *widget,
                GPtrArray *texts)
{
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, texts);
}

static void
test_list_view (void)
{
  g_autoptr(GormDatabase) db = doc_example_open ();
  g_autoptr(GormQuery) query = gorm_database_query (db, POLLS_TYPE_QUESTION);
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_auto(GValue) none = G_VALUE_INIT;
  GtkWidget *window, *view;
  guint frames = 0;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* print_votes_per_author()'s rows. */
  g_value_init (&none, G_TYPE_INT64);
  gorm_query_select (query, "author", gorm_expression_property ("author.name"));
  gorm_query_select (query, "votes", gorm_expression_sum (gorm_expression_property ("choice.votes")));
  gorm_query_filter (query, gorm_filter_gt ("votes", &none));
  gorm_query_order_by (query, "votes", TRUE);
  rows = gorm_query_fetch_rows (query, NULL, &error);
  g_assert_no_error (error);

  view = new_votes_view (rows);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 300, 300);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_add_tick_callback (view, count_frame_cb, &frames, NULL);
  while (frames < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  collect_labels (view, texts);
  g_assert_cmpuint (texts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (texts, 0), ==, "Ada: 3 votes");
  g_assert_cmpstr (g_ptr_array_index (texts, 1), ==, "Bob: 1 votes");

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Doc/aggregates", test_examples);
  g_test_add_func ("/Gorm/Doc/aggregates-list-view", test_list_view);

  return g_test_run ();
}
