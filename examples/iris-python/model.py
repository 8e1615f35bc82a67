"""Iris species from sepal and petal measurements (cm): the serving side of train.py."""
import pathlib
import pickle


class IrisClassifier:
    def __init__(self):
        path = pathlib.Path(__file__).resolve().parent / "model.pkl"
        if not path.exists():
            raise FileNotFoundError("%s is missing: run train.py first" % path)
        with open(path, "rb") as f:
            artifact = pickle.load(f)
        self._classifier = artifact["classifier"]
        self._classes = artifact["classes"]
        # the measurements the classifier was trained on (train.py --partial: the sepal ones); older artefacts: all
        self._features = artifact.get("features")

    def predict(self, instances):
        if self._features is not None:
            instances = [[row[i] for i in self._features] for row in instances]
        return [self._classes[i] for i in self._classifier.predict(instances)]
