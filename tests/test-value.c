/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <gobject/gvaluecollector.h>

#include "gorm-error.h"
#include "gorm-value-private.h"

/* Test types */

typedef enum
{
  TEST_COLOR_RED = 0,
  TEST_COLOR_GREEN = 1,
  TEST_COLOR_BLUE = 5,
} TestColor;

typedef enum
{
  TEST_PERMS_READ = 1 << 0,
  TEST_PERMS_WRITE = 1 << 1,
  TEST_PERMS_EXEC = 1 << 3,
} TestPerms;

static GType
test_color_get_type (void)
{
  static const GEnumValue values[] = {
    { TEST_COLOR_RED, "TEST_COLOR_RED", "red" },
    { TEST_COLOR_GREEN, "TEST_COLOR_GREEN", "green" },
    { TEST_COLOR_BLUE, "TEST_COLOR_BLUE", "blue" },
    { 0, NULL, NULL },
  };
  static GType type = 0;

  if (type == 0)
    type = g_enum_register_static ("TestColor", values);
  return type;
}

/* A second enum type whose values overlap those of TestColor, to show that
 * a value of the wrong enum type is refused even when its number fits. */
static GType
test_shape_get_type (void)
{
  static const GEnumValue values[] = {
    { 0, "TEST_SHAPE_SQUARE", "square" },
    { 0, NULL, NULL },
  };
  static GType type = 0;

  if (type == 0)
    type = g_enum_register_static ("TestShape", values);
  return type;
}

static GType
test_perms_get_type (void)
{
  static const GFlagsValue values[] = {
    { TEST_PERMS_READ, "TEST_PERMS_READ", "read" },
    { TEST_PERMS_WRITE, "TEST_PERMS_WRITE", "write" },
    { TEST_PERMS_EXEC, "TEST_PERMS_EXEC", "exec" },
    { 0, NULL, NULL },
  };
  static GType type = 0;

  if (type == 0)
    type = g_flags_register_static ("TestPerms", values);
  return type;
}

static GType
test_other_flags_get_type (void)
{
  static const GFlagsValue values[] = {
    { 1, "TEST_OTHER_FLAGS_A", "a" },
    { 0, NULL, NULL },
  };
  static GType type = 0;

  if (type == 0)
    type = g_flags_register_static ("TestOtherFlags", values);
  return type;
}

#define TEST_TYPE_COLOR (test_color_get_type ())
#define TEST_TYPE_SHAPE (test_shape_get_type ())
#define TEST_TYPE_PERMS (test_perms_get_type ())
#define TEST_TYPE_OTHER_FLAGS (test_other_flags_get_type ())

#define TEST_TYPE_VALUES (test_values_get_type ())
G_DECLARE_FINAL_TYPE (TestValues, test_values, TEST, VALUES, GObject)

struct _TestValues
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (TestValues, test_values, G_TYPE_OBJECT)

/* The tests use the properties' GParamSpecs, never their values. */
static void
test_values_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value G_GNUC_UNUSED,
                        GParamSpec *pspec)
{
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
test_values_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value G_GNUC_UNUSED,
                        GParamSpec   *pspec)
{
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
test_values_class_init (TestValuesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  GParamSpec *pspecs[] = {
    NULL,
    g_param_spec_boolean ("published", NULL, NULL, TRUE, flags),
    g_param_spec_char ("grade", NULL, NULL, G_MININT8, G_MAXINT8, -3, flags),
    g_param_spec_uchar ("level", NULL, NULL, 0, G_MAXUINT8, 0, flags),
    g_param_spec_int ("count", NULL, NULL, G_MININT, G_MAXINT, 0, flags),
    g_param_spec_int ("rating", NULL, NULL, 1, 5, 3, flags),
    g_param_spec_uint ("small", NULL, NULL, 0, G_MAXUINT, 0, flags),
    g_param_spec_long ("offset", NULL, NULL, G_MINLONG, G_MAXLONG, 0, flags),
    g_param_spec_ulong ("size", NULL, NULL, 0, G_MAXULONG, 0, flags),
    g_param_spec_int64 ("views", NULL, NULL, G_MININT64, G_MAXINT64, 7, flags),
    g_param_spec_uint64 ("big", NULL, NULL, 0, G_MAXUINT64, 0, flags),
    g_param_spec_float ("ratio", NULL, NULL, -G_MAXFLOAT, G_MAXFLOAT, 0, flags),
    g_param_spec_float ("unbounded", NULL, NULL, -INFINITY, INFINITY, 0, flags),
    g_param_spec_double ("score", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.5, flags),
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, flags),
    g_param_spec_string ("title", NULL, NULL, NULL, flags),
    g_param_spec_enum ("color", NULL, NULL, TEST_TYPE_COLOR, TEST_COLOR_GREEN, flags),
    g_param_spec_flags ("perms", NULL, NULL, TEST_TYPE_PERMS, TEST_PERMS_READ, flags),
    g_param_spec_boxed ("created", NULL, NULL, G_TYPE_DATE_TIME, flags),
    g_param_spec_boxed ("data", NULL, NULL, G_TYPE_BYTES, flags),
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, flags),
  };

  object_class->get_property = test_values_get_property;
  object_class->set_property = test_values_set_property;
  g_object_class_install_properties (object_class, G_N_ELEMENTS (pspecs), pspecs);
}

static void
test_values_init (TestValues *self G_GNUC_UNUSED)
{
}

/* Helpers */

static GParamSpec *
find_pspec (const char *name)
{
  GParamSpec *pspec = g_object_class_find_property (g_type_class_peek (TEST_TYPE_VALUES), name);

  g_assert_nonnull (pspec);
  return pspec;
}

static GormValueKind
kind_of (GParamSpec *pspec)
{
  GormValueKind kind;

  g_assert_true (gorm_value_kind_for_type (G_PARAM_SPEC_VALUE_TYPE (pspec), &kind));
  return kind;
}

/* Resets value to hold one value of type, collected from the arguments the
 * way g_object_set () collects them: the argument must have the C type
 * that va_arg () expects (gint64 for G_TYPE_INT64, a pointer for boxed). */
static GValue *
set_value (GValue *value,
           GType   type,
           ...)
{
  g_autofree char *error = NULL;
  va_list args;

  g_value_unset (value);
  va_start (args, type);
  G_VALUE_COLLECT_INIT (value, type, args, 0, &error);
  va_end (args);
  g_assert_null (error);
  return value;
}

static GValue *
set_null (GValue *value)
{
  g_value_unset (value);
  g_value_init (value, GORM_TYPE_SQL_NULL);
  return value;
}

static void
assert_same_double (gdouble a,
                    gdouble b)
{
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
}

static void
assert_same_float (gfloat a,
                   gfloat b)
{
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
}

static void
to_sql_ok (const char   *name,
           const GValue *property_value,
           GValue       *sql_value)
{
  g_autoptr(GError) error = NULL;
  GParamSpec *pspec = find_pspec (name);

  g_value_unset (sql_value);
  g_assert_true (gorm_value_to_sql (kind_of (pspec), pspec, property_value, sql_value, &error));
  g_assert_no_error (error);
  g_assert_true (G_IS_VALUE (sql_value));
}

static void
assert_to_sql_fails (const char   *name,
                     const GValue *property_value)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) sql_value = G_VALUE_INIT;
  GParamSpec *pspec = find_pspec (name);

  g_assert_false (gorm_value_to_sql (kind_of (pspec), pspec, property_value, &sql_value, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_false (G_IS_VALUE (&sql_value));
}

static void
to_sql_int64 (const char   *name,
              const GValue *property_value,
              gint64        expected)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;

  to_sql_ok (name, property_value, &sql_value);
  g_assert_true (G_VALUE_HOLDS_INT64 (&sql_value));
  g_assert_cmpint (g_value_get_int64 (&sql_value), ==, expected);
}

static void
to_sql_string (const char   *name,
               const GValue *property_value,
               const char   *expected)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;

  to_sql_ok (name, property_value, &sql_value);
  g_assert_true (G_VALUE_HOLDS_STRING (&sql_value));
  g_assert_cmpstr (g_value_get_string (&sql_value), ==, expected);
}

static void
from_sql_ok (const char   *name,
             const GValue *sql_value,
             GValue       *property_value)
{
  g_autoptr(GError) error = NULL;
  GParamSpec *pspec = find_pspec (name);

  g_value_unset (property_value);
  g_assert_true (gorm_value_from_sql (kind_of (pspec), pspec, sql_value, property_value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS (property_value, G_PARAM_SPEC_VALUE_TYPE (pspec)));
}

static void
assert_from_sql_fails (const char   *name,
                       const GValue *sql_value)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) property_value = G_VALUE_INIT;
  GParamSpec *pspec = find_pspec (name);

  g_assert_false (gorm_value_from_sql (kind_of (pspec), pspec, sql_value, &property_value, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_false (G_IS_VALUE (&property_value));
}

static void
coerce_ok (const char   *name,
           const GValue *value,
           GValue       *property_value)
{
  g_autoptr(GError) error = NULL;
  GParamSpec *pspec = find_pspec (name);

  g_value_unset (property_value);
  g_assert_true (gorm_value_coerce (kind_of (pspec), pspec, value, property_value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS (property_value, G_PARAM_SPEC_VALUE_TYPE (pspec)));
}

static GError *
coerce_error (const char   *name,
              const GValue *value)
{
  GError *error = NULL;
  g_auto(GValue) property_value = G_VALUE_INIT;
  GParamSpec *pspec = find_pspec (name);

  g_assert_false (gorm_value_coerce (kind_of (pspec), pspec, value, &property_value, &error));
  g_assert_false (G_IS_VALUE (&property_value));
  return error;
}

static void
assert_coerce_fails (const char   *name,
                     const GValue *value)
{
  g_autoptr(GError) error = coerce_error (name, value);

  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
}

static void
from_user_ok (const GValue *value,
              GValue       *sql_value)
{
  g_autoptr(GError) error = NULL;

  g_value_unset (sql_value);
  g_assert_true (gorm_value_from_user (value, sql_value, &error));
  g_assert_no_error (error);
  g_assert_true (G_IS_VALUE (sql_value));
}

static GError *
from_user_error (const GValue *value)
{
  GError *error = NULL;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  g_assert_false (gorm_value_from_user (value, &sql_value, &error));
  g_assert_false (G_IS_VALUE (&sql_value));
  return error;
}

static void
assert_binary (const GValue *sql_value,
               const void   *data,
               gsize         size)
{
  GBytes *bytes;
  gconstpointer bytes_data;
  gsize bytes_size = 0;

  /* A BLOB is a GBytes until the connection binds it. */
  g_assert_true (G_VALUE_HOLDS (sql_value, G_TYPE_BYTES));
  bytes = g_value_get_boxed (sql_value);
  g_assert_nonnull (bytes);
  bytes_data = g_bytes_get_data (bytes, &bytes_size);
  g_assert_cmpmem (bytes_data, bytes_size, data, size);
}

static void
assert_bytes (const GValue *property_value,
              const void   *data,
              gsize         size)
{
  GBytes *bytes = g_value_get_boxed (property_value);
  gsize length;
  gconstpointer contents;

  g_assert_nonnull (bytes);
  contents = g_bytes_get_data (bytes, &length);
  g_assert_cmpmem (contents, length, data, size);
}

static GDateTime *
new_date_time (const char *zone,
               gint        year,
               gint        month,
               gint        day,
               gint        hour,
               gint        minute,
               gint        second,
               gint        microsecond)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_autoptr(GDateTime) whole = NULL;

  g_assert_nonnull (tz);
  whole = g_date_time_new (tz, year, month, day, hour, minute, second);
  g_assert_nonnull (whole);
  /* Microseconds are added apart: a gdouble of seconds may round them. */
  return g_date_time_add (whole, microsecond);
}

static char *
format_utc (GDateTime *date_time)
{
  char *text = gorm_value_format_date_time (date_time);

  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), ==, 27);
  return text;
}

/* gorm_value_format_iso8601() writes what g_date_time_format_iso8601()
 * does, for the ends of GDateTime's years, with and without microseconds,
 * in UTC and at offsets of whole hours, minutes, and seconds (GLib's). */
