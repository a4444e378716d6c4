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
  g_clear_pointer (&parsed->auth_string, g_free);
  g_clear_pointer (&parsed->host, g_free);
  g_clear_pointer (&parsed->database, g_free);
  g_clear_pointer (&parsed->user, g_free);
  g_clear_pointer (&parsed->path, g_free);
  g_clear_pointer (&parsed->shared, gorm_shared_memory_unref);
}

/* A URI with any password replaced, fit for an error message: the
 * password of a URI's user information, and the PASSWORD=… of a libgda
 * connection string. */
char *
gorm_uri_redact (const char *uri)
{
  const char *scheme_end = strstr (uri, "://");
  const char *at, *colon, *slash;

  if (scheme_end == NULL)
    {
      g_autoptr(GString) redacted = g_string_new (NULL);
      g_auto(GStrv) pairs = NULL;

      if (!g_str_has_prefix (uri, "postgresql:"))
        return g_strdup (uri);
      pairs = g_strsplit (uri + strlen ("postgresql:"), ";", -1);
      g_string_append (redacted, "postgresql:");
      for (guint i = 0; pairs[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append_c (redacted, ';');
          if (g_ascii_strncasecmp (pairs[i], "PASSWORD=", strlen ("PASSWORD=")) == 0)
            g_string_append (redacted, "PASSWORD=***");
          else
            g_string_append (redacted, pairs[i]);
        }
      return g_string_free (g_steal_pointer (&redacted), FALSE);
    }
  /* The user information ends at the last '@' before the path. */
  slash = strchr (scheme_end + 3, '/');
  at = g_strrstr_len (scheme_end + 3, slash ? slash - (scheme_end + 3) : -1, "@");
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

/* Held files
 *
 * SQLite locks a database file with POSIX advisory locks, which belong to
 * the process and go, all of them, as soon as the process closes any
 * descriptor of the file. Opening and closing a database's file while a
 * connection of this process has it open would thus drop that
 * connection's locks: another process would then think itself the
 * file's last user, checkpoint and delete its WAL under our feet, and
 * what we commit would reach no one. So the files of open connections
 * are held here (by device and inode), and nothing below opens a held
 * file: a file someone holds was checked when it was first opened.
 */
typedef struct
{
  dev_t device;
  ino_t inode;
} FileId;

struct _GormHeldFile
{
  FileId id;
};

static GMutex held_lock;
/* FileId -> number of holders (GUINT_TO_POINTER). */
static GHashTable *held_files;

static guint
file_id_hash (gconstpointer data)
{
  const FileId *id = data;

  return (guint) id->inode ^ (guint) (id->inode >> 32) ^ (guint) id->device;
}

static gboolean
file_id_equal (gconstpointer a,
               gconstpointer b)
{
  const FileId *x = a;
  const FileId *y = b;

  return x->device == y->device && x->inode == y->inode;
}

static gboolean
file_id_of (const char *path,
            FileId     *id)
{
  GStatBuf info;

  if (g_stat (path, &info) != 0)
    return FALSE;
  id->device = info.st_dev;
  id->inode = info.st_ino;
  return TRUE;
}

static gboolean
is_held (const char *path)
{
  FileId id;
  gboolean held;

  if (!file_id_of (path, &id))
    return FALSE;
  g_mutex_lock (&held_lock);
  held = held_files != NULL && g_hash_table_contains (held_files, &id);
  g_mutex_unlock (&held_lock);
  return held;
}

GormHeldFile *
gorm_uri_hold_file (const char *path)
{
  GormHeldFile *held = g_new0 (GormHeldFile, 1);
  guint count;

  if (path == NULL || !file_id_of (path, &held->id))
    {
      g_free (held);
      return NULL;
    }
  g_mutex_lock (&held_lock);
  if (held_files == NULL)
    held_files = g_hash_table_new_full (file_id_hash, file_id_equal, g_free, NULL);
  /* An equal key already there stays, and the new copy is freed. */
  count = GPOINTER_TO_UINT (g_hash_table_lookup (held_files, &held->id));
  g_hash_table_insert (held_files, g_memdup2 (&held->id, sizeof held->id),
                       GUINT_TO_POINTER (count + 1));
  g_mutex_unlock (&held_lock);
  return held;
}

void
gorm_uri_release_file (GormHeldFile *held)
{
  guint count;

  if (held == NULL)
    return;
  g_mutex_lock (&held_lock);
  count = held_files ? GPOINTER_TO_UINT (g_hash_table_lookup (held_files, &held->id)) : 0;
  if (count > 1)
    g_hash_table_insert (held_files, g_memdup2 (&held->id, sizeof held->id),
                         GUINT_TO_POINTER (count - 1));
  else if (count == 1)
    g_hash_table_remove (held_files, &held->id);
  g_mutex_unlock (&held_lock);
  g_free (held);
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
  FILE *file;
  size_t n;
  guint page_size;

  /* A file a connection of ours has open was checked then, and opening
   * it now would cost that connection its locks. */
  if (is_held (path))
    return TRUE;
  file = fopen (path, "rb");
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
    {
      /* An existing file is checked without opening it: closing a
       * descriptor of it would drop the locks of the connections this
       * process has to it (see "Held files"). */
      if (g_access (path, R_OK) == 0)
        return TRUE;
      fd = -1;
    }
  else
    fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  saved_errno = errno;
  if (fd >= 0)
    {
      close (fd);
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

/* PostgreSQL */

/* libgda's PostgreSQL provider writes each value into libpq's conninfo
 * between single quotes as it is (host='%s', password='%s'): a quote or
 * a backslash in it must be escaped for libpq, or it would end the value
 * and could add parameters of its own. */
static char *
conninfo_escape (const char *value)
{
  GString *escaped = g_string_sized_new (strlen (value) + 2);

  for (const char *p = value; *p; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (escaped, '\\');
      g_string_append_c (escaped, *p);
    }
  return g_string_free (escaped, FALSE);
}

/* Appends NAME=VALUE to a libgda connection string, VALUE escaped for
 * libpq's conninfo and encoded for libgda. */
static void
append_cnc_pair (GString    *cnc,
                 const char *name,
                 const char *value)
{
  g_autofree char *escaped = conninfo_escape (value);
  g_autofree char *encoded = encode (escaped);

  if (cnc->len > 0)
    g_string_append_c (cnc, ';');
  g_string_append_printf (cnc, "%s=%s", name, encoded);
}

/* Whether @text is a whole number from @min to @max. */
static gboolean
parse_number (const char *text,
              guint64     min,
              guint64     max)
{
  guint64 number;

  return g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL);
}

/* What libgda's provider passes to libpq as the server's command-line
 * options: "-c NAME=VALUE", with spaces and backslashes escaped. */
static void
append_server_option (GString    *options,
                      const char *name,
                      const char *value)
{
  if (options->len > 0)
    g_string_append_c (options, ' ');
  g_string_append_printf (options, "-c %s=", name);
  for (const char *p = value; *p; p++)
    {
      if (*p == ' ' || *p == '\\')
        g_string_append_c (options, '\\');
      g_string_append_c (options, *p);
    }
}

/* The query parameters of a postgresql:// URI that libgda's provider can
 * hand to libpq; any other is refused, never ignored. */
static gboolean
parse_postgresql_parameters (const char  *shown,
                             const char  *query,
                             GString     *cnc,
                             GError     **error)
{
  g_auto(GStrv) pairs = g_strsplit (query, "&", -1);
  g_autoptr(GString) options = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (*pairs[i] == '\0')
        continue;
      key = g_uri_unescape_segment (pairs[i], equals, NULL);
      value = equals ? g_uri_unescape_string (equals + 1, NULL) : NULL;
      if (key == NULL || (equals != NULL && value == NULL))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: a query parameter has a bad %%-escape", shown);
          return FALSE;
        }
      if (value == NULL || g_hash_table_contains (seen, key))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: the parameter “%s” %s",
                       shown, key, value == NULL ? "has no value" : "is given twice");
          return FALSE;
        }
      g_hash_table_add (seen, g_strdup (key));

      if (g_str_equal (key, "sslmode"))
        {
          /* libgda's provider can only ask libpq to require SSL
           * (requiressl=1), or leave libpq's default, prefer. */
          if (g_str_equal (value, "require"))
            append_cnc_pair (cnc, "REQUIRESSL", "TRUE");
          else if (!g_str_equal (value, "prefer"))
            {
              g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                           "Cannot open “%s”: sslmode=%s is not supported: libgda's "
                           "PostgreSQL provider offers sslmode=prefer (the default) and "
                           "sslmode=require only", shown, value);
              return FALSE;
            }
        }
      else if (g_str_equal (key, "connect_timeout"))
        {
          if (!parse_number (value, 0, G_MAXINT))
            {
              g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                           "Cannot open “%s”: connect_timeout=%s is not a number of seconds",
                           shown, value);
              return FALSE;
            }
          append_cnc_pair (cnc, "CONNECT_TIMEOUT", value);
        }
      else if (g_str_equal (key, "application_name"))
        append_server_option (options, "application_name", value);
      else
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: unknown parameter “%s”; a postgresql:// URI takes "
                       "sslmode=prefer|require, connect_timeout=SECONDS and "
                       "application_name=NAME", shown, key);
          return FALSE;
        }
    }
  if (options->len > 0)
    append_cnc_pair (cnc, "OPTIONS", options->str);
  return TRUE;
}

