#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the peers of bench/WORKLOAD.md against each other and reports.

    /usr/bin/python3 bench/peers/compare.py [--builddir _build] [--rounds 5]
        [--peers a,b,...] [--pragmas workload,libgorm] [--no-scale] [--out bench/results]

Builds BUILDDIR, checks each peer once with a statement trace, then runs
the peers interleaved (A B C ... A B C ...) for every round and pragma
set, rejects any run whose checks differ from workload.EXPECTED, and
writes results.json, results.md and slowdown-<pragmas>.png to --out.
It also runs bench-mainloop and bench-scale (the main-loop gaps and the
million-row model) and puts their tables in the same report, unless
--no-scale. Exits non-zero if any run or step failed.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import workload  # noqa: E402

PEERS = ['raw_sqlite', 'raw_gda', 'libgorm-c', 'pysqlite3', 'sqlalchemy', 'peewee', 'django',
         'libgorm-py']
C_PEERS = {'raw_sqlite': 'peer-raw-sqlite', 'raw_gda': 'peer-raw-gda',
           'libgorm-c': 'peer-libgorm-c'}
PY_PEERS = {'pysqlite3': 'peer_pysqlite3.py', 'sqlalchemy': 'peer_sqlalchemy.py',
            'peewee': 'peer_peewee.py', 'django': 'peer_django.py',
            'libgorm-py': 'peer_libgorm.py'}
