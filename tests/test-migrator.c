/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The migrator's differ and engines (gorm-migrator-private.h), on both
 * engines: each kind of change on a table with rows, what the plan holds
 * (kinds, what the database has and the model wants, statements) and the
 * data after; each refusal (naming the table, the column, what each side
 * has, the row) and that nothing changed after it, and that a migration
 * works after one.
 *
 * Every type here is stored in the table "item" (or "book", "shelf"): a
 * test migrates one version of the model, writes rows with SQL, then
 * plans and runs another.
 */

#include "config.h"

#include <string.h>

#include "gorm-database-private.h"
#include "gorm-migrator-private.h"
#include "gorm-test-utils.h"

/* Declares the type TestItemSUFFIX stored in "item", whose class_init
 * installs the properties PSPECS and then runs BODY on resource_class. */
#define ITEM_TYPE(Name, name, table, PSPECS, BODY)                          \
  TEST_DEFINE_RESOURCE (Name, name)                                         \
  static void                                                               \
  name##_class_init (Name##Class *klass)                                    \
  {                                                                         \
    GParamSpec *pspecs[] = PSPECS;                                          \
    GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);        \
                                                                            \
    test_object_class_install (G_OBJECT_CLASS (klass), pspecs,              \
                               G_N_ELEMENTS (pspecs));                      \
    gorm_resource_class_set_table (resource_class, table);                  \
    BODY;                                                                   \
  }

#define LABEL g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE)
#define AMOUNT g_param_spec_int ("amount", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE)
#define P(...) { __VA_ARGS__ }

/* The first version: a text label and an integer amount. */
ITEM_TYPE (TestItem, test_item, "item", P (LABEL, AMOUNT), (void) resource_class)
ITEM_TYPE (TestItemNote, test_item_note, "item",
           P (LABEL, AMOUNT, g_param_spec_string ("note", NULL, NULL, NULL, G_PARAM_READWRITE)),
           (void) resource_class)
ITEM_TYPE (TestItemRenamed, test_item_renamed, "item",
           P (g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE), AMOUNT),
           gorm_resource_class_set_renamed_from (resource_class, "name", "label"))
ITEM_TYPE (TestItemUndeclared, test_item_undeclared, "item",
           P (g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE), AMOUNT),
           (void) resource_class)
ITEM_TYPE (TestItemNoLabel, test_item_no_label, "item", P (AMOUNT), (void) resource_class)
ITEM_TYPE (TestItemDouble, test_item_double, "item",
           P (LABEL, g_param_spec_double ("amount", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                          G_PARAM_READWRITE)),
           (void) resource_class)
ITEM_TYPE (TestItemText, test_item_text, "item",
           P (LABEL, g_param_spec_string ("amount", NULL, NULL, NULL, G_PARAM_READWRITE)),
           (void) resource_class)
ITEM_TYPE (TestItemBool, test_item_bool, "item",
           P (LABEL, g_param_spec_boolean ("amount", NULL, NULL, FALSE, G_PARAM_READWRITE)),
           (void) resource_class)
ITEM_TYPE (TestItemNullable, test_item_nullable, "item", P (LABEL, AMOUNT),
           gorm_resource_class_set_nullable (resource_class, "amount"))
ITEM_TYPE (TestItemRequired, test_item_required, "item", P (LABEL, AMOUNT),
           gorm_resource_class_set_not_null (resource_class, "label"))
ITEM_TYPE (TestItemUnique, test_item_unique, "item", P (LABEL, AMOUNT),
           gorm_resource_class_set_unique (resource_class, "label"))
ITEM_TYPE (TestItemIndexed, test_item_indexed, "item", P (LABEL, AMOUNT),
           gorm_resource_class_set_indexed (resource_class, "label"))
ITEM_TYPE (TestItemShort, test_item_short, "item", P (LABEL, AMOUNT),
           gorm_resource_class_set_max_length (resource_class, "label", 3))
ITEM_TYPE (TestItemTogether, test_item_together, "item", P (LABEL, AMOUNT),
           gorm_resource_class_add_unique_together (resource_class,
                                                    (const char *[]) { "label", "amount", NULL }))
ITEM_TYPE (TestItemDefault, test_item_default, "item",
           P (LABEL, g_param_spec_int ("amount", NULL, NULL, G_MININT, G_MAXINT, 5,
                                       G_PARAM_READWRITE)),
           (void) resource_class)
ITEM_TYPE (TestItemColor, test_item_color, "item",
           P (g_param_spec_enum ("label", NULL, NULL, TEST_TYPE_COLOR, TEST_COLOR_RED,
                                 G_PARAM_READWRITE), AMOUNT),
           (void) resource_class)
ITEM_TYPE (TestArticle, test_article, "article", P (LABEL, AMOUNT),
           gorm_resource_class_set_table_renamed_from (resource_class, "item"))

#define SHELF_ID g_param_spec_int64 ("shelf-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE)
#define TITLE g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE)

ITEM_TYPE (TestShelf, test_shelf, "shelf", P (LABEL), (void) resource_class)
ITEM_TYPE (TestCase, test_case, "crate", P (LABEL), (void) resource_class)
ITEM_TYPE (TestBook, test_book, "book", P (TITLE, SHELF_ID),
           gorm_resource_class_set_nullable (resource_class, "shelf-id"))
ITEM_TYPE (TestBookFk, test_book_fk, "book", P (TITLE, SHELF_ID),
           gorm_resource_class_set_nullable (resource_class, "shelf-id");
           gorm_resource_class_set_foreign_key (resource_class, "shelf-id", test_shelf_get_type (),
                                                GORM_ON_DELETE_SET_NULL))
ITEM_TYPE (TestBookCascade, test_book_cascade, "book", P (TITLE, SHELF_ID),
           gorm_resource_class_set_nullable (resource_class, "shelf-id");
           gorm_resource_class_set_foreign_key (resource_class, "shelf-id", test_shelf_get_type (),
                                                GORM_ON_DELETE_CASCADE))
