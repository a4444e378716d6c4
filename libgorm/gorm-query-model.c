/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gorm-connection-private.h"
#include "gorm-database-private.h"
#include "gorm-error.h"
#include "gorm-key-reader-private.h"
#include "gorm-query-model.h"
#include "gorm-query-private.h"
#include "gorm-resource-private.h"

/**
 * GormQueryModel:
 *
 * The objects a [class@Gorm.Query] matches, as a [iface@Gio.ListModel]
 * whose items are of the query's resource type.
 *
 * A snapshot ([method@Gorm.Query.fetch]) of at most 25,000 rows, or whose
 * limit is at most that, is read in one statement, without a `count(*)`:
 * its objects are built at once and kept while the model lives. A larger
 * one reads those rows and one more, which tells it is larger, keeps the
 * first page of them, and goes on as a live model does.
 *
 * A live model, and a larger snapshot, knows its number of items from one
 * `count(*)` and loads its objects a page at a time, when they are asked
 * for: a million-row table opens in the time of one page (a snapshot in
 * the time of reading 25,001 rows). It keeps the last pages it loaded, so
 * memory stays bounded whatever the size of the table; the objects an
 * application holds stay alive, and the identity map of the database
 * gives them back for their rows.
 *
 * A model of 8,192 rows or more that is used from a running main loop
 * (as a list view uses it) also prepares, in the background, the key of
 * every row it shows, in its order: one query (for an order by a related
 * path, one scan and a sort by the related rows' ranks) on a read
 * connection of its own (SQLite files in WAL mode, which libgorm opens
 * them in, and PostgreSQL; not an in-memory database), 8 bytes a row.
 * Once it is ready any page is read by the keys of its rows, in the time
 * of a page of lookups by key, whatever the query. A live model keeps those keys
 * up to date with every change it shows. Until it is ready a page is
 * read by its position in the order. In an order no index may give
 * (several directions, a related path, an expression), or one the
 * engine sorts the rows for (no index on its columns, or a filter for
 * which the engine prefers another index; a model of 8,192 rows or
 * more asks the engine for its plan of a page once, as it is made), a
 * page 4,096 rows or more from the start makes the engine sort the keys
 * of the table only, then reads the page's rows by key: a page asked for
 * while the keys are read waits for them, and a program that runs no
 * main loop reads them at once, in the time of that one sort, instead
 * of sorting the table again for every page. An order by a related path
 * reads its keys in less time than the engine takes to sort its first
 * page by the path's values: that page, too, waits for them or reads
 * them at once. (Every order ends with the
 * key, which makes it total: PostgreSQL's index of the ordered column
 * alone gives the order up to its ties, which the engine then sorts; an
 * index of the column and the key gives all of it.)
 *
 * A model from [method@Gorm.Query.watch] is live: it follows every
 * save, delete, bulk update or bulk delete made through its database, and
 * emits [signal@Gio.ListModel::items-changed] covering the rows that
 * entered, left or moved within its filter and order, and nothing for
 * changes that do not affect it. Changes made with
 * [method@Gorm.Database.execute] are not seen. To find where a written
 * row was and where it goes, a live model with its key index (see above)
 * finds its key there and compares the row, in the engine, with 32 rows
 * of the index at once, read by key, narrowing to the keys between the
 * last of them that sorts before it and the next: one statement for an
 * index of at most 32 rows, 4 for a million; without it, it pays one
 * `count(*)` query per row of its type a write changes.
 *
 * A live model also follows what other connections commit to its
 * database (another program, another database object, the `sqlite3`
 * shell, `psql`): SQLite's `data_version` or PostgreSQL's LISTEN/NOTIFY
 * tells its database's listener thread, and the model reads its rows
 * again. A model of at most 5,000 rows keeps their keys and emits the
 * exact `items-changed` of the difference; a larger one emits a reset.
 * See [Live models across processes](cross-process.html).
 *
 * A live model shows committed rows only. Writers publish their changes
 * to the database's change feed; the model is given those of a
 * transaction after its outermost COMMIT (those of a write outside any
 * transaction after the write), and none of a transaction or savepoint
 * that rolled back. It takes them in the main context of its database,
 * from an idle source, and emits one `items-changed` for all the changes
 * it was given at once: never from inside a call of its own
 * ([method@Gio.ListModel.get_item], [method@Gio.ListModel.get_n_items]) or
 * of a handler of its signal, and never while the main thread has a
 * transaction open. After a write, sync or async, the model changes once
 * the main loop has run: wait for its `items-changed` rather than for the
 * write to return.
 *
 * Between a write and the emission, the model still shows what its last
 * emission said: every position below its number of items has an object
 * of its type. A page it must load meanwhile is read from the database
 * and mapped back through the changes it was not given yet; a row those
 * changes deleted is shown by its object, no longer saved. A page is read
 * with the database lock, so never while another thread's transaction is
 * open (the read waits for its end); read by the thread of an open
 * transaction, the page is mapped through that transaction's changes
 * too, so that its rows do not show, and it is not kept.
 *
 * A row whose stored values cannot be read into its object (an enum nick
 * the enum lacks, text in a number column, a number out of its property's
 * range, a date-time or string array that does not parse) fails alone:
 * the model never returns %NULL for a position below its number of items.
 * The item of such a row is a stand-in with only its key set, which
 * [method@Gorm.Resource.save] refuses to update, and
 * [method@Gorm.QueryModel.check_item] gives the error of its row.
 */

/* Rows loaded per query: the dialect's page_rows. */
#define PAGE_SIZE (self->compiled->dialect->page_rows)
/* Rows between the anchors a large model places in the background, so that
 * any page loads from an anchor at most this far before it. */
#define ANCHOR_SPACING 4096
/* Pages kept; older ones are dropped, least recently used first. */
#define MAX_PAGES 32
/* The most rows whose keys a live model keeps, in its order, to turn
 * another connection's commits into exact items-changed; a larger model
 * is read again and emits a reset (see refresh()). */
#define MAX_KEYS 5000
/* The most changes one delivery applies to the key index one by one; a
 * delivery of more copies the writers' index (see take_writer_index()). */
#define TAKE_INDEX_MIN_CHANGES 16
/* The rows of the key index one placement statement compares a written
 * row with (see index_insertion_locked()): a (PLACEMENT_PROBES + 1)-ary
 * search, so that s statements place a row among up to
 * (PLACEMENT_PROBES + 1)^s - 1 keys: 4 at a million rows, each a round
 * trip on PostgreSQL. */
#define PLACEMENT_PROBES 32
/* The fewest rows for which a model prepares its key index (see
 * KeyPrep); GORM_KEY_INDEX_MIN_ROWS sets another number, for tests (0:
 * never). */
#define KEY_INDEX_MIN_ROWS (2 * ANCHOR_SPACING)
/* The most rows a snapshot reads in one statement, as one page of all its
 * items (see gorm_query_model_new()); gorm_query_model_set_whole_max_rows()
 * sets another number, for tests. */
#define WHOLE_MAX_ROWS 25000

typedef struct _KeyPrep KeyPrep;

typedef struct
{
  guint      index;
  GPtrArray *items;
  /* For each item, the error met reading its row, or NULL; NULL when
   * every row read. */
  GPtrArray *errors;
  /* What select_related and prefetch_related loaded with the page: the
   * objects refer to it weakly, the page holds it. NULL without. */
  GPtrArray *related;
} Page;

typedef struct _Watch Watch;

/* What the change feed's functions read, in the writer's thread, with
 * the database lock held: what never changes once the model is built,
 * and the writers' key index. The model and its subscription share it. */
struct _Watch
{
  GormDatabase      *database;   /* not a reference: the feed belongs to it */
  GormCompiledQuery *compiled;
  char              *position_sql;
  /* How many of PLACEMENT_PROBES rows sort before a row the filter
   * selects: the positions of a write found from the key index (see
   * index_insertion_locked()). NULL without a key index. */
  char              *placement_sql;
  /* The writers' key index: the keys of the rows the filter matches in
   * the order the database has them now, the writes not delivered to the
   * model yet included. Guarded by the database lock; each write keeps
   * it up to date (a rolled-back one undoes its part). NULL until the
   * model shares its own (see share_key_index()). The model sets
   * @index_stale, atomically and without the lock, when another
   * connection's commit may have changed the order unseen; the next
   * writer then drops the index. */
  GArray            *index;        /* of gint64 */
  gint               index_stale;
  /* How many positions were counted (position_locked()), and how many
   * placement statements ran (index_insertion_locked()), atomically. */
  gint               n_counted;
  gint               n_placements;
  /* The SQL values of the filter's parameters, in the order of its SQL,
   * read once: every statement binds them again (see bind_filter()). */
  GArray            *filter_params;
};

/* Where a row starts a page: the position in the full filtered order (the
 * query's offset included) of the first row whose order values are at
 * least @values. A page far from the start of the order is loaded from
 * the nearest anchor before it instead of skipping every row before it. */
typedef struct
{
  gint64  position;
  GValue *values;
} Anchor;

struct _GormQueryModel
{
  GObject            parent_instance;

  GormDatabase      *database;
  GormCompiledQuery *compiled;
  gboolean           live;

  /* Rows matching the filter, ignoring the query's limit and offset. */
  gint64             n_full;
  /* What the model shows: the window of the query's offset and limit. */
  guint              n_items;

  /* Only the main context touches the pages. */
  GQueue             pages;        /* of Page, the most recently used first */
  /* The last page read through changes that may still roll back. */
  Page              *transient;
  /* A snapshot read in one statement: every item, by position. */
  Page              *whole;
  /* Made on the worker: the rows of whole, until
   * gorm_query_model_take_objects() builds their objects (in the
   * caller's thread; they are freed with the database lock), and when
   * they were read. */
  gboolean           defer_objects;
  GormRows          *whole_rows;
  guint64            whole_stamp;
  gboolean           pages_stale;
  GArray            *anchors;      /* of Anchor, by position */
  gboolean           can_anchor;
  /* Whether the model is large enough to place anchors in the background,
   * which starts the first time an item is asked for from a running main
   * loop (see gorm_query_model_get_item()). */
  gboolean           wants_anchors;

  char              *page_sql;
  /* NULL until the first page after an anchor is read (see
   * render_anchored_page_locked()). */
  char              *anchored_page_sql;
  /* With select_related: the same, joined, for the pages the model shows
   * (NULL without). */
  char              *joined_page_sql;
  char              *joined_anchored_page_sql;
  /* NULL until the first count (see count_sql_locked()). */
  char              *count_sql;

  /* A live model's subscription to the change feed, and what the feed's
   * functions read. */
  GormSubscription  *subscription;
  Watch             *watch;
  /* How many deliveries the model had. */
  guint              deliveries;
  /* Whether the model follows other connections' commits
   * (gorm_database_follow_others_locked()), and the keys of the rows
   * the filter matches, in order, as its emissions said (GValues), or
   * NULL when there are more than MAX_KEYS or it does not follow. */
  gboolean           follows;
  GArray            *keys;
  guint              refreshes;
  /* Changes already counted by a reset, skipped when delivered. */
  GHashTable        *skipped;
  /* The key index: the key of every row the filter matches (the window's
   * limit and offset ignored), in the model's order, as its emissions
   * said, once prepared in the background (see start_key_prep()); NULL
   * before. A page then loads by the keys of its positions, whatever
   * the order costs the engine. */
  GArray            *order_keys;   /* of gint64 */
  /* Whether the writers have a copy of it (the watch's index). */
  gboolean           index_shared;
  char              *keys_sql;
  /* The same keys, for an order by a related path then the key, sorted
   * by the key reader by ranks (NULL for another order), and how many
   * preparations read them so (tests). */
  GormKeyRanks      *key_ranks;
  guint              n_ranked_key_reads;
  /* The same keys, for an order by columns of the table then the key,
   * read unsorted and sorted by an SQLite reader (see key_sort_new());
   * NULL for another order, and where the engine does not sort for a
   * page (@page_sorts_all): an index that gives the order is read in
   * order, with no sort, for less. How many preparations read them so
   * (tests). */
  GormKeySort       *key_sort;
  guint              n_sorted_key_reads;
  /* The keys of one page of that order (LIMIT, OFFSET): what a page of
   * an order the model cannot anchor loads before the index is ready. */
  char              *page_keys_sql;
  /* The first full position from which a page loads that way (before
   * it, sorting the page's whole rows costs little), and how many pages
   * did (tests). */
  gint64             sorted_keys_from;
  guint              n_sorted_key_pages;
  char              *by_keys_sql;
  char              *joined_by_keys_sql;
  /* The fewest rows for which the model prepares its key index. */
  gint64             key_index_min;
  /* Whether the model is large enough to prepare its key index, which
   * starts the first time an item is asked for from a running main loop,
   * like the anchors. */
  gboolean           wants_keys;
  /* The preparation running, if any, and the changes delivered since its
   * snapshot was taken, which its keys are brought up to. */
  KeyPrep           *prep;
  /* A server's read connection, opening since the model was made (see
   * open_key_reader_early_locked()) until a preparation takes it. */
  GormKeyOpener     *opener;
  /* Whether the engine sorts every row the filter matches for a page:
   * an order no index may give, or a plan with a Sort step (not an
   * Incremental Sort on an index). */
  gboolean           page_sorts_all;
  GPtrArray         *prep_changes;
  /* Bumped when the model reads its rows again (refresh(), reset()): a
   * preparation started before has keys of another order. */
  guint              key_generation;
  /* The items-changed queued for the next flush. */
  gboolean           pending;
  guint              pending_n_old;
  guint              pending_n;
  guint              pending_lo;
  guint              pending_tail;
};

static void gorm_query_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GormQueryModel, gorm_query_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      gorm_query_model_list_model_init))

static void
clear_error (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->items);
  g_clear_pointer (&page->errors, g_ptr_array_unref);
  g_clear_pointer (&page->related, g_ptr_array_unref);
  g_free (page);
}

static guint
n_order (GormQueryModel *self)
{
  return self->compiled->orders->len;
}

static void
clear_anchor_values (GormQueryModel *self,
                     Anchor         *anchor)
{
  for (guint i = 0; i < n_order (self); i++)
    if (G_IS_VALUE (&anchor->values[i]))
      g_value_unset (&anchor->values[i]);
}

static void
drop_anchors (GormQueryModel *self)
{
  for (guint i = 0; i < self->anchors->len; i++)
    {
      clear_anchor_values (self, &g_array_index (self->anchors, Anchor, i));
      g_free (g_array_index (self->anchors, Anchor, i).values);
    }
  g_array_set_size (self->anchors, 0);
}

static void
drop_pages (GormQueryModel *self)
{
  g_clear_pointer (&self->transient, page_free);
  g_clear_pointer (&self->whole, page_free);
  g_queue_clear_full (&self->pages, (GDestroyNotify) page_free);
}

/* The number of items the window of @n_full matching rows shows. */
static guint
window_size (GormQueryModel *self,
             gint64          n_full)
{
  gint64 n = MAX (n_full - self->compiled->offset, 0);

  if (self->compiled->limit >= 0)
    n = MIN (n, self->compiled->limit);
  return (guint) MIN (n, G_MAXUINT);
}

static GArray *
new_params (void)
{
  GArray *params = g_array_new (FALSE, TRUE, sizeof (GValue));

  g_array_set_clear_func (params, (GDestroyNotify) g_value_unset);
  return params;
}

/* The sort an SQLite reader may do itself of an order whose every term
 * is a column of the table, the key last: a number (booleans, integers,
 * flags, doubles) or a text sorted by its bytes (strings, date-times,
 * string arrays; not enums, sorted by their values' ranks, nor blobs).
 * Its select reads those columns unsorted, with the selection's filter.
 * NULL for another order. SQLite's sorter was two thirds of the key
 * select of such an order (a million rows by "rating" DESC, "title",
 * "id": 0.66 s, against 0.19 s for a scan of the same values); the
 * reader sorts the words of the numbers by radix, then the texts within
 * runs of equal numbers. */
static GormKeySort *
key_sort_new (GormQueryModel      *self,
              const GormSelection *selection)
{
  const GormSchema *schema = self->compiled->schema;
  const GormOrder *last;
  g_autoptr(GArray) params = new_params ();
  GormKeySort *sort;
  GString *sql;

  if (selection->n_orders == 0)
    return NULL;
  last = &selection->orders[selection->n_orders - 1];
  if (last->column != schema->key || last->path != NULL || last->expression != NULL)
    return NULL;
  for (guint i = 0; i < selection->n_orders; i++)
    {
      const GormOrder *order = &selection->orders[i];

      if (order->path != NULL || order->expression != NULL ||
          order->column->kind == GORM_VALUE_KIND_ENUM ||
          order->column->kind == GORM_VALUE_KIND_BYTES)
        return NULL;
    }

  sql = g_string_new ("SELECT ");
  for (guint i = 0; i < selection->n_orders; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      gorm_dialect_append_identifier (sql, selection->orders[i].column->name);
    }
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, schema->table);
  gorm_dialect_append_where (self->compiled->dialect, sql, selection->condition, params);
  sort = gorm_key_sort_new (schema->table, g_string_free (sql, FALSE));
  for (guint i = 0; i < selection->n_orders; i++)
    {
      const GormOrder *order = &selection->orders[i];

      gorm_key_sort_add_term (sort, order->column->name,
                              gorm_value_kind_get_sql_type (order->column->kind) == G_TYPE_STRING,
                              order->descending);
    }
  return sort;
}

