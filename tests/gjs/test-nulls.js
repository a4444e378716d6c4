// SPDX-License-Identifier: LGPL-2.1-or-later
// Typed fields: null for `null: true` fields of every type, and the values
// a field refuses rather than save something else.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

const Optional = defineModel('Optional', {
    count: {type: 'int64', null: true},
    small: {type: 'int', null: true},
    ratio: {type: Number, null: true},
    flag: {type: Boolean, null: true},
    kind: {type: Gio.FileType.$gtype, null: true},
    when: {type: GLib.DateTime, null: true},
    data: {type: GLib.Bytes, null: true},
    tags: {type: Array, null: true},
    label: {type: String, null: true},
    level: {type: 'uint', null: true, default: 3},
    required: 'int',
    name: {type: String, notNull: true},
    words: Array,
});

const NULLABLE = ['count', 'small', 'ratio', 'flag', 'kind', 'when', 'data', 'tags', 'label', 'level'];

function values() {
    return {
        count: 2 ** 40,
        small: -3,
        ratio: 0.25,
        flag: false,
        kind: Gio.FileType.DIRECTORY,
        when: GLib.DateTime.new_utc(2024, 3, 5, 13, 3, 2.5),
        data: new GLib.Bytes([0, 97, 98]),
        tags: [],
        label: '',
        level: 0,
    };
}

function checkValues(object) {
    const expected = values();
    for (const name of ['count', 'small', 'ratio', 'flag', 'kind', 'label', 'level'])
        assertEqual(object[name], expected[name], name);
    assert(object.when.equal(expected.when), 'when');
    assertEqual(object.data.get_size(), 3);
    assertEqual(JSON.stringify(object.tags), '[]');
}

function drain() {
    const context = GLib.MainContext.default();
    while (context.iteration(false))
        ;
}

test('null fields start null, save and load as null', () => {
    const db = openDatabase(Optional);
    const object = new Optional({database: db, name: 'n'});
    for (const name of NULLABLE.filter(n => n !== 'level'))
        assertEqual(object[name], null, name);
    assertEqual(object.level, 3);
    assertEqual(object.required, 0);
    object.level = null;
    object.save(null);
    const id = object.id;
    const loaded = db.query(Optional.$gtype).first(null);
    assertEqual(loaded, object);
    db.close(null);

    const again = openDatabase(Optional);
    const fresh = new Optional({database: again, name: 'n'});
    fresh.save(null);
    assertEqual(again.query(Optional.$gtype).filter(Gorm.Filter.is_null('count')).count(null), 1);
    assert(id > 0);
});

test('every type round-trips a value and null', () => {
    const db = openDatabase(Optional);
    let object = new Optional({database: db, name: 'n', ...values()});
    checkValues(object);
    object.save(null);
    const id = object.id;
    object = null;
    // get() reads the row (into the live object when it is still alive).
    let loaded = db.get(Optional.$gtype, id, null);
    checkValues(loaded);
    for (const name of NULLABLE)
        loaded[name] = null;
    for (const name of NULLABLE) {
        assertEqual(loaded[name], null, name);
        assert(loaded.is_null(name), name);
    }
    loaded.save(null);
    loaded.reload(null);
    for (const name of NULLABLE) {
        assertEqual(loaded[name], null, name);
        assertEqual(db.query(Optional.$gtype).filter(Gorm.Filter.is_null(name)).count(null), 1, name);
    }
    Object.assign(loaded, values());
    loaded.save(null);
    loaded.reload(null);
    checkValues(loaded);
});

