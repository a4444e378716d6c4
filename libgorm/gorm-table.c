/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-database-private.h"
#include "gorm-error.h"
#include "gorm-resource-private.h"
#include "gorm-table-private.h"

struct _GormTable
{
  const GormSchema   *schema;
  const GormDialect  *dialect;
  GormConnection *statements;

  GormStatement      *delete;
  GormStatement      *select_by_key;
  GormStatement      *last_insert_id;
  /* INSERT and UPDATE statements by their shape: the columns they write
   * and which of those are NULL (see gorm-dialect-private.h). */
  GHashTable         *writes;
};

GormTable *
gorm_table_new (const GormSchema   *schema,
                const GormDialect  *dialect,
                GormConnection *statements)
{
  GormTable *self = g_new0 (GormTable, 1);

  self->schema = schema;
  self->dialect = dialect;
  self->statements = statements;
  self->writes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return self;
}

void
gorm_table_free (GormTable *self)
{
  g_clear_pointer (&self->writes, g_hash_table_unref);
  g_free (self);
}

const GormSchema *
gorm_table_get_schema (GormTable *self)
{
  return self->schema;
}

/* Looks up (parsing it the first time) the statement a renderer makes. */
static GormStatement *
ensure_statement (GormTable      *self,
                  GormStatement **slot,
                  char         *(*render) (const GormDialect *, const GormSchema *),
                  GError        **error)
{
  if (*slot == NULL)
    {
      g_autofree char *sql = render (self->dialect, self->schema);

      *slot = gorm_connection_lookup_locked (self->statements, sql, error);
    }
  return *slot;
}

static void
unset_values (GValue *values,
              guint   n_values)
{
  for (guint i = 0; i < n_values; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
}

static void
free_values (GValue *values,
             guint   n_values)
{
  unset_values (values, n_values);
  g_free (values);
}

/* Checks the rules libgorm enforces before any SQL runs. */
gboolean
gorm_table_validate_value (const GormSchema  *schema,
                           const GormColumn  *column,
                           const GValue      *value,
                           GError           **error)
{
  if (column->max_length > 0 && G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    {
      const char *text = g_value_get_string (value);
      glong length;

      if (!g_utf8_validate (text, -1, NULL))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "%s:%s holds a string that is not valid UTF-8",
                       schema->type_name, column->pspec->name);
          return FALSE;
        }
      length = g_utf8_strlen (text, -1);
      if (length > column->max_length)
        {
          g_autofree char *shown = g_strndup (text, g_utf8_offset_to_pointer (text, MIN (length, 40)) - text);

          g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                       "%s:%s is limited to %u characters, but “%s%s” has %ld",
                       schema->type_name, column->pspec->name, column->max_length,
                       shown, length > 40 ? "…" : "", length);
          return FALSE;
        }
    }

  return TRUE;
}

/* Reads, validates and converts the property of @column, applying the
 * automatic timestamps: nothing is bound until every value converts. */
static gboolean
column_sql_value (const GormSchema *schema,
                  GormResource     *resource,
                  const GormColumn *column,
                  gboolean          inserting,
                  GDateTime        *now,
                  GValue           *sql_value,
                  GError          **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (column->pspec));
  g_object_get_property (G_OBJECT (resource), column->pspec->name, &value);

  if ((column->flags & GORM_COLUMN_AUTO_NOW) ||
      (inserting && (column->flags & GORM_COLUMN_AUTO_NOW_ADD) && g_value_get_boxed (&value) == NULL))
    g_value_set_boxed (&value, now);

  return gorm_table_validate_value (schema, column, &value, error) &&
         gorm_value_to_sql (column->kind, column->pspec, &value, sql_value, error);
}

static gboolean
sets_timestamp (const GormColumn *column,
                GormResource     *resource,
                gboolean          inserting)
{
  if (column->flags & GORM_COLUMN_AUTO_NOW)
    return TRUE;
  if (inserting && (column->flags & GORM_COLUMN_AUTO_NOW_ADD))
    {
      g_autoptr(GDateTime) current = NULL;

      g_object_get (resource, column->pspec->name, &current, NULL);
      return current == NULL;
    }
  return FALSE;
}

/* Gives the resource the timestamps its row now has, without marking the
 * properties changed. */
