/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Gorm Library (demos/library) under Xvfb (tests/gtk/run-under-xvfb.sh),
 * built in-process on a fresh database of the test's engine and driven
 * through its actions and widgets: add and edit through the book
 * dialog's bound rows, cancel an edit, delete and undo, search, sort by
 * each column both ways, scroll to the end, generate books (and cancel
 * that), and refuse what cannot be saved. After each step the main loop
 * runs until the window has no database call pending and frames were
 * drawn; then what the column view's visible cells show (inscriptions
 * and check buttons, row by row in screen order) must be a run of the rows
 * that the same query returns on a second connection, which has objects
 * of its own, and the live model must count as many rows.
 *
 * With GORM_LIBRARY_SCREENSHOTS set to a directory, the test saves the
 * screenshots of the README there (library-window.png,
 * library-edit-dialog.png, library-generate.png). */

#include <gtk/gtk.h>

#include "gorm-database-private.h"
#include "gorm-test-utils.h"
#include "library-window.h"

#define TIMEOUT_S 60

typedef struct
{
  char          *path;
  GormDatabase  *db;
  /* A second connection to the same database: the fresh queries. */
  GormDatabase  *other;
  LibraryWindow *window;
} Fixture;

/* What the application runs on the main thread. Everything it asks the
 * database runs on the database's worker: a statement traced on the
 * main thread while the main loop runs the application's handlers is a
 * sync call there, which would stall it. (The test's own calls, between
 * iterations, are not counted.) The one exception is not the
 * application's: the live query model loads a page the view asks for
 * (g_list_model_get_item()) on the thread that asks, which the test
 * counts and reports. */

static GThread *main_thread;
static gboolean in_main_loop;
static GMutex traced_lock;
static GPtrArray *main_thread_statements;
static guint main_thread_page_loads;

static void
trace_cb (const char *sql,
          gpointer    user_data)
{
  if (g_thread_self () != main_thread || !in_main_loop)
    return;
  g_mutex_lock (&traced_lock);
  /* A page of the live model: the query's rows from an offset. */
  if (g_str_has_prefix (sql, "SELECT ") && strstr (sql, " LIMIT ##") != NULL &&
      strstr (sql, " OFFSET ##") != NULL)
    main_thread_page_loads++;
  else
    g_ptr_array_add (main_thread_statements, g_strdup (sql));
  g_mutex_unlock (&traced_lock);
}

static gboolean
iterate (gboolean may_block)
{
  gboolean dispatched;

  in_main_loop = TRUE;
  dispatched = g_main_context_iteration (NULL, may_block);
  in_main_loop = FALSE;
  return dispatched;
}

static void
assert_nothing_ran_on_main_thread (void)
{
  g_mutex_lock (&traced_lock);
  g_test_message ("pages of the live model loaded on the main thread: %u",
                  main_thread_page_loads);
  for (guint i = 0; i < main_thread_statements->len; i++)
    g_test_message ("on the main thread: %s", (char *) main_thread_statements->pdata[i]);
  g_assert_cmpuint (main_thread_statements->len, ==, 0);
  g_mutex_unlock (&traced_lock);
}

/* Waiting */

typedef gboolean (*Condition) (Fixture *fixture, gpointer data);

