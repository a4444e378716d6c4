/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib-object.h>

#include "gorm-error.h"
#include "gorm-expression.h"
#include "gorm-relation-private.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/*
 * The dialect: everything that differs between SQL databases, and the SQL
 * text libgorm generates. Identifiers always come from a schema and are
 * always quoted; values are always parameters, written in libgda's
 * `##pN::type::null` form (a GBytes value as GdaBinary, the type the
 * connection binds it as) and numbered from 0 in the order they are bound.
 *
 * The one value written into the SQL is NULL: libgda rewrites (and leaks
 * a copy of) every statement executed with a NULL parameter, so the
 * statements that write values take them, and render a NULL value as the
 * literal NULL instead of a parameter. Each shape of NULLs is one cached
 * statement.
 */
typedef struct _GormDialect GormDialect;

/* What a column's values are, as a migration compares and converts
 * them: the model's from its kind, the database's from its declared
 * type. NUMERIC (SQLite's affinity of a type it does not know) holds
 * integers, doubles, booleans and date-times as they are. */
typedef enum {
  GORM_STORED_INTEGER,
  GORM_STORED_BOOLEAN,
  GORM_STORED_DOUBLE,
  GORM_STORED_NUMERIC,
  GORM_STORED_TEXT,
  GORM_STORED_DATE_TIME,
  GORM_STORED_BYTES,
} GormStoredClass;

struct _GormDialect
{
  const char *name;
  /* The libgda provider name. */
  const char *provider;

  /* Statements run once on every new connection, in order. */
  const char * const *open_statements;
  /* Those run instead on a connection opened read-only: they write
   * nothing, and make every later write fail. */
  const char * const *read_only_open_statements;

  const char *begin_sql;
  /* A SELECT a migration runs first in its transaction, which waits until
   * no other connection migrates the database and keeps the others
   * waiting until this transaction ends; NULL where begin_sql already
   * keeps every other writer out (SQLite's BEGIN IMMEDIATE). */
  const char *migration_lock_sql;
  /* How the key of a new row is read back: a statement run after the
   * INSERT (which the connection spares where it reads the key from the
   * engine itself: gorm_connection_last_insert_id_locked()), or NULL when
   * the INSERT itself returns it (RETURNING). */
  const char *last_insert_id_sql;
  /* How many parameters one statement may bind: a multi-row INSERT or
   * UPDATE of many objects is cut into statements within it. */
  guint       max_parameters;
  /* A SELECT of ##p2 new values of the sequence of the automatic key
   * column ##p1 of the table ##p0 (quoted), which a multi-row INSERT
   * then writes itself; NULL where the engine numbers the rows of one
   * INSERT consecutively and last_insert_id_sql reads the last. */
  const char *reserve_ids_sql;
  /* A SELECT moving that sequence (same ##p0, ##p1) past ##p2, a key an
   * INSERT wrote itself, so that the next automatic key does not take it;
   * NULL where the engine does so by itself (SQLite's AUTOINCREMENT). */
  const char *advance_ids_sql;
  /* Whether the values a CASE gives are cast to their column's type: a
   * server that types parameters from their use (PostgreSQL) reads those
   * of a CASE as text, which a column of another type refuses. */
  gboolean    casts_case_values;

  const char *(*column_type)         (const GormColumn *column);
  const char  *auto_id_column_type;
  /* The storage class (typeof()) a column's values must have, enforced
   * by a CHECK constraint, or NULL where the column type enforces it. */
  const char *(*storage_class)       (const GormColumn *column);

  /* The first keywords, besides SELECT, WITH and VALUES, of the
   * statements whose rows the engine gives (SQLite's PRAGMA, PostgreSQL's
   * SHOW, EXPLAIN): what gorm_database_select() runs as they are. */
  const char * const *row_statements;
  /* The catalog (gorm-catalog-private.h): a SELECT of the names of the
   * database's own tables; and, of the table bound as ##p0, its columns
   * (name, declared type, not null 0/1, default text or NULL, in the
   * primary key 0/1, in table order), its indexes (one row per indexed
   * column: name, unique 0/1, primary 0/1, made by the table's definition
   * 0/1, column name or NULL for an expression; by index, then column
   * order) and its foreign keys (column, target table, target column,
   * ON DELETE action, constraint name or NULL). */
  const char *catalog_tables_sql;
  const char *catalog_columns_sql;
  const char *catalog_indexes_sql;
  const char *catalog_foreign_keys_sql;
  /* Whether an existing column declared as @declared holds @column's
   * values without changing them. */
  gboolean    (*column_type_fits)    (const GormColumn *column,
                                      const char       *declared);

  /* The GormError code of an error a statement failed with, and the
   * SQLSTATE libgda read for it (NULL, or "HY000" when the engine gives
   * none, as SQLite's provider does). */
  GormError   (*classify_error)      (const GError     *error,
                                      const char       *sqlstate);

