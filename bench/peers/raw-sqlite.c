/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * raw_sqlite: the lower bound. The sqlite3 C API with statements prepared
 * once per operation and plain C structs; strings are copied (strdup) and
 * pub_date is parsed into struct fields, the minimum an object-building
 * layer must do (bench/WORKLOAD.md, "Rules for implementations").
 */

#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "workload.h"


static WorkloadRun run;
static sqlite3 *db;

static void
check (int         rc,
       const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    workload_fail (&run, what, sqlite3_errmsg (db));
}

static sqlite3_stmt *
prepare (const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  check (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), sql);
  return stmt;
}

static void
exec (const char *sql)
{
  check (sqlite3_exec (db, sql, NULL, NULL, NULL), sql);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text ? strdup (text) : NULL;
}

static void
post_from_row (sqlite3_stmt *stmt,
               WorkloadRow         *post)
{
  post->id = sqlite3_column_int64 (stmt, 0);
  post->title = column_dup (stmt, 1);
  post->content = column_dup (stmt, 2);
  if (!workload_date_parse ((const char *) sqlite3_column_text (stmt, 3), &post->pub_date))
    workload_fail (&run, "pub_date", (const char *) sqlite3_column_text (stmt, 3));
  post->views = sqlite3_column_int64 (stmt, 4);
  post->rating = sqlite3_column_double (stmt, 5);
  post->published = sqlite3_column_int (stmt, 6) != 0;
  post->author_id = sqlite3_column_int64 (stmt, 7);
}


/* Runs a bound select to the end, appending each row to @list. */
static void
select_posts (sqlite3_stmt *stmt,
              WorkloadRowList     *list)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    post_from_row (stmt, workload_post_list_add (list));
  check (rc, "select");
  sqlite3_reset (stmt);
}

static void
op_insert (WorkloadRow *posts,
           WorkloadAuthor *authors)
{
  const WorkloadData *data = run.data;
  sqlite3_stmt *author_stmt = prepare ("INSERT INTO author (name) VALUES (?)");
  sqlite3_stmt *post_stmt = prepare ("INSERT INTO blogpost (title, content, pub_date, views, "
                                     "rating, published, author_id) VALUES (?, ?, ?, ?, ?, ?, ?)");

  exec ("BEGIN");
  for (int i = 0; i < WORKLOAD_N_AUTHORS; i++)
    {
      authors[i].name = strdup (data->authors[i]);
      sqlite3_bind_text (author_stmt, 1, authors[i].name, -1, SQLITE_STATIC);
      check (sqlite3_step (author_stmt), "insert author");
      sqlite3_reset (author_stmt);
      authors[i].id = sqlite3_last_insert_rowid (db);
    }
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      const WorkloadPost *in = &data->posts[i];
      WorkloadRow *post = &posts[i];
      char date[20];

      post->title = strdup (in->title);
      post->content = strdup (in->content);
      post->pub_date = in->pub_date;
      post->views = in->views;
      post->rating = in->rating;
      post->published = in->published;
      post->author_id = authors[in->author].id;

      workload_date_format (&post->pub_date, date);
      sqlite3_bind_text (post_stmt, 1, post->title, -1, SQLITE_STATIC);
      sqlite3_bind_text (post_stmt, 2, post->content, -1, SQLITE_STATIC);
      sqlite3_bind_text (post_stmt, 3, date, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (post_stmt, 4, post->views);
      sqlite3_bind_double (post_stmt, 5, post->rating);
      sqlite3_bind_int (post_stmt, 6, post->published);
      sqlite3_bind_int64 (post_stmt, 7, post->author_id);
      check (sqlite3_step (post_stmt), "insert post");
      sqlite3_reset (post_stmt);
      post->id = sqlite3_last_insert_rowid (db);
    }
  exec ("COMMIT");
  sqlite3_finalize (author_stmt);
  sqlite3_finalize (post_stmt);

  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    run.checks.insert_sum_id += posts[i].id;
}

