# SPDX-License-Identifier: LGPL-2.1-or-later
"""Relations in Python: ForeignKey, OneToOneField, ManyToManyField; the
forward object and key, reverse managers, many-to-many managers, lookups
and ordering across relations, select_related and prefetch_related
(statements counted), and on_delete."""

import asyncio
import datetime
import gc
import os
import re
import unittest
import weakref

from gormtest import DatabaseTestCase, GbulbMixin, main, statements
from gi.repository import GLib, GObject, Gorm
from gi.repository.Gorm import Q

try:
    import gbulb
except ImportError:
    gbulb = None


class Question(Gorm.Resource):
    question_text = Gorm.Field(str, max_length=200)
    pub_date = Gorm.Field(datetime.datetime)


class Choice(Gorm.Resource):
    question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE)
    choice_text = Gorm.Field(str, max_length=200)
    votes = Gorm.Field(int)


class Author(Gorm.Resource):
    name = Gorm.Field(str)


class Book(Gorm.Resource):
    # Named by a string before Publisher exists.
    publisher = Gorm.ForeignKey('Publisher', on_delete=Gorm.RESTRICT, null=True)
    author = Gorm.ForeignKey(Author, on_delete=Gorm.PROTECT)
    title = Gorm.Field(str)


class Publisher(Gorm.Resource):
    name = Gorm.Field(str)


class Note(Gorm.Resource):
    author = Gorm.ForeignKey(Author, on_delete=Gorm.SET_NULL, null=True, related_name='notes')
    text = Gorm.Field(str)


class Fallback(Gorm.Resource):
    """A key that falls back to the row 1 (made first by the tests)."""
    author = Gorm.ForeignKey(Author, on_delete=Gorm.SET_DEFAULT, default=1,
                             related_name='fallbacks')


class Untouched(Gorm.Resource):
    author = Gorm.ForeignKey(Author, on_delete=Gorm.DO_NOTHING, related_name='untouched')


class Tag(Gorm.Resource):
    name = Gorm.Field(str, unique=True)


class Post(Gorm.Resource):
    title = Gorm.Field(str)
    tags = Gorm.ManyToManyField(Tag)
    readers = Gorm.ManyToManyField('Person', related_name='read_posts')


class Bookmark(Gorm.Resource):
    """Fields named as libgorm's methods do not hide them from relations."""
    link = Gorm.Field(str)
    unlink = Gorm.Field(bool)
    tags = Gorm.ManyToManyField(Tag, related_name='bookmarks')


class Comment(Gorm.Resource):
    post = Gorm.ForeignKey(Post, on_delete=Gorm.CASCADE)
    text = Gorm.Field(str)
    rank = Gorm.Field(int)

    class Meta:
        ordering = ['-rank', 'text']


class Person(Gorm.Resource):
    name = Gorm.Field(str)
    parent = Gorm.ForeignKey('self', on_delete=Gorm.SET_NULL, null=True,
                             related_name='children')
    friends = Gorm.ManyToManyField('self')


class User(Gorm.Resource):
    name = Gorm.Field(str)


class Profile(Gorm.Resource):
    user = Gorm.OneToOneField(User, on_delete=Gorm.CASCADE)
    bio = Gorm.Field(str)


class Answer(Gorm.Resource):
    """Ordered along its foreign key by default."""
    question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE, related_name='answers')
    text = Gorm.Field(str)

    class Meta:
        ordering = ['-question__pub_date', 'text']


class Item(Gorm.Resource):
    """An abstract base with a foreign key: each model deriving from it has
    its own, with a reverse name of its own."""
    owner = Gorm.ForeignKey(Author, on_delete=Gorm.CASCADE, related_name='%(class)s_items')

    class Meta:
        abstract = True


class Article(Item):
    title = Gorm.Field(str)


class Photo(Item):
    caption = Gorm.Field(str)


class Orphan(Gorm.Resource):
    """Its target is never declared."""
    ghost = Gorm.ForeignKey('NeverDeclared', on_delete=Gorm.CASCADE)


def drain():
    """Runs the main context until idle: live models get the changes."""
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass


def titles(items, name='title'):
    return [getattr(item, name) for item in items]


class RelationTestCase(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        when = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.timezone.utc)
        self.what = Question.objects.create(question_text="What's new?", pub_date=when)
        self.who = Question.objects.create(question_text='Who is there?',
                                           pub_date=when - datetime.timedelta(days=1))
        self.not_much = self.what.choice_set.create(choice_text='Not much', votes=0)
        self.sky = self.what.choice_set.create(choice_text='The sky', votes=3)
        self.me = self.who.choice_set.create(choice_text='Me', votes=1)


