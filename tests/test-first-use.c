/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-test-utils.h"

/*
 * Tables on first use: a type never migrated on a database is migrated
 * there by its first use (save, get, query, count, watch, bulk, links),
 * the tables it refers to first; a rollback forgets it; a table the type
 * does not match is refused as gorm_database_migrate() refuses it.
 */

TEST_DEFINE_RESOURCE (TestShelf, test_shelf)
#define TEST_TYPE_SHELF (test_shelf_get_type ())
TEST_DEFINE_RESOURCE (TestBook, test_book)
#define TEST_TYPE_BOOK (test_book_get_type ())
TEST_DEFINE_RESOURCE (TestLabel, test_label)
#define TEST_TYPE_LABEL (test_label_get_type ())
/* Stored in the table "refused", whose "size" column holds text. */
TEST_DEFINE_RESOURCE (TestRefused, test_refused)
#define TEST_TYPE_REFUSED (test_refused_get_type ())

static void
test_shelf_class_init (TestShelfClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
test_label_class_init (TestLabelClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("text", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
test_book_class_init (TestBookClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("shelf-id", NULL, NULL, 0, G_MAXINT64, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_nullable (GORM_RESOURCE_CLASS (klass), "shelf-id");
  gorm_resource_class_set_foreign_key (GORM_RESOURCE_CLASS (klass), "shelf-id",
                                       TEST_TYPE_SHELF, GORM_ON_DELETE_CASCADE);
  gorm_resource_class_add_many_to_many (GORM_RESOURCE_CLASS (klass), "labels",
                                        TEST_TYPE_LABEL);
}

static void
test_refused_class_init (TestRefusedClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int ("size", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "refused");
}

/* Whether @table exists on @db, from the engine's catalog. */
static gboolean
table_exists (GormDatabase *db,
              const char   *table)
{
  g_autofree char *sql = test_engine_is_postgresql ()
    ? g_strdup_printf ("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_schema = current_schema() AND table_name = '%s'", table)
    : g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                       table);
  g_autofree char *count = test_query_text (db, sql);

  return g_strcmp0 (count, "0") != 0;
}

static GormResource *
new_book (GormDatabase *db,
          const char   *title)
{
  GormResource *book = g_object_new (TEST_TYPE_BOOK, "database", db, "title", title, NULL);

  /* On no shelf. */
  g_assert_true (gorm_resource_set_null (book, "shelf-id", NULL));
  return book;
}

static gint64
count_of (GormDatabase *db,
          GType         type)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, type);
  g_autoptr(GError) error = NULL;
  gint64 count = gorm_query_count (query, NULL, &error);

  g_assert_no_error (error);
  return count;
}

static void
test_save_migrates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) book = new_book (db, "Dune");
  g_autoptr(GormResource) again = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  g_assert_false (gorm_database_is_migrated (db, TEST_TYPE_BOOK));
  g_assert_false (table_exists (db, "test_book"));
  test_save_ok (book);
  /* The table it refers to and its link table came first. */
  g_assert_true (gorm_database_is_migrated (db, TEST_TYPE_BOOK));
  g_assert_true (table_exists (db, "test_book"));
  g_assert_true (table_exists (db, "test_shelf"));
  g_assert_true (table_exists (db, "test_label"));

  g_object_get (book, "id", &id, NULL);
  g_assert_true (gorm_resource_delete (book, NULL, &error));
  g_assert_no_error (error);
  again = gorm_database_get (db, TEST_TYPE_BOOK, id, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_assert_null (again);
}

static void
test_get_migrates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  gpointer shelf = gorm_database_get (db, TEST_TYPE_SHELF, 1, NULL, &error);

  /* The table is there, empty. */
  g_assert_error (error, GORM_ERROR, GORM_ERROR_NOT_FOUND);
  g_assert_null (shelf);
  g_assert_true (table_exists (db, "test_shelf"));
  g_assert_false (table_exists (db, "test_book"));
}

