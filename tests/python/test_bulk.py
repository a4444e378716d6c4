# SPDX-License-Identifier: LGPL-2.1-or-later
"""Many objects at once from Python: bulk_create, bulk_update,
save(update_fields=...), update_or_create, and the examples of
doc/queries.md's Python section."""

import datetime
import os
import re

from gormtest import DatabaseTestCase, GbulbMixin, main, print_statements, statements
from gi.repository import Gorm


class Author(Gorm.Resource):
    name = Gorm.Field(str, max_length=20, unique=True)


class Book(Gorm.Resource):
    title = Gorm.Field(str, max_length=50)
    pages = Gorm.Field(int)
    price = Gorm.Field(float, null=True)
    author = Gorm.ForeignKey(Author, on_delete=Gorm.CASCADE, null=True)


class BulkTestCase(DatabaseTestCase):
    """A database printing its statements (GORM_DEBUG=sql), with two
    authors."""

    def setUp(self):
        print_statements(self)
        with statements():
            super().setUp()
            self.ann = Author.objects.create(name='ann')
            self.bob = Author.objects.create(name='bob')
            # Both tables exist before a test counts statements.
            Book.objects.count()

    def books(self, n, **values):
        return [Book(title='book %d' % i, pages=i, **values) for i in range(n)]

    def inserts(self, run):
        return [s for s in run if s.startswith('INSERT')]


class BulkCreateTest(BulkTestCase):

    def test_bulk_create_sets_ids(self):
        books = self.books(5, author=self.ann)
        with statements() as run:
            created = Book.objects.bulk_create(books)
        self.assertEqual(created, books)
        self.assertTrue(all(created[i] is books[i] for i in range(5)))
        # Multi-row INSERTs: fewer statements than objects.
        self.assertLess(len(self.inserts(run)), 5, run)
        ids = [b.id for b in books]
        self.assertTrue(all(ids), ids)
        self.assertEqual(len(set(ids)), 5)
        self.assertTrue(all(b.is_saved() and not b.is_dirty() for b in books))
        # The identity map: the rows give back the same objects.
        for book in books:
            self.assertIs(Book.objects.get(pk=book.id), book)
        self.assertEqual([b.title for b in Book.objects.order_by('id')],
                         ['book %d' % i for i in range(5)])
        self.assertEqual(self.ann.book_set.count(), 5)

    def test_bulk_create_in_batches(self):
        books = self.books(7)
        with statements() as run:
            Book.objects.bulk_create(books, batch_size=3)
        # At most three objects a statement, one statement or more a batch.
        self.assertGreaterEqual(len(self.inserts(run)), 3, run)
        self.assertTrue(all(s.count('), (') < 3 for s in self.inserts(run)), run)
        self.assertEqual(Book.objects.count(), 7)
        self.assertEqual(sorted(b.id for b in books), sorted(Book.objects.in_bulk()))

    def test_bulk_create_of_nothing_runs_no_sql(self):
        with statements() as run:
            self.assertEqual(Book.objects.bulk_create([]), [])
            self.assertEqual(Book.objects.bulk_create(iter(())), [])
        self.assertEqual(run, [])

    def test_one_invalid_object_inserts_nothing(self):
        books = self.books(4)
        books[2].title = 'x' * 51
        with self.assertRaises(Gorm.ValidationError) as caught:
            Book.objects.bulk_create(books)
        self.assertIn('title', str(caught.exception))
        self.assertEqual(Book.objects.count(), 0)
        self.assertTrue(all(not b.is_saved() and b.id == 0 for b in books))
        # The next call works.
        books[2].title = 'fine'
        Book.objects.bulk_create(books)
        self.assertEqual(Book.objects.count(), 4)

    def test_a_constraint_inserts_nothing(self):
        authors = [Author(name='cy'), Author(name='ann'), Author(name='di')]
        with self.assertRaises(Gorm.IntegrityError):
            Author.objects.bulk_create(authors)
        self.assertEqual(Author.objects.count(), 2)
        self.assertTrue(all(not a.is_saved() and a.id == 0 for a in authors))
        authors[1].name = 'ed'
        self.assertEqual(len(Author.objects.bulk_create(authors)), 3)
        self.assertEqual(Author.objects.count(), 5)

    def test_bulk_create_refuses_before_any_sql(self):
        saved = Book.objects.create(title='saved', pages=1)
        with statements() as run:
            with self.assertRaises(Gorm.TypeMismatchError):
                Book.objects.bulk_create([Book(title='a', pages=1), Author(name='x')])
            with self.assertRaises(Gorm.ValidationError):
                Book.objects.bulk_create([Book(title='b', pages=1), saved])
            with self.assertRaises(ValueError):
                Book.objects.bulk_create(self.books(2), batch_size=0)
            with self.assertRaises(TypeError):
                Book.objects.bulk_create(self.books(2), batch_size='2')
        self.assertEqual(self.inserts(run), [])
        self.assertEqual(Book.objects.count(), 1)

    def test_a_failing_batch_inserts_nothing(self):
        authors = [Author(name='n%d' % i) for i in range(5)] + [Author(name='ann')]
        with self.assertRaises(Gorm.IntegrityError):
            Author.objects.bulk_create(authors, batch_size=2)
        self.assertEqual(Author.objects.count(), 2)
        self.assertEqual(sorted(a.name for a in Author.objects.all()), ['ann', 'bob'])
        self.assertTrue(all(not a.is_saved() and a.id == 0 for a in authors),
                        [a.id for a in authors])