class DeclarationTest(DatabaseTestCase):

    def test_the_key_is_a_property_and_a_column(self):
        self.assertEqual(Choice.find_property('question-id').value_type, GObject.TYPE_INT64)
        question = Question.objects.create(question_text='q',
                                           pub_date=datetime.datetime.now())
        self.db.migrate([Choice])
        self.db.execute("INSERT INTO choice (question_id, choice_text, votes) VALUES (?, 'raw', 2)",
                        [question.id])
        choice = Choice.objects.get(choice_text='raw')
        self.assertEqual(choice.question_id, question.id)
        self.assertIs(choice.question, question)

    def test_on_delete_names(self):
        for name in ('CASCADE', 'PROTECT', 'RESTRICT', 'SET_NULL', 'SET_DEFAULT', 'DO_NOTHING'):
            self.assertEqual(getattr(Gorm, name), getattr(Gorm.OnDelete, name))

    def test_a_string_and_self_are_resolved(self):
        self.assertIs(Book.publisher.target, Publisher)
        self.assertIs(Person.parent.target, Person)
        self.assertIs(Person.friends.target, Person)
        self.assertIs(Post.readers.target, Person)

    def test_a_name_no_model_declares_fails_at_first_use(self):
        with self.assertRaises(Gorm.FieldError) as caught:
            self.db.migrate([Orphan])
        self.assertIn('Orphan.ghost', str(caught.exception))
        self.assertIn("'NeverDeclared'", str(caught.exception))
        with self.assertRaises(Gorm.FieldError):
            Orphan.objects.count()
        with self.assertRaises(Gorm.FieldError):
            Orphan().save()

    def test_bad_declarations_are_type_errors(self):
        with self.assertRaises(TypeError):
            Gorm.ForeignKey(Question)
        with self.assertRaises(TypeError):
            Gorm.ForeignKey(Question, on_delete='cascade')
        with self.assertRaises(TypeError):
            Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE, db_index=False)
        with self.assertRaises(TypeError):
            Gorm.ForeignKey(int, on_delete=Gorm.CASCADE)
        for bad in ('not a name', '50%', '%(nope)s', 3):
            with self.assertRaises(TypeError):
                Gorm.ManyToManyField(Tag, related_name=bad)
        with self.assertRaises(TypeError) as caught:
            class Twice(Gorm.Resource):
                question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE)
                question_id = Gorm.Field(int)
        self.assertIn('question_id', str(caught.exception))

    def test_set_null_needs_null(self):
        class Owner(Gorm.Resource):
            name = Gorm.Field(str)

        class Careless(Gorm.Resource):
            author = Gorm.ForeignKey(Owner, on_delete=Gorm.SET_NULL)
        with self.assertRaises(Gorm.MigrationError) as caught:
            self.db.migrate([Careless])
        self.assertIn('Careless', str(caught.exception))
        self.assertIn('author', str(caught.exception))

    def test_an_abstract_base_gives_each_model_its_foreign_key(self):
        ann = Author.objects.create(name='ann')
        Article.objects.create(owner=ann, title='t')
        Photo.objects.create(owner=ann, caption='c')
        self.assertEqual(titles(ann.article_items.all()), ['t'])
        self.assertEqual(titles(ann.photo_items.all(), 'caption'), ['c'])
        self.assertIs(Photo.objects.get().owner, ann)
        self.assertEqual(Article.objects.filter(owner__name='ann').count(), 1)
        with self.assertRaises(TypeError):
            Item(owner=ann)

    def test_a_reverse_name_clash_is_a_type_error(self):
        class Owner(Gorm.Resource):
            name = Gorm.Field(str)

        with self.assertRaises(TypeError) as caught:
            class Clash(Gorm.Resource):
                owner = Gorm.ForeignKey(Owner, on_delete=Gorm.CASCADE, related_name='name')
        self.assertIn('Owner.name', str(caught.exception))
        with self.assertRaises(TypeError):
            class Clash2(Gorm.Resource):
                owner = Gorm.ForeignKey(Owner, on_delete=Gorm.CASCADE, related_name='objects')


class ForwardTest(RelationTestCase):

    def test_the_related_object_and_its_key(self):
        self.assertIs(self.sky.question, self.what)
        self.assertEqual(self.sky.question_id, self.what.id)

    def test_first_access_loads_through_the_identity_map(self):
        key = self.sky.id
        del self.sky, self.not_much
        gc.collect()
        choice = Choice.objects.get(pk=key)
        self.assertIs(choice.question, self.what)
        self.assertIs(choice.question, choice.question)

    def test_a_forgotten_question_is_loaded_again(self):
        key = self.what.id
        del self.what
        gc.collect()
        question = self.sky.question
        self.assertEqual(question.id, key)
        self.assertEqual(question.question_text, "What's new?")

    def test_assign_an_object_or_a_key(self):
        self.sky.question = self.who
        self.assertEqual(self.sky.question_id, self.who.id)
        self.assertIs(self.sky.question, self.who)
        self.sky.save()
        self.assertEqual(titles(self.who.choice_set.order_by('choice_text'), 'choice_text'),
                         ['Me', 'The sky'])
        self.sky.question_id = self.what.id
        self.assertIs(self.sky.question, self.what)
        self.sky.save()
        self.assertEqual(self.what.choice_set.count(), 2)

    def test_constructor_and_create_take_the_object(self):
        choice = Choice(question=self.who, choice_text='You', votes=0)
        self.assertEqual(choice.question_id, self.who.id)
        choice.save()
        created = Choice.objects.create(question=self.who, choice_text='Them')
        self.assertIs(created.question, self.who)
        self.assertEqual(self.who.choice_set.count(), 3)

    def test_an_unsaved_object_is_refused(self):
        draft = Question(question_text='draft', pub_date=datetime.datetime.now())
        with self.assertRaises(Gorm.ValidationError):
            self.sky.question = draft
        self.assertEqual(self.sky.question_id, self.what.id)
        with self.assertRaises(Gorm.ValidationError):
            Choice(question=draft, choice_text='x')
        with self.assertRaises(Gorm.ValidationError):
            Choice.objects.create(question=draft, choice_text='x')
        self.assertEqual(Choice.objects.count(), 3)

    def test_none_only_with_null(self):
        with self.assertRaises(Gorm.ValidationError) as caught:
            self.sky.question = None
        self.assertIn('Choice.question', str(caught.exception))
        self.assertEqual(self.sky.question_id, self.what.id)
        note = Note.objects.create(text='n', author=None)
        self.assertIsNone(note.author)
        self.assertIsNone(note.author_id)
        note.author = Author.objects.create(name='ann')
        note.save()
        note.author = None
        note.save()
        note.reload()
        self.assertIsNone(note.author)

    def test_a_wrong_object_is_a_type_mismatch(self):
        with self.assertRaises(Gorm.TypeMismatchError):
            self.sky.question = self.me
        with self.assertRaises(Gorm.TypeMismatchError):
            self.sky.question = self.what.id
        self.assertIs(self.sky.question, self.what)

    def test_many_to_many_is_not_assigned(self):
        with self.assertRaises(TypeError):
            Post(title='p', tags=[])
        post = Post.objects.create(title='p')
        with self.assertRaises(TypeError):
            post.tags = []


