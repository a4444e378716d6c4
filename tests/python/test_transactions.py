# SPDX-License-Identifier: LGPL-2.1-or-later
"""``with db.atomic():`` transactions."""

from gormtest import DatabaseTestCase, main
from gi.repository import Gorm


class Account(Gorm.Resource):
    owner = Gorm.Field(str, unique=True)
    balance = Gorm.Field(int)


class Failure(Exception):
    pass


class AtomicTest(DatabaseTestCase):

    def test_commits_on_success(self):
        with self.db.atomic() as db:
            self.assertIs(db, self.db)
            self.assertEqual(self.db.get_transaction_depth(), 1)
            Account(owner='ann', balance=10).save()
        self.assertEqual(self.db.get_transaction_depth(), 0)
        self.assertEqual(Account.objects.get(owner='ann').balance, 10)

    def test_rolls_back_on_an_exception(self):
        Account.objects.create(owner='ann', balance=10)
        with self.assertRaises(Failure):
            with self.db.atomic():
                Account.objects.create(owner='bob', balance=5)
                Account.objects.filter(owner='ann').update(balance=0)
                raise Failure()
        self.assertEqual(self.db.get_transaction_depth(), 0)
        self.assertFalse(Account.objects.filter(owner='bob').exists())
        self.assertEqual(Account.objects.filter(balance=10).count(), 1)

    def test_objects_written_in_a_rolled_back_block_are_undone(self):
        kept = Account.objects.create(owner='kept', balance=1)
        new = Account(owner='new', balance=2)
        with self.assertRaises(Failure):
            with self.db.atomic():
                new.save()
                self.assertTrue(new.is_saved())
                kept.balance = 100
                kept.save()
                self.assertFalse(kept.is_dirty())
                raise Failure()
        # The inserted object is unsaved again, the updated one dirty with
        # its new value: saving them again writes both.
        self.assertFalse(new.is_saved())
        self.assertEqual(new.id, 0)
        self.assertTrue(kept.is_dirty())
        self.assertEqual(kept.balance, 100)
        self.assertTrue(Account.objects.filter(owner='kept', balance=1).exists())
        new.save()
        kept.save()
        self.assertEqual(Account.objects.get(owner='new').balance, 2)
        self.assertTrue(Account.objects.filter(owner='kept', balance=100).exists())

    def test_rolls_back_on_a_database_error(self):
        with self.assertRaises(Gorm.IntegrityError):
            with self.db.atomic():
                Account.objects.create(owner='ann')
                Account.objects.create(owner='ann')
        self.assertEqual(Account.objects.count(), 0)

    def test_nests_as_savepoints(self):
        with self.db.atomic():
            Account.objects.create(owner='outer')
            try:
                with self.db.atomic():
                    self.assertEqual(self.db.get_transaction_depth(), 2)
                    Account.objects.create(owner='inner')
                    raise Failure()
            except Failure:
                pass
            with self.db.atomic():
                Account.objects.create(owner='kept')
        self.assertEqual(sorted(a.owner for a in Account.objects.all()), ['kept', 'outer'])

    def test_as_a_decorator(self):
        @self.db.atomic()
        def transfer(amount):
            Account.objects.filter(owner='ann').update(balance=-amount)
            Account.objects.create(owner='bob %d' % amount, balance=amount)
            if amount > 100:
                raise Failure()

        Account.objects.create(owner='ann', balance=0)
        transfer(50)
        with self.assertRaises(Failure):
            transfer(500)
        self.assertEqual(Account.objects.get(owner='ann').balance, -50)
        self.assertEqual(Account.objects.get(owner='bob 50').balance, 50)
        self.assertFalse(Account.objects.filter(owner='bob 500').exists())



class RunInTransactionTest(DatabaseTestCase):

    def test_commits_when_the_function_returns_true(self):
        def body(db, owners):
            for owner in owners:
                Account(owner=owner, database=db).save()
            return True

        self.assertTrue(self.db.run_in_transaction(body, ['ann', 'bob']))
        self.assertEqual(Account.objects.count(), 2)

    def test_raises_the_exception_of_the_function(self):
        def body(db, owner):
            Account(owner=owner).save()
            raise Failure(owner)

        with self.assertRaises(Failure):
            self.db.run_in_transaction(body, 'ann')
        self.assertEqual(Account.objects.count(), 0)

        def duplicate(db, owner):
            Account(owner=owner).save()
            Account(owner=owner).save()

        with self.assertRaises(Gorm.IntegrityError):
            self.db.run_in_transaction(duplicate, 'bob')
        self.assertEqual(Account.objects.count(), 0)

    def test_rolls_back_when_the_function_returns_false(self):
        def body(db, data):
            Account(owner='ann').save()
            return False

        with self.assertRaises(Gorm.Error) as caught:
            self.db.run_in_transaction(body)
        self.assertEqual(caught.exception.code, Gorm.Error.FAILED)
        self.assertEqual(Account.objects.count(), 0)


if __name__ == '__main__':
    main()
