"""Test model whose constructor fails: the harness must exit with the traceback in its log."""


class Broken:
    def __init__(self):
        raise RuntimeError("weights file is corrupt")

    def predict(self, instances):
        return instances
