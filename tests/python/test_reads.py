# SPDX-License-Identifier: LGPL-2.1-or-later
"""Attribute reads by slot (Gorm.Resource.get_value_slot() and the typed
getters): they give what a read by name gives, for every field type,
NULL, defaults never set, renamed columns and inherited models, and see
the changes made in C."""

import datetime
import enum
import gc
import sys
import unittest.mock

from gormtest import DatabaseTestCase, main
from gi.repository import Gio, GLib, GObject, Gorm
from gi.overrides._gorm_speedups import READ_BY_NAME


class Mood(enum.Enum):
    CALM = 1
    ANGRY = 2


class Reading(Gorm.Resource):
    title = Gorm.Field(str)
    note = Gorm.Field(str, null=True)
    views = Gorm.Field(int, default=5)
    maybe = Gorm.Field(int, null=True)
    small = Gorm.Field(GObject.TYPE_INT)
    huge = Gorm.Field(GObject.TYPE_UINT64)
    rating = Gorm.Field(float)
    published = Gorm.Field(bool)
    when = Gorm.Field(datetime.datetime, null=True)
    glib_when = Gorm.Field(GLib.DateTime, null=True)
    blob = Gorm.Field(bytes, null=True)
    tags = Gorm.Field(list)
    mood = Gorm.Field(Mood)
    kind = Gorm.Field(Gio.FileType)
    renamed = Gorm.Field(str, column='old_name')


class Base(Gorm.Resource):
    name = Gorm.Field(str)
    count = Gorm.Field(int)


class Derived(Base):
    extra = Gorm.Field(float)


class Stamped(Gorm.Resource):
    created = Gorm.Field(datetime.datetime)

    class Meta:
        abstract = True


class Entry(Stamped):
    label = Gorm.Field(str)


ZONE = datetime.timezone(datetime.timedelta(hours=2))


def fields(model):
    return {name: value for cls in model.__mro__ for name, value in vars(cls).items()
            if isinstance(value, Gorm.Field)}


