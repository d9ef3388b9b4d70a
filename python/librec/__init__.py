"""librec from Python: train, evaluate and serve recommenders through ctypes.

    import librec
    data = librec.Dataset.from_arrays(users, items)
    train, test = data.split(0.8)
    with librec.Model.train(train, "mf", dim=32, epochs=50) as model:
        print(model.evaluate(test, ks=(10, 20)))
        items, scores = model.recommend(0, k=10)

The shared library is loaded on import: from the path in $LIBREC_LIBRARY,
else from build/lib/ of the source tree this package sits in, else from the
system's library path. numpy is used when it can be imported (arrays in and
out without copies); without it, sequences and array.array work.
python/README.md has the whole guide.
"""
from . import _lib
from ._arrays import np as _np
from .dataset import Dataset
from .errors import (Canceled, Corrupt, FormatError, InvalidArgument, IOError,  # noqa: A004
                     LibrecError, LimitExceeded, NoMemory, NotFound, Unsupported,
                     VersionError)
from .model import (NO_ITEM, BatchRecommendation, Model, Progress, Recommendation,
                    families, family_params, native_batch_available)

__all__ = [
    "Dataset", "Model", "Progress", "Recommendation", "BatchRecommendation", "NO_ITEM",
    "families", "family_params", "native_batch_available", "version", "library_path",
    "has_numpy", "LibrecError", "InvalidArgument", "NoMemory", "IOError", "FormatError",
    "Corrupt", "VersionError", "NotFound", "Unsupported", "Canceled", "LimitExceeded",
]


def version():
    """Version of the loaded library, "MAJOR.MINOR.PATCH"."""
    return _lib.text(_lib.lib.rec_version_string())


def library_path():
    """Where the loaded librec.so came from."""
    return _lib.path


def has_numpy():
    """Whether arrays are numpy arrays (numpy was importable)."""
    return _np is not None
