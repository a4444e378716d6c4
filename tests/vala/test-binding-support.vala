/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What bindings take from C, from Vala: table names, stored properties,
 * first-use migration and multi-property bulk updates. */

public class Shelved : Gorm.Resource {
  public string? title { get; set; }
  public int pages { get; set; }
  public bool read { get; set; }
  public string? scratch { get; set; }

  static construct {
    set_max_length ("title", 10);
    set_transient ("scratch");
  }

  /* The class functions, called from a class method (an instance's). */
  public class string table_name () throws GLib.Error {
    return get_table_name ();
  }

  public class string[] stored () throws GLib.Error {
    return dup_stored_properties ();
  }
}

Gorm.Database open_shelf () {
  try {
    var db = Gorm.Database.open (GormTest.fresh_uri ());
    db.migrate ({ typeof (Shelved) });
    string[] titles = { "Dune", "Emma", "Ulysses" };
    int[] pages = { 412, 474, 730 };
    for (int i = 0; i < titles.length; i++) {
      var item = new Shelved () { database = db, title = titles[i], pages = pages[i] };
      item.save ();
    }
    return db;
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
}

string rows_of (Gorm.Database db) {
  var builder = new StringBuilder ();
  try {
    var model = db.query (typeof (Shelved)).order_by ("title", false).fetch ();
    for (uint i = 0; i < model.get_n_items (); i++) {
      var item = (Shelved) model.get_item (i);
      builder.append_printf ("%s%s:%d:%s", i > 0 ? " " : "", item.title, item.pages,
                             item.read ? "read" : "unread");
    }
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  return builder.str;
}

void test_names () {
  try {
    var probe = new Shelved ();
    assert (probe.table_name () == "shelved");
    var names = probe.stored ();
    assert (names.length == 4);
    assert (names[0] == "id");
    assert ("title" in names && "pages" in names && "read" in names);
    assert (!("scratch" in names));
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
}

void test_ensure_migrated () {
  try {
    var db = Gorm.Database.open (GormTest.fresh_uri ());
    assert (!db.is_migrated (typeof (Shelved)));
    db.begin ();
    assert (db.ensure_migrated ({ typeof (Shelved) }));
    assert (db.is_migrated (typeof (Shelved)));
    /* The rollback of the migration's transaction forgets it. */
    db.rollback ();
    assert (!db.is_migrated (typeof (Shelved)));

    var loop = new MainLoop ();
    db.ensure_migrated_async.begin ({ typeof (Shelved) }, null, (obj, res) => {
      try {
        assert (db.ensure_migrated_async.end (res));
      } catch (GLib.Error e) {
        error ("%s", e.message);
      }
      loop.quit ();
    });
    loop.run ();
    assert (db.is_migrated (typeof (Shelved)));
    db.close ();
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
}

void test_update_values () {
  var db = open_shelf ();
  try {
    var emma = (Shelved) db.query (typeof (Shelved))
      .filter (Gorm.Filter.eq ("title", "Emma"))
      .first ();
    var query = db.query (typeof (Shelved)).filter (Gorm.Filter.gt ("pages", 450));
    Value[] values = { 100, true };
    assert (query.update_values ({ "pages", "read" }, values) == 2);
    assert (rows_of (db) == "Dune:412:unread Emma:100:read Ulysses:100:read");
    assert (emma.pages == 100 && emma.read);

    var loop = new MainLoop ();
    Value[] same = { "Same", 7 };
    db.query (typeof (Shelved)).update_values_async.begin ({ "title", "pages" }, same, null,
                                                           (obj, res) => {
      try {
        assert (((Gorm.Query) obj).update_values_async.end (res) == 3);
      } catch (GLib.Error e) {
        error ("%s", e.message);
      }
      loop.quit ();
    });
    loop.run ();
    foreach (var row in rows_of (db).split (" "))
      assert (row.has_prefix ("Same:7:"));
    db.close ();
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
}

void test_update_values_refused () {
  var db = open_shelf ();
  var before = rows_of (db);
  var query = db.query (typeof (Shelved));
  try {
    Value[] values = { 1, 2 };
    query.update_values ({ "pages", "colour" }, values);
    assert_not_reached ();
  } catch (Gorm.Error e) {
    assert (e is Gorm.Error.UNKNOWN_PROPERTY);
    assert ("colour" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  try {
    Value[] values = { 1, "far too long a title" };
    query.update_values ({ "pages", "title" }, values);
    assert_not_reached ();
  } catch (Gorm.Error e) {
    assert (e is Gorm.Error.VALIDATION);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  try {
    Value[] values = { "ok", "many" };
    query.update_values ({ "title", "pages" }, values);
    assert_not_reached ();
  } catch (Gorm.Error e) {
    assert (e is Gorm.Error.TYPE_MISMATCH);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  assert (rows_of (db) == before);
  GormTest.close_database (db);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/BindingSupport/names", test_names);
  Test.add_func ("/Gorm/Vala/BindingSupport/ensure-migrated", test_ensure_migrated);
  Test.add_func ("/Gorm/Vala/BindingSupport/update-values", test_update_values);
  Test.add_func ("/Gorm/Vala/BindingSupport/update-values-refused", test_update_values_refused);
  return GormTest.run ();
}