static void
test_format_iso8601 (void)
{
  static const char *zones[] = { "UTC", "+02", "-05:30", "+05:45", "+14", "-00:30", "-11",
                                 "+00:00:30", "Europe/Paris" };
  static const int dates[][6] = {
    { 1, 1, 1, 0, 0, 0 }, { 999, 12, 31, 23, 59, 59 }, { 1970, 1, 1, 0, 0, 0 },
    { 2020, 2, 29, 10, 5, 9 }, { 2024, 7, 1, 12, 0, 0 }, { 9999, 12, 31, 23, 59, 59 },
  };
  static const gint microseconds[] = { 0, 1, 500000, 999999 };
  guint checked = 0;

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    for (guint d = 0; d < G_N_ELEMENTS (dates); d++)
      for (guint m = 0; m < G_N_ELEMENTS (microseconds); m++)
        {
          g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zones[z]);
          g_autoptr(GDateTime) whole = NULL;
          g_autoptr(GDateTime) date_time = NULL;
          g_autofree char *ours = NULL;
          g_autofree char *glib = NULL;

          g_assert_nonnull (tz);
          whole = g_date_time_new (tz, dates[d][0], dates[d][1], dates[d][2], dates[d][3],
                                   dates[d][4], dates[d][5]);
          if (whole == NULL)
            continue;
          date_time = g_date_time_add (whole, microseconds[m]);
          g_assert_nonnull (date_time);
          ours = gorm_value_format_iso8601 (date_time);
          glib = g_date_time_format_iso8601 (date_time);
          g_assert_cmpstr (ours, ==, glib);
          checked++;
        }
  g_assert_cmpuint (checked, >, 150);
}

/* Kinds */

static void
test_kind_for_type (void)
{
  const struct
  {
    GType type;
    GormValueKind kind;
  } supported[] = {
    { G_TYPE_BOOLEAN, GORM_VALUE_KIND_BOOLEAN },
    { G_TYPE_CHAR, GORM_VALUE_KIND_INT },
    { G_TYPE_INT, GORM_VALUE_KIND_INT },
    { G_TYPE_LONG, GORM_VALUE_KIND_INT },
    { G_TYPE_INT64, GORM_VALUE_KIND_INT },
    { G_TYPE_UCHAR, GORM_VALUE_KIND_UINT },
    { G_TYPE_UINT, GORM_VALUE_KIND_UINT },
    { G_TYPE_ULONG, GORM_VALUE_KIND_UINT },
    { G_TYPE_UINT64, GORM_VALUE_KIND_UINT },
    { G_TYPE_FLOAT, GORM_VALUE_KIND_DOUBLE },
    { G_TYPE_DOUBLE, GORM_VALUE_KIND_DOUBLE },
    { G_TYPE_STRING, GORM_VALUE_KIND_STRING },
    { TEST_TYPE_COLOR, GORM_VALUE_KIND_ENUM },
    { G_TYPE_UNICODE_TYPE, GORM_VALUE_KIND_ENUM },
    { TEST_TYPE_PERMS, GORM_VALUE_KIND_FLAGS },
    { G_TYPE_BINDING_FLAGS, GORM_VALUE_KIND_FLAGS },
    { G_TYPE_DATE_TIME, GORM_VALUE_KIND_DATE_TIME },
    { G_TYPE_BYTES, GORM_VALUE_KIND_BYTES },
    { G_TYPE_STRV, GORM_VALUE_KIND_STRV },
  };
  const GType unsupported[] = {
    G_TYPE_INVALID, G_TYPE_NONE, G_TYPE_POINTER, G_TYPE_OBJECT, G_TYPE_VARIANT,
    G_TYPE_ENUM, G_TYPE_FLAGS, G_TYPE_BOXED, G_TYPE_HASH_TABLE, G_TYPE_GTYPE,
    G_TYPE_DATE, G_TYPE_BYTE_ARRAY, G_TYPE_ARRAY, GORM_TYPE_SQL_NULL,
    TEST_TYPE_VALUES,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (supported); i++)
    {
      GormValueKind kind = (GormValueKind) -1;

      g_test_message ("%s", g_type_name (supported[i].type));
      g_assert_true (gorm_value_kind_for_type (supported[i].type, &kind));
      g_assert_cmpint (kind, ==, supported[i].kind);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (unsupported); i++)
    {
      GormValueKind kind;

      g_test_message ("%s", g_type_name (unsupported[i]));
      g_assert_false (gorm_value_kind_for_type (unsupported[i], &kind));
    }
}

static void
test_kind_sql_type (void)
{
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_BOOLEAN) == G_TYPE_INT64);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_INT) == G_TYPE_INT64);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_UINT) == G_TYPE_INT64);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_FLAGS) == G_TYPE_INT64);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_DOUBLE) == G_TYPE_DOUBLE);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_STRING) == G_TYPE_STRING);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_ENUM) == G_TYPE_STRING);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_DATE_TIME) == G_TYPE_STRING);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_STRV) == G_TYPE_STRING);
  g_assert_true (gorm_value_kind_get_sql_type (GORM_VALUE_KIND_BYTES) == G_TYPE_BYTES);
}

static void
test_kind_nullable (void)
{
  g_assert_false (gorm_value_kind_is_nullable (GORM_VALUE_KIND_BOOLEAN));
  g_assert_false (gorm_value_kind_is_nullable (GORM_VALUE_KIND_INT));
  g_assert_false (gorm_value_kind_is_nullable (GORM_VALUE_KIND_UINT));
  g_assert_false (gorm_value_kind_is_nullable (GORM_VALUE_KIND_DOUBLE));
  g_assert_false (gorm_value_kind_is_nullable (GORM_VALUE_KIND_ENUM));
  g_assert_false (gorm_value_kind_is_nullable (GORM_VALUE_KIND_FLAGS));
  g_assert_true (gorm_value_kind_is_nullable (GORM_VALUE_KIND_STRING));
  g_assert_true (gorm_value_kind_is_nullable (GORM_VALUE_KIND_DATE_TIME));
  g_assert_true (gorm_value_kind_is_nullable (GORM_VALUE_KIND_BYTES));
  g_assert_true (gorm_value_kind_is_nullable (GORM_VALUE_KIND_STRV));
}

/* Integers: to SQL and back */

static void
test_boolean_round_trip (void)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  to_sql_int64 ("published", set_value (&value, G_TYPE_BOOLEAN, TRUE), 1);
  to_sql_int64 ("published", set_value (&value, G_TYPE_BOOLEAN, FALSE), 0);

  from_sql_ok ("published", set_value (&sql_value, G_TYPE_INT64, (gint64) 1), &value);
  g_assert_true (g_value_get_boolean (&value));
  from_sql_ok ("published", set_value (&sql_value, G_TYPE_INT64, (gint64) 0), &value);
  g_assert_false (g_value_get_boolean (&value));
}

/* Each case is converted from a gint64 or guint64 into the property's own
 * type, stored, compared with the expected SQL integer and read back. */
static void
check_integer_round_trip (const char   *name,
                          const GValue *source,
                          gint64        expected_sql)
{
  GParamSpec *pspec = find_pspec (name);
  g_auto(GValue) property_value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) back = G_VALUE_INIT;

  g_test_message ("%s", name);
  g_value_init (&property_value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_assert_true (g_value_transform (source, &property_value));

  to_sql_ok (name, &property_value, &sql_value);
  g_assert_true (G_VALUE_HOLDS_INT64 (&sql_value));
  g_assert_cmpint (g_value_get_int64 (&sql_value), ==, expected_sql);

  from_sql_ok (name, &sql_value, &back);
  g_assert_cmpint (g_param_values_cmp (pspec, &property_value, &back), ==, 0);
}

static void
test_signed_round_trip (void)
{
  const struct
  {
    const char *name;
    gint64 value;
  } cases[] = {
    { "grade", G_MININT8 },
    { "grade", G_MAXINT8 },
    { "grade", 0 },
    { "count", G_MININT },
    { "count", G_MAXINT },
    { "offset", G_MINLONG },
    { "offset", G_MAXLONG },
    { "views", G_MININT64 },
    { "views", G_MAXINT64 },
    { "views", -1 },
    { "views", 0 },
  };
  g_auto(GValue) source = G_VALUE_INIT;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    check_integer_round_trip (cases[i].name,
                              set_value (&source, G_TYPE_INT64, cases[i].value),
                              cases[i].value);
}

static void
test_unsigned_round_trip (void)
{
  const struct
  {
    const char *name;
    guint64 value;
    gint64 expected_sql;
  } cases[] = {
    { "level", 0, 0 },
    { "level", G_MAXUINT8, 255 },
    { "small", G_MAXUINT, G_GINT64_CONSTANT (4294967295) },
    { "big", 0, 0 },
    { "big", G_MAXINT64, G_MAXINT64 },
    /* Above G_MAXINT64 the same 64 bits are stored: two's complement. */
    { "big", (guint64) G_MAXINT64 + 1, G_MININT64 },
    { "big", G_MAXUINT64 - 1, -2 },
    { "big", G_MAXUINT64, -1 },
#if GLIB_SIZEOF_LONG == 8
    { "size", G_MAXULONG, -1 },
#else
    { "size", G_MAXULONG, G_GINT64_CONSTANT (4294967295) },
#endif
  };
  g_auto(GValue) source = G_VALUE_INIT;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    check_integer_round_trip (cases[i].name,
                              set_value (&source, G_TYPE_UINT64, cases[i].value),
                              cases[i].expected_sql);
}

/* Floating point: every bit survives */

static void
test_double_round_trip (void)
{
  const gdouble cases[] = {
    0.0, -0.0, 0.1, 1.0 / 3.0, -2.5,
    DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MIN / 3.0, DBL_MIN, DBL_MAX, -DBL_MAX,
    9007199254740993.0,
  };
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) back = G_VALUE_INIT;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      to_sql_ok ("score", set_value (&value, G_TYPE_DOUBLE, cases[i]), &sql_value);
      g_assert_true (G_VALUE_HOLDS_DOUBLE (&sql_value));
      assert_same_double (g_value_get_double (&sql_value), cases[i]);

      from_sql_ok ("score", &sql_value, &back);
      assert_same_double (g_value_get_double (&back), cases[i]);
    }
}

static void
test_float_round_trip (void)
{
  const gfloat cases[] = {
    0.0f, -0.0f, 0.1f, 1.0f / 3.0f, FLT_TRUE_MIN, -FLT_TRUE_MIN, FLT_MIN / 3.0f,
    FLT_MIN, FLT_MAX, -FLT_MAX, 16777217.0f,
  };
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) back = G_VALUE_INIT;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* A float is widened to a double exactly. */
      to_sql_ok ("ratio", set_value (&value, G_TYPE_FLOAT, (gdouble) cases[i]), &sql_value);
      g_assert_true (G_VALUE_HOLDS_DOUBLE (&sql_value));
      assert_same_double (g_value_get_double (&sql_value), (gdouble) cases[i]);

      from_sql_ok ("ratio", &sql_value, &back);
      g_assert_true (G_VALUE_HOLDS_FLOAT (&back));
      assert_same_float (g_value_get_float (&back), cases[i]);
    }
}

/* to_sql for the other kinds */