/* The statements of the key index: the keys of the selected rows in
 * order, with the filter's parameters only (an order binds nothing); and
 * a page's rows by their keys, bound as one value. */
static void
render_key_statements (GormQueryModel      *self,
                       const GormSelection *selection)
{
  const GormCompiledQuery *compiled = self->compiled;
  const GormSchema *schema = compiled->schema;
  g_autoptr(GArray) params = new_params ();
  GString *sql = g_string_new ("SELECT ");

  gorm_dialect_append_identifier (sql, schema->key->name);
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, schema->table);
  gorm_dialect_append_where (compiled->dialect, sql, selection->condition, params);
  gorm_dialect_append_order (compiled->dialect, sql, selection->orders, selection->n_orders);
  self->keys_sql = g_string_free (sql, FALSE);
  {
    /* The order by a related path, without the engine's sort of the
     * path's values: see gorm_dialect_render_key_ranks(). */
    char *ranks = NULL, *rows = NULL;

    g_array_set_size (params, 0);
    if (gorm_dialect_render_key_ranks (compiled->dialect, selection, &ranks, &rows, params))
      self->key_ranks = gorm_key_ranks_new (ranks, rows, selection->orders[1].descending);
  }
  self->key_sort = key_sort_new (self, selection);

  /* The keys of the rows numbered from ##pN (excluded) to ##pN+1 in that
   * order, the filter's values before. Not "LIMIT n OFFSET k": SQLite
   * then keeps the first k + n rows in a B-tree, inserting each row and
   * deleting the last, five times the cost of the plain sort the window
   * function runs. */
  sql = g_string_new ("SELECT ");
  gorm_dialect_append_identifier (sql, schema->key->name);
  g_string_append (sql, " FROM (SELECT ");
  gorm_dialect_append_identifier (sql, schema->key->name);
  g_string_append (sql, ", row_number () OVER (");
  gorm_dialect_append_order (compiled->dialect, sql, selection->orders, selection->n_orders);
  g_string_append (sql, ") AS \"gorm_n\" FROM ");
  gorm_dialect_append_identifier (sql, schema->table);
  g_array_set_size (params, 0);
  gorm_dialect_append_where (compiled->dialect, sql, selection->condition, params);
  g_string_append (sql, ") AS \"gorm_k\" WHERE \"gorm_n\" > ");
  gorm_dialect_append_parameter (sql, params->len, G_TYPE_INT64);
  g_string_append (sql, " AND \"gorm_n\" <= ");
  gorm_dialect_append_parameter (sql, params->len + 1, G_TYPE_INT64);
  g_string_append (sql, " ORDER BY \"gorm_n\"");
  self->page_keys_sql = g_string_free (sql, FALSE);

  sql = g_string_new ("SELECT ");
  gorm_dialect_append_columns (sql, schema);
  g_string_append (sql, " FROM ");
  gorm_dialect_append_identifier (sql, schema->table);
  g_string_append (sql, " WHERE ");
  {
    /* The page's keys as one value (libgda's cost per parameter grows
     * with the number of parameters): the SQL is the same for any keys,
     * see load_keyed_page_locked(). */
    GValue key = G_VALUE_INIT;

    g_value_init (&key, G_TYPE_INT64);
    g_array_set_size (params, 0);
    compiled->dialect->append_value_set (sql, params, schema->key, &key, 1, FALSE);
  }
  self->by_keys_sql = g_string_free (sql, FALSE);
  if (compiled->joins != NULL)
    self->joined_by_keys_sql =
      gorm_dialect_render_joined (compiled->dialect, self->by_keys_sql, schema,
                                  (const GormJoin *) compiled->joins->data, compiled->joins->len,
                                  NULL, 0);
}

/* The selection the model's statements render: the query's, without its
 * limit and offset, which the model applies itself (see window_size()
 * and load_page_locked()). */
static GormSelection
model_selection (GormQueryModel *self)
{
  GormSelection selection = gorm_compiled_query_get_selection (self->compiled);

  selection.limit = -1;
  selection.offset = 0;
  return selection;
}

/* The page after an anchor (and its joined form), rendered at its first
 * use under the database's lock: a fetch whose rows fit in its first
 * page, most of them, never reads one. */
static void
render_anchored_page_locked (GormQueryModel *self)
{
  const GormCompiledQuery *compiled = self->compiled;
  GormSelection selection;
  g_autoptr(GArray) params = NULL;

  if (self->anchored_page_sql != NULL || !self->can_anchor)
    return;
  selection = model_selection (self);
  params = new_params ();
  self->anchored_page_sql = gorm_dialect_render_anchored_page (compiled->dialect, &selection,
                                                               params);
  if (compiled->joins != NULL)
    self->joined_anchored_page_sql =
      gorm_dialect_render_joined (compiled->dialect, self->anchored_page_sql, compiled->schema,
                                  (const GormJoin *) compiled->joins->data, compiled->joins->len,
                                  selection.orders, selection.n_orders);
}

/* The COUNT of the model, rendered at its first use under the database's
 * lock: a fetch that reads fewer rows than a page knows its count. */
static const char *
count_sql_locked (GormQueryModel *self)
{
  if (self->count_sql == NULL)
    {
      GormSelection selection = model_selection (self);
      g_autoptr(GArray) params = new_params ();

      self->count_sql = gorm_dialect_render_count (self->compiled->dialect, &selection, params);
    }
  return self->count_sql;
}

/* The SQL of the model, rendered once by the dialect; parameters are
 * bound in the order they appear, the filter's values again at each run
 * (see bind_filter()). The page after an anchor and the COUNT are
 * rendered at their first use (render_anchored_page_locked(),
 * count_sql_locked()). */
static void
render_statements (GormQueryModel *self)
{
  const GormCompiledQuery *compiled = self->compiled;
  GormSelection selection = model_selection (self);
  g_autoptr(GArray) params = new_params ();
  g_autoptr(GString) unused = g_string_new (NULL);

  /* The filter's values, in the order the dialect writes them. */
  self->watch->filter_params = new_params ();
  gorm_dialect_append_where (compiled->dialect, unused, compiled->filter,
                             self->watch->filter_params);

  self->page_sql = gorm_dialect_render_page (compiled->dialect, &selection, params);

  if (compiled->joins != NULL)
    self->joined_page_sql = gorm_dialect_render_joined (compiled->dialect, self->page_sql,
                                                        compiled->schema,
                                                        (const GormJoin *) compiled->joins->data,
                                                        compiled->joins->len, selection.orders,
                                                        selection.n_orders);

  if (gorm_value_kind_get_sql_type (compiled->schema->key->kind) == G_TYPE_INT64 &&
      compiled->dialect->append_value_set != NULL)
    render_key_statements (self, &selection);

  if (self->live)
    {
      g_array_set_size (params, 0);
      self->watch->position_sql = gorm_dialect_render_position (compiled->dialect,
                                                                &selection, params);
      if (self->keys_sql != NULL)
        {
          g_array_set_size (params, 0);
          self->watch->placement_sql =
            gorm_dialect_render_placement (compiled->dialect, &selection, params);
        }
    }
}

/* The parameters of a statement are bound in parts, in the order they
 * appear in its SQL. */
typedef struct
{
  GormStatement *statement;
  guint          number;
} Binding;

static void
bind_values (Binding      *binding,
             const GValue *values,
             guint         n_values)
{
  for (guint i = 0; i < n_values; i++)
    {
      GValue copy = G_VALUE_INIT;

      g_value_init (&copy, G_VALUE_TYPE (&values[i]));
      g_value_copy (&values[i], &copy);
      gorm_statement_take_param (binding->statement, binding->number++, &copy);
    }
}

static void
bind_filter (const Watch *watch,
             Binding     *binding)
{
  bind_values (binding, (const GValue *) watch->filter_params->data, watch->filter_params->len);
}

static GormStatement *
lookup_locked (GormDatabase        *database,
               const char          *sql,
               GormConnection **statements,
               GError             **error)
{
  *statements = gorm_database_get_connection_locked (database, error);
  return *statements ? gorm_connection_lookup_direct_locked (*statements, sql, error) : NULL;
}

/* Runs @sql with the filter's values followed by @extra. */
static GormRows *
run_select_locked (GormQueryModel  *self,
                   const char      *sql,
                   const GType     *column_types,
                   const GValue    *extra,
                   guint            n_extra,
                   GError         **error)
{
  GormConnection *statements;
  Binding binding = { lookup_locked (self->database, sql, &statements, error), 0 };

  if (binding.statement == NULL)
    return NULL;
  bind_filter (self->watch, &binding);
  bind_values (&binding, extra, n_extra);
  return gorm_connection_select_locked (statements, binding.statement, column_types, error);
}

static gint64
count_locked (GormQueryModel  *self,
              GError         **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormRows) model = NULL;
  const GValue *value;

  model = run_select_locked (self, count_sql_locked (self), types, NULL, 0, error);
  if (model == NULL)
    return -1;
  value = gorm_rows_get_value (model, 0, 0, error);
  return value ? g_value_get_int64 (value) : -1;
}

/* The anchor at or before the full position @position, or NULL. */
static const Anchor *
find_anchor (GormQueryModel *self,
             gint64          position)
{
  const Anchor *best = NULL;

  for (guint i = 0; i < self->anchors->len; i++)
    {
      const Anchor *anchor = &g_array_index (self->anchors, Anchor, i);

      if (anchor->position > position)
        break;
      best = anchor;
    }
  return best;
}

static void
add_anchor (GormQueryModel *self,
            gint64          position,
            GormRows   *rows)
{
  const GormOrder *orders = (const GormOrder *) self->compiled->orders->data;
  Anchor anchor = { position, g_new0 (GValue, n_order (self)) };
  guint at = 0;

  for (guint i = 0; i < n_order (self); i++)
    {
      const GValue *value = gorm_rows_get_value (rows, orders[i].column->index, 0, NULL);

      /* Row values never compare equal to NULL: such a row anchors
       * nothing. */
      if (value == NULL || G_VALUE_HOLDS (value, GORM_TYPE_SQL_NULL))
        {
          clear_anchor_values (self, &anchor);
          g_free (anchor.values);
          return;
        }
      g_value_init (&anchor.values[i], G_VALUE_TYPE (value));
      g_value_copy (value, &anchor.values[i]);
    }

  while (at < self->anchors->len && g_array_index (self->anchors, Anchor, at).position < position)
    at++;
  if (at < self->anchors->len && g_array_index (self->anchors, Anchor, at).position == position)
    {
      clear_anchor_values (self, &anchor);
      g_free (anchor.values);
      return;
    }
  g_array_insert_val (self->anchors, at, anchor);
}

/* Appends the object of row @row of @rows to @page. A row whose stored
 * values its object cannot take fails alone: its item is a stand-in, and
 * gorm_query_model_check_item() says why. */
static gboolean
add_row_item (GormQueryModel  *self,
              GormMapper      *table,
              Page            *page,
              GormRows        *rows,
              gint             row,
              GError         **error)
{
  g_autoptr(GError) read_error = NULL;
  gpointer item = gorm_mapper_new_resource (table, rows, row, &read_error);

  if (item == NULL && g_error_matches (read_error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH))
    {
      item = gorm_mapper_new_stand_in (table, rows, row, read_error, error);
      if (item != NULL)
        {
          if (page->errors == NULL)
            page->errors = g_ptr_array_new_full (PAGE_SIZE, clear_error);
          g_ptr_array_set_size (page->errors, page->items->len);
          g_ptr_array_add (page->errors, g_steal_pointer (&read_error));
        }
    }
  else if (item == NULL)
    g_propagate_error (error, g_steal_pointer (&read_error));
  if (item == NULL)
    return FALSE;
  g_ptr_array_add (page->items, item);
  return TRUE;
}

static Page *load_mapped_page_locked (GormQueryModel  *self,
                                      guint            index,
                                      GPtrArray       *changes,
                                      GError         **error);

/* Loads the page @index, whose @count rows have the keys @keys, in
 * order: one statement of a page of keys, the rows put back in the
 * order of @keys. NULL without @error set when a key has no row any more
 * (another connection deleted it, and the model has not read again
 * yet): the page then loads by its position. */
static Page *
load_keyed_page_locked (GormQueryModel  *self,
                        GormMapper      *table,
                        guint            index,
                        const gint64    *keys,
                        guint            count,
                        GError         **error)
{
  const GormCompiledQuery *compiled = self->compiled;
  const GType *types = compiled->joins ? compiled->joined_types : compiled->schema->sql_types;
  g_autoptr(GArray) keys_array = new_params ();
  g_autoptr(GArray) values = new_params ();
  g_autoptr(GString) unused = g_string_new (NULL);
  g_autoptr(GHashTable) rows_by_key = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *row_keys = NULL;
  g_autoptr(GormRows) rows = NULL;
  Page *page;
  guint n_rows;

  if (count == 0)
    return NULL;
  g_array_set_size (keys_array, count);
  for (guint i = 0; i < count; i++)
    {
      g_value_init (&g_array_index (keys_array, GValue, i), G_TYPE_INT64);
      g_value_set_int64 (&g_array_index (keys_array, GValue, i), keys[i]);
    }
  /* Its one parameter, the SQL being by_keys_sql. */
  compiled->dialect->append_value_set (unused, values, compiled->schema->key,
                                       (const GValue *) keys_array->data, count, FALSE);
  {
    GormConnection *statements;
    Binding binding = { lookup_locked (self->database,
                                       self->joined_by_keys_sql ? self->joined_by_keys_sql
                                                                : self->by_keys_sql,
                                       &statements, error), 0 };

    if (binding.statement == NULL)
      return NULL;
    bind_values (&binding, (const GValue *) values->data, values->len);
    rows = gorm_connection_select_locked (statements, binding.statement, types, error);
  }
  if (rows == NULL)
    return NULL;

  n_rows = gorm_rows_get_n_rows (rows);
  row_keys = g_new (gint64, MAX (n_rows, 1));
  for (guint row = 0; row < n_rows; row++)
    {
      const GValue *key = gorm_rows_get_value (rows, compiled->schema->key->index, row, error);

      if (key == NULL)
        return NULL;
      row_keys[row] = g_value_get_int64 (key);
      g_hash_table_insert (rows_by_key, &row_keys[row], GUINT_TO_POINTER (row + 1));
    }

  page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_ptr_array_new_full (count, g_object_unref);
  if (compiled->joins != NULL || compiled->prefetches != NULL)
    page->related = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < count; i++)
    {
      guint row = GPOINTER_TO_UINT (g_hash_table_lookup (rows_by_key, &keys[i]));

      if (row == 0)
        {
          page_free (page);
          return NULL;
        }
      if (!add_row_item (self, table, page, rows, (gint) row - 1, error) ||
          (compiled->joins != NULL &&
           !gorm_compiled_query_attach_joined_locked (compiled, self->database, rows, (gint) row - 1,
                                                      g_ptr_array_index (page->items, page->items->len - 1),
                                                      page->related, error)))
        {
          page_free (page);
          return NULL;
        }
    }
  if (compiled->prefetches != NULL &&
      !gorm_compiled_query_prefetch_locked (compiled, self->database, page->items,
                                           page->related, error))
    {
      page_free (page);
      return NULL;
    }
  return page;
}

static Page *
build_page_locked (GormQueryModel  *self,
                   GormMapper      *table,
                   guint            index,
                   GormRows        *rows,
                   guint            n,
                   GError         **error)
{
  const GormCompiledQuery *compiled = self->compiled;
  Page *page = g_new0 (Page, 1);

  page->index = index;
  page->items = g_ptr_array_new_full (n, g_object_unref);
  if (compiled->joins != NULL || compiled->prefetches != NULL)
    page->related = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint row = 0; row < n; row++)
    if (!add_row_item (self, table, page, rows, (gint) row, error) ||
        (compiled->joins != NULL &&
         !gorm_compiled_query_attach_joined_locked (compiled, self->database, rows, (gint) row,
                                                    g_ptr_array_index (page->items, page->items->len - 1),
                                                    page->related, error)))
      {
        page_free (page);
        return NULL;
      }
  for (guint first = 0; compiled->prefetches != NULL && first < page->items->len; first += PAGE_SIZE)
    {
      guint size = MIN (PAGE_SIZE, page->items->len - first);
      g_autoptr(GPtrArray) part = g_ptr_array_new_full (size, NULL);

      for (guint i = 0; i < size; i++)
        g_ptr_array_add (part, g_ptr_array_index (page->items, first + i));
      if (!gorm_compiled_query_prefetch_locked (compiled, self->database, part, page->related,
                                                error))
        {
          page_free (page);
          return NULL;
        }
    }
  return page;
}

