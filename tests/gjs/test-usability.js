// SPDX-License-Identifier: LGPL-2.1-or-later
// gjs as its users expect it: optional cancellables, camelCase names in
// filters and orders, class metadata refused on an unregistered class,
// transactions whose JavaScript runs on the main thread, a transaction
// that lets the main loop run, tables made on first use, and errors in
// JavaScript's names.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray, jsMessage} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase, openDatabaseAsync,
    freshUri} from './harness.js';

const Author = defineModel('UsAuthor', {
    name: {type: String, unique: true, maxLength: 10},
});

const Book = defineModel('UsBook', {
    title: String,
    rating: 'int',
    pubDate: {type: String, null: true},
    author: {foreignKey: Author, onDelete: Gorm.OnDelete.CASCADE, null: true},
});

// What a message in JavaScript's names never holds.
const C_INTERNALS = /gchararray|gint|guint|gdouble|gboolean|\bGorm[A-Z]|##|::g|::null|\bgorm_\w+\(\)|Gjs_|:rating|:name\b|pub-date|author-id/;

function checkJsMessage(error, ...expected) {
    assert(!C_INTERNALS.test(error.message), `C internals in “${error.message}”`);
    for (const text of expected)
        assert(error.message.includes(text), `“${text}” not in “${error.message}”`);
    assert(typeof error.cMessage === 'string' && error.cMessage !== '', 'no cMessage');
    assert(!error.cMessage.includes('##'), `libgda parameters in “${error.cMessage}”`);
}

test('the cancellable is optional, sync, promise and callback forms', async () => {
    const db = await Gorm.Database.open_async(freshUri());
    await db.migrate_async([Author.$gtype]);
    const a = new Author({database: db, name: 'a'});
    assert(await a.save_async());
    assert(a.save());
    assertEqual(db.query(Author.$gtype).count(), 1);
    assertEqual(await db.query(Author.$gtype).count_async(), 1);
    const loop = GLib.MainLoop.new(null, false);
    let counted = null;
    db.query(Author.$gtype).count_async((query, res) => {
        counted = query.count_finish(res);
        loop.quit();
    });
    loop.run();
    assertEqual(counted, 1);
    // An explicit null still works.
    assertEqual(await db.query(Author.$gtype).count_async(null), 1);
    assert(await db.close_async());
});

test('filters, orders and updates take camelCase names', async () => {
    const db = await openDatabaseAsync(Author, Book);
    const author = new Author({database: db, name: 'Ann'});
    await author.save_async();
    for (const [title, pubDate] of [['b', '2024'], ['a', '2025'], ['c', null]])
        await new Book({database: db, title, pubDate, author}).save_async();
    const books = toArray(await db.query(Book.$gtype)
        .filter(Gorm.Filter.is_not_null('pubDate'))
        .order_by('pubDate', true).fetch_async());
    assertEqual(books.map(b => b.title), ['a', 'b']);
    assertEqual(await db.query(Book.$gtype).filter(Gorm.Filter.eq('authorId', author.id))
        .count_async(), 3);
    assertEqual(await db.query(Book.$gtype).filter(Gorm.Filter.eq('author.name', 'Ann'))
        .count_async(), 3);
    const value = new GObject.Value();
    value.init(GObject.TYPE_STRING);
    value.set_string('2026');
    assertEqual(await db.query(Book.$gtype).filter(Gorm.Filter.is_null('pubDate'))
        .update_async('pubDate', value), 1);
    const rows = await db.query(Book.$gtype).select_properties(['pubDate'])
        .order_by('pubDate', false).fetch_rows_async();
    assertEqual(rows.get_item(2).toObject().pub_date, '2026');
    // A name no field has is still refused, named as written.
    const e = await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => db.query(Book.$gtype).filter(Gorm.Filter.eq('pubDay', '1')).count_async());
    checkJsMessage(e, 'UsBook', 'pubDay');
});