ITEM_TYPE (TestBookCase, test_book_case, "book", P (TITLE, SHELF_ID),
           gorm_resource_class_set_nullable (resource_class, "shelf-id");
           gorm_resource_class_set_foreign_key (resource_class, "shelf-id", test_case_get_type (),
                                                GORM_ON_DELETE_SET_NULL))

ITEM_TYPE (TestBookTitle, test_book_title, "book", P (TITLE), (void) resource_class)
/* A key that every book must have: its default, 0, refers to no shelf. */
ITEM_TYPE (TestBookRequired, test_book_required, "book", P (TITLE, SHELF_ID),
           gorm_resource_class_set_foreign_key (resource_class, "shelf-id", test_shelf_get_type (),
                                                GORM_ON_DELETE_CASCADE))

/* Shelves that hold many books, each on many shelves. */
ITEM_TYPE (TestShelfBooks, test_shelf_books, "shelf", P (LABEL),
           gorm_resource_class_add_many_to_many (resource_class, "books", test_book_title_get_type ()))

/* Two new tables that refer to each other. */
GType test_egg_get_type (void);

ITEM_TYPE (TestHen, test_hen, "hen",
           P (g_param_spec_int64 ("egg-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE)),
           gorm_resource_class_set_nullable (resource_class, "egg-id");
           gorm_resource_class_set_foreign_key (resource_class, "egg-id", test_egg_get_type (),
                                                GORM_ON_DELETE_SET_NULL))
ITEM_TYPE (TestEgg, test_egg, "egg",
           P (g_param_spec_int64 ("hen-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE)),
           gorm_resource_class_set_nullable (resource_class, "hen-id");
           gorm_resource_class_set_foreign_key (resource_class, "hen-id", test_hen_get_type (),
                                                GORM_ON_DELETE_SET_NULL))

static void
execute (GormDatabase *db,
         const char   *sql)
{
  g_autoptr(GError) error = NULL;

  gorm_database_execute (db, sql, NULL, 0, NULL, &error);
  g_assert_no_error (error);
}

/* The text of @column of every row of @table, by id, joined by ";". */
static char *
column_text (GormDatabase *db,
             const char   *table,
             const char   *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT CAST(%s AS TEXT) FROM %s ORDER BY id",
                                          column, table);
  g_autoptr(GdaDataModel) model = test_select (db, sql);
  GString *text = g_string_new (NULL);

  for (int row = 0; row < gda_data_model_get_n_rows (model); row++)
    {
      g_autoptr(GError) error = NULL;
      const GValue *value = gda_data_model_get_value_at (model, 0, row, &error);
      g_autofree char *shown = NULL;

      g_assert_no_error (error);
      shown = G_VALUE_HOLDS_STRING (value) ? g_value_dup_string (value) : g_strdup ("NULL");
      g_string_append_printf (text, "%s%s", row > 0 ? ";" : "", shown);
    }
  return g_string_free (text, FALSE);
}

/* The columns of @table with their types, as the catalog says. */
static char *
describe_table (GormDatabase *db,
                const char   *table)
{
  g_autofree char *sql = test_engine_is_postgresql ()
    ? g_strdup_printf ("SELECT string_agg(column_name || ':' || data_type || ':' || is_nullable, ';' "
                       "ORDER BY ordinal_position) FROM information_schema.columns "
                       "WHERE table_schema = current_schema() AND table_name = '%s'", table)
    : g_strdup_printf ("SELECT sql FROM sqlite_master WHERE name = '%s'", table);

  return test_query_text (db, sql);
}

static GHashTable *
allowed (const char *drop)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

  if (drop != NULL)
    g_hash_table_add (set, (gpointer) drop);
  return set;
}

/* The plan of migrating @db to @type, dropping @drop ("table.column"
 * or NULL); NULL with @error set when refused. */
static GPtrArray *
plan (GormDatabase  *db,
      GType          type,
      const char    *drop,
      GError       **error)
{
  g_autoptr(GHashTable) drops = allowed (drop);
  GormMigratorRequest request = { &type, 1, drops };
  GPtrArray *changes;

  gorm_database_lock (db);
  changes = gorm_migrator_plan_locked (gorm_database_get_connection_locked (db, NULL), &request,
                                       error);
  gorm_database_unlock (db);
  return changes;
}

static void
count_progress (GormMigrationChange *change,
                gdouble              fraction,
                gpointer             user_data)
{
  GArray *fractions = user_data;

  g_assert_true (GORM_IS_MIGRATION_CHANGE (change));
  g_array_append_val (fractions, fraction);
}

/* Plans and runs, as GormMigration does; @fractions (or NULL) receives
 * the progress reported. */
static gboolean
run (GormDatabase  *db,
     GType          type,
     const char    *drop,
     GArray        *fractions,
     GError       **error)
{
  g_autoptr(GHashTable) drops = allowed (drop);
  GormMigratorRequest request = { &type, 1, drops };
  g_autoptr(GPtrArray) changes = NULL;
  GormConnection *connection;
  gboolean ok;

  gorm_database_lock (db);
  connection = gorm_database_get_connection_locked (db, NULL);
  changes = gorm_migrator_plan_locked (connection, &request, error);
  ok = changes != NULL && gorm_migrator_prepare_locked (connection, changes, error);
  if (ok)
    {
      ok = gorm_connection_begin_locked (connection, "test", error) &&
           gorm_migrator_apply_locked (connection, changes,
                                       fractions ? count_progress : NULL, fractions, NULL, error);
      if (ok)
        ok = gorm_connection_commit_locked (connection, "test", error);
      else
        gorm_connection_rollback_locked (connection, "test", NULL);
      gorm_migrator_restore_locked (connection, changes);
    }
  gorm_database_unlock (db);
  return ok;
}

static void
run_ok (GormDatabase *db,
        GType         type,
        const char   *drop)
{
  g_autoptr(GError) error = NULL;

  run (db, type, drop, NULL, &error);
  g_assert_no_error (error);
}

/* The changes of @changes of @kind. */
static guint
count_kind (GPtrArray               *changes,
            GormMigrationChangeKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < changes->len; i++)
    if (gorm_migration_change_get_kind (g_ptr_array_index (changes, i)) == kind)
      n++;
  return n;
}

static GormMigrationChange *
find_kind (GPtrArray               *changes,
           GormMigrationChangeKind  kind)
{
  for (guint i = 0; i < changes->len; i++)
    if (gorm_migration_change_get_kind (g_ptr_array_index (changes, i)) == kind)
      return g_ptr_array_index (changes, i);
  g_error ("the plan has no change of kind %d", kind);
}

/* Whether one of @change's statements (or its table's rebuild's, on
 * SQLite) holds @text. */
static gboolean
statements_hold (GPtrArray           *changes,
                 GormMigrationChange *change,
                 const char          *text)
{
  const char * const *statements = gorm_migration_change_get_statements (change);

  if (statements[0] == NULL && test_engine_is_postgresql ())
    return FALSE;
  if (statements[0] == NULL)
    {
      g_assert_nonnull (strstr (gorm_migration_change_get_reason (change),
                                "by rebuilding the table"));
      statements = gorm_migration_change_get_statements (
        find_kind (changes, GORM_MIGRATION_CHANGE_REBUILD_TABLE));
    }
  for (guint i = 0; statements[i] != NULL; i++)
    if (strstr (statements[i], text) != NULL)
      return TRUE;
  return FALSE;
}

/* A database with the table "item" of TestItem, holding ("a", 1),
 * ("b", 2) and (NULL, 3). */
static GormDatabase *
open_items (void)
{
  GormDatabase *db = test_open_memory ();

  test_migrate (db, test_item_get_type ());
  execute (db, "INSERT INTO item (label, amount) VALUES ('a', 1), ('b', 2), (NULL, 3)");
  return db;
}

/* The refusal @error names every one of @texts; the table "item" is as
 * it was (@schema, @rows); a migration to TestItem still works. */
static void
assert_refused (GormDatabase        *db,
                const GError        *error,
                const char          *schema,
                const char          *rows,
                const char * const  *texts)
{
  g_autofree char *schema_after = describe_table (db, "item");
  g_autofree char *rows_after = NULL;

  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  for (guint i = 0; texts[i] != NULL; i++)
    if (strstr (error->message, texts[i]) == NULL)
      g_error ("“%s” does not name “%s”", error->message, texts[i]);
  g_assert_cmpstr (schema_after, ==, schema);
  rows_after = column_text (db, "item", "amount");
  g_assert_cmpstr (rows_after, ==, rows);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
}

static void
test_nothing (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_item_get_type (), NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);
}