/* The page @index of the objects of the first @n rows of @rows, with
 * what select_related and prefetch_related load for them (prefetches: one
 * statement per relation for every PAGE_SIZE objects, whatever @n). The
 * rows are one read: a row seen twice (a joined object) is converted
 * once (see gorm_mapper_push_new_read_stamp()). */
static Page *
page_from_rows_locked (GormQueryModel  *self,
                       GormMapper      *table,
                       guint            index,
                       GormRows        *rows,
                       guint            n,
                       GError         **error)
{
  gboolean pushed = gorm_mapper_push_new_read_stamp ();
  Page *page = build_page_locked (self, table, index, rows, n, error);

  if (pushed)
    gorm_mapper_pop_read_stamp ();
  return page;
}

/* The two gint64 values a page statement binds last, its LIMIT and
 * OFFSET (or a sorted-key page's bounds). */
static void
set_limits (GValue limits[2],
            gint64 first,
            gint64 second)
{
  g_value_init (&limits[0], G_TYPE_INT64);
  g_value_set_int64 (&limits[0], first);
  g_value_init (&limits[1], G_TYPE_INT64);
  g_value_set_int64 (&limits[1], second);
}

/* Loads the page @index, of @count rows from the full position @start,
 * in an order the model cannot anchor, before its key index is ready:
 * the engine sorts the keys of the rows with their order values only
 * (page_keys_sql), then the page's rows are read by key. The page's own
 * select up to a far position carries every column of every row through
 * a bounded sort (SQLite's B-tree of the first rows, spilled to disk at
 * a million rows), ten times as long. NULL without @error set when the
 * page must load by its position. */
static Page *
load_sorted_key_page_locked (GormQueryModel  *self,
                             GormMapper      *table,
                             guint            index,
                             gint64           start,
                             guint            count,
                             GError         **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormRows) rows = NULL;
  g_autofree gint64 *keys = NULL;
  GValue limits[2] = { G_VALUE_INIT, G_VALUE_INIT };
  Page *page;
  guint n_rows;

  set_limits (limits, start, start + count);
  rows = run_select_locked (self, self->page_keys_sql, types, limits, 2, error);
  if (rows == NULL)
    return NULL;
  n_rows = gorm_rows_get_n_rows (rows);
  if (n_rows != count)
    return NULL;
  keys = g_new (gint64, count);
  for (guint row = 0; row < n_rows; row++)
    {
      const GValue *key = gorm_rows_get_value (rows, 0, row, error);

      if (key == NULL)
        return NULL;
      keys[row] = g_value_get_int64 (key);
    }
  page = load_keyed_page_locked (self, table, index, keys, count, error);
  if (page != NULL)
    self->n_sorted_key_pages++;
  return page;
}

/* Loads the page @index of the model's order. When the database holds
 * changes not delivered to the model, its rows are not in the model's
 * positions any more: the page is mapped through those changes, and is
 * not to be kept (@cache FALSE) when some of them may still roll back. */
static Page *
load_page_locked (GormQueryModel  *self,
                  guint            index,
                  gboolean        *cache,
                  GError         **error)
{
  const GormCompiledQuery *compiled = self->compiled;
  const GType *types = compiled->joins ? compiled->joined_types : compiled->schema->sql_types;
  const char *page_sql = self->joined_page_sql ? self->joined_page_sql : self->page_sql;
  g_autoptr(GormRows) rows = NULL;
  gint64 start = compiled->offset + (gint64) index * PAGE_SIZE;
  guint count = MIN (PAGE_SIZE, self->n_items - index * PAGE_SIZE);
  const Anchor *anchor = self->can_anchor ? find_anchor (self, start) : NULL;
  GormMapper *table;
  GValue limits[2] = { G_VALUE_INIT, G_VALUE_INIT };
  Page *page;
  gint n_rows;

  *cache = TRUE;
  if (self->subscription != NULL)
    {
      gboolean uncommitted;
      g_autoptr(GPtrArray) pending =
        gorm_change_feed_dup_pending_locked (gorm_database_get_change_feed (self->database),
                                             self->subscription, &uncommitted);

      if (pending->len > 0)
        {
          *cache = !uncommitted;
          return load_mapped_page_locked (self, index, pending, error);
        }
    }

  table = gorm_database_get_mapper_locked (self->database, compiled->schema->type, error);
  if (table == NULL)
    return NULL;

  if (count > 0 &&
      (self->order_keys != NULL ||
       (self->page_keys_sql != NULL && !self->can_anchor &&
        start >= MAX (self->sorted_keys_from, 1))))
    {
      GError *local_error = NULL;

      if (self->order_keys == NULL)
        page = load_sorted_key_page_locked (self, table, index, start, count, &local_error);
      else if (start + count <= (gint64) self->order_keys->len)
        page = load_keyed_page_locked (self, table, index,
                                       &g_array_index (self->order_keys, gint64, start), count,
                                       &local_error);
      else
        page = NULL;
      if (page != NULL)
        return page;
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
    }

  set_limits (limits, count, anchor ? start - anchor->position : start);

  if (anchor != NULL)
    {
      g_autofree GValue *extra = g_new0 (GValue, n_order (self) + 2);
      const char *anchored_page_sql;

      for (guint i = 0; i < n_order (self); i++)
        extra[i] = anchor->values[i];
      extra[n_order (self)] = limits[0];
      extra[n_order (self) + 1] = limits[1];
      render_anchored_page_locked (self);
      anchored_page_sql = self->joined_anchored_page_sql ? self->joined_anchored_page_sql
                                                         : self->anchored_page_sql;
      rows = run_select_locked (self, anchored_page_sql, types, extra, n_order (self) + 2, error);
    }
  else
    rows = run_select_locked (self, page_sql, types, limits, 2, error);
  if (rows == NULL)
    return NULL;

  n_rows = gorm_rows_get_n_rows (rows);
  page = page_from_rows_locked (self, table, index, rows, (guint) n_rows, error);
  if (page != NULL && self->can_anchor && n_rows > 0)
    add_anchor (self, start, rows);
  return page;
}

static void start_anchoring (GormQueryModel *self);
static void start_key_prep  (GormQueryModel *self,
                             gboolean        page_sorts);
static void wait_for_keys   (GormQueryModel *self);
static void read_keys_now   (GormQueryModel *self);
static gboolean wants_key_index (GormQueryModel *self,
                                 gint64          n_full);
static void cancel_key_prep (GormQueryModel *self);
static void share_key_index (GormQueryModel *self);
static void share_key_index_copy (GormQueryModel *self,
                                  GArray         *copy);
static gboolean sorts_keys_itself (GormQueryModel *self);

static void
watch_clear (Watch *watch)
{
  g_clear_pointer (&watch->compiled, gorm_compiled_query_free);
  g_clear_pointer (&watch->filter_params, g_array_unref);
  g_free (watch->position_sql);
  g_free (watch->placement_sql);
  g_clear_pointer (&watch->index, g_array_unref);
}

static void
watch_unref (Watch *watch)
{
  g_atomic_rc_box_release_full (watch, (GDestroyNotify) watch_clear);
}

/* A row a write removed from the model's order without putting it back
 * (deleted, or no longer matching the filter): what shows it at its old
 * place until the change is delivered. Its live object when it had one,
 * else the values of its row before the write. */
typedef struct
{
  GObject *object;
  GValue  *row;
} Ghost;

/* One write as a live model sees it: the full positions its rows left,
 * from the last, and those they took, from the first, each with the index
 * of its key. Applying the removals and then the insertions to the order
 * before the write gives the order after it. */
typedef struct
{
  gint64 position;
  guint  key;
} Move;

typedef struct
{
  GArray   *removed;   /* of Move, by descending position */
  GArray   *added;     /* of Move, by ascending position */
  /* A single row that kept its place, where an anchor may no longer be. */
  gint64    kept;
  gboolean  deleted;
  Ghost    *ghosts;    /* one per key */
  guint     n_keys;
  /* The keys, which a model keeping its keys follows the moves with. */
  GValue   *keys;
} Change;

static void
change_clear (Change *change)
{
  g_array_unref (change->removed);
  g_array_unref (change->added);
  for (guint i = 0; i < change->n_keys; i++)
    {
      g_clear_object (&change->ghosts[i].object);
      g_clear_pointer (&change->ghosts[i].row, gorm_mapper_free_row);
      if (G_IS_VALUE (&change->keys[i]))
        g_value_unset (&change->keys[i]);
    }
  g_free (change->ghosts);
  g_free (change->keys);
}

static gpointer
change_ref (gpointer change)
{
  return g_atomic_rc_box_acquire (change);
}

static void
change_unref (gpointer change)
{
  g_atomic_rc_box_release_full (change, (GDestroyNotify) change_clear);
}

/* What before_locked saw: the positions of the keys before the write,
 * and whether they were found in the writers' key index. */
typedef struct
{
  GArray   *before;   /* of gint64 */
  Ghost    *ghosts;
  guint     n_keys;
  gboolean  indexed;
} Note;

static void
note_free (gpointer data)
{
  Note *note = data;

  g_array_unref (note->before);
  for (guint i = 0; i < note->n_keys; i++)
    {
      g_clear_object (&note->ghosts[i].object);
      g_clear_pointer (&note->ghosts[i].row, gorm_mapper_free_row);
    }
  g_free (note->ghosts);
  g_free (note);
}

/* The page of @position, loaded if it is not kept. */
static Page *
lookup_page (GormQueryModel  *self,
             guint            position,
             GError         **error)
{
  guint index = position / PAGE_SIZE;
  Page *page = NULL;
  gboolean cache = TRUE;

  if (self->whole_rows != NULL && !gorm_query_model_take_objects (self, error))
    return NULL;
  if (self->whole != NULL)
    return self->whole;

  /* The anchors are placed by worker calls that each end in the main
   * context, and hold the model until then: a program that never runs a
   * main loop would never see them, and would keep every model it
   * dropped. Such a program places anchors only as it loads pages. */
  if (self->wants_anchors && g_main_depth () > 0)
    {
      self->wants_anchors = FALSE;
      start_anchoring (self);
    }

  for (GList *link = self->pages.head; link != NULL; link = link->next)
    if (((Page *) link->data)->index == index)
      {
        page = link->data;
        g_queue_unlink (&self->pages, link);
        g_queue_push_head_link (&self->pages, link);
        break;
      }

  if (self->wants_keys && self->prep == NULL && g_main_depth () > 0)
    {
      self->wants_keys = FALSE;
      start_key_prep (self, page == NULL && self->page_sorts_all);
    }

  /* The keys of an order by a related path read by ranks (see
   * gorm_dialect_render_key_ranks()) cost one scan, less than the
   * engine's sort of the first page by the path's values: that page
   * waits for them too, or reads them at once. A preparation still
   * opening its connection to a server has read nothing yet: it makes
   * way for the read at once (on PostgreSQL at a million rows, 0.8 s
   * where the first page's own select took 10 s). */
  if (page == NULL && self->key_ranks != NULL && self->prep != NULL &&
      self->prep_changes == NULL)
    {
      cancel_key_prep (self);
      self->wants_keys = wants_key_index (self, self->n_full);
    }
  if (page == NULL && (index > 0 || self->key_ranks != NULL || sorts_keys_itself (self)))
    {
      wait_for_keys (self);
      read_keys_now (self);
    }
  if (page == NULL)
    {
      gorm_database_lock (self->database);
      page = load_page_locked (self, index, &cache, error);
      gorm_database_unlock (self->database);
      if (page == NULL)
        return NULL;
      if (!cache)
        {
          /* Mapped through changes that may still roll back: good for
           * this read only. */
          g_clear_pointer (&self->transient, page_free);
          self->transient = page;
          return page;
        }
      g_queue_push_head (&self->pages, page);
      while (self->pages.length > MAX_PAGES)
        page_free (g_queue_pop_tail (&self->pages));
    }

  return page;
}

GPtrArray *
gorm_query_model_dup_related (GormQueryModel *self,
                              guint           position)
{
  Page *page = lookup_page (self, position, NULL);

  return page && page->related ? g_ptr_array_ref (page->related) : NULL;
}

static gpointer
gorm_query_model_get_item (GListModel *list,
                           guint       position)
{
  GormQueryModel *self = GORM_QUERY_MODEL (list);
  g_autoptr(GError) error = NULL;
  Page *page;

  if (position >= self->n_items)
    return NULL;

  page = lookup_page (self, position, &error);
  if (page == NULL)
    {
      /* A list model cannot fail: the item is missing, and why is said
       * once. */
      g_warning ("Cannot load item %u of a %s model: %s",
                 position, g_type_name (self->compiled->schema->type), error->message);
      return NULL;
    }

  position = page == self->whole ? position : position % PAGE_SIZE;
  if (position >= page->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (page->items, position));
}

static guint
gorm_query_model_get_n_items (GListModel *list)
{
  return GORM_QUERY_MODEL (list)->n_items;
}

static GType
gorm_query_model_get_item_type (GListModel *list)
{
  return GORM_QUERY_MODEL (list)->compiled->schema->type;
}

static void
gorm_query_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item = gorm_query_model_get_item;
  iface->get_n_items = gorm_query_model_get_n_items;
  iface->get_item_type = gorm_query_model_get_item_type;
}

static void
gorm_query_model_finalize (GObject *object)
{
  GormQueryModel *self = GORM_QUERY_MODEL (object);

  if (self->subscription != NULL)
    gorm_change_feed_unsubscribe (gorm_database_get_change_feed (self->database),
                                  g_steal_pointer (&self->subscription));
  if (self->follows)
    gorm_database_unfollow_others (self->database);
  g_clear_pointer (&self->keys, g_array_unref);
  cancel_key_prep (self);
  g_clear_pointer (&self->opener, gorm_key_opener_drop);
  g_clear_pointer (&self->order_keys, g_array_unref);
  drop_pages (self);
  if (self->whole_rows != NULL)
    {
      /* libgda's rows of SQLite are freed with the lock, as they were
       * read. */
      gorm_database_lock (self->database);
      g_clear_pointer (&self->whole_rows, gorm_rows_free);
      gorm_database_unlock (self->database);
    }
  drop_anchors (self);
  g_clear_pointer (&self->anchors, g_array_unref);
  g_clear_pointer (&self->skipped, g_hash_table_unref);
  g_clear_pointer (&self->watch, watch_unref);
  g_clear_object (&self->database);
  g_free (self->page_sql);
  g_free (self->anchored_page_sql);
  g_free (self->joined_page_sql);
  g_free (self->joined_anchored_page_sql);
  g_free (self->count_sql);
  g_free (self->keys_sql);
  g_clear_pointer (&self->key_ranks, gorm_key_ranks_unref);
  g_clear_pointer (&self->key_sort, gorm_key_sort_unref);
  g_free (self->page_keys_sql);
  g_free (self->by_keys_sql);
  g_free (self->joined_by_keys_sql);

  G_OBJECT_CLASS (gorm_query_model_parent_class)->finalize (object);
}

static void
gorm_query_model_class_init (GormQueryModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gorm_query_model_finalize;
}

static void
gorm_query_model_init (GormQueryModel *self)
{
  g_queue_init (&self->pages);
  self->anchors = g_array_new (FALSE, TRUE, sizeof (Anchor));
}

/* Whether the database holds changes this model has not been given yet:
 * its rows then do not match the model's positions. With the database
 * lock held. */
static gboolean
has_pending_locked (GormQueryModel *self)
{
  g_autoptr(GPtrArray) pending = NULL;
  gboolean uncommitted;

  if (self->subscription == NULL)
    return FALSE;
  pending = gorm_change_feed_dup_pending_locked (gorm_database_get_change_feed (self->database),
                                                 self->subscription, &uncommitted);
  return pending->len > 0;
}

/* The anchor a worker call placed, handed to the main context. */
typedef struct
{
  gint64  position;
  GValue *values;
  guint   n_values;
  /* The model's deliveries when the step started: an anchor found before
   * a delivery is in positions that are no longer the model's. */
  guint   deliveries;
  gboolean more;
  /* The database held changes not delivered yet: try again later. */
  gboolean retry;
} AnchorStep;

