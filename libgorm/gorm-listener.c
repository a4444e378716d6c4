/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libpq-fe.h>

#include "gorm-error.h"
#include "gorm-listener-private.h"

/* How often the counter is read without a directory watch, and after a
 * file event or a change, for BUSY_PERIOD: writers come in bursts. */
#define IDLE_INTERVAL_USEC  (50 * G_TIME_SPAN_MILLISECOND)
#define BUSY_INTERVAL_USEC  (10 * G_TIME_SPAN_MILLISECOND)
#define BUSY_PERIOD_USEC    (2 * G_TIME_SPAN_SECOND)
/* How often it is read, past the busy period, when a directory watch
 * tells of the database's file changes: only in case the watch missed
 * one (a file system without inotify events). */
#define SAFETY_INTERVAL_USEC (5 * G_TIME_SPAN_SECOND)
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

  /* Change counter: an inotify watch of the database file's directory,
   * or -1, and the file's name. */
  int               inotify;
  char             *file_name;
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
  self->inotify = -1;
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
gorm_listener_stop (GormListener *self)
{
  GThread *thread;

  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  wake_up (self);
  thread = g_steal_pointer (&self->thread);
  g_mutex_unlock (&self->mutex);
  if (thread != NULL)
    g_thread_join (thread);
}

