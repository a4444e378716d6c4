# SPDX-License-Identifier: LGPL-2.1-or-later
"""Python sugar for libgorm, loaded by ``from gi.repository import Gorm``.

Declare a model as a subclass of :class:`Gorm.Resource` with
:class:`Gorm.Field` attributes, open a database, and use the Django-style
manager::

    import datetime
    from gi.repository import Gorm

    class BlogPost(Gorm.Resource):
        title = Gorm.Field(str, max_length=200)
        content = Gorm.Field(str)
        pub_date = Gorm.Field(datetime.datetime, auto_now_add=True)

    Gorm.open('sqlite:blog.db')          # becomes the default database
    BlogPost(title='My First Post', content='Hello, world!').save()
    for post in BlogPost.objects.filter(title__startswith='My').order_by('-pub_date'):
        print(post.title)

Errors of the ``GORM_ERROR`` domain are raised as :class:`Gorm.Error`
subclasses, which are :class:`GLib.Error` too and keep the code and the
message. The C API stays reachable underneath: ``BlogPost.objects.filter(
...).query`` is a :class:`Gorm.Query`, and every ``_async`` / ``_finish``
pair is callable with a callback from a ``GLib.MainLoop``.
"""

import asyncio
import contextlib
import datetime
import enum
import functools
import math

from gi.repository import Gio, GLib, GObject

from ..module import get_introspection_module
from ..overrides import override

Gorm = get_introspection_module('Gorm')

__all__ = []

# The GIR's callables are all of one type; the override wraps those that
# take a GError.
_FunctionInfo = type(Gorm.Resource.save)


# Errors

_ErrorCode = Gorm.Error
_ERROR_DOMAIN = GLib.quark_to_string(Gorm.error_quark())
_ERROR_CLASSES = {}


class Error(GLib.Error):
    """An error of libgorm: the base class of every exception it raises.

    It is a :class:`GLib.Error` of the ``gorm-error-quark`` domain, so code
    that catches ``GLib.Error`` keeps working. ``code`` is a value of the
    ``GormError`` enum, also reachable as ``Gorm.Error.CONSTRAINT`` and so
    on; ``message`` names the type, property and value at fault.
    """

    default_code = _ErrorCode.FAILED

    def __init__(self, message, code=None):
        code = _ErrorCode(self.default_code if code is None else code)
        super().__init__(message, _ERROR_DOMAIN, int(code))
        self.code = code

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The first class declared for a code is the one raised for it;
        # the per-model DoesNotExist classes come later and do not count.
        _ERROR_CLASSES.setdefault(int(cls.default_code), cls)

    def __str__(self):
        return self.message


for _value in _ErrorCode.__enum_values__.values():
    setattr(Error, _value.value_name[len('GORM_ERROR_'):], _value)
_ERROR_CLASSES[int(_ErrorCode.FAILED)] = Error


class ObjectDoesNotExist(Error):
    """No row matches: the base of every model's ``DoesNotExist``."""
    default_code = _ErrorCode.NOT_FOUND


class IntegrityError(Error):
    """The database refused a write that breaks a unique, not-null or
    foreign-key constraint."""
    default_code = _ErrorCode.CONSTRAINT


class ValidationError(Error):
    """A value breaks a rule checked before any SQL runs, such as a
    maximum length."""
    default_code = _ErrorCode.VALIDATION


class FieldError(Error):
    """A field or lookup name that the model does not have."""
    default_code = _ErrorCode.UNKNOWN_PROPERTY


class UnsupportedTypeError(Error):
    """A property whose type libgorm cannot store."""
    default_code = _ErrorCode.UNSUPPORTED_TYPE


class TypeMismatchError(Error):
    """A value that does not convert without loss to its property's type."""
    default_code = _ErrorCode.TYPE_MISMATCH


class OperationalError(Error):
    """The database could not be opened or reached, or is closed."""
    default_code = _ErrorCode.CONNECTION


class MigrationError(Error):
    """The schema of the database cannot be evolved into the models'."""
    default_code = _ErrorCode.MIGRATION


class BusyError(OperationalError):
    """Another connection held a lock for longer than the busy timeout."""
    default_code = _ErrorCode.BUSY


class DiskFullError(OperationalError):
    """The disk or quota holding the database is full; the write was not
    applied."""
    default_code = _ErrorCode.FULL


class ReadOnlyError(OperationalError):
    """The database was opened read-only or cannot be written."""
    default_code = _ErrorCode.READ_ONLY


class CorruptError(OperationalError):
    """The database file is damaged or is not a database."""
    default_code = _ErrorCode.CORRUPT


class MultipleObjectsReturned(Error):
    """``get()`` found more than one object: the base of every model's
    ``MultipleObjectsReturned``."""
    default_code = _ErrorCode.FAILED


def _translate(error, model=None):
    """The exception to raise for the GLib.Error ``error``: a Gorm.Error
    subclass for the GORM_ERROR domain (the model's DoesNotExist for
    NOT_FOUND when the model is known), ``error`` itself otherwise."""
    if isinstance(error, Error) or error.domain != _ERROR_DOMAIN:
        return error
    if error.code == _ErrorCode.NOT_FOUND and model is not None:
        return model.DoesNotExist(error.message)
    return _ERROR_CLASSES.get(error.code, Error)(error.message, error.code)


def _raise_translated(error, model=None):
    """Raises ``error``, caught as a GLib.Error, as _translate() makes it.
    Called from the ``except`` block, without a context manager: the
    translating wrappers run around every call into libgorm."""
    translated = _translate(error, model)
    if translated is error:
        raise error
    raise translated from None


@contextlib.contextmanager
def _gorm_errors(model=None):
    """Raises the GORM_ERROR errors of the block as Gorm.Error subclasses."""
    try:
        yield
    except GLib.Error as error:
        _raise_translated(error, model)


def _translating(info):
    """A function calling the GIR callable ``info`` whose GErrors are raised
    as Gorm.Error subclasses."""
    @functools.wraps(info, assigned=('__name__', '__doc__'))
    def call(*args, **kwargs):
        try:
            return info(*args, **kwargs)
        except GLib.Error as error:
            _raise_translated(error)
    return call if info.is_method() else staticmethod(call)


def _translate_all(cls, gi_class):
    """Gives ``cls`` a translating wrapper for each throwing callable of
    ``gi_class`` that ``cls`` does not define itself."""
    for name, attribute in list(vars(gi_class).items()):
        if (isinstance(attribute, _FunctionInfo) and attribute.can_throw_gerror() and
                name not in vars(cls)):
            setattr(cls, name, _translating(attribute))
    return cls


# Values

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_NULLABLE_FUNDAMENTALS = (GObject.TYPE_STRING, GObject.TYPE_BOXED, GObject.TYPE_OBJECT)


_TIME_ZONES = {}


def _glib_time_zone(seconds):
    """The GLib.TimeZone of a UTC offset in seconds, made once."""
    zone = _TIME_ZONES.get(seconds)
    if zone is None:
        zone = _TIME_ZONES[seconds] = GLib.TimeZone.new_offset(seconds)
    return zone


def _datetime_to_glib(value):
    """A GLib.DateTime for a datetime.datetime, to the microsecond, in the
    same UTC offset; a naive datetime is local time, as Python takes it."""
    offset = value.utcoffset()
    if offset is None:
        value = value.astimezone()
        offset = value.utcoffset()
    since = value - _EPOCH
    result = GLib.DateTime.new_from_unix_utc(since.days * 86400 + since.seconds)
    if since.microseconds:
        result = result.add(since.microseconds)
    if offset:
        result = result.to_timezone(_glib_time_zone(offset.days * 86400 + offset.seconds))
    return result


def _datetime_from_glib(value):
    """An aware datetime.datetime for a GLib.DateTime, in its UTC offset:
    through its ISO 8601 form, one call instead of three."""
    return datetime.datetime.fromisoformat(value.format_iso8601())


def _is_nullable(gtype):
    """Whether a property of ``gtype`` can hold None (NULL)."""
    return gtype.fundamental in _NULLABLE_FUNDAMENTALS


