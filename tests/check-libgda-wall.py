#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""TAP test: gorm-connection.c is the only file of libgorm/ that includes a
libgda header (gorm-database.h includes one only for the introspection
scanner, to bind GdaConnection) or calls a libgda function."""

import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
include = re.compile(r'^\s*#\s*include\s*[<"](libgda|sql-parser|libgda-[^/]*)/', re.M)
call = re.compile(r'\bgda_[a-z0-9_]+\s*\(')
allowed = {'gorm-connection.c'}
files = sorted(p for p in root.iterdir() if p.suffix in ('.c', '.h', '.in'))

print(f'1..{len(files)}')
failed = False
for number, path in enumerate(files, 1):
    text = path.read_text()
    if path.name == 'gorm-database.h':
        text = re.sub(r'#ifdef __GI_SCANNER__\n.*?#else', '', text, flags=re.S)
    # Comments and strings may name libgda; code may not.
    code = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    code = re.sub(r'"(\\.|[^"\\])*"', '""', code)
    bad = [m.group(0) for m in include.finditer(code)]
    bad += [m.group(0) for m in call.finditer(code)
            if not m.group(0).startswith('gorm_connection_gda')]
    if path.name in allowed or not bad:
        print(f'ok {number} {path.name}')
    else:
        failed = True
        print(f'not ok {number} {path.name}: {", ".join(sorted(set(bad)))}')
sys.exit(1 if failed else 0)
