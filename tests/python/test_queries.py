# SPDX-License-Identifier: LGPL-2.1-or-later
"""Model.objects: the Django-style manager, its QuerySets and lookups."""

import datetime
import unittest

from gormtest import ENGINE, DatabaseTestCase, fresh_uri, main
from gi.repository import Gio, GLib, Gorm
from gi.repository.Gorm import Q


class Entry(Gorm.Resource):
    title = Gorm.Field(str, max_length=100, unique=True)
    body = Gorm.Field(str, null=True)
    views = Gorm.Field(int)
    published = Gorm.Field(bool)
    pub_date = Gorm.Field(datetime.datetime, null=True)


def day(n):
    return datetime.datetime(2024, 1, n, tzinfo=datetime.timezone.utc)


class QueryTestCase(DatabaseTestCase):
    """Five entries: A (views 10), B (20), C (30), D (40), E (50); the
    even-numbered ones are published, E has no body."""

    def setUp(self):
        super().setUp()
        self.entries = {}
        for i, title in enumerate('ABCDE', start=1):
            self.entries[title] = Entry.objects.create(
                title=title, body=None if title == 'E' else 'Body of %s' % title,
                views=10 * i, published=i % 2 == 0, pub_date=day(i))

    def titles(self, queryset):
        return [entry.title for entry in queryset]


class ManagerTest(QueryTestCase):

    def test_all_iterates_every_object(self):
        self.assertEqual(sorted(self.titles(Entry.objects.all())), list('ABCDE'))

    def test_filter_and_exclude(self):
        self.assertEqual(self.titles(Entry.objects.filter(published=True).order_by('title')),
                         ['B', 'D'])
        self.assertEqual(self.titles(Entry.objects.exclude(published=True).order_by('title')),
                         ['A', 'C', 'E'])
        self.assertEqual(self.titles(Entry.objects.filter(published=False, views__gt=20)
                                     .order_by('title')), ['C', 'E'])
        self.assertEqual(self.titles(Entry.objects.filter(published=False)
                                     .filter(views__gt=20).exclude(title='E')), ['C'])
        # exclude() negates its lookups together, as Django does.
        self.assertEqual(len(Entry.objects.exclude(published=False, views__gt=20)), 3)

    def test_get(self):
        self.assertIs(Entry.objects.get(title='C'), self.entries['C'])
        self.assertIs(Entry.objects.get(pk=self.entries['D'].id), self.entries['D'])
        self.assertIs(Entry.objects.filter(views__gt=40).get(), self.entries['E'])

    def test_get_does_not_exist(self):
        with self.assertRaises(Entry.DoesNotExist) as caught:
            Entry.objects.get(title='Z')
        self.assertIsInstance(caught.exception, Gorm.ObjectDoesNotExist)
        self.assertEqual(caught.exception.code, Gorm.Error.NOT_FOUND)
        self.assertIn("title='Z'", str(caught.exception))

    def test_get_by_primary_key(self):
        entry = self.entries['B']
        self.assertIs(Entry.objects.get(id=entry.id), entry)
        self.assertIs(Entry.objects.get(pk__exact=entry.id), entry)
        # A narrowed QuerySet keeps its filter.
        with self.assertRaises(Entry.DoesNotExist):
            Entry.objects.filter(title='A').get(pk=entry.id)
        with self.assertRaises(Entry.DoesNotExist) as caught:
            Entry.objects.get(pk=10 ** 6)
        self.assertEqual(caught.exception.code, Gorm.Error.NOT_FOUND)
        self.assertIn('pk=1000000', str(caught.exception))
        with self.assertRaises(Gorm.TypeMismatchError):
            Entry.objects.get(pk=2 ** 70)
        with self.assertRaises(Gorm.TypeMismatchError):
            Entry.objects.get(pk='two')

    def test_get_multiple_objects_returned(self):
        with self.assertRaises(Entry.MultipleObjectsReturned) as caught:
            Entry.objects.get(published=True)
        self.assertIsInstance(caught.exception, Gorm.MultipleObjectsReturned)

    def test_first_count_exists(self):
        self.assertIs(Entry.objects.first(), self.entries['A'])
        self.assertIs(Entry.objects.order_by('-views').first(), self.entries['E'])
        self.assertIsNone(Entry.objects.filter(views__gt=1000).first())
        self.assertEqual(Entry.objects.count(), 5)
        self.assertEqual(Entry.objects.filter(published=True).count(), 2)
        self.assertTrue(Entry.objects.filter(title='A').exists())
        self.assertFalse(Entry.objects.filter(title='Z').exists())

    def test_create(self):
        entry = Entry.objects.create(title='F', views=60)
        self.assertTrue(entry.is_saved())
        self.assertIs(Entry.objects.get(title='F'), entry)

    def test_get_or_create(self):
        entry, created = Entry.objects.get_or_create(title='A', defaults={'views': 1})
        self.assertFalse(created)
        self.assertIs(entry, self.entries['A'])
        entry, created = Entry.objects.get_or_create(title='G', defaults={'views': 1})
        self.assertTrue(created)
        self.assertEqual((entry.title, entry.views), ('G', 1))
        self.assertEqual(Entry.objects.count(), 6)

    def test_update(self):
        self.assertEqual(Entry.objects.filter(published=True).update(views=0), 2)
        self.assertEqual(self.entries['B'].views, 0)
        self.assertFalse(self.entries['B'].is_dirty())
        self.assertEqual(Entry.objects.filter(views=0).count(), 2)

    def test_update_several_fields_including_filtered_ones(self):
        # Every field the filter compares changes: the rows must still be
        # the ones that matched before the update.
        rows = Entry.objects.filter(published=False, views__lt=40).update(
            published=True, views=100, body='Updated')
        self.assertEqual(rows, 2)
        self.assertEqual(self.titles(Entry.objects.filter(views=100, published=True,
                                                          body='Updated').order_by('title')),
                         ['A', 'C'])
        self.assertEqual(Entry.objects.filter(published=True).count(), 4)

    def test_update_one_filtered_field_among_others(self):
        self.assertEqual(Entry.objects.filter(published=False).update(
            published=True, body='Now published'), 3)
        self.assertEqual(Entry.objects.filter(body='Now published').count(), 3)

    def test_delete(self):
        self.assertEqual(Entry.objects.filter(views__gte=40).delete(), (2, {'__main__.Entry': 2}))
        self.assertFalse(self.entries['D'].is_saved())
        self.assertEqual(Entry.objects.count(), 3)
        self.assertEqual(Entry.objects.all().delete(), (3, {'__main__.Entry': 3}))
        self.assertFalse(Entry.objects.exists())

    def test_manager_is_for_classes(self):
        with self.assertRaises(AttributeError):
            self.entries['A'].objects


