"""Loading libcrmkit and the rules every wrapper follows.

- Every C function gets argtypes/restype before use (``bind``).
- Owned strings (``char **`` results) are declared ``c_void_p``, read with ``string_at`` and
  released with ``crmkit_free`` (``take_string``).
- A negative status raises the matching ``crmkit.Error`` subclass with the library's message.
"""
import ctypes
import ctypes.util
import glob
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


def bind(name, restype, *argtypes):
    """Declares and returns the C function ``name``."""
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


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


def _integer(value, name, bits):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__))
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if not low <= value <= high:
        # ctypes would silently keep the low bits: 2**64 + 5 would become 5.
        raise InvalidArgument("%s %d is out of the int%d range" % (name, value, bits), -1)
    return value


def int32(value, name="value"):
    """A Python int checked to fit a C int argument (ctypes would truncate silently)."""
    return _integer(value, name, 32)


def int64(value, name="value"):
    """A Python int checked to fit an int64_t argument (ids, times, money)."""
    return _integer(value, name, 64)


def take_string(ptr):
    """Reads and frees an owned char* returned through a c_void_p out-parameter."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        _free(ptr)
