/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * raw_libpq: the lower bound on PostgreSQL, what raw_sqlite is on SQLite.
 * libpq with every statement prepared once per operation (PQprepare, then
 * PQexecPrepared with text parameters and text results, deallocated at
 * the end of the operation), new ids from `INSERT … RETURNING id`,
 * BEGIN / COMMIT sent as plain statements, plain C structs; strings are
 * copied (strdup) and pub_date is parsed into struct fields
 * (bench/WORKLOAD.md, "Rules for implementations").
 */

#define _GNU_SOURCE

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "workload.h"

static WorkloadRun run;
static PGconn *conn;

static void
check (PGresult   *result,
       const char *what)
{
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    workload_fail (&run, what, PQerrorMessage (conn));
}

static void
exec (const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  check (result, sql);
  PQclear (result);
}

static void
prepare (const char *name,
         const char *sql)
{
  PGresult *result = PQprepare (conn, name, sql, 0, NULL);

  check (result, sql);
  PQclear (result);
}

static void
deallocate (const char *name)
{
  char sql[64];

  snprintf (sql, sizeof sql, "DEALLOCATE %s", name);
  exec (sql);
}

/* Runs the prepared statement @name with @n text parameters; the caller
 * clears the result. */
static PGresult *
run_prepared (const char         *name,
              int                 n,
              const char * const *values)
{
  PGresult *result = PQexecPrepared (conn, name, n, values, NULL, NULL, 0);

  check (result, name);
  return result;
}

static int64_t
int64_at (PGresult *result,
          int       row,
          int       column)
{
  return strtoll (PQgetvalue (result, row, column), NULL, 10);
}

static char *
dup_at (PGresult *result,
        int       row,
        int       column)
{
  return PQgetisnull (result, row, column) ? NULL : strdup (PQgetvalue (result, row, column));
}

static void
post_from_row (PGresult    *result,
               int          row,
               WorkloadRow *post)
{
  const char *date = PQgetvalue (result, row, 3);

  post->id = int64_at (result, row, 0);
  post->title = dup_at (result, row, 1);
  post->content = dup_at (result, row, 2);
  if (!workload_date_parse (date, &post->pub_date))
    workload_fail (&run, "pub_date", date);
  post->views = int64_at (result, row, 4);
  post->rating = strtod (PQgetvalue (result, row, 5), NULL);
  post->published = PQgetvalue (result, row, 6)[0] == 't';
  post->author_id = int64_at (result, row, 7);
}

static void
select_posts (const char         *name,
              int                 n,
              const char * const *values,
              WorkloadRowList    *list)
{
  PGresult *result = run_prepared (name, n, values);
  int rows = PQntuples (result);

  for (int row = 0; row < rows; row++)
    post_from_row (result, row, workload_post_list_add (list));
  PQclear (result);
}

static void
op_insert (WorkloadRow    *posts,
           WorkloadAuthor *authors)
{
  const WorkloadData *data = run.data;

  prepare ("author_insert", "INSERT INTO author (name) VALUES ($1) RETURNING id");
  prepare ("post_insert", "INSERT INTO blogpost (title, content, pub_date, views, rating, "
                          "published, author_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id");
  exec ("BEGIN");
  for (int i = 0; i < WORKLOAD_N_AUTHORS; i++)
    {
      const char *values[1];
      PGresult *result;

      authors[i].name = strdup (data->authors[i]);
      values[0] = authors[i].name;
      result = run_prepared ("author_insert", 1, values);
      authors[i].id = int64_at (result, 0, 0);
      PQclear (result);
    }
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      const WorkloadPost *in = &data->posts[i];
      WorkloadRow *post = &posts[i];
      char date[20], views[24], rating[32], author_id[24];
      const char *values[7];
      PGresult *result;

      post->title = strdup (in->title);
      post->content = strdup (in->content);
      post->pub_date = in->pub_date;
      post->views = in->views;
      post->rating = in->rating;
      post->published = in->published;
      post->author_id = authors[in->author].id;

      workload_date_format (&post->pub_date, date);
      snprintf (views, sizeof views, "%" PRId64, post->views);
      snprintf (rating, sizeof rating, "%.17g", post->rating);
      snprintf (author_id, sizeof author_id, "%" PRId64, post->author_id);
      values[0] = post->title;
      values[1] = post->content;
      values[2] = date;
      values[3] = views;
      values[4] = rating;
      values[5] = post->published ? "t" : "f";
      values[6] = author_id;
      result = run_prepared ("post_insert", 7, values);
      post->id = int64_at (result, 0, 0);
      PQclear (result);
    }
  exec ("COMMIT");
  deallocate ("author_insert");
  deallocate ("post_insert");

  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    run.checks.insert_sum_id += posts[i].id;
}

