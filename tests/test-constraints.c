/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-test-utils.h"

/*
 * Composite constraints: gorm_resource_class_add_unique_together() and
 * gorm_resource_class_add_index(), their indexes on new and existing
 * tables, the errors of the rows that break them, and the errors of the
 * declarations that name what is not there.
 */

/* kind and number are unique together; number and note are indexed. */
TEST_DEFINE_RESOURCE (TestPair, test_pair)
#define TEST_TYPE_PAIR (test_pair_get_type ())

static void
test_pair_class_init (TestPairClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("kind", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("number", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_string ("note", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  static const char * const unique[] = { "kind", "number", NULL };
  static const char * const indexed[] = { "number", "note", NULL };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_add_unique_together (resource_class, unique);
  gorm_resource_class_add_index (resource_class, indexed);
  /* Said twice: still one index. */
  gorm_resource_class_add_unique_together (resource_class, unique);
}

/* The table of TestPair as an earlier version of the program made it,
 * without the constraints. */
TEST_DEFINE_RESOURCE (TestPairOld, test_pair_old)
#define TEST_TYPE_PAIR_OLD (test_pair_old_get_type ())

static void
test_pair_old_class_init (TestPairOldClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("kind", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("number", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_string ("note", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "test_pair");
}

/* A subclass of TestPair: its rules are inherited. */
typedef struct { TestPair parent_instance; } TestPairChild;
typedef struct { TestPairClass parent_class; } TestPairChildClass;
GType test_pair_child_get_type (void);
G_DEFINE_TYPE (TestPairChild, test_pair_child, TEST_TYPE_PAIR)
#define TEST_TYPE_PAIR_CHILD (test_pair_child_get_type ())

static void
test_pair_child_init (TestPairChild *self)
{
}

static void
test_pair_child_class_init (TestPairChildClass *klass)
{
}

/* Names in the Python spelling ("first_name" for the property
 * "first-name") and a column of another name. */
TEST_DEFINE_RESOURCE (TestPerson, test_person)
#define TEST_TYPE_PERSON (test_person_get_type ())

static void
test_person_class_init (TestPersonClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("first-name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("last-name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  static const char * const unique[] = { "last_name", "first_name", NULL };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_column_name (resource_class, "last-name", "surname");
  gorm_resource_class_add_unique_together (resource_class, unique);
}

/* Names so long that the index names are shortened. */
TEST_DEFINE_RESOURCE (TestLongNames, test_long_names)
#define TEST_TYPE_LONG_NAMES (test_long_names_get_type ())

static void
test_long_names_class_init (TestLongNamesClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("the-first-property-with-a-rather-long-name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("the-second-property-with-a-rather-long-name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  static const char * const unique[] = {
    "the-first-property-with-a-rather-long-name",
    "the-second-property-with-a-rather-long-name",
    NULL
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_add_unique_together (resource_class, unique);
  gorm_resource_class_add_index (resource_class, unique);
}

/* (a_b, c) and (a, b_c) would both be "ix_test_clash_a_b_c", as would
 * the index of the one column a_b_c. */
TEST_DEFINE_RESOURCE (TestClash, test_clash)
#define TEST_TYPE_CLASH (test_clash_get_type ())

static void
test_clash_class_init (TestClashClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int ("a", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_int ("a-b", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_int ("b-c", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_int ("c", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_int ("a-b-c", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
  };
  static const char * const first[] = { "a-b", "c", NULL };
  static const char * const second[] = { "a", "b-c", NULL };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_indexed (resource_class, "a-b-c");
  gorm_resource_class_add_index (resource_class, first);
  gorm_resource_class_add_index (resource_class, second);
}

/* Declarations naming what is not there. */
TEST_DEFINE_RESOURCE (TestUnknown, test_unknown)
#define TEST_TYPE_UNKNOWN (test_unknown_get_type ())

static void
test_unknown_class_init (TestUnknownClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("kind", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  static const char * const unique[] = { "kind", "colour", NULL };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_add_unique_together (GORM_RESOURCE_CLASS (klass), unique);
}

TEST_DEFINE_RESOURCE (TestUnknownIndex, test_unknown_index)
#define TEST_TYPE_UNKNOWN_INDEX (test_unknown_index_get_type ())

static void
test_unknown_index_class_init (TestUnknownIndexClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("kind", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("secret", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  static const char * const indexed[] = { "secret", "kind", NULL };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  /* A transient property has no column to index. */
  gorm_resource_class_set_transient (GORM_RESOURCE_CLASS (klass), "secret");
  gorm_resource_class_add_index (GORM_RESOURCE_CLASS (klass), indexed);
}

TEST_DEFINE_RESOURCE (TestTwice, test_twice)
#define TEST_TYPE_TWICE (test_twice_get_type ())

static void
test_twice_class_init (TestTwiceClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("kind", NULL, NULL, NULL, G_PARAM_READWRITE),
  };
  static const char * const unique[] = { "kind", "kind", NULL };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_add_unique_together (GORM_RESOURCE_CLASS (klass), unique);
}

/* The definition of the index @name as the engine keeps it, or NULL when
 * there is no such index. */
static char *
index_definition (GormDatabase *db,
                  const char   *name)
{
  g_autofree char *sql = NULL;
  g_autoptr(GdaDataModel) model = NULL;
  g_autoptr(GError) error = NULL;
  const GValue *value;

  if (test_engine_is_postgresql ())
    sql = g_strdup_printf ("SELECT indexdef FROM pg_indexes WHERE indexname = '%s'", name);
  else
    sql = g_strdup_printf ("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '%s'", name);
  model = test_select (db, sql);
  if (gda_data_model_get_n_rows (model) == 0)
    return NULL;
  value = gda_data_model_get_value_at (model, 0, 0, &error);
  g_assert_no_error (error);
  return gda_value_stringify (value);
}

/* Whether the index @name exists. */
static gboolean
has_index (GormDatabase *db,
           const char   *name)
{
  g_autofree char *definition = index_definition (db, name);

  return definition != NULL;
}

/* The names of the indexes of @table whose name starts with @prefix,
 * sorted, joined by spaces. */
static char *
index_names (GormDatabase *db,
             const char   *table,
             const char   *prefix)
{
  g_autofree char *sql = NULL;
  g_autoptr(GdaDataModel) model = NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  if (test_engine_is_postgresql ())
    sql = g_strdup_printf ("SELECT indexname FROM pg_indexes WHERE tablename = '%s' "
                           "AND indexname LIKE '%s%%' ORDER BY indexname", table, prefix);
  else
    sql = g_strdup_printf ("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                           "tbl_name = '%s' AND name LIKE '%s%%' ORDER BY name", table, prefix);
  model = test_select (db, sql);
  for (gint row = 0; row < gda_data_model_get_n_rows (model); row++)
    {
      g_autoptr(GError) error = NULL;
      const GValue *value = gda_data_model_get_value_at (model, 0, row, &error);

      g_assert_no_error (error);
      if (names->len > 0)
        g_string_append_c (names, ' ');
      g_string_append (names, g_value_get_string (value));
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* The plan of @sql, every cell of every row of the engine's EXPLAIN. */
static char *
query_plan (GormDatabase *db,
            const char   *sql)
{
  g_autofree char *explain = g_strconcat (test_engine_is_postgresql () ? "EXPLAIN "
                                                                       : "EXPLAIN QUERY PLAN ",
                                          sql, NULL);
  g_autoptr(GdaDataModel) model = test_select (db, explain);
  g_autoptr(GString) plan = g_string_new (NULL);

  for (gint row = 0; row < gda_data_model_get_n_rows (model); row++)
    for (gint column = 0; column < gda_data_model_get_n_columns (model); column++)
      {
        g_autoptr(GError) error = NULL;
        const GValue *value = gda_data_model_get_value_at (model, column, row, &error);
        g_autofree char *text = NULL;

        g_assert_no_error (error);
        text = gda_value_stringify (value);
        g_string_append_printf (plan, "%s\n", text);
      }
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

static gboolean
table_exists (GormDatabase *db,
              const char   *table)
{
  g_autofree char *sql = NULL;
  g_autofree char *count = NULL;

  if (test_engine_is_postgresql ())
    sql = g_strdup_printf ("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_name = '%s'", table);
  else
    sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE name = '%s'", table);
  count = test_query_text (db, sql);
  return !g_str_equal (count, "0");
}

static gpointer
new_pair (GormDatabase *db,
          GType         type,
          const char   *kind,
          gint          number)
{
  return g_object_new (type, "database", db, "kind", kind, "number", number, NULL);
}

static gint64
count_rows (GormDatabase *db,
            GType         type)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  g_autoptr(GError) error = NULL;
  gint64 n = gorm_query_count (query, NULL, &error);

  g_assert_no_error (error);
  return n;
}

/* The error names the type and the properties, and keeps what the
 * engine said. */
static void
assert_unique_error (const GError *error,
                     const char   *type_name,
                     const char   *properties)
{
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, type_name));
  g_assert_nonnull (strstr (error->message, properties));
  g_assert_nonnull (strstr (error->message, "unique together"));
}

static void
test_unique_together_insert (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) a1 = new_pair (db, TEST_TYPE_PAIR, "a", 1);
  g_autoptr(GormResource) a2 = new_pair (db, TEST_TYPE_PAIR, "a", 2);
  g_autoptr(GormResource) b1 = new_pair (db, TEST_TYPE_PAIR, "b", 1);
  g_autoptr(GormResource) again = new_pair (db, TEST_TYPE_PAIR, "a", 1);
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_PAIR);
  /* Each value may repeat, not both together. */
  test_save_ok (a1);
  test_save_ok (a2);
  test_save_ok (b1);

  g_assert_false (gorm_resource_save (again, NULL, &error));
  assert_unique_error (error, "Cannot insert TestPair", "“kind”, “number”");
  g_assert_false (gorm_resource_is_saved (again));
  g_assert_cmpint (gorm_resource_get_id (again), ==, 0);
  g_assert_cmpint (count_rows (db, TEST_TYPE_PAIR), ==, 3);
  g_clear_error (&error);

  /* Fixed, it saves. */
  g_object_set (again, "number", 3, NULL);
  test_save_ok (again);
  g_assert_cmpint (count_rows (db, TEST_TYPE_PAIR), ==, 4);

  g_assert_finalize_object (g_steal_pointer (&a1));
  g_assert_finalize_object (g_steal_pointer (&a2));
  g_assert_finalize_object (g_steal_pointer (&b1));
  g_assert_finalize_object (g_steal_pointer (&again));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_unique_together_update (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) a1 = new_pair (db, TEST_TYPE_PAIR, "a", 1);
  g_autoptr(GormResource) a2 = new_pair (db, TEST_TYPE_PAIR, "a", 2);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) one = G_VALUE_INIT;
  g_autofree char *number = NULL;
  gint n;

  test_migrate (db, TEST_TYPE_PAIR);
  test_save_ok (a1);
  test_save_ok (a2);

  /* An update of one object. */
  g_object_set (a2, "number", 1, NULL);
  g_assert_false (gorm_resource_save (a2, NULL, &error));
  assert_unique_error (error, "Cannot update TestPair", "“kind”, “number”");
  g_clear_error (&error);
  g_assert_true (gorm_resource_is_dirty (a2));
  number = test_query_text (db, "SELECT number FROM test_pair WHERE id = 2");
  g_assert_cmpstr (number, ==, "2");
  g_object_set (a2, "number", 2, NULL);
  test_save_ok (a2);

  /* A bulk update: nothing changes, the live objects neither. */
  query = gorm_database_query (db, TEST_TYPE_PAIR);
  gorm_query_filter (query, gorm_filter_eq ("number", test_int_value (&one, 2)));
  g_value_unset (&one);
  g_assert_cmpint (gorm_query_update (query, "number", test_int_value (&one, 1), NULL, &error), ==, -1);
  assert_unique_error (error, "TestPair", "“kind”, “number”");
  g_clear_error (&error);
  g_object_get (a2, "number", &n, NULL);
  g_assert_cmpint (n, ==, 2);
  g_clear_pointer (&number, g_free);
  number = test_query_text (db, "SELECT number FROM test_pair WHERE id = 2");
  g_assert_cmpstr (number, ==, "2");

  g_assert_finalize_object (g_steal_pointer (&a1));
  g_assert_finalize_object (g_steal_pointer (&a2));
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* As in SQL (and Django): a NULL in any of the columns never conflicts. */
static void
test_unique_together_nulls (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) first = new_pair (db, TEST_TYPE_PAIR, NULL, 1);
  g_autoptr(GormResource) second = new_pair (db, TEST_TYPE_PAIR, NULL, 1);

  test_migrate (db, TEST_TYPE_PAIR);
  test_save_ok (first);
  test_save_ok (second);
  g_assert_cmpint (count_rows (db, TEST_TYPE_PAIR), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The indexes a new table gets: names, uniqueness, column order. */
static void
test_indexes_created (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) first = new_pair (db, TEST_TYPE_PAIR, "a", 1);
  g_autoptr(GormResource) second = new_pair (db, TEST_TYPE_PAIR, "b", 1);
  g_autofree char *unique = NULL;
  g_autofree char *indexed = NULL;
  g_autofree char *names = NULL;

  test_migrate (db, TEST_TYPE_PAIR);
  unique = index_definition (db, "ux_test_pair_kind_number");
  indexed = index_definition (db, "ix_test_pair_number_note");
  g_assert_nonnull (unique);
  g_assert_nonnull (indexed);
  g_assert_nonnull (strstr (unique, "UNIQUE"));
  g_assert_null (strstr (indexed, "UNIQUE"));
  g_assert_true (strstr (unique, "kind") < strstr (unique, "number"));
  g_assert_true (strstr (indexed, "number") < strstr (indexed, "note"));
  /* The rule said twice is one index. */
  names = index_names (db, "test_pair", "ux_");
  g_assert_cmpstr (names, ==, "ux_test_pair_kind_number");

  /* An index that is not unique takes the same values twice. */
  g_object_set (first, "note", "same", NULL);
  g_object_set (second, "note", "same", NULL);
  test_save_ok (first);
  test_save_ok (second);

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The engine reads the composite index for a query on its columns. */
static void
test_index_used (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autofree char *plan = NULL;

  test_migrate (db, TEST_TYPE_PAIR);
  plan = query_plan (db, "SELECT id FROM test_pair WHERE number = 1 AND note = 'x'");
  g_assert_nonnull (strstr (plan, "ix_test_pair_number_note"));

  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A subclass has its parent's rules, on its own table. */
static void
test_inherited (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) first = new_pair (db, TEST_TYPE_PAIR_CHILD, "a", 1);
  g_autoptr(GormResource) second = new_pair (db, TEST_TYPE_PAIR_CHILD, "a", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *unique = NULL;

  test_migrate (db, TEST_TYPE_PAIR_CHILD);
  unique = index_definition (db, "ux_test_pair_child_kind_number");
  g_assert_nonnull (unique);
  test_save_ok (first);
  g_assert_false (gorm_resource_save (second, NULL, &error));
  assert_unique_error (error, "TestPairChild", "“kind”, “number”");

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* "last_name" names the property "last-name", whose column is "surname". */
static void
test_property_names (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) first = g_object_new (TEST_TYPE_PERSON, "database", db,
                                                "first-name", "Ada", "last-name", "Lovelace", NULL);
  g_autoptr(GormResource) second = g_object_new (TEST_TYPE_PERSON, "database", db,
                                                 "first-name", "Ada", "last-name", "Lovelace", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *unique = NULL;

  test_migrate (db, TEST_TYPE_PERSON);
  unique = index_definition (db, "ux_test_person_surname_first_name");
  g_assert_nonnull (unique);
  test_save_ok (first);
  g_assert_false (gorm_resource_save (second, NULL, &error));
  assert_unique_error (error, "TestPerson", "“last-name”, “first-name”");

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Names longer than 63 bytes are shortened with a hash, the same at
 * every migration, so that PostgreSQL does not cut them. */
static void
test_long_names (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) first = NULL;
  g_autoptr(GormResource) second = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *listed = NULL;

  test_migrate (db, TEST_TYPE_LONG_NAMES);
  listed = index_names (db, "test_long_names", "");
  names = g_strsplit (listed, " ", -1);
  /* One unique, one not, and PostgreSQL's primary key. */
  g_assert_cmpuint (g_strv_length (names), >=, 2);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!g_str_has_prefix (names[i], "ix_") && !g_str_has_prefix (names[i], "ux_"))
        continue;
      g_assert_cmpuint (strlen (names[i]), ==, 63);
      g_assert_true (g_str_has_prefix (names[i] + 3, "test_long_names_the_first_property"));
      g_assert_cmpuint (strspn (names[i] + 55, "0123456789abcdef"), ==, 8);
      g_assert_cmpint (names[i][54], ==, '_');
    }
  g_assert_nonnull (strstr (listed, "ix_test_long_names_the_first_property"));
  g_assert_nonnull (strstr (listed, "ux_test_long_names_the_first_property"));

  /* Migrating again finds them all. */
  log = test_log_attach (db);
  test_migrate (db, TEST_TYPE_LONG_NAMES);
  g_assert_cmpuint (test_log_count (log, "CREATE"), ==, 0);
  gorm_database_set_trace_func (db, NULL, NULL);

  first = g_object_new (TEST_TYPE_LONG_NAMES, "database", db,
                        "the-first-property-with-a-rather-long-name", "x",
                        "the-second-property-with-a-rather-long-name", "y", NULL);
  second = g_object_new (TEST_TYPE_LONG_NAMES, "database", db,
                         "the-first-property-with-a-rather-long-name", "x",
                         "the-second-property-with-a-rather-long-name", "y", NULL);
  test_save_ok (first);
  g_assert_false (gorm_resource_save (second, NULL, &error));
  assert_unique_error (error, "TestLongNames",
                       "“the-first-property-with-a-rather-long-name”, "
                       "“the-second-property-with-a-rather-long-name”");

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Indexes whose plain names would be the same get distinct names. */
static void
test_name_clash (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(TestLog) log = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *listed = NULL;

  test_migrate (db, TEST_TYPE_CLASH);
  listed = index_names (db, "test_clash", "ix_");
  names = g_strsplit (listed, " ", -1);
  g_assert_cmpuint (g_strv_length (names), ==, 3);
  g_assert_true (has_index (db, "ix_test_clash_a_b_c"));
  /* The one-column index keeps its name; each composite one differs. */
  for (guint i = 0; names[i] != NULL; i++)
    if (!g_str_equal (names[i], "ix_test_clash_a_b_c"))
      g_assert_true (g_str_has_prefix (names[i], "ix_test_clash_a_b_c_"));

  log = test_log_attach (db);
  test_migrate (db, TEST_TYPE_CLASH);
  g_assert_cmpuint (test_log_count (log, "CREATE"), ==, 0);
  gorm_database_set_trace_func (db, NULL, NULL);

  g_assert_finalize_object (g_steal_pointer (&db));
}

/* migrate() adds the indexes to a table made without them, once. */
static void
test_existing_table (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) old = new_pair (db, TEST_TYPE_PAIR_OLD, "a", 1);
  g_autoptr(GormResource) again = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unique = NULL;
  g_autofree char *indexed = NULL;

  test_migrate (db, TEST_TYPE_PAIR_OLD);
  test_save_ok (old);
  g_assert_false (has_index (db, "ux_test_pair_kind_number"));

  log = test_log_attach (db);
  test_migrate (db, TEST_TYPE_PAIR);
  g_assert_cmpuint (test_log_count (log, "CREATE UNIQUE INDEX"), ==, 1);
  g_assert_cmpuint (test_log_count (log, "CREATE INDEX"), ==, 1);
  unique = index_definition (db, "ux_test_pair_kind_number");
  indexed = index_definition (db, "ix_test_pair_number_note");
  g_assert_nonnull (unique);
  g_assert_nonnull (indexed);

  /* Idempotent: nothing to do is nothing run. */
  test_log_clear (log);
  test_migrate (db, TEST_TYPE_PAIR);
  g_assert_cmpuint (test_log_count (log, "CREATE"), ==, 0);
  g_assert_cmpuint (test_log_count (log, "BEGIN"), ==, 0);
  gorm_database_set_trace_func (db, NULL, NULL);

  /* The old row counts. */
  again = new_pair (db, TEST_TYPE_PAIR, "a", 1);
  g_assert_false (gorm_resource_save (again, NULL, &error));
  assert_unique_error (error, "TestPair", "“kind”, “number”");

  g_assert_finalize_object (g_steal_pointer (&old));
  g_assert_finalize_object (g_steal_pointer (&again));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A table whose rows already break the rule cannot take it: the error
 * says which, and nothing changes (not the other index either). */
static void
test_existing_duplicates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) first = new_pair (db, TEST_TYPE_PAIR_OLD, "a", 1);
  g_autoptr(GormResource) second = new_pair (db, TEST_TYPE_PAIR_OLD, "a", 1);
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_PAIR;

  test_migrate (db, TEST_TYPE_PAIR_OLD);
  test_save_ok (first);
  test_save_ok (second);

  g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "TestPair"));
  g_assert_nonnull (strstr (error->message, "“kind”, “number”"));
  g_assert_nonnull (strstr (error->message, "test_pair"));
  g_clear_error (&error);
  g_assert_false (has_index (db, "ux_test_pair_kind_number"));
  g_assert_false (has_index (db, "ix_test_pair_number_note"));

  /* Once the rows are fixed, it migrates. */
  g_object_set (second, "number", 2, NULL);
  test_save_ok (second);
  test_migrate (db, TEST_TYPE_PAIR);
  g_assert_true (has_index (db, "ux_test_pair_kind_number"));

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_unknown_property (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType type = TEST_TYPE_UNKNOWN;

  g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_assert_nonnull (strstr (error->message, "TestUnknown"));
  g_assert_nonnull (strstr (error->message, "“colour”"));
  g_assert_nonnull (strstr (error->message, "add_unique_together"));
  g_clear_error (&error);

  type = TEST_TYPE_UNKNOWN_INDEX;
  g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_assert_nonnull (strstr (error->message, "TestUnknownIndex"));
  g_assert_nonnull (strstr (error->message, "“secret”"));
  g_assert_nonnull (strstr (error->message, "add_index"));
  g_clear_error (&error);

  type = TEST_TYPE_TWICE;
  g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "TestTwice:kind"));
  g_assert_nonnull (strstr (error->message, "twice"));
  g_clear_error (&error);

  /* Nothing was created. */
  g_assert_false (table_exists (db, "test_unknown"));
  g_assert_false (table_exists (db, "test_unknown_index"));
  g_assert_false (table_exists (db, "test_twice"));

  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The class functions refuse an empty list at once. */
static void
test_empty_list (void)
{
  if (g_test_subprocess ())
    {
      static const char * const none[] = { NULL };

      gorm_resource_class_add_index (g_type_class_ref (TEST_TYPE_PAIR_OLD), none);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*check_properties*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Constraints/unique-together-insert", test_unique_together_insert);
  g_test_add_func ("/Gorm/Constraints/unique-together-update", test_unique_together_update);
  g_test_add_func ("/Gorm/Constraints/unique-together-nulls", test_unique_together_nulls);
  g_test_add_func ("/Gorm/Constraints/indexes-created", test_indexes_created);
  g_test_add_func ("/Gorm/Constraints/index-used", test_index_used);
  g_test_add_func ("/Gorm/Constraints/inherited", test_inherited);
  g_test_add_func ("/Gorm/Constraints/property-names", test_property_names);
  g_test_add_func ("/Gorm/Constraints/long-names", test_long_names);
  g_test_add_func ("/Gorm/Constraints/name-clash", test_name_clash);
  g_test_add_func ("/Gorm/Constraints/existing-table", test_existing_table);
  g_test_add_func ("/Gorm/Constraints/existing-duplicates", test_existing_duplicates);
  g_test_add_func ("/Gorm/Constraints/unknown-property", test_unknown_property);
  g_test_add_func ("/Gorm/Constraints/empty-list", test_empty_list);

  return g_test_run ();
}
