#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Gorm Library, in Python: a GTK 4 + libadwaita library of books and
authors on libgorm, the twin of the C application (demos/library).

The models are those of the C application (the tables ``author`` and
``book``, the same columns), so that either application opens a database
the other wrote. Every database call is awaited (the ``a``-prefixed
methods of the Python ORM) on gbulb's asyncio loop, which runs the GLib
main context: the database works on its own thread and the main loop
stays free.

    ./tools/run app-python [--database PATH]

The module is importable: tests/gtk/test_library_app.py builds the
window in-process and drives it through its actions.
"""

import asyncio
import datetime
import locale
import os
import random
import sys
import traceback

import gi

gi.require_version('Gorm', '1.0')
gi.require_version('Gtk', '4.0')
gi.require_version('Adw', '1')
from gi.repository import Adw, Gio, GLib, GObject, Gorm, Gtk  # noqa: E402

APPLICATION_ID = 'org.gnome.Gorm.LibraryPython'


# The models: the tables and columns of the C application.

class Author(Gorm.Resource):
    name = Gorm.Field(str, max_length=200, index=True)
    born = Gorm.Field(GObject.TYPE_INT, null=True)

    class Meta:
        table = 'author'


class Book(Gorm.Resource):
    title = Gorm.Field(str, max_length=300, index=True)
    author = Gorm.ForeignKey(Author, on_delete=Gorm.CASCADE, related_name='books')
    year = Gorm.Field(GObject.TYPE_INT, index=True)
    pages = Gorm.Field(GObject.TYPE_INT, null=True)
    rating = Gorm.Field(GObject.TYPE_INT, minimum=0, maximum=5)
    read = Gorm.Field(bool)
    # Nullable, as the C application's GDateTime property.
    added = Gorm.Field(datetime.datetime, null=True, auto_now_add=True)

    class Meta:
        table = 'book'


MODELS = (Author, Book)


def default_database_path():
    """$XDG_DATA_HOME/gorm-library/library.db, the C application's file."""
    return os.path.join(GLib.get_user_data_dir(), 'gorm-library', 'library.db')


# What the cells show, from a book's values: the test compares the
# widgets with the database through these.

def format_pages(pages):
    return '—' if pages is None else str(pages)


def format_rating(rating):
    return '★' * rating + '☆' * (5 - rating)


def format_count(n):
    return ngettext_books(n) % locale.format_string('%d', n, grouping=True)


def ngettext_books(n):
    return '%s book' if n == 1 else '%s books'


# The columns: title, the sort key of the query (order_by), what a cell
# shows, its alignment and whether it expands.
COLUMNS = (
    ('title', 'Title', 'title', 0.0, True),
    ('author', 'Author', 'author__name', 0.0, True),
    ('year', 'Year', 'year', 1.0, False),
    ('pages', 'Pages', 'pages', 1.0, False),
    ('rating', 'Rating', 'rating', 0.0, False),
    ('read', 'Read', 'read', 0.5, False),
)
SORT_KEYS = {name: key for name, _, key, _, _ in COLUMNS}
# How many characters a text cell asks room for (the C application's).
CELL_NAT_CHARS = {'title': 30, 'author': 20, 'year': 5, 'pages': 6, 'rating': 6}

# Generated books: titles from these words, authors from these names.
_ADJECTIVES = ('Silent', 'Hidden', 'Last', 'Broken', 'Golden', 'Northern', 'Quiet',
               'Burning', 'Distant', 'Secret', 'Winter', 'Crimson', 'Lost', 'Endless')
_NOUNS = ('River', 'Garden', 'Empire', 'Letters', 'Harbour', 'Mountain', 'Library',
          'Orchard', 'Machine', 'Kingdom', 'Lighthouse', 'Voyage', 'Archive', 'Forest')
_FIRST = ('Ada', 'Boris', 'Clara', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines',
          'Jonas', 'Keiko', 'Luis', 'Maya', 'Nils', 'Olga', 'Pavel', 'Rosa', 'Sami')
_LAST = ('Alcott', 'Brandt', 'Castell', 'Dumas', 'Eliot', 'Ferrante', 'Gordimer',
         'Hesse', 'Ishiguro', 'Jansson', 'Kafka', 'Lindgren', 'Mann', 'Nabokov')


def generated_author_names():
    return ['%s %s' % (first, last) for first in _FIRST for last in _LAST]


