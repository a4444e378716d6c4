/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Database URIs: what gorm_database_open() accepts, turned into a libgda
 * provider name and connection string.
 */
typedef struct
{
  char *provider;
  char *cnc_string;
  /* The file of an SQLite database, NULL in memory. */
  char *path;
} GormUri;

gboolean  gorm_uri_parse   (const char  *uri,
                            GormUri     *parsed,
                            GError     **error);
void      gorm_uri_clear   (GormUri     *parsed);
char     *gorm_uri_redact  (const char  *uri);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GormUri, gorm_uri_clear)

G_END_DECLS
