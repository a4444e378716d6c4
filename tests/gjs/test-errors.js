// SPDX-License-Identifier: LGPL-2.1-or-later
// Failures are thrown as GLib.Error of the Gorm.Error domain.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase, unreachableUri, engine} from './harness.js';

const User = defineModel('User', {
    email: {type: String, unique: true, notNull: true, maxLength: 50},
    age: 'int',
});

test('a constraint violation is a GLib.Error with code CONSTRAINT', () => {
    const db = openDatabase(User);
    new User({database: db, email: 'a@b'}).save(null);
    const dup = new User({database: db, email: 'a@b'});
    let error = null;
    try {
        dup.save(null);
    } catch (e) {
        error = e;
    }
    assert(error instanceof GLib.Error, `${error}`);
    assert(error.matches(Gorm.Error, Gorm.Error.CONSTRAINT));
    assertEqual(error.code, Gorm.Error.CONSTRAINT);
    assertEqual(error.domain, Gorm.error_quark());
    assert(/User/.test(error.message), error.message);
    assert(!dup.is_saved(), 'a failed write leaves the object unsaved');
    assertEqual(db.query(User.$gtype).count(null), 1);
});

test('validation, not found, unknown property, type mismatch', async () => {
    const db = openDatabase(User);
    const e = await assertGormError(Gorm.Error.VALIDATION,
        () => new User({database: db, email: 'x'.repeat(51)}).save(null));
    assert(/email/.test(e.message), e.message);
    await assertGormError(Gorm.Error.NOT_FOUND, () => db.get(User.$gtype, 1, null));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => db.query(User.$gtype).filter(Gorm.Filter.eq('name', 'x')).count(null));
    await assertGormError(Gorm.Error.TYPE_MISMATCH,
        () => db.query(User.$gtype).filter(Gorm.Filter.eq('age', 'old')).count(null));
});

const Measure = defineModel('Measure', {
    ratio: Number,
    small: 'float',
});

test('infinities round-trip; NaN is VALIDATION before any SQL', async () => {
    const db = openDatabase(Measure);
    for (const value of [Infinity, -Infinity]) {
        const m = new Measure({database: db, ratio: value, small: value});
        m.save(null);
        db.execute('UPDATE measure SET ratio = 0, small = 0', null, null);
        m.reload(null);
        assertEqual(m.ratio, 0);
        // An infinity written by SQL: SQLite reads 9e999 as one,
        // PostgreSQL has its own spelling.
        const literal = engine === 'sqlite'
            ? `${value > 0 ? '' : '-'}9e999`
            : `'${value > 0 ? '' : '-'}Infinity'`;
        db.execute(`UPDATE measure SET ratio = ${literal}, small = ${literal}`, null, null);
        m.reload(null);
        assertEqual(m.ratio, value);
        assertEqual(m.small, value);
        m.ratio = 1;
        m.save(null);
        m.ratio = value;
        m.save(null);
        const found = db.query(Measure.$gtype).filter(Gorm.Filter.eq('ratio', value)).first(null);
        assertEqual(found, m);
        assertEqual(db.query(Measure.$gtype).filter(Gorm.Filter.eq('small', value)).count(null), 1);
        db.query(Measure.$gtype).delete(null);
    }
    for (const property of ['ratio', 'small']) {
        // A field is checked as it is assigned: NaN is refused there,
        // before any SQL, and changes nothing.
        const m = new Measure({database: db});
        let e = await assertGormError(Gorm.Error.VALIDATION, () => {
            m[property] = NaN;
        });
        assert(e.message.includes(`Measure.${property}`) && /NaN/.test(e.message), e.message);
        assertEqual(m[property], 0);
        m[property] = 2;
        m.save(null);
        await assertGormError(Gorm.Error.VALIDATION, () => {
            m[property] = NaN;
        });
        assertEqual(m[property], 2);
        assert(!m.is_dirty(), 'a refused value changes nothing');
        m.delete(null);
        e = await assertGormError(Gorm.Error.VALIDATION,
            () => db.query(Measure.$gtype).filter(Gorm.Filter.eq(property, NaN)).count(null));
        assert(/Measure/.test(e.message) && e.message.includes(property) && /NaN/.test(e.message),
            e.message);
        e = await assertGormError(Gorm.Error.VALIDATION,
            () => db.query(Measure.$gtype).update(property, NaN, null));
        assert(e.message.includes(property) && /NaN/.test(e.message), e.message);
        await assertGormError(Gorm.Error.VALIDATION,
            () => db.query(Measure.$gtype).filter(Gorm.Filter.between(property, 0, NaN)).first(null));
    }
    assertEqual(db.query(Measure.$gtype).count(null), 0);
});

const Entry = defineModel('Entry', {
    label: String,
    kind: {type: Gio.FileType},
});

test('a row that cannot be read fails alone in a model', async () => {
    const db = openDatabase(Entry);
    const ids = [];
    for (let i = 0; i < 4; i++) {
        const entry = new Entry({database: db, label: `e${i}`, kind: Gio.FileType.DIRECTORY});
        entry.save(null);
        ids.push(entry.id);
    }
    db.execute(`UPDATE entry SET kind = 'no-such-kind' WHERE id = ${ids[1]}`, null, null);
    const model = db.query(Entry.$gtype).order_by('id', false).fetch(null);
    assertEqual(model.get_n_items(), 4);
    for (let i = 0; i < 4; i++) {
        const item = model.get_item(i);
        assert(item instanceof Entry, `item ${i} is ${item}`);
        assertEqual(item.id, ids[i]);
        if (i !== 1)
            assert(model.check_item(i));
    }
    const e = await assertGormError(Gorm.Error.TYPE_MISMATCH, () => model.check_item(1));
    assert(/entry/.test(e.message) && /kind/.test(e.message) && /no-such-kind/.test(e.message),
        e.message);
});

test('connection errors', async () => {
    await assertGormError(Gorm.Error.CONNECTION,
        () => Gorm.Database.open(unreachableUri(), null));
});

await run();
