/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gorm.h>
#include <libgda/libgda.h>

G_BEGIN_DECLS

/* The blog post of bench/WORKLOAD.md, as a libgorm user writes it,
 * and the helpers the benchmarks share. Built with
 * BENCH_MODEL_FOREIGN_KEY (bench-model-related, for the peers) its
 * author-id is a foreign key to BenchAuthor, relation "author". */
#define BENCH_TYPE_POST (bench_post_get_type ())
G_DECLARE_FINAL_TYPE (BenchPost, bench_post, BENCH, POST, GormResource)

const char *bench_post_get_title     (BenchPost *self);
const char *bench_post_get_content   (BenchPost *self);
GDateTime  *bench_post_get_pub_date  (BenchPost *self);
gint64      bench_post_get_views     (BenchPost *self);
void        bench_post_set_views     (BenchPost *self,
                                      gint64     views);
double      bench_post_get_rating    (BenchPost *self);
gboolean    bench_post_get_published (BenchPost *self);
gint64      bench_post_get_author_id (BenchPost *self);

/* The author of bench/WORKLOAD.md: a unique name of at most 100 characters. */
#define BENCH_TYPE_AUTHOR (bench_author_get_type ())
G_DECLARE_FINAL_TYPE (BenchAuthor, bench_author, BENCH, AUTHOR, GormResource)

const char *bench_author_get_name (BenchAuthor *self);

/* What every benchmark needs beside the model. */
void   bench_remove_database (const char *path);
long   bench_status_kib      (const char *field);
char  *bench_cpu_model       (void);

G_END_DECLS