def _to_gvalue(value, pspec=None):
    """A GObject.Value holding ``value`` in its natural GType.

    libgorm converts a value to its property's type without loss, or
    refuses it with TYPE_MISMATCH; doing the conversion there rather than
    through PyGObject keeps 64-bit integers whole and never truncates
    3.5 into an integer property. None becomes a NULL of the property's
    type when ``pspec`` is given.
    """
    if isinstance(value, GObject.Value):
        return value
    if value is None:
        if pspec is not None and _is_nullable(pspec.value_type):
            return GObject.Value(pspec.value_type, None)
        return GObject.Value(GObject.TYPE_POINTER, None)
    if isinstance(value, (GObject.GEnum, GObject.GFlags)):
        return GObject.Value(value.__gtype__, value)
    if isinstance(value, enum.Enum):
        return GObject.Value(GObject.TYPE_STRING, value.name)
    if isinstance(value, datetime.datetime):
        value = _datetime_to_glib(value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        value = GLib.Bytes.new(bytes(value))
    if isinstance(value, bool):
        gtype = GObject.TYPE_BOOLEAN
    elif isinstance(value, int):
        gtype = GObject.TYPE_INT64 if value < 2 ** 63 else GObject.TYPE_UINT64
        if not -2 ** 63 <= value < 2 ** 64:
            raise TypeMismatchError('%d does not fit in 64 bits' % value)
    elif isinstance(value, float):
        gtype = GObject.TYPE_DOUBLE
    elif isinstance(value, str):
        gtype = GObject.TYPE_STRING
    elif isinstance(value, (list, tuple)) and all(isinstance(s, str) for s in value):
        gtype, value = GObject.TYPE_STRV, list(value)
    elif hasattr(value, '__gtype__'):
        gtype = value.__gtype__
    else:
        raise TypeMismatchError('%r, a %s, has no GObject type libgorm stores'
                                % (value, type(value).__name__))
    return GObject.Value(gtype, value)


# asyncio

def _acall(target, name, *args):
    """An asyncio future of ``target.NAME_finish(result)`` for the call
    ``target.NAME_async(*args, cancellable, callback)``. Cancelling the
    future cancels the call.

    libgorm calls back, and changes objects, in the GLib main context, so
    the running asyncio loop must be one that runs it: gbulb's
    (``gbulb.install()``) or, from PyGObject 3.50 on, gi.events'. Under
    another loop the callback would never come: RuntimeError instead.
    """
    if GLib.main_depth() == 0:
        raise RuntimeError('awaiting libgorm needs an asyncio event loop that runs the GLib '
                           'main context, such as the one of gbulb.install()')
    future = asyncio.get_running_loop().create_future()
    cancellable = Gio.Cancellable()

    def finished(source, result, *unused):
        try:
            value = getattr(target, name + '_finish')(result)
        except Exception as exception:
            if not future.done():
                future.set_exception(exception)
            return
        if not future.done():
            future.set_result(value)

    future.add_done_callback(lambda done: done.cancelled() and cancellable.cancel())
    getattr(target, name + '_async')(*args, cancellable, finished)
    return future


# Fields

class _Kind:
    """How the values of one Python field type cross into GObject and back."""

    def __init__(self, gtype, empty=None, to_gobject=None, to_python=None, nullable=None):
        self.gtype = gtype
        self.nullable = _is_nullable(gtype) if nullable is None else nullable
        # The default of a field that cannot be None and was given none.
        self.empty = empty
        self._to_gobject = to_gobject
        self._to_python = to_python

    def to_gobject(self, value):
        """The property value for a Python value."""
        if value is None or self._to_gobject is None:
            return value
        return self._to_gobject(value)

    def to_python(self, value):
        """The Python value for a property value."""
        if value is None or self._to_python is None:
            return value
        return self._to_python(value)


def _glib_datetime(value):
    return _datetime_to_glib(value) if isinstance(value, datetime.datetime) else value


def _glib_bytes(value):
    return GLib.Bytes.new(bytes(value)) if isinstance(value, (bytes, bytearray, memoryview)) else value


def _enum_kind(python_enum):
    """A Python enum is stored as the name of its member, as text."""
    def to_gobject(value):
        return python_enum(value).name if not isinstance(value, str) else python_enum[value].name
    return _Kind(GObject.TYPE_STRING, next(iter(python_enum)).name, to_gobject,
                 lambda name: python_enum[name])


def _genum_kind(genum):
    """A GObject enum or flags type is stored by libgorm itself."""
    if issubclass(genum, GObject.GFlags):
        return _Kind(genum.__gtype__, genum(0))
    return _Kind(genum.__gtype__, min(genum.__enum_values__.values()))


_KINDS = {
    str: _Kind(GObject.TYPE_STRING, ''),
    int: _Kind(GObject.TYPE_INT64, 0),
    float: _Kind(GObject.TYPE_DOUBLE, 0.0),
    bool: _Kind(GObject.TYPE_BOOLEAN, False),
    bytes: _Kind(GLib.Bytes.__gtype__, GLib.Bytes.new(b''), _glib_bytes,
                 lambda value: value.get_data() or b''),
    datetime.datetime: _Kind(GLib.DateTime.__gtype__, None, _glib_datetime, _datetime_from_glib),
    GLib.DateTime: _Kind(GLib.DateTime.__gtype__, None, _glib_datetime),
    GLib.Bytes: _Kind(GLib.Bytes.__gtype__, GLib.Bytes.new(b''), _glib_bytes),
    # PyGObject 3.42 gives a Python property [] for a NULL string array: a
    # list field with null=True asks libgorm whether it is NULL.
    list: _Kind(GObject.TYPE_STRV, [], list, nullable=False),
}
_KINDS[GObject.TYPE_STRV] = _KINDS[list]


def _kind_for(field_type):
    """The _Kind of a Field's type: a Python type, an enum, or a GType."""
    if field_type in _KINDS:
        return _KINDS[field_type]
    if isinstance(field_type, type) and issubclass(field_type, enum.Enum):
        return _enum_kind(field_type)
    if isinstance(field_type, type) and issubclass(field_type, (GObject.GEnum, GObject.GFlags)):
        return _genum_kind(field_type)
    if isinstance(field_type, GObject.GType):
        empty = GObject.Property._default_lookup.get(field_type, False if
                                                     field_type == GObject.TYPE_BOOLEAN else None)
        return _Kind(field_type, empty)
    raise TypeError('Gorm.Field cannot store %r: use str, int, float, bool, bytes, '
                    'datetime.datetime, GLib.DateTime, list (of str), an enum or a GType'
                    % (field_type,))


# Bound once: looking the method up on each instance costs a quarter of a
# field read.
_resource_get_value = Gorm.Resource.get_value
_resource_set_value = Gorm.Resource.set_value
_resource_is_null = Gorm.Resource.is_null
_resource_set_null = Gorm.Resource.set_null

# The integer GTypes: an int for such a field goes to libgorm as the int it
# is (a gint64), which libgorm converts without loss or refuses.
_INTEGER_FUNDAMENTALS = frozenset((
    GObject.TYPE_CHAR, GObject.TYPE_UCHAR, GObject.TYPE_INT, GObject.TYPE_UINT,
    GObject.TYPE_LONG, GObject.TYPE_ULONG, GObject.TYPE_INT64, GObject.TYPE_UINT64,
    GObject.TYPE_ENUM, GObject.TYPE_FLAGS))

# The Python types whose values PyGObject turns into a GValue of the
# field's type itself (an int only within 32 bits).
_PLAIN_TYPES = {
    GObject.TYPE_STRING: str,
    GObject.TYPE_DOUBLE: float,
    GObject.TYPE_BOOLEAN: bool,
    GObject.TYPE_INT64: int,
}
# What else a field of those types takes, without loss.
_ACCEPTED = {str: str, float: (float, int), bool: (bool, int), int: int}


def _passes_as_is(value):
    """Whether PyGObject makes the GValue of ``value`` itself, for a GValue
    argument, in the type a GObject.Value of it would have: a str, float,
    bool, or an int within 32 bits (a gint, which libgorm widens)."""
    kind = type(value)
    return (kind is str or kind is float or kind is bool or
            (kind is int and -2 ** 31 <= value < 2 ** 31))


class Field(GObject.Property):
    """A stored property of a model, declared as a class attribute::

        title = Gorm.Field(str, max_length=200, index=True)

    ``type`` is ``str``, ``int`` (64 bits), ``float``, ``bool``, ``bytes``,
    ``datetime.datetime`` (read back as an aware datetime) or
    ``GLib.DateTime``, ``list`` (of str, a GStrv), a Python ``enum.Enum``
    (stored by member name), a GObject enum or flags class, or a GType
    such as ``GObject.TYPE_UINT``.

    Options, as in Django: ``max_length`` (checked before any SQL),
    ``unique``, ``null`` (False by default: strings default to '', numbers
    to 0, and assigning None raises ValidationError at once; with
    ``null=True`` a field of any type stores and returns None, its
    default unless ``default`` is given, and a list field keeps None apart
    from []), ``index``, ``default``, ``auto_now`` and ``auto_now_add``
    (for date-times), ``column`` (the column name) and ``primary_key`` (a
    natural key instead of ``id``). ``nick``, ``blurb``, ``minimum`` and
    ``maximum`` are those of GObject.Property.

    A value that would lose information on its way into the field raises
    TypeMismatchError, at assignment and in the constructor alike: 3.5 for
    an int, an int beyond the field's range, a str holding "\\0", a str
    for a list. 3 for a float is accepted.
    """

    def __init__(self, type=str, *, max_length=None, unique=False, null=False,
                 index=False, default=None, auto_now=False, auto_now_add=False,
                 column=None, primary_key=False, nick='', blurb='',
                 minimum=None, maximum=None):
        self.kind = _kind_for(type)
        self.field_type = type
        self._plain_type = _PLAIN_TYPES.get(self.kind.gtype)
        # Whether None is asked of libgorm: the GObject value of a number
        # cannot be None, and PyGObject reads a NULL string array as [].
        self._reads_null = null and (not _is_nullable(self.kind.gtype) or
                                     self.kind.gtype == GObject.TYPE_STRV)
        self.max_length = max_length
        self.unique = unique
        self.null = null
        self.index = index
        self.auto_now = auto_now
        self.auto_now_add = auto_now_add
        self.column = column
        self.primary_key = primary_key
        # Django's default of a field with null=True is None.
        self.defaults_to_null = null and default is None
        # A number's GObject value cannot be None: a NULL one holds the
        # empty value, as its GParamSpec default.
        if default is None and (not null or not _is_nullable(self.kind.gtype)):
            default = self.kind.empty
        super().__init__(type=self.kind.gtype.pytype or self.kind.gtype,
                         default=self.kind.to_gobject(default),
                         nick=nick, blurb=blurb, minimum=minimum, maximum=maximum)
        # A float field takes the infinities, which libgorm stores and
        # loads exactly; GObject.Property refuses them as limits, but the
        # GParamSpec it builds from these attributes takes them.
        if self.kind.gtype == GObject.TYPE_DOUBLE:
            if minimum is None:
                self.minimum = -math.inf
            if maximum is None:
                self.maximum = math.inf

    def _get_default(self, default):
        # GObject.Property turns a None default into '' for strings; a
        # nullable field keeps None.
        if default is None and self.kind.nullable:
            return None
        return super()._get_default(default)

    # libgorm keeps a field's value in the object (see describe()), so
    # that loading and saving run no Python: the descriptor reads and
    # writes it there, converting between the Python form and the GObject
    # one. PyGObject answers get_property() and set_property() of a Python
    # class in Python: the model's do_get_property and do_set_property go
    # to libgorm for fields (_do_get_property, _do_set_property).

    def __get__(self, instance, owner):
        if instance is None:
            return self
        if self._reads_null and _resource_is_null(instance, self._property_name):
            return None
        value = _resource_get_value(instance, self._property_name)
        convert = self.kind._to_python
        return value if convert is None or value is None else convert(value)

    def get_gobject_value(self, instance):
        """The value of the field in ``instance``, in its GObject form (a
        GLib.DateTime rather than a datetime)."""
        return _resource_get_value(instance, self._property_name)

    def set_gobject_value(self, instance, value):
        """Sets the field in ``instance`` to ``value``, in its GObject form."""
        # PyGObject makes a GValue of a str, float, bool or 32-bit int by
        # itself, three times faster than a GObject.Value; the other values
        # get the field's exact type, which refuses what does not fit.
        if value is None:
            self.set_null(instance)
            return
        plain = self._plain_type
        self.refuse_nan(type(instance), value)
        try:
            if plain is not None:
                if type(value) is plain and _passes_as_is(value):
                    if plain is str and '\0' in value:
                        self.mismatch(instance, value, 'a str holding a NUL character')
                    _resource_set_value(instance, self._property_name, value)
                    return
                if not isinstance(value, _ACCEPTED[plain]) or (
                        plain is int and not -2 ** 63 <= value < 2 ** 63):
                    self.mismatch(instance, value)
                if plain is str and '\0' in value:
                    self.mismatch(instance, value, 'a str holding a NUL character')
                if plain is bool and type(value) is int:
                    # libgorm takes 0 and 1 for a boolean, and refuses 2.
                    value = _to_gvalue(value)
            elif (type(value) is int and
                  self.kind.gtype.fundamental in _INTEGER_FUNDAMENTALS):
                # libgorm refuses what the field's type cannot hold (-1 for
                # a uint, 99 for an enum without it); GObject.Value would
                # wrap or keep it.
                value = _to_gvalue(value)
            elif self.kind.gtype == GObject.TYPE_STRV:
                self.check_strv(instance, value)
            if not isinstance(value, GObject.Value):
                try:
                    value = GObject.Value(self.kind.gtype, value)
                except (TypeError, ValueError, OverflowError):
                    self.mismatch(instance, value)
            _resource_set_value(instance, self._property_name, value)
        except GLib.Error as error:
            _raise_translated(error, type(instance))

    def mismatch(self, instance, value, what=None):
        """Raises TypeMismatchError for ``value``, which the field cannot
        take without loss."""
        raise TypeMismatchError('%s.%s: %r, %s, does not fit a %s field' % (
            type(instance).__name__, self.name, value,
            what or 'a %s' % type(value).__name__,
            getattr(self.field_type, '__name__', self.field_type)))

    def check_strv(self, instance, value):
        """A list field takes a list or tuple of str without NUL."""
        if (not isinstance(value, (list, tuple)) or
                not all(isinstance(item, str) for item in value)):
            self.mismatch(instance, value)
        if any('\0' in item for item in value):
            self.mismatch(instance, value, 'a str holding a NUL character')

    def set_null(self, instance):
        """Sets the field to None (NULL); ValidationError at once for a
        field without ``null=True``."""
        if not self.null:
            raise ValidationError('Cannot store None in %s.%s, a field without null=True'
                                  % (type(instance).__name__, self.name))
        try:
            _resource_set_null(instance, self._property_name)
        except GLib.Error as error:
            _raise_translated(error, type(instance))

    def refuse_nan(self, model, value):
        """Raises ValidationError for a NaN, which SQL cannot hold and
        GObject would refuse with a warning only."""
        if self._plain_type is float and isinstance(value, float) and math.isnan(value):
            raise ValidationError('Cannot store NaN in %s.%s, a float field: SQL has no NaN'
                                  % (model.__name__, self.name))

    def __set__(self, instance, value):
        self.set_gobject_value(instance, self.to_gobject(instance, value))

    def to_gobject(self, instance, value):
        """The GObject form of ``value``, or TypeMismatchError."""
        if value is None:
            return None
        if self.kind.gtype == GObject.TYPE_STRV:
            self.check_strv(instance, value)
        try:
            return self.kind.to_gobject(value)
        except (TypeError, ValueError, KeyError):
            self.mismatch(instance, value)

    def describe(self, model):
        """Records the field's options on ``model`` through the
        ``Gorm.ResourceClass.set_*()`` functions."""
        name = model.find_property(self.name).name
        self._property_name = name
        model.store_property(name)
        if self.primary_key:
            model.set_primary_key(name)
        if self.max_length is not None:
            model.set_max_length(name, self.max_length)
        if self.unique:
            model.set_unique(name)
        if not self.null and _is_nullable(self.kind.gtype):
            model.set_not_null(name)
        if self.null:
            model.set_nullable(name)
        if self.index:
            model.set_indexed(name)
        if self.auto_now:
            model.set_auto_now(name)
        if self.auto_now_add:
            model.set_auto_now_add(name)
        if self.column is not None:
            model.set_column_name(name, self.column)


__all__ += ['Error', 'ObjectDoesNotExist', 'MultipleObjectsReturned', 'IntegrityError',
            'ValidationError', 'FieldError', 'UnsupportedTypeError', 'TypeMismatchError',
            'OperationalError', 'BusyError', 'DiskFullError', 'ReadOnlyError',
            'CorruptError', 'MigrationError', 'Field']


# Models

def _stored_pspecs(model):
    """The param specs of the model's stored properties, but ``id``, as
    libgorm lists them (gorm_resource_class_dup_stored_properties()), in
    the order of their declaration in Python. Computed once per model, at
    its first use, once the class described itself."""
    cached = model.__dict__.get('_gorm_stored_pspecs')
    if cached is None:
        with _gorm_errors():
            names = model.dup_stored_properties()
        declared = [name for cls in reversed(model.__mro__) for name, value in vars(cls).items()
                    if isinstance(value, GObject.Property)]
        pspecs = [model.find_property(name) for name in names if name != 'id']
        cached = tuple(sorted(pspecs, key=lambda pspec: (
            declared.index(_attribute(pspec)) if _attribute(pspec) in declared
            else len(declared))))
        model._gorm_stored_pspecs = cached
    return cached


def _attribute(pspec):
    """The Python attribute name of a property: ``pub-date`` → ``pub_date``."""
    return pspec.name.replace('-', '_')


def _get_value(resource, pspec):
    """The value of a property, through its Python attribute (which converts
    a Field's value) when the class declares one."""
    name = _attribute(pspec)
    if isinstance(getattr(type(resource), name, None), GObject.Property):
        return getattr(resource, name)
    return resource.get_property(pspec.name)


def _do_get_property(resource, pspec):
    """The ``do_get_property`` of models: a field's value is in libgorm,
    in its GObject form; another property is PyGObject's."""
    entry = _fields_by_name(type(resource)).get(pspec.name)
    if entry is not None and entry[1] is not None:
        return entry[1].get_gobject_value(resource)
    return getattr(resource, _attribute(pspec), None)


def _do_set_property(resource, pspec, value):
    """The ``do_set_property`` of models, the twin of _do_get_property."""
    entry = _fields_by_name(type(resource)).get(pspec.name)
    if entry is not None and entry[1] is not None:
        entry[1].set_gobject_value(resource, value)
        return
    prop = getattr(type(resource), _attribute(pspec), None)
    if prop is not None:
        prop.fset(resource, value)


def _field(model, pspec):
    """The Gorm.Field declaring ``pspec`` in ``model``, or None."""
    field = getattr(model, _attribute(pspec), None)
    return field if isinstance(field, Field) else None


def _fields_by_name(model):
    """The model's properties by the names a keyword argument can give
    them (``pub_date`` and ``pub-date``), each as (pspec, Field or None);
    computed once per model."""
    cached = model.__dict__.get('_gorm_fields_by_name')
    if cached is None:
        cached = {}
        for pspec in model.list_properties():
            entry = (pspec, _field(model, pspec))
            cached[pspec.name] = cached[_attribute(pspec)] = entry
        model._gorm_fields_by_name = cached
    return cached


def _boxed_defaults(model):
    """The fields of ``model`` whose default a GParamSpec cannot hold (the
    default of a boxed property is NULL), as (attribute, default) pairs,
    which the constructor gives: b'' for bytes, [] for a list. Computed
    once per model."""
    cached = model.__dict__.get('_gorm_boxed_defaults')
    if cached is None:
        # Every Gorm.Field is stored: the fields alone are looked at, so
        # that an object of a model libgorm cannot store can still be
        # built (its save says why).
        fields = {field for _, field in _fields_by_name(model).values() if field is not None}
        cached = tuple(sorted((_attribute(model.find_property(field._property_name)), field.default)
                              for field in fields
                              if field.kind.gtype.fundamental == GObject.TYPE_BOXED and
                              field.default is not None))
        model._gorm_boxed_defaults = cached
    return cached


def _null_defaults(model):
    """The fields of ``model`` with null=True whose default is None but
    whose GObject value cannot be None (numbers, booleans, enums): the
    constructor makes them NULL. Computed once per model."""
    cached = model.__dict__.get('_gorm_null_defaults')
    if cached is None:
        fields = {field for _, field in _fields_by_name(model).values() if field is not None}
        cached = tuple(field for field in fields
                       if field.defaults_to_null and not _is_nullable(field.kind.gtype))
        model._gorm_null_defaults = cached
    return cached


def _find_pspec(model, name):
    """The param spec of the stored property ``name`` (``pk`` is the primary
    key) of ``model``; FieldError, before any SQL, when there is none."""
    if name == 'pk':
        name = model._gorm_primary_key
    entry = _fields_by_name(model).get(name)
    pspec = entry[0] if entry else None
    if pspec is None or (pspec.name != 'id' and pspec not in _stored_pspecs(model)):
        known = ', '.join(['id', 'pk'] + [_attribute(p) for p in _stored_pspecs(model)])
        raise FieldError("%s has no field '%s'; its fields are %s"
                         % (model.__name__, name, known))
    return pspec


def _gobject_form(model, pspec, value):
    """A Python value for a property of ``model`` in its GObject form,
    converted by the property's Field when it has one."""
    field = _field(model, pspec)
    return field.kind.to_gobject(value) if field else value


def _property_value(model, pspec, value):
    """The GObject.Value of a Python value for a property of ``model``."""
    return _to_gvalue(_gobject_form(model, pspec, value), pspec)


_database_is_migrated = Gorm.Database.is_migrated


def _register(database, model):
    """Migrates ``model`` on ``database`` at its first use there, without an
    explicit migrate: libgorm knows what it migrated
    (gorm_database_is_migrated()), and forgets it at a rollback."""
    # A GType argument costs PyGObject less than a class it must look the
    # GType up in.
    if database is not None and not _database_is_migrated(database,
                                                           getattr(model, '__gtype__', model)):
        with _gorm_errors():
            Gorm.Database.ensure_migrated(database, [model], None)


def _default_database(model_name):
    """The default database; OperationalError when there is none."""
    database = Gorm.Database.get_default()
    if database is None:
        raise OperationalError('%s has no database: open one with Gorm.open(uri), or use '
                               'Model.objects.using(database)' % model_name)
    return database


class _ClassException:
    """A descriptor giving each model its own exception class, subclassing
    its parent model's, as Django's ``Model.DoesNotExist``."""

    def __init__(self, base):
        self.base = base
        self.name = None

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner):
        cached = '_gorm_' + self.name
        if cached not in vars(owner):
            bases = tuple(getattr(base, self.name) for base in owner.__bases__
                          if issubclass(base, Resource) and base is not Resource)
            setattr(owner, cached, type(self.name, bases or (self.base,), {
                '__module__': owner.__module__,
                '__qualname__': owner.__qualname__ + '.' + self.name,
            }))
        return vars(owner)[cached]


