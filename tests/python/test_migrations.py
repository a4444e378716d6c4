# SPDX-License-Identifier: LGPL-2.1-or-later
"""Schema evolution from Python: renamed fields and tables, type changes,
drops, versions with steps, the plan, progress, and the first-use path,
which refuses what migrate() refuses."""

import contextlib
import io
import itertools
import time

from gormtest import ENGINE, DatabaseTestCase, GbulbMixin, main, python_examples, run_examples
from gi.repository import GLib, Gorm

_serial = itertools.count(1)


def model(name, table, meta=None, **fields):
    """A new model class ``<name><n>`` over ``table``: each version of a
    model in these tests is a class of its own over the same table."""
    namespace = dict(fields)
    namespace['Meta'] = type('Meta', (), dict(meta or {}, table=table))
    namespace['__module__'] = __name__
    return type('%s%d' % (name, next(_serial)), (Gorm.Resource,), namespace)


class Boom(Exception):
    pass


class MigrationTestCase(DatabaseTestCase):

    def columns(self, table):
        """The column names of ``table``, as the database has them."""
        if ENGINE == 'sqlite':
            rows = self.db.select('SELECT name FROM pragma_table_info(?) ORDER BY cid', [table])
        else:
            rows = self.db.select('SELECT column_name FROM information_schema.columns '
                                  'WHERE table_name = ? ORDER BY ordinal_position', [table])
        return [row[0] for row in rows]

    def tables(self):
        if ENGINE == 'sqlite':
            rows = self.db.select("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            rows = self.db.select("SELECT table_name FROM information_schema.tables "
                                  "WHERE table_schema = 'public'")
        return {row[0] for row in rows}

    def question_v1(self, **extra):
        """Version 1 of a question table, migrated, with two rows."""
        Question = model('Question', 'question', question=Gorm.Field(str), votes=Gorm.Field(int),
                         **extra)
        self.db.migrate([Question])
        Question.objects.create(question='Why?', votes=3)
        Question.objects.create(question='How?', votes=5)
        return Question


