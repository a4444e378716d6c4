#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the peers of bench/WORKLOAD.md against each other and reports.

    /usr/bin/python3 bench/peers/compare.py [--builddir _build] [--rounds 5]
        [--engines sqlite,postgresql] [--peers a,b,...] [--pragmas workload,libgorm]
        [--postgresql URI [--statement-log FILE]] [--no-scale] [--out bench/results]
        [--steps profile,peers,memory,scale | --profile | --memory]
        [--profile-scale 10] [--memory-rows 1000000]

Builds BUILDDIR, checks each peer once with a statement trace, then runs
the peers interleaved (A B C ... A B C ...) for every round and pragma
set, rejects any run whose checks differ from workload.EXPECTED, and
writes results.json, results.md and slowdown-<pragmas>.png to --out.
It also runs bench-mainloop and bench-scale (the main-loop gaps and the
million-row model, both on SQLite) and puts their tables in the same
report, unless --no-scale. Before the timed runs it counts each
operation's instructions under callgrind, split by library
(callgrind_profile.py), and after them it measures the peak memory of a
million rows fetched into Python objects (memory.py); --profile and
--memory run that step alone.  The first table of each engine is issue
19's targets.  Exits non-zero if any run or step failed.

On PostgreSQL (--engines, both by default) it starts one throw-away
server with tools/pg-server, with PostgreSQL's default durable settings
(fsync, synchronous_commit and full_page_writes on), the same server and
settings for every peer; each run creates its own database and drops it;
the server is stopped at the end and on any exit. --postgresql URI uses
a developer's own server (a superuser's URI) instead; the statements are
then counted only if --statement-log names that server's log file.  The
report of an engine not run this time is kept from the previous
results.json and results.md.
"""

import argparse
import atexit
import datetime
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import workload  # noqa: E402
import callgrind_profile  # noqa: E402
import memory  # noqa: E402

ENGINES = ('sqlite', 'postgresql')
# The peers of each engine, in the order they run and are reported.
ENGINE_PEERS = {
    'sqlite': ['raw_sqlite', 'raw_gda', 'libgorm-c', 'pysqlite3', 'sqlalchemy', 'peewee',
               'django', 'libgorm-py'],
    'postgresql': ['raw_libpq', 'raw_gda', 'libgorm-c', 'psycopg2', 'sqlalchemy', 'peewee',
                   'django', 'libgorm-py'],
}
# The floor of each engine (the ratios are to it) and of the Python peers.
FLOOR = {'sqlite': 'raw_sqlite', 'postgresql': 'raw_libpq'}
PY_FLOOR = {'sqlite': 'pysqlite3', 'postgresql': 'psycopg2'}
PEERS = list(dict.fromkeys(ENGINE_PEERS['sqlite'] + ENGINE_PEERS['postgresql']))
C_PEERS = {'raw_sqlite': 'peer-raw-sqlite', 'raw_gda': 'peer-raw-gda',
           'libgorm-c': 'peer-libgorm-c', 'raw_libpq': 'peer-raw-libpq'}
PY_PEERS = {'pysqlite3': 'peer_pysqlite3.py', 'sqlalchemy': 'peer_sqlalchemy.py',
            'peewee': 'peer_peewee.py', 'django': 'peer_django.py',
            'libgorm-py': 'peer_libgorm.py', 'psycopg2': 'peer_psycopg2.py'}
PACKAGES = ['python3-sqlalchemy', 'python3-sqlalchemy-ext', 'python3-peewee', 'python3-django',
            'python3-psycopg2', 'python3-matplotlib']
TOOLS_PG_SERVER = os.path.join(TOP, 'tools', 'pg-server')


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# The scale benchmark compares libgorm with Gom when meson finds it.
SCALE_PACKAGES = ['libgom-1.0-dev']


def install(packages, why):
    """Installs Debian packages (as root), or stops naming them."""
    command = ['apt-get', 'install', '-y', '--no-install-recommends'] + packages
    if os.geteuid() != 0:
        raise SystemExit('%s need Debian packages: sudo apt-get update && sudo %s'
                         % (why, ' '.join(command)))
    log('==> installing', ' '.join(packages))
    subprocess.run(['apt-get', 'update'], check=True)
    subprocess.run(command, check=True, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))


def ensure_packages(scale):
    """Installs what is missing; True when the build must be configured again."""
    check = subprocess.run(['/usr/bin/python3', '-c',
                            'import sqlalchemy, peewee, django, psycopg2, matplotlib'],
                           capture_output=True)
    if check.returncode != 0:
        install(PACKAGES, 'The Python peers')
    if scale and subprocess.run(['pkg-config', '--exists', 'gom-1.0']).returncode != 0:
        install(SCALE_PACKAGES, 'The scale benchmark')
        return True
    return False


def devenv(builddir):
    """The environment `meson devenv` gives: the uninstalled typelib, library and override."""
    out = subprocess.run(['meson', 'devenv', '-C', builddir, '--dump'], capture_output=True,
                         text=True, check=True).stdout
    env = dict(os.environ)
    for line in out.splitlines():
        if '=' in line and not line.startswith('export'):
            name, value = line.split('=', 1)
            saved, os.environ[name] = os.environ.get(name), ''
            # "$NAME" in a value is the variable's value before devenv.
            env[name] = os.path.expandvars(value.strip('"').replace('$' + name, saved or '')).strip(':')
            if saved is None:
                del os.environ[name]
            else:
                os.environ[name] = saved
    return env


class Server:
    """The PostgreSQL server of a comparison: started here by tools/pg-server
    (and stopped by `stop`, at exit or on a signal), or a developer's own."""

    def __init__(self, uri=None, statement_log=None):
        self.dir = None
        self.uri = uri
        self.statement_log = statement_log
        self.own = uri is None
        self.counter = 0

    def start(self):
        if self.uri:
            return
        self.dir = tempfile.mkdtemp(prefix='gorm-bench-pg-')
        atexit.register(self.stop)
        # The server's defaults: no GORM_PG_SETTINGS (the tests' fsync=off).
        env = {k: v for k, v in os.environ.items() if k != 'GORM_PG_SETTINGS'}
        log('==> tools/pg-server start %s' % self.dir)
        self.uri = subprocess.run([TOOLS_PG_SERVER, 'start', self.dir], check=True, env=env,
                                  capture_output=True, text=True).stdout.strip().splitlines()[-1]
        self.statement_log = os.path.join(self.dir, 'server.log')

    def stop(self):
        if self.dir and os.path.isdir(self.dir):
            log('==> tools/pg-server stop %s' % self.dir)
            subprocess.run([TOOLS_PG_SERVER, 'stop', self.dir], check=False)
        self.dir = None

    def new_name(self, peer):
        self.counter += 1
        return 'gorm_bench_%d_%d_%s' % (os.getpid(), self.counter, peer.replace('-', '_'))

    def drop(self, name):
        """A database a run may have left (a peer that crashed)."""
        params = workload.postgresql_params(self.uri)
        connection = workload.postgresql_connect(params, params['dbname'])
        try:
            with connection.cursor() as cursor:
                cursor.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        finally:
            connection.close()

    def settings(self):
        """The version and the settings that matter for the speed of a run."""
        params = workload.postgresql_params(self.uri)
        connection = workload.postgresql_connect(params, params['dbname'])
        names = ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_level',
                 'shared_buffers', 'work_mem', 'max_wal_size', 'jit')
        try:
            with connection.cursor() as cursor:
                values = {}
                for name in names:
                    cursor.execute('SHOW %s' % name)
                    values[name] = cursor.fetchone()[0]
        finally:
            connection.close()
        return values


