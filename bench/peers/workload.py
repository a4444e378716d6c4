# SPDX-License-Identifier: LGPL-2.1-or-later
"""The workload of bench/WORKLOAD.md for the peers driven from Python.

Every Python peer is a module with a class `Peer` that implements the
operations below in its library's own idiom; `main()` generates the data,
times each operation, computes the checks and prints the JSON line.  The
C peers do the same in workload.c; the two must agree value for value.

A peer class has these methods (untimed ones are marked):

    open(target)                 untimed: connect, set the pragmas (SQLite), create the
                                 schema; `target` is a Target: engine 'sqlite' (path,
                                 pragmas) or 'postgresql' (uri, params of a fresh database)
    prepare(posts)               optional, untimed: the post tuples in the form the
                                 library's users hold them in
    insert(authors, posts)       -> the objects of the posts, ids set
    fetch_all()                  -> every post, as objects
    fetch_related()              -> every post, as objects, each with its author object
                                    (`post.author`) loaded in the same statement
    filter(x)                    -> the 20 posts of one filter query, as objects
    get(post_id)                 -> one post
    count(author_id)             -> an int
    load_authors()               untimed: the 200 authors, as objects, by id, for
                                    `count_related` and `bulk_create`
    count_related(author)        -> the number of the author's posts, counted through the
                                    reverse relation of that author object
    aggregate()                  -> per author, (author id, number of posts, sum of views),
                                    from one grouped query (any order)
    load_all()                   untimed: every post, for `update`
    update(objects)              views += 1 and save each, one transaction
    delete_bulk()                -> the number of rows deleted
    load_lowest(n)               untimed: the n lowest-id posts, for `delete_each`
    delete_each(objects)         delete each, one transaction
    bulk_create(authors, posts)  -> the 20,000 new posts (the objects of `posts`, whose author
                                    is authors[index]) inserted by one call of the library's
                                    bulk API; their ids set, or None where it gives none
    close()                      untimed
    sqlite_version()             untimed, SQLite only: the SQLite library the peer loaded
    version                      a string: the library and its version
    engines                      optional: the engines the peer runs on (default sqlite)

Objects expose the attributes id, title, content, pub_date (a
datetime.datetime), views, rating, published and author_id; the posts of
`fetch_related` also `author`, an object with `id` and `name`.
"""

import datetime
import gc
import json
import os
import re
import sqlite3
import sys
import time
import urllib.parse

LOREM = ('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod '
         'tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, '
         'quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.')

N_AUTHORS = 200
N_POSTS = 20000
N_FILTERS = 200
N_GETS = 5000
N_COUNTS = 500
N_DELETE_EACH = 1000
# Rows per multi-row INSERT of bulk_create in the peers that write SQL.
BULK_BATCH = 1000

# aggregate, in the peers that write SQL: per author, the posts and their views.
AGGREGATE_SELECT = 'SELECT author_id, count(id), sum(views) FROM blogpost GROUP BY author_id'
# bulk_create's multi-row INSERT, without its VALUES rows.
BULK_INSERT = ('INSERT INTO blogpost (title, content, pub_date, views, rating, published, '
               'author_id) VALUES ')


def bulk_insert_sql(n, placeholder='?'):
    """The INSERT of bulk_create for @n rows of 7 placeholders each."""
    row = '(%s)' % ', '.join([placeholder] * 7)
    return BULK_INSERT + ', '.join([row] * n)
EPOCH = datetime.datetime(2020, 1, 1)

OPERATIONS = ('insert', 'fetch_all', 'fetch_related', 'filter', 'get_by_pk', 'count',
              'count_related', 'aggregate', 'update', 'delete_bulk', 'delete_each',
              'bulk_create')

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
    'fetch_related_n': 20000,
    'fetch_related_sum_len': 200000,
    'fetch_related_checksum': 19967660000,
    'filter_sum_id': 39565137,
    'get_sum_views': 25185581,
    'count_sum': 37384,
    'count_related_sum': 20000,
    'count_related_checksum': 2010000,
    'aggregate_n': 200,
    'aggregate_sum_count': 20000,
    'aggregate_sum_views': 99766786,
    'aggregate_checksum': 10027151670,
    'delete_bulk_rows': 10008,
    'bulk_create_n': 20000,
    'bulk_create_sum_id': 600010000,
    'rows_left': 28992,
    'sum_views_left': 167169390,
}

