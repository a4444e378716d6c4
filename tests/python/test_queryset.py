# SPDX-License-Identifier: LGPL-2.1-or-later
"""The rest of Django's QuerySet: last, latest, earliest, in_bulk, none,
iterator, exists, get_or_create, update_or_create, update() of a foreign
key, refresh_from_db, and the (total, {label: n}) of delete()."""

import datetime
import gc
import unittest.mock
import weakref

from gormtest import DatabaseTestCase, GbulbMixin, main, print_statements, statements
from gi.repository import Gorm


def day(n):
    return datetime.datetime(2024, 1, n, tzinfo=datetime.timezone.utc)


class Question(Gorm.Resource):
    question_text = Gorm.Field(str, max_length=200, unique=True)
    pub_date = Gorm.Field(datetime.datetime)
    rank = Gorm.Field(int)

    class Meta:
        app_label = 'polls'
        get_latest_by = 'pub_date'


class Choice(Gorm.Resource):
    question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE)
    choice_text = Gorm.Field(str, max_length=200)
    votes = Gorm.Field(int)

    class Meta:
        app_label = 'polls'


class Vote(Gorm.Resource):
    """Two levels of CASCADE: question → choice → vote."""
    choice = Gorm.ForeignKey(Choice, on_delete=Gorm.CASCADE)
    voter = Gorm.Field(str)

    class Meta:
        app_label = 'polls'


class Tag(Gorm.Resource):
    name = Gorm.Field(str, unique=True)
    questions = Gorm.ManyToManyField(Question, related_name='tags')

    class Meta:
        app_label = 'polls'


class Remark(Gorm.Resource):
    """SET_NULL: a remark outlives its question, and is not counted."""
    question = Gorm.ForeignKey(Question, on_delete=Gorm.SET_NULL, null=True)
    text = Gorm.Field(str)

    class Meta:
        app_label = 'polls'


class Note(Gorm.Resource):
    """No Meta: no get_latest_by, the app label of its module."""
    text = Gorm.Field(str)
    stars = Gorm.Field(int)


class Locked(Gorm.Resource):
    """PROTECT: a question with a lock cannot be deleted."""
    question = Gorm.ForeignKey(Question, on_delete=Gorm.PROTECT, related_name='locks')

    class Meta:
        app_label = 'polls'


class PollsTestCase(DatabaseTestCase):
    """Three questions (rank 3, 1, 2 on days 1, 2, 3), with three, two and
    no choices; a database printing its statements (GORM_DEBUG=sql)."""

    def setUp(self):
        print_statements(self)
        with statements():
            super().setUp()
            self.q = {}
            for n, (text, rank) in enumerate([('What?', 3), ('Who?', 1), ('Why?', 2)], 1):
                self.q[text] = Question.objects.create(question_text=text, pub_date=day(n),
                                                       rank=rank)
            for i in range(3):
                self.q['What?'].choice_set.create(choice_text='what %d' % i, votes=i)
            for i in range(2):
                self.q['Who?'].choice_set.create(choice_text='who %d' % i, votes=10 + i)

    def texts(self, questions):
        return [q.question_text for q in questions]


