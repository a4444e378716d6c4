/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "gorm-resource-private.h"
#include "gorm-value-private.h"

/*
 * Reading the properties libgorm keeps in the object itself
 * (gorm_resource_class_store_property()) by their slot: the fast path of
 * the language bindings' attribute reads, which would otherwise look the
 * property up by name and copy its value into a GValue of their own at
 * every read.
 */

/**
 * gorm_resource_class_get_value_slot:
 * @klass: a resource class
 * @property: the name of a property of @klass
 *
 * Gets the slot in which the objects of @klass, and of the classes
 * deriving from it, keep @property, a property libgorm keeps
 * (gorm_resource_class_store_property()). A binding asks once per
 * property, then reads the values with gorm_resource_peek_value() and
 * gorm_resource_format_date_time().
 *
 * Returns: the slot, from 1; 0 when @klass has no property @property or
 *   libgorm does not keep it
 *
 * Since: 1.0
 */
guint
gorm_resource_class_get_value_slot (GormResourceClass *klass,
                                    const char        *property)
{
  GParamSpec *pspec;

  g_return_val_if_fail (GORM_IS_RESOURCE_CLASS (klass), 0);

  if (property == NULL)
    return 0;
  pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), property);
  return pspec != NULL ? gorm_resource_kept_slot (pspec) : 0;
}

/* The value of the property of @self in @slot: the one kept, or the
 * property's default value while it was never set; NULL for a slot that
 * is not one of the class of @self. */
static const GValue *
value_of (GormResource *self,
          guint         slot)
{
  const GValue *value;
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), NULL);

  value = gorm_resource_peek_kept (self, slot);
  if (value != NULL || slot == 0)
    return value;
  /* Rare (an object built without the property): look for it. */
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    if (gorm_resource_kept_slot (pspecs[i]) == slot)
      return g_param_spec_get_default_value (pspecs[i]);
  return NULL;
}

/**
 * gorm_resource_peek_value:
 * @self: a resource
 * @slot: the slot of a property of the class of @self, from
 *   gorm_resource_class_get_value_slot()
 *
 * Gets the value of the property of @self in @slot, without copying it:
 * what gorm_resource_get_value() reads for the property, by its slot
 * rather than its name. A nullable number that is NULL holds its default
 * value here as there; gorm_resource_is_null() tells NULL apart.
 *
 * Returns: (transfer none) (nullable): the value, valid until the
 *   property changes; %NULL when @slot is not the slot of a property of
 *   the class of @self
 *
 * Since: 1.0
 */
const GValue *
gorm_resource_peek_value (GormResource *self,
                          guint         slot)
{
  return value_of (self, slot);
}

/**
 * gorm_resource_get_int64_value:
 * @self: a resource
 * @slot: the slot of a #gint64 property of the class of @self, from
 *   gorm_resource_class_get_value_slot()
 *
 * Gets the value of the #gint64 property of @self in @slot, as
 * gorm_resource_peek_value() does, without a #GValue.
 *
 * Returns: the value; 0 when the property in @slot is not a #gint64 or
 *   @slot is not one of the class of @self
 *
 * Since: 1.0
 */
gint64
gorm_resource_get_int64_value (GormResource *self,
                               guint         slot)
{
  const GValue *value = value_of (self, slot);

  return value != NULL && G_VALUE_HOLDS_INT64 (value) ? g_value_get_int64 (value) : 0;
}

/**
 * gorm_resource_get_double_value:
 * @self: a resource
 * @slot: the slot of a #gdouble property of the class of @self, from
 *   gorm_resource_class_get_value_slot()
 *
 * Gets the value of the #gdouble property of @self in @slot, as
 * gorm_resource_peek_value() does, without a #GValue.
 *
 * Returns: the value; 0 when the property in @slot is not a #gdouble or
 *   @slot is not one of the class of @self
 *
 * Since: 1.0
 */
gdouble
gorm_resource_get_double_value (GormResource *self,
                                guint         slot)
{
  const GValue *value = value_of (self, slot);

  return value != NULL && G_VALUE_HOLDS_DOUBLE (value) ? g_value_get_double (value) : 0.0;
}

/**
 * gorm_resource_get_boolean_value:
 * @self: a resource
 * @slot: the slot of a #gboolean property of the class of @self, from
 *   gorm_resource_class_get_value_slot()
 *
 * Gets the value of the #gboolean property of @self in @slot, as
 * gorm_resource_peek_value() does, without a #GValue.
 *
 * Returns: the value; %FALSE when the property in @slot is not a
 *   #gboolean or @slot is not one of the class of @self
 *
 * Since: 1.0
 */
gboolean
gorm_resource_get_boolean_value (GormResource *self,
                                 guint         slot)
{
  const GValue *value = value_of (self, slot);

  return value != NULL && G_VALUE_HOLDS_BOOLEAN (value) ? g_value_get_boolean (value) : FALSE;
}

/**
 * gorm_resource_get_string_value:
 * @self: a resource
 * @slot: the slot of a string property of the class of @self, from
 *   gorm_resource_class_get_value_slot()
 *
 * Gets the value of the string property of @self in @slot, as
 * gorm_resource_peek_value() does, without a #GValue.
 *
 * Returns: (transfer none) (nullable): the string, valid until the
 *   property changes; %NULL when the string is %NULL, when the property
 *   in @slot is not a string or @slot is not one of the class of @self
 *
 * Since: 1.0
 */
const char *
gorm_resource_get_string_value (GormResource *self,
                                guint         slot)
{
  const GValue *value = value_of (self, slot);

  return value != NULL && G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : NULL;
}

/**
 * gorm_resource_format_date_time:
 * @self: a resource
 * @slot: the slot of a #GDateTime property of the class of @self, from
 *   gorm_resource_class_get_value_slot()
 *
 * Formats the date-time @self keeps in @slot as ISO 8601 text, as
 * g_date_time_format_iso8601() does (`2020-03-01T10:00:00Z`, with the
 * microseconds when there are any, an offset from UTC other than 0 as
 * `+02` or `+05:30`): one call where a binding would otherwise read the property
 * and then format its value.
 *
 * Returns: (transfer full) (nullable): the text; %NULL when the
 *   date-time is %NULL, when the property in @slot is not a #GDateTime
 *   or @slot is not one of the class of @self
 *
 * Since: 1.0
 */
char *
gorm_resource_format_date_time (GormResource *self,
                                guint         slot)
{
  const GValue *value = value_of (self, slot);
  GDateTime *date_time;

  if (value == NULL || !G_VALUE_HOLDS (value, G_TYPE_DATE_TIME))
    return NULL;
  date_time = g_value_get_boxed (value);
  return date_time != NULL ? gorm_value_format_iso8601 (date_time) : NULL;
}
