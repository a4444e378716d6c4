/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gorm-error.h"
#include "gorm-uri-private.h"

/* Shared in-memory databases */

struct _GormSharedMemory
{
  char *name;
  char *directory;
  char *path;
  guint refs;
};

static GMutex shared_lock;
/* Name → GormSharedMemory, while one of its connections is open. */
static GHashTable *shared_memories;

static const char *
shared_memory_base (void)
{
  /* /dev/shm is memory; elsewhere the temporary directory is as close. */
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && g_access ("/dev/shm", W_OK | X_OK) == 0)
    return "/dev/shm";
  return g_get_tmp_dir ();
}

static GormSharedMemory *
shared_memory_acquire (const char  *uri,
                       const char  *name,
                       GError     **error)
{
  GormSharedMemory *shared;

  g_mutex_lock (&shared_lock);
  if (shared_memories == NULL)
    shared_memories = g_hash_table_new (g_str_hash, g_str_equal);
  shared = g_hash_table_lookup (shared_memories, name);
  if (shared == NULL)
    {
      g_autofree char *directory = g_build_filename (shared_memory_base (), "libgorm-memory-XXXXXX", NULL);

      if (g_mkdtemp_full (directory, 0700) == NULL)
        {
          int saved_errno = errno;

          g_mutex_unlock (&shared_lock);
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: cannot make a directory for the shared "
                       "in-memory database in %s: %s",
                       uri, shared_memory_base (), g_strerror (saved_errno));
          return NULL;
        }
      shared = g_new0 (GormSharedMemory, 1);
      shared->name = g_strdup (name);
      shared->path = g_build_filename (directory, "memory.db", NULL);
      shared->directory = g_steal_pointer (&directory);
      g_hash_table_insert (shared_memories, shared->name, shared);
    }
  shared->refs++;
  g_mutex_unlock (&shared_lock);

  return shared;
}

void
gorm_shared_memory_unref (GormSharedMemory *shared)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  g_mutex_lock (&shared_lock);
  g_assert (shared->refs > 0);
  if (--shared->refs > 0)
    {
      g_mutex_unlock (&shared_lock);
      return;
    }
  g_hash_table_remove (shared_memories, shared->name);
  g_mutex_unlock (&shared_lock);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (shared->path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (shared->directory);
  g_free (shared->name);
  g_free (shared->directory);
  g_free (shared->path);
  g_free (shared);
}

void
gorm_uri_clear (GormUri *parsed)
{
  g_clear_pointer (&parsed->provider, g_free);
  g_clear_pointer (&parsed->cnc_string, g_free);
  g_clear_pointer (&parsed->path, g_free);
  g_clear_pointer (&parsed->shared, gorm_shared_memory_unref);
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
   * values are RFC 1738 encoded: every byte but letters, digits, "-._~"
   * and "/" is written as %XX, which libgda decodes. */
  return g_uri_escape_string (text, "/", FALSE);
}

static char *
file_cnc_string (const char *path)
{
  g_autofree char *directory = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *encoded_directory = encode (directory);
  g_autofree char *encoded_name = encode (name);

  return g_strdup_printf ("DB_DIR=%s;DB_NAME=%s;APPEND_DB_EXTENSION=FALSE",
                          encoded_directory, encoded_name);
}

/* Whether @path is missing, empty (a new database) or starts with a
 * valid SQLite header: the magic string, a page size that is a power of
 * two from 512 to 65536, and the three payload fractions every SQLite
 * file has (64, 32, 32). libgda leaks the whole SQLite connection when it
 * fails to open another kind of file, so such files are refused before it
 * sees them. */
static gboolean
is_sqlite_file (const char *path)
{
  static const char magic[16] = "SQLite format 3";
  guint8 header[24];
  FILE *file = fopen (path, "rb");
  size_t n;
  guint page_size;

  if (file == NULL)
    return TRUE;
  n = fread (header, 1, sizeof header, file);
  fclose (file);
  if (n == 0)
    return TRUE;
  if (n < sizeof header || memcmp (header, magic, sizeof magic) != 0)
    return FALSE;

  page_size = (guint) header[16] << 8 | header[17];
  if (page_size == 1)
    page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0)
    return FALSE;
  return header[21] == 64 && header[22] == 32 && header[23] == 32;
}

/* Query parameters */

typedef enum {
  MODE_RWC,
  MODE_RW,
  MODE_RO,
  MODE_MEMORY,
} Mode;

typedef struct
{
  Mode     mode;
  gboolean mode_given;
  gboolean shared_cache;
} Parameters;

