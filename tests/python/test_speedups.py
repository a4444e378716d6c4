# SPDX-License-Identifier: LGPL-2.1-or-later
"""The override's compiled part, gi.overrides._gorm_speedups: Field reads
in C (FieldBase.__get__) give what the reads by name give, refuse what
is not an object of the field's model with TypeError, and loaded objects
are built in Python by the C new-func (set_new_func())."""

import copy
import datetime
import gc
import os
import subprocess
import sys

from gormtest import DatabaseTestCase, main
from gi.module import get_introspection_module
from gi.repository import Gio, GLib, GObject, Gorm
from gi.overrides import _gorm_speedups as speedups


class Sample(Gorm.Resource):
    title = Gorm.Field(str)
    views = Gorm.Field(int)
    maybe = Gorm.Field(int, null=True)
    rating = Gorm.Field(float)
    published = Gorm.Field(bool)
    when = Gorm.Field(datetime.datetime, null=True)
    small = Gorm.Field(GObject.TYPE_INT)
    unsigned = Gorm.Field(GObject.TYPE_UINT)
    huge = Gorm.Field(GObject.TYPE_UINT64)


class Other(Gorm.Resource):
    title = Gorm.Field(str)


class Counted(Gorm.Resource):
    """A model with its own __init__, which loading calls without arguments."""
    label = Gorm.Field(str)
    inits = 0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        type(self).inits += 1
        self.seen = True


class Base(Gorm.Resource):
    name = Gorm.Field(str)

    class Meta:
        abstract = True


class Author(Gorm.Resource):
    name = Gorm.Field(str)


class Post(Gorm.Resource):
    title = Gorm.Field(str)
    author = Gorm.ForeignKey(Author, on_delete=Gorm.CASCADE, null=True)


class Concrete(Base):
    extra = Gorm.Field(int)


def field(model, name):
    return vars(model)[name]