  /* How many values an IN list binds one by one; a longer list is bound
   * as one value by append_value_set. libgda's cost per parameter grows
   * with the number of parameters of the statement. */
  guint        max_listed_values;
  /* Appends a condition true when @column is among the @n_values SQL
   * values (none NULL), or not among them when @negated, bound as one
   * parameter appended to @params: the IN of a long list. */
  void        (*append_value_set)    (GString          *sql,
                                      GArray           *params,
                                      const GormColumn *column,
                                      const GValue     *values,
                                      guint             n_values,
                                      gboolean          negated);
  /* Part of the message of a ROLLBACK that found no transaction open. */
  const char  *no_transaction_message;
  /* The operator true when two values are equal or both NULL: IS in
   * SQLite, IS NOT DISTINCT FROM in standard SQL. */
  const char  *same_as_operator;
  /* Whether ORDER BY must say where NULLs go for them to sort as in
   * SQLite (first when ascending, last when descending): PostgreSQL sorts
   * them the other way. */
  gboolean     orders_nulls;
  /* Whether the rows of a select whose FROM is a subquery followed by
   * LEFT JOINs come in the subquery's order with no ORDER BY of their
   * own: SQLite never reorders an outer join, so the subquery (a
   * co-routine) is its outer loop; an ORDER BY written again would sort
   * every row once more, in a temporary B-tree. PostgreSQL may hash the
   * join, which keeps no order. */
  gboolean     joins_keep_order;
  /* The rows a query model reads per query: more where each query is a
   * round trip to a server than where it is a call into the library. */
  guint        page_rows;
  /* The engine's plan of a query (gorm_dialect_render_explain()): what
   * is written before a SELECT for the engine to give the steps of its
   * plan instead of its rows, the SQL types of the plan's columns
   * (G_TYPE_NONE terminated), the column holding the text of a step,
   * and whether a step of that text sorts the rows for their ORDER BY
   * (gorm_dialect_plan_step_sorts()). */
  const char  *explain_prefix;
  const GType *explain_types;
  guint        explain_step_column;
  gboolean   (*plan_step_sorts)      (const char       *step);
  /* Whether such a step sorts all its rows, not runs of rows that an
   * index gives in order of their first terms (NULL: every step that
   * sorts does; see gorm_dialect_plan_step_sorts_all()). */
  gboolean   (*plan_step_sorts_all)  (const char       *step);
  /* Whether the engine's values are read as text and converted by
   * gorm_value_from_engine_text(), every result copied before the lock is
   * released (PostgreSQL); else read as libgda gives them (SQLite). */
  gboolean     values_as_text;
  /* A SELECT of one gint64: the id of the server process of the
   * connection, which cancelling names; NULL where there is none. */
  const char  *backend_id_sql;
  /* A printf format turning the quoted date-time column %s into the text
   * libgorm writes for it ("2024-03-05T13:03:02.123456Z"), which LIKE
   * matches; NULL where the column holds that text. */
  const char  *date_time_text;
  /* A SELECT of one integer that changes when another connection
   * commits to the database, and only then (SQLite's data_version): what
   * a live model's listener polls; NULL when the engine notifies
   * instead. */
  const char  *change_counter_sql;
  /* A SELECT of the path of the database's file (empty in memory): the
   * listener watches its directory to read the counter when it changed
   * only. */
  const char  *database_file_sql;
  /* Where the engine notifies instead (PostgreSQL): the channel a
   * listener LISTENs on, whose payload is the name of a table that
   * changed; the statement creating the function that notifies it, the
   * SELECT counting the notifying triggers of the table bound as ##p0,
   * and the statement creating that trigger on @table. NULL where there
   * are no notifications. */
  const char  *notify_channel;
  const char  *notify_function_sql;
  const char  *notify_trigger_count_sql;
  char      *(*render_notify_trigger) (const char *table);

  /* Expressions (gorm-dialect-expression.c). Appends @part of the
   * date-time SQL expression @operand, read in UTC: a bigint, or for
   * GORM_DATE_PART_DATE a date-time of 00:00 UTC that day as the engine
   * stores date-times (so that it compares with one). */
  void        (*append_date_part)    (GString          *sql,
                                      GormDatePart      part,
                                      const char       *operand);
  /* A printf format turning the SQL expression %s into a double, for
   * AVG where the engine's own result is no double; NULL where it is. */
  const char  *double_cast;
  /* The same for a bigint, for SUM of integers; NULL where the engine's
   * sum of integers is one. */
  const char  *integer_cast;
  /* A printf format giving the parameter %s, a constant of an
   * expression whose values are of @kind, the engine's type of such
   * values, where the engine cannot infer it (PostgreSQL reads "$1 +
   * $2" as integers); NULL where it needs none. */
  const char *(*parameter_cast)     (GormValueKind     kind);

