/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The second process of tests/test-cross-process.c and
 * bench/bench-cross-process.c: it opens the database at argv[1] with
 * libgorm and runs one command per line of its standard input, answering
 * each with one line once it returned (a write outside a transaction, or
 * a COMMIT, is committed then):
 *
 *   insert NAME SCORE        ok ID
 *   update ID NAME SCORE     ok ROWS
 *   delete ID                ok
 *   set-score MIN SCORE      ok ROWS   (bulk update: score >= MIN)
 *   purge MAX                ok ROWS   (bulk delete: score < MAX)
 *   begin | commit | rollback
 *   quit
 *
 * Any failure answers "error MESSAGE". Names have no spaces.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cross-process-item.h"

static char *
run (GormDatabase *db,
     char        **words)
{
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length (words);
  const char *verb = n > 0 ? words[0] : "";

  if (g_str_equal (verb, "insert") && n == 3)
    {
      g_autoptr(GormResource) item = g_object_new (XP_TYPE_ITEM, "database", db,
                                                   "name", words[1],
                                                   "score", atoi (words[2]), NULL);

      if (gorm_resource_save (item, NULL, &error))
        return g_strdup_printf ("ok %" G_GINT64_FORMAT, gorm_resource_get_id (item));
    }
  else if (g_str_equal (verb, "update") && n == 4)
    {
      g_autoptr(GormResource) item = gorm_database_get (db, XP_TYPE_ITEM,
                                                        g_ascii_strtoll (words[1], NULL, 10),
                                                        NULL, &error);

      if (item != NULL)
        {
          g_autofree char *name = NULL;
          int score;

          /* An update that changes nothing runs no SQL, and commits
           * nothing: say so. */
          g_object_get (item, "name", &name, "score", &score, NULL);
          if (g_strcmp0 (name, words[2]) == 0 && score == atoi (words[3]))
            return g_strdup ("ok 0");
          g_object_set (item, "name", words[2], "score", atoi (words[3]), NULL);
          if (gorm_resource_save (item, NULL, &error))
            return g_strdup ("ok 1");
        }
    }
  else if (g_str_equal (verb, "delete") && n == 2)
    {
      g_autoptr(GormResource) item = gorm_database_get (db, XP_TYPE_ITEM,
                                                        g_ascii_strtoll (words[1], NULL, 10),
                                                        NULL, &error);

      if (item != NULL && gorm_resource_delete (item, NULL, &error))
        return g_strdup ("ok");
    }
  else if ((g_str_equal (verb, "set-score") && n == 3) || (g_str_equal (verb, "purge") && n == 2))
    {
      g_autoptr(GormQuery) query = gorm_database_query (db, XP_TYPE_ITEM);
      GValue bound = G_VALUE_INIT;
      gint64 rows;

      g_value_init (&bound, G_TYPE_INT);
      g_value_set_int (&bound, atoi (words[1]));
      if (g_str_equal (verb, "purge"))
        {
          gorm_query_filter (query, gorm_filter_lt ("score", &bound));
          rows = gorm_query_delete (query, NULL, &error);
        }
      else
        {
          GValue score = G_VALUE_INIT;

          g_value_init (&score, G_TYPE_INT);
          g_value_set_int (&score, atoi (words[2]));
          gorm_query_filter (query, gorm_filter_ge ("score", &bound));
          rows = gorm_query_update (query, "score", &score, NULL, &error);
        }
      g_value_unset (&bound);
      if (rows >= 0)
        return g_strdup_printf ("ok %" G_GINT64_FORMAT, rows);
    }
  else if (g_str_equal (verb, "begin") && n == 1)
    {
      if (gorm_database_begin (db, NULL, &error))
        return g_strdup ("ok");
    }
  else if (g_str_equal (verb, "commit") && n == 1)
    {
      if (gorm_database_commit (db, NULL, &error))
        return g_strdup ("ok");
    }
  else if (g_str_equal (verb, "rollback") && n == 1)
    {
      if (gorm_database_rollback (db, NULL, &error))
        return g_strdup ("ok");
    }
  else
    return g_strdup_printf ("error unknown command “%s” with %u words", verb, n);

  return g_strdup_printf ("error %s", error ? error->message : "no such row");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  char line[4096];

  if (argc != 2)
    {
      g_printerr ("usage: %s URI\n", argv[0]);
      return 2;
    }
  db = gorm_database_open (argv[1], NULL, &error);
  if (db == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_auto(GStrv) words = g_strsplit (g_strstrip (line), " ", -1);
      g_autofree char *answer = NULL;

      if (g_str_equal (line, "quit"))
        break;
      /* One line per answer, whatever the message says. */
      answer = g_strdelimit (run (db, words), "\r\n", ' ');
      printf ("%s\n", answer);
      fflush (stdout);
    }

  if (!gorm_database_close (db, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}
