/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "polls-models.h"

G_BEGIN_DECLS

/*
 * The C examples of doc/queries.md ("Across relations") run on the polls
 * models of polls-models.h, as the page describes them (the page does not
 * use Question's "rank").
 */

/* A fresh database of the engine under test with the types migrated and
 * these rows:
 *
 *   Ada and Bob
 *   "What's new?" (2024-01-01, by Ada): "Not much" 0 votes, "The sky" 3
 *   "What's up?"  (2024-02-01, by Bob): "Nothing" 1 vote
 *   "Why?"        (no date, no author): no choices
 *   "GNOME 50" tagged gnome and gtk, "PyGObject" tagged gnome, "Empty"
 */
GormDatabase *doc_example_open (void);

G_END_DECLS
