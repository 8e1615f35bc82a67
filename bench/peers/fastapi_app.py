"""Peer for bench/serving.sh: the iris model behind FastAPI (served by uvicorn), same request and response shape."""
import os
import sys
from typing import Any, List

sys.path.insert(0, os.environ["MODEL_DIR"])
from fastapi import FastAPI  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from model import IrisClassifier  # noqa: E402

model = IrisClassifier()
app = FastAPI()


class PredictRequest(BaseModel):
    instances: List[Any]


@app.post("/predict")
def predict(request: PredictRequest):
    return {"predictions": model.predict(request.instances)}
