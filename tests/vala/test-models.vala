/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Model definition, migration and CRUD from Vala. */

void test_definition () {
  var db = GormTest.open_database ();
  try {
    /* The static construct ran: migrate made both tables, with the
     * renamed column and without the transient property. */
    assert (db.execute ("UPDATE blog_post SET id = id, title = title, content = content, pub_date = pub_date, views = views, published = published", null) == 0);
    assert (db.execute ("UPDATE accounts SET id = id, email = email, nick = nick, balance = balance", null) == 0);
    try {
      db.execute ("UPDATE accounts SET session = NULL", null);
      assert_not_reached ();
    } catch (GLib.Error e) {
    }
    /* Migrating again is a no-op. */
    assert (db.migrate ({ typeof (BlogPost), typeof (Account) }));
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_create_read () {
  var db = GormTest.open_database ();
  try {
    var post = GormTest.new_post (db, "My First Post");
    assert (!post.is_saved ());
    assert (post.pub_date == null);
    assert (post.save ());
    assert (post.is_saved ());
    assert (!post.is_dirty ());
    assert (post.id == 1);
    assert (post.get_id () == 1);
    assert (post.get_database () == db);
    /* auto_now_add filled the date on the first save. */
    assert (post.pub_date != null);

    var stored = db.get (typeof (BlogPost), post.id) as BlogPost;
    assert (stored != null);
    /* The identity map gives back the same object. */
    assert (stored == post);
    assert (stored.title == "My First Post");
    assert (stored.content == "Text of My First Post");
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_update_reload_delete () {
  var db = GormTest.open_database ();
  try {
    var account = new Account () {
      database = db,
      email = "a@example.org",
      nickname = "a",
      balance = 1.5,
      session = "not stored",
    };
    assert (account.save ());
    assert (account.is_saved ());

    account.balance = 2.25;
    assert (account.is_dirty ());
    assert (account.save ());
    assert (!account.is_dirty ());
    assert (db.execute ("UPDATE accounts SET nick = 'b' WHERE id = 1", null) == 1);

    assert (account.reload ());
    assert (account.nickname == "b");
    assert (account.balance == 2.25);

    assert (account.delete ());
    assert (!account.is_saved ());
    assert (db.query (typeof (Account)).count () == 0);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_default_database () {
  var db = GormTest.open_database ();
  db.set_default ();
  assert (Gorm.Database.get_default () == db);
  try {
    /* No database given: the default one stores it. */
    var post = new BlogPost () { title = "Default" };
    assert (post.save ());
    assert (db.query (typeof (BlogPost)).count () == 1);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
  assert (Gorm.Database.get_default () == null);
}

void test_signals () {
  var db = GormTest.open_database ();
  int saved = 0, created = 0, deleted = 0;
  db.resource_saved.connect ((resource, was_created) => {
    assert (resource is BlogPost);
    saved++;
    if (was_created)
      created++;
  });
  db.resource_deleted.connect ((resource) => deleted++);
  try {
    var post = GormTest.new_post (db, "Signals");
    post.save ();
    post.title = "Signals again";
    post.save ();
    post.delete ();
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  assert (saved == 2);
  assert (created == 1);
  assert (deleted == 1);
  GormTest.close_database (db);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Models/definition", test_definition);
  Test.add_func ("/Gorm/Vala/Models/create-read", test_create_read);
  Test.add_func ("/Gorm/Vala/Models/update-reload-delete", test_update_reload_delete);
  Test.add_func ("/Gorm/Vala/Models/default-database", test_default_database);
  Test.add_func ("/Gorm/Vala/Models/signals", test_signals);
  return GormTest.run ();
}
