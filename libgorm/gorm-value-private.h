/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * The value conversion module: the one place where values cross between
 * GObject properties and SQL. Every stored property has a kind; a kind has
 * one SQL storage type (what is bound as a parameter and asked for as a
 * column type):
 *
 *   kind        property types                       SQL value type
 *   BOOLEAN     gboolean                             gint64 (0 or 1)
 *   INT         gchar, gint, glong, gint64           gint64
 *   UINT        guchar, guint, gulong, guint64       gint64 (guint64 above
 *                                                    G_MAXINT64 wraps to
 *                                                    negative, two's complement)
 *   DOUBLE      gfloat, gdouble                      gdouble
 *   STRING      gchararray                           gchararray
 *   ENUM        any G_TYPE_ENUM                      gchararray (the nick)
 *   FLAGS       any G_TYPE_FLAGS                     gint64 (the bits)
 *   DATE_TIME   GDateTime                            gchararray (UTC ISO-8601,
 *                                                    "2024-03-05T13:03:02.123456Z")
 *   BYTES       GBytes                               GBytes
 *   STRV        GStrv                                gchararray (JSON array)
 *
 * SQL NULL is a GValue holding GORM_TYPE_SQL_NULL (libgda's GdaNull is
 * accepted from callers too, see gorm_value_is_sql_null()). Only the
 * GValues of STRING, DATE_TIME, BYTES and STRV properties can hold NULL; a
 * NULL read into another kind gives the property's default value here (rows
 * older than a column added by a migration hold NULL there), and the mapper
 * keeps the NULL of a nullable column of those kinds as a mark beside the
 * property (gorm_row_state_is_null()).
 */
typedef enum {
  GORM_VALUE_KIND_BOOLEAN,
  GORM_VALUE_KIND_INT,
  GORM_VALUE_KIND_UINT,
  GORM_VALUE_KIND_DOUBLE,
  GORM_VALUE_KIND_STRING,
  GORM_VALUE_KIND_ENUM,
  GORM_VALUE_KIND_FLAGS,
  GORM_VALUE_KIND_DATE_TIME,
  GORM_VALUE_KIND_BYTES,
  GORM_VALUE_KIND_STRV,
} GormValueKind;

typedef struct _GormSqlNull GormSqlNull;
#define GORM_TYPE_SQL_NULL (gorm_sql_null_get_type ())
GType       gorm_sql_null_get_type        (void) G_GNUC_CONST;
gboolean    gorm_value_is_sql_null        (const GValue   *value);
/* Whether two SQL values of keys (gint64 or text, as gorm_value_to_sql()
 * gives them) are the same key. */
gboolean    gorm_value_key_equal          (const GValue   *a,
                                           const GValue   *b);
/* Whether a user's @value stands for NULL: no value (NULL or unset), an
 * SQL NULL, or a string, boxed, object or pointer value holding NULL. */
gboolean    gorm_value_is_null            (const GValue   *value);

gboolean    gorm_value_kind_for_type      (GType           type,
                                           GormValueKind  *kind);
GType       gorm_value_kind_get_sql_type  (GormValueKind   kind);
gboolean    gorm_value_kind_is_nullable   (GormValueKind   kind);

gboolean    gorm_value_to_sql             (GormValueKind   kind,
                                           GParamSpec     *pspec,
                                           const GValue   *property_value,
                                           GValue         *sql_value,
                                           GError        **error);
/* Whether @sql_value, read from the database, is already a valid value of
 * @pspec, as gorm_value_from_sql() would make it: a string, a gint64 or a
 * gdouble of a property of that very type. */
gboolean    gorm_value_sql_is_property_value (GormValueKind  kind,
                                              GParamSpec    *pspec,
                                              const GValue  *sql_value);
/* g_param_value_is_valid() for @value, a value of @pspec's own type,
 * quicker for GLib's int64, double and string pspecs. */
gboolean    gorm_value_is_valid_for       (GParamSpec     *pspec,
                                           const GValue   *value);
gboolean    gorm_value_from_sql           (GormValueKind   kind,
                                           GParamSpec     *pspec,
                                           const GValue   *sql_value,
                                           GValue         *property_value,
                                           GError        **error);
gboolean    gorm_value_coerce             (GormValueKind   kind,
                                           GParamSpec     *pspec,
                                           const GValue   *value,
                                           GValue         *property_value,
                                           GError        **error);
gboolean    gorm_value_coerce_for_comparison (GormValueKind   kind,
                                           GParamSpec     *pspec,
                                           const GValue   *value,
                                           GValue         *property_value,
                                           GError        **error);
gboolean    gorm_value_from_user          (const GValue   *value,
                                           GValue         *sql_value,
                                           GError        **error);
char       *gorm_value_describe           (const GValue   *value);

/* The SQL value of type @sql_type (gint64, gdouble or gchararray) an
 * engine gave as @text, as PostgreSQL does: its booleans ("t", "f") are
 * gint64s, its Infinity and -Infinity doubles. */
gboolean    gorm_value_from_engine_text   (GType           sql_type,
                                           const char     *text,
                                           GValue         *sql_value,
                                           GError        **error);

char       *gorm_value_format_date_time   (GDateTime      *date_time);
/* @date_time as g_date_time_format_iso8601() writes it (its own time
 * and offset: 2020-03-01T10:00:00Z, .ffffff when there are microseconds,
 * +02 or -05:30 for an offset), written digit by digit. */
char       *gorm_value_format_iso8601     (GDateTime      *date_time);
/* @number as the text PostgreSQL reads back exactly: the shortest text
 * that reads back as it, Infinity, -Infinity or NaN. Written into
 * @buffer, or a static string. */
const char *gorm_value_format_double     (double          number,
                                          char            buffer[G_ASCII_DTOSTR_BUF_SIZE]);
GDateTime  *gorm_value_parse_date_time    (const char     *text);
char       *gorm_value_strv_to_json       (const char * const *strv);
char      **gorm_value_strv_from_json     (const char     *json,
                                           GError        **error);

G_END_DECLS
