/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The Vala side of tests/cross-language.sh's polls: a Question with
 * Choices (a foreign key, CASCADE) and Tags (many-to-many), written in one
 * language and read back, every column, in the others.
 *
 *   cross-polls-vala URI write TEXT PUB-DATE TAG VOTES
 *   cross-polls-vala URI read
 *
 * tests/cross-language/polls.{c,py,js} do exactly the same, with the same
 * type names (Question, Choice, Tag: the tables and link columns derive
 * from them) and the same output.
 */

public class Question : Gorm.Resource {
  public string? question_text { get; set; }
  public DateTime? pub_date { get; set; }
  public int64 rating { get; set; }

  static construct {
    set_max_length ("question-text", 200);
    set_nullable ("rating");
    add_many_to_many ("tags", typeof (Tag));
  }
}

public class Choice : Gorm.Resource {
  public int64 question_id { get; set; }
  public string? choice_text { get; set; }
  public int64 votes { get; set; }
  public int64 rank { get; set; }

  static construct {
    set_nullable ("rank");
    set_foreign_key ("question-id", typeof (Question), Gorm.OnDelete.CASCADE);
    set_max_length ("choice-text", 200);
  }
}

public class Tag : Gorm.Resource {
  public string? name { get; set; }

  static construct {
    set_unique ("name");
  }
}

async Tag tag_get_or_create (Gorm.Database db, string name) throws GLib.Error {
  var tag = (yield db.query (typeof (Tag)).filter (Gorm.Filter.eq ("name", name)).first_async ()) as Tag;
  if (tag == null) {
    tag = new Tag () { database = db, name = name };
    yield tag.save_async ();
  }
  return tag;
}

async void write_poll (Gorm.Database db, string text, string pub_date, string tag_name, int64 votes) throws GLib.Error {
  var question = new Question () {
    database = db,
    question_text = text,
    pub_date = new DateTime.from_iso8601 (pub_date, null),
  };
  /* The question's rating is NULL, and the rank of the second choice. */
  question.set_null ("rating");
  yield question.save_async ();
  string[] suffixes = { "yes", "no" };
  for (int i = 0; i < suffixes.length; i++) {
    var choice = new Choice () {
      database = db,
      choice_text = "%s %s".printf (tag_name, suffixes[i]),
      votes = votes + i,
    };
    if (i == 0)
      choice.rank = 1;
    else
      choice.set_null ("rank");
    choice.set_related ("question", question);
    yield choice.save_async ();
  }
  foreach (var name in new string[] { "shared", tag_name })
    yield question.link_async ("tags", yield tag_get_or_create (db, name));
  print ("Wrote question %" + int64.FORMAT + "\n", question.id);
}

/* An optional number: "NULL" or its digits. */
string format_optional (Gorm.Resource resource, string property) {
  var value = resource.dup_value (property);
  return value == null ? "NULL" : value.get_int64 ().to_string ();
}

/* A date-time in UTC, to the microsecond. */
string format_date (DateTime? when) {
  return when == null ? "NULL" : when.to_utc ().format ("%Y-%m-%dT%H:%M:%S.%fZ");
}

async ListModel fetch_ordered (Gorm.Query query, string property) throws GLib.Error {
  return yield query.order_by (property, false).fetch_async ();
}

