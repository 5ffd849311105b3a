"""Results for every customer at once, as columns (``db.value.score_table()``,
``db.value.model_inputs()``).

    t = db.value.score_table()
    len(t), t.names              # rows, column names in order
    t["predicted_clv"]           # one column as a list (None where there is no value)
    t.rows()                     # the same data as one dict per row
    t.to_pandas()                # a pandas.DataFrame (None becomes NaN), when pandas is installed
"""
import ctypes
import math

from . import _native as n
from ._values import frame

_PAGE = 65536  # rows per C call


class Table:
    """Named columns of equal length, in order (plain lists)."""

    def __init__(self, columns):
        self._columns = dict(columns)
        lengths = {len(v) for v in self._columns.values()}
        if len(lengths) > 1:
            raise ValueError("columns differ in length: %s" % sorted(lengths))
        self._length = lengths.pop() if lengths else 0

    @property
    def names(self):
        return list(self._columns)

    def __len__(self):
        return self._length

    def __getitem__(self, name):
        return self._columns[name]

    def __repr__(self):
        return "Table(%d rows: %s)" % (self._length, ", ".join(self._columns))

    def rows(self):
        names = self.names
        return [dict(zip(names, values)) for values in zip(*(self._columns[k] for k in names))]

    def to_pandas(self):
        """The columns as a pandas.DataFrame (a column of instants as datetime64[ns, UTC]);
        ImportError naming pandas when it is not installed."""
        return frame(self._columns,
                     what="the columns are available without it as table[name] and table.rows()")


def _none_for_nan(values):
    return [None if math.isnan(v) else v for v in values]


def read_columns(kind, it, columns):
    """Reads an open crmkit_<kind>_iter handle ``it`` to its end through crmkit_<kind>_iter_columns,
    _PAGE rows per call, into a Table, and frees the handle. ``columns``: (name, ctype,
    nan_is_none) in the C function's argument order."""
    read = n._bound("crmkit_%s_iter_columns" % kind, n.c_int, n.POINTER(n.c_int64), n.c_void_p, n.c_int64,
                    *(n.POINTER(ctype) for _, ctype, _ in columns))
    buffers = [(ctype * _PAGE)() for _, ctype, _ in columns]
    out = [[] for _ in columns]
    count = n.c_int64()
    try:
        while n.check(read(ctypes.byref(count), it, _PAGE, *buffers)) == n.OK:
            rows = count.value
            for values, buffer in zip(out, buffers):
                values.extend(buffer[:rows])
    finally:
        n._bound("crmkit_%s_iter_free" % kind, None, n.c_void_p)(it)
    return Table((name, _none_for_nan(values) if nan_is_none else values)
                 for (name, _, nan_is_none), values in zip(columns, out))
