/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-test-utils.h"

/* Optional values: a nullable property of every stored type, a number
 * that is not nullable, and a string that must not be NULL. */
TEST_DEFINE_RESOURCE (TestOptional, test_optional)

static const char * const nullable_properties[] = {
  "count", "small", "level", "ratio", "flag", "color", "flags", "when", "data", "tags", "name",
};

static void
test_optional_class_init (TestOptionalClass *klass)
{
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);
  GParamSpec *pspecs[] = {
    g_param_spec_int64 ("count", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_int ("small", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    /* A default other than 0: a NULL level holds 5. */
    g_param_spec_uint ("level", NULL, NULL, 0, 10, 5, G_PARAM_READWRITE),
    g_param_spec_double ("ratio", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, G_PARAM_READWRITE),
    g_param_spec_boolean ("flag", NULL, NULL, FALSE, G_PARAM_READWRITE),
    g_param_spec_enum ("color", NULL, NULL, TEST_TYPE_COLOR, TEST_COLOR_RED, G_PARAM_READWRITE),
    g_param_spec_flags ("flags", NULL, NULL, TEST_TYPE_FLAGS, 0, G_PARAM_READWRITE),
    g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_boxed ("data", NULL, NULL, G_TYPE_BYTES, G_PARAM_READWRITE),
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, G_PARAM_READWRITE),
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("required", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_string ("label", NULL, NULL, "none", G_PARAM_READWRITE),
    g_param_spec_float ("weight", NULL, NULL, -G_MAXFLOAT, G_MAXFLOAT, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  for (guint i = 0; i < G_N_ELEMENTS (nullable_properties); i++)
    gorm_resource_class_set_nullable (resource_class, nullable_properties[i]);
  gorm_resource_class_set_not_null (resource_class, "label");
}

#define TEST_TYPE_OPTIONAL (test_optional_get_type ())

/* The same table, before "count" and "required" were added. */
TEST_DEFINE_RESOURCE (TestOptionalV1, test_optional_v1)

static void
test_optional_v1_class_init (TestOptionalV1Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "evolving");
}

TEST_DEFINE_RESOURCE (TestOptionalV2, test_optional_v2)

static void
test_optional_v2_class_init (TestOptionalV2Class *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("count", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_int ("required", NULL, NULL, G_MININT, G_MAXINT, 7, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "evolving");
  gorm_resource_class_set_nullable (GORM_RESOURCE_CLASS (klass), "count");
}

/* Classes whose metadata contradict. */
TEST_DEFINE_RESOURCE (TestBothNull, test_both_null)

static void
test_both_null_class_init (TestBothNullClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_nullable (GORM_RESOURCE_CLASS (klass), "name");
  gorm_resource_class_set_not_null (GORM_RESOURCE_CLASS (klass), "name");
}

TEST_DEFINE_RESOURCE (TestUnknownNull, test_unknown_null)

static void
test_unknown_null_class_init (TestUnknownNullClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_int ("n", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_nullable (GORM_RESOURCE_CLASS (klass), "nope");
}

static GormDatabase *
open_migrated (void)
{
  GormDatabase *db = test_open_memory ();

  test_migrate (db, TEST_TYPE_OPTIONAL);
  return db;
}

static GormResource *
new_optional (GormDatabase *db)
{
  g_autoptr(GDateTime) when = g_date_time_new_utc (2024, 3, 5, 13, 3, 2.123456);
  g_autoptr(GBytes) data = g_bytes_new_static ("\0ab", 3);
  const char *tags[] = { "a", "b", NULL };

  return g_object_new (TEST_TYPE_OPTIONAL, "database", db,
                       "count", (gint64) 1 << 40, "small", -3, "level", 9u, "ratio", 0.25,
                       "flag", TRUE, "color", TEST_COLOR_GREEN, "flags", TEST_FLAG_A | TEST_FLAG_HIGH,
                       "when", when, "data", data, "tags", tags, "name", "n",
                       "required", 4, "weight", 1.5f, NULL);
}

static void
set_null_ok (GormResource *resource,
             const char   *property)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gorm_resource_set_null (resource, property, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_null (resource, property));
}

static void
assert_all_null (GormResource *resource,
                 gboolean      null)
{
  for (guint i = 0; i < G_N_ELEMENTS (nullable_properties); i++)
    {
      GValue *value = gorm_resource_dup_value (resource, nullable_properties[i]);

      if (gorm_resource_is_null (resource, nullable_properties[i]) != null)
        g_error ("%s is%s NULL", nullable_properties[i], null ? " not" : "");
      g_assert_true ((value == NULL) == null);
      if (value != NULL)
        {
          g_value_unset (value);
          g_free (value);
        }
    }
}

/* The values new_optional() gives. */
static void
assert_values (GormResource *resource)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GBytes) data = NULL;
  g_auto(GStrv) tags = NULL;
  g_autofree char *name = NULL;
  gint64 count;
  gint small, required;
  guint level, flags;
  gdouble ratio;
  gboolean flag;
  TestColor color;

  g_object_get (resource, "count", &count, "small", &small, "level", &level, "ratio", &ratio,
                "flag", &flag, "color", &color, "flags", &flags, "when", &when, "data", &data,
                "tags", &tags, "name", &name, "required", &required, NULL);
  g_assert_cmpint (count, ==, (gint64) 1 << 40);
  g_assert_cmpint (small, ==, -3);
  g_assert_cmpuint (level, ==, 9);
  g_assert_cmpfloat (ratio, ==, 0.25);
  g_assert_true (flag);
  g_assert_cmpint (color, ==, TEST_COLOR_GREEN);
  g_assert_cmpuint (flags, ==, TEST_FLAG_A | TEST_FLAG_HIGH);
  g_assert_cmpint (g_date_time_get_microsecond (when), ==, 123456);
  g_assert_cmpuint (g_bytes_get_size (data), ==, 3);
  g_assert_cmpstrv (tags, ((const char *[]) { "a", "b", NULL }));
  g_assert_cmpstr (name, ==, "n");
  g_assert_cmpint (required, ==, 4);
}

/* What a fresh object of the row reads: the database's other objects
 * are gone, so the row is read again. */
static GormResource *
load_fresh (GormDatabase *db,
            gint64        id)
{
  g_autoptr(GError) error = NULL;
  GormResource *loaded = gorm_database_get (db, TEST_TYPE_OPTIONAL, id, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  return loaded;
}

static void
test_round_trip (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) resource = new_optional (db);
  g_autoptr(GError) error = NULL;
  GormResource *loaded;
  guint level;
  gint64 id;

  /* A new object holds values, not NULL; they survive a save. */
  assert_all_null (resource, FALSE);
  test_save_ok (resource);
  id = gorm_resource_get_id (resource);
  g_assert_finalize_object (g_steal_pointer (&resource));
  resource = load_fresh (db, id);
  assert_all_null (resource, FALSE);
  assert_values (resource);

  /* Every type NULL: written as NULL, read back as NULL. */
  for (guint i = 0; i < G_N_ELEMENTS (nullable_properties); i++)
    set_null_ok (resource, nullable_properties[i]);
  assert_all_null (resource, TRUE);
  /* A NULL number holds its property's default. */
  g_object_get (resource, "level", &level, NULL);
  g_assert_cmpuint (level, ==, 5);
  test_save_ok (resource);
  g_assert_false (gorm_resource_is_dirty (resource));
  g_assert_finalize_object (g_steal_pointer (&resource));

  loaded = load_fresh (db, id);
  assert_all_null (loaded, TRUE);
  g_object_get (loaded, "level", &level, NULL);
  g_assert_cmpuint (level, ==, 5);
  /* In the database, every one of those columns is NULL. */
  for (guint i = 0; i < G_N_ELEMENTS (nullable_properties); i++)
    {
      g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_OPTIONAL);

      gorm_query_filter (query, gorm_filter_is_null (nullable_properties[i]));
      g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, 1);
      g_assert_no_error (error);
    }

  /* A reload reads the NULLs again over values set meanwhile. */
  g_object_set (loaded, "count", (gint64) 8, "flag", TRUE, NULL);
  g_assert_false (gorm_resource_is_null (loaded, "count"));
  g_assert_false (gorm_resource_is_null (loaded, "flag"));
  g_assert_true (gorm_resource_reload (loaded, NULL, &error));
  g_assert_no_error (error);
  assert_all_null (loaded, TRUE);

  /* Values again: no longer NULL, after a save and a load too. */
  g_object_unref (loaded);
  resource = new_optional (db);
  test_save_ok (resource);
  for (guint i = 0; i < G_N_ELEMENTS (nullable_properties); i++)
    set_null_ok (resource, nullable_properties[i]);
  test_save_ok (resource);
  {
    g_autoptr(GormResource) values = new_optional (NULL);

    for (guint i = 0; i < G_N_ELEMENTS (nullable_properties); i++)
      {
        g_auto(GValue) value = G_VALUE_INIT;

        gorm_resource_get_value (values, nullable_properties[i], &value);
        g_assert_true (gorm_resource_set_value (resource, nullable_properties[i], &value, &error));
        g_assert_no_error (error);
      }
  }
  assert_all_null (resource, FALSE);
  test_save_ok (resource);
  id = gorm_resource_get_id (resource);
  g_assert_finalize_object (g_steal_pointer (&resource));
  resource = load_fresh (db, id);
  assert_all_null (resource, FALSE);
  assert_values (resource);
}

