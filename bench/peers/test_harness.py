#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The harness of the peers, without a database: compare.py's targets,
callgrind_profile.py's reading of callgrind dumps and grouping by
library, workload.py's smaller workload and its op_NAME runner.

    /usr/bin/python3 bench/peers/test_harness.py PATH-OF-libworkload-ops.so

(meson test bench-harness gives the library built beside it.)"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import callgrind_profile  # noqa: E402
import compare  # noqa: E402
import workload  # noqa: E402

OPS_LIBRARY = None

# A dump as callgrind 3.19 writes it: compressed names, a call whose
# inclusive cost (the line after calls=) is not a cost of its caller's
# object, subposition compression and a cost line without events.
DUMP = '''# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 4242
cmd:  ./peer-libgorm-c
part: 3

desc: Trigger: --dump-after=op_fetch_all

positions: line
events: Ir
summary: 1111

ob=(1) /usr/lib/x86_64-linux-gnu/libgda-5.0.so.4.1.1
fl=(1) ???
fn=(1) gda_data_model_get_value_at
0 100
+2 10
cob=(2) /usr/lib/x86_64-linux-gnu/libglib-2.0.so.0.7400.6
cfi=(2) ???
cfn=(2) g_malloc
calls=3 0
0 1000
* 1
ob=(2)
fl=(2)
fn=(2)
0 1000
ob=(3) /work/_build/libgorm/libgorm-1.0.so.0.0.0
fl=(3) gorm-mapper.c
fn=(3) gorm_table_new_resource
12
-1 0

totals: 1111
'''


def table(**medians):
    """A timing table of one operation for every op: {op: {peer: stats}}."""
    return {op: {peer: {'median': value, 'min': value, 'n': 1} for peer, value in medians.items()}
            for op in workload.OPERATIONS}


class Dumps(unittest.TestCase):
    def write(self, text):
        f = tempfile.NamedTemporaryFile('w', suffix='.callgrind', delete=False)
        self.addCleanup(os.unlink, f.name)
        f.write(text)
        f.close()
        return f.name

    def test_self_costs_by_object(self):
        trigger, costs = callgrind_profile.parse_dump(self.write(DUMP))
        self.assertEqual(trigger, '--dump-after=op_fetch_all')
        self.assertEqual(callgrind_profile.dump_op(trigger), 'fetch_all')
        # The call's 1000 are g_malloc's own, counted once, in GLib; the
        # line after it is the caller's again.
        self.assertEqual(costs, {'/usr/lib/x86_64-linux-gnu/libgda-5.0.so.4.1.1': 111,
                                 '/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0.7400.6': 1000,
                                 '/work/_build/libgorm/libgorm-1.0.so.0.0.0': 0})

    def test_costs_that_do_not_add_up_are_refused(self):
        with self.assertRaisesRegex(ValueError, 'add up to 1111, its totals say 1112'):
            callgrind_profile.parse_dump(self.write(DUMP.replace('totals: 1111',
                                                                 'totals: 1112')))

    def test_triggers(self):
        self.assertEqual(callgrind_profile.dump_op('--dump-after=op_insert.*'), 'insert')
        self.assertEqual(callgrind_profile.dump_op('--dump-after=op_count_related'),
                         'count_related')
        self.assertIsNone(callgrind_profile.dump_op('Program termination'))
        self.assertIsNone(callgrind_profile.dump_op(None))
        self.assertIsNone(callgrind_profile.dump_op('--dump-after=op_nothing'))

    def test_categories(self):
        for path, group in [
                ('/usr/lib/x86_64-linux-gnu/libgda-5.0.so.4.1.1', 'libgda'),
                ('/usr/lib/x86_64-linux-gnu/libgda-5.0/providers/libgda-sqlite.so', 'libgda'),
                ('/work/_build/libgorm/libgorm-1.0.so.0.0.0', 'libgorm'),
                ('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6', 'SQLite'),
                ('/usr/lib/x86_64-linux-gnu/libgobject-2.0.so.0.7400.6', 'GLib/GObject'),
                ('/usr/lib/python3/dist-packages/gi/_gi.cpython-311-x86_64-linux-gnu.so',
                 'PyGObject'),
                ('/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2', 'PyGObject'),
                ('/usr/bin/python3.11', 'Python'),
                ('/usr/lib/python3.11/lib-dynload/_ctypes.cpython-311-x86_64-linux-gnu.so',
                 'Python'),
                ('/usr/lib/x86_64-linux-gnu/libc.so.6', 'libc'),
                ('/work/_build/bench/peers/peer-raw-gda', 'peer'),
                ('/usr/lib/x86_64-linux-gnu/libm.so.6', 'other'),
                ('???', 'other')]:
            self.assertEqual(callgrind_profile.category(path), group, path)

    def test_millions(self):
        self.assertEqual([callgrind_profile.mega(ir) for ir in (3526e6, 12.34e6, 0.5e6, 0)],
                         ['3,526 M', '12.3 M', '0.50 M', '0.00 M'])

    def test_peers_reach_the_same_checks(self):
        same = {'a': 1, 'b': 2}
        self.assertEqual(callgrind_profile.differing_checks(
            {'raw_gda': same, 'libgorm-c': dict(same), 'libgorm-py': dict(same)}), [])
        self.assertEqual(callgrind_profile.differing_checks(
            {'raw_gda': same, 'libgorm-c': dict(same, b=3)}),
            ["profile, libgorm-c: checks differ from raw_gda's: b: 3, raw_gda 2"])

    def test_valgrind_toggles_once_and_dumps_each_op(self):
        args = callgrind_profile.valgrind_command('/tmp/out')
        self.assertEqual([a for a in args if a.startswith('--toggle-collect')],
                         ['--toggle-collect=op_*'])
        # The wildcard comes first: the first pattern naming a function decides.
        self.assertLess(args.index('--toggle-collect=op_*'),
                        min(i for i, a in enumerate(args) if a.startswith('--dump-after')))
        for op in workload.OPERATIONS:
            self.assertIn('--dump-after=op_%s.*' % op, args)