static void
test_add_column (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_item_note_get_type (), NULL, &error);
  GormMigrationChange *change;
  g_autofree char *labels = NULL;
  g_autofree char *notes = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (gorm_migration_change_get_kind (change), ==, GORM_MIGRATION_CHANGE_ADD_COLUMN);
  g_assert_cmpstr (gorm_migration_change_get_table (change), ==, "item");
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "note");
  g_assert_null (gorm_migration_change_get_database_has (change));
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==,
                   test_engine_is_postgresql () ? "text" : "TEXT");
  g_assert_nonnull (strstr (gorm_migration_change_get_statements (change)[0], "ADD COLUMN"));

  run_ok (db, test_item_note_get_type (), NULL);
  labels = column_text (db, "item", "label");
  g_assert_cmpstr (labels, ==, "a;b;NULL");
  notes = column_text (db, "item", "note");
  g_assert_cmpstr (notes, ==, "NULL;NULL;NULL");
}

static void
test_rename_column (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_item_renamed_get_type (), NULL, &error);
  g_autoptr(GPtrArray) again = NULL;
  GormMigrationChange *change;
  g_autofree char *names = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (gorm_migration_change_get_kind (change), ==, GORM_MIGRATION_CHANGE_RENAME_COLUMN);
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "name");
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==, "label");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "name");
  g_assert_nonnull (strstr (gorm_migration_change_get_statements (change)[0],
                            "RENAME COLUMN \"label\" TO \"name\""));

  run_ok (db, test_item_renamed_get_type (), NULL);
  names = column_text (db, "item", "name");
  g_assert_cmpstr (names, ==, "a;b;NULL");
  /* Once renamed, the declaration changes nothing. */
  again = plan (db, test_item_renamed_get_type (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 0);
}

