/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A real GtkListView in a window under Xvfb (tests/gtk/run-under-xvfb.sh),
 * bound to gorm_query_watch() of a C resource class while rows are
 * inserted, updated, deleted, saved in a transaction that rolls back and
 * changed by a bulk update. After each step the main loop runs until it
 * is idle and two frames were drawn; then every list item GTK has bound
 * must hold a TestTask with its row's values, and the model's order must
 * be that of the same query run on a second connection to the file,
 * which has its own objects. tests/python/test_gtk.py does the same with
 * a Python model. */

#include <gtk/gtk.h>

#include "gorm-test-utils.h"

#define N_TASKS 1000

/* TestTask: title and prio, in C. */
#define TEST_TYPE_TASK (test_task_get_type ())
G_DECLARE_FINAL_TYPE (TestTask, test_task, TEST, TASK, GormResource)

struct _TestTask
{
  GormResource parent_instance;
  char        *title;
  gint64       prio;
};

G_DEFINE_FINAL_TYPE (TestTask, test_task, GORM_TYPE_RESOURCE)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_PRIO,
  N_PROPS,
};

static GParamSpec *task_properties[N_PROPS];

static void
test_task_finalize (GObject *object)
{
  g_free (TEST_TASK (object)->title);
  G_OBJECT_CLASS (test_task_parent_class)->finalize (object);
}

static void
test_task_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TestTask *self = TEST_TASK (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_PRIO:
      g_value_set_int64 (value, self->prio);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_task_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TestTask *self = TEST_TASK (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      break;
    case PROP_PRIO:
      self->prio = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_task_class_init (TestTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = test_task_finalize;
  object_class->get_property = test_task_get_property;
  object_class->set_property = test_task_set_property;
  task_properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, "", G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  task_properties[PROP_PRIO] =
    g_param_spec_int64 ("prio", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, task_properties);
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "task");
  gorm_resource_class_set_max_length (GORM_RESOURCE_CLASS (klass), "title", 200);
}

static void
test_task_init (TestTask *self)
{
  self->title = g_strdup ("");
}

static TestTask *
task_new (GormDatabase *db,
          const char   *title,
          gint64        prio)
{
  return g_object_new (TEST_TYPE_TASK, "database", db, "title", title, "prio", prio, NULL);
}

typedef struct
{
  char         *path;
  GormDatabase *db;
  /* A second connection to the same file: the fresh queries. */
  GormDatabase *other;
  GListModel   *model;
  GtkWidget    *window;
  GtkWidget    *list_view;
  /* GtkListItem → its TestTask, for the items bound now. */
  GHashTable   *bound;
} Fixture;

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         Fixture                  *fixture)
{
  TestTask *task = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);
  GBinding *binding;

  /* The reproduction's bind shows the title it had then; an application
   * keeps the label up to date with the object's notifications. */
  g_assert_true (TEST_IS_TASK (task));
  binding = g_object_bind_property (task, "title", label, "label", G_BINDING_SYNC_CREATE);
  g_object_set_data (G_OBJECT (label), "binding", binding);
  g_hash_table_insert (fixture->bound, list_item, task);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           Fixture                  *fixture)
{
  GtkWidget *label = gtk_list_item_get_child (list_item);

  g_binding_unbind (g_object_get_data (G_OBJECT (label), "binding"));
  g_object_set_data (G_OBJECT (label), "binding", NULL);
  g_hash_table_remove (fixture->bound, list_item);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, gtk_label_new (NULL));
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  return ++*frames < 2 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Runs the main loop until nothing is pending and two frames were drawn,
 * three times over: GTK has then bound the items of the last change. */
