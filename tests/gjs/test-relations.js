// SPDX-License-Identifier: LGPL-2.1-or-later
// Relations from gjs: foreign keys and many-to-many declared by
// defineModel, the related object through a promise, reverse sets and
// many-to-many links as queries, eager loading and on_delete.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

const Question = defineModel('Question', {
    questionText: {type: String, maxLength: 200},
    pubDate: GLib.DateTime,
});

const Choice = defineModel('Choice', {
    question: {foreignKey: Question, onDelete: Gorm.OnDelete.CASCADE},
    choiceText: {type: String, maxLength: 200},
    votes: 'int',
});

const Tag = defineModel('Tag', {
    name: {type: String, unique: true},
});

const Post = defineModel('Post', {
    title: String,
    tags: {manyToMany: Tag},
});

const Author = defineModel('Author', {
    name: String,
});

const Book = defineModel('Book', {
    author: {foreignKey: Author, onDelete: Gorm.OnDelete.PROTECT, relatedName: 'books'},
    title: String,
});

// One-to-one: a unique foreign key; its reverse is one object.
const Profile = defineModel('Profile', {
    author: {foreignKey: Author, onDelete: Gorm.OnDelete.CASCADE, unique: true},
    bio: String,
});

// A natural string key: the foreign key to it is a string property.
const Country = defineModel('Country', {
    code: {type: String, primaryKey: true, maxLength: 2},
    name: String,
});

const Currency = defineModel('Currency', {
    code: {type: String, primaryKey: true, maxLength: 3},
    countries: {manyToMany: Country, relatedName: 'currencies'},
});

const City = defineModel('City', {
    country: {foreignKey: Country, onDelete: Gorm.OnDelete.CASCADE},
    name: String,
});

const Reader = defineModel('Reader', {
    name: String,
    favourites: {manyToMany: 'Book', relatedName: 'fans'},
});

// A tree: a nullable foreign key to the model itself.
const Category = defineModel('Category', {
    name: String,
    parent: {foreignKey: 'self', onDelete: Gorm.OnDelete.SET_NULL, null: true,
        relatedName: 'children'},
});

// SET_NULL on a key that cannot be NULL: migrate refuses it.
const Broken = defineModel('Broken', {
    question: {foreignKey: Question, onDelete: Gorm.OnDelete.SET_NULL},
});

const ALL = [Category, Profile, Question, Choice, Tag, Post, Author, Book, Country, Currency, City, Reader];

function when(iso) {
    return GLib.DateTime.new_from_iso8601(iso, null);
}

async function pollWithChoices(db, text, choices) {
    const q = new Question({database: db, questionText: text,
        pubDate: when('2026-12-05T10:00:00Z')});
    await q.save_async(null);
    const saved = [];
    for (const [choiceText, votes] of choices) {
        const c = new Choice({database: db, question: q, choiceText, votes});
        // eslint-disable-next-line no-await-in-loop
        await c.save_async(null);
        saved.push(c);
    }
    return [q, saved];
}

test('a foreign key field is the key property of the relation', () => {
    const pspec = Choice.find_property('question-id');
    assert(pspec !== null, 'Choice has question-id');
    assertEqual(pspec.value_type, GObject.TYPE_INT64);
    assertEqual(Choice.find_property('question'), null);
    const key = City.find_property('country-id');
    assertEqual(key.value_type, GObject.TYPE_STRING);
    // A many-to-many field is no property.
    assertEqual(Post.find_property('tags'), null);
    assertEqual(Post.find_property('tags-id'), null);
});

test('the related object by promise, cached, through the identity map', async () => {
    const db = openDatabase(...ALL);
    const [q, [c]] = await pollWithChoices(db, "What's up?", [['Not much', 0]]);
    assertEqual(c.questionId, q.id);
    assertEqual(c.question_id, q.id);
    const promise = c.getRelatedAsync('question');
    assert(promise instanceof Promise);
    assert(await promise === q, 'the same object as the saved question');
    assert(c.peek_related('question') === q);
    assert(await c.get_related_async('question', null) === q);
    assert(c.get_related('question', null) === q);
});

test('the related object of a row loaded from the database', async () => {
    const db = openDatabase(...ALL);
    db.execute("INSERT INTO question (question_text) VALUES ('Loaded')", [], null);
    const qid = db.query(Question.$gtype).first(null).id;
    db.execute(`INSERT INTO choice (question_id, choice_text, votes) VALUES (${qid}, 'x', 2)`, [], null);
    const c = await db.query(Choice.$gtype).first_async(null);
    const q = await c.getRelatedAsync('question');
    assert(q instanceof Question);
    assertEqual(q.questionText, 'Loaded');
    assertEqual(q.id, qid);
});