  /* Migrations (gorm-dialect-migration.c). Whether the engine's ALTER
   * TABLE cannot change a column's type, nullability or default, nor a
   * foreign key, nor drop a column that a constraint names (SQLite): the
   * table is rebuilt instead, in SQLite's documented 12 steps. */
  gboolean     rebuilds_tables;
  /* The class of values a column declared as @declared holds, and in
   * @max_length its length limit (0: none). */
  GormStoredClass (*stored_class)   (const char       *declared,
                                     guint            *max_length);
  /* A SELECT of the SQL of the triggers of the table bound as ##p0, which
   * a rebuild recreates; NULL where tables are never rebuilt. */
  const char  *triggers_sql;
  /* printf formats over the quoted column %s: true when its text is an
   * integer (a double) written exactly as the engine writes it; true when
   * its double is an integer in gint64's range; and the expressions
   * converting it to an integer, a double, an integer from a boolean and
   * a boolean from an integer 0 or 1. */
  const char  *text_is_integer;
  const char  *text_is_double;
  const char  *double_is_integer;
  const char  *to_integer;
  const char  *to_double;
  const char  *boolean_to_integer;
  const char  *integer_to_boolean;
};

const GormDialect *gorm_dialect_sqlite          (void);
const GormDialect *gorm_dialect_postgresql      (void);
const GormDialect *gorm_dialect_for_provider    (const char         *provider);

/* "NAME(SIZE)", a string that lives as long as the process, like the
 * schemas whose column types it names. */
const char *gorm_dialect_sized_type             (const char         *name,
                                                 guint               size);
void     gorm_dialect_append_identifier         (GString            *sql,
                                                 const char         *identifier);
void     gorm_dialect_append_parameter          (GString            *sql,
                                                 guint               number,
                                                 GType               sql_type);

char    *gorm_dialect_render_create_table       (const GormDialect  *dialect,
                                                 const GormSchema   *schema);
/* The same under the name @table, the columns in @deferred (a set of
 * GormColumn pointers, or NULL) without their REFERENCES. */
char    *gorm_dialect_render_create_table_as    (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const char         *table,
                                                 GHashTable         *deferred);
/* The literal default a created table gives @column (NULL: none), or
 * with @any the literal of its property's default whatever the column. */
char    *gorm_dialect_column_default            (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GormColumn   *column,
                                                 gboolean            any);
/* "REFERENCES "t" ("id") ON DELETE CASCADE" of a foreign key column,
 * NULL for any other. */
char    *gorm_dialect_render_references         (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GormColumn   *column);
GPtrArray *gorm_dialect_render_create_indexes   (const GormDialect  *dialect,
                                                 const GormSchema   *schema);
/* Whether @column gets an index of its own, its name and its statement. */
gboolean gorm_dialect_column_needs_index        (const GormColumn   *column);
char    *gorm_dialect_index_name                (const GormSchema   *schema,
                                                 const GormColumn   *column,
                                                 gboolean            unique);
char    *gorm_dialect_render_index              (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GormColumn   *column,
                                                 gboolean            unique);
/* The statement creating a composite index of @schema. */
char    *gorm_dialect_render_composite_index    (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GormIndex    *index);
/* The unique composite index of @schema that @error, a failed statement's
 * GORM_ERROR_CONSTRAINT, says was violated; NULL for any other error. */
const GormIndex *gorm_dialect_find_violated_index (const GormSchema *schema,
                                                   const GError     *error);
/* Whether @error, a failed statement's GORM_ERROR_CONSTRAINT, says the
 * primary key of @schema was violated: an INSERT gave a key a row holds. */
gboolean gorm_dialect_violates_key              (const GormSchema   *schema,
                                                 const GError       *error);
/* The names of the properties of @index, quoted, joined by ", ". */
char    *gorm_dialect_index_properties          (const GormIndex    *index);
/* Prefixes the message of *@error, when it is the violation of a unique
 * composite index of @schema, with the type and the properties at fault;
 * leaves any other error as it is. */
void     gorm_dialect_explain_unique_error      (const GormSchema   *schema,
                                                 GError            **error);
GPtrArray *gorm_dialect_render_add_column       (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GormColumn   *column,
                                                 GError            **error);
/* The statements of a many-to-many @relation's links, seen from its
 * source: INSERT (source, target) keeping one row per pair, DELETE of one
 * pair, CLEAR of every pair of a source, SELECT_TARGETS of a source.
 * Parameters: the source key, then the target key, of SQL type @key_type. */
typedef enum {
  GORM_LINK_INSERT,
  GORM_LINK_DELETE,
  GORM_LINK_CLEAR,
  GORM_LINK_SELECT_TARGETS,
} GormLinkStatement;

char      *gorm_dialect_render_link_statement    (const GormDialect  *dialect,
                                                  const GormRelation *relation,
                                                  GormLinkStatement   kind,
                                                  GType               key_type);
