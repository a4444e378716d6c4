/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-change-feed-private.h"

struct _GormSubscription
{
  gint                       ref_count;
  GType                      type;
  GWeakRef                   target;
  const GormSubscriberFuncs *funcs;
  gpointer                   data;
  GDestroyNotify             destroy;

  /* Under the feed's mutex. */
  gboolean                   active;
  /* The committed records not delivered yet. */
  GPtrArray                 *committed;
  /* Subscribed inside the open transaction: reset if it rolls back. */
  gboolean                   in_transaction;
  gboolean                   reset;
  /* Another connection committed to the table since the last delivery. */
  gboolean                   foreign;
  char                      *table;
  /* The note of the write being announced. */
  gpointer                   note;
};

/* What the open transaction left for its COMMIT: a subscriber's record,
 * or, without a subscription, a hook of gorm_change_feed_on_commit_locked(). */
typedef struct
{
  GFunc          func;
  gpointer       data;
  GDestroyNotify destroy;
  /* A hook of gorm_change_feed_on_rollback_locked(): run when its level
   * rolls back, dropped at the outermost COMMIT. */
  gboolean       undo;
} Hook;

typedef struct
{
  GormSubscription *subscription;
  gpointer          record;
} Entry;

static Hook *
hook_new (GFunc          func,
          gpointer       data,
          GDestroyNotify destroy,
          gboolean       undo)
{
  Hook *hook = g_new0 (Hook, 1);

  hook->func = func;
  hook->data = data;
  hook->destroy = destroy;
  hook->undo = undo;
  return hook;
}

static void
hook_free (Hook *hook)
{
  if (hook->destroy != NULL)
    hook->destroy (hook->data);
  g_free (hook);
}

static void
hook_run (Hook *hook)
{
  hook->func (hook->data, NULL);
  hook_free (hook);
}

struct _GormChangeFeed
{
  gint          ref_count;
  GMainContext *context;

  GMutex        mutex;
  GPtrArray    *subscriptions;
  /* The records of the open transaction, in the order of their writes,
   * and where each open level (transaction, savepoints) starts in it. */
  GArray       *entries;      /* of Entry */
  GArray       *levels;       /* of guint */
  /* The thread that began the open transaction. */
  GThread      *thread;
  GSource      *source;
};

static GormSubscription *
subscription_ref (GormSubscription *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

static void
subscription_unref (GormSubscription *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  /* Unsubscribed between the two announcements of a write. */
  if (self->note != NULL)
    self->funcs->free_note (self->note);
  g_ptr_array_unref (self->committed);
  g_weak_ref_clear (&self->target);
  g_free (self->table);
  if (self->destroy != NULL)
    self->destroy (self->data);
  g_free (self);
}

static GormChangeFeed *
feed_ref (GormChangeFeed *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

static void
feed_unref (GormChangeFeed *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_ptr_array_unref (self->subscriptions);
  g_array_unref (self->entries);
  g_array_unref (self->levels);
  g_mutex_clear (&self->mutex);
  g_main_context_unref (self->context);
  g_free (self);
}

static void
entry_clear (Entry *entry)
{
  if (entry->subscription == NULL)
    {
      if (entry->record != NULL)
        hook_free (entry->record);
      return;
    }
  entry->subscription->funcs->unref_record (entry->record);
  subscription_unref (entry->subscription);
}

GormChangeFeed *
gorm_change_feed_new (GMainContext *context)
{
  GormChangeFeed *self = g_new0 (GormChangeFeed, 1);

  self->ref_count = 1;
  self->context = g_main_context_ref (context);
  g_mutex_init (&self->mutex);
  self->subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_unref);
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (self->entries, (GDestroyNotify) entry_clear);
  self->levels = g_array_new (FALSE, FALSE, sizeof (guint));
  return self;
}

static void
drop_committed (GormSubscription *subscription)
{
  for (guint i = 0; i < subscription->committed->len; i++)
    subscription->funcs->unref_record (g_ptr_array_index (subscription->committed, i));
  g_ptr_array_set_size (subscription->committed, 0);
}

void
gorm_change_feed_free (GormChangeFeed *self)
{
  g_autoptr(GPtrArray) subscriptions = NULL;

  g_mutex_lock (&self->mutex);
  subscriptions = g_steal_pointer (&self->subscriptions);
  self->subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_unref);
  for (guint i = 0; i < subscriptions->len; i++)
    {
      GormSubscription *subscription = g_ptr_array_index (subscriptions, i);

      subscription->active = FALSE;
      drop_committed (subscription);
    }
  g_array_set_size (self->entries, 0);
  g_array_set_size (self->levels, 0);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_mutex_unlock (&self->mutex);

  feed_unref (self);
}

