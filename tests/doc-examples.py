#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Extracts the code examples of a guide page so that the build compiles
and runs them exactly as written. One script, three modes:

  doc-examples.py --join LANGUAGE [--section HEADING] PAGE.md OUTPUT
      The page's ```LANGUAGE blocks (c, vala), joined in their order into
      one program (doc-nulls-c, vala-doc-nulls, vala-doc-relations); with
      --section, only those of the section HEADING (of any level, up to
      the next heading of its level or above: vala-readme).

  doc-examples.py --header PAGE.md OUTPUT
      The page's ```c blocks, in order, into one file a test includes
      (tests/test-doc-NAME.c). Each block is preceded by a #line
      directive, so that a compiler error names the page and its line.

  doc-examples.py --harness HARNESS.h --section HEADING PAGE.md OUTPUT.c
      The ```c blocks of the section "## HEADING" into a C test program:
      each block becomes the body of a function `example_N (GormDatabase
      *db)`, run in order on the database HARNESS.h's `doc_example_open
      ()` makes. What the examples print with g_print() is compared with
      what their comments say they print (`/* prints "…" */`, in order):
      the program fails when they differ, when an example fails
      (g_error()), or on any warning (the tests run with
      G_DEBUG=fatal-warnings).

  doc-examples.py --run PAGE.md --source-root DIR --build-root DIR
      Every code block of the page, accounted for (one TAP line each):
      a block that a harness above (or a Python, gjs or Vala test) runs
      is named with that test (HARNESSES below); a block marked
      `<!-- norun: REASON -->` on the line before its fence is counted
      and its reason printed; every other block is run as written by the
      generic runner of its language:
        c, vala      the page's blocks of the language (or of one file,
                     see below) joined in order into one program, built
                     against the build tree and run;
        python, js   likewise joined into one script, run with
                     /usr/bin/python3 or gjs -m;
        sh, console  the block run by bash -e, in a scratch directory
                     holding links to the source tree's files and `_build`
                     pointing at the build tree (so `meson devenv -C _build
                     -w . …` works as from a fresh clone's top).
      A block preceded by `<!-- file: NAME -->` is written (joined with
      the page's other blocks of that NAME) to NAME in the scratch
      directory; when a shell block of the page names NAME, the shell
      block is what builds or runs it. Programs and shell blocks run
      under `meson devenv` of the build tree, in the scratch directory, in
      the page's order. What they print is compared with their `prints
      "…"` comments (`# prints`, `// prints`, `/* prints … */`) when they
      have any. A block of another language fails the test.

  doc-examples.py --pages SOURCE-ROOT
      The pages whose blocks must all be accounted for: README.md and
      doc/*.md, one per line (meson registers one --run test for each).

  doc-examples.py --check-pages SOURCE-ROOT PAGE...
      Fails when the pages found now differ from the PAGEs meson was
      configured with (a page added since: reconfigure).

A page (or section) without a block of the language is an error.
"""

import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile


def blocks_of(text, language):
    """The ```LANGUAGE blocks of @text as (line of their first line, code)."""
    pattern = re.compile(r'^```%s\n(.*?)^```$' % re.escape(language), re.M | re.S)
    return [(text.count('\n', 0, match.start(1)) + 1, match.group(1))
            for match in pattern.finditer(text)]


def section(page, text, heading):
    """The part of @text under the heading @heading (any level), up to the
    next heading of the same level or above; lines in ``` blocks (a
    shell comment) are no headings."""
    lines = text.split('\n')
    start = level = None
    fenced = False
    for number, line in enumerate(lines):
        if line.startswith('```'):
            fenced = not fenced
            continue
        match = None if fenced else re.match(r'(#+) (.*)$', line)
        if match is None:
            continue
        if start is None:
            if match.group(2) == heading:
                start, level = number, len(match.group(1))
        elif len(match.group(1)) <= level:
            return '\n'.join(lines[start:number]) + '\n'
    if start is None:
        sys.exit('%s: no section "%s"' % (page, heading))
    return '\n'.join(lines[start:])


def join(page, text, language):
    blocks = blocks_of(text, language)
    if not blocks:
        sys.exit('%s has no ```%s block' % (page, language))
    return '\n'.join(code for _, code in blocks)


def header(page, text):
    blocks = blocks_of(text, 'c')
    if not blocks:
        sys.exit('%s has no C example' % page)
    parts = ['/* Generated from %s by tests/doc-examples.py --header: do not edit. */\n' % page]
    parts += ['#line %d "%s"\n%s' % (line, page, code) for line, code in blocks]
    return '\n'.join(parts)


