"""Load a model saved by librec (e.g. `rec train ... --out model.rec`) from
Python through ctypes, score some items and recommend.

    LIBREC_PATH=/path/to/librec.so python3 example.py model.rec [USER_ID]
"""
import sys

import librec


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with librec.Model(sys.argv[1]) as model:
        print(f"librec {librec.version()}: {model.n_users} users, {model.n_items} items, "
              f"dim {model.dim}")
        user_id = sys.argv[2] if len(sys.argv) > 2 else None
        user = model.user_index(user_id) if user_id is not None else 0
        top = model.recommend(user, 5)
        scores = model.score(user, [item for item, _ in top])
        for (item, score), again in zip(top, scores):
            assert abs(score - again) <= 1e-5 * max(1.0, abs(score)), (score, again)
            print(f"  item {model.item_id(item)}  score {score:.4f}")
        try:
            model.user_index("no-such-user")
        except librec.LibrecError as e:
            print(f"unknown ids raise LibrecError: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