static void
test_insert_null (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) resource = g_object_new (TEST_TYPE_OPTIONAL, "database", db, NULL);
  g_autoptr(GError) error = NULL;
  gint64 id;

  /* An unsaved object's NULLs are inserted as NULL. */
  set_null_ok (resource, "count");
  set_null_ok (resource, "flag");
  test_save_ok (resource);
  id = gorm_resource_get_id (resource);
  g_assert_finalize_object (g_steal_pointer (&resource));
  resource = load_fresh (db, id);
  g_assert_true (gorm_resource_is_null (resource, "count"));
  g_assert_true (gorm_resource_is_null (resource, "flag"));
  g_assert_false (gorm_resource_is_null (resource, "small"));
  g_assert_false (gorm_resource_is_null (resource, "required"));
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_set_null_notifies (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) resource = new_optional (db);
  g_autoptr(TestLog) log = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;
  gint64 count;

  test_save_ok (resource);
  g_signal_connect (resource, "notify::count", G_CALLBACK (notify_cb), &notified);

  /* NULL is a change: notified once, the object dirty. */
  set_null_ok (resource, "count");
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (gorm_resource_is_dirty (resource));
  set_null_ok (resource, "count");
  g_assert_cmpuint (notified, ==, 1);

  /* Only that column is written. */
  log = test_log_attach (db);
  test_save_ok (resource);
  g_assert_cmpuint (test_log_count (log, "UPDATE"), ==, 1);
  g_assert_nonnull (strstr (test_log_last (log), "count"));
  g_assert_null (strstr (test_log_last (log), "small"));
  g_assert_false (gorm_resource_is_dirty (resource));

  /* Under frozen notifications too, the NULL stays. */
  g_object_set (resource, "count", (gint64) 3, NULL);
  g_object_freeze_notify (G_OBJECT (resource));
  set_null_ok (resource, "count");
  g_object_thaw_notify (G_OBJECT (resource));
  g_assert_true (gorm_resource_is_null (resource, "count"));

  /* Setting the property, even to the value a NULL holds, clears it. */
  g_object_set (resource, "count", (gint64) 0, NULL);
  g_assert_false (gorm_resource_is_null (resource, "count"));
  g_object_get (resource, "count", &count, NULL);
  g_assert_cmpint (count, ==, 0);
  set_null_ok (resource, "count");
  {
    g_auto(GValue) zero = G_VALUE_INIT;

    g_value_set_int64 (g_value_init (&zero, G_TYPE_INT64), 0);
    g_assert_true (gorm_resource_set_value (resource, "count", &zero, &error));
    g_assert_no_error (error);
    g_assert_false (gorm_resource_is_null (resource, "count"));
  }
  test_save_ok (resource);
  g_assert_true (gorm_resource_reload (resource, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gorm_resource_is_null (resource, "count"));
}