class _ManagerDescriptor:
    """``Model.objects``: a Manager of the model, reachable from the class only."""

    def __get__(self, instance, owner):
        if instance is not None:
            raise AttributeError("Manager isn't accessible via %s instances" % owner.__name__)
        return Manager(owner)


_object_new = GObject.Object.__new__
_object_init = GObject.Object.__init__


def _new_for_row(database, model):
    """Builds the object of a model for a row that libgorm loads: in
    Python, not by g_object_new() in C. PyGObject 3.42 gives an object of a
    Python class that C creates the wrapper of the object Python is
    constructing at that moment, if any: a live model builds its objects
    while GTK constructs a Gtk.SingleSelection or a Gtk.ListView around
    it, which then came back from get_item() (and as freed memory once
    that wrapper died). See gorm_resource_class_set_new_func(). libgorm
    sets the row's values next. A model's own __init__ is called without
    arguments, as PyGObject called it for objects built by g_object_new();
    Resource.__init__ has nothing to do for them."""
    resource = _object_new(model)
    _object_init(resource, database=database)
    if model._gorm_own_init:
        model.__init__(resource)
    return resource


class _ResourceMeta(type(Gorm.Resource)):
    """Describes each model to libgorm once PyGObject registered its GType:
    its table, and the options of its Gorm.Field attributes."""

    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        if cls.__module__.startswith('gi.'):
            return
        if any(isinstance(value, GObject.Property) for value in namespace.values()):
            # PyGObject has just given the class its own do_get_property
            # and do_set_property.
            cls.do_get_property = _do_get_property
            cls.do_set_property = _do_set_property
        cls._gorm_own_init = cls.__init__ is not Resource.__init__
        cls.set_new_func(_new_for_row, cls)
        meta = namespace.get('Meta')
        # Without one, libgorm names the table after the class, in snake
        # case (gorm_resource_class_get_table_name()).
        table = getattr(meta, 'table', None) or namespace.get('__table__')
        if table is not None:
            cls.set_table(table)
        fields = {attr: value for attr, value in namespace.items() if isinstance(value, Field)}
        for field in fields.values():
            field.describe(cls)
        key = getattr(meta, 'primary_key', None)
        if key is not None:
            cls.set_primary_key(cls.find_property(key).name)
        else:
            key = next((attr for attr, field in fields.items() if field.primary_key), None)
        if key is not None:
            cls._gorm_primary_key = key