def generated_book(database, random_, number, author_id):
    # One book in ten has no page count, as in the C application.
    return Book(database=database, title='The %s %s %d' % (random_.choice(_ADJECTIVES),
                                                           random_.choice(_NOUNS), number),
                author_id=author_id, year=random_.randint(1800, 2025),
                pages=None if random_.random() < 0.1 else random_.randint(40, 1200),
                rating=random_.randint(0, 5), read=random_.random() < 0.3)


# Books per bulk insert, and per slice of the main loop while they are
# built (about 2 ms of it).
GENERATE_BATCH = 1000
GENERATE_SLICE = 25


async def generate_books(database, count, progress=None, cancellable=None, seed=None):
    """Writes ``count`` generated books (and the authors they refer to)
    with bulk inserts on the database worker; returns how many were
    written. The next batch is built on the main loop, a slice at a time,
    while the worker writes the one before: the two overlap, and the main
    loop draws between slices. ``progress(written, count)`` is called after
    each batch; a cancelled ``cancellable`` stops after the batch being
    written, and what was written stays."""
    random_ = random.Random(count if seed is None else seed)
    authors = Author.objects.using(database)
    names = generated_author_names()
    known = {a.name: a.id for a in await authors.filter(name__in=names).alist()}
    missing = [Author(name=name, database=database) for name in names if name not in known]
    for author in await authors.abulk_create(missing):
        known[author.name] = author.id
    author_ids = list(known.values())
    books = Book.objects.using(database)
    built = written = 0
    writing = None
    try:
        while built < count and not (cancellable and cancellable.is_cancelled()):
            batch = []
            n = min(GENERATE_BATCH, count - built)
            while len(batch) < n:
                for _ in range(min(GENERATE_SLICE, n - len(batch))):
                    batch.append(generated_book(database, random_, built + len(batch) + 1,
                                                random_.choice(author_ids)))
                await asyncio.sleep(0)
            built += n
            if writing is not None:
                written += len(await writing)
                if progress is not None:
                    progress(written, count)
            if cancellable and cancellable.is_cancelled():
                writing = None
                break
            writing = asyncio.ensure_future(books.abulk_create(batch))
        if writing is not None:
            written += len(await writing)
            writing = None
            if progress is not None:
                progress(written, count)
    finally:
        # An error, or the task cancelled: the batch on its way is too.
        if writing is not None and not writing.done():
            writing.cancel()
    return written


# What an edit changes, kept to undo it: the fields but the key and
# "added".
EDITED_FIELDS = ('title', 'author_id', 'year', 'pages', 'rating', 'read')


def book_values(book):
    return {name: getattr(book, name) for name in EDITED_FIELDS}


class Sentinel(GObject.Object):
    """The two objects the column view's sorter compares to tell which
    column sorts and which way (GTK 4.8 cannot say it otherwise)."""


