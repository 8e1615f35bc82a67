"""Test model: answers each instance with a deterministic function of it, and misbehaves on request.

Instance forms:  [a, b]                 -> a + b
                 {"raise": "message"}   -> raises ValueError(message)
                 {"sleep_ms": n}        -> sleeps n ms, answers n
                 {"print": "text"}      -> prints text to stdout, answers 0
"""
import sys
import time


def predict(instances):
    out = []
    for instance in instances:
        if isinstance(instance, dict):
            if "raise" in instance:
                raise ValueError(instance["raise"])
            if "sleep_ms" in instance:
                time.sleep(instance["sleep_ms"] / 1000.0)
                out.append(instance["sleep_ms"])
                continue
            if "print" in instance:
                print(instance["print"])
                sys.stdout.flush()
                out.append(0)
                continue
            if "wrong_count" in instance:
                return []
        out.append(sum(instance))
    return out
