"""Arrays between Python and C, with or without numpy.

With numpy, inputs that already are one-dimensional, C-contiguous, aligned
arrays of the C type (uint32 ids, float32 values, int64 integer ids, float64
timestamps) reach C without a copy; anything else is converted once. Outputs
are numpy arrays. Without numpy, inputs are sequences or array.array (an
array.array of the C type is passed without a copy) and outputs are
array.array.

Integers are range-checked before they are narrowed: ctypes would wrap
2**32 to 0 silently, and that would be a valid id.
"""
import array
import ctypes
import numbers
import operator

from . import errors

try:
    import numpy as np
except ImportError:
    np = None


class Kind:
    def __init__(self, ctype, typecodes, dtype, lo=None, hi=None):
        self.ctype = ctype
        self.pointer = ctypes.POINTER(ctype)
        size = ctypes.sizeof(ctype)
        self.typecode = next(t for t in typecodes if array.array(t).itemsize == size)
        self.dtype = dtype
        self.lo, self.hi = lo, hi

    @property
    def integer(self):
        return self.lo is not None


U32 = Kind(ctypes.c_uint32, "IL", "uint32", 0, 2**32 - 1)
I64 = Kind(ctypes.c_int64, "ql", "int64", -2**63, 2**63 - 1)
F32 = Kind(ctypes.c_float, "f", "float32")
F64 = Kind(ctypes.c_double, "d", "float64")
U64 = Kind(ctypes.c_uint64, "QL", "uint64", 0, 2**64 - 1)
SIZE = Kind(ctypes.c_size_t, "LQI", "uintp", 0, 2**(8 * ctypes.sizeof(ctypes.c_size_t)) - 1)


def _out_of_range(name, value, kind):
    return errors.InvalidArgument(f"{name}: {value} is outside [{kind.lo}, {kind.hi}]",
                                  errors.InvalidArgument.code)


def scalar(x, kind, name):
    """An integer argument, range-checked for `kind`."""
    if isinstance(x, bool):
        raise TypeError(f"{name} must be an integer, not bool")
    v = operator.index(x)
    if not kind.lo <= v <= kind.hi:
        raise _out_of_range(name, v, kind)
    return v


class CArray:
    """A C view of one input array: `ptr` (a ctypes pointer or array, never
    NULL), `n`, and what must stay alive while C reads it."""

    __slots__ = ("ptr", "n", "_keep")

    def __init__(self, ptr, n, keep):
        self.ptr, self.n, self._keep = ptr, n, keep


def _numpy_input(seq, kind, name):
    a = np.asarray(seq)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, not of shape {a.shape}")
    n = a.size
    if n and a.dtype != np.dtype(kind.dtype):
        allowed = "iu" if kind.integer else "iuf"
        if a.dtype.kind not in allowed:
            what = "integers" if kind.integer else "numbers"
            raise TypeError(f"{name} must hold {what}, not {a.dtype}")
        if kind.integer:
            lo, hi = int(a.min()), int(a.max())
            if lo < kind.lo:
                raise _out_of_range(name, lo, kind)
            if hi > kind.hi:
                raise _out_of_range(name, hi, kind)
    # No copy when `a` already has the dtype and is contiguous and aligned.
    a = np.require(a, dtype=kind.dtype, requirements=("C", "A")) if n else \
        np.zeros(1, dtype=kind.dtype)
    return CArray(a.ctypes.data_as(kind.pointer), n, a)


def _plain_input(seq, kind, name):
    if isinstance(seq, array.array) and seq.typecode == kind.typecode and len(seq):
        # A ctypes array passes where C wants a pointer; ctypes.cast() would
        # hold the export of seq's buffer in a reference cycle, and seq
        # could not grow until the garbage collector ran.
        buf = (kind.ctype * len(seq)).from_buffer(seq)
        return CArray(buf, len(seq), buf)
    values = list(seq)
    for j, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, numbers.Real if not kind.integer
                                                 else numbers.Integral):
            what = "integers" if kind.integer else "numbers"
            raise TypeError(f"{name} must hold {what}; {name}[{j}] is {v!r}")
        if kind.integer:
            values[j] = operator.index(v)
            if not kind.lo <= values[j] <= kind.hi:
                raise _out_of_range(f"{name}[{j}]", values[j], kind)
    buf = (kind.ctype * max(len(values), 1))(*values)
    return CArray(buf, len(values), buf)


def as_input(seq, kind, name):
    """A CArray over `seq` for C to read."""
    if isinstance(seq, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, not {type(seq).__name__}")
    if np is not None:
        return _numpy_input(seq, kind, name)
    return _plain_input(seq, kind, name)


def optional_input(seq, kind, name):
    """as_input(), or a NULL pointer for None."""
    if seq is None:
        return CArray(None, 0, None)
    return as_input(seq, kind, name)


class Output:
    """An array of n values (rows x cols with `shape`) for C to write through
    `ptr`; result() gives it back as numpy or array.array."""

    def __init__(self, kind, n, fill=None, shape=None):
        self.n, self.shape = n, shape
        size = max(n, 1)  # never a NULL pointer, even for no values
        if np is not None:
            a = np.empty(size, dtype=kind.dtype) if fill is None else \
                np.full(size, fill, dtype=kind.dtype)
            self.ptr = a.ctypes.data_as(kind.pointer)
        else:
            a = array.array(kind.typecode, [0 if fill is None else fill]) * size
            self.ptr = (kind.ctype * size).from_buffer(a)  # no cast(): see _plain_input
        self._array = a

    @property
    def address(self):
        """The address of the first value."""
        if isinstance(self.ptr, ctypes.Array):
            return ctypes.addressof(self.ptr)
        return self._array.ctypes.data

    def result(self, n=None):
        """The values C wrote, the first n of them if n is given. Without
        numpy a matrix comes back as a list of rows."""
        self.ptr = None  # ends the buffer export of an array.array
        n = self.n if n is None else n
        a = self._array
        if np is not None:
            return a[:n].reshape(self.shape) if self.shape else a[:n]
        if self.shape:
            rows, cols = self.shape
            return [a[r * cols:(r + 1) * cols] for r in range(rows)]
        return a if n == len(a) else a[:n]
