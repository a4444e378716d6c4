// SPDX-License-Identifier: LGPL-2.1-or-later
// Every async call of the API returns a promise once gorm.js is imported.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabaseAsync, unreachableUri} from './harness.js';

const Song = defineModel('Song', {
    title: {type: String, maxLength: 20, unique: true},
    plays: 'int64',
    added: {type: GLib.DateTime, autoNowAdd: true},
});

async function openDatabase() {
    const db = await openDatabaseAsync();
    assert(db instanceof Gorm.Database);
    assert(await db.migrate_async([Song.$gtype], null));
    return db;
}

test('open, migrate, save, get, reload, delete', async () => {
    const db = await openDatabase();
    const song = new Song({database: db, title: 'Blue', plays: 3});
    const saved = song.save_async(null);
    assert(saved instanceof Promise);
    assert(await saved);
    assert(song.id > 0 && song.added !== null);
    assert(await db.get_async(Song.$gtype, song.id, null) === song);
    db.execute(`UPDATE song SET plays = 4 WHERE id = ${song.id}`, [], null);
    assert(await song.reload_async(null));
    assertEqual(song.plays, 4);
    assert(await song.delete_async(null));
    assert(!song.is_saved());
});

test('query runners', async () => {
    const db = await openDatabase();
    for (const [title, plays] of [['a', 1], ['b', 2], ['c', 3]])
        // eslint-disable-next-line no-await-in-loop
        await new Song({database: db, title, plays}).save_async(null);
    const q = () => db.query(Song.$gtype).order_by('plays', true);
    assertEqual(toArray(await q().fetch_async(null)).map(s => s.title), ['c', 'b', 'a']);
    assertEqual((await q().first_async(null)).title, 'c');
    assertEqual(await q().count_async(null), 3);
    assertEqual(await q().exists_async(null), true);
    assertEqual(await q().filter(Gorm.Filter.gt('plays', 1)).update_async('plays', 10, null), 2);
    assertEqual(await q().filter(Gorm.Filter.eq('plays', 10)).delete_async(null), 2);
    assertEqual((await q().watch_async(null)).get_n_items(), 1);
});

test('calls run in order and concurrently awaited', async () => {
    const db = await openDatabase();
    const songs = ['x', 'y', 'z'].map(title => new Song({database: db, title}));
    await Promise.all(songs.map(s => s.save_async(null)));
    assertEqual(await db.query(Song.$gtype).count_async(null), 3);
});

test('errors reject with the Gorm.Error code', async () => {
    const db = await openDatabase();
    await new Song({database: db, title: 'one'}).save_async(null);
    await assertGormError(Gorm.Error.CONSTRAINT,
        () => new Song({database: db, title: 'one'}).save_async(null));
    await assertGormError(Gorm.Error.VALIDATION,
        () => new Song({database: db, title: 'x'.repeat(21)}).save_async(null));
    await assertGormError(Gorm.Error.NOT_FOUND, () => db.get_async(Song.$gtype, 42, null));
    await assertGormError(Gorm.Error.CONNECTION,
        () => Gorm.Database.open_async(unreachableUri(), null));
});

test('a sync transaction with awaited async calls inside it', async () => {
    const db = await openDatabase();
    assert(db.begin(null));
    assert(await new Song({database: db, title: 'inside'}).save_async(null));
    assertEqual(await db.query(Song.$gtype).count_async(null), 1);
    assertEqual(db.get_transaction_depth(), 1);
    assert(db.rollback(null));
    assertEqual(await db.query(Song.$gtype).count_async(null), 0);

    assert(await db.begin_async(null));
    const kept = new Song({database: db, title: 'kept'});
    assert(await kept.save_async(null));
    assertEqual(await db.execute_async("UPDATE song SET plays = 9", [], null), 1);
    assert(await db.commit_async(null));
    assertEqual(db.get_transaction_depth(), 0);
    // Its id: 1 on SQLite, which reuses the rolled-back one; 2 on
    // PostgreSQL, whose sequence does not go back.
    const key = new GObject.Value();
    key.init(GObject.TYPE_INT64);
    key.set_int64(kept.id);
    assertEqual((await db.get_by_key_async(Song.$gtype, key, null)).plays, 9);
    assert(await db.close_async(null));
    assert(db.is_closed());
});

test('transactions', async () => {
    const db = await openDatabase();
    assert(await db.run_in_transaction_async(d => {
        new Song({database: d, title: 'kept'}).save(null);
        return true;
    }, null));
    await assertGormError(Gorm.Error.CONSTRAINT, () => db.run_in_transaction_async(d => {
        new Song({database: d, title: 'dropped'}).save(null);
        new Song({database: d, title: 'kept'}).save(null);
        return true;
    }, null));
    assertEqual(await db.query(Song.$gtype).count_async(null), 1);
});

test('cancellation', async () => {
    const db = await openDatabase();
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    try {
        await db.query(Song.$gtype).count_async(cancellable);
        assert(false, 'not cancelled');
    } catch (e) {
        assert(e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `${e}`);
    }
});

test('callback forms still work', async () => {
    const db = await openDatabase();
    const n = await new Promise((resolve, reject) => {
        db.query(Song.$gtype).count_async(null, (query, result) => {
            try {
                resolve(query.count_finish(result));
            } catch (e) {
                reject(e);
            }
        });
    });
    assertEqual(n, 0);
});

await run();