static void
assert_message_names (const GError *error,
                      const char   *property,
                      const char   *value)
{
  if (strstr (error->message, "TestOptional") == NULL ||
      strstr (error->message, property) == NULL ||
      (value != NULL && strstr (error->message, value) == NULL))
    g_error ("“%s” should name TestOptional, %s and %s", error->message, property,
             value ? value : "");
}

static void
test_set_null_refused (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) resource = new_optional (db);
  g_autoptr(GError) error = NULL;
  guint notified = 0;
  gint required;

  test_save_ok (resource);
  g_signal_connect (resource, "notify", G_CALLBACK (notify_cb), &notified);

  /* A number without set_nullable(): refused, unchanged. */
  g_assert_false (gorm_resource_set_null (resource, "required", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  assert_message_names (error, "required", NULL);
  g_clear_error (&error);
  g_object_get (resource, "required", &required, NULL);
  g_assert_cmpint (required, ==, 4);
  g_assert_false (gorm_resource_is_null (resource, "required"));

  /* A string given set_not_null(). */
  g_assert_false (gorm_resource_set_null (resource, "label", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  assert_message_names (error, "label", NULL);
  g_clear_error (&error);

  /* set_value() of NULL is set_null(). */
  g_assert_false (gorm_resource_set_value (resource, "required", NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);

  /* The key, and what is not there. */
  g_assert_false (gorm_resource_set_null (resource, "id", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  g_clear_error (&error);
  g_assert_false (gorm_resource_set_null (resource, "nope", &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_assert_nonnull (strstr (error->message, "nope"));
  g_clear_error (&error);
  g_assert_false (gorm_resource_is_null (resource, "nope"));
  g_assert_null (gorm_resource_dup_value (resource, "nope"));

  g_assert_cmpuint (notified, ==, 0);
  g_assert_false (gorm_resource_is_dirty (resource));
}

typedef struct
{
  const char *property;
  GType       type;
  const char *text;     /* a string value, else a number */
  gdouble     number;
  const char *shown;    /* what the message shows of the value */
} LossyCase;

static void
test_set_value_lossy (void)
{
  static const LossyCase cases[] = {
    { "count", G_TYPE_DOUBLE, NULL, 3.5, "3.5" },
    { "small", G_TYPE_INT64, NULL, 1099511627776.0, "1099511627776" },
    { "small", G_TYPE_DOUBLE, NULL, 1e300, "1e+300" },
    { "level", G_TYPE_INT, NULL, -1, "-1" },
    /* Beyond the property's own maximum, 10. */
    { "level", G_TYPE_INT, NULL, 11, "11" },
    { "required", G_TYPE_DOUBLE, NULL, 2.5, "2.5" },
    { "required", G_TYPE_STRING, "12", 0, "12" },
    { "color", G_TYPE_INT, NULL, 99, "99" },
    { "color", G_TYPE_STRING, "purple", 0, "purple" },
    { "flag", G_TYPE_STRING, "false", 0, "false" },
    { "flag", G_TYPE_STRING, "1", 0, "\"1\"" },
    { "flag", G_TYPE_DOUBLE, NULL, 1.0, "1" },
    { "flag", G_TYPE_INT, NULL, 2, "2" },
    { "flags", G_TYPE_INT, NULL, 4, "4" },
    { "tags", G_TYPE_STRING, "a", 0, "\"a\"" },
    { "name", G_TYPE_INT, NULL, 5, "5" },
    { "weight", G_TYPE_DOUBLE, NULL, 0.1, "0.1" },
    { "when", G_TYPE_STRING, "not a date", 0, "not a date" },
    { "when", G_TYPE_INT, NULL, 5, "5" },
  };
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) resource = new_optional (db);
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  test_save_ok (resource);
  set_null_ok (resource, "ratio");
  test_save_ok (resource);
  g_signal_connect (resource, "notify", G_CALLBACK (notify_cb), &notified);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, cases[i].type);
      if (cases[i].type == G_TYPE_STRING)
        g_value_set_string (&value, cases[i].text);
      else if (cases[i].type == G_TYPE_DOUBLE)
        g_value_set_double (&value, cases[i].number);
      else if (cases[i].type == G_TYPE_INT64)
        g_value_set_int64 (&value, (gint64) cases[i].number);
      else
        g_value_set_int (&value, (gint) cases[i].number);

      if (gorm_resource_set_value (resource, cases[i].property, &value, &error))
        g_error ("%s accepted %s", cases[i].property, cases[i].shown);
      g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
      assert_message_names (error, cases[i].property, cases[i].shown);
      g_clear_error (&error);
    }

  /* A NULL stays NULL when a value for it is refused. */
  {
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_set_string (g_value_init (&value, G_TYPE_STRING), "0.5");
    g_assert_false (gorm_resource_set_value (resource, "ratio", &value, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH);
    g_clear_error (&error);
    g_assert_true (gorm_resource_is_null (resource, "ratio"));
  }
  /* A property not there. */
  {
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_set_int (g_value_init (&value, G_TYPE_INT), 1);
    g_assert_false (gorm_resource_set_value (resource, "nope", &value, &error));
    g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
    g_clear_error (&error);
  }

  /* Nothing changed. */
  g_assert_cmpuint (notified, ==, 0);
  g_assert_false (gorm_resource_is_dirty (resource));
  g_assert_finalize_object (g_steal_pointer (&resource));
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_OPTIONAL);
    g_autoptr(GormResource) loaded = gorm_query_first (query, NULL, &error);

    g_assert_no_error (error);
    g_object_set (loaded, "ratio", 0.25, NULL);
    assert_values (loaded);
  }
}

static void
test_set_value_lossless (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) resource = new_optional (db);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *name = NULL;
  gdouble ratio;
  gint64 count;
  TestColor color;
  gboolean flag;
  gfloat weight;

  /* A gint into a gdouble and a gint64, a nick and a name into an enum,
   * the integer 0 into a boolean, 0.5 into a float. */
  g_value_set_int (g_value_init (&value, G_TYPE_INT), 3);
  g_assert_true (gorm_resource_set_value (resource, "ratio", &value, &error));
  g_assert_true (gorm_resource_set_value (resource, "count", &value, &error));
  g_value_unset (&value);
  g_value_set_string (g_value_init (&value, G_TYPE_STRING), "dark-blue");
  g_assert_true (gorm_resource_set_value (resource, "color", &value, &error));
  g_value_unset (&value);
  g_value_set_int (g_value_init (&value, G_TYPE_INT), 0);
  g_assert_true (gorm_resource_set_value (resource, "flag", &value, &error));
  g_value_unset (&value);
  g_value_set_double (g_value_init (&value, G_TYPE_DOUBLE), 0.5);
  g_assert_true (gorm_resource_set_value (resource, "weight", &value, &error));
  g_value_unset (&value);
  g_assert_no_error (error);
  g_object_get (resource, "ratio", &ratio, "count", &count, "color", &color, "flag", &flag,
                "weight", &weight, NULL);
  g_assert_cmpfloat (ratio, ==, 3.0);
  g_assert_cmpint (count, ==, 3);
  g_assert_cmpint (color, ==, TEST_COLOR_DARK_BLUE);
  g_assert_false (flag);
  g_assert_cmpfloat (weight, ==, 0.5f);

  /* A value holding NULL is NULL. */
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (gorm_resource_set_value (resource, "name", &value, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_null (resource, "name"));
  g_assert_true (gorm_resource_set_value (resource, "count", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_null (resource, "count"));
  g_value_set_string (&value, "back");
  g_assert_true (gorm_resource_set_value (resource, "name", &value, &error));
  g_object_get (resource, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "back");

  /* dup_value() gives a value of the property's type. */
  {
    GValue *copy;

    g_object_set (resource, "count", (gint64) 12, NULL);
    copy = gorm_resource_dup_value (resource, "count");
    g_assert_nonnull (copy);
    g_assert_true (G_VALUE_HOLDS_INT64 (copy));
    g_assert_cmpint (g_value_get_int64 (copy), ==, 12);
    g_value_unset (copy);
    g_free (copy);
  }
}

/* A live object of a row takes the NULLs another write gives the row. */
static void
test_identity_refresh (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormResource) resource = new_optional (db);
  g_autoptr(GormResource) other = new_optional (db);
  g_autoptr(GormQuery) query = NULL;
  g_autoptr(GListModel) fetched = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  guint notified = 0;

  test_save_ok (resource);
  test_save_ok (other);
  g_signal_connect (resource, "notify::count", G_CALLBACK (notify_cb), &notified);

  /* Another tool writes NULL: a fetch refreshes the live object. */
  sql = g_strdup_printf ("UPDATE test_optional SET count = NULL, flag = NULL WHERE id = %" G_GINT64_FORMAT,
                         gorm_resource_get_id (resource));
  g_assert_cmpint (gorm_database_execute (db, sql, NULL, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  query = gorm_database_query (db, TEST_TYPE_OPTIONAL);
  gorm_query_order_by (query, "id", FALSE);
  fetched = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GormResource) first = g_list_model_get_item (fetched, 0);

    g_assert_true (first == resource);
  }
  g_assert_true (gorm_resource_is_null (resource, "count"));
  g_assert_true (gorm_resource_is_null (resource, "flag"));
  g_assert_false (gorm_resource_is_dirty (resource));
  g_assert_cmpuint (notified, ==, 1);

  /* A bulk update to NULL, and back to a value. */
  g_assert_cmpint (gorm_query_update (query, "small", NULL, NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_null (resource, "small"));
  g_assert_true (gorm_resource_is_null (other, "small"));
  g_assert_false (gorm_resource_is_dirty (other));
  {
    g_autoptr(GormQuery) nulls = gorm_database_query (db, TEST_TYPE_OPTIONAL);

    gorm_query_filter (nulls, gorm_filter_is_null ("small"));
    g_assert_cmpint (gorm_query_count (nulls, NULL, &error), ==, 2);
  }
  {
    g_auto(GValue) value = G_VALUE_INIT;
    gint small;

    g_assert_cmpint (gorm_query_update (query, "small", test_int_value (&value, 6), NULL, &error), ==, 2);
    g_assert_no_error (error);
    g_assert_false (gorm_resource_is_null (other, "small"));
    g_object_get (other, "small", &small, NULL);
    g_assert_cmpint (small, ==, 6);
  }

  /* A bulk NULL where the column takes none changes nothing. */
  g_assert_cmpint (gorm_query_update (query, "required", NULL, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_VALIDATION);
  assert_message_names (error, "required", NULL);
  g_clear_error (&error);

  /* An unsaved NULL survives a refresh; a saved value does not. */
  set_null_ok (other, "ratio");
  g_clear_object (&fetched);
  fetched = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_null (other, "ratio"));
  g_assert_true (gorm_resource_is_dirty (other));
}

static void
save_scored (GormDatabase *db,
             const char   *name,
             gboolean      null,
             gint64        count)
{
  g_autoptr(GormResource) resource = g_object_new (TEST_TYPE_OPTIONAL, "database", db,
                                                   "name", name, "count", count, NULL);

  if (null)
    set_null_ok (resource, "count");
  test_save_ok (resource);
}

static char *
names_of (GListModel *model)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *name = NULL;

      g_object_get (item, "name", &name, NULL);
      g_string_append_printf (names, "%s%s", i ? " " : "", name);
    }
  return g_string_free (names, FALSE);
}

static char *
ordered_names (GormDatabase *db,
               gboolean      descending,
               gboolean      live)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_OPTIONAL);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;

  gorm_query_order_by (query, "count", descending);
  gorm_query_order_by (query, "name", FALSE);
  model = live ? gorm_query_watch (query, NULL, &error) : gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  return names_of (model);
}

static gint64
count_filtered (GormDatabase *db,
                GormFilter   *filter)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_OPTIONAL);
  g_autoptr(GError) error = NULL;
  gint64 n;

  gorm_query_filter (query, filter);
  n = gorm_query_count (query, NULL, &error);
  g_assert_no_error (error);
  return n;
}