static void
op_fetch_all (WorkloadRowList *list)
{
  prepare ("fetch_all", "SELECT " WORKLOAD_COLUMNS " FROM blogpost");
  select_posts ("fetch_all", 0, NULL, list);
  deallocate ("fetch_all");
  for (size_t i = 0; i < list->len; i++)
    {
      const WorkloadRow *p = &list->items[i];

      workload_read_post (&run.checks, p->id, p->title, p->content, &p->pub_date, p->views,
                          p->rating, p->published, p->author_id);
    }
  workload_fetch_done (&run.checks);
}

static void
op_fetch_related (WorkloadRelatedList *list)
{
  PGresult *result;
  int rows;

  prepare ("fetch_related", WORKLOAD_RELATED_SELECT);
  result = run_prepared ("fetch_related", 0, NULL);
  rows = PQntuples (result);
  for (int row = 0; row < rows; row++)
    {
      WorkloadRelatedRow *r = workload_related_list_add (list);

      post_from_row (result, row, &r->post);
      r->author.id = int64_at (result, row, 8);
      r->author.name = dup_at (result, row, 9);
    }
  PQclear (result);
  deallocate ("fetch_related");
  for (size_t i = 0; i < list->len; i++)
    workload_read_related (&run.checks, list->items[i].post.id, list->items[i].author.name);
}

static void
op_filter (WorkloadRowList *list)
{
  prepare ("filter", "SELECT " WORKLOAD_COLUMNS " FROM blogpost WHERE views > $1 AND "
                     "published = TRUE ORDER BY pub_date DESC LIMIT 20");
  for (int q = 0; q < WORKLOAD_N_FILTERS; q++)
    {
      char views[24];
      const char *values[] = { views };

      snprintf (views, sizeof views, "%" PRId64, run.data->filter_views[q]);
      workload_post_list_clear (list);
      select_posts ("filter", 1, values, list);
      for (size_t i = 0; i < list->len; i++)
        run.checks.filter_sum_id += list->items[i].id;
    }
  deallocate ("filter");
}

static void
op_get_by_pk (WorkloadRowList *list)
{
  prepare ("get", "SELECT " WORKLOAD_COLUMNS " FROM blogpost WHERE id = $1");
  for (int q = 0; q < WORKLOAD_N_GETS; q++)
    {
      char id[24];
      const char *values[] = { id };

      snprintf (id, sizeof id, "%" PRId64, run.data->get_ids[q]);
      workload_post_list_clear (list);
      select_posts ("get", 1, values, list);
      if (list->len != 1)
        workload_fail (&run, "get_by_pk", "not found");
      run.checks.get_sum_views += list->items[0].views;
    }
  deallocate ("get");
}

static void
op_count (void)
{
  prepare ("count", "SELECT count(*) FROM blogpost WHERE author_id = $1 AND published = TRUE");
  for (int q = 0; q < WORKLOAD_N_COUNTS; q++)
    {
      char author_id[24];
      const char *values[] = { author_id };
      PGresult *result;

      snprintf (author_id, sizeof author_id, "%" PRId64, run.data->count_authors[q]);
      result = run_prepared ("count", 1, values);
      run.checks.count_sum += int64_at (result, 0, 0);
      PQclear (result);
    }
  deallocate ("count");
}

static void
op_count_related (const WorkloadAuthor *authors,
                  int                   n_authors)
{
  prepare ("count_related", WORKLOAD_COUNT_RELATED_SQL ("$1"));
  for (int i = 0; i < n_authors; i++)
    {
      char author_id[24];
      const char *values[] = { author_id };
      PGresult *result;

      snprintf (author_id, sizeof author_id, "%" PRId64, authors[i].id);
      result = run_prepared ("count_related", 1, values);
      workload_count_related (&run.checks, authors[i].id, int64_at (result, 0, 0));
      PQclear (result);
    }
  deallocate ("count_related");
}

static void
op_aggregate (void)
{
  PGresult *result;
  int rows;

  prepare ("aggregate", WORKLOAD_AGGREGATE_SELECT);
  result = run_prepared ("aggregate", 0, NULL);
  rows = PQntuples (result);
  /* sum(bigint) is a numeric: an integer's digits here. */
  for (int row = 0; row < rows; row++)
    workload_aggregate_row (&run.checks, int64_at (result, row, 0), int64_at (result, row, 1),
                            int64_at (result, row, 2));
  PQclear (result);
  deallocate ("aggregate");
}

