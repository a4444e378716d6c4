// SPDX-License-Identifier: LGPL-2.1-or-later
// Filters, ordering, paging and the bulk runners of Gorm.Query.

import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase, engine} from './harness.js';

const Book = defineModel('Book', {
    title: String,
    pages: 'int',
    price: Number,
    published: Boolean,
});

function library() {
    const db = openDatabase(Book);
    [['Dune', 412, 9.5, true], ['Emma', 474, 4.25, true],
        ['Ulysses', 730, 12, false], ['Beloved', 324, 8, true]]
        .forEach(([title, pages, price, published]) =>
            new Book({database: db, title, pages, price, published}).save(null));
    return db;
}

const titles = model => toArray(model).map(b => b.title);

test('filter, order and page', () => {
    const db = library();
    const q = db.query(Book.$gtype)
        .filter(Gorm.Filter.gt('pages', 400))
        .order_by('pages', true);
    assertEqual(titles(q.fetch(null)), ['Ulysses', 'Emma', 'Dune']);
    const page = db.query(Book.$gtype).order_by('title', false).limit(2).offset(1);
    assertEqual(titles(page.fetch(null)), ['Dune', 'Emma']);
});

test('combined filters and numbers of both kinds', () => {
    const db = library();
    // and, or and not are methods of the filter.
    const f = Gorm.Filter.eq('published', true)
        .and(Gorm.Filter.lt('price', 5).or(Gorm.Filter.ge('price', 9.5)));
    assertEqual(titles(db.query(Book.$gtype).filter(f).order_by('title', false).fetch(null)),
        ['Dune', 'Emma']);
    assertEqual(db.query(Book.$gtype).filter(Gorm.Filter.like('title', '%e%')).count(null), 3);
    assertEqual(db.query(Book.$gtype).filter(Gorm.Filter.eq('price', 12).not()).count(null), 3);
});

test('first, count, exists', () => {
    const db = library();
    assertEqual(db.query(Book.$gtype).order_by('price', false).first(null).title, 'Emma');
    assertEqual(db.query(Book.$gtype).filter(Gorm.Filter.eq('title', 'None')).first(null), null);
    assertEqual(db.query(Book.$gtype).count(null), 4);
    assert(db.query(Book.$gtype).filter(Gorm.Filter.eq('title', 'Emma')).exists(null));
    assert(!db.query(Book.$gtype).filter(Gorm.Filter.eq('title', 'X')).exists(null));
});

test('bulk update and delete', () => {
    const db = library();
    const emma = db.query(Book.$gtype).filter(Gorm.Filter.eq('title', 'Emma')).first(null);
    assertEqual(db.query(Book.$gtype).filter(Gorm.Filter.eq('published', false)).update('price', 1, null), 1);
    assertEqual(db.query(Book.$gtype).update('pages', 100, null), 4);
    assertEqual(emma.pages, 100, 'live objects follow bulk updates');
    assertEqual(db.query(Book.$gtype).filter(Gorm.Filter.lt('price', 5)).delete(null), 2);
    assertEqual(db.query(Book.$gtype).count(null), 2);
});

test('unknown properties are errors, never SQL', async () => {
    const db = library();
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => db.query(Book.$gtype).filter(Gorm.Filter.eq('author', 'x')).count(null));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => db.query(Book.$gtype).order_by('author', false).fetch(null));
});

