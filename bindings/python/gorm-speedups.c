/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* gi.overrides._gorm_speedups: the compiled part of the Python override
 * (gi/overrides/Gorm.py), for what each loaded object costs most in
 * Python: its construction and the reads of its attributes.
 *
 * FieldBase is the base class of Gorm.Field. Its __get__ reads a field's
 * value from the slot libgorm keeps it in (gorm_resource_peek_value() and
 * its typed twins) and makes the Python value in C: no Python frame and
 * no call through PyGObject's introspection per read. A field whose value
 * needs a conversion of the override's own (an enum, bytes, a nullable
 * number) is still read by Field.read_by_name().
 *
 * ForeignKeyBase is the base class of Gorm.ForeignKey: its __get__ gives
 * the related object the instance keeps while its key is unchanged, in
 * C. get_id() is the getter of Resource.id, and keep_related() what a
 * query set with select_related() does to each object it yields.
 *
 * init_resource is Resource.__init__, in C, and ForeignKeyBase's
 * __set__ the assignment of a related object: see "Construction and
 * assignment in C" below.
 *
 * set_new_func() gives a model the function libgorm builds its loaded
 * objects with (gorm_resource_class_set_new_func()): the object is built
 * with its wrapper attached before PyGObject's instance initializer runs
 * (gorm_resource_new_with_init()), never by a plain g_object_new(),
 * which PyGObject 3.42 may give the wrapper of another object that
 * Python is constructing at that moment (see
 * gorm_resource_class_set_new_func() and _ResourceMeta in Gorm.py); it
 * is called from C, without a PyGObject closure around it. collect()
 * keeps those wrappers while a load runs, so that the objects it gives
 * to Python are not wrapped twice.
 *
 * RowReader builds the rows values() and values_list() yield (dicts,
 * tuples, values, namedtuples) from the Gorm.Rows of a result, a whole
 * result in one call: see "Rows of values() and values_list() in C"
 * below.
 *
 * The module uses libgorm's public API only, through the shared library
 * the typelib loads too: one copy of the library and its types. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>
#include <datetime.h>
#include <structmember.h>
#include <pygobject.h>

#include <gorm.h>

/* How a FieldBase reads its field (FieldBase.set_reader()). */
typedef enum
{
  READ_BY_NAME,
  READ_INT64,
  READ_DOUBLE,
  READ_BOOLEAN,
  READ_STRING,
  READ_DATETIME,
  READ_INTEGER,
  N_READERS,
} Reader;

typedef struct
{
  PyObject_HEAD
  /* The model the field was described on: a read checks the instance is
   * one of its objects, so that a slot is never read from an object of
   * another class. */
  GType     model;
  /* The model's Python name, for messages. */
  PyObject *model_name;
  guint     slot;
  int       reader;
} FieldBase;

static PyObject *read_by_name_name;
static PyObject *key_attribute_name;
static PyObject *cache_name_name;
static PyObject *target_key_name;
static PyObject *load_name;
static PyObject *dict_name;
static PyObject *own_init_name;
static PyObject *init_name;
static PyObject *empty_tuple;

/* The name of a field, for messages: the attribute GObject.Property
 * keeps its name in. */
static PyObject *
field_name (PyObject *field)
{
  PyObject *name = PyObject_GetAttrString (field, "name");

  if (name == NULL || !PyUnicode_Check (name))
    {
      PyErr_Clear ();
      Py_XDECREF (name);
      return PyUnicode_FromString ("?");
    }
  return name;
}

/* The GObject of @instance when it is a PyGObject wrapper, NULL for
 * another Python object or a wrapper whose object was never
 * constructed. */
static GObject *
gobject_of (PyObject *instance)
{
  return PyObject_TypeCheck (instance, &PyGObject_Type) ? pygobject_get (instance) : NULL;
}

/* PyGObject's getter of a wrapper's __dict__ (the descriptor
 * GObject.Object's instances take it from), found once: the getter gives
 * the wrapper its dictionary and the toggle reference that keeps a
 * wrapper with attributes alive. Called directly, not looked up through
 * the class of each instance. */
static PyObject *dict_descriptor;

/* The __dict__ of the wrapper @instance, as instance.__dict__ gives it. */
static PyObject *
wrapper_dict (PyObject *instance)
{
  return Py_TYPE (dict_descriptor)->tp_descr_get (dict_descriptor, instance,
                                                 (PyObject *) Py_TYPE (instance));
}

/* The GormResource of the wrapper @instance, checked to be an object of
 * the field's model; NULL with TypeError for anything else (another
 * Python object, a GObject of another class, a wrapper whose object was
 * never constructed). */
static GObject *
resource_of (FieldBase *self,
             PyObject  *instance)
{
  GObject *object = gobject_of (instance);
  PyObject *name;

  if (object != NULL && G_TYPE_CHECK_INSTANCE_TYPE (object, self->model))
    return object;

  name = field_name ((PyObject *) self);
  if (name == NULL)
    return NULL;
  if (object == NULL && PyObject_TypeCheck (instance, &PyGObject_Type))
    PyErr_Format (PyExc_TypeError,
                  "%U.%U: cannot read the field of a %s that was never constructed",
                  self->model_name, name, Py_TYPE (instance)->tp_name);
  else
    PyErr_Format (PyExc_TypeError, "%U.%U: cannot read the field of %R, not a %U",
                  self->model_name, name, instance, self->model_name);
  Py_DECREF (name);
  return NULL;
}

/* The object of @type (@type_name in Python) of the wrapper @instance
 * given to @function; NULL with TypeError for anything else. */
static GObject *
typed_argument (PyObject   *instance,
                GType       type,
                const char *type_name,
                const char *function)
{
  GObject *object = gobject_of (instance);

  if (object != NULL && G_TYPE_CHECK_INSTANCE_TYPE (object, type))
    return object;
  /* Not its repr(): that of a wrapper never constructed raises. */
  PyErr_Format (PyExc_TypeError, "%s: a %s is not a constructed %s",
                function, Py_TYPE (instance)->tp_name, type_name);
  return NULL;
}

/* The GormResource of the wrapper @instance given to @function. */
static GObject *
resource_argument (PyObject   *instance,
                   const char *function)
{
  return typed_argument (instance, GORM_TYPE_RESOURCE, "Gorm.Resource", function);
}

/* The GormRow of the wrapper @instance given to @function. */
static GormRow *
row_argument (PyObject   *instance,
              const char *function)
{
  return (GormRow *) typed_argument (instance, GORM_TYPE_ROW, "Gorm.Row", function);
}

/* The aware datetime.datetime of a GDateTime, in its UTC offset: what
 * datetime.fromisoformat() makes of its ISO 8601 text. */
static PyObject *
datetime_from_glib (GDateTime *date_time)
{
  GTimeSpan offset = g_date_time_get_utc_offset (date_time);
  PyObject *zone, *delta, *result;
  gint year, month, day;

  if (offset == 0)
    zone = Py_NewRef (PyDateTime_TimeZone_UTC);
  else
    {
      delta = PyDelta_FromDSU (0, (int) (offset / G_TIME_SPAN_SECOND), 0);
      if (delta == NULL)
        return NULL;
      zone = PyTimeZone_FromOffset (delta);
      Py_DECREF (delta);
      if (zone == NULL)
        return NULL;
    }
  g_date_time_get_ymd (date_time, &year, &month, &day);
  result = PyDateTimeAPI->DateTime_FromDateAndTime (year, month, day,
                                                    g_date_time_get_hour (date_time),
                                                    g_date_time_get_minute (date_time),
                                                    g_date_time_get_second (date_time),
                                                    g_date_time_get_microsecond (date_time),
                                                    zone, PyDateTimeAPI->DateTimeType);
  Py_DECREF (zone);
  return result;
}

/* The Python int of an integer GValue, as PyGObject converts it; None for
 * a value of another type. */
static PyObject *
integer_from_value (const GValue *value)
{
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value)))
    {
    case G_TYPE_CHAR:
      return PyLong_FromLong (g_value_get_schar (value));
    case G_TYPE_UCHAR:
      return PyLong_FromUnsignedLong (g_value_get_uchar (value));
    case G_TYPE_INT:
      return PyLong_FromLong (g_value_get_int (value));
    case G_TYPE_UINT:
      return PyLong_FromUnsignedLong (g_value_get_uint (value));
    case G_TYPE_LONG:
      return PyLong_FromLong (g_value_get_long (value));
    case G_TYPE_ULONG:
      return PyLong_FromUnsignedLong (g_value_get_ulong (value));
    case G_TYPE_INT64:
      return PyLong_FromLongLong (g_value_get_int64 (value));
    case G_TYPE_UINT64:
      return PyLong_FromUnsignedLongLong (g_value_get_uint64 (value));
    default:
      Py_RETURN_NONE;
    }
}

static PyObject *
read_slot (GormResource *resource,
           guint         slot,
           Reader        reader)
{
  const GValue *value;
  const char *text;

  switch (reader)
    {
    case READ_INT64:
      return PyLong_FromLongLong (gorm_resource_get_int64_value (resource, slot));
    case READ_DOUBLE:
      return PyFloat_FromDouble (gorm_resource_get_double_value (resource, slot));
    case READ_BOOLEAN:
      return PyBool_FromLong (gorm_resource_get_boolean_value (resource, slot));
    case READ_STRING:
      text = gorm_resource_get_string_value (resource, slot);
      if (text == NULL)
        Py_RETURN_NONE;
      return PyUnicode_FromString (text);
    case READ_DATETIME:
      value = gorm_resource_peek_value (resource, slot);
      if (value == NULL || !G_VALUE_HOLDS (value, G_TYPE_DATE_TIME) ||
          g_value_get_boxed (value) == NULL)
        Py_RETURN_NONE;
      return datetime_from_glib (g_value_get_boxed (value));
    case READ_INTEGER:
      value = gorm_resource_peek_value (resource, slot);
      if (value == NULL)
        Py_RETURN_NONE;
      return integer_from_value (value);
    case READ_BY_NAME:
    case N_READERS:
    default:
      g_assert_not_reached ();
    }
}

static void
field_base_dealloc (PyObject *self)
{
  Py_CLEAR (((FieldBase *) self)->model_name);
  Py_TYPE (self)->tp_free (self);
}

static PyObject *
field_base_get (PyObject *self,
                PyObject *instance,
                PyObject *owner)
{
  FieldBase *field = (FieldBase *) self;
  GObject *object;

  if (instance == NULL || instance == Py_None)
    return Py_NewRef (self);
  if (field->reader == READ_BY_NAME)
    return PyObject_CallMethodOneArg (self, read_by_name_name, instance);
  object = resource_of (field, instance);
  if (object == NULL)
    return NULL;
  return read_slot (GORM_RESOURCE (object), field->slot, field->reader);
}

static PyObject *
field_base_set_reader (PyObject *self,
                       PyObject *args)
{
  FieldBase *field = (FieldBase *) self;
  PyObject *model, *model_name, *slot_object;
  GType type;
  unsigned long slot;
  int reader;

  if (!PyArg_ParseTuple (args, "OO!i:set_reader", &model, &PyLong_Type, &slot_object, &reader))
    return NULL;
  slot = PyLong_AsUnsignedLong (slot_object);
  if (slot == (unsigned long) -1 && PyErr_Occurred ())
    return NULL;
  if (slot > G_MAXUINT)
    return PyErr_Format (PyExc_OverflowError, "set_reader: slot %lu is out of range", slot);
  type = pyg_type_from_object (model);
  if (type == G_TYPE_INVALID)
    return NULL;
  if (!g_type_is_a (type, GORM_TYPE_RESOURCE))
    return PyErr_Format (PyExc_TypeError, "set_reader: %R is not a Gorm.Resource class",
                         model);
  if (reader < READ_BY_NAME || reader >= N_READERS)
    return PyErr_Format (PyExc_ValueError, "set_reader: %d is not a reader", reader);
  if (reader != READ_BY_NAME && slot == 0)
    return PyErr_Format (PyExc_ValueError,
                         "set_reader: a field read by its slot needs a slot, not 0");
  model_name = PyObject_GetAttrString (model, "__name__");
  if (model_name == NULL)
    return NULL;
  if (!PyUnicode_Check (model_name))
    {
      Py_DECREF (model_name);
      return PyErr_Format (PyExc_TypeError, "set_reader: %R has no str __name__", model);
    }
  field->model = type;
  Py_XSETREF (field->model_name, model_name);
  field->slot = (guint) slot;
  field->reader = reader;
  Py_RETURN_NONE;
}

