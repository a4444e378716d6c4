#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where each operation's instructions go: the peers under callgrind.

    /usr/bin/python3 bench/peers/callgrind_profile.py [--builddir _build]
        [--peers raw_gda,libgorm-c,libgorm-py] [--scale 10] [--out bench/results]

Runs each peer once on SQLite (WORKLOAD.md's pragmas) under
`valgrind --tool=callgrind --collect-atstart=no`, with
`--toggle-collect=op_NAME` and `--dump-after=op_NAME` for each operation:
callgrind counts the instructions (Ir) of an operation only while its
op_NAME function runs and writes them to a file of their own when it
returns.  The C peers keep their operations in op_NAME functions
(raw-gda.c, libgorm-c.c); the Python peers run each operation through
the op_NAME functions of libworkload-ops.so (workload-ops.c, through
ctypes: workload.py --ops-library).  Each operation's instructions are
then summed by the object file they ran in: libgda (with its SQLite
provider), libgorm, SQLite, GLib/GObject, PyGObject (_gi, libgirepository
and libffi),
Python (the interpreter and its modules), libc, the peer's own code and
the rest.

Callgrind runs a program some fifty times slower, so the peers run a
workload --scale times smaller (by default 10: 2,000 posts, 20 authors,
20 filters, 500 gets, 50 counts, 100 deleted one by one; --scale 1 is
WORKLOAD.md's), the same in every peer; its checks are not WORKLOAD.md's,
so the peers' checks are compared with each other instead.  The peers
run at the same time: their counts do not depend on the load.

Writes profile.md and profile.json to --out and prints the tables;
`compare.py --profile` (`./tools/run bench --profile`) runs it and adds
them to its report.  Exits non-zero if a run failed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import workload  # noqa: E402

PEERS = ['raw_gda', 'libgorm-c', 'libgorm-py']
CATEGORIES = ['libgda', 'libgorm', 'SQLite', 'GLib/GObject', 'PyGObject', 'Python', 'libc',
              'peer', 'other']
DEFAULT_SCALE = 10


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def category(path):
    """The group of an object file, by its name."""
    base = os.path.basename(path)
    if base.startswith('libgorm'):
        return 'libgorm'
    if 'libgda' in base:
        return 'libgda'
    if base.startswith('libsqlite3'):
        return 'SQLite'
    if base.startswith(('libglib-2.0', 'libgobject-2.0', 'libgio-2.0', 'libgmodule-2.0',
                        'libgthread-2.0')):
        return 'GLib/GObject'
    if base.startswith(('_gi', 'libffi', 'libgirepository')):
        return 'PyGObject'
    if (base.startswith(('python3', 'libpython3')) or '/lib-dynload/' in path
            or '.cpython-3' in base):
        return 'Python'
    if base.startswith(('libc.so', 'libc-')):
        return 'libc'
    if base.startswith(('peer-', 'libworkload-ops')):
        return 'peer'
    return 'other'


NAMED = re.compile(r'^\((\d+)\)(?: (.*))?$')


def parse_dump(path):
    """A callgrind dump: (its trigger, {object file: self Ir}); raises
    ValueError when the costs do not add up to the dump's `totals:`.

    The format (callgrind's manual, "Callgrind Format Specification"):
    `ob=` names the object of the cost lines that follow, compressed as
    `(id) name` the first time and `(id)` after; the line after `calls=`
    is the inclusive cost of a call, counted where it is spent, so it is
    skipped here; a cost line is its position then its events (Ir only)."""
    names = {}
    costs = {}
    trigger = None
    totals = None
    current = '???'
    skip = False
    with open(path, errors='replace') as f:
        for line in f:
            if skip:
                skip = False
                continue
            first = line[:1]
            if first.isdigit() or first in '+-*':
                fields = line.split()
                if len(fields) > 1:
                    costs[current] = costs.get(current, 0) + int(fields[1])
            elif line.startswith('ob='):
                match = NAMED.match(line[3:].strip())
                if match:
                    if match.group(2):
                        names[match.group(1)] = match.group(2)
                    current = names.get(match.group(1), '???')
                else:
                    current = line[3:].strip()
            elif line.startswith('cob='):
                # Only records the name: the calls' objects, not the current one.
                match = NAMED.match(line[4:].strip())
                if match and match.group(2):
                    names[match.group(1)] = match.group(2)
            elif line.startswith('calls='):
                skip = True
            elif line.startswith('desc: Trigger:'):
                trigger = line.split(':', 2)[2].strip()
            elif line.startswith('totals:'):
                totals = int(line.split()[1])
    if totals is not None and totals != sum(costs.values()):
        raise ValueError('%s: the costs add up to %d, its totals say %d'
                         % (path, sum(costs.values()), totals))
    return trigger, costs


def dump_op(trigger):
    """The operation a dump's trigger names ("--dump-after=op_insert" and the like)."""
    match = re.search(r'op_([a-z_]+)', trigger or '')
    return match.group(1) if match and match.group(1) in workload.OPERATIONS else None


def valgrind_command(out_file):
    """Collection on while any op_* function runs, a dump after each.

    Callgrind 3.19 takes one --toggle-collect pattern per function: given
    once for each operation, only the first counted.  So one wildcard
    toggles, and each operation's --dump-after (given after it: the first
    pattern that names a function decides its toggling) writes its dump;
    `op_NAME.*` also names GCC's clones (op_insert.constprop.0 in
    peer-raw-gda).  No other function of the peers and their libraries
    starts with op_."""
    args = ['valgrind', '--tool=callgrind', '--collect-atstart=no',
            '--callgrind-out-file=' + out_file, '--toggle-collect=op_*']
    for op in workload.OPERATIONS:
        args += ['--dump-after=op_' + op, '--dump-after=op_%s.*' % op]
    return args


def start_peer(builddir, env, peer, scale, directory):
    """One peer under callgrind, started: its process."""
    import compare
    out_file = os.path.join(directory, 'callgrind.out.' + peer)
    command = compare.command(builddir, peer, 'workload', False) + ['--scale', str(scale)]
    if peer in compare.PY_PEERS:
        command += ['--ops-library',
                    os.path.join(builddir, 'bench', 'peers', 'libworkload-ops.so')]
    return subprocess.Popen(valgrind_command(out_file) + command, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=HERE)


def finish_peer(proc, peer, scale, directory):
    """The dumps of a peer's run: ({op: {object: Ir}}, JSON line) or (None, why)."""
    out_file = os.path.join(directory, 'callgrind.out.' + peer)
    stdout, stderr = proc.communicate()
    line, why = workload.run_line(proc.returncode, stdout, stderr)
    if line is None:
        return None, why
    if 'scale' not in line:
        bad = workload.bad_checks(line['checks'])
        if bad:
            return None, 'checks differ: ' + '; '.join(bad)
    elif line['scale'] != scale:
        return None, 'ran at scale %s, not %d' % (line['scale'], scale)
    ops = {}
    prefix = os.path.basename(out_file)
    for name in sorted(os.listdir(directory)):
        if name == prefix or name.startswith(prefix + '.'):
            try:
                trigger, costs = parse_dump(os.path.join(directory, name))
            except ValueError as error:
                return None, str(error)
            op = dump_op(trigger)
            if op:
                for path, ir in costs.items():
                    ops.setdefault(op, {})
                    ops[op][path] = ops[op].get(path, 0) + ir
    missing = [op for op in workload.OPERATIONS if op not in ops]
    if missing:
        return None, 'no callgrind dump for %s' % ', '.join(missing)
    return (ops, line), None


def differing_checks(checks):
    """A smaller workload's checks are not WORKLOAD.md's, but every peer
    must reach the same: how each peer's differ from the first's."""
    failures = []
    peers = list(checks)
    for peer in peers[1:]:
        bad = ['%s: %r, %s %r' % (name, checks[peer].get(name), peers[0], value)
               for name, value in checks[peers[0]].items() if checks[peer].get(name) != value]
        if bad:
            failures.append('profile, %s: checks differ from %s\'s: %s'
                            % (peer, peers[0], '; '.join(bad)))
    return failures


def by_category(costs):
    groups = dict.fromkeys(CATEGORIES, 0)
    for path, ir in costs.items():
        groups[category(path)] += ir
    return groups


def mega(ir):
    """Millions of instructions, to three figures or more."""
    digits = 0 if ir >= 100e6 else 1 if ir >= 10e6 else 2
    return '{:,.{}f} M'.format(ir / 1e6, digits)


def report(results, scale):
    """Markdown: instructions per op and the ratio, then each peer's split."""
    totals = {peer: {op: sum(costs.values()) for op, costs in ops.items()}
              for peer, (ops, line) in results.items()}
    md = ['### Instructions per operation (callgrind)', '',
          'Each peer run once under `valgrind --tool=callgrind`, an operation counted while its '
          '`op_NAME` function runs (instructions, Ir: deterministic, unlike the timings of a '
          'loaded machine; they do not count waiting for the disk), every peer on a workload '
          '%d times smaller than WORKLOAD.md\'s (%s posts).'
          % (scale, format(workload.N_POSTS // scale, ',')), '']
    py = [p for p in results if p not in ('raw_gda', 'libgorm-c')]
    gda = 'raw_gda' in results and 'libgorm-c' in results
    head = ['op'] + [p for p in ('raw_gda', 'libgorm-c') if p in results]
    if gda:
        head += ['libgorm-c / raw_gda', 'target ≤ 1.25×']
    head += py
    md.append('| ' + ' | '.join(head) + ' |')
    md.append('|---|' + '---:|' * (len(head) - 1))
    ratios = {}
    for op in workload.OPERATIONS:
        cells = [op] + [mega(totals[p][op]) for p in ('raw_gda', 'libgorm-c') if p in results]
        if gda:
            ratio = totals['libgorm-c'][op] / max(totals['raw_gda'][op], 1)
            ratios[op] = ratio
            cells += ['%.2f×' % ratio, 'met' if ratio <= 1.25 else '**missed**']
        cells += [mega(totals[p][op]) for p in py]
        md.append('| ' + ' | '.join(cells) + ' |')
    md.append('')
    md += ['### Where each operation\'s instructions go', '',
           'Per peer and operation, the instructions spent in each object file, in millions and '
           'in per cent of the operation (libgda includes its SQLite provider; PyGObject is '
           '`_gi*.so`, libgirepository and libffi; Python the interpreter and its modules; peer the peer\'s own '
           'code and the harness).', '']
    for peer, (ops, line) in results.items():
        split = {op: by_category(costs) for op, costs in ops.items()}
        used = [c for c in CATEGORIES if any(split[op][c] for op in split)]
        md.append('%s:' % peer)
        md.append('')
        md.append('| op | total | ' + ' | '.join(used) + ' |')
        md.append('|---|---:|' + '---:|' * len(used))
        for op in workload.OPERATIONS:
            total = max(totals[peer][op], 1)
            cells = ['%s (%.0f %%)' % (mega(split[op][c]), 100 * split[op][c] / total)
                     for c in used]
            md.append('| %s | %s | %s |' % (op, mega(totals[peer][op]), ' | '.join(cells)))
        md.append('')
    return md, totals, ratios


def run(builddir, env, peers, scale, out_dir, environment=None):
    """Each peer under callgrind, all at once (instruction counts do not
    depend on the load): (Markdown lines, data, failures)."""
    results = {}
    failures = []
    directory = tempfile.mkdtemp(prefix='gorm-bench-callgrind-')
    started = time.monotonic()
    procs = {}
    try:
        for peer in peers:
            procs[peer] = start_peer(builddir, env, peer, scale, directory)
        for peer in peers:
            got, why = finish_peer(procs.pop(peer), peer, scale, directory)
            if got is None:
                failures.append('profile, %s: %s' % (peer, why))
                log('!! profile %s: %s' % (peer, why))
                continue
            results[peer] = got
            log('profile %-11s done after %.0f s under callgrind'
                % (peer, time.monotonic() - started))
        failures += differing_checks({peer: line['checks'] for peer, (ops, line) in results.items()})
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()
        shutil.rmtree(directory, ignore_errors=True)
    md, totals, ratios = report(results, scale) if results else ([], {}, {})
    if failures:
        md += ['Failures:', ''] + ['- ' + f for f in failures] + ['']
    data = {'scale': scale, 'totals': totals, 'ratio_libgorm_c_raw_gda': ratios,
            'objects': {peer: ops for peer, (ops, line) in results.items()},
            'categories': {peer: {op: by_category(costs) for op, costs in ops.items()}
                           for peer, (ops, line) in results.items()},
            'failures': failures, 'environment': environment}
    if out_dir:
        workload.write_report(out_dir, 'profile', md, data)
    return md, data, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build'))
    parser.add_argument('--peers', default=','.join(PEERS))
    parser.add_argument('--scale', type=int, default=DEFAULT_SCALE,
                        help='the Python peers\' workload is this many times smaller')
    parser.add_argument('--out', default=os.path.join(TOP, 'bench', 'results'))
    args = parser.parse_args()
    import compare
    peers = args.peers.split(',')
    for peer in peers:
        if peer not in compare.C_PEERS and peer not in compare.PY_PEERS:
            parser.error('unknown peer %r' % peer)
    builddir = os.path.abspath(args.builddir)
    md, _, failures = run(builddir, compare.devenv(builddir), peers, args.scale, args.out)
    print('\n'.join(md))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