/* "SELECT key, column FROM table WHERE column IN (p0, …)" with
 * @n_keys parameters of SQL type @key_type: the rows of @schema that
 * refer through @column to one of the keys (on_delete). */
char      *gorm_dialect_render_referencing       (const GormDialect  *dialect,
                                                  const GormSchema   *schema,
                                                  const GormColumn   *column,
                                                  guint               n_keys,
                                                  GType               key_type);
/* "SELECT target, source FROM link WHERE source IN (p0, …)" with
 * @n_keys parameters of SQL type @key_type: the rows linked through the
 * many-to-many @relation (seen from its source) to one of the keys, what
 * deleting them unlinks. */
char      *gorm_dialect_render_linked            (const GormDialect  *dialect,
                                                  const GormRelation *relation,
                                                  guint               n_keys,
                                                  GType               key_type);
/* The link table of a many-to-many @relation, and its index. */
GPtrArray *gorm_dialect_render_create_link_table (const GormDialect  *dialect,
                                                  const GormRelation *relation,
                                                  GError            **error);

/* The INSERT of one row: @values are the SQL values of every column in
 * schema order but the automatic key, or with @with_key of every column,
 * the key given by the application (then nothing is returned). */
char    *gorm_dialect_render_insert             (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GValue       *values,
                                                 gboolean            with_key);
char    *gorm_dialect_render_update             (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const guint        *columns,
                                                 const GValue       *values,
                                                 guint               n_columns);
/* A multi-row INSERT of @n_rows rows of @schema, each with values whose
 * NULLs are where @shape (the SQL values of one row, in the order of
 * gorm_dialect_render_insert()) has them: the other values are
 * parameters, numbered row after row. With @with_key the automatic key
 * is written too, as the first value of each row (a parameter), and
 * nothing is returned; else an engine without last_insert_id_sql
 * returns nothing either: the caller reads the keys as the dialect says
 * (reserve_ids_sql, last_insert_id_sql). */
char    *gorm_dialect_render_insert_rows        (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GValue       *shape,
                                                 guint               n_values,
                                                 gboolean            with_key,
                                                 guint               n_rows);
/* "UPDATE table SET c = CASE key WHEN ? THEN ? … END, … WHERE key IN
 * (?, …)" for @n_rows rows and the @n_columns columns @columns of
 * @schema: @shape holds the SQL values of the rows, row after row
 * (@n_columns a row), a NULL written as the literal. Parameters: for
 * each column, for each row, the key then the value (unless NULL); then
 * the key of each row. */
char    *gorm_dialect_render_update_rows        (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const guint        *columns,
                                                 guint               n_columns,
                                                 const GValue       *shape,
                                                 guint               n_rows);
char    *gorm_dialect_render_delete             (const GormDialect  *dialect,
                                                 const GormSchema   *schema);
char    *gorm_dialect_render_select_by_key      (const GormDialect  *dialect,
                                                 const GormSchema   *schema);
/* Finds a row whose @column holds what its values cannot be read from. */
char    *gorm_dialect_render_find_misstored     (const GormDialect  *dialect,
                                                 const GormSchema   *schema,
                                                 const GormColumn   *column);
char    *gorm_dialect_render_savepoint          (const char         *verb,
                                                 guint               depth);

gboolean gorm_dialect_returns_rows              (const char         *sql);
char    *gorm_dialect_rewrite_placeholders      (const char         *sql,
                                                 const GValue       *params,
                                                 guint               n_params,
                                                 GError            **error);
/* @sql with each ##pN::type[::null] parameter (outside quotes) written
 * as the engine numbers it, @mark then N + 1: `?N+1` for SQLite (a bare
 * `?` for the parameter one past the highest before it, which SQLite
 * numbers so), `$N+1` for PostgreSQL; *@n_params (when not NULL) is the
 * highest N + 1, 0 for none. */
char    *gorm_dialect_number_parameters         (const char         *sql,
                                                 char                mark,
                                                 guint              *n_params);

/* Conditions
 *
 * The WHERE of a query as the dialect renders it: a tree of comparisons
 * whose columns come from a schema and whose values are SQL values (see
 * gorm_value_to_sql()), already checked by whoever built it. It is
 * immutable once built and reference counted, so that a query and the
 * models it made share it.
 */

/* Relation paths
 *
 * A property reached through relations, "question.author.name" from a
 * Choice: the relations followed, one step each, and the column at the
 * end, a column of the last step's target. Paths are interned by the
 * filter module (gorm_filter_resolve_path()) and live as long as the
 * process, like the schemas and relations they point to, so conditions
 * and orders keep them without reference counts.
 */
typedef struct
{
  const GormRelation *relation;
  const GormSchema   *source;
  const GormSchema   *target;
} GormStep;

