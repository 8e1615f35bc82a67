"""Test model whose behaviour is chosen by its environment, so one model directory gives a good, a slow and a
failing version (e.g. `--set env.MODE=slow`):

MODE=ok    answers a + b for each instance [a, b]
MODE=slow  the same after SLEEP_MS (default 120) milliseconds: slower than the 50 ms SLO
MODE=fail  raises, so every prediction is an error (a 500)
"""
import os
import time

MODE = os.environ.get("MODE", "ok")
SLEEP_SECONDS = int(os.environ.get("SLEEP_MS", "120")) / 1000.0


def predict(instances):
    if MODE == "fail":
        raise ValueError("this version fails on purpose (MODE=fail)")
    if MODE == "slow":
        time.sleep(SLEEP_SECONDS)
    return [sum(instance) for instance in instances]
