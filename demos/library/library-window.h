/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <adwaita.h>

#include "library-book-dialog.h"
#include "library-models.h"

G_BEGIN_DECLS

/*
 * The main window of Gorm Library: a column view of the live model of
 * the books (gorm_query_watch() of the query the search entry and the
 * sorted column make), with the actions win.add, win.edit, win.delete
 * (the selected book), win.undo (the last delete or edit), win.generate,
 * win.cancel-generate and win.delete-all. It migrates its database when
 * it is built; everything it asks the database runs async, and
 * LibraryWindow:busy counts what has not answered yet.
 */
#define LIBRARY_TYPE_WINDOW (library_window_get_type ())
G_DECLARE_FINAL_TYPE (LibraryWindow, library_window, LIBRARY, WINDOW, AdwApplicationWindow)

/* The columns, in the view's order. */
typedef enum {
  LIBRARY_COLUMN_TITLE,
  LIBRARY_COLUMN_AUTHOR,
  LIBRARY_COLUMN_YEAR,
  LIBRARY_COLUMN_PAGES,
  LIBRARY_COLUMN_RATING,
  LIBRARY_COLUMN_READ,
  LIBRARY_N_COLUMNS,
} LibraryColumn;

LibraryWindow      *library_window_new                (GtkApplication *application,
                                                       GormDatabase   *database);

GormDatabase       *library_window_get_database       (LibraryWindow  *self);
GListModel         *library_window_get_books          (LibraryWindow  *self);
guint               library_window_get_busy           (LibraryWindow  *self);
const char         *library_window_get_last_error     (LibraryWindow  *self);
GtkSearchEntry     *library_window_get_search_entry   (LibraryWindow  *self);
GtkColumnView      *library_window_get_column_view    (LibraryWindow  *self);
GtkSingleSelection *library_window_get_selection      (LibraryWindow  *self);
GtkProgressBar     *library_window_get_progress_bar   (LibraryWindow  *self);
LibraryBookDialog  *library_window_get_book_dialog    (LibraryWindow  *self);
const char         *library_window_get_order_property (LibraryWindow  *self,
                                                       gboolean       *descending);

void                library_window_generate           (LibraryWindow  *self,
                                                       guint           n_books);
void                library_window_edit_book          (LibraryWindow  *self,
                                                       LibraryBook    *book);
void                library_window_delete_book        (LibraryWindow  *self,
                                                       LibraryBook    *book);

/* The property each column orders by ("author.name" for the author). */
const char         *library_column_property           (LibraryColumn   column);

G_END_DECLS
