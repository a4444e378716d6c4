// SPDX-License-Identifier: LGPL-2.1-or-later
//
// gjs sugar for libgorm: promise forms of the async calls and a compact
// model declaration on top of GObject.registerClass.
//
//     import GLib from 'gi://GLib';
//     import Gorm from 'gi://Gorm?version=1.0';
//     import {defineModel} from './gorm.js';   // see "Importing" below
//
//     const BlogPost = defineModel('BlogPost', {
//         title: {type: String, maxLength: 200},
//         content: String,
//         pubDate: {type: GLib.DateTime, autoNowAdd: true},
//     });
//
//     const db = await Gorm.Database.open_async('sqlite:blog.db');
//     await db.migrate_async([BlogPost.$gtype]);
//     const post = new BlogPost({database: db, title: 'My First Post'});
//     await post.save_async();
//     const posts = await db.query(BlogPost.$gtype)
//         .order_by('pubDate', false).fetch_async();
//
// Promises. Importing this module turns every `_async` method of the
// Gorm API into one that returns a promise when it is called without
// its callback, through Gio._promisify: `await post.save_async(null)`,
// `await db.get_async(BlogPost.$gtype, id, null)`,
// `await query.fetch_async()`, `await Gorm.Database.open_async(uri)` and
// so on. The last argument, the GCancellable, may be left out (in the
// synchronous calls too). Passed a callback, a method keeps its C
// behaviour, and the `_finish` methods stay. A failure rejects the
// promise with the GLib.Error of the synchronous call, so `try { await
// ... } catch (e) { e.matches(Gorm.Error, Gorm.Error.CONSTRAINT) }` works
// for both; its message is in JavaScript's names (`Note.pubDate`, an
// 'int' field) and `e.cMessage` keeps libgorm's. Property names are taken
// in camelCase everywhere a call takes one (`Gorm.Filter.eq('pubDate',
// d)`, `order_by('question.pubDate', true)`), and a model used on a
// database before any migration gets its table there on first use (libgorm
// itself does it, for every language). The promise completes in the
// main loop the database was opened in: run a GLib.MainLoop, or use
// `gjs -m`, whose top-level await runs one.
//
// Models. defineModel(name, fields, options) registers a subclass of
// Gorm.Resource with one GObject property per field and applies the
// class metadata (Gorm.Resource.set_max_length and friends) in one place.
// A field is a type or an object {type, ...metadata}. Types: String,
// Number (a double), Boolean, 'int' / 'int64' / 'uint' / 'uint64' / 'float'
// / 'double' / 'boolean' / 'string', GLib.DateTime, GLib.Bytes, Array (a
// GStrv), or the GType of an enum or flags type (e.g. Gio.FileType.$gtype),
// or any GObject.ParamSpec made by hand. Metadata keys: maxLength,
// unique, notNull, null, indexed, autoNowAdd, autoNow, column, transient,
// primaryKey, renamedFrom (the name the field had before: the migration
// renames its column, keeping its data), default (the property's default
// value), nick, blurb. A
// camelCase field name is the property `pub-date` (so `post.pubDate`
// and `post.pub_date` in JS) and the column `pub_date`. Options:
// table, renamedFrom (the name the table had before), GTypeName (defaults to the name, so the default table of
// 'BlogPost' is blog_post), and anything else GObject.registerClass takes
// (Signals, Implements). A class registered by hand with
// GObject.registerClass is a model too once it calls the class metadata
// itself: `Gorm.Resource.set_max_length.call(Post, 'title', 200)`.
// toArray(model) turns a fetched or watched Gio.ListModel into an array.
//
// Typed fields. A field's value is kept by libgorm
// (Gorm.Resource.store_property), and assigning it, in the constructor
// too, goes through Gorm.Resource.set_value, which refuses a value that
// would lose information with a GLib.Error of code
// Gorm.Error.TYPE_MISMATCH naming the model, the field and the value:
// 'false' or 2 for a boolean, 3.7 or 2**40 for an 'int', -1 for a
// 'uint', 99 for an enum without that value, a string for an Array, a
// string holding '\0'. Lossless values are taken: 3 for a Number, 1 for
// a boolean, an enum's nick. Nothing changes on error.
//
// null. `{type: 'int', null: true}` lets a field of any type be NULL: it
// reads `null` (Gorm.Resource.dup_value) and takes `null`
// (Gorm.Resource.set_null), and a new object starts `null` unless the
// field has a default. Assigning `null` to another field throws
// Gorm.Error.VALIDATION, except strings, dates, bytes and arrays without
// notNull, which have always taken null.
//
// Relations. A field {foreignKey: Model, onDelete: Gorm.OnDelete.CASCADE}
// (or PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, DO_NOTHING: required, as
// in Django) is a foreign key: the field `question` becomes the key
// property `question-id` (`choice.questionId`, `choice.question_id`, of
// the type of the related model's primary key: 'int64' for the automatic
// id) and the relation `question`. Model is a class made by defineModel
// or by hand, its $gtype, the GType name of a model declared earlier, or
// 'self'. Other keys: null (a nullable key, needed by SET_NULL),
// relatedName (the reverse relation on Model, by default
// `<snake case type name>_set`, e.g. `choice_set`), unique (one-to-one),
// and the metadata keys above. A field {manyToMany: Model, relatedName}
// is no property: it declares the many-to-many relation named after the
// field in snake case (`tags`), stored in a link table.
//
//     const Choice = defineModel('Choice', {
//         question: {foreignKey: Question, onDelete: Gorm.OnDelete.CASCADE},
//         choiceText: String,
//     });
//     const c = new Choice({database: db, question: q, choiceText: 'Yes'});
//     const same = await c.getRelatedAsync('question');          // q
//     const live = await q.query_related('choice_set').watch_async(null);
//     await post.link_async('tags', tag, null);                   // unlink_async, clear_links_async
//
// The constructor takes the related object (`question: q`, set as by
// set_related: an unsaved q throws Gorm.Error.VALIDATION) or the key
// (`questionId: 3`). getRelatedAsync(relation, cancellable = null) is the
// promise of get_related_async, which loads the related object without
// blocking (get_related blocks; peek_related only looks in memory).
// query_related(relation) gives a Gorm.Query of a reverse or many-to-many
// relation to chain, fetch or watch; select_related and prefetch_related
// load relations eagerly, and the model that fetched (or the object
// first_async gave) keeps what they loaded for peek_related and
// peek_prefetched: keep the model while you use them. Errors are GLib.Errors of the Gorm.Error domain:
// UNKNOWN_PROPERTY for a relation the model lacks, TYPE_MISMATCH for an
// object of the wrong model, VALIDATION for an unsaved one, CONSTRAINT for
// a key that refers to no row or a PROTECT/RESTRICT refusal. A malformed
// relation field is a TypeError from defineModel.
//
// Aggregates and expressions. F(property) is Gorm.Expression.property
// (a path across relations too: 'question.pub_date'); Value(v) is
// Gorm.Expression.value; Count(what = null, {distinct}), Sum, Avg, Min and
// Max take a property name or an expression and give the
// Gorm.Expression of the aggregate (Count() counts rows). An
// expression's add, subtract, multiply and divide take an expression or
// a plain value, and its eq, ne, lt, le, gt and ge give the Gorm.Filter of
// Gorm.Filter.compare: `F('votes').gt(F('downvotes'))`. Rows (of
// fetch_rows, aggregate, a database's select) are Gorm.Rows:
// `row.toObject()` gives their columns as a plain object (null for NULL),
// `row.resource` the object of an annotated query's row.
// `query.aggregateAsync({total: Sum('votes')})` is Django's aggregate():
// it selects the aggregates on the query and resolves to the object of its
// one row. Every new call has its promise form: aggregate_async,
// fetch_rows_async, update_expressions_async, select_async,
// select_resources_async, bulk_insert_async and bulk_update_async (which
// take a JavaScript array of objects).
//
//     const {total} = await db.query(Choice.$gtype)
//         .aggregateAsync({total: Sum('votes')});
//     await db.query(Choice.$gtype).filter(Gorm.Filter.eq('id', c.id))
//         .update_expressions_async(['votes'], [F('votes').add(1)], null);
//
// Transactions: `await db.transactionAsync(async db => { ... })` runs an
// async body in a transaction that lets the main loop run (begin_async,
// the body, commit_async; an exception rolls back and is thrown again).
// run_in_transaction_async runs its function on the database's worker
// thread in C, and gjs cannot run JavaScript off the main thread: both
// its forms run the synchronous run_in_transaction from an idle callback
// of the main loop instead (same result and errors, but the loop waits for
// the transaction). Every other async call reads objects on the calling
// thread and only runs SQL on the worker.
//
// Importing. ES modules have no search path in gjs 1.74, so import this
// file by URL. Installed it is DATADIR/gorm-1.0/gjs/gorm.js: with meson's
// default prefix /usr/local,
//
//     import * as GormJS from 'file:///usr/local/share/gorm-1.0/gjs/gorm.js';
//
// or, independently of the prefix, find it in the XDG data directories
// and import it dynamically:
//
//     const path = [GLib.get_user_data_dir(), ...GLib.get_system_data_dirs()]
//         .map(d => GLib.build_filenamev([d, 'gorm-1.0', 'gjs', 'gorm.js']))
//         .find(p => GLib.file_test(p, GLib.FileTest.EXISTS));
//     const GormJS = await import(GLib.filename_to_uri(path, null));
//
// Uninstalled, import it by relative path from the source tree (as
// tests/gjs does), and run under `meson devenv -C BUILDDIR -w .`, which
// finds the uninstalled typelib and library; once bindings/meson.build
// enters bindings/gjs, devenv also sets GORM_GJS_MODULE_DIR to this source
// directory, which demos/blog/blog.js looks at first.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gorm from 'gi://Gorm?version=1.0';

