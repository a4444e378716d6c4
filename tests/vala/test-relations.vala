/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Relations from Vala: models whose foreign keys and many-to-many
 * relations are declared in their static construct, the related object
 * `yield`ed, reverse sets and links as queries, eager loading, on_delete
 * and the errors caught by their Gorm.Error code. */

public class Question : Gorm.Resource {
  public string? question_text { get; set; }
  public DateTime? pub_date { get; set; }

  static construct {
    set_max_length ("question-text", 200);
  }
}

public class Choice : Gorm.Resource {
  public int64 question_id { get; set; }
  public string? choice_text { get; set; }
  public int votes { get; set; }

  static construct {
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

public class Post : Gorm.Resource {
  public string? title { get; set; }

  static construct {
    add_many_to_many ("tags", typeof (Tag));
    set_related_name ("tags", "posts");
  }
}

public class Writer : Gorm.Resource {
  public string? name { get; set; }
}

public class Novel : Gorm.Resource {
  public int64 writer_id { get; set; }
  public string? title { get; set; }

  static construct {
    set_foreign_key ("writer-id", typeof (Writer), Gorm.OnDelete.PROTECT);
    set_related_name ("writer-id", "novels");
  }
}

/* A tree: a nullable foreign key to its own type; deleting a folder
 * makes its children roots. */
public class Folder : Gorm.Resource {
  public string? name { get; set; }
  public int64 parent_id { get; set; }

  static construct {
    set_nullable ("parent-id");
    set_foreign_key ("parent-id", typeof (Folder), Gorm.OnDelete.SET_NULL);
    set_related_name ("parent-id", "children");
  }
}

namespace RelTest {
  Gorm.Database open () {
    try {
      var db = Gorm.Database.open (GormTest.fresh_uri ());
      db.migrate ({ typeof (Question), typeof (Choice), typeof (Tag), typeof (Post),
                    typeof (Writer), typeof (Novel), typeof (Folder) });
      return db;
    } catch (GLib.Error e) {
      GLib.error ("Cannot open the test database: %s", e.message);
    }
  }

  Question new_question (Gorm.Database db, string text) throws GLib.Error {
    var q = new Question () {
      database = db,
      question_text = text,
      pub_date = new DateTime.utc (2026, 12, 5, 10, 0, 0),
    };
    q.save ();
    return q;
  }

  Choice new_choice (Gorm.Database db, Question q, string text, int votes) throws GLib.Error {
    var c = new Choice () { database = db, choice_text = text, votes = votes };
    c.set_related ("question", q);
    c.save ();
    return c;
  }

  string[] texts (ListModel model) {
    string[] result = {};
    for (uint i = 0; i < model.get_n_items (); i++) {
      var item = model.get_item (i);
      if (item is Choice)
        result += ((Choice) item).choice_text;
      else if (item is Tag)
        result += ((Tag) item).name;
      else if (item is Post)
        result += ((Post) item).title;
      else if (item is Novel)
        result += ((Novel) item).title;
    }
    return result;
  }

  string joined_folders (ListModel model) {
    string[] names = {};
    for (uint i = 0; i < model.get_n_items (); i++)
      names += ((Folder) model.get_item (i)).name;
    return string.joinv (",", names);
  }

  string joined (ListModel model) {
    return string.joinv (",", texts (model));
  }
}

/* A test body that starts its async flow on a fresh database; the
 * flow quits the loop when it completes. */
delegate void AsyncTest (Gorm.Database db, MainLoop loop);

void in_loop (owned AsyncTest body) {
  var db = RelTest.open ();
  var loop = new MainLoop ();
  body (db, loop);
  loop.run ();
  GormTest.close_database (db);
}

async void forward_flow (Gorm.Database db) throws GLib.Error {
  var q = RelTest.new_question (db, "What's up?");
  var c = RelTest.new_choice (db, q, "Not much", 0);
  assert (c.question_id == q.id);

  /* get_related_async is yield-able and gives the object, typed as the
   * base class: `as` casts it. */
  var related = (yield c.get_related_async ("question")) as Question;
  assert (related == q);
  assert (c.peek_related ("question") == q);
  Question? sync = c.get_related ("question") as Question;
  assert (sync == q);

  /* A row loaded from the database, whose question is not alive. */
  db.execute ("INSERT INTO question (question_text) VALUES ('Loaded')", null);
  db.execute ("INSERT INTO choice (question_id, choice_text, votes) SELECT id, 'x', 2 FROM question WHERE question_text = 'Loaded'", null);
  var loaded = (yield db.query (typeof (Choice)).filter (Gorm.Filter.eq ("choice-text", "x")).first_async ()) as Choice;
  var lq = (yield loaded.get_related_async ("question")) as Question;
  assert (lq != null && lq.question_text == "Loaded");

  /* Changing the key forgets the cached object. */
  c.question_id = lq.id;
  assert ((yield c.get_related_async ("question")) == lq);
  yield c.save_async ();

  /* An unknown relation and an unsaved object. */
  try {
    yield c.get_related_async ("answer");
    assert_not_reached ();
  } catch (Gorm.Error.UNKNOWN_PROPERTY e) {
    assert ("answer" in e.message);
  }
  try {
    c.set_related ("question", new Question () { database = db, question_text = "unsaved" });
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
  }
  assert (c.question_id == lq.id);
  try {
    c.set_related ("question", new Tag () { database = db, name = "t" });
    assert_not_reached ();
  } catch (Gorm.Error.TYPE_MISMATCH e) {
  }
}

void test_forward () {
  in_loop ((db, loop) => {
    forward_flow.begin (db, (obj, res) => {
      try {
        forward_flow.end (res);
      } catch (GLib.Error e) {
        error ("%s", e.message);
      }
      loop.quit ();
    });
  });
}

async void reverse_flow (Gorm.Database db) throws GLib.Error {
  var q = RelTest.new_question (db, "Q");
  RelTest.new_choice (db, q, "a", 1);
  RelTest.new_choice (db, q, "b", 5);
  RelTest.new_choice (db, q, "c", 3);
  var other = RelTest.new_question (db, "Other");
  RelTest.new_choice (db, other, "z", 9);

  assert ((yield q.query_related ("choice_set").count_async ()) == 3);
  var by_votes = yield q.query_related ("choice_set").order_by ("votes", true).fetch_async ();
  assert (RelTest.joined (by_votes) == "b,c,a");
  var popular = q.query_related ("choice_set").filter (Gorm.Filter.gt ("votes", 2));
  assert ((yield popular.count_async ()) == 2);

  var live = yield q.query_related ("choice_set").order_by ("votes", false).watch_async ();
  RelTest.new_choice (db, q, "d", 4);
  RelTest.new_choice (db, other, "elsewhere", 2);
  /* The change feed delivers in the main loop. */
  Idle.add (reverse_flow.callback);
  yield;
  assert (RelTest.joined (live) == "a,c,d,b");

  try {
    yield q.query_related ("answer_set").fetch_async ();
    assert_not_reached ();
  } catch (Gorm.Error.UNKNOWN_PROPERTY e) {
  }
}

void test_reverse () {
  in_loop ((db, loop) => {
    reverse_flow.begin (db, (obj, res) => {
      try {
        reverse_flow.end (res);
      } catch (GLib.Error e) {
        error ("%s", e.message);
      }
      loop.quit ();
    });
  });
}

async void many_to_many_flow (Gorm.Database db) throws GLib.Error {
  var gnome = new Tag () { database = db, name = "gnome" };
  var vala = new Tag () { database = db, name = "vala" };
  yield gnome.save_async ();
  yield vala.save_async ();
  var post = new Post () { database = db, title = "Hello" };
  var other = new Post () { database = db, title = "Other" };
  yield post.save_async ();
  yield other.save_async ();

  assert (yield post.link_async ("tags", gnome));
  assert (yield post.link_async ("tags", vala));
  /* Twice: no error, no second row. */
  assert (yield post.link_async ("tags", vala));
  assert (yield other.link_async ("tags", gnome));
  assert (RelTest.joined (yield post.query_related ("tags").order_by ("name", false).fetch_async ()) == "gnome,vala");
  /* The reverse, named by set_related_name. */
  assert (RelTest.joined (yield gnome.query_related ("posts").order_by ("title", false).fetch_async ()) == "Hello,Other");

  assert (yield post.unlink_async ("tags", gnome));
  assert (yield post.unlink_async ("tags", gnome));
  assert ((yield post.query_related ("tags").count_async ()) == 1);
  assert (yield post.clear_links_async ("tags"));
  assert ((yield post.query_related ("tags").count_async ()) == 0);
  assert ((yield gnome.query_related ("posts").count_async ()) == 1);

  /* The synchronous forms. */
  assert (post.link ("tags", vala));
  assert ((yield vala.query_related ("posts").count_async ()) == 1);
  assert (post.unlink ("tags", vala));
  assert (post.clear_links ("tags"));

  try {
    yield post.link_async ("tags", new Tag () { database = db, name = "unsaved" });
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
  }
  try {
    yield post.link_async ("tags", other);
    assert_not_reached ();
  } catch (Gorm.Error.TYPE_MISMATCH e) {
  }
  try {
    yield post.link_async ("labels", gnome);
    assert_not_reached ();
  } catch (Gorm.Error.UNKNOWN_PROPERTY e) {
  }
}

void test_many_to_many () {
  in_loop ((db, loop) => {
    many_to_many_flow.begin (db, (obj, res) => {
      try {
        many_to_many_flow.end (res);
      } catch (GLib.Error e) {
        error ("%s", e.message);
      }
      loop.quit ();
    });
  });
}

async void eager_flow (Gorm.Database db) throws GLib.Error {
  /* Rows written in SQL: no Question object is alive to be peeked. */
  db.execute ("INSERT INTO question (question_text) VALUES ('A'), ('B')", null);
  db.execute ("INSERT INTO choice (question_id, choice_text, votes) SELECT id, question_text || '1', 0 FROM question", null);
  db.execute ("INSERT INTO choice (question_id, choice_text, votes) SELECT id, question_text || '2', 0 FROM question WHERE question_text = 'A'", null);

  var plain = yield db.query (typeof (Choice)).fetch_async ();
  assert (plain.get_n_items () == 3);
  assert (((Choice) plain.get_item (0)).peek_related ("question") == null);
  plain = null;

  var joined = yield db.query (typeof (Choice)).select_related ("question").order_by ("choice-text", false).fetch_async ();
  var first = (Choice) joined.get_item (0);
  var q = first.peek_related ("question") as Question;
  assert (q != null && q.question_text == "A");

  var questions = yield db.query (typeof (Question)).order_by ("question-text", false).prefetch_related ("choice_set").fetch_async ();
  var a = (Question) questions.get_item (0);
  var b = (Question) questions.get_item (1);
  assert (RelTest.joined (a.peek_prefetched ("choice_set")) == "A1,A2");
  assert (RelTest.joined (b.peek_prefetched ("choice_set")) == "B1");
}

void test_eager () {
  in_loop ((db, loop) => {
    eager_flow.begin (db, (obj, res) => {
      try {
        eager_flow.end (res);
      } catch (GLib.Error e) {
        error ("%s", e.message);
      }
      loop.quit ();
    });
  });
}

async void on_delete_flow (Gorm.Database db) throws GLib.Error {
  var doomed = RelTest.new_question (db, "Doomed");
  var a = RelTest.new_choice (db, doomed, "a", 0);
  var b = RelTest.new_choice (db, doomed, "b", 0);
  var kept = RelTest.new_question (db, "Kept");
  RelTest.new_choice (db, kept, "k", 0);
  var live = yield db.query (typeof (Choice)).watch_async ();
  assert (live.get_n_items () == 3);

  /* CASCADE: the choices go, in the database, in memory and in the model. */
  assert (yield doomed.delete_async ());
  assert ((yield db.query (typeof (Choice)).count_async ()) == 1);
  assert (!a.is_saved () && !b.is_saved ());
  Idle.add (on_delete_flow.callback);
  yield;
  assert (live.get_n_items () == 1);

  /* PROTECT: refused, nothing deleted, and the next call works. */
  var writer = new Writer () { database = db, name = "Le Guin" };
  yield writer.save_async ();
  var novel = new Novel () { database = db, title = "Earthsea" };
  novel.set_related ("writer", writer);
  yield novel.save_async ();
  assert (RelTest.joined (yield writer.query_related ("novels").fetch_async ()) == "Earthsea");
  try {
    yield writer.delete_async ();
    assert_not_reached ();
  } catch (Gorm.Error.CONSTRAINT e) {
    assert ("Novel" in e.message);
  }
  assert (writer.is_saved ());
  assert ((yield db.query (typeof (Writer)).count_async ()) == 1);
  assert (yield novel.delete_async ());
  assert (yield writer.delete_async ());

  /* A key that points at no row. */
  var orphan = new Choice () { database = db, question_id = 999999, choice_text = "orphan" };
  try {
    yield orphan.save_async ();
    assert_not_reached ();
  } catch (Gorm.Error.CONSTRAINT e) {
    assert ("Choice" in e.message);
  }
  assert (!orphan.is_saved ());
}

void test_on_delete () {
  in_loop ((db, loop) => {
    on_delete_flow.begin (db, (obj, res) => {
      try {
        on_delete_flow.end (res);
      } catch (GLib.Error e) {
        error ("%s", e.message);
      }
      loop.quit ();
    });
  });
}

async void set_null_flow (Gorm.Database db) throws GLib.Error {
  var root = new Folder () { database = db, name = "root" };
  /* NULL through set_related (), as through set_null (). */
  assert (root.set_related ("parent", null));
  assert (root.is_null ("parent-id"));
  assert (root.dup_value ("parent-id") == null);
  yield root.save_async ();
  assert ((yield root.get_related_async ("parent")) == null);

  var child = new Folder () { database = db, name = "child" };
  child.set_related ("parent", root);
  assert (child.parent_id == root.id);
  assert (!child.is_null ("parent-id"));
  yield child.save_async ();
  assert ((yield child.get_related_async ("parent")) == root);
  assert (RelTest.joined_folders (yield root.query_related ("children").fetch_async ()) == "child");

  /* Deleting the parent sets the key NULL, in the database and in memory. */
  assert (yield root.delete_async ());
  assert (child.is_null ("parent-id"));
  assert (yield child.reload_async ());
  assert (child.is_null ("parent-id"));
  assert ((yield child.get_related_async ("parent")) == null);

  /* A key that cannot be NULL refuses it. */
  var q = RelTest.new_question (db, "Q");
  var c = RelTest.new_choice (db, q, "c", 0);
  try {
    c.set_related ("question", null);
    assert_not_reached ();
  } catch (Gorm.Error.VALIDATION e) {
  }
  assert (c.question_id == q.id);
}

void test_set_null () {
  in_loop ((db, loop) => {
    set_null_flow.begin (db, (obj, res) => {
      try {
        set_null_flow.end (res);
      } catch (GLib.Error e) {
        error ("%s", e.message);
      }
      loop.quit ();
    });
  });
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Gorm/Vala/Relations/forward", test_forward);
  Test.add_func ("/Gorm/Vala/Relations/reverse", test_reverse);
  Test.add_func ("/Gorm/Vala/Relations/many-to-many", test_many_to_many);
  Test.add_func ("/Gorm/Vala/Relations/eager", test_eager);
  Test.add_func ("/Gorm/Vala/Relations/on-delete", test_on_delete);
  Test.add_func ("/Gorm/Vala/Relations/set-null", test_set_null);
  return GormTest.run ();
}
