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


MAX_JSON_DEPTH = 100  # nesting levels of a request body, and of a model's output
MAX_TENSOR_RANK = 32
# Inclusive value ranges of the V2 integer datatypes, and the largest finite magnitude of the float ones.
_INTEGER_RANGES = {"INT8": (-(1 << 7), (1 << 7) - 1), "INT16": (-(1 << 15), (1 << 15) - 1),
                   "INT32": (-(1 << 31), (1 << 31) - 1), "INT64": (-(1 << 63), (1 << 63) - 1),
                   "UINT8": (0, (1 << 8) - 1), "UINT16": (0, (1 << 16) - 1), "UINT32": (0, (1 << 32) - 1),
                   "UINT64": (0, (1 << 64) - 1)}
_FLOAT_MAX = {"FP16": 65504.0, "FP32": 3.4028234663852886e38, "FP64": 1.7976931348623157e308}
OUTPUT_NAME = "output-0"
# Until this worker has answered a prediction, the output's datatype and shape are not known (a signature declares
# inputs only): metadata says so with the most general tensor.
UNKNOWN_OUTPUT_METADATA = {"name": OUTPUT_NAME, "datatype": "BYTES", "shape": [-1]}


def parse_json_body(body):
    if not body:
        raise BadRequest("request body is empty; send a JSON object")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest("request body is not valid UTF-8 (byte %d)" % e.start) from None
    try:
        document = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        raise BadRequest("malformed JSON at line %d column %d: %s" % (e.lineno, e.colno, e.msg)) from None
    except RecursionError:
        raise BadRequest("JSON nested deeper than %d levels" % MAX_JSON_DEPTH) from None
    except ValueError as e:  # an integer literal longer than Python's int limit (4300 digits)
        raise BadRequest("malformed JSON: %s" % str(e).split(";", 1)[0]) from None
    # Walked only when the body has enough brackets to be that deep: a count is cheap, the walk is not.
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _deeper_than(document, MAX_JSON_DEPTH):
        raise BadRequest("JSON nested deeper than %d levels" % MAX_JSON_DEPTH)
    return document


def _reject_constant(name):
    raise BadRequest("malformed JSON: %s is not a JSON value" % name)


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise BadRequest("malformed JSON: number %s is out of range" % text[:40])
    return value


def _deeper_than(document, limit):
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, (list, dict)):
                stack.append((child, depth + 1))
    return False


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
    _check_parameters(document, "parameters")
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
    _check_parameters(tensor, where + ".parameters")
    if (not isinstance(shape, list) or not shape
            or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < (1 << 64) for d in shape)):
        raise BadRequest("%s.shape: must be a non-empty array of non-negative integers" % where)
    if len(shape) > MAX_TENSOR_RANK:
        raise BadRequest("%s.shape: more than %d dimensions" % (where, MAX_TENSOR_RANK))
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
        if datatype in _INTEGER_RANGES:
            low, high = _INTEGER_RANGES[datatype]
            if not low <= value <= high:
                raise BadRequest("%s.data[%d]: %s is out of range for %s (%d to %d)"
                                 % (where, k, _short(value), datatype, low, high))
        elif datatype in _FLOAT_MAX and abs(value) > _FLOAT_MAX[datatype]:
            raise BadRequest("%s.data[%d]: %s is out of range for %s (largest magnitude %r)"
                             % (where, k, _short(value), datatype, _FLOAT_MAX[datatype]))
    return name, shape, _reshape(flat, shape)


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_parameters(holder, where):
    """OIP $parameters: an object whose values are strings, numbers or booleans."""
    parameters = holder.get("parameters")
    if parameters is None:
        return
    if not isinstance(parameters, dict):
        raise BadRequest('%s: must be an object, was %s' % (where, json_type(parameters)))
    for key, value in parameters.items():
        if json_type(value) not in ("string", "number", "boolean"):
            raise BadRequest('%s.%s: must be a string, number or boolean, was %s' % (where, key, json_type(value)))


def check_requested_outputs(document):
    """The request's optional "outputs": each names an output this model produces (it has one, output-0)."""
    outputs = document.get("outputs")
    if outputs is None:
        return
    if not isinstance(outputs, list):
        raise BadRequest('"outputs" must be an array, was %s' % json_type(outputs))
    for i, output in enumerate(outputs):
        where = "outputs[%d]" % i
        if not isinstance(output, dict):
            raise BadRequest("%s: must be an object, was %s" % (where, json_type(output)))
        name = output.get("name")
        if not isinstance(name, str):
            raise BadRequest('%s: missing field "name"' % where if name is None
                             else "%s.name: must be a string, was %s" % (where, json_type(name)))
        if name != OUTPUT_NAME:
            raise BadRequest('%s: unknown output "%s"; this model produces "%s"' % (where, name[:200], OUTPUT_NAME))
        _check_parameters(output, where + ".parameters")


