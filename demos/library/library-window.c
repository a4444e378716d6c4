/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib/gi18n.h>

#include "library-generate.h"
#include "library-window.h"

struct _LibraryWindow
{
  AdwApplicationWindow parent_instance;

  GormDatabase       *database;
  gboolean            migrated;
  GCancellable       *cancellable;
  guint               busy;
  char               *last_error;

  AdwWindowTitle     *title;
  AdwToastOverlay    *toasts;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkColumnView      *column_view;
  GtkSingleSelection *selection;
  GtkProgressBar     *progress;
  GtkLabel           *progress_label;

  /* The live model shown, and the query being watched. */
  GListModel         *books;
  GCancellable       *watch_cancellable;

  /* The sorted column (-1: none, the default order) and how GTK's
   * sorter is read: see read_sort_column(). */
  GtkColumnViewColumn *columns[LIBRARY_N_COLUMNS];
  int                 order_column;
  gboolean            descending;
  int                 probed_column;
  GObject            *sentinels[2];

  /* What win.undo undoes: the last book deleted (the object keeps its
   * values, its "added" date and its author, and is saved again with
   * undo_id, the id it had) or edited (undo_values: its values before
   * the edit). */
  LibraryBook        *undo_book;
  gboolean            undo_deleted;
  gint64              undo_id;
  LibraryBookValues   undo_values;
  /* The values of the saved book the dialog edits, as they were. */
  LibraryBookValues   edit_values;

  LibraryGenerator   *generator;
  LibraryBookDialog  *dialog;
};

G_DEFINE_FINAL_TYPE (LibraryWindow, library_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_BOOKS,
  PROP_BUSY,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static const char * const column_properties[LIBRARY_N_COLUMNS] = {
  [LIBRARY_COLUMN_TITLE] = "title",
  [LIBRARY_COLUMN_AUTHOR] = "author.name",
  [LIBRARY_COLUMN_YEAR] = "year",
  [LIBRARY_COLUMN_PAGES] = "pages",
  [LIBRARY_COLUMN_RATING] = "rating",
  [LIBRARY_COLUMN_READ] = "read",
};

/* What a cell watches on its book. */
static const char * const column_notify[LIBRARY_N_COLUMNS] = {
  [LIBRARY_COLUMN_TITLE] = "notify::title",
  [LIBRARY_COLUMN_AUTHOR] = "notify::author-id",
  [LIBRARY_COLUMN_YEAR] = "notify::year",
  [LIBRARY_COLUMN_PAGES] = "notify::pages",
  [LIBRARY_COLUMN_RATING] = "notify::rating",
  [LIBRARY_COLUMN_READ] = "notify::read",
};

/* How many characters a text cell asks room for: its column's natural
 * width, whatever the books shown. */
static const guint cell_nat_chars[LIBRARY_N_COLUMNS] = {
  [LIBRARY_COLUMN_TITLE] = 30,
  [LIBRARY_COLUMN_AUTHOR] = 20,
  [LIBRARY_COLUMN_YEAR] = 5,
  [LIBRARY_COLUMN_PAGES] = 6,
  [LIBRARY_COLUMN_RATING] = 6,
};

const char *
library_column_property (LibraryColumn column)
{
  g_return_val_if_fail (column < LIBRARY_N_COLUMNS, NULL);
  return column_properties[column];
}

/* Busy: the database calls that have not answered yet. */

static void
busy_begin (LibraryWindow *self)
{
  self->busy++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
busy_end (LibraryWindow *self)
{
  g_assert (self->busy > 0);
  self->busy--;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* A disposed window ignores the answers still on their way. */
static gboolean
is_disposed (LibraryWindow *self)
{
  return self->database == NULL;
}

static void
show_toast (LibraryWindow *self,
            const char    *text)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

/* Shows @error in a toast, unless it is a cancellation. Returns TRUE
 * when there was an error. */
static gboolean
show_error (LibraryWindow *self,
            const GError  *error)
{
  if (error == NULL)
    return FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_disposed (self))
    return TRUE;
  g_free (self->last_error);
  self->last_error = g_strdup (error->message);
  show_toast (self, error->message);
  return TRUE;
}

/* The model and what shows it */

static void
update_status (LibraryWindow *self)
{
  guint n = self->books != NULL ? g_list_model_get_n_items (self->books) : 0;
  g_autofree char *subtitle = NULL;
  const char *page;

  if (self->generator != NULL)
    page = "generating";
  else if (!self->migrated || self->books == NULL)
    page = "loading";
  else if (n > 0)
    page = "list";
  else if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
    page = "no-results";
  else
    page = "empty";
  gtk_stack_set_visible_child_name (self->stack, page);

  if (self->books != NULL)
    subtitle = g_strdup_printf (g_dngettext (NULL, "%u book", "%u books", n), n);
  adw_window_title_set_subtitle (self->title, subtitle != NULL ? subtitle : "");
}

static void
books_changed_cb (GListModel    *model,
                  guint          position,
                  guint          removed,
                  guint          added,
                  LibraryWindow *self)
{
  update_status (self);
}

static void
set_books (LibraryWindow *self,
           GListModel    *books)
{
  if (self->books == books)
    return;
  if (self->books != NULL)
    g_signal_handlers_disconnect_by_func (self->books, books_changed_cb, self);
  g_set_object (&self->books, books);
  if (books != NULL)
    g_signal_connect_object (books, "items-changed", G_CALLBACK (books_changed_cb), self, 0);
  /* A new query shows its first rows: emptied first, the view asks for
   * none of the rows where the old model was scrolled to (each could be
   * a page to load). */
  gtk_single_selection_set_model (self->selection, NULL);
  gtk_single_selection_set_model (self->selection, books);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOOKS]);
}

