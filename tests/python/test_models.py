# SPDX-License-Identifier: LGPL-2.1-or-later
"""Declaring models: Gorm.Field options, plain GObject properties, class
options, registration on first use, names, inheritance and repr."""

import datetime
import gc
import weakref

from gormtest import DatabaseTestCase, fresh_uri, main
from gi.repository import Gio, GObject, Gorm


class Article(Gorm.Resource):
    slug = Gorm.Field(str, max_length=50, unique=True)
    summary = Gorm.Field(str, null=True)
    body = Gorm.Field(str)
    views = Gorm.Field(int, default=7, index=True)
    rating = Gorm.Field(float, column='score')
    published = Gorm.Field(bool, default=True)
    created = Gorm.Field(datetime.datetime, auto_now_add=True)
    modified = Gorm.Field(datetime.datetime, auto_now=True)


class Tag(Gorm.Resource):
    name = Gorm.Field(str, primary_key=True)
    uses = Gorm.Field(int)


class Legacy(Gorm.Resource):
    """Plain GObject properties, described by the class functions."""
    code = GObject.Property(type=str)
    weight = GObject.Property(type=GObject.TYPE_INT64)
    long_name = GObject.Property(type=str)


Legacy.set_unique('code')
Legacy.set_max_length('long-name', 5)


class WithMeta(Gorm.Resource):
    label = Gorm.Field(str)

    class Meta:
        table = 'meta_things'


class WithAttribute(Gorm.Resource):
    __table__ = 'attribute_things'
    label = Gorm.Field(str)


class HTTPServerLog(Gorm.Resource):
    line = Gorm.Field(str)


class Animal(Gorm.Resource):
    name = Gorm.Field(str)


class Dog(Animal):
    breed = Gorm.Field(str, null=True)


def forget(resource):
    """Drops the only reference to ``resource`` so that the next load makes
    a new object from its row; returns its primary key."""
    key = resource.pk
    del resource
    gc.collect()
    return key


class FieldOptionsTest(DatabaseTestCase):

    def test_defaults(self):
        article = Article(slug='a')
        self.assertEqual(article.body, '')
        self.assertIsNone(article.summary)
        self.assertEqual(article.views, 7)
        self.assertIs(article.published, True)
        article.save()
        stored = Article.objects.get(pk=forget(article))
        self.assertEqual((stored.body, stored.summary, stored.views, stored.published),
                         ('', None, 7, True))

    def test_unique(self):
        Article(slug='same').save()
        with self.assertRaises(Gorm.IntegrityError):
            Article(slug='same').save()

    def test_max_length(self):
        with self.assertRaises(Gorm.ValidationError):
            Article(slug='s' * 51).save()

    def test_not_null_by_default(self):
        # None for a field without null=True is refused at once.
        with self.assertRaises(Gorm.ValidationError):
            Article(slug='a', body=None)
        article = Article(slug='a')
        with self.assertRaises(Gorm.ValidationError):
            article.body = None
        self.assertEqual(article.body, '')

    def test_null(self):
        article = Article(slug='a', summary='Short')
        article.save()
        article.summary = None
        article.save()
        self.assertIsNone(Article.objects.get(pk=forget(article)).summary)

    def test_index(self):
        Article(slug='a').save()
        # Dropping it fails unless it exists.
        self.db.execute('DROP INDEX ix_article_views')
        with self.assertRaises(Gorm.Error):
            self.db.execute('DROP INDEX ix_article_body')

    def test_column(self):
        Article(slug='a', rating=4.5).save()
        self.assertEqual(self.db.execute('UPDATE article SET score = ? WHERE score = ?',
                                         [3.0, 4.5]), 1)

    def test_auto_now_and_auto_now_add(self):
        article = Article(slug='a')
        self.assertIsNone(article.created)
        article.save()
        created, modified = article.created, article.modified
        self.assertIsNotNone(created)
        self.assertIsNotNone(modified)
        article.body = 'Changed'
        article.save()
        self.assertEqual(article.created, created)
        self.assertGreater(article.modified, modified)

    def test_primary_key(self):
        tag = Tag(name='python', uses=3)
        tag.save()
        self.assertEqual(tag.pk, 'python')
        self.assertEqual(tag.id, 0)
        self.assertEqual(Tag.objects.get(pk=forget(tag)).uses, 3)
        self.assertEqual(self.db.get_by_key(Tag, 'python').uses, 3)
        self.assertEqual(Tag.objects.get(name='python').uses, 3)
        with self.assertRaises(Tag.DoesNotExist) as caught:
            Tag.objects.get(pk='java')
        self.assertIn("pk='java'", str(caught.exception))
        with self.assertRaises(Gorm.IntegrityError):
            Tag(name='python').save()

    def test_given_id(self):
        # Django's explicit pk on an unsaved instance: inserted with it.
        article = Article(slug='given', id=42)
        self.assertEqual(article.id, 42)
        article.save()
        self.assertEqual(article.id, 42)
        self.assertIs(Article.objects.get(id=42), article)
        later = Article(slug='later')
        later.save()
        self.assertEqual(later.id, 43)
        # A taken id: IntegrityError naming it, nothing written.
        twin = Article(slug='twin')
        twin.id = 42
        with self.assertRaises(Gorm.IntegrityError) as caught:
            twin.save()
        self.assertIn('42', str(caught.exception))
        self.assertFalse(twin.is_saved())
        self.assertEqual(Article.objects.count(), 2)
        # A deleted object restored with its id.
        later.delete()
        self.assertEqual(later.id, 0)
        later.id = 43
        later.save()
        self.assertEqual(Article.objects.get(id=43).slug, 'later')
        # A saved object keeps its row's id.
        with self.assertRaises(ValueError):
            article.id = 7
        self.assertEqual(article.id, 42)
        article.id = 42


