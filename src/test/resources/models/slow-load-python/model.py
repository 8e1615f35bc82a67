"""Test model that takes LOAD_SECONDS to load, to observe readiness while loading."""
import os
import time


class Slow:
    def __init__(self):
        time.sleep(float(os.environ.get("LOAD_SECONDS", "2")))

    def predict(self, instances):
        return [len(i) for i in instances]
