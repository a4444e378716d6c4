/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A million-row table behind a list model: libgorm's GormQueryModel
 * against Gom's GomResourceGroup, on the same rows of the same SQLite
 * file, in the same run.
 *
 * For each peer and query it measures, in a fresh process each time:
 *
 *   open    from the query to knowing the number of items and holding
 *           the first 50 (wall time; the median of three processes);
 *   random  1,000 items at random positions (fixed seed), each get
 *           timed alone: p50, p99 and max;
 *   memory  the peak resident memory (VmHWM) after touching 1 % of the
 *           items at random positions (reading one property of each and
 *           dropping it), above the resident memory right after the
 *           database was opened.
 *
 * A GTK list asks a GListModel for an item and gets it; Gom's group has
 * to be fetched before get_index() answers, so its items are got the
 * way code adapting a group to a list does: a window of 50 items around
 * the position is fetched when the position is not loaded yet.
 *
 *   bench-scale all [DATABASE]       set up, run every case, print the table
 *   bench-scale setup [DATABASE]     only create (or check) the tables
 *   bench-scale PEER QUERY PHASE [DATABASE]
 *                                    one measurement; prints a RESULT line
 *       gorm  fetch | watch | fetch-views | watch-views (and -rating,
 *             -rating-asc, -unpublished, -like; -author in bench-anyquery)
 *       gom   find | find-views (and -rating, -rating-asc, -unpublished, -like)
 *       PHASE open | random | memory (and prepared, writes and
 *             writes-counted in bench-anyquery: see measure_writes())
 *   bench-anyquery anyquery [DATABASE]
 *                                    the queries no index serves, before
 *                                    and after the key index (bench/README.md)
 *
 * DATABASE defaults to $TMPDIR/gorm-bench-scale.db. The tables are
 * created once and kept: "blogpost" through libgorm, "gom_blogpost"
 * through Gom's automatic migration, filled from "blogpost". A wrong row
 * count re-creates them. BENCH_SCALE_ROWS sets another row count (for a
 * quick or profiled run; the number of touches stays 1 % of it).
 *
 * A random or memory phase stops after BENCH_SCALE_BUDGET seconds
 * (default 180) and says how far it got: a case that needs seconds per
 * item would otherwise run for hours.
 */

#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-model.h"

#ifdef BENCH_ANYQUERY
#include "gorm-connection-private.h"
#include "gorm-query-private.h"
#endif

#ifdef BENCH_HAVE_GOM
#include <gom/gom.h>
#endif

#define DEFAULT_ROWS   1000000
#define FIRST_ITEMS    50
#define RANDOM_GETS    1000
#define OPEN_RUNS      3
#define SEED           20240601
#define GOM_WINDOW     50
/* Matches the titles of 11 % of the rows ("topic 3", "topic 30" … 39). */
#define LIKE_PATTERN   "%topic 3%"

#define LOREM "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do " \
              "eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim " \
              "ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut " \
              "aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit."

/* Process measurements */

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The nearest-rank percentile of @sorted. */
static double
percentile (const double *sorted,
            guint         n,
            double        p)
{
  guint rank = (guint) (p * n + 0.999999);

  return sorted[CLAMP (rank, 1, n) - 1];
}

static double
budget_us (void)
{
  const char *text = g_getenv ("BENCH_SCALE_BUDGET");
  double seconds = text ? g_ascii_strtod (text, NULL) : 0;

  return (seconds > 0 ? seconds : 180) * G_USEC_PER_SEC;
}

static guint
n_rows (void)
{
  const char *text = g_getenv ("BENCH_SCALE_ROWS");
  guint64 rows = text ? g_ascii_strtoull (text, NULL, 10) : 0;

  return rows > 0 && rows <= G_MAXUINT ? (guint) rows : DEFAULT_ROWS;
}

/* A peer: how a program opens the database, runs a query and gets the
 * item at a position. get() returns a full reference. */
typedef struct
{
  const char *name;
  gpointer  (*open)  (const char   *path,
                      GError      **error);
  gboolean  (*run)   (gpointer      session,
                      const char   *query,
                      guint        *n_items,
                      GError      **error);
  GObject  *(*get)   (gpointer      session,
                      guint         position);
  void      (*close) (gpointer      session);
} Peer;

/* libgorm */

typedef struct
{
  GormDatabase *db;
  GListModel   *model;
} GormSession;

static gpointer
gorm_session_open (const char  *path,
                   GError     **error)
{
  /* A PostgreSQL database, for one measurement (the tables filled by
   * hand: setup writes SQLite files only). */
  g_autofree char *uri = g_str_has_prefix (path, "postgresql:") ? g_strdup (path)
                                                                : g_strconcat ("sqlite:", path, NULL);
  GormSession *session;
  GormDatabase *db;

  db = gorm_database_open (uri, NULL, error);
  if (db == NULL)
    return NULL;
  session = g_new0 (GormSession, 1);
  session->db = db;
  return session;
}

static gboolean
gorm_session_run (gpointer     data,
                  const char  *query_name,
                  guint       *n_items,
                  GError     **error)
{
  GormSession *session = data;
  g_autoptr(GormQuery) query = gorm_database_query (session->db, BENCH_TYPE_POST);
  g_auto(GValue) value = G_VALUE_INIT;

  if (g_str_has_suffix (query_name, "-views"))
    gorm_query_order_by (query, "views", TRUE);
  /* The queries no index serves (bench-anyquery): an order of two terms
   * with no index on them, that order behind a boolean filter, an order
   * of one column in one direction with no index on it (which the model
   * could anchor, but every anchor would sort the table), a LIKE of a
   * middle part, and an order by a column of a related table. */
  if (g_str_has_suffix (query_name, "-unpublished"))
    {
      g_value_init (&value, G_TYPE_BOOLEAN);
      g_value_set_boolean (&value, FALSE);
      gorm_query_filter (query, gorm_filter_eq ("published", &value));
    }
  if (g_str_has_suffix (query_name, "-rating") || g_str_has_suffix (query_name, "-unpublished"))
    {
      gorm_query_order_by (query, "rating", TRUE);
      gorm_query_order_by (query, "title", FALSE);
    }
  if (g_str_has_suffix (query_name, "-rating-asc"))
    gorm_query_order_by (query, "rating", FALSE);
  if (g_str_has_suffix (query_name, "-like"))
    gorm_query_filter (query, gorm_filter_like ("title", LIKE_PATTERN));
#ifdef BENCH_MODEL_FOREIGN_KEY
  if (g_str_has_suffix (query_name, "-author"))
    gorm_query_order_by (query, "author.name", FALSE);
#endif
  if (g_str_has_prefix (query_name, "watch"))
    session->model = gorm_query_watch (query, NULL, error);
  else
    session->model = gorm_query_fetch (query, NULL, error);
  if (session->model == NULL)
    return FALSE;

  *n_items = g_list_model_get_n_items (session->model);
  return TRUE;
}

static GObject *
gorm_session_get (gpointer data,
                  guint    position)
{
  GormSession *session = data;

  return g_list_model_get_item (session->model, position);
}

static void
gorm_session_close (gpointer data)
{
  GormSession *session = data;

  g_clear_object (&session->model);
  gorm_database_close (session->db, NULL, NULL);
  g_clear_object (&session->db);
  g_free (session);
}

static const Peer gorm_peer = {
  "libgorm", gorm_session_open, gorm_session_run, gorm_session_get, gorm_session_close,
};

