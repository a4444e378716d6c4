/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* NULL from Vala: a nullable int64 (its GObject value cannot be null: libgorm
 * keeps the NULL, reached through is_null (), set_null () and dup_value (),
 * whose GLib.Value? is null for NULL) and a nullable GLib.DateTime? (null
 * itself); set_value () throws on a lossy value. */

public class Reading : Gorm.Resource {
  public int64 count { get; set; }
  public GLib.DateTime? taken { get; set; }
  public int level { get; set; }

  static construct {
    set_nullable ("count");
    set_nullable ("taken");
  }
}

Gorm.Database open_readings () {
  try {
    var db = Gorm.Database.open (GormTest.fresh_uri ());
    db.migrate ({ typeof (Reading) });
    return db;
  } catch (GLib.Error e) {
    GLib.error ("Cannot open the test database: %s", e.message);
  }
}

void test_nullable_int64 () {
  var db = open_readings ();
  try {
    var reading = new Reading () { database = db, count = 7 };
    GLib.Value? value = reading.dup_value ("count");
    assert (value != null);
    assert (((!) value).get_int64 () == 7);
    assert (!reading.is_null ("count"));

    assert (reading.set_value ("count", null));
    assert (reading.is_null ("count"));
    assert (reading.dup_value ("count") == null);
    /* A NULL number holds its default. */
    assert (reading.count == 0);
    reading.save ();

    var loaded = db.get (typeof (Reading), reading.id) as Reading;
    assert (loaded.is_null ("count"));
    assert (loaded.dup_value ("count") == null);
    assert (db.query (typeof (Reading)).filter (Gorm.Filter.is_null ("count")).count () == 1);

    /* Setting the property clears the NULL. A Vala property notifies
     * only a change: setting it to the 0 that a NULL holds is no change,
     * and set_value () is the way to store that 0. */
    loaded.count = 0;
    assert (loaded.is_null ("count"));
    GLib.Value zero = (int64) 0;
    assert (loaded.set_value ("count", zero));
    assert (!loaded.is_null ("count"));
    loaded.save ();
    loaded.reload ();
    assert (!loaded.is_null ("count"));
    assert (loaded.set_null ("count"));
    loaded.count = 3;
    assert (!loaded.is_null ("count"));
    loaded.save ();
    loaded.reload ();
    assert (!loaded.is_null ("count"));
    assert (loaded.set_null ("count"));
    loaded.save ();
    loaded.reload ();
    assert (loaded.is_null ("count"));

    /* A gint converts without loss. */
    GLib.Value five = 5;
    assert (loaded.set_value ("count", five));
    assert (loaded.count == 5);
    assert (!loaded.is_null ("count"));
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_nullable_date_time () {
  var db = open_readings ();
  try {
    var reading = new Reading () { database = db };
    assert (reading.taken == null);
    assert (reading.is_null ("taken"));
    assert (reading.dup_value ("taken") == null);
    reading.save ();
    var loaded = db.get (typeof (Reading), reading.id) as Reading;
    assert (loaded.taken == null);

    var when = new GLib.DateTime.utc (2024, 3, 5, 13, 3, 2.5);
    loaded.taken = when;
    assert (!loaded.is_null ("taken"));
    loaded.save ();
    loaded.reload ();
    assert (loaded.taken.equal (when));
    GLib.Value? value = loaded.dup_value ("taken");
    assert (value != null && ((GLib.DateTime) ((!) value).get_boxed ()).equal (when));

    assert (loaded.set_value ("taken", null));
    assert (loaded.taken == null);
    loaded.save ();
    loaded.reload ();
    assert (loaded.taken == null);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_lossy_set_value () {
  var db = open_readings ();
  var reading = new Reading () { database = db, count = 4, level = 2 };
  GLib.Value half = 3.5;
  try {
    reading.set_value ("count", half);
    assert_not_reached ();
  } catch (Gorm.Error.TYPE_MISMATCH e) {
    assert ("Reading:count" in e.message);
    assert ("3.5" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  assert (reading.count == 4);

  GLib.Value big = (int64) 1 << 40;
  try {
    reading.set_value ("level", big);
    assert_not_reached ();
  } catch (Gorm.Error.TYPE_MISMATCH e) {
    assert ("Reading:level" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }

  /* NULL where the property takes none. */
  try {
    reading.set_null ("level");
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
    assert ("Reading:level" in e.message);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  assert (reading.level == 2);
  assert (!reading.is_null ("level"));
  GormTest.close_database (db);
}

/* update () and update_async () both take null, as the VAPI declares their
 * value GLib.Value?: every row found gets NULL. */
async void update_to_null (Gorm.Database db, MainLoop loop) {
  try {
    var query = db.query (typeof (Reading));
    assert ((yield query.update_async ("taken", null)) == 2);
    assert (query.update ("count", null) == 2);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  loop.quit ();
}

void test_update_to_null () {
  var db = open_readings ();
  try {
    new Reading () { database = db, count = 1, taken = new DateTime.now_utc () }.save ();
    new Reading () { database = db, count = 2, taken = new DateTime.now_utc () }.save ();
    var loop = new MainLoop ();
    update_to_null.begin (db, loop);
    loop.run ();
    assert (db.query (typeof (Reading)).filter (Gorm.Filter.is_null ("taken")).count () == 2);
    assert (db.query (typeof (Reading)).filter (Gorm.Filter.is_null ("count")).count () == 2);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
  GormTest.close_database (db);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Nulls/nullable-int64", test_nullable_int64);
  Test.add_func ("/Gorm/Vala/Nulls/nullable-date-time", test_nullable_date_time);
  Test.add_func ("/Gorm/Vala/Nulls/lossy-set-value", test_lossy_set_value);
  Test.add_func ("/Gorm/Vala/Nulls/update-to-null", test_update_to_null);
  return GormTest.run ();
}
