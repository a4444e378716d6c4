#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that every Markdown file of the source tree refers only to what
the tree has:

  - a relative link `[text](path)` or `![alt](path)` names a file or
    directory that exists, relative to the file (`#fragment` aside); a
    fragment names a heading of the target (GitHub's anchors);
  - in doc/, a link to `NAME.html` is a guide page of the reference: it
    needs doc/NAME.md (gi-docgen's pages of symbols are linked with
    [class@…] and the like, which the docs test checks);
  - a path in backquotes whose first component is a top-level directory
    of the tree (`demos/blog/blog.py`, `bench/WORKLOAD.md`) exists,
    unless it is a pattern (`*`, a placeholder in capitals, `…`).

Links in code blocks and absolute URLs are left alone. TAP output: one
test per Markdown file.

  check-links.py SOURCE-ROOT
"""

import os
import re
import sys

SKIP_DIRS = {'.git', 'node_modules'}


def markdown_files(root):
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs
                         if d not in SKIP_DIRS and not d.startswith('_build')
                         and not d.startswith('.'))
        found += [os.path.join(directory, f) for f in sorted(files) if f.endswith('.md')]
    return found


def prose_lines(text):
    """The lines of @text outside fenced blocks, as (number, line)."""
    fenced = False
    for number, line in enumerate(text.split('\n'), 1):
        if line.startswith('```'):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def anchors(path):
    """GitHub's anchors of the headings of the Markdown file @path."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    result = set()
    for _, line in prose_lines(text):
        match = re.match(r'#+ (.*)$', line)
        if match:
            anchor = match.group(1).strip().lower()
            anchor = re.sub(r'[^\w\- ]', '', anchor).replace(' ', '-')
            result.add(anchor)
    return result


def check_file(root, path):
    problems = []
    relative = os.path.relpath(path, root)
    in_doc = os.path.dirname(relative) == 'doc'
    top_dirs = {d for d in os.listdir(root)
                if os.path.isdir(os.path.join(root, d)) and not d.startswith(('.', '_build'))}
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for number, line in prose_lines(text):
        for target in re.findall(r'\]\(([^)\s]+)(?:\s+"[^"]*")?\)', line):
            if re.match(r'[a-z][a-z0-9+.-]*:', target):    # https:, mailto:, file:
                continue
            target, _, fragment = target.partition('#')
            if not target:
                if fragment and fragment not in anchors(path):
                    problems.append('%s:%d: no heading for #%s' % (relative, number, fragment))
                continue
            if in_doc and target.endswith('.html') and '/' not in target:
                page = os.path.join(os.path.dirname(path), target[:-5] + '.md')
                if not os.path.exists(page):
                    problems.append('%s:%d: %s is no guide page (no doc/%s)'
                                    % (relative, number, target, target[:-5] + '.md'))
                continue
            full = os.path.normpath(os.path.join(os.path.dirname(path), target))
            if not os.path.exists(full):
                problems.append('%s:%d: %s does not exist' % (relative, number, target))
            elif fragment and full.endswith('.md') and fragment not in anchors(full):
                problems.append('%s:%d: %s has no heading for #%s'
                                % (relative, number, target, fragment))
        for target in re.findall(r'`([\w.-]+/[\w./-]+)`', line):
            first = target.split('/')[0]
            if first not in top_dirs or re.search(r'[*…]|[A-Z]{3,}|\.\.\.', target):
                continue
            if not os.path.exists(os.path.join(root, target.rstrip('/'))):
                problems.append('%s:%d: `%s` is not in the tree' % (relative, number, target))
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split('\n\n')[-1].strip())
    root = os.path.abspath(sys.argv[1])
    files = markdown_files(root)
    print('1..%d' % len(files))
    failed = 0
    for number, path in enumerate(files, 1):
        problems = check_file(root, path)
        relative = os.path.relpath(path, root)
        if problems:
            failed += 1
            print('not ok %d - %s' % (number, relative))
            for problem in problems:
                print('# ' + problem)
        else:
            print('ok %d - %s' % (number, relative))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