class LastLatestEarliestTest(PollsTestCase):

    def test_last(self):
        self.assertIs(Question.objects.last(), self.q['Why?'])
        self.assertIs(Question.objects.order_by('rank').last(), self.q['What?'])
        self.assertIs(Question.objects.order_by('-rank').last(), self.q['Who?'])
        self.assertIs(Question.objects.filter(rank__lt=3).last(), self.q['Why?'])
        self.assertIsNone(Question.objects.filter(rank__gt=3).last())
        self.assertIs(Choice.objects.order_by('question__pub_date', 'votes').last().votes, 11)
        self.assertEqual(self.texts(Question.objects.order_by('rank').reverse()),
                         ['What?', 'Why?', 'Who?'])

    def test_last_of_a_slice_is_a_type_error(self):
        with self.assertRaises(TypeError):
            Question.objects.all()[:2].last()
        with self.assertRaises(TypeError):
            Question.objects.all()[1:].reverse()
        self.assertIs(Question.objects.last(), self.q['Why?'])

    def test_latest_and_earliest(self):
        self.assertIs(Question.objects.latest(), self.q['Why?'])
        self.assertIs(Question.objects.earliest(), self.q['What?'])
        self.assertIs(Question.objects.latest('rank'), self.q['What?'])
        self.assertIs(Question.objects.earliest('rank'), self.q['Who?'])
        self.assertIs(Question.objects.latest('-rank'), self.q['Who?'])
        self.assertIs(Question.objects.filter(rank__gt=1).earliest('pub_date'), self.q['What?'])
        # Later fields break ties.
        Note.objects.create(text='a', stars=1)
        b = Note.objects.create(text='b', stars=1)
        self.assertIs(Note.objects.latest('stars', 'text'), b)
        self.assertEqual(Note.objects.earliest('stars', '-text').text, 'b')
        # latest() ignores a previous order.
        self.assertIs(Question.objects.order_by('rank').latest(), self.q['Why?'])

    def test_latest_of_nothing_is_does_not_exist(self):
        with self.assertRaises(Question.DoesNotExist) as caught:
            Question.objects.filter(rank__gt=5).latest()
        self.assertEqual(caught.exception.code, Gorm.Error.NOT_FOUND)
        with self.assertRaises(Note.DoesNotExist):
            Note.objects.earliest('stars')
        self.assertIs(Question.objects.latest(), self.q['Why?'])

    def test_latest_without_fields_needs_get_latest_by(self):
        with self.assertRaises(ValueError) as caught:
            Note.objects.latest()
        self.assertIn("'get_latest_by'", str(caught.exception))
        with self.assertRaises(ValueError):
            Note.objects.earliest()
        self.assertIsNone(Note.objects.last())

    def test_latest_errors(self):
        with self.assertRaises(Gorm.FieldError):
            Question.objects.latest('nope')
        with self.assertRaises(TypeError):
            Question.objects.all()[:1].latest()
        with self.assertRaises(TypeError):
            Question.objects.all()[:1].earliest('rank')
        self.assertIs(Question.objects.latest('rank'), self.q['What?'])

    def test_get_latest_by_is_checked_and_inherited(self):
        with self.assertRaises(TypeError):
            class Bad(Gorm.Resource):
                when = Gorm.Field(int)

                class Meta:
                    get_latest_by = 3

        class Dated(Gorm.Resource):
            when = Gorm.Field(int)

            class Meta:
                abstract = True
                get_latest_by = ['-when']

        class Event(Dated):
            name = Gorm.Field(str)
        Event.objects.create(name='late', when=2)
        Event.objects.create(name='early', when=1)
        # get_latest_by '-when': the latest is the smallest.
        self.assertEqual(Event.objects.latest().name, 'early')
        self.assertEqual(Event.objects.earliest().name, 'late')


class InBulkTest(PollsTestCase):

    def test_in_bulk(self):
        what, who = self.q['What?'], self.q['Who?']
        self.assertEqual(Question.objects.in_bulk([what.id, who.id, 10 ** 6]),
                         {what.id: what, who.id: who})
        self.assertEqual(Question.objects.in_bulk(), {q.id: q for q in self.q.values()})
        self.assertEqual(Question.objects.filter(rank__gt=1).in_bulk([what.id, who.id]),
                         {what.id: what})
        self.assertEqual(Question.objects.in_bulk(['Who?'], field_name='question_text'),
                         {'Who?': who})
        self.assertEqual(Question.objects.in_bulk(iter([what.pk])), {what.id: what})

    def test_in_bulk_of_nothing_runs_no_sql(self):
        with statements() as run:
            self.assertEqual(Question.objects.in_bulk([]), {})
            self.assertEqual(Question.objects.in_bulk(()), {})
        self.assertEqual(run, [])

    def test_in_bulk_runs_one_statement_per_batch(self):
        with statements() as run:
            found = Question.objects.in_bulk([self.q['Who?'].id])
        self.assertEqual(len(found), 1)
        self.assertEqual(len(run), 1, run)
        keys = list(range(1, 251))
        with statements() as run:
            found = Question.objects.in_bulk(keys)
        self.assertEqual(len(found), 3)
        self.assertEqual(len(run), 3, run)

    def test_in_bulk_errors(self):
        with self.assertRaises(ValueError) as caught:
            Question.objects.in_bulk([1], field_name='rank')
        self.assertIn("'rank'", str(caught.exception))
        with self.assertRaises(Gorm.FieldError):
            Question.objects.in_bulk([1], field_name='nope')
        with self.assertRaises(TypeError):
            Question.objects.all()[:2].in_bulk([1])
        with self.assertRaises(TypeError):
            Question.objects.in_bulk('12')
        with self.assertRaises(Gorm.TypeMismatchError):
            Question.objects.in_bulk(['x'])
        self.assertEqual(len(Question.objects.in_bulk([self.q['Why?'].id])), 1)