static void
test_query_migrates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) exists = gorm_database_query (db, TEST_TYPE_LABEL);
  g_autoptr(GormQuery) fetch = NULL;
  g_autoptr(GListModel) books = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (count_of (db, TEST_TYPE_SHELF), ==, 0);
  g_assert_true (table_exists (db, "test_shelf"));
  g_assert_false (gorm_query_exists (exists, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (table_exists (db, "test_label"));

  fetch = gorm_database_query (db, TEST_TYPE_BOOK);
  books = gorm_query_fetch (fetch, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (books), ==, 0);
  g_assert_true (table_exists (db, "test_book"));
}

static void
test_watch_migrates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_SHELF);
  g_autoptr(GListModel) live = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) shelf = NULL;

  live = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (live);
  g_assert_true (table_exists (db, "test_shelf"));

  shelf = g_object_new (TEST_TYPE_SHELF, "database", db, "name", "top", NULL);
  test_save_ok (shelf);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 1);
}

static void
test_bulk_migrates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) first = g_object_new (TEST_TYPE_LABEL, "database", db, "text", "a", NULL);
  g_autoptr(GormResource) second = g_object_new (TEST_TYPE_LABEL, "database", db, "text", "b", NULL);
  GormResource *labels[] = { first, second };
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_bulk_insert (db, labels, G_N_ELEMENTS (labels), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_of (db, TEST_TYPE_LABEL), ==, 2);
}

/* Links (the link table) right after the first saves. */
static void
test_link_migrates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) book = new_book (db, "Emma");
  g_autoptr(GormResource) label = g_object_new (TEST_TYPE_LABEL, "database", db, "text", "x", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GormQuery) labels = NULL;

  test_save_ok (label);
  test_save_ok (book);
  g_assert_true (gorm_resource_link (book, "labels", label, NULL, &error));
  g_assert_no_error (error);
  labels = gorm_resource_query_related (book, "labels");
  g_assert_cmpint (gorm_query_count (labels, NULL, &error), ==, 1);
  g_assert_no_error (error);
}

static void
test_rollback_forgets (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) inside = g_object_new (TEST_TYPE_SHELF, "database", db, "name", "a", NULL);
  g_autoptr(GormResource) after = g_object_new (TEST_TYPE_SHELF, "database", db, "name", "b", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  g_assert_no_error (error);
  test_save_ok (inside);
  g_assert_true (gorm_database_is_migrated (db, TEST_TYPE_SHELF));
  g_assert_true (gorm_database_rollback (db, NULL, &error));
  g_assert_no_error (error);

  /* The table went with the transaction, and libgorm knows it. */
  g_assert_false (gorm_database_is_migrated (db, TEST_TYPE_SHELF));
  g_assert_false (table_exists (db, "test_shelf"));

  /* The next use migrates again. */
  test_save_ok (after);
  g_assert_true (table_exists (db, "test_shelf"));
  g_assert_cmpint (count_of (db, TEST_TYPE_SHELF), ==, 1);
}

static void
test_commit_keeps (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) shelf = g_object_new (TEST_TYPE_SHELF, "database", db, "name", "a", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (shelf);
  g_assert_true (gorm_database_commit (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_database_is_migrated (db, TEST_TYPE_SHELF));
  g_assert_cmpint (count_of (db, TEST_TYPE_SHELF), ==, 1);
}

/* A table "refused" whose "size" holds text, which TestRefused's
 * integer does not match: a row holds "large", which no integer is. */
static void
create_refused_table (GormDatabase *db)
{
  g_autoptr(GError) error = NULL;

  gorm_database_execute (db, "CREATE TABLE refused (id INTEGER PRIMARY KEY, size TEXT)",
                         NULL, 0, NULL, &error);
  g_assert_no_error (error);
  gorm_database_execute (db, "INSERT INTO refused (id, size) VALUES (1, 'large')", NULL, 0, NULL,
                         &error);
  g_assert_no_error (error);
}

static void
test_refusal_reaches_caller (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) refused = NULL;
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) migrate_error = NULL;
  GType types[] = { TEST_TYPE_REFUSED };
  gint64 count;

  create_refused_table (db);
  g_assert_false (gorm_database_migrate (db, types, 1, NULL, &migrate_error));
  g_assert_error (migrate_error, GORM_ERROR, GORM_ERROR_MIGRATION);

  refused = g_object_new (TEST_TYPE_REFUSED, "database", db, "size", 3, NULL);
  g_assert_false (gorm_resource_save (refused, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  /* The message migrate gives. */
  g_assert_cmpstr (error->message, ==, migrate_error->message);
  g_assert_nonnull (strstr (error->message, "size"));
  g_clear_error (&error);

  query = gorm_database_query (db, TEST_TYPE_REFUSED);
  count = gorm_query_count (query, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_assert_cmpint (count, ==, -1);
  g_assert_false (gorm_database_is_migrated (db, TEST_TYPE_REFUSED));
}

/* Asynchronous calls */

typedef struct
{
  GAsyncResult *result;
} Call;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Call *call = data;

  call->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Call *call)
{
  while (call->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return call->result;
}

static void
test_async_migrates (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) book = new_book (db, "Ulysses");
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_SHELF);
  g_autoptr(GError) error = NULL;
  Call save = { NULL }, count = { NULL };

  gorm_resource_save_async (book, NULL, done_cb, &save);
  g_assert_true (gorm_resource_save_finish (book, wait_for (&save), &error));
  g_assert_no_error (error);
  g_assert_true (table_exists (db, "test_book"));

  gorm_query_count_async (query, NULL, done_cb, &count);
  g_assert_cmpint (gorm_query_count_finish (query, wait_for (&count), &error), ==, 0);
  g_assert_no_error (error);

  g_object_unref (save.result);
  g_object_unref (count.result);
}

