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
import collections
import contextlib
import copy
import datetime
import enum
import functools
import itertools
import math
import operator
import re

from gi.repository import Gio, GLib, GObject

from ..module import get_introspection_module
from ..overrides import override

try:
    from . import _gorm_speedups
except ImportError as error:
    # One path, not a pure-Python fallback: libgorm builds and installs the
    # module beside this file, and an override that ran without it would
    # run its reads several times slower, unnoticed.
    raise ImportError(
        'the Gorm override needs its compiled part, gi.overrides._gorm_speedups, '
        'which libgorm builds and installs beside Gorm.py (build dependencies: '
        'python3-dev and python-gi-dev); run an uninstalled build under '
        '`meson devenv -C BUILDDIR`: %s' % (error,)) from error

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
    on; ``message`` names the model, field and value at fault in
    Python's names (``Book.pub_date``, an ``int`` field), and what to do;
    ``c_message`` keeps libgorm's own message, in C's names.
    """

    default_code = _ErrorCode.FAILED

    def __init__(self, message, code=None, c_message=None):
        code = _ErrorCode(self.default_code if code is None else code)
        super().__init__(message, _ERROR_DOMAIN, int(code))
        self.code = code
        #: The message as libgorm wrote it, in C's names (GType names,
        #: ``type:property``, C functions): ``message`` says it in
        #: Python's.
        self.c_message = message if c_message is None else c_message

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
    message = _python_message(error.message)
    if error.code == _ErrorCode.NOT_FOUND and model is not None:
        translated = model.DoesNotExist(message)
    else:
        translated = _ERROR_CLASSES.get(error.code, Error)(message, error.code)
    translated.c_message = error.message
    return translated


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


_UTC_ZONE = GLib.TimeZone.new_utc()
_glib_datetime_new = GLib.DateTime.new
_glib_datetime_new_from_unix_utc = GLib.DateTime.new_from_unix_utc
_UTC = datetime.timezone.utc


def _datetime_to_glib(value):
    """A GLib.DateTime for a datetime.datetime, to the microsecond, in the
    same UTC offset; a naive datetime is local time, as Python takes it."""
    if value.tzinfo is _UTC and not value.microsecond:
        # The common case, whole seconds in datetime.timezone.utc: the
        # GLib.DateTime of its Unix time, in UTC, the zone the fields
        # below would give it. One argument for PyGObject to convert
        # rather than seven, and no utcoffset() to call: a third cheaper.
        # The timestamp of an aware datetime in whole seconds is exact.
        return _glib_datetime_new_from_unix_utc(int(value.timestamp()))
    offset = value.utcoffset()
    if offset is not None and not value.microsecond and not offset.microseconds:
        # Whole seconds in a fixed offset: one call, from the fields, in
        # the zone the instant would be moved to below (UTC's own for 0).
        seconds = offset.days * 86400 + offset.seconds
        return _glib_datetime_new(_glib_time_zone(seconds) if seconds else _UTC_ZONE,
                                  value.year, value.month, value.day,
                                  value.hour, value.minute, value.second)
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

def _acall(target, name, *args, load=None):
    """An asyncio future of ``target.NAME_finish(result)`` for the call
    ``target.NAME_async(*args, cancellable, callback)``. Cancelling the
    future cancels the call. With ``load``, of ``load(finish, result)``
    instead, called through _collect(): a finish that builds objects
    (fetch, first, get, get_related) gives them with the wrapper they
    were built with, not a second one (see _finished_object() and
    _finished_items()).

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
            finish = getattr(target, name + '_finish')
            value = finish(result) if load is None else _collect(load, finish, result)
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
_resource_get_value = _gorm_speedups.get_value
_resource_set_value = Gorm.Resource.set_value
_resource_is_null = Gorm.Resource.is_null
_resource_set_null = Gorm.Resource.set_null
_DATETIME = datetime.datetime

# How Field.__get__ (_gorm_speedups.FieldBase, in C) reads a field by its
# slot (Field._reader()), by GType: the typed readers of libgorm for these,
# the slot's GValue for the other integer types.
_SLOT_READERS = {
    GObject.TYPE_INT64: _gorm_speedups.READ_INT64,
    GObject.TYPE_DOUBLE: _gorm_speedups.READ_DOUBLE,
    GObject.TYPE_BOOLEAN: _gorm_speedups.READ_BOOLEAN,
    GObject.TYPE_STRING: _gorm_speedups.READ_STRING,
}

# The integer GTypes: an int for such a field goes to libgorm as the int it
# is (a gint64), which libgorm converts without loss or refuses.
_INTEGER_FUNDAMENTALS = frozenset((
    GObject.TYPE_CHAR, GObject.TYPE_UCHAR, GObject.TYPE_INT, GObject.TYPE_UINT,
    GObject.TYPE_LONG, GObject.TYPE_ULONG, GObject.TYPE_INT64, GObject.TYPE_UINT64,
    GObject.TYPE_ENUM, GObject.TYPE_FLAGS))
_ENUM_FUNDAMENTALS = frozenset((GObject.TYPE_ENUM, GObject.TYPE_FLAGS))

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


class Field(_gorm_speedups.FieldBase, GObject.Property):
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

    ``renamed_from`` declares a rename: the field was called so before
    (its old name, which is its old column), and the next migration
    renames that column, keeping its data, instead of adding an empty
    one. Renames are never guessed: without it, a migration meeting the
    old column refuses with MigrationError.

    A value that would lose information on its way into the field raises
    TypeMismatchError, at assignment and in the constructor alike: 3.5 for
    an int, an int beyond the field's range, a str holding "\\0", a str
    for a list. 3 for a float is accepted.
    """

    def __init__(self, type=str, *, max_length=None, unique=False, null=False,
                 index=False, default=None, auto_now=False, auto_now_add=False,
                 column=None, primary_key=False, nick='', blurb='',
                 minimum=None, maximum=None, renamed_from=None):
        if renamed_from is not None and (not isinstance(renamed_from, str) or
                                         not renamed_from):
            raise TypeError('renamed_from is the name the field had before, a str, not %r'
                            % (renamed_from,))
        self.renamed_from = renamed_from
        self.kind = _kind_for(type)
        self.field_type = type
        self._plain_type = _PLAIN_TYPES.get(self.kind.gtype)
        # Whether a value of exactly the field's Python type may go to
        # g_object_new() as it is: PyGObject converts it without loss,
        # and no limit of the field's own is to be checked.
        self._constructs_plainly = (self._plain_type is not None and
                                    minimum is None and maximum is None)
        # The Python class of a boxed field's GObject form (GLib.DateTime,
        # GLib.Bytes): a value of it goes to libgorm as it is, without a
        # GObject.Value around it.
        self._boxed_class = (self.kind.gtype.pytype if
                             self.kind.gtype.fundamental == GObject.TYPE_BOXED else None)
        # Whether the constructor converts a datetime.datetime given for
        # the field and passes it to g_object_new() (no limit to check).
        self._constructs_datetime = self.kind._to_gobject is _glib_datetime
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

    # __get__ is FieldBase's, in C: Model.field is the field; on an object
    # of the model, it reads the field's value from the slot libgorm keeps
    # it in (see describe()) without a Python frame, or calls
    # read_by_name() for a value that needs a conversion of the override
    # (see _reader()). Another object is a TypeError.

    def read_by_name(self, instance):
        """The value of the field in ``instance``, read by its property's
        name, as a Python value."""
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
            elif type(value) is self._boxed_class and self._boxed_class is not None:
                _resource_set_value(instance, self._property_name, value)
                return
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
        raise TypeMismatchError('%s.%s: %r, %s, does not fit %s field' % (
            type(instance).__name__, self.name, value,
            what or _with_article(type(value).__name__),
            _with_article(str(getattr(self.field_type, '__name__', self.field_type)))))

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
        kind = type(value)
        if kind is self._plain_type and (
                kind is bool or (kind is int and -2 ** 31 <= value < 2 ** 31) or
                (kind is str and '\0' not in value) or (kind is float and value == value)):
            # The common case, in one call: a value PyGObject passes as it
            # is, which libgorm converts or refuses (a limit) itself.
            pending = instance._gorm_pending
            if pending:
                pending.pop(self.name, None)
            try:
                _resource_set_value(instance, self._property_name, value)
            except GLib.Error as error:
                _raise_translated(error, type(instance))
            return
        if isinstance(value, _Expression):
            self.set_pending(instance, value)
            return
        pending = instance._gorm_pending
        if pending:
            pending.pop(self.name, None)
        self.set_gobject_value(instance, self.to_gobject(instance, value))

    def set_pending(self, instance, expression):
        """Django's ``choice.votes = F('votes') + 1``: the expression is
        kept until ``save()``, which writes it in the row's UPDATE (the
        database computes it), after which the field holds the computed
        value. An aggregate is refused."""
        if expression.contains_aggregate:
            raise FieldError('Cannot set %s.%s to an aggregate (%r): only a QuerySet can '
                             'compute one' % (type(instance).__name__, self.name, expression))
        instance.__dict__.setdefault('_gorm_pending', {})[self.name] = expression

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

    def _reader(self):
        """How __get__ reads the field by its slot (see _SLOT_READERS), or
        READ_BY_NAME: a field with null=True whose GObject value cannot be
        None asks libgorm whether it is NULL, and a value with a
        conversion of its own (an enum, bytes) takes it."""
        gtype = self.kind.gtype
        if self._reads_null:
            return _gorm_speedups.READ_BY_NAME
        if self.field_type is datetime.datetime:
            return _gorm_speedups.READ_DATETIME
        if self.kind._to_python is not None:
            return _gorm_speedups.READ_BY_NAME
        reader = _SLOT_READERS.get(gtype)
        if reader is None:
            if gtype.fundamental in _INTEGER_FUNDAMENTALS - _ENUM_FUNDAMENTALS:
                return _gorm_speedups.READ_INTEGER
            return _gorm_speedups.READ_BY_NAME
        return reader

    def describe(self, model):
        """Records the field's options on ``model`` through the
        ``Gorm.ResourceClass.set_*()`` functions."""
        name = model.find_property(self.name).name
        self._property_name = name
        model.store_property(name)
        slot = model.get_value_slot(name)
        self.set_reader(model, slot, self._reader() if slot else _gorm_speedups.READ_BY_NAME)
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
        if self.renamed_from is not None:
            model.set_renamed_from(name, self.renamed_from)


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
        _check_model(model)
        with _gorm_errors():
            names = model.dup_stored_properties()
        # PyGObject makes properties of the GObject.Property attributes of
        # the class statement of a GObject class: those of the models,
        # not of Resource and the introspected classes, whose hundreds of
        # attributes cost more to look at than all the rest.
        prop = GObject.Property
        declared = [name for cls in reversed(model.__mro__)
                    if issubclass(cls, Resource) and cls is not Resource
                    for name, value in vars(cls).items() if isinstance(value, prop)]
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


# How the constructor (_gorm_speedups.init_resource) writes a field whose
# values PyGObject would pass to g_object_new() as they are, by the
# field's plain Python type: in C, through libgorm's typed setters.
_PLAIN_WRITERS = {
    str: _gorm_speedups.WRITE_STRING,
    int: _gorm_speedups.WRITE_INT64,
    float: _gorm_speedups.WRITE_DOUBLE,
    bool: _gorm_speedups.WRITE_BOOLEAN,
}


def _init_plan(model):
    """What the constructor of ``model`` needs, computed at its first
    object, as a _gorm_speedups.InitPlan: the relation attributes it may
    be given; its Gorm.Field attributes, by the names a keyword argument
    can give them, each with its slot and how the constructor writes it
    (_PLAIN_WRITERS, WRITE_DATETIME for a datetime.datetime converted in
    C, or WRITE_BY_FIELD: Field.__set__, as an assignment, once the
    object is built); and _boxed_defaults() and _null_defaults(). An
    abstract model has none: TypeError."""
    if model._gorm_abstract:
        raise TypeError('%s is abstract (Meta.abstract = True): it has no table and '
                        'cannot be instantiated' % model.__name__)
    fields, names, index_of = [], {}, {}
    for name, (pspec, field) in _fields_by_name(model).items():
        if field is None:
            continue
        index = index_of.get(field)
        if index is None:
            writer = _gorm_speedups.WRITE_BY_FIELD
            if field._constructs_plainly:
                writer = _PLAIN_WRITERS[field._plain_type]
            elif field._constructs_datetime:
                writer = _gorm_speedups.WRITE_DATETIME
            if not field._slot:
                writer = _gorm_speedups.WRITE_BY_FIELD
            index = index_of[field] = len(fields)
            fields.append((field, field._slot, writer))
        names[name] = index
    plan = _gorm_speedups.InitPlan(
        model._gorm_init_relations, names, tuple(fields),
        tuple((names[name], name, default) for name, default in _boxed_defaults(model)),
        tuple(index_of[field] for field in _null_defaults(model)))
    model._gorm_init_plan = plan
    return plan


def _find_pspec(model, name):
    """The param spec of the stored property ``name`` (``pk`` is the primary
    key) of ``model``; FieldError, before any SQL, when there is none."""
    found = model.__dict__.get('_gorm_pspecs_by_name')
    if found is not None:
        pspec = found.get(name)
        if pspec is not None:
            return pspec
    if name == 'pk':
        name = model._gorm_primary_key
    entry = _fields_by_name(model).get(name)
    pspec = entry[0] if entry else None
    if pspec is None or (pspec.name != 'id' and pspec not in _stored_pspecs(model)):
        known = ', '.join(['id', 'pk'] + [_attribute(p) for p in _stored_pspecs(model)])
        raise FieldError("%s has no field '%s'; its fields are %s"
                         % (model.__name__, name, known))
    if found is None and '_gorm_stored_pspecs' in model.__dict__:
        _cache_pspecs_by_name(model)
    return pspec


def _cache_pspecs_by_name(model):
    """Keeps what _find_pspec() finds, by every name it takes (``pk``,
    ``id``, the stored properties by both spellings), in the model, once
    _stored_pspecs() is known: from then on a dictionary answers, rather
    than a search comparing param specs one by one, each comparison a
    call into PyGObject. _fields_by_name() and _stored_pspecs() never
    change after their first use."""
    stored = {pspec.name for pspec in _stored_pspecs(model)}
    found = {name: pspec for name, (pspec, _) in _fields_by_name(model).items()
             if pspec.name == 'id' or pspec.name in stored}
    key = found.get(model._gorm_primary_key)
    if key is not None:
        found['pk'] = key
    model._gorm_pspecs_by_name = found


def _gobject_form(model, pspec, value):
    """A Python value for a property of ``model`` in its GObject form,
    converted by the property's Field when it has one."""
    field = _field(model, pspec)
    return field.kind.to_gobject(value) if field else value


def _property_value(model, pspec, value):
    """The GObject.Value of a Python value for a property of ``model``."""
    return _to_gvalue(_gobject_form(model, pspec, value), pspec)


def _check_model(model):
    """Raises what keeps ``model`` (a class; a GType passes) from being
    stored: abstract, or a relation to a model never declared."""
    if not isinstance(model, type):
        return
    if getattr(model, '_gorm_abstract', False):
        raise TypeError('%s is abstract (Meta.abstract = True): it has no table'
                        % model.__name__)
    _check_resolved(model)


def _check_model_once(model):
    """Raises what keeps ``model`` from being stored (_check_model()) at its
    first use, once per model: what it checks never changes once it
    passed."""
    if '_gorm_usable' not in getattr(model, '__dict__', ()):
        _check_model(model)
        if isinstance(model, type):
            model._gorm_usable = True


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
        manager = owner.__dict__.get('_gorm_manager')
        if manager is None:
            if owner._gorm_abstract:
                raise AttributeError('%s is abstract (Meta.abstract = True): it has no table, '
                                     'so no objects' % owner.__name__)
            # Made once per model: a Manager keeps nothing but its model.
            manager = owner._gorm_manager = Manager(owner)
        return manager


_gorm_speedups.set_constructor_helpers(_init_plan, _datetime_to_glib)


# Meta

class Index:
    """An index over one or more fields, for ``Meta.indexes``, as Django's
    ``models.Index``::

        class Meta:
            indexes = [Gorm.Index(fields=['last_name', 'first_name'])]

    libgorm names its indexes itself (after the table and the columns), so
    there is no ``name``."""

    def __init__(self, *, fields):
        if isinstance(fields, str) or not fields:
            raise TypeError('Gorm.Index(fields=...) takes a non-empty list of field names, '
                            'not %r' % (fields,))
        self.fields = tuple(fields)

    def __repr__(self):
        return '<Index: fields=%r>' % (list(self.fields),)


__all__.append('Index')

# The options a model's ``class Meta:`` may give; any other is a TypeError.
_META_OPTIONS = frozenset(['table', 'db_table', 'primary_key', 'ordering', 'unique_together',
                           'indexes', 'index_together', 'abstract', 'get_latest_by',
                           'app_label', 'renamed_from'])
# What a model without a Meta of its own takes from an abstract base's.
_INHERITED_META = ('ordering', 'unique_together', 'indexes', 'index_together', 'get_latest_by',
                   'app_label')


def _field_groups(model_name, option, value):
    """The groups of field names of a ``unique_together`` or
    ``index_together``: one tuple of names, or a tuple of such tuples."""
    if isinstance(value, str):
        raise TypeError("%s.Meta.%s is a tuple of field names (or of such tuples), not %r"
                        % (model_name, option, value))
    value = tuple(value)
    if value and all(isinstance(name, str) for name in value):
        value = (value,)
    groups = []
    for group in value:
        if isinstance(group, str) or not all(isinstance(name, str) for name in group) or not group:
            raise TypeError("%s.Meta.%s is a tuple of field names (or of such tuples), not %r"
                            % (model_name, option, value))
        groups.append(tuple(group))
    return tuple(groups)


def _meta_options(name, namespace, bases):
    """The validated options of the ``class Meta:`` of the model ``name``
    being declared, as a dict; TypeError names an unknown option."""
    meta = namespace.get('Meta')
    options = {}
    if meta is not None:
        options = {key: value for key, value in vars(meta).items() if not key.startswith('_')}
        unknown = sorted(set(options) - _META_OPTIONS)
        if unknown:
            raise TypeError("%s.Meta has unknown option%s %s; libgorm knows %s"
                            % (name, 's' if len(unknown) > 1 else '',
                               ', '.join(repr(key) for key in unknown),
                               ', '.join(sorted(_META_OPTIONS))))
    else:
        # As in Django, a model without a Meta inherits the Meta of an
        # abstract base (but for the table and abstract itself), and the
        # ordering of a concrete one.
        for base in bases:
            inherited = getattr(base, '_gorm_meta', None)
            if inherited is None:
                continue
            if getattr(base, '_gorm_abstract', False):
                options = {key: inherited[key] for key in _INHERITED_META if key in inherited}
            else:
                options = {key: inherited[key] for key in ('ordering', 'get_latest_by')
                           if key in inherited}
            break
    if 'table' in options and 'db_table' in options and options['table'] != options['db_table']:
        raise TypeError('%s.Meta gives both table %r and db_table %r: they are the same option'
                        % (name, options['table'], options['db_table']))
    if 'db_table' in options:
        options['table'] = options.pop('db_table')
    ordering = options.get('ordering', ())
    if isinstance(ordering, str):
        ordering = (ordering,)
    if not all(isinstance(field, str) and field.lstrip('-') for field in ordering):
        raise TypeError('%s.Meta.ordering is a tuple of field names, "-name" for descending, '
                        'not %r' % (name, options['ordering']))
    options['ordering'] = tuple(ordering)
    for option in ('unique_together', 'index_together'):
        if option in options:
            options[option] = _field_groups(name, option, options[option])
    if 'indexes' in options:
        indexes = []
        for index in options['indexes']:
            if isinstance(index, Index):
                indexes.append(index.fields)
            elif not isinstance(index, str) and index and all(isinstance(f, str) for f in index):
                indexes.append(tuple(index))
            else:
                raise TypeError('%s.Meta.indexes holds Gorm.Index(fields=[...]) or lists of '
                                'field names, not %r' % (name, index))
        options['indexes'] = tuple(indexes)
    latest = options.get('get_latest_by')
    if isinstance(latest, str):
        options['get_latest_by'] = latest = (latest,)
    if latest is not None and not (isinstance(latest, (tuple, list)) and latest and all(
            isinstance(field, str) and field.lstrip('-') for field in latest)):
        raise TypeError('%s.Meta.get_latest_by is a field name or a list of them, "-name" '
                        'for descending, not %r' % (name, latest))
    if 'app_label' in options and not (isinstance(options['app_label'], str) and
                                       options['app_label'].isidentifier()):
        raise TypeError('%s.Meta.app_label is an identifier, not %r'
                        % (name, options['app_label']))
    renamed = options.get('renamed_from')
    if renamed is not None and not (isinstance(renamed, str) and renamed):
        raise TypeError('%s.Meta.renamed_from is the name the table had before, a str, not %r'
                        % (name, renamed))
    abstract = options.get('abstract', False)
    if renamed is not None and abstract:
        raise TypeError('%s.Meta.renamed_from: an abstract model has no table to rename'
                        % name)
    if not isinstance(abstract, bool):
        raise TypeError('%s.Meta.abstract is True or False, not %r' % (name, abstract))
    return options


def _inherit_abstract_fields(namespace, bases):
    """Copies into ``namespace`` the fields of the abstract models among
    ``bases`` that it does not define itself: an abstract model has no
    table and no properties of its own; each model deriving from it gets
    its own copy of its fields, which it may override."""
    inherited = {}
    for base in reversed(bases):
        inherited.update(vars(base).get('_gorm_abstract_fields', {}))
    for attribute, field in inherited.items():
        if attribute not in namespace:
            namespace[attribute] = copy.copy(field)


def _meta_property(model, option, attribute):
    """The property name of the field ``attribute`` named in the Meta
    option ``option`` of ``model`` (a ForeignKey stands for its key, as
    in Django); FieldError when it has none."""
    for cls in model.__mro__:
        declared = vars(cls).get(attribute)
        if isinstance(declared, ForeignKey) and getattr(declared, 'key_attribute', None):
            attribute = declared.key_attribute
            break
    pspec = _fields_by_name(model).get(attribute, (None,))[0]
    if pspec is None:
        raise FieldError("%s.Meta.%s names '%s', which is not a field of %s"
                         % (model.__name__, option, attribute, model.__name__))
    return pspec.name