static void
anchor_step_free (AnchorStep *step)
{
  if (step->values != NULL)
    {
      for (guint i = 0; i < step->n_values; i++)
        if (G_IS_VALUE (&step->values[i]))
          g_value_unset (&step->values[i]);
      g_free (step->values);
    }
  g_free (step);
}

/* Finds the row ANCHOR_SPACING rows after the last anchor, @step's start;
 * FALSE when the window has no row there, or when the database holds
 * changes the model was not given yet (anchoring starts again after
 * their delivery). Reads no state of the model the main context changes:
 * the last anchor and the number of items are copied into @step. */
static gboolean
find_next_anchor_locked (GormQueryModel *self,
                         AnchorStep     *step,
                         gint64          end)
{
  const GType *types = self->compiled->schema->sql_types;
  g_autoptr(GormRows) rows = NULL;
  g_autofree GValue *extra = g_new0 (GValue, n_order (self) + 2);
  gint64 target = step->position + ANCHOR_SPACING;
  const GormOrder *orders = (const GormOrder *) self->compiled->orders->data;
  guint n_extra = 0;

  if (target >= end)
    return FALSE;
  if (has_pending_locked (self))
    {
      step->retry = TRUE;
      return FALSE;
    }

  if (step->values != NULL)
    for (; n_extra < n_order (self); n_extra++)
      extra[n_extra] = step->values[n_extra];
  g_value_init (&extra[n_extra], G_TYPE_INT64);
  g_value_set_int64 (&extra[n_extra++], 1);
  g_value_init (&extra[n_extra], G_TYPE_INT64);
  g_value_set_int64 (&extra[n_extra++], step->values ? ANCHOR_SPACING : target);

  if (step->values != NULL)
    render_anchored_page_locked (self);
  rows = run_select_locked (self, step->values ? self->anchored_page_sql : self->page_sql,
                            types, extra, n_extra, NULL);
  if (rows == NULL || gorm_rows_get_n_rows (rows) == 0)
    return FALSE;

  if (step->values != NULL)
    for (guint i = 0; i < n_order (self); i++)
      g_value_unset (&step->values[i]);
  else
    step->values = g_new0 (GValue, n_order (self));
  step->n_values = n_order (self);
  step->position = target;
  for (guint i = 0; i < n_order (self); i++)
    {
      const GValue *value = gorm_rows_get_value (rows, orders[i].column->index, 0, NULL);

      if (value == NULL)
        return FALSE;
      g_value_init (&step->values[i], G_VALUE_TYPE (value));
      g_value_copy (value, &step->values[i]);
    }
  return TRUE;
}

static void
anchor_step_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GormQueryModel *self = source_object;
  AnchorStep *step = task_data;
  gint64 end = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "gorm-end"));

  gorm_database_lock (self->database);
  step->more = find_next_anchor_locked (self, step, end);
  gorm_database_unlock (self->database);

  gorm_task_return_boolean (task, TRUE, NULL);
}

static void
anchor_step_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GormQueryModel *self = GORM_QUERY_MODEL (source);
  AnchorStep *step = g_task_get_task_data (G_TASK (result));
  Anchor anchor;
  guint at = 0;

  g_task_propagate_boolean (G_TASK (result), NULL);
  if (step->deliveries != self->deliveries || step->retry)
    {
      /* The order changed meanwhile: start again from what is kept. */
      self->wants_anchors = self->can_anchor;
      return;
    }
  if (!step->more)
    return;

  anchor.position = step->position;
  anchor.values = g_new0 (GValue, n_order (self));
  for (guint i = 0; i < n_order (self); i++)
    {
      g_value_init (&anchor.values[i], G_VALUE_TYPE (&step->values[i]));
      g_value_copy (&step->values[i], &anchor.values[i]);
    }
  while (at < self->anchors->len && g_array_index (self->anchors, Anchor, at).position < anchor.position)
    at++;
  if (at < self->anchors->len && g_array_index (self->anchors, Anchor, at).position == anchor.position)
    {
      clear_anchor_values (self, &anchor);
      g_free (anchor.values);
    }
  else
    g_array_insert_val (self->anchors, at, anchor);
  start_anchoring (self);
}

/* Places anchors through a large model, one step per worker call, so that
 * the database stays free for other calls in between. */
static void
start_anchoring (GormQueryModel *self)
{
  g_autoptr(GTask) task = gorm_database_new_task (self->database, self, NULL,
                                                  anchor_step_done_cb, NULL, start_anchoring);
  AnchorStep *step = g_new0 (AnchorStep, 1);
  const Anchor *last = self->anchors->len > 0
    ? &g_array_index (self->anchors, Anchor, self->anchors->len - 1) : NULL;

  step->deliveries = self->deliveries;
  step->position = last ? last->position : self->compiled->offset;
  if (last != NULL)
    {
      step->n_values = n_order (self);
      step->values = g_new0 (GValue, n_order (self));
      for (guint i = 0; i < n_order (self); i++)
        {
          g_value_init (&step->values[i], G_VALUE_TYPE (&last->values[i]));
          g_value_copy (&last->values[i], &step->values[i]);
        }
    }
  g_task_set_task_data (task, step, (GDestroyNotify) anchor_step_free);
  g_object_set_data (G_OBJECT (task), "gorm-end",
                     GSIZE_TO_POINTER ((gsize) (self->compiled->offset + (gint64) self->n_items)));
  gorm_database_run_task (self->database, task, anchor_step_thread);
}

/* The preparation of a model's key index, in the background: one select
 * of the keys of every row the filter matches, in the model's order, on
 * a read connection of its own (gorm-key-reader-private.h), so that the
 * database's connection and its lock stay free for the main loop's pages
 * and for writers while the engine sorts, a second or so for a million
 * rows in an order no index gives.
 *
 * 1. A GLib pool thread opens the reader.
 * 2. In the main context, with the database lock held and no change
 *    waiting for its delivery to the model (else it tries again after
 *    the delivery, or a little later), the reader takes its snapshot: it
 *    holds every write the model was given, and no other.
 * 3. A pool thread reads the keys in that snapshot.
 * 4. In the main context, the changes delivered since step 2 (kept in
 *    prep_changes) are applied to the keys, which then become the
 *    model's. A model that read its rows again meanwhile (another
 *    connection's commit, a rollback) prepares again.
 *
 * The model holds the preparation and the threads a reference each, not
 * to the model: a model dropped meanwhile cancels the read (the engine
 * stops its statement) and its threads end on their own. */
struct _KeyPrep
{
  GWeakRef        model;
  GormKeySource  *source;
  /* The model's early opening reader, taken by the thread that opens. */
  GormKeyOpener  *opener;     /* nullable */
  GormKeyReader  *reader;
  GMutex          lock;       /* for reader, cancelled and read_done */
  gboolean        cancelled;
  /* Set by the read's thread once @keys and @error are set. */
  gboolean        read_done;
  GCond           read_cond;
  char           *sql;
  GormKeyRanks   *ranks;      /* nullable */
  GormKeySort    *sort;       /* nullable */
  GormKeyReadWay  way;
  GArray         *params;
  GArray         *keys;
  /* With @wants_copy (a live model, whose writers get a copy of its
   * keys: see share_key_index()), a copy of @keys made by the read's
   * thread, so that the main thread does not: 8 MB at a million rows,
   * 4 ms of CPU in fresh pages, up to 16 ms of wall time on a loaded
   * machine. */
  gboolean        wants_copy;
  GArray         *copy;
  GError         *error;
  guint           generation;
  gint64          n_expected;
  guint           retry;      /* source id of a retry of the pin */
};

static KeyPrep *
key_prep_ref (KeyPrep *prep)
{
  return g_atomic_rc_box_acquire (prep);
}

static void
key_prep_clear (KeyPrep *prep)
{
  g_weak_ref_clear (&prep->model);
  g_clear_pointer (&prep->opener, gorm_key_opener_drop);
  g_clear_pointer (&prep->reader, gorm_key_reader_free);
  g_clear_pointer (&prep->source, gorm_key_source_free);
  g_mutex_clear (&prep->lock);
  g_cond_clear (&prep->read_cond);
  g_free (prep->sql);
  g_clear_pointer (&prep->ranks, gorm_key_ranks_unref);
  g_clear_pointer (&prep->sort, gorm_key_sort_unref);
  g_clear_pointer (&prep->params, g_array_unref);
  g_clear_pointer (&prep->keys, g_array_unref);
  g_clear_pointer (&prep->copy, g_array_unref);
  g_clear_error (&prep->error);
}

static void
key_prep_unref (KeyPrep *prep)
{
  g_atomic_rc_box_release_full (prep, (GDestroyNotify) key_prep_clear);
}

/* Stops the preparation: the model no longer wants its keys. */
static void
cancel_key_prep (GormQueryModel *self)
{
  KeyPrep *prep = g_steal_pointer (&self->prep);

  g_clear_pointer (&self->prep_changes, g_ptr_array_unref);
  if (prep == NULL)
    return;
  g_mutex_lock (&prep->lock);
  prep->cancelled = TRUE;
  if (prep->reader != NULL)
    gorm_key_reader_cancel (prep->reader);
  g_mutex_unlock (&prep->lock);
  g_clear_handle_id (&prep->retry, g_source_remove);
  key_prep_unref (prep);
}

/* The model of @prep while it is still the model's preparation. */
static GormQueryModel *
key_prep_dup_model (KeyPrep *prep)
{
  GormQueryModel *self = g_weak_ref_get (&prep->model);

  if (self != NULL && self->prep != prep)
    g_clear_object (&self);
  return self;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyPrep, key_prep_unref)

static void apply_change_to_index (GArray       *keys,
                                   const Change *change,
                                   gboolean     *fits);

/* Counts a read of the key index that sorted without the engine. */
static void
count_key_read (GormQueryModel *self,
                GormKeyReadWay  way)
{
  self->n_ranked_key_reads += way == GORM_KEY_READ_RANKED;
  self->n_sorted_key_reads += way == GORM_KEY_READ_SORTED_HERE;
}

static void
key_read_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  KeyPrep *prep = task_data;

  prep->keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), (guint) MAX (prep->n_expected, 1));
  if (!gorm_key_reader_read (prep->reader, prep->sql, prep->ranks, prep->sort,
                             (const GValue *) prep->params->data, prep->params->len, prep->keys,
                             &prep->way, &prep->error))
    g_clear_pointer (&prep->keys, g_array_unref);
  else if (prep->wants_copy)
    {
      prep->copy = g_array_sized_new (FALSE, FALSE, sizeof (gint64), prep->keys->len + 64);
      g_array_append_vals (prep->copy, prep->keys->data, prep->keys->len);
    }
  g_mutex_lock (&prep->lock);
  prep->read_done = TRUE;
  g_cond_broadcast (&prep->read_cond);
  g_mutex_unlock (&prep->lock);
  g_task_return_boolean (task, TRUE);
}

/* Step 4, once the keys are read: they become the model's. */
static void
finish_key_prep (GormQueryModel *self)
{
  KeyPrep *prep = g_steal_pointer (&self->prep);
  g_autoptr(GPtrArray) changes = g_steal_pointer (&self->prep_changes);
  g_autoptr(GArray) keys = g_steal_pointer (&prep->keys);
  g_autoptr(GArray) copy = g_steal_pointer (&prep->copy);
  gboolean fits = TRUE;
  gboolean copy_fits = TRUE;

  if (keys == NULL)
    /* An engine that cannot read them now will not later. */
    g_debug ("A %s model has no key index: %s",
             g_type_name (self->compiled->schema->type), prep->error->message);
  else if (prep->generation != self->key_generation)
    /* The model read its rows again meanwhile: its order is another. */
    self->wants_keys = wants_key_index (self, self->n_full);
  else
    {
      count_key_read (self, prep->way);
      for (guint i = 0; fits && changes != NULL && i < changes->len; i++)
        {
          apply_change_to_index (keys, g_ptr_array_index (changes, i), &fits);
          if (copy != NULL)
            apply_change_to_index (copy, g_ptr_array_index (changes, i), &copy_fits);
        }
      /* A snapshot model counted its rows before, and another connection
       * may have changed them since: it keeps loading its pages as
       * before. A live model is told of such a commit and reads again
       * (see refresh()). */
      if (fits && keys->len == (guint) self->n_full)
        self->order_keys = g_steal_pointer (&keys);
    }
  key_prep_unref (prep);
  share_key_index_copy (self, copy_fits ? g_steal_pointer (&copy) : NULL);
}

static void
key_read_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  KeyPrep *prep = g_task_get_task_data (G_TASK (result));
  g_autoptr(GormQueryModel) self = key_prep_dup_model (prep);

  /* Finished already by wait_for_keys(), or dropped. */
  if (self != NULL)
    finish_key_prep (self);
}

/* A page that is not loaded, asked for while the keys are read: for an
 * order the model cannot load from anchors (no index may give it, and the
 * engine then sorts the table up to the page for every page), waiting for
 * the keys costs at most the rest of one such sort, the page then loads
 * by key. */
static void
wait_for_keys (GormQueryModel *self)
{
  KeyPrep *prep = self->prep;

  if (prep == NULL || self->prep_changes == NULL || self->can_anchor)
    return;
  g_mutex_lock (&prep->lock);
  while (!prep->read_done)
    g_cond_wait (&prep->read_cond, &prep->lock);
  g_mutex_unlock (&prep->lock);
  finish_key_prep (self);
}

/* Whether the preparation running reads the keys with an SQLite reader
 * that sorts them itself (see GormKeySort): one scan and a sort in
 * memory, less than the engine's own sort of the first page beside it
 * (a million rows by "rating" DESC, "title": 0.4 s of CPU for the keys,
 * 0.37 s for the page), which would slow the read: that page waits for
 * the keys too. Without a main loop nothing is being prepared, and the
 * first page sorts for itself as before. */
static gboolean
sorts_keys_itself (GormQueryModel *self)
{
  return self->prep != NULL && self->prep->sort != NULL &&
         gorm_key_source_is_file (self->prep->source);
}

/* A page that is not loaded, of an order the model cannot anchor, asked
 * for by a program that has not run a main loop since (so that the model
 * never prepared its key index in the background): each such page would
 * cost the engine a sort of the whole table, so the model reads its key
 * index at once instead, in the time of one such sort, and every page
 * after it loads by key. With the database lock held throughout and no
 * change waiting for its delivery, the keys are those of the rows the
 * model shows. A database without a second connection (in memory) keeps
 * sorting the keys of each page (load_sorted_key_page_locked()). */
static void
read_keys_now (GormQueryModel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  GormKeySource *source = NULL;
  GormKeyReader *reader = NULL;
  gboolean ok = FALSE;
  GormKeyReadWay way = GORM_KEY_READ_SORTED_SELECT;
  gboolean pending;

  if (!self->wants_keys || self->prep != NULL || self->order_keys != NULL || self->can_anchor)
    return;
  self->wants_keys = FALSE;

  gorm_database_lock (self->database);
  pending = has_pending_locked (self);
  if (!pending)
    source = gorm_key_source_new_locked (gorm_database_get_execution (self->database));
  /* A reader that opens early, opened by now or soon, or a new one. */
  if (source != NULL)
    reader = gorm_key_opener_take_or_open (&self->opener, source, &error);
  if (reader != NULL && gorm_key_reader_pin (reader, self->compiled->schema->table, &error))
    {
      keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), (guint) self->n_full);
      ok = gorm_key_reader_read (reader, self->keys_sql, self->key_ranks,
                                 self->key_sort,
                                 (const GValue *) self->watch->filter_params->data,
                                 self->watch->filter_params->len, keys, &way, &error);
      if (ok)
        count_key_read (self, way);
    }
  gorm_database_unlock (self->database);
  g_clear_pointer (&reader, gorm_key_reader_free);
  g_clear_pointer (&source, gorm_key_source_free);

  if (error != NULL)
    g_debug ("A %s model has no key index: %s",
             g_type_name (self->compiled->schema->type), error->message);
  /* A snapshot model's rows may have changed since it counted them. */
  if (ok && keys->len == (guint) self->n_full)
    {
      self->order_keys = g_steal_pointer (&keys);
      share_key_index (self);
    }
  else if (pending)
    /* Changes wait for their delivery: the next page tries again. */
    self->wants_keys = wants_key_index (self, self->n_full);
}

static gboolean pin_key_snapshot (gpointer data);

/* Step 2: with the database lock, when no change waits for its delivery
 * to the model, the reader's snapshot holds exactly what the model was
 * given. FALSE to be called again. */