def command(builddir, peer, pragmas, trace, server=None, name=None):
    args = ['--pragmas', pragmas] if server is None else ['--postgresql', server.uri, '--db', name]
    if trace:
        args += ['--trace'] + (['--statement-log', server.statement_log] if server else [])
    if peer in C_PEERS:
        return [os.path.join(builddir, 'bench', 'peers', C_PEERS[peer])] + args
    return ['/usr/bin/python3', os.path.join(HERE, PY_PEERS[peer])] + args


def run_peer(builddir, env, peer, pragmas, trace=False, server=None):
    """One run: its JSON line, or (None, why). On PostgreSQL, on a database
    of its own, which the run creates and drops (dropped here too, in case
    the peer could not)."""
    started = time.monotonic()
    name = server.new_name(peer) if server else None
    try:
        proc = subprocess.run(command(builddir, peer, pragmas, trace, server, name),
                              capture_output=True, text=True, env=env, cwd=HERE)
    finally:
        if server:
            server.drop(name)
    line, why = workload.run_line(proc.returncode, proc.stdout, proc.stderr)
    if line is None:
        return None, why
    bad = workload.bad_checks(line['checks'])
    if bad:
        return None, 'checks differ: ' + '; '.join(bad)
    line['wall'] = time.monotonic() - started
    return line, None