export {Gorm};

// Every async call of the API, by class. Gio._promisify leaves a method it
// has already wrapped alone, so importing this module twice is harmless.
const ASYNC_METHODS = [
    [Gorm.Resource.prototype, ['save', 'delete', 'reload', 'get_related',
        'link', 'unlink', 'clear_links']],
    [Gorm.Database.prototype, ['migrate', 'ensure_migrated', 'get', 'get_by_key',
        'run_in_transaction', 'begin', 'commit', 'rollback', 'execute', 'close',
        'select', 'select_resources', 'bulk_insert', 'bulk_update',
        'get_schema_version']],
    [Gorm.Migration.prototype, ['plan', 'run']],
    [Gorm.Database, ['open']],
    [Gorm.Query.prototype, ['fetch', 'watch', 'first', 'count', 'exists',
        'delete', 'update', 'update_values', 'update_expressions',
        'fetch_rows', 'aggregate']],
];

for (const [target, names] of ASYNC_METHODS) {
    for (const name of names) {
        if (typeof target[`${name}_async`] === 'function')
            Gio._promisify(target, `${name}_async`, `${name}_finish`);
    }
}

// Every call of the API as JavaScript expects it, wrapped once here:
//
// - Optional cancellables. gjs 1.74 requires every argument of an
//   introspected call, the trailing GCancellable too; here it is optional:
//   `post.save()`, `await post.save_async()`, `post.save_async(callback)`
//   and `Gorm.Database.open_async(uri)` pass null for it. A call is
//   wrapped when the last parameter gjs shows for it (before the callback
//   of an _async) is `cancellable`.
// - Names as JavaScript writes them. A parameter `property`, `properties`,
//   `property_names` or `relation` takes the camelCase name of a field
//   (`pubDate`, the
//   property `pub-date`), in a path too (`question.pubDate`): libgorm
//   gets it in snake case (`pub_date`), which names the same property.
// - Class metadata on a registered class only. Gorm.Resource.set_max_length
//   and the other class functions called on a class that is not
//   registered yet (from a `static {}` block, which runs before
//   GObject.registerClass) would apply to Gorm.Resource itself: they throw
//   a TypeError saying what to do instead.
function _parameterNames(func) {
    let text;
    try {
        text = String(func);
    } catch (e) {
        return [];
    }
    const match = /^[^(]*\(([^)]*)\)/.exec(text);
    return match ? match[1].split(',').map(p => p.trim()).filter(p => p !== '') : [];
}

const NAME_PARAMETERS = new Set(['property', 'properties', 'property_names', 'relation']);

/**
 * The name libgorm is given for a property or relation name written in
 * JavaScript: `pubDate` is `pub_date`, `question.pubDate` is
 * `question.pub_date`; other names are left as they are.
 *
 * @param {string} name a property, relation or path
 * @returns {string} the name libgorm takes
 */
export function cName(name) {
    if (typeof name !== 'string' || !/[A-Z]/.test(name))
        return name;
    return name.split('.').map(segment => segment
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()).join('.');
}

function _cNames(value) {
    return Array.isArray(value) ? value.map(cName) : cName(value);
}

