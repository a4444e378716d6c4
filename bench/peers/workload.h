/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The workload of bench/WORKLOAD.md for the peers written in C
 * (raw_sqlite, raw_gda, libgorm-c): the data, the timing of each
 * operation, the checks and the JSON line. workload.py is its twin for
 * the Python peers; the two produce the same data and the same checks.
 *
 * Plain C, the sqlite3 API and libpq (for the PostgreSQL runs: the
 * database created before a run and dropped after it, the checks read
 * back, the statements counted from the server's log). A peer's main() is:
 *
 *   WorkloadRun run;
 *   workload_init (&run, "raw_sqlite", WORKLOAD_ENGINE_SQLITE, argc, argv);
 *   ... SQLite: open run.path, apply run.pragmas;
 *       PostgreSQL (run.engine): connect to run.pg_dbname (run.pg_uri) ...
 *   workload_begin (&run, WORKLOAD_INSERT); ...; workload_end (&run, WORKLOAD_INSERT);
 *   ... each operation in order, filling run.checks ...
 *   ... close the database ...
 *   return workload_finish (&run, version, sqlite_version);
 */

#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sizes of the workload (of its arrays); a run with --scale N (for
 * a profile under callgrind, compare.py --profile) divides each count by
 * N, and its checks are printed but not compared. */
#define WORKLOAD_MAX_AUTHORS   200
#define WORKLOAD_MAX_POSTS     20000
#define WORKLOAD_MAX_FILTERS   200
#define WORKLOAD_MAX_GETS      5000
#define WORKLOAD_MAX_COUNTS    500
extern int workload_scale;
#define WORKLOAD_N_AUTHORS     (WORKLOAD_MAX_AUTHORS / workload_scale)
#define WORKLOAD_N_POSTS       (WORKLOAD_MAX_POSTS / workload_scale)
#define WORKLOAD_N_FILTERS     (WORKLOAD_MAX_FILTERS / workload_scale)
#define WORKLOAD_N_GETS        (WORKLOAD_MAX_GETS / workload_scale)
#define WORKLOAD_N_COUNTS      (WORKLOAD_MAX_COUNTS / workload_scale)
#define WORKLOAD_N_DELETE_EACH (1000 / workload_scale)
#define WORKLOAD_FILTER_LIMIT  20
/* Rows per multi-row INSERT of bulk_create in the peers that write SQL. */
#define WORKLOAD_BULK_BATCH    1000
/* Authors are named "author-NNN": the number starts here. */
#define WORKLOAD_AUTHOR_NUMBER 7

typedef enum
{
  WORKLOAD_INSERT,
  WORKLOAD_FETCH_ALL,
  WORKLOAD_FETCH_RELATED,
  WORKLOAD_FILTER,
  WORKLOAD_GET_BY_PK,
  WORKLOAD_COUNT,
  WORKLOAD_COUNT_RELATED,
  WORKLOAD_AGGREGATE,
  WORKLOAD_UPDATE,
  WORKLOAD_DELETE_BULK,
  WORKLOAD_DELETE_EACH,
  WORKLOAD_BULK_CREATE,
  WORKLOAD_N_OPERATIONS,
} WorkloadOperation;

typedef struct
{
  int year, month, day, hour, minute, second;
} WorkloadDate;

typedef struct
{
  const char   *title;
  const char   *content;
  WorkloadDate  pub_date;
  int64_t       views;
  double        rating;
  bool          published;
  int           author;     /* index into WorkloadData.authors */
} WorkloadPost;

typedef struct
{
  const char   *authors[WORKLOAD_MAX_AUTHORS];
  WorkloadPost  posts[WORKLOAD_MAX_POSTS];
  int64_t       filter_views[WORKLOAD_MAX_FILTERS];
  int64_t       get_ids[WORKLOAD_MAX_GETS];
  int64_t       count_authors[WORKLOAD_MAX_COUNTS];
} WorkloadData;

typedef enum
{
  WORKLOAD_SQLITE,
  WORKLOAD_POSTGRESQL,
} WorkloadEngine;

#define WORKLOAD_ENGINE_SQLITE     (1u << WORKLOAD_SQLITE)
#define WORKLOAD_ENGINE_POSTGRESQL (1u << WORKLOAD_POSTGRESQL)

/* The canonical schema of bench/WORKLOAD.md, for the peers that write SQL. */
#define WORKLOAD_SCHEMA \
  "CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT," \
  "                     name VARCHAR(100) NOT NULL UNIQUE);" \
  "CREATE TABLE blogpost (id INTEGER PRIMARY KEY AUTOINCREMENT," \
  "    title VARCHAR(200) NOT NULL, content TEXT, pub_date DATETIME," \
  "    views INTEGER, rating REAL, published BOOLEAN," \
  "    author_id INTEGER REFERENCES author(id));" \
  "CREATE INDEX ix_blogpost_pub_date ON blogpost(pub_date);" \
  "CREATE INDEX ix_blogpost_author_id ON blogpost(author_id);"