static void
op_fetch_all (WorkloadRowList *list)
{
  sqlite3_stmt *stmt = prepare ("SELECT " WORKLOAD_COLUMNS " FROM blogpost");

  select_posts (stmt, list);
  sqlite3_finalize (stmt);
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
  sqlite3_stmt *stmt = prepare (WORKLOAD_RELATED_SELECT);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WorkloadRelatedRow *row = workload_related_list_add (list);

      post_from_row (stmt, &row->post);
      row->author.id = sqlite3_column_int64 (stmt, 8);
      row->author.name = column_dup (stmt, 9);
    }
  check (rc, "select related");
  sqlite3_finalize (stmt);
  for (size_t i = 0; i < list->len; i++)
    workload_read_related (&run.checks, list->items[i].post.id, list->items[i].author.name);
}

static void
op_filter (WorkloadRowList *list)
{
  sqlite3_stmt *stmt = prepare ("SELECT " WORKLOAD_COLUMNS " FROM blogpost WHERE views > ? AND "
                                "published = 1 ORDER BY pub_date DESC LIMIT 20");

  for (int q = 0; q < WORKLOAD_N_FILTERS; q++)
    {
      workload_post_list_clear (list);
      sqlite3_bind_int64 (stmt, 1, run.data->filter_views[q]);
      select_posts (stmt, list);
      for (size_t i = 0; i < list->len; i++)
        run.checks.filter_sum_id += list->items[i].id;
    }
  sqlite3_finalize (stmt);
}

static void
op_get_by_pk (WorkloadRowList *list)
{
  sqlite3_stmt *stmt = prepare ("SELECT " WORKLOAD_COLUMNS " FROM blogpost WHERE id = ?");

  for (int q = 0; q < WORKLOAD_N_GETS; q++)
    {
      workload_post_list_clear (list);
      sqlite3_bind_int64 (stmt, 1, run.data->get_ids[q]);
      select_posts (stmt, list);
      if (list->len != 1)
        workload_fail (&run, "get_by_pk", "not found");
      run.checks.get_sum_views += list->items[0].views;
    }
  sqlite3_finalize (stmt);
}

