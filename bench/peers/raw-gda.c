/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * raw_gda: the floor of libgorm's design. libgda 5 used the fast way, as
 * libgorm/gorm-connection.c uses it: every statement parsed once per
 * operation (libgda's SQLite provider prepares it on its first run and
 * reuses it), BEGIN / COMMIT parsed in GDA_SQL_PARSER_MODE_DELIMIT so
 * libgda does not track the transaction, new ids through a cached `SELECT last_insert_rowid()`,
 * random-access models read with gda_data_model_get_value_at, explicit
 * column types, date-times formatted and parsed here. Plain C structs,
 * the same structure and timed regions as raw-sqlite.c.
 *
 * With --postgresql, the same through libgda's PostgreSQL provider: the
 * schema of WORKLOAD_SCHEMA_POSTGRESQL, no pragmas, and each new id from
 * the INSERT itself (`INSERT … RETURNING id` run through
 * execute_select into a random-access model), as LIBGDA's provider cannot
 * give it otherwise (its last_insert_row is always NULL there).
 */

#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libgda/libgda.h>

#include "workload.h"

#ifndef RAW_GDA_VERSION
#define RAW_GDA_VERSION "5"
#endif


/* Without explicit types INTEGER columns come back as 32-bit gint and
 * DATETIME as a libgda timestamp, which we format and parse ourselves:
 * libgda writes sub-second parts without zero padding. */
static GType post_types[] = {
  G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
  G_TYPE_INT64, G_TYPE_DOUBLE, G_TYPE_BOOLEAN, G_TYPE_INT64, G_TYPE_NONE,
};
static GType related_types[] = {
  G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
  G_TYPE_INT64, G_TYPE_DOUBLE, G_TYPE_BOOLEAN, G_TYPE_INT64,
  G_TYPE_INT64, G_TYPE_STRING, G_TYPE_NONE,
};
static GType author_types[] = { G_TYPE_INT64, G_TYPE_STRING, G_TYPE_NONE };
static GType int64_types[] = { G_TYPE_INT64, G_TYPE_NONE };
static GType string_types[] = { G_TYPE_STRING, G_TYPE_NONE };

static WorkloadRun run;

/* The operations are not inlined, so that a profile can single them out
 * (valgrind --tool=callgrind --toggle-collect=op_fetch_all). */
static GdaConnection *cnc;
static GdaSqlParser *parser;        /* the provider's parser */
static GdaSqlParser *delimit;       /* GDA_SQL_PARSER_MODE_DELIMIT, for BEGIN/COMMIT */

static void
check (GError     *error,
       const char *what)
{
  if (error)
    workload_fail (&run, what, error->message);
}

static GdaStatement *
parse_with (GdaSqlParser *with,
            const char   *sql)
{
  GError *error = NULL;
  GdaStatement *stmt = gda_sql_parser_parse_string (with, sql, NULL, &error);

  if (stmt == NULL)
    workload_fail (&run, sql, error ? error->message : NULL);
  return stmt;
}

static GdaStatement *
parse (const char *sql)
{
  return parse_with (parser, sql);
}

/* The statement's parameters, with the GdaSet's own handlers on its
 * holders disconnected: the set then stops re-validating and re-emitting
 * every holder change, about 15 % of an INSERT's cost. */
static GdaSet *
parameters (GdaStatement *stmt)
{
  GError *error = NULL;
  GdaSet *set = NULL;

  if (!gda_statement_get_parameters (stmt, &set, &error))
    workload_fail (&run, "parameters", error ? error->message : NULL);
  for (GSList *l = set ? set->holders : NULL; l; l = l->next)
    g_signal_handlers_disconnect_matched (l->data, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, set);
  return set;
}

static GdaHolder *
holder (GdaSet     *set,
        const char *name)
{
  GdaHolder *h = gda_set_get_holder (set, name);

  if (h == NULL)
    workload_fail (&run, "no parameter", name);
  return h;
}

/* Sets a holder to @v, which it copies; @v is unset. */
static void
set_holder (GdaHolder  *h,
            GValue     *v,
            const char *what)
{
  GError *error = NULL;

  if (!gda_holder_set_value (h, v, &error))
    workload_fail (&run, what, error ? error->message : NULL);
  g_value_unset (v);
}

static void
set_int64 (GdaHolder *h,
           int64_t    value)
{
  GValue v = G_VALUE_INIT;

  g_value_set_int64 (g_value_init (&v, G_TYPE_INT64), value);
  set_holder (h, &v, "set int64");
}