typedef struct
{
  LibraryWindow *self;
  GCancellable  *cancellable;
} WatchData;

static void
watched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  WatchData *data = user_data;
  LibraryWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) books = gorm_query_watch_finish (GORM_QUERY (source), result, &error);

  /* Only the last query asked for is shown. */
  if (!show_error (self, error) && !g_cancellable_is_cancelled (data->cancellable))
    set_books (self, books);
  busy_end (self);
  g_object_unref (data->cancellable);
  g_object_unref (data->self);
  g_free (data);
}

/* Watches the query of the search text and the sorted column. */
static void
refresh (LibraryWindow *self)
{
  g_autoptr(GormQuery) query = NULL;
  const char *text;
  WatchData *data;

  if (!self->migrated || self->generator != NULL || is_disposed (self))
    return;
  text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_cancellable_cancel (self->watch_cancellable);
  g_clear_object (&self->watch_cancellable);
  self->watch_cancellable = g_cancellable_new ();

  query = gorm_database_query (self->database, LIBRARY_TYPE_BOOK);
  gorm_query_select_related (query, "author");
  if (*text != '\0')
    {
      g_autofree char *pattern = g_strdup_printf ("%%%s%%", text);

      gorm_query_filter (query, gorm_filter_or (gorm_filter_ilike ("title", pattern),
                                                gorm_filter_ilike ("author.name", pattern)));
    }
  if (self->order_column >= 0)
    gorm_query_order_by (query, column_properties[self->order_column], self->descending);
  else
    gorm_query_order_by (query, "title", FALSE);

  data = g_new0 (WatchData, 1);
  data->self = g_object_ref (self);
  data->cancellable = g_object_ref (self->watch_cancellable);
  busy_begin (self);
  gorm_query_watch_async (query, self->watch_cancellable, watched_cb, data);
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   LibraryWindow  *self)
{
  refresh (self);
}

/* Sorting. GTK 4.8 cannot tell which column the view sorts by: each
 * column's sorter records that it was asked when it compares the two
 * sentinels, and says LESS; the view's sorter asks its primary column
 * first, and inverts that answer when the order is descending. */

typedef struct
{
  LibraryWindow *self;
  LibraryColumn  column;
} ColumnProbe;

static int
column_compare (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  ColumnProbe *probe = user_data;

  if (probe->self->probed_column < 0)
    probe->self->probed_column = probe->column;
  return GTK_ORDERING_SMALLER;
}

static void
read_sort_column (LibraryWindow *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  GtkOrdering ordering;

  self->probed_column = -1;
  ordering = gtk_sorter_compare (sorter, self->sentinels[0], self->sentinels[1]);
  self->order_column = self->probed_column;
  self->descending = ordering == GTK_ORDERING_LARGER;
}

static void
sorter_changed_cb (GtkSorter       *sorter,
                   GtkSorterChange  change,
                   LibraryWindow   *self)
{
  read_sort_column (self);
  refresh (self);
}

