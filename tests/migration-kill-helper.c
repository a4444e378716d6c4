/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The child of test-migration-kill: a program the test kills with
 * SIGKILL in the middle of a migration.
 *
 *   migration-kill-helper URI setup ROWS
 *     makes the table "item" of version 1 (title 'item N', amount N for
 *     N in 1..ROWS), records schema version 1 and keeps a copy of the
 *     rows in "item_seed";
 *   migration-kill-helper URI reset
 *     makes the table "item" of version 1 again, with the rows of
 *     "item_seed";
 *   migration-kill-helper URI migrate
 *     prints "start" and runs the migration to version 2, then prints
 *     "done": a step before the changes upper-cases every title through
 *     the objects (one save each), the changes make "amount" a double
 *     (SQLite rebuilds the table) and add "words", and a step after them
 *     fills "words" with the length of the title.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <gorm.h>

#include "migration-steps.h"

#define ITEM_PROPERTIES                                                   \
  g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE)

typedef struct { GormResource parent_instance; char *title; gint amount; } KillItemV1;
typedef struct { GormResourceClass parent_class; } KillItemV1Class;
typedef struct { GormResource parent_instance; char *title; gdouble amount; gint words; } KillItemV2;
typedef struct { GormResourceClass parent_class; } KillItemV2Class;

GType kill_item_v1_get_type (void);
GType kill_item_v2_get_type (void);
G_DEFINE_TYPE (KillItemV1, kill_item_v1, GORM_TYPE_RESOURCE)
G_DEFINE_TYPE (KillItemV2, kill_item_v2, GORM_TYPE_RESOURCE)

enum { PROP_0, PROP_TITLE, PROP_AMOUNT, PROP_WORDS };

static void
kill_item_v1_init (KillItemV1 *self)
{
}

static void
kill_item_v2_init (KillItemV2 *self)
{
}

static void
v1_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  KillItemV1 *self = (KillItemV1 *) object;

  if (prop_id == PROP_TITLE)
    g_value_set_string (value, self->title);
  else
    g_value_set_int (value, self->amount);
}

static void
v1_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  KillItemV1 *self = (KillItemV1 *) object;

  if (prop_id == PROP_TITLE)
    {
      g_free (self->title);
      self->title = g_value_dup_string (value);
    }
  else
    self->amount = g_value_get_int (value);
}

static void
v1_finalize (GObject *object)
{
  g_free (((KillItemV1 *) object)->title);
  G_OBJECT_CLASS (kill_item_v1_parent_class)->finalize (object);
}

static void
kill_item_v1_class_init (KillItemV1Class *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = v1_get_property;
  object_class->set_property = v1_set_property;
  object_class->finalize = v1_finalize;
  g_object_class_install_property (object_class, PROP_TITLE, ITEM_PROPERTIES);
  g_object_class_install_property (object_class, PROP_AMOUNT,
                                   g_param_spec_int ("amount", NULL, NULL, 0, G_MAXINT, 0,
                                                     G_PARAM_READWRITE));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "item");
}

static void
v2_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  KillItemV2 *self = (KillItemV2 *) object;

  if (prop_id == PROP_TITLE)
    g_value_set_string (value, self->title);
  else if (prop_id == PROP_AMOUNT)
    g_value_set_double (value, self->amount);
  else
    g_value_set_int (value, self->words);
}

static void
v2_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  KillItemV2 *self = (KillItemV2 *) object;

  if (prop_id == PROP_TITLE)
    {
      g_free (self->title);
      self->title = g_value_dup_string (value);
    }
  else if (prop_id == PROP_AMOUNT)
    self->amount = g_value_get_double (value);
  else
    self->words = g_value_get_int (value);
}

static void
v2_finalize (GObject *object)
{
  g_free (((KillItemV2 *) object)->title);
  G_OBJECT_CLASS (kill_item_v2_parent_class)->finalize (object);
}

