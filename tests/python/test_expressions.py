# SPDX-License-Identifier: LGPL-2.1-or-later
"""F expressions in Python, as Django has them: in filters and Q objects
(``votes__gt=F('downvotes')``, arithmetic with numbers on either side),
in orders (``order_by(F('a') + F('b'))``, ``F('x').desc()``), in
updates (one UPDATE; loaded objects and live models follow); the date
lookups ``__year`` … ``__second`` and ``__date`` with comparisons,
``__in`` and ``__range``, across relations; enums compared and ordered
by value; and the errors of each."""

import datetime

from gormtest import DatabaseTestCase, main, run_examples
from gi.repository import Gio, GLib, Gorm
from gi.repository.Gorm import F, Q, Sum

UTC = datetime.timezone.utc


class Question(Gorm.Resource):
    question_text = Gorm.Field(str, max_length=200)
    pub_date = Gorm.Field(datetime.datetime)
    rank = Gorm.Field(int)


class Choice(Gorm.Resource):
    question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE)
    choice_text = Gorm.Field(str, max_length=200)
    votes = Gorm.Field(int)
    downvotes = Gorm.Field(int)


class Product(Gorm.Resource):
    name = Gorm.Field(str)
    price = Gorm.Field(float)
    cost = Gorm.Field(float)
    quantity = Gorm.Field(int)


class File(Gorm.Resource):
    """A GObject enum, stored by nick, compared by value."""
    name = Gorm.Field(str)
    kind = Gorm.Field(Gio.FileType)


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


class ExpressionTestCase(DatabaseTestCase):

    def setUp(self):
        super().setUp()
        self.new = Question.objects.create(question_text="What's new?",
                                           pub_date=at(2024, 3, 15, 10, 30, 45), rank=2)
        self.who = Question.objects.create(question_text='Who is there?',
                                           pub_date=at(2023, 7, 2, 8, 5, 0), rank=1)
        self.old = Question.objects.create(question_text='Anyone?',
                                           pub_date=at(2020, 12, 31, 23, 59, 59), rank=5)
        self.much = Choice.objects.create(question=self.new, choice_text='Not much', votes=3,
                                          downvotes=1)
        self.sky = Choice.objects.create(question=self.new, choice_text='The sky', votes=2,
                                         downvotes=4)
        self.me = Choice.objects.create(question=self.who, choice_text='Me', votes=4,
                                        downvotes=2)