class Resource(Gorm.Resource, metaclass=_ResourceMeta):
    """The base class of models. See the module's documentation.

    Class options come from a nested ``class Meta:`` (``table``,
    ``primary_key``) or a ``__table__`` class attribute; the table defaults
    to the class name in snake case (``BlogPost`` → ``blog_post``). Plain
    ``GObject.Property`` attributes are stored too; their options are set
    with ``Model.set_max_length('title', 200)`` and the other
    ``Gorm.ResourceClass`` functions right after the class statement.
    """

    objects = _ManagerDescriptor()
    DoesNotExist = _ClassException(ObjectDoesNotExist)
    MultipleObjectsReturned = _ClassException(MultipleObjectsReturned)
    _gorm_primary_key = 'id'

    def __init__(self, **properties):
        model = type(self)
        fields = _fields_by_name(model)
        # Fields are set once the object is built, as an assignment sets
        # them: with the same checks (None, lossy values), which
        # PyGObject's conversion for g_object_new() would not make.
        assigned = []
        for name in [name for name in properties if name in fields]:
            field = fields[name][1]
            if field is not None:
                assigned.append((field, properties.pop(name)))
        given = {field for field, _ in assigned}
        for name, default in _boxed_defaults(model):
            if fields[name][1] not in given:
                properties[name] = default
        super().__init__(**properties)
        for field in _null_defaults(model):
            if field not in given:
                field.set_null(self)
        for field, value in assigned:
            field.__set__(self, value)

    @property
    def id(self):
        """The automatic primary key: 0 until the object is saved."""
        return self.get_id()

    @property
    def pk(self):
        """The primary key: ``id``, or the natural key of the model."""
        return getattr(self, type(self)._gorm_primary_key)

    def _database(self):
        """The database the object uses: its own, or the default one."""
        return self.get_database() or Gorm.Database.get_default()

    async def asave(self):
        """Awaits ``save_async()``: saves the object on the database worker."""
        await _acall(self, 'save')

    async def adelete(self):
        """Awaits ``delete_async()``."""
        await _acall(self, 'delete')

    async def areload(self):
        """Awaits ``reload_async()``."""
        await _acall(self, 'reload')

    def __repr__(self):
        model = type(self)
        key = model._gorm_primary_key
        shown = ['%s=%r' % (key, self.pk) if self.is_saved() else 'unsaved']
        try:
            pspecs = _stored_pspecs(model)
        except Error:
            # A model libgorm cannot store shows its key alone.
            pspecs = ()
        for pspec in pspecs:
            if _attribute(pspec) != key and len(shown) < 4:
                text = repr(_get_value(self, pspec))
                shown.append('%s=%s' % (_attribute(pspec),
                                        text if len(text) <= 40 else text[:37] + '...'))
        return '<%s %s>' % (model.__name__, ' '.join(shown))