def harness_program(page, text, heading, harness):
    blocks = [code for _, code in blocks_of(section(page, text, heading), 'c')]
    if not blocks:
        sys.exit('%s: the section "%s" has no C example' % (page, heading))

    expected = []
    for block in blocks:
        expected += re.findall(r'/\* prints "((?:[^"\\]|\\.)*)" \*/', block)

    out = ['/* Generated by tests/doc-examples.py --harness from %s, "%s": do not edit. */'
           % ('/'.join(page.split('/')[-2:]), heading),
           '#include "config.h"',
           '#include <string.h>',
           '#include "%s"' % harness,
           '']
    for number, block in enumerate(blocks, 1):
        out.append('static void\nexample_%d (GormDatabase *db)\n{' % number)
        out += ['  ' + line if line else '' for line in block.rstrip('\n').split('\n')]
        out.append('}\n')

    out.append('static GString *printed;\n')
    out.append('static void\nprint_cb (const char *text)\n{\n  g_string_append (printed, text);\n}\n')
    out.append('int\nmain (void)\n{')
    out.append('  g_autoptr(GormDatabase) db = doc_example_open ();')
    out.append('  g_autoptr(GString) expected = g_string_new (NULL);')
    out.append('  GPrintFunc previous;\n')
    out.append('  printed = g_string_new (NULL);')
    out.append('  previous = g_set_print_handler (print_cb);')
    for number in range(1, len(blocks) + 1):
        out.append('  example_%d (db);' % number)
    out.append('  g_set_print_handler (previous);')
    for line in expected:
        # The comment holds a C string's text, escapes included.
        out.append('  g_string_append (expected, "%s\\n");' % line)
    out.append('  if (!g_str_equal (printed->str, expected->str))')
    out.append('    g_error ("The examples printed:\\n%s\\ninstead of:\\n%s", printed->str, expected->str);')
    out.append('  g_print ("%u examples ran and printed what they say\\n", ' + str(len(blocks)) + ');')
    out.append('  g_string_free (printed, TRUE);')
    out.append('  return 0;\n}')
    return '\n'.join(out) + '\n'


# The blocks that a test of its own runs, as (page, language, section or
# None for the whole page, test): the harnesses above and the pages'
# Python, gjs and Vala tests. A section is a heading of any level.
HARNESSES = [
    ('doc/queries.md', 'c', 'A first query', 'doc-queries-first (--harness)'),
    ('doc/queries.md', 'c', 'Across relations', 'doc-queries (--harness)'),
    ('doc/queries.md', 'c', 'Many objects at once', 'doc-queries-bulk (--harness)'),
    ('doc/expressions.md', 'c', 'Expressions in C', 'doc-expressions (--harness)'),
    ('doc/nulls.md', 'c', None, 'doc-nulls-c (--join)'),
    ('doc/relations.md', 'c', None, 'doc-relations (--header)'),
    ('doc/aggregates.md', 'c', None, 'doc-aggregates (--header)'),
    ('doc/migrations.md', 'c', None, 'doc-migrations (--header)'),
    ('README.md', 'c', 'Migrations', 'readme-migrations (--harness)'),
    ('doc/queries.md', 'python', 'The QuerySet in Python', 'python-bulk'),
    ('doc/aggregates.md', 'python', 'Python', 'python-aggregates'),
    ('README.md', 'python', 'Quick start in Python', 'python-aggregates'),
    ('doc/expressions.md', 'python', 'Python', 'python-expressions'),
    ('doc/nulls.md', 'python', None, 'python-nulls'),
    ('doc/relations.md', 'python', None, 'python-relations'),
    ('doc/nulls.md', 'js', None, 'gjs-nulls'),
    ('doc/relations.md', 'js', None, 'gjs-doc-relations'),
    ('doc/aggregates.md', 'js', None, 'gjs-doc-aggregates'),
    ('doc/expressions.md', 'js', None, 'gjs-doc-expressions'),
    ('README.md', 'js', 'Aggregates in JavaScript', 'gjs-readme'),
    ('doc/nulls.md', 'vala', None, 'vala-doc-nulls'),
    ('doc/relations.md', 'vala', None, 'vala-doc-relations'),
    ('doc/aggregates.md', 'vala', None, 'vala-doc-aggregates'),
    ('doc/expressions.md', 'vala', None, 'vala-doc-expressions'),
    ('README.md', 'vala', 'Aggregates in Vala', 'vala-readme'),
    ('doc/migrations.md', 'python', 'Python, JavaScript and Vala', 'python-migrations'),
    ('doc/migrations.md', 'js', 'Python, JavaScript and Vala', 'gjs-doc-migrations'),
    ('doc/migrations.md', 'vala', 'Python, JavaScript and Vala', 'vala-doc-migrations'),
]

