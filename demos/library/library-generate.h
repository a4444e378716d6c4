/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

#include "library-models.h"

G_BEGIN_DECLS

/*
 * Writes made-up books (and up to 1,000 authors for them) in batches of
 * gorm_database_bulk_insert_async(): each batch is built on the main
 * loop in a few milliseconds and written on the database's worker, and
 * "progress" follows every batch. Cancelling stops after the batch being
 * written; what was written stays.
 */
#define LIBRARY_TYPE_GENERATOR (library_generator_get_type ())
G_DECLARE_FINAL_TYPE (LibraryGenerator, library_generator, LIBRARY, GENERATOR, GObject)

LibraryGenerator *library_generator_new        (GormDatabase      *database,
                                                guint              n_books);
void              library_generator_run_async  (LibraryGenerator  *self,
                                                GAsyncReadyCallback callback,
                                                gpointer           user_data);
guint             library_generator_run_finish (LibraryGenerator  *self,
                                                GAsyncResult      *result,
                                                GError           **error);
void              library_generator_cancel     (LibraryGenerator  *self);

G_END_DECLS
