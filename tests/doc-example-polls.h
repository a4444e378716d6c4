/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-test-utils.h"

G_BEGIN_DECLS

/*
 * The models the C examples of doc/queries.md ("Across relations") run
 * on: Django's polls and a blog, as the page describes them.
 *
 *   Author (name); Question (question-text, pub-date, author-id: a
 *   nullable foreign key to Author, SET_NULL); Choice (question-id: a
 *   foreign key to Question, CASCADE; choice-text, votes); Tag (name);
 *   Post (title; many-to-many "tags" to Tag).
 *
 * The GType names are those of Django's tutorial ("Question",
 * "Choice"), so that the default reverse names are "choice_set" and
 * "choice".
 */
#define POLLS_TYPE_AUTHOR   (polls_author_get_type ())
#define POLLS_TYPE_QUESTION (polls_question_get_type ())
#define POLLS_TYPE_CHOICE   (polls_choice_get_type ())
#define POLLS_TYPE_TAG      (polls_tag_get_type ())
#define POLLS_TYPE_POST     (polls_post_get_type ())

GType polls_author_get_type   (void);
GType polls_question_get_type (void);
GType polls_choice_get_type   (void);
GType polls_tag_get_type      (void);
GType polls_post_get_type     (void);

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