def _apply_meta(model, options):
    """Records the Meta options of ``model`` that libgorm keeps: its
    composite unique constraints and indexes."""
    for field in model._gorm_ordering:
        name = field.lstrip('-').split('__')[0]
        if name != 'pk' and name not in _fields_by_name(model) and name not in _relations(model):
            raise FieldError("%s.Meta.ordering names '%s', which is not a field of %s"
                             % (model.__name__, name, model.__name__))
    # Every name is checked before libgorm records any.
    unique = [[_meta_property(model, 'unique_together', f) for f in group]
              for group in options.get('unique_together', ())]
    indexes = [[_meta_property(model, option, f) for f in group]
               for option in ('indexes', 'index_together') for group in options.get(option, ())]
    for group in unique:
        model.add_unique_together(group)
    for group in indexes:
        model.add_index(group)


class _ResourceMeta(type(Gorm.Resource)):
    """Describes each model to libgorm once PyGObject registered its GType:
    its table, the options of its Gorm.Field attributes and of its Meta."""

    # PyGObject asks the class of each object it builds for this name (see
    # Resource), first along the metaclass's bases, then the class's: found
    # on the metaclass and in each model's own dictionary, each search ends
    # at its first step. A function, not a method: nothing to bind.
    __dontuse_ginstance_init__ = _gorm_speedups.instance_init

    def __new__(mcs, name, bases, namespace, **kwargs):
        if namespace.get('__module__', '').startswith('gi.'):
            return super().__new__(mcs, name, bases, namespace, **kwargs)
        options = _meta_options(name, namespace, bases)
        namespace = dict(namespace)
        _inherit_abstract_fields(namespace, bases)
        abstract = options.get('abstract', False)
        if abstract:
            # Its fields wait in the class for the models deriving from it.
            fields = {attr: value for attr, value in namespace.items()
                      if isinstance(value, (GObject.Property, _RelationField))}
            for attr in fields:
                del namespace[attr]
            namespace['_gorm_abstract_fields'] = fields
        else:
            _prepare_relations(namespace)
        namespace['_gorm_abstract'] = abstract
        namespace.setdefault('__dontuse_ginstance_init__', _gorm_speedups.instance_init)
        namespace['_gorm_meta'] = options
        namespace['_gorm_ordering'] = options['ordering']
        return super().__new__(mcs, name, bases, namespace, **kwargs)

    def __init__(cls, name, bases, namespace, **kwargs):
        super().__init__(name, bases, namespace)
        if cls.__module__.startswith('gi.'):
            return
        namespace = vars(cls)
        if any(isinstance(value, GObject.Property) for value in namespace.values()):
            # PyGObject has just given the class its own do_get_property
            # and do_set_property.
            cls.do_get_property = _do_get_property
            cls.do_set_property = _do_set_property
        cls._gorm_own_init = cls.__init__ is not Resource.__init__
        # libgorm builds the objects of the model that it loads in Python,
        # not by g_object_new() in C: PyGObject 3.42 gives an object of a
        # Python class that C creates the wrapper of the object Python is
        # constructing at that moment, if any (a live model builds its
        # objects while GTK constructs a Gtk.SingleSelection or a
        # Gtk.ListView around it), which then came back from get_item(),
        # and as freed memory once that wrapper died. See
        # gorm_resource_class_set_new_func(). The function, in C
        # (gorm-speedups.c), makes the wrapper (GObject.Object.__new__(model))
        # and builds the object with it attached before PyGObject's instance
        # initializer runs (gorm_resource_new_with_init()), then calls the
        # model's own __init__ without arguments if it has one, as PyGObject
        # calls it for objects built by g_object_new(); libgorm sets the
        # row's values next. A load run through _collect() gives Python
        # that same wrapper.
        _gorm_speedups.set_new_func(cls)
        options = cls._gorm_meta
        if cls._gorm_abstract:
            return
        # Without one, libgorm names the table after the class, in snake
        # case (gorm_resource_class_get_table_name()).
        table = options.get('table') or namespace.get('__table__')
        if table is not None:
            cls.set_table(table)
        if options.get('renamed_from') is not None:
            cls.set_table_renamed_from(options['renamed_from'])
        fields = {attr: value for attr, value in namespace.items() if isinstance(value, Field)}
        for field in fields.values():
            field.describe(cls)
        key = options.get('primary_key')
        if key is not None:
            cls.set_primary_key(cls.find_property(key).name)
        else:
            key = next((attr for attr, field in fields.items() if field.primary_key), None)
        if key is not None:
            cls._gorm_primary_key = key
        # Once the fields told libgorm their options (a nullable key).
        _contribute_relations(cls)
        _apply_meta(cls, options)


class Resource(Gorm.Resource, metaclass=_ResourceMeta):
    """The base class of models. See the module's documentation.

    Class options come from a nested ``class Meta:`` (``table`` or
    ``db_table``, ``primary_key``, ``ordering``, ``unique_together``,
    ``indexes``, ``index_together``, ``abstract``, ``renamed_from`` (the
    name the table had before: the migration renames it); any other is a
    TypeError) or a ``__table__`` class attribute; the table defaults to
    the class name in snake case (``BlogPost`` → ``blog_post``).
    Relations are Gorm.ForeignKey, Gorm.OneToOneField and
    Gorm.ManyToManyField attributes. Plain
    ``GObject.Property`` attributes are stored too; their options are set
    with ``Model.set_max_length('title', 200)`` and the other
    ``Gorm.ResourceClass`` functions right after the class statement.
    """

    objects = _ManagerDescriptor()
    DoesNotExist = _ClassException(ObjectDoesNotExist)
    MultipleObjectsReturned = _ClassException(MultipleObjectsReturned)
    _gorm_primary_key = 'id'
    _gorm_abstract = False
    _gorm_meta = {}
    _gorm_ordering = ()
    # The relation attributes a constructor may be given.
    _gorm_init_relations = frozenset()
    # The expressions assigned to fields (Field.set_pending()), kept in the
    # instance's dictionary once there are some; read through this default
    # until then: asking the instance's __dict__ would make PyGObject give
    # the object a dictionary, and a toggle reference, which every ref and
    # unref of the object in C then reports to Python.
    _gorm_pending = None

    # PyGObject 3.42 looks this name up on the class of each object it
    # initializes (the hook Gtk.Template uses) and calls it when found. A
    # failed lookup raises an AttributeError, its message formatted, then
    # cleared, on every object built or loaded; found, a function doing
    # nothing costs a fifth of that (see _ResourceMeta).
    __dontuse_ginstance_init__ = _gorm_speedups.instance_init

    # The constructor, in C (_gorm_speedups.init_resource): the object is
    # built by GObject.Object.__init__ with the keyword arguments that are
    # not fields (database, id, another GObject property; an unknown name
    # is PyGObject's TypeError), then the fields are written: the values
    # PyGObject would convert exactly (a str without NUL, an int of 64
    # bits, a float but NaN, a bool, for a field of that type; an aware
    # or naive datetime.datetime for a date-time field, converted as
    # _datetime_to_glib() does) in C, any other by Field.__set__, with the
    # checks and exceptions of an assignment; a field not given and
    # without a GParamSpec default gets its default (_boxed_defaults(),
    # _null_defaults()); relations last, by their descriptors. See
    # _init_plan().
    __init__ = _gorm_speedups.init_resource

    # Read by a function in C (gorm_resource_get_id()): no Python frame.
    id = property(_gorm_speedups.get_id, doc="""The automatic primary key: 0 until the
        object is saved. Set on a new object, the key its row is inserted with.""")

    @id.setter
    def id(self, value):
        if self.is_saved() and value != _resource_get_id(self):
            raise ValueError('%s.id is %d, its row\'s: a saved object keeps it; give %r to a '
                             'new object instead' % (type(self).__name__, _resource_get_id(self),
                                                     value))
        self.set_property('id', value)

    def get_value(self, name):
        """The value of the property ``name`` in its GObject form (a
        GLib.DateTime where the field reads as a datetime), as
        Gorm.Resource.get_value() reads it; a boxed value is a copy of its
        own, valid after the object changed or went away."""
        return _resource_get_value(self, name)

    @property
    def pk(self):
        """The primary key: ``id``, or the natural key of the model."""
        return getattr(self, type(self)._gorm_primary_key)

    def _database(self):
        """The database the object uses: its own, or the default one."""
        return self.get_database() or Gorm.Database.get_default()

    def save(self, cancellable=None, *, update_fields=None):
        """Saves the object: inserts its row, or writes its changed
        properties. With ``update_fields`` (field names, as Django's
        ``save(update_fields=[...])``), writes those columns alone, with
        one UPDATE (gorm_database_bulk_update()): they become clean, the
        other changed properties stay dirty. An empty ``update_fields``
        writes nothing; an unsaved object, or a name that is not a field
        of the model, raises ValueError before any SQL."""
        model = type(self)
        if '_gorm_usable' not in model.__dict__:
            _check_model_once(model)
        if update_fields is None and not self._gorm_pending:
            # The common case: one call into libgorm, which resolves the
            # database itself; in C without a cancellable.
            try:
                if cancellable is None:
                    return _gorm_speedups.save(self)
                return _resource_save(self, cancellable)
            except GLib.Error as error:
                _raise_translated(error, model)
        database = self._database()
        pending = self._gorm_pending
        if pending:
            return self._save_with_expressions(database, pending, cancellable, update_fields)
        names = _update_field_properties(model, update_fields)
        if not names:
            return True
        if not _resource_is_saved(self):
            raise ValueError('Cannot force an update in save() with no primary key.')
        # As a save, and as Django: an auto_now field written takes the time.
        for pspec in _stored_pspecs(model):
            if pspec.name in names and getattr(_field(model, pspec), 'auto_now', False):
                setattr(self, _attribute(pspec), datetime.datetime.now(datetime.timezone.utc))
        with _gorm_errors(model):
            rows = database.bulk_update([self], names, cancellable)
        if rows == 0:
            raise model.DoesNotExist('Save with update_fields did not affect any rows: the row '
                                     'of %r is gone' % self)
        return True

    def _save_with_expressions(self, database, pending, cancellable, update_fields):
        """save() of an object some of whose fields were given expressions
        (``F('votes') + 1``): its other changes are saved, then the
        expressions are written in one UPDATE of its row, whose computed
        values the object takes (libgorm sets them on the loaded object),
        in one transaction. As in Django, an object not saved yet cannot
        take an expression: the database has no row to compute it from."""
        model = type(self)
        if not _resource_is_saved(self):
            raise ValueError('Cannot save %s with %s: F() expressions can only be used to '
                             'update a row, not to insert one; save the object first'
                             % (model.__name__, ', '.join('%s=%r' % item for item in pending.items())))
        written = dict(pending)
        if update_fields is not None:
            wanted = set(update_fields)
            written = {name: value for name, value in pending.items() if name in wanted}
            update_fields = [name for name in update_fields if name not in written]
        with database.atomic():
            if update_fields is None:
                try:
                    _resource_save(self, cancellable)
                except GLib.Error as error:
                    _raise_translated(error, model)
            elif update_fields:
                self.__dict__['_gorm_pending'] = {}
                try:
                    Resource.save(self, cancellable, update_fields=update_fields)
                finally:
                    self.__dict__['_gorm_pending'] = pending
            if written and QuerySet(model, database).filter(pk=self.pk).update(**written) == 0:
                raise model.DoesNotExist('Cannot save %r: its row is gone' % self)
        for name in written:
            pending.pop(name, None)
        return True

    def delete(self, cancellable=None):
        """Deletes the row of the object, and the rows its database deletes
        with it (``on_delete=Gorm.CASCADE``, the many-to-many links), in one
        transaction; returns what Django returns: ``(total, {"app.Model":
        n, ...})``, every row removed counted by its model's label (see
        ``Meta.app_label``), links as ``"app.Model_field"``."""
        model = type(self)
        if '_gorm_usable' not in model.__dict__:
            _check_model_once(model)
        if not _has_dependents(model):
            # Nothing else to count: the row alone goes (libgorm says why
            # an unsaved object cannot be deleted).
            try:
                _resource_delete(self, cancellable)
            except GLib.Error as error:
                _raise_translated(error, model)
            return 1, {_label(model): 1}
        database = self._database()

        def delete():
            try:
                _resource_delete(self, cancellable)
            except GLib.Error as error:
                _raise_translated(error, model)
            return 1
        if not _resource_is_saved(self):
            delete()
        return _delete_counted(database, model, lambda: [self.pk], delete)

    def refresh_from_db(self, fields=None):
        """Reads the row of the object again (Django's name for
        ``reload()``); ``Model.DoesNotExist`` when it is gone. With
        ``fields``, the other fields keep their values, as in Django:
        libgorm reloads the whole row, and the others are set back to what
        they held, so that they stay dirty when they differ from the row."""
        model = type(self)
        if self._gorm_pending is not None:
            del self.__dict__['_gorm_pending']
        if fields is None:
            return self.reload()
        if isinstance(fields, str):
            raise TypeError('refresh_from_db() takes a list of field names, not the str %r'
                            % (fields,))
        fields = list(fields)
        for name in fields:
            if not isinstance(name, str):
                raise TypeError('refresh_from_db() takes field names, not %r' % (name,))
            if '__' in name:
                raise ValueError('Found "__" in fields argument. Relations and transforms are '
                                 'not allowed in fields.')
        wanted = set(_update_field_properties(model, fields, FieldError))
        if not wanted:
            return None
        kept = [(_attribute(pspec), _get_value(self, pspec)) for pspec in _stored_pspecs(model)
                if pspec.name not in wanted]
        self.reload()
        for attribute, value in kept:
            if getattr(self, attribute) != value:
                setattr(self, attribute, value)
        return None

    async def asave(self):
        """Awaits ``save_async()``: saves the object on the database worker."""
        await _acall(self, 'save')

    async def adelete(self):
        """Awaits ``delete()``: what it returns. The delete runs on the
        database worker; the reads counting what a CASCADE or a
        many-to-many relation removes with it run in the delete's
        transaction, on the calling thread, before it (see delete())."""
        model = type(self)
        if _resource_is_saved(self) and not _has_dependents(model):
            _check_model_once(model)
            await _acall(self, 'delete')
            return 1, {_label(model): 1}
        return self.delete()

    async def areload(self):
        """Awaits ``reload_async()``."""
        await _acall(self, 'reload')

    async def aget_related(self, relation):
        """Awaits the object of the foreign key ``relation`` (``'question'``),
        loaded on the database worker when it is not loaded yet: the form
        of ``choice.question`` that never blocks the main loop. None when
        the key is None."""
        model = type(self)
        found = _relations(model).get(relation)
        if found is None or found.kind != _FORWARD:
            raise FieldError("%s has no foreign key '%s'; its foreign keys are %s"
                             % (model.__name__, relation, ', '.join(sorted(
                                 name for name, r in _relations(model).items()
                                 if r.kind == _FORWARD)) or 'none'))
        key = getattr(self, found.field.key_attribute)
        if key is None:
            return None
        kept = self.__dict__.get(found.cache_name)
        if kept is not None and found.field.target_key(kept) == key:
            return kept
        related = _resource_peek_related(self, found.c_name)
        if related is None:
            _check_model_once(found.target)
            try:
                with _gorm_errors(found.target):
                    related = await _acall(self, 'get_related', found.c_name,
                                           load=_finished_object)
            except ObjectDoesNotExist as error:
                if isinstance(error, found.target.DoesNotExist):
                    raise
                raise found.target.DoesNotExist(error.message,
                                                c_message=error.c_message) from None
        if related is not None:
            self.__dict__[found.cache_name] = related
        return related

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
        _check_model_once(model)
        try:
            return info(self, *args, **kwargs)
        except GLib.Error as error:
            _raise_translated(error, model)
    call.__name__ = call.__qualname__ = name
    call.__doc__ = '%s\n\n%s' % (info.__doc__, doc)
    return call


_resource_save = Gorm.Resource.save
_resource_delete = Gorm.Resource.delete

