/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "gorm-test-utils.h"

/* The row type the cross-process test and its writer program share: the
 * same type name, so the same table. */
TEST_DEFINE_RESOURCE (XpItem, xp_item)

static void
xp_item_class_init (XpItemClass *klass)
{
  GParamSpec *pspecs[] = {
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE),
    g_param_spec_int ("score", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE),
  };

  test_object_class_install (G_OBJECT_CLASS (klass), pspecs, G_N_ELEMENTS (pspecs));
  gorm_resource_class_set_indexed (GORM_RESOURCE_CLASS (klass), "score");
}

#define XP_TYPE_ITEM (xp_item_get_type ())