class RenameTest(MigrationTestCase):

    def test_renamed_field_keeps_its_data(self):
        self.question_v1()
        Question = model('Question', 'question',
                         question_text=Gorm.Field(str, renamed_from='question'),
                         votes=Gorm.Field(int))
        plan = self.db.migration([Question]).plan()
        renames = [c for c in plan if c.kind == Gorm.MigrationChangeKind.RENAME_COLUMN]
        self.assertEqual(len(renames), 1)
        self.assertEqual((renames[0].table, renames[0].column), ('question', 'question_text'))
        self.assertIn('question_text', renames[0].reason)
        self.assertIn('renamed_from', renames[0].reason)
        self.assertNotIn('question-text', renames[0].reason)
        self.db.migrate([Question])
        self.assertEqual(self.columns('question'), ['id', 'question_text', 'votes'])
        self.assertEqual(sorted(Question.objects.values_list('question_text', flat=True)),
                         ['How?', 'Why?'])
        # A new row goes in: no NOT NULL column was left behind.
        Question.objects.create(question_text='Who?', votes=0)
        self.assertEqual(Question.objects.count(), 3)

    def test_renamed_number_field(self):
        # Its values are checked where the table has them: under the old name.
        self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str),
                         score=Gorm.Field(int, renamed_from='votes'))
        self.db.migrate([Question])
        self.assertEqual(self.columns('question'), ['id', 'question', 'score'])
        self.assertEqual(Question.objects.get(question='How?').score, 5)

    def test_renamed_foreign_key(self):
        Poll = model('Poll', 'poll', title=Gorm.Field(str))
        Choice = model('Choice', 'choice', poll=Gorm.ForeignKey(Poll, on_delete=Gorm.CASCADE),
                       text=Gorm.Field(str))
        self.db.migrate([Poll, Choice])
        poll = Poll.objects.create(title='Lunch')
        Choice.objects.create(poll=poll, text='Soup')
        Choice2 = model('Choice', 'choice',
                        question=Gorm.ForeignKey(Poll, on_delete=Gorm.CASCADE,
                                                 renamed_from='poll'),
                        text=Gorm.Field(str))
        self.db.migrate([Poll, Choice2])
        self.assertIn('question_id', self.columns('choice'))
        self.assertNotIn('poll_id', self.columns('choice'))
        self.assertEqual(Choice2.objects.get(text='Soup').question.title, 'Lunch')

    def test_renamed_table(self):
        self.question_v1()
        Poll = model('Poll', 'poll', meta={'renamed_from': 'question'},
                     question=Gorm.Field(str), votes=Gorm.Field(int))
        plan = self.db.migration([Poll]).plan()
        self.assertEqual([c.kind for c in plan], [Gorm.MigrationChangeKind.RENAME_TABLE])
        self.db.migrate([Poll])
        self.assertIn('poll', self.tables())
        self.assertNotIn('question', self.tables())
        self.assertEqual(Poll.objects.get(question='How?').votes, 5)

    def test_undeclared_rename_is_refused_in_python_names(self):
        self.question_v1()
        Question = model('Question', 'question', question_text=Gorm.Field(str),
                         votes=Gorm.Field(int))
        with self.assertRaises(Gorm.MigrationError) as caught:
            self.db.migrate([Question])
        message = str(caught.exception)
        self.assertEqual(caught.exception.code, Gorm.Error.MIGRATION)
        self.assertIn(Question.__name__, message)
        self.assertNotIn(Question.__gtype__.name, message)
        self.assertNotIn('question-text', message)
        self.assertIn("question_text = Gorm.Field(..., renamed_from='question')", message)
        self.assertIn('allow_drop=[(table, column)]', message)
        self.assertNotIn('gorm_', message)
        # Nothing changed.
        self.assertEqual(self.columns('question'), ['id', 'question', 'votes'])

    def test_first_use_applies_a_declared_rename(self):
        self.question_v1()
        Question = model('Question', 'question',
                         text=Gorm.Field(str, renamed_from='question'), votes=Gorm.Field(int))
        self.assertEqual(Question.objects.filter(votes__gt=4).get().text, 'How?')

    def test_first_use_refuses_what_migrate_refuses(self):
        self.question_v1()
        Question = model('Question', 'question', votes=Gorm.Field(int))
        with self.assertRaises(Gorm.MigrationError) as caught:
            Question.objects.count()
        self.assertIn('question', str(caught.exception))
        self.assertIn('allow_drop', str(caught.exception))
        # It refuses at each use, and changed nothing.
        with self.assertRaises(Gorm.MigrationError):
            list(Question.objects.all())
        self.assertEqual(self.columns('question'), ['id', 'question', 'votes'])

    def test_bad_declarations(self):
        with self.assertRaises(TypeError):
            Gorm.Field(str, renamed_from=3)
        with self.assertRaises(TypeError):
            Gorm.Field(str, renamed_from='')
        with self.assertRaises(TypeError):
            Gorm.ForeignKey('Poll', on_delete=Gorm.CASCADE, renamed_from='poll id')
        with self.assertRaises(TypeError):
            model('Note', 'note', meta={'renamed_from': ['old']}, text=Gorm.Field(str))
        with self.assertRaises(TypeError):
            model('Note', 'note', meta={'renamed_from': 'old', 'abstract': True},
                  text=Gorm.Field(str))


class ChangeTest(MigrationTestCase):

    def test_type_change_converts_the_data(self):
        self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str),
                         votes=Gorm.Field(float))
        plan = self.db.migration([Question]).plan()
        self.assertIn(Gorm.MigrationChangeKind.ALTER_TYPE, [c.kind for c in plan])
        self.db.migrate([Question])
        self.assertEqual(sorted(Question.objects.values_list('votes', flat=True)), [3.0, 5.0])
        Question.objects.create(question='Half?', votes=0.5)
        self.assertEqual(Question.objects.get(question='Half?').votes, 0.5)

    def test_type_change_that_loses_data_is_refused(self):
        Question = self.question_v1()
        Question.objects.create(question='42', votes=1)
        Numeric = model('Question', 'question', question=Gorm.Field(int), votes=Gorm.Field(int))
        with self.assertRaises(Gorm.MigrationError) as caught:
            self.db.migrate([Numeric])
        self.assertIn('question', str(caught.exception))
        self.assertEqual(Question.objects.using(self.db).count(), 3)
        self.assertEqual(self.db.select('SELECT question FROM question ORDER BY id')[0],
                         ('Why?',))

    def test_drop_refused_then_allowed(self):
        self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str))
        with self.assertRaises(Gorm.MigrationError) as caught:
            self.db.migrate([Question])
        message = str(caught.exception)
        self.assertIn('votes', message)
        self.assertIn('allow_drop', message)
        self.assertEqual(self.columns('question'), ['id', 'question', 'votes'])
        # The plan refuses as the run does.
        with self.assertRaises(Gorm.MigrationError):
            self.db.migration([Question]).plan()
        self.db.migrate([Question], allow_drop=[('question', 'votes')])
        self.assertEqual(self.columns('question'), ['id', 'question'])
        self.assertEqual(Question.objects.count(), 2)

    def test_allow_drop_takes_a_model(self):
        Old = self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str))
        migration = self.db.migration([Question])
        migration.allow_drop(Old, 'votes')
        migration.run()
        self.assertEqual(self.columns('question'), ['id', 'question'])
        with self.assertRaises(TypeError):
            self.db.migration([Question], allow_drop=['votes'])
        with self.assertRaises(TypeError):
            migration.allow_drop('question', 3)


