"""Tests of the Python package python/librec against the built library.

    python_binding_test.py --numpy      with numpy (skipped, exit 77, without it)
    python_binding_test.py --no-numpy   with numpy hidden from the package

The package is found on PYTHONPATH and the library through LIBREC_LIBRARY,
as tests/meson.build sets them. The data are generated here.
"""
import array
import contextlib
import ctypes
import ctypes.util
import io
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import unittest
from unittest import mock

MODE = sys.argv.pop(1) if len(sys.argv) > 1 and sys.argv[1].startswith("--") and \
    sys.argv[1] in ("--numpy", "--no-numpy") else "--numpy"
if MODE == "--no-numpy":
    sys.modules["numpy"] = None  # `import numpy` now raises ImportError
    np = None
else:
    try:
        import numpy as np
    except ImportError:
        print("numpy is not importable: skipping the numpy run")
        sys.exit(77)

import librec  # noqa: E402
from librec import _arrays, _lib  # noqa: E402


def interactions(n_users=80, n_items=50, per_user=10, seed=7):
    """Users' item lists with a popularity skew, ratings and timestamps."""
    rnd = random.Random(seed)
    users, items, ratings, times = [], [], [], []
    for u in range(n_users):
        chosen = set()
        while len(chosen) < per_user:
            chosen.add(min(int(rnd.expovariate(1 / 12)), n_items - 1) if rnd.random() < 0.7
                       else rnd.randrange(n_items))
        for t, i in enumerate(sorted(chosen)):
            users.append(u)
            items.append(i)
            ratings.append(float(1 + (u + i) % 5))
            times.append(float(1000 * u + t))
    return users, items, ratings, times


def as_list(a):
    return [x for x in a]


def rows(m):
    """A matrix result (numpy 2-D or a list of rows) as lists."""
    return [as_list(r) for r in m]


class Data:
    """One dataset, split, and an MF and a LightGCN model on it."""
    _made = None

    @classmethod
    def get(cls):
        if cls._made is None:
            d = cls()
            d.users, d.items, d.ratings, d.times = interactions()
            d.all = librec.Dataset.from_arrays(d.users, d.items)
            d.train, d.test = d.all.split(0.8, seed=3)
            d.mf = librec.Model.train(d.train, "mf", dim=8, epochs=15, threads=1, seed=1)
            d.graph = librec.Model.train(d.train, "lightgcn", dim=8, epochs=3, layers=2,
                                         threads=1, seed=1)
            cls._made = d
        return cls._made


