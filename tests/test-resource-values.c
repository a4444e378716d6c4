/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gorm-test-utils.h"

/* Reading kept properties (gorm_resource_class_store_property()) by their
 * slot: gorm_resource_class_get_value_slot(), gorm_resource_peek_value(),
 * the typed getters and gorm_resource_format_date_time(); and writing
 * them by the typed setters.
 *
 * TestSlotted keeps every property of its own; TestSlottedChild adds a
 * kept "rank". */
typedef struct
{
  GormResource parent_instance;
} TestSlotted;

typedef struct
{
  GormResourceClass parent_class;
} TestSlottedClass;

typedef struct
{
  TestSlotted parent_instance;
} TestSlottedChild;

typedef struct
{
  TestSlottedClass parent_class;
} TestSlottedChildClass;

static GType test_slotted_get_type (void);
static GType test_slotted_child_get_type (void);
G_DEFINE_TYPE (TestSlotted, test_slotted, GORM_TYPE_RESOURCE)
G_DEFINE_TYPE (TestSlottedChild, test_slotted_child, test_slotted_get_type ())

#define TEST_TYPE_SLOTTED (test_slotted_get_type ())
#define TEST_TYPE_SLOTTED_CHILD (test_slotted_child_get_type ())

/* Installing a property needs these; they never see a kept one. */
static void
never_get_property (GObject    *object,
                    guint       prop_id,
                    GValue     *value,
                    GParamSpec *pspec)
{
  g_assert_not_reached ();
}

static void
never_set_property (GObject      *object,
                    guint         prop_id,
                    const GValue *value,
                    GParamSpec   *pspec)
{
  g_assert_not_reached ();
}

static void
install_kept (GObjectClass *object_class,
              GParamSpec  **pspecs,
              guint         n_pspecs)
{
  object_class->get_property = never_get_property;
  object_class->set_property = never_set_property;
  for (guint i = 0; i < n_pspecs; i++)
    {
      const char *name = g_param_spec_get_name (pspecs[i]);

      g_object_class_install_property (object_class, i + 1, pspecs[i]);
      gorm_resource_class_store_property (GORM_RESOURCE_CLASS (object_class), name);
    }
}

static void
test_slotted_class_init (TestSlottedClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("title", NULL, NULL, "untitled", G_PARAM_READWRITE),
    g_param_spec_int64 ("views", NULL, NULL, G_MININT64, G_MAXINT64, 3, G_PARAM_READWRITE),
    g_param_spec_double ("rating", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.5, G_PARAM_READWRITE),
    g_param_spec_boolean ("published", NULL, NULL, TRUE, G_PARAM_READWRITE),
    g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_enum ("color", NULL, NULL, TEST_TYPE_COLOR, TEST_COLOR_GREEN, G_PARAM_READWRITE),
    g_param_spec_string ("note", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  install_kept (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_nullable (GORM_RESOURCE_CLASS (klass), "when");
  gorm_resource_class_set_nullable (GORM_RESOURCE_CLASS (klass), "note");
}

static void
test_slotted_init (TestSlotted *self)
{
}

static void
test_slotted_child_class_init (TestSlottedChildClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("rank", NULL, NULL, -5, 5, -1, G_PARAM_READWRITE),
  };

  install_kept (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
}

static void
test_slotted_child_init (TestSlottedChild *self)
{
}

static guint
slot_of (GType       type,
         const char *property)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);

  return gorm_resource_class_get_value_slot (GORM_RESOURCE_CLASS (klass), property);
}

static GormDatabase *
open_migrated (void)
{
  GormDatabase *db = test_open_memory ();
  GType types[] = { TEST_TYPE_SLOTTED, TEST_TYPE_SLOTTED_CHILD };
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_database_migrate (db, types, G_N_ELEMENTS (types), NULL, &error));
  g_assert_no_error (error);
  return db;
}

/* Each kept property has its own slot, the same in a subclass; the
 * properties libgorm does not keep, and unknown names, have none. */
