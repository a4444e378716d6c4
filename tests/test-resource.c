/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "gorm-connection-private.h"
#include "gorm-database-private.h"
#include "gorm-schema-private.h"
#include "gorm-test-utils.h"

static GormResource *
new_post (GormDatabase *db,
          const char   *title)
{
  return g_object_new (TEST_TYPE_POST, "database", db, "title", title, NULL);
}

static void
test_insert (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) first = new_post (db, "First");
  g_autoptr(GormResource) second = new_post (db, "Second");

  test_migrate (db, TEST_TYPE_POST);
  g_assert_cmpint (gorm_resource_get_id (first), ==, 0);
  g_assert_false (gorm_resource_is_saved (first));
  g_assert_true (gorm_resource_is_dirty (first));

  test_save_ok (first);
  test_save_ok (second);
  g_assert_cmpint (gorm_resource_get_id (first), ==, 1);
  g_assert_cmpint (gorm_resource_get_id (second), ==, 2);
  g_assert_true (gorm_resource_is_saved (first));
  g_assert_false (gorm_resource_is_dirty (first));

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* An insert with an automatic key sends the INSERT alone: SQLite's key
 * is read from the connection's sqlite3 handle, PostgreSQL's returned by
 * the INSERT. */
static void
test_insert_sends_one_statement (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_POST);
  if (!test_engine_is_postgresql ())
    {
      gorm_database_lock (db);
      g_assert_true (gorm_connection_reads_insert_id_locked (gorm_database_get_execution (db)));
      gorm_database_unlock (db);
    }

  log = test_log_attach (db);
  for (guint i = 1; i <= 3; i++)
    {
      g_autoptr(GormResource) post = new_post (db, "Post");

      test_log_clear (log);
      test_save_ok (post);
      g_assert_cmpint (gorm_resource_get_id (post), ==, i);
      g_assert_cmpuint (log->statements->len, ==, 1);
      g_assert_true (g_str_has_prefix (test_log_last (log), "INSERT"));
    }

  /* A multi-row INSERT numbers its rows up to the last key read; the next
   * save reads its own. */
  {
    GormResource *posts[2] = { new_post (db, "Bulk 4"), new_post (db, "Bulk 5") };
    g_autoptr(GormResource) post = new_post (db, "After");

    g_assert_true (gorm_database_bulk_insert (db, posts, 2, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (gorm_resource_get_id (posts[0]), ==, 4);
    g_assert_cmpint (gorm_resource_get_id (posts[1]), ==, 5);
    test_save_ok (post);
    g_assert_cmpint (gorm_resource_get_id (post), ==, 6);
    g_object_unref (posts[0]);
    g_object_unref (posts[1]);
  }
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A new object given an id is inserted with it; the automatic keys go on
 * past it; a taken one fails, nothing written; a saved object keeps its
 * row's id. */
static void
test_given_id (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) given = new_post (db, "Given");
  g_autoptr(GormResource) taken = new_post (db, "Taken");
  g_autoptr(GormResource) automatic = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = -1;

  test_migrate (db, TEST_TYPE_POST);
  g_object_set (given, "id", (gint64) 42, NULL);
  g_assert_cmpint (gorm_resource_get_id (given), ==, 42);
  g_assert_false (gorm_resource_is_saved (given));
  test_save_ok (given);
  g_assert_cmpint (gorm_resource_get_id (given), ==, 42);
  g_assert_true (gorm_resource_is_saved (given));
  loaded = gorm_database_get (db, TEST_TYPE_POST, 42, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == (gpointer) given);
  g_clear_object (&loaded);

  /* The next automatic key is past it. */
  automatic = new_post (db, "Automatic");
  test_save_ok (automatic);
  g_assert_cmpint (gorm_resource_get_id (automatic), ==, 43);

  /* A taken id: GORM_ERROR_CONSTRAINT naming it, nothing written, the
   * object as it was. */
  g_object_set (taken, "id", (gint64) 42, NULL);
  g_assert_false (gorm_resource_save (taken, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "TestPost:id 42 is taken"));
  g_clear_error (&error);
  g_assert_false (gorm_resource_is_saved (taken));
  g_assert_cmpint (gorm_resource_get_id (taken), ==, 42);
  g_assert_cmpint (test_count_posts (db), ==, 2);

  /* Back to an automatic key. */
  g_object_set (taken, "id", (gint64) 0, NULL);
  test_save_ok (taken);
  g_assert_cmpint (gorm_resource_get_id (taken), ==, 44);

  /* A smaller free id: the automatic keys do not go back. */
  {
    g_autoptr(GormResource) small = new_post (db, "Small");
    g_autoptr(GormResource) next = new_post (db, "Next");

    g_object_set (small, "id", (gint64) 7, NULL);
    test_save_ok (small);
    g_assert_cmpint (gorm_resource_get_id (small), ==, 7);
    test_save_ok (next);
    g_assert_cmpint (gorm_resource_get_id (next), ==, 45);
  }

  /* A deleted object restored with its id. */
  id = gorm_resource_get_id (automatic);
  g_assert_true (gorm_resource_delete (automatic, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gorm_resource_get_id (automatic), ==, 0);
  g_object_set (automatic, "id", id, NULL);
  test_save_ok (automatic);
  g_assert_cmpint (gorm_resource_get_id (automatic), ==, 43);
  loaded = gorm_database_get (db, TEST_TYPE_POST, 43, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == (gpointer) automatic);
  g_clear_object (&loaded);

  /* A saved object keeps its row's id: a warning, as for any property
   * that cannot be written; the same id is no change. */
  g_object_set (given, "id", (gint64) 42, NULL);
  g_test_expect_message ("Gorm", G_LOG_LEVEL_WARNING, "*TestPost:id to 99*saved object*");
  g_object_set (given, "id", (gint64) 99, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gorm_resource_get_id (given), ==, 42);
  g_assert_false (gorm_resource_is_dirty (given));

  g_assert_finalize_object (g_steal_pointer (&given));
  g_assert_finalize_object (g_steal_pointer (&taken));
  g_assert_finalize_object (g_steal_pointer (&automatic));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A rolled back insert of a given id leaves the object with that id, to
 * be saved again; a bulk insert refuses given ids. */
static void
test_given_id_rollback_and_bulk (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Rolled back");
  g_autoptr(GormResource) other = new_post (db, "Other");
  g_autoptr(GError) error = NULL;
  GormResource *posts[2];

  test_migrate (db, TEST_TYPE_POST);
  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_object_set (post, "id", (gint64) 100, NULL);
  test_save_ok (post);
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_saved (post));
  g_assert_cmpint (gorm_resource_get_id (post), ==, 100);
  g_assert_cmpint (test_count_posts (db), ==, 0);
  test_save_ok (post);
  g_assert_cmpint (gorm_resource_get_id (post), ==, 100);

  g_object_set (other, "id", (gint64) 200, NULL);
  posts[0] = g_object_new (TEST_TYPE_POST, "database", db, "title", "Bulk", NULL);
  posts[1] = g_object_ref (other);
  g_assert_false (gorm_database_bulk_insert (db, posts, 2, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "Object 1 of 2"));
  g_assert_nonnull (strstr (error->message, "TestPost:id is set to 200"));
  g_clear_error (&error);
  g_assert_cmpint (test_count_posts (db), ==, 1);
  g_assert_false (gorm_resource_is_saved (posts[0]));
  g_object_unref (posts[0]);
  g_object_unref (posts[1]);

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&other));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_update_writes_changed_columns (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Title");
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gint64 id;
  int views;

  test_migrate (db, TEST_TYPE_POST);
  test_save_ok (post);
  log = test_log_attach (db);

  /* Nothing changed: no SQL, except what auto_now must write. */
  g_object_set (post, "views", 10, NULL);
  g_assert_true (gorm_resource_is_dirty (post));
  test_save_ok (post);
  g_assert_false (gorm_resource_is_dirty (post));
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpstr (test_log_last (log), ==,
                   "UPDATE \"test_post\" SET \"views\" = ##p0::gint64::null, "
                   "\"updated\" = ##p1::gchararray::null WHERE \"id\" = ##p2::gint64::null");

  test_log_clear (log);
  g_object_set (post, "title", "New title", "published", TRUE, NULL);
  test_save_ok (post);
  g_assert_cmpuint (log->statements->len, ==, 1);
  g_assert_cmpstr (test_log_last (log), ==,
                   "UPDATE \"test_post\" SET \"title\" = ##p0::gchararray::null, "
                   "\"published\" = ##p1::gint64::null, \"updated\" = ##p2::gchararray::null "
                   "WHERE \"id\" = ##p3::gint64::null");

  /* The row, read into a new object, has both updates. */
  id = gorm_resource_get_id (post);
  g_assert_finalize_object (g_steal_pointer (&post));
  loaded = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  g_object_get (loaded, "title", &title, "views", &views, NULL);
  g_assert_cmpstr (title, ==, "New title");
  g_assert_cmpint (views, ==, 10);

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&db));
}

