// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The JavaScript side of tests/cross-language.sh's polls: a Question with
// Choices (a foreign key, CASCADE) and Tags (many-to-many), written in one
// language and read back, every column, in the others.
//
//     gjs -m polls.js URI write TEXT PUB-DATE TAG VOTES
//     gjs -m polls.js URI read
//
// tests/cross-language/polls.{c,py,vala} do exactly the same, with the
// same type names (Question, Choice, Tag: the tables and link columns
// derive from them) and the same output. gorm.js is found through
// $GORM_GJS_MODULE_DIR, else in the source tree.

import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import System from 'system';

const moduleDir = GLib.getenv('GORM_GJS_MODULE_DIR') ??
    GLib.build_filenamev([GLib.path_get_dirname(GLib.filename_from_uri(import.meta.url)[0]),
        '..', '..', 'bindings', 'gjs']);
const {defineModel, toArray, Count, Sum, Min, Max, Avg} = await import(GLib.filename_to_uri(
    GLib.canonicalize_filename(GLib.build_filenamev([moduleDir, 'gorm.js']), null), null));

const Tag = defineModel('Tag', {
    name: {type: String, unique: true},
});

const Question = defineModel('Question', {
    questionText: {type: String, maxLength: 200},
    pubDate: GLib.DateTime,
    rating: {type: 'int64', null: true},
    tags: {manyToMany: Tag},
});

const Choice = defineModel('Choice', {
    question: {foreignKey: Question, onDelete: Gorm.OnDelete.CASCADE},
    choiceText: {type: String, maxLength: 200},
    votes: 'int64',
    rank: {type: 'int64', null: true},
});

async function tagGetOrCreate(db, name) {
    let tag = await db.query(Tag.$gtype).filter(Gorm.Filter.eq('name', name)).first_async(null);
    if (tag === null) {
        tag = new Tag({database: db, name});
        await tag.save_async(null);
    }
    return tag;
}

async function write(db, text, pubDate, tagName, votes) {
    // The question's rating is NULL, and the rank of the second choice.
    const question = new Question({database: db, questionText: text,
        pubDate: GLib.DateTime.new_from_iso8601(pubDate, null), rating: null});
    await question.save_async(null);
    for (const [suffix, n, rank] of [['yes', votes, 1], ['no', votes + 1, null]]) {
        // eslint-disable-next-line no-await-in-loop
        await new Choice({database: db, question, choiceText: `${tagName} ${suffix}`, votes: n, rank})
            .save_async(null);
    }
    for (const name of ['shared', tagName])
        // eslint-disable-next-line no-await-in-loop
        await question.link_async('tags', await tagGetOrCreate(db, name), null);
    print(`Wrote question ${question.id}`);
}

// An optional number: "NULL" or its digits.
function formatOptional(value) {
    return value === null ? 'NULL' : String(value);
}

// A date-time in UTC, to the microsecond.
function formatDate(when) {
    return when === null ? 'NULL' : when.to_utc().format('%Y-%m-%dT%H:%M:%S.%fZ');
}

async function fetchOrdered(query, property) {
    return toArray(await query.order_by(property, false).fetch_async(null));
}

async function read(db) {
    for (const question of await fetchOrdered(db.query(Question.$gtype), 'id')) {
        // eslint-disable-next-line no-await-in-loop
        const tags = await fetchOrdered(question.query_related('tags'), 'name');
        print(`question ${question.id}: ${question.questionText} | ${formatDate(question.pubDate)} | ` +
            `rating ${formatOptional(question.rating)} | tags ${tags.map(t => t.name).join(', ')}`);
        // eslint-disable-next-line no-await-in-loop
        for (const choice of await fetchOrdered(question.query_related('choice_set'), 'id')) {
            // eslint-disable-next-line no-await-in-loop
            const of = await choice.getRelatedAsync('question');
            print(`  choice ${choice.id}: ${choice.choiceText} | ${choice.votes} votes | ` +
                `rank ${formatOptional(choice.rank)} | ` +
                `of question ${of.id}${of === question ? '' : ' (another object)'}`);
        }
    }
    for (const tag of await fetchOrdered(db.query(Tag.$gtype), 'name')) {
        // eslint-disable-next-line no-await-in-loop
        const questions = await fetchOrdered(tag.query_related('question_set'), 'id');
        print(`tag ${tag.id}: ${tag.name} | questions ${questions.map(q => q.id).join(', ')}`);
    }
    // The aggregates: each question annotated with its number of choices
    // and total of votes, then the votes of every choice.
    const annotated = await db.query(Question.$gtype)
        .annotate('n', Count('choice'))
        .annotate('votes', Sum('choice.votes'))
        .order_by('id', false)
        .fetch_rows_async(null);
    for (const row of toArray(annotated)) {
        const {n, votes} = row.toObject();
        print(`totals of question ${row.resource.id}: ${n} choices, ${votes} votes`);
    }
    const totals = await db.query(Choice.$gtype).aggregateAsync({
        n: Count(), total: Sum('votes'), least: Min('votes'), most: Max('votes'), average: Avg('votes'),
    });
    print(`votes: ${totals.n} choices, total ${totals.total}, least ${totals.least}, ` +
        `most ${totals.most}, average ${totals.average.toFixed(2)}`);
}

async function main(args) {
    const isWrite = args.length === 6 && args[1] === 'write';
    if (!isWrite && !(args.length === 2 && args[1] === 'read')) {
        printerr('Usage: polls.js URI write TEXT PUB-DATE TAG VOTES | URI read');
        return 2;
    }
    try {
        const db = await Gorm.Database.open_async(args[0], null);
        await db.migrate_async([Question.$gtype, Choice.$gtype, Tag.$gtype], null);
        if (isWrite)
            await write(db, args[2], args[3], args[4], Number(args[5]));
        else
            await read(db);
        db.close(null);
    } catch (e) {
        printerr(`polls.js: ${e.message}`);
        return 1;
    }
    return 0;
}

System.exit(await main(System.programArgs));