static void
test_to_sql_string (void)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  to_sql_string ("title", set_value (&value, G_TYPE_STRING, "Hello, \"world\""),
                 "Hello, \"world\"");
  to_sql_string ("title", set_value (&value, G_TYPE_STRING, "é日本"), "é日本");

  /* An empty string is not NULL. */
  to_sql_string ("title", set_value (&value, G_TYPE_STRING, ""), "");

  to_sql_ok ("title", set_value (&value, G_TYPE_STRING, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
}

static void
test_to_sql_enum (void)
{
  g_auto(GValue) value = G_VALUE_INIT;

  to_sql_string ("color", set_value (&value, TEST_TYPE_COLOR, TEST_COLOR_RED), "red");
  to_sql_string ("color", set_value (&value, TEST_TYPE_COLOR, TEST_COLOR_GREEN), "green");
  to_sql_string ("color", set_value (&value, TEST_TYPE_COLOR, TEST_COLOR_BLUE), "blue");
}

static void
test_to_sql_enum_invalid (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;
  GParamSpec *pspec = find_pspec ("color");

  /* 2 lies between GREEN and BLUE but has no GEnumValue. */
  set_value (&value, TEST_TYPE_COLOR, 2);
  g_assert_false (gorm_value_to_sql (GORM_VALUE_KIND_ENUM, pspec, &value, &sql_value, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_cmpstr (error->message, ==,
                   "Cannot store the TestColor 2 in TestValues:color, a TestColor property");
  g_assert_false (G_IS_VALUE (&sql_value));

  assert_to_sql_fails ("color", set_value (&value, TEST_TYPE_COLOR, -1));
}

static void
test_to_sql_flags (void)
{
  g_auto(GValue) value = G_VALUE_INIT;

  to_sql_int64 ("perms", set_value (&value, TEST_TYPE_PERMS, 0), 0);
  to_sql_int64 ("perms", set_value (&value, TEST_TYPE_PERMS, TEST_PERMS_READ | TEST_PERMS_EXEC), 9);
  to_sql_int64 ("perms",
                set_value (&value, TEST_TYPE_PERMS,
                           TEST_PERMS_READ | TEST_PERMS_WRITE | TEST_PERMS_EXEC),
                11);
}

static void
test_to_sql_date_time (void)
{
  g_autoptr(GDateTime) kolkata = new_date_time ("+05:30", 2024, 3, 5, 18, 33, 2, 5000);
  g_autoptr(GDateTime) utc = new_date_time ("UTC", 2024, 3, 5, 13, 3, 2, 5000);
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) back = G_VALUE_INIT;

  to_sql_string ("created", set_value (&value, G_TYPE_DATE_TIME, kolkata),
                 "2024-03-05T13:03:02.005000Z");

  to_sql_ok ("created", &value, &sql_value);
  from_sql_ok ("created", &sql_value, &back);
  g_assert_true (g_date_time_equal (g_value_get_boxed (&back), utc));
  g_assert_cmpint (g_date_time_get_utc_offset (g_value_get_boxed (&back)), ==, 0);

  to_sql_ok ("created", set_value (&value, G_TYPE_DATE_TIME, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
}

static void
test_to_sql_date_time_out_of_range (void)
{
  /* In UTC this instant falls in the year 10000, which GDateTime and the
   * four-digit format cannot hold. */
  g_autoptr(GDateTime) late = new_date_time ("-05:00", 9999, 12, 31, 23, 0, 0, 0);
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_null (gorm_value_format_date_time (late));
  assert_to_sql_fails ("created", set_value (&value, G_TYPE_DATE_TIME, late));
}

static void
test_to_sql_bytes (void)
{
  static const guchar data[] = { 0, 1, 'a', 0xff, 0 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, sizeof data);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  to_sql_ok ("data", set_value (&value, G_TYPE_BYTES, bytes), &sql_value);
  assert_binary (&sql_value, data, sizeof data);

  /* An empty blob is an empty GBytes, not NULL. */
  to_sql_ok ("data", set_value (&value, G_TYPE_BYTES, empty), &sql_value);
  assert_binary (&sql_value, "", 0);
  g_assert_nonnull (g_value_get_boxed (&sql_value));

  to_sql_ok ("data", set_value (&value, G_TYPE_BYTES, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
}

static void
test_to_sql_strv (void)
{
  const char * const tags[] = { "a", "b \"q\"", "é", "x,y", NULL };
  const char * const none[] = { NULL };
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  to_sql_string ("tags", set_value (&value, G_TYPE_STRV, tags),
                 "[\"a\",\"b \\\"q\\\"\",\"é\",\"x,y\"]");
  to_sql_string ("tags", set_value (&value, G_TYPE_STRV, none), "[]");

  to_sql_ok ("tags", set_value (&value, G_TYPE_STRV, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
}

static void
test_to_sql_strv_invalid_utf8 (void)
{
  const char * const tags[] = { "ok", "bad \xff", NULL };
  g_auto(GValue) value = G_VALUE_INIT;

  /* Invalid UTF-8 cannot be written as JSON, so it would never read back. */
  assert_to_sql_fails ("tags", set_value (&value, G_TYPE_STRV, tags));
}

/* from_sql */

static void
test_from_sql_null_nullable (void)
{
  const char * const names[] = { "title", "created", "data", "tags" };
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  set_null (&sql_value);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      from_sql_ok (names[i], &sql_value, &value);
      g_assert_null (g_value_peek_pointer (&value));

      /* libgda may also hand over no GValue at all. */
      from_sql_ok (names[i], NULL, &value);
      g_assert_null (g_value_peek_pointer (&value));
    }
}

static void
test_from_sql_null_default (void)
{
  const char * const names[] = {
    "published", "grade", "level", "count", "rating", "small", "offset", "size",
    "views", "big", "ratio", "score", "fraction", "color", "perms",
  };
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) expected = G_VALUE_INIT;

  /* Old rows hold NULL in a column that a migration added later. */
  set_null (&sql_value);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = find_pspec (names[i]);

      g_value_unset (&expected);
      g_value_init (&expected, G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_param_value_set_default (pspec, &expected);

      from_sql_ok (names[i], &sql_value, &value);
      g_assert_cmpint (g_param_values_cmp (pspec, &value, &expected), ==, 0);
      from_sql_ok (names[i], NULL, &value);
      g_assert_cmpint (g_param_values_cmp (pspec, &value, &expected), ==, 0);
    }

  /* Spot checks that the defaults are the pspecs' rather than zeroes. */
  from_sql_ok ("views", &sql_value, &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 7);
  from_sql_ok ("grade", &sql_value, &value);
  g_assert_cmpint (g_value_get_schar (&value), ==, -3);
  from_sql_ok ("rating", &sql_value, &value);
  g_assert_cmpint (g_value_get_int (&value), ==, 3);
  from_sql_ok ("published", &sql_value, &value);
  g_assert_true (g_value_get_boolean (&value));
  from_sql_ok ("score", &sql_value, &value);
  assert_same_double (g_value_get_double (&value), 0.5);
  from_sql_ok ("color", &sql_value, &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, TEST_COLOR_GREEN);
  from_sql_ok ("perms", &sql_value, &value);
  g_assert_cmpuint (g_value_get_flags (&value), ==, TEST_PERMS_READ);
}

static void
test_from_sql_boolean (void)
{
  const gint64 true_cases[] = { 1, 2, -1, G_MAXINT64, G_MININT64 };
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  from_sql_ok ("published", set_value (&sql_value, G_TYPE_INT64, (gint64) 0), &value);
  g_assert_false (g_value_get_boolean (&value));

  /* Any nonzero integer is TRUE. */
  for (gsize i = 0; i < G_N_ELEMENTS (true_cases); i++)
    {
      from_sql_ok ("published", set_value (&sql_value, G_TYPE_INT64, true_cases[i]), &value);
      g_assert_true (g_value_get_boolean (&value));
    }

  from_sql_ok ("published", set_value (&sql_value, G_TYPE_INT, 7), &value);
  g_assert_true (g_value_get_boolean (&value));
  from_sql_ok ("published", set_value (&sql_value, G_TYPE_UINT, 0), &value);
  g_assert_false (g_value_get_boolean (&value));
  from_sql_ok ("published", set_value (&sql_value, G_TYPE_BOOLEAN, TRUE), &value);
  g_assert_true (g_value_get_boolean (&value));
  from_sql_ok ("published", set_value (&sql_value, G_TYPE_DOUBLE, 1.0), &value);
  g_assert_true (g_value_get_boolean (&value));

  assert_from_sql_fails ("published", set_value (&sql_value, G_TYPE_DOUBLE, 0.5));
  assert_from_sql_fails ("published", set_value (&sql_value, G_TYPE_STRING, "1"));
  assert_from_sql_fails ("published", set_value (&sql_value, G_TYPE_STRING, "true"));
}

static void
test_from_sql_signed_range (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;
  GParamSpec *pspec = find_pspec ("grade");

  from_sql_ok ("grade", set_value (&sql_value, G_TYPE_INT64, (gint64) 127), &value);
  g_assert_cmpint (g_value_get_schar (&value), ==, 127);
  from_sql_ok ("grade", set_value (&sql_value, G_TYPE_INT64, (gint64) -128), &value);
  g_assert_cmpint (g_value_get_schar (&value), ==, -128);

  assert_from_sql_fails ("grade", set_value (&sql_value, G_TYPE_INT64, (gint64) 128));
  assert_from_sql_fails ("grade", set_value (&sql_value, G_TYPE_INT64, (gint64) -129));
  assert_from_sql_fails ("grade", set_value (&sql_value, G_TYPE_INT64, G_MAXINT64));
  assert_from_sql_fails ("count", set_value (&sql_value, G_TYPE_INT64, (gint64) G_MAXINT + 1));
  assert_from_sql_fails ("count", set_value (&sql_value, G_TYPE_INT64, (gint64) G_MININT - 1));

  set_value (&sql_value, G_TYPE_INT64, (gint64) 300);
  g_value_unset (&value);
  g_assert_false (gorm_value_from_sql (GORM_VALUE_KIND_INT, pspec, &sql_value, &value, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_cmpstr (error->message, ==,
                   "The stored gint64 300 does not fit TestValues:grade, a gchar property");
  g_assert_false (G_IS_VALUE (&value));
}

static void
test_from_sql_unsigned_range (void)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  /* A stored negative integer is a guint64 above G_MAXINT64. */
  from_sql_ok ("big", set_value (&sql_value, G_TYPE_INT64, (gint64) -1), &value);
  g_assert_cmpuint (g_value_get_uint64 (&value), ==, G_MAXUINT64);
  from_sql_ok ("big", set_value (&sql_value, G_TYPE_INT64, G_MININT64), &value);
  g_assert_cmpuint (g_value_get_uint64 (&value), ==, (guint64) G_MAXINT64 + 1);
  from_sql_ok ("big", set_value (&sql_value, G_TYPE_INT, -2), &value);
  g_assert_cmpuint (g_value_get_uint64 (&value), ==, G_MAXUINT64 - 1);

  from_sql_ok ("level", set_value (&sql_value, G_TYPE_INT64, (gint64) 255), &value);
  g_assert_cmpuint (g_value_get_uchar (&value), ==, 255);
  assert_from_sql_fails ("level", set_value (&sql_value, G_TYPE_INT64, (gint64) 256));
  assert_from_sql_fails ("level", set_value (&sql_value, G_TYPE_INT64, (gint64) -1));

  from_sql_ok ("small", set_value (&sql_value, G_TYPE_UINT, G_MAXUINT), &value);
  g_assert_cmpuint (g_value_get_uint (&value), ==, G_MAXUINT);
  assert_from_sql_fails ("small", set_value (&sql_value, G_TYPE_INT64, (gint64) G_MAXUINT + 1));
  assert_from_sql_fails ("small", set_value (&sql_value, G_TYPE_INT64, (gint64) -1));

  from_sql_ok ("size", set_value (&sql_value, G_TYPE_INT64, (gint64) 42), &value);
  g_assert_cmpuint (g_value_get_ulong (&value), ==, 42);
}

static void
test_from_sql_pspec_range (void)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  /* "rating" fits a gint but the pspec allows only 1 to 5. */
  from_sql_ok ("rating", set_value (&sql_value, G_TYPE_INT64, (gint64) 1), &value);
  g_assert_cmpint (g_value_get_int (&value), ==, 1);
  from_sql_ok ("rating", set_value (&sql_value, G_TYPE_INT64, (gint64) 5), &value);
  g_assert_cmpint (g_value_get_int (&value), ==, 5);
  assert_from_sql_fails ("rating", set_value (&sql_value, G_TYPE_INT64, (gint64) 0));
  assert_from_sql_fails ("rating", set_value (&sql_value, G_TYPE_INT64, (gint64) 6));

  from_sql_ok ("fraction", set_value (&sql_value, G_TYPE_DOUBLE, 1.0), &value);
  assert_same_double (g_value_get_double (&value), 1.0);
  assert_from_sql_fails ("fraction", set_value (&sql_value, G_TYPE_DOUBLE, 1.5));
  assert_from_sql_fails ("fraction", set_value (&sql_value, G_TYPE_DOUBLE, -DBL_TRUE_MIN));
}

static void
test_from_sql_libgda_types (void)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  /* SQLite hands integers back as gint unless told otherwise. */
  from_sql_ok ("views", set_value (&sql_value, G_TYPE_INT, -5), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, -5);
  from_sql_ok ("views", set_value (&sql_value, G_TYPE_UINT, G_MAXUINT), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, G_MAXUINT);
  from_sql_ok ("views", set_value (&sql_value, G_TYPE_BOOLEAN, TRUE), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 1);
  from_sql_ok ("count", set_value (&sql_value, G_TYPE_DOUBLE, 12.0), &value);
  g_assert_cmpint (g_value_get_int (&value), ==, 12);

  assert_from_sql_fails ("count", set_value (&sql_value, G_TYPE_DOUBLE, 12.5));
  assert_from_sql_fails ("views", set_value (&sql_value, G_TYPE_DOUBLE, 9223372036854775808.0));
  assert_from_sql_fails ("views", set_value (&sql_value, G_TYPE_DOUBLE, NAN));
  assert_from_sql_fails ("views", set_value (&sql_value, G_TYPE_STRING, "12"));
}

static void
test_from_sql_double (void)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  from_sql_ok ("score", set_value (&sql_value, G_TYPE_INT64, G_GINT64_CONSTANT (9007199254740992)),
               &value);
  assert_same_double (g_value_get_double (&value), 9007199254740992.0);
  from_sql_ok ("score", set_value (&sql_value, G_TYPE_INT, -3), &value);
  assert_same_double (g_value_get_double (&value), -3.0);

  /* 2^53 + 1 and G_MAXINT64 have no exact double. */
  assert_from_sql_fails ("score",
                         set_value (&sql_value, G_TYPE_INT64, G_GINT64_CONSTANT (9007199254740993)));
  assert_from_sql_fails ("score", set_value (&sql_value, G_TYPE_INT64, G_MAXINT64));

  /* GObject refuses NaN and infinities for a double property whose range
   * is -G_MAXDOUBLE to G_MAXDOUBLE. */
  assert_from_sql_fails ("score", set_value (&sql_value, G_TYPE_DOUBLE, NAN));
  assert_from_sql_fails ("score", set_value (&sql_value, G_TYPE_DOUBLE, INFINITY));
  assert_from_sql_fails ("score", set_value (&sql_value, G_TYPE_DOUBLE, -INFINITY));
  assert_from_sql_fails ("score", set_value (&sql_value, G_TYPE_STRING, "1.5"));
}

static void
test_from_sql_float (void)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  /* A double that a float cannot hold exactly is rounded by the cast. */
  from_sql_ok ("ratio", set_value (&sql_value, G_TYPE_DOUBLE, 0.1), &value);
  assert_same_float (g_value_get_float (&value), (gfloat) 0.1);
  from_sql_ok ("ratio", set_value (&sql_value, G_TYPE_DOUBLE, (gdouble) FLT_MAX), &value);
  assert_same_float (g_value_get_float (&value), FLT_MAX);
  from_sql_ok ("ratio", set_value (&sql_value, G_TYPE_DOUBLE, -0.0), &value);
  assert_same_float (g_value_get_float (&value), -0.0f);
  from_sql_ok ("ratio", set_value (&sql_value, G_TYPE_INT64, (gint64) 16777216), &value);
  assert_same_float (g_value_get_float (&value), 16777216.0f);

  /* Beyond the range of float there is nothing to round to, even for a
   * property that accepts infinities. */
  assert_from_sql_fails ("ratio", set_value (&sql_value, G_TYPE_DOUBLE, 1e39));
  assert_from_sql_fails ("ratio", set_value (&sql_value, G_TYPE_DOUBLE, -DBL_MAX));
  assert_from_sql_fails ("unbounded", set_value (&sql_value, G_TYPE_DOUBLE, 1e39));
  assert_from_sql_fails ("unbounded", set_value (&sql_value, G_TYPE_DOUBLE, -DBL_MAX));
  from_sql_ok ("unbounded", set_value (&sql_value, G_TYPE_DOUBLE, -INFINITY), &value);
  assert_same_float (g_value_get_float (&value), -INFINITY);
  assert_from_sql_fails ("ratio", set_value (&sql_value, G_TYPE_DOUBLE, NAN));
  assert_from_sql_fails ("ratio", set_value (&sql_value, G_TYPE_STRING, "0.5"));
}

static void
test_from_sql_string (void)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  from_sql_ok ("title", set_value (&sql_value, G_TYPE_STRING, "é \"x\""), &value);
  g_assert_cmpstr (g_value_get_string (&value), ==, "é \"x\"");
  from_sql_ok ("title", set_value (&sql_value, G_TYPE_STRING, ""), &value);
  g_assert_cmpstr (g_value_get_string (&value), ==, "");

  assert_from_sql_fails ("title", set_value (&sql_value, G_TYPE_INT64, (gint64) 5));
  assert_from_sql_fails ("title", set_value (&sql_value, G_TYPE_DOUBLE, 5.0));
}

static void
test_from_sql_enum (void)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  from_sql_ok ("color", set_value (&sql_value, G_TYPE_STRING, "blue"), &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, TEST_COLOR_BLUE);
  from_sql_ok ("color", set_value (&sql_value, G_TYPE_STRING, "red"), &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, TEST_COLOR_RED);

  /* The database holds nicks, and only nicks. */
  assert_from_sql_fails ("color", set_value (&sql_value, G_TYPE_STRING, "purple"));
  assert_from_sql_fails ("color", set_value (&sql_value, G_TYPE_STRING, "Blue"));
  assert_from_sql_fails ("color", set_value (&sql_value, G_TYPE_STRING, "TEST_COLOR_BLUE"));
  assert_from_sql_fails ("color", set_value (&sql_value, G_TYPE_STRING, ""));
  assert_from_sql_fails ("color", set_value (&sql_value, G_TYPE_INT64, (gint64) 5));
}

static void
test_from_sql_flags (void)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  from_sql_ok ("perms", set_value (&sql_value, G_TYPE_INT64, (gint64) 0), &value);
  g_assert_cmpuint (g_value_get_flags (&value), ==, 0);
  from_sql_ok ("perms", set_value (&sql_value, G_TYPE_INT64, (gint64) 11), &value);
  g_assert_cmpuint (g_value_get_flags (&value), ==,
                    TEST_PERMS_READ | TEST_PERMS_WRITE | TEST_PERMS_EXEC);
  from_sql_ok ("perms", set_value (&sql_value, G_TYPE_INT, 2), &value);
  g_assert_cmpuint (g_value_get_flags (&value), ==, TEST_PERMS_WRITE);

  /* Bit 2 and bit 4 belong to no flag; the rest cannot be flags at all. */
  assert_from_sql_fails ("perms", set_value (&sql_value, G_TYPE_INT64, (gint64) 4));
  assert_from_sql_fails ("perms", set_value (&sql_value, G_TYPE_INT64, (gint64) 17));
  assert_from_sql_fails ("perms", set_value (&sql_value, G_TYPE_INT64, (gint64) -1));
  assert_from_sql_fails ("perms", set_value (&sql_value, G_TYPE_INT64, G_GINT64_CONSTANT (1) << 32));
  assert_from_sql_fails ("perms",
                         set_value (&sql_value, G_TYPE_INT64, (G_GINT64_CONSTANT (1) << 32) | 1));
  assert_from_sql_fails ("perms", set_value (&sql_value, G_TYPE_STRING, "read"));
}

