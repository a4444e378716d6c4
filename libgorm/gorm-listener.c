/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libpq-fe.h>

#include "gorm-error.h"
#include "gorm-listener-private.h"

/* How often the counter is read while nothing changes, and while a
 * change was seen in the last BUSY_PERIOD: writers come in bursts. */
#define IDLE_INTERVAL_USEC  (50 * G_TIME_SPAN_MILLISECOND)
#define BUSY_INTERVAL_USEC  (10 * G_TIME_SPAN_MILLISECOND)
#define BUSY_PERIOD_USEC    (2 * G_TIME_SPAN_SECOND)
/* How long a listener whose server went away waits before it connects
 * again. */
#define RECONNECT_USEC      (500 * G_TIME_SPAN_MILLISECOND)

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

  /* Notifications (PostgreSQL): the channel, what the listener's own
   * connection is opened with (copied from the database's), the tables
   * whose trigger exists, and a pipe that wakes the thread's poll(). */
  char             *channel;
  char            **keywords;
  char            **values;
  GHashTable       *notifying;
  int               wake[2];
  /* The first connection, for the thread to take. */
  PGconn           *conn;
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
  self->notifying = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->wake[0] = self->wake[1] = -1;
  return self;
}

/* Wakes the notification thread's poll(); with the mutex held. */
static void
wake_up (GormListener *self)
{
  g_cond_signal (&self->cond);
  if (self->wake[1] >= 0)
    {
      char byte = 1;

      while (write (self->wake[1], &byte, 1) < 0 && errno == EINTR)
        ;
    }
}

void
gorm_listener_free (GormListener *self)
{
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  wake_up (self);
  g_mutex_unlock (&self->mutex);
  if (self->thread != NULL)
    g_thread_join (self->thread);
  for (guint i = 0; i < 2; i++)
    if (self->wake[i] >= 0)
      close (self->wake[i]);
  g_clear_pointer (&self->conn, PQfinish);
  g_strfreev (self->keywords);
  g_strfreev (self->values);
  g_free (self->channel);
  g_hash_table_unref (self->notifying);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->mutex);
  g_free (self);
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

/* The listener's own connection, LISTENing on the channel; NULL when
 * the server cannot be reached. */
static PGconn *
connect_listener (GormListener *self)
{
  PGconn *conn = PQconnectdbParams ((const char * const *) self->keywords,
                                    (const char * const *) self->values, FALSE);
  g_autofree char *escaped = NULL;
  g_autofree char *sql = NULL;
  PGresult *result;
  char *quoted;

  if (PQstatus (conn) != CONNECTION_OK)
    {
      PQfinish (conn);
      return NULL;
    }
  quoted = PQescapeIdentifier (conn, self->channel, strlen (self->channel));
  sql = g_strconcat ("LISTEN ", quoted, NULL);
  PQfreemem (quoted);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK || PQsetnonblocking (conn, TRUE) != 0)
    {
      PQclear (result);
      PQfinish (conn);
      return NULL;
    }
  PQclear (result);
  return conn;
}

/* Reads what the server sent: the tables other connections' commits
 * changed, in @tables; FALSE when the connection broke. */
static gboolean
read_notifications (GormListener *self,
                    PGconn       *conn,
                    GHashTable   *tables)
{
  gint own = gorm_connection_get_backend_id (self->connection);
  PGnotify *notify;

  if (!PQconsumeInput (conn))
    return FALSE;
  while ((notify = PQnotifies (conn)) != NULL)
    {
      /* The database's own commits reach its models through the change
       * feed already. */
      if (notify->be_pid != own)
        g_hash_table_add (tables, g_strdup (notify->extra));
      PQfreemem (notify);
    }
  return PQstatus (conn) == CONNECTION_OK;
}

