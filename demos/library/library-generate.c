/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "library-generate.h"

/* Books per bulk insert: building them takes a few milliseconds of the
 * main loop. */
#define BATCH 2000
#define MAX_AUTHORS 1000

struct _LibraryGenerator
{
  GObject       parent_instance;
  GormDatabase *database;
  guint         total;
  guint         done;
  GCancellable *cancellable;
  GRand        *rand;
  GArray       *author_ids;
  GPtrArray    *batch;
  GTask        *task;
};

G_DEFINE_FINAL_TYPE (LibraryGenerator, library_generator, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static const char * const first_names[] = {
  "Ada", "Alan", "Alice", "Anna", "Bruno", "Chiara", "Dmitri", "Edith", "Elena", "Emil",
  "Farah", "George", "Hanna", "Hugo", "Ines", "Iris", "Jonas", "Karin", "Leo", "Lina",
  "Marta", "Milan", "Nadia", "Nils", "Olga", "Oscar", "Paula", "Rosa", "Sami", "Tomas",
  "Ursula", "Vera", "Walter", "Yara", "Zofia", "Arturo", "Beatrix", "Clara", "Diego", "Erik",
};

static const char * const last_names[] = {
  "Almeida", "Berg", "Castillo", "Dvořák", "Eriksen", "Fontaine", "Gruber", "Haddad",
  "Ibsen", "Janssen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov",
  "Quintero", "Rossi", "Schmidt", "Tanaka", "Ulrich", "Varga", "Weber", "Yilmaz", "Zeller",
};

static const char * const adjectives[] = {
  "Silent", "Hidden", "Last", "Distant", "Golden", "Broken", "Quiet", "Northern", "Forgotten",
  "Bright", "Winter", "Burning", "Secret", "Lonely", "Ancient", "Wandering", "Crimson",
  "Endless", "Gentle", "Restless",
};

static const char * const nouns[] = {
  "River", "Garden", "Kingdom", "Letters", "Harbour", "Orchard", "Machine", "Mountain",
  "Library", "Lighthouse", "Season", "Promise", "Journey", "Island", "Archive", "Voices",
  "Forest", "City", "Storm", "Map",
};

static const char * const places[] = {
  "the North", "Lisbon", "the Sea", "Prague", "the Valley", "Kyoto", "the Dunes",
  "Tomorrow", "Glass", "Salt",
};

static void
library_generator_dispose (GObject *object)
{
  LibraryGenerator *self = LIBRARY_GENERATOR (object);

  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->batch, g_ptr_array_unref);
  G_OBJECT_CLASS (library_generator_parent_class)->dispose (object);
}

static void
library_generator_finalize (GObject *object)
{
  LibraryGenerator *self = LIBRARY_GENERATOR (object);

  g_rand_free (self->rand);
  g_array_unref (self->author_ids);
  G_OBJECT_CLASS (library_generator_parent_class)->finalize (object);
}

static void
library_generator_class_init (LibraryGeneratorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = library_generator_dispose;
  object_class->finalize = library_generator_finalize;

  /**
   * LibraryGenerator::progress:
   * @done: the books written so far
   * @total: the books to write
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
library_generator_init (LibraryGenerator *self)
{
  /* The same books every time, for the benchmarks. */
  self->rand = g_rand_new_with_seed (20261205);
  self->author_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cancellable = g_cancellable_new ();
}

LibraryGenerator *
library_generator_new (GormDatabase *database,
                       guint         n_books)
{
  LibraryGenerator *self = g_object_new (LIBRARY_TYPE_GENERATOR, NULL);

  self->database = g_object_ref (database);
  self->total = n_books;
  return self;
}

#define PICK(self, array) ((array)[g_rand_int_range ((self)->rand, 0, G_N_ELEMENTS (array))])

static void write_batch (LibraryGenerator *self);

/* Ends the task: the count written, or an error (which keeps it). */
static void
finish (LibraryGenerator *self,
        GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, self->done);
}