static void
set_double (GdaHolder *h,
            double     value)
{
  GValue v = G_VALUE_INIT;

  g_value_set_double (g_value_init (&v, G_TYPE_DOUBLE), value);
  set_holder (h, &v, "set double");
}

static void
set_boolean (GdaHolder *h,
             bool       value)
{
  GValue v = G_VALUE_INIT;

  g_value_set_boolean (g_value_init (&v, G_TYPE_BOOLEAN), value);
  set_holder (h, &v, "set boolean");
}

static void
set_string (GdaHolder  *h,
            const char *value)
{
  GValue v = G_VALUE_INIT;

  g_value_set_static_string (g_value_init (&v, G_TYPE_STRING), value);
  set_holder (h, &v, "set string");
}

static int
exec_stmt (GdaStatement *stmt,
           GdaSet       *set,
           const char   *what)
{
  GError *error = NULL;
  int rows = gda_connection_statement_execute_non_select (cnc, stmt, set, NULL, &error);

  check (error, what);
  return rows;
}

static GdaDataModel *
select_stmt (GdaStatement *stmt,
             GdaSet       *set,
             GType        *types,
             const char   *what)
{
  GError *error = NULL;
  GdaDataModel *model = gda_connection_statement_execute_select_full (cnc, stmt, set,
                                                                      GDA_STATEMENT_MODEL_RANDOM_ACCESS,
                                                                      types, &error);

  if (model == NULL)
    workload_fail (&run, what, error ? error->message : NULL);
  return model;
}

static const GValue *
value_at (GdaDataModel *model,
          int           column,
          int           row)
{
  GError *error = NULL;
  const GValue *v = gda_data_model_get_value_at (model, column, row, &error);

  if (v == NULL)
    workload_fail (&run, "get_value_at", error ? error->message : NULL);
  return v;
}

static int64_t
int64_at (GdaDataModel *model,
          int           column,
          int           row)
{
  const GValue *v = value_at (model, column, row);

  return G_VALUE_HOLDS_INT64 (v) ? g_value_get_int64 (v) : 0;
}

static const char *
string_at (GdaDataModel *model,
           int           column,
           int           row)
{
  const GValue *v = value_at (model, column, row);

  return G_VALUE_HOLDS_STRING (v) ? g_value_get_string (v) : NULL;
}

/* A select with one INT64 column and one row: count(*), last_insert_rowid(). */
static int64_t
select_int64 (GdaStatement *stmt,
              GdaSet       *set,
              const char   *what)
{
  GdaDataModel *model = select_stmt (stmt, set, int64_types, what);
  int64_t value;

  if (gda_data_model_get_n_rows (model) != 1)
    workload_fail (&run, what, "not one row");
  value = int64_at (model, 0, 0);
  g_object_unref (model);
  return value;
}

/* PRAGMA x=y: the SQLite provider returns a result set for PRAGMA, so it
 * runs as a select whose result is dropped (as in
 * libgorm/gorm-connection.c). */
static void
exec_pragma (const char *sql)
{
  GdaStatement *stmt = parse (sql);
  GdaDataModel *model = select_stmt (stmt, NULL, NULL, sql);

  g_object_unref (model);
  g_object_unref (stmt);
}

static bool
postgresql (void)
{
  return run.engine == WORKLOAD_POSTGRESQL;
}

static void
exec_schema (void)
{
  const char *sql = postgresql () ? WORKLOAD_SCHEMA_POSTGRESQL : WORKLOAD_SCHEMA;

  while (sql && *sql)
    {
      GError *error = NULL;
      const char *remain = NULL;
      GdaStatement *stmt = gda_sql_parser_parse_string (parser, sql, &remain, &error);

      if (stmt == NULL)
        workload_fail (&run, sql, error ? error->message : NULL);
      exec_stmt (stmt, NULL, "schema");
      g_object_unref (stmt);
      sql = remain;
    }
}

static char *
dup_or_null (const char *text)
{
  return text ? strdup (text) : NULL;
}