static void
apply_timestamps (const GormSchema *schema,
                  GormResource     *resource,
                  const guint      *columns,
                  guint             n_columns,
                  GDateTime        *now)
{
  g_autofree GParamSpec **pspecs = NULL;
  GValue *values;

  if (n_columns == 0)
    return;
  pspecs = g_new0 (GParamSpec *, n_columns);
  values = g_new0 (GValue, n_columns);
  for (guint i = 0; i < n_columns; i++)
    {
      pspecs[i] = schema->columns[columns[i]].pspec;
      g_value_init (&values[i], G_TYPE_DATE_TIME);
      g_value_set_boxed (&values[i], now);
    }
  gorm_resource_apply_stored (resource, gorm_resource_resolve_database (resource, NULL),
                              pspecs, values, n_columns, FALSE);
}

static void
prefix_error (GError          **error,
              const GormSchema *schema,
              const char       *action)
{
  g_prefix_error (error, "Cannot %s %s: ", action, schema->type_name);
}

static gboolean
read_last_insert_id (GormTable  *self,
                     GValue     *key,
                     GError    **error)
{
  static const GType types[] = { G_TYPE_INT64, G_TYPE_NONE };
  g_autoptr(GormRows) model = NULL;
  const GValue *value;

  if (self->last_insert_id == NULL)
    self->last_insert_id = gorm_connection_lookup_locked (self->statements,
                                                        self->dialect->last_insert_id_sql,
                                                        error);
  if (self->last_insert_id == NULL)
    return FALSE;

  model = gorm_connection_select_locked (self->statements, self->last_insert_id, types, error);
  if (model == NULL)
    return FALSE;
  value = gorm_rows_get_value (model, 0, 0, error);
  if (value == NULL)
    return FALSE;

  g_value_init (key, G_TYPE_INT64);
  g_value_set_int64 (key, g_value_get_int64 (value));
  return TRUE;
}

/* The statement writing @values to @columns (all columns but the
 * automatic key when @columns is NULL, an INSERT). */
static GormStatement *
lookup_write (GormTable     *self,
              const guint   *columns,
              const GValue  *values,
              guint          n_values,
              GError       **error)
{
  /* The shape is written by hand: this runs once per save. A column
   * number takes at most 10 digits. */
  char *shape = g_newa (char, 2 + n_values * 12);
  GType null_type = GORM_TYPE_SQL_NULL;
  GormStatement *statement;
  g_autofree char *sql = NULL;
  char *end = shape;

  *end++ = columns ? 'u' : 'i';
  for (guint i = 0; i < n_values; i++)
    {
      if (columns != NULL)
        {
          char digits[10];
          guint n = 0;

          for (guint number = columns[i]; number > 0 || n == 0; number /= 10)
            digits[n++] = '0' + number % 10;
          while (n > 0)
            *end++ = digits[--n];
        }
      *end++ = G_VALUE_TYPE (&values[i]) == null_type ? 'n' : 'v';
    }
  *end = '\0';

  statement = g_hash_table_lookup (self->writes, shape);
  if (statement != NULL)
    return statement;

  if (columns == NULL)
    sql = gorm_dialect_render_insert (self->dialect, self->schema, values);
  else
    sql = gorm_dialect_render_update (self->dialect, self->schema, columns, values, n_values);
  statement = gorm_connection_lookup_locked (self->statements, sql, error);
  if (statement != NULL)
    g_hash_table_insert (self->writes, g_strdup (shape), statement);

  return statement;
}

struct _GormSave
{
  gboolean   inserting;
  /* The time of the save, read at the first column that gets an automatic
   * timestamp; NULL when none does. */
  GDateTime *now;
  /* The columns written and their SQL values, in order. */
  guint     *columns;
  GValue    *values;
  guint      n_columns;
  /* The columns that get the automatic timestamp. */
  guint     *stamped;
  guint      n_stamped;
};

gboolean
gorm_save_is_insert (GormSave *save)
{
  return save->inserting;
}

void
gorm_save_free (GormSave *save)
{
  free_values (save->values, save->n_columns);
  g_free (save->columns);
  g_free (save->stamped);
  g_clear_pointer (&save->now, g_date_time_unref);
  g_free (save);
}