static void
batch_written_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LibraryGenerator) self = user_data;
  GError *error = NULL;

  if (!gorm_database_bulk_insert_finish (GORM_DATABASE (source), result, &error))
    {
      g_clear_pointer (&self->batch, g_ptr_array_unref);
      finish (self, error);
      return;
    }
  if (self->author_ids->len == 0)
    {
      /* The authors: their ids, for the books' keys. */
      for (guint i = 0; i < self->batch->len; i++)
        {
          gint64 id = gorm_resource_get_id (self->batch->pdata[i]);

          g_array_append_val (self->author_ids, id);
        }
    }
  else
    {
      self->done += self->batch->len;
      g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, self->done, self->total);
    }
  g_clear_pointer (&self->batch, g_ptr_array_unref);
  write_batch (self);
}

static LibraryBook *
make_book (LibraryGenerator *self)
{
  g_autofree char *title = NULL;
  LibraryBook *book;
  gint64 author_id = g_array_index (self->author_ids, gint64,
                                    g_rand_int_range (self->rand, 0, self->author_ids->len));

  if (g_rand_boolean (self->rand))
    title = g_strdup_printf ("The %s %s", PICK (self, adjectives), PICK (self, nouns));
  else
    title = g_strdup_printf ("%s of %s", PICK (self, nouns), PICK (self, places));
  book = g_object_new (LIBRARY_TYPE_BOOK, "database", self->database,
                       "title", title,
                       "author-id", author_id,
                       "year", g_rand_int_range (self->rand, 1800, 2027),
                       "pages", g_rand_int_range (self->rand, 40, 1500),
                       "rating", g_rand_int_range (self->rand, 0, 6),
                       "read", g_rand_int_range (self->rand, 0, 3) == 0,
                       NULL);
  /* One book in ten has no page count. */
  if (g_rand_int_range (self->rand, 0, 10) == 0)
    gorm_resource_set_null (GORM_RESOURCE (book), "pages", NULL);
  return book;
}

static void
write_batch (LibraryGenerator *self)
{
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    {
      finish (self, error);
      return;
    }
  if (self->done == self->total)
    {
      finish (self, NULL);
      return;
    }

  self->batch = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->author_ids->len == 0)
    {
      guint n_authors = CLAMP (self->total / 10, 1, MAX_AUTHORS);

      for (guint i = 0; i < n_authors; i++)
        {
          guint first = i % G_N_ELEMENTS (first_names);
          guint last = (i / G_N_ELEMENTS (first_names) + i) % G_N_ELEMENTS (last_names);
          g_autofree char *name = g_strdup_printf ("%s %s", first_names[first], last_names[last]);
          LibraryAuthor *author = g_object_new (LIBRARY_TYPE_AUTHOR, "database", self->database,
                                                "name", name,
                                                "born", g_rand_int_range (self->rand, 1750, 2000),
                                                NULL);

          g_ptr_array_add (self->batch, author);
        }
    }
  else
    {
      guint n = MIN (BATCH, self->total - self->done);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (self->batch, make_book (self));
    }
  gorm_database_bulk_insert_async (self->database, (GormResource * const *) self->batch->pdata,
                                   self->batch->len, self->cancellable, batch_written_cb,
                                   g_object_ref (self));
}

void
library_generator_run_async (LibraryGenerator   *self,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_return_if_fail (LIBRARY_IS_GENERATOR (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (self->task, library_generator_run_async);
  write_batch (self);
}

guint
library_generator_run_finish (LibraryGenerator *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_autoptr(GError) own_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  g_task_propagate_int (G_TASK (result), &own_error);
  if (own_error != NULL)
    g_propagate_error (error, g_steal_pointer (&own_error));
  /* What was written stays, even when the run failed or was cancelled. */
  return self->done;
}

void
library_generator_cancel (LibraryGenerator *self)
{
  g_return_if_fail (LIBRARY_IS_GENERATOR (self));

  g_cancellable_cancel (self->cancellable);
}
