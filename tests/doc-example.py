#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the code blocks of one language of a guide page to a file, so
that the build compiles and runs them as written: doc-example.py PAGE
LANGUAGE OUTPUT. The blocks are joined in their order; a page without a
block of that language is an error."""

import re
import sys


def main():
    page, language, output = sys.argv[1:]
    with open(page, encoding='utf-8') as f:
        text = f.read()
    blocks = re.findall(r'^```%s\n(.*?)^```$' % re.escape(language), text, re.M | re.S)
    if not blocks:
        sys.exit('%s has no ```%s block' % (page, language))
    with open(output, 'w', encoding='utf-8') as f:
        f.write('\n'.join(blocks))


if __name__ == '__main__':
    main()
