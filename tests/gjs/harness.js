// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A tiny test harness for the gjs suite: test() runs a named (possibly
// async) function and records its failure, run() prints a TAP-like line
// per test and exits non-zero when any failed, which is what meson's
// 'exitcode' protocol reads.
//
// Each test opens fresh databases on the engine GORM_TEST_ENGINE names:
// `sqlite` (the default) gives databases in memory; `postgresql` a new
// database gorm_test_<pid>_<n> on the server of GORM_TEST_POSTGRESQL (a
// URI of a role that may create databases), dropped when the test ends.

import System from 'system';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';

export const engine = GLib.getenv('GORM_TEST_ENGINE') || 'sqlite';
if (engine !== 'sqlite' && engine !== 'postgresql') {
    printerr(`GORM_TEST_ENGINE is “${engine}”: sqlite or postgresql`);
    System.exit(1);
}
const serverUri = GLib.getenv('GORM_TEST_POSTGRESQL');
if (engine === 'postgresql' && !serverUri) {
    printerr('GORM_TEST_ENGINE is postgresql but GORM_TEST_POSTGRESQL, the URI of the server to test on, is not set');
    System.exit(1);
}

const pid = new Gio.Credentials().get_unix_pid();
let nDatabases = 0;
let admin = null;
// What the running test opened and created, closed and dropped after it.
let openedDatabases = [];
let createdNames = [];

// The URI of the database `name` on the server: GORM_TEST_POSTGRESQL with
// its path replaced.
function serverDatabaseUri(name) {
    const match = /^([a-z]+:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/.exec(serverUri);
    if (!match)
        throw new Error(`GORM_TEST_POSTGRESQL is not a postgresql:// URI: ${serverUri}`);
    return `${match[1]}/${name}${match[3]}`;
}

function adminDatabase() {
    if (admin === null)
        admin = Gorm.Database.open(serverUri, null);
    return admin;
}

// The URI of a new empty database on the engine under test, removed when
// the running test ends.
export function freshUri() {
    if (engine === 'sqlite')
        return 'sqlite::memory:';
    const name = `gorm_test_${pid}_${++nDatabases}`;
    adminDatabase().execute(`CREATE DATABASE "${name}"`, [], null);
    createdNames.push(name);
    return serverDatabaseUri(name);
}

// A URI that fails to open with Gorm.Error.CONNECTION on the engine under
// test: a file in a missing directory, or a database the server lacks.
export function unreachableUri() {
    if (engine === 'sqlite')
        return 'sqlite:/nonexistent/dir/x.db';
    return serverDatabaseUri(`gorm_test_${pid}_missing`);
}

// Closes what the test opened and drops what it created.
function cleanUp() {
    for (const db of openedDatabases) {
        if (!db.is_closed())
            db.close(null);
    }
    openedDatabases = [];
    for (const name of createdNames)
        adminDatabase().execute(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, [], null);
    createdNames = [];
}

const tests = [];

export function test(name, func) {
    tests.push([name, func]);
}

export class AssertionError extends Error {}

export function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new AssertionError(message);
}

export function assertEqual(actual, expected, message = '') {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (actual !== expected && a !== e)
        throw new AssertionError(`${message}${message ? ': ' : ''}expected ${e}, got ${a}`);
}

// Runs func (sync or async) and checks that it throws a GLib.Error of the
// Gorm.Error domain with that code; returns the error.
export async function assertGormError(code, func, message = '') {
    try {
        await func();
    } catch (e) {
        if (e instanceof AssertionError)
            throw e;
        assert(typeof e.matches === 'function' && e.matches(Gorm.Error, code),
            `${message}${message ? ': ' : ''}expected Gorm.Error code ${code}, got ${e}`);
        return e;
    }
    throw new AssertionError(`${message}${message ? ': ' : ''}expected Gorm.Error code ${code}, nothing thrown`);
}

// A fresh database (see freshUri()) with `types` migrated, closed when
// the running test ends.
export function openDatabase(...types) {
    const db = Gorm.Database.open(freshUri(), null);
    openedDatabases.push(db);
    if (types.length > 0)
        db.migrate(types.map(t => t.$gtype), null);
    return db;
}

// The same, opened with open_async().
export async function openDatabaseAsync(...types) {
    const db = await Gorm.Database.open_async(freshUri(), null);
    openedDatabases.push(db);
    if (types.length > 0)
        await db.migrate_async(types.map(t => t.$gtype), null);
    return db;
}

export async function run() {
    let failed = 0;
    print(`1..${tests.length}`);
    for (const [i, [name, func]] of tests.entries()) {
        try {
            // eslint-disable-next-line no-await-in-loop
            await func();
            print(`ok ${i + 1} ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} ${name}`);
            printerr(`# ${name}: ${e}\n${e.stack ?? ''}`);
        }
        try {
            cleanUp();
        } catch (e) {
            failed++;
            printerr(`# ${name}: cleaning up: ${e}\n${e.stack ?? ''}`);
        }
    }
    if (admin !== null)
        admin.close(null);
    System.exit(failed > 0 ? 1 : 0);
}