static void
test_slots (void)
{
  const char *names[] = { "title", "views", "rating", "published", "when", "color", "note" };
  guint seen = 0;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint slot = slot_of (TEST_TYPE_SLOTTED, names[i]);

      g_assert_cmpuint (slot, >=, 1);
      g_assert_cmpuint (slot, <=, G_N_ELEMENTS (names));
      g_assert_false (seen & (1u << slot));
      seen |= 1u << slot;
      g_assert_cmpuint (slot_of (TEST_TYPE_SLOTTED_CHILD, names[i]), ==, slot);
    }
  g_assert_cmpuint (slot_of (TEST_TYPE_SLOTTED_CHILD, "rank"), ==, G_N_ELEMENTS (names) + 1);
  g_assert_cmpuint (slot_of (TEST_TYPE_SLOTTED, "rank"), ==, 0);
  g_assert_cmpuint (slot_of (TEST_TYPE_SLOTTED, "id"), ==, 0);
  g_assert_cmpuint (slot_of (TEST_TYPE_SLOTTED, "database"), ==, 0);
  g_assert_cmpuint (slot_of (TEST_TYPE_SLOTTED, "nope"), ==, 0);
  g_assert_cmpuint (slot_of (TEST_TYPE_SLOTTED, NULL), ==, 0);
}

/* Until set, each read gives the property's default value. */
static void
test_defaults (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_SLOTTED, "database", db, NULL);
  g_autoptr(GormResource) child = g_object_new (TEST_TYPE_SLOTTED_CHILD, "database", db, NULL);
  const GValue *value;

  g_assert_cmpstr (gorm_resource_get_string_value (post, slot_of (TEST_TYPE_SLOTTED, "title")), ==, "untitled");
  g_assert_cmpint (gorm_resource_get_int64_value (post, slot_of (TEST_TYPE_SLOTTED, "views")), ==, 3);
  g_assert_cmpfloat (gorm_resource_get_double_value (post, slot_of (TEST_TYPE_SLOTTED, "rating")), ==, 0.5);
  g_assert_true (gorm_resource_get_boolean_value (post, slot_of (TEST_TYPE_SLOTTED, "published")));
  g_assert_null (gorm_resource_format_date_time (post, slot_of (TEST_TYPE_SLOTTED, "when")));
  g_assert_null (gorm_resource_get_string_value (post, slot_of (TEST_TYPE_SLOTTED, "note")));
  value = gorm_resource_peek_value (post, slot_of (TEST_TYPE_SLOTTED, "color"));
  g_assert_nonnull (value);
  g_assert_true (G_VALUE_HOLDS (value, TEST_TYPE_COLOR));
  g_assert_cmpint (g_value_get_enum (value), ==, TEST_COLOR_GREEN);
  g_assert_cmpint (gorm_resource_get_int64_value (child, slot_of (TEST_TYPE_SLOTTED_CHILD, "rank")), ==, -1);
  g_assert_cmpint (gorm_resource_get_int64_value (child, slot_of (TEST_TYPE_SLOTTED, "views")), ==, 3);

  /* One property set, the others still read their defaults. */
  g_object_set (post, "views", (gint64) 8, NULL);
  g_assert_cmpint (gorm_resource_get_int64_value (post, slot_of (TEST_TYPE_SLOTTED, "views")), ==, 8);
  g_assert_cmpstr (gorm_resource_get_string_value (post, slot_of (TEST_TYPE_SLOTTED, "title")), ==, "untitled");
  g_assert_cmpfloat (gorm_resource_get_double_value (post, slot_of (TEST_TYPE_SLOTTED, "rating")), ==, 0.5);
  g_object_set (child, "rank", (gint64) 2, NULL);
  g_assert_cmpint (gorm_resource_get_int64_value (child, slot_of (TEST_TYPE_SLOTTED, "views")), ==, 3);
  g_assert_cmpint (gorm_resource_get_int64_value (child, slot_of (TEST_TYPE_SLOTTED_CHILD, "rank")), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&child));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The reads follow every change, from g_object_set() and from
 * gorm_resource_set_value() alike. */
