/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gorm.h>
#include <libgda/libgda.h>

#include "gorm-database-private.h"

/* libgda 5 declares no g_autoptr() cleanups of its own; the tests read
 * the database with plain libgda to check what libgorm wrote. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdaConnection, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GdaDataModel, g_object_unref)

G_BEGIN_DECLS

/* How many times fewer iterations a randomized or stress loop makes when
 * built for the sanitize run (GCC defines __SANITIZE_ADDRESS__ under
 * -fsanitize=address). There every allocation unwinds its whole stack
 * (fast_unwind_on_malloc=0, which the leak suppressions need), making
 * such loops 15 to 30 times slower than plain; a quarter of the steps
 * still runs every code path the loop reaches under the sanitizers,
 * and the plain run makes them all. */
#ifdef __SANITIZE_ADDRESS__
#define TEST_SANITIZED_DIVISOR 4
#else
#define TEST_SANITIZED_DIVISOR 1
#endif

/*
 * TestObject: a resource whose properties live in a GValue array, so the
 * tests declare their resource types with properties alone.
 */
#define TEST_TYPE_OBJECT (test_object_get_type ())
G_DECLARE_DERIVABLE_TYPE (TestObject, test_object, TEST, OBJECT, GormResource)

struct _TestObjectClass
{
  GormResourceClass parent_class;
};

void test_object_class_install (GObjectClass *klass,
                                GParamSpec  **pspecs,
                                guint         n_pspecs);

#define TEST_DEFINE_RESOURCE(TypeName, type_name)                         \
  typedef struct { TestObject parent_instance; } TypeName;                \
  typedef struct { TestObjectClass parent_class; } TypeName##Class;       \
  GType type_name##_get_type (void);                                      \
  G_DEFINE_TYPE (TypeName, type_name, TEST_TYPE_OBJECT)                   \
  static void type_name##_init (TypeName *self) { }

/* Flags and enums for the type tests. */
typedef enum {
  TEST_COLOR_RED,
  TEST_COLOR_GREEN = 5,
  TEST_COLOR_DARK_BLUE = -3,
} TestColor;

typedef enum {
  TEST_FLAG_NONE = 0,
  TEST_FLAG_A = 1 << 0,
  TEST_FLAG_B = 1 << 1,
  TEST_FLAG_HIGH = 1 << 30,
} TestFlags;

#define TEST_TYPE_COLOR (test_color_get_type ())
#define TEST_TYPE_FLAGS (test_flags_get_type ())
GType test_color_get_type (void);
GType test_flags_get_type (void);

/* A blog post as the tests use it: title (max 200 characters, not null),
 * content, views, rating, published, pub-date (auto_now_add) and
 * updated (auto_now). */
#define TEST_TYPE_POST (test_post_get_type ())
GType test_post_get_type (void);

/* Databases: a fresh one per test, removed with its directory. With
 * GORM_TEST_ENGINE=postgresql, a new database on the server of
 * GORM_TEST_POSTGRESQL instead, dropped when the GormDatabase is
 * finalized (test_open_memory()), by test_remove_file() (whose "path" is
 * then the database's URI), or at exit. */
gboolean      test_engine_is_postgresql (void);
GormDatabase *test_open_memory   (void);
GormDatabase *test_open_file     (char       **path);
/* The URI that opens @path again. */
char         *test_uri_of_file   (const char  *path);
void          test_remove_file   (const char  *path);
/* A new database on the server (its name), and the URI opening it. */
char         *test_postgresql_create_database (void);
void          test_postgresql_drop_database   (const char *name);
char         *test_postgresql_uri             (const char *database);
void          test_migrate       (GormDatabase *db,
                                  GType         type);
gint64        test_count_posts   (GormDatabase *db);
void          test_save_ok       (gpointer      resource);
GValue       *test_int_value     (GValue       *value,
                                  gint          number);
GValue       *test_string_value  (GValue       *value,
                                  const char   *text);
char         *test_query_text    (GormDatabase *db,
                                  const char   *sql);
/* What @sql selects, with plain libgda, parsed as libgorm parses (the
 * PostgreSQL provider's own parser leaks what it reads). */
GdaDataModel *test_select        (GormDatabase *db,
                                  const char   *sql);

/* Records every statement a database runs. */
typedef struct
{
  GPtrArray *statements;
} TestLog;

TestLog      *test_log_attach    (GormDatabase *db);
void          test_log_free      (TestLog      *log);
void          test_log_clear     (TestLog      *log);
guint         test_log_count     (TestLog      *log,
                                  const char   *prefix);
const char   *test_log_last      (TestLog      *log);

/* Runs the sqlite3 shell on @path and returns what it prints; NULL (and
 * the test skipped) when the shell is not installed. */
char         *test_sqlite3_shell (const char   *path,
                                  const char   *sql);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestLog, test_log_free)

G_END_DECLS