class EditDialog(Adw.Window):
    """Edits one book: its entries and spin buttons are bound to the
    book's properties; Save saves it, Cancel reverts it."""

    def __init__(self, window, book, author_name, adding):
        super().__init__(modal=True, transient_for=window, default_width=420,
                         title='Add Book' if adding else 'Edit Book', hide_on_close=False)
        self.window = window
        self.book = book
        self.adding = adding
        # The values of a saved book as they were, to undo the edit.
        self.before = None if adding else book_values(book)
        self.saved = False
        self.bindings = []

        header = Adw.HeaderBar(show_end_title_buttons=False, show_start_title_buttons=False)
        self.cancel_button = Gtk.Button(label='_Cancel', use_underline=True)
        self.cancel_button.connect('clicked', lambda button: self.cancel())
        header.pack_start(self.cancel_button)
        self.save_button = Gtk.Button(label='_Add' if adding else '_Save', use_underline=True)
        self.save_button.add_css_class('suggested-action')
        self.save_button.connect('clicked', lambda button: window.spawn(self.save()))
        header.pack_end(self.save_button)

        group = Adw.PreferencesGroup()
        self.title_row = Adw.EntryRow(title='Title')
        self.bind('title', self.title_row, 'text')
        group.add(self.title_row)
        self.author_row = Adw.EntryRow(title='Author', text=author_name or '')
        group.add(self.author_row)
        self.year_spin = self.spin_row(group, 'Year', 'year', 0, 9999)
        self.pages_spin = self.spin_row(group, 'Pages', 'pages', 0, 100000,
                                        subtitle='0 when unknown')
        self.rating_spin = self.spin_row(group, 'Rating', 'rating', 0, 5)
        read_row = Adw.ActionRow(title='Read')
        self.read_switch = Gtk.Switch(valign=Gtk.Align.CENTER)
        self.bind('read', self.read_switch, 'active')
        read_row.add_suffix(self.read_switch)
        read_row.set_activatable_widget(self.read_switch)
        group.add(read_row)
        self.title_row.connect('notify::text', lambda *args: self.update_sensitivity())
        self.author_row.connect('notify::text', lambda *args: self.update_sensitivity())
        self.update_sensitivity()

        self.page = Adw.PreferencesPage()
        self.page.add(group)
        # A refused save shows its error here; the dialog stays open.
        self.toast_overlay = Adw.ToastOverlay(child=self.page, vexpand=True)
        self.last_error = None
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        box.append(header)
        box.append(self.toast_overlay)
        self.set_content(box)
        self.connect('close-request', self.on_close_request)

    def bind(self, name, widget, target):
        self.bindings.append(self.book.bind_property(
            name, widget, target,
            GObject.BindingFlags.BIDIRECTIONAL | GObject.BindingFlags.SYNC_CREATE))

    def spin_row(self, group, title, name, lower, upper, subtitle=None):
        row = Adw.ActionRow(title=title)
        if subtitle:
            row.set_subtitle(subtitle)
        spin = Gtk.SpinButton(adjustment=Gtk.Adjustment(lower=lower, upper=upper,
                                                        step_increment=1, page_increment=10),
                              valign=Gtk.Align.CENTER, numeric=True)
        self.bind(name, spin, 'value')
        row.add_suffix(spin)
        row.set_activatable_widget(spin)
        group.add(row)
        return spin

    def update_sensitivity(self):
        self.save_button.set_sensitive(bool(self.title_row.get_text().strip()) and
                                       bool(self.author_row.get_text().strip()))

    def unbind_all(self):
        for binding in self.bindings:
            binding.unbind()
        self.bindings = []

    async def save(self):
        """Saves the book with the author of that name (found, or added)
        in one transaction on the database worker: a refused save leaves
        nothing behind (not the new author), and the dialog stays open with
        the error shown, for the user to fix."""
        self.save_button.set_sensitive(False)
        # The worker reads the book while it saves it: nothing changes it
        # meanwhile.
        self.page.set_sensitive(False)
        book = self.book
        name = self.author_row.get_text().strip()
        if book.pages == 0:
            book.pages = None

        def save_with_author(database, data):
            # On the worker. A book the window shows is not changed here
            # (its cells would hear of it on this thread): it is saved,
            # then its author's key is updated in bulk, which libgorm hands
            # to the live object in the main context.
            authors = Author.objects.using(database)
            author = authors.filter(name=name).order_by('id').first()
            if author is None:
                author = authors.create(name=name)
            if not book.is_saved():
                book.author = author
                book.save()
            else:
                book.save()
                if book.author_id != author.id:
                    Book.objects.using(database).filter(pk=book.id).update(author_id=author.id)
            return True

        try:
            await self.window.database.arun_in_transaction(save_with_author)
        except (GLib.Error, Gorm.Error) as error:
            self.show_error(error)
            return
        finally:
            self.page.set_sensitive(True)
            self.update_sensitivity()
        self.saved = True
        self.unbind_all()
        self.destroy()
        self.window.dialog_closed(self)
        self.window.book_saved(book, self.before)

    def show_error(self, error):
        self.last_error = error.message or str(error)
        self.toast_overlay.add_toast(Adw.Toast(title=self.last_error, timeout=5))

    def cancel(self):
        self.close()

    def on_close_request(self, dialog):
        if not self.saved:
            self.unbind_all()
            if not self.adding:
                # The object is the one the list shows: back to its row.
                self.window.spawn(self.book.areload())
            self.window.dialog_closed(self)
        return False


# The column view's borders, drawn the cheap way, as the C application
# draws them (see add_column_view_style() in demos/library/library-window.c):
# GTK 4.8's cairo renderer draws a border whose sides differ in colour as
# four clipped, antialiased fills, and the theme gives every cell a
# transparent left border and every row a top border of another colour
# than its other sides. One colour on all four sides looks the same.
COLUMN_VIEW_CSS = """
columnview.library-books > listview > row > cell,
columnview.library-books > header > button {
  border-color: transparent;
}
columnview.library-books > listview.separators:not(.horizontal) > row:not(.separator) {
  border-color: alpha(currentColor, 0.15);
}
"""


_styled_displays = set()


