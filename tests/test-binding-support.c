/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What the language bindings take from C instead of computing it again:
 * table names, stored properties, first-use migration, multi-property
 * bulk updates, and the function that builds a class's objects. */

#include "gorm-test-utils.h"

TEST_DEFINE_RESOURCE (TestHTTPServer, test_http_server)
TEST_DEFINE_RESOURCE (TestNamed, test_named)
TEST_DEFINE_RESOURCE (TestItem, test_item)
TEST_DEFINE_RESOURCE (TestKeyed, test_keyed)
TEST_DEFINE_RESOURCE (TestBroken, test_broken)

static void
test_http_server_class_init (TestHTTPServerClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("host", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
test_named_class_init (TestNamedClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("host", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "servers");
}

/* name (at most 10 characters), count, a transient scratch, a read-only
 * and a construct-only property. */
static void
test_item_class_init (TestItemClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("count", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_string ("scratch", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("readonly", NULL, NULL, "fixed", G_PARAM_READABLE),
    g_param_spec_string ("initial", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY),
    g_param_spec_boolean ("done", NULL, NULL, FALSE, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_transient (GORM_RESOURCE_CLASS (klass), "scratch");
  gorm_resource_class_set_max_length (GORM_RESOURCE_CLASS (klass), "name", 10);
}

static void
test_keyed_class_init (TestKeyedClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("code", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_primary_key (GORM_RESOURCE_CLASS (klass), "code");
}

static void
test_broken_class_init (TestBrokenClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_object ("widget", NULL, NULL, G_TYPE_OBJECT, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

/* A type named as PyGObject names the classes of Python modules. */
static void
python_named_class_init (gpointer klass,
                         gpointer data)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static GType
register_named (const char *name)
{
  GType type = g_type_from_name (name);

  if (type == 0)
    type = g_type_register_static_simple (TEST_TYPE_OBJECT, name, sizeof (TestObjectClass),
                                          python_named_class_init, sizeof (TestObject),
                                          NULL, 0);
  return type;
}

static const char *
table_of (GType type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);
  const char *table = gorm_resource_class_get_table_name (GORM_RESOURCE_CLASS (klass), &error);

  g_assert_no_error (error);
  return table;
}

static void
test_table_name (void)
{
  g_assert_cmpstr (table_of (test_http_server_get_type ()), ==, "test_http_server");
  g_assert_cmpstr (table_of (test_named_get_type ()), ==, "servers");
  g_assert_cmpstr (table_of (register_named ("blog+BlogPost")), ==, "blog_post");
  g_assert_cmpstr (table_of (register_named ("blog+sub+BlogPost-v2")), ==, "blog_post");
  /* A "-v" that is not a serial stays. */
  g_assert_cmpstr (table_of (register_named ("blog+Note-vx")), ==, "note_vx");
}

static void
test_table_name_of_an_unstorable_class (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTypeClass) klass = g_type_class_ref (test_broken_get_type ());

  g_assert_null (gorm_resource_class_get_table_name (GORM_RESOURCE_CLASS (klass), &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE);
  g_assert_nonnull (strstr (error->message, "widget"));
  g_clear_error (&error);
  g_assert_null (gorm_resource_class_dup_stored_properties (GORM_RESOURCE_CLASS (klass), &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE);
}

static void
test_stored_properties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTypeClass) item = g_type_class_ref (test_item_get_type ());
  g_autoptr(GTypeClass) keyed = g_type_class_ref (test_keyed_get_type ());
  g_auto(GStrv) names = NULL;
  const char * const item_names[] = { "id", "name", "count", "done", NULL };
  const char * const keyed_names[] = { "code", "label", NULL };

  names = gorm_resource_class_dup_stored_properties (GORM_RESOURCE_CLASS (item), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, item_names);
  g_clear_pointer (&names, g_strfreev);
  names = gorm_resource_class_dup_stored_properties (GORM_RESOURCE_CLASS (keyed), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, keyed_names);
}

static GormResource *
save_item (GormDatabase *db,
           const char   *name,
           gint          count)
{
  GormResource *item = g_object_new (test_item_get_type (), "database", db, "name", name,
                                     "count", count, NULL);

  test_save_ok (item);
  return item;
}

/* Migration tracking */

static void
test_ensure_migrated (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GError) error = NULL;
  GType types[] = { test_item_get_type (), test_keyed_get_type () };

  g_assert_false (gorm_database_is_migrated (db, types[0]));
  g_assert_true (gorm_database_ensure_migrated (db, types, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_is_migrated (db, types[0]));
  g_assert_false (gorm_database_is_migrated (db, types[1]));
  g_assert_cmpuint (test_log_count (log, "CREATE TABLE"), ==, 1);

  /* Once migrated, no SQL at all; the other type alone is migrated. */
  test_log_clear (log);
  g_assert_true (gorm_database_ensure_migrated (db, types, 1, NULL, &error));
  g_assert_cmpuint (log->statements->len, ==, 0);
  g_assert_true (gorm_database_ensure_migrated (db, types, 2, NULL, &error));
  g_assert_cmpuint (test_log_count (log, "CREATE TABLE"), ==, 1);
  g_assert_true (gorm_database_is_migrated (db, types[1]));

  /* gorm_database_migrate() counts too. */
  g_assert_true (gorm_database_migrate (db, types, 2, NULL, &error));
  g_assert_true (gorm_database_is_migrated (db, types[0]));
  g_assert_true (gorm_database_ensure_migrated (db, NULL, 0, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
migrate_then_fail (GormDatabase  *db,
                   gpointer       user_data,
                   GError       **error)
{
  GType types[] = { test_item_get_type () };

  g_assert_true (gorm_database_ensure_migrated (db, types, 1, NULL, error));
  g_assert_true (gorm_database_is_migrated (db, types[0]));
  g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED, "failed on purpose");
  return FALSE;
}

static void
test_rollback_forgets_migrations (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) item = NULL;
  GType types[] = { test_item_get_type () };

  /* Migrated inside a transaction that rolls back: the table is gone. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (gorm_database_ensure_migrated (db, types, 1, NULL, &error));
  g_assert_true (gorm_database_is_migrated (db, types[0]));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_false (gorm_database_is_migrated (db, types[0]));
  g_assert_cmpint (gorm_database_execute (db, "SELECT 1 FROM test_item", NULL, 0, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_clear_error (&error);

  /* ensure_migrated() then creates it again. */
  g_assert_true (gorm_database_ensure_migrated (db, types, 1, NULL, &error));
  g_assert_no_error (error);
  item = save_item (db, "back", 1);
  g_assert_true (gorm_resource_is_saved (item));
}

static void
test_failed_transaction_forgets_migrations (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;

  /* The rollback of a transaction function that fails is libgorm's own,
   * not gorm_database_rollback(): it forgets too. */
  g_assert_false (gorm_database_run_in_transaction (db, migrate_then_fail, NULL, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_false (gorm_database_is_migrated (db, test_item_get_type ()));
}

static void
test_ensure_migrated_fails (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GType types[] = { test_item_get_type (), test_broken_get_type () };

  g_assert_false (gorm_database_ensure_migrated (db, types, 2, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE);
  g_clear_error (&error);
  /* One transaction: the good type is not migrated either. */
  g_assert_false (gorm_database_is_migrated (db, types[0]));
  g_assert_false (gorm_database_is_migrated (db, types[1]));

  g_cancellable_cancel (cancellable);
  g_assert_false (gorm_database_ensure_migrated (db, types, 1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gorm_database_is_migrated (db, types[0]));
}

static void
ensure_migrated_done_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GError **error = user_data;

  if (!gorm_database_ensure_migrated_finish (GORM_DATABASE (source), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (GORM_ERROR, GORM_ERROR_NOT_FOUND, "no error: done");
}

static void
test_ensure_migrated_async (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  GError *error = NULL;
  GType types[] = { test_item_get_type () };
  GType broken[] = { test_broken_get_type () };

  gorm_database_ensure_migrated_async (db, types, 1, NULL, ensure_migrated_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (gorm_database_is_migrated (db, types[0]));

  gorm_database_ensure_migrated_async (db, broken, 1, NULL, ensure_migrated_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE);
  g_clear_error (&error);
}

/* Multi-property bulk updates */

static GormQuery *
items_named (GormDatabase *db,
             const char   *name)
{
  GormQuery *query = gorm_database_query (db, test_item_get_type ());
  GValue value = G_VALUE_INIT;

  gorm_query_filter (query, gorm_filter_eq ("name", test_string_value (&value, name)));
  g_value_unset (&value);
  return query;
}

static char *
all_items (GormDatabase *db)
{
  if (test_engine_is_postgresql ())
    return test_query_text (db, "SELECT string_agg(name || ':' || count || ':' || CAST(done AS integer), ' ' "
                                "ORDER BY id) FROM test_item");
  return test_query_text (db, "SELECT group_concat(name || ':' || count || ':' || done, ' ') "
                              "FROM (SELECT * FROM test_item ORDER BY id)");
}

static void
test_update_values_runs_one_statement (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) a = NULL;
  g_autoptr(GormResource) b = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  const char *properties[] = { "count", "name", "done" };
  GValue values[3] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  gint count;
  gboolean done;

  test_migrate (db, test_item_get_type ());
  a = save_item (db, "a", 1);
  b = save_item (db, "b", 2);
  log = test_log_attach (db);
  query = items_named (db, "a");
  test_int_value (&values[0], 7);
  /* The filtered property changes too: the rows are chosen first. */
  test_string_value (&values[1], "z");
  g_value_init (&values[2], G_TYPE_BOOLEAN);
  g_value_set_boolean (&values[2], TRUE);

  g_assert_cmpint (gorm_query_update_values (query, 3, properties, values, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (test_log_count (log, "UPDATE"), ==, 1);
  text = all_items (db);
  g_assert_cmpstr (text, ==, "z:7:1 b:2:0");

  /* The live object holds the new values, and is not dirty. */
  g_object_get (a, "name", &name, "count", &count, "done", &done, NULL);
  g_assert_cmpstr (name, ==, "z");
  g_assert_cmpint (count, ==, 7);
  g_assert_true (done);
  g_assert_false (gorm_resource_is_dirty (a));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_value_unset (&values[i]);
}

static void
test_update_values_null (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) a = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autofree char *text = NULL;
  const char *properties[] = { "name", "count" };
  GValue values[2] = { G_VALUE_INIT, G_VALUE_INIT };

  test_migrate (db, test_item_get_type ());
  a = save_item (db, "a", 1);
  query = gorm_database_query (db, test_item_get_type ());
  /* An unset value is NULL. */
  test_int_value (&values[1], 3);
  g_assert_cmpint (gorm_query_update_values (query, 2, properties, values, NULL, &error), ==, 1);
  g_assert_no_error (error);
  text = test_query_text (db, "SELECT coalesce(name, 'NULL') || ':' || count FROM test_item");
  g_assert_cmpstr (text, ==, "NULL:3");
  g_value_unset (&values[1]);
}

/* Each refused call: its error, no statement run, nothing changed. */
static void
assert_update_refused (GormDatabase *db,
                       guint         n,
                       const char  **properties,
                       const GValue *values,
                       gint          code,
                       const char   *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, test_item_get_type ());
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autofree char *before = all_items (db);
  g_autofree char *after = NULL;

  test_log_clear (log);
  g_assert_cmpint (gorm_query_update_values (query, n, properties, values, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not say “%s”", error->message, fragment);
  g_assert_cmpuint (log->statements->len, ==, 0);
  gorm_database_set_trace_func (db, NULL, NULL);
  after = all_items (db);
  g_assert_cmpstr (after, ==, before);
}

static void
test_update_values_refused (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) a = NULL;
  GValue values[2] = { G_VALUE_INIT, G_VALUE_INIT };
  GValue too_long = G_VALUE_INIT, text = G_VALUE_INIT, number = G_VALUE_INIT;
  const char *unknown[] = { "count", "colour" };
  const char *twice[] = { "count", "count" };
  const char *key[] = { "count", "id" };
  const char *with_null[] = { "count", NULL };
  const char *name_count[] = { "name", "count" };

  test_migrate (db, test_item_get_type ());
  a = save_item (db, "a", 1);
  test_int_value (&values[0], 5);
  test_int_value (&values[1], 6);

  assert_update_refused (db, 2, unknown, values, GORM_ERROR_UNKNOWN_PROPERTY, "colour");
  assert_update_refused (db, 2, twice, values, GORM_ERROR_FAILED, "count");
  assert_update_refused (db, 2, key, values, GORM_ERROR_FAILED, "primary key");
  assert_update_refused (db, 2, with_null, values, GORM_ERROR_UNKNOWN_PROPERTY, "NULL");
  assert_update_refused (db, 0, NULL, NULL, GORM_ERROR_FAILED, "TestItem");

  /* A value beyond the maximum length, or of the wrong type, after a
   * good one: the good one is not written either. */
  test_string_value (&too_long, "far too long a name");
  values[1] = too_long;
  {
    const char *count_name[] = { "count", "name" };

    assert_update_refused (db, 2, count_name, values, GORM_ERROR_VALIDATION, "name");
  }
  g_value_unset (&too_long);
  test_string_value (&text, "many");
  test_string_value (&number, "ok");
  {
    GValue mismatch[2] = { number, text };

    assert_update_refused (db, 2, name_count, mismatch, GORM_ERROR_TYPE_MISMATCH, "count");
  }
  g_value_unset (&text);
  g_value_unset (&number);
}

static void
test_update_values_of_a_failed_query (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GormResource) a = NULL;
  g_autofree char *text = NULL;
  const char *properties[] = { "count" };
  GValue values[1] = { G_VALUE_INIT };

  test_migrate (db, test_item_get_type ());
  a = save_item (db, "a", 1);
  query = gorm_database_query (db, test_item_get_type ());
  gorm_query_order_by (query, "colour", FALSE);
  test_int_value (&values[0], 9);
  g_assert_cmpint (gorm_query_update_values (query, 1, properties, values, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  text = all_items (db);
  g_assert_cmpstr (text, ==, "a:1:0");
}

static gint
count_of (GormResource *item)
{
  gint count;

  g_object_get (item, "count", &count, NULL);
  return count;
}

static void
update_counts (GormDatabase *db,
               gint          count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, test_item_get_type ());
  const char *properties[] = { "count" };
  GValue values[1] = { G_VALUE_INIT };

  test_int_value (&values[0], count);
  g_assert_cmpint (gorm_query_update_values (query, 1, properties, values, NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_value_unset (&values[0]);
}

static void
test_rolled_back_update_restores_live_objects (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) a = NULL;
  g_autoptr(GormResource) b = NULL;

  test_migrate (db, test_item_get_type ());
  a = save_item (db, "a", 1);
  b = save_item (db, "b", 2);

  /* A rolled-back transaction gives the live objects their rows back.
   * (When the objects take the new values inside the transaction is the
   * change feed's business: only the outcome is checked.) */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  update_counts (db, 9);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_cmpint (count_of (a), ==, 1);
  g_assert_cmpint (count_of (b), ==, 2);
  g_assert_false (gorm_resource_is_dirty (a));

  /* Savepoints, rolled back and committed, in a transaction that rolls
   * back. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  update_counts (db, 5);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  update_counts (db, 6);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_true (gorm_database_begin (db, NULL, &error));
  update_counts (db, 7);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_cmpint (count_of (a), ==, 1);
  g_assert_cmpint (count_of (b), ==, 2);

  /* A rolled-back savepoint in a transaction that commits: what the
   * savepoint changed is undone, the rest kept. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  update_counts (db, 5);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  update_counts (db, 6);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_cmpint (count_of (a), ==, 5);
  g_assert_cmpint (count_of (b), ==, 5);

  /* A committed transaction keeps the new values. */
  g_assert_true (gorm_database_begin (db, NULL, &error));
  update_counts (db, 3);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_cmpint (count_of (a), ==, 3);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_cmpint (count_of (a), ==, 3);
  g_assert_no_error (error);
}

static void
update_values_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  gint64 *rows = user_data;
  g_autoptr(GError) error = NULL;

  *rows = gorm_query_update_values_finish (GORM_QUERY (source), result, &error);
  if (*rows < 0)
    g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  else
    g_assert_no_error (error);
}

static void
test_update_values_async (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) a = NULL;
  g_autoptr(GormResource) b = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autofree char *text = NULL;
  const char *properties[] = { "count", "name" };
  const char *unknown[] = { "count", "colour" };
  GValue values[2] = { G_VALUE_INIT, G_VALUE_INIT };
  gint64 rows = G_MININT64;

  test_migrate (db, test_item_get_type ());
  a = save_item (db, "a", 1);
  b = save_item (db, "b", 2);
  query = gorm_database_query (db, test_item_get_type ());
  test_int_value (&values[0], 4);
  test_string_value (&values[1], "same");
  gorm_query_update_values_async (query, 2, properties, values, NULL, update_values_done_cb, &rows);
  /* The values were copied. */
  g_value_unset (&values[1]);
  test_string_value (&values[1], "changed after the call");
  while (rows == G_MININT64)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (rows, ==, 2);
  text = all_items (db);
  g_assert_cmpstr (text, ==, "same:4:0 same:4:0");

  rows = G_MININT64;
  gorm_query_update_values_async (query, 2, unknown, values, NULL, update_values_done_cb, &rows);
  while (rows == G_MININT64)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (rows, ==, -1);
  g_value_unset (&values[0]);
  g_value_unset (&values[1]);
}

/* The new-object function */

typedef struct
{
  guint built;
  guint freed;
  gboolean return_null;
} Builder;

static GormResource *
build_item (GormDatabase *database,
            gpointer      user_data)
{
  Builder *builder = user_data;

  builder->built++;
  if (builder->return_null)
    return NULL;
  return g_object_new (test_item_get_type (), "database", database, "scratch", "built", NULL);
}

static void
builder_free (gpointer user_data)
{
  ((Builder *) user_data)->freed++;
}

static GormResource *
first_item (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) query = gorm_database_query (db, test_item_get_type ());
  GormResource *item = gorm_query_first (query, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (item);
  return item;
}

static void
test_new_func (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GTypeClass) klass = g_type_class_ref (test_item_get_type ());
  Builder builder = { 0 }, other = { 0 };
  GormResource *item;
  g_autofree char *name = NULL;
  g_autofree char *scratch = NULL;

  test_migrate (db, test_item_get_type ());
  g_object_unref (save_item (db, "a", 3));

  gorm_resource_class_set_new_func (GORM_RESOURCE_CLASS (klass), build_item, &builder, builder_free);
  item = first_item (db);
  g_assert_cmpuint (builder.built, ==, 1);
  /* Built by the function, then given the row's values. */
  g_object_get (item, "name", &name, "scratch", &scratch, NULL);
  g_assert_cmpstr (name, ==, "a");
  g_assert_cmpstr (scratch, ==, "built");
  g_assert_true (gorm_resource_is_saved (item));
  g_assert_false (gorm_resource_is_dirty (item));
  g_assert_true (gorm_resource_get_database (item) == db);
  g_assert_finalize_object (item);

  /* A function returning NULL: libgorm builds the object itself. */
  builder.return_null = TRUE;
  g_test_expect_message ("Gorm", G_LOG_LEVEL_WARNING, "*returned NULL*g_object_new*");
  item = first_item (db);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (builder.built, ==, 2);
  g_assert_true (G_OBJECT_TYPE (item) == test_item_get_type ());
  g_clear_pointer (&name, g_free);
  g_object_get (item, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "a");
  g_assert_finalize_object (item);

  /* Replacing the function frees the data of the one replaced; NULL goes
   * back to g_object_new(). */
  gorm_resource_class_set_new_func (GORM_RESOURCE_CLASS (klass), build_item, &other, builder_free);
  g_assert_cmpuint (builder.freed, ==, 1);
  g_assert_finalize_object (first_item (db));
  g_assert_cmpuint (other.built, ==, 1);
  gorm_resource_class_set_new_func (GORM_RESOURCE_CLASS (klass), NULL, NULL, NULL);
  g_assert_cmpuint (other.freed, ==, 1);
  g_assert_finalize_object (first_item (db));
  g_assert_cmpuint (other.built, ==, 1);
}

static GormResource *
build_wrong (GormDatabase *database,
             gpointer      user_data)
{
  return g_object_new (test_keyed_get_type (), "database", database, NULL);
}

static GormResource *
build_for_another_database (GormDatabase *database,
                            gpointer      user_data)
{
  return g_object_new (test_item_get_type (), "database", user_data, NULL);
}

static void
test_new_func_returning_another_class (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GTypeClass) klass = g_type_class_ref (test_item_get_type ());
  GormResource *item;

  test_migrate (db, test_item_get_type ());
  g_object_unref (save_item (db, "a", 3));
  gorm_resource_class_set_new_func (GORM_RESOURCE_CLASS (klass), build_wrong, NULL, NULL);
  g_test_expect_message ("Gorm", G_LOG_LEVEL_WARNING, "*returned a TestKeyed rather than a TestItem*");
  item = first_item (db);
  g_test_assert_expected_messages ();
  g_assert_true (G_OBJECT_TYPE (item) == test_item_get_type ());
  g_assert_finalize_object (item);

  {
    g_autoptr(GormDatabase) other = test_open_memory ();

    gorm_resource_class_set_new_func (GORM_RESOURCE_CLASS (klass), build_for_another_database,
                                      other, NULL);
    g_test_expect_message ("Gorm", G_LOG_LEVEL_WARNING, "*a TestItem of another database*");
    item = first_item (db);
    g_test_assert_expected_messages ();
    g_assert_true (gorm_resource_get_database (item) == db);
    g_assert_finalize_object (item);
  }
  gorm_resource_class_set_new_func (GORM_RESOURCE_CLASS (klass), NULL, NULL, NULL);
}

/* gorm_resource_new_with_init(): a class whose instance initializer
 * notes whether the function had run on the object before it. */
typedef struct
{
  TestObject parent_instance;
  gboolean   attached_before_init;
} TestInited;
typedef struct { TestObjectClass parent_class; } TestInitedClass;
GType test_inited_get_type (void);
G_DEFINE_TYPE (TestInited, test_inited, TEST_TYPE_OBJECT)

static void
test_inited_init (TestInited *self)
{
  self->attached_before_init = g_object_get_data (G_OBJECT (self), "attached") != NULL;
}

static void
test_inited_class_init (TestInitedClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

typedef struct
{
  guint         calls;
  GormResource *last;
  /* Builds an object of the class itself from the function. */
  GormResource *built_inside;
} Attacher;

static void
attach_mark (GormResource *resource,
             gpointer      user_data)
{
  Attacher *attacher = user_data;

  attacher->calls++;
  attacher->last = resource;
  /* No property is set yet, the database included. */
  g_assert_null (gorm_resource_get_database (resource));
  g_object_set_data (G_OBJECT (resource), "attached", attacher);
}

static void
attach_and_build (GormResource *resource,
                  gpointer      user_data)
{
  Attacher *attacher = user_data;

  attach_mark (resource, user_data);
  attacher->built_inside = g_object_new (test_inited_get_type (), NULL);
}

static GormResource *
build_with_init (GormDatabase *database,
                 gpointer      user_data)
{
  return gorm_resource_new_with_init (test_inited_get_type (), database, attach_mark, user_data);
}

static void
test_new_with_init (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GTypeClass) klass = g_type_class_ref (test_inited_get_type ());
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  Attacher attacher = { 0 };
  GormResource *resource, *plain, *loaded;
  g_autofree char *name = NULL;

  resource = gorm_resource_new_with_init (test_inited_get_type (), db, attach_mark, &attacher);
  g_assert_cmpuint (attacher.calls, ==, 1);
  g_assert_true (attacher.last == resource);
  g_assert_true (G_OBJECT_TYPE (resource) == test_inited_get_type ());
  g_assert_true (((TestInited *) resource)->attached_before_init);
  g_assert_true (g_object_get_data (G_OBJECT (resource), "attached") == &attacher);
  g_assert_true (gorm_resource_get_database (resource) == db);
  g_assert_false (gorm_resource_is_saved (resource));

  /* The function is given to that object only. */
  plain = g_object_new (test_inited_get_type (), NULL);
  g_assert_cmpuint (attacher.calls, ==, 1);
  g_assert_false (((TestInited *) plain)->attached_before_init);
  g_assert_finalize_object (plain);
  g_assert_finalize_object (resource);

  /* Not to an object the function builds, and without a database. */
  resource = gorm_resource_new_with_init (test_inited_get_type (), NULL, attach_and_build,
                                          &attacher);
  g_assert_cmpuint (attacher.calls, ==, 2);
  g_assert_true (((TestInited *) resource)->attached_before_init);
  g_assert_null (gorm_resource_get_database (resource));
  g_assert_nonnull (attacher.built_inside);
  g_assert_false (((TestInited *) attacher.built_inside)->attached_before_init);
  g_assert_null (g_object_get_data (G_OBJECT (attacher.built_inside), "attached"));
  g_assert_finalize_object (attacher.built_inside);
  g_assert_finalize_object (resource);

  /* The new-object function of a class builds its loaded objects so. */
  test_migrate (db, test_inited_get_type ());
  resource = g_object_new (test_inited_get_type (), "database", db, "name", "row", NULL);
  g_assert_true (gorm_resource_save (resource, NULL, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (resource);
  gorm_resource_class_set_new_func (GORM_RESOURCE_CLASS (klass), build_with_init, &attacher, NULL);
  query = gorm_database_query (db, test_inited_get_type ());
  loaded = gorm_query_first (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attacher.calls, ==, 3);
  g_assert_true (attacher.last == loaded);
  g_assert_true (((TestInited *) loaded)->attached_before_init);
  g_object_get (loaded, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "row");
  g_assert_true (gorm_resource_get_database (loaded) == db);
  g_assert_true (gorm_resource_is_saved (loaded));
  g_assert_false (gorm_resource_is_dirty (loaded));
  g_assert_finalize_object (loaded);
  gorm_resource_class_set_new_func (GORM_RESOURCE_CLASS (klass), NULL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/BindingSupport/table-name", test_table_name);
  g_test_add_func ("/Gorm/BindingSupport/table-name-of-an-unstorable-class",
                   test_table_name_of_an_unstorable_class);
  g_test_add_func ("/Gorm/BindingSupport/stored-properties", test_stored_properties);
  g_test_add_func ("/Gorm/BindingSupport/ensure-migrated", test_ensure_migrated);
  g_test_add_func ("/Gorm/BindingSupport/rollback-forgets-migrations",
                   test_rollback_forgets_migrations);
  g_test_add_func ("/Gorm/BindingSupport/failed-transaction-forgets-migrations",
                   test_failed_transaction_forgets_migrations);
  g_test_add_func ("/Gorm/BindingSupport/ensure-migrated-fails", test_ensure_migrated_fails);
  g_test_add_func ("/Gorm/BindingSupport/ensure-migrated-async", test_ensure_migrated_async);
  g_test_add_func ("/Gorm/BindingSupport/update-values-runs-one-statement",
                   test_update_values_runs_one_statement);
  g_test_add_func ("/Gorm/BindingSupport/update-values-null", test_update_values_null);
  g_test_add_func ("/Gorm/BindingSupport/update-values-refused", test_update_values_refused);
  g_test_add_func ("/Gorm/BindingSupport/update-values-of-a-failed-query",
                   test_update_values_of_a_failed_query);
  g_test_add_func ("/Gorm/BindingSupport/update-values-async", test_update_values_async);
  g_test_add_func ("/Gorm/BindingSupport/rolled-back-update-restores-live-objects",
                   test_rolled_back_update_restores_live_objects);
  g_test_add_func ("/Gorm/BindingSupport/new-func", test_new_func);
  g_test_add_func ("/Gorm/BindingSupport/new-func-returning-another-class",
                   test_new_func_returning_another_class);
  g_test_add_func ("/Gorm/BindingSupport/new-with-init", test_new_with_init);

  return g_test_run ();
}
