"""model-deploy serving harness: exposes one model version over HTTP (simple and Open Inference Protocol V2).

Standard library only: this package goes into every model image, whose base may hold nothing else.
"""

HARNESS_VERSION = "1"
