/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-database-private.h"
#include "gorm-error.h"
#include "gorm-query-model.h"
#include "gorm-query-private.h"

/**
 * GormQueryModel:
 *
 * The objects a [class@Gorm.Query] matches, as a [iface@Gio.ListModel]
 * whose items are of the query's resource type.
 *
 * A model knows its number of items from one `count(*)` and loads its
 * objects a page at a time, when they are asked for (a snapshot whose
 * limit fits in one page, such as the 20 latest posts, is loaded at once,
 * without the count): a million-row table
 * opens in the time of one page. It keeps the last pages it loaded, so
 * memory stays bounded whatever the size of the table; the objects an
 * application holds stay alive, and the identity map of the database
 * gives them back for their rows.
 *
 * A model from [method@Gorm.Query.watch] is live: after every save,
 * delete, bulk update or bulk delete made through its database it emits
 * one [signal@Gio.ListModel::items-changed] covering the rows that
 * entered, left or moved within its filter and order, and nothing for
 * changes that do not affect it. After a rollback it reloads and emits a
 * change of all its items. Changes made with [method@Gorm.Database.execute]
 * or by other connections are not seen. A live model pays one `count(*)`
 * query per change of a row of its type, to find where the row was and
 * where it is.
 *
 * Models emit `items-changed` in the main context of their database.
 *
 * A row whose stored values cannot be read into its object (an enum nick
 * the enum lacks, text in a number column, a number out of its property's
 * range, a date-time or string array that does not parse) fails alone:
 * the model never returns %NULL for a position below its number of items.
 * The item of such a row is a stand-in with only its key set, which
 * [method@Gorm.Resource.save] refuses to update, and
 * [method@Gorm.QueryModel.check_item] gives the error of its row.
 */

/* Rows loaded per query. */
#define PAGE_SIZE 100
/* Rows between the anchors a large model places in the background, so that
 * any page loads from an anchor at most this far before it. */
#define ANCHOR_SPACING 4096
/* Pages kept; older ones are dropped, least recently used first. */
#define MAX_PAGES 32

typedef struct
{
  guint      index;
  GPtrArray *items;
  /* For each item, the error met reading its row, or NULL; NULL when
   * every row read. */
  GPtrArray *errors;
} Page;

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
  gboolean           pages_stale;
  GArray            *anchors;      /* of Anchor, by position */
  gboolean           can_anchor;
  /* Whether the model is large enough to place anchors in the background,
   * which starts the first time an item is asked for from a running main
   * loop (see gorm_query_model_get_item()). */
  gboolean           wants_anchors;

  char              *page_sql;
  char              *anchored_page_sql;
  char              *count_sql;
  char              *position_sql;

  /* Positions before the change being announced, one per key. */
  GArray            *before;
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

static void
append_table (GString          *sql,
              const GormSchema *schema,
              const char       *alias)
{
  gorm_dialect_append_identifier (sql, schema->table);
  if (alias != NULL)
    {
      g_string_append (sql, " AS ");
      gorm_dialect_append_identifier (sql, alias);
    }
}

static void
append_column (GString          *sql,
               const char       *alias,
               const GormColumn *column)
{
  if (alias != NULL)
    {
      gorm_dialect_append_identifier (sql, alias);
      g_string_append_c (sql, '.');
    }
  gorm_dialect_append_identifier (sql, column->name);
}

/* Appends the filter as " WHERE …" or, when @sql has a WHERE already,
 * " AND (…)". */
static void
append_condition (GormQueryModel *self,
                  GString        *sql,
                  gboolean        has_where,
                  GArray         *params)
{
  g_autoptr(GString) where = g_string_new (NULL);

  gorm_compiled_query_append_where (self->compiled, where, params);
  if (where->len == 0)
    return;
  if (!has_where)
    g_string_append_len (sql, where->str, where->len);
  else
    {
      g_assert (g_str_has_prefix (where->str, " WHERE "));
      g_string_append_printf (sql, " AND (%s)", where->str + strlen (" WHERE "));
    }
}

