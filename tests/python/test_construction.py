# SPDX-License-Identifier: LGPL-2.1-or-later
"""The constructor of models in C (_gorm_speedups.init_resource, which is
Resource.__init__) and the foreign key's __set__ in C (ForeignKeyBase):
every value the constructor used to take gives the same field value, and
every bad one the same exception class and message, as the constructor
and the assignments written in Python gave (the messages below are theirs,
word for word); relations, reverse relations and many-to-many keywords,
subclasses, models with their own __init__, abstract models, a second
__init__, and the notifications and dirty tracking of the writes."""

import datetime
import enum
import zoneinfo

from gormtest import DatabaseTestCase, main
from gi.repository import GLib, GObject, Gorm
from gi.overrides import _gorm_speedups as speedups


class Color(enum.Enum):
    RED = 1
    BLUE = 2


class Writer(Gorm.Resource):
    name = Gorm.Field(str)


class Label(Gorm.Resource):
    text = Gorm.Field(str)


class Item(Gorm.Resource):
    title = Gorm.Field(str)
    views = Gorm.Field(int)
    rating = Gorm.Field(float)
    published = Gorm.Field(bool)
    when = Gorm.Field(datetime.datetime, null=True)
    maybe = Gorm.Field(int, null=True)
    maybe_flag = Gorm.Field(bool, null=True)
    data = Gorm.Field(bytes)
    words = Gorm.Field(list)
    color = Gorm.Field(Color)
    small = Gorm.Field(GObject.TYPE_INT)
    limited = Gorm.Field(int, minimum=0, maximum=10)
    writer = Gorm.ForeignKey(Writer, on_delete=Gorm.CASCADE, null=True)
    labels = Gorm.ManyToManyField(Label)


class Required(Gorm.Resource):
    writer = Gorm.ForeignKey(Writer, on_delete=Gorm.CASCADE)


class SubItem(Item):
    extra = Gorm.Field(str)


class OwnInit(Gorm.Resource):
    label = Gorm.Field(str)

    def __init__(self, **kwargs):
        kwargs.setdefault('label', 'own')
        super().__init__(**kwargs)
        self.seen = True


class Abstract(Gorm.Resource):
    name = Gorm.Field(str)

    class Meta:
        abstract = True


class Concrete(Abstract):
    n = Gorm.Field(int)


UTC = datetime.timezone.utc
INDIA = datetime.timezone(datetime.timedelta(hours=5, minutes=30))