static void
settle (Fixture *fixture)
{
  GMainContext *context = g_main_context_default ();

  for (guint round = 0; round < 3; round++)
    {
      guint frames = 0;
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

      gtk_widget_add_tick_callback (fixture->list_view, count_frame_cb, &frames, NULL);
      while (frames < 2 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (context, TRUE);
      g_assert_cmpuint (frames, ==, 2);
      while (g_main_context_pending (context))
        g_main_context_iteration (context, FALSE);
    }
}

/* The rows, in the model's order, read through the second connection. */
static GListModel *
fresh_rows (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (fixture->other, TEST_TYPE_TASK);
  GListModel *rows;

  gorm_query_order_by (query, "prio", TRUE);
  gorm_query_order_by (query, "title", FALSE);
  rows = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  return rows;
}

static void
assert_same_row (TestTask   *item,
                 TestTask   *row,
                 const char *step,
                 guint       position)
{
  if (gorm_resource_get_id (GORM_RESOURCE (item)) != gorm_resource_get_id (GORM_RESOURCE (row)) ||
      g_strcmp0 (item->title, row->title) != 0 || item->prio != row->prio)
    g_error ("%s: item %u is (%" G_GINT64_FORMAT ", %s, %" G_GINT64_FORMAT ") where the "
             "database has (%" G_GINT64_FORMAT ", %s, %" G_GINT64_FORMAT ")",
             step, position, gorm_resource_get_id (GORM_RESOURCE (item)), item->title,
             item->prio, gorm_resource_get_id (GORM_RESOURCE (row)), row->title, row->prio);
}

/* Checks the model and every bound item against a fresh query. */
static guint
check (Fixture    *fixture,
       const char *step)
{
  g_autoptr(GListModel) rows = fresh_rows (fixture);
  guint n = g_list_model_get_n_items (rows);
  GHashTableIter iter;
  gpointer key, value;
  guint bound = 0;

  g_test_message ("%s: %u rows", step, n);
  g_assert_cmpuint (g_list_model_get_n_items (fixture->model), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (fixture->model, i);
      g_autoptr(GObject) row = g_list_model_get_item (rows, i);

      g_assert_nonnull (item);
      g_assert_true (G_OBJECT_TYPE (item) == TEST_TYPE_TASK);
      /* Two connections, two identity maps: never the same object. */
      g_assert_true (item != row);
      assert_same_row (TEST_TASK (item), TEST_TASK (row), step, i);
    }

  g_hash_table_iter_init (&iter, fixture->bound);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GtkListItem *list_item = key;
      guint position = gtk_list_item_get_position (list_item);
      GObject *item = gtk_list_item_get_item (list_item);
      g_autoptr(GObject) at = NULL;
      g_autoptr(GObject) row = NULL;

      g_assert_true (G_OBJECT_TYPE (item) == TEST_TYPE_TASK);
      g_assert_true (item == value);
      g_assert_cmpuint (position, <, n);
      at = g_list_model_get_item (fixture->model, position);
      g_assert_true (at == item);
      row = g_list_model_get_item (rows, position);
      assert_same_row (TEST_TASK (item), TEST_TASK (row), step, position);
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_list_item_get_child (list_item))), ==,
                       TEST_TASK (item)->title);
      bound++;
    }
  g_assert_cmpuint (bound, >, 10);
  return n;
}

/* The object at @position of the fresh query, as the first connection
 * has it. */
static TestTask *
task_at (Fixture *fixture,
         guint    position)
{
  g_autoptr(GListModel) rows = fresh_rows (fixture);
  g_autoptr(GObject) row = g_list_model_get_item (rows, position);
  g_autoptr(GError) error = NULL;
  TestTask *task;

  task = gorm_database_get (fixture->db, TEST_TYPE_TASK,
                            gorm_resource_get_id (GORM_RESOURCE (row)), NULL, &error);
  g_assert_no_error (error);
  return task;
}

static gboolean
rolled_back_body (GormDatabase  *db,
                  gpointer       user_data,
                  GError       **error)
{
  g_autoptr(TestTask) task = task_new (db, "!! rolled back", 9);
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_TASK);
  GValue zero = G_VALUE_INIT, nine = G_VALUE_INIT;

  if (!gorm_resource_save (GORM_RESOURCE (task), NULL, error))
    return FALSE;
  gorm_query_filter (query, gorm_filter_eq ("prio", test_int_value (&zero, 0)));
  if (gorm_query_update (query, "prio", test_int_value (&nine, 9), NULL, error) < 0)
    return FALSE;
  g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "rolled back on purpose");
  return FALSE;
}

static void
transaction_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (gorm_database_run_in_transaction_finish (GORM_DATABASE (source), result, error));
}