# Checks that may be None: the ORM's bulk insert gives the objects no ids
# (bench/WORKLOAD.md says which); every other peer must give them all.
MAY_BE_NONE = ('bulk_create_sum_id',)

# The statements each operation must send, by kind (bench/WORKLOAD.md, "Operations").
MAIN_STATEMENTS = {
    'insert': ('INSERT', 20200), 'fetch_all': ('SELECT', 1), 'fetch_related': ('SELECT', 1),
    'filter': ('SELECT', 200), 'get_by_pk': ('SELECT', 5000), 'count': ('SELECT', 500),
    'count_related': ('SELECT', 200), 'update': ('UPDATE', 20000),
    'aggregate': ('SELECT', 1), 'delete_bulk': ('DELETE', 1), 'delete_each': ('DELETE', 1000),
    # As many as the library batches the rows (None: no fixed count).
    'bulk_create': ('INSERT', None),
}

# Authors are named 'author-NNN': the number starts here.
AUTHOR_NUMBER = 7

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


def read_related(posts, checks):
    """Reads each post's author name through the relation (part of `fetch_related`)."""
    n = sum_len = checksum = 0
    for post in posts:
        name = post.author.name
        n += 1
        sum_len += len(name)
        checksum += post.id * int(name[AUTHOR_NUMBER:])
    checks.update(fetch_related_n=n, fetch_related_sum_len=sum_len,
                  fetch_related_checksum=checksum)


def read_aggregate(rows, checks):
    """Reads the grouped rows of `aggregate`: (author id, count, sum of views)."""
    n = sum_count = sum_views = checksum = 0
    for author_id, count, views in rows:
        # int(): on PostgreSQL sum(bigint) is a numeric, a Decimal in psycopg2.
        count, views = int(count), int(views)
        n += 1
        sum_count += count
        sum_views += views
        checksum += author_id * views
    checks.update(aggregate_n=n, aggregate_sum_count=sum_count, aggregate_sum_views=sum_views,
                  aggregate_checksum=checksum)


def read_bulk(objects, checks):
    """The posts of `bulk_create`: how many, and the sum of their ids, or
    None when the library set none (a partial sum fails the check)."""
    n = total = given = 0
    for post in objects:
        n += 1
        if post.id is not None:
            given += 1
            total += post.id
    checks.update(bulk_create_n=n, bulk_create_sum_id=total if given else None)


def related_statements_bad(statements):
    """With a trace: why fetch_related's statements are wrong, or None.  The
    authors come with the posts: fetch_related sends SELECTs, but no more
    than fetch_all sends for the posts alone (1 for most peers, a model's
    pages for libgorm), never one more per post or per author."""
    related = statements.get('fetch_related', {}).get('SELECT', 0)
    alone = statements.get('fetch_all', {}).get('SELECT', 0)
    if related < 1 or related > alone:
        return ('fetch_related statements: %d SELECT, fetch_all %d: the authors must come in '
                'the posts\' statements' % (related, alone))
    return None


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


def postgresql_params(uri):
    """The libpq keywords of a postgresql:// URI (host, port, user, password, dbname)."""
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme not in ('postgresql', 'postgres'):
        raise SystemExit('not a postgresql:// URI: %s' % parts.scheme)
    params = {'host': parts.hostname or '127.0.0.1', 'port': parts.port or 5432,
              'user': urllib.parse.unquote(parts.username or ''),
              'password': urllib.parse.unquote(parts.password or ''),
              'dbname': urllib.parse.unquote(parts.path.lstrip('/')) or 'postgres'}
    return params