for _name, _doc in [
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
    def lookup(model, pspec, value, name):
        pattern = prefix + _like_text(model, pspec, value) + suffix
        if case_sensitive:
            return Gorm.Filter.like(name, pattern)
        if not hasattr(Gorm.Filter, 'ilike'):
            raise NotImplementedError('Case-insensitive lookups need gorm_filter_ilike(), '
                                      'which this libgorm does not have')
        return Gorm.Filter.ilike(name, pattern)
    return lookup


def _comparison(constructor):
    """A lookup comparing with one value. A str, float, bool or 32-bit int
    goes as it is: PyGObject makes its GValue, three times faster than a
    GObject.Value, and libgorm converts it as it would the other."""
    def lookup(model, pspec, value, name):
        return _compare(constructor, pspec, name, _gobject_form(model, pspec, value))
    lookup.constructor = constructor
    return lookup


def _compare(constructor, pspec, name, value):
    """The Gorm.Filter comparing the property ``name`` with ``value``, a
    value in its GObject form (see _comparison())."""
    return constructor(name, value if _passes_as_is(value) else _to_gvalue(value, pspec))


def _lookup_in(model, pspec, values, name):
    if isinstance(values, (str, bytes)):
        raise TypeError('__in takes an iterable of values, not %r' % (values,))
    return Gorm.Filter.in_(name, [_property_value(model, pspec, v) for v in values])


def _lookup_range(model, pspec, bounds, name):
    low, high = bounds
    return Gorm.Filter.between(name, _property_value(model, pspec, low),
                               _property_value(model, pspec, high))


def _lookup_isnull(model, pspec, value, name):
    return (Gorm.Filter.is_null if value else Gorm.Filter.is_not_null)(name)


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


def _lookup(model, key, value, annotations=None):
    """The Gorm.Filter of one ``field__lookup=value`` argument, whose field
    may be a path across relations (``question__pub_date__year``);
    FieldError for an unknown field, relation or lookup, before any SQL.
    ``annotations`` are the expressions a QuerySet names (see
    _expression_lookup())."""
    cache = None if annotations else model.__dict__.get('_gorm_lookups')
    resolved = cache.get(key) if cache is not None else None
    if resolved is None or _holds_expression(value):
        expression = _expression_lookup(model, key, value, annotations)
        if expression is not None:
            return expression
        resolved = _resolve_key(model, key) if annotations else _kept_resolution(model, key)
    lookup, target, pspec, name, related, reverse, compare, kind = resolved
    if compare is not None:
        return _compare(compare, pspec, name, kind.to_gobject(value) if kind else value)
    if reverse and (lookup == 'isnull' or (lookup == 'exact' and value is None)):
        # As in Django, choice__isnull=True (or choice=None) is a question
        # without choices: no related row at all.
        exists = Gorm.Filter.is_not_null(name)
        return exists.not_() if lookup == 'exact' or value else exists
    if related is not None:
        # A relation compared with objects compares their keys.
        if lookup == 'in':
            if isinstance(value, (str, bytes)):
                raise TypeError('__in takes an iterable of values, not %r' % (value,))
            value = [_key_of(related, v, key) for v in value]
        elif lookup == 'range':
            value = tuple(_key_of(related, v, key) for v in value)
        elif lookup != 'isnull':
            value = _key_of(related, value, key)
    return _LOOKUPS[lookup](target, pspec, value, name)


_build_filter = _gorm_speedups.build_filter
# The codes of build_filter()'s comparisons, by the id() of their
# constructor (a gi.FunctionInfo has no hash), which _LOOKUPS keeps.
_COMPARE_CODES = {id(_LOOKUPS[name].constructor): code
                  for code, name in enumerate(('exact', 'ne', 'lt', 'lte', 'gt', 'gte'))}
_AS_IS_TYPES = frozenset((str, int, float, bool))


def _compared(model, where, lookups):
    """The Gorm.Filter ``where`` (unless None) and the sorted ``lookups``
    as QuerySet.filter() makes them, built in one C call (see
    _gorm_speedups.build_filter()) when every lookup compares a field with
    a value; None otherwise, for the path of one lookup at a time
    (_lookup()). A key seen for the first time is resolved here as
    _lookup() resolves it, and kept."""
    if not lookups:
        return None
    heads = model.__dict__.get('_gorm_comparisons')
    terms = []
    for key, value in lookups:
        if type(value) not in _AS_IS_TYPES and _holds_expression(value):
            return None
        head = heads.get(key) if heads is not None else None
        if head is None:
            head = _comparison_head(model, key)
            if head is None:
                return None
            heads = model.__dict__['_gorm_comparisons']
        if head is False:
            return None
        code, name, convert = head
        # What _Kind.to_gobject() does, without its call.
        terms.append((code, name, value if convert is None or value is None else convert(value)))
    return _build_filter(where, tuple(terms))


def _comparison_head(model, key):
    """What _compared() makes of the lookup ``key`` of ``model`` whatever
    its value, kept in the model: (the comparison's code, the property's
    name, the function converting a value to its GObject form or None), or
    False for a lookup that is not a comparison with a field's value.
    None, with nothing kept, when _resolved_comparison() leaves the key to
    _lookup()."""
    resolved = _resolved_comparison(model, key)
    if resolved is None:
        return None
    compare, kind = resolved[6], resolved[7]
    head = False if compare is None else (_COMPARE_CODES[id(compare)], resolved[3],
                                          kind._to_gobject if kind else None)
    _model_cache(model, '_gorm_comparisons')[key] = head
    return head


def _model_cache(model, name):
    """The dictionary ``name`` that ``model`` itself keeps (not one of its
    bases), made at its first use."""
    cache = model.__dict__.get(name)
    if cache is None:
        cache = {}
        setattr(model, name, cache)
    return cache


def _resolved_comparison(model, key):
    """What _lookup() resolves and keeps for the lookup ``key`` of
    ``model`` (see _resolve_key()), resolved and kept; FieldError as
    _lookup() raises it. None, with nothing kept, for a key that may
    compare a part of a date-time (``pub_date__year``), which only
    _expression_lookup() tells from a field; a value holding an
    expression never comes here."""
    parts = key.split('__')
    if len(parts) > 1 and parts[-1] in _LOOKUPS:
        parts.pop()
    if len(parts) > 1 and parts[-1] in _DATE_PARTS:
        return None
    cache = model.__dict__.get('_gorm_lookups')
    resolved = cache.get(key) if cache is not None else None
    return resolved if resolved is not None else _kept_resolution(model, key)


def _kept_resolution(model, key):
    """_resolve_key(model, key), kept in the model for _lookup() and
    _compared(): what a key names depends on the model alone."""
    resolved = _model_cache(model, '_gorm_lookups')[key] = _resolve_key(model, key)
    return resolved


def _holds_expression(value):
    """Whether a lookup's value is an expression, or a list or tuple (of
    ``__in``, ``__range``) holding one."""
    if isinstance(value, (list, tuple)):
        return any(isinstance(item, _Expression) for item in value)
    return isinstance(value, _Expression)


def _resolve_key(model, key):
    """What the lookup ``key`` of ``model`` names: ``(lookup, target, pspec,
    name, related, reverse, compare, kind)``: the lookup's name, what
    _walk() gives, whether the path ends on a reverse or many-to-many
    relation, and for a comparison with a field's value (not a relation's)
    the Gorm.Filter constructor and the Field's kind converting the value
    (None for a property without a Field); FieldError for an unknown field
    or relation."""
    parts = key.split('__')
    lookup = parts.pop() if len(parts) > 1 and parts[-1] in _LOOKUPS else 'exact'
    target, pspec, name, related = _walk(model, parts)
    reverse = related is not None and getattr(
        _relations(_walk_owner(model, parts)).get(parts[-1]), 'kind', _FORWARD) != _FORWARD
    compare = getattr(_LOOKUPS[lookup], 'constructor', None) if related is None else None
    field = _field(target, pspec) if compare is not None else None
    return lookup, target, pspec, name, related, reverse, compare, field and field.kind


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

    def resolve(self, model, annotations=None):
        """The Gorm.Filter of the condition for ``model``, or None when it has
        no condition. ``annotations``: the expressions of a QuerySet's
        annotations, by name."""
        filters = [child for child in (_resolve(c, model, annotations) for c in self.children)
                   if child is not None]
        if not filters:
            return None
        combined = functools.reduce(
            lambda a, b: a.and_(b) if self.connector == Q.AND else a.or_(b), filters)
        return combined.not_() if self.negated else combined


def _resolve(node, model, annotations=None):
    """The Gorm.Filter of a Q, a Gorm.Filter or a ``(key, value)`` lookup."""
    if isinstance(node, Q):
        return node.resolve(model, annotations)
    if isinstance(node, Gorm.Filter):
        return node
    return _lookup(model, *node, annotations)


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


# Expressions: F, Value, the aggregates and their arithmetic (Django's
# names). Each builds a Gorm.Expression for the model of the QuerySet it
# is used in; libgorm checks the names and types when the query runs.

def _generic_python(value):
    """A value read from a row with no field to convert it, in its Python
    form: an aware datetime for a GLib.DateTime, bytes for a GLib.Bytes."""
    if isinstance(value, _GLIB_DATETIME):
        return _datetime_from_glib(value)
    if isinstance(value, _GLIB_BYTES):
        return value.get_data() or b''
    return value


# Bound once: GLib's override module answers each GLib.DateTime through a
# Python __getattr__, twice for each value of each row of values().
_GLIB_DATETIME = GLib.DateTime
_GLIB_BYTES = GLib.Bytes


def _field_python(field):
    """The function giving the Python value of a row's value of ``field``
    (a Gorm.Field, or None for a plain property or a computed value)."""
    if field is None:
        return _generic_python
    return field.kind.to_python


def _arithmetic(operator_name, reverse=False):
    """The method of an arithmetic operator of expressions: ``F('a') + 1``
    (or ``1 + F('a')`` with ``reverse``) is an add of both."""
    def method(self, other):
        return self._combine(other, operator_name, reverse)
    method.__name__ = operator_name
    return method


class _Expression:
    """What F, Value, the aggregates and their combinations share:
    arithmetic with ``+ - * /`` (numbers on either side), and ``asc()`` /
    ``desc()`` for ``order_by()``."""

    contains_aggregate = False

    def _combine(self, other, operator_name, reverse):
        if not isinstance(other, _Expression):
            if isinstance(other, (str, bytes)) or other is None:
                return NotImplemented
            other = Value(other)
        if reverse:
            return _Combined(other, operator_name, self)
        return _Combined(self, operator_name, other)

    __add__ = _arithmetic('add')
    __radd__ = _arithmetic('add', reverse=True)
    __sub__ = _arithmetic('subtract')
    __rsub__ = _arithmetic('subtract', reverse=True)
    __mul__ = _arithmetic('multiply')
    __rmul__ = _arithmetic('multiply', reverse=True)
    __truediv__ = _arithmetic('divide')
    __rtruediv__ = _arithmetic('divide', reverse=True)

    def asc(self):
        """This expression as an ascending term of ``order_by()``."""
        return OrderBy(self, descending=False)

    def desc(self):
        """This expression as a descending term of ``order_by()``."""
        return OrderBy(self, descending=True)

    def resolve(self, model, annotations=None):
        """The Gorm.Expression of this expression for ``model``; names of
        ``annotations`` (a dict of name → expression) stand for theirs."""
        raise NotImplementedError

    def python(self, model, annotations=None):
        """The function giving the Python value of a value the database
        computed for this expression."""
        return _generic_python


class F(_Expression):
    """The value of a field of each row, ``F('votes')``, or of a related
    object's field, ``F('question__pub_date')``, as Django's ``F``::

        Choice.objects.filter(votes__gt=F('question__rank'))
        Choice.objects.filter(pk=1).update(votes=F('votes') + 1)

    An unknown field is a FieldError when the QuerySet uses it."""

    def __init__(self, name):
        if not isinstance(name, str) or not name:
            raise TypeError('F() takes a field name, not %r' % (name,))
        self.name = name

    def __repr__(self):
        return 'F(%s)' % self.name

    def _path(self, model):
        """(model, pspec, libgorm path) of the field named."""
        target, pspec, path, _ = _walk(model, self.name.split('__'))
        return target, pspec, path

    def resolve(self, model, annotations=None):
        if annotations and self.name in annotations:
            return annotations[self.name].resolve(model, annotations)
        return Gorm.Expression.property(self._path(model)[2])

    def python(self, model, annotations=None):
        if annotations and self.name in annotations:
            return annotations[self.name].python(model, annotations)
        target, pspec, _ = self._path(model)
        return _field_python(_field(target, pspec))


class Value(_Expression):
    """A constant in an expression, as Django's ``Value``: ``F('votes') + 1``
    makes one of the 1 itself."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return 'Value(%r)' % (self.value,)

    def resolve(self, model, annotations=None):
        return Gorm.Expression.value(_to_gvalue(self.value))


_OPERATOR_SIGNS = {'add': '+', 'subtract': '-', 'multiply': '*', 'divide': '/'}


class _Combined(_Expression):
    """``left OP right``: arithmetic on two expressions."""

    def __init__(self, left, operator_name, right):
        self.left = left
        self.operator_name = operator_name
        self.right = right
        self.contains_aggregate = left.contains_aggregate or right.contains_aggregate

    def __repr__(self):
        return '(%r %s %r)' % (self.left, _OPERATOR_SIGNS[self.operator_name], self.right)

    def resolve(self, model, annotations=None):
        return getattr(Gorm.Expression, self.operator_name)(
            self.left.resolve(model, annotations), self.right.resolve(model, annotations))


class _DatePart(_Expression):
    """A part of a date-time expression (the ``__year`` of a lookup)."""

    def __init__(self, expression, part):
        self.expression = expression
        self.part = part

    def resolve(self, model, annotations=None):
        return Gorm.Expression.date_part(self.expression.resolve(model, annotations),
                                         getattr(Gorm.DatePart, _DATE_PARTS[self.part]))

    def python(self, model, annotations=None):
        if self.part == 'date':
            return lambda value: None if value is None else _generic_python(value).date()
        return _generic_python


class OrderBy:
    """A term of ``order_by()``: ``F('votes').desc()``, ``(F('a') +
    F('b')).asc()``."""

    def __init__(self, expression, descending=False):
        if not isinstance(expression, _Expression):
            raise TypeError('OrderBy() takes an expression (F(...), an aggregate, ...), not %r'
                            % (expression,))
        self.expression = expression
        self.descending = descending

    def __repr__(self):
        return 'OrderBy(%r, descending=%r)' % (self.expression, self.descending)

    def asc(self):
        return OrderBy(self.expression, descending=False)

    def desc(self):
        return OrderBy(self.expression, descending=True)


class Aggregate(_Expression):
    """The base of Count, Sum, Avg, Min and Max: a value computed over the
    rows of a group (every matching row in ``aggregate()``, the related
    rows of each object in ``annotate()``, the rows of each group of a
    ``values(...).annotate(...)``). It takes a field name (a path across
    relations: ``'choice__votes'``) or an expression."""

    contains_aggregate = True
    function = None

    def __init__(self, expression, **options):
        if options:
            raise TypeError('%s() got unexpected keyword argument%s %s' % (
                type(self).__name__, 's' if len(options) > 1 else '',
                ', '.join(repr(name) for name in sorted(options))))
        if isinstance(expression, str):
            expression = F(expression)
        if not isinstance(expression, _Expression):
            raise TypeError('%s() takes a field name or an expression, not %r'
                            % (type(self).__name__, expression))
        if expression.contains_aggregate:
            raise TypeError('%s(%r): an aggregate cannot hold another aggregate'
                            % (type(self).__name__, expression))
        self.expression = expression

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.expression)

    @property
    def default_alias(self):
        """The key of a positional argument of ``aggregate()``:
        ``votes__sum`` for ``Sum('votes')``, as Django names it."""
        if isinstance(self.expression, F):
            return '%s__%s' % (self.expression.name, self.function)
        raise TypeError('Complex aggregates require an alias')

    def resolve(self, model, annotations=None):
        return getattr(Gorm.Expression, self.function)(self.expression.resolve(model, annotations))


class Count(Aggregate):
    """How many rows, ``Count('choice')`` (related rows: 0 for an object
    without any), ``Count('*')``, or distinct non-None values,
    ``Count('question', distinct=True)``. Always an int."""

    function = 'count'

    def __init__(self, expression, distinct=False, **options):
        super().__init__('pk' if expression == '*' else expression, **options)
        if expression == '*':
            # COUNT(*): the rows themselves.
            self.expression = None
        self.distinct = bool(distinct)

    def __repr__(self):
        return 'Count(%s%s)' % ('*' if self.expression is None else repr(self.expression),
                                ', distinct=True' if self.distinct else '')

    @property
    def default_alias(self):
        if self.expression is None:
            raise TypeError('Complex aggregates require an alias')
        return super().default_alias

    def resolve(self, model, annotations=None):
        inner = None if self.expression is None else self.expression.resolve(model, annotations)
        return Gorm.Expression.count(inner, self.distinct)


class Sum(Aggregate):
    """The sum of a number field or expression: an int for integers, a
    float otherwise, None over no rows."""
    function = 'sum'


class Avg(Aggregate):
    """The average of a number field or expression: a float, None over no
    rows."""
    function = 'avg'


class Min(Aggregate):
    """The smallest value, of the field's own type (a datetime for a
    datetime field), None over no rows."""
    function = 'min'

    def python(self, model, annotations=None):
        return self.expression.python(model, annotations)


class Max(Min):
    """The largest value, of the field's own type, None over no rows."""
    function = 'max'


# The parts of a date-time that lookups name (pub_date__year), as
# Gorm.DatePart names them.
_DATE_PARTS = {
    'year': 'YEAR', 'month': 'MONTH', 'day': 'DAY', 'week_day': 'WEEK_DAY',
    'hour': 'HOUR', 'minute': 'MINUTE', 'second': 'SECOND', 'date': 'DATE',
}

# The comparisons of lookups, as Gorm.Comparison names them.
_COMPARISONS = {
    'exact': 'EQ', 'ne': 'NE', 'lt': 'LT', 'lte': 'LE', 'gt': 'GT', 'gte': 'GE',
}

# The filter constructors of a lookup on an annotation's name.
_NAMED_COMPARISONS = {
    'exact': Gorm.Filter.eq, 'ne': Gorm.Filter.ne, 'lt': Gorm.Filter.lt,
    'lte': Gorm.Filter.le, 'gt': Gorm.Filter.gt, 'gte': Gorm.Filter.ge,
}


def _date_value(value):
    """The GObject.Value a ``__date`` lookup compares with: a date is its
    day at 00:00 UTC."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day,
                                  tzinfo=datetime.timezone.utc)
    return _to_gvalue(value)


def _expression_lookup(model, key, value, annotations):
    """The Gorm.Filter of a lookup that compares expressions: a value that
    is an expression (``votes__gt=F('downvotes')``), a part of a date-time
    (``pub_date__year__gte=2020``), an annotation's name (``n__gt=1``);
    None for any other lookup (see _lookup())."""
    parts = key.split('__')
    lookup = parts.pop() if len(parts) > 1 and parts[-1] in _LOOKUPS else 'exact'
    if lookup in ('in', 'range') and isinstance(value, (list, tuple)):
        has_expression = any(isinstance(item, _Expression) for item in value)
    else:
        has_expression = isinstance(value, _Expression)
    named = bool(annotations) and parts[0] in annotations
    part = None
    if not named and len(parts) > 1 and parts[-1] in _DATE_PARTS:
        try:
            _walk(model, parts)
        except FieldError:
            part = parts.pop()
    if not (named or has_expression or part):
        return None
    if lookup not in _COMPARISONS and lookup not in ('in', 'range', 'isnull'):
        raise FieldError("Unsupported lookup '%s' on %s: an expression takes %s"
                         % (lookup, key, ', '.join(sorted(_COMPARISONS) +
                                                   ['in', 'isnull', 'range'])))
    pspec = target = None
    if named:
        if len(parts) > 1:
            raise FieldError("Unsupported lookup '%s' for the annotation '%s'"
                             % ('__'.join(parts[1:]), parts[0]))
        left = annotations[parts[0]]
        name = parts[0]
    else:
        target, pspec, name, related = _walk(model, parts)
        left = F('__'.join(parts))
        if part is not None:
            if pspec.value_type != GLib.DateTime.__gtype__:
                raise FieldError("Unsupported lookup '%s' for %s.%s: it is not a date-time "
                                 "field" % (part, target.__name__, _attribute(pspec)))
            left = _DatePart(left, part)
    if lookup == 'isnull':
        if has_expression:
            raise TypeError('%s takes True or False, not an expression' % key)
        constructor = Gorm.Filter.is_null if value else Gorm.Filter.is_not_null
        return constructor(name)
    if named and not has_expression:
        # libgorm takes the name of an annotation where a filter takes a
        # property's (HAVING for an aggregate).
        if lookup == 'in':
            return Gorm.Filter.in_(name, [_to_gvalue(v) for v in value])
        if lookup == 'range':
            low, high = value
            return Gorm.Filter.between(name, _to_gvalue(low), _to_gvalue(high))
        if value is None:
            if lookup == 'exact':
                return Gorm.Filter.is_null(name)
            raise TypeError('%s: None compares only with exact (is None)' % key)
        return _NAMED_COMPARISONS[lookup](name, _to_gvalue(value))

    def right(item):
        if isinstance(item, _Expression):
            return item.resolve(model, annotations)
        if item is None:
            raise TypeError('%s: None is no value to compare an expression with; use '
                            '__isnull=True' % key)
        if part == 'date':
            return Gorm.Expression.value(_date_value(item))
        if part is not None and (type(item) is not int):
            raise TypeMismatchError('%s: the %s of %s.%s is an int, not %r'
                                    % (key, part, target.__name__, _attribute(pspec), item))
        if part is None and pspec is not None:
            return Gorm.Expression.value(_property_value(target, pspec, item))
        return Gorm.Expression.value(_to_gvalue(item))

    def compare(lookup, item):
        return Gorm.Filter.compare(left.resolve(model, annotations),
                                   getattr(Gorm.Comparison, _COMPARISONS[lookup]), right(item))

    if lookup == 'in':
        if isinstance(value, (str, bytes)):
            raise TypeError('__in takes an iterable of values, not %r' % (value,))
        values = list(value)
        if not values:
            # Nothing is in an empty list.
            return Gorm.Filter.in_(_find_pspec(model, 'pk').name, [])
        return functools.reduce(lambda a, b: a.or_(b),
                                [compare('exact', item) for item in values])
    if lookup == 'range':
        low, high = value
        return compare('gte', low).and_(compare('lte', high))
    return compare(lookup, value)


__all__ += ['F', 'Value', 'OrderBy', 'Aggregate', 'Count', 'Sum', 'Avg', 'Min', 'Max']


# Queries

class _ExpressionQuerySet:
    """The QuerySet methods of expressions and rows, as Django names them:
    ``annotate()``, ``aggregate()``, ``values()``, ``values_list()``,
    ``raw()``, and what ``filter()``, ``order_by()`` and ``update()`` do
    with F expressions and annotations (see QuerySet)."""

    # Model annotations: (name, expression) pairs, in the order given;
    # iterating gives the objects with each as an attribute.
    _annotations = ()
    # values() and values_list(): (key, expression) pairs of the columns
    # of each row, and the form of the rows ('dict', 'tuple', 'flat',
    # 'named'); None for objects.
    _selects = None
    _row_form = None
    _distinct = False
    # The Gorm.Filters of the lookups made once there are annotations,
    # each given to the query alone: libgorm makes a filter naming an
    # aggregate a HAVING, and one naming none a WHERE.
    _conditions = ()

    def _named_expressions(self):
        """The expressions a lookup, an order or an F may name: the
        annotations, or the columns of values()."""
        if self._selects is not None:
            return {key: expression for key, expression in self._selects
                    if not _is_field_column(key, expression)}
        return dict(self._annotations)

    def _is_grouped(self):
        """Whether the rows are groups: values() with an aggregate."""
        return self._selects is not None and any(
            expression.contains_aggregate for _, expression in self._selects)

    def _fetch_runner(self):
        """The runner of Gorm.Query giving what this QuerySet iterates:
        rows for values() and annotations, objects otherwise."""
        return 'fetch_rows' if self._row_form is not None or self._annotations else 'fetch'

    def _add_expressions(self, query):
        """Adds the columns of values() or the annotations to ``query``."""
        named = {}
        if self._selects is not None:
            for key, expression in self._selects:
                query.select(key, expression.resolve(self.model, named))
                if not _is_field_column(key, expression):
                    named[key] = expression
        else:
            for name, expression in self._annotations:
                query.annotate(name, expression.resolve(self.model, named))
                named[name] = expression
        if self._distinct and self._selects is not None:
            # Objects are never repeated: rows only need DISTINCT.
            query.distinct()

    def _expression_order(self, fields):
        """The (name or Gorm.Expression, descending) terms of
        ``order_by(*fields)``: field names as _order_terms() reads them,
        annotation names, F expressions and their ``asc()`` / ``desc()``."""
        if self._selects is None and not self._annotations:
            # Names alone: no expression to name (_named_expressions()).
            for field in fields:
                if type(field) is not str:
                    break
            else:
                return _cached_order_terms(self.model, fields)
        named = self._named_expressions()
        if not named and all(type(field) is str for field in fields):
            return _cached_order_terms(self.model, fields)
        terms = []
        for field in fields:
            if isinstance(field, _Expression):
                field = field.asc()
            if isinstance(field, OrderBy):
                expression = field.expression
                if isinstance(expression, F) and expression.name in named:
                    terms.append((expression.name, field.descending))
                else:
                    terms.append((expression.resolve(self.model, named), field.descending))
            elif isinstance(field, str) and field.lstrip('-') in named:
                terms.append((field.lstrip('-'), field.startswith('-')))
            else:
                terms.extend(_order_terms(self.model, (field,)))
        return tuple(terms)

    def annotate(self, *args, **annotations):
        """Computes an expression per object (``n=Count('choice')``), read as
        an attribute of each object iterated (``question.n``) and usable in
        ``filter(n__gt=1)`` and ``order_by('-n')``. After ``values(...)``,
        an aggregate counts per group of those values instead, and the
        rows gain the key. A positional aggregate is named as Django
        names it (``choice__count``)."""
        annotations = self._check_aliases('annotate', args, annotations)
        if self._is_sliced():
            raise TypeError('Cannot annotate a query once a slice has been taken.')
        named = self._named_expressions()
        for name, expression in annotations.items():
            if not isinstance(expression, _Expression):
                raise TypeError('annotate() takes expressions (Count(...), F(...), ...), '
                                'not %s=%r' % (name, expression))
            if name in named:
                raise ValueError("The annotation '%s' conflicts with another of the same name"
                                 % name)
            if self._selects is None and (name in _fields_by_name(self.model) or
                                          name in _relations(self.model) or name == 'pk'):
                raise ValueError("The annotation '%s' conflicts with a field on the model."
                                 % name)
            # Unknown fields are a FieldError now, as in Django.
            expression.resolve(self.model, named)
            named[name] = expression
        if self._selects is not None:
            return self._clone(_selects=self._selects + tuple(annotations.items()))
        return self._clone(_annotations=self._annotations + tuple(annotations.items()))

    @staticmethod
    def _check_aliases(method, args, kwargs):
        """The expressions of ``aggregate(*args, **kwargs)`` (or of
        annotate()) by name, a positional aggregate named by its
        default_alias, as Django does."""
        named = {}
        for arg in args:
            if not isinstance(arg, Aggregate):
                raise TypeError('%s() takes positional aggregates only (Count(...), ...), not %r'
                                % (method, arg))
            named[arg.default_alias] = arg
        for name, value in kwargs.items():
            if name in named:
                raise ValueError("%s(): the name '%s' is given twice" % (method, name))
            named[name] = value
        return named

    def aggregate(self, *args, **kwargs):
        """A dict of values computed over every matching object, as Django's
        ``aggregate()``: ``aggregate(total=Sum('votes'))`` gives
        ``{'total': 12}``, ``aggregate(Sum('votes'))`` gives
        ``{'votes__sum': 12}``. Over no object, Count gives 0 and the
        others None."""
        if not args and not kwargs:
            raise TypeError('aggregate() takes at least one aggregate (Sum(...), Count(...), '
                            '...)')
        aggregates = self._check_aliases('aggregate', args, kwargs)
        self._check_not_sliced('aggregate')
        for name, expression in aggregates.items():
            if not isinstance(expression, _Expression):
                raise TypeError('QuerySet.aggregate() received non-expression(s): %s=%r'
                                % (name, expression))
            if not expression.contains_aggregate:
                raise TypeError('%s is not an aggregate expression' % name)
        query, converters = self._aggregate_query(aggregates)
        with _gorm_errors(self.model):
            row = query.aggregate(None)
        return _aggregate_dict(row, converters)

    async def aaggregate(self, *args, **kwargs):
        """Awaits ``aggregate()``, run on the database worker."""
        if not args and not kwargs:
            raise TypeError('aaggregate() takes at least one aggregate')
        aggregates = self._check_aliases('aggregate', args, kwargs)
        self._check_not_sliced('aaggregate')
        query, converters = self._aggregate_query(aggregates)
        return _aggregate_dict(await _acall(query, 'aggregate'), converters)

    def _check_not_sliced(self, method):
        # Django aggregates the slice; libgorm aggregates every matching
        # row, which would be another answer given without a word.
        if self._is_sliced():
            raise TypeError('Cannot %s() a sliced QuerySet: libgorm aggregates every matching '
                            'object; filter instead of slicing' % method)

    def _aggregate_query(self, aggregates):
        """The Gorm.Query selecting ``aggregates`` over the matching
        objects, and the Python conversion of each value by name."""
        plain = self._clone(_selects=None, _row_form=None, _annotations=(), _order=(),
                            _distinct=False)
        query = plain._query()
        named = self._named_expressions()
        converters = {}
        for name, expression in aggregates.items():
            query.select(name, expression.resolve(self.model, named))
            converters[name] = expression.python(self.model, named)
        return query, converters

    def values(self, *fields, **expressions):
        """Dicts of the values of ``fields`` (every field without names;
        ``'question__question_text'`` follows relations; annotation names
        too) and of ``expressions`` (``votes2=F('votes') * 2``) instead of
        objects. Followed by ``annotate()``, the rows are groups of equal
        values."""
        return self._values_clone(fields, expressions, 'dict')

    def values_list(self, *fields, flat=False, named=False):
        """Tuples of the values of ``fields`` (every field without names);
        ``flat=True`` gives the values of one field themselves,
        ``named=True`` namedtuples called ``Row``."""
        if flat and named:
            raise TypeError("'flat' and 'named' can't be used together.")
        if flat and len(fields) > 1:
            raise TypeError("'flat' is not valid when values_list is called with more than "
                            "one field.")
        return self._values_clone(fields, {}, 'flat' if flat else 'named' if named else 'tuple')

    def _values_clone(self, fields, expressions, form):
        if self._is_sliced():
            raise TypeError('Cannot call values() once a slice has been taken.')
        named = self._named_expressions()
        selects = []
        if not fields and not expressions:
            if self.model._gorm_primary_key == 'id':
                selects.append(('id', F('id')))
            selects += [(name, F(name)) for name in _declared_fields(self.model)]
            selects += list(named.items())
        for field in fields:
            if isinstance(field, _Expression):
                raise TypeError('values() takes expressions as keyword arguments (name=%r)'
                                % (field,))
            if not isinstance(field, str):
                raise TypeError('values() takes field names, not %r' % (field,))
            expression = named.get(field)
            if expression is None:
                expression = F(field)
                # Checked now, as Django checks it, rather than when run.
                expression._path(self.model)
            selects.append((field, expression))
        for key, expression in expressions.items():
            if not isinstance(expression, _Expression):
                raise TypeError('values() takes expressions as keyword arguments, not %s=%r'
                                % (key, expression))
            selects.append((key, expression))
        if self._selects is None and any(e.contains_aggregate for _, e in self._annotations):
            # As in Django, annotations made before values() count per
            # object: the primary key, not shown, keeps the objects apart.
            selects.append((_HIDDEN_KEY, F('pk')))
        return self._clone(_selects=tuple(selects), _row_form=form, _annotations=())

    def _row_keeper(self):
        """The function giving what this QuerySet yields for one Gorm.Row:
        a dict, tuple, value or namedtuple of values(), or the object of an
        annotated row, with its annotations as attributes."""
        model = self.model
        if self._row_form is None:
            keep = self._object_keeper()
            named = {}
            annotations = []
            for name, expression in self._annotations:
                annotations.append((name, expression.python(model, named)))
                named[name] = expression

            def annotated(row):
                resource = row.get_resource()
                values = resource.__dict__
                for name, python in annotations:
                    values[name] = python(_row_value(row, name))
                return keep(resource)
            return annotated
        named = {}
        columns = []
        for key, expression in self._selects:
            if key != _HIDDEN_KEY:
                columns.append((key, expression.python(model, named)))
            if not _is_field_column(key, expression):
                named[key] = expression
        keys = tuple(key for key, _ in columns)
        tuple_type = (collections.namedtuple('Row', keys, rename=True)
                      if self._row_form == 'named' else None)
        return _RowReader(keys, tuple(_row_converter(python) for _, python in columns),
                          _ROW_FORMS[self._row_form], _generic_python, tuple_type)

    def _update_expressions(self, values):
        """update() where some values are expressions: one UPDATE …
        SET col = expression through gorm_query_update_expressions()."""
        names, expressions = self._expression_assignments(values)
        if self._empty:
            return 0
        with _gorm_errors(self.model):
            return Gorm.Query.update_expressions(self._query(), names, expressions, None)

    def _expression_assignments(self, values):
        names = []
        expressions = []
        for name, value in values.items():
            pspec = _find_pspec(self.model, name)
            names.append(pspec.name)
            if isinstance(value, _Expression):
                if value.contains_aggregate:
                    raise TypeError('update(%s=%r): an aggregate cannot be a new value'
                                    % (name, value))
                expressions.append(value.resolve(self.model))
            else:
                expressions.append(Gorm.Expression.value(
                    _property_value(self.model, pspec, value)))
        return names, expressions

    def raw(self, raw_query, params=()):
        """The objects of the model a raw SELECT returns (it selects every
        column of the model's table, by name), as a RawQuerySet:
        ``Question.objects.raw('SELECT * FROM question WHERE id > ?', [1])``.
        Values are bound to the ``?`` placeholders, as in
        ``database.execute()``."""
        return RawQuerySet(raw_query, self.model, params, self._database_given)


def _declared_fields(model):
    """The attribute names of the stored fields of ``model`` but ``id``, in
    the order of their declaration, a foreign key's key (``question_id``)
    where the foreign key is declared, as Django's ``values()`` lists them."""
    attributes = [(name, value) for cls in reversed(model.__mro__)
                  for name, value in vars(cls).items()
                  if isinstance(value, (GObject.Property, _RelationField))]
    declared = [name for name, _ in attributes]
    keys = {value.key_attribute: name for name, value in attributes
            if isinstance(value, ForeignKey)}
    names = [_attribute(pspec) for pspec in _stored_pspecs(model)]

    def position(name):
        if name in keys:
            return declared.index(keys[name])
        return declared.index(name) if name in declared else len(declared)
    return sorted(names, key=position)


def _is_field_column(key, expression):
    """Whether the column ``key`` of values() is the field of that name
    itself (values('votes')), which names no expression of its own."""
    return isinstance(expression, F) and expression.name == key


def _conditions_of(condition, model, named):
    """The Gorm.Filters of a Q whose parts are ANDed, one per part (a Q
    of ANDed parts is split further), for a QuerySet with the expressions
    ``named``: see _ExpressionQuerySet._conditions."""
    if not isinstance(condition, Q) or condition.negated or condition.connector != Q.AND:
        found = _resolve(condition, model, named)
        return () if found is None else (found,)
    return tuple(part for child in condition.children
                 for part in _conditions_of(child, model, named))


# The column values() adds, unseen, to keep per-object annotations per object.
_HIDDEN_KEY = '_gorm_pk'


# The value of a Gorm.Row's column, None for NULL: gorm_row_get_value()
# (transfer none; PyGObject 3.42 never frees a GValue a function returns
# with transfer full, as gorm_row_dup_value() does), a boxed value (a
# GLib.DateTime) copied, which PyGObject's own wrapper of it is not: it
# pointed into the row.
_row_get_value = _gorm_speedups.row_value


def _row_value(row, name):
    """The value of the column ``name`` of a Gorm.Row, None for NULL."""
    return _row_get_value(row, row.find_column(name))


# What a values() or values_list() QuerySet yields for its Gorm.Rows,
# built in C by a _gorm_speedups.RowReader: per row form, its constant.
_RowReader = _gorm_speedups.RowReader
_ROW_FORMS = {
    'dict': _gorm_speedups.ROW_FORM_DICT,
    'tuple': _gorm_speedups.ROW_FORM_TUPLE,
    'flat': _gorm_speedups.ROW_FORM_FLAT,
    'named': _gorm_speedups.ROW_FORM_NAMED,
}
_kind_to_python = _Kind.to_python


def _row_converter(python):
    """The converter a RowReader calls for a column whose values
    ``python`` converts: None when it gives every value back as it is (a
    field kind without a conversion of its own), else ``python``."""
    if getattr(python, '__func__', None) is _kind_to_python and python.__self__._to_python is None:
        return None
    return python


class Row(Gorm.Row):
    """A row of named values (Gorm.Row): ``row.dup_value(name)`` gives the
    value of a column as a Python value, None for NULL and for a name the
    row has not (``row.find_column(name)`` is -1 then)."""

    def dup_value(self, name):
        column = self.find_column(name)
        return None if column < 0 else _row_get_value(self, column)

    def get_value(self, column):
        """The value of the column numbered ``column``, None for NULL; a
        boxed value (a GLib.DateTime) is a copy of its own."""
        return _row_get_value(self, column)


Row = override(Row)
__all__.append('Row')


def _aggregate_dict(row, converters):
    """The dict aggregate() returns for the Gorm.Row of its values."""
    return {name: python(_row_value(row, name)) for name, python in converters.items()}


class RawQuerySet:
    """The objects of a raw SELECT, from ``Model.objects.raw(sql,
    params)``: iterable (the query runs once, at the first use), with
    ``len()`` and indexing, as Django's RawQuerySet. The SELECT returns
    every column of the model's table (``SELECT * FROM question …``),
    other columns are ignored; a missing column is a ValidationError
    naming it. Objects already loaded are the same objects (identity
    map)."""

    def __init__(self, raw_query, model, params=(), database=None):
        if not isinstance(raw_query, str):
            raise TypeError('raw() takes the SQL text of a SELECT, not %r' % (raw_query,))
        self.raw_query = raw_query
        self.model = model
        self.params = tuple(params)
        self._database_given = database
        self._result = None

    def using(self, database):
        """The same raw query on ``database``."""
        return RawQuerySet(self.raw_query, self.model, self.params, database)

    def _fetch(self):
        if self._result is None:
            database = self._database_given or _default_database(self.model.__name__)
            self._result = list(database.select_resources(self.model, self.raw_query,
                                                          self.params))
        return self._result

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self):
        return len(self._fetch())

    def __bool__(self):
        return bool(self._fetch())

    def __getitem__(self, key):
        return self._fetch()[key]

    def __repr__(self):
        return '<RawQuerySet: %s>' % self.raw_query


