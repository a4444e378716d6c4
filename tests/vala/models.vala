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
  /* A fresh database in memory with both types migrated. */
  public Gorm.Database open_database () {
    try {
      var db = Gorm.Database.open ("sqlite::memory:");
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
