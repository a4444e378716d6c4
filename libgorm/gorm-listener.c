/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-listener-private.h"

/* How often the counter is read while nothing changes, and while a
 * change was seen in the last BUSY_PERIOD: writers come in bursts. */
#define IDLE_INTERVAL_USEC  (50 * G_TIME_SPAN_MILLISECOND)
#define BUSY_INTERVAL_USEC  (10 * G_TIME_SPAN_MILLISECOND)
#define BUSY_PERIOD_USEC    (2 * G_TIME_SPAN_SECOND)

struct _GormListener
{
  GormConnection   *connection;
  GormListenerFunc  func;
  gpointer          data;

  GMutex            mutex;
  GCond             cond;
  GThread          *thread;
  gboolean          stopping;
  guint             n_users;
  /* The last counter read, valid when have_counter. */
  gint64            counter;
  gboolean          have_counter;
  /* Until when the counter is read every BUSY_INTERVAL_USEC. */
  gint64            busy_until;
};

GormListener *
gorm_listener_new (GormConnection   *connection,
                   GormListenerFunc  func,
                   gpointer          data)
{
  GormListener *self = g_new0 (GormListener, 1);

  self->connection = connection;
  self->func = func;
  self->data = data;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  return self;
}

void
gorm_listener_free (GormListener *self)
{
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  if (self->thread != NULL)
    g_thread_join (self->thread);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

gboolean
gorm_listener_is_supported_locked (GormListener *self)
{
  gint64 counter;

  return gorm_connection_read_change_counter_locked (self->connection, &counter);
}

/* Reads the counter when the connection is free: TRUE when it changed
 * since the last read. */
static gboolean
check_counter (GormListener *self)
{
  gboolean changed = FALSE;
  gint64 counter;

  if (!gorm_connection_try_lock (self->connection))
    return FALSE;
  if (gorm_connection_read_change_counter_locked (self->connection, &counter))
    {
      g_mutex_lock (&self->mutex);
      changed = self->have_counter && counter != self->counter;
      self->counter = counter;
      self->have_counter = TRUE;
      g_mutex_unlock (&self->mutex);
    }
  gorm_connection_unlock (self->connection);
  return changed;
}

static gpointer
listen_thread (gpointer data)
{
  GormListener *self = data;

  g_mutex_lock (&self->mutex);
  while (!self->stopping)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 interval = now < self->busy_until ? BUSY_INTERVAL_USEC : IDLE_INTERVAL_USEC;

      /* Nobody follows: sleep until a user comes or the end. */
      if (self->n_users == 0)
        {
          g_cond_wait (&self->cond, &self->mutex);
          continue;
        }
      /* Woken before the time: a user left or came, or the end. */
      if (g_cond_wait_until (&self->cond, &self->mutex, now + interval))
        continue;
      if (self->stopping || self->n_users == 0)
        continue;

      g_mutex_unlock (&self->mutex);
      if (check_counter (self))
        {
          self->func (NULL, self->data);
          g_mutex_lock (&self->mutex);
          self->busy_until = g_get_monotonic_time () + BUSY_PERIOD_USEC;
          continue;
        }
      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

void
gorm_listener_add_user_locked (GormListener *self)
{
  gint64 counter;
  gboolean have = FALSE;

  g_mutex_lock (&self->mutex);
  if (self->n_users == 0)
    {
      g_mutex_unlock (&self->mutex);
      /* The connection lock is held: nothing of this connection runs,
       * and the counter read now is the base of what the caller reads. */
      have = gorm_connection_read_change_counter_locked (self->connection, &counter);
      g_mutex_lock (&self->mutex);
      if (self->n_users == 0)
        {
          self->counter = counter;
          self->have_counter = have;
        }
    }
  self->n_users++;
  if (self->thread == NULL)
    self->thread = g_thread_new ("gorm-listener", listen_thread, self);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
}

void
gorm_listener_remove_user (GormListener *self)
{
  g_mutex_lock (&self->mutex);
  g_assert (self->n_users > 0);
  self->n_users--;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
}
