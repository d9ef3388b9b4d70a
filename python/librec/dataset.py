"""Datasets: interactions between users and items, with their id maps."""
import array
import ctypes
import os

from . import _arrays
from ._lib import lib
from . import _lib

_DUPLICATES = {"last": 0, "first": 1, "sum": 2, "max": 3, "error": 4}
_UNKNOWN_IDS = {"skip": 0, "error": 1}
_SPLITS = {"random": 0, "temporal": 1, "leave_one_out": 2}


def _choice(table, value, name):
    try:
        return table[value]
    except (KeyError, TypeError):
        raise ValueError(f"{name} must be one of {', '.join(table)}; got {value!r}") from None


def _load_options(skip_bad_lines=False, min_rating=None, duplicates="last",
                  unknown_ids="skip"):
    return _lib.options(
        _lib.LoadOptions, skip_bad_lines=int(bool(skip_bad_lines)),
        use_min_rating=int(min_rating is not None),
        min_rating=0.0 if min_rating is None else float(min_rating),
        duplicates=_choice(_DUPLICATES, duplicates, "duplicates"),
        unknown_ids=_choice(_UNKNOWN_IDS, unknown_ids, "unknown_ids"))


def _csv_options(delimiter=",", quote='"', header=True, user_col=0, item_col=1,
                 rating_col=None, time_col=None):
    def char(c, name):
        b = c.encode() if isinstance(c, str) else bytes(c)
        if len(b) != 1:
            raise ValueError(f"{name} must be one character; got {c!r}")
        return b
    return _lib.options(
        _lib.CsvOptions, delimiter=char(delimiter, "delimiter"), quote=char(quote, "quote"),
        has_header=int(bool(header)), user_col=user_col, item_col=item_col,
        rating_col=-1 if rating_col is None else rating_col,
        time_col=-1 if time_col is None else time_col)


def _ref_handle(ref):
    """The rec_dataset handle of `ref`: a Dataset, a Model (its id space) or None."""
    if ref is None:
        return None
    if isinstance(ref, Dataset):
        return ref._handle
    dataset = getattr(ref, "dataset", None)
    if isinstance(dataset, Dataset):
        return dataset._handle
    raise TypeError(f"ref must be a Dataset or a Model, not {type(ref).__name__}")


def _all_ints(values):
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