class Targets(unittest.TestCase):
    def test_met(self):
        rows = compare.targets(table(**{'libgorm-py': 1.0, 'django': 2.5, 'peewee': 3.0,
                                        'sqlalchemy': 4.0, 'libgorm-c': 1.2, 'raw_gda': 1.0}),
                               {'libgorm-c': {op: 120 for op in workload.OPERATIONS},
                                'raw_gda': {op: 100 for op in workload.OPERATIONS}})
        for row in rows:
            self.assertEqual(row['orm'], 'django')
            self.assertAlmostEqual(row['speedup'], 2.5)
            self.assertTrue(row['py_met'] and row['c_met'] and row['ir_met'], row)
        self.assertEqual({row['op']: row['factor'] for row in rows}, {
            'insert': 2, 'fetch_all': 1.5, 'fetch_related': 2, 'filter': 2, 'get_by_pk': 2,
            'count': 2, 'count_related': 1, 'aggregate': 2, 'update': 2, 'delete_bulk': 1,
            'delete_each': 1.5, 'bulk_create': 1.5})

    def test_missed(self):
        # 1.8× faster than the fastest ORM: short of 2×, past 1.5× and 1×.
        rows = {row['op']: row for row in compare.targets(
            table(**{'libgorm-py': 1.0, 'peewee': 1.8, 'libgorm-c': 1.3, 'raw_gda': 1.0}),
            {'libgorm-c': {op: 126 for op in workload.OPERATIONS},
             'raw_gda': {op: 100 for op in workload.OPERATIONS}})}
        self.assertFalse(rows['insert']['py_met'])
        self.assertTrue(rows['fetch_all']['py_met'])
        self.assertTrue(rows['count_related']['py_met'])
        self.assertFalse(rows['insert']['c_met'])
        self.assertFalse(rows['insert']['ir_met'])
        # Slower than an ORM where the target is "never slower".
        rows = {row['op']: row for row in compare.targets(
            table(**{'libgorm-py': 1.0, 'django': 0.99}))}
        self.assertFalse(rows['delete_bulk']['py_met'])
        self.assertNotIn('c_ratio', rows['delete_bulk'])
        self.assertNotIn('ir_ratio', rows['delete_bulk'])

    def test_table(self):
        rows = compare.targets(table(**{'libgorm-py': 1.0, 'django': 1.0, 'libgorm-c': 1.0,
                                        'raw_gda': 1.0}))
        md = compare.targets_table(rows)
        self.assertIn('| insert | 1.000 s | django 1.000 s | 1.00× | ≥ 2× | **no** | 1.00× | yes '
                      '| – | – |', md)
        self.assertIn('| delete_bulk | 1.000 s | django 1.000 s | 1.00× | never slower | yes |',
                      '\n'.join(md))
        self.assertTrue(md[-2].startswith('libgorm-py: 2 of 12 met (missed: insert, '), md[-2])


class RunLine(unittest.TestCase):
    def test_line(self):
        self.assertEqual(workload.run_line(0, 'noise\n{"peer": "x"}\n', ''),
                         ({'peer': 'x'}, None))

    def test_failed(self):
        self.assertEqual(workload.run_line(1, '{"peer": "x"}\n', 'boom\n'),
                         (None, 'exit 1: boom'))
        self.assertEqual(workload.run_line(0, 'no line\n', 'why'), (None, 'exit 0: why'))


class SmallWorkload(unittest.TestCase):
    def test_scale_down(self):
        saved = (workload.N_AUTHORS, workload.N_POSTS, workload.N_FILTERS, workload.N_GETS,
                 workload.N_COUNTS, workload.N_DELETE_EACH)
        try:
            workload.scale_down(10)
            data = workload.Data()
            self.assertEqual((len(data.authors), len(data.posts), len(data.filter_views),
                              len(data.get_ids), len(data.count_authors),
                              workload.N_DELETE_EACH), (20, 2000, 20, 500, 50, 100))
            self.assertEqual(len(set(data.get_ids)), 500)
            self.assertTrue(all(1 <= i <= 2000 for i in data.get_ids))
        finally:
            (workload.N_AUTHORS, workload.N_POSTS, workload.N_FILTERS, workload.N_GETS,
             workload.N_COUNTS, workload.N_DELETE_EACH) = saved

    def test_bad_scale(self):
        for value in ('0', '201', 'x'):
            with self.assertRaisesRegex(SystemExit, 'integer from 1 to 200'):
                workload.main(object, ['--scale', value])

    def test_op_runner(self):
        self.assertTrue(OPS_LIBRARY, 'give the path of libworkload-ops.so')
        run = workload.op_runner(OPS_LIBRARY)
        self.assertEqual(run('count', lambda a, b: a + b, 2, 3), 5)
        with self.assertRaises(ZeroDivisionError):
            run('filter', lambda: 1 / 0)
        with self.assertRaisesRegex(SystemExit, 'has no op_nothing'):
            run('nothing', lambda: None)


if __name__ == '__main__':
    if len(sys.argv) > 1:
        OPS_LIBRARY = sys.argv.pop(1)
    unittest.main()
