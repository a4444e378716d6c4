/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Every kind of difference between the models and the database, on a
 * table holding rows, in each of its outcomes, on both engines.
 *
 * Each case declares the table's model twice: version 1, migrated and
 * filled with rows, then version 2 (a second GType with the same table
 * name, or the same type renamed). A GormMigration to version 2 then
 * either applies the change, keeping every row's values exactly, or
 * refuses it with GORM_ERROR_MIGRATION naming the table, the column, what
 * the database has and what the model wants (and the row, for data that
 * stands in the way), changing nothing at all: the schema and the rows
 * read afterwards are those read before. A refused case then makes the
 * correction (the data fixed, the rename declared, the drop allowed) and
 * migrates again.
 *
 * The models are declared as data (Model below) rather than one class_init
 * each: some fifty versions of a table read better as a table.
 *
 * Every kind applies to both engines: SQLite applies what its ALTER TABLE
 * cannot do by rebuilding the table, PostgreSQL with its ALTERs. One kind
 * has no refusal: a table renamed without the declaration cannot be told
 * from a new table (a migration never drops a table the models do not
 * name), so "table-rename" is only tested declared.
 */

#include "config.h"

#include <string.h>

#include "gorm-test-utils.h"

/* Field flags. */
enum {
  NOT_NULL = 1 << 0,
  NULLABLE = 1 << 1,
  UNIQUE = 1 << 2,
  INDEXED = 1 << 3,
};

typedef struct _Model Model;

typedef struct
{
  const char *name;
  /* 'i' gint64, 'd' double, 's' string, 'b' boolean, 'e' KindsShade. */
  char type;
  guint flags;
  guint max_length;
  /* The property's default, as text ("7", "2.5", "x", "TRUE", "dark"). */
  const char *def;
  /* The column the property was stored in before. */
  const char *renamed_from;
  /* A foreign key to that model's table, ON DELETE SET NULL. */
  Model *references;
} Field;

struct _Model
{
  const char *type_name;
  const char *table;
  Field fields[4];
  const char *unique_together[3];
  const char *index[3];
  const char *table_renamed_from;
  /* A many-to-many relation "tags" to this model. */
  Model *tags;
  GType gtype;
};

/* An enum whose values are stored as their nicks. */
typedef enum {
  KINDS_SHADE_LIGHT,
  KINDS_SHADE_DARK,
  KINDS_SHADE_DIM,
} KindsShade;

static GType
kinds_shade_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { KINDS_SHADE_LIGHT, "KINDS_SHADE_LIGHT", "light" },
    { KINDS_SHADE_DARK, "KINDS_SHADE_DARK", "dark" },
    { KINDS_SHADE_DIM, "KINDS_SHADE_DIM", "dim" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("KindsShade", values));
  return type;
}

static GType model_type (Model *model);

static GParamSpec *
field_pspec (const Field *field)
{
  const char *def = field->def;

  switch (field->type)
    {
    case 'i':
      return g_param_spec_int64 (field->name, NULL, NULL, G_MININT64, G_MAXINT64,
                                 def ? g_ascii_strtoll (def, NULL, 10) : 0, G_PARAM_READWRITE);
    case 'd':
      return g_param_spec_double (field->name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE,
                                  def ? g_ascii_strtod (def, NULL) : 0, G_PARAM_READWRITE);
    case 's':
      return g_param_spec_string (field->name, NULL, NULL, def, G_PARAM_READWRITE);
    case 'b':
      return g_param_spec_boolean (field->name, NULL, NULL, g_strcmp0 (def, "TRUE") == 0,
                                   G_PARAM_READWRITE);
    case 'e':
      {
        g_autoptr(GEnumClass) klass = g_type_class_ref (kinds_shade_get_type ());
        GEnumValue *value = def ? g_enum_get_value_by_nick (klass, def) : NULL;

        return g_param_spec_enum (field->name, NULL, NULL, kinds_shade_get_type (),
                                  value ? value->value : KINDS_SHADE_LIGHT, G_PARAM_READWRITE);
      }
    default:
      g_assert_not_reached ();
    }
}

static void
model_class_init (gpointer klass,
                  gpointer class_data)
{
  Model *model = class_data;
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);
  GParamSpec *pspecs[G_N_ELEMENTS (model->fields)];
  guint n_pspecs = 0;

  while (n_pspecs < G_N_ELEMENTS (model->fields) && model->fields[n_pspecs].name != NULL)
    {
      pspecs[n_pspecs] = field_pspec (&model->fields[n_pspecs]);
      n_pspecs++;
    }
  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, n_pspecs);
  gorm_resource_class_set_table (resource_class, model->table);
  if (model->table_renamed_from != NULL)
    gorm_resource_class_set_table_renamed_from (resource_class, model->table_renamed_from);

  for (guint i = 0; i < n_pspecs; i++)
    {
      const Field *field = &model->fields[i];

      if (field->flags & NOT_NULL)
        gorm_resource_class_set_not_null (resource_class, field->name);
      if (field->flags & NULLABLE)
        gorm_resource_class_set_nullable (resource_class, field->name);
      if (field->flags & UNIQUE)
        gorm_resource_class_set_unique (resource_class, field->name);
      if (field->flags & INDEXED)
        gorm_resource_class_set_indexed (resource_class, field->name);
      if (field->max_length != 0)
        gorm_resource_class_set_max_length (resource_class, field->name, field->max_length);
      if (field->renamed_from != NULL)
        gorm_resource_class_set_renamed_from (resource_class, field->name, field->renamed_from);
      if (field->references != NULL)
        gorm_resource_class_set_foreign_key (resource_class, field->name,
                                             model_type (field->references),
                                             GORM_ON_DELETE_SET_NULL);
    }
  if (model->unique_together[0] != NULL)
    gorm_resource_class_add_unique_together (resource_class, model->unique_together);
  if (model->index[0] != NULL)
    gorm_resource_class_add_index (resource_class, model->index);
  if (model->tags != NULL)
    gorm_resource_class_add_many_to_many (resource_class, "tags", model_type (model->tags));
}

