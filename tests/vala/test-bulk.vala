/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Many objects at once from Vala: bulk_insert () and bulk_update () take a
 * Gorm.Resource[] (yield-able in their _async forms); ids, the identity
 * map and the saved state follow, and a failure changes nothing. */

public class Entry : Gorm.Resource {
  public string? slug { get; set; }
  public int views { get; set; }
  public string? note { get; set; }

  static construct {
    set_unique ("slug");
  }
}

Gorm.Database open_entries () {
  try {
    var db = Gorm.Database.open (GormTest.fresh_uri ());
    db.migrate ({ typeof (Entry) });
    return db;
  } catch (GLib.Error e) {
    GLib.error ("Cannot open the test database: %s", e.message);
  }
}

Gorm.Resource[] new_entries (Gorm.Database db, int n, int from = 0) {
  Gorm.Resource[] entries = {};
  for (int i = from; i < from + n; i++)
    entries += new Entry () { database = db, slug = "e%d".printf (i), views = i, note = "note %d".printf (i) };
  return entries;
}

async void insert_flow (Gorm.Database db) throws GLib.Error {
  var entries = new_entries (db, 500);
  assert (yield db.bulk_insert_async (entries));
  for (int i = 0; i < entries.length; i++) {
    assert (entries[i].id > 0);
    assert (i == 0 || entries[i].id > entries[i - 1].id);
    assert (entries[i].is_saved () && !entries[i].is_dirty ());
  }
  /* Through the identity map: the same objects come back. */
  var fetched = yield db.query (typeof (Entry)).order_by ("views", false).fetch_async ();
  assert (fetched.get_n_items () == 500);
  for (uint i = 0; i < 500; i++)
    assert (fetched.get_item (i) == entries[i]);
  assert ((yield db.get_async (typeof (Entry), entries[42].id)) == entries[42]);

  /* Bulk update: the properties named are written and clean, the others
   * stay dirty and unwritten. */
  foreach (var resource in entries) {
    var entry = (Entry) resource;
    entry.views += 1000;
    entry.note = "changed";
  }
  assert ((yield db.bulk_update_async (entries, { "views" })) == 500);
  assert (entries[0].is_dirty ());
  assert ((yield db.query (typeof (Entry)).filter (Gorm.Filter.ge ("views", 1000)).count_async ()) == 500);
  assert ((yield db.query (typeof (Entry)).filter (Gorm.Filter.eq ("note", "changed")).count_async ()) == 0);
  assert (db.bulk_update (entries[0:2], { "note" }) == 2);
  assert ((yield db.query (typeof (Entry)).filter (Gorm.Filter.eq ("note", "changed")).count_async ()) == 2);
}

void test_insert_and_update () {
  var db = open_entries ();
  var loop = new MainLoop ();
  insert_flow.begin (db, (obj, res) => {
    try {
      insert_flow.end (res);
    } catch (GLib.Error e) {
      GLib.error ("%s", e.message);
    }
    loop.quit ();
  });
  loop.run ();
  GormTest.close_database (db);
}

void test_failures () {
  var db = open_entries ();
  try {
    assert (db.bulk_insert (new_entries (db, 1)));
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  /* The slug e0 is taken: nothing is inserted, the objects stay new. */
  var clash = new_entries (db, 3);
  try {
    db.bulk_insert (clash);
    assert_not_reached ();
  } catch (Gorm.Error.CONSTRAINT e) {
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  foreach (var entry in clash)
    assert (entry.id == 0 && !entry.is_saved ());
  /* Unsaved objects cannot be bulk updated. */
  try {
    db.bulk_update (clash, { "views" });
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  try {
    assert (db.query (typeof (Entry)).count () == 1);
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  GormTest.close_database (db);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Bulk/insert-and-update", test_insert_and_update);
  Test.add_func ("/Gorm/Vala/Bulk/failures", test_failures);
  return GormTest.run ();
}