static void
test_reads_follow_changes (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_SLOTTED, "database", db, NULL);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  guint title = slot_of (TEST_TYPE_SLOTTED, "title");
  guint views = slot_of (TEST_TYPE_SLOTTED, "views");
  guint rating = slot_of (TEST_TYPE_SLOTTED, "rating");
  guint published = slot_of (TEST_TYPE_SLOTTED, "published");
  guint note = slot_of (TEST_TYPE_SLOTTED, "note");

  g_object_set (post, "title", "First", "views", G_GINT64_CONSTANT (1) << 40, "rating", -2.25,
                "published", FALSE, "note", "a note", NULL);
  g_assert_cmpstr (gorm_resource_get_string_value (post, title), ==, "First");
  g_assert_cmpint (gorm_resource_get_int64_value (post, views), ==, G_GINT64_CONSTANT (1) << 40);
  g_assert_cmpfloat (gorm_resource_get_double_value (post, rating), ==, -2.25);
  g_assert_false (gorm_resource_get_boolean_value (post, published));
  g_assert_cmpstr (gorm_resource_get_string_value (post, note), ==, "a note");

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "Second");
  g_assert_true (gorm_resource_set_value (post, "title", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gorm_resource_get_string_value (post, title), ==, "Second");
  g_assert_cmpstr (g_value_get_string (gorm_resource_peek_value (post, title)), ==, "Second");

  /* Back to NULL. */
  g_object_set (post, "note", NULL, NULL);
  g_assert_null (gorm_resource_get_string_value (post, note));

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A getter of another type than the property's, or a slot that is not
 * one of the object's class, reads nothing. */
static void
test_wrong_slot (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_SLOTTED, "database", db,
                                               "title", "T", "views", (gint64) 5, "rating", 1.5, NULL);
  g_autoptr(GormResource) fresh = g_object_new (TEST_TYPE_SLOTTED, "database", db, NULL);
  guint title = slot_of (TEST_TYPE_SLOTTED, "title");
  guint views = slot_of (TEST_TYPE_SLOTTED, "views");
  guint rating = slot_of (TEST_TYPE_SLOTTED, "rating");
  guint rank = slot_of (TEST_TYPE_SLOTTED_CHILD, "rank");

  g_assert_cmpint (gorm_resource_get_int64_value (post, title), ==, 0);
  g_assert_cmpint (gorm_resource_get_int64_value (post, rating), ==, 0);
  g_assert_cmpfloat (gorm_resource_get_double_value (post, views), ==, 0.0);
  g_assert_false (gorm_resource_get_boolean_value (post, views));
  g_assert_null (gorm_resource_get_string_value (post, views));
  g_assert_null (gorm_resource_format_date_time (post, title));

  /* The child's slot, on an object with kept values and on one without. */
  g_assert_null (gorm_resource_peek_value (post, rank));
  g_assert_cmpint (gorm_resource_get_int64_value (post, rank), ==, 0);
  g_assert_null (gorm_resource_peek_value (fresh, rank));
  g_assert_null (gorm_resource_peek_value (post, 0));
  g_assert_null (gorm_resource_peek_value (fresh, 0));
  g_assert_null (gorm_resource_peek_value (post, G_MAXUINT));

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&fresh));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* ISO 8601, as g_date_time_format_iso8601() writes it. */
static void
test_format_date_time (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_SLOTTED, "database", db, NULL);
  g_autoptr(GDateTime) utc = g_date_time_new_utc (2020, 3, 1, 10, 0, 0);
  g_autoptr(GDateTime) micro = g_date_time_new_utc (2024, 3, 5, 13, 3, 2.123456);
  g_autoptr(GTimeZone) plus_two = g_time_zone_new_offset (2 * 3600);
  g_autoptr(GDateTime) offset = g_date_time_new (plus_two, 2021, 12, 31, 23, 59, 59);
  g_autoptr(GTimeZone) plus_half = g_time_zone_new_offset (5 * 3600 + 30 * 60);
  g_autoptr(GDateTime) half = g_date_time_new (plus_half, 2021, 6, 1, 8, 0, 0);
  guint when = slot_of (TEST_TYPE_SLOTTED, "when");
  char *text;

  g_object_set (post, "when", utc, NULL);
  text = gorm_resource_format_date_time (post, when);
  g_assert_cmpstr (text, ==, "2020-03-01T10:00:00Z");
  g_free (text);

  g_object_set (post, "when", micro, NULL);
  text = gorm_resource_format_date_time (post, when);
  g_assert_cmpstr (text, ==, "2024-03-05T13:03:02.123456Z");
  g_free (text);

  g_object_set (post, "when", offset, NULL);
  text = gorm_resource_format_date_time (post, when);
  g_assert_cmpstr (text, ==, "2021-12-31T23:59:59+02");
  g_free (text);

  g_object_set (post, "when", half, NULL);
  text = gorm_resource_format_date_time (post, when);
  g_assert_cmpstr (text, ==, "2021-06-01T08:00:00+05:30");
  g_free (text);

  g_object_set (post, "when", NULL, NULL);
  g_assert_null (gorm_resource_format_date_time (post, when));

  g_assert_finalize_object (g_steal_pointer (&post));
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* An object loaded from its row reads the row's values, NULLs included,
 * by slot. */
