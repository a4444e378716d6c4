/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>

#include "gorm-error.h"
#include "gorm-resource-private.h"
#include "gorm-value-private.h"

/*
 * Reading and writing the properties libgorm keeps in the object itself
 * (gorm_resource_class_store_property()) by their slot: the fast path of
 * the language bindings' attribute reads and of their constructors, which
 * would otherwise look the property up by name and copy its value
 * through a GValue of their own at every read and write.
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

/* Sets the property of @self in @slot to @value, as
 * gorm_resource_set_value() sets it: in place when @value is of the
 * property's own type, not NULL (@is_null; nor NaN) and within its
 * limits, which is what gorm_resource_set_value() would accept as it is;
 * through gorm_resource_set_value() otherwise, for its conversions, NULL
 * and its errors. */
static gboolean
set_slot (GormResource  *self,
          guint          slot,
          const GValue  *value,
          gboolean       is_null,
          GError       **error)
{
  GParamSpec *pspec;

  g_return_val_if_fail (GORM_IS_RESOURCE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pspec = gorm_resource_kept_pspec (self, slot);
  if (pspec == NULL)
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                   "Cannot set a value: %s keeps no property in slot %u",
                   G_OBJECT_TYPE_NAME (self), slot);
      return FALSE;
    }
  /* NaN and NULL are gorm_resource_set_value()'s to refuse or mark. */
  if (!is_null && !(G_VALUE_TYPE (value) == G_TYPE_DOUBLE && isnan (g_value_get_double (value))) &&
      gorm_resource_write_kept (self, pspec, slot, value))
    return TRUE;
  return gorm_resource_set_value (self, pspec->name, value, error);
}

/**
 * gorm_resource_set_int64_value:
 * @self: a resource
 * @slot: the slot of a property of the class of @self, from
 *   [method@Gorm.ResourceClass.get_value_slot]
 * @value: the new value
 * @error: return location for an error
 *
 * Sets the property of @self in @slot to @value, as
 * [method@Gorm.Resource.set_value] sets it from a `gint64` `GValue`, by its
 * slot rather than its name and without a `GValue`: the writing twin of
 * [method@Gorm.Resource.get_int64_value]. The property is notified and the
 * object marked dirty as a set marks it; a value the property cannot hold
 * (beyond its minimum or maximum, into a property of another type that would
 * lose it) fails as there, and nothing changes.
 *
 * Returns: %TRUE on success, %FALSE with @error set; %GORM_ERROR_UNKNOWN_PROPERTY
 *   when @slot is not the slot of a property of the class of @self
 *
 * Since: 1.0
 */
gboolean
gorm_resource_set_int64_value (GormResource  *self,
                               guint          slot,
                               gint64         value,
                               GError       **error)
{
  GValue gvalue = G_VALUE_INIT;

  g_value_init (&gvalue, G_TYPE_INT64);
  g_value_set_int64 (&gvalue, value);
  return set_slot (self, slot, &gvalue, FALSE, error);
}

/**
 * gorm_resource_set_double_value:
 * @self: a resource
 * @slot: the slot of a property of the class of @self, from
 *   [method@Gorm.ResourceClass.get_value_slot]
 * @value: the new value
 * @error: return location for an error
 *
 * Sets the property of @self in @slot to @value, as
 * [method@Gorm.Resource.set_value] sets it from a `gdouble` `GValue` (NaN is
 * %GORM_ERROR_VALIDATION there), by its slot and without a `GValue`: the
 * writing twin of [method@Gorm.Resource.get_double_value]. See
 * [method@Gorm.Resource.set_int64_value].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_set_double_value (GormResource  *self,
                                guint          slot,
                                gdouble        value,
                                GError       **error)
{
  GValue gvalue = G_VALUE_INIT;

  g_value_init (&gvalue, G_TYPE_DOUBLE);
  g_value_set_double (&gvalue, value);
  return set_slot (self, slot, &gvalue, FALSE, error);
}

/**
 * gorm_resource_set_boolean_value:
 * @self: a resource
 * @slot: the slot of a property of the class of @self, from
 *   [method@Gorm.ResourceClass.get_value_slot]
 * @value: the new value
 * @error: return location for an error
 *
 * Sets the property of @self in @slot to @value, as
 * [method@Gorm.Resource.set_value] sets it from a `gboolean` `GValue`, by
 * its slot and without a `GValue`: the writing twin of
 * [method@Gorm.Resource.get_boolean_value]. See
 * [method@Gorm.Resource.set_int64_value].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_set_boolean_value (GormResource  *self,
                                 guint          slot,
                                 gboolean       value,
                                 GError       **error)
{
  GValue gvalue = G_VALUE_INIT;

  g_value_init (&gvalue, G_TYPE_BOOLEAN);
  g_value_set_boolean (&gvalue, value);
  return set_slot (self, slot, &gvalue, FALSE, error);
}

/**
 * gorm_resource_set_string_value:
 * @self: a resource
 * @slot: the slot of a property of the class of @self, from
 *   [method@Gorm.ResourceClass.get_value_slot]
 * @value: (nullable): the new value, copied; %NULL for NULL
 * @error: return location for an error
 *
 * Sets the property of @self in @slot to @value, as
 * [method@Gorm.Resource.set_value] sets it from a string `GValue` (%NULL as
 * [method@Gorm.Resource.set_null] sets it), by its slot and without a
 * `GValue`: the writing twin of [method@Gorm.Resource.get_string_value]. See
 * [method@Gorm.Resource.set_int64_value].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_set_string_value (GormResource  *self,
                                guint          slot,
                                const char    *value,
                                GError       **error)
{
  GValue gvalue = G_VALUE_INIT;

  /* Borrowed: the kept value is a copy. */
  g_value_init (&gvalue, G_TYPE_STRING);
  g_value_set_static_string (&gvalue, value);
  return set_slot (self, slot, &gvalue, value == NULL, error);
}

/**
 * gorm_resource_set_date_time_value:
 * @self: a resource
 * @slot: the slot of a property of the class of @self, from
 *   [method@Gorm.ResourceClass.get_value_slot]
 * @value: (nullable): the new value; %NULL for NULL
 * @error: return location for an error
 *
 * Sets the [struct@GLib.DateTime] property of @self in @slot to @value (a
 * reference is taken), as [method@Gorm.Resource.set_value] sets it from a
 * [struct@GLib.DateTime] `GValue` (%NULL as [method@Gorm.Resource.set_null]
 * sets it), by its slot and without a `GValue`: the writing twin of
 * [method@Gorm.Resource.format_date_time]. See
 * [method@Gorm.Resource.set_int64_value].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
gorm_resource_set_date_time_value (GormResource  *self,
                                   guint          slot,
                                   GDateTime     *value,
                                   GError       **error)
{
  GValue gvalue = G_VALUE_INIT;

  g_value_init (&gvalue, G_TYPE_DATE_TIME);
  g_value_set_static_boxed (&gvalue, value);
  return set_slot (self, slot, &gvalue, value == NULL, error);
}
