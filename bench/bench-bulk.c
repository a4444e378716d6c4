/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Inserts ROWS posts (20,000 by default) with gorm_database_bulk_insert()
 * and with a loop of gorm_resource_save() in one transaction, then
 * writes one property of every post with gorm_database_bulk_update() and
 * with a loop of saves, and prints the rows per second of each in CPU
 * time of the process (what a loaded machine does not change; on
 * PostgreSQL the server's is not counted), best of ROUNDS runs, and of
 * the first run, whose bulk calls prepare their statements: the
 * difference is what preparing them costs (GORM_MAPPER_BULK_PARAMETERS
 * sets their size).
 *
 *   bench-bulk [ROWS] [ROUNDS] [URI]
 *
 * URI defaults to an SQLite file in the temporary directory; give a
 * postgresql:// URI (an empty database the benchmark may fill) for
 * PostgreSQL.
 */

#include <time.h>

#include <glib/gstdio.h>

#include "bench-model.h"

static GPtrArray *
new_posts (GormDatabase *db,
           guint         rows)
{
  g_autoptr(GDateTime) epoch = g_date_time_new_utc (2020, 1, 1, 0, 0, 0);
  GPtrArray *posts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < rows; i++)
    {
      g_autoptr(GDateTime) pub_date = g_date_time_add_seconds (epoch, i % 31536000);
      g_autofree char *title = g_strdup_printf ("Post %u", i);

      g_ptr_array_add (posts, g_object_new (BENCH_TYPE_POST,
                                            "database", db,
                                            "title", title,
                                            "content", "Lorem ipsum dolor sit amet",
                                            "pub-date", pub_date,
                                            "views", (gint64) (i % 10000),
                                            "rating", (i % 5001) / 1000.0,
                                            "published", i % 4 != 0,
                                            "author-id", (gint64) (i % 200 + 1),
                                            NULL));
    }
  return posts;
}

static void
clear_posts (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);

  if (gorm_query_delete (query, NULL, &error) < 0)
    g_error ("%s", error->message);
}

/* The CPU time of the process, in microseconds. */
static gint64
cpu_now (void)
{
  struct timespec now;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec * G_GINT64_CONSTANT (1000000) + now.tv_nsec / 1000;
}

static double
seconds_since (gint64 start)
{
  return (cpu_now () - start) / 1e6;
}

/* Saves each of @posts in one transaction; returns the seconds it took. */
static double
save_all (GormDatabase *db,
          GPtrArray    *posts)
{
  g_autoptr(GError) error = NULL;
  gint64 start = cpu_now ();

  if (!gorm_database_begin (db, NULL, &error))
    g_error ("%s", error->message);
  for (guint i = 0; i < posts->len; i++)
    if (!gorm_resource_save (g_ptr_array_index (posts, i), NULL, &error))
      g_error ("%s", error->message);
  if (!gorm_database_commit (db, NULL, &error))
    g_error ("%s", error->message);
  return seconds_since (start);
}

/* One round: the four ways, each on fresh objects or rows. */
static void
run_round (GormDatabase *db,
           guint         rows,
           double        best[4],
           double        first[4])
{
  g_autoptr(GError) error = NULL;
  const char *views[] = { "views", NULL };
  double seconds[4];
  gint64 start;

  {
    g_autoptr(GPtrArray) posts = new_posts (db, rows);

    clear_posts (db);
    seconds[0] = save_all (db, posts);

    for (guint i = 0; i < rows; i++)
      bench_post_set_views (g_ptr_array_index (posts, i), i + 1);
    seconds[2] = save_all (db, posts);
  }
  {
    g_autoptr(GPtrArray) posts = new_posts (db, rows);

    clear_posts (db);
    start = cpu_now ();
    if (!gorm_database_bulk_insert (db, (GormResource * const *) posts->pdata, rows, NULL, &error))
      g_error ("%s", error->message);
    seconds[1] = seconds_since (start);

    for (guint i = 0; i < rows; i++)
      bench_post_set_views (g_ptr_array_index (posts, i), i + 1);
    start = cpu_now ();
    if (gorm_database_bulk_update (db, (GormResource * const *) posts->pdata, rows, views,
                                   NULL, &error) != rows)
      g_error ("%s", error ? error->message : "rows missing");
    seconds[3] = seconds_since (start);
  }
  for (guint i = 0; i < 4; i++)
    {
      if (first[i] == 0)
        first[i] = seconds[i];
      if (best[i] == 0 || seconds[i] < best[i])
        best[i] = seconds[i];
    }
}

int
main (int   argc,
      char *argv[])
{
  static const char * const names[] = {
    "insert: gorm_resource_save () loop, one transaction",
    "insert: gorm_database_bulk_insert ()",
    "update one property: gorm_resource_save () loop, one transaction",
    "update one property: gorm_database_bulk_update ()",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  guint rows = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  guint rounds = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 3;
  GType types[] = { BENCH_TYPE_AUTHOR, BENCH_TYPE_POST };
  double best[4] = { 0, 0, 0, 0 };
  double first[4] = { 0, 0, 0, 0 };

  if (argc > 3)
    uri = g_strdup (argv[3]);
  else
    {
      path = g_strdup_printf ("%s/gorm-bench-bulk-%d.db", g_get_tmp_dir (), getpid ());
      bench_remove_database (path);
      uri = g_strconcat ("sqlite:", path, NULL);
    }

  db = gorm_database_open (uri, NULL, &error);
  if (db == NULL || !gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error))
    g_error ("%s", error->message);

  for (guint round = 0; round < MAX (rounds, 1); round++)
    run_round (db, rows, best, first);
  clear_posts (db);

  g_print ("%u posts, %s, CPU time of the process\n\n",
           rows, path ? "SQLite file" : "PostgreSQL");
  g_print ("| what | rows/s, best of %u rounds | first round, ms | best round, ms |\n"
           "|---|---:|---:|---:|\n", MAX (rounds, 1));
  for (guint i = 0; i < 4; i++)
    g_print ("| %s | %.0f | %.1f | %.1f |\n", names[i], rows / best[i], first[i] * 1e3,
             best[i] * 1e3);

  g_clear_object (&db);
  if (path != NULL)
    bench_remove_database (path);
  return 0;
}
