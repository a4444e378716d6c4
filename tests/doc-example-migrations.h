/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-test-utils.h"

G_BEGIN_DECLS

/*
 * The C example of README.md's section "Migrations": version 2 of the
 * quick start's note, which adds an int "priority" (0 by default) to its
 * "text" (500 characters at most) and "done".
 */
#define NOTES_TYPE_NOTE (notes_note_get_type ())
GType notes_note_get_type (void);

/* A fresh database of the engine under test as version 1 of the quick
 * start left it: the table notes_note (text, done) holding "Buy milk"
 * (done) and "Call Bob". */
GormDatabase *doc_example_open (void);

G_END_DECLS
