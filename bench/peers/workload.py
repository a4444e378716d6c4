# SPDX-License-Identifier: LGPL-2.1-or-later
"""The workload of bench/WORKLOAD.md for the peers driven from Python.

Every Python peer is a module with a class `Peer` that implements the
operations below in its library's own idiom; `main()` generates the data,
times each operation, computes the checks and prints the JSON line.  The
C peers do the same in workload.c; the two must agree value for value.

A peer class has these methods (untimed ones are marked):

    open(path, pragmas)          untimed: connect, set the pragmas, create the schema
    prepare(posts)               optional, untimed: the post tuples in the form the
                                 library's users hold them in
    insert(authors, posts)       -> the objects of the posts, ids set
    fetch_all()                  -> every post, as objects
    filter(x)                    -> the 20 posts of one filter query, as objects
    get(post_id)                 -> one post
    count(author_id)             -> an int
    load_all()                   untimed: every post, for `update`
    update(objects)              views += 1 and save each, one transaction
    delete_bulk()                -> the number of rows deleted
    load_lowest(n)               untimed: the n lowest-id posts, for `delete_each`
    delete_each(objects)         delete each, one transaction
    close()                      untimed
    version                      a string: the library and its version

Objects expose the attributes id, title, content, pub_date (a
datetime.datetime), views, rating, published and author_id.
"""

import datetime
import gc
import json
import os
import sqlite3
import sys
import time

LOREM = ('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod '
         'tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, '
         'quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.')

N_AUTHORS = 200
N_POSTS = 20000
N_FILTERS = 200
N_GETS = 5000
N_COUNTS = 500
N_DELETE_EACH = 1000
EPOCH = datetime.datetime(2020, 1, 1)

OPERATIONS = ('insert', 'fetch_all', 'filter', 'get_by_pk', 'count', 'update',
              'delete_bulk', 'delete_each')

# The checks every run must reproduce (bench/WORKLOAD.md, "Checks").
EXPECTED = {
    'insert_sum_id': 200010000,
    'fetch_all_n': 20000,
    'fetch_all_sum_id': 200010000,
    'fetch_all_sum_len': 5235806,
    'fetch_all_sum_date': 1274584422627165,
    'fetch_all_sum_views': 99766786,
    'fetch_all_sum_rating': 50024.222,
    'fetch_all_n_published': 14950,
    'fetch_all_sum_author_id': 2010000,
    'filter_sum_id': 39565137,
    'get_sum_views': 25185581,
    'count_sum': 37384,
    'delete_bulk_rows': 10008,
    'rows_left': 8992,
    'sum_views_left': 67402604,
}

# The statements each operation must send, by kind (bench/WORKLOAD.md, "Operations").
MAIN_STATEMENTS = {
    'insert': ('INSERT', 20200), 'fetch_all': ('SELECT', 1), 'filter': ('SELECT', 200),
    'get_by_pk': ('SELECT', 5000), 'count': ('SELECT', 500), 'update': ('UPDATE', 20000),
    'delete_bulk': ('DELETE', 1), 'delete_each': ('DELETE', 1000),
}

# The two pragma sets of a comparison (bench/WORKLOAD.md, "Pragmas").
PRAGMAS = {
    'workload': {'journal_mode': 'delete', 'synchronous': 'full', 'foreign_keys': 'on'},
    'libgorm': {'journal_mode': 'wal', 'synchronous': 'normal', 'foreign_keys': 'on'},
}


def pragma_statements(pragmas):
    """The PRAGMA statements that apply a pragma set, in a fixed order."""
    return ['PRAGMA %s=%s' % (name, pragmas[name])
            for name in ('journal_mode', 'synchronous', 'foreign_keys')]