class BulkUpdateTest(BulkTestCase):

    def setUp(self):
        super().setUp()
        with statements():
            self.all = Book.objects.bulk_create(self.books(6))

    def test_bulk_update_writes_those_fields(self):
        for book in self.all:
            book.pages += 100
            book.title = 'unsaved'
        with statements() as run:
            self.assertEqual(Book.objects.bulk_update(self.all[:4], ['pages']), 4)
        self.assertEqual(len([s for s in run if s.startswith('UPDATE')]), 1, run)
        self.assertEqual(Book.objects.filter(pages__gte=100).count(), 4)
        self.assertEqual(Book.objects.filter(title='unsaved').count(), 0)
        # The titles are still to save.
        self.assertTrue(all(b.is_dirty() for b in self.all))
        self.assertEqual(Book.objects.bulk_update(self.all, ['title', 'pages']), 6)
        self.assertFalse(any(b.is_dirty() for b in self.all))
        self.assertEqual(Book.objects.filter(title='unsaved', pages__gte=100).count(), 6)

    def test_bulk_update_of_a_foreign_key_and_none(self):
        for i, book in enumerate(self.all):
            book.author = self.ann if i % 2 else self.bob
            book.price = None if i % 3 else 9.5
        self.assertEqual(Book.objects.bulk_update(self.all, ['author', 'price']), 6)
        self.assertEqual(self.ann.book_set.count(), 3)
        self.assertEqual(Book.objects.filter(price__isnull=True).count(), 4)
        self.assertEqual(Book.objects.bulk_update(self.all, ['author_id'], batch_size=4), 6)

    def test_bulk_update_with_a_batch_size(self):
        for book in self.all:
            book.pages = -book.pages
        with statements() as run:
            self.assertEqual(Book.objects.bulk_update(self.all, ['pages'], batch_size=4), 6)
        self.assertEqual(len([s for s in run if s.startswith('UPDATE')]), 2, run)
        self.assertEqual(Book.objects.filter(pages__lte=0).count(), 6)
        # A failing later batch: nothing written, the first batch's
        # objects still to save.
        self.all[5].title = 'z' * 51
        self.all[0].title = 'fine'
        with self.assertRaises(Gorm.ValidationError):
            Book.objects.bulk_update(self.all, ['title'], batch_size=2)
        self.assertEqual(Book.objects.filter(title='fine').count(), 0)
        self.assertTrue(self.all[0].is_dirty())
        self.all[5].title = 'fine too'
        self.assertEqual(Book.objects.bulk_update(self.all, ['title'], batch_size=5), 6)
        self.assertEqual(Book.objects.filter(title__startswith='fine').count(), 2)

    def test_bulk_update_errors(self):
        book = self.all[0]
        book.pages = 99
        with statements() as run:
            for fields, error in ((['colour'], ValueError), ([], ValueError),
                                  (['id'], ValueError), (['pk'], ValueError),
                                  ('pages', TypeError)):
                with self.subTest(fields=fields):
                    with self.assertRaises(error):
                        Book.objects.bulk_update([book], fields)
            with self.assertRaises(ValueError) as caught:
                Author.objects.bulk_update([self.ann], ['book_set'])
            self.assertIn('concrete', str(caught.exception))
            with self.assertRaises(ValueError) as caught:
                Book.objects.bulk_update([book, Book(title='new', pages=1)], ['pages'])
            self.assertIn('primary key', str(caught.exception))
            with self.assertRaises(Gorm.TypeMismatchError):
                Book.objects.bulk_update([book, self.ann], ['pages'])
            with self.assertRaises(ValueError):
                Book.objects.bulk_update([book], ['pages'], batch_size=-1)
            self.assertEqual(Book.objects.bulk_update([], ['pages']), 0)
        self.assertEqual(run, [])
        with self.assertRaises(ValueError) as caught:
            Book.objects.bulk_update([book], ['pages', 'colour'])
        self.assertIn('colour', str(caught.exception))
        self.assertEqual(Book.objects.bulk_update([book], ['pages']), 1)
        self.assertEqual(Book.objects.filter(pages=99).count(), 1)

    def test_an_invalid_value_updates_nothing(self):
        for book in self.all:
            book.pages = 7
        self.all[3].title = 'y' * 51
        with self.assertRaises(Gorm.ValidationError):
            Book.objects.bulk_update(self.all, ['pages', 'title'])
        self.assertEqual(Book.objects.filter(pages=7).count(), 0)
        self.all[3].title = 'ok'
        self.assertEqual(Book.objects.bulk_update(self.all, ['pages', 'title']), 6)