/* copy.copy() of a field (a model deriving from an abstract one copies
 * its fields) takes its attributes; the copy is read by name until it is
 * described on its own model. */
static PyObject *
field_base_getstate (PyObject *self,
                     PyObject *unused)
{
  PyObject *dict = PyObject_GenericGetDict (self, NULL), *state;

  if (dict == NULL)
    return NULL;
  state = PyDict_Copy (dict);
  Py_DECREF (dict);
  return state;
}

static PyMethodDef field_base_methods[] = {
  { "set_reader", field_base_set_reader, METH_VARARGS,
    "set_reader(model, slot, reader): reads the field of objects of model "
    "from slot, by reader (one of the module's READ_* constants)." },
  { "__getstate__", field_base_getstate, METH_NOARGS, NULL },
  { NULL },
};

static PyMemberDef field_base_members[] = {
  { "_slot", T_UINT, offsetof (FieldBase, slot), READONLY, NULL },
  { "_slot_reader", T_INT, offsetof (FieldBase, reader), READONLY, NULL },
  { NULL },
};

static PyTypeObject field_base_type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._gorm_speedups.FieldBase",
  .tp_doc = "The base of Gorm.Field: reads a field's value by its slot, in C.",
  .tp_basicsize = sizeof (FieldBase),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .tp_new = PyType_GenericNew,
  .tp_dealloc = field_base_dealloc,
  .tp_descr_get = field_base_get,
  .tp_methods = field_base_methods,
  .tp_members = field_base_members,
};

/* ForeignKeyBase: the base of Gorm.ForeignKey, whose __get__ gives the
 * object kept in the instance's __dict__ while its primary key is the
 * instance's key, without a Python frame; otherwise the ForeignKey's
 * _load() finds it. The names come from the ForeignKey's attributes
 * (key_attribute, cache_name, target_key): a relation is declared, and
 * its target_key set, once its target model exists. __get__ keeps them
 * in the struct from its first read on, and any assignment of an
 * attribute of the ForeignKey drops what it kept (they are assigned
 * while the model is declared, never per object). */
typedef struct
{
  PyObject_HEAD
  PyObject *key_attribute;
  PyObject *cache_name;
  PyObject *target_key;
  /* Whether target_key is get_id(): the key of a kept object is then
   * read by gorm_resource_get_id(), without a call through Python. */
  gboolean  target_key_is_id;
} ForeignKeyBase;

static PyObject *get_id (PyObject *module,
                         PyObject *instance);

/* The attribute @name of the ForeignKey @self, a new reference: from its
 * instance dictionary, where the ForeignKey keeps key_attribute,
 * cache_name and target_key, without the lookup through its class that
 * PyObject_GetAttr() makes first; through PyObject_GetAttr() when the
 * dictionary does not hold it. */
static PyObject *
foreign_key_attribute (PyObject *self,
                       PyObject *name)
{
  PyObject *dict = PyObject_GenericGetDict (self, NULL);
  PyObject *value = NULL;

  if (dict == NULL)
    {
      PyErr_Clear ();
      return PyObject_GetAttr (self, name);
    }
  if (PyDict_CheckExact (dict))
    value = Py_XNewRef (PyDict_GetItemWithError (dict, name));
  Py_DECREF (dict);
  if (value != NULL || PyErr_Occurred ())
    return value;
  return PyObject_GetAttr (self, name);
}

/* The attribute @name of @self, kept in @slot from its first read on: a
 * borrowed reference, or NULL with an exception. */
static PyObject *
kept_attribute (PyObject  *self,
                PyObject **slot,
                PyObject  *name)
{
  if (*slot == NULL)
    *slot = foreign_key_attribute (self, name);
  return *slot;
}

static int
foreign_key_base_traverse (PyObject  *self,
                           visitproc  visit,
                           void      *arg)
{
  ForeignKeyBase *foreign_key = (ForeignKeyBase *) self;

  Py_VISIT (foreign_key->key_attribute);
  Py_VISIT (foreign_key->cache_name);
  Py_VISIT (foreign_key->target_key);
  return 0;
}

static int
foreign_key_base_clear (PyObject *self)
{
  ForeignKeyBase *foreign_key = (ForeignKeyBase *) self;

  Py_CLEAR (foreign_key->key_attribute);
  Py_CLEAR (foreign_key->cache_name);
  Py_CLEAR (foreign_key->target_key);
  foreign_key->target_key_is_id = FALSE;
  return 0;
}

static void
foreign_key_base_dealloc (PyObject *self)
{
  PyObject_GC_UnTrack (self);
  foreign_key_base_clear (self);
  Py_TYPE (self)->tp_free (self);
}

/* Any assignment (key_attribute, cache_name, target_key among others)
 * drops what __get__ kept of the attributes. */
static int
foreign_key_base_setattro (PyObject *self,
                           PyObject *name,
                           PyObject *value)
{
  if (PyObject_GenericSetAttr (self, name, value) < 0)
    return -1;
  foreign_key_base_clear (self);
  return 0;
}

/* Whether the object @kept has the primary key @key: target_key(kept) ==
 * key, by gorm_resource_get_id() for an automatic key; 1, 0 or -1 with an
 * exception. */
static int
kept_has_key (ForeignKeyBase *self,
              PyObject       *kept,
              PyObject       *key)
{
  PyObject *target_key, *kept_key;
  GObject *object;
  int same;

  target_key = kept_attribute ((PyObject *) self, &self->target_key, target_key_name);
  if (target_key == NULL)
    return -1;
  if (!self->target_key_is_id)
    self->target_key_is_id = PyCFunction_Check (target_key) &&
                             PyCFunction_GET_FUNCTION (target_key) == (PyCFunction) get_id;
  object = self->target_key_is_id && PyLong_CheckExact (key) ? gobject_of (kept) : NULL;
  if (object != NULL && GORM_IS_RESOURCE (object))
    {
      int overflow;
      long long wanted = PyLong_AsLongLongAndOverflow (key, &overflow);

      return overflow == 0 && wanted == gorm_resource_get_id (GORM_RESOURCE (object));
    }
  kept_key = PyObject_CallOneArg (target_key, kept);
  if (kept_key == NULL)
    return -1;
  same = PyObject_RichCompareBool (kept_key, key, Py_EQ);
  Py_DECREF (kept_key);
  return same;
}

static PyObject *
foreign_key_base_get (PyObject *self,
                      PyObject *instance,
                      PyObject *owner)
{
  ForeignKeyBase *foreign_key = (ForeignKeyBase *) self;
  PyObject *key_attribute, *cache_name, *key = NULL, *dict = NULL, *kept = NULL;
  PyObject *result = NULL;
  int same;

  if (instance == NULL || instance == Py_None)
    return Py_NewRef (self);
  key_attribute = kept_attribute (self, &foreign_key->key_attribute, key_attribute_name);
  if (key_attribute == NULL)
    return NULL;
  key = PyObject_GetAttr (instance, key_attribute);
  if (key == NULL)
    goto out;
  if (key == Py_None)
    {
      result = Py_NewRef (Py_None);
      goto out;
    }
  /* A wrapper's dictionary as it is: one without a dictionary keeps
   * nothing (_load() makes it, through PyGObject's getter, which keeps
   * the wrapper of an object with a __dict__ alive). Another instance has
   * its own. */
  if (PyObject_TypeCheck (instance, &PyGObject_Type))
    dict = Py_XNewRef (((PyGObject *) instance)->inst_dict);
  else if ((dict = PyObject_GetAttr (instance, dict_name)) == NULL)
    goto out;
  cache_name = kept_attribute (self, &foreign_key->cache_name, cache_name_name);
  if (cache_name == NULL)
    goto out;
  if (dict != NULL && PyDict_Check (dict))
    {
      kept = Py_XNewRef (PyDict_GetItemWithError (dict, cache_name));
      if (kept == NULL && PyErr_Occurred ())
        goto out;
    }
  if (kept != NULL && kept != Py_None)
    {
      same = kept_has_key (foreign_key, kept, key);
      if (same < 0)
        goto out;
      if (same)
        {
          result = Py_NewRef (kept);
          goto out;
        }
    }
  result = PyObject_CallMethodObjArgs (self, load_name, instance, key, NULL);

out:
  Py_XDECREF (key);
  Py_XDECREF (dict);
  Py_XDECREF (kept);
  return result;
}

/* copy.copy() of a ForeignKey (a model deriving from an abstract one
 * copies its relations) takes its attributes, as of a field; the copy
 * reads them again at its first use. */
static PyMethodDef foreign_key_base_methods[] = {
  { "__getstate__", field_base_getstate, METH_NOARGS, NULL },
  { NULL },
};

static int foreign_key_base_set (PyObject *self,
                                 PyObject *instance,
                                 PyObject *value);

static PyTypeObject foreign_key_base_type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._gorm_speedups.ForeignKeyBase",
  .tp_doc = "The base of Gorm.ForeignKey: gives the related object kept, in C.",
  .tp_basicsize = sizeof (ForeignKeyBase),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .tp_new = PyType_GenericNew,
  .tp_dealloc = foreign_key_base_dealloc,
  .tp_traverse = foreign_key_base_traverse,
  .tp_clear = foreign_key_base_clear,
  .tp_setattro = foreign_key_base_setattro,
  .tp_methods = foreign_key_base_methods,
  .tp_descr_get = foreign_key_base_get,
  .tp_descr_set = foreign_key_base_set,
};

/* get_id(resource): gorm_resource_get_id(), the getter of Resource.id. */
static PyObject *
get_id (PyObject *module,
        PyObject *instance)
{
  GObject *object = resource_argument (instance, "get_id");

  if (object == NULL)
    return NULL;
  return PyLong_FromLongLong (gorm_resource_get_id (GORM_RESOURCE (object)));
}

/* get_value(resource, name): gorm_resource_get_value(), a boxed value
 * (a GLib.DateTime, a GLib.Bytes) copied into its wrapper. PyGObject 3.42
 * wraps the boxed value of a caller-allocated GValue without a copy and
 * then unsets the GValue: the wrapper pointed at the object's own value,
 * freed with the object or the next assignment. */
static PyObject *
get_value (PyObject        *module,
           PyObject *const *args,
           Py_ssize_t       nargs)
{
  GValue value = G_VALUE_INIT;
  GParamSpec *pspec;
  GObject *object;
  const char *name;
  PyObject *result;

  if (nargs != 2)
    return PyErr_Format (PyExc_TypeError, "get_value() takes 2 arguments (%zd given)", nargs);
  object = resource_argument (args[0], "get_value");
  if (object == NULL)
    return NULL;
  if (!PyUnicode_Check (args[1]))
    return PyErr_Format (PyExc_TypeError, "get_value: a property name is a str, not %s",
                         Py_TYPE (args[1])->tp_name);
  name = PyUnicode_AsUTF8 (args[1]);
  if (name == NULL)
    return NULL;
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  if (pspec == NULL || !(pspec->flags & G_PARAM_READABLE))
    return PyErr_Format (PyExc_TypeError, "%s has no readable property '%s'",
                         G_OBJECT_TYPE_NAME (object), name);
  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  gorm_resource_get_value (GORM_RESOURCE (object), pspec->name, &value);
  result = pyg_value_as_pyobject (&value, TRUE);
  g_value_unset (&value);
  return result;
}

/* row_value(row, column): gorm_row_get_value(), None for NULL, a boxed
 * value copied into its wrapper: PyGObject 3.42 wraps the boxed value of
 * a returned GValue (transfer none) without a copy, which pointed into
 * the row and went with it. */
