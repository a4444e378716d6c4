// SPDX-License-Identifier: LGPL-2.1-or-later
// Expressions from gjs: F() and its arithmetic in filters, orders and bulk
// updates (update_expressions_async, which loaded objects and live models
// follow), date parts, and enums compared by value.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray, F, Value, Sum} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

const Item = defineModel('Item', {
    name: String,
    votes: 'int',
    downvotes: 'int64',
    price: Number,
    quantity: 'int',
    kind: Gio.FileType.$gtype,
    added: GLib.DateTime,
});

const ITEMS = [
    // name, votes, downvotes, price, quantity, kind, added (UTC)
    ['apple', 10, 2, 2.5, 40, Gio.FileType.REGULAR, [2024, 1, 31, 23, 30, 0]],
    ['pear', 3, 5, 12, 10, Gio.FileType.DIRECTORY, [2024, 2, 1, 0, 15, 0]],
    ['plum', 7, 7, 0.5, 100, Gio.FileType.MOUNTABLE, [2023, 12, 31, 8, 0, 0]],
    ['fig', 0, 1, 40, 3, Gio.FileType.SHORTCUT, [2024, 2, 3, 17, 45, 30]],
];

function shop() {
    const db = openDatabase(Item);
    const items = ITEMS.map(([name, votes, downvotes, price, quantity, kind, added]) => {
        const item = new Item({database: db, name, votes, downvotes, price, quantity, kind,
            added: GLib.DateTime.new_utc(...added)});
        item.save(null);
        return item;
    });
    return {db, items};
}

function names(model) {
    return toArray(model).map(i => i.name);
}

async function namesWhere(db, filter) {
    return names(await db.query(Item.$gtype).filter(filter).order_by('name', false).fetch_async(null));
}

test('comparisons of expressions filter', async () => {
    const {db} = shop();
    assertEqual(await namesWhere(db, F('votes').gt(F('downvotes'))), ['apple']);
    assertEqual(await namesWhere(db, F('votes').ge(F('downvotes'))), ['apple', 'plum']);
    assertEqual(await namesWhere(db, F('votes').eq(F('downvotes'))), ['plum']);
    // price * quantity >= 100: apple 100, pear 120, plum 50, fig 120.
    assertEqual(await namesWhere(db, F('price').multiply(F('quantity')).ge(100)),
        ['apple', 'fig', 'pear']);
    // Constants as plain values or Value(), through Gorm.Filter.compare.
    assertEqual(await namesWhere(db, F('votes').add(1).lt(5)), ['fig', 'pear']);
    assertEqual(await namesWhere(db, Gorm.Filter.compare(F('votes').subtract(F('downvotes')),
        Gorm.Comparison.NE, Value(0))), ['apple', 'fig', 'pear']);
    // Integer division truncates, as both engines do.
    assertEqual(await namesWhere(db, F('votes').divide(3).eq(3)), ['apple']);
    assertEqual(await namesWhere(db, F('price').divide(2).eq(6)), ['pear']);
    // Combined with the other filters.
    assertEqual(await namesWhere(db, F('votes').gt(F('downvotes')).or(Gorm.Filter.eq('name', 'fig'))),
        ['apple', 'fig']);
});

test('orders by an expression', async () => {
    const {db} = shop();
    const byScore = db.query(Item.$gtype)
        .order_by_expression(F('votes').subtract(F('downvotes')), true);
    assertEqual(names(await byScore.fetch_async(null)), ['apple', 'plum', 'fig', 'pear']);
    const byTotal = db.query(Item.$gtype)
        .order_by_expression(F('price').multiply(F('quantity')), false)
        .order_by('name', false);
    assertEqual(names(byTotal.fetch(null)), ['plum', 'apple', 'fig', 'pear']);
});

test('update_expressions_async writes in one statement; objects and live models follow', async () => {
    const {db, items} = shop();
    const [apple, pear] = items;
    const live = await db.query(Item.$gtype).order_by('votes', true).watch_async(null);
    assertEqual(names(live), ['apple', 'plum', 'pear', 'fig']);

    // The tutorial's vote: votes = votes + 1, here for the pear only.
    const n = await db.query(Item.$gtype).filter(Gorm.Filter.eq('name', 'pear'))
        .update_expressions_async(['votes'], [F('votes').add(1)], null);
    assertEqual(n, 1);
    assertEqual(pear.votes, 4, 'the loaded object has the computed value');
    assert(!pear.is_dirty(), 'and is clean');

    // Several properties, an expression and a constant; the pear passes
    // the plum in the live model.
    assertEqual(await db.query(Item.$gtype).filter(Gorm.Filter.eq('name', 'pear'))
        .update_expressions_async(['votes', 'price'], [F('votes').multiply(2), Value(11)], null), 1);
    assertEqual([pear.votes, pear.price], [8, 11]);
    assertEqual(names(live), ['apple', 'pear', 'plum', 'fig']);

    // Every row, synchronously.
    assertEqual(db.query(Item.$gtype).update_expressions(['downvotes'],
        [F('downvotes').add(F('votes'))], null), 4);
    assertEqual(apple.downvotes, 12);
    apple.reload(null);
    assertEqual(apple.downvotes, 12);
    assertEqual(db.query(Item.$gtype).filter(F('downvotes').eq(F('votes').multiply(2))).count(null), 1);
});