/* Its PostgreSQL form (bench/WORKLOAD.md, "PostgreSQL"). */
#define WORKLOAD_SCHEMA_POSTGRESQL \
  "CREATE TABLE author (id BIGSERIAL PRIMARY KEY," \
  "                     name VARCHAR(100) NOT NULL UNIQUE);" \
  "CREATE TABLE blogpost (id BIGSERIAL PRIMARY KEY," \
  "    title VARCHAR(200) NOT NULL, content TEXT, pub_date TIMESTAMP," \
  "    views BIGINT, rating DOUBLE PRECISION, published BOOLEAN," \
  "    author_id BIGINT REFERENCES author(id));" \
  "CREATE INDEX ix_blogpost_pub_date ON blogpost(pub_date);" \
  "CREATE INDEX ix_blogpost_author_id ON blogpost(author_id);"

#define WORKLOAD_COLUMNS "id, title, content, pub_date, views, rating, published, author_id"

/* fetch_related in one statement: the post's columns, then its author's. */
#define WORKLOAD_RELATED_SELECT \
  "SELECT p.id, p.title, p.content, p.pub_date, p.views, p.rating, p.published, p.author_id," \
  " a.id, a.name FROM blogpost p JOIN author a ON a.id = p.author_id"

/* count_related: the posts of one author. */
#define WORKLOAD_COUNT_RELATED_SQL(param) "SELECT count(*) FROM blogpost WHERE author_id = " param

/* aggregate: per author, the number of posts and the sum of their views. */
#define WORKLOAD_AGGREGATE_SELECT \
  "SELECT author_id, count(id), sum(views) FROM blogpost GROUP BY author_id"

/* bulk_create: the multi-row INSERT, without its VALUES rows. */
#define WORKLOAD_BULK_INSERT \
  "INSERT INTO blogpost (title, content, pub_date, views, rating, published, author_id) VALUES "

/* The posts of delete_each, loaded before it: the WORKLOAD_N_DELETE_EACH
 * lowest ids (a static string). */
const char *workload_lowest_sql (void);

/* The authors, loaded before count_related and bulk_create. */
#define WORKLOAD_AUTHORS_SELECT "SELECT id, name FROM author ORDER BY id"

/* The plain C objects of the raw peers: a post and an author as loaded,
 * strings copied. */
typedef struct
{
  int64_t      id;
  char        *title;
  char        *content;
  WorkloadDate pub_date;
  int64_t      views;
  double       rating;
  bool         published;
  int64_t      author_id;
} WorkloadRow;

typedef struct
{
  int64_t  id;
  char    *name;
} WorkloadAuthor;

typedef struct
{
  WorkloadRow *items;
  size_t       len;
  size_t       allocated;
} WorkloadRowList;

/* fetch_related: a post loaded with its author, both copied. */
typedef struct
{
  WorkloadRow    post;
  WorkloadAuthor author;
} WorkloadRelatedRow;

typedef struct
{
  WorkloadRelatedRow *items;
  size_t              len;
  size_t              allocated;
} WorkloadRelatedList;

typedef struct
{
  int64_t insert_sum_id;
  int64_t fetch_all_n;
  int64_t fetch_all_sum_id;
  int64_t fetch_all_sum_len;
  int64_t fetch_all_sum_date;
  int64_t fetch_all_sum_views;
  double  fetch_all_sum_rating;
  int64_t fetch_all_n_published;
  int64_t fetch_all_sum_author_id;
  int64_t fetch_related_n;
  int64_t fetch_related_sum_len;
  int64_t fetch_related_checksum;
  int64_t filter_sum_id;
  int64_t get_sum_views;
  int64_t count_sum;
  int64_t count_related_sum;
  int64_t count_related_checksum;
  int64_t aggregate_n;
  int64_t aggregate_sum_count;
  int64_t aggregate_sum_views;
  int64_t aggregate_checksum;
  int64_t delete_bulk_rows;
  int64_t bulk_create_n;
  int64_t bulk_create_sum_id;
  int64_t rows_left;
  int64_t sum_views_left;
} WorkloadChecks;

typedef struct
{
  const char         *peer;
  WorkloadEngine      engine;
  char                path[256];       /* SQLite: the file */
  /* PostgreSQL (--postgresql SERVER-URI): the fresh database of the run
   * on that server, as libpq keywords and as a postgresql:// URI. */
  char               *pg_host;
  char               *pg_port;
  char               *pg_user;
  char               *pg_password;
  char               *pg_server_dbname;
  char                pg_dbname[64];
  char               *pg_uri;
  const char         *statement_log;   /* PostgreSQL, --trace: the server's log file */
  long                log_offset;
  const char         *pragmas_name;    /* "workload", "libgorm" or "postgresql" */
  const char * const *pragmas;         /* NULL-terminated PRAGMA statements */
  bool                trace;
  const WorkloadData *data;
  WorkloadChecks      checks;
  double              seconds[WORKLOAD_N_OPERATIONS];
  double              started;
  char               *statements[WORKLOAD_N_OPERATIONS];  /* JSON objects, with --trace */
  long                selects[WORKLOAD_N_OPERATIONS];     /* SELECTs of each, with --trace */
} WorkloadRun;

