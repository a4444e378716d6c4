/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Preloaded into the programs that tests/meson.build runs under valgrind
 * --tool=helgrind, so that helgrind sees the synchronisation libgorm
 * relies on.
 *
 * On Linux GLib implements GMutex and GCond with futexes and atomics,
 * which helgrind does not understand: every access a GMutex protects is
 * reported as a race. This library defines g_mutex_* and g_cond_* with
 * POSIX mutexes and condition variables, which helgrind intercepts.
 * Calls between libraries go through the PLT and land here; the calls
 * libglib makes to itself are bound inside it and keep GLib's own
 * implementation, on the mutexes only libglib touches (its main context,
 * GAsyncQueue, GThreadPool). The races helgrind then reports inside
 * libglib are suppressed by tests/helgrind.supp.
 *
 * Work given to a GThreadPool crosses threads through libglib's own
 * GAsyncQueue: g_thread_pool_push() and the pool's function are
 * annotated as a happens-before edge on the item pushed, and the end of
 * each call of the pool's function as one before g_thread_pool_free()
 * returns from waiting for them. */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>
#include <valgrind/helgrind.h>

/* The POSIX object behind a GMutex or GCond is allocated on first use, as
 * GLib's own non-futex implementation does: a GMutex may be statically
 * zeroed, and is 8 bytes, which no pthread_mutex_t fits in. */
/* Set by the constructor, before any thread runs. */
static GThreadPool *(*real_thread_pool_new) (GFunc, gpointer, gint, gboolean, GError **);
static gboolean (*real_thread_pool_push) (GThreadPool *, gpointer, GError **);
static void (*real_thread_pool_free) (GThreadPool *, gboolean, gboolean);

__attribute__((constructor)) static void
find_real_functions (void)
{
  real_thread_pool_new = dlsym (RTLD_NEXT, "g_thread_pool_new");
  real_thread_pool_push = dlsym (RTLD_NEXT, "g_thread_pool_push");
  real_thread_pool_free = dlsym (RTLD_NEXT, "g_thread_pool_free");
}

static pthread_mutex_t *
mutex_impl (GMutex *mutex)
{
  pthread_mutex_t *impl;

  /* The pointer is read and set with atomics, which helgrind does not
   * see as synchronisation; only this file touches it. */
  VALGRIND_HG_DISABLE_CHECKING (&mutex->p, sizeof mutex->p);
  impl = g_atomic_pointer_get (&mutex->p);

  if (impl == NULL)
    {
      impl = malloc (sizeof (pthread_mutex_t));
      if (impl == NULL)
        abort ();
      pthread_mutex_init (impl, NULL);
      if (!g_atomic_pointer_compare_and_exchange (&mutex->p, NULL, impl))
        {
          pthread_mutex_destroy (impl);
          free (impl);
          impl = g_atomic_pointer_get (&mutex->p);
        }
    }
  return impl;
}

static pthread_cond_t *
cond_impl (GCond *cond)
{
  pthread_cond_t *impl;

  VALGRIND_HG_DISABLE_CHECKING (&cond->p, sizeof cond->p);
  impl = g_atomic_pointer_get (&cond->p);

  if (impl == NULL)
    {
      pthread_condattr_t attr;

      impl = malloc (sizeof (pthread_cond_t));
      if (impl == NULL)
        abort ();
      /* g_cond_wait_until() takes a monotonic time. */
      pthread_condattr_init (&attr);
      pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
      pthread_cond_init (impl, &attr);
      pthread_condattr_destroy (&attr);
      if (!g_atomic_pointer_compare_and_exchange (&cond->p, NULL, impl))
        {
          pthread_cond_destroy (impl);
          free (impl);
          impl = g_atomic_pointer_get (&cond->p);
        }
    }
  return impl;
}

void
g_mutex_init (GMutex *mutex)
{
  mutex->p = NULL;
  mutex_impl (mutex);
}

void
g_mutex_clear (GMutex *mutex)
{
  pthread_mutex_t *impl = mutex->p;

  if (impl != NULL)
    {
      pthread_mutex_destroy (impl);
      free (impl);
    }
  mutex->p = NULL;
}

void
g_mutex_lock (GMutex *mutex)
{
  pthread_mutex_lock (mutex_impl (mutex));
}

void
g_mutex_unlock (GMutex *mutex)
{
  pthread_mutex_unlock (mutex_impl (mutex));
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  return pthread_mutex_trylock (mutex_impl (mutex)) == 0;
}

void
g_cond_init (GCond *cond)
{
  cond->p = NULL;
  cond_impl (cond);
}

void
g_cond_clear (GCond *cond)
{
  pthread_cond_t *impl = cond->p;

  if (impl != NULL)
    {
      pthread_cond_destroy (impl);
      free (impl);
    }
  cond->p = NULL;
}

void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  pthread_cond_wait (cond_impl (cond), mutex_impl (mutex));
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  struct timespec until = {
    .tv_sec = end_time / G_USEC_PER_SEC,
    .tv_nsec = (end_time % G_USEC_PER_SEC) * 1000,
  };

  return pthread_cond_timedwait (cond_impl (cond), mutex_impl (mutex), &until) == 0;
}

void
g_cond_signal (GCond *cond)
{
  pthread_cond_signal (cond_impl (cond));
}

void
g_cond_broadcast (GCond *cond)
{
  pthread_cond_broadcast (cond_impl (cond));
}

/* The pool's function, called with what was pushed after the edge. */
typedef struct
{
  GFunc    func;
  gpointer user_data;
} PoolFunc;

static void
pool_func_cb (gpointer data,
              gpointer user_data)
{
  PoolFunc *pool_func = user_data;

  ANNOTATE_HAPPENS_AFTER (data);
  pool_func->func (data, pool_func->user_data);
  ANNOTATE_HAPPENS_BEFORE (pool_func);
}

GThreadPool *
g_thread_pool_new (GFunc     func,
                   gpointer  user_data,
                   gint      max_threads,
                   gboolean  exclusive,
                   GError  **error)
{
  /* Kept for the life of the process: a pool has no destroy notify. */
  PoolFunc *pool_func = malloc (sizeof (PoolFunc));

  if (pool_func == NULL)
    abort ();
  pool_func->func = func;
  pool_func->user_data = user_data;
  return real_thread_pool_new (pool_func_cb, pool_func, max_threads, exclusive, error);
}

gboolean
g_thread_pool_push (GThreadPool  *pool,
                    gpointer      data,
                    GError      **error)
{
  ANNOTATE_HAPPENS_BEFORE (data);
  return real_thread_pool_push (pool, data, error);
}

void
g_thread_pool_free (GThreadPool *pool,
                    gboolean     immediate,
                    gboolean     wait_)
{
  /* The pool's user data is the PoolFunc of g_thread_pool_new() above. */
  PoolFunc *pool_func = pool->user_data;

  real_thread_pool_free (pool, immediate, wait_);
  if (wait_)
    ANNOTATE_HAPPENS_AFTER (pool_func);
}