static void
wait_until (Fixture    *fixture,
            Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;

  while (!condition (fixture, data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      iterate (TRUE);
    }
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  return ++*frames < 2 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
frames_drawn (Fixture *fixture,
              gpointer data)
{
  return *(guint *) data >= 2;
}

static gboolean
idle (Fixture *fixture,
      gpointer data)
{
  return library_window_get_busy (fixture->window) == 0 &&
         library_window_get_books (fixture->window) != NULL;
}

/* Runs the main loop until no database call of the window is pending,
 * nothing else is, and two frames were drawn, three times over. */
static void
settle (Fixture *fixture)
{
  for (guint round = 0; round < 3; round++)
    {
      guint frames = 0;

      wait_until (fixture, idle, NULL, "the window's database calls");
      gtk_widget_add_tick_callback (GTK_WIDGET (fixture->window), count_frame_cb, &frames, NULL);
      wait_until (fixture, frames_drawn, &frames, "two frames");
      while (g_main_context_pending (NULL))
        iterate (FALSE);
    }
  g_assert_null (library_window_get_last_error (fixture->window));
}

/* What the view shows */

/* The texts of one book's cells, as the window shows them. */
static char **
expected_cells (LibraryBook *book)
{
  char **cells = g_new0 (char *, LIBRARY_N_COLUMNS + 1);

  cells[LIBRARY_COLUMN_TITLE] = g_strdup (library_book_get_title (book));
  cells[LIBRARY_COLUMN_AUTHOR] = g_strdup (library_book_peek_author_name (book));
  cells[LIBRARY_COLUMN_YEAR] = g_strdup_printf ("%d", library_book_get_year (book));
  cells[LIBRARY_COLUMN_PAGES] = library_format_pages (book);
  cells[LIBRARY_COLUMN_RATING] = library_format_rating (library_book_get_rating (book));
  cells[LIBRARY_COLUMN_READ] = g_strdup (library_book_get_read (book) ? "read" : "unread");
  return cells;
}

typedef struct
{
  double  y;
  char   *cells[LIBRARY_N_COLUMNS];
} ShownRow;

static void
shown_row_free (gpointer data)
{
  ShownRow *row = data;

  for (guint i = 0; i < LIBRARY_N_COLUMNS; i++)
    g_free (row->cells[i]);
  g_free (row);
}

static int
compare_rows_by_y (gconstpointer a,
                   gconstpointer b)
{
  const ShownRow *ra = *(ShownRow **) a, *rb = *(ShownRow **) b;

  return ra->y < rb->y ? -1 : ra->y > rb->y;
}

/* Walks @widget's tree for the cells of the book columns (the
 * inscriptions and check buttons the window's factories made) that are on
 * screen: below the header, above the bottom of the view. */
static void
collect_cells (GtkWidget  *view,
               GtkWidget  *widget,
               double      top,
               GHashTable *rows)
{
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "library-column")) - 1;

  if (column >= 0 && gtk_widget_get_mapped (widget))
    {
      graphene_rect_t bounds;
      ShownRow *row;
      double key;

      g_assert_true (gtk_widget_compute_bounds (widget, view, &bounds));
      if (bounds.origin.y < top - 0.5 ||
          bounds.origin.y + bounds.size.height > gtk_widget_get_height (view) + 0.5)
        return;
      /* The cells of a row share its top, give or take their margins. */
      key = floor (bounds.origin.y / 4);
      row = g_hash_table_lookup (rows, &key);
      if (row == NULL)
        {
          double *k = g_new (double, 1);

          *k = key;
          row = g_new0 (ShownRow, 1);
          row->y = bounds.origin.y;
          g_hash_table_insert (rows, k, row);
        }
      g_assert_null (row->cells[column]);
      if (GTK_IS_INSCRIPTION (widget))
        row->cells[column] = g_strdup (gtk_inscription_get_text (GTK_INSCRIPTION (widget)));
      else
        row->cells[column] = g_strdup (gtk_check_button_get_active (GTK_CHECK_BUTTON (widget)) ?
                                       "read" : "unread");
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_cells (view, child, top, rows);
}

/* The rows on screen, top to bottom. */
static GPtrArray *
shown_rows (Fixture *fixture)
{
  GtkWidget *view = GTK_WIDGET (library_window_get_column_view (fixture->window));
  /* The column view's first child is its header. */
  GtkWidget *header = gtk_widget_get_first_child (view);
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_double_hash, g_double_equal, g_free, NULL);
  GPtrArray *sorted = g_ptr_array_new_with_free_func (shown_row_free);
  GHashTableIter iter;
  gpointer value;

  collect_cells (view, view, gtk_widget_get_height (header), rows);
  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sorted, value);
  g_ptr_array_sort (sorted, compare_rows_by_y);
  return sorted;
}

/* The window's query, run on the second connection. */
static GListModel *
fresh_books (Fixture *fixture)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (library_window_get_search_entry (fixture->window)));
  gboolean descending;
  const char *order = library_window_get_order_property (fixture->window, &descending);
  g_autoptr(GormQuery) query = gorm_database_query (fixture->other, LIBRARY_TYPE_BOOK);
  g_autoptr(GError) error = NULL;
  GListModel *books;

  gorm_query_select_related (query, "author");
  if (*text != '\0')
    {
      g_autofree char *pattern = g_strdup_printf ("%%%s%%", text);

      gorm_query_filter (query, gorm_filter_or (gorm_filter_ilike ("title", pattern),
                                                gorm_filter_ilike ("author.name", pattern)));
    }
  gorm_query_order_by (query, order, descending);
  books = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  return books;
}

/* Checks the model's count and the visible cells against the database.
 * Returns the position of the first visible row. */
static guint
check_view (Fixture    *fixture,
            const char *step)
{
  g_autoptr(GListModel) fresh = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  GListModel *books;
  guint n, first = G_MAXUINT;

  settle (fixture);
  fresh = fresh_books (fixture);
  books = library_window_get_books (fixture->window);
  n = g_list_model_get_n_items (fresh);
  g_test_message ("%s: %u books", step, n);
  g_assert_cmpuint (g_list_model_get_n_items (books), ==, n);
  shown = shown_rows (fixture);
  if (n == 0)
    {
      g_assert_cmpuint (shown->len, ==, 0);
      return 0;
    }
  g_assert_cmpuint (shown->len, >, 0);

  /* The visible rows are the database's rows first .. first + len. */
  for (guint start = 0; start + shown->len <= n && first == G_MAXUINT; start++)
    {
      gboolean same = TRUE;

      for (guint i = 0; i < shown->len && same; i++)
        {
          g_autoptr(LibraryBook) book = g_list_model_get_item (fresh, start + i);
          g_auto(GStrv) cells = expected_cells (book);
          ShownRow *row = shown->pdata[i];

          for (guint c = 0; c < LIBRARY_N_COLUMNS && same; c++)
            same = g_strcmp0 (row->cells[c], cells[c]) == 0;
        }
      if (same)
        first = start;
    }
  if (first == G_MAXUINT)
    {
      for (guint i = 0; i < shown->len; i++)
        {
          ShownRow *row = shown->pdata[i];

          g_test_message ("shown %u: %s | %s | %s | %s | %s | %s", i, row->cells[0], row->cells[1],
                          row->cells[2], row->cells[3], row->cells[4], row->cells[5]);
        }
      g_error ("%s: the %u rows shown are no run of the database's %u rows", step, shown->len, n);
    }
  g_object_set_data (G_OBJECT (fixture->window), "test-shown", GUINT_TO_POINTER (shown->len));
  return first;
}