static void
append_select (GormQueryModel *self,
               GString        *sql)
{
  g_string_append (sql, "SELECT ");
  gorm_dialect_append_columns (sql, self->compiled->schema);
  g_string_append (sql, " FROM ");
  append_table (sql, self->compiled->schema, NULL);
}

static void
append_limit (GString *sql,
              guint    number)
{
  g_string_append (sql, " LIMIT ");
  gorm_dialect_append_parameter (sql, number, G_TYPE_INT64);
  g_string_append (sql, " OFFSET ");
  gorm_dialect_append_parameter (sql, number + 1, G_TYPE_INT64);
}

/* Whether row values compare in the query's order: every order term has
 * the same direction, and a descending order has no NULLs, which sort
 * last there but make a row value comparison NULL. */
static gboolean
row_values_follow_order (const GormCompiledQuery *compiled)
{
  const GormOrder *orders = (const GormOrder *) compiled->orders->data;

  for (guint i = 0; i < compiled->orders->len; i++)
    {
      if (orders[i].descending != orders[0].descending)
        return FALSE;
      if (orders[i].descending && gorm_value_kind_is_nullable (orders[i].column->kind) &&
          !(orders[i].column->flags & (GORM_COLUMN_NOT_NULL | GORM_COLUMN_PRIMARY_KEY)))
        return FALSE;
    }
  return TRUE;
}

/* "o sorts before k" in the query's order, NULLs first when ascending as
 * SQLite sorts them: a OR (e AND b) OR (e AND e' AND c) … */
static void
append_sorts_before (GormQueryModel *self,
                     GString        *sql)
{
  const GormOrder *orders = (const GormOrder *) self->compiled->orders->data;

  g_string_append_c (sql, '(');
  for (guint i = 0; i < n_order (self); i++)
    {
      const GormColumn *column = orders[i].column;
      const char *less = orders[i].descending ? ">" : "<";
      const char *lower_null = orders[i].descending ? "k" : "o";
      const char *upper_null = orders[i].descending ? "o" : "k";

      if (i > 0)
        g_string_append (sql, " OR ");
      g_string_append_c (sql, '(');
      for (guint j = 0; j < i; j++)
        {
          append_column (sql, "o", orders[j].column);
          g_string_append (sql, " IS ");
          append_column (sql, "k", orders[j].column);
          g_string_append (sql, " AND ");
        }
      g_string_append_c (sql, '(');
      append_column (sql, "o", column);
      g_string_append_printf (sql, " %s ", less);
      append_column (sql, "k", column);
      g_string_append (sql, " OR (");
      append_column (sql, lower_null, column);
      g_string_append (sql, " IS NULL AND ");
      append_column (sql, upper_null, column);
      g_string_append (sql, " IS NOT NULL)))");
    }
  g_string_append_c (sql, ')');
}

/* The SQL of the model, rendered once; parameters are bound in the order
 * they appear, and the filter's values are rendered again for each
 * statement since rendering numbers them. */
