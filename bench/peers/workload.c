/* SPDX-License-Identifier: LGPL-2.1-or-later */

#define _GNU_SOURCE

#include "workload.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

static const char *const operation_names[WORKLOAD_N_OPERATIONS] = {
  "insert", "fetch_all", "fetch_related", "filter", "get_by_pk", "count", "count_related",
  "aggregate", "update", "delete_bulk", "delete_each", "bulk_create",
};

static const char LOREM[] =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
  "tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, "
  "quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.";

static const char *const pragmas_workload[] = {
  "PRAGMA journal_mode=delete", "PRAGMA synchronous=full", "PRAGMA foreign_keys=on", NULL,
};
static const char *const pragmas_libgorm[] = {
  "PRAGMA journal_mode=wal", "PRAGMA synchronous=normal", "PRAGMA foreign_keys=on", NULL,
};

/* The checks every run must reproduce (bench/WORKLOAD.md, "Checks"). */
int workload_scale = 1;

const char *
workload_lowest_sql (void)
{
  static char sql[200];

  snprintf (sql, sizeof sql, "SELECT " WORKLOAD_COLUMNS " FROM blogpost ORDER BY id LIMIT %d",
            WORKLOAD_N_DELETE_EACH);
  return sql;
}

static const WorkloadChecks expected = {
  .insert_sum_id = 200010000,
  .fetch_all_n = 20000,
  .fetch_all_sum_id = 200010000,
  .fetch_all_sum_len = 5235806,
  .fetch_all_sum_date = 1274584422627165,
  .fetch_all_sum_views = 99766786,
  .fetch_all_sum_rating = 50024.222,
  .fetch_all_n_published = 14950,
  .fetch_all_sum_author_id = 2010000,
  .fetch_related_n = 20000,
  .fetch_related_sum_len = 200000,
  .fetch_related_checksum = 19967660000,
  .filter_sum_id = 39565137,
  .get_sum_views = 25185581,
  .count_sum = 37384,
  .count_related_sum = 20000,
  .count_related_checksum = 2010000,
  .aggregate_n = 200,
  .aggregate_sum_count = 20000,
  .aggregate_sum_views = 99766786,
  .aggregate_checksum = 10027151670,
  .delete_bulk_rows = 10008,
  .bulk_create_n = 20000,
  .bulk_create_sum_id = 600010000,
  .rows_left = 28992,
  .sum_views_left = 167169390,
};

typedef struct
{
  uint64_t s;
} Lcg;

