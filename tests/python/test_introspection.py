# SPDX-License-Identifier: LGPL-2.1-or-later
"""The C API as GObject introspection gives it to Python: GType arguments
and arrays, GValues and GValue arrays, nullable returns, class metadata
functions on a Python subclass, signals and list models."""

import gc

from gormtest import DatabaseTestCase, main, shown_uri
from gi.repository import Gio, GLib, GObject, Gorm


class Item(Gorm.Resource):
    code = GObject.Property(type=str)
    count = GObject.Property(type=GObject.TYPE_INT64)


Item.set_unique('code')
# The class functions are also reachable through Gorm.ResourceClass.
Gorm.ResourceClass.set_indexed(Item, 'count')


class Keyed(Gorm.Resource):
    key = GObject.Property(type=GObject.TYPE_INT64)
    label = GObject.Property(type=str)


Keyed.set_primary_key('key')


class IntrospectionTest(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        # A GType array: classes and GTypes alike.
        self.assertTrue(self.db.migrate([Item.__gtype__, Keyed]))

    def test_gtype_arguments(self):
        Item(code='a', count=1, database=self.db).save()
        query = self.db.query(Item.__gtype__)
        self.assertEqual(query.get_item_type(), Item.__gtype__)
        self.assertEqual(query.count(), 1)
        item = self.db.get(Item, 1)
        self.assertIsInstance(item, Item)
        self.assertIs(self.db.get(Item.__gtype__, 1), item)

    def test_class_metadata_on_a_python_subclass(self):
        Item(code='a').save()
        with self.assertRaises(Gorm.IntegrityError):
            Item(code='a').save()
        self.db.execute('DROP INDEX ix_item_count')

    def test_gvalue_arguments(self):
        Item(code='big', count=2 ** 40).save()
        for value in (2 ** 40, GObject.Value(GObject.TYPE_INT64, 2 ** 40)):
            self.assertEqual(self.db.query(Item).filter(Gorm.Filter.eq('count', value)).count(), 1)
        self.assertEqual(self.db.query(Item).filter(Gorm.Filter.between(
            'count', 2 ** 39, 2 ** 41)).count(), 1)
        # The same constructors as functions of the namespace.
        self.assertEqual(self.db.query(Item).filter(Gorm.filter_eq('count', 2 ** 40)).count(), 1)
        self.assertEqual(self.db.query(Item).filter(Gorm.filter_in('count', [2 ** 40])).count(), 1)
        self.assertEqual(self.db.query(Item).filter(Gorm.Filter.eq('code', None)).count(), 0)
        self.assertEqual(self.db.query(Item).update('count', 2 ** 50), 1)
        self.assertEqual(self.db.query(Item).filter(Gorm.Filter.gt('count', 2 ** 49)).count(), 1)
        keyed = Keyed(key=2 ** 35, label='far')
        keyed.save()
        self.assertIs(self.db.get_by_key(Keyed, 2 ** 35), keyed)

    def test_gvalue_arrays(self):
        for code in 'abc':
            Item(code=code, count=ord(code)).save()
        query = self.db.query(Item).filter(Gorm.Filter.in_('code', ['a', 'c', None]))
        self.assertEqual(query.count(), 2)
        self.assertEqual(self.db.query(Item).filter(Gorm.Filter.in_('code', [])).count(), 0)
        self.assertEqual(self.db.execute('UPDATE item SET count = ? WHERE code IN (?, ?)',
                                         [2 ** 40, 'a', 'b']), 2)
        self.assertEqual(self.db.execute('UPDATE item SET code = NULL WHERE count < ?', [2 ** 40]),
                         1)

    def test_filter_combinations(self):
        Item(code='a', count=1).save()
        Item(code='b', count=2).save()
        either = Gorm.Filter.eq('code', 'a').or_(Gorm.Filter.eq('count', 2))
        self.assertEqual(self.db.query(Item).filter(either).count(), 2)
        self.assertEqual(self.db.query(Item).filter(either.not_()).count(), 0)
        both = Gorm.Filter.eq('code', 'a').and_(Gorm.Filter.eq('count', 2))
        self.assertEqual(self.db.query(Item).filter(both).count(), 0)
        # The filters given to and_/or_ stay usable from Python.
        self.assertEqual(self.db.query(Item).filter(either).count(), 2)
        self.assertEqual(self.db.query(Item).filter(Gorm.Filter.like('code', 'a%')).count(), 1)
        self.assertEqual(self.db.query(Item).filter(Gorm.Filter.is_null('code')).count(), 0)
        self.assertEqual(self.db.query(Item).filter(Gorm.Filter.is_not_null('code')).count(), 2)

    def test_nullable_returns(self):
        self.assertIsNone(self.db.query(Item).first())
        self.assertIs(Gorm.Database.get_default(), self.db)
        Gorm.Database.clear_default()
        self.assertIsNone(Gorm.Database.get_default())
        item = Item(code='x')
        self.assertIsNone(item.get_database())
        self.db.set_default()
        item.save()
        self.assertIs(item.get_database(), self.db)

    def test_builder_chains_and_list_model(self):
        for i in range(5):
            Item(code='c%d' % i, count=i).save()
        query = self.db.query(Item)
        self.assertIs(query.filter(Gorm.Filter.ge('count', 1)).order_by('count', True)
                      .limit(2).offset(1), query)
        model = query.fetch()
        self.assertIsInstance(model, Gio.ListModel)
        self.assertIsInstance(model, Gorm.QueryModel)
        self.assertFalse(model.is_live())
        self.assertEqual(model.get_item_type(), Item.__gtype__)
        self.assertEqual(model.get_n_items(), 2)
        self.assertEqual([item.count for item in model], [3, 2])
        self.assertTrue(query.watch().is_live())
        self.assertTrue(query.exists())
        self.assertEqual(query.delete(), 2)

    def test_signals(self):
        events = []
        self.db.connect('resource-saved', lambda db, item, created: events.append(
            ('saved', item.code, created)))
        self.db.connect('resource-deleted', lambda db, item: events.append(('deleted', item.code)))
        item = Item(code='s')
        item.save()
        item.count = 3
        item.save()
        item.delete()
        self.assertEqual(events, [('saved', 's', True), ('saved', 's', False), ('deleted', 's')])

    def test_resource_state(self):
        item = Item(code='d')
        self.assertFalse(item.is_saved())
        self.assertTrue(item.is_dirty())
        item.save()
        self.assertTrue(item.is_saved())
        self.assertFalse(item.is_dirty())
        item.count = 5
        self.assertTrue(item.is_dirty())
        self.assertEqual(item.get_id(), item.props.id)

    def test_identity_map(self):
        item = Item(code='same')
        item.save()
        self.assertIs(self.db.query(Item).first(), item)
        key = item.id
        del item
        gc.collect()
        self.assertEqual(self.db.get(Item, key).code, 'same')

    def test_database_accessors(self):
        self.assertEqual(self.db.get_uri(), shown_uri(self.db_uri))
        self.assertEqual(self.db.get_transaction_depth(), 0)
        self.assertFalse(self.db.is_closed())
        wrapped = Gorm.Database.new_for_connection(self.db.get_connection())
        self.assertEqual(wrapped.query(Item).count(), 0)

    def test_versions(self):
        self.assertEqual(Gorm.VERSION_S, '%d.%d.%d' % (Gorm.MAJOR_VERSION, Gorm.MINOR_VERSION,
                                                       Gorm.MICRO_VERSION))

    def test_error_domain(self):
        self.assertEqual(GLib.quark_to_string(Gorm.error_quark()), 'gorm-error-quark')


if __name__ == '__main__':
    main()
