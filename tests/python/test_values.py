# SPDX-License-Identifier: LGPL-2.1-or-later
"""Python values in and out of every stored type, in objects and in
lookups."""

import datetime
import enum
import gc
import math

from gormtest import DatabaseTestCase, main
from gi.repository import Gio, GLib, GObject, Gorm


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Sample(Gorm.Resource):
    text = Gorm.Field(str, null=True)
    big = Gorm.Field(int)
    huge = Gorm.Field(GObject.TYPE_UINT64)
    small = Gorm.Field(GObject.TYPE_INT)
    ratio = Gorm.Field(float)
    flag = Gorm.Field(bool)
    blob = Gorm.Field(bytes, null=True)
    when = Gorm.Field(datetime.datetime, null=True)
    glib_when = Gorm.Field(GLib.DateTime, null=True)
    tags = Gorm.Field(list)
    color = Gorm.Field(Color)
    kind = Gorm.Field(Gio.FileType)
    flags = Gorm.Field(Gio.FileCreateFlags)


def saved(**properties):
    """The primary key of a new Sample saved with ``properties``; the object
    itself is gone, so that loading it reads its row."""
    sample = Sample(**properties)
    sample.save()
    key = sample.pk
    del sample
    gc.collect()
    return key


class ValuesTest(DatabaseTestCase):

    def check_roundtrip(self, name, value, expected=None):
        loaded = Sample.objects.get(pk=saved(**{name: value}))
        self.assertEqual(getattr(loaded, name), value if expected is None else expected)
        return loaded

    def test_str(self):
        self.check_roundtrip('text', 'Grüße, 世界')
        self.assertIsNone(self.check_roundtrip('text', None).text)
        self.assertEqual(Sample.objects.filter(text='Grüße, 世界').count(), 1)
        self.assertEqual(Sample.objects.filter(text=None).count(), 1)

    def test_int_beyond_32_bits(self):
        for value in (2 ** 40, -2 ** 62, 2 ** 63 - 1):
            self.check_roundtrip('big', value)
        self.assertEqual(Sample.objects.filter(big=2 ** 40).count(), 1)
        self.assertEqual(Sample.objects.filter(big__gt=2 ** 62).get().big, 2 ** 63 - 1)
        self.assertEqual(Sample.objects.filter(big=2 ** 40).update(big=2 ** 41), 1)
        self.assertEqual(Sample.objects.filter(big__in=[2 ** 41, -2 ** 62]).count(), 2)

    def test_assignment_keeps_the_field_type(self):
        sample = Sample()
        for value in (7, 2 ** 31, -2 ** 31 - 1, 2 ** 63 - 1):
            sample.big = value
            self.assertEqual(sample.big, value)
        sample.ratio = 3
        self.assertEqual(sample.ratio, 3.0)
        self.assertIsInstance(sample.ratio, float)
        sample.text = None
        self.assertIsNone(sample.text)
        for name, value in (('big', 3.5), ('big', 2 ** 64), ('big', '7'), ('text', 5),
                            ('flag', 'yes')):
            with self.subTest(name=name, value=value), \
                    self.assertRaises(Gorm.TypeMismatchError) as caught:
                setattr(sample, name, value)
            self.assertIn('Sample.%s: %r' % (name, value), str(caught.exception))
        self.assertEqual(sample.big, 2 ** 63 - 1)
        self.assertIsNone(sample.text)

    def test_comparison_values_convert_as_libgorm_does(self):
        saved(big=7, ratio=2.5, flag=True, text='t', small=-3)
        self.assertEqual(Sample.objects.filter(ratio__gt=2).count(), 1)
        self.assertEqual(Sample.objects.filter(big=7.0).count(), 1)
        self.assertEqual(Sample.objects.filter(big__lt=2 ** 40, small=-3).count(), 1)
        self.assertEqual(Sample.objects.filter(flag=True, text='t').count(), 1)
        for name, value in (('big', 'seven'), ('big', 3.5), ('text', 5), ('small', 2 ** 31)):
            with self.subTest(name=name, value=value), self.assertRaises(Gorm.TypeMismatchError):
                Sample.objects.filter(**{name: value}).count()

    def test_uint64(self):
        self.check_roundtrip('huge', 2 ** 64 - 1)
        self.assertEqual(Sample.objects.get(huge=2 ** 64 - 1).huge, 2 ** 64 - 1)

    def test_value_too_big_for_its_property(self):
        with self.assertRaises(Gorm.TypeMismatchError) as caught:
            Sample.objects.filter(small=2 ** 40).count()
        self.assertEqual(caught.exception.code, Gorm.Error.TYPE_MISMATCH)
        with self.assertRaises(Gorm.TypeMismatchError):
            Sample.objects.filter(big=2 ** 70)
        with self.assertRaises(Gorm.TypeMismatchError):
            Sample.objects.filter(big=3.5).count()
        self.assertEqual(Sample.objects.filter(big=3.0).count(), 0)

    def test_float_and_bool(self):
        self.check_roundtrip('ratio', 0.1 + 0.2)
        loaded = self.check_roundtrip('flag', True)
        self.assertIs(loaded.flag, True)
        self.assertEqual(Sample.objects.filter(flag=True).count(), 1)
        self.assertEqual(Sample.objects.filter(ratio__gt=0.3).count(), 1)

    def test_infinities_round_trip(self):
        for value in (math.inf, -math.inf):
            with self.subTest(value=value):
                loaded = self.check_roundtrip('ratio', value)
                self.assertEqual(Sample.objects.filter(ratio=value).count(), 1)
                self.assertEqual(Sample.objects.filter(ratio=value).get().pk, loaded.pk)
                loaded.ratio = 1.0
                loaded.save()
                loaded.ratio = value
                loaded.save()
                loaded.reload()
                self.assertEqual(loaded.ratio, value)
        saved(ratio=0.5)
        self.assertEqual([s.ratio for s in Sample.objects.order_by('ratio')],
                         [-math.inf, 0.5, math.inf])

    def check_nan_refused(self, call):
        with self.assertRaises(Gorm.ValidationError) as caught:
            call()
        self.assertEqual(caught.exception.code, Gorm.Error.VALIDATION)
        self.assertIn('Sample', str(caught.exception))
        self.assertIn('ratio', str(caught.exception))
        self.assertIn('NaN', str(caught.exception))

    def test_nan_is_refused_before_any_sql(self):
        kept = Sample.objects.create(ratio=2.5)
        self.check_nan_refused(lambda: Sample(ratio=math.nan))
        self.check_nan_refused(lambda: Sample.objects.create(ratio=math.nan))

        def assign():
            kept.ratio = math.nan
        self.check_nan_refused(assign)
        self.assertEqual(kept.ratio, 2.5)
        self.assertFalse(kept.is_dirty())
        self.check_nan_refused(lambda: Sample.objects.filter(ratio=math.nan).count())
        self.check_nan_refused(lambda: Sample.objects.filter(ratio__gt=math.nan).exists())
        self.check_nan_refused(lambda: Sample.objects.filter(ratio__in=[1.0, math.nan]).first())
        self.check_nan_refused(lambda: Sample.objects.update(ratio=math.nan))
        self.check_nan_refused(lambda: Sample.objects.filter(pk=kept.pk).update(ratio=math.nan))
        self.assertEqual(Sample.objects.count(), 1)
        self.assertEqual(Sample.objects.get().ratio, 2.5)

    def test_unreadable_row_fails_alone(self):
        keys = [saved(text='row %d' % i, kind=Gio.FileType.DIRECTORY) for i in range(5)]
        gc.collect()
        # A GObject enum is stored by nick; this one has no such nick.
        self.db.execute("UPDATE sample SET kind = 'PURPLE' WHERE id = ?", (keys[2],))
        for model in (Sample.objects.order_by('pk').watch(),
                      Sample.objects.order_by('pk')._fetch()):
            with self.subTest(model=model):
                self.assertEqual(model.get_n_items(), 5)
                items = [model.get_item(i) for i in range(5)]
                self.assertTrue(all(isinstance(item, Sample) for item in items))
                self.assertEqual([item.pk for item in items], keys)
                self.assertEqual([item.text for item in items],
                                 ['row 0', 'row 1', None, 'row 3', 'row 4'])
                for i in (0, 1, 3, 4):
                    self.assertTrue(model.check_item(i))
                with self.assertRaises(GLib.Error) as caught:
                    model.check_item(2)
                self.assertTrue(caught.exception.matches(Gorm.error_quark(),
                                                         Gorm.Error.TYPE_MISMATCH))
                for expected in ('sample', 'kind', 'PURPLE', str(keys[2])):
                    self.assertIn(expected, caught.exception.message)
        stand_in = model.get_item(2)
        stand_in.text = 'edited'
        with self.assertRaises(Gorm.TypeMismatchError):
            stand_in.save()
        self.assertEqual(Sample.objects.filter(text='edited').count(), 0)
        self.assertEqual(Sample.objects.filter(text='row 2').count(), 1)
        with self.assertRaises(Gorm.TypeMismatchError) as caught:
            Sample.objects.get(pk=keys[2])
        self.assertIn('PURPLE', str(caught.exception))
        with self.assertRaises(Gorm.TypeMismatchError):
            Sample.objects.filter(pk=keys[2]).first()
        self.assertEqual(Sample.objects.filter(text='row 3').get().pk, keys[3])

    def test_bytes(self):
        self.check_roundtrip('blob', b'\x00\xffbinary')
        self.check_roundtrip('blob', b'')
        self.assertIsNone(self.check_roundtrip('blob', None).blob)
        self.assertEqual(Sample.objects.filter(blob=b'\x00\xffbinary').count(), 1)
        self.assertEqual(Sample.objects.filter(blob=b'').count(), 1)
        self.assertEqual(Sample.objects.filter(blob__isnull=True).count(), 1)

    def test_aware_datetime(self):
        india = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
        value = datetime.datetime(2024, 3, 5, 18, 33, 2, 123456, tzinfo=india)
        loaded = self.check_roundtrip('when', value)
        self.assertEqual(loaded.when.utcoffset(), datetime.timedelta(0))
        self.assertEqual(loaded.when, datetime.datetime(2024, 3, 5, 13, 3, 2, 123456,
                                                        tzinfo=datetime.timezone.utc))
        self.assertEqual(Sample.objects.filter(when=value).count(), 1)
        self.assertEqual(Sample.objects.filter(when__lt=value + datetime.timedelta(
            microseconds=1)).count(), 1)
        self.assertEqual(Sample.objects.filter(when__gt=value).count(), 0)

    def test_datetime_keeps_its_offset_until_saved(self):
        # An offset with seconds, microseconds, and the ends of GLib's range.
        odd = datetime.timezone(datetime.timedelta(hours=-3, minutes=-25, seconds=-7))
        for value in (datetime.datetime(2024, 3, 5, 18, 33, 2, 7, tzinfo=odd),
                      datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc),
                      datetime.datetime(9999, 12, 31, 23, 59, 59, 999999,
                                        tzinfo=datetime.timezone.utc)):
            sample = Sample(when=value)
            self.assertEqual(sample.when, value)
            self.assertEqual(sample.when.utcoffset(), value.utcoffset())
            self.assertEqual(Sample.objects.get(pk=saved(when=value)).when, value)

    def test_naive_datetime_is_local_time(self):
        value = datetime.datetime(2024, 7, 1, 12, 0, 0, 5)
        loaded = self.check_roundtrip('when', value, value.astimezone())
        self.assertIsNotNone(loaded.when.tzinfo)
        self.assertEqual(Sample.objects.filter(when=value).count(), 1)

    def test_glib_datetime(self):
        value = GLib.DateTime.new_utc(2024, 3, 5, 13, 3, 2.5)
        loaded = Sample.objects.get(pk=saved(glib_when=value, when=value))
        self.assertIsInstance(loaded.glib_when, GLib.DateTime)
        self.assertTrue(loaded.glib_when.equal(value))
        self.assertEqual(loaded.when, datetime.datetime(2024, 3, 5, 13, 3, 2, 500000,
                                                        tzinfo=datetime.timezone.utc))
        loaded.glib_when = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        self.assertEqual(loaded.glib_when.get_year(), 2000)
        self.assertEqual(Sample.objects.filter(glib_when=value).count(), 1)
        self.assertEqual(Sample.objects.filter(when__lte=value).count(), 1)

    def test_list_of_str(self):
        self.check_roundtrip('tags', ['a', 'b c', 'é'])
        self.check_roundtrip('tags', ('x',), ['x'])
        self.assertEqual(Sample().tags, [])
        self.check_roundtrip('tags', [])
        self.assertEqual(Sample.objects.filter(tags=['a', 'b c', 'é']).count(), 1)
        self.assertEqual(Sample.objects.filter(tags=()).count(), 1)
        # A str is no list of str (see test_nulls.py for null=True).
        sample = Sample()
        with self.assertRaises(Gorm.TypeMismatchError):
            sample.tags = 'ab'
        self.assertEqual(sample.tags, [])

    def test_python_enum(self):
        self.assertIs(Sample().color, Color.RED)
        self.assertIs(Sample.objects.get(pk=saved(color=Color.GREEN)).color, Color.GREEN)
        self.assertEqual(Sample.objects.filter(color=Color.GREEN).count(), 1)
        self.assertEqual(Sample.objects.filter(color__in=[Color.RED]).count(), 0)
        self.assertEqual(self.db.execute("UPDATE sample SET color = 'RED' WHERE color = ?",
                                         [Color.GREEN]), 1)

    def test_gobject_enum_and_flags(self):
        flags = Gio.FileCreateFlags.PRIVATE | Gio.FileCreateFlags.REPLACE_DESTINATION
        loaded = Sample.objects.get(pk=saved(kind=Gio.FileType.DIRECTORY, flags=flags))
        self.assertEqual(loaded.kind, Gio.FileType.DIRECTORY)
        self.assertEqual(loaded.flags, flags)
        self.assertEqual(Sample.objects.filter(kind=Gio.FileType.DIRECTORY).count(), 1)
        self.assertEqual(Sample.objects.filter(flags=flags).count(), 1)
        self.assertEqual(Sample.objects.update(kind=Gio.FileType.REGULAR), 1)
        self.assertEqual(loaded.kind, Gio.FileType.REGULAR)