GormSave *
gorm_table_prepare_save (const GormSchema  *schema,
                         GormResource      *resource,
                         gboolean           inserting,
                         GError           **error)
{
  const GError *read_error = gorm_table_get_read_error (resource);
  GormSave *save;

  /* A stand-in holds default values, not its row's: writing them would
   * overwrite the row. */
  if (read_error != NULL && !inserting)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "Cannot update %s: the object stands in for a row that could not be read, "
                   "and would overwrite it with default values; reload it once the row is "
                   "fixed, or delete it (%s)",
                   schema->type_name, read_error->message);
      return NULL;
    }

  save = g_new0 (GormSave, 1);
  save->inserting = inserting;
  save->columns = g_new0 (guint, schema->n_columns);
  save->values = g_new0 (GValue, schema->n_columns);
  save->stamped = g_new0 (guint, schema->n_columns);

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];

      if (column->flags & GORM_COLUMN_AUTO_ID)
        continue;
      if (sets_timestamp (column, resource, inserting))
        {
          if (save->now == NULL)
            save->now = g_date_time_new_now_utc ();
          save->stamped[save->n_stamped++] = i;
        }
      else if (!inserting && !gorm_resource_column_is_dirty (resource, i))
        continue;
      save->columns[save->n_columns] = i;
      if (!column_sql_value (schema, resource, column, inserting, save->now,
                             &save->values[save->n_columns], error))
        {
          g_prefix_error (error, "Cannot %s %s: ", inserting ? "insert" : "update", schema->type_name);
          save->n_columns++;
          gorm_save_free (save);
          return NULL;
        }
      save->n_columns++;
    }

  return save;
}

gboolean
gorm_table_insert (GormTable     *self,
                   GormResource  *resource,
                   GormSave      *save,
                   GValue        *key,
                   GError       **error)
{
  const GormSchema *schema = self->schema;
  GormStatement *statement;
  gboolean auto_id = gorm_schema_has_auto_id (schema);

  statement = lookup_write (self, NULL, save->values, save->n_columns, error);
  if (statement == NULL)
    goto failed;
  if (!auto_id)
    {
      g_value_init (key, G_VALUE_TYPE (&save->values[0]));
      g_value_copy (&save->values[0], key);
    }
  /* The values move to the statement: a save is written once. */
  gorm_statement_take_params (statement, save->values, save->n_columns);

  if (gorm_connection_execute_locked (self->statements, statement, error) < 0 ||
      (auto_id && !read_last_insert_id (self, key, error)))
    {
      if (G_IS_VALUE (key))
        g_value_unset (key);
      goto failed;
    }

  apply_timestamps (schema, resource, save->stamped, save->n_stamped, save->now);
  return TRUE;

failed:
  prefix_error (error, schema, "insert");
  return FALSE;
}

static void
take_key_param (GormStatement *statement,
                guint          number,
                const GValue  *key)
{
  GValue copy = G_VALUE_INIT;

  g_value_init (&copy, G_VALUE_TYPE (key));
  g_value_copy (key, &copy);
  gorm_statement_take_param (statement, number, &copy);
}

static gboolean
check_row_exists (const GormSchema *schema,
                  gint64            rows,
                  const GValue     *key,
                  const char       *action,
                  GError          **error)
{
  g_autofree char *shown = NULL;

  if (rows > 0)
    return TRUE;

  shown = gorm_value_describe (key);
  g_set_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND,
               "Cannot %s %s %s: its row no longer exists in “%s”",
               action, schema->type_name, shown, schema->table);
  return FALSE;
}

