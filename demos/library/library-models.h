/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gorm.h>

G_BEGIN_DECLS

/*
 * The models of Gorm Library, the same tables and columns as the Python
 * twin's, so that both open one file:
 *
 *   Author (table "author"): name (max 200, not NULL, indexed), born
 *   (nullable).
 *   Book (table "book"): title (max 300, not NULL, indexed), author-id
 *   (column author_id: a foreign key to Author, ON DELETE CASCADE; the
 *   relation "author", reverse "books"), year (indexed), pages
 *   (nullable), rating (0 to 5), read, added (set when first saved).
 */
#define LIBRARY_TYPE_AUTHOR (library_author_get_type ())
G_DECLARE_FINAL_TYPE (LibraryAuthor, library_author, LIBRARY, AUTHOR, GormResource)

#define LIBRARY_TYPE_BOOK (library_book_get_type ())
G_DECLARE_FINAL_TYPE (LibraryBook, library_book, LIBRARY, BOOK, GormResource)

const char *library_author_get_name  (LibraryAuthor *self);

const char *library_book_get_title   (LibraryBook   *self);
gint64      library_book_get_author_id (LibraryBook *self);
int         library_book_get_year    (LibraryBook   *self);
int         library_book_get_pages   (LibraryBook   *self);
int         library_book_get_rating  (LibraryBook   *self);
gboolean    library_book_get_read    (LibraryBook   *self);

/* What the columns show: the author's name ("" until it is loaded),
 * the pages ("—" for NULL), the rating as stars. */
const char *library_book_peek_author_name (LibraryBook *self);
char       *library_format_pages      (LibraryBook   *book);
char       *library_format_rating     (int            rating);

/* A book's stored values but its key and its "added" date: what an edit
 * changes, kept to undo it. */
typedef struct
{
  char     *title;
  gint64    author_id;
  int       year;
  int       pages;
  gboolean  pages_null;
  int       rating;
  gboolean  read;
} LibraryBookValues;

void        library_book_values_save    (LibraryBookValues *values,
                                         LibraryBook       *book);
gboolean    library_book_values_restore (const LibraryBookValues *values,
                                         LibraryBook       *book,
                                         GError           **error);
gboolean    library_book_values_differ  (const LibraryBookValues *values,
                                         LibraryBook       *book);
void        library_book_values_clear   (LibraryBookValues *values);

/* The types to migrate, in order. */
const GType *library_model_types      (guint         *n_types);

G_END_DECLS
