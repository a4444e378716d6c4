/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-value-private.h"

#include <errno.h>
#include <math.h>
#include <string.h>


#include "gorm-error.h"


/* SQL NULL */

static gpointer
sql_null_copy (gpointer boxed)
{
  return boxed;
}

static void
sql_null_free (gpointer boxed)
{
}

G_DEFINE_BOXED_TYPE (GormSqlNull, gorm_sql_null, sql_null_copy, sql_null_free)

gboolean
gorm_value_key_equal (const GValue *a,
                      const GValue *b)
{
  if (G_VALUE_TYPE (a) != G_VALUE_TYPE (b))
    return FALSE;
  return G_VALUE_HOLDS_INT64 (a) ? g_value_get_int64 (a) == g_value_get_int64 (b)
                                 : g_strcmp0 (g_value_get_string (a), g_value_get_string (b)) == 0;
}

gboolean
gorm_value_is_sql_null (const GValue *value)
{
  GType type;

  if (value == NULL)
    return FALSE;
  type = G_VALUE_TYPE (value);
  /* The values of a row are mostly numbers and strings: fundamental
   * types, which neither NULL type is. */
  if (G_TYPE_IS_FUNDAMENTAL (type))
    return FALSE;
  if (type == GORM_TYPE_SQL_NULL)
    return TRUE;
  /* libgda's own NULL, which a caller may hand to the escape hatch; known
   * by name so that this layer needs no libgda header. */
  return G_TYPE_IS_BOXED (type) && g_strcmp0 (g_type_name (type), "GdaNull") == 0;
}

/* Descriptions in error messages keep a string readable without letting a
 * long text drown the message. */
#define DESCRIBED_CHARS_MAX 40

/* 2^63 and 2^64 are exact doubles, so comparing with them tells whether a
 * double lies in the range of a 64-bit integer type before any cast. */
#define TWO_POW_63 9223372036854775808.0
#define TWO_POW_64 18446744073709551616.0

/* Who supplied a value: the database, whose storage rules are known, or a
 * user, whose value must convert without loss. */
typedef enum
{
  SOURCE_SQL,
  SOURCE_USER,
} Source;

typedef enum
{
  NUMBER_SIGNED,
  NUMBER_UNSIGNED,
  NUMBER_DOUBLE,
} NumberForm;

/* A number read from a GValue of any numeric type, kept in a C type that
 * holds it exactly, so that every conversion can check for loss. */
typedef struct
{
  NumberForm form;
  gint64 s;
  guint64 u;
  gdouble d;
} Number;

/* The fields of a date-time text; the offset is in seconds east of UTC. */
typedef struct
{
  gint year;
  gint month;
  gint day;
  gint hour;
  gint minute;
  gint second;
  gint microsecond;
  gint offset;
} DateTimeFields;

/* The JSON escapes made of a backslash and one letter. */
static const struct
{
  char letter;
  char character;
} json_escapes[] = {
  { '"', '"' },
  { '\\', '\\' },
  { '/', '/' },
  { 'b', '\b' },
  { 'f', '\f' },
  { 'n', '\n' },
  { 'r', '\r' },
  { 't', '\t' },
};

/* Kinds */