gboolean
gorm_table_update (GormTable     *self,
                   GormResource  *resource,
                   GormSave      *save,
                   GValue        *new_key,
                   GError       **error)
{
  const GormSchema *schema = self->schema;
  const GValue *key = gorm_resource_get_key_value (resource);
  GormStatement *statement;
  guint n_bound;
  gint64 rows;

  /* A natural key may change; the row keeps being found by the old one
   * until the UPDATE has run. */
  {
    const GValue *source = (save->n_columns > 0 && save->columns[0] == 0) ? &save->values[0] : key;

    g_value_init (new_key, G_VALUE_TYPE (source));
    g_value_copy (source, new_key);
  }

  /* Nothing changed: nothing to write. */
  if (save->n_columns == 0)
    return TRUE;

  statement = lookup_write (self, save->columns, save->values, save->n_columns, error);
  if (statement == NULL)
    goto failed;
  n_bound = gorm_statement_get_n_params (statement) - 1;
  /* The values move to the statement: a save is written once. */
  gorm_statement_take_params (statement, save->values, save->n_columns);
  take_key_param (statement, n_bound, key);

  rows = gorm_connection_execute_locked (self->statements, statement, error);
  if (rows < 0 || !check_row_exists (schema, rows, key, "update", error))
    {
      g_value_unset (new_key);
      goto failed;
    }

  apply_timestamps (schema, resource, save->stamped, save->n_stamped, save->now);
  return TRUE;

failed:
  prefix_error (error, schema, "update");
  return FALSE;
}

gboolean
gorm_table_delete (GormTable     *self,
                   GormResource  *resource,
                   GError       **error)
{
  const GValue *key = gorm_resource_get_key_value (resource);
  GormStatement *statement;
  gint64 rows;

  statement = ensure_statement (self, &self->delete, gorm_dialect_render_delete, error);
  if (statement == NULL)
    return FALSE;
  take_key_param (statement, 0, key);

  rows = gorm_connection_execute_locked (self->statements, statement, error);
  if (rows < 0)
    {
      prefix_error (error, self->schema, "delete");
      return FALSE;
    }
  return check_row_exists (self->schema, rows, key, "delete", error);
}

GormRows *
gorm_table_select_by_key (GormTable     *self,
                          const GValue  *key,
                          GError       **error)
{
  GormStatement *statement;

  statement = ensure_statement (self, &self->select_by_key, gorm_dialect_render_select_by_key, error);
  if (statement == NULL)
    return NULL;
  take_key_param (statement, 0, key);

  return gorm_connection_select_locked (self->statements, statement, self->schema->sql_types, error);
}

/* The property values of a row, @row[i] the SQL value of column i:
 * @values[i] is @row[i] itself where the property takes it as it is
 * (gorm_value_sql_is_property_value()), else @converted[i], which then
 * holds the converted value; the automatic id has none. @converted has
 * room for one GValue per column. On failure nothing is left to unset. */
static gboolean
row_values (const GormSchema    *schema,
            const GValue *const *row,
            GValue              *converted,
            const GValue       **values,
            GError             **error)
{
  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];

      values[i] = NULL;
      converted[i] = (GValue) G_VALUE_INIT;
      if (column->flags & GORM_COLUMN_AUTO_ID)
        continue;
      if (gorm_value_sql_is_property_value (column->kind, column->pspec, row[i]))
        {
          values[i] = row[i];
          continue;
        }
      if (!gorm_value_from_sql (column->kind, column->pspec, row[i], &converted[i], error))
        {
          g_autofree char *key = gorm_value_describe (row[0]);

          g_prefix_error (error, "Cannot read the row of table “%s” whose %s is %s, column “%s”: ",
                          schema->table, schema->key->name, key, column->name);
          unset_values (converted, i);
          return FALSE;
        }
      values[i] = &converted[i];
    }

  return TRUE;
}

/* Copies of the property values of row_values(), for
 * gorm_resource_apply_stored(), which takes them. */
static GValue *
copy_values (const GormSchema  *schema,
             const GValue     **values)
{
  GValue *copies = g_new0 (GValue, schema->n_columns);

  for (guint i = 0; i < schema->n_columns; i++)
    if (values[i] != NULL)
      {
        g_value_init (&copies[i], G_VALUE_TYPE (values[i]));
        g_value_copy (values[i], &copies[i]);
      }
  return copies;
}

GValue *
gorm_table_copy_row (GormTable     *self,
                     GormRows  *model,
                     gint           row,
                     GError       **error)
{
  const GormSchema *schema = self->schema;
  GValue *values = g_new0 (GValue, schema->n_columns + 1);

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GValue *value = gorm_rows_get_value (model, i, row, error);

      if (value == NULL)
        {
          gorm_table_free_row (values);
          return NULL;
        }
      g_value_init (&values[i], G_VALUE_TYPE (value));
      g_value_copy (value, &values[i]);
    }
  return values;
}