class ConstructorTest(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        self.db.migrate([Writer, Label, Item, Required, SubItem, OwnInit, Concrete])
        self.writer = Writer(name='w')
        self.writer.save()

    def test_the_constructor_is_the_compiled_one(self):
        self.assertIs(Gorm.Resource.__init__, speedups.init_resource.__func__)
        self.assertIs(Item.__init__, Gorm.Resource.__init__)
        Item()
        self.assertIsInstance(vars(Item)['_gorm_init_plan'], speedups.InitPlan)

    def assert_raises(self, exception, message, **kwargs):
        with self.assertRaises(exception) as caught:
            Item(**kwargs)
        self.assertIs(type(caught.exception), exception)
        self.assertEqual(str(caught.exception), message)

    def test_bad_values_raise_what_an_assignment_raises(self):
        cases = [
            (Gorm.ValidationError, 'Cannot store None in Item.title, a field without null=True',
             {'title': None}),
            (Gorm.ValidationError, 'Cannot store None in Item.views, a field without null=True',
             {'views': None}),
            (Gorm.TypeMismatchError, 'Item.views: 3.5, a float, does not fit an int field',
             {'views': 3.5}),
            (Gorm.TypeMismatchError,
             'Item.views: 9223372036854775808, an int, does not fit an int field',
             {'views': 2 ** 63}),
            (Gorm.TypeMismatchError, 'Cannot store the int 2 in Item.published, a bool field',
             {'published': 2}),
            (Gorm.TypeMismatchError, 'Item.published: 1.0, a float, does not fit a bool field',
             {'published': 1.0}),
            (Gorm.TypeMismatchError, "Item.views: '3', a str, does not fit an int field",
             {'views': '3'}),
            (Gorm.TypeMismatchError,
             "Item.title: 'a\\x00b', a str holding a NUL character, does not fit a str field",
             {'title': 'a\0b'}),
            (Gorm.TypeMismatchError,
             "Item.title: '\\udc80\\x00', a str holding a NUL character, does not fit a str "
             "field", {'title': '\udc80\0'}),
            (TypeError, "could not convert value for property `title' from str to gchararray",
             {'title': 'a\udc80b'}),
            (Gorm.TypeMismatchError, "Item.title: b'x', a bytes, does not fit a str field",
             {'title': b'x'}),
            (Gorm.ValidationError, 'Cannot store NaN in Item.rating, a float field: SQL has no NaN',
             {'rating': float('nan')}),
            (Gorm.TypeMismatchError,
             'Item.when: datetime.date(2020, 1, 2), a date, does not fit a datetime field',
             {'when': datetime.date(2020, 1, 2)}),
            (Gorm.TypeMismatchError, "Item.when: '2020-01-02', a str, does not fit a datetime "
             "field", {'when': '2020-01-02'}),
            (Gorm.TypeMismatchError, "Item.words: 'ab', a str, does not fit a list field",
             {'words': 'ab'}),
            (Gorm.TypeMismatchError, 'Item.color: 3, an int, does not fit a Color field',
             {'color': 3}),
            (Gorm.TypeMismatchError,
             'Cannot store the int 11 in Item.limited, an int field: 11 is out of its range, '
             '0 to 10; give a value within it', {'limited': 11}),
            (TypeError, "gobject `__main__+Item' doesn't support property `nonsense'",
             {'nonsense': 1}),
            # PyGObject's TypeError comes first, as the object is built
            # before the values that are not passed as they are.
            (TypeError, "gobject `__main__+Item' doesn't support property `nonsense'",
             {'views': 3.5, 'nonsense': 1}),
            (TypeError, "gobject `__main__+Item' doesn't support property `zz'",
             {'zz': 1, 'aa': 2}),
            (TypeError, "could not convert value for property `database' from int to "
             "GormDatabase", {'database': 5}),
            (TypeError, 'Direct assignment to the forward side of a many-to-many set is '
             'prohibited. Use labels.set() instead.', {'labels': []}),
            (Gorm.TypeMismatchError, "Item.writer: expected a Writer or None, not 'x' (set "
             "writer_id to give a key)", {'writer': 'x'}),
            (Gorm.ValidationError, 'Cannot make Item.writer_id refer to a Writer that is not '
             'saved: save it first', {'writer': Writer(name='unsaved')}),
            (Gorm.TypeMismatchError, 'Item.writer_id refers to a Writer, not to a Label '
             '(relation “writer”)', {'writer': Label(text='t')}),
        ]
        for exception, message, kwargs in cases:
            with self.subTest(kwargs=kwargs):
                self.assert_raises(exception, message, **kwargs)

    def test_positional_arguments_and_no_self(self):
        with self.assertRaisesRegex(TypeError, r'^Resource\.__init__\(\) takes 1 positional '
                                    r'argument but 2 were given$'):
            Item('x')
        with self.assertRaisesRegex(TypeError, r'^Resource\.__init__\(\) takes 1 positional '
                                    r'argument but 3 were given$'):
            Item('x', 'y')
        with self.assertRaisesRegex(TypeError, r"^Resource\.__init__\(\) missing 1 required "
                                    r"positional argument: 'self'$"):
            Item.__init__()
        with self.assertRaisesRegex(TypeError, r'^Resource\.__init__\(\) initializes a '
                                    r'Gorm\.Resource, not a object$'):
            Item.__init__(object())

    def test_values_written_in_c(self):
        item = Item(title='t', views=-2 ** 63, rating=2.5, published=True, maybe=5,
                    maybe_flag=False, small=-5, limited=10)
        self.assertEqual((item.title, item.views, item.rating, item.published, item.maybe,
                          item.maybe_flag, item.small, item.limited),
                         ('t', -2 ** 63, 2.5, True, 5, False, -5, 10))
        self.assertEqual(Item(views=2 ** 63 - 1).views, 2 ** 63 - 1)
        self.assertEqual(Item(rating=float('inf')).rating, float('inf'))
        self.assertEqual(Item(title='').title, '')
        self.assertEqual(Item(title='ünïcødé ✓').title, 'ünïcødé ✓')

    def test_values_converted_as_an_assignment_converts_them(self):
        self.assertEqual(Item(views=True).views, 1)
        self.assertIs(Item(published=1).published, True)
        self.assertEqual(Item(rating=3).rating, 3.0)
        self.assertIsInstance(Item(rating=3).rating, float)
        self.assertEqual(Item(title=type('S', (str,), {})('sub')).title, 'sub')
        self.assertEqual(Item(views=type('I', (int,), {})(7)).views, 7)
        self.assertEqual(Item(data=bytearray(b'xy')).data, b'xy')
        self.assertEqual(Item(words=('a', 'b')).words, ['a', 'b'])
        self.assertIs(Item(color='RED').color, Color.RED)
        self.assertIs(Item(color=Color.BLUE).color, Color.BLUE)
        self.assertIs(Item(**{'maybe-flag': True}).maybe_flag, True)

    def test_defaults(self):
        item = Item()
        self.assertEqual((item.title, item.views, item.rating, item.published),
                         ('', 0, 0.0, False))
        self.assertIsNone(item.maybe)
        self.assertIsNone(item.maybe_flag)
        self.assertIsNone(item.when)
        self.assertEqual(item.data, b'')
        self.assertEqual(item.words, [])
        self.assertIs(item.color, Color.RED)
        self.assertIsNone(item.writer)
        self.assertIsNone(Item(maybe=None).maybe)

    def test_datetimes(self):
        cases = [
            datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
            datetime.datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
            datetime.datetime(1900, 3, 1, 0, 0, 1, tzinfo=UTC),
            datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            datetime.datetime(1, 1, 1, tzinfo=UTC),
            datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            datetime.datetime(2000, 2, 29, 12, tzinfo=UTC),
            datetime.datetime(2100, 3, 1, tzinfo=UTC),
            datetime.datetime(2024, 3, 1, tzinfo=UTC),
            datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=INDIA),
            datetime.datetime(2020, 1, 2, 3, 4, 5, 7, tzinfo=INDIA),
            datetime.datetime(1, 1, 1, tzinfo=INDIA),
        ]
        for value in cases:
            with self.subTest(value=value):
                read = Item(when=value).when
                self.assertEqual(read, value)
                self.assertEqual(read.utcoffset(), value.utcoffset())
        paris = datetime.datetime(2020, 7, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo('Europe/Paris'))
        self.assertEqual(Item(when=paris).when,
                         datetime.datetime(2020, 7, 2, 3, 4, 5,
                                           tzinfo=datetime.timezone(datetime.timedelta(hours=2))))
        naive = datetime.datetime(2020, 1, 2, 3, 4, 5)
        self.assertEqual(Item(when=naive).when, naive.astimezone())
        glib = GLib.DateTime.new_utc(2020, 1, 2, 3, 4, 5)
        self.assertEqual(Item(when=glib).when, datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC))

    def test_saved_values_round_trip(self):
        when = datetime.datetime(2021, 5, 6, 7, 8, 9, 10, tzinfo=INDIA)
        item = Item(title='t', views=4, rating=1.5, published=True, when=when, maybe=None,
                    writer=self.writer)
        item.save()
        key = item.id
        del item
        loaded = self.reload(Item.objects.get(id=key))
        self.assertEqual((loaded.title, loaded.views, loaded.rating, loaded.published,
                          loaded.when, loaded.maybe, loaded.writer_id),
                         ('t', 4, 1.5, True, when, None, self.writer.id))

    def test_relations(self):
        item = Item(writer=self.writer)
        self.assertIs(item.writer, self.writer)
        self.assertEqual(item.writer_id, self.writer.id)
        self.assertIs(Item(writer_id=self.writer.id).writer, self.writer)
        self.assertIsNone(Item(writer=None).writer)
        with self.assertRaisesRegex(Gorm.ValidationError, r'^Required\.writer cannot be None: '
                                    r'declare the ForeignKey with null=True$'):
            Required(writer=None)
        with self.assertRaisesRegex(TypeError, r"^gobject `__main__\+Writer' doesn't support "
                                    r"property `item_set'$"):
            Writer(item_set=[])

    def test_subclass_own_init_and_abstract(self):
        sub = SubItem(title='s', extra='e', views=2)
        self.assertEqual((sub.title, sub.extra, sub.views), ('s', 'e', 2))
        with self.assertRaises(Gorm.TypeMismatchError) as caught:
            SubItem(extra=1)
        self.assertEqual(str(caught.exception), 'SubItem.extra: 1, an int, does not fit a str '
                         'field')
        own = OwnInit()
        self.assertEqual((own.label, own.seen), ('own', True))
        self.assertEqual(OwnInit(label='x').label, 'x')
        own.save()
        key = own.id
        del own
        self.assertEqual(self.reload(OwnInit.objects.get(id=key)).label, 'own')
        with self.assertRaisesRegex(TypeError, r'^Abstract is abstract \(Meta\.abstract = '
                                    r'True\): it has no table and cannot be instantiated$'):
            Abstract(name='x')
        concrete = Concrete(name='x', n=2)
        self.assertEqual((concrete.name, concrete.n), ('x', 2))

    def test_a_second_init_takes_what_pygobject_takes(self):
        # PyGObject's __init__ ignores its arguments on a built object; the
        # values set as assignments are set, and nullable numbers not
        # given become NULL again, as the constructor in Python did.
        item = Item(title='x', maybe=2)
        item.__init__(title='y', maybe_flag=None)
        self.assertEqual((item.title, item.maybe), ('x', None))
        with self.assertRaises(Gorm.TypeMismatchError):
            item.__init__(views=3.5)

    def test_new_object_is_dirty_and_database_given(self):
        item = Item(title='x', database=self.db)
        self.assertTrue(item.is_dirty())
        self.assertIs(item.get_property('database'), self.db)
        self.assertEqual(Item(id=7).id, 7)


