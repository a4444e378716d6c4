#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sqlalchemy: the SQLAlchemy ORM, 1.4 with the 2.0-style API (future=True).

Declarative models, `session.add()` + `commit()`, `session.get()`,
`session.scalars(select(...))`, `session.delete()`, written the way the
SQLAlchemy tutorial teaches; across the foreign key
`select(BlogPost).options(joinedload(BlogPost.author))` and a dynamic
relationship's `author.posts.count()`; `select(author_id, func.count(),
func.sum()).group_by(author_id)` and `session.bulk_save_objects(objs)`.  A new `Session` per operation of the
workload, so the identity map is empty at the start of every op: the
operations made of many calls (filter, get, count) share the session of
their op, and the untimed load before `update` / `delete_each` opens the
session that the timed op then commits.  The file database uses
SQLAlchemy's default pool for it (NullPool): a new SQLite connection per
Session, each set up by a 'connect' event listener.  On PostgreSQL the
engine is postgresql+psycopg2 with its default pool (QueuePool), which
keeps the connection between Sessions."""

import sqlalchemy
from sqlalchemy import (Boolean, Column, DateTime, Float, ForeignKey, Integer, String, Text,
                        create_engine, delete, event, func, select, text)
from sqlalchemy.orm import Session, declarative_base, joinedload, relationship

import workload

Base = declarative_base()


class Author(Base):
    __tablename__ = 'author'
    # AUTOINCREMENT as in the canonical schema of bench/WORKLOAD.md.
    __table_args__ = {'sqlite_autoincrement': True}

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)

    # The reverse of BlogPost.author as a query (lazy='dynamic': the
    # documented way to count a collection without loading it).
    # viewonly: BlogPost.author writes the key; without back_populates,
    # setting it does not also record the post in this collection (which
    # would cost `insert` what the other ORMs do not pay).
    posts = relationship('BlogPost', lazy='dynamic', viewonly=True)


class BlogPost(Base):
    __tablename__ = 'blogpost'
    __table_args__ = {'sqlite_autoincrement': True}

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    content = Column(Text)
    pub_date = Column(DateTime, index=True)
    views = Column(Integer)
    rating = Column(Float)
    published = Column(Boolean)
    author_id = Column(Integer, ForeignKey('author.id'), index=True)

    author = relationship(Author)


class Peer:
    name = 'sqlalchemy'
    engines = ('sqlite', 'postgresql')
    version = 'SQLAlchemy %s' % sqlalchemy.__version__
    trace = None

    def open(self, target):
        if target.engine == 'postgresql':
            self.engine = create_engine(target.uri.replace('postgresql://', 'postgresql+psycopg2://', 1),
                                        future=True)
        else:
            self.engine = create_engine('sqlite:///%s' % target.path, future=True)
            statements = workload.pragma_statements(target.pragmas)

            @event.listens_for(self.engine, 'connect')
            def connect(dbapi_connection, connection_record):
                cursor = dbapi_connection.cursor()
                for statement in statements:
                    cursor.execute(statement).fetchall()
                cursor.close()
                if self.trace:
                    self.trace.attach(dbapi_connection)

        Base.metadata.create_all(self.engine)
        self.session = None
        self.op = None

    def _session(self, op):
        """The session of the current op; a new one when the op changes."""
        if self.op != op:
            self._end()
            self.session = Session(self.engine, future=True)
            self.op = op
        return self.session

    def _end(self):
        if self.session is not None:
            self.session.close()
        self.session = None
        self.op = None

    def sqlite_version(self):
        self._end()
        with Session(self.engine, future=True) as session:
            return session.scalar(text('SELECT sqlite_version()'))

    def insert(self, authors, posts):
        self._end()
        # expire_on_commit=False: the ids are read from the objects after the commit.
        with Session(self.engine, future=True, expire_on_commit=False) as session:
            author_objects = []
            for name in authors:
                author = Author(name=name)
                session.add(author)
                author_objects.append(author)
            objects = []
            for title, content, pub_date, views, rating, published, author in posts:
                post = BlogPost(title=title, content=content, pub_date=pub_date, views=views,
                                rating=rating, published=published,
                                author=author_objects[author])
                session.add(post)
                objects.append(post)
            session.commit()
        return objects

    def fetch_all(self):
        self._end()
        with Session(self.engine, future=True) as session:
            return session.scalars(select(BlogPost)).all()

    def fetch_related(self):
        self._end()
        with Session(self.engine, future=True) as session:
            return session.scalars(select(BlogPost).options(joinedload(BlogPost.author))).all()

    def filter(self, x):
        session = self._session('filter')
        return session.scalars(
            select(BlogPost)
            .where(BlogPost.views > x, BlogPost.published == True)  # noqa: E712
            .order_by(BlogPost.pub_date.desc())
            .limit(20)).all()

    def get(self, post_id):
        return self._session('get').get(BlogPost, post_id)

    def count(self, author_id):
        session = self._session('count')
        return session.scalar(
            select(func.count()).select_from(BlogPost)
            .where(BlogPost.author_id == author_id, BlogPost.published == True))  # noqa: E712

    def load_authors(self):
        # The session of count_related or bulk_create, which follows.
        return self._session('authors').scalars(select(Author).order_by(Author.id)).all()

    def count_related(self, author):
        return author.posts.count()

    def aggregate(self):
        self._end()
        with Session(self.engine, future=True) as session:
            return session.execute(
                select(BlogPost.author_id, func.count(BlogPost.id), func.sum(BlogPost.views))
                .group_by(BlogPost.author_id)).all()

    def load_all(self):
        return self._session('update').scalars(select(BlogPost)).all()

    def update(self, objects):
        for post in objects:
            post.views += 1
        self.session.commit()
        self._end()

    def delete_bulk(self):
        self._end()
        with Session(self.engine, future=True) as session:
            result = session.execute(delete(BlogPost).where(BlogPost.views < 5000))
            session.commit()
            return result.rowcount

    def load_lowest(self, n):
        return self._session('delete_each').scalars(
            select(BlogPost).order_by(BlogPost.id).limit(n)).all()

    def delete_each(self, objects):
        for post in objects:
            self.session.delete(post)
        self.session.commit()
        self._end()

    def bulk_create(self, authors, posts):
        # SQLAlchemy 1.4's bulk API for ORM objects: one executemany (on
        # psycopg2 pages of 1,000 rows), no ids set (return_defaults=False).
        # It writes columns, not relationships: author_id, not author.
        objects = [BlogPost(title=title, content=content, pub_date=pub_date, views=views,
                            rating=rating, published=published, author_id=authors[author].id)
                   for title, content, pub_date, views, rating, published, author in posts]
        self.session.bulk_save_objects(objects)
        self.session.commit()
        self._end()
        return objects

    def close(self):
        self._end()
        self.engine.dispose()


if __name__ == '__main__':
    raise SystemExit(workload.main(Peer))