static void
test_filters_and_order (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_auto(GValue) value = G_VALUE_INIT;

  save_scored (db, "b", FALSE, 2);
  save_scored (db, "n1", TRUE, 0);
  save_scored (db, "a", FALSE, -1);
  save_scored (db, "z", FALSE, 0);
  save_scored (db, "n2", TRUE, 0);

  /* NULL is not 0. */
  g_assert_cmpint (count_filtered (db, gorm_filter_is_null ("count")), ==, 2);
  g_assert_cmpint (count_filtered (db, gorm_filter_is_not_null ("count")), ==, 3);
  g_assert_cmpint (count_filtered (db, gorm_filter_eq ("count", NULL)), ==, 2);
  g_assert_cmpint (count_filtered (db, gorm_filter_ne ("count", NULL)), ==, 3);
  g_assert_cmpint (count_filtered (db, gorm_filter_eq ("count", test_int_value (&value, 0))), ==, 1);
  /* NOT (count = 0) holds for the NULLs too, as in every filter. */
  g_assert_cmpint (count_filtered (db, gorm_filter_not (gorm_filter_eq ("count", &value))), ==, 4);
  g_assert_cmpint (count_filtered (db, gorm_filter_ne ("count", &value)), ==, 4);
  g_assert_cmpint (count_filtered (db, gorm_filter_lt ("count", &value)), ==, 1);
  /* A number that is not nullable has no NULL. */
  g_assert_cmpint (count_filtered (db, gorm_filter_is_null ("required")), ==, 0);

  /* NULLs first ascending, last descending, on both engines, fetched or
   * live. */
  for (guint live = 0; live < 2; live++)
    {
      g_autofree char *up = ordered_names (db, FALSE, live);
      g_autofree char *down = ordered_names (db, TRUE, live);

      g_assert_cmpstr (up, ==, "n1 n2 a z b");
      g_assert_cmpstr (down, ==, "b z a n1 n2");
    }
}