TEST_DEFINE_RESOURCE (TestPlain, test_plain)

static void
test_plain_class_init (TestPlainClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("count", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY),
    g_param_spec_string ("scratch", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("readonly", NULL, NULL, "fixed", G_PARAM_READABLE),
    g_param_spec_string ("initial", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_transient (GORM_RESOURCE_CLASS (klass), "scratch");
}

static void
test_unchanged_save_runs_nothing (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) plain = g_object_new (test_plain_get_type (), "database", db, "name", "n", NULL);
  g_autoptr(TestLog) log = NULL;

  test_migrate (db, test_plain_get_type ());
  test_save_ok (plain);
  log = test_log_attach (db);
  test_save_ok (plain);
  g_assert_cmpuint (log->statements->len, ==, 0);

  /* A transient property is not stored and does not make the object dirty. */
  g_object_set (plain, "scratch", "temporary", NULL);
  g_assert_false (gorm_resource_is_dirty (plain));
  test_save_ok (plain);
  g_assert_cmpuint (log->statements->len, ==, 0);

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&plain));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_defaults (void)
{
  g_autoptr(GError) error = NULL;
  const GormSchema *schema = gorm_schema_lookup (test_plain_get_type (), &error);
  g_autofree char *snake1 = gorm_schema_snake_case ("BlogPost");
  g_autofree char *snake2 = gorm_schema_snake_case ("HTTPServer2Config");
  g_autofree char *snake3 = gorm_schema_snake_case ("__main__+BlogPost");

  g_assert_no_error (error);
  g_assert_cmpstr (schema->table, ==, "test_plain");
  /* id, name, count: not the transient, read-only or construct-only ones. */
  g_assert_cmpuint (schema->n_columns, ==, 3);
  g_assert_cmpstr (schema->columns[0].name, ==, "id");
  g_assert_true (schema->key == &schema->columns[0]);
  g_assert_true (gorm_schema_has_auto_id (schema));
  g_assert_nonnull (gorm_schema_find_column (schema, "name"));
  g_assert_nonnull (gorm_schema_find_column (schema, "count"));
  g_assert_null (gorm_schema_find_column (schema, "scratch"));
  g_assert_null (gorm_schema_find_column (schema, "readonly"));
  g_assert_null (gorm_schema_find_column (schema, "initial"));
  g_assert_null (gorm_schema_find_column (schema, "database"));
  g_assert_null (gorm_schema_find_column (schema, "no-such-property-ever-interned"));

  g_assert_cmpstr (snake1, ==, "blog_post");
  g_assert_cmpstr (snake2, ==, "http_server2_config");
  g_assert_cmpstr (snake3, ==, "main_blog_post");

  schema = gorm_schema_lookup (TEST_TYPE_POST, &error);
  g_assert_nonnull (gorm_schema_find_column (schema, "pub_date"));
  g_assert_cmpstr (gorm_schema_find_column (schema, "pub-date")->name, ==, "pub_date");
}