static uint64_t
lcg_next (Lcg *lcg)
{
  lcg->s = lcg->s * 6364136223846793005ULL + 1442695040888963407ULL;
  return lcg->s >> 33;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (the
 * well-known era computation). */
static int64_t
days_from_civil (int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (int64_t z, WorkloadDate *date)
{
  int64_t era, doe, yoe, y, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  date->day = (int) (doy - (153 * mp + 2) / 5 + 1);
  date->month = (int) (mp < 10 ? mp + 3 : mp - 9);
  date->year = (int) (y + (date->month <= 2));
}

int64_t
workload_date_seconds (const WorkloadDate *date)
{
  /* date.toordinal () is 1 for 0001-01-01 and 719163 for 1970-01-01. */
  int64_t ordinal = days_from_civil (date->year, date->month, date->day) + 719163;

  return ordinal * 86400 + date->hour * 3600 + date->minute * 60 + date->second;
}

static int
digits (const char *p,
        int         n)
{
  int value = 0;

  for (int i = 0; i < n; i++)
    {
      if (p[i] < '0' || p[i] > '9')
        return -1;
      value = value * 10 + (p[i] - '0');
    }
  return value;
}

bool
workload_date_parse (const char   *text,
                     WorkloadDate *date)
{
  if (text == NULL || strlen (text) < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':')
    return false;
  date->year = digits (text, 4);
  date->month = digits (text + 5, 2);
  date->day = digits (text + 8, 2);
  date->hour = digits (text + 11, 2);
  date->minute = digits (text + 14, 2);
  date->second = digits (text + 17, 2);
  return date->year >= 0 && date->month >= 1 && date->day >= 1 && date->hour >= 0 &&
         date->minute >= 0 && date->second >= 0;
}

void
workload_date_format (const WorkloadDate *date,
                      char               *buffer)
{
  snprintf (buffer, 20, "%04d-%02d-%02d %02d:%02d:%02d", date->year, date->month, date->day,
            date->hour, date->minute, date->second);
}

void
workload_read_post (WorkloadChecks     *checks,
                    int64_t             id,
                    const char         *title,
                    const char         *content,
                    const WorkloadDate *pub_date,
                    int64_t             views,
                    double              rating,
                    bool                published,
                    int64_t             author_id)
{
  checks->fetch_all_n++;
  checks->fetch_all_sum_id += id;
  checks->fetch_all_sum_len += (int64_t) (strlen (title) + (content ? strlen (content) : 0));
  checks->fetch_all_sum_date += workload_date_seconds (pub_date);
  checks->fetch_all_sum_views += views;
  checks->fetch_all_sum_rating += rating;
  checks->fetch_all_n_published += published;
  checks->fetch_all_sum_author_id += author_id;
}

void
workload_read_related (WorkloadChecks *checks,
                       int64_t         post_id,
                       const char     *author_name)
{
  size_t len = strlen (author_name);

  checks->fetch_related_n++;
  checks->fetch_related_sum_len += (int64_t) len;
  /* The number in "author-NNN" (a name of another form counts 0). */
  if (len > WORKLOAD_AUTHOR_NUMBER)
    checks->fetch_related_checksum += post_id * strtoll (author_name + WORKLOAD_AUTHOR_NUMBER, NULL, 10);
}

void
workload_count_related (WorkloadChecks *checks,
                        int64_t         author_id,
                        int64_t         count)
{
  checks->count_related_sum += count;
  checks->count_related_checksum += author_id * count;
}

void
workload_aggregate_row (WorkloadChecks *checks,
                        int64_t         author_id,
                        int64_t         count,
                        int64_t         views)
{
  checks->aggregate_n++;
  checks->aggregate_sum_count += count;
  checks->aggregate_sum_views += views;
  checks->aggregate_checksum += author_id * views;
}

void
workload_copy_posts (const WorkloadRun    *run,
                     WorkloadRow          *posts,
                     const WorkloadAuthor *authors)
{
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      const WorkloadPost *in = &run->data->posts[i];

      posts[i].title = strdup (in->title);
      posts[i].content = strdup (in->content);
      posts[i].pub_date = in->pub_date;
      posts[i].views = in->views;
      posts[i].rating = in->rating;
      posts[i].published = in->published;
      posts[i].author_id = authors[in->author].id;
    }
}

void
workload_bulk_post (WorkloadChecks *checks,
                    int64_t         id)
{
  checks->bulk_create_n++;
  checks->bulk_create_sum_id += id;
}

char *
workload_bulk_insert_sql (int    n,
                          void (*placeholder) (int row, int column, int k, char *buffer))
{
  char *sql = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&sql, &len);

  fputs (WORKLOAD_BULK_INSERT, out);
  for (int row = 0; row < n; row++)
    {
      fputs (row ? ", (" : "(", out);
      for (int column = 0; column < 7; column++)
        {
          char buffer[64];

          placeholder (row, column, row * 7 + column + 1, buffer);
          fprintf (out, "%s%s", column ? ", " : "", buffer);
        }
      fputc (')', out);
    }
  fclose (out);
  return sql;
}

void
workload_fetch_done (WorkloadChecks *checks)
{
  checks->fetch_all_sum_rating = round (checks->fetch_all_sum_rating * 1000) / 1000;
}

WorkloadRow *
workload_post_list_add (WorkloadRowList *list)
{
  if (list->len == list->allocated)
    {
      list->allocated = list->allocated ? list->allocated * 2 : 64;
      list->items = realloc (list->items, list->allocated * sizeof (WorkloadRow));
    }
  return &list->items[list->len++];
}

void
workload_post_list_clear (WorkloadRowList *list)
{
  for (size_t i = 0; i < list->len; i++)
    {
      free (list->items[i].title);
      free (list->items[i].content);
    }
  list->len = 0;
}

WorkloadRelatedRow *
workload_related_list_add (WorkloadRelatedList *list)
{
  if (list->len == list->allocated)
    {
      list->allocated = list->allocated ? list->allocated * 2 : 64;
      list->items = realloc (list->items, list->allocated * sizeof (WorkloadRelatedRow));
    }
  return &list->items[list->len++];
}

