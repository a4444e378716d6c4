#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The blog of the seed, in Python: a BlogPost model, saved to and read
back from an SQLite file or a PostgreSQL database.

    blog.py [PATH | URI]

PATH is an SQLite database file; it defaults to
$XDG_DATA_HOME/libgorm-blog/blog.db, and ':memory:' is a database in
memory. A URI is opened as it is: sqlite:PATH, or
postgresql://USER:PASSWORD@HOST:PORT/DBNAME. Each run adds a post and
prints every post stored so far.
Against the uninstalled build:

    meson devenv -C _build /usr/bin/python3 demos/blog/blog.py
"""

import datetime
import os
import re
import sys
import urllib.parse

import gi

gi.require_version('Gorm', '1.0')
from gi.repository import GLib, Gorm  # noqa: E402


class BlogPost(Gorm.Resource):
    title = Gorm.Field(str, max_length=200)
    content = Gorm.Field(str)
    pub_date = Gorm.Field(datetime.datetime, auto_now_add=True)


def default_database_path():
    directory = os.path.join(GLib.get_user_data_dir(), 'libgorm-blog')
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return os.path.join(directory, 'blog.db')


def database_uri(database):
    """A URI as it is, a file as an sqlite: URI."""
    if re.match(r'[A-Za-z][A-Za-z0-9+.-]*:', database):
        return database
    return 'sqlite:' + database


def display_name(database):
    """``database`` as the demo prints it: without the password of a URI."""
    if '://' not in database:
        return database
    parts = urllib.parse.urlsplit(database)
    if parts.password is None:
        return database
    netloc = parts.netloc.replace(':' + parts.password + '@', '@', 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def main(argv):
    if len(argv) > 2:
        print('Usage: %s [DATABASE-FILE | URI]' % argv[0], file=sys.stderr)
        return 1
    database = argv[1] if len(argv) > 1 else default_database_path()
    try:
        # The first database opened becomes the default one.
        db = Gorm.open(database_uri(database))

        post = BlogPost(title='My First Post', content='Hello, world!')
        post.save()
        print('Saved post %d in %s' % (post.id, display_name(database)))

        posts = BlogPost.objects.order_by('pub_date')
        print('%d %s:' % (len(posts), 'post' if len(posts) == 1 else 'posts'))
        for p in posts:
            when = p.pub_date.astimezone().strftime('%Y-%m-%d %H:%M')
            print('  %s (%s)' % (p.title, when))
        db.close()
    except Gorm.Error as error:
        print('blog.py: %s' % error, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
