"""Request and response shapes of the two protocols, independent of HTTP and of the model runtime.

Every validation failure raises BadRequest with a message that names the offending field, so that the HTTP layer
can answer 400 with it unchanged.
"""
import json
import math

V2_DATATYPES = ("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
                "FP16", "FP32", "FP64", "BYTES")
_INTEGER_TYPES = {"UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64"}
_FLOAT_TYPES = {"FP16", "FP32", "FP64"}
SIGNATURE_TYPES = ("number", "integer", "string", "boolean")
_V2_TYPE_OF_SIGNATURE = {"number": "FP64", "integer": "INT64", "string": "BYTES", "boolean": "BOOL"}


class BadRequest(Exception):
    """The request cannot be served as sent; the message is returned to the client."""


class ModelOutputError(Exception):
    """The model answered with something the protocol cannot carry."""


def parse_json_body(body):
    if not body:
        raise BadRequest("request body is empty; send a JSON object")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest("request body is not valid UTF-8 (byte %d)" % e.start) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise BadRequest("malformed JSON at line %d column %d: %s" % (e.lineno, e.colno, e.msg)) from None


def _reject_constant(name):
    raise BadRequest("malformed JSON: %s is not a JSON value" % name)


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def instances_from_simple(document, signature):
    """{"instances": [...]} -> list of instances, checked against the signature when the model declares one."""
    if not isinstance(document, dict):
        raise BadRequest('request body must be a JSON object with an "instances" array, was %s'
                         % json_type(document))
    if "instances" not in document:
        raise BadRequest('missing field "instances"')
    instances = document["instances"]
    if not isinstance(instances, list):
        raise BadRequest('"instances" must be an array, was %s' % json_type(instances))
    if not instances:
        raise BadRequest('"instances" must not be empty')
    if signature:
        for i, instance in enumerate(instances):
            check_instance(instance, signature, "instances[%d]" % i)
    return instances


def check_instance(instance, signature, where):
    inputs = signature["inputs"]
    if signature["format"] == "array":
        if not isinstance(instance, list):
            raise BadRequest("%s: expected an array of %d values, was %s" % (where, len(inputs), json_type(instance)))
        if len(instance) != len(inputs):
            raise BadRequest("%s: expected %d values (%s), got %d"
                             % (where, len(inputs), ", ".join(i["name"] for i in inputs), len(instance)))
        for j, (value, spec) in enumerate(zip(instance, inputs)):
            _check_value(value, spec, "%s[%d] (%s)" % (where, j, spec["name"]))
    else:
        if not isinstance(instance, dict):
            raise BadRequest("%s: expected an object with fields %s, was %s"
                             % (where, ", ".join(i["name"] for i in inputs), json_type(instance)))
        for spec in inputs:
            if spec["name"] not in instance:
                raise BadRequest('%s: missing field "%s"' % (where, spec["name"]))
            _check_value(instance[spec["name"]], spec, "%s.%s" % (where, spec["name"]))
        unknown = sorted(set(instance) - {i["name"] for i in inputs})
        if unknown:
            raise BadRequest('%s: unknown field "%s"' % (where, unknown[0]))


def _check_value(value, spec, where):
    expected = spec["type"]
    ok = {
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
    }[expected]
    if expected == "number" and ok and isinstance(value, float) and not math.isfinite(value):
        ok = False
    if not ok:
        raise BadRequest("%s: expected %s, was %s" % (where, expected, json_type(value)))


def instances_from_v2(document, signature):
    """Open Inference Protocol V2 request -> (instances, request id)."""
    if not isinstance(document, dict):
        raise BadRequest('request body must be a JSON object with an "inputs" array, was %s' % json_type(document))
    inputs = document.get("inputs")
    if inputs is None:
        raise BadRequest('missing field "inputs"')
    if not isinstance(inputs, list):
        raise BadRequest('"inputs" must be an array, was %s' % json_type(inputs))
    if not inputs:
        raise BadRequest('"inputs" must not be empty')
    request_id = document.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise BadRequest('"id" must be a string, was %s' % json_type(request_id))
    tensors = [_tensor(t, "inputs[%d]" % i) for i, t in enumerate(inputs)]
    names = [t[0] for t in tensors]
    if len(set(names)) != len(names):
        raise BadRequest('inputs: duplicate input name "%s"' % next(n for n in names if names.count(n) > 1))

    if len(tensors) == 1:
        name, shape, rows = tensors[0]
        instances = rows
    else:
        counts = {len(t[2]) for t in tensors}
        if len(counts) != 1:
            raise BadRequest("inputs: every input needs the same first dimension, got %s"
                             % ", ".join("%s=%d" % (t[0], len(t[2])) for t in tensors))
        count = counts.pop()
        by_name = {t[0]: t[2] for t in tensors}
        if signature and signature["format"] == "array":
            order = [i["name"] for i in signature["inputs"]]
            missing = [n for n in order if n not in by_name]
            if missing:
                raise BadRequest('inputs: missing input "%s"' % missing[0])
            instances = [[by_name[n][k] for n in order] for k in range(count)]
        else:
            instances = [{name: by_name[name][k] for name in names} for k in range(count)]
    if not instances:
        raise BadRequest("inputs: no instances (first dimension is 0)")
    if signature:
        for i, instance in enumerate(instances):
            check_instance(instance, signature, "instance %d" % i)
    return instances, request_id


