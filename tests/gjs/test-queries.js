// SPDX-License-Identifier: LGPL-2.1-or-later
// Filters, ordering, paging and the bulk runners of Gorm.Query.

import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

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

await run();
