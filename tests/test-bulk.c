/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <glib/gstdio.h>

#include "gorm-test-utils.h"

/* Many objects at once: gorm_database_bulk_insert() and
 * gorm_database_bulk_update(), on both engines. */

/* An item: a unique name, a number, and two nullable values (a string
 * and a number, whose NULL is a mark). */
TEST_DEFINE_RESOURCE (TestItem, test_item)

static void
test_item_class_init (TestItemClass *klass)
{
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("number", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_string ("note", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("amount", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_unique (resource_class, "name");
  gorm_resource_class_set_not_null (resource_class, "name");
  gorm_resource_class_set_max_length (resource_class, "name", 20);
  gorm_resource_class_set_nullable (resource_class, "note");
  gorm_resource_class_set_nullable (resource_class, "amount");
}

#define TEST_TYPE_ITEM (test_item_get_type ())

/* A natural primary key: nothing to read back. */
TEST_DEFINE_RESOURCE (TestCode, test_code)

static void
test_code_class_init (TestCodeClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("code", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_primary_key (GORM_RESOURCE_CLASS (klass), "code");
}

#define TEST_TYPE_CODE (test_code_get_type ())

/* Nothing but the automatic key. */
TEST_DEFINE_RESOURCE (TestBare, test_bare)

static void
test_bare_class_init (TestBareClass *klass)
{
  test_object_class_install (G_OBJECT_CLASS (klass), NULL, 0);
}

#define TEST_TYPE_BARE (test_bare_get_type ())

/* A property of every stored kind. */
TEST_DEFINE_RESOURCE (TestKinds, test_kinds)

static void
test_kinds_class_init (TestKindsClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_boolean ("flag", NULL, NULL, FALSE, G_PARAM_READWRITE),
    g_param_spec_uint ("level", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READWRITE),
    g_param_spec_float ("weight", NULL, NULL, -G_MAXFLOAT, G_MAXFLOAT, 0, G_PARAM_READWRITE),
    g_param_spec_double ("ratio", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, G_PARAM_READWRITE),
    g_param_spec_enum ("color", NULL, NULL, TEST_TYPE_COLOR, TEST_COLOR_RED, G_PARAM_READWRITE),
    g_param_spec_flags ("flags", NULL, NULL, TEST_TYPE_FLAGS, 0, G_PARAM_READWRITE),
    g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_boxed ("data", NULL, NULL, G_TYPE_BYTES, G_PARAM_READWRITE),
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

#define TEST_TYPE_KINDS (test_kinds_get_type ())

/* A note on an item: a foreign key. */
TEST_DEFINE_RESOURCE (TestNote, test_note)

static void
test_note_class_init (TestNoteClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("item-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "item-id", TEST_TYPE_ITEM,
                                       GORM_ON_DELETE_CASCADE);
}

#define TEST_TYPE_NOTE (test_note_get_type ())

static GormDatabase *
open_database (void)
{
  GormDatabase *db = test_open_memory ();
  GType types[] = { TEST_TYPE_ITEM, TEST_TYPE_POST, TEST_TYPE_CODE, TEST_TYPE_BARE,
                    TEST_TYPE_KINDS, TEST_TYPE_NOTE };

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, NULL));
  return db;
}

/* @n new items named "item-<start + i>", number i. */
static GPtrArray *
new_items (GormDatabase *db,
           guint         start,
           guint         n)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("item-%u", start + i);

      g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, "database", db, "name", name,
                                            "number", (int) i, NULL));
    }
  return items;
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

static void
assert_all_unsaved (GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      GormResource *item = g_ptr_array_index (items, i);

      g_assert_false (gorm_resource_is_saved (item));
      g_assert_cmpint (gorm_resource_get_id (item), ==, 0);
    }
}

static gboolean
bulk_insert (GormDatabase *db,
             GPtrArray    *items,
             GError      **error)
{
  return gorm_database_bulk_insert (db, (GormResource * const *) items->pdata, items->len,
                                    NULL, error);
}

static gint64
bulk_update (GormDatabase        *db,
             GPtrArray           *items,
             const char * const  *properties,
             GError             **error)
{
  return gorm_database_bulk_update (db, (GormResource * const *) items->pdata, items->len,
                                    properties, NULL, error);
}

/* Ids set and consecutive, objects saved and clean, the objects of their
 * rows, with what a fetch reads. */
static void
test_insert_ids (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 100);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) fetched = NULL;
  gint64 first;

  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 100);

  first = gorm_resource_get_id (g_ptr_array_index (items, 0));
  g_assert_cmpint (first, >, 0);
  for (guint i = 0; i < items->len; i++)
    {
      GormResource *item = g_ptr_array_index (items, i);

      g_assert_cmpint (gorm_resource_get_id (item), ==, first + i);
      g_assert_true (gorm_resource_is_saved (item));
      g_assert_false (gorm_resource_is_dirty (item));
    }

  /* The identity map: a fetch gives the very objects, with their values. */
  query = gorm_query_order_by (gorm_database_query (db, TEST_TYPE_ITEM), "id", FALSE);
  fetched = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (fetched), ==, 100);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (fetched, i);
      g_autofree char *name = NULL;
      g_autofree char *expected = g_strdup_printf ("item-%u", i);
      int number;

      g_assert_true (item == g_ptr_array_index (items, i));
      g_object_get (item, "name", &name, "number", &number, NULL);
      g_assert_cmpstr (name, ==, expected);
      g_assert_cmpint (number, ==, i);
    }

  /* A saved object is saved as usual afterwards. */
  g_object_set (g_ptr_array_index (items, 3), "number", 333, NULL);
  g_assert_true (gorm_resource_is_dirty (g_ptr_array_index (items, 3)));
  test_save_ok (g_ptr_array_index (items, 3));
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 100);
}

/* What a fresh read of the rows gives, past the identity map. */
static char *
read_back (GormDatabase *db,
           const char   *sql)
{
  return test_query_text (db, sql);
}

/* Automatic timestamps are set, as a save sets them. */
static void
test_insert_timestamps (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) given = g_date_time_new_utc (2020, 1, 2, 3, 4, 5);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (posts, g_object_new (TEST_TYPE_POST, "database", db, "title", "t", NULL));
  g_object_set (g_ptr_array_index (posts, 1), "pub-date", given, NULL);

  g_assert_true (bulk_insert (db, posts, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GDateTime) pub_date = NULL;
      g_autoptr(GDateTime) updated = NULL;

      g_object_get (g_ptr_array_index (posts, i), "pub-date", &pub_date, "updated", &updated, NULL);
      g_assert_nonnull (pub_date);
      g_assert_nonnull (updated);
      if (i == 1)
        g_assert_true (g_date_time_equal (pub_date, given));
      else
        g_assert_true (g_date_time_equal (pub_date, updated));
      g_assert_false (gorm_resource_is_dirty (g_ptr_array_index (posts, i)));
    }
  g_assert_cmpint (test_count_posts (db), ==, 3);
}