class ReverseTest(RelationTestCase):

    def test_queryset_methods(self):
        choices = self.what.choice_set
        self.assertEqual(sorted(titles(choices.all(), 'choice_text')), ['Not much', 'The sky'])
        self.assertEqual(titles(choices.filter(votes__gt=0), 'choice_text'), ['The sky'])
        self.assertEqual(titles(choices.exclude(votes__gt=0), 'choice_text'), ['Not much'])
        self.assertEqual(choices.count(), 2)
        self.assertTrue(choices.exists())
        self.assertFalse(choices.filter(votes__gt=5).exists())
        self.assertEqual(titles(choices.order_by('-votes')[:1], 'choice_text'), ['The sky'])
        self.assertEqual(choices.get(votes=3), self.sky)
        self.assertIsInstance(choices.all(), Gorm.QuerySet)
        self.assertIsInstance(choices.filter(votes=0), Gorm.QuerySet)
        with self.assertRaises(Choice.DoesNotExist):
            choices.get(choice_text='Me')
        # A key of another question's choice is not in this relation.
        self.assertEqual(choices.get(pk=self.sky.pk), self.sky)
        with self.assertRaises(Choice.DoesNotExist):
            choices.get(pk=self.me.pk)
        with self.assertRaises(Choice.DoesNotExist):
            choices.get(id=self.me.id)
        with self.assertRaises(TypeError):
            iter(choices)
        self.assertIn('choice_set', repr(choices))

    def test_create_and_add(self):
        made = self.who.choice_set.create(choice_text='You', votes=2)
        self.assertIs(made.question, self.who)
        self.who.choice_set.add(self.sky)
        self.assertIs(self.sky.question, self.who)
        self.assertEqual(Choice.objects.get(pk=self.sky.pk).question_id, self.who.id)
        self.assertEqual(self.who.choice_set.count(), 3)
        self.assertEqual(self.what.choice_set.count(), 1)
        # Adding an unsaved object saves it.
        self.who.choice_set.add(Choice(choice_text='New', votes=0))
        self.assertEqual(self.who.choice_set.count(), 4)
        with self.assertRaises(Gorm.TypeMismatchError):
            self.who.choice_set.add(self.what)

    def test_get_or_create_stays_in_the_relation(self):
        found, created = self.what.choice_set.get_or_create(choice_text='The sky')
        self.assertEqual((found, created), (self.sky, False))
        made, created = self.who.choice_set.get_or_create(choice_text='The sky',
                                                          defaults={'votes': 7})
        self.assertTrue(created)
        self.assertEqual((made.question, made.votes), (self.who, 7))
        post = Post.objects.create(title='p')
        tag, created = post.tags.get_or_create(name='new')
        self.assertTrue(created)
        self.assertEqual(post.tags.get(), tag)
        self.assertEqual(post.tags.get_or_create(name='new'), (tag, False))

    def test_remove_and_clear_need_a_nullable_key(self):
        with self.assertRaises(AttributeError) as caught:
            self.what.choice_set.remove(self.sky)
        self.assertIn('null=True', str(caught.exception))
        with self.assertRaises(AttributeError):
            self.what.choice_set.clear()
        self.assertEqual(self.what.choice_set.count(), 2)

    def test_remove_and_clear(self):
        ann = Author.objects.create(name='ann')
        bob = Author.objects.create(name='bob')
        first, second, third = (ann.notes.create(text=t) for t in ('1', '2', '3'))
        other = bob.notes.create(text='b')
        ann.notes.remove(first)
        self.assertIsNone(first.author)
        self.assertEqual(sorted(titles(ann.notes.all(), 'text')), ['2', '3'])
        with self.assertRaises(Note.DoesNotExist):
            ann.notes.remove(other)
        ann.notes.clear()
        self.assertEqual(ann.notes.count(), 0)
        self.assertIsNone(second.author_id)
        self.assertIsNone(Note.objects.get(pk=third.pk).author)
        self.assertEqual(bob.notes.count(), 1)
        self.assertEqual(Note.objects.filter(author__isnull=True).count(), 3)

    def test_related_name_and_self(self):
        root = Person.objects.create(name='root')
        kid = Person.objects.create(name='kid', parent=root)
        self.assertIs(kid.parent, root)
        self.assertEqual(titles(root.children.all(), 'name'), ['kid'])
        self.assertIsNone(root.parent)
        self.assertEqual(titles(Person.objects.filter(parent__name='root'), 'name'), ['kid'])

    def test_meta_ordering_applies(self):
        post = Post.objects.create(title='p')
        for text, rank in [('b', 1), ('a', 1), ('c', 5)]:
            post.comment_set.create(text=text, rank=rank)
        self.assertEqual(titles(post.comment_set.all(), 'text'), ['c', 'a', 'b'])
        self.assertEqual(titles(post.comment_set.order_by('text'), 'text'), ['a', 'b', 'c'])

    def test_meta_ordering_along_a_foreign_key(self):
        for question, text in [(self.who, 'b'), (self.what, 'z'), (self.who, 'a'),
                               (self.what, 'y')]:
            question.answers.create(text=text)
        # The newest question first, then by text.
        self.assertEqual(titles(Answer.objects.all(), 'text'), ['y', 'z', 'a', 'b'])
        self.assertEqual(titles(self.who.answers.all(), 'text'), ['a', 'b'])
        self.assertEqual(Answer.objects.first().text, 'y')

    def test_watch_follows_the_relation(self):
        live = self.what.choice_set.watch()
        self.assertEqual(live.get_n_items(), 2)
        self.what.choice_set.create(choice_text='Clouds', votes=0)
        self.me.question = self.what
        self.me.save()
        drain()
        self.assertEqual(live.get_n_items(), 4)
        self.sky.delete()
        drain()
        self.assertEqual(sorted(titles(live, 'choice_text')), ['Clouds', 'Me', 'Not much'])

    def test_an_unsaved_object_has_no_related_objects(self):
        draft = Question(question_text='draft', pub_date=datetime.datetime.now())
        with self.assertRaises(Gorm.ValidationError):
            draft.choice_set.count()
        with self.assertRaises(Gorm.ValidationError):
            draft.choice_set.create(choice_text='x')

    def test_assignment_is_refused(self):
        with self.assertRaises(TypeError):
            self.what.choice_set = []
        self.assertIsInstance(Question.choice_set, object)