/* Fixture */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  fixture->db = test_open_file (&fixture->path);
  main_thread = g_thread_self ();
  main_thread_statements = g_ptr_array_new_with_free_func (g_free);
  main_thread_page_loads = 0;
  gorm_database_set_trace_func (fixture->db, trace_cb, NULL);
  uri = test_uri_of_file (fixture->path);
  fixture->other = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  fixture->window = library_window_new (NULL, fixture->db);
  g_object_ref_sink (fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
  /* Migrated, and the first query watched. */
  settle (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  assert_nothing_ran_on_main_thread ();
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  /* The answers still on their way hold the window. */
  while (g_main_context_pending (NULL))
    iterate (FALSE);
  g_clear_object (&fixture->window);
  g_clear_object (&fixture->other);
  gorm_database_set_trace_func (fixture->db, NULL, NULL);
  g_clear_object (&fixture->db);
  g_clear_pointer (&main_thread_statements, g_ptr_array_unref);
  test_remove_file (fixture->path);
  g_free (fixture->path);
}

/* Screenshots */

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("GORM_LIBRARY_SCREENSHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (dir == NULL)
    return;
  /* Drawn at least twice since it was shown. */
  for (guint round = 0; round < 2; round++)
    {
      guint frames = 0;
      gint64 deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;

      gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);
      while (frames < 2 && g_get_monotonic_time () < deadline)
        iterate (TRUE);
      g_assert_cmpuint (frames, ==, 2);
    }
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

/* Counts the border nodes under @node whose four sides are not of one
 * colour, which GTK 4.8's cairo renderer draws as four clipped fills
 * (see add_column_view_style() in demos/library/library-window.c), and
 * all border nodes in @n_borders. */
static guint
count_mixed_borders (GskRenderNode *node,
                     guint         *n_borders)
{
  GskRenderNode *children[1];
  GskRenderNode **list = children;
  guint n_children = 0, mixed = 0;

  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_BORDER_NODE:
      {
        const GdkRGBA *colors = gsk_border_node_get_colors (node);

        (*n_borders)++;
        for (guint side = 1; side < 4; side++)
          if (!gdk_rgba_equal (&colors[0], &colors[side]))
            return 1;
        return 0;
      }
    case GSK_CONTAINER_NODE:
      n_children = gsk_container_node_get_n_children (node);
      list = g_newa (GskRenderNode *, MAX (n_children, 1));
      for (guint i = 0; i < n_children; i++)
        list[i] = gsk_container_node_get_child (node, i);
      break;
    case GSK_TRANSFORM_NODE:
      children[n_children++] = gsk_transform_node_get_child (node);
      break;
    case GSK_CLIP_NODE:
      children[n_children++] = gsk_clip_node_get_child (node);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      children[n_children++] = gsk_rounded_clip_node_get_child (node);
      break;
    case GSK_OPACITY_NODE:
      children[n_children++] = gsk_opacity_node_get_child (node);
      break;
    case GSK_COLOR_MATRIX_NODE:
      children[n_children++] = gsk_color_matrix_node_get_child (node);
      break;
    case GSK_DEBUG_NODE:
      children[n_children++] = gsk_debug_node_get_child (node);
      break;
    default:
      break;
    }
  for (guint i = 0; i < n_children; i++)
    mixed += count_mixed_borders (list[i], n_borders);
  return mixed;
}

/* The column view's rows and cells draw no border whose sides differ in
 * colour: the theme's column separators and row separators would make
 * every frame of a scroll draw about 120 of them the slow way. */
static void
check_borders (GtkWidget *view)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (view);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  guint n_borders = 0, mixed;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), gtk_widget_get_width (view),
                          gtk_widget_get_height (view));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  mixed = count_mixed_borders (node, &n_borders);
  g_test_message ("column view: %u border nodes, %u of more than one colour", n_borders, mixed);
  /* The row separators are drawn. */
  g_assert_cmpuint (n_borders, >, 0);
  g_assert_cmpuint (mixed, ==, 0);
}

/* Steps */

