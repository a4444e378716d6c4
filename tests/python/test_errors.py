# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors are Python exceptions carrying the GormError code and message."""

import re
import unittest

from gormtest import DatabaseTestCase, main
from gi.repository import GLib, GObject, Gorm


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


class Author(Gorm.Resource):
    name = Gorm.Field(str, unique=True, max_length=10)


class Book(Gorm.Resource):
    title = Gorm.Field(str)
    rating = Gorm.Field(GObject.TYPE_INT)
    stars = Gorm.Field(int, minimum=0, maximum=5)
    pub_date = Gorm.Field(str, null=True)
    author = Gorm.ForeignKey(Author, on_delete=Gorm.CASCADE, null=True)


class Shelf(Gorm.Resource):
    class Meta:
        table = 'author'
    label = Gorm.Field(str)


# What a message in Python's names never holds: C type names, GType
# names of Python models, libgda's parameters, C functions.
C_INTERNALS = re.compile(r'gchararray|gint|guint|gdouble|gboolean|\bGorm[A-Z]|##|::g|::null|'
                         r'\bgorm_\w+\(\)|__main__|\+Book|\+Author|:rating|:name\b')


class PythonMessageTest(DatabaseTestCase):
    """Every GLib.Error the override raises speaks Python: the model and
    field as Python spells them, the value, what to do; libgorm's own
    message stays in ``c_message``."""

    def check(self, exception_class, code, action, *expected, c_expected=()):
        with self.assertRaises(exception_class) as caught:
            action()
        error = caught.exception
        self.assertEqual(error.code, code)
        message = str(error)
        self.assertIsNone(C_INTERNALS.search(message), message)
        for text in expected:
            self.assertIn(text, message)
        self.assertIsInstance(error.c_message, str)
        for text in c_expected:
            self.assertIn(text, error.c_message)
        # libgda's parameter syntax reaches no message, C's neither.
        self.assertNotIn('##', error.c_message)
        return error

    def test_table(self):
        author = Author(name='a')
        author.save()
        cases = [
            ('value out of a 32-bit field', Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
             lambda: Book(title='x', rating=2 ** 40),
             ['Book.rating', 'an int field of 32 bits', '1099511627776', 'out of its range',
              'Gorm.Field(int) (64 bits)'], ['gint', '+Book:rating']),
            ('value beyond the maximum', Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
             lambda: Book(title='x', stars=9), ['Book.stars', '9', '0 to 5'], []),
            ('NOT NULL', Gorm.ValidationError, Gorm.Error.VALIDATION,
             lambda: Gorm.Resource.set_null(Book(title='x'), 'title'),
             ['Book.title', 'str field', 'null=True'], ['gchararray']),
            ('unique', Gorm.IntegrityError, Gorm.Error.CONSTRAINT,
             lambda: Author(name='a').save(), ['Author'], []),
            ('foreign key', Gorm.IntegrityError, Gorm.Error.CONSTRAINT,
             lambda: Book(title='x', author_id=999).save(),
             ['Book.author_id', '999', 'Author'], []),
            ('missing row', Book.DoesNotExist, Gorm.Error.NOT_FOUND,
             lambda: self.db.get(Book, 42), ['No Book has the id 42'], []),
            ('bad filter field', Gorm.FieldError, Gorm.Error.UNKNOWN_PROPERTY,
             lambda: self.db.query(Book).filter(Gorm.Filter.eq('nope', 1)).count(),
             ["Book has no field 'nope'"], ['stored property']),
            ('bad order field', Gorm.FieldError, Gorm.Error.UNKNOWN_PROPERTY,
             lambda: self.db.query(Book).order_by('nope', False).count(),
             ["Book has no field 'nope'"], []),
            ('type mismatch in a filter', Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
             lambda: self.db.query(Book).filter(Gorm.Filter.eq('rating', 'abc')).count(),
             ['the str "abc"', 'Book.rating', 'an int field of 32 bits'], []),
            ('LIKE on a number', Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
             lambda: list(Book.objects.filter(rating__contains='a')),
             ['Book.rating', 'an int field of 32 bits'], []),
            ('migration refusal', Gorm.MigrationError, Gorm.Error.MIGRATION,
             lambda: self.db.migrate([Shelf]), ['Shelf', 'allow_drop'], []),
        ]
        for name, cls, code, action, expected, c_expected in cases:
            with self.subTest(name):
                self.check(cls, code, action, *expected, c_expected=c_expected)

    def test_no_database(self):
        self.db.close()
        Gorm.Database.clear_default()
        self.check(Gorm.OperationalError, Gorm.Error.CONNECTION,
                   lambda: Gorm.Resource.save(Author(name='b'), None),
                   'Author', 'Gorm.open(uri)', c_expected=['gorm_database_set_default()'])

    def test_closed_database(self):
        query = self.db.query(Author)
        self.db.close()
        self.check(Gorm.OperationalError, Gorm.Error.CONNECTION, query.count, 'closed')

    def test_the_sql_of_a_refused_write_stays_in_c_message(self):
        Author(name='a').save()
        error = self.check(Gorm.IntegrityError, Gorm.Error.CONSTRAINT,
                           lambda: Author(name='a').save(), 'Author',
                           c_expected=['INSERT INTO'])
        self.assertNotIn('INSERT INTO', str(error))
        self.assertIn('VALUES (?)', error.c_message)

    def test_errors_made_in_python_keep_their_message(self):
        error = Gorm.ValidationError('message')
        self.assertEqual(error.c_message, 'message')


if __name__ == '__main__':
    main()