class Cursor:
    """A minimal DB-API 2.0 style cursor on a Gorm.Database, from
    ``database.cursor()``: ``execute(sql, params)`` binds ``params`` to
    the ``?`` placeholders; a SELECT's rows are read with ``fetchone()``,
    ``fetchmany()``, ``fetchall()`` or by iterating, ``description``
    names its columns; another statement sets ``rowcount``."""

    arraysize = 1

    def __init__(self, database):
        self.database = database
        self.description = None
        self.rowcount = -1
        self._rows = []
        self._position = 0
        self._closed = False

    def _check_open(self):
        if self._closed:
            raise OperationalError('The cursor is closed')

    def execute(self, sql, params=()):
        """Runs ``sql`` with ``params`` bound; returns the cursor."""
        self._check_open()
        self.description = None
        self.rowcount = -1
        self._rows = []
        self._position = 0
        try:
            names, rows = self.database._select(sql, params)
        except ValidationError:
            # Not a SELECT: a statement that changes rows.
            self.rowcount = self.database.execute(sql, params)
            return self
        self.description = tuple((name, None, None, None, None, None, None) for name in names)
        self._rows = rows
        self.rowcount = len(rows)
        return self

    def executemany(self, sql, seq_of_params):
        """Runs ``sql`` once per parameter sequence; ``rowcount`` is the total."""
        total = 0
        for params in seq_of_params:
            self.execute(sql, params)
            total += max(self.rowcount, 0)
        self.rowcount = total
        self.description = None
        return self

    def fetchone(self):
        """The next row as a tuple, or None after the last."""
        self._check_open()
        if self._position >= len(self._rows):
            return None
        self._position += 1
        return self._rows[self._position - 1]

    def fetchmany(self, size=None):
        """The next ``size`` rows (``arraysize`` by default)."""
        self._check_open()
        size = self.arraysize if size is None else size
        rows = self._rows[self._position:self._position + size]
        self._position += len(rows)
        return rows

    def fetchall(self):
        """The remaining rows."""
        self._check_open()
        rows = self._rows[self._position:]
        self._position = len(self._rows)
        return rows

    def __iter__(self):
        return iter(self.fetchone, None)

    def close(self):
        self._closed = True
        self._rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False


class _AsyncQuerySet:
    """The awaitable forms of the QuerySet runners, as Django's ``acount()``
    and the others; see _acall() for the event loop they need."""

    async def acount(self):
        """Awaits how many objects match."""
        if self._empty:
            return 0
        if self._fetch_runner() == 'fetch_rows':
            return len(await _acall(self._query(), 'fetch_rows'))
        return await _acall(self._query(), 'count')

    async def aexists(self):
        """Awaits whether any object matches."""
        if self._empty:
            return False
        if self._fetch_runner() == 'fetch_rows':
            return len(await _acall(self._slice(0, 1)._query(), 'fetch_rows')) > 0
        return await _acall(self._query(), 'exists')

    async def afirst(self):
        """Awaits the first object, in primary key order unless ordered, or None."""
        if self._empty:
            return None
        if not self._is_eager():
            return await _acall(self._query(order_by_key=True), 'first', load=_finished_object)
        # As first() does, from a page of one row.
        query = self._slice(0, 1)._query(order_by_key=True)
        if self._fetch_runner() == 'fetch':
            found = (await _acall(query, 'fetch', load=functools.partial(
                _finished_items, self._keeper())))[1]
            return found[0] if found else None
        found = await _acall(query, self._fetch_runner())
        return self._keeper()(found[0]) if len(found) else None

    async def alist(self):
        """Awaits the matching objects, as a list."""
        if self._empty:
            return []
        keep = self._keeper() if self._is_eager() else None
        if self._fetch_runner() == 'fetch':
            # The objects taken into Python as the fetch finishes: each
            # with the wrapper it was built with.
            return (await _acall(self._query(), 'fetch',
                                 load=functools.partial(_finished_items, keep)))[1]
        found = await _acall(self._query(), self._fetch_runner())
        return list(found if keep is None else map(keep, found))

    async def __aiter__(self):
        for resource in await self.alist():
            yield resource

    async def awatch(self):
        """Awaits ``watch()``: the live model counts its rows on the
        database worker, so that a GTK application builds it without
        blocking its main loop."""
        if self._fetch_runner() == 'fetch_rows':
            raise TypeError('awatch() gives live objects; the rows of values(), values_list() and '
                            'annotate() are not live: iterate the QuerySet instead')
        if self._empty:
            return _EMPTY_ANSWERS['watch'](self.model)
        with _gorm_errors(self.model):
            return await _acall(self._query(), 'watch')

    async def aget(self, *conditions, **lookups):
        """Awaits ``get()``."""
        selected = self.filter(*conditions, **lookups) if conditions or lookups else self
        return selected._one(await selected[:2].alist(), lookups)

    async def acreate(self, **properties):
        """Awaits ``create()``."""
        resource = _new_object(self.model, self._database_given, properties)
        await resource.asave()
        return resource

    async def aupdate(self, **values):
        """Awaits ``update()``, run on the database worker."""
        if not values:
            return 0
        if any(isinstance(value, _Expression) for value in values.values()):
            names, expressions = self._expression_assignments(values)
            if self._empty:
                return 0
            return await _acall(self._query(), 'update_expressions', names, expressions)
        names, gvalues = self._assignments(values)
        if self._empty:
            return 0
        return await _acall(self._query(), 'update_values', names, gvalues)

    async def adelete(self):
        """Awaits ``delete()``: what it returns. The delete runs on the
        database worker; when the database deletes other rows with those
        (CASCADE, many-to-many links), the reads counting them and the
        delete run in one transaction on the calling thread instead."""
        if self._empty:
            return 0, {}
        if _has_dependents(self.model):
            return self.delete()
        n = await _acall(self._query(), 'delete')
        return n, ({_label(self.model): n} if n else {})


# How many items of a result _items() takes into Python in one call.
_ITEMS_CHUNK = 1000
# A snapshot of at most this many rows builds all its objects as it is
# fetched (see Gorm.QueryModel): _load() takes them all into Python.
_WHOLE_MAX_ROWS = 25000
_query_dup_items = Gorm.Query.dup_items
_query_fetch = Gorm.Query.fetch
# Calls a function keeping the wrapper of each object loaded meanwhile on
# this thread, built with the object, until it returns: the objects the
# function gives to Python come with that wrapper, not a second one.
_collect = _gorm_speedups.collect
_keep_related = _gorm_speedups.keep_related
_take_related = _gorm_speedups.take_related


def _take(model, start, n_items, keep):
    """The items of the Gio.ListModel ``model`` from ``start`` on, at most
    ``n_items``, each passed through ``keep`` (what eager loading loaded
    with it kept) unless None; called through _collect(), so that the
    objects the items' pages load, and those loaded with them, are wrapped
    once."""
    if type(keep) is functools.partial and keep.func is _keep_related:
        # select_related() of one relation (see _object_keeper()): the
        # items taken and kept in one C call.
        return _take_related(model, start, n_items, *keep.args)
    items = _query_dup_items(model, start, n_items)
    return items if keep is None else list(map(keep, items))


def _load_all(query, keep):
    """The Gio.ListModel of ``query``'s objects and the list of all its
    items, passed through ``keep`` unless None: what a chunk of
    iterator() takes, through _collect()."""
    model = _query_fetch(query)
    return model, _take(model, 0, model.get_n_items(), keep)


def _finished_object(finish, result):
    """``finish(result)``: the object of an async first(), get() or
    get_related(), given to _acall() as its ``load``."""
    return finish(result)


def _finished_items(keep, finish, result):
    """The Gio.ListModel ``finish(result)`` gives (an async fetch) and the
    list of all its items, passed through ``keep`` unless None; for
    _acall()'s ``load``, with ``keep`` bound."""
    model = finish(result)
    return model, _take(model, 0, model.get_n_items(), keep)


def _load(query, keep):
    """What a QuerySet takes of its result as it fetches it (through
    _collect()): the Gio.ListModel of ``query``'s objects and the list of
    its first items, passed through ``keep`` unless None: all of them when
    the fetch built them all, the first _ITEMS_CHUNK of a larger one."""
    model = _query_fetch(query)
    n_items = model.get_n_items()
    return model, _take(model, 0, n_items if n_items <= _WHOLE_MAX_ROWS else _ITEMS_CHUNK, keep)


def _items(model, keep=None, start=0):
    """An iterator over the items of a Gio.ListModel from ``start`` on,
    each passed through ``keep`` unless None, taken into Python
    _ITEMS_CHUNK at a time by gorm_query_dup_items() rather than by one
    call of get_item() per item (PyGObject's cost of a call is most of
    what an item of a loaded page costs); a larger result loads its
    pages as it is iterated, as with get_item()."""
    if isinstance(model, list):
        # none()'s answer, or the objects prefetch_related() gave.
        return iter(model[start:] if keep is None else list(map(keep, model[start:])))
    # Chained in C: no Python frame resumed per item.
    return itertools.chain.from_iterable(_collect(_take, model, position, _ITEMS_CHUNK, keep)
                                         for position in range(start, model.get_n_items(),
                                                               _ITEMS_CHUNK))


_new_queryset = object.__new__
_build_query = _gorm_speedups.build_query
_load_objects = _gorm_speedups.load_objects
_database_query = Gorm.Database.query
_database_get = Gorm.Database.get