static gint64
gorm_count (GormDatabase  *db,
            GError       **error)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, BENCH_TYPE_POST);

  return gorm_query_count (query, NULL, error);
}

/* One statement inserts every row: a recursive CTE counts from 0 and
 * each column is a fixed function of the counter, so every run and every
 * peer sees the same data. */
static const char insert_sql[] =
  "INSERT INTO blogpost (title, content, pub_date, views, rating, published, author_id) "
  "WITH RECURSIVE seq (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?) "
  "SELECT 'Post ' || i || ' about topic ' || (i * 37 % 100), "
  "       ? || ' #' || i, "
  "       strftime ('%Y-%m-%dT%H:%M:%S.000000Z', 1577836800 + i * 2654435761 % 31536000, 'unixepoch'), "
  "       i * 7919 % 10000, "
  "       (i * 104729 % 5001) / 1000.0, "
  "       i % 4 != 0, "
  "       i % 200 + 1 "
  "FROM seq";

/* The ordered query walks this index; BenchPost does not declare one.
 * Not named ix_blogpost_*: libgorm names its own indexes so, and the
 * first use of BenchPost in each measuring process would drop an index
 * of that name that the class does not declare (the views order then
 * sorts the table: seconds per far item). */
static const char views_index_sql[] =
  "CREATE INDEX IF NOT EXISTS bench_blogpost_views ON blogpost (views)";

static gboolean
setup_gorm (const char  *path,
            guint        rows,
            GError     **error)
{
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autoptr(GormDatabase) db = NULL;
  GType types[] = { BENCH_TYPE_POST };
  GValue params[2] = { G_VALUE_INIT, G_VALUE_INIT };
  gint64 count, inserted;
  gint64 start;

  db = gorm_database_open (uri, NULL, error);
  if (db == NULL || !gorm_database_migrate (db, types, 1, NULL, error))
    return FALSE;
  count = gorm_count (db, error);
  if (count < 0)
    return FALSE;
  if (count == rows)
    {
      g_printerr ("blogpost: %u rows, kept\n", rows);
      return gorm_database_execute (db, views_index_sql, NULL, 0, NULL, error) >= 0 &&
             gorm_database_close (db, NULL, error);
    }

  g_printerr ("blogpost: %" G_GINT64_FORMAT " rows, re-creating %u ... ", count, rows);
  if (!gorm_database_close (db, NULL, error))
    return FALSE;
  g_clear_object (&db);
  bench_remove_database (path);

  start = g_get_monotonic_time ();
  db = gorm_database_open (uri, NULL, error);
  if (db == NULL || !gorm_database_migrate (db, types, 1, NULL, error) ||
      !gorm_database_begin (db, NULL, error))
    return FALSE;

  g_value_init (&params[0], G_TYPE_INT64);
  g_value_set_int64 (&params[0], rows);
  g_value_init (&params[1], G_TYPE_STRING);
  g_value_set_static_string (&params[1], LOREM);
  inserted = gorm_database_execute (db, insert_sql, params, G_N_ELEMENTS (params), NULL, error);
  g_value_unset (&params[0]);
  g_value_unset (&params[1]);
  if (inserted != rows)
    {
      if (inserted >= 0)
        g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                     "Inserted %" G_GINT64_FORMAT " rows instead of %u", inserted, rows);
      gorm_database_rollback (db, NULL, NULL);
      return FALSE;
    }
  if (gorm_database_execute (db, views_index_sql, NULL, 0, NULL, error) < 0 ||
      !gorm_database_commit (db, NULL, error))
    return FALSE;

  g_printerr ("%.1f s\n", ms_since (start) / 1000.0);
  return gorm_database_close (db, NULL, error);
}

static char *
sqlite_version (const char *path)
{
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autoptr(GormDatabase) db = gorm_database_open (uri, NULL, NULL);
  GdaDataModel *model;
  const GValue *value;
  char *version;

  /* gorm_database_execute() returns no rows: ask libgda directly. */
  if (db == NULL)
    return g_strdup ("?");
  model = gda_connection_execute_select_command (gorm_database_get_connection (db),
                                                 "SELECT sqlite_version()", NULL);
  value = model ? gda_data_model_get_value_at (model, 0, 0, NULL) : NULL;
  version = g_strdup (value && G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : "?");
  g_clear_object (&model);
  return version;
}

/* Gom */

#ifdef BENCH_HAVE_GOM

/* The same blog post as BenchPost, declared the way Gom wants it: an
 * explicit id property as the primary key, columns named after the
 * properties, in a table of its own. */
#define BENCH_TYPE_GOM_POST (bench_gom_post_get_type ())
G_DECLARE_FINAL_TYPE (BenchGomPost, bench_gom_post, BENCH, GOM_POST, GomResource)

struct _BenchGomPost
{
  GomResource  parent_instance;

  gint64       id;
  char        *title;
  char        *content;
  GDateTime   *pub_date;
  gint64       views;
  double       rating;
  gboolean     published;
  gint64       author_id;
};

G_DEFINE_FINAL_TYPE (BenchGomPost, bench_gom_post, GOM_TYPE_RESOURCE)

enum {
  GOM_PROP_0,
  GOM_PROP_ID,
  GOM_PROP_TITLE,
  GOM_PROP_CONTENT,
  GOM_PROP_PUB_DATE,
  GOM_PROP_VIEWS,
  GOM_PROP_RATING,
  GOM_PROP_PUBLISHED,
  GOM_PROP_AUTHOR_ID,
  GOM_N_PROPS,
};

static GParamSpec *gom_properties[GOM_N_PROPS];

static void
bench_gom_post_finalize (GObject *object)
{
  BenchGomPost *self = BENCH_GOM_POST (object);

  g_free (self->title);
  g_free (self->content);
  g_clear_pointer (&self->pub_date, g_date_time_unref);

  G_OBJECT_CLASS (bench_gom_post_parent_class)->finalize (object);
}