static void
test_loaded (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GDateTime) when = g_date_time_new_utc (2024, 3, 5, 13, 3, 2.5);
  g_autoptr(GormResource) post = g_object_new (TEST_TYPE_SLOTTED, "database", db,
                                               "title", "Saved", "views", (gint64) -7, "rating", 4.75,
                                               "published", FALSE, "when", when, "color", TEST_COLOR_DARK_BLUE,
                                               "note", "kept", NULL);
  g_autoptr(GormResource) bare = g_object_new (TEST_TYPE_SLOTTED_CHILD, "database", db,
                                               "rank", (gint64) 4, NULL);
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) loaded_when = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  gint64 id;

  test_save_ok (post);
  test_save_ok (bare);

  id = gorm_resource_get_id (post);
  g_assert_finalize_object (g_steal_pointer (&post));
  loaded = gorm_database_get (db, TEST_TYPE_SLOTTED, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gorm_resource_get_string_value (loaded, slot_of (TEST_TYPE_SLOTTED, "title")), ==, "Saved");
  g_assert_cmpint (gorm_resource_get_int64_value (loaded, slot_of (TEST_TYPE_SLOTTED, "views")), ==, -7);
  g_assert_cmpfloat (gorm_resource_get_double_value (loaded, slot_of (TEST_TYPE_SLOTTED, "rating")), ==, 4.75);
  g_assert_false (gorm_resource_get_boolean_value (loaded, slot_of (TEST_TYPE_SLOTTED, "published")));
  g_assert_cmpint (g_value_get_enum (gorm_resource_peek_value (loaded, slot_of (TEST_TYPE_SLOTTED, "color"))),
                   ==, TEST_COLOR_DARK_BLUE);
  g_assert_cmpstr (gorm_resource_get_string_value (loaded, slot_of (TEST_TYPE_SLOTTED, "note")), ==, "kept");
  /* The same instant, in whatever zone the engine gives it back. */
  g_object_get (loaded, "when", &loaded_when, NULL);
  g_assert_true (g_date_time_equal (loaded_when, when));
  expected = g_date_time_format_iso8601 (loaded_when);
  text = gorm_resource_format_date_time (loaded, slot_of (TEST_TYPE_SLOTTED, "when"));
  g_assert_cmpstr (text, ==, expected);
  parsed = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_true (g_date_time_equal (parsed, when));
  g_assert_finalize_object (g_steal_pointer (&loaded));

  /* The subclass's row: its own kept value, its parent's defaults and
   * NULLs. */
  id = gorm_resource_get_id (bare);
  g_assert_finalize_object (g_steal_pointer (&bare));
  loaded = gorm_database_get (db, TEST_TYPE_SLOTTED_CHILD, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_resource_get_int64_value (loaded, slot_of (TEST_TYPE_SLOTTED_CHILD, "rank")), ==, 4);
  g_assert_cmpstr (gorm_resource_get_string_value (loaded, slot_of (TEST_TYPE_SLOTTED, "title")), ==, "untitled");
  g_assert_cmpint (gorm_resource_get_int64_value (loaded, slot_of (TEST_TYPE_SLOTTED, "views")), ==, 3);
  g_assert_true (gorm_resource_get_boolean_value (loaded, slot_of (TEST_TYPE_SLOTTED, "published")));
  g_assert_null (gorm_resource_format_date_time (loaded, slot_of (TEST_TYPE_SLOTTED, "when")));
  g_assert_null (gorm_resource_get_string_value (loaded, slot_of (TEST_TYPE_SLOTTED, "note")));
  g_assert_true (gorm_resource_is_null (loaded, "note"));

  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GPtrArray *names = user_data;

  g_ptr_array_add (names, g_strdup (pspec->name));
}

/* The typed setters set a kept property by its slot as
 * gorm_resource_set_value() sets it: notified once, dirty once saved,
 * converted without loss when the value is of another type, refused (and
 * nothing changed, nothing notified) when it does not fit, NULL for a
 * NULL string or date-time. */
