/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#define GORM_INSIDE

#include <glib-object.h>
#include <gio/gio.h>

#include "gorm-version.h"
#include "gorm-enums.h"
#include "gorm-error.h"
#include "gorm-types.h"
#include "gorm-database.h"
#include "gorm-resource.h"
#include "gorm-expression.h"
#include "gorm-filter.h"
#include "gorm-migration.h"
#include "gorm-query.h"
#include "gorm-query-model.h"
#include "gorm-row.h"

#undef GORM_INSIDE
