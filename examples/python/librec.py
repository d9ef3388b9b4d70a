"""Minimal ctypes binding for librec: load a saved model, score and recommend.

Only the serving calls are bound here; see include/librec/librec.h for the
full C API. The library is found through the LIBREC_PATH environment
variable (a path to librec.so), else through the system's library search.
"""
import ctypes
import ctypes.util
import os

REC_OK = 0


class LibrecError(RuntimeError):
    """A librec call failed; the message is rec_last_error()'s detail."""


def _load_library():
    path = os.environ.get("LIBREC_PATH") or ctypes.util.find_library("rec")
    if not path:
        raise OSError("librec not found: set LIBREC_PATH to the path of librec.so")
    lib = ctypes.CDLL(path)
    u32p = ctypes.POINTER(ctypes.c_uint32)
    f32p = ctypes.POINTER(ctypes.c_float)
    sizep = ctypes.POINTER(ctypes.c_size_t)
    lib.rec_version_string.restype = ctypes.c_char_p
    lib.rec_last_error.restype = ctypes.c_char_p
    lib.rec_strerror.restype = ctypes.c_char_p
    lib.rec_strerror.argtypes = [ctypes.c_int]
    lib.rec_model_load.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p]
    lib.rec_model_free.argtypes = [ctypes.c_void_p]
    lib.rec_model_free.restype = None
    for name in ("rec_model_n_users", "rec_model_n_items", "rec_model_dim"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
        getattr(lib, name).restype = ctypes.c_size_t
    lib.rec_model_dataset.argtypes = [ctypes.c_void_p]
    lib.rec_model_dataset.restype = ctypes.c_void_p
    lib.rec_dataset_find_user.argtypes = [ctypes.c_void_p, ctypes.c_char_p, u32p]
    lib.rec_dataset_find_item.argtypes = [ctypes.c_void_p, ctypes.c_char_p, u32p]
    lib.rec_dataset_item_id.argtypes = [ctypes.c_void_p, ctypes.c_uint32,
                                        ctypes.POINTER(ctypes.c_char_p)]
    lib.rec_model_score.argtypes = [ctypes.c_void_p, ctypes.c_uint32, u32p,
                                    ctypes.c_size_t, f32p]
    lib.rec_model_recommend.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_size_t,
                                        ctypes.c_void_p, u32p, f32p, sizep]
    return lib


_lib = _load_library()


def _check(rc, what):
    if rc != REC_OK:
        detail = _lib.rec_last_error().decode("utf-8", "replace")
        name = _lib.rec_strerror(rc).decode()
        raise LibrecError(f"{what}: {detail or name}")


def version():
    return _lib.rec_version_string().decode()


class Model:
    """A saved librec model, read-only; safe to share between threads."""

    def __init__(self, path):
        self._h = ctypes.c_void_p()
        _check(_lib.rec_model_load(ctypes.byref(self._h), os.fsencode(path)),
               f"loading {path}")
        self._ds = _lib.rec_model_dataset(self._h)

    def close(self):
        if self._h:
            _lib.rec_model_free(self._h)
            self._h = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    @property
    def n_users(self):
        return _lib.rec_model_n_users(self._h)

    @property
    def n_items(self):
        return _lib.rec_model_n_items(self._h)

    @property
    def dim(self):
        return _lib.rec_model_dim(self._h)

    def user_index(self, user_id):
        """Dense index of an external user id (a str or an int)."""
        out = ctypes.c_uint32()
        _check(_lib.rec_dataset_find_user(self._ds, str(user_id).encode(), ctypes.byref(out)),
               "user")
        return out.value

    def item_index(self, item_id):
        out = ctypes.c_uint32()
        _check(_lib.rec_dataset_find_item(self._ds, str(item_id).encode(), ctypes.byref(out)),
               "item")
        return out.value

    def item_id(self, index):
        out = ctypes.c_char_p()
        _check(_lib.rec_dataset_item_id(self._ds, index, ctypes.byref(out)), "item index")
        return out.value.decode()

    def score(self, user, items):
        """Scores of (user, item) for dense indices; returns a list of floats."""
        n = len(items)
        arr = (ctypes.c_uint32 * n)(*items)
        out = (ctypes.c_float * n)()
        _check(_lib.rec_model_score(self._h, user, arr, n, out), "score")
        return list(out)

    def recommend(self, user, k=10):
        """The k best (dense item index, score) pairs for a dense user index,
        training items excluded."""
        items = (ctypes.c_uint32 * max(k, 1))()
        scores = (ctypes.c_float * max(k, 1))()
        n = ctypes.c_size_t()
        _check(_lib.rec_model_recommend(self._h, user, k, None, items, scores,
                                        ctypes.byref(n)), "recommend")
        return [(items[j], scores[j]) for j in range(n.value)]
