/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-error.h"

/**
 * gorm_error_quark:
 *
 * Gets the quark of the %GORM_ERROR error domain.
 *
 * Returns: the error quark
 */
G_DEFINE_QUARK (gorm-error-quark, gorm_error)
