/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gorm-error.h"
#include "gorm-uri-private.h"

void
gorm_uri_clear (GormUri *parsed)
{
  g_clear_pointer (&parsed->provider, g_free);
  g_clear_pointer (&parsed->cnc_string, g_free);
  g_clear_pointer (&parsed->path, g_free);
}

/* A URI with any password replaced, fit for an error message. */
char *
gorm_uri_redact (const char *uri)
{
  const char *scheme_end = strstr (uri, "://");
  const char *at, *colon;

  if (scheme_end == NULL)
    return g_strdup (uri);
  at = strchr (scheme_end + 3, '@');
  if (at == NULL)
    return g_strdup (uri);
  colon = memchr (scheme_end + 3, ':', at - (scheme_end + 3));
  if (colon == NULL)
    return g_strdup (uri);

  return g_strdup_printf ("%.*s:***%s", (int) (colon - uri), uri, at);
}

static char *
encode (const char *text)
{
  /* libgda's connection strings are ';'-separated NAME=VALUE pairs whose
   * values are %-encoded (RFC 1738): everything but letters, digits,
   * '-', '.', '_', '~' and '/' is escaped, byte by byte. */
  return g_uri_escape_string (text, "/", FALSE);
}

/* Whether @path is missing, empty (a new database) or starts with the
 * SQLite header. libgda leaks the whole SQLite connection when it fails to
 * open another kind of file, so such files are refused before it sees
 * them. */
static gboolean
is_sqlite_file (const char *path)
{
  static const char header[16] = "SQLite format 3";
  char start[sizeof header];
  FILE *file = fopen (path, "rb");
  size_t n;

  if (file == NULL)
    return TRUE;
  n = fread (start, 1, sizeof start, file);
  fclose (file);
  return n == 0 || (n == sizeof start && memcmp (start, header, sizeof header) == 0);
}

static gboolean
parse_sqlite (const char  *uri,
              const char  *rest,
              GormUri     *parsed,
              GError     **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *name = NULL;
  g_autofree char *encoded_directory = NULL;
  g_autofree char *encoded_name = NULL;

  if (g_str_equal (rest, ":memory:"))
    {
      parsed->provider = g_strdup ("SQLite");
      parsed->cnc_string = g_strdup ("DB_DIR=;DB_NAME=:memory:;APPEND_DB_EXTENSION=FALSE");
      return TRUE;
    }

  /* sqlite:///ABSOLUTE has an empty authority before the path. */
  if (g_str_has_prefix (rest, "///"))
    rest += 2;
  else if (g_str_has_prefix (rest, "//"))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: an SQLite URI names a file, as sqlite:PATH "
                   "or sqlite:///ABSOLUTE/PATH", uri);
      return FALSE;
    }

  if (*rest == '\0' || g_str_has_suffix (rest, "/"))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: the URI names no database file", uri);
      return FALSE;
    }

  absolute = g_canonicalize_filename (rest, NULL);
  directory = g_path_get_dirname (absolute);
  name = g_path_get_basename (absolute);
  if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: the directory “%s” does not exist", uri, directory);
      return FALSE;
    }
  if (g_file_test (absolute, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: “%s” is a directory", uri, absolute);
      return FALSE;
    }

  if (!is_sqlite_file (absolute))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: “%s” is not an SQLite database", uri, absolute);
      return FALSE;
    }

  encoded_directory = encode (directory);
  encoded_name = encode (name);
  parsed->provider = g_strdup ("SQLite");
  parsed->cnc_string = g_strdup_printf ("DB_DIR=%s;DB_NAME=%s;APPEND_DB_EXTENSION=FALSE",
                                        encoded_directory, encoded_name);
  parsed->path = g_steal_pointer (&absolute);

  return TRUE;
}

gboolean
gorm_uri_parse (const char  *uri,
                GormUri     *parsed,
                GError     **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  memset (parsed, 0, sizeof *parsed);

  if (g_str_has_prefix (uri, "sqlite:"))
    return parse_sqlite (uri, uri + strlen ("sqlite:"), parsed, error);

  {
    g_autofree char *redacted = gorm_uri_redact (uri);

    g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                 "Cannot open “%s”: libgorm %s opens sqlite:PATH, sqlite:///ABSOLUTE/PATH "
                 "and sqlite::memory: URIs", redacted, PACKAGE_VERSION);
  }
  return FALSE;
}