static void
bench_gom_post_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BenchGomPost *self = BENCH_GOM_POST (object);

  switch (prop_id)
    {
    case GOM_PROP_ID: g_value_set_int64 (value, self->id); break;
    case GOM_PROP_TITLE: g_value_set_string (value, self->title); break;
    case GOM_PROP_CONTENT: g_value_set_string (value, self->content); break;
    case GOM_PROP_PUB_DATE: g_value_set_boxed (value, self->pub_date); break;
    case GOM_PROP_VIEWS: g_value_set_int64 (value, self->views); break;
    case GOM_PROP_RATING: g_value_set_double (value, self->rating); break;
    case GOM_PROP_PUBLISHED: g_value_set_boolean (value, self->published); break;
    case GOM_PROP_AUTHOR_ID: g_value_set_int64 (value, self->author_id); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bench_gom_post_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BenchGomPost *self = BENCH_GOM_POST (object);

  switch (prop_id)
    {
    case GOM_PROP_ID: self->id = g_value_get_int64 (value); break;
    case GOM_PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      break;
    case GOM_PROP_CONTENT:
      g_free (self->content);
      self->content = g_value_dup_string (value);
      break;
    case GOM_PROP_PUB_DATE:
      g_clear_pointer (&self->pub_date, g_date_time_unref);
      self->pub_date = g_value_dup_boxed (value);
      break;
    case GOM_PROP_VIEWS: self->views = g_value_get_int64 (value); break;
    case GOM_PROP_RATING: self->rating = g_value_get_double (value); break;
    case GOM_PROP_PUBLISHED: self->published = g_value_get_boolean (value); break;
    case GOM_PROP_AUTHOR_ID: self->author_id = g_value_get_int64 (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bench_gom_post_class_init (BenchGomPostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GomResourceClass *resource_class = GOM_RESOURCE_CLASS (klass);

  object_class->finalize = bench_gom_post_finalize;
  object_class->get_property = bench_gom_post_get_property;
  object_class->set_property = bench_gom_post_set_property;

  gom_properties[GOM_PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                                                    G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  gom_properties[GOM_PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  gom_properties[GOM_PROP_CONTENT] = g_param_spec_string ("content", NULL, NULL, NULL,
                                                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  gom_properties[GOM_PROP_PUB_DATE] = g_param_spec_boxed ("pub-date", NULL, NULL, G_TYPE_DATE_TIME,
                                                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  gom_properties[GOM_PROP_VIEWS] = g_param_spec_int64 ("views", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                                                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  gom_properties[GOM_PROP_RATING] = g_param_spec_double ("rating", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  gom_properties[GOM_PROP_PUBLISHED] = g_param_spec_boolean ("published", NULL, NULL, FALSE,
                                                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  gom_properties[GOM_PROP_AUTHOR_ID] = g_param_spec_int64 ("author-id", NULL, NULL, 0, G_MAXINT64, 0,
                                                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, GOM_N_PROPS, gom_properties);

  gom_resource_class_set_table (resource_class, "gom_blogpost");
  gom_resource_class_set_primary_key (resource_class, "id");
}

static void
bench_gom_post_init (BenchGomPost *self)
{
}

typedef struct
{
  GomAdapter       *adapter;
  GomRepository    *repository;
  GomResourceGroup *group;
  guint             n_items;
  /* One bit per position: whether it was fetched. get_index() cannot
   * tell (Gom 0.4 crashes on a position never fetched), so code that
   * shows a group keeps this itself. */
  guint8           *fetched;
} GomSession;

static gpointer
gom_session_open (const char  *path,
                  GError     **error)
{
  g_autoptr(GomAdapter) adapter = gom_adapter_new ();
  GomSession *session;

  if (!gom_adapter_open_sync (adapter, path, error))
    return NULL;
  session = g_new0 (GomSession, 1);
  session->adapter = g_steal_pointer (&adapter);
  session->repository = gom_repository_new (session->adapter);
  return session;
}

static gboolean
gom_session_run (gpointer     data,
                 const char  *query,
                 guint       *n_items,
                 GError     **error)
{
  GomSession *session = data;

  if (g_str_has_suffix (query, "-rating") || g_str_has_suffix (query, "-unpublished") ||
      g_str_has_suffix (query, "-like"))
    {
      /* Gom 0.4 declares no autoptr cleanups. */
      GomSorting *sorting = NULL;
      GomFilter *filter = NULL;
      g_auto(GValue) value = G_VALUE_INIT;

      if (g_str_has_suffix (query, "-like"))
        {
          g_value_init (&value, G_TYPE_STRING);
          g_value_set_static_string (&value, LIKE_PATTERN);
          filter = gom_filter_new_like (BENCH_TYPE_GOM_POST, "title", &value);
          session->group = gom_repository_find_sync (session->repository, BENCH_TYPE_GOM_POST,
                                                     filter, error);
        }
      else
        {
          if (g_str_has_suffix (query, "-unpublished"))
            {
              g_value_init (&value, G_TYPE_BOOLEAN);
              g_value_set_boolean (&value, FALSE);
              filter = gom_filter_new_eq (BENCH_TYPE_GOM_POST, "published", &value);
            }
          sorting = gom_sorting_new (BENCH_TYPE_GOM_POST, "rating", GOM_SORTING_DESCENDING,
                                     BENCH_TYPE_GOM_POST, "title", GOM_SORTING_ASCENDING, NULL);
          session->group = gom_repository_find_sorted_sync (session->repository, BENCH_TYPE_GOM_POST,
                                                            filter, sorting, error);
        }
      g_clear_object (&sorting);
      g_clear_object (&filter);
    }
  else if (g_str_has_suffix (query, "-rating-asc"))
    {
      /* No tie-break either (see -views): the two agree on ratings,
       * not necessarily on ids. */
      GomSorting *sorting = gom_sorting_new (BENCH_TYPE_GOM_POST, "rating", GOM_SORTING_ASCENDING, NULL);

      session->group = gom_repository_find_sorted_sync (session->repository, BENCH_TYPE_GOM_POST,
                                                        NULL, sorting, error);
      g_object_unref (sorting);
    }
  else if (g_str_has_suffix (query, "-views"))
    {
      /* What a Gom user writes. Gom adds no tie-break: SQLite walks
       * the index backwards, ties in descending id; libgorm breaks ties
       * by ascending id, so the two agree on views, not on ids. */
      GomSorting *sorting = gom_sorting_new (BENCH_TYPE_GOM_POST, "views", GOM_SORTING_DESCENDING, NULL);

      session->group = gom_repository_find_sorted_sync (session->repository, BENCH_TYPE_GOM_POST,
                                                        NULL, sorting, error);
      g_object_unref (sorting);
    }
  else
    session->group = gom_repository_find_sync (session->repository, BENCH_TYPE_GOM_POST, NULL, error);
  if (session->group == NULL)
    return FALSE;

  *n_items = session->n_items = gom_resource_group_get_count (session->group);
  session->fetched = g_malloc0 (session->n_items / 8 + 1);
  return TRUE;
}

static GObject *
gom_session_get (gpointer data,
                 guint    position)
{
  GomSession *session = data;
  GomResource *resource;

  if (position >= session->n_items)
    return NULL;
  if (!(session->fetched[position / 8] & (1 << position % 8)))
    {
      g_autoptr(GError) error = NULL;
      guint start = position >= GOM_WINDOW / 2 ? position - GOM_WINDOW / 2 : 0;
      guint count = MIN (GOM_WINDOW, session->n_items - start);

      if (!gom_resource_group_fetch_sync (session->group, start, count, &error))
        {
          g_warning ("Cannot fetch items %u-%u: %s", start, start + count - 1, error->message);
          return NULL;
        }
      for (guint i = start; i < start + count; i++)
        session->fetched[i / 8] |= 1 << i % 8;
    }
  resource = gom_resource_group_get_index (session->group, position);
  return resource ? g_object_ref (G_OBJECT (resource)) : NULL;
}

static void
gom_session_close (gpointer data)
{
  GomSession *session = data;

  g_clear_object (&session->group);
  g_clear_pointer (&session->fetched, g_free);
  g_clear_object (&session->repository);
  gom_adapter_close_sync (session->adapter, NULL);
  g_clear_object (&session->adapter);
  g_free (session);
}

static const Peer gom_peer = {
  "Gom", gom_session_open, gom_session_run, gom_session_get, gom_session_close,
};

/* SQL run in Gom's SQLite thread, as Gom wants writes run. */
typedef struct
{
  const char * const *statements;
  GError             *error;
  GAsyncQueue        *done;
} GomScript;

static void
gom_script_cb (GomAdapter *adapter,
               gpointer    user_data)
{
  GomScript *script = user_data;

  for (guint i = 0; script->statements[i] != NULL; i++)
    if (!gom_adapter_execute_sql (adapter, script->statements[i], &script->error))
      {
        gom_adapter_execute_sql (adapter, "ROLLBACK", NULL);
        break;
      }
  g_async_queue_push (script->done, GINT_TO_POINTER (TRUE));
}

static gboolean
gom_run_script (GomAdapter          *adapter,
                const char * const  *statements,
                GError             **error)
{
  GomScript script = { statements, NULL, g_async_queue_new () };

  gom_adapter_queue_write (adapter, gom_script_cb, &script);
  g_async_queue_pop (script.done);
  g_async_queue_unref (script.done);
  if (script.error != NULL)
    {
      g_propagate_error (error, script.error);
      return FALSE;
    }
  return TRUE;
}

/* Gom creates its table, then it is filled with libgorm's rows. (Both
 * libgorm's open and Gom's migration put the file in WAL mode, so both
 * peers read it in that mode.) */
static gboolean
setup_gom (const char  *path,
           guint        rows,
           GError     **error)
{
  static const char * const fill[] = {
    "BEGIN",
    "DELETE FROM gom_blogpost",
    "INSERT INTO gom_blogpost (id, title, content, 'pub-date', views, rating, published, 'author-id') "
    "SELECT id, title, content, pub_date, views, rating, published, author_id FROM blogpost",
    "CREATE INDEX IF NOT EXISTS ix_gom_blogpost_views ON gom_blogpost (views)",
    "COMMIT",
    NULL,
  };
  g_autoptr(GomAdapter) adapter = gom_adapter_new ();
  g_autoptr(GomRepository) repository = NULL;
  g_autoptr(GomResourceGroup) group = NULL;
  gboolean ok = FALSE;

  if (!gom_adapter_open_sync (adapter, path, error))
    return FALSE;
  repository = gom_repository_new (adapter);
  if (!gom_repository_automatic_migrate_sync (repository, 1, g_list_prepend (NULL, (gpointer) BENCH_TYPE_GOM_POST),
                                              error))
    goto out;
  group = gom_repository_find_sync (repository, BENCH_TYPE_GOM_POST, NULL, error);
  if (group == NULL)
    goto out;

  if (gom_resource_group_get_count (group) == rows)
    g_printerr ("gom_blogpost: %u rows, kept\n", rows);
  else
    {
      gint64 start = g_get_monotonic_time ();

      g_printerr ("gom_blogpost: %u rows, filling %u from blogpost ... ",
                  gom_resource_group_get_count (group), rows);
      if (!gom_run_script (adapter, fill, error))
        goto out;
      g_printerr ("%.1f s\n", ms_since (start) / 1000.0);
    }
  ok = TRUE;

out:
  g_clear_object (&group);
  gom_adapter_close_sync (adapter, NULL);
  return ok;
}

#endif /* BENCH_HAVE_GOM */

/* One measurement, in this process */

static const Peer *
find_peer (const char *name)
{
  if (g_str_equal (name, "gorm"))
    return &gorm_peer;
#ifdef BENCH_HAVE_GOM
  if (g_str_equal (name, "gom"))
    return &gom_peer;
#endif
  return NULL;
}

static void
read_title (GObject *item)
{
  g_autofree char *title = NULL;

  g_object_get (item, "title", &title, NULL);
  if (title == NULL)
    g_error ("An item without a title");
}

#ifdef BENCH_ANYQUERY
/* The "prepared" phase: a model used from a running main loop, as a list
 * view uses it, prepares its key index in the background; a timer of
 * 1 ms measures how long the main loop goes without running meanwhile. */
typedef struct
{
  GListModel *model;
  GMainLoop  *loop;
  gint64      start;
  gint64      last_tick;
  double      first_items_ms;
  double      max_gap_ms;
  double      ready_ms;
  guint       ticks;
} Prepared;

static gboolean
prepared_tick_cb (gpointer data)
{
  Prepared *prepared = data;
  gint64 now = g_get_monotonic_time ();

  prepared->max_gap_ms = MAX (prepared->max_gap_ms, (now - prepared->last_tick) / 1000.0);
  prepared->last_tick = now;
  prepared->ticks++;
  if (gorm_query_model_has_key_index (GORM_QUERY_MODEL (prepared->model)))
    {
      prepared->ready_ms = ms_since (prepared->start);
      g_main_loop_quit (prepared->loop);
      return G_SOURCE_REMOVE;
    }
  if (g_get_monotonic_time () - prepared->start > budget_us ())
    {
      g_main_loop_quit (prepared->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* The first items, from the main loop: the model starts preparing. */
static gboolean
prepared_first_items_cb (gpointer data)
{
  Prepared *prepared = data;
  guint n = g_list_model_get_n_items (prepared->model);

  prepared->start = g_get_monotonic_time ();
  for (guint i = 0; i < MIN (FIRST_ITEMS, n); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (prepared->model, i);

      if (item == NULL)
        g_error ("No item %u", i);
    }
  prepared->first_items_ms = ms_since (prepared->start);
  prepared->last_tick = g_get_monotonic_time ();
  g_timeout_add (1, prepared_tick_cb, prepared);
  return G_SOURCE_REMOVE;
}

static void
measure_prepared (GormSession *session,
                  guint        n_items,
                  long         baseline,
                  GRand       *rand)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Prepared prepared = { session->model, loop, 0, 0, 0, 0, -1, 0 };
  double times[RANDOM_GETS];
  long ready_rss;
  guint done = 0;
  gint64 start;

  g_idle_add (prepared_first_items_cb, &prepared);
  g_main_loop_run (loop);
  ready_rss = bench_status_kib ("VmRSS:");

  start = g_get_monotonic_time ();
  for (; done < RANDOM_GETS && g_get_monotonic_time () - start < budget_us (); done++)
    {
      guint k = (guint) g_rand_int_range (rand, 0, (gint32) n_items);
      gint64 get_start = g_get_monotonic_time ();
      g_autoptr(GObject) item = g_list_model_get_item (session->model, k);

      times[done] = ms_since (get_start);
      if (item == NULL)
        g_error ("No item %u", k);
      read_title (item);
    }
  qsort (times, done, sizeof (double), compare_double);
  g_print ("RESULT n_items=%u first_items_ms=%.3f ready_ms=%.1f max_gap_ms=%.3f ticks=%u "
           "gets=%u p50_ms=%.3f p99_ms=%.3f max_ms=%.3f baseline_kib=%ld ready_rss_kib=%ld "
           "hwm_kib=%ld rss_kib=%ld\n",
           n_items, prepared.first_items_ms, prepared.ready_ms, prepared.max_gap_ms, prepared.ticks,
           done, percentile (times, done, 0.50), percentile (times, done, 0.99), times[done - 1],
           baseline, ready_rss, bench_status_kib ("VmHWM:"), bench_status_kib ("VmRSS:"));
}
/* The "writes" and "writes-counted" phases: writes under a live model of
 * the query, its key index prepared ("writes") or never prepared, so
 * that each write counts rows to place them ("writes-counted"). Each
 * write runs from the main context, as an application's sync call does;
 * then the main context runs until the model emits items-changed. For
 * each kind of write: the writer's time (the statement and the places
 * of its rows, wall and CPU) and the longest main-loop iteration of the
 * delivery. The writes leave the table as it was: what is inserted is
 * deleted, what moves moves back. BENCH_WRITE_BULK sets the rows of the
 * bulk writes (default 1,000). */
typedef struct
{
  guint emissions;
} WriteWatch;

static void
write_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        WriteWatch *watch)
{
  watch->emissions++;
}

static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

typedef struct
{
  double write_ms;
  double write_cpu_ms;
  double deliver_max_ms;
  double deliver_ms;
} WriteTimes;

/* Runs the main context until @watch saw an emission (at most 60 s). */
static void
wait_delivered (WriteWatch *watch,
                guint       before,
                WriteTimes *times)
{
  gint64 start = g_get_monotonic_time ();

  while (watch->emissions == before && g_get_monotonic_time () - start < 60 * G_USEC_PER_SEC)
    {
      gint64 it = g_get_monotonic_time ();

      g_main_context_iteration (NULL, FALSE);
      times->deliver_max_ms = MAX (times->deliver_max_ms, ms_since (it));
    }
  times->deliver_ms = ms_since (start);
  if (watch->emissions == before)
    g_error ("No items-changed after a write");
}

static GormResource *
new_write_post (GormDatabase *db,
                guint         i)
{
  g_autofree char *title = g_strdup_printf ("Post written %u about topic 33", i);

  return g_object_new (BENCH_TYPE_POST, "database", db, "title", title, "content", "written",
                       "views", (gint64) (i * 7), "rating", 2.5 + (i % 7) / 10.0,
                       "published", FALSE, "author-id", (gint64) 1, NULL);
}

static void
print_write (const char       *what,
             guint             rows,
             const WriteTimes *times)
{
  g_print (" %s_rows=%u %s_ms=%.3f %s_cpu_ms=%.3f %s_deliver_ms=%.3f %s_deliver_max_ms=%.3f",
           what, rows, what, times->write_ms, what, times->write_cpu_ms, what, times->deliver_ms,
           what, times->deliver_max_ms);
}

#define TIMED_WRITE(times, watch, code) \
  G_STMT_START { \
    guint emissions_ = (watch)->emissions; \
    gint64 start_ = g_get_monotonic_time (); \
    double cpu_ = cpu_ms (); \
    code; \
    (times)->write_ms = ms_since (start_); \
    (times)->write_cpu_ms = cpu_ms () - cpu_; \
    wait_delivered ((watch), emissions_, (times)); \
  } G_STMT_END

static void
measure_writes (GormSession *session,
                guint        n_items,
                gboolean     counted,
                long         baseline,
                GRand       *rand)
{
  const char *bulk_env = g_getenv ("BENCH_WRITE_BULK");
  guint bulk = bulk_env ? (guint) g_ascii_strtoull (bulk_env, NULL, 10) : 1000;
  GormQueryModel *model = GORM_QUERY_MODEL (session->model);
  g_autoptr(GPtrArray) inserted = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) one = NULL;
  g_autoptr(GormResource) moved = NULL;
  WriteWatch watch = { 0 };
  WriteTimes times = { 0 };
  double old_rating;
  guint counted_before;
  guint placements_before;

  if (!counted)
    {
      /* The key index first, prepared in the background. */
      measure_prepared (session, n_items, baseline, rand);
      if (!gorm_query_model_has_key_index (model))
        g_error ("No key index");
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  counted_before = gorm_query_model_get_n_counted_positions (model);
  placements_before = gorm_query_model_get_n_placements (model);
  g_signal_connect (session->model, "items-changed", G_CALLBACK (write_items_changed_cb), &watch);
  g_print ("RESULT n_items=%u indexed=%d bulk=%u", n_items, !counted, bulk);

  one = new_write_post (session->db, 0);
  TIMED_WRITE (&times, &watch, if (!gorm_resource_save (one, NULL, &error)) g_error ("%s", error->message));
  print_write ("insert", 1, &times);

  moved = g_list_model_get_item (session->model, n_items / 2);
  g_object_get (moved, "rating", &old_rating, NULL);
  times = (WriteTimes) { 0 };
  g_object_set (moved, "rating", 4.999, NULL);
  TIMED_WRITE (&times, &watch, if (!gorm_resource_save (moved, NULL, &error)) g_error ("%s", error->message));
  print_write ("move", 1, &times);
  g_object_set (moved, "rating", old_rating, NULL);
  times = (WriteTimes) { 0 };
  TIMED_WRITE (&times, &watch, if (!gorm_resource_save (moved, NULL, &error)) g_error ("%s", error->message));
  print_write ("move_back", 1, &times);

  times = (WriteTimes) { 0 };
  TIMED_WRITE (&times, &watch, if (!gorm_resource_delete (one, NULL, &error)) g_error ("%s", error->message));
  print_write ("delete", 1, &times);

  times = (WriteTimes) { 0 };
  TIMED_WRITE (&times, &watch, {
    if (!gorm_database_begin (session->db, NULL, &error))
      g_error ("%s", error->message);
    for (guint i = 0; i < bulk; i++)
      {
        GormResource *post = new_write_post (session->db, i + 1);

        if (!gorm_resource_save (post, NULL, &error))
          g_error ("%s", error->message);
        g_ptr_array_add (inserted, post);
      }
    if (!gorm_database_commit (session->db, NULL, &error))
      g_error ("%s", error->message);
  });
  print_write ("insert_tx", bulk, &times);

  {
    g_autoptr(GormQuery) written = gorm_database_query (session->db, BENCH_TYPE_POST);
    g_auto(GValue) value = G_VALUE_INIT;

    gorm_query_filter (written, gorm_filter_eq ("content", (g_value_init (&value, G_TYPE_STRING),
                                                            g_value_set_static_string (&value, "written"),
                                                            &value)));
    {
      g_auto(GValue) rating = G_VALUE_INIT;

      g_value_init (&rating, G_TYPE_DOUBLE);
      g_value_set_double (&rating, 0.25);
      times = (WriteTimes) { 0 };
      TIMED_WRITE (&times, &watch, {
        if (gorm_query_update (written, "rating", &rating, NULL, &error) < 0)
          g_error ("%s", error->message);
      });
      print_write ("bulk_update", bulk, &times);
    }
    times = (WriteTimes) { 0 };
    TIMED_WRITE (&times, &watch, {
      if (gorm_query_delete (written, NULL, &error) < 0)
        g_error ("%s", error->message);
    });
    print_write ("bulk_delete", bulk, &times);
  }
  g_print (" counted_positions=%u placements=%u still_indexed=%d hwm_kib=%ld baseline_kib=%ld\n",
           gorm_query_model_get_n_counted_positions (model) - counted_before,
           gorm_query_model_get_n_placements (model) - placements_before,
           gorm_query_model_has_key_index (model), bench_status_kib ("VmHWM:"), baseline);
  g_signal_handlers_disconnect_by_data (session->model, &watch);
}
#endif

static gboolean
measure (const Peer  *peer,
         const char  *query,
         const char  *phase,
         const char  *path,
         GError     **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  gpointer session;
  guint n_items = 0;
  long baseline;
  gint64 start;
  double query_ms;

  session = peer->open (path, error);
  if (session == NULL)
    return FALSE;
  baseline = bench_status_kib ("VmRSS:");

#ifdef BENCH_ANYQUERY
  /* Positions counted at every write: a model that never has its index. */
  if (g_str_equal (phase, "writes-counted"))
    gorm_query_model_set_key_index_min_rows (0);
#endif
  start = g_get_monotonic_time ();
  if (!peer->run (session, query, &n_items, error))
    {
      peer->close (session);
      return FALSE;
    }
  query_ms = ms_since (start);

  if (g_str_equal (phase, "open") || g_str_equal (phase, "random"))
    {
      for (guint i = 0; i < MIN (FIRST_ITEMS, n_items); i++)
        {
          g_autoptr(GObject) item = peer->get (session, i);

          if (item == NULL)
            g_error ("No item %u", i);
        }
    }

#ifdef BENCH_ANYQUERY
  if (g_str_equal (phase, "prepared"))
    measure_prepared (session, n_items, baseline, rand);
  else if (g_str_has_prefix (phase, "writes"))
    measure_writes (session, n_items, g_str_equal (phase, "writes-counted"), baseline, rand);
  else
#endif
  if (g_str_equal (phase, "open"))
    {
      double open_ms = ms_since (start);

      g_print ("RESULT n_items=%u open_ms=%.3f query_ms=%.3f items_ms=%.3f\n",
               n_items, open_ms, query_ms, open_ms - query_ms);
    }
  else if (g_str_equal (phase, "random"))
    {
      double times[RANDOM_GETS];
      double total = 0;
      guint done = 0;

      start = g_get_monotonic_time ();
      for (; done < RANDOM_GETS && g_get_monotonic_time () - start < budget_us (); done++)
        {
          guint k = (guint) g_rand_int_range (rand, 0, (gint32) n_items);
          gint64 get_start = g_get_monotonic_time ();
          g_autoptr(GObject) item = peer->get (session, k);

          times[done] = ms_since (get_start);
          total += times[done];
          if (item == NULL)
            g_error ("No item %u", k);
        }
      qsort (times, done, sizeof (double), compare_double);
      g_print ("RESULT n_items=%u gets=%u p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f total_ms=%.1f\n",
               n_items, done, percentile (times, done, 0.50), percentile (times, done, 0.90),
               percentile (times, done, 0.99), times[done - 1], total);
    }
  else
    {
      guint touches = MAX (n_items / 100, 1);
      guint done = 0;

      start = g_get_monotonic_time ();
      for (; done < touches && g_get_monotonic_time () - start < budget_us (); done++)
        {
          guint k = (guint) g_rand_int_range (rand, 0, (gint32) n_items);
          g_autoptr(GObject) item = peer->get (session, k);

          if (item == NULL)
            g_error ("No item %u", k);
          read_title (item);
        }
      g_print ("RESULT n_items=%u touches=%u touched=%u baseline_kib=%ld hwm_kib=%ld rss_kib=%ld touch_s=%.1f\n",
               n_items, touches, done, baseline, bench_status_kib ("VmHWM:"), bench_status_kib ("VmRSS:"),
               ms_since (start) / 1000.0);
    }

  peer->close (session);
  return TRUE;
}

#ifdef BENCH_HAVE_GOM
static gint64
item_int64 (GObject    *item,
            const char *property)
{
  gint64 value = -1;

  if (item != NULL)
    g_object_get (item, property, &value, NULL);
  return value;
}
#endif

/* Both peers run the same query: the same rows at the same positions in
 * id order, the same views at the same positions in views order. */
static gboolean
check_same_rows (const char  *path,
                 GError     **error)
{
#ifdef BENCH_HAVE_GOM
  static const char * const pairs[][3] = {
    { "fetch", "find", "id" },
    { "fetch-views", "find-views", "views" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      gpointer gorm = gorm_peer.open (path, error);
      gpointer gom = gorm ? gom_peer.open (path, error) : NULL;
      guint n_gorm = 0, n_gom = 0;
      gboolean ok = gom != NULL &&
                    gorm_peer.run (gorm, pairs[i][0], &n_gorm, error) &&
                    gom_peer.run (gom, pairs[i][1], &n_gom, error);

      if (ok && n_gorm != n_gom)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s has %u items, %s %u",
                       pairs[i][0], n_gorm, pairs[i][1], n_gom);
          ok = FALSE;
        }
      for (guint j = 0; ok && j < 5; j++)
        {
          guint positions[] = { 0, 1, FIRST_ITEMS, n_gorm / 2 + 7, n_gorm - 1 };
          g_autoptr(GObject) a = gorm_peer.get (gorm, positions[j]);
          g_autoptr(GObject) b = gom_peer.get (gom, positions[j]);

          const char *key = pairs[i][2];

          if (item_int64 (a, key) < 0 || item_int64 (a, key) != item_int64 (b, key))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Item %u: %s %" G_GINT64_FORMAT " from %s, %" G_GINT64_FORMAT " from %s",
                           positions[j], key, item_int64 (a, key), pairs[i][0],
                           item_int64 (b, key), pairs[i][1]);
              ok = FALSE;
            }
        }
      if (gom != NULL)
        gom_peer.close (gom);
      if (gorm != NULL)
        gorm_peer.close (gorm);
      if (!ok)
        return FALSE;
    }
  g_printerr ("libgorm and Gom agree on the rows at the positions checked\n");
#endif
  return TRUE;
}

/* The driver */

typedef struct
{
  const char *peer;
  const char *query;
  const char *label;
} Case;

static const Case cases[] = {
  { "gorm", "fetch", "`gorm_query_fetch`, by id" },
  { "gorm", "watch", "`gorm_query_watch`, by id" },
  { "gorm", "fetch-views", "`gorm_query_fetch`, views desc" },
  { "gorm", "watch-views", "`gorm_query_watch`, views desc" },
  { "gom", "find", "`gom_repository_find_sync`, by id" },
  { "gom", "find-views", "`gom_repository_find_sorted_sync`, views desc" },
};

static GHashTable *
run_child (const char  *self_exe,
           const char  *peer,
           const char  *query,
           const char  *phase,
           const char  *path,
           GError     **error)
{
  const char *argv[] = { self_exe, peer, query, phase, path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GHashTable) result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = NULL;
  gint status;

  g_printerr ("  %s %s %s ... ", peer, query, phase);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, error) ||
      !g_spawn_check_wait_status (status, error))
    return NULL;

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "RESULT "))
      {
        g_auto(GStrv) fields = g_strsplit (lines[i] + strlen ("RESULT "), " ", -1);

        for (guint j = 0; fields[j] != NULL; j++)
          {
            char *equals = strchr (fields[j], '=');

            if (equals != NULL)
              g_hash_table_insert (result, g_strndup (fields[j], equals - fields[j]),
                                   g_strdup (equals + 1));
          }
      }
  if (g_hash_table_size (result) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s %s printed no result", peer, query, phase);
      return NULL;
    }
  g_printerr ("%s\n", g_strchomp (strstr (out, "RESULT ") + strlen ("RESULT ")));
  return g_steal_pointer (&result);
}

static double
field (GHashTable *result,
       const char *name)
{
  const char *text = g_hash_table_lookup (result, name);

  return text ? g_ascii_strtod (text, NULL) : -1;
}

/* Reads the file once so that every measurement finds it in the page
 * cache, whichever runs first. */
static void
warm_page_cache (const char *path)
{
  g_autofree char *buffer = g_malloc (1 << 20);
  int fd = open (path, O_RDONLY);

  if (fd < 0)
    return;
  while (read (fd, buffer, 1 << 20) > 0)
    ;
  close (fd);
}

static const char *
verdict (gboolean met)
{
  return met ? "met" : "**missed**";
}

static int
run_all (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *model = bench_cpu_model ();
  g_autofree char *version = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M %Z");
  g_autoptr(GString) table = g_string_new (NULL);
  g_autoptr(GString) targets = g_string_new (NULL);
  GStatBuf st;
  guint rows = n_rows ();

  if (!setup_gorm (path, rows, &error))
    g_error ("Setting up blogpost: %s", error->message);
#ifdef BENCH_HAVE_GOM
  if (!setup_gom (path, rows, &error))
    g_error ("Setting up gom_blogpost: %s", error->message);
#endif
  if (!check_same_rows (path, &error))
    g_error ("The peers differ: %s", error->message);
  warm_page_cache (path);
  version = sqlite_version (path);

  g_string_append (table, "| peer | query | open to 50 items (ms) | random item p50 / p99 / max (ms) "
                          "| peak memory above baseline (MB) |\n|---|---|---:|---:|---:|\n");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      const Peer *peer = find_peer (c->peer);
      g_autoptr(GHashTable) random = NULL;
      g_autoptr(GHashTable) memory = NULL;
      g_autofree char *random_note = NULL;
      g_autofree char *memory_note = NULL;
      double opens[OPEN_RUNS];
      double open_ms, p99, memory_mb;
      guint gets, touched, touches;

      if (peer == NULL)
        {
          g_string_append_printf (table, "| Gom | %s | Gom not installed | | |\n", c->label);
          continue;
        }
      for (guint run = 0; run < OPEN_RUNS; run++)
        {
          g_autoptr(GHashTable) open = run_child (self_exe, c->peer, c->query, "open", path, &error);

          if (open == NULL)
            g_error ("%s", error->message);
          opens[run] = field (open, "open_ms");
        }
      qsort (opens, OPEN_RUNS, sizeof (double), compare_double);
      open_ms = opens[OPEN_RUNS / 2];

      random = run_child (self_exe, c->peer, c->query, "random", path, &error);
      if (random == NULL)
        g_error ("%s", error->message);
      memory = run_child (self_exe, c->peer, c->query, "memory", path, &error);
      if (memory == NULL)
        g_error ("%s", error->message);
      p99 = field (random, "p99_ms");
      memory_mb = (field (memory, "hwm_kib") - field (memory, "baseline_kib")) / 1024.0;
      gets = (guint) field (random, "gets");
      touched = (guint) field (memory, "touched");
      touches = (guint) field (memory, "touches");
      random_note = gets < RANDOM_GETS
                    ? g_strdup_printf (" (%u of %u gets in %g s)", gets, RANDOM_GETS, budget_us () / G_USEC_PER_SEC)
                    : g_strdup ("");
      memory_note = touched < touches
                    ? g_strdup_printf (" (after %u of %u items in %g s)", touched, touches,
                                       budget_us () / G_USEC_PER_SEC)
                    : g_strdup ("");

      g_string_append_printf (table, "| %s | %s | %.1f | %.2f / %.2f / %.2f%s | %.1f%s |\n",
                              peer->name, c->label, open_ms,
                              field (random, "p50_ms"), p99, field (random, "max_ms"), random_note,
                              memory_mb, memory_note);
      if (g_str_equal (c->peer, "gorm"))
        g_string_append_printf (targets, "- %s: open %s, random item p99 %s (max %s), memory %s\n",
                                c->label, verdict (open_ms <= 100), verdict (p99 <= 10),
                                verdict (field (random, "max_ms") <= 10),
                                touched < touches && memory_mb <= 64 ? "unknown (phase stopped early)"
                                                                     : verdict (memory_mb <= 64));
    }

  g_print ("\n%s\n", table->str);
#ifndef BENCH_HAVE_GOM
  g_print ("Gom not installed (Debian package libgom-1.0-dev, pkg-config gom-1.0): "
           "only libgorm was measured.\n\n");
#endif
  g_print ("libgorm targets (open <= 100 ms, random item <= 10 ms, memory <= 64 MB):\n%s\n", targets->str);
  g_print ("%u rows (%s, %.0f MB with both tables); open: median of %d processes; "
           "random: %d gets, seed %d; memory: %u random items touched.\n",
           rows, path, g_stat (path, &st) == 0 ? st.st_size / 1e6 : -1.0, OPEN_RUNS,
           RANDOM_GETS, SEED, MAX (rows / 100, 1));
  g_print ("Machine: %u CPUs, %s; SQLite %s; libgorm %s", g_get_num_processors (), model,
           version, GORM_VERSION_S);
#ifdef BENCH_HAVE_GOM
  g_print ("; Gom %s", BENCH_GOM_VERSION);
#endif
  g_print ("; %s.\n", date);
  return 0;
}

#ifdef BENCH_ANYQUERY
/* The authors the order by a related path reads (bench-anyquery): 200
 * names in an order that is not their ids'. blogpost is set up by
 * bench-scale, whose BenchPost has no foreign key; this build's model
 * (with the relation "author") is then migrated here, once, so that the
 * measuring processes find nothing to change at their first use. The
 * migration rebuilds blogpost when bench-scale's setup took the foreign
 * key away, which drops the views index: it is made again after it
 * (before this, the first measuring process rebuilt the table, 9-11 s
 * of its "open", and every later one had no views index). */
static gboolean
setup_authors (const char  *self_exe,
               const char  *path,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (self_exe);
  g_autofree char *scale = g_build_filename (dir, "bench-scale", NULL);
  const char *argv[] = { scale, "setup", path, NULL };
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autoptr(GormDatabase) db = NULL;
  GType types[] = { BENCH_TYPE_AUTHOR, BENCH_TYPE_POST };
  gint status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                     &status, error) ||
      !g_spawn_check_wait_status (status, error))
    return FALSE;
  db = gorm_database_open (uri, NULL, error);
  /* The names set in place: a delete would cascade to the posts when
   * blogpost has its foreign key. */
  if (db == NULL || !gorm_database_migrate (db, types, 1, NULL, error) ||
      gorm_database_execute (db, "INSERT INTO author (id, name) "
                                 "WITH RECURSIVE seq (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 200) "
                                 "SELECT i, printf ('author %03d', i * 73 % 200) FROM seq WHERE true "
                                 "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                             NULL, 0, NULL, error) != 200 ||
      !gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, error) ||
      gorm_database_execute (db, views_index_sql, NULL, 0, NULL, error) < 0)
    return FALSE;
  return gorm_database_close (db, NULL, error);
}

static char *
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_strdup ("?");
  return g_strjoinv (" ", (char *[]) { g_strsplit (text, " ", 4)[0], NULL });
}