/* Nothing to insert: no SQL at all. */
static void
test_insert_empty (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_bulk_insert (db, NULL, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log->statements->len, ==, 0);
  g_assert_cmpint (gorm_database_bulk_update (db, NULL, 0, (const char *[]) { "number", NULL },
                                              NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (log->statements->len, ==, 0);
}

/* Objects of two types: refused before any SQL. */
static void
test_insert_mixed_types (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 3);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_insert (items, 1, g_object_new (TEST_TYPE_POST, "database", db, "title", "t", NULL));
  log = test_log_attach (db);
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_nonnull (strstr (error->message, "TestPost"));
  g_assert_nonnull (strstr (error->message, "TestItem"));
  g_assert_cmpuint (log->statements->len, ==, 0);
  assert_all_unsaved (items);
}

/* An object saved already, or given twice, or NULL: refused before any
 * SQL. */
static void
test_insert_refused (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 3);
  g_autoptr(GormResource) saved = g_object_new (TEST_TYPE_ITEM, "database", db,
                                                "name", "saved", NULL);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  GormResource *twice[2];
  GormResource *with_null[2];

  test_save_ok (saved);
  log = test_log_attach (db);

  g_ptr_array_add (items, g_object_ref (saved));
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "saved already"));
  g_clear_error (&error);
  g_ptr_array_remove_index (items, 3);

  twice[0] = twice[1] = g_ptr_array_index (items, 0);
  g_assert_false (gorm_database_bulk_insert (db, twice, 2, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "twice"));
  g_clear_error (&error);

  with_null[0] = g_ptr_array_index (items, 0);
  with_null[1] = NULL;
  g_assert_false (gorm_database_bulk_insert (db, with_null, 2, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);

  g_assert_cmpuint (log->statements->len, ==, 0);
  assert_all_unsaved (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 1);
}

/* An invalid object in the middle (too long, NULL where NULL is
 * refused): nothing is inserted, and no SQL runs. */
static void
test_insert_invalid (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 100);
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GError) error = NULL;

  g_object_set (g_ptr_array_index (items, 50), "name", "a name far longer than twenty", NULL);
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "TestItem:name"));
  g_assert_nonnull (strstr (error->message, "Object 50"));
  g_clear_error (&error);

  g_object_set (g_ptr_array_index (items, 50), "name", NULL, NULL);
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "TestItem:name"));
  g_clear_error (&error);

  g_assert_cmpuint (log->statements->len, ==, 0);
  assert_all_unsaved (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 0);

  /* Fixed, the same objects go in. */
  g_object_set (g_ptr_array_index (items, 50), "name", "fifty", NULL);
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 100);
}

/* A unique violation, inside the batch or against a stored row: nothing
 * is inserted, the objects are untouched, the next call works. */
static void
test_insert_unique_violation (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 2000);
  g_autoptr(GPtrArray) more = new_items (db, 10000, 10);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;

  /* Inside the batch: row 1900 repeats row 3's name, statements after
   * the first one or several ran. */
  g_object_set (g_ptr_array_index (items, 1900), "name", "item-3", NULL);
  log = test_log_attach (db);
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "TestItem"));
  g_clear_error (&error);
  g_assert_cmpuint (test_log_count (log, "INSERT"), >, 1);
  assert_all_unsaved (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 0);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  /* The next call works. */
  g_assert_true (bulk_insert (db, more, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 10);

  /* Against a stored row: row 1999 repeats a stored name. */
  g_object_set (g_ptr_array_index (items, 1900), "name", "item-1900", NULL);
  g_object_set (g_ptr_array_index (items, 1999), "name", "item-10004", NULL);
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  assert_all_unsaved (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 10);

  g_object_set (g_ptr_array_index (items, 1999), "name", "item-1999", NULL);
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 2010);
}

/* NULL values in some rows: each object reads back as it was, the NULLs
 * included, and the ids follow the order of the objects within each
 * pattern of NULLs. */
static void
test_insert_nulls (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 40);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < items->len; i++)
    {
      GormResource *item = g_ptr_array_index (items, i);
      g_autofree char *note = g_strdup_printf ("note %u", i);

      if (i % 2 == 0)
        g_object_set (item, "note", note, NULL);
      if (i % 4 == 1)
        g_object_set (item, "amount", (gint64) i * 1000000000000, NULL);
      else
        g_assert_true (gorm_resource_set_null (item, "amount", NULL));
    }
  log = test_log_attach (db);
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  /* Three patterns of NULLs (amount, note, both), of 20, 10 and 10
   * rows: statements of 16 and 4 rows, then 8 and 2, twice. */
  g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 6);

  for (guint i = 0; i < items->len; i++)
    {
      GormResource *item = g_ptr_array_index (items, i);
      g_autofree char *sql = g_strdup_printf ("SELECT coalesce(note, '-') || ' ' || "
                                              "coalesce(CAST(amount AS text), '-') "
                                              "FROM test_item WHERE id = %" G_GINT64_FORMAT,
                                              gorm_resource_get_id (item));
      g_autofree char *row = read_back (db, sql);
      g_autofree char *note = i % 2 == 0 ? g_strdup_printf ("note %u", i) : g_strdup ("-");
      g_autofree char *amount = i % 4 == 1 ? g_strdup_printf ("%" G_GINT64_FORMAT,
                                                              (gint64) i * 1000000000000)
                                           : g_strdup ("-");
      g_autofree char *wanted = g_strdup_printf ("%s %s", note, amount);

      g_assert_cmpstr (row, ==, wanted);
      g_assert_cmpint (gorm_resource_is_null (item, "amount"), ==, i % 4 != 1);
      g_assert_false (gorm_resource_is_dirty (item));
      /* Within a pattern the ids follow the objects' order. */
      if (i >= 4)
        g_assert_cmpint (gorm_resource_get_id (item), >,
                         gorm_resource_get_id (g_ptr_array_index (items, i - 4)));
    }
}

