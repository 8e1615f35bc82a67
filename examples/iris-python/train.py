"""Train the iris classifier from the copy of the iris data that ships with scikit-learn (no download).

Writes model.pkl next to this file. Deterministic: the same scikit-learn gives the same model bytes.
"""
import pathlib
import pickle

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


def main():
    iris = load_iris()
    classifier = LogisticRegression(max_iter=1000, random_state=0)
    classifier.fit(iris.data, iris.target)
    artifact = {"classifier": classifier, "classes": [str(name) for name in iris.target_names]}
    target = pathlib.Path(__file__).resolve().parent / "model.pkl"
    with open(target, "wb") as f:
        pickle.dump(artifact, f, protocol=4)
    print("trained iris classifier: training accuracy %.3f, wrote %s"
          % (classifier.score(iris.data, iris.target), target))


if __name__ == "__main__":
    main()
