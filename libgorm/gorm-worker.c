/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-worker-private.h"

/* How long the main context runs queued actions before it lets the rest
 * of its loop run: well under a 16 ms frame. */
#define ACTION_BUDGET_USEC 4000
/* How long actions may wait for the main context: waking it for each of
 * thousands of saves would cost more than the saves. */
#define ACTION_DELAY_USEC 1000

typedef struct
{
  GFunc          func;
  gpointer       data;
  GDestroyNotify destroy;
} Action;

typedef struct
{
  GTask           *task;
  GTaskThreadFunc  func;
} Job;

typedef enum {
  RESULT_BOOLEAN,
  RESULT_INT,
  RESULT_POINTER,
  RESULT_ERROR,
} ResultKind;

typedef struct
{
  GTask          *task;
  ResultKind      kind;
  gint64          number;
  gpointer        pointer;
  GDestroyNotify  destroy;
  GError         *error;
} Result;

struct _GormWorker
{
  GMainContext *context;
  GThreadPool  *pool;
  GThread      *thread;
  /* The worker's reference to the task it runs, which the result takes,
   * so that the task is always let go in the main context. */
  GTask        *running;

  GMutex        lock;
  GQueue        actions;
  GSource      *source;
  /* See gorm_worker_set_yield_func(); main context only. */
  GormWorkerYieldFunc yield_func;
  gpointer            yield_data;
  /* An action may drop the last reference to the database, and so free
   * the worker while it runs actions: the worker is then freed when the
   * action returns. */
  gboolean      dispatching;
  gboolean      freed;
};

static void worker_free (GormWorker *self);

static void
action_free (Action *action)
{
  if (action->destroy != NULL)
    action->destroy (action->data);
  g_free (action);
}

/* Runs queued actions in the main context, for one budget at a time. */
static gboolean
run_actions_cb (gpointer data)
{
  GormWorker *self = data;
  gint64 deadline = g_get_monotonic_time () + ACTION_BUDGET_USEC;

  for (;;)
    {
      Action *action;

      g_mutex_lock (&self->lock);
      action = g_queue_pop_head (&self->actions);
      if (action == NULL)
        {
          g_source_set_ready_time (self->source, -1);
          g_mutex_unlock (&self->lock);
          return G_SOURCE_CONTINUE;
        }
      g_mutex_unlock (&self->lock);

      /* Asked after the action is taken: whatever made the loop's other
       * source ready before the action was queued (a commit before the
       * completion of its call) is seen here. The action goes back, and
       * the loop dispatches that source first, as its priority says:
       * running on here would let this action overtake it. */
      if (self->yield_func != NULL && self->yield_func (self->yield_data))
        {
          g_mutex_lock (&self->lock);
          g_queue_push_head (&self->actions, action);
          g_source_set_ready_time (self->source, 0);
          g_mutex_unlock (&self->lock);
          return G_SOURCE_CONTINUE;
        }

      self->dispatching = TRUE;
      action->func (action->data, NULL);
      action_free (action);
      self->dispatching = FALSE;

      if (self->freed)
        {
          worker_free (self);
          return G_SOURCE_REMOVE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          /* More next iteration, after the rest of the loop had its turn.
           * Under the lock: gorm_worker_defer() reads the ready time on
           * the worker thread, and g_source_get_ready_time() takes no
           * lock of its own. */
          g_mutex_lock (&self->lock);
          g_source_set_ready_time (self->source, 0);
          g_mutex_unlock (&self->lock);
          return G_SOURCE_CONTINUE;
        }
    }
}

/* A source that is ready only when its ready time says so. */
static gboolean
actions_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs actions_source_funcs = {
  .dispatch = actions_source_dispatch,
};

void
gorm_worker_defer (GormWorker     *self,
                   GFunc           func,
                   gpointer        data,
                   GDestroyNotify  destroy)
{
  Action *action = g_new0 (Action, 1);

  action->func = func;
  action->data = data;
  action->destroy = destroy;

  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->actions, action);
  if (self->source == NULL)
    {
      /* One source stays attached; it is made ready, at most once a
       * millisecond, when actions are waiting. */
      self->source = g_source_new (&actions_source_funcs, sizeof (GSource));
      g_source_set_priority (self->source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->source, run_actions_cb, self, NULL);
      g_source_set_static_name (self->source, "[gorm] main context actions");
      g_source_set_ready_time (self->source, -1);
      g_source_attach (self->source, self->context);
    }
  if (g_source_get_ready_time (self->source) == -1)
    g_source_set_ready_time (self->source, g_get_monotonic_time () + ACTION_DELAY_USEC);
  g_mutex_unlock (&self->lock);
}

static void
result_free (Result *result)
{
  if (result->pointer != NULL && result->destroy != NULL)
    result->destroy (result->pointer);
  g_clear_error (&result->error);
  g_clear_object (&result->task);
  g_free (result);
}