test('a string primary key is the type of the key that refers to it', async () => {
    const db = openDatabase(...ALL);
    const fr = new Country({database: db, code: 'FR', name: 'France'});
    await fr.save_async(null);
    const paris = new City({database: db, country: fr, name: 'Paris'});
    assertEqual(paris.countryId, 'FR');
    await paris.save_async(null);
    assert(await paris.getRelatedAsync('country') === fr);
    assertEqual(toArray(await fr.query_related('city_set').fetch_async(null)).map(c => c.name),
        ['Paris']);
});

test('many-to-many between string keys, linked by promise', async () => {
    const db = openDatabase(...ALL);
    const fr = new Country({database: db, code: 'FR', name: 'France'});
    const ch = new Country({database: db, code: 'CH', name: 'Switzerland'});
    const eur = new Currency({database: db, code: 'EUR'});
    const chf = new Currency({database: db, code: 'CHF'});
    for (const o of [fr, ch, eur, chf])
        // eslint-disable-next-line no-await-in-loop
        await o.save_async(null);
    // The keys are read on the calling thread: a JavaScript property is
    // never read on the database's worker.
    assert(await eur.link_async('countries', fr, null));
    assert(await chf.link_async('countries', ch, null));
    assert(await eur.link_async('countries', ch, null));
    assertEqual(toArray(await ch.query_related('currencies').order_by('code', false)
        .fetch_async(null)).map(c => c.code), ['CHF', 'EUR']);
    assert(await eur.unlink_async('countries', ch, null));
    assertEqual(toArray(await ch.query_related('currencies').fetch_async(null)).map(c => c.code),
        ['CHF']);
    assert(await eur.clear_links_async('countries', null));
    assertEqual(await fr.query_related('currencies').count_async(null), 0);
});

test('set_related and the constructor take the object', async () => {
    const db = openDatabase(...ALL);
    const [q1] = await pollWithChoices(db, 'One', []);
    const [q2] = await pollWithChoices(db, 'Two', []);
    const c = new Choice({database: db, question: q1, choiceText: 'c'});
    assertEqual(c.questionId, q1.id);
    assert(c.set_related('question', q2));
    assertEqual(c.questionId, q2.id);
    await c.save_async(null);
    assert(await c.getRelatedAsync('question') === q2);
    // Changing the key forgets the cached object.
    c.questionId = q1.id;
    assert(await c.getRelatedAsync('question') === q1);
});

test('a reverse relation is a query: fetch, filter, order and watch', async () => {
    const db = openDatabase(...ALL);
    const [q] = await pollWithChoices(db, 'Q', [['a', 1], ['b', 5], ['c', 3]]);
    await pollWithChoices(db, 'Other', [['z', 9]]);
    const query = q.query_related('choice_set');
    assert(query instanceof Gorm.Query);
    assertEqual(await q.query_related('choice_set').count_async(null), 3);
    const byVotes = toArray(await q.query_related('choice_set')
        .order_by('votes', true).fetch_async(null));
    assertEqual(byVotes.map(c => c.choiceText), ['b', 'c', 'a']);
    const popular = await q.query_related('choice_set')
        .filter(Gorm.Filter.gt('votes', 2)).count_async(null);
    assertEqual(popular, 2);

    const live = await q.query_related('choice_set').order_by('votes', false).watch_async(null);
    assertEqual(live.get_n_items(), 3);
    const changes = [];
    live.connect('items-changed', (_m, pos, removed, added) => changes.push([pos, removed, added]));
    await new Choice({database: db, question: q, choiceText: 'd', votes: 4}).save_async(null);
    await new Choice({database: db, question: await db.query(Question.$gtype)
        .filter(Gorm.Filter.eq('question-text', 'Other')).first_async(null),
    choiceText: 'elsewhere', votes: 2}).save_async(null);
    assertEqual(toArray(live).map(c => c.choiceText), ['a', 'c', 'd', 'b']);
    assertEqual(changes, [[2, 0, 1]]);
});

test('relatedName names the reverse relation', async () => {
    const db = openDatabase(...ALL);
    const author = new Author({database: db, name: 'Le Guin'});
    await author.save_async(null);
    for (const title of ['The Dispossessed', 'Earthsea']) {
        // eslint-disable-next-line no-await-in-loop
        await new Book({database: db, author, title}).save_async(null);
    }
    assertEqual(toArray(await author.query_related('books').order_by('title', false)
        .fetch_async(null)).map(b => b.title), ['Earthsea', 'The Dispossessed']);
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => author.query_related('book_set').fetch_async(null));
});

