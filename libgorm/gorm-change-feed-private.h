/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The change feed of a database (unit-of-work layer): writers publish the
 * rows they change, live query models subscribe to it, and what a
 * subscriber is given is committed only.
 *
 * A writer announces each write of rows of one type twice, with the
 * database lock held: before it runs, with the keys it will change (none
 * for an insert), and after it ran, with the keys it changed and whether
 * they were deleted. Between the two only that write runs. Each
 * subscriber of the type is called at both points (its before_locked and
 * after_locked functions, with the database lock held, in the writer's
 * thread) and turns the write into a record of its own: for a model, where
 * the rows were and are in its order. Those functions must read only
 * what does not change (a compiled query), never the subscriber's own
 * state, which belongs to the main context.
 *
 * Records follow the transaction depth the database reports with
 * gorm_change_feed_begin(), _commit(), _rollback() and _abandon(): a
 * rolled-back savepoint drops the records made since it began, a
 * rolled-back transaction drops them all, and only the outermost COMMIT
 * (or a write made outside any transaction) makes them committed.
 * Committed records are delivered to their subscriber's deliver function
 * in the feed's main context, from an idle source, never from inside a
 * call of the subscriber, and never while the main context's thread has a
 * transaction open (its end delivers). A subscriber that reads the
 * database in deliver takes the database lock, so it waits for a
 * transaction open in another thread, and sees the committed state its
 * records lead to plus what gorm_change_feed_dup_pending_locked() lists.
 *
 * Locks: the feed has its own mutex, taken inside the database lock and
 * never held while a subscriber's function runs. No function takes the
 * database lock.
 */
typedef struct _GormChangeFeed GormChangeFeed;
typedef struct _GormSubscription GormSubscription;

typedef struct
{
  /* Called with the database lock held before a write of @n_keys rows of
   * the subscription's type; returns what after_locked needs, or NULL. */
  gpointer (*before_locked) (gpointer      data,
                             const GValue *keys,
                             guint         n_keys);
  /* Called with the database lock held after the write; takes @note.
   * Returns the record of the write, or NULL when it changes nothing the
   * subscriber shows. */
  gpointer (*after_locked)  (gpointer      data,
                             gpointer      note,
                             const GValue *keys,
                             guint         n_keys,
                             gboolean      deleted);
  void     (*free_note)     (gpointer      note);
  /* Records are shared between the feed and gorm_change_feed_dup_pending_locked(). */
  gpointer (*ref_record)    (gpointer      record);
  void     (*unref_record)  (gpointer      record);
  /* Called in the main context with the committed records, in the order
   * of their writes, @reset when the subscriber must read everything
   * again (it subscribed inside a transaction that rolled back), and
   * @foreign when another connection committed to its table since the
   * last delivery (gorm_change_feed_publish_foreign()): the subscriber
   * then reads what it shows again, after the records. The array owns
   * its records. */
  void     (*deliver)       (GObject      *target,
                             GPtrArray    *records,
                             gboolean      reset,
                             gboolean      foreign);
} GormSubscriberFuncs;

GormChangeFeed   *gorm_change_feed_new            (GMainContext              *context);
/* Drops every subscription and pending record. */
void              gorm_change_feed_free           (GormChangeFeed            *self);

/* Subscribes @target (held weakly) to the writes of rows of @type, kept
 * in @table (for gorm_change_feed_publish_foreign()). @data
 * (taken, freed with @destroy once the subscription and every record of
 * it are gone) is what the locked functions read. Call with the database
 * lock held, so that no write is half announced. */
GormSubscription *gorm_change_feed_subscribe_locked (GormChangeFeed           *self,
                                                   GType                      type,
                                                   const char                *table,
                                                   GObject                   *target,
                                                   const GormSubscriberFuncs *funcs,
                                                   gpointer                   data,
                                                   GDestroyNotify             destroy);
/* Ends a subscription: nothing more is recorded or delivered for it. Any
 * thread, with or without the database lock. */
