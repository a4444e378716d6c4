/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Whether a migration of a large table keeps the main loop responsive:
 * a table of ROWS rows (default 1,000,000) whose integer column "amount"
 * becomes a double, which SQLite applies by rebuilding the table (a new
 * table, the rows copied in chunks, the old one dropped) and PostgreSQL
 * with ALTER COLUMN … TYPE. The migration runs with
 * gorm_migration_run_async() while a 1 ms timeout in the main loop
 * records the gap between its consecutive calls, and a handler counts
 * the "progress" signals.
 *
 * It prints the time of the migration, the largest gap (the goal: no gap
 * over 16 ms, one frame at 60 Hz), how much of it the main thread spent
 * waiting for a CPU (other processes on a loaded machine) and the
 * largest gap less that wait, the number of progress events and the
 * last fraction. It exits 1 when the largest gap less its wait for a
 * CPU is over 16 ms: on a machine whose cores other processes keep busy,
 * the main thread waits for one whatever libgorm does.
 *
 *   bench-migrate [ROWS] [DIRECTORY]
 *
 * SQLite by default, in a file in DIRECTORY (default the temporary
 * directory), removed afterwards; with GORM_BENCH_POSTGRESQL=URI (a
 * database libgorm may fill), PostgreSQL.
 */

#include <fcntl.h>
#include <locale.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gorm.h>

#define FRAME_USEC 16000
#define TABLE "bench_migrate"

typedef struct { GormResource parent_instance; char *label; gint64 amount; } BenchRowV1;
typedef struct { GormResourceClass parent_class; } BenchRowV1Class;
typedef struct { GormResource parent_instance; char *label; gdouble amount; } BenchRowV2;
typedef struct { GormResourceClass parent_class; } BenchRowV2Class;

static GType bench_row_v1_get_type (void);
static GType bench_row_v2_get_type (void);
G_DEFINE_TYPE (BenchRowV1, bench_row_v1, GORM_TYPE_RESOURCE)
G_DEFINE_TYPE (BenchRowV2, bench_row_v2, GORM_TYPE_RESOURCE)

enum { PROP_0, PROP_LABEL, PROP_AMOUNT };

static void
bench_row_v1_init (BenchRowV1 *self)
{
}

static void
bench_row_v2_init (BenchRowV2 *self)
{
}

static void
v1_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BenchRowV1 *self = (BenchRowV1 *) object;

  if (prop_id == PROP_LABEL)
    g_value_set_string (value, self->label);
  else
    g_value_set_int64 (value, self->amount);
}

static void
v1_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BenchRowV1 *self = (BenchRowV1 *) object;

  if (prop_id == PROP_LABEL)
    {
      g_free (self->label);
      self->label = g_value_dup_string (value);
    }
  else
    self->amount = g_value_get_int64 (value);
}

static void
v2_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BenchRowV2 *self = (BenchRowV2 *) object;

  if (prop_id == PROP_LABEL)
    g_value_set_string (value, self->label);
  else
    g_value_set_double (value, self->amount);
}

static void
v2_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BenchRowV2 *self = (BenchRowV2 *) object;

  if (prop_id == PROP_LABEL)
    {
      g_free (self->label);
      self->label = g_value_dup_string (value);
    }
  else
    self->amount = g_value_get_double (value);
}

static void
v1_finalize (GObject *object)
{
  g_free (((BenchRowV1 *) object)->label);
  G_OBJECT_CLASS (bench_row_v1_parent_class)->finalize (object);
}

static void
v2_finalize (GObject *object)
{
  g_free (((BenchRowV2 *) object)->label);
  G_OBJECT_CLASS (bench_row_v2_parent_class)->finalize (object);
}

static void
bench_row_v1_class_init (BenchRowV1Class *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = v1_get_property;
  object_class->set_property = v1_set_property;
  object_class->finalize = v1_finalize;
  g_object_class_install_property (object_class, PROP_LABEL,
                                   g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, PROP_AMOUNT,
                                   g_param_spec_int64 ("amount", NULL, NULL, 0, G_MAXINT64, 0,
                                                       G_PARAM_READWRITE));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), TABLE);
}