static void
op_count (void)
{
  sqlite3_stmt *stmt = prepare ("SELECT count(*) FROM blogpost WHERE author_id = ? AND published = 1");

  for (int q = 0; q < WORKLOAD_N_COUNTS; q++)
    {
      sqlite3_bind_int64 (stmt, 1, run.data->count_authors[q]);
      check (sqlite3_step (stmt), "count");
      run.checks.count_sum += sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
}

static void
op_count_related (const WorkloadAuthor *authors,
                  int                   n_authors)
{
  sqlite3_stmt *stmt = prepare (WORKLOAD_COUNT_RELATED_SQL ("?"));

  for (int i = 0; i < n_authors; i++)
    {
      sqlite3_bind_int64 (stmt, 1, authors[i].id);
      check (sqlite3_step (stmt), "count related");
      workload_count_related (&run.checks, authors[i].id, sqlite3_column_int64 (stmt, 0));
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
}

static void
op_aggregate (void)
{
  sqlite3_stmt *stmt = prepare (WORKLOAD_AGGREGATE_SELECT);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    workload_aggregate_row (&run.checks, sqlite3_column_int64 (stmt, 0),
                            sqlite3_column_int64 (stmt, 1), sqlite3_column_int64 (stmt, 2));
  check (rc, "aggregate");
  sqlite3_finalize (stmt);
}

/* The authors as objects, for count_related. */
static int
load_authors (WorkloadAuthor *authors)
{
  sqlite3_stmt *stmt = prepare (WORKLOAD_AUTHORS_SELECT);
  int n = 0, rc;

  while (n < WORKLOAD_N_AUTHORS && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      authors[n].id = sqlite3_column_int64 (stmt, 0);
      authors[n++].name = column_dup (stmt, 1);
    }
  sqlite3_finalize (stmt);
  return n;
}

static void
op_update (WorkloadRowList *list)
{
  sqlite3_stmt *stmt = prepare ("UPDATE blogpost SET views = ? WHERE id = ?");

  exec ("BEGIN");
  for (size_t i = 0; i < list->len; i++)
    {
      WorkloadRow *post = &list->items[i];

      post->views++;
      sqlite3_bind_int64 (stmt, 1, post->views);
      sqlite3_bind_int64 (stmt, 2, post->id);
      check (sqlite3_step (stmt), "update");
      sqlite3_reset (stmt);
    }
  exec ("COMMIT");
  sqlite3_finalize (stmt);
}

static void
op_delete_bulk (void)
{
  exec ("DELETE FROM blogpost WHERE views < 5000");
  run.checks.delete_bulk_rows = sqlite3_changes (db);
}

static void
op_delete_each (WorkloadRowList *list)
{
  sqlite3_stmt *stmt = prepare ("DELETE FROM blogpost WHERE id = ?");

  exec ("BEGIN");
  for (size_t i = 0; i < list->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, list->items[i].id);
      check (sqlite3_step (stmt), "delete");
      sqlite3_reset (stmt);
    }
  exec ("COMMIT");
  sqlite3_finalize (stmt);
}

static void
question_mark (int   row,
               int   column,
               int   k,
               char *buffer)
{
  strcpy (buffer, "?");
}

/* 20,000 new posts in multi-row INSERTs of WORKLOAD_BULK_BATCH rows, one
 * transaction; SQLite numbers the rows of one INSERT consecutively, so
 * the ids of a batch end at its last_insert_rowid(). */
static void
op_bulk_create (WorkloadRow          *posts,
                const WorkloadAuthor *authors)
{
  char *sql = workload_bulk_insert_sql (WORKLOAD_BULK_BATCH, question_mark);
  sqlite3_stmt *batch = prepare (sql);

  free (sql);
  workload_copy_posts (&run, posts, authors);
  exec ("BEGIN");
  for (int start = 0; start < WORKLOAD_N_POSTS; start += WORKLOAD_BULK_BATCH)
    {
      int n = WORKLOAD_N_POSTS - start < WORKLOAD_BULK_BATCH ? WORKLOAD_N_POSTS - start
                                                              : WORKLOAD_BULK_BATCH;
      sqlite3_stmt *stmt = batch;
      char dates[WORKLOAD_BULK_BATCH][20];
      int64_t last;

      if (n < WORKLOAD_BULK_BATCH)
        {
          sql = workload_bulk_insert_sql (n, question_mark);
          stmt = prepare (sql);
          free (sql);
        }
      for (int r = 0; r < n; r++)
        {
          const WorkloadRow *post = &posts[start + r];
          int k = r * 7;

          workload_date_format (&post->pub_date, dates[r]);
          sqlite3_bind_text (stmt, k + 1, post->title, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, k + 2, post->content, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, k + 3, dates[r], -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, k + 4, post->views);
          sqlite3_bind_double (stmt, k + 5, post->rating);
          sqlite3_bind_int (stmt, k + 6, post->published);
          sqlite3_bind_int64 (stmt, k + 7, post->author_id);
        }
      check (sqlite3_step (stmt), "bulk insert");
      sqlite3_reset (stmt);
      last = sqlite3_last_insert_rowid (db);
      for (int r = 0; r < n; r++)
        posts[start + r].id = last - n + 1 + r;
      if (stmt != batch)
        sqlite3_finalize (stmt);
    }
  exec ("COMMIT");
  sqlite3_finalize (batch);
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    workload_bulk_post (&run.checks, posts[i].id);
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
  sqlite3_stmt *stmt;
  char version[64];
  int n_loaded;

  workload_init (&run, "raw_sqlite", WORKLOAD_ENGINE_SQLITE, argc, argv);
  if (sqlite3_open (run.path, &db) != SQLITE_OK)
    workload_fail (&run, run.path, sqlite3_errmsg (db));
  for (const char * const *pragma = run.pragmas; *pragma; pragma++)
    exec (*pragma);
  exec (WORKLOAD_SCHEMA);

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

  stmt = prepare ("SELECT " WORKLOAD_COLUMNS " FROM blogpost");
  select_posts (stmt, &list);
  sqlite3_finalize (stmt);
  workload_begin (&run, WORKLOAD_UPDATE);
  op_update (&list);
  workload_end (&run, WORKLOAD_UPDATE);
  workload_post_list_clear (&list);

  workload_begin (&run, WORKLOAD_DELETE_BULK);
  op_delete_bulk ();
  workload_end (&run, WORKLOAD_DELETE_BULK);

  stmt = prepare (workload_lowest_sql ());
  select_posts (stmt, &list);
  sqlite3_finalize (stmt);
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
  for (int i = 0; i < WORKLOAD_N_AUTHORS; i++)
    free (authors[i].name);

  snprintf (version, sizeof version, "sqlite3 C API %s", sqlite3_libversion ());
  sqlite3_close (db);
  return workload_finish (&run, version, sqlite3_libversion ());
}
