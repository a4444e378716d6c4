#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""psycopg2: not an ORM, the floor for anything driven from CPython on
PostgreSQL (what pysqlite3 is on SQLite).

Debian's psycopg2 with hand-written SQL and plain `__slots__` classes, as
a careful programmer writes it without an ORM: one connection in
autocommit, explicit BEGIN / COMMIT, `INSERT … RETURNING id` for the new
ids, psycopg2's own adaptation of datetime, float and bool."""

import psycopg2
import psycopg2.extras

import workload

SCHEMA = '''
CREATE TABLE author (id BIGSERIAL PRIMARY KEY,
                     name VARCHAR(100) NOT NULL UNIQUE);
CREATE TABLE blogpost (id BIGSERIAL PRIMARY KEY,
    title VARCHAR(200) NOT NULL, content TEXT, pub_date TIMESTAMP,
    views BIGINT, rating DOUBLE PRECISION, published BOOLEAN,
    author_id BIGINT REFERENCES author(id));
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
        return cls(title, content, pub_date, views, rating, published, author_id, id)


class BlogPostWithAuthor(BlogPost):
    """A post loaded with its author (fetch_related): `post.author`."""
    __slots__ = ('author',)

    @classmethod
    def from_joined_row(cls, row):
        post = cls.from_row(row[:8])
        post.author = Author(row[9], row[8])
        return post


class Peer:
    name = 'psycopg2'
    engines = ('postgresql',)
    version = 'psycopg2 %s' % psycopg2.__version__.split()[0]

    def open(self, target):
        self.db = psycopg2.connect(**target.params)
        self.db.autocommit = True
        self.cursor = self.db.cursor()
        self.cursor.execute(SCHEMA)

    def insert(self, authors, posts):
        cursor = self.cursor
        cursor.execute('BEGIN')
        author_objects = []
        for name in authors:
            author = Author(name)
            cursor.execute('INSERT INTO author (name) VALUES (%s) RETURNING id', (name,))
            author.id = cursor.fetchone()[0]
            author_objects.append(author)
        objects = []
        sql = ('INSERT INTO blogpost (title, content, pub_date, views, rating, published, '
               'author_id) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id')
        for title, content, pub_date, views, rating, published, author in posts:
            post = BlogPost(title, content, pub_date, views, rating, published,
                            author_objects[author].id)
            cursor.execute(sql, (title, content, pub_date, views, rating, published,
                                 post.author_id))
            post.id = cursor.fetchone()[0]
            objects.append(post)
        cursor.execute('COMMIT')
        return objects

    def _posts(self, sql, args=None):
        self.cursor.execute(sql, args)
        return [BlogPost.from_row(row) for row in self.cursor.fetchall()]

    def fetch_all(self):
        return self._posts('SELECT %s FROM blogpost' % COLUMNS)

    def fetch_related(self):
        self.cursor.execute(RELATED_SELECT)
        return [BlogPostWithAuthor.from_joined_row(row) for row in self.cursor.fetchall()]

    def filter(self, x):
        return self._posts('SELECT %s FROM blogpost WHERE views > %%s AND published = TRUE '
                           'ORDER BY pub_date DESC LIMIT 20' % COLUMNS, (x,))

    def get(self, post_id):
        self.cursor.execute('SELECT %s FROM blogpost WHERE id = %%s' % COLUMNS, (post_id,))
        return BlogPost.from_row(self.cursor.fetchone())

    def count(self, author_id):
        self.cursor.execute('SELECT count(*) FROM blogpost WHERE author_id = %s AND '
                            'published = TRUE', (author_id,))
        return self.cursor.fetchone()[0]

    def load_authors(self):
        self.cursor.execute('SELECT id, name FROM author ORDER BY id')
        return [Author(name, id) for id, name in self.cursor.fetchall()]

    def count_related(self, author):
        self.cursor.execute('SELECT count(*) FROM blogpost WHERE author_id = %s', (author.id,))
        return self.cursor.fetchone()[0]

    def aggregate(self):
        self.cursor.execute(workload.AGGREGATE_SELECT)
        return self.cursor.fetchall()

    def load_all(self):
        return self.fetch_all()

    def update(self, objects):
        cursor = self.cursor
        cursor.execute('BEGIN')
        for post in objects:
            post.views += 1
            cursor.execute('UPDATE blogpost SET views = %s WHERE id = %s', (post.views, post.id))
        cursor.execute('COMMIT')

    def delete_bulk(self):
        self.cursor.execute('DELETE FROM blogpost WHERE views < 5000')
        return self.cursor.rowcount

    def load_lowest(self, n):
        return self._posts('SELECT %s FROM blogpost ORDER BY id LIMIT %%s' % COLUMNS, (n,))

    def delete_each(self, objects):
        cursor = self.cursor
        cursor.execute('BEGIN')
        for post in objects:
            cursor.execute('DELETE FROM blogpost WHERE id = %s', (post.id,))
        cursor.execute('COMMIT')

    def bulk_create(self, authors, posts):
        # psycopg2's multi-row INSERT: execute_values, BULK_BATCH rows a
        # statement, the ids from RETURNING (in the order of the rows).
        objects = [BlogPost(title, content, pub_date, views, rating, published, authors[author].id)
                   for title, content, pub_date, views, rating, published, author in posts]
        cursor = self.cursor
        cursor.execute('BEGIN')
        ids = psycopg2.extras.execute_values(
            cursor, workload.BULK_INSERT + '%s RETURNING id',
            [(post.title, post.content, post.pub_date, post.views, post.rating, post.published,
              post.author_id) for post in objects], page_size=workload.BULK_BATCH, fetch=True)
        cursor.execute('COMMIT')
        for post, (id,) in zip(objects, ids):
            post.id = id
        return objects

    def close(self):
        self.cursor.close()
        self.db.close()


if __name__ == '__main__':
    raise SystemExit(workload.main(Peer))
