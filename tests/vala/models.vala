/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The resources the Vala tests share: plain subclasses of Gorm.Resource
 * whose metadata is set in their static construct. */

public class BlogPost : Gorm.Resource {
  public string? title { get; set; }
  public string? content { get; set; }
  public GLib.DateTime? pub_date { get; set; }
  public int views { get; set; }
  public bool published { get; set; }

  static construct {
    set_max_length ("title", 200);
    set_auto_now_add ("pub-date");
    set_indexed ("views");
  }
}

public class Account : Gorm.Resource {
  public string? email { get; set; }
  public string? nickname { get; set; }
  public double balance { get; set; }
  /* Lives only in memory. */
  public string? session { get; set; }

  static construct {
    set_table ("accounts");
    set_unique ("email");
    set_max_length ("email", 20);
    set_not_null ("email");
    set_column_name ("nickname", "nick");
    set_transient ("session");
  }
}

namespace GormTest {
  /* The engine of the run, GORM_TEST_ENGINE: "sqlite" (the default) or
   * "postgresql", whose server is GORM_TEST_POSTGRESQL (the URI of a role
   * that may create databases). */
  public string engine () {
    var name = Environment.get_variable ("GORM_TEST_ENGINE");
    if (name == null || name == "")
      return "sqlite";
    if (name != "sqlite" && name != "postgresql")
      GLib.error ("GORM_TEST_ENGINE is “%s”: sqlite or postgresql", name);
    if (name == "postgresql" && Environment.get_variable ("GORM_TEST_POSTGRESQL") == null)
      GLib.error ("GORM_TEST_ENGINE is postgresql but GORM_TEST_POSTGRESQL, the URI of the server to test on, is not set");
    return name;
  }

  Gorm.Database? admin = null;
  int n_databases = 0;
  string[] created = null;

  /* The URI of the database @name on the server: GORM_TEST_POSTGRESQL
   * with its path replaced. */
  string server_database_uri (string name) {
    var server = Environment.get_variable ("GORM_TEST_POSTGRESQL");
    MatchInfo match;
    if (!/^([a-z]+:\/\/[^\/?#]*)(\/[^?#]*)?(.*)$/.match (server, 0, out match))
      GLib.error ("GORM_TEST_POSTGRESQL is not a postgresql:// URI: %s", server);
    return "%s/%s%s".printf (match.fetch (1), name, match.fetch (3));
  }

  /* The URI of a new empty database on the engine of the run: a database
   * in memory, or a new database gorm_test_<pid>_<n> on the server,
   * dropped by run (). */
  public string fresh_uri () {
    if (engine () == "sqlite")
      return "sqlite::memory:";
    string name = null;
    try {
      name = "gorm_test_%d_%d".printf ((int) new Credentials ().get_unix_pid (), ++n_databases);
      if (admin == null)
        admin = Gorm.Database.open (Environment.get_variable ("GORM_TEST_POSTGRESQL"));
      admin.execute ("CREATE DATABASE \"%s\"".printf (name), null);
    } catch (GLib.Error e) {
      GLib.error ("Cannot create the test database %s: %s", name, e.message);
    }
    created += name;
    return server_database_uri (name);
  }

  /* Test.run (), then drops the databases fresh_uri () created. */
  public int run () {
    var status = Test.run ();
    try {
      foreach (var name in created)
        admin.execute ("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)".printf (name), null);
      created = null;
      if (admin != null)
        admin.close ();
      admin = null;
    } catch (GLib.Error e) {
      GLib.error ("Cannot drop the test databases: %s", e.message);
    }
    return status;
  }

  /* A fresh database (see fresh_uri ()) with both types migrated. */
  public Gorm.Database open_database () {
    try {
      var db = Gorm.Database.open (fresh_uri ());
      db.migrate ({ typeof (BlogPost), typeof (Account) });
      return db;
    } catch (GLib.Error e) {
      GLib.error ("Cannot open the test database: %s", e.message);
    }
  }

  /* Closes @db and forgets it as the default, so no test leaks into the
   * next one. */
  public void close_database (Gorm.Database db) {
    try {
      db.close ();
    } catch (GLib.Error e) {
      GLib.error ("Cannot close the test database: %s", e.message);
    }
    Gorm.Database.clear_default ();
  }

  public BlogPost new_post (Gorm.Database db, string title, int views = 0) {
    return new BlogPost () {
      database = db,
      title = title,
      content = "Text of " + title,
      views = views,
    };
  }
}
