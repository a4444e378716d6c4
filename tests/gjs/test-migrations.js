// SPDX-License-Identifier: LGPL-2.1-or-later
// Schema evolution from gjs: renamedFrom in defineModel, a Gorm.Migration
// with a version, JavaScript steps and its plan.

import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase, engine} from './harness.js';

const Kind = Gorm.MigrationChangeKind;
let serial = 0;

// Each version of a model is a class of its own over the same table.
function model(name, table, fields, options = {}) {
    serial++;
    return defineModel(`${name}${serial}`, fields, {table, ...options});
}

function columns(db, table) {
    const rows = engine === 'sqlite'
        ? db.select('SELECT name FROM pragma_table_info(?) ORDER BY cid', [table], null)
        : db.select('SELECT column_name FROM information_schema.columns ' +
            'WHERE table_name = ? ORDER BY ordinal_position', [table], null);
    return toArray(rows).map(row => row.get_value(0));
}

// Version 1 of a question table, migrated, with two rows.
function questionV1(db) {
    const Question = model('Question', 'question', {question: String, votes: 'int'});
    db.migrate([Question.$gtype], null);
    new Question({database: db, question: 'Why?', votes: 3}).save(null);
    new Question({database: db, question: 'How?', votes: 5}).save(null);
    return Question;
}

test('renamedFrom renames a field and a table, keeping the data', () => {
    const db = openDatabase();
    questionV1(db);
    const Poll = model('Poll', 'poll', {
        questionText: {type: String, renamedFrom: 'question'},
        votes: 'int',
    }, {renamedFrom: 'question'});
    const migration = Gorm.Migration.new(db, [Poll.$gtype]);
    const kinds = toArray(migration.plan(null)).map(c => c.get_kind());
    assert(kinds.includes(Kind.RENAME_TABLE), `${kinds}`);
    assert(kinds.includes(Kind.RENAME_COLUMN), `${kinds}`);
    assert(migration.run(null));
    assertEqual(columns(db, 'poll'), ['id', 'question_text', 'votes']);
    const how = db.query(Poll.$gtype).filter(Gorm.Filter.eq('votes', 5)).first(null);
    assertEqual(how.questionText, 'How?');
});

test('renamedFrom on a foreign key renames its key column', () => {
    const db = openDatabase();
    const Poll = model('Poll', 'poll', {title: String});
    const Choice = model('Choice', 'choice', {
        poll: {foreignKey: Poll, onDelete: Gorm.OnDelete.CASCADE},
        text: String,
    });
    db.migrate([Poll.$gtype, Choice.$gtype], null);
    const poll = new Poll({database: db, title: 'Lunch'});
    poll.save(null);
    new Choice({database: db, poll, text: 'Soup'}).save(null);
    const Choice2 = model('Choice', 'choice', {
        question: {foreignKey: Poll, onDelete: Gorm.OnDelete.CASCADE, renamedFrom: 'poll'},
        text: String,
    });
    db.migrate([Poll.$gtype, Choice2.$gtype], null);
    assertEqual(columns(db, 'choice'), ['id', 'question_id', 'text']);
    const soup = db.query(Choice2.$gtype).first(null);
    assertEqual(soup.questionId, poll.id);
});

test('an undeclared rename is refused and changes nothing', async () => {
    const db = openDatabase();
    questionV1(db);
    const Question = model('Question', 'question', {questionText: String, votes: 'int'});
    const e = await assertGormError(Gorm.Error.MIGRATION,
        () => db.migrate([Question.$gtype], null));
    assert(/question/.test(e.message), e.message);
    assertEqual(columns(db, 'question'), ['id', 'question', 'votes']);
});

test('bad renamedFrom is a TypeError', () => {
    for (const bad of [3, '']) {
        let error = null;
        try {
            model('Note', 'note', {text: {type: String, renamedFrom: bad}});
        } catch (e) {
            error = e;
        }
        assert(error instanceof TypeError, `${error}`);
        error = null;
        try {
            model('Note', 'note', {text: String}, {renamedFrom: bad});
        } catch (e) {
            error = e;
        }
        assert(error instanceof TypeError, `${error}`);
    }
});

