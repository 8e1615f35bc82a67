"""Test model: the Python twin of echo-r (the same linear function of wt and hp, the same misbehaviour), so the
conformance and fuzz tests send the same requests to both harness languages.

wt < 0 raises; wt == 999 answers infinity, wt == 998 NaN (non-finite outputs the harness must refuse).
"""


def predict(instances):
    out = []
    for instance in instances:
        wt, hp = instance["wt"], instance["hp"]
        if wt < 0:
            raise ValueError("weight must not be negative")
        out.append(float("inf") if wt == 999 else float("nan") if wt == 998 else 37.2 - 3.88 * wt - 0.0318 * hp)
    return out