static void
test_undeclared_rename (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = describe_table (db, "item");

  g_assert_false (run (db, test_item_undeclared_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "1;2;3",
                  (const char *[]) { "“item”", "“label”", "“name”", "2 rows",
                                     "gorm_resource_class_set_renamed_from", NULL });
  g_clear_error (&error);
  /* With the permission to drop the old column, it migrates. */
  run_ok (db, test_item_undeclared_get_type (), "item.label");
  g_free (schema);
  schema = column_text (db, "item", "name");
  g_assert_cmpstr (schema, ==, "NULL;NULL;NULL");
}

static void
test_drop_column (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = describe_table (db, "item");
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *after = NULL;
  GormMigrationChange *change;

  g_assert_false (run (db, test_item_no_label_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "1;2;3",
                  (const char *[]) { "“item”", "“label”", "2 rows",
                                     "gorm_migration_allow_drop()", NULL });
  g_clear_error (&error);

  changes = plan (db, test_item_no_label_get_type (), "item.label", &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_DROP_COLUMN);
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "label");
  g_assert_nonnull (gorm_migration_change_get_database_has (change));
  g_assert_null (gorm_migration_change_get_model_wants (change));
  g_assert_true (statements_hold (changes, change, test_engine_is_postgresql ()
                                                   ? "DROP COLUMN \"label\"" : "DROP TABLE"));
  run_ok (db, test_item_no_label_get_type (), "item.label");
  after = describe_table (db, "item");
  g_assert_null (strstr (after, "label"));
  g_free (after);
  after = column_text (db, "item", "amount");
  g_assert_cmpstr (after, ==, "1;2;3");
}

/* A column holding no value is dropped without a permission. */
static void
test_drop_empty_column (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *amounts = NULL;

  execute (db, "UPDATE item SET label = NULL");
  g_assert_true (run (db, test_item_no_label_get_type (), NULL, NULL, &error));
  g_assert_no_error (error);
  amounts = column_text (db, "item", "amount");
  g_assert_cmpstr (amounts, ==, "1;2;3");
}

static void
test_integer_to_double (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_item_double_get_type (), NULL, &error);
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (gdouble));
  GormMigrationChange *change;
  g_autofree char *amounts = NULL;

  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ALTER_TYPE);
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "amount");
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==,
                   test_engine_is_postgresql () ? "bigint" : "INTEGER");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==,
                   test_engine_is_postgresql () ? "double precision" : "REAL");
  g_assert_cmpuint (count_kind (changes, GORM_MIGRATION_CHANGE_REBUILD_TABLE), ==,
                    test_engine_is_postgresql () ? 0 : 1);
  g_assert_true (statements_hold (changes, change, test_engine_is_postgresql ()
                                                   ? "TYPE double precision USING"
                                                   : "CAST(\"amount\" AS REAL)"));

  g_assert_true (run (db, test_item_double_get_type (), NULL, fractions, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fractions->len, >=, 2);
  g_assert_cmpfloat (g_array_index (fractions, gdouble, fractions->len - 1), ==, 1.0);
  amounts = test_query_text (db, "SELECT CAST(sum(amount) * 10 AS INTEGER) FROM item");
  g_assert_cmpstr (amounts, ==, "60");
  g_free (amounts);
  amounts = describe_table (db, "item");
  g_assert_nonnull (strstr (amounts, test_engine_is_postgresql () ? "double precision" : "REAL"));
}

static void
test_double_to_integer (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *amounts = NULL;

  test_migrate (db, test_item_double_get_type ());
  execute (db, "INSERT INTO item (label, amount) VALUES ('a', 1), ('b', 2.5), ('c', 3)");
  schema = describe_table (db, "item");
  g_assert_false (run (db, test_item_get_type (), NULL, NULL, &error));
  amounts = column_text (db, "item", "amount");
  assert_refused (db, error, schema, amounts,
                  (const char *[]) { "“item”", "“amount”", "2.5", "“id” is “2”", NULL });
  g_clear_error (&error);

  execute (db, "UPDATE item SET amount = 2 WHERE id = 2");
  run_ok (db, test_item_get_type (), NULL);
  g_free (amounts);
  amounts = column_text (db, "item", "amount");
  g_assert_cmpstr (amounts, ==, "1;2;3");
}

static void
test_text_to_integer (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *amounts = NULL;

  test_migrate (db, test_item_text_get_type ());
  execute (db, "INSERT INTO item (label, amount) VALUES ('a', '10'), ('b', '-7'), ('c', '1e3')");
  schema = describe_table (db, "item");
  g_assert_false (run (db, test_item_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "10;-7;1e3",
                  (const char *[]) { "“item”", "“amount”", "“1e3”", "“id” is “3”", NULL });
  g_clear_error (&error);

  execute (db, "UPDATE item SET amount = '1000' WHERE id = 3");
  run_ok (db, test_item_get_type (), NULL);
  amounts = test_query_text (db, "SELECT CAST(sum(amount) AS TEXT) FROM item");
  g_assert_cmpstr (amounts, ==, "1003");
}

static void
test_integer_to_text (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autofree char *amounts = NULL;

  run_ok (db, test_item_text_get_type (), NULL);
  amounts = test_query_text (db, "SELECT amount FROM item WHERE id = 2");
  g_assert_cmpstr (amounts, ==, "2");
}

static void
test_integer_to_boolean (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = describe_table (db, "item");
  g_autofree char *amounts = NULL;

  g_assert_false (run (db, test_item_bool_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "1;2;3",
                  (const char *[]) { "“item”", "“amount”", "“2”", "“id” is “2”", NULL });
  g_clear_error (&error);
  execute (db, "UPDATE item SET amount = 0 WHERE amount > 1");
  run_ok (db, test_item_bool_get_type (), NULL);
  amounts = test_query_text (db, "SELECT count(*) FROM item WHERE amount");
  g_assert_cmpstr (amounts, ==, "1");
  /* And back: booleans are integers 0 and 1. */
  run_ok (db, test_item_get_type (), NULL);
  g_free (amounts);
  amounts = column_text (db, "item", "amount");
  g_assert_cmpstr (amounts, ==, "1;0;0");
}

static void
test_not_null (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = describe_table (db, "item");
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GormResource) item = NULL;
  GormMigrationChange *change;

  g_assert_false (run (db, test_item_required_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "1;2;3",
                  (const char *[]) { "“item”", "“label”", "“id” is “3”", "NOT NULL",
                                     "gorm_migration_add_step()", NULL });
  g_clear_error (&error);

  execute (db, "UPDATE item SET label = 'c' WHERE label IS NULL");
  changes = plan (db, test_item_required_get_type (), NULL, &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ALTER_NULL);
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==, "NULL");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "NOT NULL");
  g_assert_true (statements_hold (changes, change, test_engine_is_postgresql ()
                                                   ? "SET NOT NULL" : "\"label\" TEXT NOT NULL"));
  run_ok (db, test_item_required_get_type (), NULL);
  /* The database refuses NULL from then on. */
  gorm_database_execute (db, "INSERT INTO item (label, amount) VALUES (NULL, 4)", NULL, 0, NULL,
                         &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
}

static void
test_nullable (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_item_nullable_get_type (), NULL, &error);
  GormMigrationChange *change;
  g_autofree char *amounts = NULL;

  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ALTER_NULL);
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "amount");
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==, "NOT NULL");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "NULL");
  /* A nullable number has no default: a row written without it is NULL. */
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ALTER_DEFAULT);
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==, "DEFAULT 0");
  g_assert_null (gorm_migration_change_get_model_wants (change));
  run_ok (db, test_item_nullable_get_type (), NULL);
  execute (db, "INSERT INTO item (label) VALUES ('d')");
  amounts = column_text (db, "item", "amount");
  g_assert_cmpstr (amounts, ==, "1;2;3;NULL");
}