// Errors in JavaScript's names. A GLib.Error of the Gorm.Error domain
// thrown by a call (or rejecting its promise) is thrown again with its
// message in the names a JavaScript program uses: the class name of a
// model (`Q` rather than the GType name `Gjs_Q`), `Note.pubDate` for
// `Note:pub-date`, the defineModel types for GTypes (`an 'int' field`
// for `a gint property`), the JavaScript call for the C function it
// suggests, and no SQL. libgorm's own message stays as `e.cMessage`.
const JS_TYPE_WORDS = {
    'gchararray': ['string', 'String'], 'gboolean': ['boolean', 'Boolean'],
    'gint64': ['number', "'int64'"], 'gint': ['number', "'int'"],
    'guint64': ['number', "'uint64'"], 'guint': ['number', "'uint'"],
    'glong': ['number', "'int64'"], 'gulong': ['number', "'uint64'"],
    'gdouble': ['number', 'Number'], 'gfloat': ['number', "'float'"],
    'GDateTime': ['date-time', 'GLib.DateTime'], 'GBytes': ['byte array', 'GLib.Bytes'],
    'GStrv': ['array', 'Array'],
};
const JS_TYPE_SIZES = {'gint': ' (32 bits)', 'guint': ' (32 bits)', 'gfloat': ' (32 bits)'};
const TYPE_WORD = Object.keys(JS_TYPE_WORDS).sort((a, b) => b.length - a.length).join('|');
const JS_REWRITES = [
    [/ \(gorm_resource_class_set_not_null\s*\(\) forbids it\)/g,
        ': declare it {null: true} to store null'],
    [/gorm_database_set_default\s*\(\)/g, 'db.set_default()'],
    [/gorm_resource_class_set_nullable\s*\(\)/g, '{null: true}'],
    [/gorm_resource_class_set_not_null\s*\(\)/g, '{notNull: true}'],
    [/gorm_resource_class_set_related_name\s*\(\)/g, '{relatedName: ...}'],
    [/gorm_resource_class_set_renamed_from\s*\(\)/g, '{renamedFrom: ...}'],
    [/gorm_resource_class_(\w+)\s*\(\)/g, 'Gorm.Resource.$1'],
    [/gorm_query_(\w+)\s*\(\)/g, 'query.$1()'],
    [/gorm_filter_(\w+)\s*\(\)/g, 'Gorm.Filter.$1()'],
    [/gorm_expression_(\w+)\s*\(\)/g, 'Gorm.Expression.$1()'],
    [/gorm_database_(\w+)\s*\(\)/g, 'db.$1()'],
    [/gorm_migration_(\w+)\s*\(\)/g, 'migration.$1()'],
    [/gorm_resource_(\w+)\s*\(\)/g, '$1()'],
    [/gorm_(\w+)\s*\(\)/g, 'Gorm.$1()'],
    [new RegExp(`\\ban? (${TYPE_WORD}) property\\b`, 'g'),
        (_, type) => `a${/^'?[aeiouAEIOU]/.test(JS_TYPE_WORDS[type][1]) ? 'n' : ''} ` +
            `${JS_TYPE_WORDS[type][1]} field${JS_TYPE_SIZES[type] ?? ''}`],
    [new RegExp(`\\b(the|a|an) (${TYPE_WORD}) (?=\\S)`, 'g'),
        (_, article, type) => `${article} ${JS_TYPE_WORDS[type][0]} `],
    [/\bGorm([A-Z]\w*)/g, 'Gorm.$1'],
    [/\bGjs_(\w+)/g, '$1'],
    [/ \(in “[^”]*”\)/g, ''],
];

function _camel(property) {
    return property.replace(/[-_]([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/**
 * A message of libgorm in JavaScript's names (see above).
 *
 * @param {string} message libgorm's message
 * @returns {string} the message a JavaScript program reads
 */
export function jsMessage(message) {
    if (typeof message !== 'string')
        return message;
    // `Type:prop-name` is `Type.propName`, whatever the type's name.
    message = message.replace(/([\w+]+):([a-z][a-z0-9_-]*)/g, (whole, type, property) =>
        GObject.type_from_name(type) ? `${type}.${_camel(property)}` : whole);
    message = message.replace(/has no stored property “([^”]*)”/g,
        (_, property) => `has no field “${_camel(property)}”`);
    for (const [pattern, replacement] of JS_REWRITES)
        message = message.replace(pattern, replacement);
    return message;
}

function _jsError(error) {
    if (!(error instanceof GLib.Error) || error.domain !== Gorm.error_quark() ||
        error.cMessage !== undefined)
        return error;
    const translated = new GLib.Error(Gorm.error_quark(), error.code, jsMessage(error.message));
    translated.cMessage = error.message;
    return translated;
}

function _isClassMetadata(klass, name) {
    return klass === Gorm.Resource && /^(set|add|store)_/.test(name) &&
        !['set_default'].includes(name);
}

function _wrapCall(target, name, classMetadata) {
    if (typeof target[name] !== 'function' || target[name]._gormWrapped)
        return;
    // Gio._promisify keeps the introspected function, whose parameters
    // gjs shows, as _original_<name>.
    const params = _parameterNames(target[`_original_${name}`] ?? target[name]);
    const func = target[name];
    const isAsync = name.endsWith('_async') && params[params.length - 1] === 'callback';
    let at = isAsync ? params.length - 2 : params.length - 1;
    if (at < 0 || params[at] !== 'cancellable')
        at = -1;
    const names = params.map((p, i) => NAME_PARAMETERS.has(p) ? i : -1).filter(i => i >= 0);
    const wrapped = function (...args) {
        if (classMetadata && (this === Gorm.Resource || this === undefined ||
            !Object.hasOwn(this, '$gtype'))) {
            const who = this === Gorm.Resource || !this?.name ? 'Gorm.Resource itself'
                : `${this.name}, which is not registered yet`;
            throw new TypeError(`Gorm.Resource.${name} would apply to ${who}: call it ` +
                'on a registered model class, `Gorm.Resource.' + name + '.call(Model, ...)` ' +
                'after GObject.registerClass (in a static {} block, call ' +
                'GObject.registerClass(this) first), or declare the field with defineModel');
        }
        for (const i of names) {
            if (i < args.length)
                args[i] = _cNames(args[i]);
        }
        if (at >= 0) {
            if (args.length === at)
                args.push(null);
            else if (isAsync && args.length === at + 1 && typeof args[at] === 'function')
                args.splice(at, 0, null);
        }
        try {
            return func.apply(this, args);
        } catch (e) {
            throw _jsError(e);
        }
    };
    wrapped._gormWrapped = true;
    target[name] = wrapped;
}

for (const klass of [Gorm.Resource, Gorm.Database, Gorm.Query, Gorm.Migration,
    Gorm.Filter, Gorm.Expression, Gorm.Row]) {
    for (const target of [klass, klass.prototype]) {
        for (const name of Object.getOwnPropertyNames(target)) {
            if (name.startsWith('_original_') || name === 'constructor')
                continue;
            _wrapCall(target, name, target === klass && _isClassMetadata(klass, name));
        }
    }
}

// run_in_transaction_async runs the function of a transaction on the
// worker thread, where gjs cannot run JavaScript (gjs logs "too much
// recursion" or a Gjs-CRITICAL). Both its forms run the synchronous call
// from an idle callback of the main loop instead: same result, same
// errors, but the main loop waits for the transaction. The promise form
// resolves to its result; the callback form calls back with a result that
// run_in_transaction_finish takes. Database.transactionAsync (below) is
// the transaction that lets the main loop run.
function _onMainLoop(syncName, nSyncArgs) {
    return function (...args) {
        const callback = typeof args[args.length - 1] === 'function' &&
            args.length > nSyncArgs - 1 ? args.pop() : null;
        const syncArgs = args.slice(0, nSyncArgs);
        while (syncArgs.length < nSyncArgs)
            syncArgs.push(null);
        const run = () => {
            try {
                return {value: this[syncName](...syncArgs), error: null};
            } catch (e) {
                return {value: undefined, error: e};
            }
        };
        if (callback !== null) {
            GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
                callback(this, {_gormMainLoopResult: run()});
                return GLib.SOURCE_REMOVE;
            });
            return undefined;
        }
        return new Promise((resolve, reject) => {
            GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
                const {value, error} = run();
                if (error !== null)
                    reject(error);
                else
                    resolve(value);
                return GLib.SOURCE_REMOVE;
            });
        });
    };
}

