/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-test-utils.h"

/*
 * Every filter on every stored type, against six rows whose values sit at
 * the edges of their types. Each case also checks that gorm_filter_not()
 * of the filter matches exactly the other rows, NULLs included, and that
 * count and exists agree with the rows found.
 */

TEST_DEFINE_RESOURCE (TestSample, test_sample)
#define TEST_TYPE_SAMPLE (test_sample_get_type ())

static void
test_sample_class_init (TestSampleClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int64 ("big", NULL, NULL, G_MININT64, G_MAXINT64, 0, G_PARAM_READWRITE),
    g_param_spec_int ("num", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
    g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READWRITE),
    g_param_spec_double ("real", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, G_PARAM_READWRITE),
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_boolean ("flag", NULL, NULL, FALSE, G_PARAM_READWRITE),
    g_param_spec_enum ("color", NULL, NULL, TEST_TYPE_COLOR, TEST_COLOR_RED, G_PARAM_READWRITE),
    g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READWRITE),
    g_param_spec_boxed ("data", NULL, NULL, G_TYPE_BYTES, G_PARAM_READWRITE),
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, G_PARAM_READWRITE),
    g_param_spec_flags ("bits", NULL, NULL, TEST_TYPE_FLAGS, 0, G_PARAM_READWRITE),
  };
  GormResourceClass *resource_class = GORM_RESOURCE_CLASS (klass);

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_not_null (resource_class, "label");
  gorm_resource_class_set_unique (resource_class, "label");
}

/* Values written as constants in the tables below. */
typedef enum
{
  V_NONE,
  V_NULL,
  V_INT64,
  V_INT,
  V_UINT,
  V_DOUBLE,
  V_STRING,
  V_BOOLEAN,
  V_COLOR,
  V_TIME,
  V_BYTES,
  V_STRV,
  V_FLAGS,
} ValueKind;

typedef struct
{
  ValueKind   kind;
  gint64      i;
  gdouble     d;
  const char *s;
} Spec;

#define NONE       { V_NONE, 0, 0, NULL }
#define NUL        { V_NULL, 0, 0, NULL }
#define I64(x)     { V_INT64, (x), 0, NULL }
#define INT(x)     { V_INT, (x), 0, NULL }
#define UINT(x)    { V_UINT, (x), 0, NULL }
#define DBL(x)     { V_DOUBLE, 0, (x), NULL }
#define STR(x)     { V_STRING, 0, 0, (x) }
#define BOOL(x)    { V_BOOLEAN, (x), 0, NULL }
#define COLOR(x)   { V_COLOR, (x), 0, NULL }
#define TIME(x)    { V_TIME, 0, 0, (x) }
#define BYTES(x)   { V_BYTES, sizeof (x) - 1, 0, (x) }
#define STRV(x)    { V_STRV, 0, 0, (x) }
#define FLAGS(x)   { V_FLAGS, (x), 0, NULL }

static void
value_from_spec (GValue     *value,
                 const Spec *spec)
{
  switch (spec->kind)
    {
    case V_NULL:
      g_value_init (value, G_TYPE_STRING);
      break;
    case V_INT64:
      g_value_init (value, G_TYPE_INT64);
      g_value_set_int64 (value, spec->i);
      break;
    case V_INT:
      g_value_init (value, G_TYPE_INT);
      g_value_set_int (value, (gint) spec->i);
      break;
    case V_UINT:
      g_value_init (value, G_TYPE_UINT);
      g_value_set_uint (value, (guint) spec->i);
      break;
    case V_DOUBLE:
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, spec->d);
      break;
    case V_STRING:
      g_value_init (value, G_TYPE_STRING);
      g_value_set_string (value, spec->s);
      break;
    case V_BOOLEAN:
      g_value_init (value, G_TYPE_BOOLEAN);
      g_value_set_boolean (value, spec->i != 0);
      break;
    case V_COLOR:
      g_value_init (value, TEST_TYPE_COLOR);
      g_value_set_enum (value, (gint) spec->i);
      break;
    case V_TIME:
      g_value_init (value, G_TYPE_DATE_TIME);
      g_value_take_boxed (value, g_date_time_new_from_iso8601 (spec->s, NULL));
      g_assert_nonnull (g_value_get_boxed (value));
      break;
    case V_BYTES:
      g_value_init (value, G_TYPE_BYTES);
      g_value_take_boxed (value, g_bytes_new (spec->s, (gsize) spec->i));
      break;
    case V_STRV:
      g_value_init (value, G_TYPE_STRV);
      g_value_take_boxed (value, g_strsplit (spec->s, ",", -1));
      break;
    case V_FLAGS:
      g_value_init (value, TEST_TYPE_FLAGS);
      g_value_set_flags (value, (guint) spec->i);
      break;
    case V_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* The rows. A NONE leaves the property at its default (NULL where it can
 * be). The times of b, c and f are given in other zones than UTC: c is
 * the earliest instant though its local time is the latest, f is one
 * microsecond after b. */
static const struct
{
  const char *label;
  Spec big, num, count, real, name, flag, color, when, data, tags, bits;
} rows[] = {
  { "a", I64 (G_MININT64), INT (-5), UINT (0), DBL (-1.5), STR ("Zoë"), BOOL (FALSE),
    COLOR (TEST_COLOR_RED), TIME ("2024-01-01T00:00:00Z"), BYTES ("\0"), STRV ("x"),
    FLAGS (TEST_FLAG_A) },
  { "b", I64 (-1), INT (0), UINT (7), DBL (0.0), STR ("apple"), BOOL (TRUE),
    COLOR (TEST_COLOR_GREEN), TIME ("2024-01-01T10:00:00+02:00"), BYTES (""), STRV (""),
    FLAGS (TEST_FLAG_B) },
  { "c", I64 (0), INT (3), UINT (100), DBL (2.25), STR ("Apple"), BOOL (TRUE),
    COLOR (TEST_COLOR_DARK_BLUE), TIME ("2024-01-01T05:00:00+09:00"), BYTES ("\1\2\3"), STRV ("x,y"),
    FLAGS (TEST_FLAG_A | TEST_FLAG_B) },
  { "d", I64 (G_MAXINT64), INT (42), UINT (G_MAXUINT), DBL (1e300), NONE, BOOL (FALSE),
    COLOR (TEST_COLOR_GREEN), NONE, NONE, NONE,
    FLAGS (TEST_FLAG_NONE) },
  { "e", I64 (42), INT (3), UINT (3), DBL (3.0), STR ("100%_done"), BOOL (FALSE),
    COLOR (TEST_COLOR_RED), TIME ("2024-06-01T12:00:00Z"), BYTES ("\1\2"), NONE,
    FLAGS (TEST_FLAG_HIGH) },
  { "f", I64 (7), INT (G_MININT), UINT (1), DBL (-0.25), STR ("日本語テキスト"), BOOL (TRUE),
    COLOR (TEST_COLOR_DARK_BLUE), TIME ("2024-01-01T08:00:00.000001Z"), NONE, NONE,
    FLAGS (TEST_FLAG_A) },
};

#define ALL_ROWS "a b c d e f"

static void
set_spec (GObject    *object,
          const char *property,
          const Spec *spec)
{
  g_auto(GValue) value = G_VALUE_INIT;

  if (spec->kind == V_NONE)
    return;
  if (spec->kind == V_STRV && spec->s[0] == '\0')
    {
      /* An empty text splits into no strings: the empty array. */
      g_value_init (&value, G_TYPE_STRV);
      g_value_take_boxed (&value, g_new0 (char *, 1));
    }
  else
    value_from_spec (&value, spec);
  g_object_set_property (object, property, &value);
}

static GormDatabase *
open_with_rows (void)
{
  GormDatabase *db = test_open_memory ();

  test_migrate (db, TEST_TYPE_SAMPLE);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GObject) object = g_object_new (TEST_TYPE_SAMPLE, "database", db,
                                                "label", rows[i].label, NULL);
      g_autoptr(GError) error = NULL;

      set_spec (object, "big", &rows[i].big);
      set_spec (object, "num", &rows[i].num);
      set_spec (object, "count", &rows[i].count);
      set_spec (object, "real", &rows[i].real);
      set_spec (object, "name", &rows[i].name);
      set_spec (object, "flag", &rows[i].flag);
      set_spec (object, "color", &rows[i].color);
      set_spec (object, "when", &rows[i].when);
      set_spec (object, "data", &rows[i].data);
      set_spec (object, "tags", &rows[i].tags);
      set_spec (object, "bits", &rows[i].bits);
      g_assert_true (gorm_resource_save (GORM_RESOURCE (object), NULL, &error));
      g_assert_no_error (error);
    }

  return db;
}