test('class metadata from a static block: refused before registration, the way around works', () => {
    let error = null;
    try {
        GObject.registerClass({
            Properties: {
                title: GObject.ParamSpec.string('title', '', '', GObject.ParamFlags.READWRITE, null),
            },
        }, class UsEarly extends Gorm.Resource {
            static {
                Gorm.Resource.set_max_length.call(this, 'title', 3);
            }
        });
    } catch (e) {
        error = e;
    }
    assert(error instanceof TypeError, `${error}`);
    assert(/UsEarly, which is not registered yet/.test(error.message), error.message);
    assert(/GObject\.registerClass\(this\) first/.test(error.message), error.message);
    try {
        Gorm.Resource.set_max_length('title', 3);
        assert(false, 'Gorm.Resource itself took metadata');
    } catch (e) {
        assert(e instanceof TypeError && /Gorm\.Resource itself/.test(e.message), `${e}`);
    }

    class UsLate extends Gorm.Resource {
        static [GObject.GTypeName] = 'UsLate';
        static [GObject.properties] = {
            title: GObject.ParamSpec.string('title', '', '', GObject.ParamFlags.READWRITE, null),
        };

        static {
            GObject.registerClass(this);
            Gorm.Resource.set_max_length.call(this, 'title', 3);
        }
    }
    const db = openDatabase(UsLate);
    const e = (() => {
        try {
            new UsLate({database: db, title: 'long'}).save();
        } catch (caught) {
            return caught;
        }
        return null;
    })();
    assert(e !== null && e.matches(Gorm.Error, Gorm.Error.VALIDATION), `${e}`);
    checkJsMessage(e, 'UsLate.title', '3');
});

test('run_in_transaction_async runs JavaScript on the main thread, both forms', async () => {
    const db = await openDatabaseAsync(Author);
    const mainThread = GLib.MainContext.default().is_owner();
    assert(mainThread);
    let owner = null;
    assert(await db.run_in_transaction_async(d => {
        owner = GLib.MainContext.default().is_owner();
        new Author({database: d, name: 'p'}).save();
        return true;
    }));
    assertEqual(owner, true);

    const loop = GLib.MainLoop.new(null, false);
    let result = null;
    db.run_in_transaction_async(d => {
        owner = GLib.MainContext.default().is_owner();
        new Author({database: d, name: 'c'}).save();
        return true;
    }, (d, res) => {
        result = d.run_in_transaction_finish(res);
        loop.quit();
    });
    loop.run();
    assertEqual(result, true);
    assertEqual(owner, true);

    // A failure reaches the callback form's finish.
    let failure = null;
    db.run_in_transaction_async(d => {
        new Author({database: d, name: 'x'}).save();
        new Author({database: d, name: 'p'}).save();
        return true;
    }, null, (d, res) => {
        try {
            d.run_in_transaction_finish(res);
        } catch (e) {
            failure = e;
        }
        loop.quit();
    });
    loop.run();
    assert(failure !== null && failure.matches(Gorm.Error, Gorm.Error.CONSTRAINT), `${failure}`);
    assertEqual(await db.query(Author.$gtype).count_async(), 2);
});

test('transactionAsync lets the main loop run, commits, and rolls back on an exception', async () => {
    const db = await openDatabaseAsync(Author);
    let ticks = 0;
    const timer = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 1, () => {
        ticks++;
        return GLib.SOURCE_CONTINUE;
    });
    const n = await db.transactionAsync(async d => {
        for (let i = 0; i < 20; i++)
            await new Author({database: d, name: `n${i}`}).save_async();
        await new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, 20, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        }));
        assertEqual(d.get_transaction_depth(), 1);
        return d.query(Author.$gtype).count_async();
    });
    GLib.source_remove(timer);
    assertEqual(n, 20);
    assert(ticks > 0, 'the main loop did not run during the transaction');
    assertEqual(db.get_transaction_depth(), 0);

    let thrown = null;
    try {
        await db.transactionAsync(async d => {
            await new Author({database: d, name: 'gone'}).save_async();
            throw new Error('changed my mind');
        });
    } catch (e) {
        thrown = e;
    }
    assert(thrown instanceof Error && thrown.message === 'changed my mind', `${thrown}`);
    assertEqual(db.get_transaction_depth(), 0);
    assertEqual(await db.query(Author.$gtype).filter(Gorm.Filter.eq('name', 'gone'))
        .count_async(), 0);

    // A database error inside rolls back too, and is thrown as itself.
    const e = await assertGormError(Gorm.Error.CONSTRAINT, () => db.transactionAsync(async d => {
        await new Author({database: d, name: 'once'}).save_async();
        await new Author({database: d, name: 'n0'}).save_async();
    }));
    checkJsMessage(e, 'UsAuthor');
    assertEqual(await db.query(Author.$gtype).filter(Gorm.Filter.eq('name', 'once'))
        .count_async(), 0);
    await assertGormError(Gorm.Error.VALIDATION, () => db.transactionAsync(async () => {
        throw new GLib.Error(Gorm.error_quark(), Gorm.Error.VALIDATION, 'mine');
    }));
    let typeError = null;
    try {
        await db.transactionAsync(null);
    } catch (caught) {
        typeError = caught;
    }
    assert(typeError instanceof TypeError, `${typeError}`);
});

