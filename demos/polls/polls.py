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


def listed(label, queryset):
    """Prints "LABEL: N (TEXT, TEXT...)" for the objects of ``queryset``,
    as demos/polls/polls.c does; returns them."""
    objects = list(queryset)
    if objects:
        print('%s: %d (%s)' % (label, len(objects), ', '.join(str(o) for o in objects)))
    else:
        print('%s: 0' % label)
    return objects


def votes(n):
    """'1 vote', '2 votes': the tutorial's vote{{ choice.votes|pluralize }}."""
    return '%d vote%s' % (n, '' if n == 1 else 's')


def check(condition, what):
    if not condition:
        raise SystemExit('polls.py: unexpected result: %s' % what)


def tutorial():
    # No questions are in the system yet.
    check(listed('Questions', Question.objects.all()) == [], 'an empty table')

    # Create a new Question, save it, and it has an id.
    q = Question(question_text="What's new?", pub_date=now())
    q.save()
    print('Saved question %d: %s' % (q.id, q.question_text))

    # Change values by changing the attributes, then calling save().
    q.question_text = "What's up?"
    q.save()
    print('Renamed question %d: %s' % (q.id, q.question_text))
    check(list(Question.objects.filter(id=q.id)) == [q], 'filter by id')

    # Lookups by the start of the text, by the year of publication.
    check(listed('Questions starting with "What"',
                 Question.objects.filter(question_text__startswith='What')) == [q],
          'filter by startswith')
    current_year = now().year
    got = Question.objects.get(pub_date__year=current_year)
    print('Question published this year: %s' % got)
    check(got is q, 'get by year: the same object')
    try:
        Question.objects.get(id=2)
        check(False, 'DoesNotExist for id 2')
    except Question.DoesNotExist:
        print('Question 2 does not exist')
    check(Question.objects.get(pk=1) is q, 'get by pk')
    print('Question 1 was published recently: %s'
          % ('yes' if q.was_published_recently() else 'no'))

    # The question has no choices yet; create three.
    check(listed('Choices of question 1', q.choice_set.all()) == [], 'no choice yet')
    created = []
    for text in ('Not much', 'The sky', 'Just hacking again'):
        c = q.choice_set.create(choice_text=text, votes=0)
        created.append(c)
        print('Created choice %d: %s (%d votes)' % (c.id, c, c.votes))

    # Choice objects have access to their related Question objects...
    print('Choice %d belongs to: %s%s' % (c.id, c.question,
                                          ' (the same object)' if c.question is q else ''))
    # ...and Question objects to their choices.
    listed('Choices of question 1', q.choice_set.all())
    print('Choice count: %d' % q.choice_set.count())

    # Lookups follow the relation with __: the choices of the questions
    # published this year, and the questions of the choices.
    listed('Choices of questions published this year',
           Choice.objects.filter(question__pub_date__year=current_year))
    check(Question.objects.filter(choice__choice_text__startswith='The').get() is q,
          'a lookup across the reverse relation')

    # The tutorial's vote() view, as written there: votes = F("votes") + 1
    # then save(), one UPDATE in which the database adds the vote (two
    # votes at once both count); the choice then holds the value the
    # database computed.
    for selected_choice in (created[1], created[1], created[0]):
        selected_choice.votes = Gorm.F('votes') + 1
        selected_choice.save()
        print('Voted for %s: %s' % (selected_choice, votes(selected_choice.votes)))

    # The results page, for every question at once: each question annotated
    # with its number of choices and its total of votes, then its choices.
    results = Question.objects.annotate(n_choices=Gorm.Count('choice'),
                                        total_votes=Gorm.Sum('choice__votes'))
    for question in results.order_by('id'):
        print('Results of %s: %d choices, %d votes'
              % (question, question.n_choices, question.total_votes or 0))
        for choice in question.choice_set.order_by('id'):
            print('  %s -- %s' % (choice, votes(choice.votes)))

    # Delete one of the choices.
    c = q.choice_set.filter(choice_text__startswith='Just hacking')
    print('Deleted choices starting with "Just hacking": %d' % c.delete()[0])

    # Deleting the question deletes its choices (on_delete=CASCADE), and
    # the choices loaded are deleted too.
    kept = list(q.choice_set.all())
    q.delete()
    print('Deleted question 1; choices left: %d' % Choice.objects.count())
    check(kept and not any(choice.is_saved() for choice in kept), 'loaded choices deleted')


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
