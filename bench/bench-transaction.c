/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Inserts 100,000 objects in one transaction and prints the cost per row
 * of each block of 10,000, with the process's resident memory: a flat
 * cost shows that libgda does not track libgorm's transactions
 * (libgda appends every statement of a transaction it tracks to a list
 * it walks on each call: tracked, the cost per row grows from 40 µs to
 * over 1 ms).
 *
 *   bench-transaction [ROWS] [DATABASE-FILE]
 */

#include <glib/gstdio.h>

#include "bench-model.h"

#define BLOCK 10000

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GDateTime) epoch = g_date_time_new_utc (2020, 1, 1, 0, 0, 0);
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  guint rows = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  GType types[] = { BENCH_TYPE_POST };
  double first = 0, last = 0;
  gint64 started;

  path = argc > 2 ? g_strdup (argv[2])
                  : g_strdup_printf ("%s/gorm-bench-transaction-%d.db", g_get_tmp_dir (), getpid ());
  bench_remove_database (path);
  uri = g_strconcat ("sqlite:", path, NULL);

  db = gorm_database_open (uri, NULL, &error);
  if (db == NULL || !gorm_database_migrate (db, types, 1, NULL, &error) ||
      !gorm_database_begin (db, NULL, &error))
    g_error ("%s", error->message);

  g_print ("Inserting %u objects in one transaction (%s)\n\n", rows, path);
  g_print ("| rows | us per row | resident MiB |\n|---:|---:|---:|\n");
  started = g_get_monotonic_time ();
  for (guint done = 0; done < rows;)
    {
      gint64 block_start = g_get_monotonic_time ();
      guint block = MIN (BLOCK, rows - done);
      double per_row;

      for (guint i = 0; i < block; i++, done++)
        {
          g_autoptr(GDateTime) pub_date = g_date_time_add_seconds (epoch, done % 31536000);
          g_autofree char *title = g_strdup_printf ("Post %u", done);
          g_autoptr(GormResource) post = g_object_new (BENCH_TYPE_POST,
                                                       "database", db,
                                                       "title", title,
                                                       "content", "Lorem ipsum dolor sit amet",
                                                       "pub-date", pub_date,
                                                       "views", (gint64) (done % 10000),
                                                       "rating", (done % 5001) / 1000.0,
                                                       "published", done % 4 != 0,
                                                       "author-id", (gint64) (done % 200 + 1),
                                                       NULL);

          if (!gorm_resource_save (post, NULL, &error))
            g_error ("%s", error->message);
        }

      per_row = (double) (g_get_monotonic_time () - block_start) / block;
      if (done <= BLOCK)
        first = per_row;
      last = per_row;
      g_print ("| %u-%u | %.1f | %.1f |\n", done - block + 1, done, per_row,
               bench_status_kib ("VmRSS:") / 1024.0);
    }

  if (!gorm_database_commit (db, NULL, &error))
    g_error ("%s", error->message);

  g_print ("\nTotal %.2f s, %.0f rows/s; last block / first block: %.2f\n",
           (g_get_monotonic_time () - started) / 1e6,
           rows / ((g_get_monotonic_time () - started) / 1e6), last / first);

  g_clear_object (&db);
  bench_remove_database (path);
  return 0;
}