class ManyToManyTest(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        self.gnome, self.gtk, self.rust = (Tag.objects.create(name=n)
                                           for n in ('gnome', 'gtk', 'rust'))
        self.post = Post.objects.create(title='Hello')
        self.other = Post.objects.create(title='Other')

    def names(self, manager):
        return sorted(titles(manager.all(), 'name'))

    def test_add_remove_clear(self):
        self.post.tags.add(self.gnome, self.gtk)
        self.assertEqual(self.names(self.post.tags), ['gnome', 'gtk'])
        self.post.tags.add(self.gnome)
        self.assertEqual(self.post.tags.count(), 2)
        self.post.tags.remove(self.gnome, self.rust)
        self.assertEqual(self.names(self.post.tags), ['gtk'])
        self.post.tags.clear()
        self.assertFalse(self.post.tags.exists())
        self.assertEqual(Tag.objects.count(), 3)

    def test_set_and_create(self):
        self.post.tags.set([self.gnome, self.gtk])
        live = self.post.tags.watch()
        self.post.tags.set([self.gtk, self.rust])
        self.assertEqual(self.names(self.post.tags), ['gtk', 'rust'])
        drain()
        self.assertEqual(sorted(titles(live, 'name')), ['gtk', 'rust'])
        self.post.tags.set([self.gnome], clear=True)
        self.assertEqual(self.names(self.post.tags), ['gnome'])
        made = self.post.tags.create(name='vala')
        self.assertTrue(made.is_saved())
        self.assertEqual(self.names(self.post.tags), ['gnome', 'vala'])

    def test_keys_are_accepted(self):
        self.post.tags.add(self.gnome.id, self.rust.pk)
        self.assertEqual(self.names(self.post.tags), ['gnome', 'rust'])
        with self.assertRaises(Tag.DoesNotExist):
            self.post.tags.add(987654)

    def test_the_reverse_side(self):
        self.post.tags.add(self.gnome)
        self.other.tags.add(self.gnome, self.gtk)
        self.assertEqual(sorted(titles(self.gnome.post_set.all())), ['Hello', 'Other'])
        self.gtk.post_set.add(self.post)
        self.assertEqual(self.names(self.post.tags), ['gnome', 'gtk'])
        self.gnome.post_set.remove(self.other)
        self.assertEqual(self.names(self.other.tags), ['gtk'])
        self.gtk.post_set.clear()
        self.assertEqual(self.names(self.post.tags), ['gnome'])
        self.rust.post_set.set([self.other])
        self.assertEqual(self.names(self.other.tags), ['rust'])

    def test_related_name_and_self(self):
        ann, bob, cat = (Person.objects.create(name=n) for n in ('ann', 'bob', 'cat'))
        self.post.readers.add(ann, bob)
        self.assertEqual(titles(ann.read_posts.all()), ['Hello'])
        ann.friends.add(bob, cat)
        self.assertEqual(self.names(ann.friends), ['bob', 'cat'])
        # Not symmetrical: bob's friends are his own.
        self.assertEqual(self.names(bob.friends), [])
        self.assertEqual(self.names(bob.person_set), ['ann'])

    def test_fields_named_as_methods(self):
        mark = Bookmark.objects.create(link='https://gnome.org', unlink=True)
        mark.tags.add(self.gnome, self.gtk)
        mark.tags.remove(self.gtk)
        self.assertEqual(self.names(mark.tags), ['gnome'])
        self.assertEqual(titles(self.gnome.bookmarks.all(), 'link'), ['https://gnome.org'])
        mark.tags.clear()
        self.assertEqual(mark.tags.count(), 0)

    def test_failures(self):
        with self.assertRaises(Gorm.TypeMismatchError):
            self.post.tags.add(self.other)
        with self.assertRaises(Gorm.ValidationError):
            self.post.tags.add(Tag(name='unsaved'))
        with self.assertRaises(Gorm.ValidationError):
            Post(title='unsaved').tags.add(self.gnome)
        self.assertEqual(self.post.tags.count(), 0)

    def test_deleting_either_side_drops_the_links(self):
        self.post.tags.add(self.gnome, self.gtk)
        self.other.tags.add(self.gnome)
        self.gnome.delete()
        self.assertEqual(self.names(self.post.tags), ['gtk'])
        self.post.delete()
        self.assertEqual(self.gtk.post_set.count(), 0)
        self.assertEqual(self.other.tags.count(), 0)


class OneToOneTest(DatabaseTestCase):

    def test_the_reverse_is_one_object(self):
        ann = User.objects.create(name='ann')
        bob = User.objects.create(name='bob')
        profile = Profile.objects.create(user=ann, bio='hi')
        self.assertIs(profile.user, ann)
        self.assertIs(ann.profile, profile)
        with self.assertRaises(Profile.DoesNotExist):
            bob.profile
        with self.assertRaises(Gorm.IntegrityError):
            Profile.objects.create(user=ann, bio='again')
        with self.assertRaises(AttributeError):
            bob.profile = profile
        self.assertEqual(User.objects.get(profile__bio='hi'), ann)
        ann.delete()
        self.assertEqual(Profile.objects.count(), 0)

    def test_an_unsaved_object_has_none(self):
        with self.assertRaises(Profile.DoesNotExist):
            User(name='x').profile


class LookupTest(RelationTestCase):

    def texts(self, queryset):
        return sorted(titles(queryset, 'choice_text'))

    def test_forward_paths(self):
        self.assertEqual(
            self.texts(Choice.objects.filter(question__question_text__startswith='What')),
            ['Not much', 'The sky'])
        self.assertEqual(self.texts(Choice.objects.exclude(question__question_text__contains='?')),
                         [])
        year = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)
        self.assertEqual(self.texts(Choice.objects.filter(question__pub_date__gte=year)),
                         ['Not much', 'The sky'])

    def test_reverse_paths_never_repeat(self):
        voted = Question.objects.filter(choice__votes__gt=0)
        self.assertEqual(sorted(q.question_text for q in voted),
                         ["What's new?", 'Who is there?'])
        self.assertEqual(voted.count(), 2)
        self.assertEqual(Question.objects.filter(choice__votes__gte=0).distinct().count(), 2)
        self.assertEqual(list(Question.objects.filter(choice_set__choice_text='Me')), [self.who])
        with self.assertRaises(TypeError):
            Question.objects.distinct('question_text')

    def test_isnull_on_a_relation(self):
        lonely = Question.objects.create(question_text='Lonely?', pub_date=self.who.pub_date)
        self.assertEqual(list(Question.objects.filter(choice__isnull=True)), [lonely])
        self.assertEqual(list(Question.objects.filter(choice_set=None)), [lonely])
        self.assertEqual(Question.objects.filter(choice__isnull=False).count(), 2)
        self.assertEqual(Question.objects.exclude(choice__isnull=True).count(), 2)
        gnome = Tag.objects.create(name='gnome')
        tagged, bare = Post.objects.create(title='tagged'), Post.objects.create(title='bare')
        tagged.tags.add(gnome)
        self.assertEqual(list(Post.objects.filter(tags__isnull=True)), [bare])
        self.assertEqual(list(Post.objects.filter(tags=None)), [bare])
        self.assertEqual(list(Tag.objects.filter(post__isnull=False)), [gnome])
        ann = Author.objects.create(name='ann')
        Note.objects.create(text='mine', author=ann)
        Note.objects.create(text='nobody')
        self.assertEqual(titles(Note.objects.filter(author__isnull=True), 'text'), ['nobody'])
        self.assertEqual(titles(Note.objects.filter(author=None), 'text'), ['nobody'])
        self.assertEqual(titles(Note.objects.filter(author__isnull=False), 'text'), ['mine'])
        self.assertEqual(titles(Note.objects.filter(author__id=None), 'text'), ['nobody'])
        self.assertEqual(titles(Note.objects.filter(author__pk__isnull=True), 'text'), ['nobody'])

    def test_conditions_on_one_relation_share_its_row(self):
        # No one choice is both 'Not much' and voted for.
        self.assertEqual(Question.objects.filter(choice__choice_text='Not much',
                                                 choice__votes__gt=0).count(), 0)
        self.assertEqual(Question.objects.filter(choice__choice_text='The sky',
                                                 choice__votes__gt=0).get(), self.what)

    def test_objects_keys_and_in(self):
        self.assertEqual(self.texts(Choice.objects.filter(question=self.who)), ['Me'])
        self.assertEqual(self.texts(Choice.objects.filter(question__id=self.who.id)), ['Me'])
        self.assertEqual(self.texts(Choice.objects.filter(question__pk=self.who.id)), ['Me'])
        self.assertEqual(self.texts(Choice.objects.filter(question_id=self.who.id)), ['Me'])
        self.assertEqual(len(Choice.objects.filter(question__in=[self.who, self.what])), 3)
        self.assertEqual(len(Choice.objects.filter(question__in=[self.who.id])), 1)
        self.assertEqual(Question.objects.get(choice=self.me), self.who)

    def test_q_across_relations(self):
        either = Choice.objects.filter(Q(question=self.who) | Q(votes__gt=2))
        self.assertEqual(self.texts(either), ['Me', 'The sky'])
        self.assertEqual(self.texts(Choice.objects.filter(~Q(question__question_text__startswith='W'))),
                         [])
        self.assertEqual(self.texts(Choice.objects.exclude(Q(question__question_text__startswith='Who'))),
                         ['Not much', 'The sky'])

    def test_many_to_many_paths(self):
        gnome = Tag.objects.create(name='gnome')
        rust = Tag.objects.create(name='rust')
        hello = Post.objects.create(title='Hello')
        other = Post.objects.create(title='Other')
        hello.tags.add(gnome, rust)
        other.tags.add(rust)
        self.assertEqual(titles(Post.objects.filter(tags__name='gnome')), ['Hello'])
        self.assertEqual(sorted(titles(Post.objects.filter(tags=rust))), ['Hello', 'Other'])
        self.assertEqual(titles(Tag.objects.filter(post__title='Other'), 'name'), ['rust'])
        self.assertEqual(Post.objects.filter(tags__name__in=['gnome', 'rust']).count(), 2)

    def test_order_by_across_a_foreign_key(self):
        self.assertEqual(titles(Choice.objects.order_by('question__pub_date', 'choice_text'),
                                'choice_text'), ['Me', 'Not much', 'The sky'])
        self.assertEqual(titles(Choice.objects.order_by('-question__question_text', 'votes'),
                                'choice_text'), ['Me', 'Not much', 'The sky'])
        with self.assertRaises(Gorm.FieldError):
            Question.objects.order_by('choice__votes')

    def test_mistakes_fail_before_sql(self):
        self.db.close()
        for lookups in ({'question__nope': 1}, {'nope__question_text': 1},
                        {'question__question_text__regex': 'x'}, {'votes__question': 1}):
            with self.subTest(lookups=lookups):
                with self.assertRaises(Gorm.FieldError):
                    Choice.objects.filter(**lookups)
        with self.assertRaises(Gorm.TypeMismatchError):
            Choice.objects.filter(question=self.me)
        with self.assertRaises(Gorm.ValidationError):
            Choice.objects.filter(question=Question(question_text='draft'))