/* Parses [--pragmas workload|libgorm] [--postgresql SERVER-URI]
 * [--db PATH-OR-NAME] [--trace [--statement-log SERVER-LOG]], generates
 * the data, removes the database file or creates the run's PostgreSQL
 * database (dropping one of that name first); with --trace, counts every
 * statement SQLite runs in this process (sqlite3_auto_extension), or on
 * PostgreSQL every statement the server logs for the run's database
 * (log_statement = all on it). @engines: the engines the peer runs on,
 * WORKLOAD_ENGINE_SQLITE and/or WORKLOAD_ENGINE_POSTGRESQL. Exits on bad
 * arguments or an engine the peer does not run on. */
void        workload_init         (WorkloadRun       *run,
                                   const char        *peer,
                                   unsigned           engines,
                                   int                argc,
                                   char             **argv);
void        workload_begin        (WorkloadRun       *run,
                                   WorkloadOperation  op);
void        workload_end          (WorkloadRun       *run,
                                   WorkloadOperation  op);

/* Reads what is left in the file or database (after the peer closed it),
 * prints the JSON line, removes the file or drops the database; returns
 * the exit status: 0, or 1 when a check differs. @sqlite_version is the
 * SQLite the peer loaded (SQLite runs; on PostgreSQL the server's version
 * is read here). */
int         workload_finish       (WorkloadRun       *run,
                                   const char        *version,
                                   const char        *sqlite_version);

/* The bench/WORKLOAD.md `sum_date` term of one date. */
int64_t     workload_date_seconds (const WorkloadDate *date);

/* Parses "YYYY-MM-DD HH:MM:SS[.ffffff]" (a 'T' for the space too). */
bool        workload_date_parse   (const char        *text,
                                   WorkloadDate      *date);

/* Formats "YYYY-MM-DD HH:MM:SS" into @buffer (at least 20 bytes). */
void        workload_date_format  (const WorkloadDate *date,
                                   char              *buffer);

/* Adds one fetched post to the fetch_all checks. */
void        workload_read_post    (WorkloadChecks    *checks,
                                   int64_t            id,
                                   const char        *title,
                                   const char        *content,
                                   const WorkloadDate *pub_date,
                                   int64_t            views,
                                   double             rating,
                                   bool               published,
                                   int64_t            author_id);

/* Adds one post of fetch_related and the name of its author, read
 * through the relation, to the fetch_related checks. */
void        workload_read_related (WorkloadChecks    *checks,
                                   int64_t            post_id,
                                   const char        *author_name);

/* Adds the count_related count of the author @author_id. */
void        workload_count_related (WorkloadChecks   *checks,
                                    int64_t           author_id,
                                    int64_t           count);

/* Adds one grouped row of aggregate: an author, its posts and their views. */
void        workload_aggregate_row (WorkloadChecks   *checks,
                                    int64_t           author_id,
                                    int64_t           count,
                                    int64_t           views);

/* The posts of @run's data as the raw peers' objects (@posts holds
 * WORKLOAD_N_POSTS), strings copied, each with the id of its author in
 * @authors (by author number); the ids are left to the caller. */
void        workload_copy_posts   (const WorkloadRun    *run,
                                   WorkloadRow          *posts,
                                   const WorkloadAuthor *authors);

/* Adds one post of bulk_create and the id it was given. */
void        workload_bulk_post    (WorkloadChecks    *checks,
                                   int64_t            id);

/* The multi-row INSERT of bulk_create for @n rows: WORKLOAD_BULK_INSERT
 * and @n rows of 7 placeholders, each made by @placeholder (the SQL of
 * placeholder @k of row @row, 1-based @k counted over the statement, into
 * @buffer of 64 bytes). Free with free(). */
char       *workload_bulk_insert_sql (int         n,
                                      void      (*placeholder) (int row, int column, int k,
                                                                char *buffer));

/* Rounds the rating sum to 3 decimals, as the checks state it. */
void        workload_fetch_done   (WorkloadChecks    *checks);

double      workload_now          (void);

/* A new row at the end of @list (its contents undefined), and the rows
 * freed with their strings. */
WorkloadRow *workload_post_list_add   (WorkloadRowList *list);
void         workload_post_list_clear (WorkloadRowList *list);
WorkloadRelatedRow *workload_related_list_add   (WorkloadRelatedList *list);
void                workload_related_list_clear (WorkloadRelatedList *list);

/* Exits with a message naming the peer and what failed. */
void        workload_fail         (const WorkloadRun *run,
                                   const char        *what,
                                   const char        *message) __attribute__((noreturn));