async void read_polls (Gorm.Database db) throws GLib.Error {
  var questions = yield fetch_ordered (db.query (typeof (Question)), "id");
  for (uint i = 0; i < questions.get_n_items (); i++) {
    var question = (Question) questions.get_item (i);
    var tags = yield fetch_ordered (question.query_related ("tags"), "name");
    string[] names = {};
    for (uint j = 0; j < tags.get_n_items (); j++)
      names += ((Tag) tags.get_item (j)).name;
    print ("question %" + int64.FORMAT + ": %s | %s | rating %s | tags %s\n", question.id,
           question.question_text, format_date (question.pub_date),
           format_optional (question, "rating"), string.joinv (", ", names));
    var choices = yield fetch_ordered (question.query_related ("choice_set"), "id");
    for (uint j = 0; j < choices.get_n_items (); j++) {
      var choice = (Choice) choices.get_item (j);
      var of = (yield choice.get_related_async ("question")) as Question;
      print ("  choice %" + int64.FORMAT + ": %s | %" + int64.FORMAT + " votes | rank %s | of question %" + int64.FORMAT + "%s\n",
             choice.id, choice.choice_text, choice.votes, format_optional (choice, "rank"),
             of.id, of == question ? "" : " (another object)");
    }
  }
  var tags = yield fetch_ordered (db.query (typeof (Tag)), "name");
  for (uint i = 0; i < tags.get_n_items (); i++) {
    var tag = (Tag) tags.get_item (i);
    var its_questions = yield fetch_ordered (tag.query_related ("question_set"), "id");
    string[] ids = {};
    for (uint j = 0; j < its_questions.get_n_items (); j++)
      ids += ((Question) its_questions.get_item (j)).id.to_string ();
    print ("tag %" + int64.FORMAT + ": %s | questions %s\n", tag.id, tag.name, string.joinv (", ", ids));
  }
  yield read_totals (db);
}

/* The aggregates: each question annotated with its number of choices and
 * total of votes, then the votes of every choice. */
async void read_totals (Gorm.Database db) throws GLib.Error {
  var rows = yield db.query (typeof (Question))
    .annotate ("n", Gorm.Expression.count (Gorm.Expression.property ("choice"), false))
    .annotate ("votes", Gorm.Expression.sum (Gorm.Expression.property ("choice.votes")))
    .order_by ("id", false)
    .fetch_rows_async ();
  for (uint i = 0; i < rows.get_n_items (); i++) {
    var row = (Gorm.Row) rows.get_item (i);
    print ("totals of question %" + int64.FORMAT + ": %" + int64.FORMAT + " choices, %" + int64.FORMAT + " votes\n",
           row.get_resource ().id, row.get_int64 ("n"), row.get_int64 ("votes"));
  }
  var votes = Gorm.Expression.property ("votes");
  var totals = yield db.query (typeof (Choice))
    .select ("n", Gorm.Expression.count (null, false))
    .select ("total", Gorm.Expression.sum (votes))
    .select ("least", Gorm.Expression.min (votes))
    .select ("most", Gorm.Expression.max (votes))
    .select ("average", Gorm.Expression.avg (votes))
    .aggregate_async ();
  print ("votes: %" + int64.FORMAT + " choices, total %" + int64.FORMAT + ", least %" + int64.FORMAT +
         ", most %" + int64.FORMAT + ", average %.2f\n",
         totals.get_int64 ("n"), totals.get_int64 ("total"), totals.get_int64 ("least"),
         totals.get_int64 ("most"), totals.get_double ("average"));
}

async void run (string[] args) throws GLib.Error {
  var db = yield Gorm.Database.open_async (args[1]);
  yield db.migrate_async ({ typeof (Question), typeof (Choice), typeof (Tag) });
  if (args[2] == "write")
    yield write_poll (db, args[3], args[4], args[5], int64.parse (args[6]));
  else
    yield read_polls (db);
  yield db.close_async ();
}

int main (string[] args) {
  if (!(args.length == 7 && args[2] == "write" || args.length == 3 && args[2] == "read")) {
    printerr ("Usage: %s URI write TEXT PUB-DATE TAG VOTES | URI read\n", args[0]);
    return 2;
  }
  var loop = new MainLoop ();
  int status = 0;
  run.begin (args, (obj, res) => {
    try {
      run.end (res);
    } catch (GLib.Error e) {
      printerr ("cross-polls-vala: %s\n", e.message);
      status = 1;
    }
    loop.quit ();
  });
  loop.run ();
  return status;
}