static gboolean
try_pin_key_snapshot (GormQueryModel *self,
                      KeyPrep        *prep)
{
  GormConnection *connection = gorm_database_get_execution (self->database);
  g_autoptr(GTask) task = NULL;
  gboolean pinned;

  /* Never waits: another thread's transaction would block the main
   * loop until its end. */
  if (!gorm_connection_try_lock (connection))
    return FALSE;
  if (has_pending_locked (self))
    {
      gorm_database_unlock (self->database);
      return FALSE;
    }
  pinned = gorm_key_reader_pin (prep->reader, self->compiled->schema->table, &prep->error);
  prep->generation = self->key_generation;
  prep->n_expected = self->n_full;
  gorm_database_unlock (self->database);
  if (!pinned)
    {
      g_debug ("A %s model has no key index: %s",
               g_type_name (self->compiled->schema->type), prep->error->message);
      cancel_key_prep (self);
      return TRUE;
    }
  self->prep_changes = g_ptr_array_new_with_free_func (change_unref);
  task = g_task_new (NULL, NULL, key_read_done_cb, NULL);
  g_task_set_task_data (task, key_prep_ref (prep), (GDestroyNotify) key_prep_unref);
  g_task_run_in_thread (task, key_read_thread);
  return TRUE;
}

static gboolean
pin_key_snapshot (gpointer data)
{
  /* Held here: a failed pin drops the model's preparation, and this
   * source with it. */
  g_autoptr(KeyPrep) prep = key_prep_ref (data);
  g_autoptr(GormQueryModel) self = key_prep_dup_model (prep);

  if (self != NULL && self->prep_changes == NULL && !try_pin_key_snapshot (self, prep))
    return G_SOURCE_CONTINUE;
  prep->retry = 0;
  return G_SOURCE_REMOVE;
}

static void
key_open_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  KeyPrep *prep = task_data;
  /* The model's own, still opening when the preparation started (one
   * that could not open is tried again). */
  GormKeyReader *reader = gorm_key_opener_take_or_open (&prep->opener, prep->source,
                                                        &prep->error);

  g_mutex_lock (&prep->lock);
  prep->reader = reader;
  if (prep->cancelled && reader != NULL)
    gorm_key_reader_cancel (reader);
  g_mutex_unlock (&prep->lock);
  g_task_return_boolean (task, TRUE);
}

/* Once the reader of @prep is open (or failed to): pins its snapshot
 * now if the database allows, else from a timeout in the main context
 * until it does. */
static void
pin_or_retry (GormQueryModel *self,
              KeyPrep        *prep)
{
  if (prep->reader == NULL)
    {
      g_debug ("A %s model has no key index: %s",
               g_type_name (self->compiled->schema->type), prep->error->message);
      cancel_key_prep (self);
      return;
    }
  if (!try_pin_key_snapshot (self, prep))
    {
      GSource *retry = g_timeout_source_new (10);

      g_source_set_callback (retry, pin_key_snapshot, key_prep_ref (prep),
                             (GDestroyNotify) key_prep_unref);
      prep->retry = g_source_attach (retry, g_main_context_get_thread_default ());
      g_source_unref (retry);
    }
}

static void
key_open_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  KeyPrep *prep = g_task_get_task_data (G_TASK (result));
  g_autoptr(GormQueryModel) self = key_prep_dup_model (prep);

  if (self != NULL)
    pin_or_retry (self, prep);
}

/* How long the first item of a model that sorts waits for its reader's
 * connection: one to a server on this machine took 5-13 ms (SCRAM
 * authentication, a new backend), the sort of the page 170-250 ms at a
 * million rows, and the keys are then read beside it. A slower server
 * (a remote one) is waited for in a thread, as before. */
#define KEY_OPENER_WAIT_US (20 * 1000)

/* A model whose pages the engine sorts (an order the model cannot
 * anchor) prepares its key index from its first item on. A server's
 * reader connection opens now, in a thread of its own, so that the
 * first item pins the reader's snapshot before its page's own sort and
 * the keys are read beside that sort (on PostgreSQL 0.17-0.25 s at a
 * million rows by "rating"), as on an SQLite file, whose reader opens
 * at the first item in well under a millisecond. Until then the
 * connection is the model's. */
static void
open_key_reader_early_locked (GormQueryModel *self)
{
  GormKeySource *source = gorm_key_source_new_locked (gorm_database_get_execution (self->database));

  if (source == NULL)
    return;
  if (gorm_key_source_is_file (source))
    {
      gorm_key_source_free (source);
      return;
    }
  self->opener = gorm_key_opener_start (source);
}

/* Step 1: prepares the key index of a large model (see KeyPrep). An
 * SQLite file's reader opens at once (a file open, a read of its
 * schema and the pin: 0.3 ms of CPU) and its keys are read while the
 * page that started the preparation loads: the sort of an order no
 * index gives (0.6-0.9 s at a million rows) no longer waits for that
 * page (a sort of its own, 0.2-0.4 s), which the main thread runs
 * meanwhile. A server's connection opens in a thread. */
static void
start_key_prep (GormQueryModel *self,
                gboolean        page_sorts)
{
  g_autoptr(GTask) task = NULL;
  GormKeySource *source;
  KeyPrep *prep;

  gorm_database_lock (self->database);
  source = gorm_key_source_new_locked (gorm_database_get_execution (self->database));
  gorm_database_unlock (self->database);
  if (source == NULL)
    return;

  prep = g_atomic_rc_box_new0 (KeyPrep);
  g_weak_ref_init (&prep->model, self);
  g_mutex_init (&prep->lock);
  g_cond_init (&prep->read_cond);
  prep->source = source;
  prep->sql = g_strdup (self->keys_sql);
  if (self->key_ranks != NULL)
    prep->ranks = gorm_key_ranks_ref (self->key_ranks);
  if (self->key_sort != NULL)
    prep->sort = gorm_key_sort_ref (self->key_sort);
  prep->params = g_array_ref (self->watch->filter_params);
  prep->wants_copy = self->subscription != NULL && self->watch->placement_sql != NULL;
  self->prep = prep;
  /* A server's reader opened early pins at once, so that its read runs
   * beside the sort of the page that started it rather than after it:
   * a page that @page_sorts (the engine sorts every row for it) waits a
   * little for a reader still opening (a model is often asked for its
   * first item as soon as it is made). */
  prep->opener = g_steal_pointer (&self->opener);
  if (prep->opener != NULL)
    prep->reader = gorm_key_opener_take (&prep->opener, page_sorts ? KEY_OPENER_WAIT_US : 0, NULL);
  if (prep->reader != NULL)
    {
      pin_or_retry (self, prep);
      return;
    }
  if (gorm_key_source_is_file (source))
    {
      prep->reader = gorm_key_reader_open (source, &prep->error);
      pin_or_retry (self, prep);
      return;
    }
  task = g_task_new (NULL, NULL, key_open_done_cb, NULL);
  g_task_set_task_data (task, key_prep_ref (prep), (GDestroyNotify) key_prep_unref);
  g_task_run_in_thread (task, key_open_thread);
}

static gpointer watch_before_locked (gpointer      data,
                                     const GValue *keys,
                                     guint         n_keys);
static gpointer watch_after_locked  (gpointer      data,
                                     gpointer      note,
                                     const GValue *keys,
                                     guint         n_keys,
                                     gboolean      deleted);
static void     deliver             (GObject      *target,
                                     GPtrArray    *records,
                                     gboolean      reset,
                                     gboolean      foreign);
static gint64   read_rows_locked    (GormQueryModel *self,
                                     gboolean        refresh_live,
                                     GArray        **keys,
                                     GError        **error);

static const GormSubscriberFuncs watch_funcs = {
  watch_before_locked,
  watch_after_locked,
  note_free,
  change_ref,
  change_unref,
  deliver,
};

/* Set by gorm_query_model_set_key_index_min_rows(), -1 when not. */
static gint64 key_index_min_override = -1;

/* The fewest rows for which a model made now prepares its key index:
 * what the test knob says, else GORM_KEY_INDEX_MIN_ROWS (read once, for
 * benchmarks), else KEY_INDEX_MIN_ROWS. */
static gint64
key_index_min_rows (void)
{
  static gsize from_environment = 0;

  if (key_index_min_override >= 0)
    return key_index_min_override;
  if (g_once_init_enter (&from_environment))
    {
      const char *text = g_getenv ("GORM_KEY_INDEX_MIN_ROWS");
      gint64 rows = text ? g_ascii_strtoll (text, NULL, 10) : KEY_INDEX_MIN_ROWS;

      g_once_init_leave (&from_environment, (gsize) MAX (rows, 0) + 1);
    }
  return (gint64) from_environment - 1;
}

void
gorm_query_model_set_key_index_min_rows (gint64 rows)
{
  key_index_min_override = rows;
}

/* Set by gorm_query_model_set_whole_max_rows(), -1 when not. */
static gint64 whole_max_override = -1;

void
gorm_query_model_set_whole_max_rows (gint64 rows)
{
  whole_max_override = rows;
}

/* Reads the rows of a snapshot, in one statement when it has at most
 * WHOLE_MAX_ROWS (or its limit is at most that): @self then shows them as
 * one page, self->whole. Otherwise the first page only, from the same
 * statement, and @self is to count its rows. FALSE with @error set on
 * failure. */
static gboolean
read_snapshot_locked (GormQueryModel  *self,
                      Page           **first_page,
                      GError         **error)
{
  const GormCompiledQuery *compiled = self->compiled;
  const GType *types = compiled->joins ? compiled->joined_types : compiled->schema->sql_types;
  gint64 max = whole_max_override >= 0 ? whole_max_override : WHOLE_MAX_ROWS;
  gboolean bounded = compiled->limit >= 0 && compiled->limit <= MAX (max, (gint64) PAGE_SIZE);
  g_autoptr(GormRows) rows = NULL;
  GValue limits[2] = { G_VALUE_INIT, G_VALUE_INIT };
  GormMapper *table;
  guint n_rows;

  *first_page = NULL;
  if (!bounded && max == 0)
    return TRUE;
  if (bounded && compiled->limit == 0)
    {
      self->whole = page_from_rows_locked (self, NULL, 0, NULL, 0, error);
      return TRUE;
    }
  table = gorm_database_get_mapper_locked (self->database, compiled->schema->type, error);
  if (table == NULL)
    return FALSE;
  /* One row more than a whole snapshot has tells that it is larger. */
  set_limits (limits, bounded ? compiled->limit : max + 1, compiled->offset);
  rows = run_select_locked (self, self->joined_page_sql ? self->joined_page_sql : self->page_sql,
                            types, limits, 2, error);
  if (rows == NULL)
    return FALSE;
  n_rows = (guint) gorm_rows_get_n_rows (rows);
  if ((bounded || n_rows <= max) && self->defer_objects)
    {
      self->whole_rows = g_steal_pointer (&rows);
      self->whole_stamp = gorm_mapper_take_read_stamp ();
      return TRUE;
    }
  if (bounded || n_rows <= max)
    {
      self->whole = page_from_rows_locked (self, table, 0, rows, n_rows, error);
      return self->whole != NULL;
    }
  if (n_rows < PAGE_SIZE || self->defer_objects)
    return TRUE;
  *first_page = page_from_rows_locked (self, table, 0, rows, PAGE_SIZE, error);
  if (*first_page != NULL && self->can_anchor)
    add_anchor (self, compiled->offset, rows);
  return *first_page != NULL;
}

gboolean
gorm_query_model_take_objects (GormQueryModel  *self,
                               GError         **error)
{
  GormMapper *table;
  guint n;

  if (self->whole_rows == NULL)
    return TRUE;
  gorm_database_lock (self->database);
  table = gorm_database_get_mapper_locked (self->database, self->compiled->schema->type, error);
  n = MIN ((guint) gorm_rows_get_n_rows (self->whole_rows), self->n_items);
  /* A later load or save of an object keeps its values. */
  gorm_mapper_push_read_stamp (self->whole_stamp);
  if (table != NULL)
    self->whole = page_from_rows_locked (self, table, 0, self->whole_rows, n, error);
  gorm_mapper_pop_read_stamp ();
  g_clear_pointer (&self->whole_rows, gorm_rows_free);
  gorm_database_unlock (self->database);
  return self->whole != NULL;
}

/* Whether a model of @n_full rows prepares its key index. */
static gboolean
wants_key_index (GormQueryModel *self,
                 gint64          n_full)
{
  return self->keys_sql != NULL && self->key_index_min > 0 && n_full >= self->key_index_min &&
         n_full <= G_MAXUINT;
}

/* Whether the engine sorts the rows for a page of the model: no index
 * gives its order, or, with the filter, the engine prefers an index that
 * does not. Such an order, anchorable as it may be, costs a scan and a
 * sort of the table for every anchor and every far page (10 s at a
 * million rows): the model then goes by its key index instead, as for an
 * order no index may give. One EXPLAIN of the page's own statement (the
 * filter's values, the first page's LIMIT and OFFSET bound), which the
 * engine plans but does not run. Not that of select_related, which
 * joins the page's rows and sorts those again (a sort in every plan,
 * of a page only), and whose anchored pages anchor that statement
 * inside it. Not a far page's OFFSET: a server weighs an index against
 * a sort by the share of the table the LIMIT and OFFSET reach, which
 * anchors keep within a few pages. FALSE when it cannot tell: the model
 * then anchors as before. */
static gboolean
page_plan_sorts_locked (GormQueryModel *self,
                        gboolean       *sorts_all)
{
  const GormDialect *dialect = self->compiled->dialect;
  g_autofree char *sql = gorm_dialect_render_explain (dialect, self->page_sql);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormRows) rows = NULL;
  GValue limits[2] = { G_VALUE_INIT, G_VALUE_INIT };

  set_limits (limits, PAGE_SIZE, 0);
  rows = run_select_locked (self, sql, dialect->explain_types, limits, 2, &error);
  if (rows == NULL)
    {
      g_debug ("Cannot read the plan of a %s model: %s",
               g_type_name (self->compiled->schema->type), error->message);
      return FALSE;
    }
  for (guint row = 0; row < gorm_rows_get_n_rows (rows); row++)
    {
      const GValue *step = gorm_rows_get_value (rows, dialect->explain_step_column, row, NULL);

      if (step != NULL && G_VALUE_HOLDS_STRING (step) &&
          gorm_dialect_plan_step_sorts (dialect, g_value_get_string (step)))
        {
          *sorts_all = gorm_dialect_plan_step_sorts_all (dialect, g_value_get_string (step));
          return TRUE;
        }
    }
  return FALSE;
}

GListModel *
gorm_query_model_new (GormDatabase       *database,
                      GormCompiledQuery  *compiled,
                      gboolean            live,
                      gboolean            defer_objects,
                      GCancellable       *cancellable,
                      GError            **error)
{
  g_autoptr(GormQueryModel) self = g_object_new (GORM_TYPE_QUERY_MODEL, NULL);
  GormConnection *connection;
  GCancellable *previous;
  Page *first_page = NULL;

  self->database = g_object_ref (database);
  self->watch = g_atomic_rc_box_new0 (Watch);
  self->watch->database = database;
  self->watch->compiled = compiled;
  self->compiled = compiled;
  self->live = live;
  self->defer_objects = defer_objects;
  self->can_anchor = gorm_dialect_orders_compare_as_row ((const GormOrder *) compiled->orders->data,
                                                         compiled->orders->len);
  self->key_index_min = key_index_min_rows ();
  /* A test's or a benchmark's lower key index threshold lowers this one. */
  self->sorted_keys_from = MIN (self->key_index_min, ANCHOR_SPACING);
  render_statements (self);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  gorm_database_lock (database);
  /* @cancellable stops the reads below, on the server too where the
   * engine allows; the pages read later have no cancellable. */
  connection = gorm_database_get_execution (database);
  previous = gorm_connection_swap_cancellable_locked (connection, cancellable);
  if (!live)
    {
      /* A snapshot of at most WHOLE_MAX_ROWS rows is one statement, and
       * no count(*): its rows are its items. */
      if (!read_snapshot_locked (self, &first_page, error))
        {
          gorm_connection_swap_cancellable_locked (connection, previous);
          gorm_database_unlock (database);
          return NULL;
        }
      if (self->whole != NULL || self->whole_rows != NULL)
        {
          gorm_connection_swap_cancellable_locked (connection, previous);
          gorm_database_unlock (database);
          self->n_items = self->whole ? self->whole->items->len
                                      : (guint) gorm_rows_get_n_rows (self->whole_rows);
          /* The rows before the window and in it: all a snapshot needs. */
          self->n_full = compiled->offset + self->n_items;
          return G_LIST_MODEL (g_steal_pointer (&self));
        }
    }
  /* Followed before the rows are read: another connection's commit
   * after the read is seen. */
  self->follows = live && gorm_database_follow_others_locked (database, compiled->schema->table);
  self->n_full = read_rows_locked (self, FALSE, &self->keys, error);
  /* Subscribed with the lock held since the count: the model is given
   * every write after it, and none before. */
  if (self->n_full >= 0 && live)
    self->subscription =
      gorm_change_feed_subscribe_locked (gorm_database_get_change_feed (database),
                                         compiled->schema->type, compiled->schema->table,
                                         G_OBJECT (self), &watch_funcs,
                                         g_atomic_rc_box_acquire (self->watch),
                                         (GDestroyNotify) watch_unref);
  gorm_connection_swap_cancellable_locked (connection, previous);
  /* Only a model large enough for its key index asks: a smaller one
   * anchors nothing, and pays nothing. */
  self->page_sorts_all = !self->can_anchor;
  if (self->n_full >= 0 && self->can_anchor && wants_key_index (self, self->n_full) &&
      page_plan_sorts_locked (self, &self->page_sorts_all))
    {
      self->can_anchor = FALSE;
      drop_anchors (self);
      g_clear_pointer (&self->anchored_page_sql, g_free);
      g_clear_pointer (&self->joined_anchored_page_sql, g_free);
    }
  if (!self->page_sorts_all)
    g_clear_pointer (&self->key_sort, gorm_key_sort_unref);
  if (self->n_full >= 0 && !self->can_anchor && wants_key_index (self, self->n_full))
    open_key_reader_early_locked (self);
  gorm_database_unlock (database);
  if (self->n_full < 0)
    {
      self->live = FALSE;
      g_clear_pointer (&first_page, page_free);
      return NULL;
    }
  if (first_page != NULL)
    g_queue_push_head (&self->pages, first_page);
  self->n_items = window_size (self, self->n_full);
  self->wants_anchors = self->can_anchor && self->n_items > 2 * ANCHOR_SPACING;
  self->wants_keys = wants_key_index (self, self->n_full);

  return G_LIST_MODEL (g_steal_pointer (&self));
}