static PyObject *
row_value (PyObject        *module,
           PyObject *const *args,
           Py_ssize_t       nargs)
{
  const GValue *value;
  GormRow *row;
  long column;

  if (nargs != 2)
    return PyErr_Format (PyExc_TypeError, "row_value() takes 2 arguments (%zd given)", nargs);
  row = row_argument (args[0], "row_value");
  if (row == NULL)
    return NULL;
  column = PyLong_AsLong (args[1]);
  if (column == -1 && PyErr_Occurred ())
    return NULL;
  if (column < 0 || column >= (long) gorm_row_get_n_columns (row))
    return PyErr_Format (PyExc_IndexError, "row_value: the row has %u columns, not a column %ld",
                         gorm_row_get_n_columns (row), column);
  value = gorm_row_get_value (row, (guint) column);
  if (value == NULL)
    Py_RETURN_NONE;
  return pyg_value_as_pyobject (value, TRUE);
}

/* Keeps in the __dict__ of the wrapper @wrapper of @object, under
 * @cache_name, the object @object refers to through @relation when
 * libgorm has it at hand (gorm_resource_peek_related(), what
 * select_related() loaded); 0, or -1 with an exception. */
static int
keep_one (PyObject     *wrapper,
          GormResource *object,
          const char   *relation,
          PyObject     *cache_name)
{
  PyObject *dict, *related_wrapper;
  gpointer related = gorm_resource_peek_related (object, relation);
  int failed;

  if (related == NULL)
    return 0;
  related_wrapper = pygobject_new (G_OBJECT (related));
  if (related_wrapper == NULL)
    return -1;
  dict = wrapper_dict (wrapper);
  if (dict == NULL)
    {
      Py_DECREF (related_wrapper);
      return -1;
    }
  failed = PyObject_SetItem (dict, cache_name, related_wrapper);
  Py_DECREF (dict);
  Py_DECREF (related_wrapper);
  return failed;
}

/* keep_related(relation, cache_name, resource): keep_one() of @resource;
 * gives @resource back. */
static PyObject *
keep_related (PyObject         *module,
              PyObject * const *args,
              Py_ssize_t        n_args)
{
  const char *relation;
  GObject *object;

  if (n_args != 3 || !PyUnicode_Check (args[0]) || !PyUnicode_Check (args[1]))
    return PyErr_Format (PyExc_TypeError,
                         "keep_related(relation, cache_name, resource): two str and a resource");
  object = resource_argument (args[2], "keep_related");
  if (object == NULL)
    return NULL;
  relation = PyUnicode_AsUTF8 (args[0]);
  if (relation == NULL)
    return NULL;
  if (keep_one (args[2], GORM_RESOURCE (object), relation, args[1]) < 0)
    return NULL;
  return Py_NewRef (args[2]);
}

/* A position or a count of take_related(), within a guint; -1 with
 * TypeError for anything but an int, ValueError for an int beyond. */
static long long
list_index (PyObject   *object,
            const char *what)
{
  long long index;

  if (!PyLong_Check (object))
    {
      PyErr_Format (PyExc_TypeError, "take_related: %s is an int, not %s", what,
                    Py_TYPE (object)->tp_name);
      return -1;
    }
  index = PyLong_AsLongLong (object);
  if (index < 0 || index > G_MAXUINT)
    {
      if (!PyErr_Occurred () || PyErr_ExceptionMatches (PyExc_OverflowError))
        {
          PyErr_Clear ();
          PyErr_Format (PyExc_ValueError,
                        "take_related: %s is an int from 0 to %u, not %R", what, G_MAXUINT, object);
        }
      return -1;
    }
  return index;
}

/* A NULL item (one a model could not load) is kept as NULL. */
static void
unref_item (gpointer item)
{
  if (item != NULL)
    g_object_unref (item);
}

/* gorm_query_dup_items() of @model with the interpreter lock released, as
 * PyGObject calls it: the pages it loads may take a while. The array
 * holds a reference to each item. */
static GPtrArray *
dup_items_unlocked (GObject *model,
                    guint    start,
                    guint    n_items)
{
  GPtrArray *items;

  g_object_ref (model);
  Py_BEGIN_ALLOW_THREADS
  items = gorm_query_dup_items (G_LIST_MODEL (model), start, n_items);
  Py_END_ALLOW_THREADS
  g_object_unref (model);
  g_ptr_array_set_free_func (items, unref_item);
  return items;
}

/* take_related(model, start, n_items, relation, cache_name): the list of
 * the items of the Gio.ListModel @model from @start on, at most @n_items
 * (gorm_query_dup_items(), with the lock released as PyGObject releases
 * it: the items' pages may be loaded), each an object through
 * keep_related(relation, cache_name, object), which refuses an item the
 * model could not load (None) with TypeError: what Gorm.py's _take()
 * gives for a QuerySet with select_related() of one relation, without a
 * call per item. */
static PyObject *
take_related (PyObject         *module,
              PyObject * const *args,
              Py_ssize_t        n_args)
{
  g_autoptr(GPtrArray) items = NULL;
  long long start, n_items;
  const char *relation;
  PyObject *list = NULL;
  GObject *model;
  guint i;

  if (n_args != 5 || !PyUnicode_Check (args[3]) || !PyUnicode_Check (args[4]))
    return PyErr_Format (PyExc_TypeError,
                         "take_related(model, start, n_items, relation, cache_name): "
                         "a Gio.ListModel, two int and two str");
  model = typed_argument (args[0], G_TYPE_LIST_MODEL, "Gio.ListModel", "take_related");
  if (model == NULL)
    return NULL;
  start = list_index (args[1], "start");
  if (start < 0)
    return NULL;
  n_items = list_index (args[2], "n_items");
  if (n_items < 0)
    return NULL;
  relation = PyUnicode_AsUTF8 (args[3]);
  if (relation == NULL)
    return NULL;

  items = dup_items_unlocked (model, (guint) start, (guint) n_items);
  list = PyList_New (items->len);
  for (i = 0; list != NULL && i < items->len; i++)
    {
      GObject *item = g_ptr_array_index (items, i);
      PyObject *wrapper = item != NULL ? pygobject_new (item) : Py_NewRef (Py_None);

      /* Anything but an object (an item the model could not load) is
       * refused as keep_related() refuses it. */
      if (wrapper != NULL &&
          ((!GORM_IS_RESOURCE (item) && resource_argument (wrapper, "keep_related") == NULL) ||
           keep_one (wrapper, GORM_RESOURCE (item), relation, args[4]) < 0))
        Py_CLEAR (wrapper);
      if (wrapper == NULL)
        Py_CLEAR (list);
      else
        PyList_SET_ITEM (list, i, wrapper);
    }
  return list;
}

/* Queries built in one call.
 *
 * A QuerySet of keyword lookups and field names (filter(views__gt=x,
 * published=True).order_by('-pub_date')[:20]) made one PyGObject call per
 * comparison, per gorm_filter_and(), per builder method: about 10 k
 * instructions each, as much as libgorm spends rendering the query's SQL.
 * build_filter() and build_query() make the Gorm.Filter and the
 * Gorm.Query of such a QuerySet in one call each. */

/* The comparisons of build_filter(), by the code Gorm.py gives them
 * (_COMPARE_CODES). */
static GormFilter *(* const comparisons[]) (const char *, const GValue *) = {
  gorm_filter_eq, gorm_filter_ne, gorm_filter_lt, gorm_filter_le, gorm_filter_gt, gorm_filter_ge,
};

/* Sets the unset @value to the GValue the override passes for @object to a
 * Gorm.Filter constructor (see _passes_as_is() and _to_gvalue() in
 * Gorm.py): a str, float or bool in its own type, an int in a gint within
 * 32 bits and a gint64 beyond, a GObject.Value copied, a GLib.DateTime or
 * a GLib.Bytes boxed. 1 when it did, 0 without an exception for any other
 * object, which the override converts itself. */
static int
value_from_python (PyObject *object,
                   GValue   *value)
{
  PyTypeObject *type = Py_TYPE (object);

  if (type == &PyUnicode_Type)
    {
      const char *text = PyUnicode_AsUTF8 (object);

      /* A str without UTF-8 form is refused by the override's path, with
       * PyGObject's own error. */
      if (text == NULL)
        {
          PyErr_Clear ();
          return 0;
        }
      g_value_init (value, G_TYPE_STRING);
      g_value_set_string (value, text);
    }
  else if (type == &PyBool_Type)
    {
      g_value_init (value, G_TYPE_BOOLEAN);
      g_value_set_boolean (value, object == Py_True);
    }
  else if (type == &PyFloat_Type)
    {
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, PyFloat_AS_DOUBLE (object));
    }
  else if (type == &PyLong_Type)
    {
      int overflow;
      long long number = PyLong_AsLongLongAndOverflow (object, &overflow);

      if (overflow != 0)
        return 0;
      if (number >= G_MININT32 && number <= G_MAXINT32)
        {
          g_value_init (value, G_TYPE_INT);
          g_value_set_int (value, (gint) number);
        }
      else
        {
          g_value_init (value, G_TYPE_INT64);
          g_value_set_int64 (value, number);
        }
    }
  else if (pyg_boxed_check (object, G_TYPE_VALUE))
    {
      const GValue *given = pyg_boxed_get (object, GValue);

      if (!G_IS_VALUE (given))
        return 0;
      g_value_init (value, G_VALUE_TYPE (given));
      g_value_copy (given, value);
    }
  else if (pyg_boxed_check (object, G_TYPE_DATE_TIME) || pyg_boxed_check (object, G_TYPE_BYTES))
    {
      g_value_init (value, ((PyGBoxed *) object)->gtype);
      g_value_set_boxed (value, pyg_boxed_get_ptr (object));
    }
  else
    return 0;
  return 1;
}

/* build_filter(where, terms): the Gorm.Filter @where (unless None) and
 * the comparisons of @terms, a tuple of (code, property name, value)
 * whose code is an index of comparisons[]: what QuerySet.filter() makes
 * of keyword lookups comparing fields with values, with the same
 * structure (where AND (t1 AND t2 ...)). None when a value is not one
 * value_from_python() converts: the override then takes the path of one
 * lookup at a time. */
static PyObject *
build_filter (PyObject         *module,
              PyObject * const *args,
              Py_ssize_t        n_args)
{
  g_autoptr(GormFilter) conjunction = NULL;
  PyObject *terms;

  if (n_args != 2 || !PyTuple_Check (args[1]) || PyTuple_GET_SIZE (args[1]) == 0)
    return PyErr_Format (PyExc_TypeError,
                         "build_filter(where, terms): terms is a tuple of (code, name, value)");
  if (args[0] != Py_None && !pyg_boxed_check (args[0], GORM_TYPE_FILTER))
    return PyErr_Format (PyExc_TypeError, "build_filter: %R is not a Gorm.Filter", args[0]);
  terms = args[1];
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE (terms); i++)
    {
      PyObject *term = PyTuple_GET_ITEM (terms, i);
      g_auto(GValue) value = G_VALUE_INIT;
      GormFilter *comparison;
      const char *name;
      long code;

      if (!PyTuple_Check (term) || PyTuple_GET_SIZE (term) != 3 ||
          !PyLong_Check (PyTuple_GET_ITEM (term, 0)) || !PyUnicode_Check (PyTuple_GET_ITEM (term, 1)))
        return PyErr_Format (PyExc_TypeError,
                             "build_filter: a term is a (code, name, value) triple, not %R", term);
      code = PyLong_AsLong (PyTuple_GET_ITEM (term, 0));
      if (code < 0 || code >= (long) G_N_ELEMENTS (comparisons))
        {
          if (!PyErr_Occurred ())
            PyErr_Format (PyExc_ValueError, "build_filter: no comparison has the code %R",
                          PyTuple_GET_ITEM (term, 0));
          return NULL;
        }
      name = PyUnicode_AsUTF8 (PyTuple_GET_ITEM (term, 1));
      if (name == NULL)
        return NULL;
      if (value_from_python (PyTuple_GET_ITEM (term, 2), &value) == 0)
        Py_RETURN_NONE;
      comparison = comparisons[code] (name, &value);
      conjunction = conjunction == NULL ? comparison
                                        : gorm_filter_and (g_steal_pointer (&conjunction),
                                                           comparison);
    }
  if (args[0] != Py_None)
    conjunction = gorm_filter_and (gorm_filter_ref (pyg_boxed_get (args[0], GormFilter)),
                                   g_steal_pointer (&conjunction));
  return pyg_boxed_new (GORM_TYPE_FILTER, g_steal_pointer (&conjunction), FALSE, TRUE);
}