test('version and steps, in order, once; the plan lists them', () => {
    const db = openDatabase();
    const Old = questionV1(db);
    const v1 = Gorm.Migration.new(db, [Old.$gtype]);
    v1.set_version(1);
    v1.run(null);
    assertEqual(db.get_schema_version(null), 1);
    const Question = model('Question', 'question', {
        question: String, votes: 'int', slug: String,
    });
    const calls = [];
    const migration = Gorm.Migration.new(db, [Question.$gtype]);
    migration.set_version(3);
    migration.step(3, database => {
        calls.push(3);
        assert(database === db);
    });
    migration.step(2, database => {
        calls.push(2);
        for (const q of toArray(database.query(Question.$gtype).fetch(null))) {
            q.slug = q.question.toLowerCase().replace('?', '');
            q.save(null);
        }
    });
    migration.add_step(2, Gorm.MigrationStage.BEFORE_CHANGES, (m, database, version) => {
        assert(m === migration);
        calls.push(`before ${version}: ${columns(database, 'question').includes('slug')}`);
    });
    const plan = toArray(migration.plan(null));
    assertEqual(calls, []);
    assertEqual(plan.filter(c => c.get_kind() === Kind.STEP).map(c => c.get_version()),
        [2, 2, 3]);
    const last = plan[plan.length - 1];
    assertEqual(last.get_kind(), Kind.SET_VERSION);
    assert(/^set version 1 → 3/.test(`${last}`), `${last}`);
    const added = plan.find(c => c.get_kind() === Kind.ADD_COLUMN);
    assert(`${added}`.startsWith('add column question.slug'), `${added}`);
    assert(migration.run(null));
    assertEqual(calls, ['before 2: false', 2, 3]);
    assertEqual(db.get_schema_version(null), 3);
    const how = db.query(Question.$gtype).filter(Gorm.Filter.eq('question', 'How?')).first(null);
    assertEqual(how.slug, 'how');
    calls.length = 0;
    migration.run(null);
    assertEqual(calls, []);
});

test('a step that throws rolls everything back; run() throws its exception', () => {
    const db = openDatabase();
    questionV1(db);
    const Question = model('Question', 'question', {
        question: String, votes: 'int', slug: String,
    });
    const migration = Gorm.Migration.new(db, [Question.$gtype]);
    migration.set_version(2);
    const boom = new RangeError('boom');
    migration.step(2, database => {
        database.execute('UPDATE question SET votes = 0', [], null);
        throw boom;
    });
    let error = null;
    try {
        migration.run(null);
    } catch (e) {
        error = e;
    }
    assert(error === boom, `${error}`);
    assertEqual(db.get_schema_version(null), 0);
    assertEqual(columns(db, 'question'), ['id', 'question', 'votes']);
    const votes = toArray(db.select('SELECT votes FROM question ORDER BY votes', [], null))
        .map(row => row.get_value(0));
    assertEqual(votes, [3, 5]);
});

test('run_async: on the worker without steps, on the main loop with them', async () => {
    const db = openDatabase();
    questionV1(db);
    const Question = model('Question', 'question', {
        question: String, votes: 'int', slug: String,
    });
    const plain = Gorm.Migration.new(db, [Question.$gtype]);
    plain.set_version(2);
    const plan = toArray(await plain.plan_async(null));
    assert(plan.some(c => c.get_kind() === Kind.ADD_COLUMN));
    const fractions = [];
    plain.connect('progress', (m, change, fraction) => fractions.push(fraction));
    assert(await plain.run_async(null));
    assertEqual(fractions[fractions.length - 1], 1);
    assertEqual(plain.get_fraction(), 1);
    assertEqual(await db.get_schema_version_async(null), 2);

    const Later = model('Question', 'question', {
        question: String, votes: 'int', slug: String, rank: 'int',
    });
    const stepped = Gorm.Migration.new(db, [Later.$gtype]);
    stepped.set_version(3);
    let onMainThread = false;
    stepped.step(3, database => {
        onMainThread = GLib.main_depth() > 0;
        database.execute('UPDATE question SET rank = votes', [], null);
    });
    let refused = null;
    try {
        stepped.run_async(null, () => {});
    } catch (e) {
        refused = e;
    }
    assert(refused instanceof Error && /worker thread/.test(refused.message), `${refused}`);
    assert(await stepped.run_async(null));
    assert(onMainThread);
    assertEqual(await db.get_schema_version_async(null), 3);
});

test('a newer database is refused and left untouched', async () => {
    const db = openDatabase();
    const Old = questionV1(db);
    const five = Gorm.Migration.new(db, [Old.$gtype]);
    five.set_version(5);
    five.run(null);
    const Newer = model('Question', 'question', {question: String, votes: 'int', extra: String});
    const three = Gorm.Migration.new(db, [Newer.$gtype]);
    three.set_version(3);
    let called = false;
    three.step(3, () => {
        called = true;
    });
    const e = await assertGormError(Gorm.Error.MIGRATION, () => three.run(null));
    assert(/5/.test(e.message) && /3/.test(e.message), e.message);
    assert(!called);
    assertEqual(db.get_schema_version(null), 5);
    assertEqual(columns(db, 'question'), ['id', 'question', 'votes']);
});

await run();