def postgresql_uri(params):
    return 'postgresql://%s:%s@%s:%d/%s' % (
        urllib.parse.quote(params['user'], safe=''), urllib.parse.quote(params['password'], safe=''),
        params['host'], params['port'], urllib.parse.quote(params['dbname'], safe=''))


def postgresql_connect(params, dbname):
    import psycopg2
    connection = psycopg2.connect(**dict(params, dbname=dbname))
    connection.autocommit = True
    return connection


class Target:
    """Where a run writes: a fresh SQLite file or a fresh PostgreSQL database.

    SQLite: `path`, and `pragmas` (applied by the peer right after it
    connects).  PostgreSQL: the server's defaults, `params` (libpq keywords)
    and `uri` of a database this harness creates before the run and drops
    after it; `server` holds the parameters of the server's own database,
    from which it does both."""

    def __init__(self, engine, name, pragmas_name, server_uri=None, statement_log=None):
        self.engine = engine
        self.statement_log = statement_log
        if engine == 'sqlite':
            self.path = name
            self.pragmas_name = pragmas_name
            self.pragmas = PRAGMAS[pragmas_name]
        else:
            self.server = postgresql_params(server_uri)
            self.params = dict(self.server, dbname=name)
            self.uri = postgresql_uri(self.params)
            self.pragmas_name = 'postgresql'
            self.pragmas = None

    def create(self, trace):
        if self.engine == 'sqlite':
            remove_database(self.path)
            return
        self.drop()
        connection = postgresql_connect(self.server, self.server['dbname'])
        try:
            with connection.cursor() as cursor:
                cursor.execute('CREATE DATABASE "%s"' % self.params['dbname'])
                if trace:
                    # Only the sessions of this database write their statements
                    # to the server's log, which Trace reads.
                    cursor.execute('ALTER DATABASE "%s" SET log_statement = \'all\''
                                   % self.params['dbname'])
        finally:
            connection.close()

    def drop(self):
        if self.engine == 'sqlite':
            remove_database(self.path)
            return
        connection = postgresql_connect(self.server, self.server['dbname'])
        try:
            with connection.cursor() as cursor:
                # FORCE: a peer's backends may still be going away.
                cursor.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.params['dbname'])
        finally:
            connection.close()

    def rows_left(self, checks):
        """What the peer left, read after it closed its connections."""
        if self.engine == 'sqlite':
            rows_left(self.path, checks)
            return
        connection = postgresql_connect(self.params, self.params['dbname'])
        try:
            with connection.cursor() as cursor:
                cursor.execute('SELECT count(*), sum(views)::bigint FROM blogpost')
                n, total = cursor.fetchone()
        finally:
            connection.close()
        checks.update(rows_left=n, sum_views_left=total)

    def server_version(self):
        connection = postgresql_connect(self.params, self.params['dbname'])
        try:
            with connection.cursor() as cursor:
                cursor.execute('SHOW server_version')
                return cursor.fetchone()[0]
        finally:
            connection.close()


def run_line(returncode, stdout, stderr):
    """The JSON line of a peer's run from its output: (line, None), or
    (None, why) when it failed or printed none."""
    line = None
    for text in stdout.splitlines():
        if text.startswith('{'):
            line = json.loads(text)
    if returncode != 0 or line is None:
        return None, 'exit %d: %s' % (returncode, stderr.strip()[-800:])
    return line, None