typedef struct
{
  /* As given, for messages. */
  const char       *text;
  const GormStep   *steps;
  guint             n_steps;
  const GormColumn *column;
  /* Whether a step is a reverse or many-to-many relation: one row of
   * the source may have many rows at the end of the path. */
  gboolean          multi_valued;
} GormPath;

typedef enum
{
  GORM_CONDITION_EQ,
  GORM_CONDITION_NE,
  GORM_CONDITION_LT,
  GORM_CONDITION_LE,
  GORM_CONDITION_GT,
  GORM_CONDITION_GE,
  GORM_CONDITION_LIKE,
  GORM_CONDITION_ILIKE,
  GORM_CONDITION_IN,
  GORM_CONDITION_BETWEEN,
  GORM_CONDITION_IS_NULL,
  GORM_CONDITION_IS_NOT_NULL,
  GORM_CONDITION_AND,
  GORM_CONDITION_OR,
  GORM_CONDITION_NOT,
  /* A condition on the rows of another type, related to the row by
   * @step: its one child is the condition on the rows of step->target.
   * A forward step matches when the related row matches, a reverse or
   * many-to-many step when one of the related rows does (EXISTS), the
   * child's leaves all referring to that one row. Where there is no
   * related row (a NULL key, no reverse or linked rows) the step matches
   * when its child matches a row of NULLs, as a LEFT JOIN would: so
   * is_null ("question.pub_date") also matches a choice without a
   * question, and is_null ("choice") a question without choices. */
  GORM_CONDITION_RELATED,
  /* The key column of a many-to-many relation's target is linked to the
   * source whose key is values[0]: relation says through which link
   * table (gorm_resource_query_related()). */
  GORM_CONDITION_LINKED,
  /* Two expressions compared (gorm_filter_compare()): operands[0]
   * comparison operands[1], where comparison is EQ … GE. It never
   * matches where either is NULL (for ne too); its complement (NOT)
   * does. Rendered by gorm_dialect_append_comparison(), with
   * skip_steps the steps of the RELATED conditions around it. */
  GORM_CONDITION_COMPARE,
} GormConditionOp;

typedef struct _GormExprNode GormExprNode;

typedef struct _GormCondition GormCondition;

struct _GormCondition
{
  gatomicrefcount   ref_count;
  GormConditionOp   op;
  /* The column a leaf compares. */
  const GormColumn *column;
  /* The SQL values a leaf compares with: one for a comparison or LIKE
   * (its pattern), two for BETWEEN, any number for IN, which keeps its
   * non-NULL values here and whether NULL was one in has_null. */
  GValue           *values;
  guint             n_values;
  gboolean          has_null;
  /* AND and OR have two children, NOT and RELATED have one. */
  GormCondition    *children[2];
  /* RELATED: the relation followed (it lives in an interned GormPath). */
  const GormStep   *step;
  /* LINKED: the many-to-many relation, seen from the source. */
  const GormRelation *relation;
  /* COMPARE: the compared expressions, how, and how many steps of
   * their paths the RELATED conditions around it followed; the queried
   * type, whose own properties (and forward paths) it may compare too. */
  const GormSchema *root;
  GormExprNode     *operands[2];
  GormConditionOp   comparison;
  guint             skip_steps;
};

/* A leaf with room for @n_values values, which the caller initializes. */
GormCondition *gorm_condition_new_leaf          (GormConditionOp     op,
                                                 const GormColumn   *column,
                                                 guint               n_values);
/* AND, OR (two children) or NOT (@b NULL), taking the children. */
GormCondition *gorm_condition_new_combination   (GormConditionOp     op,
                                                 GormCondition      *a,
                                                 GormCondition      *b);
/* RELATED, taking @child, a condition on the rows of step->target. */
GormCondition *gorm_condition_new_related       (const GormStep     *step,
                                                 GormCondition      *child);
/* COMPARE of the rows of @root's table, taking @left and @right. */
GormCondition *gorm_condition_new_compare       (const GormSchema   *root,
                                                 GormConditionOp     comparison,
                                                 GormExprNode       *left,
                                                 GormExprNode       *right,
                                                 guint               skip_steps);
GormCondition *gorm_condition_ref               (GormCondition      *condition);
void           gorm_condition_unref             (GormCondition      *condition);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormCondition, gorm_condition_unref)

/* Queries */

/* One term of an ORDER BY: a column of the queried type, or with @path
 * a column of a type reached through forward relations only (one value
 * per row, NULL when a key on the way is NULL), rendered as a correlated
 * scalar subquery; @column is then path->column. */
typedef struct
{
  const GormColumn *column;
  gboolean          descending;
  const GormPath   *path;
  /* Or an expression (gorm_query_order_by_expression()), @column and
   * @path NULL: rendered with its constants written as literals (numbers
   * and date-times only, see gorm_dialect_append_expression()), so that
   * the statements that repeat the order bind nothing more. Owned by the
   * array of orders that holds it. */
  GormExprNode     *expression;
} GormOrder;