static gboolean
fundamental_kind (GType          type,
                  GormValueKind *kind)
{
  switch (type)
    {
    case G_TYPE_BOOLEAN:
      *kind = GORM_VALUE_KIND_BOOLEAN;
      return TRUE;
    case G_TYPE_CHAR:
    case G_TYPE_INT:
    case G_TYPE_LONG:
    case G_TYPE_INT64:
      *kind = GORM_VALUE_KIND_INT;
      return TRUE;
    case G_TYPE_UCHAR:
    case G_TYPE_UINT:
    case G_TYPE_ULONG:
    case G_TYPE_UINT64:
      *kind = GORM_VALUE_KIND_UINT;
      return TRUE;
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      *kind = GORM_VALUE_KIND_DOUBLE;
      return TRUE;
    case G_TYPE_STRING:
      *kind = GORM_VALUE_KIND_STRING;
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
gorm_value_kind_for_type (GType          type,
                          GormValueKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  /* The abstract G_TYPE_ENUM and G_TYPE_FLAGS have no values: only the
   * types derived from them can be stored. */
  if (G_TYPE_IS_ENUM (type) && type != G_TYPE_ENUM)
    *kind = GORM_VALUE_KIND_ENUM;
  else if (G_TYPE_IS_FLAGS (type) && type != G_TYPE_FLAGS)
    *kind = GORM_VALUE_KIND_FLAGS;
  else if (type == G_TYPE_DATE_TIME)
    *kind = GORM_VALUE_KIND_DATE_TIME;
  else if (type == G_TYPE_BYTES)
    *kind = GORM_VALUE_KIND_BYTES;
  else if (type == G_TYPE_STRV)
    *kind = GORM_VALUE_KIND_STRV;
  else
    return fundamental_kind (type, kind);

  return TRUE;
}

GType
gorm_value_kind_get_sql_type (GormValueKind kind)
{
  switch (kind)
    {
    case GORM_VALUE_KIND_BOOLEAN:
    case GORM_VALUE_KIND_INT:
    case GORM_VALUE_KIND_UINT:
    case GORM_VALUE_KIND_FLAGS:
      return G_TYPE_INT64;
    case GORM_VALUE_KIND_DOUBLE:
      return G_TYPE_DOUBLE;
    case GORM_VALUE_KIND_STRING:
    case GORM_VALUE_KIND_ENUM:
    case GORM_VALUE_KIND_DATE_TIME:
    case GORM_VALUE_KIND_STRV:
      return G_TYPE_STRING;
    case GORM_VALUE_KIND_BYTES:
      return G_TYPE_BYTES;
    default:
      g_return_val_if_reached (G_TYPE_INVALID);
    }
}

gboolean
gorm_value_kind_is_nullable (GormValueKind kind)
{
  return kind == GORM_VALUE_KIND_STRING
         || kind == GORM_VALUE_KIND_DATE_TIME
         || kind == GORM_VALUE_KIND_BYTES
         || kind == GORM_VALUE_KIND_STRV;
}

/* Numbers */

static gboolean
number_set_signed (Number *number,
                   gint64  s)
{
  *number = (Number) { .form = NUMBER_SIGNED, .s = s };
  return TRUE;
}

static gboolean
number_set_unsigned (Number  *number,
                     guint64  u)
{
  *number = (Number) { .form = NUMBER_UNSIGNED, .u = u };
  return TRUE;
}

static gboolean
number_set_double (Number  *number,
                   gdouble  d)
{
  *number = (Number) { .form = NUMBER_DOUBLE, .d = d };
  return TRUE;
}

static gboolean
number_read (const GValue *value,
             Number       *number)
{
  switch (G_VALUE_TYPE (value))
    {
    case G_TYPE_BOOLEAN:
      return number_set_signed (number, g_value_get_boolean (value) ? 1 : 0);
    case G_TYPE_CHAR:
      return number_set_signed (number, g_value_get_schar (value));
    case G_TYPE_INT:
      return number_set_signed (number, g_value_get_int (value));
    case G_TYPE_LONG:
      return number_set_signed (number, g_value_get_long (value));
    case G_TYPE_INT64:
      return number_set_signed (number, g_value_get_int64 (value));
    case G_TYPE_UCHAR:
      return number_set_unsigned (number, g_value_get_uchar (value));
    case G_TYPE_UINT:
      return number_set_unsigned (number, g_value_get_uint (value));
    case G_TYPE_ULONG:
      return number_set_unsigned (number, g_value_get_ulong (value));
    case G_TYPE_UINT64:
      return number_set_unsigned (number, g_value_get_uint64 (value));
    case G_TYPE_FLOAT:
      return number_set_double (number, g_value_get_float (value));
    case G_TYPE_DOUBLE:
      return number_set_double (number, g_value_get_double (value));
    default:
      return FALSE;
    }
}

static gboolean
number_to_int64 (const Number *number,
                 gint64       *i)
{
  switch (number->form)
    {
    case NUMBER_SIGNED:
      *i = number->s;
      return TRUE;
    case NUMBER_UNSIGNED:
      *i = (gint64) number->u;
      return number->u <= G_MAXINT64;
    case NUMBER_DOUBLE:
    default:
      if (!(number->d >= -TWO_POW_63 && number->d < TWO_POW_63))
        return FALSE;
      *i = (gint64) number->d;
      return (gdouble) *i == number->d;
    }
}

static gboolean
number_to_uint64 (const Number *number,
                  guint64      *u)
{
  switch (number->form)
    {
    case NUMBER_SIGNED:
      *u = (guint64) number->s;
      return number->s >= 0;
    case NUMBER_UNSIGNED:
      *u = number->u;
      return TRUE;
    case NUMBER_DOUBLE:
    default:
      if (!(number->d >= 0 && number->d < TWO_POW_64))
        return FALSE;
      *u = (guint64) number->d;
      return (gdouble) *u == number->d;
    }
}

static gboolean
number_to_double (const Number *number,
                  gdouble      *d)
{
  switch (number->form)
    {
    case NUMBER_SIGNED:
      *d = (gdouble) number->s;
      return *d < TWO_POW_63 && (gint64) *d == number->s;
    case NUMBER_UNSIGNED:
      *d = (gdouble) number->u;
      return *d < TWO_POW_64 && (guint64) *d == number->u;
    case NUMBER_DOUBLE:
    default:
      *d = number->d;
      return TRUE;
    }
}

/* A guint64 above G_MAXINT64 is stored as the negative gint64 with the same
 * bits: reading the stored integer as unsigned gives it back. */
static void
number_reinterpret_unsigned (Number *number)
{
  if (number->form == NUMBER_SIGNED)
    number_set_unsigned (number, (guint64) number->s);
}

static gboolean
value_get_int64 (const GValue *value,
                 gint64       *i)
{
  Number number;

  return number_read (value, &number) && number_to_int64 (&number, i);
}

static gboolean
value_get_uint64 (const GValue *value,
                  guint64      *u)
{
  Number number;

  return number_read (value, &number) && number_to_uint64 (&number, u);
}

/* Property values of numeric types */

static gboolean
set_signed_value (GValue *value,
                  gint64  i)
{
  switch (G_VALUE_TYPE (value))
    {
    case G_TYPE_CHAR:
      if (i < G_MININT8 || i > G_MAXINT8)
        return FALSE;
      g_value_set_schar (value, (gint8) i);
      return TRUE;
    case G_TYPE_INT:
      if (i < G_MININT || i > G_MAXINT)
        return FALSE;
      g_value_set_int (value, (gint) i);
      return TRUE;
    case G_TYPE_LONG:
      if (i < G_MINLONG || i > G_MAXLONG)
        return FALSE;
      g_value_set_long (value, (glong) i);
      return TRUE;
    case G_TYPE_INT64:
      g_value_set_int64 (value, i);
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
set_unsigned_value (GValue  *value,
                    guint64  u)
{
  switch (G_VALUE_TYPE (value))
    {
    case G_TYPE_UCHAR:
      if (u > G_MAXUINT8)
        return FALSE;
      g_value_set_uchar (value, (guchar) u);
      return TRUE;
    case G_TYPE_UINT:
      if (u > G_MAXUINT)
        return FALSE;
      g_value_set_uint (value, (guint) u);
      return TRUE;
    case G_TYPE_ULONG:
      if (u > G_MAXULONG)
        return FALSE;
      g_value_set_ulong (value, (gulong) u);
      return TRUE;
    case G_TYPE_UINT64:
      g_value_set_uint64 (value, u);
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
set_float_value (GValue   *value,
                 gdouble   d,
                 gboolean  allow_rounding)
{
  gfloat f;

  /* A finite double beyond the range of float has no float to round to:
   * the cast would give an infinity (ISO C even leaves it undefined),
   * which a property whose range includes infinities would accept. */
  if (isfinite (d) && (d > G_MAXFLOAT || d < -G_MAXFLOAT))
    return FALSE;

  f = (gfloat) d;
  if (!allow_rounding && (gdouble) f != d)
    return FALSE;

  g_value_set_float (value, f);
  return TRUE;
}

/* Binary data */

static gboolean
value_get_data (const GValue  *value,
                gconstpointer *data,
                gsize         *size)
{
  if (!G_VALUE_HOLDS (value, G_TYPE_BYTES))
    return FALSE;
  *data = g_bytes_get_data (g_value_get_boxed (value), size);
  return TRUE;
}

/* NULL values */

static gboolean
value_is_null (const GValue *value)
{
  GType type;

  if (value == NULL)
    return TRUE;
  /* Of the fundamental types, only a string or a pointer holds NULL; the
   * checks below would each ask GType about a number. */
  type = G_VALUE_TYPE (value);
  if (G_TYPE_IS_FUNDAMENTAL (type) && type != G_TYPE_STRING && type != G_TYPE_POINTER)
    return FALSE;
  /* GORM_TYPE_SQL_NULL (and libgda's GdaNull, which a caller of the
   * escape hatch may pass) are boxed types whose values always hold NULL. */
  return (G_VALUE_HOLDS_STRING (value)
          || G_VALUE_HOLDS_BOXED (value)
          || G_VALUE_HOLDS_POINTER (value))
         && g_value_peek_pointer (value) == NULL;
}

gboolean
gorm_value_is_null (const GValue *value)
{
  if (value == NULL || G_VALUE_TYPE (value) == G_TYPE_INVALID)
    return TRUE;
  return value_is_null (value) || gorm_value_is_sql_null (value)
         || (G_VALUE_HOLDS_OBJECT (value) && g_value_peek_pointer (value) == NULL);
}

/* Describing values */

static char *
describe_string (const char *text)
{
  gboolean is_utf8 = g_utf8_validate (text, -1, NULL);
  glong length = is_utf8 ? g_utf8_strlen (text, -1) : (glong) strlen (text);
  glong kept = MIN (length, DESCRIBED_CHARS_MAX);
  g_autofree char *head = NULL;
  g_autofree char *escaped = NULL;
  char high_bytes[129];

  /* g_strescape () writes bytes above 0x7f in octal unless told to keep
   * them: valid UTF-8 reads better as it is. */
  for (guint i = 0; i < 128; i++)
    high_bytes[i] = (char) (0x80 + i);
  high_bytes[128] = '\0';

  head = is_utf8 ? g_utf8_substring (text, 0, kept) : g_strndup (text, kept);
  escaped = g_strescape (head, is_utf8 ? high_bytes : NULL);

  return g_strdup_printf ("\"%s\"%s", escaped, length > kept ? "…" : "");
}

static gboolean
reads_back_exactly (const char *text,
                    gdouble     d,
                    gboolean    is_float)
{
  gdouble back = g_ascii_strtod (text, NULL);

  if (!is_float)
    return back == d;

  return back >= -G_MAXFLOAT && back <= G_MAXFLOAT && (gfloat) back == (gfloat) d;
}

/* The shortest text that reads back as the same number, so that 0.1 shows
 * as 0.1 rather than 0.10000000000000001. */
static char *
describe_double (gdouble  d,
                 gboolean is_float)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  gint max_precision = is_float ? 9 : 17;

  for (gint precision = 1; ; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, d);
      if (precision >= max_precision || reads_back_exactly (buffer, d, is_float))
        return g_strdup (buffer);
    }
}

static char *
describe_number (const GValue *value,
                 const Number *number)
{
  if (G_VALUE_HOLDS_BOOLEAN (value))
    return g_strdup (number->s ? "TRUE" : "FALSE");

  switch (number->form)
    {
    case NUMBER_SIGNED:
      return g_strdup_printf ("%" G_GINT64_FORMAT, number->s);
    case NUMBER_UNSIGNED:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, number->u);
    case NUMBER_DOUBLE:
    default:
      return describe_double (number->d, G_VALUE_HOLDS_FLOAT (value));
    }
}

static char *
describe_enum (const GValue *value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (G_VALUE_TYPE (value));
  GEnumValue *enum_value = g_enum_get_value (klass, g_value_get_enum (value));

  if (enum_value == NULL)
    return g_strdup_printf ("%d", g_value_get_enum (value));

  return g_strdup (enum_value->value_nick);
}

char *
gorm_value_describe (const GValue *value)
{
  Number number;
  gconstpointer data;
  gsize size;

  if (value_is_null (value))
    return g_strdup ("NULL");
  if (G_VALUE_HOLDS_STRING (value))
    return describe_string (g_value_get_string (value));
  if (number_read (value, &number))
    return describe_number (value, &number);
  if (G_VALUE_HOLDS_ENUM (value))
    return describe_enum (value);
  if (G_VALUE_HOLDS_FLAGS (value))
    return g_flags_to_string (G_VALUE_TYPE (value), g_value_get_flags (value));
  if (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME))
    return g_date_time_format_iso8601 (g_value_get_boxed (value));
  if (G_VALUE_HOLDS (value, G_TYPE_STRV))
    return gorm_value_strv_to_json (g_value_get_boxed (value));
  if (value_get_data (value, &data, &size))
    return g_strdup_printf ("<%" G_GSIZE_FORMAT " bytes>", size);

  return g_strdup_printf ("<%s>", G_VALUE_TYPE_NAME (value));
}

/* Errors */

static gboolean
set_mismatch_error (GError       **error,
                    GParamSpec    *pspec,
                    const GValue  *value)
{
  g_autofree char *description = gorm_value_describe (value);
  g_autofree char *what = NULL;

  if (value_is_null (value))
    what = g_strdup ("NULL");
  else
    what = g_strdup_printf ("the %s %s", G_VALUE_TYPE_NAME (value), description);

  g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
               "Cannot store %s in %s:%s, a %s property",
               what, g_type_name (pspec->owner_type), pspec->name,
               g_type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)));
  return FALSE;
}

