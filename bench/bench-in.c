/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * gorm_filter_in() with many values: prints the seconds a count and a
 * fetch (with the model's first item read) take for lists of 1,000,
 * 10,000 and 100,000 values, on the integer primary key and on an indexed
 * text column of a table of 100,000 posts. Half the values match a row.
 * Time linear in the number of values shows as a tenfold step per line
 * (the first version bound one parameter per value: 1,000 values took
 * 0.2 s, 16,000 took 105 s).
 *
 *   bench-in [N-VALUES...]
 */

#include <glib/gstdio.h>

#include "bench-model.h"

#define ROWS 100000

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

/* @n values for @property: every other row's key or title, so that half
 * of them (up to the table's size) match. */
static GValue *
make_values (const char *property,
             guint       n)
{
  GValue *values = g_new0 (GValue, n);
  gboolean key = g_str_equal (property, "id");

  for (guint i = 0; i < n; i++)
    {
      gint64 row = 1 + 2 * (gint64) i;

      if (key)
        {
          g_value_init (&values[i], G_TYPE_INT64);
          g_value_set_int64 (&values[i], row);
        }
      else
        {
          g_value_init (&values[i], G_TYPE_STRING);
          g_value_take_string (&values[i], g_strdup_printf ("Post %" G_GINT64_FORMAT, row - 1));
        }
    }
  return values;
}

static void
free_values (GValue *values,
             guint   n)
{
  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);
  g_free (values);
}

static void
measure (GormDatabase *db,
         const char   *property,
         guint         n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) count_query = gorm_database_query (db, BENCH_TYPE_POST);
  g_autoptr(GormQuery) fetch_query = gorm_database_query (db, BENCH_TYPE_POST);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GObject) first = NULL;
  GValue *values;
  double build, count_s, fetch_s;
  gint64 start, count;

  start = g_get_monotonic_time ();
  values = make_values (property, n);
  gorm_query_filter (count_query, gorm_filter_in (property, values, n));
  gorm_query_filter (fetch_query, gorm_filter_in (property, values, n));
  free_values (values, n);
  build = seconds_since (start);

  start = g_get_monotonic_time ();
  count = gorm_query_count (count_query, NULL, &error);
  count_s = seconds_since (start);
  if (count < 0)
    g_error ("%s", error->message);

  start = g_get_monotonic_time ();
  model = gorm_query_fetch (fetch_query, NULL, &error);
  if (model == NULL)
    g_error ("%s", error->message);
  first = g_list_model_get_item (model, 0);
  fetch_s = seconds_since (start);
  if ((gint64) g_list_model_get_n_items (model) != count || (count > 0 && first == NULL))
    g_error ("the fetch found %u rows, the count %" G_GINT64_FORMAT,
             g_list_model_get_n_items (model), count);

  g_print ("| %u | %s | %" G_GINT64_FORMAT " | %.3f | %.3f | %.3f |\n",
           n, property, count, build, count_s, fetch_s);
}

int
main (int   argc,
      char *argv[])
{
  static const guint default_sizes[] = { 1000, 10000, 100000 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GDateTime) epoch = g_date_time_new_utc (2020, 1, 1, 0, 0, 0);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *path = g_strdup_printf ("%s/gorm-bench-in-%d.db", g_get_tmp_dir (), getpid ());
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autofree char *cpu = bench_cpu_model ();
  GType types[] = { BENCH_TYPE_POST };

  for (int i = 1; i < argc; i++)
    {
      guint n = (guint) g_ascii_strtoull (argv[i], NULL, 10);

      if (n == 0)
        g_error ("Usage: bench-in [N-VALUES...]");
      g_array_append_val (sizes, n);
    }
  if (sizes->len == 0)
    g_array_append_vals (sizes, default_sizes, G_N_ELEMENTS (default_sizes));

  bench_remove_database (path);
  db = gorm_database_open (uri, NULL, &error);
  if (db == NULL || !gorm_database_migrate (db, types, 1, NULL, &error) ||
      !gorm_database_begin (db, NULL, &error))
    g_error ("%s", error->message);
  for (guint i = 0; i < ROWS; i++)
    {
      g_autoptr(GDateTime) pub_date = g_date_time_add_seconds (epoch, i);
      g_autofree char *title = g_strdup_printf ("Post %u", i);
      g_autoptr(GormResource) post = g_object_new (BENCH_TYPE_POST,
                                                   "database", db,
                                                   "title", title,
                                                   "content", "Lorem ipsum",
                                                   "pub-date", pub_date,
                                                   "views", (gint64) i,
                                                   NULL);

      if (!gorm_resource_save (post, NULL, &error))
        g_error ("%s", error->message);
    }
  if (!gorm_database_commit (db, NULL, &error))
    g_error ("%s", error->message);

  g_print ("gorm_filter_in() on a table of %d posts (%s, %s)\n\n", ROWS, path, cpu);
  g_print ("| values | property | matched | build s | count s | fetch s |\n"
           "|---:|---|---:|---:|---:|---:|\n");
  for (guint i = 0; i < sizes->len; i++)
    {
      measure (db, "id", g_array_index (sizes, guint, i));
      measure (db, "title", g_array_index (sizes, guint, i));
    }

  g_clear_object (&db);
  bench_remove_database (path);
  return 0;
}