const char *
library_window_get_order_property (LibraryWindow *self,
                                   gboolean      *descending)
{
  g_return_val_if_fail (LIBRARY_IS_WINDOW (self), NULL);

  if (descending != NULL)
    *descending = self->order_column >= 0 && self->descending;
  return self->order_column >= 0 ? column_properties[self->order_column] : "title";
}

/* Cells */

static void author_loaded_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

static void
update_cell (GtkWidget   *cell,
             LibraryBook *book)
{
  LibraryColumn column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (cell), "library-column")) - 1;
  g_autofree char *text = NULL;

  switch (column)
    {
    case LIBRARY_COLUMN_TITLE:
      gtk_inscription_set_text (GTK_INSCRIPTION (cell), library_book_get_title (book));
      return;
    case LIBRARY_COLUMN_AUTHOR:
      if (gorm_resource_peek_related (GORM_RESOURCE (book), "author") == NULL &&
          library_book_get_author_id (book) != 0)
        {
          LibraryWindow *self = g_object_get_data (G_OBJECT (cell), "library-window");

          /* Not loaded with the page (a book saved since): load it. */
          busy_begin (self);
          gorm_resource_get_related_async (GORM_RESOURCE (book), "author", self->cancellable,
                                           author_loaded_cb, g_object_ref (cell));
        }
      gtk_inscription_set_text (GTK_INSCRIPTION (cell), library_book_peek_author_name (book));
      return;
    case LIBRARY_COLUMN_YEAR:
      text = g_strdup_printf ("%d", library_book_get_year (book));
      break;
    case LIBRARY_COLUMN_PAGES:
      text = library_format_pages (book);
      break;
    case LIBRARY_COLUMN_RATING:
      text = library_format_rating (library_book_get_rating (book));
      break;
    case LIBRARY_COLUMN_READ:
      g_signal_handlers_block_matched (cell, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, book);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (cell), library_book_get_read (book));
      g_signal_handlers_unblock_matched (cell, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, book);
      return;
    case LIBRARY_N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
}

static void
author_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GtkWidget) cell = user_data;
  LibraryWindow *self = g_object_get_data (G_OBJECT (cell), "library-window");
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) author = gorm_resource_get_related_finish (GORM_RESOURCE (source), result,
                                                               &error);

  if (!show_error (self, error) &&
      g_object_get_data (G_OBJECT (cell), "library-book") == (gpointer) source)
    gtk_inscription_set_text (GTK_INSCRIPTION (cell),
                              library_book_peek_author_name (LIBRARY_BOOK (source)));
  busy_end (self);
}

static void
cell_notify_cb (LibraryBook *book,
                GParamSpec  *pspec,
                GtkWidget   *cell)
{
  update_cell (cell, book);
}

static void
read_reloaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LibraryWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gorm_resource_reload_finish (GORM_RESOURCE (source), result, &error))
    show_error (self, error);
  busy_end (self);
}

static void
read_saved_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LibraryWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gorm_resource_save_finish (GORM_RESOURCE (source), result, &error) &&
      show_error (self, error) && !is_disposed (self))
    {
      /* The check button shows the row's value again. */
      busy_begin (self);
      gorm_resource_reload_async (GORM_RESOURCE (source), self->cancellable, read_reloaded_cb,
                                  g_object_ref (self));
    }
  busy_end (self);
}