/* A stored value the property cannot take: the row holds what another
 * tool (or an older version of the type) wrote. */
static gboolean
set_unreadable_error (GError       **error,
                      GParamSpec    *pspec,
                      const GValue  *value)
{
  g_autofree char *description = gorm_value_describe (value);

  g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
               "The stored %s %s does not fit %s:%s, a %s property",
               value_is_null (value) ? "value" : G_VALUE_TYPE_NAME (value), description,
               g_type_name (pspec->owner_type), pspec->name,
               g_type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)));
  return FALSE;
}

/* SQL has no NaN: SQLite stores a bound NaN as NULL, which reads back as
 * 0.0, and NaN equals nothing, so no filter could find it. It is refused
 * before any SQL runs rather than changed into another number. */
static gboolean
value_is_nan (const GValue *value)
{
  /* Exact type comparisons: double and float are fundamental types that
   * cannot be derived from, and G_VALUE_HOLDS() walks the type hierarchy
   * for each value written. */
  GType type = G_VALUE_TYPE (value);

  return (type == G_TYPE_DOUBLE && isnan (g_value_get_double (value)))
         || (type == G_TYPE_FLOAT && isnan (g_value_get_float (value)));
}

static gboolean
set_nan_error (GError     **error,
               GParamSpec  *pspec)
{
  g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
               "Cannot store NaN in %s:%s, a %s property: SQL has no NaN",
               g_type_name (pspec->owner_type), pspec->name,
               g_type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)));
  return FALSE;
}

/* Date-times */

/* Writes @number, which is not negative, in @count decimal digits at @out,
 * zero-padded; returns the end of what it wrote. */
static char *
put_digits (char *out,
            gint  number,
            guint count)
{
  for (guint i = count; i > 0; i--)
    {
      out[i - 1] = (char) ('0' + number % 10);
      number /= 10;
    }
  return out + count;
}

/* Writes @date_time's own date and time as YYYY-MM-DDTHH:MM:SS at @out;
 * returns the end of what it wrote. GDateTime's years run from 1 to
 * 9999: four digits hold any. */