static void
post_from_row (GdaDataModel *model,
               int           row,
               WorkloadRow         *post)
{
  const char *date = string_at (model, 3, row);

  post->id = int64_at (model, 0, row);
  post->title = dup_or_null (string_at (model, 1, row));
  post->content = dup_or_null (string_at (model, 2, row));
  if (!workload_date_parse (date, &post->pub_date))
    workload_fail (&run, "pub_date", date);
  post->views = int64_at (model, 4, row);
  post->rating = g_value_get_double (value_at (model, 5, row));
  post->published = g_value_get_boolean (value_at (model, 6, row));
  post->author_id = int64_at (model, 7, row);
}


/* Runs a select with the bound @set, appending each row to @list. */
static void
select_posts (GdaStatement *stmt,
              GdaSet       *set,
              WorkloadRowList     *list)
{
  GdaDataModel *model = select_stmt (stmt, set, post_types, "select");
  int n = gda_data_model_get_n_rows (model);

  for (int row = 0; row < n; row++)
    post_from_row (model, row, workload_post_list_add (list));
  g_object_unref (model);
}

G_GNUC_NO_INLINE static void
op_insert (WorkloadRow *posts,
           WorkloadAuthor *authors)
{
  const WorkloadData *data = run.data;
  GdaStatement *begin = parse_with (delimit, "BEGIN");
  GdaStatement *commit = parse_with (delimit, "COMMIT");
  /* SQLite: the id from a cached SELECT after each INSERT; PostgreSQL:
   * from the INSERT's own RETURNING. */
  GdaStatement *rowid = postgresql () ? NULL : parse ("SELECT last_insert_rowid()");
  GdaStatement *author_stmt = parse (postgresql ()
                                     ? "INSERT INTO author (name) VALUES (##name::string) RETURNING id"
                                     : "INSERT INTO author (name) VALUES (##name::string)");
  GdaStatement *post_stmt = parse (postgresql ()
                                   ? "INSERT INTO blogpost (title, content, pub_date, views, "
                                     "rating, published, author_id) VALUES (##title::string, "
                                     "##content::string, ##pub_date::string, ##views::gint64, "
                                     "##rating::gdouble, ##published::gboolean, "
                                     "##author_id::gint64) RETURNING id"
                                   : "INSERT INTO blogpost (title, content, pub_date, views, "
                                     "rating, published, author_id) VALUES (##title::string, "
                                     "##content::string, ##pub_date::string, ##views::gint64, "
                                     "##rating::gdouble, ##published::gboolean, "
                                     "##author_id::gint64)");
  GdaSet *author_set = parameters (author_stmt);
  GdaSet *post_set = parameters (post_stmt);
  GdaHolder *name = holder (author_set, "name");
  GdaHolder *title = holder (post_set, "title");
  GdaHolder *content = holder (post_set, "content");
  GdaHolder *pub_date = holder (post_set, "pub_date");
  GdaHolder *views = holder (post_set, "views");
  GdaHolder *rating = holder (post_set, "rating");
  GdaHolder *published = holder (post_set, "published");
  GdaHolder *author_id = holder (post_set, "author_id");

  exec_stmt (begin, NULL, "BEGIN");
  for (int i = 0; i < WORKLOAD_N_AUTHORS; i++)
    {
      authors[i].name = strdup (data->authors[i]);
      set_string (name, authors[i].name);
      if (rowid == NULL)
        authors[i].id = select_int64 (author_stmt, author_set, "insert author returning id");
      else
        {
          exec_stmt (author_stmt, author_set, "insert author");
          authors[i].id = select_int64 (rowid, NULL, "last_insert_rowid");
        }
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
      set_string (title, post->title);
      set_string (content, post->content);
      set_string (pub_date, date);
      set_int64 (views, post->views);
      set_double (rating, post->rating);
      set_boolean (published, post->published);
      set_int64 (author_id, post->author_id);
      if (rowid == NULL)
        post->id = select_int64 (post_stmt, post_set, "insert post returning id");
      else
        {
          exec_stmt (post_stmt, post_set, "insert post");
          post->id = select_int64 (rowid, NULL, "last_insert_rowid");
        }
    }
  exec_stmt (commit, NULL, "COMMIT");
  g_object_unref (author_set);
  g_object_unref (post_set);
  g_object_unref (author_stmt);
  g_object_unref (post_stmt);
  g_clear_object (&rowid);
  g_object_unref (begin);
  g_object_unref (commit);

  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    run.checks.insert_sum_id += posts[i].id;
}

