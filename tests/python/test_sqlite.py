# SPDX-License-Identifier: LGPL-2.1-or-later
"""What only SQLite has: database files, their URIs and parameters, and
databases in memory shared by name. Registered in the suite "sqlite-only",
which the PostgreSQL run leaves out (tests/meson.build)."""

import os
import tempfile

from gormtest import DatabaseTestCase, main
from gi.repository import Gorm


class User(Gorm.Resource):
    email = Gorm.Field(str, unique=True, max_length=20)


class FileTest(DatabaseTestCase):

    def test_read_only_uri(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'shop.db')
            writer = Gorm.Database.open('sqlite:' + path)
            writer.migrate([User])
            User(database=writer, email='kept@example.org').save()
            reader = Gorm.Database.open('sqlite:%s?mode=ro' % path)
            self.assertEqual(reader.query(User.__gtype__).count(None), 1)
            with self.assertRaises(Gorm.ReadOnlyError) as caught:
                User(database=reader, email='new@example.org').save()
            self.assertEqual(caught.exception.code, Gorm.Error.READ_ONLY)
            with self.assertRaises(Gorm.ReadOnlyError):
                reader.query(User.__gtype__).delete(None)
            self.assertEqual(writer.query(User.__gtype__).count(None), 1)
            reader.close()
            writer.close()

    def test_uri_parameters_are_honoured_or_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            for query, said in (('?foo=1', 'foo'), ('?mode=bogus', 'mode=bogus'),
                                ('?cache=shared', 'cache=shared')):
                with self.subTest(query=query):
                    with self.assertRaises(Gorm.OperationalError) as caught:
                        Gorm.Database.open('sqlite:%s/x.db%s' % (tmp, query))
                    self.assertEqual(caught.exception.code, Gorm.Error.CONNECTION)
                    self.assertIn(said, caught.exception.message)
            self.assertEqual(os.listdir(tmp), [])
            with self.assertRaises(Gorm.OperationalError) as caught:
                Gorm.Database.open('sqlite:%s/missing/x.db' % tmp)
            self.assertIn('does not exist', caught.exception.message)

        first = Gorm.Database.open('sqlite::memory:?cache=shared')
        second = Gorm.Database.open('sqlite::memory:?cache=shared')
        first.migrate([User])
        User(database=first, email='shared@example.org').save()
        self.assertEqual(second.query(User.__gtype__).count(None), 1)
        first.close()
        second.close()


if __name__ == '__main__':
    main()