// run_in_transaction (func, cancellable) takes the arguments of its async
// form, before the callback; its _finish takes the result the callback
// form gave.
for (const [proto, name, nSyncArgs] of [[Gorm.Database.prototype, 'run_in_transaction', 2]]) {
    const native = `_gorm_native_${name}_async`;
    if (proto[native] === undefined) {
        proto[native] = proto[`_original_${name}_async`] ?? proto[`${name}_async`];
        proto[`${name}_async`] = _onMainLoop(name, nSyncArgs);
        const nativeFinish = proto[`${name}_finish`];
        proto[`${name}_finish`] = function (result) {
            const own = result?._gormMainLoopResult;
            if (own === undefined)
                return nativeFinish.call(this, result);
            if (own.error !== null)
                throw own.error;
            return own.value;
        };
    }
}

/**
 * A transaction that keeps the main loop running: begins it
 * (begin_async), awaits `func(db)`, an async function whose calls are
 * awaited promises, then commits (commit_async); an exception of
 * `func`, or a failed commit, rolls it back (rollback_async) and is
 * thrown again. Resolves to what `func` resolved to.
 *
 * The transaction belongs to the main thread until it ends: every call
 * the main thread makes meanwhile, from any callback, runs inside it.
 * Nested, it is a savepoint.
 *
 * @param {Function} func `async (db) => ...`, the body
 * @param {Gio.Cancellable} [cancellable] cancels the begin and commit
 * @returns {Promise<*>} what func resolved to
 */
Gorm.Database.prototype.transactionAsync = async function (func, cancellable = null) {
    if (typeof func !== 'function')
        throw new TypeError(`transactionAsync takes a function, not ${String(func)}`);
    await this.begin_async(cancellable);
    const depth = this.get_transaction_depth();
    let result;
    try {
        result = await func(this);
        await this.commit_async(cancellable);
    } catch (e) {
        if (!this.is_closed() && this.get_transaction_depth() >= depth)
            await this.rollback_async(null);
        throw e;
    }
    return result;
};

// Migrations. A step given to Gorm.Migration's add_step (or step(), its
// short form) is a JavaScript function: an exception it throws fails the
// migration, which rolls everything back, and run() throws that same
// exception again. gjs cannot run JavaScript off the main thread, and
// run_async runs the steps on the database's worker: so the promise form
// of run_async of a migration with JavaScript steps runs the synchronous
// run() from an idle callback of the main loop instead (same result and
// errors, but the main loop waits for the migration), and its callback
// form throws an Error. A migration without steps runs on the worker,
// the main loop staying responsive; plan_async never runs steps.

// Per migration: whether JavaScript steps were added, and the exception
// of the step that failed.
const migrationSteps = new WeakMap();

function _stepState(migration) {
    let state = migrationSteps.get(migration);
    if (state === undefined) {
        state = {jsSteps: false, error: null};
        migrationSteps.set(migration, state);
    }
    return state;
}

const migrationProto = Gorm.Migration.prototype;
if (migrationProto._gorm_native_add_step === undefined) {
    migrationProto._gorm_native_add_step = migrationProto.add_step;
    migrationProto._gorm_native_run = migrationProto.run;
    migrationProto._gorm_promised_run_async = migrationProto.run_async;

    /**
     * Adds a step: func(migration, database, version) runs inside the
     * migration's transaction when the database is older than version.
     * Returning false or throwing fails the migration.
     *
     * @param {number} version the schema version the step brings
     * @param {Gorm.MigrationStage} stage before or after the changes
     * @param {Function} func the step
     */
    migrationProto.add_step = function (version, stage, func) {
        if (typeof func !== 'function')
            throw new TypeError(`add_step: a step is a function, not ${String(func)}`);
        const state = _stepState(this);
        state.jsSteps = true;
        this._gorm_native_add_step(version, stage, (migration, database, v) => {
            try {
                return func(migration, database, v) !== false;
            } catch (e) {
                if (state.error === null)
                    state.error = e;
                return false;
            }
        });
    };

    /**
     * The short form of add_step: func(database) runs after the automatic
     * changes (the tables have the models' schema), or before them with
     * {after: false}.
     *
     * @param {number} version the schema version the step brings
     * @param {Function} func the step, given the database
     * @param {object} [options] {after: true}
     */
    migrationProto.step = function (version, func, {after = true} = {}) {
        this.add_step(version, after ? Gorm.MigrationStage.AFTER_CHANGES
            : Gorm.MigrationStage.BEFORE_CHANGES, (m, database) => func(database));
    };

    migrationProto.run = function (cancellable = null) {
        const state = _stepState(this);
        state.error = null;
        try {
            return this._gorm_native_run(cancellable);
        } catch (e) {
            const stepError = state.error;
            state.error = null;
            throw stepError ?? e;
        }
    };

    migrationProto.run_async = function (...args) {
        if (!_stepState(this).jsSteps)
            return this._gorm_promised_run_async(...args);
        if (typeof args[args.length - 1] === 'function') {
            throw new Error('Gorm.Migration.run_async would run JavaScript steps on the ' +
                'database worker thread, which gjs cannot: await its promise form, ' +
                'which runs them on the main thread, or call run()');
        }
        return new Promise((resolve, reject) => {
            GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
                try {
                    resolve(this.run(args[0] ?? null));
                } catch (e) {
                    reject(e);
                }
                return GLib.SOURCE_REMOVE;
            });
        });
    };
}