def _resource_call(name, doc):
    """A Resource method calling the C method ``name`` after registering the
    model with the object's database, with translated errors."""
    info = getattr(Gorm.Resource, name)

    def call(self, *args, **kwargs):
        model = type(self)
        _register(self._database(), model)
        try:
            return info(self, *args, **kwargs)
        except GLib.Error as error:
            _raise_translated(error, model)
    call.__name__ = call.__qualname__ = name
    call.__doc__ = '%s\n\n%s' % (info.__doc__, doc)
    return call


for _name, _doc in [
        ('save', 'Saves the object: inserts its row, or writes its changed properties.'),
        ('delete', 'Deletes the row of the object.'),
        ('reload', 'Reads the row of the object again, discarding unsaved changes.'),
        ('save_async', 'Saves the object on the database worker; see save().'),
        ('delete_async', 'Deletes the row on the database worker; see delete().'),
        ('reload_async', 'Reloads the object on the database worker; see reload().')]:
    setattr(Resource, _name, _resource_call(_name, _doc))

Resource = override(_translate_all(Resource, Gorm.Resource))
__all__.append('Resource')


# Filters

def _like_text(model, pspec, value):
    """The text of a pattern lookup, escaped for LIKE (``\\``, ``%``, ``_``)."""
    text = _gobject_form(model, pspec, value)
    if not isinstance(text, str):
        raise TypeMismatchError('%s.%s: a text lookup needs a str, not %r'
                                % (model.__name__, _attribute(pspec), value))
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _pattern(prefix, suffix, case_sensitive=True):
    """A lookup matching a LIKE pattern around the escaped value."""
    def lookup(model, pspec, value):
        pattern = prefix + _like_text(model, pspec, value) + suffix
        if case_sensitive:
            return Gorm.Filter.like(pspec.name, pattern)
        if not hasattr(Gorm.Filter, 'ilike'):
            raise NotImplementedError('Case-insensitive lookups need gorm_filter_ilike(), '
                                      'which this libgorm does not have')
        return Gorm.Filter.ilike(pspec.name, pattern)
    return lookup


def _comparison(constructor):
    """A lookup comparing with one value. A str, float, bool or 32-bit int
    goes as it is: PyGObject makes its GValue, three times faster than a
    GObject.Value, and libgorm converts it as it would the other."""
    def lookup(model, pspec, value):
        value = _gobject_form(model, pspec, value)
        return constructor(pspec.name, value if _passes_as_is(value) else _to_gvalue(value, pspec))
    return lookup


def _lookup_in(model, pspec, values):
    if isinstance(values, (str, bytes)):
        raise TypeError('__in takes an iterable of values, not %r' % (values,))
    return Gorm.Filter.in_(pspec.name, [_property_value(model, pspec, v) for v in values])


def _lookup_range(model, pspec, bounds):
    low, high = bounds
    return Gorm.Filter.between(pspec.name, _property_value(model, pspec, low),
                               _property_value(model, pspec, high))


def _lookup_isnull(model, pspec, value):
    return (Gorm.Filter.is_null if value else Gorm.Filter.is_not_null)(pspec.name)


