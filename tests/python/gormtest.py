# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared set-up of the Python tests: imports Gorm through PyGObject and
gives each test a fresh database as the default database.

The engine is GORM_TEST_ENGINE: ``sqlite`` (the default) gives a database
in memory; ``postgresql`` a new database ``gorm_test_<pid>_<n>`` created on
the server GORM_TEST_POSTGRESQL names (a URI of a role that may create
databases) and dropped when the test ends."""

import asyncio
import atexit
import contextlib
import gc
import importlib.util
import os
import re
import tempfile
import unittest
import urllib.parse

import gi

gi.require_version('Gorm', '1.0')
from gi.repository import GLib, Gorm  # noqa: E402

# A test run against the override in the source tree must not pick up an
# installed one by accident.
assert hasattr(Gorm, 'Field'), 'the Gorm override was not loaded: set PYTHONPATH'


ENGINE = os.environ.get('GORM_TEST_ENGINE') or 'sqlite'
if ENGINE not in ('sqlite', 'postgresql'):
    raise SystemExit('GORM_TEST_ENGINE is %r: sqlite or postgresql' % ENGINE)
if ENGINE == 'postgresql' and not os.environ.get('GORM_TEST_POSTGRESQL'):
    raise SystemExit('GORM_TEST_ENGINE is postgresql but GORM_TEST_POSTGRESQL, '
                     'the URI of the server to test on, is not set')


class _Server:
    """The PostgreSQL server of GORM_TEST_POSTGRESQL: creates the fresh
    databases through a connection to its own database, and drops them."""

    def __init__(self):
        self.uri = os.environ['GORM_TEST_POSTGRESQL']
        self.admin = None
        self.created = []
        self.count = 0
        atexit.register(self.drop_all)

    def _connection(self):
        if self.admin is None:
            had_default = Gorm.Database.get_default()
            self.admin = Gorm.Database.open(self.uri)
            if had_default is None:
                Gorm.Database.clear_default()
        return self.admin

    def create(self):
        """Creates a new empty database; returns its URI."""
        self.count += 1
        name = 'gorm_test_%d_%d' % (os.getpid(), self.count)
        self._connection().execute('CREATE DATABASE "%s"' % name)
        self.created.append(name)
        parts = urllib.parse.urlsplit(self.uri)
        return urllib.parse.urlunsplit(parts._replace(path='/' + name))

    def drop(self, uri):
        """Drops the database of ``uri``, made by create(), even when a
        connection to it is still open."""
        name = urllib.parse.urlsplit(uri).path.lstrip('/')
        if name in self.created:
            self.created.remove(name)
            self._connection().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)

    def drop_all(self):
        for name in list(self.created):
            self.drop('/' + name)
        if self.admin is not None:
            self.admin.close()
            self.admin = None


_server = _Server() if ENGINE == 'postgresql' else None


def fresh_uri(test):
    """The URI of a new empty database on the engine under test, removed
    when ``test`` (a unittest.TestCase) ends: ``sqlite::memory:``, or a
    database of its own on the PostgreSQL server."""
    if _server is None:
        return 'sqlite::memory:'
    uri = _server.create()
    test.addCleanup(_server.drop, uri)
    return uri


def shown_uri(uri):
    """``uri`` as Gorm.Database.get_uri() gives it: the password of a
    PostgreSQL URI hidden."""
    parts = urllib.parse.urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = parts.netloc.replace(':%s@' % parts.password, ':***@', 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def open_fresh(test):
    """Opens a new empty database on the engine under test (see
    fresh_uri()), closed and removed when ``test`` ends. It becomes the
    default database when there is none."""
    uri = fresh_uri(test)
    db = Gorm.open(uri)

    def close():
        if not db.is_closed():
            db.close()
    test.addCleanup(close)
    return db


class DatabaseTestCase(unittest.TestCase):
    """A test owning a fresh database on the engine under test (see
    fresh_uri()), which is the default database while it runs."""

    def setUp(self):
        super().setUp()
        Gorm.Database.clear_default()
        self.db_uri = fresh_uri(self)
        self.db = Gorm.open(self.db_uri)
        self.addCleanup(self._close_database)

    def reload(self, obj):
        """The object of ``obj``'s row, fetched again by its key after a
        garbage collection: a new object when the caller keeps no other
        reference to ``obj``, else ``obj`` itself (the identity map)."""
        model, key = type(obj), obj.pk
        del obj
        gc.collect()
        return model.objects.get(pk=key)

    def _close_database(self):
        Gorm.Database.clear_default()
        if not self.db.is_closed():
            self.db.close()

    def run_main_loop(self, start, timeout=10):
        """Runs a GLib main loop until ``start(done)`` has called
        ``done(value)``, and returns the value."""
        loop = GLib.MainLoop()
        results = []

        def done(value=None):
            results.append(value)
            loop.quit()

        def expire():
            loop.quit()
            return GLib.SOURCE_REMOVE

        timer = GLib.timeout_add_seconds(timeout, expire)
        start(done)
        if not results:
            loop.run()
        if not results:
            self.fail('the callback was not called within %d seconds' % timeout)
        GLib.source_remove(timer)
        return results[0]


@contextlib.contextmanager
def statements(test=None):
    """Collects the statements libgorm runs in the block, printed by
    GORM_DEBUG=sql (see print_statements()) on the standard error (file
    descriptor 2)."""
    collected = []
    with tempfile.TemporaryFile(mode='w+') as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            yield collected
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        collected.extend(line[len('gorm: '):].rstrip('\n') for line in capture
                         if line.startswith('gorm: '))


def print_statements(test):
    """Has the databases opened until ``test`` ends print each statement
    they run (GORM_DEBUG=sql), for statements() to collect."""
    saved = os.environ.get('GORM_DEBUG')
    os.environ['GORM_DEBUG'] = 'sql'
    test.addCleanup(os.environ.__setitem__, 'GORM_DEBUG', saved or '')


class GbulbMixin:
    """For a DatabaseTestCase awaiting libgorm under gbulb's GLib event
    loop (Debian's python3-gbulb), which runs the GLib main context."""

    def setUp(self):
        super().setUp()
        import gbulb
        gbulb.install()
        self.addCleanup(asyncio.set_event_loop_policy, None)

    def run_async(self, coroutine):
        """Runs ``coroutine`` to its end (at most 10 seconds); its result."""
        return asyncio.run(asyncio.wait_for(coroutine, 10))


def source_root():
    """The root of the source tree (GORM_SOURCE_ROOT, or beside the tests)."""
    return os.environ.get('GORM_SOURCE_ROOT') or os.path.join(os.path.dirname(__file__),
                                                              '..', '..')


def _doc_examples():
    """tests/doc-examples.py, which extracts the examples of the pages for
    the C and Vala tests, as a module: its section() finds a heading."""
    path = os.path.join(source_root(), 'tests', 'doc-examples.py')
    spec = importlib.util.spec_from_file_location('doc_examples', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_examples(page, section=None):
    """The ```python blocks of ``page`` (a path below the source root), of
    its section ``SECTION`` (a heading of any level, up to the next one of
    its level or above) when given, in order."""
    with open(os.path.join(source_root(), page), encoding='utf-8') as f:
        text = f.read()
    if section is not None:
        text = _doc_examples().section(page, text, section)
    return re.findall(r'^```python\n(.*?)^```$', text, re.M | re.S)


def run_examples(test, page, section=None):
    """Runs the Python examples of ``page`` (see python_examples()) as
    written, in order, in one namespace, which it returns."""
    blocks = python_examples(page, section)
    test.assertTrue(blocks, '%s has no Python example' % page)
    namespace = {'__name__': 'examples'}
    for number, code in enumerate(blocks, 1):
        exec(compile(code, '%s (Python example %d)' % (page, number), 'exec'), namespace)
    return namespace


def main():
    """Runs the tests of the calling module, verbosely."""
    unittest.main(module='__main__', verbosity=int(os.environ.get('GORM_TEST_VERBOSITY', '2')))
