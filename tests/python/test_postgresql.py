# SPDX-License-Identifier: LGPL-2.1-or-later
"""What only PostgreSQL has, from Python: connection errors that name the
server and database but never the password, the server's constraint and
type checks as Python exceptions, and two connections to one database.
Registered in the suite "postgresql-only", which only the PostgreSQL run
(meson test --setup postgresql) runs (tests/meson.build)."""

import socket
import urllib.parse

from gormtest import DatabaseTestCase, main
from gi.repository import Gorm


class Member(Gorm.Resource):
    email = Gorm.Field(str, unique=True, max_length=40)
    karma = Gorm.Field(int)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class ConnectionErrorTest(DatabaseTestCase):

    def with_parts(self, **changes):
        """This test's database URI with some of its parts changed."""
        return urllib.parse.urlunsplit(urllib.parse.urlsplit(self.db_uri)._replace(**changes))

    def assertConnectionError(self, uri, *named):
        parts = urllib.parse.urlsplit(uri)
        with self.assertRaises(Gorm.OperationalError) as caught:
            Gorm.Database.open(uri)
        error = caught.exception
        self.assertEqual(error.code, Gorm.Error.CONNECTION)
        self.assertNotIn(parts.password, error.message)
        self.assertNotIn(parts.password, str(error))
        for text in named:
            self.assertIn(text, error.message)
        return error

    def test_wrong_password(self):
        parts = urllib.parse.urlsplit(self.db_uri)
        wrong = 'Wr0ng-%s-secret' % parts.password[:4]
        netloc = '%s:%s@%s:%d' % (parts.username, wrong, parts.hostname, parts.port)
        uri = self.with_parts(netloc=netloc)
        self.assertConnectionError(uri, parts.hostname, str(parts.port), parts.path.lstrip('/'))

    def test_missing_database(self):
        parts = urllib.parse.urlsplit(self.db_uri)
        uri = self.with_parts(path='/gorm_test_no_such_database')
        self.assertConnectionError(uri, parts.hostname, str(parts.port),
                                   'gorm_test_no_such_database')

    def test_nothing_listens_on_the_port(self):
        parts = urllib.parse.urlsplit(self.db_uri)
        port = free_port()
        netloc = '%s:%s@127.0.0.1:%d' % (parts.username, parts.password, port)
        uri = self.with_parts(netloc=netloc)
        self.assertConnectionError(uri, '127.0.0.1', str(port))


class ServerTest(DatabaseTestCase):

    def test_unique_violation_is_an_integrity_error(self):
        Member(email='a@example.org').save()
        with self.assertRaises(Gorm.IntegrityError) as caught:
            Member(email='a@example.org').save()
        self.assertEqual(caught.exception.code, Gorm.Error.CONSTRAINT)
        self.assertEqual(Member.objects.count(), 1)

    def test_a_second_connection_reads_what_the_first_committed(self):
        self.db.migrate([Member])
        other = Gorm.Database.open(self.db_uri)
        self.addCleanup(other.close)
        other.migrate([Member])
        with self.db.atomic():
            Member(email='b@example.org', karma=3).save()
            # Not committed yet: the other connection does not see it.
            self.assertEqual(Member.objects.using(other).count(), 0)
        self.assertEqual(Member.objects.using(other).get(email='b@example.org').karma, 3)

    def test_values_round_trip_on_a_second_connection(self):
        values = [2 ** 62, -2 ** 62, 0]
        for i, karma in enumerate(values):
            Member(email='m%d@example.org' % i, karma=karma).save()
        other = Gorm.Database.open(self.db_uri)
        self.addCleanup(other.close)
        got = sorted(m.karma for m in Member.objects.using(other).all())
        self.assertEqual(got, sorted(values))


if __name__ == '__main__':
    main()