class QuerySet(_ExpressionQuerySet, _AsyncQuerySet):
    """A lazy, chainable selection of objects of one model, as in Django.

    Methods that narrow it (``filter``, ``exclude``, ``order_by``,
    ``using``, slicing) return a new QuerySet; iterating it, ``len()`` and
    ``in`` run it once and keep the result, a Gio.ListModel that loads its
    objects a page at a time. The ``a``-prefixed methods are awaitable.
    """

    def __init__(self, model, database=None):
        self.model = model
        self._database_given = database

    # The state of a QuerySet that __init__ does not set is in these class
    # attributes until a method sets its own: an instance's dictionary
    # holds what differs, which _clone() copies.
    _where = None
    # None: the model's Meta.ordering.
    _order = None
    # Tuples of the _Relation each path follows.
    _select_related = ()
    _prefetch_related = ()
    # A function giving the Gorm.Query to start from: the objects of a
    # relation of one object (see _RelatedManager).
    _base = None
    _offset = 0
    _limit = None
    _result = None
    # none(): every runner answers empty without SQL (see _run()).
    _empty = False
    # The first items of the result of a fetch of objects (see _load()),
    # as they are yielded, and whether they are all its items.
    _loaded = None
    _loaded_all = False

    def _clone(self, **changes):
        # Every attribute comes from self: __init__ would set each twice.
        # What a run kept (_fetch()) is the original's alone.
        clone = _new_queryset(QuerySet)
        attributes = self.__dict__.copy()
        attributes.update(changes)
        if '_result' in attributes:
            del attributes['_result']
            attributes.pop('_loaded', None)
            attributes.pop('_loaded_all', None)
        clone.__dict__ = attributes
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
        order = self._order
        if (self._base is None and self._selects is None and not self._annotations and
                not self._conditions and not self._select_related and
                not self._prefetch_related and not self._empty and order):
            # A plain QuerySet, ordered by names: the Gorm.Query in one call
            # (_gorm_speedups.build_query()) rather than one PyGObject call
            # per builder method, which cost about 10 k instructions each.
            model = self.model
            if all(type(name) is str for name, _ in order):
                _check_model_once(model)
                # None for the database: the default one, found in C.
                query = _build_query(self._database_given, model.__gtype__, self._where, order,
                                     self._offset, self._limit)
                if query is None:
                    _default_database(model.__name__)
                return query
        if self._base is not None:
            query = self._base()
        else:
            # What the override's Database.query() does, with the model's
            # GType, which PyGObject takes faster than the class.
            model = self.model
            database = self._database_given or _default_database(model.__name__)
            _check_model_once(model)
            query = _database_query(database, model.__gtype__)
        if self._selects is not None or self._annotations:
            self._add_expressions(query)
        if self._where is not None:
            query.filter(self._where)
        for condition in self._conditions:
            query.filter(condition)
        if order is None:
            # As in Django, Meta.ordering does not order groups.
            order = _default_order(self.model) if not self._is_grouped() else ()
        if not order and order_by_key:
            order = ((_find_pspec(self.model, 'pk').name, False),)
        for name, descending in order:
            if isinstance(name, str):
                query.order_by(name, descending)
            else:
                query.order_by_expression(name, descending)
        for path in self._select_related:
            query.select_related('.'.join(relation.c_name for relation in path))
        for path in self._prefetch_related:
            query.prefetch_related('.'.join(relation.c_name for relation in path))
        if self._offset:
            query.offset(self._offset)
        if self._limit is not None:
            query.limit(self._limit)
        if self._empty:
            # For a runner that does not know none(): a query of no row.
            query.filter(Gorm.Filter.in_(_find_pspec(self.model, 'pk').name, []))
        return query

    def _run(self, runner, *args):
        if self._empty:
            return _EMPTY_ANSWERS[runner](self.model)
        # The runner of the introspected class, called in a try block: the
        # override's translating wrapper and a context manager would cost
        # more than count() itself spends in Python.
        try:
            return _QUERY_RUNNERS[runner](self._query(), *args)
        except GLib.Error as error:
            _raise_translated(error, self.model)

    def _fetch(self):
        if self._result is None:
            runner = self._fetch_runner()
            if self._empty or runner != 'fetch':
                self._result = self._run(runner)
                if self._row_form is not None and not self._empty:
                    # The rows of values() made in C in one call (see
                    # RowReader): all of them, or the first _ITEMS_CHUNK
                    # of a larger result, as _load() takes objects.
                    n_items = self._result.get_n_items()
                    self._loaded = self._row_keeper().read(
                        self._result, 0, n_items if n_items <= _WHOLE_MAX_ROWS else _ITEMS_CHUNK)
            else:
                try:
                    if self._is_eager():
                        self._result, self._loaded = _collect(_load, self._query(),
                                                              self._object_keeper())
                    else:
                        # fetch(), get_n_items() and dup_items() in one call.
                        self._result, loaded, n_items = _collect(
                            _load_objects, self._query(), _WHOLE_MAX_ROWS, _ITEMS_CHUNK)
                        self._loaded = loaded
                        self._loaded_all = len(loaded) == n_items
                except GLib.Error as error:
                    _raise_translated(error, self.model)
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
        named = self._named_expressions()
        if named:
            return self._clone(_conditions=self._conditions + _conditions_of(condition, self.model,
                                                                             named))
        where = condition.resolve(self.model)
        if where is None:
            return self._clone()
        return self._clone(_where=where if self._where is None else self._where.and_(where))

    def filter(self, *conditions, **lookups):
        """The objects matching every lookup (``title='A'``,
        ``views__gt=10``) and every Q or Gorm.Filter given."""
        if conditions or self._annotations or self._selects is not None:
            return self._narrow(Q(*conditions, **lookups))
        if self._is_sliced():
            raise TypeError('Cannot filter a query once a slice has been taken.')
        # Keyword lookups alone, without expressions to name: the filter
        # Q(**lookups).resolve() makes, without the Q.
        model = self.model
        lookups = sorted(lookups.items())
        where = _compared(model, self._where, lookups)
        if where is not None:
            return self._clone(_where=where)
        for key, value in lookups:
            found = _lookup(model, key, value)
            if found is not None:
                where = found if where is None else where.and_(found)
        if where is None:
            return self._clone()
        return self._clone(_where=where if self._where is None else self._where.and_(where))

    def exclude(self, *conditions, **lookups):
        """The objects not matching all the lookups and conditions."""
        return self._narrow(~Q(*conditions, **lookups))

    def order_by(self, *fields):
        """The objects in the order of ``fields``: ``'-pub_date'`` is
        descending, ``'question__pub_date'`` follows a foreign key; later
        fields break ties. Replaces the previous order, the model's
        ``Meta.ordering`` included: ``order_by()`` without fields drops it."""
        if self._is_sliced():
            raise TypeError('Cannot reorder a query once a slice has been taken.')
        return self._clone(_order=self._expression_order(fields))

    def distinct(self, *fields):
        """Without repeated rows: the rows of ``values()`` and
        ``values_list()`` once each (SELECT DISTINCT). Objects are never
        repeated anyway (a lookup across a relation is an EXISTS subquery,
        not a join). Django's ``distinct(*fields)`` is PostgreSQL's
        DISTINCT ON, which libgorm does not have: TypeError."""
        if fields:
            raise TypeError('distinct() takes no field names: libgorm has no DISTINCT ON')
        return self._clone(_distinct=True)

    def select_related(self, *relations):
        """Loads the objects of these foreign keys (``'question'``, or
        ``'question__author'`` further on) in the same statement, by a
        join: reading ``choice.question`` then runs no SQL. Without names,
        every foreign key of the model."""
        if not relations:
            relations = [name for name, rel in _relations(self.model).items()
                         if rel.kind == _FORWARD and name == rel.name]
        paths = []
        for relation in relations:
            paths.append(_relation_path(self.model, relation, 'select_related', forward_only=True))
        return self._clone(_select_related=self._select_related + tuple(paths))

    def prefetch_related(self, *relations):
        """Loads the objects of these relations (``'choice_set'``,
        ``'tags'``, ``'question'``) for every object fetched, with one more
        statement per relation: ``question.choice_set.all()`` then runs no
        SQL."""
        paths = []
        for relation in relations:
            if isinstance(relation, str) and '__' in relation:
                raise FieldError("prefetch_related('%s'): libgorm prefetches the relations of "
                                 "the model itself, not paths across them" % relation)
            paths.append(_relation_path(self.model, relation, 'prefetch_related'))
        return self._clone(_prefetch_related=self._prefetch_related + tuple(paths))

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
            item = self._result[key]
            return self._keeper()(item) if self._is_eager() else item
        item = self._slice(key, key + 1)._first()
        if item is None:
            raise IndexError('QuerySet index out of range')
        return item

    def __iter__(self):
        result = self._fetch()
        loaded = self._loaded
        if self._loaded_all:
            return iter(loaded)
        if loaded is None:
            return _items(result, self._keeper() if self._is_eager() else None)
        if len(loaded) == len(result):
            return iter(loaded)
        return itertools.chain(loaded, _items(result, self._keeper() if self._is_eager() else None,
                                              len(loaded)))

    def __len__(self):
        result = self._fetch()
        # All the items in Python: their number, without a call for it.
        return len(self._loaded) if self._loaded_all else len(result)

    def _is_eager(self):
        # Rows (values(), annotations) are turned into what is yielded, as
        # eager objects are kept: through _keeper().
        return bool(self._select_related or self._prefetch_related or self._annotations or
                    self._row_form is not None)

    def _keeper(self):
        """The function giving what the QuerySet yields for an item of its
        result: see _row_keeper() and _object_keeper()."""
        if self._row_form is not None or self._annotations:
            return self._row_keeper()
        return self._object_keeper()

    def _object_keeper(self):
        """The function giving back each object this QuerySet yields after
        it took into its instance cache what select_related() and
        prefetch_related() loaded for it: the model's page holds that only
        as long as the QuerySet keeps the model (libgorm's objects refer
        to their related objects weakly), the object as long as it lives."""
        chains = self._select_related + tuple(
            path for path in self._prefetch_related if path[0].kind == _FORWARD)
        lists = tuple(path[0] for path in self._prefetch_related if path[0].kind != _FORWARD)
        if len(chains) == 1 and len(chains[0]) == 1 and not lists:
            # The common case, select_related('author'), kept short.
            c_name, cache_name = chains[0][0].c_name, chains[0][0].cache_name

            # resource.__dict__[cache_name] = the related object if at
            # hand; the resource: in C, no Python frame per object.
            return functools.partial(_keep_related, c_name, cache_name)

        def keep(resource):
            for path in chains:
                current = resource
                for relation in path:
                    related = _resource_peek_related(current, relation.c_name)
                    if related is None:
                        break
                    current.__dict__[relation.cache_name] = related
                    current = related
            for relation in lists:
                objects = _resource_peek_prefetched(resource, relation.c_name)
                if objects is not None:
                    resource.__dict__[relation.cache_name] = list(objects)
            return resource
        return keep

    def _first(self, order_by_key=False):
        """The first object, or None."""
        if self._empty:
            return None
        if not self._is_eager():
            with _gorm_errors(self.model):
                return _collect(self._query(order_by_key=order_by_key).first)
        # libgorm's first() would have the object hold what it loaded with
        # it from C, where a cycle through it (a question holding its
        # prefetched choices, each choice keeping its question) is out of
        # the garbage collector's sight: the page of one row a fetch gives
        # (the same statements) lends it to _keeper() instead.
        query = self._slice(0, 1)._query(order_by_key=order_by_key)
        with _gorm_errors(self.model):
            if self._fetch_runner() == 'fetch':
                found = _collect(_load, query, self._keeper())[1]
                return found[0] if found else None
            found = getattr(query, self._fetch_runner())()
        return self._keeper()(found[0]) if len(found) else None

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
        """How many objects match, without loading them (how many rows, for
        values() and annotations, which count the rows they fetch)."""
        if self._result is not None:
            return len(self._result)
        return self._run('count')

    def exists(self):
        """Whether any object matches."""
        if self._result is not None:
            return len(self._result) > 0
        return self._run('exists')

    def first(self):
        """The first object, in primary key order unless ordered, or None."""
        return self._first(order_by_key=True)

    def get(self, *conditions, **lookups):
        """The one object matching; ``Model.DoesNotExist`` when none does,
        ``Model.MultipleObjectsReturned`` when several do."""
        if (not conditions and len(lookups) == 1 and self._where is None and
                self._base is None and not self._is_sliced() and not self._is_eager() and
                not self._empty):
            (name, value), = lookups.items()
            if name in ('pk', 'pk__exact', self.model._gorm_primary_key,
                        self.model._gorm_primary_key + '__exact'):
                return self._get_by_key(value, lookups)
        selected = self.filter(*conditions, **lookups) if conditions or lookups else self
        # One page of at most two rows; the object found keeps what eager
        # loading loaded with it (see _keeper()).
        return selected._one(list(selected[:2]), lookups)

    def _get_by_key(self, value, lookups):
        """get() of a primary key: one cached primary-key SELECT, without
        building a query."""
        model = self.model
        database = self._database()
        _check_model_once(model)
        try:
            if model._gorm_primary_key == 'id' and type(value) is int and -2 ** 63 <= value < 2 ** 63:
                return _collect(_database_get, database, model, value, None)
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
                return _collect(_database_get, database, model, value, None)
            key = _property_value(model, pspec, value)
            return _collect(Gorm.Database.get_by_key, database, model, key, None)
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

    def create(self, **properties):
        """A new object with ``properties``, saved."""
        return _create(self.model, self._database_given, properties)

    def get_or_create(self, defaults=None, **lookups):
        """``(object, created)``: the object matching ``lookups``, or a new one
        made from the plain lookups and ``defaults``."""
        try:
            return self.get(**lookups), False
        except self.model.DoesNotExist:
            pass
        properties = _creation_properties(self.model, defaults, lookups)
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
        if any(isinstance(value, _Expression) for value in values.values()):
            return self._update_expressions(values)
        names, gvalues = self._assignments(values)
        if self._empty:
            return 0
        with _gorm_errors(self.model):
            return Gorm.Query.update_values(self._query(), names, gvalues, None)

    def _assignments(self, values):
        """The property names and GObject.Values of ``update(**values)``:
        a foreign key (``question=obj``) sets its key property."""
        names, gvalues = [], []
        for name, value in values.items():
            relation = _relations(self.model).get(name)
            if relation is not None and name not in _fields_by_name(self.model):
                if relation.kind != _FORWARD:
                    raise FieldError("Cannot update %s field '%s' (only non-relations and "
                                     "foreign keys permitted)" % (self.model.__name__, name))
                pspec = _find_pspec(self.model, relation.field.key_attribute)
                if value is not None:
                    value = _key_of(relation.target, value, name)
            else:
                pspec = _find_pspec(self.model, name)
            names.append(pspec.name)
            gvalues.append(_property_value(self.model, pspec, value))
        return names, gvalues

    def delete(self):
        """Deletes every matching row, and the rows the database deletes
        with them (``on_delete=Gorm.CASCADE``, many-to-many links), in one
        transaction; returns what Django returns: ``(total, {"app.Model":
        n, ...})`` (see Resource.delete())."""
        return self._delete_counted()

    def watch(self):
        """A live Gio.ListModel of the matching objects: it follows every
        save and delete made through the database."""
        if self._fetch_runner() == 'fetch_rows':
            raise TypeError('watch() gives live objects; the rows of values(), values_list() and '
                            'annotate() are not live: iterate the QuerySet instead')
        return self._run('watch')

    # The rest of Django's QuerySet: last, latest, earliest, in_bulk, none,
    # iterator, update_or_create, bulk_create, bulk_update, and the
    # counting behind delete().

    def none(self):
        """A QuerySet of no object, which runs no SQL: iterating it gives
        nothing, ``count()`` 0, ``exists()`` False, ``first()`` None,
        ``delete()`` ``(0, {})``; it stays empty however it is narrowed."""
        return self._clone(_empty=True)

    def _ordering(self):
        """The (name, descending) pairs the QuerySet orders by: its own, or
        the model's Meta.ordering."""
        return self._order if self._order is not None else _default_order(self.model)

    def reverse(self):
        """The same objects in the reverse order (no change when unordered)."""
        if self._is_sliced():
            raise TypeError('Cannot reverse a query once a slice has been taken.')
        return self._clone(_order=tuple((name, not descending)
                                        for name, descending in self._ordering()))

    def _last_queryset(self):
        if self._is_sliced():
            raise TypeError('Cannot reverse a query once a slice has been taken.')
        order = self._ordering() or ((_find_pspec(self.model, 'pk').name, False),)
        return self._clone(_order=tuple((name, not descending) for name, descending in order))

    def last(self):
        """The last object, in reverse primary key order unless ordered, or
        None."""
        return self._last_queryset()._first()

    async def alast(self):
        """Awaits ``last()``."""
        return await self._last_queryset().afirst()

    def _earliest_queryset(self, fields, latest):
        if self._is_sliced():
            raise TypeError('Cannot change a query once a slice has been taken.')
        if not fields:
            fields = self.model._gorm_meta.get('get_latest_by')
            if fields is None:
                raise ValueError("earliest() and latest() require either fields as positional "
                                 "arguments or 'get_latest_by' in the model's Meta.")
        if latest:
            fields = [field[1:] if field.startswith('-') else '-' + field for field in fields]
        return self.order_by(*fields)

    def _found(self, found):
        if found is None:
            raise self.model.DoesNotExist('%s matching query does not exist.'
                                          % self.model.__name__)
        return found

    def earliest(self, *fields):
        """The first object in the order of ``fields`` (or of the model's
        ``Meta.get_latest_by``); ``Model.DoesNotExist`` when there is none."""
        return self._found(self._earliest_queryset(fields, False)._first())

    def latest(self, *fields):
        """The last object in the order of ``fields`` (or of the model's
        ``Meta.get_latest_by``); ``Model.DoesNotExist`` when there is none."""
        return self._found(self._earliest_queryset(fields, True)._first())

    async def aearliest(self, *fields):
        """Awaits ``earliest()``."""
        return self._found(await self._earliest_queryset(fields, False).afirst())

    async def alatest(self, *fields):
        """Awaits ``latest()``."""
        return self._found(await self._earliest_queryset(fields, True).afirst())

    def _in_bulk_batches(self, id_list, field_name):
        """The attribute in_bulk() keys its dict by, and the QuerySets of
        its batches (one page each, read at once without a count)."""
        if self._is_sliced():
            raise TypeError("Cannot use 'limit' or 'offset' with in_bulk().")
        if not isinstance(field_name, str):
            raise TypeError('in_bulk() takes a field name, not %r' % (field_name,))
        pspec = _find_pspec(self.model, field_name)
        if not _is_unique(self.model, pspec):
            raise ValueError("in_bulk()'s field_name must be a unique field but %r isn't."
                             % field_name)
        attribute = 'pk' if field_name == 'pk' else _attribute(pspec)
        if id_list is None:
            return attribute, [self]
        if isinstance(id_list, (str, bytes)):
            raise TypeError('in_bulk() takes a list of values, not %r' % (id_list,))
        id_list = tuple(id_list)
        batches = []
        for start in range(0, 0 if self._empty else len(id_list), _IN_BULK_BATCH):
            batch = id_list[start:start + _IN_BULK_BATCH]
            batches.append(self.filter(**{field_name + '__in': batch})[:len(batch)])
        return attribute, batches

    def in_bulk(self, id_list=None, *, field_name='pk'):
        """A dict of the objects whose ``field_name`` (the primary key, or a
        unique field) is in ``id_list``, by that value; every object
        when ``id_list`` is None. One SELECT per 100 keys; an empty
        ``id_list`` runs none."""
        attribute, batches = self._in_bulk_batches(id_list, field_name)
        return {getattr(obj, attribute): obj for batch in batches for obj in batch}

    async def ain_bulk(self, id_list=None, *, field_name='pk'):
        """Awaits ``in_bulk()``."""
        attribute, batches = self._in_bulk_batches(id_list, field_name)
        found = {}
        for batch in batches:
            found.update((getattr(obj, attribute), obj) for obj in await batch.alist())
        return found

    @staticmethod
    def _chunk_size(chunk_size):
        if chunk_size is None:
            return 2000
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int):
            raise TypeError('chunk_size is an int, not %r' % (chunk_size,))
        if chunk_size <= 0:
            raise ValueError('Chunk size must be strictly positive.')
        return chunk_size

    def iterator(self, chunk_size=None):
        """The matching objects, read ``chunk_size`` (2000 by default) at a
        time, one SELECT per chunk, without keeping them: an iterator over
        a table of any size holds one chunk. An unordered QuerySet is
        read in primary key order, each chunk after the last key read;
        an ordered one chunk after chunk of its order (the primary key
        breaking ties)."""
        return self._chunks(self._chunk_size(chunk_size))

    def aiterator(self, chunk_size=None):
        """``iterator()`` for ``async for``: each chunk is read on the
        database worker."""
        return self._achunks(self._chunk_size(chunk_size))

    def _chunk_queries(self, chunk_size):
        """A generator of the Gorm.Query of each chunk; it is sent the key
        of the last object of the chunk before, which was full."""
        pspec = _find_pspec(self.model, 'pk')
        key = pspec.name
        order = self._ordering()
        by_key = not order and not self._is_sliced()
        if not any(name == key for name, _ in order):
            order += ((key, False),)
        chunk = self._clone(_order=order)
        start = 0
        while True:
            last = yield chunk._slice(start, start + chunk_size)._query()
            if by_key:
                after = Gorm.Filter.gt(key, _property_value(self.model, pspec, last))
                chunk = self._clone(_order=order, _where=after if self._where is None
                                    else self._where.and_(after))
            else:
                start += chunk_size

    def _chunk_steps(self, chunk_size):
        """What iterator() does, as a generator of steps: a Gorm.Query to
        run, which it is then sent the list of the items of (taken with
        the Gio.ListModel alive, each passed through _chunk_keeper(), by
        _load_all() or _finished_items() through _collect(): each object
        with the wrapper it was built with), or an object to give the
        caller (who keeps or drops it as it goes)."""
        if self._empty:
            return
        queries = self._chunk_queries(chunk_size)
        query = next(queries)
        while True:
            items = yield query
            query = None
            if not items:
                # Nothing more: a step the drivers skip, then the end.
                yield None
                return
            last = items[-1].pk if len(items) == chunk_size else None
            items.reverse()
            while items:
                yield items.pop()
            if last is None:
                return
            query = queries.send(last)

    def _chunk_keeper(self):
        """The ``keep`` each item of a chunk passes through, or None."""
        return self._keeper() if self._is_eager() else None

    def _chunks(self, chunk_size):
        keep = self._chunk_keeper()
        steps = self._chunk_steps(chunk_size)
        for step in steps:
            while isinstance(step, Gorm.Query):
                with _gorm_errors(self.model):
                    step = steps.send(_collect(_load_all, step, keep)[1])
            if step is not None:
                yield step

    async def _achunks(self, chunk_size):
        load = functools.partial(_finished_items, self._chunk_keeper())
        steps = self._chunk_steps(chunk_size)
        for step in steps:
            while isinstance(step, Gorm.Query):
                step = steps.send((await _acall(step, 'fetch', load=load))[1])
            if step is not None:
                yield step

    def update_or_create(self, defaults=None, create_defaults=None, **lookups):
        """``(object, created)``, in one transaction: the object matching
        ``lookups`` with ``defaults`` set and written (those fields alone,
        as ``save(update_fields=...)``), or a new one made from the plain
        lookups and ``create_defaults`` (``defaults`` when not given)."""
        update_defaults = defaults or {}
        if create_defaults is None:
            create_defaults = update_defaults
        with self._database().atomic():
            obj, created = self.get_or_create(create_defaults, **lookups)
            if created:
                return obj, True
            values = _creation_properties(self.model, update_defaults, {})
            for name, value in values.items():
                setattr(obj, name, value)
            fields = list(values) + [_attribute(pspec) for pspec in _stored_pspecs(self.model)
                                     if getattr(_field(self.model, pspec), 'auto_now', False)]
            obj.save(update_fields=fields)
        return obj, False

    def _bulk_objects(self, objs, batch_size, method):
        """``objs`` as a list, each checked to be of the model, after
        Django's check of ``batch_size``."""
        if batch_size is not None and (isinstance(batch_size, bool) or
                                       not isinstance(batch_size, int)):
            raise TypeError('batch_size is an int, not %r' % (batch_size,))
        if batch_size is not None and batch_size <= 0:
            raise ValueError('Batch size must be a positive integer.')
        objs = list(objs)
        for obj in objs:
            if not isinstance(obj, self.model):
                raise TypeMismatchError('%s.objects.%s() takes %s objects, not %r'
                                        % (self.model.__name__, method, self.model.__name__,
                                           obj))
        if objs:
            # Without a database, OperationalError comes first, as before
            # the model is checked.
            self._database()
            _check_model_once(self.model)
        return objs

    def bulk_create(self, objs, batch_size=None):
        """Inserts the unsaved objects ``objs`` of the model with multi-row
        INSERTs within the engine's parameter limit
        (gorm_database_bulk_insert()), at most ``batch_size`` objects a
        statement, in one transaction, and returns them as a list, saved,
        with their ids set. On an error nothing is inserted and the
        objects are left as they were (a rollback gives them back their
        unsaved state)."""
        objs = self._bulk_objects(objs, batch_size, 'bulk_create')
        database = self._database()
        with _gorm_errors(self.model):
            if batch_size is None or len(objs) <= batch_size:
                if objs:
                    database.bulk_insert(objs, None)
                return objs
            with database.atomic():
                for start in range(0, len(objs), batch_size):
                    database.bulk_insert(objs[start:start + batch_size], None)
        return objs

    async def abulk_create(self, objs, batch_size=None):
        """Awaits ``bulk_create()``, run on the database worker (in batches
        of ``batch_size``: on the calling thread, as one transaction)."""
        objs = self._bulk_objects(objs, batch_size, 'bulk_create')
        if batch_size is not None and len(objs) > batch_size:
            return self.bulk_create(objs, batch_size)
        if objs:
            await _acall(self._database(), 'bulk_insert', objs)
        return objs

    def _bulk_update_names(self, objs, fields):
        """The property names of bulk_update()'s ``fields``, after Django's
        checks of them and of ``objs``."""
        if isinstance(fields, str):
            raise TypeError('bulk_update() takes a list of field names, not the str %r'
                            % (fields,))
        fields = list(fields)
        if not fields:
            raise ValueError('Field names must be given to bulk_update().')
        for name in fields:
            relation = _relations(self.model).get(name) if isinstance(name, str) else None
            if relation is not None and relation.kind != _FORWARD:
                raise ValueError('bulk_update() can only be used with concrete fields.')
            if name == 'pk' or name == self.model._gorm_primary_key:
                raise ValueError('bulk_update() cannot be used with primary key fields.')
        names = _update_field_properties(self.model, fields)
        if any(not _resource_is_saved(obj) for obj in objs):
            raise ValueError('All bulk_update() objects must have a primary key set.')
        return names

    def bulk_update(self, objs, fields, batch_size=None):
        """Writes the fields ``fields`` of the saved objects ``objs`` with
        few UPDATE statements (gorm_database_bulk_update()), in one
        transaction; those fields become clean, the other changes stay
        unsaved. Returns how many rows were updated. At most
        ``batch_size`` objects a statement, in one transaction; on an error
        nothing is written and the objects are left as they were (a
        rollback makes their fields changed again)."""
        objs = self._bulk_objects(objs, batch_size, 'bulk_update')
        names = self._bulk_update_names(objs, fields)
        if not objs:
            return 0
        database = self._database()
        with _gorm_errors(self.model):
            if batch_size is None or len(objs) <= batch_size:
                return database.bulk_update(objs, names, None)
            with database.atomic():
                return sum(database.bulk_update(objs[start:start + batch_size], names, None)
                           for start in range(0, len(objs), batch_size))

    async def abulk_update(self, objs, fields, batch_size=None):
        """Awaits ``bulk_update()``, run on the database worker (in batches
        of ``batch_size``: on the calling thread, as one transaction)."""
        objs = self._bulk_objects(objs, batch_size, 'bulk_update')
        names = self._bulk_update_names(objs, fields)
        if not objs:
            return 0
        if batch_size is not None and len(objs) > batch_size:
            return self.bulk_update(objs, fields, batch_size)
        return await _acall(self._database(), 'bulk_update', objs, names)

    def _delete_counted(self):
        model = self.model
        if self._empty:
            return 0, {}
        database = self._database()

        def delete():
            if not _has_dependents(model):
                return self._run('delete')
            # The rows counted are the rows deleted.
            deleted = 0
            keys = collected[0]
            for start in range(0, len(keys), _DELETE_BATCH):
                batch = QuerySet(model, database).filter(pk__in=keys[start:start + _DELETE_BATCH])
                deleted += batch._run('delete')
            return deleted
        collected = []

        def keys():
            collected.append(_keys_of(self))
            return collected[0]
        return _delete_counted(database, model, keys, delete)