def platform(runtime):
    """OIP platform name, "<project>_<format>": the language that runs the model and the form it is given in."""
    return {"python": "python_module", "r": "r_script"}.get(runtime, runtime + "_model")


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
        return isinstance(value, int) or value.is_integer()
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
    """Predictions (plain JSON values, one per instance) -> a V2 output tensor."""
    if predictions and all(isinstance(p, list) for p in predictions):
        widths = {len(p) for p in predictions}
        if len(widths) == 1 and all(not isinstance(v, (list, dict)) for p in predictions for v in p):
            flat = [v for p in predictions for v in p]
            datatype = _datatype_of(flat)
            if datatype is not None:
                return {"name": OUTPUT_NAME, "shape": [len(predictions), widths.pop()], "datatype": datatype,
                        "data": flat}
    if all(not isinstance(p, (list, dict)) for p in predictions):
        datatype = _datatype_of(predictions)
        if datatype is not None:
            return {"name": OUTPUT_NAME, "shape": [len(predictions)], "datatype": datatype,
                    "data": list(predictions)}
    # Ragged, structured, mixed or null-holding predictions travel as JSON text, one BYTES element per instance.
    return {"name": OUTPUT_NAME, "shape": [len(predictions)], "datatype": "BYTES",
            "data": [json.dumps(p, separators=(",", ":"), allow_nan=False) for p in predictions]}


def v2_output_metadata(output):
    """The metadata tensor of an output: its datatype, and its shape with the batch dimension variable."""
    return {"name": output["name"], "datatype": output["datatype"], "shape": [-1] + output["shape"][1:]}


def _datatype_of(values):
    """The one V2 datatype all values share, or None when they share none (then JSON text is sent)."""
    if all(isinstance(v, bool) for v in values):
        return "BOOL"
    if all(isinstance(v, str) for v in values):
        return "BYTES"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        low, high = min(values), max(values)
        if _INTEGER_RANGES["INT64"][0] <= low and high <= _INTEGER_RANGES["INT64"][1]:
            return "INT64"
        if low >= 0 and high <= _INTEGER_RANGES["UINT64"][1]:
            return "UINT64"
        raise ModelOutputError("model output integer %s does not fit a V2 integer datatype"
                               % _short(low if low < _INTEGER_RANGES["INT64"][0] else high))
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "FP64"
    return None


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
    """Model output -> a JSON-ready list with one entry per instance (numpy and R values made plain).

    Raises ModelOutputError, naming the place, for anything JSON cannot carry: sets, bytes, arbitrary objects,
    NaN and infinities (a non-finite output is an error, never silently null), non-string keys, or nesting deeper
    than MAX_JSON_DEPTH."""
    if hasattr(predictions, "tolist"):
        predictions = predictions.tolist()
    if isinstance(predictions, tuple):
        predictions = list(predictions)
    if not isinstance(predictions, list):
        raise ModelOutputError("model returned %s, expected a list with one prediction per instance"
                               % type(predictions).__name__)
    if len(predictions) != count:
        raise ModelOutputError("model returned %d predictions for %d instances" % (len(predictions), count))
    plain = []
    for i, p in enumerate(predictions):
        try:
            plain.append(_plain(p, 1))
        except _Unencodable as e:
            raise ModelOutputError("model output predictions[%d]%s: %s" % (i, "".join(reversed(e.path)), e.reason)) \
                from None
    return plain


class _Unencodable(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason
        self.path = []  # filled while unwinding, innermost first


def _plain(value, depth):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unencodable("%r is not a JSON number (non-finite model output)" % value)
        return value
    if depth > MAX_JSON_DEPTH:
        raise _Unencodable("nested deeper than %d levels" % MAX_JSON_DEPTH)
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            try:
                out.append(_plain(v, depth + 1))
            except _Unencodable as e:
                e.path.append("[%d]" % i)
                raise
        return out
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _Unencodable("object key %s is %s, not a string" % (_short(k), type(k).__name__))
            try:
                out[k] = _plain(v, depth + 1)
            except _Unencodable as e:
                e.path.append(".%s" % k[:40])
                raise
        return out
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays and scalars
        return _plain(value.tolist(), depth + 1)
    if hasattr(value, "item") and callable(value.item):
        return _plain(value.item(), depth + 1)
    raise _Unencodable("%s is not JSON-serialisable" % type(value).__name__)
