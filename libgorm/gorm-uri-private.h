/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Database URIs: what gorm_database_open() accepts, turned into a libgda
 * provider name and connection string.
 *
 * SQLite URIs take SQLite's own query parameters, honoured or refused:
 *
 *   mode=ro      the file must exist; the connection is read-only
 *                (PRAGMA query_only), every write fails with
 *                GORM_ERROR_READ_ONLY
 *   mode=rw      the file must exist
 *   mode=rwc     the file is created if missing (the default)
 *   mode=memory  an in-memory database; the path is only its name
 *   cache=shared (in memory only) every open of the same name in this
 *                process shares one database
 *   cache=private (the default)
 *
 * libgda's SQLite provider builds the file name it gives SQLite from a
 * directory and a name, so an SQLite "file:" URI never reaches SQLite: a
 * shared in-memory database lives in a file of a private directory in
 * /dev/shm (memory; the temporary directory where there is no /dev/shm),
 * removed when the last database using it is closed.
 *
 * PostgreSQL URIs come in two forms:
 *
 *   postgresql://USER:PASSWORD@HOST:PORT/DATABASE?PARAMETERS
 *                every part percent-encoded; the port defaults to 5432;
 *                the parameters sslmode=prefer|require, connect_timeout
 *                and application_name are honoured, any other refused
 *   postgresql:DB_NAME=…;HOST=…;PORT=…;USERNAME=…;PASSWORD=…
 *                libgda's connection string, values RFC 1738 encoded
 */

typedef struct _GormSharedMemory GormSharedMemory;
/* A database file a connection of this process has open (see "Held
 * files" in gorm-uri.c): gorm_uri_parse() never opens a held file. */
typedef struct _GormHeldFile GormHeldFile;

typedef struct
{
  char *provider;
  char *cnc_string;
  /* libgda's auth string (USERNAME, PASSWORD), or NULL. */
  char *auth_string;
  /* The server of a PostgreSQL database, for messages: never the
   * password. */
  char *host;
  guint port;
  char *database;
  char *user;
  /* The file of an SQLite database, NULL in memory. */
  char *path;
  /* mode=ro: the connection must not write. */
  gboolean read_only;
  /* cache=shared in memory: a reference on the shared database, held for
   * as long as a connection to it is open. */
  GormSharedMemory *shared;
} GormUri;

gboolean  gorm_uri_parse   (const char  *uri,
                            GormUri     *parsed,
                            GError     **error);
void      gorm_uri_clear   (GormUri     *parsed);
char     *gorm_uri_redact  (const char  *uri);

/* Drops a reference taken by gorm_uri_parse(); the last one removes the
 * database's file. Call it after closing the connection. */
void      gorm_shared_memory_unref (GormSharedMemory *shared);
/* Holds the file at @path, once a connection opened it, until
 * gorm_uri_release_file(); NULL (nothing held) when it does not exist. */
GormHeldFile *gorm_uri_hold_file    (const char       *path);
void          gorm_uri_release_file (GormHeldFile     *held);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GormUri, gorm_uri_clear)

G_END_DECLS
