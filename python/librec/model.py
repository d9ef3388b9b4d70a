"""Models: training, model files, scoring, recommending, fold-in, evaluation."""
import collections
import ctypes
import dataclasses
import math
import numbers
import os

from . import _arrays, _lib, errors
from ._arrays import F32, SIZE, U32
from ._lib import lib
from .dataset import Dataset

#: Set to True to make Model.recommend_batch() loop over recommend() even
#: when the library has rec_model_recommend_batch() (for tests and timing).
FORCE_BATCH_FALLBACK = False

#: REC_NO_ITEM: the item id of an empty slot in recommend_batch() results.
NO_ITEM = _lib.REC_NO_ITEM

Recommendation = collections.namedtuple("Recommendation", "items scores")
Recommendation.__doc__ = """The best items, best first, and their scores."""

BatchRecommendation = collections.namedtuple("BatchRecommendation", "items scores counts")
BatchRecommendation.__doc__ = """Row j holds the best items of users[j] and their
scores; counts[j] of them are filled, the rest are NO_ITEM and -inf."""


def native_batch_available():
    """Whether the loaded library has rec_model_recommend_batch()."""
    return _lib.optional("rec_model_recommend_batch") is not None


@dataclasses.dataclass(frozen=True)
class Progress:
    """One epoch of training, as passed to a progress callback. The fields
    after total_seconds are None with a library that does not report them."""
    epoch: int
    epochs: int
    loss: float
    seconds: float
    total_seconds: float
    evaluated: bool = None
    valid_recall: float = None
    valid_ndcg: float = None
    best_epoch: int = None
    eval_seconds: float = None
    sample_seconds: float = None
    forward_seconds: float = None
    backward_seconds: float = None
    update_seconds: float = None

    @classmethod
    def _from_c(cls, p):
        # Read only the fields of the version the library filled.
        names = _lib.Progress.V1_FIELDS if p.version < 2 else \
            [name for name, _ in _lib.Progress._fields_[1:]]
        fields = {name: getattr(p, name) for name in names}
        if "evaluated" in fields:
            fields["evaluated"] = bool(fields["evaluated"])
        return cls(**fields)


def _param_text(value):
    """A hyperparameter value in the text form rec_train_options_set() reads."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, (list, tuple)) or (_arrays.np is not None and
                                            isinstance(value, _arrays.np.ndarray)):
        return ",".join(repr(float(v)) for v in value)
    raise TypeError(f"a hyperparameter value must be a number, bool, str or a list "
                    f"of numbers, not {type(value).__name__}")


def _recommend_options(exclude_train, blocklist, candidates=None):
    """rec_recommend_options, and the blocklist and candidate arrays it
    points to (None: no blocklist; every item a candidate)."""
    block = _arrays.optional_input(blocklist, U32, "blocklist")
    cand = _arrays.optional_input(candidates, U32, "candidates")
    opts = _lib.options(_lib.RecommendOptions, exclude_train=int(bool(exclude_train)),
                        blocklist=block.ptr, n_blocklist=block.n,
                        candidates=cand.ptr if candidates is not None else None,
                        n_candidates=cand.n)
    return opts, (block, cand)


def _at(out, kind, offset):
    """A pointer `offset` elements into the Output `out`."""
    return ctypes.cast(out.address + offset * ctypes.sizeof(kind.ctype), kind.pointer)


def _ids(values, name):
    """A C array of external ids."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of ids, not a single {type(values).__name__}")
    encoded = [_lib.id_bytes(v) for v in values]
    return (ctypes.c_char_p * max(len(encoded), 1))(*encoded), len(encoded)


_EVAL_PROTOCOLS = {"full": 0, "sampled_uniform": 1, "sampled_popularity": 2}
_SCORING = {0: "dot", 1: "neg_sqdist"}