class Limited(Gorm.Resource):
    score = Gorm.Field(int, minimum=0, maximum=10)
    maybe = Gorm.Field(int, null=True)
    label = Gorm.Field(str, null=True)


class Holder(Gorm.Resource):
    name = Gorm.Field(str)


class WritePathsTest(DatabaseTestCase):
    """The short paths of the constructor and of assignments (a value
    PyGObject passes as it is, a datetime in whole seconds) keep the
    checks, NULL marks and dirty tracking of the long ones."""

    def check_refused(self, error, code, call, *words):
        with self.assertRaises(error) as caught:
            call()
        self.assertEqual(caught.exception.code, code)
        for word in words:
            self.assertIn(word, str(caught.exception))

    def stored(self, model, obj, *names):
        """The values of ``names`` in the row of ``obj``, read from the
        database rather than from the object (the identity map)."""
        row = model.objects.filter(pk=obj.pk).values_list(*names)[0]
        return row[0] if len(names) == 1 else row

    def test_assignment_refuses_what_it_refused(self):
        sample = Sample.objects.create(big=4, text='kept', ratio=1.5, flag=True)
        cases = [('big', 3.5), ('big', 2 ** 63), ('big', '4'), ('text', 'a\0b'),
                 ('text', 4), ('flag', 2), ('flag', 'yes'), ('ratio', 'x')]
        for name, value in cases:
            with self.subTest(name=name, value=value):
                self.check_refused(Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
                                   lambda: setattr(sample, name, value), 'Sample', name)
        self.check_refused(Gorm.ValidationError, Gorm.Error.VALIDATION,
                           lambda: setattr(sample, 'ratio', math.nan), 'NaN')
        self.check_refused(Gorm.ValidationError, Gorm.Error.VALIDATION,
                           lambda: setattr(sample, 'big', None), 'big')
        self.assertFalse(sample.is_dirty())
        self.assertEqual((sample.big, sample.text, sample.ratio, sample.flag),
                         (4, 'kept', 1.5, True))

    def test_assignment_takes_what_it_took(self):
        sample = Sample.objects.create()
        for name, value, expected in [('big', 7, 7), ('big', -2 ** 31, -2 ** 31),
                                      ('big', 2 ** 31, 2 ** 31), ('big', True, 1),
                                      ('ratio', 3, 3.0), ('ratio', -0.0, -0.0),
                                      ('flag', 1, True), ('text', '', ''),
                                      ('text', None, None)]:
            with self.subTest(name=name, value=value):
                setattr(sample, name, value)
                self.assertEqual(getattr(sample, name), expected)
                self.assertIs(type(getattr(sample, name)), type(expected))
                self.assertTrue(sample.is_dirty())
                sample.save()
                self.assertFalse(sample.is_dirty())
                self.assertEqual(self.stored(Sample, sample, name), expected)

    def test_limits_are_checked_by_libgorm(self):
        kept = Limited.objects.create(score=3)
        for value in (11, -1):
            with self.subTest(value=value):
                self.check_refused(Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
                                   lambda: setattr(kept, 'score', value), 'score', str(value))
                self.check_refused(Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
                                   lambda: Limited(score=value), 'score', str(value))
        self.assertEqual(kept.score, 3)
        self.assertFalse(kept.is_dirty())
        kept.score = 10
        kept.save()
        self.assertEqual(self.stored(Limited, kept, 'score'), 10)

    def test_assignment_clears_a_null_mark(self):
        obj = Limited.objects.create(score=1)
        self.assertIsNone(obj.maybe)
        obj.maybe = 0
        self.assertEqual(obj.maybe, 0)
        self.assertTrue(obj.is_dirty())
        obj.save()
        self.assertEqual(Limited.objects.filter(maybe=0).count(), 1)
        obj.maybe = None
        obj.save()
        self.assertEqual(Limited.objects.filter(maybe__isnull=True).count(), 1)
        self.assertIsNone(self.stored(Limited, obj, 'maybe'))

    def test_assignment_replaces_a_pending_expression(self):
        obj = Limited.objects.create(score=2)
        obj.score = Gorm.F('score') + 1
        obj.score = 5
        obj.save()
        self.assertEqual(self.stored(Limited, obj, 'score'), 5)
        obj.score = Gorm.F('score') + 1
        obj.save()
        self.assertEqual(obj.score, 6)

    def test_update_fields_after_assignments(self):
        obj = Limited.objects.create(score=1, label='old')
        obj.score = 9
        obj.label = 'new'
        obj.save(update_fields=['score'])
        self.assertEqual(self.stored(Limited, obj, 'score', 'label'), (9, 'old'))
        self.assertTrue(obj.is_dirty())
        obj.save()
        self.assertEqual(self.stored(Limited, obj, 'label'), 'new')

    def test_datetimes_in_constructor_and_assignment(self):
        half = datetime.timezone(datetime.timedelta(hours=-9, minutes=-30))
        odd = datetime.timezone(datetime.timedelta(hours=1, seconds=1, microseconds=5))
        values = [datetime.datetime(2020, 3, 1, 10, 0, 5, tzinfo=datetime.timezone.utc),
                  datetime.datetime(2020, 3, 1, 10, 0, 5, tzinfo=half),
                  datetime.datetime(2020, 3, 1, 10, 0, 5, 1, tzinfo=datetime.timezone.utc),
                  datetime.datetime(1, 1, 1, tzinfo=half),
                  datetime.datetime(2020, 3, 1, 10, 0, 5),
                  # Whole seconds in datetime.timezone.utc go by their Unix
                  # time: GLib's range, before 1970, and UTC by another
                  # tzinfo (the other path) alike.
                  datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc),
                  datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc),
                  datetime.datetime(1969, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc),
                  datetime.datetime(2020, 3, 1, 10, 0, 5,
                                    tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))]
        for value in values:
            expected = value if value.tzinfo else value.astimezone()
            with self.subTest(value=value):
                built = Sample(when=value, glib_when=value)
                assigned = Sample()
                assigned.when = value
                assigned.glib_when = value
                for obj in (built, assigned):
                    self.assertEqual(obj.when, expected)
                    self.assertEqual(obj.when.utcoffset(), expected.utcoffset())
                    self.assertEqual(obj.glib_when.to_unix(), int(expected.timestamp()))
                    self.assertEqual(obj.glib_when.get_utc_offset(),
                                     expected.utcoffset() // datetime.timedelta(microseconds=1))
                    obj.save()
                    self.assertEqual(self.stored(Sample, obj, 'when'), expected)
        with self.subTest(offset='microseconds'):
            # The instant stays; a sub-second offset keeps its whole seconds.
            value = datetime.datetime(2020, 3, 1, 10, 0, 5, tzinfo=odd)
            self.assertEqual(Sample(when=value).when, value)
            self.assertEqual(Sample(when=value).when.utcoffset(),
                             datetime.timedelta(seconds=3601))
        built = Sample(when=None)
        self.assertIsNone(built.when)
        self.check_refused(Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
                           lambda: Sample(when='2020-03-01'), 'when')
        self.check_refused(Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
                           lambda: setattr(built, 'when', 5), 'when')

    def test_enums_in_constructor_and_assignment(self):
        built = Sample(color=Color.GREEN, kind=Gio.FileType.DIRECTORY)
        built.save()
        loaded = Sample.objects.get(pk=built.pk)
        self.assertEqual((loaded.color, loaded.kind), (Color.GREEN, Gio.FileType.DIRECTORY))
        loaded.color = Color.RED
        loaded.kind = Gio.FileType.REGULAR
        loaded.save()
        self.assertEqual(Sample.objects.filter(color=Color.RED,
                                               kind=Gio.FileType.REGULAR).count(), 1)
        self.check_refused(Gorm.TypeMismatchError, Gorm.Error.TYPE_MISMATCH,
                           lambda: setattr(loaded, 'kind', 99), 'kind')
        self.assertEqual(loaded.kind, Gio.FileType.REGULAR)

    def test_delete_counts_what_a_relation_declared_later_cascades(self):
        app = Holder.__module__.rsplit('.', 1)[-1]
        first = Holder.objects.create(name='first')
        self.assertEqual(first.delete(), (1, {app + '.Holder': 1}))
        with self.assertRaises(Gorm.Error):
            first.delete()

        class Held(Gorm.Resource):
            holder = Gorm.ForeignKey(Holder, on_delete=Gorm.CASCADE)

        second = Holder.objects.create(name='second')
        Held.objects.create(holder=second)
        Held.objects.create(holder=second)
        self.assertEqual(second.delete(), (3, {app + '.Holder': 1, app + '.Held': 2}))
        self.assertEqual(Held.objects.count(), 0)


    def test_manager_create_goes_through_its_queryset(self):
        created = Holder.objects.create(name='default')
        self.assertTrue(created.is_saved())
        self.assertEqual(Holder.objects.get(pk=created.pk).name, 'default')
        self.assertEqual(list(Holder.objects.values_list('name', flat=True)), ['default'])

        class Renaming(Gorm.Manager):
            def get_queryset(self):
                queryset = super().get_queryset()
                create = queryset.create
                queryset.create = lambda **properties: create(**dict(properties, name='own'))
                return queryset

        made = Renaming(Holder).create(name='given')
        self.assertEqual(made.name, 'own')
        self.assertEqual(sorted(Holder.objects.values_list('name', flat=True)),
                         ['default', 'own'])


if __name__ == '__main__':
    main()