G_GNUC_NO_INLINE static void
op_fetch_all (WorkloadRowList *list)
{
  GdaStatement *stmt = parse ("SELECT " WORKLOAD_COLUMNS " FROM blogpost");

  select_posts (stmt, NULL, list);
  g_object_unref (stmt);
  for (size_t i = 0; i < list->len; i++)
    {
      const WorkloadRow *p = &list->items[i];

      workload_read_post (&run.checks, p->id, p->title, p->content, &p->pub_date, p->views,
                          p->rating, p->published, p->author_id);
    }
  workload_fetch_done (&run.checks);
}

G_GNUC_NO_INLINE static void
op_fetch_related (WorkloadRelatedList *list)
{
  GdaStatement *stmt = parse (WORKLOAD_RELATED_SELECT);
  GdaDataModel *model = select_stmt (stmt, NULL, related_types, "select related");
  int n = gda_data_model_get_n_rows (model);

  for (int row = 0; row < n; row++)
    {
      WorkloadRelatedRow *r = workload_related_list_add (list);

      post_from_row (model, row, &r->post);
      r->author.id = int64_at (model, 8, row);
      r->author.name = dup_or_null (string_at (model, 9, row));
    }
  g_object_unref (model);
  g_object_unref (stmt);
  for (size_t i = 0; i < list->len; i++)
    workload_read_related (&run.checks, list->items[i].post.id, list->items[i].author.name);
}

G_GNUC_NO_INLINE static void
op_filter (WorkloadRowList *list)
{
  /* PostgreSQL compares a boolean with TRUE, not 1. */
  GdaStatement *stmt = parse (postgresql ()
                              ? "SELECT " WORKLOAD_COLUMNS " FROM blogpost WHERE views > ##views::gint64 AND "
                                "published = TRUE ORDER BY pub_date DESC LIMIT 20"
                              : "SELECT " WORKLOAD_COLUMNS " FROM blogpost WHERE views > ##views::gint64 AND "
                                "published = 1 ORDER BY pub_date DESC LIMIT 20");
  GdaSet *set = parameters (stmt);
  GdaHolder *views = holder (set, "views");

  for (int q = 0; q < WORKLOAD_N_FILTERS; q++)
    {
      workload_post_list_clear (list);
      set_int64 (views, run.data->filter_views[q]);
      select_posts (stmt, set, list);
      for (size_t i = 0; i < list->len; i++)
        run.checks.filter_sum_id += list->items[i].id;
    }
  g_object_unref (set);
  g_object_unref (stmt);
}

G_GNUC_NO_INLINE static void
op_get_by_pk (WorkloadRowList *list)
{
  GdaStatement *stmt = parse ("SELECT " WORKLOAD_COLUMNS " FROM blogpost WHERE id = ##id::gint64");
  GdaSet *set = parameters (stmt);
  GdaHolder *id = holder (set, "id");

  for (int q = 0; q < WORKLOAD_N_GETS; q++)
    {
      workload_post_list_clear (list);
      set_int64 (id, run.data->get_ids[q]);
      select_posts (stmt, set, list);
      if (list->len != 1)
        workload_fail (&run, "get_by_pk", "not found");
      run.checks.get_sum_views += list->items[0].views;
    }
  g_object_unref (set);
  g_object_unref (stmt);
}

G_GNUC_NO_INLINE static void
op_count (void)
{
  GdaStatement *stmt = parse (postgresql ()
                              ? "SELECT count(*) FROM blogpost WHERE author_id = ##author_id::gint64 "
                                "AND published = TRUE"
                              : "SELECT count(*) FROM blogpost WHERE author_id = ##author_id::gint64 "
                                "AND published = 1");
  GdaSet *set = parameters (stmt);
  GdaHolder *author_id = holder (set, "author_id");

  for (int q = 0; q < WORKLOAD_N_COUNTS; q++)
    {
      set_int64 (author_id, run.data->count_authors[q]);
      run.checks.count_sum += select_int64 (stmt, set, "count");
    }
  g_object_unref (set);
  g_object_unref (stmt);
}

G_GNUC_NO_INLINE static void
op_count_related (const WorkloadAuthor *authors,
                  int                   n_authors)
{
  GdaStatement *stmt = parse (WORKLOAD_COUNT_RELATED_SQL ("##author_id::gint64"));
  GdaSet *set = parameters (stmt);
  GdaHolder *author_id = holder (set, "author_id");

  for (int i = 0; i < n_authors; i++)
    {
      set_int64 (author_id, authors[i].id);
      workload_count_related (&run.checks, authors[i].id,
                              select_int64 (stmt, set, "count related"));
    }
  g_object_unref (set);
  g_object_unref (stmt);
}

