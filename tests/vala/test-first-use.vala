/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Tables on first use from Vala: no migrate () call anywhere; the first
 * use of a type migrates it, sync or async, and a rollback forgets it. */

Gorm.Database open_fresh () {
  try {
    return Gorm.Database.open (GormTest.fresh_uri ());
  } catch (GLib.Error e) {
    GLib.error ("Cannot open the test database: %s", e.message);
  }
}

void test_save_and_query () {
  var db = open_fresh ();
  try {
    assert (!db.is_migrated (typeof (BlogPost)));
    var post = GormTest.new_post (db, "First", 3);
    post.save ();
    assert (db.is_migrated (typeof (BlogPost)));
    var loaded = db.get (typeof (BlogPost), post.id) as BlogPost;
    assert (loaded.title == "First");
    /* A count is a first use too. */
    assert (db.query (typeof (Account)).count () == 0);
    assert (db.is_migrated (typeof (Account)));
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_rollback () {
  var db = open_fresh ();
  try {
    db.begin ();
    GormTest.new_post (db, "Undone").save ();
    db.rollback ();
    assert (!db.is_migrated (typeof (BlogPost)));
    /* Used again: migrated again, without the row. */
    assert (db.query (typeof (BlogPost)).count () == 0);
    assert (db.is_migrated (typeof (BlogPost)));
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

async void save_async (Gorm.Database db, MainLoop loop) {
  try {
    var post = GormTest.new_post (db, "Async");
    yield post.save_async ();
    var count = yield db.query (typeof (BlogPost)).count_async ();
    assert (count == 1);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  loop.quit ();
}

void test_async () {
  var db = open_fresh ();
  var loop = new MainLoop ();
  save_async.begin (db, loop);
  loop.run ();
  assert (db.is_migrated (typeof (BlogPost)));
  GormTest.close_database (db);
}

void test_refused () {
  var db = open_fresh ();
  try {
    db.execute ("CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT, nick TEXT, "
                + "balance TEXT)", null);
    db.execute ("INSERT INTO accounts (id, email, nick, balance) VALUES (1, 'a@b.c', 'a', "
                + "'much')", null);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  try {
    db.query (typeof (Account)).count ();
    assert_not_reached ();
  } catch (Gorm.Error.MIGRATION e) {
    assert ("balance" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  assert (!db.is_migrated (typeof (Account)));
  GormTest.close_database (db);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/FirstUse/save-and-query", test_save_and_query);
  Test.add_func ("/Gorm/Vala/FirstUse/rollback", test_rollback);
  Test.add_func ("/Gorm/Vala/FirstUse/async", test_async);
  Test.add_func ("/Gorm/Vala/FirstUse/refused", test_refused);
  return GormTest.run ();
}