/* What a query selects: the rows of @schema's table that @condition
 * (NULL: every row) matches, in the order of @orders, within @limit (-1:
 * none) after @offset. */
typedef struct
{
  const GormSchema    *schema;
  const GormCondition *condition;
  const GormOrder     *orders;
  guint                n_orders;
  gint64               limit;
  gint64               offset;
} GormSelection;

/* A table a query joins for select_related: the target of a foreign key
 * of the query's own type (@parent -1) or of an earlier join's target. Its
 * columns follow the query's own in a row, from @first_column. */
typedef struct
{
  const GormRelation *relation;   /* FORWARD */
  const GormSchema   *target;
  gint                parent;
  guint               first_column;
} GormJoin;

/* Wraps @inner, a select of @schema's columns (its parameters unchanged),
 * into one that LEFT JOINs each of @joins and keeps @inner's order,
 * @orders (none: the rows in any order, for a caller that places them
 * itself). */
char    *gorm_dialect_render_joined             (const GormDialect   *dialect,
                                                 const char          *inner,
                                                 const GormSchema    *schema,
                                                 const GormJoin      *joins,
                                                 guint                n_joins,
                                                 const GormOrder     *orders,
                                                 guint                n_orders);
/* One statement loading the objects of @relation (seen from its source)
 * for @n_keys source keys (parameters of SQL type @key_type), in the
 * target's key order: FORWARD the targets whose key is one of them,
 * REVERSE the targets whose column holds one, MANY_TO_MANY the linked
 * targets with the source key as one more column after the target's. */
char    *gorm_dialect_render_prefetch           (const GormDialect   *dialect,
                                                 const GormRelation  *relation,
                                                 const GormSchema    *target,
                                                 guint                n_keys,
                                                 GType                key_type);

/* Appends " WHERE condition", nothing when @condition is NULL. */
void     gorm_dialect_append_where              (const GormDialect   *dialect,
                                                 GString             *sql,
                                                 const GormCondition *condition,
                                                 GArray              *params);
/* Appends the value of @column at the end of the forward @steps from the
 * rows @outer names (NULL: the table of the first step's source), as
 * nested correlated scalar subqueries (NULL where a key is NULL), whose
 * aliases are numbered from @depth + 1. */
void     gorm_dialect_append_path_value         (GString             *sql,
                                                 const GormStep      *steps,
                                                 guint                n_steps,
                                                 const GormColumn    *column,
                                                 const char          *outer,
                                                 guint                depth);
/* Appends " ORDER BY …" of @orders. */
void     gorm_dialect_append_order              (const GormDialect   *dialect,
                                                 GString             *sql,
                                                 const GormOrder     *orders,
                                                 guint                n_orders);

/* The statements of the query runners. Each renders its SQL and appends
 * its parameters to @params, in the order of the SQL. */

/* Every column of the selected rows, in schema order; at most @limit
 * rows when @limit is not -1, else the selection's limit. */
char    *gorm_dialect_render_select_rows        (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 gint64               limit,
                                                 GArray              *params);
/* One row, one gint64 column: how many rows are selected. */
char    *gorm_dialect_render_count              (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 GArray              *params);
/* A row when any row is selected, none otherwise. */
char    *gorm_dialect_render_exists             (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 GArray              *params);
/* The keys of the selected rows. */
char    *gorm_dialect_render_select_keys        (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 GArray              *params);
/* Deletes the selected rows. */
char    *gorm_dialect_render_bulk_delete        (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 GArray              *params);
/* Sets each of @columns to its SQL value of @values (taken; a NULL is
 * written as the literal NULL), or where @expressions (NULL: none) has
 * one, to the value of that expression computed from the row as it was,
 * in the selected rows, in one statement. */
char    *gorm_dialect_render_bulk_update        (const GormDialect    *dialect,
                                                 const GormSelection  *selection,
                                                 guint                 n_columns,
                                                 const GormColumn    **columns,
                                                 GValue              **values,
                                                 GormExprNode * const *expressions,
                                                 GArray               *params);


/* The statements of a live model, rendered once and run many times.
 * They ignore the selection's limit and offset, which the model applies
 * itself. A value bound at each run (a page's limit and offset, an
 * anchor's order values, a row's key) is appended to @params as a slot:
 * a GValue of its SQL type holding the type's default value, in the
 * order of the SQL like the condition's values. */

/* Whether rows compare in the order of @orders as SQL row values do:
 * every term has the same direction, and a descending term has no NULLs,
 * which sort last there but make a row value comparison NULL; and no term
 * is a related column, whose values the selected rows do not hold (an
 * anchor is read from them), an expression, or an enum (stored by nick,
 * sorted by value). */
gboolean gorm_dialect_orders_compare_as_row     (const GormOrder     *orders,
                                                 guint                n_orders);