class NoneTest(PollsTestCase):

    def test_none_answers_empty_without_sql(self):
        with statements() as run:
            empty = Question.objects.none()
            self.assertEqual(list(empty), [])
            self.assertEqual(len(empty), 0)
            self.assertFalse(empty)
            self.assertEqual(empty.count(), 0)
            self.assertFalse(empty.exists())
            self.assertIsNone(empty.first())
            self.assertIsNone(empty.last())
            self.assertEqual(list(empty.iterator()), [])
            self.assertEqual(empty.in_bulk([1, 2]), {})
            self.assertEqual(empty.in_bulk(), {})
            self.assertEqual(empty.update(rank=7), 0)
            self.assertEqual(empty.delete(), (0, {}))
            self.assertEqual(empty.filter(rank=3).count(), 0)
            self.assertEqual(list(empty.order_by('rank')[:2]), [])
            with self.assertRaises(Question.DoesNotExist):
                empty.get(pk=self.q['What?'].id)
            with self.assertRaises(Question.DoesNotExist):
                empty.latest()
            self.assertEqual(len(empty.watch()), 0)
            self.assertEqual(Choice.objects.none().select_related('question').count(), 0)
        self.assertEqual(run, [])
        # Nothing was changed, and the next queries see every row.
        self.assertEqual(Question.objects.filter(rank=7).count(), 0)
        self.assertEqual(Question.objects.count(), 3)

    def test_the_query_of_none_finds_nothing(self):
        # A runner that does not know none() runs a query of no row.
        self.assertEqual(Question.objects.none().query.count(), 0)
        self.assertEqual(Question.objects.none().filter(rank__gt=0).query.delete(), 0)
        self.assertEqual(Question.objects.count(), 3)