static GType
model_type (Model *model)
{
  if (model->gtype == 0)
    {
      const GTypeInfo info = {
        .class_size = sizeof (TestObjectClass),
        .class_init = model_class_init,
        .class_data = model,
        .instance_size = sizeof (TestObject),
      };

      model->gtype = g_type_register_static (TEST_TYPE_OBJECT, model->type_name, &info, 0);
    }
  return model->gtype;
}

/* The tables some cases refer to. */
static Model owner = { "KindsOwner", "owner", { { "name", 's' } } };
static Model keeper = { "KindsKeeper", "keeper", { { "name", 's' } } };
static Model tag = { "KindsTag", "tag", { { "name", 's' } } };

typedef struct
{
  const char *path;
  Model *v1;
  Model *v2;
  /* Rows put in after version 1 is migrated. */
  const char *rows[5];

  /* Applied: a change of this kind on this column is in the plan (any
   * column when NULL: an index change names its index; none when kind is
   * -1: a change libgorm may apply by checking the values only). After a
   * refusal: the kind the corrected migration applies. */
  int kind;
  const char *column;
  /* After the migration: a statement the new schema refuses, one it
   * takes (its rows are part of "after"), a check of its own. */
  const char *probe_fails;
  const char *probe_ok;
  void (*probe) (GormDatabase *db, GType v2);
  /* The rows of the table read through version 2, in id order. */
  const char *after[5];

  /* Refused: the message holds every one of these (compared without case),
   * and those of its engine. */
  const char *says[6];
  const char *says_sqlite[3];
  const char *says_postgresql[3];
  /* The correction: statements, another version 2, or a drop allowed. */
  const char *fix[3];
  Model *fix_model;
  const char *fix_allow_drop;
} Case;

#define APPLIED .says = { NULL }
#define NO_KIND -1