void
workload_related_list_clear (WorkloadRelatedList *list)
{
  for (size_t i = 0; i < list->len; i++)
    {
      free (list->items[i].post.title);
      free (list->items[i].post.content);
      free (list->items[i].author.name);
    }
  list->len = 0;
}

double
workload_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pg_drop (const WorkloadRun *run);

/* The run whose PostgreSQL database exists, for workload_fail to drop. */
static const WorkloadRun *pg_created;

void
workload_fail (const WorkloadRun *run,
               const char        *what,
               const char        *message)
{
  fprintf (stderr, "%s: %s: %s\n", run->peer, what, message ? message : "(no message)");
  if (pg_created)
    {
      const WorkloadRun *created = pg_created;

      pg_created = NULL;   /* a failure while dropping does not try again */
      pg_drop (created);
    }
  exit (2);
}

static WorkloadData *
data_new (void)
{
  WorkloadData *data = calloc (1, sizeof *data);
  int64_t epoch = days_from_civil (2020, 1, 1) * 86400;
  int64_t *ids = malloc (sizeof (int64_t) * WORKLOAD_N_POSTS);
  Lcg lcg = { 12345 };

  for (int i = 0; i < WORKLOAD_N_AUTHORS; i++)
    {
      char name[16];

      snprintf (name, sizeof name, "author-%03d", i);
      data->authors[i] = strdup (name);
    }

  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    {
      WorkloadPost *post = &data->posts[i];
      uint64_t r1 = lcg_next (&lcg), r2 = lcg_next (&lcg), r3 = lcg_next (&lcg);
      uint64_t r4 = lcg_next (&lcg), r5 = lcg_next (&lcg);
      int64_t t = epoch + (int64_t) (r2 % 31536000);
      int64_t day = t / 86400, second = t % 86400;
      char *text;

      if (asprintf (&text, "Post %d about topic %d", i, (int) (r1 % 100)) < 0)
        abort ();
      post->title = text;
      if (asprintf (&text, "%s #%d", LOREM, i) < 0)
        abort ();
      post->content = text;
      civil_from_days (day, &post->pub_date);
      post->pub_date.hour = (int) (second / 3600);
      post->pub_date.minute = (int) (second / 60 % 60);
      post->pub_date.second = (int) (second % 60);
      post->views = (int64_t) (r3 % 10000);
      post->rating = (double) (r4 % 5001) / 1000;
      post->published = r5 % 4 != 0;
      post->author = i % WORKLOAD_N_AUTHORS;
    }

  lcg.s = 777;
  for (int i = 0; i < WORKLOAD_N_FILTERS; i++)
    data->filter_views[i] = (int64_t) (lcg_next (&lcg) % 9000);

  /* Distinct ids: the first steps of a Fisher-Yates shuffle of 1..N. */
  for (int i = 0; i < WORKLOAD_N_POSTS; i++)
    ids[i] = i + 1;
  lcg.s = 999;
  for (int k = 0; k < WORKLOAD_N_GETS; k++)
    {
      int j = k + (int) (lcg_next (&lcg) % (uint64_t) (WORKLOAD_N_POSTS - k));
      int64_t swap = ids[k];

      ids[k] = ids[j];
      ids[j] = swap;
      data->get_ids[k] = ids[k];
    }
  free (ids);

  for (int q = 0; q < WORKLOAD_N_COUNTS; q++)
    data->count_authors[q] = 1 + q % WORKLOAD_N_AUTHORS;
  return data;
}

static void
remove_database (const char *path)
{
  static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
    {
      char file[300];

      snprintf (file, sizeof file, "%s%s", path, suffixes[i]);
      unlink (file);
    }
}

/* The statement trace: counts by first word, for the current operation. */
typedef struct
{
  char  word[16];
  long  count;
} TraceCount;

static TraceCount trace_counts[32];
static int n_trace_counts;