static void
test_from_sql_date_time (void)
{
  g_autoptr(GDateTime) expected = new_date_time ("UTC", 2024, 3, 5, 13, 3, 2, 5000);
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  from_sql_ok ("created", set_value (&sql_value, G_TYPE_STRING, "2024-03-05T13:03:02.005000Z"),
               &value);
  g_assert_true (g_date_time_equal (g_value_get_boxed (&value), expected));
  from_sql_ok ("created", set_value (&sql_value, G_TYPE_STRING, "2024-03-05 18:33:02.005+05:30"),
               &value);
  g_assert_true (g_date_time_equal (g_value_get_boxed (&value), expected));

  assert_from_sql_fails ("created", set_value (&sql_value, G_TYPE_STRING, "yesterday"));
  assert_from_sql_fails ("created", set_value (&sql_value, G_TYPE_STRING, "2024-02-30"));
  assert_from_sql_fails ("created", set_value (&sql_value, G_TYPE_INT64, G_GINT64_CONSTANT (1709643782)));
}

static void
test_from_sql_bytes (void)
{
  static const guchar data[] = { 'a', 0, 0xfe };
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, sizeof data);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  /* The connection hands BLOBs up as GBytes. */
  from_sql_ok ("data", set_value (&sql_value, G_TYPE_BYTES, bytes), &value);
  assert_bytes (&value, data, sizeof data);

  /* An empty blob is an empty GBytes, not NULL. */
  from_sql_ok ("data", set_value (&sql_value, G_TYPE_BYTES, empty), &value);
  assert_bytes (&value, "", 0);

  assert_from_sql_fails ("data", set_value (&sql_value, G_TYPE_STRING, "abc"));
  assert_from_sql_fails ("data", set_value (&sql_value, G_TYPE_INT64, (gint64) 1));
}

static void
test_from_sql_strv (void)
{
  const char * const expected[] = { "a", "b,c", "", NULL };
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;
  const char * const *strv;

  from_sql_ok ("tags", set_value (&sql_value, G_TYPE_STRING, "[\"a\",\"b,c\",\"\"]"), &value);
  g_assert_cmpstrv (g_value_get_boxed (&value), expected);

  from_sql_ok ("tags", set_value (&sql_value, G_TYPE_STRING, "[]"), &value);
  strv = g_value_get_boxed (&value);
  g_assert_nonnull (strv);
  g_assert_null (strv[0]);

  assert_from_sql_fails ("tags", set_value (&sql_value, G_TYPE_STRING, "[1]"));
  assert_from_sql_fails ("tags", set_value (&sql_value, G_TYPE_STRING, "a,b"));
  assert_from_sql_fails ("tags", set_value (&sql_value, G_TYPE_STRING, ""));
  assert_from_sql_fails ("tags", set_value (&sql_value, G_TYPE_INT64, (gint64) 0));
}

/* coerce */

static void
test_coerce_integer (void)
{
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  /* Python ints arrive as gint, JS numbers as gdouble. */
  coerce_ok ("views", set_value (&source, G_TYPE_INT, 5), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 5);
  coerce_ok ("views", set_value (&source, G_TYPE_DOUBLE, 5.0), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 5);
  coerce_ok ("views", set_value (&source, G_TYPE_DOUBLE, -0.0), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 0);
  coerce_ok ("views", set_value (&source, G_TYPE_DOUBLE, 1152921504606846976.0), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, G_GINT64_CONSTANT (1152921504606846976));
  coerce_ok ("views", set_value (&source, G_TYPE_DOUBLE, -9223372036854775808.0), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, G_MININT64);
  coerce_ok ("views", set_value (&source, G_TYPE_UINT64, (guint64) G_MAXINT64), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, G_MAXINT64);
  coerce_ok ("big", set_value (&source, G_TYPE_DOUBLE, 1e19), &value);
  g_assert_cmpuint (g_value_get_uint64 (&value), ==, G_GUINT64_CONSTANT (10000000000000000000));
  coerce_ok ("count", set_value (&source, G_TYPE_BOOLEAN, TRUE), &value);
  g_assert_cmpint (g_value_get_int (&value), ==, 1);
  coerce_ok ("count", set_value (&source, G_TYPE_CHAR, -5), &value);
  g_assert_cmpint (g_value_get_int (&value), ==, -5);
  coerce_ok ("count", set_value (&source, G_TYPE_FLOAT, 3.0), &value);
  g_assert_cmpint (g_value_get_int (&value), ==, 3);
  coerce_ok ("grade", set_value (&source, G_TYPE_INT, -128), &value);
  g_assert_cmpint (g_value_get_schar (&value), ==, -128);
  coerce_ok ("level", set_value (&source, G_TYPE_INT64, (gint64) 255), &value);
  g_assert_cmpuint (g_value_get_uchar (&value), ==, 255);
  coerce_ok ("offset", set_value (&source, G_TYPE_LONG, G_MAXLONG), &value);
  g_assert_cmpint (g_value_get_long (&value), ==, G_MAXLONG);
  coerce_ok ("size", set_value (&source, G_TYPE_ULONG, G_MAXULONG), &value);
  g_assert_cmpuint (g_value_get_ulong (&value), ==, G_MAXULONG);
  coerce_ok ("rating", set_value (&source, G_TYPE_UINT, 5), &value);
  g_assert_cmpint (g_value_get_int (&value), ==, 5);
}

static void
test_coerce_integer_refused (void)
{
  g_auto(GValue) source = G_VALUE_INIT;

  assert_coerce_fails ("views", set_value (&source, G_TYPE_DOUBLE, 5.5));
  assert_coerce_fails ("views", set_value (&source, G_TYPE_DOUBLE, 9223372036854775808.0));
  assert_coerce_fails ("views", set_value (&source, G_TYPE_DOUBLE, NAN));
  assert_coerce_fails ("views", set_value (&source, G_TYPE_DOUBLE, INFINITY));
  assert_coerce_fails ("views", set_value (&source, G_TYPE_UINT64, G_MAXUINT64));
  assert_coerce_fails ("big", set_value (&source, G_TYPE_DOUBLE, 18446744073709551616.0));
  /* Unlike a stored value, a user's -1 is never a wrapped guint64. */
  assert_coerce_fails ("big", set_value (&source, G_TYPE_INT, -1));
  assert_coerce_fails ("small", set_value (&source, G_TYPE_INT, -1));
  assert_coerce_fails ("level", set_value (&source, G_TYPE_INT, 256));
  assert_coerce_fails ("grade", set_value (&source, G_TYPE_INT, 128));
  assert_coerce_fails ("grade", set_value (&source, G_TYPE_INT, -129));
  assert_coerce_fails ("grade", set_value (&source, G_TYPE_UCHAR, 200));
  assert_coerce_fails ("count", set_value (&source, G_TYPE_INT64, (gint64) G_MAXINT + 1));
  assert_coerce_fails ("rating", set_value (&source, G_TYPE_INT, 0));
  assert_coerce_fails ("rating", set_value (&source, G_TYPE_INT, 6));
  assert_coerce_fails ("count", set_value (&source, G_TYPE_STRING, "5"));
  assert_coerce_fails ("count", set_value (&source, TEST_TYPE_COLOR, TEST_COLOR_BLUE));
  assert_coerce_fails ("count", set_value (&source, TEST_TYPE_PERMS, TEST_PERMS_READ));
  assert_coerce_fails ("count", set_value (&source, G_TYPE_POINTER, NULL));
  assert_coerce_fails ("count", set_null (&source));
}

