/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gorm.h>

G_BEGIN_DECLS

/* The blog post of ../shared/bench/WORKLOAD.md, as a libgorm user writes it. */
#define BENCH_TYPE_POST (bench_post_get_type ())
G_DECLARE_FINAL_TYPE (BenchPost, bench_post, BENCH, POST, GormResource)

G_END_DECLS