/* Every column of the selected rows in their order, then a gint64 slot
 * for the LIMIT and one for the OFFSET. */
char    *gorm_dialect_render_page               (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 GArray              *params);
/* The same, of the selected rows whose order values are at or after
 * those of an anchor: one slot per order term, of its column's SQL type,
 * before the LIMIT and OFFSET slots. Only for an order that
 * gorm_dialect_orders_compare_as_row(). */
char    *gorm_dialect_render_anchored_page      (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 GArray              *params);
/* One row, one gint64 column: how many selected rows sort before the row
 * whose key is bound to the slot after the condition's values; no row
 * when that row is not selected. The condition's values are bound twice:
 * before the key and after it. */
char    *gorm_dialect_render_position           (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 GArray              *params);
/* An order by one forward path then the key (its direction its own),
 * as a key reader sorts it without the engine sorting the selected rows
 * by the path's values (gorm_key_reader_read()). @rows: the key and
 * the path's first foreign key of each selected row, in no order, the
 * condition's values appended to @params. @ranks: for each row of the
 * first step's target whose key is between the gint64 parameters ##p0
 * and ##p1, and for one missing row (key NULL), its key and the
 * dense_rank () of the value the rest of the path reaches from it, in
 * the order's direction with its NULLs where the order puts them: rows
 * sorted by the rank of their target (a missing one's when it has none)
 * then by key come in the order's sequence. FALSE, nothing set, for any
 * other order, or keys that are not integers. */
gboolean gorm_dialect_render_key_ranks          (const GormDialect    *dialect,
                                                 const GormSelection  *selection,
                                                 char                **ranks,
                                                 char                **rows,
                                                 GArray               *params);
/* One row, one gint64 column: how many of the rows whose keys are the
 * first slot, a set of keys as the dialect's append_value_set binds it
 * (a key listed twice counts once; a key of no row, not at all), sort
 * before the row whose key is bound to the second slot, in the
 * selection's order; no row when the selection's condition (its values
 * bound last) does not select that row or it is missing. Only for a
 * dialect with append_value_set. */
char    *gorm_dialect_render_placement          (const GormDialect   *dialect,
                                                 const GormSelection *selection,
                                                 GArray              *params);

/* The statement whose rows are the steps of the engine's plan of
 * @select, which it does not run: @select's parameters, bound alike,
 * and rows of the dialect's explain_types. */
char    *gorm_dialect_render_explain            (const GormDialect   *dialect,
                                                 const char          *select);
/* Whether @step, the text of a step of such a plan (the row's
 * explain_step_column), sorts the rows for the query's ORDER BY, or
 * for its last terms: no index the engine chose gives that order. */
gboolean gorm_dialect_plan_step_sorts           (const GormDialect   *dialect,
                                                 const char          *step);
/* Whether @step sorts the rows it is given all at once: no index gives
 * even the order's first term, and the first row comes after all of
 * them are read (a Sort node, not an Incremental Sort one). */
gboolean gorm_dialect_plan_step_sorts_all       (const GormDialect   *dialect,
                                                 const char          *step);

/* Appends the names of all the columns of @schema, in schema order (the
 * order gorm_dialect_render_select_by_key() selects them in). */
void     gorm_dialect_append_columns            (GString            *sql,
                                                 const GormSchema   *schema);
/* Appends a condition that is always true or always false. */
void     gorm_dialect_append_boolean            (const GormDialect  *dialect,
                                                 GString            *sql,
                                                 gboolean            value);
/* Appends " LIMIT … OFFSET …" for @limit (-1: none) and @offset (0:
 * none) as gint64 parameters, numbered from params->len and appended to
 * @params, so that every page of a query is one cached statement. */
void     gorm_dialect_append_limit              (const GormDialect  *dialect,
                                                 GString            *sql,
                                                 GArray             *params,
                                                 gint64              limit,
                                                 gint64              offset);

/* Migrations (gorm-dialect-migration.c). Names are unquoted; the
 * renderers quote them. */

/* What the model's @column holds. */
GormStoredClass gorm_dialect_column_stored_class (const GormColumn  *column);
/* How the values @operand (SQL), held as @from, become @column's: in
 * @check a condition true when a non-NULL value converts exactly (NULL:
 * every value does), in @expression the converted value. FALSE when no
 * value of @from converts to @column's. An enum column's check requires
 * its nicks; a string column's with a maximum length, values that long
 * at most. */
gboolean gorm_dialect_conversion                (const GormDialect  *dialect,
                                                 GormStoredClass     from,
                                                 const GormColumn   *column,
                                                 const char         *operand,
                                                 char              **check,
                                                 char              **expression);
