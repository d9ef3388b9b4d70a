"""Runs examples/python/example.py against a model trained by `rec`.
Usage: python_example_test.py PATH_TO_REC PATH_TO_LIBREC_SO EXAMPLE_DIR PACKAGE_DIR"""
import os
import subprocess
import sys
import tempfile

rec, lib, example_dir, package_dir = sys.argv[1:5]
with tempfile.TemporaryDirectory() as d:
    data = os.path.join(d, "data.csv")
    with open(data, "w") as f:
        f.write("user,item\n")
        for u in range(50):
            for i in range(10):
                f.write(f"user{u},item{(u * 7 + i * 3) % 40}\n")
    model = os.path.join(d, "m.rec")
    subprocess.run([rec, "train", "--train", data, "--out", model, "--epochs", "3"],
                   check=True)
    env = dict(os.environ, LIBREC_LIBRARY=lib, PYTHONPATH=package_dir)
    p = subprocess.run([sys.executable, os.path.join(example_dir, "example.py"), model,
                        "user3"], env=env, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        sys.exit(1)
    out = p.stdout
    assert "50 users, 40 items" in out, out
    assert out.count("  item ") == 5, out
    assert "unknown ids raise librec.NotFound" in out, out
print("python example: ok")
