/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Queries and live models from Vala. */

Gorm.Database open_with_posts () {
  var db = GormTest.open_database ();
  try {
    string[] titles = { "alpha", "beta", "gamma", "delta", "epsilon" };
    for (int i = 0; i < titles.length; i++) {
      var post = GormTest.new_post (db, titles[i], i * 10);
      post.published = i % 2 == 0;
      post.save ();
    }
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  return db;
}

/* The titles of the items of @model, in order, joined by spaces. */
string titles_of (GLib.ListModel model) {
  var builder = new StringBuilder ();
  for (uint i = 0; i < model.get_n_items (); i++) {
    var post = model.get_item (i) as BlogPost;
    assert (post != null);
    if (i > 0)
      builder.append_c (' ');
    builder.append (post.title);
  }
  return builder.str;
}

void test_fetch () {
  var db = open_with_posts ();
  try {
    var query = db.query (typeof (BlogPost));
    assert (query.get_item_type () == typeof (BlogPost));
    assert (query.item_type == typeof (BlogPost));
    assert (query.get_database () == db);

    var all = query.order_by ("title", false).fetch ();
    assert (all.get_item_type () == typeof (BlogPost));
    assert (all is Gorm.QueryModel);
    assert (!((Gorm.QueryModel) all).is_live ());
    assert (titles_of (all) == "alpha beta delta epsilon gamma");

    /* The builder methods chain, and the query keeps itself alive. */
    var page = db.query (typeof (BlogPost))
      .order_by ("views", true)
      .limit (2)
      .offset (1)
      .fetch ();
    assert (titles_of (page) == "delta gamma");
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_filters () {
  var db = open_with_posts ();
  try {
    var published = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.eq ("published", true))
      .order_by ("views", false)
      .fetch ();
    assert (titles_of (published) == "alpha gamma epsilon");

    var combined = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.gt ("views", 5).and (Gorm.Filter.like ("title", "%a")))
      .order_by ("views", false)
      .fetch ();
    assert (titles_of (combined) == "beta gamma delta");

    var either = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.lt ("views", 10).or (Gorm.Filter.ge ("views", 40)).not ())
      .order_by ("views", false)
      .fetch ();
    assert (titles_of (either) == "beta gamma delta");

    GLib.Value[] wanted = { "beta", "delta" };
    var @in = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.in ("title", wanted))
      .order_by ("title", false)
      .fetch ();
    assert (titles_of (@in) == "beta delta");

    var between = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.between ("views", 10, 30))
      .count ();
    assert (between == 3);

    assert (db.query (typeof (BlogPost)).filter (Gorm.Filter.is_null ("pub-date")).count () == 0);
    assert (db.query (typeof (BlogPost)).filter (Gorm.Filter.ilike ("title", "ALPHA")).exists ());
    assert (!db.query (typeof (BlogPost)).filter (Gorm.Filter.ne ("views", 0).and (Gorm.Filter.lt ("views", 10))).exists ());
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_first_count_update_delete () {
  var db = open_with_posts ();
  try {
    var first = db.query (typeof (BlogPost)).order_by ("views", true).first () as BlogPost;
    assert (first != null);
    assert (first.title == "epsilon");
    assert (db.query (typeof (BlogPost)).filter (Gorm.Filter.eq ("title", "none")).first () == null);

    assert (db.query (typeof (BlogPost)).count () == 5);
    var changed = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.lt ("views", 20))
      .update ("published", true);
    assert (changed == 2);
    assert (db.query (typeof (BlogPost)).filter (Gorm.Filter.eq ("published", true)).count () == 4);

    var gone = db.query (typeof (BlogPost)).filter (Gorm.Filter.ge ("views", 30)).delete ();
    assert (gone == 2);
    assert (db.query (typeof (BlogPost)).count () == 3);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

/* Runs the default main context until @done is true, failing after a
 * few seconds. */
void wait_for (ref bool done) {
  var timed_out = false;
  var id = Timeout.add_seconds (10, () => {
    timed_out = true;
    return Source.REMOVE;
  });
  while (!done && !timed_out)
    MainContext.default ().iteration (true);
  assert (!timed_out);
  Source.remove (id);
}

void test_live_model () {
  var db = open_with_posts ();
  try {
    var live = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.eq ("published", true))
      .order_by ("views", false)
      .watch ();
    assert (((Gorm.QueryModel) live).is_live ());
    assert (titles_of (live) == "alpha gamma epsilon");

    var changes = 0;
    live.items_changed.connect ((position, removed, added) => changes++);

    /* A new published post enters the model at its place in the order. */
    var changed = false;
    var handler = live.items_changed.connect ((position, removed, added) => {
      assert (position == 1);
      assert (removed == 0);
      assert (added == 1);
      changed = true;
    });
    var post = GormTest.new_post (db, "zeta", 15);
    post.published = true;
    post.save ();
    wait_for (ref changed);
    live.disconnect (handler);
    assert (titles_of (live) == "alpha zeta gamma epsilon");

    /* Unpublishing it takes it out. */
    changed = false;
    handler = live.items_changed.connect (() => changed = true);
    post.published = false;
    post.save ();
    wait_for (ref changed);
    live.disconnect (handler);
    assert (titles_of (live) == "alpha gamma epsilon");

    /* A change outside the filter says nothing. */
    var before = changes;
    var hidden = GormTest.new_post (db, "eta", 1);
    hidden.save ();
    var idle_done = false;
    Idle.add (() => {
      idle_done = true;
      return Source.REMOVE;
    }, Priority.LOW);
    wait_for (ref idle_done);
    assert (changes == before);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Queries/fetch", test_fetch);
  Test.add_func ("/Gorm/Vala/Queries/filters", test_filters);
  Test.add_func ("/Gorm/Vala/Queries/first-count-update-delete", test_first_count_update_delete);
  Test.add_func ("/Gorm/Vala/Queries/live-model", test_live_model);
  return Test.run ();
}
