"""The database handle."""
import contextlib

from . import _native as n

_open = n.bind("crmkit_db_open", n.c_int, n.POINTER(n.c_void_p), n.c_char_p, n.c_void_p)
_close = n.bind("crmkit_db_close", None, n.c_void_p)
_options_new = n.bind("crmkit_options_new", n.c_int, n.POINTER(n.c_void_p))
_options_free = n.bind("crmkit_options_free", None, n.c_void_p)
_set_read_only = n.bind("crmkit_options_set_read_only", n.c_int, n.c_void_p, n.c_int)
_set_create = n.bind("crmkit_options_set_create", n.c_int, n.c_void_p, n.c_int)
_set_busy = n.bind("crmkit_options_set_busy_timeout", n.c_int, n.c_void_p, n.c_int)
_set_mode = n.bind("crmkit_options_set_file_mode", n.c_int, n.c_void_p, n.c_int)
_set_cache = n.bind("crmkit_options_set_cache_mib", n.c_int, n.c_void_p, n.c_int)
_set_write_cache = n.bind("crmkit_options_set_write_cache_mib", n.c_int, n.c_void_p, n.c_int)
_set_tenant = n.bind("crmkit_options_set_tenant", n.c_int, n.c_void_p, n.c_char_p)
_schema_version = n.bind("crmkit_db_schema_version", n.c_int, n.POINTER(n.c_int), n.c_void_p)
_begin = n.bind("crmkit_db_begin", n.c_int, n.c_void_p)
_commit = n.bind("crmkit_db_commit", n.c_int, n.c_void_p)
_rollback = n.bind("crmkit_db_rollback", n.c_int, n.c_void_p)
_savepoint = n.bind("crmkit_db_savepoint", n.c_int, n.c_void_p)
_release = n.bind("crmkit_db_release", n.c_int, n.c_void_p)
_rollback_to = n.bind("crmkit_db_rollback_to", n.c_int, n.c_void_p)
_set_region = n.bind("crmkit_db_set_default_region", n.c_int, n.c_void_p, n.c_char_p)
_region = n.bind("crmkit_db_default_region", n.c_int, n.POINTER(n.c_void_p), n.c_void_p)
_set_currency = n.bind("crmkit_db_set_default_currency", n.c_int, n.c_void_p, n.c_char_p)


class Database:
    """An open crmkit database. Use as a context manager, or call close().

    path is a database file (":memory:" for a private one) or a PostgreSQL connection URI
    ("postgresql://user@host/db", libpq's syntax and environment variables); with a URI,
    tenant names the schema that holds this store (created and migrated on first open).

    Areas hang off it as attributes (db.customers, db.interactions, ...), added by their
    modules. One Database may be used from several threads (calls are serialised).
    cache_mib bounds SQLite's page cache for this connection (1..65536 MiB, taken as pages
    are read); the default 64 suits large imports. write_cache_mib is its bound while a
    transaction that records a batch of interactions is open (default 256): a large import's
    changed pages stay in memory until the commit writes them once.
    """

    def __init__(self, path=":memory:", read_only=False, create=True, busy_timeout_ms=5000,
                 file_mode=0o600, cache_mib=64, write_cache_mib=256, tenant="crmkit"):
        opts = n.c_void_p()
        n.check(_options_new(n.byref(opts)))
        try:
            n.check(_set_read_only(opts, int(bool(read_only))))
            n.check(_set_create(opts, int(bool(create))))
            n.check(_set_busy(opts, n.int32(busy_timeout_ms, "busy_timeout_ms")))
            n.check(_set_mode(opts, n.int32(file_mode, "file_mode")))
            n.check(_set_cache(opts, n.int32(cache_mib, "cache_mib")))
            n.check(_set_write_cache(opts, n.int32(write_cache_mib, "write_cache_mib")))
            n.check(_set_tenant(opts, n.text(str(tenant), "tenant")))
            handle = n.c_void_p()
            n.check(_open(n.byref(handle), n.text(str(path), "path"), opts))
        finally:
            _options_free(opts)
        self._handle = handle

    @property
    def handle(self):
        if self._handle is None:
            raise n.Misuse("the database is closed", -11)
        return self._handle

    def close(self):
        if self._handle is not None:
            _close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def schema_version(self):
        v = n.c_int()
        n.check(_schema_version(n.byref(v), self.handle))
        return v.value

    @contextlib.contextmanager
    def transaction(self):
        """Everything inside commits as one unit, or not at all if an exception escapes."""
        n.check(_begin(self.handle))
        try:
            yield self
        except BaseException:
            n.check(_rollback(self.handle))
            raise
        n.check(_commit(self.handle))

    @contextlib.contextmanager
    def savepoint(self):
        """Inside a transaction(): what is written inside is kept when the block ends, and
        undone alone (the transaction stays open) if an exception escapes."""
        n.check(_savepoint(self.handle))
        try:
            yield self
        except BaseException:
            n.check(_rollback_to(self.handle))
            raise
        n.check(_release(self.handle))

    @property
    def default_region(self):
        """The region ("IT", "US") whose numbering plan reads phone numbers given without a
        country code; "" for none."""
        return n.take_text(_region, self.handle)

    def set_default_region(self, region):
        n.check(_set_region(self.handle, n.text(region, "region")))

    def set_default_currency(self, code):
        n.check(_set_currency(self.handle, n.text(code)))