/* How many rows a multi-row INSERT of @per_row values a row takes on
 * @db: on SQLite, whose statements run on its own handle (unless
 * GORM_DEBUG=gda-statements, @gda, opened it), up to
 * GORM_MAPPER_DIRECT_BULK_PARAMETERS values, libgda not parsing it; else
 * (through libgda) up to GORM_MAPPER_BULK_PARAMETERS. */
static guint
rows_per_statement (GormDatabase *db,
                    guint         per_row,
                    gboolean      gda)
{
  gboolean direct;

  gorm_database_lock (db);
  direct = gorm_connection_runs_directly_locked (gorm_database_get_execution (db));
  gorm_database_unlock (db);
  g_assert_cmpint (direct, ==, !test_engine_is_postgresql () && !gda);
  return MIN (gorm_database_get_dialect (db)->max_parameters,
              direct ? GORM_MAPPER_DIRECT_BULK_PARAMETERS : GORM_MAPPER_BULK_PARAMETERS)
         / per_row;
}

/* The values an item writes: name, number, note, amount, and the key on
 * an engine whose keys are reserved first. */
static guint
item_values (GormDatabase *db)
{
  return 4 + (gorm_database_get_dialect (db)->reserve_ids_sql != NULL);
}

/* @n new items, their note and amount set (no NULL: one statement
 * shape). */
static GPtrArray *
new_full_items (GormDatabase *db,
                guint         start,
                guint         n)
{
  GPtrArray *items = new_items (db, start, n);

  for (guint i = 0; i < n; i++)
    g_object_set (g_ptr_array_index (items, i), "note", "n", "amount", (gint64) i, NULL);
  return items;
}

static void
assert_consecutive_ids (GPtrArray *items)
{
  gint64 first = gorm_resource_get_id (g_ptr_array_index (items, 0));

  g_assert_cmpint (first, >, 0);
  for (guint i = 0; i < items->len; i++)
    {
      g_assert_cmpint (gorm_resource_get_id (g_ptr_array_index (items, i)), ==, first + i);
      g_assert_true (gorm_resource_is_saved (g_ptr_array_index (items, i)));
    }
}

/* Whether the INSERT @sql of @db is, on SQLite, run on its handle
 * without libgda's parse (gorm_connection_lookup_direct_locked()). */
static gboolean
insert_is_parsed (GormDatabase *db,
                  const char   *sql)
{
  g_autoptr(GError) error = NULL;
  GormStatement *statement;
  gboolean parsed;

  gorm_database_lock (db);
  statement = gorm_connection_lookup_direct_locked (gorm_database_get_execution (db), sql,
                                                    &error);
  g_assert_no_error (error);
  parsed = gorm_statement_is_parsed (statement);
  gorm_database_unlock (db);
  return parsed;
}

/* More rows than one statement binds: the statements are full ones and
 * powers of two, and the ids run on across them. */
static void
test_insert_batches (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  guint per_row = item_values (db);
  guint full = rows_per_statement (db, per_row, FALSE);
  guint n = 2 * full + 5;
  g_autoptr(GPtrArray) items = new_full_items (db, 0, n);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = g_strdup_printf ("##p%u::", full * per_row - 1);
  g_autofree char *past = g_strdup_printf ("##p%u::", full * per_row);

  /* SQLite's statements of 2,048 rows (8,192 values). */
  if (!test_engine_is_postgresql ())
    g_assert_cmpuint (full, ==, 2048);
  log = test_log_attach (db);
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  /* Two full statements, then 4 and 1, each seen by the trace function
   * whole. */
  g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 4);
  g_assert_cmpuint (log->statements->len, >=, 4);
  for (guint i = 0, inserts = 0; i < log->statements->len; i++)
    {
      const char *sql = g_ptr_array_index (log->statements, i);

      if (!g_str_has_prefix (sql, "INSERT"))
        continue;
      g_assert_cmpint (strstr (sql, last) != NULL, ==, inserts < 2);
      g_assert_null (strstr (sql, past));
      /* Not parsed by libgda, on SQLite. */
      g_assert_cmpint (insert_is_parsed (db, sql), ==, test_engine_is_postgresql ());
      inserts++;
    }
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, n);
  assert_consecutive_ids (items);

  /* The same statements serve the next call: none is parsed again. */
  {
    g_autoptr(GPtrArray) again = new_full_items (db, n, full + 4);
    guint cached;

    gorm_database_lock (db);
    cached = gorm_connection_get_n_statements_locked (gorm_database_get_execution (db));
    gorm_database_unlock (db);
    test_log_clear (log);
    g_assert_true (bulk_insert (db, again, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 2);
    gorm_database_lock (db);
    g_assert_cmpuint (gorm_connection_get_n_statements_locked (gorm_database_get_execution (db)),
                      ==, cached);
    gorm_database_unlock (db);
  }
}

/* Exactly as many rows as one statement takes: one statement; one more:
 * a full statement and one of a row. */
static void
test_insert_boundary (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  guint full = rows_per_statement (db, item_values (db), FALSE);
  g_autoptr(GPtrArray) exact = new_full_items (db, 0, full);
  g_autoptr(GPtrArray) more = new_full_items (db, full, full + 1);
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GError) error = NULL;

  g_assert_true (bulk_insert (db, exact, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 1);
  assert_consecutive_ids (exact);

  test_log_clear (log);
  g_assert_true (bulk_insert (db, more, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 2);
  assert_consecutive_ids (more);
  g_assert_cmpint (gorm_resource_get_id (g_ptr_array_index (more, 0)), ==,
                   gorm_resource_get_id (g_ptr_array_index (exact, full - 1)) + 1);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 2 * full + 1);
}

/* A constraint that fails on a row in the middle of a full statement
 * (a name given twice, a note on no item): nothing is inserted, the
 * objects are untouched, the message shows the start of the SQL only,
 * and the next call works. */
