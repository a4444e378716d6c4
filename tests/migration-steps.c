/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "migration-steps.h"

gboolean
test_edit_each (GormDatabase  *database,
                GType          type,
                TestEditFunc   edit,
                GError       **error)
{
  g_autoptr(GormQuery) query = gorm_database_query (database, type);
  g_autoptr(GListModel) objects = gorm_query_fetch (query, NULL, error);

  if (objects == NULL)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(GormResource) object = g_list_model_get_item (objects, i);

      if (!edit (G_OBJECT (object), error) || !gorm_resource_save (object, NULL, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
test_upper_title (GObject  *object,
                  GError  **error)
{
  g_autofree char *title = NULL;
  g_autofree char *upper = NULL;

  g_object_get (object, "title", &title, NULL);
  upper = g_ascii_strup (title, -1);
  g_object_set (object, "title", upper, NULL);
  return TRUE;
}