LANGUAGES = {
    'c': 'example.c',
    'vala': 'example.vala',
    'python': 'example.py',
    'js': 'example.js',
    'sh': None,
    'console': None,
}

PRINTS = {
    'c': r'/\* prints "((?:[^"\\]|\\.)*)" \*/',
    'vala': r'// prints "(.*)"$',
    'python': r'# prints "(.*)"$',
    'js': r'// prints "(.*)"$',
}


class Block:
    def __init__(self, line, language, code, headings, marker):
        self.line = line            # of the opening fence, from 1
        self.language = language
        self.code = code
        self.headings = headings    # the headings the block is under
        self.norun = self.file = None
        if marker is not None:
            match = re.match(r'<!--\s*(norun|file):\s*(.*?)\s*-->$', marker)
            if match is not None and match.group(1) == 'norun':
                self.norun = match.group(2)
            elif match is not None:
                self.file = match.group(2)


def page_blocks(text):
    """Every fenced block of @text, in order."""
    lines = text.split('\n')
    blocks = []
    headings = {}
    start = None
    for number, line in enumerate(lines):
        if start is None:
            match = re.match(r'(#+) (.*)$', line)
            if match is not None:
                level = len(match.group(1))
                headings = {k: v for k, v in headings.items() if k < level}
                headings[level] = match.group(2)
            elif line.startswith('```'):
                start = number
        elif line.rstrip() == '```':
            info = lines[start][3:].strip()
            marker = lines[start - 1].strip() if start > 0 else ''
            blocks.append(Block(start + 1, info, '\n'.join(lines[start + 1:number]) + '\n',
                                list(headings.values()),
                                marker if marker.startswith('<!--') else None))
            start = None
    if start is not None:
        sys.exit('line %d: a block that is never closed' % (start + 1))
    return blocks


def harness_of(page, block):
    for harness_page, language, heading, test in HARNESSES:
        if harness_page == page and language == block.language and \
           (heading is None or heading in block.headings):
            return test
    return None


class Runner:
    def __init__(self, page, source_root, build_root, scratch):
        self.page = page
        self.source_root = source_root
        self.build_root = build_root
        self.scratch = scratch
        self.meson = shutil.which('meson') or 'meson'

    def devenv(self, command, what):
        """Runs @command (a list) under meson devenv in the scratch
        directory; returns its standard output, or fails."""
        argv = [self.meson, 'devenv', '-C', self.build_root, '-w', self.scratch] + command
        text = '%s: %s' % (what, ' '.join(shlex.quote(a) for a in command))
        print('\n'.join('# ' + line for line in text.rstrip('\n').split('\n')))
        sys.stdout.flush()
        try:
            process = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     timeout=600, encoding='utf-8', errors='replace')
        except subprocess.TimeoutExpired:
            return None, '%s: still running after 600 s' % what
        for text in process.stdout.splitlines():
            print('#   ' + text)
        if process.returncode != 0:
            return None, '%s exited with status %d' % (what, process.returncode)
        return process.stdout, None

    def run_file(self, name, language):
        path = os.path.join(self.scratch, name)
        stem = os.path.splitext(name)[0]
        if language == 'c':
            with open(path, encoding='utf-8') as f:
                gtk = 'gtk/gtk.h' in f.read()
            packages = 'gorm-1.0' + (' gtk4' if gtk else '')
            command = ['sh', '-c', 'cc -Wall -o %s %s $(pkg-config --cflags --libs %s)'
                       % (stem, name, packages)]
            out, error = self.devenv(command, 'compiling ' + name)
            if error:
                return None, error
            command = ['./' + stem]
        elif language == 'vala':
            command = ['valac', '--vapidir', os.path.join(self.build_root, 'introspection'),
                       '--disable-since-check', '--pkg', 'libxml-2.0', '--pkg', 'libgda-5.0',
                       '--pkg', 'gorm-1.0', '--pkg', 'gio-2.0', '-o', stem, name]
            with open(path, encoding='utf-8') as f:
                if 'Gtk.' in f.read():
                    command[-3:-3] = ['--pkg', 'gtk4']
            out, error = self.devenv(command, 'compiling ' + name)
            if error:
                return None, error
            command = ['./' + stem]
        elif language == 'python':
            command = ['/usr/bin/python3', name]
        else:
            command = ['gjs', '-m', name]
        if language in ('c', 'vala', 'python', 'js') and self.needs_display(path):
            command = [os.path.join(self.source_root, 'tests', 'gtk', 'run-under-xvfb.sh')] + command
        return self.devenv(command, 'running ' + name)

    @staticmethod
    def needs_display(path):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        return re.search(r"gtk/gtk\.h|gi://Gtk|require_version\('Gtk'|Gtk\.init|using Gtk", text) \
            is not None

    def run_shell(self, block, files):
        """Runs @block, under Xvfb when a file it names needs a display."""
        command = ['bash', '-e', '-o', 'pipefail', '-c', block.code]
        if any(names(block.code, name) and self.needs_display(os.path.join(self.scratch, name))
               for name in files):
            command = [os.path.join(self.source_root, 'tests', 'gtk', 'run-under-xvfb.sh')] + command
        return self.devenv(command, 'line %d' % block.line)


