// SPDX-License-Identifier: LGPL-2.1-or-later
// Save, get, reload and delete through the synchronous calls.

import Gorm from 'gi://Gorm?version=1.0';
import {defineModel} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

const Person = defineModel('Person', {
    name: String,
    age: 'int',
});

test('save inserts then updates', () => {
    const db = openDatabase(Person);
    const p = new Person({database: db, name: 'Ada', age: 36});
    assert(p.save(null));
    assert(p.id > 0);
    assert(p.is_saved() && !p.is_dirty());
    const id = p.id;
    p.age = 37;
    assert(p.is_dirty());
    p.save(null);
    assertEqual(p.id, id);
    assertEqual(db.query(Person.$gtype).count(null), 1);
});

test('get returns the live object, or NOT_FOUND', async () => {
    const db = openDatabase(Person);
    const p = new Person({database: db, name: 'Ada'});
    p.save(null);
    assert(db.get(Person.$gtype, p.id, null) === p, 'identity map');
    await assertGormError(Gorm.Error.NOT_FOUND, () => db.get(Person.$gtype, p.id + 1, null));
});

test('reload reads the row back', () => {
    const db = openDatabase(Person);
    const p = new Person({database: db, name: 'Ada', age: 1});
    p.save(null);
    db.execute(`UPDATE person SET age = 2 WHERE id = ${p.id}`, [], null);
    p.reload(null);
    assertEqual(p.age, 2);
});

test('delete removes the row', async () => {
    const db = openDatabase(Person);
    const p = new Person({database: db, name: 'Ada'});
    p.save(null);
    const id = p.id;
    assert(p.delete(null));
    assertEqual(db.query(Person.$gtype).count(null), 0);
    await assertGormError(Gorm.Error.NOT_FOUND, () => db.get(Person.$gtype, id, null));
});

test('a new object given an id is inserted with it', async () => {
    const db = openDatabase(Person);
    const p = new Person({database: db, name: 'Ada', id: 42});
    assertEqual(p.id, 42);
    p.save(null);
    assertEqual(p.id, 42);
    assert(db.get(Person.$gtype, 42, null) === p, 'identity map');
    const next = new Person({database: db, name: 'Next'});
    next.save(null);
    assertEqual(next.id, 43);
    // A taken id fails, nothing written.
    const twin = new Person({database: db, name: 'Twin'});
    twin.id = 42;
    await assertGormError(Gorm.Error.CONSTRAINT, () => twin.save(null));
    assert(!twin.is_saved());
    assertEqual(db.query(Person.$gtype).count(null), 2);
    // A deleted object restored with its id.
    next.delete(null);
    assertEqual(next.id, 0);
    next.id = 43;
    next.save(null);
    assertEqual(db.get(Person.$gtype, 43, null).name, 'Next');
});

test('the default database is used when none is given', () => {
    const db = openDatabase(Person);
    db.set_default();
    try {
        const p = new Person({name: 'Default'});
        p.save(null);
        assertEqual(db.query(Person.$gtype).first(null).name, 'Default');
    } finally {
        Gorm.Database.clear_default();
    }
});

test('transactions commit and roll back', async () => {
    const db = openDatabase(Person);
    db.run_in_transaction(() => {
        new Person({database: db, name: 'in'}).save(null);
        return true;
    }, null);
    assertEqual(db.query(Person.$gtype).count(null), 1);
    await assertGormError(Gorm.Error.NOT_FOUND, () => db.run_in_transaction(() => {
        new Person({database: db, name: 'gone'}).save(null);
        db.get(Person.$gtype, 999, null);
        return true;
    }, null));
    assertEqual(db.query(Person.$gtype).count(null), 1);
});

await run();
