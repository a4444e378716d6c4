// SPDX-License-Identifier: LGPL-2.1-or-later
// What bindings take from C: table names, stored properties, first-use
// migration, and bulk updates of several properties in one statement.

import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

const ShelfItem = defineModel('ShelfItem', {
    title: {type: String, maxLength: 10},
    pages: 'int',
    read: Boolean,
    scratch: {type: String, transient: true},
});

const Renamed = defineModel('Renamed', {title: String}, {table: 'renamed_things'});

function shelf() {
    const db = openDatabase(ShelfItem);
    [['Dune', 412], ['Emma', 474], ['Ulysses', 730]].forEach(([title, pages]) =>
        new ShelfItem({database: db, title, pages}).save(null));
    return db;
}

const rows = db => toArray(db.query(ShelfItem.$gtype).order_by('title', false).fetch(null))
    .map(b => [b.title, b.pages, b.read]);

test('table names and stored properties come from C', () => {
    assertEqual(ShelfItem.get_table_name(), 'shelf_item');
    assertEqual(Gorm.Resource.get_table_name.call(Renamed), 'renamed_things');
    // The key first; transient properties have no column.
    const names = ShelfItem.dup_stored_properties();
    assertEqual(names[0], 'id');
    assertEqual([...names].sort(), ['id', 'pages', 'read', 'title']);
});

test('ensure_migrated migrates once, and again after a rollback', async () => {
    const db = openDatabase();
    assert(!db.is_migrated(Renamed.$gtype));
    db.begin(null);
    assert(db.ensure_migrated([Renamed.$gtype], null));
    assert(db.is_migrated(Renamed.$gtype));
    db.rollback(null);
    assert(!db.is_migrated(Renamed.$gtype), 'a rollback of the migration forgets');
    assert(await db.ensure_migrated_async([Renamed.$gtype], null));
    assert(db.is_migrated(Renamed.$gtype));
    new Renamed({database: db, title: 'kept'}).save(null);
    assertEqual(db.query(Renamed.$gtype).count(null), 1);
});

test('update_values sets several properties at once', async () => {
    const db = shelf();
    const emma = db.query(ShelfItem.$gtype).filter(Gorm.Filter.eq('title', 'Emma')).first(null);
    const query = db.query(ShelfItem.$gtype).filter(Gorm.Filter.gt('pages', 450));
    assertEqual(query.update_values(['pages', 'read'], [100, true], null), 2);
    assertEqual(rows(db), [['Dune', 412, false], ['Emma', 100, true], ['Ulysses', 100, true]]);
    assertEqual(emma.pages, 100, 'live objects follow');
    assertEqual(emma.read, true);
    assertEqual(await db.query(ShelfItem.$gtype).update_values_async(['title', 'pages'],
        ['Same', 7], null), 3);
    assertEqual(rows(db), [['Same', 7, false], ['Same', 7, true], ['Same', 7, true]]);
});

test('update_values refuses bad input before any SQL', async () => {
    const db = shelf();
    const before = rows(db);
    const query = db.query(ShelfItem.$gtype);
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => query.update_values(['pages', 'colour'], [1, 2], null));
    await assertGormError(Gorm.Error.VALIDATION,
        () => query.update_values(['pages', 'title'], [1, 'far too long a title'], null));
    await assertGormError(Gorm.Error.TYPE_MISMATCH,
        () => query.update_values(['title', 'pages'], ['ok', 'many'], null));
    await assertGormError(Gorm.Error.FAILED,
        () => query.update_values(['pages', 'pages'], [1, 2], null));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => query.update_values_async(['colour'], [1], null));
    assertEqual(rows(db), before, 'nothing changed');
});

await run();
