# SPDX-License-Identifier: LGPL-2.1-or-later
"""A model's ``class Meta:``: table and db_table, ordering, unique_together,
indexes and index_together, abstract base models; an unknown option is a
TypeError."""

import datetime

from gormtest import ENGINE, DatabaseTestCase, main
from gi.repository import GLib, Gorm


class Renamed(Gorm.Resource):
    label = Gorm.Field(str)

    class Meta:
        db_table = 'renamed_things'


class Event(Gorm.Resource):
    title = Gorm.Field(str)
    day = Gorm.Field(int)
    starts = Gorm.Field(datetime.datetime, null=True)

    class Meta:
        ordering = ('-day', 'title')


class Plain(Gorm.Resource):
    title = Gorm.Field(str)
    rank = Gorm.Field(int)

    class Meta:
        ordering = 'rank'


class Seat(Gorm.Resource):
    room = Gorm.Field(str)
    row = Gorm.Field(int)
    number = Gorm.Field(int)
    holder = Gorm.Field(str, null=True)

    class Meta:
        unique_together = (('room', 'row', 'number'), ('room', 'holder'))
        indexes = [Gorm.Index(fields=['row', 'number']), ['holder', 'room']]


class Pair(Gorm.Resource):
    left = Gorm.Field(str)
    right = Gorm.Field(str)

    class Meta:
        unique_together = ('left', 'right')
        index_together = ('right', 'left')


class Hall(Gorm.Resource):
    name = Gorm.Field(str)


class Booth(Gorm.Resource):
    hall = Gorm.ForeignKey(Hall, on_delete=Gorm.CASCADE)
    number = Gorm.Field(int)

    class Meta:
        # A ForeignKey by its name, as Django takes it.
        unique_together = [('hall', 'number')]
        indexes = [Gorm.Index(fields=['number', 'hall'])]


class Stamped(Gorm.Resource):
    """An abstract base: its fields and Meta go to each model deriving
    from it."""
    created = Gorm.Field(int, default=1)
    note = Gorm.Field(str, max_length=5)

    class Meta:
        abstract = True
        ordering = ['-created']


class Named(Stamped):
    name = Gorm.Field(str)


class Labelled(Stamped):
    # Overrides the base's field: longer notes.
    note = Gorm.Field(str, max_length=50)
    label = Gorm.Field(str)

    class Meta:
        table = 'labels'


class Versioned(Stamped):
    """Abstract too, over another abstract base."""
    version = Gorm.Field(int, default=3)

    class Meta:
        abstract = True


class Document(Versioned):
    body = Gorm.Field(str)


def index_definitions(db, table):
    """The SQL of the indexes of ``table``, read outside libgorm, lower case."""
    cnc = db.get_connection()
    if ENGINE == 'sqlite':
        sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '%s'" % table
    else:
        sql = "SELECT indexdef FROM pg_indexes WHERE tablename = '%s'" % table
    model = cnc.execute_select_command(sql)
    # PostgreSQL spells out the NULLS FIRST of libgorm's indexes.
    return [str(model.get_value_at(0, row) or '').lower().replace('"', '')
            .replace(' nulls first', '') for row in range(model.get_n_rows())]


def has_index(definitions, columns):
    """Whether one of ``definitions`` indexes exactly ``columns``, in order."""
    wanted = '(%s)' % ', '.join(columns)
    return any(definition.endswith(wanted) for definition in definitions)


class TableTest(DatabaseTestCase):

    def test_db_table_names_the_table(self):
        self.assertEqual(Renamed.get_table_name(), 'renamed_things')
        Renamed(label='a').save()
        self.db.execute("INSERT INTO renamed_things (label) VALUES ('b')")
        self.assertEqual(sorted(r.label for r in Renamed.objects.all()), ['a', 'b'])

    def test_table_and_db_table_disagreeing_is_a_type_error(self):
        with self.assertRaises(TypeError) as caught:
            class Twice(Gorm.Resource):
                label = Gorm.Field(str)

                class Meta:
                    table = 'one'
                    db_table = 'two'
        self.assertIn('Twice', str(caught.exception))
        self.assertIn("'one'", str(caught.exception))

        class Same(Gorm.Resource):
            label = Gorm.Field(str)

            class Meta:
                table = 'same_table'
                db_table = 'same_table'
        self.assertEqual(Same.get_table_name(), 'same_table')