static void
activate (Fixture    *fixture,
          const char *action)
{
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), action, NULL);
}

static gboolean
dialog_gone (Fixture *fixture,
             gpointer data)
{
  return library_window_get_book_dialog (fixture->window) == NULL;
}

static gboolean
dialog_idle (Fixture *fixture,
             gpointer data)
{
  LibraryBookDialog *dialog = library_window_get_book_dialog (fixture->window);

  return dialog != NULL && !library_book_dialog_is_working (dialog);
}

static void
finish_dialog (Fixture    *fixture,
               const char *action)
{
  LibraryBookDialog *dialog = library_window_get_book_dialog (fixture->window);

  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), action, NULL));
  wait_until (fixture, dialog_gone, NULL, action);
}

/* Fills the dialog's rows, which are bound to its book. */
static void
fill_dialog (Fixture    *fixture,
             const char *title,
             const char *author,
             int         year,
             int         pages,
             int         rating,
             gboolean    read)
{
  LibraryBookDialog *dialog = library_window_get_book_dialog (fixture->window);
  LibraryBook *book;

  g_assert_nonnull (dialog);
  book = library_book_dialog_get_book (dialog);
  gtk_editable_set_text (library_book_dialog_get_title_row (dialog), title);
  gtk_editable_set_text (library_book_dialog_get_author_row (dialog), author);
  gtk_spin_button_set_value (library_book_dialog_get_year_spin (dialog), year);
  gtk_spin_button_set_value (library_book_dialog_get_pages_spin (dialog), pages);
  gtk_spin_button_set_value (library_book_dialog_get_rating_spin (dialog), rating);
  gtk_switch_set_active (library_book_dialog_get_read_switch (dialog), read);
  /* The bindings carried every value to the book. */
  g_assert_cmpstr (library_book_get_title (book), ==, title);
  g_assert_cmpint (library_book_get_year (book), ==, year);
  g_assert_cmpint (library_book_get_pages (book), ==, pages);
  g_assert_cmpint (library_book_get_rating (book), ==, rating);
  g_assert_cmpint (library_book_get_read (book), ==, read);
}

static void
add_book (Fixture    *fixture,
          const char *title,
          const char *author,
          int         year,
          int         pages,
          int         rating,
          gboolean    read)
{
  activate (fixture, "add");
  g_assert_nonnull (library_window_get_book_dialog (fixture->window));
  g_assert_false (gorm_resource_is_saved (GORM_RESOURCE (library_book_dialog_get_book (
    library_window_get_book_dialog (fixture->window)))));
  fill_dialog (fixture, title, author, year, pages, rating, read);
  finish_dialog (fixture, "dialog.save");
}

/* The position of the book titled @title in the window's model. */
static guint
position_of (Fixture    *fixture,
             const char *title)
{
  GListModel *books = library_window_get_books (fixture->window);

  for (guint i = 0; i < g_list_model_get_n_items (books); i++)
    {
      g_autoptr(LibraryBook) book = g_list_model_get_item (books, i);

      if (g_strcmp0 (library_book_get_title (book), title) == 0)
        return i;
    }
  g_error ("no book titled “%s” in the window", title);
}

/* The rows of @type, counted on the second connection. */
static gint64
count_rows (Fixture *fixture,
            GType    type)
{
  g_autoptr(GormQuery) query = gorm_database_query (fixture->other, type);
  g_autoptr(GError) error = NULL;
  gint64 n = gorm_query_count (query, NULL, &error);

  g_assert_no_error (error);
  return n;
}

#define count_books(fixture) count_rows ((fixture), LIBRARY_TYPE_BOOK)
#define count_authors(fixture) count_rows ((fixture), LIBRARY_TYPE_AUTHOR)

/* The book titled @title, read on the second connection with its
 * author. */
static LibraryBook *
fresh_book (Fixture    *fixture,
            const char *title)
{
  g_autoptr(GormQuery) query = gorm_database_query (fixture->other, LIBRARY_TYPE_BOOK);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  LibraryBook *book;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, title);
  gorm_query_select_related (query, "author");
  gorm_query_filter (query, gorm_filter_eq ("title", &value));
  book = gorm_query_first (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (book);
  return book;
}

static void
test_start (Fixture       *fixture,
            gconstpointer  data)
{
  GtkWidget *stack;

  check_view (fixture, "fresh database");
  g_assert_cmpint (count_books (fixture), ==, 0);
  /* The empty library says so. */
  stack = gtk_widget_get_parent (gtk_widget_get_parent (
    GTK_WIDGET (library_window_get_column_view (fixture->window))));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
}

