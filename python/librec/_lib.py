"""Finding librec.so and declaring the C functions and structs.

Every function that returns a status is declared with an errcheck that turns
a non-zero status into a LibrecError, so no C failure can pass unnoticed.
Option structs are filled here with the values of the header's REC_*_INIT
macros, not with the rec_*_init() functions: those write the library's own
(possibly newer and larger) struct, while a struct whose `version` field says
what it holds stays valid with any later library.
"""
import ctypes
import ctypes.util
import operator
import os

from . import errors

# --------------------------------------------------------------------------
# Finding and loading the library
# --------------------------------------------------------------------------

#: Environment variable naming the shared library to load (a path).
LIBRARY_ENV = "LIBREC_LIBRARY"


def _build_tree_library():
    """Where build/lib/librec.so is when this package is the python/librec/
    of a source tree (meson's build directory named `build`)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, "build", "lib", "librec.so")


def _load():
    tried = []
    explicit = os.environ.get(LIBRARY_ENV)
    if explicit:
        try:
            return ctypes.CDLL(explicit), explicit
        except OSError as e:
            # A library named explicitly is the one wanted: never fall back
            # to another one silently.
            raise ImportError(f"librec: cannot load {explicit} (from ${LIBRARY_ENV}): {e}") from e
    tried.append(f"${LIBRARY_ENV} (not set)")
    local = _build_tree_library()
    if os.path.exists(local):
        try:
            return ctypes.CDLL(local), local
        except OSError as e:
            tried.append(f"{local} ({e})")
    else:
        tried.append(f"{local} (no such file)")
    name = ctypes.util.find_library("rec")
    if name:
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            tried.append(f"system library {name} ({e})")
    else:
        tried.append("the system's libraries (ctypes.util.find_library('rec') found none)")
    raise ImportError("librec: cannot find librec.so; looked at: " + "; ".join(tried)
                      + f". Build it (meson setup build && ninja -C build) or set "
                      f"{LIBRARY_ENV} to its path.")


lib, path = _load()

# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class Owner:
    """Base of the classes that own a C handle `_h`: close(), the end of a
    `with` block or garbage collection releases it, once."""

    _h = None

    def _release(self, handle):
        raise NotImplementedError

    def close(self):
        """Releases the C handle. Idempotent."""
        h, self._h = self._h, None
        if h:
            self._release(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the module may be gone
            pass


def text(b):
    """A C string from the library as str (None stays None)."""
    return None if b is None else b.decode("utf-8", "replace")


def _errcheck(status, func, args):
    if status != 0:
        # Read right away: the message is the calling thread's, and the next
        # librec call may replace it.
        detail = text(lib.rec_last_error())
        name = text(lib.rec_strerror(status))
        raise errors.from_status(status, detail or f"{func.__name__}: {name}",
                                 func.__name__, name)
    return status


# --------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------

c_u32p = ctypes.POINTER(ctypes.c_uint32)
c_i64p = ctypes.POINTER(ctypes.c_int64)
c_f32p = ctypes.POINTER(ctypes.c_float)
c_f64p = ctypes.POINTER(ctypes.c_double)
c_sizep = ctypes.POINTER(ctypes.c_size_t)
c_strp = ctypes.POINTER(ctypes.c_char_p)
handle = ctypes.c_void_p
handlep = ctypes.POINTER(ctypes.c_void_p)

REC_NO_ITEM = 0xFFFFFFFF


class LoadOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("skip_bad_lines", ctypes.c_int),
                ("use_min_rating", ctypes.c_int), ("min_rating", ctypes.c_double),
                ("duplicates", ctypes.c_int), ("unknown_ids", ctypes.c_int)]
    DEFAULTS = (1, 0, 0, 0.0, 0, 0)


class CsvOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("delimiter", ctypes.c_char),
                ("quote", ctypes.c_char), ("has_header", ctypes.c_int),
                ("user_col", ctypes.c_int), ("item_col", ctypes.c_int),
                ("rating_col", ctypes.c_int), ("time_col", ctypes.c_int)]
    DEFAULTS = (1, b",", b'"', 1, 0, 1, -1, -1)


class SplitOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("method", ctypes.c_int),
                ("train_ratio", ctypes.c_double), ("seed", ctypes.c_uint64)]
    DEFAULTS = (1, 0, 0.8, 1)


class RecommendOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("exclude_train", ctypes.c_int),
                ("blocklist", c_u32p), ("n_blocklist", ctypes.c_size_t),
                # version 2
                ("candidates", c_u32p), ("n_candidates", ctypes.c_size_t)]
    DEFAULTS = (2, 1, None, 0, None, 0)


class EvalOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("ks", ctypes.POINTER(ctypes.c_uint)),
                ("n_ks", ctypes.c_size_t), ("threads", ctypes.c_uint),
                ("exclude_train", ctypes.c_int),
                # version 2
                ("beyond_accuracy", ctypes.c_int), ("protocol", ctypes.c_int),
                ("sample_negatives", ctypes.c_uint), ("seed", ctypes.c_uint64),
                ("n_catalog", ctypes.c_size_t), ("item_counts", c_u32p),
                ("n_train_users", ctypes.c_size_t)]
    DEFAULTS = (2, None, 0, 0, 1, 1, 0, 100, 1, 0, None, 0)


class SaveOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("keep_interactions", ctypes.c_int)]
    DEFAULTS = (1, 1)


class DatasetStats(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32)] + [
        (name, ctypes.c_size_t) for name in (
            "n_users", "n_items", "n_interactions", "rows_read", "rows_skipped",
            "rows_below_min_rating", "rows_duplicate", "rows_unknown_user",
            "rows_unknown_item", "users_without_items")] + [
        ("has_ratings", ctypes.c_int), ("has_timestamps", ctypes.c_int)]
    VERSION = 1


class ModelInfo(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("family", ctypes.c_char_p),
                ("n_users", ctypes.c_size_t), ("n_items", ctypes.c_size_t),
                ("dim", ctypes.c_size_t), ("scoring", ctypes.c_int),
                ("has_item_bias", ctypes.c_int), ("has_interactions", ctypes.c_int),
                ("n_interactions", ctypes.c_size_t), ("epochs", ctypes.c_uint),
                ("final_loss", ctypes.c_double),
                # version 2
                ("best_epoch", ctypes.c_uint), ("eval_k", ctypes.c_uint),
                ("valid_recall", ctypes.c_double), ("valid_ndcg", ctypes.c_double),
                ("can_fold_in", ctypes.c_int)]
    VERSION = 2


class ParamInfo(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("name", ctypes.c_char_p),
                ("type", ctypes.c_char_p), ("default_value", ctypes.c_char_p),
                ("range", ctypes.c_char_p), ("help", ctypes.c_char_p)]
    VERSION = 1


class Progress(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("epoch", ctypes.c_uint),
                ("epochs", ctypes.c_uint), ("loss", ctypes.c_double),
                ("seconds", ctypes.c_double), ("total_seconds", ctypes.c_double),
                # version 2
                ("evaluated", ctypes.c_int), ("valid_recall", ctypes.c_double),
                ("valid_ndcg", ctypes.c_double), ("best_epoch", ctypes.c_uint),
                ("eval_seconds", ctypes.c_double), ("sample_seconds", ctypes.c_double),
                ("forward_seconds", ctypes.c_double), ("backward_seconds", ctypes.c_double),
                ("update_seconds", ctypes.c_double)]
    V1_FIELDS = ("epoch", "epochs", "loss", "seconds", "total_seconds")


def options(struct_type, **fields):
    """A struct holding the header's REC_*_INIT defaults, then `fields`."""
    s = struct_type(*struct_type.DEFAULTS)
    for name, value in fields.items():
        setattr(s, name, value)
    return s


PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(Progress))

# --------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------

_I, _Z, _V = ctypes.c_int, ctypes.c_size_t, None

# name: (restype, argtypes); restype c_int means "a status, checked".
_FUNCTIONS = {
    "rec_version_string": (ctypes.c_char_p, []),
    "rec_version_number": (ctypes.c_uint, []),
    "rec_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "rec_last_error": (ctypes.c_char_p, []),
    # datasets
    "rec_dataset_load_csv": (_I, [handlep, ctypes.c_char_p, ctypes.POINTER(CsvOptions),
                                  ctypes.POINTER(LoadOptions), handle]),
    "rec_dataset_load_adjlist": (_I, [handlep, ctypes.c_char_p,
                                      ctypes.POINTER(LoadOptions), handle]),
    "rec_dataset_from_arrays": (_I, [handlep, _Z, c_strp, c_strp, c_f32p, c_f64p,
                                     ctypes.POINTER(LoadOptions), handle]),
    "rec_dataset_from_int_arrays": (_I, [handlep, _Z, c_i64p, c_i64p, c_f32p, c_f64p,
                                         ctypes.POINTER(LoadOptions), handle]),
    "rec_dataset_free": (_V, [handle]),
    "rec_dataset_n_users": (_Z, [handle]),
    "rec_dataset_n_items": (_Z, [handle]),
    "rec_dataset_n_interactions": (_Z, [handle]),
    "rec_dataset_user_items": (_I, [handle, ctypes.c_uint32, ctypes.POINTER(c_u32p),
                                    ctypes.POINTER(c_f32p), ctypes.POINTER(c_f64p), c_sizep]),
    "rec_dataset_item_users": (_I, [handle, ctypes.c_uint32, ctypes.POINTER(c_u32p),
                                    c_sizep]),
    "rec_dataset_user_id": (_I, [handle, ctypes.c_uint32, c_strp]),
    "rec_dataset_item_id": (_I, [handle, ctypes.c_uint32, c_strp]),
    "rec_dataset_find_user": (_I, [handle, ctypes.c_char_p, c_u32p]),
    "rec_dataset_find_item": (_I, [handle, ctypes.c_char_p, c_u32p]),
    "rec_dataset_stats_get": (_I, [handle, ctypes.POINTER(DatasetStats)]),
    "rec_dataset_split": (_I, [handlep, handlep, handle, ctypes.POINTER(SplitOptions)]),
    "rec_dataset_save_csv": (_I, [handle, ctypes.c_char_p, ctypes.POINTER(CsvOptions)]),
    # families and training
    "rec_family_name": (ctypes.c_char_p, [_Z]),
    "rec_family_param": (_I, [ctypes.c_char_p, _Z, ctypes.POINTER(ParamInfo)]),
    "rec_train_options_new": (_I, [handlep, ctypes.c_char_p]),
    "rec_train_options_set": (_I, [handle, ctypes.c_char_p, ctypes.c_char_p]),
    "rec_train_options_get": (_I, [handle, ctypes.c_char_p, ctypes.c_char_p, _Z]),
    "rec_train_options_set_progress": (_I, [handle, PROGRESS_FN, ctypes.c_void_p]),
    "rec_train_options_set_validation": (_I, [handle, handle]),
    "rec_train_options_set_init_model": (_I, [handle, handle]),
    "rec_train_options_free": (_V, [handle]),
    "rec_model_train": (_I, [handlep, handle, handle]),
    "rec_model_free": (_V, [handle]),
    # models
    "rec_model_n_users": (_Z, [handle]),
    "rec_model_n_items": (_Z, [handle]),
    "rec_model_dim": (_Z, [handle]),
    "rec_model_dataset": (handle, [handle]),
    "rec_model_info_get": (_I, [handle, ctypes.POINTER(ModelInfo)]),
    "rec_model_setting": (_I, [handle, ctypes.c_char_p, ctypes.c_char_p, _Z]),
    "rec_model_save": (_I, [handle, ctypes.c_char_p, ctypes.POINTER(SaveOptions)]),
    "rec_model_load": (_I, [handlep, ctypes.c_char_p]),
    # serving
    "rec_model_score": (_I, [handle, ctypes.c_uint32, c_u32p, _Z, c_f32p]),
    "rec_model_recommend": (_I, [handle, ctypes.c_uint32, _Z,
                                 ctypes.POINTER(RecommendOptions), c_u32p, c_f32p, c_sizep]),
    "rec_model_score_ext": (_I, [handle, ctypes.c_char_p, c_strp, _Z, c_f32p]),
    "rec_model_recommend_ext": (_I, [handle, ctypes.c_char_p, _Z,
                                     ctypes.POINTER(RecommendOptions), c_strp, c_f32p,
                                     c_sizep]),
    "rec_model_fold_in": (_I, [handle, c_u32p, _Z, c_f32p]),
    "rec_model_score_vector": (_I, [handle, c_f32p, c_u32p, _Z, c_f32p]),
    "rec_model_recommend_vector": (_I, [handle, c_f32p, _Z,
                                        ctypes.POINTER(RecommendOptions), c_u32p, c_f32p,
                                        c_sizep]),
    # evaluation
    "rec_eval_run": (_I, [handlep, handle, handle, handle, ctypes.POINTER(EvalOptions)]),
    "rec_eval_count": (_Z, [handle]),
    "rec_eval_at": (_I, [handle, _Z, c_strp, c_f64p]),
    "rec_eval_free": (_V, [handle]),
}

