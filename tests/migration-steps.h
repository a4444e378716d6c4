/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gorm.h>

G_BEGIN_DECLS

/* What a migration step does to each object, FALSE with @error set to
 * stop. */
typedef gboolean (*TestEditFunc) (GObject  *object,
                                  GError  **error);

/* The body of the steps of test-migration and migration-kill-helper:
 * fetches every object of @type through the public API, edits it and
 * saves it. */
gboolean test_edit_each      (GormDatabase  *database,
                              GType          type,
                              TestEditFunc   edit,
                              GError       **error);
/* An edit: the "title" in capitals. */
gboolean test_upper_title    (GObject       *object,
                              GError       **error);

G_END_DECLS