static char *
put_date_time (char      *out,
               GDateTime *date_time)
{
  gint year, month, day;

  g_date_time_get_ymd (date_time, &year, &month, &day);
  out = put_digits (out, year, 4);
  *out++ = '-';
  out = put_digits (out, month, 2);
  *out++ = '-';
  out = put_digits (out, day, 2);
  *out++ = 'T';
  out = put_digits (out, g_date_time_get_hour (date_time), 2);
  *out++ = ':';
  out = put_digits (out, g_date_time_get_minute (date_time), 2);
  *out++ = ':';
  return put_digits (out, g_date_time_get_second (date_time), 2);
}

const char *
gorm_value_format_double (double number,
                          char   buffer[G_ASCII_DTOSTR_BUF_SIZE])
{
  if (isinf (number))
    return number > 0 ? "Infinity" : "-Infinity";
  if (isnan (number))
    return "NaN";
  return g_ascii_dtostr (buffer, G_ASCII_DTOSTR_BUF_SIZE, number);
}

char *
gorm_value_format_date_time (GDateTime *date_time)
{
  g_autoptr(GDateTime) utc = NULL;
  char *text, *end;

  g_return_val_if_fail (date_time != NULL, NULL);

  /* An instant near the ends of the years GDateTime can hold may fall
   * outside them once moved to UTC. */
  utc = g_date_time_to_utc (date_time);
  if (utc == NULL)
    return NULL;

  /* A fixed width in UTC makes the order of the texts the order of the
   * instants, which ORDER BY and indexes rely on: YYYY-MM-DDTHH:MM:SS.ffffffZ,
   * written digit by digit (g_strdup_printf() cost some 3,000 instructions
   * a value, more than the rest of writing the row's values). GDateTime's
   * years run from 1 to 9999, so four digits hold any year. */
  text = g_new (char, sizeof "YYYY-MM-DDTHH:MM:SS.ffffffZ");
  end = put_date_time (text, utc);
  *end++ = '.';
  end = put_digits (end, g_date_time_get_microsecond (utc), 6);
  *end++ = 'Z';
  *end = '\0';
  return text;
}

char *
gorm_value_format_iso8601 (GDateTime *date_time)
{
  GTimeSpan offset;
  gint microsecond;
  gint64 minutes;
  char *text, *end;

  g_return_val_if_fail (date_time != NULL, NULL);

  /* GLib's g_date_time_format() parses its format and converts each field
   * through the locale's digits: some 9,000 instructions a value, which a
   * binding pays at every read of a date-time. An offset with seconds,
   * which GLib writes +hh:mm:ss, is left to it. */
  offset = g_date_time_get_utc_offset (date_time);
  if (offset % (60 * G_TIME_SPAN_SECOND) != 0)
    return g_date_time_format_iso8601 (date_time);

  microsecond = g_date_time_get_microsecond (date_time);
  text = g_new (char, sizeof "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM");
  end = put_date_time (text, date_time);
  if (microsecond != 0)
    {
      *end++ = '.';
      end = put_digits (end, microsecond, 6);
    }
  if (offset == 0)
    *end++ = 'Z';
  else
    {
      /* As GLib's %:::z: +hh, or +hh:mm when the minutes are not 0. */
      minutes = offset / (60 * G_TIME_SPAN_SECOND);
      *end++ = minutes < 0 ? '-' : '+';
      minutes = ABS (minutes);
      end = put_digits (end, (gint) (minutes / 60), 2);
      if (minutes % 60 != 0)
        {
          *end++ = ':';
          end = put_digits (end, (gint) (minutes % 60), 2);
        }
    }
  *end = '\0';
  return text;
}

static gboolean
scan_char (const char **text,
           char         c)
{
  if (**text != c)
    return FALSE;

  (*text)++;
  return TRUE;
}

static gboolean
scan_digits (const char **text,
             guint        count,
             gint        *number)
{
  gint value = 0;

  for (guint i = 0; i < count; i++)
    {
      if (!g_ascii_isdigit ((*text)[i]))
        return FALSE;
      /* A checked ASCII digit. */
      value = value * 10 + ((*text)[i] - '0');
    }

  *text += count;
  *number = value;
  return TRUE;
}

static gboolean
scan_date (const char     **text,
           DateTimeFields  *fields)
{
  return scan_digits (text, 4, &fields->year)
         && scan_char (text, '-')
         && scan_digits (text, 2, &fields->month)
         && scan_char (text, '-')
         && scan_digits (text, 2, &fields->day);
}

/* Digits beyond the sixth are dropped, never rounded, so that a time can
 * never move into the next second. */
static gboolean
scan_fraction (const char **text,
               gint        *microsecond)
{
  guint count;

  if (!scan_char (text, '.'))
    return TRUE;

  for (count = 0; g_ascii_isdigit ((*text)[count]); count++)
    if (count < 6)
      *microsecond = *microsecond * 10 + ((*text)[count] - '0');

  if (count < 1 || count > 9)
    return FALSE;

  for (guint i = count; i < 6; i++)
    *microsecond *= 10;

  *text += count;
  return TRUE;
}

static gboolean
scan_time (const char     **text,
           DateTimeFields  *fields)
{
  if (!scan_digits (text, 2, &fields->hour)
      || !scan_char (text, ':')
      || !scan_digits (text, 2, &fields->minute))
    return FALSE;

  if (!scan_char (text, ':'))
    return TRUE;

  return scan_digits (text, 2, &fields->second)
         && scan_fraction (text, &fields->microsecond);
}

static gboolean
scan_zone (const char **text,
           gint        *offset)
{
  gint sign;
  gint hours;
  gint minutes = 0;

  if (scan_char (text, 'Z'))
    return TRUE;

  if (**text != '+' && **text != '-')
    return TRUE;

  sign = **text == '-' ? -1 : 1;
  (*text)++;

  if (!scan_digits (text, 2, &hours))
    return FALSE;

  /* Both "+05:30" and "+0530" are ISO 8601; "+05" is too. */
  if ((scan_char (text, ':') || g_ascii_isdigit (**text))
      && !scan_digits (text, 2, &minutes))
    return FALSE;

  if (hours > 23 || minutes > 59)
    return FALSE;

  *offset = sign * (hours * 3600 + minutes * 60);
  return TRUE;
}

static gboolean
scan_date_time (const char     *text,
                DateTimeFields *fields)
{
  *fields = (DateTimeFields) { 0, };

  if (!scan_date (&text, fields))
    return FALSE;

  if (scan_char (&text, 'T') || scan_char (&text, ' '))
    {
      if (!scan_time (&text, fields) || !scan_zone (&text, &fields->offset))
        return FALSE;
    }

  return *text == '\0';
}

