/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The blog of the seed, in C: a BlogPost resource, saved to and read back
 * from an SQLite file or a PostgreSQL database.
 *
 *   blog [PATH | URI]
 *
 * PATH is an SQLite database file (":memory:" is a database in memory);
 * it defaults to $XDG_DATA_HOME/libgorm-blog/blog.db. A URI is opened as
 * it is: sqlite:PATH, or postgresql://USER:PASSWORD@HOST:PORT/DBNAME.
 * Each run adds a post and prints every post stored so far.
 */

#include <errno.h>
#include <locale.h>
#include <string.h>

#include <gorm.h>

#define BLOG_TYPE_POST (blog_post_get_type ())

G_DECLARE_FINAL_TYPE (BlogPost, blog_post, BLOG, POST, GormResource)

struct _BlogPost
{
  GormResource  parent_instance;

  char         *title;
  char         *content;
  GDateTime    *pub_date;
};

G_DEFINE_FINAL_TYPE (BlogPost, blog_post, GORM_TYPE_RESOURCE)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_CONTENT,
  PROP_PUB_DATE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
blog_post_finalize (GObject *object)
{
  BlogPost *self = BLOG_POST (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->content, g_free);
  g_clear_pointer (&self->pub_date, g_date_time_unref);

  G_OBJECT_CLASS (blog_post_parent_class)->finalize (object);
}

static void
blog_post_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BlogPost *self = BLOG_POST (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_CONTENT:
      g_value_set_string (value, self->content);
      break;

    case PROP_PUB_DATE:
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

static void
blog_post_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BlogPost *self = BLOG_POST (object);

  /* libgorm writes only the columns whose properties were notified, so a
   * property notifies when its value really changes, and only then. */
  switch (prop_id)
    {
    case PROP_TITLE:
      if (set_string (&self->title, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;

    case PROP_CONTENT:
      if (set_string (&self->content, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;

    case PROP_PUB_DATE:
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
blog_post_class_init (BlogPostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  object_class->finalize = blog_post_finalize;
  object_class->get_property = blog_post_get_property;
  object_class->set_property = blog_post_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONTENT] =
    g_param_spec_string ("content", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PUB_DATE] =
    g_param_spec_boxed ("pub-date", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Stored in the table blog_post, with the columns id, title, content
   * and pub_date. */
  gorm_resource_class_set_max_length (resource_class, "title", 200);
  gorm_resource_class_set_auto_now_add (resource_class, "pub-date");
}

static void
blog_post_init (BlogPost *self)
{
}

static char *
default_database_path (GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "libgorm-blog", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create the directory “%s”: %s", dir, g_strerror (saved_errno));
      return NULL;
    }
  return g_build_filename (dir, "blog.db", NULL);
}

/* The URI of DATABASE: a URI as it is, a file as an sqlite: URI. */
static char *
database_uri (const char *database)
{
  if (g_uri_peek_scheme (database) != NULL)
    return g_strdup (database);
  return g_strconcat ("sqlite:", database, NULL);
}

/* DATABASE as the demo prints it: without the password of a URI. */
static char *
database_display_name (const char *database)
{
  g_autoptr(GUri) uri = NULL;

  if (strstr (database, "://") != NULL)
    uri = g_uri_parse (database, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return g_strdup (database);
  return g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);
}

static gboolean
run (const char  *database,
     GError     **error)
{
  g_autofree char *uri = database_uri (database);
  g_autofree char *where = database_display_name (database);
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(BlogPost) post = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) posts = NULL;
  GType types[] = { BLOG_TYPE_POST };
  guint n_posts;

  db = gorm_database_open (uri, NULL, error);
  if (db == NULL)
    return FALSE;
  if (!gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, error))
    return FALSE;

  post = g_object_new (BLOG_TYPE_POST,
                       "database", db,
                       "title", "My First Post",
                       "content", "Hello, world!",
                       NULL);
  if (!gorm_resource_save (GORM_RESOURCE (post), NULL, error))
    return FALSE;
  g_print ("Saved post %" G_GINT64_FORMAT " in %s\n",
           gorm_resource_get_id (GORM_RESOURCE (post)), where);

  /* Every post, oldest first. */
  query = gorm_database_query (db, BLOG_TYPE_POST);
  gorm_query_order_by (query, "pub-date", FALSE);
  posts = gorm_query_fetch (query, NULL, error);
  if (posts == NULL)
    return FALSE;

  n_posts = g_list_model_get_n_items (posts);
  g_print ("%u %s:\n", n_posts, n_posts == 1 ? "post" : "posts");
  for (guint i = 0; i < n_posts; i++)
    {
      g_autoptr(BlogPost) stored = g_list_model_get_item (posts, i);
      g_autoptr(GDateTime) local = NULL;
      g_autofree char *when = NULL;

      if (stored->pub_date != NULL)
        {
          local = g_date_time_to_local (stored->pub_date);
          when = g_date_time_format (local, "%Y-%m-%d %H:%M");
        }
      g_print ("  %s (%s)\n", stored->title ? stored->title : "(untitled)", when ? when : "unpublished");
    }

  return gorm_database_close (db, NULL, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;

  setlocale (LC_ALL, "");

  if (argc > 2)
    {
      g_printerr ("Usage: %s [DATABASE-FILE | URI]\n", argv[0]);
      return 1;
    }

  database = argc > 1 ? g_strdup (argv[1]) : default_database_path (&error);
  if (database == NULL || !run (database, &error))
    {
      g_printerr ("blog: %s\n", error->message);
      return 1;
    }

  return 0;
}
