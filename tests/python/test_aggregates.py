# SPDX-License-Identifier: LGPL-2.1-or-later
"""Aggregates, annotations and rows in Python, as Django gives them:
aggregate() (dict keys and value types, empty sets), annotate() on
models (the same objects, the value as an attribute, filters and orders
on it) and after values() (groups), values(), values_list(flat=,
named=), distinct(), and their errors."""

import asyncio
import contextlib
import datetime
import enum
import io
import os
import re
import tempfile
import unittest

from gormtest import DatabaseTestCase, main, python_examples, run_examples
from gi.repository import Gio, Gorm
from gi.repository.Gorm import Avg, Count, F, Max, Min, Q, Sum

try:
    import gbulb
except ImportError:
    gbulb = None

UTC = datetime.timezone.utc


class Question(Gorm.Resource):
    question_text = Gorm.Field(str, max_length=200)
    pub_date = Gorm.Field(datetime.datetime)

    class Meta:
        ordering = ['-pub_date']


class Choice(Gorm.Resource):
    question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE)
    choice_text = Gorm.Field(str, max_length=200)
    votes = Gorm.Field(int)
    share = Gorm.Field(float)


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Sample(Gorm.Resource):
    """A field of every kind values() converts."""
    name = Gorm.Field(str)
    color = Gorm.Field(Color)
    kind = Gorm.Field(Gio.FileType)
    when = Gorm.Field(datetime.datetime, null=True)
    size = Gorm.Field(int, null=True)
    data = Gorm.Field(bytes)


class PollsTestCase(DatabaseTestCase):
    """Three questions: two choices (3 and 5 votes), one (1 vote), none."""

    def setUp(self):
        super().setUp()
        self.new = Question.objects.create(question_text="What's new?",
                                           pub_date=datetime.datetime(2024, 3, 15, 10, 30,
                                                                      tzinfo=UTC))
        self.who = Question.objects.create(question_text='Who is there?',
                                           pub_date=datetime.datetime(2023, 7, 1, 8, 0,
                                                                      tzinfo=UTC))
        self.empty = Question.objects.create(
            question_text='Anyone?', pub_date=datetime.datetime(2025, 1, 2, 23, 59, tzinfo=UTC))
        self.much = Choice.objects.create(question=self.new, choice_text='Not much', votes=3,
                                          share=0.25)
        self.sky = Choice.objects.create(question=self.new, choice_text='The sky', votes=5,
                                         share=0.5)
        self.me = Choice.objects.create(question=self.who, choice_text='Me', votes=1,
                                        share=1.0)