GormSubscription *
gorm_change_feed_subscribe_locked (GormChangeFeed            *self,
                                   GType                      type,
                                   const char                *table,
                                   GObject                   *target,
                                   const GormSubscriberFuncs *funcs,
                                   gpointer                   data,
                                   GDestroyNotify             destroy)
{
  GormSubscription *subscription = g_new0 (GormSubscription, 1);

  subscription->ref_count = 1;
  subscription->type = type;
  subscription->table = g_strdup (table);
  g_weak_ref_init (&subscription->target, target);
  subscription->funcs = funcs;
  subscription->data = data;
  subscription->destroy = destroy;
  subscription->active = TRUE;
  subscription->committed = g_ptr_array_new ();

  g_mutex_lock (&self->mutex);
  subscription->in_transaction = self->levels->len > 0;
  g_ptr_array_add (self->subscriptions, subscription_ref (subscription));
  g_mutex_unlock (&self->mutex);

  /* The caller's reference. */
  return subscription;
}

void
gorm_change_feed_unsubscribe (GormChangeFeed   *self,
                              GormSubscription *subscription)
{
  g_mutex_lock (&self->mutex);
  if (subscription->active)
    {
      subscription->active = FALSE;
      drop_committed (subscription);
      g_ptr_array_remove_fast (self->subscriptions, subscription);
    }
  g_mutex_unlock (&self->mutex);
  subscription_unref (subscription);
}

gboolean
gorm_change_feed_has_subscribers (GormChangeFeed *self,
                                  GType           type)
{
  gboolean found = FALSE;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; !found && i < self->subscriptions->len; i++)
    found = ((GormSubscription *) g_ptr_array_index (self->subscriptions, i))->type == type;
  g_mutex_unlock (&self->mutex);
  return found;
}

/* The active subscriptions of @type, each with a reference. */
static GPtrArray *
subscriptions_of (GormChangeFeed *self,
                  GType           type)
{
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_unref);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      GormSubscription *subscription = g_ptr_array_index (self->subscriptions, i);

      if (subscription->type == type)
        g_ptr_array_add (found, subscription_ref (subscription));
    }
  g_mutex_unlock (&self->mutex);
  return found;
}

void
gorm_change_feed_before_locked (GormChangeFeed *self,
                                GType           type,
                                const GValue   *keys,
                                guint           n_keys)
{
  g_autoptr(GPtrArray) subscriptions = subscriptions_of (self, type);

  /* The note is written and read by the writer, which holds the database
   * lock from before_locked to after_locked. */
  for (guint i = 0; i < subscriptions->len; i++)
    {
      GormSubscription *subscription = g_ptr_array_index (subscriptions, i);

      if (subscription->note != NULL)
        subscription->funcs->free_note (subscription->note);
      subscription->note = subscription->funcs->before_locked (subscription->data, keys, n_keys);
    }
}

static gboolean deliver_cb (gpointer data);

gboolean
gorm_change_feed_delivery_pending (GormChangeFeed *self)
{
  gboolean pending;

  g_mutex_lock (&self->mutex);
  pending = self->source != NULL;
  g_mutex_unlock (&self->mutex);
  return pending;
}

/* With the mutex held: delivers the committed records from an idle
 * source, unless one is pending already. */
static void
schedule_delivery (GormChangeFeed *self)
{
  if (self->source != NULL)
    return;
  self->source = g_idle_source_new ();
  /* Before the worker's actions (G_PRIORITY_DEFAULT): the commit that
   * schedules this comes before the completion of the call that made it,
   * so a callback sees its changes in live models. */
  g_source_set_priority (self->source, G_PRIORITY_DEFAULT - 10);
  g_source_set_static_name (self->source, "[gorm] change feed");
  g_source_set_callback (self->source, deliver_cb, feed_ref (self), (GDestroyNotify) feed_unref);
  g_source_attach (self->source, self->context);
}

static gboolean
has_committed (GormChangeFeed *self)
{
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      GormSubscription *subscription = g_ptr_array_index (self->subscriptions, i);

      if (subscription->committed->len > 0 || subscription->reset || subscription->foreign)
        return TRUE;
    }
  return FALSE;
}

void
gorm_change_feed_after_locked (GormChangeFeed *self,
                               GType           type,
                               const GValue   *keys,
                               guint           n_keys,
                               gboolean        deleted)
{
  g_autoptr(GPtrArray) subscriptions = subscriptions_of (self, type);

  for (guint i = 0; i < subscriptions->len; i++)
    {
      GormSubscription *subscription = g_ptr_array_index (subscriptions, i);
      gpointer record;

      record = subscription->funcs->after_locked (subscription->data,
                                                  g_steal_pointer (&subscription->note),
                                                  keys, n_keys, deleted);
      if (record == NULL)
        continue;

      g_mutex_lock (&self->mutex);
      if (!subscription->active)
        subscription->funcs->unref_record (record);
      else if (self->levels->len > 0)
        {
          Entry entry = { subscription_ref (subscription), record };

          g_array_append_val (self->entries, entry);
        }
      else
        {
          g_ptr_array_add (subscription->committed, record);
          schedule_delivery (self);
        }
      g_mutex_unlock (&self->mutex);
    }
}

