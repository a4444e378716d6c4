/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-connection-private.h"
#include "gorm-schema-private.h"

G_BEGIN_DECLS

/*
 * The migrator: the differences between the schemas of resource types
 * and the tables a database has, turned into statements and run in one
 * transaction.
 *
 * The differences are read first, outside any transaction: when there is
 * nothing to change, nothing is written and no write lock is taken, so an
 * up-to-date schema migrates while another process writes. Otherwise a
 * transaction begins, the differences are read again inside it (another
 * process may have migrated meanwhile), and its statements run.
 *
 * A table whose existing columns contradict the schema (a text key, an
 * integer property over a text column, …) is refused with
 * GORM_ERROR_MIGRATION naming the table, the column, the stored and the
 * expected types, and nothing changes.
 *
 * Called with the connection's lock held (gorm-connection-private.h).
 */
gboolean gorm_migrator_run_locked (GormConnection  *connection,
                                   const char      *name,
                                   const GType     *types,
                                   guint            n_types,
                                   GError         **error);

G_END_DECLS
