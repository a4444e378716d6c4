/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib/gi18n.h>

#include "library-book-dialog.h"

struct _LibraryBookDialog
{
  AdwWindow        parent_instance;
  LibraryBook     *book;
  AdwToastOverlay *toasts;
  GtkWidget       *save_button;
  GtkWidget       *page;
  GtkWidget       *title_row;
  GtkWidget       *author_row;
  GtkWidget       *year_spin;
  GtkWidget       *pages_spin;
  GtkWidget       *rating_spin;
  GtkWidget       *read_switch;
  GCancellable    *cancellable;
  gboolean         working;
  char            *last_error;
};

G_DEFINE_FINAL_TYPE (LibraryBookDialog, library_book_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_FINISHED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
library_book_dialog_dispose (GObject *object)
{
  LibraryBookDialog *self = LIBRARY_BOOK_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->book);
  g_clear_pointer (&self->last_error, g_free);
  G_OBJECT_CLASS (library_book_dialog_parent_class)->dispose (object);
}

static void
set_working (LibraryBookDialog *self,
             gboolean           working)
{
  self->working = working;
  gtk_widget_set_sensitive (self->save_button, !working);
  /* The worker reads the book while it saves it: nothing changes it
   * meanwhile. */
  gtk_widget_set_sensitive (self->page, !working);
}

/* Ends the dialog: "finished" (saved or not), then closes it. */
static void
finish (LibraryBookDialog *self,
        gboolean           saved)
{
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, saved);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
show_message (LibraryBookDialog *self,
              const char        *message)
{
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
}

static void
show_error (LibraryBookDialog *self,
            const GError      *error)
{
  show_message (self, error->message);
  set_working (self, FALSE);
}

/* What the transaction that saves the book needs, on the worker: the
 * book and the name of its author. */
typedef struct
{
  LibraryBook *book;
  char        *author_name;
} SaveCall;

static void
save_call_free (gpointer data)
{
  SaveCall *call = data;

  g_object_unref (call->book);
  g_free (call->author_name);
  g_free (call);
}

/* The body of the save's transaction, on the database's worker: the
 * author of that name, or a new one, then the book. A refusal rolls all
 * of it back, the new author with it. A book the window shows is not
 * changed here (its cells would hear of it on this thread): it is saved,
 * then its author's key is updated in bulk, which libgorm hands to the
 * live object in the main context. */
static gboolean
save_in_transaction (GormDatabase *database,
                     gpointer      user_data,
                     GError      **error)
{
  SaveCall *call = user_data;
  GormResource *book = GORM_RESOURCE (call->book);
  g_autoptr(GormQuery) authors = gorm_database_query (database, LIBRARY_TYPE_AUTHOR);
  g_autoptr(LibraryAuthor) author = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GError *local_error = NULL;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, call->author_name);
  gorm_query_filter (authors, gorm_filter_eq ("name", &value));
  gorm_query_order_by (authors, "id", FALSE);
  author = gorm_query_first (authors, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (author == NULL)
    {
      author = g_object_new (LIBRARY_TYPE_AUTHOR, "database", database,
                             "name", call->author_name, NULL);
      if (!gorm_resource_set_null (GORM_RESOURCE (author), "born", error) ||
          !gorm_resource_save (GORM_RESOURCE (author), NULL, error))
        return FALSE;
    }

  if (!gorm_resource_is_saved (book))
    {
      /* A new book: no one but the dialog holds it, and the dialog's
       * rows are not bound to its author. */
      return gorm_resource_set_related (book, "author", GORM_RESOURCE (author), error) &&
             gorm_resource_save (book, NULL, error);
    }
  if (!gorm_resource_save (book, NULL, error))
    return FALSE;
  if (library_book_get_author_id (call->book) != gorm_resource_get_id (GORM_RESOURCE (author)))
    {
      g_autoptr(GormQuery) this_book = gorm_database_query (database, LIBRARY_TYPE_BOOK);
      g_auto(GValue) id = G_VALUE_INIT;
      g_auto(GValue) author_id = G_VALUE_INIT;

      g_value_init (&id, G_TYPE_INT64);
      g_value_set_int64 (&id, gorm_resource_get_id (book));
      g_value_init (&author_id, G_TYPE_INT64);
      g_value_set_int64 (&author_id, gorm_resource_get_id (GORM_RESOURCE (author)));
      gorm_query_filter (this_book, gorm_filter_eq ("id", &id));
      if (gorm_query_update (this_book, "author-id", &author_id, NULL, error) < 0)
        return FALSE;
    }
  return TRUE;
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LibraryBookDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gorm_database_run_in_transaction_finish (GORM_DATABASE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }
  finish (self, TRUE);
}

void
library_book_dialog_save (LibraryBookDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->author_row));
  g_autoptr(GError) error = NULL;
  SaveCall *call;

  g_return_if_fail (LIBRARY_IS_BOOK_DIALOG (self));

  if (self->working)
    return;
  if (*library_book_get_title (self->book) == '\0' || *name == '\0')
    {
      show_message (self, _("A book needs a title and an author"));
      return;
    }
  /* Pages 0 is "not known": NULL in the database. */
  if (library_book_get_pages (self->book) == 0 &&
      !gorm_resource_is_null (GORM_RESOURCE (self->book), "pages") &&
      !gorm_resource_set_null (GORM_RESOURCE (self->book), "pages", &error))
    {
      show_message (self, error->message);
      return;
    }
  set_working (self, TRUE);
  call = g_new0 (SaveCall, 1);
  call->book = g_object_ref (self->book);
  call->author_name = g_strdup (name);
  gorm_database_run_in_transaction_async (gorm_resource_get_database (GORM_RESOURCE (self->book)),
                                          save_in_transaction, call, save_call_free,
                                          self->cancellable, saved_cb, g_object_ref (self));
}