class FilterTest(ExpressionTestCase):

    def test_field_against_field(self):
        self.assertEqual(list(Choice.objects.filter(votes__gt=F('downvotes')).order_by('pk')),
                         [self.much, self.me])
        self.assertEqual(list(Choice.objects.filter(votes__lte=F('downvotes'))), [self.sky])
        self.assertEqual(list(Choice.objects.exclude(votes__gt=F('downvotes'))), [self.sky])
        self.assertEqual(list(Choice.objects.filter(Q(votes__gt=F('downvotes')) &
                                                    Q(choice_text='Me'))), [self.me])
        self.assertEqual(list(Choice.objects.filter(~Q(votes__gt=F('downvotes')) |
                                                    Q(votes=F('downvotes') * 2))
                              .order_by('pk')), [self.sky, self.me])

    def test_arithmetic_with_numbers_on_either_side(self):
        Product.objects.create(name='a', price=10.0, cost=5.0, quantity=3)
        Product.objects.create(name='b', price=12.0, cost=5.0, quantity=30)
        Product.objects.create(name='c', price=7.5, cost=2.5, quantity=1)

        def names(**lookups):
            return [p.name for p in Product.objects.filter(**lookups).order_by('name')]
        self.assertEqual(names(price=F('cost') * 2), ['a'])
        self.assertEqual(names(price=2 * F('cost')), ['a'])
        self.assertEqual(names(price=F('cost') * 3), ['c'])
        self.assertEqual(names(price__gt=F('cost') + 5), ['b'])
        self.assertEqual(names(price__gt=5 + F('cost')), ['b'])
        self.assertEqual(names(cost__lt=F('price') - 5), ['b'])
        self.assertEqual(names(cost__lt=15 - F('price')), ['c'])
        self.assertEqual(names(price__gte=F('price') * F('quantity') / 2), ['c'])
        self.assertEqual(names(quantity__gt=30 / F('price')), ['b'])
        self.assertEqual(names(price__range=(F('cost') * 2, F('cost') * 2.5)), ['a', 'b'])
        self.assertEqual(names(quantity__in=[F('cost') - 2, 30]), ['a', 'b'])

    def test_integer_division_truncates(self):
        # 3 / 2 is 1 between integers, as both engines (and C) divide them.
        self.assertEqual(list(Choice.objects.filter(downvotes=F('votes') / 2).order_by('pk')),
                         [self.much, self.me])
        # A constant takes the type of the field it meets: 2.0 is the
        # integer 2 there, and 1.5 does not convert (TYPE_MISMATCH).
        self.assertEqual(list(Choice.objects.filter(downvotes=F('votes') / 2.0).order_by('pk')),
                         [self.much, self.me])
        with self.assertRaisesRegex(Gorm.TypeMismatchError, '1.5'):
            list(Choice.objects.filter(votes=F('votes') / 1.5))

    def test_across_relations(self):
        self.assertEqual(list(Choice.objects.filter(votes__gt=F('question__rank')).order_by('pk')),
                         [self.much, self.me])
        self.assertEqual(list(Question.objects.filter(choice__votes__lt=F('choice__downvotes'))),
                         [self.new])
        self.assertEqual(list(Question.objects.filter(choice__votes__gt=F('choice__downvotes'))
                              .order_by('pk')), [self.new, self.who])
        # A related row compared with the object's own field, as Django's
        # F across a lookup: a question with a choice of more votes than
        # its rank.
        self.assertEqual(list(Question.objects.filter(rank__lt=F('choice__votes')).order_by('pk')),
                         [self.new, self.who])
        self.assertEqual(list(Question.objects.filter(choice__votes__gt=F('rank') + 1)),
                         [self.who])

    def test_errors(self):
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.filter(votes__gt=F('nope'))
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.filter(votes__gt=F('question__nope') + 1)
        with self.assertRaisesRegex(Gorm.TypeMismatchError, 'choice.text'):
            list(Choice.objects.filter(votes__gt=F('choice_text') + 1))
        with self.assertRaises(TypeError):
            F('votes') + 'one'
        with self.assertRaises(TypeError):
            F(3)
        with self.assertRaisesRegex(TypeError, 'isnull'):
            Choice.objects.filter(votes__isnull=F('downvotes'))
        with self.assertRaisesRegex(Gorm.FieldError, 'contains'):
            Choice.objects.filter(choice_text__contains=F('choice_text'))
        # The next query works.
        self.assertEqual(Choice.objects.filter(votes__gt=F('downvotes')).count(), 2)


class OrderTest(ExpressionTestCase):

    def test_order_by_expressions(self):
        self.assertEqual(list(Choice.objects.order_by(F('votes') + F('downvotes'), 'pk')),
                         [self.much, self.sky, self.me])
        self.assertEqual(list(Choice.objects.order_by((F('votes') - F('downvotes')).desc(), 'pk')),
                         [self.much, self.me, self.sky])
        self.assertEqual(list(Choice.objects.order_by(F('downvotes').desc())),
                         [self.sky, self.me, self.much])
        self.assertEqual(list(Choice.objects.order_by(F('downvotes').asc())),
                         [self.much, self.me, self.sky])
        self.assertEqual(list(Choice.objects.order_by(F('question__rank').desc(), '-votes')),
                         [self.much, self.sky, self.me])
        self.assertEqual(Choice.objects.order_by(-1 * F('votes')).first(), self.me)
        self.assertEqual(list(Choice.objects.order_by(F('votes') * -1)[:2]), [self.me, self.much])

    def test_order_errors(self):
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.order_by(F('nope').desc())
        with self.assertRaises(TypeError):
            Choice.objects.order_by(3)
        self.assertEqual(Choice.objects.order_by(F('votes').desc()).first(), self.me)