static const struct
{
  const char *suffix;
  const char *label;
  gboolean    gom;
} any_queries[] = {
  { "views", "order by views desc (indexed)", TRUE },
  { "rating", "order by -rating, title (no index)", TRUE },
  { "rating-asc", "order by rating (no index)", TRUE },
  { "unpublished", "published = FALSE, order by -rating, title", TRUE },
  { "like", "title LIKE '" LIKE_PATTERN "', by id", TRUE },
  { "author", "order by author.name (related path)", FALSE },
};

static GHashTable *
run_child_or_die (const char *self_exe,
                  const char *peer,
                  const char *query,
                  const char *phase,
                  const char *path)
{
  g_autoptr(GError) error = NULL;
  GHashTable *result = run_child (self_exe, peer, query, phase, path, &error);

  if (result == NULL)
    g_error ("%s", error->message);
  return result;
}

static double
median_open_ms (const char *self_exe,
                const char *peer,
                const char *query,
                const char *path)
{
  double opens[OPEN_RUNS];

  for (guint run = 0; run < OPEN_RUNS; run++)
    {
      g_autoptr(GHashTable) open = run_child_or_die (self_exe, peer, query, "open", path);

      opens[run] = field (open, "open_ms");
    }
  qsort (opens, OPEN_RUNS, sizeof (double), compare_double);
  return opens[OPEN_RUNS / 2];
}