class AggregateTest(PollsTestCase):

    def test_named_aggregates(self):
        result = Choice.objects.aggregate(total=Sum('votes'), n=Count('id'))
        self.assertEqual(result, {'total': 9, 'n': 3})
        self.assertIs(type(result['total']), int)
        self.assertIs(type(result['n']), int)

    def test_positional_aggregates_are_named_as_django_names_them(self):
        result = Choice.objects.aggregate(Sum('votes'), Count('id'), Avg('votes'), Min('votes'),
                                          Max('votes'))
        self.assertEqual(result, {'votes__sum': 9, 'id__count': 3, 'votes__avg': 3.0,
                                  'votes__min': 1, 'votes__max': 5})
        self.assertIs(type(result['votes__avg']), float)
        self.assertIs(type(result['votes__min']), int)
        self.assertEqual(Question.objects.aggregate(Count('choice')), {'choice__count': 3})

    def test_sum_of_floats_is_a_float(self):
        result = Choice.objects.aggregate(Sum('share'))
        self.assertEqual(result, {'share__sum': 1.75})
        self.assertIs(type(result['share__sum']), float)

    def test_over_the_filtered_objects(self):
        self.assertEqual(Choice.objects.filter(question=self.new).aggregate(Sum('votes')),
                         {'votes__sum': 8})
        self.assertEqual(Choice.objects.exclude(votes__gt=3).aggregate(n=Count('*')), {'n': 2})
        # An order does not change an aggregate; a slice is refused rather
        # than ignored (Django aggregates the slice).
        self.assertEqual(Choice.objects.order_by('-votes').aggregate(Max('votes')),
                         {'votes__max': 5})
        with self.assertRaisesRegex(TypeError, 'sliced'):
            Choice.objects.order_by('votes')[:1].aggregate(Sum('votes'))

    def test_over_no_rows(self):
        result = Choice.objects.filter(votes__gt=100).aggregate(
            total=Sum('votes'), n=Count('id'), average=Avg('votes'), most=Max('votes'),
            first=Min('question__pub_date'))
        self.assertEqual(result, {'total': None, 'n': 0, 'average': None, 'most': None,
                                  'first': None})

    def test_none(self):
        nothing = Choice.objects.none()
        self.assertEqual(nothing.aggregate(Sum('votes'), n=Count('id')),
                         {'votes__sum': None, 'n': 0})
        self.assertEqual(list(nothing.values('votes')), [])
        self.assertEqual(nothing.values_list('votes', flat=True).count(), 0)
        self.assertEqual(list(Question.objects.none().annotate(n=Count('choice'))), [])
        self.assertEqual(nothing.update(votes=F('votes') + 1), 0)
        self.assertEqual(Choice.objects.aggregate(Sum('votes')), {'votes__sum': 9})

    def test_min_and_max_of_a_datetime_are_datetimes(self):
        result = Question.objects.aggregate(first=Min('pub_date'), last=Max('pub_date'))
        self.assertEqual(result, {'first': self.who.pub_date, 'last': self.empty.pub_date})
        self.assertIsInstance(result['first'], datetime.datetime)
        self.assertIsNotNone(result['first'].tzinfo)

    def test_across_relations(self):
        self.assertEqual(Question.objects.aggregate(Sum('choice__votes')),
                         {'choice__votes__sum': 9})
        self.assertEqual(Choice.objects.aggregate(latest=Max('question__pub_date')),
                         {'latest': self.new.pub_date})

    def test_count_distinct_and_count_star(self):
        self.assertEqual(Choice.objects.aggregate(n=Count('question', distinct=True)), {'n': 2})
        self.assertEqual(Choice.objects.aggregate(n=Count('question')), {'n': 3})
        self.assertEqual(Choice.objects.aggregate(n=Count('*')), {'n': 3})

    def test_aggregate_of_an_expression(self):
        self.assertEqual(Choice.objects.aggregate(double=Sum(F('votes') * 2)), {'double': 18})
        self.assertEqual(Choice.objects.aggregate(top=Max(F('votes') + F('question__id'))),
                         {'top': 5 + self.new.pk})

    def test_errors(self):
        with self.assertRaises(TypeError):
            Choice.objects.aggregate()
        with self.assertRaisesRegex(TypeError, 'Complex aggregates require an alias'):
            Choice.objects.aggregate(Sum(F('votes') + 1))
        with self.assertRaisesRegex(TypeError, 'Complex aggregates require an alias'):
            Choice.objects.aggregate(Count('*'))
        with self.assertRaisesRegex(TypeError, 'non-expression'):
            Choice.objects.aggregate(total='votes')
        with self.assertRaisesRegex(TypeError, 'not an aggregate'):
            Choice.objects.aggregate(total=F('votes'))
        with self.assertRaisesRegex(TypeError, 'positional aggregates'):
            Choice.objects.aggregate(F('votes'))
        with self.assertRaises(TypeError):
            Sum('votes', filter=Q(votes__gt=1))
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.aggregate(Sum('nope'))
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.aggregate(n=Count('question__nope'))
        with self.assertRaisesRegex(Gorm.TypeMismatchError, 'choice.text'):
            Choice.objects.aggregate(Sum('choice_text'))
        with self.assertRaisesRegex(Gorm.TypeMismatchError, 'choice.text'):
            Choice.objects.aggregate(Avg('choice_text'))
        # An aggregate of an annotation's aggregate.
        with self.assertRaisesRegex(Gorm.ValidationError, 'inside another aggregate'):
            Question.objects.annotate(n=Count('choice')).aggregate(Avg('n'))
        # The next call works.
        self.assertEqual(Choice.objects.aggregate(Sum('votes')), {'votes__sum': 9})

    @unittest.skipIf(gbulb is None, 'needs gbulb (Debian package python3-gbulb)')
    def test_awaited(self):
        gbulb.install()
        self.addCleanup(asyncio.set_event_loop_policy, None)

        async def scenario():
            updated = await Choice.objects.filter(question=self.new).aupdate(
                votes=F('votes') * 10)
            rows = Choice.objects.values('question').annotate(n=Count('id'))
            return (updated,
                    await Choice.objects.filter(question=self.new).aaggregate(Sum('votes')),
                    await Question.objects.annotate(n=Count('choice')).order_by('-n').alist(),
                    await rows.acount(), await rows.filter(n__gt=5).aexists(),
                    await rows.order_by('-n').afirst())
        updated, totals, ranked, groups, many, first = asyncio.run(
            asyncio.wait_for(scenario(), 10))
        self.assertEqual(updated, 2)
        self.assertEqual((self.much.votes, self.sky.votes), (30, 50))
        self.assertEqual(totals, {'votes__sum': 80})
        self.assertEqual([(q, q.n) for q in ranked], [(self.new, 2), (self.who, 1),
                                                      (self.empty, 0)])
        self.assertEqual((groups, many, first), (2, False, {'question': self.new.pk, 'n': 2}))
        with self.assertRaisesRegex(TypeError, 'sliced'):
            asyncio.run(Choice.objects.all()[:2].aaggregate(Sum('votes')))


