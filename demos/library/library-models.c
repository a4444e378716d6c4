/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "library-models.h"

/* Author */

struct _LibraryAuthor
{
  GormResource parent_instance;
  char        *name;
  int          born;
};

G_DEFINE_FINAL_TYPE (LibraryAuthor, library_author, GORM_TYPE_RESOURCE)

enum {
  AUTHOR_PROP_0,
  AUTHOR_PROP_NAME,
  AUTHOR_PROP_BORN,
  AUTHOR_N_PROPS,
};

static GParamSpec *author_props[AUTHOR_N_PROPS];

static void
library_author_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LibraryAuthor *self = LIBRARY_AUTHOR (object);

  switch (prop_id)
    {
    case AUTHOR_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case AUTHOR_PROP_BORN:
      g_value_set_int (value, self->born);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
library_author_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LibraryAuthor *self = LIBRARY_AUTHOR (object);

  switch (prop_id)
    {
    case AUTHOR_PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      break;
    case AUTHOR_PROP_BORN:
      self->born = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
library_author_finalize (GObject *object)
{
  g_free (LIBRARY_AUTHOR (object)->name);
  G_OBJECT_CLASS (library_author_parent_class)->finalize (object);
}

static void
library_author_class_init (LibraryAuthorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  object_class->get_property = library_author_get_property;
  object_class->set_property = library_author_set_property;
  object_class->finalize = library_author_finalize;
  author_props[AUTHOR_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "", G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  author_props[AUTHOR_PROP_BORN] =
    g_param_spec_int ("born", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, AUTHOR_N_PROPS, author_props);

  gorm_resource_class_set_table (resource_class, "author");
  gorm_resource_class_set_max_length (resource_class, "name", 200);
  gorm_resource_class_set_not_null (resource_class, "name");
  gorm_resource_class_set_indexed (resource_class, "name");
  gorm_resource_class_set_nullable (resource_class, "born");
}

static void
library_author_init (LibraryAuthor *self)
{
  self->name = g_strdup ("");
}

const char *
library_author_get_name (LibraryAuthor *self)
{
  return self->name;
}

/* Book */

struct _LibraryBook
{
  GormResource parent_instance;
  char        *title;
  gint64       author_id;
  int          year;
  int          pages;
  int          rating;
  gboolean     read;
  GDateTime   *added;
};

G_DEFINE_FINAL_TYPE (LibraryBook, library_book, GORM_TYPE_RESOURCE)

enum {
  BOOK_PROP_0,
  BOOK_PROP_TITLE,
  BOOK_PROP_AUTHOR_ID,
  BOOK_PROP_YEAR,
  BOOK_PROP_PAGES,
  BOOK_PROP_RATING,
  BOOK_PROP_READ,
  BOOK_PROP_ADDED,
  BOOK_N_PROPS,
};

static GParamSpec *book_props[BOOK_N_PROPS];

static void
library_book_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LibraryBook *self = LIBRARY_BOOK (object);

  switch (prop_id)
    {
    case BOOK_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case BOOK_PROP_AUTHOR_ID:
      g_value_set_int64 (value, self->author_id);
      break;
    case BOOK_PROP_YEAR:
      g_value_set_int (value, self->year);
      break;
    case BOOK_PROP_PAGES:
      g_value_set_int (value, self->pages);
      break;
    case BOOK_PROP_RATING:
      g_value_set_int (value, self->rating);
      break;
    case BOOK_PROP_READ:
      g_value_set_boolean (value, self->read);
      break;
    case BOOK_PROP_ADDED:
      g_value_set_boxed (value, self->added);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
library_book_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LibraryBook *self = LIBRARY_BOOK (object);

  switch (prop_id)
    {
    case BOOK_PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      break;
    case BOOK_PROP_AUTHOR_ID:
      self->author_id = g_value_get_int64 (value);
      break;
    case BOOK_PROP_YEAR:
      self->year = g_value_get_int (value);
      break;
    case BOOK_PROP_PAGES:
      self->pages = g_value_get_int (value);
      break;
    case BOOK_PROP_RATING:
      self->rating = g_value_get_int (value);
      break;
    case BOOK_PROP_READ:
      self->read = g_value_get_boolean (value);
      break;
    case BOOK_PROP_ADDED:
      g_clear_pointer (&self->added, g_date_time_unref);
      self->added = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
library_book_finalize (GObject *object)
{
  LibraryBook *self = LIBRARY_BOOK (object);

  g_free (self->title);
  g_clear_pointer (&self->added, g_date_time_unref);
  G_OBJECT_CLASS (library_book_parent_class)->finalize (object);
}

static void
library_book_class_init (LibraryBookClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = library_book_get_property;
  object_class->set_property = library_book_set_property;
  object_class->finalize = library_book_finalize;
  book_props[BOOK_PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, "", flags);
  book_props[BOOK_PROP_AUTHOR_ID] =
    g_param_spec_int64 ("author-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  book_props[BOOK_PROP_YEAR] = g_param_spec_int ("year", NULL, NULL, G_MININT, G_MAXINT, 0, flags);
  book_props[BOOK_PROP_PAGES] = g_param_spec_int ("pages", NULL, NULL, 0, G_MAXINT, 0, flags);
  book_props[BOOK_PROP_RATING] = g_param_spec_int ("rating", NULL, NULL, 0, 5, 0, flags);
  book_props[BOOK_PROP_READ] = g_param_spec_boolean ("read", NULL, NULL, FALSE, flags);
  book_props[BOOK_PROP_ADDED] =
    g_param_spec_boxed ("added", NULL, NULL, G_TYPE_DATE_TIME, flags);
  g_object_class_install_properties (object_class, BOOK_N_PROPS, book_props);

  gorm_resource_class_set_table (resource_class, "book");
  gorm_resource_class_set_max_length (resource_class, "title", 300);
  gorm_resource_class_set_not_null (resource_class, "title");
  gorm_resource_class_set_indexed (resource_class, "title");
  gorm_resource_class_set_foreign_key (resource_class, "author-id", LIBRARY_TYPE_AUTHOR,
                                       GORM_ON_DELETE_CASCADE);
  gorm_resource_class_set_related_name (resource_class, "author", "books");
  gorm_resource_class_set_indexed (resource_class, "year");
  gorm_resource_class_set_nullable (resource_class, "pages");
  gorm_resource_class_set_auto_now_add (resource_class, "added");
}

static void
library_book_init (LibraryBook *self)
{
  self->title = g_strdup ("");
}

const char *
library_book_get_title (LibraryBook *self)
{
  return self->title;
}

gint64
library_book_get_author_id (LibraryBook *self)
{
  return self->author_id;
}

int
library_book_get_year (LibraryBook *self)
{
  return self->year;
}

int
library_book_get_pages (LibraryBook *self)
{
  return self->pages;
}

int
library_book_get_rating (LibraryBook *self)
{
  return self->rating;
}

gboolean
library_book_get_read (LibraryBook *self)
{
  return self->read;
}

const char *
library_book_peek_author_name (LibraryBook *self)
{
  LibraryAuthor *author = gorm_resource_peek_related (GORM_RESOURCE (self), "author");

  return author != NULL ? author->name : "";
}

char *
library_format_pages (LibraryBook *book)
{
  if (gorm_resource_is_null (GORM_RESOURCE (book), "pages"))
    return g_strdup ("—");
  return g_strdup_printf ("%d", book->pages);
}

char *
library_format_rating (int rating)
{
  GString *stars = g_string_new (NULL);

  for (int i = 0; i < 5; i++)
    g_string_append (stars, i < rating ? "★" : "☆");
  return g_string_free (stars, FALSE);
}

void
library_book_values_save (LibraryBookValues *values,
                          LibraryBook       *book)
{
  library_book_values_clear (values);
  values->title = g_strdup (book->title);
  values->author_id = book->author_id;
  values->year = book->year;
  values->pages = book->pages;
  values->pages_null = gorm_resource_is_null (GORM_RESOURCE (book), "pages");
  values->rating = book->rating;
  values->read = book->read;
}

/* Sets @values on @book, as the user would (the book becomes dirty).
 * The key and "added" stay. */
gboolean
library_book_values_restore (const LibraryBookValues *values,
                             LibraryBook             *book,
                             GError                 **error)
{
  g_object_set (book,
                "title", values->title,
                "author-id", values->author_id,
                "year", values->year,
                "pages", values->pages,
                "rating", values->rating,
                "read", values->read,
                NULL);
  return !values->pages_null || gorm_resource_set_null (GORM_RESOURCE (book), "pages", error);
}

gboolean
library_book_values_differ (const LibraryBookValues *values,
                            LibraryBook             *book)
{
  return g_strcmp0 (values->title, book->title) != 0 ||
         values->author_id != book->author_id ||
         values->year != book->year ||
         values->pages_null != gorm_resource_is_null (GORM_RESOURCE (book), "pages") ||
         (!values->pages_null && values->pages != book->pages) ||
         values->rating != book->rating ||
         values->read != book->read;
}

void
library_book_values_clear (LibraryBookValues *values)
{
  g_clear_pointer (&values->title, g_free);
}

const GType *
library_model_types (guint *n_types)
{
  static GType types[2];

  types[0] = LIBRARY_TYPE_AUTHOR;
  types[1] = LIBRARY_TYPE_BOOK;
  *n_types = G_N_ELEMENTS (types);
  return types;
}
