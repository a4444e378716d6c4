# SPDX-License-Identifier: LGPL-2.1-or-later
"""Loaded objects and their wrappers: libgorm builds each object it loads
for a Python model with its PyGObject wrapper attached
(gorm_resource_new_with_init()), and a load that gives its objects to
Python (a QuerySet's fetch and its chunks, get(), first()) keeps those
wrappers while it runs (_gorm_speedups.collect()), so that Python gets
the wrapper each object was built with. The same objects across the
chunks of a result, no wrapper left behind by objects loaded in C only,
loads on other threads and a model whose __init__ raises (objects built
while Python constructs another object: test_gtk.py, which runs GTK)."""

import contextlib
import gc
import io
import sys
import threading
import unittest.mock
import weakref

from gormtest import DatabaseTestCase, GbulbMixin, main
from gi.repository import GLib, Gorm
from gi.overrides import _gorm_speedups as speedups


class Writer(Gorm.Resource):
    name = Gorm.Field(str)


class Note(Gorm.Resource):
    text = Gorm.Field(str)
    rank = Gorm.Field(int)
    writer = Gorm.ForeignKey(Writer, on_delete=Gorm.CASCADE, null=True)


class Fragile(Gorm.Resource):
    """A model whose __init__ raises while ``failing`` is set."""
    label = Gorm.Field(str)
    failing = False

    def __init__(self, **kwargs):
        if type(self).failing:
            raise RuntimeError('Fragile.__init__ refuses')
        super().__init__(**kwargs)


class Remembered(Gorm.Resource):
    """A model whose __init__ remembers, weakly, the wrappers it ran on."""
    label = Gorm.Field(str)
    built = weakref.WeakSet()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        type(self).built.add(self)


class Pin(Gorm.Resource):
    """A model whose foreign key refers to a Remembered."""
    rank = Gorm.Field(int)
    target = Gorm.ForeignKey(Remembered, on_delete=Gorm.CASCADE)


def wrappers_of(model):
    """The Python wrappers of objects of ``model`` alive."""
    gc.collect()
    return [obj for obj in gc.get_objects() if type(obj) is model]