static void
bench_row_v2_class_init (BenchRowV2Class *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = v2_get_property;
  object_class->set_property = v2_set_property;
  object_class->finalize = v2_finalize;
  g_object_class_install_property (object_class, PROP_LABEL,
                                   g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, PROP_AMOUNT,
                                   g_param_spec_double ("amount", NULL, NULL, 0, G_MAXDOUBLE, 0,
                                                        G_PARAM_READWRITE));
  gorm_resource_class_set_table (GORM_RESOURCE_CLASS (klass), TABLE);
}

/* The time the main thread has waited for a CPU (ns, Linux's schedstat):
 * tells a gap the machine made (the thread runnable, other processes on
 * the cores) from one libgorm made (the thread blocked or busy). -1 when
 * unknown. */
static gint64
run_delay (void)
{
  static int fd = -2;
  char text[128];
  ssize_t length;
  g_auto(GStrv) fields = NULL;

  if (fd == -2)
    fd = open ("/proc/thread-self/schedstat", O_RDONLY);
  if (fd < 0)
    return -1;
  length = pread (fd, text, sizeof text - 1, 0);
  if (length <= 0)
    return -1;
  text[length] = '\0';
  fields = g_strsplit (text, " ", 3);
  return g_strv_length (fields) >= 2 ? g_ascii_strtoll (fields[1], NULL, 10) : -1;
}

typedef struct
{
  gint64   last;
  gint64   last_delay;
  gint64   largest;
  gint64   largest_at;
  gint64   largest_waiting;
  /* The largest gap less the time spent waiting for a CPU in it. */
  gint64   largest_own;
  gint64   start;
  guint    n_progress;
  guint    n_notify;
  gdouble  fraction;
  gboolean done;
  gboolean stop;
  gint64   elapsed;
  GError  *error;
} Bench;

static gboolean
tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 delay = run_delay ();
  gint64 waiting = delay >= 0 && bench->last_delay >= 0 ? (delay - bench->last_delay) / 1000 : 0;

  if (bench->last != 0 && now - bench->last > bench->largest)
    {
      bench->largest = now - bench->last;
      bench->largest_at = now - bench->start;
      bench->largest_waiting = waiting;
    }
  if (bench->last != 0 && now - bench->last - waiting > bench->largest_own)
    bench->largest_own = now - bench->last - waiting;
  bench->last = now;
  bench->last_delay = delay;
  /* The gap that spans the callback counts too: stop at the next tick. */
  if (bench->done)
    bench->stop = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
progress_cb (GormMigration       *migration,
             GormMigrationChange *change,
             gdouble              fraction,
             gpointer             user_data)
{
  Bench *bench = user_data;

  bench->n_progress++;
  bench->fraction = fraction;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Bench *bench = user_data;

  bench->n_notify++;
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Bench *bench = user_data;

  gorm_migration_run_finish (GORM_MIGRATION (source), result, &bench->error);
  bench->elapsed = g_get_monotonic_time () - bench->start;
  bench->done = TRUE;
}

static void
fail (GError *error)
{
  g_printerr ("bench-migrate: %s\n", error->message);
  exit (2);
}

