// SPDX-License-Identifier: LGPL-2.1-or-later
// The JavaScript examples of a guide page (or of one section of it) run as
// written, in order, as one async function given Gorm, GLib, the helpers
// of gorm.js and an open database:
//
//     gjs -m test-doc-examples.js PAGE.md [HEADING]
//
// PAGE.md is relative to the source tree; HEADING is a heading of any
// level, whose section ends at the next heading of its level or above.
// What the examples print is compared with their `// prints "…"`
// comments, in order. Each page runs in its own process, since pages
// declare models of the same type names.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import System from 'system';
import * as GormJS from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, openDatabase} from './harness.js';

const [page, heading] = System.programArgs;

// The lines of @text under @heading, up to the next heading of its level
// or above; lines in ``` blocks are no headings.
function sectionOf(text, title) {
    const lines = text.split('\n');
    let start = -1, level = 0, fenced = false;
    for (const [number, line] of lines.entries()) {
        if (line.startsWith('```')) {
            fenced = !fenced;
            continue;
        }
        const match = fenced ? null : /^(#+) (.*)$/.exec(line);
        if (match === null)
            continue;
        if (start < 0 && match[2] === title) {
            start = number;
            level = match[1].length;
        } else if (start >= 0 && match[1].length <= level) {
            return lines.slice(start, number).join('\n');
        }
    }
    assert(start >= 0, `${page} has no section "${title}"`);
    return lines.slice(start).join('\n');
}

test(`the examples of ${page}${heading ? ` ("${heading}")` : ''} run as written`, async () => {
    const file = Gio.File.new_for_uri(import.meta.url).get_parent()
        .resolve_relative_path(`../../${page}`);
    const [, bytes] = file.load_contents(null);
    let text = new TextDecoder().decode(bytes);
    if (heading)
        text = sectionOf(text, heading);
    const blocks = [...text.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map(m => m[1]);
    assert(blocks.length > 0, `${page} has JavaScript examples`);
    const code = blocks.join('\n');
    const expected = [...code.matchAll(/\/\/ prints "(.*)"$/gm)].map(m => m[1]);

    const printed = [];
    const db = openDatabase();
    const helpers = {Gorm, GLib, db, print: (...args) => printed.push(args.join(' ')), ...GormJS};
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    await new AsyncFunction(...Object.keys(helpers), code)(...Object.values(helpers));
    assertEqual(printed, expected, 'what the examples print');
});

await run();
