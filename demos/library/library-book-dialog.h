/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <adwaita.h>

#include "library-models.h"

G_BEGIN_DECLS

/*
 * The dialog that edits a book, or adds one: its rows are bound to the
 * book's properties both ways, so the book changes as one types (and its
 * row in the window with it). Save saves it (async, in one transaction
 * with its author, created when no author has that name: a refused save
 * leaves nothing behind, and the dialog stays open with the error shown);
 * Cancel reloads a saved book, which reverts what the bindings changed.
 * "finished" tells which it was, once the database has answered.
 */
#define LIBRARY_TYPE_BOOK_DIALOG (library_book_dialog_get_type ())
G_DECLARE_FINAL_TYPE (LibraryBookDialog, library_book_dialog, LIBRARY, BOOK_DIALOG, AdwWindow)

LibraryBookDialog *library_book_dialog_new (GtkWindow   *parent,
                                            LibraryBook *book);

LibraryBook   *library_book_dialog_get_book        (LibraryBookDialog *self);
/* Whether a save or a revert waits for the database, and what the
 * dialog last refused or failed to do (NULL before). */
gboolean       library_book_dialog_is_working      (LibraryBookDialog *self);
const char    *library_book_dialog_get_last_error  (LibraryBookDialog *self);
GtkEditable   *library_book_dialog_get_title_row   (LibraryBookDialog *self);
GtkEditable   *library_book_dialog_get_author_row  (LibraryBookDialog *self);
GtkSpinButton *library_book_dialog_get_year_spin   (LibraryBookDialog *self);
GtkSpinButton *library_book_dialog_get_pages_spin  (LibraryBookDialog *self);
GtkSpinButton *library_book_dialog_get_rating_spin (LibraryBookDialog *self);
GtkSwitch     *library_book_dialog_get_read_switch (LibraryBookDialog *self);

void           library_book_dialog_save            (LibraryBookDialog *self);
void           library_book_dialog_cancel          (LibraryBookDialog *self);

G_END_DECLS