class ForeignKeySetTest(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        self.db.migrate([Writer, Label, Item, Required])
        self.writer = Writer(name='w')
        self.writer.save()

    def test_assignments(self):
        item = Item()
        item.writer = self.writer
        self.assertIs(item.writer, self.writer)
        self.assertEqual(item.writer_id, self.writer.id)
        item.writer = None
        self.assertIsNone(item.writer)
        self.assertIsNone(item.writer_id)

    def test_refusals(self):
        cases = [
            (Gorm.ValidationError, 'Cannot make Item.writer_id refer to a Writer that is not '
             'saved: save it first', Writer(name='unsaved')),
            (Gorm.TypeMismatchError, 'Item.writer_id refers to a Writer, not to a Label '
             '(relation “writer”)', Label(text='t')),
            (Gorm.TypeMismatchError, 'Item.writer: expected a Writer or None, not 3 (set '
             'writer_id to give a key)', 3),
        ]
        item = Item(writer=self.writer)
        for exception, message, value in cases:
            with self.subTest(value=value):
                with self.assertRaises(exception) as caught:
                    item.writer = value
                self.assertIs(type(caught.exception), exception)
                self.assertEqual(str(caught.exception), message)
                # Nothing changed.
                self.assertIs(item.writer, self.writer)
        required = Required(writer=self.writer)
        with self.assertRaisesRegex(Gorm.ValidationError,
                                    r'^Required\.writer cannot be None: declare the ForeignKey '
                                    r'with null=True$'):
            required.writer = None
        with self.assertRaisesRegex(AttributeError, r'^__delete__$'):
            del item.writer
        with self.assertRaisesRegex(TypeError, r'Expected Gorm\.Resource, but got object'):
            Item.writer.__set__(object(), self.writer)

    def test_notifies_and_marks_dirty(self):
        other = Writer(name='o')
        other.save()
        item = Item(writer=self.writer)
        item.save()
        self.assertFalse(item.is_dirty())
        notified = []
        item.connect('notify', lambda obj, pspec: notified.append(pspec.name))
        item.writer = other
        self.assertEqual(notified, ['writer-id'])
        self.assertTrue(item.is_dirty())
        item.save()
        key = item.id
        del item
        self.assertEqual(self.reload(Item.objects.get(id=key)).writer_id, other.id)


class InitPlanTest(DatabaseTestCase):

    def test_checks_its_arguments(self):
        field = vars(Item)['title']
        with self.assertRaisesRegex(ValueError, r'cannot be written by 99'):
            speedups.InitPlan(frozenset(), {}, ((field, 1, 99),), (), ())
        with self.assertRaisesRegex(ValueError, r'cannot be written by 1 from slot 0'):
            speedups.InitPlan(frozenset(), {}, ((field, 0, speedups.WRITE_STRING),), (), ())
        with self.assertRaisesRegex(ValueError, r'name 1 is not the index of a field'):
            speedups.InitPlan(frozenset(), {'title': 1}, ((field, 1, 1),), (), ())
        with self.assertRaisesRegex(TypeError, r'a name is a str'):
            speedups.InitPlan(frozenset(), {3: 0}, ((field, 1, 1),), (), ())
        with self.assertRaisesRegex(ValueError, r'null default 2 is not the index'):
            speedups.InitPlan(frozenset(), {}, ((field, 1, 1),), (), (2,))
        with self.assertRaisesRegex(TypeError, r'a boxed default is \(index, name, default\)'):
            speedups.InitPlan(frozenset(), {}, ((field, 1, 1),), ((0,),), ())
        with self.assertRaisesRegex(TypeError, r'takes no keyword arguments'):
            speedups.InitPlan(frozenset(), {}, (), (), (), x=1)
        with self.assertRaises(TypeError):
            speedups.set_constructor_helpers(1, 2)


if __name__ == '__main__':
    main()