test('lossy values throw TYPE_MISMATCH and change nothing', async () => {
    const db = openDatabase(Optional);
    const object = new Optional({database: db, name: 'n', required: 4, words: ['w'], count: 5});
    object.save(null);
    const cases = [
        ['flag', 'false'], ['flag', 2], ['flag', 0.5],
        ['required', 3.7], ['required', 2 ** 40], ['required', '7'],
        ['small', 2 ** 31], ['count', 0.5], ['level', -1], ['level', 2 ** 33],
        ['kind', 99], ['kind', 'nope'],
        ['words', 'ab'], ['words', [1, 2]], ['words', ['a\0b']], ['tags', 'x'],
        ['name', 'a\0b'], ['name', 5], ['ratio', 'x'], ['when', 5],
    ];
    for (const [name, value] of cases) {
        const e = await assertGormError(Gorm.Error.TYPE_MISMATCH, () => {
            object[name] = value;
        }, `${name} = ${JSON.stringify(value)}`);
        assert(e.message.includes('Optional') && e.message.includes(name), e.message);
        await assertGormError(Gorm.Error.TYPE_MISMATCH,
            () => new Optional({database: db, name: 'x', [name]: value}), `new: ${name}`);
    }
    assert(!object.is_dirty(), 'nothing changed');
    assertEqual(object.required, 4);
    assertEqual(object.count, 5);
    assertEqual(object.name, 'n');
    assertEqual(JSON.stringify(object.words), '["w"]');
    object.reload(null);
    assertEqual(object.flag, null);
    assertEqual(object.count, 5);
});

test('lossless values are taken', () => {
    const db = openDatabase(Optional);
    const object = new Optional({database: db, name: 'n', ratio: 3, flag: 1, count: 2 ** 40});
    assertEqual(object.ratio, 3);
    assertEqual(object.flag, true);
    object.kind = Gio.FileType.REGULAR;
    object.save(null);
    object.reload(null);
    assertEqual(object.count, 2 ** 40);
    assertEqual(object.kind, Gio.FileType.REGULAR);
});

test('null where a field takes none throws VALIDATION', async () => {
    const db = openDatabase(Optional);
    const object = new Optional({database: db, name: 'n', required: 2});
    object.save(null);
    for (const name of ['required', 'name']) {
        const e = await assertGormError(Gorm.Error.VALIDATION, () => {
            object[name] = null;
        });
        assert(e.message.includes('Optional') && e.message.includes(name), e.message);
    }
    await assertGormError(Gorm.Error.VALIDATION, () => new Optional({database: db, required: null}));
    assertEqual(object.required, 2);
    assert(!object.is_dirty());
});

test('null filters, order and live models', () => {
    const db = openDatabase(Optional);
    for (const [name, count] of [['b', 2], ['n1', null], ['a', -1], ['z', 0], ['n2', null]])
        new Optional({database: db, name, count}).save(null);
    const query = () => db.query(Optional.$gtype);
    assertEqual(query().filter(Gorm.Filter.is_null('count')).count(null), 2);
    assertEqual(query().filter(Gorm.Filter.is_not_null('count')).count(null), 3);
    assertEqual(query().filter(Gorm.Filter.eq('count', null)).count(null), 2);
    const up = toArray(query().order_by('count', false).order_by('name', false).fetch(null));
    assertEqual(up.map(o => o.name).join(' '), 'n1 n2 a z b');
    const down = toArray(query().order_by('count', true).order_by('name', false).fetch(null));
    assertEqual(down.map(o => o.name).join(' '), 'b z a n1 n2');

    const live = query().filter(Gorm.Filter.is_null('count')).watch(null);
    assertEqual(live.get_n_items(), 2);
    const b = up[4];
    b.count = null;
    b.save(null);
    drain();
    assertEqual(live.get_n_items(), 3);
    assertEqual(query().update('count', null, null), 5);
    drain();
    assertEqual(live.get_n_items(), 5);
    assert(up.every(o => o.count === null), 'live objects take the bulk NULL');
});

test('the examples of doc/nulls.md run as written', async () => {
    const file = Gio.File.new_for_uri(import.meta.url).get_parent()
        .resolve_relative_path('../../doc/nulls.md');
    const [, bytes] = file.load_contents(null);
    const text = new TextDecoder().decode(bytes);
    const blocks = [...text.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map(m => m[1]);
    assert(blocks.length > 0, 'doc/nulls.md has JavaScript examples');
    const db = openDatabase();
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    for (const code of blocks)
        await new AsyncFunction('Gorm', 'GLib', 'defineModel', 'db', code)(Gorm, GLib, defineModel, db);
});

await run();
