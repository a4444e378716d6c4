#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""peewee: the Peewee ORM, written the way its quickstart teaches.

`Model.create()` per object inside `with db.atomic():`, `get_by_id()`,
`select().where().order_by().limit()`, `.count()`, `save()`,
`delete_instance()` and `Model.delete().where().execute()`; across the
foreign key `BlogPost.select(BlogPost, Author).join(Author)` and the
backref's `author.posts.count()`; `select(BlogPost.author,
fn.COUNT(...), fn.SUM(...)).group_by(BlogPost.author).dicts()` and
`bulk_create(objs, batch_size=1000)` in `atomic()`.  The models
are bound at run time to a `SqliteDatabase(path, pragmas=...)` or a
`PostgresqlDatabase` (psycopg2); Peewee keeps one connection open and runs
in autocommit outside `atomic()`.  On SQLite the keys are
`AutoIncrementField` (AUTOINCREMENT, as in the canonical schema); on
PostgreSQL `AutoField` (serial) and the rating a `DoubleField` (Peewee's
`FloatField` is a 4-byte `real` there)."""

import peewee
from peewee import (AutoField, BooleanField, CharField, DateTimeField, DoubleField, FloatField,
                    ForeignKeyField, IntegerField, Model, PostgresqlDatabase, SqliteDatabase,
                    TextField, fn)
from playhouse.sqlite_ext import AutoIncrementField

import workload


def define_models(db, id_field, rating_field):
    class BaseModel(Model):
        class Meta:
            database = db

    class Author(BaseModel):
        id = id_field()
        name = CharField(max_length=100, unique=True)

        class Meta:
            table_name = 'author'

    class BlogPost(BaseModel):
        id = id_field()
        title = CharField(max_length=200)
        content = TextField(null=True)
        pub_date = DateTimeField(index=True)
        views = IntegerField()
        rating = rating_field()
        published = BooleanField()
        author = ForeignKeyField(Author, backref='posts')

        class Meta:
            table_name = 'blogpost'

    return Author, BlogPost


class Peer:
    name = 'peewee'
    engines = ('sqlite', 'postgresql')
    version = 'peewee %s' % peewee.__version__
    trace = None

    def open(self, target):
        global db, Author, BlogPost
        if target.engine == 'sqlite':
            # Peewee runs `PRAGMA name = value` for each, in this order, on connecting.
            pragmas = target.pragmas
            db = SqliteDatabase(target.path, pragmas=[
                (name, pragmas[name]) for name in ('journal_mode', 'synchronous', 'foreign_keys')])
            Author, BlogPost = define_models(db, AutoIncrementField, FloatField)
        else:
            p = target.params
            db = PostgresqlDatabase(p['dbname'], user=p['user'], password=p['password'],
                                    host=p['host'], port=p['port'])
            Author, BlogPost = define_models(db, AutoField, DoubleField)
        db.connect()
        db.create_tables([Author, BlogPost])
        if self.trace:
            self.trace.attach(db.connection())

    def sqlite_version(self):
        return db.execute_sql('SELECT sqlite_version()').fetchone()[0]

    def insert(self, authors, posts):
        with db.atomic():
            author_objects = [Author.create(name=name) for name in authors]
            objects = []
            for title, content, pub_date, views, rating, published, author in posts:
                objects.append(BlogPost.create(
                    title=title, content=content, pub_date=pub_date, views=views,
                    rating=rating, published=published, author=author_objects[author]))
        return objects

    def fetch_all(self):
        return list(BlogPost.select())

    def fetch_related(self):
        return list(BlogPost.select(BlogPost, Author).join(Author))

    def filter(self, x):
        return list(BlogPost.select()
                    .where((BlogPost.views > x) & (BlogPost.published == True))  # noqa: E712
                    .order_by(BlogPost.pub_date.desc())
                    .limit(20))

    def get(self, post_id):
        return BlogPost.get_by_id(post_id)

    def count(self, author_id):
        return (BlogPost.select()
                .where((BlogPost.author == author_id) & (BlogPost.published == True))  # noqa
                .count())

    def load_authors(self):
        return list(Author.select().order_by(Author.id))

    def count_related(self, author):
        return author.posts.count()

    def aggregate(self):
        return ((row['author'], row['n'], row['v']) for row in
                BlogPost.select(BlogPost.author, fn.COUNT(BlogPost.id).alias('n'),
                                fn.SUM(BlogPost.views).alias('v'))
                .group_by(BlogPost.author).dicts())

    def load_all(self):
        return list(BlogPost.select())

    def update(self, objects):
        with db.atomic():
            for post in objects:
                post.views += 1
                post.save()

    def delete_bulk(self):
        return BlogPost.delete().where(BlogPost.views < 5000).execute()

    def load_lowest(self, n):
        return list(BlogPost.select().order_by(BlogPost.id).limit(n))

    def delete_each(self, objects):
        with db.atomic():
            for post in objects:
                post.delete_instance()

    def bulk_create(self, authors, posts):
        # batch_size: one INSERT of 20,000 rows would pass SQLite's limit of
        # variables; Peewee sets the ids on PostgreSQL only (RETURNING).
        objects = [BlogPost(title=title, content=content, pub_date=pub_date, views=views,
                            rating=rating, published=published, author=authors[author])
                   for title, content, pub_date, views, rating, published, author in posts]
        with db.atomic():
            BlogPost.bulk_create(objects, batch_size=workload.BULK_BATCH)
        return objects

    def close(self):
        db.close()


if __name__ == '__main__':
    raise SystemExit(workload.main(Peer))