class OrderAndSliceTest(QueryTestCase):

    def test_order_by(self):
        self.assertEqual(self.titles(Entry.objects.order_by('-pub_date')), list('EDCBA'))
        self.assertEqual(self.titles(Entry.objects.order_by('published', '-title')),
                         list('ECADB'))

    def test_slices(self):
        ordered = Entry.objects.order_by('views')
        self.assertEqual(self.titles(ordered[:2]), ['A', 'B'])
        self.assertEqual(self.titles(ordered[1:3]), ['B', 'C'])
        self.assertEqual(self.titles(ordered[3:]), ['D', 'E'])
        self.assertEqual(self.titles(ordered[1:4][1:]), ['C', 'D'])
        self.assertEqual(self.titles(ordered[1:4][1:10]), ['C', 'D'])
        self.assertEqual(self.titles(ordered[::2]), ['A', 'C', 'E'])
        self.assertEqual(self.titles(ordered[10:20]), [])
        self.assertEqual(ordered[3].title, 'D')
        self.assertEqual(ordered[1:][0].title, 'B')
        with self.assertRaises(IndexError):
            ordered[5]
        with self.assertRaises(ValueError):
            ordered[-1]
        with self.assertRaises(TypeError):
            ordered[:2].filter(title='A')

    def test_pages_of_twenty(self):
        for i in range(60):
            Entry.objects.create(title='Page %02d' % i, views=1000 + i)
        pages = Entry.objects.filter(title__startswith='Page').order_by('views')
        self.assertEqual([e.views for e in pages[:20]], list(range(1000, 1020)))
        self.assertEqual([e.views for e in pages[40:60]], list(range(1040, 1060)))
        self.assertEqual(pages[40:60].count(), 20)

    def test_len_iteration_and_in(self):
        published = Entry.objects.filter(published=True)
        self.assertEqual(len(published), 2)
        self.assertIn(self.entries['B'], published)
        self.assertNotIn(self.entries['A'], published)
        self.assertEqual(len(list(iter(published))), 2)
        self.assertTrue(published)
        self.assertFalse(Entry.objects.filter(title='Z'))

    def drain(self):
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass

    def test_watch_is_live(self):
        live = Entry.objects.filter(published=True).order_by('title').watch()
        self.assertIsInstance(live, Gio.ListModel)
        changes = []
        live.connect('items-changed', lambda model, *change: changes.append(change))
        self.assertEqual(self.titles(live), ['B', 'D'])
        Entry.objects.create(title='C2', published=True)
        # A live model is given committed changes from the main loop.
        self.assertEqual(self.titles(live), ['B', 'D'])
        self.assertEqual(changes, [])
        self.drain()
        self.assertEqual(self.titles(live), ['B', 'C2', 'D'])
        self.entries['B'].delete()
        self.drain()
        self.assertEqual(self.titles(live), ['C2', 'D'])
        self.assertEqual(changes, [(1, 0, 1), (0, 1, 0)])

    def test_query_is_a_gorm_query(self):
        query = Entry.objects.filter(views__gt=20).query
        self.assertIsInstance(query, Gorm.Query)
        self.assertEqual(query.count(), 3)

    def test_repr(self):
        self.assertEqual(repr(Entry.objects.filter(title='A')),
                         "<QuerySet [<Entry id=1 title='A' body='Body of A' views=10>]>")