static void
test_insert_constraint_midway (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  guint full = rows_per_statement (db, item_values (db), FALSE);
  g_autoptr(GPtrArray) items = new_full_items (db, 0, full);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  guint n_notes;

  g_object_set (g_ptr_array_index (items, full / 2), "name", "item-3", NULL);
  log = test_log_attach (db);
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "TestItem"));
  g_assert_cmpuint (strlen (error->message), <, 1500);
  g_clear_error (&error);
  g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 1);
  assert_all_unsaved (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 0);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  g_object_set (g_ptr_array_index (items, full / 2), "name", "item-half", NULL);
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  assert_consecutive_ids (items);

  /* Notes: two values a row (and the key), so more rows a statement. */
  n_notes = rows_per_statement (db, item_values (db) - 2, FALSE);
  for (guint i = 0; i < n_notes; i++)
    {
      GormResource *item = g_ptr_array_index (items, i % full);

      g_ptr_array_add (notes, g_object_new (TEST_TYPE_NOTE, "database", db, "text", "t",
                                            "item-id", i == n_notes / 2
                                                         ? G_GINT64_CONSTANT (999999999)
                                                         : gorm_resource_get_id (item),
                                            NULL));
    }
  test_log_clear (log);
  g_assert_false (bulk_insert (db, notes, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "TestNote"));
  g_clear_error (&error);
  g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 1);
  assert_all_unsaved (notes);
  g_assert_cmpint (count_rows (db, TEST_TYPE_NOTE), ==, 0);

  g_object_set (g_ptr_array_index (notes, n_notes / 2), "item-id",
                gorm_resource_get_id (g_ptr_array_index (items, 0)), NULL);
  g_assert_true (bulk_insert (db, notes, &error));
  g_assert_no_error (error);
  assert_consecutive_ids (notes);
  g_assert_cmpint (count_rows (db, TEST_TYPE_NOTE), ==, n_notes);
}

/* The last INSERT @log saw. */
static const char *
last_insert (TestLog *log)
{
  for (guint i = log->statements->len; i > 0; i--)
    if (g_str_has_prefix (g_ptr_array_index (log->statements, i - 1), "INSERT"))
      return g_ptr_array_index (log->statements, i - 1);
  g_assert_not_reached ();
  return NULL;
}

/* A fault injected into the second statement of a bulk insert (of the
 * rows whose note is NULL, after a full one), on the engine's way of
 * running it (on SQLite, a statement libgda never parsed): nothing is
 * inserted, the first statement's rows neither, the objects are
 * untouched, and the next call works. */
static void
test_insert_fault (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  guint full = rows_per_statement (db, item_values (db), FALSE);
  g_autoptr(GPtrArray) items = new_full_items (db, 0, full + 1);
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GError) error = NULL;
  g_autofree char *no_note = NULL;

  /* The statement of one row without a note. */
  {
    g_autoptr(GPtrArray) one = new_items (db, full + 1, 1);

    g_assert_true (bulk_insert (db, one, &error));
    g_assert_no_error (error);
    no_note = g_strdup (last_insert (log));
  }
  g_assert_cmpint (insert_is_parsed (db, no_note), ==, test_engine_is_postgresql ());
  g_object_set (g_ptr_array_index (items, full), "note", NULL, NULL);

  test_log_clear (log);
  gorm_connection_inject_fault (gorm_database_get_execution (db), no_note, GORM_ERROR_FULL);
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 2);
  g_assert_cmpstr (last_insert (log), ==, no_note);
  assert_all_unsaved (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 1);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, full + 2);
  for (guint i = 0; i < full + 1; i++)
    g_assert_true (gorm_resource_is_saved (g_ptr_array_index (items, i)));
}

/* GORM_DEBUG=gda-statements: every statement through libgda, which
 * parses it, in statements of GORM_MAPPER_BULK_PARAMETERS values. */
static void
test_insert_gda_statements (void)
{
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  guint full, writes;

  g_setenv ("GORM_DEBUG", "gda-statements", TRUE);
  db = open_database ();
  g_setenv ("GORM_DEBUG", "", TRUE);
  full = rows_per_statement (db, item_values (db), TRUE);
  g_assert_cmpuint (full, ==, GORM_MAPPER_BULK_PARAMETERS / item_values (db));
  items = new_full_items (db, 0, 2 * full + 5);
  gorm_database_lock (db);
  writes = gorm_connection_get_n_direct_writes_locked (gorm_database_get_execution (db));
  gorm_database_unlock (db);

  log = test_log_attach (db);
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_log_count (log, "INSERT"), ==, 4);
  g_assert_true (insert_is_parsed (db, last_insert (log)));
  assert_consecutive_ids (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 2 * full + 5);
  gorm_database_lock (db);
  g_assert_cmpuint (gorm_connection_get_n_direct_writes_locked (gorm_database_get_execution (db)),
                    ==, writes);
  gorm_database_unlock (db);
}

/* Cancelled before it starts: nothing. */
static void
test_insert_cancelled (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 10);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (gorm_database_bulk_insert (db, (GormResource * const *) items->pdata,
                                             items->len, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_all_unsaved (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 0);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
}

static void
cancel_at_insert_cb (const char *sql,
                     gpointer    user_data)
{
  if (g_str_has_prefix (sql, "INSERT"))
    g_cancellable_cancel (user_data);
}

/* Cancelled while it runs, after its first statement: nothing is
 * inserted, the objects are untouched, the next call works. */
static void
test_insert_cancelled_midway (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 1000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  gorm_database_set_trace_func (db, cancel_at_insert_cb, cancellable);
  g_assert_false (gorm_database_bulk_insert (db, (GormResource * const *) items->pdata,
                                             items->len, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  gorm_database_set_trace_func (db, NULL, NULL);
  assert_all_unsaved (items);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 0);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 1000);
}

static void
count_saved_cb (GormDatabase *db,
                GormResource *resource,
                gboolean      created,
                gpointer      user_data)
{
  guint *counts = user_data;

  counts[created ? 0 : 1]++;
}

/* resource-saved for each object, created. */
static void
test_insert_signals (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 25);
  g_autoptr(GError) error = NULL;
  guint counts[2] = { 0, 0 };

  g_signal_connect (db, "resource-saved", G_CALLBACK (count_saved_cb), counts);
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts[0], ==, 25);
  g_assert_cmpuint (counts[1], ==, 0);

  g_object_set (g_ptr_array_index (items, 0), "number", 5, NULL);
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", NULL }, &error), ==, 25);
  g_assert_no_error (error);
  g_assert_cmpuint (counts[0], ==, 25);
  g_assert_cmpuint (counts[1], ==, 25);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  GArray *changes = user_data;
  guint change[3] = { position, removed, added };

  g_array_append_vals (changes, change, 3);
}

static void
wait_for_items (GListModel *model,
                guint       n)
{
  for (guint i = 0; i < 1000 && g_list_model_get_n_items (model) != n; i++)
    g_main_context_iteration (NULL, i > 10);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
}