/* sum(views) is an integer on SQLite and a numeric on PostgreSQL
 * (sum(bigint)), which libgda gives as a GdaNumeric: read as text there. */
G_GNUC_NO_INLINE static void
op_aggregate (void)
{
  static GType sqlite_types[] = { G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_NONE };
  static GType postgresql_types[] = { G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_NONE };
  GdaStatement *stmt = parse (WORKLOAD_AGGREGATE_SELECT);
  GdaDataModel *model = select_stmt (stmt, NULL, postgresql () ? postgresql_types : sqlite_types,
                                     "aggregate");
  int n = gda_data_model_get_n_rows (model);

  for (int row = 0; row < n; row++)
    workload_aggregate_row (&run.checks, int64_at (model, 0, row), int64_at (model, 1, row),
                            postgresql () ? g_ascii_strtoll (string_at (model, 2, row), NULL, 10)
                                          : int64_at (model, 2, row));
  g_object_unref (model);
  g_object_unref (stmt);
}

/* The authors as objects, for count_related. */
static int
load_authors (WorkloadAuthor *authors)
{
  GdaStatement *stmt = parse (WORKLOAD_AUTHORS_SELECT);
  GdaDataModel *model = select_stmt (stmt, NULL, author_types, "select authors");
  int n = MIN (gda_data_model_get_n_rows (model), WORKLOAD_N_AUTHORS);

  for (int row = 0; row < n; row++)
    {
      authors[row].id = int64_at (model, 0, row);
      authors[row].name = dup_or_null (string_at (model, 1, row));
    }
  g_object_unref (model);
  g_object_unref (stmt);
  return n;
}

G_GNUC_NO_INLINE static void
op_update (WorkloadRowList *list)
{
  GdaStatement *begin = parse_with (delimit, "BEGIN");
  GdaStatement *commit = parse_with (delimit, "COMMIT");
  GdaStatement *stmt = parse ("UPDATE blogpost SET views = ##views::gint64 WHERE id = ##id::gint64");
  GdaSet *set = parameters (stmt);
  GdaHolder *views = holder (set, "views");
  GdaHolder *id = holder (set, "id");

  exec_stmt (begin, NULL, "BEGIN");
  for (size_t i = 0; i < list->len; i++)
    {
      WorkloadRow *post = &list->items[i];

      post->views++;
      set_int64 (views, post->views);
      set_int64 (id, post->id);
      exec_stmt (stmt, set, "update");
    }
  exec_stmt (commit, NULL, "COMMIT");
  g_object_unref (set);
  g_object_unref (stmt);
  g_object_unref (begin);
  g_object_unref (commit);
}

G_GNUC_NO_INLINE static void
op_delete_bulk (void)
{
  GdaStatement *stmt = parse ("DELETE FROM blogpost WHERE views < 5000");

  run.checks.delete_bulk_rows = exec_stmt (stmt, NULL, "delete_bulk");
  g_object_unref (stmt);
}

G_GNUC_NO_INLINE static void
op_delete_each (WorkloadRowList *list)
{
  GdaStatement *begin = parse_with (delimit, "BEGIN");
  GdaStatement *commit = parse_with (delimit, "COMMIT");
  GdaStatement *stmt = parse ("DELETE FROM blogpost WHERE id = ##id::gint64");
  GdaSet *set = parameters (stmt);
  GdaHolder *id = holder (set, "id");

  exec_stmt (begin, NULL, "BEGIN");
  for (size_t i = 0; i < list->len; i++)
    {
      set_int64 (id, list->items[i].id);
      exec_stmt (stmt, set, "delete");
    }
  exec_stmt (commit, NULL, "COMMIT");
  g_object_unref (set);
  g_object_unref (stmt);
  g_object_unref (begin);
  g_object_unref (commit);
}

static void
named (int   row,
       int   column,
       int   k,
       char *buffer)
{
  static const char *const types[] = {
    "string", "string", "string", "gint64", "gdouble", "gboolean", "gint64",
  };

  snprintf (buffer, 64, "##p%d::%s", k, types[column]);
}