GDateTime *
gorm_value_parse_date_time (const char *text)
{
  g_autoptr(GDateTime) wall_clock = NULL;
  DateTimeFields fields;

  g_return_val_if_fail (text != NULL, NULL);

  if (!scan_date_time (text, &fields))
    return NULL;

  /* The fields give the wall-clock time at the offset: taking them as UTC
   * and then moving by the offset gives the instant in UTC. Whole seconds
   * go through g_date_time_new_utc (), which returns NULL for a field out
   * of range such as February 30 or second 60, and microseconds through
   * g_date_time_add (), because a gdouble of seconds may round them. */
  wall_clock = g_date_time_new_utc (fields.year, fields.month, fields.day,
                                    fields.hour, fields.minute, fields.second);
  if (wall_clock == NULL)
    return NULL;
  if (fields.microsecond == 0 && fields.offset == 0)
    return g_steal_pointer (&wall_clock);

  return g_date_time_add (wall_clock,
                          fields.microsecond - (GTimeSpan) fields.offset * G_TIME_SPAN_SECOND);
}

/* JSON */

static char
json_escape_letter (char character)
{
  for (gsize i = 0; i < G_N_ELEMENTS (json_escapes); i++)
    if (json_escapes[i].character == character)
      return json_escapes[i].letter;

  return '\0';
}

static char
json_escaped_character (char letter)
{
  for (gsize i = 0; i < G_N_ELEMENTS (json_escapes); i++)
    if (json_escapes[i].letter == letter)
      return json_escapes[i].character;

  return '\0';
}

static void
append_json_string (GString    *json,
                    const char *text)
{
  g_string_append_c (json, '"');

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c != '"' && c != '\\' && c >= 0x20)
        g_string_append_c (json, *p);
      else if (json_escape_letter (*p) != '\0')
        g_string_append_printf (json, "\\%c", json_escape_letter (*p));
      else
        g_string_append_printf (json, "\\u%04x", c);
    }

  g_string_append_c (json, '"');
}

char *
gorm_value_strv_to_json (const char * const *strv)
{
  GString *json;

  if (strv == NULL)
    return NULL;

  json = g_string_new ("[");
  for (gsize i = 0; strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      append_json_string (json, strv[i]);
    }
  g_string_append_c (json, ']');

  return g_string_free (json, FALSE);
}

static void
scan_json_space (const char **text)
{
  while (**text == ' ' || **text == '\t' || **text == '\n' || **text == '\r')
    (*text)++;
}

static gboolean
scan_hex4 (const char **text,
           gunichar    *code)
{
  gunichar value = 0;

  for (guint i = 0; i < 4; i++)
    {
      gint digit = g_ascii_xdigit_value ((*text)[i]);

      if (digit < 0)
        return FALSE;
      value = value * 16 + (gunichar) digit;
    }

  *text += 4;
  *code = value;
  return TRUE;
}

/* A C string cannot hold U+0000, and a surrogate is only valid as the
 * first half of a pair, whose second half must follow at once. */
static gboolean
scan_json_unicode_escape (const char **text,
                          gunichar    *unichar)
{
  gunichar low;

  if (!scan_hex4 (text, unichar)
      || *unichar == 0
      || (*unichar >= 0xdc00 && *unichar <= 0xdfff))
    return FALSE;

  if (*unichar < 0xd800 || *unichar > 0xdbff)
    return TRUE;

  if (!scan_char (text, '\\')
      || !scan_char (text, 'u')
      || !scan_hex4 (text, &low)
      || low < 0xdc00 || low > 0xdfff)
    return FALSE;

  *unichar = 0x10000 + ((*unichar - 0xd800) << 10) + (low - 0xdc00);
  return TRUE;
}

static gboolean
scan_json_escape (const char **text,
                  GString     *string)
{
  gunichar unichar;
  char character;

  if (scan_char (text, 'u'))
    {
      if (!scan_json_unicode_escape (text, &unichar))
        return FALSE;
      g_string_append_unichar (string, unichar);
      return TRUE;
    }

  character = json_escaped_character (**text);
  if (character == '\0')
    return FALSE;

  g_string_append_c (string, character);
  (*text)++;
  return TRUE;
}

static gboolean
scan_json_string (const char **text,
                  GString     *string)
{
  if (!scan_char (text, '"'))
    return FALSE;

  while (!scan_char (text, '"'))
    {
      guchar c = (guchar) **text;

      /* JSON forbids raw control characters; this also stops at the end
       * of an unterminated string. */
      if (c < 0x20)
        return FALSE;

      (*text)++;
      if (c != '\\')
        g_string_append_c (string, (char) c);
      else if (!scan_json_escape (text, string))
        return FALSE;
    }

  return TRUE;
}

static gboolean
scan_json_element (const char **text,
                   GPtrArray   *strings)
{
  g_autoptr(GString) string = g_string_new (NULL);

  scan_json_space (text);
  if (!scan_json_string (text, string))
    return FALSE;
  scan_json_space (text);

  g_ptr_array_add (strings, g_string_free (g_steal_pointer (&string), FALSE));
  return TRUE;
}

static gboolean
scan_json_array (const char **text,
                 GPtrArray   *strings)
{
  scan_json_space (text);
  if (!scan_char (text, '['))
    return FALSE;

  scan_json_space (text);
  if (!scan_char (text, ']'))
    {
      do
        {
          if (!scan_json_element (text, strings))
            return FALSE;
        }
      while (scan_char (text, ','));

      if (!scan_char (text, ']'))
        return FALSE;
    }

  scan_json_space (text);
  return **text == '\0';
}

char **
gorm_value_strv_from_json (const char  *json,
                           GError     **error)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  const char *text = json;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Checking the whole text first leaves the scanner only ASCII to
   * understand; the escapes it decodes always give valid UTF-8. */
  if (!g_utf8_validate (json, -1, NULL) || !scan_json_array (&text, strings))
    {
      g_autofree char *description = describe_string (json);

      g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                   "%s is not a JSON array of strings", description);
      return NULL;
    }

  g_ptr_array_add (strings, NULL);
  return (char **) g_ptr_array_steal (strings, NULL);
}

/* Storing values in SQL */

static gboolean
take_sql_string (GValue *sql_value,
                 char   *text)
{
  if (text == NULL)
    return FALSE;

  g_value_init (sql_value, G_TYPE_STRING);
  g_value_take_string (sql_value, text);
  return TRUE;
}

static gboolean
store_integer (const GValue *value,
               GValue       *sql_value)
{
  Number number;

  if (!number_read (value, &number) || number.form == NUMBER_DOUBLE)
    return FALSE;

  /* A guint64 above G_MAXINT64 keeps its bits and reads back negative:
   * gorm_value_from_sql () turns it back into the same guint64. */
  g_value_init (sql_value, G_TYPE_INT64);
  g_value_set_int64 (sql_value, number.form == NUMBER_SIGNED ? number.s : (gint64) number.u);
  return TRUE;
}