test('many-to-many: link, unlink, clear, both directions', async () => {
    const db = openDatabase(...ALL);
    const [gnome, gjs, vala] = ['gnome', 'gjs', 'vala'].map(name => new Tag({database: db, name}));
    for (const t of [gnome, gjs, vala])
        // eslint-disable-next-line no-await-in-loop
        await t.save_async(null);
    const post = new Post({database: db, title: 'Hello'});
    const other = new Post({database: db, title: 'Other'});
    await post.save_async(null);
    await other.save_async(null);

    const tags = await post.query_related('tags').order_by('name', false).watch_async(null);
    assertEqual(tags.get_n_items(), 0);
    assert(await post.link_async('tags', gnome, null));
    assert(await post.link_async('tags', gjs, null));
    // Twice is no error and no second row.
    assert(await post.link_async('tags', gjs, null));
    assert(await other.link_async('tags', gnome, null));
    assertEqual(toArray(tags).map(t => t.name), ['gjs', 'gnome']);
    assertEqual(await post.query_related('tags').count_async(null), 2);
    assertEqual(toArray(await gnome.query_related('post_set').order_by('title', false)
        .fetch_async(null)).map(p => p.title), ['Hello', 'Other']);

    assert(await post.unlink_async('tags', gnome, null));
    // A missing link is no error either.
    assert(await post.unlink_async('tags', vala, null));
    assertEqual(toArray(tags).map(t => t.name), ['gjs']);
    assert(await post.clear_links_async('tags', null));
    assertEqual(tags.get_n_items(), 0);
    assertEqual(await gnome.query_related('post_set').count_async(null), 1);

    // The synchronous forms.
    assert(post.link('tags', vala, null));
    assertEqual(await vala.query_related('post_set').count_async(null), 1);
    assert(post.unlink('tags', vala, null));
    assertEqual(await vala.query_related('post_set').count_async(null), 0);
});

test('one-to-one: a unique key, whose reverse is one object', async () => {
    const db = openDatabase(...ALL);
    const author = new Author({database: db, name: 'Ursula'});
    await author.save_async(null);
    assertEqual(await author.getRelatedAsync('profile'), null);
    const profile = new Profile({database: db, author, bio: 'Writer'});
    await profile.save_async(null);
    assert(await profile.getRelatedAsync('author') === author);
    assert(await author.getRelatedAsync('profile') === profile);
    const second = new Profile({database: db, author, bio: 'Twice'});
    await assertGormError(Gorm.Error.CONSTRAINT, () => second.save_async(null));
});

test('many-to-many to a model named by its type name, with relatedName', async () => {
    const db = openDatabase(...ALL);
    const author = new Author({database: db, name: 'A'});
    await author.save_async(null);
    const book = new Book({database: db, author, title: 'B'});
    await book.save_async(null);
    const reader = new Reader({database: db, name: 'R'});
    await reader.save_async(null);
    await reader.link_async('favourites', book, null);
    assertEqual(toArray(await book.query_related('fans').fetch_async(null)).map(r => r.name), ['R']);
});

test('select_related loads the related object in the same fetch', async () => {
    const db = openDatabase(...ALL);
    // Rows written in SQL: no Question object is alive to be peeked.
    db.execute("INSERT INTO question (question_text) VALUES ('Joined')", [], null);
    db.execute("INSERT INTO choice (question_id, choice_text, votes) SELECT id, 'c', 1 FROM question", [], null);
    const plain = toArray(await db.query(Choice.$gtype).fetch_async(null));
    assertEqual(plain.length, 1);
    assertEqual(plain[0].peek_related('question'), null);

    const db2 = openDatabase(...ALL);
    db2.execute("INSERT INTO question (question_text) VALUES ('Joined')", [], null);
    db2.execute("INSERT INTO choice (question_id, choice_text, votes) SELECT id, 'c', 1 FROM question", [], null);
    for (const model of [
        await db2.query(Choice.$gtype).select_related('question').fetch_async(null),
        await db2.query(Choice.$gtype).select_related('question').watch_async(null),
    ]) {
        const choices = toArray(model);
        assertEqual(choices.length, 1);
        const q = choices[0].peek_related('question');
        assert(q instanceof Question, 'select_related filled the cache');
        assertEqual(q.questionText, 'Joined');
    }
    const first = await db2.query(Choice.$gtype).select_related('question').first_async(null);
    assertEqual(first.peek_related('question').questionText, 'Joined');
});