def names(code, name):
    """Whether the shell code @code names the file @name."""
    return re.search(r'(^|[\s/])%s\b' % re.escape(name), code, re.M) is not None


def check_prints(language, code, printed):
    """None when what was printed is what @code's prints comments say."""
    expected = re.findall(PRINTS[language], code, re.M)
    if not expected:
        return None
    lines = printed.splitlines()
    # Only the lines the program printed itself count: what meson devenv
    # or a compiler says comes first, so compare the last lines.
    if lines[-len(expected):] != expected:
        return 'printed %r instead of %r' % (lines[-len(expected):], expected)
    return None


def link_scratch(source_root, build_root, scratch):
    """The scratch directory: links to the source tree's top entries,
    and _build to the build tree."""
    for name in os.listdir(source_root):
        if name == '.git' or name.startswith('_build'):
            continue
        os.symlink(os.path.join(source_root, name), os.path.join(scratch, name))
    os.symlink(build_root, os.path.join(scratch, '_build'))


def run_page(page, source_root, build_root):
    with open(os.path.join(source_root, page), encoding='utf-8') as f:
        blocks = page_blocks(f.read())
    if not blocks:
        print('1..1\nok 1 - %s has no code block' % page)
        return 0

    # Each block's fate: harness, norun, or a file (group) or a shell run.
    files = {}                     # name -> (language, [blocks])
    for block in blocks:
        if block.norun is not None or block.language not in LANGUAGES:
            continue
        name = block.file
        if name is None and harness_of(page, block) is None:
            name = LANGUAGES[block.language]
        if name is not None:
            files.setdefault(name, (block.language, []))[1].append(block)
    shell = '\n'.join(b.code for b in blocks
                      if b.language in ('sh', 'console') and b.norun is None)

    print('1..%d' % len(blocks))
    failed = 0
    counts = {'run': 0, 'harness': 0, 'norun': 0}
    with tempfile.TemporaryDirectory(prefix='doc-examples-') as scratch:
        link_scratch(source_root, build_root, scratch)
        for name, (language, group) in files.items():
            if language in ('sh', 'console'):
                continue
            with open(os.path.join(scratch, name), 'w', encoding='utf-8') as f:
                f.write('\n'.join(b.code for b in group))
        runner = Runner(page, source_root, build_root, scratch)
        for number, block in enumerate(blocks, 1):
            where = '%s:%d (%s)' % (page, block.line, block.language or 'no language')
            error = None
            how = None
            if block.norun is not None:
                if not block.norun:
                    error = 'marked norun without a reason'
                else:
                    how = 'not run: ' + block.norun
                    counts['norun'] += 1
            elif block.language not in LANGUAGES:
                error = 'no runner for the language "%s" (%s), and not marked norun' \
                    % (block.language, ', '.join(LANGUAGES))
            elif block.language in ('sh', 'console'):
                out, error = runner.run_shell(block, [n for n in files if files[n][0] not in ('sh', 'console')])
                how = 'run by bash'
                counts['run'] += 1
                # What the files it runs print, by their prints comments.
                for name, (language, group) in files.items():
                    if error is None and language in PRINTS and names(block.code, name):
                        error = check_prints(language, '\n'.join(b.code for b in group), out)
            else:
                harness = harness_of(page, block)
                name = block.file or (None if harness else LANGUAGES[block.language])
                group = files.get(name, (None, []))[1]
                if harness is not None:
                    how = 'run by the test ' + harness
                    counts['harness'] += 1
                if name is not None and block is group[-1]:
                    if names(shell, name):
                        how = how or 'run by the page\'s shell block that names %s' % name
                    else:
                        out, error = runner.run_file(name, block.language)
                        if error is None:
                            error = check_prints(block.language,
                                                 '\n'.join(b.code for b in group), out)
                        how = how or 'run as %s' % name
                elif name is not None:
                    how = how or 'part of %s, run with its last block' % name
                if harness is None:
                    counts['run'] += 1
            if error is not None:
                failed += 1
                print('not ok %d - %s: %s' % (number, where, error))
            else:
                print('ok %d - %s %s' % (number, where, how))
    print('# %s: %d blocks, %d run here, %d run by their own tests, %d marked norun, %d failed'
          % (page, len(blocks), counts['run'], counts['harness'], counts['norun'], failed))
    return 1 if failed else 0