static void
test_edit (Fixture       *fixture,
           gconstpointer  data)
{
  LibraryBookDialog *dialog;
  g_autoptr(GPtrArray) shown = NULL;
  guint position;

  add_book (fixture, "Dune", "Frank Herbert", 1965, 412, 5, TRUE);
  check_view (fixture, "one book added");
  add_book (fixture, "Children of Dune", "Frank Herbert", 1976, 0, 3, FALSE);
  add_book (fixture, "Solaris", "Stanisław Lem", 1961, 204, 4, FALSE);
  check_view (fixture, "three books added");
  g_assert_cmpint (count_books (fixture), ==, 3);

  /* Editing: activating a row opens its book, whose cells follow the
   * bound rows as one types; Save writes it. */
  position = position_of (fixture, "Solaris");
  g_signal_emit_by_name (library_window_get_column_view (fixture->window), "activate", position);
  dialog = library_window_get_book_dialog (fixture->window);
  g_assert_nonnull (dialog);
  g_assert_true (gorm_resource_is_saved (GORM_RESOURCE (library_book_dialog_get_book (dialog))));
  g_assert_cmpstr (gtk_editable_get_text (library_book_dialog_get_author_row (dialog)), ==,
                   "Stanisław Lem");
  screenshot (GTK_WIDGET (dialog), "library-edit-dialog.png");
  fill_dialog (fixture, "Solaris (1961)", "Stanisław Lem", 1961, 204, 5, TRUE);
  finish_dialog (fixture, "dialog.save");
  check_view (fixture, "edited");
  {
    g_autoptr(LibraryBook) edited = fresh_book (fixture, "Solaris (1961)");

    g_assert_cmpint (library_book_get_rating (edited), ==, 5);
  }

  /* Undo of the edit: the book has its values before it again. */
  activate (fixture, "undo");
  check_view (fixture, "edit undone");
  {
    g_autoptr(LibraryBook) undone = fresh_book (fixture, "Solaris");

    g_assert_cmpint (library_book_get_year (undone), ==, 1961);
    g_assert_cmpint (library_book_get_pages (undone), ==, 204);
    g_assert_cmpint (library_book_get_rating (undone), ==, 4);
    g_assert_false (library_book_get_read (undone));
    g_assert_cmpstr (library_book_peek_author_name (undone), ==, "Stanisław Lem");
  }

  /* Moving a book to a new author creates the author. */
  position = position_of (fixture, "Children of Dune");
  g_signal_emit_by_name (library_window_get_column_view (fixture->window), "activate", position);
  fill_dialog (fixture, "Children of Dune", "Brian Herbert", 1976, 444, 3, FALSE);
  finish_dialog (fixture, "dialog.save");
  check_view (fixture, "new author");

  /* Cancel: the cell showed the typed title, and shows the row's again. */
  position = position_of (fixture, "Dune");
  g_signal_emit_by_name (library_window_get_column_view (fixture->window), "activate", position);
  gtk_editable_set_text (library_book_dialog_get_title_row (
    library_window_get_book_dialog (fixture->window)), "Not Dune");
  settle (fixture);
  shown = shown_rows (fixture);
  {
    gboolean typed = FALSE;

    for (guint i = 0; i < shown->len; i++)
      typed |= g_strcmp0 (((ShownRow *) shown->pdata[i])->cells[LIBRARY_COLUMN_TITLE],
                          "Not Dune") == 0;
    g_assert_true (typed);
  }
  finish_dialog (fixture, "dialog.cancel");
  check_view (fixture, "edit cancelled");
  position_of (fixture, "Dune");

  /* Delete the selected book, then undo. Deleting and editing act on
   * the selection: without one, their actions (the header bar's Delete
   * button, the Delete key) are disabled. */
  gtk_single_selection_set_selected (library_window_get_selection (fixture->window),
                                     GTK_INVALID_LIST_POSITION);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "delete"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "edit"));
  position = position_of (fixture, "Dune");
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (library_window_get_selection (fixture->window)),
                                   position, TRUE);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "delete"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "edit"));
  {
    g_autoptr(LibraryBook) before = fresh_book (fixture, "Dune");
    g_autoptr(LibraryBook) after = NULL;
    g_autoptr(GDateTime) added_before = NULL;
    g_autoptr(GDateTime) added_after = NULL;

    activate (fixture, "delete");
    check_view (fixture, "deleted");
    g_assert_cmpint (count_books (fixture), ==, 2);
    activate (fixture, "undo");
    check_view (fixture, "undone");
    g_assert_cmpint (count_books (fixture), ==, 3);
    position_of (fixture, "Dune");
    /* The row as it was: its id, its values, its author, its "added"
     * date. */
    after = fresh_book (fixture, "Dune");
    g_assert_cmpint (gorm_resource_get_id (GORM_RESOURCE (after)), ==,
                     gorm_resource_get_id (GORM_RESOURCE (before)));
    g_assert_cmpint (gorm_resource_get_id (GORM_RESOURCE (after)), >, 0);
    g_object_get (before, "added", &added_before, NULL);
    g_object_get (after, "added", &added_after, NULL);
    g_assert_nonnull (added_before);
    g_assert_nonnull (added_after);
    g_assert_true (g_date_time_equal (added_before, added_after));
    g_assert_cmpint (library_book_get_author_id (after), ==, library_book_get_author_id (before));
    g_assert_cmpstr (library_book_peek_author_name (after), ==, "Frank Herbert");
    g_assert_cmpint (library_book_get_year (after), ==, 1965);
    g_assert_cmpint (library_book_get_pages (after), ==, 412);
    g_assert_cmpint (library_book_get_rating (after), ==, 5);
    g_assert_true (library_book_get_read (after));
  }
  /* Undo restores once. */
  activate (fixture, "undo");
  check_view (fixture, "undone again: nothing");
  g_assert_cmpint (count_books (fixture), ==, 3);

  /* The Read check button saves. */
  {
    g_autoptr(GPtrArray) rows = NULL;
    GtkWidget *view = GTK_WIDGET (library_window_get_column_view (fixture->window));
    g_autoptr(GormQuery) query = gorm_database_query (fixture->other, LIBRARY_TYPE_BOOK);
    g_auto(GValue) value = G_VALUE_INIT;
    g_autoptr(GError) error = NULL;
    GtkWidget *check = NULL;
    gint64 read_before, read_after;

    g_value_init (&value, G_TYPE_BOOLEAN);
    g_value_set_boolean (&value, TRUE);
    gorm_query_filter (query, gorm_filter_eq ("read", &value));
    read_before = gorm_query_count (query, NULL, &error);
    g_assert_no_error (error);
    for (GtkWidget *w = view; w != NULL && check == NULL;)
      {
        /* The first check button of a cell, depth first. */
        if (GTK_IS_CHECK_BUTTON (w) && g_object_get_data (G_OBJECT (w), "library-column") != NULL)
          check = w;
        else if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != NULL && w != view && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w);
            w = w == NULL || w == view ? NULL : gtk_widget_get_next_sibling (w);
          }
      }
    g_assert_nonnull (check);
    gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                 !gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
    check_view (fixture, "read toggled");
    read_after = gorm_query_count (query, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (read_after, !=, read_before);
  }
}