test('tables are made on first use, as in Python', async () => {
    const FirstUse = defineModel('UsFirstUse', {label: String, size: 'int'});
    const db = await openDatabaseAsync();
    assert(!db.is_migrated(FirstUse.$gtype));
    await new FirstUse({database: db, label: 'a', size: 1}).save_async();
    assert(db.is_migrated(FirstUse.$gtype));
    assertEqual(await db.query(FirstUse.$gtype).count_async(), 1);

    const Sync = defineModel('UsFirstUseSync', {label: String});
    const other = openDatabase();
    new Sync({database: other, label: 'b'}).save();
    assertEqual(other.query(Sync.$gtype).count(), 1);
    const Queried = defineModel('UsFirstUseQuery', {label: String});
    assertEqual(await other.query(Queried.$gtype).count_async(), 0);
    const Got = defineModel('UsFirstUseGet', {label: String});
    await assertGormError(Gorm.Error.NOT_FOUND, () => other.get_async(Got.$gtype, 1));
    assert(other.is_migrated(Got.$gtype));
});

test('errors speak JavaScript, the C message kept as cMessage', async () => {
    const db = await openDatabaseAsync(Author, Book);
    const author = new Author({database: db, name: 'a'});
    await author.save_async();
    const cases = [
        [Gorm.Error.TYPE_MISMATCH, () => new Book({database: db, title: 'x', rating: 2 ** 40}),
            ['UsBook.rating', "an 'int' field (32 bits)", '1099511627776']],
        [Gorm.Error.VALIDATION, () => new Book({database: db, title: 'x'}).set_null('rating'),
            ['UsBook.rating', "'int' field", '{null: true}']],
        [Gorm.Error.CONSTRAINT, () => new Author({database: db, name: 'a'}).save_async(),
            ['UsAuthor']],
        [Gorm.Error.CONSTRAINT, () => new Book({database: db, title: 'x', authorId: 999}).save_async(),
            ['UsBook.authorId', '999', 'UsAuthor']],
        [Gorm.Error.VALIDATION, () => new Author({database: db, name: 'a'.repeat(11)}).save(),
            ['UsAuthor.name', '10']],
        [Gorm.Error.NOT_FOUND, () => db.get_async(Book.$gtype, 42), ['UsBook', '42']],
        [Gorm.Error.UNKNOWN_PROPERTY, () => db.query(Book.$gtype).order_by('nopeField', false)
            .fetch_async(), ['UsBook', '“nopeField”']],
        [Gorm.Error.TYPE_MISMATCH, () => db.query(Book.$gtype)
            .filter(Gorm.Filter.eq('rating', 'abc')).count_async(),
        ['the string "abc"', 'UsBook.rating']],
        [Gorm.Error.CONNECTION, () => new Book({title: 'no database'}).save(),
            ['UsBook', 'db.set_default()']],
    ];
    for (const [code, action, expected] of cases) {
        // eslint-disable-next-line no-await-in-loop
        const e = await assertGormError(code, action);
        checkJsMessage(e, ...expected);
    }
    db.close();
    const e = await assertGormError(Gorm.Error.CONNECTION,
        () => db.query(Author.$gtype).count_async());
    checkJsMessage(e, 'closed');
    // The translation itself.
    assertEqual(jsMessage('Cannot store NULL in UsBook:pub-date, a gchararray property'),
        'Cannot store NULL in UsBook.pubDate, a String field');
});

await run();