class FieldReadTest(DatabaseTestCase):

    def test_class_access_gives_the_field(self):
        self.assertIsInstance(Sample.title, Gorm.Field)
        self.assertIs(Sample.title, field(Sample, 'title'))
        self.assertIs(field(Sample, 'views').__get__(None, Sample), field(Sample, 'views'))
        self.assertIsInstance(Sample.title, speedups.FieldBase)

    def test_readers_chosen(self):
        readers = {name: field(Sample, name)._slot_reader for name in
                   ('title', 'views', 'maybe', 'rating', 'published', 'when', 'small',
                    'unsigned', 'huge')}
        self.assertEqual(readers, {
            'title': speedups.READ_STRING, 'views': speedups.READ_INT64,
            'maybe': speedups.READ_BY_NAME, 'rating': speedups.READ_DOUBLE,
            'published': speedups.READ_BOOLEAN, 'when': speedups.READ_DATETIME,
            'small': speedups.READ_INTEGER, 'unsigned': speedups.READ_INTEGER,
            'huge': speedups.READ_INTEGER})
        self.assertGreater(field(Sample, 'title')._slot, 0)

    def test_values_at_their_limits(self):
        obj = Sample(title='Grüße ✓', views=-2 ** 63, maybe=None, rating=-1e308,
                     published=True, small=-2 ** 31, unsigned=2 ** 32 - 1, huge=2 ** 64 - 1)
        obj.save()
        key = obj.pk
        del obj
        gc.collect()
        loaded = Sample.objects.get(pk=key)
        self.assertEqual(loaded.title, 'Grüße ✓')
        self.assertEqual(loaded.views, -2 ** 63)
        self.assertIs(type(loaded.views), int)
        self.assertIsNone(loaded.maybe)
        self.assertEqual(loaded.rating, -1e308)
        self.assertIs(loaded.published, True)
        self.assertIsNone(loaded.when)
        self.assertEqual((loaded.small, loaded.unsigned, loaded.huge),
                         (-2 ** 31, 2 ** 32 - 1, 2 ** 64 - 1))
        for name in ('title', 'views', 'rating', 'published', 'small', 'unsigned', 'huge'):
            with self.subTest(field=name):
                self.assertEqual(getattr(loaded, name), field(Sample, name).read_by_name(loaded))

    def test_datetimes_in_their_offset(self):
        for offset in (0, 2 * 3600, -3 * 3600, 5 * 3600 + 1800, -(9 * 3600 + 45 * 60)):
            zone = datetime.timezone(datetime.timedelta(seconds=offset))
            for microsecond in (0, 1, 999999):
                when = datetime.datetime(1999, 12, 31, 23, 59, 58, microsecond, tzinfo=zone)
                with self.subTest(offset=offset, microsecond=microsecond):
                    obj = Sample(when=when)
                    read = obj.when
                    self.assertEqual(read, when)
                    self.assertEqual(read.utcoffset(), datetime.timedelta(seconds=offset))
                    # As datetime.fromisoformat() reads libgorm's ISO 8601 text.
                    text = obj.format_date_time(field(Sample, 'when')._slot)
                    self.assertEqual((read, read.tzinfo, read.isoformat()),
                                     (datetime.datetime.fromisoformat(text),
                                      datetime.datetime.fromisoformat(text).tzinfo,
                                      datetime.datetime.fromisoformat(text).isoformat()))
        utc = Sample(when=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)).when
        self.assertIs(utc.tzinfo, datetime.timezone.utc)

    def test_not_an_object_of_the_model_is_a_type_error(self):
        title = field(Sample, 'title')
        for wrong in (object(), 42, 'text', GObject.Object(), Other(title='x')):
            with self.subTest(wrong=wrong):
                with self.assertRaisesRegex(TypeError, r'Sample\.title: cannot read the field'):
                    title.__get__(wrong, Sample)
        # Each reader checks, not only the string one.
        for name in ('views', 'rating', 'published', 'when', 'small'):
            with self.subTest(field=name):
                with self.assertRaises(TypeError):
                    field(Sample, name).__get__(Other(), Other)

    def test_an_object_never_constructed_is_a_type_error(self):
        # A wrapper without its GObject: GObject.Object.__new__ alone.
        empty = GObject.Object.__new__(Sample)
        with self.assertRaisesRegex(TypeError, 'never constructed'):
            field(Sample, 'views').__get__(empty, Sample)

    def test_a_field_read_by_name_goes_through_read_by_name(self):
        obj = Sample(maybe=7)
        self.assertEqual(obj.maybe, 7)
        obj.maybe = None
        self.assertIsNone(obj.maybe)
        with self.assertRaises(TypeError):
            # The read by name goes through PyGObject, which checks too.
            field(Sample, 'maybe').__get__(object(), Sample)

    def test_set_reader_refuses_bad_arguments(self):
        loose = Gorm.Field(int)
        with self.assertRaises(TypeError):
            loose.set_reader(GObject.Object, 1, speedups.READ_INT64)
        with self.assertRaises(TypeError):
            loose.set_reader(42, 1, speedups.READ_INT64)
        with self.assertRaises(ValueError):
            loose.set_reader(Sample, 1, 99)
        with self.assertRaises(ValueError):
            loose.set_reader(Sample, 1, -1)
        with self.assertRaises(ValueError):
            loose.set_reader(Sample, 0, speedups.READ_INT64)
        for slot in (-1, 2 ** 32):
            with self.assertRaises(OverflowError):
                loose.set_reader(Sample, slot, speedups.READ_INT64)
        with self.assertRaises(TypeError):
            loose.set_reader(Sample, '1', speedups.READ_INT64)
        self.assertEqual(loose._slot_reader, speedups.READ_BY_NAME)

    def test_a_slot_that_is_not_stored_reads_the_empty_value(self):
        # A slot of no property of the class: libgorm's getters give their
        # empty value, never memory of another property.
        loose = Gorm.Field(int)
        loose.set_reader(Sample, 999, speedups.READ_INT64)
        self.assertEqual(loose.__get__(Sample(views=3), Sample), 0)
        loose.set_reader(Sample, 999, speedups.READ_STRING)
        self.assertIsNone(loose.__get__(Sample(title='t'), Sample))
        loose.set_reader(Sample, 999, speedups.READ_DATETIME)
        self.assertIsNone(loose.__get__(Sample(), Sample))
        loose.set_reader(Sample, 999, speedups.READ_INTEGER)
        self.assertIsNone(loose.__get__(Sample(), Sample))
        # A slot of a property of another type reads its reader's empty value.
        loose.set_reader(Sample, field(Sample, 'title')._slot, speedups.READ_INT64)
        self.assertEqual(loose.__get__(Sample(title='t'), Sample), 0)

    def test_copied_fields_of_abstract_models(self):
        original = Base._gorm_abstract_fields['name']
        copied = copy.copy(original)
        self.assertIsNot(copied, original)
        self.assertEqual(copied._slot_reader, speedups.READ_BY_NAME)
        self.assertEqual(field(Concrete, 'name')._slot_reader, speedups.READ_STRING)
        obj = Concrete(name='n', extra=2)
        obj.save()
        loaded = self.reload(obj)
        self.assertEqual((loaded.name, loaded.extra), ('n', 2))