/* Version 2's property values of every row, in id order. */
static char *
format_row (GormResource *resource,
            const Model  *model)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%" G_GINT64_FORMAT, gorm_resource_get_id (resource));
  for (guint i = 0; i < G_N_ELEMENTS (model->fields) && model->fields[i].name != NULL; i++)
    {
      const Field *field = &model->fields[i];
      g_auto(GValue) value = G_VALUE_INIT;

      g_string_append_c (text, ' ');
      if (gorm_resource_is_null (resource, field->name))
        {
          g_string_append (text, "NULL");
          continue;
        }
      g_object_get_property (G_OBJECT (resource), field->name,
                             g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (
                               g_object_class_find_property (G_OBJECT_GET_CLASS (resource),
                                                             field->name))));
      switch (field->type)
        {
        case 'i':
          g_string_append_printf (text, "%" G_GINT64_FORMAT, g_value_get_int64 (&value));
          break;
        case 'd':
          {
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];

            g_ascii_formatd (buffer, sizeof buffer, "%.17g", g_value_get_double (&value));
            g_string_append (text, buffer);
            if (strpbrk (buffer, ".en") == NULL)
              g_string_append (text, ".0");
          }
          break;
        case 's':
          g_string_append_printf (text, "'%s'", g_value_get_string (&value));
          break;
        case 'b':
          g_string_append (text, g_value_get_boolean (&value) ? "TRUE" : "FALSE");
          break;
        case 'e':
          {
            g_autoptr(GEnumClass) klass = g_type_class_ref (kinds_shade_get_type ());

            g_string_append (text, g_enum_get_value (klass, g_value_get_enum (&value))->value_nick);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_rows (GormDatabase       *db,
             Model              *model,
             const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, model_type (model));
  g_autoptr(GListModel) rows = NULL;
  guint n_expected = 0;

  gorm_query_order_by (query, "id", FALSE);
  rows = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  while (n_expected < 5 && expected[n_expected] != NULL)
    n_expected++;
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GormResource) resource = g_list_model_get_item (rows, i);
      g_autofree char *text = format_row (resource, model);

      g_assert_cmpuint (i, <, n_expected);
      g_assert_cmpstr (text, ==, expected[i]);
    }
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_expected);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Everything the database holds, as text: its schema, then every row of
 * every table (sorted, each row's values in column order). */
static char *
snapshot (GormDatabase *db)
{
  const char *schema_sql = test_engine_is_postgresql ()
    ? "SELECT string_agg(x, chr(10) ORDER BY x) FROM ("
      "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || "
      "coalesce(character_maximum_length::text, '-') || ' ' || is_nullable || ' ' || "
      "coalesce(column_default, '-') AS x FROM information_schema.columns "
      "WHERE table_schema = current_schema() "
      "UNION ALL SELECT conrelid::regclass::text || ' ' || conname || ' ' || "
      "pg_get_constraintdef(oid) FROM pg_constraint "
      "WHERE connamespace = current_schema()::regnamespace "
      "UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()) s"
    : "SELECT group_concat(x, char(10)) FROM (SELECT type || ' ' || name || ' ' || "
      "coalesce(sql, '-') AS x FROM sqlite_master ORDER BY type, name)";
  const char *tables_sql = test_engine_is_postgresql ()
    ? "SELECT table_name FROM information_schema.tables "
      "WHERE table_schema = current_schema() ORDER BY table_name"
    : "SELECT name FROM sqlite_master WHERE type = 'table' "
      "AND name NOT LIKE 'sqlite_%' ORDER BY name";
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GdaDataModel) tables = test_select (db, tables_sql);
  g_autofree char *schema = test_query_text (db, schema_sql);

  g_string_append (text, schema);
  for (int t = 0; t < gda_data_model_get_n_rows (tables); t++)
    {
      g_autoptr(GError) error = NULL;
      const GValue *name = gda_data_model_get_value_at (tables, 0, t, &error);
      g_autofree char *columns_sql = NULL;
      g_autoptr(GdaDataModel) columns = NULL;
      g_autoptr(GString) sql = g_string_new ("SELECT ");
      g_autoptr(GdaDataModel) rows = NULL;
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

      g_assert_no_error (error);
      columns_sql = test_engine_is_postgresql ()
        ? g_strdup_printf ("SELECT column_name FROM information_schema.columns "
                           "WHERE table_schema = current_schema() AND table_name = '%s' "
                           "ORDER BY ordinal_position", g_value_get_string (name))
        : g_strdup_printf ("SELECT name FROM pragma_table_info('%s') ORDER BY cid",
                           g_value_get_string (name));
      columns = test_select (db, columns_sql);
      /* Every value read as an SQL literal, in text: libgda's typed reads
       * would refuse an integer beyond 32 bits in SQLite. */
      for (int c = 0; c < gda_data_model_get_n_rows (columns); c++)
        {
          const GValue *column = gda_data_model_get_value_at (columns, 0, c, &error);

          g_assert_no_error (error);
          g_string_append_printf (sql, "%s'%s=' || %s(\"%s\")", c ? " || ' ' || " : "",
                                  g_value_get_string (column),
                                  test_engine_is_postgresql () ? "quote_nullable" : "quote",
                                  g_value_get_string (column));
        }
      g_string_append_printf (sql, " FROM \"%s\"", g_value_get_string (name));
      rows = test_select (db, sql->str);
      for (int r = 0; r < gda_data_model_get_n_rows (rows); r++)
        {
          const GValue *value = gda_data_model_get_value_at (rows, 0, r, &error);

          g_assert_no_error (error);
          g_ptr_array_add (lines, g_strdup_printf ("%s %s", g_value_get_string (name),
                                                   g_value_get_string (value)));
        }
      g_ptr_array_sort (lines, compare_lines);
      for (guint i = 0; i < lines->len; i++)
        g_string_append_printf (text, "\n%s", (char *) g_ptr_array_index (lines, i));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
execute_ok (GormDatabase *db,
            const char   *sql)
{
  g_autoptr(GError) error = NULL;

  gorm_database_execute (db, sql, NULL, 0, NULL, &error);
  g_assert_no_error (error);
}

/* The migration to @model, with the tables every case may refer to. */
static GormMigration *
migration_to (GormDatabase *db,
              Model        *model)
{
  const GType types[] = {
    model_type (model), model_type (&owner), model_type (&keeper), model_type (&tag),
  };

  return gorm_migration_new (db, types, G_N_ELEMENTS (types));
}

static const char *
kind_nick (int kind)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (gorm_migration_change_kind_get_type ());
  GEnumValue *value = g_enum_get_value (klass, kind);

  g_assert_nonnull (value);
  return value->value_nick;
}

/* Shows the plan in the test's log (the table of kinds and outcomes is
 * read from there) and returns whether it holds a change of @kind on
 * @column of the table. */
static gboolean
plan_holds (GListModel *plan,
            int         kind,
            const char *column)
{
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (plan); i++)
    {
      g_autoptr(GormMigrationChange) change = g_list_model_get_item (plan, i);
      const char * const *statements = gorm_migration_change_get_statements (change);

      g_test_message ("plan: %s %s.%s: %s -> %s (%s)",
                      kind_nick (gorm_migration_change_get_kind (change)),
                      gorm_migration_change_get_table (change),
                      gorm_migration_change_get_column (change),
                      gorm_migration_change_get_database_has (change),
                      gorm_migration_change_get_model_wants (change),
                      gorm_migration_change_get_reason (change));
      for (guint j = 0; statements[j] != NULL; j++)
        g_test_message ("plan:   %s", statements[j]);
      if ((int) gorm_migration_change_get_kind (change) == kind &&
          (column == NULL || g_strcmp0 (gorm_migration_change_get_column (change), column) == 0))
        found = TRUE;
    }
  return found;
}

/* Migrates to @model, which must apply a change of @kind, then has
 * nothing left to do. */
