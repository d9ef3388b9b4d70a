"""End-to-end tests of the `rec` program: every command of the README and
the issue's exact invocations, on small generated files, plus its error
paths. Usage: cli_test.py PATH_TO_REC"""
import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

REC = None


def run(*args, ok=True):
    p = subprocess.run([REC, *map(str, args)], capture_output=True, text=True, timeout=300)
    if ok and p.returncode != 0:
        raise AssertionError(f"rec {' '.join(map(str, args))} failed ({p.returncode}):\n"
                             f"{p.stderr}")
    return p


def run_json(*args):
    out = run(*args).stdout
    lines = [l for l in out.splitlines() if l.strip()]
    return json.loads(lines[-1])


def write_groups(path, users=300, items=120, groups=6, per_user=15, seed=1, adjlist=True):
    """Interactions with taste groups; returns {user: set(items)}."""
    rng = random.Random(seed)
    per = items // groups
    data = {}
    for u in range(users):
        row = set()
        for _ in range(per_user):
            g = u % groups if rng.random() < 0.8 else rng.randrange(groups)
            row.add(g * per + min(rng.randrange(per), rng.randrange(per)))
        data[u] = row
    return data


def write_adjlist(path, data):
    with open(path, "w") as f:
        for u, row in data.items():
            f.write(" ".join(map(str, [u, *sorted(row)])) + "\n")


