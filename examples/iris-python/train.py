"""Train the iris classifier from the copy of the iris data that ships with scikit-learn (no download).

Writes model.pkl next to this file. Deterministic: a fixed, stratified split (seed 0) holds out 30% of the rows (45)
that no model is trained on; labelled/holdout.jsonl is those rows with their species, the labelled samples an A/B
test scores each version on.

  train.py            all four measurements, all 105 training rows (the demo's v2)
  train.py --partial  the sepal measurements only (the demo's v1: measurably less accurate on the held-out rows)
  train.py --write-labelled   (re)writes labelled/holdout.jsonl from the held-out rows
"""
import json
import pathlib
import pickle
import sys

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

HERE = pathlib.Path(__file__).resolve().parent
ALL_FEATURES = [0, 1, 2, 3]
SEPAL_FEATURES = [0, 1]


def split():
    iris = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data, iris.target, test_size=0.3, stratify=iris.target, random_state=0)
    return iris, x_train, x_test, y_train, y_test


def write_labelled(iris, x_test, y_test):
    target = HERE / "labelled" / "holdout.jsonl"
    target.parent.mkdir(exist_ok=True)
    with open(target, "w") as f:
        for row, label in zip(x_test, y_test):
            f.write(json.dumps({"instances": [[float(v) for v in row]],
                                "expected": [str(iris.target_names[label])]}) + "\n")
    print("wrote %d labelled held-out rows to %s" % (len(y_test), target))


def main(args):
    iris, x_train, x_test, y_train, y_test = split()
    if args == ["--write-labelled"]:
        write_labelled(iris, x_test, y_test)
        return
    if args not in ([], ["--partial"]):
        sys.exit("usage: train.py [--partial | --write-labelled]")
    features = SEPAL_FEATURES if args == ["--partial"] else ALL_FEATURES
    classifier = LogisticRegression(max_iter=1000, random_state=0)
    classifier.fit(x_train[:, features], y_train)
    artifact = {"classifier": classifier, "classes": [str(name) for name in iris.target_names],
                "features": features}
    target = HERE / "model.pkl"
    with open(target, "wb") as f:
        pickle.dump(artifact, f, protocol=4)
    print("trained iris classifier on %s (%d rows): held-out accuracy %.3f (%d rows), wrote %s"
          % ("the sepal measurements" if args else "all four measurements", len(y_train),
             classifier.score(x_test[:, features], y_test), len(y_test), target))


if __name__ == "__main__":
    main(sys.argv[1:])