/* A live model gets every new row, in its order. */
static void
test_insert_live_model (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) first = new_items (db, 0, 2);
  g_autoptr(GPtrArray) items = new_items (db, 100, 20);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  guint added = 0, removed = 0;

  g_assert_true (bulk_insert (db, first, &error));
  query = gorm_query_order_by (gorm_database_query (db, TEST_TYPE_ITEM), "name", FALSE);
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  wait_for_items (model, 2);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), changes);

  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  wait_for_items (model, 22);
  for (guint i = 0; i < changes->len; i += 3)
    {
      removed += g_array_index (changes, guint, i + 1);
      added += g_array_index (changes, guint, i + 2);
    }
  g_assert_cmpuint (removed, ==, 0);
  g_assert_cmpuint (added, ==, 20);

  /* In the model's order (by name), the very objects. */
  for (guint i = 0; i < 22; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      GormResource *expected = i < 2 ? g_ptr_array_index (first, i)
                                     : g_ptr_array_index (items, i - 2);

      g_assert_true (item == (GObject *) expected);
    }
}

/* Beyond 1,000 rows a live model reads again what it shows: it still
 * gets every row, in its order, and follows a bulk update that reverses
 * the order. */
static void
test_many_live_model (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) first = new_items (db, 0, 2);
  g_autoptr(GPtrArray) items = new_items (db, 100, 1500);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < items->len; i++)
    g_object_set (g_ptr_array_index (items, i), "number", 100 + (int) i, NULL);
  g_assert_true (bulk_insert (db, first, &error));
  query = gorm_query_order_by (gorm_database_query (db, TEST_TYPE_ITEM), "number", FALSE);
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  wait_for_items (model, 2);

  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  wait_for_items (model, 1502);
  for (guint i = 0; i < 1502; i += 100)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_assert_true (item == (i < 2 ? g_ptr_array_index (first, i)
                                    : g_ptr_array_index (items, i - 2)));
    }

  for (guint i = 0; i < items->len; i++)
    g_object_set (g_ptr_array_index (items, i), "number", -1 - (int) i, NULL);
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", NULL }, &error), ==, 1500);
  g_assert_no_error (error);
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GObject) top = g_list_model_get_item (model, 0);

      if (top == g_ptr_array_index (items, 1499))
        break;
      g_main_context_iteration (NULL, i > 10);
    }
  for (guint i = 0; i < 1502; i += 100)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_assert_true (item == (i < 1500 ? g_ptr_array_index (items, 1499 - i)
                                       : g_ptr_array_index (first, i - 1500)));
    }
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* The async forms: ids and state reach the main context before the
 * callback. */
static void
test_async (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 30);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) updated = NULL;
  g_autoptr(GAsyncResult) refused = NULL;
  g_autoptr(GError) error = NULL;
  const char *properties[] = { "number", NULL };

  gorm_database_bulk_insert_async (db, (GormResource * const *) items->pdata, items->len, NULL,
                                   async_done_cb, &result);
  g_assert_true (gorm_database_bulk_insert_finish (db, wait_result (&result), &error));
  g_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpint (gorm_resource_get_id (g_ptr_array_index (items, i)), >, 0);

  for (guint i = 0; i < items->len; i++)
    g_object_set (g_ptr_array_index (items, i), "number", 1000 + (int) i, NULL);
  gorm_database_bulk_update_async (db, (GormResource * const *) items->pdata, items->len,
                                   properties, NULL, async_done_cb, &updated);
  g_assert_cmpint (gorm_database_bulk_update_finish (db, wait_result (&updated), &error), ==, 30);
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_dirty (g_ptr_array_index (items, 7)));
  {
    g_autofree char *sum = read_back (db, "SELECT CAST(sum(number) AS text) FROM test_item");

    g_assert_cmpstr (sum, ==, "30435");
  }

  /* Refused before the worker: the error reaches the callback. */
  gorm_database_bulk_insert_async (db, (GormResource * const *) items->pdata, items->len, NULL,
                                   async_done_cb, &refused);
  g_assert_false (gorm_database_bulk_insert_finish (db, wait_result (&refused), &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
}

/* Inside an open transaction: a savepoint; its failure leaves the
 * enclosing transaction open and usable. */
static void
test_insert_in_transaction (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 10);
  g_autoptr(GPtrArray) clashing = new_items (db, 5, 10);
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_false (bulk_insert (db, clashing, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  assert_all_unsaved (clashing);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 1);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 10);
}

/* A transaction that rolls back gives the objects the state their rows
 * have again, as it does after single saves: inserted ones are not
 * saved, updated ones are changed; and resource-saved is emitted for
 * none of them. */
static void
test_rolled_back (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 10);
  g_autoptr(GPtrArray) stored = new_items (db, 100, 5);
  g_autoptr(GError) error = NULL;
  guint counts[2] = { 0, 0 };

  g_assert_true (bulk_insert (db, stored, &error));
  g_signal_connect (db, "resource-saved", G_CALLBACK (count_saved_cb), counts);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < stored->len; i++)
    g_object_set (g_ptr_array_index (stored, i), "number", 77, NULL);
  g_assert_cmpint (bulk_update (db, stored, (const char *[]) { "number", NULL }, &error), ==, 5);
  g_assert_false (gorm_resource_is_dirty (g_ptr_array_index (stored, 0)));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (counts[0] + counts[1], ==, 0);
  assert_all_unsaved (items);
  for (guint i = 0; i < stored->len; i++)
    g_assert_true (gorm_resource_is_dirty (g_ptr_array_index (stored, i)));
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 5);

  /* Committed, both go through, and are signalled. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_cmpint (bulk_update (db, stored, (const char *[]) { "number", NULL }, &error), ==, 5);
  g_assert_cmpuint (counts[0] + counts[1], ==, 0);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (counts[0], ==, 10);
  g_assert_cmpuint (counts[1], ==, 5);
  g_assert_cmpint (count_rows (db, TEST_TYPE_ITEM), ==, 15);
}

/* How many items another process (SQLite's shell) or, on PostgreSQL,
 * another connection sees. */
static gint64
count_elsewhere (const char   *path,
                 GormDatabase *other)
{
  g_autofree char *seen = NULL;

  if (other != NULL)
    return count_rows (other, TEST_TYPE_ITEM);
  seen = test_sqlite3_shell (path, "SELECT count(*) FROM test_item;");
  return seen ? g_ascii_strtoll (seen, NULL, 10) : -1;
}

