/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <sql-parser/gda-sql-parser.h>

#include "gorm-error.h"
#include "gorm-statement-cache-private.h"

struct _GormStatement
{
  char          *sql;
  GdaStatement  *statement;
  GdaSet        *params;
  /* The holders of ##p0, ##p1, … in order. */
  GdaHolder    **holders;
  guint          n_holders;
};

struct _GormStatementCache
{
  GdaConnection     *connection;
  const GormDialect *dialect;
  GdaSqlParser      *parser;
  GHashTable        *statements;
  GormTraceFunc      trace_func;
  gpointer           trace_data;
};

static void
gorm_statement_free (GormStatement *self)
{
  g_clear_object (&self->statement);
  g_clear_object (&self->params);
  g_free (self->holders);
  g_free (self->sql);
  g_free (self);
}

GormStatementCache *
gorm_statement_cache_new (GdaConnection     *connection,
                          const GormDialect *dialect)
{
  GormStatementCache *self = g_new0 (GormStatementCache, 1);

  self->connection = g_object_ref (connection);
  self->dialect = dialect;
  self->parser = g_object_new (GDA_TYPE_SQL_PARSER,
                               "mode", GDA_SQL_PARSER_MODE_DELIMIT,
                               NULL);
  /* The key is the statement's own copy of its SQL text. */
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) gorm_statement_free);

  return self;
}

void
gorm_statement_cache_free (GormStatementCache *self)
{
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_object (&self->parser);
  g_clear_object (&self->connection);
  g_free (self);
}

void
gorm_statement_cache_set_trace (GormStatementCache *self,
                                GormTraceFunc       func,
                                gpointer            user_data)
{
  self->trace_func = func;
  self->trace_data = user_data;
}

guint
gorm_statement_cache_get_size (GormStatementCache *self)
{
  return g_hash_table_size (self->statements);
}

/* Turns a libgda error into a GormError whose code the dialect chose. */
static void
translate_error (GormStatementCache *self,
                 GError            **error,
                 GError             *gda_error,
                 const char         *sql)
{
  GormError code = GORM_ERROR_FAILED;
  const char *message = "unknown error";

  if (gda_error != NULL)
    {
      code = self->dialect->classify_error (gda_error);
      message = gda_error->message;
    }
  g_set_error (error, GORM_ERROR, code, "%s (in “%s”)", message, sql);
  g_clear_error (&gda_error);
}

static gboolean
collect_holders (GormStatement *statement,
                 GError       **error)
{
  guint n;

  if (!gda_statement_get_parameters (statement->statement, &statement->params, error))
    return FALSE;
  if (statement->params == NULL)
    return TRUE;

  n = g_slist_length (statement->params->holders);
  statement->holders = g_new0 (GdaHolder *, n);
  statement->n_holders = n;
  for (guint i = 0; i < n; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "p%u", i);
      statement->holders[i] = gda_set_get_holder (statement->params, id);
      if (statement->holders[i] == NULL)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                       "The parameters of “%s” are not numbered p0 to p%u",
                       statement->sql, n - 1);
          return FALSE;
        }
      /* The set listens to its holders to validate and relay their
       * changes, for user interfaces bound to it; nothing listens to this
       * set, and the relaying costs a third of an INSERT. */
      g_signal_handlers_disconnect_matched (statement->holders[i], G_SIGNAL_MATCH_DATA,
                                            0, 0, NULL, NULL, statement->params);
    }

  return TRUE;
}

GormStatement *
gorm_statement_cache_lookup (GormStatementCache *self,
                             const char         *sql,
                             GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  GormStatement *statement;
  const char *rest = NULL;

  statement = g_hash_table_lookup (self->statements, sql);
  if (statement != NULL)
    return statement;

  statement = g_new0 (GormStatement, 1);
  statement->sql = g_strdup (sql);
  statement->statement = gda_sql_parser_parse_string (self->parser, sql, &rest, &local_error);
  if (statement->statement != NULL && rest != NULL && *rest != '\0')
    g_set_error (&local_error, GORM_ERROR, GORM_ERROR_FAILED,
                 "Only one statement can be run at a time");
  if (local_error == NULL)
    collect_holders (statement, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "Cannot parse the SQL “%s”: %s", sql, local_error->message);
      gorm_statement_free (statement);
      return NULL;
    }

  g_hash_table_insert (self->statements, statement->sql, statement);
  return statement;
}

guint
gorm_statement_get_n_params (GormStatement *self)
{
  return self->n_holders;
}

const char *
gorm_statement_get_sql (GormStatement *self)
{
  return self->sql;
}

