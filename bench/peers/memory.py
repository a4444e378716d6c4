#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Peak memory of fetching a million rows into Python objects, per ORM.

    /usr/bin/python3 bench/peers/memory.py [--builddir _build] [--rows 1000000]
        [--peers libgorm-py,django,sqlalchemy,peewee] [--rounds 1] [--out bench/results]

For each peer, on a fresh SQLite file (WORKLOAD.md's pragmas):

1. a setup process opens the file with the peer (its own schema) and
   inserts WORKLOAD.md's 200 authors and 20,000 posts with the peer's
   `insert` (so every column is in the form the library writes it);
2. this script copies the posts with plain sqlite3 until the table holds
   --rows posts (a multiple of 20,000);
3. a fresh process opens the file with the peer, calls the peer's
   `fetch_all()` (the same call as the workload's `fetch_all`: a list of
   every post as an object), reads every column of every object as the
   workload does, checks the number of posts and the sum of `views`, and
   reports its peak resident set (`ru_maxrss`), its resident set before
   the fetch (the interpreter, the library and the open database) and the
   seconds of the fetch and the reads.

Writes memory.md and memory.json to --out and prints the table;
`compare.py --memory` (`./tools/run bench --memory`) runs it and adds the
table to its report.  Exits non-zero if a run failed or its check differs.
"""

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import workload  # noqa: E402

MODULES = {'libgorm-py': 'peer_libgorm', 'django': 'peer_django',
           'sqlalchemy': 'peer_sqlalchemy', 'peewee': 'peer_peewee'}
PEERS = list(MODULES)
COLUMNS = 'title, content, pub_date, views, rating, published, author_id'


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def peer_of(name):
    module = __import__(MODULES[name])
    peer = module.Peer()
    peer.trace = None
    return peer


def target(path):
    return workload.Target('sqlite', path, 'workload')


def setup(name, path):
    """Child: the peer's schema and the workload's 20,000 posts, written by the peer."""
    data = workload.Data()
    peer = peer_of(name)
    peer.open(target(path))
    posts = peer.prepare(data.posts) if hasattr(peer, 'prepare') else data.posts
    peer.insert(data.authors, posts)
    peer.close()


def measure(name, path):
    """Child: fetch every post into objects; one JSON line."""
    peer = peer_of(name)
    if name == 'django':
        # Django's open() creates its tables, which the setup process made.
        from django.db.backends.base.schema import BaseDatabaseSchemaEditor
        BaseDatabaseSchemaEditor.create_model = lambda editor, model: None
    peer.open(target(path))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    checks = {}
    started = time.perf_counter()
    objects = peer.fetch_all()
    workload.read_posts(objects, checks)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({'peer': name, 'version': peer.version, 'rows': checks['fetch_all_n'],
                      'sum_views': checks['fetch_all_sum_views'], 'seconds': seconds,
                      'peak_kib': peak, 'before_kib': before}), flush=True)
    del objects
    peer.close()


def fill(path, rows):
    """Copies the 20,000 posts until the table holds @rows."""
    copies = rows // workload.N_POSTS - 1
    connection = sqlite3.connect(path)
    try:
        if copies > 0:
            connection.execute(
                'WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) '
                'INSERT INTO blogpost (%s) SELECT %s FROM blogpost, k' % (COLUMNS, COLUMNS),
                (copies,))
            connection.commit()
        return connection.execute('SELECT count(*) FROM blogpost').fetchone()[0]
    finally:
        connection.close()


def child(env, *args):
    return subprocess.run(['/usr/bin/python3', os.path.abspath(__file__)] + list(args),
                          capture_output=True, text=True, env=env, cwd=HERE)


def run_one(env, name, rows):
    """One measurement of @name: its JSON line, or (None, why)."""
    fd, path = tempfile.mkstemp(prefix='gorm-bench-memory-', suffix='.db')
    os.close(fd)
    try:
        workload.remove_database(path)
        proc = child(env, '--setup', name, '--db', path)
        if proc.returncode != 0:
            return None, 'setup: exit %d: %s' % (proc.returncode, proc.stderr.strip()[-500:])
        got = fill(path, rows)
        if got != rows:
            return None, 'the table holds %d posts, not %d' % (got, rows)
        proc = child(env, '--measure', name, '--db', path)
        line, why = workload.run_line(proc.returncode, proc.stdout, proc.stderr)
        if line is None:
            return None, why
        want = workload.EXPECTED['fetch_all_sum_views'] * (rows // workload.N_POSTS)
        if line['rows'] != rows or line['sum_views'] != want:
            return None, ('checks differ: %d posts (want %d), sum of views %d (want %d)'
                          % (line['rows'], rows, line['sum_views'], want))
        return line, None
    finally:
        workload.remove_database(path)


def report(results, rows, rounds):
    """The Markdown table of a run: the lowest peak of each peer's rounds."""
    md = ['### Memory: %s rows fetched into Python objects' % format(rows, ','), '',
          'Each peer in a fresh process on SQLite: `fetch_all()` (a list of every post as an '
          'object), every column of every object read, as in the workload. Peak resident set '
          '(`ru_maxrss`), the resident set before the fetch (interpreter, library, open '
          'database), and the seconds of the fetch and the reads; the lowest of %d round%s.'
          % (rounds, '' if rounds == 1 else 's'), '']
    best = {name: min(lines, key=lambda line: line['peak_kib'])
            for name, lines in results.items() if lines}
    django = best.get('django')
    md.append('| peer | peak RSS | before the fetch | fetch + reads | peak / Django\'s |')
    md.append('|---|---:|---:|---:|---:|')
    for name, line in best.items():
        ratio = '%.2f×' % (line['peak_kib'] / django['peak_kib']) if django else '–'
        md.append('| %s | %.0f MiB | %.0f MiB | %.1f s | %s |'
                  % (name, line['peak_kib'] / 1024, line['before_kib'] / 1024, line['seconds'],
                     ratio))
    md.append('')
    if django and 'libgorm-py' in best:
        mine = best['libgorm-py']['peak_kib']
        md.append('Target (issue 19): libgorm-py\'s peak no more than Django\'s: %.0f MiB against '
                  '%.0f MiB, %s.' % (mine / 1024, django['peak_kib'] / 1024,
                                     'met' if mine <= django['peak_kib'] else '**missed**'))
        md.append('')
    return md, best


def run(env, peers, rows, rounds, out_dir):
    """Every peer, @rounds times interleaved: (Markdown lines, results, failures)."""
    results = {name: [] for name in peers}
    failures = []
    for round_ in range(1, rounds + 1):
        for name in peers:
            started = time.monotonic()
            line, why = run_one(env, name, rows)
            if line is None:
                failures.append('memory, %s, round %d: %s' % (name, round_, why))
                log('!! memory %s round %d: %s' % (name, round_, why))
                continue
            results[name].append(line)
            log('memory round %d %-11s peak %.0f MiB, %.1f s (%.0f s in all)'
                % (round_, name, line['peak_kib'] / 1024, line['seconds'],
                   time.monotonic() - started))
    md, best = report(results, rows, rounds)
    if failures:
        md += ['Failures:', ''] + ['- ' + f for f in failures] + ['']
    data = {'rows': rows, 'rounds': rounds, 'runs': results, 'failures': failures}
    if out_dir:
        workload.write_report(out_dir, 'memory', md, data)
    return md, data, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build'))
    parser.add_argument('--rows', type=int, default=1000000)
    parser.add_argument('--peers', default=','.join(PEERS))
    parser.add_argument('--rounds', type=int, default=1)
    parser.add_argument('--out', default=os.path.join(TOP, 'bench', 'results'))
    parser.add_argument('--setup', metavar='PEER', help=argparse.SUPPRESS)
    parser.add_argument('--measure', metavar='PEER', help=argparse.SUPPRESS)
    parser.add_argument('--db', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.setup, args.db)
        return 0
    if args.measure:
        measure(args.measure, args.db)
        return 0
    if args.rows < workload.N_POSTS or args.rows % workload.N_POSTS:
        parser.error('--rows must be a multiple of %d' % workload.N_POSTS)
    peers = args.peers.split(',')
    for name in peers:
        if name not in MODULES:
            parser.error('unknown peer %r (%s)' % (name, ', '.join(PEERS)))
    import compare
    env = compare.devenv(os.path.abspath(args.builddir))
    md, _, failures = run(env, peers, args.rows, args.rounds, args.out)
    print('\n'.join(md))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
