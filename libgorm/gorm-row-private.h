/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-row.h"

G_BEGIN_DECLS

/*
 * The column names the rows of one result share, with their lookup by
 * name (the first column of a name wins), reference counted.
 */
typedef struct _GormRowColumns GormRowColumns;

GormRowColumns *gorm_row_columns_new   (guint                n_columns,
                                        const char * const  *names);
GormRowColumns *gorm_row_columns_ref   (GormRowColumns      *columns);
void            gorm_row_columns_unref (GormRowColumns      *columns);
guint           gorm_row_columns_get_n (GormRowColumns      *columns);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormRowColumns, gorm_row_columns_unref)

/* A row of @columns whose values are @values (as many as the columns),
 * taken: a value left unset (G_VALUE_INIT) is SQL NULL. @resource
 * (referenced, may be NULL) is the object of an annotated query's row. */
GormRow        *gorm_row_new_take      (GormRowColumns      *columns,
                                        GValue              *values,
                                        gpointer             resource);
/* A model (GListStore of GORM_TYPE_ROW) holding @rows, taken. */
GListModel     *gorm_row_model_new     (GPtrArray           *rows);

G_END_DECLS
