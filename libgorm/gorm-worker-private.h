/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The worker of a database: one thread that runs its asynchronous calls
 * one at a time, in the order they were made, and a queue of actions for
 * the database's main context.
 *
 * Work done outside the main context (on the worker, or in any other
 * thread) never changes what the main context sees directly: whatever
 * would notify a property, emit a signal or complete a task is queued as
 * an action, and the actions run in the main context in order, a few
 * milliseconds' worth per main loop iteration, so that a long batch never
 * stalls the loop.
 */
typedef struct _GormWorker GormWorker;

GormWorker *gorm_worker_new            (GMainContext    *context);
void        gorm_worker_free           (GormWorker      *self);

/* Runs @func (a GTaskThreadFunc) for @task on the worker thread. @func
 * completes the task with gorm_worker_return_*(), which hand the result
 * to the main context after the actions @func queued. A task whose
 * cancellable (gorm_worker_set_cancellable()) is cancelled before its
 * turn completes with G_IO_ERROR_CANCELLED without running; one that ran
 * returns its result, since work that ran is not undone. */
void        gorm_worker_run            (GormWorker      *self,
                                        GTask           *task,
                                        GTaskThreadFunc  func);
/* Runs @func for @task at once, in the calling thread, as the worker
 * would: for a call made inside a transaction the calling thread owns,
 * which the worker thread could only wait for. The result still reaches
 * the main context through the action queue. */
void        gorm_worker_run_here       (GormWorker      *self,
                                        GTask           *task,
                                        GTaskThreadFunc  func);
/* The cancellable of a task run on a worker, given to its function. */
void        gorm_worker_set_cancellable (GTask          *task,
                                        GCancellable    *cancellable);
gboolean    gorm_worker_is_current     (GormWorker      *self);

void        gorm_worker_defer          (GormWorker      *self,
                                        GFunc            func,
                                        gpointer         data,
                                        GDestroyNotify   destroy);

/* Called in the main context before each deferred action runs: TRUE when
 * a source of a higher priority than the actions' (the change feed's
 * delivery) is ready and must run first. The main context runs queued
 * actions for a time budget in one dispatch, and without this an action
 * queued after such a source was made ready would run before it. */
typedef gboolean (*GormWorkerYieldFunc) (gpointer data);
void        gorm_worker_set_yield_func (GormWorker          *self,
                                        GormWorkerYieldFunc  func,
                                        gpointer             data);

void        gorm_worker_return_boolean (GormWorker      *self,
                                        GTask           *task,
                                        gboolean         result);
void        gorm_worker_return_int     (GormWorker      *self,
                                        GTask           *task,
                                        gint64           result);
void        gorm_worker_return_pointer (GormWorker      *self,
                                        GTask           *task,
                                        gpointer         result,
                                        GDestroyNotify   destroy);
void        gorm_worker_return_error   (GormWorker      *self,
                                        GTask           *task,
                                        GError          *error);

G_END_DECLS