_LOOKUPS = {
    'exact': _comparison(Gorm.Filter.eq),
    'ne': _comparison(Gorm.Filter.ne),
    'lt': _comparison(Gorm.Filter.lt),
    'lte': _comparison(Gorm.Filter.le),
    'gt': _comparison(Gorm.Filter.gt),
    'gte': _comparison(Gorm.Filter.ge),
    'in': _lookup_in,
    'range': _lookup_range,
    'isnull': _lookup_isnull,
    'contains': _pattern('%', '%'),
    'startswith': _pattern('', '%'),
    'endswith': _pattern('%', ''),
    'icontains': _pattern('%', '%', case_sensitive=False),
    'iexact': _pattern('', '', case_sensitive=False),
    'istartswith': _pattern('', '%', case_sensitive=False),
    'iendswith': _pattern('%', '', case_sensitive=False),
}


def _lookup(model, key, value):
    """The Gorm.Filter of one ``field__lookup=value`` argument; FieldError
    for an unknown field or lookup, before any SQL."""
    name, _, lookup = key.partition('__')
    pspec = _find_pspec(model, name)
    builder = _LOOKUPS.get(lookup or 'exact')
    if builder is None:
        raise FieldError("Unsupported lookup '%s' for %s.%s; use one of %s"
                         % (lookup, model.__name__, name, ', '.join(sorted(_LOOKUPS))))
    return builder(model, pspec, value)


class Q:
    """A condition to combine with ``&``, ``|`` and ``~`` and give to
    ``filter()``, ``exclude()`` or ``get()``::

        BlogPost.objects.filter(Q(views__gt=100) | ~Q(title__startswith='Draft'))

    Its keyword lookups are ANDed, as in ``filter()``.
    """

    AND = 'AND'
    OR = 'OR'

    def __init__(self, *children, _connector=AND, _negated=False, **lookups):
        self.children = list(children) + sorted(lookups.items())
        self.connector = _connector
        self.negated = _negated

    def _combine(self, other, connector):
        if not isinstance(other, (Q, Gorm.Filter)):
            return NotImplemented
        return Q(self, other, _connector=connector)

    def __and__(self, other):
        return self._combine(other, Q.AND)

    def __or__(self, other):
        return self._combine(other, Q.OR)

    def __invert__(self):
        return Q(self, _negated=True)

    def __repr__(self):
        inner = (' %s ' % self.connector).join(
            repr(c) if not isinstance(c, tuple) else '%s=%r' % c for c in self.children)
        return '<Q: %s(%s)>' % ('NOT ' if self.negated else '', inner)

    def resolve(self, model):
        """The Gorm.Filter of the condition for ``model``, or None when it has
        no condition."""
        filters = [child for child in (_resolve(c, model) for c in self.children)
                   if child is not None]
        if not filters:
            return None
        combined = functools.reduce(
            lambda a, b: a.and_(b) if self.connector == Q.AND else a.or_(b), filters)
        return combined.not_() if self.negated else combined


def _resolve(node, model):
    """The Gorm.Filter of a Q, a Gorm.Filter or a ``(key, value)`` lookup."""
    if isinstance(node, Q):
        return node.resolve(model)
    if isinstance(node, Gorm.Filter):
        return node
    return _lookup(model, *node)


def _filter_value(value):
    """The value argument of a Gorm.Filter constructor: None stays NULL."""
    return None if value is None else _to_gvalue(value)


def _filter_constructor(name):
    """A Gorm.Filter constructor taking plain Python values."""
    info = getattr(Gorm.Filter, name)

    def constructor(property, *values):
        return info(property, *[_filter_value(v) for v in values])
    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = '%s\n\nValues may be plain Python values.' % info.__doc__
    return staticmethod(constructor)


class Filter(Gorm.Filter):
    """A libgorm filter; the constructors take plain Python values (64-bit
    integers, datetimes, bytes, lists of str) as well as GObject.Values,
    and filters combine with ``&``, ``|`` and ``~``."""

    eq = _filter_constructor('eq')
    ne = _filter_constructor('ne')
    lt = _filter_constructor('lt')
    le = _filter_constructor('le')
    gt = _filter_constructor('gt')
    ge = _filter_constructor('ge')
    between = _filter_constructor('between')

    @staticmethod
    def in_(property, values):
        """Matches the rows whose property equals one of ``values``."""
        return Gorm.Filter.in_(property, [_to_gvalue(v) for v in values])

    def __and__(self, other):
        return self.and_(other) if isinstance(other, Gorm.Filter) else NotImplemented

    def __or__(self, other):
        return self.or_(other) if isinstance(other, Gorm.Filter) else NotImplemented

    def __invert__(self):
        return self.not_()


Filter = override(Filter)
__all__ += ['Q', 'Filter']

# The GIR also has the constructors as functions of the namespace.
filter_eq, filter_ne, filter_lt, filter_le, filter_gt, filter_ge, filter_between, filter_in = (
    Filter.eq, Filter.ne, Filter.lt, Filter.le, Filter.gt, Filter.ge, Filter.between, Filter.in_)
__all__ += ['filter_eq', 'filter_ne', 'filter_lt', 'filter_le', 'filter_gt', 'filter_ge',
            'filter_between', 'filter_in']


# Queries

class _AsyncQuerySet:
    """The awaitable forms of the QuerySet runners, as Django's ``acount()``
    and the others; see _acall() for the event loop they need."""

    async def acount(self):
        """Awaits how many objects match."""
        return await _acall(self._query(), 'count')

    async def aexists(self):
        """Awaits whether any object matches."""
        return await _acall(self._query(), 'exists')

    async def afirst(self):
        """Awaits the first object, in primary key order unless ordered, or None."""
        return await _acall(self._query(order_by_key=True), 'first')

    async def alist(self):
        """Awaits the matching objects, as a list."""
        return list(await _acall(self._query(), 'fetch'))

    async def __aiter__(self):
        for resource in await _acall(self._query(), 'fetch'):
            yield resource

    async def aget(self, *conditions, **lookups):
        """Awaits ``get()``."""
        selected = self.filter(*conditions, **lookups) if conditions or lookups else self
        return selected._one(await selected[:2].alist(), lookups)

    async def acreate(self, **properties):
        """Awaits ``create()``."""
        resource = self._new(properties)
        await resource.asave()
        return resource

    async def aupdate(self, **values):
        """Awaits ``update()``, run on the database worker."""
        if not values:
            return 0
        names, gvalues = self._assignments(values)
        return await _acall(self._query(), 'update_values', names, gvalues)

    async def adelete(self):
        """Awaits ``delete()``."""
        return await _acall(self._query(), 'delete')


