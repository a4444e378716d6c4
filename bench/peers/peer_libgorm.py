#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libgorm-py: libgorm from Python through PyGObject, written the way the
README teaches Python users: Gorm.Field models with a Gorm.ForeignKey,
Model.objects, save(), delete() and db.atomic(), select_related('author')
and the reverse manager's author.blog_post_set.count() (libgorm's default
reverse name snake-cases the class: blog_post_set where Django says
blogpost_set), values('author').annotate(n=Count('id'), v=Sum('views'))
and objects.bulk_create(objs), as in Django.  On PostgreSQL it opens the run's database by its
postgresql:// URI."""

import datetime

import gi
gi.require_version('Gorm', '1.0')
from gi.repository import Gorm  # noqa: E402
from gi.repository.Gorm import Count, Sum  # noqa: E402

import workload  # noqa: E402


class Author(Gorm.Resource):
    name = Gorm.Field(str, max_length=100, unique=True)

    class Meta:
        table = 'author'


class BlogPost(Gorm.Resource):
    title = Gorm.Field(str, max_length=200)
    content = Gorm.Field(str, null=True)
    pub_date = Gorm.Field(datetime.datetime, index=True)
    views = Gorm.Field(int)
    rating = Gorm.Field(float)
    published = Gorm.Field(bool)
    author = Gorm.ForeignKey(Author, on_delete=Gorm.CASCADE)

    class Meta:
        table = 'blogpost'


class Peer:
    name = 'libgorm-py'
    engines = ('sqlite', 'postgresql')
    version = 'libgorm %s (Python, PyGObject %s)' % (
        Gorm.VERSION_S, '.'.join(map(str, gi.version_info)))

    def open(self, target):
        if target.engine == 'postgresql':
            self.db = Gorm.open(target.uri)
        else:
            if self.trace:
                self.trace.attach_process()
            self.db = Gorm.open('sqlite:' + target.path)
            for statement in workload.pragma_statements(target.pragmas):
                self.db.execute(statement)
        self.db.migrate([Author, BlogPost])

    def sqlite_version(self):
        model = self.db.get_connection().execute_select_command('SELECT sqlite_version()')
        return model.get_value_at(0, 0)

    def prepare(self, posts):
        # libgorm users hold aware datetimes; the data are UTC.
        utc = datetime.timezone.utc
        return [post[:2] + (post[2].replace(tzinfo=utc),) + post[3:] for post in posts]

    def insert(self, authors, posts):
        objects = []
        with self.db.atomic():
            author_objects = [Author.objects.create(name=name) for name in authors]
            for title, content, pub_date, views, rating, published, author in posts:
                objects.append(BlogPost.objects.create(
                    title=title, content=content, pub_date=pub_date, views=views,
                    rating=rating, published=published, author=author_objects[author]))
        return objects

    def fetch_all(self):
        return list(BlogPost.objects.all())

    def fetch_related(self):
        # The query set itself, which the harness iterates (`for post in
        # BlogPost.objects.select_related('author')`), the idiom of a loop
        # over the posts.
        return BlogPost.objects.select_related('author')

    def filter(self, x):
        return list(BlogPost.objects.filter(views__gt=x, published=True).order_by('-pub_date')[:20])

    def get(self, post_id):
        return BlogPost.objects.get(id=post_id)

    def count(self, author_id):
        return BlogPost.objects.filter(author_id=author_id, published=True).count()

    def load_authors(self):
        return list(Author.objects.order_by('id'))

    def count_related(self, author):
        return author.blog_post_set.count()

    def aggregate(self):
        return ((row['author'], row['n'], row['v']) for row in
                BlogPost.objects.values('author').annotate(n=Count('id'), v=Sum('views')))

    def load_all(self):
        return list(BlogPost.objects.all())

    def update(self, objects):
        with self.db.atomic():
            for post in objects:
                post.views += 1
                post.save()

    def delete_bulk(self):
        total, per_model = BlogPost.objects.filter(views__lt=5000).delete()
        return total

    def load_lowest(self, n):
        return list(BlogPost.objects.order_by('id')[:n])

    def delete_each(self, objects):
        with self.db.atomic():
            for post in objects:
                post.delete()

    def bulk_create(self, authors, posts):
        return BlogPost.objects.bulk_create([
            BlogPost(title=title, content=content, pub_date=pub_date, views=views, rating=rating,
                     published=published, author=authors[author])
            for title, content, pub_date, views, rating, published, author in posts])

    def close(self):
        self.db.close()


if __name__ == '__main__':
    raise SystemExit(workload.main(Peer))