/**
 * gorm_query_model_check_item:
 * @self: a query model
 * @position: the position of an item
 * @error: return location for an error
 *
 * Checks that the item at @position was read from its row.
 *
 * One row whose stored values its object cannot take (an enum nick the
 * enum does not have, text in a number column, a number out of the
 * property's range, a date-time or string array that does not parse)
 * fails alone: every other item of @self loads, and the item of that row
 * is a stand-in rather than %NULL. A stand-in is an object of the model's
 * type with only its key set (its `id` for the automatic key), every
 * other property at its default value, unless the row already had a live
 * object, which keeps the values it had. [method@Gorm.Resource.save]
 * refuses to update a stand-in with %GORM_ERROR_TYPE_MISMATCH, so that
 * its default values never overwrite the row;
 * [method@Gorm.Resource.delete] deletes its row, and
 * [method@Gorm.Resource.reload] makes it an ordinary object once the row
 * reads. A bind callback of a list view can call this function to show
 * such a row as damaged.
 *
 * Like [method@Gio.ListModel.get_item], this loads the page of the item
 * when it is not loaded yet, so it may run a query.
 *
 * Returns: %TRUE if the item at @position was read from its row;
 *   %FALSE with @error set when it is a stand-in (%GORM_ERROR_TYPE_MISMATCH
 *   naming the table, the key, the column and the stored value),
 *   %GORM_ERROR_NOT_FOUND when @position is not below the number of items,
 *   or the error that kept its page from loading
 *
 * Since: 1.0
 */
gboolean
gorm_query_model_check_item (GormQueryModel  *self,
                             guint            position,
                             GError         **error)
{
  Page *page;
  guint offset;

  g_return_val_if_fail (GORM_IS_QUERY_MODEL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (position >= self->n_items)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND,
                   "A %s model has no item %u: it has %u",
                   g_type_name (self->compiled->schema->type), position, self->n_items);
      return FALSE;
    }

  page = lookup_page (self, position, error);
  if (page == NULL)
    return FALSE;
  offset = page == self->whole ? position : position % PAGE_SIZE;
  if (page->errors != NULL && offset < page->errors->len &&
      g_ptr_array_index (page->errors, offset) != NULL)
    {
      g_propagate_error (error, g_error_copy (g_ptr_array_index (page->errors, offset)));
      return FALSE;
    }
  return TRUE;
}

/**
 * gorm_query_model_is_live:
 * @self: a query model
 *
 * Whether @self follows the changes made through its database: it came
 * from [method@Gorm.Query.watch] rather than [method@Gorm.Query.fetch].
 *
 * Returns: %TRUE for a live model
 *
 * Since: 1.0
 */
gboolean
gorm_query_model_is_live (GormQueryModel *self)
{
  g_return_val_if_fail (GORM_IS_QUERY_MODEL (self), FALSE);

  return self->live;
}

guint
gorm_query_model_get_n_refreshes (GormQueryModel *self)
{
  return self->refreshes;
}

gboolean
gorm_query_model_has_key_index (GormQueryModel *self)
{
  return self->order_keys != NULL;
}

guint
gorm_query_model_get_n_sorted_key_pages (GormQueryModel *self)
{
  return self->n_sorted_key_pages;
}

guint
gorm_query_model_get_n_ranked_key_reads (GormQueryModel *self)
{
  return self->n_ranked_key_reads;
}

guint
gorm_query_model_get_n_sorted_key_reads (GormQueryModel *self)
{
  return self->n_sorted_key_reads;
}

guint
gorm_query_model_get_n_counted_positions (GormQueryModel *self)
{
  return (guint) g_atomic_int_get (&self->watch->n_counted);
}

guint
gorm_query_model_get_n_placements (GormQueryModel *self)
{
  return (guint) g_atomic_int_get (&self->watch->n_placements);
}

guint
gorm_query_model_get_placement_probes (void)
{
  return PLACEMENT_PROBES;
}

gboolean
gorm_query_model_shares_key_index (GormQueryModel *self)
{
  return self->index_shared;
}

gboolean
gorm_query_model_places_anchors (GormQueryModel *self)
{
  return self->can_anchor;
}

gboolean
gorm_query_model_is_preparing (GormQueryModel *self)
{
  return self->prep != NULL;
}

guint
gorm_query_model_get_page_rows (GormQueryModel *self)
{
  return PAGE_SIZE;
}

GType
gorm_query_model_get_resource_type (GormQueryModel *self)
{
  return self->compiled->schema->type;
}

static gint
compare_moves_descending (gconstpointer a,
                          gconstpointer b)
{
  gint64 x = ((const Move *) a)->position, y = ((const Move *) b)->position;

  return x < y ? 1 : x > y ? -1 : 0;
}

static gint
compare_moves_ascending (gconstpointer a,
                         gconstpointer b)
{
  return -compare_moves_descending (a, b);
}

/* Positions from the key index
 *
 * With its key index, a live model finds where a write's rows were and
 * go without counting rows: where a row was is where its key is in the
 * writers' copy of the index, and where it goes is found by a binary
 * search over that copy, the engine comparing the row with the row at
 * each probed position (one lookup of two rows by key each, about 20 for
 * a million rows), so that NULLs, collations and directions are the
 * order's own. The writers' copy follows the database's order, writes
 * not delivered yet included; the model's own index follows what it
 * showed. */

/* The writers' key index, or NULL: none was shared, or the model said
 * it may no longer be the database's order. */
static GArray *
writer_index_locked (Watch *watch)
{
  if (g_atomic_int_compare_and_exchange (&watch->index_stale, TRUE, FALSE))
    g_clear_pointer (&watch->index, g_array_unref);
  return watch->index;
}

/* Sets each of @positions to where the key of the same number is in
 * @index, -1 where it is not: one pass over the index, whatever the
 * number of keys. */
static void
find_index_positions (const GArray *index,
                      const GValue *keys,
                      guint         n_keys,
                      gint64       *positions)
{
  const gint64 *data = (const gint64 *) (gpointer) index->data;
  g_autofree gint64 *wanted = g_new (gint64, MAX (n_keys, 1));
  g_autoptr(GHashTable) numbers = NULL;
  guint left;

  /* A key index is of gint64 keys only (see render_key_statements()). */
  for (guint i = 0; i < n_keys; i++)
    {
      positions[i] = -1;
      wanted[i] = g_value_get_int64 (&keys[i]);
    }
  left = n_keys;
  if (n_keys <= 8)
    {
      for (guint p = 0; p < index->len && left > 0; p++)
        for (guint i = 0; i < n_keys; i++)
          if (positions[i] < 0 && data[p] == wanted[i])
            {
              positions[i] = p;
              left--;
              break;
            }
      return;
    }
  numbers = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < n_keys; i++)
    g_hash_table_insert (numbers, &wanted[i], GUINT_TO_POINTER (i + 1));
  left = g_hash_table_size (numbers);
  for (guint p = 0; p < index->len && left > 0; p++)
    {
      guint i = GPOINTER_TO_UINT (g_hash_table_lookup (numbers, &data[p]));

      if (i > 0 && positions[i - 1] < 0)
        {
          positions[i - 1] = p;
          left--;
        }
    }
}

static gint
compare_positions (gconstpointer a,
                   gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* Removes the keys at @positions (distinct, in any order; sorted here)
 * from @index, in one pass however many they are. */
static void
index_remove_positions (GArray *index,
                        gint64 *positions,
                        guint   n)
{
  gint64 *data = (gint64 *) (gpointer) index->data;
  guint to;

  if (n == 0)
    return;
  qsort (positions, n, sizeof (gint64), compare_positions);
  to = (guint) positions[0];
  for (guint j = 0; j < n; j++)
    {
      guint from = (guint) positions[j] + 1;
      guint end = j + 1 < n ? (guint) positions[j + 1] : index->len;

      memmove (&data[to], &data[from], (end - from) * sizeof (gint64));
      to += end - from;
    }
  g_array_set_size (index, index->len - n);
}

/* Inserts @n keys into @index at the positions they take in the result,
 * @positions ascending, in one pass from the end. FALSE, leaving @index
 * as it was, when a position is beyond the result. */
static gboolean
index_insert_positions (GArray       *index,
                        const gint64 *positions,
                        const gint64 *keys,
                        guint         n)
{
  guint old_len = index->len;
  guint src, dst;
  gint64 *data;

  if (n == 0)
    return TRUE;
  for (guint j = 0; j < n; j++)
    if (positions[j] < 0 || positions[j] >= (gint64) old_len + n ||
        (j > 0 && positions[j] <= positions[j - 1]))
      return FALSE;
  g_array_set_size (index, old_len + n);
  data = (gint64 *) (gpointer) index->data;
  src = old_len;
  dst = old_len + n;
  for (guint j = n; j > 0; j--)
    {
      guint at = (guint) positions[j - 1];
      guint count = dst - (at + 1);

      memmove (&data[at + 1], &data[src - count], count * sizeof (gint64));
      src -= count;
      data[at] = keys[j - 1];
      dst = at;
    }
  return TRUE;
}

/* Removes the keys @removed says from @index, then inserts those @added
 * says, both read through @keys. FALSE, leaving @index half changed,
 * when a key is not where @removed says or a position is beyond the
 * index. */
static gboolean
index_apply_moves (GArray       *index,
                   const GArray *removed,
                   const GArray *added,
                   const GValue *keys)
{
  g_autofree gint64 *positions = g_new (gint64, MAX (MAX (removed->len, added->len), 1));
  g_autofree gint64 *values = g_new (gint64, MAX (added->len, 1));
  g_autoptr(GArray) sorted = NULL;

  for (guint i = 0; i < removed->len; i++)
    {
      const Move *move = &g_array_index (removed, Move, i);
      const GValue *key = &keys[move->key];

      if (move->position < 0 || move->position >= index->len || !G_VALUE_HOLDS_INT64 (key) ||
          g_array_index (index, gint64, move->position) != g_value_get_int64 (key))
        return FALSE;
      positions[i] = move->position;
    }
  index_remove_positions (index, positions, removed->len);

  sorted = g_array_sized_new (FALSE, FALSE, sizeof (Move), added->len);
  g_array_append_vals (sorted, added->data, added->len);
  g_array_sort (sorted, compare_moves_ascending);
  for (guint i = 0; i < sorted->len; i++)
    {
      const Move *move = &g_array_index (sorted, Move, i);

      if (!G_VALUE_HOLDS_INT64 (&keys[move->key]))
        return FALSE;
      positions[i] = move->position;
      values[i] = g_value_get_int64 (&keys[move->key]);
    }
  return index_insert_positions (index, positions, values, sorted->len);
}

/* Runs the placement statement of the watch: how many of the rows of
 * @index at @at (@n_at ascending positions, at most PLACEMENT_PROBES,
 * maybe none) sort before the row of @key. -1 when the filter does not
 * select the row, -2 with @error set on failure. */
static gint64
placement_count_locked (Watch         *watch,
                        const GArray  *index,
                        const gint64  *at,
                        guint          n_at,
                        const GValue  *key,
                        GError       **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  GValue probes[PLACEMENT_PROBES] = { G_VALUE_INIT };
  g_autoptr(GArray) set = new_params ();
  g_autoptr(GString) unused = g_string_new (NULL);
  g_autoptr(GormRows) rows = NULL;
  GormConnection *statements;
  Binding binding = { lookup_locked (watch->database, watch->placement_sql, &statements, error), 0 };
  const GValue *value;

  if (binding.statement == NULL)
    return -2;
  g_atomic_int_inc (&watch->n_placements);
  /* The probes' keys as the one value of the set, whatever their number. */
  for (guint i = 0; i < n_at; i++)
    {
      g_value_init (&probes[i], G_TYPE_INT64);
      g_value_set_int64 (&probes[i], g_array_index (index, gint64, at[i]));
    }
  watch->compiled->dialect->append_value_set (unused, set, watch->compiled->schema->key, probes,
                                              n_at, FALSE);
  bind_values (&binding, (const GValue *) set->data, set->len);
  bind_values (&binding, key, 1);
  bind_filter (watch, &binding);
  rows = gorm_connection_select_locked (statements, binding.statement, types, error);
  if (rows == NULL)
    return -2;
  if (gorm_rows_get_n_rows (rows) == 0)
    return -1;
  value = gorm_rows_get_value (rows, 0, 0, error);
  return value ? g_value_get_int64 (value) : -2;
}

/* Where the row of @key, after a write, goes in @index, which does not
 * hold it: the number of rows of @index that sort before it. -1 when the
 * filter does not select it, -2 with @error set on failure.
 *
 * A (PLACEMENT_PROBES + 1)-ary search: the answer lies in [lo, hi];
 * each statement compares the row with up to PLACEMENT_PROBES keys of
 * that interval, in index order, so those that sort before it are the
 * first c of them, and the answer lies between the c-th probe and the
 * next. An interval of at most PLACEMENT_PROBES keys is probed whole,
 * which ends the search; the first statement also says whether the
 * filter selects the row, even in an empty index. */
static gint64
index_insertion_locked (Watch         *watch,
                        const GArray  *index,
                        const GValue  *key,
                        GError       **error)
{
  gint64 lo = 0, hi = index->len;

  do
    {
      gint64 span = hi - lo;
      gint64 at[PLACEMENT_PROBES];
      guint n_at = span <= PLACEMENT_PROBES ? (guint) span : PLACEMENT_PROBES;
      gint64 before;

      /* Spread evenly: with span > PLACEMENT_PROBES, consecutive
       * positions differ by at least one and the last is below hi. */
      for (guint i = 0; i < n_at; i++)
        at[i] = span <= PLACEMENT_PROBES ? lo + i : lo + (i + 1) * span / (PLACEMENT_PROBES + 1);
      before = placement_count_locked (watch, index, at, n_at, key, error);
      if (before < 0 || span <= PLACEMENT_PROBES)
        return before < 0 ? before : lo + before;
      if (before < n_at)
        hi = at[before];
      if (before > 0)
        lo = at[before - 1] + 1;
    }
  while (lo < hi);
  return lo;
}

/* What a rollback hook undoes: a write's part in the writers' index. */
typedef struct
{
  Watch  *watch;
  Change *change;
} IndexUndo;

static void
index_undo_free (gpointer data)
{
  IndexUndo *undo = data;

  watch_unref (undo->watch);
  change_unref (undo->change);
  g_free (undo);
}

/* A rollback, with the database lock held, last write first: the rows
 * the write added leave the writers' index and those it removed come
 * back. An index whose keys are not where the write left them is
 * dropped. */
static void
index_undo_cb (gpointer data,
               gpointer user_data)
{
  IndexUndo *undo = data;
  GArray *index = writer_index_locked (undo->watch);

  if (index != NULL && !index_apply_moves (index, undo->change->added, undo->change->removed,
                                           undo->change->keys))
    g_clear_pointer (&undo->watch->index, g_array_unref);
}

/* The positions after a write of the rows of @keys in the writers' key
 * index, which takes the write: the rows it changed leave their places
 * (@before, from before_locked()), and those the filter selects now are
 * put where they sort. Sets @afters; FALSE with @error set on failure,
 * the index then dropped. */
static gboolean
index_write_locked (Watch         *watch,
                    GArray        *index,
                    const GArray  *before,
                    const GValue  *keys,
                    guint          n_keys,
                    gboolean       deleted,
                    gint64        *afters,
                    GError       **error)
{
  g_autofree gint64 *removed = g_new (gint64, MAX (n_keys, 1));
  guint n_removed = 0;

  for (guint i = 0; i < before->len; i++)
    if (g_array_index (before, gint64, i) >= 0)
      removed[n_removed++] = g_array_index (before, gint64, i);
  index_remove_positions (index, removed, n_removed);

  for (guint i = 0; i < n_keys; i++)
    {
      gint64 key;

      afters[i] = -1;
      if (deleted)
        continue;
      if (!G_VALUE_HOLDS_INT64 (&keys[i]))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "A %s key is not a gint64",
                       g_type_name (watch->compiled->schema->type));
          g_clear_pointer (&watch->index, g_array_unref);
          return FALSE;
        }
      afters[i] = index_insertion_locked (watch, index, &keys[i], error);
      if (afters[i] == -2)
        {
          g_clear_pointer (&watch->index, g_array_unref);
          return FALSE;
        }
      key = g_value_get_int64 (&keys[i]);
      if (afters[i] >= 0)
        g_array_insert_val (index, (guint) afters[i], key);
    }
  /* A row put in later may have pushed an earlier one on. */
  if (n_keys > 1 && !deleted)
    find_index_positions (index, keys, n_keys, afters);
  return TRUE;
}

