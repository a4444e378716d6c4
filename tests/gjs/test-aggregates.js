// SPDX-License-Identifier: LGPL-2.1-or-later
// Aggregates, annotations, projections and raw selects from gjs: the
// promise forms of aggregate_async, fetch_rows_async and select_async, the
// Sum/Count/... helpers of gorm.js, and Gorm.Row read as a plain object.

import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import {defineModel, toArray, F, Count, Sum, Avg, Min, Max} from '../../bindings/gjs/gorm.js';
import {test, run, assert, assertEqual, assertGormError, openDatabase} from './harness.js';

const Question = defineModel('Question', {
    questionText: {type: String, maxLength: 200},
    pubDate: GLib.DateTime,
});

const Choice = defineModel('Choice', {
    question: {foreignKey: Question, onDelete: Gorm.OnDelete.CASCADE},
    choiceText: String,
    votes: 'int',
    ratio: Number,
});

// Three questions: "What's up?" with two choices (3 and 5 votes), "Best
// editor?" with three (7, 7 and 0), "Empty?" with none.
function polls() {
    const db = openDatabase(Question, Choice);
    const questions = [];
    for (const [text, choices] of [
        ["What's up?", [['Not much', 3], ['The sky', 5]]],
        ['Best editor?', [['vim', 7], ['emacs', 7], ['nano', 0]]],
        ['Empty?', []],
    ]) {
        const question = new Question({database: db, questionText: text,
            pubDate: GLib.DateTime.new_utc(2024, 3, 5, 12, 0, 0)});
        question.save(null);
        questions.push(question);
        for (const [choiceText, votes] of choices)
            new Choice({database: db, question, choiceText, votes, ratio: votes / 2}).save(null);
    }
    return {db, questions};
}

test('aggregate_async is a promise of one Gorm.Row', async () => {
    const {db} = polls();
    const query = db.query(Choice.$gtype)
        .select('n', Count())
        .select('total', Sum('votes'))
        .select('mean', Avg('votes'))
        .select('least', Min('votes'))
        .select('most', Max(F('votes')))
        .select('kinds', Count('votes', {distinct: true}))
        .select('half', Sum('ratio'));
    const row = await query.aggregate_async(null);
    assert(row instanceof Gorm.Row, 'a Gorm.Row');
    assertEqual(row.get_n_columns(), 7);
    assertEqual(row.get_column_name(0), 'n');
    assertEqual(row.find_column('total'), 1);
    assertEqual(row.find_column('nope'), -1);
    assertEqual(row.dup_value('nope'), null);
    assertEqual(row.get_resource(), null);
    assertEqual(row.toObject(), {n: 5, total: 22, mean: 4.4, least: 0, most: 7, kinds: 4, half: 11});
    assertEqual(typeof row.dup_value('total'), 'number');

    // The synchronous form gives the same.
    assertEqual(query.aggregate(null).toObject(), row.toObject());
});

test('aggregates over no rows: count 0, the others null', async () => {
    const {db} = polls();
    const row = await db.query(Choice.$gtype)
        .filter(Gorm.Filter.gt('votes', 100))
        .select('n', Count())
        .select('total', Sum('votes'))
        .select('mean', Avg('votes'))
        .select('most', Max('votes'))
        .aggregate_async(null);
    assertEqual(row.toObject(), {n: 0, total: null, mean: null, most: null});
});

test('aggregateAsync gives a plain object, as Django\'s aggregate()', async () => {
    const {db} = polls();
    const result = await db.query(Choice.$gtype)
        .filter(Gorm.Filter.eq('question.question_text', 'Best editor?'))
        .aggregateAsync({total: Sum('votes'), n: Count('id'), best: Max('votes')});
    assertEqual(result, {total: 14, n: 3, best: 7});
    // An aggregate across a relation, from the other side.
    const across = await db.query(Question.$gtype).aggregateAsync({votes: Sum('choice.votes')});
    assertEqual(across, {votes: 22});
});

test('annotate gives rows holding the object and its annotations', async () => {
    const {db, questions} = polls();
    const rows = toArray(await db.query(Question.$gtype)
        .annotate('n', Count('choice'))
        .annotate('total', Sum('choice.votes'))
        .order_by('id', false)
        .fetch_rows_async(null));
    assertEqual(rows.length, 3);
    for (const [i, row] of rows.entries()) {
        // The object comes through the identity map.
        assert(row.get_resource() === questions[i], `row ${i} holds question ${i}`);
        assert(row.resource === questions[i], 'the property "resource"');
    }
    assertEqual(rows.map(r => [r.resource.questionText, r.toObject().n, r.toObject().total]),
        [["What's up?", 2, 8], ['Best editor?', 3, 14], ['Empty?', 0, null]]);

    // Ordered and filtered by an annotation (HAVING).
    const busy = toArray(await db.query(Question.$gtype)
        .annotate('n', Count('choice'))
        .filter(Gorm.Filter.ge('n', 2))
        .order_by('n', true)
        .fetch_rows_async(null));
    assertEqual(busy.map(r => r.resource.questionText), ['Best editor?', "What's up?"]);
});