static void
kill_item_v2_class_init (KillItemV2Class *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = v2_get_property;
  object_class->set_property = v2_set_property;
  object_class->finalize = v2_finalize;
  g_object_class_install_property (object_class, PROP_TITLE, ITEM_PROPERTIES);
  g_object_class_install_property (object_class, PROP_AMOUNT,
                                   g_param_spec_double ("amount", NULL, NULL, 0, G_MAXDOUBLE, 0,
                                                        G_PARAM_READWRITE));
  g_object_class_install_property (object_class, PROP_WORDS,
                                   g_param_spec_int ("words", NULL, NULL, 0, G_MAXINT, 0,
                                                     G_PARAM_READWRITE));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), "item");
}

static gboolean
upper_titles_step (GormMigration  *migration,
                   GormDatabase   *database,
                   guint           version,
                   gpointer        user_data,
                   GError        **error)
{
  return test_edit_each (database, kill_item_v1_get_type (), test_upper_title, error);
}

static gboolean
count_words_step (GormMigration  *migration,
                  GormDatabase   *database,
                  guint           version,
                  gpointer        user_data,
                  GError        **error)
{
  return gorm_database_execute (database, "UPDATE item SET words = LENGTH(title)", NULL, 0,
                                NULL, error) >= 0;
}

static gboolean
migrate_to_1 (GormDatabase  *db,
              GError       **error)
{
  GType type = kill_item_v1_get_type ();
  g_autoptr(GormMigration) migration = gorm_migration_new (db, &type, 1);

  gorm_migration_set_version (migration, 1);
  return gorm_migration_run (migration, NULL, error);
}

/* Back to version 1 with the rows of the seed: faster than a new
 * database (PostgreSQL takes a second to make one). */
static gboolean
reset (GormDatabase  *db,
       GError       **error)
{
  return gorm_database_execute (db, "DROP TABLE IF EXISTS item", NULL, 0, NULL, error) >= 0 &&
         gorm_database_execute (db, "DROP TABLE IF EXISTS gorm_schema", NULL, 0, NULL,
                                error) >= 0 &&
         migrate_to_1 (db, error) &&
         gorm_database_execute (db, "INSERT INTO item SELECT * FROM item_seed", NULL, 0, NULL,
                                error) >= 0;
}

static gboolean
setup (GormDatabase  *db,
       guint          rows,
       GError       **error)
{
  GType type = kill_item_v1_get_type ();

  if (!migrate_to_1 (db, error) || !gorm_database_begin (db, NULL, error))
    return FALSE;
  for (guint i = 1; i <= rows; i++)
    {
      g_autofree char *title = g_strdup_printf ("item %u", i);
      g_autoptr(GormResource) item = g_object_new (type, "database", db, "title", title,
                                                   "amount", (gint) i, NULL);

      if (!gorm_resource_save (item, NULL, error))
        return FALSE;
    }
  return gorm_database_execute (db, "CREATE TABLE item_seed AS SELECT * FROM item", NULL, 0,
                                NULL, error) >= 0 &&
         gorm_database_commit (db, NULL, error);
}

static gboolean
migrate (GormDatabase  *db,
         GError       **error)
{
  GType type = kill_item_v2_get_type ();
  g_autoptr(GormMigration) migration = gorm_migration_new (db, &type, 1);

  g_type_ensure (kill_item_v1_get_type ());
  gorm_migration_set_version (migration, 2);
  gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_BEFORE_CHANGES, upper_titles_step,
                           NULL, NULL);
  gorm_migration_add_step (migration, 2, GORM_MIGRATION_STAGE_AFTER_CHANGES, count_words_step,
                           NULL, NULL);
  printf ("start\n");
  fflush (stdout);
  if (!gorm_migration_run (migration, NULL, error))
    return FALSE;
  printf ("done\n");
  fflush (stdout);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s URI setup ROWS | URI migrate | URI reset\n", argv[0]);
      return 2;
    }
  db = gorm_database_open (argv[1], NULL, &error);
  if (db == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  if (g_str_equal (argv[2], "setup") && argc == 4)
    ok = setup (db, (guint) atoi (argv[3]), &error);
  else if (g_str_equal (argv[2], "migrate"))
    ok = migrate (db, &error);
  else if (g_str_equal (argv[2], "reset"))
    ok = reset (db, &error);
  else
    {
      fprintf (stderr, "usage: %s URI setup ROWS | URI migrate | URI reset\n", argv[0]);
      return 2;
    }
  if (!ok)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return gorm_database_close (db, NULL, &error) ? 0 : 1;
}
