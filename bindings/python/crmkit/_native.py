"""Loading libcrmkit and the rules every wrapper follows.

- Every C function gets argtypes/restype before use (``bind``), and every call goes through a
  wrapper that checks each integer/double argument against its declared C type (``convert``),
  so no Python int is ever wrapped or rounded by ctypes.
- Owned strings (``char **`` results) are declared ``c_void_p``, read with ``string_at`` and
  released with ``crmkit_free`` (``take_string``).
- A negative status raises the matching ``crmkit.Error`` subclass with the library's message.
"""
import contextlib
import ctypes
import ctypes.util
import decimal
import fractions
import functools
import glob
import json
import math
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def _find_library():
    explicit = os.environ.get("CRMKIT_LIBRARY")
    if explicit:
        return explicit
    # Installed by `cmake --install`: the library's place relative to this package.
    try:
        from . import _installed
    except ImportError:
        pass
    else:
        installed = os.path.normpath(os.path.join(_HERE, _installed.LIBRARY))
        if os.path.exists(installed):
            return installed
    # A build tree next to the sources (development), then the system.
    root = os.path.abspath(os.path.join(_HERE, "..", "..", ".."))
    for pattern in ("build/libcrmkit.so*", "build*/libcrmkit.so*"):
        found = sorted(glob.glob(os.path.join(root, pattern)))
        if found:
            return found[0]
    name = ctypes.util.find_library("crmkit")
    if name:
        return name
    raise OSError("libcrmkit not found: build it (make build) or set CRMKIT_LIBRARY")


lib = ctypes.CDLL(_find_library())

c_int = ctypes.c_int
c_int64 = ctypes.c_int64
c_double = ctypes.c_double
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
POINTER = ctypes.POINTER
byref = ctypes.byref


def _integer_range(ctype):
    bits = ctypes.sizeof(ctype) * 8
    if ctype(-1).value < 0:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


# Every C integer type the API could use, with the range of values it can hold.
_INTEGER_TYPES = {t: _integer_range(t) for t in (
    ctypes.c_byte, ctypes.c_ubyte, ctypes.c_short, ctypes.c_ushort, ctypes.c_int, ctypes.c_uint,
    ctypes.c_long, ctypes.c_ulong, ctypes.c_longlong, ctypes.c_ulonglong, ctypes.c_size_t, ctypes.c_ssize_t,
    ctypes.c_int8, ctypes.c_uint8, ctypes.c_int16, ctypes.c_uint16, ctypes.c_int32, ctypes.c_uint32,
    ctypes.c_int64, ctypes.c_uint64)}
_REAL_TYPES = (ctypes.c_double, ctypes.c_float)

_C_NAMES = {ctypes.c_int64: "int64", ctypes.c_int: "int32", ctypes.c_int32: "int32", ctypes.c_uint: "uint32",
            ctypes.c_uint32: "uint32", ctypes.c_size_t: "size_t", ctypes.c_uint64: "uint64"}


def bind(name, restype, *argtypes):
    """Declares the C function ``name`` and returns it wrapped so that every integer and double
    argument is checked against its declared C type before ctypes sees it (ctypes would keep
    only the low bits of an integer: 2**64 + 1 would address row 1). Area modules still convert
    their arguments with ``int64``/``int32``/``double`` to get the field's name in the message;
    the wrapper is the net for a call site that forgot."""
    fn = lib[name]  # a fresh function object: getattr(lib, name) is shared by every bind of name
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return CFunction(name, fn)


class CFunction:
    """A bound C function; calls check each numeric argument against its argtype."""

    __slots__ = ("name", "fn", "_checked")  # setting argtypes here would silently do nothing

    def __init__(self, name, fn):
        self.name = name
        self.fn = fn
        # (position, ctypes type) of the arguments that need a range check.
        self._checked = tuple((i, t) for i, t in enumerate(fn.argtypes)
                              if t in _INTEGER_TYPES or t in _REAL_TYPES)

    def __call__(self, *args):
        for i, ctype in self._checked:
            if i < len(args):
                convert(args[i], ctype, "%s argument %d" % (self.name, i + 1))
        return self.fn(*args)

    @property
    def argtypes(self):
        return tuple(self.fn.argtypes)

    @property
    def restype(self):
        return self.fn.restype

    def __repr__(self):
        return "<crmkit C function %s>" % self.name


# Status codes (crmkit.h).
OK = 0
DONE = 1


class Error(Exception):
    """A crmkit call failed. ``status`` is the negative CRMKIT_E* code."""

    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        if status is not None:
            self.status = status


class InvalidArgument(Error, ValueError):
    status = -1


class NotFound(Error, KeyError):
    status = -2

    def __str__(self):  # KeyError would quote the message
        return Exception.__str__(self)


class Conflict(Error):
    status = -3


class ConstraintError(Error):
    status = -4


class Busy(Error):
    status = -5


class IOFailure(Error, OSError):
    status = -6


class Corrupt(Error):
    status = -7


class UnsupportedVersion(Error):
    status = -8


class ReadOnly(Error):
    status = -9


class OutOfMemory(Error, MemoryError):
    status = -10


class Misuse(Error):
    status = -11


class InternalError(Error):
    status = -12


_BY_STATUS = {cls.status: cls for cls in (
    InvalidArgument, NotFound, Conflict, ConstraintError, Busy, IOFailure, Corrupt,
    UnsupportedVersion, ReadOnly, OutOfMemory, Misuse, InternalError)}