test('prefetch_related loads reverse and many-to-many relations', async () => {
    const db = openDatabase(...ALL);
    db.execute("INSERT INTO question (question_text) VALUES ('A'), ('B')", [], null);
    db.execute("INSERT INTO choice (question_id, choice_text, votes) SELECT id, question_text || '1', 0 FROM question", [], null);
    db.execute("INSERT INTO choice (question_id, choice_text, votes) SELECT id, question_text || '2', 0 FROM question WHERE question_text = 'A'", [], null);
    db.execute("INSERT INTO tag (name) VALUES ('t1'), ('t2')", [], null);
    db.execute("INSERT INTO post (title) VALUES ('p')", [], null);
    const post = db.query(Post.$gtype).first(null);
    for (const t of toArray(db.query(Tag.$gtype).fetch(null)))
        post.link('tags', t, null);

    // Not prefetched: null.
    const plain = toArray(await db.query(Question.$gtype).fetch_async(null));
    assert(plain.every(q => q.peek_prefetched('choice_set') === null));

    // The model that fetched them keeps what was prefetched: it is kept here
    // while its items are used.
    const questionModel = await db.query(Question.$gtype).order_by('question-text', false)
        .prefetch_related('choice_set').fetch_async(null);
    const questions = toArray(questionModel);
    assertEqual(questions.map(q => toArray(q.peek_prefetched('choice_set')).map(c => c.choiceText)),
        [['A1', 'A2'], ['B1']]);

    const postModel = await db.query(Post.$gtype).prefetch_related('tags').fetch_async(null);
    const posts = toArray(postModel);
    assertEqual(toArray(posts[0].peek_prefetched('tags')).map(t => t.name), ['t1', 't2']);
    // A first() keeps its own.
    const first = await db.query(Post.$gtype).prefetch_related('tags').first_async(null);
    assertEqual(first.peek_prefetched('tags').get_n_items(), 2);
});

test('on_delete CASCADE deletes the choices and drops them from memory and models', async () => {
    const db = openDatabase(...ALL);
    const [q, choices] = await pollWithChoices(db, 'Doomed', [['a', 0], ['b', 0]]);
    const [kept] = await pollWithChoices(db, 'Kept', [['k', 0]]);
    const live = await db.query(Choice.$gtype).watch_async(null);
    assertEqual(live.get_n_items(), 3);
    let deleted = 0;
    db.connect('resource-deleted', (_db, r) => {
        if (r instanceof Choice)
            deleted++;
    });
    await q.delete_async(null);
    assertEqual(await db.query(Choice.$gtype).count_async(null), 1);
    assert(choices.every(c => !c.is_saved()), 'the loaded choices are deleted');
    assertEqual(live.get_n_items(), 1);
    assertEqual(deleted, 2);
    assertEqual(await kept.query_related('choice_set').count_async(null), 1);
});

test('on_delete PROTECT refuses with the Gorm.Error code and deletes nothing', async () => {
    const db = openDatabase(...ALL);
    const author = new Author({database: db, name: 'Kept'});
    await author.save_async(null);
    await new Book({database: db, author, title: 'One'}).save_async(null);
    const e = await assertGormError(Gorm.Error.CONSTRAINT, () => author.delete_async(null));
    assert(e.message.includes('Book'), e.message);
    assert(author.is_saved());
    assertEqual(await db.query(Author.$gtype).count_async(null), 1);
    // The next call works.
    await db.query(Book.$gtype).delete_async(null);
    assert(await author.delete_async(null));
});

test('errors are exceptions with their Gorm.Error code', async () => {
    const db = openDatabase(...ALL);
    const [q, [c]] = await pollWithChoices(db, 'Q', [['c', 0]]);
    const unsaved = new Question({database: db, questionText: 'unsaved'});
    await assertGormError(Gorm.Error.VALIDATION, () => c.set_related('question', unsaved));
    assertEqual(c.questionId, q.id, 'unchanged');
    await assertGormError(Gorm.Error.VALIDATION,
        () => new Choice({database: db, question: unsaved}));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY, () => c.getRelatedAsync('answer'));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY, () => c.get_related('answer', null));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => q.query_related('answer_set').fetch_async(null));
    // The wrong type of object.
    const tag = new Tag({database: db, name: 'x'});
    await tag.save_async(null);
    await assertGormError(Gorm.Error.TYPE_MISMATCH, () => c.set_related('question', tag));
    const post = new Post({database: db, title: 'p'});
    await post.save_async(null);
    await assertGormError(Gorm.Error.TYPE_MISMATCH, () => post.link_async('tags', q, null));
    await assertGormError(Gorm.Error.VALIDATION,
        () => post.link_async('tags', new Tag({database: db, name: 'unsaved'}), null));
    const unsavedPost = new Post({database: db, title: 'unsaved'});
    await assertGormError(Gorm.Error.VALIDATION, () => unsavedPost.link_async('tags', tag, null));
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY, () => post.link_async('labels', tag, null));
    // A key that points at no row: the database refuses it.
    const orphan = new Choice({database: db, questionId: 999999, choiceText: 'orphan'});
    const e = await assertGormError(Gorm.Error.CONSTRAINT, () => orphan.save_async(null));
    assert(e.message.includes('Choice'), e.message);
    assert(!orphan.is_saved());
    assertEqual(await db.query(Choice.$gtype).count_async(null), 1);
});