class IteratorTest(PollsTestCase):

    def make_notes(self, n):
        for i in range(n):
            Note.objects.create(text='n%03d' % i, stars=i % 7)
        gc.collect()

    def test_iterator_streams_in_chunks(self):
        self.make_notes(35)
        alive = []
        most = 0
        with statements() as run:
            for note in Note.objects.iterator(chunk_size=10):
                alive.append(weakref.ref(note))
                note = None
                gc.collect()
                most = max(most, sum(1 for ref in alive if ref() is not None))
        # One SELECT per chunk (10, 10, 10 and the last 5), each after the
        # last key read; never more than a chunk of objects alive.
        self.assertEqual(len(alive), 35)
        self.assertEqual(len(run), 4, run)
        self.assertTrue(all('LIMIT' in statement for statement in run), run)
        self.assertLessEqual(most, 10)
        self.assertEqual(sum(1 for ref in alive if ref() is not None), 0)

    def test_iterator_of_an_ordered_queryset(self):
        self.make_notes(12)
        texts = [n.text for n in Note.objects.order_by('-stars', 'text').iterator(chunk_size=5)]
        self.assertEqual(texts, [n.text for n in Note.objects.order_by('-stars', 'text')])
        self.assertEqual(len(texts), 12)
        # A slice is read in chunks within its bounds.
        self.assertEqual([n.text for n in Note.objects.order_by('text')[3:9].iterator(2)],
                         ['n%03d' % i for i in range(3, 9)])
        self.assertEqual([n.text for n in Note.objects.filter(stars=0).iterator(1)],
                         ['n000', 'n007'])

    def test_iterator_does_not_cache(self):
        self.make_notes(3)
        notes = Note.objects.all()
        self.assertEqual(len(list(notes.iterator())), 3)
        self.assertIsNone(notes._result)
        Note.objects.create(text='more', stars=1)
        self.assertEqual(len(list(notes.iterator())), 4)

    def test_iterator_keeps_eager_loading(self):
        with statements() as run:
            choices = list(Choice.objects.select_related('question').iterator(chunk_size=2))
            self.assertEqual(sorted({c.question.question_text for c in choices}),
                             ['What?', 'Who?'])
        self.assertEqual(len(run), 3, run)
        # prefetch_related: each chunk's relation, with the chunk.
        with statements() as run:
            counts = {q.question_text: len(q.choice_set.all())
                      for q in Question.objects.prefetch_related('choice_set').iterator(2)}
        self.assertEqual(counts, {'What?': 3, 'Who?': 2, 'Why?': 0})
        self.assertEqual(len(run), 4, run)

    def test_iterator_errors(self):
        for bad, error in ((0, ValueError), (-1, ValueError), ('10', TypeError),
                           (2.5, TypeError), (True, TypeError)):
            with self.subTest(chunk_size=bad):
                with self.assertRaises(error):
                    Note.objects.iterator(chunk_size=bad)
        self.assertEqual(len(list(Question.objects.iterator(chunk_size=1))), 3)


class ExistsTest(PollsTestCase):

    def test_exists_is_one_cheap_statement(self):
        with statements() as run:
            self.assertTrue(Question.objects.filter(rank=2).exists())
            self.assertFalse(Question.objects.filter(rank=9).exists())
        self.assertEqual(len(run), 2, run)
        for statement in run:
            self.assertNotIn('count(', statement.lower())
            self.assertTrue(statement.startswith('SELECT 1 FROM'), statement)
            self.assertIn('LIMIT', statement)


class GetOrCreateTest(PollsTestCase):

    def test_get_or_create(self):
        got, created = Question.objects.get_or_create(question_text='What?',
                                                      defaults={'rank': 9})
        self.assertIs(got, self.q['What?'])
        self.assertFalse(created)
        self.assertEqual(got.rank, 3)
        made, created = Question.objects.get_or_create(
            question_text='When?', defaults={'rank': 9, 'pub_date': lambda: day(9)})
        self.assertTrue(created)
        self.assertTrue(made.is_saved())
        self.assertEqual((made.rank, made.pub_date), (9, day(9)))
        # Lookups with "__" are not given to the new object.
        made, created = Choice.objects.get_or_create(
            question=self.q['Why?'], choice_text__startswith='x',
            defaults={'choice_text': 'xyz', 'votes': 1})
        self.assertTrue(created)
        self.assertEqual((made.question, made.choice_text), (self.q['Why?'], 'xyz'))

    def test_through_a_relation(self):
        what = self.q['What?']
        made, created = what.choice_set.get_or_create(choice_text='new', defaults={'votes': 4})
        self.assertTrue(created)
        self.assertIs(made.question, what)
        self.assertEqual(what.choice_set.get_or_create(choice_text='new'), (made, False))
        # Another question's choice of the same text is not this one's.
        other, created = self.q['Why?'].choice_set.update_or_create(
            choice_text='new', defaults={'votes': 7})
        self.assertTrue(created)
        self.assertIsNot(other, made)
        self.assertEqual((other.question, other.votes), (self.q['Why?'], 7))
        with self.assertRaises(Gorm.FieldError):
            what.choice_set.get_or_create(choice_text='newer', defaults={'colour': 1})
        red, created = what.tags.get_or_create(name='red')
        self.assertTrue(created)
        self.assertEqual(list(what.tags.all()), [red])

    def test_get_or_create_with_an_unknown_field(self):
        with self.assertRaises(Gorm.FieldError) as caught:
            Question.objects.get_or_create(question_text='New', defaults={'colour': 'red'})
        self.assertIn("'colour'", str(caught.exception))
        self.assertFalse(Question.objects.filter(question_text='New').exists())
        with self.assertRaises(Gorm.FieldError):
            Question.objects.get_or_create(colour='red')
        self.assertEqual(Question.objects.get_or_create(question_text='Who?')[1], False)

    def test_get_or_create_race_gets_the_row_another_writer_made(self):
        # As Django's own test: get() misses the row at first, as if
        # another writer inserted it in between; create() then fails on
        # the unique constraint, and the row is got again.
        real_get = Gorm.QuerySet.get
        calls = []

        def racing_get(queryset, *args, **kwargs):
            calls.append(kwargs)
            if len(calls) == 1:
                raise queryset.model.DoesNotExist('not yet')
            return real_get(queryset, *args, **kwargs)
        with unittest.mock.patch.object(Gorm.QuerySet, 'get', racing_get):
            got, created = Question.objects.get_or_create(question_text='Who?',
                                                          defaults={'rank': 5})
        self.assertIs(got, self.q['Who?'])
        self.assertFalse(created)
        self.assertEqual(len(calls), 2)
        self.assertEqual(Question.objects.get(question_text='Who?').rank, 1)
        self.assertEqual(Question.objects.count(), 3)

    def test_get_or_create_race_without_the_row_raises(self):
        def never_found(queryset, *args, **kwargs):
            raise queryset.model.DoesNotExist('never')
        with unittest.mock.patch.object(Gorm.QuerySet, 'get', never_found):
            with self.assertRaises(Gorm.IntegrityError):
                Question.objects.get_or_create(question_text='Who?', defaults={'rank': 5})
        # The failed insert rolled back; the next call works.
        self.assertEqual(Question.objects.count(), 3)
        self.assertEqual(Question.objects.get_or_create(question_text='Who?'),
                         (self.q['Who?'], False))


