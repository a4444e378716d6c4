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
 *   database's connection every IDLE_INTERVAL, more often for a while
 *   after a change, and only while the listener has users: with no live
 *   model the thread sleeps on a condition and costs nothing. It never
 *   waits for the connection: when another thread holds the lock or has
 *   a transaction open, it tries again at the next tick.
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
/* Stops the thread and waits for it: call without the connection lock
 * and with no lock @func takes. */
void          gorm_listener_free            (GormListener     *self);

/* Whether the connection's engine can tell of other connections'
 * commits. With the connection lock held. */
gboolean      gorm_listener_is_supported_locked (GormListener *self);

/* A live model starts following other connections' writes. With the
 * connection lock held: the first user reads the counter then, so that
 * nothing committed after what the caller reads next is missed. */
void          gorm_listener_add_user_locked (GormListener     *self);
/* Any thread, with or without the connection lock. */
void          gorm_listener_remove_user     (GormListener     *self);

G_END_DECLS
