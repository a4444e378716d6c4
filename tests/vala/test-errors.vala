/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* GORM_ERROR is the errordomain Gorm.Error: its codes are caught by name. */

void test_constraint () {
  var db = GormTest.open_database ();
  try {
    new Account () { database = db, email = "a@example.org" }.save ();
    var duplicate = new Account () { database = db, email = "a@example.org" };
    try {
      duplicate.save ();
      assert_not_reached ();
    } catch (Gorm.Error.CONSTRAINT e) {
      assert ("email" in e.message);
      assert (e is Gorm.Error);
      assert (e.domain == Gorm.Error.quark ());
      assert (e.code == Gorm.Error.CONSTRAINT);
      assert (e.matches (Gorm.Error.quark (), Gorm.Error.CONSTRAINT));
    }
    assert (!duplicate.is_saved ());
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_validation () {
  var db = GormTest.open_database ();
  var account = new Account () { database = db, email = string.nfill (21, 'x') };
  try {
    account.save ();
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
    assert ("email" in e.message);
    assert ("20" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

/* NaN: a Vala setter stores it without GObject's range check, and libgorm
 * refuses it before any SQL, in a save, a filter and a bulk update. */
void test_nan () {
  var db = GormTest.open_database ();
  var account = new Account () { database = db, email = "nan@example.org", balance = double.NAN };
  try {
    account.save ();
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
    assert ("Account:balance" in e.message);
    assert ("NaN" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  assert (!account.is_saved ());
  try {
    account.balance = 2.5;
    account.save ();
    account.balance = double.NAN;
    account.save ();
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
    assert ("balance" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  try {
    db.query (typeof (Account)).filter (Gorm.Filter.eq ("balance", double.NAN)).count ();
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
    assert ("Account:balance" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  try {
    db.query (typeof (Account)).update ("balance", double.NAN);
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
    assert ("NaN" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  try {
    account.reload ();
    assert (account.balance == 2.5);
    assert (db.query (typeof (Account)).filter (Gorm.Filter.eq ("balance", 2.5)).count () == 1);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

/* A row whose stored date-time does not parse fails alone in a model:
 * its item is a stand-in, and check_item () throws why. */
void test_unreadable_row () {
  var db = GormTest.open_database ();
  try {
    int64[] ids = {};
    for (var i = 0; i < 3; i++) {
      var post = GormTest.new_post (db, "post %d".printf (i), i);
      post.save ();
      ids += post.id;
    }
    /* PostgreSQL checks a timestamptz value as it is stored: the column
     * becomes text first, as a schema another program changed would. */
    if (GormTest.engine () == "postgresql")
      db.execute ("ALTER TABLE blog_post ALTER COLUMN pub_date TYPE text", null);
    db.execute ("UPDATE blog_post SET pub_date = 'not a date' WHERE id = %lld".printf (ids[1]), null);
    var model = (Gorm.QueryModel) db.query (typeof (BlogPost)).order_by ("id", false).fetch ();
    assert (model.get_n_items () == 3);
    for (uint i = 0; i < 3; i++) {
      var item = model.get_item (i) as BlogPost;
      assert (item != null);
      assert (item.id == ids[i]);
    }
    assert (model.check_item (0));
    assert (model.check_item (2));
    try {
      model.check_item (1);
      assert_not_reached ();
    } catch (Gorm.Error.TYPE_MISMATCH e) {
      assert ("pub_date" in e.message);
      assert ("not a date" in e.message);
    }
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_not_found () {
  var db = GormTest.open_database ();
  try {
    db.get (typeof (BlogPost), 1);
    assert_not_reached ();
  } catch (Gorm.Error e) {
    /* One catch for the whole domain, then a switch on the code. */
    switch (e.code) {
    case Gorm.Error.NOT_FOUND:
      break;
    default:
      assert_not_reached ();
    }
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_unknown_property () {
  var db = GormTest.open_database ();
  try {
    db.query (typeof (BlogPost)).filter (Gorm.Filter.eq ("name", "a")).count ();
    assert_not_reached ();
  } catch (Gorm.Error.UNKNOWN_PROPERTY e) {
    assert ("name" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_connection () {
  try {
    Gorm.Database.open ("nosuchdriver:whatever");
    assert_not_reached ();
  } catch (Gorm.Error.CONNECTION e) {
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }

  var db = GormTest.open_database ();
  GormTest.close_database (db);
  assert (db.is_closed ());
  try {
    db.query (typeof (BlogPost)).count ();
    assert_not_reached ();
  } catch (Gorm.Error.CONNECTION e) {
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
}

void test_transaction () {
  var db = GormTest.open_database ();
  try {
    /* An error thrown by the function rolls back and comes out as it was
     * thrown, in its own domain. */
    try {
      db.run_in_transaction ((database) => {
        GormTest.new_post (database, "rolled back").save ();
        throw new Gorm.Error.VALIDATION ("no, thanks");
      });
      assert_not_reached ();
    } catch (Gorm.Error.VALIDATION e) {
      assert (e.message == "no, thanks");
    }
    assert (db.query (typeof (BlogPost)).count () == 0);

    assert (db.run_in_transaction ((database) => {
      GormTest.new_post (database, "kept").save ();
      return true;
    }));
    assert (db.query (typeof (BlogPost)).count () == 1);

    /* Explicit transactions nest. */
    assert (db.begin ());
    assert (db.get_transaction_depth () == 1);
    GormTest.new_post (db, "undone").save ();
    assert (db.rollback ());
    assert (db.get_transaction_depth () == 0);
    assert (db.query (typeof (BlogPost)).count () == 1);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Errors/constraint", test_constraint);
  Test.add_func ("/Gorm/Vala/Errors/validation", test_validation);
  Test.add_func ("/Gorm/Vala/Errors/nan", test_nan);
  Test.add_func ("/Gorm/Vala/Errors/unreadable-row", test_unreadable_row);
  Test.add_func ("/Gorm/Vala/Errors/not-found", test_not_found);
  Test.add_func ("/Gorm/Vala/Errors/unknown-property", test_unknown_property);
  Test.add_func ("/Gorm/Vala/Errors/connection", test_connection);
  Test.add_func ("/Gorm/Vala/Errors/transaction", test_transaction);
  return GormTest.run ();
}