static void
read_toggled_cb (GtkCheckButton *check,
                 LibraryBook    *book)
{
  LibraryWindow *self = g_object_get_data (G_OBJECT (check), "library-window");
  gboolean active = gtk_check_button_get_active (check);

  if (active == library_book_get_read (book) || is_disposed (self))
    return;
  g_object_set (book, "read", active, NULL);
  busy_begin (self);
  gorm_resource_save_async (GORM_RESOURCE (book), self->cancellable, read_saved_cb,
                            g_object_ref (self));
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               LibraryWindow            *self)
{
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "library-column")) - 1;
  GtkWidget *cell;

  /* No button per row: the selected book is deleted with the header
   * bar's button or the Delete key. Every widget of a row is rebound on
   * each jump (GTK 4.8 keeps about 200 rows). */
  if (column == LIBRARY_COLUMN_READ)
    {
      cell = gtk_check_button_new ();
      gtk_widget_set_halign (cell, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (cell, _("Read"));
    }
  else
    {
      /* An inscription, not a label: its size comes from its character
       * counts, not from its text, so binding a row to another book
       * measures nothing. GTK 4.8's column view keeps about 200 rows
       * and measures every cell of a column again whenever a row comes
       * or goes; labels made each jump lay out the text of all of them. */
      cell = gtk_inscription_new (NULL);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell),
                                         GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), cell_nat_chars[column]);
      gtk_inscription_set_xalign (GTK_INSCRIPTION (cell),
                                  column <= LIBRARY_COLUMN_AUTHOR ? 0.0 : 1.0);
      if (column >= LIBRARY_COLUMN_YEAR)
        gtk_widget_add_css_class (cell, "numeric");
    }
  g_object_set_data (G_OBJECT (cell), "library-column", GINT_TO_POINTER (column + 1));
  g_object_set_data (G_OBJECT (cell), "library-window", self);
  gtk_list_item_set_child (item, cell);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              LibraryWindow            *self)
{
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "library-column")) - 1;
  GtkWidget *cell = gtk_list_item_get_child (item);
  LibraryBook *book = gtk_list_item_get_item (item);

  g_object_set_data (G_OBJECT (cell), "library-book", book);
  if (column == LIBRARY_COLUMN_READ)
    g_signal_connect (cell, "toggled", G_CALLBACK (read_toggled_cb), book);
  g_signal_connect_object (book, column_notify[column], G_CALLBACK (cell_notify_cb), cell, 0);
  update_cell (cell, book);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                LibraryWindow            *self)
{
  GtkWidget *cell = gtk_list_item_get_child (item);
  LibraryBook *book = gtk_list_item_get_item (item);

  g_object_set_data (G_OBJECT (cell), "library-book", NULL);
  if (book == NULL)
    return;
  g_signal_handlers_disconnect_by_data (book, cell);
  g_signal_handlers_disconnect_by_data (cell, book);
}

static GtkColumnViewColumn *
add_column (LibraryWindow *self,
            LibraryColumn  column,
            const char    *title)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;
  ColumnProbe *probe;
  GtkSorter *sorter;

  g_object_set_data (G_OBJECT (factory), "library-column", GINT_TO_POINTER (column + 1));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), self);
  view_column = gtk_column_view_column_new (title, factory);
  probe = g_new0 (ColumnProbe, 1);
  probe->self = self;
  probe->column = column;
  sorter = GTK_SORTER (gtk_custom_sorter_new (column_compare, probe, g_free));
  gtk_column_view_column_set_sorter (view_column, sorter);
  g_object_unref (sorter);
  self->columns[column] = view_column;
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
  return view_column;
}

/* Editing */

/* A toast with an Undo button for win.undo. */
static void
show_undo_toast (LibraryWindow *self,
                 const char    *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
dialog_finished_cb (LibraryBookDialog *dialog,
                    gboolean           saved,
                    LibraryWindow     *self)
{
  LibraryBook *book = library_book_dialog_get_book (dialog);

  if (saved && self->edit_values.title != NULL &&
      library_book_values_differ (&self->edit_values, book))
    {
      g_autofree char *text = g_strdup_printf (_("“%s” saved"), library_book_get_title (book));

      /* An edit of a saved book: undone with its values before. */
      g_set_object (&self->undo_book, book);
      self->undo_deleted = FALSE;
      library_book_values_clear (&self->undo_values);
      self->undo_values = self->edit_values;
      self->edit_values.title = NULL;
      show_undo_toast (self, text);
    }
  else if (saved)
    show_toast (self, _("Book saved"));
  library_book_values_clear (&self->edit_values);
}

void
library_window_edit_book (LibraryWindow *self,
                          LibraryBook   *book)
{
  g_return_if_fail (LIBRARY_IS_WINDOW (self));
  g_return_if_fail (LIBRARY_IS_BOOK (book));

  if (self->dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->dialog));
      return;
    }
  library_book_values_clear (&self->edit_values);
  if (gorm_resource_is_saved (GORM_RESOURCE (book)))
    library_book_values_save (&self->edit_values, book);
  self->dialog = library_book_dialog_new (GTK_WINDOW (self), book);
  g_object_add_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
  g_signal_connect_object (self->dialog, "finished", G_CALLBACK (dialog_finished_cb), self, 0);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

static void
activate_cb (GtkColumnView *view,
             guint          position,
             LibraryWindow *self)
{
  g_autoptr(LibraryBook) book = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (book != NULL)
    library_window_edit_book (self, book);
}