/**
 * A change of a migration's plan as a readable paragraph: what, on which
 * table and column, what the database has and the models want, why, and
 * the SQL.
 *
 * @returns {string} the description
 */
Gorm.MigrationChange.prototype.toString = function () {
    const kind = this.get_kind();
    let heading;
    if (kind === Gorm.MigrationChangeKind.STEP) {
        heading = `step of version ${this.get_version()}`;
    } else if (kind === Gorm.MigrationChangeKind.SET_VERSION) {
        heading = `set version ${this.get_database_has() ?? 'none'} → ${this.get_version()}`;
    } else {
        // ADD_COLUMN → "add column".
        const words = Object.entries(Gorm.MigrationChangeKind)
            .find(([, v]) => v === kind)[0].toLowerCase().replace(/_/g, ' ');
        const column = this.get_column();
        heading = `${words} ${this.get_table()}${column ? `.${column}` : ''}`;
        const has = this.get_database_has(), wants = this.get_model_wants();
        if (has !== null || wants !== null)
            heading += ` (has: ${has ?? 'nothing'}; wants: ${wants ?? 'nothing'})`;
    }
    const lines = [heading];
    if (this.get_reason())
        lines.push(`    ${this.get_reason()}`);
    for (const sql of this.get_statements() ?? [])
        lines.push(`    ${sql}`);
    return lines.join('\n');
};

const FLAGS = GObject.ParamFlags.READWRITE;

// A type given by name: the GObject fundamental it stands for.
const NAMED_TYPES = {
    'string': 'string',
    'boolean': 'boolean',
    'int': 'int',
    'int64': 'int64',
    'uint': 'uint',
    'uint64': 'uint64',
    'float': 'float',
    'double': 'double',
};