class CountingTestCase(RelationTestCase):
    """Statements counted: a database opened with GORM_DEBUG=sql prints
    each one."""

    def setUp(self):
        saved = os.environ.get('GORM_DEBUG')
        os.environ['GORM_DEBUG'] = 'sql'
        self.addCleanup(os.environ.__setitem__, 'GORM_DEBUG', saved or '')
        with statements(self):
            super().setUp()
            # Nothing is left alive in the identity map: each test loads.
            self.not_much = self.sky = self.me = self.what = self.who = None
            gc.collect()


class EagerTest(CountingTestCase):
    """select_related and prefetch_related, with the statements counted."""

    def test_without_eager_loading_each_object_loads_its_question(self):
        with statements(self) as run:
            choices = list(Choice.objects.all())
            questions = [c.question for c in choices]
        self.assertEqual(len(questions), 3)
        # The choices in one SELECT, then one primary-key SELECT per
        # question.
        self.assertEqual(len(run), 3, run)

    def test_select_related_loads_in_one_statement(self):
        with statements(self) as run:
            choices = list(Choice.objects.select_related('question'))
            self.assertEqual(sorted(c.question.question_text for c in choices),
                             ["What's new?", "What's new?", 'Who is there?'])
            questions = [c.question for c in choices]
            self.assertEqual(len({q.id for q in questions}), 2)
            # The identity map: one object per question.
            self.assertEqual(len({id(q) for q in questions}), 2)
        # One SELECT, joined.
        self.assertEqual(len(run), 1, run)
        self.assertIn('JOIN', run[-1])

    def test_select_related_of_all_foreign_keys_and_further(self):
        ann = Author.objects.create(name='ann')
        acme = Publisher.objects.create(name='acme')
        Book.objects.create(title='b', author=ann, publisher=acme)
        Book.objects.create(title='c', author=ann)
        ann = acme = None
        gc.collect()
        with statements(self) as run:
            books = list(Book.objects.select_related().order_by('title'))
            self.assertEqual([b.author.name for b in books], ['ann', 'ann'])
            self.assertEqual([b.publisher and b.publisher.name for b in books], ['acme', None])
        self.assertEqual(len(run), 1, run)
        post = Post.objects.create(title='p')
        post.comment_set.create(text='t', rank=1)
        post = None
        gc.collect()
        with statements(self) as run:
            comment = Comment.objects.select_related('post').get(text='t')
            self.assertEqual(comment.post.title, 'p')
        # get(): one page of at most two rows, joined.
        self.assertEqual(len(run), 1, run)
        self.assertIn('JOIN', run[0])

    def test_prefetch_related_reverse(self):
        with statements(self) as run:
            questions = list(Question.objects.order_by('pub_date').prefetch_related('choice_set'))
            counts = [q.choice_set.count() for q in questions]
            texts = [sorted(titles(q.choice_set.all(), 'choice_text')) for q in questions]
            exists = [q.choice_set.exists() for q in questions]
        self.assertEqual(counts, [1, 2])
        self.assertEqual(texts, [['Me'], ['Not much', 'The sky']])
        self.assertEqual(exists, [True, True])
        # The questions, one SELECT of every choice of them.
        self.assertEqual(len(run), 2, run)
        # A filter is a new query.
        with statements(self) as run:
            self.assertEqual(questions[1].choice_set.filter(votes__gt=0).count(), 1)
        self.assertEqual(len(run), 1, run)

    def test_prefetch_keeps_the_meta_ordering(self):
        post = Post.objects.create(title='p')
        for text, rank in [('b', 1), ('a', 1), ('c', 5)]:
            post.comment_set.create(text=text, rank=rank)
        post = None
        gc.collect()
        with statements(self) as run:
            post, = Post.objects.prefetch_related('comment_set')
            self.assertEqual(titles(post.comment_set.all(), 'text'), ['c', 'a', 'b'])
        self.assertEqual(len(run), 2, run)

    def test_prefetch_related_many_to_many_and_two_relations(self):
        gnome, gtk = Tag.objects.create(name='gnome'), Tag.objects.create(name='gtk')
        for title in ('a', 'b', 'c'):
            post = Post.objects.create(title=title)
            post.tags.add(gnome, gtk) if title != 'c' else post.tags.add(gtk)
            post.comment_set.create(text=title, rank=1)
        post = gnome = gtk = None
        gc.collect()
        with statements(self) as run:
            posts = list(Post.objects.order_by('title').prefetch_related('tags', 'comment_set'))
            tags = [sorted(titles(p.tags.all(), 'name')) for p in posts]
            comments = [titles(p.comment_set.all(), 'text') for p in posts]
        self.assertEqual(tags, [['gnome', 'gtk'], ['gnome', 'gtk'], ['gtk']])
        self.assertEqual(comments, [['a'], ['b'], ['c']])
        # The posts, one SELECT per relation.
        self.assertEqual(len(run), 3, run)
        with statements(self) as run:
            gtk = Tag.objects.prefetch_related('post_set').get(name='gtk')
            self.assertEqual(sorted(titles(gtk.post_set.all())), ['a', 'b', 'c'])
        # get(): one page of at most two rows, then its posts.
        self.assertEqual(len(run), 2, run)

    def test_get_with_eager_loading(self):
        queryset = Choice.objects.select_related('question')
        self.assertEqual(queryset.get(choice_text='Me').question.question_text, 'Who is there?')
        with self.assertRaises(Choice.MultipleObjectsReturned):
            queryset.get(votes__gte=0)
        with self.assertRaises(Choice.DoesNotExist):
            queryset.get(votes=99)
        with self.assertRaises(Question.DoesNotExist):
            Question.objects.prefetch_related('choice_set').get(question_text='nope')

    def test_unknown_relations_are_field_errors(self):
        with self.assertRaises(Gorm.FieldError):
            Choice.objects.select_related('nope')
        with self.assertRaises(Gorm.FieldError):
            Question.objects.select_related('choice_set')
        with self.assertRaises(Gorm.FieldError):
            Question.objects.prefetch_related('nope')
        with self.assertRaises(TypeError):
            Question.objects.prefetch_related(3)
        with self.assertRaises(Gorm.FieldError) as caught:
            Choice.objects.prefetch_related('question__choice_set')
        self.assertIn('question__choice_set', str(caught.exception))