class QuerySet(_AsyncQuerySet):
    """A lazy, chainable selection of objects of one model, as in Django.

    Methods that narrow it (``filter``, ``exclude``, ``order_by``,
    ``using``, slicing) return a new QuerySet; iterating it, ``len()`` and
    ``in`` run it once and keep the result, a Gio.ListModel that loads its
    objects a page at a time. The ``a``-prefixed methods are awaitable.
    """

    def __init__(self, model, database=None):
        self.model = model
        self._database_given = database
        self._where = None
        self._order = ()
        self._offset = 0
        self._limit = None
        self._result = None

    def _clone(self, **changes):
        clone = QuerySet(self.model, self._database_given)
        clone.__dict__.update(self.__dict__)
        clone.__dict__.update(changes, _result=None)
        return clone

    def _is_sliced(self):
        return self._offset > 0 or self._limit is not None

    def _database(self):
        return self._database_given or _default_database(self.model.__name__)

    @property
    def database(self):
        """The database the QuerySet runs on: the one given to ``using()``, or
        the default database."""
        return self._database()

    @property
    def query(self):
        """A new Gorm.Query doing what this QuerySet does, for the parts of
        the C API the QuerySet does not wrap (the ``_async`` runners)."""
        return self._query()

    def _query(self, order_by_key=False):
        query = self._database().query(self.model)
        if self._where is not None:
            query.filter(self._where)
        order = self._order or (((_find_pspec(self.model, 'pk').name, False),)
                                if order_by_key else ())
        for name, descending in order:
            query.order_by(name, descending)
        if self._offset:
            query.offset(self._offset)
        if self._limit is not None:
            query.limit(self._limit)
        return query

    def _run(self, runner, *args):
        with _gorm_errors(self.model):
            return getattr(self._query(), runner)(*args)

    def _fetch(self):
        if self._result is None:
            self._result = self._run('fetch')
        return self._result

    def using(self, database):
        """The same selection on ``database`` rather than the default one."""
        return self._clone(_database_given=database)

    def all(self):
        """A copy of this QuerySet."""
        return self._clone()

    def _narrow(self, condition):
        if self._is_sliced():
            raise TypeError('Cannot filter a query once a slice has been taken.')
        where = condition.resolve(self.model)
        if where is None:
            return self._clone()
        return self._clone(_where=where if self._where is None else self._where.and_(where))

    def filter(self, *conditions, **lookups):
        """The objects matching every lookup (``title='A'``,
        ``views__gt=10``) and every Q or Gorm.Filter given."""
        return self._narrow(Q(*conditions, **lookups))

    def exclude(self, *conditions, **lookups):
        """The objects not matching all the lookups and conditions."""
        return self._narrow(~Q(*conditions, **lookups))

    def order_by(self, *fields):
        """The objects in the order of ``fields``: ``'-pub_date'`` is
        descending; later fields break ties. Replaces the previous order."""
        if self._is_sliced():
            raise TypeError('Cannot reorder a query once a slice has been taken.')
        return self._clone(_order=tuple(
            (_find_pspec(self.model, field.lstrip('-')).name, field.startswith('-'))
            for field in fields))

    def _slice(self, start, stop):
        if (start is not None and start < 0) or (stop is not None and stop < 0):
            raise ValueError('Negative indexing is not supported.')
        start = start or 0
        if self._limit is not None:
            stop = self._limit if stop is None else min(stop, self._limit)
        return self._clone(_offset=self._offset + start,
                           _limit=None if stop is None else max(stop - start, 0))

    def __getitem__(self, key):
        if isinstance(key, slice):
            sliced = self._slice(key.start, key.stop)
            return sliced if key.step is None else list(sliced)[::key.step]
        if not isinstance(key, int):
            raise TypeError('QuerySet indices must be integers or slices, not %s'
                            % type(key).__name__)
        if self._result is not None:
            return self._result[key]
        item = self._slice(key, key + 1)._run('first')
        if item is None:
            raise IndexError('QuerySet index out of range')
        return item

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self):
        return self._fetch().get_n_items()

    def __bool__(self):
        return len(self) > 0

    def __contains__(self, item):
        return any(item is candidate for candidate in self)

    def __repr__(self):
        items = list(self[:21])
        shown = [repr(item) for item in items[:20]]
        if len(items) > 20:
            shown.append('...(remaining elements truncated)...')
        return '<QuerySet [%s]>' % ', '.join(shown)

    def count(self):
        """How many objects match, without loading them."""
        return len(self._result) if self._result is not None else self._run('count')

    def exists(self):
        """Whether any object matches."""
        return self._run('exists')

    def first(self):
        """The first object, in primary key order unless ordered, or None."""
        with _gorm_errors(self.model):
            return self._query(order_by_key=True).first()

    def get(self, *conditions, **lookups):
        """The one object matching; ``Model.DoesNotExist`` when none does,
        ``Model.MultipleObjectsReturned`` when several do."""
        if not conditions and len(lookups) == 1 and self._where is None and not self._is_sliced():
            (name, value), = lookups.items()
            if name in ('pk', 'pk__exact', self.model._gorm_primary_key,
                        self.model._gorm_primary_key + '__exact'):
                return self._get_by_key(value, lookups)
        selected = self.filter(*conditions, **lookups) if conditions or lookups else self
        return selected._one(list(selected[:2]), lookups)

    def _get_by_key(self, value, lookups):
        """get() of a primary key: one cached primary-key SELECT, without
        building a query."""
        model = self.model
        database = self._database()
        _register(database, model)
        try:
            if model._gorm_primary_key == 'id' and type(value) is int and -2 ** 63 <= value < 2 ** 63:
                return Gorm.Database.get(database, model, value, None)
            pspec = _find_pspec(model, 'pk')
            if isinstance(value, str) and pspec.value_type.fundamental in _INTEGER_FUNDAMENTALS:
                # As Django does, get(pk='1') reads a str of digits as the
                # integer key; there only.
                try:
                    value = int(value, 10)
                except ValueError:
                    raise TypeMismatchError('%s: the primary key %s is an integer, not %r'
                                            % (model.__name__, _attribute(pspec), value)) from None
            if model._gorm_primary_key == 'id' and type(value) is int and -2 ** 63 <= value < 2 ** 63:
                return Gorm.Database.get(database, model, value, None)
            key = _property_value(model, pspec, value)
            return Gorm.Database.get_by_key(database, model, key, None)
        except GLib.Error as error:
            if error.matches(Gorm.error_quark(), _ErrorCode.NOT_FOUND):
                raise model.DoesNotExist('%s matching %s does not exist'
                                         % (model.__name__, _describe_lookups(lookups))) from None
            _raise_translated(error, model)

    def _one(self, found, lookups):
        """The one object of ``found``, the first two objects get() found."""
        if not found:
            raise self.model.DoesNotExist('%s matching %s does not exist'
                                          % (self.model.__name__, _describe_lookups(lookups)))
        if len(found) > 1:
            raise self.model.MultipleObjectsReturned(
                'get() returned more than one %s matching %s'
                % (self.model.__name__, _describe_lookups(lookups)))
        return found[0]

    def _new(self, properties):
        """A new object with ``properties``, in the QuerySet's database."""
        if self._database_given is not None:
            properties.setdefault('database', self._database_given)
        return self.model(**properties)

    def create(self, **properties):
        """A new object with ``properties``, saved."""
        resource = self._new(properties)
        resource.save()
        return resource

    def get_or_create(self, defaults=None, **lookups):
        """``(object, created)``: the object matching ``lookups``, or a new one
        made from the plain lookups and ``defaults``."""
        try:
            return self.get(**lookups), False
        except self.model.DoesNotExist:
            pass
        properties = {key: value for key, value in lookups.items() if '__' not in key}
        properties.update(defaults or {})
        try:
            with self._database().atomic():
                return self.create(**properties), True
        except IntegrityError:
            # Another writer created it in between.
            try:
                return self.get(**lookups), False
            except self.model.DoesNotExist:
                pass
            raise

    def update(self, **values):
        """Sets properties in every matching row, and in their live objects,
        in one transaction; returns how many rows matched."""
        if not values:
            return 0
        names, gvalues = self._assignments(values)
        with _gorm_errors(self.model):
            return Gorm.Query.update_values(self._query(), names, gvalues, None)

    def _assignments(self, values):
        """The property names and GObject.Values of ``update(**values)``."""
        pspecs = [_find_pspec(self.model, name) for name in values]
        return ([pspec.name for pspec in pspecs],
                [_property_value(self.model, pspec, value)
                 for pspec, value in zip(pspecs, values.values())])

    def delete(self):
        """Deletes every matching row; returns how many."""
        return self._run('delete')

    def watch(self):
        """A live Gio.ListModel of the matching objects: it follows every
        save and delete made through the database."""
        return self._run('watch')


def _describe_lookups(lookups):
    return ', '.join('%s=%r' % item for item in sorted(lookups.items())) or 'the query'


class Manager:
    """``Model.objects``: the entry point of queries, as in Django. Every
    QuerySet method is available on it, starting from all the objects."""

    def __init__(self, model):
        self.model = model

    def get_queryset(self):
        """A QuerySet of every object of the model."""
        return QuerySet(self.model)

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        return getattr(self.get_queryset(), name)

    def __iter__(self):
        raise TypeError("'Manager' object is not iterable: use %s.objects.all()"
                        % self.model.__name__)