static gboolean
store_double (const GValue *value,
              GValue       *sql_value)
{
  Number number;
  gdouble d;

  if (!number_read (value, &number) || !number_to_double (&number, &d))
    return FALSE;

  g_value_init (sql_value, G_TYPE_DOUBLE);
  g_value_set_double (sql_value, d);
  return TRUE;
}

static gboolean
store_enum (const GValue *value,
            GValue       *sql_value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (G_VALUE_TYPE (value));
  GEnumValue *enum_value = g_enum_get_value (klass, g_value_get_enum (value));

  return enum_value != NULL && take_sql_string (sql_value, g_strdup (enum_value->value_nick));
}

static gboolean
store_bytes (const GValue *value,
             GValue       *sql_value)
{
  /* GBytes is immutable: sharing it is as good as a copy. The connection
   * copies it into what libgda binds. */
  if (!G_VALUE_HOLDS (value, G_TYPE_BYTES))
    return FALSE;

  g_value_init (sql_value, G_TYPE_BYTES);
  g_value_set_boxed (sql_value, g_value_get_boxed (value));
  return TRUE;
}

static gboolean
store_strv (const GValue *value,
            GValue       *sql_value)
{
  const char * const *strv = g_value_get_boxed (value);

  /* JSON cannot carry text that is not UTF-8, and a row that cannot be
   * read back is worse than a refused write. */
  for (gsize i = 0; strv[i] != NULL; i++)
    if (!g_utf8_validate (strv[i], -1, NULL))
      return FALSE;

  return take_sql_string (sql_value, gorm_value_strv_to_json (strv));
}

/* On failure, sql_value is left unset. */
static gboolean
store_value (GormValueKind  kind,
             const GValue  *value,
             GValue        *sql_value)
{
  if (value_is_null (value))
    {
      g_value_init (sql_value, GORM_TYPE_SQL_NULL);
      return TRUE;
    }

  switch (kind)
    {
    case GORM_VALUE_KIND_BOOLEAN:
    case GORM_VALUE_KIND_INT:
    case GORM_VALUE_KIND_UINT:
      return store_integer (value, sql_value);
    case GORM_VALUE_KIND_DOUBLE:
      return store_double (value, sql_value);
    case GORM_VALUE_KIND_STRING:
      return take_sql_string (sql_value, g_value_dup_string (value));
    case GORM_VALUE_KIND_ENUM:
      return store_enum (value, sql_value);
    case GORM_VALUE_KIND_FLAGS:
      g_value_init (sql_value, G_TYPE_INT64);
      g_value_set_int64 (sql_value, g_value_get_flags (value));
      return TRUE;
    case GORM_VALUE_KIND_DATE_TIME:
      return take_sql_string (sql_value,
                              gorm_value_format_date_time (g_value_get_boxed (value)));
    case GORM_VALUE_KIND_BYTES:
      return store_bytes (value, sql_value);
    case GORM_VALUE_KIND_STRV:
      return store_strv (value, sql_value);
    default:
      g_return_val_if_reached (FALSE);
    }
}

gboolean
gorm_value_to_sql (GormValueKind   kind,
                   GParamSpec     *pspec,
                   const GValue   *property_value,
                   GValue         *sql_value,
                   GError        **error)
{
  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);
  g_return_val_if_fail (G_VALUE_HOLDS (property_value, G_PARAM_SPEC_VALUE_TYPE (pspec)), FALSE);
  g_return_val_if_fail (sql_value != NULL && !G_IS_VALUE (sql_value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value_is_nan (property_value))
    return set_nan_error (error, pspec);

  if (!store_value (kind, property_value, sql_value))
    return set_mismatch_error (error, pspec, property_value);

  return TRUE;
}

static gboolean
user_kind_for_type (GType          type,
                    GormValueKind *kind)
{
  return gorm_value_kind_for_type (type, kind);
}

gboolean
gorm_value_from_user (const GValue  *value,
                      GValue        *sql_value,
                      GError       **error)
{
  g_autofree char *description = NULL;
  GormValueKind kind = GORM_VALUE_KIND_STRING;

  g_return_val_if_fail (G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (sql_value != NULL && !G_IS_VALUE (sql_value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!value_is_null (value) && !user_kind_for_type (G_VALUE_TYPE (value), &kind))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE,
                   "Cannot bind a value of type %s as an SQL parameter",
                   G_VALUE_TYPE_NAME (value));
      return FALSE;
    }

  if (value_is_nan (value))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_VALIDATION,
                   "Cannot bind the %s NaN as an SQL parameter: SQL has no NaN",
                   G_VALUE_TYPE_NAME (value));
      return FALSE;
    }

  if (store_value (kind, value, sql_value))
    return TRUE;

  description = gorm_value_describe (value);
  g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
               "Cannot bind the %s %s as an SQL parameter",
               G_VALUE_TYPE_NAME (value), description);
  return FALSE;
}

/* Reading values into properties */

static gboolean
read_null (Source         source,
           GormValueKind  kind,
           GParamSpec    *pspec,
           GValue        *property_value)
{
  /* A freshly initialised value of a nullable kind already holds NULL. */
  if (gorm_value_kind_is_nullable (kind))
    return TRUE;

  if (source == SOURCE_USER)
    return FALSE;

  /* Rows written before a migration added a column hold NULL in it: they
   * read as the property's default. */
  g_param_value_set_default (pspec, property_value);
  return TRUE;
}

static gboolean
read_boolean (Source        source,
              const GValue *value,
              GValue       *property_value)
{
  Number number;
  gint64 i;

  if (!number_read (value, &number) || !number_to_int64 (&number, &i))
    return FALSE;

  /* A user's boolean is a boolean, or the integer 0 or 1: a double (1.0)
   * or a string ("false", "1") is no boolean, and would be a guess. */
  if (source == SOURCE_USER && (number.form == NUMBER_DOUBLE || (i != 0 && i != 1)))
    return FALSE;

  g_value_set_boolean (property_value, i != 0);
  return TRUE;
}

static gboolean
read_int (const GValue *value,
          GValue       *property_value)
{
  gint64 i;

  return value_get_int64 (value, &i) && set_signed_value (property_value, i);
}

static gboolean
read_uint (Source        source,
           const GValue *value,
           GValue       *property_value)
{
  Number number;
  guint64 u;

  if (!number_read (value, &number))
    return FALSE;

  /* A user's -1 is a mistake, but a stored -1 is a wrapped G_MAXUINT64. */
  if (source == SOURCE_SQL)
    number_reinterpret_unsigned (&number);

  return number_to_uint64 (&number, &u) && set_unsigned_value (property_value, u);
}

