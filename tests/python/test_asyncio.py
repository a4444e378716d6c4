# SPDX-License-Identifier: LGPL-2.1-or-later
"""Awaiting libgorm in an asyncio program, under gbulb's GLib event loop
(Debian's python3-gbulb), which runs the GLib main context."""

import asyncio
import threading
import unittest

from gormtest import DatabaseTestCase, GbulbMixin, fresh_uri, main
from gi.repository import Gorm

try:
    import gbulb
except ImportError:
    gbulb = None


class Note(Gorm.Resource):
    text = Gorm.Field(str, unique=True)
    stars = Gorm.Field(int)


class PlainLoopTest(DatabaseTestCase):

    def test_plain_asyncio_loop_is_refused(self):
        # Its callbacks would never come: a clear error instead of a hang.
        async def save():
            await Note(text='a').asave()

        with self.assertRaises(RuntimeError) as caught:
            asyncio.run(save())
        self.assertIn('GLib main context', str(caught.exception))


@unittest.skipIf(gbulb is None, 'needs gbulb (Debian package python3-gbulb)')
class GbulbTest(GbulbMixin, DatabaseTestCase):

    def test_save_reload_delete(self):
        async def scenario():
            note = Note(text='first', stars=1)
            await note.asave()
            self.assertEqual(note.id, 1)
            Note.objects.filter(id=1).update(stars=5)
            note.stars = 2
            await note.areload()
            self.assertEqual(note.stars, 5)
            await note.adelete()
            self.assertFalse(note.is_saved())
            return await Note.objects.acount()

        self.assertEqual(self.run_async(scenario()), 0)

    def test_queryset_runners(self):
        async def scenario():
            for i in range(4):
                await Note.objects.acreate(text='n%d' % i, stars=i)
            ordered = Note.objects.filter(stars__gte=1).order_by('-stars')
            self.assertEqual(await ordered.acount(), 3)
            self.assertTrue(await ordered.aexists())
            self.assertEqual((await ordered.afirst()).text, 'n3')
            self.assertIsNone(await Note.objects.filter(stars=99).afirst())
            self.assertEqual([n.text for n in await ordered.alist()], ['n3', 'n2', 'n1'])
            self.assertEqual([n.text async for n in ordered[1:]], ['n2', 'n1'])
            self.assertEqual((await Note.objects.aget(text='n2')).stars, 2)
            with self.assertRaises(Note.DoesNotExist):
                await Note.objects.aget(text='nope')
            self.assertEqual(await Note.objects.filter(stars__lt=2).aupdate(stars=2 ** 40,
                                                                            text='low'), 2)
            return await Note.objects.filter(stars=2 ** 40).adelete()

        # The update gives two rows the same text: its transaction rolls back.
        with self.assertRaises(Gorm.IntegrityError):
            self.run_async(scenario())
        self.assertEqual(Note.objects.filter(stars__lt=2).count(), 2)

    def test_awatch_counts_on_the_worker(self):
        async def scenario():
            for i in range(3):
                await Note.objects.acreate(text='n%d' % i, stars=i)
            model = await Note.objects.filter(stars__gte=1).order_by('-stars').awatch()
            self.assertEqual([n.text for n in model], ['n2', 'n1'])
            # It is live: a save shows in it.
            changes = []
            model.connect('items-changed', lambda *args: changes.append(args[1:]))
            await Note.objects.acreate(text='n9', stars=9)
            while not changes:
                await asyncio.sleep(0.01)
            self.assertEqual([n.text for n in model], ['n9', 'n2', 'n1'])
            empty = await Note.objects.none().awatch()
            self.assertEqual(empty.get_n_items(), 0)
            with self.assertRaises(TypeError) as caught:
                await Note.objects.values('text').awatch()
            self.assertIn('not live', str(caught.exception))
            with self.assertRaises(Gorm.FieldError):
                await Note.objects.order_by('nope').awatch()
            return model.get_item_type()

        self.assertEqual(self.run_async(scenario()), Note.__gtype__)

    def test_update_and_delete(self):
        async def scenario():
            for i in range(3):
                await Note.objects.acreate(text='n%d' % i, stars=i)
            self.assertEqual(await Note.objects.filter(stars__lt=2).aupdate(stars=2 ** 40), 2)
            return await Note.objects.filter(stars=2 ** 40).adelete()

        self.assertEqual(self.run_async(scenario()), (2, {'__main__.Note': 2}))
        self.assertEqual([n.text for n in Note.objects.all()], ['n2'])

    def test_errors_are_raised(self):
        async def scenario():
            await Note(text='same').asave()
            await Note(text='same').asave()

        with self.assertRaises(Gorm.IntegrityError) as caught:
            self.run_async(scenario())
        self.assertEqual(caught.exception.code, Gorm.Error.CONSTRAINT)

    def test_database_calls(self):
        uri = fresh_uri(self)

        async def scenario():
            Gorm.Database.clear_default()
            db = await Gorm.aopen(uri)
            self.assertIs(Gorm.Database.get_default(), db)
            await db.amigrate([Note])
            note = Note(text='kept')
            await note.asave()
            self.assertIs(await db.aget(Note, note.id), note)

            def body(database, texts):
                for text in texts:
                    Note(text=text, database=database).save()
                return True

            self.assertTrue(await db.arun_in_transaction(body, ['a', 'b']))
            with self.assertRaises(Gorm.IntegrityError):
                await db.arun_in_transaction(body, ['c', 'c'])
            count = await Note.objects.acount()
            db.close()
            return count

        self.assertEqual(self.run_async(scenario()), 3)

    def test_cancelling_the_task_cancels_the_call(self):
        release = threading.Event()

        def blocking(database, data):
            return release.wait(10)

        async def scenario():
            # Registered now: a registration on first use is synchronous
            # and would wait for the blocked worker.
            self.db.migrate([Note])
            blocker = asyncio.ensure_future(self.db.arun_in_transaction(blocking))
            await asyncio.sleep(0)
            saving = asyncio.ensure_future(Note(text='cancelled').asave())
            await asyncio.sleep(0)
            # The save waits behind the transaction on the worker.
            saving.cancel()
            # asyncio delivers a cancellation on a later turn of the loop:
            # Task.cancel() cancels the future the task awaits, whose done
            # callbacks (the one that cancels the GCancellable first, then
            # the task's wake-up) are only scheduled. Releasing the worker
            # before they ran let it start the save 3 times in 15 under
            # load. The call must not run once the task has ended cancelled.
            await asyncio.wait([saving])
            self.assertTrue(saving.cancelled())
            release.set()
            self.assertTrue(await blocker)
            with self.assertRaises(asyncio.CancelledError):
                await saving
            # Calls run in order: the cancelled save has had its turn.
            return await Note.objects.acount()

        self.assertEqual(self.run_async(scenario()), 0)

if __name__ == '__main__':
    main()