class VersionTest(MigrationTestCase):

    def test_steps_run_in_order_once(self):
        Old = self.question_v1()
        self.db.migrate([Old], version=1)
        self.assertEqual(self.db.get_schema_version(), 1)
        Question = model('Question', 'question', question=Gorm.Field(str),
                         votes=Gorm.Field(int), slug=Gorm.Field(str, default=''))
        calls = []

        def step2(db):
            calls.append((2, 'slug' in self.columns('question')))
            for question in Question.objects.using(db):
                question.slug = question.question.lower().rstrip('?')
                question.save()

        def step3(db):
            calls.append((3, Question.objects.using(db).filter(slug='why').count()))

        migration = self.db.migration([Question], version=3, steps={3: step3, 2: step2})

        @migration.step(3, after=False)
        def before3(db):
            calls.append(('before 3', 'slug' in self.columns('question')))

        @migration.step(2, after=False)
        def before2(db):
            self.assertIs(db, self.db)
            calls.append(('before 2', 'slug' in self.columns('question')))

        plan = migration.plan()
        self.assertEqual(calls, [])
        kinds = [c.kind for c in plan]
        self.assertEqual(kinds.count(Gorm.MigrationChangeKind.STEP), 4)
        self.assertEqual(kinds[-1], Gorm.MigrationChangeKind.SET_VERSION)
        self.assertEqual([c.version for c in plan if c.kind == Gorm.MigrationChangeKind.STEP],
                         [2, 3, 2, 3])
        self.assertTrue(migration.run())
        self.assertEqual(calls, [('before 2', False), ('before 3', False), (2, True), (3, 1)])
        self.assertEqual(self.db.get_schema_version(), 3)
        self.assertEqual(Question.objects.get(question='How?').slug, 'how')
        # Again: the database is at version 3, nothing runs.
        calls.clear()
        self.db.migrate([Question], version=3, steps={2: step2, 3: step3})
        self.assertEqual(calls, [])

    def test_failing_step_rolls_everything_back(self):
        Old = self.question_v1()
        self.db.migrate([Old], version=1)
        Question = model('Question', 'question', question=Gorm.Field(str),
                         votes=Gorm.Field(int), slug=Gorm.Field(str, default=''))
        error = Boom('no slug for you')

        def step(db):
            Question.objects.using(db).update(votes=0)
            Question.objects.using(db).create(question='Extra?', votes=1)
            raise error

        with self.assertRaises(Boom) as caught:
            self.db.migrate([Question], version=2, steps={2: step})
        self.assertIs(caught.exception, error)
        self.assertNotIsInstance(caught.exception, GLib.Error)
        self.assertEqual(self.db.get_schema_version(), 1)
        self.assertEqual(self.columns('question'), ['id', 'question', 'votes'])
        self.assertEqual(sorted(self.db.select('SELECT question, votes FROM question')),
                         [('How?', 5), ('Why?', 3)])
        self.assertEqual(self.db.get_transaction_depth(), 0)
        # The same migration then runs once the step is mended.
        self.db.migrate([Question], version=2, steps={2: lambda db: None})
        self.assertEqual(self.db.get_schema_version(), 2)

    def test_failing_step_before_the_changes(self):
        self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str),
                         votes=Gorm.Field(int), slug=Gorm.Field(str, default=''))
        migration = self.db.migration([Question], version=1)

        @migration.step(1, after=False)
        def fail(db):
            db.execute('UPDATE question SET votes = 0')
            raise KeyError('slug')

        with self.assertRaises(KeyError):
            migration.run()
        self.assertEqual(self.db.get_schema_version(), 0)
        self.assertNotIn('slug', self.columns('question'))
        self.assertEqual(sorted(v for (v,) in self.db.select('SELECT votes FROM question')),
                         [3, 5])

    def test_newer_database_is_refused(self):
        Question = self.question_v1()
        self.db.migrate([Question], version=5)
        Newer = model('Question', 'question', question=Gorm.Field(str), votes=Gorm.Field(int),
                      extra=Gorm.Field(str, default=''))
        calls = []
        with self.assertRaises(Gorm.MigrationError) as caught:
            self.db.migrate([Newer], version=3, steps={3: calls.append})
        self.assertIn('5', str(caught.exception))
        self.assertIn('3', str(caught.exception))
        self.assertEqual(calls, [])
        self.assertEqual(self.db.get_schema_version(), 5)
        self.assertNotIn('extra', self.columns('question'))
        with self.assertRaises(Gorm.MigrationError):
            self.db.migration([Newer], version=3).plan()

    def test_bad_versions_and_steps(self):
        Question = self.question_v1()
        with self.assertRaises(TypeError):
            self.db.migrate([Question], version=-1)
        with self.assertRaises(TypeError):
            self.db.migrate([Question], version='3')
        with self.assertRaises(ValueError):
            self.db.migrate([Question], version=2, steps={3: lambda db: None})
        with self.assertRaises(TypeError):
            self.db.migrate([Question], version=2, steps={2: 'not a function'})
        with self.assertRaises(TypeError):
            self.db.migration([Question], version=2).step(0)
        with self.assertRaises(TypeError):
            self.db.migrate([Question], progress='not a function')
        self.assertEqual(self.db.get_schema_version(), 0)


