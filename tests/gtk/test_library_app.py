# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python Gorm Library (demos/library-python) under Xvfb, driven as a
user would through its actions and widgets: generate books, add one and
edit it in the dialog through its bound widgets, cancel an edit, toggle
"Read" in a cell, delete and edit with the toast's Undo, search by title
and by author, sort by each column both ways, scroll to the end, cancel
a generation, refuse a save and fix it, delete all. After each step the
test waits until the window is idle, then compares the rows its column
view shows (the inscriptions and check buttons of the visible cells, in
order) with the database read outside libgorm: Python's sqlite3 on
SQLite, psycopg2 on PostgreSQL (GORM_TEST_ENGINE, see
tests/python/gormtest.py).

It saves screenshots of the window, rendered by GTK itself, as
library-python-*.png in GORM_SCREENSHOT_DIR (the build directory when
unset); doc/screenshots/ holds those of the README.

Run by tests/gtk/run-under-xvfb.sh (Xvfb and a session bus)."""

import asyncio
import ctypes
import gc
import os
import re
import sqlite3
import sys
import tempfile
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'python'))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'demos', 'library-python'))

import gormtest  # noqa: E402
import gorm_library as library  # noqa: E402

import gi  # noqa: E402

gi.require_version('Graphene', '1.0')
from gi.repository import Adw, GLib, Gorm, Graphene, Gtk  # noqa: E402

if gormtest.ENGINE == 'postgresql':
    import psycopg2

N_GENERATED = 2500
TIMEOUT = 30

# What each column shows, in SQL: the cells' text comes from these values.
SQL_COLUMNS = {
    'title': 'b.title',
    'author': 'a.name',
    'year': 'b.year',
    'pages': 'b.pages',
    'rating': 'b.rating',
    'read': 'b.read',
}


def gpointer(instance):
    """The address of the C instance of a PyGObject object."""
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get(instance.__gpointer__, None)


class LibraryAppTest(unittest.TestCase):

    def setUp(self):
        Gorm.Database.clear_default()
        if gormtest.ENGINE == 'sqlite':
            directory = tempfile.TemporaryDirectory(prefix='gorm-library-')
            self.addCleanup(directory.cleanup)
            self.path = os.path.join(directory.name, 'library.db')
            self.database_argument = self.path
        else:
            self.uri = gormtest.fresh_uri(self)
            self.database_argument = self.uri
        self.screenshots = os.environ.get('GORM_SCREENSHOT_DIR') or os.getcwd()
        self.failures = []
        self.steps = []
        self.addCleanup(Gorm.Database.clear_default)

    # The database, read without libgorm.

    def select(self, sql, params=()):
        if gormtest.ENGINE == 'sqlite':
            with sqlite3.connect(self.path) as connection:
                return connection.execute(sql, params).fetchall()
        connection = psycopg2.connect(self.uri)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql.replace('?', '%s'), params)
                return [tuple(row) for row in cursor.fetchall()]
        finally:
            connection.close()

    def database_rows(self):
        """The rows the window should show, as it shows them, in its
        order: the search and the sort column of the window."""
        where, params = '', ()
        text = self.window.search_text
        if text:
            where = 'WHERE lower(b.title) LIKE ? OR lower(a.name) LIKE ?'
            params = ('%' + text.lower() + '%',) * 2
        key = self.window.order[0]
        descending = key.startswith('-')
        column = [name for name, sort_key in library.SORT_KEYS.items()
                  if sort_key == key.lstrip('-')][0]
        # libgorm orders the rows that tie by their key, the same way, and
        # NULL before any value on both engines (SQLite's order).
        order = '{0} {1}, b.id {1}'.format(
            SQL_COLUMNS[column], 'DESC NULLS LAST' if descending else 'ASC NULLS FIRST')
        rows = self.select('SELECT b.title, a.name, b.year, b.pages, b.rating, b.read '
                           'FROM book b JOIN author a ON a.id = b.author_id %s ORDER BY %s'
                           % (where, order), params)
        return [(title, name, str(year), library.format_pages(pages),
                 library.format_rating(rating), bool(read))
                for title, name, year, pages, rating, read in rows]

    # The widgets.

    def shown_cells(self):
        """The widgets in the cells of each row of the column view that is
        in view, top to bottom."""
        scrolled = self.window.scrolled
        height = scrolled.get_height()
        rows = []

        def walk(widget):
            child = widget.get_first_child()
            while child is not None:
                if child.get_css_name() != 'row' or not child.get_mapped():
                    walk(child)
                    child = child.get_next_sibling()
                    continue
                ok, point = child.compute_point(scrolled, Graphene.Point())
                self.assertTrue(ok)
                # A row GTK keeps above or below the view is not shown.
                if point.y + child.get_height() > 0 and point.y < height:
                    cells = []
                    cell = child.get_first_child()
                    while cell is not None:
                        cells.append(cell.get_first_child())
                        cell = cell.get_next_sibling()
                    rows.append((point.y, cells))
                child = child.get_next_sibling()
        walk(self.window.column_view)
        rows.sort(key=lambda row: row[0])
        return [cells for _, cells in rows]

    def visible_rows(self):
        """What the column view shows: for each row in view, top to
        bottom, the text of its labels and the state of its check button."""
        return [tuple(content.get_text() if isinstance(content, Gtk.Inscription)
                      else content.get_active()
                      for content in cells
                      if isinstance(content, (Gtk.Inscription, Gtk.CheckButton)))
                for cells in self.shown_cells()]

    # Waiting.

    async def settle(self):
        """Waits until the window's tasks are done, GTK drew two frames
        and nothing is pending."""
        window = self.window
        deadline = GLib.get_monotonic_time() + TIMEOUT * 1000000
        while window.tasks and GLib.get_monotonic_time() < deadline:
            await asyncio.sleep(0.01)
        self.assertFalse(window.tasks, 'the window is still busy after %d s' % TIMEOUT)
        for _ in range(2):
            frames = asyncio.get_running_loop().create_future()
            count = []

            def tick(widget, clock):
                count.append(1)
                if len(count) == 2 and not frames.done():
                    frames.set_result(None)
                return len(count) < 2
            window.add_tick_callback(tick)
            window.queue_draw()
            await asyncio.wait_for(frames, TIMEOUT)
            await asyncio.sleep(0.02)

    async def wait_for(self, predicate, what):
        deadline = GLib.get_monotonic_time() + TIMEOUT * 1000000
        while not predicate():
            if GLib.get_monotonic_time() > deadline:
                self.fail('%s: not within %d s' % (what, TIMEOUT))
            await asyncio.sleep(0.02)

    async def check(self, step, at_end=False):
        """Compares the shown rows with the database; returns its rows."""
        self.steps.append(step)
        await self.settle()
        if not at_end:
            # A row inserted above the first one shown stays above it, as
            # GTK keeps the view on the rows the user sees: back to the top.
            self.window.scrolled.get_vadjustment().set_value(0)
            await self.settle()
        window = self.window
        self.assertEqual(window.errors, [], step)
        rows = self.database_rows()
        # The shown rows follow the model's items-changed: wait until
        # they do, then compare.
        deadline = GLib.get_monotonic_time() + TIMEOUT * 1000000
        while True:
            shown = self.visible_rows()
            offset = self.find(rows, shown)
            if (window.model.get_n_items() == len(rows) and offset is not None and
                    (not at_end or offset + len(shown) == len(rows))):
                break
            if GLib.get_monotonic_time() > deadline:
                break
            await asyncio.sleep(0.05)
        self.assertEqual(window.model.get_n_items(), len(rows), step)
        self.assertEqual(window.window_title.get_subtitle(), library.format_count(len(rows)), step)
        if not rows:
            self.assertEqual(shown, [], step)
            self.assertEqual(window.status_stack.get_visible_child_name(),
                             'no-results' if window.search_text else 'empty', step)
            return rows
        self.assertEqual(window.status_stack.get_visible_child_name(), 'books', step)
        self.assertGreater(len(shown), 0, '%s: no row shown' % step)
        self.assertIsNotNone(offset, '%s: the rows shown %r are not those of the database %r'
                             % (step, shown[:5], rows[:5]))
        if at_end:
            self.assertEqual(offset + len(shown), len(rows), '%s: not at the end' % step)
        else:
            self.assertEqual(offset, 0, '%s: not at the top' % step)
        # Every row the view has room for is shown.
        self.assertEqual(len(shown), min(len(rows), len(shown)), step)
        return rows

    @staticmethod
    def find(rows, shown):
        """Where ``shown`` is in ``rows``, or None."""
        if not shown:
            return 0 if not rows else None
        for offset in range(len(rows) - len(shown) + 1):
            if rows[offset] == shown[0] and rows[offset:offset + len(shown)] == shown:
                return offset
        return None

    def screenshot(self, widget, name):
        """Renders ``widget``, a window, with its own renderer into a PNG
        file: gtk_widget_snapshot(), gsk_renderer_render_texture(),
        gdk_texture_save_to_png(). PyGObject 3.42 cannot wrap the
        GskRenderNode a Gtk.Snapshot gives (its subclasses are missing
        from the typelib), so the node goes through ctypes."""
        width, height = widget.get_width(), widget.get_height()
        snapshot = Gtk.Snapshot()
        # What gtk_widget_snapshot() does for a window: a
        # Gtk.WidgetPaintable of a toplevel stays empty.
        Gtk.Window.do_snapshot(widget, snapshot)
        path = os.path.join(self.screenshots, 'library-python-%s.png' % name)
        gtk = ctypes.CDLL('libgtk-4.so.1')
        gtk.gtk_snapshot_to_node.restype = ctypes.c_void_p
        gtk.gtk_snapshot_to_node.argtypes = [ctypes.c_void_p]
        gtk.gsk_renderer_render_texture.restype = ctypes.c_void_p
        gtk.gsk_renderer_render_texture.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                                    ctypes.POINTER(ctypes.c_float * 4)]
        gtk.gdk_texture_save_to_png.restype = ctypes.c_int
        gtk.gdk_texture_save_to_png.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        gtk.gsk_render_node_unref.argtypes = [ctypes.c_void_p]
        gtk.g_object_unref.argtypes = [ctypes.c_void_p]
        node = gtk.gtk_snapshot_to_node(gpointer(snapshot))
        self.assertTrue(node, 'nothing drawn for %s' % name)
        try:
            bounds = (ctypes.c_float * 4)(0, 0, width, height)
            texture = gtk.gsk_renderer_render_texture(
                gpointer(widget.get_native().get_renderer()), node, ctypes.byref(bounds))
        finally:
            gtk.gsk_render_node_unref(node)
        self.assertTrue(texture)
        try:
            self.assertTrue(gtk.gdk_texture_save_to_png(texture, path.encode()), path)
        finally:
            gtk.g_object_unref(texture)
        with open(path, 'rb') as png:
            self.assertEqual(png.read(8), b'\x89PNG\r\n\x1a\n')
        return path

    def check_borders(self, widget):
        """The column view's rows and cells draw no border whose sides
        differ in colour, which GTK 4.8's cairo renderer draws as four
        clipped fills (see add_column_view_style() in the application).
        The render node goes through ctypes as in screenshot(), and is
        read in its serialized form, where a border of one colour has a
        single colour in its `colors:` line."""
        snapshot = Gtk.Snapshot()
        Gtk.ColumnView.do_snapshot(widget, snapshot)
        gtk = ctypes.CDLL('libgtk-4.so.1')
        gtk.gtk_snapshot_to_node.restype = ctypes.c_void_p
        gtk.gtk_snapshot_to_node.argtypes = [ctypes.c_void_p]
        gtk.gsk_render_node_serialize.restype = ctypes.c_void_p
        gtk.gsk_render_node_serialize.argtypes = [ctypes.c_void_p]
        gtk.g_bytes_get_data.restype = ctypes.c_void_p
        gtk.g_bytes_get_data.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
        gtk.g_bytes_unref.argtypes = [ctypes.c_void_p]
        gtk.gsk_render_node_unref.argtypes = [ctypes.c_void_p]
        node = gtk.gtk_snapshot_to_node(gpointer(snapshot))
        self.assertTrue(node, 'nothing drawn for the column view')
        try:
            data = gtk.gsk_render_node_serialize(node)
        finally:
            gtk.gsk_render_node_unref(node)
        try:
            size = ctypes.c_size_t()
            text = ctypes.string_at(gtk.g_bytes_get_data(data, ctypes.byref(size)),
                                    size.value).decode()
        finally:
            gtk.g_bytes_unref(data)
        borders = re.findall(r'border \{[^}]*?colors: ([^;]*);', text)
        mixed = [colors for colors in borders if len(set(re.findall(r'rgba?\([^)]*\)', colors))) > 1]
        # The row separators are drawn, each of one colour.
        self.assertTrue(borders, 'no border drawn in the column view')
        self.assertEqual(mixed, [], '%d of %d borders of more than one colour'
                         % (len(mixed), len(borders)))

    async def open_dialog(self, activate):
        """Runs ``activate()``; returns the edit dialog it opens."""
        window = self.window
        activate()
        await self.wait_for(lambda: window.edit_dialog is not None, 'the dialog opens')
        return window.edit_dialog

    async def close_dialog(self, button, step):
        """Clicks ``button`` of the edit dialog; returns check(step) once
        the dialog is gone."""
        button.emit('clicked')
        await self.wait_for(lambda: self.window.edit_dialog is None, 'the dialog closes')
        return await self.check(step)

    # The scenario.

    async def scenario(self):
        window = self.window
        await self.wait_for(lambda: window.model is not None, 'the window opened its database')
        rows = await self.check('opened an empty database')
        self.assertEqual(rows, [])

        # Generate, through the menu's action (a smaller count).
        window.activate_action('win.generate', GLib.Variant('u', N_GENERATED))
        await self.wait_for(lambda: window.progress_revealer.get_reveal_child(),
                            'the progress bar shows')
        # No live model follows the batches while they are written.
        self.assertEqual(window.status_stack.get_visible_child_name(), 'generating')
        self.assertIsNone(window.column_view.get_model())
        await self.wait_for(lambda: not window.progress_revealer.get_reveal_child(),
                            'the generation ends')
        rows = await self.check('generated')
        self.assertEqual(len(rows), N_GENERATED)
        self.assertEqual(self.select('SELECT count(*) FROM author')[0][0],
                         len(library.generated_author_names()))

        # Add through the dialog's bound widgets.
        dialog = await self.open_dialog(lambda: window.activate_action('win.add', None))
        await self.wait_for(lambda: dialog.get_mapped() and dialog.get_width() > 0,
                            'the add dialog shows')
        await self.settle()
        self.assertFalse(dialog.save_button.get_sensitive(), 'an empty book can be saved')
        dialog.title_row.set_text('A Book Added')
        dialog.author_row.set_text('Zed Writer')
        dialog.year_spin.set_value(1999)
        dialog.pages_spin.set_value(321)
        dialog.rating_spin.set_value(4)
        dialog.read_switch.set_active(True)
        self.assertEqual((dialog.book.title, dialog.book.year, dialog.book.pages,
                          dialog.book.rating, dialog.book.read),
                         ('A Book Added', 1999, 321, 4, True), 'the bindings')
        await self.settle()
        self.screenshot(dialog, 'add')
        rows = await self.close_dialog(dialog.save_button, 'added')
        self.assertEqual(rows[0], ('A Book Added', 'Zed Writer', '1999', '321',
                                   library.format_rating(4), True))

        # Edit: activating the row opens the dialog on the book shown.
        dialog = await self.open_dialog(lambda: window.column_view.emit('activate', 0))
        self.assertIs(dialog.book, window.model.get_item(0))
        self.assertEqual(dialog.title_row.get_text(), 'A Book Added')
        self.assertEqual(dialog.author_row.get_text(), 'Zed Writer')
        self.assertEqual(dialog.year_spin.get_value(), 1999)
        dialog.title_row.set_text('A Book Edited')
        dialog.rating_spin.set_value(2)
        dialog.pages_spin.set_value(0)
        rows = await self.close_dialog(dialog.save_button, 'edited')
        self.assertEqual(rows[0], ('A Book Edited', 'Zed Writer', '1999', '—',
                                   library.format_rating(2), True))

        # Cancel reverts the object the list shows.
        dialog = await self.open_dialog(lambda: window.column_view.emit('activate', 0))
        dialog.title_row.set_text('Not Saved')
        dialog.year_spin.set_value(1500)
        self.assertEqual(window.model.get_item(0).title, 'Not Saved')
        rows = await self.close_dialog(dialog.cancel_button, 'edit cancelled')
        self.assertEqual(rows[0][0], 'A Book Edited')
        self.assertEqual((window.model.get_item(0).title, window.model.get_item(0).year),
                         ('A Book Edited', 1999))

        # "Read", toggled in its cell, is saved.
        # The view is at the top (check() scrolled there): its first row
        # is the book.
        check = [widget for widget in self.shown_cells()[0]
                 if isinstance(widget, Gtk.CheckButton)][0]
        self.assertTrue(check.get_active())
        check.set_active(False)
        rows = await self.check('read toggled')
        self.assertEqual(rows[0][5], False)
        self.assertEqual(self.select("SELECT read FROM book WHERE title = 'A Book Edited'"),
                         [(False,)] if gormtest.ENGINE == 'postgresql' else [(0,)])

        # Delete, then undo from the toast.
        book_id = window.model.get_item(0).id
        before = self.select("SELECT added, author_id FROM book WHERE title = 'A Book Edited'")
        self.assertEqual(len(before), 1)
        self.assertIsNotNone(before[0][0])
        window.activate_action('win.delete', GLib.Variant('x', book_id))
        rows = await self.check('deleted')
        self.assertNotEqual(rows[0][0], 'A Book Edited')
        self.assertEqual(len(rows), N_GENERATED)
        self.assertTrue(window.undo_action.get_enabled())
        # The toast's animation ends.
        await asyncio.sleep(0.5)
        await self.settle()
        self.screenshot(window, 'deleted')
        window.activate_action('win.undo', None)
        rows = await self.check('undone')
        self.assertEqual(rows[0], ('A Book Edited', 'Zed Writer', '1999', '—',
                                   library.format_rating(2), False))
        self.assertFalse(window.undo_action.get_enabled())
        # The row as it was: its id, its "added" date and its author.
        self.assertEqual(self.select("SELECT added, author_id FROM book "
                                     "WHERE title = 'A Book Edited'"), before)
        self.assertEqual(self.select("SELECT id FROM book WHERE title = 'A Book Edited'"),
                         [(book_id,)])
        self.assertEqual(window.model.get_item(0).id, book_id)

        # An edit that moves the book to a new author, undone from the
        # toast: the book has its values and its author back.
        dialog = await self.open_dialog(lambda: window.column_view.emit('activate', 0))
        await self.wait_for(lambda: dialog.author_row.get_text() == 'Zed Writer',
                            'the dialog shows the author')
        dialog.rating_spin.set_value(3)
        dialog.author_row.set_text('New Writer')
        rows = await self.close_dialog(dialog.save_button, 'edited with a new author')
        self.assertEqual(rows[0], ('A Book Edited', 'New Writer', '1999', '—',
                                   library.format_rating(3), False))
        self.assertTrue(window.undo_action.get_enabled())
        window.activate_action('win.undo', None)
        rows = await self.check('edit undone')
        self.assertEqual(rows[0], ('A Book Edited', 'Zed Writer', '1999', '—',
                                   library.format_rating(2), False))
        self.assertEqual(self.select("SELECT added, author_id FROM book "
                                     "WHERE title = 'A Book Edited'"), before)
        self.assertFalse(window.undo_action.get_enabled())

        # Search, as the user types: by title, by author, for nothing.
        for text, expected in (('edited', 1), ('ZED', 1), ('river', None),
                               ('no such book', 0), ('', N_GENERATED + 1)):
            window.search_entry.set_text(text)
            await self.wait_for(lambda: window.search_text == text.strip(),
                                'the search for %r starts' % text)
            rows = await self.check('search %r' % text)
            if expected is not None:
                self.assertEqual(len(rows), expected, text)
            else:
                self.assertTrue(0 < len(rows) < N_GENERATED, text)
                self.assertTrue(all('river' in row[0].lower() for row in rows), text)

        # Sort by each column, both ways, from the headers' sorter.
        for name, _, key, _, _ in library.COLUMNS:
            for direction, prefix in ((Gtk.SortType.ASCENDING, ''),
                                      (Gtk.SortType.DESCENDING, '-')):
                window.column_view.sort_by_column(window.columns[name], direction)
                await self.wait_for(lambda: window.order == (prefix + key,),
                                    'the order follows %s' % name)
                await self.check('sorted by %s%s' % (prefix, name))
        window.column_view.sort_by_column(window.columns['year'], Gtk.SortType.DESCENDING)
        await self.wait_for(lambda: window.order == ('-year',), 'the order follows year')
        await self.check('sorted by year, descending')
        self.screenshot(window, 'main')

        # Scroll to the end.
        adjustment = window.scrolled.get_vadjustment()
        await self.wait_for(lambda: adjustment.get_upper() > adjustment.get_page_size(),
                            'the view can scroll')
        for _ in range(5):
            adjustment.set_value(adjustment.get_upper() - adjustment.get_page_size())
            await self.settle()
        await self.check('scrolled to the end', at_end=True)
        self.check_borders(window.column_view)
        adjustment.set_value(0)

        # A generation cancelled midway keeps what it added.
        window.activate_action('win.generate', GLib.Variant('u', 1000000))
        await self.wait_for(lambda: window.progress_revealer.get_reveal_child(),
                            'the progress bar shows')
        await self.wait_for(lambda: window.progress_bar.get_fraction() > 0,
                            'the generation progresses')
        window.activate_action('win.cancel-generate', None)
        await self.wait_for(lambda: not window.progress_revealer.get_reveal_child(),
                            'the generation stops')
        rows = await self.check('generation cancelled')
        self.assertTrue(N_GENERATED + 1 < len(rows) < N_GENERATED + 1 + 1000000, len(rows))

        # A refused save: a title longer than the column, with a new
        # author. Nothing is written, not the author either (one
        # transaction); the dialog stays open with the error, and the
        # user fixes the title and saves.
        n_books = len(await self.check('before a refused save'))
        n_authors = self.select('SELECT count(*) FROM author')[0][0]
        dialog = await self.open_dialog(lambda: window.activate_action('win.add', None))
        dialog.title_row.set_text('x' * 301)
        dialog.author_row.set_text('Nobody Yet')
        dialog.save_button.emit('clicked')
        await self.wait_for(lambda: dialog.last_error is not None, 'the save is refused')
        await self.settle()
        self.assertIs(window.edit_dialog, dialog)
        self.assertIn('title', dialog.last_error)
        self.assertFalse(dialog.book.is_saved())
        self.assertTrue(dialog.save_button.get_sensitive())
        self.assertTrue(dialog.page.get_sensitive())
        self.assertEqual(self.select('SELECT count(*) FROM author')[0][0], n_authors)
        self.assertEqual(self.select("SELECT count(*) FROM author WHERE name = 'Nobody Yet'"),
                         [(0,)])
        self.screenshot(dialog, 'refused')
        dialog.title_row.set_text('A Book Fixed')
        rows = await self.close_dialog(dialog.save_button, 'fixed and saved')
        self.assertEqual(len(rows), n_books + 1)
        self.assertEqual(self.select("SELECT count(*) FROM author WHERE name = 'Nobody Yet'"),
                         [(1,)])

        # Delete all, confirmed in its dialog.
        window.activate_action('win.delete-all', None)
        await self.wait_for(lambda: getattr(window, 'delete_all_dialog', None) is not None,
                            'the confirmation shows')
        window.delete_all_dialog.response('delete')
        rows = await self.check('deleted all')
        self.assertEqual(rows, [])

    def activated(self, window):
        self.window = window
        task = asyncio.ensure_future(self.scenario())

        application = window.get_application()

        def done(task):
            if task.cancelled():
                self.failures.append(AssertionError('the scenario was cancelled'))
            elif task.exception() is not None:
                # Printed now: a warning at the teardown (fatal in the
                # suite) may end the process before unittest reports it.
                traceback.print_exception(task.exception())
                self.failures.append(task.exception())
            for toplevel in list(Gtk.Window.list_toplevels()):
                toplevel.destroy()
            application.quit()
        task.add_done_callback(done)

    def test_library_app(self):
        argv = ['gorm-library', '--database', self.database_argument]
        self.assertEqual(library.run(argv, self.activated), 0)
        gc.collect()
        if self.failures:
            raise self.failures[0]
        self.assertIn('deleted all', self.steps)


if __name__ == '__main__':
    unittest.main(verbosity=int(os.environ.get('GORM_TEST_VERBOSITY', '2')))
