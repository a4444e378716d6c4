/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <gio/gio.h>

#include "gorm-resource.h"
#include "gorm-row-private.h"

/**
 * GormRow:
 *
 * An immutable row of named values: what a row query
 * ([method@Gorm.Query.fetch_rows], [method@Gorm.Query.aggregate]) and a raw
 * select ([method@Gorm.Database.select]) give.
 *
 * A row has columns, numbered from 0 and named: the names given to
 * [method@Gorm.Query.select] and [method@Gorm.Query.annotate], or the names
 * a raw select's result gives its columns. Read a value by number with
 * [method@Gorm.Row.get_value], or by name with [method@Gorm.Row.dup_value]
 * (what bindings use) and the typed getters such as
 * [method@Gorm.Row.get_int64]. A SQL `NULL` is a %NULL value.
 *
 * ```c
 * const GValue *total = gorm_row_get_value (row, gorm_row_find_column (row, "total"));
 *
 * if (total != NULL)
 *   g_print ("%" G_GINT64_FORMAT " votes\n", g_value_get_int64 (total));
 * ```
 *
 * Rows are the items of the [iface@Gio.ListModel]s those calls return,
 * which a `GtkListView` or `GtkColumnView` can show: such a model never
 * changes once returned.
 *
 * The row of an annotated object query ([method@Gorm.Query.annotate])
 * also holds its object: [property@Gorm.Row:resource].
 *
 * Since: 1.0
 */

struct _GormRowColumns
{
  gatomicrefcount  ref_count;
  guint            n_columns;
  char           **names;
  /* name → column + 1, the first column of each name. */
  GHashTable      *by_name;
};

struct _GormRow
{
  GObject          parent_instance;

  GormRowColumns  *columns;
  /* One value a column; an unset one is SQL NULL. */
  GValue          *values;
  GObject         *resource;
};

G_DEFINE_FINAL_TYPE (GormRow, gorm_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RESOURCE,
  PROP_N_COLUMNS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

GormRowColumns *
gorm_row_columns_new (guint               n_columns,
                      const char * const *names)
{
  GormRowColumns *columns = g_new0 (GormRowColumns, 1);

  g_atomic_ref_count_init (&columns->ref_count);
  columns->n_columns = n_columns;
  columns->names = g_new0 (char *, n_columns + 1);
  columns->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n_columns; i++)
    {
      columns->names[i] = g_strdup (names[i] != NULL ? names[i] : "");
      if (!g_hash_table_contains (columns->by_name, columns->names[i]))
        g_hash_table_insert (columns->by_name, columns->names[i], GUINT_TO_POINTER (i + 1));
    }
  return columns;
}

GormRowColumns *
gorm_row_columns_ref (GormRowColumns *columns)
{
  g_atomic_ref_count_inc (&columns->ref_count);
  return columns;
}

void
gorm_row_columns_unref (GormRowColumns *columns)
{
  if (!g_atomic_ref_count_dec (&columns->ref_count))
    return;
  g_hash_table_unref (columns->by_name);
  g_strfreev (columns->names);
  g_free (columns);
}

guint
gorm_row_columns_get_n (GormRowColumns *columns)
{
  return columns->n_columns;
}

GormRow *
gorm_row_new_take (GormRowColumns *columns,
                   GValue         *values,
                   gpointer        resource)
{
  GormRow *self = g_object_new (GORM_TYPE_ROW, NULL);

  self->columns = gorm_row_columns_ref (columns);
  self->values = values;
  self->resource = resource != NULL ? g_object_ref (resource) : NULL;
  return self;
}

GListModel *
gorm_row_model_new (GPtrArray *rows)
{
  g_autoptr(GPtrArray) owned = rows;
  GListStore *store = g_list_store_new (GORM_TYPE_ROW);

  g_list_store_splice (store, 0, 0, owned->pdata, owned->len);
  return G_LIST_MODEL (store);
}

static void
gorm_row_finalize (GObject *object)
{
  GormRow *self = GORM_ROW (object);

  if (self->values != NULL)
    {
      for (guint i = 0; i < self->columns->n_columns; i++)
        if (G_IS_VALUE (&self->values[i]))
          g_value_unset (&self->values[i]);
      g_free (self->values);
    }
  g_clear_pointer (&self->columns, gorm_row_columns_unref);
  g_clear_object (&self->resource);

  G_OBJECT_CLASS (gorm_row_parent_class)->finalize (object);
}