def pages_of(source_root):
    pages = ['README.md'] + sorted('doc/' + os.path.basename(p)
                                   for p in glob.glob(os.path.join(source_root, 'doc', '*.md')))
    return [p for p in pages if os.path.exists(os.path.join(source_root, p))]


def main():
    if len(sys.argv) >= 2 and sys.argv[1] in ('--run', '--pages', '--check-pages'):
        return main_pages()
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument('--join', metavar='LANGUAGE',
                      help="join the page's blocks of LANGUAGE into one program")
    mode.add_argument('--header', action='store_true',
                      help="the page's C blocks, with #line directives, for a test to include")
    mode.add_argument('--harness', metavar='HARNESS.h',
                      help='a C test program running the C blocks of --section on HARNESS.h')
    parser.add_argument('--section', metavar='HEADING',
                        help='only the section HEADING (needed by --harness, optional with --join)')
    parser.add_argument('page', metavar='PAGE.md')
    parser.add_argument('output', metavar='OUTPUT')
    args = parser.parse_args()
    if args.harness is not None and args.section is None:
        parser.error('--harness needs --section')
    if args.header and args.section is not None:
        parser.error('--section goes with --harness or --join')

    with open(args.page, encoding='utf-8') as f:
        text = f.read()
    if args.join is not None:
        if args.section is not None:
            text = section(args.page, text, args.section)
        result = join(args.page, text, args.join)
    elif args.header:
        result = header(args.page, text)
    else:
        result = harness_program(args.page, text, args.section, args.harness)
    with open(args.output, 'w', encoding='utf-8') as f:
        f.write(result)


def main_pages():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument('--run', metavar='PAGE.md', help='account for every block of PAGE.md')
    mode.add_argument('--pages', metavar='SOURCE-ROOT', help='the pages to check')
    mode.add_argument('--check-pages', metavar='SOURCE-ROOT',
                      help='fail when the pages differ from the configured PAGEs')
    parser.add_argument('--source-root')
    parser.add_argument('--build-root')
    parser.add_argument('configured', nargs='*', metavar='PAGE')
    args = parser.parse_args()
    if args.pages:
        print('\n'.join(pages_of(args.pages)))
        return 0
    if args.check_pages:
        found = pages_of(args.check_pages)
        print('1..1')
        if sorted(found) != sorted(args.configured):
            print('not ok 1 - pages now: %s; configured: %s: reconfigure the build '
                  '(meson setup --reconfigure) so that every page has its test'
                  % (' '.join(found), ' '.join(args.configured)))
            return 1
        print('ok 1 - every page (%d) has its test' % len(found))
        return 0
    if not args.source_root or not args.build_root:
        parser.error('--run needs --source-root and --build-root')
    return run_page(args.run, os.path.abspath(args.source_root), os.path.abspath(args.build_root))


if __name__ == '__main__':
    sys.exit(main())