class AnnotateTest(PollsTestCase):

    def test_annotation_is_an_attribute_of_the_same_objects(self):
        annotated = list(Question.objects.annotate(n=Count('choice')).order_by('pk'))
        self.assertEqual([(q.question_text, q.n) for q in annotated],
                         [("What's new?", 2), ('Who is there?', 1), ('Anyone?', 0)])
        self.assertIs(type(annotated[0].n), int)
        # The identity map: the objects all() gives, and those loaded before.
        for plain, found in zip(Question.objects.order_by('pk'), annotated):
            self.assertIs(plain, found)
        self.assertIs(annotated[0], self.new)

    def test_model_ordering_and_positional_annotation(self):
        annotated = Question.objects.annotate(Count('choice'))
        self.assertEqual([(q, q.choice__count) for q in annotated],
                         [(self.empty, 0), (self.new, 2), (self.who, 1)])

    def test_filter_and_order_on_the_annotation(self):
        annotated = Question.objects.annotate(n=Count('choice'))
        self.assertEqual(list(annotated.filter(n__gt=1)), [self.new])
        self.assertEqual(list(annotated.filter(n=0)), [self.empty])
        self.assertEqual(list(annotated.filter(n__in=[0, 2]).order_by('n')),
                         [self.empty, self.new])
        self.assertEqual(list(annotated.filter(Q(n__lt=1) | Q(n__gt=1)).order_by('pk')),
                         [self.new, self.empty])
        self.assertEqual(list(annotated.filter(~Q(n=1), question_text__startswith='W')),
                         [self.new])
        self.assertEqual(list(annotated.exclude(n=1).filter(Q(n__gte=1) & Q(pk__gt=0))),
                         [self.new])
        self.assertEqual(list(annotated.order_by('-n')), [self.new, self.who, self.empty])
        self.assertEqual(list(annotated.order_by(F('n').asc())), [self.empty, self.who, self.new])
        self.assertEqual(annotated.filter(n__gte=1).count(), 2)
        self.assertTrue(annotated.filter(n__gte=2).exists())
        self.assertFalse(annotated.filter(n__gte=3).exists())

    def test_sum_over_no_related_rows_is_none(self):
        annotated = Question.objects.annotate(total=Sum('choice__votes'), latest=Max('pub_date'))
        self.assertEqual({q.question_text: q.total for q in annotated},
                         {"What's new?": 8, 'Who is there?': 1, 'Anyone?': None})
        self.assertEqual(annotated.get(pk=self.who.pk).latest, self.who.pub_date)

    def test_first_get_slices_and_indexing(self):
        annotated = Question.objects.annotate(n=Count('choice')).order_by('-n')
        self.assertEqual(annotated.first().n, 2)
        self.assertEqual(annotated.get(question_text='Who is there?').n, 1)
        self.assertEqual([q.n for q in annotated[1:]], [1, 0])
        self.assertEqual(annotated[2].n, 0)
        self.assertEqual(len(annotated), 3)

    def test_annotation_of_an_expression(self):
        annotated = Choice.objects.annotate(double=F('votes') * 2).order_by('-double')
        self.assertEqual([(c.choice_text, c.double) for c in annotated],
                         [('The sky', 10), ('Not much', 6), ('Me', 2)])
        self.assertEqual(list(annotated.filter(double__lt=F('votes') + 3)), [self.me])

    def test_values_then_annotate_groups(self):
        grouped = Choice.objects.values('question').annotate(n=Count('id'), total=Sum('votes'))
        self.assertEqual(list(grouped.order_by('question')),
                         [{'question': self.new.pk, 'n': 2, 'total': 8},
                          {'question': self.who.pk, 'n': 1, 'total': 1}])
        self.assertEqual(list(grouped.filter(n__gt=1)),
                         [{'question': self.new.pk, 'n': 2, 'total': 8}])
        self.assertEqual([row['question'] for row in grouped.order_by('-total')],
                         [self.new.pk, self.who.pk])
        by_text = Choice.objects.values('question__question_text').annotate(
            most=Max('votes')).order_by('question__question_text')
        self.assertEqual(list(by_text), [
            {'question__question_text': "What's new?", 'most': 5},
            {'question__question_text': 'Who is there?', 'most': 1}])

    def test_annotate_then_values_counts_per_object(self):
        Question.objects.create(question_text='Who is there?',
                                pub_date=datetime.datetime(2020, 1, 1, tzinfo=UTC))
        rows = Question.objects.annotate(n=Count('choice')).values('question_text', 'n')
        self.assertEqual(sorted(rows, key=lambda row: (row['question_text'], row['n'])), [
            {'question_text': 'Anyone?', 'n': 0},
            {'question_text': "What's new?", 'n': 2},
            {'question_text': 'Who is there?', 'n': 0},
            {'question_text': 'Who is there?', 'n': 1}])

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, 'conflicts with a field'):
            Choice.objects.annotate(votes=Count('id'))
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Question.objects.annotate(n=Count('nope'))
        with self.assertRaisesRegex(TypeError, 'expressions'):
            Question.objects.annotate(n='choice')
        with self.assertRaisesRegex(TypeError, 'not live'):
            Question.objects.annotate(n=Count('choice')).watch()
        # libgorm makes a filter naming an aggregate a HAVING, apart from the
        # filters on fields: an OR of both is refused.
        with self.assertRaises(Gorm.FieldError):
            list(Question.objects.annotate(n=Count('choice')).filter(
                Q(n=0) | Q(question_text='Who is there?')))
        with self.assertRaises(Gorm.ValidationError):
            Question.objects.annotate(n=Count('choice')).filter(n=0).delete()
        with self.assertRaisesRegex(TypeError, 'not live'):
            Choice.objects.values('votes').watch()
        with self.assertRaisesRegex(ValueError, 'conflicts with another'):
            Question.objects.annotate(n=Count('choice')).annotate(n=Max('pub_date'))
        with self.assertRaisesRegex(TypeError, 'slice'):
            Question.objects.all()[:1].annotate(n=Count('choice'))
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Question.objects.annotate(n=Count('choice')).filter(nope__gt=1)
        with self.assertRaisesRegex(Gorm.TypeMismatchError, 'question.text'):
            list(Question.objects.annotate(n=Sum('question_text')))
        # The next call works.
        self.assertEqual(len(Question.objects.annotate(n=Count('choice'))), 3)