void
gorm_change_feed_publish_foreign (GormChangeFeed *self,
                                  const char     *table)
{
  gboolean any = FALSE;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      GormSubscription *subscription = g_ptr_array_index (self->subscriptions, i);

      if (table == NULL || g_strcmp0 (table, subscription->table) == 0)
        {
          subscription->foreign = TRUE;
          any = TRUE;
        }
    }
  /* A transaction this thread has open delivers at its end; one of
   * another thread delays the subscriber's read, not the delivery. */
  if (any)
    schedule_delivery (self);
  g_mutex_unlock (&self->mutex);
}

void
gorm_change_feed_begin (GormChangeFeed *self)
{
  gorm_change_feed_begin_for (self, g_thread_self ());
}

void
gorm_change_feed_begin_for (GormChangeFeed *self,
                            GThread        *owner)
{
  g_mutex_lock (&self->mutex);
  if (self->levels->len == 0)
    self->thread = owner;
  g_array_append_val (self->levels, self->entries->len);
  g_mutex_unlock (&self->mutex);
}

/* With the mutex held: the transaction is over, committed or not. */
static void
end_transaction (GormChangeFeed *self,
                 gboolean        committed)
{
  self->thread = NULL;
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      GormSubscription *subscription = g_ptr_array_index (self->subscriptions, i);

      if (subscription->in_transaction && !committed)
        subscription->reset = TRUE;
      subscription->in_transaction = FALSE;
    }
  if (has_committed (self))
    schedule_delivery (self);
}

void
gorm_change_feed_commit (GormChangeFeed *self)
{
  g_autoptr(GPtrArray) hooks = NULL;

  g_mutex_lock (&self->mutex);
  if (self->levels->len == 0)
    {
      g_mutex_unlock (&self->mutex);
      return;
    }
  g_array_set_size (self->levels, self->levels->len - 1);
  if (self->levels->len == 0)
    {
      /* The outermost COMMIT: the records are the subscribers' now, and
       * the hooks run, once the mutex is let go. */
      hooks = g_ptr_array_new ();
      for (guint i = 0; i < self->entries->len; i++)
        {
          Entry *entry = &g_array_index (self->entries, Entry, i);

          if (entry->subscription == NULL)
            {
              if (!((Hook *) entry->record)->undo)
                g_ptr_array_add (hooks, g_steal_pointer (&entry->record));
            }
          else if (entry->subscription->active)
            g_ptr_array_add (entry->subscription->committed,
                             entry->subscription->funcs->ref_record (entry->record));
        }
      g_array_set_size (self->entries, 0);
      end_transaction (self, TRUE);
    }
  g_mutex_unlock (&self->mutex);

  if (hooks != NULL)
    for (guint i = 0; i < hooks->len; i++)
      hook_run (g_ptr_array_index (hooks, i));
}

/* Queues @hook at the open level; returns FALSE when no transaction is
 * open. */
static gboolean
queue_hook (GormChangeFeed *self,
            Hook           *hook)
{
  gboolean queued = FALSE;

  g_mutex_lock (&self->mutex);
  if (self->levels->len > 0)
    {
      Entry entry = { NULL, hook };

      g_array_append_val (self->entries, entry);
      queued = TRUE;
    }
  g_mutex_unlock (&self->mutex);
  return queued;
}

void
gorm_change_feed_on_commit_locked (GormChangeFeed *self,
                                   GFunc           func,
                                   gpointer        data,
                                   GDestroyNotify  destroy)
{
  Hook *hook = hook_new (func, data, destroy, FALSE);

  if (!queue_hook (self, hook))
    hook_run (hook);
}

void
gorm_change_feed_on_rollback_locked (GormChangeFeed *self,
                                     GFunc           func,
                                     gpointer        data,
                                     GDestroyNotify  destroy)
{
  Hook *hook = hook_new (func, data, destroy, TRUE);

  if (!queue_hook (self, hook))
    hook_free (hook);
}

/* With the mutex held: takes the undo hooks of the entries from @start
 * on out of them, last first, the order they must run in. */
static GPtrArray *
steal_undo_hooks (GormChangeFeed *self,
                  guint           start)
{
  GPtrArray *hooks = g_ptr_array_new ();

  for (guint i = self->entries->len; i > start; i--)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i - 1);

      if (entry->subscription == NULL && entry->record != NULL && ((Hook *) entry->record)->undo)
        g_ptr_array_add (hooks, g_steal_pointer (&entry->record));
    }
  return hooks;
}

