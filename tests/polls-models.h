/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-test-utils.h"

G_BEGIN_DECLS

/*
 * The polls of Django's tutorial and a blog, shared by the tests that
 * use them as they are (tests/test-relation-paths.c and the C examples
 * of doc/queries.md, tests/doc-example-polls.c):
 *
 *   Author (name); Question (question-text, pub-date, rank, author-id: a
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

G_END_DECLS