static void
test_list_view_follows_every_change (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autofree char *uri = NULL;
  GtkListItemFactory *factory;
  GtkSelectionModel *selection;
  GtkWidget *scrolled;
  Fixture fixture = { 0 };
  GType types[] = { TEST_TYPE_TASK };
  guint n;

  fixture.db = test_open_file (&fixture.path);
  g_assert_true (gorm_database_migrate (fixture.db, types, 1, NULL, &error));
  g_assert_true (gorm_database_begin (fixture.db, NULL, &error));
  for (guint i = 0; i < N_TASKS; i++)
    {
      g_autofree char *title = g_strdup_printf ("task %04u", i);
      g_autoptr(TestTask) task = task_new (fixture.db, title, i % 7);

      test_save_ok (task);
    }
  g_assert_true (gorm_database_commit (fixture.db, NULL, &error));
  uri = test_uri_of_file (fixture.path);
  fixture.other = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  fixture.bound = g_hash_table_new (NULL, NULL);

  /* The reproduction, in C. */
  query = gorm_database_query (fixture.db, TEST_TYPE_TASK);
  gorm_query_order_by (query, "prio", TRUE);
  gorm_query_order_by (query, "title", FALSE);
  fixture.model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), &fixture);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), &fixture);
  selection = GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (fixture.model)));
  fixture.list_view = gtk_list_view_new (selection, factory);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), fixture.list_view);
  fixture.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 400, 600);
  gtk_window_set_child (GTK_WINDOW (fixture.window), scrolled);
  gtk_window_present (GTK_WINDOW (fixture.window));
  settle (&fixture);
  g_assert_cmpuint (check (&fixture, "shown"), ==, N_TASKS);

  /* Insert. */
  {
    g_autoptr(TestTask) task = task_new (fixture.db, "!! new", 9);

    test_save_ok (task);
  }
  settle (&fixture);
  g_assert_cmpuint (check (&fixture, "insert"), ==, N_TASKS + 1);

  /* Updates: one that moves a shown row to the top, one in place. */
  {
    g_autoptr(TestTask) moved = task_at (&fixture, 5);
    g_autoptr(TestTask) kept = task_at (&fixture, 3);
    g_autofree char *edited = g_strconcat (kept->title, " (edited)", NULL);

    g_object_set (moved, "title", "!! moved", "prio", (gint64) 9, NULL);
    test_save_ok (moved);
    g_object_set (kept, "title", edited, NULL);
    test_save_ok (kept);
  }
  settle (&fixture);
  check (&fixture, "update");
  {
    g_autoptr(TestTask) first = g_list_model_get_item (fixture.model, 0);

    g_assert_cmpstr (first->title, ==, "!! moved");
  }

  /* Deletes: a shown row and one far below. */
  {
    g_autoptr(TestTask) shown = task_at (&fixture, 2);
    g_autoptr(TestTask) below = task_at (&fixture, 900);

    g_assert_true (gorm_resource_delete (GORM_RESOURCE (shown), NULL, &error));
    g_assert_true (gorm_resource_delete (GORM_RESOURCE (below), NULL, &error));
  }
  settle (&fixture);
  g_assert_cmpuint (check (&fixture, "delete"), ==, N_TASKS - 1);

  /* A transaction on the worker that saves rows and rolls back: its rows
   * must never show. */
  {
    GError *transaction_error = NULL;
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    gorm_database_run_in_transaction_async (fixture.db, rolled_back_body, NULL, NULL, NULL,
                                            transaction_done_cb, &transaction_error);
    while (transaction_error == NULL && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_error (transaction_error, GORM_ERROR, GORM_ERROR_FAILED);
    g_clear_error (&transaction_error);
  }
  settle (&fixture);
  n = check (&fixture, "rolled-back transaction");
  g_assert_cmpuint (n, ==, N_TASKS - 1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TestTask) item = g_list_model_get_item (fixture.model, i);

      g_assert_cmpstr (item->title, !=, "!! rolled back");
    }

  /* A bulk update moving a seventh of the rows to the top. */
  {
    g_autoptr(GormQuery) bulk = gorm_database_query (fixture.db, TEST_TYPE_TASK);
    GValue three = G_VALUE_INIT, ten = G_VALUE_INIT;

    gorm_query_filter (bulk, gorm_filter_eq ("prio", test_int_value (&three, 3)));
    g_assert_cmpint (gorm_query_update (bulk, "prio", test_int_value (&ten, 10), NULL, &error),
                     >, 100);
    g_assert_no_error (error);
  }
  settle (&fixture);
  check (&fixture, "bulk update");
  {
    g_autoptr(TestTask) first = g_list_model_get_item (fixture.model, 0);

    g_assert_cmpint (first->prio, ==, 10);
  }

  /* Scrolling to the end binds items the model builds now. */
  gtk_widget_activate_action (fixture.list_view, "list.scroll-to-item", "u", n - 1);
  settle (&fixture);
  check (&fixture, "scrolled to the end");
  {
    GHashTableIter iter;
    gpointer key;
    gboolean near_end = FALSE;

    g_hash_table_iter_init (&iter, fixture.bound);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      near_end |= gtk_list_item_get_position (key) + 50 > n;
    g_assert_true (near_end);
  }

  gtk_window_destroy (GTK_WINDOW (fixture.window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_hash_table_unref (fixture.bound);
  g_clear_object (&fixture.model);
  g_assert_true (gorm_database_close (fixture.other, NULL, &error));
  g_clear_object (&fixture.other);
  g_assert_true (gorm_database_close (fixture.db, NULL, &error));
  g_clear_object (&fixture.db);
  test_remove_file (fixture.path);
  g_free (fixture.path);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/GtkListView/follows-every-change", test_list_view_follows_every_change);

  return g_test_run ();
}