class LoadingTest(DatabaseTestCase):

    def notes(self, n, writers=()):
        with self.db.atomic():
            for i in range(n):
                Note(text='n%03d' % i, rank=i,
                     writer=writers[i % len(writers)] if writers else None).save()
        gc.collect()

    def test_same_objects_across_chunk_boundaries(self):
        override = sys.modules['gi.overrides.Gorm']
        self.notes(23)
        kept = [Note.objects.get(rank=rank) for rank in (3, 4, 11, 22)]
        for obj in kept:
            obj.seen = obj.rank
        calls = []
        take = override._take
        load_objects = override._load_objects

        def counted(model, start, n_items, keep):
            calls.append((start, n_items))
            return take(model, start, n_items, keep)

        def counted_load(query, whole_max, chunk):
            model, items, n_items = load_objects(query, whole_max, chunk)
            calls.append(('load', len(items), n_items))
            return model, items, n_items
        # A result larger than a fetch builds at once: its first chunk
        # with the fetch, the others as they are iterated.
        with unittest.mock.patch.multiple(override, _WHOLE_MAX_ROWS=10, _ITEMS_CHUNK=4,
                                          _take=counted, _load_objects=counted_load):
            queryset = Note.objects.order_by('rank')
            found = list(queryset)
            again = list(queryset)
            indexed = [queryset[i] for i in range(23)]
        self.assertEqual(calls, [('load', 4, 23), (4, 4), (8, 4), (12, 4), (16, 4), (20, 4),
                                 (4, 4), (8, 4), (12, 4), (16, 4), (20, 4)])
        self.assertEqual([obj.rank for obj in found], list(range(23)))
        for obj in kept:
            self.assertIs(found[obj.rank], obj)
            self.assertEqual(found[obj.rank].seen, obj.rank)
        for first, second, third in zip(found, again, indexed):
            self.assertIs(first, second)
            self.assertIs(first, third)
        # A whole result: one call, the same objects.
        calls.clear()
        with unittest.mock.patch.multiple(override, _take=counted, _load_objects=counted_load):
            whole = list(Note.objects.order_by('rank'))
        self.assertEqual(calls, [('load', 23, 23)])
        for first, second in zip(found, whole):
            self.assertIs(first, second)

    def test_python_gets_the_wrapper_the_object_was_built_with(self):
        for label in ('a', 'b', 'c'):
            Remembered(label=label).save()
        gc.collect()
        Remembered.built.clear()
        # The wrapper __init__ ran on is the one the QuerySet, get() and
        # first() give: no wrapper built again for the same object.
        loaded = list(Remembered.objects.order_by('label'))
        self.assertEqual(len(Remembered.built), 3)
        for obj in loaded:
            self.assertIn(obj, Remembered.built)
        del loaded, obj
        gc.collect()
        self.assertEqual(len(Remembered.built), 0)
        for obj in (Remembered.objects.get(label='b'), Remembered.objects.order_by('label').first(),
                    Remembered.objects.get(pk=Remembered.objects.order_by('label').last().pk)):
            self.assertIn(obj, Remembered.built)

    def test_related_objects_across_chunk_boundaries(self):
        override = sys.modules['gi.overrides.Gorm']
        writers = [Writer(name='w%d' % i) for i in range(3)]
        for writer in writers:
            writer.save()
        self.notes(17, writers)
        del writers
        gc.collect()
        with unittest.mock.patch.multiple(override, _WHOLE_MAX_ROWS=5, _ITEMS_CHUNK=4):
            found = list(Note.objects.select_related('writer').order_by('rank'))
        cache = Note.writer.cache_name
        held = [note.__dict__[cache] for note in found]
        self.assertEqual([writer.name for writer in held], ['w%d' % (i % 3) for i in range(17)])
        # One object, one wrapper for each writer, whichever chunk loaded it.
        for i, writer in enumerate(held):
            self.assertIs(writer, held[i % 3])
            self.assertIs(found[i].writer, writer)
        self.assertEqual(len(wrappers_of(Writer)), 3)

    def test_objects_loaded_in_c_only_keep_no_wrapper(self):
        self.notes(6)
        self.assertEqual(wrappers_of(Note), [])
        # The model stays in Python, its objects in C: their wrappers go
        # when collect() returns.
        model = speedups.collect(Note.objects.order_by('rank').query.fetch)
        self.assertEqual(model.get_n_items(), 6)
        self.assertEqual(wrappers_of(Note), [])
        finalized = []
        item = model.get_item(2)
        self.assertEqual(item.rank, 2)
        item.weak_ref(finalized.append, 'finalized')
        del item
        self.assertEqual(wrappers_of(Note), [])
        del model
        gc.collect()
        self.assertEqual(finalized, ['finalized'])

    def test_wrappers_dropped_when_the_load_raises(self):
        self.notes(4)

        def load_then_fail():
            Note.objects.order_by('rank').query.fetch()
            raise ValueError('after the load')
        with self.assertRaisesRegex(ValueError, 'after the load'):
            speedups.collect(load_then_fail)
        self.assertEqual(wrappers_of(Note), [])
        with self.assertRaisesRegex(TypeError, 'no function given'):
            speedups.collect()

    def test_nested_collects_keep_their_own(self):
        self.notes(5)

        def inner():
            return list(Note.objects.filter(rank__lt=2).order_by('rank'))

        def outer():
            first = speedups.collect(inner)
            return first, list(Note.objects.order_by('rank'))
        first, everything = speedups.collect(outer)
        self.assertEqual([note.rank for note in everything], list(range(5)))
        self.assertIs(first[0], everything[0])
        self.assertIs(first[1], everything[1])

    def test_get_and_first_give_the_wrapper_built(self):
        self.notes(3)
        got = Note.objects.get(id=Note.objects.order_by('rank').first().id)
        self.assertIs(got, Note.objects.order_by('rank').first())
        self.assertIs(Note.objects.order_by('rank').last(), Note.objects.get(rank=2))
        self.assertEqual(wrappers_of(Note), [got])
        del got
        self.assertEqual(wrappers_of(Note), [])

    def test_loads_on_other_threads(self):
        self.notes(40)
        results = {}

        def load(name):
            results[name] = list(Note.objects.order_by('rank'))
        threads = [threading.Thread(target=load, args=(name,)) for name in ('a', 'b')]
        for thread in threads:
            thread.start()
        load('main')
        for thread in threads:
            thread.join()
        for name in ('a', 'b', 'main'):
            self.assertEqual([note.rank for note in results[name]], list(range(40)))
        # Loaded while the others held theirs: the identity map gives the
        # same objects, and each object has one wrapper.
        for a, b, here in zip(results['a'], results['b'], results['main']):
            self.assertIs(a, here)
            self.assertIs(b, here)
        del results, threads, a, b, here
        self.assertEqual(wrappers_of(Note), [])

    def test_async_load_keeps_no_wrapper_behind(self):
        self.notes(8)
        loop = GLib.MainLoop()
        answers = []

        def done(query, result):
            answers.append(query.fetch_finish(result))
            loop.quit()
        Note.objects.order_by('rank').query.fetch_async(None, done)
        loop.run()
        model, = answers
        self.assertEqual([note.rank for note in model], list(range(8)))
        del model, answers
        self.assertEqual(wrappers_of(Note), [])

    def test_model_whose_init_raises(self):
        Fragile(label='a').save()
        Fragile(label='b').save()
        gc.collect()
        Fragile.failing = True
        self.addCleanup(setattr, Fragile, 'failing', False)
        printed = io.StringIO()
        # libgorm warns that the new-object function gave no object, and
        # builds it with g_object_new() instead, as before.
        GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_CRITICAL)
        try:
            with contextlib.redirect_stderr(printed):
                found = list(Fragile.objects.order_by('label'))
        finally:
            GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_CRITICAL |
                                      GLib.LogLevelFlags.LEVEL_WARNING)
        self.assertIn('RuntimeError: Fragile.__init__ refuses', printed.getvalue())
        self.assertEqual([type(obj) for obj in found], [Fragile, Fragile])
        self.assertEqual([obj.label for obj in found], ['a', 'b'])
        Fragile.failing = False
        del found
        gc.collect()
        self.assertEqual([obj.label for obj in Fragile.objects.order_by('label')], ['a', 'b'])