class KeptTest(CountingTestCase):
    """What an object loaded of its relations stays with it, in Python
    (libgorm's objects refer to their related objects weakly): the
    statements counted, and nothing kept once the program lets go."""

    def test_the_question_is_loaded_once(self):
        with statements(self) as run:
            choice = Choice.objects.first()
            self.assertEqual(choice.question.question_text, "What's new?")
            self.assertEqual(choice.question.question_text, "What's new?")
            gc.collect()
            self.assertEqual(choice.question.id, choice.question_id)
        # The choice, then its question once.
        self.assertEqual(len(run), 2, run)
        self.assertIn('"question"', run[1])

    def test_select_related_outlives_the_queryset(self):
        with statements(self) as run:
            choices = list(Choice.objects.select_related('question'))
        # One joined SELECT.
        self.assertEqual(len(run), 1, run)
        gc.collect()
        with statements(self) as run:
            texts = [c.question.question_text for c in choices]
        self.assertEqual(sorted(texts), ["What's new?", "What's new?", 'Who is there?'])
        self.assertEqual(run, [])
        # And further along a path: book.author.
        ann = Author.objects.create(name='ann')
        Book.objects.create(title='b', author=ann)
        ann = None
        with statements(self) as run:
            comment_books = list(Book.objects.select_related('author', 'publisher'))
        gc.collect()
        with statements(self) as run:
            self.assertEqual([(b.author.name, b.publisher) for b in comment_books], [('ann', None)])
        self.assertEqual(run, [])

    def test_prefetch_related_outlives_the_queryset(self):
        with statements(self) as run:
            questions = list(Question.objects.order_by('pub_date').prefetch_related('choice_set'))
        # The questions, the choices.
        self.assertEqual(len(run), 2, run)
        gc.collect()
        with statements(self) as run:
            texts = [sorted(titles(q.choice_set.all(), 'choice_text')) for q in questions]
            counts = [q.choice_set.count() for q in questions]
            exists = [q.choice_set.exists() for q in questions]
            # Each choice finds its question alive (the identity map).
            for question in questions:
                for choice in question.choice_set.all():
                    self.assertIs(choice.question, question)
        self.assertEqual(texts, [['Me'], ['Not much', 'The sky']])
        self.assertEqual(counts, [1, 2])
        self.assertEqual(exists, [True, True])
        self.assertEqual(run, [])

    def test_every_way_of_taking_objects_keeps_them(self):
        queryset = Choice.objects.select_related('question').order_by('choice_text')
        with statements(self) as run:
            by_index = queryset[0]
            sliced = list(queryset[1:3])
            first = queryset.first()
            got = queryset.get(choice_text='Me')
            question = Question.objects.prefetch_related('choice_set').get(
                question_text__startswith='What')
            fetched = queryset.all()
            self.assertEqual(len(fetched), 3)
            fetched_first = fetched[0]
        # One statement each (a page of one or two rows), the prefetching
        # get() two, the fetched QuerySet one.
        self.assertEqual(len(run), 7, run)
        del queryset, fetched
        gc.collect()
        with statements(self) as run:
            self.assertEqual(by_index.question.question_text, 'Who is there?')
            self.assertEqual([c.question.question_text for c in sliced],
                             ["What's new?", "What's new?"])
            self.assertIs(first.question, by_index.question)
            self.assertIs(got.question, by_index.question)
            self.assertEqual(question.choice_set.count(), 2)
            self.assertIs(fetched_first.question, by_index.question)
        self.assertEqual(run, [])

    def test_an_item_of_a_live_model_keeps_what_it_read(self):
        live = Choice.objects.select_related('question').order_by('choice_text').watch()
        choice = live[0]
        # The model's page, joined, holds the question.
        with statements(self) as run:
            self.assertEqual(choice.question.question_text, 'Who is there?')
        self.assertEqual(run, [])
        del live
        gc.collect()
        with statements(self) as run:
            self.assertEqual(choice.question.question_text, 'Who is there?')
        self.assertEqual(run, [])

    def test_without_eager_loading_nothing_is_taken(self):
        choice = list(Choice.objects.all())[0]
        self.assertFalse(any(name.startswith('_gorm_') for name in vars(choice)))
        question = Question.objects.first()
        self.assertFalse(any(name.startswith('_gorm_') for name in vars(question)))

    def test_the_kept_question_follows_the_key(self):
        choice = Choice.objects.select_related('question').get(choice_text='The sky')
        what = choice.question
        who = Question.objects.get(question_text='Who is there?')
        who_id = who.id
        who = None
        gc.collect()
        with statements(self) as run:
            choice.question_id = who_id
            self.assertEqual(choice.question.question_text, 'Who is there?')
            self.assertEqual(choice.question.question_text, 'Who is there?')
            who = choice.question
        # The question of the new key, loaded once.
        self.assertEqual(len(run), 1, run)
        with statements(self) as run:
            # An object assigned is kept at once.
            choice.question = what
            self.assertIs(choice.question, what)
            choice.question_id = who_id
            self.assertIs(choice.question, who)
            choice.question = what
            choice.save()
        # The save only.
        self.assertEqual(len(run), 1, run)
        # A key changed in the database and in the loaded objects.
        Choice.objects.filter(pk=choice.id).update(question_id=who_id)
        self.assertEqual(choice.question.id, who_id)
        choice.reload()
        self.assertEqual(choice.question.id, who_id)
        # A nullable key set to None, then deleted with SET_NULL.
        ann = Author.objects.create(name='ann')
        note = Note.objects.create(text='n', author=ann)
        self.assertIs(note.author, ann)
        note.author = None
        self.assertIsNone(note.author)
        note.author_id = ann.id
        self.assertIs(note.author, ann)
        note.save()
        ann.delete()
        self.assertIsNone(note.author)
        with self.assertRaises(Question.DoesNotExist):
            choice.question_id = 987654
            choice.question

    def test_a_change_through_the_manager_drops_the_prefetched_objects(self):
        question = Question.objects.prefetch_related('choice_set').get(
            question_text__startswith='What')
        self.assertEqual(question.choice_set.count(), 2)
        question.choice_set.create(choice_text='Again', votes=0)
        self.assertEqual(question.choice_set.count(), 3)
        gtk = Tag.objects.create(name='gtk')
        post = Post.objects.create(title='p')
        post = Post.objects.prefetch_related('tags').get(title='p')
        self.assertEqual(post.tags.count(), 0)
        for change, expected in [(lambda: post.tags.add(gtk), ['gtk']),
                                 (lambda: post.tags.remove(gtk), []),
                                 (lambda: post.tags.set([gtk]), ['gtk']),
                                 (lambda: post.tags.clear(), []),
                                 (lambda: post.tags.create(name='new'), ['new'])]:
            post = Post.objects.prefetch_related('tags').get(title='p')
            change()
            self.assertEqual(titles(post.tags.all(), 'name'), expected)
        ann = Author.objects.create(name='ann')
        note = Note.objects.create(text='n', author=ann)
        for change, expected in [(lambda: ann.notes.remove(note), 0),
                                 (lambda: ann.notes.add(note), 1),
                                 (lambda: ann.notes.clear(), 0)]:
            ann = Author.objects.prefetch_related('notes').get(name='ann')
            change()
            self.assertEqual(ann.notes.count(), expected)

    def test_the_one_to_one_reverse_is_kept(self):
        ann = User.objects.create(name='ann')
        Profile.objects.create(user=ann, bio='hi')
        User.objects.create(name='bob')
        ann = None
        gc.collect()
        with statements(self) as run:
            users = list(User.objects.order_by('name').prefetch_related('profile'))
        gc.collect()
        with statements(self) as run:
            self.assertEqual(users[0].profile.bio, 'hi')
            with self.assertRaises(Profile.DoesNotExist):
                users[1].profile
        self.assertEqual(run, [])

    def test_nothing_stays_alive_once_the_program_lets_go(self):
        def load():
            # Cycles: each choice keeps its question, each question the
            # list of its choices; from a list(), first() and get().
            questions = list(Question.objects.prefetch_related('choice_set'))
            choices = [c for q in questions for c in q.choice_set.all()]
            for choice in choices:
                self.assertIn(choice.question, questions)
            first = Question.objects.prefetch_related('choice_set').first()
            for choice in first.choice_set.all():
                self.assertIs(choice.question, first)
            got = Choice.objects.select_related('question').get(choice_text='Me')
            self.assertIs(got.question.choice_set.all()[0], got)
            joined = list(Choice.objects.select_related('question'))
            loaded = Choice.objects.first()
            loaded.question
            everything = questions + choices + joined + [first, got, got.question, loaded]
            return [weakref.ref(o) for o in everything], choices[0].id

        probes, key = load()
        gc.collect()
        self.assertEqual([p() for p in probes if p() is not None], [])
        # Nor in libgorm: the identity map has no question alive for a
        # choice loaded anew, which reads its question again.
        with statements(self) as run:
            choice = Choice.objects.get(pk=key)
            self.assertIsNone(Gorm.Resource.peek_related(choice, 'question'))
            choice.question
        self.assertEqual(len(run), 2, run)


