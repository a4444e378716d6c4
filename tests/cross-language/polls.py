#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python side of tests/cross-language.sh's polls: a Question with
Choices (a foreign key, CASCADE) and Tags (many-to-many), written in one
language and read back, every column, in the others.

    polls.py URI write TEXT PUB-DATE TAG VOTES
    polls.py URI read

tests/cross-language/polls.{c,js,vala} do exactly the same, with the same
type names (Question, Choice, Tag: the tables and link columns derive from
them) and the same output. This one is written the Django way of the
override: Gorm.ForeignKey, Gorm.ManyToManyField, the managers.
"""

import datetime
import sys

import gi

gi.require_version('Gorm', '1.0')
from gi.repository import Gorm  # noqa: E402


class Tag(Gorm.Resource):
    name = Gorm.Field(str, unique=True)


class Question(Gorm.Resource):
    question_text = Gorm.Field(str, max_length=200)
    pub_date = Gorm.Field(datetime.datetime)
    rating = Gorm.Field(int, null=True)
    tags = Gorm.ManyToManyField(Tag)


class Choice(Gorm.Resource):
    question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE)
    choice_text = Gorm.Field(str, max_length=200)
    votes = Gorm.Field(int)
    rank = Gorm.Field(int, null=True)


def tag_get_or_create(name):
    tag = Tag.objects.filter(name=name).first()
    if tag is None:
        tag = Tag.objects.create(name=name)
    return tag


def write(text, pub_date, tag_name, votes):
    # The question's rating is NULL, and the rank of the second choice.
    question = Question.objects.create(
        question_text=text, pub_date=datetime.datetime.fromisoformat(pub_date), rating=None)
    for suffix, n, rank in (('yes', votes, 1), ('no', votes + 1, None)):
        question.choice_set.create(choice_text='%s %s' % (tag_name, suffix), votes=n, rank=rank)
    question.tags.add(*(tag_get_or_create(name) for name in ('shared', tag_name)))
    print('Wrote question %d' % question.id)


def format_optional(value):
    """An optional number: "NULL" or its digits."""
    return 'NULL' if value is None else str(value)


def format_date(when):
    """A date-time in UTC, to the microsecond."""
    if when is None:
        return 'NULL'
    return when.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def read():
    for question in Question.objects.order_by('id'):
        tags = question.tags.order_by('name')
        print('question %d: %s | %s | rating %s | tags %s' % (
            question.id, question.question_text, format_date(question.pub_date),
            format_optional(question.rating), ', '.join(t.name for t in tags)))
        for choice in question.choice_set.order_by('id'):
            of = choice.question
            print('  choice %d: %s | %d votes | rank %s | of question %d%s' % (
                choice.id, choice.choice_text, choice.votes, format_optional(choice.rank),
                of.id, '' if of is question else ' (another object)'))
    for tag in Tag.objects.order_by('name'):
        questions = tag.question_set.order_by('id')
        print('tag %d: %s | questions %s' % (
            tag.id, tag.name, ', '.join(str(q.id) for q in questions)))
    # The aggregates: each question annotated with its number of choices
    # and total of votes, then the votes of every choice.
    annotated = Question.objects.annotate(n=Gorm.Count('choice'), votes=Gorm.Sum('choice__votes'))
    for question in annotated.order_by('id'):
        print('totals of question %d: %d choices, %d votes' % (question.id, question.n, question.votes))
    totals = Choice.objects.aggregate(n=Gorm.Count('id'), total=Gorm.Sum('votes'), least=Gorm.Min('votes'),
                                      most=Gorm.Max('votes'), average=Gorm.Avg('votes'))
    print('votes: %(n)d choices, total %(total)d, least %(least)d, most %(most)d, '
          'average %(average).2f' % totals)


def main(argv):
    if not (len(argv) == 7 and argv[2] == 'write' or len(argv) == 3 and argv[2] == 'read'):
        print('Usage: %s URI write TEXT PUB-DATE TAG VOTES | URI read' % argv[0], file=sys.stderr)
        return 2
    # The first database opened is the models' default one.
    db = Gorm.open(argv[1])
    db.migrate([Question, Choice, Tag])
    if argv[2] == 'write':
        write(argv[3], argv[4], argv[5], int(argv[6]))
    else:
        read()
    db.close()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
