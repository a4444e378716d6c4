// SPDX-License-Identifier: LGPL-2.1-or-later
// A watched query follows saves and deletes with exact items-changed.

import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assertEqual, openDatabase} from './harness.js';

const Task = defineModel('Task', {
    name: String,
    done: Boolean,
});

function record(model) {
    const changes = [];
    model.connect('items-changed', (m, position, removed, added) =>
        changes.push([position, removed, added]));
    return changes;
}

const names = model => toArray(model).map(t => t.name);

// A live model is given committed changes from the main loop.
function drain() {
    const context = GLib.MainContext.default();
    while (context.iteration(false))
        ;
}

test('rows entering, moving and leaving the filter', () => {
    const db = openDatabase(Task);
    const b = new Task({database: db, name: 'b'});
    b.save(null);
    const live = db.query(Task.$gtype).filter(Gorm.Filter.eq('done', false))
        .order_by('name', false).watch(null);
    const changes = record(live);
    assertEqual(live.get_n_items(), 1);

    const a = new Task({database: db, name: 'a'});
    a.save(null);
    assertEqual(changes.length, 0);
    drain();
    assertEqual(changes.pop(), [0, 0, 1]);
    assertEqual(names(live), ['a', 'b']);

    a.name = 'c';
    a.save(null);
    drain();
    assertEqual(names(live), ['b', 'c']);
    changes.length = 0;

    b.done = true;
    b.save(null);
    drain();
    assertEqual(changes, [[0, 1, 0]]);
    assertEqual(names(live), ['c']);

    a.delete(null);
    drain();
    assertEqual(live.get_n_items(), 0);
});

test('a live model follows async saves too', async () => {
    const db = openDatabase(Task);
    const live = await db.query(Task.$gtype).order_by('name', true).watch_async(null);
    const changes = record(live);
    await new Task({database: db, name: 'x'}).save_async(null);
    await new Task({database: db, name: 'y'}).save_async(null);
    assertEqual(changes, [[0, 0, 1], [0, 0, 1]]);
    assertEqual(names(live), ['y', 'x']);
    await db.query(Task.$gtype).filter(Gorm.Filter.eq('name', 'y')).first(null).delete_async(null);
    assertEqual(names(live), ['x']);
});

test('a model read before a change is delivered shows what it said', () => {
    const db = openDatabase(Task);
    const tasks = [];
    for (const name of ['a', 'b', 'c']) {
        const task = new Task({database: db, name});
        task.save(null);
        tasks.push(task);
    }
    const live = db.query(Task.$gtype).order_by('name', false).watch(null);
    const changes = record(live);

    // Nothing is emitted from inside the writes; every item is there.
    tasks[1].delete(null);
    new Task({database: db, name: '0'}).save(null);
    assertEqual(changes.length, 0);
    assertEqual(live.get_n_items(), 3);
    for (let i = 0; i < 3; i++)
        assertEqual(live.get_item(i) instanceof Task, true);
    assertEqual(live.get_item(0).name, 'a');
    assertEqual(live.get_item(2).name, 'c');

    drain();
    assertEqual(changes.length, 1);
    assertEqual(names(live), ['0', 'a', 'c']);
});

await run();