/* build_query(database, gtype, where, orders, offset, limit): the
 * Gorm.Query of @gtype's objects on @database (None: the default
 * database; None back when there is none), filtered by the Gorm.Filter
 * @where unless None, ordered by @orders (a tuple of (property name,
 * descending) pairs), from @offset on, at most @limit unless None: what
 * QuerySet._query() builds for a plain QuerySet in one call rather than
 * one PyGObject call per builder method. */
static PyObject *
build_query (PyObject         *module,
             PyObject * const *args,
             Py_ssize_t        n_args)
{
  g_autoptr(GormQuery) query = NULL;
  GObject *database;
  PyObject *orders;
  GType type;
  long offset, limit = -1;

  if (n_args != 6 || !PyTuple_Check (args[3]))
    return PyErr_Format (PyExc_TypeError,
                         "build_query(database, gtype, where, orders, offset, limit): "
                         "orders is a tuple");
  /* None: the default database, without a PyGObject call for it; None
   * back when there is none, for the override to raise its error. */
  if (args[0] == Py_None)
    {
      database = (GObject *) gorm_database_get_default ();
      if (database == NULL)
        Py_RETURN_NONE;
    }
  else
    {
      database = gobject_of (args[0]);
      if (database == NULL || !GORM_IS_DATABASE (database))
        return PyErr_Format (PyExc_TypeError, "build_query: %R is not a Gorm.Database",
                             args[0]);
    }
  type = pyg_type_from_object (args[1]);
  if (type == G_TYPE_INVALID)
    return NULL;
  if (!g_type_is_a (type, GORM_TYPE_RESOURCE))
    return PyErr_Format (PyExc_TypeError, "build_query: %s is not a Gorm.Resource type",
                         g_type_name (type));
  if (args[2] != Py_None && !pyg_boxed_check (args[2], GORM_TYPE_FILTER))
    return PyErr_Format (PyExc_TypeError, "build_query: %R is not a Gorm.Filter", args[2]);
  offset = PyLong_AsLong (args[4]);
  if (offset == -1 && PyErr_Occurred ())
    return NULL;
  if (args[5] != Py_None)
    {
      limit = PyLong_AsLong (args[5]);
      if (limit == -1 && PyErr_Occurred ())
        return NULL;
    }
  if (offset < 0 || offset > G_MAXUINT || limit < -1 || limit > G_MAXUINT)
    return PyErr_Format (PyExc_OverflowError, "build_query: offset %ld or limit %ld out of range",
                         offset, limit);

  query = gorm_database_query (GORM_DATABASE (database), type);
  if (args[2] != Py_None)
    gorm_query_filter (query, gorm_filter_ref (pyg_boxed_get (args[2], GormFilter)));
  orders = args[3];
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE (orders); i++)
    {
      PyObject *term = PyTuple_GET_ITEM (orders, i);
      const char *name;
      int descending;

      if (!PyTuple_Check (term) || PyTuple_GET_SIZE (term) != 2 ||
          !PyUnicode_Check (PyTuple_GET_ITEM (term, 0)))
        return PyErr_Format (PyExc_TypeError,
                             "build_query: an order is a (name, descending) pair, not %R", term);
      name = PyUnicode_AsUTF8 (PyTuple_GET_ITEM (term, 0));
      descending = PyObject_IsTrue (PyTuple_GET_ITEM (term, 1));
      if (name == NULL || descending < 0)
        return NULL;
      gorm_query_order_by (query, name, descending);
    }
  if (offset > 0)
    gorm_query_offset (query, (guint) offset);
  if (limit >= 0)
    gorm_query_limit (query, (guint) limit);
  return pygobject_new (G_OBJECT (query));
}

/* load_objects(query, whole_max, chunk): runs the Gorm.Query @query of
 * objects (gorm_query_fetch()) and takes its first items into Python:
 * (model, items, n_items), the Gio.ListModel, the list of all its items
 * when there are at most @whole_max of them, else of the first @chunk,
 * and how many items the model holds. What QuerySet's _load() does with
 * a PyGObject call each for fetch(), get_n_items() and dup_items(), and
 * the two further get_n_items() of len(); called through collect(), as
 * _load() is, so that each item comes with the wrapper it was built
 * with. GLib.Error when the fetch fails. */
static PyObject *
load_objects (PyObject         *module,
              PyObject * const *args,
              Py_ssize_t        n_args)
{
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GPtrArray) taken = NULL;
  g_autoptr(GError) error = NULL;
  PyObject *items, *wrapper;
  GObject *query;
  long whole_max, chunk;
  guint n_items, n_taken;

  if (n_args != 3)
    return PyErr_Format (PyExc_TypeError, "load_objects(query, whole_max, chunk)");
  query = gobject_of (args[0]);
  if (query == NULL || !GORM_IS_QUERY (query))
    return PyErr_Format (PyExc_TypeError, "load_objects: %R is not a Gorm.Query", args[0]);
  whole_max = PyLong_AsLong (args[1]);
  chunk = PyLong_AsLong (args[2]);
  if ((whole_max == -1 || chunk == -1) && PyErr_Occurred ())
    return NULL;
  if (whole_max < 0 || chunk < 0)
    return PyErr_Format (PyExc_ValueError, "load_objects: whole_max %ld or chunk %ld < 0",
                         whole_max, chunk);

  g_object_ref (query);
  Py_BEGIN_ALLOW_THREADS
  model = gorm_query_fetch (GORM_QUERY (query), NULL, &error);
  Py_END_ALLOW_THREADS
  g_object_unref (query);
  if (model == NULL)
    {
      pyg_error_check (&error);
      return NULL;
    }

  n_items = g_list_model_get_n_items (model);
  n_taken = (gulong) n_items <= (gulong) whole_max ? n_items : MIN (n_items, (guint) chunk);
  taken = dup_items_unlocked (G_OBJECT (model), 0, n_taken);
  items = PyList_New (taken->len);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < taken->len; i++)
    {
      gpointer item = g_ptr_array_index (taken, i);
      PyObject *element = item != NULL ? pygobject_new (item) : Py_NewRef (Py_None);

      if (element == NULL)
        {
          Py_DECREF (items);
          return NULL;
        }
      PyList_SET_ITEM (items, i, element);
    }
  wrapper = pygobject_new (G_OBJECT (model));
  if (wrapper == NULL)
    {
      Py_DECREF (items);
      return NULL;
    }
  return Py_BuildValue ("(NNI)", wrapper, items, n_items);
}

/* Loading: one wrapper per loaded object.
 *
 * The new-func builds the wrapper of each object it loads; dropped when
 * it returns, the wrapper would be built again when the object reaches
 * Python (a query set's items, get()). collect() keeps the wrappers built
 * on its thread while the function it calls runs, so that the objects
 * that function hands to Python come with the wrapper they were built
 * with, and drops them when it returns: an object that stays in C only
 * (a page of a live model, what a relation caches, an object loaded on
 * another thread) keeps no wrapper once it returns, as before. */

/* What the new-func of a model is given: the model and its GType. */
typedef struct
{
  PyObject *model;
  GType     type;
} ModelBuilder;

/* The list of the wrappers built on this thread while collect() runs,
 * NULL outside of it. */
static GPrivate collector;

/* The GormResourceInitFunc of new_for_row(): @user_data is the wrapper,
 * new, which takes the object as PyGObject's constructor gives it its
 * object, a reference of its own; PyGObject's instance initializer, which
 * runs next, finds it there. */
static void
attach_wrapper (GormResource *resource,
                gpointer      user_data)
{
  PyGObject *wrapper = user_data;

  wrapper->obj = g_object_ref (G_OBJECT (resource));
  pygobject_register_wrapper ((PyObject *) wrapper);
}

/* The GormResourceNewFunc of Python models: @user_data is the
 * ModelBuilder. The object is built in C with its wrapper attached as it
 * is initialized (gorm_resource_new_with_init()): PyGObject's constructor
 * (GObject.Object.__init__(database=...)) is not called, whose keyword
 * arguments cost a dictionary, a conversion and two lookups of the
 * class's __gtype__ an object. */
static GormResource *
new_for_row (GormDatabase *database,
             gpointer      user_data)
{
  const ModelBuilder *builder = user_data;
  PyGILState_STATE state = PyGILState_Ensure ();
  PyObject *resource, *init = NULL, *result, *kept;
  GormResource *object = NULL;
  gboolean built = FALSE;
  int own_init;

  resource = PyGObject_Type.tp_new ((PyTypeObject *) builder->model, empty_tuple, NULL);
  if (resource == NULL)
    goto out;
  object = gorm_resource_new_with_init (builder->type, database, attach_wrapper, resource);
  if (pygobject_get (resource) != (GObject *) object)
    {
      PyErr_Format (PyExc_RuntimeError, "%s: the wrapper of a loaded object was not attached",
                    ((PyTypeObject *) builder->model)->tp_name);
      goto out;
    }
  /* A model's own __init__ is called without arguments, as PyGObject
   * calls it for an object that g_object_new() builds. */
  init = PyObject_GetAttr (builder->model, own_init_name);
  if (init == NULL)
    goto out;
  own_init = PyObject_IsTrue (init);
  Py_CLEAR (init);
  if (own_init < 0)
    goto out;
  if (own_init)
    {
      init = PyObject_GetAttr (builder->model, init_name);
      if (init == NULL)
        goto out;
      result = PyObject_CallOneArg (init, resource);
      if (result == NULL)
        goto out;
      Py_DECREF (result);
    }
  kept = g_private_get (&collector);
  /* Kept or not, the object is built: a wrapper that could not be kept
   * is built again when Python takes the object. */
  if (kept != NULL && PyList_Append (kept, resource) < 0)
    PyErr_Clear ();
  built = TRUE;

out:
  if (!built)
    {
      if (PyErr_Occurred ())
        PyErr_Print ();
      g_clear_object (&object);
    }
  Py_XDECREF (init);
  Py_XDECREF (resource);
  PyGILState_Release (state);
  return object;
}

static void
release_builder (gpointer data)
{
  ModelBuilder *builder = data;
  PyGILState_STATE state = PyGILState_Ensure ();

  Py_DECREF (builder->model);
  PyGILState_Release (state);
  g_free (builder);
}

static PyObject *
set_new_func (PyObject *module,
              PyObject *model)
{
  GormResourceClass *klass;
  ModelBuilder *builder;
  GType type;

  if (!PyType_Check (model) || !PyType_IsSubtype ((PyTypeObject *) model, &PyGObject_Type))
    return PyErr_Format (PyExc_TypeError, "set_new_func: %R is not a Gorm.Resource class",
                         model);
  type = pyg_type_from_object (model);
  if (type == G_TYPE_INVALID)
    return NULL;
  if (!g_type_is_a (type, GORM_TYPE_RESOURCE) || G_TYPE_IS_ABSTRACT (type))
    return PyErr_Format (PyExc_TypeError, "set_new_func: %R is not a Gorm.Resource class",
                         model);
  builder = g_new (ModelBuilder, 1);
  builder->model = Py_NewRef (model);
  builder->type = type;
  klass = g_type_class_ref (type);
  gorm_resource_class_set_new_func (klass, new_for_row, builder, release_builder);
  g_type_class_unref (klass);
  Py_RETURN_NONE;
}

/* collect(function, *args): function(*args), with the wrappers of the
 * objects loaded on this thread meanwhile kept until it returns. */
static PyObject *
collect (PyObject         *module,
         PyObject * const *args,
         Py_ssize_t        n_args)
{
  PyObject *kept, *previous, *result;

  if (n_args < 1)
    return PyErr_Format (PyExc_TypeError, "collect(function, *args): no function given");
  kept = PyList_New (0);
  if (kept == NULL)
    return NULL;
  /* A collect() called by the function keeps its own until it returns. */
  previous = g_private_get (&collector);
  g_private_set (&collector, kept);
  result = PyObject_Vectorcall (args[0], args + 1, (size_t) (n_args - 1), NULL);
  g_private_set (&collector, previous);
  Py_DECREF (kept);
  return result;
}

