/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Expressions from Vala: Gorm.Expression's static constructors and
 * combinators (each takes its operands, and the caller's variables stay
 * usable), Gorm.Filter.compare (), order_by_expression (),
 * update_expressions () that loaded objects follow, and date parts. */

public class Item : Gorm.Resource {
  public string? name { get; set; }
  public int votes { get; set; }
  public int64 downvotes { get; set; }
  public double price { get; set; }
  public int quantity { get; set; }
  public DateTime? added { get; set; }
}

/* Stored by nick ("low", "normal", …), compared and ordered by value. */
public enum Priority {
  LOW,
  NORMAL,
  HIGH,
  URGENT
}

public class Task : Gorm.Resource {
  public string? title { get; set; }
  public Priority priority { get; set; }
}

Gorm.Database open_shop (out Item[] items) {
  items = {};
  try {
    var db = Gorm.Database.open (GormTest.fresh_uri ());
    db.migrate ({ typeof (Item) });
    items = {
      new_item (db, "apple", 10, 2, 2.5, 40, new DateTime.utc (2024, 1, 31, 23, 30, 0)),
      new_item (db, "pear", 3, 5, 12, 10, new DateTime.utc (2024, 2, 1, 0, 15, 0)),
      new_item (db, "plum", 7, 7, 0.5, 100, new DateTime.utc (2023, 12, 31, 8, 0, 0)),
      new_item (db, "fig", 0, 1, 40, 3, new DateTime.utc (2024, 2, 3, 17, 45, 30)),
    };
    return db;
  } catch (GLib.Error e) {
    GLib.error ("Cannot open the test database: %s", e.message);
  }
}

Item new_item (Gorm.Database db, string name, int votes, int64 downvotes, double price, int quantity,
               DateTime added) throws GLib.Error {
  var item = new Item () {
    database = db, name = name, votes = votes, downvotes = downvotes,
    price = price, quantity = quantity, added = added,
  };
  item.save ();
  return item;
}

Gorm.Expression F (string property) {
  return Gorm.Expression.property (property);
}

/* The names of the items @filter finds, in order, joined by spaces. */
string names_where (Gorm.Database db, owned Gorm.Filter filter) throws GLib.Error {
  return names_of (db.query (typeof (Item)).filter ((owned) filter).order_by ("name", false).fetch ());
}

string names_of (ListModel model) {
  string[] names = {};
  for (uint i = 0; i < model.get_n_items (); i++)
    names += ((Item) model.get_item (i)).name;
  return string.joinv (" ", names);
}

