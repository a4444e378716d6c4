/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

#include "gorm-connection-private.h"

G_BEGIN_DECLS

/*
 * The change listener of a database (execution layer): a thread of its
 * own that learns when another connection, in this process or another
 * one, commits to the database, and tells its owner, so that live models
 * follow other programs' writes.
 *
 * - Where the dialect has a change counter (SQLite's `PRAGMA
 *   data_version`, which changes when another connection commits and
 *   never for this connection's own commits), the thread reads it on the
 *   database's connection when an inotify watch of the directory of the
 *   database's file sees one of its files change, then every 10 ms for
 *   2 s (the event may precede the commit's visibility), and every 5 s in
 *   case the watch missed one; every 50 ms where there is no watch. Only
 *   while the listener has users: with no live model the thread sleeps
 *   on a condition. It never waits for the connection: when another
 *   thread holds the lock or has a transaction open, it tries again at
 *   the next tick.
 *
 * - Where the engine notifies (PostgreSQL's LISTEN/NOTIFY), a statement
 *   trigger on each followed table calls pg_notify() with the table's
 *   name, in the writing transaction, for every program's writes; the
 *   thread holds a libpq connection of its own, LISTENing, and sleeps in
 *   poll() on its socket and on a pipe that wakes it when users come or
 *   go. Notifications of the database's own connection are ignored: its
 *   writes reach the change feed directly. A lost connection (a server
 *   restart) is opened again, and every model then reads again.
 *
 * The owner's function is called in the listener's thread, with no lock
 * held, with the name of the table that changed, or NULL when the
 * listener cannot tell which.
 *
 * Locks: the listener has its own mutex, taken inside the connection
 * lock (gorm_listener_add_user_locked()) and never held while the
 * owner's function runs or while the connection is used. The thread
 * takes the connection lock only with gorm_connection_try_lock().
 */
typedef struct _GormListener GormListener;

typedef void (*GormListenerFunc) (const char *table,
                                  gpointer    data);

/* A listener on @connection; its thread starts with its first user.
 * @func and @data must stay valid until gorm_listener_free(). */
GormListener *gorm_listener_new             (GormConnection   *connection,
                                             GormListenerFunc  func,
                                             gpointer          data);
/* Stops the thread and waits for it (a closed database listens no
 * more; users may still be removed): call without the connection lock
 * and with no lock @func takes. */
void          gorm_listener_stop            (GormListener     *self);
/* Stops it and frees it. */
void          gorm_listener_free            (GormListener     *self);

/* A live model of @table starts following other connections' writes.
 * With the connection lock held: the first user of a change counter
 * reads it then, so that nothing committed after what the caller reads
 * next is missed; on an engine that notifies, the table's notifying
 * trigger is created if missing (once), and the listener's connection,
 * once it LISTENs, tells of every table (what was committed before it
 * listened is read again). FALSE with @error set when the engine
 * cannot tell (nothing to undo then). */
gboolean      gorm_listener_add_user_locked (GormListener     *self,
                                             const char       *table,
                                             GError          **error);
/* Where the engine has a change counter, and live models follow: tells
 * the owner at once, in the calling thread, of a commit of another
 * connection the listener has not seen yet. The database calls it
 * around its own writes, so that a model is told of such a commit no
 * later than of a write whose positions count its rows. With the
 * connection lock held; TRUE when the owner was told. */
gboolean      gorm_listener_check_locked    (GormListener     *self);
/* Any thread, with or without the connection lock. */
void          gorm_listener_remove_user     (GormListener     *self);

G_END_DECLS
