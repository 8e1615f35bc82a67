"""Peer for bench/serving.py: the iris model as a bare WSGI app, for gunicorn's arbiter and gthread workers.

The question it answers (issue 15): should a well-kept server carry the harness instead of our own loop? So it does
what the harness does for a prediction and no more: read the body within the size limit (also when chunked, while
reading), parse JSON, call the model, answer JSON; 400 for a body that is not JSON with "instances", 413 over the
limit, 500 with {"error": ...} for a model exception or an answer that cannot be serialised. No framework.
A WSGI app cannot make gunicorn close the connection after a refusal: gunicorn drops hop-by-hop headers such as
Connection from the app's answer (gunicorn/http/wsgi.py, Response.process_headers).
"""
import json
import os
import sys

sys.path.insert(0, os.environ["MODEL_DIR"])
from model import IrisClassifier  # noqa: E402

MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", 16 << 20))
model = IrisClassifier()


def _reply(start_response, status, document):
    body = json.dumps(document, allow_nan=False, separators=(",", ":")).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def app(environ, start_response):
    if environ["PATH_INFO"] != "/predict":
        return _reply(start_response, "404 Not Found", {"error": "no route for %s" % environ["PATH_INFO"]})
    if environ["REQUEST_METHOD"] != "POST":
        return _reply(start_response, "405 Method Not Allowed", {"error": "use POST"})
    length = environ.get("CONTENT_LENGTH")
    if length and int(length) > MAX_BODY_BYTES:
        return _reply(start_response, "413 Request Entity Too Large", {"error": "body over %d bytes" % MAX_BODY_BYTES})
    # gunicorn gives a chunked body without CONTENT_LENGTH; reading one byte past the limit bounds it either way.
    body = environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _reply(start_response, "413 Request Entity Too Large", {"error": "body over %d bytes" % MAX_BODY_BYTES})
    try:
        instances = json.loads(body)["instances"]
    except (ValueError, TypeError, KeyError, RecursionError) as e:
        return _reply(start_response, "400 Bad Request", {"error": "not a JSON object with instances: %s" % e})
    try:
        return _reply(start_response, "200 OK", {"predictions": model.predict(instances)})
    except BaseException as e:  # noqa: B036 - as the harness: SystemExit in model code is a 500, not a dead worker
        return _reply(start_response, "500 Internal Server Error", {"error": "%s: %s" % (type(e).__name__, e)})