static void
test_explicit_notify (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) plain = g_object_new (test_plain_get_type (), "database", db, NULL);
  g_autoptr(TestLog) log = NULL;

  test_migrate (db, test_plain_get_type ());
  g_object_set (plain, "count", 5, NULL);
  test_save_ok (plain);
  log = test_log_attach (db);
  /* "count" is G_PARAM_EXPLICIT_NOTIFY and the test class never notifies:
   * libgorm sees only notified changes. */
  g_object_set (plain, "count", 6, NULL);
  g_assert_false (gorm_resource_is_dirty (plain));
  g_object_notify (G_OBJECT (plain), "count");
  g_assert_true (gorm_resource_is_dirty (plain));
  test_save_ok (plain);
  g_assert_cmpuint (test_log_count (log, "UPDATE"), ==, 1);

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&plain));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_delete (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Doomed");
  g_autoptr(GError) error = NULL;
  gint64 id;

  test_migrate (db, TEST_TYPE_POST);

  /* An unsaved object has no row to delete. */
  g_assert_false (gorm_resource_delete (post, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  test_save_ok (post);
  id = gorm_resource_get_id (post);
  g_assert_true (gorm_resource_delete (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_saved (post));
  g_assert_cmpint (gorm_resource_get_id (post), ==, 0);
  g_assert_null (gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Saving it again inserts a new row. */
  test_save_ok (post);
  g_assert_cmpint (gorm_resource_get_id (post), >, id);

  /* A row deleted behind the object's back. */
  {
    g_auto(GValue) key = G_VALUE_INIT;

    g_value_init (&key, G_TYPE_INT64);
    g_value_set_int64 (&key, gorm_resource_get_id (post));
    g_assert_cmpint (gorm_database_execute (db, "DELETE FROM test_post WHERE id = ?", &key, 1, NULL, &error), ==, 1);
    g_assert_false (gorm_resource_delete (post, NULL, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
    g_assert_true (gorm_resource_is_saved (post));
    g_clear_error (&error);

    g_object_set (post, "views", 3, NULL);
    g_assert_false (gorm_resource_save (post, NULL, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
    g_assert_true (gorm_resource_is_dirty (post));
    g_clear_error (&error);
  }

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_reload (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Original");
  g_auto(GValue) key = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  test_migrate (db, TEST_TYPE_POST);
  g_assert_false (gorm_resource_reload (post, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  test_save_ok (post);
  g_value_init (&key, G_TYPE_INT64);
  g_value_set_int64 (&key, gorm_resource_get_id (post));
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_post SET title = 'Changed elsewhere' WHERE id = ?",
                                          &key, 1, NULL, &error), ==, 1);

  g_object_set (post, "views", 99, NULL);
  g_assert_true (gorm_resource_reload (post, NULL, &error));
  g_assert_no_error (error);
  g_object_get (post, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "Changed elsewhere");
  g_assert_false (gorm_resource_is_dirty (post));

  g_assert_cmpint (gorm_database_execute (db, "DELETE FROM test_post WHERE id = ?", &key, 1, NULL, &error), ==, 1);
  g_assert_false (gorm_resource_reload (post, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_auto_timestamps (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Timed");
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) pub_date = NULL;
  g_autoptr(GDateTime) updated = NULL;
  g_autoptr(GDateTime) pub_date2 = NULL;
  g_autoptr(GDateTime) updated2 = NULL;
  g_autoptr(GDateTime) fixed = g_date_time_new_utc (2001, 2, 3, 4, 5, 6);
  g_autoptr(GError) error = NULL;
  gint64 id;

  test_migrate (db, TEST_TYPE_POST);
  test_save_ok (post);
  g_object_get (post, "pub-date", &pub_date, "updated", &updated, NULL);
  g_assert_nonnull (pub_date);
  g_assert_nonnull (updated);
  g_assert_cmpint (g_date_time_compare (pub_date, before), >=, 0);
  g_assert_false (gorm_resource_is_dirty (post));

  /* The stored values are the ones the object got: a new object for the
   * row reads them. */
  id = gorm_resource_get_id (post);
  g_assert_finalize_object (g_steal_pointer (&post));
  post = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  g_object_get (post, "pub-date", &pub_date2, NULL);
  g_assert_true (g_date_time_equal (pub_date, pub_date2));
  g_clear_pointer (&pub_date2, g_date_time_unref);

  g_usleep (2000);
  g_object_set (post, "views", 1, NULL);
  test_save_ok (post);
  g_object_get (post, "pub-date", &pub_date2, "updated", &updated2, NULL);
  g_assert_true (g_date_time_equal (pub_date, pub_date2));
  g_assert_cmpint (g_date_time_compare (updated2, updated), >, 0);

  /* auto_now_add keeps a date the application set. */
  {
    g_autoptr(GormResource) dated = g_object_new (TEST_TYPE_POST, "database", db, "title", "Old",
                                                  "pub-date", fixed, NULL);
    g_autoptr(GDateTime) kept = NULL;

    test_save_ok (dated);
    g_object_get (dated, "pub-date", &kept, NULL);
    g_assert_true (g_date_time_equal (kept, fixed));
    g_assert_finalize_object (g_steal_pointer (&dated));
  }

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A natural primary key. */
TEST_DEFINE_RESOURCE (TestTag, test_tag)

static void
test_tag_class_init (TestTagClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_primary_key (GORM_RESOURCE_CLASS (klass), "name");
  gorm_resource_class_set_column_name (GORM_RESOURCE_CLASS (klass), "label", "display_label");
}

static void
test_natural_key (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) tag = g_object_new (test_tag_get_type (), "database", db,
                                              "name", "gnome", "label", "GNOME", NULL);
  g_autoptr(GormResource) twin = g_object_new (test_tag_get_type (), "database", db,
                                               "name", "gnome", NULL);
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) key = G_VALUE_INIT;
  g_autofree char *label = NULL;
  const GormSchema *schema = gorm_schema_lookup (test_tag_get_type (), &error);

  g_assert_no_error (error);
  g_assert_cmpuint (schema->n_columns, ==, 2);
  g_assert_cmpstr (schema->key->name, ==, "name");
  g_assert_cmpstr (gorm_schema_find_column (schema, "label")->name, ==, "display_label");
  g_assert_false (gorm_schema_has_auto_id (schema));

  test_migrate (db, test_tag_get_type ());
  test_save_ok (tag);
  g_assert_true (gorm_resource_is_saved (tag));
  g_assert_cmpint (gorm_resource_get_id (tag), ==, 0);

  g_assert_false (gorm_resource_save (twin, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);

  g_value_init (&key, G_TYPE_STRING);
  g_value_set_string (&key, "gnome");
  g_assert_finalize_object (g_steal_pointer (&tag));
  loaded = gorm_database_get_by_key (db, test_tag_get_type (), &key, NULL, &error);
  g_assert_no_error (error);
  g_object_get (loaded, "label", &label, NULL);
  g_assert_cmpstr (label, ==, "GNOME");

  /* An integer id does not fit a string key. */
  g_assert_null (gorm_database_get (db, test_tag_get_type (), 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);

  /* Renaming the key updates the row it was loaded from. */
  g_object_set (loaded, "name", "gtk", NULL);
  test_save_ok (loaded);
  g_value_set_string (&key, "gnome");
  g_assert_null (gorm_database_get_by_key (db, test_tag_get_type (), &key, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_object_set (loaded, "label", "GTK", NULL);
  test_save_ok (loaded);
  g_assert_true (gorm_resource_delete (loaded, NULL, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&twin));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Registration errors. */
TEST_DEFINE_RESOURCE (TestBadType, test_bad_type)
TEST_DEFINE_RESOURCE (TestBadMeta, test_bad_meta)
TEST_DEFINE_RESOURCE (TestBadMaxLength, test_bad_max_length)
TEST_DEFINE_RESOURCE (TestTransientObject, test_transient_object)

static void
test_bad_type_class_init (TestBadTypeClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("fine", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_object ("widget", NULL, NULL, G_TYPE_OBJECT, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
test_bad_meta_class_init (TestBadMetaClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_unique (GORM_RESOURCE_CLASS (klass), "titel");
}

static void
test_bad_max_length_class_init (TestBadMaxLengthClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int ("size", NULL, NULL, 0, 10, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_max_length (GORM_RESOURCE_CLASS (klass), "size", 3);
}

static void
test_transient_object_class_init (TestTransientObjectClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_object ("cache", NULL, NULL, G_TYPE_OBJECT, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_transient (GORM_RESOURCE_CLASS (klass), "cache");
}

static void
assert_registration_error (GormDatabase *db,
                           GType         type,
                           int           code,
                           const char   *type_name,
                           const char   *property)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) resource = g_object_new (type, "database", db, NULL);

  g_assert_false (gorm_database_migrate (db, &type, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, code);
  g_assert_nonnull (strstr (error->message, type_name));
  g_assert_nonnull (strstr (error->message, property));
  g_clear_error (&error);

  /* Saving fails the same way, and writes nothing. */
  g_assert_false (gorm_resource_save (resource, NULL, &error));
  g_assert_error (error, GORM_ERROR, code);
  g_assert_false (gorm_resource_is_saved (resource));
  g_assert_finalize_object (g_steal_pointer (&resource));
}

static void
test_registration_errors (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();

  assert_registration_error (db, test_bad_type_get_type (), GORM_ERROR_UNSUPPORTED_TYPE,
                             "TestBadType", "widget");
  assert_registration_error (db, test_bad_meta_get_type (), GORM_ERROR_UNKNOWN_PROPERTY,
                             "TestBadMeta", "titel");
  assert_registration_error (db, test_bad_max_length_get_type (), GORM_ERROR_TYPE_MISMATCH,
                             "TestBadMaxLength", "size");

  /* A transient property of any type is fine. */
  test_migrate (db, test_transient_object_get_type ());

  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_validation_error (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GString) long_title = g_string_new (NULL);
  g_autoptr(GormResource) post = NULL;
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_POST);
  log = test_log_attach (db);

  /* 200 characters of two bytes each fit; 201 do not. */
  for (guint i = 0; i < 200; i++)
    g_string_append (long_title, "é");
  post = new_post (db, long_title->str);
  test_save_ok (post);

  test_log_clear (log);
  g_string_append (long_title, "x");
  g_object_set (post, "title", long_title->str, NULL);
  g_assert_false (gorm_resource_save (post, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "TestPost:title"));
  g_assert_nonnull (strstr (error->message, "200"));
  g_assert_nonnull (strstr (error->message, "éééé"));
  g_assert_cmpuint (log->statements->len, ==, 0);
  g_assert_true (gorm_resource_is_dirty (post));
  g_clear_error (&error);

  /* A new object too: nothing inserted, no id. */
  {
    g_autoptr(GormResource) fresh = new_post (db, long_title->str);

    g_assert_false (gorm_resource_save (fresh, NULL, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
    g_assert_cmpint (gorm_resource_get_id (fresh), ==, 0);
    g_assert_finalize_object (g_steal_pointer (&fresh));
  }
  g_assert_cmpuint (log->statements->len, ==, 0);
  g_assert_cmpint (test_count_posts (db), ==, 1);

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

TEST_DEFINE_RESOURCE (TestUser, test_user)

static void
test_user_class_init (TestUserClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("email", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_unique (GORM_RESOURCE_CLASS (klass), "email");
  gorm_resource_class_set_not_null (GORM_RESOURCE_CLASS (klass), "email");
}

static void
test_constraint_errors (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  GType type = test_user_get_type ();
  g_autoptr(GormResource) alice = g_object_new (type, "database", db, "email", "a@example.org", NULL);
  g_autoptr(GormResource) mallory = g_object_new (type, "database", db, "email", "a@example.org",
                                                  "name", "Mallory", NULL);
  g_autoptr(GormResource) bob = g_object_new (type, "database", db, "email", "b@example.org", NULL);
  g_autoptr(GormResource) nobody = g_object_new (type, "database", db, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  gint64 bob_id;

  test_migrate (db, type);
  test_save_ok (alice);

  g_assert_false (gorm_resource_save (mallory, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "TestUser"));
  g_assert_nonnull (strstr (error->message, "email"));
  g_assert_false (gorm_resource_is_saved (mallory));
  g_assert_cmpint (gorm_resource_get_id (mallory), ==, 0);
  g_clear_error (&error);

  g_assert_false (gorm_resource_save (nobody, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* A failed update keeps the object's id and changes, and the row. */
  test_save_ok (bob);
  bob_id = gorm_resource_get_id (bob);
  g_object_set (bob, "email", "a@example.org", "name", "Bob", NULL);
  g_assert_false (gorm_resource_save (bob, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (gorm_resource_get_id (bob), ==, bob_id);
  g_assert_true (gorm_resource_is_saved (bob));
  g_assert_true (gorm_resource_is_dirty (bob));
  g_object_get (bob, "email", &email, NULL);
  g_assert_cmpstr (email, ==, "a@example.org");

  /* The row is unchanged. */
  g_clear_pointer (&email, g_free);
  email = test_query_text (db, "SELECT email FROM test_user WHERE name IS NULL AND id > 1");
  g_assert_cmpstr (email, ==, "b@example.org");

  /* Fixing the value lets the same object save. */
  g_object_set (bob, "email", "bob@example.org", NULL);
  test_save_ok (bob);
  g_assert_cmpint (gorm_resource_get_id (bob), ==, bob_id);

  g_assert_finalize_object (g_steal_pointer (&alice));
  g_assert_finalize_object (g_steal_pointer (&mallory));
  g_assert_finalize_object (g_steal_pointer (&bob));
  g_assert_finalize_object (g_steal_pointer (&nobody));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_busy_error (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GormDatabase) db = test_open_file (&path);
  g_autoptr(GormDatabase) other = NULL;
  g_autoptr(GormResource) post = NULL;
  g_autoptr(GormResource) blocked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = test_uri_of_file (path);
  gint64 started;

  test_migrate (db, TEST_TYPE_POST);
  post = new_post (db, "Before");
  test_save_ok (post);

  /* A second connection holds the write lock past the busy timeout. */
  other = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_database_begin (other, NULL, &error));
  g_assert_cmpint (gorm_database_execute (other, "UPDATE test_post SET views = 1", NULL, 0, NULL, &error), ==, 1);
  /* PostgreSQL locks rows, not the database: an INSERT waits for a
   * table lock, past the lock timeout. */
  if (test_engine_is_postgresql ())
    gorm_database_execute (other, "LOCK TABLE test_post IN EXCLUSIVE MODE", NULL, 0, NULL, &error);
  g_assert_no_error (error);

  blocked = new_post (db, "Blocked");
  started = g_get_monotonic_time ();
  g_assert_false (gorm_resource_save (blocked, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_BUSY);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 4 * G_USEC_PER_SEC);
  g_assert_cmpint (gorm_resource_get_id (blocked), ==, 0);
  g_assert_false (gorm_resource_is_saved (blocked));
  g_clear_error (&error);

  g_assert_true (gorm_database_rollback (other, NULL, &error));
  g_assert_no_error (error);

  /* Once the lock is gone the same object saves. */
  test_save_ok (blocked);
  g_assert_cmpint (test_count_posts (db), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&blocked));
  g_assert_finalize_object (g_steal_pointer (&other));
  g_assert_finalize_object (g_steal_pointer (&db));
  test_remove_file (path);
}

static void
test_cancelled (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Never");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  test_migrate (db, TEST_TYPE_POST);
  g_cancellable_cancel (cancellable);
  g_assert_false (gorm_resource_save (post, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gorm_resource_is_saved (post));
  g_assert_cmpint (test_count_posts (db), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_table_missing (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Nowhere");
  g_autoptr(GError) error = NULL;

  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_POST);

  /* Its first use made the table, which another program then dropped. */
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 0);
  g_clear_object (&query);
  gorm_database_execute (db, "DROP TABLE test_post", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (gorm_resource_save (post, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "TestPost"));
  g_assert_nonnull (strstr (error->message, "test_post"));

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* TestKept keeps "title" and "views" in libgorm
 * (gorm_resource_class_store_property()) and "note" itself, counting the
 * calls its get_property and set_property get; TestKeptChild adds a kept
 * "rank". */
typedef struct
{
  GormResource parent_instance;
  char        *note;
  guint        own_calls;
} TestKept;

typedef struct
{
  GormResourceClass parent_class;
} TestKeptClass;

typedef struct
{
  TestKept parent_instance;
} TestKeptChild;

typedef struct
{
  TestKeptClass parent_class;
} TestKeptChildClass;

static GType test_kept_get_type (void);
static GType test_kept_child_get_type (void);
G_DEFINE_TYPE (TestKept, test_kept, GORM_TYPE_RESOURCE)
G_DEFINE_TYPE (TestKeptChild, test_kept_child, test_kept_get_type ())

static void
test_kept_finalize (GObject *object)
{
  g_free (((TestKept *) object)->note);
  G_OBJECT_CLASS (test_kept_parent_class)->finalize (object);
}

static void
test_kept_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TestKept *self = (TestKept *) object;

  g_assert_cmpstr (pspec->name, ==, "note");
  self->own_calls++;
  g_value_set_string (value, self->note);
}

static void
test_kept_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TestKept *self = (TestKept *) object;

  g_assert_cmpstr (pspec->name, ==, "note");
  self->own_calls++;
  g_free (self->note);
  self->note = g_value_dup_string (value);
}

static void
test_kept_class_init (TestKeptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  object_class->finalize = test_kept_finalize;
  object_class->get_property = test_kept_get_property;
  object_class->set_property = test_kept_set_property;
  g_object_class_install_property (object_class, 1,
                                   g_param_spec_string ("title", NULL, NULL, "untitled",
                                                        G_PARAM_READWRITE));
  g_object_class_install_property (object_class, 2,
                                   g_param_spec_int64 ("views", NULL, NULL, 0, 1000, 3,
                                                       G_PARAM_READWRITE));
  g_object_class_install_property (object_class, 3,
                                   g_param_spec_string ("note", NULL, NULL, NULL, G_PARAM_READWRITE));
  gorm_resource_class_store_property (resource_class, "title");
  gorm_resource_class_store_property (resource_class, "views");
  /* Twice is once. */
  gorm_resource_class_store_property (resource_class, "views");
}

static void
test_kept_init (TestKept *self)
{
}

/* Installing a property needs these; they never see the kept one. */
static void
test_kept_child_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  g_assert_not_reached ();
}

static void
test_kept_child_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  g_assert_not_reached ();
}

static void
test_kept_child_class_init (TestKeptChildClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_kept_child_get_property;
  object_class->set_property = test_kept_child_set_property;
  g_object_class_install_property (object_class, 1,
                                   g_param_spec_int ("rank", NULL, NULL, -5, 5, -1, G_PARAM_READWRITE));
  gorm_resource_class_store_property (GORM_RESOURCE_CLASS (klass), "rank");
}

static void
test_kept_child_init (TestKeptChild *self)
{
}

static void
test_kept_properties (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) kept = g_object_new (test_kept_get_type (), "database", db, NULL);
  g_autoptr(GormResource) child = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *note = NULL;
  GType types[] = { test_kept_get_type (), test_kept_child_get_type () };
  gint64 views;
  gint rank;
  gint64 id;

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);

  /* Until set, a kept property has its default. */
  g_object_get (kept, "title", &title, "views", &views, NULL);
  g_assert_cmpstr (title, ==, "untitled");
  g_assert_cmpint (views, ==, 3);
  g_clear_pointer (&title, g_free);
  g_assert_cmpuint (((TestKept *) kept)->own_calls, ==, 0);

  /* Set, it notifies and makes a saved object dirty; the class's own
   * functions see only its own property. */
  test_save_ok (kept);
  /* The insert read "note". */
  g_assert_cmpuint (((TestKept *) kept)->own_calls, ==, 1);
  g_object_set (kept, "title", "Kept", "views", 7, "note", "mine", NULL);
  g_assert_true (gorm_resource_is_dirty (kept));
  g_assert_cmpuint (((TestKept *) kept)->own_calls, ==, 2);
  gorm_resource_get_value (kept, "views", &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 7);
  g_value_unset (&value);
  /* set_value() converts without loss, a gint into a gint64; a lossy
   * value is refused and changes nothing. */
  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 9);
  g_assert_true (gorm_resource_set_value (kept, "views", &value, &error));
  g_assert_no_error (error);
  g_value_unset (&value);
  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, 9.5);
  g_assert_false (gorm_resource_set_value (kept, "views", &value, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_nonnull (strstr (error->message, "views"));
  g_assert_nonnull (strstr (error->message, "9.5"));
  g_clear_error (&error);
  g_value_unset (&value);
  gorm_resource_get_value (kept, "views", &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 9);
  g_value_unset (&value);
  gorm_resource_get_value (kept, "note", &value);
  g_assert_cmpstr (g_value_get_string (&value), ==, "mine");
  g_value_unset (&value);
  g_assert_cmpuint (((TestKept *) kept)->own_calls, ==, 3);
  test_save_ok (kept);

  /* A loaded object gets its kept values from its row. */
  id = gorm_resource_get_id (kept);
  g_assert_finalize_object (g_steal_pointer (&kept));
  loaded = gorm_database_get (db, test_kept_get_type (), id, NULL, &error);
  g_assert_no_error (error);
  g_object_get (loaded, "title", &title, "views", &views, "note", &note, NULL);
  g_assert_cmpstr (title, ==, "Kept");
  g_assert_cmpint (views, ==, 9);
  g_assert_cmpstr (note, ==, "mine");
  g_clear_pointer (&title, g_free);

  /* A subclass keeps its own properties and its parent's. */
  child = g_object_new (test_kept_child_get_type (), "database", db, "rank", 4, "title", "Child", NULL);
  g_object_get (child, "rank", &rank, "views", &views, "title", &title, NULL);
  g_assert_cmpint (rank, ==, 4);
  g_assert_cmpint (views, ==, 3);
  g_assert_cmpstr (title, ==, "Child");
  test_save_ok (child);

  /* Only a property of the class's own can be kept. */
  g_test_expect_message ("Gorm", G_LOG_LEVEL_CRITICAL, "*has no property “title” of its own*");
  gorm_resource_class_store_property (g_type_class_peek (test_kept_child_get_type ()), "title");
  g_test_assert_expected_messages ();
  g_test_expect_message ("Gorm", G_LOG_LEVEL_CRITICAL, "*has no property “nope” of its own*");
  gorm_resource_class_store_property (g_type_class_peek (test_kept_get_type ()), "nope");
  g_test_assert_expected_messages ();

  g_assert_finalize_object (g_steal_pointer (&child));
  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* TestTitled stores "title" itself; TestRetitled overrides it
 * (g_object_class_override_property()) and keeps it in its own field,
 * counting the calls its get_property and set_property get: a save
 * reads the override. */
typedef struct
{
  GormResource parent_instance;
  char        *title;
} TestTitled;

typedef struct
{
  GormResourceClass parent_class;
} TestTitledClass;

typedef struct
{
  TestTitled parent_instance;
  char      *own_title;
  guint      own_calls;
} TestRetitled;

typedef struct
{
  TestTitledClass parent_class;
} TestRetitledClass;

static GType test_titled_get_type (void);
static GType test_retitled_get_type (void);
G_DEFINE_TYPE (TestTitled, test_titled, GORM_TYPE_RESOURCE)
G_DEFINE_TYPE (TestRetitled, test_retitled, test_titled_get_type ())

static void
test_titled_finalize (GObject *object)
{
  g_free (((TestTitled *) object)->title);
  G_OBJECT_CLASS (test_titled_parent_class)->finalize (object);
}

static void
test_titled_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  g_value_set_string (value, ((TestTitled *) object)->title);
}

static void
test_titled_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TestTitled *self = (TestTitled *) object;

  g_free (self->title);
  self->title = g_value_dup_string (value);
}

static void
test_titled_class_init (TestTitledClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = test_titled_finalize;
  object_class->get_property = test_titled_get_property;
  object_class->set_property = test_titled_set_property;
  g_object_class_install_property (object_class, 1,
                                   g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE));
}

static void
test_titled_init (TestTitled *self)
{
}

static void
test_retitled_finalize (GObject *object)
{
  g_free (((TestRetitled *) object)->own_title);
  G_OBJECT_CLASS (test_retitled_parent_class)->finalize (object);
}

/* As GObject calls them for an overridden property: with the id the
 * class gave its override, and the parent's param spec it redirects to. */
static void
test_retitled_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TestRetitled *self = (TestRetitled *) object;

  g_assert_cmpuint (prop_id, ==, 7);
  g_assert_false (G_IS_PARAM_SPEC_OVERRIDE (pspec));
  g_assert_true (pspec->owner_type == test_titled_get_type ());
  self->own_calls++;
  g_value_set_string (value, self->own_title);
}

static void
test_retitled_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TestRetitled *self = (TestRetitled *) object;

  g_assert_cmpuint (prop_id, ==, 7);
  g_assert_false (G_IS_PARAM_SPEC_OVERRIDE (pspec));
  self->own_calls++;
  g_free (self->own_title);
  self->own_title = g_value_dup_string (value);
}

static void
test_retitled_class_init (TestRetitledClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = test_retitled_finalize;
  object_class->get_property = test_retitled_get_property;
  object_class->set_property = test_retitled_set_property;
  g_object_class_override_property (object_class, 7, "title");
}

static void
test_retitled_init (TestRetitled *self)
{
}

static void
test_overridden_property (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) retitled = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  GType types[] = { test_retitled_get_type () };

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);

  /* The insert and the update read the override's value, through the
   * subclass's get_property, as g_object_get_property() would. */
  retitled = g_object_new (test_retitled_get_type (), "database", db, "title", "Over", NULL);
  g_assert_cmpuint (((TestRetitled *) retitled)->own_calls, ==, 1);
  test_save_ok (retitled);
  g_assert_cmpuint (((TestRetitled *) retitled)->own_calls, ==, 2);
  g_assert_null (((TestTitled *) retitled)->title);
  g_object_set (retitled, "title", "Overridden", NULL);
  test_save_ok (retitled);
  g_assert_cmpuint (((TestRetitled *) retitled)->own_calls, >=, 4);
  g_assert_null (((TestTitled *) retitled)->title);

  /* The row holds the override's value, the parent's field none. */
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "Overridden");
  query = gorm_database_query (db, test_retitled_get_type ());
  gorm_query_filter (query, gorm_filter_eq ("title", &value));
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&retitled));
  g_assert_finalize_object (g_steal_pointer (&query));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* Loading a row into TestRetitled, and reloading it after the row
 * changed, sets the override (the subclass's set_property, with the id
 * of its override) and never the parent's field. */
static void
test_overridden_property_load (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) retitled = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GType types[] = { test_retitled_get_type () };
  gint64 id;
  guint calls;

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  retitled = g_object_new (test_retitled_get_type (), "database", db, "title", "Stored", NULL);
  test_save_ok (retitled);
  id = gorm_resource_get_id (retitled);
  g_assert_finalize_object (g_steal_pointer (&retitled));

  /* A new object built from the row. */
  loaded = gorm_database_get (db, test_retitled_get_type (), id, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (((TestRetitled *) loaded)->own_title, ==, "Stored");
  g_assert_null (((TestTitled *) loaded)->title);
  g_assert_false (gorm_resource_is_dirty (loaded));

  /* A live object given the row's new value. */
  g_assert_cmpint (gorm_database_execute (db, "UPDATE test_retitled SET title = 'Changed'",
                                          NULL, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  calls = ((TestRetitled *) loaded)->own_calls;
  g_assert_true (gorm_resource_reload (loaded, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (((TestRetitled *) loaded)->own_calls, >, calls);
  g_assert_cmpstr (((TestRetitled *) loaded)->own_title, ==, "Changed");
  g_assert_null (((TestTitled *) loaded)->title);
  g_assert_false (gorm_resource_is_dirty (loaded));

  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* What libgorm notifies of GormResource's own properties, counted in the
 * thread the test runs in, which is the databases' main context. */
typedef struct
{
  GThread *thread;
  guint    id;
  guint    database;
} Notified;

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  Notified *notified = user_data;

  g_assert_true (g_thread_self () == notified->thread);
  if (g_str_equal (pspec->name, "id"))
    notified->id++;
  else if (g_str_equal (pspec->name, "database"))
    notified->database++;
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_row_state_notifications (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_POST, "title", "Default", NULL);
  g_autoptr(GormResource) other = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Notified notified = { g_thread_self (), 0, 0 };
  gint64 id;

  test_migrate (db, TEST_TYPE_POST);
  gorm_database_set_default (db);
  g_signal_connect (post, "notify", G_CALLBACK (count_notify_cb), &notified);

  /* The first save gives an object of the default database its database
   * and its id, notifying each once. */
  test_save_ok (post);
  g_assert_true (gorm_resource_get_database (post) == db);
  g_assert_cmpuint (notified.database, ==, 1);
  g_assert_cmpuint (notified.id, ==, 1);

  /* An update changes neither. */
  g_object_set (post, "views", 4, NULL);
  test_save_ok (post);
  g_assert_cmpuint (notified.database, ==, 1);
  g_assert_cmpuint (notified.id, ==, 1);

  /* A delete sets the id back to 0, notified; a failed delete notifies
   * nothing. */
  id = gorm_resource_get_id (post);
  g_assert_true (gorm_resource_delete (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gorm_resource_get_id (post), ==, 0);
  g_assert_cmpuint (notified.id, ==, 2);
  g_assert_false (gorm_resource_delete (post, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (notified.id, ==, 2);
  g_assert_cmpint (gorm_database_get_n_live (db), ==, 0);
  g_assert_null (gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* An async save runs on the worker: the new id is there at once, its
   * notification comes in the main context (count_notify_cb checks the
   * thread), before the callback. */
  gorm_resource_save_async (post, NULL, save_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gorm_resource_save_finish (post, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (gorm_resource_get_id (post), >, id);
  g_assert_cmpuint (notified.id, ==, 3);
  g_assert_cmpuint (notified.database, ==, 1);

  /* A failed save notifies nothing and leaves the object as it was. */
  other = g_object_new (TEST_TYPE_POST, "title", NULL, NULL);
  g_signal_connect (other, "notify", G_CALLBACK (count_notify_cb), &notified);
  g_assert_false (gorm_resource_save (other, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (gorm_resource_is_saved (other));
  g_assert_null (gorm_resource_get_database (other));
  g_assert_cmpint (gorm_resource_get_id (other), ==, 0);
  g_assert_cmpuint (notified.id, ==, 3);
  g_assert_cmpuint (notified.database, ==, 1);

  /* A loaded object is the live object of its row, and is found again. */
  g_assert_cmpint (gorm_database_get_n_live (db), ==, 1);
  loaded = gorm_database_get (db, TEST_TYPE_POST, gorm_resource_get_id (post), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (loaded == post);

  gorm_database_set_default (NULL);
  g_clear_object (&loaded);
  g_assert_finalize_object (g_steal_pointer (&other));
  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_cmpint (gorm_database_get_n_live (db), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A saved object given another database leaves the identity map of the
 * first: that database no longer finds it (and never a freed object once
 * it is gone), and loads its row into a new object. */
static void
test_moved_to_another_database (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormDatabase) other = test_open_memory ();
  g_autoptr(GormResource) post = new_post (db, "Moving");
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gint64 id;

  test_migrate (db, TEST_TYPE_POST);
  test_migrate (other, TEST_TYPE_POST);
  test_save_ok (post);
  id = gorm_resource_get_id (post);
  g_assert_cmpint (gorm_database_get_n_live (db), ==, 1);

  g_object_set (post, "database", other, NULL);
  g_assert_true (gorm_resource_get_database (post) == other);
  g_assert_cmpint (gorm_database_get_n_live (db), ==, 0);
  g_assert_cmpint (gorm_database_get_n_live (other), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&post));

  loaded = gorm_database_get (db, TEST_TYPE_POST, id, NULL, &error);
  g_assert_no_error (error);
  g_object_get (loaded, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "Moving");
  g_assert_true (gorm_resource_get_database (loaded) == db);
  g_assert_cmpint (gorm_database_get_n_live (db), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&db));
  g_assert_finalize_object (g_steal_pointer (&other));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Resource/insert", test_insert);
  g_test_add_func ("/Gorm/Resource/insert-sends-one-statement", test_insert_sends_one_statement);
  g_test_add_func ("/Gorm/Resource/given-id", test_given_id);
  g_test_add_func ("/Gorm/Resource/given-id-rollback-and-bulk", test_given_id_rollback_and_bulk);
  g_test_add_func ("/Gorm/Resource/update-writes-changed-columns", test_update_writes_changed_columns);
  g_test_add_func ("/Gorm/Resource/unchanged-save-runs-nothing", test_unchanged_save_runs_nothing);
  g_test_add_func ("/Gorm/Resource/defaults", test_defaults);
  g_test_add_func ("/Gorm/Resource/explicit-notify", test_explicit_notify);
  g_test_add_func ("/Gorm/Resource/delete", test_delete);
  g_test_add_func ("/Gorm/Resource/reload", test_reload);
  g_test_add_func ("/Gorm/Resource/auto-timestamps", test_auto_timestamps);
  g_test_add_func ("/Gorm/Resource/natural-key", test_natural_key);
  g_test_add_func ("/Gorm/Resource/registration-errors", test_registration_errors);
  g_test_add_func ("/Gorm/Resource/validation-error", test_validation_error);
  g_test_add_func ("/Gorm/Resource/constraint-errors", test_constraint_errors);
  g_test_add_func ("/Gorm/Resource/busy-error", test_busy_error);
  g_test_add_func ("/Gorm/Resource/cancelled", test_cancelled);
  g_test_add_func ("/Gorm/Resource/table-missing", test_table_missing);
  g_test_add_func ("/Gorm/Resource/kept-properties", test_kept_properties);
  g_test_add_func ("/Gorm/Resource/overridden-property", test_overridden_property);
  g_test_add_func ("/Gorm/Resource/overridden-property-load", test_overridden_property_load);
  g_test_add_func ("/Gorm/Resource/row-state-notifications", test_row_state_notifications);
  g_test_add_func ("/Gorm/Resource/moved-to-another-database", test_moved_to_another_database);

  return g_test_run ();
}