class UpdateTest(ExpressionTestCase):

    def test_update_with_f_changes_loaded_objects(self):
        self.assertEqual(Choice.objects.filter(question=self.new).update(votes=F('votes') + 1), 2)
        # Without a reload: libgorm gives loaded objects what the database computed.
        self.assertEqual((self.much.votes, self.sky.votes, self.me.votes), (4, 3, 4))
        self.assertFalse(self.much.is_dirty())
        self.much.reload()
        self.assertEqual(self.much.votes, 4)

    def test_update_mixes_expressions_and_constants(self):
        self.assertEqual(Choice.objects.update(votes=F('votes') * 2 + F('downvotes'),
                                               downvotes=0, choice_text='x'), 3)
        self.assertEqual([(c.votes, c.downvotes, c.choice_text)
                          for c in (self.much, self.sky, self.me)],
                         [(7, 0, 'x'), (8, 0, 'x'), (10, 0, 'x')])
        self.assertEqual(sorted(Choice.objects.values_list('votes', flat=True)), [7, 8, 10])

    def test_the_tutorials_vote(self):
        selected = self.new.choice_set.get(pk=self.sky.pk)
        Choice.objects.filter(pk=selected.pk).update(votes=F('votes') + 1)
        self.assertEqual(selected.votes, 3)
        self.assertIs(selected, self.sky)

    def test_the_tutorials_vote_as_written_there(self):
        # selected_choice.votes = F("votes") + 1; selected_choice.save()
        selected = self.new.choice_set.get(pk=self.sky.pk)
        selected.votes = F('votes') + 1
        selected.choice_text = 'The blue sky'
        # Until the save, the field holds what it held.
        self.assertEqual(selected.votes, 2)
        selected.save()
        self.assertEqual(selected.votes, 3)
        self.assertFalse(selected.is_dirty())
        self.assertEqual(Choice.objects.filter(choice_text='The blue sky', votes=3).count(), 1)
        # Another connection's vote between the read and the save counts too.
        Choice.objects.filter(pk=selected.pk).update(votes=10)
        selected.votes = F('votes') + 1
        selected.save()
        self.assertEqual(selected.votes, 11)

    def test_expression_fields_with_update_fields_and_refresh(self):
        self.sky.votes = F('votes') * 10
        self.sky.choice_text = 'unsaved'
        self.sky.save(update_fields=['votes'])
        self.assertEqual(self.sky.votes, 20)
        self.assertTrue(self.sky.is_dirty())
        self.assertEqual(Choice.objects.filter(choice_text='unsaved').count(), 0)
        # A plain value replaces the expression; a refresh drops it.
        self.sky.votes = F('votes') + 1
        self.sky.votes = 7
        self.sky.save()
        self.assertEqual(self.sky.votes, 7)
        self.sky.votes = F('votes') + 1
        self.sky.refresh_from_db()
        self.sky.save()
        self.assertEqual(self.sky.votes, 7)

    def test_expression_fields_refused(self):
        new = Choice(question=self.new, choice_text='new')
        new.votes = F('votes') + 1
        with self.assertRaisesRegex(ValueError, 'not to insert'):
            new.save()
        self.assertFalse(new.is_saved())
        with self.assertRaisesRegex(Gorm.FieldError, 'aggregate'):
            self.sky.votes = Sum('votes')
        self.sky.votes = F('nope') + 1
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            self.sky.save()
        # Nothing was written; the next save works.
        self.assertEqual(Choice.objects.get(pk=self.sky.pk).votes, 2)
        self.sky.votes = F('votes') + 1
        self.sky.save()
        self.assertEqual(self.sky.votes, 3)

    def test_live_model_follows(self):
        live = Choice.objects.order_by('votes', 'pk').watch()
        self.assertEqual(list(live), [self.sky, self.much, self.me])
        changes = []
        live.connect('items-changed', lambda model, *change: changes.append(change))
        Choice.objects.filter(pk=self.sky.pk).update(votes=F('votes') + 10)
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass
        self.assertEqual(list(live), [self.much, self.me, self.sky])
        self.assertEqual(self.sky.votes, 12)
        self.assertTrue(changes)
        leaving = Choice.objects.filter(votes__gt=3).watch()
        self.assertEqual(len(leaving), 2)
        Choice.objects.update(votes=F('votes') - 10)
        while context.iteration(False):
            pass
        self.assertEqual(list(leaving), [])

    def test_update_errors(self):
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.update(votes=F('nope') + 1)
        with self.assertRaisesRegex(Gorm.FieldError, 'nope'):
            Choice.objects.update(nope=F('votes'))
        with self.assertRaisesRegex(Gorm.TypeMismatchError, 'choice.text'):
            Choice.objects.update(votes=F('choice_text') * 2)
        with self.assertRaisesRegex(TypeError, 'aggregate'):
            Choice.objects.update(votes=Sum('votes'))
        # Nothing was written, and the next update works.
        self.assertEqual((self.much.votes, self.sky.votes, self.me.votes), (3, 2, 4))
        self.assertEqual(Choice.objects.update(votes=F('downvotes')), 3)
        self.assertEqual((self.much.votes, self.sky.votes, self.me.votes), (1, 4, 2))


