// SPDX-License-Identifier: LGPL-2.1-or-later
// Many objects at once from gjs: bulk_insert_async and bulk_update_async
// take JavaScript arrays of resources; ids, saved state, the identity map,
// live models and resource-saved follow; a failure changes nothing.

import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

const Post = defineModel('Post', {
    title: {type: String, maxLength: 20},
    slug: {type: String, unique: true},
    views: 'int',
    score: {type: Number, null: true},
});

const Author = defineModel('Author', {
    name: String,
});

function drain() {
    const context = GLib.MainContext.default();
    while (context.iteration(false))
        ;
}

function posts(db, n, from = 0) {
    return Array.from({length: n}, (_, i) => new Post({database: db,
        title: `post ${from + i}`, slug: `p${from + i}`, views: from + i,
        score: i % 2 ? null : i / 4}));
}

test('bulk_insert_async inserts an array, sets ids, keeps the objects', async () => {
    const db = openDatabase(Post, Author);
    const live = await db.query(Post.$gtype).order_by('views', false).watch_async(null);
    const created = [];
    db.connect('resource-saved', (_db, resource, isNew) => created.push([resource, isNew]));

    const batch = posts(db, 1500);
    assertEqual(await db.bulk_insert_async(batch, null), true);
    const ids = batch.map(p => p.id);
    assert(ids.every(id => id > 0), 'every object has its id');
    assertEqual(new Set(ids).size, 1500, 'distinct ids');
    assert(batch.every(p => p.is_saved() && !p.is_dirty()), 'saved and clean');
    // The identity map holds them: a fetch gives the same objects.
    const fetched = toArray(await db.query(Post.$gtype).order_by('views', false).fetch_async(null));
    assertEqual(fetched.length, 1500);
    assert(fetched.every((p, i) => p === batch[i]), 'the same objects');
    assert(db.get(Post.$gtype, batch[7].id, null) === batch[7], 'get gives the object');
    assertEqual(fetched[1].score, null);
    assertEqual(fetched[2].score, 0.5);

    drain();
    assertEqual(live.get_n_items(), 1500, 'the live model follows');
    assert(live.get_item(0) === batch[0], 'in order');
    assertEqual(created.length, 1500, 'resource-saved for each');
    assert(created.every(([r, isNew], i) => isNew && r === batch[i]), 'created, in order');

    // The synchronous form, and an empty array.
    const more = posts(db, 2, 1500);
    assertEqual(db.bulk_insert(more, null), true);
    assert(more[1].id > more[0].id && more[0].id > batch[1499].id, 'ids follow');
    assertEqual(db.bulk_insert([], null), true);
    assertEqual(db.query(Post.$gtype).count(null), 1502);
});

test('a failed bulk insert inserts nothing and leaves the objects', async () => {
    const db = openDatabase(Post, Author);
    const first = posts(db, 1);
    await db.bulk_insert_async(first, null);

    // The slug p0 is taken: CONSTRAINT, none of the three is inserted.
    const clash = posts(db, 3);
    await assertGormError(Gorm.Error.CONSTRAINT, () => db.bulk_insert_async(clash, null));
    assert(clash.every(p => p.id === 0 && !p.is_saved() && p.is_dirty()), 'left unsaved');
    assertEqual(db.query(Post.$gtype).count(null), 1);

    // Caught before any SQL: a saved object, two types, a bad value.
    await assertGormError(Gorm.Error.VALIDATION,
        () => db.bulk_insert_async([...posts(db, 1, 10), first[0]], null));
    await assertGormError(Gorm.Error.TYPE_MISMATCH,
        () => db.bulk_insert_async([...posts(db, 1, 20), new Author({database: db, name: 'a'})], null));
    const long = posts(db, 2, 30);
    long[1].title = 'a title far too long for twenty';
    const error = await assertGormError(Gorm.Error.VALIDATION, () => db.bulk_insert(long, null));
    assert(error.message.includes('title'), `"${error.message}" names the property`);
    assert(long.every(p => !p.is_saved()), 'nothing saved');
    assertEqual(db.query(Post.$gtype).count(null), 1);

    // The clashing objects insert once the clash is gone.
    clash[0].slug = 'fresh';
    await db.bulk_insert_async(clash, null);
    assertEqual(db.query(Post.$gtype).count(null), 4);
});

test('bulk_update_async writes the properties named, in few statements', async () => {
    const db = openDatabase(Post, Author);
    const batch = posts(db, 300);
    await db.bulk_insert_async(batch, null);
    const live = await db.query(Post.$gtype).order_by('views', true).watch_async(null);
    for (const [i, post] of batch.entries()) {
        post.views = 1000 - i;
        post.title = `changed ${i}`;
    }
    batch[3].score = null;
    const n = await db.bulk_update_async(batch, ['views', 'score'], null);
    assertEqual(n, 300);
    // Written properties are clean; the title stays dirty and unwritten.
    assert(batch.every(p => p.is_dirty()), 'titles still dirty');
    const stored = toArray(db.select('SELECT title, views, score FROM post WHERE slug = ?', ['p3'], null));
    assertEqual(stored[0].toObject(), {title: 'post 3', views: 997, score: null});
    drain();
    assert(live.get_item(0) === batch[0], 'the live model follows the new order');
    assertEqual(db.query(Post.$gtype).filter(Gorm.Filter.ge('views', 701)).count(null), 300);

    assertEqual(db.bulk_update([batch[0], batch[1]], ['title'], null), 2);
    batch[0].reload(null);
    assertEqual(batch[0].title, 'changed 0');
});

test('bulk_update refuses bad input before any SQL', async () => {
    const db = openDatabase(Post, Author);
    const batch = posts(db, 2);
    await db.bulk_insert_async(batch, null);
    batch[0].views = 77;
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => db.bulk_update_async(batch, ['colour'], null));
    await assertGormError(Gorm.Error.VALIDATION,
        () => db.bulk_update_async([...batch, ...posts(db, 1, 9)], ['views'], null));
    await assertGormError(Gorm.Error.VALIDATION, () => db.bulk_update(batch, [], null));
    const author = new Author({database: db, name: 'x'});
    author.save(null);
    await assertGormError(Gorm.Error.TYPE_MISMATCH,
        () => db.bulk_update([batch[0], author], ['views'], null));
    assertEqual(db.query(Post.$gtype).filter(Gorm.Filter.eq('views', 77)).count(null), 0,
        'nothing written');
    assert(batch[0].is_dirty(), 'still dirty');
});

await run();