test('selects of properties and aggregates group by the properties', async () => {
    const {db} = polls();
    const rows = toArray(await db.query(Choice.$gtype)
        .select_properties(['question.question_text'])
        .select('n', Count())
        .select('total', Sum('votes'))
        .order_by('n', true)
        .fetch_rows_async(null)).map(r => r.toObject());
    assertEqual(rows, [
        {'question.question_text': 'Best editor?', n: 3, total: 14},
        {'question.question_text': "What's up?", n: 2, total: 8},
    ]);

    // HAVING through a selected aggregate's name.
    const big = toArray(db.query(Choice.$gtype)
        .select_properties(['question-id'])
        .select('total', Sum('votes'))
        .filter(Gorm.Filter.gt('total', 10))
        .fetch_rows(null));
    assertEqual(big.length, 1);
    assertEqual(big[0].toObject().total, 14);
});

test('projections and distinct', async () => {
    const {db} = polls();
    const projected = toArray(await db.query(Choice.$gtype)
        .select_properties(['choice-text', 'votes'])
        .filter(Gorm.Filter.lt('votes', 5))
        .order_by('votes', false)
        .fetch_rows_async(null)).map(r => r.toObject());
    assertEqual(projected, [{'choice-text': 'nano', votes: 0}, {'choice-text': 'Not much', votes: 3}]);

    const votes = toArray(await db.query(Choice.$gtype)
        .select_properties(['votes'])
        .distinct()
        .order_by('votes', false)
        .fetch_rows_async(null)).map(r => r.dup_value('votes'));
    assertEqual(votes, [0, 3, 5, 7]);

    // A computed column, named by the caller.
    const doubled = toArray(await db.query(Choice.$gtype)
        .select('double', F('votes').multiply(2))
        .order_by('votes', true)
        .limit(1)
        .fetch_rows_async(null));
    assertEqual(doubled[0].toObject(), {double: 14});
});

test('raw selects give rows, and resources through the identity map', async () => {
    const {db, questions} = polls();
    const rows = toArray(await db.select_async(
        'SELECT choice_text, votes FROM choice WHERE votes > ? ORDER BY votes, choice_text',
        [4], null)).map(r => r.toObject());
    assertEqual(rows, [
        {choice_text: 'The sky', votes: 5},
        {choice_text: 'emacs', votes: 7},
        {choice_text: 'vim', votes: 7},
    ]);
    const sync = toArray(db.select('SELECT COUNT(*) AS n, NULL AS missing FROM question', [], null));
    assertEqual(sync[0].toObject(), {n: 3, missing: null});

    const found = toArray(await db.select_resources_async(Question.$gtype,
        'SELECT * FROM question WHERE question_text LIKE ? ORDER BY id', ['%?'], null));
    assertEqual(found.length, 3);
    assert(found[0] === questions[0], 'the live object');
});

test('bad aggregates, selects and raw SQL are Gorm.Errors', async () => {
    const {db} = polls();
    await assertGormError(Gorm.Error.UNKNOWN_PROPERTY,
        () => db.query(Choice.$gtype).select('x', Sum('colour')).aggregate_async(null));
    await assertGormError(Gorm.Error.TYPE_MISMATCH,
        () => db.query(Choice.$gtype).select('x', Sum('choice-text')).aggregate(null));
    // aggregate() needs aggregates only.
    await assertGormError(Gorm.Error.VALIDATION,
        () => db.query(Choice.$gtype).select_properties(['votes']).aggregate_async(null));
    await assertGormError(Gorm.Error.VALIDATION,
        () => db.query(Choice.$gtype).aggregate_async(null));
    // An aggregate where no group is.
    await assertGormError(Gorm.Error.VALIDATION,
        () => db.query(Choice.$gtype).filter(Sum('votes').gt(3)).fetch_async(null));
    await assertGormError(Gorm.Error.VALIDATION,
        () => db.select_async('DELETE FROM choice', [], null));
    await assertGormError(Gorm.Error.VALIDATION,
        () => db.select_resources_async(Question.$gtype, 'SELECT id FROM question', [], null));
    assertEqual(db.query(Choice.$gtype).count(null), 5, 'nothing deleted');
    // The helpers refuse what is no expression before C sees it.
    let threw = false;
    try {
        Sum(3);
    } catch (e) {
        threw = e instanceof TypeError;
    }
    assert(threw, 'Sum(3) is a TypeError');
});

await run();