class Cli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.d = d
        data = write_groups(None)
        rng = random.Random(2)
        train, test = {}, {}
        for u, row in data.items():
            items = sorted(row)
            rng.shuffle(items)
            cut = max(1, round(0.8 * len(items)))
            train[u], test[u] = set(items[:cut]), set(items[cut:])
        cls.train_data = train
        cls.train = os.path.join(d, "train.txt")
        cls.test = os.path.join(d, "test.txt")
        write_adjlist(cls.train, train)
        write_adjlist(cls.test, {u: r for u, r in test.items() if r})
        cls.model = os.path.join(d, "m.rec")
        cls.train_out = run_json("train", "--train", cls.train, "--format", "adjlist",
                                 "--model", "mf", "--threads", "2", "--seed", "1",
                                 "--out", cls.model, "--json")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_train_json(self):
        j = self.train_out
        for key in ("model", "epochs", "seconds", "seconds_per_epoch", "final_loss"):
            self.assertIn(key, j)
        self.assertEqual(j["model"], "mf")
        self.assertGreater(j["epochs"], 0)
        self.assertAlmostEqual(j["seconds_per_epoch"], j["seconds"] / j["epochs"], places=6)
        self.assertGreater(j["final_loss"], 0)
        self.assertEqual(j["users"], 300)

    def test_eval_json(self):
        j = run_json("eval", "--model", self.model, "--train", self.train, "--test",
                     self.test, "--format", "adjlist", "--k", "20", "--json")
        for key in ("users", "recall@20", "ndcg@20", "precision@20", "hit@20", "mrr@20",
                    "map@20", "ndcg_retrieved@20", "auc", "seconds"):
            self.assertIn(key, j)
        self.assertGreater(j["recall@20"], 0.1)
        # Several --k, and the model's own interactions when --train is absent.
        j2 = run_json("eval", "--model", self.model, "--test", self.test, "--format",
                      "adjlist", "--k", "10", "--k", "20", "--json")
        self.assertIn("recall@10", j2)
        self.assertEqual(j2["recall@20"], j["recall@20"])

    def test_eval_measure_keys(self):
        j = run_json("eval", "--model", self.model, "--test", self.test, "--format",
                     "adjlist", "--threads", "2", "--json")
        for key in ("recall@20", "ndcg@20", "precision@20", "hit@20", "mrr@20", "map@20",
                    "ndcg_retrieved@20", "auc", "coverage@20", "avg_pop@20",
                    "long_tail@20", "gini@20", "entropy@20", "novelty@20", "fair_jain@20",
                    "fair_qf@20", "fair_entropy@20", "fair_fsat@20", "fair_gini@20",
                    "fair_gini_w@20", "ai_d@20", "vocd@20"):
            self.assertIn(key, j)
            self.assertTrue(j[key] is None or isinstance(j[key], (int, float)), key)
        self.assertTrue(0 < j["coverage@20"] <= 1)
        j = run_json("eval", "--model", self.model, "--test", self.test, "--format",
                     "adjlist", "--no-beyond", "--json")
        self.assertNotIn("coverage@20", j)
        self.assertIn("auc", j)
        s = run_json("eval", "--model", self.model, "--test", self.test, "--format",
                     "adjlist", "--sampled", "100", "--k", "10", "--json")
        self.assertEqual(sorted(k for k in s if k.startswith("sampled_")),
                         ["sampled_auc", "sampled_hit@10", "sampled_mrr@10",
                          "sampled_ndcg@10"])
        self.assertNotIn("recall@10", s)
        # 100 negatives rank a test item far higher than all 120 items do.
        self.assertGreater(s["sampled_hit@10"], j["hit@20"] / 2)
        p = run_json("eval", "--model", self.model, "--test", self.test, "--format",
                     "adjlist", "--sampled", "100", "--sampler", "pop", "--seed", "3",
                     "--json")
        self.assertIn("sampled_auc", p)
        p = run("eval", "--model", self.model, "--test", self.test, "--format", "adjlist",
                "--sampler", "pop", ok=False)
        self.assertIn("--sampled", p.stderr)

    def test_eval_per_user(self):
        import csv
        path = os.path.join(self.d, "per-user.csv")
        with open(path, "w") as f:
            f.write("an older file\n")
        j = run_json("eval", "--model", self.model, "--test", self.test, "--format", "adjlist",
                     "--k", "5", "--k", "20", "--per-user", path, "--json")
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        self.assertEqual(header[0], "user")
        self.assertIn("recall@5", header)
        self.assertIn("ndcg_retrieved@20", header)
        self.assertEqual(len(body), j["users"])
        self.assertEqual(len({r[0] for r in body}), len(body))
        for c, name in enumerate(header[1:], start=1):
            mean = sum(float(r[c]) for r in body) / len(body)
            self.assertAlmostEqual(mean, j[name], places=12)  # summed in another order
        # The measures over all lists together have no per-user column.
        self.assertIn("coverage@20", j)
        self.assertNotIn("coverage@20", header)
        self.assertIn("novelty@20", header)
        self.assertEqual(os.listdir(self.d).count("per-user.csv"), 1)
        self.assertFalse([n for n in os.listdir(self.d) if ".tmp-" in n])
        p = run("eval", "--model", self.model, "--test", self.test, "--format", "adjlist",
                "--per-user", os.path.join(self.d, "no-such-dir", "x.csv"), ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no-such-dir", p.stderr)

    def test_recommend_json(self):
        j = run_json("recommend", "--model", self.model, "--user", "0", "--k", "10", "--json")
        self.assertEqual(j["user"], 0)
        self.assertEqual(len(j["items"]), 10)
        self.assertEqual(len(j["scores"]), 10)
        self.assertTrue(all(isinstance(i, int) for i in j["items"]))
        self.assertEqual(j["scores"], sorted(j["scores"], reverse=True))
        self.assertFalse(set(j["items"]) & self.train_data[0], "training items recommended")
        k = run_json("recommend", "--model", self.model, "--user", "0", "--k", "10",
                     "--include-train", "--json")
        self.assertTrue(set(k["items"]) & self.train_data[0])
        b = run_json("recommend", "--model", self.model, "--user", "0", "--k", "10",
                     "--block", j["items"][0], "--json")
        self.assertNotIn(j["items"][0], b["items"])

    def test_info_json(self):
        j = run_json("info", self.model, "--json")
        self.assertEqual(j["model"], "mf")
        self.assertEqual(j["users"], 300)
        self.assertEqual(j["settings"]["seed"], "1")
        self.assertEqual(j["settings"]["threads"], "2")
        self.assertTrue(j["has_interactions"])

    def test_build_info(self):
        j = run_json("info", "--build", "--json")
        self.assertEqual(j["librec"], run("--version").stdout.split()[-1])
        self.assertIn(j["threading"], ("openmp", "pthreads"))
        self.assertIn(j["simd"], ("scalar", "avx2", "avx512"))
        self.assertIn(j["simd"], j["simd_built"].split())
        self.assertIn(j["blis_threading"], ("openmp", "pthreads", "none", "other"))
        self.assertGreaterEqual(j["default_threads"], 1)
        for key in ("blis", "blis_arch", "compiler"):
            self.assertTrue(j[key], key)
        text = run("info", "--build").stdout
        self.assertIn(f"simd          {j['simd']} (built: {j['simd_built']})", text)
        self.assertIn(f"blis          {j['blis']}, {j['blis_threading']} threading", text)
        self.assertEqual(run("info", "--build", self.model, ok=False).returncode, 2)

    def test_split_then_csv_round_trip(self):
        # A MovieLens-like TSV with ratings and timestamps, no header.
        rng = random.Random(3)
        src = os.path.join(self.d, "u.data")
        with open(src, "w") as f:
            for u in range(1, 101):
                for i in rng.sample(range(1, 81), 20):
                    f.write(f"{u}\t{i}\t{rng.randint(1, 5)}\t{880000000 + rng.randrange(10**6)}\n")
        a, b = os.path.join(self.d, "a.csv"), os.path.join(self.d, "b.csv")
        j = run_json("split", "--input", src, "--format", "csv", "--delimiter", "\\t",
                     "--no-header", "--user-col", "0", "--item-col", "1", "--rating-col", "2",
                     "--time-col", "3", "--min-rating", "4", "--by", "ratio", "--ratio", "0.8",
                     "--seed", "1", "--train-out", a, "--test-out", b, "--json")
        self.assertEqual(j["train_interactions"] + j["test_interactions"], j["interactions"])
        with open(a) as f:
            self.assertEqual(f.readline().strip(), "user,item,rating,timestamp")
        m = os.path.join(self.d, "ml.rec")
        run("train", "--train", a, "--format", "csv", "--out", m, "--epochs", "5")
        e = run_json("eval", "--model", m, "--train", a, "--test", b, "--format", "csv",
                     "--json")
        self.assertGreater(e["users"], 0)
        # The same seed gives the same files.
        a2, b2 = os.path.join(self.d, "a2.csv"), os.path.join(self.d, "b2.csv")
        run("split", "--input", src, "--delimiter", "tab", "--no-header", "--rating-col", "2",
            "--time-col", "3", "--min-rating", "4", "--seed", "1", "--train-out", a2,
            "--test-out", b2)
        with open(a) as fa, open(a2) as fb:
            self.assertEqual(fa.read(), fb.read())
        for by in ("time", "loo"):
            run("split", "--input", src, "--delimiter", "tab", "--no-header", "--time-col", "3",
                "--by", by, "--train-out", a2, "--test-out", b2)

    def test_graph_models_with_validation(self):
        for model, extra in (("lightgcn", ["--layers", "2", "--lr", "0.01"]),
                             ("ngcf", ["--layers", "2", "--lr", "0.005", "--dim", "16"])):
            out = os.path.join(self.d, model + ".rec")
            j = run_json("train", "--train", self.train, "--format", "adjlist", "--model", model,
                         "--test", self.test, "--epochs", "6", "--eval-every", "2",
                         "--early-stop", "2", "--batch", "512", "--threads", "1", "--out", out,
                         "--json", *extra)
            self.assertEqual(j["model"], model)
            self.assertIn("best_epoch", j)
            self.assertIn(j["best_epoch"], (2, 4, 6))
            self.assertGreater(j["valid_recall@20"], 0.05)
            e = run_json("eval", "--model", out, "--test", self.test, "--format", "adjlist",
                         "--json")
            self.assertAlmostEqual(e["recall@20"], j["valid_recall@20"], places=9)
            i = run_json("info", out, "--json")
            self.assertTrue(i["fold_in"])
            self.assertEqual(i["best_epoch"], j["best_epoch"])
        # A hyperparameter of another family is refused, with the family named.
        p = run("train", "--train", self.train, "--format", "adjlist", "--model", "mf",
                "--layers", "2", "--out", os.path.join(self.d, "x.rec"), ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown parameter 'layers' for model 'mf'", p.stderr)

    def test_objectives_and_new_families(self):
        """--loss, --sampler, --alpha on MF, and the cml, relmf and nbpo
        families, through train, info, eval and recommend."""
        runs = (("mf", ["--loss", "softmax", "--temperature", "0.5", "--sampler", "pop",
                        "--alpha", "0.5", "--negatives", "4"]),
                ("mf", ["--loss", "hinge", "--sampler", "dns", "--candidates", "5"]),
                ("cml", ["--sampler", "inbatch"]),
                ("relmf", ["--eta", "0.5", "--clip", "0.2"]),
                ("nbpo", ["--flip", "0.2", "--flip-dim", "4"]))
        for model, extra in runs:
            out = os.path.join(self.d, model + "-objective.rec")
            j = run_json("train", "--train", self.train, "--format", "adjlist", "--model", model,
                         "--epochs", "30", "--threads", "1", "--out", out, "--json", *extra)
            self.assertEqual(j["model"], model)
            i = run_json("info", out, "--json")
            self.assertEqual(i["scoring"], "neg_sqdist" if model == "cml" else "dot")
            for flag, value in zip(extra[::2], extra[1::2]):
                self.assertEqual(str(i["settings"][flag[2:].replace("-", "_")]), value)
            e = run_json("eval", "--model", out, "--test", self.test, "--format", "adjlist",
                         "--json")
            self.assertGreater(e["recall@20"], 0.1, f"{model} {extra}")
            r = run_json("recommend", "--model", out, "--user", "3", "--k", "5", "--json")
            self.assertEqual(len(r["items"]), 5)
        p = run("train", "--train", self.train, "--format", "adjlist", "--loss", "warp",
                "--out", os.path.join(self.d, "x.rec"), ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("bpr|bce|softmax|hinge", p.stderr)
        p = run("train", "--train", self.train, "--format", "adjlist", "--model", "relmf",
                "--loss", "bpr", "--out", os.path.join(self.d, "x.rec"), ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown parameter 'loss' for model 'relmf'", p.stderr)

    def test_init_model(self):
        """NGCF started from an MF model (the reference codes' pretraining),
        and the refusals with their messages."""
        mf = os.path.join(self.d, "pre-mf.rec")
        run("train", "--train", self.train, "--format", "adjlist", "--model", "mf",
            "--dim", "16", "--epochs", "30", "--threads", "1", "--out", mf)
        out = os.path.join(self.d, "pre-ngcf.rec")
        j = run_json("train", "--train", self.train, "--format", "adjlist", "--model", "ngcf",
                     "--init-model", mf, "--dim", "16", "--layers", "2", "--epochs", "2",
                     "--batch", "512", "--lr", "0.001", "--test", self.test,
                     "--eval-every", "1", "--threads", "1", "--out", out, "--json")
        # Starting from a trained MF, the first evaluation is already good.
        self.assertGreater(j["valid_recall@20"], 0.05)
        p = run("train", "--train", self.train, "--format", "adjlist", "--model", "ngcf",
                "--init-model", mf, "--dim", "32", "--epochs", "1",
                "--out", os.path.join(self.d, "x.rec"), ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("dimension 16; dim is 32", p.stderr)
        p = run("train", "--train", self.train, "--format", "adjlist", "--model", "mf",
                "--init-model", mf, "--dim", "16", "--epochs", "1",
                "--out", os.path.join(self.d, "x.rec"), ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot start from", p.stderr)
        p = run("train", "--train", self.train, "--format", "adjlist", "--model", "ngcf",
                "--init-model", os.path.join(self.d, "missing.rec"),
                "--out", os.path.join(self.d, "x.rec"), ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("missing.rec", p.stderr)

    def test_compare(self):
        a = os.path.join(self.d, "cmp-a.csv")
        b = os.path.join(self.d, "cmp-b.csv")
        weak = os.path.join(self.d, "cmp-weak.rec")
        run("train", "--train", self.train, "--format", "adjlist", "--epochs", "1",
            "--out", weak)
        ja = run_json("eval", "--model", weak, "--test", self.test, "--format", "adjlist",
                      "--per-user", a, "--json")
        jb = run_json("eval", "--model", self.model, "--test", self.test, "--format",
                      "adjlist", "--per-user", b, "--json")
        c = run_json("compare", a, b, "--json")
        self.assertEqual(c["users"], ja["users"])
        r = c["measures"]["recall@20"]
        self.assertAlmostEqual(r["mean_a"], ja["recall@20"], places=9)
        self.assertAlmostEqual(r["mean_b"], jb["recall@20"], places=9)
        self.assertAlmostEqual(r["mean_diff"], jb["recall@20"] - ja["recall@20"], places=9)
        # A trained model against one epoch: a clear difference.
        self.assertLess(r["t_p"], 0.01)
        self.assertLess(r["wilcoxon_p"], 0.01)
        self.assertIn("ndcg_retrieved@20", c["measures"])
        # A file against itself: nothing to tell apart.
        same = run_json("compare", a, a, "--measure", "ndcg@20", "--json")
        self.assertEqual(list(same["measures"]), ["ndcg@20"])
        self.assertEqual(same["measures"]["ndcg@20"]["t_p"], 1)
        self.assertEqual(same["measures"]["ndcg@20"]["wilcoxon_p"], 1)
        self.assertIn("t-test p", run("compare", a, b).stdout)
        # Errors name the file, the line or the user.
        with open(a) as f:
            lines = f.read().splitlines()
        short = os.path.join(self.d, "cmp-short.csv")
        with open(short, "w") as f:
            f.write("\n".join(lines[:-1]) + "\n")
        p = run("compare", short, b, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("same users", p.stderr)
        bad = os.path.join(self.d, "cmp-bad.csv")
        with open(bad, "w") as f:
            f.write(lines[0] + "\n" + lines[1].rsplit(",", 1)[0] + ",x\n")
        p = run("compare", bad, b, ok=False)
        self.assertIn("line 2", p.stderr)
        self.assertIn("not a finite number", p.stderr)
        twice = os.path.join(self.d, "cmp-twice.csv")
        with open(twice, "w") as f:
            f.write("\n".join(lines + [lines[1]]) + "\n")
        p = run("compare", a, twice, ok=False)
        self.assertIn("appears twice", p.stderr)
        headless = os.path.join(self.d, "cmp-headless.csv")
        with open(headless, "w") as f:
            f.write("\n".join(lines[1:]) + "\n")
        p = run("compare", headless, b, ok=False)
        self.assertIn("line 1: expected a header", p.stderr)
        ragged = os.path.join(self.d, "cmp-ragged.csv")
        with open(ragged, "w") as f:
            f.write(lines[0] + "\n" + lines[1] + ",0.5\n")
        p = run("compare", ragged, b, ok=False)
        self.assertIn("line 2 has", p.stderr)
        nul = os.path.join(self.d, "cmp-nul.csv")
        with open(nul, "wb") as f:
            f.write(lines[0].encode() + b"\n" + lines[1].encode() + b"\0\n")
        p = run("compare", nul, b, ok=False)
        self.assertIn("NUL byte", p.stderr)
        p = run("compare", os.path.join(self.d, "missing.csv"), b, ok=False)
        self.assertIn("missing.csv", p.stderr)
        p = run("compare", a, b, "--measure", "nope@20", ok=False)
        self.assertIn("no measure 'nope@20'", p.stderr)
        self.assertIn("auc", c["measures"])
        p = run("compare", a, ok=False)
        self.assertEqual(p.returncode, 2)

    def test_demo(self):
        p = run("demo")
        self.assertIn("identical rankings", p.stdout)
        self.assertIn("recall@10", p.stdout)

    def test_kg(self):
        """rec info --kg prints every count, rec train --kg loads the graph
        and the families without one refuse it."""
        kg = os.path.join(self.d, "kg.txt")
        links = os.path.join(self.d, "kg_links.txt")
        data = os.path.join(self.d, "kg_data.csv")
        with open(kg, "w") as f:
            f.write("head_id:token\trelation_id:token\ttail_id:token\n"
                    "a\tr\tb\na\tr\tb\nb\ts\tb\n")
        with open(links, "w") as f:
            f.write("i1 a\ni9 z\n")
        with open(data, "w") as f:
            f.write("user,item\nu,i1\nu,i2\n")
        j = run_json("info", "--kg", kg, "--json")
        self.assertEqual(j, {"entities": 2, "relations": 2, "triples": 2, "lines_read": 3,
                             "duplicate_triples": 1, "self_loops": 1, "links": 0})
        j = run_json("info", "--kg", kg, "--link", links, "--data", data, "--json")
        self.assertEqual((j["entities"], j["links"], j["items_linked"],
                          j["items_without_entity"], j["links_unknown_item"],
                          j["entities_without_item"]), (3, 2, 1, 1, 1, 2))
        text = run("info", "--kg", kg, "--link", links, "--data", data).stdout
        self.assertIn("entities_without_item", text)
        p = run("train", "--train", data, "--out", os.path.join(self.d, "kg.rec"),
                "--kg", kg, "--link", links, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("1 of 2 items linked", p.stderr)
        self.assertIn("does not use a knowledge graph", p.stderr)
        p = run("train", "--train", data, "--out", os.path.join(self.d, "kg.rec"),
                "--link", links, ok=False)
        self.assertEqual(p.returncode, 2)
        with open(links, "a") as f:
            f.write("i1 b\n")
        p = run("info", "--kg", kg, "--link", links, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("kg_links.txt:3: field 1 (item): 'i1' is already linked on line 1",
                      p.stderr)

    def test_help(self):
        for cmd in ("train", "eval", "compare", "recommend", "info", "split", "demo"):
            self.assertIn("usage: rec " + cmd, run(cmd, "--help").stdout)
        mf_help = run("train", "--help", "--model", "mf").stdout
        self.assertIn("--lr", mf_help)
        self.assertNotIn("Hyperparameters of 'lightgcn'", mf_help)
        self.assertIn("Hyperparameters of 'lightgcn'", run("train", "--help").stdout)
        self.assertIn("usage: rec COMMAND", run("--help").stdout)

    def test_errors(self):
        p = run("train", "--train", "/nonexistent/x.txt", "--out", "m.rec", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("/nonexistent/x.txt", p.stderr)
        p = run("train", "--train", self.train, "--format", "adjlist", "--out",
                os.path.join(self.d, "x.rec"), "--dims", "8", ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean 'dim'", p.stderr)
        p = run("train", "--train", self.train, "--format", "adjlist", "--out",
                os.path.join(self.d, "x.rec"), "--lr", "-1", ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("lr", p.stderr)
        bad = os.path.join(self.d, "bad.csv")
        with open(bad, "w") as f:
            f.write("user,item,rating\nu1,i1,5\nu2,i2,five\n")
        p = run("train", "--train", bad, "--rating-col", "2", "--out",
                os.path.join(self.d, "x.rec"), ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("bad.csv:3", p.stderr)
        broken = os.path.join(self.d, "broken.rec")
        with open(self.model, "rb") as f:
            blob = bytearray(f.read())
        blob[len(blob) // 2] ^= 0xFF
        with open(broken, "wb") as f:
            f.write(blob)
        p = run("info", broken, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("checksum", p.stderr)
        p = run("recommend", "--model", self.model, "--user", "nobody", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("nobody", p.stderr)
        self.assertEqual(run("frobnicate", ok=False).returncode, 2)
        self.assertEqual(run("eval", "--model", self.model, ok=False).returncode, 2)


if __name__ == "__main__":
    REC = sys.argv.pop(1)
    unittest.main(verbosity=2)
