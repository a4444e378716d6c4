# SPDX-License-Identifier: LGPL-2.1-or-later
"""``from gi.repository import Gorm`` loads the typelib and the override,
uninstalled through ``meson devenv`` and installed under a prefix.

Run by meson test, which gives the build directory in GORM_BUILD_ROOT,
the source directory in GORM_SOURCE_ROOT and meson in GORM_MESON."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

# Imports Gorm, saves an object of a model, and prints where the typelib
# and the override came from.
PROGRAM = '''
import gi
gi.require_version('Gorm', '1.0')
from gi.repository import Gorm
import gi.overrides.Gorm

class Probe(Gorm.Resource):
    name = Gorm.Field(str, max_length=10)

Gorm.open('sqlite::memory:')
Probe(name='installed').save()
assert [p.name for p in Probe.objects.all()] == ['installed']
print(gi.Repository.get_default().get_typelib_path('Gorm'))
print(gi.overrides.Gorm.__file__)
'''

# The variables that would let the test's own environment find the build.
FINDING = ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH', 'PYTHONPATH')


def clean_environment(**extra):
    """The environment of the test without the variables that find Gorm."""
    environment = {key: value for key, value in os.environ.items() if key not in FINDING}
    environment.update(extra)
    return environment


def run(args, environment):
    """Runs ``args``; its standard output, or a test failure with its
    standard error."""
    process = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=300)
    if process.returncode != 0:
        raise AssertionError('%s failed (%d):\n%s%s' % (' '.join(args), process.returncode,
                                                          process.stdout, process.stderr))
    return process.stdout


class LoadTest(unittest.TestCase):

    def setUp(self):
        self.build_root = os.environ['GORM_BUILD_ROOT']
        self.source_root = os.environ['GORM_SOURCE_ROOT']
        self.meson = os.environ['GORM_MESON'].split()

    def test_meson_devenv_loads_the_uninstalled_build(self):
        output = run(self.meson + ['devenv', '-C', self.build_root,
                                   sys.executable, '-c', PROGRAM], clean_environment())
        typelib, override = output.split()
        self.assertEqual(os.path.realpath(typelib), os.path.realpath(
            os.path.join(self.build_root, 'introspection', 'Gorm-1.0.typelib')))
        self.assertEqual(os.path.realpath(override), os.path.realpath(
            os.path.join(self.source_root, 'bindings', 'python', 'gi', 'overrides', 'Gorm.py')))

    def test_installed_to_a_prefix(self):
        installed = json.loads(run(self.meson + ['introspect', self.build_root, '--installed'],
                                   os.environ))
        with tempfile.TemporaryDirectory() as destdir:
            run(self.meson + ['install', '-C', self.build_root, '--no-rebuild', '--quiet',
                              '--destdir', destdir], os.environ)

            def staged(source_name):
                """The staged path of the one installed file named so."""
                paths = [path for path in installed.values()
                         if os.path.basename(path) == source_name]
                self.assertEqual(len(paths), 1, source_name)
                return destdir + paths[0]

            override = staged('Gorm.py')
            typelib = staged('Gorm-1.0.typelib')
            library = staged('libgorm-1.0.so.0')
            site = os.path.dirname(os.path.dirname(os.path.dirname(override)))
            output = run([sys.executable, '-c', PROGRAM], clean_environment(
                GI_TYPELIB_PATH=os.path.dirname(typelib),
                LD_LIBRARY_PATH=os.path.dirname(library),
                PYTHONPATH=site))
            self.assertEqual(output.split(), [typelib, override])
            self.assertTrue(override.endswith('/gi/overrides/Gorm.py'))


if __name__ == '__main__':
    unittest.main(verbosity=2)