/* Construction and assignment in C.
 *
 * Resource.__init__(**kwargs) is init_resource(): the object is built by
 * PyGObject's own __init__ (GObject.Object.__init__) given only what is
 * not a field (database, id, a plain GObject.Property, an unknown name,
 * which PyGObject refuses as before), and the fields' values are written
 * into the slots libgorm keeps them in by its typed setters
 * (gorm_resource_set_int64_value() and its twins), without a GValue made
 * by PyGObject's conversion. Only the values the constructor used to pass
 * to g_object_new() as they are take that way: a str without NUL, an int
 * within 64 bits, a float that is not NaN, a bool, for a field of exactly
 * that type without limits of its own, and a datetime.datetime for a
 * date-time field, converted in C as _datetime_to_glib() converts it (in
 * Python for a zone other than datetime.timezone.utc). Any other value is
 * set once the object is built by Field.__set__, as an assignment, with
 * its checks and exceptions; a relation's by its descriptor. The plan of
 * each model (which names are fields, their slots and writers) is an
 * InitPlan that Gorm.py's _init_plan() makes at the model's first object.
 *
 * ForeignKeyBase's __set__ makes the instance refer to a saved object of
 * the relation's target (gorm_resource_set_related()), or to none for a
 * nullable key, and keeps the object in the instance's __dict__ as
 * ForeignKey's __get__ expects; anything else, or a refusal of libgorm,
 * goes to the ForeignKey's Python _assign(), which raises the exception
 * of each case. */

/* How the constructor writes a field given as a keyword argument. */
typedef enum
{
  WRITE_BY_FIELD,
  WRITE_STRING,
  WRITE_INT64,
  WRITE_DOUBLE,
  WRITE_BOOLEAN,
  WRITE_DATETIME,
  N_WRITERS,
} Writer;

typedef struct
{
  PyObject *field;
  guint     slot;
  Writer    writer;
} PlanField;

typedef struct
{
  PyObject_HEAD
  /* The relation attributes the constructor takes (a frozenset). */
  PyObject   *relations;
  /* The fields by the names a keyword argument gives them: str → the
   * index of the field in @fields. */
  PyObject   *names;
  PlanField  *fields;
  Py_ssize_t  n_fields;
  /* (index, name, default) of the fields whose default the constructor
   * gives PyGObject when they are not given, and the indexes of those
   * it makes NULL then (_boxed_defaults() and _null_defaults()). */
  PyObject   *boxed_defaults;
  Py_ssize_t *null_defaults;
  Py_ssize_t  n_null_defaults;
} InitPlan;

static PyObject *init_plan_func;
static PyObject *datetime_to_glib_func;
static PyObject *set_null_name;
static PyObject *assign_name;
static PyObject *relation_name_name;
static PyObject *null_name;
static PyObject *init_plan_name;

static void
init_plan_dealloc (PyObject *self)
{
  InitPlan *plan = (InitPlan *) self;

  Py_CLEAR (plan->relations);
  Py_CLEAR (plan->names);
  Py_CLEAR (plan->boxed_defaults);
  for (Py_ssize_t i = 0; i < plan->n_fields; i++)
    Py_CLEAR (plan->fields[i].field);
  g_clear_pointer (&plan->fields, g_free);
  g_clear_pointer (&plan->null_defaults, g_free);
  Py_TYPE (self)->tp_free (self);
}

/* The index @object gives a field of @plan; -1 with an exception for
 * anything else. */
static Py_ssize_t
plan_index (InitPlan   *plan,
            PyObject   *object,
            const char *what)
{
  Py_ssize_t index = PyLong_Check (object) ? PyLong_AsSsize_t (object) : -1;

  if (index < 0 || index >= plan->n_fields)
    {
      if (!PyErr_Occurred () || PyErr_ExceptionMatches (PyExc_OverflowError))
        {
          PyErr_Clear ();
          PyErr_Format (PyExc_ValueError, "InitPlan: %s %R is not the index of a field",
                        what, object);
        }
      return -1;
    }
  return index;
}

/* InitPlan(relations, names, fields, boxed_defaults, null_defaults):
 * @fields is a tuple of (field, slot, writer), @names a dict of str to
 * their indexes, @boxed_defaults a tuple of (index, name, default),
 * @null_defaults a tuple of indexes. */
static PyObject *
init_plan_new (PyTypeObject *type,
               PyObject     *args,
               PyObject     *kwargs)
{
  PyObject *relations, *names, *fields, *boxed_defaults, *null_defaults, *key, *value;
  InitPlan *plan;
  Py_ssize_t position = 0;

  if (kwargs != NULL && PyDict_GET_SIZE (kwargs) != 0)
    return PyErr_Format (PyExc_TypeError, "InitPlan() takes no keyword arguments");
  if (!PyArg_ParseTuple (args, "O!O!O!O!O!:InitPlan", &PyFrozenSet_Type, &relations,
                         &PyDict_Type, &names, &PyTuple_Type, &fields,
                         &PyTuple_Type, &boxed_defaults, &PyTuple_Type, &null_defaults))
    return NULL;
  plan = (InitPlan *) type->tp_alloc (type, 0);
  if (plan == NULL)
    return NULL;
  plan->relations = Py_NewRef (relations);
  plan->names = PyDict_Copy (names);
  plan->boxed_defaults = Py_NewRef (boxed_defaults);
  plan->n_fields = PyTuple_GET_SIZE (fields);
  plan->fields = g_new0 (PlanField, MAX (plan->n_fields, 1));
  if (plan->names == NULL)
    goto failed;
  for (Py_ssize_t i = 0; i < plan->n_fields; i++)
    {
      PyObject *field, *slot_object;
      unsigned long slot;
      int writer;

      if (!PyArg_ParseTuple (PyTuple_GET_ITEM (fields, i), "OO!i;InitPlan: a field is "
                             "(field, slot, writer)", &field, &PyLong_Type, &slot_object, &writer))
        goto failed;
      slot = PyLong_AsUnsignedLong (slot_object);
      if (slot == (unsigned long) -1 && PyErr_Occurred ())
        goto failed;
      if (writer < WRITE_BY_FIELD || writer >= N_WRITERS || slot > G_MAXUINT ||
          (writer != WRITE_BY_FIELD && slot == 0))
        {
          PyErr_Format (PyExc_ValueError, "InitPlan: %R cannot be written by %d from slot %lu",
                        field, writer, slot);
          goto failed;
        }
      plan->fields[i].field = Py_NewRef (field);
      plan->fields[i].slot = (guint) slot;
      plan->fields[i].writer = writer;
    }
  while (PyDict_Next (plan->names, &position, &key, &value))
    if (!PyUnicode_Check (key) || plan_index (plan, value, "name") < 0)
      {
        if (!PyErr_Occurred ())
          PyErr_Format (PyExc_TypeError, "InitPlan: a name is a str, not %R", key);
        goto failed;
      }
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE (boxed_defaults); i++)
    {
      PyObject *entry = PyTuple_GET_ITEM (boxed_defaults, i);

      if (!PyTuple_Check (entry) || PyTuple_GET_SIZE (entry) != 3 ||
          !PyUnicode_Check (PyTuple_GET_ITEM (entry, 1)))
        {
          PyErr_Format (PyExc_TypeError, "InitPlan: a boxed default is (index, name, default), "
                        "not %R", entry);
          goto failed;
        }
      if (plan_index (plan, PyTuple_GET_ITEM (entry, 0), "boxed default") < 0)
        goto failed;
    }
  plan->n_null_defaults = PyTuple_GET_SIZE (null_defaults);
  plan->null_defaults = g_new0 (Py_ssize_t, MAX (plan->n_null_defaults, 1));
  for (Py_ssize_t i = 0; i < plan->n_null_defaults; i++)
    {
      plan->null_defaults[i] = plan_index (plan, PyTuple_GET_ITEM (null_defaults, i),
                                           "null default");
      if (plan->null_defaults[i] < 0)
        goto failed;
    }
  return (PyObject *) plan;

failed:
  Py_DECREF (plan);
  return NULL;
}

static PyTypeObject init_plan_type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._gorm_speedups.InitPlan",
  .tp_doc = "What Resource.__init__ needs of a model: its fields, by name, and how to "
            "write each one.",
  .tp_basicsize = sizeof (InitPlan),
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_new = init_plan_new,
  .tp_dealloc = init_plan_dealloc,
};

/* A keyword argument of a constructor, once sorted. */
typedef enum
{
  /* Written in C once the object is built. */
  GIVEN_FAST,
  /* Set by Field.__set__ once the object is built. */
  GIVEN_BY_FIELD,
  /* Given to PyGObject's __init__, with what is not a field. */
  GIVEN_TO_PYGOBJECT,
  /* Set by the relation's descriptor, last. */
  GIVEN_RELATION,
} GivenKind;

typedef struct
{
  GivenKind    kind;
  Writer       writer;
  Py_ssize_t   index;
  PyObject    *name;
  PyObject    *value;
  /* The date-time made for the value, released at the end. */
  GDateTime   *owned;
  union
  {
    gint64     number;
    gdouble    real;
    gboolean   boolean;
    const char *text;
    GDateTime  *date_time;
  } c;
} Given;

/* The days from 1970-01-01 to @year-@month-@day, in the proleptic
 * Gregorian calendar of datetime.date. */
static gint64
days_since_epoch (int year,
                  int month,
                  int day)
{
  static const int days_before_month[] = {
    0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
  };
  gint64 before = year - 1;
  gint64 ordinal = before * 365 + before / 4 - before / 100 + before / 400 +
                   days_before_month[month - 1] + day;

  if (month > 2 && g_date_is_leap_year ((GDateYear) year))
    ordinal++;
  /* date(1970, 1, 1).toordinal() */
  return ordinal - 719163;
}

/* The GDateTime _datetime_to_glib() makes of the aware @value in
 * datetime.timezone.utc: its Unix time in UTC, plus its microseconds;
 * NULL when GLib cannot hold it. */
static GDateTime *
utc_date_time (PyObject *value)
{
  gint64 seconds = days_since_epoch (PyDateTime_GET_YEAR (value), PyDateTime_GET_MONTH (value),
                                     PyDateTime_GET_DAY (value)) * 86400 +
                   PyDateTime_DATE_GET_HOUR (value) * 3600 +
                   PyDateTime_DATE_GET_MINUTE (value) * 60 + PyDateTime_DATE_GET_SECOND (value);
  int microseconds = PyDateTime_DATE_GET_MICROSECOND (value);
  GDateTime *whole = g_date_time_new_from_unix_utc (seconds), *result;

  if (whole == NULL || microseconds == 0)
    return whole;
  result = g_date_time_add (whole, microseconds);
  g_date_time_unref (whole);
  return result;
}

/* Sorts the value @given->value of the field @field: GIVEN_FAST with its
 * C value when the constructor writes it in C, GIVEN_BY_FIELD when
 * Field.__set__ sets it; or puts what PyGObject is to convert into
 * *@properties (made when needed), as the constructor did. -1 with an
 * exception when _datetime_to_glib() raised. */