class OnDeleteTest(RelationTestCase):

    def test_cascade_marks_loaded_objects_deleted(self):
        live = Choice.objects.watch()
        self.assertEqual(live.get_n_items(), 3)
        self.what.delete()
        drain()
        self.assertFalse(self.sky.is_saved())
        self.assertFalse(self.not_much.is_saved())
        self.assertTrue(self.me.is_saved())
        self.assertEqual(titles(live, 'choice_text'), ['Me'])
        self.assertEqual(Choice.objects.count(), 1)

    def test_cascade_through_bulk_delete(self):
        Question.objects.filter(question_text__startswith='Who').delete()
        self.assertFalse(self.me.is_saved())
        self.assertEqual(Choice.objects.count(), 2)

    def test_set_null_shows_none(self):
        ann = Author.objects.create(name='ann')
        note = ann.notes.create(text='n')
        ann.delete()
        self.assertIsNone(note.author_id)
        self.assertIsNone(note.author)
        self.assertIsNone(Note.objects.get(pk=note.pk).author_id)
        self.assertEqual(Note.objects.filter(author__isnull=True).count(), 1)

    def test_protect_and_restrict_name_the_referencing_model_and_count(self):
        ann = Author.objects.create(name='ann')
        Book.objects.create(title='one', author=ann)
        Book.objects.create(title='two', author=ann)
        with self.assertRaises(Gorm.IntegrityError) as caught:
            ann.delete()
        self.assertEqual(caught.exception.code, Gorm.Error.CONSTRAINT)
        self.assertIn('Book', str(caught.exception))
        self.assertIn('2', str(caught.exception))
        self.assertTrue(ann.is_saved())
        self.assertEqual(Author.objects.count(), 1)
        acme = Publisher.objects.create(name='acme')
        Book.objects.create(title='three', author=ann, publisher=acme)
        with self.assertRaises(Gorm.IntegrityError) as caught:
            Publisher.objects.filter(name='acme').delete()
        self.assertIn('Book', str(caught.exception))
        self.assertIn('1', str(caught.exception))
        self.assertEqual(Publisher.objects.count(), 1)

    def test_set_default_and_do_nothing(self):
        first = Author.objects.create(name='first')
        self.assertEqual(first.id, 1)
        ann = Author.objects.create(name='ann')
        fallback = ann.fallbacks.create()
        ann.delete()
        self.assertEqual(fallback.author_id, 1)
        self.assertIs(fallback.author, first)
        bob = Author.objects.create(name='bob')
        bob.untouched.create()
        with self.assertRaises(Gorm.IntegrityError):
            bob.delete()
        self.assertEqual(Author.objects.filter(name='bob').count(), 1)