void
gorm_table_free_row (GValue *row)
{
  /* Every value of a copied row is set, and an unset one ends it. */
  for (guint i = 0; G_IS_VALUE (&row[i]); i++)
    g_value_unset (&row[i]);
  g_free (row);
}

/* The stored properties of @values, for gorm_resource_apply_stored(),
 * which takes the values. */
static GParamSpec **
column_pspecs (const GormSchema *schema)
{
  GParamSpec **pspecs = g_new0 (GParamSpec *, schema->n_columns);

  for (guint i = 0; i < schema->n_columns; i++)
    pspecs[i] = schema->columns[i].pspec;
  return pspecs;
}

/* Sets a stored property of an object being built, as
 * g_object_set_property() does but without its notification, which no one
 * can be listening to yet: @value was converted to the property's type and
 * validated by gorm_value_from_sql(). */
static void
set_new_property (GObject      *object,
                  GParamSpec   *pspec,
                  const GValue *value)
{
  GParamSpec *target = g_param_spec_get_redirect_target (pspec);
  GObjectClass *owner;

  if (target != NULL)
    pspec = target;
  owner = g_type_class_peek (pspec->owner_type);
  owner->set_property (object, pspec->param_id, value, pspec);
}

static gboolean
is_construct_property (GParamSpec *pspec)
{
  return (pspec->flags & (G_PARAM_CONSTRUCT | G_PARAM_CONSTRUCT_ONLY)) != 0;
}

/* A new object for a row whose key is @key, with the property values
 * @values of row_values(). */
static GObject *
new_row_object (const GormSchema  *schema,
                GormDatabase      *database,
                const GValue      *key,
                const GValue     **values)
{
  const char **names = g_newa (const char *, schema->n_columns + 1);
  GValue *properties = g_newa (GValue, schema->n_columns + 1);
  GObject *object;
  guint n = 0;

  /* Construct properties go to g_object_new(), with the database; the
   * others are set once the object is built, without notifications.
   * g_object_new() copies what it keeps of the values it is given, which
   * are passed as they are. */
  names[n] = "database";
  properties[n] = (GValue) G_VALUE_INIT;
  g_value_init (&properties[n], GORM_TYPE_DATABASE);
  g_value_set_object (&properties[n], database);
  n++;
  for (guint i = 0; i < schema->n_columns; i++)
    {
      GParamSpec *pspec = schema->columns[i].pspec;

      if (values[i] != NULL && is_construct_property (pspec))
        {
          names[n] = pspec->name;
          properties[n++] = *values[i];
        }
    }

  /* Not g_object_new() itself: a Python class builds its objects in
   * Python (see gorm_resource_class_set_new_func()). */
  object = gorm_schema_new_object (schema->type, database, n, names, properties);
  g_value_unset (&properties[0]);

  for (guint i = 0; i < schema->n_columns; i++)
    {
      GParamSpec *pspec = schema->columns[i].pspec;

      if (values[i] != NULL && !is_construct_property (pspec))
        set_new_property (object, pspec, values[i]);
    }

  gorm_resource_mark_loaded (GORM_RESOURCE (object), schema, key);
  return object;
}

/* Marks a stand-in with the error met reading its row. */
static GQuark
read_error_quark (void)
{
  return g_quark_from_static_string ("gorm-table-read-error");
}

/* The object of the row whose key is @key, with the property values
 * @values of row_values(): the row's live object, which takes the values,
 * or a new one. */
static gpointer
row_object (const GormSchema  *schema,
            GormDatabase      *database,
            const GValue      *key,
            const GValue     **values)
{
  GObject *object = (GObject *) gorm_database_lookup_live_locked (database, schema->type, key);

  if (object != NULL)
    {
      g_autofree GParamSpec **pspecs = column_pspecs (schema);

      /* A live object takes the row's values, except where it has unsaved
       * changes: those stay the application's. */
      gorm_resource_apply_stored (GORM_RESOURCE (object), database, pspecs,
                                  copy_values (schema, values), schema->n_columns, TRUE);
      /* A stand-in whose row reads now is an object of its row like any. */
      if (g_object_get_qdata (object, read_error_quark ()) != NULL)
        g_object_set_qdata (object, read_error_quark (), NULL);
      return object;
    }

  return new_row_object (schema, database, key, values);
}