static gboolean
read_double (Source        source,
             const GValue *value,
             GValue       *property_value)
{
  Number number;
  gdouble d;

  if (!number_read (value, &number) || !number_to_double (&number, &d))
    return FALSE;

  if (G_VALUE_HOLDS_FLOAT (property_value))
    return set_float_value (property_value, d, source == SOURCE_SQL);

  g_value_set_double (property_value, d);
  return TRUE;
}

static gboolean
read_string (const GValue *value,
             GValue       *property_value)
{
  if (!G_VALUE_HOLDS_STRING (value))
    return FALSE;

  g_value_set_string (property_value, g_value_get_string (value));
  return TRUE;
}

static GEnumValue *
find_enum_value (Source        source,
                 GEnumClass   *klass,
                 const GValue *value)
{
  GEnumValue *enum_value;
  gint64 i;

  if (G_VALUE_HOLDS_STRING (value))
    {
      enum_value = g_enum_get_value_by_nick (klass, g_value_get_string (value));
      if (enum_value == NULL && source == SOURCE_USER)
        enum_value = g_enum_get_value_by_name (klass, g_value_get_string (value));
      return enum_value;
    }

  if (source == SOURCE_SQL)
    return NULL;

  if (G_VALUE_TYPE (value) == G_TYPE_FROM_CLASS (klass))
    return g_enum_get_value (klass, g_value_get_enum (value));

  if (!G_VALUE_HOLDS_BOOLEAN (value)
      && value_get_int64 (value, &i)
      && i >= G_MININT && i <= G_MAXINT)
    return g_enum_get_value (klass, (gint) i);

  return NULL;
}

static gboolean
read_enum (Source        source,
           const GValue *value,
           GValue       *property_value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (G_VALUE_TYPE (property_value));
  GEnumValue *enum_value = find_enum_value (source, klass, value);

  if (enum_value == NULL)
    return FALSE;

  g_value_set_enum (property_value, enum_value->value);
  return TRUE;
}

static gboolean
read_flags (const GValue *value,
            GValue       *property_value)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (G_VALUE_TYPE (property_value));
  guint64 bits;

  if (G_VALUE_TYPE (value) == G_VALUE_TYPE (property_value))
    bits = g_value_get_flags (value);
  else if (G_VALUE_HOLDS_BOOLEAN (value) || !value_get_uint64 (value, &bits))
    return FALSE;

  /* Checking all 64 bits, before the cast to guint, also refuses bits
   * beyond those a guint can hold. */
  if ((bits & ~(guint64) klass->mask) != 0)
    return FALSE;

  g_value_set_flags (property_value, (guint) bits);
  return TRUE;
}

static gboolean
read_date_time (const GValue *value,
                GValue       *property_value)
{
  GDateTime *date_time;

  if (G_VALUE_HOLDS (value, G_TYPE_DATE_TIME))
    {
      g_value_set_boxed (property_value, g_value_get_boxed (value));
      return TRUE;
    }

  if (!G_VALUE_HOLDS_STRING (value))
    return FALSE;

  date_time = gorm_value_parse_date_time (g_value_get_string (value));
  if (date_time == NULL)
    return FALSE;

  g_value_take_boxed (property_value, date_time);
  return TRUE;
}

static gboolean
read_bytes (const GValue *value,
            GValue       *property_value)
{
  gconstpointer data;
  gsize size;

  /* GBytes is immutable: sharing it is as good as a copy. */
  if (G_VALUE_HOLDS (value, G_TYPE_BYTES))
    {
      g_value_set_boxed (property_value, g_value_get_boxed (value));
      return TRUE;
    }

  if (!value_get_data (value, &data, &size))
    return FALSE;

  g_value_take_boxed (property_value, g_bytes_new (data, size));
  return TRUE;
}