class TestLibrary(unittest.TestCase):
    def test_version(self):
        self.assertRegex(librec.version(), r"^\d+\.\d+\.\d+$")

    def test_loaded_the_library_named_by_the_environment(self):
        self.assertEqual(librec.library_path(), os.environ["LIBREC_LIBRARY"])

    def test_numpy_mode(self):
        self.assertEqual(librec.has_numpy(), MODE == "--numpy")

    def _import_in_subprocess(self, env, pythonpath):
        env = {k: v for k, v in os.environ.items() if k != "LIBREC_LIBRARY"} | env
        env["PYTHONPATH"] = pythonpath
        return subprocess.run([sys.executable, "-c", "import librec; print(librec.library_path())"],
                              env=env, capture_output=True, text=True)

    def test_a_missing_named_library_is_an_import_error_naming_it(self):
        package_dir = os.path.dirname(os.path.dirname(librec.__file__))
        p = self._import_in_subprocess({"LIBREC_LIBRARY": "/no/such/librec.so"}, package_dir)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ImportError", p.stderr)
        self.assertIn("/no/such/librec.so", p.stderr)
        self.assertIn("LIBREC_LIBRARY", p.stderr)

    def test_without_the_variable_it_looks_in_the_build_tree_then_the_system(self):
        package_dir = os.path.dirname(os.path.dirname(librec.__file__))
        in_tree = os.path.join(os.path.dirname(package_dir), "build", "lib", "librec.so")
        if os.path.exists(in_tree):
            p = self._import_in_subprocess({}, package_dir)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.strip(), in_tree)
        # A copy of the package outside any source tree: the system's librec
        # if there is one, else a message listing every place it looked.
        system = ctypes.util.find_library("rec")
        with tempfile.TemporaryDirectory() as d:
            subprocess.run(["cp", "-r", os.path.dirname(librec.__file__), d], check=True)
            p = self._import_in_subprocess({}, d)
            if system is None:
                self.assertNotEqual(p.returncode, 0)
                self.assertIn("LIBREC_LIBRARY", p.stderr)
                self.assertIn(os.path.join(os.path.dirname(d), "build", "lib", "librec.so"),
                              p.stderr)
                self.assertIn("find_library", p.stderr)
            elif p.returncode == 0:
                self.assertEqual(p.stdout.strip(), system)
            else:  # a librec that is not this one, e.g. an older version
                self.assertIn(f"librec: {system} is not a librec this package can use",
                              p.stderr)

    def test_families_and_their_parameters(self):
        self.assertIn("mf", librec.families())
        names = [p["name"] for p in librec.family_params("mf")]
        self.assertIn("dim", names)
        self.assertEqual(librec.family_params("pop"), [])
        with self.assertRaises(librec.NotFound):
            librec.family_params("no-such-family")

    def test_option_structs_match_the_library_defaults(self):
        # The package fills option structs with the header's INIT values;
        # the library's rec_*_init() must agree field by field, which also
        # checks the structs' layout.
        for struct, fn in ((_lib.LoadOptions, "rec_load_options_init"),
                           (_lib.CsvOptions, "rec_csv_options_init"),
                           (_lib.SplitOptions, "rec_split_options_init"),
                           (_lib.RecommendOptions, "rec_recommend_options_init"),
                           (_lib.EvalOptions, "rec_eval_options_init"),
                           (_lib.SaveOptions, "rec_save_options_init")):
            buf = ctypes.create_string_buffer(1024)  # room for a newer, larger struct
            init = getattr(_lib.lib, fn)
            init.argtypes = [ctypes.c_void_p]
            init.restype = ctypes.c_int
            self.assertEqual(init(buf), 0)
            theirs = struct.from_buffer(buf)
            ours = _lib.options(struct)
            for name, ctype in struct._fields_:
                a, b = getattr(ours, name), getattr(theirs, name)
                if isinstance(a, ctypes._Pointer):
                    a, b = bool(a), bool(b)
                self.assertEqual(a, b, f"{struct.__name__}.{name}")


class TestReadme(unittest.TestCase):
    def test_the_example_of_python_readme_runs(self):
        package_dir = os.path.dirname(os.path.dirname(librec.__file__))
        with open(os.path.join(package_dir, "README.md")) as f:
            code = f.read().split("```python\n", 1)[1].split("```", 1)[0]
        here = os.getcwd()
        with tempfile.TemporaryDirectory() as d:
            os.chdir(d)  # it saves model.rec
            try:
                with contextlib.redirect_stdout(io.StringIO()) as out:
                    exec(compile(code, "python/README.md", "exec"), {})
            finally:
                os.chdir(here)
        self.assertIn("recall@2", out.getvalue())


class TestErrors(unittest.TestCase):
    def test_every_status_has_its_class_and_the_library_message(self):
        d = Data.get()
        with self.assertRaises(librec.InvalidArgument) as cm:
            d.mf.recommend(10**6)
        e = cm.exception
        self.assertIsInstance(e, librec.LibrecError)
        self.assertIsInstance(e, ValueError)
        self.assertEqual(e.code, -1)
        self.assertEqual(e.function, "rec_model_recommend")
        self.assertIn("out of range", str(e))
        for cls, code in ((librec.InvalidArgument, -1), (librec.NoMemory, -2),
                          (librec.IOError, -3), (librec.FormatError, -4),
                          (librec.Corrupt, -5), (librec.VersionError, -6),
                          (librec.NotFound, -7), (librec.Unsupported, -8),
                          (librec.Canceled, -9), (librec.LimitExceeded, -10)):
            self.assertIs(type(librec.errors.from_status(code, "m")), cls)
            self.assertEqual(cls.code, code)
        self.assertIs(type(librec.errors.from_status(-99, "m")), librec.LibrecError)
        self.assertTrue(issubclass(librec.IOError, OSError))
        self.assertTrue(issubclass(librec.NotFound, LookupError))