static void
test_coerce_message (void)
{
  g_auto(GValue) source = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) null_error = NULL;

  error = coerce_error ("views", set_value (&source, G_TYPE_STRING, "abc"));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_cmpstr (error->message, ==,
                   "Cannot store the gchararray \"abc\" in TestValues:views, a gint64 property");

  null_error = coerce_error ("color", set_null (&source));
  g_assert_error (null_error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_cmpstr (null_error->message, ==,
                   "Cannot store NULL in TestValues:color, a TestColor property");
}

static void
test_coerce_double (void)
{
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  coerce_ok ("score", set_value (&source, G_TYPE_INT, 3), &value);
  assert_same_double (g_value_get_double (&value), 3.0);
  coerce_ok ("score", set_value (&source, G_TYPE_INT64, G_GINT64_CONSTANT (9007199254740992)),
             &value);
  assert_same_double (g_value_get_double (&value), 9007199254740992.0);
  coerce_ok ("score", set_value (&source, G_TYPE_INT64, G_MININT64), &value);
  assert_same_double (g_value_get_double (&value), -9223372036854775808.0);
  coerce_ok ("score", set_value (&source, G_TYPE_UINT64, (guint64) G_MAXINT64 + 1), &value);
  assert_same_double (g_value_get_double (&value), 9223372036854775808.0);
  coerce_ok ("score", set_value (&source, G_TYPE_FLOAT, (gdouble) 0.1f), &value);
  assert_same_double (g_value_get_double (&value), (gdouble) 0.1f);
  coerce_ok ("score", set_value (&source, G_TYPE_DOUBLE, -0.0), &value);
  assert_same_double (g_value_get_double (&value), -0.0);
  coerce_ok ("score", set_value (&source, G_TYPE_DOUBLE, DBL_TRUE_MIN), &value);
  assert_same_double (g_value_get_double (&value), DBL_TRUE_MIN);
  coerce_ok ("score", set_value (&source, G_TYPE_BOOLEAN, TRUE), &value);
  assert_same_double (g_value_get_double (&value), 1.0);

  assert_coerce_fails ("score",
                       set_value (&source, G_TYPE_INT64, G_GINT64_CONSTANT (9007199254740993)));
  assert_coerce_fails ("score", set_value (&source, G_TYPE_INT64, G_MAXINT64));
  assert_coerce_fails ("score", set_value (&source, G_TYPE_UINT64, G_MAXUINT64));
  assert_coerce_fails ("score", set_value (&source, G_TYPE_STRING, "1.5"));
  assert_coerce_fails ("fraction", set_value (&source, G_TYPE_INT, 2));
  assert_coerce_fails ("fraction", set_value (&source, G_TYPE_DOUBLE, -0.5));
}

static void
test_coerce_float (void)
{
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  coerce_ok ("ratio", set_value (&source, G_TYPE_DOUBLE, 0.5), &value);
  assert_same_float (g_value_get_float (&value), 0.5f);
  coerce_ok ("ratio", set_value (&source, G_TYPE_DOUBLE, (gdouble) FLT_MAX), &value);
  assert_same_float (g_value_get_float (&value), FLT_MAX);
  coerce_ok ("ratio", set_value (&source, G_TYPE_DOUBLE, (gdouble) FLT_TRUE_MIN), &value);
  assert_same_float (g_value_get_float (&value), FLT_TRUE_MIN);
  coerce_ok ("ratio", set_value (&source, G_TYPE_DOUBLE, -0.0), &value);
  assert_same_float (g_value_get_float (&value), -0.0f);
  coerce_ok ("ratio", set_value (&source, G_TYPE_INT, 16777216), &value);
  assert_same_float (g_value_get_float (&value), 16777216.0f);
  coerce_ok ("ratio", set_value (&source, G_TYPE_INT64, G_GINT64_CONSTANT (1) << 60), &value);
  assert_same_float (g_value_get_float (&value), 1152921504606846976.0f);

  /* Each of these would change on the way into a float. */
  assert_coerce_fails ("ratio", set_value (&source, G_TYPE_DOUBLE, 0.1));
  assert_coerce_fails ("ratio", set_value (&source, G_TYPE_DOUBLE, (gdouble) FLT_TRUE_MIN / 2));
  assert_coerce_fails ("ratio", set_value (&source, G_TYPE_DOUBLE, (gdouble) FLT_MAX * 2));
  assert_coerce_fails ("ratio", set_value (&source, G_TYPE_DOUBLE, DBL_MAX));
  assert_coerce_fails ("ratio", set_value (&source, G_TYPE_INT, 16777217));
  assert_coerce_fails ("ratio", set_value (&source, G_TYPE_STRING, "0.5"));
}

static void
test_coerce_boolean (void)
{
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  coerce_ok ("published", set_value (&source, G_TYPE_BOOLEAN, TRUE), &value);
  g_assert_true (g_value_get_boolean (&value));
  coerce_ok ("published", set_value (&source, G_TYPE_BOOLEAN, FALSE), &value);
  g_assert_false (g_value_get_boolean (&value));
  coerce_ok ("published", set_value (&source, G_TYPE_INT, 1), &value);
  g_assert_true (g_value_get_boolean (&value));
  coerce_ok ("published", set_value (&source, G_TYPE_UINT64, (guint64) 0), &value);
  g_assert_false (g_value_get_boolean (&value));

  /* Only a boolean or the integers 0 and 1 are booleans: not 1.0. */
  assert_coerce_fails ("published", set_value (&source, G_TYPE_DOUBLE, 1.0));
  assert_coerce_fails ("published", set_value (&source, G_TYPE_DOUBLE, 0.0));
  assert_coerce_fails ("published", set_value (&source, G_TYPE_STRING, "1"));
  assert_coerce_fails ("published", set_value (&source, G_TYPE_STRING, "false"));
  assert_coerce_fails ("published", set_value (&source, G_TYPE_INT, 2));
  assert_coerce_fails ("published", set_value (&source, G_TYPE_INT, -1));
  assert_coerce_fails ("published", set_value (&source, G_TYPE_DOUBLE, 0.5));
  assert_coerce_fails ("published", set_value (&source, G_TYPE_STRING, "true"));
  assert_coerce_fails ("published", set_value (&source, TEST_TYPE_COLOR, TEST_COLOR_GREEN));
}

static void
test_coerce_string (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char * const tags[] = { "a", NULL };
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  coerce_ok ("title", set_value (&source, G_TYPE_STRING, "abc"), &value);
  g_assert_cmpstr (g_value_get_string (&value), ==, "abc");
  coerce_ok ("title", set_value (&source, G_TYPE_STRING, ""), &value);
  g_assert_cmpstr (g_value_get_string (&value), ==, "");
  coerce_ok ("title", set_value (&source, G_TYPE_STRING, NULL), &value);
  g_assert_null (g_value_get_string (&value));

  assert_coerce_fails ("title", set_value (&source, G_TYPE_INT, 5));
  assert_coerce_fails ("title", set_value (&source, G_TYPE_DOUBLE, 5.0));
  assert_coerce_fails ("title", set_value (&source, TEST_TYPE_COLOR, TEST_COLOR_BLUE));
  assert_coerce_fails ("title", set_value (&source, G_TYPE_DATE_TIME, now));
  assert_coerce_fails ("title", set_value (&source, G_TYPE_STRV, tags));
}

static void
test_coerce_enum (void)
{
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  coerce_ok ("color", set_value (&source, TEST_TYPE_COLOR, TEST_COLOR_BLUE), &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, TEST_COLOR_BLUE);
  coerce_ok ("color", set_value (&source, G_TYPE_INT, 5), &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, TEST_COLOR_BLUE);
  coerce_ok ("color", set_value (&source, G_TYPE_DOUBLE, 0.0), &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, TEST_COLOR_RED);
  coerce_ok ("color", set_value (&source, G_TYPE_STRING, "green"), &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, TEST_COLOR_GREEN);
  coerce_ok ("color", set_value (&source, G_TYPE_STRING, "TEST_COLOR_BLUE"), &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, TEST_COLOR_BLUE);

  assert_coerce_fails ("color", set_value (&source, TEST_TYPE_COLOR, 2));
  assert_coerce_fails ("color", set_value (&source, G_TYPE_INT, 2));
  assert_coerce_fails ("color", set_value (&source, G_TYPE_INT64, G_MAXINT64));
  assert_coerce_fails ("color", set_value (&source, G_TYPE_INT64, (gint64) G_MAXUINT + 5));
  assert_coerce_fails ("color", set_value (&source, G_TYPE_DOUBLE, 5.5));
  assert_coerce_fails ("color", set_value (&source, G_TYPE_STRING, "Blue"));
  assert_coerce_fails ("color", set_value (&source, G_TYPE_STRING, "purple"));
  assert_coerce_fails ("color", set_value (&source, G_TYPE_STRING, ""));
  /* 0 is a valid TestColor, but neither a TestShape nor FALSE is one. */
  assert_coerce_fails ("color", set_value (&source, TEST_TYPE_SHAPE, 0));
  assert_coerce_fails ("color", set_value (&source, G_TYPE_BOOLEAN, FALSE));
  assert_coerce_fails ("color", set_value (&source, TEST_TYPE_PERMS, 1));
}

static void
test_coerce_flags (void)
{
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  coerce_ok ("perms", set_value (&source, TEST_TYPE_PERMS, TEST_PERMS_READ | TEST_PERMS_WRITE),
             &value);
  g_assert_cmpuint (g_value_get_flags (&value), ==, TEST_PERMS_READ | TEST_PERMS_WRITE);
  coerce_ok ("perms", set_value (&source, G_TYPE_INT, 11), &value);
  g_assert_cmpuint (g_value_get_flags (&value), ==, 11);
  coerce_ok ("perms", set_value (&source, G_TYPE_UINT64, (guint64) 0), &value);
  g_assert_cmpuint (g_value_get_flags (&value), ==, 0);

  assert_coerce_fails ("perms", set_value (&source, TEST_TYPE_PERMS, 4));
  assert_coerce_fails ("perms", set_value (&source, G_TYPE_INT, 4));
  assert_coerce_fails ("perms", set_value (&source, G_TYPE_INT, -1));
  assert_coerce_fails ("perms",
                       set_value (&source, G_TYPE_UINT64, (G_GUINT64_CONSTANT (1) << 32) | 1));
  assert_coerce_fails ("perms", set_value (&source, TEST_TYPE_OTHER_FLAGS, 1));
  assert_coerce_fails ("perms", set_value (&source, G_TYPE_STRING, "read"));
  assert_coerce_fails ("perms", set_value (&source, G_TYPE_BOOLEAN, TRUE));
  assert_coerce_fails ("perms", set_value (&source, TEST_TYPE_COLOR, TEST_COLOR_GREEN));
}

static void
test_coerce_date_time (void)
{
  g_autoptr(GDateTime) kolkata = new_date_time ("+05:30", 2024, 3, 5, 18, 33, 2, 0);
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  /* The user's GDateTime, zone and all, is kept. */
  coerce_ok ("created", set_value (&source, G_TYPE_DATE_TIME, kolkata), &value);
  g_assert_true (g_value_get_boxed (&value) == kolkata);

  coerce_ok ("created", set_value (&source, G_TYPE_STRING, "2024-03-05T13:03:02Z"), &value);
  g_assert_true (g_date_time_equal (g_value_get_boxed (&value), kolkata));

  coerce_ok ("created", set_value (&source, G_TYPE_DATE_TIME, NULL), &value);
  g_assert_null (g_value_get_boxed (&value));

  assert_coerce_fails ("created", set_value (&source, G_TYPE_STRING, "2024-03-05T25:00"));
  assert_coerce_fails ("created", set_value (&source, G_TYPE_INT64, G_GINT64_CONSTANT (1709643782)));
  assert_coerce_fails ("created", set_value (&source, G_TYPE_DOUBLE, 1709643782.0));
}