/* Saves the dialog's book, which must be refused: the dialog stays open
 * with its book unsaved, and the database keeps one book. */
static LibraryBookDialog *
refused_save (Fixture *fixture)
{
  LibraryBookDialog *dialog = library_window_get_book_dialog (fixture->window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  wait_until (fixture, dialog_idle, NULL, "the refused save");
  settle (fixture);
  g_assert_true (library_window_get_book_dialog (fixture->window) == dialog);
  g_assert_false (gorm_resource_is_saved (GORM_RESOURCE (library_book_dialog_get_book (dialog))));
  g_assert_nonnull (library_book_dialog_get_last_error (dialog));
  g_assert_cmpint (count_books (fixture), ==, 1);
  return dialog;
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *long_title = g_strnfill (301, 'x');
  LibraryBookDialog *dialog;

  add_book (fixture, "Dune", "Frank Herbert", 1965, 412, 5, TRUE);
  check_view (fixture, "one book");

  /* No title: the dialog says so and stays. */
  activate (fixture, "add");
  fill_dialog (fixture, "", "Nobody", 2000, 10, 1, FALSE);
  dialog = refused_save (fixture);
  g_assert_cmpstr (library_book_dialog_get_last_error (dialog), ==,
                   "A book needs a title and an author");

  /* A title longer than the column: libgorm refuses it (its message
   * names the property), the dialog stays open with the book unsaved,
   * and the new author saved in the same transaction is gone with it. */
  fill_dialog (fixture, long_title, "Nobody", 2000, 10, 1, FALSE);
  dialog = refused_save (fixture);
  g_assert_nonnull (strstr (library_book_dialog_get_last_error (dialog), "title"));
  g_assert_cmpint (count_authors (fixture), ==, 1);
  /* The rows can be edited again, and the book fixed and saved. */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (library_book_dialog_get_title_row (dialog))));
  fill_dialog (fixture, "Nobody's Book", "Nobody", 2000, 10, 1, FALSE);
  finish_dialog (fixture, "dialog.save");
  check_view (fixture, "fixed and saved");
  g_assert_cmpint (count_books (fixture), ==, 2);
  g_assert_cmpint (count_authors (fixture), ==, 2);

  /* An edit moving a saved book to a new author, refused: neither the
   * author nor the book's change is written; Cancel reverts the book. */
  g_signal_emit_by_name (library_window_get_column_view (fixture->window), "activate",
                         position_of (fixture, "Dune"));
  fill_dialog (fixture, long_title, "Someone New", 1965, 412, 5, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (library_window_get_book_dialog (fixture->window)),
                                             "dialog.save", NULL));
  wait_until (fixture, dialog_idle, NULL, "the refused edit");
  dialog = library_window_get_book_dialog (fixture->window);
  g_assert_nonnull (strstr (library_book_dialog_get_last_error (dialog), "title"));
  g_assert_cmpint (count_authors (fixture), ==, 2);
  finish_dialog (fixture, "dialog.cancel");
  check_view (fixture, "refused edit cancelled");
  {
    g_autoptr(LibraryBook) dune = fresh_book (fixture, "Dune");

    g_assert_cmpstr (library_book_peek_author_name (dune), ==, "Frank Herbert");
  }
  position_of (fixture, "Dune");
  g_assert_cmpint (count_books (fixture), ==, 2);
}