def _tensor(tensor, where):
    if not isinstance(tensor, dict):
        raise BadRequest("%s: must be an object, was %s" % (where, json_type(tensor)))
    for field in ("name", "shape", "datatype", "data"):
        if field not in tensor:
            raise BadRequest('%s: missing field "%s"' % (where, field))
    name, shape, datatype, data = tensor["name"], tensor["shape"], tensor["datatype"], tensor["data"]
    if not isinstance(name, str) or not name:
        raise BadRequest("%s.name: must be a non-empty string" % where)
    if (not isinstance(shape, list) or not shape
            or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)):
        raise BadRequest("%s.shape: must be a non-empty array of non-negative integers" % where)
    if datatype not in V2_DATATYPES:
        raise BadRequest("%s.datatype: must be one of %s, was %s" % (where, ", ".join(V2_DATATYPES),
                                                                   json.dumps(datatype)))
    if not isinstance(data, list):
        raise BadRequest("%s.data: must be an array, was %s" % (where, json_type(data)))
    flat = []
    _flatten(data, flat)
    expected = 1
    for d in shape:
        expected *= d
    if len(flat) != expected:
        raise BadRequest("%s: shape %s needs %d values, got %d" % (where, json.dumps(shape), expected, len(flat)))
    for k, value in enumerate(flat):
        if not _fits(value, datatype):
            raise BadRequest("%s.data[%d]: %s value expected, was %s" % (where, k, datatype, json_type(value)))
    return name, shape, _reshape(flat, shape)


def _flatten(data, out):
    for item in data:
        if isinstance(item, list):
            _flatten(item, out)
        else:
            out.append(item)


def _fits(value, datatype):
    if datatype == "BOOL":
        return isinstance(value, bool)
    if datatype == "BYTES":
        return isinstance(value, str)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if datatype in _INTEGER_TYPES:
        return isinstance(value, int) or float(value).is_integer()
    return math.isfinite(value) if datatype in _FLOAT_TYPES else True


def _reshape(flat, shape):
    """Rows along the first dimension; a 1-D tensor gives scalar rows."""
    if len(shape) == 1:
        return flat
    row = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * row:(i + 1) * row], shape[1:]) for i in range(shape[0])]


def _nest(flat, shape):
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def v2_output(predictions):
    """Predictions (one per instance) -> a V2 output tensor."""
    if all(isinstance(p, list) for p in predictions):
        widths = {len(p) for p in predictions}
        if len(widths) == 1 and all(not isinstance(v, (list, dict)) for p in predictions for v in p):
            flat = [v for p in predictions for v in p]
            return {"name": "output-0", "shape": [len(predictions), widths.pop()],
                    "datatype": _datatype_of(flat), "data": flat}
    if all(not isinstance(p, (list, dict)) for p in predictions):
        return {"name": "output-0", "shape": [len(predictions)], "datatype": _datatype_of(predictions),
                "data": list(predictions)}
    # Ragged or structured predictions travel as JSON text, one element per instance.
    return {"name": "output-0", "shape": [len(predictions)], "datatype": "BYTES",
            "data": [json.dumps(p, separators=(",", ":")) for p in predictions]}


def _datatype_of(values):
    if all(isinstance(v, bool) for v in values):
        return "BOOL"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "INT64"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "FP64"
    return "BYTES"


def v2_tensor_metadata(signature):
    if not signature:
        return [{"name": "input-0", "datatype": "FP64", "shape": [-1, -1]}]
    if signature["format"] == "array":
        types = {_V2_TYPE_OF_SIGNATURE[i["type"]] for i in signature["inputs"]}
        datatype = types.pop() if len(types) == 1 else "BYTES"
        return [{"name": "input-0", "datatype": datatype, "shape": [-1, len(signature["inputs"])]}]
    return [{"name": i["name"], "datatype": _V2_TYPE_OF_SIGNATURE[i["type"]], "shape": [-1]}
            for i in signature["inputs"]]


def to_plain(predictions, count):
    """Model output -> a JSON-ready list with one entry per instance (numpy and R values made plain)."""
    if hasattr(predictions, "tolist"):
        predictions = predictions.tolist()
    if isinstance(predictions, tuple):
        predictions = list(predictions)
    if not isinstance(predictions, list):
        raise ModelOutputError("model returned %s, expected a list with one prediction per instance"
                               % type(predictions).__name__)
    if len(predictions) != count:
        raise ModelOutputError("model returned %d predictions for %d instances" % (len(predictions), count))
    return [_plain(p) for p in predictions]


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