class ReadsTest(DatabaseTestCase):

    def assert_reads_as_by_name(self, obj):
        for name, field in fields(type(obj)).items():
            with self.subTest(field=name):
                self.assertEqual(getattr(obj, name), field.read_by_name(obj))

    def test_fields_read_by_slot(self):
        for name in ('title', 'note', 'views', 'small', 'huge', 'rating', 'published',
                     'when', 'renamed'):
            self.assertNotEqual(fields(Reading)[name]._slot_reader, READ_BY_NAME, name)
        # Nullable numbers ask libgorm for NULL; converted values read by name.
        for name in ('maybe', 'glib_when', 'blob', 'tags', 'mood', 'kind'):
            self.assertEqual(fields(Reading)[name]._slot_reader, READ_BY_NAME, name)

    def test_loaded_values(self):
        obj = Reading(title='Grüße', note='n', views=2 ** 40, maybe=3, small=-7,
                      huge=2 ** 64 - 1, rating=2.5, published=True,
                      when=datetime.datetime(2020, 3, 1, 10, 0, 0, 123456, tzinfo=ZONE),
                      blob=b'\x00b', tags=['a'], mood=Mood.ANGRY,
                      kind=Gio.FileType.DIRECTORY, renamed='r')
        obj.save()
        loaded = self.reload(obj)
        self.assertEqual(loaded.title, 'Grüße')
        self.assertEqual(loaded.views, 2 ** 40)
        self.assertEqual(loaded.small, -7)
        self.assertEqual(loaded.huge, 2 ** 64 - 1)
        self.assertEqual(loaded.rating, 2.5)
        self.assertIs(loaded.published, True)
        self.assertEqual(loaded.when, datetime.datetime(2020, 3, 1, 8, 0, 0, 123456,
                                                        tzinfo=datetime.timezone.utc))
        self.assertEqual(loaded.renamed, 'r')
        self.assert_reads_as_by_name(loaded)

    def test_nulls(self):
        obj = Reading(title='t', note=None, maybe=None, when=None)
        obj.save()
        loaded = self.reload(obj)
        self.assertIsNone(loaded.note)
        self.assertIsNone(loaded.maybe)
        self.assertIsNone(loaded.when)
        self.assert_reads_as_by_name(loaded)

    def test_defaults_never_set(self):
        # Properties never set read as their defaults, 5 for views.
        obj = Reading()
        self.assertEqual(obj.views, 5)
        self.assertEqual(obj.title, '')
        self.assertEqual(obj.rating, 0.0)
        self.assertIs(obj.published, False)
        self.assertIsNone(obj.when)
        self.assert_reads_as_by_name(obj)

    def test_inherited_models(self):
        derived = Derived(name='d', count=3, extra=1.5)
        derived.save()
        loaded = self.reload(derived)
        self.assertEqual((loaded.name, loaded.count, loaded.extra), ('d', 3, 1.5))
        self.assert_reads_as_by_name(loaded)
        base = Base(name='b', count=4)
        base.save()
        self.assertEqual((self.reload(base).name, self.reload(base).count), ('b', 4))
        when = datetime.datetime(2021, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        entry = Entry(created=when, label='e')
        entry.save()
        loaded = self.reload(entry)
        self.assertEqual((loaded.created, loaded.label), (when, 'e'))

    def test_reads_see_changes_made_in_c(self):
        obj = Reading(title='before', views=1)
        obj.save()
        # g_object_set_property(), as C sets it.
        obj.set_property('title', 'set in C')
        obj.set_property('views', 9)
        self.assertEqual((obj.title, obj.views), ('set in C', 9))
        obj.save()
        # A bulk update changes the live object.
        Reading.objects.filter(pk=obj.pk).update(views=11)
        self.assertEqual(obj.views, 11)
        # A row changed behind libgorm's back reads once the object reloads.
        self.db.execute('UPDATE reading SET title = \'outside\' WHERE id = %d' % obj.pk)
        obj.refresh_from_db()
        self.assertEqual(obj.title, 'outside')
        # The same row fetched again is the same object, with its values.
        fetched = list(Reading.objects.filter(pk=obj.pk))
        self.assertIs(fetched[0], obj)
        self.assertEqual(fetched[0].views, 11)

    def test_slot_api(self):
        obj = Reading(title='t', views=3, rating=0.5, published=True,
                      when=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))
        slot = Reading.get_value_slot
        self.assertEqual(slot('nope'), 0)
        self.assertEqual(slot('id'), 0)
        self.assertGreater(slot('title'), 0)
        self.assertEqual(Derived.get_value_slot('name'), Base.get_value_slot('name'))
        self.assertEqual(obj.get_int64_value(slot('views')), 3)
        self.assertEqual(obj.get_double_value(slot('rating')), 0.5)
        self.assertIs(obj.get_boolean_value(slot('published')), True)
        self.assertEqual(obj.get_string_value(slot('title')), 't')
        self.assertEqual(obj.peek_value(slot('views')), 3)
        self.assertEqual(obj.format_date_time(slot('when')), '2020-01-01T00:00:00Z')
        # Wrong types and slots that are not the class's give nothing.
        self.assertEqual(obj.get_int64_value(slot('title')), 0)
        self.assertEqual(obj.get_double_value(slot('views')), 0.0)
        self.assertIs(obj.get_boolean_value(slot('title')), False)
        self.assertIsNone(obj.get_string_value(slot('views')))
        self.assertIsNone(obj.format_date_time(slot('title')))
        for bad in (0, 999):
            self.assertIsNone(obj.peek_value(bad))
            self.assertEqual(obj.get_int64_value(bad), 0)
            self.assertIsNone(obj.get_string_value(bad))
            self.assertIsNone(obj.format_date_time(bad))
        base = Base(name='b')
        self.assertIsNone(base.peek_value(Derived.get_value_slot('extra')))

    def test_lookup_keys_resolved_once(self):
        # Each key of a model is resolved once; what each call gives still
        # follows its value: a plain value, None, an expression, a list.
        for views, small in ((1, 5), (7, 5), (9, 9)):
            Reading(title='t%d' % views, views=views, small=small, tags=[]).save()
        for bound, expected in ((0, 3), (5, 2), (8, 1), (9, 0)):
            self.assertEqual(Reading.objects.filter(views__gt=bound).count(), expected)
        self.assertEqual(Reading.objects.filter(views__gt=Gorm.F('small')).count(), 1)
        self.assertEqual(Reading.objects.filter(views__gt=3).count(), 2)
        self.assertEqual(Reading.objects.filter(views__in=[1, Gorm.F('small')]).count(), 2)
        self.assertEqual(Reading.objects.filter(views__in=[1, 9]).count(), 2)
        self.assertEqual(Reading.objects.filter(maybe=None).count(), 3)
        self.assertEqual(Reading.objects.filter(maybe__isnull=False).count(), 0)
        # An annotation's name is not a field's.
        annotated = Reading.objects.annotate(views__gt=Gorm.Count('id'))
        self.assertEqual(annotated.filter(views__gt=0).count(), 3)
        self.assertEqual(Reading.objects.filter(views__gt=8).count(), 1)
        # Unknown keys fail every time.
        for _ in range(2):
            with self.assertRaises(Gorm.FieldError):
                Reading.objects.filter(nope__gt=1)
        # A subclass resolves its own keys, its parent's fields included.
        Derived(name='d', count=4, extra=0.5).save()
        Base(name='b', count=1).save()
        for _ in range(2):
            self.assertEqual(Base.objects.filter(count__gt=0).count(), 1)
            self.assertEqual(Derived.objects.filter(count__gt=2, extra__lt=1).count(), 1)


    def test_results_taken_in_chunks(self):
        # A QuerySet takes the items of its result into Python in few calls,
        # not one get_item() per item: the objects of a fetch that built
        # them all with the fetch, in the same call (load_objects()); the
        # objects of a larger result a chunk at a time (gorm_query_dup_items()
        # after the first); the same objects in the same order, live ones
        # the objects alive. The rows of values() are made in C without
        # dup_items (RowReader.read()), all at once; those of a larger result
        # after the first chunk, a chunk at a time.
        override = sys.modules['gi.overrides.Gorm']
        n = override._ITEMS_CHUNK * 2 + 7
        Base.objects.bulk_create([Base(name='b%05d' % i, count=i) for i in range(n)])
        kept = Base.objects.get(count=5)
        calls = []
        dup_items = override._query_dup_items
        load_objects = override._load_objects

        def counted(model, position, n_items):
            calls.append((position, n_items))
            return dup_items(model, position, n_items)

        def counted_load(query, whole_max, chunk):
            model, items, n_items = load_objects(query, whole_max, chunk)
            calls.append(('load', len(items), n_items))
            return model, items, n_items
        with unittest.mock.patch.multiple(override, _query_dup_items=counted,
                                          _load_objects=counted_load):
            found = list(Base.objects.order_by('-count'))
            names = list(Base.objects.order_by('count').values_list('name', flat=True))
            few = list(Base.objects.filter(count__lt=3).order_by('count'))
            sliced = list(Base.objects.order_by('count')[n - 2:n + 5])
            empty = list(Base.objects.filter(count__lt=0))
            with unittest.mock.patch.object(override, '_WHOLE_MAX_ROWS', n - 1):
                larger = list(Base.objects.order_by('count').values_list('name', flat=True))
        chunk = override._ITEMS_CHUNK
        self.assertEqual(calls, [('load', n, n), ('load', 3, 3), ('load', 2, 2), ('load', 0, 0),
                                 (chunk, chunk), (2 * chunk, chunk)])
        self.assertEqual(larger, names)
        self.assertEqual([obj.count for obj in found], list(range(n - 1, -1, -1)))
        self.assertIs(found[n - 6], kept)
        self.assertEqual(names, ['b%05d' % i for i in range(n)])
        self.assertEqual([obj.name for obj in few], ['b00000', 'b00001', 'b00002'])
        self.assertEqual([obj.count for obj in sliced], [n - 2, n - 1])
        self.assertEqual(empty, [])

    def test_dup_items(self):
        for i in range(4):
            Base(name='b%d' % i, count=i).save()
        model = Base.objects.order_by('count')._fetch()
        self.assertEqual([obj.name for obj in Gorm.Query.dup_items(model, 1, 2)], ['b1', 'b2'])
        self.assertEqual([obj.name for obj in Gorm.Query.dup_items(model, 2, 100)],
                         ['b2', 'b3'])
        self.assertEqual(Gorm.Query.dup_items(model, 4, 1), [])
        items = Gorm.Query.dup_items(model, 0, 4)
        self.assertEqual([obj is model.get_item(i) for i, obj in enumerate(items)], [True] * 4)
        # The array held one reference to each object, which Python took:
        # none is left once the model and the list are gone.
        alive = [obj.weak_ref() for obj in items]
        del items, model
        gc.collect()
        self.assertEqual([ref() for ref in alive], [None] * 4)

if __name__ == '__main__':
    main()
