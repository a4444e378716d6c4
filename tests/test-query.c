/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-test-utils.h"

/* A type with a 64-bit counter and a natural key, for bulk updates. */
TEST_DEFINE_RESOURCE (TestCounter, test_counter)
#define TEST_TYPE_COUNTER (test_counter_get_type ())

static void
test_counter_class_init (TestCounterClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("slug", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("total", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_string ("note", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_primary_key (resource_class, "slug");
  gorm_resource_class_set_max_length (resource_class, "note", 5);
}

/* Helpers */

static GValue *
int_value (GValue *value,
           gint    number)
{
  g_value_init (value, G_TYPE_INT);
  g_value_set_int (value, number);
  return value;
}

static GValue *
string_value (GValue     *value,
              const char *text)
{
  g_value_init (value, G_TYPE_STRING);
  g_value_set_string (value, text);
  return value;
}

static void
save_ok (gpointer resource)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_resource_save (resource, NULL, &error));
  g_assert_no_error (error);
}

static GormResource *
new_post (GormDatabase *db,
          const char   *title,
          int           views,
          gboolean      published)
{
  GormResource *post = g_object_new (TEST_TYPE_POST, "database", db, "title", title,
                                     "views", views, "published", published, NULL);

  save_ok (post);
  return post;
}

/* Posts "p0" … "p<n-1>": views i * 10 % 70 (so equal views exist from
 * n > 7), published when i is even. */
static GormDatabase *
open_with_posts (guint n)
{
  GormDatabase *db = test_open_memory ();
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_true (gorm_database_begin (db, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("p%u", i);

      g_object_unref (new_post (db, title, (int) (i * 10 % 70), i % 2 == 0));
    }
  g_assert_true (gorm_database_commit (db, &error));
  g_assert_no_error (error);
  return db;
}

/* The titles of the objects @query finds, in order, space-separated. */
static char *
titles (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = gorm_query_fetch (query, NULL, &error);
  g_autoptr(GString) text = g_string_new ("");

  g_assert_no_error (error);
  g_assert_nonnull (model);
  g_assert_true (g_list_model_get_item_type (model) == gorm_query_get_item_type (query));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) post = g_list_model_get_item (model, i);
      g_autofree char *title = NULL;

      g_object_get (post, "title", &title, NULL);
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, title);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gint64
count_ok (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  gint64 count = gorm_query_count (query, NULL, &error);

  g_assert_no_error (error);
  return count;
}

static gboolean
exists_ok (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  gboolean exists = gorm_query_exists (query, NULL, &error);

  g_assert_no_error (error);
  return exists;
}

static char *
first_title (GormQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) post = gorm_query_first (query, NULL, &error);
  char *title = NULL;

  g_assert_no_error (error);
  if (post != NULL)
    g_object_get (post, "title", &title, NULL);
  return title;
}

static gint64
count_where (GormDatabase *db,
             GormFilter   *filter)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_POST);

  return count_ok (gorm_query_filter (query, filter));
}

/* Tests */

static void
test_properties (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_POST);
  g_autoptr(GormDatabase) database = NULL;
  GType type = G_TYPE_INVALID;

  g_assert_true (GORM_IS_QUERY (query));
  g_assert_true (gorm_query_get_database (query) == db);
  g_assert_true (gorm_query_get_item_type (query) == TEST_TYPE_POST);
  g_object_get (query, "database", &database, "item-type", &type, NULL);
  g_assert_true (database == db);
  g_assert_true (type == TEST_TYPE_POST);
  /* The builder returns the query itself. */
  g_assert_true (gorm_query_limit (query, 1) == query);
  g_assert_true (gorm_query_offset (query, 1) == query);
  g_assert_true (gorm_query_order_by (query, "title", FALSE) == query);
  g_assert_true (gorm_query_filter (query, gorm_filter_is_null ("content")) == query);

  g_clear_object (&database);
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_order_by (void)
{
  g_autoptr(GormDatabase) db = open_with_posts (10);
  static const struct
  {
    const char *first;
    gboolean    first_descending;
    const char *second;
    gboolean    second_descending;
    const char *expected;
  } cases[] = {
    /* Without an order: by primary key. */
    { NULL, FALSE, NULL, FALSE, "p0 p1 p2 p3 p4 p5 p6 p7 p8 p9" },
    /* Views: p0 0, p1 10, …, p6 60, p7 0, p8 10, p9 20; ties by key. */
    { "views", FALSE, NULL, FALSE, "p0 p7 p1 p8 p2 p9 p3 p4 p5 p6" },
    { "views", TRUE, NULL, FALSE, "p6 p5 p4 p3 p2 p9 p1 p8 p0 p7" },
    { "views", TRUE, "title", TRUE, "p6 p5 p4 p3 p9 p2 p8 p1 p7 p0" },
    { "views", FALSE, "title", TRUE, "p7 p0 p8 p1 p9 p2 p3 p4 p5 p6" },
    { "published", TRUE, "views", TRUE, "p6 p4 p2 p0 p8 p5 p3 p9 p1 p7" },
    { "published", FALSE, "title", FALSE, "p1 p3 p5 p7 p9 p0 p2 p4 p6 p8" },
    { "title", TRUE, NULL, FALSE, "p9 p8 p7 p6 p5 p4 p3 p2 p1 p0" },
    { "id", TRUE, NULL, FALSE, "p9 p8 p7 p6 p5 p4 p3 p2 p1 p0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_POST);
      g_autofree char *found = NULL;
      g_autofree char *first = NULL;
      g_auto(GStrv) expected = g_strsplit (cases[i].expected, " ", -1);

      if (cases[i].first != NULL)
        gorm_query_order_by (query, cases[i].first, cases[i].first_descending);
      if (cases[i].second != NULL)
        gorm_query_order_by (query, cases[i].second, cases[i].second_descending);
      found = titles (query);
      g_assert_cmpstr (found, ==, cases[i].expected);
      first = first_title (query);
      g_assert_cmpstr (first, ==, expected[0]);
    }

  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Date-times order by instant, whatever zone they were saved in. */
static void
test_order_by_time (void)
{
  g_autoptr(GormDatabase) db = open_with_posts (3);
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_POST);
  static const char * const dates[] = {
    "2024-01-01T12:00:00+09:00",   /* 03:00 UTC */
    "2024-01-01T01:00:00-05:00",   /* 06:00 UTC */
    "2024-01-01T04:00:00.5Z",
  };
  g_autofree char *found = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autoptr(GormResource) post = gorm_database_get (db, TEST_TYPE_POST, i + 1, NULL, NULL);
      g_autoptr(GDateTime) date = g_date_time_new_from_iso8601 (dates[i], NULL);

      g_object_set (post, "pub-date", date, NULL);
      save_ok (post);
    }

  gorm_query_order_by (query, "pub-date", FALSE);
  found = titles (query);
  g_assert_cmpstr (found, ==, "p0 p2 p1");
  g_clear_pointer (&found, g_free);
  gorm_query_order_by (g_steal_pointer (&query) ? NULL : NULL, "pub-date", TRUE);

  g_assert_finalize_object (g_steal_pointer (&db));
}