static void
reloaded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LibraryBookDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gorm_resource_reload_finish (GORM_RESOURCE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }
  finish (self, FALSE);
}

void
library_book_dialog_cancel (LibraryBookDialog *self)
{
  g_return_if_fail (LIBRARY_IS_BOOK_DIALOG (self));

  if (self->working)
    return;
  /* A saved book gets its row's values back; a new one is dropped. */
  if (!gorm_resource_is_saved (GORM_RESOURCE (self->book)))
    {
      finish (self, FALSE);
      return;
    }
  set_working (self, TRUE);
  gorm_resource_reload_async (GORM_RESOURCE (self->book), self->cancellable, reloaded_cb,
                              g_object_ref (self));
}

static gboolean
close_request_cb (GtkWindow *window,
                  gpointer   user_data)
{
  LibraryBookDialog *self = LIBRARY_BOOK_DIALOG (window);

  library_book_dialog_cancel (self);
  /* The dialog closes itself once the book is reverted. */
  return TRUE;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  library_book_dialog_save (LIBRARY_BOOK_DIALOG (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  library_book_dialog_cancel (LIBRARY_BOOK_DIALOG (widget));
}

static void
library_book_dialog_class_init (LibraryBookDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = library_book_dialog_dispose;

  /**
   * LibraryBookDialog::finished:
   * @saved: whether the book was saved (else it was reverted)
   */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "dialog.cancel", NULL, cancel_action);
}


/* A row with a spin button for the integer @property of the book. */
static GtkWidget *
spin_row (AdwPreferencesGroup *group,
          const char          *title,
          const char          *subtitle,
          double               lower,
          double               upper)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (group, row);
  return spin;
}

static void
library_book_dialog_init (LibraryBookDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *page = adw_preferences_page_new ();
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *read_row = adw_action_row_new ();

  self->cancellable = g_cancellable_new ();
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 420, 520);

  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->save_button), "dialog.save");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "dialog.cancel");
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  gtk_box_append (GTK_BOX (box), header);

  self->title_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->title_row), _("Title"));
  adw_preferences_group_add (group, self->title_row);
  self->author_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->author_row), _("Author"));
  adw_preferences_group_add (group, self->author_row);
  self->year_spin = spin_row (group, _("Year"), NULL, -3000, 3000);
  self->pages_spin = spin_row (group, _("Pages"), _("0 when not known"), 0, 100000);
  self->rating_spin = spin_row (group, _("Rating"), _("From 0 to 5 stars"), 0, 5);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (read_row), _("Read"));
  self->read_switch = gtk_switch_new ();
  gtk_widget_set_valign (self->read_switch, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (read_row), self->read_switch);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (read_row), self->read_switch);
  adw_preferences_group_add (group, read_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);
  self->page = page;

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, page);
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));
  adw_window_set_content (ADW_WINDOW (self), box);
}

LibraryBookDialog *
library_book_dialog_new (GtkWindow   *parent,
                         LibraryBook *book)
{
  LibraryBookDialog *self = g_object_new (LIBRARY_TYPE_BOOK_DIALOG,
                                          "transient-for", parent, NULL);
  GBindingFlags flags = G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE;

  self->book = g_object_ref (book);
  gtk_window_set_title (GTK_WINDOW (self), gorm_resource_is_saved (GORM_RESOURCE (book)) ?
                                           _("Edit Book") : _("New Book"));
  gtk_editable_set_text (GTK_EDITABLE (self->author_row), library_book_peek_author_name (book));
  g_object_bind_property (book, "title", self->title_row, "text", flags);
  g_object_bind_property (book, "year", self->year_spin, "value", flags);
  g_object_bind_property (book, "pages", self->pages_spin, "value", flags);
  g_object_bind_property (book, "rating", self->rating_spin, "value", flags);
  g_object_bind_property (book, "read", self->read_switch, "active", flags);
  return self;
}

gboolean
library_book_dialog_is_working (LibraryBookDialog *self)
{
  return self->working;
}

const char *
library_book_dialog_get_last_error (LibraryBookDialog *self)
{
  return self->last_error;
}

LibraryBook *
library_book_dialog_get_book (LibraryBookDialog *self)
{
  return self->book;
}

GtkEditable *
library_book_dialog_get_title_row (LibraryBookDialog *self)
{
  return GTK_EDITABLE (self->title_row);
}

GtkEditable *
library_book_dialog_get_author_row (LibraryBookDialog *self)
{
  return GTK_EDITABLE (self->author_row);
}

GtkSpinButton *
library_book_dialog_get_year_spin (LibraryBookDialog *self)
{
  return GTK_SPIN_BUTTON (self->year_spin);
}

GtkSpinButton *
library_book_dialog_get_pages_spin (LibraryBookDialog *self)
{
  return GTK_SPIN_BUTTON (self->pages_spin);
}

GtkSpinButton *
library_book_dialog_get_rating_spin (LibraryBookDialog *self)
{
  return GTK_SPIN_BUTTON (self->rating_spin);
}

GtkSwitch *
library_book_dialog_get_read_switch (LibraryBookDialog *self)
{
  return GTK_SWITCH (self->read_switch);
}