test('bad expressions are Gorm.Errors and change nothing', async () => {
    const {db, items} = shop();
    const query = () => db.query(Item.$gtype);
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => query().filter(F('colour').gt(1)).fetch_async(null));
    const mismatch = await assertGormError(Gorm.Error.TYPE_MISMATCH,
        () => query().filter(F('name').add(1).gt(2)).count(null));
    assert(mismatch.message.includes('name'), `"${mismatch.message}" names the property`);
    await assertGormError(Gorm.Error.TYPE_MISMATCH,
        () => query().update_expressions_async(['votes'], [Value('many')], null));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => query().update_expressions_async(['colour'], [F('votes')], null));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => query().order_by_expression(F('colour'), false).fetch_async(null));
    // An aggregate in an update or an order of an ungrouped query.
    await assertGormError(Gorm.Error.VALIDATION,
        () => query().update_expressions_async(['votes'], [Sum('votes')], null));
    await assertGormError(Gorm.Error.VALIDATION,
        () => query().order_by_expression(Sum('votes'), false).fetch(null));
    // A date part of what is no date.
    await assertGormError(Gorm.Error.TYPE_MISMATCH,
        () => query().filter(F('votes').date_part(Gorm.DatePart.YEAR).eq(2024)).count(null));
    assertEqual(items.map(i => i.votes), [10, 3, 7, 0], 'nothing changed');
    assertEqual(toArray(query().order_by('name', false).fetch(null)).map(i => i.votes), [10, 0, 3, 7]);

    let threw = false;
    try {
        F('votes').add(undefined);
    } catch (e) {
        threw = e instanceof TypeError;
    }
    assert(threw, 'undefined is no operand');
});

test('date parts filter in UTC', async () => {
    const {db} = shop();
    const added = F('added');
    const part = p => added.date_part(Gorm.DatePart[p]);
    assertEqual(await namesWhere(db, part('YEAR').eq(2024)), ['apple', 'fig', 'pear']);
    assertEqual(await namesWhere(db, part('YEAR').lt(2024)), ['plum']);
    assertEqual(await namesWhere(db, part('MONTH').eq(2)), ['fig', 'pear']);
    assertEqual(await namesWhere(db, part('DAY').eq(31)), ['apple', 'plum']);
    // 2024-02-03 is a Saturday (7), 2024-01-31 a Wednesday (4).
    assertEqual(await namesWhere(db, part('WEEK_DAY').eq(7)), ['fig']);
    assertEqual(await namesWhere(db, part('WEEK_DAY').eq(4)), ['apple']);
    assertEqual(await namesWhere(db, part('HOUR').ge(17)), ['apple', 'fig']);
    assertEqual(await namesWhere(db, part('MINUTE').eq(15)), ['pear']);
    assertEqual(await namesWhere(db, part('SECOND').eq(30)), ['fig']);
    // DATE compares the UTC day of a GLib.DateTime, whatever its time.
    assertEqual(await namesWhere(db, part('DATE').eq(GLib.DateTime.new_utc(2024, 2, 1, 13, 0, 0))),
        ['pear']);
    assertEqual(await namesWhere(db, part('DATE').ge(GLib.DateTime.new_utc(2024, 2, 1, 0, 0, 0))),
        ['fig', 'pear']);
    // A part in a computed column.
    const months = toArray(await db.query(Item.$gtype).select('month', part('MONTH'))
        .order_by('name', false).fetch_rows_async(null)).map(r => r.toObject().month);
    assertEqual(months, [1, 2, 2, 12]);
});

test('enums compare and order by their values, stored by nick', async () => {
    const {db} = shop();
    // REGULAR 1 < DIRECTORY 2 < SHORTCUT 5 < MOUNTABLE 6; by nick the
    // order would be directory, mountable, regular, shortcut.
    assertEqual(await namesWhere(db, Gorm.Filter.gt('kind', Gio.FileType.REGULAR)),
        ['fig', 'pear', 'plum']);
    assertEqual(await namesWhere(db, Gorm.Filter.le('kind', Gio.FileType.DIRECTORY)),
        ['apple', 'pear']);
    assertEqual(await namesWhere(db, F('kind').ge(Gio.FileType.SHORTCUT)), ['fig', 'plum']);
    assertEqual(names(await db.query(Item.$gtype).order_by('kind', true).fetch_async(null)),
        ['plum', 'fig', 'pear', 'apple']);
    const stored = toArray(db.select("SELECT kind FROM item WHERE name = 'plum'", [], null));
    assertEqual(stored[0].toObject().kind, 'mountable');
});

await run();