# The runners _run() calls, unwrapped (see _run()).
_QUERY_RUNNERS = {runner: getattr(Gorm.Query, runner)
                  for runner in ('fetch', 'fetch_rows', 'count', 'exists', 'watch', 'delete')}

# none()'s answers, by runner.
_EMPTY_ANSWERS = {
    'fetch': lambda model: [],
    'fetch_rows': lambda model: [],
    'count': lambda model: 0,
    'exists': lambda model: False,
    'first': lambda model: None,
    'delete': lambda model: 0,
    'watch': lambda model: Gio.ListStore.new(model),
}

# Keys per SELECT of in_bulk(): as many rows as the smallest page libgorm
# reads at once (SQLite's), so that each batch is one statement.
_IN_BULK_BATCH = 100


def _is_unique(model, pspec):
    """Whether ``pspec`` is the primary key or a unique field of ``model``."""
    if pspec.name == _find_pspec(model, 'pk').name:
        return True
    field = _field(model, pspec)
    if field is not None and field.unique:
        return True
    return any(len(group) == 1 and _fields_by_name(model).get(group[0], (None,))[0] == pspec
               for group in model._gorm_meta.get('unique_together', ()))


def _creation_properties(model, defaults, lookups):
    """The properties of the object get_or_create() makes: the plain
    ``lookups`` and ``defaults`` (whose callables are called), as
    Django's; FieldError names what is not a field or foreign key."""
    properties = {key: value for key, value in lookups.items() if '__' not in key}
    properties.update(defaults or {})
    invalid = sorted(name for name in properties
                     if name != 'pk' and name not in _fields_by_name(model) and
                     getattr(_relations(model).get(name), 'kind', None) != _FORWARD)
    if invalid:
        raise FieldError("Invalid field name(s) for model %s: '%s'."
                         % (model.__name__, "', '".join(invalid)))
    if 'pk' in properties:
        properties[model._gorm_primary_key] = properties.pop('pk')
    return {name: value() if callable(value) else value for name, value in properties.items()}


def _new_object(model, database, properties):
    """A new object of ``model`` with ``properties``, in ``database`` (None:
    the default one)."""
    if database is not None:
        properties.setdefault('database', database)
    return model(**properties)


def _create(model, database, properties):
    """``create(**properties)`` of a manager or a QuerySet: a new object of
    ``model`` in ``database`` (None: the default one), saved."""
    resource = _new_object(model, database, properties)
    resource.save()
    return resource


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

    def create(self, **properties):
        """A new object with ``properties``, saved: ``QuerySet.create()``
        of get_queryset(), without building the QuerySet when it is the
        model's own."""
        if type(self).get_queryset is not Manager.get_queryset:
            return self.get_queryset().create(**properties)
        return _create(self.model, None, properties)

    def __iter__(self):
        raise TypeError("'Manager' object is not iterable: use %s.objects.all()"
                        % self.model.__name__)


def _manager_delegate(name, attribute):
    """What Manager answers for the QuerySet attribute ``name``: that of
    get_queryset(), as Manager.__getattr__ gives it."""
    if isinstance(attribute, property):
        return property(lambda self: getattr(self.get_queryset(), name), doc=attribute.__doc__)

    def delegate(self, *args, **kwargs):
        return getattr(self.get_queryset(), name)(*args, **kwargs)
    delegate.__name__ = delegate.__qualname__ = name
    delegate.__doc__ = attribute.__doc__
    return delegate


# The public QuerySet methods, on Manager itself: reached through
# __getattr__, each call of Model.objects.filter() (get(), count(), ...)
# first failed the ordinary lookup, which raised an AttributeError (its
# message formatted) for __getattr__ to catch. Those of Manager and its
# subclasses (create(), all(), a related manager's add()) stay theirs; a
# name only __getattr__ knows (a QuerySet subclass's own method) still
# goes through it.
for _name in dir(QuerySet):
    if not _name.startswith('_') and not hasattr(Manager, _name):
        setattr(Manager, _name, _manager_delegate(_name, getattr(QuerySet, _name)))
del _name


__all__ += ['QuerySet', 'Manager', 'RawQuerySet', 'Cursor']


# Relations

# on_delete actions, as Django names them: Gorm.CASCADE is
# Gorm.OnDelete.CASCADE.
CASCADE = Gorm.OnDelete.CASCADE
PROTECT = Gorm.OnDelete.PROTECT
RESTRICT = Gorm.OnDelete.RESTRICT
SET_NULL = Gorm.OnDelete.SET_NULL
SET_DEFAULT = Gorm.OnDelete.SET_DEFAULT
DO_NOTHING = Gorm.OnDelete.DO_NOTHING

_FORWARD, _REVERSE, _MANY_TO_MANY = 'forward', 'reverse', 'many-to-many'


def _snake(name):
    """A class name in snake case, as libgorm makes table and relation
    names (gorm_schema_snake_case()): ``BlogPost`` → ``blog_post``,
    ``HTTPServer`` → ``http_server``."""
    out = []
    for i, char in enumerate(name):
        if char.isascii() and char.isupper():
            after_lower = i > 0 and (name[i - 1].islower() or name[i - 1].isdigit())
            ends_acronym = (i > 0 and name[i - 1].isupper() and i + 1 < len(name) and
                            name[i + 1].islower())
            if (after_lower or ends_acronym) and out and out[-1] != '_':
                out.append('_')
            out.append(char.lower())
        elif char.isascii() and char.isalnum():
            out.append(char)
        elif out and out[-1] != '_':
            out.append('_')
    return ''.join(out).strip('_')


class _Relation:
    """One relation seen from one model: ``name`` in Python and in lookups,
    ``c_name`` in libgorm (gorm_resource_query_related() and the others),
    ``target`` the model on the other side, ``field`` the ForeignKey or
    ManyToManyField declaring it."""

    def __init__(self, name, c_name, kind, source, target, field, single=False):
        self.name = name
        self.c_name = c_name
        self.kind = kind
        self.source = source
        self.target = target
        self.field = field
        self.single = single
        # Where an object keeps what it loaded of the relation, in its
        # instance dictionary (see _prefetched() and ForeignKey).
        self.cache_name = ('_gorm_related_' if kind == _FORWARD else '_gorm_prefetched_') + name


def _relations(model):
    """The relations of ``model`` by every name a lookup may give them
    (``choice_set`` and ``choice`` for a default reverse name)."""
    merged = {}
    for cls in reversed(model.__mro__):
        merged.update(vars(cls).get('_gorm_own_relations', {}))
    return merged


def _check_free(model, names, field):
    """TypeError when one of ``names`` is already a field, relation or
    attribute of ``model``: the relation ``field`` would hide it."""
    own = vars(model).get('_gorm_own_relations', {})
    for name in names:
        if name in own or name in _fields_by_name(model) or any(
                name in vars(cls) for cls in model.__mro__):
            raise TypeError("%s.%s, the reverse of %s, clashes with a field or relation of the "
                            "same name: give %s another related_name"
                            % (model.__name__, name, field, field))


def _add_relation(model, relation, *names):
    global _relations_version
    _relations_version += 1
    own = vars(model).get('_gorm_own_relations')
    if own is None:
        own = {}
        model._gorm_own_relations = own
    for name in names:
        own[name] = relation


# Models by class name (and module.Class), for the relations naming their
# target with a string; the relations waiting for a model not declared yet.
_MODELS = {}
_PENDING = {}


def _declared(model):
    """Records a new concrete model and resolves the relations waiting for it."""
    names = (model.__name__, '%s.%s' % (model.__module__, model.__name__))
    for name in names:
        _MODELS[name] = model
    _MODELS_BY_GTYPE_NAME[model.__gtype__.name] = model
    for name in names:
        for field in _PENDING.pop(name, ()):
            if field.target is None:
                field.resolve(model)


def _check_resolved(model):
    """Raises a clear error for a relation of ``model`` whose target was
    named by a string no model has declared."""
    for field in vars(model).get('_gorm_relation_fields', ()):
        if field.target is None:
            raise FieldError("%s.%s refers to '%s', which no Gorm.Resource model declares"
                             % (model.__name__, field.name, field.to))


def _key_of(model, value, lookup):
    """The primary key to compare, for ``lookup`` on a relation to
    ``model``: of an object (which must be saved and of ``model``), or
    a key itself."""
    if isinstance(value, Gorm.Resource):
        if not isinstance(value, model):
            raise TypeMismatchError('%s=%r: expected a %s, not a %s'
                                    % (lookup, value, model.__name__, type(value).__name__))
        if not _resource_is_saved(value):
            raise ValidationError('%s=%r: the %s is not saved, so it has no key to compare'
                                  % (lookup, value, model.__name__))
        return value.pk
    return value


def _walk(model, parts):
    """Follows the field names ``parts`` of a lookup from ``model``:
    ``(model, pspec, name, related)``, the model and property the path
    ends on, its name for a Gorm.Filter (``question.question_text``), and
    the model whose objects the value may be when it ends on a relation
    (compared by key), else None. FieldError names what does not exist."""
    prefix = []
    current = model
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        relation = _relations(current).get(part) if part not in _fields_by_name(current) else None
        if relation is not None:
            if relation.kind == _FORWARD and (last or (
                    i + 2 == len(parts) and
                    parts[i + 1] in ('pk', 'id', relation.target._gorm_primary_key))):
                # The key column holds what the relation compares:
                # "question", "question__id" are "question_id", no join.
                pspec = _find_pspec(current, relation.field.key_attribute)
                return current, pspec, '.'.join(prefix + [pspec.name]), relation.target
            prefix.append(relation.c_name)
            current = relation.target
            if last:
                # A reverse or many-to-many relation compares the keys of
                # the objects on the other side.
                pspec = _find_pspec(current, 'pk')
                return current, pspec, '.'.join(prefix + [pspec.name]), current
            continue
        if i == 0 or part in ('pk', 'id') or part in _fields_by_name(current):
            pspec = _find_pspec_or_relation(current, part)
            if not last:
                raise FieldError("Unsupported lookup '%s' for %s.%s; use one of %s"
                                 % ('__'.join(parts[i + 1:]), current.__name__, part,
                                    ', '.join(sorted(_LOOKUPS))))
            return current, pspec, '.'.join(prefix + [pspec.name]), None
        raise FieldError("%s has no field or relation '%s' (in the lookup '%s'); its relations "
                         "are %s" % (current.__name__, part, '__'.join(parts),
                                     ', '.join(sorted(_relations(current))) or 'none'))
    raise FieldError('An empty lookup on %s' % model.__name__)


def _walk_owner(model, parts):
    """The model holding the last relation of the lookup path ``parts``."""
    current = model
    for part in parts[:-1]:
        current = _relations(current)[part].target
    return current


def _find_pspec_or_relation(model, name):
    """_find_pspec(), whose FieldError also lists the relations."""
    try:
        return _find_pspec(model, name)
    except FieldError as error:
        relations = sorted(_relations(model))
        if relations:
            raise FieldError('%s; its relations are %s' % (error.message, ', '.join(relations))) \
                from None
        raise


def _order_terms(model, fields):
    """The (name, descending) pairs of ``order_by(*fields)``: a field, or a
    path along foreign keys (``question__pub_date``); a relation orders by
    its key."""
    terms = []
    for field in fields:
        if not isinstance(field, str):
            raise TypeError('order_by() takes field names, not %r' % (field,))
        descending = field.startswith('-')
        parts = field.lstrip('-').split('__')
        prefix = []
        current = model
        for part in parts[:-1]:
            relation = _relations(current).get(part)
            if relation is None or relation.kind != _FORWARD:
                raise FieldError("Cannot order %s by '%s': '%s' is not a foreign key of %s "
                                 "(ordering follows foreign keys only)"
                                 % (model.__name__, field, part, current.__name__))
            prefix.append(relation.c_name)
            current = relation.target
        _, pspec, name, related = _walk(current, parts[-1:])
        if related is not None and '.' in name:
            raise FieldError("Cannot order %s by '%s': '%s' is not a foreign key of %s "
                             "(ordering follows foreign keys only)"
                             % (model.__name__, field, parts[-1], current.__name__))
        terms.append(('.'.join(prefix + [name]), descending))
    return tuple(terms)


def _cached_order_terms(model, fields):
    """_order_terms() of ``fields``, names only, resolved once per model
    and fields: what a name orders by depends on the model alone."""
    cache = model.__dict__.get('_gorm_order_terms')
    if cache is None:
        cache = {}
        setattr(model, '_gorm_order_terms', cache)
    terms = cache.get(fields)
    if terms is None:
        terms = cache[fields] = _order_terms(model, fields)
    return terms


def _default_order(model):
    """The (name, descending) pairs of the model's Meta.ordering, computed
    once per model."""
    cached = model.__dict__.get('_gorm_default_order')
    if cached is None:
        cached = model._gorm_default_order = _order_terms(model, model._gorm_ordering)
    return cached


def _relation_path(model, path, method, forward_only=False):
    """The relations (a tuple of _Relation) a ``question__author``
    argument of select_related() or prefetch_related() follows."""
    if not isinstance(path, str):
        raise TypeError('%s() takes relation names, not %r' % (method, path))
    relations = []
    current = model
    for part in path.split('__'):
        relation = _relations(current).get(part)
        if relation is None or (forward_only and relation.kind != _FORWARD):
            kinds = 'foreign key' if forward_only else 'relation'
            raise FieldError("%s('%s'): %s has no %s '%s'; its %ss are %s"
                             % (method, path, current.__name__, kinds, part, kinds,
                                ', '.join(sorted(name for name, r in _relations(current).items()
                                                 if not forward_only or r.kind == _FORWARD))
                                or 'none'))
        relations.append(relation)
        current = relation.target
    return tuple(relations)


def _interpolate(related_name, snake):
    """``related_name`` with ``%(class)s`` and ``%(model_name)s`` replaced
    by ``snake``; '' when it is not a string or not a valid pattern."""
    if not isinstance(related_name, str):
        return ''
    try:
        return related_name % {'class': snake, 'model_name': snake}
    except (ValueError, TypeError, KeyError):
        return ''


class _RelationField:
    """What ForeignKey and ManyToManyField share: the target, named by a
    class or a string resolved when that model is declared."""

    def __init__(self, to, related_name):
        if not (isinstance(to, str) or
                (isinstance(to, type) and issubclass(to, Gorm.Resource))):
            raise TypeError('%s() takes a Gorm.Resource model, its name or "self", not %r'
                            % (type(self).__name__, to))
        # '%(class)s' (or '%(model_name)s') stands for each model's name in
        # snake case, for a relation declared on an abstract base.
        if related_name is not None and not _interpolate(related_name, 'model').isidentifier():
            raise TypeError('related_name is a Python identifier, not %r' % (related_name,))
        self.to = to
        self.related_name = related_name
        self.model = None
        self.name = None
        self.target = None

    def __repr__(self):
        if self.model is None:
            return '<%s to %r>' % (type(self).__name__, self.to)
        return '%s.%s' % (self.model.__name__, self.name)

    def contribute(self, model, name):
        """Called once ``model``'s class exists, for its attribute ``name``."""
        self.model = model
        self.name = name
        # A foreign key's object in the instance cache (see _prefetched()).
        self.cache_name = '_gorm_related_' + name
        if '_gorm_relation_fields' not in vars(model):
            model._gorm_relation_fields = []
        model._gorm_relation_fields.append(self)
        to = self.to
        if to == 'self':
            to = model
        elif isinstance(to, str):
            to = _MODELS.get(to)
        if to is None:
            _PENDING.setdefault(self.to, []).append(self)
        else:
            self.resolve(to)

    def resolve(self, target):
        if getattr(target, '_gorm_abstract', False):
            raise TypeError('%s refers to %s, an abstract model, which has no table'
                            % (self, target.__name__))
        self.target = target
        self.declare(target)

    def _reverse_names(self, single=False):
        """The reverse relation's name and its name in lookups."""
        snake = _snake(self.model.__name__)
        if self.related_name is not None:
            name = _interpolate(self.related_name, snake)
            return name, name
        return (snake if single else snake + '_set'), snake


class ForeignKey(_gorm_speedups.ForeignKeyBase, _RelationField):
    """A many-to-one relation, as Django's ``models.ForeignKey``::

        class Choice(Gorm.Resource):
            question = Gorm.ForeignKey(Question, on_delete=Gorm.CASCADE)

    ``choice.question`` is the Question (loaded on first access through
    the identity map, then kept by the choice until ``question_id``
    changes), ``choice.question_id`` its key: the property and column
    ``question_id``. ``question.choice_set`` (or ``related_name``) is the
    manager of its choices. ``to`` is a model, its class name as a string
    (a model declared later) or ``'self'``. ``on_delete`` is one of
    Gorm.CASCADE, PROTECT, RESTRICT, SET_NULL (needs ``null=True``),
    SET_DEFAULT and DO_NOTHING, enforced by the database's foreign key.
    ``default`` is the key of the default object (for SET_DEFAULT). The
    key column is always indexed. ``renamed_from`` is the name the field
    had before (``poll`` for a key column ``poll_id``): the migration
    renames the key column, keeping its data (see Gorm.Field).
    """

    def __init__(self, to, on_delete, *, null=False, related_name=None, db_index=True,
                 default=None, unique=False, renamed_from=None):
        super().__init__(to, related_name)
        if renamed_from is not None and (not isinstance(renamed_from, str) or
                                         not renamed_from.isidentifier()):
            raise TypeError('renamed_from is the name the field had before, a Python '
                            'identifier, not %r' % (renamed_from,))
        self.renamed_from = renamed_from
        if not isinstance(on_delete, Gorm.OnDelete):
            raise TypeError('on_delete is one of Gorm.CASCADE, PROTECT, RESTRICT, SET_NULL, '
                            'SET_DEFAULT or DO_NOTHING, not %r' % (on_delete,))
        if db_index is not True:
            raise TypeError('db_index=%r: libgorm always indexes a foreign key column'
                            % (db_index,))
        self.on_delete = on_delete
        self.null = null
        self.unique = unique
        self.default = default
        self.key_attribute = None

    def key_field(self, name):
        """The Gorm.Field of the key property ``<name>_id``, made when the
        model is declared: an int (the automatic key of the target), or
        the type of the target's own primary key when the target is given
        as a class."""
        self.key_attribute = name + '_id'
        key_type = int
        to = self.to
        if isinstance(to, type) and to._gorm_primary_key != 'id':
            key_type = _key_type(to)
        return Field(key_type, null=self.null, unique=self.unique, default=self.default,
                     renamed_from=(None if self.renamed_from is None
                                   else self.renamed_from + '_id'))

    def declare(self, target):
        key = self.model.find_property(self.key_attribute)
        if _kind_for(_key_type(target)).gtype != vars(self.model)[self.key_attribute].kind.gtype:
            raise TypeError('%s refers to %s by a name given before %s was declared, but '
                            '%s has a primary key of its own: give the class itself'
                            % (self, target.__name__, target.__name__, target.__name__))
        name, query_name = self._reverse_names(single=self.unique)
        _check_free(target, {name, query_name}, self)
        # The primary key of an object of the target, the key it was
        # loaded for: an automatic id, or a field.
        if isinstance(getattr(target, target._gorm_primary_key, None), Field):
            self.target_key = operator.attrgetter(target._gorm_primary_key)
        else:
            self.target_key = _resource_get_id
        with _gorm_errors():
            self.model.set_foreign_key(key.name, target, self.on_delete)
            if self.related_name is not None:
                self.model.set_related_name(key.name, name)
        forward = _Relation(self.name, self.name, _FORWARD, self.model, target, self)
        _add_relation(self.model, forward, self.name)
        reverse = _Relation(name, name, _REVERSE, target, self.model, self, single=self.unique)
        _add_relation(target, reverse, *{name, query_name})
        setattr(target, name, _ReverseDescriptor(reverse))

    # __get__ is ForeignKeyBase's, in C: Model.key is the ForeignKey; on an
    # object, None when its key attribute is None, else the object kept in
    # its __dict__ under cache_name while that object's primary key
    # (target_key()) is the key (loaded for another key, it is replaced),
    # else what _load() gives.

    def _load(self, instance, key):
        """The object ``instance`` refers to by ``key`` (not None) when
        none is kept for it: the one libgorm has at hand, or loaded;
        kept in ``instance.__dict__``."""
        related = _resource_peek_related(instance, self.name)
        if related is None:
            _check_model_once(self.target)
            try:
                # Through _collect(): the object loaded comes with the
                # wrapper it was built with.
                related = _collect(_resource_get_related, instance, self.name, None)
            except GLib.Error as error:
                _raise_translated(error, self.target)
            if related is None:
                return None
        instance.__dict__[self.cache_name] = related
        return related

    # __set__ is ForeignKeyBase's, in C: a saved object of the target, or
    # None for a nullable key, is set by gorm_resource_set_related() and
    # kept in the instance's __dict__ without a Python frame; any other
    # value, and what libgorm refuses, comes to _assign().

    def _assign(self, instance, value):
        """Makes ``instance`` refer to ``value``, or raises why it cannot."""
        if value is not None and not isinstance(value, Gorm.Resource):
            raise TypeMismatchError('%s: expected a %s or None, not %r (set %s to give a key)'
                                    % (self, self.target.__name__ if self.target else self.to,
                                       value, self.key_attribute))
        if value is None:
            if not self.null:
                raise ValidationError('%s cannot be None: declare the ForeignKey with null=True'
                                      % self)
            vars(self.model)[self.key_attribute].set_null(instance)
            instance.__dict__.pop(self.cache_name, None)
            return
        try:
            _resource_set_related(instance, self.name, value)
        except GLib.Error as error:
            _raise_translated(error)
        instance.__dict__[self.cache_name] = value