class UpdateForeignKeyTest(PollsTestCase):

    def test_update_with_an_object(self):
        who = self.q['Who?']
        self.assertEqual(Choice.objects.filter(votes__lt=10).update(question=who), 3)
        self.assertEqual(who.choice_set.count(), 5)
        self.assertEqual(self.q['What?'].choice_set.count(), 0)
        choice = Choice.objects.filter(votes=0).get()
        self.assertIs(choice.question, who)
        self.assertEqual(Remark.objects.create(question=who, text='r').question_id, who.id)
        self.assertEqual(Remark.objects.update(question=None), 1)
        self.assertIsNone(Remark.objects.get().question)
        self.assertEqual(Remark.objects.update(question=self.q['Why?'].id), 1)
        self.assertIs(Remark.objects.get().question, self.q['Why?'])

    def test_update_with_a_bad_object(self):
        with self.assertRaises(Gorm.ValidationError):
            Choice.objects.update(question=Question(question_text='draft'))
        with self.assertRaises(Gorm.TypeMismatchError):
            Choice.objects.update(question=Note(text='n'))
        with self.assertRaises(Gorm.FieldError):
            Question.objects.update(choice_set=None)
        with self.assertRaises(Gorm.FieldError):
            Question.objects.update(tags=[])
        with self.assertRaises(Gorm.ValidationError):
            Choice.objects.update(question=None)
        self.assertEqual(self.q['What?'].choice_set.count(), 3)
        self.assertEqual(Choice.objects.update(question=self.q['Why?']), 5)