class ValuesTest(PollsTestCase):

    def test_values_gives_dicts(self):
        rows = Question.objects.values('question_text').order_by('question_text')
        self.assertEqual(list(rows), [{'question_text': 'Anyone?'},
                                      {'question_text': "What's new?"},
                                      {'question_text': 'Who is there?'}])
        self.assertEqual(list(Choice.objects.filter(votes__gt=1).order_by('votes').values(
            'choice_text', 'question__question_text')), [
            {'choice_text': 'Not much', 'question__question_text': "What's new?"},
            {'choice_text': 'The sky', 'question__question_text': "What's new?"}])

    def test_values_of_every_field(self):
        self.assertEqual(list(Choice.objects.filter(pk=self.me.pk).values()), [
            {'id': self.me.pk, 'question_id': self.who.pk, 'choice_text': 'Me', 'votes': 1,
             'share': 1.0}])
        rows = list(Question.objects.values())
        self.assertEqual(rows[0], {'id': self.empty.pk, 'question_text': 'Anyone?',
                                   'pub_date': self.empty.pub_date})

    def test_values_of_expressions(self):
        doubled = Choice.objects.order_by('votes').values('votes', double=F('votes') * 2)
        self.assertEqual(list(doubled),
                         [{'votes': 1, 'double': 2}, {'votes': 3, 'double': 6},
                          {'votes': 5, 'double': 10}])

    def test_values_have_the_field_types(self):
        Sample.objects.create(name='full', color=Color.GREEN, kind=Gio.FileType.DIRECTORY,
                              when=datetime.datetime(2024, 2, 29, 12, 0, 0, 5, tzinfo=UTC),
                              size=7, data=b'\x00\x01')
        Sample.objects.create(name='empty', color=Color.RED, kind=Gio.FileType.REGULAR)
        rows = list(Sample.objects.order_by('name').values('name', 'color', 'kind', 'when',
                                                           'size', 'data'))
        self.assertEqual(rows, [
            {'name': 'empty', 'color': Color.RED, 'kind': Gio.FileType.REGULAR, 'when': None,
             'size': None, 'data': b''},
            {'name': 'full', 'color': Color.GREEN, 'kind': Gio.FileType.DIRECTORY,
             'when': datetime.datetime(2024, 2, 29, 12, 0, 0, 5, tzinfo=UTC), 'size': 7,
             'data': b'\x00\x01'}])
        self.assertIs(type(rows[1]['color']), Color)
        self.assertIsInstance(rows[1]['when'], datetime.datetime)

    def test_values_list(self):
        self.assertEqual(list(Question.objects.order_by('pk').values_list('question_text',
                                                                          flat=True)),
                         ["What's new?", 'Who is there?', 'Anyone?'])
        self.assertEqual(list(Choice.objects.order_by('pk').values_list('choice_text', 'votes')),
                         [('Not much', 3), ('The sky', 5), ('Me', 1)])
        self.assertEqual(Choice.objects.values_list('votes', flat=True).order_by('-votes')[0], 5)
        everything = Choice.objects.filter(pk=self.me.pk).values_list()
        # In the order of the declaration, the foreign key's where it is.
        self.assertEqual(list(everything), [(self.me.pk, self.who.pk, 'Me', 1, 1.0)])

    def test_values_list_named(self):
        row = Choice.objects.filter(pk=self.sky.pk).values_list('choice_text', 'votes',
                                                                named=True).get()
        self.assertEqual(type(row).__name__, 'Row')
        self.assertEqual((row.choice_text, row.votes), ('The sky', 5))
        self.assertEqual(row, ('The sky', 5))

    def test_values_list_errors(self):
        with self.assertRaisesRegex(TypeError, "'flat' is not valid when values_list is called "
                                               "with more than one field"):
            Choice.objects.values_list('choice_text', 'votes', flat=True)
        with self.assertRaisesRegex(TypeError, "can't be used together"):
            Choice.objects.values_list('votes', flat=True, named=True)
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.values_list('nope', flat=True)
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.values('question__nope')
        with self.assertRaises(TypeError):
            Choice.objects.values(3)
        self.assertEqual(len(Choice.objects.values_list('votes', flat=True)), 3)

    def test_distinct(self):
        keys = Choice.objects.values_list('question', flat=True)
        self.assertEqual(sorted(keys), sorted([self.new.pk, self.new.pk, self.who.pk]))
        self.assertEqual(sorted(keys.distinct()), sorted([self.new.pk, self.who.pk]))
        # count() and exists() run in the database, on the rows.
        self.assertEqual(keys.count(), 3)
        self.assertEqual(keys.distinct().count(), 2)
        self.assertEqual(keys.distinct()[1:].count(), 1)
        self.assertTrue(keys.distinct().exists())
        self.assertFalse(keys.filter(votes__gt=10 ** 6).distinct().exists())
        self.assertEqual(list(Choice.objects.values('question__question_text').distinct()
                              .order_by('question__question_text')),
                         [{'question__question_text': "What's new?"},
                          {'question__question_text': 'Who is there?'}])
        with self.assertRaisesRegex(TypeError, 'DISTINCT ON'):
            Choice.objects.distinct('question')

    def test_rows_count_exist_and_are_indexed(self):
        rows = Choice.objects.values('choice_text').order_by('choice_text')
        self.assertEqual(rows.count(), 3)
        self.assertTrue(rows.exists())
        self.assertFalse(rows.filter(votes__gt=10).exists())
        self.assertEqual(rows.first(), {'choice_text': 'Me'})
        self.assertEqual(rows[1], {'choice_text': 'Not much'})
        self.assertEqual(list(rows[1:]), [{'choice_text': 'Not much'}, {'choice_text': 'The sky'}])
        self.assertEqual(rows.get(votes=5), {'choice_text': 'The sky'})
        self.assertIn({'choice_text': 'Me'}, list(rows))


class DocExamplesTest(DatabaseTestCase):
    """The Python examples of doc/aggregates.md run as written, in order, in
    one namespace, with the test's database as the default database."""

    def test_examples_run(self):
        run_examples(self, 'doc/aggregates.md', 'Python')


class ReadmeTest(unittest.TestCase):
    """The Python examples of README.md's "Quick start in Python" run as
    written, in order, in a fresh directory (they open sqlite:blog.db);
    the aggregate prints what its comment says."""

    def test_quick_start_runs(self):
        blocks = python_examples('README.md', 'Quick start in Python')
        self.assertEqual(len(blocks), 2)
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(directory.name)
        Gorm.Database.clear_default()
        self.addCleanup(Gorm.Database.clear_default)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            namespace = run_examples(self, 'README.md', 'Quick start in Python')
        namespace['db'].close()
        expected = re.search(r"# (\{'posts'.*\})$", blocks[1], re.M).group(1)
        self.assertEqual(printed.getvalue().splitlines()[-1], expected)


if __name__ == '__main__':
    main()
