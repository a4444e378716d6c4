# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared set-up of the Python tests: imports Gorm through PyGObject and
gives each test a fresh database in memory as the default database."""

import os
import unittest

import gi

gi.require_version('Gorm', '1.0')
from gi.repository import GLib, Gorm  # noqa: E402

# A test run against the override in the source tree must not pick up an
# installed one by accident.
assert hasattr(Gorm, 'Field'), 'the Gorm override was not loaded: set PYTHONPATH'


class DatabaseTestCase(unittest.TestCase):
    """A test owning a fresh ``sqlite::memory:`` database, which is the
    default database while it runs."""

    def setUp(self):
        super().setUp()
        Gorm.Database.clear_default()
        self.db = Gorm.open('sqlite::memory:')
        self.addCleanup(self._close_database)

    def _close_database(self):
        Gorm.Database.clear_default()
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


def main():
    """Runs the tests of the calling module, verbosely."""
    unittest.main(module='__main__', verbosity=int(os.environ.get('GORM_TEST_VERBOSITY', '2')))
