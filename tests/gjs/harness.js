// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A tiny test harness for the gjs suite: test() runs a named (possibly
// async) function and records its failure, run() prints a TAP-like line
// per test and exits non-zero when any failed, which is what meson's
// 'exitcode' protocol reads.

import System from 'system';
import Gorm from 'gi://Gorm?version=1.0';

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

// Each test owns a fresh database in memory.
export function openDatabase(...types) {
    const db = Gorm.Database.open('sqlite::memory:', null);
    db.migrate(types.map(t => t.$gtype), null);
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
    }
    System.exit(failed > 0 ? 1 : 0);
}