static int
sort_field_value (const PlanField  *field,
                  Given            *given,
                  PyObject        **properties)
{
  PyObject *value = given->value, *converted;
  Py_ssize_t size;
  int overflow, failed;

  given->kind = GIVEN_BY_FIELD;
  given->writer = field->writer;
  switch (field->writer)
    {
    case WRITE_STRING:
      if (!PyUnicode_CheckExact (value))
        return 0;
      given->c.text = PyUnicode_AsUTF8AndSize (value, &size);
      if (given->c.text == NULL)
        {
          /* A str UTF-8 cannot encode: PyGObject's conversion raised,
           * unless it holds a NUL, which Field.__set__ refuses first. */
          PyErr_Clear ();
          if (PyUnicode_FindChar (value, 0, 0, PyUnicode_GET_LENGTH (value), 1) != -1)
            return 0;
          break;
        }
      if (strlen (given->c.text) == (size_t) size)
        given->kind = GIVEN_FAST;
      return 0;

    case WRITE_INT64:
      if (!PyLong_CheckExact (value))
        return 0;
      given->c.number = PyLong_AsLongLongAndOverflow (value, &overflow);
      if (overflow == 0 && !(given->c.number == -1 && PyErr_Occurred ()))
        given->kind = GIVEN_FAST;
      PyErr_Clear ();
      return 0;

    case WRITE_DOUBLE:
      if (!PyFloat_CheckExact (value))
        return 0;
      given->c.real = PyFloat_AS_DOUBLE (value);
      if (!isnan (given->c.real))
        given->kind = GIVEN_FAST;
      return 0;

    case WRITE_BOOLEAN:
      if (!PyBool_Check (value))
        return 0;
      given->c.boolean = value == Py_True;
      given->kind = GIVEN_FAST;
      return 0;

    case WRITE_DATETIME:
      if (!PyDateTime_CheckExact (value))
        return 0;
      if (PyDateTime_DATE_GET_TZINFO (value) == PyDateTime_TimeZone_UTC)
        {
          given->c.date_time = given->owned = utc_date_time (value);
          if (given->c.date_time != NULL)
            {
              given->kind = GIVEN_FAST;
              return 0;
            }
        }
      /* Another zone, or none: converted by _datetime_to_glib(), and
       * given to PyGObject when GLib made no date-time of it. */
      converted = PyObject_CallOneArg (datetime_to_glib_func, value);
      if (converted == NULL)
        return -1;
      if (pyg_boxed_check (converted, G_TYPE_DATE_TIME) && pyg_boxed_get_ptr (converted) != NULL)
        {
          given->c.date_time = given->owned =
            g_date_time_ref (pyg_boxed_get (converted, GDateTime));
          given->kind = GIVEN_FAST;
          Py_DECREF (converted);
          return 0;
        }
      value = converted;
      break;

    case WRITE_BY_FIELD:
    case N_WRITERS:
    default:
      return 0;
    }

  /* For PyGObject, as before. */
  given->kind = GIVEN_TO_PYGOBJECT;
  if (*properties == NULL && (*properties = PyDict_New ()) == NULL)
    failed = -1;
  else
    failed = PyDict_SetItem (*properties, given->name, value);
  if (value != given->value)
    Py_DECREF (value);
  return failed;
}

/* Writes the value @given of the field @field into @object by libgorm's
 * typed setter; FALSE when libgorm refused it (nothing changed). */
static gboolean
write_given (GormResource    *object,
             const PlanField *field,
             const Given     *given)
{
  g_autoptr(GError) error = NULL;

  switch (given->writer)
    {
    case WRITE_STRING:
      return gorm_resource_set_string_value (object, field->slot, given->c.text, &error);
    case WRITE_INT64:
      return gorm_resource_set_int64_value (object, field->slot, given->c.number, &error);
    case WRITE_DOUBLE:
      return gorm_resource_set_double_value (object, field->slot, given->c.real, &error);
    case WRITE_BOOLEAN:
      return gorm_resource_set_boolean_value (object, field->slot, given->c.boolean, &error);
    case WRITE_DATETIME:
      return gorm_resource_set_date_time_value (object, field->slot, given->c.date_time, &error);
    case WRITE_BY_FIELD:
    case N_WRITERS:
    default:
      g_assert_not_reached ();
    }
}

/* The InitPlan of @model, made by _init_plan() at its first object
 * (which raises TypeError for an abstract model). */
static InitPlan *
init_plan_of (PyTypeObject *model)
{
  PyObject *plan = PyDict_GetItemWithError (model->tp_dict, init_plan_name);

  if (plan != NULL && Py_IS_TYPE (plan, &init_plan_type))
    return (InitPlan *) Py_NewRef (plan);
  if (PyErr_Occurred ())
    return NULL;
  if (init_plan_func == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "set_constructor_helpers() was never called");
      return NULL;
    }
  plan = PyObject_CallOneArg (init_plan_func, (PyObject *) model);
  if (plan != NULL && !Py_IS_TYPE (plan, &init_plan_type))
    {
      PyErr_Format (PyExc_TypeError, "_init_plan() gave %R, not an InitPlan", plan);
      Py_CLEAR (plan);
    }
  return (InitPlan *) plan;
}

/* Resource.__init__(self, **kwargs), as a method: see above. */
static PyObject *
init_resource (PyObject         *module,
               PyObject * const *args,
               Py_ssize_t        n_args,
               PyObject         *kwnames)
{
  Given small[16], *givens = small;
  gboolean small_given[64], *field_given = small_given;
  Py_ssize_t n_kwargs = kwnames != NULL ? PyTuple_GET_SIZE (kwnames) : 0, n_sorted = 0;
  PyObject *self, *properties = NULL, *result = NULL, *index_object;
  InitPlan *plan = NULL;
  GObject *object;
  Py_ssize_t i;
  gboolean relations, built;

  n_args = PyVectorcall_NARGS (n_args);
  if (n_args != 1)
    {
      if (n_args == 0)
        PyErr_SetString (PyExc_TypeError,
                         "Resource.__init__() missing 1 required positional argument: 'self'");
      else
        PyErr_Format (PyExc_TypeError,
                      "Resource.__init__() takes 1 positional argument but %zd were given",
                      n_args);
      return NULL;
    }
  self = args[0];
  if (!PyObject_TypeCheck (self, &PyGObject_Type))
    return PyErr_Format (PyExc_TypeError, "Resource.__init__() initializes a Gorm.Resource, "
                         "not a %s", Py_TYPE (self)->tp_name);
  plan = init_plan_of (Py_TYPE (self));
  if (plan == NULL)
    return NULL;
  if (n_kwargs > (Py_ssize_t) G_N_ELEMENTS (small))
    givens = g_new (Given, n_kwargs);
  if (plan->n_fields > (Py_ssize_t) G_N_ELEMENTS (small_given))
    field_given = g_new (gboolean, plan->n_fields);
  memset (field_given, 0, sizeof (gboolean) * plan->n_fields);
  relations = PySet_GET_SIZE (plan->relations) != 0;

  /* Sorted in the order given; the datetimes converted before the object
   * is built, as the constructor in Python converted them. */
  for (i = 0; i < n_kwargs; i++)
    {
      Given *given = &givens[i];

      given->name = PyTuple_GET_ITEM (kwnames, i);
      given->value = args[n_args + i];
      given->index = -1;
      given->kind = GIVEN_TO_PYGOBJECT;
      given->owned = NULL;
      n_sorted = i + 1;
      /* A name is a field's, a relation's (never both) or another. */
      index_object = PyDict_GetItemWithError (plan->names, given->name);
      if (index_object == NULL)
        {
          int found = 0;

          if (PyErr_Occurred () ||
              (relations && (found = PySet_Contains (plan->relations, given->name)) < 0))
            goto out;
          if (found)
            given->kind = GIVEN_RELATION;
          else if ((properties == NULL && (properties = PyDict_New ()) == NULL) ||
                   PyDict_SetItem (properties, given->name, given->value) < 0)
            goto out;
          continue;
        }
      given->index = PyLong_AsSsize_t (index_object);
      field_given[given->index] = TRUE;
      if (sort_field_value (&plan->fields[given->index], given, &properties) < 0)
        goto out;
    }
  for (i = 0; i < PyTuple_GET_SIZE (plan->boxed_defaults); i++)
    {
      PyObject *entry = PyTuple_GET_ITEM (plan->boxed_defaults, i);

      if (!field_given[PyLong_AsSsize_t (PyTuple_GET_ITEM (entry, 0))] &&
          (((properties == NULL && (properties = PyDict_New ()) == NULL)) ||
           PyDict_SetItem (properties, PyTuple_GET_ITEM (entry, 1),
                           PyTuple_GET_ITEM (entry, 2)) < 0))
        goto out;
    }

  /* PyGObject's __init__ ignores its arguments on an object built
   * already (a second __init__): so are the values it would have taken. */
  built = pygobject_get (self) != NULL;
  if (PyGObject_Type.tp_init (self, empty_tuple, properties) < 0)
    goto out;
  object = pygobject_get (self);
  if (object == NULL || !GORM_IS_RESOURCE (object))
    {
      PyErr_Format (PyExc_TypeError, "Resource.__init__() built no Gorm.Resource for a %s",
                    Py_TYPE (self)->tp_name);
      goto out;
    }

  /* One notification of them all, as g_object_new() gave. */
  g_object_freeze_notify (object);
  for (i = 0; i < n_kwargs && !built; i++)
    if (givens[i].kind == GIVEN_FAST &&
        !write_given ((GormResource *) object, &plan->fields[givens[i].index], &givens[i]))
      givens[i].kind = GIVEN_BY_FIELD;
  g_object_thaw_notify (object);

  for (i = 0; i < plan->n_null_defaults; i++)
    {
      PyObject *field = plan->fields[plan->null_defaults[i]].field, *done;

      if (field_given[plan->null_defaults[i]])
        continue;
      done = PyObject_CallMethodOneArg (field, set_null_name, self);
      if (done == NULL)
        goto out;
      Py_DECREF (done);
    }
  for (i = 0; i < n_kwargs; i++)
    if (givens[i].kind == GIVEN_BY_FIELD)
      {
        PyObject *field = plan->fields[givens[i].index].field;

        if (Py_TYPE (field)->tp_descr_set == NULL)
          {
            PyErr_Format (PyExc_TypeError, "%R cannot be set", field);
            goto out;
          }
        if (Py_TYPE (field)->tp_descr_set (field, self, givens[i].value) < 0)
          goto out;
      }
  for (i = 0; i < n_kwargs; i++)
    if (givens[i].kind == GIVEN_RELATION &&
        PyObject_SetAttr (self, givens[i].name, givens[i].value) < 0)
      goto out;
  result = Py_NewRef (Py_None);

out:
  for (i = 0; i < n_sorted; i++)
    g_clear_pointer (&givens[i].owned, g_date_time_unref);
  if (givens != small)
    g_free (givens);
  if (field_given != small_given)
    g_free (field_given);
  Py_XDECREF (properties);
  Py_XDECREF (plan);
  return result;
}

/* ForeignKeyBase.__set__: see above. */
static int
foreign_key_base_set (PyObject *self,
                      PyObject *instance,
                      PyObject *value)
{
  PyObject *name = NULL, *cache_name = NULL, *dict = NULL, *done;
  g_autoptr(GError) error = NULL;
  GObject *object, *related = NULL;
  const char *relation;
  int result = -1, nullable;

  if (value == NULL)
    {
      /* What Python says of a descriptor with a __set__ and no __delete__. */
      PyErr_SetString (PyExc_AttributeError, "__delete__");
      return -1;
    }
  object = gobject_of (instance);
  if (object == NULL || !GORM_IS_RESOURCE (object))
    goto python;
  if (value == Py_None)
    {
      done = foreign_key_attribute (self, null_name);
      if (done == NULL)
        return -1;
      nullable = PyObject_IsTrue (done);
      Py_DECREF (done);
      if (nullable <= 0)
        goto python;
    }
  else
    {
      related = gobject_of (value);
      if (related == NULL || !GORM_IS_RESOURCE (related))
        goto python;
    }
  name = foreign_key_attribute (self, relation_name_name);
  if (name == NULL)
    return -1;
  relation = PyUnicode_Check (name) ? PyUnicode_AsUTF8 (name) : NULL;
  if (relation == NULL)
    {
      PyErr_Clear ();
      goto python;
    }
  if (!gorm_resource_set_related (GORM_RESOURCE (object), relation, (GormResource *) related,
                                  &error))
    goto python;
  /* As _assign() keeps it; the dictionary is the wrapper's, which
   * PyGObject keeps alive with the object once it has one. */
  cache_name = kept_attribute (self, &((ForeignKeyBase *) self)->cache_name, cache_name_name);
  if (cache_name == NULL)
    goto out;
  /* A wrapper (gobject_of() said so): PyGObject's getter, directly. */
  dict = wrapper_dict (instance);
  if (dict == NULL)
    goto out;
  if (value != Py_None)
    result = PyObject_SetItem (dict, cache_name, value);
  else if (PyObject_DelItem (dict, cache_name) < 0 && PyErr_ExceptionMatches (PyExc_KeyError))
    {
      PyErr_Clear ();
      result = 0;
    }
  else
    result = PyErr_Occurred () ? -1 : 0;
  goto out;

python:
  /* Each other case, and libgorm's refusals (which changed nothing),
   * raise what ForeignKey._assign() raises. */
  done = PyObject_CallMethodObjArgs (self, assign_name, instance, value, NULL);
  result = done != NULL ? 0 : -1;
  Py_XDECREF (done);

out:
  Py_XDECREF (name);
  Py_XDECREF (dict);
  return result;
}