static void
gorm_row_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  GormRow *self = GORM_ROW (object);

  switch (prop_id)
    {
    case PROP_RESOURCE:
      g_value_set_object (value, self->resource);
      break;
    case PROP_N_COLUMNS:
      g_value_set_uint (value, gorm_row_get_n_columns (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gorm_row_class_init (GormRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gorm_row_finalize;
  object_class->get_property = gorm_row_get_property;

  /**
   * GormRow:resource: (type Gorm.Resource)
   *
   * The object of the row of an annotated query
   * ([method@Gorm.Query.annotate]), %NULL in the rows of other queries.
   *
   * Since: 1.0
   */
  properties[PROP_RESOURCE] =
    g_param_spec_object ("resource", NULL, NULL,
                         GORM_TYPE_RESOURCE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GormRow:n-columns:
   *
   * The number of columns of the row.
   *
   * Since: 1.0
   */
  properties[PROP_N_COLUMNS] =
    g_param_spec_uint ("n-columns", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gorm_row_init (GormRow *self)
{
}

/**
 * gorm_row_get_n_columns:
 * @self: a row
 *
 * The number of columns of @self.
 *
 * Returns: the number of columns
 *
 * Since: 1.0
 */
guint
gorm_row_get_n_columns (GormRow *self)
{
  g_return_val_if_fail (GORM_IS_ROW (self), 0);

  return self->columns != NULL ? self->columns->n_columns : 0;
}

/**
 * gorm_row_get_column_name:
 * @self: a row
 * @column: a column number, below [method@Gorm.Row.get_n_columns]
 *
 * The name of the column numbered @column.
 *
 * Returns: (transfer none): the name of the column
 *
 * Since: 1.0
 */
const char *
gorm_row_get_column_name (GormRow *self,
                          guint    column)
{
  g_return_val_if_fail (GORM_IS_ROW (self), NULL);
  g_return_val_if_fail (column < gorm_row_get_n_columns (self), NULL);

  return self->columns->names[column];
}

/**
 * gorm_row_find_column:
 * @self: a row
 * @name: a column name
 *
 * The number of the column named @name: the first of that name when a
 * raw select named two columns alike.
 *
 * Returns: the column number, or -1 when @self has no column @name
 *
 * Since: 1.0
 */
int
gorm_row_find_column (GormRow    *self,
                      const char *name)
{
  gpointer found;

  g_return_val_if_fail (GORM_IS_ROW (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  if (self->columns == NULL)
    return -1;
  found = g_hash_table_lookup (self->columns->by_name, name);
  return found != NULL ? (int) GPOINTER_TO_UINT (found) - 1 : -1;
}

/**
 * gorm_row_get_value:
 * @self: a row
 * @column: a column number, below [method@Gorm.Row.get_n_columns]
 *
 * The value of the column numbered @column, valid as long as @self.
 *
 * Returns: (nullable) (transfer none): the value, or %NULL for SQL `NULL`
 *
 * Since: 1.0
 */
const GValue *
gorm_row_get_value (GormRow *self,
                    guint    column)
{
  g_return_val_if_fail (GORM_IS_ROW (self), NULL);
  g_return_val_if_fail (column < gorm_row_get_n_columns (self), NULL);

  return G_IS_VALUE (&self->values[column]) ? &self->values[column] : NULL;
}

static const GValue *
value_by_name (GormRow    *self,
               const char *name)
{
  int column = gorm_row_find_column (self, name);

  return column >= 0 ? gorm_row_get_value (self, (guint) column) : NULL;
}

/**
 * gorm_row_dup_value:
 * @self: a row
 * @name: a column name
 *
 * A copy of the value of the column named @name. A SQL `NULL` and an
 * unknown name both give %NULL: [method@Gorm.Row.find_column] tells them
 * apart.
 *
 * Returns: (nullable) (transfer full): the value, or %NULL
 *
 * Since: 1.0
 */
GValue *
gorm_row_dup_value (GormRow    *self,
                    const char *name)
{
  const GValue *value;
  GValue *copy;

  g_return_val_if_fail (GORM_IS_ROW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  value = value_by_name (self, name);
  if (value == NULL)
    return NULL;
  copy = g_new0 (GValue, 1);
  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);
  return copy;
}

/**
 * gorm_row_is_null:
 * @self: a row
 * @name: a column name
 *
 * Whether the column named @name holds SQL `NULL`, or @self has no such
 * column.
 *
 * Returns: %TRUE if there is no value named @name
 *
 * Since: 1.0
 */
gboolean
gorm_row_is_null (GormRow    *self,
                  const char *name)
{
  g_return_val_if_fail (GORM_IS_ROW (self), TRUE);
  g_return_val_if_fail (name != NULL, TRUE);

  return value_by_name (self, name) == NULL;
}

/* @value as a @type in @converted, when GLib converts it. */
static gboolean
transform (const GValue *value,
           GType         type,
           GValue       *converted)
{
  if (!g_value_type_transformable (G_VALUE_TYPE (value), type))
    return FALSE;
  g_value_init (converted, type);
  return g_value_transform (value, converted);
}

/**
 * gorm_row_get_int64:
 * @self: a row
 * @name: a column name
 *
 * The value of the column named @name as a 64-bit integer: a value of any
 * integer, boolean or enum type, converted.
 *
 * Returns: the value; 0 for SQL `NULL`, an unknown name or a value of
 *   another type
 *
 * Since: 1.0
 */
gint64
gorm_row_get_int64 (GormRow    *self,
                    const char *name)
{
  g_auto(GValue) converted = G_VALUE_INIT;
  const GValue *value;

  g_return_val_if_fail (GORM_IS_ROW (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  value = value_by_name (self, name);
  if (value == NULL)
    return 0;
  if (G_VALUE_HOLDS_INT64 (value))
    return g_value_get_int64 (value);
  if (G_VALUE_HOLDS_ENUM (value))
    return g_value_get_enum (value);
  if (G_VALUE_HOLDS_FLAGS (value))
    return g_value_get_flags (value);
  if (G_VALUE_HOLDS_DOUBLE (value) || G_VALUE_HOLDS_FLOAT (value) ||
      !transform (value, G_TYPE_INT64, &converted))
    return 0;
  return g_value_get_int64 (&converted);
}

/**
 * gorm_row_get_double:
 * @self: a row
 * @name: a column name
 *
 * The value of the column named @name as a double: a value of any number
 * type, converted.
 *
 * Returns: the value; 0 for SQL `NULL`, an unknown name or a value of
 *   another type
 *
 * Since: 1.0
 */
double
gorm_row_get_double (GormRow    *self,
                     const char *name)
{
  g_auto(GValue) converted = G_VALUE_INIT;
  const GValue *value;

  g_return_val_if_fail (GORM_IS_ROW (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  value = value_by_name (self, name);
  if (value == NULL)
    return 0;
  if (G_VALUE_HOLDS_DOUBLE (value))
    return g_value_get_double (value);
  if (G_VALUE_HOLDS_STRING (value) || G_VALUE_HOLDS_BOOLEAN (value) ||
      !transform (value, G_TYPE_DOUBLE, &converted))
    return 0;
  return g_value_get_double (&converted);
}

/**
 * gorm_row_get_string:
 * @self: a row
 * @name: a column name
 *
 * The text of the column named @name.
 *
 * Returns: (nullable) (transfer none): the text, valid as long as @self;
 *   %NULL for SQL `NULL`, an unknown name or a value that is not text
 *
 * Since: 1.0
 */
const char *
gorm_row_get_string (GormRow    *self,
                     const char *name)
{
  const GValue *value;

  g_return_val_if_fail (GORM_IS_ROW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  value = value_by_name (self, name);
  return value != NULL && G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : NULL;
}

/**
 * gorm_row_get_resource:
 * @self: a row
 *
 * The object of the row of an annotated query
 * ([method@Gorm.Query.annotate]).
 *
 * Returns: (nullable) (transfer none) (type Gorm.Resource): the object,
 *   or %NULL in the rows of other queries
 *
 * Since: 1.0
 */
gpointer
gorm_row_get_resource (GormRow *self)
{
  g_return_val_if_fail (GORM_IS_ROW (self), NULL);

  return self->resource;
}
