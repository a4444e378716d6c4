# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's example, as written for Django, with Gorm in place of models."""

import contextlib
import datetime
import io

from gormtest import DatabaseTestCase, main
from gi.repository import Gorm


class BlogPost(Gorm.Resource):
    title = Gorm.Field(str, max_length=200)
    content = Gorm.Field(str)
    pub_date = Gorm.Field(datetime.datetime, auto_now_add=True)


class SeedTest(DatabaseTestCase):

    def test_save_and_list(self):
        before = datetime.datetime.now(datetime.timezone.utc)
        post = BlogPost(title='My First Post', content='Hello, world!')
        post.save()

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            for p in BlogPost.objects.all():
                print(p.title)

        self.assertEqual(printed.getvalue(), 'My First Post\n')
        self.assertEqual(post.id, 1)
        stored = BlogPost.objects.get(id=post.id)
        self.assertEqual(stored.content, 'Hello, world!')
        self.assertIsInstance(stored.pub_date, datetime.datetime)
        self.assertLessEqual(before, stored.pub_date)
        self.assertLessEqual(stored.pub_date, datetime.datetime.now(datetime.timezone.utc))

    def test_table_is_blog_post(self):
        BlogPost(title='A', content='B').save()
        self.assertEqual(self.db.execute('UPDATE blog_post SET content = ?', ['C']), 1)

    def test_title_longer_than_200_is_refused(self):
        post = BlogPost(title='x' * 201, content='Too long')
        with self.assertRaises(Gorm.ValidationError) as caught:
            post.save()
        self.assertEqual(caught.exception.code, Gorm.Error.VALIDATION)
        self.assertIn('title', str(caught.exception))
        self.assertIn('200', str(caught.exception))
        self.assertFalse(post.is_saved())
        self.assertEqual(BlogPost.objects.count(), 0)

        BlogPost(title='x' * 200, content='Just right').save()
        self.assertEqual(BlogPost.objects.count(), 1)


if __name__ == '__main__':
    main()
