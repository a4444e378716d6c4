/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Schema evolution from Vala: set_renamed_from and set_table_renamed_from
 * in a static construct, a Gorm.Migration with a version and step
 * closures, its plan, and `yield run_async ()`. Each version of the model
 * is a class of its own over the same table. */

public class QuestionV1 : Gorm.Resource {
  public string? question { get; set; }
  public int votes { get; set; }

  static construct {
    set_table ("question");
  }
}

public class QuestionV2 : Gorm.Resource {
  public string? question_text { get; set; }
  public int votes { get; set; }
  public string? slug { get; set; }

  static construct {
    set_table ("question");
    set_renamed_from ("question-text", "question");
  }
}

public class PollV3 : Gorm.Resource {
  public string? question_text { get; set; }
  public int votes { get; set; }
  public string? slug { get; set; }

  static construct {
    set_table ("poll");
    set_table_renamed_from ("question");
    /* From version 1 too. */
    set_renamed_from ("question-text", "question");
  }
}

Gorm.Database open_v1 () throws GLib.Error {
  var db = Gorm.Database.open (GormTest.fresh_uri ());
  db.migrate ({ typeof (QuestionV1) });
  new QuestionV1 () { database = db, question = "Why?", votes = 3 }.save ();
  new QuestionV1 () { database = db, question = "How?", votes = 5 }.save ();
  return db;
}

void test_steps_and_plan () {
  try {
    var db = open_v1 ();
    string[] calls = {};
    var migration = new Gorm.Migration (db, { typeof (QuestionV2) });
    migration.set_version (2);
    migration.add_step (2, Gorm.MigrationStage.BEFORE_CHANGES, (m, database, version) => {
      calls += "before %u".printf (version);
      return true;
    });
    migration.add_step (2, Gorm.MigrationStage.AFTER_CHANGES, (m, database, version) => {
      calls += "after %u".printf (version);
      var all = database.query (typeof (QuestionV2)).fetch ();
      for (uint i = 0; i < all.get_n_items (); i++) {
        var question = (QuestionV2) all.get_item (i);
        question.slug = question.question_text.down ().replace ("?", "");
        question.save ();
      }
      return true;
    });

    var plan = migration.plan ();
    assert (calls.length == 0);
    Gorm.MigrationChangeKind[] kinds = {};
    for (uint i = 0; i < plan.get_n_items (); i++)
      kinds += ((Gorm.MigrationChange) plan.get_item (i)).get_kind ();
    assert (Gorm.MigrationChangeKind.RENAME_COLUMN in kinds);
    assert (Gorm.MigrationChangeKind.ADD_COLUMN in kinds);
    assert (Gorm.MigrationChangeKind.STEP in kinds);
    var last = (Gorm.MigrationChange) plan.get_item (plan.get_n_items () - 1);
    assert (last.get_kind () == Gorm.MigrationChangeKind.SET_VERSION);
    assert (last.get_version () == 2);
    assert (last.get_table () == null);
    /* The step before the changes comes first. */
    var before = (Gorm.MigrationChange) plan.get_item (0);
    assert (before.get_kind () == Gorm.MigrationChangeKind.STEP);
    assert (before.get_version () == 2);
    Gorm.MigrationChange? rename = null;
    for (uint i = 0; i < plan.get_n_items (); i++) {
      var change = (Gorm.MigrationChange) plan.get_item (i);
      if (change.get_kind () == Gorm.MigrationChangeKind.RENAME_COLUMN)
        rename = change;
    }
    assert (rename.get_table () == "question");
    assert (rename.get_column () == "question_text");
    assert ("question" in rename.get_reason ());

    assert (migration.run ());
    assert (calls.length == 2);
    assert (calls[0] == "before 2");
    assert (calls[1] == "after 2");
    assert (db.get_schema_version () == 2);
    var how = (QuestionV2) db.query (typeof (QuestionV2))
      .filter (Gorm.Filter.eq ("question-text", "How?")).first ();
    assert (how.slug == "how");
    GormTest.close_database (db);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
}

void test_failing_step_rolls_back () {
  try {
    var db = open_v1 ();
    var migration = new Gorm.Migration (db, { typeof (PollV3) });
    migration.set_version (3);
    migration.add_step (3, Gorm.MigrationStage.AFTER_CHANGES, (m, database, version) => {
      database.execute ("UPDATE poll SET votes = 0", null);
      throw new IOError.FAILED ("step %u failed", version);
    });
    try {
      migration.run ();
      assert_not_reached ();
    } catch (IOError.FAILED e) {
      assert (e.message.has_suffix ("step 3 failed"));
    }
    assert (db.get_schema_version () == 0);
    /* The table keeps its name and its data. */
    var votes = db.select ("SELECT votes FROM question ORDER BY votes", null);
    assert (votes.get_n_items () == 2);
    assert (((Gorm.Row) votes.get_item (0)).get_value (0).get_int64 () == 3);
    GormTest.close_database (db);
  } catch (GLib.Error e) {
    error ("%s", e.message);
  }
}

async void run_async_flow () throws GLib.Error {
  var db = open_v1 ();
  var migration = new Gorm.Migration (db, { typeof (PollV3) });
  migration.set_version (3);
  var plan = yield migration.plan_async ();
  assert (((Gorm.MigrationChange) plan.get_item (0)).get_kind ()
          == Gorm.MigrationChangeKind.RENAME_TABLE);
  double last_fraction = -1;
  migration.progress.connect ((change, fraction) => {
    assert (fraction >= last_fraction);
    last_fraction = fraction;
  });
  assert (yield migration.run_async ());
  assert (last_fraction == 1.0);
  assert (migration.get_fraction () == 1.0);
  assert ((yield db.get_schema_version_async ()) == 3);
  var how = (PollV3) db.query (typeof (PollV3)).filter (Gorm.Filter.eq ("votes", 5)).first ();
  assert (how.question_text == "How?");

  /* The database is newer than this migration: refused, untouched. */
  var older = new Gorm.Migration (db, { typeof (QuestionV2) });
  older.set_version (2);
  try {
    yield older.run_async ();
    assert_not_reached ();
  } catch (Gorm.Error.MIGRATION e) {
    assert ("3" in e.message);
  }
  assert ((yield db.get_schema_version_async ()) == 3);
  GormTest.close_database (db);
}

void test_run_async () {
  var loop = new MainLoop ();
  run_async_flow.begin ((obj, res) => {
    try {
      run_async_flow.end (res);
    } catch (GLib.Error e) {
      error ("%s", e.message);
    }
    loop.quit ();
  });
  loop.run ();
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Migrations/steps-and-plan", test_steps_and_plan);
  Test.add_func ("/Gorm/Vala/Migrations/failing-step-rolls-back", test_failing_step_rolls_back);
  Test.add_func ("/Gorm/Vala/Migrations/run-async", test_run_async);
  return GormTest.run ();
}