def lcg(seed):
    """The generator of bench/WORKLOAD.md: a 64-bit LCG whose output is s >> 33."""
    s = seed
    while True:
        s = (s * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        yield s >> 33


class Data:
    """Everything a run needs, generated before any timing."""

    def __init__(self):
        self.authors = ['author-%03d' % i for i in range(N_AUTHORS)]
        # (title, content, pub_date, views, rating, published, author index)
        self.posts = []
        draws = lcg(12345)
        for i in range(N_POSTS):
            r1, r2, r3, r4, r5 = (next(draws) for _ in range(5))
            self.posts.append((
                'Post %d about topic %d' % (i, r1 % 100),
                '%s #%d' % (LOREM, i),
                EPOCH + datetime.timedelta(seconds=r2 % 31536000),
                r3 % 10000,
                (r4 % 5001) / 1000,
                r5 % 4 != 0,
                i % N_AUTHORS,
            ))
        draws = lcg(777)
        self.filter_views = [next(draws) % 9000 for _ in range(N_FILTERS)]
        # Distinct ids: the first N_GETS steps of a Fisher-Yates shuffle of 1..N_POSTS.
        ids = list(range(1, N_POSTS + 1))
        draws = lcg(999)
        for k in range(N_GETS):
            j = k + next(draws) % (N_POSTS - k)
            ids[k], ids[j] = ids[j], ids[k]
        self.get_ids = ids[:N_GETS]
        # Author ids cycle over the 200 authors, which are inserted first.
        self.count_authors = [1 + q % N_AUTHORS for q in range(N_COUNTS)]


def date_seconds(value):
    return (value.toordinal() * 86400 + value.hour * 3600 + value.minute * 60 + value.second)


def read_posts(posts, checks):
    """Reads every column attribute of every post (part of `fetch_all`)."""
    n = sum_id = sum_len = sum_date = sum_views = n_published = sum_author_id = 0
    sum_rating = 0.0
    for post in posts:
        n += 1
        sum_id += post.id
        sum_len += len(post.title) + len(post.content)
        sum_date += date_seconds(post.pub_date)
        sum_views += post.views
        sum_rating += post.rating
        n_published += bool(post.published)
        sum_author_id += post.author_id
    checks.update(fetch_all_n=n, fetch_all_sum_id=sum_id, fetch_all_sum_len=sum_len,
                  fetch_all_sum_date=sum_date, fetch_all_sum_views=sum_views,
                  fetch_all_sum_rating=round(sum_rating, 3),
                  fetch_all_n_published=n_published, fetch_all_sum_author_id=sum_author_id)


def remove_database(path):
    for suffix in ('', '-journal', '-wal', '-shm'):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


def rows_left(path, checks):
    """What is left in the file, read by the sqlite3 module after the peer closed it."""
    connection = sqlite3.connect(path)
    try:
        n, total = connection.execute('SELECT count(*), sum(views) FROM blogpost').fetchone()
    finally:
        connection.close()
    checks.update(rows_left=n, sum_views_left=total)


def bad_checks(checks):
    """The checks that differ from EXPECTED, as 'name: got X, want Y' strings."""
    return ['%s: got %r, want %r' % (name, checks.get(name), want)
            for name, want in EXPECTED.items() if checks.get(name) != want]


class Trace:
    """Counts the statements SQLite runs, by their first word.

    Only in a run with --trace: each peer hands its sqlite3 connection (or,
    for libgorm, the one libgda opened) to `attach`."""

    def __init__(self):
        self.counts = {}

    def attach(self, connection):
        connection.set_trace_callback(self.statement)

    def attach_process(self):
        """Counts the statements of every connection this process opens from
        now on, through the system SQLite's auto-extension hook: for a
        library such as libgda whose connections Python cannot reach."""
        import ctypes
        sqlite = ctypes.CDLL('libsqlite3.so.0')
        trace_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint, ctypes.c_void_p,
                                      ctypes.c_void_p, ctypes.c_void_p)
        entry_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                      ctypes.c_void_p)
        sqlite.sqlite3_trace_v2.argtypes = [ctypes.c_void_p, ctypes.c_uint, trace_type,
                                            ctypes.c_void_p]

        def traced(kind, context, statement, sql):
            self.statement(ctypes.string_at(sql).decode())
            return 0

        def opened(db, error, api):
            sqlite.sqlite3_trace_v2(db, 1, self._traced, None)  # SQLITE_TRACE_STMT
            return 0

        # Kept on self: SQLite calls them as long as the process runs.
        self._traced = trace_type(traced)
        self._opened = entry_type(opened)
        sqlite.sqlite3_auto_extension(self._opened)

    def statement(self, sql):
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ''
        self.counts[word] = self.counts.get(word, 0) + 1

    def take(self):
        counts, self.counts = self.counts, {}
        return counts