class RelationReadTest(DatabaseTestCase):

    def test_class_access_gives_the_foreign_key(self):
        self.assertIsInstance(Post.author, Gorm.ForeignKey)
        self.assertIsInstance(Post.author, speedups.ForeignKeyBase)

    def test_kept_object_while_its_key_is_the_key(self):
        ann, bob = Author(name='Ann'), Author(name='Bob')
        ann.save()
        bob.save()
        post = Post(title='p', author=ann)
        post.save()
        self.assertIs(post.author, ann)
        self.assertIs(post.author, ann)
        # Another key: the object kept is replaced.
        post.author_id = bob.id
        self.assertIs(post.author, bob)
        post.author = None
        self.assertIsNone(post.author)
        self.assertIsNone(post.author_id)

    def test_loaded_through_load_when_none_is_kept(self):
        ann = Author(name='Ann')
        ann.save()
        Post(title='p', author=ann).save()
        key = ann.id
        del ann
        gc.collect()
        post = Post.objects.get(title='p')
        self.assertNotIn(Post.author.cache_name, post.__dict__)
        author = post.author
        self.assertEqual((author.id, author.name), (key, 'Ann'))
        self.assertIs(post.__dict__[Post.author.cache_name], author)

    def test_select_related_keeps_the_related_objects(self):
        ann = Author(name='Ann')
        ann.save()
        for title in ('a', 'b'):
            Post(title=title, author=ann).save()
        Post(title='c').save()
        key = ann.id
        del ann
        gc.collect()
        posts = list(Post.objects.select_related('author').order_by('title'))
        names = [post.__dict__.get(Post.author.cache_name) for post in posts]
        self.assertEqual([n.name if n else None for n in names], ['Ann', 'Ann', None])
        self.assertIs(names[0], names[1])
        self.assertEqual(posts[0].author.id, key)

    def saved_post(self):
        """A saved post of a saved author, read once: the ForeignKey has
        taken its attributes into its struct."""
        ann = Author(name='Ann')
        ann.save()
        post = Post(title='p', author=ann)
        post.save()
        self.assertIs(post.author, ann)
        return ann, post

    def test_a_foreign_key_reads_its_attributes_again_once_one_is_assigned(self):
        ann, post = self.saved_post()
        field = Post.author
        original = field.target_key
        compared = []

        def counted(related):
            compared.append(related)
            return original(related)
        field.target_key = counted
        try:
            self.assertIs(post.author, ann)
            self.assertEqual(compared, [ann])
            # A key no object has: the kept object is not given.
            field.target_key = lambda related: -1
            self.assertEqual(post.author.id, ann.id)
        finally:
            field.target_key = original
        compared.clear()
        self.assertIs(post.author, ann)
        self.assertEqual(compared, [])

    def test_a_copied_foreign_key_reads_what_it_copied(self):
        ann, post = self.saved_post()
        copied = copy.copy(Post.author)
        self.assertIsNot(copied, Post.author)
        for name in ('key_attribute', 'cache_name', 'target_key', 'name', 'null'):
            self.assertEqual(getattr(copied, name), getattr(Post.author, name))
        self.assertIs(copied.__get__(post, Post), ann)

    def test_a_foreign_key_read_on_another_object(self):
        with self.assertRaises(AttributeError):
            Post.author.__get__(object(), Post)
        with self.assertRaises(AttributeError):
            Post.author.__get__(Author(name='x'), Author)

    def test_get_id(self):
        ann = Author(name='Ann')
        self.assertEqual(ann.id, 0)
        ann.save()
        self.assertEqual(speedups.get_id(ann), ann.id)
        self.assertGreater(ann.id, 0)
        self.assertIsInstance(Author.id, property)
        for wrong in (object(), None, GObject.Object(), GObject.Object.__new__(Author)):
            with self.subTest(wrong=wrong):
                with self.assertRaisesRegex(TypeError, 'get_id: .* is not a constructed Gorm.Resource'):
                    speedups.get_id(wrong)

    def test_take_related_takes_items_and_keeps_their_related_objects(self):
        ann = Author(name='Ann')
        ann.save()
        for title in ('a', 'b', 'c'):
            Post(title=title, author=ann).save()
        Post(title='d').save()
        key = ann.id
        del ann
        gc.collect()
        cache = Post.author.cache_name
        model = speedups.collect(Post.objects.select_related('author').order_by('title')
                                 .query.fetch)
        taken = speedups.take_related(model, 1, 5, 'author', cache)
        self.assertEqual([post.title for post in taken], ['b', 'c', 'd'])
        self.assertEqual([post.__dict__.get(cache) is not None for post in taken],
                         [True, True, False])
        self.assertIs(taken[0].__dict__[cache], taken[1].__dict__[cache])
        # The posts keep their author once the model is gone.
        del model
        gc.collect()
        self.assertEqual(taken[0].author.id, key)
        self.assertIs(taken[0].author, taken[1].author)
        model = Post.objects.order_by('title').query.fetch()
        self.assertEqual(speedups.take_related(model, 4, 2, 'author', cache), [])
        self.assertEqual(len(speedups.take_related(model, 0, 2, 'author', cache)), 2)

    def test_take_related_refuses_bad_arguments(self):
        model = Post.objects.order_by('title').query.fetch()
        for args in ((), (model, 0, 1, 'author'), (object(), 0, 1, 'author', 'cache'),
                     (model, 0, 1, 2, 'cache'), (model, 0, 1, 'author', 3),
                     (model, '0', 1, 'author', 'cache')):
            with self.subTest(args=args):
                with self.assertRaises(TypeError):
                    speedups.take_related(*args)
        # Items that are not objects are refused as keep_related() refuses them.
        Post(title='p').save()
        rows = Post.objects.values('title').query.fetch_rows(None)
        with self.assertRaisesRegex(TypeError, 'keep_related: a .*Row is not a constructed '
                                    'Gorm.Resource'):
            speedups.take_related(rows, 0, 1, 'author', 'cache')
        for start, n_items in ((-1, 1), (0, -1), (0, 2 ** 32), (2 ** 64, 1)):
            with self.subTest(start=start, n_items=n_items):
                with self.assertRaises(ValueError):
                    speedups.take_related(model, start, n_items, 'author', 'cache')

    def test_keep_related_refuses_bad_arguments(self):
        post = Post(title='p')
        for args in ((), ('author', 'cache'), (1, 'cache', post), ('author', 2, post),
                     ('author', 'cache', object()), ('author', 'cache', post, 4)):
            with self.subTest(args=args):
                with self.assertRaises(TypeError):
                    speedups.keep_related(*args)
        # Nothing at hand, or no such relation: the resource, unchanged.
        self.assertIs(speedups.keep_related('author', 'cache', post), post)
        self.assertIs(speedups.keep_related('nothing', 'cache', post), post)
        self.assertNotIn('cache', post.__dict__)


