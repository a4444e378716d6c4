# SPDX-License-Identifier: LGPL-2.1-or-later
"""Optional values (null=True) of every field type, and the values a
field refuses rather than store something else."""

import datetime
import enum
import os
import re

from gormtest import DatabaseTestCase, main
from gi.repository import Gio, GLib, GObject, Gorm


class Mood(enum.Enum):
    CALM = 1
    ANGRY = 2


class Optional(Gorm.Resource):
    count = Gorm.Field(int, null=True)
    ratio = Gorm.Field(float, null=True)
    flag = Gorm.Field(bool, null=True)
    when = Gorm.Field(datetime.datetime, null=True)
    glib_when = Gorm.Field(GLib.DateTime, null=True)
    blob = Gorm.Field(bytes, null=True)
    tags = Gorm.Field(list, null=True)
    mood = Gorm.Field(Mood, null=True)
    kind = Gorm.Field(Gio.FileType, null=True)
    small = Gorm.Field(GObject.TYPE_UINT, null=True)
    level = Gorm.Field(int, null=True, default=3)
    required = Gorm.Field(int)
    name = Gorm.Field(str)
    words = Gorm.Field(list)


NULLABLE = ('count', 'ratio', 'flag', 'when', 'glib_when', 'blob', 'tags', 'mood', 'kind',
            'small', 'level')

VALUES = {
    'count': 2 ** 40,
    'ratio': 0.5,
    'flag': False,
    'when': datetime.datetime(2024, 3, 5, 13, 3, 2, 123456, tzinfo=datetime.timezone.utc),
    'blob': b'\0ab',
    'tags': [],
    'mood': Mood.ANGRY,
    'kind': Gio.FileType.DIRECTORY,
    'small': 7,
    'level': 0,
}