class OneWrapperTest(GbulbMixin, DatabaseTestCase):
    """iterator(), aiterator(), the async fetches and a foreign key's
    load give each object the wrapper it was built with, as a
    QuerySet's fetch does: Remembered.__init__ ran on it."""

    def remembered(self, n):
        for i in range(n):
            Remembered(label='r%d' % i).save()
        gc.collect()
        Remembered.built.clear()

    def assert_built(self, objects, n):
        self.assertEqual(len(objects), n)
        for obj in objects:
            self.assertIsInstance(obj, Remembered)
            self.assertIn(obj, Remembered.built)

    def test_iterator(self):
        self.remembered(5)
        found = list(Remembered.objects.order_by('label').iterator(chunk_size=2))
        self.assertEqual([obj.label for obj in found], ['r%d' % i for i in range(5)])
        self.assert_built(found, 5)

    def test_async_fetches(self):
        self.remembered(4)
        queryset = Remembered.objects.order_by('label')

        async def scenario():
            listed = await queryset.alist()
            self.assert_built(listed, 4)
            del listed
            gc.collect()
            Remembered.built.clear()
            iterated = [obj async for obj in queryset]
            chunked = [obj async for obj in queryset.aiterator(chunk_size=3)]
            self.assert_built(iterated, 4)
            for first, second in zip(iterated, chunked):
                self.assertIs(first, second)
            del iterated, chunked
            gc.collect()
            Remembered.built.clear()
            first = await queryset.afirst()
            self.assert_built([first], 1)
            self.assertEqual(first.label, 'r0')
            key = first.pk
            del first
            gc.collect()
            Remembered.built.clear()
            got = await self.db.aget(Remembered, key)
            self.assert_built([got], 1)
        self.run_async(scenario())

    def test_foreign_key_load(self):
        self.remembered(1)
        target = Remembered.objects.get(label='r0')
        Pin(rank=1, target=target).save()
        del target
        gc.collect()
        Remembered.built.clear()
        pin = Pin.objects.get(rank=1)
        self.assertEqual(len(Remembered.built), 0)
        self.assert_built([pin.target], 1)
        self.assertEqual(pin.target.label, 'r0')
        del pin
        gc.collect()
        Remembered.built.clear()

        async def scenario():
            pin = await Pin.objects.aget(rank=1)
            related = await pin.aget_related('target')
            self.assert_built([related], 1)
        self.run_async(scenario())


if __name__ == '__main__':
    main()