/* The labels of the rows @filter matches, in label order, space-separated;
 * checks that count and exists agree. Takes @filter. */
static char *
matches (GormDatabase *db,
         GormFilter   *filter)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_SAMPLE);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) labels = g_string_new ("");
  guint n_items;
  gint64 count;
  gboolean exists;

  gorm_query_order_by (gorm_query_filter (query, filter), "label", FALSE);
  model = gorm_query_fetch (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);

  n_items = g_list_model_get_n_items (model);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *label = NULL;

      g_object_get (item, "label", &label, NULL);
      if (i > 0)
        g_string_append_c (labels, ' ');
      g_string_append (labels, label);
    }

  count = gorm_query_count (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, n_items);
  exists = gorm_query_exists (query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (exists, ==, n_items > 0);

  return g_string_free (g_steal_pointer (&labels), FALSE);
}

/* The labels of all rows not in @labels. */
static char *
complement (const char *labels)
{
  g_auto(GStrv) matched = g_strsplit (labels, " ", -1);
  g_autoptr(GString) rest = g_string_new ("");

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (!g_strv_contains ((const char * const *) matched, rows[i].label))
      {
        if (rest->len > 0)
          g_string_append_c (rest, ' ');
        g_string_append (rest, rows[i].label);
      }
  return g_string_free (g_steal_pointer (&rest), FALSE);
}

/* Checks the rows @filter matches and that its negation matches the
 * others. Takes @filter. */
static void
check_filter (GormDatabase *db,
              GormFilter   *filter,
              const char   *expected,
              const char   *description)
{
  g_autofree char *found = NULL;
  g_autofree char *found_not = NULL;
  g_autofree char *expected_not = complement (expected);

  found = matches (db, gorm_filter_ref (filter));
  if (g_strcmp0 (found, expected) != 0)
    g_error ("%s matched “%s”, expected “%s”", description, found, expected);

  found_not = matches (db, gorm_filter_not (filter));
  if (g_strcmp0 (found_not, expected_not) != 0)
    g_error ("not (%s) matched “%s”, expected “%s”", description, found_not, expected_not);
}

typedef struct
{
  const char *property;
  const char *op;
  Spec        values[3];
  const char *expected;
} Case;

static GormFilter *
filter_from_case (const Case *c)
{
  GValue values[G_N_ELEMENTS (c->values)] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
  GormFilter *filter = NULL;
  guint n = 0;

  for (; n < G_N_ELEMENTS (c->values) && c->values[n].kind != V_NONE; n++)
    value_from_spec (&values[n], &c->values[n]);

  if (g_str_equal (c->op, "eq"))
    filter = gorm_filter_eq (c->property, &values[0]);
  else if (g_str_equal (c->op, "ne"))
    filter = gorm_filter_ne (c->property, &values[0]);
  else if (g_str_equal (c->op, "lt"))
    filter = gorm_filter_lt (c->property, &values[0]);
  else if (g_str_equal (c->op, "le"))
    filter = gorm_filter_le (c->property, &values[0]);
  else if (g_str_equal (c->op, "gt"))
    filter = gorm_filter_gt (c->property, &values[0]);
  else if (g_str_equal (c->op, "ge"))
    filter = gorm_filter_ge (c->property, &values[0]);
  else if (g_str_equal (c->op, "like"))
    filter = gorm_filter_like (c->property, g_value_get_string (&values[0]));
  else if (g_str_equal (c->op, "in"))
    filter = gorm_filter_in (c->property, n > 0 ? values : NULL, n);
  else if (g_str_equal (c->op, "between"))
    filter = gorm_filter_between (c->property, &values[0], &values[1]);
  else if (g_str_equal (c->op, "is_null"))
    filter = gorm_filter_is_null (c->property);
  else if (g_str_equal (c->op, "is_not_null"))
    filter = gorm_filter_is_not_null (c->property);
  else
    g_assert_not_reached ();

  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);
  return filter;
}