static void
generate (Fixture *fixture,
          guint    n)
{
  library_window_generate (fixture->window, n);
  settle (fixture);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  GtkEditable *entry = GTK_EDITABLE (library_window_get_search_entry (fixture->window));
  const char * const searches[] = { "river", "RIVER", "ada", "of the", "zzz-nothing" };

  generate (fixture, 300);
  check_view (fixture, "generated");
  g_assert_cmpint (count_books (fixture), ==, 300);

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      g_autofree char *step = g_strdup_printf ("search “%s”", searches[i]);
      g_autofree char *needle = g_utf8_strdown (searches[i], -1);
      g_autoptr(GormQuery) all = gorm_database_query (fixture->other, LIBRARY_TYPE_BOOK);
      g_autoptr(GListModel) books = NULL;
      g_autoptr(GError) error = NULL;
      guint matching = 0;

      gtk_editable_set_text (entry, searches[i]);
      /* The search entry waits a little before it says it changed. */
      g_usleep (G_USEC_PER_SEC / 5);
      while (g_main_context_pending (NULL))
        iterate (FALSE);
      check_view (fixture, step);

      /* The books whose title or author contains the text, counted here. */
      gorm_query_select_related (all, "author");
      books = gorm_query_fetch (all, NULL, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < g_list_model_get_n_items (books); j++)
        {
          g_autoptr(LibraryBook) book = g_list_model_get_item (books, j);
          g_autofree char *title = g_utf8_strdown (library_book_get_title (book), -1);
          g_autofree char *author = g_utf8_strdown (library_book_peek_author_name (book), -1);

          if (strstr (title, needle) != NULL || strstr (author, needle) != NULL)
            matching++;
        }
      g_assert_cmpuint (g_list_model_get_n_items (library_window_get_books (fixture->window)), ==,
                        matching);
      if (i < 3)
        g_assert_cmpuint (matching, >, 0);
    }
  gtk_editable_set_text (entry, "");
  g_usleep (G_USEC_PER_SEC / 5);
  check_view (fixture, "search cleared");
  g_assert_cmpuint (g_list_model_get_n_items (library_window_get_books (fixture->window)), ==, 300);
}

/* Compares two books as the column orders them, ascending. */
static int
compare_books (LibraryBook  *a,
               LibraryBook  *b,
               LibraryColumn column)
{
  switch (column)
    {
    case LIBRARY_COLUMN_TITLE:
      return strcmp (library_book_get_title (a), library_book_get_title (b));
    case LIBRARY_COLUMN_AUTHOR:
      return strcmp (library_book_peek_author_name (a), library_book_peek_author_name (b));
    case LIBRARY_COLUMN_YEAR:
      return library_book_get_year (a) - library_book_get_year (b);
    case LIBRARY_COLUMN_PAGES:
      {
        gboolean na = gorm_resource_is_null (GORM_RESOURCE (a), "pages");
        gboolean nb = gorm_resource_is_null (GORM_RESOURCE (b), "pages");

        /* NULL first. */
        if (na || nb)
          return nb - na;
        return library_book_get_pages (a) - library_book_get_pages (b);
      }
    case LIBRARY_COLUMN_RATING:
      return library_book_get_rating (a) - library_book_get_rating (b);
    case LIBRARY_COLUMN_READ:
      return library_book_get_read (a) - library_book_get_read (b);
    case LIBRARY_N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
adjustment_settled (Fixture *fixture,
                    gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment);
}

static void
test_sort_and_scroll (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkColumnView *view = library_window_get_column_view (fixture->window);
  GListModel *columns = gtk_column_view_get_columns (view);
  GtkAdjustment *adjustment;
  guint first, n;

  generate (fixture, 300);
  check_view (fixture, "generated");
  screenshot (GTK_WIDGET (fixture->window), "library-window.png");

  for (LibraryColumn column = 0; column < LIBRARY_N_COLUMNS; column++)
    for (int descending = 0; descending < 2; descending++)
      {
        g_autoptr(GtkColumnViewColumn) view_column = g_list_model_get_item (columns, column);
        g_autofree char *step = g_strdup_printf ("sorted by %s, %s",
                                                 library_column_property (column),
                                                 descending ? "descending" : "ascending");
        GListModel *books;
        gboolean window_descending;

        gtk_column_view_sort_by_column (view, view_column,
                                        descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
        g_assert_cmpstr (library_window_get_order_property (fixture->window, &window_descending), ==,
                         library_column_property (column));
        g_assert_cmpint (window_descending, ==, descending);
        check_view (fixture, step);
        /* The window's rows are in that order. */
        books = library_window_get_books (fixture->window);
        for (guint i = 1; i < g_list_model_get_n_items (books); i++)
          {
            g_autoptr(LibraryBook) a = g_list_model_get_item (books, i - 1);
            g_autoptr(LibraryBook) b = g_list_model_get_item (books, i);
            int order = compare_books (a, b, column);

            if (descending ? order < 0 : order > 0)
              g_error ("%s: rows %u and %u are out of order", step, i - 1, i);
          }
      }

  /* Scrolling to the end shows the last rows; to the top the first. */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  wait_until (fixture, adjustment_settled, adjustment, "a scrollable view");
  n = g_list_model_get_n_items (library_window_get_books (fixture->window));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
  first = check_view (fixture, "scrolled to the end");
  g_assert_cmpuint (first + GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (fixture->window), "test-shown")),
                    ==, n);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) / 2);
  first = check_view (fixture, "scrolled to the middle");
  check_borders (GTK_WIDGET (view));
  g_assert_cmpuint (first, >, 0);
  g_assert_cmpuint (first, <, n - 1);
  gtk_adjustment_set_value (adjustment, 0);
  first = check_view (fixture, "scrolled to the top");
  g_assert_cmpuint (first, ==, 0);
}