class NullsTest(DatabaseTestCase):

    def load(self, pk):
        """A fresh object of the row: the others are gone."""
        return Optional.objects.get(pk=pk)

    def test_defaults_are_none(self):
        optional = Optional()
        for name in NULLABLE:
            if name != 'level':
                self.assertIsNone(getattr(optional, name), name)
        self.assertEqual(optional.level, 3)
        self.assertEqual(optional.required, 0)
        self.assertEqual(optional.words, [])
        optional.save()
        loaded = self.load(optional.pk)
        del optional
        for name in NULLABLE:
            if name != 'level':
                self.assertIsNone(getattr(loaded, name), name)
        self.assertEqual(Optional.objects.filter(count__isnull=True).count(), 1)

    def test_round_trip(self):
        optional = Optional(**VALUES)
        optional.save()
        pk = optional.pk
        del optional
        loaded = self.load(pk)
        for name, value in VALUES.items():
            self.assertEqual(getattr(loaded, name), value, name)
        # [] and None stay apart.
        self.assertEqual(loaded.tags, [])
        for name in NULLABLE:
            setattr(loaded, name, None)
            self.assertIsNone(getattr(loaded, name), name)
        loaded.save()
        del loaded
        loaded = self.load(pk)
        for name in NULLABLE:
            self.assertIsNone(getattr(loaded, name), name)
            self.assertEqual(Optional.objects.filter(**{name + '__isnull': True}).count(), 1)
        # And back to values.
        for name, value in VALUES.items():
            setattr(loaded, name, value)
        loaded.save()
        loaded.reload()
        for name, value in VALUES.items():
            self.assertEqual(getattr(loaded, name), value, name)

    def test_none_in_constructor(self):
        optional = Optional(count=None, level=None, tags=None)
        self.assertIsNone(optional.count)
        self.assertIsNone(optional.level)
        self.assertIsNone(optional.tags)
        optional.save()
        self.assertIsNone(self.load(optional.pk).level)

    def test_none_refused_without_null(self):
        for name in ('required', 'name', 'words'):
            with self.subTest(name=name):
                with self.assertRaises(Gorm.ValidationError) as caught:
                    Optional(**{name: None})
                self.assertIn('Optional.%s' % name, str(caught.exception))
                optional = Optional(required=4, name='n', words=['w'])
                with self.assertRaises(Gorm.ValidationError):
                    setattr(optional, name, None)
                self.assertEqual((optional.required, optional.name, optional.words),
                                 (4, 'n', ['w']))

    def test_lossy_values_refused(self):
        cases = [
            ('required', 3.5), ('count', 3.5), ('required', 2 ** 63), ('count', -2 ** 64),
            ('small', -1), ('small', 2 ** 32), ('required', '7'),
            ('name', 'a\0b'), ('words', 'ab'), ('words', ['a', 'b\0']), ('words', [1]),
            ('tags', 'ab'), ('flag', 'false'), ('flag', 1.0), ('flag', 2), ('ratio', 'x'),
            ('mood', 5), ('kind', 99),
        ]
        optional = Optional(required=4, name='n', words=['w'], count=None)
        optional.save()
        for name, value in cases:
            with self.subTest(name=name, value=value):
                with self.assertRaises(Gorm.TypeMismatchError) as caught:
                    setattr(optional, name, value)
                self.assertIn('Optional', str(caught.exception))
                self.assertIn(name, str(caught.exception))
                with self.assertRaises(Gorm.TypeMismatchError):
                    Optional(**{name: value})
        self.assertFalse(optional.is_dirty())
        self.assertIsNone(optional.count)
        self.assertEqual((optional.required, optional.name, optional.words), (4, 'n', ['w']))

    def test_lossless_values_accepted(self):
        optional = Optional(ratio=3, required=True, small=2 ** 31)
        self.assertEqual(optional.ratio, 3.0)
        self.assertIsInstance(optional.ratio, float)
        self.assertEqual(optional.small, 2 ** 31)
        optional.flag = 1
        self.assertIs(optional.flag, True)
        optional.save()
        self.assertEqual(self.load(optional.pk).ratio, 3.0)

    def test_get_by_str_key(self):
        optional = Optional()
        optional.save()
        self.assertIs(Optional.objects.get(pk=str(optional.pk)), optional)
        self.assertIs(Optional.objects.get(id=str(optional.pk)), optional)
        with self.assertRaises(Gorm.TypeMismatchError):
            Optional.objects.get(pk='one')
        with self.assertRaises(Optional.DoesNotExist):
            Optional.objects.get(pk='999')

    def test_isnull_filters_and_order(self):
        for name, count in (('b', 2), ('n1', None), ('a', -1), ('z', 0), ('n2', None)):
            Optional(name=name, count=count).save()
        self.assertEqual(Optional.objects.filter(count__isnull=True).count(), 2)
        self.assertEqual(Optional.objects.filter(count__isnull=False).count(), 3)
        self.assertEqual(Optional.objects.filter(count=None).count(), 2)
        self.assertEqual(Optional.objects.filter(count=0).count(), 1)
        self.assertEqual(Optional.objects.exclude(count=0).count(), 4)
        # NULLs first ascending, last descending, on both engines.
        self.assertEqual([o.name for o in Optional.objects.order_by('count', 'name')],
                         ['n1', 'n2', 'a', 'z', 'b'])
        self.assertEqual([o.name for o in Optional.objects.order_by('-count', 'name')],
                         ['b', 'z', 'a', 'n1', 'n2'])
        # A bulk update to None, and back.
        self.assertEqual(Optional.objects.filter(name='b').update(count=None), 1)
        self.assertEqual(Optional.objects.filter(count__isnull=True).count(), 3)
        with self.assertRaises(Gorm.ValidationError):
            Optional.objects.update(required=None)

    def test_live_model_sees_none(self):
        Optional(name='a', count=1).save()
        live = Optional.objects.filter(count__isnull=True).watch()
        self.assertEqual(live.get_n_items(), 0)
        optional = Optional.objects.get(name='a')
        optional.count = None
        optional.save()
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass
        self.assertEqual(live.get_n_items(), 1)
        self.assertIsNone(live.get_item(0).count)


class DocExamplesTest(DatabaseTestCase):
    """The Python examples of doc/nulls.md run as written, in order, in one
    namespace, with the test's database as the default database."""

    def test_examples_run(self):
        root = os.environ.get('GORM_SOURCE_ROOT') or os.path.join(os.path.dirname(__file__),
                                                                  '..', '..')
        with open(os.path.join(root, 'doc', 'nulls.md'), encoding='utf-8') as f:
            blocks = re.findall(r'^```python\n(.*?)^```$', f.read(), re.M | re.S)
        self.assertTrue(blocks)
        namespace = {'__name__': 'doc_nulls'}
        for number, code in enumerate(blocks, 1):
            exec(compile(code, 'doc/nulls.md (example %d)' % number, 'exec'), namespace)


if __name__ == '__main__':
    main()