/* Runs what the main context has to run: the change feed delivers to
 * live models from an idle source. */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_live_model (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_OPTIONAL);
  g_autoptr(GListModel) nulls = NULL;
  g_autoptr(GListModel) ordered = NULL;
  g_autoptr(GormResource) resource = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  save_scored (db, "a", FALSE, 1);
  save_scored (db, "b", TRUE, 0);
  gorm_query_filter (query, gorm_filter_is_null ("count"));
  nulls = gorm_query_watch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (nulls), ==, 1);
  {
    g_autoptr(GormResource) item = g_list_model_get_item (nulls, 0);

    g_assert_true (gorm_resource_is_null (item, "count"));
  }
  {
    g_autoptr(GormQuery) all = gorm_database_query (db, TEST_TYPE_OPTIONAL);

    gorm_query_order_by (all, "count", FALSE);
    ordered = gorm_query_watch (all, NULL, &error);
    g_assert_no_error (error);
  }

  /* Becoming NULL enters the model; a value leaves it. */
  resource = g_object_new (TEST_TYPE_OPTIONAL, "database", db, "name", "c", "count", (gint64) 5, NULL);
  test_save_ok (resource);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (nulls), ==, 1);
  set_null_ok (resource, "count");
  test_save_ok (resource);
  drain ();
  names = names_of (nulls);
  g_assert_cmpstr (names, ==, "b c");
  g_clear_pointer (&names, g_free);
  names = names_of (ordered);
  g_assert_cmpstr (names, ==, "b c a");
  g_clear_pointer (&names, g_free);

  g_object_set (resource, "count", (gint64) 0, NULL);
  test_save_ok (resource);
  drain ();
  names = names_of (nulls);
  g_assert_cmpstr (names, ==, "b");
  g_clear_pointer (&names, g_free);
  names = names_of (ordered);
  g_assert_cmpstr (names, ==, "b c a");
}