static void
progress_cb (GtkProgressBar *bar,
             GParamSpec     *pspec,
             gpointer        user_data)
{
  double *fraction = user_data;

  *fraction = gtk_progress_bar_get_fraction (bar);
}

static gboolean
some_progress (Fixture *fixture,
               gpointer data)
{
  return *(double *) data > 0.0;
}

static void
test_generate (Fixture       *fixture,
               gconstpointer  data)
{
  GtkProgressBar *bar = library_window_get_progress_bar (fixture->window);
  double fraction = 0.0;
  gint64 n;

  check_view (fixture, "empty");
  g_signal_connect (bar, "notify::fraction", G_CALLBACK (progress_cb), &fraction);

  /* Two batches and a half: the bar shows each. */
  library_window_generate (fixture->window, 5000);
  wait_until (fixture, some_progress, &fraction, "progress");
  g_assert_cmpfloat (fraction, <, 1.0);
  screenshot (GTK_WIDGET (fixture->window), "library-generate.png");
  check_view (fixture, "generated");
  g_assert_cmpfloat (fraction, ==, 1.0);
  g_assert_cmpint (count_books (fixture), ==, 5000);

  /* Cancelled after its first batch: what was written stays. */
  fraction = 0.0;
  library_window_generate (fixture->window, 100000);
  wait_until (fixture, some_progress, &fraction, "progress");
  activate (fixture, "cancel-generate");
  check_view (fixture, "generating cancelled");
  n = count_books (fixture);
  g_assert_cmpint (n, >, 5000);
  g_assert_cmpint (n, <, 105000);
  g_assert_cmpuint (g_list_model_get_n_items (library_window_get_books (fixture->window)), ==, n);
  g_signal_handlers_disconnect_by_func (bar, progress_cb, &fraction);
}

/* The message dialog win.delete-all opened. */
static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          g_assert_null (found);
          found = ADW_MESSAGE_DIALOG (window);
        }
    }
  g_assert_nonnull (found);
  return found;
}

static void
test_delete_all (Fixture       *fixture,
                 gconstpointer  data)
{
  AdwMessageDialog *dialog;

  generate (fixture, 300);
  check_view (fixture, "generated");

  /* Asked, and answered Cancel: nothing goes. */
  activate (fixture, "delete-all");
  dialog = find_message_dialog ();
  /* A button would emit the response and close the dialog. */
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  check_view (fixture, "delete all cancelled");
  g_assert_cmpint (count_books (fixture), ==, 300);

  /* Answered Delete All: the books and their authors go. */
  activate (fixture, "delete-all");
  dialog = find_message_dialog ();
  adw_message_dialog_response (dialog, "delete");
  gtk_window_close (GTK_WINDOW (dialog));
  check_view (fixture, "all deleted");
  g_assert_cmpint (count_books (fixture), ==, 0);
  g_assert_cmpint (count_authors (fixture), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/Gorm/Library/start", Fixture, NULL, fixture_set_up, test_start, fixture_tear_down);
  g_test_add ("/Gorm/Library/edit", Fixture, NULL, fixture_set_up, test_edit, fixture_tear_down);
  g_test_add ("/Gorm/Library/refused", Fixture, NULL, fixture_set_up, test_refused,
              fixture_tear_down);
  g_test_add ("/Gorm/Library/search", Fixture, NULL, fixture_set_up, test_search,
              fixture_tear_down);
  g_test_add ("/Gorm/Library/sort-and-scroll", Fixture, NULL, fixture_set_up,
              test_sort_and_scroll, fixture_tear_down);
  g_test_add ("/Gorm/Library/generate", Fixture, NULL, fixture_set_up, test_generate,
              fixture_tear_down);
  g_test_add ("/Gorm/Library/delete-all", Fixture, NULL, fixture_set_up, test_delete_all,
              fixture_tear_down);
  return g_test_run ();
}
