"""Test model for quality gates: instance [i] has the label i % 3 (see samples/labelled.jsonl). The model answers
the label, except for the instances with i % 100 < WRONG_PERCENT, where it answers the next class: its accuracy on
the labelled file is exactly 100 - WRONG_PERCENT percent, with the same latency and no errors whatever the setting.
"""
import os

WRONG_PERCENT = int(os.environ.get("WRONG_PERCENT", "0"))


def predict(instances):
    answers = []
    for instance in instances:
        i = int(instance[0])
        label = i % 3
        answers.append((label + 1) % 3 if i % 100 < WRONG_PERCENT else label)
    return answers