class DeleteTest(PollsTestCase):

    def test_delete_counts_the_cascade(self):
        what = self.q['What?']
        self.assertEqual(what.delete(), (4, {'polls.Choice': 3, 'polls.Question': 1}))
        self.assertFalse(what.is_saved())
        self.assertEqual(Choice.objects.count(), 2)
        self.assertEqual(self.q['Why?'].delete(), (1, {'polls.Question': 1}))

    def test_queryset_delete_counts_the_cascade(self):
        self.assertEqual(Question.objects.filter(rank__lt=3).delete(),
                         (4, {'polls.Choice': 2, 'polls.Question': 2}))
        self.assertEqual(Question.objects.all().delete(),
                         (4, {'polls.Choice': 3, 'polls.Question': 1}))
        self.assertEqual(Question.objects.all().delete(), (0, {}))
        self.assertEqual(Choice.objects.count(), 0)

    def test_delete_counts_two_levels_and_links(self):
        what = self.q['What?']
        for choice in what.choice_set.all():
            Vote.objects.create(choice=choice, voter='ann')
        Vote.objects.create(choice=self.q['Who?'].choice_set.first(), voter='bob')
        red = Tag.objects.create(name='red')
        blue = Tag.objects.create(name='blue')
        red.questions.add(what, self.q['Who?'])
        blue.questions.add(what)
        Remark.objects.create(question=what, text='kept')
        self.assertEqual(what.delete(), (9, {'polls.Question': 1, 'polls.Choice': 3,
                                             'polls.Vote': 3, 'polls.Tag_questions': 2}))
        # SET_NULL rows are changed, not counted.
        self.assertIsNone(Remark.objects.get().question)
        self.assertEqual(Vote.objects.count(), 1)
        self.assertEqual(red.questions.count(), 1)
        # A link whose both sides go is counted once.
        self.assertEqual(Tag.objects.all().delete(), (3, {'polls.Tag': 2,
                                                          'polls.Tag_questions': 1}))
        self.assertEqual(Question.objects.all().delete(),
                         (5, {'polls.Question': 2, 'polls.Choice': 2, 'polls.Vote': 1}))

    def test_delete_of_a_model_without_dependents(self):
        note = Note.objects.create(text='n', stars=1)
        Note.objects.create(text='m', stars=2)
        with statements() as run:
            self.assertEqual(note.delete(), (1, {'__main__.Note': 1}))
        # The delete alone: nothing to count around it.
        self.assertEqual(len(run), 1, run)
        self.assertEqual(Note.objects.all().delete(), (1, {'__main__.Note': 1}))
        self.assertEqual(Note.objects.all().delete(), (0, {}))

    def test_a_refused_delete_deletes_and_counts_nothing(self):
        who = self.q['Who?']
        Locked.objects.create(question=who)
        with self.assertRaises(Gorm.IntegrityError):
            who.delete()
        self.assertTrue(who.is_saved())
        with self.assertRaises(Gorm.IntegrityError):
            Question.objects.all().delete()
        self.assertEqual(Question.objects.count(), 3)
        self.assertEqual(Choice.objects.count(), 5)
        # The next delete works.
        self.assertEqual(self.q['What?'].delete(), (4, {'polls.Choice': 3, 'polls.Question': 1}))

    def test_deleting_an_unsaved_object_fails(self):
        with self.assertRaises(Gorm.Error):
            Question(question_text='draft').delete()
        self.assertEqual(self.q['Why?'].delete(), (1, {'polls.Question': 1}))

    def test_delete_through_a_relation(self):
        self.assertEqual(self.q['What?'].choice_set.filter(votes__gt=0).delete(),
                         (2, {'polls.Choice': 2}))
        self.assertEqual(self.q['What?'].choice_set.count(), 1)

    def test_app_label(self):
        for n, (module, label) in enumerate((
                ('polls.models', 'polls'), ('mysite.polls.models', 'polls'),
                ('polls.models.question', 'polls'), ('shop.catalog', 'catalog'),
                ('models', 'models'))):
            with self.subTest(module=module):
                model = type('Thing%d' % n, (Gorm.Resource,), {
                    '__module__': module, 'name': Gorm.Field(str)})
                self.assertEqual(Gorm.QuerySet(model).none().delete(), (0, {}))
                made = model.objects.create(name='x')
                self.assertEqual(made.delete(), (1, {'%s.Thing%d' % (label, n): 1}))
        with self.assertRaises(TypeError):
            class Bad(Gorm.Resource):
                name = Gorm.Field(str)

                class Meta:
                    app_label = 'not an identifier'