def write_report(out_dir, name, md, data):
    """NAME.md (the Markdown lines @md) and NAME.json (@data) in @out_dir."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, name + '.json'), 'w') as f:
        json.dump(data, f, indent=1)
    with open(os.path.join(out_dir, name + '.md'), 'w') as f:
        f.write('\n'.join(md) + '\n')


def bad_checks(checks):
    """The checks that differ from EXPECTED, as 'name: got X, want Y' strings."""
    return ['%s: got %r, want %r' % (name, checks.get(name), want)
            for name, want in EXPECTED.items()
            if checks.get(name) != want and not (name in MAY_BE_NONE and name in checks
                                                 and checks[name] is None)]


# A statement in PostgreSQL's log with log_statement=all: "statement: SQL"
# (simple protocol) or "execute NAME: SQL" (a prepared statement).
LOG_STATEMENT = re.compile(r'\bLOG:  (?:statement|execute [^:]*): \s*(\S+)')


class Trace:
    """Counts the statements the engine runs, by their first word.

    Only in a run with --trace.  SQLite: each peer hands its sqlite3
    connection (or, for libgorm, the one libgda opened) to `attach`.
    PostgreSQL: the run's database logs every statement (log_statement =
    all) to the server's log file, which `take` reads from where it last
    stopped."""

    def __init__(self, statement_log=None):
        self.counts = {}
        self.statement_log = statement_log
        self.offset = os.path.getsize(statement_log) if statement_log else 0

    def attach(self, connection):
        if self.statement_log is None:
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
        if self.statement_log:
            with open(self.statement_log, 'rb') as f:
                f.seek(self.offset)
                text = f.read()
            # Only whole lines: a backend may be writing the next one.
            end = text.rfind(b'\n') + 1
            self.offset += end
            for line in text[:end].decode('utf-8', 'replace').splitlines():
                match = LOG_STATEMENT.search(line)
                if match:
                    self.statement(match.group(1).rstrip(';'))
        counts, self.counts = self.counts, {}
        return counts


USAGE = ('arguments: [--pragmas workload|libgorm] [--postgresql SERVER-URI] [--db PATH-OR-NAME] '
         '[--trace [--statement-log SERVER-LOG]] [--scale N] [--ops-library PATH]')


def scale_down(divisor):
    """A workload @divisor times smaller (authors, posts, filters, gets,
    counts and deleted posts), for a profile under callgrind: its checks
    are not WORKLOAD.md's, and main() does not compare them."""
    global N_AUTHORS, N_POSTS, N_FILTERS, N_GETS, N_COUNTS, N_DELETE_EACH
    N_AUTHORS //= divisor
    N_POSTS //= divisor
    N_FILTERS //= divisor
    N_GETS //= divisor
    N_COUNTS //= divisor
    N_DELETE_EACH //= divisor


def op_runner(path):
    """Runs each operation through the C function op_NAME of the library at
    @path (workload-ops.c, by its workload_run_op()), so that callgrind's
    --toggle-collect=op_NAME counts it; an exception raised by the
    operation is raised again here."""
    import ctypes
    library = ctypes.CDLL(path)
    library.workload_run_op.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    callback_type = ctypes.CFUNCTYPE(None)

    def run(op, function, *args):
        outcome = []

        def call():
            try:
                outcome.append((True, function(*args)))
            except BaseException as error:  # noqa: B902 (raised again below)
                outcome.append((False, error))
        callback = callback_type(call)
        if library.workload_run_op(op.encode(), ctypes.cast(callback, ctypes.c_void_p)) != 0:
            raise SystemExit('%s has no op_%s' % (path, op))
        ok, value = outcome[0]
        if not ok:
            raise value
        return value
    return run


