/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Aggregates, annotations, projections and raw selects from Vala: `yield
 * query.aggregate_async ()`, fetch_rows () of Gorm.Row items whose values
 * are read as GLib.Value? (null for NULL), and the errors by their
 * Gorm.Error code. */

public class Question : Gorm.Resource {
  public string? question_text { get; set; }
}

public class Choice : Gorm.Resource {
  public int64 question_id { get; set; }
  public string? choice_text { get; set; }
  public int votes { get; set; }

  static construct {
    set_foreign_key ("question-id", typeof (Question), Gorm.OnDelete.CASCADE);
  }
}

/* Three questions: "What's up?" with two choices (3 and 5 votes), "Best
 * editor?" with three (7, 7 and 0), "Empty?" with none. */
Gorm.Database open_polls (out Question[] questions) {
  Question[] made = {};
  questions = {};
  try {
    var db = Gorm.Database.open (GormTest.fresh_uri ());
    db.migrate ({ typeof (Question), typeof (Choice) });
    string[] texts = { "What's up?", "Best editor?", "Empty?" };
    string[] choices = { "0:Not much:3", "0:The sky:5", "1:vim:7", "1:emacs:7", "1:nano:0" };
    foreach (var text in texts) {
      var question = new Question () { database = db, question_text = text };
      question.save ();
      made += question;
    }
    questions = made;
    foreach (var spec in choices) {
      var parts = spec.split (":");
      var choice = new Choice () { database = db, choice_text = parts[1], votes = int.parse (parts[2]) };
      choice.set_related ("question", made[int.parse (parts[0])]);
      choice.save ();
    }
    return db;
  } catch (GLib.Error e) {
    GLib.error ("Cannot open the test database: %s", e.message);
  }
}

Gorm.Expression votes () {
  return Gorm.Expression.property ("votes");
}

/* The int64 of the column @name of @row. */
int64 int_of (Gorm.Row row, string name) {
  GLib.Value? value = row.dup_value (name);
  assert (value != null);
  return ((!) value).get_int64 ();
}

async void aggregate_flow (Gorm.Database db) throws GLib.Error {
  var row = yield db.query (typeof (Choice))
    .select ("n", Gorm.Expression.count (null, false))
    .select ("total", Gorm.Expression.sum (votes ()))
    .select ("mean", Gorm.Expression.avg (votes ()))
    .select ("least", Gorm.Expression.min (votes ()))
    .select ("most", Gorm.Expression.max (votes ()))
    .select ("kinds", Gorm.Expression.count (votes (), true))
    .aggregate_async ();
  assert (row.get_n_columns () == 6);
  assert (row.get_column_name (1) == "total");
  assert (row.find_column ("mean") == 2);
  assert (row.find_column ("nope") == -1);
  assert (row.dup_value ("nope") == null);
  assert (row.get_resource () == null);
  assert (int_of (row, "n") == 5);
  assert (int_of (row, "total") == 22);
  assert (((!) row.dup_value ("mean")).get_double () == 4.4);
  assert (row.get_int64 ("least") == 0);
  /* Min and max have the operand's type; get_value () borrows. */
  unowned GLib.Value? most = row.get_value (4);
  assert (most != null && ((!) most).get_int () == 7);
  assert (int_of (row, "kinds") == 4);

  /* Over no rows: count 0, the others NULL. */
  var none = yield db.query (typeof (Choice))
    .filter (Gorm.Filter.gt ("votes", 100))
    .select ("n", Gorm.Expression.count (null, false))
    .select ("total", Gorm.Expression.sum (votes ()))
    .aggregate_async ();
  assert (int_of (none, "n") == 0);
  assert (none.dup_value ("total") == null);
  assert (none.get_value (1) == null);
}