class RefreshFromDbTest(PollsTestCase):

    def other_connection_sets(self, **values):
        """Changes the row of 'What?' without touching its live object."""
        Question.objects.filter(question_text='What?').update(**values)

    def test_refresh_from_db(self):
        what = self.q['What?']
        what.rank = 30
        self.assertTrue(what.is_dirty())
        what.refresh_from_db()
        self.assertEqual(what.rank, 3)
        self.assertFalse(what.is_dirty())

    def test_refresh_only_some_fields(self):
        what = self.q['What?']
        self.db.execute('UPDATE question SET rank = 33, pub_date = ? WHERE id = ?',
                        [day(20), what.id])
        what.question_text = 'Changed?'
        what.refresh_from_db(fields=['rank'])
        self.assertEqual(what.rank, 33)
        # The others keep their values: the unsaved change stays to save,
        # the date read before stays as it was.
        self.assertEqual(what.question_text, 'Changed?')
        self.assertEqual(what.pub_date, day(1))
        self.assertTrue(what.is_dirty())
        what.save()
        self.assertEqual(Question.objects.filter(question_text='Changed?').count(), 1)
        choice = what.choice_set.first()
        choice.question_id = self.q['Who?'].id
        choice.refresh_from_db(fields=['question'])
        self.assertIs(choice.question, what)
        what.refresh_from_db(fields=[])

    def test_refresh_errors(self):
        what = self.q['What?']
        with self.assertRaises(Gorm.FieldError):
            what.refresh_from_db(fields=['colour'])
        with self.assertRaises(ValueError):
            what.refresh_from_db(fields=['question__rank'])
        with self.assertRaises(TypeError):
            what.refresh_from_db(fields='rank')
        Question.objects.filter(pk=what.id).delete()
        gone = Question.objects.filter(question_text='Who?').get()
        self.db.execute('DELETE FROM question WHERE id = ?', [gone.id])
        with self.assertRaises(Question.DoesNotExist):
            gone.refresh_from_db()
        with self.assertRaises(Question.DoesNotExist):
            gone.refresh_from_db(fields=['rank'])
        self.q['Why?'].refresh_from_db(fields=['rank'])
        self.assertEqual(self.q['Why?'].rank, 2)


class AsyncTest(GbulbMixin, PollsTestCase):
    """The awaitable forms, under gbulb's GLib event loop."""

    def test_alast_alatest_aearliest(self):
        async def scenario():
            self.assertIs(await Question.objects.alast(), self.q['Why?'])
            self.assertIs(await Question.objects.order_by('rank').alast(), self.q['What?'])
            self.assertIsNone(await Question.objects.filter(rank=9).alast())
            self.assertIs(await Question.objects.alatest(), self.q['Why?'])
            self.assertIs(await Question.objects.aearliest('rank'), self.q['Who?'])
            with self.assertRaises(Question.DoesNotExist):
                await Question.objects.filter(rank=9).alatest()
            with self.assertRaises(ValueError):
                await Note.objects.aearliest()
            with self.assertRaises(TypeError):
                await Question.objects.all()[:1].alast()
            return await Question.objects.aearliest()
        self.assertIs(self.run_async(scenario()), self.q['What?'])

    def test_ain_bulk_and_aiterator(self):
        async def scenario():
            what, who = self.q['What?'], self.q['Who?']
            self.assertEqual(await Question.objects.ain_bulk([what.id, who.id]),
                             {what.id: what, who.id: who})
            self.assertEqual(await Question.objects.ain_bulk([]), {})
            with self.assertRaises(ValueError):
                await Question.objects.ain_bulk([1], field_name='rank')
            texts = [c.choice_text async for c in Choice.objects.order_by('-votes')
                     .aiterator(chunk_size=2)]
            self.assertEqual(texts, ['who 1', 'who 0', 'what 2', 'what 1', 'what 0'])
            with self.assertRaises(ValueError):
                Choice.objects.aiterator(chunk_size=0)
            self.assertEqual([q async for q in Question.objects.none().aiterator()], [])
            return [q.question_text async for q in Question.objects.aiterator(chunk_size=1)]
        with statements() as run:
            self.assertEqual(self.run_async(scenario()), ['What?', 'Who?', 'Why?'])
        # Two batches' SELECT... of in_bulk: one; aiterator: 3 chunks of 2
        # choices, 4 of 1 question (the last one empty).
        self.assertEqual(len(run), 1 + 3 + 4, run)

    def test_adelete_counts(self):
        async def scenario():
            self.assertEqual(await Question.objects.none().adelete(), (0, {}))
            Note.objects.create(text='n', stars=1)
            self.assertEqual(await Note.objects.adelete(), (1, {'__main__.Note': 1}))
            self.assertEqual(await self.q['Who?'].adelete(),
                             (3, {'polls.Question': 1, 'polls.Choice': 2}))
            note = Note.objects.create(text='m', stars=1)
            self.assertEqual(await note.adelete(), (1, {'__main__.Note': 1}))
            return await Question.objects.filter(rank__gt=1).adelete()
        self.assertEqual(self.run_async(scenario()),
                         (5, {'polls.Question': 2, 'polls.Choice': 3}))
        self.assertEqual(Question.objects.count(), 0)