static void
test_async_refusal (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_REFUSED);
  g_autoptr(GError) error = NULL;
  Call count = { NULL };

  create_refused_table (db);
  gorm_query_count_async (query, NULL, done_cb, &count);
  g_assert_cmpint (gorm_query_count_finish (query, wait_for (&count), &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
  g_object_unref (count.result);
}

/* Concurrency
 * -----------
 * A first use reads what differs, then begins its transaction and reads
 * again: what another connection changed in between is what it applies.
 * The other connection acts from the first connection's trace of its
 * BEGIN, before the BEGIN runs (deterministic: the first use holds no
 * lock of the engine then). */

typedef struct
{
  /* A new database opened twice: @db, whose first use is watched, and
   * @other, which runs @sql or migrates @migrate at @db's first BEGIN. */
  char         *path;
  GormDatabase *db;
  GormDatabase *other;
  const char   *sql;
  GType         migrate;
  gboolean      fired;
  /* The statements @db ran after that BEGIN. */
  GPtrArray    *after;
} BeforeBegin;

static void
before_begin_cb (const char *sql,
                 gpointer    user_data)
{
  BeforeBegin *hook = user_data;
  g_autoptr(GError) error = NULL;

  if (hook->fired)
    {
      g_ptr_array_add (hook->after, g_strdup (sql));
      return;
    }
  if (!g_str_has_prefix (sql, "BEGIN"))
    return;
  hook->fired = TRUE;
  if (hook->sql != NULL)
    gorm_database_execute (hook->other, hook->sql, NULL, 0, NULL, &error);
  else
    gorm_database_migrate (hook->other, &hook->migrate, 1, NULL, &error);
  g_assert_no_error (error);
}

static void
hook_open (BeforeBegin *hook)
{
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;

  hook->db = test_open_file (&hook->path);
  uri = test_uri_of_file (hook->path);
  hook->other = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  hook->after = g_ptr_array_new_with_free_func (g_free);
}

static void
hook_close (BeforeBegin *hook)
{
  g_ptr_array_unref (hook->after);
  g_object_unref (hook->other);
  g_object_unref (hook->db);
  test_remove_file (hook->path);
  g_free (hook->path);
}

/* The rows of @type on @hook's db, counted while the hook acts. */
static gint64
count_hooked (BeforeBegin  *hook,
              GType         type,
              GError      **error)
{
  g_autoptr(GormQuery) query = gorm_database_query (hook->db, type);
  gint64 count;

  gorm_database_set_trace_func (hook->db, before_begin_cb, hook);
  count = gorm_query_count (query, NULL, error);
  gorm_database_set_trace_func (hook->db, NULL, NULL);
  g_assert_true (hook->fired);
  return count;
}

static gboolean
logged (GPtrArray  *statements,
        const char *prefix)
{
  for (guint i = 0; i < statements->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (statements, i), prefix))
      return TRUE;
  return FALSE;
}