# Functions that newer libraries have and older ones may lack: bound on
# first use by optional(), which returns None when the symbol is missing.
_OPTIONAL = {
    # Being added next to rec_model_recommend: users[j]'s k best items in row
    # j of items and scores, REC_NO_ITEM / -inf past n_out[j].
    "rec_model_recommend_batch": (_I, [handle, c_u32p, _Z, _Z,
                                       ctypes.POINTER(RecommendOptions), ctypes.c_uint,
                                       c_u32p, c_f32p, c_sizep]),
}


def _declare(f, restype, argtypes):
    f.restype = restype
    f.argtypes = argtypes
    if restype is ctypes.c_int:
        f.errcheck = _errcheck
    return f


def _declare_all():
    missing = []
    for name, (restype, argtypes) in _FUNCTIONS.items():
        try:
            _declare(getattr(lib, name), restype, argtypes)
        except AttributeError:
            missing.append(name)
    if missing:
        raise ImportError(f"librec: {path} is not a librec this package can use: it lacks "
                          f"{', '.join(missing)} (an older version?). Set {LIBRARY_ENV} "
                          f"to the path of a current librec.so.")


_declare_all()

_optional_cache = {}


def optional(name):
    """The C function `name` of _OPTIONAL, declared, or None if the loaded
    library does not export it."""
    if name not in _optional_cache:
        try:
            f = _declare(getattr(lib, name), *_OPTIONAL[name])
        except AttributeError:
            f = None
        _optional_cache[name] = f
    return _optional_cache[name]


def stand_in(name, function):
    """A C function pointer with the declared signature of the optional
    function `name` that calls the Python `function`: what a test installs
    (in _optional_cache) to run the code path of a function the loaded
    library does not have yet."""
    restype, argtypes = _OPTIONAL[name]
    f = ctypes.CFUNCTYPE(restype, *argtypes)(function)
    f.__name__ = name
    return _declare(f, restype, argtypes)


def id_bytes(x):
    """An external id (str, bytes or int) as the NUL-terminated bytes C wants."""
    if isinstance(x, bytes):
        s = x
    elif isinstance(x, str):
        s = x.encode("utf-8")
    elif isinstance(x, int) and not isinstance(x, bool):
        s = str(x).encode()
    else:
        try:
            s = str(operator.index(x)).encode()
        except TypeError:
            raise TypeError(f"an id must be a str, bytes or int, not {type(x).__name__}") from None
    if b"\0" in s:
        raise ValueError(f"an id must not contain NUL: {s!r}")
    return s