class DateLookupTest(ExpressionTestCase):

    def texts(self, **lookups):
        return sorted(q.question_text for q in Question.objects.filter(**lookups))

    def test_parts(self):
        self.assertEqual(self.texts(pub_date__year=2024), ["What's new?"])
        self.assertEqual(self.texts(pub_date__month=7), ['Who is there?'])
        self.assertEqual(self.texts(pub_date__day=31), ['Anyone?'])
        # Django's week days: 1 is Sunday; 2023-07-02 was a Sunday.
        self.assertEqual(self.texts(pub_date__week_day=1), ['Who is there?'])
        self.assertEqual(self.texts(pub_date__week_day=6), ["What's new?"])
        self.assertEqual(self.texts(pub_date__hour=8), ['Who is there?'])
        self.assertEqual(self.texts(pub_date__minute=30), ["What's new?"])
        self.assertEqual(self.texts(pub_date__second=59), ['Anyone?'])

    def test_parts_with_comparisons(self):
        self.assertEqual(self.texts(pub_date__year__gte=2023), ["What's new?", 'Who is there?'])
        self.assertEqual(self.texts(pub_date__year__lt=2023), ['Anyone?'])
        self.assertEqual(self.texts(pub_date__year__in=[2020, 2024]), ['Anyone?', "What's new?"])
        self.assertEqual(self.texts(pub_date__year__in=[]), [])
        self.assertEqual(self.texts(pub_date__year__range=(2021, 2023)), ['Who is there?'])
        self.assertEqual(self.texts(pub_date__month__gt=6), ['Anyone?', 'Who is there?'])
        self.assertEqual(self.texts(pub_date__hour__lte=10), ["What's new?", 'Who is there?'])
        self.assertEqual(self.texts(pub_date__year__ne=2024), ['Anyone?', 'Who is there?'])
        self.assertEqual(sorted(q.question_text for q in Question.objects.exclude(
            pub_date__year=2024)), ['Anyone?', 'Who is there?'])
        self.assertEqual(self.texts(pub_date__year=F('rank') + 2022),
                         ["What's new?", 'Who is there?'])

    def test_date(self):
        self.assertEqual(self.texts(pub_date__date=datetime.date(2024, 3, 15)), ["What's new?"])
        self.assertEqual(self.texts(pub_date__date__gt=datetime.date(2023, 7, 2)),
                         ["What's new?"])
        self.assertEqual(self.texts(pub_date__date__gte=datetime.date(2023, 7, 2)),
                         ["What's new?", 'Who is there?'])
        self.assertEqual(self.texts(pub_date__date__range=(datetime.date(2020, 12, 31),
                                                           datetime.date(2023, 7, 2))),
                         ['Anyone?', 'Who is there?'])
        self.assertEqual(self.texts(pub_date__date__in=[datetime.date(2020, 12, 31)]),
                         ['Anyone?'])
        # A date-time compares its day, in UTC.
        self.assertEqual(self.texts(pub_date__date=at(2024, 3, 15, 1, 0)), ["What's new?"])
        later = datetime.timezone(datetime.timedelta(hours=5))
        self.assertEqual(self.texts(pub_date__date=datetime.datetime(2021, 1, 1, 4, 0,
                                                                      tzinfo=later)),
                         ['Anyone?'])

    def test_across_relations(self):
        self.assertEqual(sorted(c.choice_text for c in
                                Choice.objects.filter(question__pub_date__year=2024)),
                         ['Not much', 'The sky'])
        self.assertEqual([c.choice_text for c in
                          Choice.objects.filter(question__pub_date__month__lt=7)
                          .exclude(question__pub_date__date=datetime.date(2024, 3, 14))
                          .order_by('pk')], ['Not much', 'The sky'])
        self.assertEqual(list(Question.objects.filter(choice__votes=4, pub_date__year=2023)),
                         [self.who])

    def test_errors(self):
        with self.assertRaisesRegex(Gorm.FieldError, 'year'):
            Choice.objects.filter(votes__year=2024)
        with self.assertRaisesRegex(Gorm.FieldError, 'quarter'):
            Question.objects.filter(pub_date__quarter=1)
        with self.assertRaisesRegex(Gorm.FieldError, 'contains'):
            Question.objects.filter(pub_date__year__contains=1)
        with self.assertRaises(Gorm.TypeMismatchError):
            list(Question.objects.filter(pub_date__year='twenty'))
        self.assertEqual(self.texts(pub_date__year=2024), ["What's new?"])