class Model(_lib.Owner):
    """A trained model: its vectors, id maps and (by default) training
    interactions. Immutable, so any number of threads may score, recommend
    and evaluate with it at once (the C calls release the GIL).

    Create one with Model.train() or Model.load(). Dense ids are 0..n-1
    (dataset.find_user() translates external ones); the *_ext methods take
    and return external ids. The C handle is freed by close(), at the end of
    a `with` block, or when the object is garbage collected; close() must not
    run while another thread still uses the model.
    """

    def __init__(self, *args, **kwargs):
        raise TypeError("use Model.train() or Model.load()")

    @classmethod
    def _wrap(cls, handle):
        self = object.__new__(cls)
        self._h = handle
        return self

    # -- making and saving models -----------------------------------------

    @classmethod
    def train(cls, dataset, family="mf", *, progress=None, validation=None,
              init_model=None, **hyperparameters):
        """Trains a model of `family` ('mf', 'lightgcn', 'ngcf', 'cml',
        'relmf', 'nbpo', 'pop'; families() lists them) on `dataset`.

        hyperparameters are the family's settings by name (family_params()
        lists them), e.g. dim=32, epochs=20, lr=0.05, layer_weights=[1, 1, 1];
        the library validates them. progress(p) is called after every epoch
        with a Progress; a true return value stops training (Canceled), and
        an exception it raises stops training and is raised again here.
        validation is a Dataset in dataset's id space to evaluate during
        training (keeping the best epoch); init_model a Model whose
        embeddings start training (lightgcn, ngcf).

        The model keeps what it needs of `dataset`, which may be closed
        afterwards.
        """
        opts = ctypes.c_void_p()
        lib.rec_train_options_new(ctypes.byref(opts), family.encode())
        failure = []
        try:
            for name, value in hyperparameters.items():
                lib.rec_train_options_set(opts, name.encode(), _param_text(value).encode())
            if validation is not None:
                lib.rec_train_options_set_validation(opts, validation._handle)
            if init_model is not None:
                lib.rec_train_options_set_init_model(opts, init_model._handle)
            if progress is not None:
                def on_epoch(_user_data, p):
                    try:
                        return 1 if progress(Progress._from_c(p.contents)) else 0
                    except BaseException as e:  # noqa: B036 (raised again below)
                        failure.append(e)
                        return 1
                callback = _lib.PROGRESS_FN(on_epoch)  # alive until training ends
                lib.rec_train_options_set_progress(opts, callback, None)
            out = ctypes.c_void_p()
            try:
                lib.rec_model_train(ctypes.byref(out), dataset._handle, opts)
            except errors.Canceled:
                if failure:
                    raise failure[0] from None
                raise
            return cls._wrap(out)
        finally:
            lib.rec_train_options_free(opts)

    @classmethod
    def load(cls, path):
        """Loads a model file (Corrupt, VersionError or IOError if it cannot)."""
        out = ctypes.c_void_p()
        lib.rec_model_load(ctypes.byref(out), os.fsencode(path))
        return cls._wrap(out)

    def save(self, path, keep_interactions=True):
        """Saves the model crash-safely (temporary file and rename).
        keep_interactions=False leaves out the training interactions, after
        which recommend() cannot exclude them."""
        opts = _lib.options(_lib.SaveOptions, keep_interactions=int(bool(keep_interactions)))
        lib.rec_model_save(self._handle, os.fsencode(path), ctypes.byref(opts))

    # -- lifetime ----------------------------------------------------------

    @property
    def _handle(self):
        if not self._h:
            raise ValueError("the model is closed")
        return self._h

    def _release(self, handle):
        lib.rec_model_free(handle)

    def __repr__(self):
        if not self._h:
            return "<librec.Model (closed)>"
        return (f"<librec.Model {self.family}: {self.n_users} users, {self.n_items} items, "
                f"dim {self.dim}>")

    # -- inspection --------------------------------------------------------

    @property
    def n_users(self):
        return lib.rec_model_n_users(self._handle)

    @property
    def n_items(self):
        return lib.rec_model_n_items(self._handle)

    @property
    def dim(self):
        return lib.rec_model_dim(self._handle)

    @property
    def family(self):
        return self.info()["family"]

    @property
    def dataset(self):
        """The model's id maps and training interactions, as a Dataset that
        is valid while the model is open (pass it, or the model itself, as
        `ref` to load data in the model's id space)."""
        return Dataset._wrap(lib.rec_model_dataset(self._handle), owner=self)

    def info(self):
        """Summary of the model (rec_model_info) as a dict."""
        s = _lib.ModelInfo(version=_lib.ModelInfo.VERSION)
        lib.rec_model_info_get(self._handle, ctypes.byref(s))
        out = {name: getattr(s, name) for name, _ in s._fields_[1:]}
        out["family"] = _lib.text(out["family"])
        out["scoring"] = _SCORING.get(out["scoring"], out["scoring"])
        for flag in ("has_item_bias", "has_interactions", "can_fold_in"):
            out[flag] = bool(out[flag])
        return out

    def setting(self, name):
        """A hyperparameter the model was trained with, in text form."""
        for size in (256, 65536):
            buf = ctypes.create_string_buffer(size)
            try:
                lib.rec_model_setting(self._handle, name.encode(), buf, size)
                return _lib.text(buf.value)
            except errors.InvalidArgument:
                if size == 65536:
                    raise

    # -- serving -----------------------------------------------------------

    def score(self, user, items):
        """Scores of (user, items[j]) for a dense user id and dense item ids."""
        user = _arrays.scalar(user, U32, "user")
        it = _arrays.as_input(items, U32, "items")
        out = _arrays.Output(F32, it.n)
        lib.rec_model_score(self._handle, user, it.ptr, it.n, out.ptr)
        return out.result()

    def recommend(self, user, k=10, exclude_train=True, blocklist=None, candidates=None):
        """The k best items for a dense user id, best first (fewer when fewer
        are eligible), without the user's training items unless
        exclude_train is False and without the dense item ids of
        `blocklist`; with `candidates`, only those dense item ids are
        ranked. Returns Recommendation(items, scores)."""
        user = _arrays.scalar(user, U32, "user")
        k = min(_arrays.scalar(k, SIZE, "k"), self.n_items)
        opts, _block = _recommend_options(exclude_train, blocklist, candidates)
        items, scores, n = _arrays.Output(U32, k), _arrays.Output(F32, k), ctypes.c_size_t()
        lib.rec_model_recommend(self._handle, user, k, ctypes.byref(opts), items.ptr,
                                scores.ptr, ctypes.byref(n))
        return Recommendation(items.result(n.value), scores.result(n.value))

    def score_ext(self, user_id, item_ids):
        """score() with external ids (NotFound names the first unknown one)."""
        ids, n = _ids(item_ids, "item_ids")
        out = _arrays.Output(F32, n)
        lib.rec_model_score_ext(self._handle, _lib.id_bytes(user_id), ids, n, out.ptr)
        return out.result()

    def recommend_ext(self, user_id, k=10, exclude_train=True, blocklist=None):
        """recommend() with external ids: the user, the items of `blocklist`
        and the items returned (a list of str) are external ids."""
        k = min(_arrays.scalar(k, SIZE, "k"), self.n_items)
        if blocklist is not None:
            ds = self.dataset
            blocklist = [ds.find_item(i) for i in blocklist]
        opts, _block = _recommend_options(exclude_train, blocklist)
        items = (ctypes.c_char_p * max(k, 1))()
        scores, n = _arrays.Output(F32, k), ctypes.c_size_t()
        lib.rec_model_recommend_ext(self._handle, _lib.id_bytes(user_id), k,
                                    ctypes.byref(opts), items, scores.ptr, ctypes.byref(n))
        # The strings point into the model's id map: copied now.
        return Recommendation([_lib.text(items[j]) for j in range(n.value)],
                              scores.result(n.value))

    def recommend_batch(self, users, k=10, exclude_train=True, blocklist=None, threads=0,
                        candidates=None):
        """recommend() for many dense user ids at once: BatchRecommendation
        whose items and scores have a row of k per user (numpy: arrays of
        shape (len(users), k); without numpy: lists of rows). Slots past
        counts[j] hold NO_ITEM and -inf.

        Uses rec_model_recommend_batch() on `threads` threads (0: all CPUs)
        when the library has it; with an older library, or with
        FORCE_BATCH_FALLBACK set, it loops over the users on this thread,
        with the same results.
        """
        us = _arrays.as_input(users, U32, "users")
        k = _arrays.scalar(k, SIZE, "k")
        threads = _arrays.scalar(threads, U32, "threads")
        n = us.n
        opts, _block = _recommend_options(exclude_train, blocklist, candidates)
        items = _arrays.Output(U32, n * k, fill=NO_ITEM, shape=(n, k))
        scores = _arrays.Output(F32, n * k, fill=-math.inf, shape=(n, k))
        counts = _arrays.Output(SIZE, n, fill=0)
        batch = None if FORCE_BATCH_FALLBACK else _lib.optional("rec_model_recommend_batch")
        if batch is not None:
            batch(self._handle, us.ptr, n, k, ctypes.byref(opts), threads, items.ptr,
                  scores.ptr, counts.ptr)
        else:
            for j in range(n):
                lib.rec_model_recommend(self._handle, us.ptr[j], k, ctypes.byref(opts),
                                        _at(items, U32, j * k), _at(scores, F32, j * k),
                                        _at(counts, SIZE, j))
        return BatchRecommendation(items.result(), scores.result(), counts.result())

    # -- users who were not in training -------------------------------------

    def fold_in(self, items):
        """The vector (dim floats) of a new user who interacted with the given
        dense item ids, for score_vector() and recommend_vector().
        Unsupported for families without fold-in (info()['can_fold_in'])."""
        it = _arrays.as_input(items, U32, "items")
        out = _arrays.Output(F32, self.dim)
        lib.rec_model_fold_in(self._handle, it.ptr, it.n, out.ptr)
        return out.result()

    def _vector(self, vector):
        v = _arrays.as_input(vector, F32, "vector")
        if v.n != self.dim:  # C reads dim floats: a shorter vector would overrun
            raise errors.InvalidArgument(f"vector has {v.n} values; the model's dimension "
                                         f"is {self.dim}", errors.InvalidArgument.code)
        return v

    def score_vector(self, vector, items):
        """score() for a user given by a vector (e.g. from fold_in())."""
        v = self._vector(vector)
        it = _arrays.as_input(items, U32, "items")
        out = _arrays.Output(F32, it.n)
        lib.rec_model_score_vector(self._handle, v.ptr, it.ptr, it.n, out.ptr)
        return out.result()

    def recommend_vector(self, vector, k=10, blocklist=None, candidates=None):
        """recommend() for a user given by a vector. Such a user has no
        training items: pass the items to leave out (e.g. those folded in)
        as blocklist."""
        v = self._vector(vector)
        k = min(_arrays.scalar(k, SIZE, "k"), self.n_items)
        opts, _block = _recommend_options(False, blocklist, candidates)
        items, scores, n = _arrays.Output(U32, k), _arrays.Output(F32, k), ctypes.c_size_t()
        lib.rec_model_recommend_vector(self._handle, v.ptr, k, ctypes.byref(opts), items.ptr,
                                       scores.ptr, ctypes.byref(n))
        return Recommendation(items.result(n.value), scores.result(n.value))

    # -- evaluation --------------------------------------------------------

    def evaluate(self, test, ks=(20,), *, train=None, exclude_train=True,
                 beyond_accuracy=True, protocol="full", sample_negatives=100, seed=1,
                 threads=0):
        """Evaluates on `test` (a Dataset in the model's id space: load it
        with ref=model or ref=the training set) and returns a dict of measure
        name -> value, e.g. {'recall@20': ..., 'ndcg@20': ..., 'auc': ...};
        docs/metrics.md defines them. train gives the items to exclude
        (default: the model's own training interactions); protocol is 'full',
        'sampled_uniform' or 'sampled_popularity'.
        """
        ks = [_arrays.scalar(k, U32, "ks") for k in ks]
        ks_c = (ctypes.c_uint * max(len(ks), 1))(*ks)
        try:
            protocol_c = _EVAL_PROTOCOLS[protocol]
        except KeyError:
            raise ValueError(f"protocol must be one of {', '.join(_EVAL_PROTOCOLS)}; "
                             f"got {protocol!r}") from None
        opts = _lib.options(
            _lib.EvalOptions, ks=ks_c,
            n_ks=len(ks), threads=_arrays.scalar(threads, U32, "threads"),
            exclude_train=int(bool(exclude_train)),
            beyond_accuracy=int(bool(beyond_accuracy)), protocol=protocol_c,
            sample_negatives=_arrays.scalar(sample_negatives, U32, "sample_negatives"),
            seed=_arrays.scalar(seed, _arrays.U64, "seed"))
        ev = ctypes.c_void_p()
        lib.rec_eval_run(ctypes.byref(ev), self._handle,
                         None if train is None else train._handle, test._handle,
                         ctypes.byref(opts))
        try:
            out = {}
            name, value = ctypes.c_char_p(), ctypes.c_double()
            for j in range(lib.rec_eval_count(ev)):
                lib.rec_eval_at(ev, j, ctypes.byref(name), ctypes.byref(value))
                out[_lib.text(name.value)] = value.value
            return out
        finally:
            lib.rec_eval_free(ev)


def families():
    """Names of the model families this library trains."""
    names = []
    while True:
        name = lib.rec_family_name(len(names))
        if name is None:
            return names
        names.append(_lib.text(name))


def family_params(family):
    """The hyperparameters of a family: a list of dicts with name, type,
    default, range and help."""
    params = []
    while True:
        info = _lib.ParamInfo(version=_lib.ParamInfo.VERSION)
        try:
            lib.rec_family_param(family.encode(), len(params), ctypes.byref(info))
        except errors.NotFound:
            if not params and family not in families():
                raise  # an unknown family, not the end of its table
            return params
        params.append({"name": _lib.text(info.name), "type": _lib.text(info.type),
                       "default": _lib.text(info.default_value),
                       "range": _lib.text(info.range), "help": _lib.text(info.help)})