static char *
gets_text (GHashTable *result)
{
  guint gets = (guint) field (result, "gets");

  return g_strdup_printf ("%.2f / %.2f / %.2f%s", field (result, "p50_ms"), field (result, "p99_ms"),
                          field (result, "max_ms"),
                          gets < RANDOM_GETS ? g_strdup_printf (" (%u gets in %g s)", gets,
                                                                budget_us () / G_USEC_PER_SEC)
                                             : "");
}

/* bench-anyquery anyquery: any query at a million rows, libgorm before
 * and after its key index is prepared, and Gom, in one run. */
static int
run_anyquery (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *model = bench_cpu_model ();
  g_autofree char *version = NULL;
  g_autofree char *load_before = NULL;
  g_autofree char *load_after = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
  g_autoptr(GString) table = g_string_new (NULL);
  g_autoptr(GString) targets = g_string_new (NULL);

  if (!setup_authors (self_exe, path, &error))
    g_error ("Setting up: %s", error->message);
  warm_page_cache (path);
  version = sqlite_version (path);
  load_before = load_average ();

  g_string_append (table, "| peer | query | open to 50 items (ms) | random item p50 / p99 / max, "
                          "not prepared (ms) | preparation (ms) | largest main-loop gap while "
                          "preparing (ms) | random item p50 / p99 / max, prepared (ms) | "
                          "RSS growth, peak (MB) |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (guint i = 0; i < G_N_ELEMENTS (any_queries); i++)
    {
      g_autofree char *watch = g_strconcat ("watch-", any_queries[i].suffix, NULL);
      g_autofree char *find = g_strconcat ("find-", any_queries[i].suffix, NULL);
      g_autoptr(GHashTable) before = NULL;
      g_autoptr(GHashTable) prepared = NULL;
      g_autofree char *before_text = NULL;
      g_autofree char *after_text = NULL;
      double open_ms, growth_mb, ready_ms;

      open_ms = median_open_ms (self_exe, "gorm", watch, path);
      before = run_child_or_die (self_exe, "gorm", watch, "random", path);
      prepared = run_child_or_die (self_exe, "gorm", watch, "prepared", path);
      before_text = gets_text (before);
      after_text = gets_text (prepared);
      ready_ms = field (prepared, "ready_ms");
      growth_mb = (field (prepared, "hwm_kib") - field (prepared, "baseline_kib")) / 1024.0;
      g_string_append_printf (table, "| libgorm | %s (%.0f rows) | %.1f | %s | %s | %.1f | %s | %.1f |\n",
                              any_queries[i].label, field (prepared, "n_items"), open_ms, before_text,
                              ready_ms >= 0 ? g_strdup_printf ("%.0f", ready_ms) : "not ready in budget",
                              field (prepared, "max_gap_ms"), after_text, growth_mb);
      g_string_append_printf (targets, "- %s: preparation <= 1 s %s, p99 prepared <= 10 ms %s, "
                                       "p99 not prepared <= 50 ms %s, main-loop gap <= 16 ms %s, "
                                       "memory <= 64 MB %s\n",
                              any_queries[i].label, verdict (ready_ms >= 0 && ready_ms <= 1000),
                              verdict (field (prepared, "p99_ms") <= 10),
                              verdict (field (before, "p99_ms") <= 50),
                              verdict (field (prepared, "max_gap_ms") <= 16), verdict (growth_mb <= 64));

#ifdef BENCH_HAVE_GOM
      if (any_queries[i].gom)
        {
          g_autoptr(GHashTable) gom_random = NULL;
          g_autoptr(GHashTable) gom_memory = NULL;
          g_autofree char *gom_text = NULL;

          open_ms = median_open_ms (self_exe, "gom", find, path);
          gom_random = run_child_or_die (self_exe, "gom", find, "random", path);
          gom_memory = run_child_or_die (self_exe, "gom", find, "memory", path);
          gom_text = gets_text (gom_random);
          g_string_append_printf (table, "| Gom | %s | %.1f | %s | none | | | %.1f |\n",
                                  any_queries[i].label, open_ms, gom_text,
                                  (field (gom_memory, "hwm_kib") - field (gom_memory, "baseline_kib")) / 1024.0);
        }
      else
        g_string_append_printf (table, "| Gom | %s | cannot be written (no related paths in GomSorting) "
                                       "| | | | | |\n", any_queries[i].label);
#endif
    }
  load_after = load_average ();

  g_print ("\n%s\n", table->str);
  g_print ("libgorm targets:\n%s\n", targets->str);
  g_print ("%u rows (%s); open: median of %d processes; random: %d gets (seed %d) or %g s; "
           "Gom's memory: after touching 1 %% of the items or %g s.\n",
           n_rows (), path, OPEN_RUNS, RANDOM_GETS, SEED, budget_us () / G_USEC_PER_SEC,
           budget_us () / G_USEC_PER_SEC);
  g_print ("Machine: %u CPUs, %s; load average (1 min) %s before, %s after; SQLite %s; libgorm %s",
           g_get_num_processors (), model, load_before, load_after, version, GORM_VERSION_S);
#ifdef BENCH_HAVE_GOM
  g_print ("; Gom %s", BENCH_GOM_VERSION);
#endif
  g_print ("; %s.\n", date);
  return 0;
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *default_path = g_build_filename (g_get_tmp_dir (), "gorm-bench-scale.db", NULL);
  const Peer *peer;

  if (argc >= 2 && g_str_equal (argv[1], "all"))
    return run_all (argc > 2 ? argv[2] : default_path);

  if (argc >= 2 && g_str_equal (argv[1], "setup"))
    {
      const char *path = argc > 2 ? argv[2] : default_path;

      if (!setup_gorm (path, n_rows (), &error))
        g_error ("Setting up blogpost: %s", error->message);
#ifdef BENCH_HAVE_GOM
      if (!setup_gom (path, n_rows (), &error))
        g_error ("Setting up gom_blogpost: %s", error->message);
#else
      g_print ("Gom not installed: only the libgorm table was set up.\n");
#endif
      return 0;
    }

#ifdef BENCH_ANYQUERY
  if (argc >= 2 && g_str_equal (argv[1], "anyquery"))
    return run_anyquery (argc > 2 ? argv[2] : default_path);
#endif

  if (argc >= 4 && (peer = find_peer (argv[1])) != NULL &&
      (g_str_equal (argv[3], "open") || g_str_equal (argv[3], "random") || g_str_equal (argv[3], "memory")
#ifdef BENCH_ANYQUERY
       || (peer == &gorm_peer && g_str_equal (argv[3], "prepared"))
       || (peer == &gorm_peer && (g_str_equal (argv[3], "writes") ||
                                  g_str_equal (argv[3], "writes-counted")))
#endif
       ))
    {
      if (!measure (peer, argv[2], argv[3], argc > 4 ? argv[4] : default_path, &error))
        g_error ("%s %s %s: %s", argv[1], argv[2], argv[3], error->message);
      return 0;
    }

#ifndef BENCH_HAVE_GOM
  if (argc >= 2 && g_str_equal (argv[1], "gom"))
    {
      g_printerr ("Gom not installed (libgom-1.0-dev): bench-scale was built without it.\n");
      return 2;
    }
#endif
  g_printerr ("Usage: %s all|setup [DATABASE]\n"
              "       %s gorm fetch|watch[-views|-rating|-rating-asc|-unpublished|-like] open|random|memory [DATABASE]\n"
              "       %s gom find[-views|-rating|-rating-asc|-unpublished|-like] open|random|memory [DATABASE]\n",
              argv[0], argv[0], argv[0]);
#ifdef BENCH_ANYQUERY
  g_printerr ("       %s anyquery [DATABASE]\n"
              "       %s gorm watch-author|… prepared|writes|writes-counted [DATABASE]\n",
              argv[0], argv[0]);
#endif
  return 2;
}