/* The object of a row whose values are @row[i]: the key first. */
static gpointer
object_of_row (const GormSchema     *schema,
               GormDatabase         *database,
               const GValue *const  *row,
               GError              **error)
{
  GValue *converted = g_newa (GValue, schema->n_columns);
  const GValue **values = g_newa (const GValue *, schema->n_columns);
  gpointer object;

  if (!row_values (schema, row, converted, values, error))
    return NULL;
  object = row_object (schema, database, row[0], values);
  unset_values (converted, schema->n_columns);
  return object;
}

gpointer
gorm_table_resource_from_row (const GormSchema  *schema,
                              GormDatabase      *database,
                              GValue            *row,
                              GError           **error)
{
  const GValue **pointers = g_newa (const GValue *, schema->n_columns);
  gpointer object;

  for (guint i = 0; i < schema->n_columns; i++)
    pointers[i] = &row[i];
  object = object_of_row (schema, database, pointers, error);
  gorm_table_free_row (row);
  return object;
}

/* Points @sql_row[i] to the value of column i of @row in @model. */
static gboolean
model_row (const GormSchema  *schema,
           GormRows      *model,
           gint               row,
           const GValue     **sql_row,
           GError           **error)
{
  for (guint i = 0; i < schema->n_columns; i++)
    {
      sql_row[i] = gorm_rows_get_value (model, i, row, error);
      if (sql_row[i] == NULL)
        return FALSE;
    }
  return TRUE;
}

gpointer
gorm_table_new_resource (GormTable     *self,
                         GormDatabase  *database,
                         GormRows  *model,
                         gint           row,
                         GError       **error)
{
  const GormSchema *schema = self->schema;
  const GValue **sql_row = g_newa (const GValue *, schema->n_columns);

  /* The model's values are read where they are, without a copy. */
  if (!model_row (schema, model, row, sql_row, error))
    return NULL;
  return object_of_row (schema, database, sql_row, error);
}

const GError *
gorm_table_get_read_error (GormResource *resource)
{
  return g_object_get_qdata (G_OBJECT (resource), read_error_quark ());
}

gpointer
gorm_table_new_stand_in (GormTable     *self,
                         GormDatabase  *database,
                         GormRows      *model,
                         gint           row,
                         const GError  *read_error,
                         GError       **error)
{
  const GormSchema *schema = self->schema;
  const GValue **values = g_newa (const GValue *, schema->n_columns);
  const GValue *key;
  GObject *object;

  /* The key comes first. */
  key = gorm_rows_get_value (model, 0, row, error);
  if (key == NULL)
    return NULL;

  /* A live object of the row keeps the values it had. */
  object = (GObject *) gorm_database_lookup_live_locked (database, schema->type, key);
  if (object != NULL)
    return object;

  for (guint i = 0; i < schema->n_columns; i++)
    values[i] = NULL;
  object = new_row_object (schema, database, key, values);
  g_object_set_qdata_full (object, read_error_quark (), g_error_copy (read_error),
                           (GDestroyNotify) g_error_free);
  return object;
}

gboolean
gorm_table_load_resource (GormTable     *self,
                          GormResource  *resource,
                          GormRows  *model,
                          gint           row,
                          GError       **error)
{
  const GormSchema *schema = self->schema;
  const GValue **sql_row = g_newa (const GValue *, schema->n_columns);
  GValue *converted = g_newa (GValue, schema->n_columns);
  const GValue **values = g_newa (const GValue *, schema->n_columns);
  g_autofree GParamSpec **pspecs = NULL;
  GormDatabase *database = gorm_resource_get_database (resource);

  if (!model_row (schema, model, row, sql_row, error) ||
      !row_values (schema, sql_row, converted, values, error))
    return FALSE;

  pspecs = column_pspecs (schema);
  gorm_resource_mark_saved (resource, database, sql_row[0]);
  gorm_resource_apply_stored (resource, database, pspecs, copy_values (schema, values),
                              schema->n_columns, FALSE);
  unset_values (converted, schema->n_columns);
  /* A stand-in whose row reads now is an object of its row like any. */
  if (gorm_table_get_read_error (resource) != NULL)
    g_object_set_qdata (G_OBJECT (resource), read_error_quark (), NULL);
  return TRUE;
}