/* Rows per multi-row INSERT of bulk_create: libgda's cost per statement
 * grows much faster than its number of parameters (a profile shows
 * gda_holder_get_source_model and list walks over the holders), so that
 * 1,000-row statements (7,000 parameters, the other raw peers' batches)
 * took 12 s for the 20,000 rows where 25 to 100 rows take 0.5 to 0.8 s
 * on SQLite; 50 rows a statement is libgda's fast way. */
#define GDA_BULK_BATCH 50

/* The multi-row INSERT of @n rows (RETURNING id on PostgreSQL), its
 * parameters and their holders, in order. */
static GdaStatement *
bulk_statement (int          n,
                GdaSet     **set,
                GdaHolder  **holders)
{
  char *sql = workload_bulk_insert_sql (n, named);
  char *full = g_strconcat (sql, postgresql () ? " RETURNING id" : "", NULL);
  GdaStatement *stmt = parse (full);

  free (sql);
  g_free (full);
  *set = parameters (stmt);
  for (int k = 1; k <= n * 7; k++)
    {
      char name[16];

      snprintf (name, sizeof name, "p%d", k);
      holders[k - 1] = holder (*set, name);
    }
  return stmt;
}

/* 20,000 new posts in multi-row INSERTs of GDA_BULK_BATCH rows, one
 * transaction; the ids of a batch end at its last_insert_rowid() on
 * SQLite (numbered consecutively), come from RETURNING on PostgreSQL. */
G_GNUC_NO_INLINE static void
op_bulk_create (WorkloadRow          *posts,
                const WorkloadAuthor *authors)
{
  static GdaHolder *holders[GDA_BULK_BATCH * 7];
  static GdaHolder *rest_holders[GDA_BULK_BATCH * 7];
  static char dates[GDA_BULK_BATCH][20];
  GdaStatement *begin = parse_with (delimit, "BEGIN");
  GdaStatement *commit = parse_with (delimit, "COMMIT");
  GdaStatement *rowid = postgresql () ? NULL : parse ("SELECT last_insert_rowid()");
  GdaSet *set = NULL;
  GdaStatement *batch = bulk_statement (GDA_BULK_BATCH, &set, holders);

  workload_copy_posts (&run, posts, authors);
  exec_stmt (begin, NULL, "BEGIN");
  for (int start = 0; start < WORKLOAD_N_POSTS; start += GDA_BULK_BATCH)
    {
      int n = MIN (WORKLOAD_N_POSTS - start, GDA_BULK_BATCH);
      GdaStatement *stmt = batch;
      GdaSet *stmt_set = set;
      GdaHolder **h = holders;

      if (n < GDA_BULK_BATCH)
        {
          stmt = bulk_statement (n, &stmt_set, rest_holders);
          h = rest_holders;
        }
      for (int r = 0; r < n; r++)
        {
          const WorkloadRow *post = &posts[start + r];
          GdaHolder **row = h + r * 7;

          /* Static strings: the holders keep the pointers until the batch ran. */
          workload_date_format (&post->pub_date, dates[r]);
          set_string (row[0], post->title);
          set_string (row[1], post->content);
          set_string (row[2], dates[r]);
          set_int64 (row[3], post->views);
          set_double (row[4], post->rating);
          set_boolean (row[5], post->published);
          set_int64 (row[6], post->author_id);
        }
      if (rowid == NULL)
        {
          GdaDataModel *model = select_stmt (stmt, stmt_set, int64_types, "bulk insert returning id");

          if (gda_data_model_get_n_rows (model) != n)
            workload_fail (&run, "bulk insert", "not one id per row");
          for (int r = 0; r < n; r++)
            posts[start + r].id = int64_at (model, 0, r);
          g_object_unref (model);
        }
      else
        {
          int64_t last;

          exec_stmt (stmt, stmt_set, "bulk insert");
          last = select_int64 (rowid, NULL, "last_insert_rowid");
          for (int r = 0; r < n; r++)
            posts[start + r].id = last - n + 1 + r;
        }
      if (stmt != batch)
        {
          g_object_unref (stmt_set);
          g_object_unref (stmt);
        }
    }
  exec_stmt (commit, NULL, "COMMIT");
  g_object_unref (set);
  g_object_unref (batch);
  g_clear_object (&rowid);
  g_object_unref (begin);
  g_object_unref (commit);
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    workload_bulk_post (&run.checks, posts[i].id);
}

