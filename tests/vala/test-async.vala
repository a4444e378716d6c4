/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The async methods from Vala: each one `yield`ed in a main loop. */

async void flow () throws GLib.Error {
  var db = yield Gorm.Database.open_async (GormTest.fresh_uri ());
  assert (yield db.migrate_async ({ typeof (BlogPost), typeof (Account) }));

  var post = GormTest.new_post (db, "Async", 3);
  assert (yield post.save_async ());
  assert (post.id == 1);
  assert (post.pub_date != null);

  var got = (yield db.get_async (typeof (BlogPost), post.id)) as BlogPost;
  assert (got == post);

  db.execute ("UPDATE blog_post SET views = 7", null);
  assert (yield post.reload_async (null));
  assert (post.views == 7);

  var second = GormTest.new_post (db, "Second", 9);
  yield second.save_async ();

  var query = db.query (typeof (BlogPost)).order_by ("views", true);
  var all = yield query.fetch_async ();
  assert (all.get_n_items () == 2);
  assert (((BlogPost) all.get_item (0)).title == "Second");
  var live = yield query.watch_async ();
  assert (((Gorm.QueryModel) live).is_live ());
  var first = (yield query.first_async ()) as BlogPost;
  assert (first == second);
  assert ((yield query.count_async ()) == 2);
  assert (yield query.exists_async ());
  assert ((yield query.update_async ("published", true)) == 2);
  assert (post.published);

  /* What the transaction function returns, or throws, decides between
   * commit and rollback. */
  assert (yield db.run_in_transaction_async ((database) => {
    database.execute ("UPDATE blog_post SET views = 100 WHERE id = 1", null);
    return true;
  }));
  try {
    yield db.run_in_transaction_async ((database) => {
      database.execute ("UPDATE blog_post SET views = 200", null);
      throw new IOError.FAILED ("changed my mind");
    });
    assert_not_reached ();
  } catch (IOError.FAILED e) {
    assert (e.message == "changed my mind");
  }
  assert ((yield db.query (typeof (BlogPost)).filter (Gorm.Filter.eq ("views", 100)).count_async ()) == 1);

  /* Cancellation is an IOError. */
  var cancellable = new Cancellable ();
  cancellable.cancel ();
  try {
    yield query.count_async (cancellable);
    assert_not_reached ();
  } catch (IOError.CANCELLED e) {
  }

  /* Errors of the Gorm domain come out of the yield. */
  try {
    yield db.get_async (typeof (BlogPost), 42);
    assert_not_reached ();
  } catch (Gorm.Error.NOT_FOUND e) {
  }

  /* A sync transaction with async calls yielded inside it: they run in
   * it instead of waiting for its end, which would never come. */
  assert (db.begin ());
  var inside = GormTest.new_post (db, "Inside", 1);
  assert (yield inside.save_async ());
  assert ((yield db.query (typeof (BlogPost)).count_async ()) == 3);
  assert (db.get_transaction_depth () == 1);
  assert (db.rollback ());
  assert ((yield db.query (typeof (BlogPost)).count_async ()) == 2);

  /* The transaction calls have async forms too. */
  assert (yield db.begin_async ());
  assert (db.get_transaction_depth () == 1);
  assert ((yield db.execute_async ("UPDATE blog_post SET views = 5 WHERE id = 1", null)) == 1);
  assert (yield db.commit_async ());
  assert (db.get_transaction_depth () == 0);
  var by_key = (yield db.get_by_key_async (typeof (BlogPost), 1)) as BlogPost;
  assert (by_key == post);

  assert (yield second.delete_async ());
  assert (!second.is_saved ());
  assert ((yield query.delete_async ()) == 1);
  assert ((yield query.count_async ()) == 0);

  assert (yield db.close_async ());
  assert (db.is_closed ());
  Gorm.Database.clear_default ();
}

void test_flow () {
  var loop = new MainLoop ();
  flow.begin ((obj, res) => {
    try {
      flow.end (res);
    } catch (GLib.Error e) {
      error ("%s", e.message);
    }
    loop.quit ();
  });
  loop.run ();
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Async/flow", test_flow);
  return GormTest.run ();
}