static void
add_action (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  LibraryWindow *self = user_data;
  g_autoptr(LibraryBook) book = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (is_disposed (self) || !self->migrated)
    return;
  book = g_object_new (LIBRARY_TYPE_BOOK, "database", self->database,
                       "year", g_date_time_get_year (now), NULL);
  gorm_resource_set_null (GORM_RESOURCE (book), "pages", NULL);
  library_window_edit_book (self, book);
}

static void
edit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  LibraryWindow *self = user_data;
  LibraryBook *book = gtk_single_selection_get_selected_item (self->selection);

  if (book != NULL)
    library_window_edit_book (self, book);
}

/* Deleting and editing, and undoing it */

static void
undo_saved_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LibraryWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gorm_resource_save_finish (GORM_RESOURCE (source), result, &error))
    show_error (self, error);
  busy_end (self);
}

static void
undo_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  LibraryWindow *self = user_data;
  g_autoptr(LibraryBook) book = g_steal_pointer (&self->undo_book);
  g_autoptr(GError) error = NULL;

  if (book == NULL || is_disposed (self))
    return;
  /* A deleted book is inserted again as it was: with its id, given to
   * the new row, and the values it kept, its "added" date (auto_now_add
   * keeps a date it is given) and its author. An edited one gets its
   * values back. */
  if (self->undo_deleted)
    g_object_set (book, "id", self->undo_id, NULL);
  else if (!library_book_values_restore (&self->undo_values, book, &error))
    {
      show_error (self, error);
      return;
    }
  library_book_values_clear (&self->undo_values);
  busy_begin (self);
  gorm_resource_save_async (GORM_RESOURCE (book), self->cancellable, undo_saved_cb,
                            g_object_ref (self));
}

/* A delete on its way, and the id the book had. */
typedef struct
{
  LibraryWindow *window;
  gint64         id;
} Deleting;

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autofree Deleting *deleting = user_data;
  g_autoptr(LibraryWindow) self = deleting->window;
  g_autoptr(GError) error = NULL;

  if (gorm_resource_delete_finish (GORM_RESOURCE (source), result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("“%s” deleted"),
                                               library_book_get_title (LIBRARY_BOOK (source)));

      g_set_object (&self->undo_book, LIBRARY_BOOK (source));
      self->undo_deleted = TRUE;
      self->undo_id = deleting->id;
      library_book_values_clear (&self->undo_values);
      show_undo_toast (self, text);
    }
  else
    show_error (self, error);
  busy_end (self);
}

void
library_window_delete_book (LibraryWindow *self,
                            LibraryBook   *book)
{
  Deleting *deleting;

  g_return_if_fail (LIBRARY_IS_WINDOW (self));
  g_return_if_fail (LIBRARY_IS_BOOK (book));

  if (is_disposed (self))
    return;
  g_clear_object (&self->undo_book);
  busy_begin (self);
  /* A deleted object's id is 0: the undo gives the new row this one. */
  deleting = g_new0 (Deleting, 1);
  deleting->window = g_object_ref (self);
  deleting->id = gorm_resource_get_id (GORM_RESOURCE (book));
  gorm_resource_delete_async (GORM_RESOURCE (book), self->cancellable, deleted_cb, deleting);
}

static void
delete_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  LibraryWindow *self = user_data;
  LibraryBook *book = gtk_single_selection_get_selected_item (self->selection);

  if (book != NULL)
    library_window_delete_book (self, book);
}

/* Deleting everything */

static void
all_deleted_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LibraryWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (gorm_query_delete_finish (GORM_QUERY (source), result, &error) >= 0 &&
      gorm_query_get_item_type (GORM_QUERY (source)) == LIBRARY_TYPE_BOOK && !is_disposed (self))
    {
      /* Then the authors, whom no book refers to any more. */
      g_autoptr(GormQuery) authors = gorm_database_query (self->database, LIBRARY_TYPE_AUTHOR);

      busy_begin (self);
      gorm_query_delete_async (authors, self->cancellable, all_deleted_cb, g_object_ref (self));
    }
  else if (error == NULL)
    show_toast (self, _("All books deleted"));
  show_error (self, error);
  busy_end (self);
}

static void
delete_all_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        LibraryWindow    *self)
{
  g_autoptr(GormQuery) books = NULL;

  if (g_strcmp0 (response, "delete") != 0 || is_disposed (self))
    return;
  g_clear_object (&self->undo_book);
  books = gorm_database_query (self->database, LIBRARY_TYPE_BOOK);
  busy_begin (self);
  gorm_query_delete_async (books, self->cancellable, all_deleted_cb, g_object_ref (self));
}