static void
render_statements (GormQueryModel *self)
{
  const GormCompiledQuery *compiled = self->compiled;
  const GormSchema *schema = compiled->schema;
  const GormOrder *orders = (const GormOrder *) compiled->orders->data;
  g_autoptr(GArray) params = new_params ();
  GString *sql;

  sql = g_string_new (NULL);
  append_select (self, sql);
  append_condition (self, sql, FALSE, params);
  gorm_compiled_query_append_order (compiled, sql);
  append_limit (sql, params->len);
  self->page_sql = g_string_free (sql, FALSE);

  if (self->can_anchor)
    {
      g_array_set_size (params, 0);
      sql = g_string_new (NULL);
      append_select (self, sql);
      append_condition (self, sql, FALSE, params);
      g_string_append (sql, compiled->filter != NULL ? " AND (" : " WHERE (");
      for (guint i = 0; i < n_order (self); i++)
        {
          if (i > 0)
            g_string_append (sql, ", ");
          append_column (sql, NULL, orders[i].column);
        }
      g_string_append_printf (sql, ") %s (", orders[0].descending ? "<=" : ">=");
      for (guint i = 0; i < n_order (self); i++)
        {
          if (i > 0)
            g_string_append (sql, ", ");
          gorm_dialect_append_parameter (sql, params->len + i,
                                         gorm_value_kind_get_sql_type (orders[i].column->kind));
        }
      g_string_append_c (sql, ')');
      gorm_compiled_query_append_order (compiled, sql);
      append_limit (sql, params->len + n_order (self));
      self->anchored_page_sql = g_string_free (sql, FALSE);
    }

  g_array_set_size (params, 0);
  sql = g_string_new ("SELECT count(*) FROM ");
  append_table (sql, schema, NULL);
  append_condition (self, sql, FALSE, params);
  self->count_sql = g_string_free (sql, FALSE);

  if (self->live)
    {
      /* The position of the row k: how many matching rows o sort before
       * it; no row when k does not match. Inside the subquery the
       * filter's unqualified columns are o's. */
      g_array_set_size (params, 0);
      sql = g_string_new ("SELECT (SELECT count(*) FROM ");
      append_table (sql, schema, "o");
      append_condition (self, sql, FALSE, params);
      g_string_append (sql, compiled->filter != NULL ? " AND " : " WHERE ");
      append_sorts_before (self, sql);
      g_string_append (sql, ") FROM ");
      append_table (sql, schema, "k");
      g_string_append (sql, " WHERE ");
      append_column (sql, "k", schema->key);
      g_string_append (sql, " = ");
      gorm_dialect_append_parameter (sql, params->len,
                                     gorm_value_kind_get_sql_type (schema->key->kind));
      {
        GValue key_slot = G_VALUE_INIT;

        g_value_init (&key_slot, G_TYPE_INT64);
        g_array_append_val (params, key_slot);
      }
      append_condition (self, sql, TRUE, params);
      self->position_sql = g_string_free (sql, FALSE);
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
bind_filter (GormQueryModel *self,
             Binding        *binding)
{
  g_autoptr(GArray) params = new_params ();
  g_autoptr(GString) unused = g_string_new (NULL);

  gorm_compiled_query_append_where (self->compiled, unused, params);
  for (guint i = 0; i < params->len; i++)
    gorm_statement_take_param (binding->statement, binding->number++,
                               &g_array_index (params, GValue, i));
}

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

static GormStatement *
lookup_locked (GormQueryModel      *self,
               const char          *sql,
               GormConnection **statements,
               GError             **error)
{
  *statements = gorm_database_get_connection_locked (self->database, error);
  return *statements ? gorm_connection_lookup_locked (*statements, sql, error) : NULL;
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
  Binding binding = { lookup_locked (self, sql, &statements, error), 0 };

  if (binding.statement == NULL)
    return NULL;
  bind_filter (self, &binding);
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

  model = run_select_locked (self, self->count_sql, types, NULL, 0, error);
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

static Page *
load_page_locked (GormQueryModel  *self,
                  guint            index,
                  GError         **error)
{
  const GormCompiledQuery *compiled = self->compiled;
  const GType *types = compiled->schema->sql_types;
  g_autoptr(GormRows) rows = NULL;
  gint64 start = compiled->offset + (gint64) index * PAGE_SIZE;
  guint count = MIN (PAGE_SIZE, self->n_items - index * PAGE_SIZE);
  const Anchor *anchor = self->can_anchor ? find_anchor (self, start) : NULL;
  GormTable *table;
  GValue limits[2] = { G_VALUE_INIT, G_VALUE_INIT };
  Page *page;
  gint n_rows;

  table = gorm_database_get_table_locked (self->database, compiled->schema->type, error);
  if (table == NULL)
    return NULL;

  g_value_init (&limits[0], G_TYPE_INT64);
  g_value_set_int64 (&limits[0], count);
  g_value_init (&limits[1], G_TYPE_INT64);
  g_value_set_int64 (&limits[1], anchor ? start - anchor->position : start);

  if (anchor != NULL)
    {
      g_autofree GValue *extra = g_new0 (GValue, n_order (self) + 2);

      for (guint i = 0; i < n_order (self); i++)
        extra[i] = anchor->values[i];
      extra[n_order (self)] = limits[0];
      extra[n_order (self) + 1] = limits[1];
      rows = run_select_locked (self, self->anchored_page_sql, types, extra, n_order (self) + 2, error);
    }
  else
    rows = run_select_locked (self, self->page_sql, types, limits, 2, error);
  if (rows == NULL)
    return NULL;

  n_rows = gorm_rows_get_n_rows (rows);
  page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_ptr_array_new_full (n_rows, g_object_unref);
  for (gint row = 0; row < n_rows; row++)
    {
      g_autoptr(GError) read_error = NULL;
      gpointer item = gorm_table_new_resource (table, self->database, rows, row, &read_error);

      /* A row whose stored values its object cannot take fails alone: its
       * item is a stand-in, and gorm_query_model_check_item() says why. */
      if (item == NULL && g_error_matches (read_error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH))
        {
          item = gorm_table_new_stand_in (table, self->database, rows, row, read_error, error);
          if (item != NULL)
            {
              if (page->errors == NULL)
                page->errors = g_ptr_array_new_full (n_rows, clear_error);
              g_ptr_array_set_size (page->errors, row);
              g_ptr_array_add (page->errors, g_steal_pointer (&read_error));
            }
        }
      else if (item == NULL)
        g_propagate_error (error, g_steal_pointer (&read_error));
      if (item == NULL)
        {
          page_free (page);
          return NULL;
        }
      g_ptr_array_add (page->items, item);
    }
  if (self->can_anchor && n_rows > 0)
    add_anchor (self, start, rows);

  return page;
}

static void start_anchoring (GormQueryModel *self);

/* The page of @position, loaded if it is not kept. */
static Page *
lookup_page (GormQueryModel  *self,
             guint            position,
             GError         **error)
{
  guint index = position / PAGE_SIZE;
  Page *page = NULL;

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

  if (page == NULL)
    {
      gorm_database_lock (self->database);
      page = load_page_locked (self, index, error);
      gorm_database_unlock (self->database);
      if (page == NULL)
        return NULL;
      g_queue_push_head (&self->pages, page);
      while (self->pages.length > MAX_PAGES)
        page_free (g_queue_pop_tail (&self->pages));
    }

  return page;
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

  if (position % PAGE_SIZE >= page->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (page->items, position % PAGE_SIZE));
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

  if (self->live)
    gorm_database_remove_watcher (self->database, self);
  drop_pages (self);
  drop_anchors (self);
  g_clear_pointer (&self->anchors, g_array_unref);
  g_clear_pointer (&self->before, g_array_unref);
  g_clear_pointer (&self->compiled, gorm_compiled_query_free);
  g_clear_object (&self->database);
  g_free (self->page_sql);
  g_free (self->anchored_page_sql);
  g_free (self->count_sql);
  g_free (self->position_sql);

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
  self->before = g_array_new (FALSE, TRUE, sizeof (gint64));
}

/* Places the anchor ANCHOR_SPACING rows after the last one; FALSE when
 * the window has no row there. */
static gboolean
add_next_anchor_locked (GormQueryModel *self)
{
  const GType *types = self->compiled->schema->sql_types;
  g_autoptr(GormRows) rows = NULL;
  g_autofree GValue *extra = g_new0 (GValue, n_order (self) + 2);
  const Anchor *last = self->anchors->len > 0
    ? &g_array_index (self->anchors, Anchor, self->anchors->len - 1) : NULL;
  gint64 target = (last ? last->position : self->compiled->offset) + ANCHOR_SPACING;
  guint n_extra = 0;

  if (target >= self->compiled->offset + (gint64) self->n_items)
    return FALSE;

  if (last != NULL)
    for (; n_extra < n_order (self); n_extra++)
      extra[n_extra] = last->values[n_extra];
  g_value_init (&extra[n_extra], G_TYPE_INT64);
  g_value_set_int64 (&extra[n_extra++], 1);
  g_value_init (&extra[n_extra], G_TYPE_INT64);
  g_value_set_int64 (&extra[n_extra++], last ? ANCHOR_SPACING : target);

  rows = run_select_locked (self, last ? self->anchored_page_sql : self->page_sql,
                            types, extra, n_extra, NULL);
  if (rows == NULL || gorm_rows_get_n_rows (rows) == 0)
    return FALSE;
  add_anchor (self, target, rows);
  return TRUE;
}

static void
anchor_step_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GormQueryModel *self = source_object;
  gboolean more;

  gorm_database_lock (self->database);
  more = add_next_anchor_locked (self);
  gorm_database_unlock (self->database);

  gorm_task_return_int (task, more, NULL);
}

static void
anchor_step_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  if (g_task_propagate_int (G_TASK (result), NULL) > 0)
    start_anchoring (GORM_QUERY_MODEL (source));
}

/* Places anchors through a large model, one step per worker call, so that
 * the database stays free for other calls in between. */
static void
start_anchoring (GormQueryModel *self)
{
  g_autoptr(GTask) task = gorm_database_new_task (self->database, self, NULL,
                                                  anchor_step_done_cb, NULL, start_anchoring);

  gorm_database_run_task (self->database, task, anchor_step_thread);
}

GListModel *
gorm_query_model_new (GormDatabase       *database,
                      GormCompiledQuery  *compiled,
                      gboolean            live,
                      GCancellable       *cancellable,
                      GError            **error)
{
  g_autoptr(GormQueryModel) self = g_object_new (GORM_TYPE_QUERY_MODEL, NULL);

  self->database = g_object_ref (database);
  self->compiled = compiled;
  self->live = live;
  self->can_anchor = row_values_follow_order (compiled);
  render_statements (self);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  gorm_database_lock (database);
  if (!live && compiled->limit >= 0 && compiled->limit <= PAGE_SIZE)
    {
      /* A snapshot whose limit fits in one page is that page: its rows
       * are its items, and no count(*) is needed. */
      Page *page;

      self->n_items = (guint) compiled->limit;
      page = compiled->limit > 0 ? load_page_locked (self, 0, error) : NULL;
      gorm_database_unlock (database);
      if (compiled->limit > 0 && page == NULL)
        return NULL;
      self->n_items = page ? page->items->len : 0;
      /* The rows before the window and in it: all a snapshot needs. */
      self->n_full = compiled->offset + self->n_items;
      if (page != NULL)
        g_queue_push_head (&self->pages, page);
      return G_LIST_MODEL (g_steal_pointer (&self));
    }
  self->n_full = count_locked (self, error);
  if (self->n_full >= 0 && live)
    gorm_database_add_watcher_locked (database, self);
  gorm_database_unlock (database);
  if (self->n_full < 0)
    {
      self->live = FALSE;
      return NULL;
    }
  self->n_items = window_size (self, self->n_full);
  self->wants_anchors = self->can_anchor && self->n_items > 2 * ANCHOR_SPACING;

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
  guint offset = position % PAGE_SIZE;

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
 * from gorm_query_watch() rather than gorm_query_fetch().
 *
 * Returns: %TRUE for a live model
 */
gboolean
gorm_query_model_is_live (GormQueryModel *self)
{
  g_return_val_if_fail (GORM_IS_QUERY_MODEL (self), FALSE);

  return self->live;
}

GType
gorm_query_model_get_resource_type (GormQueryModel *self)
{
  return self->compiled->schema->type;
}

/* The full position of the row with @key, or -1 when it does not match. */
static gint64
position_locked (GormQueryModel *self,
                 const GValue   *key)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GormRows) rows = NULL;
  GormConnection *statements;
  Binding binding = { lookup_locked (self, self->position_sql, &statements, &error), 0 };
  const GValue *value;

  /* The inner filter's values, the key, the outer filter's values. */
  if (binding.statement != NULL)
    {
      bind_filter (self, &binding);
      bind_values (&binding, key, 1);
      bind_filter (self, &binding);
      rows = gorm_connection_select_locked (statements, binding.statement, types, &error);
    }
  if (rows != NULL && gorm_rows_get_n_rows (rows) == 0)
    return -1;
  value = rows ? gorm_rows_get_value (rows, 0, 0, &error) : NULL;
  if (value == NULL)
    {
      g_warning ("Cannot follow a change in a %s model: %s",
                 g_type_name (self->compiled->schema->type), error->message);
      return -1;
    }
  return g_value_get_int64 (value);
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

/* Keeps anchors at the first row at or after their values. A row removed
 * at an anchor's own position leaves the next such row there; a row
 * inserted there may or may not sort before the anchor's values, so that
 * anchor is dropped. */
static void
shift_anchors (GormQueryModel *self,
               gint64          position,
               gint            delta)
{
  for (guint i = 0; i < self->anchors->len;)
    {
      Anchor *anchor = &g_array_index (self->anchors, Anchor, i);

      if (delta > 0 && position == anchor->position)
        {
          drop_anchor_at (self, position);
          continue;
        }
      if (position < anchor->position)
        anchor->position += delta;
      i++;
    }
}

void
gorm_query_model_begin_change_locked (GormQueryModel *self,
                                      const GValue   *keys,
                                      guint           n_keys)
{
  g_array_set_size (self->before, n_keys);
  for (guint i = 0; i < n_keys; i++)
    g_array_index (self->before, gint64, i) = position_locked (self, &keys[i]);
}

static gint
compare_descending (gconstpointer a,
                    gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

static gint
compare_ascending (gconstpointer a,
                   gconstpointer b)
{
  return -compare_descending (a, b);
}

void
gorm_query_model_end_change_locked (GormQueryModel *self,
                                    const GValue   *keys,
                                    guint           n_keys,
                                    gboolean        deleted)
{
  g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) added = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < n_keys; i++)
    {
      gint64 before = i < self->before->len ? g_array_index (self->before, gint64, i) : -1;
      gint64 after = deleted ? -1 : position_locked (self, &keys[i]);

      /* A single row that kept its place changed nothing in the model:
       * its own object shows the new values. Its values may have moved
       * across an anchor's, though, so an anchor on its place goes. */
      if (n_keys == 1 && before == after)
        {
          if (before >= 0)
            drop_anchor_at (self, before);
          break;
        }
      if (before >= 0)
        g_array_append_val (removed, before);
      if (after >= 0)
        g_array_append_val (added, after);
    }
  g_array_set_size (self->before, 0);
  if (removed->len == 0 && added->len == 0)
    return;

  /* Removing the old rows from the back and inserting the new ones from
   * the front turns the old order into the new one. */
  g_array_sort (removed, compare_descending);
  g_array_sort (added, compare_ascending);
  for (guint i = 0; i < removed->len; i++)
    {
      window_remove (self, g_array_index (removed, gint64, i));
      shift_anchors (self, g_array_index (removed, gint64, i), -1);
    }
  for (guint i = 0; i < added->len; i++)
    {
      window_insert (self, g_array_index (added, gint64, i));
      shift_anchors (self, g_array_index (added, gint64, i), +1);
    }
  self->pages_stale = TRUE;
}

void
gorm_query_model_reset_locked (GormQueryModel *self)
{
  g_autoptr(GError) error = NULL;
  gint64 n_full = count_locked (self, &error);

  if (n_full < 0)
    {
      g_warning ("Cannot reload a %s model: %s",
                 g_type_name (self->compiled->schema->type), error->message);
      return;
    }
  self->pages_stale = TRUE;
  drop_anchors (self);
  queue_change (self, 0, self->pending ? self->pending_n : self->n_items, window_size (self, n_full));
  self->n_full = n_full;
}

void
gorm_query_model_flush (GormQueryModel *self)
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