class Stamped(Gorm.Resource):
    name = Gorm.Field(str, unique=True)
    n = Gorm.Field(int)
    updated = Gorm.Field(datetime.datetime, auto_now=True)


class SaveUpdateFieldsTest(BulkTestCase):

    def test_auto_now_is_set_when_written(self):
        stamped = Stamped.objects.create(name='x', n=1)
        first = stamped.updated
        stamped.n = 2
        stamped.save(update_fields=['n'])
        # As Django: an auto_now field not written keeps its time...
        self.assertEqual(stamped.updated, first)
        stamped.save(update_fields=['n', 'updated'])
        # ...and takes the time when written, as update_or_create() does.
        second = stamped.updated
        self.assertGreater(second, first)
        self.assertEqual(Stamped.objects.filter(updated=second).count(), 1)
        found, created = Stamped.objects.update_or_create(name='x', defaults={'n': 3})
        self.assertFalse(created)
        self.assertGreater(found.updated, second)
        self.assertEqual(Stamped.objects.get().n, 3)

    def test_save_update_fields(self):
        book = Book.objects.create(title='a', pages=1)
        book.title = 'b'
        book.pages = 2
        with statements() as run:
            self.assertTrue(book.save(update_fields=['pages']))
        self.assertEqual(len([s for s in run if s.startswith('UPDATE')]), 1, run)
        self.assertNotIn('"title"', [s for s in run if s.startswith('UPDATE')][0])
        self.assertEqual(Book.objects.filter(title='a', pages=2).count(), 1)
        self.assertTrue(book.is_dirty())
        book.save()
        self.assertFalse(book.is_dirty())
        self.assertEqual(Book.objects.filter(title='b', pages=2).count(), 1)
        book.author = self.bob
        book.save(update_fields=['author'])
        self.assertFalse(book.is_dirty())
        self.assertEqual(self.bob.book_set.get(), book)

    def test_save_update_fields_empty_writes_nothing(self):
        book = Book.objects.create(title='a', pages=1)
        book.pages = 5
        with statements() as run:
            book.save(update_fields=[])
        self.assertEqual(run, [])
        self.assertTrue(book.is_dirty())

    def test_save_update_fields_errors(self):
        book = Book.objects.create(title='a', pages=1)
        book.pages = 3
        with self.assertRaises(ValueError) as caught:
            book.save(update_fields=['pages', 'colour'])
        self.assertIn('colour', str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            Book(title='new', pages=1).save(update_fields=['pages'])
        self.assertIn('no primary key', str(caught.exception))
        with self.assertRaises(TypeError):
            book.save(update_fields='pages')
        self.assertEqual(Book.objects.filter(pages=3).count(), 0)
        other = Book.objects.create(title='gone', pages=1)
        self.db.execute('DELETE FROM book WHERE id = ?', [other.id])
        other.pages = 9
        with self.assertRaises(Book.DoesNotExist):
            other.save(update_fields=['pages'])
        # The next save works.
        book.save(update_fields=['pages'])
        self.assertEqual(Book.objects.filter(pages=3).count(), 1)


class UpdateOrCreateTest(BulkTestCase):

    def test_update_or_create(self):
        book, created = Book.objects.update_or_create(
            title='new', defaults={'pages': 10}, create_defaults={'pages': 1, 'price': 2.0})
        self.assertTrue(created)
        self.assertEqual((book.pages, book.price), (1, 2.0))
        book.price = 5.0
        again, created = Book.objects.update_or_create(title='new', defaults={'pages': 10})
        self.assertIs(again, book)
        self.assertFalse(created)
        self.assertEqual(book.pages, 10)
        # Only the defaults were written: the unsaved price stays unsaved.
        self.assertEqual(Book.objects.filter(pages=10, price=2.0).count(), 1)
        self.assertTrue(book.is_dirty())
        made, created = Book.objects.update_or_create(title='other',
                                                      defaults={'pages': lambda: 7})
        self.assertTrue(created)
        self.assertEqual(made.pages, 7)

    def test_update_or_create_through_a_relation(self):
        made, created = self.ann.book_set.update_or_create(title='t', defaults={'pages': 1})
        self.assertTrue(created)
        self.assertIs(made.author, self.ann)
        other, created = self.bob.book_set.update_or_create(title='t', defaults={'pages': 2})
        self.assertTrue(created)
        again, created = self.ann.book_set.update_or_create(title='t', defaults={'pages': 3})
        self.assertEqual((again, created), (made, False))
        self.assertEqual(sorted(b.pages for b in Book.objects.all()), [2, 3])

    def test_update_or_create_errors(self):
        with self.assertRaises(Gorm.FieldError):
            Book.objects.update_or_create(title='x', defaults={'colour': 1})
        with self.assertRaises(Gorm.ValidationError):
            Book.objects.update_or_create(title='x', defaults={'pages': 1},
                                          create_defaults={'title': 'y' * 60})
        self.assertEqual(Book.objects.count(), 0)
        Book.objects.create(title='x', pages=1)
        with self.assertRaises(Gorm.TypeMismatchError):
            Book.objects.update_or_create(title='x', defaults={'pages': 'many'})
        self.assertEqual(Book.objects.get(title='x').pages, 1)
        self.assertEqual(Book.objects.update_or_create(title='x', defaults={'pages': 2})[1],
                         False)
        self.assertEqual(Book.objects.filter(pages=2).count(), 1)


class AsyncBulkTest(GbulbMixin, BulkTestCase):

    def test_abulk_create_and_abulk_update(self):
        async def scenario():
            books = await Book.objects.abulk_create(self.books(3))
            self.assertTrue(all(b.id for b in books))
            self.assertEqual(await Book.objects.abulk_create(self.books(3), batch_size=2),
                             list(Book.objects.order_by('id')[3:]))
            for book in books:
                book.pages = 50
            self.assertEqual(await Book.objects.abulk_update(books, ['pages']), 3)
            with self.assertRaises(Gorm.IntegrityError):
                await Author.objects.abulk_create([Author(name='ann')])
            with self.assertRaises(ValueError):
                await Book.objects.abulk_update(books, [])
            return await Book.objects.filter(pages=50).acount()
        self.assertEqual(self.run_async(scenario()), 3)
        self.assertEqual(Book.objects.count(), 6)


class DocExamplesTest(DatabaseTestCase):
    """The Python examples of doc/queries.md ("The QuerySet in Python")
    run as written, in order, in one namespace, with the test's database
    as the default database."""

    def test_examples_run(self):
        root = os.environ.get('GORM_SOURCE_ROOT') or os.path.join(os.path.dirname(__file__),
                                                                  '..', '..')
        with open(os.path.join(root, 'doc', 'queries.md'), encoding='utf-8') as f:
            text = f.read()
        start = text.index('\n## The QuerySet in Python\n')
        end = text.find('\n## ', start + 1)
        section = text[start:end if end >= 0 else len(text)]
        blocks = re.findall(r'^```python\n(.*?)^```$', section, re.M | re.S)
        self.assertGreaterEqual(len(blocks), 7)
        namespace = {'__name__': 'doc_queries'}
        for number, code in enumerate(blocks, 1):
            exec(compile(code, 'doc/queries.md (example %d)' % number, 'exec'), namespace)


if __name__ == '__main__':
    main()
