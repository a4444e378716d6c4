// SPDX-License-Identifier: LGPL-2.1-or-later
// The JavaScript examples of doc/relations.md run as written, in order, as
// one async function given Gorm, GLib, defineModel, toArray and an open
// database (a separate file from test-relations.js, whose models have the
// same type names).

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, openDatabase} from './harness.js';

test('the examples of doc/relations.md run as written', async () => {
    const file = Gio.File.new_for_uri(import.meta.url).get_parent()
        .resolve_relative_path('../../doc/relations.md');
    const [, bytes] = file.load_contents(null);
    const text = new TextDecoder().decode(bytes);
    const blocks = [...text.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map(m => m[1]);
    assert(blocks.length > 0, 'doc/relations.md has JavaScript examples');
    const db = openDatabase();
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    await new AsyncFunction('Gorm', 'GLib', 'defineModel', 'toArray', 'db', blocks.join('\n'))(
        Gorm, GLib, defineModel, toArray, db);
});

await run();