class LookupTest(QueryTestCase):

    def check(self, expected, *conditions, **lookups):
        """Checks the titles filter() finds: a list, or a string of one-letter
        titles."""
        self.assertEqual(self.titles(Entry.objects.filter(*conditions, **lookups)
                                     .order_by('title')), list(expected))

    def test_comparisons(self):
        self.check('C', views=30)
        self.check('C', views__exact=30)
        self.check('ABDE', views__ne=30)
        self.check('AB', views__lt=30)
        self.check('ABC', views__lte=30)
        self.check('DE', views__gt=30)
        self.check('CDE', views__gte=30)
        self.check('BC', pub_date__gt=day(1), pub_date__lt=day(4))

    def test_in_and_range(self):
        self.check('AE', title__in=['A', 'E', 'Z'])
        self.check('', title__in=[])
        self.check('BCD', views__range=(20, 40))
        self.check('AB', pub_date__range=(day(1), day(2)))

    def test_null(self):
        self.check('E', body=None)
        self.check('E', body__isnull=True)
        self.check('ABCD', body__isnull=False)
        self.check('ABCD', body__ne=None)

    def test_text_patterns(self):
        Entry.objects.create(title='100% sure_thing', body='Back\\slash')
        self.check('ABCD', body__contains='Body')
        self.check('', body__contains='body')
        self.check('C', body__endswith='of C')
        self.check(['100% sure_thing'], title__startswith='100%')
        self.check('', title__startswith='100_')
        self.check(['100% sure_thing'], title__contains='_')
        self.check(['100% sure_thing'], body__contains='\\')

    @unittest.skipUnless(hasattr(Gorm.Filter, 'ilike'), 'libgorm has no gorm_filter_ilike()')
    def test_case_insensitive_patterns(self):
        self.check('ABCD', body__icontains='BODY')
        self.check('A', body__iexact='body of a')
        self.check('ABCD', body__istartswith='bOdY')
        self.check('C', body__iendswith='OF c')

    def test_q_objects(self):
        self.check('AE', Q(title='A') | Q(views__gt=40))
        self.check('B', Q(published=True) & Q(views__lt=30))
        self.check('ACE', ~Q(published=True))
        self.check('CE', ~Q(published=True), Q(views__gt=10))
        self.check('ABE', Q(title__in=['A', 'B']) | ~Q(body__isnull=False))
        self.check('BCD', Q(views__gt=10), views__lt=50)
        self.assertEqual(self.titles(Entry.objects.exclude(Q(title='A') | Q(title='B'))
                                     .order_by('title')), list('CDE'))

    def test_gorm_filters_combine(self):
        self.check('AD', Gorm.Filter.eq('title', 'A') | Gorm.Filter.eq('views', 40))
        self.check('BCDE', ~Gorm.Filter.eq('title', 'A'))
        self.check('D', Gorm.Filter.ge('views', 40) & Gorm.Filter.eq('published', True))
        self.check('D', Q(views__gte=40) & Gorm.Filter.eq('published', True))

    def test_unknown_field_or_lookup_fails_at_once(self):
        with self.assertRaises(Gorm.FieldError) as caught:
            Entry.objects.filter(nope=1)
        self.assertEqual(caught.exception.code, Gorm.Error.UNKNOWN_PROPERTY)
        self.assertIn("'nope'", str(caught.exception))
        with self.assertRaises(Gorm.FieldError):
            Entry.objects.filter(title__regex='A')
        with self.assertRaises(Gorm.FieldError):
            Entry.objects.filter(title__body__exact='A')
        with self.assertRaises(Gorm.FieldError):
            Entry.objects.order_by('-nope')
        with self.assertRaises(Gorm.FieldError):
            Entry.objects.filter(database=None)