class UnknownOptionTest(DatabaseTestCase):

    def test_unknown_option_is_a_type_error_naming_it_and_the_model(self):
        with self.assertRaises(TypeError) as caught:
            class Verbose(Gorm.Resource):
                label = Gorm.Field(str)

                class Meta:
                    verbose_name = 'thing'
        self.assertIn("'verbose_name'", str(caught.exception))
        self.assertIn('Verbose.Meta', str(caught.exception))

    def test_every_unknown_option_is_named(self):
        with self.assertRaises(TypeError) as caught:
            class Many(Gorm.Resource):
                label = Gorm.Field(str)

                class Meta:
                    managed = False
                    verbose_name = 'label'
        self.assertIn("'managed', 'verbose_name'", str(caught.exception))

    def test_bad_values_are_type_errors(self):
        for option, value in [('ordering', [1]), ('ordering', ['-']),
                              ('unique_together', 'label'), ('unique_together', [['label', 2]]),
                              ('indexes', ['label']), ('indexes', [[]]),
                              ('index_together', [()]), ('abstract', 'yes')]:
            with self.subTest(option=option, value=value):
                with self.assertRaises(TypeError) as caught:
                    type(Gorm.Resource)('Bad', (Gorm.Resource,), {
                        '__module__': __name__, 'label': Gorm.Field(str),
                        'Meta': type('Meta', (), {option: value})})
                self.assertIn('Bad.Meta.' + option, str(caught.exception))

    def test_unknown_fields_are_field_errors(self):
        for option, value in [('ordering', ['-nope']), ('unique_together', ('label', 'nope')),
                              ('indexes', [Gorm.Index(fields=['nope'])]),
                              ('index_together', [['label', 'nope']])]:
            with self.subTest(option=option):
                with self.assertRaises(Gorm.FieldError) as caught:
                    type(Gorm.Resource)('Unknown', (Gorm.Resource,), {
                        '__module__': __name__, 'label': Gorm.Field(str),
                        'Meta': type('Meta', (), {option: value})})
                self.assertIn("'nope'", str(caught.exception))
                self.assertIn('Unknown.Meta.' + option, str(caught.exception))

    def test_index_takes_field_names_only(self):
        with self.assertRaises(TypeError):
            Gorm.Index(fields='label')
        with self.assertRaises(TypeError):
            Gorm.Index(fields=[])
        with self.assertRaises(TypeError):
            Gorm.Index(fields=['label'], name='label_idx')
        self.assertEqual(repr(Gorm.Index(fields=['a', 'b'])), "<Index: fields=['a', 'b']>")