/* SELECTs of two text columns (the first row by @key): the key and the
 * value of a row whose @column is not NULL and fails @check; the key of
 * a row whose @column is NULL; the number of non-NULL values (one row);
 * the values and count of a group of rows with the same @columns, none
 * NULL; the key and value of a row whose @column refers to no row of
 * @target. */
char    *gorm_dialect_render_find_unconverted   (const char         *table,
                                                 const char         *key,
                                                 const char         *column,
                                                 const char         *check);
char    *gorm_dialect_render_find_null          (const char         *table,
                                                 const char         *key,
                                                 const char         *column);
char    *gorm_dialect_render_count_values       (const char         *table,
                                                 const char         *column);
char    *gorm_dialect_render_find_duplicate     (const char         *table,
                                                 const char * const *columns);
char    *gorm_dialect_render_find_orphan        (const char         *table,
                                                 const char         *key,
                                                 const char         *column,
                                                 const char         *target,
                                                 const char         *target_key);
/* The table of the schema version: one row ('version', 'N'), read and
 * written with these statements, the same on both engines (the INSERT
 * binds the version; a plan shows it as the literal). */
#define GORM_SCHEMA_VERSION_TABLE "gorm_schema"
#define GORM_SCHEMA_VERSION_SELECT_SQL \
  "SELECT value FROM gorm_schema WHERE name = 'version'"
#define GORM_SCHEMA_VERSION_CREATE_SQL \
  "CREATE TABLE IF NOT EXISTS gorm_schema (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
#define GORM_SCHEMA_VERSION_DELETE_SQL "DELETE FROM gorm_schema WHERE name = 'version'"
#define GORM_SCHEMA_VERSION_INSERT_SQL \
  "INSERT INTO gorm_schema (name, value) VALUES ('version', ##p0::gchararray)"
#define GORM_SCHEMA_VERSION_INSERT_SQL_SHOWN \
  "INSERT INTO gorm_schema (name, value) VALUES ('version', '%u')"

/* ALTER TABLE and DROP statements. */
char    *gorm_dialect_render_rename_table       (const char         *table,
                                                 const char         *new_name);
char    *gorm_dialect_render_rename_column      (const char         *table,
                                                 const char         *column,
                                                 const char         *new_name);
char    *gorm_dialect_render_drop_column        (const char         *table,
                                                 const char         *column);
char    *gorm_dialect_render_alter_type         (const char         *table,
                                                 const char         *column,
                                                 const char         *type,
                                                 const char         *expression);
char    *gorm_dialect_render_alter_null         (const char         *table,
                                                 const char         *column,
                                                 gboolean            not_null);
/* SET DEFAULT @literal, or DROP DEFAULT when NULL. */
char    *gorm_dialect_render_alter_default      (const char         *table,
                                                 const char         *column,
                                                 const char         *literal);
/* ADD CONSTRAINT "table_column_fkey" FOREIGN KEY (column) @references. */
char    *gorm_dialect_render_add_foreign_key    (const char         *table,
                                                 const char         *column,
                                                 const char         *references);
char    *gorm_dialect_render_drop_constraint    (const char         *table,
                                                 const char         *constraint);
char    *gorm_dialect_render_drop_index         (const char         *index);
char    *gorm_dialect_render_drop_table         (const char         *table);
/* SQLite's rebuild: the rowids of @table (a SELECT of two gint64), the
 * copy of @source's rows into @target (@columns from @expressions, both
 * NULL-terminated), with @chunked for the rows whose rowid is bound as
 * ##p0 <= rowid < ##p1, and the check of @table's foreign keys. */
char    *gorm_dialect_render_rowid_range        (const char         *table);
char    *gorm_dialect_render_copy               (const char         *target,
                                                 const char         *source,
                                                 const char * const *columns,
                                                 const char * const *expressions,
                                                 gboolean            chunked);
char    *gorm_dialect_render_foreign_key_check  (const char         *table);
/* The statements giving @target the AUTOINCREMENT counter of @source
 * (sqlite_sequence), so that the rebuilt table never hands out again a
 * key @source once gave; NULL-terminated. */
GStrv    gorm_dialect_render_move_sequence      (const char         *target,
                                                 const char         *source);

/* Raw selects. The SQL of a raw select of rows: @sql from its first
 * keyword on (leading spaces and comments, trailing semicolons left
 * out), a SELECT as it is, a WITH or VALUES as a subquery, and with
 * @dialect one of its row_statements as it is; GORM_ERROR_VALIDATION for
 * any other statement. */
char    *gorm_dialect_render_raw_select         (const GormDialect  *dialect,
                                                 const char         *sql,
                                                 GError            **error);
/* The columns of @schema, in schema order, out of the rows of @select
 * (from gorm_dialect_render_raw_select()). */
char    *gorm_dialect_render_raw_resources      (const GormSchema   *schema,
                                                 const char         *select);
/* No row, the columns of @select. */
char    *gorm_dialect_render_raw_columns        (const char         *select);

G_END_DECLS