# The C methods the relations call, bound once: a model's own attribute
# (a field named `link`) must not hide them.
_resource_get_related = Gorm.Resource.get_related
_resource_peek_related = Gorm.Resource.peek_related
_resource_set_related = Gorm.Resource.set_related
_resource_query_related = Gorm.Resource.query_related
_resource_peek_prefetched = Gorm.Resource.peek_prefetched
_resource_link = Gorm.Resource.link
_resource_unlink = Gorm.Resource.unlink
_resource_clear_links = Gorm.Resource.clear_links
_resource_is_saved = Gorm.Resource.is_saved
_resource_get_id = _gorm_speedups.get_id


# What an object keeps of its relations, in its instance dictionary:
# under ``_gorm_related_<name>``, the object of a foreign key, used while
# its primary key (the key it was loaded for) is the value of the key
# property: a changed key leaves it unused, and the object loaded for the
# new key replaces it; under ``_gorm_prefetched_<name>``, the list of the
# objects prefetch_related() loaded for a reverse or many-to-many
# relation, or None once a change through the relation's manager made it
# stale. libgorm's objects refer to their related objects weakly, as C
# could not free the cycles strong references make; Python's garbage
# collector frees these (a choice keeping its question, the question the
# list of its choices) once C holds none of the objects (PyGObject's
# toggle references).

def _prefetched(instance, relation):
    """The objects of ``relation`` that prefetch_related() loaded for
    ``instance`` (a list, or the Gio.ListModel libgorm gives while the
    page that loaded them lives), or None: not prefetched, or stale."""
    kept = instance.__dict__.get(relation.cache_name, _NOT_KEPT)
    if kept is not _NOT_KEPT:
        return kept
    return _resource_peek_prefetched(instance, relation.c_name)


def _forget_prefetched(instance, relation):
    """Marks the prefetched objects of ``relation`` stale (a change through
    its manager): the relation is read from the database again."""
    instance.__dict__[relation.cache_name] = None


_NOT_KEPT = object()


def _key_type(model):
    """The Python (or GObject) type of the primary key of ``model``."""
    field = getattr(model, model._gorm_primary_key, None)
    if isinstance(field, Field):
        for python_type, kind in _KINDS.items():
            if kind is field.kind:
                return python_type
        return field.kind.gtype
    return int


class OneToOneField(ForeignKey):
    """A foreign key whose value is unique, as Django's
    ``models.OneToOneField``: ``profile.user`` is the User, and
    ``user.profile`` (or ``related_name``) the one Profile, or
    ``Profile.DoesNotExist``."""

    def __init__(self, to, on_delete, *, null=False, related_name=None, db_index=True,
                 default=None, renamed_from=None):
        super().__init__(to, on_delete, null=null, related_name=related_name,
                         db_index=db_index, default=default, unique=True,
                         renamed_from=renamed_from)


class ManyToManyField(_RelationField):
    """A many-to-many relation, as Django's ``models.ManyToManyField``::

        class Post(Gorm.Resource):
            tags = Gorm.ManyToManyField(Tag)

    stored in a link table ``<table>_tags``, created by the migration of
    either model. ``post.tags`` and ``tag.post_set`` (or ``related_name``)
    are managers with ``add``, ``remove``, ``clear``, ``set`` and
    ``create`` besides the QuerySet methods.
    """

    def __init__(self, to, related_name=None):
        super().__init__(to, related_name)

    def declare(self, target):
        name, query_name = self._reverse_names()
        _check_free(target, {name, query_name}, self)
        with _gorm_errors():
            self.model.add_many_to_many(self.name, target)
            if self.related_name is not None:
                self.model.set_related_name(self.name, name)
        forward = _Relation(self.name, self.name, _MANY_TO_MANY, self.model, target, self)
        _add_relation(self.model, forward, self.name)
        reverse = _Relation(name, name, _MANY_TO_MANY, target, self.model, self)
        _add_relation(target, reverse, *{name, query_name})
        setattr(target, name, _ReverseDescriptor(reverse))

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return _ManyToManyManager(instance, _relations(type(instance))[self.name])

    def __set__(self, instance, value):
        raise TypeError('Direct assignment to the forward side of a many-to-many set is '
                        'prohibited. Use %s.set() instead.' % self.name)


class _ReverseDescriptor:
    """``question.choice_set``, ``tag.post_set``, ``user.profile``: the
    other side of a relation, on the target model."""

    def __init__(self, relation):
        self.relation = relation

    def __get__(self, instance, owner):
        if instance is None:
            return self
        relation = self.relation
        if relation.kind == _MANY_TO_MANY:
            return _ManyToManyManager(instance, relation)
        if relation.single:
            return _reverse_one(instance, relation)
        if relation.field.null:
            return _NullableReverseManager(instance, relation)
        return _ReverseManager(instance, relation)

    def __set__(self, instance, value):
        relation = self.relation
        if relation.single:
            raise AttributeError('%s.%s is read-only: set %s.%s instead'
                                 % (type(instance).__name__, relation.name,
                                    relation.target.__name__, relation.field.name))
        raise TypeError('Direct assignment to the reverse side of a related set is '
                        'prohibited. Use %s.set() or add() instead.' % relation.name)


def _query_related(instance, relation):
    """The Gorm.Query of the objects on the other side of ``relation``."""
    _check_model_once(relation.target)
    with _gorm_errors(relation.target):
        return _resource_query_related(instance, relation.c_name)


def _reverse_one(instance, relation):
    """``user.profile``: the object whose one-to-one key is ``instance``'s."""
    found = None
    if _resource_is_saved(instance):
        cached = _prefetched(instance, relation)
        if cached is not None:
            found = cached[0] if len(cached) else None
        else:
            query = _query_related(instance, relation)
            with _gorm_errors(relation.target):
                found = query.first()
    if found is None:
        raise relation.target.DoesNotExist('%s has no %s' % (instance, relation.name))
    return found


class _RelatedManager(Manager):
    """The manager of the objects on the other side of a relation of one
    object: a QuerySet's methods, plus the ones changing the relation."""

    def __init__(self, instance, relation):
        super().__init__(relation.target)
        self.instance = instance
        self.relation = relation

    def __repr__(self):
        return '<%s of %r>' % (self.relation.name, self.instance)

    def __iter__(self):
        raise TypeError("'%s' is a manager, not iterable: use %s.%s.all()"
                        % (self.relation.name, _snake(type(self.instance).__name__),
                           self.relation.name))

    def _check_saved(self):
        if not _resource_is_saved(self.instance):
            raise ValidationError('%r needs to be saved before its relation %s can be used'
                                  % (self.instance, self.relation.name))

    def _database(self):
        return self.instance._database()

    def _queryset(self):
        """The objects of the relation, from the database."""
        self._check_saved()
        queryset = QuerySet(self.model, self.instance.get_database())
        queryset._base = functools.partial(_query_related, self.instance, self.relation)
        return queryset

    def get_queryset(self):
        """The objects of the relation: from the cache that
        prefetch_related() filled, else from the database."""
        queryset = self._queryset()
        cached = _prefetched(self.instance, self.relation)
        if cached is not None:
            queryset._result = _in_default_order(self.model, cached)
        return queryset

    def all(self):
        """The objects of the relation, as a QuerySet (served from the
        prefetch_related() cache when there is one)."""
        return self.get_queryset()

    def _object(self, value):
        """An object of the target model: ``value`` itself, or the one whose
        primary key ``value`` is."""
        if isinstance(value, self.model):
            return value
        if isinstance(value, Gorm.Resource):
            raise TypeMismatchError('%s takes %s objects, not %r'
                                    % (self.relation.name, self.model.__name__, value))
        return QuerySet(self.model, self.instance.get_database()).get(pk=value)

    def _atomic(self):
        return self._database().atomic()

    def get_or_create(self, defaults=None, **lookups):
        """``(object, created)``: the object of the relation matching
        ``lookups``, or a new one of the relation (see ``create()``) made
        from the plain lookups and ``defaults``."""
        try:
            return self.get(**lookups), False
        except self.model.DoesNotExist:
            pass
        return self.create(**_creation_properties(self.model, defaults, lookups)), True

    def update_or_create(self, defaults=None, create_defaults=None, **lookups):
        """QuerySet.update_or_create() among the objects of the relation,
        creating through it (see ``get_or_create()``)."""
        return QuerySet.update_or_create(self, defaults, create_defaults, **lookups)


def _in_default_order(model, items):
    """The prefetched objects ``items`` (in key order) in the model's
    Meta.ordering, or None when the database must order them."""
    ordering = model._gorm_ordering
    if not ordering:
        return items
    objects = list(items)
    for field in reversed(ordering):
        name = field.lstrip('-')
        if '__' in name:
            # An order along a relation is the database's to compute.
            return None
        if name == 'pk':
            name = model._gorm_primary_key
        # NULLs first ascending, as both engines order them.
        objects.sort(key=lambda obj: (getattr(obj, name) is not None, getattr(obj, name)),
                     reverse=field.startswith('-'))
    return objects


class _ReverseManager(_RelatedManager):
    """``question.choice_set``: the objects whose foreign key is this object."""

    def _set_key(self, obj, value):
        setattr(obj, self.relation.field.name, value)

    def create(self, **properties):
        """A new object of the relation, saved."""
        self._check_saved()
        _forget_prefetched(self.instance, self.relation)
        properties[self.relation.field.name] = self.instance
        return QuerySet(self.model, self.instance.get_database()).create(**properties)

    def add(self, *objs):
        """Points the foreign key of each of ``objs`` at this object and
        saves them (unsaved ones are inserted), in one transaction."""
        self._check_saved()
        objs = [self._object(obj) for obj in objs]
        _forget_prefetched(self.instance, self.relation)
        with self._atomic():
            for obj in objs:
                self._set_key(obj, self.instance)
                obj.save()

    def __getattr__(self, name):
        if name in ('remove', 'clear'):
            raise AttributeError("'%s' has no %s(): %s is not null=True, so a %s cannot leave "
                                 "its %s" % (self.relation.name, name, self.relation.field,
                                             self.model.__name__,
                                             self.relation.source.__name__))
        return super().__getattr__(name)


class _NullableReverseManager(_ReverseManager):
    """The manager of a nullable foreign key's reverse side, which can also
    remove objects from the relation (setting their key to None)."""

    def remove(self, *objs):
        """Sets the foreign key of each of ``objs`` to None and saves them;
        ``Model.DoesNotExist`` for one that is not in the relation."""
        self._check_saved()
        objs = [self._object(obj) for obj in objs]
        key = self.relation.field.key_attribute
        for obj in objs:
            if getattr(obj, key) != self.instance.pk:
                raise self.model.DoesNotExist('%r is not related to %r' % (obj, self.instance))
        _forget_prefetched(self.instance, self.relation)
        with self._atomic():
            for obj in objs:
                self._set_key(obj, None)
                obj.save()

    def clear(self):
        """Sets the foreign key of every object of the relation to None, with
        one UPDATE (loaded objects follow)."""
        _forget_prefetched(self.instance, self.relation)
        self._queryset().update(**{self.relation.field.key_attribute: None})


class _ManyToManyManager(_RelatedManager):
    """``post.tags`` and ``tag.post_set``: the objects linked to this one."""

    def add(self, *objs):
        """Links ``objs`` (objects or primary keys); linking twice is no error."""
        self._check_saved()
        objs = [self._object(obj) for obj in objs]
        _forget_prefetched(self.instance, self.relation)
        with self._atomic():
            for obj in objs:
                with _gorm_errors():
                    _resource_link(self.instance, self.relation.c_name, obj, None)

    def remove(self, *objs):
        """Unlinks ``objs``; unlinking what is not linked is no error."""
        self._check_saved()
        objs = [self._object(obj) for obj in objs]
        _forget_prefetched(self.instance, self.relation)
        with self._atomic():
            for obj in objs:
                with _gorm_errors():
                    _resource_unlink(self.instance, self.relation.c_name, obj, None)

    def clear(self):
        """Unlinks every object of the relation."""
        self._check_saved()
        _forget_prefetched(self.instance, self.relation)
        _check_model_once(self.model)
        with _gorm_errors():
            _resource_clear_links(self.instance, self.relation.c_name, None)

    def set(self, objs, *, clear=False):
        """Makes ``objs`` the linked objects: unlinks the others and links
        the new ones (``clear=True``: unlinks all first), in one
        transaction."""
        self._check_saved()
        wanted = [self._object(obj) for obj in objs]
        with self._atomic():
            if clear:
                self.clear()
                self.add(*wanted)
                return
            current = {obj.pk: obj for obj in self._queryset().order_by()}
            wanted_keys = {obj.pk for obj in wanted}
            self.remove(*[obj for key, obj in current.items() if key not in wanted_keys])
            self.add(*[obj for obj in wanted if obj.pk not in current])

    def create(self, **properties):
        """A new object of the target model, saved and linked."""
        self._check_saved()
        _forget_prefetched(self.instance, self.relation)
        with self._atomic():
            obj = QuerySet(self.model, self.instance.get_database()).create(**properties)
            self.add(obj)
        return obj


def _prepare_relations(namespace):
    """Adds to a model's ``namespace`` the key Field of each of its foreign
    keys (``question_id`` for ``question``), before PyGObject makes its
    properties."""
    for name, value in list(namespace.items()):
        if isinstance(value, ForeignKey):
            if name + '_id' in namespace:
                raise TypeError("%s and %s_id: a ForeignKey named %s keeps its key in %s_id, "
                                "which the model declares too" % (name, name, name, name))
            namespace[name + '_id'] = value.key_field(name)


def _contribute_relations(model):
    """Declares a new model's relations to libgorm, or keeps them until
    their target is declared; then resolves those waiting for the model."""
    for name, value in list(vars(model).items()):
        if isinstance(value, _RelationField):
            value.contribute(model, name)
    model._gorm_init_relations = frozenset(
        name for name, value in vars(model).items() if isinstance(value, _RelationField)) | \
        model._gorm_init_relations
    _declared(model)


__all__ += ['CASCADE', 'PROTECT', 'RESTRICT', 'SET_NULL', 'SET_DEFAULT', 'DO_NOTHING',
            'ForeignKey', 'OneToOneField', 'ManyToManyField']


# Deleting, counted as Django counts

# Keys per statement when a delete reads or deletes rows by key.
_DELETE_BATCH = 500


def _app_label(model):
    """The app label of ``model``: ``Meta.app_label``, else the module's
    name without a ``models`` component and what follows it, last
    component (``polls.models`` → ``polls``, ``shop.catalog`` →
    ``catalog``), as Django names the app of a models module."""
    label = model._gorm_meta.get('app_label')
    if label is not None:
        return label
    parts = model.__module__.split('.')
    if 'models' in parts[1:]:
        parts = parts[:parts.index('models', 1)]
    return parts[-1]


def _label(model):
    """Django's ``Model._meta.label``: ``"app_label.ModelName"``, made once
    per model."""
    label = model.__dict__.get('_gorm_label')
    if label is None:
        label = model._gorm_label = '%s.%s' % (_app_label(model), model.__name__)
    return label


# Bumped by each relation added: what is computed from the relations of
# a model is kept while it stays the same.
_relations_version = 0


def _delete_dependents(model):
    """The relations whose rows deleting rows of ``model`` deletes too:
    the reverse sides of CASCADE foreign keys, and the many-to-many
    relations (their link rows), each once. Computed once per model
    while its relations stay the same."""
    cached = model.__dict__.get('_gorm_delete_dependents')
    if cached is not None and cached[0] == _relations_version:
        return cached[1]
    found = []
    for relation in _relations(model).values():
        if relation in found:
            continue
        if relation.kind == _MANY_TO_MANY or (
                relation.kind == _REVERSE and relation.field.on_delete == CASCADE):
            found.append(relation)
    model._gorm_delete_dependents = (_relations_version, found)
    return found


def _has_dependents(model):
    return bool(_delete_dependents(model))


def _keys_of(queryset):
    """The primary keys of the objects of ``queryset``, in its order."""
    if not queryset._is_sliced():
        queryset = queryset._clone(_order=())
    queryset = queryset._clone(_select_related=(), _prefetch_related=())
    with _gorm_errors(queryset.model):
        return [obj.pk for obj in queryset._query().fetch()]


class _DeleteCounter:
    """The rows a delete removes, by model, read before it in its
    transaction: the rows deleted, the rows their CASCADE foreign keys
    delete in turn (each row once, however many paths reach it), and
    the many-to-many link rows of all of them."""

    def __init__(self, database):
        self.database = database
        self.keys = {}

    def add(self, model, keys):
        """Counts the rows ``keys`` of ``model``, and what cascades from them."""
        pending = [(model, keys)]
        while pending:
            model, keys = pending.pop()
            known = self.keys.setdefault(model, set())
            new = [key for key in keys if key not in known]
            known.update(new)
            for relation in _delete_dependents(model):
                if relation.kind != _REVERSE or not new:
                    continue
                lookup = relation.field.key_attribute + '__in'
                for start in range(0, len(new), _DELETE_BATCH):
                    batch = new[start:start + _DELETE_BATCH]
                    related = QuerySet(relation.target, self.database).filter(**{lookup: batch})
                    pending.append((relation.target, _keys_of(related)))

    def counts(self):
        """``{label: rows}`` of every row counted, without zeros."""
        counts = {}
        for model, keys in self.keys.items():
            if keys:
                counts[_label(model)] = counts.get(_label(model), 0) + len(keys)
        for model, keys in self.keys.items():
            for relation in _delete_dependents(model):
                if relation.kind == _MANY_TO_MANY and keys:
                    self._count_links(model, sorted(keys), relation, counts)
        return counts

    def _count_links(self, model, keys, relation, counts):
        """Adds the link rows of ``relation`` of the objects ``keys`` of
        ``model``, under Django's name of the link model
        (``"app.Post_tags"``). A link whose both objects are deleted is
        counted once, from the side that declares the relation."""
        field = relation.field
        forward = relation.source is field.model and relation.name == field.name
        other = self.keys.get(relation.target, ()) if not forward else ()
        n = 0
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = QuerySet(model, self.database).filter(pk__in=keys[start:start + _DELETE_BATCH])
            query = batch._clone(_order=())._query()
            query.prefetch_related(relation.c_name)
            with _gorm_errors(model):
                fetched = query.fetch()
                for obj in fetched:
                    linked = _resource_peek_prefetched(obj, relation.c_name)
                    n += sum(1 for target in linked if target.pk not in other)
        if n:
            label = '%s.%s_%s' % (_app_label(field.model), field.model.__name__, field.name)
            counts[label] = counts.get(label, 0) + n


def _delete_counted(database, model, keys, delete):
    """Runs ``delete()``, which deletes rows of ``model`` and returns how
    many, and returns Django's ``(total, {label: n})``. When the
    database deletes other rows with them, ``keys()`` gives the keys of
    the rows ``delete()`` deletes, and what cascades from them is read
    first, in the same transaction as the delete."""
    if not _has_dependents(model):
        n = delete()
        return n, ({_label(model): n} if n else {})
    with database.atomic():
        counter = _DeleteCounter(database)
        counter.add(model, keys())
        # The links are counted while their rows are there.
        counts = counter.counts()
        delete()
    return sum(counts.values()), counts


def _update_field_properties(model, names, error=ValueError):
    """The property names of the fields ``names`` (a foreign key gives its
    key property) for save(update_fields=), bulk_update() and
    refresh_from_db(); ``error`` (ValueError, as Django) names those that
    are not stored fields of ``model``."""
    if isinstance(names, str):
        raise TypeError('Field names are given as a list, not as the str %r' % (names,))
    properties, unknown = [], []
    key = _find_pspec(model, 'pk').name
    for name in names:
        relation = _relations(model).get(name) if isinstance(name, str) else None
        if relation is not None and relation.kind == _FORWARD and \
                name not in _fields_by_name(model):
            name = relation.field.key_attribute
        entry = _fields_by_name(model).get(name) if isinstance(name, str) else None
        if entry is None or entry[0] not in _stored_pspecs(model) or entry[0].name == key:
            unknown.append(str(name))
        elif entry[0].name not in properties:
            properties.append(entry[0].name)
    if unknown:
        if error is ValueError:
            raise ValueError('The following fields do not exist in this model, are m2m fields, '
                             'or are non-concrete fields: %s' % ', '.join(unknown))
        raise error("%s has no field %s; its fields are %s"
                    % (model.__name__, ', '.join("'%s'" % n for n in unknown),
                       ', '.join(_attribute(p) for p in _stored_pspecs(model))))
    return properties



# Migrations

# The Python models by GType name (``__main__+Question``), for the
# messages of libgorm that name them.
_MODELS_BY_GTYPE_NAME = {}