static void
count_statement (const char *text)
{
  char word[16] = "";
  int n = 0;

  /* Text that starts with "--" is a trigger's; libgda and SQLite pass
   * the statement's own text otherwise. */
  while (*text == ' ' || *text == '\n' || *text == '\t')
    text++;
  while (n < (int) sizeof word - 1 && text[n] && text[n] != ' ' && text[n] != '\n' &&
         text[n] != '(' && text[n] != ';' && text[n] != '\t')
    {
      word[n] = text[n] >= 'a' && text[n] <= 'z' ? text[n] - 'a' + 'A' : text[n];
      n++;
    }
  word[n] = '\0';
  for (int i = 0; i < n_trace_counts; i++)
    if (strcmp (trace_counts[i].word, word) == 0)
      {
        trace_counts[i].count++;
        return;
      }
  if (n_trace_counts < (int) (sizeof trace_counts / sizeof trace_counts[0]))
    {
      memcpy (trace_counts[n_trace_counts].word, word, sizeof word);
      trace_counts[n_trace_counts++].count = 1;
    }
}

static int
trace_cb (unsigned    type,
          void       *context,
          void       *statement,
          void       *sql)
{
  count_statement (sql);
  return 0;
}

static long
file_size (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? (long) st.st_size : 0;
}

/* Counts the statements PostgreSQL logged since run->log_offset, up to
 * the last whole line: "LOG:  statement: SQL" (simple protocol) or
 * "LOG:  execute NAME: SQL" (a prepared statement). Continuation lines
 * of a statement and the DETAIL lines with its parameters do not match. */
static void
count_logged_statements (WorkloadRun *run)
{
  FILE *log = fopen (run->statement_log, "r");
  char *line = NULL;
  size_t allocated = 0;
  ssize_t len;

  if (log == NULL || fseek (log, run->log_offset, SEEK_SET) != 0)
    workload_fail (run, run->statement_log, "cannot read the server's log");
  while ((len = getline (&line, &allocated, log)) > 0 && line[len - 1] == '\n')
    {
      const char *p = strstr (line, "LOG:  ");

      run->log_offset += len;
      if (p == NULL)
        continue;
      p += 6;
      if (strncmp (p, "statement: ", 11) == 0)
        p += 11;
      else if (strncmp (p, "execute ", 8) == 0 && (p = strchr (p + 8, ':')) != NULL)
        p += 1;
      else
        continue;
      count_statement (p);
    }
  free (line);
  fclose (log);
}

static int
trace_connection (sqlite3                     *db,
                  const char                 **error,
                  const struct sqlite3_api_routines *api)
{
  sqlite3_trace_v2 (db, SQLITE_TRACE_STMT, trace_cb, NULL);
  return SQLITE_OK;
}

/* PostgreSQL ---------------------------------------------------------- */

static char *
percent_decode (const char *text,
                size_t      len)
{
  char *out = malloc (len + 1);
  size_t n = 0;

  for (size_t i = 0; i < len; i++)
    {
      if (text[i] == '%' && i + 2 < len && isxdigit ((unsigned char) text[i + 1]) &&
          isxdigit ((unsigned char) text[i + 2]))
        {
          char hex[3] = { text[i + 1], text[i + 2], 0 };

          out[n++] = (char) strtol (hex, NULL, 16);
          i += 2;
        }
      else
        out[n++] = text[i];
    }
  out[n] = '\0';
  return out;
}