static void
test_coerce_bytes (void)
{
  static const guchar data[] = { 1, 2, 3 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, sizeof data);
  const char * const tags[] = { "a", NULL };
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  coerce_ok ("data", set_value (&source, G_TYPE_BYTES, bytes), &value);
  g_assert_true (g_value_get_boxed (&value) == bytes);
  coerce_ok ("data", set_value (&source, G_TYPE_BYTES, NULL), &value);
  g_assert_null (g_value_get_boxed (&value));

  assert_coerce_fails ("data", set_value (&source, G_TYPE_STRING, "abc"));
  assert_coerce_fails ("data", set_value (&source, G_TYPE_STRV, tags));
  assert_coerce_fails ("data", set_value (&source, G_TYPE_INT, 0));
}

static void
test_coerce_strv (void)
{
  const char * const tags[] = { "a", "b", NULL };
  g_autoptr(GBytes) bytes = g_bytes_new ("x", 1);
  g_auto(GValue) source = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  coerce_ok ("tags", set_value (&source, G_TYPE_STRV, tags), &value);
  g_assert_cmpstrv (g_value_get_boxed (&value), tags);
  coerce_ok ("tags", set_value (&source, G_TYPE_STRV, NULL), &value);
  g_assert_null (g_value_get_boxed (&value));

  /* JSON text is how the database stores arrays, not how users pass them. */
  assert_coerce_fails ("tags", set_value (&source, G_TYPE_STRING, "[\"a\"]"));
  assert_coerce_fails ("tags", set_value (&source, G_TYPE_BYTES, bytes));
  assert_coerce_fails ("tags", set_value (&source, G_TYPE_INT, 1));
}

static void
test_coerce_null (void)
{
  const char * const nullable[] = { "title", "created", "data", "tags" };
  const char * const not_nullable[] = {
    "published", "grade", "level", "count", "views", "big", "ratio", "score", "color", "perms",
  };
  g_autoptr(GHashTable) table = g_hash_table_new (NULL, NULL);
  g_auto(GValue) gda_null = G_VALUE_INIT;
  g_auto(GValue) pointer = G_VALUE_INIT;
  g_auto(GValue) string = G_VALUE_INIT;
  g_auto(GValue) boxed = G_VALUE_INIT;
  g_auto(GValue) not_null = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;
  const GValue *nulls[] = { &gda_null, &pointer, &string, &boxed };

  set_null (&gda_null);
  set_value (&pointer, G_TYPE_POINTER, NULL);
  set_value (&string, G_TYPE_STRING, NULL);
  set_value (&boxed, G_TYPE_HASH_TABLE, NULL);

  for (gsize n = 0; n < G_N_ELEMENTS (nulls); n++)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (nullable); i++)
        {
          coerce_ok (nullable[i], nulls[n], &value);
          g_assert_null (g_value_peek_pointer (&value));
        }
      for (gsize i = 0; i < G_N_ELEMENTS (not_nullable); i++)
        assert_coerce_fails (not_nullable[i], nulls[n]);
    }

  /* A pointer that is not NULL is no value at all. */
  assert_coerce_fails ("title", set_value (&not_null, G_TYPE_POINTER, &value));
  assert_coerce_fails ("data", set_value (&not_null, G_TYPE_HASH_TABLE, table));
}

/* from_user */

static void
from_user_int64 (const GValue *value,
                 gint64        expected)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;

  from_user_ok (value, &sql_value);
  g_assert_true (G_VALUE_HOLDS_INT64 (&sql_value));
  g_assert_cmpint (g_value_get_int64 (&sql_value), ==, expected);
}

static void
from_user_string (const GValue *value,
                  const char   *expected)
{
  g_auto(GValue) sql_value = G_VALUE_INIT;

  from_user_ok (value, &sql_value);
  g_assert_true (G_VALUE_HOLDS_STRING (&sql_value));
  g_assert_cmpstr (g_value_get_string (&sql_value), ==, expected);
}

static void
test_from_user_integers (void)
{
  g_auto(GValue) value = G_VALUE_INIT;

  from_user_int64 (set_value (&value, G_TYPE_BOOLEAN, TRUE), 1);
  from_user_int64 (set_value (&value, G_TYPE_BOOLEAN, FALSE), 0);
  from_user_int64 (set_value (&value, G_TYPE_CHAR, G_MININT8), G_MININT8);
  from_user_int64 (set_value (&value, G_TYPE_UCHAR, G_MAXUINT8), G_MAXUINT8);
  from_user_int64 (set_value (&value, G_TYPE_INT, G_MININT), G_MININT);
  from_user_int64 (set_value (&value, G_TYPE_UINT, G_MAXUINT), G_MAXUINT);
  from_user_int64 (set_value (&value, G_TYPE_LONG, G_MINLONG), G_MINLONG);
  from_user_int64 (set_value (&value, G_TYPE_ULONG, (gulong) 12345), 12345);
  from_user_int64 (set_value (&value, G_TYPE_INT64, G_MININT64), G_MININT64);
  from_user_int64 (set_value (&value, G_TYPE_INT64, G_MAXINT64), G_MAXINT64);
  from_user_int64 (set_value (&value, G_TYPE_UINT64, G_MAXUINT64), -1);
  from_user_int64 (set_value (&value, G_TYPE_UINT64, (guint64) G_MAXINT64 + 1), G_MININT64);
  from_user_int64 (set_value (&value, TEST_TYPE_PERMS, TEST_PERMS_WRITE | TEST_PERMS_EXEC), 10);
}

static void
test_from_user_double (void)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  from_user_ok (set_value (&value, G_TYPE_FLOAT, (gdouble) 0.1f), &sql_value);
  g_assert_true (G_VALUE_HOLDS_DOUBLE (&sql_value));
  assert_same_double (g_value_get_double (&sql_value), (gdouble) 0.1f);

  from_user_ok (set_value (&value, G_TYPE_DOUBLE, -0.0), &sql_value);
  g_assert_true (G_VALUE_HOLDS_DOUBLE (&sql_value));
  assert_same_double (g_value_get_double (&sql_value), -0.0);

  from_user_ok (set_value (&value, G_TYPE_DOUBLE, DBL_TRUE_MIN), &sql_value);
  assert_same_double (g_value_get_double (&sql_value), DBL_TRUE_MIN);
}

static void
test_from_user_text (void)
{
  g_autoptr(GDateTime) kolkata = new_date_time ("+05:30", 2024, 3, 5, 18, 33, 2, 5000);
  const char * const tags[] = { "a\\b", "\"", NULL };
  g_auto(GValue) value = G_VALUE_INIT;

  from_user_string (set_value (&value, G_TYPE_STRING, "abc"), "abc");
  from_user_string (set_value (&value, G_TYPE_STRING, ""), "");
  from_user_string (set_value (&value, TEST_TYPE_COLOR, TEST_COLOR_BLUE), "blue");
  from_user_string (set_value (&value, G_TYPE_DATE_TIME, kolkata), "2024-03-05T13:03:02.005000Z");
  from_user_string (set_value (&value, G_TYPE_STRV, tags), "[\"a\\\\b\",\"\\\"\"]");
}

static void
test_from_user_bytes (void)
{
  static const guchar data[] = { 9, 0, 8 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, sizeof data);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  from_user_ok (set_value (&value, G_TYPE_BYTES, bytes), &sql_value);
  assert_binary (&sql_value, data, sizeof data);
  from_user_ok (set_value (&value, G_TYPE_BYTES, empty), &sql_value);
  assert_binary (&sql_value, "", 0);
}