static void
test_columns (void)
{
  g_autoptr(GormDatabase) db = open_migrated ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GormResource) loaded = NULL;
  gint required;

  /* A number without set_nullable() is NOT NULL, with its default. */
  gorm_database_execute (db, "INSERT INTO test_optional (label, required) VALUES ('x', NULL)",
                         NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  /* A NOT NULL string too. */
  gorm_database_execute (db, "INSERT INTO test_optional (label) VALUES (NULL)", NULL, 0, NULL, &error);
  g_assert_error (error, GORM_ERROR, GORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  /* A row another tool writes without them gets their defaults, and NULL
   * in the nullable columns. */
  g_assert_cmpint (gorm_database_execute (db, "INSERT INTO test_optional (label) VALUES ('x')",
                                          NULL, 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  {
    g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_OPTIONAL);

    loaded = gorm_query_first (query, NULL, &error);
    g_assert_no_error (error);
  }
  g_object_get (loaded, "required", &required, NULL);
  g_assert_cmpint (required, ==, 0);
  g_assert_false (gorm_resource_is_null (loaded, "required"));
  assert_all_null (loaded, TRUE);
}

/* A table from before: a nullable number added to it is NULL in its
 * rows, a number that is not nullable holds its default. */
static void
test_migrate_added_columns (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GormResource) old = NULL;
  g_autoptr(GormResource) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gint required;

  test_migrate (db, test_optional_v1_get_type ());
  old = g_object_new (test_optional_v1_get_type (), "database", db, "name", "old", NULL);
  test_save_ok (old);
  test_migrate (db, test_optional_v2_get_type ());
  /* Again: nothing to do. */
  test_migrate (db, test_optional_v2_get_type ());

  loaded = gorm_database_get (db, test_optional_v2_get_type (), gorm_resource_get_id (old), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gorm_resource_is_null (loaded, "count"));
  g_object_get (loaded, "required", &required, NULL);
  g_assert_cmpint (required, ==, 7);
  g_assert_false (gorm_resource_is_null (loaded, "required"));

  /* The new columns take what they should. */
  g_object_set (loaded, "count", (gint64) 3, NULL);
  test_save_ok (loaded);
  set_null_ok (loaded, "count");
  test_save_ok (loaded);
  g_assert_true (gorm_resource_reload (loaded, NULL, &error));
  g_assert_true (gorm_resource_is_null (loaded, "count"));
}

static void
test_schema_errors (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();
  g_autoptr(GError) error = NULL;
  GType both = test_both_null_get_type ();
  GType unknown = test_unknown_null_get_type ();

  g_assert_false (gorm_database_migrate (db, &both, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "TestBothNull:name"));
  g_assert_nonnull (strstr (error->message, "set_nullable"));
  g_clear_error (&error);

  g_assert_false (gorm_database_migrate (db, &unknown, 1, NULL, &error));
  g_assert_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY);
  g_assert_nonnull (strstr (error->message, "TestUnknownNull"));
  g_assert_nonnull (strstr (error->message, "nope"));
  g_assert_nonnull (strstr (error->message, "set_nullable"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Nulls/round-trip", test_round_trip);
  g_test_add_func ("/Gorm/Nulls/insert-null", test_insert_null);
  g_test_add_func ("/Gorm/Nulls/set-null-notifies", test_set_null_notifies);
  g_test_add_func ("/Gorm/Nulls/set-null-refused", test_set_null_refused);
  g_test_add_func ("/Gorm/Nulls/set-value-lossy", test_set_value_lossy);
  g_test_add_func ("/Gorm/Nulls/set-value-lossless", test_set_value_lossless);
  g_test_add_func ("/Gorm/Nulls/identity-refresh", test_identity_refresh);
  g_test_add_func ("/Gorm/Nulls/filters-and-order", test_filters_and_order);
  g_test_add_func ("/Gorm/Nulls/live-model", test_live_model);
  g_test_add_func ("/Gorm/Nulls/columns", test_columns);
  g_test_add_func ("/Gorm/Nulls/migrate-added-columns", test_migrate_added_columns);
  g_test_add_func ("/Gorm/Nulls/schema-errors", test_schema_errors);

  return g_test_run ();
}
