# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors are Python exceptions carrying the GormError code and message."""

import unittest

from gormtest import DatabaseTestCase, main
from gi.repository import GLib, Gorm


class User(Gorm.Resource):
    email = Gorm.Field(str, unique=True, max_length=20)


class ErrorTest(DatabaseTestCase):

    def test_unique_violation(self):
        User(email='a@example.org').save()
        duplicate = User(email='a@example.org')
        with self.assertRaises(Gorm.IntegrityError) as caught:
            duplicate.save()
        error = caught.exception
        self.assertEqual(error.code, Gorm.Error.CONSTRAINT)
        self.assertEqual(int(error.code), 2)
        # SQLite: 'UNIQUE constraint failed'; PostgreSQL: 'violates unique constraint'.
        self.assertIn('unique', error.message.lower())
        self.assertIn('email', str(error))
        self.assertFalse(duplicate.is_saved())

    def test_validation_error(self):
        with self.assertRaises(Gorm.ValidationError) as caught:
            User(email='x' * 21).save()
        self.assertEqual(caught.exception.code, Gorm.Error.VALIDATION)
        self.assertIn('email', caught.exception.message)
        self.assertIn('20', caught.exception.message)

    def test_unknown_lookup_field_fails_before_sql(self):
        self.db.close()
        # The database is closed, so any SQL would fail with CONNECTION.
        with self.assertRaises(Gorm.FieldError) as caught:
            User.objects.filter(name='a')
        self.assertEqual(caught.exception.code, Gorm.Error.UNKNOWN_PROPERTY)
        self.assertIn('User', caught.exception.message)
        self.assertIn("'name'", caught.exception.message)

    def test_unknown_property_in_a_c_query(self):
        query = self.db.query(User).filter(Gorm.Filter.eq('name', 'a'))
        with self.assertRaises(Gorm.FieldError) as caught:
            query.count()
        self.assertEqual(caught.exception.code, Gorm.Error.UNKNOWN_PROPERTY)
        self.assertIn('name', caught.exception.message)

    def test_errors_are_glib_errors(self):
        User(email='a').save()
        with self.assertRaises(GLib.Error) as caught:
            User(email='a').save()
        error = caught.exception
        self.assertIsInstance(error, Gorm.Error)
        self.assertEqual(error.domain, 'gorm-error-quark')
        self.assertTrue(error.matches(Gorm.error_quark(), Gorm.Error.CONSTRAINT))

    def test_not_found_is_the_model_does_not_exist(self):
        user = User.objects.create(email='a')
        User.objects.all().delete()
        with self.assertRaises(User.DoesNotExist):
            self.db.get(User, user.id if user.id else 1)
        with self.assertRaises(Gorm.ObjectDoesNotExist) as caught:
            user.reload()
        self.assertEqual(caught.exception.code, Gorm.Error.NOT_FOUND)

    def test_closed_database(self):
        self.db.close()
        with self.assertRaises(Gorm.OperationalError) as caught:
            User.objects.count()
        self.assertEqual(caught.exception.code, Gorm.Error.CONNECTION)

    def test_bad_uri(self):
        with self.assertRaises(Gorm.OperationalError):
            Gorm.open('nosuchdriver:whatever')

    def test_codes_and_classes(self):
        classes = {
            Gorm.Error.FAILED: Gorm.Error,
            Gorm.Error.NOT_FOUND: Gorm.ObjectDoesNotExist,
            Gorm.Error.CONSTRAINT: Gorm.IntegrityError,
            Gorm.Error.VALIDATION: Gorm.ValidationError,
            Gorm.Error.UNKNOWN_PROPERTY: Gorm.FieldError,
            Gorm.Error.UNSUPPORTED_TYPE: Gorm.UnsupportedTypeError,
            Gorm.Error.TYPE_MISMATCH: Gorm.TypeMismatchError,
            Gorm.Error.CONNECTION: Gorm.OperationalError,
            Gorm.Error.MIGRATION: Gorm.MigrationError,
            Gorm.Error.BUSY: Gorm.BusyError,
        }
        for code, cls in classes.items():
            with self.subTest(code=code):
                error = cls('message')
                self.assertEqual(error.code, code)
                self.assertEqual(str(error), 'message')
        self.assertTrue(issubclass(Gorm.BusyError, Gorm.OperationalError))


if __name__ == '__main__':
    main()
