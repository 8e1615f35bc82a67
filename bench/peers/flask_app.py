"""Peer for bench/serving.sh: the iris model behind Flask (served by gunicorn), same request and response shape."""
import os
import sys

sys.path.insert(0, os.environ["MODEL_DIR"])
from flask import Flask, jsonify, request  # noqa: E402

from model import IrisClassifier  # noqa: E402

model = IrisClassifier()
app = Flask(__name__)


@app.post("/predict")
def predict():
    return jsonify({"predictions": model.predict(request.get_json()["instances"])})
