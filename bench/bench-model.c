/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include <glib/gstdio.h>

#include "bench-model.h"

struct _BenchPost
{
  GormResource parent_instance;

  char        *title;
  char        *content;
  GDateTime   *pub_date;
  gint64       views;
  double       rating;
  gboolean     published;
  gint64       author_id;
};

G_DEFINE_FINAL_TYPE (BenchPost, bench_post, GORM_TYPE_RESOURCE)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_CONTENT,
  PROP_PUB_DATE,
  PROP_VIEWS,
  PROP_RATING,
  PROP_PUBLISHED,
  PROP_AUTHOR_ID,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
bench_post_finalize (GObject *object)
{
  BenchPost *self = BENCH_POST (object);

  g_free (self->title);
  g_free (self->content);
  g_clear_pointer (&self->pub_date, g_date_time_unref);

  G_OBJECT_CLASS (bench_post_parent_class)->finalize (object);
}

static void
bench_post_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BenchPost *self = BENCH_POST (object);

  switch (prop_id)
    {
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_CONTENT: g_value_set_string (value, self->content); break;
    case PROP_PUB_DATE: g_value_set_boxed (value, self->pub_date); break;
    case PROP_VIEWS: g_value_set_int64 (value, self->views); break;
    case PROP_RATING: g_value_set_double (value, self->rating); break;
    case PROP_PUBLISHED: g_value_set_boolean (value, self->published); break;
    case PROP_AUTHOR_ID: g_value_set_int64 (value, self->author_id); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bench_post_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  BenchPost *self = BENCH_POST (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      break;
    case PROP_CONTENT:
      g_free (self->content);
      self->content = g_value_dup_string (value);
      break;
    case PROP_PUB_DATE:
      g_clear_pointer (&self->pub_date, g_date_time_unref);
      self->pub_date = g_value_dup_boxed (value);
      break;
    case PROP_VIEWS: self->views = g_value_get_int64 (value); break;
    case PROP_RATING: self->rating = g_value_get_double (value); break;
    case PROP_PUBLISHED: self->published = g_value_get_boolean (value); break;
    case PROP_AUTHOR_ID: self->author_id = g_value_get_int64 (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bench_post_class_init (BenchPostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  object_class->finalize = bench_post_finalize;
  object_class->get_property = bench_post_get_property;
  object_class->set_property = bench_post_set_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONTENT] = g_param_spec_string ("content", NULL, NULL, NULL,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PUB_DATE] = g_param_spec_boxed ("pub-date", NULL, NULL, G_TYPE_DATE_TIME,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEWS] = g_param_spec_int64 ("views", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RATING] = g_param_spec_double ("rating", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PUBLISHED] = g_param_spec_boolean ("published", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTHOR_ID] = g_param_spec_int64 ("author-id", NULL, NULL, 0, G_MAXINT64, 0,
                                                   G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gorm_resource_class_set_table (resource_class, "blogpost");
  gorm_resource_class_set_max_length (resource_class, "title", 200);
  gorm_resource_class_set_not_null (resource_class, "title");
  gorm_resource_class_set_indexed (resource_class, "pub-date");
#ifdef BENCH_MODEL_FOREIGN_KEY
  /* The relation "author" (and "bench_post_set" on BenchAuthor): a
   * foreign key, which also gives the column its index. */
  gorm_resource_class_set_foreign_key (resource_class, "author-id", BENCH_TYPE_AUTHOR,
                                       GORM_ON_DELETE_CASCADE);
#else
  gorm_resource_class_set_indexed (resource_class, "author-id");
#endif
}

static void
bench_post_init (BenchPost *self)
{
}

/* The accessors a C class usually has: what a C user of libgorm reads its
 * objects with. */
const char *
bench_post_get_title (BenchPost *self)
{
  return self->title;
}

const char *
bench_post_get_content (BenchPost *self)
{
  return self->content;
}

GDateTime *
bench_post_get_pub_date (BenchPost *self)
{
  return self->pub_date;
}

gint64
bench_post_get_views (BenchPost *self)
{
  return self->views;
}

/* A setter notifies, which is how libgorm learns the column changed. */
void
bench_post_set_views (BenchPost *self,
                      gint64     views)
{
  if (self->views == views)
    return;
  self->views = views;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEWS]);
}

double
bench_post_get_rating (BenchPost *self)
{
  return self->rating;
}

gboolean
bench_post_get_published (BenchPost *self)
{
  return self->published;
}

gint64
bench_post_get_author_id (BenchPost *self)
{
  return self->author_id;
}

struct _BenchAuthor
{
  GormResource parent_instance;
  char        *name;
};

const char *
bench_author_get_name (BenchAuthor *self)
{
  return self->name;
}

G_DEFINE_FINAL_TYPE (BenchAuthor, bench_author, GORM_TYPE_RESOURCE)

enum {
  AUTHOR_PROP_0,
  AUTHOR_PROP_NAME,
  AUTHOR_N_PROPS,
};

static GParamSpec *author_properties[AUTHOR_N_PROPS];

static void
bench_author_finalize (GObject *object)
{
  g_free (BENCH_AUTHOR (object)->name);
  G_OBJECT_CLASS (bench_author_parent_class)->finalize (object);
}

static void
bench_author_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  if (prop_id == AUTHOR_PROP_NAME)
    g_value_set_string (value, BENCH_AUTHOR (object)->name);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
bench_author_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  BenchAuthor *self = BENCH_AUTHOR (object);

  if (prop_id == AUTHOR_PROP_NAME)
    {
      g_free (self->name);
      self->name = g_value_dup_string (value);
    }
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
bench_author_class_init (BenchAuthorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  object_class->finalize = bench_author_finalize;
  object_class->get_property = bench_author_get_property;
  object_class->set_property = bench_author_set_property;

  author_properties[AUTHOR_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, AUTHOR_N_PROPS, author_properties);

  gorm_resource_class_set_table (resource_class, "author");
  gorm_resource_class_set_max_length (resource_class, "name", 100);
  gorm_resource_class_set_not_null (resource_class, "name");
  gorm_resource_class_set_unique (resource_class, "name");
}

static void
bench_author_init (BenchAuthor *self)
{
}

/* Removes an SQLite file with its WAL, shared-memory and journal files. */
void
bench_remove_database (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
}

/* A field of /proc/self/status in KiB ("VmRSS:", "VmHWM:"), or -1. */
long
bench_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line ? strtol (line + strlen (field), NULL, 10) : -1;
}

/* The processor's model name, for the report. */
char *
bench_cpu_model (void)
{
  g_autofree char *cpuinfo = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL) ||
      (line = strstr (cpuinfo, "model name")) == NULL ||
      (line = strchr (line, ':')) == NULL)
    return g_strdup ("?");
  return g_strstrip (g_strndup (line + 1, strcspn (line + 1, "\n")));
}