void test_aggregate () {
  Question[] questions;
  var db = open_polls (out questions);
  var loop = new MainLoop ();
  aggregate_flow.begin (db, (obj, res) => {
    try {
      aggregate_flow.end (res);
    } catch (GLib.Error e) {
      GLib.error ("%s", e.message);
    }
    loop.quit ();
  });
  loop.run ();
  try {
    /* The synchronous form. */
    var row = db.query (typeof (Question))
      .select ("votes", Gorm.Expression.sum (Gorm.Expression.property ("choice.votes")))
      .aggregate ();
    assert (int_of (row, "votes") == 22);
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  GormTest.close_database (db);
}

async void annotate_flow (Gorm.Database db, Question[] questions) throws GLib.Error {
  var rows = yield db.query (typeof (Question))
    .annotate ("n", Gorm.Expression.count (Gorm.Expression.property ("choice"), false))
    .annotate ("total", Gorm.Expression.sum (Gorm.Expression.property ("choice.votes")))
    .order_by ("id", false)
    .fetch_rows_async ();
  assert (rows.get_n_items () == 3);
  assert (rows.get_item_type () == typeof (Gorm.Row));
  int64[] counts = { 2, 3, 0 };
  for (uint i = 0; i < 3; i++) {
    var row = (Gorm.Row) rows.get_item (i);
    /* The object, through the identity map. */
    var question = row.get_resource () as Question;
    assert (question == questions[i]);
    assert (int_of (row, "n") == counts[i]);
  }
  var empty = (Gorm.Row) rows.get_item (2);
  assert (empty.dup_value ("total") == null);

  /* Grouped by a related property, filtered and ordered by an aggregate. */
  var groups = db.query (typeof (Choice))
    .select_properties ({ "question.question_text" })
    .select ("total", Gorm.Expression.sum (votes ()))
    .filter (Gorm.Filter.gt ("total", 1))
    .order_by ("total", true)
    .fetch_rows ();
  assert (groups.get_n_items () == 2);
  var best = (Gorm.Row) groups.get_item (0);
  assert (best.dup_value ("question.question_text").get_string () == "Best editor?");
  assert (int_of (best, "total") == 14);

  /* Distinct projections. */
  var distinct = yield db.query (typeof (Choice))
    .select_properties ({ "votes" })
    .distinct ()
    .order_by ("votes", false)
    .fetch_rows_async ();
  assert (distinct.get_n_items () == 4);
  assert (((Gorm.Row) distinct.get_item (3)).dup_value ("votes").get_int () == 7);
}

void test_annotate () {
  Question[] questions;
  var db = open_polls (out questions);
  var loop = new MainLoop ();
  annotate_flow.begin (db, questions, (obj, res) => {
    try {
      annotate_flow.end (res);
    } catch (GLib.Error e) {
      GLib.error ("%s", e.message);
    }
    loop.quit ();
  });
  loop.run ();
  GormTest.close_database (db);
}

void test_raw_select () {
  Question[] questions;
  var db = open_polls (out questions);
  try {
    GLib.Value[] params = { 4 };
    var rows = db.select ("SELECT choice_text, votes FROM choice WHERE votes > ? ORDER BY votes, choice_text",
                          params);
    assert (rows.get_n_items () == 3);
    var first = (Gorm.Row) rows.get_item (0);
    assert (first.get_column_name (0) == "choice_text");
    assert (first.dup_value ("choice_text").get_string () == "The sky");
    assert (first.dup_value ("votes").get_int64 () == 5);

    GLib.Value[] pattern = { "%?" };
    var found = db.select_resources (typeof (Question), "SELECT * FROM question WHERE question_text LIKE ? ORDER BY id",
                                     pattern);
    assert (found.get_n_items () == 3);
    assert (found.get_item (1) == questions[1]);
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }

  try {
    db.select ("DELETE FROM choice", null);
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  GormTest.close_database (db);
}

void test_errors () {
  Question[] questions;
  var db = open_polls (out questions);
  try {
    db.query (typeof (Choice)).select ("x", Gorm.Expression.sum (Gorm.Expression.property ("colour"))).aggregate ();
    assert_not_reached ();
  } catch (Gorm.Error.UNKNOWN_PROPERTY e) {
    assert ("colour" in e.message);
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  try {
    db.query (typeof (Choice)).select ("x", Gorm.Expression.sum (Gorm.Expression.property ("choice-text"))).aggregate ();
    assert_not_reached ();
  } catch (Gorm.Error.TYPE_MISMATCH e) {
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  try {
    /* aggregate () wants aggregates only. */
    db.query (typeof (Choice)).select_properties ({ "votes" }).aggregate ();
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
  } catch (GLib.Error e) {
    GLib.error ("%s", e.message);
  }
  GormTest.close_database (db);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Aggregates/aggregate", test_aggregate);
  Test.add_func ("/Gorm/Vala/Aggregates/annotate", test_annotate);
  Test.add_func ("/Gorm/Vala/Aggregates/raw-select", test_raw_select);
  Test.add_func ("/Gorm/Vala/Aggregates/errors", test_errors);
  return GormTest.run ();
}
