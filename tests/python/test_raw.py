# SPDX-License-Identifier: LGPL-2.1-or-later
"""Raw SQL that returns rows, in Python: Model.objects.raw() (model
instances through the identity map, len() and indexing), db.select()
(tuples of plain values) and db.cursor() (a small DB-API cursor), with
bound parameters, and their errors."""

import datetime

from gormtest import DatabaseTestCase, main, open_fresh
from gi.repository import Gorm

UTC = datetime.timezone.utc


class Question(Gorm.Resource):
    question_text = Gorm.Field(str, max_length=200)
    pub_date = Gorm.Field(datetime.datetime)
    rank = Gorm.Field(int, null=True)
    data = Gorm.Field(bytes)


class RawTestCase(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        self.new = Question.objects.create(question_text="What's new?", rank=2, data=b'\x00a',
                                           pub_date=datetime.datetime(2024, 3, 15, tzinfo=UTC))
        self.who = Question.objects.create(question_text='Who is there?', rank=None,
                                           pub_date=datetime.datetime(2023, 7, 2, tzinfo=UTC))
        self.old = Question.objects.create(question_text='Anyone?', rank=7,
                                           pub_date=datetime.datetime(2020, 1, 1, tzinfo=UTC))


class RawQuerySetTest(RawTestCase):

    def test_raw_gives_the_model_objects(self):
        found = Question.objects.raw('SELECT * FROM question WHERE id > ? ORDER BY id',
                                     [self.new.pk])
        self.assertIsInstance(found, Gorm.RawQuerySet)
        self.assertEqual(list(found), [self.who, self.old])
        # The identity map: the very objects already loaded.
        self.assertIs(found[0], self.who)
        self.assertEqual(len(found), 2)
        self.assertTrue(found)
        self.assertEqual([q.question_text for q in found[::-1]], ['Anyone?', 'Who is there?'])
        self.assertIn('SELECT * FROM question', repr(found))

    def test_columns_in_any_order_and_extra_columns(self):
        found = Question.objects.raw(
            'SELECT data, rank, 1 + 1 AS two, pub_date, question_text, id FROM question '
            'WHERE question_text = ?', ["What's new?"])
        self.assertEqual(list(found), [self.new])

    def test_objects_not_loaded_yet(self):
        key = self.old.pk
        del self.old, self.new, self.who
        found = list(Question.objects.raw('SELECT * FROM question WHERE rank = ?', [7]))
        self.assertEqual([(q.pk, q.question_text, q.rank) for q in found], [(key, 'Anyone?', 7)])
        self.assertEqual(found[0].pub_date, datetime.datetime(2020, 1, 1, tzinfo=UTC))

    def test_using_another_database(self):
        other = open_fresh(self)
        Question.objects.using(other).create(question_text='elsewhere', rank=1,
                                             pub_date=datetime.datetime.now(UTC))
        found = Question.objects.raw('SELECT * FROM question ORDER BY id').using(other)
        self.assertEqual([q.question_text for q in found], ['elsewhere'])
        self.assertIs(found[0].get_database(), other)
        self.assertEqual(len(Question.objects.raw('SELECT * FROM question')), 3)

    def test_errors(self):
        with self.assertRaisesRegex(Gorm.ValidationError, 'question_text'):
            list(Question.objects.raw('SELECT id, rank, pub_date, data FROM question'))
        with self.assertRaises(Gorm.ValidationError):
            list(Question.objects.raw('DELETE FROM question'))
        with self.assertRaises(Gorm.Error):
            list(Question.objects.raw('SELECT * FROM nowhere'))
        with self.assertRaises(TypeError):
            Question.objects.raw(None)
        # Nothing was deleted, and the next query works.
        self.assertEqual(len(Question.objects.raw('SELECT * FROM question')), 3)


class SelectTest(RawTestCase):

    def test_rows_as_tuples(self):
        rows = self.db.select('SELECT question_text, rank, data FROM question '
                              'WHERE id >= ? ORDER BY id', [self.new.pk])
        self.assertEqual(rows, [("What's new?", 2, b'\x00a'), ('Who is there?', None, b''),
                                ('Anyone?', 7, b'')])
        self.assertIs(type(rows[0][1]), int)

    def test_computed_values_and_parameters(self):
        rows = self.db.select('SELECT count(*) AS n, max(rank), max(question_text) FROM question '
                              'WHERE question_text <> ?', ['Anyone?'])
        self.assertEqual(rows, [(2, 2, 'Who is there?')])
        big = 2 ** 40
        self.assertEqual(self.db.select('SELECT id FROM question WHERE id < ? ORDER BY id',
                                        [big])[0], (self.new.pk,))
        self.assertEqual(self.db.select('SELECT id FROM question WHERE rank > ?', [100]), [])

    def test_errors(self):
        with self.assertRaises(Gorm.ValidationError):
            self.db.select('UPDATE question SET rank = 0')
        with self.assertRaises(Gorm.Error):
            self.db.select('SELECT nope FROM question')
        with self.assertRaises(Gorm.TypeMismatchError):
            self.db.select('SELECT ?', [object()])
        self.assertEqual(self.db.select('SELECT rank FROM question WHERE rank = ?', [7]), [(7,)])
        self.assertEqual(Question.objects.filter(rank=0).count(), 0)


class CursorTest(RawTestCase):

    def test_select(self):
        with self.db.cursor() as cursor:
            cursor.execute('SELECT id, question_text FROM question WHERE rank IS NOT NULL '
                           'ORDER BY id')
            self.assertEqual([column[0] for column in cursor.description], ['id', 'question_text'])
            self.assertEqual(cursor.rowcount, 2)
            self.assertEqual(cursor.fetchone(), (self.new.pk, "What's new?"))
            self.assertEqual(cursor.fetchall(), [(self.old.pk, 'Anyone?')])
            self.assertIsNone(cursor.fetchone())
            cursor.execute('SELECT question_text FROM question ORDER BY id')
            self.assertEqual(cursor.fetchmany(2), [("What's new?",), ('Who is there?',)])
            self.assertEqual(cursor.fetchmany(2), [('Anyone?',)])
            cursor.execute('SELECT rank FROM question WHERE rank > ? ORDER BY rank', [1])
            self.assertEqual(list(cursor), [(2,), (7,)])

    def test_statements_that_change_rows(self):
        cursor = self.db.cursor()
        cursor.execute('UPDATE question SET rank = ? WHERE rank IS NULL', [3])
        self.assertEqual(cursor.rowcount, 1)
        self.assertIsNone(cursor.description)
        cursor.executemany('DELETE FROM question WHERE rank = ?', [[3], [7]])
        self.assertEqual(cursor.rowcount, 2)
        self.assertEqual(self.db.select('SELECT count(*) FROM question'), [(1,)])

    def test_errors(self):
        cursor = self.db.cursor()
        with self.assertRaises(Gorm.Error):
            cursor.execute('SELECT nope FROM question')
        with self.assertRaises(Gorm.Error):
            cursor.execute('UPDATE nowhere SET a = 1')
        cursor.execute('SELECT count(*) FROM question')
        self.assertEqual(cursor.fetchone(), (3,))
        cursor.close()
        with self.assertRaises(Gorm.OperationalError):
            cursor.execute('SELECT 1')
        with self.assertRaises(Gorm.OperationalError):
            cursor.fetchall()


if __name__ == '__main__':
    main()