def stats(values):
    return {'median': statistics.median(values), 'min': min(values), 'n': len(values)}


def environment():
    cpu = '?'
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    with open('/proc/meminfo') as f:
        mem = int(f.readline().split()[1]) // 1024 // 1024
    try:
        debian = open('/etc/debian_version').read().strip()
    except OSError:
        debian = '?'
    commit = subprocess.run(['git', '-C', TOP, 'rev-parse', '--short', 'HEAD'], capture_output=True,
                            text=True).stdout.strip() or '?'
    return {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'cpu': cpu, 'nproc': os.cpu_count(), 'memory_gib': mem, 'debian': debian,
            'kernel': platform.release(), 'commit': commit}


# Issue 19's targets.  libgorm-py: this many times faster than the fastest
# of ORMS at each operation (1: never slower); libgorm-c: within C_TARGET
# times raw_gda at every operation, in time and in instructions.
ORMS = ('sqlalchemy', 'peewee', 'django')
PY_TARGETS = {'insert': 2, 'filter': 2, 'get_by_pk': 2, 'count': 2, 'update': 2,
              'fetch_related': 2, 'aggregate': 2, 'fetch_all': 1.5, 'delete_each': 1.5,
              'bulk_create': 1.5}
C_TARGET = 1.25


def targets(table, instructions=None):
    """Issue 19's targets per operation, from the medians of @table and the
    instruction counts of a profile (callgrind_profile.py's totals) if any."""
    rows = []
    for op in workload.OPERATIONS:
        t = table[op]
        row = {'op': op}
        orms = [(t[p]['median'], p) for p in ORMS if p in t]
        if orms and 'libgorm-py' in t:
            fastest, who = min(orms)
            mine = t['libgorm-py']['median']
            factor = PY_TARGETS.get(op, 1)
            row.update(py=mine, orm=who, orm_s=fastest, speedup=fastest / mine, factor=factor,
                       py_met=fastest / mine >= factor)
        if 'libgorm-c' in t and 'raw_gda' in t:
            ratio = t['libgorm-c']['median'] / t['raw_gda']['median']
            row.update(c_ratio=ratio, c_met=ratio <= C_TARGET)
        if instructions and op in instructions.get('libgorm-c', {}) \
                and op in instructions.get('raw_gda', {}):
            ratio = instructions['libgorm-c'][op] / max(instructions['raw_gda'][op], 1)
            row.update(ir_ratio=ratio, ir_met=ratio <= C_TARGET)
        rows.append(row)
    return rows


def targets_table(rows, instructions_from=None):
    """The headline: each target, each operation, met or not."""
    def met(ok):
        return 'yes' if ok else '**no**'
    md = ['| op | libgorm-py | fastest ORM | speed-up | target | met | libgorm-c / raw_gda | '
          'met (≤ %.2f×) | instructions | met |' % C_TARGET,
          '|---|---:|---|---:|---:|---|---:|---|---:|---|']
    for row in rows:
        cells = [row['op']]
        if 'py' in row:
            cells += ['%.3f s' % row['py'], '%s %.3f s' % (row['orm'], row['orm_s']),
                      '%.2f×' % row['speedup'],
                      ('≥ %g×' % row['factor']) if row['factor'] > 1 else 'never slower',
                      met(row['py_met'])]
        else:
            cells += ['–'] * 5
        cells += ['%.2f×' % row['c_ratio'], met(row['c_met'])] if 'c_ratio' in row else ['–'] * 2
        cells += (['%.2f×' % row['ir_ratio'], met(row['ir_met'])] if 'ir_ratio' in row
                  else ['–'] * 2)
        md.append('| ' + ' | '.join(cells) + ' |')
    md.append('')
    summary = []
    for key, what in (('py_met', 'libgorm-py'), ('c_met', 'libgorm-c time'),
                      ('ir_met', 'libgorm-c instructions')):
        judged = [row for row in rows if key in row]
        if judged:
            missed = [row['op'] for row in judged if not row[key]]
            summary.append('%s: %d of %d met%s' % (what, len(judged) - len(missed), len(judged),
                                                   ' (missed: %s)' % ', '.join(missed)
                                                   if missed else ''))
    md.append('; '.join(summary) + '.' + (' Instructions: %s.' % instructions_from
                                          if instructions_from else ''))
    md.append('')
    return md