static void
test_default (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_item_default_get_type (), NULL, &error);
  GormMigrationChange *change;
  g_autofree char *amounts = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (count_kind (changes, GORM_MIGRATION_CHANGE_ALTER_DEFAULT), ==, 1);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ALTER_DEFAULT);
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "DEFAULT 5");
  g_assert_true (statements_hold (changes, change, test_engine_is_postgresql ()
                                                   ? "SET DEFAULT 5" : "DEFAULT 5"));
  run_ok (db, test_item_default_get_type (), NULL);
  execute (db, "INSERT INTO item (label) VALUES ('d')");
  amounts = column_text (db, "item", "amount");
  g_assert_cmpstr (amounts, ==, "1;2;3;5");
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, test_item_default_get_type (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);
}

static void
test_unique (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  GormMigrationChange *change;

  execute (db, "INSERT INTO item (label, amount) VALUES ('b', 4)");
  schema = describe_table (db, "item");
  g_assert_false (run (db, test_item_unique_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "1;2;3;4",
                  (const char *[]) { "“item”", "label", "“b”", "unique", NULL });
  g_clear_error (&error);

  execute (db, "DELETE FROM item WHERE amount = 4");
  changes = plan (db, test_item_unique_get_type (), NULL, &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ADD_INDEX);
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "label");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "UNIQUE (label)");
  run_ok (db, test_item_unique_get_type (), NULL);
  gorm_database_execute (db, "INSERT INTO item (label, amount) VALUES ('a', 5)", NULL, 0, NULL,
                         &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Unique no more. */
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, test_item_get_type (), NULL, &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_DROP_INDEX);
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==, "UNIQUE (label)");
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "label");
  run_ok (db, test_item_get_type (), NULL);
  execute (db, "INSERT INTO item (label, amount) VALUES ('a', 5)");
}

static void
test_index (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_item_indexed_get_type (), NULL, &error);
  GormMigrationChange *change;

  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (gorm_migration_change_get_kind (change), ==, GORM_MIGRATION_CHANGE_ADD_INDEX);
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "label");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "INDEX (label)");
  run_ok (db, test_item_indexed_get_type (), NULL);

  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, test_item_get_type (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (gorm_migration_change_get_kind (change), ==, GORM_MIGRATION_CHANGE_DROP_INDEX);
  g_assert_cmpstr (gorm_migration_change_get_statements (change)[0], ==,
                   "DROP INDEX \"ix_item_label\"");
  run_ok (db, test_item_get_type (), NULL);
}

static void
test_unique_together (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  GormMigrationChange *change;

  execute (db, "INSERT INTO item (label, amount) VALUES ('b', 2)");
  schema = describe_table (db, "item");
  g_assert_false (run (db, test_item_together_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "1;2;3;2",
                  (const char *[]) { "“item”", "“b, 2”", "“label”, “amount”", NULL });
  g_clear_error (&error);
  execute (db, "UPDATE item SET amount = 4 WHERE id = 4");
  changes = plan (db, test_item_together_get_type (), NULL, &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ADD_INDEX);
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "UNIQUE (label, amount)");
  run_ok (db, test_item_together_get_type (), NULL);
}

/* An index of the model's name over other columns (another tool's) is
 * made anew over the model's. */
static void
test_index_over_other_columns (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  GormMigrationChange *change;

  execute (db, "CREATE INDEX ux_item_label_amount ON item (amount)");
  changes = plan (db, test_item_together_get_type (), NULL, &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_DROP_INDEX);
  g_assert_nonnull (change);
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==, "INDEX (amount)");
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ADD_INDEX);
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "UNIQUE (label, amount)");
  run_ok (db, test_item_together_get_type (), NULL);

  /* Unique over both now: a duplicate pair is refused, one amount twice is not. */
  execute (db, "INSERT INTO item (label, amount) VALUES ('x', 1)");
  gorm_database_execute (db, "INSERT INTO item (label, amount) VALUES ('x', 1)", NULL, 0, NULL,
                         &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, test_item_together_get_type (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);
}

static void
test_max_length (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  GormMigrationChange *change;

  execute (db, "UPDATE item SET label = 'long' WHERE id = 2");
  schema = describe_table (db, "item");
  g_assert_false (run (db, test_item_short_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "1;2;3",
                  (const char *[]) { "“item”", "“label”", "“long”", "“id” is “2”", NULL });
  g_clear_error (&error);
  execute (db, "UPDATE item SET label = 'lo' WHERE id = 2");
  changes = plan (db, test_item_short_get_type (), NULL, &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ALTER_TYPE);
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==,
                   test_engine_is_postgresql () ? "varchar(3)" : "VARCHAR(3)");
  run_ok (db, test_item_short_get_type (), NULL);
}

static void
test_enum (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autofree char *schema = NULL;

  execute (db, "UPDATE item SET label = 'red'");
  execute (db, "UPDATE item SET label = 'purple' WHERE id = 3");
  schema = describe_table (db, "item");
  g_assert_false (run (db, test_item_color_get_type (), NULL, NULL, &error));
  assert_refused (db, error, schema, "1;2;3",
                  (const char *[]) { "“item”", "“label”", "“purple”", "“id” is “3”", NULL });
  g_clear_error (&error);
  execute (db, "UPDATE item SET label = 'dark-blue' WHERE id = 3");
  run_ok (db, test_item_color_get_type (), NULL);
}