static gboolean
parse_parameters (const char  *uri,
                  const char  *query,
                  Parameters  *parameters,
                  GError     **error)
{
  g_auto(GStrv) pairs = g_strsplit (query, "&", -1);
  gboolean cache_given = FALSE;

  *parameters = (Parameters) { MODE_RWC, FALSE, FALSE };
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *pair = pairs[i];
      const char *equals = strchr (pair, '=');
      g_autofree char *key = equals ? g_strndup (pair, equals - pair) : g_strdup (pair);
      const char *value = equals ? equals + 1 : NULL;

      if (g_str_equal (key, "mode") && value != NULL && !parameters->mode_given)
        {
          static const char * const modes[] = { "rwc", "rw", "ro", "memory" };
          guint m;

          for (m = 0; m < G_N_ELEMENTS (modes); m++)
            if (g_str_equal (value, modes[m]))
              break;
          if (m == G_N_ELEMENTS (modes))
            {
              g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                           "Cannot open “%s”: mode=%s is not one of ro, rw, rwc and memory",
                           uri, value);
              return FALSE;
            }
          parameters->mode = (Mode) m;
          parameters->mode_given = TRUE;
        }
      else if (g_str_equal (key, "cache") && value != NULL && !cache_given)
        {
          if (!g_str_equal (value, "shared") && !g_str_equal (value, "private"))
            {
              g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                           "Cannot open “%s”: cache=%s is not one of shared and private",
                           uri, value);
              return FALSE;
            }
          parameters->shared_cache = g_str_equal (value, "shared");
          cache_given = TRUE;
        }
      else if (g_str_equal (key, "mode") || g_str_equal (key, "cache"))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: the parameter “%s” %s",
                       uri, key, value == NULL ? "has no value" : "is given twice");
          return FALSE;
        }
      else
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: unknown parameter “%s”; an SQLite URI takes "
                       "mode=ro|rw|rwc|memory and cache=shared|private",
                       uri, key);
          return FALSE;
        }
    }
  return TRUE;
}

/* Files */

/* Checks that SQLite can open @path as @mode asks, to say why it cannot:
 * SQLite itself only says "unable to open database file". A file made to
 * check that it can be is removed again: SQLite creates it. */
static gboolean
check_file (const char  *uri,
            const char  *path,
            Mode         mode,
            GError     **error)
{
  gboolean exists = g_file_test (path, G_FILE_TEST_EXISTS);
  g_autofree char *directory = g_path_get_dirname (path);
  const char *doing;
  int fd;
  int saved_errno;

  if (!exists && mode != MODE_RWC)
    {
      fd = -1;
      errno = ENOENT;
    }
  else if (exists)
    fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  else
    fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  saved_errno = errno;
  if (fd >= 0)
    {
      close (fd);
      if (!exists)
        g_unlink (path);
      return TRUE;
    }

  doing = exists ? "read" : "create";
  switch (saved_errno)
    {
    case ENAMETOOLONG:
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%.200s…”: its path is too long (%zu bytes; the system "
                   "takes at most %d in a file name and %d in a path)",
                   uri, strlen (path), (int) NAME_MAX, (int) PATH_MAX - 1);
      return FALSE;
    case ENOENT:
      if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
        g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                     "Cannot open “%s”: the directory “%s” does not exist", uri, directory);
      else
        g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                     "Cannot open “%s”: “%s” does not exist, and mode=%s does not create it",
                     uri, path, mode == MODE_RO ? "ro" : "rw");
      return FALSE;
    case ENOTDIR:
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: a part of “%s” is not a directory", uri, directory);
      return FALSE;
    case EACCES:
    case EPERM:
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: permission denied to %s “%s”%s",
                   uri, doing, path, exists ? "" : " in its directory");
      return FALSE;
    case EROFS:
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: cannot create “%s” on a read-only file system "
                   "(mode=ro opens an existing file)", uri, path);
      return FALSE;
    default:
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: cannot %s “%s”: %s",
                   uri, doing, path, g_strerror (saved_errno));
      return FALSE;
    }
}

static gboolean
parse_sqlite (const char  *uri,
              const char  *rest,
              GormUri     *parsed,
              GError     **error)
{
  g_autofree char *location = NULL;
  g_autofree char *absolute = NULL;
  const char *question = strchr (rest, '?');
  Parameters parameters = { MODE_RWC, FALSE, FALSE };
  gboolean in_memory;

  location = question ? g_strndup (rest, question - rest) : g_strdup (rest);
  if (question != NULL && !parse_parameters (uri, question + 1, &parameters, error))
    return FALSE;

  in_memory = g_str_equal (location, ":memory:") || parameters.mode == MODE_MEMORY;
  if (in_memory)
    {
      if (parameters.mode_given && parameters.mode != MODE_MEMORY)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: an in-memory database has no file for mode=%s",
                       uri, parameters.mode == MODE_RO ? "ro" : parameters.mode == MODE_RW ? "rw" : "rwc");
          return FALSE;
        }
      parsed->provider = g_strdup ("SQLite");
      if (!parameters.shared_cache)
        {
          parsed->cnc_string = g_strdup ("DB_DIR=;DB_NAME=:memory:;APPEND_DB_EXTENSION=FALSE");
          return TRUE;
        }
      parsed->shared = shared_memory_acquire (uri, location, error);
      if (parsed->shared == NULL)
        return FALSE;
      parsed->cnc_string = file_cnc_string (parsed->shared->path);
      return TRUE;
    }

  if (parameters.shared_cache)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: cache=shared is for in-memory databases "
                   "(sqlite::memory:?cache=shared); the opens of a file share it already", uri);
      return FALSE;
    }

  /* sqlite:///ABSOLUTE has an empty authority before the path. */
  rest = location;
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
  if (g_file_test (absolute, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: “%s” is a directory", uri, absolute);
      return FALSE;
    }
  if (!check_file (uri, absolute, parameters.mode, error))
    return FALSE;

  if (!is_sqlite_file (absolute))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CORRUPT,
                   "Cannot open “%s”: “%s” is not an SQLite database, or its header is damaged",
                   uri, absolute);
      return FALSE;
    }

  parsed->provider = g_strdup ("SQLite");
  parsed->cnc_string = file_cnc_string (absolute);
  parsed->path = g_steal_pointer (&absolute);
  parsed->read_only = parameters.mode == MODE_RO;

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