# The C functions libgorm's messages name or suggest, and their Python
# forms, in the order they are tried: a pattern (`\\w+` a part of the
# name) and its replacement.
_PYTHON_CALLS = (
    (r' \(gorm_resource_class_set_not_null\s*\(\) forbids it\)',
     ': declare it Gorm.Field(..., null=True) to store None'),
    (r'gorm_resource_class_set_renamed_from \(klass, "([^"]*)", "([^"]*)"\)',
     lambda match: "%s = Gorm.Field(..., renamed_from='%s')" % (
         match.group(1).replace('-', '_'), match.group(2))),
) + tuple((r'%s\s*\(\)' % name, python) for name, python in (
    ('gorm_resource_class_set_table_renamed_from', 'Meta.renamed_from'),
    ('gorm_resource_class_set_renamed_from', 'Gorm.Field(..., renamed_from=...)'),
    ('gorm_migration_allow_drop', 'allow_drop=[(table, column)]'),
    ('gorm_migration_add_step', 'steps={version: function}'),
    ('gorm_resource_class_add_unique_together', 'Meta.unique_together'),
    ('gorm_resource_class_add_index', 'Meta.indexes'),
    ('gorm_migration_set_version', 'version='),
    ('gorm_database_set_default', 'Gorm.open(uri) (the first database opened is the default)'),
    ('gorm_resource_class_set_nullable', 'Gorm.Field(..., null=True)'),
    ('gorm_resource_class_set_not_null', 'Gorm.Field(..., null=False)'),
    ('gorm_resource_class_set_related_name', 'Gorm.ForeignKey(..., related_name=...)'),
    ('gorm_resource_class_set_transient', 'a GObject.Property instead of a Gorm.Field'),
    ('gorm_resource_class_set_foreign_key', 'Gorm.ForeignKey(...)'),
    (r'gorm_resource_class_(\w+)', r'Meta.\1'),
    ('gorm_query_fetch_rows', 'values()'),
    ('gorm_query_select', 'annotate()'),
    (r'gorm_query_(\w+)', r'\1()'),
    (r'gorm_filter_(and|or|not|in)', r'Gorm.Filter.\1_()'),
    (r'gorm_(filter|expression)_(\w+)',
     lambda match: 'Gorm.%s.%s()' % (match.group(1).capitalize(), match.group(2))),
    (r'gorm_database_(\w+)', r'database.\1()'),
    (r'gorm_resource_(\w+)', r'\1()'),
    (r'gorm_(\w+)', r'\1()'),
))
_PYTHON_DECLARATIONS = tuple((re.compile(pattern), python) for pattern, python in _PYTHON_CALLS)


# The C types of libgorm's messages, as Python says them: the value type
# of "the gint64 9", the field type of "a gint property".
_PYTHON_TYPE_WORDS = {
    'gchararray': 'str', 'gboolean': 'bool', 'gint64': 'int', 'gint': 'int',
    'glong': 'int', 'guint': 'int', 'guint64': 'int', 'gulong': 'int',
    'gchar': 'int', 'guchar': 'int', 'gdouble': 'float', 'gfloat': 'float',
    'GDateTime': 'datetime', 'GBytes': 'bytes', 'GStrv': 'list of str',
}
# What a field of the C type is besides its Python type.
_PYTHON_TYPE_SIZES = {
    'gint': ' of 32 bits', 'guint': ' of 32 bits, unsigned', 'guint64': ', unsigned',
    'gulong': ', unsigned', 'gchar': ' of 8 bits', 'guchar': ' of 8 bits, unsigned',
    'gfloat': ' of 32 bits',
}
_TYPE_WORD = '|'.join(sorted(_PYTHON_TYPE_WORDS, key=len, reverse=True))
_C_FIELD_TYPE = re.compile(r'\ban? (%s|[A-Z]\w*) property\b' % _TYPE_WORD)
_C_VALUE_TYPE = re.compile(r'\b(the|a|an) (%s) (?=\S)' % _TYPE_WORD)
_C_NO_PROPERTY = re.compile(r'has no stored property “([^”]*)”')
_C_SQL = re.compile(r' \(in “[^”]*”\)')
_C_TYPE_NAME = re.compile(r'\bGorm([A-Z]\w*)')
_OUT_OF_RANGE = re.compile(r'Cannot store the (?:int|float) (-?[\d.e+]+) in (\w+)\.(\w+), ')


def _with_article(word):
    """``int`` as "an int", ``str`` as "a str"."""
    return ('an ' if word[:1] in ('a', 'e', 'i', 'o', 'u') else 'a ') + word


def _python_field(c_type):
    """A field of C type ``c_type`` as Python says it: ``gint`` → ``an
    int field of 32 bits``."""
    word = _PYTHON_TYPE_WORDS.get(c_type)
    if word is None:
        word = c_type.rsplit('+', 1)[-1]
    return '%s field%s' % (_with_article(word), _PYTHON_TYPE_SIZES.get(c_type, ''))


def _range_hint(message):
    """What to do about a number out of its field's range: the range."""
    match = _OUT_OF_RANGE.search(message)
    if match is None:
        return message
    model = next((m for m in _MODELS_BY_GTYPE_NAME.values()
                  if m.__name__ == match.group(2)), None)
    pspec = None
    if model is not None:
        try:
            pspec = model.find_property(match.group(3).replace('_', '-'))
        except (TypeError, AttributeError):
            pspec = None
    minimum = getattr(pspec, 'minimum', None)
    maximum = getattr(pspec, 'maximum', None)
    if minimum is None or maximum is None:
        return message
    try:
        value = float(match.group(1))
    except ValueError:
        return message
    if minimum <= value <= maximum:
        return message
    return ('%s: %s is out of its range, %s to %s; give a value within it%s'
            % (message, match.group(1), minimum, maximum,
               ', or declare the field Gorm.Field(int) (64 bits)'
               if maximum == 2 ** 31 - 1 else ''))


def _python_message(message):
    """libgorm's ``message`` in Python's names: a model's class name for
    its GType name, ``Book.pub_date`` for ``type:pub-date``, a field's
    attribute (``pub_date``) for its property (``pub-date``), Python's
    types for GTypes (``an int field of 32 bits`` for ``a gint
    property``), the Python declaration or method for the C function it
    suggests, no SQL parameters: the C message stays as the exception's
    ``c_message``."""
    if message is None:
        return None
    # The longer names first: __main__+Question before __main__+Quest.
    for gtype_name in sorted(_MODELS_BY_GTYPE_NAME, key=len, reverse=True):
        if gtype_name not in message:
            continue
        model = _MODELS_BY_GTYPE_NAME[gtype_name]
        message = re.sub(r'%s:([a-z][\w-]*)' % re.escape(gtype_name),
                         lambda match: '%s.%s' % (model.__name__, match.group(1).replace('-', '_')),
                         message)
        message = message.replace(gtype_name, model.__name__)
        for pspec in model.list_properties():
            attribute = _attribute(pspec)
            if attribute != pspec.name:
                message = re.sub(r'(?<![\w-])%s(?![\w-])' % re.escape(pspec.name),
                                 attribute, message)
    for pattern, python in _PYTHON_DECLARATIONS:
        message = pattern.sub(python, message)
    message = _C_FIELD_TYPE.sub(lambda match: _python_field(match.group(1)), message)
    message = _C_NO_PROPERTY.sub(r"has no field '\1'", message)
    message = _C_VALUE_TYPE.sub(
        lambda match: '%s %s ' % (match.group(1), _PYTHON_TYPE_WORDS[match.group(2)]), message)
    message = _C_TYPE_NAME.sub(r'Gorm.\1', message)
    message = _C_SQL.sub('', message)
    return _range_hint(message)


class _StepState:
    """What the Python steps of one migration share: the exception the
    failed one raised, which the migration raises again as itself."""

    def __init__(self):
        self.exception = None


class _Step:
    """A Python step called by libgorm. PyGObject 3.42 cannot return a
    GError from a callback: the exception the step raises is kept, the
    step returns False (libgorm rolls the migration back), and run()
    raises it."""

    def __init__(self, func, state, python_form):
        self.func = func
        self.state = state
        self.python_form = python_form

    def __call__(self, migration, database, version, user_data=None):
        try:
            if self.python_form:
                self.func(database)
            else:
                self.func(migration, database, version, user_data)
        except BaseException as exception:  # noqa: B036: raised again by run()
            if self.state.exception is None:
                self.state.exception = exception
            return False
        return True


@contextlib.contextmanager
def _migration_errors(state=None):
    """Raises the exception a Python step of the failed migration raised,
    or its GORM_ERROR error as a Gorm.Error subclass whose message names
    models and fields by their Python names."""
    try:
        yield
    except GLib.Error as error:
        if state is not None and state.exception is not None:
            exception, state.exception = state.exception, None
            raise exception from None
        if isinstance(error, Error) or error.domain != _ERROR_DOMAIN:
            raise
        raise _translate(error) from None


def _kind_words(kind):
    """``ADD_COLUMN`` as "add column"."""
    return kind.value_nick.replace('-', ' ')


class MigrationChange(Gorm.MigrationChange):
    """One item of a migration's plan: a difference between the models
    and the database that the migration applies, a step of the
    application, or the database's new schema version. ``str(change)``
    is a readable paragraph: what, on which table and column, what the
    database has and what the models want, why, and the SQL."""

    @property
    def kind(self):
        """A ``Gorm.MigrationChangeKind``: ``ADD_COLUMN``, ``RENAME_TABLE``, ..."""
        return self.get_kind()

    @property
    def table(self):
        """The table changed, as the database names it; None for a step or
        the version."""
        return self.get_table()

    @property
    def column(self):
        """The column changed, or None."""
        return self.get_column()

    @property
    def has(self):
        """What the database has, as SQL-ish text ("INTEGER NOT NULL", a
        version), or None."""
        return self.get_database_has()

    @property
    def wants(self):
        """What the models want, in the same form, or None."""
        return self.get_model_wants()

    @property
    def reason(self):
        """Why, in one sentence naming the model and the field (by their
        Python names)."""
        return _python_message(self.get_reason())

    @property
    def statements(self):
        """The SQL it runs, in order: a list, empty for a column change
        its table's rebuild applies, and for a Python step."""
        return list(self.get_statements() or ())

    @property
    def version(self):
        """The version of a step or of SET_VERSION; 0 otherwise."""
        return self.get_version()

    def _heading(self):
        kind = self.kind
        if kind == Gorm.MigrationChangeKind.STEP:
            return 'step of version %d' % self.version
        if kind == Gorm.MigrationChangeKind.SET_VERSION:
            return 'set version %s → %s' % (self.has or 'none', self.wants or self.version)
        where = self.table or ''
        if self.column:
            where += '.' + self.column
        heading = '%s %s' % (_kind_words(kind), where)
        if self.has is not None or self.wants is not None:
            heading += ' (has: %s; wants: %s)' % (self.has or 'nothing', self.wants or 'nothing')
        return heading

    def __str__(self):
        lines = [self._heading()]
        if self.reason:
            lines.append('    ' + self.reason)
        lines.extend('    ' + sql for sql in self.statements)
        return '\n'.join(lines)

    def __repr__(self):
        return '<Gorm.MigrationChange %s>' % self._heading()


MigrationChange = override(MigrationChange)


class MigrationPlan(list):
    """What a migration would do, in order: a list of Gorm.MigrationChange.
    ``print(plan)`` shows each change as a paragraph; ``plan.statements``
    is all the SQL, in order."""

    @property
    def statements(self):
        """The SQL of every change, in the order it would run."""
        return [sql for change in self for sql in change.statements]

    def __str__(self):
        if not self:
            return 'Nothing to change.'
        return '\n'.join(str(change) for change in self)


def _step_functions(version, funcs):
    """The functions of ``steps[version]``: one callable or a list."""
    if callable(funcs):
        return [funcs]
    funcs = list(funcs)
    if not funcs or not all(callable(func) for func in funcs):
        raise TypeError('steps[%r] is a function taking the database, or a list of them, '
                        'not %r' % (version, funcs))
    return funcs


def _check_version(version, what):
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise TypeError('%s is a version, an int from 1, not %r' % (what, version))


class Migration(Gorm.Migration):
    """A migration of a database to models, at an application's schema
    version, made by ``database.migration(models, version=3)``::

        migration = db.migration([Question, Choice], version=3,
                                 allow_drop=[('question', 'old_col')])

        @migration.step(2)
        def fill_slugs(db):
            for question in Question.objects.using(db):
                ...

        print(migration.plan())
        migration.run()

    ``run()`` applies every difference between the models and the
    database, and the steps of the versions the database lacks, in one
    transaction: on failure nothing changed. A step's exception is
    raised again as itself; libgorm's errors as Gorm.MigrationError.
    """

    @classmethod
    def new(cls, database, types):
        types = list(types)
        for model in types:
            _check_model(model)
        migration = Gorm.Migration.new(database, types)
        migration._gorm_state = _StepState()
        return migration

    def _state(self):
        state = self.__dict__.get('_gorm_state')
        if state is None:
            state = self._gorm_state = _StepState()
        return state

    @property
    def version(self):
        """The application's schema version; 0 (unversioned) by default."""
        return self.get_version()

    @version.setter
    def version(self, version):
        _check_version(version, 'Migration.version')
        self.set_version(version)

    @property
    def fraction(self):
        """The progress of run(), from 0 to 1."""
        return self.get_fraction()

    def add_step(self, version, stage, func, user_data=None):
        """Runs ``func(migration, database, version, user_data)`` when the
        database goes past ``version``, at ``stage`` (a
        ``Gorm.MigrationStage``); an exception it raises fails the
        migration, which raises it again. See step() for the Python form."""
        _check_version(version, 'The version of a step')
        Gorm.Migration.add_step(self, version, stage, _Step(func, self._state(), False),
                                user_data)

    def step(self, version, *, after=True):
        """A decorator adding the function as the step of ``version``: it is
        called with the database as ``func(db)`` inside the migration's
        transaction when the database is older than ``version``, in
        version order. With ``after=True`` (the default) it runs after the
        automatic changes, when the tables have the models' schema and the
        ORM works on them; with ``after=False`` before them, on the old
        schema (use ``db.execute()``). An exception it raises rolls the
        whole migration back and is raised by run()."""
        _check_version(version, 'The version of a step')
        if not version:
            raise TypeError('The version of a step is an int from 1, not 0')
        stage = (Gorm.MigrationStage.AFTER_CHANGES if after
                 else Gorm.MigrationStage.BEFORE_CHANGES)

        def decorator(func):
            if not callable(func):
                raise TypeError('migration.step(%d) decorates a function taking the '
                                'database, not %r' % (version, func))
            Gorm.Migration.add_step(self, version, stage, _Step(func, self._state(), True),
                                    None)
            return func
        return decorator

    def allow_drop(self, table, column):
        """Allows the migration to drop ``column`` of ``table`` (names as the
        database has them; ``table`` may be a model) even though it holds
        data."""
        if isinstance(table, type) and issubclass(table, Gorm.Resource):
            table = table.get_table_name()
        if not isinstance(table, str) or not isinstance(column, str):
            raise TypeError('allow_drop() takes a table and a column name, not %r, %r'
                            % (table, column))
        Gorm.Migration.allow_drop(self, table, column)

    def plan(self, cancellable=None):
        """What run() would do, in order, as a Gorm.MigrationPlan (a list of
        Gorm.MigrationChange, steps and the new version included), running
        nothing; raises what run() would raise for a refused difference or
        a newer database."""
        with _migration_errors():
            return MigrationPlan(Gorm.Migration.plan(self, cancellable))

    def plan_finish(self, result):
        """Finishes ``plan_async()``: a Gorm.MigrationPlan."""
        with _migration_errors():
            return MigrationPlan(Gorm.Migration.plan_finish(self, result))

    def run(self, cancellable=None):
        """Runs the migration: in one transaction, the steps before the
        changes, the changes, the steps after them and the new version.
        Returns True; on failure nothing changed and it raises the step's
        exception, or Gorm.MigrationError naming the model and field.

        The progress signal comes in the main context, which does not run
        while run() blocks: only its last emission, at 1.0, comes during
        the call. A migration given a ``progress`` function by
        ``database.migration()`` or ``migrate()`` reports as it goes
        instead: outside a main loop's callback, run() then runs it on the
        database worker (Python steps too) and dispatches the main context
        until it ends."""
        if self.__dict__.get('_gorm_reports') and GLib.main_depth() == 0:
            context = GLib.MainContext.ref_thread_default()
            if context.acquire():
                try:
                    return self._run_dispatching(context, cancellable)
                finally:
                    context.release()
        state = self._state()
        state.exception = None
        with _migration_errors(state):
            return Gorm.Migration.run(self, cancellable)

    def _run_dispatching(self, context, cancellable):
        """run() on the worker, dispatching ``context`` (acquired) until it
        ends, so that its progress reaches the progress function."""
        results = []
        self.run_async(cancellable, lambda migration, result: results.append(result))
        while not results:
            context.iteration(True)
        return self.run_finish(results[0])

    def run_async(self, cancellable=None, callback=None, *user_data):
        """Runs run() on the database worker thread (the steps too, holding
        the GIL when they run Python); finish with ``run_finish()``."""
        self._state().exception = None
        Gorm.Migration.run_async(self, cancellable, callback, *user_data)

    def run_finish(self, result):
        """Finishes ``run_async()``: True, or the exception of run()."""
        with _migration_errors(self._state()):
            return Gorm.Migration.run_finish(self, result)

    async def aplan(self):
        """Awaits ``plan_async()``; see plan()."""
        return await _acall(self, 'plan')

    async def arun(self):
        """Awaits ``run_async()``; see run()."""
        return await _acall(self, 'run')


Migration = override(Migration)


def _configured_migration(database, types, version, steps, allow_drop, progress):
    """A Gorm.Migration of ``database`` set up as Database.migration() says."""
    _check_version(version, 'version')
    migration = Migration.new(database, types)
    if version:
        migration.set_version(version)
    for step_version, funcs in sorted((steps or {}).items()):
        _check_version(step_version, 'A key of steps')
        if not 1 <= step_version <= version:
            raise ValueError('steps has a step for version %r, which never runs in a migration '
                             'to version %d' % (step_version, version))
        for func in _step_functions(step_version, funcs):
            migration.step(step_version)(func)
    for pair in allow_drop:
        if isinstance(pair, str) or len(pair) != 2:
            raise TypeError('allow_drop holds (table, column) pairs, not %r' % (pair,))
        migration.allow_drop(*pair)
    if progress is not None:
        if not callable(progress):
            raise TypeError('progress is a function taking (change, fraction), not %r'
                            % (progress,))
        migration.connect('progress', lambda _, change, fraction: progress(change, fraction))
        migration._gorm_reports = True
    return migration


__all__ += ['MigrationChange', 'MigrationPlan', 'Migration']


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

    def migrate(self, types, cancellable=None, *, version=0, steps=None, allow_drop=(),
                progress=None):
        """Creates or evolves the tables of ``types`` (model classes or
        GTypes) in one transaction, keeping their data. Idempotent; models
        also migrate themselves on first use (without a version).

        ``version`` is the application's schema version, recorded in the
        database; ``steps`` maps a version to a function (or a list of
        them) called as ``func(db)`` after the automatic changes when the
        database is older than that version, in version order;
        ``allow_drop`` lists the (table, column) pairs whose data may be
        dropped; ``progress(change, fraction)`` is called as the migration
        goes (see ``Gorm.Migration.run()``), at most about 60 times a
        second, the last time with 1.0. A difference it cannot apply without losing data, or a
        database of a newer version, raises Gorm.MigrationError and
        changes nothing; a step's exception rolls everything back and is
        raised as itself. See ``migration()`` for the migration object
        (its plan, steps before the changes)."""
        migration = self.migration(types, version, steps=steps, allow_drop=allow_drop,
                                   progress=progress)
        return migration.run(cancellable)

    def migration(self, types, version=0, *, steps=None, allow_drop=(), progress=None):
        """A Gorm.Migration of the database to ``types`` at ``version``, set
        up as ``migrate()`` takes them, to add steps to (``@migration.step(2,
        after=False)``), read the plan of (``print(migration.plan())``) and
        run (``migration.run()``, ``await migration.arun()``)."""
        return _configured_migration(self, types, version, steps, allow_drop, progress)

    def query(self, type):
        """A new Gorm.Query of ``type``, registered on first use."""
        _check_model_once(type)
        return Gorm.Database.query(self, type)

    def get(self, type, id, cancellable=None):
        """The object of ``type`` whose id is ``id``; ``Model.DoesNotExist``
        when there is none."""
        _check_model_once(type)
        with _gorm_errors(None if isinstance(type, GObject.GType) else type):
            return Gorm.Database.get(self, type, id, cancellable)

    def get_by_key(self, type, key, cancellable=None):
        """The object of ``type`` whose primary key is ``key``, a plain
        Python value; ``Model.DoesNotExist`` when there is none."""
        _check_model_once(type)
        with _gorm_errors(None if isinstance(type, GObject.GType) else type):
            return Gorm.Database.get_by_key(self, type, _to_gvalue(key), cancellable)

    def get_async(self, type, *args, **kwargs):
        """Runs ``get()`` on the database worker; finish with ``get_finish()``."""
        _check_model_once(type)
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

    def select(self, sql, params=()):
        """The rows of a SELECT (or WITH, VALUES) as a list of tuples,
        binding ``params`` (plain Python values) to its ``?``. Values come
        as the engine gives them: int, float, str, bytes or None (SQLite
        keeps date-times as text). Another statement is a ValidationError:
        run it with ``execute()``."""
        return self._select(sql, params)[1]

    def _select(self, sql, params=()):
        """(column names, rows as tuples) of a raw SELECT."""
        with _gorm_errors():
            rows = Gorm.Database.select(self, sql, [_to_gvalue(p) for p in params], None)
        names = None
        result = []
        for row in rows:
            count = row.get_n_columns()
            if names is None:
                names = [row.get_column_name(i) for i in range(count)]
            result.append(tuple(_generic_python(_row_get_value(row, i)) for i in range(count)))
        return names or [], result

    def select_resources(self, type, sql, params=(), cancellable=None):
        """The objects of ``type`` a raw SELECT of its columns returns, through
        the identity map; see ``Model.objects.raw()``."""
        _check_model_once(type)
        with _gorm_errors(None if isinstance(type, GObject.GType) else type):
            return Gorm.Database.select_resources(self, type, sql,
                                                  [_to_gvalue(p) for p in params], cancellable)

    def cursor(self):
        """A minimal DB-API style cursor (Gorm.Cursor) running raw SQL."""
        return Cursor(self)

    @staticmethod
    async def aopen(uri):
        """Awaits ``open_async()``; see ``open()``."""
        return await _acall(Database, 'open', uri)

    async def amigrate(self, types, *, version=0, steps=None, allow_drop=(), progress=None):
        """Awaits the migration ``migrate()`` runs, run on the database
        worker (``Gorm.Migration.run_async()``): Python steps run on that
        thread, holding the GIL."""
        migration = self.migration(types, version, steps=steps, allow_drop=allow_drop,
                                   progress=progress)
        return await migration.arun()

    async def aget(self, type, id):
        """Awaits ``get_async()``."""
        return await _acall(self, 'get', type, id, load=_finished_object)

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