/* The authors as objects, for count_related. */
static int
load_authors (WorkloadAuthor *authors)
{
  PGresult *result = PQexec (conn, WORKLOAD_AUTHORS_SELECT);
  int n;

  check (result, WORKLOAD_AUTHORS_SELECT);
  n = PQntuples (result) < WORKLOAD_N_AUTHORS ? PQntuples (result) : WORKLOAD_N_AUTHORS;
  for (int row = 0; row < n; row++)
    {
      authors[row].id = int64_at (result, row, 0);
      authors[row].name = dup_at (result, row, 1);
    }
  PQclear (result);
  return n;
}

static void
op_update (WorkloadRowList *list)
{
  prepare ("update", "UPDATE blogpost SET views = $1 WHERE id = $2");
  exec ("BEGIN");
  for (size_t i = 0; i < list->len; i++)
    {
      WorkloadRow *post = &list->items[i];
      char views[24], id[24];
      const char *values[] = { views, id };

      post->views++;
      snprintf (views, sizeof views, "%" PRId64, post->views);
      snprintf (id, sizeof id, "%" PRId64, post->id);
      PQclear (run_prepared ("update", 2, values));
    }
  exec ("COMMIT");
  deallocate ("update");
}

static void
op_delete_bulk (void)
{
  PGresult *result;

  prepare ("delete_bulk", "DELETE FROM blogpost WHERE views < 5000");
  result = run_prepared ("delete_bulk", 0, NULL);
  run.checks.delete_bulk_rows = strtoll (PQcmdTuples (result), NULL, 10);
  PQclear (result);
  deallocate ("delete_bulk");
}

static void
op_delete_each (WorkloadRowList *list)
{
  prepare ("delete", "DELETE FROM blogpost WHERE id = $1");
  exec ("BEGIN");
  for (size_t i = 0; i < list->len; i++)
    {
      char id[24];
      const char *values[] = { id };

      snprintf (id, sizeof id, "%" PRId64, list->items[i].id);
      PQclear (run_prepared ("delete", 1, values));
    }
  exec ("COMMIT");
  deallocate ("delete");
}

static void
dollar (int   row,
        int   column,
        int   k,
        char *buffer)
{
  snprintf (buffer, 64, "$%d", k);
}

/* 20,000 new posts in multi-row INSERTs of WORKLOAD_BULK_BATCH rows, one
 * transaction, the ids from RETURNING (in the order of the rows). */
static void
op_bulk_create (WorkloadRow          *posts,
                const WorkloadAuthor *authors)
{
  static const char *values[WORKLOAD_BULK_BATCH * 7];
  static char numbers[WORKLOAD_BULK_BATCH][4][32];
  char *sql = NULL;

  workload_copy_posts (&run, posts, authors);
  sql = workload_bulk_insert_sql (WORKLOAD_BULK_BATCH, dollar);
  sql = realloc (sql, strlen (sql) + 16);
  strcat (sql, " RETURNING id");
  prepare ("bulk", sql);
  free (sql);
  exec ("BEGIN");
  for (int start = 0; start < WORKLOAD_N_POSTS; start += WORKLOAD_BULK_BATCH)
    {
      int n = WORKLOAD_N_POSTS - start < WORKLOAD_BULK_BATCH ? WORKLOAD_N_POSTS - start
                                                              : WORKLOAD_BULK_BATCH;
      const char *name = "bulk";
      PGresult *result;

      if (n < WORKLOAD_BULK_BATCH)
        {
          sql = workload_bulk_insert_sql (n, dollar);
          sql = realloc (sql, strlen (sql) + 16);
          strcat (sql, " RETURNING id");
          prepare ("bulk_rest", sql);
          free (sql);
          name = "bulk_rest";
        }
      for (int r = 0; r < n; r++)
        {
          const WorkloadRow *post = &posts[start + r];
          const char **v = values + r * 7;

          workload_date_format (&post->pub_date, numbers[r][0]);
          snprintf (numbers[r][1], 32, "%" PRId64, post->views);
          snprintf (numbers[r][2], 32, "%.17g", post->rating);
          snprintf (numbers[r][3], 32, "%" PRId64, post->author_id);
          v[0] = post->title;
          v[1] = post->content;
          v[2] = numbers[r][0];
          v[3] = numbers[r][1];
          v[4] = numbers[r][2];
          v[5] = post->published ? "t" : "f";
          v[6] = numbers[r][3];
        }
      result = run_prepared (name, n * 7, values);
      if (PQntuples (result) != n)
        workload_fail (&run, "bulk insert", "not one id per row");
      for (int r = 0; r < n; r++)
        posts[start + r].id = int64_at (result, r, 0);
      PQclear (result);
      if (n < WORKLOAD_BULK_BATCH)
        deallocate ("bulk_rest");
    }
  exec ("COMMIT");
  deallocate ("bulk");
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    workload_bulk_post (&run.checks, posts[i].id);
}