def add_column_view_style(column_view):
    column_view.add_css_class('library-books')
    display = column_view.get_display()
    if display.get_name() in _styled_displays:
        return
    provider = Gtk.CssProvider()
    provider.load_from_data(COLUMN_VIEW_CSS.encode())
    Gtk.StyleContext.add_provider_for_display(display, provider,
                                              Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)
    _styled_displays.add(display.get_name())


class LibraryWindow(Adw.ApplicationWindow):
    """The main window. A test reaches its parts as attributes:
    ``search_entry``, ``column_view``, ``columns`` (by name), ``model``
    (the live model shown), ``edit_dialog``, ``toast_overlay``,
    ``progress_bar``, ``status_stack``."""

    __gsignals__ = {
        # Emitted when the model shown changed (a new query) or its items
        # changed, once the count and the status are up to date.
        'model-changed': (GObject.SignalFlags.RUN_LAST, None, ()),
        # Emitted when an asynchronous operation the window started ends,
        # with its error message or None.
        'operation-done': (GObject.SignalFlags.RUN_LAST, None, (str, object)),
    }

    def __init__(self, application, database_uri):
        super().__init__(application=application, default_width=960, default_height=640,
                         title='Gorm Library')
        self.database_uri = database_uri
        self.database = None
        self.model = None
        self.model_generation = 0
        self.search_text = ''
        self.order = ('title',)
        self.edit_dialog = None
        self.undo_record = (None, None, None)
        self.generation_cancellable = None
        self.tasks = set()
        self.errors = []
        self.shown_toast = None

        self.add_actions()
        self.toast_overlay = Adw.ToastOverlay()
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        box.append(self.build_header())
        box.append(self.build_search_bar())
        box.append(self.build_progress())
        box.append(self.build_content())
        self.toast_overlay.set_child(box)
        self.set_content(self.toast_overlay)
        self.set_enabled(False)
        self.spawn(self.open_database())

    # Building.

    def build_header(self):
        header = Adw.HeaderBar()
        self.window_title = Adw.WindowTitle(title='Gorm Library', subtitle='')
        header.set_title_widget(self.window_title)
        add = Gtk.Button(icon_name='list-add-symbolic', tooltip_text='Add Book',
                         action_name='win.add')
        header.pack_start(add)
        self.search_button = Gtk.ToggleButton(icon_name='system-search-symbolic',
                                              tooltip_text='Search', active=True)
        header.pack_end(self.menu_button())
        header.pack_end(self.search_button)
        return header

    def menu_button(self):
        menu = Gio.Menu()
        section = Gio.Menu()
        item = Gio.MenuItem.new('_Generate 1,000,000 Books…', None)
        item.set_action_and_target_value('win.generate', GLib.Variant('u', 1000000))
        section.append_item(item)
        section.append('_Delete All Books…', 'win.delete-all')
        menu.append_section(None, section)
        about = Gio.Menu()
        about.append('_About Gorm Library', 'win.about')
        menu.append_section(None, about)
        return Gtk.MenuButton(icon_name='open-menu-symbolic', menu_model=menu,
                              tooltip_text='Main Menu', primary=True)

    def build_search_bar(self):
        self.search_entry = Gtk.SearchEntry(placeholder_text='Search titles and authors',
                                            hexpand=True)
        self.search_entry.connect('search-changed', self.on_search_changed)
        clamp = Adw.Clamp(maximum_size=480, child=self.search_entry)
        self.search_bar = Gtk.SearchBar(child=clamp, search_mode_enabled=True,
                                        show_close_button=False)
        self.search_bar.connect_entry(self.search_entry)
        self.search_bar.set_key_capture_widget(self)
        self.search_button.bind_property('active', self.search_bar, 'search-mode-enabled',
                                         GObject.BindingFlags.BIDIRECTIONAL |
                                         GObject.BindingFlags.SYNC_CREATE)
        return self.search_bar

    def build_progress(self):
        self.progress_bar = Gtk.ProgressBar(show_text=True, hexpand=True,
                                            valign=Gtk.Align.CENTER)
        cancel = Gtk.Button(label='_Cancel', use_underline=True,
                            action_name='win.cancel-generate')
        box = Gtk.Box(spacing=12, margin_start=12, margin_end=12, margin_top=6,
                      margin_bottom=6)
        box.append(Gtk.Label(label='Generating books'))
        box.append(self.progress_bar)
        box.append(cancel)
        self.progress_revealer = Gtk.Revealer(child=box, reveal_child=False)
        return self.progress_revealer

    def build_content(self):
        self.column_view = Gtk.ColumnView(show_column_separators=False,
                                          show_row_separators=True, vexpand=True,
                                          single_click_activate=False, reorderable=False)
        self.column_view.add_css_class('data-table')
        add_column_view_style(self.column_view)
        self.column_view.connect('activate', self.on_row_activated)
        self.columns = {}
        self.sentinels = (Sentinel(), Sentinel())
        self.sort_calls = []
        for name, title, key, xalign, expand in COLUMNS:
            factory = Gtk.SignalListItemFactory()
            if name == 'read':
                factory.connect('setup', self.setup_check)
                factory.connect('bind', self.bind_check)
                factory.connect('unbind', self.unbind_check)
            else:
                factory.connect('setup', self.setup_label, xalign, name)
                factory.connect('bind', self.bind_label, name)
                factory.connect('unbind', self.unbind_label)
            column = Gtk.ColumnViewColumn(title=title, factory=factory, expand=expand,
                                          resizable=True)
            column.set_sorter(Gtk.CustomSorter.new(self.sort_probe, name))
            self.column_view.append_column(column)
            self.columns[name] = column
        factory = Gtk.SignalListItemFactory()
        factory.connect('setup', self.setup_delete)
        self.columns['delete'] = Gtk.ColumnViewColumn(factory=factory)
        self.column_view.append_column(self.columns['delete'])
        self.column_view.sort_by_column(self.columns['title'], Gtk.SortType.ASCENDING)
        self.column_view.get_sorter().connect('changed', self.on_sorter_changed)

        delete_key = Gtk.ShortcutController()
        delete_key.add_shortcut(Gtk.Shortcut(
            trigger=Gtk.ShortcutTrigger.parse_string('Delete'),
            action=Gtk.CallbackAction.new(self.on_delete_key)))
        self.column_view.add_controller(delete_key)

        self.scrolled = Gtk.ScrolledWindow(child=self.column_view, vexpand=True)
        self.status_stack = Gtk.Stack(vexpand=True)
        self.status_stack.add_named(self.scrolled, 'books')
        self.status_stack.add_named(Adw.StatusPage(
            icon_name='accessories-dictionary-symbolic', title='No Books',
            description='Add a book, or generate a million from the main menu'), 'empty')
        self.status_stack.add_named(Adw.StatusPage(
            icon_name='system-search-symbolic', title='No Results Found',
            description='Try another title or author'), 'no-results')
        self.status_stack.add_named(Adw.StatusPage(
            icon_name='document-save-symbolic', title='Generating Books',
            description='The list shows them once they are written'), 'generating')
        loading = Adw.StatusPage(title='Opening the Library')
        loading.set_child(Gtk.Spinner(spinning=True, width_request=32, height_request=32))
        self.status_stack.add_named(loading, 'loading')
        self.status_stack.set_visible_child_name('loading')
        return self.status_stack

    def add_actions(self):
        def action(name, callback, parameter_type=None):
            simple = Gio.SimpleAction.new(name, parameter_type and GLib.VariantType(parameter_type))
            simple.connect('activate', callback)
            self.add_action(simple)
            return simple
        action('add', lambda a, p: self.spawn(self.open_editor(None)))
        action('edit', lambda a, p: self.spawn(self.edit_by_id(p.get_int64())), 'x')
        action('delete', lambda a, p: self.spawn(self.delete_by_id(p.get_int64())), 'x')
        action('undo', lambda a, p: self.spawn(self.undo()))
        action('generate', lambda a, p: self.spawn(self.generate(p.get_uint32())), 'u')
        self.cancel_action = action('cancel-generate', lambda a, p: self.cancel_generation())
        self.cancel_action.set_enabled(False)
        action('delete-all', lambda a, p: self.confirm_delete_all())
        action('delete-all-confirmed', lambda a, p: self.spawn(self.delete_all()))
        action('about', lambda a, p: self.show_about())
        self.undo_action = self.lookup_action('undo')
        self.undo_action.set_enabled(False)

    def set_enabled(self, enabled):
        for name in ('add', 'edit', 'delete', 'generate', 'delete-all', 'delete-all-confirmed'):
            self.lookup_action(name).set_enabled(enabled)

    # Cells.

    # A cell is made for each of the ~200 rows GTK 4.8 keeps, and made
    # again for each query shown: what it costs, the main loop waits for.
    # Inscriptions, not labels (their size comes from their character
    # counts, not from their text), and no tooltips (see setup_delete()):
    # with labels and tooltips, showing a new query stalled the main loop
    # 0.6 to 1.5 s.

    def setup_label(self, factory, list_item, xalign, name):
        inscription = Gtk.Inscription(xalign=xalign, nat_chars=CELL_NAT_CHARS[name],
                                      text_overflow=Gtk.InscriptionOverflow.ELLIPSIZE_END)
        if xalign == 1.0:
            inscription.add_css_class('numeric')
        list_item.set_child(inscription)

    def bind_label(self, factory, list_item, name):
        book = list_item.get_item()
        cell = list_item.get_child()
        if name == 'author':
            self.show_author(book, cell, list_item)
            handler = book.connect('notify::author-id',
                                   lambda b, pspec: self.show_author(b, cell, list_item))
        else:
            self.show_value(book, cell, name)
            handler = book.connect('notify::' + name,
                                   lambda b, pspec: self.show_value(b, cell, name))
        list_item._gorm_handler = (book, handler)

    def unbind_label(self, factory, list_item):
        book, handler = list_item.__dict__.pop('_gorm_handler', (None, None))
        if book is not None:
            book.disconnect(handler)

    @staticmethod
    def show_value(book, cell, name):
        value = getattr(book, name)
        if name == 'pages':
            cell.set_text(format_pages(value))
        elif name == 'rating':
            cell.set_text(format_rating(value))
        else:
            cell.set_text(str(value))

    def show_author(self, book, cell, list_item):
        # select_related() loaded the author with the row; a book the
        # model gained since is given its author by the worker.
        author = book.peek_related('author')
        if author is not None:
            cell.set_text(author.name)
            return
        cell.set_text('')

        async def load():
            author = await book.aget_related('author')
            # The cell may show another book by now.
            if list_item.get_item() is book:
                cell.set_text(author.name if author else '')
                self.emit('model-changed')
        self.spawn(load())

    def setup_check(self, factory, list_item):
        check = Gtk.CheckButton(halign=Gtk.Align.CENTER)
        check.connect('toggled', self.on_read_toggled, list_item)
        list_item.set_child(check)

    def bind_check(self, factory, list_item):
        book = list_item.get_item()
        list_item._gorm_binding = book.bind_property('read', list_item.get_child(), 'active',
                                                     GObject.BindingFlags.SYNC_CREATE)

    def unbind_check(self, factory, list_item):
        binding = list_item.__dict__.pop('_gorm_binding', None)
        if binding is not None:
            binding.unbind()

    def on_read_toggled(self, check, list_item):
        book = list_item.get_item()
        if book is None or book.read == check.get_active():
            return
        book.read = check.get_active()
        self.spawn(book.asave())

    def setup_delete(self, factory, list_item):
        button = Gtk.Button(icon_name='user-trash-symbolic', halign=Gtk.Align.CENTER)
        # Named for assistive technologies rather than with a tooltip: on
        # X11, GTK 4.8 asks the server for the pointer (a round trip)
        # whenever a tooltip is set, ~200 times for each query shown.
        button.update_property([Gtk.AccessibleProperty.LABEL], ['Delete Book'])
        button.add_css_class('flat')
        button.connect('clicked', lambda b: self.delete_item(list_item.get_item()))
        list_item.set_child(button)

    # Sorting: the query's order_by, from the column view's sorter.

    def sort_probe(self, a, b, name):
        if a is self.sentinels[0] and b is self.sentinels[1]:
            self.sort_calls.append(name)
        return Gtk.Ordering.SMALLER

    def sort_order(self):
        """The (column name, descending) the column view sorts by."""
        self.sort_calls = []
        result = self.column_view.get_sorter().compare(*self.sentinels)
        if not self.sort_calls:
            return None
        return self.sort_calls[0], result == Gtk.Ordering.LARGER

    def on_sorter_changed(self, sorter, change):
        found = self.sort_order()
        order = ('title',) if found is None else (
            ('-' if found[1] else '') + SORT_KEYS[found[0]],)
        if order != self.order:
            self.order = order
            self.reload_model()

    # The database and the model.

    async def open_database(self):
        self.database = await Gorm.aopen(self.database_uri)
        await self.database.amigrate(MODELS)
        self.set_enabled(True)
        await self.show_query()

    def query(self):
        books = Book.objects.using(self.database).select_related('author')
        text = self.search_text
        if text:
            books = books.filter(Gorm.Q(title__icontains=text) |
                                 Gorm.Q(author__name__icontains=text))
        return books.order_by(*self.order)

    def reload_model(self):
        # While books are generated, the window shows no model: the
        # query runs again when they are written.
        if self.database is not None and self.generation_cancellable is None:
            self.spawn(self.show_query())

    def drop_model(self):
        self.model_generation += 1
        if self.model is not None:
            self.model.disconnect(self.model_handler)
        self.model = None
        self.column_view.set_model(None)

    async def show_query(self):
        self.model_generation += 1
        generation = self.model_generation
        model = await self.query().awatch()
        if generation != self.model_generation:
            return
        self.drop_model()
        self.model = model
        self.model_handler = model.connect('items-changed', self.on_items_changed)
        self.column_view.set_model(Gtk.SingleSelection(model=model, autoselect=False,
                                                       can_unselect=True))
        self.on_items_changed(model, 0, 0, 0)

    def on_items_changed(self, model, position, removed, added):
        n = model.get_n_items()
        self.window_title.set_subtitle(format_count(n))
        if n > 0:
            self.status_stack.set_visible_child_name('books')
        elif self.search_text:
            self.status_stack.set_visible_child_name('no-results')
        else:
            self.status_stack.set_visible_child_name('empty')
        self.emit('model-changed')

    def on_search_changed(self, entry):
        text = entry.get_text().strip()
        if text != self.search_text:
            self.search_text = text
            self.reload_model()

    # Tasks and errors.

    def spawn(self, coroutine):
        """Runs ``coroutine`` on the asyncio loop; an error it raises is
        shown in a toast."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.task_done)
        return task

    def task_done(self, task):
        self.tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            message = error.message if isinstance(error, GLib.Error) else str(error)
            self.errors.append(error)
            if os.environ.get('GORM_LIBRARY_DEBUG'):
                traceback.print_exception(error)
            self.toast(message or type(error).__name__)
        self.emit('operation-done', 'failed' if error else 'done', error)

    def toast(self, title, undo=False):
        # A new toast replaces the one shown: its news is older.
        if self.shown_toast is not None:
            self.shown_toast.dismiss()
        toast = self.shown_toast = Adw.Toast(title=title, timeout=5 if undo else 3)
        toast.connect('dismissed', self.on_toast_dismissed)
        if undo:
            toast.set_button_label('_Undo')
            toast.set_action_name('win.undo')
        self.toast_overlay.add_toast(toast)
        return toast

    # Add, edit, delete, undo.

    async def open_editor(self, book):
        if self.edit_dialog is not None:
            self.edit_dialog.present()
            return
        adding = book is None
        if adding:
            book = Book(database=self.database, year=datetime.date.today().year)
            author_name = ''
        else:
            author = await book.aget_related('author')
            author_name = author.name if author else ''
        self.edit_dialog = EditDialog(self, book, author_name, adding)
        self.edit_dialog.present()

    def dialog_closed(self, dialog):
        if self.edit_dialog is dialog:
            self.edit_dialog = None

    def on_row_activated(self, column_view, position):
        self.spawn(self.open_editor(self.model.get_item(position)))

    async def book_by_id(self, book_id):
        return await Book.objects.using(self.database).aget(pk=book_id)

    async def edit_by_id(self, book_id):
        await self.open_editor(await self.book_by_id(book_id))

    async def delete_by_id(self, book_id):
        await self.delete_book(await self.book_by_id(book_id))

    def delete_item(self, book):
        if book is not None:
            self.spawn(self.delete_book(book))

    def on_delete_key(self, widget, args):
        selection = self.column_view.get_model()
        book = selection.get_selected_item() if selection is not None else None
        self.delete_item(book)
        return book is not None

    async def delete_book(self, book):
        title = book.title
        # A deleted object's id is 0: the undo gives the new row this one.
        book_id = book.id
        await book.adelete()
        # The object keeps its values, its "added" date and its author:
        # saved again with its id, it is inserted again as it was.
        self.set_undo('delete', book, book_id)
        self.toast('“%s” deleted' % title, undo=True)

    def book_saved(self, book, before):
        """The edit dialog saved ``book``, whose values were ``before``
        (None for a new book)."""
        if before is not None and before != book_values(book):
            self.set_undo('edit', book, before)
            self.toast('“%s” saved' % book.title, undo=True)
        else:
            self.toast('Book saved')

    def set_undo(self, kind, book, values):
        self.undo_record = (kind, book, values)
        self.undo_action.set_enabled(book is not None)

    def on_toast_dismissed(self, toast):
        if self.shown_toast is toast:
            self.shown_toast = None

    async def undo(self):
        kind, book, values = self.undo_record
        self.set_undo(None, None, None)
        if book is None:
            return
        if kind == 'edit':
            for name, value in values.items():
                setattr(book, name, value)
        else:
            book.id = values
        await book.asave()

    # Generating and deleting many.

    async def generate(self, count):
        self.set_enabled(False)
        self.cancel_action.set_enabled(True)
        cancellable = self.generation_cancellable = Gio.Cancellable()
        # A live model would follow each batch: none while they are written.
        self.drop_model()
        self.status_stack.set_visible_child_name('generating')
        self.progress_bar.set_fraction(0)
        self.progress_bar.set_text(None)
        self.progress_revealer.set_reveal_child(True)
        done = 0

        def progress(written, total):
            self.progress_bar.set_fraction(written / total)
            self.progress_bar.set_text('%s of %s' % (
                locale.format_string('%d', written, grouping=True),
                locale.format_string('%d', total, grouping=True)))
        try:
            done = await generate_books(self.database, count, progress, cancellable)
        finally:
            self.progress_revealer.set_reveal_child(False)
            self.progress_bar.set_fraction(0)
            self.cancel_action.set_enabled(False)
            self.generation_cancellable = None
            self.set_enabled(True)
            self.reload_model()
        if cancellable.is_cancelled():
            self.toast('Stopped after %s' % format_count(done))
        else:
            self.toast('%s added' % format_count(done))
        return done

    def cancel_generation(self):
        if self.generation_cancellable is not None:
            self.generation_cancellable.cancel()

    def confirm_delete_all(self):
        dialog = Adw.MessageDialog(transient_for=self, heading='Delete All Books?',
                                   body='Every book of the library is deleted. '
                                        'This cannot be undone.')
        dialog.add_response('cancel', '_Cancel')
        dialog.add_response('delete', '_Delete All')
        dialog.set_response_appearance('delete', Adw.ResponseAppearance.DESTRUCTIVE)
        dialog.set_default_response('cancel')
        dialog.set_close_response('cancel')
        dialog.connect('response', lambda d, response: response == 'delete' and
                       self.activate_action('win.delete-all-confirmed', None))
        dialog.present()
        self.delete_all_dialog = dialog

    async def delete_all(self):
        self.set_undo(None, None, None)
        # As while books are generated, no live model follows the rows
        # one by one (each would cost it a query): it is watched again
        # once they are gone.
        self.drop_model()
        self.status_stack.set_visible_child_name('loading')
        try:
            n, _ = await Book.objects.using(self.database).adelete()
        finally:
            self.reload_model()
        self.toast('%s deleted' % format_count(n))

    def show_about(self):
        Adw.AboutWindow(transient_for=self, application_name='Gorm Library',
                        application_icon='accessories-dictionary-symbolic',
                        developer_name='The libgorm developers', version='1.0',
                        comments='A library of books and authors on libgorm, in Python',
                        license_type=Gtk.License.LGPL_2_1).present()


class LibraryApplication(Adw.Application):

    def __init__(self, database_path=None, activated=None):
        super().__init__(application_id=APPLICATION_ID,
                         flags=Gio.ApplicationFlags.NON_UNIQUE)
        self.database_path = database_path
        self.activated = activated
        self.add_main_option('database', 0, GLib.OptionFlags.NONE, GLib.OptionArg.FILENAME,
                             'The database file (default: %s)' % default_database_path(),
                             'PATH')
        self.connect('handle-local-options', self.on_handle_local_options)
        self.window = None

    def on_handle_local_options(self, application, options):
        path = options.lookup_value('database', GLib.VariantType('ay'))
        if path is not None:
            self.database_path = path.get_bytestring().decode()
        return -1

    def database_uri(self):
        path = self.database_path or default_database_path()
        if '://' in path or path.startswith('sqlite:'):
            return path
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return 'sqlite:' + path

    def do_activate(self):
        if self.window is None:
            self.window = LibraryWindow(self, self.database_uri())
        self.window.present()
        if self.activated is not None:
            activated, self.activated = self.activated, None
            activated(self.window)


def run(argv, activated=None):
    """Runs the application on gbulb's asyncio loop; returns its status.
    ``activated(window)``, when given, is called once the window is shown
    (the tests drive it from there)."""
    import gbulb
    gbulb.install()
    loop = asyncio.get_event_loop()
    application = LibraryApplication(activated=activated)
    loop.run_forever(application=application, argv=argv)
    return 0


def main(argv=None):
    locale.setlocale(locale.LC_ALL, '')
    return run(sys.argv if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