class RunnerErrorTest(QueryTestCase):
    """A query that met a mistake while being built never runs, and a
    statement the engine refuses is an error: from every runner of the C
    API, sync and async, as a Gorm.Error with the GormError code."""

    RUNNERS = ('fetch', 'watch', 'first', 'count', 'exists', 'delete', 'update')

    def query(self):
        return self.db.query(Entry.__gtype__)

    def run_sync(self, query, name):
        if name == 'update':
            return query.update('views', 1, None)
        return getattr(query, name)(None)

    def run_async(self, query, name):
        def start(done):
            def finished(source, result):
                try:
                    done(('ok', getattr(source, name + '_finish')(result)))
                except GLib.Error as error:
                    done(('error', error))
            if name == 'update':
                query.update_async('views', 1, None, finished)
            else:
                getattr(query, name + '_async')(None, finished)
        return self.run_main_loop(start)

    def assertRunnersFail(self, query, code, needle):
        for name in self.RUNNERS:
            with self.subTest(runner=name):
                with self.assertRaises(GLib.Error) as caught:
                    self.run_sync(query, name)
                self.assertIsInstance(caught.exception, Gorm.Error)
                self.assertEqual(caught.exception.domain, GLib.quark_to_string(Gorm.error_quark()))
                self.assertEqual(caught.exception.code, code)
                self.assertIn(needle, caught.exception.message)
            with self.subTest(runner=name + '_async'):
                outcome, error = self.run_async(query, name)
                self.assertEqual(outcome, 'error', error)
                self.assertEqual(error.code, code)
                self.assertIn(needle, error.message)
        # Nothing was deleted or changed.
        self.assertEqual(Entry.objects.count(), 5)
        self.assertEqual(Entry.objects.filter(views=1).count(), 0)

    def test_a_none_filter_is_an_error_not_an_unfiltered_query(self):
        query = self.query()
        self.assertIs(query.filter(None), query)
        self.assertRunnersFail(query, Gorm.Error.FAILED, 'no filter')

    def test_a_none_operand_poisons_the_combination(self):
        title_a = Gorm.Filter.eq('title', 'A')
        self.assertRunnersFail(self.query().filter(title_a.and_(None)),
                               Gorm.Error.FAILED, 'second operand')
        self.assertRunnersFail(self.query().filter(Gorm.Filter.eq('views', 10).or_(None)),
                               Gorm.Error.FAILED, 'Gorm.Filter.or_()')
        # The first operand is the instance, which PyGObject never lets be
        # None: refused at the call, so no filter is made.
        with self.assertRaises(TypeError):
            Gorm.Filter.or_(None, title_a)
        with self.assertRaises(TypeError):
            Gorm.Filter.not_(None)
        # The operand given is still usable.
        self.assertEqual(self.query().filter(title_a).count(None), 1)

    def test_the_first_mistake_wins_and_later_filters_do_not_run_it(self):
        query = self.query().filter(Gorm.Filter.eq('nope', 1))
        query.filter(Gorm.Filter.eq('views', 'ten')).filter(Gorm.Filter.eq('title', 'A'))
        self.assertRunnersFail(query, Gorm.Error.UNKNOWN_PROPERTY, 'nope')

    def test_bad_values(self):
        self.assertRunnersFail(self.query().filter(Gorm.Filter.eq('views', 'ten')),
                               Gorm.Error.TYPE_MISMATCH, 'ten')
        self.assertRunnersFail(self.query().filter(Gorm.Filter.like('views', '1%')),
                               Gorm.Error.TYPE_MISMATCH, 'views')
        self.assertRunnersFail(self.query().order_by('sideways', False),
                               Gorm.Error.UNKNOWN_PROPERTY, 'sideways')

    def test_none_where_a_name_is_needed_is_refused_at_the_call(self):
        # PyGObject refuses None for a property name before C is called:
        # no filter, order or update is made from it.
        with self.assertRaises(TypeError):
            Gorm.Filter.eq(None, 1)
        with self.assertRaises(TypeError):
            self.query().order_by(None, False)
        with self.assertRaises(TypeError):
            self.query().update(None, 1, None)
        self.assertEqual(Entry.objects.count(), 5)

    # SQLite's own limit on a LIKE pattern (SQLITE_MAX_LIKE_PATTERN_LENGTH);
    # PostgreSQL has none, so the PostgreSQL run does not define this test.
    if ENGINE == 'sqlite':
        def test_a_pattern_sqlite_refuses_is_an_error(self):
            query = self.query().filter(Gorm.Filter.like('title', 'A' * 50001))
            self.assertRunnersFail(query, Gorm.Error.FAILED, 'LIKE or GLOB pattern too complex')
            # Through the manager too, with a live object in memory.
            with self.assertRaises(Gorm.Error):
                Entry.objects.filter(title__startswith='A' * 50001).delete()
            with self.assertRaises(Gorm.Error):
                Entry.objects.filter(title__contains='A' * 50001).exists()
            with self.assertRaises(Gorm.Error):
                Entry.objects.filter(title__contains='A' * 50001).first()
            self.assertEqual(Entry.objects.count(), 5)
            # One byte shorter is accepted.
            self.assertEqual(self.query().filter(Gorm.Filter.like('title', 'A' * 50000)).count(None), 0)

    def test_in_with_a_hundred_thousand_values(self):
        titles = ['title %d' % i for i in range(100000)] + ['B', 'D']
        # Its speed is bench/bench-in's to measure; a quadratic binding
        # would exceed the suite's time limit by hours.
        self.assertEqual(self.titles(Entry.objects.filter(title__in=titles).order_by('title')),
                         ['B', 'D'])
        self.assertEqual(Entry.objects.exclude(title__in=titles).count(), 3)
        views = list(range(100000, 300000, 2)) + [30]
        self.assertEqual(Entry.objects.filter(views__in=views).update(published=True), 1)
        self.assertEqual(Entry.objects.filter(views__in=views).delete(), (1, {'__main__.Entry': 1}))
        self.assertEqual(Entry.objects.count(), 4)


class UsingTest(QueryTestCase):

    def test_using_another_database(self):
        other = Gorm.Database.open(fresh_uri(self))
        self.addCleanup(other.close)
        Entry.objects.using(other).create(title='Elsewhere')
        self.assertEqual(Entry.objects.using(other).count(), 1)
        self.assertEqual(Entry.objects.using(other).get().title, 'Elsewhere')
        self.assertEqual(Entry.objects.count(), 5)


if __name__ == '__main__':
    main()