def floor_of(engine, peers):
    """The peer the ratios are taken to: the engine's floor, else raw_gda, else the first."""
    for peer in (FLOOR[engine], 'raw_gda'):
        if peer in peers:
            return peer
    return peers[0]


def report_set(name, peers, table, engine='sqlite', title=None):
    base_peer = floor_of(engine, peers)
    if title is None:
        title = 'Pragmas `%s`: %s' % (name, ' '.join(workload.pragma_statements(
            workload.PRAGMAS[name])))
    out = ['### ' + title, '']
    out.append('Median / min-of-runs seconds, then each peer\'s median against %s.' % base_peer)
    out.append('')
    out.append('| op | ' + ' | '.join(peers) + ' |')
    out.append('|---|' + '---:|' * len(peers))
    for op in workload.OPERATIONS:
        cells = ['%.3f / %.3f' % (table[op][p]['median'], table[op][p]['min']) for p in peers]
        out.append('| %s | %s |' % (op, ' | '.join(cells)))
    out.append('')
    out.append('Slowdown against %s (median; min-of-runs in brackets), and libgorm-c / raw_gda:'
               % base_peer)
    out.append('')
    others = [p for p in peers if p != base_peer]
    gda = 'libgorm-c' in peers and 'raw_gda' in peers
    out.append('| op | ' + ' | '.join(others) + (' | libgorm-c / raw_gda |' if gda else ' |'))
    out.append('|---|' + '---:|' * (len(others) + gda))
    for op in workload.OPERATIONS:
        base = table[op][base_peer]
        cells = ['%.1f× (%.1f×)' % (table[op][p]['median'] / base['median'],
                                    table[op][p]['min'] / base['min']) for p in others]
        if gda:
            cells.append('%.2f× (%.2f×)' % (table[op]['libgorm-c']['median'] / table[op]['raw_gda']['median'],
                                            table[op]['libgorm-c']['min'] / table[op]['raw_gda']['min']))
        out.append('| %s | %s |' % (op, ' | '.join(cells)))
    out.append('')
    return out