void
gorm_listener_free (GormListener *self)
{
  gorm_listener_stop (self);
  for (guint i = 0; i < 2; i++)
    if (self->wake[i] >= 0)
      close (self->wake[i]);
  if (self->inotify >= 0)
    close (self->inotify);
  g_free (self->file_name);
  g_clear_pointer (&self->conn, PQfinish);
  g_strfreev (self->keywords);
  g_strfreev (self->values);
  g_free (self->channel);
  g_hash_table_unref (self->notifying);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* Reads the counter, with the connection lock held: TRUE when it
 * changed since the last read. */
static gboolean
check_counter_locked (GormListener *self)
{
  gboolean changed = FALSE;
  gint64 counter;

  if (gorm_connection_read_change_counter_locked (self->connection, &counter))
    {
      g_mutex_lock (&self->mutex);
      changed = self->have_counter && counter != self->counter;
      self->counter = counter;
      self->have_counter = TRUE;
      g_mutex_unlock (&self->mutex);
    }
  return changed;
}

gboolean
gorm_listener_check_locked (GormListener *self)
{
  const GormDialect *dialect = gorm_connection_get_dialect (self->connection);
  gboolean following;

  g_mutex_lock (&self->mutex);
  following = self->n_users > 0 && !self->stopping;
  g_mutex_unlock (&self->mutex);
  if (!following || dialect == NULL || dialect->change_counter_sql == NULL ||
      !check_counter_locked (self))
    return FALSE;
  self->func (NULL, self->data);
  return TRUE;
}

/* Reads the counter when the connection is free. */
static gboolean
check_counter (GormListener *self)
{
  gboolean changed;

  if (!gorm_connection_try_lock (self->connection))
    return FALSE;
  changed = check_counter_locked (self);
  gorm_connection_unlock (self->connection);
  return changed;
}

/* Whether the directory watch reported a change to the database's
 * files (the database, its -wal, -shm or -journal); drains it. */
static gboolean
read_file_events (GormListener *self)
{
  char buffer[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  gboolean touched = FALSE;
  ssize_t length;

  while ((length = read (self->inotify, buffer, sizeof buffer)) > 0)
    for (char *at = buffer; at < buffer + length;)
      {
        const struct inotify_event *event = (const struct inotify_event *) at;

        /* An overflowed queue lost events: check anyway. */
        if ((event->mask & IN_Q_OVERFLOW) ||
            (event->len > 0 && g_str_has_prefix (event->name, self->file_name)))
          touched = TRUE;
        at += sizeof (struct inotify_event) + event->len;
      }
  return touched;
}

static gpointer
listen_thread (gpointer data)
{
  GormListener *self = data;

  g_mutex_lock (&self->mutex);
  while (!self->stopping)
    {
      gint64 now = g_get_monotonic_time ();
      gboolean busy = now < self->busy_until;
      struct pollfd fds[2];
      gboolean check;
      char drain[64];
      int timeout;

      /* Nobody follows: sleep until a user comes or the end. */
      if (self->n_users == 0)
        {
          g_cond_wait (&self->cond, &self->mutex);
          continue;
        }
      g_mutex_unlock (&self->mutex);

      /* A commit writes the database's files: the directory watch wakes
       * the thread, which reads the counter then and every
       * BUSY_INTERVAL_USEC for BUSY_PERIOD_USEC (the event may come
       * before the commit is visible). Without a watch, or past the busy
       * period, it reads the counter every IDLE_INTERVAL_USEC. */
      if (busy)
        timeout = BUSY_INTERVAL_USEC / 1000;
      else
        timeout = (self->inotify >= 0 ? SAFETY_INTERVAL_USEC : IDLE_INTERVAL_USEC) / 1000;
      fds[0] = (struct pollfd) { self->wake[0], POLLIN, 0 };
      fds[1] = (struct pollfd) { self->inotify, POLLIN, 0 };
      check = poll (fds, self->inotify >= 0 ? 2 : 1, timeout) == 0;
      if (fds[0].revents & POLLIN)
        while (read (self->wake[0], drain, sizeof drain) > 0)
          ;
      if (self->inotify >= 0 && (fds[1].revents & POLLIN) && read_file_events (self))
        {
          check = TRUE;
          busy = TRUE;
        }

      g_mutex_lock (&self->mutex);
      if (busy && self->busy_until < g_get_monotonic_time ())
        self->busy_until = g_get_monotonic_time () + BUSY_PERIOD_USEC;
      if (!check || self->stopping || self->n_users == 0)
        continue;
      g_mutex_unlock (&self->mutex);
      if (check_counter (self))
        self->func (NULL, self->data);
      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/* Opens the wake-up pipe, once. */
static gboolean
open_wake_pipe (GormListener  *self,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->wake[0] >= 0)
    return TRUE;
  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, &local_error) ||
      !g_unix_set_fd_nonblocking (self->wake[0], TRUE, &local_error))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                   "Cannot listen to the database: %s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Watches the directory of the database's file, when it has one. */
static void
watch_file_locked (GormListener *self)
{
  g_autofree char *path = gorm_connection_dup_file_locked (self->connection);
  g_autofree char *dir = NULL;

  if (path == NULL || path[0] == '\0')
    return;
  self->inotify = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (self->inotify < 0)
    return;
  dir = g_path_get_dirname (path);
  self->file_name = g_path_get_basename (path);
  if (inotify_add_watch (self->inotify, dir,
                         IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO) < 0)
    {
      close (self->inotify);
      self->inotify = -1;
    }
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
  if (!open_wake_pipe (self, error))
    return FALSE;
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
  g_mutex_lock (&self->mutex);
  if (self->stopping)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error (error, GORM_ERROR, GORM_ERROR_CONNECTION, "The listener of “%s” is stopped", table);
      return FALSE;
    }
  g_mutex_unlock (&self->mutex);

  if (dialect->notify_channel != NULL)
    {
      /* The set of notifying tables is touched with the connection lock
       * held only. */
      if (!g_hash_table_contains (self->notifying, table))
        {
          if (!gorm_connection_ensure_notify_locked (self->connection, table, error))
            return FALSE;
          /* A trigger created inside a transaction goes if it rolls
           * back: checked again next time. */
          if (gorm_connection_get_depth (self->connection) == 0)
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
  if (self->thread == NULL)
    {
      if (!open_wake_pipe (self, error))
        {
          g_mutex_unlock (&self->mutex);
          return FALSE;
        }
      watch_file_locked (self);
      self->thread = g_thread_new ("gorm-listener", listen_thread, self);
    }
  self->n_users++;
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