/* instance_init(): the __dontuse_ginstance_init__ of models, which
 * PyGObject 3.42 looks up on the class of each object it builds and
 * calls: a function of no arguments, which the lookup gives as it is
 * (no method to bind), doing nothing. */
static PyObject *
instance_init (PyObject *module,
               PyObject *unused)
{
  Py_RETURN_NONE;
}

/* save(resource): gorm_resource_save() without a cancellable, as
 * Gorm.Resource.save(None) calls it through PyGObject, without its
 * argument conversions: True, or GLib.Error. The lock is released while
 * libgorm saves, as PyGObject releases it. */
static PyObject *
save_resource (PyObject *module,
               PyObject *instance)
{
  GObject *object = resource_argument (instance, "save");
  GError *error = NULL;
  gboolean saved;

  if (object == NULL)
    return NULL;
  g_object_ref (object);
  Py_BEGIN_ALLOW_THREADS
  saved = gorm_resource_save (GORM_RESOURCE (object), NULL, &error);
  Py_END_ALLOW_THREADS
  g_object_unref (object);
  if (pyg_error_check (&error))
    return NULL;
  return PyBool_FromLong (saved);
}

/* set_constructor_helpers(init_plan, datetime_to_glib): the functions of
 * Gorm.py init_resource() calls: init_plan(model) makes the InitPlan of
 * a model at its first object, datetime_to_glib(value) converts a
 * datetime.datetime that is not in datetime.timezone.utc. */
static PyObject *
set_constructor_helpers (PyObject *module,
                         PyObject *args)
{
  PyObject *init_plan, *datetime_to_glib;

  if (!PyArg_ParseTuple (args, "OO:set_constructor_helpers", &init_plan, &datetime_to_glib))
    return NULL;
  if (!PyCallable_Check (init_plan) || !PyCallable_Check (datetime_to_glib))
    return PyErr_Format (PyExc_TypeError, "set_constructor_helpers() takes two functions");
  Py_XSETREF (init_plan_func, Py_NewRef (init_plan));
  Py_XSETREF (datetime_to_glib_func, Py_NewRef (datetime_to_glib));
  Py_RETURN_NONE;
}

static PyMethodDef init_resource_def = {
  "__init__", (PyCFunction) (void (*) (void)) init_resource, METH_FASTCALL | METH_KEYWORDS,
  "Builds the object with the keyword arguments given: its fields, its relations, and "
  "GObject properties such as database.",
};

/* The module's constructor functions and constants, added by
 * module_exec(). */
static int
add_construction (PyObject *module)
{
  static const struct { const char *name; int value; } writers[] = {
    { "WRITE_BY_FIELD", WRITE_BY_FIELD },
    { "WRITE_STRING", WRITE_STRING },
    { "WRITE_INT64", WRITE_INT64 },
    { "WRITE_DOUBLE", WRITE_DOUBLE },
    { "WRITE_BOOLEAN", WRITE_BOOLEAN },
    { "WRITE_DATETIME", WRITE_DATETIME },
  };
  PyObject *function, *method;
  int failed;

  set_null_name = PyUnicode_InternFromString ("set_null");
  assign_name = PyUnicode_InternFromString ("_assign");
  relation_name_name = PyUnicode_InternFromString ("name");
  null_name = PyUnicode_InternFromString ("null");
  init_plan_name = PyUnicode_InternFromString ("_gorm_init_plan");
  if (set_null_name == NULL || assign_name == NULL || relation_name_name == NULL ||
      null_name == NULL || init_plan_name == NULL)
    return -1;
  if (PyType_Ready (&init_plan_type) < 0 ||
      PyModule_AddObjectRef (module, "InitPlan", (PyObject *) &init_plan_type) < 0)
    return -1;
  for (gsize i = 0; i < G_N_ELEMENTS (writers); i++)
    if (PyModule_AddIntConstant (module, writers[i].name, writers[i].value) < 0)
      return -1;
  /* An instance method, so that Resource.__init__ = init_resource binds
   * the object as self. */
  function = PyCFunction_NewEx (&init_resource_def, NULL, NULL);
  if (function == NULL)
    return -1;
  method = PyInstanceMethod_New (function);
  Py_DECREF (function);
  if (method == NULL)
    return -1;
  failed = PyModule_AddObjectRef (module, "init_resource", method);
  Py_DECREF (method);
  return failed;
}

/* Rows of values() and values_list() in C.
 *
 * A RowReader turns the Gorm.Rows of a row query into what the query
 * set yields for them: a dict (values()), a tuple (values_list()), the
 * value of its one column (flat=True) or a namedtuple (named=True). Its
 * read() takes a result, or a chunk of one, in one call: the rows are never
 * wrapped for Python, the keys are the interned strings it was given,
 * the columns' positions are found in the first row only (the rows of
 * one result share their columns), and no Python frame runs per row.
 * Called on one Gorm.Row, it gives that row's.
 *
 * A value is converted as row_value() and the query set's conversion
 * would: NULL is None, a number or a string its Python value, another
 * value PyGObject's (a boxed value copied); then each column's
 * converter is called on it, except the query set's generic conversion
 * (Gorm.py's _generic_python, given to the reader), which only changes
 * a GLib.DateTime or a GLib.Bytes and is called for those alone; a
 * converter None keeps the value as it is. */

typedef enum
{
  ROW_FORM_DICT,
  ROW_FORM_TUPLE,
  ROW_FORM_FLAT,
  ROW_FORM_NAMED,
  N_ROW_FORMS,
} RowForm;

typedef struct
{
  PyObject_HEAD
  /* A tuple of str, one per column read, in order. */
  PyObject   *keys;
  /* A tuple as long: each column's converter (see above). */
  PyObject   *converters;
  PyObject   *generic;
  /* The namedtuple type of ROW_FORM_NAMED, else None. */
  PyObject   *tuple_type;
  RowForm     form;
} RowReader;

static void
row_reader_dealloc (PyObject *self)
{
  RowReader *reader = (RowReader *) self;

  PyObject_GC_UnTrack (self);
  Py_CLEAR (reader->keys);
  Py_CLEAR (reader->converters);
  Py_CLEAR (reader->generic);
  Py_CLEAR (reader->tuple_type);
  Py_TYPE (self)->tp_free (self);
}

static int
row_reader_traverse (PyObject  *self,
                     visitproc  visit,
                     void      *arg)
{
  RowReader *reader = (RowReader *) self;

  Py_VISIT (reader->keys);
  Py_VISIT (reader->converters);
  Py_VISIT (reader->generic);
  Py_VISIT (reader->tuple_type);
  return 0;
}

/* RowReader(keys, converters, form, generic, tuple_type): see above;
 * @form is one of the module's ROW_FORM_ constants. */
static PyObject *
row_reader_new (PyTypeObject *type,
                PyObject     *args,
                PyObject     *kwargs)
{
  PyObject *keys, *converters, *generic, *tuple_type;
  RowReader *reader;
  Py_ssize_t n_keys;
  int form;

  if (!PyArg_ParseTuple (args, "O!O!iOO:RowReader", &PyTuple_Type, &keys, &PyTuple_Type,
                         &converters, &form, &generic, &tuple_type))
    return NULL;
  n_keys = PyTuple_GET_SIZE (keys);
  if (PyTuple_GET_SIZE (converters) != n_keys)
    return PyErr_Format (PyExc_ValueError, "RowReader: %zd keys but %zd converters",
                         n_keys, PyTuple_GET_SIZE (converters));
  for (Py_ssize_t i = 0; i < n_keys; i++)
    {
      PyObject *converter = PyTuple_GET_ITEM (converters, i);

      if (!PyUnicode_Check (PyTuple_GET_ITEM (keys, i)))
        return PyErr_Format (PyExc_TypeError, "RowReader: a key is a str, not %s",
                             Py_TYPE (PyTuple_GET_ITEM (keys, i))->tp_name);
      if (converter != Py_None && !PyCallable_Check (converter))
        return PyErr_Format (PyExc_TypeError, "RowReader: the converter of '%U' is not callable",
                             PyTuple_GET_ITEM (keys, i));
    }
  if (form < 0 || form >= N_ROW_FORMS)
    return PyErr_Format (PyExc_ValueError, "RowReader: no row form %d", form);
  if (form == ROW_FORM_FLAT && n_keys != 1)
    return PyErr_Format (PyExc_ValueError, "RowReader: a flat row has one column, not %zd",
                         n_keys);
  if (form == ROW_FORM_NAMED && !PyCallable_Check (tuple_type))
    return PyErr_Format (PyExc_TypeError, "RowReader: named rows need a tuple type");
  if (!PyCallable_Check (generic))
    return PyErr_Format (PyExc_TypeError, "RowReader: the generic conversion is not callable");

  reader = (RowReader *) type->tp_alloc (type, 0);
  if (reader == NULL)
    return NULL;
  /* The dicts of every row share the keys, interned. */
  reader->keys = PyTuple_New (n_keys);
  if (reader->keys == NULL)
    {
      Py_DECREF (reader);
      return NULL;
    }
  for (Py_ssize_t i = 0; i < n_keys; i++)
    {
      PyObject *key = Py_NewRef (PyTuple_GET_ITEM (keys, i));

      PyUnicode_InternInPlace (&key);
      PyTuple_SET_ITEM (reader->keys, i, key);
    }
  reader->converters = Py_NewRef (converters);
  reader->generic = Py_NewRef (generic);
  reader->tuple_type = Py_NewRef (tuple_type);
  reader->form = form;
  return (PyObject *) reader;
}

/* The Python value of one value of a row, converted by @converter. */
static PyObject *
row_reader_value (RowReader    *reader,
                  const GValue *value,
                  PyObject     *converter)
{
  PyObject *plain, *converted;

  if (value == NULL)
    plain = Py_NewRef (Py_None);
  else
    switch (G_VALUE_TYPE (value))
      {
      case G_TYPE_INT64:
      case G_TYPE_INT:
        plain = integer_from_value (value);
        break;
      case G_TYPE_DOUBLE:
        plain = PyFloat_FromDouble (g_value_get_double (value));
        break;
      case G_TYPE_BOOLEAN:
        plain = PyBool_FromLong (g_value_get_boolean (value));
        break;
      case G_TYPE_STRING:
        plain = g_value_get_string (value) != NULL ? PyUnicode_FromString (g_value_get_string (value))
                                                   : Py_NewRef (Py_None);
        break;
      default:
        plain = pyg_value_as_pyobject (value, TRUE);
      }
  if (plain == NULL || converter == Py_None)
    return plain;
  if (converter == reader->generic &&
      (value == NULL ||
       !(G_VALUE_HOLDS (value, G_TYPE_DATE_TIME) || G_VALUE_HOLDS (value, G_TYPE_BYTES))))
    return plain;
  converted = PyObject_CallOneArg (converter, plain);
  Py_DECREF (plain);
  return converted;
}

/* The position of each key in @row, into @columns; FALSE with an
 * IndexError if @row lacks one. */
static gboolean
row_reader_find (RowReader *reader,
                 GormRow   *row,
                 guint     *columns)
{
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE (reader->keys); i++)
    {
      PyObject *key = PyTuple_GET_ITEM (reader->keys, i);
      const char *name = PyUnicode_AsUTF8 (key);
      int column;

      if (name == NULL)
        return FALSE;
      column = gorm_row_find_column (row, name);
      if (column < 0)
        {
          PyErr_Format (PyExc_IndexError, "RowReader: the row has no column '%U'", key);
          return FALSE;
        }
      columns[i] = (guint) column;
    }
  return TRUE;
}