static gpointer
notify_thread (gpointer data)
{
  GormListener *self = data;
  PGconn *conn;

  g_mutex_lock (&self->mutex);
  conn = g_steal_pointer (&self->conn);
  while (!self->stopping)
    {
      g_autoptr(GHashTable) tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      struct pollfd fds[2];
      gboolean reconnected = FALSE;
      GHashTableIter iter;
      gpointer table;
      char drain[64];

      g_mutex_unlock (&self->mutex);
      if (conn == NULL)
        {
          conn = connect_listener (self);
          reconnected = conn != NULL;
        }
      if (conn == NULL)
        {
          /* The server is away: try again later, or at the end. */
          g_mutex_lock (&self->mutex);
          if (!self->stopping)
            g_cond_wait_until (&self->cond, &self->mutex, g_get_monotonic_time () + RECONNECT_USEC);
          continue;
        }
      /* What was committed while the server was away, or since the
       * connection broke, sent nothing here: every model reads again. */

      /* With nobody following, notifications are read and dropped: the
       * connection stays, so that the next model misses nothing. */
      fds[0] = (struct pollfd) { PQsocket (conn), POLLIN, 0 };
      fds[1] = (struct pollfd) { self->wake[0], POLLIN, 0 };
      if (!reconnected && poll (fds, 2, -1) < 0 && errno != EINTR)
        g_clear_pointer (&conn, PQfinish);
      if (fds[1].revents & POLLIN)
        while (read (self->wake[0], drain, sizeof drain) > 0)
          ;
      if (conn != NULL && (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) &&
          !read_notifications (self, conn, tables))
        {
          /* The connection is lost (a server restart): what it missed is
           * read again once it is back. */
          g_clear_pointer (&conn, PQfinish);
        }

      g_mutex_lock (&self->mutex);
      if (self->n_users == 0 || self->stopping)
        continue;
      g_mutex_unlock (&self->mutex);
      if (reconnected)
        self->func (NULL, self->data);
      g_hash_table_iter_init (&iter, tables);
      while (!reconnected && g_hash_table_iter_next (&iter, &table, NULL))
        self->func (table, self->data);
      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);
  g_clear_pointer (&conn, PQfinish);
  return NULL;
}

/* Starts the notification thread, with the connection lock and the
 * mutex held. */
static gboolean
start_notifications_locked (GormListener  *self,
                            GError       **error)
{
  const GormDialect *dialect = gorm_connection_get_dialect (self->connection);
  g_autoptr(GError) local_error = NULL;

  if (self->thread != NULL)
    return TRUE;

  if (self->keywords == NULL &&
      !gorm_connection_dup_conninfo_locked (self->connection, &self->keywords, &self->values))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "The connection has no server connection to listen with");
      return FALSE;
    }
  if (self->wake[0] < 0 &&
      (!g_unix_open_pipe (self->wake, FD_CLOEXEC, &local_error) ||
       !g_unix_set_fd_nonblocking (self->wake[0], TRUE, &local_error)))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "Cannot listen to the server: %s", local_error->message);
      return FALSE;
    }
  if (self->channel == NULL)
    self->channel = g_strdup (dialect->notify_channel);
  /* LISTENing before the first model reads its rows: nothing committed
   * after that read is missed. */
  self->conn = connect_listener (self);
  if (self->conn == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION,
                   "Cannot open a connection to listen to the server");
      return FALSE;
    }
  self->thread = g_thread_new ("gorm-listener", notify_thread, self);
  return TRUE;
}

gboolean
gorm_listener_add_user_locked (GormListener  *self,
                               const char    *table,
                               GError       **error)
{
  const GormDialect *dialect = gorm_connection_get_dialect (self->connection);
  gboolean ok = TRUE;
  gint64 counter;

  if (!gorm_connection_check_locked (self->connection, table, error))
    return FALSE;

  if (dialect->notify_channel != NULL)
    {
      /* The set of notifying tables is touched with the connection lock
       * held only. */
      if (!g_hash_table_contains (self->notifying, table))
        {
          if (!gorm_connection_ensure_notify_locked (self->connection, table, error))
            return FALSE;
          g_hash_table_add (self->notifying, g_strdup (table));
        }
      g_mutex_lock (&self->mutex);
      ok = start_notifications_locked (self, error);
      if (ok)
        self->n_users++;
      wake_up (self);
      g_mutex_unlock (&self->mutex);
      return ok;
    }

  /* The connection lock is held: nothing of this connection runs, and
   * the counter read now is the base of what the caller reads next. */
  if (!gorm_connection_read_change_counter_locked (self->connection, &counter))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "%s tells of no other connection's commits", dialect->name);
      return FALSE;
    }
  g_mutex_lock (&self->mutex);
  if (self->n_users == 0)
    {
      self->counter = counter;
      self->have_counter = TRUE;
    }
  self->n_users++;
  if (self->thread == NULL)
    self->thread = g_thread_new ("gorm-listener", listen_thread, self);
  wake_up (self);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

void
gorm_listener_remove_user (GormListener *self)
{
  g_mutex_lock (&self->mutex);
  g_assert (self->n_users > 0);
  self->n_users--;
  wake_up (self);
  g_mutex_unlock (&self->mutex);
}
