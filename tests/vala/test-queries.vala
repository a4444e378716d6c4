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
      .filter (Gorm.Filter.and (Gorm.Filter.gt ("views", 5), Gorm.Filter.like ("title", "%a")))
      .order_by ("views", false)
      .fetch ();
    assert (titles_of (combined) == "beta gamma delta");

    var either = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.not (Gorm.Filter.or (Gorm.Filter.lt ("views", 10), Gorm.Filter.ge ("views", 40))))
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
    assert (!db.query (typeof (BlogPost)).filter (Gorm.Filter.and (Gorm.Filter.ne ("views", 0), Gorm.Filter.lt ("views", 10))).exists ());
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

/* and, or and not take their operands without taking the caller's
 * variables: they stay usable, in other filters and queries. */
void test_combinators_keep_operands () {
  var db = open_with_posts ();
  try {
    var many = Gorm.Filter.gt ("views", 25);
    var ending_ta = Gorm.Filter.like ("title", "%ta");
    var both = Gorm.Filter.and (many, ending_ta);
    assert (many != null);
    assert (ending_ta != null);
    var either = Gorm.Filter.or (many, ending_ta);
    var neither = Gorm.Filter.not (either);
    assert (either != null);

    assert (titles_of (db.query (typeof (BlogPost)).filter (both).fetch ()) == "delta");
    assert (db.query (typeof (BlogPost)).filter (either).count () == 3);
    assert (titles_of (db.query (typeof (BlogPost)).filter (neither).order_by ("title", false).fetch ()) == "alpha gamma");
    assert (db.query (typeof (BlogPost)).filter (many).count () == 2);
    assert (db.query (typeof (BlogPost)).filter (ending_ta).count () == 2);
    /* The same filter twice in one query. */
    assert (db.query (typeof (BlogPost)).filter (many).filter (many).count () == 2);
    /* The filters were not changed by their use. */
    assert (db.query (typeof (BlogPost)).filter (both).count () == 1);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

delegate void Runner () throws GLib.Error;

/* @run throws a Gorm.Error with @code whose message names @needle. */
void assert_gorm_error (Runner run, int code, string needle) {
  try {
    run ();
    assert_not_reached ();
  } catch (Gorm.Error e) {
    if (e.code != code || !(needle in e.message))
      error ("expected code %d naming “%s”, got %d: %s", code, needle, e.code, e.message);
  } catch (GLib.Error e) {
    error ("not a Gorm.Error: %s", e.message);
  }
}

/* Every runner, sync and async, of @query throws @code naming @needle. */
void assert_runners_fail (Gorm.Query query, int code, string needle) {
  assert_gorm_error (() => { query.fetch (); }, code, needle);
  assert_gorm_error (() => { query.watch (); }, code, needle);
  assert_gorm_error (() => { query.first (); }, code, needle);
  assert_gorm_error (() => { query.count (); }, code, needle);
  assert_gorm_error (() => { query.exists (); }, code, needle);
  assert_gorm_error (() => { query.delete (); }, code, needle);
  assert_gorm_error (() => { query.update ("views", 1); }, code, needle);

  var loop = new MainLoop ();
  var failures = 0;
  run_async_runners.begin (query, code, needle, (obj, res) => {
    failures = run_async_runners.end (res);
    loop.quit ();
  });
  loop.run ();
  assert (failures == 7);
}

async int run_async_runners (Gorm.Query query, int code, string needle) {
  var failures = 0;
  for (var runner = 0; runner < 7; runner++) {
    try {
      switch (runner) {
      case 0: yield query.fetch_async (); break;
      case 1: yield query.watch_async (); break;
      case 2: yield query.first_async (); break;
      case 3: yield query.count_async (); break;
      case 4: yield query.exists_async (); break;
      case 5: yield query.delete_async (); break;
      default: yield query.update_async ("views", 1); break;
      }
    } catch (Gorm.Error e) {
      if (e.code == code && needle in e.message)
        failures++;
      else
        warning ("runner %d: %s", runner, e.message);
    } catch (GLib.Error e) {
      warning ("runner %d: not a Gorm.Error: %s", runner, e.message);
    }
  }
  return failures;
}

/* A query given null, or a filter made from null, never runs: above all,
 * a bulk delete does not delete every row. */
void test_null_arguments () {
  var db = open_with_posts ();
  try {
    Gorm.Filter? missing = null;

    var query = db.query (typeof (BlogPost)).filter (missing);
    assert_runners_fail (query, Gorm.Error.FAILED, "no filter");

    string? no_name = null;
    query = db.query (typeof (BlogPost)).filter (Gorm.Filter.eq (no_name, 1));
    assert_runners_fail (query, Gorm.Error.UNKNOWN_PROPERTY, "BlogPost");

    query = db.query (typeof (BlogPost))
      .filter (Gorm.Filter.eq ("title", "alpha"))
      .filter (Gorm.Filter.and (Gorm.Filter.gt ("views", 0), missing));
    assert_runners_fail (query, Gorm.Error.FAILED, "second operand");

    query = db.query (typeof (BlogPost)).filter (Gorm.Filter.not (missing));
    assert_runners_fail (query, Gorm.Error.FAILED, "gorm_filter_not()");

    query = db.query (typeof (BlogPost)).order_by (no_name, true);
    assert_runners_fail (query, Gorm.Error.UNKNOWN_PROPERTY, "gorm_query_order_by()");

    /* A value holding NULL, which only eq, ne and in can compare. */
    query = db.query (typeof (BlogPost)).filter (Gorm.Filter.lt ("views", Value (typeof (string))));
    assert_runners_fail (query, Gorm.Error.TYPE_MISMATCH, "views");

    /* Bad input besides NULL: an unknown property and a bad value. */
    query = db.query (typeof (BlogPost)).filter (Gorm.Filter.eq ("author", "x"));
    assert_runners_fail (query, Gorm.Error.UNKNOWN_PROPERTY, "author");
    query = db.query (typeof (BlogPost)).filter (Gorm.Filter.eq ("views", "ten"));
    assert_runners_fail (query, Gorm.Error.TYPE_MISMATCH, "ten");

    assert_gorm_error (() => { db.query (typeof (BlogPost)).update (no_name, 1); },
                       Gorm.Error.UNKNOWN_PROPERTY, "BlogPost");

    /* Nothing was deleted or changed. */
    assert (db.query (typeof (BlogPost)).count () == 5);
    assert (db.query (typeof (BlogPost)).filter (Gorm.Filter.eq ("views", 1)).count () == 0);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

/* A statement SQLite refuses as it runs is a Gorm.Error from every
 * runner, never an empty answer. */
void test_refused_statement () {
  var db = open_with_posts ();
  try {
    var query = db.query (typeof (BlogPost)).filter (Gorm.Filter.like ("title", string.nfill (50001, 'a')));
    assert_runners_fail (query, Gorm.Error.FAILED, "LIKE or GLOB pattern too complex");
    assert (db.query (typeof (BlogPost)).count () == 5);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

/* A long IN list: every title but one among 100,000 values. */
void test_long_in () {
  var db = open_with_posts ();
  try {
    GLib.Value[] wanted = {};
    for (var i = 0; i < 100000; i++)
      wanted += "title %d".printf (i);
    wanted += "gamma";
    wanted += "alpha";
    var query = db.query (typeof (BlogPost)).filter (Gorm.Filter.in ("title", wanted)).order_by ("title", false);
    assert (titles_of (query.fetch ()) == "alpha gamma");
    assert (db.query (typeof (BlogPost)).filter (Gorm.Filter.not (Gorm.Filter.in ("title", wanted))).count () == 3);
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
  Test.add_func ("/Gorm/Vala/Queries/combinators-keep-operands", test_combinators_keep_operands);
  Test.add_func ("/Gorm/Vala/Queries/null-arguments", test_null_arguments);
  /* SQLite's own limit on a LIKE pattern; PostgreSQL has none. */
  if (GormTest.engine () == "sqlite")
    Test.add_func ("/Gorm/Vala/Queries/refused-statement", test_refused_statement);
  Test.add_func ("/Gorm/Vala/Queries/long-in", test_long_in);
  Test.add_func ("/Gorm/Vala/Queries/live-model", test_live_model);
  return GormTest.run ();
}
