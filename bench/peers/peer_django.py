#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""django: the Django ORM, standalone (settings configured in the script).

`objects.create()` inside `transaction.atomic()`, `objects.get(pk=...)`,
`filter(...).order_by('-pub_date')[:20]`, `.count()`, `obj.save()`,
`obj.delete()` and `filter(...).delete()`, as the Django tutorial writes
them; `select_related('author')` and `author.blogpost_set.count()` across
the foreign key; `values('author').annotate(n=Count('id'), v=Sum('views'))`
and `objects.bulk_create(objs)`.  Settings: an sqlite3 database (or django.db.backends.postgresql on
psycopg2, with TIME_ZONE='UTC', the zone of the data), one tiny installed
app (label 'bench', this module), USE_TZ=False, DEBUG=False.  The schema
comes from `connection.schema_editor()`; on SQLite the pragmas are set by a
`connection_created` receiver (Django itself runs `PRAGMA foreign_keys =
ON` on connecting)."""

import django
from django.apps import AppConfig

import workload


class BenchConfig(AppConfig):
    name = __name__
    label = 'bench'


def define_models():
    """The models; defined once Django is set up."""
    from django.db import models

    class Author(models.Model):
        name = models.CharField(max_length=100, unique=True)

        class Meta:
            app_label = 'bench'
            db_table = 'author'

    class BlogPost(models.Model):
        title = models.CharField(max_length=200)
        content = models.TextField(null=True)
        pub_date = models.DateTimeField(db_index=True)
        views = models.IntegerField()
        rating = models.FloatField()
        published = models.BooleanField()
        author = models.ForeignKey(Author, on_delete=models.CASCADE)

        class Meta:
            app_label = 'bench'
            db_table = 'blogpost'

    return Author, BlogPost


class Peer:
    name = 'django'
    engines = ('sqlite', 'postgresql')
    version = 'Django %s' % django.get_version()
    trace = None

    def open(self, target):
        from django.conf import settings
        if target.engine == 'sqlite':
            database = {'ENGINE': 'django.db.backends.sqlite3', 'NAME': target.path}
            zone = {}
        else:
            p = target.params
            database = {'ENGINE': 'django.db.backends.postgresql', 'NAME': p['dbname'],
                        'USER': p['user'], 'PASSWORD': p['password'], 'HOST': p['host'],
                        'PORT': str(p['port'])}
            # Without USE_TZ Django reads and writes naive date-times in the
            # connection's zone: the data's own (UTC) rather than the
            # default America/Chicago, whose DST gap would shift some.
            zone = {'TIME_ZONE': 'UTC'}
        settings.configure(
            DATABASES={'default': database},
            INSTALLED_APPS=[__name__ + '.BenchConfig'],
            DEFAULT_AUTO_FIELD='django.db.models.AutoField',
            USE_TZ=False,
            DEBUG=False,
            **zone,
        )
        django.setup()
        from django.db import connection, transaction
        from django.db.backends.signals import connection_created
        self.connection = connection
        self.transaction = transaction
        if target.engine == 'sqlite':
            statements = workload.pragma_statements(target.pragmas)

            def connected(sender, connection, **kwargs):
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)
                if self.trace:
                    self.trace.attach(connection.connection)
            connection_created.connect(connected, weak=False)

        self.Author, self.BlogPost = define_models()
        with connection.schema_editor() as editor:
            editor.create_model(self.Author)
            editor.create_model(self.BlogPost)

    def sqlite_version(self):
        with self.connection.cursor() as cursor:
            cursor.execute('SELECT sqlite_version()')
            return cursor.fetchone()[0]

    def insert(self, authors, posts):
        Author, BlogPost = self.Author, self.BlogPost
        with self.transaction.atomic():
            author_objects = [Author.objects.create(name=name) for name in authors]
            objects = []
            for title, content, pub_date, views, rating, published, author in posts:
                objects.append(BlogPost.objects.create(
                    title=title, content=content, pub_date=pub_date, views=views,
                    rating=rating, published=published, author=author_objects[author]))
        return objects

    def fetch_all(self):
        return list(self.BlogPost.objects.all())

    def fetch_related(self):
        return list(self.BlogPost.objects.select_related('author'))

    def filter(self, x):
        return list(self.BlogPost.objects.filter(views__gt=x, published=True)
                    .order_by('-pub_date')[:20])

    def get(self, post_id):
        return self.BlogPost.objects.get(pk=post_id)

    def count(self, author_id):
        return self.BlogPost.objects.filter(author_id=author_id, published=True).count()

    def load_authors(self):
        return list(self.Author.objects.order_by('id'))

    def count_related(self, author):
        return author.blogpost_set.count()

    def aggregate(self):
        from django.db.models import Count, Sum
        return ((row['author'], row['n'], row['v']) for row in
                self.BlogPost.objects.values('author').annotate(n=Count('id'), v=Sum('views')))

    def load_all(self):
        return list(self.BlogPost.objects.all())

    def update(self, objects):
        with self.transaction.atomic():
            for post in objects:
                post.views += 1
                post.save()

    def delete_bulk(self):
        total, per_model = self.BlogPost.objects.filter(views__lt=5000).delete()
        return per_model.get(self.BlogPost._meta.label, 0)

    def load_lowest(self, n):
        return list(self.BlogPost.objects.order_by('id')[:n])

    def delete_each(self, objects):
        with self.transaction.atomic():
            for post in objects:
                post.delete()

    def bulk_create(self, authors, posts):
        # Django's own batches: 999 // 7 = 142 rows a statement on SQLite, where
        # Django 3.2 sets no ids; one statement with RETURNING on PostgreSQL.
        BlogPost = self.BlogPost
        return BlogPost.objects.bulk_create([
            BlogPost(title=title, content=content, pub_date=pub_date, views=views, rating=rating,
                     published=published, author=authors[author])
            for title, content, pub_date, views, rating, published, author in posts])

    def close(self):
        self.connection.close()


if __name__ == '__main__':
    raise SystemExit(workload.main(Peer))