@unittest.skipIf(gbulb is None, 'needs gbulb (Debian package python3-gbulb)')
class AsyncTest(GbulbMixin, RelationTestCase):
    """The related object awaited, loaded on the database worker."""

    def test_aget_related(self):
        key = self.what.id
        self.what = self.not_much = None
        gc.collect()

        async def scenario():
            question = await self.sky.aget_related('question')
            again = await self.sky.aget_related('question')
            return question, again

        question, again = self.run_async(scenario())
        self.assertEqual(question.id, key)
        self.assertIs(again, question)
        self.assertIs(self.sky.question, question)
        note = Note.objects.create(text='n')
        self.assertIsNone(self.run_async(note.aget_related('author')))

    def test_aget_related_failures(self):
        async def scenario():
            with self.assertRaises(Gorm.FieldError):
                await self.sky.aget_related('nope')
            with self.assertRaises(Gorm.FieldError):
                await self.what.aget_related('choice_set')
            self.sky.question_id = 987654
            with self.assertRaises(Question.DoesNotExist):
                await self.sky.aget_related('question')
            return True

        self.assertTrue(self.run_async(scenario()))
        with self.assertRaises(Question.DoesNotExist):
            self.sky.question


@unittest.skipIf(gbulb is None, 'needs gbulb (Debian package python3-gbulb)')
class AsyncKeptTest(CountingTestCase):
    """The awaited forms keep what eager loading loaded as well."""

    def setUp(self):
        super().setUp()
        gbulb.install()
        self.addCleanup(asyncio.set_event_loop_policy, None)

    def test_alist_afirst_aget_and_async_for_keep_it(self):
        queryset = Choice.objects.select_related('question').order_by('choice_text')

        async def scenario():
            listed = await queryset.alist()
            first = await queryset.afirst()
            got = await queryset.aget(choice_text='Me')
            iterated = [choice async for choice in queryset]
            question = await Question.objects.prefetch_related('choice_set').afirst()
            return listed, first, got, iterated, question

        with statements(self) as run:
            listed, first, got, iterated, question = asyncio.run(
                asyncio.wait_for(scenario(), 10))
        # The rows twice, a page of one and of two rows, a page of one
        # question and its choices.
        self.assertEqual(len(run), 6, run)
        del queryset
        gc.collect()
        with statements(self) as run:
            self.assertEqual([c.question.question_text for c in listed + iterated],
                             ['Who is there?', "What's new?", "What's new?"] * 2)
            self.assertIs(first.question, listed[0].question)
            self.assertIs(got.question, listed[0].question)
            self.assertEqual(question.choice_set.count(), 2)
        self.assertEqual(run, [])


class DocExamplesTest(DatabaseTestCase):
    """The Python examples of doc/relations.md run as written, in order, in
    one namespace, with the test's database as the default database."""

    def test_examples_run(self):
        root = os.environ.get('GORM_SOURCE_ROOT') or os.path.join(os.path.dirname(__file__),
                                                                  '..', '..')
        with open(os.path.join(root, 'doc', 'relations.md'), encoding='utf-8') as f:
            blocks = re.findall(r'^```python\n(.*?)^```$', f.read(), re.M | re.S)
        self.assertTrue(blocks)
        namespace = {'__name__': 'doc_relations'}
        for number, code in enumerate(blocks, 1):
            exec(compile(code, 'doc/relations.md (example %d)' % number, 'exec'), namespace)


if __name__ == '__main__':
    main()