static void
delete_all_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  LibraryWindow *self = user_data;
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete All Books?"),
                                              _("Every book and author of the library is "
                                                "deleted. This cannot be undone."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete All"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_all_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Generating */

static void
generate_progress_cb (LibraryGenerator *generator,
                      guint             done,
                      guint             total,
                      gpointer          user_data)
{
  LibraryWindow *self = user_data;
  g_autofree char *text = g_strdup_printf (_("%u of %u books"), done, total);

  gtk_progress_bar_set_fraction (self->progress, total > 0 ? (double) done / total : 1.0);
  gtk_label_set_text (self->progress_label, text);
}

static void
generated_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LibraryWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint done = library_generator_run_finish (LIBRARY_GENERATOR (source), result, &error);

  g_clear_object (&self->generator);
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (NULL, "%u book added",
                                                            "%u books added", done), done);

      if (!is_disposed (self))
        show_toast (self, text);
    }
  else
    show_error (self, error);
  /* The model was dropped while the rows were written: watch again. */
  refresh (self);
  update_status (self);
  busy_end (self);
}

void
library_window_generate (LibraryWindow *self,
                         guint          n_books)
{
  g_return_if_fail (LIBRARY_IS_WINDOW (self));

  if (self->generator != NULL || !self->migrated || is_disposed (self))
    return;
  self->generator = library_generator_new (self->database, n_books);
  g_signal_connect_object (self->generator, "progress", G_CALLBACK (generate_progress_cb),
                           self, 0);
  generate_progress_cb (self->generator, 0, n_books, self);
  /* A live model would follow every row written; the status page shows
   * the progress instead, and the model is watched again at the end. */
  g_cancellable_cancel (self->watch_cancellable);
  set_books (self, NULL);
  busy_begin (self);
  library_generator_run_async (self->generator, generated_cb, g_object_ref (self));
}

static void
generate_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  library_window_generate (user_data, 1000000);
}

static void
cancel_generate_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  LibraryWindow *self = user_data;

  if (self->generator != NULL)
    library_generator_cancel (self->generator);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *developers[] = { "The libgorm developers", NULL };

  adw_show_about_window (GTK_WINDOW (user_data),
                         "application-name", _("Gorm Library"),
                         "application-icon", "org.gnome.Gorm.Library",
                         "developer-name", "The libgorm developers",
                         "developers", developers,
                         "comments", _("A library of books and authors, on libgorm"),
                         "license-type", GTK_LICENSE_LGPL_2_1,
                         NULL);
}

/* Start-up */

static void
migrated_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LibraryWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (gorm_database_migrate_finish (GORM_DATABASE (source), result, &error) && !is_disposed (self))
    {
      self->migrated = TRUE;
      refresh (self);
    }
  else
    show_error (self, error);
  busy_end (self);
}

static void
library_window_constructed (GObject *object)
{
  LibraryWindow *self = LIBRARY_WINDOW (object);
  const GType *types;
  guint n_types;

  G_OBJECT_CLASS (library_window_parent_class)->constructed (object);

  g_return_if_fail (GORM_IS_DATABASE (self->database));
  types = library_model_types (&n_types);
  busy_begin (self);
  gorm_database_migrate_async (self->database, types, n_types, self->cancellable, migrated_cb,
                               g_object_ref (self));
}

static void selection_changed_cb (GtkSingleSelection *selection,
                                  GParamSpec         *pspec,
                                  LibraryWindow      *self);

static void
library_window_dispose (GObject *object)
{
  LibraryWindow *self = LIBRARY_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->watch_cancellable);
  if (self->generator != NULL)
    library_generator_cancel (self->generator);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  if (self->books != NULL)
    g_signal_handlers_disconnect_by_func (self->books, books_changed_cb, self);
  if (self->column_view != NULL)
    {
      g_signal_handlers_disconnect_by_func (gtk_column_view_get_sorter (self->column_view),
                                            sorter_changed_cb, self);
      g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
    }
  self->column_view = NULL;
  g_clear_object (&self->books);
  g_clear_object (&self->undo_book);
  g_clear_object (&self->database);
  G_OBJECT_CLASS (library_window_parent_class)->dispose (object);
}

static void
library_window_finalize (GObject *object)
{
  LibraryWindow *self = LIBRARY_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->watch_cancellable);
  g_clear_object (&self->sentinels[0]);
  g_clear_object (&self->sentinels[1]);
  library_book_values_clear (&self->undo_values);
  library_book_values_clear (&self->edit_values);
  g_free (self->last_error);
  G_OBJECT_CLASS (library_window_parent_class)->finalize (object);
}