/* The auth string libgda takes apart from the connection string. */
static char *
auth_string (const char *user,
             const char *password)
{
  g_autoptr(GString) auth = g_string_new (NULL);

  if (user != NULL)
    append_cnc_pair (auth, "USERNAME", user);
  if (password != NULL)
    append_cnc_pair (auth, "PASSWORD", password);
  return auth->len > 0 ? g_string_free (g_steal_pointer (&auth), FALSE) : NULL;
}

static void
set_server (GormUri    *parsed,
            const char *host,
            const char *port,
            const char *database,
            const char *user)
{
  parsed->host = g_strdup (host);
  parsed->port = (guint) g_ascii_strtoull (port, NULL, 10);
  parsed->database = g_strdup (database);
  parsed->user = g_strdup (user);
}

/* postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DBNAME[?PARAMETERS], every
 * part percent-encoded. */
static gboolean
parse_postgresql_uri (const char  *uri,
                      const char  *shown,
                      GormUri     *parsed,
                      GError     **error)
{
  g_autoptr(GUri) guri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) cnc = g_string_new (NULL);
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *database = NULL;
  g_autofree char *port = NULL;
  const char *host, *path, *query;

  guri = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, &local_error);
  if (guri == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: not a valid URI: postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
                   shown);
      return FALSE;
    }

  host = g_uri_get_host (guri);
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: the URI names no host", shown);
      return FALSE;
    }
  path = g_uri_get_path (guri);
  if (path == NULL || path[0] != '/' || path[1] == '\0' || strchr (path + 1, '/') != NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: the URI names no database, as in "
                   "postgresql://HOST:PORT/DATABASE", shown);
      return FALSE;
    }
  database = g_uri_unescape_string (path + 1, NULL);
  if (g_uri_get_user (guri) != NULL)
    user = g_uri_unescape_string (g_uri_get_user (guri), NULL);
  if (g_uri_get_password (guri) != NULL)
    password = g_uri_unescape_string (g_uri_get_password (guri), NULL);
  {
    g_autofree char *unescaped_host = g_uri_unescape_string (host, NULL);

    if (database == NULL || unescaped_host == NULL ||
        (g_uri_get_user (guri) != NULL && user == NULL) ||
        (g_uri_get_password (guri) != NULL && password == NULL) ||
        *database == '\0' || (user != NULL && *user == '\0'))
      {
        g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                     "Cannot open “%s”: a part of the URI is empty or has a bad %%-escape",
                     shown);
        return FALSE;
      }
    port = g_strdup_printf ("%d", g_uri_get_port (guri) > 0 ? g_uri_get_port (guri) : 5432);
    append_cnc_pair (cnc, "HOST", unescaped_host);
    append_cnc_pair (cnc, "PORT", port);
    append_cnc_pair (cnc, "DB_NAME", database);
    set_server (parsed, unescaped_host, port, database, user);
  }

  query = g_uri_get_query (guri);
  if (query != NULL && !parse_postgresql_parameters (shown, query, cnc, error))
    return FALSE;
  if (g_uri_get_fragment (guri) != NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: a database URI has no #fragment", shown);
      return FALSE;
    }

  parsed->provider = g_strdup ("PostgreSQL");
  parsed->cnc_string = g_string_free (g_steal_pointer (&cnc), FALSE);
  parsed->auth_string = auth_string (user, password);
  return TRUE;
}