__all__ += ['QuerySet', 'Manager']


# Database

class Atomic(contextlib.ContextDecorator):
    """``with database.atomic():`` runs the block in a transaction: committed
    when it ends, rolled back when it raises. Blocks nest as savepoints.
    Also usable as a decorator."""

    def __init__(self, database):
        self.database = database

    def __enter__(self):
        self.database.begin()
        return self.database

    def __exit__(self, exc_type, exc_value, traceback):
        if exc_type is None:
            try:
                self.database.commit()
            except BaseException:
                self.database.rollback()
                raise
        else:
            self.database.rollback()
        return False


def _adopt_as_default(database):
    """Makes ``database`` the default database when there is none."""
    if Gorm.Database.get_default() is None:
        database.set_default()
    return database


class Database(Gorm.Database):
    """A libgorm database. ``Gorm.Database.open(uri)`` (or ``Gorm.open(uri)``)
    also makes it the default database when there is none."""

    @staticmethod
    def open(uri, cancellable=None):
        """Opens the database at ``uri`` (``sqlite:PATH``,
        ``sqlite::memory:``, ...) and makes it the default database when
        there is none."""
        with _gorm_errors():
            return _adopt_as_default(Gorm.Database.open(uri, cancellable))

    @staticmethod
    def open_finish(result):
        """Finishes ``open_async()``; the database becomes the default one when
        there is none."""
        with _gorm_errors():
            return _adopt_as_default(Gorm.Database.open_finish(result))

    def migrate(self, types, cancellable=None):
        """Creates or evolves the tables of ``types`` (model classes or
        GTypes). Idempotent; models also migrate themselves on first use."""
        with _gorm_errors():
            return Gorm.Database.migrate(self, list(types), cancellable)

    def query(self, type):
        """A new Gorm.Query of ``type``, registered on first use."""
        _register(self, type)
        return Gorm.Database.query(self, type)

    def get(self, type, id, cancellable=None):
        """The object of ``type`` whose id is ``id``; ``Model.DoesNotExist``
        when there is none."""
        _register(self, type)
        with _gorm_errors(None if isinstance(type, GObject.GType) else type):
            return Gorm.Database.get(self, type, id, cancellable)

    def get_by_key(self, type, key, cancellable=None):
        """The object of ``type`` whose primary key is ``key``, a plain
        Python value; ``Model.DoesNotExist`` when there is none."""
        _register(self, type)
        with _gorm_errors(None if isinstance(type, GObject.GType) else type):
            return Gorm.Database.get_by_key(self, type, _to_gvalue(key), cancellable)

    def get_async(self, type, *args, **kwargs):
        """Runs ``get()`` on the database worker; finish with ``get_finish()``."""
        _register(self, type)
        Gorm.Database.get_async(self, type, *args, **kwargs)

    def execute(self, sql, params=()):
        """Runs one SQL statement, binding ``params`` (plain Python values)
        to its ``?``; returns the rows changed. The rows of a statement
        that returns some, such as a ``PRAGMA``, are dropped."""
        with _gorm_errors():
            return Gorm.Database.execute(self, sql, [_to_gvalue(p) for p in params])

    def atomic(self):
        """A context manager (and decorator) running its block in a
        transaction; see Gorm.Atomic."""
        return Atomic(self)

    @staticmethod
    async def aopen(uri):
        """Awaits ``open_async()``; see ``open()``."""
        return await _acall(Database, 'open', uri)

    async def amigrate(self, types):
        """Awaits ``migrate_async()``."""
        await _acall(self, 'migrate', list(types))

    async def aget(self, type, id):
        """Awaits ``get_async()``."""
        return await _acall(self, 'get', type, id)

    async def arun_in_transaction(self, func, func_data=None):
        """Awaits ``run_in_transaction_async()``: ``func(database, func_data)``
        runs on the database worker, in a transaction."""
        return await _acall(self, 'run_in_transaction', func, func_data)

    def run_in_transaction(self, func, user_data=None):
        """Runs ``func(database, user_data)`` in a transaction, committed when
        it returns True; an exception it raises rolls the transaction back
        and is raised again here."""
        body = _TransactionBody(func)
        with _transaction_errors(self, body):
            return Gorm.Database.run_in_transaction(self, body, user_data)

    def run_in_transaction_async(self, func, func_data=None, cancellable=None,
                                 callback=None, *user_data):
        """Runs ``func(database, func_data)`` in a transaction on the database
        worker thread; ``callback(database, result, *user_data)`` finishes it
        with ``run_in_transaction_finish(result)``."""
        body = _TransactionBody(func)

        def finished(database, result, *data):
            result._gorm_transaction_body = body
            if callback is not None:
                callback(database, result, *data)
        # PyGObject 3.42 hands the data of this callback over as a tuple.
        Gorm.Database.run_in_transaction_async(self, body, (func_data,), cancellable,
                                               finished, *user_data)

    def run_in_transaction_finish(self, result):
        """Finishes ``run_in_transaction_async()``: True, or the exception
        of the function or of the transaction."""
        with _transaction_errors(self, getattr(result, '_gorm_transaction_body', None)):
            return Gorm.Database.run_in_transaction_finish(self, result)


class _TransactionBody:
    """A Python transaction function called by libgorm. PyGObject 3.42
    cannot return a GError from a callback, so the exception the function
    raises is kept, the transaction rolls back, and the call raises it."""

    def __init__(self, func):
        self.func = func
        self.exception = None

    def __call__(self, database, data):
        try:
            return bool(self.func(database, data))
        except Exception as exception:
            self.exception = exception
            return False


@contextlib.contextmanager
def _transaction_errors(database, body=None):
    """_gorm_errors() for a transaction, which rolled back when it failed,
    raising the exception of its function when it has one."""
    try:
        with _gorm_errors():
            yield
    except GLib.Error:
        if body is not None and body.exception is not None:
            raise body.exception from None
        raise


Database = override(_translate_all(Database, Gorm.Database))


class Query(Gorm.Query):
    """A libgorm query; ``update()`` takes a plain Python value."""

    def update(self, property, value, cancellable=None):
        """Sets ``property`` to ``value`` in every matching row; returns how many."""
        with _gorm_errors():
            return Gorm.Query.update(self, property, self._value(property, value), cancellable)

    def update_async(self, property, value, *args, **kwargs):
        """Runs ``update()`` on the database worker; finish with ``update_finish()``."""
        Gorm.Query.update_async(self, property, self._value(property, value), *args, **kwargs)

    def update_values(self, properties, values, cancellable=None):
        """Sets each of ``properties`` to its value of ``values`` (plain
        Python values) in every matching row, with one UPDATE; returns how
        many rows matched."""
        with _gorm_errors():
            return Gorm.Query.update_values(self, *self._values(properties, values), cancellable)

    def update_values_async(self, properties, values, *args, **kwargs):
        """Runs ``update_values()`` on the database worker; finish with
        ``update_values_finish()``."""
        Gorm.Query.update_values_async(self, *self._values(properties, values), *args, **kwargs)

    def _values(self, properties, values):
        properties, values = list(properties), list(values)
        if len(properties) != len(values):
            raise TypeError('update_values() takes as many values as properties, not %d for %d'
                            % (len(values), len(properties)))
        return properties, [self._value(p, v) for p, v in zip(properties, values)]

    def _value(self, property, value):
        if isinstance(value, GObject.Value):
            return value
        model = self.get_item_type().pytype
        pspec = model.find_property(property) if model is not None else None
        return _to_gvalue(value) if pspec is None else _property_value(model, pspec, value)


Query = override(_translate_all(Query, Gorm.Query))


def open(uri, cancellable=None):
    """Opens the database at ``uri``; it becomes the default database when
    there is none. The same as ``Gorm.Database.open()``."""
    return Database.open(uri, cancellable)


aopen = Database.aopen

__all__ += ['Atomic', 'Database', 'Query', 'open', 'aopen']