PACKAGES = ['python3-sqlalchemy', 'python3-sqlalchemy-ext', 'python3-peewee', 'python3-django',
            'python3-matplotlib']


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
    check = subprocess.run(['/usr/bin/python3', '-c', 'import sqlalchemy, peewee, django, matplotlib'],
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


def command(builddir, peer, pragmas, trace):
    args = ['--pragmas', pragmas] + (['--trace'] if trace else [])
    if peer in C_PEERS:
        return [os.path.join(builddir, 'bench', 'peers', C_PEERS[peer])] + args
    return ['/usr/bin/python3', os.path.join(HERE, PY_PEERS[peer])] + args


def run_peer(builddir, env, peer, pragmas, trace=False):
    """One run: its JSON line, or (None, why)."""
    started = time.monotonic()
    proc = subprocess.run(command(builddir, peer, pragmas, trace), capture_output=True, text=True,
                          env=env, cwd=HERE)
    line = None
    for text in proc.stdout.splitlines():
        if text.startswith('{'):
            line = json.loads(text)
    if proc.returncode != 0 or line is None:
        return None, 'exit %d: %s' % (proc.returncode, proc.stderr.strip()[-500:])
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
    return {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'cpu': cpu, 'nproc': os.cpu_count(), 'memory_gib': mem, 'debian': debian,
            'kernel': platform.release()}


def targets(table):
    """The issue's targets, per operation."""
    rows = []
    for op in workload.OPERATIONS:
        t = table[op]
        if 'libgorm-c' in t and 'raw_gda' in t:
            ratio = t['libgorm-c']['median'] / t['raw_gda']['median']
            rows.append(('libgorm-c ≤ 1.25× raw_gda', op, '%.2f×' % ratio, ratio <= 1.25))
        orms = [t[p]['median'] for p in ('sqlalchemy', 'peewee', 'django') if p in t]
        if op != 'delete_bulk' and orms and 'libgorm-py' in t and 'pysqlite3' in t:
            fastest = min(orms)
            floor = 1.5 * t['pysqlite3']['median']
            if fastest / 2 < floor:
                bound, form = floor, '≤ 1.5× pysqlite3'
            else:
                bound, form = fastest / 2, '2× faster than the fastest ORM'
            mine = t['libgorm-py']['median']
            rows.append(('libgorm-py ' + form, op,
                         '%.3f s (bound %.3f s; fastest ORM %.3f s, pysqlite3 %.3f s)'
                         % (mine, bound, fastest, t['pysqlite3']['median']), mine <= bound))
    return rows


def report_set(name, peers, table):
    out = ['### Pragmas `%s`: %s' % (name, ' '.join(workload.pragma_statements(
        workload.PRAGMAS[name]))), '']
    out.append('Median / min-of-runs seconds, then each peer\'s median against raw_sqlite.')
    out.append('')
    out.append('| op | ' + ' | '.join(peers) + ' |')
    out.append('|---|' + '---:|' * len(peers))
    for op in workload.OPERATIONS:
        cells = ['%.3f / %.3f' % (table[op][p]['median'], table[op][p]['min']) for p in peers]
        out.append('| %s | %s |' % (op, ' | '.join(cells)))
    out.append('')
    out.append('Slowdown against raw_sqlite (median; min-of-runs in brackets), and libgorm-c / raw_gda:')
    out.append('')
    others = [p for p in peers if p != 'raw_sqlite']
    gda = 'libgorm-c' in peers and 'raw_gda' in peers
    out.append('| op | ' + ' | '.join(others) + (' | libgorm-c / raw_gda |' if gda else ' |'))
    out.append('|---|' + '---:|' * (len(others) + gda))
    for op in workload.OPERATIONS:
        base = table[op]['raw_sqlite']
        cells = ['%.1f× (%.1f×)' % (table[op][p]['median'] / base['median'],
                                    table[op][p]['min'] / base['min']) for p in others]
        if gda:
            cells.append('%.2f× (%.2f×)' % (table[op]['libgorm-c']['median'] / table[op]['raw_gda']['median'],
                                            table[op]['libgorm-c']['min'] / table[op]['raw_gda']['min']))
        out.append('| %s | %s |' % (op, ' | '.join(cells)))
    out.append('')
    rows = targets(table)
    if rows:
        out.append('| target | op | figure | met |')
        out.append('|---|---|---|---|')
        for target, op, figure, met in rows:
            out.append('| %s | %s | %s | %s |' % (target, op, figure, 'yes' if met else '**no**'))
        out.append('')
    return out, rows


def chart(name, peers, table, path, date):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    others = [p for p in peers if p != 'raw_sqlite']
    fig, ax = plt.subplots(figsize=(12, 5.5), dpi=120)
    width = 0.8 / max(len(others), 1)
    for i, peer in enumerate(others):
        xs = [k + (i - (len(others) - 1) / 2) * width for k in range(len(workload.OPERATIONS))]
        ys = [table[op][peer]['median'] / table[op]['raw_sqlite']['median']
              for op in workload.OPERATIONS]
        ax.bar(xs, ys, width, label=peer)
    ax.axhline(1, color='black', linewidth=0.8)
    ax.set_yscale('log')
    ax.set_xticks(range(len(workload.OPERATIONS)))
    ax.set_xticklabels(workload.OPERATIONS)
    ax.set_ylabel('median time / raw_sqlite (log scale)')
    ax.set_title('Slowdown against raw sqlite3, pragmas %s, %s' % (name, date))
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build'))
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--peers', default=','.join(PEERS))
    parser.add_argument('--pragmas', default='workload,libgorm')
    parser.add_argument('--no-scale', dest='scale', action='store_false',
                        help='skip bench-mainloop and bench-scale')
    parser.add_argument('--quick', action='store_true', help='allow fewer than 5 rounds')
    parser.add_argument('--out', default=os.path.join(TOP, 'bench', 'results'))
    args = parser.parse_args()
    if args.rounds < 5 and not args.quick:
        parser.error('at least 5 rounds (or --quick)')
    # Peers run in this directory: the build directory must not be relative.
    args.builddir = os.path.abspath(args.builddir)
    peers = args.peers.split(',')
    pragma_sets = args.pragmas.split(',')
    os.makedirs(args.out, exist_ok=True)

    reconfigure = ensure_packages(args.scale)
    if not os.path.exists(os.path.join(args.builddir, 'build.ninja')):
        subprocess.run(['meson', 'setup', args.builddir, TOP], check=True)
    elif reconfigure:
        subprocess.run(['meson', 'setup', '--reconfigure', args.builddir, TOP], check=True)
    subprocess.run(['meson', 'compile', '-C', args.builddir], check=True, stdout=subprocess.DEVNULL)
    env = devenv(args.builddir)
    env_info = environment()
    failures = []
    results = {'environment': env_info, 'rounds': args.rounds, 'sets': {}}

    # One traced run of each peer: statement counts, versions, the SQLite loaded.
    validation = {}
    for peer in peers:
        line, why = run_peer(args.builddir, env, peer, pragma_sets[0], trace=True)
        if line is None:
            failures.append('%s (trace): %s' % (peer, why))
            log('!!', peer, why)
            continue
        validation[peer] = line
        log('trace %-11s ok (%s, SQLite %s)' % (peer, line['version'], line['sqlite']))
    sqlite_versions = sorted({line['sqlite'] for line in validation.values()})
    if len(sqlite_versions) > 1:
        failures.append('peers loaded different SQLite versions: %s' % sqlite_versions)

    md = ['## libgorm against raw SQLite, raw libgda and the Python ORMs', '',
          '%s; %s, %d CPUs, %d GiB; Debian %s, Linux %s; SQLite %s; %d rounds, interleaved.'
          % (env_info['date'], env_info['cpu'], env_info['nproc'], env_info['memory_gib'],
             env_info['debian'], env_info['kernel'], ', '.join(sqlite_versions), args.rounds), '',
          'Versions: ' + '; '.join('%s: %s' % (p, validation[p]['version'])
                                   for p in peers if p in validation) + '.', '']

    # Statement counts against the table of bench/WORKLOAD.md.
    md += ['Statements per operation (traced run; the expected count of the main kind, '
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
            cell = ('%d' % got) if got == want else '**%d %s (want %d)**' % (got, kind, want)
            cells.append(cell + (' + ' + extra if extra else ''))
        md.append('| %s | %s |' % (peer, ' | '.join(cells)))
    md.append('')
    results['statements'] = {p: l['statements'] for p, l in validation.items()}

    all_targets = {}
    for name in pragma_sets:
        runs = {peer: [] for peer in peers}
        for round_ in range(1, args.rounds + 1):
            for peer in peers:
                line, why = run_peer(args.builddir, env, peer, name)
                if line is None:
                    failures.append('%s, %s, round %d: %s' % (peer, name, round_, why))
                    log('!! %s %s round %d: %s' % (peer, name, round_, why))
                    continue
                runs[peer].append(line)
                log('%s round %d %-11s %.1f s' % (name, round_, peer, line['wall']))
        valid = [p for p in peers if runs[p]]
        table = {op: {p: stats([r[op] for r in runs[p]]) for p in valid}
                 for op in workload.OPERATIONS}
        section, rows = report_set(name, valid, table)
        md += section
        all_targets[name] = rows
        chart_path = os.path.join(args.out, 'slowdown-%s.png' % name)
        chart(name, valid, table, chart_path, env_info['date'])
        md += ['![slowdown, pragmas %s](slowdown-%s.png)' % (name, name), '']
        results['sets'][name] = {'runs': runs, 'table': table,
                                 'targets': [list(r) for r in rows]}

    if args.scale:
        sections, ok = run_scale(args.builddir, args.out)
        md += sections
        if not ok:
            failures.append('a scale benchmark failed')
    if failures:
        md += ['### Failures', ''] + ['- ' + f for f in failures] + ['']
    results['failures'] = failures
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(args.out, 'results.md'), 'w') as f:
        f.write('\n'.join(md) + '\n')
    print('\n'.join(md))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