static void
test_rename_table (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_article_get_type (), NULL, &error);
  GormMigrationChange *change;
  g_autofree char *labels = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (gorm_migration_change_get_kind (change), ==, GORM_MIGRATION_CHANGE_RENAME_TABLE);
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==, "item");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==, "article");
  g_assert_cmpstr (gorm_migration_change_get_statements (change)[0], ==,
                   "ALTER TABLE \"item\" RENAME TO \"article\"");
  run_ok (db, test_article_get_type (), NULL);
  labels = column_text (db, "article", "label");
  g_assert_cmpstr (labels, ==, "a;b;NULL");
}

/* A database with a shelf (id 1) and books on it and on none. */
static GormDatabase *
open_books (void)
{
  GormDatabase *db = test_open_memory ();
  const GType types[] = { test_shelf_get_type (), test_case_get_type (), test_book_get_type () };
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  execute (db, "INSERT INTO shelf (id, label) VALUES (1, 'top')");
  execute (db, "INSERT INTO crate (id, label) VALUES (1, 'glass')");
  execute (db, "INSERT INTO book (title, shelf_id) VALUES ('x', 1), ('y', NULL), ('z', 1)");
  return db;
}

static void
test_foreign_key (void)
{
  g_autoptr(GormDatabase) db = open_books ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  GormMigrationChange *change;
  g_autofree char *before = describe_table (db, "book");
  g_autofree char *after = NULL;
  g_autofree char *shelves = NULL;

  /* A book on a shelf that does not exist. */
  execute (db, "UPDATE book SET shelf_id = 9 WHERE title = 'z'");
  g_assert_false (run (db, test_book_fk_get_type (), NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“book”"));
  g_assert_nonnull (strstr (error->message, "“shelf_id”"));
  g_assert_nonnull (strstr (error->message, "“9”"));
  g_assert_nonnull (strstr (error->message, "“id” is “3”"));
  g_assert_nonnull (strstr (error->message, "REFERENCES \"shelf\""));
  g_clear_error (&error);
  after = describe_table (db, "book");
  g_assert_cmpstr (after, ==, before);

  execute (db, "UPDATE book SET shelf_id = 1 WHERE title = 'z'");
  changes = plan (db, test_book_fk_get_type (), NULL, &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ADD_FOREIGN_KEY);
  g_assert_cmpstr (gorm_migration_change_get_column (change), ==, "shelf_id");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==,
                   "REFERENCES \"shelf\" (\"id\") ON DELETE SET NULL");
  run_ok (db, test_book_fk_get_type (), NULL);
  execute (db, "DELETE FROM shelf WHERE id = 1");
  shelves = column_text (db, "book", "shelf_id");
  g_assert_cmpstr (shelves, ==, "NULL;NULL;NULL");

  /* Another ON DELETE. */
  execute (db, "INSERT INTO shelf (id, label) VALUES (1, 'top')");
  execute (db, "UPDATE book SET shelf_id = 1 WHERE title = 'x'");
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, test_book_cascade_get_type (), NULL, &error);
  g_assert_no_error (error);
  change = find_kind (changes, GORM_MIGRATION_CHANGE_ALTER_FOREIGN_KEY);
  g_assert_cmpstr (gorm_migration_change_get_database_has (change), ==,
                   "REFERENCES \"shelf\" (\"id\") ON DELETE SET NULL");
  g_assert_cmpstr (gorm_migration_change_get_model_wants (change), ==,
                   "REFERENCES \"shelf\" (\"id\") ON DELETE CASCADE");
  run_ok (db, test_book_cascade_get_type (), NULL);
  execute (db, "DELETE FROM shelf WHERE id = 1");
  g_free (shelves);
  shelves = column_text (db, "book", "title");
  g_assert_cmpstr (shelves, ==, "y;z");

  /* Retargeted: every key must have its row in the new table. */
  execute (db, "INSERT INTO shelf (id, label) VALUES (2, 'low')");
  execute (db, "UPDATE book SET shelf_id = 2 WHERE title = 'y'");
  g_assert_false (run (db, test_book_case_get_type (), NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "“crate”"));
  g_clear_error (&error);
  execute (db, "UPDATE book SET shelf_id = NULL WHERE title = 'y'");
  run_ok (db, test_book_case_get_type (), NULL);

  /* No foreign key any more. */
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, test_book_get_type (), NULL, &error);
  g_assert_no_error (error);
  find_kind (changes, GORM_MIGRATION_CHANGE_DROP_FOREIGN_KEY);
  run_ok (db, test_book_get_type (), NULL);
  execute (db, "UPDATE book SET shelf_id = 42");
}

/* Two new tables whose foreign keys refer to each other: PostgreSQL adds
 * one of them once both exist. */
