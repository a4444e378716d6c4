# SPDX-License-Identifier: LGPL-2.1-or-later
"""The _async / _finish pairs, called with callbacks from a GLib.MainLoop."""

from gormtest import DatabaseTestCase, fresh_uri, main
from gi.repository import Gio, GLib, Gorm


class Task(Gorm.Resource):
    name = Gorm.Field(str, unique=True)
    priority = Gorm.Field(int)
    done = Gorm.Field(bool)


def _int64(number):
    from gi.repository import GObject
    value = GObject.Value(GObject.TYPE_INT64)
    value.set_int64(number)
    return value


def finishing(done, finish):
    """An async callback passing ``finish(source, result)``, or the exception
    it raised, to ``done``."""
    def callback(source, result, *user_data):
        try:
            done(finish(source, result))
        except GLib.Error as error:
            done(error)
    return callback


class AsyncTest(DatabaseTestCase):

    def call(self, start, finish):
        """Runs ``start(callback)`` in a main loop; returns what ``finish``
        gave, or the exception it raised."""
        return self.run_main_loop(lambda done: start(finishing(done, finish)))

    def test_open_async_sets_the_default(self):
        Gorm.Database.clear_default()
        uri = fresh_uri(self)
        db = self.call(lambda cb: Gorm.Database.open_async(uri, None, cb),
                       lambda source, result: Gorm.Database.open_finish(result))
        self.addCleanup(db.close)
        self.assertIsInstance(db, Gorm.Database)
        self.assertIs(Gorm.Database.get_default(), db)

    def test_migrate_async(self):
        ok = self.call(lambda cb: self.db.migrate_async([Task], None, cb),
                       lambda db, result: db.migrate_finish(result))
        self.assertTrue(ok)
        self.assertEqual(self.db.execute('DELETE FROM task'), 0)

    def test_async_call_inside_a_sync_transaction(self):
        Task.objects.count()
        self.db.begin()
        task = Task(name='inside', priority=1)
        self.assertTrue(self.call(lambda cb: task.save_async(None, cb),
                                  lambda source, result: source.save_finish(result)))
        self.assertEqual(self.db.get_transaction_depth(), 1)
        self.db.rollback()
        self.assertEqual(Task.objects.count(), 0)

    def test_transaction_calls_async(self):
        Task.objects.count()
        db = self.db
        self.assertTrue(self.call(lambda cb: db.begin_async(None, cb),
                                  lambda source, result: source.begin_finish(result)))
        self.assertEqual(db.get_transaction_depth(), 1)
        Task(name='kept', priority=1).save()
        self.assertEqual(self.call(lambda cb: db.execute_async('UPDATE task SET priority = 4', [], None, cb),
                                   lambda source, result: source.execute_finish(result)), 1)
        self.assertTrue(self.call(lambda cb: db.commit_async(None, cb),
                                  lambda source, result: source.commit_finish(result)))
        self.assertEqual(db.get_transaction_depth(), 0)
        got = self.call(lambda cb: Gorm.Database.get_by_key_async(db, Task, _int64(1), None, cb),
                        lambda source, result: source.get_by_key_finish(result))
        self.assertEqual(got.priority, 4)

    def test_close_async_reports_an_open_transaction(self):
        Task.objects.count()
        self.db.begin()
        error = self.call(lambda cb: self.db.close_async(None, cb),
                          lambda source, result: source.close_finish(result))
        self.assertIsInstance(error, GLib.Error)
        self.assertIn('rolled back', error.message)
        self.assertTrue(self.db.is_closed())
        self.assertEqual(self.db.get_transaction_depth(), 0)

    def test_save_delete_reload_async(self):
        task = Task(name='write', priority=1)
        self.assertTrue(self.call(lambda cb: task.save_async(None, cb),
                                  lambda source, result: source.save_finish(result)))
        self.assertEqual(task.id, 1)
        Task.objects.filter(id=1).update(priority=5)
        task.priority = 2
        self.assertTrue(self.call(lambda cb: task.reload_async(None, cb),
                                  lambda source, result: source.reload_finish(result)))
        self.assertEqual(task.priority, 5)
        self.assertTrue(self.call(lambda cb: task.delete_async(None, cb),
                                  lambda source, result: source.delete_finish(result)))
        self.assertFalse(task.is_saved())
        self.assertEqual(Task.objects.count(), 0)

    def test_user_data_reaches_the_callback(self):
        task = Task(name='data')
        seen = self.run_main_loop(lambda done: task.save_async(
            None, lambda source, result, data: done((source.save_finish(result), data)),
            'user data'))
        self.assertEqual(seen, (True, 'user data'))

    def test_errors_are_raised_by_finish(self):
        Task.objects.create(name='same')
        duplicate = Task(name='same')
        error = self.call(lambda cb: duplicate.save_async(None, cb),
                          lambda source, result: source.save_finish(result))
        self.assertIsInstance(error, Gorm.IntegrityError)
        self.assertEqual(error.code, Gorm.Error.CONSTRAINT)

    def test_get_async(self):
        task = Task.objects.create(name='find me')
        found = self.call(lambda cb: self.db.get_async(Task, task.id, None, cb),
                          lambda db, result: db.get_finish(result))
        self.assertIs(found, task)
        missing = self.call(lambda cb: self.db.get_async(Task, 99, None, cb),
                            lambda db, result: db.get_finish(result))
        self.assertIsInstance(missing, Gorm.ObjectDoesNotExist)

    def test_query_runners_async(self):
        for i in range(5):
            Task.objects.create(name='t%d' % i, priority=i, done=i < 2)
        query = Task.objects.filter(done=False).order_by('-priority').query

        def run(name, *args):
            return self.call(lambda cb: getattr(query, name + '_async')(*args, None, cb),
                             lambda q, result: getattr(q, name + '_finish')(result))

        self.assertEqual(run('count'), 3)
        self.assertTrue(run('exists'))
        self.assertEqual(run('first').name, 't4')
        fetched = run('fetch')
        self.assertIsInstance(fetched, Gio.ListModel)
        self.assertEqual([t.name for t in fetched], ['t4', 't3', 't2'])
        live = run('watch')
        self.assertEqual(len(live), 3)
        self.assertEqual(run('update', 'priority', 2 ** 40), 3)
        self.assertEqual(Task.objects.get(name='t3').priority, 2 ** 40)
        self.assertEqual(run('delete'), 3)
        self.assertEqual(len(live), 0)
        self.assertIsNone(run('first'))
        self.assertEqual(Task.objects.count(), 2)

    def test_run_in_transaction_async(self):
        def body(db, names):
            for name in names:
                Task(name=name, database=db).save()
            return True

        ok = self.call(lambda cb: self.db.run_in_transaction_async(body, ['a', 'b'], None, cb),
                       lambda db, result: db.run_in_transaction_finish(result))
        self.assertTrue(ok)
        self.assertEqual(sorted(t.name for t in Task.objects.all()), ['a', 'b'])

    def test_run_in_transaction_async_rolls_back(self):
        def body(db, names):
            for name in names:
                Task(name=name, database=db).save()
            return True

        error = self.call(lambda cb: self.db.run_in_transaction_async(body, ['c', 'c'], None, cb),
                          lambda db, result: db.run_in_transaction_finish(result))
        self.assertIsInstance(error, Gorm.IntegrityError)
        self.assertEqual(Task.objects.count(), 0)

    def drain(self):
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass

    def increment_in_transactions(self, hold):
        counter = Task.objects.create(name='counter', priority=0)
        counter_id = counter.id
        if not hold:
            del counter
        finished = []

        def body(db, unused):
            task = Task.objects.get(id=counter_id)
            task.reload(None)
            task.priority = task.priority + 1
            task.save()
            return True

        def start(done):
            def callback(db, result, *unused):
                finished.append(db.run_in_transaction_finish(result))
                if len(finished) == 200:
                    done(True)
            for _ in range(200):
                self.db.run_in_transaction_async(body, None, None, callback)

        self.assertTrue(self.run_main_loop(start, timeout=60))
        self.drain()
        self.assertEqual(finished, [True] * 200)
        self.assertEqual(Task.objects.filter(priority=200).count(), 1)
        loaded = Task.objects.get(id=counter_id)
        self.assertEqual(loaded.priority, 200)
        self.assertFalse(loaded.is_dirty())
        if hold:
            self.assertIs(loaded, counter)

    def test_read_modify_write_in_transactions(self):
        self.increment_in_transactions(hold=False)

    def test_read_modify_write_in_transactions_held(self):
        self.increment_in_transactions(hold=True)

    def test_live_model_never_shows_rolled_back_rows(self):
        Task.objects.create(name='kept', priority=1)
        live = Task.objects.order_by('name').watch()
        changes = []
        live.connect('items-changed', lambda model, *change: changes.append(change))

        def body(db, unused):
            Task(name='gone 1', database=db).save()
            Task(name='gone 2', database=db).save()
            return False

        error = self.call(lambda cb: self.db.run_in_transaction_async(body, None, None, cb),
                          lambda db, result: db.run_in_transaction_finish(result))
        self.assertIsInstance(error, GLib.Error)
        self.drain()
        self.assertEqual(changes, [])
        self.assertEqual([t.name for t in live], ['kept'])

        ok = self.call(lambda cb: Task(name='added', priority=2).save_async(None, cb),
                       lambda task, result: task.save_finish(result))
        self.assertTrue(ok)
        self.drain()
        self.assertEqual(changes, [(0, 0, 1)])
        self.assertEqual([t.name for t in live], ['added', 'kept'])

    def test_cancelled(self):
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        task = Task(name='never')
        error = self.call(lambda cb: task.save_async(cancellable, cb),
                          lambda source, result: source.save_finish(result))
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        self.assertFalse(task.is_saved())


if __name__ == '__main__':
    main()