static void
load_posts (const char      *sql,
            WorkloadRowList *list)
{
  prepare ("load", sql);
  select_posts ("load", 0, NULL, list);
  deallocate ("load");
}

int
main (int   argc,
      char *argv[])
{
  static WorkloadRow posts[WORKLOAD_MAX_POSTS];
  static WorkloadAuthor authors[WORKLOAD_MAX_AUTHORS];
  static WorkloadAuthor loaded[WORKLOAD_MAX_AUTHORS];
  WorkloadRowList list = { 0 };
  WorkloadRelatedList related = { 0 };
  char version[32];
  int n_loaded;

  workload_init (&run, "raw_libpq", WORKLOAD_ENGINE_POSTGRESQL, argc, argv);
  conn = PQconnectdb (run.pg_uri);
  if (PQstatus (conn) != CONNECTION_OK)
    workload_fail (&run, run.pg_dbname, PQerrorMessage (conn));
  exec (WORKLOAD_SCHEMA_POSTGRESQL);

  workload_begin (&run, WORKLOAD_INSERT);
  op_insert (posts, authors);
  workload_end (&run, WORKLOAD_INSERT);

  workload_begin (&run, WORKLOAD_FETCH_ALL);
  op_fetch_all (&list);
  workload_end (&run, WORKLOAD_FETCH_ALL);
  workload_post_list_clear (&list);

  workload_begin (&run, WORKLOAD_FETCH_RELATED);
  op_fetch_related (&related);
  workload_end (&run, WORKLOAD_FETCH_RELATED);
  workload_related_list_clear (&related);
  free (related.items);

  workload_begin (&run, WORKLOAD_FILTER);
  op_filter (&list);
  workload_end (&run, WORKLOAD_FILTER);
  workload_post_list_clear (&list);

  workload_begin (&run, WORKLOAD_GET_BY_PK);
  op_get_by_pk (&list);
  workload_end (&run, WORKLOAD_GET_BY_PK);
  workload_post_list_clear (&list);

  workload_begin (&run, WORKLOAD_COUNT);
  op_count ();
  workload_end (&run, WORKLOAD_COUNT);

  n_loaded = load_authors (loaded);
  workload_begin (&run, WORKLOAD_COUNT_RELATED);
  op_count_related (loaded, n_loaded);
  workload_end (&run, WORKLOAD_COUNT_RELATED);
  for (int i = 0; i < n_loaded; i++)
    free (loaded[i].name);

  workload_begin (&run, WORKLOAD_AGGREGATE);
  op_aggregate ();
  workload_end (&run, WORKLOAD_AGGREGATE);

  load_posts ("SELECT " WORKLOAD_COLUMNS " FROM blogpost", &list);
  workload_begin (&run, WORKLOAD_UPDATE);
  op_update (&list);
  workload_end (&run, WORKLOAD_UPDATE);
  workload_post_list_clear (&list);

  workload_begin (&run, WORKLOAD_DELETE_BULK);
  op_delete_bulk ();
  workload_end (&run, WORKLOAD_DELETE_BULK);

  load_posts (workload_lowest_sql (), &list);
  workload_begin (&run, WORKLOAD_DELETE_EACH);
  op_delete_each (&list);
  workload_end (&run, WORKLOAD_DELETE_EACH);
  workload_post_list_clear (&list);
  free (list.items);

  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      free (posts[i].title);
      free (posts[i].content);
    }
  for (int i = 0; i < WORKLOAD_N_AUTHORS; i++)
    free (authors[i].name);

  n_loaded = load_authors (loaded);
  workload_begin (&run, WORKLOAD_BULK_CREATE);
  op_bulk_create (posts, loaded);
  workload_end (&run, WORKLOAD_BULK_CREATE);
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      free (posts[i].title);
      free (posts[i].content);
    }
  for (int i = 0; i < n_loaded; i++)
    free (loaded[i].name);
  PQfinish (conn);

  snprintf (version, sizeof version, "libpq %d", PQlibVersion ());
  return workload_finish (&run, version, NULL);
}