class PlanTest(MigrationTestCase):

    def test_plan_lists_and_runs_nothing(self):
        self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str, max_length=40),
                         votes=Gorm.Field(int), pub_date=Gorm.Field(int, index=True))
        migration = self.db.migration([Question], version=2)
        migration.step(2)(lambda db: None)
        plan = migration.plan()
        self.assertIsInstance(plan, Gorm.MigrationPlan)
        self.assertTrue(all(isinstance(c, Gorm.MigrationChange) for c in plan))
        kinds = [c.kind for c in plan]
        self.assertIn(Gorm.MigrationChangeKind.ADD_COLUMN, kinds)
        self.assertIn(Gorm.MigrationChangeKind.ADD_INDEX, kinds)
        self.assertIn(Gorm.MigrationChangeKind.STEP, kinds)
        added = next(c for c in plan if c.kind == Gorm.MigrationChangeKind.ADD_COLUMN)
        self.assertEqual((added.table, added.column), ('question', 'pub_date'))
        self.assertIsNotNone(added.wants)
        self.assertIn('pub_date', added.reason)
        self.assertNotIn('pub-date', added.reason)
        self.assertNotIn(Question.__gtype__.name, added.reason)
        version = plan[-1]
        self.assertEqual(version.kind, Gorm.MigrationChangeKind.SET_VERSION)
        self.assertEqual(version.version, 2)
        self.assertIsNone(version.table)
        self.assertTrue(plan.statements)
        self.assertEqual(plan.statements, [s for c in plan for s in c.statements])
        self.assertTrue(all(isinstance(s, str) for s in plan.statements))
        text = str(plan)
        self.assertIn('add column question.pub_date', text)
        self.assertIn('step of version 2', text)
        self.assertIn('set version none → 2', text)
        for sql in plan.statements:
            self.assertIn(sql, text)
        self.assertIn('add column question.pub_date', repr(added))
        # Nothing ran.
        self.assertNotIn('pub_date', self.columns('question'))
        self.assertEqual(self.db.get_schema_version(), 0)
        migration.run()
        self.assertIn('pub_date', self.columns('question'))
        self.assertEqual(str(self.db.migration([Question], version=2).plan()),
                         'Nothing to change.')

    def test_progress_callback(self):
        Old = self.question_v1()
        self.db.migrate([Old], version=1)
        Question = model('Question', 'question', question=Gorm.Field(str),
                         votes=Gorm.Field(int), slug=Gorm.Field(str, default=''))

        def slow(db):
            # Longer than the ~16 ms between two emissions.
            time.sleep(0.05)

        seen = []
        self.db.migrate([Question], version=4, steps={2: slow, 3: slow, 4: slow},
                        progress=lambda change, fraction: seen.append((change, fraction)))
        fractions = [fraction for _, fraction in seen]
        self.assertGreaterEqual(len(fractions), 3, fractions)
        self.assertEqual(fractions, sorted(fractions))
        self.assertTrue(any(0 < f < 1 for f in fractions), fractions)
        self.assertEqual(fractions[-1], 1.0)
        self.assertTrue(all(isinstance(c, Gorm.MigrationChange) for c, _ in seen))
        self.assertIn(Gorm.MigrationChangeKind.STEP, [c.kind for c, _ in seen])
        self.assertEqual(self.db.get_schema_version(), 4)

    def test_progress_of_a_plain_run(self):
        # Without a progress function, run() blocks the main context: the
        # signal comes once, at the end.
        Old = self.question_v1()
        migration = self.db.migration([Old], version=2, steps={2: lambda db: time.sleep(0.05)})
        seen = []
        migration.connect('progress', lambda m, change, fraction: seen.append(fraction))
        migration.run()
        self.assertEqual(seen, [1.0])
        self.assertEqual(migration.fraction, 1.0)

    def test_progress_failure(self):
        Old = self.question_v1()
        seen = []

        def fail(db):
            time.sleep(0.05)
            raise Boom()

        with self.assertRaises(Boom):
            self.db.migrate([Old], version=3, steps={2: lambda db: time.sleep(0.05), 3: fail},
                            progress=lambda change, fraction: seen.append(fraction))
        self.assertNotIn(1.0, seen)
        self.assertEqual(self.db.get_schema_version(), 0)


