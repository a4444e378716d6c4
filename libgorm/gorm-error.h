/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(GORM_INSIDE) && !defined(GORM_COMPILATION)
# error "Only <gorm.h> can be included directly."
#endif

#include <glib.h>

#include "gorm-version.h"

G_BEGIN_DECLS

/**
 * GORM_ERROR:
 *
 * The error domain of libgorm. Errors in this domain carry a #GormError code.
 */
#define GORM_ERROR (gorm_error_quark ())

/**
 * GormError:
 * @GORM_ERROR_FAILED: an error without a more precise code, such as SQL the
 *   database rejected.
 * @GORM_ERROR_NOT_FOUND: no row has the requested key.
 * @GORM_ERROR_CONSTRAINT: the database refused a write that breaks a unique,
 *   not-null or foreign-key constraint.
 * @GORM_ERROR_VALIDATION: a value breaks a rule libgorm checks before any SQL
 *   runs, such as a maximum length.
 * @GORM_ERROR_UNKNOWN_PROPERTY: a property name that the resource type does
 *   not have, or does not store.
 * @GORM_ERROR_UNSUPPORTED_TYPE: a property whose type libgorm cannot store.
 * @GORM_ERROR_TYPE_MISMATCH: a value that does not convert without loss to
 *   the type of its property or column.
 * @GORM_ERROR_CONNECTION: the database could not be opened or reached.
 * @GORM_ERROR_MIGRATION: the schema of the database cannot be evolved into
 *   the schema of the resource types.
 * @GORM_ERROR_BUSY: another connection held a lock for longer than the busy
 *   timeout.
 * @GORM_ERROR_FULL: the disk or the quota holding the database is full; the
 *   write that met it was not applied.
 * @GORM_ERROR_READ_ONLY: the database was opened read-only, or its file or
 *   directory cannot be written.
 * @GORM_ERROR_CORRUPT: the database file is damaged or is not a database.
 *
 * The error codes of the %GORM_ERROR domain. Cancellation is reported as
 * %G_IO_ERROR_CANCELLED.
 */
typedef enum {
  GORM_ERROR_FAILED,
  GORM_ERROR_NOT_FOUND,
  GORM_ERROR_CONSTRAINT,
  GORM_ERROR_VALIDATION,
  GORM_ERROR_UNKNOWN_PROPERTY,
  GORM_ERROR_UNSUPPORTED_TYPE,
  GORM_ERROR_TYPE_MISMATCH,
  GORM_ERROR_CONNECTION,
  GORM_ERROR_MIGRATION,
  GORM_ERROR_BUSY,
  GORM_ERROR_FULL,
  GORM_ERROR_READ_ONLY,
  GORM_ERROR_CORRUPT,
} GormError;

GORM_AVAILABLE_IN_ALL
GQuark gorm_error_quark (void);

G_END_DECLS