class TestArrays(unittest.TestCase):
    """What reaches C: no copies where none are needed, checked narrowing."""

    @unittest.skipIf(np is None, "numpy hidden")
    def test_numpy_inputs_of_the_c_type_are_not_copied(self):
        a = np.arange(10, dtype=np.uint32)
        c = _arrays.as_input(a, _arrays.U32, "a")
        self.assertEqual(ctypes.addressof(c.ptr.contents), a.ctypes.data)
        f = np.ones(4, dtype=np.float32)
        self.assertEqual(ctypes.addressof(_arrays.as_input(f, _arrays.F32, "f").ptr.contents),
                         f.ctypes.data)
        i = np.arange(5, dtype=np.int64)
        self.assertEqual(ctypes.addressof(_arrays.as_input(i, _arrays.I64, "i").ptr.contents),
                         i.ctypes.data)

    @unittest.skipIf(np is None, "numpy hidden")
    def test_numpy_inputs_are_converted_when_they_must_be(self):
        strided = np.arange(10, dtype=np.uint32)[::2]
        c = _arrays.as_input(strided, _arrays.U32, "a")
        self.assertEqual([c.ptr[j] for j in range(c.n)], [0, 2, 4, 6, 8])
        wide = np.array([3, 4], dtype=np.int64)
        c = _arrays.as_input(wide, _arrays.U32, "a")
        self.assertEqual([c.ptr[0], c.ptr[1]], [3, 4])
        swapped = np.array([1, 2], dtype=">u4")
        c = _arrays.as_input(swapped, _arrays.U32, "a")
        self.assertEqual([c.ptr[0], c.ptr[1]], [1, 2])
        with self.assertRaises(librec.InvalidArgument):
            _arrays.as_input(np.array([-1, 2]), _arrays.U32, "a")
        with self.assertRaises(librec.InvalidArgument):
            _arrays.as_input(np.array([2**32]), _arrays.U32, "a")
        with self.assertRaises(TypeError):
            _arrays.as_input(np.array([1.5]), _arrays.U32, "a")
        with self.assertRaises(TypeError):
            _arrays.as_input(np.array([True]), _arrays.U32, "a")
        with self.assertRaises(ValueError):
            _arrays.as_input(np.zeros((2, 2), dtype=np.uint32), _arrays.U32, "a")
        d = Data.get()
        self.assertIsInstance(d.mf.score(0, [1, 2]), np.ndarray)
        self.assertEqual(d.mf.score(0, np.array([1, 2], dtype=np.int16)).dtype, np.float32)

    def test_array_array_inputs_of_the_c_type_are_not_copied(self):
        if np is not None:
            self.skipTest("numpy reads array.array through its buffer")
        a = array.array(_arrays.U32.typecode, range(10))
        c = _arrays.as_input(a, _arrays.U32, "a")
        self.assertEqual(ctypes.addressof(c.ptr), a.buffer_info()[0])
        del c
        a.append(10)  # the view of its buffer is gone with c

    def test_sequences_are_checked_before_narrowing(self):
        for bad in ([2**32], [-1]):
            with self.assertRaises(librec.InvalidArgument):
                _arrays.as_input(bad, _arrays.U32, "a")
        for bad in ([1.5], ["1"], [True]):
            with self.assertRaises(TypeError):
                _arrays.as_input(bad, _arrays.U32, "a")
        with self.assertRaises(TypeError):
            _arrays.as_input(["x"], _arrays.F32, "a")
        with self.assertRaises(librec.InvalidArgument):
            Data.get().mf.score(2**32, [0])
        c = _arrays.as_input([], _arrays.U32, "a")
        self.assertEqual(c.n, 0)
        self.assertTrue(c.ptr)  # never NULL

    def test_results_are_numpy_or_array_array(self):
        d = Data.get()
        scores = d.mf.score(0, [1, 2, 3])
        items = d.mf.recommend(0, 3).items
        if np is not None:
            self.assertEqual((scores.dtype, items.dtype), (np.float32, np.uint32))
        else:
            self.assertIsInstance(scores, array.array)
            self.assertIsInstance(items, array.array)
            items.append(1)  # the buffer C wrote into is released


