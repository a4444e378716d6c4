/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The blog of the seed, in Vala: a BlogPost resource, saved to and read
 * back from an SQLite file or a PostgreSQL database.
 *
 *   blog-vala [PATH | URI]
 *
 * PATH is an SQLite database file (":memory:" is a database in memory);
 * it defaults to $XDG_DATA_HOME/libgorm-blog/blog.db. A URI is opened as
 * it is: sqlite:PATH, or postgresql://USER:PASSWORD@HOST:PORT/DBNAME.
 * Each run adds a post and prints every post stored so far.
 */

public class BlogPost : Gorm.Resource {
  public string? title { get; set; }
  public string? content { get; set; }
  public DateTime? pub_date { get; set; }

  /* Stored in the table blog_post, with the columns id, title, content
   * and pub_date. */
  static construct {
    set_max_length ("title", 200);
    set_auto_now_add ("pub-date");
  }
}

string default_database_path () throws Error {
  var dir = Path.build_filename (Environment.get_user_data_dir (), "libgorm-blog");

  if (DirUtils.create_with_parents (dir, 0700) != 0) {
    var saved_errno = errno;
    throw new IOError.FAILED ("Cannot create the directory “%s”: %s", dir, strerror (saved_errno));
  }
  return Path.build_filename (dir, "blog.db");
}

/* A URI as it is, a file as an sqlite: URI. */
string database_uri (string database) {
  return Uri.peek_scheme (database) != null ? database : "sqlite:" + database;
}

/* The database as the demo prints it: without the password of a URI. */
string display_name (string database) {
  if (!("://" in database))
    return database;
  try {
    return Uri.parse (database, UriFlags.ENCODED).to_string_partial (UriHideFlags.PASSWORD);
  } catch (UriError e) {
    return database;
  }
}

void run (string path) throws Error {
  var db = Gorm.Database.open (database_uri (path));
  db.migrate ({ typeof (BlogPost) });

  var post = new BlogPost () {
    database = db,
    title = "My First Post",
    content = "Hello, world!",
  };
  post.save ();
  print ("Saved post %" + int64.FORMAT + " in %s\n", post.id, display_name (path));

  /* Every post, oldest first. */
  var posts = db.query (typeof (BlogPost)).order_by ("pub-date", false).fetch ();
  var n_posts = posts.get_n_items ();
  print ("%u %s:\n", n_posts, n_posts == 1 ? "post" : "posts");
  for (uint i = 0; i < n_posts; i++) {
    var stored = (BlogPost) posts.get_item (i);
    var when = stored.pub_date != null ? stored.pub_date.to_local ().format ("%Y-%m-%d %H:%M") : "unpublished";
    print ("  %s (%s)\n", stored.title ?? "(untitled)", when);
  }

  db.close ();
}

int main (string[] args) {
  Intl.setlocale (LocaleCategory.ALL, "");

  if (args.length > 2) {
    printerr ("Usage: %s [DATABASE-FILE | URI]\n", args[0]);
    return 1;
  }

  try {
    run (args.length > 1 ? args[1] : default_database_path ());
  } catch (Error e) {
    printerr ("blog: %s\n", e.message);
    return 1;
  }
  return 0;
}