class PlainPropertyTest(DatabaseTestCase):

    def test_stored_and_described_by_class_functions(self):
        legacy = Legacy(code='x', weight=2 ** 40, long_name='abc')
        legacy.save()
        stored = Legacy.objects.get(pk=forget(legacy))
        self.assertEqual((stored.code, stored.weight, stored.long_name), ('x', 2 ** 40, 'abc'))
        self.assertEqual(Legacy.objects.filter(long_name='abc', weight__gt=2 ** 39).count(), 1)
        with self.assertRaises(Gorm.IntegrityError):
            Legacy(code='x').save()
        with self.assertRaises(Gorm.ValidationError):
            Legacy(code='y', long_name='too long').save()


class ClassOptionsTest(DatabaseTestCase):

    def test_meta_table(self):
        WithMeta(label='a').save()
        self.assertEqual(self.db.execute('DELETE FROM meta_things', []), 1)

    def test_table_class_attribute(self):
        WithAttribute(label='a').save()
        self.assertEqual(self.db.execute('DELETE FROM attribute_things'), 1)

    def test_default_table_is_class_name_in_snake_case(self):
        HTTPServerLog(line='GET /').save()
        self.assertEqual(self.db.execute('DELETE FROM http_server_log'), 1)


class RegistrationTest(DatabaseTestCase):

    def test_first_use_creates_the_table(self):
        self.assertEqual(Article.objects.count(), 0)
        Article(slug='a').save()
        self.assertEqual(Article.objects.count(), 1)

    def test_each_database_registers_the_model(self):
        other = Gorm.Database.open(fresh_uri(self))
        self.addCleanup(other.close)
        self.assertIs(Gorm.Database.get_default(), self.db)
        Article(slug='here').save()
        Article(slug='there', database=other).save()
        Article.objects.using(other).create(slug='also there')
        self.assertEqual(Article.objects.count(), 1)
        self.assertEqual(Article.objects.using(other).count(), 2)

    def test_explicit_migrate(self):
        self.assertTrue(self.db.migrate([Article, Tag.__gtype__]))
        self.assertTrue(self.db.migrate([Article]))
        self.assertEqual(self.db.execute('DELETE FROM tag'), 0)

    def test_no_database(self):
        Gorm.Database.clear_default()
        with self.assertRaises(Gorm.OperationalError) as caught:
            Article.objects.count()
        self.assertEqual(caught.exception.code, Gorm.Error.CONNECTION)
        with self.assertRaises(Gorm.OperationalError):
            Article(slug='a').save()


    def test_one_manager_per_model(self):
        self.assertIs(Article.objects, Article.objects)
        self.assertIsNot(Dog.objects, Animal.objects)
        self.assertIs(Dog.objects.model, Dog)
        self.assertIs(Animal.objects.model, Animal)

    def test_writes_leave_objects_without_python_state(self):
        # An object given no Python state of its own (an instance
        # dictionary) keeps no toggle reference: once Python drops its
        # wrapper, the wrapper goes, while a C container keeps the object.
        # Creating, assigning a field and saving give it none.
        store = Gio.ListStore.new(Article)
        article = Article.objects.create(slug='plain', body='b')
        article.views += 1
        article.save()
        store.append(article)
        wrapper = weakref.ref(article)
        del article
        gc.collect()
        self.assertIsNone(wrapper())
        article = store.get_item(0)
        self.assertEqual(article.views, 8)
        self.assertFalse(article.is_dirty())
        article.delete()
        self.assertFalse(article.is_saved())


class NamesTest(DatabaseTestCase):

    def test_underscores_are_dashes_in_property_names(self):
        self.assertEqual(Legacy.find_property('long_name').name, 'long-name')
        legacy = Legacy(long_name='abc')
        self.assertEqual(legacy.get_property('long-name'), 'abc')
        legacy.save()
        self.assertEqual(Legacy.objects.filter(long_name__startswith='ab').count(), 1)
        self.assertEqual(Legacy.objects.order_by('-long_name').first(), legacy)


class InheritanceTest(DatabaseTestCase):

    def test_subclass_has_its_own_table_and_exceptions(self):
        Dog(name='Rex', breed='Collie').save()
        Animal(name='Cat').save()
        self.assertEqual(Dog.objects.get().breed, 'Collie')
        self.assertEqual(Animal.objects.get().name, 'Cat')
        self.assertTrue(issubclass(Dog.DoesNotExist, Animal.DoesNotExist))
        self.assertTrue(issubclass(Animal.DoesNotExist, Gorm.ObjectDoesNotExist))
        self.assertFalse(issubclass(Animal.DoesNotExist, Dog.DoesNotExist))
        self.assertTrue(issubclass(Dog.MultipleObjectsReturned, Gorm.MultipleObjectsReturned))
        with self.assertRaises(Animal.DoesNotExist):
            Dog.objects.get(name='Cat')


class ReprTest(DatabaseTestCase):

    def test_repr_shows_model_id_and_fields(self):
        article = Article(slug='hello', summary='x' * 100, body='Body')
        self.assertEqual(repr(article)[:40], "<Article unsaved slug='hello' summary='x")
        article.save()
        text = repr(article)
        self.assertTrue(text.startswith("<Article id=1 slug='hello' summary='xxxx"), text)
        self.assertIn("...", text)
        self.assertIn("body='Body'>", text)
        self.assertLess(len(text), 160)
        self.assertEqual(repr(Tag(name='t', uses=2)), "<Tag unsaved uses=2>")
        self.assertEqual(repr(Tag.objects.create(name='t')), "<Tag name='t' uses=0>")


if __name__ == '__main__':
    main()