class TestDataset(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_from_integer_lists_and_arrays(self):
        users, items, ratings, times = interactions()
        ds = librec.Dataset.from_arrays(users, items, ratings, times)
        self.assertEqual((ds.n_users, ds.n_items, ds.n_interactions), (80, 50, len(users)))
        stats = ds.stats()
        self.assertTrue(stats["has_ratings"] and stats["has_timestamps"])
        self.assertEqual(stats["rows_read"], len(users))
        self.assertEqual(ds.user_id(0), "0")
        self.assertEqual(ds.find_user(5), ds.find_user("5"))
        if np is not None:
            again = librec.Dataset.from_arrays(np.array(users, dtype=np.int32),
                                               np.array(items, dtype=np.uint64),
                                               np.array(ratings), np.array(times))
        else:
            again = librec.Dataset.from_arrays(array.array("q", users), array.array("l", items),
                                               array.array("f", ratings), times)
        self.assertEqual(again.item_ids, ds.item_ids)
        self.assertEqual(as_list(again.user_items(3)), as_list(ds.user_items(3)))

    def test_from_string_ids(self):
        ds = librec.Dataset.from_arrays(["alice", "bob", "alice", "carol"],
                                        ["x", "y", "y", b"z"], ratings=[5, 3, 4, 1])
        self.assertEqual(ds.user_ids, ["alice", "bob", "carol"])
        self.assertEqual(ds.item_ids, ["x", "y", "z"])
        self.assertEqual(as_list(ds.user_items(ds.find_user("alice"))), [0, 1])
        with self.assertRaises(librec.NotFound):
            ds.find_user("dave")
        with self.assertRaises(librec.InvalidArgument):
            ds.user_id(3)
        # Integers and their decimal strings are the same external ids.
        mixed = librec.Dataset.from_arrays([1, "1", 2], ["a", "b", "a"])
        self.assertEqual(mixed.user_ids, ["1", "2"])

    def test_load_options(self):
        users, items, ratings, _ = interactions()
        kept = librec.Dataset.from_arrays(users, items, ratings, min_rating=4)
        self.assertEqual(kept.n_interactions, sum(r >= 4 for r in ratings))
        self.assertEqual(kept.stats()["rows_below_min_rating"],
                         sum(r < 4 for r in ratings))
        twice = librec.Dataset.from_arrays([1, 1], [2, 2], [1.0, 3.0], duplicates="sum")
        self.assertEqual(twice.n_interactions, 1)
        with self.assertRaises(librec.FormatError):
            librec.Dataset.from_arrays([1, 1], [2, 2], duplicates="error")
        with self.assertRaises(ValueError):
            librec.Dataset.from_arrays([1], [2], duplicates="newest")
        with self.assertRaises(ValueError):
            librec.Dataset.from_arrays([1, 2], [2])
        with self.assertRaises(TypeError):
            librec.Dataset.from_arrays([1.5], [2])
        with self.assertRaises(TypeError):
            librec.Dataset([1], [2])

    def test_csv_adjlist_and_id_spaces(self):
        with open(self.path("a.csv"), "w") as f:
            f.write("user;item;rating\nu1;i1;5\nu1;i2;3\nu2;i2;4\nu3;i3;1\n")
        ds = librec.Dataset.from_csv(self.path("a.csv"), delimiter=";", rating_col=2)
        self.assertEqual((ds.n_users, ds.n_items, ds.n_interactions), (3, 3, 4))
        self.assertTrue(ds.stats()["has_ratings"])
        with open(self.path("b.txt"), "w") as f:
            f.write("u2 i1 i9\nu7 i3\n")
        other = librec.Dataset.from_adjlist(self.path("b.txt"), ref=ds)
        self.assertEqual(other.n_users, 3)  # ds's id space
        self.assertEqual(other.stats()["rows_unknown_user"], 1)
        self.assertEqual(other.stats()["rows_unknown_item"], 1)
        with self.assertRaises(librec.FormatError):
            librec.Dataset.from_adjlist(self.path("b.txt"), ref=ds, unknown_ids="error")
        ds.save_csv(self.path("c.csv"))
        back = librec.Dataset.from_csv(self.path("c.csv"), rating_col=2)
        self.assertEqual(back.user_ids, ds.user_ids)
        self.assertEqual(back.n_interactions, 4)

    def test_file_errors(self):
        with self.assertRaises(librec.IOError) as cm:
            librec.Dataset.from_csv(self.path("missing.csv"))
        self.assertIsInstance(cm.exception, OSError)
        self.assertIn("missing.csv", str(cm.exception))
        with open(self.path("bad.csv"), "w") as f:
            f.write("user,item,rating\nu1,i1,5\nu2,i2,abc\n")
        with self.assertRaises(librec.FormatError) as cm:
            librec.Dataset.from_csv(self.path("bad.csv"), rating_col=2)
        self.assertIn("bad.csv:3", str(cm.exception))
        ds = librec.Dataset.from_csv(self.path("bad.csv"), rating_col=2, skip_bad_lines=True)
        self.assertEqual(ds.stats()["rows_skipped"], 1)

    def test_split_and_close(self):
        d = Data.get()
        self.assertEqual(d.train.n_interactions + d.test.n_interactions,
                         d.all.n_interactions)
        with librec.Dataset.from_arrays([1, 2], [3, 4]) as ds:
            self.assertEqual(ds.n_users, 2)
        with self.assertRaises(ValueError):
            ds.n_users
        ds.close()  # twice is fine
        self.assertIn("closed", repr(ds))


class TestTraining(unittest.TestCase):
    def test_hyperparameters_and_progress(self):
        d = Data.get()
        seen = []
        m = librec.Model.train(d.train, "lightgcn", dim=4, epochs=3, layers=2, lr=0.001,
                               layer_weights=[1, 0.5, 0.25], threads=1, progress=seen.append)
        self.assertEqual([p.epoch for p in seen], [1, 2, 3])
        self.assertTrue(all(p.epochs == 3 and math.isfinite(p.loss) for p in seen))
        self.assertEqual(m.setting("layer_weights"), "1,0.5,0.25")
        self.assertEqual(m.setting("lr"), "0.001")
        self.assertEqual((m.family, m.dim), ("lightgcn", 4))
        cml = librec.Model.train(d.train, "cml", dim=4, epochs=1, rank_weight=False)
        self.assertEqual(cml.setting("rank_weight"), "false")

    def test_bad_hyperparameters(self):
        d = Data.get()
        with self.assertRaises(librec.NotFound):
            librec.Model.train(d.train, "mf", layers=2)
        with self.assertRaises(librec.InvalidArgument) as cm:
            librec.Model.train(d.train, "mf", lr=20)
        self.assertIn("(0, 10]", str(cm.exception))
        with self.assertRaises(librec.NotFound):
            librec.Model.train(d.train, "no-such-family")
        with self.assertRaises(TypeError):
            librec.Model.train(d.train, "mf", dim=object())

    def test_the_callback_stops_training(self):
        d = Data.get()
        with self.assertRaises(librec.Canceled):
            librec.Model.train(d.train, "mf", epochs=10, progress=lambda p: p.epoch == 2)

        class Stop(Exception):
            pass

        def fail(p):
            raise Stop("from the callback")
        with self.assertRaises(Stop):
            librec.Model.train(d.train, "mf", epochs=10, progress=fail)

    def test_validation_keeps_the_best_epoch(self):
        d = Data.get()
        m = librec.Model.train(d.train, "mf", dim=8, epochs=6, eval_every=2, threads=1,
                               validation=d.test)
        info = m.info()
        self.assertEqual(info["eval_k"], 20)
        self.assertIn(info["best_epoch"], (2, 4, 6))
        self.assertTrue(0 <= info["valid_recall"] <= 1)

    def test_init_model(self):
        d = Data.get()
        m = librec.Model.train(d.train, "lightgcn", dim=8, epochs=1, init_model=d.mf)
        self.assertEqual(m.dim, 8)
        with self.assertRaises(librec.InvalidArgument):
            librec.Model.train(d.train, "lightgcn", dim=4, epochs=1, init_model=d.mf)


def batch_count(batch, row):
    """How many items row `row` of a batch recommendation holds."""
    return int(as_list(batch.counts)[row])


class TestModel(unittest.TestCase):
    def test_score_and_recommend_agree(self):
        m = Data.get().mf
        top = m.recommend(0, 10)
        self.assertEqual(len(top.items), 10)
        again = m.score(0, top.items)
        for a, b in zip(as_list(top.scores), as_list(again)):
            self.assertAlmostEqual(a, b, places=5)
        self.assertEqual(as_list(top.scores), sorted(as_list(top.scores), reverse=True))

    def test_exclusions(self):
        d = Data.get()
        m = d.mf
        seen = set(as_list(d.train.user_items(0)))
        top = as_list(m.recommend(0, m.n_items).items)
        self.assertEqual(len(top), m.n_items - len(seen))
        self.assertFalse(seen & set(top))
        everything = as_list(m.recommend(0, m.n_items, exclude_train=False).items)
        self.assertEqual(sorted(everything), list(range(m.n_items)))
        blocked = as_list(m.recommend(0, 5, blocklist=top[:2]).items)
        self.assertEqual(blocked, top[2:7])
        with self.assertRaises(librec.InvalidArgument):
            m.recommend(0, 5, blocklist=[m.n_items])
        self.assertEqual(len(m.recommend(0, 0).items), 0)
        # Candidates: only those are ranked, training items still left out,
        # in the order of the full ranking.
        pool = sorted(set(range(0, m.n_items, 3)) | set(list(seen)[:2]))
        ranked = as_list(m.recommend(0, m.n_items, candidates=pool).items)
        self.assertEqual(ranked, [i for i in top if i in set(pool)])
        self.assertEqual(len(m.recommend(0, 5, candidates=[]).items), 0)
        batch = m.recommend_batch([0, 0], 4, candidates=pool)
        self.assertEqual(as_list(batch.items[1])[:batch_count(batch, 1)], ranked[:4])

    def test_external_ids(self):
        d = Data.get()
        m, ds = d.mf, d.mf.dataset
        user = ds.user_id(4)
        top = m.recommend(4, 5)
        ext = m.recommend_ext(user, 5)
        self.assertEqual(ext.items, [ds.item_id(i) for i in as_list(top.items)])
        self.assertEqual(as_list(ext.scores), as_list(top.scores))
        dense = as_list(m.score(4, top.items))
        self.assertEqual(as_list(m.score_ext(user, ext.items)), dense)
        self.assertEqual(as_list(m.score_ext(int(user), [int(i) for i in ext.items])), dense)
        blocked = m.recommend_ext(user, 4, blocklist=ext.items[:1])
        self.assertEqual(blocked.items, ext.items[1:5])
        with self.assertRaises(librec.NotFound):
            m.recommend_ext("no-such-user", 5)
        with self.assertRaises(librec.NotFound):
            m.score_ext(user, ["no-such-item"])
        with self.assertRaises(TypeError):
            m.score_ext(user, "item")

    def test_fold_in(self):
        d = Data.get()
        g = d.graph
        self.assertTrue(g.info()["can_fold_in"])
        liked = as_list(d.train.user_items(1))
        v = g.fold_in(liked)
        self.assertEqual(len(v), g.dim)
        top = g.recommend_vector(v, 5, blocklist=liked)
        self.assertFalse(set(as_list(top.items)) & set(liked))
        for a, b in zip(as_list(top.scores), as_list(g.score_vector(v, top.items))):
            self.assertAlmostEqual(a, b, places=5)
        with self.assertRaises(librec.InvalidArgument):
            g.score_vector(as_list(v)[:-1], [0])
        # Every family folds in now; MF by least squares against its items.
        self.assertTrue(d.mf.info()["can_fold_in"])
        top = d.mf.recommend_vector(d.mf.fold_in(liked), 5, blocklist=liked)
        self.assertFalse(set(as_list(top.items)) & set(liked))

    def test_evaluate(self):
        d = Data.get()
        res = d.mf.evaluate(d.test, ks=(5, 10))
        for name in ("recall@5", "ndcg@10", "precision@10", "auc", "coverage@10"):
            self.assertIn(name, res)
        self.assertTrue(all(0 <= res[k] <= 1 for k in ("recall@5", "recall@10", "auc")))
        self.assertLessEqual(res["recall@5"], res["recall@10"])
        self.assertEqual(d.mf.evaluate(d.test, ks=(5,), train=d.train)["recall@5"],
                         res["recall@5"])
        lean = d.mf.evaluate(d.test, beyond_accuracy=False)
        self.assertNotIn("coverage@20", lean)
        sampled = d.mf.evaluate(d.test, protocol="sampled_uniform", sample_negatives=20)
        self.assertIn("sampled_hit@20", sampled)
        foreign = librec.Dataset.from_arrays(["a"], ["b"])
        with self.assertRaises(librec.InvalidArgument):
            d.mf.evaluate(foreign)
        with self.assertRaises(ValueError):
            d.mf.evaluate(d.test, protocol="half")

    def test_save_and_load(self):
        d = Data.get()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.rec")
            d.mf.save(path)
            with librec.Model.load(path) as back:
                self.assertEqual(as_list(back.recommend(2, 7).items),
                                 as_list(d.mf.recommend(2, 7).items))
                self.assertEqual(back.evaluate(d.test)["recall@20"],
                                 d.mf.evaluate(d.test)["recall@20"])
                test_again = librec.Dataset.from_arrays(
                    [back.dataset.user_id(0)], [back.dataset.item_id(0)], ref=back)
                self.assertEqual(test_again.n_users, back.n_users)
            self.assertIn("closed", repr(back))
            with self.assertRaises(ValueError):
                back.recommend(0)
            lean = os.path.join(tmp, "lean.rec")
            d.mf.save(lean, keep_interactions=False)
            with librec.Model.load(lean) as m:
                self.assertFalse(m.info()["has_interactions"])
                with self.assertRaises(librec.InvalidArgument):
                    m.recommend(0, 5)
                self.assertEqual(len(m.recommend(0, 5, exclude_train=False).items), 5)
            with open(path, "r+b") as f:
                f.seek(100)
                byte = f.read(1)
                f.seek(100)
                f.write(bytes([byte[0] ^ 0xFF]))
            with self.assertRaises(librec.Corrupt):
                librec.Model.load(path)
            with self.assertRaises(librec.IOError):
                librec.Model.load(os.path.join(tmp, "missing.rec"))

    def test_a_borrowed_dataset_dies_with_its_model(self):
        d = Data.get()
        m = librec.Model.train(d.train, "pop")
        ds = m.dataset
        self.assertEqual(ds.n_items, d.train.n_items)
        ds.close()  # only detaches: the model still works
        self.assertEqual(m.dataset.n_users, d.train.n_users)
        ds = m.dataset
        m.close()
        with self.assertRaises(ValueError):
            ds.n_users

    def test_models_outlive_their_training_data(self):
        users, items, _, _ = interactions(n_users=20, n_items=15, per_user=4)
        ds = librec.Dataset.from_arrays(users, items)
        m = librec.Model.train(ds, "mf", dim=4, epochs=2)
        ds.close()
        self.assertEqual(m.dataset.n_users, 20)
        self.assertEqual(len(m.recommend(0, 3).items), 3)

    def test_threads_share_a_model(self):
        m = Data.get().mf
        want = {u: as_list(m.recommend(u, 5).items) for u in range(40)}
        got, errors = {}, []

        def work(us):
            try:
                for u in us:
                    got[u] = as_list(m.recommend(u, 5).items)
            except Exception as e:  # reported below
                errors.append(e)
        ts = [threading.Thread(target=work, args=(range(s, 40, 4),)) for s in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(got, want)


def fake_recommend_batch(calls):
    """rec_model_recommend_batch() written over rec_model_recommend(), with
    its signature and contract, for a library that does not have it yet."""
    lib = _lib.lib

    def batch(model, users, n_users, k, opts, threads, items, scores, n_out):
        calls.append((n_users, k, threads))
        try:
            for j in range(n_users):
                n = ctypes.c_size_t()
                lib.rec_model_recommend(
                    model, users[j], k, opts,
                    ctypes.cast(ctypes.addressof(items.contents) + 4 * j * k, _lib.c_u32p),
                    ctypes.cast(ctypes.addressof(scores.contents) + 4 * j * k, _lib.c_f32p),
                    ctypes.byref(n))
                n_out[j] = n.value
                for r in range(n.value, k):
                    items[j * k + r] = librec.NO_ITEM
                    scores[j * k + r] = -math.inf
            return 0
        except librec.LibrecError as e:
            return e.code
    return _lib.stand_in("rec_model_recommend_batch", batch)


class TestRecommendBatch(unittest.TestCase):
    def check_batch(self, m, users, k, **opts):
        batch = m.recommend_batch(users, k, **opts)
        n_rows = len(users)
        if np is not None:
            self.assertEqual(batch.items.shape, (n_rows, k))
            self.assertEqual(batch.scores.shape, (n_rows, k))
            self.assertEqual(batch.items.dtype, np.uint32)
        for j, u in enumerate(users):
            one = m.recommend(u, k, **opts)
            n = len(one.items)
            self.assertEqual(batch.counts[j], n)
            self.assertEqual(as_list(batch.items[j])[:n], as_list(one.items))
            for a, b in zip(as_list(batch.scores[j])[:n], as_list(one.scores)):
                self.assertAlmostEqual(a, b, delta=1e-5 * max(1.0, abs(b)))
            self.assertEqual(as_list(batch.items[j])[n:], [librec.NO_ITEM] * (k - n))
            self.assertEqual(as_list(batch.scores[j])[n:], [-math.inf] * (k - n))
        return batch

    def run_cases(self):
        d = Data.get()
        m = d.mf
        users = [0, 5, 3, 5, 79]
        self.check_batch(m, users, 6)
        if np is not None:
            self.check_batch(m, np.array(users, dtype=np.uint32), 6)
        # k beyond what is eligible: the rows are padded.
        self.check_batch(m, users, m.n_items)
        self.check_batch(m, users, 4, exclude_train=False, blocklist=[1, 2, 3])
        empty = self.check_batch(m, [], 3)
        self.assertEqual(len(empty.counts), 0)
        self.check_batch(m, [1, 2], 0)
        with self.assertRaises(librec.InvalidArgument):
            m.recommend_batch([0, m.n_users], 3)

    def test_fallback(self):
        with mock.patch.object(librec.model, "FORCE_BATCH_FALLBACK", True):
            self.run_cases()

    def test_native(self):
        if librec.native_batch_available():
            self.run_cases()
            return
        calls = []
        with mock.patch.dict(_lib._optional_cache,
                             {"rec_model_recommend_batch": fake_recommend_batch(calls)}):
            self.assertTrue(librec.native_batch_available())
            self.run_cases()
            Data.get().mf.recommend_batch([0], 2, threads=3)
        self.assertIn((1, 2, 3), calls)
        self.assertIn((5, 6, 0), calls)


if __name__ == "__main__":
    print(f"librec {librec.version()} from {librec.library_path()}, "
          f"numpy {'hidden' if np is None else np.__version__}, native batch "
          f"{'present' if librec.native_batch_available() else 'absent (stand-in tested)'}")
    unittest.main(verbosity=2)