/* What the query set yields for @row, whose keys are at @columns. */
static PyObject *
row_reader_read (RowReader *reader,
                 GormRow   *row,
                 guint     *columns)
{
  Py_ssize_t n_keys = PyTuple_GET_SIZE (reader->keys);
  PyObject *result, *named;

  if (reader->form == ROW_FORM_FLAT)
    return row_reader_value (reader, gorm_row_get_value (row, columns[0]),
                             PyTuple_GET_ITEM (reader->converters, 0));
  result = reader->form == ROW_FORM_DICT ? PyDict_New () : PyTuple_New (n_keys);
  if (result == NULL)
    return NULL;
  for (Py_ssize_t i = 0; i < n_keys; i++)
    {
      PyObject *value = row_reader_value (reader, gorm_row_get_value (row, columns[i]),
                                          PyTuple_GET_ITEM (reader->converters, i));

      if (value == NULL)
        {
          Py_DECREF (result);
          return NULL;
        }
      if (reader->form != ROW_FORM_DICT)
        PyTuple_SET_ITEM (result, i, value);
      else
        {
          int failed = PyDict_SetItem (result, PyTuple_GET_ITEM (reader->keys, i), value);

          Py_DECREF (value);
          if (failed < 0)
            {
              Py_DECREF (result);
              return NULL;
            }
        }
    }
  if (reader->form != ROW_FORM_NAMED)
    return result;
  named = PyObject_Call (reader->tuple_type, result, NULL);
  Py_DECREF (result);
  return named;
}

/* reader(row): what the query set yields for one Gorm.Row. */
static PyObject *
row_reader_call (PyObject *self,
                 PyObject *args,
                 PyObject *kwargs)
{
  RowReader *reader = (RowReader *) self;
  g_autofree guint *columns = NULL;
  PyObject *argument;
  GormRow *row;

  if (!PyArg_ParseTuple (args, "O:RowReader", &argument))
    return NULL;
  row = row_argument (argument, "RowReader");
  if (row == NULL)
    return NULL;
  columns = g_new (guint, PyTuple_GET_SIZE (reader->keys));
  if (!row_reader_find (reader, row, columns))
    return NULL;
  return row_reader_read (reader, row, columns);
}

/* reader.read(model, start=0, n_items=-1): a list of what the query set
 * yields for the Gorm.Rows of the Gio.ListModel @model from @start on,
 * at most @n_items of them (every one for a negative @n_items), in
 * order. */
static PyObject *
row_reader_read_items (PyObject         *self,
                       PyObject * const *args,
                       Py_ssize_t        n_args)
{
  RowReader *reader = (RowReader *) self;
  g_autofree guint *columns = NULL;
  gboolean found = FALSE;
  long long start = 0, n_wanted = -1;
  GListModel *model;
  GObject *object;
  PyObject *list;
  guint n_items;

  if (n_args < 1 || n_args > 3)
    return PyErr_Format (PyExc_TypeError, "read() takes 1 to 3 arguments (%zd given)", n_args);
  object = gobject_of (args[0]);
  if (object == NULL || !G_IS_LIST_MODEL (object))
    return PyErr_Format (PyExc_TypeError, "read: a %s is not a Gio.ListModel",
                         Py_TYPE (args[0])->tp_name);
  if (n_args > 1 && (start = PyLong_AsLongLong (args[1])) == -1 && PyErr_Occurred ())
    return NULL;
  if (n_args > 2 && (n_wanted = PyLong_AsLongLong (args[2])) == -1 && PyErr_Occurred ())
    return NULL;
  if (start < 0)
    return PyErr_Format (PyExc_ValueError, "read: no row %lld", start);
  model = G_LIST_MODEL (object);
  if (g_list_model_get_item_type (model) != GORM_TYPE_ROW)
    return PyErr_Format (PyExc_TypeError, "read: the model holds %s items, not Gorm.Rows",
                         g_type_name (g_list_model_get_item_type (model)));
  n_items = g_list_model_get_n_items (model);
  n_items = start >= n_items ? 0 : n_items - (guint) start;
  if (n_wanted >= 0 && n_wanted < n_items)
    n_items = (guint) n_wanted;
  list = PyList_New (n_items);
  if (list == NULL)
    return NULL;
  columns = g_new (guint, PyTuple_GET_SIZE (reader->keys));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GormRow) row = g_list_model_get_item (model, (guint) start + i);
      PyObject *item;

      /* An item that a live model could not load (it said why in a
       * warning) is None, as in a list of objects (gorm_query_dup_items()). */
      if (row == NULL)
        {
          PyList_SET_ITEM (list, i, Py_NewRef (Py_None));
          continue;
        }
      if (!found && !row_reader_find (reader, row, columns))
        {
          Py_DECREF (list);
          return NULL;
        }
      found = TRUE;
      item = row_reader_read (reader, row, columns);
      if (item == NULL)
        {
          Py_DECREF (list);
          return NULL;
        }
      PyList_SET_ITEM (list, i, item);
    }
  return list;
}

static PyMethodDef row_reader_methods[] = {
  { "read", (PyCFunction) (void (*) (void)) row_reader_read_items, METH_FASTCALL,
    "read(model, start=0, n_items=-1): a list of what the query set yields for the "
    "Gorm.Rows of model from start on, at most n_items of them (all if negative)." },
  { NULL },
};

static PyTypeObject row_reader_type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._gorm_speedups.RowReader",
  .tp_doc = "RowReader(keys, converters, form, generic, tuple_type): turns the Gorm.Rows "
            "of values() and values_list() into dicts, tuples, values or "
            "namedtuples, in C.",
  .tp_basicsize = sizeof (RowReader),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_new = row_reader_new,
  .tp_dealloc = row_reader_dealloc,
  .tp_traverse = row_reader_traverse,
  .tp_call = row_reader_call,
  .tp_methods = row_reader_methods,
};

/* The module's row readers and constants, added by module_exec(). */
static int
add_row_reader (PyObject *module)
{
  static const struct { const char *name; int value; } forms[] = {
    { "ROW_FORM_DICT", ROW_FORM_DICT },
    { "ROW_FORM_TUPLE", ROW_FORM_TUPLE },
    { "ROW_FORM_FLAT", ROW_FORM_FLAT },
    { "ROW_FORM_NAMED", ROW_FORM_NAMED },
  };

  if (PyType_Ready (&row_reader_type) < 0 ||
      PyModule_AddObjectRef (module, "RowReader", (PyObject *) &row_reader_type) < 0)
    return -1;
  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    if (PyModule_AddIntConstant (module, forms[i].name, forms[i].value) < 0)
      return -1;
  return 0;
}

static PyMethodDef module_methods[] = {
  { "get_id", get_id, METH_O,
    "get_id(resource): the resource's id, 0 until it is saved." },
  { "row_value", (PyCFunction) (void (*) (void)) row_value, METH_FASTCALL,
    "row_value(row, column): the value of a Gorm.Row's column, None for NULL, a "
    "boxed value copied (gorm_row_get_value())." },
  { "get_value", (PyCFunction) (void (*) (void)) get_value, METH_FASTCALL,
    "get_value(resource, name): the value of the property name, a boxed value "
    "copied (gorm_resource_get_value())." },
  { "keep_related", (PyCFunction) (void (*) (void)) keep_related, METH_FASTCALL,
    "keep_related(relation, cache_name, resource): keeps the object resource "
    "refers to through relation, when at hand, in resource.__dict__[cache_name]; "
    "returns resource." },
  { "take_related", (PyCFunction) (void (*) (void)) take_related, METH_FASTCALL,
    "take_related(model, start, n_items, relation, cache_name): the items of model "
    "from start on, at most n_items, each passed through keep_related(relation, "
    "cache_name, item)." },
  { "build_filter", (PyCFunction) (void (*) (void)) build_filter, METH_FASTCALL,
    "build_filter(where, terms): the Gorm.Filter where (unless None) and the "
    "comparisons of terms, (code, name, value) triples; None when a value needs "
    "the override's conversion." },
  { "build_query", (PyCFunction) (void (*) (void)) build_query, METH_FASTCALL,
    "build_query(database, gtype, where, orders, offset, limit): the Gorm.Query of "
    "gtype's objects on database (None: the default one, None back when unset), filtered by where unless None, ordered by the (name, descending) "
    "pairs of orders, from offset on, at most limit unless None." },
  { "load_objects", (PyCFunction) (void (*) (void)) load_objects, METH_FASTCALL,
    "load_objects(query, whole_max, chunk): fetches the Gorm.Query query: (model, "
    "items, n_items), its items all when at most whole_max, else its first chunk." },
  { "set_new_func", set_new_func, METH_O,
    "set_new_func(model): makes libgorm build the objects of model that it "
    "loads with their wrapper, and the model's own __init__ called." },
  { "collect", (PyCFunction) (void (*) (void)) collect, METH_FASTCALL,
    "collect(function, *args): calls function(*args), keeping the wrappers of the "
    "objects loaded on this thread meanwhile until it returns: the objects it gives "
    "to Python come with the wrapper they were built with." },
  { "instance_init", instance_init, METH_NOARGS,
    "instance_init(): does nothing; the __dontuse_ginstance_init__ of models." },
  { "save", save_resource, METH_O,
    "save(resource): gorm_resource_save() without a cancellable; GLib.Error on failure." },
  { "set_constructor_helpers", set_constructor_helpers, METH_VARARGS,
    "set_constructor_helpers(init_plan, datetime_to_glib): the functions of the "
    "override init_resource() calls." },
  { NULL },
};

static int
module_exec (PyObject *module)
{
  static const struct { const char *name; int value; } readers[] = {
    { "READ_BY_NAME", READ_BY_NAME },
    { "READ_INT64", READ_INT64 },
    { "READ_DOUBLE", READ_DOUBLE },
    { "READ_BOOLEAN", READ_BOOLEAN },
    { "READ_STRING", READ_STRING },
    { "READ_DATETIME", READ_DATETIME },
    { "READ_INTEGER", READ_INTEGER },
  };
  PyObject *gobject;

  gobject = pygobject_init (3, 42, 0);
  if (gobject == NULL)
    return -1;
  Py_DECREF (gobject);
  PyDateTime_IMPORT;
  if (PyDateTimeAPI == NULL)
    return -1;
  read_by_name_name = PyUnicode_InternFromString ("read_by_name");
  key_attribute_name = PyUnicode_InternFromString ("key_attribute");
  cache_name_name = PyUnicode_InternFromString ("cache_name");
  target_key_name = PyUnicode_InternFromString ("target_key");
  load_name = PyUnicode_InternFromString ("_load");
  dict_name = PyUnicode_InternFromString ("__dict__");
  own_init_name = PyUnicode_InternFromString ("_gorm_own_init");
  init_name = PyUnicode_InternFromString ("__init__");
  empty_tuple = PyTuple_New (0);
  if (read_by_name_name == NULL || own_init_name == NULL || init_name == NULL ||
      empty_tuple == NULL || key_attribute_name == NULL ||
      cache_name_name == NULL || target_key_name == NULL || load_name == NULL ||
      dict_name == NULL)
    return -1;
  dict_descriptor = Py_XNewRef (PyDict_GetItemWithError (PyGObject_Type.tp_dict, dict_name));
  if (dict_descriptor == NULL || Py_TYPE (dict_descriptor)->tp_descr_get == NULL)
    {
      if (!PyErr_Occurred ())
        PyErr_SetString (PyExc_ImportError,
                         "gi.overrides._gorm_speedups: GObject.Object has no __dict__ getter");
      return -1;
    }
  if (PyType_Ready (&field_base_type) < 0 ||
      PyModule_AddObjectRef (module, "FieldBase", (PyObject *) &field_base_type) < 0 ||
      PyType_Ready (&foreign_key_base_type) < 0 ||
      PyModule_AddObjectRef (module, "ForeignKeyBase", (PyObject *) &foreign_key_base_type) < 0)
    return -1;
  for (gsize i = 0; i < G_N_ELEMENTS (readers); i++)
    if (PyModule_AddIntConstant (module, readers[i].name, readers[i].value) < 0)
      return -1;
  if (add_row_reader (module) < 0)
    return -1;
  return add_construction (module);
}

static PyModuleDef_Slot module_slots[] = {
  { Py_mod_exec, module_exec },
  { 0, NULL },
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT,
  .m_name = "gi.overrides._gorm_speedups",
  .m_doc = "The compiled part of the Gorm override: field reads, the "
           "constructors of new and loaded objects, foreign key assignments.",
  .m_methods = module_methods,
  .m_slots = module_slots,
};

/* Python finds it by its name; the prototype keeps -Wmissing-prototypes quiet. */
PyMODINIT_FUNC PyInit__gorm_speedups (void);

PyMODINIT_FUNC
PyInit__gorm_speedups (void)
{
  return PyModuleDef_Init (&module_def);
}