class BuildQueryTest(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        self.db.migrate([Sample])
        for i in range(6):
            Sample(title='t%d' % i, views=i * 10, published=bool(i % 2)).save()

    def test_the_query_of_a_plain_queryset(self):
        where = Gorm.Filter.gt('views', 10)
        query = speedups.build_query(self.db, Sample.__gtype__, where,
                                     (('published', True), ('views', False)), 1, 2)
        self.assertIsInstance(query, Gorm.Query)
        # What the builder methods give: published first, then by views.
        expected = (self.db.query(Sample).filter(Gorm.Filter.gt('views', 10))
                    .order_by('published', True).order_by('views', False).offset(1).limit(2))
        self.assertEqual([s.title for s in query.fetch()], ['t5', 't2'])
        self.assertEqual([s.title for s in query.fetch()], [s.title for s in expected.fetch()])
        # Without filter, offset nor limit: every row.
        query = speedups.build_query(self.db, Sample.__gtype__, None, (('views', True),), 0, None)
        self.assertEqual([s.views for s in query.fetch()], [50, 40, 30, 20, 10, 0])
        # The filter stays usable by the caller (the query took a reference).
        self.assertEqual(len(self.db.query(Sample).filter(where).fetch()), 4)

    def test_a_sliced_ordered_queryset_goes_through_it(self):
        queryset = Sample.objects.filter(views__gt=0, published=True).order_by('-views')[1:3]
        self.assertEqual([s.title for s in queryset], ['t3', 't1'])
        self.assertEqual(queryset.count(), 2)
        self.assertEqual([s.title for s in Sample.objects.order_by('title')[4:]], ['t4', 't5'])

    def test_an_unknown_property_is_the_error_of_the_builder(self):
        query = speedups.build_query(self.db, Sample.__gtype__, None, (('nothing', False),), 0,
                                     None)
        with self.assertRaises(GLib.Error) as raised:
            query.fetch()
        self.assertTrue(raised.exception.matches(Gorm.error_quark(),
                                                 Gorm.Error.UNKNOWN_PROPERTY))

    def test_refuses_bad_arguments(self):
        gtype = Sample.__gtype__
        for args in ((), (self.db, gtype, None, (), 0),
                     (object(), gtype, None, (), 0, None),
                     (self.db, GObject.Object.__gtype__, None, (), 0, None),
                     (self.db, gtype, 'views', (), 0, None),
                     (self.db, gtype, None, [('views', False)], 0, None),
                     (self.db, gtype, None, (('views',),), 0, None),
                     (self.db, gtype, None, ((1, False),), 0, None),
                     (self.db, gtype, None, (), 'x', None)):
            with self.subTest(args=args):
                with self.assertRaises(TypeError):
                    speedups.build_query(*args)
        for offset, limit in ((-1, None), (0, -2), (0, 2 ** 40)):
            with self.subTest(offset=offset, limit=limit):
                with self.assertRaises(OverflowError):
                    speedups.build_query(self.db, gtype, None, (), offset, limit)


class BuildFilterTest(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        self.db.migrate([Sample])
        for i in range(6):
            Sample(title='t%d' % i, views=i * 10, published=bool(i % 2), huge=2 ** 40 + i,
                   when=datetime.datetime(2020, 1, 1 + i, tzinfo=datetime.timezone.utc)).save()

    def titles(self, where):
        return sorted(s.title for s in self.db.query(Sample).filter(where).fetch())

    def test_the_conjunction_of_the_builder(self):
        # The codes of build_filter(): eq, ne, lt, le, gt, ge.
        for code, expected in enumerate((['t2'], ['t0', 't1', 't3', 't4', 't5'], ['t0', 't1'],
                                         ['t0', 't1', 't2'], ['t3', 't4', 't5'],
                                         ['t2', 't3', 't4', 't5'])):
            with self.subTest(code=code):
                self.assertEqual(self.titles(speedups.build_filter(None, ((code, 'views', 20),))),
                                 expected)
        where = speedups.build_filter(None, ((4, 'views', 10), (0, 'published', True)))
        self.assertEqual(self.titles(where), ['t3', 't5'])
        # With a filter before: where AND (the terms), the filter kept usable.
        before = Gorm.Filter.lt('views', 50)
        where = speedups.build_filter(before, ((4, 'views', 10), (0, 'published', True)))
        self.assertEqual(self.titles(where), ['t3'])
        self.assertEqual(len(self.titles(before)), 5)

    def test_values_in_their_own_types(self):
        # An int beyond 32 bits is a gint64, a GObject.Value and a
        # GLib.DateTime pass as they are, a float and a str in their types.
        self.assertEqual(self.titles(speedups.build_filter(None, ((5, 'huge', 2 ** 40 + 4),))),
                         ['t4', 't5'])
        value = GObject.Value(GObject.TYPE_UINT64, 2 ** 40 + 1)
        self.assertEqual(self.titles(speedups.build_filter(None, ((0, 'huge', value),))), ['t1'])
        when = GLib.DateTime.new_utc(2020, 1, 3, 0, 0, 0)
        self.assertEqual(self.titles(speedups.build_filter(None, ((2, 'when', when),))),
                         ['t0', 't1'])
        self.assertEqual(self.titles(speedups.build_filter(None, ((2, 'rating', 0.5),))),
                         ['t0', 't1', 't2', 't3', 't4', 't5'])
        self.assertEqual(self.titles(speedups.build_filter(None, ((0, 'title', 't3'),))), ['t3'])

    def test_none_for_a_value_the_override_converts(self):
        for value in (None, 2 ** 64, datetime.datetime(2020, 1, 1), b'x', [1], '\ud800'):
            with self.subTest(value=value):
                self.assertIsNone(speedups.build_filter(None, ((0, 'views', 1),
                                                               (0, 'views', value))))

    def test_a_mismatch_is_the_error_of_the_builder(self):
        where = speedups.build_filter(None, ((0, 'views', 'many'),))
        expected = Gorm.Filter.eq('views', 'many')
        with self.assertRaises(GLib.Error) as raised:
            self.titles(where)
        with self.assertRaises(GLib.Error) as builder:
            self.titles(expected)
        self.assertTrue(raised.exception.matches(Gorm.error_quark(), Gorm.Error.TYPE_MISMATCH))
        self.assertEqual(raised.exception.message, builder.exception.message)

    def test_refuses_bad_arguments(self):
        for args in ((), (None,), (None, ()), (None, [(0, 'views', 1)]),
                     ('views', ((0, 'views', 1),)), (None, ((0, 'views'),)),
                     (None, (('eq', 'views', 1),)), (None, ((0, 1, 1),))):
            with self.subTest(args=args):
                with self.assertRaises(TypeError):
                    speedups.build_filter(*args)
        for code in (-1, 6, 2 ** 70):
            with self.subTest(code=code):
                with self.assertRaises((ValueError, OverflowError)):
                    speedups.build_filter(None, ((code, 'views', 1),))

    def test_filter_goes_through_it_once_its_lookups_are_known(self):
        def titles(queryset):
            return sorted(s.title for s in queryset)

        # The first filter() resolves the keys, the next ones build in C:
        # the same objects each time, chained filters and excluded ones too.
        for _ in range(2):
            self.assertEqual(titles(Sample.objects.filter(views__gt=10, published=True)),
                             ['t3', 't5'])
            self.assertEqual(titles(Sample.objects.filter(views__gte=10).filter(
                published=False, title__ne='t4')), ['t2'])
            self.assertEqual(titles(Sample.objects.filter(huge__lt=2 ** 40 + 2)), ['t0', 't1'])
            when = datetime.datetime(2020, 1, 5, tzinfo=datetime.timezone.utc)
            self.assertEqual(titles(Sample.objects.filter(when__gte=when)), ['t4', 't5'])
            # None and expressions take the lookup-by-lookup path.
            self.assertEqual(titles(Sample.objects.filter(maybe=None, views__lte=0)), ['t0'])
            self.assertEqual(titles(Sample.objects.filter(views=Gorm.F('views'),
                                                          published=True)), ['t1', 't3', 't5'])
        # A mismatch names the model, field and value, as before.
        for _ in range(2):
            with self.assertRaises(Gorm.TypeMismatchError) as raised:
                list(Sample.objects.filter(views__gt=10, published='yes'))
            self.assertIn('published', str(raised.exception))


class NewFuncTest(DatabaseTestCase):

    def test_loaded_objects_are_built_in_python(self):
        Counted(label='a').save()
        Counted(label='b').save()
        gc.collect()
        before = Counted.inits
        loaded = list(Counted.objects.order_by('label'))
        self.assertEqual([obj.label for obj in loaded], ['a', 'b'])
        self.assertEqual(Counted.inits, before + 2)
        for obj in loaded:
            self.assertIs(type(obj), Counted)
            self.assertTrue(obj.seen)
            self.assertEqual(obj.get_database(), self.db)
        # The identity map: a row loaded again is the same object.
        self.assertIs(Counted.objects.get(label='a'), loaded[0])
        self.assertEqual(Counted.inits, before + 2)

    def test_loaded_objects_of_a_model_without_its_own_init(self):
        Sample(title='x', views=4).save()
        gc.collect()
        obj = Sample.objects.get(title='x')
        self.assertIs(type(obj), Sample)
        self.assertEqual((obj.views, obj.get_database()), (4, self.db))

    def test_set_new_func_refuses_what_is_not_a_model(self):
        for wrong in (object, int, GObject.Object, 42, None):
            with self.subTest(wrong=wrong):
                with self.assertRaises(TypeError):
                    speedups.set_new_func(wrong)


class Stamped(Gorm.Resource):
    stamp = Gorm.Field(GLib.DateTime)


def _utc(year):
    return datetime.datetime(year, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


def _churn():
    """Makes and frees GDateTimes of other values: a GDateTime freed before
    takes one of their places."""
    gc.collect()
    return [GLib.DateTime.new_from_unix_utc(i * 86400).format_iso8601() for i in range(64)]


class BoxedValueTest(DatabaseTestCase):
    """A boxed value read from an object or a row (a GLib.DateTime) is
    the reader's own: PyGObject 3.42 wraps the boxed value of a GValue
    without a copy, which pointed into the object or the row and was freed
    with it."""

    def setUp(self):
        super().setUp()
        self.db.migrate([Stamped])
        for year in (2001, 2002, 2003):
            Stamped(stamp=_utc(year)).save()

    def test_field_read_outlives_an_assignment(self):
        obj = Stamped(stamp=_utc(1999))
        value = obj.stamp
        obj.stamp = _utc(2050)
        _churn()
        self.assertEqual(value.format_iso8601(), '1999-01-02T03:04:05Z')

    def test_field_read_outlives_the_object(self):
        value = Stamped(stamp=_utc(1998)).stamp
        gobject_form = Stamped(stamp=_utc(1997)).get_value('stamp')
        _churn()
        self.assertEqual(value.format_iso8601(), '1998-01-02T03:04:05Z')
        self.assertEqual(gobject_form.format_iso8601(), '1997-01-02T03:04:05Z')

    def test_values_outlive_their_rows(self):
        as_dicts = list(Stamped.objects.order_by('stamp').values('stamp'))
        as_tuples = list(Stamped.objects.order_by('stamp').values_list('stamp'))
        flat = list(Stamped.objects.order_by('stamp').values_list('stamp', flat=True))
        latest = Stamped.objects.aggregate(latest=Gorm.Max('stamp'))['latest']
        _churn()
        expected = ['2001-01-02T03:04:05Z', '2002-01-02T03:04:05Z', '2003-01-02T03:04:05Z']
        self.assertEqual([row['stamp'].format_iso8601() for row in as_dicts], expected)
        self.assertEqual([row[0].format_iso8601() for row in as_tuples], expected)
        self.assertEqual([value.format_iso8601() for value in flat], expected)
        self.assertEqual(latest.format_iso8601(), expected[-1])

    def test_get_value_refuses_bad_arguments(self):
        obj = Stamped(stamp=_utc(2000))
        with self.assertRaisesRegex(TypeError, "has no readable property 'nope'"):
            obj.get_value('nope')
        with self.assertRaisesRegex(TypeError, 'a property name is a str, not int'):
            speedups.get_value(obj, 3)
        with self.assertRaisesRegex(TypeError, 'not a constructed Gorm.Resource'):
            speedups.get_value(object(), 'stamp')
        with self.assertRaises(TypeError):
            speedups.get_value(obj)

    def test_row_value_refuses_bad_arguments(self):
        row = Stamped.objects.aggregate(latest=Gorm.Max('stamp'))
        with self.assertRaisesRegex(TypeError, 'not a constructed Gorm.Row'):
            speedups.row_value(Stamped(stamp=_utc(2000)), 0)
        # Gorm.Row objects, from the C function the override's select() wraps.
        introspected = get_introspection_module('Gorm')
        rows = introspected.Database.select(self.db, 'SELECT 1, NULL', [], None)
        self.assertEqual(speedups.row_value(rows[0], 0), 1)
        self.assertIsNone(speedups.row_value(rows[0], 1))
        self.assertIsNone(rows[0].get_value(1))
        for column in (2, -1, 2 ** 40):
            with self.subTest(column=column):
                with self.assertRaises((IndexError, OverflowError)):
                    speedups.row_value(rows[0], column)
        self.assertEqual(row['latest'].format_iso8601(), '2003-01-02T03:04:05Z')


class RowReaderTest(DatabaseTestCase):
    """RowReader builds the rows of values() and values_list() in C: the
    rows of a result, or a chunk of them, in one read() call, one row when
    called, with the conversions the query set gives each column."""

    def setUp(self):
        super().setUp()
        self.db.migrate([Sample, Author, Post])
        Sample(title='a', views=2 ** 40, maybe=None, rating=1.5, published=True,
               when=datetime.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc),
               small=-3, unsigned=7, huge=2 ** 63 + 1).save()
        Sample(title='b', views=-1, maybe=4, rating=0.0, published=False, when=None,
               small=0, unsigned=0, huge=0).save()
        self.ann = Author.objects.create(name='ann')
        Post.objects.create(title='p1', author=self.ann)
        Post.objects.create(title='p2', author=None)

    def rows(self, queryset):
        """The Gio.ListModel of Gorm.Rows ``queryset`` fetches."""
        return queryset.query.fetch_rows(None)

    def test_values_of_every_kind(self):
        names = ('title', 'views', 'maybe', 'rating', 'published', 'when', 'small', 'unsigned',
                 'huge')
        rows = list(Sample.objects.order_by('title').values(*names))
        self.assertEqual(rows, [
            {'title': 'a', 'views': 2 ** 40, 'maybe': None, 'rating': 1.5, 'published': True,
             'when': datetime.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc),
             'small': -3, 'unsigned': 7, 'huge': 2 ** 63 + 1},
            {'title': 'b', 'views': -1, 'maybe': 4, 'rating': 0.0, 'published': False,
             'when': None, 'small': 0, 'unsigned': 0, 'huge': 0},
        ])
        for row in rows:
            self.assertEqual([type(row[name]) for name in ('views', 'rating', 'published')],
                             [int, float, bool])
            self.assertEqual(list(row), list(names))
        self.assertEqual(list(Post.objects.order_by('title').values('title', 'author')),
                         [{'title': 'p1', 'author': self.ann.id}, {'title': 'p2', 'author': None}])

    def test_every_form_and_one_row_at_a_time(self):
        queryset = Sample.objects.order_by('title')
        self.assertEqual(list(queryset.values_list('title', 'views')),
                         [('a', 2 ** 40), ('b', -1)])
        self.assertEqual(list(queryset.values_list('views', flat=True)), [2 ** 40, -1])
        named = list(queryset.values_list('title', 'small', named=True))
        self.assertEqual([(row.title, row.small) for row in named], [('a', -3), ('b', 0)])
        self.assertEqual(type(named[0]).__name__, 'Row')
        # Indexing a fetched query set reads one row through the same reader.
        dicts = queryset.values('title')
        list(dicts)
        self.assertEqual(dicts[1], {'title': 'b'})
        self.assertEqual(queryset.values('title')[1], {'title': 'b'})
        self.assertEqual(queryset.values_list('title', flat=True).first(), 'a')

    def test_conversions_called_as_given(self):
        seen = []

        def generic(value):
            seen.append(value)
            return ('generic', value)

        keys = ('title', 'maybe', 'when')
        reader = speedups.RowReader(keys, (generic, generic, generic),
                                    speedups.ROW_FORM_TUPLE, generic, None)
        rows = reader.read(self.rows(Sample.objects.order_by('title').values(*keys)))
        # The generic conversion runs for date-times alone, not for NULL.
        self.assertEqual(len(seen), 1)
        self.assertIsInstance(seen[0], GLib.DateTime)
        self.assertEqual(rows[0][:2], ('a', None))
        self.assertEqual(rows[0][2][0], 'generic')
        self.assertEqual(rows[1], ('b', 4, None))

        # Another converter runs for every value, NULL too; None keeps it.
        reader = speedups.RowReader(keys, (str.upper, repr, None),
                                    speedups.ROW_FORM_DICT, generic, None)
        rows = reader.read(self.rows(Sample.objects.order_by('title').values(*keys)))
        self.assertEqual([row['title'] for row in rows], ['A', 'B'])
        self.assertEqual([row['maybe'] for row in rows], ['None', '4'])
        self.assertIsInstance(rows[0]['when'], GLib.DateTime)
        self.assertEqual(rows[0]['when'].get_year(), 2001)
        _churn()
        # A boxed value is the reader's own copy: it outlives its rows.
        self.assertEqual(rows[0]['when'].get_microsecond(), 7)

    def test_keys_interned_and_left_as_given(self):
        key = ''.join(['ti', 'tle'])
        keys = (key,)
        reader = speedups.RowReader(keys, (None,), speedups.ROW_FORM_DICT, str, None)
        self.assertIs(keys[0], key)
        rows = reader.read(self.rows(Sample.objects.order_by('title').values('title')))
        self.assertIs(next(iter(rows[0])), next(iter(rows[1])))
        self.assertEqual(rows, [{'title': 'a'}, {'title': 'b'}])

    def test_refuses_bad_arguments(self):
        form = speedups.ROW_FORM_DICT
        for args, error, message in (
                ((['a'], (None,), form, str, None), TypeError, 'must be tuple'),
                ((('a',), (None, None), form, str, None), ValueError, '1 keys but 2 converters'),
                (((1,), (None,), form, str, None), TypeError, 'a key is a str, not int'),
                ((('a',), (3,), form, str, None), TypeError, "converter of 'a' is not callable"),
                ((('a',), (None,), 17, str, None), ValueError, 'no row form 17'),
                ((('a', 'b'), (None, None), speedups.ROW_FORM_FLAT, str, None), ValueError,
                 'a flat row has one column, not 2'),
                ((('a',), (None,), speedups.ROW_FORM_NAMED, str, None), TypeError,
                 'named rows need a tuple type'),
                ((('a',), (None,), form, None, None), TypeError,
                 'the generic conversion is not callable')):
            with self.subTest(args=args):
                with self.assertRaisesRegex(error, message):
                    speedups.RowReader(*args)

        reader = speedups.RowReader(('title',), (None,), form, str, None)
        with self.assertRaisesRegex(TypeError, 'a object is not a Gio.ListModel'):
            reader.read(object())
        objects = Sample.objects.all().query.fetch(None)
        with self.assertRaisesRegex(TypeError, r'holds \S*Sample items, not Gorm.Rows'):
            reader.read(objects)
        with self.assertRaisesRegex(TypeError, 'a Sample is not a constructed Gorm.Row'):
            reader(objects[0])
        rows = self.rows(Sample.objects.values('views'))
        with self.assertRaisesRegex(IndexError, "the row has no column 'title'"):
            reader.read(rows)
        with self.assertRaisesRegex(IndexError, "the row has no column 'title'"):
            reader(rows[0])
        # A converter's exception goes through, and the reader stays usable.
        failing = speedups.RowReader(('views',), (lambda value: 1 / 0,), form, str, None)
        with self.assertRaises(ZeroDivisionError):
            failing.read(rows)
        self.assertEqual(len(speedups.RowReader(('views',), (None,), form, str, None)
                             .read(rows)), 2)
        with self.assertRaisesRegex(ValueError, 'no row -1'):
            reader.read(rows, -1)
        with self.assertRaises(TypeError):
            reader.read(rows, 0, 1, 2)
        with self.assertRaises(TypeError):
            reader.read(rows, 'first')

    def test_chunks(self):
        reader = speedups.RowReader(('title',), (None,), speedups.ROW_FORM_FLAT, str, None)
        rows = self.rows(Sample.objects.order_by('title').values('title'))
        self.assertEqual(reader.read(rows), ['a', 'b'])
        self.assertEqual(reader.read(rows, 1), ['b'])
        self.assertEqual(reader.read(rows, 0, 1), ['a'])
        self.assertEqual(reader.read(rows, 1, 5), ['b'])
        self.assertEqual(reader.read(rows, 0, -1), ['a', 'b'])
        self.assertEqual(reader.read(rows, 2), [])
        self.assertEqual(reader.read(rows, 2 ** 40), [])

    def test_missing_items(self):
        # A live model that cannot load an item gives None for it (and
        # says why in a warning): the reader gives None there too, and
        # finds the columns in the first row there is.
        rows = self.rows(Sample.objects.order_by('title').values('title', 'views'))
        given = [None, rows[0], None, rows[1]]

        class Gappy(GObject.Object, Gio.ListModel):
            def do_get_item_type(self):
                return Gorm.Row.__gtype__

            def do_get_n_items(self):
                return len(given)

            def do_get_item(self, position):
                return given[position]

        reader = speedups.RowReader(('views', 'title'), (None, None),
                                    speedups.ROW_FORM_TUPLE, str, None)
        self.assertEqual(reader.read(Gappy()), [None, (2 ** 40, 'a'), None, (-1, 'b')])
        self.assertEqual(reader.read(Gappy(), 2, 1), [None])


class ImportTest(DatabaseTestCase):

    def test_override_without_its_compiled_part_is_an_import_error(self):
        # The source tree's override alone, without the build tree's
        # gi/overrides/: one path, no pure-Python fallback.
        environment = dict(os.environ, PYTHONPATH=os.path.join(
            os.environ['GORM_SOURCE_ROOT'], 'bindings', 'python'))
        process = subprocess.run(
            [sys.executable, '-c', 'import gi; gi.require_version("Gorm", "1.0"); '
             'from gi.repository import Gorm'],
            env=environment, capture_output=True, text=True, timeout=120)
        self.assertNotEqual(process.returncode, 0)
        self.assertIn('ImportError: the Gorm override needs its compiled part', process.stderr)
        self.assertIn('python-gi-dev', process.stderr)


if __name__ == '__main__':
    main()