class EnumTest(DatabaseTestCase):

    def test_enums_compare_and_order_by_value(self):
        # Nicks sort as directory, mountable, regular, shortcut, special,
        # symbolic-link; the values as regular (1), directory (2),
        # symbolic-link (3), special (4), shortcut (5), mountable (6).
        for kind in (Gio.FileType.SHORTCUT, Gio.FileType.REGULAR, Gio.FileType.MOUNTABLE,
                     Gio.FileType.DIRECTORY, Gio.FileType.SYMBOLIC_LINK):
            File.objects.create(name=kind.value_nick, kind=kind)
        self.assertEqual([f.kind for f in File.objects.order_by('kind')],
                         [Gio.FileType.REGULAR, Gio.FileType.DIRECTORY,
                          Gio.FileType.SYMBOLIC_LINK, Gio.FileType.SHORTCUT,
                          Gio.FileType.MOUNTABLE])
        self.assertEqual([f.kind for f in File.objects.order_by('-kind')][:2],
                         [Gio.FileType.MOUNTABLE, Gio.FileType.SHORTCUT])
        self.assertEqual(sorted(f.name for f in File.objects.filter(
            kind__gt=Gio.FileType.DIRECTORY)), ['mountable', 'shortcut', 'symbolic-link'])
        self.assertEqual(sorted(f.name for f in File.objects.filter(
            kind__range=(Gio.FileType.DIRECTORY, Gio.FileType.SHORTCUT))),
            ['directory', 'shortcut', 'symbolic-link'])
        self.assertEqual(File.objects.aggregate(Gorm.Max('kind')),
                         {'kind__max': Gio.FileType.MOUNTABLE})


class DocExamplesTest(DatabaseTestCase):
    """The Python examples of doc/expressions.md run as written, in order,
    in one namespace, with the test's database as the default database."""

    def test_examples_run(self):
        run_examples(self, 'doc/expressions.md', 'Python')


if __name__ == '__main__':
    main()
