#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python side of tests/cross-language.sh's polls: a Question with
Choices (a foreign key, CASCADE) and Tags (many-to-many), written in one
language and read back, every column, in the others.

    polls.py URI write TEXT PUB-DATE TAG VOTES
    polls.py URI read

tests/cross-language/polls.{c,js,vala} do exactly the same, with the same
type names (Question, Choice, Tag: the tables and link columns derive from
them) and the same output.
"""

import datetime
import sys

import gi

gi.require_version('Gorm', '1.0')
from gi.repository import Gorm  # noqa: E402


class Question(Gorm.Resource):
    question_text = Gorm.Field(str, max_length=200)
    pub_date = Gorm.Field(datetime.datetime)
    rating = Gorm.Field(int, null=True)


class Tag(Gorm.Resource):
    name = Gorm.Field(str, unique=True)


class Choice(Gorm.Resource):
    question_id = Gorm.Field(int)
    choice_text = Gorm.Field(str, max_length=200)
    votes = Gorm.Field(int)
    rank = Gorm.Field(int, null=True)


# The relations through the C class metadata, as the other languages
# declare them.
Question.add_many_to_many('tags', Tag)
Choice.set_foreign_key('question-id', Question, Gorm.OnDelete.CASCADE)
Choice.set_max_length('choice-text', 200)


def tag_get_or_create(db, name):
    tag = db.query(Tag).filter(Gorm.Filter.eq('name', name)).first(None)
    if tag is None:
        tag = Tag(database=db, name=name)
        tag.save()
    return tag


def write(db, text, pub_date, tag_name, votes):
    # The question's rating is NULL, and the rank of the second choice.
    question = Question(database=db, question_text=text,
                        pub_date=datetime.datetime.fromisoformat(pub_date), rating=None)
    question.save()
    for suffix, n, rank in (('yes', votes, 1), ('no', votes + 1, None)):
        choice = Choice(database=db, choice_text='%s %s' % (tag_name, suffix), votes=n, rank=rank)
        choice.set_related('question', question)
        choice.save()
    for name in ('shared', tag_name):
        question.link('tags', tag_get_or_create(db, name), None)
    print('Wrote question %d' % question.id)


def format_optional(value):
    """An optional number: "NULL" or its digits."""
    return 'NULL' if value is None else str(value)


def format_date(when):
    """A date-time in UTC, to the microsecond."""
    if when is None:
        return 'NULL'
    return when.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def fetch_ordered(query, prop):
    return list(query.order_by(prop, False).fetch(None))


def read(db):
    for question in fetch_ordered(db.query(Question), 'id'):
        tags = fetch_ordered(question.query_related('tags'), 'name')
        print('question %d: %s | %s | rating %s | tags %s' % (
            question.id, question.question_text, format_date(question.pub_date),
            format_optional(question.rating), ', '.join(t.name for t in tags)))
        for choice in fetch_ordered(question.query_related('choice_set'), 'id'):
            of = choice.get_related('question', None)
            print('  choice %d: %s | %d votes | rank %s | of question %d%s' % (
                choice.id, choice.choice_text, choice.votes, format_optional(choice.rank), of.id,
                '' if of is question else ' (another object)'))
    for tag in fetch_ordered(db.query(Tag), 'name'):
        questions = fetch_ordered(tag.query_related('question_set'), 'id')
        print('tag %d: %s | questions %s' % (
            tag.id, tag.name, ', '.join(str(q.id) for q in questions)))


def main(argv):
    if not (len(argv) == 7 and argv[2] == 'write' or len(argv) == 3 and argv[2] == 'read'):
        print('Usage: %s URI write TEXT PUB-DATE TAG VOTES | URI read' % argv[0], file=sys.stderr)
        return 2
    db = Gorm.Database.open(argv[1], None)
    db.migrate([Question, Choice, Tag])
    if argv[2] == 'write':
        write(db, argv[3], argv[4], argv[5], int(argv[6]))
    else:
        read(db)
    db.close(None)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