static gboolean
read_strv (Source        source,
           const GValue *value,
           GValue       *property_value)
{
  char **strv;

  if (G_VALUE_HOLDS (value, G_TYPE_STRV))
    {
      g_value_set_boxed (property_value, g_value_get_boxed (value));
      return TRUE;
    }

  /* A GVariant array of strings is a string array: how gjs, which cannot
   * make a GValue of a string array, passes one. */
  if (source == SOURCE_USER && G_VALUE_HOLDS_VARIANT (value) && g_value_get_variant (value) != NULL &&
      g_variant_is_of_type (g_value_get_variant (value), G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_value_take_boxed (property_value, g_variant_dup_strv (g_value_get_variant (value), NULL));
      return TRUE;
    }

  /* Only the database writes string arrays as JSON text; a user's string
   * is a string, not an array. */
  if (source == SOURCE_USER || !G_VALUE_HOLDS_STRING (value))
    return FALSE;

  strv = gorm_value_strv_from_json (g_value_get_string (value), NULL);
  if (strv == NULL)
    return FALSE;

  g_value_take_boxed (property_value, strv);
  return TRUE;
}

static gboolean
read_value (Source         source,
            GormValueKind  kind,
            GParamSpec    *pspec,
            const GValue  *value,
            GValue        *property_value)
{
  if (value_is_null (value))
    return read_null (source, kind, pspec, property_value);

  switch (kind)
    {
    case GORM_VALUE_KIND_BOOLEAN:
      return read_boolean (source, value, property_value);
    case GORM_VALUE_KIND_INT:
      return read_int (value, property_value);
    case GORM_VALUE_KIND_UINT:
      return read_uint (source, value, property_value);
    case GORM_VALUE_KIND_DOUBLE:
      return read_double (source, value, property_value);
    case GORM_VALUE_KIND_STRING:
      return read_string (value, property_value);
    case GORM_VALUE_KIND_ENUM:
      return read_enum (source, value, property_value);
    case GORM_VALUE_KIND_FLAGS:
      return read_flags (value, property_value);
    case GORM_VALUE_KIND_DATE_TIME:
      return read_date_time (value, property_value);
    case GORM_VALUE_KIND_BYTES:
      return read_bytes (value, property_value);
    case GORM_VALUE_KIND_STRV:
      return read_strv (source, value, property_value);
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
convert_to_property (Source          source,
                     GormValueKind   kind,
                     GParamSpec     *pspec,
                     const GValue   *value,
                     gboolean        check_limits,
                     GValue         *property_value,
                     GError        **error)
{
  if (source == SOURCE_USER && kind == GORM_VALUE_KIND_DOUBLE && value_is_nan (value))
    return set_nan_error (error, pspec);

  g_value_init (property_value, G_PARAM_SPEC_VALUE_TYPE (pspec));

  /* After the limits of the C type come the property's own, such as the
   * minimum and maximum of a GParamSpecInt: g_param_value_validate ()
   * checks them for every kind of GParamSpec, and returns TRUE when it had
   * to change the value, which g_object_set () would refuse. */
  if (read_value (source, kind, pspec, value, property_value)
      && (!check_limits || !g_param_value_validate (pspec, property_value)))
    return TRUE;

  g_value_unset (property_value);
  if (source == SOURCE_SQL)
    return set_unreadable_error (error, pspec, value);
  return set_mismatch_error (error, pspec, value);
}

/* g_param_value_is_valid() for a value of the pspec's own type, without
 * its type checks and class lookup where the pspec is one of GLib's
 * int64, double or string pspecs: every column of every loaded row asks,
 * and every value a typed setter writes (gorm-resource-values.c). */
gboolean
gorm_value_is_valid_for (GParamSpec   *pspec,
                         const GValue *value)
{
  GType pspec_type = G_PARAM_SPEC_TYPE (pspec);

  if (pspec_type == G_TYPE_PARAM_INT64)
    {
      const GParamSpecInt64 *int64_pspec = (const GParamSpecInt64 *) pspec;
      gint64 number = value->data[0].v_int64;

      return int64_pspec->minimum <= number && number <= int64_pspec->maximum;
    }
  if (pspec_type == G_TYPE_PARAM_DOUBLE && !isnan (value->data[0].v_double))
    {
      const GParamSpecDouble *double_pspec = (const GParamSpecDouble *) pspec;
      gdouble number = value->data[0].v_double;

      return double_pspec->minimum <= number && number <= double_pspec->maximum;
    }
  if (pspec_type == G_TYPE_PARAM_STRING)
    {
      const GParamSpecString *string_pspec = (const GParamSpecString *) pspec;
      const char *text = value->data[0].v_pointer;

      /* Without a character set, a non-NULL string is valid unless an
       * empty one would be folded to NULL. */
      if (string_pspec->cset_first == NULL && string_pspec->cset_nth == NULL && text != NULL)
        return !string_pspec->null_fold_if_empty || text[0] != '\0';
    }
  return g_param_value_is_valid (pspec, value);
}

gboolean
gorm_value_sql_is_property_value (GormValueKind  kind,
                                  GParamSpec    *pspec,
                                  const GValue  *sql_value)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  /* read_string(), read_int() and read_double() copy such values as they
   * are; NULL strings go through read_null(). */
  switch (kind)
    {
    case GORM_VALUE_KIND_STRING:
      if (type != G_TYPE_STRING || G_VALUE_TYPE (sql_value) != G_TYPE_STRING ||
          g_value_get_string (sql_value) == NULL)
        return FALSE;
      break;
    case GORM_VALUE_KIND_INT:
      if (type != G_TYPE_INT64 || G_VALUE_TYPE (sql_value) != G_TYPE_INT64)
        return FALSE;
      break;
    case GORM_VALUE_KIND_DOUBLE:
      if (type != G_TYPE_DOUBLE || G_VALUE_TYPE (sql_value) != G_TYPE_DOUBLE)
        return FALSE;
      break;
    default:
      return FALSE;
    }

  return gorm_value_is_valid_for (pspec, sql_value);
}

gboolean
gorm_value_from_sql (GormValueKind   kind,
                     GParamSpec     *pspec,
                     const GValue   *sql_value,
                     GValue         *property_value,
                     GError        **error)
{
  /* Every column of every loaded row comes here: the values are checked
   * for being set or not, without asking GType whether their types are
   * value types. */
  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);
  g_return_val_if_fail (sql_value == NULL || G_VALUE_TYPE (sql_value) != G_TYPE_INVALID, FALSE);
  g_return_val_if_fail (property_value != NULL && G_VALUE_TYPE (property_value) == G_TYPE_INVALID,
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return convert_to_property (SOURCE_SQL, kind, pspec, sql_value, TRUE, property_value, error);
}

gboolean
gorm_value_coerce (GormValueKind   kind,
                   GParamSpec     *pspec,
                   const GValue   *value,
                   GValue         *property_value,
                   GError        **error)
{
  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (property_value != NULL && !G_IS_VALUE (property_value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return convert_to_property (SOURCE_USER, kind, pspec, value, TRUE, property_value, error);
}

/* Like gorm_value_coerce(), but within the limits of the property's C type
 * only: a filter may compare with a value the property could not hold,
 * -1 for a property whose minimum is 0. */
gboolean
gorm_value_coerce_for_comparison (GormValueKind   kind,
                                  GParamSpec     *pspec,
                                  const GValue   *value,
                                  GValue         *property_value,
                                  GError        **error)
{
  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (property_value != NULL && !G_IS_VALUE (property_value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return convert_to_property (SOURCE_USER, kind, pspec, value, FALSE, property_value, error);
}

/* Engines that send values as text */

/* PostgreSQL's boolean output. */
static gboolean
parse_engine_boolean (const char *text,
                      gint64     *number)
{
  if (g_str_equal (text, "t") || g_str_equal (text, "true"))
    *number = 1;
  else if (g_str_equal (text, "f") || g_str_equal (text, "false"))
    *number = 0;
  else
    return FALSE;
  return TRUE;
}

gboolean
gorm_value_from_engine_text (GType        sql_type,
                             const char  *text,
                             GValue      *sql_value,
                             GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);

  if (sql_type == G_TYPE_INT64)
    {
      gint64 number;
      char *end = NULL;

      if (!parse_engine_boolean (text, &number))
        {
          errno = 0;
          number = g_ascii_strtoll (text, &end, 10);
          if (errno != 0 || end == text || *end != '\0')
            {
              g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                           "The database gave “%s” where an integer was expected", text);
              return FALSE;
            }
        }
      g_value_init (sql_value, G_TYPE_INT64);
      g_value_set_int64 (sql_value, number);
      return TRUE;
    }
  if (sql_type == G_TYPE_DOUBLE)
    {
      double number;
      char *end = NULL;

      /* g_ascii_strtod() reads PostgreSQL's Infinity, -Infinity and NaN
       * as C's strtod() does. */
      errno = 0;
      number = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0')
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                       "The database gave “%s” where a number was expected", text);
          return FALSE;
        }
      g_value_init (sql_value, G_TYPE_DOUBLE);
      g_value_set_double (sql_value, number);
      return TRUE;
    }
  if (sql_type == G_TYPE_STRING || sql_type == G_TYPE_NONE || sql_type == G_TYPE_INVALID)
    {
      g_value_init (sql_value, G_TYPE_STRING);
      g_value_set_string (sql_value, text);
      return TRUE;
    }

  g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
               "A value of type %s cannot be read from the text “%s”",
               g_type_name (sql_type), text);
  return FALSE;
}