def chart(name, peers, table, path, date, engine='sqlite'):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    base_peer = floor_of(engine, peers)
    others = [p for p in peers if p != base_peer]
    fig, ax = plt.subplots(figsize=(12, 5.5), dpi=120)
    width = 0.8 / max(len(others), 1)
    for i, peer in enumerate(others):
        xs = [k + (i - (len(others) - 1) / 2) * width for k in range(len(workload.OPERATIONS))]
        ys = [table[op][peer]['median'] / table[op][base_peer]['median']
              for op in workload.OPERATIONS]
        ax.bar(xs, ys, width, label=peer)
    ax.axhline(1, color='black', linewidth=0.8)
    ax.set_yscale('log')
    ax.set_xticks(range(len(workload.OPERATIONS)))
    ax.set_xticklabels(workload.OPERATIONS)
    ax.set_ylabel('median time / %s (log scale)' % base_peer)
    if engine == 'sqlite':
        ax.set_title('Slowdown against raw sqlite3, pragmas %s, %s' % (name, date))
    else:
        ax.set_title('PostgreSQL: slowdown against %s, server defaults, %s' % (base_peer, date))
    ax.legend(ncol=4, fontsize='small')
    ax.grid(axis='y', which='both', alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run_scale(builddir, out_dir):
    """bench-mainloop and bench-scale: their Markdown on stdout, logs beside."""
    sections = []
    ok = True
    for title, args, env in [
            ('Main loop (bench-mainloop)', ['bench-mainloop'], {}),
            ('Million-row model (bench-scale)', ['bench-scale', 'all'],
             {'BENCH_SCALE_BUDGET': os.environ.get('BENCH_SCALE_BUDGET', '20')})]:
        started = time.monotonic()
        log('==> %s' % ' '.join(args))
        proc = subprocess.run([os.path.join(builddir, 'bench', args[0])] + args[1:],
                              capture_output=True, text=True, env=dict(os.environ, **env))
        with open(os.path.join(out_dir, args[0] + '.log'), 'w') as f:
            f.write(proc.stdout + '\n--- stderr ---\n' + proc.stderr)
        took = time.monotonic() - started
        ok = ok and proc.returncode == 0
        sections += ['### %s' % title, '', '(%.0f s%s)' % (took, '' if proc.returncode == 0 else
                                                           ', FAILED with exit %d' % proc.returncode),
                     '', proc.stdout.strip(), '']
    return sections, ok


def statements_table(validation, counted=True):
    """Statement counts against the table of bench/WORKLOAD.md."""
    md = ['Statements per operation (traced run; the expected count of the main kind, '
          'then what else each peer sent):', '']
    md.append('| peer | ' + ' | '.join(workload.OPERATIONS) + ' |')
    md.append('|---|' + '---|' * len(workload.OPERATIONS))
    for peer, line in validation.items():
        cells = []
        for op in workload.OPERATIONS:
            counts = dict(line['statements'].get(op, {}))
            kind, want = workload.MAIN_STATEMENTS[op]
            got = counts.pop(kind, 0)
            extra = ', '.join('%d %s' % (n, k) for k, n in sorted(counts.items())
                              if k not in ('BEGIN', 'COMMIT', 'SAVEPOINT', 'RELEASE'))
            if want is None:
                # As many as the library batches the rows (bulk_create).
                cell = '%d %s' % (got, kind)
            else:
                cell = ('%d' % got) if got == want else '**%d %s (want %d)**' % (got, kind, want)
            cells.append(cell + (' + ' + extra if extra else ''))
        md.append('| %s | %s |' % (peer, ' | '.join(cells)))
    md.append('')
    return md


def run_sets(args, env, engine, peers, sets, server, failures, results, md, env_info):
    """The rounds of every set of one engine: tables, targets and charts.
    Returns the headline: the targets table of the first set."""
    headline = []
    for name in sets:
        runs = {peer: [] for peer in peers}
        for round_ in range(1, args.rounds + 1):
            for peer in peers:
                line, why = run_peer(args.builddir, env, peer, name, server=server)
                if line is None:
                    failures.append('%s, %s, round %d: %s' % (peer, name, round_, why))
                    log('!! %s %s round %d: %s' % (peer, name, round_, why))
                    continue
                runs[peer].append(line)
                log('%s round %d %-11s %.1f s' % (name, round_, peer, line['wall']))
        valid = [p for p in peers if runs[p]]
        if not valid:
            continue
        table = {op: {p: stats([r[op] for r in runs[p]]) for p in valid}
                 for op in workload.OPERATIONS}
        title = None if engine == 'sqlite' else 'PostgreSQL, the server\'s default settings'
        md += report_set(name, valid, table, engine, title)
        rows = targets(table, args.instructions)
        chart_path = os.path.join(args.out, 'slowdown-%s.png' % name)
        chart(name, valid, table, chart_path, env_info['date'], engine)
        md += ['![slowdown, %s](slowdown-%s.png)' % (
            'pragmas ' + name if engine == 'sqlite' else 'PostgreSQL', name), '']
        results['sets'][name] = {'runs': runs, 'table': table, 'targets': rows}
        if not headline:
            headline = ['### Issue 19\'s targets (%s, median of %d interleaved rounds)'
                        % ('pragmas `%s`' % name if engine == 'sqlite'
                           else 'the server\'s default settings', args.rounds), '',
                        'libgorm-py against the fastest of SQLAlchemy, Peewee and Django (its '
                        'time over libgorm-py\'s), libgorm-c against raw libgda in time '
                        '(medians) and in instructions (callgrind, SQLite).', '']
            headline += targets_table(rows, args.instructions_from)
    return headline


def validate(args, env, peers, first_set, server, failures):
    """One run of each peer, traced when the statements can be counted."""
    trace = server is None or server.statement_log is not None
    validation = {}
    for peer in peers:
        line, why = run_peer(args.builddir, env, peer, first_set, trace=trace, server=server)
        if line is None:
            failures.append('%s (trace): %s' % (peer, why))
            log('!!', peer, why)
            continue
        validation[peer] = line
        log('trace %-11s ok (%s, %s %s)' % (peer, line['version'], line['engine'],
                                            line.get('sqlite') or line.get('postgresql')))
    return validation, trace


def compare_sqlite(args, env, env_info, peers):
    failures = []
    results = {'environment': env_info, 'rounds': args.rounds, 'sets': {}}
    pragma_sets = args.pragmas.split(',')
    validation, _ = validate(args, env, peers, pragma_sets[0], None, failures)
    sqlite_versions = sorted({line['sqlite'] for line in validation.values()})
    if len(sqlite_versions) > 1:
        failures.append('peers loaded different SQLite versions: %s' % sqlite_versions)

    md = ['## libgorm against raw SQLite, raw libgda and the Python ORMs', '',
          '%s; %s, %d CPUs, %d GiB; Debian %s, Linux %s; SQLite %s; %d rounds, interleaved.'
          % (env_info['date'], env_info['cpu'], env_info['nproc'], env_info['memory_gib'],
             env_info['debian'], env_info['kernel'], ', '.join(sqlite_versions), args.rounds), '',
          'Versions: ' + '; '.join('%s: %s' % (p, validation[p]['version'])
                                   for p in peers if p in validation) + '.', '']
    sets_md = []
    headline = run_sets(args, env, 'sqlite', peers, pragma_sets, None, failures, results, sets_md,
                        env_info)
    md += headline + statements_table(validation) + sets_md
    results['statements'] = {p: l['statements'] for p, l in validation.items()}

    if args.scale:
        sections, ok = run_scale(args.builddir, args.out)
        md += sections
        if not ok:
            failures.append('a scale benchmark failed')
    if failures:
        md += ['### Failures', ''] + ['- ' + f for f in failures] + ['']
    results['failures'] = failures
    return results, md


def compare_postgresql(args, env, env_info, peers):
    failures = []
    server = Server(args.postgresql, args.statement_log)
    try:
        server.start()
        settings = server.settings()
        results = {'environment': env_info, 'rounds': args.rounds, 'sets': {},
                   'server': settings, 'own_server': server.own}
        validation, traced = validate(args, env, peers, 'postgresql', server, failures)
        md = ['## libgorm on PostgreSQL against raw libpq, raw libgda and the Python ORMs on '
              'psycopg2', '',
              '%s; %s, %d CPUs, %d GiB; Debian %s, Linux %s; commit %s; %d rounds, interleaved.'
              % (env_info['date'], env_info['cpu'], env_info['nproc'], env_info['memory_gib'],
                 env_info['debian'], env_info['kernel'], env_info['commit'], args.rounds), '',
              'PostgreSQL %s on 127.0.0.1 (TCP), %s, with the server\'s default settings for '
              'every peer: fsync=%s, synchronous_commit=%s, full_page_writes=%s, wal_level=%s, '
              'shared_buffers=%s, work_mem=%s, jit=%s. Each run on a database of its own, '
              'created before it and dropped after it.'
              % (settings['server_version'],
                 'one server started by tools/pg-server for the whole comparison' if server.own
                 else 'a server given with --postgresql',
                 settings['fsync'], settings['synchronous_commit'], settings['full_page_writes'],
                 settings['wal_level'], settings['shared_buffers'], settings['work_mem'],
                 settings['jit']), '',
              'Versions: ' + '; '.join('%s: %s' % (p, validation[p]['version'])
                                       for p in peers if p in validation) + '.', '']
        sets_md = []
        saved, args.instructions = args.instructions, None
        try:
            md += run_sets(args, env, 'postgresql', peers, ['postgresql'], server, failures,
                           results, sets_md, env_info)
        finally:
            args.instructions = saved
        if traced:
            md += statements_table(validation)
            results['statements'] = {p: l['statements'] for p, l in validation.items()}
        else:
            md += ['Statements not counted: the server\'s log file is unknown '
                   '(--statement-log).', '']
        md += sets_md
    finally:
        server.stop()
    if failures:
        md += ['### Failures', ''] + ['- ' + f for f in failures] + ['']
    results['failures'] = failures
    return results, md


MARK = '<!-- engine %s -->'
END_MARK = '<!-- end of engine %s -->'
# The parts of results.md and results.json: each engine's comparison, then
# the profile and memory steps'; a run replaces the parts it ran.
PARTS = ENGINES + ('profile', 'memory')
STEPS = ('profile', 'peers', 'memory', 'scale')


def previous_parts(out_dir):
    """The report of each engine from the last run: Markdown and JSON."""
    md, data = {}, {}
    try:
        text = open(os.path.join(out_dir, 'results.md')).read()
    except OSError:
        text = ''
    found = False
    for engine in PARTS:
        match = re.search(re.escape(MARK % engine) + r'\n(.*?)' + re.escape(END_MARK % engine),
                          text, re.S)
        if match:
            md[engine] = match.group(1).rstrip('\n').split('\n')
            found = True
    if not found and text.strip():
        # A report from before PostgreSQL: all of it is SQLite's.
        md['sqlite'] = text.rstrip('\n').split('\n')
    try:
        old = json.load(open(os.path.join(out_dir, 'results.json')))
    except (OSError, ValueError):
        old = {}
    for part in PARTS[1:]:
        if part in old:
            data[part] = old.pop(part)
    if 'sets' in old:
        data['sqlite'] = old
    # The profile and memory steps also write their own files, which hold
    # their part when another run's results.md and results.json lost it.
    for part in ('profile', 'memory'):
        try:
            if part not in md:
                md[part] = open(os.path.join(out_dir, part + '.md')).read().rstrip('\n').split('\n')
            if part not in data:
                data[part] = json.load(open(os.path.join(out_dir, part + '.json')))
        except (OSError, ValueError):
            pass
    return md, data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build'))
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--engines', default=','.join(ENGINES),
                        help='sqlite, postgresql or both (the default)')
    parser.add_argument('--peers', default=','.join(PEERS),
                        help='the peers to run, on each engine that has them')
    parser.add_argument('--pragmas', default='workload,libgorm', help='SQLite only')
    parser.add_argument('--postgresql', metavar='URI',
                        help='a PostgreSQL server (a superuser\'s postgresql:// URI) to use instead '
                        'of starting one')
    parser.add_argument('--statement-log', metavar='FILE',
                        help='with --postgresql: that server\'s log file, to count statements')
    parser.add_argument('--steps', default=','.join(STEPS),
                        help='what to run, of %s (all by default): the instruction profile, the '
                        'timed peers, the million-row memory benchmark, bench-mainloop and '
                        'bench-scale (the last with the peers on SQLite only)' % ', '.join(STEPS))
    parser.add_argument('--no-scale', dest='scale', action='store_false',
                        help='skip bench-mainloop and bench-scale')
    parser.add_argument('--profile', action='store_true',
                        help='the instruction profile only (--steps profile)')
    parser.add_argument('--memory', action='store_true',
                        help='the memory benchmark only (--steps memory)')
    parser.add_argument('--profile-scale', type=int, default=callgrind_profile.DEFAULT_SCALE,
                        help='the Python peers run a workload this many times smaller under '
                        'callgrind (default %(default)s)')
    parser.add_argument('--memory-rows', type=int, default=1000000,
                        help='rows fetched by the memory benchmark (a multiple of 20,000)')
    parser.add_argument('--quick', action='store_true', help='allow fewer than 5 rounds')
    parser.add_argument('--out', default=os.path.join(TOP, 'bench', 'results'))
    args = parser.parse_args()
    steps = args.steps.split(',')
    if args.profile or args.memory:
        steps = [step for step, only in (('profile', args.profile), ('memory', args.memory))
                 if only]
    for step in steps:
        if step not in STEPS:
            parser.error('unknown step %r (%s)' % (step, ', '.join(STEPS)))
    if args.memory_rows < workload.N_POSTS or args.memory_rows % workload.N_POSTS:
        parser.error('--memory-rows must be a multiple of %d' % workload.N_POSTS)
    if args.rounds < 5 and not args.quick:
        parser.error('at least 5 rounds (or --quick)')
    engines = args.engines.split(',')
    for engine in engines:
        if engine not in ENGINES:
            parser.error('unknown engine %r (sqlite, postgresql)' % engine)
    wanted = args.peers.split(',')
    for peer in wanted:
        if peer not in PEERS:
            parser.error('unknown peer %r (%s)' % (peer, ', '.join(PEERS)))
    # Peers run in this directory: the build directory must not be relative.
    args.builddir = os.path.abspath(args.builddir)
    os.makedirs(args.out, exist_ok=True)
    args.scale = args.scale and 'sqlite' in engines and 'scale' in steps and 'peers' in steps

    # A signal stops the comparison through the exit path, which stops the server.
    def stop(signum, frame):
        raise SystemExit('stopped by signal %d' % signum)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, stop)

    reconfigure = ensure_packages(args.scale)
    if not os.path.exists(os.path.join(args.builddir, 'build.ninja')):
        subprocess.run(['meson', 'setup', args.builddir, TOP], check=True)
    elif reconfigure:
        subprocess.run(['meson', 'setup', '--reconfigure', args.builddir, TOP], check=True)
    subprocess.run(['meson', 'compile', '-C', args.builddir], check=True, stdout=subprocess.DEVNULL)
    env = devenv(args.builddir)
    env_info = environment()

    # What this run reports; the parts it does not run are the last run's,
    # read again as the report is written (another run may have written
    # its own parts meanwhile).
    md_parts, data = {}, {}
    _, last = previous_parts(args.out)
    failed = False
    args.instructions = args.instructions_from = None
    if 'profile' in steps:
        peers = [p for p in callgrind_profile.PEERS if p in wanted]
        log('==> callgrind: %s' % ', '.join(peers))
        md, profile, failures = callgrind_profile.run(args.builddir, env, peers,
                                                      args.profile_scale, args.out, env_info)
        failed = failed or bool(failures)
        data['profile'] = profile
        md_parts['profile'] = ['## Where each operation\'s instructions go (callgrind)', '',
                               '%s, commit %s, SQLite, pragmas `workload`.'
                               % (env_info['date'], env_info['commit']), ''] + md
        profile['environment'] = env_info
        workload.write_report(args.out, 'profile', md_parts['profile'], profile)
        args.instructions = profile['totals']
        args.instructions_from = 'callgrind, this run'
    elif last.get('profile', {}).get('totals'):
        profile = last['profile']
        args.instructions = profile['totals']
        args.instructions_from = 'callgrind, the profile of %s, commit %s (profile.md)' % (
            profile.get('environment', {}).get('date', '?'),
            profile.get('environment', {}).get('commit', '?'))
    for engine in (engines if 'peers' in steps else []):
        peers = [p for p in ENGINE_PEERS[engine] if p in wanted]
        if not peers:
            continue
        if engine == 'sqlite':
            results, md = compare_sqlite(args, env, env_info, peers)
        else:
            results, md = compare_postgresql(args, env, env_info, peers)
        failed = failed or bool(results['failures'])
        data[engine] = results
        md_parts[engine] = md
    if 'memory' in steps:
        peers = [p for p in memory.PEERS if p in wanted]
        log('==> memory: %s' % ', '.join(peers))
        md, results, failures = memory.run(env, peers, args.memory_rows, 1, args.out)
        failed = failed or bool(failures)
        results['environment'] = env_info
        data['memory'] = results
        md_parts['memory'] = ['## Memory (%s, commit %s)' % (env_info['date'],
                                                             env_info['commit']), ''] + md
        workload.write_report(args.out, 'memory', md_parts['memory'], results)

    old_md, old_data = previous_parts(args.out)
    for part in PARTS:
        if part not in md_parts and part in old_md:
            md_parts[part] = old_md[part]
        if part not in data and part in old_data:
            data[part] = old_data[part]

    results = dict(data.get('sqlite', {}))
    for part in PARTS[1:]:
        if part in data:
            results[part] = data[part]
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    md = []
    for engine in PARTS:
        if engine in md_parts:
            md += [MARK % engine] + md_parts[engine] + [END_MARK % engine, '']
    with open(os.path.join(args.out, 'results.md'), 'w') as f:
        f.write('\n'.join(md))
    print('\n'.join(md))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