def main(peer_class, argv=None):
    """Runs the workload on one peer and prints its JSON line.

    Arguments: [--pragmas workload|libgorm] [--postgresql SERVER-URI]
    [--db PATH-OR-NAME] [--trace [--statement-log SERVER-LOG]] [--scale N]
    [--ops-library PATH].  With --postgresql the run creates a database
    (--db, by default peers_bench_PEER_PID) on that server, runs on it and
    drops it; --trace then needs the server's log file.  --scale N runs a
    workload N times smaller, whose checks are printed but not compared;
    --ops-library runs each operation through workload-ops.c's op_NAME
    (both for compare.py --profile)."""
    argv = sys.argv[1:] if argv is None else argv
    pragmas_name = 'workload'
    trace = False
    server_uri = statement_log = name = ops_library = None
    scale = 1
    i = 0
    while i < len(argv):
        if argv[i] in ('--pragmas', '--postgresql', '--db', '--statement-log', '--scale',
                       '--ops-library') and i + 1 < len(argv):
            value = argv[i + 1]
            if argv[i] == '--scale':
                if not value.isdigit() or not 1 <= int(value) <= N_AUTHORS:
                    raise SystemExit('--scale must be an integer from 1 to %d' % N_AUTHORS)
                scale = int(value)
            elif argv[i] == '--ops-library':
                ops_library = value
            elif argv[i] == '--pragmas':
                pragmas_name = value
            elif argv[i] == '--postgresql':
                server_uri = value
            elif argv[i] == '--db':
                name = value
            else:
                statement_log = value
            i += 1
        elif argv[i] == '--trace':
            trace = True
        else:
            raise SystemExit('unknown argument %r; %s' % (argv[i], USAGE))
        i += 1
    if pragmas_name not in PRAGMAS:
        raise SystemExit('--pragmas must be workload or libgorm')
    engine = 'postgresql' if server_uri else 'sqlite'
    if engine not in getattr(peer_class, 'engines', ('sqlite',)):
        raise SystemExit('%s does not run on %s' % (peer_class.name, engine))
    if engine == 'sqlite':
        name = name or '/tmp/peers_bench_%s_%d.db' % (peer_class.name, os.getpid())
    else:
        name = name or 'peers_bench_%s_%d' % (peer_class.name.replace('-', '_'), os.getpid())
        if trace and not statement_log:
            raise SystemExit('--trace on PostgreSQL needs --statement-log (the server\'s log file)')
    target = Target(engine, name, pragmas_name, server_uri, statement_log)
    if scale > 1:
        scale_down(scale)
    run_op = op_runner(ops_library) if ops_library else (lambda op, function, *args: function(*args))

    data = Data()
    target.create(trace)
    trace = Trace(statement_log if engine == 'postgresql' else None) if trace else None
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
        result = run_op(op, function, *args)
        times[op] = time.perf_counter() - start
        if trace:
            statements[op] = trace.take()
        return result

    try:
        peer.open(target)

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

        def fetch_related():
            read_related(peer.fetch_related(), checks)
        timed('fetch_related', fetch_related)

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

        authors = peer.load_authors()

        def count_related():
            total = weighted = 0
            for author in authors:
                n = peer.count_related(author)
                total += n
                weighted += author.id * n
            checks.update(count_related_sum=total, count_related_checksum=weighted)
        timed('count_related', count_related)
        del authors

        def aggregate():
            read_aggregate(peer.aggregate(), checks)
        timed('aggregate', aggregate)

        objects = peer.load_all()
        timed('update', peer.update, objects)
        del objects

        checks['delete_bulk_rows'] = timed('delete_bulk', peer.delete_bulk)

        objects = peer.load_lowest(N_DELETE_EACH)
        timed('delete_each', peer.delete_each, objects)
        del objects

        authors = peer.load_authors()

        def bulk_create():
            read_bulk(peer.bulk_create(authors, posts_data), checks)
        timed('bulk_create', bulk_create)
        del authors

        if engine == 'sqlite':
            server = {'sqlite': peer.sqlite_version()}
        peer.close()
        target.rows_left(checks)
        if engine == 'postgresql':
            server = {'postgresql': target.server_version()}
    finally:
        target.drop()

    line = {'peer': peer_class.name}
    line.update((op, times[op]) for op in OPERATIONS)
    line.update(version=peer.version, engine=engine, pragmas=target.pragmas_name, checks=checks)
    line.update(server)
    if trace:
        line['statements'] = statements
    if scale > 1:
        line['scale'] = scale
    print(json.dumps(line), flush=True)
    # A smaller workload has checks of its own: none to compare with.
    bad = bad_checks(checks) if scale == 1 else []
    if trace:
        why = related_statements_bad(statements)
        if why:
            bad.append(why)
    if bad:
        print('%s: checks differ: %s' % (peer_class.name, '; '.join(bad)), file=sys.stderr)
        return 1
    return 0
