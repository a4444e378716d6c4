// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The blog of the seed, in JavaScript: a BlogPost model, saved to and read
// back from an SQLite file or a PostgreSQL database with promises.
//
//     gjs -m blog.js [PATH | URI]
//
// PATH is an SQLite database file; it defaults to
// $XDG_DATA_HOME/libgorm-blog/blog.db, and ':memory:' is a database in
// memory. A URI is opened as it is: sqlite:PATH, or
// postgresql://USER:PASSWORD@HOST:PORT/DBNAME. Each run adds a post and
// prints every post stored so far.
// Against the uninstalled build:
//
//     meson devenv -C _build -w . gjs -m demos/blog/blog.js
//
// The module gorm.js is found through $GORM_GJS_MODULE_DIR (set by meson
// devenv), else beside this file in the source tree, else in the data
// directories where the library installs it (DATADIR/gorm-1.0/gjs).

import GLib from 'gi://GLib';
import Gorm from 'gi://Gorm?version=1.0';
import System from 'system';

function findGormModule() {
    const here = GLib.path_get_dirname(
        GLib.filename_from_uri(import.meta.url)[0]);
    const candidates = [
        GLib.getenv('GORM_GJS_MODULE_DIR'),
        GLib.build_filenamev([here, '..', '..', 'bindings', 'gjs']),
        ...[GLib.get_user_data_dir(), ...GLib.get_system_data_dirs()]
            .map(dir => GLib.build_filenamev([dir, 'gorm-1.0', 'gjs'])),
    ];
    for (const dir of candidates) {
        if (!dir)
            continue;
        const path = GLib.build_filenamev([dir, 'gorm.js']);
        if (GLib.file_test(path, GLib.FileTest.EXISTS))
            return GLib.filename_to_uri(GLib.canonicalize_filename(path, null), null);
    }
    throw new Error('gorm.js not found: set GORM_GJS_MODULE_DIR');
}

const {defineModel, toArray} = await import(findGormModule());

const BlogPost = defineModel('BlogPost', {
    title: {type: String, maxLength: 200},
    content: String,
    pubDate: {type: GLib.DateTime, autoNowAdd: true},
});

function defaultDatabasePath() {
    const dir = GLib.build_filenamev([GLib.get_user_data_dir(), 'libgorm-blog']);
    GLib.mkdir_with_parents(dir, 0o700);
    return GLib.build_filenamev([dir, 'blog.db']);
}

// A URI as it is, a file as an sqlite: URI.
function databaseUri(database) {
    return GLib.uri_peek_scheme(database) ? database : `sqlite:${database}`;
}

// The database as the demo prints it: without the password of a URI.
function displayName(database) {
    if (!database.includes('://'))
        return database;
    try {
        return GLib.Uri.parse(database, GLib.UriFlags.ENCODED)
            .to_string_partial(GLib.UriHideFlags.PASSWORD);
    } catch (e) {
        return database;
    }
}

async function main(args) {
    if (args.length > 1) {
        printerr('Usage: blog.js [DATABASE-FILE | URI]');
        return 1;
    }
    const path = args[0] ?? defaultDatabasePath();
    try {
        const db = await Gorm.Database.open_async(databaseUri(path), null);
        await db.migrate_async([BlogPost.$gtype], null);

        const post = new BlogPost({
            database: db,
            title: 'My First Post',
            content: 'Hello, world!',
        });
        await post.save_async(null);
        print(`Saved post ${post.id} in ${displayName(path)}`);

        const posts = toArray(await db.query(BlogPost.$gtype)
            .order_by('pub-date', false).fetch_async(null));
        print(`${posts.length} ${posts.length === 1 ? 'post' : 'posts'}:`);
        for (const p of posts)
            print(`  ${p.title} (${p.pubDate.to_local().format('%Y-%m-%d %H:%M')})`);
        db.close(null);
    } catch (e) {
        if (!(e instanceof GLib.Error) || e.domain !== Gorm.error_quark())
            throw e;
        printerr(`blog.js: ${e.message}`);
        return 1;
    }
    return 0;
}

System.exit(await main(System.programArgs));