/* In the main context, once the model has its key index: the writers
 * get a copy of it, brought to the database's order by the changes not
 * delivered yet. Only when the lock is free at once (another thread's
 * transaction would block the main loop), and when none of those changes
 * may still roll back (their writes queued no undo of their part in the
 * copy): a later delivery tries again. @copy (nullable, taken) is a copy
 * of the model's keys made already (see KeyPrep), else one is made now. */
static void
share_key_index_copy (GormQueryModel *self,
                      GArray         *copy)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GArray) index = copy;
  gboolean uncommitted;
  gboolean fits = TRUE;

  if (self->subscription == NULL || self->order_keys == NULL || self->index_shared ||
      self->watch->placement_sql == NULL)
    return;
  if (!gorm_connection_try_lock (gorm_database_get_execution (self->database)))
    return;
  pending = gorm_change_feed_dup_pending_locked (gorm_database_get_change_feed (self->database),
                                                 self->subscription, &uncommitted);
  if (index == NULL || index->len != self->order_keys->len)
    {
      g_clear_pointer (&index, g_array_unref);
      index = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->order_keys->len + 64);
      g_array_append_vals (index, self->order_keys->data, self->order_keys->len);
    }
  for (guint i = 0; fits && i < pending->len; i++)
    apply_change_to_index (index, g_ptr_array_index (pending, i), &fits);
  if (fits && !uncommitted)
    {
      g_clear_pointer (&self->watch->index, g_array_unref);
      self->watch->index = g_steal_pointer (&index);
      g_atomic_int_set (&self->watch->index_stale, FALSE);
      self->index_shared = TRUE;
    }
  gorm_database_unlock (self->database);
}

static void
share_key_index (GormQueryModel *self)
{
  share_key_index_copy (self, NULL);
}

/* The database's order may have changed without the writers' knowing
 * (another connection's commit): their key index goes at the next
 * write, which then counts rows until the model shares a new one. */
static void
unshare_key_index (GormQueryModel *self)
{
  if (!self->index_shared)
    return;
  g_atomic_int_set (&self->watch->index_stale, TRUE);
  self->index_shared = FALSE;
}

/* The full position of the row with @key, or -1 when it does not match. */
static gint64
position_locked (Watch        *watch,
                 const GValue *key)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GormRows) rows = NULL;
  GormConnection *statements;
  Binding binding = { lookup_locked (watch->database, watch->position_sql, &statements, &error), 0 };
  const GValue *value;

  g_atomic_int_inc (&watch->n_counted);
  /* The inner filter's values, the key, the outer filter's values. */
  if (binding.statement != NULL)
    {
      bind_filter (watch, &binding);
      bind_values (&binding, key, 1);
      bind_filter (watch, &binding);
      rows = gorm_connection_select_locked (statements, binding.statement, types, &error);
    }
  if (rows != NULL && gorm_rows_get_n_rows (rows) == 0)
    return -1;
  value = rows ? gorm_rows_get_value (rows, 0, 0, &error) : NULL;
  if (value == NULL)
    {
      g_warning ("Cannot follow a change in a %s model: %s",
                 g_type_name (watch->compiled->schema->type), error->message);
      return -1;
    }
  return g_value_get_int64 (value);
}

/* What shows the row of @key where it was, should the write take it out
 * of the order: its live object, else a copy of its row. */
static void
capture_ghost_locked (Watch        *watch,
                      const GValue *key,
                      Ghost        *ghost)
{
  GType type = watch->compiled->schema->type;
  g_autoptr(GormRows) rows = NULL;
  GormMapper *table;

  ghost->object = (GObject *) gorm_database_lookup_live_locked (watch->database, type, key);
  if (ghost->object != NULL)
    return;
  table = gorm_database_get_mapper_locked (watch->database, type, NULL);
  rows = table ? gorm_mapper_select_by_key (table, key, NULL) : NULL;
  if (rows != NULL && (gint) gorm_rows_get_n_rows (rows) > 0)
    ghost->row = gorm_mapper_copy_row (table, rows, 0, NULL);
}

static gpointer
watch_before_locked (gpointer      data,
                     const GValue *keys,
                     guint         n_keys)
{
  Watch *watch = data;
  Note *note = g_new0 (Note, 1);
  GArray *index = writer_index_locked (watch);

  note->before = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_keys);
  note->ghosts = g_new0 (Ghost, MAX (n_keys, 1));
  note->n_keys = n_keys;
  /* With the writers' key index, where the rows are is where their keys
   * are: one pass over it, no statement. */
  note->indexed = index != NULL;
  if (index != NULL)
    {
      g_array_set_size (note->before, n_keys);
      find_index_positions (index, keys, n_keys, (gint64 *) (gpointer) note->before->data);
    }
  for (guint i = 0; i < n_keys; i++)
    {
      gint64 before = index != NULL ? g_array_index (note->before, gint64, i)
                                    : position_locked (watch, &keys[i]);

      if (index == NULL)
        g_array_append_val (note->before, before);
      if (before >= 0)
        capture_ghost_locked (watch, &keys[i], &note->ghosts[i]);
    }
  return note;
}

static gpointer
watch_after_locked (gpointer      data,
                    gpointer      note_data,
                    const GValue *keys,
                    guint         n_keys,
                    gboolean      deleted)
{
  Watch *watch = data;
  Note *note = note_data;
  Change *change = g_atomic_rc_box_new0 (Change);
  g_autofree gint64 *afters = g_new (gint64, MAX (n_keys, 1));
  GArray *index = note != NULL && note->indexed ? writer_index_locked (watch) : NULL;
  gboolean indexed = FALSE;

  change->removed = g_array_new (FALSE, FALSE, sizeof (Move));
  change->added = g_array_new (FALSE, FALSE, sizeof (Move));
  change->kept = -1;
  change->deleted = deleted;
  change->n_keys = n_keys;
  change->ghosts = g_new0 (Ghost, MAX (n_keys, 1));
  change->keys = g_new0 (GValue, MAX (n_keys, 1));
  for (guint i = 0; i < n_keys; i++)
    {
      g_value_init (&change->keys[i], G_VALUE_TYPE (&keys[i]));
      g_value_copy (&keys[i], &change->keys[i]);
    }

  /* Where the rows go: from the writers' key index when it was there
   * before the write and still is, else by counting. */
  for (guint i = 0; i < n_keys; i++)
    afters[i] = -1;
  if (index != NULL)
    {
      g_autoptr(GError) error = NULL;

      indexed = index_write_locked (watch, index, note->before, keys, n_keys, deleted, afters,
                                    &error);
      if (!indexed)
        g_warning ("Cannot follow a change in a %s model: %s",
                   g_type_name (watch->compiled->schema->type), error->message);
    }
  else
    for (guint i = 0; i < n_keys; i++)
      afters[i] = deleted ? -1 : position_locked (watch, &keys[i]);

  for (guint i = 0; i < n_keys; i++)
    {
      gint64 before = note && i < note->before->len ? g_array_index (note->before, gint64, i) : -1;
      gint64 after = afters[i];

      /* A single row that kept its place changed nothing in the model:
       * its own object shows the new values. Its values may have moved
       * across an anchor's, though, so an anchor on its place goes. */
      if (n_keys == 1 && before == after)
        {
          change->kept = before;
          break;
        }
      if (before >= 0)
        {
          Move move = { before, i };

          g_array_append_val (change->removed, move);
          if (after < 0 && note != NULL)
            change->ghosts[i] = note->ghosts[i], note->ghosts[i] = (Ghost) { NULL, NULL };
        }
      if (after >= 0)
        {
          Move move = { after, i };

          g_array_append_val (change->added, move);
        }
    }
  if (note != NULL)
    note_free (note);

  if (change->removed->len == 0 && change->added->len == 0 && change->kept < 0)
    {
      change_unref (change);
      return NULL;
    }
  /* Removing the old rows from the back and inserting the new ones from
   * the front turns the old order into the new one. */
  g_array_sort (change->removed, compare_moves_descending);
  g_array_sort (change->added, compare_moves_ascending);
  /* A rollback takes the write out of the writers' index again. */
  if (indexed && change->kept < 0)
    {
      IndexUndo *undo = g_new0 (IndexUndo, 1);

      undo->watch = g_atomic_rc_box_acquire (watch);
      undo->change = change_ref (change);
      gorm_change_feed_on_rollback_locked (gorm_database_get_change_feed (watch->database),
                                           index_undo_cb, undo, index_undo_free);
    }
  return change;
}

/* Queues an items-changed of the window, as a change of the range no
 * queued change has left untouched at either end. */
static void
queue_change (GormQueryModel *self,
              guint           position,
              guint           removed,
              guint           added)
{
  if (!self->pending)
    {
      self->pending = TRUE;
      self->pending_n_old = self->n_items;
      self->pending_n = self->n_items;
      self->pending_lo = G_MAXUINT;
      self->pending_tail = self->n_items;
    }
  self->pending_lo = MIN (self->pending_lo, position);
  self->pending_tail = MIN (self->pending_tail, self->pending_n - position - removed);
  self->pending_n = self->pending_n - removed + added;
}

/* Removes the row at the full position @position from the window. */
static void
window_remove (GormQueryModel *self,
               gint64          position)
{
  gint64 offset = self->compiled->offset;
  guint before = window_size (self, self->n_full);
  guint after;

  self->n_full--;
  after = window_size (self, self->n_full);
  if (self->compiled->limit >= 0 && position >= offset + self->compiled->limit)
    return;
  if (before > 0)
    queue_change (self, position < offset ? 0 : (guint) (position - offset), 1, 0);
  /* A row behind the window slides into its end. */
  if (after > before - 1)
    queue_change (self, before - 1, 0, 1);
}

/* Inserts a row at the full position @position of the new order. */
static void
window_insert (GormQueryModel *self,
               gint64          position)
{
  gint64 offset = self->compiled->offset;
  guint before = window_size (self, self->n_full);
  guint after;

  self->n_full++;
  after = window_size (self, self->n_full);
  if (self->compiled->limit >= 0 && position >= offset + self->compiled->limit)
    return;
  if (after == 0)
    return;
  queue_change (self, position < offset ? 0 : (guint) (position - offset), 0, 1);
  /* The window's last row is pushed out of a full window. */
  if (before + 1 > after)
    queue_change (self, after, 1, 0);
}

static void
drop_anchor_at (GormQueryModel *self,
                gint64          position)
{
  for (guint i = 0; i < self->anchors->len; i++)
    {
      Anchor *anchor = &g_array_index (self->anchors, Anchor, i);

      if (anchor->position == position)
        {
          clear_anchor_values (self, anchor);
          g_free (anchor->values);
          g_array_remove_index (self->anchors, i);
          return;
        }
    }
}

/* Keeps anchors at the row whose order values they hold. A row removed
 * or inserted at an anchor's own position takes that anchor with it: an
 * anchor left on the next row would hold values that are not that row's,
 * and a later change of a row before it that keeps its place could then
 * move its values past the anchor's unseen. */
static void
shift_anchors (GormQueryModel *self,
               gint64          position,
               gint            delta)
{
  for (guint i = 0; i < self->anchors->len;)
    {
      Anchor *anchor = &g_array_index (self->anchors, Anchor, i);

      if (position == anchor->position)
        {
          drop_anchor_at (self, position);
          continue;
        }
      if (position < anchor->position)
        anchor->position += delta;
      i++;
    }
}

static gboolean
same_key (const GValue *a,
          const GValue *b)
{
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  if (G_VALUE_TYPE (a) != G_VALUE_TYPE (b))
    return FALSE;
  if (G_VALUE_HOLDS_INT64 (a))
    return g_value_get_int64 (a) == g_value_get_int64 (b);
  if (G_VALUE_HOLDS_STRING (a))
    return g_strcmp0 (g_value_get_string (a), g_value_get_string (b)) == 0;
  if (G_VALUE_HOLDS_INT (a))
    return g_value_get_int (a) == g_value_get_int (b);
  if (G_VALUE_HOLDS_UINT64 (a))
    return g_value_get_uint64 (a) == g_value_get_uint64 (b);
  if (G_VALUE_HOLDS_DOUBLE (a))
    return g_value_get_double (a) == g_value_get_double (b);
  x = g_strdup_value_contents (a);
  y = g_strdup_value_contents (b);
  return g_strcmp0 (x, y) == 0;
}

static GArray *
new_keys (guint size)
{
  GArray *keys = g_array_sized_new (FALSE, TRUE, sizeof (GValue), size);

  g_array_set_clear_func (keys, (GDestroyNotify) g_value_unset);
  return keys;
}

/* Moves the kept keys as @change moves their rows; a key that is not
 * where the change says (the model's order was not the database's when
 * the write ran) drops them: the next refresh then resets. */
static void
apply_change_to_keys (GormQueryModel *self,
                      const Change   *change)
{
  GArray *keys = self->keys;

  for (guint i = 0; keys != NULL && i < change->removed->len; i++)
    {
      const Move *move = &g_array_index (change->removed, Move, i);

      if (move->position >= keys->len ||
          !same_key (&g_array_index (keys, GValue, move->position), &change->keys[move->key]))
        keys = NULL;
      else
        g_array_remove_index (keys, (guint) move->position);
    }
  for (guint i = 0; keys != NULL && i < change->added->len; i++)
    {
      const Move *move = &g_array_index (change->added, Move, i);
      GValue copy = G_VALUE_INIT;

      if (move->position > keys->len || keys->len >= 2 * MAX_KEYS)
        {
          keys = NULL;
          break;
        }
      g_value_init (&copy, G_VALUE_TYPE (&change->keys[move->key]));
      g_value_copy (&change->keys[move->key], &copy);
      g_array_insert_val (keys, (guint) move->position, copy);
    }
  if (keys == NULL)
    g_clear_pointer (&self->keys, g_array_unref);
}

/* Moves the keys of the key index as @change moves their rows; sets
 * @fits FALSE, leaving @keys half changed, when a key is not where the
 * change says. */
static void
apply_change_to_index (GArray       *keys,
                       const Change *change,
                       gboolean     *fits)
{
  /* One pass over the index for all the rows of a bulk write. */
  if (!index_apply_moves (keys, change->removed, change->added, change->keys))
    *fits = FALSE;
}

/* Whether @change can be applied to the model's order as it is: its
 * positions are within it, and the rows it removes are where the kept
 * keys say. A write another connection's unannounced commit preceded
 * counted rows the model was not told of, and may not fit. */
static gboolean
change_fits (GormQueryModel *self,
             const Change   *change)
{
  gint64 n = self->n_full;

  for (guint i = 0; i < change->removed->len; i++)
    {
      const Move *move = &g_array_index (change->removed, Move, i);

      if (move->position >= n ||
          (self->keys != NULL &&
           (move->position >= self->keys->len ||
            !same_key (&g_array_index (self->keys, GValue, move->position),
                       &change->keys[move->key]))))
        return FALSE;
      n--;
    }
  for (guint i = 0; i < change->added->len; i++)
    {
      if (g_array_index (change->added, Move, i).position > n)
        return FALSE;
      n++;
    }
  return change->kept < self->n_full;
}