static void
test_from_user_null (void)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;

  from_user_ok (set_null (&value), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
  from_user_ok (set_value (&value, G_TYPE_STRING, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
  from_user_ok (set_value (&value, G_TYPE_BYTES, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
  from_user_ok (set_value (&value, G_TYPE_DATE_TIME, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
  from_user_ok (set_value (&value, G_TYPE_STRV, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
  from_user_ok (set_value (&value, G_TYPE_POINTER, NULL), &sql_value);
  g_assert_true (G_VALUE_HOLDS (&sql_value, GORM_TYPE_SQL_NULL));
}

static void
test_from_user_unsupported (void)
{
  g_autoptr(GObject) object = g_object_new (TEST_TYPE_VALUES, NULL);
  g_autoptr(GVariant) variant = g_variant_ref_sink (g_variant_new_int32 (1));
  g_autoptr(GHashTable) table = g_hash_table_new (NULL, NULL);
  g_auto(GValue) value = G_VALUE_INIT;
  const struct
  {
    GType type;
    gconstpointer pointer;
    const char *type_name;
  } cases[] = {
    { TEST_TYPE_VALUES, object, "TestValues" },
    { G_TYPE_VARIANT, variant, "GVariant" },
    { G_TYPE_HASH_TABLE, table, "GHashTable" },
    { G_TYPE_POINTER, &value, "gpointer" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      error = from_user_error (set_value (&value, cases[i].type, cases[i].pointer));
      g_assert_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE);
      g_assert_nonnull (strstr (error->message, cases[i].type_name));
    }
}

static void
test_from_user_invalid (void)
{
  const char * const tags[] = { "\xc3", NULL };
  g_autoptr(GDateTime) late = new_date_time ("-05:00", 9999, 12, 31, 23, 0, 0, 0);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) enum_error = NULL;
  g_autoptr(GError) strv_error = NULL;
  g_autoptr(GError) date_time_error = NULL;

  enum_error = from_user_error (set_value (&value, TEST_TYPE_COLOR, 2));
  g_assert_error (enum_error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_nonnull (strstr (enum_error->message, "TestColor 2"));

  strv_error = from_user_error (set_value (&value, G_TYPE_STRV, tags));
  g_assert_error (strv_error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);

  date_time_error = from_user_error (set_value (&value, G_TYPE_DATE_TIME, late));
  g_assert_error (date_time_error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
}

/* describe */

static void
assert_describe (const GValue *value,
                 const char   *expected)
{
  g_autofree char *description = gorm_value_describe (value);

  g_assert_cmpstr (description, ==, expected);
}

static void
test_describe_string (void)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GString) long_utf8 = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new ("\"");

  assert_describe (set_value (&value, G_TYPE_STRING, "abc"), "\"abc\"");
  assert_describe (set_value (&value, G_TYPE_STRING, ""), "\"\"");
  assert_describe (set_value (&value, G_TYPE_STRING, NULL), "NULL");
  assert_describe (set_value (&value, G_TYPE_STRING, "a\"b\\c\nd\te\001"),
                   "\"a\\\"b\\\\c\\nd\\te\\001\"");
  assert_describe (set_value (&value, G_TYPE_STRING, "é日本"), "\"é日本\"");
  assert_describe (set_value (&value, G_TYPE_STRING, "bad \xff"), "\"bad \\377\"");

  /* 40 characters are kept whole; the 41st is cut, counted in characters
   * rather than bytes. */
  assert_describe (set_value (&value, G_TYPE_STRING, "0123456789012345678901234567890123456789"),
                   "\"0123456789012345678901234567890123456789\"");
  assert_describe (set_value (&value, G_TYPE_STRING, "0123456789012345678901234567890123456789X"),
                   "\"0123456789012345678901234567890123456789\"…");
  for (guint i = 0; i < 50; i++)
    g_string_append (long_utf8, "é");
  for (guint i = 0; i < 40; i++)
    g_string_append (expected, "é");
  g_string_append (expected, "\"…");
  assert_describe (set_value (&value, G_TYPE_STRING, long_utf8->str), expected->str);
}

static void
test_describe_number (void)
{
  g_auto(GValue) value = G_VALUE_INIT;

  assert_describe (set_value (&value, G_TYPE_BOOLEAN, TRUE), "TRUE");
  assert_describe (set_value (&value, G_TYPE_BOOLEAN, FALSE), "FALSE");
  assert_describe (set_value (&value, G_TYPE_CHAR, -5), "-5");
  assert_describe (set_value (&value, G_TYPE_UCHAR, 200), "200");
  assert_describe (set_value (&value, G_TYPE_INT, 42), "42");
  assert_describe (set_value (&value, G_TYPE_INT64, G_MININT64), "-9223372036854775808");
  assert_describe (set_value (&value, G_TYPE_UINT64, G_MAXUINT64), "18446744073709551615");
  assert_describe (set_value (&value, G_TYPE_DOUBLE, 0.1), "0.1");
  assert_describe (set_value (&value, G_TYPE_DOUBLE, 1.0 / 3.0), "0.3333333333333333");
  assert_describe (set_value (&value, G_TYPE_DOUBLE, -0.0), "-0");
  assert_describe (set_value (&value, G_TYPE_DOUBLE, 1e300), "1e+300");
  assert_describe (set_value (&value, G_TYPE_DOUBLE, 9007199254740992.0), "9007199254740992");
  assert_describe (set_value (&value, G_TYPE_DOUBLE, NAN), "nan");
  assert_describe (set_value (&value, G_TYPE_DOUBLE, -INFINITY), "-inf");
  assert_describe (set_value (&value, G_TYPE_FLOAT, (gdouble) 0.1f), "0.1");
  assert_describe (set_value (&value, G_TYPE_FLOAT, (gdouble) FLT_MAX), "3.40282347e+38");
  assert_describe (set_value (&value, G_TYPE_FLOAT, (gdouble) INFINITY), "inf");
}

static void
test_describe_other (void)
{
  static const guchar data[] = { 1, 2, 3 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, sizeof data);
  g_autoptr(GDateTime) kolkata = new_date_time ("+05:30", 2024, 3, 5, 18, 33, 2, 5000);
  g_autoptr(GObject) object = g_object_new (TEST_TYPE_VALUES, NULL);
  const char * const tags[] = { "a", "b\"", NULL };
  g_auto(GValue) value = G_VALUE_INIT;

  assert_describe (NULL, "NULL");
  assert_describe (set_null (&value), "NULL");
  assert_describe (set_value (&value, G_TYPE_POINTER, NULL), "NULL");
  assert_describe (set_value (&value, G_TYPE_BYTES, NULL), "NULL");
  assert_describe (set_value (&value, TEST_TYPE_COLOR, TEST_COLOR_BLUE), "blue");
  assert_describe (set_value (&value, TEST_TYPE_COLOR, 2), "2");
  assert_describe (set_value (&value, TEST_TYPE_PERMS, TEST_PERMS_READ | TEST_PERMS_WRITE),
                   "TEST_PERMS_READ | TEST_PERMS_WRITE");
  assert_describe (set_value (&value, G_TYPE_DATE_TIME, kolkata),
                   "2024-03-05T18:33:02.005000+05:30");
  assert_describe (set_value (&value, G_TYPE_BYTES, bytes), "<3 bytes>");
  assert_describe (set_value (&value, G_TYPE_STRV, tags), "[\"a\",\"b\\\"\"]");
  assert_describe (set_value (&value, TEST_TYPE_VALUES, object), "<TestValues>");
  assert_describe (set_value (&value, G_TYPE_POINTER, &value), "<gpointer>");
}

/* Date-times */

static void
test_format_date_time (void)
{
  g_autoptr(GDateTime) kolkata = new_date_time ("+05:30", 2024, 3, 5, 18, 33, 2, 5000);
  g_autoptr(GDateTime) first = new_date_time ("UTC", 1, 1, 1, 0, 0, 0, 0);
  g_autoptr(GDateTime) last = new_date_time ("UTC", 9999, 12, 31, 23, 59, 59, 999999);
  g_autoptr(GDateTime) small = new_date_time ("UTC", 999, 1, 2, 3, 4, 5, 6);
  g_autoptr(GDateTime) west = new_date_time ("-09:30", 2023, 12, 31, 20, 0, 0, 1);
  g_autofree char *kolkata_text = format_utc (kolkata);
  g_autofree char *first_text = format_utc (first);
  g_autofree char *last_text = format_utc (last);
  g_autofree char *small_text = format_utc (small);
  g_autofree char *west_text = format_utc (west);

  /* 5000 µs is 0.005 s: the microseconds are zero-padded on the left. */
  g_assert_cmpstr (kolkata_text, ==, "2024-03-05T13:03:02.005000Z");
  g_assert_cmpstr (first_text, ==, "0001-01-01T00:00:00.000000Z");
  g_assert_cmpstr (last_text, ==, "9999-12-31T23:59:59.999999Z");
  g_assert_cmpstr (small_text, ==, "0999-01-02T03:04:05.000006Z");
  g_assert_cmpstr (west_text, ==, "2024-01-01T05:30:00.000001Z");
}

static void
test_format_date_time_named_zone (void)
{
  g_autoptr(GTimeZone) new_york = g_time_zone_new_identifier ("America/New_York");
  g_autoptr(GDateTime) summer = NULL;
  g_autoptr(GDateTime) winter = NULL;
  g_autofree char *summer_text = NULL;
  g_autofree char *winter_text = NULL;

  if (new_york == NULL)
    {
      g_test_skip ("No tzdata for America/New_York");
      return;
    }

  summer = g_date_time_new (new_york, 2024, 7, 1, 9, 0, 0);
  winter = g_date_time_new (new_york, 2024, 1, 15, 9, 0, 0);
  summer_text = format_utc (summer);
  winter_text = format_utc (winter);
  g_assert_cmpstr (summer_text, ==, "2024-07-01T13:00:00.000000Z");
  g_assert_cmpstr (winter_text, ==, "2024-01-15T14:00:00.000000Z");
}

static gint
compare_date_times (gconstpointer a,
                    gconstpointer b)
{
  return g_date_time_compare (*(GDateTime * const *) a, *(GDateTime * const *) b);
}

static void
test_format_date_time_order (void)
{
  g_autoptr(GPtrArray) date_times = g_ptr_array_new_with_free_func ((GDestroyNotify) g_date_time_unref);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (date_times, new_date_time ("+05:30", 2024, 3, 5, 18, 33, 2, 5000));
  g_ptr_array_add (date_times, new_date_time ("UTC", 2024, 3, 5, 13, 3, 2, 500000));
  g_ptr_array_add (date_times, new_date_time ("UTC", 2024, 3, 5, 13, 3, 2, 49999));
  g_ptr_array_add (date_times, new_date_time ("-08:00", 2024, 3, 5, 5, 3, 2, 0));
  g_ptr_array_add (date_times, new_date_time ("+14:00", 2024, 3, 6, 0, 0, 0, 0));
  g_ptr_array_add (date_times, new_date_time ("UTC", 999, 12, 31, 23, 59, 59, 999999));
  g_ptr_array_add (date_times, new_date_time ("UTC", 1000, 1, 1, 0, 0, 0, 0));
  g_ptr_array_add (date_times, new_date_time ("UTC", 2024, 3, 5, 13, 3, 10, 0));
  g_ptr_array_sort (date_times, compare_date_times);

  for (guint i = 0; i < date_times->len; i++)
    g_ptr_array_add (texts, format_utc (g_ptr_array_index (date_times, i)));

  /* Sorted by instant, the texts must be sorted too. */
  for (guint i = 1; i < texts->len; i++)
    {
      g_test_message ("%s < %s", (char *) g_ptr_array_index (texts, i - 1),
                      (char *) g_ptr_array_index (texts, i));
      g_assert_cmpint (strcmp (g_ptr_array_index (texts, i - 1), g_ptr_array_index (texts, i)), <, 0);
    }
}

static void
test_parse_date_time (void)
{
  const struct
  {
    const char *text;
    const char *expected;
  } cases[] = {
    { "2024-03-05", "2024-03-05T00:00:00.000000Z" },
    { "2024-03-05T13:03", "2024-03-05T13:03:00.000000Z" },
    { "2024-03-05 13:03", "2024-03-05T13:03:00.000000Z" },
    { "2024-03-05T13:03:02", "2024-03-05T13:03:02.000000Z" },
    { "2024-03-05T13:03:02Z", "2024-03-05T13:03:02.000000Z" },
    { "2024-03-05T13:03Z", "2024-03-05T13:03:00.000000Z" },
    { "2024-03-05T13:03:02.1", "2024-03-05T13:03:02.100000Z" },
    { "2024-03-05T13:03:02.005", "2024-03-05T13:03:02.005000Z" },
    { "2024-03-05T13:03:02.123456", "2024-03-05T13:03:02.123456Z" },
    /* Digits beyond microseconds are dropped, never rounded up. */
    { "2024-03-05T13:03:02.123456789", "2024-03-05T13:03:02.123456Z" },
    { "2024-12-31T23:59:59.999999999Z", "2024-12-31T23:59:59.999999Z" },
    { "2024-03-05T18:33:02.005+05:30", "2024-03-05T13:03:02.005000Z" },
    { "2024-03-05T18:33:02+0530", "2024-03-05T13:03:02.000000Z" },
    { "2024-03-05T15:03+02", "2024-03-05T13:03:00.000000Z" },
    { "2024-03-05T08:03:02-05:00", "2024-03-05T13:03:02.000000Z" },
    { "2024-03-05T13:03:02-00:00", "2024-03-05T13:03:02.000000Z" },
    { "2024-03-05T00:30:00+01:00", "2024-03-04T23:30:00.000000Z" },
    { "2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00.000000Z" },
    { "2024-02-29", "2024-02-29T00:00:00.000000Z" },
    { "2000-02-29T12:00:00Z", "2000-02-29T12:00:00.000000Z" },
    { "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z" },
    { "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z" },
    { "2024-03-05T23:59:59+23:59", "2024-03-05T00:00:59.000000Z" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) date_time = NULL;
      g_autofree char *text = NULL;

      g_test_message ("%s", cases[i].text);
      date_time = gorm_value_parse_date_time (cases[i].text);
      g_assert_nonnull (date_time);
      g_assert_cmpint (g_date_time_get_utc_offset (date_time), ==, 0);
      text = format_utc (date_time);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_parse_date_time_invalid (void)
{
  const char * const cases[] = {
    "", "2024", "2024-03", "2024-3-05", "2024-03-5", "24-03-05", "+2024-03-05", "2024/03/05",
    "2024-13-01", "2024-00-10", "2024-03-00", "2024-03-32", "2024-02-30", "2023-02-29",
    "1900-02-29", "2024-04-31", "0000-01-01",
    "2024-03-05T", "2024-03-05T13", "2024-03-05T1:03", "2024-03-05T13:3", "2024-03-05T24:00",
    "2024-03-05T13:60", "2024-03-05T13:03:60", "2024-03-05T13:03:2", "2024-03-05t13:03",
    "2024-03-05_13:03", "2024-03-05T13:03.5", "2024-03-05T13:03:02.",
    "2024-03-05T13:03:02.1234567890", "2024-03-05T13:03:02.-1", "2024-03-05T13:03:02,5",
    "2024-03-05Z", "2024-03-05 ", " 2024-03-05", "2024-03-05T13:03:02 ",
    "2024-03-05T13:03:02Zjunk", "2024-03-05T13:03:02z", "2024-03-05 junk",
    "2024-03-05T13:03:02+5:30", "2024-03-05T13:03:02+05:", "2024-03-05T13:03:02+053",
    "2024-03-05T13:03:02+05:3", "2024-03-05T13:03:02+24:00", "2024-03-05T13:03:02+05:60",
    "2024-03-05T13:03:02+05:30:00", "2024-03-05T13:03:02+", "2024-03-05T13:03:02Z+01:00",
    "２０２４-03-05",
    /* Valid texts whose instants fall outside the years 1 to 9999 in UTC. */
    "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) date_time = NULL;

      g_test_message ("\"%s\"", cases[i]);
      date_time = gorm_value_parse_date_time (cases[i]);
      g_assert_null (date_time);
    }
}

/* JSON */

static void
assert_to_json (const char * const *strv,
                const char         *expected)
{
  g_autofree char *json = gorm_value_strv_to_json (strv);

  g_assert_cmpstr (json, ==, expected);
}

static void
test_json_to (void)
{
  const char * const empty[] = { NULL };
  const char * const empty_string[] = { "", NULL };
  const char * const plain[] = { "a", "b", NULL };
  const char * const quoted[] = { "say \"hi\"", "a,b", "[x]", "back\\slash", "/", NULL };
  const char * const unicode[] = { "é", "日本", "😀", "\x7f", NULL };
  const char * const control[] = { "\n\t\r\b\f", "\001\037", NULL };

  assert_to_json (NULL, NULL);
  assert_to_json (empty, "[]");
  assert_to_json (empty_string, "[\"\"]");
  assert_to_json (plain, "[\"a\",\"b\"]");
  assert_to_json (quoted, "[\"say \\\"hi\\\"\",\"a,b\",\"[x]\",\"back\\\\slash\",\"/\"]");
  assert_to_json (unicode, "[\"é\",\"日本\",\"😀\",\"\x7f\"]");
  assert_to_json (control, "[\"\\n\\t\\r\\b\\f\",\"\\u0001\\u001f\"]");
}

static void
test_json_from (void)
{
  const struct
  {
    const char *json;
    const char *expected[4];
  } cases[] = {
    { "[]", { NULL } },
    { " \t\r\n[ \n ]\n ", { NULL } },
    { "[\"\"]", { "", NULL } },
    { "[\"a\",\"b\"]", { "a", "b", NULL } },
    { " [ \"a\" ,\n\t\"b\" ] ", { "a", "b", NULL } },
    { "[\"a,b\",\"c]\",\"[\"]", { "a,b", "c]", "[", NULL } },
    { "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", { "\"\\/\b\f\n\r\t", NULL } },
    { "[\"\\u00e9\\u65E5\\u0041\"]", { "é日A", NULL } },
    { "[\"\\ud83d\\ude00\",\"\\uD83D\\uDE00\"]", { "😀", "😀", NULL } },
    { "[\"\\udbff\\udfff\"]", { "\xf4\x8f\xbf\xbf", NULL } },
    { "[\"é😀\x7f\"]", { "é😀\x7f", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) strv = NULL;

      g_test_message ("%s", cases[i].json);
      strv = gorm_value_strv_from_json (cases[i].json, &error);
      g_assert_no_error (error);
      g_assert_nonnull (strv);
      g_assert_cmpstrv (strv, cases[i].expected);
    }
}

static void
test_json_from_invalid (void)
{
  const char * const cases[] = {
    "", " ", "[", "]", "[\"a\"", "[\"a\",]", "[,\"a\"]", "[,]", "[\"a\" \"b\"]", "[\"a\";\"b\"]",
    "[1]", "[null]", "[true]", "[[\"a\"]]", "{\"a\":\"b\"}", "\"a\"", "null",
    "[\"a\"] x", "[\"a\"]]", "[\"a\"][]", "['a']", "[\"unterminated]", "[\"a\\\"]",
    "[\"\\x\"]", "[\"\\'\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"\\U0041\"]",
    /* A C string cannot hold U+0000; surrogates must come in pairs. */
    "[\"\\u0000\"]", "[\"\\ud83d\"]", "[\"\\ud83dx\"]", "[\"\\ude00\"]", "[\"\\ude00\\ud83d\"]",
    "[\"\\ud83d\\u0041\"]", "[\"\\ud83d\\ud83d\"]",
    /* Raw control characters and invalid UTF-8. */
    "[\"a\nb\"]", "[\"a\tb\"]", "[\"\001\"]", "[\"\xff\"]", "[\"\xc3\"]", "[\"\xed\xa0\xbd\"]",
    "[\"a\"]\xff",
    /* JSON knows only these four white space characters. */
    "[\f\"a\"]", "\v[]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) strv = NULL;
      g_autofree char *escaped = g_strescape (cases[i], NULL);

      g_test_message ("%s", escaped);
      strv = gorm_value_strv_from_json (cases[i], &error);
      g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
      g_assert_null (strv);
    }
}

static void
test_json_error_message (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) strv = gorm_value_strv_from_json ("[1]", &error);

  g_assert_null (strv);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
  g_assert_cmpstr (error->message, ==, "\"[1]\" is not a JSON array of strings");
}

static void
test_json_round_trip (void)
{
  char all_ascii[128];
  const char *cases[] = { all_ascii, "", "é日本😀", "\\\\\"\"", ",", "[]", "\\u0041", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_auto(GStrv) back = NULL;

  /* Every ASCII character but NUL, control characters included. */
  for (guint i = 1; i < 128; i++)
    all_ascii[i - 1] = (char) i;
  all_ascii[127] = '\0';

  json = gorm_value_strv_to_json (cases);
  back = gorm_value_strv_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (back, cases);
}

/* NaN has no SQL value: converting it for SQL, or coercing it into a
 * float or double property, is a validation error naming the property; a
 * NaN for another kind of property stays a type mismatch. Infinities
 * convert where the property's range takes them. */
static void
test_nan (void)
{
  const char *properties[] = { "score", "ratio", "fraction" };
  g_auto(GValue) nan_value = G_VALUE_INIT;
  g_auto(GValue) nan_float = G_VALUE_INIT;
  g_auto(GValue) sql_value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  set_value (&nan_value, G_TYPE_DOUBLE, NAN);
  set_value (&nan_float, G_TYPE_FLOAT, (gdouble) NAN);

  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    {
      GParamSpec *pspec = find_pspec (properties[i]);
      g_autofree char *named = g_strdup_printf ("TestValues:%s", properties[i]);
      const GValue *values[] = { &nan_value, &nan_float };

      for (guint v = 0; v < G_N_ELEMENTS (values); v++)
        {
          error = coerce_error (properties[i], values[v]);
          g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
          g_assert_nonnull (strstr (error->message, named));
          g_assert_nonnull (strstr (error->message, "NaN"));
          g_clear_error (&error);
        }

      /* A property value holding NaN, as a C setter may store it. */
      if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_DOUBLE)
        {
          g_assert_false (gorm_value_to_sql (kind_of (pspec), pspec, &nan_value, &sql_value, &error));
          g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
          g_assert_nonnull (strstr (error->message, named));
          g_assert_false (G_IS_VALUE (&sql_value));
          g_clear_error (&error);
        }
      else
        {
          g_assert_false (gorm_value_to_sql (kind_of (pspec), pspec, &nan_float, &sql_value, &error));
          g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
          g_clear_error (&error);
        }
    }

  /* Not a number for an integer is a mismatch, as any other double. */
  assert_coerce_fails ("views", &nan_value);

  /* A raw parameter. */
  g_assert_false (gorm_value_from_user (&nan_value, &sql_value, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "NaN"));
  g_clear_error (&error);

  /* Infinities are numbers SQL stores. */
  {
    g_auto(GValue) inf = G_VALUE_INIT;

    from_user_ok (set_value (&inf, G_TYPE_DOUBLE, -INFINITY), &sql_value);
    g_assert_cmpfloat (g_value_get_double (&sql_value), ==, -INFINITY);
    /* The range of "score" stops at the largest double. */
    assert_coerce_fails ("score", &inf);
  }
}

int
main (int   argc,
      char *argv[])
{
  gpointer klass;
  int result;

  g_test_init (&argc, &argv, NULL);

  klass = g_type_class_ref (TEST_TYPE_VALUES);

  g_test_add_func ("/Gorm/Value/kind-for-type", test_kind_for_type);
  g_test_add_func ("/Gorm/Value/kind-sql-type", test_kind_sql_type);
  g_test_add_func ("/Gorm/Value/kind-nullable", test_kind_nullable);
  g_test_add_func ("/Gorm/Value/boolean-round-trip", test_boolean_round_trip);
  g_test_add_func ("/Gorm/Value/signed-round-trip", test_signed_round_trip);
  g_test_add_func ("/Gorm/Value/unsigned-round-trip", test_unsigned_round_trip);
  g_test_add_func ("/Gorm/Value/double-round-trip", test_double_round_trip);
  g_test_add_func ("/Gorm/Value/float-round-trip", test_float_round_trip);
  g_test_add_func ("/Gorm/Value/to-sql-string", test_to_sql_string);
  g_test_add_func ("/Gorm/Value/to-sql-enum", test_to_sql_enum);
  g_test_add_func ("/Gorm/Value/to-sql-enum-invalid", test_to_sql_enum_invalid);
  g_test_add_func ("/Gorm/Value/to-sql-flags", test_to_sql_flags);
  g_test_add_func ("/Gorm/Value/to-sql-date-time", test_to_sql_date_time);
  g_test_add_func ("/Gorm/Value/to-sql-date-time-out-of-range",
                   test_to_sql_date_time_out_of_range);
  g_test_add_func ("/Gorm/Value/to-sql-bytes", test_to_sql_bytes);
  g_test_add_func ("/Gorm/Value/to-sql-strv", test_to_sql_strv);
  g_test_add_func ("/Gorm/Value/to-sql-strv-invalid-utf8", test_to_sql_strv_invalid_utf8);
  g_test_add_func ("/Gorm/Value/from-sql-null-nullable", test_from_sql_null_nullable);
  g_test_add_func ("/Gorm/Value/from-sql-null-default", test_from_sql_null_default);
  g_test_add_func ("/Gorm/Value/from-sql-boolean", test_from_sql_boolean);
  g_test_add_func ("/Gorm/Value/from-sql-signed-range", test_from_sql_signed_range);
  g_test_add_func ("/Gorm/Value/from-sql-unsigned-range", test_from_sql_unsigned_range);
  g_test_add_func ("/Gorm/Value/from-sql-pspec-range", test_from_sql_pspec_range);
  g_test_add_func ("/Gorm/Value/from-sql-libgda-types", test_from_sql_libgda_types);
  g_test_add_func ("/Gorm/Value/from-sql-double", test_from_sql_double);
  g_test_add_func ("/Gorm/Value/from-sql-float", test_from_sql_float);
  g_test_add_func ("/Gorm/Value/from-sql-string", test_from_sql_string);
  g_test_add_func ("/Gorm/Value/from-sql-enum", test_from_sql_enum);
  g_test_add_func ("/Gorm/Value/from-sql-flags", test_from_sql_flags);
  g_test_add_func ("/Gorm/Value/from-sql-date-time", test_from_sql_date_time);
  g_test_add_func ("/Gorm/Value/from-sql-bytes", test_from_sql_bytes);
  g_test_add_func ("/Gorm/Value/from-sql-strv", test_from_sql_strv);
  g_test_add_func ("/Gorm/Value/coerce-integer", test_coerce_integer);
  g_test_add_func ("/Gorm/Value/coerce-integer-refused", test_coerce_integer_refused);
  g_test_add_func ("/Gorm/Value/coerce-message", test_coerce_message);
  g_test_add_func ("/Gorm/Value/coerce-double", test_coerce_double);
  g_test_add_func ("/Gorm/Value/nan", test_nan);
  g_test_add_func ("/Gorm/Value/coerce-float", test_coerce_float);
  g_test_add_func ("/Gorm/Value/coerce-boolean", test_coerce_boolean);
  g_test_add_func ("/Gorm/Value/coerce-string", test_coerce_string);
  g_test_add_func ("/Gorm/Value/coerce-enum", test_coerce_enum);
  g_test_add_func ("/Gorm/Value/coerce-flags", test_coerce_flags);
  g_test_add_func ("/Gorm/Value/coerce-date-time", test_coerce_date_time);
  g_test_add_func ("/Gorm/Value/coerce-bytes", test_coerce_bytes);
  g_test_add_func ("/Gorm/Value/coerce-strv", test_coerce_strv);
  g_test_add_func ("/Gorm/Value/coerce-null", test_coerce_null);
  g_test_add_func ("/Gorm/Value/from-user-integers", test_from_user_integers);
  g_test_add_func ("/Gorm/Value/from-user-double", test_from_user_double);
  g_test_add_func ("/Gorm/Value/from-user-text", test_from_user_text);
  g_test_add_func ("/Gorm/Value/from-user-bytes", test_from_user_bytes);
  g_test_add_func ("/Gorm/Value/from-user-null", test_from_user_null);
  g_test_add_func ("/Gorm/Value/from-user-unsupported", test_from_user_unsupported);
  g_test_add_func ("/Gorm/Value/from-user-invalid", test_from_user_invalid);
  g_test_add_func ("/Gorm/Value/describe-string", test_describe_string);
  g_test_add_func ("/Gorm/Value/describe-number", test_describe_number);
  g_test_add_func ("/Gorm/Value/describe-other", test_describe_other);
  g_test_add_func ("/Gorm/Value/format-date-time", test_format_date_time);
  g_test_add_func ("/Gorm/Value/format-date-time-named-zone", test_format_date_time_named_zone);
  g_test_add_func ("/Gorm/Value/format-date-time-order", test_format_date_time_order);
  g_test_add_func ("/Gorm/Value/parse-date-time", test_parse_date_time);
  g_test_add_func ("/Gorm/Value/parse-date-time-invalid", test_parse_date_time_invalid);
  g_test_add_func ("/Gorm/Value/json-to", test_json_to);
  g_test_add_func ("/Gorm/Value/json-from", test_json_from);
  g_test_add_func ("/Gorm/Value/json-from-invalid", test_json_from_invalid);
  g_test_add_func ("/Gorm/Value/json-error-message", test_json_error_message);
  g_test_add_func ("/Gorm/Value/json-round-trip", test_json_round_trip);
  g_test_add_func ("/Gorm/Value/format-iso8601", test_format_iso8601);

  result = g_test_run ();
  g_type_class_unref (klass);
  return result;
}
