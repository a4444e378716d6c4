/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-test-utils.h"

/* The C examples of doc/relations.md, as written (tests/meson.build
 * extracts them). */
#include "doc-relations-examples.h"

/* Each example builds on the previous ones, as the page reads. */
static void
test_examples (void)
{
  g_autoptr(GormDatabase) db = test_open_memory ();

  example_declaring (db);
  example_reading (db);
  example_reverse (db);
  example_links (db);
  example_eager (db);
  example_on_delete (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Gorm/Doc/relations", test_examples);

  return g_test_run ();
}