/* The first reading wants a column added (no rebuild); then another
 * connection adds a column the model does not have, which SQLite drops
 * by rebuilding the table. The rebuild needs SQLite's foreign keys off,
 * which the open transaction cannot do: with them on, dropping the old
 * "test_shelf" would delete the books on it (ON DELETE CASCADE). So the
 * first use fails, changing nothing, and the next one migrates with the
 * foreign keys off. PostgreSQL alters the table in the transaction. */
static void
test_rebuild_after_first_reading (void)
{
  BeforeBegin hook = { .sql = "ALTER TABLE test_shelf ADD COLUMN extra TEXT" };
  g_autoptr(GError) error = NULL;
  g_autofree char *books = NULL;
  g_autofree char *extra = NULL;
  GType types[] = { TEST_TYPE_BOOK };
  static const char * const setup[] = {
    "INSERT INTO test_shelf (id, name) VALUES (1, 'top')",
    "INSERT INTO test_book (id, title, shelf_id) VALUES (1, 'Dune', 1)",
    "ALTER TABLE test_shelf DROP COLUMN name",
  };
  gint64 count;

  hook_open (&hook);
  g_assert_true (gorm_database_migrate (hook.other, types, 1, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (setup); i++)
    {
      gorm_database_execute (hook.other, setup[i], NULL, 0, NULL, &error);
      g_assert_no_error (error);
    }

  count = count_hooked (&hook, TEST_TYPE_SHELF, &error);
  if (test_engine_is_postgresql ())
    {
      /* The second reading: "extra" dropped, "name" added. */
      g_assert_no_error (error);
      g_assert_cmpint (count, ==, 1);
      g_assert_true (gorm_database_is_migrated (hook.db, TEST_TYPE_SHELF));
      g_assert_true (logged (hook.after, "ALTER TABLE \"test_shelf\" DROP COLUMN \"extra\""));
    }
  else
    {
      g_assert_error (error, GORM_ERROR, GORM_ERROR_MIGRATION);
      g_assert_nonnull (strstr (error->message, "“test_shelf” needs a rebuild"));
      g_assert_cmpint (count, ==, -1);
      g_assert_false (gorm_database_is_migrated (hook.db, TEST_TYPE_SHELF));
      /* Nothing ran after the BEGIN but the readings and the ROLLBACK. */
      g_assert_false (logged (hook.after, "CREATE"));
      g_assert_false (logged (hook.after, "DROP"));
      g_assert_false (logged (hook.after, "ALTER"));
      g_assert_true (logged (hook.after, "ROLLBACK"));
      extra = test_query_text (hook.other, "SELECT count(extra) FROM test_shelf");
      g_assert_cmpstr (extra, ==, "0");

      /* The next use reads the rebuild first, and makes it. */
      g_assert_cmpint (count_of (hook.db, TEST_TYPE_SHELF), ==, 1);
      g_assert_true (gorm_database_is_migrated (hook.db, TEST_TYPE_SHELF));
    }

  /* The book is still on its shelf. */
  books = test_query_text (hook.other, "SELECT count(*) FROM test_book WHERE shelf_id = 1");
  g_assert_cmpstr (books, ==, "1");
  g_clear_pointer (&books, g_free);
  books = test_query_text (hook.db, "SELECT count(*) FROM test_shelf WHERE name IS NULL");
  g_assert_cmpstr (books, ==, "1");
  hook_close (&hook);
}

/* Another connection migrates the type between the first reading and the
 * BEGIN: the second reading finds the table, nothing is created twice. */
static void
test_migrated_meanwhile (void)
{
  BeforeBegin hook = { .migrate = TEST_TYPE_BOOK };
  g_autoptr(GError) error = NULL;

  hook_open (&hook);
  g_assert_false (table_exists (hook.db, "test_book"));
  g_assert_cmpint (count_hooked (&hook, TEST_TYPE_BOOK, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (gorm_database_is_migrated (hook.db, TEST_TYPE_BOOK));
  g_assert_false (logged (hook.after, "CREATE"));
  g_assert_true (logged (hook.after, "COMMIT"));
  g_assert_true (table_exists (hook.db, "test_book_labels"));
  hook_close (&hook);
}

typedef struct
{
  GormDatabase *db;
  GMutex        lock;
  GCond         cond;
  gboolean      go;
} Start;

static gpointer
count_books_thread (gpointer data)
{
  Start *start = data;
  g_autoptr(GormQuery) query = gorm_database_query (start->db, TEST_TYPE_BOOK);
  g_autoptr(GError) error = NULL;
  gint64 count;

  g_mutex_lock (&start->lock);
  while (!start->go)
    g_cond_wait (&start->cond, &start->lock);
  g_mutex_unlock (&start->lock);

  count = gorm_query_count (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 0);
  return NULL;
}

/* Threads using a type first at once: one migrates it, once, and every
 * one of them finds its tables. */
static void
test_threads_at_once (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(TestLog) log = test_log_attach (db);
  Start start = { db };
  GThread *threads[4];

  g_mutex_init (&start.lock);
  g_cond_init (&start.cond);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("first-use", count_books_thread, &start);
  g_mutex_lock (&start.lock);
  start.go = TRUE;
  g_cond_broadcast (&start.cond);
  g_mutex_unlock (&start.lock);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&start.lock);
  g_cond_clear (&start.cond);

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_true (gorm_database_is_migrated (db, TEST_TYPE_BOOK));
  g_assert_cmpuint (test_log_count (log, "CREATE TABLE \"test_book\""), ==, 1);
  g_assert_cmpuint (test_log_count (log, "CREATE TABLE \"test_shelf\""), ==, 1);
  g_assert_cmpint (count_of (db, TEST_TYPE_BOOK), ==, 0);
}

typedef struct
{
  GormDatabase *db;
  GormDatabase *other;
  GormDatabase *watcher;
  GThread      *thread;
} AtOnce;

static gpointer
count_books_on_other_thread (gpointer data)
{
  AtOnce *at_once = data;
  g_autoptr(GormQuery) query = gorm_database_query (at_once->other, TEST_TYPE_BOOK);
  g_autoptr(GError) error = NULL;
  gint64 count = gorm_query_count (query, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 0);
  return NULL;
}

/* At @db's first CREATE, in its migration's transaction: the other
 * connection makes its own first use of the type, and @db goes on only
 * once that one waits (PostgreSQL: for a lock; SQLite: its BEGIN
 * IMMEDIATE waits on @db's, and a moment is given to it). */
static void
create_starts_other_cb (const char *sql,
                        gpointer    user_data)
{
  AtOnce *at_once = user_data;

  if (at_once->thread != NULL || !g_str_has_prefix (sql, "CREATE TABLE"))
    return;
  at_once->thread = g_thread_new ("other-first-use", count_books_on_other_thread, at_once);
  if (test_engine_is_postgresql ())
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      while (g_get_monotonic_time () < deadline)
        {
          g_autofree char *waiting =
            test_query_text (at_once->watcher, "SELECT count(*) FROM pg_locks WHERE NOT granted");

          if (g_strcmp0 (waiting, "0") != 0)
            return;
          g_usleep (10000);
        }
      /* The other connection never waited: it migrated at the same time,
       * and the checks after the first uses say what went wrong. */
    }
  else
    g_usleep (200000);
}

/* Two connections (two programs, for the engine) using a new type first
 * at the same moment: the second waits for the first's migration to end,
 * reads the tables again and finds nothing to do. Without that wait, on
 * PostgreSQL both found the tables missing and the second CREATE failed
 * once the first committed. */
static void
test_connections_at_once (void)
{
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  AtOnce at_once = { NULL };
  gint64 count;

  at_once.db = test_open_file (&path);
  uri = test_uri_of_file (path);
  at_once.other = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);
  at_once.watcher = gorm_database_open (uri, NULL, &error);
  g_assert_no_error (error);

  gorm_database_set_trace_func (at_once.db, create_starts_other_cb, &at_once);
  count = count_of (at_once.db, TEST_TYPE_BOOK);
  gorm_database_set_trace_func (at_once.db, NULL, NULL);
  g_assert_cmpint (count, ==, 0);
  g_assert_nonnull (at_once.thread);
  g_thread_join (at_once.thread);

  g_assert_true (gorm_database_is_migrated (at_once.other, TEST_TYPE_BOOK));
  g_assert_cmpint (count_of (at_once.other, TEST_TYPE_BOOK), ==, 0);
  g_object_unref (at_once.watcher);
  g_object_unref (at_once.other);
  g_object_unref (at_once.db);
  test_remove_file (path);
}