/* Another process sees all the rows or none. */
static void
test_insert_all_or_nothing (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormDatabase) other = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *has_shell = NULL;
  GType types[] = { TEST_TYPE_ITEM, TEST_TYPE_POST };

  g_assert_true (gorm_database_migrate (db, types, 2, NULL, &error));
  if (test_engine_is_postgresql ())
    {
      g_autofree char *uri = test_uri_of_file (path);

      other = gorm_database_open (uri, NULL, &error);
      g_assert_no_error (error);
    }
  else if (!(has_shell = g_find_program_in_path ("sqlite3")))
    {
      g_test_skip ("the sqlite3 shell is not installed");
      g_clear_object (&db);
      test_remove_file (path);
      return;
    }
  items = new_items (db, 0, 500);

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_elsewhere (path, other), ==, 0);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_cmpint (count_elsewhere (path, other), ==, 500);

  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_object (&other);
  g_clear_object (&db);
  test_remove_file (path);
}

/* Objects of no database yet take the one they are inserted into; an
 * object of another database is refused. */
static void
test_insert_databases (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GormDatabase) other = open_database ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) foreign = new_items (other, 0, 2);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("free-%u", i);

      g_ptr_array_add (items, g_object_new (TEST_TYPE_ITEM, "name", name, NULL));
    }
  g_assert_true (bulk_insert (db, items, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    g_assert_true (gorm_resource_get_database (g_ptr_array_index (items, i)) == db);

  g_assert_false (bulk_insert (db, foreign, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);
  assert_all_unsaved (foreign);
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", NULL }, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_true (bulk_insert (other, foreign, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bulk_update (db, foreign, (const char *[]) { "number", NULL }, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
}

/* A natural primary key is the row's key: the objects are those a get
 * by key gives; a repeated key inserts nothing. */
static void
test_insert_natural_key (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) clashing = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  const char *labels[] = { "a", "b", "c" };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autofree char *code = g_strdup_printf ("C%u", i);

      g_ptr_array_add (codes, g_object_new (TEST_TYPE_CODE, "database", db, "code", code,
                                            "label", labels[i], NULL));
      g_ptr_array_add (clashing, g_object_new (TEST_TYPE_CODE, "database", db,
                                               "code", i == 2 ? "C1" : code, NULL));
    }
  g_assert_true (bulk_insert (db, codes, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < codes->len; i++)
    {
      g_autofree char *code = g_strdup_printf ("C%u", i);
      g_auto(GValue) key = G_VALUE_INIT;
      g_autoptr(GObject) got = NULL;

      test_string_value (&key, code);
      got = gorm_database_get_by_key (db, TEST_TYPE_CODE, &key, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (got == g_ptr_array_index (codes, i));
      g_assert_true (gorm_resource_is_saved (g_ptr_array_index (codes, i)));
    }

  /* C0 is stored already (and C1 is given twice). */
  g_assert_false (bulk_insert (db, clashing, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  for (guint i = 0; i < clashing->len; i++)
    g_assert_false (gorm_resource_is_saved (g_ptr_array_index (clashing, i)));
  g_assert_cmpint (count_rows (db, TEST_TYPE_CODE), ==, 3);
}

/* A type with nothing but its automatic key. */
static void
test_insert_bare (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) bare = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (bare, g_object_new (TEST_TYPE_BARE, "database", db, NULL));
  g_assert_true (bulk_insert (db, bare, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, TEST_TYPE_BARE), ==, 4);
  for (guint i = 1; i < 4; i++)
    g_assert_cmpint (gorm_resource_get_id (g_ptr_array_index (bare, i)), ==,
                     gorm_resource_get_id (g_ptr_array_index (bare, 0)) + i);
}

/* A full disk (SQLite on a small tmpfs, which only root can mount):
 * nothing is inserted, the objects are untouched, and the next call
 * works. */
static void
test_insert_disk_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *big = g_strnfill (4000, 'x');
  GPtrArray *posts = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *small = g_ptr_array_new_with_free_func (g_object_unref);
  GormDatabase *db;
  GType post = TEST_TYPE_POST;

  if (geteuid () != 0)
    {
      g_test_skip ("a full disk needs a small tmpfs, which only root can mount");
      g_ptr_array_unref (posts);
      g_ptr_array_unref (small);
      return;
    }
  dir = g_dir_make_tmp ("gorm-bulk-full-XXXXXX", &error);
  g_assert_no_error (error);
  if (mount ("tmpfs", dir, "tmpfs", 0, "size=256k") != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot mount a tmpfs: %s", g_strerror (errno));

      g_rmdir (dir);
      g_test_skip (why);
      g_ptr_array_unref (posts);
      g_ptr_array_unref (small);
      return;
    }
  path = g_build_filename (dir, "full.db", NULL);
  uri = test_uri_of_file (path);
  db = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_database_migrate (db, &post, 1, NULL, &error));

  /* 400 kB in one transaction. */
  for (guint i = 0; i < 100; i++)
    g_ptr_array_add (posts, g_object_new (TEST_TYPE_POST, "database", db, "title", "lost",
                                          "content", big, NULL));
  g_assert_false (bulk_insert (db, posts, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  assert_all_unsaved (posts);
  g_assert_cmpint (test_count_posts (db), ==, 0);

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (small, g_object_new (TEST_TYPE_POST, "database", db, "title", "kept", NULL));
  g_assert_true (bulk_insert (db, small, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count_posts (db), ==, 3);

  /* The objects hold their database: it closes with them. */
  g_ptr_array_unref (posts);
  g_ptr_array_unref (small);
  g_assert_finalize_object (db);
  test_remove_file (path);
  g_assert_cmpint (umount (dir), ==, 0);
  g_rmdir (dir);
}

/* Rows deleted meanwhile: the others are written, and the count says
 * how many were. */
static void
test_update_deleted_row (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 6);
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  g_assert_true (bulk_insert (db, items, &error));
  sql = g_strdup_printf ("DELETE FROM test_item WHERE id = %" G_GINT64_FORMAT,
                         gorm_resource_get_id (g_ptr_array_index (items, 2)));
  g_assert_cmpint (gorm_database_execute (db, sql, NULL, 0, NULL, &error), ==, 1);
  for (guint i = 0; i < items->len; i++)
    g_object_set (g_ptr_array_index (items, i), "number", 7, NULL);
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", NULL }, &error), ==, 5);
  g_assert_no_error (error);
  g_free (sql);
  sql = read_back (db, "SELECT CAST(sum(number) AS text) FROM test_item");
  g_assert_cmpstr (sql, ==, "35");
}

/* bulk_update writes the chosen properties only: the others stay
 * changed, and are written by the next save. */
static void
test_update_chosen (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 50);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  const char *properties[] = { "number", "amount", NULL };
  g_autofree char *text = NULL;

  g_assert_true (bulk_insert (db, items, &error));
  for (guint i = 0; i < items->len; i++)
    {
      g_autofree char *note = g_strdup_printf ("changed %u", i);

      g_object_set (g_ptr_array_index (items, i), "number", 100 + (int) i, "note", note, NULL);
      if (i % 3 == 0)
        g_assert_true (gorm_resource_set_null (g_ptr_array_index (items, i), "amount", NULL));
      else
        g_object_set (g_ptr_array_index (items, i), "amount", -(gint64) i, NULL);
    }
  log = test_log_attach (db);
  g_assert_cmpint (bulk_update (db, items, properties, &error), ==, 50);
  g_assert_no_error (error);
  /* Two patterns of NULLs, of 17 rows (16 + 1) and 33 (32 + 1). */
  g_assert_cmpuint (test_log_count (log, "UPDATE"), ==, 4);

  text = read_back (db, "SELECT CAST(sum(number) AS text) || ' ' || CAST(count(note) AS text) "
                        "|| ' ' || CAST(count(amount) AS text) || ' ' || CAST(sum(amount) AS text) "
                        "FROM test_item");
  /* 100..149 sums to 6225; no note was written; amount NULL for 17. */
  g_assert_cmpstr (text, ==, "6225 0 33 -817");

  for (guint i = 0; i < items->len; i++)
    g_assert_true (gorm_resource_is_dirty (g_ptr_array_index (items, i)));
  test_log_clear (log);
  test_save_ok (g_ptr_array_index (items, 4));
  /* The save writes what is still changed: the note alone. */
  g_assert_cmpuint (test_log_count (log, "UPDATE"), ==, 1);
  g_assert_null (strstr (test_log_last (log), "\"number\""));
  g_assert_nonnull (strstr (test_log_last (log), "\"note\""));
  g_assert_false (gorm_resource_is_dirty (g_ptr_array_index (items, 4)));
}

/* Refused before any SQL: unsaved objects, unknown or key properties,
 * no property, mixed types. */
static void
test_update_refused (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 5);
  g_autoptr(GPtrArray) unsaved = new_items (db, 10, 1);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (bulk_insert (db, items, &error));
  log = test_log_attach (db);

  g_ptr_array_add (items, g_object_ref (g_ptr_array_index (unsaved, 0)));
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", NULL }, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "not saved"));
  g_clear_error (&error);
  g_ptr_array_remove_index (items, 5);

  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "colour", NULL }, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_assert_nonnull (strstr (error->message, "colour"));
  g_clear_error (&error);

  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "id", NULL }, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);

  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", "number", NULL }, &error),
                   ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);

  g_assert_cmpint (bulk_update (db, items, (const char *[]) { NULL }, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);

  g_object_set (g_ptr_array_index (items, 2), "name", "a name far longer than twenty", NULL);
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "name", NULL }, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "Object 2"));
  g_clear_error (&error);

  g_assert_cmpuint (log->statements->len, ==, 0);
}

