#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pysqlite3: not an ORM, the floor for anything driven from CPython.

The standard library's sqlite3 module with hand-written SQL and plain
`__slots__` classes, as a careful programmer writes it without an ORM."""

import datetime
import sqlite3

import workload

SCHEMA = '''
CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT,
                     name VARCHAR(100) NOT NULL UNIQUE);
CREATE TABLE blogpost (id INTEGER PRIMARY KEY AUTOINCREMENT,
    title VARCHAR(200) NOT NULL, content TEXT, pub_date DATETIME,
    views INTEGER, rating REAL, published BOOLEAN,
    author_id INTEGER REFERENCES author(id));
CREATE INDEX ix_blogpost_pub_date ON blogpost(pub_date);
CREATE INDEX ix_blogpost_author_id ON blogpost(author_id);
'''

COLUMNS = 'id, title, content, pub_date, views, rating, published, author_id'
# fetch_related: the post's columns, then its author's, in one JOIN.
RELATED_SELECT = ('SELECT p.id, p.title, p.content, p.pub_date, p.views, p.rating, p.published, '
                  'p.author_id, a.id, a.name FROM blogpost p JOIN author a ON a.id = p.author_id')


class Author:
    __slots__ = ('id', 'name')

    def __init__(self, name, id=None):
        self.id = id
        self.name = name


class BlogPost:
    __slots__ = ('id', 'title', 'content', 'pub_date', 'views', 'rating', 'published',
                 'author_id')

    def __init__(self, title, content, pub_date, views, rating, published, author_id, id=None):
        self.id = id
        self.title = title
        self.content = content
        self.pub_date = pub_date
        self.views = views
        self.rating = rating
        self.published = published
        self.author_id = author_id

    @classmethod
    def from_row(cls, row):
        id, title, content, pub_date, views, rating, published, author_id = row
        return cls(title, content, datetime.datetime.fromisoformat(pub_date), views, rating,
                   bool(published), author_id, id)


class BlogPostWithAuthor(BlogPost):
    """A post loaded with its author (fetch_related): `post.author`."""
    __slots__ = ('author',)

    @classmethod
    def from_joined_row(cls, row):
        post = cls.from_row(row[:8])
        post.author = Author(row[9], row[8])
        return post


class Peer:
    name = 'pysqlite3'
    version = 'sqlite3 (Python %s)' % '.'.join(map(str, __import__('sys').version_info[:3]))

    def open(self, target):
        path, pragmas = target.path, target.pragmas
        # isolation_level=None: autocommit, transactions are explicit BEGIN/COMMIT.
        self.db = sqlite3.connect(path, isolation_level=None)
        for statement in workload.pragma_statements(pragmas):
            self.db.execute(statement).fetchall()
        self.db.executescript(SCHEMA)
        if self.trace:
            self.trace.attach(self.db)

    def sqlite_version(self):
        return self.db.execute('SELECT sqlite_version()').fetchone()[0]

    def insert(self, authors, posts):
        db = self.db
        db.execute('BEGIN')
        author_objects = []
        for name in authors:
            author = Author(name)
            author.id = db.execute('INSERT INTO author (name) VALUES (?)', (name,)).lastrowid
            author_objects.append(author)
        objects = []
        sql = ('INSERT INTO blogpost (title, content, pub_date, views, rating, published, '
               'author_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        for title, content, pub_date, views, rating, published, author in posts:
            post = BlogPost(title, content, pub_date, views, rating, published,
                            author_objects[author].id)
            post.id = db.execute(sql, (title, content, pub_date.isoformat(' '), views, rating,
                                       published, post.author_id)).lastrowid
            objects.append(post)
        db.execute('COMMIT')
        return objects

    def fetch_all(self):
        return [BlogPost.from_row(row)
                for row in self.db.execute('SELECT %s FROM blogpost' % COLUMNS)]

    def fetch_related(self):
        return [BlogPostWithAuthor.from_joined_row(row) for row in self.db.execute(RELATED_SELECT)]

    def filter(self, x):
        return [BlogPost.from_row(row) for row in self.db.execute(
            'SELECT %s FROM blogpost WHERE views > ? AND published = 1 '
            'ORDER BY pub_date DESC LIMIT 20' % COLUMNS, (x,))]

    def get(self, post_id):
        row = self.db.execute('SELECT %s FROM blogpost WHERE id = ?' % COLUMNS,
                              (post_id,)).fetchone()
        return BlogPost.from_row(row)

    def count(self, author_id):
        return self.db.execute('SELECT count(*) FROM blogpost WHERE author_id = ? AND '
                               'published = 1', (author_id,)).fetchone()[0]

    def load_authors(self):
        return [Author(name, id) for id, name in
                self.db.execute('SELECT id, name FROM author ORDER BY id')]

    def count_related(self, author):
        return self.db.execute('SELECT count(*) FROM blogpost WHERE author_id = ?',
                               (author.id,)).fetchone()[0]

    def aggregate(self):
        return self.db.execute(workload.AGGREGATE_SELECT).fetchall()

    def load_all(self):
        return self.fetch_all()

    def update(self, objects):
        db = self.db
        db.execute('BEGIN')
        for post in objects:
            post.views += 1
            db.execute('UPDATE blogpost SET views = ? WHERE id = ?', (post.views, post.id))
        db.execute('COMMIT')

    def delete_bulk(self):
        return self.db.execute('DELETE FROM blogpost WHERE views < 5000').rowcount

    def load_lowest(self, n):
        return [BlogPost.from_row(row) for row in self.db.execute(
            'SELECT %s FROM blogpost ORDER BY id LIMIT ?' % COLUMNS, (n,))]

    def delete_each(self, objects):
        db = self.db
        db.execute('BEGIN')
        for post in objects:
            db.execute('DELETE FROM blogpost WHERE id = ?', (post.id,))
        db.execute('COMMIT')

    def bulk_create(self, authors, posts):
        # Multi-row INSERTs of BULK_BATCH rows in one transaction; SQLite
        # numbers the rows of one statement consecutively, up to lastrowid.
        objects = [BlogPost(title, content, pub_date, views, rating, published, authors[author].id)
                   for title, content, pub_date, views, rating, published, author in posts]
        db = self.db
        batch = workload.BULK_BATCH
        sql = workload.bulk_insert_sql(batch)
        db.execute('BEGIN')
        for start in range(0, len(objects), batch):
            chunk = objects[start:start + batch]
            params = []
            for post in chunk:
                params += (post.title, post.content, post.pub_date.isoformat(' '), post.views,
                           post.rating, post.published, post.author_id)
            last = db.execute(sql if len(chunk) == batch else workload.bulk_insert_sql(len(chunk)),
                              params).lastrowid
            for i, post in enumerate(chunk, start=last - len(chunk) + 1):
                post.id = i
        db.execute('COMMIT')
        return objects

    def close(self):
        self.db.close()


if __name__ == '__main__':
    raise SystemExit(workload.main(Peer))
