// SPDX-License-Identifier: LGPL-2.1-or-later
// defineModel: properties, metadata, names and types.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, propertyName} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

const BlogPost = defineModel('BlogPost', {
    title: {type: String, maxLength: 200},
    content: String,
    pubDate: {type: GLib.DateTime, autoNowAdd: true},
});

const Item = defineModel('Item', {
    name: {type: String, unique: true, notNull: true, indexed: true},
    count: 'int',
    big: 'int64',
    ratio: Number,
    active: Boolean,
    tags: Array,
    blob: GLib.Bytes,
    label: {type: String, column: 'label_text'},
    scratch: {type: String, transient: true},
    touched: {type: GLib.DateTime, autoNow: true},
}, {table: 'items'});

test('class is a registered Gorm.Resource subclass', () => {
    assert(GObject.type_is_a(BlogPost.$gtype, Gorm.Resource.$gtype));
    assertEqual(GObject.type_name(BlogPost.$gtype), 'BlogPost');
    const post = new BlogPost({title: 'T'});
    assert(post instanceof Gorm.Resource);
    assertEqual(post.id, 0);
    assertEqual(post.is_saved(), false);
});

test('camelCase fields are dashed properties', () => {
    assertEqual(propertyName('pubDate'), 'pub-date');
    assertEqual(propertyName('pub_date'), 'pub-date');
    assert(BlogPost.find_property('pub-date') !== null);
    const post = new BlogPost();
    const now = GLib.DateTime.new_now_utc();
    post.pubDate = now;
    assertEqual(post.pub_date.to_unix(), now.to_unix());
});

test('properties notify', () => {
    const post = new BlogPost();
    const seen = [];
    post.connect('notify::title', () => seen.push(post.title));
    post.title = 'a';
    post.title = 'b';
    assertEqual(seen, ['a', 'b']);
});

test('maxLength is validated before SQL', async () => {
    const db = openDatabase(BlogPost);
    const post = new BlogPost({database: db, title: 'x'.repeat(201)});
    await assertGormError(Gorm.Error.VALIDATION, () => post.save(null));
    assert(!post.is_saved());
    post.title = 'x'.repeat(200);
    assert(post.save(null));
});

test('autoNowAdd sets the date on first save only', () => {
    const db = openDatabase(BlogPost);
    const post = new BlogPost({database: db, title: 'x'});
    assertEqual(post.pubDate, null);
    post.save(null);
    const first = post.pubDate;
    assert(first !== null);
    post.title = 'y';
    post.save(null);
    assertEqual(post.pubDate.to_unix(), first.to_unix());
});

test('table, column name, transient, every type round-trips', async () => {
    const db = openDatabase(Item);
    const bytes = new GLib.Bytes([1, 2, 3]);
    const item = new Item({database: db, name: 'n', count: 3, big: 2 ** 40,
        ratio: 0.25, active: true, tags: ['a', 'b'], blob: bytes,
        label: 'L', scratch: 'not stored'});
    item.save(null);
    assert(item.touched !== null, 'autoNow');
    // The column has its own name, and a transient property has none.
    assertEqual(db.execute("UPDATE items SET label_text = 'M'", [], null), 1);
    await assertGormError(Gorm.Error.FAILED, () => db.execute('UPDATE items SET scratch = 1', [], null));
    item.scratch = 'changed';
    item.reload(null);
    assertEqual(item.label, 'M');
    assertEqual(item.scratch, 'changed');
    assertEqual(item.count, 3);
    assertEqual(item.big, 2 ** 40);
    assertEqual(item.ratio, 0.25);
    assertEqual(item.active, true);
    assertEqual(item.tags, ['a', 'b']);
    assertEqual([...item.blob.get_data()], [1, 2, 3]);
});

test('unique and notNull are constraints', async () => {
    const db = openDatabase(Item);
    new Item({database: db, name: 'one'}).save(null);
    await assertGormError(Gorm.Error.CONSTRAINT,
        () => new Item({database: db, name: 'one'}).save(null));
    await assertGormError(Gorm.Error.CONSTRAINT,
        () => new Item({database: db}).save(null));
});

test('unknown options and types are refused', () => {
    let thrown = null;
    try {
        defineModel('Bad1', {x: {type: String, maxLen: 3}});
    } catch (e) {
        thrown = e;
    }
    assert(thrown instanceof TypeError && /maxLen/.test(thrown.message), `${thrown}`);
    thrown = null;
    try {
        defineModel('Bad2', {x: Symbol});
    } catch (e) {
        thrown = e;
    }
    assert(thrown instanceof TypeError, `${thrown}`);
    thrown = null;
    try {
        defineModel('X', {x: String});
    } catch (e) {
        thrown = e;
    }
    assert(thrown instanceof TypeError && /three/.test(thrown.message), `${thrown}`);
});

test('class metadata stays callable on the class', () => {
    const Note = defineModel('Note', {body: String});
    Note.set_max_length('body', 3);
    const db = openDatabase(Note);
    return assertGormError(Gorm.Error.VALIDATION,
        () => new Note({database: db, body: 'long'}).save(null));
});

await run();