int
main (int   argc,
      char *argv[])
{
  guint rows = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  const char *directory = argc > 2 ? argv[2] : g_get_tmp_dir ();
  const char *server = g_getenv ("GORM_BENCH_POSTGRESQL");
  g_autoptr(GError) error = NULL;
  g_autoptr(GormDatabase) db = NULL;
  g_autoptr(GormMigration) setup = NULL;
  g_autoptr(GormMigration) migration = NULL;
  g_autoptr(GListModel) plan = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *fill = NULL;
  GType v1 = bench_row_v1_get_type ();
  GType v2 = bench_row_v2_get_type ();
  Bench bench = { 0 };
  gint64 start;
  gint64 idle_gap;
  g_autofree char *load = NULL;
  guint tick;

  setlocale (LC_ALL, "");
  if (server != NULL)
    uri = g_strdup (server);
  else
    {
      g_autofree char *template = g_build_filename (directory, "bench-migrate-XXXXXX", NULL);

      dir = g_mkdtemp (g_steal_pointer (&template));
      if (dir == NULL)
        g_error ("Cannot make a directory in %s", directory);
      path = g_build_filename (dir, "migrate.db", NULL);
      uri = g_strconcat ("sqlite:", path, NULL);
    }
  db = gorm_database_open (uri, NULL, &error);
  if (db == NULL)
    fail (error);
  gorm_database_execute (db, "DROP TABLE IF EXISTS " TABLE, NULL, 0, NULL, NULL);
  gorm_database_execute (db, "DROP TABLE IF EXISTS gorm_schema", NULL, 0, NULL, NULL);

  /* Version 1, filled by the engine itself. */
  setup = gorm_migration_new (db, &v1, 1);
  gorm_migration_set_version (setup, 1);
  if (!gorm_migration_run (setup, NULL, &error))
    fail (error);
  start = g_get_monotonic_time ();
  if (server != NULL)
    fill = g_strdup_printf ("INSERT INTO " TABLE " (label, amount) "
                            "SELECT 'row ' || x, x FROM generate_series (1, %u) AS x", rows);
  else
    fill = g_strdup_printf ("INSERT INTO " TABLE " (label, amount) "
                            "WITH RECURSIVE c (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                            "WHERE x < %u) SELECT 'row ' || x, x FROM c", rows);
  if (gorm_database_execute (db, fill, NULL, 0, NULL, &error) < 0)
    fail (error);
  g_printerr ("filled %u rows in %.1f s\n", rows,
              (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC);

  /* Version 2: "amount" becomes a double. */
  migration = gorm_migration_new (db, &v2, 1);
  gorm_migration_set_version (migration, 2);
  plan = gorm_migration_plan (migration, NULL, &error);
  if (plan == NULL)
    fail (error);
  for (guint i = 0; i < g_list_model_get_n_items (plan); i++)
    {
      g_autoptr(GormMigrationChange) change = g_list_model_get_item (plan, i);
      g_autoptr(GEnumClass) kinds = g_type_class_ref (GORM_TYPE_MIGRATION_CHANGE_KIND);

      g_printerr ("plan: %s %s: %s\n",
                  g_enum_get_value (kinds, gorm_migration_change_get_kind (change))->value_nick,
                  gorm_migration_change_get_table (change) ? gorm_migration_change_get_table (change) : "",
                  gorm_migration_change_get_reason (change));
    }

  /* The same ticker with nothing to do, for a second: the gaps the
   * machine itself makes (other processes on its cores). */
  {
    Bench idle = { 0 };

    tick = g_timeout_add (1, tick_cb, &idle);
    idle.start = g_get_monotonic_time ();
    while (g_get_monotonic_time () - idle.start < G_USEC_PER_SEC)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
    idle_gap = idle.largest;
  }

  g_signal_connect (migration, "progress", G_CALLBACK (progress_cb), &bench);
  g_signal_connect (migration, "notify::fraction", G_CALLBACK (notify_cb), &bench);
  tick = g_timeout_add (1, tick_cb, &bench);
  bench.start = g_get_monotonic_time ();
  gorm_migration_run_async (migration, NULL, done_cb, &bench);
  while (!bench.stop)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  if (bench.error != NULL)
    fail (bench.error);

  g_print ("engine            %s\n", server != NULL ? "postgresql" : "sqlite");
  g_print ("rows              %u\n", rows);
  g_print ("migration         %.2f s (run_async to its callback)\n",
           bench.elapsed / (gdouble) G_USEC_PER_SEC);
  g_print ("largest gap       %.1f ms (at %.2f s, %.1f ms of it waiting for a CPU; "
           "goal: at most 16 ms)\n",
           bench.largest / 1000.0, bench.largest_at / (gdouble) G_USEC_PER_SEC,
           bench.largest_waiting / 1000.0);
  g_print ("largest own gap   %.1f ms (a gap less its time waiting for a CPU)\n",
           bench.largest_own / 1000.0);
  g_print ("idle largest gap  %.1f ms (the same ticker for 1 s before, nothing running)\n",
           idle_gap / 1000.0);
  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    g_print ("load average      %s", load);
  g_print ("progress events   %u (notify::fraction %u, last fraction %.2f)\n",
           bench.n_progress, bench.n_notify, bench.fraction);

  gorm_database_execute (db, "DROP TABLE IF EXISTS " TABLE, NULL, 0, NULL, NULL);
  gorm_database_execute (db, "DROP TABLE IF EXISTS gorm_schema", NULL, 0, NULL, NULL);
  gorm_database_close (db, NULL, NULL);
  if (path != NULL)
    {
      static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

          g_remove (file);
        }
      g_rmdir (dir);
    }
  /* What libgorm answers for: the gap less the machine's share. */
  return bench.largest_own <= FRAME_USEC ? 0 : 1;
}