def main(peer_class, argv=None):
    """Runs the workload on one peer and prints its JSON line.

    Arguments: [--pragmas workload|libgorm] [--trace] [--db PATH]."""
    argv = sys.argv[1:] if argv is None else argv
    pragmas_name = 'workload'
    trace = None
    path = '/tmp/peers_bench_%s_%d.db' % (peer_class.name, os.getpid())
    i = 0
    while i < len(argv):
        if argv[i] == '--pragmas':
            pragmas_name = argv[i + 1]
            i += 1
        elif argv[i] == '--trace':
            trace = Trace()
        elif argv[i] == '--db':
            path = argv[i + 1]
            i += 1
        else:
            raise SystemExit('unknown argument %r' % argv[i])
        i += 1

    data = Data()
    remove_database(path)
    peer = peer_class()
    peer.trace = trace
    times = {}
    checks = {}
    statements = {}

    def timed(op, function, *args):
        gc.collect()
        if trace:
            trace.take()
        start = time.perf_counter()
        result = function(*args)
        times[op] = time.perf_counter() - start
        if trace:
            statements[op] = trace.take()
        return result

    try:
        peer.open(path, PRAGMAS[pragmas_name])

        # A peer may put the data in the form its users hold them in (for
        # libgorm, aware datetimes), before the timing.
        posts_data = peer.prepare(data.posts) if hasattr(peer, 'prepare') else data.posts

        def insert():
            posts = peer.insert(data.authors, posts_data)
            checks['insert_sum_id'] = sum(post.id for post in posts)
        timed('insert', insert)
        del insert

        def fetch_all():
            read_posts(peer.fetch_all(), checks)
        timed('fetch_all', fetch_all)

        def filter_():
            total = 0
            for x in data.filter_views:
                for post in peer.filter(x):
                    total += post.id
            checks['filter_sum_id'] = total
        timed('filter', filter_)

        def get_by_pk():
            total = 0
            for post_id in data.get_ids:
                total += peer.get(post_id).views
            checks['get_sum_views'] = total
        timed('get_by_pk', get_by_pk)

        def count():
            total = 0
            for author_id in data.count_authors:
                total += peer.count(author_id)
            checks['count_sum'] = total
        timed('count', count)

        objects = peer.load_all()
        timed('update', peer.update, objects)
        del objects

        checks['delete_bulk_rows'] = timed('delete_bulk', peer.delete_bulk)

        objects = peer.load_lowest(N_DELETE_EACH)
        timed('delete_each', peer.delete_each, objects)
        del objects

        sqlite_version = peer.sqlite_version()
        peer.close()
        rows_left(path, checks)
    finally:
        remove_database(path)

    line = {'peer': peer_class.name}
    line.update((op, times[op]) for op in OPERATIONS)
    line.update(version=peer.version, sqlite=sqlite_version, pragmas=pragmas_name,
                checks=checks)
    if trace:
        line['statements'] = statements
    print(json.dumps(line), flush=True)
    bad = bad_checks(checks)
    if bad:
        print('%s: checks differ: %s' % (peer_class.name, '; '.join(bad)), file=sys.stderr)
        return 1
    return 0
