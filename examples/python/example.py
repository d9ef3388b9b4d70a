"""Load a model saved by librec (e.g. `rec train ... --out model.rec`) from
Python with the librec package (python/librec/), score some items and
recommend.

    PYTHONPATH=python python3 examples/python/example.py model.rec [USER_ID]

The package finds librec.so through $LIBREC_LIBRARY, else in the source
tree's build/lib/, else among the system's libraries. python/README.md shows
the rest of the package: datasets, training, evaluation, fold-in.
"""
import sys

import librec


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with librec.Model.load(sys.argv[1]) as model:
        print(f"librec {librec.version()}: {model.n_users} users, {model.n_items} items, "
              f"dim {model.dim}")
        ids = model.dataset  # the model's id maps, external <-> dense
        user = ids.find_user(sys.argv[2]) if len(sys.argv) > 2 else 0
        top = model.recommend(user, 5)
        again = model.score(user, top.items)
        for item, score, rescored in zip(top.items, top.scores, again):
            assert abs(score - rescored) <= 1e-5 * max(1.0, abs(score)), (score, rescored)
            print(f"  item {ids.item_id(item)}  score {score:.4f}")
        try:
            ids.find_user("no-such-user")
        except librec.NotFound as e:
            print(f"unknown ids raise librec.NotFound: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