static void
migrate_applied (GormDatabase *db,
                 Model        *model,
                 int           kind,
                 const char   *column,
                 const char   *allow_drop)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormMigration) migration = migration_to (db, model);
  g_autoptr(GormMigration) again = migration_to (db, model);
  g_autoptr(GListModel) plan = NULL;
  g_autoptr(GListModel) after = NULL;

  if (allow_drop != NULL)
    gorm_migration_allow_drop (migration, model->table, allow_drop);
  plan = gorm_migration_plan (migration, NULL, &error);
  g_assert_no_error (error);
  if (kind != NO_KIND && !plan_holds (plan, kind, column))
    g_error ("the plan holds no %s of “%s”", kind_nick (kind), column ? column : model->table);
  if (kind == NO_KIND)
    plan_holds (plan, kind, column);
  g_test_message ("outcome: applied");

  g_assert_true (gorm_migration_run (migration, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  /* The catalog now matches the model: nothing is left to change. */
  after = gorm_migration_plan (again, NULL, &error);
  g_assert_no_error (error);
  if (g_list_model_get_n_items (after) != 0)
    {
      plan_holds (after, NO_KIND, NULL);
      g_error ("the plan after migrating to %s is not empty", model->type_name);
    }
}

static gboolean
says (const char *message,
      const char *fragment)
{
  g_autofree char *haystack = g_utf8_casefold (message, -1);
  g_autofree char *needle = g_utf8_casefold (fragment, -1);

  return strstr (haystack, needle) != NULL;
}

static void
assert_says (const char         *message,
             const char * const *fragments,
             guint               n_fragments)
{
  for (guint i = 0; i < n_fragments && fragments[i] != NULL; i++)
    if (!says (message, fragments[i]))
      g_error ("the message does not name %s: %s", fragments[i], message);
}

/* @error is a MIGRATION error naming all that @c says it names. */
static void
assert_refusal (const GError *error,
                const Case   *c)
{
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  assert_says (error->message, c->says, G_N_ELEMENTS (c->says));
  assert_says (error->message,
               test_engine_is_postgresql () ? c->says_postgresql : c->says_sqlite, 3);
}

/* Both the plan and the run refuse, and nothing changes. */
static void
migrate_refused (GormDatabase *db,
                 const Case   *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormMigration) migration = migration_to (db, c->v2);
  g_autoptr(GListModel) plan = NULL;
  g_autofree char *before = snapshot (db);
  g_autofree char *after = NULL;

  plan = gorm_migration_plan (migration, NULL, &error);
  g_assert_null (plan);
  assert_refusal (error, c);
  g_test_message ("outcome: refused: %s", error->message);
  g_clear_error (&error);

  g_assert_false (gorm_migration_run (migration, NULL, &error));
  assert_refusal (error, c);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  after = snapshot (db);
  g_assert_cmpstr (before, ==, after);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  const GType v1_types[] = {
    model_type (c->v1), model_type (&owner), model_type (&keeper), model_type (&tag),
  };
  Model *final = c->v2;

  g_assert_true (gorm_database_migrate (db, v1_types, G_N_ELEMENTS (v1_types), NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (c->rows) && c->rows[i] != NULL; i++)
    execute_ok (db, c->rows[i]);

  if (c->says[0] != NULL)
    {
      migrate_refused (db, c);
      for (guint i = 0; i < G_N_ELEMENTS (c->fix) && c->fix[i] != NULL; i++)
        execute_ok (db, c->fix[i]);
      if (c->fix_model != NULL)
        final = c->fix_model;
      g_test_message ("corrected:");
      migrate_applied (db, final, c->kind, c->column, c->fix_allow_drop);
    }
  else
    migrate_applied (db, final, c->kind, c->column, NULL);

  if (c->probe_fails != NULL)
    {
      gorm_database_execute (db, c->probe_fails, NULL, 0, NULL, &error);
      g_assert_nonnull (error);
      g_assert_true (error->domain == GORM_ERROR);
      g_clear_error (&error);
    }
  if (c->probe_ok != NULL)
    execute_ok (db, c->probe_ok);
  if (c->probe != NULL)
    c->probe (db, model_type (final));
  assert_rows (db, final, c->after);

  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The models. */

static Model add_column_v1 = { "KindsAddColumnV1", "item", { { "name", 's' } } };
static Model add_column_v2 = { "KindsAddColumnV2", "item",
  { { "name", 's' }, { "n", 'i', .def = "7" } } };
static Model add_required_v2 = { "KindsAddRequiredV2", "item",
  { { "name", 's' }, { "label", 's', NOT_NULL } } };
static Model add_required_v3 = { "KindsAddRequiredV3", "item",
  { { "name", 's' }, { "label", 's', NOT_NULL, .def = "none" } } };

static Model drop_column_v1 = { "KindsDropColumnV1", "item",
  { { "name", 's' }, { "extra", 's' } } };
static Model drop_column_v2 = { "KindsDropColumnV2", "item", { { "name", 's' } } };

static Model rename_column_v1 = { "KindsRenameColumnV1", "item", { { "title", 's' } } };
static Model rename_column_v2 = { "KindsRenameColumnV2", "item",
  { { "headline", 's', .renamed_from = "title" } } };
static Model rename_undeclared_v2 = { "KindsRenameUndeclaredV2", "item",
  { { "headline", 's' } } };

static Model int_v1 = { "KindsIntV1", "item", { { "n", 'i' } } };
static Model int_v2 = { "KindsIntV2", "item", { { "n", 'i' } } };
static Model double_v1 = { "KindsDoubleV1", "item", { { "n", 'd' } } };
static Model double_v2 = { "KindsDoubleV2", "item", { { "n", 'd' } } };
static Model text_v1 = { "KindsTextV1", "item", { { "n", 's' } } };
static Model text_v2 = { "KindsTextV2", "item", { { "n", 's' } } };
static Model bool_v1 = { "KindsBoolV1", "item", { { "n", 'b' } } };
static Model bool_v2 = { "KindsBoolV2", "item", { { "n", 'b' } } };
static Model enum_v1 = { "KindsEnumV1", "item", { { "n", 'e' } } };
static Model enum_v2 = { "KindsEnumV2", "item", { { "n", 'e' } } };

static Model short_v1 = { "KindsShortV1", "item", { { "s", 's', .max_length = 10 } } };
static Model long_v2 = { "KindsLongV2", "item", { { "s", 's', .max_length = 40 } } };
static Model long_v1 = { "KindsLongV1", "item", { { "s", 's', .max_length = 40 } } };
static Model short_v2 = { "KindsShortV2", "item", { { "s", 's', .max_length = 5 } } };

static Model nullable_v1 = { "KindsNullableV1", "item", { { "n", 'i', NULLABLE } } };
static Model nullable_v2 = { "KindsNullableV2", "item", { { "n", 'i', NULLABLE } } };

static Model default_v1 = { "KindsDefaultV1", "item",
  { { "name", 's' }, { "n", 'i', .def = "1" } } };
static Model default_v2 = { "KindsDefaultV2", "item",
  { { "name", 's' }, { "n", 'i', .def = "5" } } };

static Model plain_code_v1 = { "KindsPlainCodeV1", "item", { { "code", 's' } } };
static Model plain_code_v2 = { "KindsPlainCodeV2", "item", { { "code", 's' } } };
static Model unique_code_v1 = { "KindsUniqueCodeV1", "item", { { "code", 's', UNIQUE } } };
static Model unique_code_v2 = { "KindsUniqueCodeV2", "item", { { "code", 's', UNIQUE } } };

static Model indexed_v1 = { "KindsIndexedV1", "item", { { "n", 'i', INDEXED } } };
static Model indexed_v2 = { "KindsIndexedV2", "item", { { "n", 'i', INDEXED } } };

static Model pair_v1 = { "KindsPairV1", "item", { { "a", 's' }, { "b", 's' } } };
static Model pair_v2 = { "KindsPairV2", "item", { { "a", 's' }, { "b", 's' } } };
static Model unique_pair_v1 = { "KindsUniquePairV1", "item", { { "a", 's' }, { "b", 's' } },
  .unique_together = { "a", "b" } };
static Model unique_pair_v2 = { "KindsUniquePairV2", "item", { { "a", 's' }, { "b", 's' } },
  .unique_together = { "a", "b" } };

static Model loose_v1 = { "KindsLooseV1", "item", { { "owner-id", 'i', NULLABLE } } };
static Model loose_v2 = { "KindsLooseV2", "item", { { "owner-id", 'i', NULLABLE } } };
static Model owned_v1 = { "KindsOwnedV1", "item",
  { { "owner-id", 'i', NULLABLE, .references = &owner } } };
static Model owned_v2 = { "KindsOwnedV2", "item",
  { { "owner-id", 'i', NULLABLE, .references = &owner } } };
static Model kept_v2 = { "KindsKeptV2", "item",
  { { "owner-id", 'i', NULLABLE, .references = &keeper } } };

static Model item_v1 = { "KindsItemV1", "item", { { "name", 's' } } };
static Model article_v2 = { "KindsArticleV2", "article", { { "name", 's' } },
  .table_renamed_from = "item" };
static Model tagged_v2 = { "KindsTaggedV2", "item", { { "name", 's' } }, .tags = &tag };

/* The table "item" is gone: its rows are in "article". */
static void
probe_table_renamed (GormDatabase *db,
                     GType         v2)
{
  g_autoptr(GError) error = NULL;

  gorm_database_execute (db, "INSERT INTO item (name) VALUES ('x')", NULL, 0, NULL, &error);
  g_assert_nonnull (error);
}

/* The link table takes links, through the relation. */
static void
probe_tags (GormDatabase *db,
            GType         v2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) item = gorm_database_get (db, v2, 2, NULL, &error);
  g_autoptr(GormResource) first = NULL;
  g_autoptr(GormQuery) linked = NULL;

  g_assert_no_error (error);
  first = gorm_database_get (db, model_type (&tag), 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_resource_link (item, "tags", first, NULL, &error));
  g_assert_no_error (error);
  linked = gorm_resource_query_related (item, "tags");
  g_assert_cmpint (gorm_query_count (linked, NULL, &error), ==, 1);
  g_assert_no_error (error);
}

#define ROW_ID_2 "“id” is “2”"

static const Case cases[] = {
  /* Columns added, dropped, renamed. */
  { "add-column/applied", &add_column_v1, &add_column_v2,
    { "INSERT INTO item (name) VALUES ('a')", "INSERT INTO item (name) VALUES ('b')" },
    GORM_MIGRATION_CHANGE_ADD_COLUMN, "n",
    .after = { "1 'a' 7", "2 'b' 7" }, APPLIED },
  { "add-column/required-without-default-refused", &add_column_v1, &add_required_v2,
    { "INSERT INTO item (name) VALUES ('a')" },
    GORM_MIGRATION_CHANGE_ADD_COLUMN, "label",
    .after = { "1 'a' 'none'" },
    .says = { "“item”", "“label”", "not null" },
    .fix_model = &add_required_v3 },
  { "drop-column/empty-applied", &drop_column_v1, &drop_column_v2,
    { "INSERT INTO item (name) VALUES ('a')", "INSERT INTO item (name) VALUES ('b')" },
    GORM_MIGRATION_CHANGE_DROP_COLUMN, "extra",
    .after = { "1 'a'", "2 'b'" }, APPLIED },
  { "drop-column/holding-data-refused", &drop_column_v1, &drop_column_v2,
    { "INSERT INTO item (name, extra) VALUES ('a', NULL)",
      "INSERT INTO item (name, extra) VALUES ('b', 'kept')" },
    GORM_MIGRATION_CHANGE_DROP_COLUMN, "extra",
    .after = { "1 'a'", "2 'b'" },
    .says = { "“item”", "“extra”", "gorm_migration_allow_drop" },
    .fix_allow_drop = "extra" },
  { "rename-column/declared-applied", &rename_column_v1, &rename_column_v2,
    { "INSERT INTO item (title) VALUES ('a')", "INSERT INTO item (title) VALUES (NULL)" },
    GORM_MIGRATION_CHANGE_RENAME_COLUMN, NULL,
    .after = { "1 'a'", "2 NULL" }, APPLIED },
  { "rename-column/undeclared-refused", &rename_column_v1, &rename_undeclared_v2,
    { "INSERT INTO item (title) VALUES ('a')", "INSERT INTO item (title) VALUES ('b')" },
    GORM_MIGRATION_CHANGE_RENAME_COLUMN, NULL,
    .after = { "1 'a'", "2 'b'" },
    .says = { "“item”", "“title”", "“headline”", "renamed_from" },
    .fix_model = &rename_column_v2 },

  /* Types, each way. */
  { "int-to-double/applied", &int_v1, &double_v2,
    { "INSERT INTO item (n) VALUES (1)", "INSERT INTO item (n) VALUES (-3)",
      "INSERT INTO item (n) VALUES (9007199254740992)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 1.0", "2 -3.0", "3 9007199254740992.0" }, APPLIED },
  { "int-to-double/inexact-refused", &int_v1, &double_v2,
    { "INSERT INTO item (n) VALUES (1)", "INSERT INTO item (n) VALUES (9007199254740993)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 1.0", "2 9007199254740992.0" },
    .says = { "“item”", "“n”", "9007199254740993", ROW_ID_2 },
    .says_sqlite = { "integer", "real" },
    .says_postgresql = { "bigint", "double precision" },
    .fix = { "UPDATE item SET n = 9007199254740992 WHERE id = 2" } },
  { "double-to-int/applied", &double_v1, &int_v2,
    { "INSERT INTO item (n) VALUES (2.0)", "INSERT INTO item (n) VALUES (-5.0)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 2", "2 -5" }, APPLIED },
  { "double-to-int/fraction-refused", &double_v1, &int_v2,
    { "INSERT INTO item (n) VALUES (2.0)", "INSERT INTO item (n) VALUES (2.5)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 2", "2 3" },
    .says = { "“item”", "“n”", "2.5", ROW_ID_2 },
    .says_sqlite = { "real", "integer" },
    .says_postgresql = { "double precision", "bigint" },
    .fix = { "UPDATE item SET n = 3 WHERE id = 2" } },
  { "int-to-text/applied", &int_v1, &text_v2,
    { "INSERT INTO item (n) VALUES (5)", "INSERT INTO item (n) VALUES (-12)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 '5'", "2 '-12'" }, APPLIED },
  { "text-to-int/applied", &text_v1, &int_v2,
    { "INSERT INTO item (n) VALUES ('12')", "INSERT INTO item (n) VALUES ('-3')" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 12", "2 -3" }, APPLIED },
  { "text-to-int/not-a-number-refused", &text_v1, &int_v2,
    { "INSERT INTO item (n) VALUES ('12')", "INSERT INTO item (n) VALUES ('abc')" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 12", "2 7" },
    .says = { "“item”", "“n”", "abc", ROW_ID_2 },
    .says_sqlite = { "text", "integer" },
    .says_postgresql = { "text", "bigint" },
    .fix = { "UPDATE item SET n = '7' WHERE id = 2" } },
  { "bool-to-int/applied", &bool_v1, &int_v2,
    { "INSERT INTO item (n) VALUES (TRUE)", "INSERT INTO item (n) VALUES (FALSE)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 1", "2 0" }, APPLIED },
  { "int-to-bool/applied", &int_v1, &bool_v2,
    { "INSERT INTO item (n) VALUES (0)", "INSERT INTO item (n) VALUES (1)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 FALSE", "2 TRUE" }, APPLIED },
  { "int-to-bool/not-0-or-1-refused", &int_v1, &bool_v2,
    { "INSERT INTO item (n) VALUES (0)", "INSERT INTO item (n) VALUES (2)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "n",
    .after = { "1 FALSE", "2 TRUE" },
    .says = { "“item”", "“n”", "2", ROW_ID_2 },
    .says_sqlite = { "integer", "boolean" },
    .says_postgresql = { "bigint", "boolean" },
    .fix = { "UPDATE item SET n = 1 WHERE id = 2" } },
  /* An enum is stored as its nicks, in a text column: text to enum
   * changes no column type, and converts when every value is a nick. */
  { "text-to-enum/applied", &text_v1, &enum_v2,
    { "INSERT INTO item (n) VALUES ('dark')", "INSERT INTO item (n) VALUES ('dim')" },
    NO_KIND, "n",
    .after = { "1 dark", "2 dim" }, APPLIED },
  { "text-to-enum/not-a-nick-refused", &text_v1, &enum_v2,
    { "INSERT INTO item (n) VALUES ('dark')", "INSERT INTO item (n) VALUES ('purple')" },
    NO_KIND, "n",
    .after = { "1 dark", "2 light" },
    .says = { "“item”", "“n”", "purple", "KindsShade", ROW_ID_2 },
    .fix = { "UPDATE item SET n = 'light' WHERE id = 2" } },
  { "enum-to-text/applied", &enum_v1, &text_v2,
    { "INSERT INTO item (n) VALUES ('dark')", "INSERT INTO item (n) VALUES ('light')" },
    NO_KIND, "n",
    .after = { "1 'dark'", "2 'light'" }, APPLIED },
  { "max-length-grow/applied", &short_v1, &long_v2,
    { "INSERT INTO item (s) VALUES ('abcdefghij')", "INSERT INTO item (s) VALUES (NULL)" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "s",
    .probe_ok = "INSERT INTO item (s) VALUES ('abcdefghijklmnopqrstuvwxyz')",
    .after = { "1 'abcdefghij'", "2 NULL", "3 'abcdefghijklmnopqrstuvwxyz'" }, APPLIED },
  { "max-length-shrink/applied", &long_v1, &short_v2,
    { "INSERT INTO item (s) VALUES ('abc')", "INSERT INTO item (s) VALUES ('abcde')" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "s",
    .after = { "1 'abc'", "2 'abcde'" }, APPLIED },
  { "max-length-shrink/too-long-refused", &long_v1, &short_v2,
    { "INSERT INTO item (s) VALUES ('abc')", "INSERT INTO item (s) VALUES ('abcdef')" },
    GORM_MIGRATION_CHANGE_ALTER_TYPE, "s",
    .after = { "1 'abc'", "2 'abcde'" },
    .says = { "“item”", "“s”", "abcdef", ROW_ID_2 },
    .says_sqlite = { "VARCHAR(40)", "VARCHAR(5)" },
    .says_postgresql = { "character varying(40)", "varchar(5)" },
    .fix = { "UPDATE item SET s = 'abcde' WHERE id = 2" } },

  /* NULL and NOT NULL, defaults. */
  { "null-to-not-null/applied", &nullable_v1, &int_v2,
    { "INSERT INTO item (n) VALUES (1)", "INSERT INTO item (n) VALUES (2)" },
    GORM_MIGRATION_CHANGE_ALTER_NULL, "n",
    .probe_fails = "INSERT INTO item (n) VALUES (NULL)",
    .after = { "1 1", "2 2" }, APPLIED },
  { "null-to-not-null/null-refused", &nullable_v1, &int_v2,
    { "INSERT INTO item (n) VALUES (1)", "INSERT INTO item (n) VALUES (NULL)" },
    GORM_MIGRATION_CHANGE_ALTER_NULL, "n",
    .after = { "1 1", "2 0" },
    .says = { "“item”", "“n”", "not null", "NULL", ROW_ID_2 },
    .fix = { "UPDATE item SET n = 0 WHERE n IS NULL" } },
  { "not-null-to-null/applied", &int_v1, &nullable_v2,
    { "INSERT INTO item (n) VALUES (1)" },
    GORM_MIGRATION_CHANGE_ALTER_NULL, "n",
    .probe_ok = "INSERT INTO item (n) VALUES (NULL)",
    .after = { "1 1", "2 NULL" }, APPLIED },
  { "default/applied", &default_v1, &default_v2,
    { "INSERT INTO item (name, n) VALUES ('a', 1)", "INSERT INTO item (name, n) VALUES ('b', 2)" },
    GORM_MIGRATION_CHANGE_ALTER_DEFAULT, "n",
    .probe_ok = "INSERT INTO item (name) VALUES ('c')",
    .after = { "1 'a' 1", "2 'b' 2", "3 'c' 5" }, APPLIED },

  /* Unique, indexes, unique_together. */
  { "unique-add/applied", &plain_code_v1, &unique_code_v2,
    { "INSERT INTO item (code) VALUES ('a')", "INSERT INTO item (code) VALUES ('b')",
      "INSERT INTO item (code) VALUES (NULL)" },
    GORM_MIGRATION_CHANGE_ADD_INDEX, NULL,
    .probe_fails = "INSERT INTO item (code) VALUES ('a')",
    .after = { "1 'a'", "2 'b'", "3 NULL" }, APPLIED },
  { "unique-add/duplicates-refused", &plain_code_v1, &unique_code_v2,
    { "INSERT INTO item (code) VALUES ('a')", "INSERT INTO item (code) VALUES ('a')" },
    GORM_MIGRATION_CHANGE_ADD_INDEX, NULL,
    .after = { "1 'a'", "2 'c'" },
    .says = { "“item”", "“code”", "unique", "“a”" },
    .fix = { "UPDATE item SET code = 'c' WHERE id = 2" } },
  { "unique-remove/applied", &unique_code_v1, &plain_code_v2,
    { "INSERT INTO item (code) VALUES ('a')" },
    GORM_MIGRATION_CHANGE_DROP_INDEX, NULL,
    .probe_ok = "INSERT INTO item (code) VALUES ('a')",
    .after = { "1 'a'", "2 'a'" }, APPLIED },
  { "index-add/applied", &int_v1, &indexed_v2,
    { "INSERT INTO item (n) VALUES (4)", "INSERT INTO item (n) VALUES (4)" },
    GORM_MIGRATION_CHANGE_ADD_INDEX, NULL,
    .after = { "1 4", "2 4" }, APPLIED },
  { "index-remove/applied", &indexed_v1, &int_v2,
    { "INSERT INTO item (n) VALUES (4)" },
    GORM_MIGRATION_CHANGE_DROP_INDEX, NULL,
    .after = { "1 4" }, APPLIED },
  { "unique-together-add/applied", &pair_v1, &unique_pair_v2,
    { "INSERT INTO item (a, b) VALUES ('x', '1')", "INSERT INTO item (a, b) VALUES ('x', '2')" },
    GORM_MIGRATION_CHANGE_ADD_INDEX, NULL,
    .probe_fails = "INSERT INTO item (a, b) VALUES ('x', '1')",
    .after = { "1 'x' '1'", "2 'x' '2'" }, APPLIED },
  { "unique-together-add/duplicates-refused", &pair_v1, &unique_pair_v2,
    { "INSERT INTO item (a, b) VALUES ('x', '1')", "INSERT INTO item (a, b) VALUES ('x', '1')" },
    GORM_MIGRATION_CHANGE_ADD_INDEX, NULL,
    .after = { "1 'x' '1'", "2 'x' '3'" },
    .says = { "“item”", "unique", "“a”", "“b”" },
    .fix = { "UPDATE item SET b = '3' WHERE id = 2" } },
  { "unique-together-remove/applied", &unique_pair_v1, &pair_v2,
    { "INSERT INTO item (a, b) VALUES ('x', '1')" },
    GORM_MIGRATION_CHANGE_DROP_INDEX, NULL,
    .probe_ok = "INSERT INTO item (a, b) VALUES ('x', '1')",
    .after = { "1 'x' '1'", "2 'x' '1'" }, APPLIED },

  /* Foreign keys. */
  { "foreign-key-add/applied", &loose_v1, &owned_v2,
    { "INSERT INTO owner (name) VALUES ('o1')", "INSERT INTO item (owner_id) VALUES (1)",
      "INSERT INTO item (owner_id) VALUES (NULL)" },
    GORM_MIGRATION_CHANGE_ADD_FOREIGN_KEY, "owner_id",
    .probe_fails = "INSERT INTO item (owner_id) VALUES (99)",
    .after = { "1 1", "2 NULL" }, APPLIED },
  { "foreign-key-add/missing-target-refused", &loose_v1, &owned_v2,
    { "INSERT INTO owner (name) VALUES ('o1')", "INSERT INTO item (owner_id) VALUES (1)",
      "INSERT INTO item (owner_id) VALUES (99)" },
    GORM_MIGRATION_CHANGE_ADD_FOREIGN_KEY, "owner_id",
    .after = { "1 1", "2 NULL" },
    .says = { "“item”", "“owner_id”", "no foreign key", "REFERENCES \"owner\"", "“99”", ROW_ID_2 },
    .fix = { "UPDATE item SET owner_id = NULL WHERE id = 2" } },
  { "foreign-key-remove/applied", &owned_v1, &loose_v2,
    { "INSERT INTO owner (name) VALUES ('o1')", "INSERT INTO item (owner_id) VALUES (1)" },
    GORM_MIGRATION_CHANGE_DROP_FOREIGN_KEY, "owner_id",
    .probe_ok = "INSERT INTO item (owner_id) VALUES (99)",
    .after = { "1 1", "2 99" }, APPLIED },
  { "foreign-key-retarget/applied", &owned_v1, &kept_v2,
    { "INSERT INTO owner (name) VALUES ('o1')", "INSERT INTO owner (name) VALUES ('o2')",
      "INSERT INTO owner (name) VALUES ('o3')", "INSERT INTO keeper (name) VALUES ('k1')",
      "INSERT INTO item (owner_id) VALUES (1)" },
    GORM_MIGRATION_CHANGE_ALTER_FOREIGN_KEY, "owner_id",
    /* Owner 3 exists, keeper 3 does not. */
    .probe_fails = "INSERT INTO item (owner_id) VALUES (3)",
    .after = { "1 1" }, APPLIED },
  { "foreign-key-retarget/missing-target-refused", &owned_v1, &kept_v2,
    { "INSERT INTO owner (name) VALUES ('o1')", "INSERT INTO owner (name) VALUES ('o2')",
      "INSERT INTO keeper (name) VALUES ('k1')", "INSERT INTO item (owner_id) VALUES (1)",
      "INSERT INTO item (owner_id) VALUES (2)" },
    GORM_MIGRATION_CHANGE_ALTER_FOREIGN_KEY, "owner_id",
    .after = { "1 1", "2 2" },
    .says = { "“item”", "“owner_id”", "REFERENCES \"owner\"", "REFERENCES \"keeper\"", ROW_ID_2 },
    .fix = { "INSERT INTO keeper (name) VALUES ('k2')" } },

  /* Tables. */
  { "table-rename/declared-applied", &item_v1, &article_v2,
    { "INSERT INTO item (name) VALUES ('a')", "INSERT INTO item (name) VALUES ('b')" },
    GORM_MIGRATION_CHANGE_RENAME_TABLE, NULL,
    .probe = probe_table_renamed,
    .after = { "1 'a'", "2 'b'" }, APPLIED },
  { "many-to-many-add/applied", &item_v1, &tagged_v2,
    { "INSERT INTO tag (name) VALUES ('t1')", "INSERT INTO item (name) VALUES ('a')",
      "INSERT INTO item (name) VALUES ('b')" },
    GORM_MIGRATION_CHANGE_CREATE_LINK_TABLE, NULL,
    .probe = probe_tags,
    .after = { "1 'a'", "2 'b'" }, APPLIED },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/Gorm/MigrationKinds/", cases[i].path, NULL);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  return g_test_run ();
}