// Every runner of the query, sync and async (promise), throws a Gorm.Error
// with that code naming needle; nothing is deleted or changed.
async function assertRunnersFail(db, query, code, needle) {
    const runners = {
        fetch: () => query.fetch(null),
        watch: () => query.watch(null),
        first: () => query.first(null),
        count: () => query.count(null),
        exists: () => query.exists(null),
        delete: () => query.delete(null),
        update: () => query.update('pages', 1, null),
        fetch_async: () => query.fetch_async(null),
        watch_async: () => query.watch_async(null),
        first_async: () => query.first_async(null),
        count_async: () => query.count_async(null),
        exists_async: () => query.exists_async(null),
        delete_async: () => query.delete_async(null),
        update_async: () => query.update_async('pages', 1, null),
    };
    for (const [name, runner] of Object.entries(runners)) {
        // eslint-disable-next-line no-await-in-loop
        const error = await assertGormError(code, runner, name);
        // libgorm's message names the C function, the JavaScript one the
        // call JavaScript makes.
        assert(error.cMessage.includes(needle), `${name}: "${error.cMessage}" does not name "${needle}"`);
        const jsNeedle = needle.replace(/^gorm_(filter|expression)_(\w+)\(\)$/,
            (_, klass, f) => `Gorm.${klass[0].toUpperCase()}${klass.slice(1)}.${f}()`);
        assert(error.message.includes(jsNeedle), `${name}: "${error.message}" does not name "${jsNeedle}"`);
    }
    assertEqual(db.query(Book.$gtype).count(null), 4, 'nothing deleted');
    assertEqual(db.query(Book.$gtype).filter(Gorm.Filter.eq('pages', 1)).count(null), 0, 'nothing updated');
}

test('a null filter or operand never runs the query unfiltered', async () => {
    const db = library();
    await assertRunnersFail(db, db.query(Book.$gtype).filter(null), Gorm.Error.FAILED, 'no filter');
    const dune = Gorm.Filter.eq('title', 'Dune');
    await assertRunnersFail(db, db.query(Book.$gtype).filter(dune.and(null)),
        Gorm.Error.FAILED, 'second operand');
    await assertRunnersFail(db, db.query(Book.$gtype).filter(dune.or(null)),
        Gorm.Error.FAILED, 'gorm_filter_or()');
    // A later good filter does not make the query run.
    await assertRunnersFail(db, db.query(Book.$gtype).filter(null).filter(dune),
        Gorm.Error.FAILED, 'no filter');
    // The operand given is still usable.
    assertEqual(db.query(Book.$gtype).filter(dune).count(null), 1);
});

test('bad filters and orders fail every runner', async () => {
    const db = library();
    await assertRunnersFail(db, db.query(Book.$gtype).filter(Gorm.Filter.eq('author', 'x')),
        Gorm.Error.UNKNOWN_PROPERTY, 'author');
    await assertRunnersFail(db, db.query(Book.$gtype).filter(Gorm.Filter.eq('pages', 'many')),
        Gorm.Error.TYPE_MISMATCH, 'many');
    await assertRunnersFail(db, db.query(Book.$gtype).filter(Gorm.Filter.like('pages', '4%')),
        Gorm.Error.TYPE_MISMATCH, 'pages');
    await assertRunnersFail(db, db.query(Book.$gtype).order_by('author', true),
        Gorm.Error.UNKNOWN_PROPERTY, 'author');
    // The first mistake is the one reported.
    await assertRunnersFail(db,
        db.query(Book.$gtype).filter(Gorm.Filter.eq('pages', 'many')).order_by('author', true),
        Gorm.Error.TYPE_MISMATCH, 'many');
});

// SQLite's own limit on a LIKE pattern; PostgreSQL has none.
if (engine === 'sqlite') {
    test('a statement SQLite refuses is an error from every runner', async () => {
        const db = library();
        const query = db.query(Book.$gtype).filter(Gorm.Filter.like('title', 'D'.repeat(50001)));
        await assertRunnersFail(db, query, Gorm.Error.FAILED, 'LIKE or GLOB pattern too complex');
        assertEqual(db.query(Book.$gtype).filter(Gorm.Filter.like('title', 'D'.repeat(50000))).count(null), 0);
    });
}

test('in with 100,000 values', async () => {
    const db = library();
    const wanted = Array.from({length: 100000}, (_, i) => `title ${i}`);
    wanted.push('Emma', 'Dune');
    // Its speed is bench/bench-in's to measure; a quadratic binding would
    // exceed the suite's time limit by hours.
    const query = db.query(Book.$gtype).filter(Gorm.Filter.in('title', wanted)).order_by('title', false);
    assertEqual(titles(await query.fetch_async(null)), ['Dune', 'Emma']);
    const pages = Array.from({length: 100000}, (_, i) => 1000 + i);
    pages.push(324);
    assertEqual(db.query(Book.$gtype).filter(Gorm.Filter.in('pages', pages)).delete(null), 1);
    assertEqual(db.query(Book.$gtype).count(null), 3);
});

await run();