static void
percent_encode (FILE       *out,
                const char *text)
{
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    if (isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
      fputc (*p, out);
    else
      fprintf (out, "%%%02X", *p);
}

/* postgresql://USER:PASSWORD@HOST:PORT/DBNAME (no query part). */
static void
parse_server_uri (WorkloadRun *run,
                  const char  *uri)
{
  const char *p, *at, *colon, *slash, *end;

  if (strncmp (uri, "postgresql://", 13) == 0)
    p = uri + 13;
  else if (strncmp (uri, "postgres://", 11) == 0)
    p = uri + 11;
  else
    workload_fail (run, "--postgresql", "not a postgresql:// URI");
  end = p + strcspn (p, "?");
  slash = memchr (p, '/', (size_t) (end - p));
  if (slash == NULL)
    slash = end;
  at = memchr (p, '@', (size_t) (slash - p));
  if (at != NULL)
    {
      colon = memchr (p, ':', (size_t) (at - p));
      run->pg_user = percent_decode (p, (size_t) ((colon ? colon : at) - p));
      run->pg_password = colon ? percent_decode (colon + 1, (size_t) (at - colon - 1)) : strdup ("");
      p = at + 1;
    }
  else
    {
      run->pg_user = strdup ("");
      run->pg_password = strdup ("");
    }
  colon = memchr (p, ':', (size_t) (slash - p));
  run->pg_host = percent_decode (p, (size_t) ((colon ? colon : slash) - p));
  run->pg_port = colon ? percent_decode (colon + 1, (size_t) (slash - colon - 1)) : strdup ("5432");
  run->pg_server_dbname = slash < end ? percent_decode (slash + 1, (size_t) (end - slash - 1))
                                      : strdup ("postgres");
  if (*run->pg_server_dbname == '\0')
    {
      free (run->pg_server_dbname);
      run->pg_server_dbname = strdup ("postgres");
    }
}

static void
ignore_notice (void       *data,
               const char *message)
{
}

static PGconn *
pg_connect (const WorkloadRun *run,
            const char        *dbname)
{
  const char *keys[] = { "host", "port", "user", "password", "dbname", NULL };
  const char *values[] = { run->pg_host, run->pg_port, run->pg_user, run->pg_password, dbname, NULL };
  PGconn *conn = PQconnectdbParams (keys, values, 0);

  if (PQstatus (conn) != CONNECTION_OK)
    workload_fail (run, dbname, PQerrorMessage (conn));
  /* "database ... does not exist, skipping" and the like. */
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  return conn;
}

/* Runs @sql; returns its result, which the caller clears. */
static PGresult *
pg_exec (const WorkloadRun *run,
         PGconn            *conn,
         const char        *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    workload_fail (run, sql, PQerrorMessage (conn));
  return result;
}

static void
pg_exec_server (const WorkloadRun *run,
                const char        *format,
                const char        *name)
{
  PGconn *conn = pg_connect (run, run->pg_server_dbname);
  char sql[256];

  snprintf (sql, sizeof sql, format, name);
  PQclear (pg_exec (run, conn, sql));
  PQfinish (conn);
}

static void
pg_drop (const WorkloadRun *run)
{
  /* FORCE: the peer's backends may still be going away. */
  pg_exec_server (run, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", run->pg_dbname);
}

static void
pg_create (WorkloadRun *run)
{
  pg_drop (run);
  pg_exec_server (run, "CREATE DATABASE \"%s\"", run->pg_dbname);
  pg_created = run;
  if (run->trace)
    {
      /* Only the sessions of this database log their statements. */
      pg_exec_server (run, "ALTER DATABASE \"%s\" SET log_statement = 'all'", run->pg_dbname);
      run->log_offset = file_size (run->statement_log);
    }
}

void
workload_init (WorkloadRun  *run,
               const char   *peer,
               unsigned      engines,
               int           argc,
               char        **argv)
{
  const char *server_uri = NULL;
  const char *name = NULL;

  memset (run, 0, sizeof *run);
  run->peer = peer;
  run->pragmas_name = "workload";

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--pragmas") == 0 && i + 1 < argc)
        run->pragmas_name = argv[++i];
      else if (strcmp (argv[i], "--trace") == 0)
        run->trace = true;
      else if (strcmp (argv[i], "--db") == 0 && i + 1 < argc)
        name = argv[++i];
      else if (strcmp (argv[i], "--postgresql") == 0 && i + 1 < argc)
        server_uri = argv[++i];
      else if (strcmp (argv[i], "--statement-log") == 0 && i + 1 < argc)
        run->statement_log = argv[++i];
      else if (strcmp (argv[i], "--scale") == 0 && i + 1 < argc)
        {
          char *end = NULL;
          long scale = strtol (argv[++i], &end, 10);

          if (end == argv[i] || *end || scale < 1 || scale > WORKLOAD_MAX_AUTHORS)
            {
              fprintf (stderr, "%s: --scale must be an integer from 1 to %d\n", peer,
                       WORKLOAD_MAX_AUTHORS);
              exit (2);
            }
          workload_scale = (int) scale;
        }
      else
        {
          fprintf (stderr, "usage: %s [--pragmas workload|libgorm] [--postgresql SERVER-URI] "
                   "[--db PATH-OR-NAME] [--trace [--statement-log SERVER-LOG]] [--scale N]\n",
                   argv[0]);
          exit (2);
        }
    }
  if (strcmp (run->pragmas_name, "workload") == 0)
    run->pragmas = pragmas_workload;
  else if (strcmp (run->pragmas_name, "libgorm") == 0)
    run->pragmas = pragmas_libgorm;
  else
    workload_fail (run, "--pragmas", "must be workload or libgorm");

  run->engine = server_uri ? WORKLOAD_POSTGRESQL : WORKLOAD_SQLITE;
  if (!(engines & (1u << run->engine)))
    workload_fail (run, server_uri ? "--postgresql" : "SQLite",
                   server_uri ? "this peer runs on SQLite only" : "this peer runs on PostgreSQL only");
  run->data = data_new ();
  if (run->engine == WORKLOAD_SQLITE)
    {
      if (name)
        snprintf (run->path, sizeof run->path, "%s", name);
      else
        snprintf (run->path, sizeof run->path, "/tmp/peers_bench_%s_%d.db", peer, (int) getpid ());
      if (run->trace)
        sqlite3_auto_extension ((void (*) (void)) trace_connection);
      remove_database (run->path);
      return;
    }

  run->pragmas_name = "postgresql";
  run->pragmas = NULL;
  if (run->trace && run->statement_log == NULL)
    workload_fail (run, "--trace", "on PostgreSQL it needs --statement-log (the server's log file)");
  parse_server_uri (run, server_uri);
  if (name)
    snprintf (run->pg_dbname, sizeof run->pg_dbname, "%s", name);
  else
    {
      snprintf (run->pg_dbname, sizeof run->pg_dbname, "peers_bench_%s_%d", peer, (int) getpid ());
      for (char *p = run->pg_dbname; *p; p++)
        if (*p == '-')
          *p = '_';
    }
  for (const char *p = run->pg_dbname; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_')
      workload_fail (run, "--db", "a PostgreSQL database name of letters, digits and _");
  {
    size_t len = 0;
    FILE *out = open_memstream (&run->pg_uri, &len);

    fputs ("postgresql://", out);
    percent_encode (out, run->pg_user);
    fputc (':', out);
    percent_encode (out, run->pg_password);
    fprintf (out, "@%s:%s/%s", run->pg_host, run->pg_port, run->pg_dbname);
    fclose (out);
  }
  pg_create (run);
}

void
workload_begin (WorkloadRun       *run,
                WorkloadOperation  op)
{
  n_trace_counts = 0;
  if (run->trace && run->engine == WORKLOAD_POSTGRESQL)
    run->log_offset = file_size (run->statement_log);
  run->started = workload_now ();
}

void
workload_end (WorkloadRun       *run,
              WorkloadOperation  op)
{
  run->seconds[op] = workload_now () - run->started;
  if (run->trace && run->engine == WORKLOAD_POSTGRESQL)
    count_logged_statements (run);
  if (run->trace)
    {
      char *json = malloc (64 + 48 * n_trace_counts);
      size_t len = 0;

      json[len++] = '{';
      run->selects[op] = 0;
      for (int i = 0; i < n_trace_counts; i++)
        {
          len += (size_t) sprintf (json + len, "%s\"%s\": %ld", i ? ", " : "",
                                   trace_counts[i].word, trace_counts[i].count);
          if (strcmp (trace_counts[i].word, "SELECT") == 0)
            run->selects[op] = trace_counts[i].count;
        }
      json[len++] = '}';
      json[len] = '\0';
      run->statements[op] = json;
    }
}

static char *
pg_read_rows_left (WorkloadRun *run)
{
  PGconn *conn = pg_connect (run, run->pg_dbname);
  PGresult *result = pg_exec (run, conn, "SELECT count(*), sum(views)::bigint FROM blogpost");
  PGresult *version;
  char *server;

  run->checks.rows_left = strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  run->checks.sum_views_left = strtoll (PQgetvalue (result, 0, 1), NULL, 10);
  PQclear (result);
  version = pg_exec (run, conn, "SHOW server_version");
  server = strdup (PQgetvalue (version, 0, 0));
  PQclear (version);
  PQfinish (conn);
  return server;
}

static void
read_rows_left (WorkloadRun *run)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_open_v2 (run->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "SELECT count(*), sum(views) FROM blogpost", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    workload_fail (run, "reading the rows left", sqlite3_errmsg (db));
  run->checks.rows_left = sqlite3_column_int64 (stmt, 0);
  run->checks.sum_views_left = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
json_string (const char *text)
{
  putchar ('"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        putchar ('\\');
      putchar (*p);
    }
  putchar ('"');
}

int
workload_finish (WorkloadRun *run,
                 const char  *version,
                 const char  *sqlite_version)
{
  const WorkloadChecks *c = &run->checks;
  const WorkloadChecks *e = &expected;
  char *server = NULL;
  int bad = 0;

  if (run->engine == WORKLOAD_POSTGRESQL)
    {
      server = pg_read_rows_left (run);
      pg_created = NULL;
      pg_drop (run);
    }
  else
    {
      read_rows_left (run);
      remove_database (run->path);
    }

  printf ("{\"peer\": ");
  json_string (run->peer);
  for (int op = 0; op < WORKLOAD_N_OPERATIONS; op++)
    printf (", \"%s\": %.9f", operation_names[op], run->seconds[op]);
  printf (", \"version\": ");
  json_string (version);
  if (run->engine == WORKLOAD_POSTGRESQL)
    {
      printf (", \"engine\": \"postgresql\", \"postgresql\": ");
      json_string (server);
    }
  else
    {
      printf (", \"engine\": \"sqlite\", \"sqlite\": ");
      json_string (sqlite_version);
    }
  free (server);
  printf (", \"pragmas\": ");
  json_string (run->pragmas_name);
  printf (", \"checks\": {");

#define CHECK(field, format)                                                   \
  do {                                                                         \
    printf ("%s\"" #field "\": " format, (const void *) &c->field == (const void *) &c->insert_sum_id ? "" : ", ", c->field); \
    if (workload_scale == 1 && c->field != e->field)                           \
      {                                                                        \
        fprintf (stderr, "%s: check " #field ": got " format ", want " format "\n", \
                 run->peer, c->field, e->field);                               \
        bad = 1;                                                               \
      }                                                                        \
  } while (0)

  CHECK (insert_sum_id, "%" PRId64);
  CHECK (fetch_all_n, "%" PRId64);
  CHECK (fetch_all_sum_id, "%" PRId64);
  CHECK (fetch_all_sum_len, "%" PRId64);
  CHECK (fetch_all_sum_date, "%" PRId64);
  CHECK (fetch_all_sum_views, "%" PRId64);
  CHECK (fetch_all_sum_rating, "%.3f");
  CHECK (fetch_all_n_published, "%" PRId64);
  CHECK (fetch_all_sum_author_id, "%" PRId64);
  CHECK (fetch_related_n, "%" PRId64);
  CHECK (fetch_related_sum_len, "%" PRId64);
  CHECK (fetch_related_checksum, "%" PRId64);
  CHECK (filter_sum_id, "%" PRId64);
  CHECK (get_sum_views, "%" PRId64);
  CHECK (count_sum, "%" PRId64);
  CHECK (count_related_sum, "%" PRId64);
  CHECK (count_related_checksum, "%" PRId64);
  CHECK (aggregate_n, "%" PRId64);
  CHECK (aggregate_sum_count, "%" PRId64);
  CHECK (aggregate_sum_views, "%" PRId64);
  CHECK (aggregate_checksum, "%" PRId64);
  CHECK (delete_bulk_rows, "%" PRId64);
  CHECK (bulk_create_n, "%" PRId64);
  CHECK (bulk_create_sum_id, "%" PRId64);
  CHECK (rows_left, "%" PRId64);
  CHECK (sum_views_left, "%" PRId64);
#undef CHECK

  printf ("}");
  if (workload_scale > 1)
    printf (", \"scale\": %d", workload_scale);
  /* The authors came with the posts: fetch_related sent its SELECTs, but
   * no more than fetch_all sent for the posts alone (1 for most peers, a
   * model's pages for libgorm), never one more per post or per author. */
  if (run->trace && (run->selects[WORKLOAD_FETCH_RELATED] < 1 ||
                     run->selects[WORKLOAD_FETCH_RELATED] > run->selects[WORKLOAD_FETCH_ALL]))
    {
      fprintf (stderr, "%s: check fetch_related statements: %ld SELECT, fetch_all %ld: "
               "the authors must come in the posts' statements\n",
               run->peer, run->selects[WORKLOAD_FETCH_RELATED], run->selects[WORKLOAD_FETCH_ALL]);
      bad = 1;
    }
  if (run->trace)
    {
      printf (", \"statements\": {");
      for (int op = 0; op < WORKLOAD_N_OPERATIONS; op++)
        printf ("%s\"%s\": %s", op ? ", " : "", operation_names[op], run->statements[op]);
      printf ("}");
    }
  printf ("}\n");
  fflush (stdout);
  return bad;
}
