/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gorm.h>

G_BEGIN_DECLS

/* The blog post of ../shared/bench/WORKLOAD.md, as a libgorm user writes it,
 * and the helpers the benchmarks share. */
#define BENCH_TYPE_POST (bench_post_get_type ())
G_DECLARE_FINAL_TYPE (BenchPost, bench_post, BENCH, POST, GormResource)

/* What every benchmark needs beside the model. */
void   bench_remove_database (const char *path);
long   bench_status_kib      (const char *field);
char  *bench_cpu_model       (void);

G_END_DECLS