static void
run_cases (const Case *cases,
           guint       n_cases)
{
  g_autoptr(GormDatabase) db = open_with_rows ();

  for (guint i = 0; i < n_cases; i++)
    {
      g_autofree char *description = g_strdup_printf ("case %u: %s %s", i, cases[i].op,
                                                      cases[i].property);

      check_filter (db, filter_from_case (&cases[i]), cases[i].expected, description);
    }

  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
test_integers (void)
{
  static const Case cases[] = {
    { "big", "eq", { I64 (G_MININT64) }, "a" },
    { "big", "eq", { I64 (G_MAXINT64) }, "d" },
    { "big", "eq", { I64 (0) }, "c" },
    /* A gint and a gdouble that is a whole number fit a gint64. */
    { "big", "eq", { INT (42) }, "e" },
    { "big", "eq", { DBL (7.0) }, "f" },
    { "big", "ne", { I64 (0) }, "a b d e f" },
    { "big", "lt", { I64 (0) }, "a b" },
    { "big", "le", { I64 (0) }, "a b c" },
    { "big", "gt", { I64 (7) }, "d e" },
    { "big", "ge", { I64 (7) }, "d e f" },
    { "big", "gt", { I64 (G_MAXINT64 - 1) }, "d" },
    { "big", "lt", { I64 (G_MININT64 + 1) }, "a" },
    { "big", "between", { I64 (-1), I64 (42) }, "b c e f" },
    { "big", "between", { I64 (G_MININT64), I64 (G_MAXINT64) }, ALL_ROWS },
    { "big", "between", { I64 (43), I64 (7) }, "" },
    { "big", "in", { I64 (G_MININT64), I64 (42), I64 (5) }, "a e" },
    { "big", "in", { NONE }, "" },
    { "big", "is_null", { NONE }, "" },
    { "big", "is_not_null", { NONE }, ALL_ROWS },
    { "num", "eq", { INT (3) }, "c e" },
    { "num", "eq", { INT (G_MININT) }, "f" },
    { "num", "lt", { INT (0) }, "a f" },
    { "num", "ge", { INT (G_MININT) }, ALL_ROWS },
    { "num", "between", { INT (-5), INT (0) }, "a b" },
    { "num", "in", { INT (0), I64 (42) }, "b d" },
    { "count", "eq", { UINT (G_MAXUINT) }, "d" },
    { "count", "gt", { UINT (50) }, "c d" },
    { "count", "le", { INT (3) }, "a e f" },
    { "count", "ne", { I64 (0) }, "b c d e f" },
    { "bits", "eq", { FLAGS (TEST_FLAG_A) }, "a f" },
    { "bits", "eq", { FLAGS (TEST_FLAG_A | TEST_FLAG_B) }, "c" },
    { "bits", "eq", { FLAGS (TEST_FLAG_NONE) }, "d" },
    { "bits", "in", { FLAGS (TEST_FLAG_B), FLAGS (TEST_FLAG_HIGH) }, "b e" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_doubles (void)
{
  static const Case cases[] = {
    { "real", "eq", { DBL (-1.5) }, "a" },
    { "real", "eq", { DBL (1e300) }, "d" },
    { "real", "eq", { INT (3) }, "e" },
    { "real", "eq", { DBL (0.0) }, "b" },
    { "real", "ne", { DBL (0.0) }, "a c d e f" },
    { "real", "lt", { DBL (0) }, "a f" },
    { "real", "le", { DBL (-0.25) }, "a f" },
    { "real", "gt", { DBL (2.25) }, "d e" },
    { "real", "ge", { DBL (-0.25) }, "b c d e f" },
    { "real", "between", { DBL (0), INT (3) }, "b c e" },
    { "real", "in", { DBL (2.25), DBL (-0.25), DBL (9) }, "c f" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_strings (void)
{
  /* Byte order: "100%_done" < "Apple" < "Zoë" < "apple" < "日本語テキスト". */
  static const Case cases[] = {
    { "name", "eq", { STR ("apple") }, "b" },
    { "name", "eq", { STR ("Apple") }, "c" },
    { "name", "eq", { STR ("Zoë") }, "a" },
    { "name", "eq", { STR ("日本語テキスト") }, "f" },
    { "name", "eq", { STR ("") }, "" },
    { "name", "eq", { STR ("apple ") }, "" },
    { "name", "ne", { STR ("apple") }, "a c d e f" },
    { "name", "lt", { STR ("apple") }, "a c e" },
    { "name", "le", { STR ("Apple") }, "c e" },
    { "name", "gt", { STR ("Zoë") }, "b f" },
    { "name", "ge", { STR ("Zoë") }, "a b f" },
    { "name", "between", { STR ("Apple"), STR ("apple") }, "a b c" },
    { "name", "in", { STR ("apple"), STR ("日本語テキスト"), STR ("zzz") }, "b f" },
    { "name", "in", { STR ("nothing") }, "" },
    { "label", "in", { NONE }, "" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_like (void)
{
  static const Case cases[] = {
    /* Case-sensitive, as on PostgreSQL. */
    { "name", "like", { STR ("app%") }, "b" },
    { "name", "like", { STR ("App%") }, "c" },
    { "name", "like", { STR ("APPLE") }, "" },
    { "name", "like", { STR ("%pple") }, "b c" },
    { "name", "like", { STR ("_pple") }, "b c" },
    { "name", "like", { STR ("apple") }, "b" },
    /* _ is one character, not one byte. */
    { "name", "like", { STR ("Zo_") }, "a" },
    { "name", "like", { STR ("日本%") }, "f" },
    { "name", "like", { STR ("%テキ%") }, "f" },
    { "name", "like", { STR ("%") }, "a b c e f" },
    { "name", "like", { STR ("") }, "" },
    /* A backslash makes % and _ literal. */
    { "name", "like", { STR ("100\\%\\_done") }, "e" },
    { "name", "like", { STR ("100\\%%") }, "e" },
    { "name", "like", { STR ("%\\%%") }, "e" },
    { "name", "like", { STR ("%\\_%") }, "e" },
    { "name", "like", { STR ("1_0\\%%") }, "e" },
    { "name", "like", { STR ("\\%%") }, "" },
    { "name", "like", { STR ("100\\_%") }, "" },
    /* Enums match by nick, date-times by their UTC text. */
    { "color", "like", { STR ("dark-%") }, "c f" },
    { "when", "like", { STR ("2024-01-01T%") }, "a b f" },
    { "when", "like", { STR ("2023-12-31T20:00:00.000000Z") }, "c" },
    { "tags", "like", { STR ("%\"y\"%") }, "c" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_booleans (void)
{
  static const Case cases[] = {
    { "flag", "eq", { BOOL (TRUE) }, "b c f" },
    { "flag", "eq", { BOOL (FALSE) }, "a d e" },
    { "flag", "ne", { BOOL (TRUE) }, "a d e" },
    { "flag", "eq", { INT (1) }, "b c f" },
    { "flag", "lt", { BOOL (TRUE) }, "a d e" },
    { "flag", "in", { BOOL (TRUE), BOOL (FALSE) }, ALL_ROWS },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_enums (void)
{
  /* Enums are equal by nick, and order by the values their type
   * declares: DARK_BLUE (-3) < RED (0) < GREEN (5). */
  static const Case cases[] = {
    { "color", "eq", { COLOR (TEST_COLOR_GREEN) }, "b d" },
    { "color", "eq", { STR ("dark-blue") }, "c f" },
    { "color", "eq", { STR ("TEST_COLOR_RED") }, "a e" },
    { "color", "eq", { INT (TEST_COLOR_DARK_BLUE) }, "c f" },
    { "color", "ne", { COLOR (TEST_COLOR_RED) }, "b c d f" },
    { "color", "lt", { COLOR (TEST_COLOR_GREEN) }, "a c e f" },
    { "color", "ge", { COLOR (TEST_COLOR_GREEN) }, "b d" },
    { "color", "gt", { STR ("green") }, "" },
    { "color", "gt", { STR ("dark-blue") }, "a b d e" },
    { "color", "in", { COLOR (TEST_COLOR_RED), COLOR (TEST_COLOR_DARK_BLUE) }, "a c e f" },
    { "color", "between", { COLOR (TEST_COLOR_DARK_BLUE), COLOR (TEST_COLOR_GREEN) }, ALL_ROWS },
    { "color", "between", { COLOR (TEST_COLOR_RED), COLOR (TEST_COLOR_GREEN) }, "a b d e" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_date_times (void)
{
  /* In UTC: c 2023-12-31 20:00, a 2024-01-01 00:00, b 08:00,
   * f 08:00:00.000001, e 2024-06-01 12:00; d is NULL. */
  static const Case cases[] = {
    /* The same instant in other zones. */
    { "when", "eq", { TIME ("2024-01-01T08:00:00Z") }, "b" },
    { "when", "eq", { TIME ("2024-01-01T09:00:00+01:00") }, "b" },
    { "when", "eq", { TIME ("2024-01-01T03:00:00-05:00") }, "b" },
    { "when", "eq", { TIME ("2024-01-01T05:00:00+09:00") }, "c" },
    { "when", "eq", { TIME ("2023-12-31T20:00:00Z") }, "c" },
    { "when", "eq", { TIME ("2024-01-01T08:00:00.000001+00:00") }, "f" },
    { "when", "ne", { TIME ("2024-01-01T10:00:00+02:00") }, "a c d e f" },
    /* c's local time is the latest, its instant the earliest. */
    { "when", "lt", { TIME ("2024-01-01T00:00:00Z") }, "c" },
    { "when", "le", { TIME ("2024-01-01T01:00:00+01:00") }, "a c" },
    { "when", "gt", { TIME ("2024-01-01T08:00:00Z") }, "e f" },
    { "when", "ge", { TIME ("2024-01-01T10:00:00+02:00") }, "b e f" },
    { "when", "between", { TIME ("2024-01-01T00:00:00Z"), TIME ("2024-01-01T10:00:00+02:00") }, "a b" },
    { "when", "between", { TIME ("2024-01-01T00:00:00Z"), TIME ("2024-01-01T10:00:00.000001+02:00") }, "a b f" },
    { "when", "in", { TIME ("2024-06-01T14:00:00+02:00"), TIME ("2024-01-01T00:00:00Z") }, "a e" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_bytes (void)
{
  static const Case cases[] = {
    { "data", "eq", { BYTES ("\0") }, "a" },
    /* An empty blob is not NULL. */
    { "data", "eq", { BYTES ("") }, "b" },
    { "data", "eq", { BYTES ("\1\2\3") }, "c" },
    { "data", "eq", { BYTES ("\1\2") }, "e" },
    { "data", "eq", { BYTES ("\1") }, "" },
    { "data", "ne", { BYTES ("") }, "a c d e f" },
    { "data", "in", { BYTES ("\1\2"), BYTES ("") }, "b e" },
    { "data", "eq", { NUL }, "d f" },
    { "tags", "eq", { STRV ("x,y") }, "c" },
    { "tags", "eq", { STRV ("x") }, "a" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_nulls (void)
{
  static const Case cases[] = {
    /* eq NULL is IS NULL and ne NULL is IS NOT NULL, for every type. */
    { "name", "eq", { NUL }, "d" },
    { "name", "ne", { NUL }, "a b c e f" },
    { "when", "eq", { NUL }, "d" },
    { "data", "ne", { NUL }, "a b c e" },
    { "tags", "eq", { NUL }, "d e f" },
    { "big", "eq", { NUL }, "" },
    { "big", "ne", { NUL }, ALL_ROWS },
    { "name", "is_null", { NONE }, "d" },
    { "name", "is_not_null", { NONE }, "a b c e f" },
    { "when", "is_null", { NONE }, "d" },
    { "data", "is_null", { NONE }, "d f" },
    { "tags", "is_not_null", { NONE }, "a b c" },
    /* NULL in a list is IS NULL. */
    { "name", "in", { NUL, STR ("apple") }, "b d" },
    { "name", "in", { NUL }, "d" },
    { "data", "in", { BYTES (""), NUL }, "b d f" },
    /* Comparisons never match NULL; their negations do. */
    { "name", "lt", { STR ("zzz") }, "a b c e" },
    { "name", "like", { STR ("%") }, "a b c e f" },
    { "when", "between", { TIME ("0001-01-01T00:00:00Z"), TIME ("9999-12-31T00:00:00Z") }, "a b c e f" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

/* Every way to say NULL: no GValue, an unset one, a NULL string or
 * boxed value, GDA_TYPE_NULL. */
static void
test_null_values (void)
{
  g_autoptr(GormDatabase) db = open_with_rows ();
  g_auto(GValue) unset = G_VALUE_INIT;
  g_auto(GValue) string = G_VALUE_INIT;
  g_auto(GValue) boxed = G_VALUE_INIT;
  g_auto(GValue) gda_null = G_VALUE_INIT;
  const GValue *nulls[] = { NULL, &unset, &string, &boxed, &gda_null };

  g_value_init (&string, G_TYPE_STRING);
  g_value_init (&boxed, G_TYPE_DATE_TIME);
  g_value_init (&gda_null, GDA_TYPE_NULL);

  for (guint i = 0; i < G_N_ELEMENTS (nulls); i++)
    {
      check_filter (db, gorm_filter_eq ("name", nulls[i]), "d", "eq name NULL");
      check_filter (db, gorm_filter_ne ("when", nulls[i]), "a b c e f", "ne when NULL");
    }

  g_assert_finalize_object (g_steal_pointer (&db));
}

static GValue *
int_value (GValue *value,
           gint64  number)
{
  g_value_init (value, G_TYPE_INT64);
  g_value_set_int64 (value, number);
  return value;
}

static void
test_combinations (void)
{
  g_autoptr(GormDatabase) db = open_with_rows ();
  g_auto(GValue) zero = G_VALUE_INIT;
  g_auto(GValue) seven = G_VALUE_INIT;
  g_auto(GValue) apple = G_VALUE_INIT;

  int_value (&zero, 0);
  int_value (&seven, 7);
  test_string_value (&apple, "apple");

  check_filter (db, gorm_filter_and (gorm_filter_ge ("big", &zero), gorm_filter_lt ("big", &seven)),
                "c", "and");
  check_filter (db, gorm_filter_or (gorm_filter_lt ("big", &zero), gorm_filter_eq ("name", &apple)),
                "a b", "or");
  check_filter (db, gorm_filter_not (gorm_filter_eq ("name", &apple)), "a c d e f", "not eq");
  check_filter (db, gorm_filter_not (gorm_filter_not (gorm_filter_eq ("name", &apple))), "b",
                "not not");
  /* De Morgan, with a NULL: d has no name. */
  check_filter (db, gorm_filter_not (gorm_filter_or (gorm_filter_eq ("name", &apple),
                                                     gorm_filter_ge ("big", &seven))),
                "a c", "not or");
  check_filter (db, gorm_filter_not (gorm_filter_and (gorm_filter_is_not_null ("name"),
                                                      gorm_filter_ge ("big", &zero))),
                "a b d", "not and");
  check_filter (db, gorm_filter_or (gorm_filter_in ("big", NULL, 0), gorm_filter_eq ("big", &seven)),
                "f", "or with an empty in");
  check_filter (db, gorm_filter_and (gorm_filter_not (gorm_filter_in ("big", NULL, 0)),
                                     gorm_filter_eq ("big", &seven)),
                "f", "and with not of an empty in");
  check_filter (db, gorm_filter_and (gorm_filter_and (gorm_filter_is_not_null ("when"),
                                                      gorm_filter_is_not_null ("data")),
                                     gorm_filter_or (gorm_filter_eq ("big", &zero),
                                                     gorm_filter_eq ("name", &apple))),
                "b c", "nested");

  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A filter can be shared: it is immutable, and queries keep their own
 * reference. */
static void
test_shared (void)
{
  g_autoptr(GormDatabase) db = open_with_rows ();
  g_auto(GValue) zero = G_VALUE_INIT;
  GormFilter *filter = gorm_filter_ge ("big", int_value (&zero, 0));
  g_autoptr(GormQuery) q1 = gorm_database_query (db, TEST_TYPE_SAMPLE);
  g_autoptr(GormQuery) q2 = gorm_database_query (db, TEST_TYPE_SAMPLE);
  g_autoptr(GError) error = NULL;

  g_assert_true (G_TYPE_IS_BOXED (GORM_TYPE_FILTER));
  gorm_query_filter (q1, gorm_filter_ref (filter));
  gorm_query_filter (q2, gorm_filter_and (gorm_filter_ref (filter), gorm_filter_is_null ("name")));
  g_value_set_int64 (&zero, 100);
  gorm_filter_unref (filter);

  g_assert_cmpint (gorm_query_count (q1, NULL, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (gorm_query_count (q2, NULL, &error), ==, 1);
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&q1));
  g_assert_finalize_object (g_steal_pointer (&q2));
  g_assert_finalize_object (g_steal_pointer (&db));
}

static void
check_error (GormDatabase *db,
             GormFilter   *filter,
             gint          code,
             const char   *needle)
{
  g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_SAMPLE);
  g_autoptr(TestLog) log = test_log_attach (db);
  g_autoptr(GError) error = NULL;

  gorm_query_filter (query, filter);
  g_assert_cmpint (gorm_query_count (query, NULL, &error), ==, -1);
  g_assert_error (error, GORM_ERROR, code);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” does not name “%s”", error->message, needle);
  g_assert_cmpuint (log->statements->len, ==, 0);
  gorm_database_set_trace_func (db, NULL, NULL);
}

static void
test_errors (void)
{
  g_autoptr(GormDatabase) db = open_with_rows ();
  g_auto(GValue) text = G_VALUE_INIT;
  g_auto(GValue) number = G_VALUE_INIT;
  g_auto(GValue) fraction = G_VALUE_INIT;
  g_auto(GValue) huge = G_VALUE_INIT;
  g_auto(GValue) null = G_VALUE_INIT;
  g_auto(GValue) nick = G_VALUE_INIT;
  GValue pair[2] = { G_VALUE_INIT, G_VALUE_INIT };

  test_string_value (&text, "abc");
  int_value (&number, 1);
  g_value_init (&fraction, G_TYPE_DOUBLE);
  g_value_set_double (&fraction, 2.5);
  g_value_init (&huge, G_TYPE_UINT64);
  g_value_set_uint64 (&huge, G_MAXUINT64);
  g_value_init (&null, G_TYPE_STRING);
  test_string_value (&nick, "purple");
  int_value (&pair[0], 1);
  test_string_value (&pair[1], "two");

  check_error (db, gorm_filter_eq ("nope", &number), GORM_ERROR_UNKNOWN_PROPERTY, "“nope”");
  check_error (db, gorm_filter_eq ("nope", NULL), GORM_ERROR_UNKNOWN_PROPERTY, "TestSample");
  check_error (db, gorm_filter_is_null ("database"), GORM_ERROR_UNKNOWN_PROPERTY, "“database”");
  check_error (db, gorm_filter_not (gorm_filter_or (gorm_filter_is_null ("name"),
                                                    gorm_filter_like ("nope", "%"))),
               GORM_ERROR_UNKNOWN_PROPERTY, "“nope”");
  /* A string for an integer, a fraction or an overflow for an integer. */
  check_error (db, gorm_filter_eq ("big", &text), GORM_ERROR_TYPE_MISMATCH, "TestSample:big");
  check_error (db, gorm_filter_lt ("num", &fraction), GORM_ERROR_TYPE_MISMATCH, "2.5");
  check_error (db, gorm_filter_gt ("big", &huge), GORM_ERROR_TYPE_MISMATCH, "18446744073709551615");
  check_error (db, gorm_filter_eq ("color", &nick), GORM_ERROR_TYPE_MISMATCH, "purple");
  check_error (db, gorm_filter_in ("big", pair, 2), GORM_ERROR_TYPE_MISMATCH, "two");
  check_error (db, gorm_filter_between ("real", &number, &text), GORM_ERROR_TYPE_MISMATCH, "abc");
  check_error (db, gorm_filter_eq ("when", &text), GORM_ERROR_TYPE_MISMATCH, "TestSample:when");
  /* Ordering comparisons and like cannot match NULL. */
  check_error (db, gorm_filter_lt ("name", &null), GORM_ERROR_TYPE_MISMATCH, "NULL");
  check_error (db, gorm_filter_between ("name", &text, &null), GORM_ERROR_TYPE_MISMATCH, "NULL");
  /* like applies to text. */
  check_error (db, gorm_filter_like ("big", "1%"), GORM_ERROR_TYPE_MISMATCH, "TestSample:big");
  check_error (db, gorm_filter_like ("data", "%"), GORM_ERROR_TYPE_MISMATCH, "TestSample:data");

  g_value_unset (&pair[0]);
  g_value_unset (&pair[1]);
  g_assert_finalize_object (g_steal_pointer (&db));
}

/* A filter built from arguments it cannot use carries its mistake to the
 * query, which reports it from its runners before any SQL; no critical
 * is printed (the suite runs with fatal warnings). */
static void
test_poisoned (void)
{
  g_autoptr(GormDatabase) db = open_with_rows ();
  g_auto(GValue) number = G_VALUE_INIT;
  GValue three[3] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };

  int_value (&number, 1);

  /* No property name. */
  check_error (db, gorm_filter_eq (NULL, &number), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_eq()");
  check_error (db, gorm_filter_eq (NULL, NULL), GORM_ERROR_UNKNOWN_PROPERTY, "TestSample");
  check_error (db, gorm_filter_ne (NULL, &number), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_ne()");
  check_error (db, gorm_filter_lt (NULL, &number), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_lt()");
  check_error (db, gorm_filter_le (NULL, &number), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_le()");
  check_error (db, gorm_filter_gt (NULL, &number), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_gt()");
  check_error (db, gorm_filter_ge (NULL, &number), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_ge()");
  check_error (db, gorm_filter_like (NULL, "%"), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_like()");
  check_error (db, gorm_filter_ilike (NULL, "%"), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_ilike()");
  check_error (db, gorm_filter_in (NULL, &number, 1), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_in()");
  check_error (db, gorm_filter_between (NULL, &number, &number), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_between()");
  check_error (db, gorm_filter_is_null (NULL), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_is_null()");
  check_error (db, gorm_filter_is_not_null (NULL), GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_is_not_null()");

  /* No value where NULL cannot be compared, no pattern, no values. */
  check_error (db, gorm_filter_lt ("big", NULL), GORM_ERROR_TYPE_MISMATCH, "TestSample:big");
  check_error (db, gorm_filter_ge ("name", NULL), GORM_ERROR_TYPE_MISMATCH, "TestSample:name");
  check_error (db, gorm_filter_between ("big", NULL, &number), GORM_ERROR_TYPE_MISMATCH, "TestSample:big");
  check_error (db, gorm_filter_between ("big", &number, NULL), GORM_ERROR_TYPE_MISMATCH, "NULL");
  check_error (db, gorm_filter_like ("name", NULL), GORM_ERROR_TYPE_MISMATCH, "NULL pattern");
  check_error (db, gorm_filter_ilike ("name", NULL), GORM_ERROR_TYPE_MISMATCH, "NULL pattern");
  check_error (db, gorm_filter_in ("big", NULL, 3), GORM_ERROR_TYPE_MISMATCH, "count of 3");

  /* No operand: the combination never drops to its other operand. */
  check_error (db, gorm_filter_and (NULL, gorm_filter_eq ("big", &number)), GORM_ERROR_FAILED, "first operand");
  check_error (db, gorm_filter_and (gorm_filter_eq ("big", &number), NULL), GORM_ERROR_FAILED, "second operand");
  check_error (db, gorm_filter_and (NULL, NULL), GORM_ERROR_FAILED, "gorm_filter_and()");
  check_error (db, gorm_filter_or (gorm_filter_is_null ("name"), NULL), GORM_ERROR_FAILED, "gorm_filter_or()");
  check_error (db, gorm_filter_or (NULL, gorm_filter_is_null ("name")), GORM_ERROR_FAILED, "first operand");
  check_error (db, gorm_filter_not (NULL), GORM_ERROR_FAILED, "gorm_filter_not()");

  /* Deep inside a tree, under not, on either side. */
  check_error (db, gorm_filter_not (gorm_filter_or (gorm_filter_is_null ("name"),
                                                    gorm_filter_and (gorm_filter_eq ("big", &number),
                                                                     gorm_filter_not (NULL)))),
               GORM_ERROR_FAILED, "gorm_filter_not()");
  check_error (db, gorm_filter_and (gorm_filter_gt (NULL, &number), gorm_filter_eq ("nope", &number)),
               GORM_ERROR_UNKNOWN_PROPERTY, "gorm_filter_gt()");

  /* A poisoned filter can be shared, and fails every query given it. */
  {
    g_autoptr(GormFilter) poisoned = gorm_filter_not (NULL);

    check_error (db, gorm_filter_ref (poisoned), GORM_ERROR_FAILED, "gorm_filter_not()");
    check_error (db, gorm_filter_and (gorm_filter_is_null ("name"), gorm_filter_ref (poisoned)),
                 GORM_ERROR_FAILED, "gorm_filter_not()");
  }

  /* The same values given properly work. */
  int_value (&three[0], 0);
  int_value (&three[1], 7);
  int_value (&three[2], 1000);
  {
    g_autofree char *found = matches (db, gorm_filter_in ("big", three, 3));

    g_assert_cmpstr (found, ==, "c f");
  }
  for (guint i = 0; i < G_N_ELEMENTS (three); i++)
    g_value_unset (&three[i]);

  g_assert_finalize_object (g_steal_pointer (&db));
}

/* The filter of @c with its values listed @times times over: a list
 * longer than the dialect binds one by one. */
static GormFilter *
long_in_from_case (const Case *c,
                   guint       times)
{
  guint n = 0;
  g_autoptr(GArray) values = g_array_new (FALSE, TRUE, sizeof (GValue));
  GormFilter *filter;

  g_array_set_clear_func (values, (GDestroyNotify) g_value_unset);
  while (n < G_N_ELEMENTS (c->values) && c->values[n].kind != V_NONE)
    n++;
  for (guint t = 0; t < times; t++)
    for (guint i = 0; i < n; i++)
      {
        GValue value = G_VALUE_INIT;

        value_from_spec (&value, &c->values[i]);
        g_array_append_val (values, value);
      }

  filter = gorm_filter_in (c->property, (GValue *) (gpointer) values->data, values->len);
  return filter;
}

/* An IN list longer than the dialect binds one value at a time matches
 * exactly what the short list matches, negated too, for every type:
 * 64-bit extremes, reals, text with wildcards and non-ASCII characters,
 * date-times given in other zones, blobs with a NUL byte and empty ones,
 * string arrays, enums, flags and booleans, with NULL listed or not. */
static void
test_long_in (void)
{
  static const Case cases[] = {
    { "big", "in", { I64 (G_MININT64), I64 (G_MAXINT64), I64 (0) }, NULL },
    { "num", "in", { INT (G_MININT), INT (3), NONE }, NULL },
    { "count", "in", { UINT (G_MAXUINT), UINT (7), NONE }, NULL },
    { "real", "in", { DBL (1e300), DBL (-0.25), DBL (2.25) }, NULL },
    { "real", "in", { INT (3), DBL (-1.5), NONE }, NULL },
    { "name", "in", { STR ("100%_done"), STR ("日本語テキスト"), STR ("Zoë") }, NULL },
    { "name", "in", { STR ("apple"), NUL, NONE }, NULL },
    { "flag", "in", { BOOL (TRUE), NONE, NONE }, NULL },
    { "color", "in", { COLOR (TEST_COLOR_DARK_BLUE), NONE, NONE }, NULL },
    { "when", "in", { TIME ("2024-01-01T09:00:00+01:00"), TIME ("2024-01-01T08:00:00.000001Z"), NONE }, NULL },
    { "data", "in", { BYTES ("\0"), BYTES (""), BYTES ("\1\2") }, NULL },
    { "data", "in", { BYTES ("\1\2\3"), NUL, NONE }, NULL },
    { "tags", "in", { STRV ("x,y"), STRV ("x"), NONE }, NULL },
    { "bits", "in", { FLAGS (TEST_FLAG_HIGH), FLAGS (TEST_FLAG_A), NONE }, NULL },
  };
  g_autoptr(GormDatabase) db = open_with_rows ();
  g_autoptr(TestLog) log = test_log_attach (db);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *expected = matches (db, filter_from_case (&cases[i]));
      g_autofree char *description = g_strdup_printf ("in (%s, 40 values)", cases[i].property);

      g_assert_cmpstr (expected, !=, "");
      test_log_clear (log);
      check_filter (db, long_in_from_case (&cases[i], 40), expected, description);
      /* The long list is one parameter (the exists run last has a LIMIT too). */
      g_assert_nonnull (strstr (test_log_last (log),
                                test_engine_is_postgresql () ? "(CAST(##p0::gchararray::null AS "
                                                             : "json_each(##p0::gchararray::null)"));
      g_assert_null (strstr (test_log_last (log), "##p2"));
    }

  gorm_database_set_trace_func (db, NULL, NULL);

  /* One bad value among many fails as in a short list, naming it. */
  {
    GValue values[40];

    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      {
        values[i] = (GValue) G_VALUE_INIT;
        if (i == 37)
          test_string_value (&values[i], "thirty-seven");
        else
          int_value (&values[i], i);
      }
    check_error (db, gorm_filter_in ("big", values, G_N_ELEMENTS (values)),
                 GORM_ERROR_TYPE_MISMATCH, "thirty-seven");
    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      g_value_unset (&values[i]);
  }

  g_assert_finalize_object (g_steal_pointer (&db));
}

/* What the filters render: identifiers quoted, values as parameters. */
static void
test_sql (void)
{
  static const struct
  {
    const char *op;
    const char *property;
    const char *where;
  } cases[] = {
    { "eq", "big", "\"big\" = ##p0::gint64::null" },
    { "ne", "big", "\"big\" <> ##p0::gint64::null" },
    { "ne", "name", "(\"name\" <> ##p0::gchararray::null OR \"name\" IS NULL)" },
    { "not-lt", "name", "(\"name\" >= ##p0::gchararray::null OR \"name\" IS NULL)" },
    { "not-lt", "big", "\"big\" >= ##p0::gint64::null" },
    { "like", "name", "\"name\" LIKE ##p0::gchararray::null ESCAPE ##p1::gchararray::null" },
    { "in", "big", "\"big\" IN (##p0::gint64::null, ##p1::gint64::null)" },
    { "in-empty", "big", "0" },
    { "between", "when", "\"when\" BETWEEN ##p0::gchararray::null AND ##p1::gchararray::null" },
    { "eq-null", "name", "\"name\" IS NULL" },
    { "ne-null", "name", "\"name\" IS NOT NULL" },
  };
  g_autoptr(GormDatabase) db = open_with_rows ();
  g_autoptr(TestLog) log = test_log_attach (db);
  g_auto(GValue) low = G_VALUE_INIT;
  g_auto(GValue) high = G_VALUE_INIT;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GormQuery) query = gorm_database_query (db, TEST_TYPE_SAMPLE);
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = NULL;
      const char *op = cases[i].op;
      const char *property = cases[i].property;
      GormFilter *filter;
      GValue pair[2] = { G_VALUE_INIT, G_VALUE_INIT };

      if (g_str_equal (property, "when"))
        {
          g_value_init (&pair[0], G_TYPE_DATE_TIME);
          g_value_take_boxed (&pair[0], g_date_time_new_utc (2024, 1, 1, 0, 0, 0));
          g_value_init (&pair[1], G_TYPE_DATE_TIME);
          g_value_take_boxed (&pair[1], g_date_time_new_utc (2025, 1, 1, 0, 0, 0));
        }
      else if (g_str_equal (property, "name"))
        {
          test_string_value (&pair[0], "a");
          test_string_value (&pair[1], "b");
        }
      else
        {
          int_value (&pair[0], 1);
          int_value (&pair[1], 2);
        }

      if (g_str_equal (op, "eq"))
        filter = gorm_filter_eq (property, &pair[0]);
      else if (g_str_equal (op, "ne"))
        filter = gorm_filter_ne (property, &pair[0]);
      else if (g_str_equal (op, "not-lt"))
        filter = gorm_filter_not (gorm_filter_lt (property, &pair[0]));
      else if (g_str_equal (op, "like"))
        filter = gorm_filter_like (property, "a%");
      else if (g_str_equal (op, "in"))
        filter = gorm_filter_in (property, pair, 2);
      else if (g_str_equal (op, "in-empty"))
        filter = gorm_filter_in (property, NULL, 0);
      else if (g_str_equal (op, "between"))
        filter = gorm_filter_between (property, &pair[0], &pair[1]);
      else if (g_str_equal (op, "eq-null"))
        filter = gorm_filter_eq (property, NULL);
      else
        filter = gorm_filter_ne (property, NULL);
      g_value_unset (&pair[0]);
      g_value_unset (&pair[1]);

      test_log_clear (log);
      gorm_query_filter (query, filter);
      g_assert_cmpint (gorm_query_count (query, NULL, &error), >=, 0);
      g_assert_no_error (error);
      g_assert_cmpuint (log->statements->len, ==, 1);
      /* Standard SQL's FALSE where SQLite has no boolean literal. */
      expected = g_strconcat ("SELECT count(*) FROM \"test_sample\" WHERE ",
                              test_engine_is_postgresql () && g_str_equal (cases[i].where, "0")
                                ? "FALSE" : cases[i].where, NULL);
      g_assert_cmpstr (test_log_last (log), ==, expected);
    }

  gorm_database_set_trace_func (db, NULL, NULL);
  g_assert_finalize_object (g_steal_pointer (&db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Filter/integers", test_integers);
  g_test_add_func ("/Gorm/Filter/doubles", test_doubles);
  g_test_add_func ("/Gorm/Filter/strings", test_strings);
  g_test_add_func ("/Gorm/Filter/like", test_like);
  g_test_add_func ("/Gorm/Filter/booleans", test_booleans);
  g_test_add_func ("/Gorm/Filter/enums", test_enums);
  g_test_add_func ("/Gorm/Filter/date-times", test_date_times);
  g_test_add_func ("/Gorm/Filter/bytes", test_bytes);
  g_test_add_func ("/Gorm/Filter/nulls", test_nulls);
  g_test_add_func ("/Gorm/Filter/null-values", test_null_values);
  g_test_add_func ("/Gorm/Filter/combinations", test_combinations);
  g_test_add_func ("/Gorm/Filter/shared", test_shared);
  g_test_add_func ("/Gorm/Filter/errors", test_errors);
  g_test_add_func ("/Gorm/Filter/poisoned", test_poisoned);
  g_test_add_func ("/Gorm/Filter/long-in", test_long_in);
  g_test_add_func ("/Gorm/Filter/sql", test_sql);

  return g_test_run ();
}