static void
library_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LibraryWindow *self = LIBRARY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_BOOKS:
      g_value_set_object (value, self->books);
      break;
    case PROP_BUSY:
      g_value_set_uint (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
library_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LibraryWindow *self = LIBRARY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
library_window_class_init (LibraryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = library_window_constructed;
  object_class->dispose = library_window_dispose;
  object_class->finalize = library_window_finalize;
  object_class->get_property = library_window_get_property;
  object_class->set_property = library_window_set_property;

  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, GORM_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOOKS] =
    g_param_spec_object ("books", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_uint ("busy", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static const GActionEntry actions[] = {
  { .name = "add", .activate = add_action },
  { .name = "edit", .activate = edit_action },
  { .name = "delete", .activate = delete_action },
  { .name = "undo", .activate = undo_action },
  { .name = "generate", .activate = generate_action },
  { .name = "cancel-generate", .activate = cancel_generate_action },
  { .name = "delete-all", .activate = delete_all_action },
  { .name = "about", .activate = about_action },
};

static GtkWidget *
status_page (const char *icon,
             const char *title,
             const char *description)
{
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), icon);
  adw_status_page_set_title (ADW_STATUS_PAGE (page), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (page), description);
  return page;
}

static GtkWidget *
build_header (LibraryWindow *self)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *add = gtk_button_new_from_icon_name ("list-add-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkWidget *menu_button = gtk_menu_button_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) data = g_menu_new ();
  g_autoptr(GMenu) about = g_menu_new ();

  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "win.add");
  gtk_widget_set_tooltip_text (add, _("Add Book"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), add);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "win.delete");
  gtk_widget_set_tooltip_text (delete, _("Delete Book"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), delete);

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("Library"), ""));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));

  g_menu_append (data, _("_Generate 1,000,000 Books…"), "win.generate");
  g_menu_append (data, _("_Delete All Books…"), "win.delete-all");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (data));
  g_menu_append (about, _("_About Gorm Library"), "win.about");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (about));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "open-menu-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
  gtk_widget_set_tooltip_text (menu_button, _("Main Menu"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), menu_button);

  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text", _("Search titles and authors"), NULL);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->search_entry));
  return header;
}

static GtkWidget *
build_generating_page (LibraryWindow *self)
{
  GtkWidget *page = status_page ("document-save-symbolic", _("Generating Books"),
                                 _("The books are written in the background"));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  self->progress_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "numeric");
  gtk_widget_set_size_request (GTK_WIDGET (self->progress), 320, -1);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (cancel, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (cancel, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "win.cancel-generate");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress_label));
  gtk_box_append (GTK_BOX (box), cancel);
  adw_status_page_set_child (ADW_STATUS_PAGE (page), box);
  return page;
}

/* win.edit and win.delete act on the selected book: enabled when there
 * is one. */
static void
selection_changed_cb (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      LibraryWindow      *self)
{
  gboolean selected = gtk_single_selection_get_selected_item (selection) != NULL;

  for (guint i = 0; i < 2; i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self),
                                                    i == 0 ? "edit" : "delete");

      if (action != NULL)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action), selected);
    }
}

/* The column view's borders, drawn the cheap way. GTK 4.8's cairo
 * renderer fills a border whose four sides have one colour in one pass,
 * but a border whose sides differ in colour as four antialiased
 * triangles, each clipped to the border's ring. The theme gives every
 * cell but the first, and every column header, a 1 px transparent left
 * border (the column separator, hidden), and every row a top border in
 * the separator's colour (its other sides in the text colour, with no
 * width): every frame of a scrolled list took the slow way about 120
 * times, most of the time a frame spent drawing (bench/README.md,
 * "Scrolling the application"). The same borders with one colour on
 * all four sides look the same; a clear one is not drawn at all. */
static const char column_view_css[] =
  "columnview.library-books > listview > row > cell,\n"
  "columnview.library-books > header > button {\n"
  "  border-color: transparent;\n"
  "}\n"
  "columnview.library-books > listview.separators:not(.horizontal) > row:not(.separator) {\n"
  "  border-color: alpha(currentColor, 0.15);\n"
  "}\n";

