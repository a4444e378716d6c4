/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-error.h"

G_DEFINE_QUARK (gorm-error-quark, gorm_error)