void test_filters_and_orders () {
  Item[] items;
  var db = open_shop (out items);
  try {
    var votes = F ("votes");
    var downvotes = F ("downvotes");
    assert (names_where (db, Gorm.Filter.compare (votes, Gorm.Comparison.GT, downvotes)) == "apple");
    /* The combinators took references: the variables are still set. */
    assert (votes != null && downvotes != null);
    assert (names_where (db, Gorm.Filter.compare (votes, Gorm.Comparison.EQ, downvotes)) == "plum");
    var total = Gorm.Expression.multiply (F ("price"), F ("quantity"));
    assert (names_where (db, Gorm.Filter.compare (total, Gorm.Comparison.GE, Gorm.Expression.value (100))) == "apple fig pear");
    assert (names_where (db, Gorm.Filter.compare (Gorm.Expression.add (votes, Gorm.Expression.value (1)),
                                                  Gorm.Comparison.LT, Gorm.Expression.value (5))) == "fig pear");
    /* Integer division truncates. */
    assert (names_where (db, Gorm.Filter.compare (Gorm.Expression.divide (votes, Gorm.Expression.value (3)),
                                                  Gorm.Comparison.EQ, Gorm.Expression.value (3))) == "apple");

    var by_score = db.query (typeof (Item))
      .order_by_expression (Gorm.Expression.subtract (votes, downvotes), true)
      .fetch ();
    assert (names_of (by_score) == "apple plum fig pear");
    var by_total = db.query (typeof (Item))
      .order_by_expression (total, false)
      .order_by ("name", false)
      .fetch ();
    assert (names_of (by_total) == "plum apple fig pear");
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_date_parts () {
  Item[] items;
  var db = open_shop (out items);
  try {
    var added = F ("added");
    var year = Gorm.Expression.date_part (added, Gorm.DatePart.YEAR);
    assert (names_where (db, Gorm.Filter.compare (year, Gorm.Comparison.EQ, Gorm.Expression.value (2024))) == "apple fig pear");
    var month = Gorm.Expression.date_part (added, Gorm.DatePart.MONTH);
    assert (names_where (db, Gorm.Filter.compare (month, Gorm.Comparison.EQ, Gorm.Expression.value (2))) == "fig pear");
    /* Django's week days: 1 is Sunday, 7 Saturday. */
    var week_day = Gorm.Expression.date_part (added, Gorm.DatePart.WEEK_DAY);
    assert (names_where (db, Gorm.Filter.compare (week_day, Gorm.Comparison.EQ, Gorm.Expression.value (1))) == "plum");
    var hour = Gorm.Expression.date_part (added, Gorm.DatePart.HOUR);
    assert (names_where (db, Gorm.Filter.compare (hour, Gorm.Comparison.GE, Gorm.Expression.value (17))) == "apple fig");
    var day = Gorm.Expression.date_part (added, Gorm.DatePart.DATE);
    var noon = new DateTime.utc (2024, 2, 1, 12, 0, 0);
    assert (names_where (db, Gorm.Filter.compare (day, Gorm.Comparison.EQ, Gorm.Expression.value (noon))) == "pear");
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  GormTest.close_database (db);
}

async void update_flow (Gorm.Database db, Item[] items) throws GLib.Error {
  var pear = items[1];
  var live = yield db.query (typeof (Item)).order_by ("votes", true).watch_async ();
  assert (names_of (live) == "apple plum pear fig");

  /* The tutorial's vote: votes = votes + 1, in one UPDATE. */
  Gorm.Expression[] vote = { Gorm.Expression.add (F ("votes"), Gorm.Expression.value (1)) };
  var n = yield db.query (typeof (Item))
    .filter (Gorm.Filter.eq ("name", "pear"))
    .update_expressions_async ({ "votes" }, vote);
  assert (n == 1);
  assert (pear.votes == 4);
  assert (!pear.is_dirty ());

  Gorm.Expression[] twice = { Gorm.Expression.multiply (F ("votes"), Gorm.Expression.value (2)),
                              Gorm.Expression.value (11) };
  n = db.query (typeof (Item))
    .filter (Gorm.Filter.eq ("name", "pear"))
    .update_expressions ({ "votes", "price" }, twice);
  assert (n == 1);
  assert (pear.votes == 8 && pear.price == 11);
  /* The live model follows the change of order from the main loop. */
  while (MainContext.default ().iteration (false));
  assert (names_of (live) == "apple pear plum fig");
}

void test_update_expressions () {
  Item[] items;
  var db = open_shop (out items);
  var loop = new MainLoop ();
  update_flow.begin (db, items, (obj, res) => {
    try {
      update_flow.end (res);
    } catch (GLib.Error e) {
      GLib.error ("%s", e.message);
    }
    loop.quit ();
  });
  loop.run ();
  GormTest.close_database (db);
}

void test_errors () {
  Item[] items;
  var db = open_shop (out items);
  try {
    names_where (db, Gorm.Filter.compare (Gorm.Expression.add (F ("name"), Gorm.Expression.value (1)),
                                          Gorm.Comparison.GT, Gorm.Expression.value (2)));
    assert_not_reached ();
  } catch (Gorm.Error.TYPE_MISMATCH e) {
    assert ("name" in e.message);
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  try {
    Gorm.Expression[] bad = { Gorm.Expression.value ("many") };
    db.query (typeof (Item)).update_expressions ({ "votes" }, bad);
    assert_not_reached ();
  } catch (Gorm.Error.TYPE_MISMATCH e) {
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  try {
    Gorm.Expression[] sum = { Gorm.Expression.sum (F ("votes")) };
    db.query (typeof (Item)).update_expressions ({ "votes" }, sum);
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  try {
    db.query (typeof (Item)).order_by_expression (F ("colour"), false).fetch ();
    assert_not_reached ();
  } catch (Gorm.Error.UNKNOWN_PROPERTY e) {
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  assert (items[0].votes == 10 && items[1].votes == 3);
  GormTest.close_database (db);
}

/* The issue's case: gt (priority, NORMAL) is HIGH and URGENT, and a
 * descending order is urgent, high, normal, low (not the nicks' text
 * order). */
void test_enums_by_value () {
  try {
    var db = Gorm.Database.open (GormTest.fresh_uri ());
    db.migrate ({ typeof (Task) });
    Gorm.Resource[] tasks = {
      new Task () { database = db, title = "a", priority = Priority.HIGH },
      new Task () { database = db, title = "b", priority = Priority.LOW },
      new Task () { database = db, title = "c", priority = Priority.URGENT },
      new Task () { database = db, title = "d", priority = Priority.NORMAL },
    };
    db.bulk_insert (tasks);
    var above = db.query (typeof (Task))
      .filter (Gorm.Filter.gt ("priority", Priority.NORMAL))
      .order_by ("title", false)
      .fetch ();
    assert (above.get_n_items () == 2);
    assert (((Task) above.get_item (0)).priority == Priority.HIGH);
    assert (((Task) above.get_item (1)).priority == Priority.URGENT);

    var ordered = db.query (typeof (Task)).order_by ("priority", true).fetch ();
    string[] titles = {};
    for (uint i = 0; i < ordered.get_n_items (); i++)
      titles += ((Task) ordered.get_item (i)).title;
    assert (string.joinv (" ", titles) == "c a d b");

    var urgent = db.query (typeof (Task))
      .filter (Gorm.Filter.compare (Gorm.Expression.property ("priority"), Gorm.Comparison.GE,
                                    Gorm.Expression.value (Priority.URGENT)));
    assert (urgent.count () == 1);

    /* Stored by nick. */
    var stored = db.select ("SELECT priority FROM task WHERE title = 'b'", null);
    assert (((Gorm.Row) stored.get_item (0)).get_string ("priority") == "low");
    GormTest.close_database (db);
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Expressions/filters-and-orders", test_filters_and_orders);
  Test.add_func ("/Gorm/Vala/Expressions/date-parts", test_date_parts);
  Test.add_func ("/Gorm/Vala/Expressions/update-expressions", test_update_expressions);
  Test.add_func ("/Gorm/Vala/Expressions/errors", test_errors);
  Test.add_func ("/Gorm/Vala/Expressions/enums-by-value", test_enums_by_value);
  return GormTest.run ();
}