static void
add_column_view_style (GtkWidget *column_view)
{
  GdkDisplay *display = gtk_widget_get_display (column_view);
  g_autoptr(GtkCssProvider) provider = NULL;

  gtk_widget_add_css_class (column_view, "library-books");
  if (g_object_get_data (G_OBJECT (display), "library-column-view-style") != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, column_view_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data (G_OBJECT (display), "library-column-view-style", GINT_TO_POINTER (TRUE));
}

static GtkWidget *
build_column_view (LibraryWindow *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb),
                    self);
  selection_changed_cb (self->selection, NULL, self);
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (self->selection)));
  gtk_column_view_set_show_row_separators (self->column_view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "data-table");
  add_column_view_style (GTK_WIDGET (self->column_view));
  g_signal_connect (self->column_view, "activate", G_CALLBACK (activate_cb), self);

  gtk_column_view_column_set_expand (add_column (self, LIBRARY_COLUMN_TITLE, _("Title")), TRUE);
  gtk_column_view_column_set_expand (add_column (self, LIBRARY_COLUMN_AUTHOR, _("Author")), TRUE);
  add_column (self, LIBRARY_COLUMN_YEAR, _("Year"));
  add_column (self, LIBRARY_COLUMN_PAGES, _("Pages"));
  add_column (self, LIBRARY_COLUMN_RATING, _("Rating"));
  add_column (self, LIBRARY_COLUMN_READ, _("Read"));
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed",
                    G_CALLBACK (sorter_changed_cb), self);

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                      gtk_named_action_new ("win.delete")));
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), shortcuts);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->column_view));
  return scrolled;
}

static void
library_window_init (LibraryWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *loading = status_page ("content-loading-symbolic", _("Opening the Library"), NULL);
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());

  self->cancellable = g_cancellable_new ();
  self->watch_cancellable = g_cancellable_new ();
  self->order_column = -1;
  self->sentinels[0] = g_object_new (G_TYPE_OBJECT, NULL);
  self->sentinels[1] = g_object_new (G_TYPE_OBJECT, NULL);

  gtk_window_set_title (GTK_WINDOW (self), _("Gorm Library"));
  gtk_window_set_default_size (GTK_WINDOW (self), 960, 640);
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  gtk_box_append (GTK_BOX (box), build_header (self));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, loading, "loading");
  gtk_stack_add_named (self->stack, build_column_view (self), "list");
  gtk_stack_add_named (self->stack,
                       status_page ("accessories-dictionary-symbolic", _("No Books"),
                                    _("Add a book, or generate a million from the main menu")),
                       "empty");
  gtk_stack_add_named (self->stack,
                       status_page ("edit-find-symbolic", _("No Results Found"),
                                    _("No title or author contains the search text")),
                       "no-results");
  gtk_stack_add_named (self->stack, build_generating_page (self), "generating");
  gtk_stack_set_visible_child_name (self->stack, "loading");

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, GTK_WIDGET (self->stack));
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), box);

  gtk_shortcut_controller_set_scope (shortcuts, GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_shortcut_controller_add_shortcut (shortcuts,
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_n, GDK_CONTROL_MASK),
                      gtk_named_action_new ("win.add")));
  gtk_shortcut_controller_add_shortcut (shortcuts,
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_z, GDK_CONTROL_MASK),
                      gtk_named_action_new ("win.undo")));
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (shortcuts));
}

LibraryWindow *
library_window_new (GtkApplication *application,
                    GormDatabase   *database)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (GORM_IS_DATABASE (database), NULL);

  return g_object_new (LIBRARY_TYPE_WINDOW, "application", application,
                       "database", database, NULL);
}

GormDatabase *
library_window_get_database (LibraryWindow *self)
{
  return self->database;
}

GListModel *
library_window_get_books (LibraryWindow *self)
{
  return self->books;
}

guint
library_window_get_busy (LibraryWindow *self)
{
  return self->busy;
}

const char *
library_window_get_last_error (LibraryWindow *self)
{
  return self->last_error;
}

GtkSearchEntry *
library_window_get_search_entry (LibraryWindow *self)
{
  return self->search_entry;
}

GtkColumnView *
library_window_get_column_view (LibraryWindow *self)
{
  return self->column_view;
}

GtkSingleSelection *
library_window_get_selection (LibraryWindow *self)
{
  return self->selection;
}

GtkProgressBar *
library_window_get_progress_bar (LibraryWindow *self)
{
  return self->progress;
}

LibraryBookDialog *
library_window_get_book_dialog (LibraryWindow *self)
{
  return self->dialog;
}
