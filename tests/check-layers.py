#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks the walls between libgorm's layers, as CONTRIBUTING.md draws them:
#
#   public objects   database, resource, query, query-model, filter, expression
#   unit of work     mapper, identity-map, change-feed, migrator
#   execution        connection, listener, worker, key-reader
#   SQL text         dialect (dialect-sqlite, dialect-postgresql, dialect-expression, ...)
#   foundations      schema, value, uri, error, types, version, enums
#
# Calls run downward only, so a file may include the private header of a
# module in its own layer or a lower one, never of a higher one. Only the
# connection module talks to libgda: no other file includes a libgda
# header or calls a gda_ function, and the public headers include libgda
# only for applications (never when GORM_COMPILATION is defined) or for
# the introspection scanner (under __GI_SCANNER__), so a file that used a
# libgda type without saying so would not compile. Every file of libgorm/ must
# appear in the table below: a new module says its layer here.
#
# Prints TAP; exits non-zero when a wall is broken.

import os
import re
import sys

LAYERS = ['foundations', 'sql', 'execution', 'unit-of-work', 'public']

MODULES = {
    # foundations
    'gorm': 'public',
    'gorm-error': 'foundations',
    'gorm-types': 'foundations',
    'gorm-version': 'foundations',
    'gorm-enums': 'foundations',
    'gorm-uri': 'foundations',
    'gorm-value': 'foundations',
    'gorm-schema': 'foundations',
    'gorm-relation': 'foundations',
    # SQL text
    'gorm-dialect': 'sql',
    'gorm-dialect-sqlite': 'sql',
    'gorm-dialect-postgresql': 'sql',
    'gorm-dialect-rows': 'sql',
    'gorm-dialect-expression': 'sql',
    'gorm-dialect-migration': 'sql',
    # execution
    'gorm-connection': 'execution',
    'gorm-listener': 'execution',
    'gorm-worker': 'execution',
    'gorm-key-reader': 'execution',
    # unit of work
    'gorm-mapper': 'unit-of-work',
    'gorm-identity-map': 'unit-of-work',
    'gorm-change-feed': 'unit-of-work',
    'gorm-migrator': 'unit-of-work',
    'gorm-catalog': 'unit-of-work',
    # public objects
    'gorm-database': 'public',
    'gorm-database-bulk': 'public',
    'gorm-resource': 'public',
    'gorm-resource-relations': 'public',
    'gorm-resource-values': 'public',
    'gorm-query': 'public',
    'gorm-query-model': 'public',
    'gorm-filter': 'public',
    'gorm-row': 'public',
    'gorm-expression': 'public',
    'gorm-migration': 'public',
    'gorm-migration-change': 'public',
}

# The only files that may include a libgda header.
LIBGDA_FILES = {'gorm-connection.c'}

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]')
# A call of a libgda function, in code (comments and strings are blanked
# first). gorm_connection_gda_type() is the connection's own.
GDA_CALL = re.compile(r'(?<![A-Za-z0-9_])gda_[a-z0-9_]+\s*\(')
SUFFIXES = ('-private.h', '.h.in', '.h', '.c')


def module_of(filename):
    for suffix in SUFFIXES:
        if filename.endswith(suffix):
            return filename[:-len(suffix)]
    return None


def is_outside_condition(directive):
    """Whether the first branch of an #if, #ifdef or #ifndef is compiled
    only outside libgorm: when GORM_COMPILATION is not defined, or for
    the introspection scanner."""
    if 'GORM_COMPILATION' in directive:
        return '!' in directive or directive.startswith('#ifndef')
    return '__GI_SCANNER__' in directive and '!' not in directive \
        and not directive.startswith('#ifndef')


def rank(module):
    return LAYERS.index(MODULES[module])


def check_file(path, filename):
    """The broken walls of one file, as messages."""
    problems = []
    module = module_of(filename)
    if module not in MODULES:
        return ['%s: its module %r has no layer in tests/check-layers.py' % (filename, module)]
    is_public_header = filename.endswith('.h') and not filename.endswith('-private.h')
    # One entry per open #if: whether its current branch is compiled only
    # outside libgorm (applications, the introspection scanner).
    conditions = []
    with open(path, encoding='utf-8') as source:
        for number, line in enumerate(source, 1):
            stripped = re.sub(r'^#\s+', '#', line.strip())
            if stripped.startswith('#if'):
                conditions.append(is_outside_condition(stripped))
            elif stripped.startswith(('#else', '#elif')) and conditions:
                conditions[-1] = False
            elif stripped.startswith('#endif') and conditions:
                conditions.pop()
            guarded = any(conditions)
            match = INCLUDE.match(line)
            if match is None:
                continue
            target = match.group(2)
            where = '%s:%d' % (filename, number)
            if target.startswith('libgda') or target.startswith('libgda/'):
                if filename in LIBGDA_FILES:
                    continue
                if is_public_header and guarded:
                    continue
                problems.append('%s: includes <%s>; only %s may use libgda'
                                % (where, target, ', '.join(sorted(LIBGDA_FILES))))
                continue
            if not target.endswith('-private.h'):
                continue
            other = module_of(os.path.basename(target))
            if other not in MODULES:
                problems.append('%s: includes %s, whose module has no layer' % (where, target))
            elif rank(other) > rank(module):
                problems.append('%s: a %s file includes %s of the %s layer above it'
                                % (where, MODULES[module], target, MODULES[other]))
    if filename not in LIBGDA_FILES:
        with open(path, encoding='utf-8') as source:
            code = source.read()
        code = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), code, flags=re.S)
        code = re.sub(r'"(\\.|[^"\\\n])*"', '""', code)
        for match in GDA_CALL.finditer(code):
            number = code.count('\n', 0, match.start()) + 1
            problems.append('%s:%d: calls %s); only %s may use libgda'
                            % (filename, number, match.group(0),
                               ', '.join(sorted(LIBGDA_FILES))))
    return problems


def main():
    srcdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'libgorm')
    files = sorted(name for name in os.listdir(srcdir)
                   if name.endswith(('.c', '.h', '.h.in')))
    print('1..%d' % len(files))
    failed = 0
    for index, filename in enumerate(files, 1):
        problems = check_file(os.path.join(srcdir, filename), filename)
        if problems:
            failed += 1
            print('not ok %d - %s' % (index, filename))
            for problem in problems:
                print('# %s' % problem)
        else:
            print('ok %d - %s' % (index, filename))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