static void
run_hooks (GPtrArray *hooks)
{
  for (guint i = 0; i < hooks->len; i++)
    hook_run (g_ptr_array_index (hooks, i));
  g_ptr_array_unref (hooks);
}

void
gorm_change_feed_rollback (GormChangeFeed *self)
{
  GPtrArray *undo = NULL;

  g_mutex_lock (&self->mutex);
  if (self->levels->len > 0)
    {
      guint start = g_array_index (self->levels, guint, self->levels->len - 1);

      undo = steal_undo_hooks (self, start);
      g_array_set_size (self->entries, start);
      g_array_set_size (self->levels, self->levels->len - 1);
      if (self->levels->len == 0)
        end_transaction (self, FALSE);
    }
  g_mutex_unlock (&self->mutex);

  if (undo != NULL)
    run_hooks (undo);
}

void
gorm_change_feed_abandon (GormChangeFeed *self)
{
  GPtrArray *undo = NULL;

  g_mutex_lock (&self->mutex);
  if (self->levels->len > 0)
    {
      undo = steal_undo_hooks (self, 0);
      g_array_set_size (self->entries, 0);
      g_array_set_size (self->levels, 0);
      end_transaction (self, FALSE);
    }
  g_mutex_unlock (&self->mutex);

  if (undo != NULL)
    run_hooks (undo);
}

gboolean
gorm_change_feed_is_transaction_thread (GormChangeFeed *self)
{
  gboolean mine;

  g_mutex_lock (&self->mutex);
  mine = self->levels->len > 0 && self->thread == g_thread_self ();
  g_mutex_unlock (&self->mutex);
  return mine;
}

GPtrArray *
gorm_change_feed_dup_pending_locked (GormChangeFeed   *self,
                                     GormSubscription *subscription,
                                     gboolean         *uncommitted)
{
  GPtrArray *records = g_ptr_array_new_with_free_func (subscription->funcs->unref_record);

  *uncommitted = FALSE;
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < subscription->committed->len; i++)
    g_ptr_array_add (records, subscription->funcs->ref_record (g_ptr_array_index (subscription->committed, i)));
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);

      if (entry->subscription != NULL && entry->subscription == subscription)
        {
          g_ptr_array_add (records, subscription->funcs->ref_record (entry->record));
          *uncommitted = TRUE;
        }
    }
  g_mutex_unlock (&self->mutex);
  return records;
}

typedef struct
{
  GormSubscription *subscription;
  GPtrArray        *records;
  gboolean          reset;
  gboolean          foreign;
} Delivery;

static gboolean
deliver_cb (gpointer data)
{
  GormChangeFeed *self = data;
  g_autoptr(GArray) deliveries = g_array_new (FALSE, FALSE, sizeof (Delivery));

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->source, g_source_unref);
  /* A transaction this thread opened since the commit that scheduled
   * this: its end schedules the delivery again, so that a subscriber
   * reading the database here never sees its rows. One open in another
   * thread holds the database lock, which a subscriber's read waits for. */
  if (self->levels->len > 0 && self->thread == g_thread_self ())
    {
      g_mutex_unlock (&self->mutex);
      return G_SOURCE_REMOVE;
    }
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      GormSubscription *subscription = g_ptr_array_index (self->subscriptions, i);
      Delivery delivery;

      if (subscription->committed->len == 0 && !subscription->reset && !subscription->foreign)
        continue;
      delivery.subscription = subscription_ref (subscription);
      delivery.records = g_steal_pointer (&subscription->committed);
      g_ptr_array_set_free_func (delivery.records, subscription->funcs->unref_record);
      delivery.reset = subscription->reset;
      delivery.foreign = subscription->foreign;
      subscription->committed = g_ptr_array_new ();
      subscription->reset = FALSE;
      subscription->foreign = FALSE;
      g_array_append_val (deliveries, delivery);
    }
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < deliveries->len; i++)
    {
      Delivery *delivery = &g_array_index (deliveries, Delivery, i);
      GObject *target = g_weak_ref_get (&delivery->subscription->target);
      gboolean active;

      /* A subscriber unsubscribed by an earlier delivery's handler gets
       * nothing more. */
      g_mutex_lock (&self->mutex);
      active = delivery->subscription->active;
      g_mutex_unlock (&self->mutex);
      if (target != NULL && active)
        delivery->subscription->funcs->deliver (target, g_steal_pointer (&delivery->records),
                                                delivery->reset, delivery->foreign);
      g_clear_pointer (&delivery->records, g_ptr_array_unref);
      g_clear_object (&target);
      subscription_unref (delivery->subscription);
    }

  return G_SOURCE_REMOVE;
}