test('a nullable foreign key to the model itself, SET_NULL', async () => {
    const db = openDatabase(...ALL);
    const root = new Category({database: db, name: 'root'});
    assertEqual(root.parentId, null);
    await root.save_async(null);
    assert(root.is_null('parent-id'));
    assertEqual(await root.getRelatedAsync('parent'), null);
    const child = new Category({database: db, name: 'child', parent: root});
    assertEqual(child.parentId, root.id);
    await child.save_async(null);
    assert(await child.getRelatedAsync('parent') === root);
    assertEqual(toArray(await root.query_related('children').fetch_async(null)).map(c => c.name),
        ['child']);

    // null through set_related, the constructor and the key itself.
    assert(child.set_related('parent', null));
    assertEqual(child.parentId, null);
    assertEqual(await child.getRelatedAsync('parent'), null);
    child.parentId = root.id;
    assert(await child.getRelatedAsync('parent') === root);
    assertEqual(new Category({database: db, name: 'orphan', parent: null}).parentId, null);
    await child.save_async(null);

    // Deleting the parent sets the key NULL, in the database and in memory.
    await root.delete_async(null);
    assertEqual(child.parentId, null);
    assert(child.is_null('parent-id'));
    assert(await child.reload_async(null));
    assertEqual(child.parentId, null);
    assertEqual(await child.getRelatedAsync('parent'), null);

    // A key that cannot be NULL refuses null.
    const [, [c]] = await pollWithChoices(db, 'Q', [['c', 0]]);
    await assertGormError(Gorm.Error.VALIDATION, () => c.set_related('question', null));
    await assertGormError(Gorm.Error.VALIDATION, () => {
        c.questionId = null;
    });
});

test('SET_NULL on a key that cannot be NULL fails migrate', async () => {
    const db = openDatabase();
    const e = await assertGormError(Gorm.Error.MIGRATION,
        () => db.migrate_async([Question.$gtype, Broken.$gtype], null));
    assert(e.message.includes('Broken.questionId') && e.message.includes('{null: true}'), e.message);
});

test('defineModel refuses a malformed relation', () => {
    const refuses = (fields, what) => {
        try {
            defineModel(`Bad${Math.floor(Math.random() * 1e9)}`, fields);
        } catch (e) {
            assert(e instanceof TypeError, `${what}: ${e}`);
            return e;
        }
        throw new Error(`${what}: accepted`);
    };
    assert(refuses({q: {foreignKey: Question}}, 'no onDelete').message.includes('onDelete'));
    refuses({q: {foreignKey: Question, onDelete: 42}}, 'a bad onDelete');
    refuses({q: {foreignKey: GLib.DateTime, onDelete: Gorm.OnDelete.CASCADE}}, 'not a model');
    refuses({q: {foreignKey: 'NoSuchModel', onDelete: Gorm.OnDelete.CASCADE}}, 'unknown name');
    refuses({t: {manyToMany: Tag, onDelete: Gorm.OnDelete.CASCADE}}, 'manyToMany with onDelete');
    refuses({t: {manyToMany: Tag, foreignKey: Tag}}, 'both kinds');
    refuses({q: {foreignKey: Question, onDelete: Gorm.OnDelete.CASCADE, colour: 1}}, 'unknown option');
    assert(refuses({question: {foreignKey: Question, onDelete: Gorm.OnDelete.CASCADE},
        questionId: 'int64'}, 'the key twice').message.includes('question-id'));
    refuses({question_id: 'int64',
        question: {foreignKey: Question, onDelete: Gorm.OnDelete.CASCADE}}, 'the key twice, first');
});

await run();