void              gorm_change_feed_unsubscribe    (GormChangeFeed            *self,
                                                   GormSubscription          *subscription);

/* Whether a delivery is scheduled and has not run yet: the main context
 * lets it run before the completions queued after it (see
 * gorm_worker_set_yield_func()). */
gboolean          gorm_change_feed_delivery_pending (GormChangeFeed          *self);

/* Whether a subscriber follows writes of @type. */
gboolean          gorm_change_feed_has_subscribers (GormChangeFeed           *self,
                                                    GType                     type);

/* The two announcements of a write, with the database lock held. */
void              gorm_change_feed_before_locked  (GormChangeFeed            *self,
                                                   GType                      type,
                                                   const GValue              *keys,
                                                   guint                      n_keys);
void              gorm_change_feed_after_locked   (GormChangeFeed            *self,
                                                   GType                      type,
                                                   const GValue              *keys,
                                                   guint                      n_keys,
                                                   gboolean                   deleted);

/* Another connection (another program, or another database object on
 * the same file) committed changes to @table, or to any table when
 * @table is NULL: each subscriber of that table is told so at the next
 * delivery, which is scheduled. Any thread, without the database lock. */
void              gorm_change_feed_publish_foreign (GormChangeFeed           *self,
                                                    const char               *table);

/* The transaction depth, as the database's engine answered: a BEGIN or
 * SAVEPOINT ran, a COMMIT or RELEASE ran, a ROLLBACK (TO) ran, or the
 * transaction is gone whatever its depth was (a failed COMMIT the engine
 * rolled back). */
void              gorm_change_feed_begin          (GormChangeFeed            *self);
/* A BEGIN or SAVEPOINT ran for @owner, the thread the transaction
 * belongs to (gorm_change_feed_begin() is for the calling thread). */
void              gorm_change_feed_begin_for      (GormChangeFeed            *self,
                                                   GThread                   *owner);
void              gorm_change_feed_commit         (GormChangeFeed            *self);
void              gorm_change_feed_rollback       (GormChangeFeed            *self);
void              gorm_change_feed_abandon        (GormChangeFeed            *self);
/* Whether a transaction is open and the calling thread began it. */
gboolean          gorm_change_feed_is_transaction_thread (GormChangeFeed     *self);

/* Runs @func (@data, NULL) once the open transaction commits, in the
 * committing thread, with the database lock held; at once when no
 * transaction is open. A rollback of the level it was queued at, or of an
 * enclosing one, drops it. @destroy frees @data either way. For what
 * must follow committed writes only, such as the live objects of a bulk
 * update. Call with the database lock held. */
void              gorm_change_feed_on_commit_locked (GormChangeFeed          *self,
                                                     GFunc                    func,
                                                     gpointer                 data,
                                                     GDestroyNotify           destroy);

/* Runs @func (@data, NULL) if the level of the open transaction it was
 * queued at is rolled back, or the transaction is abandoned (a failed
 * COMMIT), in the thread ending it with the database lock held; the
 * hooks of a rollback run last queued first. A RELEASE keeps it for the
 * enclosing level, the outermost COMMIT drops it. Outside a transaction
 * it is dropped at once. @destroy frees @data either way. For what a
 * write changed in memory that the rollback must change back, such as
 * the saved state of the objects it inserted. Call with the database
 * lock held. */
void              gorm_change_feed_on_rollback_locked (GormChangeFeed        *self,
                                                       GFunc                  func,
                                                       gpointer               data,
                                                       GDestroyNotify         destroy);

/* The records of @subscription not delivered yet, committed first, then
 * those of the open transaction, in the order of their writes, each with
 * a reference for the caller (free the array). For a subscriber that
 * reads the database between a write and its delivery (with the database
 * lock held, so that the list and the rows agree). @uncommitted is set to
 * whether some of them may still be rolled back. */
GPtrArray        *gorm_change_feed_dup_pending_locked (GormChangeFeed        *self,
                                                       GormSubscription      *subscription,
                                                       gboolean              *uncommitted);

G_END_DECLS