/* With @index_done, the key index already holds the order after the
 * change (see take_writer_index()). */
static void
apply_change (GormQueryModel *self,
              const Change   *change,
              gboolean        index_done)
{
  if (self->keys != NULL)
    apply_change_to_keys (self, change);
  if (self->order_keys != NULL && !index_done)
    {
      gboolean fits = TRUE;

      apply_change_to_index (self->order_keys, change, &fits);
      if (!fits)
        {
          /* The model's order was not the database's: it prepares its
           * index again. */
          g_clear_pointer (&self->order_keys, g_array_unref);
          unshare_key_index (self);
          self->wants_keys = wants_key_index (self, self->n_full);
        }
    }
  /* A preparation whose snapshot is taken gets it after its read. */
  if (self->prep_changes != NULL)
    g_ptr_array_add (self->prep_changes, change_ref ((gpointer) change));
  if (change->kept >= 0)
    drop_anchor_at (self, change->kept);
  for (guint i = 0; i < change->removed->len; i++)
    {
      gint64 position = g_array_index (change->removed, Move, i).position;

      window_remove (self, position);
      shift_anchors (self, position, -1);
    }
  for (guint i = 0; i < change->added->len; i++)
    {
      gint64 position = g_array_index (change->added, Move, i).position;

      window_insert (self, position);
      shift_anchors (self, position, +1);
    }
  if (change->removed->len > 0 || change->added->len > 0)
    self->pages_stale = TRUE;
}

/* The keys of the rows the filter matches, in order, when there are at
 * most MAX_KEYS of them; NULL when there are more, or with @error set.
 * With @refresh_live, the live objects of those rows take the values
 * their rows have now (another connection may have changed them). */
static GArray *
read_keys_locked (GormQueryModel  *self,
                  gboolean         refresh_live,
                  GError         **error)
{
  const GormSchema *schema = self->compiled->schema;
  g_autoptr(GormRows) rows = NULL;
  GValue limits[2] = { G_VALUE_INIT, G_VALUE_INIT };
  GormMapper *mapper = NULL;
  GArray *keys;
  guint n_rows;

  set_limits (limits, MAX_KEYS + 1, 0);
  rows = run_select_locked (self, self->page_sql, schema->sql_types, limits, 2, error);
  if (rows == NULL)
    return NULL;
  n_rows = gorm_rows_get_n_rows (rows);
  if (n_rows > MAX_KEYS)
    return NULL;
  if (refresh_live)
    mapper = gorm_database_get_mapper_locked (self->database, schema->type, error);
  if (refresh_live && mapper == NULL)
    return NULL;

  keys = new_keys (n_rows);
  for (guint row = 0; row < n_rows; row++)
    {
      const GValue *key = gorm_rows_get_value (rows, schema->key->index, row, error);
      GValue copy = G_VALUE_INIT;
      GormResource *live;

      if (key == NULL)
        {
          g_array_unref (keys);
          return NULL;
        }
      g_value_init (&copy, G_VALUE_TYPE (key));
      g_value_copy (key, &copy);
      g_array_append_val (keys, copy);

      live = mapper ? gorm_database_lookup_live_locked (self->database, schema->type, key) : NULL;
      if (live != NULL)
        {
          /* Its properties without unsaved changes take the row's values;
           * a row that no longer reads leaves it as it was. */
          gpointer again = gorm_mapper_new_resource (mapper, rows, (gint) row, NULL);

          g_clear_object (&again);
          g_object_unref (live);
        }
    }
  return keys;
}

/* The number of rows the filter matches, and in @keys their keys when
 * the model follows other connections and there are at most MAX_KEYS
 * (NULL otherwise): a large table pays its count(*) only. -1 with @error
 * set on failure. */
static gint64
read_rows_locked (GormQueryModel  *self,
                  gboolean         refresh_live,
                  GArray         **keys,
                  GError         **error)
{
  GError *local_error = NULL;
  gint64 n_full = count_locked (self, error);

  *keys = NULL;
  if (n_full < 0 || !self->follows || n_full > MAX_KEYS)
    return n_full;
  *keys = read_keys_locked (self, refresh_live, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }
  /* Read after the count: what another connection committed between
   * the two is in the keys, and is told of again. */
  return *keys != NULL ? (gint64) (*keys)->len : n_full;
}

/* The model read its rows again: its key index, and the keys a running
 * preparation reads, are of another order; it prepares them again. */
static void
forget_key_index (GormQueryModel *self)
{
  self->key_generation++;
  g_clear_pointer (&self->order_keys, g_array_unref);
  unshare_key_index (self);
  if (self->prep == NULL)
    self->wants_keys = wants_key_index (self, self->n_full);
}

/* The changes of @pending are in what the model has just read: skipped
 * when they are delivered. */
static void
skip_pending (GormQueryModel *self,
              GPtrArray      *pending)
{
  if (self->skipped == NULL)
    self->skipped = g_hash_table_new_full (NULL, NULL, change_unref, NULL);
  for (guint i = 0; i < pending->len; i++)
    g_hash_table_add (self->skipped, change_ref (g_ptr_array_index (pending, i)));
}

/* Reads what the model shows again, after another connection committed
 * to its table (the listener's news, delivered after the model's own
 * records): the keys it keeps are compared with the database's, and one
 * items-changed covers the range between the first and the last that
 * differ; a model that keeps no keys (more than MAX_KEYS rows) emits a
 * reset, all its items removed and added. The changes pending then are
 * in what is read: they are skipped when they are delivered. */
static void
refresh (GormQueryModel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GArray) keys = NULL;
  gboolean uncommitted;
  gint64 n_full;
  guint n_old, n_new, lo = 0, tail = 0;

  self->refreshes++;
  gorm_database_lock (self->database);
  n_full = read_rows_locked (self, TRUE, &keys, &error);
  pending = gorm_change_feed_dup_pending_locked (gorm_database_get_change_feed (self->database),
                                                 self->subscription, &uncommitted);
  gorm_database_unlock (self->database);
  if (n_full < 0)
    {
      /* A closed database changes no more. */
      if (!g_error_matches (error, GORM_ERROR, GORM_ERROR_CONNECTION))
        g_warning ("Cannot follow another program's changes in a %s model: %s",
                   g_type_name (self->compiled->schema->type), error->message);
      return;
    }
  skip_pending (self, pending);

  n_old = self->pending ? self->pending_n : self->n_items;
  n_new = window_size (self, n_full);
  if (self->keys != NULL && keys != NULL && self->keys->len == (guint) self->n_full &&
      window_size (self, self->n_full) == n_old)
    {
      const GValue *old_keys = (const GValue *) self->keys->data + MIN (self->compiled->offset, self->keys->len);
      const GValue *new_keys = (const GValue *) keys->data + MIN (self->compiled->offset, keys->len);

      while (lo < n_old && lo < n_new && same_key (&old_keys[lo], &new_keys[lo]))
        lo++;
      while (tail < n_old - lo && tail < n_new - lo &&
             same_key (&old_keys[n_old - 1 - tail], &new_keys[n_new - 1 - tail]))
        tail++;
    }
  if (n_old - lo - tail > 0 || n_new - lo - tail > 0)
    queue_change (self, lo, n_old - lo - tail, n_new - lo - tail);

  g_clear_pointer (&self->keys, g_array_unref);
  self->keys = g_steal_pointer (&keys);
  self->n_full = n_full;
  forget_key_index (self);
  /* Rows may have moved past anchors, and pages hold old values. */
  drop_anchors (self);
  self->wants_anchors = self->can_anchor && n_new > 2 * ANCHOR_SPACING;
  self->pages_stale = TRUE;
}

/* Reads the number of rows again, after a rollback of the transaction the
 * model was made in. The changes pending then are in that number: they
 * are skipped when they are delivered. */
static void
reset (GormQueryModel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  gboolean uncommitted;
  gint64 n_full;

  g_clear_pointer (&self->keys, g_array_unref);
  gorm_database_lock (self->database);
  n_full = read_rows_locked (self, FALSE, &self->keys, &error);
  pending = gorm_change_feed_dup_pending_locked (gorm_database_get_change_feed (self->database),
                                                 self->subscription, &uncommitted);
  gorm_database_unlock (self->database);
  if (n_full < 0)
    {
      g_warning ("Cannot reload a %s model: %s",
                 g_type_name (self->compiled->schema->type), error->message);
      return;
    }
  skip_pending (self, pending);
  self->pages_stale = TRUE;
  drop_anchors (self);
  queue_change (self, 0, self->pending ? self->pending_n : self->n_items, window_size (self, n_full));
  self->n_full = n_full;
  forget_key_index (self);
}

/* Emits the items-changed queued, and drops the pages, whose positions
 * are no longer the model's. */
static void
flush (GormQueryModel *self)
{
  guint lo, removed, added;

  if (self->pages_stale)
    {
      drop_pages (self);
      self->pages_stale = FALSE;
    }
  if (!self->pending)
    return;
  self->pending = FALSE;
  if (self->pending_lo == G_MAXUINT)
    return;

  lo = self->pending_lo;
  removed = self->pending_n_old - lo - self->pending_tail;
  added = self->pending_n - lo - self->pending_tail;
  self->n_items = self->pending_n;
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), lo, removed, added);
}

/* Many changes delivered at once (a transaction of many writes) would
 * move the keys of the key index once each, up to the whole index each
 * time; when no other write waits for its delivery, the writers' index
 * is the order after them all: the model's index becomes a copy of it,
 * one pass. Only when the lock is free at once. */
static gboolean
take_writer_index (GormQueryModel *self)
{
  GArray *index;
  gboolean taken = FALSE;

  if (self->order_keys == NULL || !self->index_shared)
    return FALSE;
  if (!gorm_connection_try_lock (gorm_database_get_execution (self->database)))
    return FALSE;
  index = writer_index_locked (self->watch);
  if (index != NULL && !has_pending_locked (self))
    {
      g_array_set_size (self->order_keys, index->len);
      memcpy (self->order_keys->data, index->data, index->len * sizeof (gint64));
      taken = TRUE;
    }
  gorm_database_unlock (self->database);
  return taken;
}

/* The change feed's delivery, in the main context, from its idle source:
 * the model takes the committed changes in the order they were made and
 * emits one items-changed for all of them. */
static void
deliver (GObject   *target,
         GPtrArray *records,
         gboolean   reset_all,
         gboolean   foreign)
{
  GormQueryModel *self = GORM_QUERY_MODEL (target);
  gboolean read_again = foreign;
  gboolean index_done = FALSE;

  self->deliveries++;
  if (!foreign && !reset_all && records->len > TAKE_INDEX_MIN_CHANGES)
    index_done = take_writer_index (self);
  for (guint i = 0; i < records->len; i++)
    {
      Change *change = g_ptr_array_index (records, i);

      if (self->skipped != NULL && g_hash_table_remove (self->skipped, change))
        continue;
      /* Another connection committed before these writes were
       * delivered, maybe before they ran, so that their positions may
       * count rows the model was not told of (and one that does not fit
       * surely did): the model reads again what they and that commit
       * left, and emits the difference, one range as small as it can
       * be. */
      if (!read_again && !reset_all && !change_fits (self, change))
        read_again = TRUE;
      if (read_again && !reset_all)
        continue;
      apply_change (self, change, index_done);
    }
  g_ptr_array_unref (records);
  if (reset_all)
    reset (self);
  else if (read_again)
    refresh (self);
  flush (self);
  share_key_index (self);
}

/* Where the row shown at the full position @position of the model's order
 * is in the database's order, @changes (not delivered yet) applied: its
 * position there, or -1 with @ghost_change and @ghost_key set when a
 * change took it out. */
static gint64
map_position (GPtrArray  *changes,
              gint64      position,
              Change    **ghost_change,
              guint      *ghost_key)
{
  for (guint i = 0; i < changes->len; i++)
    {
      Change *change = g_ptr_array_index (changes, i);
      guint below = 0;
      gint hit = -1;

      for (guint j = 0; j < change->removed->len; j++)
        {
          const Move *move = &g_array_index (change->removed, Move, j);

          if (move->position == position)
            hit = (gint) move->key;
          else if (move->position < position)
            below++;
        }
      if (hit >= 0)
        {
          gboolean found = FALSE;

          for (guint j = 0; !found && j < change->added->len; j++)
            if (g_array_index (change->added, Move, j).key == (guint) hit)
              {
                position = g_array_index (change->added, Move, j).position;
                found = TRUE;
              }
          if (!found)
            {
              *ghost_change = change;
              *ghost_key = (guint) hit;
              return -1;
            }
          continue;
        }
      position -= below;
      for (guint j = 0; j < change->added->len; j++)
        if (g_array_index (change->added, Move, j).position <= position)
          position++;
    }
  return position;
}

/* The object that shows a row a pending change took out of the order. */
static gpointer
ghost_object (GormQueryModel *self,
              Change         *change,
              guint           key)
{
  Ghost *ghost = &change->ghosts[key];
  GType type = self->compiled->schema->type;
  GormResource *resource;
  g_autoptr(GError) error = NULL;

  if (ghost->object != NULL)
    return g_object_ref (ghost->object);
  if (ghost->row == NULL)
    return NULL;

  /* The row's object, if it came alive since, has newer values than the
   * copy. */
  resource = gorm_database_lookup_live_locked (self->database, type, &ghost->row[0]);
  if (resource != NULL)
    return resource;
  {
    GValue *row = g_new0 (GValue, self->compiled->schema->n_columns + 1);

    for (guint i = 0; G_IS_VALUE (&ghost->row[i]); i++)
      {
        g_value_init (&row[i], G_VALUE_TYPE (&ghost->row[i]));
        g_value_copy (&ghost->row[i], &row[i]);
      }
    resource = gorm_database_resource_from_row (self->database, type, row, &error);
  }
  if (resource == NULL)
    return NULL;
  /* A deleted row's object must not stay the live object of its key. */
  if (change->deleted)
    gorm_resource_mark_deleted (resource);
  ghost->object = g_object_ref (G_OBJECT (resource));
  return resource;
}

/* Loads a page of the model's order while the database holds changes not
 * delivered to it: each position is mapped to the database's order
 * through them, the rows are read from there, and the rows those changes
 * took out are shown by their ghosts. */
static Page *
load_mapped_page_locked (GormQueryModel  *self,
                         guint            index,
                         GPtrArray       *changes,
                         GError         **error)
{
  const GormCompiledQuery *compiled = self->compiled;
  gint64 start = compiled->offset + (gint64) index * PAGE_SIZE;
  guint count = MIN (PAGE_SIZE, self->n_items - index * PAGE_SIZE);
  g_autofree gint64 *mapped = g_new (gint64, MAX (count, 1));
  g_autofree Change **ghost_changes = g_new0 (Change *, MAX (count, 1));
  g_autofree guint *ghost_keys = g_new0 (guint, MAX (count, 1));
  g_autoptr(GormRows) rows = NULL;
  gint64 lo = G_MAXINT64, hi = -1;
  GormMapper *table;
  Page *page;

  table = gorm_database_get_mapper_locked (self->database, compiled->schema->type, error);
  if (table == NULL)
    return NULL;

  for (guint i = 0; i < count; i++)
    {
      mapped[i] = map_position (changes, start + i, &ghost_changes[i], &ghost_keys[i]);
      if (mapped[i] >= 0)
        {
          lo = MIN (lo, mapped[i]);
          hi = MAX (hi, mapped[i]);
        }
    }

  if (hi >= 0)
    {
      GValue limits[2] = { G_VALUE_INIT, G_VALUE_INIT };

      g_value_init (&limits[0], G_TYPE_INT64);
      g_value_set_int64 (&limits[0], hi - lo + 1);
      g_value_init (&limits[1], G_TYPE_INT64);
      g_value_set_int64 (&limits[1], lo);
      rows = run_select_locked (self, self->page_sql, compiled->schema->sql_types, limits, 2, error);
      if (rows == NULL)
        return NULL;
    }

  page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_ptr_array_new_full (count, g_object_unref);
  for (guint i = 0; i < count; i++)
    {
      gpointer item = NULL;

      if (mapped[i] >= 0 && mapped[i] - lo < (gint) gorm_rows_get_n_rows (rows))
        {
          if (add_row_item (self, table, page, rows, (gint) (mapped[i] - lo), error))
            continue;
        }
      else if (mapped[i] < 0)
        item = ghost_object (self, ghost_changes[i], ghost_keys[i]);
      if (item == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                         "The row at %" G_GINT64_FORMAT " of a %s model changed while it was read",
                         start + i, compiled->schema->type_name);
          page_free (page);
          return NULL;
        }
      g_ptr_array_add (page->items, item);
    }
  return page;
}