void
gorm_statement_take_param (GormStatement *self,
                           guint          number,
                           GValue        *value)
{
  GValue *owned;

  g_return_if_fail (number < self->n_holders);

  /* The holder takes the value without copying it: a copy costs a malloc
   * per parameter and drops the data pointer of an empty GdaBinary, which
   * libgda would then bind as NULL instead of an empty blob. */
  owned = g_new0 (GValue, 1);
  *owned = *value;
  *value = (GValue) G_VALUE_INIT;
  gda_holder_take_value (self->holders[number], owned, NULL);
}

/* Binds @values in order to the statement's parameters, skipping the
 * NULLs, which the dialect wrote into the SQL as literals. */
void
gorm_statement_take_params (GormStatement *self,
                            GValue        *values,
                            guint          n_values)
{
  guint number = 0;

  for (guint i = 0; i < n_values; i++)
    if (!G_VALUE_HOLDS (&values[i], GDA_TYPE_NULL))
      gorm_statement_take_param (self, number++, &values[i]);
}

static void
trace (GormStatementCache *self,
       const char         *sql)
{
  if (self->trace_func != NULL)
    self->trace_func (sql, self->trace_data);
}

/* libgda sometimes fails a statement without setting its GError and only
 * records the error as the connection's last event. */
static GError *
error_from_events (GormStatementCache *self)
{
  const GList *events = gda_connection_get_events (self->connection);
  const GList *last = events ? g_list_last ((GList *) events) : NULL;

  if (last != NULL &&
      gda_connection_event_get_event_type (last->data) == GDA_CONNECTION_EVENT_ERROR)
    return g_error_new_literal (GORM_ERROR, GORM_ERROR_FAILED,
                                gda_connection_event_get_description (last->data));
  return NULL;
}

gint64
gorm_statement_execute (GormStatementCache *self,
                        GormStatement      *statement,
                        GError            **error)
{
  GError *gda_error = NULL;
  gint rows;

  trace (self, statement->sql);
  rows = gda_connection_statement_execute_non_select (self->connection,
                                                      statement->statement,
                                                      statement->params,
                                                      NULL, &gda_error);
  /* libgda reports -2 rows for statements, such as DDL, that change no
   * rows; -1 is an error, set or not. */
  if (rows == -1 && gda_error == NULL)
    gda_error = error_from_events (self);
  if (gda_error != NULL)
    {
      translate_error (self, error, gda_error, statement->sql);
      return -1;
    }

  return MAX (rows, 0);
}

GdaDataModel *
gorm_statement_execute_select (GormStatementCache *self,
                               GormStatement      *statement,
                               const GType        *column_types,
                               GError            **error)
{
  GError *gda_error = NULL;
  GdaDataModel *model;

  trace (self, statement->sql);
  model = gda_connection_statement_execute_select_full (self->connection,
                                                        statement->statement,
                                                        statement->params,
                                                        GDA_STATEMENT_MODEL_RANDOM_ACCESS,
                                                        (GType *) column_types,
                                                        &gda_error);
  if (model == NULL && gda_error == NULL)
    gda_error = error_from_events (self);
  /* SQLite reports some refusals (a LIKE pattern too long, for one) only
   * when the statement is stepped: libgda's model then keeps the error as
   * an exception and holds no rows, which would read as an empty result.
   * Counting the rows steps the statement to its end (a random access
   * model reads every row anyway). */
  if (model != NULL && gda_data_model_get_n_rows (model) >= 0)
    {
      GError **exceptions = gda_data_model_get_exceptions (model);

      if (exceptions != NULL && exceptions[0] != NULL)
        {
          gda_error = g_error_copy (exceptions[0]);
          g_clear_object (&model);
        }
    }
  if (model == NULL)
    {
      translate_error (self, error, gda_error, statement->sql);
      return NULL;
    }

  /* A row SQLite fails to step to (a damaged page, an I/O error) ends a
   * random-access model early and is kept as an exception of the model,
   * not returned: the rows are fetched now, so that such an error fails
   * the select instead of reading as fewer rows. */
  gda_data_model_get_n_rows (model);
  {
    GError **exceptions = gda_data_model_get_exceptions (model);

    if (exceptions != NULL && exceptions[0] != NULL)
      {
        translate_error (self, error, g_error_copy (exceptions[0]), statement->sql);
        g_object_unref (model);
        return NULL;
      }
  }

  return model;
}

gboolean
gorm_statement_cache_run (GormStatementCache *self,
                          const char         *sql,
                          GError            **error)
{
  GormStatement *statement = gorm_statement_cache_lookup (self, sql, error);

  return statement != NULL && gorm_statement_execute (self, statement, error) >= 0;
}
