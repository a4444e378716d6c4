#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The polls application of Django's tutorial, in Python: its two models,
Question and Choice (a foreign key to Question), and the queries of the
tutorial's "Playing with the API", on an SQLite file or a PostgreSQL
database.

    polls.py [PATH | URI]

PATH is an SQLite database file (':memory:' is a database in memory, the
default); a URI is opened as it is: sqlite:PATH, or
postgresql://USER:PASSWORD@HOST:PORT/DBNAME. Against the uninstalled build:

    meson devenv -C _build /usr/bin/python3 demos/polls/polls.py
"""

import datetime
import re
import sys

import gi

gi.require_version('Gorm', '1.0')
from gi.repository import Gorm  # noqa: E402


def now():
    """Django's timezone.now(): an aware datetime, in UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


class Question(Gorm.Resource):
    question_text = Gorm.Field(str, max_length=200)
    pub_date = Gorm.Field(datetime.datetime)

    def __str__(self):
        return self.question_text

    def was_published_recently(self):
        return self.pub_date >= now() - datetime.timedelta(days=1)


class Choice(Gorm.Resource):
    question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE)
    choice_text = Gorm.Field(str, max_length=200)
    votes = Gorm.Field(int, default=0)

    def __str__(self):
        return self.choice_text


def show(label, value):
    print('%s: %s' % (label, value))
    return value


def check(condition, what):
    if not condition:
        raise SystemExit('polls.py: unexpected result: %s' % what)


def tutorial():
    # No questions are in the system yet.
    check(show('Questions', list(Question.objects.all())) == [], 'an empty table')

    # Create a new Question, save it, and it has an id.
    q = Question(question_text="What's new?", pub_date=now())
    q.save()
    show('Saved question', q.id)
    check(q.id > 0, 'an id')

    # Change values by changing the attributes, then calling save().
    q.question_text = "What's up?"
    q.save()
    check(show('All questions', [str(x) for x in Question.objects.all()]) == ["What's up?"],
          'the renamed question')

    # Lookups by id, by the start of the text, by the year of publication.
    check(list(Question.objects.filter(id=1)) == [q], 'filter by id')
    check(list(Question.objects.filter(question_text__startswith='What')) == [q],
          'filter by startswith')
    year = datetime.datetime(now().year, 1, 1, tzinfo=datetime.timezone.utc)
    this_year = Question.objects.get(pub_date__gte=year,
                                     pub_date__lt=year.replace(year=year.year + 1))
    check(show('Published this year', this_year) is q, 'get by year')
    try:
        Question.objects.get(id=2)
        check(False, 'DoesNotExist for id 2')
    except Question.DoesNotExist as error:
        show('No question 2', error)
    check(Question.objects.get(pk=1) is q, 'get by pk')
    check(show('Published recently', q.was_published_recently()), 'a recent question')

    # The question has no choices yet; create three.
    check(show('Choices', list(q.choice_set.all())) == [], 'no choice yet')
    q.choice_set.create(choice_text='Not much', votes=0)
    q.choice_set.create(choice_text='The sky', votes=0)
    c = q.choice_set.create(choice_text='Just hacking again', votes=0)

    # Choice objects have access to their related Question objects...
    check(show('The question of a choice', c.question) is q, 'c.question')
    # ...and Question objects to their choices.
    show('Its choices', [str(x) for x in q.choice_set.all()])
    check(show('How many', q.choice_set.count()) == 3, 'three choices')

    # Lookups follow the relation with __: every choice of a question
    # published this year.
    choices = Choice.objects.filter(question__pub_date__gte=year)
    check(show('Choices of this year', len(choices)) == 3, 'a lookup across the relation')
    check(Question.objects.filter(choice__choice_text__startswith='The').get() is q,
          'a lookup across the reverse relation')

    # Delete one of the choices.
    c = q.choice_set.filter(choice_text__startswith='Just hacking')
    check(show('Deleted', c.delete()) == 1, 'one choice deleted')
    check(q.choice_set.count() == 2, 'two choices left')

    # Deleting the question deletes its choices (on_delete=CASCADE).
    kept = list(q.choice_set.all())
    q.delete()
    check(show('Choices left', Choice.objects.count()) == 0, 'the cascade')
    check(not any(choice.is_saved() for choice in kept), 'loaded choices marked deleted')


def database_uri(database):
    """A URI as it is, a file as an sqlite: URI."""
    if re.match(r'[A-Za-z][A-Za-z0-9+.-]*:', database):
        return database
    return 'sqlite:' + database


def main(argv):
    if len(argv) > 2:
        print('Usage: %s [DATABASE-FILE | URI]' % argv[0], file=sys.stderr)
        return 1
    try:
        db = Gorm.open(database_uri(argv[1] if len(argv) > 1 else ':memory:'))
        db.migrate([Question, Choice])
        tutorial()
        db.close()
    except Gorm.Error as error:
        print('polls.py: %s' % error, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
