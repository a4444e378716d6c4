#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The page runner of tests/doc-examples.py fails on what it must: a block
that does not build or run, prints other than its comments say, a
language it has no runner for, a norun mark without a reason; it passes
a page whose blocks run, counts the norun ones, and doc-pages fails when
a page was added since the build was configured.

  test-doc-examples.py BUILD-ROOT
"""

import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'doc-examples.py')
BUILD_ROOT = None


def run_page(text):
    """Runs the runner on a page holding @text; (status, output)."""
    with tempfile.TemporaryDirectory() as root:
        os.mkdir(os.path.join(root, 'doc'))
        with open(os.path.join(root, 'doc', 'page.md'), 'w', encoding='utf-8') as f:
            f.write(text)
        process = subprocess.run([sys.executable, SCRIPT, '--run', 'doc/page.md',
                                  '--source-root', root, '--build-root', BUILD_ROOT],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 encoding='utf-8', timeout=300)
    return process.returncode, process.stdout


class RunnerTest(unittest.TestCase):
    def assert_fails(self, text, message):
        status, output = run_page(text)
        self.assertEqual(status, 1, output)
        self.assertIn('not ok 1 - doc/page.md:1', output)
        self.assertIn(message, output)

    def test_c_that_does_not_build(self):
        self.assert_fails('```c\nint main (void) { return nothing; }\n```\n',
                          'compiling example.c exited with status 1')

    def test_c_that_fails(self):
        self.assert_fails('```c\nint main (void) { return 3; }\n```\n',
                          'running example.c exited with status 3')

    def test_python_printing_something_else(self):
        self.assert_fails("```python\nprint('a')   # prints \"b\"\n```\n",
                          "printed ['a'] instead of ['b']")

    def test_js_that_throws(self):
        self.assert_fails("```js\nthrow new Error('no');\n```\n",
                          'running example.js exited with status')

    def test_vala_that_does_not_build(self):
        self.assert_fails('```vala\nint main () { return nothing; }\n```\n',
                          'compiling example.vala exited with status 1')

    def test_shell_that_fails(self):
        self.assert_fails('```sh\ntrue\nfalse\ntrue\n```\n', 'exited with status 1')

    def test_language_without_runner(self):
        self.assert_fails('```ruby\nputs 1\n```\n', 'no runner for the language "ruby"')

    def test_norun_without_reason(self):
        status, output = run_page('<!-- norun: -->\n```sh\ntrue\n```\n')
        self.assertEqual(status, 1, output)
        self.assertIn('marked norun without a reason', output)

    def test_page_that_runs(self):
        status, output = run_page(
            '<!-- file: hello.c -->\n'
            '```c\n#include <gorm.h>\nint main (void) { g_print ("%d\\n", 1 + 1); return 0; }\n'
            '/* prints "2" */\n```\n\n'
            '```sh\ncc -o hello hello.c $(pkg-config --cflags --libs gorm-1.0)\n./hello\n```\n\n'
            "```python\nimport gi\ngi.require_version('Gorm', '1.0')\n"
            "from gi.repository import Gorm\nprint(Gorm.open('sqlite::memory:') is not None)"
            '   # prints "True"\n```\n\n'
            '<!-- norun: it needs the network -->\n```sh\ncurl https://example.org\n```\n')
        self.assertEqual(status, 0, output)
        self.assertIn('4 blocks, 3 run here, 0 run by their own tests, 1 marked norun, 0 failed',
                      output)

    def test_added_page(self):
        root = os.path.dirname(os.path.dirname(SCRIPT))
        process = subprocess.run([sys.executable, SCRIPT, '--check-pages', root, 'README.md'],
                                 stdout=subprocess.PIPE, encoding='utf-8')
        self.assertEqual(process.returncode, 1)
        self.assertIn('reconfigure', process.stdout)


class LinksTest(unittest.TestCase):
    """tests/check-links.py fails on a link, a guide page or a path that
    the tree does not have, and passes the ones it has."""

    def check(self, text):
        with tempfile.TemporaryDirectory() as root:
            os.mkdir(os.path.join(root, 'doc'))
            os.mkdir(os.path.join(root, 'bench'))
            open(os.path.join(root, 'bench', 'WORKLOAD.md'), 'w').write('# Work\n## PostgreSQL\n')
            open(os.path.join(root, 'doc', 'other.md'), 'w').write('# Other\n')
            with open(os.path.join(root, 'doc', 'page.md'), 'w', encoding='utf-8') as f:
                f.write(text)
            process = subprocess.run(
                [sys.executable, os.path.join(os.path.dirname(SCRIPT), 'check-links.py'), root],
                stdout=subprocess.PIPE, encoding='utf-8')
        return process.returncode, process.stdout

    def test_links_that_exist(self):
        status, output = self.check('[w](../bench/WORKLOAD.md#postgresql) [o](other.html) '
                                    '`bench/WORKLOAD.md` [x](https://example.org/none)\n'
                                    '```\n[in a block](nowhere.md)\n```\n')
        self.assertEqual(status, 0, output)

    def test_missing_file(self):
        status, output = self.check('[w](../bench/MISSING.md)\n')
        self.assertEqual(status, 1, output)
        self.assertIn('../bench/MISSING.md does not exist', output)

    def test_missing_heading(self):
        status, output = self.check('[w](../bench/WORKLOAD.md#sqlite)\n')
        self.assertEqual(status, 1, output)
        self.assertIn('has no heading for #sqlite', output)

    def test_missing_guide_page(self):
        status, output = self.check('[g](gtk.html)\n')
        self.assertEqual(status, 1, output)
        self.assertIn('gtk.html is no guide page', output)

    def test_missing_path(self):
        status, output = self.check('run `bench/bench-missing`\n')
        self.assertEqual(status, 1, output)
        self.assertIn('`bench/bench-missing` is not in the tree', output)


if __name__ == '__main__':
    BUILD_ROOT = sys.argv.pop(1)
    unittest.main(verbosity=2)