/* A constraint violated by one row changes no row, and every object
 * keeps its changes. */
static void
test_update_constraint (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 30);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (bulk_insert (db, items, &error));
  for (guint i = 0; i < items->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("renamed-%u", i);

      g_object_set (g_ptr_array_index (items, i), "name", name, "number", -1, NULL);
    }
  g_object_set (g_ptr_array_index (items, 20), "name", "renamed-3", NULL);
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", "name", NULL }, &error),
                   ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);

  text = read_back (db, "SELECT CAST(count(*) AS text) FROM test_item "
                        "WHERE name LIKE 'item-%' AND number >= 0");
  g_assert_cmpstr (text, ==, "30");
  for (guint i = 0; i < items->len; i++)
    g_assert_true (gorm_resource_is_dirty (g_ptr_array_index (items, i)));

  /* Fixed, it goes through. */
  g_object_set (g_ptr_array_index (items, 20), "name", "renamed-20", NULL);
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", "name", NULL }, &error),
                   ==, 30);
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = read_back (db, "SELECT CAST(count(*) AS text) FROM test_item "
                        "WHERE name LIKE 'renamed-%' AND number = -1");
  g_assert_cmpstr (text, ==, "30");
  for (guint i = 0; i < items->len; i++)
    g_assert_false (gorm_resource_is_dirty (g_ptr_array_index (items, i)));
}

/* A live model follows the rows a bulk update moves. */
static void
test_update_live_model (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 10);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) five = G_VALUE_INIT;

  test_int_value (&five, 5);
  g_assert_true (bulk_insert (db, items, &error));
  /* Items whose number is below 5, by number descending. */
  query = gorm_query_order_by (gorm_query_filter (gorm_database_query (db, TEST_TYPE_ITEM),
                                                  gorm_filter_lt ("number", &five)),
                               "number", TRUE);
  model = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  wait_for_items (model, 5);

  /* 0 and 1 leave, 7 enters at the top. */
  g_object_set (g_ptr_array_index (items, 0), "number", 50, NULL);
  g_object_set (g_ptr_array_index (items, 1), "number", 60, NULL);
  g_object_set (g_ptr_array_index (items, 7), "number", 4, NULL);
  g_assert_cmpint (bulk_update (db, items, (const char *[]) { "number", NULL }, &error), ==, 10);
  g_assert_no_error (error);
  wait_for_items (model, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      guint expected[] = { 7, 4, 3, 2 };

      g_assert_true (item == g_ptr_array_index (items, expected[i]));
    }
}