class ManagerMethodsTest(PollsTestCase):
    """Model.objects answers every public QuerySet method through its
    get_queryset(), whether the method is one Manager carries or one only
    a QuerySet subclass has (through Manager.__getattr__)."""

    def test_methods_go_through_get_queryset(self):
        class Recent(Gorm.QuerySet):
            def recent(self):
                return self.filter(pub_date__gt=day(1))

        class RecentManager(Gorm.Manager):
            def get_queryset(self):
                return Recent(self.model)

        class RankedManager(Gorm.Manager):
            def get_queryset(self):
                return super().get_queryset().filter(rank__gt=1)

        ranked = RankedManager(Question)
        self.assertEqual(ranked.count(), 2)
        self.assertEqual(self.texts(ranked.filter(pub_date__gt=day(1))), ['Why?'])
        self.assertEqual(self.texts(ranked.order_by('rank')), ['Why?', 'What?'])
        self.assertEqual(ranked.get(rank=3).question_text, 'What?')
        self.assertFalse(ranked.filter(question_text='Who?').exists())
        objects = RecentManager(Question)
        self.assertEqual(sorted(self.texts(objects.recent())), ['Who?', 'Why?'])
        self.assertEqual(objects.database, self.db)
        with self.assertRaises(AttributeError):
            objects.no_such_method
        with self.assertRaises(AttributeError):
            objects._private

    def test_manager_methods_keep_their_names(self):
        self.assertEqual(Question.objects.filter.__name__, 'filter')
        self.assertEqual(Question.objects.count.__doc__, Gorm.QuerySet.count.__doc__)
        self.assertEqual(Question.objects.count(), 3)

    def test_reverse_manager_still_refuses_remove(self):
        with self.assertRaises(AttributeError) as caught:
            self.q['What?'].choice_set.remove
        self.assertIn('not null=True', str(caught.exception))
        self.assertEqual(self.q['What?'].choice_set.count(), 3)


class FieldLookupTest(PollsTestCase):
    """The fields a lookup names are found the same way before and after
    the model's first query: by both spellings and pk, and an unknown one
    is a FieldError naming the model's fields."""

    def test_unknown_field_after_known_ones(self):
        messages = []
        for _ in range(2):
            self.assertEqual(Question.objects.filter(pk=self.q['Who?'].id).count(), 1)
            self.assertEqual(Question.objects.filter(id=self.q['Who?'].id).count(), 1)
            self.assertEqual(Question.objects.filter(question_text='Why?').count(), 1)
            with self.assertRaises(Gorm.FieldError) as caught:
                Question.objects.filter(nope=1).count()
            messages.append(str(caught.exception))
            with self.assertRaises(Gorm.FieldError):
                Choice.objects.filter(votes__gt=0, question_text='x').count()
        self.assertTrue(messages[0].startswith(
            "Question has no field 'nope'; its fields are id, pk, question_text, pub_date, rank"),
            messages[0])
        self.assertEqual(messages[0], messages[1])


if __name__ == '__main__':
    main()