static void
complete_cb (gpointer data,
             gpointer unused)
{
  Result *result = data;

  switch (result->kind)
    {
    case RESULT_BOOLEAN:
      g_task_return_boolean (result->task, result->number != 0);
      break;
    case RESULT_INT:
      g_task_return_int (result->task, result->number);
      break;
    case RESULT_POINTER:
      g_task_return_pointer (result->task, g_steal_pointer (&result->pointer), result->destroy);
      break;
    case RESULT_ERROR:
      g_task_return_error (result->task, g_steal_pointer (&result->error));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
queue_result (GormWorker *self,
              GTask      *task,
              Result     *result)
{
  if (gorm_worker_is_current (self) && self->running == task)
    result->task = g_steal_pointer (&self->running);
  else
    result->task = g_object_ref (task);
  gorm_worker_defer (self, complete_cb, result, (GDestroyNotify) result_free);
}

void
gorm_worker_return_boolean (GormWorker *self,
                            GTask      *task,
                            gboolean    value)
{
  Result *result = g_new0 (Result, 1);

  result->kind = RESULT_BOOLEAN;
  result->number = value;
  queue_result (self, task, result);
}

void
gorm_worker_return_int (GormWorker *self,
                        GTask      *task,
                        gint64      value)
{
  Result *result = g_new0 (Result, 1);

  result->kind = RESULT_INT;
  result->number = value;
  queue_result (self, task, result);
}

void
gorm_worker_return_pointer (GormWorker     *self,
                            GTask          *task,
                            gpointer        value,
                            GDestroyNotify  destroy)
{
  Result *result = g_new0 (Result, 1);

  result->kind = RESULT_POINTER;
  result->pointer = value;
  result->destroy = destroy;
  queue_result (self, task, result);
}

void
gorm_worker_return_error (GormWorker *self,
                          GTask      *task,
                          GError     *error)
{
  Result *result = g_new0 (Result, 1);

  result->kind = RESULT_ERROR;
  result->error = error;
  queue_result (self, task, result);
}

void
gorm_worker_set_cancellable (GTask        *task,
                             GCancellable *cancellable)
{
  if (cancellable != NULL)
    g_object_set_data_full (G_OBJECT (task), "gorm-cancellable", g_object_ref (cancellable), g_object_unref);
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  GormWorker *self = user_data;
  Job *job = data;
  GError *error = NULL;

  GCancellable *cancellable = g_object_get_data (G_OBJECT (job->task), "gorm-cancellable");

  self->thread = g_thread_self ();
  self->running = job->task;
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    gorm_worker_return_error (self, job->task, error);
  else
    job->func (job->task, g_task_get_source_object (job->task), g_task_get_task_data (job->task),
               cancellable);

  /* A function that returned no result: its task goes with an error. */
  if (self->running != NULL)
    gorm_worker_return_error (self, job->task,
                              g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                   "The call returned no result"));
  g_free (job);
}

void
gorm_worker_run_here (GormWorker      *self,
                      GTask           *task,
                      GTaskThreadFunc  func)
{
  GCancellable *cancellable = g_object_get_data (G_OBJECT (task), "gorm-cancellable");
  GError *error = NULL;

  /* The result is queued like a worker's, so it completes in the main
   * context, after what the call changed there, and never re-entrantly. */
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    gorm_worker_return_error (self, task, error);
  else
    func (task, g_task_get_source_object (task), g_task_get_task_data (task), cancellable);
}

GormWorker *
gorm_worker_new (GMainContext *context)
{
  GormWorker *self = g_new0 (GormWorker, 1);

  self->context = g_main_context_ref (context);
  g_mutex_init (&self->lock);
  g_queue_init (&self->actions);
  return self;
}

void
gorm_worker_set_yield_func (GormWorker          *self,
                            GormWorkerYieldFunc  func,
                            gpointer             data)
{
  self->yield_func = func;
  self->yield_data = data;
}

void
gorm_worker_free (GormWorker *self)
{
  /* What the yield function reads may go with the worker's owner. */
  self->yield_func = NULL;
  if (self->dispatching)
    self->freed = TRUE;
  else
    worker_free (self);
}

static void
worker_free (GormWorker *self)
{
  /* Every task holds its database, so no job is left; the thread is let
   * go without waiting, since the last reference may be dropped on it. */
  if (self->pool != NULL)
    g_thread_pool_free (self->pool, FALSE, self->thread != g_thread_self ());
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  g_queue_clear_full (&self->actions, (GDestroyNotify) action_free);
  g_mutex_clear (&self->lock);
  g_main_context_unref (self->context);
  g_free (self);
}

void
gorm_worker_run (GormWorker      *self,
                 GTask           *task,
                 GTaskThreadFunc  func)
{
  Job *job = g_new0 (Job, 1);

  if (self->pool == NULL)
    self->pool = g_thread_pool_new (run_job, self, 1, FALSE, NULL);

  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (self->pool, job, NULL);
}

gboolean
gorm_worker_is_current (GormWorker *self)
{
  return self->thread != NULL && self->thread == g_thread_self ();
}