class AsyncioTest(GbulbMixin, MigrationTestCase):

    def test_amigrate_with_steps(self):
        self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str),
                         votes=Gorm.Field(int), slug=Gorm.Field(str, default=''))

        def step(db):
            Question.objects.using(db).update(slug='x')

        async def scenario():
            migration = self.db.migration([Question], version=2, steps={2: step})
            plan = await migration.aplan()
            self.assertEqual(plan[-1].kind, Gorm.MigrationChangeKind.SET_VERSION)
            await migration.arun()
            self.assertEqual(migration.fraction, 1.0)
            return await Question.objects.filter(slug='x').acount()

        self.assertEqual(self.run_async(scenario()), 2)
        self.assertEqual(self.db.get_schema_version(), 2)

    def test_amigrate_raises_the_step_exception(self):
        self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str),
                         votes=Gorm.Field(int), slug=Gorm.Field(str, default=''))

        def step(db):
            raise Boom('async step')

        async def scenario():
            await self.db.amigrate([Question], version=2, steps={2: step})

        with self.assertRaises(Boom):
            self.run_async(scenario())
        self.assertNotIn('slug', self.columns('question'))
        self.assertEqual(self.db.get_schema_version(), 0)

    def test_amigrate_refusal(self):
        self.question_v1()
        Question = model('Question', 'question', question=Gorm.Field(str))

        async def scenario():
            await self.db.amigrate([Question])

        with self.assertRaises(Gorm.MigrationError):
            self.run_async(scenario())
        self.assertEqual(self.columns('question'), ['id', 'question', 'votes'])


class DocExamplesTest(DatabaseTestCase):
    """The Python examples of doc/migrations.md ("Python, JavaScript and
    Vala") run as written, in order, in one namespace, with the test's
    database as the default database."""

    SECTION = 'Python, JavaScript and Vala'

    def test_examples_run(self):
        self.assertEqual(len(python_examples('doc/migrations.md', self.SECTION)), 4)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            namespace = run_examples(self, 'doc/migrations.md', self.SECTION)
        self.assertEqual(namespace['db'].get_schema_version(), 3)
        # The plan, then the refusal of the first use.
        plan = str(namespace['plan'])
        self.assertIn(plan, printed.getvalue())
        self.assertIn('step of version 3', plan)
        refusal = printed.getvalue()[len(plan):]
        self.assertIn('slug', refusal)
        self.assertIn('allow_drop', refusal)


if __name__ == '__main__':
    main()
