#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Writes the ```c blocks of a guide page, in order, into one file that a
# test includes: the examples of doc/ run as written. Each block is
# preceded by a #line directive, so that a compiler error names the page
# and its line.
#
# Usage: extract-doc-examples.py PAGE.md OUTPUT

import re
import sys

BLOCK = re.compile(r'^```c\n(.*?)^```$', re.M | re.S)


def main():
    page, output = sys.argv[1], sys.argv[2]
    with open(page) as f:
        text = f.read()
    parts = ['/* Generated from %s by tests/extract-doc-examples.py: do not edit. */\n' % page]
    for match in BLOCK.finditer(text):
        line = text.count('\n', 0, match.start(1)) + 1
        parts.append('#line %d "%s"\n%s' % (line, page, match.group(1)))
    if len(parts) == 1:
        sys.exit('%s has no C example' % page)
    with open(output, 'w') as f:
        f.write('\n'.join(parts))


if __name__ == '__main__':
    main()