static void
test_typed_setters (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GPtrArray) notified = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) when = g_date_time_new_utc (2020, 1, 2, 3, 4, 5.25);
  g_autoptr(GError) error = NULL;
  g_autofree char *formatted = NULL;
  GormResource *post = g_object_new (TEST_TYPE_SLOTTED, "database", db, NULL);
  GormResource *child = g_object_new (TEST_TYPE_SLOTTED_CHILD, "database", db, NULL);
  guint title = slot_of (TEST_TYPE_SLOTTED, "title");
  guint views = slot_of (TEST_TYPE_SLOTTED, "views");
  guint rating = slot_of (TEST_TYPE_SLOTTED, "rating");
  guint published = slot_of (TEST_TYPE_SLOTTED, "published");
  guint when_slot = slot_of (TEST_TYPE_SLOTTED, "when");
  guint note = slot_of (TEST_TYPE_SLOTTED, "note");
  guint rank = slot_of (TEST_TYPE_SLOTTED_CHILD, "rank");

  g_signal_connect (post, "notify", G_CALLBACK (count_notify_cb), notified);
  g_assert_true (gorm_resource_set_string_value (post, title, "First", &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_set_int64_value (post, views, G_MININT64, &error));
  g_assert_true (gorm_resource_set_double_value (post, rating, 2.5, &error));
  g_assert_true (gorm_resource_set_boolean_value (post, published, FALSE, &error));
  g_assert_true (gorm_resource_set_date_time_value (post, when_slot, when, &error));
  g_assert_true (gorm_resource_set_string_value (post, note, "n", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified->len, ==, 6);
  g_assert_cmpstr (g_ptr_array_index (notified, 0), ==, "title");
  g_assert_cmpstr (g_ptr_array_index (notified, 4), ==, "when");
  g_assert_cmpstr (gorm_resource_get_string_value (post, title), ==, "First");
  g_assert_cmpint (gorm_resource_get_int64_value (post, views), ==, G_MININT64);
  g_assert_cmpfloat (gorm_resource_get_double_value (post, rating), ==, 2.5);
  g_assert_false (gorm_resource_get_boolean_value (post, published));
  formatted = gorm_resource_format_date_time (post, when_slot);
  g_assert_cmpstr (formatted, ==, "2020-01-02T03:04:05.250000Z");
  g_assert_cmpstr (gorm_resource_get_string_value (post, note), ==, "n");

  /* NULL, as gorm_resource_set_null() makes it. */
  g_assert_true (gorm_resource_set_string_value (post, note, NULL, &error));
  g_assert_true (gorm_resource_set_date_time_value (post, when_slot, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_null (post, "note"));
  g_assert_true (gorm_resource_is_null (post, "when"));

  /* Another type, converted without loss, as gorm_resource_set_value(). */
  g_assert_true (gorm_resource_set_int64_value (post, rating, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (gorm_resource_get_double_value (post, rating), ==, 3.0);

  /* Refusals change and notify nothing. */
  g_ptr_array_set_size (notified, 0);
  g_assert_false (gorm_resource_set_double_value (post, rating, NAN, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);
  g_assert_false (gorm_resource_set_double_value (post, views, 1.5, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  g_assert_false (gorm_resource_set_int64_value (post, rank, 1, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_assert_nonnull (strstr (error->message, "slot"));
  g_clear_error (&error);
  g_assert_false (gorm_resource_set_int64_value (post, 0, 1, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_cmpuint (notified->len, ==, 0);
  g_assert_cmpfloat (gorm_resource_get_double_value (post, rating), ==, 3.0);
  g_assert_cmpint (gorm_resource_get_int64_value (post, views), ==, G_MININT64);

  /* The child's own slot checks its limits, -5 to 5; an inherited slot
   * is the parent's property. */
  g_assert_false (gorm_resource_set_int64_value (child, rank, 9, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_nonnull (strstr (error->message, "rank"));
  g_clear_error (&error);
  g_assert_cmpint (gorm_resource_get_int64_value (child, rank), ==, -1);
  g_assert_true (gorm_resource_set_int64_value (child, rank, 5, &error));
  g_assert_true (gorm_resource_set_int64_value (child, views, 7, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gorm_resource_get_int64_value (child, rank), ==, 5);
  g_assert_cmpint (gorm_resource_get_int64_value (child, views), ==, 7);

  /* A saved object is dirty after a typed set, and saves the value. */
  g_assert_true (gorm_resource_save (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_dirty (post));
  g_assert_true (gorm_resource_set_int64_value (post, views, 42, &error));
  g_assert_true (gorm_resource_is_dirty (post));
  g_assert_true (gorm_resource_save (post, NULL, &error));
  g_assert_true (gorm_resource_reload (post, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gorm_resource_get_int64_value (post, views), ==, 42);

  g_assert_finalize_object (child);
  g_assert_finalize_object (post);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/ResourceValues/slots", test_slots);
  g_test_add_func ("/Gorm/ResourceValues/defaults", test_defaults);
  g_test_add_func ("/Gorm/ResourceValues/reads-follow-changes", test_reads_follow_changes);
  g_test_add_func ("/Gorm/ResourceValues/wrong-slot", test_wrong_slot);
  g_test_add_func ("/Gorm/ResourceValues/format-date-time", test_format_date_time);
  g_test_add_func ("/Gorm/ResourceValues/loaded", test_loaded);
  g_test_add_func ("/Gorm/ResourceValues/typed-setters", test_typed_setters);

  return g_test_run ();
}