_last_error_message = bind("crmkit_last_error_message", c_char_p)
_free = bind("crmkit_free", None, c_void_p)
version_number = bind("crmkit_version_number", c_int)()
version_string = bind("crmkit_version_string", c_char_p)().decode()

if version_number // 10000 != 0:
    raise ImportError("this binding is for crmkit 0.x; the library is " + version_string)


def check(rc):
    """Raises for a negative status; returns rc (OK or DONE) otherwise."""
    if rc < 0:
        message = _last_error_message().decode("utf-8", "replace")
        raise _BY_STATUS.get(rc, Error)(message, rc)
    return rc


def text(value, name="value"):
    """A Python str (or None) as UTF-8 bytes for a const char* argument."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    elif not isinstance(value, bytes):
        raise TypeError("%s must be a str, not %s" % (name, type(value).__name__))
    # A NUL would silently cut the string short at the C boundary ("Ann\0x" stored as "Ann").
    if b"\x00" in value:
        raise InvalidArgument("%s contains a NUL character" % name, -1)
    return value


def convert(value, ctype, name, given=None):
    """The one checked conversion of a Python number for a C argument of type ``ctype``.

    Integers must fit the C type exactly (else InvalidArgument naming ``name`` and the value as
    given: ``given`` when the int was derived from it, e.g. a Decimal amount); bool is refused
    where a number is expected (it is almost always a mistake). A double argument takes a float
    as is and an int only if the double holds it exactly (2**53 + 1 would be rounded)."""
    if isinstance(value, bool):
        raise TypeError("%s must be a number, not bool" % name)
    shown = value if given is None else given
    if ctype in _REAL_TYPES:
        if isinstance(value, float):
            return value
        if not isinstance(value, (int, decimal.Decimal, fractions.Fraction)):
            raise TypeError("%s must be a number, not %s" % (name, type(value).__name__))
        try:
            result = float(value)
        except OverflowError:
            result = math.inf
        if isinstance(value, int) and result != value:
            raise InvalidArgument("%s %s cannot be represented exactly as a double" % (name, shown), -1)
        if math.isinf(result) and not (isinstance(value, decimal.Decimal) and value.is_infinite()):
            raise InvalidArgument("%s %s is out of the double range" % (name, shown), -1)
        return result
    if not isinstance(value, int):
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__))
    low, high = _INTEGER_TYPES[ctype]
    if not low <= value <= high:
        raise InvalidArgument("%s %s is out of the %s range [%d, %d]"
                              % (name, shown, _C_NAMES.get(ctype, ctype.__name__), low, high), -1)
    return int(value)  # an int subclass (IntEnum ...) as a plain int


def int32(value, name="value", given=None):
    """A Python int checked to fit a C int argument (limits, page sizes, day counts)."""
    return convert(value, ctypes.c_int, name, given)


def int64(value, name="value", given=None):
    """A Python int checked to fit an int64_t argument (ids, times, money, points)."""
    return convert(value, ctypes.c_int64, name, given)


def double(value, name="value"):
    """A Python number checked to be kept exactly by a double argument (scores, horizons, rates)."""
    return convert(value, ctypes.c_double, name)


def int64_pointer(value, name="value"):
    """None, or a pointer to a checked int64 (an optional bound passed as const int64_t*)."""
    if value is None:
        return None
    return ctypes.pointer(ctypes.c_int64(int64(value, name)))


def take_string(ptr):
    """Reads and frees an owned char* returned through a c_void_p out-parameter."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        _free(ptr)


def take_text(fn, *args):
    """Calls a C function whose first argument is an owned ``char **`` result and returns that
    text (None for a NULL result), freed."""
    out = c_void_p()
    check(fn(byref(out), *args))
    return take_string(out.value)


def take_json(fn, *args, object_hook=None):
    """As take_text, for a result that is JSON text: returns it parsed."""
    return json.loads(take_text(fn, *args), object_hook=object_hook)


@functools.lru_cache(maxsize=None)
def _bound(name, restype, *argtypes):
    return bind(name, restype, *argtypes)


def json_rows(kind, it, from_json):
    """Steps an open crmkit_<kind>_iter handle ``it`` to its end, yielding from_json(row) for
    each row's JSON, and frees the handle, also when the caller stops early (use ``yield from``
    so that closing the caller closes this)."""
    try:
        while check(_bound("crmkit_%s_iter_next" % kind, c_int, c_void_p)(it)) == OK:
            yield from_json(take_json(_bound("crmkit_%s_iter_json" % kind, c_int, POINTER(c_void_p), c_void_p), it))
    finally:
        _bound("crmkit_%s_iter_free" % kind, None, c_void_p)(it)


@contextlib.contextmanager
def options(kind, *settings):
    """A crmkit_<kind>_options handle for one call, freed afterwards. Each setting is (member,
    argument ctypes, values): crmkit_<kind>_options_set_<member>(handle, *values), checked at
    once. Members not given keep the library's default, which the call checks with the rest."""
    handle = c_void_p()
    check(_bound("crmkit_%s_options_new" % kind, c_int, POINTER(c_void_p))(byref(handle)))
    try:
        for member, argtypes, values in settings:
            check(_bound("crmkit_%s_options_set_%s" % (kind, member), c_int, c_void_p, *argtypes)(handle, *values))
        yield handle
    finally:
        _bound("crmkit_%s_options_free" % kind, None, c_void_p)(handle)