static void
test_mutual_foreign_keys (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = plan (db, test_hen_get_type (), NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (count_kind (changes, GORM_MIGRATION_CHANGE_CREATE_TABLE), ==, 2);
  g_assert_cmpuint (count_kind (changes, GORM_MIGRATION_CHANGE_ADD_FOREIGN_KEY), ==,
                    test_engine_is_postgresql () ? 1 : 0);
  run_ok (db, test_hen_get_type (), NULL);
  execute (db, "INSERT INTO hen (id, egg_id) VALUES (1, NULL)");
  execute (db, "INSERT INTO egg (id, hen_id) VALUES (1, 1)");
  execute (db, "UPDATE hen SET egg_id = 1");
  gorm_database_execute (db, "UPDATE hen SET egg_id = 5", NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, test_hen_get_type (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);
}

/* SQLite's rebuild: chunks of rowids with progress after each, and none
 * inside a transaction. (PostgreSQL alters its tables: no rebuild.) */
static void
test_rebuild (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *amounts = NULL;
  GormMigrationChange *rebuild;
  const char * const *statements;

  execute (db, "INSERT INTO item (id, label, amount) VALUES (50000, 'far', 4)");
  /* A key given once and deleted is never given again, rebuilt or not. */
  execute (db, "INSERT INTO item (id, label, amount) VALUES (60000, 'gone', 5)");
  execute (db, "DELETE FROM item WHERE id = 60000");
  changes = plan (db, test_item_double_get_type (), NULL, &error);
  g_assert_no_error (error);
  rebuild = g_ptr_array_index (changes, 0);
  g_assert_cmpint (gorm_migration_change_get_kind (rebuild), ==,
                   GORM_MIGRATION_CHANGE_REBUILD_TABLE);
  statements = gorm_migration_change_get_statements (rebuild);
  g_assert_true (g_str_has_prefix (statements[0], "CREATE TABLE \"gorm_rebuild_item\""));
  g_assert_true (g_str_has_prefix (statements[1], "INSERT INTO \"gorm_rebuild_item\""));
  g_assert_cmpstr (statements[2], ==, "DELETE FROM sqlite_sequence WHERE name = 'gorm_rebuild_item'");
  g_assert_cmpstr (statements[3], ==,
                   "UPDATE sqlite_sequence SET name = 'gorm_rebuild_item' WHERE name = 'item'");
  g_assert_cmpstr (statements[4], ==, "DROP TABLE \"item\"");
  g_assert_cmpstr (statements[5], ==, "ALTER TABLE \"gorm_rebuild_item\" RENAME TO \"item\"");
  g_assert_cmpstr (statements[g_strv_length ((char **) statements) - 1], ==,
                   "PRAGMA foreign_key_check(\"item\")");
  g_assert_cmpuint (g_strv_length ((char **) gorm_migration_change_get_statements (
                      find_kind (changes, GORM_MIGRATION_CHANGE_ALTER_TYPE))), ==, 0);

  /* Not inside a transaction: foreign keys cannot be turned off there. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_false (run (db, test_item_double_get_type (), NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "outside a transaction"));
  g_clear_error (&error);
  g_assert_true (gorm_database_rollback (db, NULL, &error));

  g_assert_true (run (db, test_item_double_get_type (), NULL, fractions, &error));
  g_assert_no_error (error);
  /* Rowids 1 to 50000: three chunks, each reported. */
  g_assert_cmpuint (fractions->len, >=, 4);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, gdouble, i), >=,
                       g_array_index (fractions, gdouble, i - 1));
  amounts = column_text (db, "item", "typeof(amount)");
  g_assert_cmpstr (amounts, ==, "real;real;real;real");
  g_free (amounts);
  amounts = test_query_text (db, "PRAGMA foreign_keys");
  g_assert_cmpstr (amounts, ==, "1");
  g_free (amounts);
  execute (db, "INSERT INTO item (label, amount) VALUES ('next', 6)");
  amounts = test_query_text (db, "SELECT max(id) FROM item");
  g_assert_cmpstr (amounts, ==, "60001");
}

/* A NOT NULL foreign key added to rows: their key, the property's
 * default, refers to no row, which the database finds while the
 * migration runs (SQLite's foreign_key_check after the rebuild,
 * PostgreSQL's ADD COLUMN): refused, and the table is as it was. */