/* A closed database: GORM_ERROR_CONNECTION, the objects untouched. */
static void
test_closed_database (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) items = new_items (db, 0, 3);
  g_autoptr(GPtrArray) stored = new_items (db, 10, 3);
  g_autoptr(GError) error = NULL;

  g_assert_true (bulk_insert (db, stored, &error));
  g_object_set (g_ptr_array_index (stored, 0), "number", 5, NULL);
  g_assert_true (gorm_database_close (db, NULL, &error));
  g_assert_false (bulk_insert (db, items, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_clear_error (&error);
  assert_all_unsaved (items);
  g_assert_cmpint (bulk_update (db, stored, (const char *[]) { "number", NULL }, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONNECTION);
  g_assert_true (gorm_resource_is_dirty (g_ptr_array_index (stored, 0)));
}

/* Sets every property of @object from @seed. */
static void
set_kinds (GObject *object,
           guint    seed)
{
  g_autoptr(GDateTime) when = g_date_time_new_utc (2020 + seed, 1 + seed % 12, 1 + seed, 13, 3,
                                                    2.123456);
  g_autoptr(GBytes) data = g_bytes_new (seed % 2 ? "\0\1\2" : "", seed % 2 ? 3 : 0);
  g_autofree char *tag = g_strdup_printf ("tag %u", seed);
  const char *tags[] = { tag, "ü", NULL };

  g_object_set (object, "flag", seed % 2 == 1, "level", G_MAXUINT - seed, "weight", 0.5f + seed,
                "ratio", 1e300 / (seed + 1), "color", seed % 2 ? TEST_COLOR_DARK_BLUE : TEST_COLOR_GREEN,
                "flags", TEST_FLAG_A | (seed % 2 ? TEST_FLAG_HIGH : 0), "when", when, "data", data,
                "tags", tags, NULL);
}

static void
assert_kinds (GObject *object,
              guint    seed)
{
  g_autoptr(GObject) expected = g_object_new (TEST_TYPE_KINDS, NULL);
  const char *names[] = { "flag", "level", "weight", "ratio", "color", "flags", "when", "data",
                          "tags" };

  set_kinds (expected, seed);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), names[i]);
      g_auto(GValue) got = G_VALUE_INIT;
      g_auto(GValue) want = G_VALUE_INIT;

      g_value_init (&got, pspec->value_type);
      g_value_init (&want, pspec->value_type);
      g_object_get_property (object, names[i], &got);
      g_object_get_property (expected, names[i], &want);
      if (pspec->value_type == G_TYPE_DATE_TIME)
        g_assert_true (g_date_time_equal (g_value_get_boxed (&got), g_value_get_boxed (&want)));
      else if (pspec->value_type == G_TYPE_BYTES)
        g_assert_true (g_bytes_equal (g_value_get_boxed (&got), g_value_get_boxed (&want)));
      else if (pspec->value_type == G_TYPE_STRV)
        g_assert_true (g_strv_equal (g_value_get_boxed (&got), g_value_get_boxed (&want)));
      else
        g_assert_cmpint (g_param_values_cmp (pspec, &got, &want), ==, 0);
    }
}

/* Every kind of value goes through both writes as a save writes it, on
 * both engines (PostgreSQL casts each value of a CASE to its column's
 * type). */
static void
test_every_kind (void)
{
  g_autoptr(GormDatabase) db = open_database ();
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  const char *all[] = { "flag", "level", "weight", "ratio", "color", "flags", "when", "data",
                        "tags", NULL };

  for (guint i = 0; i < 4; i++)
    {
      GObject *object = g_object_new (TEST_TYPE_KINDS, "database", db, NULL);

      set_kinds (object, i);
      g_ptr_array_add (objects, object);
    }
  g_assert_true (bulk_insert (db, objects, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < objects->len; i++)
    {
      g_assert_true (gorm_resource_reload (g_ptr_array_index (objects, i), NULL, &error));
      g_assert_no_error (error);
      assert_kinds (g_ptr_array_index (objects, i), i);
      set_kinds (g_ptr_array_index (objects, i), i + 5);
    }
  g_assert_cmpint (bulk_update (db, objects, all, &error), ==, 4);
  g_assert_no_error (error);
  for (guint i = 0; i < objects->len; i++)
    {
      g_assert_false (gorm_resource_is_dirty (g_ptr_array_index (objects, i)));
      g_assert_true (gorm_resource_reload (g_ptr_array_index (objects, i), NULL, &error));
      g_assert_no_error (error);
      assert_kinds (g_ptr_array_index (objects, i), i + 5);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Bulk/insert-ids", test_insert_ids);
  g_test_add_func ("/Gorm/Bulk/insert-timestamps", test_insert_timestamps);
  g_test_add_func ("/Gorm/Bulk/insert-empty", test_insert_empty);
  g_test_add_func ("/Gorm/Bulk/insert-mixed-types", test_insert_mixed_types);
  g_test_add_func ("/Gorm/Bulk/insert-refused", test_insert_refused);
  g_test_add_func ("/Gorm/Bulk/insert-invalid", test_insert_invalid);
  g_test_add_func ("/Gorm/Bulk/insert-unique-violation", test_insert_unique_violation);
  g_test_add_func ("/Gorm/Bulk/insert-nulls", test_insert_nulls);
  g_test_add_func ("/Gorm/Bulk/insert-batches", test_insert_batches);
  g_test_add_func ("/Gorm/Bulk/insert-boundary", test_insert_boundary);
  g_test_add_func ("/Gorm/Bulk/insert-constraint-midway", test_insert_constraint_midway);
  g_test_add_func ("/Gorm/Bulk/insert-fault", test_insert_fault);
  g_test_add_func ("/Gorm/Bulk/insert-gda-statements", test_insert_gda_statements);
  g_test_add_func ("/Gorm/Bulk/insert-cancelled", test_insert_cancelled);
  g_test_add_func ("/Gorm/Bulk/insert-cancelled-midway", test_insert_cancelled_midway);
  g_test_add_func ("/Gorm/Bulk/insert-signals", test_insert_signals);
  g_test_add_func ("/Gorm/Bulk/insert-live-model", test_insert_live_model);
  g_test_add_func ("/Gorm/Bulk/many-live-model", test_many_live_model);
  g_test_add_func ("/Gorm/Bulk/insert-in-transaction", test_insert_in_transaction);
  g_test_add_func ("/Gorm/Bulk/rolled-back", test_rolled_back);
  g_test_add_func ("/Gorm/Bulk/insert-all-or-nothing", test_insert_all_or_nothing);
  g_test_add_func ("/Gorm/Bulk/insert-databases", test_insert_databases);
  g_test_add_func ("/Gorm/Bulk/insert-natural-key", test_insert_natural_key);
  g_test_add_func ("/Gorm/Bulk/insert-bare", test_insert_bare);
  /* An SQLite file on a full disk: a full disk of the server is
   * test-postgresql's. */
  if (!test_engine_is_postgresql ())
    g_test_add_func ("/Gorm/Bulk/insert-disk-full", test_insert_disk_full);
  g_test_add_func ("/Gorm/Bulk/async", test_async);
  g_test_add_func ("/Gorm/Bulk/update-chosen", test_update_chosen);
  g_test_add_func ("/Gorm/Bulk/update-refused", test_update_refused);
  g_test_add_func ("/Gorm/Bulk/update-constraint", test_update_constraint);
  g_test_add_func ("/Gorm/Bulk/update-live-model", test_update_live_model);
  g_test_add_func ("/Gorm/Bulk/update-deleted-row", test_update_deleted_row);
  g_test_add_func ("/Gorm/Bulk/closed-database", test_closed_database);
  g_test_add_func ("/Gorm/Bulk/every-kind", test_every_kind);

  return g_test_run ();
}
