# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real Gtk.ListView, in a Gtk.Application window under Xvfb, bound to
``Model.objects.order_by(...).watch()`` while the rows change: inserts,
updates, deletes, a rolled-back run_in_transaction_async() and a bulk
update. After each step the main loop runs until it is idle and a frame
was drawn; then every list item GTK has bound must hold an object of the
model's class with its row's values, and the model's order must be that
of a fresh query read outside libgorm: with Python's sqlite3 on SQLite,
with psycopg2 on PostgreSQL (GORM_TEST_ENGINE, see gormtest.py).

Run by tests/gtk/run-under-xvfb.sh (Xvfb and a session bus). The first
object a live model built for a Python class used to be bound to the
Python wrapper of the Gtk.SingleSelection being constructed around the
model: get_item() returned a Gtk widget, then freed memory (SIGSEGV)."""

import gc
import os
import sqlite3
import tempfile
import unittest

import gi

gi.require_version('Gorm', '1.0')
gi.require_version('Gtk', '4.0')
from gi.repository import Gio, GLib, GObject, Gorm, Gtk  # noqa: E402
from gi.overrides import _gorm_speedups as speedups  # noqa: E402

import gormtest  # noqa: E402

if gormtest.ENGINE == 'postgresql':
    import psycopg2

N_TASKS = 1000


class Task(Gorm.Resource):
    title = Gorm.Field(str, max_length=200)
    prio = Gorm.Field(int)


class Nesting(Gorm.Resource):
    """A model whose __init__ constructs another GObject in Python."""
    label = Gorm.Field(str)
    prio = Gorm.Field(int)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.helper = Gio.ListStore(item_type=GObject.Object)


class Rollback(Exception):
    pass


class ListViewTest(unittest.TestCase):

    def setUp(self):
        if gormtest.ENGINE == 'sqlite':
            self.directory = tempfile.TemporaryDirectory(prefix='gorm-gtk-')
            self.addCleanup(self.directory.cleanup)
            self.path = os.path.join(self.directory.name, 'tasks.db')
            self.uri = 'sqlite:' + self.path
        else:
            self.uri = gormtest.fresh_uri(self)
        Gorm.Database.clear_default()
        self.db = Gorm.open(self.uri)
        self.addCleanup(self.close)
        with self.db.atomic():
            for i in range(N_TASKS):
                Task(title='task %04d' % i, prio=i % 7).save()
        self.app = Gtk.Application(application_id='org.gnome.Gorm.TestGtk',
                                   flags=Gio.ApplicationFlags.NON_UNIQUE)
        self.failures = []

    def close(self):
        Gorm.Database.clear_default()
        gc.collect()
        self.db.close()

    # What the database holds, read without libgorm.

    def rows(self):
        # The model orders rows that tie by their key.
        query = 'SELECT id, title, prio FROM task ORDER BY prio DESC, title, id'
        if gormtest.ENGINE == 'sqlite':
            with sqlite3.connect(self.path) as connection:
                return connection.execute(query).fetchall()
        connection = psycopg2.connect(self.uri)
        try:
            with connection.cursor() as cursor:
                cursor.execute(query)
                return [tuple(row) for row in cursor.fetchall()]
        finally:
            connection.close()

    # The main loop.

    def settle(self):
        """Runs the main loop until nothing is pending and two frames were
        drawn, so that GTK has bound the items of the last change."""
        context = GLib.MainContext.default()
        for _ in range(3):
            frames = []
            self.list_view.add_tick_callback(
                lambda widget, clock: frames.append(1) or len(frames) < 2)
            deadline = GLib.get_monotonic_time() + 5 * 1000000
            while len(frames) < 2 and GLib.get_monotonic_time() < deadline:
                context.iteration(True)
            while context.pending():
                context.iteration(False)
        self.assertEqual(len(frames), 2, 'GTK drew no frame within 5 seconds')

    # The checks.

    def check(self, step):
        rows = self.rows()
        model = self.model
        self.assertEqual(model.get_n_items(), len(rows), step)
        items = [model.get_item(i) for i in range(model.get_n_items())]
        wrong = [(i, type(item).__name__) for i, item in enumerate(items)
                 if type(item) is not Task]
        self.assertEqual(wrong, [], '%s: items of the wrong class' % step)
        self.assertEqual([(t.id, t.title, t.prio) for t in items], rows,
                         '%s: the model differs from a fresh query' % step)
        bound = 0
        for list_item in self.bound:
            position = list_item.get_position()
            item = list_item.get_item()
            self.assertIs(type(item), Task, '%s: bound item %d' % (step, position))
            self.assertLess(position, len(rows), step)
            self.assertEqual((item.id, item.title, item.prio), rows[position],
                             '%s: bound item %d' % (step, position))
            self.assertEqual(list_item.get_child().get_text(), item.title, step)
            self.assertIs(item, model.get_item(position), step)
            bound += 1
        self.assertGreater(bound, 10, '%s: GTK bound too few items' % step)
        return rows

    # The steps, run from "activate".

    def run_steps(self, window):
        rows = self.check('shown')
        self.assertEqual(len(rows), N_TASKS)

        # The reproduction's insert, from a timeout.
        GLib.timeout_add(300, lambda: Task.objects.create(title='!! new', prio=9) and False)
        deadline = GLib.get_monotonic_time() + 5 * 1000000
        while (not any(title == '!! new' for _, title, _ in self.rows()) and
               GLib.get_monotonic_time() < deadline):
            GLib.MainContext.default().iteration(True)
        self.settle()
        rows = self.check('insert')
        self.assertEqual(rows[0][1:], ('!! new', 9))

        # An update that moves a shown row, and one that keeps its place.
        moved = Task.objects.get(pk=rows[5][0])
        moved.prio = 9
        moved.title = '!! moved'
        moved.save()
        kept = Task.objects.get(pk=rows[3][0])
        kept.title = kept.title + ' (edited)'
        kept.save()
        self.settle()
        rows = self.check('update')
        self.assertEqual(rows[0][1:], ('!! moved', 9))

        # Deletes: a shown row and a row far below.
        Task.objects.get(pk=rows[2][0]).delete()
        Task.objects.get(pk=rows[900][0]).delete()
        self.settle()
        rows = self.check('delete')
        self.assertEqual(len(rows), N_TASKS + 1 - 2)

        # A transaction on the worker that saves rows, then rolls back.
        def body(database, data):
            Task(title='!! rolled back', prio=9, database=database).save()
            Task.objects.using(database).filter(prio=0).update(prio=9)
            raise Rollback()
        finished = []
        self.db.run_in_transaction_async(body, None, None,
                                         lambda db, result: finished.append(result))
        deadline = GLib.get_monotonic_time() + 10 * 1000000
        while not finished and GLib.get_monotonic_time() < deadline:
            GLib.MainContext.default().iteration(True)
        self.assertTrue(finished, 'run_in_transaction_async did not finish')
        with self.assertRaises(Rollback):
            self.db.run_in_transaction_finish(finished[0])
        self.settle()
        rows = self.check('rolled-back transaction')
        self.assertNotIn('!! rolled back', [title for _, title, _ in rows])
        # The rows the transaction saw must not show either.
        shown = [self.model.get_item(i).title for i in range(self.model.get_n_items())]
        self.assertNotIn('!! rolled back', shown)

        # A bulk update moving a seventh of the rows to the top.
        changed = Task.objects.filter(prio=3).update(prio=10, title='!! bulk')
        self.assertGreater(changed, 100)
        self.settle()
        rows = self.check('bulk update')
        self.assertEqual(rows[0][1:], ('!! bulk', 10))

        # Scrolling to the end binds other items, built by the model now.
        self.list_view.activate_action('list.scroll-to-item', GLib.Variant('u', len(rows) - 1))
        self.settle()
        self.check('scrolled to the end')
        self.assertTrue(any(item.get_position() > len(rows) - 50 for item in self.bound))

    def activate(self, app):
        window = Gtk.ApplicationWindow(application=app, default_width=400, default_height=600)
        # The reproduction, as the issue gives it.
        self.model = Task.objects.order_by('-prio', 'title').watch()
        factory = Gtk.SignalListItemFactory()
        factory.connect('setup', lambda f, item: item.set_child(Gtk.Label()))
        factory.connect('bind', self.bind)
        factory.connect('unbind', self.unbind)
        sw = Gtk.ScrolledWindow()
        sw.set_child(Gtk.ListView(model=Gtk.SingleSelection(model=self.model), factory=factory))
        window.set_child(sw)
        self.scrolled = sw
        self.list_view = sw.get_child()
        window.present()
        gc.collect()
        try:
            self.settle()
            self.run_steps(window)
        except BaseException as failure:  # reported by the test, after the loop
            self.failures.append(failure)
        finally:
            window.destroy()
            app.quit()

    def bind(self, factory, list_item):
        item = list_item.get_item()
        # An application keeps the label up to date as the object changes.
        handler = item.connect('notify::title',
                               lambda task, pspec: list_item.get_child().set_text(task.title))
        list_item.get_child().set_text(item.title)
        self.bound[list_item] = (item, handler)

    def unbind(self, factory, list_item):
        item, handler = self.bound.pop(list_item)
        item.disconnect(handler)

    def test_list_view_follows_every_change(self):
        self.bound = {}
        self.app.connect('activate', self.activate)
        self.assertEqual(self.app.run([]), 0)
        if self.failures:
            raise self.failures[0]


class BindingTest(unittest.TestCase):
    """The objects a model builds while GTK constructs a widget around it,
    without a window."""

    def setUp(self):
        Gorm.Database.clear_default()
        self.db = Gorm.open(gormtest.fresh_uri(self))
        self.addCleanup(self.db.close)
        self.addCleanup(Gorm.Database.clear_default)
        for i in range(5):
            Task(title='t%d' % i, prio=i).save()

    def test_first_item_built_during_a_selection_construction(self):
        model = Task.objects.order_by('-prio').watch()
        selection = Gtk.SingleSelection(model=model)
        first = model.get_item(0)
        self.assertIs(type(first), Task)
        self.assertEqual((first.title, first.prio), ('t4', 4))
        self.assertIs(selection.get_selected_item(), first)
        del selection, first
        gc.collect()
        # The selection's wrapper is gone: the object must still be whole.
        first = model.get_item(0)
        self.assertIs(type(first), Task)
        self.assertEqual(first.title, 't4')

    def test_objects_built_while_python_constructs_another(self):
        # A loaded object is built in C with its wrapper attached as it is
        # initialized (gorm_resource_new_with_init(), test_loading.py).
        for i in range(4):
            Nesting(label='x%d' % i, prio=i).save()
        gc.collect()
        # GTK reads the model's first item while Python constructs the
        # selection; the item's own __init__ constructs another object. The
        # same inside a load that keeps its wrappers (collect()).
        def construct(order):
            model = Nesting.objects.order_by(order).watch()
            return model, Gtk.SingleSelection(model=model)
        built = [construct('-prio'), speedups.collect(construct, 'prio')]
        for (model, selection), label in zip(built, ('x3', 'x0')):
            self.assertIs(type(selection), Gtk.SingleSelection)
            item = model.get_item(0)
            self.assertIs(type(item), Nesting)
            self.assertEqual(item.label, label)
            self.assertIsInstance(item.helper, Gio.ListStore)
            self.assertIs(selection.get_selected_item(), item)
        # The selections' wrappers gone, the items are whole.
        del selection, item
        models = [model for model, _ in built]
        del built
        gc.collect()
        self.assertEqual([type(model.get_item(0)) for model in models], [Nesting, Nesting])
        self.assertEqual([model.get_item(0).prio for model in models], [3, 0])

    def test_new_func_builds_every_loaded_object(self):
        built = []

        class Counted(Gorm.Resource):
            name = Gorm.Field(str)
        Counted.objects.create(name='a')
        Counted.objects.create(name='b')
        gc.collect()

        def new(database, model):
            built.append(model)
            resource = model.__new__(model)
            Gorm.Resource.__init__(resource, database=database)
            return resource
        Counted.set_new_func(new, Counted)
        model = Counted.objects.order_by('name').watch()
        self.assertEqual([c.name for c in model], ['a', 'b'])
        self.assertEqual(built, [Counted, Counted])

    def test_new_func_returning_another_class_falls_back(self):
        class Other(Gorm.Resource):
            name = Gorm.Field(str)

        class Checked(Gorm.Resource):
            name = Gorm.Field(str)
        Checked.objects.create(name='kept')
        gc.collect()
        Checked.set_new_func(lambda database, data: Other(database=database), None)
        # The warning says what went wrong; libgorm builds the object itself.
        GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_CRITICAL)
        try:
            found = list(Checked.objects.all())
        finally:
            GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_CRITICAL |
                                      GLib.LogLevelFlags.LEVEL_WARNING)
        self.assertEqual([type(c) for c in found], [Checked])
        self.assertEqual(found[0].name, 'kept')


if __name__ == '__main__':
    unittest.main(verbosity=int(os.environ.get('GORM_TEST_VERBOSITY', '2')))