class OrderingTest(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        for title, day in [('b', 1), ('a', 2), ('c', 2), ('d', 3)]:
            Event.objects.create(title=title, day=day)

    def titles(self, queryset):
        return [event.title for event in queryset]

    def test_every_query_takes_the_default_order(self):
        self.assertEqual(self.titles(Event.objects.all()), ['d', 'a', 'c', 'b'])
        self.assertEqual(self.titles(Event.objects.filter(day__lt=3)), ['a', 'c', 'b'])
        self.assertEqual(self.titles(Event.objects.all()[1:3]), ['a', 'c'])
        self.assertEqual(Event.objects.first().title, 'd')
        self.assertEqual(Event.objects.all()[3].title, 'b')

    def test_a_single_string_is_one_field(self):
        for title, rank in [('x', 3), ('y', 1), ('z', 2)]:
            Plain.objects.create(title=title, rank=rank)
        self.assertEqual([p.title for p in Plain.objects.all()], ['y', 'z', 'x'])

    def test_order_by_replaces_it(self):
        self.assertEqual(self.titles(Event.objects.order_by('title')), ['a', 'b', 'c', 'd'])
        self.assertEqual(self.titles(Event.objects.order_by('-title')), ['d', 'c', 'b', 'a'])
        self.assertEqual(Event.objects.order_by('day', 'title').first().title, 'b')

    def test_order_by_nothing_drops_it(self):
        # Without an order, first() takes the primary key's.
        self.assertEqual(Event.objects.order_by().first().title, 'b')
        self.assertEqual(sorted(self.titles(Event.objects.order_by())), ['a', 'b', 'c', 'd'])

    def test_nulls_come_first_ascending(self):
        Event.objects.filter(title='a').update(starts=datetime.datetime(2024, 1, 1))
        ordered = self.titles(Event.objects.order_by('starts', 'title'))
        self.assertEqual(ordered, ['b', 'c', 'd', 'a'])

    def test_watch_keeps_the_default_order(self):
        live = Event.objects.watch()
        Event.objects.create(title='e', day=9)
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass
        self.assertEqual([live.get_item(i).title for i in range(live.get_n_items())],
                         ['e', 'd', 'a', 'c', 'b'])


class UniqueTogetherTest(DatabaseTestCase):

    def test_a_repeated_combination_is_an_integrity_error_naming_the_fields(self):
        Seat.objects.create(room='A', row=1, number=1)
        Seat.objects.create(room='A', row=1, number=2)
        Seat.objects.create(room='B', row=1, number=1)
        with self.assertRaises(Gorm.IntegrityError) as caught:
            Seat.objects.create(room='A', row=1, number=1)
        message = str(caught.exception)
        self.assertEqual(caught.exception.code, Gorm.Error.CONSTRAINT)
        self.assertIn('Seat', message)
        for name in ('room', 'row', 'number'):
            self.assertIn(name, message)
        self.assertEqual(Seat.objects.count(), 3)

    def test_each_group_is_its_own_constraint(self):
        Seat.objects.create(room='A', row=1, number=1, holder='ann')
        with self.assertRaises(Gorm.IntegrityError) as caught:
            Seat.objects.create(room='A', row=2, number=1, holder='ann')
        self.assertIn('holder', str(caught.exception))
        # NULLs are never equal: many seats of a room have no holder.
        Seat.objects.create(room='A', row=3, number=1)
        Seat.objects.create(room='A', row=3, number=2)
        Seat.objects.create(room='B', row=2, number=1, holder='ann')

    def test_one_tuple_is_one_group(self):
        Pair.objects.create(left='a', right='b')
        Pair.objects.create(left='b', right='a')
        with self.assertRaises(Gorm.IntegrityError):
            Pair.objects.create(left='a', right='b')
        pair = Pair.objects.get(left='b')
        pair.right = 'b'
        pair.left = 'a'
        with self.assertRaises(Gorm.IntegrityError):
            pair.save()
        pair.reload()
        self.assertEqual(sorted((p.left, p.right) for p in Pair.objects.all()),
                         [('a', 'b'), ('b', 'a')])


    def test_a_foreign_key_stands_for_its_key(self):
        hall = Hall.objects.create(name='main')
        other = Hall.objects.create(name='side')
        Booth.objects.create(hall=hall, number=1)
        Booth.objects.create(hall=other, number=1)
        with self.assertRaises(Gorm.IntegrityError) as caught:
            Booth.objects.create(hall=hall, number=1)
        self.assertIn('hall_id', str(caught.exception))
        self.assertEqual(Booth.objects.count(), 2)


class IndexTest(DatabaseTestCase):

    def test_indexes_and_index_together_make_indexes(self):
        self.db.migrate([Seat, Pair])
        seat = index_definitions(self.db, 'seat')
        self.assertTrue(has_index(seat, ['row', 'number']), seat)
        self.assertTrue(has_index(seat, ['holder', 'room']), seat)
        pair = index_definitions(self.db, 'pair')
        self.assertTrue(has_index(pair, ['right', 'left']), pair)
        self.assertFalse(has_index(pair, ['left']), pair)

    def test_migrate_again_changes_nothing(self):
        self.db.migrate([Seat])
        before = sorted(index_definitions(self.db, 'seat'))
        self.db.migrate([Seat])
        self.assertEqual(sorted(index_definitions(self.db, 'seat')), before)


class AbstractTest(DatabaseTestCase):

    def test_an_abstract_model_has_no_table(self):
        with self.assertRaises(TypeError) as caught:
            Stamped(note='a')
        self.assertIn('Stamped is abstract', str(caught.exception))
        with self.assertRaises(AttributeError) as caught:
            Stamped.objects.all()
        self.assertIn('Stamped is abstract', str(caught.exception))
        with self.assertRaises(TypeError):
            self.db.migrate([Stamped])
        self.assertIsNone(Stamped.find_property('note'))

    def test_subclasses_inherit_the_fields(self):
        Named.objects.create(name='n', note='short', created=5)
        named = Named.objects.get(name='n')
        self.assertEqual((named.note, named.created), ('short', 5))
        self.assertEqual(Named(name='m').created, 1)
        with self.assertRaises(Gorm.ValidationError):
            Named.objects.create(name='x', note='too long')
        self.assertEqual(Named.get_table_name(), 'named')
        self.assertIsInstance(named, Stamped)

    def test_subclasses_override_fields_and_meta(self):
        # Labelled's note allows 50 characters, Named's 5.
        Labelled.objects.create(label='l', note='a longer note')
        self.assertEqual(Labelled.objects.get().note, 'a longer note')
        self.assertEqual(Labelled.get_table_name(), 'labels')
        # Labelled has a Meta of its own: no default order from Stamped.
        self.assertEqual(Labelled._gorm_ordering, ())

    def test_meta_is_inherited_without_a_meta_of_ones_own(self):
        for created in (1, 3, 2):
            Named.objects.create(name=str(created), created=created)
        self.assertEqual([n.created for n in Named.objects.all()], [3, 2, 1])

    def test_abstract_over_abstract(self):
        self.assertEqual(Document(body='b').version, 3)
        Document.objects.create(body='b', note='n', created=2)
        document = Document.objects.get()
        self.assertEqual((document.body, document.note, document.created, document.version),
                         ('b', 'n', 2, 3))
        with self.assertRaises(TypeError):
            Versioned()

    def test_each_subclass_has_its_own_table(self):
        Named.objects.create(name='n')
        Document.objects.create(body='b')
        self.assertEqual(Named.objects.count(), 1)
        self.assertEqual(Document.objects.count(), 1)
        self.db.execute("INSERT INTO document (body, note, created, version) "
                        "VALUES ('c', '', 0, 0)")
        self.assertEqual(Document.objects.count(), 2)
        self.assertEqual(Named.objects.count(), 1)


if __name__ == '__main__':
    main()
