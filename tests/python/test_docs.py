# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python examples of the guide pages run as written: the ```python
blocks of each page below, in order, as one program in one namespace,
with a fresh database of the engine under test as the default database."""

import os
import re

from gormtest import DatabaseTestCase, main

PAGES = ['doc/relations.md']

_BLOCK = re.compile(r'^```python\n(.*?)^```$', re.M | re.S)


def examples(page):
    """The Python code blocks of ``page``, a path from the source root."""
    root = os.environ.get('GORM_SOURCE_ROOT') or os.path.join(os.path.dirname(__file__),
                                                              '..', '..')
    with open(os.path.join(root, page)) as f:
        return _BLOCK.findall(f.read())


class DocExamplesTest(DatabaseTestCase):

    def test_every_page_has_python_examples(self):
        for page in PAGES:
            self.assertTrue(examples(page), page)

    def test_examples_run(self):
        for page in PAGES:
            with self.subTest(page=page):
                namespace = {'__name__': 'doc_' + os.path.basename(page).split('.')[0]}
                for number, code in enumerate(examples(page), 1):
                    compiled = compile(code, '%s (example %d)' % (page, number), 'exec')
                    exec(compiled, namespace)


if __name__ == '__main__':
    main()