/* postgresql:NAME=VALUE;… — libgda's own connection string, its values
 * RFC 1738 encoded: DB_NAME (required), HOST, PORT, USERNAME, PASSWORD,
 * CONNECT_TIMEOUT, REQUIRESSL and OPTIONS. USERNAME and PASSWORD go to
 * libgda's auth string. The numbers and booleans, which libgda writes
 * into libpq's conninfo unquoted, are checked. */
static gboolean
parse_postgresql_cnc (const char  *rest,
                      const char  *shown,
                      GormUri     *parsed,
                      GError     **error)
{
  static const char * const known[] = {
    "DB_NAME", "HOST", "PORT", "CONNECT_TIMEOUT", "REQUIRESSL", "OPTIONS",
  };
  g_auto(GStrv) pairs = g_strsplit (rest, ";", -1);
  g_autoptr(GString) cnc = g_string_new (NULL);
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *database, *host, *port, *user, *password;

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');
      g_autofree char *key = NULL;
      char *value;
      gboolean is_known = FALSE;

      if (*pairs[i] == '\0')
        continue;
      key = equals ? g_ascii_strup (pairs[i], equals - pairs[i]) : g_ascii_strup (pairs[i], -1);
      value = equals ? g_uri_unescape_string (equals + 1, NULL) : NULL;
      if (value == NULL || g_hash_table_contains (values, key))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: the parameter “%s” %s", shown, key,
                       equals == NULL ? "has no value"
                       : value == NULL ? "has a bad %-escape" : "is given twice");
          g_free (value);
          return FALSE;
        }
      for (guint k = 0; k < G_N_ELEMENTS (known); k++)
        is_known |= g_str_equal (key, known[k]);
      if (!is_known && !g_str_equal (key, "USERNAME") && !g_str_equal (key, "PASSWORD"))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                       "Cannot open “%s”: unknown parameter “%s”; a postgresql: connection "
                       "string takes DB_NAME, HOST, PORT, USERNAME, PASSWORD, CONNECT_TIMEOUT, "
                       "REQUIRESSL and OPTIONS", shown, key);
          g_free (value);
          return FALSE;
        }
      if (is_known)
        append_cnc_pair (cnc, key, value);
      g_hash_table_insert (values, g_steal_pointer (&key), value);
    }

  database = g_hash_table_lookup (values, "DB_NAME");
  host = g_hash_table_lookup (values, "HOST");
  port = g_hash_table_lookup (values, "PORT");
  user = g_hash_table_lookup (values, "USERNAME");
  password = g_hash_table_lookup (values, "PASSWORD");
  if (database == NULL || *database == '\0')
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: the connection string names no database (DB_NAME=…)",
                   shown);
      return FALSE;
    }
  if (port != NULL && !parse_number (port, 1, 65535))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: PORT=%s is not a port number", shown, port);
      return FALSE;
    }
  {
    const char *timeout = g_hash_table_lookup (values, "CONNECT_TIMEOUT");
    const char *ssl = g_hash_table_lookup (values, "REQUIRESSL");

    if (timeout != NULL && !parse_number (timeout, 0, G_MAXINT))
      {
        g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                     "Cannot open “%s”: CONNECT_TIMEOUT=%s is not a number of seconds", shown, timeout);
        return FALSE;
      }
    if (ssl != NULL && g_ascii_strcasecmp (ssl, "TRUE") != 0 && g_ascii_strcasecmp (ssl, "FALSE") != 0)
      {
        g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                     "Cannot open “%s”: REQUIRESSL=%s is neither TRUE nor FALSE", shown, ssl);
        return FALSE;
      }
  }
  if (port == NULL)
    append_cnc_pair (cnc, "PORT", "5432");
  set_server (parsed, host ? host : "localhost", port ? port : "5432", database, user);

  parsed->provider = g_strdup ("PostgreSQL");
  parsed->cnc_string = g_string_free (g_steal_pointer (&cnc), FALSE);
  parsed->auth_string = auth_string (user, password);
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
    gboolean ok = FALSE;

    if (g_str_has_prefix (uri, "postgresql://") || g_str_has_prefix (uri, "postgres://"))
      ok = parse_postgresql_uri (uri, redacted, parsed, error);
    else if (g_str_has_prefix (uri, "postgresql:"))
      ok = parse_postgresql_cnc (uri + strlen ("postgresql:"), redacted, parsed, error);
    else
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open “%s”: libgorm %s opens sqlite:PATH, sqlite:///ABSOLUTE/PATH, "
                   "sqlite::memory:, postgresql://USER:PASSWORD@HOST:PORT/DATABASE and "
                   "postgresql:DB_NAME=…;HOST=… URIs", redacted, PACKAGE_VERSION);
    if (!ok)
      gorm_uri_clear (parsed);
    return ok;
  }
}