/* A transaction in which a first use migrated, ended by a failure: its
 * COMMIT, or the RELEASE of the savepoint of another first use in it
 * (the engine then ended the whole transaction, and that save fails).
 * The tables went with it, and libgorm knows it. (Types without
 * relations: a first use migrates the types related to its own too.) */
typedef struct
{
  const char *prefix;
  GormError   code;
} Fault;

static void
test_failure_forgets (gconstpointer data)
{
  const Fault *fault = data;
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) refused = g_object_new (TEST_TYPE_REFUSED, "database", db, "size", 3, NULL);
  g_autoptr(GormResource) shelf = g_object_new (TEST_TYPE_SHELF, "database", db, "name", "a", NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_assert_true (gorm_database_begin (db, NULL, &error));
  test_save_ok (refused);
  g_assert_true (gorm_database_is_migrated (db, TEST_TYPE_REFUSED));
  gorm_connection_inject_fault (gorm_database_get_execution (db), fault->prefix, fault->code);
  if (g_str_equal (fault->prefix, "COMMIT"))
    ok = gorm_database_commit (db, NULL, &error);
  else
    ok = gorm_resource_save (shelf, NULL, &error);
  g_assert_false (ok);
  g_assert_error (error, GORM_ERROR, (gint) fault->code);
  g_clear_error (&error);
  g_assert_cmpuint (gorm_database_get_transaction_depth (db), ==, 0);
  g_assert_false (gorm_resource_is_saved (shelf));

  g_assert_false (gorm_database_is_migrated (db, TEST_TYPE_SHELF));
  g_assert_false (gorm_database_is_migrated (db, TEST_TYPE_REFUSED));
  g_assert_false (table_exists (db, "test_shelf"));
  g_assert_false (table_exists (db, "refused"));

  /* Outside a transaction now: both migrate again. */
  test_save_ok (shelf);
  g_assert_cmpint (count_of (db, TEST_TYPE_SHELF), ==, 1);
  g_assert_cmpint (count_of (db, TEST_TYPE_REFUSED), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  static const Fault commit_fault = { "COMMIT", GORM_ERROR_FULL };
  static const Fault release_fault = { "RELEASE", GORM_ERROR_FAILED };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/FirstUse/save", test_save_migrates);
  g_test_add_func ("/Gorm/FirstUse/get", test_get_migrates);
  g_test_add_func ("/Gorm/FirstUse/query", test_query_migrates);
  g_test_add_func ("/Gorm/FirstUse/watch", test_watch_migrates);
  g_test_add_func ("/Gorm/FirstUse/bulk", test_bulk_migrates);
  g_test_add_func ("/Gorm/FirstUse/link", test_link_migrates);
  g_test_add_func ("/Gorm/FirstUse/rollback-forgets", test_rollback_forgets);
  g_test_add_func ("/Gorm/FirstUse/commit-keeps", test_commit_keeps);
  g_test_add_func ("/Gorm/FirstUse/refusal", test_refusal_reaches_caller);
  g_test_add_func ("/Gorm/FirstUse/async", test_async_migrates);
  g_test_add_func ("/Gorm/FirstUse/async-refusal", test_async_refusal);
  g_test_add_func ("/Gorm/FirstUse/rebuild-after-first-reading", test_rebuild_after_first_reading);
  g_test_add_func ("/Gorm/FirstUse/migrated-meanwhile", test_migrated_meanwhile);
  g_test_add_func ("/Gorm/FirstUse/threads-at-once", test_threads_at_once);
  g_test_add_func ("/Gorm/FirstUse/connections-at-once", test_connections_at_once);
  g_test_add_data_func ("/Gorm/FirstUse/failed-commit-forgets", &commit_fault,
                        test_failure_forgets);
  g_test_add_data_func ("/Gorm/FirstUse/failed-release-forgets", &release_fault,
                        test_failure_forgets);

  return g_test_run ();
}
