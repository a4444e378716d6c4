# SPDX-License-Identifier: LGPL-2.1-or-later
"""The C Gorm Library (demos/library) and its Python twin
(demos/library-python) open each other's database: the C application
(GORM_LIBRARY_C_APP, run under Xvfb) migrates a fresh database, which the
Python models then migrate without a change and use; the tables, columns
and indexes the Python models create are those the C application creates;
and the C application opens a database the Python models wrote without
changing it. On SQLite (Python's sqlite3 reads the schema) and on
PostgreSQL (psycopg2), as GORM_TEST_ENGINE says."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'python'))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'demos', 'library-python'))

import gormtest  # noqa: E402
import gorm_library as library  # noqa: E402

from gi.repository import Gorm  # noqa: E402

if gormtest.ENGINE == 'postgresql':
    import psycopg2
else:
    import sqlite3

C_APP = os.environ.get('GORM_LIBRARY_C_APP')
TIMEOUT = 30


class CrossLanguageTest(unittest.TestCase):

    def setUp(self):
        self.assertTrue(C_APP and os.access(C_APP, os.X_OK),
                        'GORM_LIBRARY_C_APP names no program: %r' % C_APP)
        self.directory = tempfile.TemporaryDirectory(prefix='gorm-library-cross-')
        self.addCleanup(self.directory.cleanup)
        self.count = 0
        Gorm.Database.clear_default()
        self.addCleanup(Gorm.Database.clear_default)

    def fresh(self):
        """(what --database takes, its URI) of a new empty database."""
        if gormtest.ENGINE == 'postgresql':
            uri = gormtest.fresh_uri(self)
            return uri, uri
        self.count += 1
        path = os.path.join(self.directory.name, 'library-%d.db' % self.count)
        return path, 'sqlite:' + path

    def select(self, uri, sql):
        if gormtest.ENGINE == 'sqlite':
            connection = sqlite3.connect(uri[len('sqlite:'):])
            try:
                return connection.execute(sql).fetchall()
            finally:
                connection.close()
        connection = psycopg2.connect(uri)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return [tuple(row) for row in cursor.fetchall()]
        finally:
            connection.close()

    def schema(self, uri):
        """The columns (table, name, type, NOT NULL, default) and the
        indexes of the two tables, in a form the column order leaves
        alone."""
        if gormtest.ENGINE == 'sqlite':
            columns = set()
            indexes = set()
            for table in ('author', 'book'):
                for _, name, kind, notnull, default, pk in self.select(
                        uri, 'PRAGMA table_info("%s")' % table):
                    columns.add((table, name, kind, notnull, default, pk))
                for row in self.select(uri, 'PRAGMA index_list("%s")' % table):
                    info = self.select(uri, 'PRAGMA index_info("%s")' % row[1])
                    indexes.add((table, row[1], row[2], tuple(c[2] for c in info)))
            foreign = self.select(uri, 'PRAGMA foreign_key_list("book")')
            return columns, indexes, {row[2:] for row in foreign}
        columns = set(self.select(
            uri, "SELECT table_name, column_name, data_type, is_nullable, column_default, "
                 "character_maximum_length FROM information_schema.columns "
                 "WHERE table_name IN ('author', 'book')"))
        indexes = set(self.select(
            uri, "SELECT tablename, indexname, indexdef FROM pg_indexes "
                 "WHERE tablename IN ('author', 'book')"))
        foreign = set(self.select(
            uri, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                 "WHERE conrelid IN ('author'::regclass, 'book'::regclass)"))
        return columns, indexes, foreign

    def has_tables(self, uri):
        try:
            if gormtest.ENGINE == 'sqlite':
                found = self.select(uri, "SELECT name FROM sqlite_master WHERE type = 'index'")
            else:
                found = self.select(uri, "SELECT indexname FROM pg_indexes")
        except Exception:
            return False
        names = {name for name, in found}
        return {'ix_book_year', 'ix_author_name'} <= names

    def check_running(self, process):
        if process.poll() is not None:
            self.fail('the C application stopped (%d): %s' % (
                process.returncode, process.stdout.read().decode(errors='replace')))

    def run_c_app(self, argument, uri, until):
        """Runs the C application on ``argument`` until ``until()`` or a
        few seconds; it must still run then (no crash), and stops."""
        process = subprocess.Popen([C_APP, '--database', argument],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + TIMEOUT
            while not until() and time.monotonic() < deadline:
                self.check_running(process)
                time.sleep(0.1)
            self.assertTrue(until(), 'the C application did not get there in %d s' % TIMEOUT)
            # Its migration and first query are done by then.
            time.sleep(2)
            self.check_running(process)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            output = process.communicate(timeout=TIMEOUT)[0].decode(errors='replace')
        self.assertNotIn('CRITICAL', output)
        self.assertNotIn('WARNING', output)
        return output

    def python_writes(self, uri):
        """Migrates and writes through the Python models; returns what it
        reads back."""
        database = Gorm.open(uri)
        try:
            database.migrate(library.MODELS)
            author = library.Author(name='Ann Writer', database=database)
            author.save()
            library.Book(title='Cross Book', author=author, year=2001, pages=None, rating=3,
                         read=True, database=database).save()
            books = library.Book.objects.using(database).select_related('author')
            return [(b.title, b.author.name, b.year, b.pages, b.rating, b.read,
                     b.added is not None) for b in books.order_by('title')]
        finally:
            Gorm.Database.clear_default()
            database.close()

    def test_python_opens_what_c_created(self):
        argument, uri = self.fresh()
        self.run_c_app(argument, uri, lambda: self.has_tables(uri))
        c_schema = self.schema(uri)
        self.assertEqual(self.python_writes(uri),
                         [('Cross Book', 'Ann Writer', 2001, None, 3, True, True)])
        # The Python models changed nothing of the C application's tables.
        self.assertEqual(self.schema(uri), c_schema)

        # A database the Python models create has those tables.
        _, python_uri = self.fresh()
        self.python_writes(python_uri)
        self.assertEqual(self.schema(python_uri), c_schema)

    def test_c_opens_what_python_wrote(self):
        argument, uri = self.fresh()
        self.python_writes(uri)
        schema = self.schema(uri)
        rows = self.select(uri, 'SELECT id, title, author_id, year, pages, rating FROM book')
        self.run_c_app(argument, uri, lambda: True)
        self.assertEqual(self.schema(uri), schema)
        self.assertEqual(self.select(uri, 'SELECT id, title, author_id, year, pages, rating '
                                          'FROM book'), rows)


if __name__ == '__main__':
    unittest.main(verbosity=int(os.environ.get('GORM_TEST_VERBOSITY', '2')))