function _limits(kind) {
    switch (kind) {
    case 'int': return [GLib.MININT32, GLib.MAXINT32];
    case 'uint': return [0, GLib.MAXUINT32];
    case 'int64': return [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    case 'uint64': return [0, Number.MAX_SAFE_INTEGER];
    // libgorm stores and loads the infinities exactly.
    default: return [-Infinity, Infinity];
    }
}

function _kindOf(type) {
    if (type === String)
        return 'string';
    if (type === Boolean)
        return 'boolean';
    if (type === Number)
        return 'double';
    if (typeof type === 'string' && type in NAMED_TYPES)
        return NAMED_TYPES[type];
    return null;
}

/**
 * The property name of a field: `pubDate` and `pub_date` are `pub-date`.
 *
 * @param {string} field a field name as written in defineModel
 * @returns {string} the canonical GObject property name
 */
export function propertyName(field) {
    return field
        .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
        .replace(/_/g, '-')
        .toLowerCase();
}

/**
 * A GObject.ParamSpec for one field of defineModel.
 *
 * @param {string} field the field name
 * @param {*} spec a type or {type, default, nick, blurb, ...}
 * @returns {GObject.ParamSpec} a read-write ParamSpec
 */
export function paramSpec(field, spec) {
    if (spec instanceof GObject.ParamSpec)
        return spec;
    const opts = spec !== null && typeof spec === 'object' && 'type' in spec
        ? spec : {type: spec};
    const name = propertyName(field);
    const nick = opts.nick ?? name;
    const blurb = opts.blurb ?? name;
    const type = opts.type;
    const kind = _kindOf(type);
    const PS = GObject.ParamSpec;

    switch (kind) {
    case 'string':
        return PS.string(name, nick, blurb, FLAGS, opts.default ?? null);
    case 'boolean':
        return PS.boolean(name, nick, blurb, FLAGS, opts.default ?? false);
    case 'int': case 'uint': case 'int64': case 'uint64':
    case 'float': case 'double': {
        const [min, max] = _limits(kind);
        return PS[kind](name, nick, blurb, FLAGS, opts.min ?? min,
            opts.max ?? max, opts.default ?? 0);
    }
    }

    if (type === Array)
        return PS.boxed(name, nick, blurb, FLAGS, GObject.type_from_name('GStrv'));

    const gtype = type?.$gtype ?? type;
    if (gtype instanceof GObject.Type || typeof gtype === 'function' ||
        (gtype && typeof gtype === 'object')) {
        if (GObject.type_is_a(gtype, GObject.TYPE_ENUM)) {
            return PS.enum(name, nick, blurb, FLAGS, gtype, opts.default ?? 0);
        }
        if (GObject.type_is_a(gtype, GObject.TYPE_FLAGS))
            return PS.flags(name, nick, blurb, FLAGS, gtype, opts.default ?? 0);
        if (GObject.type_is_a(gtype, GObject.TYPE_BOXED))
            return PS.boxed(name, nick, blurb, FLAGS, gtype);
        if (GObject.type_is_a(gtype, GObject.TYPE_OBJECT))
            return PS.object(name, nick, blurb, FLAGS, gtype);
    }
    throw new TypeError(`defineModel: field '${field}' has a type libgorm ` +
        `cannot store: ${String(type)}`);
}

// Field metadata key → the class-struct function and its extra argument.
const METADATA = {
    maxLength: (klass, p, v) => Gorm.Resource.set_max_length.call(klass, p, v),
    unique: (klass, p, v) => v && Gorm.Resource.set_unique.call(klass, p),
    notNull: (klass, p, v) => v && Gorm.Resource.set_not_null.call(klass, p),
    indexed: (klass, p, v) => v && Gorm.Resource.set_indexed.call(klass, p),
    autoNowAdd: (klass, p, v) => v && Gorm.Resource.set_auto_now_add.call(klass, p),
    autoNow: (klass, p, v) => v && Gorm.Resource.set_auto_now.call(klass, p),
    column: (klass, p, v) => Gorm.Resource.set_column_name.call(klass, p, v),
    transient: (klass, p, v) => v && Gorm.Resource.set_transient.call(klass, p),
    primaryKey: (klass, p, v) => v && Gorm.Resource.set_primary_key.call(klass, p),
    null: (klass, p, v) => v && Gorm.Resource.set_nullable.call(klass, p),
    renamedFrom: (klass, p, v) => Gorm.Resource.set_renamed_from.call(klass, p,
        _columnOf(p, v)),
};

// The column of the field a model called `old` before: `pubDate` and
// `pub_date` are both the column pub_date, as a field's own column is.
function _columnOf(property, old) {
    if (typeof old !== 'string' || old === '') {
        throw new TypeError(`defineModel: renamedFrom of '${property}' is the ` +
            `name the field had before, a string, not ${String(old)}`);
    }
    return propertyName(old).replace(/-/g, '_');
}

const STRV = GObject.type_from_name('GStrv');

// A GLib.Error of the Gorm.Error domain, as libgorm would raise it.
function _mismatch(klass, property, value, why) {
    let shown;
    try {
        shown = JSON.stringify(value) ?? String(value);
    } catch (e) {
        shown = String(value);
    }
    return new GLib.Error(Gorm.error_quark(), Gorm.Error.TYPE_MISMATCH,
        `Cannot store ${shown} in ${klass}.${_camel(property)}: ${why}`);
}

// The names a field is reached by: as written, and its property's name in
// camelCase, snake_case and with dashes.
function _accessNames(field, property) {
    const camel = property.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
    return new Set([field, property, property.replace(/-/g, '_'), camel]);
}

// Gives the prototype of @klass an accessor for each stored field, in
// place of gjs's own (which keeps values in JavaScript): reads and writes
// go to libgorm, which keeps the value, checks it, and knows NULL.
function _defineAccessors(klass, typeName, pspec, names) {
    const property = pspec.get_name();
    const isStrv = pspec.value_type === STRV;
    const descriptor = {
        get() {
            return this.dup_value(property);
        },
        set(value) {
            if (value === null || value === undefined) {
                this.set_null(property);
                return;
            }
            if (typeof value === 'string' && value.includes('\0'))
                throw _mismatch(typeName, property, value, 'a string cannot hold NUL');
            if (isStrv) {
                if (!Array.isArray(value) || !value.every(s => typeof s === 'string'))
                    throw _mismatch(typeName, property, value, 'it takes an array of strings');
                if (value.some(s => s.includes('\0')))
                    throw _mismatch(typeName, property, value, 'a string cannot hold NUL');
                value = new GLib.Variant('as', value);
            }
            this.set_value(property, value);
        },
        configurable: true,
        enumerable: true,
    };
    for (const name of names)
        Object.defineProperty(klass.prototype, name, descriptor);
}
const SPEC_KEYS = new Set(['type', 'default', 'nick', 'blurb', 'min', 'max']);

// Relations. A field {foreignKey: Model, onDelete: Gorm.OnDelete.X, ...}
// becomes the key property `<field>-id` and the C foreign key of the
// relation `<field>`; a field {manyToMany: Model, ...} is no property at
// all but the many-to-many relation `<field>` in snake case.
const FOREIGN_KEY_KEYS = new Set(['foreignKey', 'onDelete', 'relatedName']);
const MANY_TO_MANY_KEYS = new Set(['manyToMany', 'relatedName']);

// The key properties of the primary keys of the models defineModel
// declared with {primaryKey: true}: class → field spec.
const primaryKeySpecs = new WeakMap();

function _isRelation(spec) {
    return spec !== null && typeof spec === 'object' &&
        !(spec instanceof GObject.ParamSpec) &&
        ('foreignKey' in spec || 'manyToMany' in spec);
}

function _snakeCase(field) {
    return propertyName(field).replace(/-/g, '_');
}

// The GType a foreignKey or manyToMany option names: a model class, its
// $gtype, the name of a registered type, or 'self' (the model being
// declared, known once it is registered: null here).
function _relatedType(modelName, field, target) {
    if (target === 'self')
        return null;
    let gtype = target?.$gtype ?? target;
    if (typeof target === 'string') {
        gtype = GObject.type_from_name(target);
        if (!gtype) {
            throw new TypeError(`defineModel: field '${field}' of ${modelName} ` +
                `refers to '${target}', which is no registered type: declare ` +
                'that model first');
        }
    }
    let isModel = false;
    try {
        isModel = gtype !== null && gtype !== undefined &&
            GObject.type_is_a(gtype, Gorm.Resource.$gtype);
    } catch (e) {
        // Not a GType at all.
    }
    if (!isModel) {
        throw new TypeError(`defineModel: field '${field}' of ${modelName} ` +
            `refers to ${String(target)}, which is not a Gorm.Resource model`);
    }
    return gtype;
}

// The field spec of the key property that refers to rows of `target`:
// the type of its primary key (int64 for the automatic id).
function _keySpec(target) {
    const pk = target ? primaryKeySpecs.get(target) : undefined;
    if (pk === undefined)
        return 'int64';
    const type = pk instanceof GObject.ParamSpec ? pk.value_type
        : pk !== null && typeof pk === 'object' && 'type' in pk ? pk.type : pk;
    return type;
}

function _foreignKeyField(modelName, field, spec, relations) {
    for (const key of ['onDelete']) {
        if (!(key in spec)) {
            throw new TypeError(`defineModel: the foreign key '${field}' of ` +
                `${modelName} needs ${key} (Gorm.OnDelete.CASCADE, PROTECT, ` +
                'RESTRICT, SET_NULL, SET_DEFAULT or DO_NOTHING)');
        }
    }
    if (!Object.values(Gorm.OnDelete).includes(spec.onDelete)) {
        throw new TypeError(`defineModel: the foreign key '${field}' of ` +
            `${modelName} has onDelete ${String(spec.onDelete)}, which is ` +
            'no Gorm.OnDelete value');
    }
    const target = spec.foreignKey;
    const gtype = _relatedType(modelName, field, target);
    let property = propertyName(field);
    if (!property.endsWith('-id'))
        property += '-id';
    const keySpec = {type: _keySpec(target === 'self' ? null : target)};
    for (const [key, value] of Object.entries(spec)) {
        if (!FOREIGN_KEY_KEYS.has(key))
            keySpec[key] = value;
    }
    // The foreign key `poll` renamed from `question` was kept in the
    // column question_id.
    if (typeof spec.renamedFrom === 'string' && spec.renamedFrom !== '') {
        let old = propertyName(spec.renamedFrom);
        if (!old.endsWith('-id'))
            old += '-id';
        keySpec.renamedFrom = old;
    }
    relations.push({
        kind: 'foreignKey',
        field,
        property,
        relation: property.slice(0, -'-id'.length).replace(/-/g, '_'),
        gtype,
        onDelete: spec.onDelete,
        relatedName: spec.relatedName,
    });
    return [property, keySpec];
}

function _manyToManyField(modelName, field, spec, relations) {
    for (const key of Object.keys(spec)) {
        if (!MANY_TO_MANY_KEYS.has(key)) {
            throw new TypeError(`defineModel: the many-to-many field '${field}' ` +
                `of ${modelName} has an unknown option '${key}'`);
        }
    }
    relations.push({
        kind: 'manyToMany',
        field,
        relation: _snakeCase(field),
        gtype: _relatedType(modelName, field, spec.manyToMany),
        relatedName: spec.relatedName,
    });
}

// Takes the relation fields out of `fields`: a foreign key becomes its key
// property's field, a many-to-many field goes away. Returns the fields left
// and the relations to declare once the class is registered.
function _splitRelations(modelName, fields) {
    const relations = [];
    const plain = {};
    for (const [field, spec] of Object.entries(fields)) {
        if (!_isRelation(spec)) {
            plain[field] = spec;
            continue;
        }
        if ('foreignKey' in spec && 'manyToMany' in spec) {
            throw new TypeError(`defineModel: field '${field}' of ${modelName} ` +
                'is both a foreignKey and a manyToMany');
        }
        if ('manyToMany' in spec) {
            _manyToManyField(modelName, field, spec, relations);
            continue;
        }
        const [property, keySpec] = _foreignKeyField(modelName, field, spec, relations);
        plain[property] = keySpec;
    }
    // A key property declared again as a plain field ('questionId' beside
    // the foreign key 'question').
    const seen = new Set();
    for (const field of Object.keys(plain)) {
        const property = propertyName(field);
        if (seen.has(property)) {
            throw new TypeError(`defineModel: ${modelName} declares the property ` +
                `'${property}' twice`);
        }
        seen.add(property);
    }
    return {fields: plain, relations};
}

// Declares the relations of a registered model and records its primary
// key, for the foreign keys that later models point at it.
function _applyRelations(klass, fields, relations) {
    for (const spec of Object.values(fields)) {
        if (spec !== null && typeof spec === 'object' &&
            !(spec instanceof GObject.ParamSpec) && spec.primaryKey)
            primaryKeySpecs.set(klass, spec);
    }
    for (const r of relations) {
        const gtype = r.gtype ?? klass.$gtype;
        if (r.kind === 'foreignKey') {
            Gorm.Resource.set_foreign_key.call(klass, r.property, gtype, r.onDelete);
            if (r.relatedName !== undefined)
                Gorm.Resource.set_related_name.call(klass, r.property, r.relatedName);
        } else {
            Gorm.Resource.add_many_to_many.call(klass, r.relation, gtype);
            if (r.relatedName !== undefined)
                Gorm.Resource.set_related_name.call(klass, r.relation, r.relatedName);
        }
    }
    const foreignKeys = relations.filter(r => r.kind === 'foreignKey');
    if (foreignKeys.length > 0)
        _acceptRelatedObjects(klass, foreignKeys);
}

// `new Choice({question: q})` sets the key from the object, as
// set_related('question', q) does (so an unsaved q throws
// Gorm.Error.VALIDATION); `questionId` / `question_id` take the key itself.
function _acceptRelatedObjects(klass, foreignKeys) {
    const byField = new Map();
    for (const r of foreignKeys) {
        byField.set(r.relation, r.relation);
        byField.set(r.field, r.relation);
    }
    const parentInit = klass.prototype._init;
    klass.prototype._init = function (props, ...args) {
        if (props === null || typeof props !== 'object')
            return parentInit.call(this, props, ...args);
        const own = {};
        const related = [];
        for (const [key, value] of Object.entries(props)) {
            if (byField.has(key) && (value === null || value instanceof Gorm.Resource))
                related.push([byField.get(key), value]);
            else
                own[key] = value;
        }
        const ret = parentInit.call(this, own, ...args);
        for (const [relation, value] of related)
            this.set_related(relation, value);
        return ret;
    };
}

/**
 * The related object of a foreign key, loaded without blocking: the
 * promise of get_related_async(relation, cancellable).
 *
 * @param {string} relation the relation's name ('question')
 * @param {Gio.Cancellable} [cancellable] cancels the load
 * @returns {Promise<Gorm.Resource|null>} the object, or null for a NULL key
 */
Gorm.Resource.prototype.getRelatedAsync = function (relation, cancellable = null) {
    return this.get_related_async(relation, cancellable);
};

/**
 * Declares a model: a Gorm.Resource subclass with its properties and
 * metadata in one place.
 *
 * @param {string} name the class name, also the GType name unless
 *   options.GTypeName says otherwise
 * @param {object} fields field name → type or {type, ...metadata}
 * @param {object} [options] {table, GTypeName, Signals, Implements, ...}
 * @returns {typeof Gorm.Resource} the registered class
 */
export function defineModel(name, fields, options = {}) {
    const {table, renamedFrom, GTypeName, ...rest} = options;
    if (renamedFrom !== undefined && (typeof renamedFrom !== 'string' || renamedFrom === '')) {
        throw new TypeError(`defineModel: the option renamedFrom of ${name} is the ` +
            `name its table had before, a string, not ${String(renamedFrom)}`);
    }
    let relations;
    ({fields, relations} = _splitRelations(name, fields));
    const typeName = GTypeName ?? name;
    // GObject refuses shorter type names, and aborts gjs doing it.
    if (typeof typeName !== 'string' || typeName.length < 3) {
        throw new TypeError(`defineModel: the type name '${typeName}' must ` +
            'have at least three characters');
    }
    const Properties = {};
    // Field access name → property; the fields that start NULL.
    const access = new Map();
    const startNull = [];
    for (const [field, spec] of Object.entries(fields)) {
        const pspec = paramSpec(field, spec);
        Properties[pspec.get_name()] = pspec;
        for (const accessName of _accessNames(field, pspec.get_name()))
            access.set(accessName, pspec.get_name());
        if (spec?.null === true && !('default' in spec))
            startNull.push(pspec.get_name());
    }

    const klass = {[name]: class extends Gorm.Resource {
        // Fields are set once the object is built, through their checked
        // accessors; the rest (the database) goes to GObject.
        _init(props = {}) {
            const rest = {};
            const given = [];
            for (const [key, value] of Object.entries(props ?? {})) {
                if (access.has(key))
                    given.push([key, value]);
                else
                    rest[key] = value;
            }
            super._init(rest);
            const set = new Set(given.map(([key]) => access.get(key)));
            for (const property of startNull) {
                if (!set.has(property))
                    this.set_null(property);
            }
            for (const [key, value] of given)
                this[key] = value;
        }
    }}[name];
    const registered = GObject.registerClass({
        GTypeName: typeName,
        Properties,
        ...rest,
    }, klass);

    if (table)
        Gorm.Resource.set_table.call(registered, table);
    if (renamedFrom !== undefined)
        Gorm.Resource.set_table_renamed_from.call(registered, renamedFrom);
    for (const [field, spec] of Object.entries(fields)) {
        const pspec = Properties[paramSpec(field, spec).get_name()];
        const flags = pspec.flags;
        if ((flags & GObject.ParamFlags.READWRITE) !== GObject.ParamFlags.READWRITE ||
            (flags & GObject.ParamFlags.CONSTRUCT_ONLY))
            continue;
        Gorm.Resource.store_property.call(registered, pspec.get_name());
        _defineAccessors(registered, typeName, pspec, _accessNames(field, pspec.get_name()));
    }
    for (const [field, spec] of Object.entries(fields)) {
        if (spec === null || typeof spec !== 'object' ||
            spec instanceof GObject.ParamSpec)
            continue;
        const property = propertyName(field);
        for (const [key, value] of Object.entries(spec)) {
            if (SPEC_KEYS.has(key))
                continue;
            const apply = METADATA[key];
            if (!apply) {
                throw new TypeError(`defineModel: field '${field}' of ` +
                    `${name} has an unknown option '${key}'`);
            }
            apply(registered, property, value);
        }
    }
    _applyRelations(registered, fields, relations);
    return registered;
}

/**
 * The items of a GListModel (a fetched or watched query) as an array.
 *
 * @param {Gio.ListModel} model a list model
 * @returns {Array} its items, in order
 */
export function toArray(model) {
    const items = [];
    const n = model.get_n_items();
    for (let i = 0; i < n; i++)
        items.push(model.get_item(i));
    return items;
}

// Expressions, aggregates and rows. Thin helpers over Gorm.Expression,
// Gorm.Filter.compare and Gorm.Row: every one of them calls the C API,
// which checks names and types when the query runs.

// A Gorm.Expression as it is; anything else the constant it holds.
function _operand(value) {
    if (value instanceof Gorm.Expression)
        return value;
    if (value === undefined)
        throw new TypeError('an expression needs a value: got undefined');
    return Gorm.Expression.value(value);
}

// The argument of an aggregate: a property name, as Django's Sum('votes'),
// or an expression.
function _aggregated(expression, what) {
    if (typeof expression === 'string')
        return Gorm.Expression.property(expression);
    if (expression instanceof Gorm.Expression)
        return expression;
    throw new TypeError(`${what}() takes a property name or a Gorm.Expression, ` +
        `not ${String(expression)}`);
}

/**
 * A property of the queried type, or a path across relations
 * ('question.pub_date', 'choice.votes'): Gorm.Expression.property, as
 * Django's F(). Its arithmetic methods take expressions or plain values:
 * `F('votes').add(1)`, `F('price').multiply(F('quantity'))`.
 *
 * @param {string} property a property name or a path
 * @returns {Gorm.Expression} the expression
 */
export function F(property) {
    if (typeof property !== 'string')
        throw new TypeError(`F() takes a property name, not ${String(property)}`);
    return Gorm.Expression.property(property);
}

/**
 * A constant (Gorm.Expression.value), converted to the type of the
 * property it meets.
 *
 * @param {*} value a number, string, boolean, GLib.DateTime, GLib.Bytes
 * @returns {Gorm.Expression} the expression
 */
export function Value(value) {
    return _operand(value);
}

/**
 * COUNT: of rows when @expression is omitted or null, else of the non-NULL
 * values of a property (or a relation: 'choice' counts the related rows);
 * `{distinct: true}` counts distinct values.
 *
 * @param {string|Gorm.Expression|null} [expression] what to count
 * @param {object} [options] {distinct}
 * @returns {Gorm.Expression} the aggregate
 */
export function Count(expression = null, {distinct = false} = {}) {
    const counted = expression === null ? null : _aggregated(expression, 'Count');
    return Gorm.Expression.count(counted, distinct);
}

/**
 * SUM of a property or expression (a gint64 for integers, else a double;
 * null over no rows).
 *
 * @param {string|Gorm.Expression} expression what to add up
 * @returns {Gorm.Expression} the aggregate
 */
export function Sum(expression) {
    return _aggregated(expression, 'Sum').sum();
}

/**
 * AVG, always a double; null over no rows.
 *
 * @param {string|Gorm.Expression} expression what to average
 * @returns {Gorm.Expression} the aggregate
 */
export function Avg(expression) {
    return _aggregated(expression, 'Avg').avg();
}

/**
 * MIN, of the operand's type; null over no rows.
 *
 * @param {string|Gorm.Expression} expression what to compare
 * @returns {Gorm.Expression} the aggregate
 */
export function Min(expression) {
    return _aggregated(expression, 'Min').min();
}

/**
 * MAX, of the operand's type; null over no rows.
 *
 * @param {string|Gorm.Expression} expression what to compare
 * @returns {Gorm.Expression} the aggregate
 */
export function Max(expression) {
    return _aggregated(expression, 'Max').max();
}

// The arithmetic methods take plain values too: F('votes').add(1).
for (const name of ['add', 'subtract', 'multiply', 'divide']) {
    const native = `_gorm_native_${name}`;
    const proto = Gorm.Expression.prototype;
    if (typeof proto[name] === 'function' && proto[native] === undefined) {
        proto[native] = proto[name];
        proto[name] = function (other) {
            return this[native](_operand(other));
        };
    }
}

// Comparisons of expressions as filters: F('votes').gt(F('downvotes')) is
// Gorm.Filter.compare(F('votes'), Gorm.Comparison.GT, F('downvotes')).
for (const [name, op] of [['eq', 'EQ'], ['ne', 'NE'], ['lt', 'LT'],
    ['le', 'LE'], ['gt', 'GT'], ['ge', 'GE']]) {
    Gorm.Expression.prototype[name] = function (other) {
        return Gorm.Filter.compare(this, Gorm.Comparison[op], _operand(other));
    };
}

/**
 * The columns of a row (of fetch_rows, aggregate or a database's select)
 * as a plain object: column name → value, null for NULL.
 *
 * @returns {object} the values by column name
 */
Gorm.Row.prototype.toObject = function () {
    const object = {};
    const n = this.get_n_columns();
    for (let i = 0; i < n; i++) {
        const name = this.get_column_name(i);
        object[name] = this.dup_value(name);
    }
    return object;
};

/**
 * Django's aggregate(): selects each aggregate of @aggregates under its
 * name on this query (which becomes a row query) and gives the one row
 * aggregate_async computes, as a plain object.
 *
 *     const {total, n} = await db.query(Choice.$gtype)
 *         .aggregateAsync({total: Sum('votes'), n: Count()});
 *
 * @param {object} aggregates name → Gorm.Expression
 * @param {Gio.Cancellable} [cancellable] cancels the query
 * @returns {Promise<object>} the values by name
 */
Gorm.Query.prototype.aggregateAsync = async function (aggregates, cancellable = null) {
    for (const [name, expression] of Object.entries(aggregates)) {
        if (!(expression instanceof Gorm.Expression))
            throw new TypeError(`aggregateAsync: '${name}' is no Gorm.Expression`);
        this.select(name, expression);
    }
    const row = await this.aggregate_async(cancellable);
    return row.toObject();
};