class Dataset(_lib.Owner):
    """Interactions between users and items, with the maps between the
    caller's external ids (strings) and dense ids 0..n-1. Immutable.

    Create one with from_arrays(), from_csv() or from_adjlist(). The loaders
    share these keyword arguments (rec_load_options):

    - ref: a Dataset or Model whose id space the new dataset shares (test
      data for a model); rows with ids it does not know follow unknown_ids.
    - skip_bad_lines (False): skip and count malformed lines instead of
      raising FormatError.
    - min_rating (None): keep only rows rated at least this much.
    - duplicates ('last'): 'last', 'first', 'sum', 'max' or 'error' for a
      (user, item) pair given more than once.
    - unknown_ids ('skip'): 'skip' or 'error', with ref.

    The C handle is freed by close(), at the end of a `with` block, or when
    the object is garbage collected. Models trained on a dataset keep what
    they need of it, so a dataset may be closed after training.
    """

    def __init__(self, *args, **kwargs):
        raise TypeError("use Dataset.from_arrays(), Dataset.from_csv() or "
                        "Dataset.from_adjlist()")

    @classmethod
    def _wrap(cls, handle, owner=None):
        """A Dataset for a C handle: owned (freed by close()) unless `owner`
        is given, the object whose lifetime bounds a borrowed handle."""
        self = object.__new__(cls)
        self._h = handle
        self._owner = owner
        return self

    @classmethod
    def _create(cls, fn, *args):
        out = ctypes.c_void_p()
        fn(ctypes.byref(out), *args)
        return cls._wrap(out)

    # -- construction ------------------------------------------------------

    @classmethod
    def from_arrays(cls, users, items, ratings=None, timestamps=None, *, ref=None,
                    **load):
        """Interactions (users[r], items[r]) with optional ratings[r] and
        timestamps[r].

        Ids are integers (numpy integer arrays, array.array, or sequences of
        ints; passed as int64) or strings (str or bytes); an integer's
        external id is its decimal form, so both kinds give the same id
        space for the same numbers.
        """
        n = len(users)
        if len(items) != n:
            raise ValueError(f"users and items differ in length ({n} and {len(items)})")
        for name, extra in (("ratings", ratings), ("timestamps", timestamps)):
            if extra is not None and len(extra) != n:
                raise ValueError(f"{name} has {len(extra)} values for {n} interactions")
        opts = _load_options(**load)
        r = _arrays.optional_input(ratings, _arrays.F32, "ratings")
        t = _arrays.optional_input(timestamps, _arrays.F64, "timestamps")
        if cls._integer_ids(users) and cls._integer_ids(items):
            u = _arrays.as_input(users, _arrays.I64, "users")
            i = _arrays.as_input(items, _arrays.I64, "items")
            return cls._create(lib.rec_dataset_from_int_arrays, n, u.ptr, i.ptr, r.ptr,
                               t.ptr, ctypes.byref(opts), _ref_handle(ref))
        u = (ctypes.c_char_p * max(n, 1))(*map(_lib.id_bytes, users))
        i = (ctypes.c_char_p * max(n, 1))(*map(_lib.id_bytes, items))
        return cls._create(lib.rec_dataset_from_arrays, n, u, i, r.ptr, t.ptr,
                           ctypes.byref(opts), _ref_handle(ref))

    @staticmethod
    def _integer_ids(ids):
        np = _arrays.np
        if np is not None and isinstance(ids, np.ndarray):
            return ids.dtype.kind in "iu"
        if isinstance(ids, array.array):
            return ids.typecode in "bBhHiIlLqQ"
        return _all_ints(ids)

    @classmethod
    def from_csv(cls, path, *, delimiter=",", quote='"', header=True, user_col=0,
                 item_col=1, rating_col=None, time_col=None, ref=None, **load):
        """Interactions from a delimited text file (columns are 0-based;
        rating_col and time_col None mean none)."""
        csv = _csv_options(delimiter, quote, header, user_col, item_col, rating_col,
                           time_col)
        opts = _load_options(**load)
        return cls._create(lib.rec_dataset_load_csv, os.fsencode(path), ctypes.byref(csv),
                           ctypes.byref(opts), _ref_handle(ref))

    @classmethod
    def from_adjlist(cls, path, *, ref=None, **load):
        """Interactions from an adjacency-list file: "user item item ..." per
        line (the NGCF / LightGCN Gowalla format)."""
        opts = _load_options(**load)
        return cls._create(lib.rec_dataset_load_adjlist, os.fsencode(path),
                           ctypes.byref(opts), _ref_handle(ref))

    # -- lifetime ----------------------------------------------------------

    @property
    def _handle(self):
        if not self._h or (self._owner is not None and not self._owner._h):
            raise ValueError("the dataset is closed")
        return self._h

    def _release(self, handle):
        # close() frees an owned dataset and only detaches a borrowed one.
        if self._owner is None:
            lib.rec_dataset_free(handle)

    def __repr__(self):
        if not self._h:
            return "<librec.Dataset (closed)>"
        return (f"<librec.Dataset: {self.n_users} users, {self.n_items} items, "
                f"{self.n_interactions} interactions>")

    # -- inspection --------------------------------------------------------

    @property
    def n_users(self):
        return lib.rec_dataset_n_users(self._handle)

    @property
    def n_items(self):
        return lib.rec_dataset_n_items(self._handle)

    @property
    def n_interactions(self):
        return lib.rec_dataset_n_interactions(self._handle)

    def stats(self):
        """What the loader read, kept and left out (rec_dataset_stats) as a dict."""
        s = _lib.DatasetStats(version=_lib.DatasetStats.VERSION)
        lib.rec_dataset_stats_get(self._handle, ctypes.byref(s))
        out = {name: getattr(s, name) for name, _ in s._fields_[1:]}
        out["has_ratings"] = bool(out["has_ratings"])
        out["has_timestamps"] = bool(out["has_timestamps"])
        return out

    def user_id(self, user):
        """External id of a dense user id."""
        out = ctypes.c_char_p()
        lib.rec_dataset_user_id(self._handle, _arrays.scalar(user, _arrays.U32, "user"),
                                ctypes.byref(out))
        return _lib.text(out.value)

    def item_id(self, item):
        """External id of a dense item id."""
        out = ctypes.c_char_p()
        lib.rec_dataset_item_id(self._handle, _arrays.scalar(item, _arrays.U32, "item"),
                                ctypes.byref(out))
        return _lib.text(out.value)

    @property
    def user_ids(self):
        """External ids of all users, in dense order (a list of str)."""
        return [self.user_id(u) for u in range(self.n_users)]

    @property
    def item_ids(self):
        """External ids of all items, in dense order (a list of str)."""
        return [self.item_id(i) for i in range(self.n_items)]

    def find_user(self, user_id):
        """Dense id of an external user id (str or int); NotFound if unknown."""
        out = ctypes.c_uint32()
        lib.rec_dataset_find_user(self._handle, _lib.id_bytes(user_id), ctypes.byref(out))
        return out.value

    def find_item(self, item_id):
        """Dense id of an external item id (str or int); NotFound if unknown."""
        out = ctypes.c_uint32()
        lib.rec_dataset_find_item(self._handle, _lib.id_bytes(item_id), ctypes.byref(out))
        return out.value

    def user_items(self, user):
        """Dense ids of the items of a dense user id, ascending (a copy)."""
        items = _lib.c_u32p()
        n = ctypes.c_size_t()
        lib.rec_dataset_user_items(self._handle, _arrays.scalar(user, _arrays.U32, "user"),
                                   ctypes.byref(items), None, None, ctypes.byref(n))
        out = _arrays.Output(_arrays.U32, n.value)
        ctypes.memmove(out.ptr, items, 4 * n.value)
        return out.result()

    # -- splitting and saving ----------------------------------------------

    def split(self, train_ratio=0.8, method="random", seed=1):
        """(train, test) per user, sharing this dataset's id space. method is
        'random', 'temporal' (needs timestamps) or 'leave_one_out'."""
        opts = _lib.options(_lib.SplitOptions, method=_choice(_SPLITS, method, "method"),
                            train_ratio=float(train_ratio),
                            seed=_arrays.scalar(seed, _arrays.U64, "seed"))
        train, test = ctypes.c_void_p(), ctypes.c_void_p()
        lib.rec_dataset_split(ctypes.byref(train), ctypes.byref(test), self._handle,
                              ctypes.byref(opts))
        return Dataset._wrap(train), Dataset._wrap(test)

    def save_csv(self, path, *, delimiter=",", quote='"', header=True):
        """Writes the interactions as delimited text with external ids."""
        csv = _csv_options(delimiter, quote, header)
        lib.rec_dataset_save_csv(self._handle, os.fsencode(path), ctypes.byref(csv))