static void
test_required_foreign_key (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  const GType types[] = { test_shelf_get_type (), test_book_title_get_type () };
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  execute (db, "INSERT INTO book (title) VALUES ('x'), ('y')");
  before = describe_table (db, "book");
  g_assert_false (run (db, test_book_required_get_type (), NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“book”"));
  g_assert_nonnull (strstr (error->message, test_engine_is_postgresql () ? "shelf_id" : "“shelf”"));
  g_clear_error (&error);
  after = describe_table (db, "book");
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  if (!test_engine_is_postgresql ())
    {
      g_free (after);
      after = test_query_text (db, "PRAGMA foreign_keys");
      g_assert_cmpstr (after, ==, "1");
    }
}

/* A link table that exists but does not link what the relation links
 * (another tool's table of the same name) is refused, not used. */
static void
test_foreign_link_table (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autofree char *links = NULL;
  g_autofree char *tables = NULL;

  execute (db, "CREATE TABLE shelf_books (shelf_id INTEGER, note TEXT)");
  execute (db, "INSERT INTO shelf_books VALUES (1, 'kept')");
  g_assert_false (run (db, test_shelf_books_get_type (), NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  for (guint i = 0; i < 4; i++)
    {
      const char *named[] = { "many-to-many", "“shelf_books”", "REFERENCES", "note", };

      if (strstr (error->message, named[i]) == NULL)
        g_error ("“%s” does not name “%s”", error->message, named[i]);
    }
  g_clear_error (&error);
  /* Nothing changed: the tables planned before the refusal are not made. */
  links = test_query_text (db, "SELECT note FROM shelf_books");
  g_assert_cmpstr (links, ==, "kept");
  tables = test_query_text (db, test_engine_is_postgresql ()
                                ? "SELECT count(*) FROM information_schema.tables "
                                  "WHERE table_schema = current_schema() AND table_name = 'shelf'"
                                : "SELECT count(*) FROM sqlite_master WHERE name = 'shelf'");
  g_assert_cmpstr (tables, ==, "0");

  /* Once the step the message suggests made room, the table is made. */
  execute (db, "DROP TABLE shelf_books");
  run_ok (db, test_shelf_books_get_type (), NULL);
}

/* A many-to-many relation added between existing tables: its link
 * table. */
static void
test_many_to_many (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  const GType types[] = { test_shelf_get_type (), test_book_title_get_type () };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  GormMigrationChange *change;
  g_autofree char *links = NULL;

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  execute (db, "INSERT INTO shelf (id, label) VALUES (1, 'top')");
  execute (db, "INSERT INTO book (id, title) VALUES (1, 'x')");
  changes = plan (db, test_shelf_books_get_type (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (gorm_migration_change_get_kind (change), ==,
                   GORM_MIGRATION_CHANGE_CREATE_LINK_TABLE);
  g_assert_cmpstr (gorm_migration_change_get_table (change), ==, "shelf_books");
  run_ok (db, test_shelf_books_get_type (), NULL);
  execute (db, "INSERT INTO shelf_books SELECT 1, 1");
  links = test_query_text (db, "SELECT count(*) FROM shelf_books");
  g_assert_cmpstr (links, ==, "1");
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, test_shelf_books_get_type (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);
}

/* A cancelled migration stops before its next change (or chunk). */
static void
test_cancelled (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GType type = test_item_note_get_type ();
  GormMigratorRequest request = { &type, 1, NULL };
  g_autoptr(GPtrArray) changes = NULL;
  GormConnection *connection;
  gboolean ok;

  g_cancellable_cancel (cancellable);
  gorm_database_lock (db);
  connection = gorm_database_get_connection_locked (db, NULL);
  changes = gorm_migrator_plan_locked (connection, &request, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_connection_begin_locked (connection, "test", &error));
  ok = gorm_migrator_apply_locked (connection, changes, NULL, NULL, cancellable, &error);
  gorm_connection_rollback_locked (connection, "test", NULL);
  gorm_database_unlock (db);
  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = plan (db, type, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
}

/* A rebuild makes the table's triggers again. */
static void
test_rebuild_triggers (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autofree char *count = NULL;

  execute (db, "CREATE TRIGGER item_touch AFTER UPDATE ON item BEGIN "
               "UPDATE item SET label = 'touched' WHERE id = NEW.id AND label IS NULL; END");
  run_ok (db, test_item_double_get_type (), NULL);
  count = test_query_text (db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                               "AND tbl_name = 'item'");
  g_assert_cmpstr (count, ==, "1");
  execute (db, "UPDATE item SET amount = 7 WHERE id = 3");
  g_free (count);
  count = column_text (db, "item", "label");
  g_assert_cmpstr (count, ==, "a;b;touched");
}

/* gorm_database_migrate() runs the same plan, and works after a
 * refusal. */
static void
test_migrate_after_refusal (void)
{
  g_autoptr(GormDatabase) db = open_items ();
  g_autoptr(GError) error = NULL;
  GType type = test_item_required_get_type ();
  g_autofree char *labels = NULL;

  g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_clear_error (&error);
  execute (db, "UPDATE item SET label = 'c' WHERE label IS NULL");
  g_assert_true (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_no_error (error);
  labels = column_text (db, "item", "label");
  g_assert_cmpstr (labels, ==, "a;b;c");
}

static void
test_change_properties (void)
{
  g_autoptr(GormMigrationChange) change =
    gorm_migration_change_new (GORM_MIGRATION_CHANGE_SET_VERSION, NULL, NULL, "2", "3",
                               "the application is at version 3", 3);
  GormMigrationChangeKind kind;
  g_autofree char *has = NULL;
  g_auto(GStrv) statements = NULL;
  guint version;

  gorm_migration_change_add_statement (change, "UPDATE gorm_schema SET value = '3'");
  g_object_get (change, "kind", &kind, "database-has", &has, "statements", &statements,
                "version", &version, NULL);
  g_assert_cmpint (kind, ==, GORM_MIGRATION_CHANGE_SET_VERSION);
  g_assert_cmpstr (has, ==, "2");
  g_assert_cmpuint (g_strv_length (statements), ==, 1);
  g_assert_cmpuint (version, ==, 3);
  g_assert_null (gorm_migration_change_get_table (change));
  g_assert_cmpstr (gorm_migration_change_get_reason (change), ==, "the application is at version 3");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Migrator/nothing", test_nothing);
  g_test_add_func ("/Gorm/Migrator/change-properties", test_change_properties);
  g_test_add_func ("/Gorm/Migrator/add-column", test_add_column);
  g_test_add_func ("/Gorm/Migrator/rename-column", test_rename_column);
  g_test_add_func ("/Gorm/Migrator/undeclared-rename", test_undeclared_rename);
  g_test_add_func ("/Gorm/Migrator/drop-column", test_drop_column);
  g_test_add_func ("/Gorm/Migrator/drop-empty-column", test_drop_empty_column);
  g_test_add_func ("/Gorm/Migrator/integer-to-double", test_integer_to_double);
  g_test_add_func ("/Gorm/Migrator/double-to-integer", test_double_to_integer);
  g_test_add_func ("/Gorm/Migrator/text-to-integer", test_text_to_integer);
  g_test_add_func ("/Gorm/Migrator/integer-to-text", test_integer_to_text);
  g_test_add_func ("/Gorm/Migrator/integer-to-boolean", test_integer_to_boolean);
  g_test_add_func ("/Gorm/Migrator/not-null", test_not_null);
  g_test_add_func ("/Gorm/Migrator/nullable", test_nullable);
  g_test_add_func ("/Gorm/Migrator/default", test_default);
  g_test_add_func ("/Gorm/Migrator/unique", test_unique);
  g_test_add_func ("/Gorm/Migrator/index", test_index);
  g_test_add_func ("/Gorm/Migrator/unique-together", test_unique_together);
  g_test_add_func ("/Gorm/Migrator/max-length", test_max_length);
  g_test_add_func ("/Gorm/Migrator/enum", test_enum);
  g_test_add_func ("/Gorm/Migrator/rename-table", test_rename_table);
  g_test_add_func ("/Gorm/Migrator/foreign-key", test_foreign_key);
  g_test_add_func ("/Gorm/Migrator/mutual-foreign-keys", test_mutual_foreign_keys);
  if (!test_engine_is_postgresql ())
    g_test_add_func ("/Gorm/Migrator/rebuild", test_rebuild);
  g_test_add_func ("/Gorm/Migrator/migrate-after-refusal", test_migrate_after_refusal);
  g_test_add_func ("/Gorm/Migrator/required-foreign-key", test_required_foreign_key);
  g_test_add_func ("/Gorm/Migrator/cancelled", test_cancelled);
  g_test_add_func ("/Gorm/Migrator/many-to-many", test_many_to_many);
  g_test_add_func ("/Gorm/Migrator/foreign-link-table", test_foreign_link_table);
  g_test_add_func ("/Gorm/Migrator/index-over-other-columns", test_index_over_other_columns);
  if (!test_engine_is_postgresql ())
    g_test_add_func ("/Gorm/Migrator/rebuild-triggers", test_rebuild_triggers);

  return g_test_run ();
}
