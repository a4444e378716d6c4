# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the override takes from libgorm instead of computing it itself:
table names, stored properties, first-use migration, and ``update()`` of
several fields in one UPDATE statement."""

import enum
import os
import subprocess
import sys
import textwrap

from gormtest import DatabaseTestCase, main
from gi.repository import GLib, GObject, Gorm


class HTTPServerLog(Gorm.Resource):
    line = Gorm.Field(str)


class Book(Gorm.Resource):
    title = Gorm.Field(str, max_length=20)
    pages = Gorm.Field(int)
    read = Gorm.Field(bool)

    class Meta:
        table = 'library_books'


def _same_name_twice():
    """Two classes named Note: PyGObject calls the second one's type
    ``...+Note-v2``."""
    classes = []
    for _ in range(2):
        class Note(Gorm.Resource):
            body = Gorm.Field(str)
        classes.append(Note)
    return classes


class NamesTest(DatabaseTestCase):

    def test_table_names_come_from_libgorm(self):
        self.assertEqual(HTTPServerLog.get_table_name(), 'http_server_log')
        self.assertEqual(Book.get_table_name(), 'library_books')
        first, second = _same_name_twice()
        self.assertTrue(GObject.type_name(second.__gtype__).endswith('-v2'))
        self.assertEqual(first.get_table_name(), 'note')
        self.assertEqual(second.get_table_name(), 'note')

    def test_stored_properties_come_from_libgorm(self):
        self.assertEqual(sorted(Book.dup_stored_properties()), ['id', 'pages', 'read', 'title'])
        # The override shows them in the order of their declaration.
        with self.assertRaises(Gorm.FieldError) as caught:
            Book.objects.filter(colour='red')
        self.assertIn('id, pk, title, pages, read', str(caught.exception))

    def test_an_unstorable_model_says_why(self):
        class Holder(Gorm.Resource):
            thing = GObject.Property(type=GObject.Object)
        with self.assertRaises(Gorm.UnsupportedTypeError) as caught:
            Holder.objects.filter(thing=None)
        self.assertIn('thing', str(caught.exception))
        self.assertEqual(repr(Holder()), '<Holder unsaved>')


class Cached(Gorm.Resource):
    name = Gorm.Field(str)

    def __init__(self, **properties):
        super().__init__(**properties)
        self.cache = {'built': True}


class Shade(enum.Enum):
    LIGHT = 1
    DARK = 2


class Painted(Gorm.Resource):
    shade = Gorm.Field(Shade)
    coats = Gorm.Field(int)


class LoadedObjectTest(DatabaseTestCase):

    def test_loaded_objects_are_built_in_python(self):
        import gc
        Cached.objects.create(name='a')
        gc.collect()
        loaded = Cached.objects.get(name='a')
        # The model's own __init__ ran, without arguments, as PyGObject
        # ran it for objects built by g_object_new().
        self.assertEqual(loaded.cache, {'built': True})
        self.assertEqual(loaded.name, 'a')
        self.assertTrue(loaded.is_saved())
        self.assertFalse(loaded.is_dirty())


class MigrationTest(DatabaseTestCase):

    def test_first_use_migrates_once(self):
        self.assertFalse(self.db.is_migrated(Book))
        Book.objects.create(title='Dune')
        self.assertTrue(self.db.is_migrated(Book))
        self.assertEqual(self.db.execute('DELETE FROM library_books'), 1)

    def test_a_rollback_forgets_what_it_may_undo(self):
        class Rollback(Exception):
            pass
        with self.assertRaises(Rollback):
            with self.db.atomic():
                Book.objects.create(title='gone')
                self.assertTrue(self.db.is_migrated(Book))
                raise Rollback()
        # The table was created inside the transaction: it is gone, and
        # the next use creates it again.
        self.assertFalse(self.db.is_migrated(Book))
        Book.objects.create(title='kept')
        self.assertEqual([b.title for b in Book.objects.all()], ['kept'])

    def test_explicit_migrate_counts(self):
        self.db.migrate([HTTPServerLog])
        self.assertTrue(self.db.is_migrated(HTTPServerLog))
        self.assertFalse(self.db.is_migrated(Book))


# Counting statements: a child process with GORM_DEBUG=sql, which prints
# each statement libgorm runs.
COUNTING = textwrap.dedent('''
    import sys
    import gi
    gi.require_version('Gorm', '1.0')
    from gi.repository import Gorm

    class Book(Gorm.Resource):
        title = Gorm.Field(str, max_length=20)
        pages = Gorm.Field(int)
        read = Gorm.Field(bool)

    Gorm.open(sys.argv[1])
    for title, pages in [('Dune', 412), ('Emma', 474), ('Ulysses', 730)]:
        Book.objects.create(title=title, pages=pages)
    sys.stderr.write('--- update\\n')
    sys.stderr.flush()
    rows = Book.objects.filter(pages__gt=450).update(pages=100, read=True, title='Done')
    sys.stderr.write('--- done\\n')
    sys.stderr.flush()
    print(rows, sorted((b.title, b.pages, b.read) for b in Book.objects.all()))
''')


class UpdateTest(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        for title, pages in [('Dune', 412), ('Emma', 474), ('Ulysses', 730)]:
            Book.objects.create(title=title, pages=pages)

    def rows(self):
        return sorted((b.title, b.pages, b.read) for b in Book.objects.all())

    def test_one_statement_for_several_fields(self):
        env = dict(os.environ, GORM_DEBUG='sql')
        child = subprocess.run([sys.executable, '-c', COUNTING, self.db_uri], env=env,
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(child.returncode, 0, child.stderr)
        during = child.stderr.split('--- update\n')[1].split('--- done\n')[0]
        statements = [line for line in during.splitlines() if line.startswith('gorm: ')]
        self.assertEqual(len([s for s in statements if s.startswith('gorm: UPDATE')]), 1,
                         statements)
        self.assertEqual(child.stdout.strip(),
                         "2 [('Done', 100, True), ('Done', 100, True), ('Dune', 412, False)]")

    def test_filtered_and_ordered_fields_change_with_the_others(self):
        emma = Book.objects.get(title='Emma')
        # The rows are chosen before any of their fields changes.
        self.assertEqual(Book.objects.filter(pages__gt=450).order_by('pages')[:1]
                         .update(pages=1, title='First', read=True), 1)
        self.assertEqual(self.rows(), [('Dune', 412, False), ('First', 1, True),
                                       ('Ulysses', 730, False)])
        self.assertIs(Book.objects.get(title='First'), emma)
        self.assertEqual((emma.pages, emma.read), (1, True))

    def test_every_value_is_checked_before_any_sql(self):
        before = self.rows()
        with self.assertRaises(Gorm.FieldError):
            Book.objects.update(pages=1, colour='red')
        with self.assertRaises(Gorm.ValidationError):
            Book.objects.update(pages=1, title='x' * 21)
        with self.assertRaises(Gorm.TypeMismatchError):
            Book.objects.update(title='ok', pages='many')
        self.assertEqual(self.rows(), before)

    def test_nothing_to_update(self):
        self.assertEqual(Book.objects.update(), 0)

    def test_query_update_values_takes_plain_values(self):
        query = self.db.query(Book)
        self.assertEqual(query.update_values(['pages', 'read'], [2 ** 40, True]), 3)
        self.assertEqual({(b.pages, b.read) for b in Book.objects.all()}, {(2 ** 40, True)})
        with self.assertRaises(TypeError):
            query.update_values(['pages', 'read'], [1])
        with self.assertRaises(Gorm.Error) as caught:
            query.update_values(['pages', 'pages'], [1, 2])
        self.assertEqual(caught.exception.code, Gorm.Error.FAILED)
        self.assertIn('twice', str(caught.exception))

    def test_update_of_an_enum_field_with_others(self):
        Painted.objects.create(shade=Shade.LIGHT, coats=1)
        self.assertEqual(Painted.objects.update(shade=Shade.DARK, coats=2), 1)
        painted = Painted.objects.get()
        self.assertEqual((painted.shade, painted.coats), (Shade.DARK, 2))
        query = self.db.query(Painted)
        self.assertEqual(query.update_values(['shade', 'coats'], [Shade.LIGHT, 3]), 1)
        self.assertEqual((painted.shade, painted.coats), (Shade.LIGHT, 3))
        rows = self.run_main_loop(lambda done: query.update_values_async(
            ['shade', 'coats'], [Shade.DARK, 4], None,
            lambda source, result: done(source.update_values_finish(result))))
        self.assertEqual(rows, 1)
        self.assertEqual((painted.shade, painted.coats), (Shade.DARK, 4))

    def test_update_values_async(self):
        query = self.db.query(Book).filter(Gorm.Filter.eq('title', 'Dune'))
        rows = self.run_main_loop(lambda done: query.update_values_async(
            ['pages', 'read'], [5, True], None,
            lambda source, result: done(source.update_values_finish(result))))
        self.assertEqual(rows, 1)
        self.assertEqual(Book.objects.get(title='Dune').pages, 5)

        def finish(source, result, done):
            try:
                done(source.update_values_finish(result))
            except GLib.Error as error:
                done(error)
        error = self.run_main_loop(lambda done: query.update_values_async(
            ['pages', 'colour'], [5, 6], None, lambda s, r: finish(s, r, done)))
        self.assertIsInstance(error, Gorm.FieldError)


if __name__ == '__main__':
    main()