/* The run's fresh PostgreSQL database, through libgda's provider. */
static void
open_postgresql (void)
{
  GError *error = NULL;
  char *host = gda_rfc1738_encode (run.pg_host);
  char *port = gda_rfc1738_encode (run.pg_port);
  char *dbname = gda_rfc1738_encode (run.pg_dbname);
  char *user = gda_rfc1738_encode (run.pg_user);
  char *password = gda_rfc1738_encode (run.pg_password);
  char *cnc_string = g_strdup_printf ("HOST=%s;PORT=%s;DB_NAME=%s", host, port, dbname);
  char *auth_string = g_strdup_printf ("USERNAME=%s;PASSWORD=%s", user, password);

  cnc = gda_connection_open_from_string ("PostgreSQL", cnc_string, auth_string,
                                         GDA_CONNECTION_OPTIONS_NONE, &error);
  if (cnc == NULL)
    workload_fail (&run, cnc_string, error ? error->message : NULL);
  g_free (cnc_string);
  g_free (auth_string);
  g_free (host);
  g_free (port);
  g_free (dbname);
  g_free (user);
  g_free (password);
}

/* libgda appends ".db" to DB_NAME: open run.path without its suffix and
 * check that the file it made is run.path, which workload_finish reads. */
static void
open_database (void)
{
  GError *error = NULL;
  size_t len = strlen (run.path);
  char *dir, *name, *dir_enc, *name_enc, *cnc_string;
  struct stat st;

  if (len < 3 || strcmp (run.path + len - 3, ".db") != 0)
    workload_fail (&run, run.path, "the database path must end in .db");
  dir = g_path_get_dirname (run.path);
  name = g_path_get_basename (run.path);
  name[strlen (name) - 3] = '\0';
  dir_enc = gda_rfc1738_encode (dir);
  name_enc = gda_rfc1738_encode (name);
  cnc_string = g_strdup_printf ("DB_DIR=%s;DB_NAME=%s", dir_enc, name_enc);
  cnc = gda_connection_open_from_string ("SQLite", cnc_string, NULL,
                                         GDA_CONNECTION_OPTIONS_NONE, &error);
  if (cnc == NULL)
    workload_fail (&run, cnc_string, error ? error->message : NULL);
  if (stat (run.path, &st) != 0)
    workload_fail (&run, run.path, "libgda did not create this file");
  g_free (cnc_string);
  g_free (dir_enc);
  g_free (name_enc);
  g_free (dir);
  g_free (name);
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
  GdaStatement *stmt;
  GdaDataModel *model;
  char *sqlite_version;
  int status, n_loaded;

  workload_init (&run, "raw_gda", WORKLOAD_ENGINE_SQLITE | WORKLOAD_ENGINE_POSTGRESQL, argc, argv);
  gda_init ();
  if (postgresql ())
    open_postgresql ();
  else
    open_database ();
  parser = gda_connection_create_parser (cnc);
  if (parser == NULL)
    parser = gda_sql_parser_new ();
  delimit = g_object_new (GDA_TYPE_SQL_PARSER, "mode", GDA_SQL_PARSER_MODE_DELIMIT, NULL);
  for (const char * const *pragma = run.pragmas; pragma && *pragma; pragma++)
    exec_pragma (*pragma);
  exec_schema ();

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

  stmt = parse ("SELECT " WORKLOAD_COLUMNS " FROM blogpost");
  select_posts (stmt, NULL, &list);
  g_object_unref (stmt);
  workload_begin (&run, WORKLOAD_UPDATE);
  op_update (&list);
  workload_end (&run, WORKLOAD_UPDATE);
  workload_post_list_clear (&list);

  workload_begin (&run, WORKLOAD_DELETE_BULK);
  op_delete_bulk ();
  workload_end (&run, WORKLOAD_DELETE_BULK);

  stmt = parse (workload_lowest_sql ());
  select_posts (stmt, NULL, &list);
  g_object_unref (stmt);
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

  sqlite_version = NULL;
  if (!postgresql ())
    {
      stmt = parse ("SELECT sqlite_version()");
      model = select_stmt (stmt, NULL, string_types, "sqlite_version()");
      sqlite_version = g_strdup (string_at (model, 0, 0));
      g_object_unref (model);
      g_object_unref (stmt);
    }

  g_object_unref (delimit);
  g_object_unref (parser);
  gda_connection_close (cnc);
  g_object_unref (cnc);

  status = workload_finish (&run, "libgda " RAW_GDA_VERSION, sqlite_version ? sqlite_version : "");
  g_free (sqlite_version);
  return status;
}
